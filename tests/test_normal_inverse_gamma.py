"""bayes_linreg.normal_inverse_gamma: the unknown-noise closed form, checked against independent routes
(the known-noise posterior at fixed sigma, the normal equations, brute-force quadrature over sigma and
over the scale mixture, simulation from the prior), its limits, and bad input."""

import numpy as np
import pytest
from scipy import integrate, stats

from bayes_linreg import checks, conjugate
from bayes_linreg import normal_inverse_gamma as nig


@pytest.fixture
def prior():
    """The unknown-noise chapter's prior for the demo data."""
    return nig.NormalInverseGamma(np.zeros(2), 100 * np.eye(2), 2.0, 0.02)


@pytest.fixture
def tilted_prior():
    """A prior with a nonzero mean and correlated scale, so that no term of the algebra vanishes."""
    return nig.NormalInverseGamma(np.array([1.5, -0.5]), np.array([[4.0, 1.2], [1.2, 2.0]]), 3.0, 0.5)


def log_prior_sigma_from_invgamma(a, b):
    """log p(sigma) for sigma^2 ~ InvGamma(a, b): change of variables, Jacobian 2 sigma."""
    return lambda s: stats.invgamma.logpdf(s**2, a, scale=b) + np.log(2 * s)


# --- the posterior -------------------------------------------------------------------------------


@pytest.mark.parametrize("sigma", [0.03, 0.1, 0.7, 5.0])
def test_given_sigma_the_weights_follow_the_known_noise_posterior(demo, tilted_prior, sigma):
    """w | sigma^2, y ~ N(mean_N, sigma^2 scale_N): the known-noise reference with prior N(mean, sigma^2 scale)."""
    _, y, phi = demo
    belief = nig.posterior(phi, y, tilted_prior)
    known = conjugate.posterior(phi, y, sigma, conjugate.Gaussian(tilted_prior.mean, sigma**2 * tilted_prior.scale))
    checks.assert_matches_reference("mean", belief.mean, known.mean)
    checks.assert_matches_reference("cov", sigma**2 * belief.scale, known.cov)


def test_posterior_matches_the_normal_equations(demo, tilted_prior):
    """Murphy's (7.70)-(7.73), written out with explicit inverses (fine for a 2 x 2 well-conditioned case)."""
    _, y, phi = demo
    belief = nig.posterior(phi, y, tilted_prior)
    v0_inv = np.linalg.inv(tilted_prior.scale)
    v_n = np.linalg.inv(v0_inv + phi.T @ phi)
    w_n = v_n @ (v0_inv @ tilted_prior.mean + phi.T @ y)
    b_n = tilted_prior.b + 0.5 * (
        y @ y + tilted_prior.mean @ v0_inv @ tilted_prior.mean - w_n @ np.linalg.inv(v_n) @ w_n
    )
    checks.assert_matches_reference("mean", belief.mean, w_n, rtol=1e-12)
    checks.assert_matches_reference("scale", belief.scale, v_n, rtol=1e-12)
    checks.assert_matches_reference("b", belief.b, b_n, rtol=1e-10)
    assert belief.a == tilted_prior.a + y.size / 2


def test_one_point_at_a_time_equals_batch(demo, tilted_prior):
    _, y, phi = demo
    batch = nig.posterior(phi, y, tilted_prior)
    belief = tilted_prior
    for row, value in zip(phi, y, strict=True):
        belief = nig.posterior(row[None, :], np.array([value]), belief)
    for name in ("mean", "scale", "a", "b"):
        checks.assert_matches_reference(name, getattr(belief, name), getattr(batch, name))


def test_no_data_leaves_the_prior_unchanged(tilted_prior):
    belief = nig.posterior(np.empty((0, 2)), np.empty(0), tilted_prior)
    for name in ("mean", "scale", "a", "b"):
        checks.assert_matches_reference(name, getattr(belief, name), getattr(tilted_prior, name))


