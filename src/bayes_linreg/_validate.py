"""Input checks shared by the package: bad input raises ``ValueError`` naming the problem."""

from __future__ import annotations

import numpy as np


def finite_array(value, name: str, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a float array, refusing NaN/inf and the wrong number of dimensions."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be numeric, got {value!r}") from err
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def positive_scalar(value, name: str) -> float:
    """Return ``value`` as a float, refusing anything that is not a finite number > 0."""
    array = finite_array(value, name, ndim=0)
    if array <= 0:
        raise ValueError(f"{name} must be positive, got {float(array)}")
    return float(array)


def positive_int(value, name: str) -> int:
    """Return ``value`` as an int, refusing non-integers and numbers < 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def cholesky(matrix: np.ndarray, name: str) -> np.ndarray:
    """Lower Cholesky factor of a symmetric positive-definite matrix, or a clear ``ValueError``."""
    matrix = finite_array(matrix, name, ndim=2)
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"{name} must be square, got shape {matrix.shape}")
    if not np.allclose(matrix, matrix.T, rtol=1e-10, atol=1e-12 * np.abs(matrix).max()):
        raise ValueError(f"{name} must be symmetric")
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError as err:
        raise ValueError(f"{name} is not positive definite") from err


def finite_scalar(value, name: str) -> float:
    """Return ``value`` as a float, refusing NaN, infinity and anything that is not one number."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(finite_array(value, name, ndim=0))


def name_list(names, what: str = "names", *, strings: bool = True) -> list[str]:
    """``names`` as a non-empty list of names: a string is one name (never its letters), any other
    iterable one name per item.

    Variable names (``strings=True``, the default) must be strings; labels of compared numbers
    (``strings=False``) may be anything printable, such as grid points, and are turned into strings.
    """
    if isinstance(names, str):
        return [names]
    try:
        items = list(names)
    except TypeError as err:
        raise TypeError(f"{what} must be a name or a list of names, got {names!r}") from err
    if not items:
        raise ValueError(f"{what} must name at least one {'variable' if strings else 'value'}")
    if strings:
        for name in items:
            if not isinstance(name, str):
                raise TypeError(f"{what} must hold variable names (strings), got {name!r}")
        return items
    return [str(name) for name in items]


def generator(rng, name: str = "rng") -> np.random.Generator:
    """A ``numpy.random.Generator``: an int seed is accepted as ``np.random.default_rng(seed)``."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"{name} as a seed must be a non-negative integer, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)) or an int seed, "
        f"got {type(rng).__name__}"
    )
