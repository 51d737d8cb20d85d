"""Tests of bayes_linreg.shrinkage: ridge and lasso posterior modes, the penalty mappings, the certificate."""

import numpy as np
import pytest
from sklearn.linear_model import Lasso, Ridge

from bayes_linreg import shrinkage


def _problem(rng, n=60, p=6):
    x = rng.normal(size=(n, p)) @ np.linalg.cholesky(0.5 * np.eye(p) + 0.5).T
    x -= x.mean(axis=0)
    w = np.zeros(p)
    w[:2] = [1.5, -1.0]
    y = x @ w + rng.normal(0, 1.0, n)
    return x, y - y.mean()


def test_gaussian_map_solves_the_normal_equations(rng):
    x, y = _problem(rng)
    w = shrinkage.gaussian_map(x, y, noise_sd=1.3, prior_sd=0.4)
    a = 1.3**2 / 0.4**2
    # The gradient of the objective vanishes at the mode.
    np.testing.assert_allclose(x.T @ (x @ w - y) + a * w, 0, atol=1e-9)
    # Augmented least squares: rows sqrt(a) I with response 0.
    aug = np.vstack([x, np.sqrt(a) * np.eye(x.shape[1])])
    ref = np.linalg.lstsq(aug, np.concatenate([y, np.zeros(x.shape[1])]), rcond=None)[0]
    np.testing.assert_allclose(w, ref, rtol=1e-9, atol=1e-12)


def test_gaussian_map_is_sklearn_ridge(rng):
    x, y = _problem(rng)
    w = shrinkage.gaussian_map(x, y, noise_sd=0.8, prior_sd=0.3)
    ref = Ridge(alpha=shrinkage.ridge_penalty(0.8, 0.3), fit_intercept=False, solver="cholesky").fit(x, y).coef_
    np.testing.assert_allclose(w, ref, rtol=1e-8, atol=1e-10)


def test_laplace_map_orthogonal_design_is_soft_thresholding(rng):
    # With X^T X = n I the mode is soft-thresholding of the least-squares fit at noise_sd^2 / (n scale).
    n, p = 40, 5
    q, _ = np.linalg.qr(rng.normal(size=(n, p)))
    x = q * np.sqrt(n)
    y = rng.normal(size=n)
    noise_sd, scale = 0.9, 0.05
    ols = x.T @ y / n
    cut = noise_sd**2 / (n * scale)
    expected = np.sign(ols) * np.maximum(np.abs(ols) - cut, 0)
    w = shrinkage.laplace_map(x, y, noise_sd, scale)
    np.testing.assert_allclose(w, expected, atol=1e-12)
    assert np.all(w[expected == 0] == 0)


def test_laplace_map_is_optimal_and_matches_sklearn_lasso(rng):
    x, y = _problem(rng)
    noise_sd, scale = 1.0, 0.05
    w = shrinkage.laplace_map(x, y, noise_sd, scale)
    assert shrinkage.laplace_optimality_gap(x, y, w, noise_sd, scale) < 1e-9
    assert shrinkage.laplace_distance_bound(x, y, w, noise_sd, scale) < 1e-9
    a = shrinkage.lasso_penalty(noise_sd, scale, x.shape[0])
    ref = Lasso(alpha=a, fit_intercept=False, tol=1e-14, max_iter=1_000_000).fit(x, y).coef_
    np.testing.assert_allclose(w, ref, atol=1e-8)
    # Any other point has a larger objective.
    other = w + rng.normal(0, 1e-3, w.size)
    assert shrinkage.laplace_neg_log_posterior(x, y, other, noise_sd, scale) > shrinkage.laplace_neg_log_posterior(
        x, y, w, noise_sd, scale
    )


def test_optimality_gap_flags_a_planted_error(rng):
    x, y = _problem(rng)
    w = shrinkage.laplace_map(x, y, 1.0, 0.05)
    wrong = w.copy()
    wrong[0] += 0.01
    assert shrinkage.laplace_optimality_gap(x, y, wrong, 1.0, 0.05) > 0.1
    # The distance bound covers the planted error.
    assert shrinkage.laplace_distance_bound(x, y, wrong, 1.0, 0.05) >= 0.01 * (1 - 1e-9)


def test_penalties():
    assert shrinkage.ridge_penalty(2.0, 0.5) == pytest.approx(16.0)
    assert shrinkage.lasso_penalty(2.0, 0.25, 200) == pytest.approx(0.08)


def test_objectives_at_zero():
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([1.0, 2.0])
    assert shrinkage.gaussian_neg_log_posterior(x, y, [0, 0], 1.0, 1.0) == pytest.approx(2.5)
    assert shrinkage.laplace_neg_log_posterior(x, y, [1, 0], 1.0, 0.5) == pytest.approx(2.0 + 2.0)


@pytest.mark.parametrize(
    "call",
    [
        lambda x, y: shrinkage.gaussian_map(x, y[:-1], 1.0, 1.0),
        lambda x, y: shrinkage.gaussian_map(x, y, 0.0, 1.0),
        lambda x, y: shrinkage.gaussian_map(x, y, 1.0, np.nan),
        lambda x, y: shrinkage.laplace_map(np.where(np.eye(*x.shape, dtype=bool), np.nan, x), y, 1.0, 1.0),
        lambda x, y: shrinkage.laplace_map(np.c_[x, np.zeros(len(y))], y, 1.0, 1.0),
        lambda x, y: shrinkage.laplace_map(x, y, 1.0, -1.0),
        lambda x, y: shrinkage.laplace_optimality_gap(x, y, np.zeros(x.shape[1] + 1), 1.0, 1.0),
        lambda x, y: shrinkage.lasso_penalty(1.0, 1.0, 0),
        lambda x, y: shrinkage.laplace_distance_bound(np.c_[x, x[:, 0]], y, np.zeros(x.shape[1] + 1), 1.0, 1.0),
    ],
)
def test_bad_input_raises(call):
    rng = np.random.default_rng(0)
    x, y = _problem(rng)
    with pytest.raises(ValueError):
        call(x, y)


def test_no_convergence_raises():
    rng = np.random.default_rng(1)
    x, y = _problem(rng)
    with pytest.raises(RuntimeError):
        shrinkage.laplace_map(x, y, 1.0, 10.0, tol=1e-300, max_sweeps=2)
