"""Numerically stable elementwise functions shared by activations and losses.

logistic σ(a) = 1/(1+e^{−a}) and its relatives (Deep Neural Networks Course I (Galerne, Univ.
Orléans, 2024–25), "Activation
functions"; CS 577 Lecture 04 (Wang, IIT, 2024), "Softmax"). Every one is finite for |a| up to 1e4
and beyond: no exp of a large positive number is ever taken.
"""

from __future__ import annotations

import numpy as np

__all__ = ["log_softmax", "logsumexp", "sigmoid", "softmax", "softplus"]


def sigmoid(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(a) = 1/(1+e^{−a}), computed as ½(1 + tanh(a/2)) — exact identity, never overflows."""
    a = np.asarray(a)
    out = np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1
    out *= 0.5
    return out


def softplus(a: np.ndarray) -> np.ndarray:
    """softplus(a) = log(1 + eᵃ) = logaddexp(0, a)."""
    return np.logaddexp(0, a)


def logsumexp(z: np.ndarray, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """log Σ_j e^{z_j} = m + log Σ_j e^{z_j − m} with m = max_j z_j."""
    z = np.asarray(z)
    m = np.max(z, axis=axis, keepdims=True)
    s = np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True)) + m
    return s if keepdims else np.squeeze(s, axis=axis)


def log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """log p_j = z_j − logsumexp(z)."""
    return z - logsumexp(z, axis=axis, keepdims=True)


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """p_j = e^{z_j} / Σ_k e^{z_k}, shifted by the max so the exponent is <= 0."""
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e
