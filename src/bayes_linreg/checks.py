"""Assertions the chapters' hidden check cells make.

Every tolerance is derived from the quantity being checked (a posterior sd, a
sample size, a Monte-Carlo standard error), never tuned to one seed. ``z = 4``
standard errors leaves a false alarm rate of about 6e-5 per compared number;
:func:`bonferroni_z` gives the ``z`` for many comparisons together, and a :class:`Budget` counts a
chapter's comparisons as its checks run: every check that takes ``z=`` also takes ``z=budget``,
spends the number of values it compares and compares at ``budget.z``.

Checks that cannot lie. Every check here

* raises ``AssertionError`` when what it checks is false, with the offending numbers;
* raises ``ValueError`` (or ``TypeError``) on input it cannot check: NaN or infinite numbers
  (draws, truths, thresholds), lengths or shapes that do not pair up (nothing is zipped or
  broadcast into silence), missing variables (named, with the list of what exists);
* treats a stuck chain (draws that never change) as a failed check, not as a perfect one;
* compares with ``if not (gap <= bound)``, which fails on NaN, never with a filter that would drop it;
* returns the figure it checked (largest r-hat and smallest ESS, z-scores, gaps), so a page
  can print the checked number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import stats

from ._validate import finite_array, finite_scalar, name_list
from .conjugate import Gaussian, require_gaussian
from .mcmc import diagnostic, group_of, require_variables, stuck_chains, variable_draws

DEFAULT_Z = 4.0


def _z(z, name: str = "z") -> float:
    """A finite number of standard errors > 0 (NaN would make every comparison vacuous)."""
    z = finite_scalar(z, name)
    if not z > 0:
        raise ValueError(f"{name} must be positive, got {z}")
    return z


def _entry_labels(name: str, shape: tuple) -> list[str]:
    """``name`` for a scalar, ``name[i]`` / ``name[i, j]`` for the entries of a vector or matrix."""
    if shape == ():
        return [name]
    return [f"{name}[{', '.join(map(str, index))}]" for index in np.ndindex(*shape)]


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


class Budget:
    """A chapter's false-alarm budget, counted by the checks as they run.

    A comparison ``|gap| <= z * se`` of a correct result fails with probability ``2 (1 - Phi(z))``.
    ``Budget(comparisons=n, alarm_rate=r)`` splits the rate ``r`` over ``n`` comparisons (Bonferroni:
    ``budget.z == bonferroni_z(n, r)``), so that all of them together raise a false alarm at most ``r``
    of the time. Make it in a chapter's first check cell and

    * pass ``z=budget`` to any check here: the check counts the values it compares (once their
      shapes are known) and spends them before comparing at ``budget.z``;
    * record a comparison written by hand with ``z = budget.spend(k, "what it compares")``, which
      returns the z to compare at (one with an exact tail compares at ``budget.alpha`` instead);
    * call :meth:`settle` in the chapter's last check cell.

    Spending more than ``n`` raises ``AssertionError`` at once: the chapter compares more values than
    its ``z`` was set for, so its false-alarm rate is above ``r``. :meth:`settle` raises
    ``AssertionError`` unless exactly ``n`` values were compared, so the stated count stays true in
    both directions. Bad arguments raise ``ValueError`` (or ``TypeError``).

    What each check spends: :func:`assert_draws_match` ``d`` means and the ``d (d + 1) / 2`` distinct
    (co)variances of ``d`` columns; :func:`assert_mcmc_mean_matches` one per entry of the variable;
    :func:`assert_band_matches` two per point (mean and sd); :func:`assert_fits_agree` and
    :func:`assert_truth_in_posterior` one per scalar variable or entry; :func:`assert_ppc_mean_matches`
    one; :func:`assert_increasing` one per step. A check that fails on bad input spends nothing.
    A check expected to fail (a planted error) is no false-alarm risk: give it ``z=budget.z``.
    Re-running a check cell by hand spends its share again: run the chapter from its first check cell.
    """

    def __init__(self, comparisons: int, alarm_rate: float = 1e-3):
        if isinstance(comparisons, bool) or not isinstance(comparisons, (int, np.integer)) or comparisons < 1:
            raise ValueError(f"comparisons must be a positive integer, got {comparisons!r}")
        if isinstance(alarm_rate, bool) or not isinstance(alarm_rate, (int, float, np.integer, np.floating)):
            raise TypeError(f"alarm_rate must be a number, got {alarm_rate!r}")
        if not 0 < alarm_rate < 1:
            raise ValueError(f"alarm_rate must lie strictly between 0 and 1, got {alarm_rate}")
        self._comparisons = int(comparisons)
        self._alarm_rate = float(alarm_rate)
        self._z = bonferroni_z(self._comparisons, self._alarm_rate)
        self._spent: list[tuple[str, int]] = []

    @property
    def comparisons(self) -> int:
        """The number of values the chapter's checks compare, as planned."""
        return self._comparisons

    @property
    def alarm_rate(self) -> float:
        """The false-alarm rate of all the comparisons together."""
        return self._alarm_rate

    @property
    def z(self) -> float:
        """The two-sided z of each comparison: ``bonferroni_z(comparisons, alarm_rate)``."""
        return self._z

    @property
    def alpha(self) -> float:
        """The false-alarm rate of each comparison, ``alarm_rate / comparisons``: the tail to use
        where a comparison has an exact distribution (a binomial band, a chi-squared quantile).
        Spend such a comparison with :meth:`spend` as well."""
        return self._alarm_rate / self._comparisons

    @property
    def spent(self) -> int:
        """The number of values compared so far."""
        return sum(k for _, k in self._spent)

    @property
    def remaining(self) -> int:
        """Planned comparisons not made yet (negative once overspent)."""
        return self._comparisons - self.spent

    def spend(self, k: int, what: str = "") -> float:
        """Record ``k`` compared values (``what`` says which) and return the ``z`` to compare them at.

        Raises ``AssertionError`` the moment the total compared exceeds ``comparisons``.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer (the number of values compared), got {k!r}")
        if not isinstance(what, str):
            raise TypeError(f"what must be a string saying what is compared, got {what!r}")
        self._spent.append((what or "unnamed comparison", int(k)))
        if self.spent > self._comparisons:
            raise AssertionError(
                f"this chapter's checks compare more values than its budget is split across: "
                f"{self._comparisons} planned, {self.spent} compared so far (the last {k}: {what or 'unnamed'}); "
                f"raise comparisons to the chapter's total, at least {self.spent}\n{self._breakdown()}"
            )
        return self._z

    def settle(self) -> Budget:
        """Check that exactly ``comparisons`` values were compared; returns the budget (to print).

        Raises ``AssertionError`` naming both numbers and listing what spent them otherwise.
        """
        if self.spent == 0:
            raise AssertionError(
                f"no check spent this budget of {self._comparisons} comparisons: pass z=budget to the "
                "checks and record hand-written comparisons with budget.spend(k, what)"
            )
        if self.spent != self._comparisons:
            fix = "raise" if self.spent > self._comparisons else "lower"
            raise AssertionError(
                f"this chapter's checks compared {self.spent} values, its budget is split across "
                f"{self._comparisons}: {fix} comparisons to {self.spent} (z would be "
                f"{bonferroni_z(self.spent, self._alarm_rate):.3f} instead of {self._z:.3f})\n"
                f"{self._breakdown()}"
            )
        return self

    def _breakdown(self) -> str:
        """What spent the budget: one line per kind of comparison, with its counts and total."""
        if not self._spent:
            return "nothing compared yet"
        counts: dict[str, list[int]] = {}
        for what, k in self._spent:
            counts.setdefault(what, []).append(k)
        lines = []
        for what, ks in counts.items():
            if len(ks) == 1:
                lines.append(f"  {ks[0]:>5}  {what}")
            else:
                tally = Counter(ks)
                parts = " + ".join(f"{n} x {k}" if n > 1 else f"{k}" for k, n in tally.items())
                lines.append(f"  {sum(ks):>5}  {what} ({parts})")
        return "compared so far:\n" + "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"Budget(comparisons={self._comparisons}, alarm_rate={self._alarm_rate:g}): "
            f"z = {self._z:.3f}, {self.spent} compared so far"
        )

    def __str__(self) -> str:
        return f"{self!r}\n{self._breakdown()}"


def _z_or_budget(z):
    """A check's ``z=`` argument as given: a :class:`Budget`, or a number checked to be finite and > 0."""
    return z if isinstance(z, Budget) else _z(z)


