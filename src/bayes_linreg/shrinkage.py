"""Reference implementations: posterior modes under Gaussian and Laplace priors (ridge and lasso).

Model: ``y = X @ w + eps`` with ``eps ~ N(0, noise_sd**2 I)`` and, independently for every weight,
a Gaussian prior ``N(0, prior_sd**2)`` or a Laplace prior with density ``exp(-|w| / scale) / (2 scale)``.
The posterior mode (MAP) minimises the negative log posterior

    Gaussian:  ||y - X w||^2 / (2 noise_sd^2) + ||w||^2 / (2 prior_sd^2)
    Laplace:   ||y - X w||^2 / (2 noise_sd^2) + ||w||_1 / scale

Multiplying by ``2 noise_sd^2`` gives scikit-learn's ``Ridge`` objective ``||y - X w||^2 + a ||w||^2`` with
``a = noise_sd^2 / prior_sd^2``; multiplying by ``noise_sd^2 / n`` gives ``Lasso``'s
``||y - X w||^2 / (2 n) + a ||w||_1`` with ``a = noise_sd^2 / (n scale)``.

No intercept: centre ``X`` and ``y`` first (with centred columns an intercept with a flat prior separates
from the weights exactly). The Gaussian mode is a linear solve (Cholesky); the Laplace mode is found by
cyclic coordinate descent with exact soft-thresholding, which lands on exact zeros, and is certified by
:func:`laplace_optimality_gap` (the smallest subgradient, zero exactly at the mode).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cho_solve

from ._validate import cholesky, finite_array, positive_int, positive_scalar


def _design_and_response(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = finite_array(x, "X", ndim=2)
    y = finite_array(y, "y", ndim=1)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"X has {x.shape[0]} rows but y has {y.shape[0]} values: lengths must match")
    if x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"X must have at least one row and one column, got shape {x.shape}")
    return x, y


def _weights(w, dim: int) -> np.ndarray:
    w = finite_array(w, "w", ndim=1)
    if w.size != dim:
        raise ValueError(f"w has {w.size} entries but X has {dim} columns")
    return w


def ridge_penalty(noise_sd: float, prior_sd: float) -> float:
    """scikit-learn ``Ridge``'s ``alpha`` for a ``N(0, prior_sd^2)`` prior and noise sd ``noise_sd``."""
    return positive_scalar(noise_sd, "noise_sd") ** 2 / positive_scalar(prior_sd, "prior_sd") ** 2


def lasso_penalty(noise_sd: float, scale: float, n: int) -> float:
    """scikit-learn ``Lasso``'s ``alpha`` for a Laplace(0, ``scale``) prior, noise sd ``noise_sd``, ``n`` rows."""
    n = positive_int(n, "n")
    return positive_scalar(noise_sd, "noise_sd") ** 2 / (n * positive_scalar(scale, "scale"))


def gaussian_neg_log_posterior(x, y, w, noise_sd: float, prior_sd: float) -> float:
    """The Gaussian-prior objective above (the negative log posterior up to a constant) at ``w``."""
    x, y = _design_and_response(x, y)
    w = _weights(w, x.shape[1])
    noise_sd, prior_sd = positive_scalar(noise_sd, "noise_sd"), positive_scalar(prior_sd, "prior_sd")
    r = y - x @ w
    return float(r @ r / (2 * noise_sd**2) + w @ w / (2 * prior_sd**2))


def laplace_neg_log_posterior(x, y, w, noise_sd: float, scale: float) -> float:
    """The Laplace-prior objective above (the negative log posterior up to a constant) at ``w``."""
    x, y = _design_and_response(x, y)
    w = _weights(w, x.shape[1])
    noise_sd, scale = positive_scalar(noise_sd, "noise_sd"), positive_scalar(scale, "scale")
    r = y - x @ w
    return float(r @ r / (2 * noise_sd**2) + np.abs(w).sum() / scale)


