"""General matrix products with α and β, through the BLAS that NumPy itself calls.

``np.matmul`` computes C = A B. The BLAS routine behind it computes C ← α op(A) op(B) + β C,
which is what a gradient step is: W ← W − ε Xᵀ G is one ``gemm`` with α = −ε, β = 1, and
weight decay only changes β to 1 − ε·wd (CS 577 Lecture 01 (Wang, IIT, 2024), "Stochastic gradient
descent"). Doing the step inside the product never writes the gradient out and never reads
it back: for a 784×256 layer that saves two passes over 0.8 MB per step.

NumPy does not expose α and β, so this module calls the ``cblas_?gemm`` / ``cblas_?gemv`` /
``cblas_?axpy`` of NumPy's own BLAS library (found with threadpoolctl, checked once on a small
product against ``np.matmul``). It must be NumPy's library and not another one (SciPy wheels
bring a second OpenBLAS): two OpenBLAS thread pools that busy-wait in turn slow each other
down by an order of magnitude. Where the library is not found (another BLAS, another
platform), :func:`available` is False and callers keep to plain NumPy.

All arrays are C-contiguous, of one dtype, float32 or float64; shapes are checked by callers.
"""

from __future__ import annotations

import ctypes
import functools
from pathlib import Path
from typing import Any

import numpy as np

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
# (symbol prefix, suffix) of ILP64 builds: NumPy >= 2's wheels (scipy-openblas) and
# OpenBLAS built with a symbol suffix. LP64 names are not guessed: a wrong integer width
# would crash instead of failing the check.
_NAMINGS = (("scipy_cblas_", "64_"), ("cblas_", "64_"))


class _Routines:
    def __init__(self, lib: ctypes.CDLL, prefix: str, suffix: str) -> None:
        i64, ptr, enum = ctypes.c_int64, ctypes.c_void_p, ctypes.c_int
        self.gemm: dict[Any, Any] = {}
        self.gemv: dict[Any, Any] = {}
        self.axpy: dict[Any, Any] = {}
        kinds = (("s", np.float32, ctypes.c_float), ("d", np.float64, ctypes.c_double))
        for letter, dtype, real in kinds:
            gemm = getattr(lib, f"{prefix}{letter}gemm{suffix}")
            gemm.argtypes = [enum] * 3 + [i64] * 3 + [real, ptr, i64, ptr, i64, real, ptr, i64]
            gemm.restype = None
            gemv = getattr(lib, f"{prefix}{letter}gemv{suffix}")
            gemv.argtypes = [enum, enum, i64, i64, real, ptr, i64, ptr, i64, real, ptr, i64]
            gemv.restype = None
            axpy = getattr(lib, f"{prefix}{letter}axpy{suffix}")
            axpy.argtypes = [i64, real, ptr, i64, ptr, i64]
            axpy.restype = None
            key = np.dtype(dtype)
            self.gemm[key], self.gemv[key], self.axpy[key] = gemm, gemv, axpy


def _numpy_blas_paths() -> list[str]:
    """Files of the BLAS library that NumPy itself uses, as loaded in this process.

    Only NumPy's own library qualifies (bundled in ``numpy.libs`` or inside the package, or
    in the directory NumPy's build configuration names): any other BLAS in the process would
    bring its own thread pool.
    """
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - a dependency of byhand and scikit-learn
        return []
    np.ones((2, 2)) @ np.ones((2, 2))  # makes sure NumPy's BLAS is loaded
    numpy_dir = Path(np.__file__).resolve().parent
    homes = {numpy_dir.parent / "numpy.libs", numpy_dir / ".dylibs"}
    try:
        configured = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["lib directory"]
        homes.add(Path(configured).resolve())
    except Exception:  # older NumPy: no such configuration
        pass
    paths = [d["filepath"] for d in threadpool_info() if d.get("user_api") == "blas"]
    return [p for p in paths if Path(p).resolve().parent in homes]


