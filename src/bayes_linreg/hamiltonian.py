"""Reference results for Hamiltonian Monte Carlo on a Gaussian target, by matrix propagation.

Target ``N(mean, precision^-1)``: the potential energy is ``U(q) = (q - mean)^T P (q - mean) / 2``,
the kinetic energy ``p^T p / 2`` (identity mass matrix), ``H = U + K``. On a Gaussian one leapfrog step
(half kick, drift, half kick) with step ``e`` is a linear map of ``z = (q - mean, p)``:

    q' = (I - e^2 P / 2) q + e p
    p' = -(e P - e^3 P^2 / 4) q + (I - e^2 P / 2) p

so ``L`` steps are the matrix power ``S^L`` and the energy error ``H(z_L) - H(z_0)`` is the quadratic
form ``z_0^T B z_0`` with ``B = (S^L^T H S^L - H) / 2``. Started from the stationary distribution
(``q ~ N(mean, P^-1)``, ``p ~ N(0, I)``, i.e. ``z ~ N(0, H^-1)``), its mean and variance are exact:
``tr(B H^-1)`` and ``2 tr((B H^-1)^2)``. The chapters write leapfrog as a loop over gradient calls;
nothing here shares that code.
"""

from __future__ import annotations

import numpy as np

from ._validate import cholesky, finite_array, positive_int, positive_scalar


def _precision(precision) -> np.ndarray:
    precision = finite_array(precision, "precision", ndim=2)
    cholesky(precision, "precision")
    return precision


def step_matrix(precision, step: float) -> np.ndarray:
    """The ``2d x 2d`` matrix of one leapfrog step acting on ``(q - mean, p)``."""
    precision = _precision(precision)
    step = positive_scalar(step, "step")
    eye = np.eye(precision.shape[0])
    drift = eye - step**2 / 2 * precision
    return np.block([[drift, step * eye], [-step * precision + step**3 / 4 * precision @ precision, drift]])


def _n_steps(n_steps) -> np.ndarray:
    """One path length or several equally likely ones, each a positive integer."""
    values = np.atleast_1d(np.asarray(n_steps))
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"n_steps must be a positive integer or a 1-D list of them, got {n_steps!r}")
    return np.array([positive_int(value.item() if hasattr(value, "item") else value, "n_steps") for value in values])


def propagate(precision, mean, position, momentum, step: float, n_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Where ``n_steps`` leapfrog steps take ``(position, momentum)``: rows are independent starts."""
    precision = _precision(precision)
    dim = precision.shape[0]
    mean = finite_array(mean, "mean", ndim=1)
    position = finite_array(position, "position")
    momentum = finite_array(momentum, "momentum")
    if mean.size != dim or position.shape[-1] != dim or position.shape != momentum.shape or position.ndim > 2:
        raise ValueError(
            f"position {position.shape} and momentum {momentum.shape} must have the same shape, (d,) or (n, d), "
            f"with d = {dim} (mean has {mean.size})"
        )
    n_steps = positive_int(n_steps, "n_steps")
    power = np.linalg.matrix_power(step_matrix(precision, step), n_steps)
    state = np.concatenate([position - mean, momentum], axis=-1) @ power.T
    return state[..., :dim] + mean, state[..., dim:]


def energy(precision, mean, position, momentum) -> np.ndarray:
    """``H = (q - mean)^T P (q - mean) / 2 + p^T p / 2`` for each row (the constant of ``-log p`` left out)."""
    precision = _precision(precision)
    offset = finite_array(position, "position") - finite_array(mean, "mean", ndim=1)
    momentum = finite_array(momentum, "momentum")
    if offset.shape != momentum.shape or offset.shape[-1] != precision.shape[0]:
        raise ValueError(
            f"position {offset.shape} and momentum {momentum.shape} do not fit a {precision.shape} precision"
        )
    return 0.5 * np.einsum("...i,ij,...j->...", offset, precision, offset) + 0.5 * np.sum(momentum**2, axis=-1)


def energy_error_moments(precision, step: float, n_steps: int) -> tuple[float, float]:
    """Exact mean and variance of ``H(z_L) - H(z_0)`` over stationary starts (see the module docstring).

    The mean is never negative: the leapfrog map preserves volume and is reversible, so
    ``E[exp(-dH)] = 1`` and, by Jensen's inequality, ``E[dH] >= 0``.
    """
    precision = _precision(precision)
    dim = precision.shape[0]
    n_steps = positive_int(n_steps, "n_steps")
    power = np.linalg.matrix_power(step_matrix(precision, step), n_steps)
    hamiltonian = np.block([[precision, np.zeros((dim, dim))], [np.zeros((dim, dim)), np.eye(dim)]])
    b = 0.5 * (power.T @ hamiltonian @ power - hamiltonian)
    b_cov = b @ np.linalg.inv(hamiltonian)
    return float(np.trace(b_cov)), float(2 * np.trace(b_cov @ b_cov))


def mean_square_energy_error(precision, step: float, n_steps) -> float:
    """``E[dH^2]`` over stationary starts, averaged over equally likely path lengths ``n_steps``."""
    moments = [energy_error_moments(precision, step, int(n)) for n in _n_steps(n_steps)]
    return float(np.mean([variance + mean**2 for mean, variance in moments]))


def spectral_radius(precision, step: float) -> float:
    """Largest modulus of the eigenvalues of one leapfrog step: 1 while ``step * omega_max <= 2``, above it beyond.

    ``omega_max**2`` is the largest eigenvalue of the precision; above the limit the step's eigenvalues
    leave the unit circle and a path grows geometrically (a divergence).
    """
    return float(np.max(np.abs(np.linalg.eigvals(step_matrix(precision, step)))))


def fixed_path_autocorrelation(precision, step: float, n_steps: int) -> np.ndarray:
    """Lag-1 autocorrelations of HMC with ``n_steps`` fixed and every proposal accepted, per principal axis.

    With a fresh momentum each iteration, ``E[q_next - mean | q] = A (q - mean)`` with ``A`` the position
    block of ``S^L``; ``A`` shares the precision's eigenvectors, and its eigenvalues (returned in the
    order of ``np.linalg.eigh(precision)``, smallest precision first) are the chain's autocorrelations
    along those axes. Along each axis the chain is autoregressive, so its ESS per draw is
    ``(1 - rho) / (1 + rho)``.
    """
    precision = _precision(precision)
    dim = precision.shape[0]
    power = np.linalg.matrix_power(step_matrix(precision, step), positive_int(n_steps, "n_steps"))
    _, axes = np.linalg.eigh(precision)
    block = axes.T @ power[:dim, :dim] @ axes
    return np.diag(block).copy()
