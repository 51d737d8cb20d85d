"""Assertions the chapters' hidden check cells make.

Every tolerance is derived from the quantity being checked (a posterior sd, a
sample size, a Monte-Carlo standard error), never tuned to one seed. ``z = 4``
standard errors leaves a false alarm rate of about 6e-5 per compared number.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ._validate import finite_array
from .conjugate import Gaussian

DEFAULT_Z = 4.0


def bonferroni_z(n_compared: int, alarm_rate: float = 1e-3) -> float:
    """The two-sided z that keeps ``n_compared`` comparisons together below ``alarm_rate`` false alarms.

    Each comparison ``|gap| <= z * se`` of a correct result fails with probability ``2 (1 - Phi(z))``;
    by Bonferroni's inequality ``n_compared`` of them fail together at most ``n_compared`` times that.
    Use it for grids (a band checked at 81 points) and for a chapter's many compared numbers.
    """
    if isinstance(n_compared, bool) or not isinstance(n_compared, (int, np.integer)) or n_compared < 1:
        raise ValueError(f"n_compared must be a positive integer, got {n_compared!r}")
    if not 0 < alarm_rate < 1:
        raise ValueError(f"alarm_rate must lie strictly between 0 and 1, got {alarm_rate}")
    return float(stats.norm.isf(alarm_rate / (2 * n_compared)))


def central_interval(belief: Gaussian, prob: float = 0.99) -> tuple[np.ndarray, np.ndarray]:
    """Marginal central ``prob`` intervals of a Gaussian belief."""
    if not 0 < prob < 1:
        raise ValueError(f"prob must lie strictly between 0 and 1, got {prob}")
    half = stats.norm.ppf(0.5 + prob / 2) * belief.sd
    return belief.mean - half, belief.mean + half


def assert_matches_reference(name: str, computed, reference, rtol: float = 1e-10) -> float:
    """What a chapter computed equals the reference implementation's result, to ``rtol``.

    The tolerance is relative to the largest entry of ``reference`` (so entries near zero do not
    demand impossible relative accuracy). Shapes must agree exactly. Returns the largest gap
    in those units, so a chapter can print it.
    """
    computed = finite_array(computed, name)
    reference = finite_array(reference, f"reference {name}")
    if computed.shape != reference.shape:
        raise ValueError(f"{name} has shape {computed.shape}, the reference {reference.shape}")
    if not (np.isfinite(rtol) and rtol > 0):
        raise ValueError(f"rtol must be a positive number, got {rtol}")
    scale = max(float(np.abs(reference).max()), np.finfo(float).tiny)
    gap = float(np.abs(computed - reference).max()) / scale
    assert gap <= rtol, f"{name} differs from the reference by {gap:.3g} (relative), more than {rtol:g}:\n{computed}\nvs\n{reference}"
    return gap


def assert_inside(names, values, lower, upper, what="interval") -> None:
    """Each value lies in its ``[lower, upper]``."""
    for name, value, lo, hi in zip(names, np.atleast_1d(values), np.atleast_1d(lower), np.atleast_1d(upper)):
        assert lo <= value <= hi, f"{name} = {value:.4g} lies outside the {what} [{lo:.4g}, {hi:.4g}]"


def assert_truth_recovered(belief: Gaussian, truth, prior: Gaussian, names=("intercept", "slope"), prob=0.9999) -> None:
    """The truth lies in the posterior's central ``prob`` interval and the posterior mean beats the prior mean.

    The default 99.99 % keeps the check true for (practically) every seed; at 99 % a correct
    posterior would miss the truth for about one seed in a hundred per weight.
    """
    truth = finite_array(truth, "truth", ndim=1)
    lower, upper = central_interval(belief, prob)
    assert_inside(names, truth, lower, upper, f"central {prob * 100:g}% posterior interval")
    posterior_error = np.linalg.norm(belief.mean - truth)
    prior_error = np.linalg.norm(prior.mean - truth)
    assert posterior_error < prior_error, (
        f"posterior mean is {posterior_error:.3g} from the truth, no closer than the prior mean ({prior_error:.3g})"
    )


def assert_draws_match(draws, belief: Gaussian, n_eff=None, z: float = DEFAULT_Z) -> None:
    """Sample mean and covariance of ``draws`` (rows) agree with ``belief`` within Monte-Carlo error.

    The standard error of a sample mean is ``sd / sqrt(n)``; of a sample covariance entry,
    ``sqrt((S_ii S_jj + S_ij**2) / n)`` for Gaussian draws. ``n_eff`` replaces ``n`` for
    correlated (MCMC) draws.
    """
    draws = finite_array(draws, "draws", ndim=2)
    if draws.shape[1] != belief.mean.size:
        raise ValueError(f"draws have {draws.shape[1]} columns, the belief is over {belief.mean.size}")
    n = draws.shape[0] if n_eff is None else np.asarray(n_eff, dtype=float)
    mean_se = belief.sd / np.sqrt(n)
    mean_gap = np.abs(draws.mean(axis=0) - belief.mean)
    assert np.all(mean_gap <= z * mean_se), (
        f"sample mean {draws.mean(axis=0)} differs from {belief.mean} by {mean_gap / mean_se} standard errors (> {z})"
    )
    n_pair = n if np.ndim(n) == 0 else np.minimum.outer(n, n)
    cov = belief.cov
    cov_se = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov**2) / n_pair)
    cov_gap = np.abs(np.cov(draws, rowvar=False) - cov)
    assert np.all(cov_gap <= z * cov_se), (
        f"sample covariance\n{np.cov(draws, rowvar=False)}\ndiffers from\n{cov}\nby {cov_gap / cov_se} standard errors"
    )


def assert_converged(idata, var_names=None, rhat_max: float = 1.01, ess_min: float = 400) -> None:
    """MCMC health: r-hat, bulk and tail ESS for every parameter, and no divergences."""
    import arviz as az

    summary = az.summary(idata, var_names=var_names, kind="diagnostics", round_to="none")
    bad_rhat = summary[summary["r_hat"] > rhat_max]
    assert bad_rhat.empty, f"r-hat above {rhat_max}:\n{bad_rhat}"
    for column in ("ess_bulk", "ess_tail"):
        low = summary[summary[column] < ess_min]
        assert low.empty, f"{column} below {ess_min}:\n{low}"
    divergences = int(idata["sample_stats"]["diverging"].sum())
    assert divergences == 0, f"{divergences} divergent transitions"


def assert_mcmc_mean_matches(idata, var_name: str, exact_mean, z: float = DEFAULT_Z) -> np.ndarray:
    """Posterior mean of ``var_name`` within ``z`` Monte-Carlo standard errors of ``exact_mean``.

    Returns the gaps in MCSE units so a chapter can print them.
    """
    import arviz as az

    draws = idata["posterior"][var_name]
    mean = draws.mean(("chain", "draw")).values
    mcse = az.mcse(idata, var_names=[var_name])[var_name].values
    gap = (mean - np.asarray(exact_mean)) / mcse
    assert np.all(np.abs(gap) <= z), f"{var_name}: MCMC mean {mean} vs exact {exact_mean} is {gap} MCSE apart"
    return gap


def assert_band_matches(band, mean, sd, z: float = DEFAULT_Z) -> tuple[float, float]:
    """A band from MCMC draws (:class:`.mcmc.Band`) matches the exact pointwise ``mean`` and ``sd``.

    Each point is compared in units of its own Monte-Carlo standard error. Returns the largest
    gaps of the mean and of the sd, in MCSE units.
    """
    mean_gap = np.abs(band.mean - finite_array(mean, "mean", ndim=1)) / band.mcse_mean
    sd_gap = np.abs(band.sd - finite_array(sd, "sd", ndim=1)) / band.mcse_sd
    assert np.all(mean_gap <= z), f"band mean is up to {mean_gap.max():.2f} MCSE from the exact mean (> {z})"
    assert np.all(sd_gap <= z), f"band sd is up to {sd_gap.max():.2f} MCSE from the exact sd (> {z})"
    return float(mean_gap.max()), float(sd_gap.max())


def assert_fits_agree(idata_a, idata_b, names_a, names_b=None, z: float = DEFAULT_Z) -> np.ndarray:
    """Two MCMC fits of the same quantities have posterior means within ``z`` combined MCSEs.

    ``names_b`` gives the second fit's names for the same quantities (default: ``names_a``). The
    combined standard error of a difference of independent estimates is ``sqrt(mcse_a**2 + mcse_b**2)``.
    Returns the gaps in those units.
    """
    import arviz as az

    names_b = list(names_a) if names_b is None else list(names_b)
    if len(names_b) != len(names_a):
        raise ValueError(f"names_a and names_b must pair up, got {len(names_a)} and {len(names_b)} names")
    gaps = []
    for name_a, name_b in zip(names_a, names_b):
        mean_a = float(idata_a["posterior"][name_a].mean())
        mean_b = float(idata_b["posterior"][name_b].mean())
        mcse_a = float(az.mcse(idata_a, var_names=[name_a])[name_a])
        mcse_b = float(az.mcse(idata_b, var_names=[name_b])[name_b])
        gap = (mean_a - mean_b) / np.hypot(mcse_a, mcse_b)
        assert abs(gap) <= z, f"{name_a} {mean_a:.4g} vs {name_b} {mean_b:.4g}: {gap:+.2f} combined MCSE apart"
        gaps.append(gap)
    return np.array(gaps)


def assert_truth_in_posterior(idata, truth, z: float = DEFAULT_Z) -> dict:
    """Every true value lies within ``z`` posterior sds of its MCMC posterior mean.

    ``truth`` maps posterior variable names to their true (scalar) values. With ``z = 4`` the check
    is the central 99.994 % interval of a near-Gaussian posterior. Returns the z-scores
    ``(mean - truth) / sd`` so a chapter can print them.
    """
    if not truth:
        raise ValueError("truth must name at least one posterior variable")
    posterior = idata["posterior"]
    missing = [name for name in truth if name not in posterior]
    if missing:
        raise ValueError(f"no posterior variable(s) {missing}; available: {list(posterior.data_vars)}")
    scores = {}
    for name, value in truth.items():
        draws = posterior[name].values.reshape(-1)
        scores[name] = (draws.mean() - float(value)) / draws.std(ddof=1)
    far = {name: round(score, 2) for name, score in scores.items() if abs(score) > z}
    assert not far, f"true values more than {z} posterior sds from the posterior mean (z-scores): {far}"
    return scores


def assert_ppc_mean_matches(idata, var_name: str, z: float = DEFAULT_Z) -> tuple[float, float, float]:
    """The observed mean of ``var_name`` is a typical value of its posterior predictive distribution.

    Each posterior predictive draw is a replicated data set; its mean varies from draw to draw by
    Monte-Carlo (sampling) error plus posterior uncertainty, measured by the sd of the replicated
    means. The check asks for ``|observed mean - average replicated mean| <= z * that sd``.
    Returns ``(observed mean, average replicated mean, sd of replicated means)``.
    """
    for group in ("observed_data", "posterior_predictive"):
        if group not in idata.children or var_name not in idata[group]:
            raise ValueError(f"idata has no {var_name!r} in a {group!r} group")
    observed = float(idata["observed_data"][var_name].values.mean())
    replicated = idata["posterior_predictive"][var_name]
    obs_dims = [dim for dim in replicated.dims if dim not in ("chain", "draw")]
    means = replicated.mean(obs_dims).values.reshape(-1)
    centre, spread = float(means.mean()), float(means.std(ddof=1))
    assert abs(observed - centre) <= z * spread, (
        f"observed mean {observed:.4g} is {abs(observed - centre) / spread:.1f} sds from the replicated means "
        f"({centre:.4g} ± {spread:.3g})"
    )
    return observed, centre, spread


def assert_pareto_k_below(loo_result, threshold: float = 0.7, name: str = "model") -> float:
    """Every Pareto k of a PSIS-LOO result is below ``threshold``; returns the largest k."""
    k_max = float(np.max(np.asarray(loo_result.pareto_k)))
    assert k_max < threshold, f"{name}: largest Pareto k is {k_max:.3f}, not below {threshold}"
    return k_max


def assert_elpd_better(comparison, better: str, worse: str, n_se: float = 2.0) -> tuple[float, float]:
    """Model ``better`` beats ``worse`` by more than ``n_se`` standard errors of the elpd difference.

    ``comparison`` is the table of ``az.compare(..., reference=better, round_to="none")``: its row
    ``worse`` holds ``elpd_diff = elpd_worse - elpd_better`` and its standard error ``dse``.
    Returns ``(elpd_better - elpd_worse, se of that difference)``.
    """
    for model in (better, worse):
        if model not in comparison.index:
            raise ValueError(f"no model {model!r} in the comparison; it holds {list(comparison.index)}")
    if comparison.loc[better, "elpd_diff"] != 0:
        raise ValueError(f"compute the comparison with reference={better!r} so that dse is relative to it")
    difference, se = -float(comparison.loc[worse, "elpd_diff"]), float(comparison.loc[worse, "dse"])
    assert difference > n_se * se, (
        f"{better} beats {worse} by {difference:.2f} elpd, not more than {n_se} x its SE {se:.2f}"
    )
    return difference, se


def assert_increasing(names, values, ses, z: float = DEFAULT_Z) -> None:
    """``values`` increase along ``names``, each step by more than ``z`` standard errors of the gap."""
    values, ses = np.asarray(values, dtype=float), np.asarray(ses, dtype=float)
    if values.shape != ses.shape or values.ndim != 1 or values.size < 2:
        raise ValueError(f"values and ses must be 1-D of the same length >= 2, got {values.shape} and {ses.shape}")
    for i in range(values.size - 1):
        gap, se = values[i + 1] - values[i], np.hypot(ses[i], ses[i + 1])
        assert gap > z * se, (
            f"{names[i + 1]} ({values[i + 1]:.4g}) should exceed {names[i]} ({values[i]:.4g}) by more than "
            f"{z} x {se:.3g}"
        )
