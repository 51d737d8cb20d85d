"""Helpers around PyMC/Bambi sampling that several chapters share."""

from __future__ import annotations

import logging

import numpy as np

SAMPLER_LOGGERS = ("pymc", "pytensor", "bambi", "formulae", "arviz", "nutpie")


def quiet_sampling() -> None:
    """Keep sampler chatter ("Initializing NUTS...", "Sampling 4 chains...") off the page.

    Only log records below ERROR are dropped; real errors still surface.
    """
    for name in SAMPLER_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def stack_draws(idata, var_names) -> np.ndarray:
    """Posterior draws of scalar variables as columns of one (chains * draws, len(var_names)) array."""
    posterior = idata["posterior"]
    missing = [name for name in var_names if name not in posterior]
    if missing:
        raise ValueError(f"no posterior variable(s) {missing}; available: {list(posterior.data_vars)}")
    return np.column_stack([posterior[name].values.reshape(-1) for name in var_names])
