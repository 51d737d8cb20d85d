"""Gibbs samplers: a 2-D Gaussian toy and Bayesian linear regression, one coordinate at a time.

A Gibbs sampler draws each unknown in turn from its **full conditional**, its distribution given
the data and the current values of all the others. For the regression
``y = Phi @ w + eps``, ``eps ~ N(0, sigma2 I)``, with prior ``w ~ N(w0, V0)`` the full conditional
of one weight is a one-weight conjugate regression, and with the prior
``sigma2 ~ InvGamma(a0, b0)`` the full conditional of the noise variance is again inverse-gamma.

Every sampler runs several chains side by side (vectorised over chains, a loop over steps) and
returns draws shaped ``(chain, draw, ...)`` as ArviZ expects. All randomness comes from ``rng``.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cho_solve

from ._validate import cholesky, finite_array, positive_int, positive_scalar
from .conjugate import Gaussian
from .draws import sample_weights


def _start(rng, start, n_chains: int, prior: Gaussian, name: str = "start") -> np.ndarray:
    """Starting points ``(n_chains, dim)``: one point for every chain, one per chain, or prior draws."""
    dim = prior.mean.size
    if start is None:
        return sample_weights(rng, prior, n_chains)
    start = finite_array(start, name)
    if start.ndim == 1 and start.size == dim:
        start = np.broadcast_to(start, (n_chains, start.size)).copy()
    if start.shape != (n_chains, dim):
        raise ValueError(f"{name} must have shape ({dim},) or ({n_chains}, {dim}), got {start.shape}")
    return start


def _run_lengths(n_draws, n_chains, n_tune) -> tuple[int, int, int]:
    """Validated numbers of kept draws, chains and discarded tuning sweeps."""
    if isinstance(n_tune, bool) or not isinstance(n_tune, (int, np.integer)) or n_tune < 0:
        raise ValueError(f"n_tune must be a non-negative integer, got {n_tune!r}")
    return positive_int(n_draws, "n_draws"), positive_int(n_chains, "n_chains"), int(n_tune)


def gibbs_gaussian_2d(rng: np.random.Generator, mean, cov, start, n_steps: int) -> np.ndarray:
    """The blog's toy: Gibbs on a 2-D Gaussian, updating **one coordinate per step**.

    The full conditional of coordinate ``i`` given the other one, ``j``, is
    ``N(mean_i + cov_ij / cov_jj (x_j - mean_j), cov_ii - cov_ij**2 / cov_jj)``. Steps alternate
    ``i = 0, 1, 0, 1, ...``. Returns the path, ``(n_steps + 1, 2)``, starting point included.
    """
    mean = finite_array(mean, "mean", ndim=1)
    cov = finite_array(cov, "cov", ndim=2)
    if mean.shape != (2,) or cov.shape != (2, 2):
        raise ValueError(f"mean must have shape (2,) and cov (2, 2), got {mean.shape} and {cov.shape}")
    cholesky(cov, "cov")
    point = finite_array(start, "start", ndim=1)
    if point.shape != (2,):
        raise ValueError(f"start must have shape (2,), got {point.shape}")
    n_steps = positive_int(n_steps, "n_steps")
    path = np.empty((n_steps + 1, 2))
    path[0] = point
    for step in range(n_steps):
        i = step % 2
        j = 1 - i
        cond_mean = mean[i] + cov[i, j] / cov[j, j] * (point[j] - mean[j])
        cond_sd = np.sqrt(cov[i, i] - cov[i, j] ** 2 / cov[j, j])
        point = point.copy()
        point[i] = cond_mean + cond_sd * rng.standard_normal()
        path[step + 1] = point
    return path


def precision_form(phi, y, prior: Gaussian) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The pieces of the posterior precision: ``V0^-1``, ``V0^-1 w0``, ``Phi^T Phi`` and ``Phi^T y``.

    Given the noise variance ``sigma2`` the posterior precision is ``V0^-1 + Phi^T Phi / sigma2`` and
    the precision times the posterior mean is ``V0^-1 w0 + Phi^T y / sigma2`` (see :mod:`.conjugate`).
    """
    phi = finite_array(phi, "phi", ndim=2)
    y = finite_array(y, "y", ndim=1)
    if phi.shape[0] != y.shape[0]:
        raise ValueError(f"phi has {phi.shape[0]} rows but y has {y.shape[0]} values: lengths must match")
    if phi.shape[1] != prior.mean.size:
        raise ValueError(f"phi has {phi.shape[1]} columns but the prior is over {prior.mean.size} weights")
    factor = (cholesky(prior.cov, "prior covariance"), True)
    prior_precision = cho_solve(factor, np.eye(prior.mean.size))
    return prior_precision, prior_precision @ prior.mean, phi.T @ phi, phi.T @ y