def test_noise_posterior_matches_quadrature(demo, prior, tilted_prior):
    """sigma's posterior from the closed form (inverse-gamma) and from brute force on a grid agree."""
    _, y, phi = demo
    for p in (prior, tilted_prior):
        belief = nig.posterior(phi, y, p)
        grid = nig.sigma_posterior_on_grid(
            phi,
            y,
            p.mean,
            p.scale,
            log_prior_sigma_from_invgamma(p.a, p.b),
            np.linspace(0, 3, 30001),
            cov_scales_with_noise=True,
        )
        checks.assert_matches_reference("E[sigma]", grid.mean, belief.noise_sd_mean(), rtol=1e-9)
        checks.assert_matches_reference("sd[sigma]", grid.sd, belief.noise_sd_sd(), rtol=1e-7)
        probs = np.array([0.01, 0.025, 0.5, 0.975, 0.99])
        checks.assert_matches_reference("quantiles", grid.quantile(probs), belief.noise_sd_quantile(probs), rtol=1e-6)
        checks.assert_matches_reference(
            "E[sigma^2]", grid.expectation(grid.grid**2), belief.b / (belief.a - 1), rtol=1e-9
        )


def test_noise_sd_moments_are_those_of_the_inverse_gamma(tilted_prior):
    dist = tilted_prior.noise_variance()
    mean = integrate.quad(lambda v: np.sqrt(v) * dist.pdf(v), 0, np.inf)[0]
    checks.assert_matches_reference("E[sigma]", tilted_prior.noise_sd_mean(), mean, rtol=1e-8)
    checks.assert_matches_reference("sd[sigma]", tilted_prior.noise_sd_sd(), np.sqrt(dist.mean() - mean**2), rtol=1e-7)


# --- the Student-t marginals ---------------------------------------------------------------------


def test_weights_marginal_is_the_scale_mixture_of_gaussians(demo, tilted_prior):
    """p(w | y) = integral of N(w; mean_N, s2 scale_N) InvGamma(s2; a_N, b_N) ds2, at a few points."""
    _, y, phi = demo
    belief = nig.posterior(phi, y, tilted_prior)
    marginal = nig.weights_marginal(belief)
    variance = belief.noise_variance()
    sd = np.sqrt(np.diag(belief.b / belief.a * belief.scale))
    for offset in ([0.0, 0.0], [1.0, -0.5], [-2.0, 3.0]):
        w = belief.mean + np.array(offset) * sd
        mixture = integrate.quad(
            lambda s2, w=w: stats.multivariate_normal(belief.mean, s2 * belief.scale).pdf(w) * variance.pdf(s2),
            0,
            np.inf,
            epsabs=0,
            epsrel=1e-12,
            limit=200,
        )[0]
        checks.assert_matches_reference("density", np.exp(marginal.logpdf(w)[0]), mixture, rtol=1e-8)
    # Moments: E[w] = mean_N, Cov = E[sigma^2] scale_N = b / (a - 1) scale_N.
    checks.assert_matches_reference("cov", marginal.cov, belief.b / (belief.a - 1) * belief.scale)
    lower, upper = marginal.interval(0.9)
    half = stats.t.ppf(0.95, 2 * belief.a) * np.sqrt(np.diag(belief.b / belief.a * belief.scale))
    checks.assert_matches_reference(
        "interval", np.stack([lower, upper]), np.stack([belief.mean - half, belief.mean + half])
    )


