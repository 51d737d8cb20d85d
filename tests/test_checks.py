"""bayes_linreg.checks: every check passes on good numbers, fails on wrong ones, and fails loudly on bad
input (issue 12: "checks that cannot lie").

Kinds of failure, one test (or one parametrised case) each:
an ``AssertionError`` when what is checked is false (including stuck chains, whose r-hat is NaN and
whose ESS equals the number of draws), and a ``ValueError``/``TypeError`` for input that cannot be
checked: NaN or infinite numbers, NaN thresholds, lengths or shapes that do not pair up, missing
variables, ``n_eff <= 0``, a ``(mean, cov)`` tuple for a Gaussian.

Randomised tests take the ``rng`` fixture (50 seeds). A test that expects a pass compares at
z = 6 or at a Bonferroni z for a 1e-6 false-alarm rate; a test that expects a failure plants an error
of 12 or more standard errors, so that it fails for any seed.
"""

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import stats

from bayes_linreg import checks, conjugate, mcmc

NAN_THRESHOLDS = [np.nan, np.inf, -1.0, 0.0]
Z_PASS = 6.0  # a false alarm in 5e8 per compared number


# --- bonferroni_z, central_interval, assert_matches_reference --------------------------------------


def test_bonferroni_z_keeps_the_family_rate():
    for n in (1, 2, 81):
        z = checks.bonferroni_z(n, alarm_rate=1e-3)
        assert n * 2 * stats.norm.sf(z) == pytest.approx(1e-3)
    assert checks.bonferroni_z(1, 1e-3) < checks.bonferroni_z(81, 1e-3)


@pytest.mark.parametrize(("n", "rate"), [(0, 1e-3), (2.0, 1e-3), (True, 1e-3), (2, np.nan), (2, 1.0), (2, 0.0)])
def test_bonferroni_z_refuses_bad_input(n, rate):
    with pytest.raises(ValueError, match="n_compared|alarm_rate"):
        checks.bonferroni_z(n, rate)


@pytest.mark.parametrize("prob", [1.5, 0.0, 1.0, np.nan])
def test_central_interval_refuses_bad_probability(prob):
    with pytest.raises(ValueError, match="prob"):
        checks.central_interval(conjugate.isotropic_prior(2, 1.0), prob)


def test_central_interval_refuses_a_mean_cov_tuple():
    with pytest.raises(TypeError, match="Gaussian"):
        checks.central_interval((np.zeros(2), np.eye(2)))


def test_matches_reference_passes_fails_and_returns_the_gap():
    reference = np.array([1.0, -2.0])
    assert checks.assert_matches_reference("w", reference + 1e-12, reference) == pytest.approx(5e-13)
    with pytest.raises(AssertionError, match="w differs from the reference by 5e-07"):
        checks.assert_matches_reference("w", reference + 1e-6, reference)


@pytest.mark.parametrize(
    ("computed", "reference", "rtol", "error", "message"),
    [
        ([np.nan, 1.0], [1.0, 1.0], 1e-10, ValueError, "w contains NaN"),
        ([1.0, 1.0], [np.inf, 1.0], 1e-10, ValueError, "reference w contains NaN or infinite"),
        ([1.0], [1.0, 1.0], 1e-10, ValueError, "shape"),
        ([], [], 1e-10, ValueError, "empty"),
        ([1.0], [1.0], np.nan, ValueError, "rtol"),
        ([1.0], [1.0], 0.0, ValueError, "rtol"),
    ],
)
def test_matches_reference_refuses_bad_input(computed, reference, rtol, error, message):
    with pytest.raises(error, match=message):
        checks.assert_matches_reference("w", computed, reference, rtol=rtol)


# --- assert_inside ---------------------------------------------------------------------------------


def test_inside_passes_and_returns_the_values():
    values = checks.assert_inside(["a", "b"], [1.0, 2.0], [0.0, 1.5], [1.5, 2.5])
    np.testing.assert_array_equal(values, [1.0, 2.0])
    # one bound for all, an infinite bound for a one-sided check, one name as a string
    checks.assert_inside(["a", "b"], [1.0, 2.0], 0.0, np.inf)
    checks.assert_inside("a", 1.0, 0.0, 2.0)
    # labels need not be strings: grid points label the values of a band
    checks.assert_inside(np.array([-0.5, 0.5]), [1.0, 2.0], 0.0, 3.0)
    with pytest.raises(AssertionError, match="0.5 = 4 lies outside"):
        checks.assert_inside(np.array([-0.5, 0.5]), [1.0, 4.0], 0.0, 3.0)


def test_inside_fails_for_every_value_outside():
    with pytest.raises(AssertionError, match=r"(?s)a = 3 lies outside .*b = -1 lies outside"):
        checks.assert_inside(["a", "b", "c"], [3.0, -1.0, 0.5], 0.0, 1.0)


@pytest.mark.parametrize(
    ("names", "values", "lower", "upper", "message"),
    [
        (["a"], [1.0, 50.0], [0.0, 0.0], [2.0, 2.0], "1 names for 2 values"),
        (["a", "b", "c"], [1.0, 2.0], [0.0, 0.0], [2.0, 2.0], "3 names for 2 values"),
        (["a", "b"], [1.0, 2.0], [0.0], [2.0, 2.0], "lower has shape"),
        (["a", "b"], [1.0, 2.0], [0.0, 0.0], [2.0, 2.0, 2.0], "upper has shape"),
        (["a", "b"], [1.0, np.nan], 0.0, 2.0, "values contains NaN"),
        (["a", "b"], [1.0, np.inf], 0.0, 2.0, "values contains NaN or infinite"),
        (["a", "b"], [1.0, 2.0], [0.0, np.nan], 2.0, "lower bound contains NaN"),
        (["a", "b"], [1.0, 2.0], 0.0, np.nan, "upper bound contains NaN"),
        (["a", "b"], [1.0, 2.0], 3.0, 2.0, "lower bound above upper bound"),
        (["a", "b"], [[1.0, 2.0]], 0.0, 2.0, "1-D"),
    ],
)
def test_inside_refuses_what_it_cannot_pair_up(names, values, lower, upper, message):
    with pytest.raises(ValueError, match=message):
        checks.assert_inside(names, values, lower, upper)


