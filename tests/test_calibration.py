"""bayes_linreg.calibration: the exact SBC coverage, checked against a simulation written here.

The simulation is Talts et al.'s SBC for the closed-form model: truths from the generating prior,
``y = truth @ Phi.T + noise``, and each data set's posterior from the closed form (numpy inverses,
independent of the library's Cholesky route). Every randomised test runs for 50 seeds with
tolerances at false-alarm rates of 1e-6 per comparison.
"""

from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

from bayes_linreg import calibration, conjugate

X = np.linspace(-1, 1, 11)
PRIOR = conjugate.isotropic_prior(2, 1.0)
STRICT = 1 - 1e-6  # binomial band level for randomised tests: a false alarm in 1e6 per compared number


@dataclass(frozen=True)
class _SBC:
    truth: np.ndarray  # (n, dim)
    post_mean: np.ndarray  # (n, dim)
    post_cov: np.ndarray  # (dim, dim), the same for every data set

    @property
    def pit(self):
        """F(w_true) under each data set's posterior marginal: uniform on (0, 1) for a calibrated model."""
        return stats.norm.cdf((self.truth - self.post_mean) / np.sqrt(np.diag(self.post_cov)))


def _simulate(rng, x, n, true_prior, true_noise_sd, model_prior=None, model_noise_sd=None):
    """SBC of the closed-form model: truths from ``true_prior``, data with ``true_noise_sd``, the model's posteriors."""
    model_prior = true_prior if model_prior is None else model_prior
    model_noise_sd = true_noise_sd if model_noise_sd is None else model_noise_sd
    phi = np.column_stack([x**j for j in range(true_prior.mean.size)])
    truth = true_prior.mean + rng.standard_normal((n, true_prior.mean.size)) @ np.linalg.cholesky(true_prior.cov).T
    y = truth @ phi.T + true_noise_sd * rng.standard_normal((n, x.size))
    prior_precision = np.linalg.inv(model_prior.cov)
    post_cov = np.linalg.inv(prior_precision + phi.T @ phi / model_noise_sd**2)
    post_mean = (prior_precision @ model_prior.mean + y @ phi / model_noise_sd**2) @ post_cov
    return _SBC(truth, post_mean, post_cov)


def _ranks(rng, result, n_draws):
    """Talts et al.'s rank statistic: how many of ``n_draws`` posterior draws fall below the truth."""
    n, dim = result.truth.shape
    factor = np.linalg.cholesky(result.post_cov)
    draws = result.post_mean[:, None, :] + rng.standard_normal((n, n_draws, dim)) @ factor.T
    return np.sum(draws < result.truth[:, None, :], axis=1)


