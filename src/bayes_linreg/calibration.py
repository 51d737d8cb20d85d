"""Simulation-based calibration (Talts et al. 2018) of the closed-form posterior, vectorised.

Draw true weights from a generating prior, simulate a data set from each, fit the model to every data
set and ask where the truth falls in its posterior. If the model is the one that generated the data,
the truth is just one more draw from the posterior, so

* its **rank** among ``L`` posterior draws is uniform on ``0, ..., L``,
* its **PIT** ``F(w_true)`` under the posterior marginal CDF ``F`` is uniform on ``(0, 1)``,
* the central ``p`` interval covers it in a fraction ``p`` of the data sets.

With known noise and a fixed design the posterior covariance is the same for every data set and the
posterior mean is linear in ``y``, so thousands of data sets take one matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._validate import finite_array, positive_int, positive_scalar
from .conjugate import Gaussian, posterior
from .data import design_matrix
from .draws import sample_weights


@dataclass(frozen=True)
class SBCResult:
    """One calibration experiment: the truths ``(n, dim)``, posterior means ``(n, dim)`` and the shared posterior."""

    truth: np.ndarray
    post_mean: np.ndarray
    post_cov: np.ndarray

    @property
    def post_sd(self) -> np.ndarray:
        """Marginal posterior sds (the same for every data set)."""
        return np.sqrt(np.diag(self.post_cov))

    @property
    def pit(self) -> np.ndarray:
        """``F(w_true)`` for every data set and weight, with ``F`` the posterior marginal CDF: ``(n, dim)``."""
        return stats.norm.cdf((self.truth - self.post_mean) / self.post_sd)


def _model_posterior(x, true_prior: Gaussian, true_noise_sd, model_prior, model_noise_sd):
    """Validated design, noise sds and the model's posterior for ``y = 0``, shared by every data set.

    With known noise and a fixed design the posterior covariance does not depend on ``y`` and the mean is
    ``m0 + V_N Phi^T y / sigma^2``, where ``m0`` is the posterior mean for ``y = 0``.
    """
    x = finite_array(x, "x", ndim=1)
    true_noise_sd = positive_scalar(true_noise_sd, "true_noise_sd")
    model_prior = true_prior if model_prior is None else model_prior
    model_noise_sd = true_noise_sd if model_noise_sd is None else positive_scalar(model_noise_sd, "model_noise_sd")
    if model_prior.mean.size != true_prior.mean.size:
        raise ValueError(
            f"model_prior is over {model_prior.mean.size} weights, true_prior over {true_prior.mean.size}"
        )
    if true_prior.mean.size < 2:
        raise ValueError("the priors need at least an intercept and a slope")
    phi = design_matrix(x, degree=true_prior.mean.size - 1)
    return phi, true_noise_sd, model_noise_sd, posterior(phi, np.zeros(x.size), model_noise_sd, model_prior)


def simulate(
    rng: np.random.Generator,
    x,
    n_datasets: int,
    true_prior: Gaussian,
    true_noise_sd: float,
    model_prior: Gaussian | None = None,
    model_noise_sd: float | None = None,
) -> SBCResult:
    """Run SBC: weights from ``true_prior``, data with ``true_noise_sd`` at inputs ``x``, posterior of the model.

    The model uses ``model_prior`` and ``model_noise_sd`` (default: the generating ones, a correct model);
    set either to something else to see miscalibration. The design is a straight line, ``Phi = (1, x)``,
    or a polynomial when the prior is over more weights.
    """
    n_datasets = positive_int(n_datasets, "n_datasets")
    phi, true_noise_sd, model_noise_sd, base = _model_posterior(
        x, true_prior, true_noise_sd, model_prior, model_noise_sd
    )
    truth = sample_weights(rng, true_prior, n_datasets)
    y = truth @ phi.T + true_noise_sd * rng.standard_normal((n_datasets, phi.shape[0]))
    post_mean = base.mean + (y @ phi) @ base.cov / model_noise_sd**2
    return SBCResult(truth=truth, post_mean=post_mean, post_cov=base.cov)


def ranks(rng: np.random.Generator, result: SBCResult, n_draws: int = 99) -> np.ndarray:
    """Talts et al.'s rank statistic: how many of ``n_draws`` posterior draws fall below the truth.

    Returns integers in ``0..n_draws``, shape ``(n_datasets, dim)``; uniform when the model is calibrated.
    """
    n_draws = positive_int(n_draws, "n_draws")
    n, dim = result.truth.shape
    factor = np.linalg.cholesky(result.post_cov)
    draws = result.post_mean[:, None, :] + rng.standard_normal((n, n_draws, dim)) @ factor.T
    return np.sum(draws < result.truth[:, None, :], axis=1)


def coverage(pit, probs) -> np.ndarray:
    """Fraction of data sets whose central ``prob`` interval covers the truth, for every prob and weight.

    The central ``p`` interval covers the truth exactly when ``|PIT - 1/2| <= p / 2``. ``pit`` is
    ``(n_datasets, dim)``; returns ``(len(probs), dim)``.
    """
    pit = finite_array(pit, "pit", ndim=2)
    if np.any((pit < 0) | (pit > 1)):
        raise ValueError("pit values must lie in [0, 1]")
    probs = finite_array(probs, "probs", ndim=1)
    if np.any((probs <= 0) | (probs >= 1)):
        raise ValueError(f"probs must lie strictly between 0 and 1, got {probs}")
    inside = np.abs(pit - 0.5)[None, :, :] <= probs[:, None, None] / 2
    return inside.mean(axis=1)


def expected_coverage(
    x,
    probs,
    true_prior: Gaussian,
    true_noise_sd: float,
    model_prior: Gaussian | None = None,
    model_noise_sd: float | None = None,
) -> np.ndarray:
    """The coverage :func:`simulate` should find, computed exactly: ``(len(probs), dim)``.

    The model's posterior mean is linear in the data, ``m = m0 + A y`` with ``A = V_N Phi^T / sigma^2``, so
    the error ``w_true - m = (I - A Phi) w_true - A eps - m0`` is Gaussian with mean
    ``(I - A Phi) w0 - m0`` and covariance ``(I - A Phi) V0 (I - A Phi)^T + sigma_true^2 A A^T`` under the
    generating process. The central ``p`` interval ``m_j ± z sd_j`` covers the truth with the probability that
    this Gaussian error lies within ``± z sd_j``. For the correct model it is exactly ``p``.
    """
    probs = finite_array(probs, "probs", ndim=1)
    if np.any((probs <= 0) | (probs >= 1)):
        raise ValueError(f"probs must lie strictly between 0 and 1, got {probs}")
    phi, true_noise_sd, model_noise_sd, base = _model_posterior(
        x, true_prior, true_noise_sd, model_prior, model_noise_sd
    )
    gain = base.cov @ phi.T / model_noise_sd**2
    residual = np.eye(phi.shape[1]) - gain @ phi
    error_mean = residual @ true_prior.mean - base.mean
    error_cov = residual @ true_prior.cov @ residual.T + true_noise_sd**2 * gain @ gain.T
    error_sd = np.sqrt(np.diag(error_cov))
    half_width = stats.norm.ppf(0.5 + probs[:, None] / 2) * np.sqrt(np.diag(base.cov))[None, :]
    upper = stats.norm.cdf((half_width - error_mean) / error_sd)
    lower = stats.norm.cdf((-half_width - error_mean) / error_sd)
    return upper - lower


def binomial_band(prob, n: int, level: float = 0.999) -> tuple[np.ndarray, np.ndarray]:
    """Central ``level`` range of the fraction of ``n`` independent trials that succeed with probability ``prob``.

    An empirical coverage of a calibrated model falls inside it with probability at least ``level``.
    """
    n = positive_int(n, "n")
    prob = finite_array(prob, "prob")
    if np.any((prob < 0) | (prob > 1)):
        raise ValueError(f"prob must lie in [0, 1], got {prob}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level}")
    tail = (1 - level) / 2
    return stats.binom.ppf(tail, n, prob) / n, stats.binom.isf(tail, n, prob) / n


def to_datatree(pit, names=("intercept", "slope")):
    """PIT values as an ArviZ ``DataTree`` with group ``prior_sbc``, for ``az.plot_ecdf_pit``."""
    import arviz as az

    pit = finite_array(pit, "pit", ndim=2)
    names = list(names)
    if len(names) != pit.shape[1]:
        raise ValueError(f"got {len(names)} names for {pit.shape[1]} columns of pit")
    return az.from_dict({"prior_sbc": {name: pit[None, :, j] for j, name in enumerate(names)}})
