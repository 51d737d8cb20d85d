"""Reading MCMC output for the checks: draws by chain, lines and bands with Monte-Carlo standard errors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import finite_array, name_list
from .conjugate import line_values


def group_of(idata, group: str = "posterior"):
    """The ``group`` of a DataTree, or a clear ``ValueError`` listing the groups it has."""
    children = getattr(idata, "children", None)
    if children is None:
        raise TypeError(f"expected an xarray.DataTree (ArviZ InferenceData), got {type(idata).__name__}")
    if group not in children:
        raise ValueError(f"no group {group!r}; available: {list(children)}")
    return idata[group]


def require_variables(dataset, var_names, group: str = "posterior") -> list[str]:
    """The names, after checking every one is a variable of ``dataset`` (else a ``ValueError`` naming them)."""
    names = name_list(var_names, "var_names")
    missing = [name for name in names if name not in dataset.data_vars]
    if missing:
        raise ValueError(f"no {group} variable(s) {missing}; available: {list(dataset.data_vars)}")
    return names


def variable_draws(dataset, name: str, group: str = "posterior") -> np.ndarray:
    """Draws of one variable as a ``(chain, draw, *shape)`` float array, refusing NaN or infinite draws."""
    values = dataset[name]
    for dim in ("chain", "draw"):
        if dim not in values.dims:
            raise ValueError(f"{group} variable {name!r} has no {dim!r} dimension (dims {values.dims})")
    values = np.asarray(values.transpose("chain", "draw", ...).values, dtype=float)
    bad = int(np.size(values) - np.count_nonzero(np.isfinite(values)))
    if bad:
        raise ValueError(f"{group} variable {name!r} has {bad} NaN or infinite draws out of {values.size}")
    return values


def diagnostic(values, function: str, **kwargs) -> np.ndarray:
    """An ArviZ diagnostic (``"rhat"``, ``"ess"``, ``"mcse"``) of ``(chain, draw, k)`` draws: one value per column.

    NaN results (constant draws) are returned as NaN, without numpy's warnings.
    """
    import arviz as az
    import xarray as xr

    values = np.asarray(values, dtype=float)
    array = xr.DataArray(values, dims=("chain", "draw", "column"))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(getattr(az, function)(array, **kwargs).values, dtype=float).reshape(values.shape[2])


def stuck_chains(values) -> np.ndarray:
    """Which chains are stuck: ``(chain, draw, k)`` draws give a ``(chain, k)`` boolean array, true
    where a chain's draws of a column never change.

    ArviZ reports NaN r-hat and an ESS equal to the number of draws for such a column, as if a
    chain that never moved were perfectly mixed; the checks treat it as a failure instead.
    """
    values = finite_array(values, "values", ndim=3)
    return np.ptp(values, axis=1) == 0


def stack_draws(idata, var_names) -> np.ndarray:
    """Posterior draws as columns of one ``(chains * draws, k)`` array.

    A scalar variable gives one column; a vector variable one column per entry, in order (as in
    :func:`chain_draws`). NaN or infinite draws are refused.
    """
    values = chain_draws(idata, var_names)
    return values.reshape(-1, values.shape[-1])


def chain_draws(idata, var_names, group: str = "posterior") -> np.ndarray:
    """Draws of the named variables as one ``(chain, draw, k)`` array, keeping the chains apart.

    A scalar variable gives one column, a vector variable (such as an ``MvNormal``, or one value per
    observation) one column per entry, in order. ``group`` is any group with ``chain`` and ``draw``
    dimensions: ``"posterior"``, ``"prior"`` (``pm.sample_prior_predictive``), ``"posterior_predictive"``.
    NaN or infinite draws are refused with a ``ValueError``.
    """
    dataset = group_of(idata, group)
    names = require_variables(dataset, var_names, group)
    columns = []
    for name in names:
        values = variable_draws(dataset, name, group)
        columns.append(values.reshape(values.shape[0], values.shape[1], -1))
    return np.concatenate(columns, axis=-1)


def line_draws(weights, x) -> np.ndarray:
    """Value of every drawn line at every ``x``: weights ``(..., k)`` give ``(..., len(x))``.

    Column ``j`` of the weights multiplies ``x**j`` (intercept, slope, ...), as in :func:`.conjugate.line_values`.
    """
    weights = finite_array(weights, "weights")
    if weights.ndim < 2:
        raise ValueError(f"weights must hold one draw per row (at least 2-D), got shape {weights.shape}")
    flat = line_values(weights.reshape(-1, weights.shape[-1]), x)
    return flat.reshape(*weights.shape[:-1], flat.shape[-1])


@dataclass(frozen=True)
class Band:
    """Pointwise summary of draws ``(chain, draw, n)``: mean and sd, each with its Monte-Carlo standard error."""

    mean: np.ndarray
    sd: np.ndarray
    mcse_mean: np.ndarray
    mcse_sd: np.ndarray


def band_from_draws(values) -> Band:
    """Mean and sd over chains and draws at every point, with MCSEs that account for autocorrelation."""
    values = finite_array(values, "values", ndim=3)
    if values.shape[0] < 2 or values.shape[1] < 4:
        raise ValueError(f"values must be (chain, draw, n) with at least 2 chains and 4 draws, got {values.shape}")
    pooled = values.reshape(-1, values.shape[-1])
    return Band(
        mean=pooled.mean(axis=0),
        sd=pooled.std(axis=0, ddof=1),
        mcse_mean=diagnostic(values, "mcse", method="mean"),
        mcse_sd=diagnostic(values, "mcse", method="sd"),
    )


def interval_from_draws(values, prob: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise central ``prob`` interval (equal-tailed quantiles) over every axis but the last."""
    if not 0 < prob < 1:
        raise ValueError(f"prob must lie strictly between 0 and 1, got {prob}")
    values = finite_array(values, "values")
    pooled = values.reshape(-1, values.shape[-1])
    lower, upper = np.quantile(pooled, [(1 - prob) / 2, (1 + prob) / 2], axis=0)
    return lower, upper


def effective_sizes(idata, var_names) -> np.ndarray:
    """A conservative effective sample size per variable: the smallest of the bulk, tail and sd ESS.

    Means need the bulk ESS, covariances the ESS of squares (``method="sd"``); NUTS can make the
    first exceed the number of draws, so comparing covariances with it would be overconfident.
    One value per scalar variable, one per entry of a vector variable, in order. A column with a
    stuck chain (draws that never change) gets NaN: ArviZ would report the number of draws there,
    as if a chain that never moved were perfectly mixed.
    """
    values = chain_draws(idata, var_names)
    sizes = np.min([diagnostic(values, "ess", method=method) for method in ("bulk", "tail", "sd")], axis=0)
    stuck = stuck_chains(values).any(axis=0)
    return np.where(stuck, np.nan, sizes)
