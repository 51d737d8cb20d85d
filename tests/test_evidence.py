"""bayes_linreg.evidence: the log evidence against scipy's multivariate normal, Bishop's eq. 3.86 and
numerical integration; the re-estimation's fixed point against its defining equations, the evidence's
gradient and scikit-learn's BayesianRidge; exact leave-one-out against the one-inverse shortcut; bad input."""

import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import BayesianRidge

from bayes_linreg import conjugate, evidence


def random_problem(rng, n=12, k=3):
    """A design with unequal column scales, targets from a random line plus noise, and random precisions."""
    phi = rng.standard_normal((n, k)) * rng.uniform(0.3, 3.0, size=k)
    t = phi @ rng.standard_normal(k) + rng.normal(scale=0.5, size=n)
    return phi, t, float(rng.uniform(0.1, 5.0)), float(rng.uniform(0.5, 20.0))


def bishop_386(phi, t, alpha, beta):
    """Bishop's eq. 3.86 with an explicit inverse (a third route, for the tests only)."""
    n, k = phi.shape
    a = alpha * np.eye(k) + beta * phi.T @ phi
    m = beta * np.linalg.inv(a) @ phi.T @ t
    e = beta / 2 * np.sum((t - phi @ m) ** 2) + alpha / 2 * m @ m
    return k / 2 * np.log(alpha) + n / 2 * np.log(beta) - e - 0.5 * np.linalg.slogdet(a)[1] - n / 2 * np.log(2 * np.pi)


def sine_data(rng, n=50):
    """Bishop's synthetic data: t = sin(2 pi x) + N(0, 0.3^2) at n evenly spaced x in [0, 1]."""
    x = np.linspace(0, 1, n)
    return x, np.sin(2 * np.pi * x) + rng.normal(scale=0.3, size=n)


@pytest.mark.parametrize("shape", [(12, 3), (5, 8), (6, 6), (30, 1)])
def test_log_evidence_is_the_marginal_density_of_t(rng, shape):
    phi, t, alpha, beta = random_problem(rng, *shape)
    cov = np.eye(shape[0]) / beta + phi @ phi.T / alpha
    expected = stats.multivariate_normal(np.zeros(shape[0]), cov).logpdf(t)
    assert np.isclose(evidence.log_evidence(phi, t, alpha, beta), expected, rtol=1e-10, atol=1e-10)
    assert np.isclose(evidence.log_evidence(phi, t, alpha, beta), bishop_386(phi, t, alpha, beta), rtol=1e-9)


def test_log_evidence_of_a_polynomial_that_interpolates(rng):
    """Degree 9 through 10 points: Phi is square and ill-conditioned, the residual outside its span is empty."""
    x, t = sine_data(rng, n=10)
    phi = np.vander(x, 10, increasing=True)
    cov = np.eye(10) / 11.1 + phi @ phi.T / 5e-3
    expected = stats.multivariate_normal(np.zeros(10), cov).logpdf(t)
    assert np.isclose(evidence.log_evidence(phi, t, 5e-3, 11.1), expected, rtol=1e-9)


@pytest.mark.parametrize("k", [1, 2])
def test_log_evidence_agrees_with_numerical_integration(rng, k):
    phi, t, alpha, beta = random_problem(rng, n=9, k=k)
    closed = evidence.log_evidence(phi, t, alpha, beta)
    assert np.isclose(evidence.log_evidence_quadrature(phi, t, alpha, beta), closed, rtol=1e-9, atol=1e-9)


def test_quadrature_notices_a_wrong_closed_form(rng):
    """The integral is an independent judge: it tells log evidence at beta from log evidence at 1.01 beta."""
    phi, t, alpha, beta = random_problem(rng, n=9, k=1)
    wrong = evidence.log_evidence(phi, t, alpha, 1.01 * beta)
    assert not np.isclose(evidence.log_evidence_quadrature(phi, t, alpha, beta), wrong, rtol=1e-6, atol=1e-6)


