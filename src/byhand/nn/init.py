"""Seeded weight initialisers; each takes a ``numpy.random.Generator``.

Glorot (uniform, limit √(6/(fan_in+fan_out))) and He (normal, std √(2/fan_in)) keep the
variance of activations roughly constant across layers, the reason deep nets train at all
(Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), "Artificial neurons and MLPs";
EE-559 3.4 (Fleuret, EPFL, 2019)).
A weight has shape (fan_in, fan_out), as ``Linear`` stores it.

Raises
------
TypeError
    If ``dtype`` is not a floating type.

Examples
--------
>>> import numpy as np
>>> from byhand.nn import init
>>> W = init.glorot_uniform((300, 100), np.random.default_rng(0))
>>> W.shape, W.dtype, bool(np.abs(W).max() <= np.sqrt(6 / 400))
((300, 100), dtype('float32'), True)
>>> f"{init.he_normal((1000, 100), np.random.default_rng(0)).std():.3f}"  # √(2/1000)
'0.045'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from byhand.nn._inputs import float_dtype

__all__ = ["glorot_uniform", "he_normal", "zeros"]


def zeros(
    shape: tuple[int, ...], rng: np.random.Generator | None = None, dtype: Any = np.float32
) -> np.ndarray:
    """All zeros (the perceptron's w⁰ = 0); ``rng`` is accepted for a uniform signature.

    Every initialiser takes a floating ``dtype`` only (TypeError otherwise)."""
    return np.zeros(shape, dtype=float_dtype(dtype, "init.zeros"))


def glorot_uniform(
    shape: tuple[int, ...], rng: np.random.Generator, dtype: Any = np.float32
) -> np.ndarray:
    """U(−a, a) with a = √(6 / (fan_in + fan_out)), fan_in, fan_out = shape[0], shape[-1]."""
    dtype = float_dtype(dtype, "init.glorot_uniform")
    fan_in, fan_out = shape[0], shape[-1]
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def he_normal(
    shape: tuple[int, ...], rng: np.random.Generator, dtype: Any = np.float32
) -> np.ndarray:
    """N(0, 2 / fan_in): suited to ReLU layers."""
    dtype = float_dtype(dtype, "init.he_normal")
    return (rng.standard_normal(size=shape) * np.sqrt(2.0 / shape[0])).astype(dtype)


INITIALISERS = {"zeros": zeros, "glorot_uniform": glorot_uniform, "he_normal": he_normal}