# --- assert_truth_recovered -------------------------------------------------------------------------

NARROW = conjugate.Gaussian(np.array([2.0, 0.3]), np.diag([0.03**2, 0.05**2]))
PRIOR = conjugate.isotropic_prior(2, 1.0)


def test_truth_recovered_passes_and_returns_z_scores():
    result = checks.assert_truth_recovered(NARROW, [2.01, 0.28], PRIOR)
    np.testing.assert_allclose(result.z, [0.01 / 0.03, -0.02 / 0.05])
    assert result.posterior_error < result.prior_error


def test_truth_recovered_catches_a_wrong_truth():
    with pytest.raises(AssertionError, match="intercept = 2.5 lies outside"):
        checks.assert_truth_recovered(NARROW, [2.5, 0.3], PRIOR)
    # the slope is checked too: 50 against N(0.3, 0.05^2)
    with pytest.raises(AssertionError, match="slope = 50 lies outside"):
        checks.assert_truth_recovered(NARROW, [2.0, 50.0], PRIOR)


def test_truth_recovered_needs_the_posterior_closer_than_the_prior():
    prior = conjugate.Gaussian(np.array([2.0, 0.3]), np.eye(2))
    belief = conjugate.Gaussian(np.array([2.01, 0.3]), np.eye(2) * 0.01)
    with pytest.raises(AssertionError, match="no closer than the prior mean"):
        checks.assert_truth_recovered(belief, [2.0, 0.3], prior)


def test_truth_recovered_names_every_weight_of_a_polynomial():
    belief = conjugate.Gaussian(np.zeros(3), np.eye(3) * 0.01)
    with pytest.raises(AssertionError, match="w2 = 5 lies outside"):
        checks.assert_truth_recovered(belief, [0.0, 0.0, 5.0], conjugate.isotropic_prior(3, 10.0))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"truth": [2.0]}, ValueError, "truth has 1 values, the belief is over 2 weights"),
        ({"truth": [2.0, 0.3, 1.0]}, ValueError, "truth has 3 values"),
        ({"truth": [2.0, np.nan]}, ValueError, "truth contains NaN"),
        ({"names": ("intercept",)}, ValueError, "1 names for 2 weights"),
        ({"prior": conjugate.isotropic_prior(3, 1.0)}, ValueError, "prior over 3"),
        ({"prob": np.nan}, ValueError, "prob must lie strictly"),
        ({"belief": (np.zeros(2), np.eye(2))}, TypeError, "belief must be a bayes_linreg.conjugate.Gaussian"),
        ({"prior": (np.zeros(2), np.eye(2))}, TypeError, "prior must be a bayes_linreg.conjugate.Gaussian"),
    ],
)
def test_truth_recovered_refuses_bad_input(kwargs, error, message):
    arguments = {"belief": NARROW, "truth": [2.0, 0.3], "prior": PRIOR} | kwargs
    with pytest.raises(error, match=message):
        checks.assert_truth_recovered(**arguments)


# --- assert_draws_match -----------------------------------------------------------------------------


def test_draws_match_passes_for_exact_draws_and_returns_the_gaps(belief, rng):
    samples = conjugate.sample_gaussian(rng, belief, 2000)
    mean_gap, cov_gap = checks.assert_draws_match(samples, belief, z=Z_PASS)
    assert 0 <= mean_gap <= Z_PASS and 0 <= cov_gap <= Z_PASS


def test_draws_match_catches_a_shifted_mean(rng):
    belief = conjugate.isotropic_prior(2, 1.0)
    samples = conjugate.sample_gaussian(rng, belief, 10_000)
    # 0.15 sd with 10,000 draws is 15 standard errors of a mean
    with pytest.raises(AssertionError, match="sample mean"):
        checks.assert_draws_match(samples + 0.15, belief)


def test_draws_match_catches_a_wrong_covariance(rng):
    belief = conjugate.isotropic_prior(2, 1.0)
    samples = conjugate.sample_gaussian(rng, belief, 10_000)
    # variance 1.3 instead of 1: 0.3 / sqrt(2 / 10,000) = 21 standard errors
    with pytest.raises(AssertionError, match="sample covariance"):
        checks.assert_draws_match(samples * np.sqrt(1.3), belief)


def test_draws_match_uses_n_eff(rng):
    """With n_eff much smaller than n the same gap is fewer standard errors: a draws-count check fails,
    the n_eff check passes."""
    belief = conjugate.isotropic_prior(2, 1.0)
    samples = conjugate.sample_gaussian(rng, belief, 10_000) + 0.15
    mean_gap, _ = checks.assert_draws_match(samples, belief, n_eff=[100, 100], z=Z_PASS)
    assert mean_gap < Z_PASS


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_eff": 0}, ValueError, "n_eff must be positive"),
        ({"n_eff": -100}, ValueError, "n_eff must be positive"),
        ({"n_eff": [100.0, 0.0]}, ValueError, "n_eff must be positive"),
        ({"n_eff": np.nan}, ValueError, "n_eff contains NaN"),
        ({"n_eff": [100.0, 100.0, 100.0]}, ValueError, "one per column"),
        ({"z": np.nan}, ValueError, "z contains NaN"),
        ({"z": 0.0}, ValueError, "z must be positive"),
        ({"draws": np.full((10, 2), np.nan)}, ValueError, "draws contains NaN"),
        ({"draws": np.ones((10, 3))}, ValueError, "3 columns"),
        ({"draws": np.ones((1, 2))}, ValueError, "at least 2 draws"),
        ({"belief": (np.zeros(2), np.eye(2))}, TypeError, "Gaussian"),
    ],
)
def test_draws_match_refuses_bad_input(kwargs, error, message):
    """n_eff = 0 once let draws 10 sds off pass (every standard error infinite)."""
    arguments = {"draws": np.random.default_rng(0).normal(10.0, 1.0, (100, 2)), "belief": PRIOR} | kwargs
    with pytest.raises(error, match=message):
        checks.assert_draws_match(**arguments)


def test_draws_match_fails_for_a_stuck_sampler():
    with pytest.raises(AssertionError, match="sample covariance"):
        checks.assert_draws_match(np.zeros((1000, 2)), PRIOR)