def _z_for(z, n_compared: int, what: str) -> float:
    """The ``z`` to compare ``n_compared`` values at: a number as given (finite, > 0), or a
    :class:`Budget`'s ``z`` after spending ``n_compared`` on ``what``. Called once the shapes are
    known and before any comparison, so an overspent budget fails before a result is trusted."""
    if isinstance(z, Budget):
        return z.spend(int(n_compared), what)
    return _z(z)


def central_interval(belief: Gaussian, prob: float = 0.99) -> tuple[np.ndarray, np.ndarray]:
    """Marginal central ``prob`` intervals of a Gaussian belief."""
    belief = require_gaussian(belief)
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
    if computed.size == 0:
        raise ValueError(f"{name} is empty: nothing to compare")
    rtol = _z(rtol, "rtol")
    scale = max(float(np.abs(reference).max()), np.finfo(float).tiny)
    gap = float(np.abs(computed - reference).max()) / scale
    if not gap <= rtol:
        raise AssertionError(
            f"{name} differs from the reference by {gap:.3g} (relative), more than {rtol:g}:\n"
            f"{computed}\nvs\n{reference}"
        )
    return gap


def assert_inside(names, values, lower, upper, what="interval") -> np.ndarray:
    """Each value lies in its ``[lower, upper]``; returns the values checked.

    ``names`` and ``values`` must be of the same length, and so must ``lower`` and ``upper`` unless
    one number serves as the bound for all. An infinite bound makes a one-sided check; NaN values
    or bounds, and bounds with ``lower > upper``, are refused.
    """
    names = name_list(names, "names", strings=False)
    values = finite_array(values, "values")
    if values.ndim > 1:
        raise ValueError(f"values must be one number or a 1-D array, got shape {values.shape}")
    values = np.atleast_1d(values)
    if len(names) != values.size:
        raise ValueError(f"{len(names)} names for {values.size} values: give one name per value")
    bounds = []
    for bound, label in ((lower, "lower"), (upper, "upper")):
        try:
            bound = np.asarray(bound, dtype=float)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{label} must be numeric, got {bound!r}") from err
        if np.any(np.isnan(bound)):
            raise ValueError(f"{label} bound contains NaN")
        if bound.ndim > 1 or (bound.ndim == 1 and bound.size != values.size):
            raise ValueError(
                f"{label} has shape {bound.shape} for {values.size} values: give one bound per value (or one for all)"
            )
        bounds.append(np.broadcast_to(bound, values.shape))
    lower, upper = bounds
    if np.any(lower > upper):
        raise ValueError(f"lower bound above upper bound: {lower} > {upper}")
    outside = [
        f"{name} = {value:.4g} lies outside the {what} [{lo:.4g}, {hi:.4g}]"
        for name, value, lo, hi in zip(names, values, lower, upper, strict=True)
        if not (lo <= value <= hi)
    ]
    if outside:
        raise AssertionError("\n".join(outside))
    return values


