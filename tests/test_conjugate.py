"""The closed-form posterior and predictive, checked against independent routes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bayes_linreg import conjugate, data

TRUE_WEIGHTS = np.array([2.0, 0.3])


@pytest.fixture
def demo():
    rng = np.random.default_rng(0)
    x, y = data.demo_data(rng)
    return data.design_matrix(x), y


def test_one_point_at_a_time_equals_batch(demo):
    phi, y = demo
    prior = conjugate.isotropic_prior(2, 1.0)
    batch = conjugate.posterior(phi, y, 0.1, prior)
    belief = prior
    for row, value in zip(phi, y):
        belief = conjugate.update(belief, row, value, 0.1)
    np.testing.assert_allclose(belief.mean, batch.mean, rtol=1e-10)
    np.testing.assert_allclose(belief.cov, batch.cov, rtol=1e-9)


def test_very_wide_prior_gives_least_squares(demo):
    phi, y = demo
    wide = conjugate.posterior(phi, y, 0.1, conjugate.isotropic_prior(2, 1e6))
    least_squares, *_ = np.linalg.lstsq(phi, y, rcond=None)
    np.testing.assert_allclose(wide.mean, least_squares, rtol=1e-8)
    np.testing.assert_allclose(wide.cov, 0.1**2 * np.linalg.pinv(phi.T @ phi), rtol=1e-6)


def test_isotropic_prior_mean_is_ridge_regression(demo):
    """With prior N(0, s^2 I) the posterior mean solves ridge regression with penalty sigma^2 / s^2,
    computed here as least squares on the augmented system [phi; sqrt(lambda) I] w = [y; 0]."""
    phi, y = demo
    sd_w, noise_sd = 0.2, 0.1
    post = conjugate.posterior(phi, y, noise_sd, conjugate.isotropic_prior(2, sd_w))
    augmented = np.vstack([phi, noise_sd / sd_w * np.eye(2)])
    ridge, *_ = np.linalg.lstsq(augmented, np.concatenate([y, np.zeros(2)]), rcond=None)
    np.testing.assert_allclose(post.mean, ridge, rtol=1e-10)


def test_no_data_leaves_the_prior_unchanged():
    prior = conjugate.Gaussian(np.array([1.0, -1.0]), np.array([[2.0, 0.3], [0.3, 0.5]]))
    post = conjugate.posterior(np.zeros((0, 2)), np.zeros(0), 0.5, prior)
    np.testing.assert_allclose(post.mean, prior.mean)
    np.testing.assert_allclose(post.cov, prior.cov)


def test_predictive_variance_formula(demo):
    phi, y = demo
    post = conjugate.posterior(phi, y, 0.1, conjugate.isotropic_prior(2, 1.0))
    x_new = np.array([-3.0, 0.0, 0.5])
    phi_new = data.design_matrix(x_new)
    mean, sd_line = conjugate.predictive(post, phi_new)
    _, sd_y = conjugate.predictive(post, phi_new, noise_sd=0.1)
    for i, row in enumerate(phi_new):
        assert mean[i] == pytest.approx(row @ post.mean)
        assert sd_line[i] ** 2 == pytest.approx(row @ post.cov @ row)
        assert sd_y[i] ** 2 == pytest.approx(row @ post.cov @ row + 0.01)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=30),
    degree=st.integers(min_value=1, max_value=4),
    prior_sd=st.floats(min_value=0.05, max_value=50),
    noise_sd=st.floats(min_value=0.01, max_value=10),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_posterior_shapes_symmetry_and_positive_definiteness(n, degree, prior_sd, noise_sd, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    phi = data.design_matrix(x, degree)
    y = rng.normal(size=n)
    post = conjugate.posterior(phi, y, noise_sd, conjugate.isotropic_prior(degree + 1, prior_sd))
    assert post.mean.shape == (degree + 1,)
    assert post.cov.shape == (degree + 1, degree + 1)
    np.testing.assert_array_equal(post.cov, post.cov.T)
    assert np.all(np.linalg.eigvalsh(post.cov) > 0)
    # Data never add uncertainty: each marginal variance is at most the prior's.
    assert np.all(np.diag(post.cov) <= prior_sd**2 * (1 + 1e-9))


@pytest.mark.parametrize(
    ("phi", "y", "noise_sd", "message"),
    [
        (np.ones((3, 2)), np.ones(4), 0.1, "lengths must match"),
        (np.ones((3, 2)), np.ones(3), 0.0, "noise_sd must be positive"),
        (np.ones((3, 2)), np.ones(3), -1.0, "noise_sd must be positive"),
        (np.ones((3, 2)), np.array([1.0, np.nan, 2.0]), 0.1, "y contains NaN"),
        (np.array([[1.0, np.inf], [1.0, 0.0]]), np.ones(2), 0.1, "phi contains NaN or infinite"),
        (np.ones((3, 3)), np.ones(3), 0.1, "3 columns but the prior is over 2 weights"),
        (np.ones(3), np.ones(3), 0.1, "phi must be 2-dimensional"),
    ],
)
def test_bad_input_to_posterior(phi, y, noise_sd, message):
    with pytest.raises(ValueError, match=message):
        conjugate.posterior(phi, y, noise_sd, conjugate.isotropic_prior(2, 1.0))


@pytest.mark.parametrize(
    ("cov", "message"),
    [
        (np.array([[1.0, 2.0], [2.0, 1.0]]), "not positive definite"),
        (np.array([[1.0, 0.1], [0.0, 1.0]]), "must be symmetric"),
        (np.array([[-1.0, 0.0], [0.0, 1.0]]), "not positive definite"),
        (np.eye(3), r"shape \(2, 2\)"),
    ],
)
def test_bad_prior_covariance(cov, message):
    with pytest.raises(ValueError, match=message):
        conjugate.Gaussian(np.zeros(2), cov)


def test_bad_prior_scale():
    with pytest.raises(ValueError, match="sd must be positive"):
        conjugate.isotropic_prior(2, 0.0)


def test_predictive_refuses_mismatched_features():
    post = conjugate.isotropic_prior(2, 1.0)
    with pytest.raises(ValueError, match="3 columns"):
        conjugate.predictive(post, np.ones((4, 3)))