# --- assert_converged ---------------------------------------------------------------------------------


def _iid(rng, chains=4, draws=1000, **variables):
    """Independent standard normal draws for each variable; ``variables`` give extra entry shapes."""
    return {name: rng.normal(size=(chains, draws, *shape)) for name, shape in variables.items()}


def test_converged_passes_and_returns_what_it_checked(make_tree, rng):
    tree = make_tree(posterior=_iid(rng, a=(), w=(2,)), sample_stats={"diverging": np.zeros((4, 1000), bool)})
    result = checks.assert_converged(tree)
    assert 1 - 0.01 < result.max_rhat <= 1.01 and result.min_ess_bulk >= 400 and result.min_ess_tail >= 400
    assert result.divergences == 0 and result.n_draws == 4000
    assert "divergent transitions" in str(result) and "not checked" not in str(result)


def test_converged_works_without_sample_stats_and_says_so(make_tree, rng):
    """A Gibbs sampler's draws: r-hat and ESS only, and the result says divergences were not checked."""
    result = checks.assert_converged(make_tree(posterior=_iid(rng, a=())))
    assert result.divergences is None
    assert "divergences not checked" in str(result) and "only" in result.checked


def test_converged_catches_divergences(make_tree, rng):
    diverging = np.zeros((4, 1000), bool)
    diverging[1, 5] = True
    tree = make_tree(posterior=_iid(rng, a=()), sample_stats={"diverging": diverging})
    with pytest.raises(AssertionError, match="1 divergent transitions"):
        checks.assert_converged(tree)


@pytest.mark.parametrize("which", ["all chains", "one chain"])
def test_converged_fails_on_stuck_chains(make_tree, which):
    """r-hat is NaN and the ESS equals the number of draws for constant chains: both once passed."""
    values = np.full((4, 200), 1.5)
    if which == "one chain":
        values[:3] = np.random.default_rng(0).normal(1.5, 1.0, (3, 200))
    with pytest.raises(AssertionError, match=r"a: chain\(s\) \[.*3\] stuck at one value"):
        checks.assert_converged(make_tree(posterior={"a": values}))


def test_converged_fails_on_one_stuck_entry_of_a_vector(make_tree, rng):
    values = rng.normal(size=(4, 1000, 3))
    values[:, :, 1] = 0.0
    with pytest.raises(AssertionError, match=r"w\[1\]: chain\(s\) \[0, 1, 2, 3\] stuck(?s:.*)w\[1\]: r-hat nan"):
        checks.assert_converged(make_tree(posterior={"w": values}))


def test_converged_fails_when_chains_disagree(make_tree, rng):
    values = rng.normal(size=(4, 1000))
    values[0] += 3.0  # one chain in another mode
    with pytest.raises(AssertionError, match="a: r-hat"):
        checks.assert_converged(make_tree(posterior={"a": values}))


def test_converged_fails_for_a_slowly_mixing_chain(make_tree, rng):
    """AR(1) chains with coefficient 0.99: ESS about n (1 - 0.99) / (1 + 0.99) ~ 20 of 4000."""
    noise = rng.normal(size=(4, 1000))
    values = np.zeros_like(noise)
    values[:, 0] = noise[:, 0] * 7
    for t in range(1, 1000):
        values[:, t] = 0.99 * values[:, t - 1] + noise[:, t]
    with pytest.raises(AssertionError, match="bulk ESS"):
        checks.assert_converged(make_tree(posterior={"a": values}))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_converged_refuses_nan_or_infinite_draws(make_tree, rng, bad):
    values = rng.normal(size=(4, 1000))
    values[2, 17] = bad
    with pytest.raises(ValueError, match="'a' has 1 NaN or infinite draws"):
        checks.assert_converged(make_tree(posterior={"a": values}))


@pytest.mark.parametrize("rhat_max", [np.nan, np.inf, 1.0, 0.9])
def test_converged_refuses_bad_rhat_threshold(make_tree, rhat_max):
    tree = make_tree(posterior=_iid(np.random.default_rng(0), a=()))
    with pytest.raises(ValueError, match="rhat_max"):
        checks.assert_converged(tree, rhat_max=rhat_max)


@pytest.mark.parametrize("ess_min", NAN_THRESHOLDS)
def test_converged_refuses_bad_ess_threshold(make_tree, ess_min):
    tree = make_tree(posterior=_iid(np.random.default_rng(0), a=()))
    with pytest.raises(ValueError, match="ess_min"):
        checks.assert_converged(tree, ess_min=ess_min)


def test_converged_names_missing_variables_and_what_exists(make_tree):
    tree = make_tree(posterior=_iid(np.random.default_rng(0), a=(), b=()))
    with pytest.raises(ValueError, match=r"no posterior variable\(s\) \['c'\]; available: \['a', 'b'\]"):
        checks.assert_converged(tree, var_names=["a", "c"])
    with pytest.raises(ValueError, match=r"no group 'posterior'"):
        checks.assert_converged(make_tree(posterior=None, prior=_iid(np.random.default_rng(0), a=())))


def test_converged_refuses_too_few_draws(make_tree):
    with pytest.raises(ValueError, match="too few"):
        checks.assert_converged(make_tree(posterior={"a": np.random.default_rng(0).normal(size=(4, 3))}))


# --- assert_mcmc_mean_matches -------------------------------------------------------------------------


def test_mcmc_mean_matches_scalars_and_vectors(belief, fake_idata, rng):
    tree, _ = fake_idata(rng, belief)
    gap = checks.assert_mcmc_mean_matches(tree, "w_b", belief.mean[0], z=Z_PASS)
    assert np.shape(gap) == () and abs(float(gap)) <= Z_PASS
    gaps = checks.assert_mcmc_mean_matches(tree, "w", belief.mean, z=Z_PASS)
    assert gaps.shape == (2,)


def test_mcmc_mean_catches_a_shift_in_one_entry(belief, fake_idata, rng):
    tree, _ = fake_idata(rng, belief)
    shifted = belief.mean + np.array([0.0, 15 * belief.sd[1] / np.sqrt(4000)])  # 15 MCSE
    with pytest.raises(AssertionError, match="MCSE apart"):
        checks.assert_mcmc_mean_matches(tree, "w", shifted)


