"""bayes_linreg.hierarchical: the posterior of group lines with fixed sds, checked against the joint
design's conjugate posterior (another route), its limits (complete and no pooling), the textbook
scalar formula, exact draws, and bad input."""

import numpy as np
import pytest
from scipy import stats

from bayes_linreg import conjugate, hierarchical

PRIOR_MEAN = np.array([0.5, -0.2])
PRIOR_COV = np.array([[2.0, 0.3], [0.3, 1.0]])


def simulate(rng, sizes=(3, 1, 6, 12, 25), group_sd=(0.7, 0.4), noise_sd=0.8):
    """Group lines around a population line, x ~ U(-1, 2): (x, y, codes)."""
    codes = np.repeat(np.arange(len(sizes)), sizes)
    rng.shuffle(codes)
    x = rng.uniform(-1, 2, codes.size)
    a = 1.0 + group_sd[0] * rng.standard_normal(len(sizes))
    b = 0.5 + group_sd[1] * rng.standard_normal(len(sizes))
    y = a[codes] + b[codes] * x + noise_sd * rng.standard_normal(codes.size)
    return x, y, codes


def joint_design_posterior(x, y, codes, noise_sd, group_sd, prior_mean, prior_cov):
    """The same posterior by another route: one linear model over w = (mu, u, v), its conjugate
    posterior (joint precision, library's centring and Cholesky), mapped to (mu, a, b)."""
    n_groups = codes.max() + 1
    indicator = np.eye(n_groups)[codes]
    phi = np.hstack([np.ones((x.size, 1)), x[:, None], indicator, indicator * x[:, None]])
    prior_w = conjugate.Gaussian(
        np.concatenate([prior_mean, np.zeros(2 * n_groups)]),
        np.block(
            [
                [prior_cov, np.zeros((2, 2 * n_groups))],
                [np.zeros((2 * n_groups, 2)), np.diag(np.repeat(np.square(group_sd), n_groups))],
            ]
        ),
    )
    post_w = conjugate.posterior(phi, y, noise_sd, prior_w)
    to_lines = np.eye(2 + 2 * n_groups)
    to_lines[2 : 2 + n_groups, 0] = 1.0
    to_lines[2 + n_groups :, 1] = 1.0
    return to_lines @ post_w.mean, to_lines @ post_w.cov @ to_lines.T


def test_matches_joint_design_posterior(rng):
    x, y, codes = simulate(rng)
    noise_sd, group_sd = rng.uniform(0.3, 2.0), rng.uniform(0.1, 2.0, 2)
    found = hierarchical.varying_lines_posterior(x, y, codes, noise_sd, group_sd, PRIOR_MEAN, PRIOR_COV)
    mean, cov = joint_design_posterior(x, y, codes, noise_sd, group_sd, PRIOR_MEAN, PRIOR_COV)
    np.testing.assert_allclose(found.joint.mean, mean, rtol=0, atol=1e-10 * np.abs(mean).max())
    np.testing.assert_allclose(found.joint.cov, cov, rtol=0, atol=1e-10 * np.abs(cov).max())
    # The marginals are the joint's blocks, in the documented order.
    n_groups = codes.max() + 1
    np.testing.assert_array_equal(found.population.mean, found.joint.mean[:2])
    np.testing.assert_array_equal(found.intercepts.mean, found.joint.mean[2 : 2 + n_groups])
    np.testing.assert_array_equal(found.slopes.cov, found.joint.cov[2 + n_groups :, 2 + n_groups :])


def test_tiny_group_sd_is_complete_pooling(rng):
    """Group sds near 0: every group's line is the population line, the posterior of one pooled line."""
    x, y, codes = simulate(rng)
    found = hierarchical.varying_lines_posterior(x, y, codes, 0.8, [1e-7, 1e-7], PRIOR_MEAN, PRIOR_COV)
    pooled = conjugate.posterior(conjugate.design_matrix(x), y, 0.8, conjugate.Gaussian(PRIOR_MEAN, PRIOR_COV))
    np.testing.assert_allclose(found.population.mean, pooled.mean, rtol=1e-6)
    np.testing.assert_allclose(found.population.cov, pooled.cov, rtol=1e-6)
    np.testing.assert_allclose(found.intercepts.mean, pooled.mean[0], rtol=1e-6)
    np.testing.assert_allclose(found.slopes.mean, pooled.mean[1], rtol=1e-6)


