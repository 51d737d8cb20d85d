"""Generalised linear models: link functions, simulated data with known coefficients, and bands.

A GLM keeps the linear predictor of linear regression, ``eta = Phi(x) @ weights``, and
passes it through an inverse link to get the mean of a non-Gaussian response:

- Bernoulli (logistic regression): ``p = 1 / (1 + exp(-eta))``, the inverse of the logit link;
- Poisson (log-linear regression): ``lambda = exp(eta)``, the inverse of the log link.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ._validate import finite_array
from .data import design_matrix

#: The canonical link of each family the book simulates, by its Bambi family name.
LINKS = {"gaussian": "identity", "bernoulli": "logit", "poisson": "log"}

_INVERSE_LINKS = {"identity": lambda eta: eta, "logit": expit, "log": np.exp}


def inverse_link(eta, link: str) -> np.ndarray:
    """The mean ``g^-1(eta)`` for link ``g``: ``"identity"``, ``"logit"`` or ``"log"``."""
    if link not in _INVERSE_LINKS:
        raise ValueError(f"link must be one of {sorted(_INVERSE_LINKS)}, got {link!r}")
    return _INVERSE_LINKS[link](finite_array(eta, "eta"))


def linear_predictor(x, weights) -> np.ndarray:
    """``eta = w_0 + w_1 x + ... + w_d x**d`` at every ``x``: the polynomial with coefficients ``weights``."""
    weights = finite_array(weights, "weights", ndim=1)
    if weights.size < 2:
        raise ValueError(f"weights needs an intercept and at least one slope, got {weights.size} value(s)")
    return design_matrix(x, degree=weights.size - 1) @ weights


def simulate_glm(rng: np.random.Generator, x, weights, family: str) -> np.ndarray:
    """Responses at ``x`` from a GLM with the canonical link: ``"bernoulli"`` (0/1) or ``"poisson"`` (counts).

    The mean is ``inverse_link(linear_predictor(x, weights), LINKS[family])``.
    """
    if family not in ("bernoulli", "poisson"):
        raise ValueError(f"family must be 'bernoulli' or 'poisson', got {family!r}")
    mean = inverse_link(linear_predictor(x, weights), LINKS[family])
    if family == "bernoulli":
        return rng.binomial(1, mean)
    if np.any(mean > 1e9):
        raise ValueError(f"the Poisson rate reaches {mean.max():.3g}: the weights are too large for counts")
    return rng.poisson(mean)