@pytest.mark.parametrize("noise", [True, False])
def test_predictive_is_the_scale_mixture_of_gaussians(demo, tilted_prior, noise):
    """P(y_new <= q) = integral of Phi((q - loc) / (s sqrt(spread))) InvGamma(s2) ds2, spread with or without + 1."""
    _, y, phi = demo
    belief = nig.posterior(phi, y, tilted_prior)
    phi_new = conjugate.design_matrix(np.array([-3.0, 0.0, 0.4, 2.0]))
    predictive = nig.predictive(belief, phi_new, noise=noise)
    variance = belief.noise_variance()
    for j, row in enumerate(phi_new):
        spread = row @ belief.scale @ row + (1.0 if noise else 0.0)
        for q in (predictive.loc[j] - 2 * predictive.scale[j], predictive.loc[j] + 0.3 * predictive.scale[j]):
            mixture = integrate.quad(
                lambda s2, q=q, j=j, spread=spread: (
                    stats.norm.cdf((q - predictive.loc[j]) / np.sqrt(s2 * spread)) * variance.pdf(s2)
                ),
                0,
                np.inf,
                epsabs=0,
                epsrel=1e-12,
                limit=200,
            )[0]
            checks.assert_matches_reference("cdf", predictive.dist().cdf(q)[j], mixture, rtol=1e-8)
    checks.assert_matches_reference("loc", predictive.loc, phi_new @ belief.mean)
    checks.assert_matches_reference(
        "sd",
        predictive.sd,
        np.sqrt(belief.b / (belief.a - 1) * (np.einsum("ij,jk,ik->i", phi_new, belief.scale, phi_new) + noise)),
    )


def test_draws_from_the_prior_are_calibrated(rng):
    """Simulate sigma^2, w from the prior, then data and one new observation: the truth's PIT under the
    posterior marginals (sigma^2, each weight, the new y) must be uniform. Shares below 0.1, 0.5, 0.9 are
    binomial; 4 quantities x 3 shares at a 1e-6 false-alarm rate together (per seed)."""
    prior = nig.NormalInverseGamma(np.array([0.5, 0.0]), np.array([[2.0, 0.3], [0.3, 1.0]]), 1.5, 0.2)
    n_sims, n_points = 1000, 4
    root = np.linalg.cholesky(prior.scale)
    truth, fits, new = np.empty((n_sims, 4)), [], []
    for k in range(n_sims):
        s2 = prior.b / rng.gamma(prior.a)
        w = prior.mean + np.sqrt(s2) * root @ rng.standard_normal(2)
        phi = conjugate.design_matrix(rng.uniform(-1, 1, n_points + 1))
        y = phi @ w + np.sqrt(s2) * rng.standard_normal(n_points + 1)
        fits.append(nig.posterior(phi[:-1], y[:-1], prior))
        new.append(nig.predictive(fits[-1], phi[-1:]))
        truth[k] = [s2, *w, y[-1]]
    a, b = np.array([f.a for f in fits]), np.array([f.b for f in fits])
    marginals = [nig.weights_marginal(f) for f in fits]
    loc = np.array([m.loc for m in marginals])
    shape_sd = np.array([np.sqrt(np.diag(m.shape)) for m in marginals])
    pits = np.column_stack(
        [
            stats.invgamma.cdf(truth[:, 0], a, scale=b),
            stats.t.cdf((truth[:, 1:3] - loc) / shape_sd, 2 * a[:, None]),
            stats.t.cdf((truth[:, 3] - np.array([p.loc[0] for p in new])) / np.array([p.scale[0] for p in new]), 2 * a),
        ]
    )
    z = checks.bonferroni_z(12, 1e-6)
    for prob in (0.1, 0.5, 0.9):
        share = np.mean(pits <= prob, axis=0)
        assert np.all(np.abs(share - prob) <= z * np.sqrt(prob * (1 - prob) / n_sims)), (prob, share)


