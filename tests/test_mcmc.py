"""bayes_linreg.mcmc: reading draws by chain, lines, bands and intervals with Monte-Carlo errors.

MCMC output is imitated with independent draws in an ``xarray.DataTree`` (the ``fake_idata``
fixture): the readers only see the groups, so no sampler has to run here.
"""

import numpy as np
import pytest

from bayes_linreg import conjugate, mcmc


def test_chain_draws_keeps_chains_and_expands_vectors(belief, fake_idata):
    tree, weights = fake_idata(np.random.default_rng(0), belief, chains=3, n_draws=50)
    np.testing.assert_array_equal(mcmc.chain_draws(tree, ["w_b", "w_m"]), weights)
    np.testing.assert_array_equal(mcmc.chain_draws(tree, ["w"]), weights)
    np.testing.assert_array_equal(mcmc.chain_draws(tree, ["w_m", "w"])[..., 0], weights[..., 1])
    np.testing.assert_array_equal(mcmc.chain_draws(tree, "w_m")[..., 0], weights[..., 1])


def test_chain_draws_reads_the_prior_group(belief, fake_idata):
    tree, weights = fake_idata(np.random.default_rng(0), belief, chains=1, n_draws=20, group="prior")
    np.testing.assert_array_equal(mcmc.chain_draws(tree, ["w_b", "w_m"], group="prior"), weights)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"group": "prior"}, r"no group 'prior'; available: \['posterior'\]"),
        (
            {"var_names": ["nope", "w_b", "also_not"]},
            r"no posterior variable\(s\) \['nope', 'also_not'\]; available: \['w_b', 'w_m', 'w'\]",
        ),
        ({"var_names": []}, "at least one variable"),
    ],
)
def test_chain_draws_refuses_unknown_names(belief, fake_idata, kwargs, message):
    tree, _ = fake_idata(np.random.default_rng(0), belief, n_draws=10)
    arguments = {"var_names": ["w_b"]} | kwargs
    with pytest.raises(ValueError, match=message):
        mcmc.chain_draws(tree, **arguments)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_readers_refuse_nan_or_infinite_draws(make_tree, bad):
    values = np.zeros((2, 10))
    values[1, 3] = bad
    tree = make_tree(posterior={"a": values})
    for reader in (mcmc.chain_draws, mcmc.stack_draws, mcmc.effective_sizes):
        with pytest.raises(ValueError, match="'a' has 1 NaN or infinite draws out of 20"):
            reader(tree, ["a"])


def test_stack_draws_pools_chains_and_expands_vectors(belief, fake_idata):
    tree, weights = fake_idata(np.random.default_rng(1), belief, chains=2, n_draws=30)
    np.testing.assert_array_equal(mcmc.stack_draws(tree, ["w_b", "w_m"]), weights.reshape(-1, 2))
    # a vector variable gives one column per entry, never one column of pooled entries
    np.testing.assert_array_equal(mcmc.stack_draws(tree, ["w"]), weights.reshape(-1, 2))
    assert mcmc.stack_draws(tree, "w_b").shape == (60, 1)


def test_line_draws_matches_line_values(belief):
    weights = conjugate.sample_gaussian(np.random.default_rng(1), belief, 12).reshape(3, 4, 2)
    x = np.linspace(-1, 1, 5)
    lines = mcmc.line_draws(weights, x)
    assert lines.shape == (3, 4, 5)
    np.testing.assert_allclose(lines[1, 2], weights[1, 2, 0] + weights[1, 2, 1] * x)


def test_line_draws_refuses_a_single_vector():
    with pytest.raises(ValueError, match="at least 2-D"):
        mcmc.line_draws(np.array([1.0, 2.0]), np.zeros(3))