def gaussian_map(x, y, noise_sd: float, prior_sd: float) -> np.ndarray:
    """The posterior mode (= mean) under independent ``N(0, prior_sd^2)`` priors: a Cholesky solve of
    ``(X^T X + a I) w = X^T y`` with ``a = noise_sd^2 / prior_sd^2``."""
    x, y = _design_and_response(x, y)
    a = ridge_penalty(noise_sd, prior_sd)
    factor = cholesky(x.T @ x + a * np.eye(x.shape[1]), "X^T X + a I")
    return cho_solve((factor, True), x.T @ y)


def laplace_optimality_gap(x, y, w, noise_sd: float, scale: float) -> float:
    """The length of the smallest subgradient of the Laplace objective at ``w``: 0 exactly at the mode.

    With ``g = X^T (X w - y) / noise_sd^2`` the subdifferential in coordinate ``j`` is
    ``g_j + sign(w_j) / scale`` if ``w_j != 0`` and ``[g_j - 1/scale, g_j + 1/scale]`` if ``w_j == 0``.
    The objective is strongly convex with modulus ``m = smallest eigenvalue of X^T X / noise_sd^2``
    when that is > 0, so ``||w - mode|| <= gap / m`` (see :func:`laplace_distance_bound`).
    """
    x, y = _design_and_response(x, y)
    w = _weights(w, x.shape[1])
    noise_sd, scale = positive_scalar(noise_sd, "noise_sd"), positive_scalar(scale, "scale")
    g = x.T @ (x @ w - y) / noise_sd**2
    nonzero = w != 0
    sub = np.where(nonzero, g + np.sign(w) / scale, np.maximum(np.abs(g) - 1 / scale, 0.0))
    return float(np.linalg.norm(sub))


def laplace_distance_bound(x, y, w, noise_sd: float, scale: float) -> float:
    """A certified bound on ``||w - mode||`` under the Laplace prior: optimality gap / strong convexity.

    Raises ``ValueError`` when ``X^T X`` is singular (the bound then does not exist).
    """
    x, y = _design_and_response(x, y)
    noise_sd = positive_scalar(noise_sd, "noise_sd")
    modulus = float(np.linalg.eigvalsh(x.T @ x)[0]) / noise_sd**2
    if not modulus > 0:
        raise ValueError("X^T X is singular: the Laplace objective is not strongly convex, no distance bound")
    return laplace_optimality_gap(x, y, w, noise_sd, scale) / modulus


def laplace_map(x, y, noise_sd: float, scale: float, tol: float = 1e-13, max_sweeps: int = 100_000) -> np.ndarray:
    """The posterior mode under independent Laplace(0, ``scale``) priors, by cyclic coordinate descent.

    Each step minimises the objective exactly in one coordinate (soft-thresholding), so weights the prior
    sets to zero are exactly 0. Stops when a full sweep changes no weight by more than ``tol`` times the
    largest weight (or 1); raises ``RuntimeError`` if ``max_sweeps`` sweeps do not get there, and
    ``ValueError`` for a column of zeros.
    """
    x, y = _design_and_response(x, y)
    noise_sd, scale = positive_scalar(noise_sd, "noise_sd"), positive_scalar(scale, "scale")
    tol = positive_scalar(tol, "tol")
    max_sweeps = positive_int(max_sweeps, "max_sweeps")
    norms = (x**2).sum(axis=0)
    if not np.all(norms > 0):
        raise ValueError(f"X has columns of zeros: {np.flatnonzero(norms == 0).tolist()}")
    threshold = noise_sd**2 / scale  # objective times noise_sd^2: ||r||^2 / 2 + threshold * ||w||_1
    w = np.zeros(x.shape[1])
    r = y.copy()
    for _ in range(max_sweeps):
        largest_step = 0.0
        for j in range(x.shape[1]):
            rho = x[:, j] @ r + norms[j] * w[j]
            new = np.sign(rho) * max(abs(rho) - threshold, 0.0) / norms[j]
            if new != w[j]:
                r -= x[:, j] * (new - w[j])
                largest_step = max(largest_step, abs(new - w[j]))
                w[j] = new
        if largest_step <= tol * max(1.0, np.abs(w).max()):
            return w
    raise RuntimeError(f"coordinate descent did not converge in {max_sweeps} sweeps")
