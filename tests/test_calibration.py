"""Simulation-based calibration of the closed-form model (bayes_linreg.calibration)."""

import numpy as np
import pytest
from scipy import stats

from bayes_linreg import calibration, conjugate, data

X = np.linspace(-1, 1, 11)
PRIOR = conjugate.isotropic_prior(2, 1.0)


def test_posterior_means_equal_the_closed_form_per_dataset():
    result = calibration.simulate(np.random.default_rng(0), X, 5, PRIOR, 0.1)
    rng = np.random.default_rng(0)
    truth = rng.standard_normal((5, 2))  # sample_weights of N(0, I) draws exactly these
    np.testing.assert_allclose(result.truth, truth)
    y = truth @ data.design_matrix(X).T + 0.1 * rng.standard_normal((5, X.size))
    for i in range(5):
        exact = conjugate.posterior(data.design_matrix(X), y[i], 0.1, PRIOR)
        np.testing.assert_allclose(result.post_mean[i], exact.mean, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(result.post_cov, exact.cov, rtol=1e-9)


def test_correct_model_is_calibrated():
    n = 4000
    result = calibration.simulate(np.random.default_rng(1), X, n, PRIOR, 0.1)
    for j in range(2):
        assert stats.kstest(result.pit[:, j], "uniform").pvalue > 1e-4
    cov = calibration.coverage(result.pit, [0.5, 0.9])
    for row, prob in zip(cov, [0.5, 0.9]):
        lo, hi = calibration.binomial_band(prob, n)
        assert np.all((lo <= row) & (row <= hi)), (prob, row)
    rank = calibration.ranks(np.random.default_rng(2), result, n_draws=19)
    assert rank.min() >= 0 and rank.max() <= 19
    counts = np.stack([np.bincount(rank[:, j], minlength=20) for j in range(2)])
    assert stats.chisquare(counts, axis=1).pvalue.min() > 1e-4


def test_overconfident_model_undercovers():
    n = 2000
    result = calibration.simulate(np.random.default_rng(3), X, n, PRIOR, 0.1, model_noise_sd=0.05)
    lo, _ = calibration.binomial_band(0.9, n)
    assert np.all(calibration.coverage(result.pit, [0.9])[0] < lo)


def test_coverage_from_pit():
    pit = np.array([[0.5, 0.01], [0.96, 0.3]])
    np.testing.assert_array_equal(calibration.coverage(pit, [0.5, 0.9]), [[0.5, 0.5], [0.5, 0.5]])
    np.testing.assert_array_equal(calibration.coverage(pit, [0.95]), [[1.0, 0.5]])


def test_binomial_band_contains_its_level():
    lo, hi = calibration.binomial_band(0.9, 1000, level=0.99)
    inside = stats.binom.cdf(hi * 1000, 1000, 0.9) - stats.binom.cdf(lo * 1000 - 1, 1000, 0.9)
    assert inside >= 0.99 and lo < 0.9 < hi


def test_to_datatree_has_the_prior_sbc_group():
    tree = calibration.to_datatree(np.full((10, 2), 0.5))
    assert set(tree["prior_sbc"].data_vars) == {"intercept", "slope"}


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: calibration.simulate(np.random.default_rng(0), X, 0, PRIOR, 0.1), "n_datasets"),
        (lambda: calibration.simulate(np.random.default_rng(0), X, 5, PRIOR, -0.1), "true_noise_sd must be positive"),
        (lambda: calibration.simulate(np.random.default_rng(0), X, 5, PRIOR, 0.1, model_noise_sd=0), "model_noise_sd"),
        (lambda: calibration.simulate(np.random.default_rng(0), [0.0, np.nan], 5, PRIOR, 0.1), "x contains NaN"),
        (
            lambda: calibration.simulate(np.random.default_rng(0), X, 5, PRIOR, 0.1, conjugate.isotropic_prior(3, 1.0)),
            "model_prior is over 3 weights",
        ),
        (lambda: calibration.coverage(np.array([[1.5, 0.2]]), [0.9]), "pit values must lie in"),
        (lambda: calibration.coverage(np.array([[0.5, 0.2]]), [1.0]), "probs must lie strictly"),
        (lambda: calibration.binomial_band(0.9, 0), "n must be a positive integer"),
        (lambda: calibration.binomial_band(1.2, 10), "prob must lie in"),
        (lambda: calibration.to_datatree(np.ones((3, 2)), names=["a"]), "names"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_expected_coverage_is_nominal_for_the_correct_model():
    probs = np.array([0.5, 0.8, 0.95])
    expected = calibration.expected_coverage(X, probs, PRIOR, 0.1)
    np.testing.assert_allclose(expected, np.repeat(probs[:, None], 2, axis=1), rtol=1e-9)


@pytest.mark.parametrize(
    "model", [{"model_noise_sd": 0.05}, {"model_prior": conjugate.isotropic_prior(2, 0.1)}, {"model_noise_sd": 0.3}]
)
def test_expected_coverage_matches_simulation(model):
    n = 4000
    probs = np.array([0.5, 0.9])
    result = calibration.simulate(np.random.default_rng(8), X, n, PRIOR, 0.1, **model)
    expected = calibration.expected_coverage(X, probs, PRIOR, 0.1, **model)
    lo, hi = calibration.binomial_band(expected, n, level=0.9999)
    empirical = calibration.coverage(result.pit, probs)
    assert np.all((lo <= empirical) & (empirical <= hi)), (empirical, expected)