def test_simulated_posteriors_equal_the_reference_per_dataset():
    result = _simulate(np.random.default_rng(0), X, 5, PRIOR, 0.1)
    rng = np.random.default_rng(0)
    truth = rng.standard_normal((5, 2))
    np.testing.assert_allclose(result.truth, truth)
    y = truth @ conjugate.design_matrix(X).T + 0.1 * rng.standard_normal((5, X.size))
    for i in range(5):
        exact = conjugate.posterior(conjugate.design_matrix(X), y[i], 0.1, PRIOR)
        np.testing.assert_allclose(result.post_mean[i], exact.mean, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(result.post_cov, exact.cov, rtol=1e-9, atol=1e-12 * exact.cov.max())


def test_correct_model_is_calibrated(rng):
    n = 2000
    result = _simulate(rng, X, n, PRIOR, 0.1)
    for j in range(2):
        assert stats.kstest(result.pit[:, j], "uniform").pvalue > 1e-6
    probs = [0.5, 0.9]
    cover = calibration.coverage(result.pit, probs)
    for row, prob in zip(cover, probs, strict=True):
        lo, hi = calibration.binomial_band(prob, n, level=STRICT)
        assert np.all((lo <= row) & (row <= hi)), (prob, row)
    rank = _ranks(rng, result, n_draws=19)
    assert rank.min() >= 0 and rank.max() <= 19
    counts = np.stack([np.bincount(rank[:, j], minlength=20) for j in range(2)])
    assert stats.chisquare(counts, axis=1).pvalue.min() > 1e-6


def test_overconfident_model_undercovers(rng):
    """Half the true noise sd: the exact 90 % coverage is far below 0.9 and the simulation sees it."""
    n = 2000
    result = _simulate(rng, X, n, PRIOR, 0.1, model_noise_sd=0.05)
    expected = calibration.expected_coverage(X, [0.9], PRIOR, 0.1, model_noise_sd=0.05)[0]
    lo, _ = calibration.binomial_band(0.9, n, level=STRICT)
    _, hi = calibration.binomial_band(expected, n, level=STRICT)
    assert np.all(hi < lo), "the test needs a miscalibration larger than the simulation's noise"
    assert np.all(calibration.coverage(result.pit, [0.9])[0] < lo)


def test_coverage_from_pit():
    pit = np.array([[0.5, 0.01], [0.96, 0.3]])
    np.testing.assert_array_equal(calibration.coverage(pit, [0.5, 0.9]), [[0.5, 0.5], [0.5, 0.5]])
    np.testing.assert_array_equal(calibration.coverage(pit, [0.95]), [[1.0, 0.5]])


def test_binomial_band_contains_its_level():
    lo, hi = calibration.binomial_band(0.9, 1000, level=0.99)
    inside = stats.binom.cdf(hi * 1000, 1000, 0.9) - stats.binom.cdf(lo * 1000 - 1, 1000, 0.9)
    assert inside >= 0.99 and lo < 0.9 < hi


def test_expected_coverage_is_nominal_for_the_correct_model():
    probs = np.array([0.5, 0.8, 0.95])
    expected = calibration.expected_coverage(X, probs, PRIOR, 0.1)
    np.testing.assert_allclose(expected, np.repeat(probs[:, None], 2, axis=1), rtol=1e-9)


@pytest.mark.parametrize(
    "model",
    [{"model_noise_sd": 0.05}, {"model_prior": conjugate.isotropic_prior(2, 0.1)}, {"model_noise_sd": 0.3}],
    ids=["overconfident noise", "narrow prior", "timid noise"],
)
def test_expected_coverage_matches_simulation(model, rng):
    n = 4000
    probs = np.array([0.5, 0.9])
    result = _simulate(rng, X, n, PRIOR, 0.1, **model)
    expected = calibration.expected_coverage(X, probs, PRIOR, 0.1, **model)
    lo, hi = calibration.binomial_band(expected, n, level=STRICT)
    empirical = calibration.coverage(result.pit, probs)
    assert np.all((lo <= empirical) & (empirical <= hi)), (empirical, expected)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: calibration.expected_coverage(X, [0.9], PRIOR, -0.1), "true_noise_sd must be positive"),
        (lambda: calibration.expected_coverage(X, [0.9], PRIOR, np.nan), "true_noise_sd contains NaN"),
        (lambda: calibration.expected_coverage(X, [0.9], PRIOR, 0.1, model_noise_sd=0), "model_noise_sd"),
        (lambda: calibration.expected_coverage([0.0, np.nan], [0.9], PRIOR, 0.1), "x contains NaN"),
        (
            lambda: calibration.expected_coverage(X, [0.9], PRIOR, 0.1, conjugate.isotropic_prior(3, 1.0)),
            "model_prior is over 3 weights",
        ),
        (lambda: calibration.expected_coverage(X, [1.0], PRIOR, 0.1), "probs must lie strictly"),
        (lambda: calibration.expected_coverage(X, [np.nan], PRIOR, 0.1), "probs contains NaN"),
        (lambda: calibration.coverage(np.array([[1.5, 0.2]]), [0.9]), "pit values must lie in"),
        (lambda: calibration.coverage(np.array([[np.nan, 0.2]]), [0.9]), "pit contains NaN"),
        (lambda: calibration.coverage(np.array([[0.5, 0.2]]), [1.0]), "probs must lie strictly"),
        (lambda: calibration.binomial_band(0.9, 0), "n must be a positive integer"),
        (lambda: calibration.binomial_band(1.2, 10), "prob must lie in"),
        (lambda: calibration.binomial_band(np.nan, 10), "prob contains NaN"),
        (lambda: calibration.binomial_band(0.9, 10, level=np.nan), "level must lie strictly"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "kwargs",
    [{"true_prior": (np.zeros(2), np.eye(2))}, {"model_prior": (np.zeros(2), np.eye(2))}],
    ids=["true_prior", "model_prior"],
)
def test_expected_coverage_refuses_a_mean_cov_tuple(kwargs):
    arguments = {"x": X, "probs": [0.9], "true_prior": PRIOR, "true_noise_sd": 0.1} | kwargs
    with pytest.raises(TypeError, match="must be a bayes_linreg.conjugate.Gaussian"):
        calibration.expected_coverage(**arguments)
