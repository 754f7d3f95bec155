"""Hints a compiled loop may give the CPU, as plain functions that do nothing in Python.

A kernel module imports them from here (never numba); :mod:`byhand.kernels._intrinsics`
gives them their compiled meaning when a loop that calls them is compiled.
"""

from __future__ import annotations

from typing import Any

__all__ = ["prefetch"]


def prefetch(a: Any, i: Any, j: Any) -> None:
    """``a[i, j]`` will be read soon: compiled, the CPU starts loading its cache line into
    the caches now (LLVM's ``llvm.prefetch``, for reading, high locality); no result, no
    effect on any value. In Python: nothing."""