def test_huge_group_sd_is_no_pooling(rng):
    """Group sds far above everything: each group's line is its own least-squares line."""
    x, y, codes = simulate(rng, sizes=(3, 4, 6, 12))
    found = hierarchical.varying_lines_posterior(x, y, codes, 0.8, [1e4, 1e4], PRIOR_MEAN, PRIOR_COV)
    for j in range(4):
        slope, intercept = np.polyfit(x[codes == j], y[codes == j], 1)
        np.testing.assert_allclose(found.intercepts.mean[j], intercept, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(found.slopes.mean[j], slope, rtol=1e-5, atol=1e-5)


def test_one_group_at_x_zero_is_the_textbook_formula():
    """x = 0: a ~ N(m0, s0^2 + tau^2) a priori, and n observations of sd sigma give the scalar update."""
    y = np.array([1.3, 0.4, 2.2, 0.9])
    sigma, tau, m0, s0 = 0.7, 0.5, 0.2, 1.5
    found = hierarchical.varying_lines_posterior(
        np.zeros(4), y, np.zeros(4, dtype=int), sigma, [tau, 0.3], [m0, 0.0], np.diag([s0**2, 1.0])
    )
    precision = 1 / (s0**2 + tau**2) + y.size / sigma**2
    mean = (m0 / (s0**2 + tau**2) + y.sum() / sigma**2) / precision
    np.testing.assert_allclose(found.intercepts.mean, [mean], rtol=1e-12)
    np.testing.assert_allclose(found.intercepts.cov, [[1 / precision]], rtol=1e-12)
    # The slope never meets the data at x = 0: it keeps its prior N(0, 1 + 0.3^2).
    np.testing.assert_allclose(found.slopes.mean, [0.0], atol=1e-12)
    np.testing.assert_allclose(found.slopes.cov, [[1 + 0.3**2]], rtol=1e-12)


def test_posterior_is_the_conditional_of_exact_joint_draws(rng):
    """Monte Carlo: draw (mu, a, b, y) from the model; regressing the lines on y reproduces the posterior
    mean's dependence on y (the posterior of a Gaussian model is the linear conditional)."""
    sizes, group_sd, noise_sd = (2, 5), np.array([0.6, 0.3]), 0.5
    codes = np.repeat([0, 1], sizes)
    x = np.linspace(-1, 1, codes.size)
    draws = 40_000
    mu = rng.multivariate_normal(PRIOR_MEAN, PRIOR_COV, draws)
    a = mu[:, :1] + group_sd[0] * rng.standard_normal((draws, 2))
    b = mu[:, 1:] + group_sd[1] * rng.standard_normal((draws, 2))
    y = a[:, codes] + b[:, codes] * x + noise_sd * rng.standard_normal((draws, codes.size))
    y_star = np.zeros(codes.size)
    found = hierarchical.varying_lines_posterior(x, y_star, codes, noise_sd, group_sd, PRIOR_MEAN, PRIOR_COV)
    # The posterior mean at y* = 0 is E[a_0] - Cov(a_0, y) Var(y)^-1 E[y], estimated from the draws.
    target = a[:, 0]
    cov_ty = np.cov(np.column_stack([target, y]), rowvar=False)
    slope_on_y = np.linalg.solve(cov_ty[1:, 1:], cov_ty[0, 1:])
    estimate = target.mean() - slope_on_y @ y.mean(axis=0)
    residual_sd = np.sqrt(cov_ty[0, 0] - cov_ty[0, 1:] @ slope_on_y)
    # Standard error of a regression intercept from 40,000 draws; z = 6 is a false-alarm rate of 2e-9.
    se = residual_sd * np.sqrt((1 + y.mean(axis=0) @ np.linalg.solve(cov_ty[1:, 1:], y.mean(axis=0))) / draws)
    assert abs(estimate - found.intercepts.mean[0]) <= 6 * se, (estimate, found.intercepts.mean[0], se)
    # And the residual variance is the posterior variance (chi-squared, relative sd sqrt(2 / draws)).
    ratio = residual_sd**2 / found.intercepts.cov[0, 0]
    assert abs(ratio - 1) <= 6 * np.sqrt(2 / draws), ratio


X, Y, G = np.array([0.1, 0.5, -0.3]), np.array([1.0, 2.0, 0.5]), np.array([0, 1, 1])
GOOD = {
    "x": X,
    "y": Y,
    "group": G,
    "noise_sd": 0.5,
    "group_sd": [0.3, 0.2],
    "prior_mean": [0, 0],
    "prior_cov": np.eye(2),
}


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"y": [1.0, np.nan, 0.5]}, ValueError, "NaN"),
        ({"x": [0.1, 0.5]}, ValueError, "lengths must match"),
        ({"x": [], "y": [], "group": np.array([], dtype=int)}, ValueError, "no observations"),
        ({"group": [0, 1]}, ValueError, "one code per observation"),
        ({"group": [0.0, 1.5, 1.0]}, ValueError, "whole-number"),
        ({"group": [True, False, True]}, TypeError, "integer codes"),
        ({"group": ["a", "b", "b"]}, TypeError, "integer codes"),
        ({"group": [0, -1, 1]}, ValueError, "0..J-1"),
        ({"group": [0, 2, 2]}, ValueError, r"no observations for \[1\]"),
        ({"noise_sd": 0.0}, ValueError, "noise_sd must be positive"),
        ({"noise_sd": np.inf}, ValueError, "NaN or infinite"),
        ({"group_sd": [0.3]}, ValueError, "sd of intercepts, sd of slopes"),
        ({"group_sd": [0.3, 0.0]}, ValueError, "group_sd must be positive"),
        ({"prior_mean": [0.0]}, ValueError, "prior_mean"),
        ({"prior_cov": np.eye(3)}, ValueError, "2 x 2"),
        ({"prior_cov": [[1.0, 2.0], [2.0, 1.0]]}, ValueError, "not positive definite"),
    ],
)
def test_bad_input_is_refused(change, error, message):
    with pytest.raises(error, match=message):
        hierarchical.varying_lines_posterior(**{**GOOD, **change})


