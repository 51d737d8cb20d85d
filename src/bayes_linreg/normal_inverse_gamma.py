"""Reference implementation: Bayesian linear regression with unknown noise, Normal-inverse-gamma prior.

The unknown-noise chapter writes the closed form in a few lines of numpy (normal equations and
Cholesky solves); the book's hidden check cells compare what it computed with this validated
version (to 1e-10), which takes another route to the same numbers.

Model (Bishop 2006, exercises 3.12-3.13, with ``beta = 1 / sigma^2``; Murphy 2012, section 7.6):

    sigma^2        ~ InvGamma(a, b)                      (shape a, scale b)
    w | sigma^2    ~ N(mean, sigma^2 scale)
    y | w, sigma^2 ~ N(Phi w, sigma^2 I)

The posterior is again Normal-inverse-gamma. Here it is computed as one **augmented least-squares
problem** solved by a QR factorisation, never through the normal equations: with
``scale = L L^T`` (Cholesky), the prior is ``D`` pseudo-observations ``L^-1 w ~ N(L^-1 mean, sigma^2 I)``
with the same noise as the data. Stacking them on top of the data,

    A = [L^-1; Phi],  t = [L^-1 mean; y],  A = Q R,
    mean_N  = R^-1 Q^T t,   scale_N = (R^T R)^-1,
    a_N = a + N / 2,        b_N = b + ||t - A mean_N||^2 / 2,

whose squared residual ``||t - A mean_N||^2 = ||y - Phi mean_N||^2 + (mean_N - mean)^T scale^-1
(mean_N - mean)`` is the misfit to the data plus the misfit to the prior. Integrating ``sigma^2``
out gives Student-t marginals with ``2 a_N`` degrees of freedom: the weights
``t(mean_N, (b_N / a_N) scale_N)`` and a new observation at features ``phi``
``t(phi^T mean_N, (b_N / a_N) (1 + phi^T scale_N phi))``.

:func:`sigma_posterior_on_grid` is the brute-force route: the posterior of the noise sd by
quadrature on a grid, for any prior on ``sigma`` and a Gaussian weight prior whose covariance is
fixed or scales with ``sigma^2``. It checks the closed form above, and the half-Cauchy model of
the GLM tutorial, which has no closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.linalg import qr
from scipy.special import poch

from ._validate import cholesky, finite_array, finite_scalar, positive_scalar


def _probability(prob, name: str = "prob") -> float:
    prob = finite_scalar(prob, name)
    if not 0 < prob < 1:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {prob}")
    return prob


SD_SHAPE_LIMIT = 1e6
"""Largest shape ``a`` for which :meth:`NormalInverseGamma.noise_sd_sd` answers (see there)."""


@dataclass(frozen=True)
class NormalInverseGamma:
    """A Normal-inverse-gamma belief over ``(w, sigma^2)``: ``sigma^2 ~ InvGamma(a, b)``,
    ``w | sigma^2 ~ N(mean, sigma^2 scale)``. A prior or a posterior.

    ``scale`` must be symmetric positive definite, ``a`` and ``b`` finite and positive.
    """

    mean: np.ndarray
    scale: np.ndarray
    a: float
    b: float

    def __post_init__(self):
        mean = finite_array(self.mean, "mean", ndim=1)
        if mean.size == 0:
            raise ValueError("mean must hold at least one weight")
        scale = finite_array(self.scale, "scale", ndim=2)
        if scale.shape != (mean.size, mean.size):
            raise ValueError(f"scale must have shape {(mean.size, mean.size)} to match mean, got {scale.shape}")
        cholesky(scale, "scale")
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "scale", scale)
        object.__setattr__(self, "a", positive_scalar(self.a, "a"))
        object.__setattr__(self, "b", positive_scalar(self.b, "b"))

    @property
    def dim(self) -> int:
        return self.mean.size

    @property
    def df(self) -> float:
        """Degrees of freedom of the Student-t marginals, ``2 a``."""
        return 2 * self.a

    def noise_variance(self):
        """The marginal of ``sigma^2``: a frozen ``scipy.stats.invgamma(a, scale=b)``."""
        return stats.invgamma(self.a, scale=self.b)

    def noise_sd_mean(self) -> float:
        """``E[sigma] = sqrt(b) Gamma(a - 1/2) / Gamma(a)`` (needs ``a > 1/2``)."""
        if not self.a > 0.5:
            raise ValueError(f"the mean of sigma exists only for a > 1/2, got a = {self.a}")
        # Gamma(a - 1/2) / Gamma(a) = 1 / poch(a - 1/2, 1/2): no cancellation of two huge log-gammas.
        return float(np.sqrt(self.b) / poch(self.a - 0.5, 0.5))

    def noise_sd_sd(self) -> float:
        """The sd of ``sigma``, ``sqrt(E[sigma^2] - E[sigma]^2)`` with ``E[sigma^2] = b / (a - 1)`` (needs a > 1)."""
        if not self.a > 1:
            raise ValueError(f"the sd of sigma exists only for a > 1, got a = {self.a}")
        if not self.a <= SD_SHAPE_LIMIT:
            # The variance is E[sigma^2] (1 - ...) with the bracket ~ 1 / (4 a): the subtraction loses
            # about log10(4 a) digits, over 6 of float64's 16 beyond this limit.
            raise ValueError(
                f"the sd of sigma is not computed accurately for a > {SD_SHAPE_LIMIT:g} (got a = {self.a:g}); "
                "it is close to sqrt(b) / (2 a)"
            )
        mean = self.noise_sd_mean()
        return float(np.sqrt(self.b / (self.a - 1) - mean**2))

    def noise_sd_quantile(self, prob) -> np.ndarray:
        """Quantiles of ``sigma``: square roots of the inverse-gamma quantiles of ``sigma^2``."""
        prob = finite_array(prob, "prob")
        if not np.all((prob > 0) & (prob < 1)):
            raise ValueError(f"prob must lie strictly between 0 and 1, got {prob}")
        return np.sqrt(self.noise_variance().ppf(prob))


def require_nig(value, name: str = "belief") -> NormalInverseGamma:
    """``value`` itself if it is a :class:`NormalInverseGamma`, else a clear ``TypeError``."""
    if isinstance(value, NormalInverseGamma):
        return value
    raise TypeError(
        f"{name} must be a bayes_linreg.normal_inverse_gamma.NormalInverseGamma(mean, scale, a, b), "
        f"got {type(value).__name__}"
    )


def _design(phi, dim: int, name: str = "phi") -> np.ndarray:
    phi = finite_array(phi, name, ndim=2)
    if phi.shape[1] != dim:
        raise ValueError(f"{name} has {phi.shape[1]} columns but the belief is over {dim} weights")
    return phi


def posterior(phi, y, prior: NormalInverseGamma) -> NormalInverseGamma:
    """The Normal-inverse-gamma posterior after observing ``y`` at design matrix ``phi``.

    Solved as the augmented least-squares problem of the module's docstring (QR, no normal
    equations). No data (zero rows) leaves the prior unchanged.
    """
    prior = require_nig(prior, "prior")
    phi = _design(phi, prior.dim)
    y = finite_array(y, "y", ndim=1)
    if phi.shape[0] != y.shape[0]:
        raise ValueError(f"phi has {phi.shape[0]} rows but y has {y.shape[0]} values: lengths must match")
    factor = cholesky(prior.scale, "prior scale")
    # Triangular systems of size D, solved with numpy's LAPACK (scipy's solve_triangular took milliseconds
    # per call on the book's shared 2-core machine, thread contention in its BLAS).
    pseudo_rows = np.linalg.solve(factor, np.eye(prior.dim))  # L^-1
    pseudo_targets = pseudo_rows @ prior.mean  # L^-1 mean
    design = np.vstack([pseudo_rows, phi])
    targets = np.concatenate([pseudo_targets, y])
    q, r = qr(design, mode="economic")
    dim = prior.dim
    mean = np.linalg.solve(r, q.T @ targets)
    r_inv = np.linalg.solve(r, np.eye(dim))
    scale = r_inv @ r_inv.T
    scale = (scale + scale.T) / 2
    residual = targets - design @ mean  # the augmented problem's residual: data misfit and prior misfit
    residual_ss = float(residual @ residual)
    return NormalInverseGamma(mean, scale, prior.a + y.size / 2, prior.b + residual_ss / 2)


@dataclass(frozen=True)
class MultivariateT:
    """A multivariate Student-t: ``loc + sqrt(shape) z / sqrt(chi2_df / df)``, ``z`` standard normal."""

    df: float
    loc: np.ndarray
    shape: np.ndarray

    @property
    def cov(self) -> np.ndarray:
        """``df / (df - 2) shape`` (needs ``df > 2``)."""
        if not self.df > 2:
            raise ValueError(f"a Student-t has a covariance only for df > 2, got df = {self.df}")
        return self.df / (self.df - 2) * self.shape

    @property
    def sd(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    def interval(self, prob: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Central ``prob`` interval of each marginal: ``loc -+ t_df(1/2 + prob/2) sqrt(shape_jj)``."""
        prob = _probability(prob)
        half = stats.t.ppf(0.5 + prob / 2, self.df) * np.sqrt(np.diag(self.shape))
        return self.loc - half, self.loc + half

    def logpdf(self, w) -> np.ndarray:
        """Joint log density at the rows of ``w`` (scipy's ``multivariate_t``)."""
        w = finite_array(w, "w")
        return np.atleast_1d(stats.multivariate_t(self.loc, self.shape, df=self.df).logpdf(w))


