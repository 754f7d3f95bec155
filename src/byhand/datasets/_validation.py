"""Argument checks shared by the dataset generators (bad input → ValueError/TypeError)."""

from __future__ import annotations

import numbers

import numpy as np

RandomState = int | np.random.Generator | None


def check_random_state(random_state: RandomState) -> np.random.Generator:
    """A ``numpy.random.Generator`` from a seed, a Generator (used as is) or None (entropy)."""
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative int, got {random_state}")
        return np.random.default_rng(int(random_state))
    raise TypeError(
        "random_state must be None, an int seed or a numpy.random.Generator, "
        f"got {type(random_state).__name__}"
    )


def check_int(name: str, value: object, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_float(name: str, value: object, minimum: float = 0.0, strict: bool = False) -> float:
    """``value`` as a finite float >= ``minimum`` (> when ``strict``)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if value < minimum or (strict and value == minimum):
        relation = ">" if strict else ">="
        raise ValueError(f"{name} must be {relation} {minimum}, got {value}")
    return value


def as_labels(y01: np.ndarray, signed: bool) -> np.ndarray:
    """Map 0/1 labels to int64, or to −1/+1 when ``signed``."""
    y01 = np.asarray(y01, dtype=np.int64)
    return 2 * y01 - 1 if signed else y01
