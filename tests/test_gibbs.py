"""The Gibbs samplers of bayes_linreg.gibbs: exactness against the closed form, mixing, bad input."""

import numpy as np
import pytest

from bayes_linreg import checks, conjugate, data, gibbs


@pytest.fixture
def demo():
    rng = np.random.default_rng(3)
    x, y = data.demo_data(rng)
    return data.design_matrix(x), y


PRIOR = conjugate.isotropic_prior(2, 1.0)


def test_toy_path_moves_one_coordinate_per_step():
    path = gibbs.gibbs_gaussian_2d(np.random.default_rng(0), [0, 0], [[1, 0.5], [0.5, 1]], [3, -3], 10)
    assert path.shape == (11, 2)
    np.testing.assert_array_equal(path[0], [3, -3])
    steps = np.diff(path, axis=0) != 0
    assert np.all(steps.sum(axis=1) == 1), "exactly one coordinate changes per step"
    assert np.all(steps[::2, 0]) and np.all(steps[1::2, 1]), "x first, then y, alternating"


def test_toy_draws_follow_the_target():
    cov = np.array([[1.0, 0.5], [0.5, 1.0]])
    path = gibbs.gibbs_gaussian_2d(np.random.default_rng(1), [1.0, -1.0], cov, [1.0, -1.0], 40_000)
    draws = path[2::2]  # one draw per full sweep
    # Per sweep each coordinate is AR(1) with coefficient rho**2: ESS = n (1 - rho**2) / (1 + rho**2).
    rho2 = 0.25
    n_eff = draws.shape[0] * (1 - rho2) / (1 + rho2)
    checks.assert_draws_match(draws, conjugate.Gaussian(np.array([1.0, -1.0]), cov), n_eff=n_eff)


def test_known_noise_gibbs_matches_the_closed_form(demo):
    phi, y = demo
    exact = conjugate.posterior(phi, y, 0.1, PRIOR)
    draws = gibbs.gibbs_regression(np.random.default_rng(2), phi, y, 0.1, PRIOR, 3000)
    assert draws.shape == (4, 3000, 2)
    rho2 = exact.corr[0, 1] ** 2
    n_eff = draws.shape[0] * draws.shape[1] * (1 - rho2) / (1 + rho2)
    checks.assert_draws_match(draws.reshape(-1, 2), exact, n_eff=n_eff)


def test_full_conditional_is_a_one_weight_conjugate_regression(demo):
    phi, y = demo
    prior_precision, prior_shift, gram, phi_y = gibbs.precision_form(phi, y, PRIOR)
    weights = np.array([[1.5, -0.2]])
    mean, sd = gibbs.weight_conditional(prior_precision + gram / 0.01, prior_shift + phi_y / 0.01, weights, 1)
    # Slope given the intercept: regress y - w_b on x with the slope's own prior N(0, 1).
    one = conjugate.posterior(phi[:, [1]], y - weights[0, 0], 0.1, conjugate.isotropic_prior(1, 1.0))
    np.testing.assert_allclose(mean, one.mean, rtol=1e-10)
    np.testing.assert_allclose(sd, one.sd, rtol=1e-10)


def test_unknown_noise_gibbs_recovers_the_noise(demo):
    phi, y = demo
    weights, sigma2 = gibbs.gibbs_regression_unknown_noise(np.random.default_rng(4), phi, y, PRIOR, 2.0, 0.02, 2000)
    assert weights.shape == (4, 2000, 2) and sigma2.shape == (4, 2000)
    assert np.all(sigma2 > 0)
    # The conditional posterior of w given sigma^2 = 0.01 is close to the marginal one; sigma is near 0.1.
    assert 0.05 < np.sqrt(np.median(sigma2)) < 0.2
    exact = conjugate.posterior(phi, y, 0.1, PRIOR)
    assert np.all(np.abs(weights.reshape(-1, 2).mean(0) - exact.mean) < 4 * exact.sd)


def test_unknown_noise_gibbs_with_a_huge_noise_prior_returns_prior_like_noise():
    # With no data worth the name the noise variance follows its inverse-gamma prior: mean b/(a-1).
    phi = data.design_matrix(np.array([0.0]))
    weights, sigma2 = gibbs.gibbs_regression_unknown_noise(
        np.random.default_rng(5), phi, np.array([0.0]), conjugate.isotropic_prior(2, 1e-3), 50.0, 49.0, 4000
    )
    assert abs(sigma2.mean() - 1.0) < 0.05