def test_float_codes_that_are_whole_numbers_are_accepted():
    found = hierarchical.varying_lines_posterior(**{**GOOD, "group": [0.0, 1.0, 1.0]})
    reference = hierarchical.varying_lines_posterior(**GOOD)
    np.testing.assert_array_equal(found.joint.mean, reference.joint.mean)


def exact_draws(rng, posterior, n, group_sd, noise_sd):
    """Draws of the fixed-sd posterior in the layout rao_blackwell_cdf reads, the sds constant."""
    n_groups = posterior.n_groups
    joint = conjugate.sample_gaussian(rng, posterior.joint, n)
    return {
        "mu_a": joint[:, 0],
        "mu_b": joint[:, 1],
        "a": joint[:, 2 : 2 + n_groups],
        "b": joint[:, 2 + n_groups :],
        "tau_a": np.full(n, group_sd[0]),
        "tau_b": np.full(n, group_sd[1]),
        "sigma": np.full(n, noise_sd),
    }


@pytest.mark.parametrize("offset", [-3.0, -1.0, 0.0, 2.0])
def test_rao_blackwell_cdf_is_the_exact_marginal_cdf_when_the_sds_are_fixed(rng, offset):
    """With the sds fixed the posterior is Gaussian: averaging the full conditionals over exact draws
    gives its marginal CDF, within the estimator's own Monte-Carlo error."""
    x, y, codes = simulate(rng)
    group_sd, noise_sd, prior_sd = np.array([0.7, 0.4]), 0.8, np.array([1.5, 1.0])
    exact = hierarchical.varying_lines_posterior(x, y, codes, noise_sd, group_sd, PRIOR_MEAN, np.diag(prior_sd**2))
    draws = exact_draws(rng, exact, 4000, group_sd, noise_sd)
    values = {
        "mu_a": exact.population.mean[0] + offset * exact.population.sd[0],
        "mu_b": exact.population.mean[1] + offset * exact.population.sd[1],
        "a": exact.intercepts.mean + offset * exact.intercepts.sd,
        "b": exact.slopes.mean + offset * exact.slopes.sd,
    }
    found = hierarchical.rao_blackwell_cdf(x, y, codes, draws, values, PRIOR_MEAN, prior_sd)
    expected = stats.norm.cdf(offset)
    for name, cdf in found.items():
        # The estimator's standard error is at most 1/2 / sqrt(4000) (each term lies in [0, 1]);
        # 5 of them is a false-alarm rate below 1e-6.
        assert np.all(np.abs(cdf - expected) <= 5 * 0.5 / np.sqrt(4000)), (name, cdf, expected)


