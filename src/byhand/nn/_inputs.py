"""The dtypes the layers compute in, checked where an array enters a module.

Every module of :mod:`byhand.nn` computes in floating point. Floating inputs (float16, float32,
float64) are used as given; bool and integer inputs are computed in float64 (as NumPy's
``mean`` and :mod:`byhand.nn.functional` do), or, for ``Linear`` and ``Conv2d``, in the
floating type NumPy's promotion with the weight gives (int8 with float32 weights: float32,
int64: float64), so that no value is truncated and no integer wraps around. Complex, object,
string and date arrays are refused with a TypeError saying what was expected, as PyTorch's
layers refuse them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["float_dtype", "floating", "real"]

_REAL_KINDS = "biuf"  # bool, signed and unsigned integers, floating


def real(x: Any, who: str) -> np.ndarray:
    """``x`` as an array of real numbers (bool, integer or floating); else a TypeError."""
    arr = x if isinstance(x, np.ndarray) else np.asarray(x)
    if arr.dtype.kind not in _REAL_KINDS:
        raise TypeError(
            f"{who} expects an array of real numbers (floating, integer or bool), "
            f"got dtype {arr.dtype}"
        )
    return arr


def floating(x: Any, who: str, like: np.ndarray | None = None) -> np.ndarray:
    """``x`` as a floating array: as given if floating, else in float64 (or in the result
    type of ``x`` and ``like``, a layer's weight); complex, object, … a TypeError."""
    arr = real(x, who)
    if arr.dtype.kind == "f":
        return arr
    return arr.astype(np.float64 if like is None else np.result_type(arr, like))


def float_dtype(dtype: Any, who: str) -> np.dtype:
    """``dtype`` as a NumPy floating dtype; a TypeError for any other (an integer weight
    would truncate every initial value to 0)."""
    try:
        dt = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"{who}: dtype must be a floating type, got {dtype!r}") from e
    if dt.kind != "f":
        raise TypeError(
            f"{who}: dtype must be a floating type (float32, float64), got {dt} "
            "(integer weights would round every initial value to 0)"
        )
    return dt
