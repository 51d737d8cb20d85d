"""Simulated data with a known truth."""

from __future__ import annotations

import numpy as np

from ._validate import finite_array, positive_int, positive_scalar


def design_matrix(x, degree: int = 1) -> np.ndarray:
    """Polynomial features: the columns ``1, x, x**2, ..., x**degree`` (Phi in the book).

    With the default ``degree=1`` a weight vector ``(w_b, w_m)`` gives the line
    ``w_b + w_m * x``.
    """
    x = finite_array(x, "x", ndim=1)
    degree = positive_int(degree, "degree")
    return np.vander(x, degree + 1, increasing=True)


def simulate_polynomial(rng: np.random.Generator, x, weights, noise_sd: float) -> np.ndarray:
    """Observations ``y = Phi(x) @ weights + noise`` with Gaussian noise of sd ``noise_sd``."""
    weights = finite_array(weights, "weights", ndim=1)
    if weights.size < 2:
        raise ValueError(f"weights needs an intercept and at least one slope, got {weights.size} value(s)")
    noise_sd = positive_scalar(noise_sd, "noise_sd")
    phi = design_matrix(x, degree=weights.size - 1)
    return phi @ weights + rng.normal(scale=noise_sd, size=phi.shape[0])


def simulate_line(rng: np.random.Generator, x, intercept: float, slope: float, noise_sd: float) -> np.ndarray:
    """Observations of the line ``intercept + slope * x`` plus Gaussian noise of sd ``noise_sd``."""
    return simulate_polynomial(rng, x, [intercept, slope], noise_sd)


# The blog series' demo problem, shared by the chapters that follow it.
DEMO_INTERCEPT = 2.0
DEMO_SLOPE = 0.3
DEMO_NOISE_SD = 0.1
DEMO_N = 11
DEMO_X_RANGE = (-1.0, 1.0)


def demo_data(rng: np.random.Generator, n: int = DEMO_N) -> tuple[np.ndarray, np.ndarray]:
    """The series' demo data: ``n`` points, ``x ~ U(-1, 1)``, ``y = 2 + 0.3 x + N(0, 0.1**2)``."""
    n = positive_int(n, "n")
    x = rng.uniform(*DEMO_X_RANGE, size=n)
    return x, simulate_line(rng, x, DEMO_INTERCEPT, DEMO_SLOPE, DEMO_NOISE_SD)


# PyMC's "GLM: Linear regression" tutorial, whose data chapter glm-two-ways reproduces exactly.
GLM_INTERCEPT = 1.0
GLM_SLOPE = 2.0
GLM_NOISE_SD = 0.5
GLM_N = 200


def glm_tutorial_data(rng: np.random.Generator, n: int = GLM_N):
    """The tutorial's data as a pandas ``DataFrame``: ``x = linspace(0, 1, n)``, ``y = 1 + 2 x + N(0, 0.5**2)``.

    With ``rng = np.random.default_rng(8927)`` it is the tutorial's data set, value for value.
    """
    import pandas as pd

    n = positive_int(n, "n")
    x = np.linspace(0, 1, n)
    return pd.DataFrame({"x": x, "y": simulate_line(rng, x, GLM_INTERCEPT, GLM_SLOPE, GLM_NOISE_SD)})
