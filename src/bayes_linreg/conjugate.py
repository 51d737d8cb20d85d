"""Reference implementation: the closed-form posterior of Bayesian linear regression with known noise.

The chapters write this in a few lines of numpy; the book's hidden check cells compare what they
computed with this validated version (to 1e-10).

Model: ``y = Phi @ w + eps`` with ``eps ~ N(0, noise_sd**2 I)`` and prior
``w ~ N(prior_mean, prior_cov)``. The posterior is Gaussian, ``N(mean, cov)``:

    cov  = (prior_cov^-1 + Phi^T Phi / noise_sd^2)^-1
    mean = cov (prior_cov^-1 prior_mean + Phi^T y / noise_sd^2)

Every inverse above is applied through a Cholesky factor and triangular solves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import cho_solve

from ._validate import cholesky, finite_array, positive_int, positive_scalar


@dataclass(frozen=True)
class Gaussian:
    """A multivariate normal over the weights: a prior or a posterior."""

    mean: np.ndarray
    cov: np.ndarray

    def __post_init__(self):
        mean = finite_array(self.mean, "mean", ndim=1)
        cov = finite_array(self.cov, "cov", ndim=2)
        if cov.shape != (mean.size, mean.size):
            raise ValueError(f"cov must have shape {(mean.size, mean.size)} to match mean, got {cov.shape}")
        cholesky(cov, "cov")
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "cov", cov)

    @property
    def sd(self) -> np.ndarray:
        """Marginal standard deviations."""
        return np.sqrt(np.diag(self.cov))

    @property
    def corr(self) -> np.ndarray:
        """Correlation matrix."""
        return self.cov / np.outer(self.sd, self.sd)


def design_matrix(x, degree: int = 1) -> np.ndarray:
    """Polynomial features: the columns ``1, x, x**2, ..., x**degree`` (Phi in the book)."""
    x = finite_array(x, "x", ndim=1)
    degree = positive_int(degree, "degree")
    return np.vander(x, degree + 1, increasing=True)


def sample_gaussian(rng: np.random.Generator, belief: Gaussian, size: int) -> np.ndarray:
    """``size`` draws from ``N(mean, cov)`` as rows: ``w = mean + z @ L.T`` with ``cov = L @ L.T``."""
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


def isotropic_prior(dim: int, sd: float, mean: float = 0.0) -> Gaussian:
    """The prior ``N(mean * 1, sd**2 I)`` over ``dim`` weights."""
    sd = positive_scalar(sd, "sd")
    return Gaussian(np.full(dim, float(mean)), sd**2 * np.eye(dim))


def posterior(phi, y, noise_sd: float, prior: Gaussian) -> Gaussian:
    """Posterior over the weights after observing ``y`` at design matrix ``phi``."""
    phi = finite_array(phi, "phi", ndim=2)
    y = finite_array(y, "y", ndim=1)
    noise_sd = positive_scalar(noise_sd, "noise_sd")
    if phi.shape[0] != y.shape[0]:
        raise ValueError(f"phi has {phi.shape[0]} rows but y has {y.shape[0]} values: lengths must match")
    if phi.shape[1] != prior.mean.size:
        raise ValueError(f"phi has {phi.shape[1]} columns but the prior is over {prior.mean.size} weights")
    prior_factor = (cholesky(prior.cov, "prior covariance"), True)
    identity = np.eye(prior.mean.size)
    precision = cho_solve(prior_factor, identity) + phi.T @ phi / noise_sd**2
    precision = (precision + precision.T) / 2
    factor = (cholesky(precision, "posterior precision"), True)
    cov = cho_solve(factor, identity)
    mean = cho_solve(factor, cho_solve(prior_factor, prior.mean) + phi.T @ y / noise_sd**2)
    return Gaussian(mean, (cov + cov.T) / 2)


def update(belief: Gaussian, phi_row, y_value: float, noise_sd: float) -> Gaussian:
    """One step of sequential learning: today's posterior becomes tomorrow's prior."""
    phi_row = finite_array(phi_row, "phi_row", ndim=1)
    return posterior(phi_row[None, :], np.atleast_1d(finite_array(y_value, "y_value", ndim=0)), noise_sd, belief)


def predictive(belief: Gaussian, phi_new, noise_sd: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd of ``phi_new @ w`` under ``belief``; with ``noise_sd`` also of a new ``y``.

    ``sd**2 = phi^T cov phi`` for the regression line, plus ``noise_sd**2`` for a new observation.
    """
    phi_new = finite_array(phi_new, "phi_new", ndim=2)
    if phi_new.shape[1] != belief.mean.size:
        raise ValueError(f"phi_new has {phi_new.shape[1]} columns but the belief is over {belief.mean.size} weights")
    variance = np.einsum("ij,jk,ik->i", phi_new, belief.cov, phi_new)
    if noise_sd is not None:
        variance = variance + positive_scalar(noise_sd, "noise_sd") ** 2
    return phi_new @ belief.mean, np.sqrt(variance)
