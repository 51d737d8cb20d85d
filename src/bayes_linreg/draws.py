"""Random draws of weights and of the lines they define."""

from __future__ import annotations

import numpy as np

from ._validate import cholesky, finite_array, positive_int
from .conjugate import Gaussian
from .data import design_matrix


def sample_weights(rng: np.random.Generator, belief: Gaussian, size: int) -> np.ndarray:
    """``size`` draws from ``N(mean, cov)`` as rows: ``w = mean + z @ L.T`` with ``cov = L @ L.T``.

    Each row ``z`` is standard normal, so ``L @ z`` has covariance ``L @ L.T = cov``.
    """
    size = positive_int(size, "size")
    factor = cholesky(belief.cov, "cov")
    z = rng.standard_normal((size, belief.mean.size))
    return belief.mean + z @ factor.T


def line_values(weights, x) -> np.ndarray:
    """Values of the polynomial each row of ``weights`` defines, at every ``x``: shape (draws, len(x))."""
    weights = finite_array(weights, "weights", ndim=2)
    if weights.shape[1] < 2:
        raise ValueError(f"weights needs at least two columns (intercept, slope), got {weights.shape[1]}")
    return weights @ design_matrix(x, degree=weights.shape[1] - 1).T