def weights_marginal(belief: NormalInverseGamma) -> MultivariateT:
    """The weights with ``sigma^2`` integrated out: ``t_{2a}(mean, (b / a) scale)``."""
    belief = require_nig(belief)
    return MultivariateT(belief.df, belief.mean.copy(), belief.b / belief.a * belief.scale)


@dataclass(frozen=True)
class StudentT:
    """Pointwise Student-t distributions with common ``df`` (one ``loc`` and ``scale`` per point)."""

    df: float
    loc: np.ndarray
    scale: np.ndarray

    def dist(self):
        """The frozen ``scipy.stats.t`` (broadcast over the points)."""
        return stats.t(self.df, loc=self.loc, scale=self.scale)

    def interval(self, prob: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Central ``prob`` interval at every point."""
        prob = _probability(prob)
        half = stats.t.ppf(0.5 + prob / 2, self.df) * self.scale
        return self.loc - half, self.loc + half

    def ppf(self, prob) -> np.ndarray:
        """Quantile ``prob`` at every point."""
        return self.loc + stats.t.ppf(_probability(prob), self.df) * self.scale

    @property
    def sd(self) -> np.ndarray:
        """``scale sqrt(df / (df - 2))`` (needs ``df > 2``)."""
        if not self.df > 2:
            raise ValueError(f"a Student-t has an sd only for df > 2, got df = {self.df}")
        return self.scale * np.sqrt(self.df / (self.df - 2))


def predictive(belief: NormalInverseGamma, phi_new, noise: bool = True) -> StudentT:
    """The Student-t of the line ``phi^T w`` (``noise=False``) or of a new observation (``noise=True``).

    ``loc = phi^T mean``, ``scale^2 = (b / a) (phi^T scale phi + 1)`` for a new observation, without
    the ``+ 1`` for the line; ``df = 2 a``. ``phi_new`` holds one feature row per point.
    """
    belief = require_nig(belief)
    phi_new = _design(phi_new, belief.dim, "phi_new")
    if not isinstance(noise, (bool, np.bool_)):
        raise TypeError(f"noise must be True or False, got {noise!r}")
    factor = cholesky(belief.scale, "scale")
    spread = np.sum((phi_new @ factor) ** 2, axis=1)  # phi^T L L^T phi
    if noise:
        spread = spread + 1.0
    return StudentT(belief.df, phi_new @ belief.mean, np.sqrt(belief.b / belief.a * spread))


@dataclass(frozen=True)
class GridPosterior:
    """A one-dimensional posterior density tabulated on a grid (normalised by the trapezoid rule)."""

    grid: np.ndarray
    density: np.ndarray

    def _weights(self) -> np.ndarray:
        """Trapezoid weights: the integral of ``f`` is ``sum(weights * f(grid))``."""
        steps = np.diff(self.grid)
        weights = np.zeros_like(self.grid)
        weights[:-1] += steps / 2
        weights[1:] += steps / 2
        return weights

    def expectation(self, values) -> float:
        """``E[f(sigma)]`` for ``values = f(grid)``."""
        values = finite_array(values, "values", ndim=1)
        if values.shape != self.grid.shape:
            raise ValueError(f"values has {values.size} entries, the grid {self.grid.size}")
        return float(np.sum(self._weights() * self.density * values))

    @property
    def mean(self) -> float:
        return self.expectation(self.grid)

    @property
    def sd(self) -> float:
        mean = self.mean
        return float(np.sqrt(self.expectation((self.grid - mean) ** 2)))

    def cdf(self) -> np.ndarray:
        """The distribution function at the grid points (cumulative trapezoid, 0 at the first point)."""
        pieces = np.diff(self.grid) * (self.density[1:] + self.density[:-1]) / 2
        return np.concatenate([[0.0], np.cumsum(pieces)])

    def quantile(self, prob) -> np.ndarray:
        """Quantiles by inverting the cumulative trapezoid, each piece integrating the linear density exactly."""
        prob = finite_array(prob, "prob")
        if not np.all((prob > 0) & (prob < 1)):
            raise ValueError(f"prob must lie strictly between 0 and 1, got {prob}")
        cdf = self.cdf()
        out = []
        for p in np.atleast_1d(prob):
            i = int(np.clip(np.searchsorted(cdf, p) - 1, 0, self.grid.size - 2))
            h, f0, f1 = self.grid[i + 1] - self.grid[i], self.density[i], self.density[i + 1]
            need = p - cdf[i]
            slope = (f1 - f0) / h
            # f0 t + slope t^2 / 2 = need, for t in [0, h]
            if f0 <= 0 and slope <= 0:  # a piece with no mass: the quantile is its left end
                t = 0.0
            elif abs(slope) * h < 1e-12 * max(f0, 1e-300):
                t = need / f0
            else:
                t = (-f0 + np.sqrt(max(f0**2 + 2 * slope * need, 0.0))) / slope
            t = min(max(t, 0.0), h)
            out.append(self.grid[i] + t)
        out = np.array(out)
        return out.reshape(np.shape(prob))


COVERAGE_TAIL = 1e-12
"""A grid must reach where the posterior density has fallen below this share of its peak, at both ends
(unless it starts at sigma = 0), or :func:`sigma_posterior_on_grid` refuses it."""


def sigma_posterior_on_grid(
    phi, y, prior_mean, prior_cov, log_prior_sigma, grid, cov_scales_with_noise: bool = False
) -> GridPosterior:
    """The posterior of the noise sd ``sigma`` by brute force: quadrature over ``sigma`` on ``grid``.

    Model: ``sigma ~ p(sigma)`` (``log_prior_sigma`` maps an array of sigmas to log densities, constants
    may be left out), ``w | sigma ~ N(prior_mean, C)`` with ``C = prior_cov`` or, with
    ``cov_scales_with_noise``, ``C = sigma^2 prior_cov`` (the Normal-inverse-gamma prior), and
    ``y ~ N(Phi w, sigma^2 I)``. The weights are integrated out exactly,
    ``y | sigma ~ N(Phi prior_mean, sigma^2 I + c Phi prior_cov Phi^T)`` with ``c = 1`` or ``sigma^2``,
    through one eigendecomposition of ``Phi prior_cov Phi^T``; the density over ``sigma`` is then
    normalised by the trapezoid rule. The grid must be strictly increasing, positive (it may start at
    0), at least 200 points long, and reach where the density is below ``COVERAGE_TAIL`` of its peak
    (else ``ValueError``: widen it).
    """
    prior_mean = finite_array(prior_mean, "prior_mean", ndim=1)
    prior_cov = finite_array(prior_cov, "prior_cov", ndim=2)
    if prior_cov.shape != (prior_mean.size, prior_mean.size):
        raise ValueError(f"prior_cov must have shape {(prior_mean.size,) * 2}, got {prior_cov.shape}")
    cholesky(prior_cov, "prior_cov")
    phi = _design(phi, prior_mean.size)
    y = finite_array(y, "y", ndim=1)
    if phi.shape[0] != y.shape[0]:
        raise ValueError(f"phi has {phi.shape[0]} rows but y has {y.shape[0]} values: lengths must match")
    if y.size == 0:
        raise ValueError("no data: the posterior of sigma is its prior")
    if not callable(log_prior_sigma):
        raise TypeError(f"log_prior_sigma must be a function of sigma, got {type(log_prior_sigma).__name__}")
    if not isinstance(cov_scales_with_noise, (bool, np.bool_)):
        raise TypeError(f"cov_scales_with_noise must be True or False, got {cov_scales_with_noise!r}")
    grid = finite_array(grid, "grid", ndim=1)
    if grid.size < 200:
        raise ValueError(f"the grid needs at least 200 points for an accurate quadrature, got {grid.size}")
    if not np.all(np.diff(grid) > 0):
        raise ValueError("the grid must be strictly increasing")
    if grid[0] < 0:
        raise ValueError(f"sigma must be positive: the grid starts at {grid[0]}")
    inner = grid[grid > 0]
    log_prior = np.asarray(log_prior_sigma(inner.copy()), dtype=float)
    if log_prior.shape != inner.shape:
        raise ValueError(f"log_prior_sigma returned shape {log_prior.shape} for {inner.size} sigmas")
    if np.any(np.isnan(log_prior)) or np.any(log_prior == np.inf):
        raise ValueError("log_prior_sigma returned NaN or +inf")
    # y - Phi m ~ N(0, sigma^2 I + c M), M = Phi C0 Phi^T = U diag(lam) U^T.
    residual = y - phi @ prior_mean
    lam, vectors = np.linalg.eigh(phi @ prior_cov @ phi.T)
    lam = np.clip(lam, 0.0, None)
    z2 = (vectors.T @ residual) ** 2
    s2 = inner[:, None] ** 2
    variances = s2 + (s2 if cov_scales_with_noise else 1.0) * lam[None, :]
    log_lik = -0.5 * np.sum(np.log(variances) + z2[None, :] / variances, axis=1)
    log_post = log_prior + log_lik
    peak = np.max(log_post)
    if not np.isfinite(peak):
        raise ValueError("the posterior density is zero or not finite everywhere on the grid")
    density_inner = np.exp(log_post - peak)
    density = np.zeros_like(grid)
    density[grid > 0] = density_inner  # the density at sigma = 0 is 0 (the likelihood vanishes)
    if grid[0] > 0 and density[0] > COVERAGE_TAIL:
        raise ValueError(
            f"the grid starts at sigma = {grid[0]:.4g}, where the posterior is still {density[0]:.2g} of its "
            "peak: start it lower"
        )
    if density[-1] > COVERAGE_TAIL:
        raise ValueError(
            f"the grid ends at sigma = {grid[-1]:.4g}, where the posterior is still {density[-1]:.2g} of its "
            "peak: extend it"
        )
    steps = np.diff(grid)
    total = float(np.sum(steps * (density[1:] + density[:-1]) / 2))
    return GridPosterior(grid, density / total)