def test_quadrature_refuses_three_weights(rng):
    phi, t, alpha, beta = random_problem(rng, k=3)
    with pytest.raises(ValueError, match="one or two weights"):
        evidence.log_evidence_quadrature(phi, t, alpha, beta)


def test_posterior_mean_solves_the_normal_equations_and_matches_conjugate(rng):
    phi, t, alpha, beta = random_problem(rng)
    m = evidence.posterior_mean(phi, t, alpha, beta)
    np.testing.assert_allclose((alpha * np.eye(3) + beta * phi.T @ phi) @ m, beta * phi.T @ t, rtol=1e-9)
    prior = conjugate.isotropic_prior(3, 1 / np.sqrt(alpha))
    np.testing.assert_allclose(m, conjugate.posterior(phi, t, 1 / np.sqrt(beta), prior).mean, rtol=1e-9)


def test_gamma_is_m_minus_alpha_trace_of_the_posterior_covariance(rng):
    """Bishop's identity gamma = M - alpha Tr(S_N), and 0 <= gamma <= M."""
    phi, t, alpha, beta = random_problem(rng, n=6, k=4)
    gamma = evidence.effective_parameters(phi, alpha, beta)
    s_n = np.linalg.inv(alpha * np.eye(4) + beta * phi.T @ phi)
    assert np.isclose(gamma, 4 - alpha * np.trace(s_n), rtol=1e-10)
    assert 0 <= gamma <= 4


def test_reestimate_finds_the_stationary_point_of_the_evidence(rng):
    """At the fixed point Bishop's equations hold and the log evidence is flat in log alpha and log beta."""
    x, t = sine_data(rng)
    phi = np.vander(x, 4, increasing=True)
    fit = evidence.reestimate(phi, t, alpha=5e-3, beta=11.1)
    m = evidence.posterior_mean(phi, t, fit.alpha, fit.beta)
    np.testing.assert_allclose(fit.weights, m, rtol=1e-9)
    assert np.isclose(fit.gamma, evidence.effective_parameters(phi, fit.alpha, fit.beta), rtol=1e-12)
    assert np.isclose(fit.alpha, fit.gamma / (m @ m), rtol=1e-10)
    assert np.isclose(fit.beta, (t.size - fit.gamma) / np.sum((t - phi @ m) ** 2), rtol=1e-10)
    h = 1e-4
    for da, db in [(h, 0), (0, h)]:
        up = evidence.log_evidence(phi, t, fit.alpha * np.exp(da), fit.beta * np.exp(db))
        down = evidence.log_evidence(phi, t, fit.alpha * np.exp(-da), fit.beta * np.exp(-db))
        assert abs(up - down) / (2 * h) < 1e-6, (da, db, (up - down) / (2 * h))
        # ... and a maximum, not a saddle, along each axis
        assert up < fit.log_evidence and down < fit.log_evidence


def test_reestimate_agrees_with_scikit_learn(rng):
    x, t = sine_data(rng)
    phi = np.vander(x, 10, increasing=True)
    fit = evidence.reestimate(phi, t, alpha=5e-3, beta=11.1)
    peer = BayesianRidge(
        alpha_1=0,
        alpha_2=0,
        lambda_1=0,
        lambda_2=0,
        fit_intercept=False,
        tol=1e-10,
        max_iter=10_000,
        compute_score=True,
        alpha_init=11.1,
        lambda_init=5e-3,
    ).fit(phi, t)
    assert peer.n_iter_ < 10_000, "scikit-learn did not converge"
    assert np.isclose(peer.lambda_, fit.alpha, rtol=1e-7)
    assert np.isclose(peer.alpha_, fit.beta, rtol=1e-7)
    np.testing.assert_allclose(peer.coef_, fit.weights, rtol=1e-6, atol=1e-7 * np.abs(fit.weights).max())
    assert np.isclose(peer.scores_[-1], fit.log_evidence, rtol=1e-8)


