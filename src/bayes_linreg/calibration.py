"""Reference for simulation-based calibration (Talts et al. 2018) of the closed-form posterior.

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

import numpy as np
from scipy import stats

from ._validate import finite_array, positive_int, positive_scalar
from .conjugate import Gaussian, design_matrix, posterior, require_gaussian


def _model_posterior(x, true_prior: Gaussian, true_noise_sd, model_prior, model_noise_sd):
    """Validated design, noise sds and the model's posterior for ``y = 0``, shared by every data set.

    With known noise and a fixed design the posterior covariance does not depend on ``y`` and the mean is
    ``m0 + V_N Phi^T y / sigma^2``, where ``m0`` is the posterior mean for ``y = 0``.
    """
    x = finite_array(x, "x", ndim=1)
    true_prior = require_gaussian(true_prior, "true_prior")
    true_noise_sd = positive_scalar(true_noise_sd, "true_noise_sd")
    model_prior = true_prior if model_prior is None else require_gaussian(model_prior, "model_prior")
    model_noise_sd = true_noise_sd if model_noise_sd is None else positive_scalar(model_noise_sd, "model_noise_sd")
    if model_prior.mean.size != true_prior.mean.size:
        raise ValueError(f"model_prior is over {model_prior.mean.size} weights, true_prior over {true_prior.mean.size}")
    if true_prior.mean.size < 2:
        raise ValueError("the priors need at least an intercept and a slope")
    phi = design_matrix(x, degree=true_prior.mean.size - 1)
    return phi, true_noise_sd, model_noise_sd, posterior(phi, np.zeros(x.size), model_noise_sd, model_prior)


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
    """The coverage an SBC simulation should find, computed exactly: ``(len(probs), dim)``.

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
