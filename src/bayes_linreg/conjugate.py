"""Reference implementation: the closed-form posterior of Bayesian linear regression with known noise.

The chapters write this in a few lines of numpy; the book's hidden check cells compare what they
computed with this validated version (to 1e-10).

Model: ``y = Phi @ w + eps`` with ``eps ~ N(0, noise_sd**2 I)`` and prior
``w ~ N(prior_mean, prior_cov)``. The posterior is Gaussian, ``N(mean, cov)``:

    cov  = (prior_cov^-1 + Phi^T Phi / noise_sd^2)^-1
    mean = cov (prior_cov^-1 prior_mean + Phi^T y / noise_sd^2)

Every inverse above is applied through a Cholesky factor and triangular solves. Before that,
:func:`posterior` centres the inputs when ``Phi`` has a constant (intercept) column: an exact change
of variables that keeps the answer right for predictors far from zero (``x = 1e6 + U(0, 1)``), where
``Phi^T Phi`` is beyond float64. If the problem stays ill-conditioned after centring, it warns.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.linalg import cho_solve, solve_triangular

from ._validate import cholesky, finite_array, generator, positive_int, positive_scalar

ILL_CONDITIONED = 1e10
"""Condition number of the (centred) posterior precision above which :func:`posterior` warns.

A linear solve in float64 loses about ``log10(condition number)`` of its 16 significant digits;
above 1e10 fewer than 6 remain."""


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


def require_gaussian(value, name: str = "belief") -> Gaussian:
    """``value`` itself if it is a :class:`Gaussian`, else a clear ``TypeError`` (a ``(mean, cov)`` tuple too)."""
    if isinstance(value, Gaussian):
        return value
    hint = " (wrap a (mean, cov) pair as Gaussian(mean, cov))" if isinstance(value, (tuple, list)) else ""
    raise TypeError(f"{name} must be a bayes_linreg.conjugate.Gaussian{hint}, got {type(value).__name__}")


def design_matrix(x, degree: int = 1) -> np.ndarray:
    """Polynomial features: the columns ``1, x, x**2, ..., x**degree`` (Phi in the book)."""
    x = finite_array(x, "x", ndim=1)
    degree = positive_int(degree, "degree")
    return np.vander(x, degree + 1, increasing=True)


def sample_gaussian(rng: np.random.Generator | int, belief: Gaussian, size: int) -> np.ndarray:
    """``size`` draws from ``N(mean, cov)`` as rows: ``w = mean + z @ L.T`` with ``cov = L @ L.T``.

    ``rng`` is a ``numpy.random.Generator``; an int is taken as the seed of ``np.random.default_rng``.
    """
    rng = generator(rng)
    belief = require_gaussian(belief)
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


def _centring(phi: np.ndarray, y: np.ndarray):
    """An exact change of variables ``w = shift + T u`` under which ``Phi T`` is centred.

    If column ``j`` of ``Phi`` is a nonzero constant ``a`` (an intercept) and there are at least two
    rows, the other columns lose their means ``mu`` (``Phi T = Phi - 1 mu^T`` for ``T = I - e_j mu^T / a``)
    and ``y`` loses its mean (``shift = mean(y) / a * e_j``). Otherwise nothing changes. Returns
    ``(shift, T, Phi T, y - Phi shift)``.
    """
    dim = phi.shape[1]
    transform, shift = np.eye(dim), np.zeros(dim)
    if phi.shape[0] >= 2:
        constant = [j for j in range(dim) if phi[0, j] != 0 and np.all(phi[:, j] == phi[0, j])]
        if constant:
            j = constant[0]
            a = phi[0, j]
            means = phi.mean(axis=0)
            means[j] = 0.0
            transform[j, :] -= means / a
            shift[j] = y.mean() / a
            return shift, transform, phi - np.outer(phi[:, j] / a, means), y - y.mean()
    return shift, transform, phi, y


def posterior(phi, y, noise_sd: float, prior: Gaussian) -> Gaussian:
    """Posterior over the weights after observing ``y`` at design matrix ``phi``.

    Computed in centred coordinates (see :func:`_centring`), which changes nothing mathematically and
    keeps float64 accurate when the predictors sit far from zero. Warns (``RuntimeWarning``, naming the
    condition number) if the centred posterior precision is still above :data:`ILL_CONDITIONED`.
    """
    prior = require_gaussian(prior, "prior")
    phi = finite_array(phi, "phi", ndim=2)
    y = finite_array(y, "y", ndim=1)
    noise_sd = positive_scalar(noise_sd, "noise_sd")
    if phi.shape[0] != y.shape[0]:
        raise ValueError(f"phi has {phi.shape[0]} rows but y has {y.shape[0]} values: lengths must match")
    if phi.shape[1] != prior.mean.size:
        raise ValueError(f"phi has {phi.shape[1]} columns but the prior is over {prior.mean.size} weights")
    shift, transform, phi_u, y_u = _centring(phi, y)
    # Prior of u = T^-1 (w - shift): precision T^T V0^-1 T = B^T B with B = L0^-1 T.
    prior_factor = cholesky(prior.cov, "prior covariance")
    whitened = solve_triangular(prior_factor, transform, lower=True)
    whitened_mean = solve_triangular(prior_factor, prior.mean - shift, lower=True)
    precision = whitened.T @ whitened + phi_u.T @ phi_u / noise_sd**2
    precision = (precision + precision.T) / 2
    # Condition number after scaling to a unit diagonal: the one that limits Cholesky's accuracy
    # (van der Sluis), not inflated by the units of the weights.
    scale = 1 / np.sqrt(np.diag(precision))
    condition = np.linalg.cond(precision * np.outer(scale, scale))
    if not condition <= ILL_CONDITIONED:
        warnings.warn(
            f"the posterior precision has condition number {condition:.3g} even after centring the inputs "
            f"(float64 keeps about {max(0.0, 16 - np.log10(condition)):.0f} significant digits of the answer): "
            "rescale the predictors or use orthogonal polynomials",
            RuntimeWarning,
            stacklevel=2,
        )
    factor = (cholesky(precision, "posterior precision"), True)
    identity = np.eye(prior.mean.size)
    cov_u = cho_solve(factor, identity)
    mean_u = cho_solve(factor, whitened.T @ whitened_mean + phi_u.T @ y_u / noise_sd**2)
    cov = transform @ cov_u @ transform.T
    cov = (cov + cov.T) / 2
    try:
        return Gaussian(shift + transform @ mean_u, cov)
    except ValueError as err:
        raise ValueError(
            f"the posterior covariance of these weights has condition number about {np.linalg.cond(cov):.3g}: "
            "beyond float64, it is not positive definite once rounded. Centre and scale the predictors "
            "(or use orthogonal polynomials) and work with the weights of those"
        ) from err


def update(belief: Gaussian, phi_row, y_value: float, noise_sd: float) -> Gaussian:
    """One step of sequential learning: today's posterior becomes tomorrow's prior."""
    belief = require_gaussian(belief)
    phi_row = finite_array(phi_row, "phi_row", ndim=1)
    return posterior(phi_row[None, :], np.atleast_1d(finite_array(y_value, "y_value", ndim=0)), noise_sd, belief)


def predictive(belief: Gaussian, phi_new, noise_sd: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd of ``phi_new @ w`` under ``belief``; with ``noise_sd`` also of a new ``y``.

    ``sd**2 = phi^T cov phi`` for the regression line, plus ``noise_sd**2`` for a new observation.
    """
    belief = require_gaussian(belief)
    phi_new = finite_array(phi_new, "phi_new", ndim=2)
    if phi_new.shape[1] != belief.mean.size:
        raise ValueError(f"phi_new has {phi_new.shape[1]} columns but the belief is over {belief.mean.size} weights")
    variance = np.einsum("ij,jk,ik->i", phi_new, belief.cov, phi_new)
    if noise_sd is not None:
        variance = variance + positive_scalar(noise_sd, "noise_sd") ** 2
    return phi_new @ belief.mean, np.sqrt(variance)
