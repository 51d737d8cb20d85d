"""Reference implementation: the evidence (marginal likelihood) of Bayesian linear regression and the
re-estimation of its hyperparameters (Bishop 2006, sections 3.4-3.5).

Model: ``t = Phi @ w + eps`` with ``eps ~ N(0, I / beta)`` and the prior ``w ~ N(0, I / alpha)``:
``alpha`` is the weights' precision, ``beta`` the noise precision. Integrating the weights out, the
targets are Gaussian, ``t ~ N(0, C)`` with ``C = I / beta + Phi Phi^T / alpha``: the evidence is that
density at the observed ``t``.

Everything here is computed along other routes than the chapters' (which use Bishop's eq. 3.86 with
the ``M x M`` matrix ``A = alpha I + beta Phi^T Phi``, and the ``N x N`` matrix ``C``):

* :func:`log_evidence` from the thin SVD of ``Phi`` (the eigen-decomposition of ``C``);
* :func:`posterior_mean` as least squares on augmented data;
* :func:`reestimate` iterates Bishop's eqs. 3.91, 3.92 and 3.95 in the SVD basis;
* :func:`loo_log_predictive` refits the posterior once per left-out point;
* :func:`log_evidence_quadrature` integrates likelihood times prior numerically (one or two weights).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate
from scipy.linalg import cho_factor, cho_solve

from ._validate import finite_array, positive_int, positive_scalar


def _problem(phi, t, alpha=None, beta=None):
    """Validated ``(phi, t, alpha, beta)``: a 2-D design, one target per row, positive precisions."""
    phi = finite_array(phi, "phi", ndim=2)
    t = finite_array(t, "t", ndim=1)
    if phi.shape[0] != t.size:
        raise ValueError(f"phi has {phi.shape[0]} rows but t has {t.size} values: lengths must match")
    if phi.shape[0] < 1 or phi.shape[1] < 1:
        raise ValueError(f"phi must have at least one row and one column, got shape {phi.shape}")
    if alpha is not None:
        alpha = positive_scalar(alpha, "alpha")
    if beta is not None:
        beta = positive_scalar(beta, "beta")
    return phi, t, alpha, beta


def log_evidence(phi, t, alpha: float, beta: float) -> float:
    """``log N(t | 0, I / beta + Phi Phi^T / alpha)``, through the thin SVD ``Phi = U S V^T``.

    ``C`` has eigenvalues ``1 / beta + s_i**2 / alpha`` along the columns ``u_i`` of ``U`` and
    ``1 / beta`` on their orthogonal complement, so its log-determinant and ``t^T C^-1 t`` need no
    ``N x N`` solve. The part of ``t`` outside the span of ``U`` is computed as a residual, not as a
    difference of squared norms (which would cancel when ``Phi`` nearly interpolates ``t``).
    """
    phi, t, alpha, beta = _problem(phi, t, alpha, beta)
    n = t.size
    u, s, _ = np.linalg.svd(phi, full_matrices=False)
    coords = u.T @ t
    outside = t - u @ coords
    eig = 1 / beta + s**2 / alpha
    logdet = np.sum(np.log(eig)) + (n - s.size) * np.log(1 / beta)
    quad = np.sum(coords**2 / eig) + beta * (outside @ outside)
    return float(-0.5 * (n * np.log(2 * np.pi) + logdet + quad))


def posterior_mean(phi, t, alpha: float, beta: float) -> np.ndarray:
    """The posterior mean ``m_N``: the minimiser of ``beta |t - Phi w|^2 + alpha |w|^2``.

    Solved as ordinary least squares on augmented data, ``[sqrt(beta) Phi; sqrt(alpha) I] w = [sqrt(beta) t; 0]``
    (an orthogonal factorisation; no normal equations).
    """
    phi, t, alpha, beta = _problem(phi, t, alpha, beta)
    k = phi.shape[1]
    design = np.vstack([np.sqrt(beta) * phi, np.sqrt(alpha) * np.eye(k)])
    target = np.concatenate([np.sqrt(beta) * t, np.zeros(k)])
    return np.linalg.lstsq(design, target, rcond=None)[0]


def effective_parameters(phi, alpha: float, beta: float) -> float:
    """Bishop's ``gamma = sum_i lambda_i / (alpha + lambda_i)``, ``lambda_i`` the eigenvalues of ``beta Phi^T Phi``.

    Each direction in weight space counts from 0 (set by the prior) to 1 (set by the data).
    """
    phi = finite_array(phi, "phi", ndim=2)
    alpha = positive_scalar(alpha, "alpha")
    beta = positive_scalar(beta, "beta")
    lam = beta * np.linalg.svd(phi, compute_uv=False) ** 2
    return float(np.sum(lam / (alpha + lam)))


@dataclass(frozen=True)
class Reestimated:
    """The fixed point of :func:`reestimate`: hyperparameters, gamma, weights and the log evidence there."""

    alpha: float
    beta: float
    gamma: float
    weights: np.ndarray
    log_evidence: float
    n_iter: int


RUNAWAY = 1e12
"""A precision this many times its start (or its inverse) means the iteration is running off to a boundary."""


def reestimate(phi, t, alpha: float, beta: float, rtol: float = 1e-13, max_iter: int = 100_000) -> Reestimated:
    """Iterate Bishop's re-estimation (eqs. 3.91, 3.92, 3.95) from ``(alpha, beta)`` to its fixed point.

    Each step: the posterior mean ``m`` under the current values; ``gamma = sum lambda_i / (alpha +
    lambda_i)``; ``alpha <- gamma / |m|^2``; ``beta <- (N - gamma) / |t - Phi m|^2``. Stops when both
    change by less than ``rtol`` (relative) in one step. Raises ``ValueError`` if that does not happen
    within ``max_iter`` steps, or if ``alpha`` or ``beta`` runs off towards 0 or infinity (the evidence
    then has no maximum inside: for ``alpha``, the data would rather have all weights zero).
    """
    phi, t, alpha, beta = _problem(phi, t, alpha, beta)
    max_iter = positive_int(max_iter, "max_iter")
    if not 0 < rtol < 1:
        raise ValueError(f"rtol must lie strictly between 0 and 1, got {rtol}")
    n = t.size
    u, s, vt = np.linalg.svd(phi, full_matrices=False)
    coords = u.T @ t
    start = np.array([alpha, beta])
    for iteration in range(1, max_iter + 1):
        lam = beta * s**2
        # m = V diag(beta s / (alpha + beta s^2)) U^T t: the posterior mean in the SVD basis.
        weights = vt.T @ (beta * s * coords / (alpha + lam))
        residual = t - phi @ weights
        gamma = float(np.sum(lam / (alpha + lam)))
        norm2, sse = float(weights @ weights), float(residual @ residual)
        if not (norm2 > 0 and sse > 0 and n - gamma > 0):
            raise ValueError(
                f"the re-estimation has no interior fixed point here (|m|^2 = {norm2:.3g}, "
                f"|t - Phi m|^2 = {sse:.3g}, N - gamma = {n - gamma:.3g})"
            )
        new = np.array([gamma / norm2, (n - gamma) / sse])
        ratio = new / start
        if not np.all((ratio < RUNAWAY) & (ratio > 1 / RUNAWAY)):
            names = [name for name, r in zip(("alpha", "beta"), ratio, strict=True) if not 1 / RUNAWAY < r < RUNAWAY]
            raise ValueError(
                f"{' and '.join(names)} ran off by a factor above {RUNAWAY:g} from the start after "
                f"{iteration} steps (alpha = {new[0]:.3g}, beta = {new[1]:.3g}): the evidence has no maximum "
                "inside for this start (alpha -> infinity: the data prefer all weights zero)"
            )
        converged = np.all(np.abs(new - [alpha, beta]) <= rtol * new)
        alpha, beta = float(new[0]), float(new[1])
        if converged:
            break
    else:
        raise ValueError(f"the re-estimation did not converge to rtol {rtol:g} within {max_iter} steps")
    lam = beta * s**2
    weights = vt.T @ (beta * s * coords / (alpha + lam))
    return Reestimated(
        alpha=alpha,
        beta=beta,
        gamma=float(np.sum(lam / (alpha + lam))),
        weights=weights,
        log_evidence=log_evidence(phi, t, alpha, beta),
        n_iter=iteration,
    )


def loo_log_predictive(phi, t, alpha: float, beta: float) -> np.ndarray:
    """Exact leave-one-out: ``log p(t_n | t_-n)`` for every ``n``, by refitting without point ``n``.

    Without point ``n`` the posterior is ``N(m, A^-1)`` with ``A = alpha I + beta Phi_-n^T Phi_-n`` and
    ``m = beta A^-1 Phi_-n^T t_-n``; the predictive for ``t_n`` is ``N(phi_n^T m, 1 / beta + phi_n^T A^-1 phi_n)``.
    """
    phi, t, alpha, beta = _problem(phi, t, alpha, beta)
    n, k = phi.shape
    if n < 2:
        raise ValueError("leave-one-out needs at least two points")
    out = np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        factor = cho_factor(alpha * np.eye(k) + beta * phi[keep].T @ phi[keep])
        mean = beta * cho_solve(factor, phi[keep].T @ t[keep])
        var = 1 / beta + phi[i] @ cho_solve(factor, phi[i])
        out[i] = -0.5 * (np.log(2 * np.pi * var) + (t[i] - phi[i] @ mean) ** 2 / var)
    return out


def log_evidence_quadrature(phi, t, alpha: float, beta: float, width: float = 10.0) -> float:
    """``log`` of the integral of likelihood times prior over one or two weights, by adaptive quadrature.

    The integrand is written from the two densities alone (no closed form); the integration box is
    ``width`` posterior sds either side of the posterior mode along each principal axis, which only
    places the box (the Gaussian tails beyond 10 sds hold about 1e-23 of the mass). The integral is
    computed by adaptive Gauss-Kronrod cubature (``scipy.integrate.cubature``) to a relative 1e-12.
    """
    phi, t, alpha, beta = _problem(phi, t, alpha, beta)
    k = phi.shape[1]
    if k not in (1, 2):
        raise ValueError(f"quadrature is offered for one or two weights, got {k}")
    width = positive_scalar(width, "width")
    n = t.size

    def log_joint(w):
        """log p(t | w, beta) + log p(w | alpha) for weights ``w`` of shape (..., k)."""
        residual = t - w @ phi.T
        log_lik = 0.5 * n * np.log(beta / (2 * np.pi)) - 0.5 * beta * np.sum(residual**2, axis=-1)
        log_prior = 0.5 * k * np.log(alpha / (2 * np.pi)) - 0.5 * alpha * np.sum(w**2, axis=-1)
        return log_lik + log_prior

    mode = posterior_mean(phi, t, alpha, beta)
    eigval, eigvec = np.linalg.eigh(alpha * np.eye(k) + beta * phi.T @ phi)
    axes = eigvec / np.sqrt(eigval)  # w = mode + axes @ z, z standardised
    peak = log_joint(mode)

    def integrand(z):  # z: (points, k), Gauss-Kronrod nodes in the standardised box
        return np.exp(log_joint(mode + z @ axes.T) - peak)

    box = np.full(k, width)
    result = integrate.cubature(integrand, -box, box, rule="gk21", rtol=1e-12, atol=0.0)
    if result.status != "converged":
        raise ValueError(f"the quadrature did not converge (estimated error {result.error:.3g})")
    return float(peak + np.log(abs(np.linalg.det(axes))) + np.log(result.estimate))
