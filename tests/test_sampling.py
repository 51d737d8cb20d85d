"""Sampling helpers (draws to lines and bands), the MCMC checks and the GLM tutorial data.

MCMC output is imitated with independent draws in an ``xarray.DataTree``: the helpers only
read the ``posterior``/``prior`` groups, so no sampler has to run here.
"""

import numpy as np
import pytest
import xarray as xr

from bayes_linreg import checks, conjugate, data, draws, sampling


def fake_idata(rng, belief, chains=4, n_draws=1000, group="posterior", names=("w_b", "w_m")):
    """A DataTree whose ``group`` holds independent draws of ``belief`` as scalar variables."""
    weights = draws.sample_weights(rng, belief, chains * n_draws).reshape(chains, n_draws, -1)
    variables = {name: (("chain", "draw"), weights[..., i]) for i, name in enumerate(names)}
    variables["w"] = (("chain", "draw", "weight"), weights)
    tree = xr.DataTree.from_dict({group: xr.Dataset(variables)})
    return tree, weights


@pytest.fixture
def belief():
    return conjugate.Gaussian(np.array([2.0, 0.3]), np.array([[0.01, -0.004], [-0.004, 0.02]]))


def test_chain_draws_keeps_chains_and_expands_vectors(belief):
    tree, weights = fake_idata(np.random.default_rng(0), belief, chains=3, n_draws=50)
    np.testing.assert_array_equal(sampling.chain_draws(tree, ["w_b", "w_m"]), weights)
    np.testing.assert_array_equal(sampling.chain_draws(tree, ["w"]), weights)
    np.testing.assert_array_equal(sampling.chain_draws(tree, ["w_m", "w"])[..., 0], weights[..., 1])


def test_chain_draws_reads_the_prior_group(belief):
    tree, weights = fake_idata(np.random.default_rng(0), belief, chains=1, n_draws=20, group="prior")
    np.testing.assert_array_equal(sampling.chain_draws(tree, ["w_b", "w_m"], group="prior"), weights)


@pytest.mark.parametrize(("kwargs", "message"), [({"group": "prior"}, "no group 'prior'"), ({"var_names": ["nope"]}, "nope")])
def test_chain_draws_refuses_unknown_names(belief, kwargs, message):
    tree, _ = fake_idata(np.random.default_rng(0), belief, n_draws=10)
    arguments = {"var_names": ["w_b"]} | kwargs
    with pytest.raises(ValueError, match=message):
        sampling.chain_draws(tree, **arguments)


def test_line_draws_matches_line_values(belief):
    weights = draws.sample_weights(np.random.default_rng(1), belief, 12).reshape(3, 4, 2)
    x = np.linspace(-1, 1, 5)
    lines = sampling.line_draws(weights, x)
    assert lines.shape == (3, 4, 5)
    np.testing.assert_allclose(lines[1, 2], weights[1, 2, 0] + weights[1, 2, 1] * x)


def test_line_draws_refuses_a_single_vector():
    with pytest.raises(ValueError, match="at least 2-D"):
        sampling.line_draws(np.array([1.0, 2.0]), np.zeros(3))


def test_predictive_draws_add_noise_of_the_right_size(belief):
    rng = np.random.default_rng(2)
    weights = np.broadcast_to(belief.mean, (4, 20_000, 2))
    x = np.array([-1.0, 0.0, 1.0])
    new_y = sampling.predictive_draws(rng, weights, x, 0.5)
    residual = new_y - (belief.mean[0] + belief.mean[1] * x)
    n = residual[..., 0].size
    assert np.all(np.abs(residual.std(axis=(0, 1)) - 0.5) < 4 * 0.5 / np.sqrt(2 * n))
    # one noise sd per draw: a draw with sd 0 would be exactly on its line
    per_draw = np.full((4, 20_000), 0.5)
    per_draw[0] = 2.0
    spread = sampling.predictive_draws(rng, weights, x, per_draw).std(axis=1)
    assert spread[0].min() > 1.8 and spread[1:].max() < 0.55


