"""Data simulation, weight draws and the checks module."""

import numpy as np
import pytest

from bayes_linreg import checks, conjugate, data, draws


def test_design_matrix_columns():
    phi = data.design_matrix(np.array([2.0, -1.0]), degree=3)
    np.testing.assert_array_equal(phi, [[1, 2, 4, 8], [1, -1, 1, -1]])


@pytest.mark.parametrize("degree", [0, -1, 1.5, True])
def test_design_matrix_refuses_bad_degree(degree):
    with pytest.raises(ValueError, match="degree must be a positive integer"):
        data.design_matrix(np.zeros(3), degree)


def test_simulated_noise_has_the_requested_sd():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, 50_000)
    y = data.simulate_line(rng, x, 2.0, 0.3, 0.1)
    residuals = y - (2.0 + 0.3 * x)
    # sd of a sample sd is about sd / sqrt(2n)
    assert abs(residuals.std() - 0.1) < 4 * 0.1 / np.sqrt(2 * x.size)
    assert abs(residuals.mean()) < 4 * 0.1 / np.sqrt(x.size)


def test_demo_data_follows_the_series():
    x, y = data.demo_data(np.random.default_rng(3))
    assert x.shape == y.shape == (11,)
    assert np.all((-1 <= x) & (x < 1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"noise_sd": 0.0}, "noise_sd must be positive"),
        ({"noise_sd": np.nan}, "noise_sd contains NaN"),
        ({"weights": [1.0]}, "intercept and at least one slope"),
        ({"x": np.array([0.0, np.nan])}, "x contains NaN"),
    ],
)
def test_simulate_refuses_bad_input(kwargs, message):
    arguments = {"x": np.zeros(2), "weights": [1.0, 2.0], "noise_sd": 1.0} | kwargs
    with pytest.raises(ValueError, match=message):
        data.simulate_polynomial(np.random.default_rng(0), **arguments)


def test_sample_weights_uses_the_cholesky_factor():
    """A correlated, non-unit covariance is reproduced; the post's `z @ V` recipe would give V @ V."""
    belief = conjugate.Gaussian(np.array([1.0, -2.0]), np.array([[0.04, -0.018], [-0.018, 0.0225]]))
    samples = draws.sample_weights(np.random.default_rng(2), belief, 100_000)
    checks.assert_draws_match(samples, belief)
    with pytest.raises(AssertionError, match="covariance"):
        checks.assert_draws_match(samples, conjugate.Gaussian(belief.mean, belief.cov @ belief.cov))


def test_sample_weights_refuses_bad_size():
    with pytest.raises(ValueError, match="size must be a positive integer"):
        draws.sample_weights(np.random.default_rng(0), conjugate.isotropic_prior(2, 1.0), 0)


def test_line_values():
    values = draws.line_values(np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([0.0, 1.0, 2.0]))
    np.testing.assert_array_equal(values, [[1, 3, 5], [0, -1, -2]])
    with pytest.raises(ValueError, match="at least two columns"):
        draws.line_values(np.ones((3, 1)), np.zeros(2))


def test_assert_truth_recovered_catches_a_wrong_truth():
    belief = conjugate.Gaussian(np.array([2.0, 0.3]), np.diag([0.03**2, 0.05**2]))
    prior = conjugate.isotropic_prior(2, 1.0)
    checks.assert_truth_recovered(belief, [2.01, 0.28], prior)
    with pytest.raises(AssertionError, match="intercept = 2.5 lies outside"):
        checks.assert_truth_recovered(belief, [2.5, 0.3], prior)


def test_assert_draws_match_catches_a_shifted_mean():
    belief = conjugate.isotropic_prior(2, 1.0)
    samples = draws.sample_weights(np.random.default_rng(5), belief, 10_000)
    with pytest.raises(AssertionError, match="sample mean"):
        checks.assert_draws_match(samples + 0.1, belief)


def test_central_interval_refuses_bad_probability():
    with pytest.raises(ValueError, match="prob"):
        checks.central_interval(conjugate.isotropic_prior(2, 1.0), 1.5)