@pytest.mark.parametrize(
    ("var_name", "exact", "z", "message"),
    [
        ("w", [2.0], 4.0, r"shape \(2,\) per draw, exact_mean \(1,\)"),
        ("w", 2.0, 4.0, r"shape \(2,\) per draw, exact_mean \(\)"),
        ("w_b", [2.0, 0.3], 4.0, r"shape \(\) per draw"),
        ("w_b", np.nan, 4.0, "exact_mean contains NaN"),
        ("w_b", 2.0, np.nan, "z contains NaN"),
        ("nope", 2.0, 4.0, r"no posterior variable\(s\) \['nope'\]; available"),
    ],
)
def test_mcmc_mean_refuses_bad_input(belief, fake_idata, var_name, exact, z, message):
    tree, _ = fake_idata(np.random.default_rng(0), belief, n_draws=100)
    with pytest.raises(ValueError, match=message):
        checks.assert_mcmc_mean_matches(tree, var_name, exact, z=z)


def test_mcmc_mean_fails_for_stuck_draws(make_tree):
    with pytest.raises(AssertionError, match="MCSE apart"):
        checks.assert_mcmc_mean_matches(make_tree(posterior={"a": np.ones((4, 100))}), "a", 1.0)


# --- assert_band_matches ------------------------------------------------------------------------------


def _band(rng, belief, x):
    weights = conjugate.sample_gaussian(rng, belief, 4000).reshape(4, 1000, 2)
    band = mcmc.band_from_draws(mcmc.line_draws(weights, x))
    return band, *conjugate.predictive(belief, conjugate.design_matrix(x))


def test_band_matches_the_exact_band(belief, rng):
    x = np.linspace(-1, 1, 7)
    band, exact_mean, exact_sd = _band(rng, belief, x)
    mean_gap, sd_gap = checks.assert_band_matches(band, exact_mean, exact_sd, z=checks.bonferroni_z(14, 1e-6))
    assert 0 <= mean_gap and 0 <= sd_gap


def test_band_check_catches_a_wrong_sd_or_mean(belief, rng):
    x = np.linspace(-1, 1, 7)
    band, exact_mean, exact_sd = _band(rng, belief, x)
    # sd 20 % off: 0.2 sd against an MCSE of sd / sqrt(2 * 4000), about 18 MCSE
    with pytest.raises(AssertionError, match="band sd"):
        checks.assert_band_matches(band, exact_mean, 1.2 * exact_sd)
    # mean 0.04 off: the band's sd is at most ~0.2, MCSE at most ~0.0032, so over 12 MCSE
    with pytest.raises(AssertionError, match="band mean"):
        checks.assert_band_matches(band, exact_mean + 0.04, exact_sd)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda band, mean, sd: (band, mean[:1], sd), ValueError, "mean has 1 points, the band 7"),
        (lambda band, mean, sd: (band, mean, sd[:6]), ValueError, "sd has 6 points"),
        (lambda band, mean, sd: (band, mean, np.full(7, np.nan)), ValueError, "sd contains NaN"),
        (
            lambda band, mean, sd: (mcmc.Band(band.mean * np.nan, band.sd, band.mcse_mean, band.mcse_sd), mean, sd),
            ValueError,
            "band.mean contains NaN",
        ),
        (
            lambda band, mean, sd: (mcmc.Band(band.mean, band.sd, band.mcse_mean[:3], band.mcse_sd), mean, sd),
            ValueError,
            "mcse_mean has 3 points",
        ),
        (lambda band, mean, sd: ((band.mean, band.sd), mean, sd), TypeError, "mcmc.Band"),
    ],
)
def test_band_check_refuses_bad_input(belief, change, error, message):
    band, mean, sd = _band(np.random.default_rng(0), belief, np.linspace(-1, 1, 7))
    with pytest.raises(error, match=message):
        checks.assert_band_matches(*change(band, mean, sd))


def test_band_check_refuses_nan_z(belief):
    band, mean, sd = _band(np.random.default_rng(0), belief, np.linspace(-1, 1, 7))
    with pytest.raises(ValueError, match="z contains NaN"):
        checks.assert_band_matches(band, mean, sd, z=np.nan)


def test_band_check_fails_for_draws_that_do_not_vary():
    band = mcmc.band_from_draws(np.ones((2, 50, 3)))
    with pytest.raises(AssertionError, match="zero or NaN MCSE"):
        checks.assert_band_matches(band, np.ones(3), np.zeros(3))


# --- assert_fits_agree -------------------------------------------------------------------------------


def test_fits_agree_and_return_the_gaps(belief, fake_idata, rng):
    first, _ = fake_idata(rng, belief)
    second, _ = fake_idata(rng, belief, names=("Intercept", "x"))
    gaps = checks.assert_fits_agree(first, second, ["w_b", "w_m"], ["Intercept", "x"], z=Z_PASS)
    assert gaps.shape == (2,)
    # a vector variable is compared entry by entry
    assert checks.assert_fits_agree(first, second, ["w"], z=Z_PASS).shape == (2,)


def test_fits_that_differ_fail_for_any_seed(belief, fake_idata, rng):
    """Once a lucky test: a shift of 3 sd / sqrt(1000) is an expected gap of 4.24 combined MCSE
    against a threshold of 4, failing to fail for about 1 seed in 6. Here the shift is 12 combined
    MCSE of two fits of 4000 independent draws: the gap falls below 4 only 8 sds below its mean."""
    first, _ = fake_idata(rng, belief)
    shift = 12 * belief.sd * np.sqrt(2 / 4000)
    third, _ = fake_idata(rng, conjugate.Gaussian(belief.mean + shift, belief.cov))
    with pytest.raises(AssertionError, match=r"(?s)w_b .* combined MCSE apart.*w_m .* combined MCSE apart"):
        checks.assert_fits_agree(first, third, ["w_b", "w_m"])
    with pytest.raises(AssertionError, match=r"w\[1\] .* combined MCSE apart"):
        checks.assert_fits_agree(first, third, "w")