def test_a_gaussian_predictive_fails_the_calibration_that_the_student_t_passes():
    """The power of the test above: with 3 points the plug-in Gaussian's central 95 % interval holds
    2 F_t(1.96) - 1 = 0.89 of new observations (nu = 6), 12+ binomial standard errors below 0.95."""
    rng = np.random.default_rng(12345)
    prior = nig.NormalInverseGamma(np.zeros(2), np.eye(2), 1.5, 0.2)
    n_sims, n_points = 4000, 3
    t_q, z_q = stats.t.ppf(0.975, 2 * prior.a + n_points), stats.norm.ppf(0.975)
    inside_t = inside_gauss = 0
    for _ in range(n_sims):
        s2 = prior.b / rng.gamma(prior.a)
        w = np.sqrt(s2) * rng.standard_normal(2)
        phi = conjugate.design_matrix(rng.uniform(-1, 1, n_points + 1))
        y = phi @ w + np.sqrt(s2) * rng.standard_normal(n_points + 1)
        new = nig.predictive(nig.posterior(phi[:-1], y[:-1], prior), phi[-1:])
        gap = abs(y[-1] - new.loc[0]) / new.scale[0]
        inside_t += gap <= t_q
        inside_gauss += gap <= z_q
    se = np.sqrt(0.95 * 0.05 / n_sims)
    planted = (0.95 - (2 * stats.t.cdf(stats.norm.ppf(0.975), 2 * prior.a + n_points) - 1)) / se
    assert planted >= 12, planted
    assert abs(inside_t / n_sims - 0.95) <= checks.bonferroni_z(1, 1e-6) * se
    assert (0.95 - inside_gauss / n_sims) / se >= 6


# --- limits --------------------------------------------------------------------------------------


def test_a_very_strong_prior_on_sigma_gives_the_known_noise_answer(demo):
    """a0 huge with b0 / a0 = s0^2: sigma is fixed at s0, the Student-t becomes the known-noise Gaussian."""
    _, y, phi = demo
    s0, a0 = 0.1, 1e9
    belief = nig.posterior(phi, y, nig.NormalInverseGamma(np.zeros(2), 100 * np.eye(2), a0, a0 * s0**2))
    known = conjugate.posterior(phi, y, s0, conjugate.Gaussian(np.zeros(2), s0**2 * 100 * np.eye(2)))
    phi_new = conjugate.design_matrix(np.linspace(-2, 2, 9))
    mean, sd = conjugate.predictive(known, phi_new, noise_sd=s0)
    predictive = nig.predictive(belief, phi_new)
    checks.assert_matches_reference("loc", predictive.loc, mean)
    checks.assert_matches_reference("scale", predictive.scale, sd, rtol=1e-7)
    checks.assert_matches_reference(
        "97.5 % quantile", predictive.ppf(0.975), mean + stats.norm.ppf(0.975) * sd, rtol=1e-7
    )
    checks.assert_matches_reference("E[sigma]", belief.noise_sd_mean(), s0, rtol=1e-7)
    checks.assert_matches_reference("weights cov", nig.weights_marginal(belief).cov, known.cov, rtol=1e-7)


def test_a_very_vague_prior_gives_least_squares(demo):
    """V0 -> infinity, a0, b0 -> 0: mean -> least squares, scale -> (Phi^T Phi)^-1, 2 b_N -> the RSS."""
    _, y, phi = demo
    belief = nig.posterior(phi, y, nig.NormalInverseGamma(np.zeros(2), 1e12 * np.eye(2), 1e-12, 1e-12))
    w_ls, rss, *_ = np.linalg.lstsq(phi, y, rcond=None)
    checks.assert_matches_reference("mean", belief.mean, w_ls, rtol=1e-9)
    checks.assert_matches_reference("scale", belief.scale, np.linalg.inv(phi.T @ phi), rtol=1e-9)
    checks.assert_matches_reference("2 b_N", 2 * belief.b, rss[0], rtol=1e-8)
    assert abs(belief.df - y.size) < 1e-9


def test_many_points_make_the_predictive_gaussian(rng):
    """nu = 2 a_N grows with N: the 97.5 % quantile's factor over the Gaussian's falls to 1 like 1 / nu."""
    x = rng.uniform(-1, 1, 20000)
    phi = conjugate.design_matrix(x)
    y = phi @ [2.0, 0.3] + 0.1 * rng.standard_normal(x.size)
    prior = nig.NormalInverseGamma(np.zeros(2), 100 * np.eye(2), 2.0, 0.02)
    factors = []
    for n in (10, 100, 1000, 20000):
        predictive = nig.predictive(nig.posterior(phi[:n], y[:n], prior), phi[:1])
        factors.append(float((predictive.ppf(0.975) - predictive.loc)[0] / predictive.scale[0]) / stats.norm.ppf(0.975))
    assert np.all(np.diff(factors) < 0) and factors[-1] - 1 < 1e-4, factors