class TruthRecovery(NamedTuple):
    """What :func:`assert_truth_recovered` checked: the truth's z-score in each posterior marginal
    ``(truth - mean) / sd``, and the distances of the posterior and prior means from the truth."""

    z: np.ndarray
    posterior_error: float
    prior_error: float


def assert_truth_recovered(belief: Gaussian, truth, prior: Gaussian, names=None, prob=0.9999) -> TruthRecovery:
    """The truth lies in the posterior's central ``prob`` interval and the posterior mean beats the prior mean.

    The default 99.99 % keeps the check true for (practically) every seed; at 99 % a correct
    posterior would miss the truth for about one seed in a hundred per weight. ``truth`` needs one
    value per weight, ``names`` (default ``intercept, slope`` for two weights, else ``w0, w1, ...``)
    one name per weight. Returns a :class:`TruthRecovery` (z-scores and the two distances).
    """
    belief = require_gaussian(belief, "belief")
    prior = require_gaussian(prior, "prior")
    dim = belief.mean.size
    truth = finite_array(truth, "truth", ndim=1)
    if truth.size != dim or prior.mean.size != dim:
        raise ValueError(
            f"truth has {truth.size} values, the belief is over {dim} weights and the prior over "
            f"{prior.mean.size}: they must agree"
        )
    if names is None:
        names = ("intercept", "slope") if dim == 2 else tuple(f"w{i}" for i in range(dim))
    names = name_list(names, "names", strings=False)
    if len(names) != dim:
        raise ValueError(f"{len(names)} names for {dim} weights: give one name per weight")
    lower, upper = central_interval(belief, prob)
    assert_inside(names, truth, lower, upper, f"central {prob * 100:g}% posterior interval")
    posterior_error = float(np.linalg.norm(belief.mean - truth))
    prior_error = float(np.linalg.norm(prior.mean - truth))
    if not posterior_error < prior_error:
        raise AssertionError(
            f"posterior mean is {posterior_error:.3g} from the truth, no closer than the prior mean ({prior_error:.3g})"
        )
    return TruthRecovery((truth - belief.mean) / belief.sd, posterior_error, prior_error)


def _n_eff(n_eff, n: int, dim: int):
    """The sample size of each column: ``n`` rows, or the effective sizes given (finite and > 0)."""
    if n_eff is None:
        return float(n)
    n_eff = finite_array(n_eff, "n_eff")
    if n_eff.shape not in ((), (dim,)):
        raise ValueError(f"n_eff must be one number or one per column ({dim}), got shape {n_eff.shape}")
    if not np.all(n_eff > 0):
        raise ValueError(f"n_eff must be positive, got {n_eff}")
    return n_eff