def test_band_of_independent_draws_has_textbook_standard_errors(belief, fake_idata, rng):
    _, weights = fake_idata(rng, belief)
    x = np.linspace(-1, 1, 7)
    band = mcmc.band_from_draws(mcmc.line_draws(weights, x))
    _, exact_sd = conjugate.predictive(belief, conjugate.design_matrix(x))
    n = weights.shape[0] * weights.shape[1]
    # For independent draws the MCSE is sd / sqrt(n) for the mean and about sd / sqrt(2n) for the sd.
    # The estimates scatter by a few percent (ESS estimated from 4000 draws); 25 % is many sds.
    np.testing.assert_allclose(band.mcse_mean, exact_sd / np.sqrt(n), rtol=0.25)
    np.testing.assert_allclose(band.mcse_sd, exact_sd / np.sqrt(2 * n), rtol=0.25)


def test_band_from_draws_needs_chains():
    with pytest.raises(ValueError, match="at least 2 chains"):
        mcmc.band_from_draws(np.zeros((1, 100, 3)))


def test_band_from_draws_refuses_nan():
    values = np.zeros((2, 10, 3))
    values[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="values contains NaN"):
        mcmc.band_from_draws(values)


def test_interval_from_draws_covers_the_right_mass(rng):
    n = 4 * 10_000
    values = rng.normal(size=(4, n // 4, 2))
    lower, upper = mcmc.interval_from_draws(values, 0.95)
    # sd of a sample quantile: sqrt(p (1 - p) / n) / density at the quantile; 6 of them
    tolerance = 6 * np.sqrt(0.025 * 0.975 / n) / np.exp(-(1.96**2) / 2) * np.sqrt(2 * np.pi)
    np.testing.assert_allclose(lower, -1.96, atol=tolerance)
    np.testing.assert_allclose(upper, 1.96, atol=tolerance)


@pytest.mark.parametrize("prob", [1.0, 0.0, np.nan])
def test_interval_from_draws_refuses_bad_prob(prob):
    with pytest.raises(ValueError, match="prob"):
        mcmc.interval_from_draws(np.zeros((2, 10, 1)), prob)


def test_effective_sizes_of_independent_draws_are_near_n(belief, fake_idata, rng):
    tree, _ = fake_idata(rng, belief)
    sizes = mcmc.effective_sizes(tree, ["w_b", "w_m"])
    assert sizes.shape == (2,)
    assert np.all((sizes > 3000) & (sizes < 5000)), sizes
    np.testing.assert_array_equal(mcmc.effective_sizes(tree, ["w"]), sizes)


def test_effective_sizes_of_a_stuck_chain_are_nan(make_tree):
    """ArviZ gives constant draws an ESS equal to the number of draws; the reader gives NaN, which
    assert_draws_match refuses as n_eff."""
    moving = np.random.default_rng(0).normal(size=(4, 100))
    one_stuck = moving.copy()
    one_stuck[2] = 0.5
    tree = make_tree(posterior={"all": np.ones((4, 100)), "one": one_stuck, "fine": moving})
    sizes = mcmc.effective_sizes(tree, ["all", "one", "fine"])
    assert np.isnan(sizes[:2]).all() and sizes[2] > 100


def test_readers_refuse_what_is_not_a_datatree():
    with pytest.raises(TypeError, match="expected an xarray.DataTree"):
        mcmc.chain_draws({"posterior": {}}, ["a"])


def test_stuck_chains_marks_each_constant_chain_and_column():
    values = np.random.default_rng(0).normal(size=(3, 50, 2))
    values[1, :, 0] = 2.5
    expected = np.zeros((3, 2), bool)
    expected[1, 0] = True
    np.testing.assert_array_equal(mcmc.stuck_chains(values), expected)
    with pytest.raises(ValueError, match="3-dimensional"):
        mcmc.stuck_chains(values[0])


@pytest.mark.parametrize(
    ("var_names", "error", "message"),
    [([1, "w_b"], TypeError, r"var_names must hold variable names \(strings\), got 1"), (3, TypeError, "a name or")],
)
def test_chain_draws_refuses_names_that_are_not_strings(belief, fake_idata, var_names, error, message):
    """Variable names and the labels of compared numbers share one reader (_validate.name_list): labels may be
    numbers (grid points), variable names may not."""
    tree, _ = fake_idata(np.random.default_rng(0), belief, n_draws=10)
    with pytest.raises(error, match=message):
        mcmc.chain_draws(tree, var_names)