# --- the grid (brute force) ----------------------------------------------------------------------


def test_fixed_cov_marginal_likelihood_matches_direct_integration():
    """With a prior on w that does not scale with sigma (the half-Cauchy model's), the grid's density ratios
    equal those of p(sigma) * integral over w of the likelihood times the prior, by direct quadrature."""
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, 6)
    phi = x[:, None]  # one weight
    y = 1.3 * x + 0.4 * rng.standard_normal(6)
    log_prior = lambda s: stats.halfcauchy.logpdf(s, scale=2.0)  # noqa: E731
    grid = nig.sigma_posterior_on_grid(phi, y, np.array([0.2]), np.array([[1.5]]), log_prior, np.linspace(0, 60, 30001))

    def unnormalised(sigma):
        inner = integrate.quad(
            lambda w: np.exp(
                np.sum(stats.norm.logpdf(y, phi[:, 0] * w, sigma)) + stats.norm.logpdf(w, 0.2, np.sqrt(1.5))
            ),
            -20,
            20,
            epsabs=0,
            epsrel=1e-12,
            limit=400,
            points=[float(np.sum(x * y) / np.sum(x * x))],
        )[0]
        return np.exp(log_prior(sigma)) * inner

    reference = np.array([unnormalised(s) for s in (0.3, 0.5, 1.0)])
    on_grid = np.interp([0.3, 0.5, 1.0], grid.grid, grid.density)
    checks.assert_matches_reference("density ratios", on_grid / on_grid[1], reference / reference[1], rtol=1e-5)
    # and the density integrates to one
    checks.assert_matches_reference("total", grid.expectation(np.ones_like(grid.grid)), 1.0)


def test_grid_must_cover_the_posterior(demo, prior):
    _, y, phi = demo
    log_prior = log_prior_sigma_from_invgamma(prior.a, prior.b)
    with pytest.raises(ValueError, match="ends at sigma = 0.15.*extend it"):
        nig.sigma_posterior_on_grid(phi, y, prior.mean, prior.scale, log_prior, np.linspace(0, 0.15, 1000), True)
    with pytest.raises(ValueError, match="starts at sigma = 0.1.*start it lower"):
        nig.sigma_posterior_on_grid(phi, y, prior.mean, prior.scale, log_prior, np.linspace(0.1, 3, 1000), True)


@pytest.mark.parametrize(
    ("grid", "log_prior", "message"),
    [
        (np.linspace(0, 3, 50), None, "at least 200 points"),
        (np.linspace(3, 0, 1000), None, "strictly increasing"),
        (np.linspace(-1, 3, 1000), None, "must be positive"),
        (np.append(np.linspace(0, 3, 999), np.nan), None, "grid contains NaN"),
        (np.linspace(0, 3, 1000), lambda s: np.zeros(3), "returned shape"),
        (np.linspace(0, 3, 1000), lambda s: np.full(s.shape, np.nan), "NaN or \\+inf"),
    ],
)
def test_bad_grids_and_priors_are_refused(demo, prior, grid, log_prior, message):
    _, y, phi = demo
    log_prior = log_prior or log_prior_sigma_from_invgamma(prior.a, prior.b)
    with pytest.raises(ValueError, match=message):
        nig.sigma_posterior_on_grid(phi, y, prior.mean, prior.scale, log_prior, grid, True)