def assert_draws_match(draws, belief: Gaussian, n_eff=None, z: float = DEFAULT_Z) -> tuple[float, float]:
    """Sample mean and covariance of ``draws`` (rows) agree with ``belief`` within Monte-Carlo error.

    The standard error of a sample mean is ``sd / sqrt(n)``; of a sample covariance entry,
    ``sqrt((S_ii S_jj + S_ij**2) / n)`` for Gaussian draws. ``n_eff`` (one number, or one per column,
    each > 0) replaces ``n`` for correlated (MCMC) draws. Returns the largest gaps of the mean and of
    the covariance, in standard errors.
    """
    belief = require_gaussian(belief)
    draws = finite_array(draws, "draws", ndim=2)
    if draws.shape[1] != belief.mean.size:
        raise ValueError(f"draws have {draws.shape[1]} columns, the belief is over {belief.mean.size}")
    if draws.shape[0] < 2:
        raise ValueError(f"need at least 2 draws to compare a covariance, got {draws.shape[0]}")
    z = _z_or_budget(z)
    n = _n_eff(n_eff, draws.shape[0], belief.mean.size)
    dim = belief.mean.size
    # d means and the d (d + 1) / 2 distinct entries of the covariance (it is symmetric).
    z = _z_for(z, dim + dim * (dim + 1) // 2, f"assert_draws_match: {dim} means, {dim * (dim + 1) // 2} (co)variances")
    mean_gap = np.abs(draws.mean(axis=0) - belief.mean) / (belief.sd / np.sqrt(n))
    if not np.all(mean_gap <= z):
        raise AssertionError(
            f"sample mean {draws.mean(axis=0)} differs from {belief.mean} by {mean_gap} standard errors (> {z})"
        )
    n_pair = n if np.ndim(n) == 0 else np.minimum.outer(n, n)
    cov = belief.cov
    cov_se = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov**2) / n_pair)
    sample_cov = np.atleast_2d(np.cov(draws, rowvar=False))
    cov_gap = np.abs(sample_cov - cov) / cov_se
    if not np.all(cov_gap <= z):
        raise AssertionError(
            f"sample covariance\n{sample_cov}\ndiffers from\n{cov}\nby {cov_gap} standard errors (> {z})"
        )
    return float(mean_gap.max()), float(cov_gap.max())


@dataclass(frozen=True)
class Convergence:
    """What :func:`assert_converged` checked, over every entry of every variable checked.

    ``divergences`` is ``None`` when the draws carry no sampler statistics (a Gibbs sampler's
    DataTree): then only r-hat and ESS were checked, as ``checked`` says.
    """

    max_rhat: float
    min_ess_bulk: float
    min_ess_tail: float
    divergences: int | None
    n_draws: int
    checked: str

    def __str__(self) -> str:
        text = (
            f"r-hat <= {self.max_rhat:.4f}, bulk ESS >= {self.min_ess_bulk:.0f}, "
            f"tail ESS >= {self.min_ess_tail:.0f} of {self.n_draws} draws"
        )
        if self.divergences is None:
            return text + " (no sample_stats: divergences not checked)"
        return text + f", {self.divergences} divergent transitions"


def assert_converged(idata, var_names=None, rhat_max: float = 1.01, ess_min: float = 400) -> Convergence:
    """MCMC health: r-hat, bulk and tail ESS for every entry of every variable, and no divergences.

    Fails on stuck chains (a chain whose draws never change: r-hat is NaN there and the ESS
    equals the number of draws, which would otherwise pass) and on NaN r-hat or ESS. Draws without a
    ``sample_stats`` group (or without its ``diverging`` statistic), such as a Gibbs sampler's, are
    checked on r-hat and ESS only, and the result says so. ``var_names`` defaults to every posterior
    variable. Returns a :class:`Convergence` with the largest r-hat and smallest ESS, so a page can
    print them.
    """
    rhat_max = finite_scalar(rhat_max, "rhat_max")
    if not rhat_max > 1:
        raise ValueError(f"rhat_max must be above 1, got {rhat_max}")
    ess_min = _z(ess_min, "ess_min")
    posterior = group_of(idata, "posterior")
    if var_names is None:
        var_names = list(posterior.data_vars)
        if not var_names:
            raise ValueError("the posterior group holds no variables")
    names = require_variables(posterior, var_names, "posterior")
    problems, rhats, bulks, tails = [], [], [], []
    n_draws = 0
    for name in names:
        values = variable_draws(posterior, name)
        chains, draws = values.shape[:2]
        n_draws = chains * draws
        if draws < 4:
            raise ValueError(f"{name!r} has {draws} draws per chain: too few to check convergence")
        flat = values.reshape(chains, draws, -1)
        labels = _entry_labels(name, values.shape[2:])
        rhat = diagnostic(flat, "rhat")
        bulk = diagnostic(flat, "ess", method="bulk")
        tail = diagnostic(flat, "ess", method="tail")
        stuck = stuck_chains(flat)  # (chain, entry)
        for k, label in enumerate(labels):
            if stuck[:, k].any():
                problems.append(f"{label}: chain(s) {np.flatnonzero(stuck[:, k]).tolist()} stuck at one value")
            if not rhat[k] <= rhat_max:
                problems.append(f"{label}: r-hat {rhat[k]:.4f} (must be <= {rhat_max})")
            if not bulk[k] >= ess_min:
                problems.append(f"{label}: bulk ESS {bulk[k]:.0f} (must be >= {ess_min:g})")
            if not tail[k] >= ess_min:
                problems.append(f"{label}: tail ESS {tail[k]:.0f} (must be >= {ess_min:g})")
        rhats.append(rhat)
        bulks.append(bulk)
        tails.append(tail)
    divergences = None
    checked = "r-hat, bulk and tail ESS"
    if "sample_stats" in idata.children and "diverging" in idata["sample_stats"].data_vars:
        diverging = np.asarray(idata["sample_stats"]["diverging"].values)
        divergences = int(np.count_nonzero(diverging))
        checked += " and divergences"
        if divergences:
            problems.append(f"{divergences} divergent transitions")
    else:
        checked += " only (no sample_stats with 'diverging': divergences not checked)"
    if problems:
        raise AssertionError(f"MCMC convergence check failed ({checked}):\n" + "\n".join(problems))
    return Convergence(
        max_rhat=float(np.max(np.concatenate(rhats))),
        min_ess_bulk=float(np.min(np.concatenate(bulks))),
        min_ess_tail=float(np.min(np.concatenate(tails))),
        divergences=divergences,
        n_draws=n_draws,
        checked=checked,
    )


