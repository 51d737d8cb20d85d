"""Bulk ESS per second of wall time for the NUTS implementations PyMC 6 can use.

Chapter 6's model (PyMC's GLM tutorial: 200 points, unknown sigma) is sampled with PyMC's own
NUTS, with NumPyro's (the chapters' choice), with nutpie, and with PyMC's default; compile time
is measured apart from sampling. Chapter 5's known-noise model gives the limit: exact draws from
the closed-form posterior, every draw independent (ESS = number of draws).
"""

from __future__ import annotations

import logging
import time

import arviz as az
import numpy as np
import nutpie
import pandas as pd
import pymc as pm

from bayes_linreg import conjugate

DRAWS, TUNE, CHAINS = 1000, 1000, 4


def tutorial_model(frame) -> pm.Model:
    """Chapter 6's hand-written model: HalfCauchy(10) noise, Normal(0, 20) intercept and slope."""
    with pm.Model() as model:
        sigma = pm.HalfCauchy("sigma", beta=10)
        intercept = pm.Normal("Intercept", mu=0, sigma=20)
        slope = pm.Normal("slope", mu=0, sigma=20)
        pm.Normal("y", mu=intercept + slope * frame["x"].to_numpy(), sigma=sigma, observed=frame["y"].to_numpy())
    return model


def min_bulk_ess(idata) -> float:
    return float(min(az.ess(idata, method="bulk")[name].min() for name in idata["posterior"].data_vars))


def sampler_rows() -> list[tuple[str, float | str]]:
    for name in ("pymc", "pytensor", "nutpie", "jax"):
        logging.getLogger(name).setLevel(logging.ERROR)
    rng = np.random.default_rng(8927)
    x = np.linspace(0, 1, 200)
    frame = pd.DataFrame({"x": x, "y": 1 + 2 * x + rng.normal(scale=0.5, size=200)})
    rows = []
    results = {}

    samplers = (
        ("PyMC NUTS", {"nuts_sampler": "pymc"}),
        ("NumPyro NUTS (the chapters' choice)", {"nuts_sampler": "numpyro"}),
        ("pm.sample's default", {}),
    )
    for label, kwargs in samplers:
        model = tutorial_model(frame)
        start = time.perf_counter()
        with model:
            idata = pm.sample(DRAWS, tune=TUNE, chains=CHAINS, cores=2, progressbar=False, random_seed=rng, **kwargs)
        wall = time.perf_counter() - start
        sampling_time = float(idata["posterior"].attrs["sampling_time"])
        engine = idata["posterior"].attrs.get("inference_library", "?")
        results[label] = (min_bulk_ess(idata), sampling_time, wall - sampling_time, engine)

    model = tutorial_model(frame)
    start = time.perf_counter()
    compiled = nutpie.compile_pymc_model(model)
    compile_time = time.perf_counter() - start
    start = time.perf_counter()
    idata = nutpie.sample(
        compiled, draws=DRAWS, tune=TUNE, chains=CHAINS, cores=2, seed=int(rng.integers(2**31)), progress_bar=False
    )
    results["nutpie (compiled once)"] = (min_bulk_ess(idata), time.perf_counter() - start, compile_time, "nutpie")

    reference = results["PyMC NUTS"][0] / results["PyMC NUTS"][1]
    for label, (ess, seconds, compile_seconds, engine) in results.items():
        per_second = ess / seconds
        rows.append(
            (
                f"{label} [{engine}]",
                f"min bulk ESS {ess:7.0f} | sampling {seconds:5.2f} s | ESS/s {per_second:8.0f} | "
                f"x PyMC NUTS {per_second / reference:5.2f} | compile {compile_seconds:5.2f} s",
            )
        )

    x = rng.uniform(-1, 1, 11)
    y = 2 + 0.3 * x + rng.normal(scale=0.1, size=11)
    n_exact = DRAWS * CHAINS
    start = time.perf_counter()
    posterior = conjugate.posterior(conjugate.design_matrix(x), y, 0.1, conjugate.isotropic_prior(2, 1.0))
    conjugate.sample_gaussian(rng, posterior, n_exact)
    seconds = time.perf_counter() - start
    rows.append(
        (
            "closed form, chapter 5 model (exact)",
            f"ESS {n_exact:7d} | {seconds * 1e3:.2f} ms | ESS/s {n_exact / seconds:8.0f} | "
            f"x PyMC NUTS {n_exact / seconds / reference:5.0f}",
        )
    )
    return rows