@pytest.mark.parametrize(("noise_sd", "message"), [(-1.0, "positive"), (np.ones(3), "one value per draw")])
def test_predictive_draws_refuses_bad_noise(belief, noise_sd, message):
    with pytest.raises(ValueError, match=message):
        sampling.predictive_draws(np.random.default_rng(0), np.zeros((2, 5, 2)), np.zeros(4), noise_sd)


def test_band_of_independent_draws_has_textbook_standard_errors(belief):
    tree, weights = fake_idata(np.random.default_rng(3), belief)
    x = np.linspace(-1, 1, 7)
    band = sampling.band_from_draws(sampling.line_draws(weights, x))
    exact_mean, exact_sd = conjugate.predictive(belief, data.design_matrix(x))
    n = weights.shape[0] * weights.shape[1]
    # for independent draws the MCSE is sd / sqrt(n) for the mean and about sd / sqrt(2n) for the sd
    np.testing.assert_allclose(band.mcse_mean, exact_sd / np.sqrt(n), rtol=0.15)
    np.testing.assert_allclose(band.mcse_sd, exact_sd / np.sqrt(2 * n), rtol=0.2)
    checks.assert_band_matches(band, exact_mean, exact_sd)


def test_band_check_catches_a_wrong_sd(belief):
    _, weights = fake_idata(np.random.default_rng(4), belief)
    x = np.linspace(-1, 1, 7)
    band = sampling.band_from_draws(sampling.line_draws(weights, x))
    exact_mean, exact_sd = conjugate.predictive(belief, data.design_matrix(x))
    with pytest.raises(AssertionError, match="band sd"):
        checks.assert_band_matches(band, exact_mean, 1.1 * exact_sd)
    with pytest.raises(AssertionError, match="band mean"):
        checks.assert_band_matches(band, exact_mean + 0.05, exact_sd)


def test_band_from_draws_needs_chains():
    with pytest.raises(ValueError, match="at least 2 chains"):
        sampling.band_from_draws(np.zeros((1, 100, 3)))


def test_interval_from_draws_covers_the_right_mass():
    values = np.random.default_rng(5).normal(size=(4, 25_000, 2))
    lower, upper = sampling.interval_from_draws(values, 0.95)
    np.testing.assert_allclose(lower, -1.96, atol=0.05)
    np.testing.assert_allclose(upper, 1.96, atol=0.05)
    with pytest.raises(ValueError, match="prob"):
        sampling.interval_from_draws(values, 1.0)


def test_effective_sizes_of_independent_draws_are_near_n(belief):
    tree, _ = fake_idata(np.random.default_rng(6), belief)
    sizes = sampling.effective_sizes(tree, ["w_b", "w_m"])
    assert sizes.shape == (2,)
    assert np.all((sizes > 3000) & (sizes < 5000)), sizes
    assert sampling.effective_sizes(tree, ["w"]).shape == (2,)


def test_fits_agree_and_disagree(belief):
    first, _ = fake_idata(np.random.default_rng(7), belief)
    second, _ = fake_idata(np.random.default_rng(8), belief, names=("Intercept", "x"))
    gaps = checks.assert_fits_agree(first, second, ["w_b", "w_m"], ["Intercept", "x"])
    assert gaps.shape == (2,)
    shifted = conjugate.Gaussian(belief.mean + 3 * belief.sd / np.sqrt(1000), belief.cov)
    third, _ = fake_idata(np.random.default_rng(9), shifted)
    with pytest.raises(AssertionError, match="combined MCSE"):
        checks.assert_fits_agree(first, third, ["w_b", "w_m"])
    with pytest.raises(ValueError, match="pair up"):
        checks.assert_fits_agree(first, second, ["w_b", "w_m"], ["x"])