def weight_conditional(precision, shift, weights, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd of the full conditional of weight ``j`` given the others, for every chain.

    For a Gaussian with precision ``P`` and ``P @ mean = shift``, weight ``j`` given the rest is
    ``N((shift_j - sum_{k != j} P_jk w_k) / P_jj, 1 / P_jj)``. ``precision`` is ``(dim, dim)`` or one
    matrix per chain ``(chains, dim, dim)``; ``shift`` is ``(dim,)`` or ``(chains, dim)``; ``weights`` is
    ``(chains, dim)``.
    """
    precision = np.asarray(precision)
    shift = np.asarray(shift)
    p_jj = precision[..., j, j]
    others = np.einsum("...k,...k->...", precision[..., j, :], weights) - p_jj * weights[:, j]
    return (shift[..., j] - others) / p_jj, 1.0 / np.sqrt(p_jj)


def gibbs_regression(
    rng: np.random.Generator,
    phi,
    y,
    noise_sd: float,
    prior: Gaussian,
    n_draws: int,
    *,
    n_chains: int = 4,
    n_tune: int = 100,
    start=None,
) -> np.ndarray:
    """Gibbs over the weights of a regression with **known** noise sd, one weight at a time.

    Each sweep draws ``w_0 | w_1, ..., y``, then ``w_1 | w_0, w_2, ..., y``, ... from the conjugate full
    conditionals (:func:`weight_conditional`). Chains start at ``start`` (one point, or one per chain)
    or at draws from the prior; the first ``n_tune`` sweeps are discarded. Returns ``(n_chains, n_draws, dim)``.
    """
    noise_sd = positive_scalar(noise_sd, "noise_sd")
    n_draws, n_chains, n_tune = _run_lengths(n_draws, n_chains, n_tune)
    prior_precision, prior_shift, gram, phi_y = precision_form(phi, y, prior)
    precision = prior_precision + gram / noise_sd**2
    shift = prior_shift + phi_y / noise_sd**2
    weights = _start(rng, start, n_chains, prior)
    dim = prior.mean.size
    out = np.empty((n_chains, n_draws, dim))
    for sweep in range(n_tune + n_draws):
        for j in range(dim):
            cond_mean, cond_sd = weight_conditional(precision, shift, weights, j)
            weights[:, j] = cond_mean + cond_sd * rng.standard_normal(n_chains)
        if sweep >= n_tune:
            out[:, sweep - n_tune] = weights
    return out


def gibbs_regression_unknown_noise(
    rng: np.random.Generator,
    phi,
    y,
    prior: Gaussian,
    noise_shape: float,
    noise_scale: float,
    n_draws: int,
    *,
    n_chains: int = 4,
    n_tune: int = 200,
    start=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gibbs over the weights and the noise variance ``sigma2 ~ InvGamma(noise_shape, noise_scale)``.

    A sweep draws each weight from its conjugate full conditional given ``sigma2``, then
    ``sigma2 | w, y ~ InvGamma(noise_shape + N / 2, noise_scale + ||y - Phi w||^2 / 2)``, drawn as
    ``scale / Gamma(shape, 1)``. Chains start at ``start`` (weights) or at prior draws, with ``sigma2``
    drawn from its full conditional first. Returns weights ``(n_chains, n_draws, dim)`` and
    ``sigma2`` ``(n_chains, n_draws)``.
    """
    noise_shape = positive_scalar(noise_shape, "noise_shape")
    noise_scale = positive_scalar(noise_scale, "noise_scale")
    n_draws, n_chains, n_tune = _run_lengths(n_draws, n_chains, n_tune)
    prior_precision, prior_shift, gram, phi_y = precision_form(phi, y, prior)
    phi = np.asarray(phi, dtype=float)
    y = np.asarray(y, dtype=float)
    weights = _start(rng, start, n_chains, prior)
    dim = prior.mean.size
    post_shape = noise_shape + y.size / 2
    out_w = np.empty((n_chains, n_draws, dim))
    out_s2 = np.empty((n_chains, n_draws))
    for sweep in range(n_tune + n_draws):
        residual = y[None, :] - weights @ phi.T
        sigma2 = (noise_scale + 0.5 * np.sum(residual**2, axis=1)) / rng.gamma(post_shape, size=n_chains)
        precision = prior_precision + gram / sigma2[:, None, None]
        shift = prior_shift + phi_y / sigma2[:, None]
        for j in range(dim):
            cond_mean, cond_sd = weight_conditional(precision, shift, weights, j)
            weights[:, j] = cond_mean + cond_sd * rng.standard_normal(n_chains)
        if sweep >= n_tune:
            out_w[:, sweep - n_tune] = weights
            out_s2[:, sweep - n_tune] = sigma2
    return out_w, out_s2


def to_datatree(weights, names=("intercept", "slope"), noise_var=None):
    """Gibbs draws as an ArviZ ``DataTree`` (group ``posterior``) so ``az.ess``/``az.rhat``/``az.summary`` apply.

    ``weights`` is ``(chain, draw, dim)`` with one name per weight; ``noise_var`` (``(chain, draw)``)
    adds ``sigma2`` and ``sigma = sqrt(sigma2)``.
    """
    import arviz as az

    weights = finite_array(weights, "weights", ndim=3)
    names = list(names)
    if len(names) != weights.shape[2]:
        raise ValueError(f"got {len(names)} names for {weights.shape[2]} weights")
    posterior = {name: weights[:, :, j] for j, name in enumerate(names)}
    if noise_var is not None:
        noise_var = finite_array(noise_var, "noise_var", ndim=2)
        if noise_var.shape != weights.shape[:2]:
            raise ValueError(f"noise_var has shape {noise_var.shape}, expected {weights.shape[:2]}")
        posterior["sigma2"] = noise_var
        posterior["sigma"] = np.sqrt(noise_var)
    return az.from_dict({"posterior": posterior})