def test_grid_refuses_what_is_not_a_function_or_a_flag(demo, prior):
    _, y, phi = demo
    grid = np.linspace(0, 3, 1000)
    with pytest.raises(TypeError, match="log_prior_sigma must be a function"):
        nig.sigma_posterior_on_grid(phi, y, prior.mean, prior.scale, 1.0, grid)
    with pytest.raises(TypeError, match="cov_scales_with_noise must be True or False"):
        nig.sigma_posterior_on_grid(phi, y, prior.mean, prior.scale, np.log, grid, "yes")
    with pytest.raises(ValueError, match="no data"):
        nig.sigma_posterior_on_grid(np.empty((0, 2)), np.empty(0), prior.mean, prior.scale, np.log, grid)


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mean", "scale", "a", "b", "message"),
    [
        ([0.0, np.nan], np.eye(2), 1.0, 1.0, "mean contains NaN"),
        ([], np.eye(0), 1.0, 1.0, "at least one weight"),
        ([0.0, 0.0], np.eye(3), 1.0, 1.0, "shape \\(2, 2\\)"),
        ([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]], 1.0, 1.0, "not positive definite"),
        ([0.0, 0.0], [[1.0, 0.5], [0.0, 1.0]], 1.0, 1.0, "symmetric"),
        ([0.0, 0.0], np.eye(2), 0.0, 1.0, "a must be positive"),
        ([0.0, 0.0], np.eye(2), 1.0, -1.0, "b must be positive"),
        ([0.0, 0.0], np.eye(2), np.inf, 1.0, "a contains NaN or infinite"),
    ],
)
def test_bad_beliefs_are_refused(mean, scale, a, b, message):
    with pytest.raises(ValueError, match=message):
        nig.NormalInverseGamma(np.asarray(mean, dtype=float), np.asarray(scale, dtype=float), a, b)


@pytest.mark.parametrize(
    ("phi", "y", "message"),
    [
        (np.ones((3, 2)), np.array([1.0, np.nan, 2.0]), "y contains NaN"),
        (np.ones((3, 2)), np.ones(4), "3 rows but y has 4"),
        (np.ones((3, 3)), np.ones(3), "3 columns but the belief is over 2"),
        (np.ones(3), np.ones(3), "phi must be 2-dimensional"),
    ],
)
def test_bad_data_are_refused(prior, phi, y, message):
    with pytest.raises(ValueError, match=message):
        nig.posterior(phi, y, prior)


def test_what_is_not_a_belief_is_refused():
    for call in (
        lambda: nig.posterior(np.ones((2, 2)), np.ones(2), (np.zeros(2), np.eye(2), 1.0, 1.0)),
        lambda: nig.predictive(conjugate.isotropic_prior(2, 1.0), np.ones((1, 2))),
        lambda: nig.weights_marginal("prior"),
    ):
        with pytest.raises(TypeError, match="must be a bayes_linreg.normal_inverse_gamma.NormalInverseGamma"):
            call()


def test_moments_that_do_not_exist_are_refused():
    thin = nig.NormalInverseGamma(np.zeros(1), np.eye(1), 0.5, 1.0)
    with pytest.raises(ValueError, match="mean of sigma exists only for a > 1/2"):
        thin.noise_sd_mean()
    with pytest.raises(ValueError, match="sd of sigma exists only for a > 1"):
        thin.noise_sd_sd()
    with pytest.raises(ValueError, match="not computed accurately for a > 1e\\+06"):
        nig.NormalInverseGamma(np.zeros(1), np.eye(1), 1e9, 1e7).noise_sd_sd()
    with pytest.raises(ValueError, match="covariance only for df > 2"):
        _ = nig.weights_marginal(thin).cov
    with pytest.raises(ValueError, match="sd only for df > 2"):
        _ = nig.predictive(thin, np.ones((1, 1))).sd


def test_bad_probabilities_and_flags_are_refused(prior):
    with pytest.raises(ValueError, match="prob must lie strictly between 0 and 1"):
        prior.noise_sd_quantile([0.5, 1.0])
    with pytest.raises(ValueError, match="prob must lie strictly between 0 and 1"):
        nig.weights_marginal(prior).interval(1.5)
    with pytest.raises(ValueError, match="prob must lie strictly between 0 and 1"):
        nig.predictive(prior, np.ones((1, 2))).ppf(0.0)
    with pytest.raises(TypeError, match="noise must be True or False"):
        nig.predictive(prior, np.ones((1, 2)), noise=1)
    with pytest.raises(ValueError, match="phi_new has 3 columns"):
        nig.predictive(prior, np.ones((1, 3)))