@pytest.mark.parametrize(
    ("names_a", "names_b", "z", "message"),
    [
        (["w_b", "w_m"], ["w_b"], 4.0, "must pair up, got 2 and 1"),
        (["w_b", "nope"], None, 4.0, r"no posterior \(first fit\) variable\(s\) \['nope'\]"),
        (["w_b"], ["w"], 4.0, r"w_b has shape \(\) per draw, w \(2,\)"),
        (["w_b"], None, np.nan, "z contains NaN"),
        ([], None, 4.0, "at least one variable"),
    ],
)
def test_fits_agree_refuses_bad_input(belief, fake_idata, names_a, names_b, z, message):
    tree, _ = fake_idata(np.random.default_rng(0), belief, n_draws=100)
    with pytest.raises(ValueError, match=message):
        checks.assert_fits_agree(tree, tree, names_a, names_b, z=z)


def test_fits_agree_refuses_nan_draws(make_tree):
    good = make_tree(posterior={"a": np.zeros((2, 50)) + np.arange(50)})
    bad = make_tree(posterior={"a": np.full((2, 50), np.nan)})
    with pytest.raises(ValueError, match="NaN or infinite draws"):
        checks.assert_fits_agree(good, bad, ["a"])


def test_stuck_fits_do_not_agree(make_tree):
    stuck = make_tree(posterior={"a": np.ones((2, 50))})
    with pytest.raises(AssertionError, match="nan combined MCSE apart"):
        checks.assert_fits_agree(stuck, stuck, ["a"])


# --- reweight_to_prior, assert_fits_agree(log_prior_ratio=...) ------------------------------------


def _gaussian_prior_change(belief, prior_mean, prior_sd):
    """The posterior ``belief`` times independent N(prior_mean, prior_sd^2) priors, normalised: exact."""
    precision = np.linalg.inv(belief.cov) + np.diag(1 / prior_sd**2)
    cov = np.linalg.inv(precision)
    mean = cov @ (np.linalg.solve(belief.cov, belief.mean) + prior_mean / prior_sd**2)
    return conjugate.Gaussian(mean, cov)


def _log_normal_prior(prior_mean, prior_sd, names=("w_b", "w_m")):
    def log_prior_ratio(draws):
        return sum(-0.5 * ((draws[name] - m) / s) ** 2 for name, m, s in zip(names, prior_mean, prior_sd, strict=True))

    return log_prior_ratio


def test_reweighting_moves_a_posterior_to_another_prior(belief, fake_idata, rng):
    """Draws of a Gaussian posterior, reweighted by a Gaussian prior, give the exact product's mean and sd."""
    prior_mean, prior_sd = belief.mean + np.array([0.25, -0.25]), np.array([0.3, 0.3])
    target = _gaussian_prior_change(belief, prior_mean, prior_sd)
    tree, _ = fake_idata(rng, belief)
    moved = checks.reweight_to_prior(tree, ["w_b", "w_m"], _log_normal_prior(prior_mean, prior_sd))
    assert 0.5 < moved.ess_share < 1
    n_eff = 4000 * moved.ess_share
    for i, name in enumerate(["w_b", "w_m"]):
        assert abs(moved.mean[name] - target.mean[i]) <= Z_PASS * target.sd[i] / np.sqrt(n_eff)
        assert abs(moved.sd[name] - target.sd[i]) <= Z_PASS * target.sd[i] / np.sqrt(2 * n_eff)
        expected_shift = (target.mean[i] - belief.mean[i]) / belief.sd[i]
        assert abs(moved.shift[name] - expected_shift) <= Z_PASS * 2 / np.sqrt(n_eff)
    # a vector variable is reweighted entry by entry, with the same numbers
    vector = checks.reweight_to_prior(
        tree,
        ["w"],
        lambda d: _log_normal_prior(prior_mean, prior_sd, ["a", "b"])({"a": d["w"][:, 0], "b": d["w"][:, 1]}),
    )
    np.testing.assert_allclose(vector.mean["w"], [moved.mean["w_b"], moved.mean["w_m"]])


def test_fits_under_different_priors_agree_once_reweighted(belief, fake_idata, rng):
    """A prior shift of 10+ combined MCSE fails the plain comparison for any seed; reweighting removes it."""
    prior_mean, prior_sd = belief.mean + np.array([0.25, -0.25]), np.array([0.3, 0.3])
    target = _gaussian_prior_change(belief, prior_mean, prior_sd)
    shift = (target.mean - belief.mean) / (belief.sd * np.sqrt(2 / 4000))
    assert np.all(np.abs(shift) > 10), shift
    first, _ = fake_idata(rng, belief)
    second, _ = fake_idata(rng, target)
    with pytest.raises(AssertionError, match="combined MCSE apart"):
        checks.assert_fits_agree(first, second, ["w_b", "w_m"])
    gaps = checks.assert_fits_agree(
        first, second, ["w_b", "w_m"], z=Z_PASS, log_prior_ratio=_log_normal_prior(prior_mean, prior_sd)
    )
    assert gaps.shape == (2,)


@pytest.mark.parametrize(
    ("log_prior_ratio", "kwargs", "error", "message"),
    [
        ("not a function", {}, TypeError, "log_prior_ratio must be a function"),
        (lambda d: np.zeros(3), {}, ValueError, r"one number per draw, shape \(400,\), got \(3,\)"),
        (lambda d: np.log(d["w_b"] - 2.0), {}, ValueError, "NaN or infinite"),
        (lambda d: -0.5 * ((d["w_b"] - 3.0) / 0.01) ** 2, {}, ValueError, "the priors differ too much"),
        (lambda d: np.zeros(len(d["w_b"])), {"min_ess_share": 0.0}, ValueError, "min_ess_share"),
    ],
)
def test_reweighting_refuses_what_it_cannot_do(belief, fake_idata, log_prior_ratio, kwargs, error, message):
    tree, _ = fake_idata(np.random.default_rng(0), belief, n_draws=100)
    with np.errstate(invalid="ignore", divide="ignore"), pytest.raises(error, match=message):
        checks.reweight_to_prior(tree, ["w_b"], log_prior_ratio, **kwargs)


# --- assert_truth_in_posterior --------------------------------------------------------------------------