def test_to_datatree_gives_arviz_diagnostics(demo):
    import arviz as az

    phi, y = demo
    weights, sigma2 = gibbs.gibbs_regression_unknown_noise(np.random.default_rng(6), phi, y, PRIOR, 2.0, 0.02, 500)
    tree = gibbs.to_datatree(weights, noise_var=sigma2)
    assert set(tree["posterior"].data_vars) == {"intercept", "slope", "sigma2", "sigma"}
    assert float(az.rhat(tree)["slope"]) < 1.05


def test_start_is_used_and_reproducible(demo):
    phi, y = demo
    a = gibbs.gibbs_regression(np.random.default_rng(7), phi, y, 0.1, PRIOR, 5, n_tune=0, start=[10.0, 10.0])
    b = gibbs.gibbs_regression(np.random.default_rng(7), phi, y, 0.1, PRIOR, 5, n_tune=0, start=[10.0, 10.0])
    np.testing.assert_array_equal(a, b)
    # After one sweep from far away the slope is drawn given w_b near 2 and sits near the data.
    assert np.all(np.abs(a[:, -1] - [2.0, 0.3]) < 1.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"noise_sd": 0.0}, "noise_sd must be positive"),
        ({"noise_sd": -1.0}, "noise_sd must be positive"),
        ({"noise_sd": np.nan}, "noise_sd contains NaN"),
        ({"y": np.ones(3)}, "lengths must match"),
        ({"phi": np.ones((11, 3))}, "3 columns"),
        ({"phi": np.ones(11)}, "phi must be 2-dimensional"),
        ({"y": np.full(11, np.nan)}, "y contains NaN"),
        ({"n_draws": 0}, "n_draws must be a positive integer"),
        ({"n_tune": -1}, "n_tune must be a non-negative integer"),
        ({"start": [1.0, 2.0, 3.0]}, "start must have shape"),
    ],
)
def test_known_noise_bad_input(demo, kwargs, message):
    phi, y = demo
    args = {"phi": phi, "y": y, "noise_sd": 0.1, "prior": PRIOR, "n_draws": 10} | kwargs
    with pytest.raises(ValueError, match=message):
        gibbs.gibbs_regression(np.random.default_rng(0), **args)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"noise_shape": 0.0}, "noise_shape must be positive"),
        ({"noise_scale": -0.1}, "noise_scale must be positive"),
        ({"y": np.ones(5)}, "lengths must match"),
        ({"start": np.ones((3, 2))}, "start must have shape"),
    ],
)
def test_unknown_noise_bad_input(demo, kwargs, message):
    phi, y = demo
    args = {"phi": phi, "y": y, "prior": PRIOR, "noise_shape": 2.0, "noise_scale": 0.02, "n_draws": 10} | kwargs
    with pytest.raises(ValueError, match=message):
        gibbs.gibbs_regression_unknown_noise(np.random.default_rng(0), **args)


def test_bad_prior_scale_is_refused():
    with pytest.raises(ValueError, match="sd must be positive"):
        conjugate.isotropic_prior(2, 0.0)
    with pytest.raises(ValueError, match="not positive definite"):
        conjugate.Gaussian(np.zeros(2), np.array([[1.0, 0.0], [0.0, -1.0]]))


@pytest.mark.parametrize(
    "args, message",
    [
        (([0, 0, 0], np.eye(2), [0, 0], 5), "mean must have shape"),
        (([0, 0], np.array([[1.0, 2.0], [2.0, 1.0]]), [0, 0], 5), "not positive definite"),
        (([0, 0], np.eye(2), [0, np.nan], 5), "start contains NaN"),
        (([0, 0], np.eye(2), [0, 0], 0), "n_steps must be a positive integer"),
    ],
)
def test_toy_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        gibbs.gibbs_gaussian_2d(np.random.default_rng(0), *args)


def test_to_datatree_bad_input():
    with pytest.raises(ValueError, match="names"):
        gibbs.to_datatree(np.zeros((2, 5, 2)), names=["a"])
    with pytest.raises(ValueError, match="noise_var has shape"):
        gibbs.to_datatree(np.zeros((2, 5, 2)), noise_var=np.ones((2, 4)))