def test_reestimate_refuses_a_runaway_alpha():
    """Targets orthogonal to the only column: the posterior mean is 0, alpha = gamma / 0 has no finite value."""
    phi, t = np.ones((4, 1)), np.array([1.0, -1.0, 1.0, -1.0])
    with pytest.raises(ValueError, match="no interior fixed point"):
        evidence.reestimate(phi, t, alpha=1.0, beta=1.0)


def test_reestimate_refuses_a_slow_runaway():
    """A tiny constant in the targets: alpha keeps growing step after step and is stopped, named."""
    phi, t = np.ones((4, 1)), np.array([1.0, -1.0, 1.0, -1.0]) + 1e-3
    with pytest.raises(ValueError, match="alpha ran off"):
        evidence.reestimate(phi, t, alpha=1.0, beta=1.0)


def test_reestimate_says_when_it_did_not_converge(rng):
    x, t = sine_data(rng)
    with pytest.raises(ValueError, match="did not converge"):
        evidence.reestimate(np.vander(x, 4, increasing=True), t, alpha=5e-3, beta=11.1, max_iter=2)


def test_loo_refits_agree_with_the_one_inverse_shortcut(rng):
    """For a Gaussian, log p(t_n | t_-n) follows from G = C^-1: mean t_n - (G t)_n / G_nn, variance 1 / G_nn."""
    phi, t, alpha, beta = random_problem(rng, n=10, k=4)
    g = np.linalg.inv(np.eye(10) / beta + phi @ phi.T / alpha)
    var = 1 / np.diag(g)
    mean = t - (g @ t) * var
    shortcut = stats.norm(mean, np.sqrt(var)).logpdf(t)
    np.testing.assert_allclose(evidence.loo_log_predictive(phi, t, alpha, beta), shortcut, rtol=1e-9)


def test_loo_notices_a_point_left_in(rng):
    """Scoring a point with a fit that saw it is optimistic: the refit value is lower for every point here."""
    phi, t, alpha, beta = random_problem(rng, n=10, k=4)
    a = alpha * np.eye(4) + beta * phi.T @ phi
    m = beta * np.linalg.solve(a, phi.T @ t)
    var = 1 / beta + np.einsum("ij,jk,ik->i", phi, np.linalg.inv(a), phi)
    in_sample = stats.norm(phi @ m, np.sqrt(var)).logpdf(t)
    assert np.sum(evidence.loo_log_predictive(phi, t, alpha, beta)) < np.sum(in_sample)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: evidence.log_evidence(np.ones((3, 2)), np.ones(4), 1.0, 1.0), "lengths must match"),
        (lambda: evidence.log_evidence(np.ones((3, 2)), np.ones(3), 0.0, 1.0), "alpha must be positive"),
        (lambda: evidence.log_evidence(np.ones((3, 2)), np.ones(3), 1.0, -2.0), "beta must be positive"),
        (lambda: evidence.log_evidence(np.ones((3, 2)), [1.0, np.nan, 0.0], 1.0, 1.0), "NaN"),
        (lambda: evidence.log_evidence(np.ones(3), np.ones(3), 1.0, 1.0), "2-dimensional"),
        (lambda: evidence.reestimate(np.ones((3, 1)), np.ones(3), 1.0, 1.0, rtol=0.0), "rtol"),
        (lambda: evidence.reestimate(np.ones((3, 1)), np.ones(3), 1.0, 1.0, max_iter=0), "max_iter"),
        (lambda: evidence.loo_log_predictive(np.ones((1, 1)), np.ones(1), 1.0, 1.0), "at least two"),
        (lambda: evidence.effective_parameters(np.ones((3, 1)), np.inf, 1.0), "NaN or infinite"),
    ],
)
def test_bad_input_is_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()