def test_truth_in_posterior_passes_and_fails(make_tree, rng):
    tree = make_tree(posterior={"w": rng.normal(1.0, 0.1, size=(4, 500))})
    scores = checks.assert_truth_in_posterior(tree, {"w": 1.0})
    assert isinstance(scores["w"], float) and abs(scores["w"]) <= Z_PASS / np.sqrt(2000)
    with pytest.raises(AssertionError, match="more than 4.0 posterior sds"):
        checks.assert_truth_in_posterior(tree, {"w": 2.0})


def test_truth_in_posterior_checks_each_entry_of_a_vector(make_tree, rng):
    """A vector's entries were once pooled into one mean and one sd: draws around (0, 10) with sd 0.1
    pooled to mean 5 and sd 5, so a truth of 5 (50 sds from each entry) passed. Now each entry has
    its own z-score, and one number for a vector is refused."""
    draws = rng.normal(size=(4, 500, 2)) * 0.1 + np.array([0.0, 10.0])
    tree = make_tree(posterior={"w": draws})
    scores = checks.assert_truth_in_posterior(tree, {"w": [0.0, 10.0]})
    assert scores["w"].shape == (2,)
    with pytest.raises(ValueError, match=r"shape \(2,\) per draw but its truth has shape \(\)"):
        checks.assert_truth_in_posterior(tree, {"w": 5.0})
    with pytest.raises(AssertionError, match=r"'w\[0\]': -\d+\.?\d*, 'w\[1\]': \d"):
        checks.assert_truth_in_posterior(tree, {"w": [5.0, 5.0]})
    with pytest.raises(AssertionError, match=r"\{'w\[1\]': "):
        checks.assert_truth_in_posterior(tree, {"w": [0.0, 9.0]})


@pytest.mark.parametrize(
    ("truth", "z", "error", "message"),
    [
        ({"w": np.nan}, 4.0, ValueError, r"truth\['w'\] contains NaN"),
        ({"w": np.inf}, 4.0, ValueError, r"truth\['w'\] contains NaN or infinite"),
        ({"w": 1.0}, np.nan, ValueError, "z contains NaN"),
        ({"w": 1.0}, -4.0, ValueError, "z must be positive"),
        ({"v": 0.0, "u": 1.0}, 4.0, ValueError, r"no posterior variable\(s\) \['v', 'u'\]; available: \['w', 'bad'\]"),
        ({}, 4.0, ValueError, "truth must name"),
        ({"bad": 1.0}, 4.0, ValueError, "'bad' has 1 NaN or infinite draws"),
        ([("w", 1.0)], 4.0, TypeError, "truth must map"),
    ],
)
def test_truth_in_posterior_refuses_bad_input(make_tree, truth, z, error, message):
    bad = np.ones((4, 500))
    bad[0, 0] = np.nan
    tree = make_tree(posterior={"w": np.random.default_rng(0).normal(1.0, 0.1, size=(4, 500)), "bad": bad})
    with pytest.raises(error, match=message):
        checks.assert_truth_in_posterior(tree, truth, z=z)


def test_truth_in_posterior_fails_for_stuck_draws(make_tree):
    """Constant draws have sd 0: the z-score is NaN (or infinite), a failure, not a pass."""
    tree = make_tree(posterior={"w": np.ones((4, 100))})
    for truth in (1.0, 2.0):
        with pytest.raises(AssertionError, match="posterior sds"):
            checks.assert_truth_in_posterior(tree, {"w": truth})


# --- assert_ppc_mean_matches -----------------------------------------------------------------------------


def test_ppc_mean_check(make_tree, rng):
    replicated = rng.poisson(3.0, size=(2, 300, 100))
    observed = rng.poisson(3.0, size=100)
    tree = make_tree(
        posterior={"w": np.zeros((2, 300))}, observed_data={"y": observed}, posterior_predictive={"y": replicated}
    )
    observed_mean, centre, spread = checks.assert_ppc_mean_matches(tree, "y", z=Z_PASS)
    assert observed_mean == pytest.approx(observed.mean())
    # sd of a mean of 100 Poisson(3) draws: sqrt(3 / 100) = 0.17
    assert abs(centre - 3.0) < 0.05 and 0.12 < spread < 0.23
    shifted = make_tree(
        posterior={"w": np.zeros((2, 300))},
        observed_data={"y": np.full(100, 6.0)},
        posterior_predictive={"y": replicated},
    )
    with pytest.raises(AssertionError, match="sds from the replicated means"):
        checks.assert_ppc_mean_matches(shifted, "y")


@pytest.mark.parametrize(
    ("observed", "replicated", "z", "error", "message"),
    [
        (None, None, 4.0, ValueError, r"no group 'observed_data'; available: \['posterior'\]"),
        (np.ones(100), "y_rep", 4.0, ValueError, r"no posterior_predictive variable\(s\) \['y'\]; .*\['y_rep'\]"),
        (np.ones(100), np.ones((2, 30, 99)), 4.0, ValueError, "observed y has 100 values, each replicated data set 99"),
        (np.r_[np.nan, np.ones(99)], np.ones((2, 30, 100)), 4.0, ValueError, "observed y contains NaN"),
        (np.ones(100), np.full((2, 30, 100), np.inf), 4.0, ValueError, "NaN or infinite draws"),
        (np.ones(100), np.ones((2, 30, 100)), np.nan, ValueError, "z contains NaN"),
        (np.ones(100), np.ones((2, 30, 100)), 4.0, AssertionError, "do not vary"),
    ],
)
def test_ppc_mean_check_refuses_bad_input(make_tree, observed, replicated, z, error, message):
    if observed is None:
        groups = {}
    elif isinstance(replicated, str):
        groups = {"observed_data": {"y": observed}, "posterior_predictive": {"y_rep": np.ones((2, 30, 100))}}
    else:
        groups = {"observed_data": {"y": observed}, "posterior_predictive": {"y": replicated}}
    tree = make_tree(posterior={"w": np.zeros((2, 30))}, **groups)
    with pytest.raises(error, match=message):
        checks.assert_ppc_mean_matches(tree, "y", z=z)


# --- assert_pareto_k_below, assert_elpd_better, assert_increasing ----------------------------------------


class _Loo:
    def __init__(self, k):
        self.pareto_k = xr.DataArray(np.asarray(k, dtype=float), dims="obs")


