"""Reference implementation: the posterior of lines that vary by group, with the group sds fixed.

Model (``J`` groups, observation ``i`` in group ``g[i]``)::

    y_i            = a_g[i] + b_g[i] x_i + eps_i,       eps_i ~ N(0, noise_sd**2)
    a_j            = mu_a + u_j,                         u_j  ~ N(0, group_sd[0]**2)
    b_j            = mu_b + v_j,                         v_j  ~ N(0, group_sd[1]**2)
    (mu_a, mu_b)   ~ N(prior_mean, prior_cov)

With the noise sd and the group sds held fixed, every unknown enters linearly and every distribution
is Gaussian, so the posterior of ``(mu_a, mu_b, a_1..a_J, b_1..b_J)`` is Gaussian (Lindley and Smith,
1972). The chapters sample this model by MCMC; the hidden check cells compare the draws with this.

The route here is the mixed-model one, and independent of :func:`.conjugate.posterior` (which the
unit tests use to cross-check it on the joint design): the group effects are integrated out first,
``y ~ N(X mu, V)`` with ``V = noise_sd**2 I + Z D Z^T``, which gives the population line's Gaussian
posterior by generalised least squares; then, given ``mu``, the group effects are Gaussian with mean
``D Z^T V^-1 (y - X mu)`` and covariance ``D - D Z^T V^-1 Z D`` (Henderson's best linear unbiased
prediction), and the law of total (co)variance combines the two.

With the sds learned the posterior has no closed form, but every line's intercept and slope, and the
population line, are still Gaussian given all the other unknowns. :func:`rao_blackwell_cdf` averages
those Gaussian CDFs over MCMC draws: the posterior CDF at a true value, accurate far into the tails,
for checking that a simulated truth is recovered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.linalg import cho_solve

from ._validate import cholesky, finite_array, positive_scalar
from .conjugate import Gaussian


@dataclass(frozen=True)
class GroupLines:
    """The posterior of :func:`varying_lines_posterior`.

    ``joint`` is over ``(mu_a, mu_b, a_1, ..., a_J, b_1, ..., b_J)``; ``population``, ``intercepts``
    and ``slopes`` are its marginals over ``(mu_a, mu_b)``, the ``a_j`` and the ``b_j``.
    """

    joint: Gaussian
    n_groups: int

    def _marginal(self, index) -> Gaussian:
        return Gaussian(self.joint.mean[index], self.joint.cov[np.ix_(index, index)])

    @property
    def population(self) -> Gaussian:
        return self._marginal(np.arange(2))

    @property
    def intercepts(self) -> Gaussian:
        return self._marginal(2 + np.arange(self.n_groups))

    @property
    def slopes(self) -> Gaussian:
        return self._marginal(2 + self.n_groups + np.arange(self.n_groups))


def group_codes(group, n: int) -> tuple[np.ndarray, int]:
    """``group`` as integer codes ``0..J-1`` (one per observation, every code used); returns ``(codes, J)``.

    Refuses floats that are not whole numbers, booleans, negative codes, codes with no observation
    (a gap would silently renumber the groups) and a length other than ``n``.
    """
    values = np.asarray(group)
    if values.dtype == bool or not (
        np.issubdtype(values.dtype, np.integer) or np.issubdtype(values.dtype, np.floating)
    ):
        raise TypeError(f"group must hold integer codes 0..J-1, got dtype {values.dtype}")
    if values.ndim != 1 or values.size != n:
        raise ValueError(f"group must be 1-D with one code per observation ({n}), got shape {values.shape}")
    if np.issubdtype(values.dtype, np.floating):
        if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
            raise ValueError("group must hold whole-number codes 0..J-1, got non-integer values")
    codes = values.astype(int)
    if codes.min() < 0:
        raise ValueError(f"group codes must be 0..J-1, got {codes.min()}")
    n_groups = int(codes.max()) + 1
    missing = np.setdiff1d(np.arange(n_groups), codes)
    if missing.size:
        raise ValueError(f"group codes must be 0..J-1 with every code used; no observations for {missing.tolist()}")
    return codes, n_groups


def varying_lines_posterior(x, y, group, noise_sd, group_sd, prior_mean, prior_cov) -> GroupLines:
    """The Gaussian posterior of the population line and every group's line, the sds held fixed.

    ``x``, ``y`` and ``group`` (codes ``0..J-1``) have one entry per observation; ``noise_sd > 0``;
    ``group_sd = (sd of the intercepts, sd of the slopes)``, both ``> 0``; ``prior_mean`` (2) and
    ``prior_cov`` (2 x 2, positive definite) are the prior of ``(mu_a, mu_b)``.
    """
    y = finite_array(y, "y", ndim=1)
    x = finite_array(x, "x", ndim=1)
    if x.size != y.size:
        raise ValueError(f"x has {x.size} values but y has {y.size}: lengths must match")
    if y.size == 0:
        raise ValueError("no observations")
    codes, n_groups = group_codes(group, y.size)
    noise_sd = positive_scalar(noise_sd, "noise_sd")
    group_sd = finite_array(group_sd, "group_sd", ndim=1)
    if group_sd.shape != (2,):
        raise ValueError(f"group_sd must be (sd of intercepts, sd of slopes), got {group_sd.size} values")
    if not np.all(group_sd > 0):
        raise ValueError(f"group_sd must be positive, got {group_sd}")
    prior_mean = finite_array(prior_mean, "prior_mean", ndim=1)
    if prior_mean.shape != (2,):
        raise ValueError(f"prior_mean must hold (mu_a, mu_b), got {prior_mean.size} values")
    prior_cov = finite_array(prior_cov, "prior_cov", ndim=2)
    if prior_cov.shape != (2, 2):
        raise ValueError(f"prior_cov must be 2 x 2, got shape {prior_cov.shape}")
    cholesky(prior_cov, "prior_cov")

    n = y.size
    design = np.column_stack([np.ones(n), x])  # X: the population line
    indicator = np.zeros((n, n_groups))
    indicator[np.arange(n), codes] = 1.0
    effects = np.hstack([indicator, indicator * x[:, None]])  # Z: the group deviations (u, v)
    effect_var = np.repeat(group_sd**2, n_groups)  # diagonal of D
    # Marginal covariance of y with the group effects integrated out, and solves with it.
    marginal = noise_sd**2 * np.eye(n) + (effects * effect_var) @ effects.T
    factor = (cholesky(marginal, "marginal covariance of y"), True)
    v_inv_design = cho_solve(factor, design)
    v_inv_y = cho_solve(factor, y)
    # Population line: Gaussian prior times the GLS likelihood.
    prior_factor = (cholesky(prior_cov, "prior_cov"), True)
    precision = cho_solve(prior_factor, np.eye(2)) + design.T @ v_inv_design
    precision = (precision + precision.T) / 2
    pop_factor = (cholesky(precision, "posterior precision of the population line"), True)
    pop_cov = cho_solve(pop_factor, np.eye(2))
    pop_mean = pop_cov @ (cho_solve(prior_factor, prior_mean) + design.T @ v_inv_y)
    # Group effects given mu: mean K (y - X mu), covariance D - K Z D, with K = D Z^T V^-1.
    gain = effect_var[:, None] * cho_solve(factor, effects).T
    residual_cov = np.diag(effect_var) - gain @ (effects * effect_var)
    # (mu, a, b) = T mu + c + r: a_j = mu_a + u_j and b_j = mu_b + v_j.
    to_groups = np.vstack([np.repeat([[1.0, 0.0]], n_groups, axis=0), np.repeat([[0.0, 1.0]], n_groups, axis=0)])
    transform = np.vstack([np.eye(2), to_groups - gain @ design])
    offset = np.concatenate([np.zeros(2), gain @ y])
    mean = transform @ pop_mean + offset
    cov = transform @ pop_cov @ transform.T
    cov[2:, 2:] += residual_cov
    cov = (cov + cov.T) / 2
    return GroupLines(Gaussian(mean, cov), n_groups)


_DRAW_NAMES = ("mu_a", "mu_b", "tau_a", "tau_b", "sigma", "a", "b")


def _draw_columns(draws, n_groups: int) -> dict[str, np.ndarray]:
    """The posterior draws a full conditional needs, validated: scalars ``(n,)``, group lines ``(n, J)``."""
    try:
        columns = {name: finite_array(draws[name], f"draws[{name!r}]") for name in _DRAW_NAMES}
    except KeyError as err:
        raise ValueError(f"draws must hold {', '.join(_DRAW_NAMES)}; missing {err}") from err
    n = columns["sigma"].reshape(-1).size
    for name in ("mu_a", "mu_b", "tau_a", "tau_b", "sigma"):
        columns[name] = columns[name].reshape(-1)
        if columns[name].size != n:
            raise ValueError(f"draws[{name!r}] has {columns[name].size} draws, sigma {n}: they must pair up")
    for name in ("a", "b"):
        if columns[name].shape != (n, n_groups):
            raise ValueError(
                f"draws[{name!r}] must have shape (draws, groups) = {(n, n_groups)}, got {columns[name].shape}"
            )
    for name in ("tau_a", "tau_b", "sigma"):
        if not np.all(columns[name] > 0):
            raise ValueError(f"draws[{name!r}] must be positive (it is a standard deviation)")
    if n < 2:
        raise ValueError(f"need at least 2 draws, got {n}")
    return columns


def rao_blackwell_cdf(x, y, group, draws, values, prior_mean, prior_sd) -> dict[str, np.ndarray]:
    """Posterior CDFs ``P(theta <= value | y)`` of the population line and the group lines, learned sds.

    The model of :func:`varying_lines_posterior` with ``tau_a``, ``tau_b`` and ``noise_sd`` unknown
    (any prior) and ``(mu_a, mu_b)`` independent ``N(prior_mean[k], prior_sd[k]**2)``. Each of
    ``mu_a``, ``mu_b``, ``a_j`` and ``b_j`` is Gaussian given all the other unknowns (its full
    conditional); averaging that Gaussian CDF over posterior ``draws`` estimates the posterior CDF
    (Rao-Blackwellisation), far into the tails where the draws themselves give no estimate. For a
    correct posterior and a truth drawn from the model, the CDF at the truth is uniform on (0, 1).

    ``draws`` maps ``mu_a, mu_b, tau_a, tau_b, sigma`` to ``(n,)`` arrays and ``a, b`` to ``(n, J)``;
    ``values`` maps any of ``mu_a, mu_b, a, b`` to a number or ``J`` numbers. Returns the CDF at each.
    """
    y = finite_array(y, "y", ndim=1)
    x = finite_array(x, "x", ndim=1)
    if x.size != y.size:
        raise ValueError(f"x has {x.size} values but y has {y.size}: lengths must match")
    codes, n_groups = group_codes(group, y.size)
    prior_mean = finite_array(prior_mean, "prior_mean", ndim=1)
    prior_sd = finite_array(prior_sd, "prior_sd", ndim=1)
    if prior_mean.shape != (2,) or prior_sd.shape != (2,):
        raise ValueError("prior_mean and prior_sd must hold two values each, for (mu_a, mu_b)")
    if not np.all(prior_sd > 0):
        raise ValueError(f"prior_sd must be positive, got {prior_sd}")
    d = _draw_columns(draws, n_groups)
    unknown = set(values) - {"mu_a", "mu_b", "a", "b"}
    if unknown or not values:
        raise ValueError(f"values must map some of mu_a, mu_b, a, b to numbers; got {sorted(values)}")
    indicator = np.zeros((y.size, n_groups))
    indicator[np.arange(y.size), codes] = 1.0
    noise_prec = 1 / d["sigma"] ** 2  # (n,)
    means, sds = {}, {}
    # a_j | b_j, mu_a, tau_a, sigma: the group's residuals y - b_j x, n_j of them, and N(mu_a, tau_a^2).
    if "a" in values:
        sum_resid = (y - d["b"][:, codes] * x) @ indicator  # (n, J)
        prec = indicator.sum(0) * noise_prec[:, None] + 1 / d["tau_a"][:, None] ** 2
        means["a"] = (sum_resid * noise_prec[:, None] + d["mu_a"][:, None] / d["tau_a"][:, None] ** 2) / prec
        sds["a"] = 1 / np.sqrt(prec)
    # b_j | a_j, mu_b, tau_b, sigma: a line through the origin in (x, y - a_j), and N(mu_b, tau_b^2).
    if "b" in values:
        sum_xr = ((y - d["a"][:, codes]) * x) @ indicator
        prec = ((x**2) @ indicator) * noise_prec[:, None] + 1 / d["tau_b"][:, None] ** 2
        means["b"] = (sum_xr * noise_prec[:, None] + d["mu_b"][:, None] / d["tau_b"][:, None] ** 2) / prec
        sds["b"] = 1 / np.sqrt(prec)
    # mu | the group lines, tau: J observations of N(mu, tau^2) and the prior.
    for k, (name, lines, tau) in enumerate((("mu_a", "a", "tau_a"), ("mu_b", "b", "tau_b"))):
        if name in values:
            prec = n_groups / d[tau] ** 2 + 1 / prior_sd[k] ** 2
            means[name] = (d[lines].sum(1) / d[tau] ** 2 + prior_mean[k] / prior_sd[k] ** 2) / prec
            sds[name] = 1 / np.sqrt(prec)
    result = {}
    for name, value in values.items():
        value = finite_array(value, f"values[{name!r}]")
        expected = () if name.startswith("mu") else (n_groups,)
        if value.shape != expected:
            raise ValueError(f"values[{name!r}] must have shape {expected}, got {value.shape}")
        result[name] = stats.norm.cdf((value - means[name]) / sds[name]).mean(axis=0)
    return result