def _mean_and_mcse(dataset, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and its Monte-Carlo standard error for every entry of a variable (entry shape)."""
    values = variable_draws(dataset, name)
    shape = values.shape[2:]
    flat = values.reshape(values.shape[0], values.shape[1], -1)
    mcse = diagnostic(flat, "mcse", method="mean").reshape(shape)
    return flat.mean(axis=(0, 1)).reshape(shape), mcse


def assert_mcmc_mean_matches(idata, var_name: str, exact_mean, z: float = DEFAULT_Z) -> np.ndarray:
    """Posterior mean of ``var_name`` within ``z`` Monte-Carlo standard errors of ``exact_mean``.

    ``exact_mean`` must have the variable's shape (one value per entry of a vector variable).
    Returns the gaps in MCSE units (with that shape) so a chapter can print them.
    """
    z = _z_or_budget(z)
    posterior = group_of(idata, "posterior")
    (name,) = require_variables(posterior, [var_name], "posterior")
    mean, mcse = _mean_and_mcse(posterior, name)
    exact_mean = finite_array(exact_mean, "exact_mean")
    if exact_mean.shape != mean.shape:
        raise ValueError(f"{name} has shape {mean.shape} per draw, exact_mean {exact_mean.shape}: they must agree")
    z = _z_for(z, mean.size, f"assert_mcmc_mean_matches: mean of {name}")
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = (mean - exact_mean) / mcse
    if not np.all(np.abs(gap) <= z):
        raise AssertionError(f"{name}: MCMC mean {mean} vs exact {exact_mean} is {gap} MCSE apart (> {z}; MCSE {mcse})")
    return gap


def assert_band_matches(band, mean, sd, z: float = DEFAULT_Z) -> tuple[float, float]:
    """A band from MCMC draws (:class:`.mcmc.Band`) matches the exact pointwise ``mean`` and ``sd``.

    Each point is compared in units of its own Monte-Carlo standard error; ``mean`` and ``sd`` need
    one value per point of the band. Returns the largest gaps of the mean and of the sd, in MCSE units.
    """
    z = _z_or_budget(z)
    try:
        fields = {field: getattr(band, field) for field in ("mean", "sd", "mcse_mean", "mcse_sd")}
    except AttributeError as err:
        raise TypeError(f"band must be an mcmc.Band (from mcmc.band_from_draws), got {type(band).__name__}") from err
    # NaN standard errors come from draws that do not vary: a failed check below, not bad input.
    fields = {
        field: finite_array(value, f"band.{field}", ndim=1)
        if field in ("mean", "sd")
        else np.asarray(value, dtype=float)
        for field, value in fields.items()
    }
    mean, sd = finite_array(mean, "mean", ndim=1), finite_array(sd, "sd", ndim=1)
    for label, value in (("mean", mean), ("sd", sd), *fields.items()):
        if value.shape != fields["mean"].shape:
            raise ValueError(f"{label} has {value.size} points, the band {fields['mean'].size}: they must agree")
    z = _z_for(z, 2 * mean.size, f"assert_band_matches: mean and sd at {mean.size} points")
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_gap = np.abs(fields["mean"] - mean) / fields["mcse_mean"]
        sd_gap = np.abs(fields["sd"] - sd) / fields["mcse_sd"]
    if not np.all(mean_gap <= z):
        raise AssertionError(
            f"band mean is up to {np.nanmax(np.where(np.isnan(mean_gap), np.inf, mean_gap)):.2f} MCSE from "
            f"the exact mean (> {z}; a zero or NaN MCSE means the draws do not vary)"
        )
    if not np.all(sd_gap <= z):
        raise AssertionError(
            f"band sd is up to {np.nanmax(np.where(np.isnan(sd_gap), np.inf, sd_gap)):.2f} MCSE from "
            f"the exact sd (> {z}; a zero or NaN MCSE means the draws do not vary)"
        )
    return float(mean_gap.max()), float(sd_gap.max())


class Reweighted(NamedTuple):
    """A fit's posterior moved to another prior by importance weights (see :func:`reweight_to_prior`)."""

    mean: dict  # name -> reweighted posterior mean (the variable's shape)
    sd: dict  # name -> reweighted posterior sd
    shift: dict  # name -> reweighted mean minus the fit's own mean, in the fit's posterior sds
    ess_share: float  # Kish's effective sample size of the weights over the number of draws


def reweight_to_prior(idata, names, log_prior_ratio, min_ess_share: float = 0.5) -> Reweighted:
    """Posterior means and sds of ``idata`` as they would be under another prior, same likelihood.

    Draws from the posterior under prior A, weighted by ``w ∝ p_B(θ) / p_A(θ)``, are weighted draws
    from the posterior under prior B (importance sampling). ``log_prior_ratio`` takes a dict of the
    named variables' draws (name -> array of shape ``(n_draws, *shape)``, chains stacked) and returns
    ``log p_B - log p_A`` for every draw (constants may be left out). The weights must be even enough
    to trust, Kish's effective sample size at least ``min_ess_share`` of the draws; if the priors
    differ more than that over the posterior, a ``ValueError`` says so. The Monte-Carlo error of a
    reweighted mean is about the fit's own MCSE times ``1 / sqrt(ess_share)``.
    """
    names = name_list(names, "names")
    if not callable(log_prior_ratio):
        raise TypeError(f"log_prior_ratio must be a function of the draws, got {type(log_prior_ratio).__name__}")
    if not 0 < min_ess_share <= 1:
        raise ValueError(f"min_ess_share must lie in (0, 1], got {min_ess_share}")
    posterior = group_of(idata, "posterior")
    require_variables(posterior, names, "posterior")
    draws = {}
    for name in names:
        values = variable_draws(posterior, name)
        draws[name] = values.reshape(-1, *values.shape[2:])
    n_draws = len(next(iter(draws.values())))
    log_w = np.asarray(log_prior_ratio(dict(draws)), dtype=float)
    if log_w.shape != (n_draws,):
        raise ValueError(f"log_prior_ratio must return one number per draw, shape ({n_draws},), got {log_w.shape}")
    if not np.all(np.isfinite(log_w)):
        raise ValueError("log_prior_ratio returned NaN or infinite values: is the other prior zero at some draws?")
    weights = np.exp(log_w - log_w.max())
    weights /= weights.sum()
    ess_share = float(1 / np.sum(weights**2) / n_draws)
    if not ess_share >= min_ess_share:
        raise ValueError(
            f"the priors differ too much over this posterior to reweight it: the weights' effective "
            f"sample size is {ess_share:.1%} of the draws (< {min_ess_share:.0%})"
        )
    mean, sd, shift = {}, {}, {}
    for name, values in draws.items():
        mean[name] = np.tensordot(weights, values, axes=1)
        sd[name] = np.sqrt(np.tensordot(weights, (values - mean[name]) ** 2, axes=1))
        with np.errstate(invalid="ignore", divide="ignore"):
            shift[name] = (mean[name] - values.mean(axis=0)) / values.std(axis=0, ddof=1)
    return Reweighted(mean, sd, shift, ess_share)


def assert_fits_agree(
    idata_a, idata_b, names_a, names_b=None, z: float = DEFAULT_Z, log_prior_ratio=None
) -> np.ndarray:
    """Two MCMC fits of the same quantities have posterior means within ``z`` combined MCSEs.

    ``names_b`` gives the second fit's names for the same quantities (default: ``names_a``), one for
    one. A vector variable is compared entry by entry (its shapes in both fits must agree). The
    combined standard error of a difference of independent estimates is ``sqrt(mcse_a**2 + mcse_b**2)``.
    Returns the gaps in those units, one per scalar variable or entry, in order.

    Fits under different priors have different posteriors, however little the priors matter: give
    ``log_prior_ratio`` (second prior over first, a function of the first fit's draws by its names,
    as in :func:`reweight_to_prior`) and the first fit is reweighted to the second prior before the
    comparison, its MCSE widened by the weights' ``1 / sqrt(ess_share)``.
    """
    z = _z_or_budget(z)
    names_a = name_list(names_a, "names_a")
    names_b = list(names_a) if names_b is None else name_list(names_b, "names_b")
    if len(names_b) != len(names_a):
        raise ValueError(f"names_a and names_b must pair up, got {len(names_a)} and {len(names_b)} names")
    posterior_a, posterior_b = group_of(idata_a, "posterior"), group_of(idata_b, "posterior")
    require_variables(posterior_a, names_a, "posterior (first fit)")
    require_variables(posterior_b, names_b, "posterior (second fit)")
    reweighted = None if log_prior_ratio is None else reweight_to_prior(idata_a, names_a, log_prior_ratio)
    compared = []  # (name_a, name_b, mean_a, mean_b, gap) for every pair, before any comparison
    for name_a, name_b in zip(names_a, names_b, strict=True):
        mean_a, mcse_a = _mean_and_mcse(posterior_a, name_a)
        if reweighted is not None:
            mean_a = reweighted.mean[name_a].reshape(mean_a.shape)
            mcse_a = mcse_a / np.sqrt(reweighted.ess_share)
        mean_b, mcse_b = _mean_and_mcse(posterior_b, name_b)
        if mean_a.shape != mean_b.shape:
            raise ValueError(f"{name_a} has shape {mean_a.shape} per draw, {name_b} {mean_b.shape}: they must agree")
        with np.errstate(invalid="ignore", divide="ignore"):
            gap = ((mean_a - mean_b) / np.hypot(mcse_a, mcse_b)).reshape(-1)
        compared.append((name_a, name_b, mean_a, mean_b, gap))
    n_compared = sum(gap.size for *_, gap in compared)
    z = _z_for(z, n_compared, f"assert_fits_agree: means of {', '.join(names_a)}")
    gaps, problems = [], []
    for name_a, name_b, mean_a, mean_b, gap in compared:
        labels = _entry_labels(name_a, mean_a.shape)
        for label, g, a, b in zip(labels, gap, mean_a.reshape(-1), mean_b.reshape(-1), strict=True):
            if not abs(g) <= z:
                problems.append(f"{label} {a:.4g} vs {name_b} {b:.4g}: {g:+.2f} combined MCSE apart (> {z})")
        gaps.append(gap)
    if problems:
        raise AssertionError("\n".join(problems))
    return np.concatenate(gaps)


def assert_truth_in_posterior(idata, truth, z: float = DEFAULT_Z) -> dict:
    """Every true value lies within ``z`` posterior sds of its MCMC posterior mean.

    ``truth`` maps posterior variable names to their true values: a number for a scalar variable,
    an array of the variable's shape for a vector one (each entry is checked on its own). With
    ``z = 4`` the check is the central 99.994 % interval of a near-Gaussian posterior. Returns the
    z-scores ``(mean - truth) / sd`` (a float, or an array for a vector variable) so a chapter can
    print them.
    """
    z = _z_or_budget(z)
    if not isinstance(truth, Mapping):
        raise TypeError(f"truth must map posterior variable names to true values, got {type(truth).__name__}")
    if not truth:
        raise ValueError("truth must name at least one posterior variable")
    posterior = group_of(idata, "posterior")
    require_variables(posterior, list(truth), "posterior")
    scores = {}
    for name, value in truth.items():
        draws = variable_draws(posterior, name)
        shape = draws.shape[2:]
        value = finite_array(value, f"truth[{name!r}]")
        if value.shape != shape:
            raise ValueError(
                f"{name} has shape {shape} per draw but its truth has shape {value.shape}: "
                "give one true value per entry"
            )
        flat = draws.reshape(-1, *shape)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = (flat.mean(axis=0) - value) / flat.std(axis=0, ddof=1)
        scores[name] = float(score) if shape == () else score
    n_compared = sum(np.size(score) for score in scores.values())
    z = _z_for(z, n_compared, f"assert_truth_in_posterior: {', '.join(truth)}")
    far = {}
    for name, score in scores.items():
        for label, s in zip(_entry_labels(name, np.shape(score)), np.ravel(score), strict=True):
            if not abs(s) <= z:
                far[label] = round(float(s), 2)
    if far:
        raise AssertionError(
            f"true values more than {z} posterior sds from the posterior mean "
            f"(z-scores; nan: the draws do not vary): {far}"
        )
    return scores


def assert_ppc_mean_matches(idata, var_name: str, z: float = DEFAULT_Z) -> tuple[float, float, float]:
    """The observed mean of ``var_name`` is a typical value of its posterior predictive distribution.

    Each posterior predictive draw is a replicated data set; its mean varies from draw to draw by
    Monte-Carlo (sampling) error plus posterior uncertainty, measured by the sd of the replicated
    means. The check asks for ``|observed mean - average replicated mean| <= z * that sd``.
    Returns ``(observed mean, average replicated mean, sd of replicated means)``.
    """
    z = _z_or_budget(z)
    for group in ("observed_data", "posterior_predictive"):
        require_variables(group_of(idata, group), [var_name], group)
    observed = finite_array(idata["observed_data"][var_name].values, f"observed {var_name}")
    replicated = variable_draws(idata["posterior_predictive"], var_name, "posterior_predictive")
    if replicated[0, 0].size != observed.size:
        raise ValueError(
            f"observed {var_name} has {observed.size} values, each replicated data set {replicated[0, 0].size}"
        )
    z = _z_for(z, 1, f"assert_ppc_mean_matches: mean of {var_name}")
    means = replicated.reshape(replicated.shape[0] * replicated.shape[1], -1).mean(axis=1)
    centre, spread, observed = float(means.mean()), float(means.std(ddof=1)), float(observed.mean())
    if not spread > 0:
        raise AssertionError(f"the replicated means of {var_name} do not vary (sd {spread}): nothing to compare with")
    if not abs(observed - centre) <= z * spread:
        raise AssertionError(
            f"observed mean {observed:.4g} is {abs(observed - centre) / spread:.1f} sds from the replicated means "
            f"({centre:.4g} ± {spread:.3g}; > {z})"
        )
    return observed, centre, spread


def assert_pareto_k_below(loo_result, threshold: float = 0.7, name: str = "model") -> float:
    """Every Pareto k of a PSIS-LOO result is below ``threshold``; returns the largest k.

    A NaN k (PSIS could not fit the tail) fails the check.
    """
    threshold = finite_scalar(threshold, "threshold")
    k = np.asarray(getattr(loo_result, "pareto_k", None), dtype=float)
    if k.size == 0 or k.ndim == 0 and np.isnan(k):
        raise ValueError(f"{name}: the LOO result holds no Pareto k values")
    k_max = float(np.max(k))
    if np.isnan(k).any():
        raise AssertionError(f"{name}: {int(np.isnan(k).sum())} Pareto k values are NaN")
    if not k_max < threshold:
        raise AssertionError(f"{name}: largest Pareto k is {k_max:.3f}, not below {threshold}")
    return k_max


def assert_elpd_better(comparison, better: str, worse: str, n_se: float = 2.0) -> tuple[float, float]:
    """Model ``better`` beats ``worse`` by more than ``n_se`` standard errors of the elpd difference.

    ``comparison`` is the table of ``az.compare(..., reference=better, round_to="none")``: its row
    ``worse`` holds ``elpd_diff = elpd_worse - elpd_better`` and its standard error ``dse``.
    Returns ``(elpd_better - elpd_worse, se of that difference)``.
    """
    n_se = finite_scalar(n_se, "n_se")
    if n_se < 0:
        raise ValueError(f"n_se must not be negative, got {n_se}")
    for model in (better, worse):
        if model not in comparison.index:
            raise ValueError(f"no model {model!r} in the comparison; it holds {list(comparison.index)}")
    if better == worse:
        raise ValueError(f"better and worse are the same model {better!r}")
    if comparison.loc[better, "elpd_diff"] != 0:
        raise ValueError(f"compute the comparison with reference={better!r} so that dse is relative to it")
    difference = -finite_scalar(comparison.loc[worse, "elpd_diff"], f"elpd_diff of {worse!r}")
    se = finite_scalar(comparison.loc[worse, "dse"], f"dse of {worse!r}")
    if se < 0:
        raise ValueError(f"dse of {worse!r} is negative ({se})")
    if not difference > n_se * se:
        raise AssertionError(f"{better} beats {worse} by {difference:.2f} elpd, not more than {n_se} x its SE {se:.2f}")
    return difference, se


def assert_increasing(names, values, ses, z: float = DEFAULT_Z) -> np.ndarray:
    """``values`` increase along ``names``, each step by more than ``z`` standard errors of the gap.

    Returns each step's gap in standard errors (``len(values) - 1`` numbers).
    """
    z = _z_or_budget(z)
    names = name_list(names, "names", strings=False)
    values, ses = finite_array(values, "values"), finite_array(ses, "ses")
    if values.shape != ses.shape or values.ndim != 1 or values.size < 2:
        raise ValueError(f"values and ses must be 1-D of the same length >= 2, got {values.shape} and {ses.shape}")
    if len(names) != values.size:
        raise ValueError(f"{len(names)} names for {values.size} values: give one name per value")
    if np.any(ses < 0):
        raise ValueError(f"ses must not be negative, got {ses}")
    z = _z_for(z, values.size - 1, f"assert_increasing: {values.size - 1} steps")
    gaps = np.diff(values)
    step_se = np.hypot(ses[:-1], ses[1:])
    for i, (gap, se) in enumerate(zip(gaps, step_se, strict=True)):
        if not gap > z * se:
            raise AssertionError(
                f"{names[i + 1]} ({values[i + 1]:.4g}) should exceed {names[i]} ({values[i]:.4g}) by more than "
                f"{z} x {se:.3g}"
            )
    with np.errstate(divide="ignore"):
        return gaps / step_se