def test_pareto_k_check():
    assert checks.assert_pareto_k_below(_Loo([0.1, 0.69])) == pytest.approx(0.69)
    with pytest.raises(AssertionError, match="largest Pareto k is 0.800"):
        checks.assert_pareto_k_below(_Loo([0.1, 0.8]))


@pytest.mark.parametrize(
    ("k", "threshold", "error", "message"),
    [
        ([0.1, np.nan], 0.7, AssertionError, "1 Pareto k values are NaN"),
        ([0.1, 0.2], np.nan, ValueError, "threshold contains NaN"),
        ([], 0.7, ValueError, "no Pareto k"),
    ],
)
def test_pareto_k_check_fails_on_nan(k, threshold, error, message):
    with pytest.raises(error, match=message):
        checks.assert_pareto_k_below(_Loo(k), threshold)


def _comparison(overrides=None):
    table = pd.DataFrame({"elpd_diff": [0.0, -30.0, -1.0], "dse": [0.0, 5.0, 2.0]}, index=["quad", "lin", "cubic"])
    for (model, column), value in (overrides or {}).items():
        table.loc[model, column] = value
    return table


def test_elpd_check():
    table = _comparison()
    assert checks.assert_elpd_better(table, "quad", "lin") == (30.0, 5.0)
    with pytest.raises(AssertionError, match="not more than 2.0 x its SE"):
        checks.assert_elpd_better(table, "quad", "cubic")
    with pytest.raises(ValueError, match=r"no model 'x'.*\['quad', 'lin', 'cubic'\]"):
        checks.assert_elpd_better(table, "quad", "x")
    with pytest.raises(ValueError, match="reference='lin'"):
        checks.assert_elpd_better(table, "lin", "quad")


@pytest.mark.parametrize(
    ("table", "n_se", "message"),
    [
        (_comparison({("lin", "elpd_diff"): np.nan}), 2.0, "elpd_diff of 'lin' contains NaN"),
        (_comparison({("lin", "dse"): np.nan}), 2.0, "dse of 'lin' contains NaN"),
        (_comparison({("lin", "dse"): -1.0}), 2.0, "negative"),
        (_comparison({("quad", "elpd_diff"): np.nan}), 2.0, "reference='quad'"),
        (_comparison(), np.nan, "n_se contains NaN"),
    ],
)
def test_elpd_check_refuses_nan(table, n_se, message):
    with pytest.raises(ValueError, match=message):
        checks.assert_elpd_better(table, "quad", "lin", n_se=n_se)


def test_increasing_check_returns_the_steps_in_standard_errors():
    gaps = checks.assert_increasing(["a", "b", "c"], [1.0, 2.0, 3.0], [0.1, 0.1, 0.1])
    np.testing.assert_allclose(gaps, 1 / np.hypot(0.1, 0.1))
    with pytest.raises(AssertionError, match="should exceed"):
        checks.assert_increasing(["a", "b"], [1.0, 1.1], [0.1, 0.1])


@pytest.mark.parametrize(
    ("names", "values", "ses", "z", "message"),
    [
        (["a"], [1.0], [0.1], 4.0, "same length >= 2"),
        (["a", "b"], [1.0, 2.0, 3.0], [0.1, 0.1, 0.1], 4.0, "2 names for 3 values"),
        (["a", "b"], [1.0, 2.0], [0.1], 4.0, "same length"),
        (["a", "b"], [1.0, np.nan], [0.1, 0.1], 4.0, "values contains NaN"),
        (["a", "b"], [1.0, 2.0], [0.1, np.nan], 4.0, "ses contains NaN"),
        (["a", "b"], [1.0, 2.0], [0.1, -0.1], 4.0, "ses must not be negative"),
        (["a", "b"], [1.0, 2.0], [0.1, 0.1], np.nan, "z contains NaN"),
    ],
)
def test_increasing_check_refuses_bad_input(names, values, ses, z, message):
    with pytest.raises(ValueError, match=message):
        checks.assert_increasing(names, values, ses, z=z)


# --- Budget: a chapter's false-alarm budget, counted by the checks -------------------------------------


def test_budget_z_is_the_bonferroni_z_and_prints_what_it_is():
    budget = checks.Budget(comparisons=12, alarm_rate=5e-4)
    assert budget.z == checks.bonferroni_z(12, 5e-4)
    assert budget.alpha == pytest.approx(5e-4 / 12) and 2 * stats.norm.sf(budget.z) == pytest.approx(budget.alpha)
    assert (budget.comparisons, budget.alarm_rate, budget.spent, budget.remaining) == (12, 5e-4, 0, 12)
    assert repr(budget) == f"Budget(comparisons=12, alarm_rate=0.0005): z = {budget.z:.3f}, 0 compared so far"
    assert budget.spend(3, "hand-written gaps") == budget.z
    assert budget.spend(3, "hand-written gaps") == budget.z
    assert budget.spent == 6 and budget.remaining == 6
    assert "6  hand-written gaps (2 x 3)" in str(budget) and "6 compared so far" in str(budget)