def test_rao_blackwell_cdf_reaches_far_tails(rng):
    """3.5 posterior sds out, where 4000 draws hold about one value, the tail estimate is still the
    right size: the estimator's relative error grows in the tails (over 50 seeds x 17 values, its
    ratio to the exact tail lay in [0.66, 1.46] at 3.5 sds, [0.25, 4.2] at 4.5 sds)."""
    x, y, codes = simulate(rng)
    group_sd, noise_sd, prior_sd = np.array([0.7, 0.4]), 0.8, np.array([1.5, 1.0])
    exact = hierarchical.varying_lines_posterior(x, y, codes, noise_sd, group_sd, PRIOR_MEAN, np.diag(prior_sd**2))
    draws = exact_draws(rng, exact, 4000, group_sd, noise_sd)
    far = {"a": exact.intercepts.mean - 3.5 * exact.intercepts.sd, "b": exact.slopes.mean + 3.5 * exact.slopes.sd}
    found = hierarchical.rao_blackwell_cdf(x, y, codes, draws, far, PRIOR_MEAN, prior_sd)
    tail = stats.norm.sf(3.5)
    assert np.all((found["a"] > 0.4 * tail) & (found["a"] < 2.5 * tail)), found["a"] / tail
    assert np.all((1 - found["b"] > 0.4 * tail) & (1 - found["b"] < 2.5 * tail)), (1 - found["b"]) / tail


def test_rao_blackwell_cdf_flags_a_planted_error(rng):
    """A truth 12 posterior sds from where the posterior is gets a CDF of (practically) 0 or 1."""
    x, y, codes = simulate(rng)
    group_sd, noise_sd, prior_sd = np.array([0.7, 0.4]), 0.8, np.array([1.5, 1.0])
    exact = hierarchical.varying_lines_posterior(x, y, codes, noise_sd, group_sd, PRIOR_MEAN, np.diag(prior_sd**2))
    draws = exact_draws(rng, exact, 4000, group_sd, noise_sd)
    wrong = {"a": exact.intercepts.mean + 12 * exact.intercepts.sd}
    found = hierarchical.rao_blackwell_cdf(x, y, codes, draws, wrong, PRIOR_MEAN, prior_sd)
    assert np.all(1 - found["a"] < 1e-12), found["a"]


def _good_draws(n=5, n_groups=2):
    return {
        "mu_a": np.zeros(n),
        "mu_b": np.zeros(n),
        "tau_a": np.ones(n),
        "tau_b": np.ones(n),
        "sigma": np.ones(n),
        "a": np.zeros((n, n_groups)),
        "b": np.zeros((n, n_groups)),
    }


@pytest.mark.parametrize(
    ("draws", "values", "message"),
    [
        ({k: v for k, v in _good_draws().items() if k != "tau_b"}, {"a": [0, 0]}, "missing"),
        ({**_good_draws(), "sigma": -np.ones(5)}, {"a": [0, 0]}, "positive"),
        ({**_good_draws(), "mu_a": np.zeros(4)}, {"a": [0, 0]}, "pair up"),
        ({**_good_draws(), "a": np.zeros((5, 3))}, {"a": [0, 0]}, "shape"),
        ({**_good_draws(), "b": np.full((5, 2), np.nan)}, {"a": [0, 0]}, "NaN"),
        (_good_draws(), {"a": [0, 0, 0]}, "shape"),
        (_good_draws(), {"tau_a": 1.0}, "some of"),
        (_good_draws(), {}, "some of"),
        (_good_draws(n=1), {"a": [0, 0]}, "at least 2"),
    ],
)
def test_rao_blackwell_cdf_refuses_bad_input(draws, values, message):
    with pytest.raises(ValueError, match=message):
        hierarchical.rao_blackwell_cdf(X, Y, G, draws, values, [0, 0], [1, 1])
