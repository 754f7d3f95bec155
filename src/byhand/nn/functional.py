"""Numerically stable elementwise functions shared by activations and losses.

logistic σ(a) = 1/(1+e^{−a}) and its relatives (Deep Neural Networks Course I (Galerne, Univ.
Orléans, 2024–25), "Activation functions"; CS 577 Lecture 04 (Wang, IIT, 2024), "Softmax").
Every one is finite for every finite input and exact to a few ulps of the input's floating
type over the whole range: no exp of a positive number is ever taken, and no result is
formed as a difference of two numbers close to 1 (so σ(−40) = 4.25e−18, not 0).

Each function takes an array, a 0-d array or a Python/NumPy scalar and returns the same
kind: an array of the input's shape, a 0-d array, or a NumPy scalar. Floating inputs keep
their dtype (float32 stays float32); integer and bool inputs are computed in float64;
complex, object and other non-real inputs are a TypeError (a cast would drop the imaginary
part silently).

Raises
------
TypeError
    For complex, object and other non-real inputs.

Examples
--------
>>> import numpy as np
>>> from byhand.nn import functional as F
>>> float(F.sigmoid(-40.0))
4.248354255291589e-18
>>> np.round(F.softmax(np.array([1.0, 2.0, 3.0])), 4)
array([0.09  , 0.2447, 0.6652])
>>> float(F.logsumexp(np.array([1000.0, 1000.0])))  # no overflow
1000.6931471805599
"""

from __future__ import annotations

from typing import Any

import numpy as np

from byhand.nn._inputs import floating

__all__ = ["log_sigmoid", "log_softmax", "logsumexp", "sigmoid", "softmax", "softplus"]


def _as_float(a: Any) -> np.ndarray:
    """The input as a floating array (float64 unless it already is floating), at least 1-d."""
    arr = floating(a, "byhand.nn.functional")
    return arr.reshape(1) if arr.ndim == 0 else arr


def _like_input(result: np.ndarray, a: Any) -> Any:
    """Give ``result`` the kind of ``a``: 0-d array for a 0-d array, scalar for a scalar."""
    if np.ndim(a) == 0:
        result = result.reshape(())
        return result if isinstance(a, np.ndarray) else result[()]
    return result


def sigmoid(a: Any, out: np.ndarray | None = None) -> Any:
    """σ(a) = 1/(1+e^{−a}), exact to a few ulps for every a, float32 or float64.

    With e = exp(−|a|) ∈ (0, 1] (never an overflow),
    σ(a) = 1/(1 + e) for a ≥ 0 and σ(a) = e/(1 + e) for a < 0 — the numerator taken as
    max(e, 1[a ≥ 0]), so no masked copy is needed. No cancellation: σ(−40) = 4.25e−18 and
    σ(−700) = 9.86e−305 to rounding, σ(−inf) = 0, σ(+inf) = 1, σ(nan) = nan.
    ``out`` (an array of a's shape and floating dtype) may be ``a`` itself.
    """
    x = _as_float(a)
    nonneg = np.greater_equal(x, 0)  # read before ``out`` (possibly ``a``) is overwritten
    e = np.abs(x, out=out)
    np.negative(e, out=e)
    np.exp(e, out=e)
    denominator = e + 1
    np.maximum(e, nonneg, out=e)
    np.divide(e, denominator, out=e)
    return _like_input(e, a)


def log_sigmoid(a: Any) -> Any:
    """log σ(a) = −log(1 + e^{−a}) = −logaddexp(0, −a), exact in both tails."""
    x = _as_float(a)
    return _like_input(np.negative(np.logaddexp(0, -x)), a)


def softplus(a: Any) -> Any:
    """softplus(a) = log(1 + eᵃ) = logaddexp(0, a) = −log σ(−a), exact in both tails."""
    x = _as_float(a)
    return _like_input(np.logaddexp(0, x), a)


def logsumexp(z: Any, axis: int = -1, keepdims: bool = False) -> Any:
    """log Σ_j e^{z_j} = m + log Σ_j e^{z_j − m} with m = max_j z_j (−inf if all are −inf)."""
    z = floating(z, "logsumexp")
    m = np.max(z, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):  # log 0 = −inf where every z_j is −inf
        s = np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True)) + m
    return s if keepdims else np.squeeze(s, axis=axis)


def log_softmax(z: Any, axis: int = -1) -> np.ndarray:
    """log p_j = z_j − logsumexp(z)."""
    z = floating(z, "log_softmax")
    return z - logsumexp(z, axis=axis, keepdims=True)


def softmax(z: Any, axis: int = -1) -> np.ndarray:
    """p_j = e^{z_j} / Σ_k e^{z_k}, shifted by the max so the exponent is <= 0."""
    z = floating(z, "softmax")
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e
