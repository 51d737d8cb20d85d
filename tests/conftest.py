"""Shared fixtures of the package's unit tests (test_conjugate, test_calibration, test_mcmc, test_checks).

Randomised tests take the ``seed`` fixture and so run for 50 seeds each: a test that passes only for a
lucky seed shows up here. Their tolerances are set for a false-alarm rate far below 1 in 50 x the
number of tests.
"""

import numpy as np
import pytest
import xarray as xr

from bayes_linreg import conjugate

N_SEEDS = 50


@pytest.fixture(params=range(N_SEEDS), ids=lambda seed: f"seed{seed}")
def seed(request):
    """Each randomised test runs once per seed, 0 to 49."""
    return request.param


@pytest.fixture
def rng(seed):
    """A fresh generator for every seed."""
    return np.random.default_rng(seed)


@pytest.fixture
def belief():
    """A correlated Gaussian over (intercept, slope), unequal sds: what a posterior looks like."""
    return conjugate.Gaussian(np.array([2.0, 0.3]), np.array([[0.01, -0.004], [-0.004, 0.02]]))


@pytest.fixture
def demo():
    """The blog series' demo problem: 11 points, x ~ U(-1, 1), y = 2 + 0.3 x + N(0, 0.1^2); (x, y, phi)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 11)
    y = 2.0 + 0.3 * x + 0.1 * rng.standard_normal(11)
    return x, y, conjugate.design_matrix(x)


def datatree(posterior=None, sample_stats=None, **groups):
    """A DataTree from ``{group: {name: array}}``; arrays are ``(chain, draw, ...)`` (``observed_data``: any shape)."""
    groups = {"posterior": posterior, "sample_stats": sample_stats, **groups}
    datasets = {}
    for group, variables in groups.items():
        if variables is None:
            continue
        data_vars = {}
        for name, values in variables.items():
            values = np.asarray(values)
            leading = () if group == "observed_data" else ("chain", "draw")
            extra = tuple(f"{name}_dim_{i}" for i in range(values.ndim - len(leading)))
            data_vars[name] = (leading + extra, values)
        datasets[group] = xr.Dataset(data_vars)
    return xr.DataTree.from_dict(datasets)


@pytest.fixture
def make_tree():
    """The :func:`datatree` builder."""
    return datatree


@pytest.fixture
def fake_idata():
    """Imitated MCMC output: independent draws of a Gaussian in a DataTree, as scalars and as a vector.

    ``fake_idata(rng, belief, chains, n_draws, group, names)`` returns ``(tree, weights)``: the group
    holds one scalar variable per name and the vector ``w``; ``weights`` is ``(chain, draw, dim)``.
    """

    def build(rng, belief, chains=4, n_draws=1000, group="posterior", names=("w_b", "w_m")):
        weights = conjugate.sample_gaussian(rng, belief, chains * n_draws).reshape(chains, n_draws, -1)
        variables = {name: weights[..., i] for i, name in enumerate(names)}
        variables["w"] = weights
        return datatree(**{"posterior": None, group: variables}), weights

    return build
