"""Simulation-based calibration of PyMC's NUTS on the book's closed-form model (slow: not in `make test`).

    .venv/bin/python -m benchmarks.sbc_nuts                  # 100 data sets
    .venv/bin/python -m benchmarks.sbc_nuts --datasets 20    # a quick look

The calibration chapter runs SBC on the exact posterior (thousands of data sets in a fraction of a second).
Here the same experiment fits every data set with NUTS instead: weights from N(0, I), eleven fixed inputs,
known noise sd 0.1. The model is compiled once; each data set only swaps the observations. For each one we
keep 99 thinned draws and record the rank of the true weights, and whether the central 90 % interval of the
draws covers them. Prints the rank-uniformity test, the coverage with its binomial band, and the time taken.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats

from bayes_linreg import calibration, conjugate, mcmc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    import logging

    import pymc as pm

    for name in ("pymc", "pytensor"):
        logging.getLogger(name).setLevel(logging.ERROR)
    rng = np.random.default_rng(args.seed)
    x = rng.uniform(-1, 1, 11)
    noise_sd = 0.1
    prior = conjugate.isotropic_prior(dim=2, sd=1.0)
    n_keep, chains, per_chain = 99, 2, 495  # 990 draws, every 10th kept: NUTS draws here are nearly independent

    with pm.Model() as model:
        y_obs = pm.Data("y_obs", np.zeros(x.size))
        w = pm.Normal("w", 0.0, 1.0, shape=2)
        pm.Normal("y", w[0] + w[1] * x, sigma=noise_sd, observed=y_obs)

    truths = conjugate.sample_gaussian(rng, prior, args.datasets)
    ranks = np.empty((args.datasets, 2), dtype=int)
    covered = np.empty((args.datasets, 2), dtype=bool)
    start = time.perf_counter()
    for i, truth in enumerate(truths):
        y = truth[0] + truth[1] * x + rng.normal(scale=noise_sd, size=x.size)
        with model:
            pm.set_data({"y_obs": y})
            idata = pm.sample(
                per_chain,
                tune=500,
                chains=chains,
                cores=1,
                nuts_sampler="pymc",
                progressbar=False,
                random_seed=rng,
                compute_convergence_checks=False,
            )
        posterior_draws = mcmc.chain_draws(idata, ["w"]).reshape(-1, 2)[::10][:n_keep]
        ranks[i] = np.sum(posterior_draws < truth, axis=0)
        lower, upper = np.quantile(posterior_draws, [0.05, 0.95], axis=0)
        covered[i] = (lower <= truth) & (truth <= upper)
    elapsed = time.perf_counter() - start

    n_bins = 10
    counts = np.stack([np.bincount(ranks[:, j] * n_bins // (n_keep + 1), minlength=n_bins) for j in range(2)])
    p_uniform = stats.chisquare(counts, axis=1).pvalue
    lo, hi = calibration.binomial_band(0.9, args.datasets, level=0.999)
    print(
        f"NUTS SBC: {args.datasets} data sets, {chains} x {per_chain} draws each, {elapsed:.1f} s "
        f"({elapsed / args.datasets:.2f} s per data set)"
    )
    for j, name in enumerate(["intercept", "slope"]):
        print(
            f"  {name:9s} rank counts {counts[j].tolist()}  chi-squared p = {p_uniform[j]:.3f}  "
            f"90 % coverage {covered[:, j].mean():.3f} (binomial 99.9 % band [{lo:.3f}, {hi:.3f}])"
        )


if __name__ == "__main__":
    main()