def _budget_cases():
    """(name, call(z), values compared): each check with one or more shapes, at a generous z."""
    rng = np.random.default_rng(0)
    two = conjugate.Gaussian(np.array([2.0, 0.3]), np.array([[0.01, -0.004], [-0.004, 0.02]]))
    three = conjugate.Gaussian(np.zeros(3), np.diag([1.0, 2.0, 3.0]))
    draws_2, draws_3 = conjugate.sample_gaussian(rng, two, 4000), conjugate.sample_gaussian(rng, three, 4000)
    weights = draws_2.reshape(4, 1000, 2)
    from conftest import datatree

    tree = datatree(posterior={"w_b": weights[..., 0], "w": weights, "v": rng.normal(size=(4, 1000, 3))})
    other = datatree(posterior={"w_b": weights[::-1, :, 0], "w": weights[::-1]})
    x = np.linspace(-1, 1, 7)
    band = mcmc.band_from_draws(mcmc.line_draws(weights, x))
    exact_mean, exact_sd = conjugate.predictive(two, conjugate.design_matrix(x))
    ppc = datatree(
        posterior={"w": np.zeros((2, 300))},
        observed_data={"y": rng.poisson(3.0, size=100)},
        posterior_predictive={"y": rng.poisson(3.0, size=(2, 300, 100))},
    )
    return [
        ("draws_match 2-D: 2 means + 3 (co)variances", lambda z: checks.assert_draws_match(draws_2, two, z=z), 5),
        ("draws_match 3-D: 3 means + 6 (co)variances", lambda z: checks.assert_draws_match(draws_3, three, z=z), 9),
        ("mcmc mean of a scalar", lambda z: checks.assert_mcmc_mean_matches(tree, "w_b", 2.0, z=z), 1),
        ("mcmc mean of a vector", lambda z: checks.assert_mcmc_mean_matches(tree, "w", two.mean, z=z), 2),
        ("band: mean and sd at 7 points", lambda z: checks.assert_band_matches(band, exact_mean, exact_sd, z=z), 14),
        ("fits agree: a scalar and a vector", lambda z: checks.assert_fits_agree(tree, other, ["w_b", "w"], z=z), 3),
        (
            "truth in posterior: a scalar and 3 entries",
            lambda z: checks.assert_truth_in_posterior(tree, {"w_b": 2.0, "v": np.zeros(3)}, z=z),
            4,
        ),
        ("ppc mean: one number", lambda z: checks.assert_ppc_mean_matches(ppc, "y", z=z), 1),
        ("increasing: 3 steps", lambda z: checks.assert_increasing(list("abcd"), [1.0, 2, 3, 4], [0.1] * 4, z=z), 3),
    ]


@pytest.mark.parametrize(("case", "expected"), [(name, n) for name, _, n in _budget_cases()])
def test_each_check_spends_the_values_it_compares(case, expected):
    call = {name: call for name, call, _ in _budget_cases()}[case]
    budget = checks.Budget(comparisons=expected, alarm_rate=1e-6)
    call(budget)
    assert budget.spent == expected
    assert budget.settle() is budget


@pytest.mark.parametrize(("case", "expected"), [(name, n) for name, _, n in _budget_cases()])
def test_a_number_z_still_works_and_matches_the_budget(case, expected):
    call = {name: call for name, call, _ in _budget_cases()}[case]
    z = checks.bonferroni_z(expected, 1e-6)
    np.testing.assert_equal(call(z), call(checks.Budget(expected, 1e-6)))


def test_an_overspent_budget_fails_at_once_before_comparing(belief, rng):
    budget = checks.Budget(comparisons=7)
    draws = conjugate.sample_gaussian(rng, belief, 4000)
    checks.assert_draws_match(draws, belief, z=budget)  # 5 of 7
    # the second call would also fail its comparison (a 40-sd shift): the budget's failure comes first
    shifted = draws + 40 * belief.sd
    with pytest.raises(AssertionError, match=r"7 planned, 10 compared so far(?s:.*)10  assert_draws_match"):
        checks.assert_draws_match(shifted, belief, z=budget)
    with pytest.raises(AssertionError, match="7 planned, 11 compared so far"):
        budget.spend(1, "a hand-written gap")


@pytest.mark.parametrize(("spend", "message"), [(4, r"compared 4 values.*across 6: lower comparisons to 4")])
def test_settle_fails_on_an_underspent_budget(spend, message):
    budget = checks.Budget(comparisons=6)
    budget.spend(spend, "slopes")
    with pytest.raises(AssertionError, match=message + r"(?s:.*)4  slopes"):
        budget.settle()
    budget.spend(2, "intercepts")
    assert budget.settle().spent == 6


def test_settle_fails_on_an_overspent_budget_and_on_nothing_compared():
    budget = checks.Budget(comparisons=2)
    with pytest.raises(AssertionError, match="no check spent this budget of 2 comparisons"):
        budget.settle()
    with pytest.raises(AssertionError, match="2 planned, 3 compared"):
        budget.spend(3, "too many")
    with pytest.raises(AssertionError, match="compared 3 values, its budget is split across 2: raise comparisons to 3"):
        budget.settle()


def test_bad_input_to_a_check_spends_nothing(belief):
    budget = checks.Budget(comparisons=5)
    with pytest.raises(ValueError, match="draws contains NaN"):
        checks.assert_draws_match(np.full((10, 2), np.nan), belief, z=budget)
    assert budget.spent == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"comparisons": 0}, ValueError, "comparisons must be a positive integer"),
        ({"comparisons": -3}, ValueError, "comparisons must be a positive integer"),
        ({"comparisons": 2.0}, ValueError, "comparisons must be a positive integer"),
        ({"comparisons": True}, ValueError, "comparisons must be a positive integer"),
        ({"comparisons": "10"}, ValueError, "comparisons must be a positive integer"),
        ({"comparisons": 10, "alarm_rate": 0.0}, ValueError, "alarm_rate must lie strictly between 0 and 1"),
        ({"comparisons": 10, "alarm_rate": 1.0}, ValueError, "alarm_rate must lie strictly between 0 and 1"),
        ({"comparisons": 10, "alarm_rate": -1e-3}, ValueError, "alarm_rate must lie strictly between 0 and 1"),
        ({"comparisons": 10, "alarm_rate": np.nan}, ValueError, "alarm_rate must lie strictly between 0 and 1"),
        ({"comparisons": 10, "alarm_rate": "1e-3"}, TypeError, "alarm_rate must be a number"),
    ],
)
def test_budget_refuses_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        checks.Budget(**kwargs)


@pytest.mark.parametrize(
    ("k", "what", "error", "message"),
    [
        (0, "x", ValueError, "k must be a positive integer"),
        (1.5, "x", ValueError, "k must be a positive integer"),
        (True, "x", ValueError, "k must be a positive integer"),
        (1, 3, TypeError, "what must be a string"),
    ],
)
def test_spend_refuses_bad_input(k, what, error, message):
    budget = checks.Budget(comparisons=5)
    with pytest.raises(error, match=message):
        budget.spend(k, what)
    assert budget.spent == 0


def test_package_version_is_the_pyproject_version():
    """One source: ``__version__`` is read from the installed metadata of pyproject.toml's version."""
    import tomllib
    from pathlib import Path

    import bayes_linreg

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert bayes_linreg.__version__ == pyproject["project"]["version"], "stale install: run make venv"