@functools.cache
def _routines() -> _Routines | None:
    for path in _numpy_blas_paths():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in _NAMINGS:
            try:
                routines = _Routines(lib, prefix, suffix)
            except AttributeError:
                continue
            if _agrees_with_numpy(routines):
                return routines
    return None


def _agrees_with_numpy(routines: _Routines) -> bool:
    """One small product of each kind, compared with NumPy, before anything relies on it."""
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        a = rng.standard_normal((5, 3)).astype(dtype)
        b = rng.standard_normal((5, 4)).astype(dtype)
        c = rng.standard_normal((3, 4)).astype(dtype)
        v = rng.standard_normal(4).astype(dtype)
        want_c = 0.5 * c - 2.0 * (a.T @ b)
        want_v = 2.0 * v + 3.0 * b.sum(axis=0)
        got_c, got_v = c.copy(), v.copy()
        gemm(-2.0, a, b, 0.5, got_c, trans_a=True, routines=routines)
        ones = np.ones(5, dtype)
        add_column_sums(3.0, b, 2.0, got_v, ones, routines=routines)
        axpy(1.0, ones[:4], got_v, routines=routines)
        tol = 1e-4 if dtype == np.float32 else 1e-12
        for got, want in ((got_c, want_c), (got_v, want_v + 1)):
            if not np.allclose(got, want, rtol=tol, atol=tol):
                return False
    return True


def _ptr(a: np.ndarray) -> int:
    """Address of a C-contiguous array's first element (the cheapest way for a writable one)."""
    try:
        return ctypes.addressof(ctypes.c_char.from_buffer(a))
    except (TypeError, ValueError, BufferError):  # read-only or empty
        return a.ctypes.data


def available(dtype: Any = np.float32) -> bool:
    """True when NumPy's BLAS was found and handles ``dtype`` (float32 or float64)."""
    routines = _routines()
    return routines is not None and np.dtype(dtype) in routines.gemm


def gemm(
    alpha: float,
    a: np.ndarray,
    b: np.ndarray,
    beta: float,
    c: np.ndarray,
    *,
    trans_a: bool = False,
    trans_b: bool = False,
    routines: _Routines | None = None,
) -> np.ndarray:
    """c ← α op(a) op(b) + β c in place (op = transpose when asked); returns c.

    β = 0 ignores c's old content (it may be uninitialised). Requires :func:`available`.
    """
    m, n = c.shape
    k = a.shape[0] if trans_a else a.shape[1]
    (routines or _routines()).gemm[c.dtype](  # type: ignore[union-attr]
        _ROW_MAJOR,
        _TRANS if trans_a else _NO_TRANS,
        _TRANS if trans_b else _NO_TRANS,
        m,
        n,
        k,
        alpha,
        _ptr(a),
        a.shape[1],
        _ptr(b),
        b.shape[1],
        beta,
        _ptr(c),
        n,
    )
    return c


def add_column_sums(
    alpha: float,
    a: np.ndarray,
    beta: float,
    y: np.ndarray,
    ones: np.ndarray,
    *,
    routines: _Routines | None = None,
) -> np.ndarray:
    """y ← α Σ_rows a + β y in place (``ones`` holds a.shape[0] ones): a bias step."""
    m, n = a.shape
    (routines or _routines()).gemv[y.dtype](  # type: ignore[union-attr]
        _ROW_MAJOR, _TRANS, m, n, alpha, _ptr(a), n, _ptr(ones), 1, beta, _ptr(y), 1
    )
    return y


def axpy(
    alpha: float, x: np.ndarray, y: np.ndarray, *, routines: _Routines | None = None
) -> np.ndarray:
    """y ← α x + y in place, over all entries (same shape): one pass."""
    (routines or _routines()).axpy[y.dtype](  # type: ignore[union-attr]
        y.size, alpha, _ptr(x), 1, _ptr(y), 1
    )
    return y
