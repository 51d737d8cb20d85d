"""Reading MCMC output for the checks: draws by chain, lines and bands with Monte-Carlo standard errors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import finite_array
from .conjugate import line_values

def stack_draws(idata, var_names) -> np.ndarray:
    """Posterior draws of scalar variables as columns of one (chains * draws, len(var_names)) array."""
    posterior = idata["posterior"]
    missing = [name for name in var_names if name not in posterior]
    if missing:
        raise ValueError(f"no posterior variable(s) {missing}; available: {list(posterior.data_vars)}")
    return np.column_stack([posterior[name].values.reshape(-1) for name in var_names])


def chain_draws(idata, var_names, group: str = "posterior") -> np.ndarray:
    """Draws of the named variables as one ``(chain, draw, k)`` array, keeping the chains apart.

    A scalar variable gives one column, a vector variable (such as an ``MvNormal``, or one value per
    observation) one column per entry, in order. ``group`` is any group with ``chain`` and ``draw``
    dimensions: ``"posterior"``, ``"prior"`` (``pm.sample_prior_predictive``), ``"posterior_predictive"``.
    """
    if group not in idata.children:
        raise ValueError(f"no group {group!r}; available: {list(idata.children)}")
    dataset = idata[group]
    missing = [name for name in var_names if name not in dataset]
    if missing:
        raise ValueError(f"no {group} variable(s) {missing}; available: {list(dataset.data_vars)}")
    columns = []
    for name in var_names:
        values = dataset[name].transpose("chain", "draw", ...).values
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
    import arviz as az

    values = finite_array(values, "values", ndim=3)
    if values.shape[0] < 2 or values.shape[1] < 4:
        raise ValueError(f"values must be (chain, draw, n) with at least 2 chains and 4 draws, got {values.shape}")
    pooled = values.reshape(-1, values.shape[-1])
    return Band(
        mean=pooled.mean(axis=0),
        sd=pooled.std(axis=0, ddof=1),
        mcse_mean=np.asarray(az.mcse(values, method="mean")),
        mcse_sd=np.asarray(az.mcse(values, method="sd")),
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
    """
    import arviz as az

    sizes = [az.ess(idata, var_names=list(var_names), method=method) for method in ("bulk", "tail", "sd")]
    per_method = [np.concatenate([np.ravel(size[name].values) for name in var_names]) for size in sizes]
    return np.min(per_method, axis=0)
