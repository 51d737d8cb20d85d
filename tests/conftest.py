"""Shared fixtures of the package's unit tests (test_conjugate, test_calibration, test_mcmc, test_checks),
and the order in which `make test` runs everything.

Randomised tests take the ``seed`` fixture and so run for 50 seeds each: a test that passes only for a
lucky seed shows up here. Their tolerances are set for a false-alarm rate far below 1 in 50 x the
number of tests.
"""

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from bayes_linreg import conjugate
from booktools.chapters import ROOT, expected_cost


def _chapter_run(item) -> Path | None:
    """The chapter an item executes: a cell of an nbval notebook, or a reader download's run."""
    if item.path.suffix == ".ipynb":
        return ROOT / "chapters" / f"{item.path.stem}.md"
    chapter = getattr(item, "callspec", None) and item.callspec.params.get("chapter")
    if item.path.name == "test_reader_notebooks.py" and item.name.startswith("test_download_runs") and chapter:
        return chapter
    return None


def pytest_collection_modifyitems(items):
    """Start the longest work first, so that `make test`'s two workers finish at about the same time.

    `make test` runs ``-n 2 --dist loadfile --no-loadscope-reorder``: each file (a test module, or an
    nbval notebook, whose cells share a kernel) goes whole to the next free worker, in the order of
    its first item here. The hosted-stack downloads come first, then the reader downloads' runs
    (test_reader_notebooks.py), then the
    nbval notebooks, longest expected first, then the browser test, then the unit tests.
    """

    def order(item):
        if item.path.name == "test_hosted_stack.py":
            return (-1, 0, 0)  # the longest file: a venv per copy, each installing the whole stack
        chapter = _chapter_run(item)
        if chapter is not None:
            fits, calls = expected_cost(chapter)
            return (0, -fits, -calls)
        return (1 if item.path.name == "test_browser.py" else 2, 0, 0)

    items.sort(key=order)


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
