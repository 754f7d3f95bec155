"""Inputs too large for an estimator's arithmetic: a ValueError naming the feature, before
any overflow inside NumPy or LAPACK (issue 11: values near the largest double).

Estimators whose maths is unchanged by rescaling a feature (least squares without a
penalty, LDA, k-NN) rescale internally instead and never call this.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

__all__ = [
    "check_dtype_range",
    "check_magnitude",
    "check_training_input",
    "largest_feature",
    "one_scan",
    "product_limit",
    "scanned_once",
    "sum_of_squares",
    "within",
]

_SUMS: ContextVar[dict[tuple[Any, ...], tuple[Any, np.ndarray]] | None] = ContextVar(
    "byhand_sums_of_squares", default=None
)


@contextmanager
def one_scan() -> Iterator[None]:
    """Within the block, :func:`sum_of_squares` scans each array (each memory, shape,
    strides and dtype) once: an estimator's fit checks its X's magnitude and finiteness at
    three places (its edge, its solver, ``byhand.fit``), each a full pass over X (about 10 ms
    for MNIST). byhand does not write X meanwhile; outside the block nothing is remembered,
    so a caller who changes X between two fits is checked again. Blocks may nest."""
    if _SUMS.get() is not None:
        yield
        return
    token = _SUMS.set({})
    try:
        yield
    finally:
        _SUMS.reset(token)


def scanned_once(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` run inside :func:`one_scan` (a training call that checks X at its start and
    again in ``byhand.fit``)."""

    @functools.wraps(method)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with one_scan():
            return method(*args, **kwargs)

    return wrapped


def sum_of_squares(X: np.ndarray) -> Any:
    """fl(Σ x²) of a C-contiguous float array, by one BLAS dot product (NaN or +inf as soon
    as an entry is, or the squares overflow); remembered inside :func:`one_scan`."""
    flat = X.reshape(-1)
    memo = _SUMS.get()
    if memo is None:
        return np.dot(flat, flat)
    key = (X.__array_interface__["data"][0], X.shape, X.strides, X.dtype.str)
    hit = memo.get(key)
    if hit is None:  # the array is kept: its memory cannot be reused by another meanwhile
        hit = memo[key] = (np.dot(flat, flat), X)
    return hit[0]


def product_limit(n_features: int, dtype: Any = np.float64) -> float:
    """sqrt(max / (4(d + 1))): below it every x·w with |w| of the order of |x| (what a
    perceptron or gradient step builds from the data) and every sum of d + 1 such products
    stays finite in ``dtype``."""
    return float(np.sqrt(np.finfo(dtype).max / (4.0 * (n_features + 1))))


def largest_feature(X: np.ndarray) -> tuple[int, float]:
    """(column, max |value|) of the finite entries of the column of largest magnitude."""
    X = np.asarray(X)
    if X.ndim != 2 or X.size == 0 or X.dtype.kind not in "fiu":
        return 0, 0.0
    with np.errstate(invalid="ignore"):
        col = np.maximum(np.abs(X.max(axis=0)), np.abs(X.min(axis=0)))  # no full temporary
        if not np.all(np.isfinite(col)):  # NaN or inf somewhere: the finite entries only
            col = np.where(np.isfinite(X), np.abs(X), 0).max(axis=0)
    j = int(np.argmax(col))
    return j, float(col[j])


def within(X: np.ndarray, limit: float) -> bool:
    """True when every |x| of the float array X is certainly at most ``limit``, from one
    BLAS pass: s = fl(Σ x²). False means "not certified" (a larger, NaN or inf entry, or
    an input this test does not cover), never a wrong True.

    Rounding to nearest makes every product and partial sum of non-negative terms at least
    (1 − u) times its exact value, and each term goes through at most n + 1 roundings in
    any summation order, so s ≥ max x² · (1 − u)^(n+1) (u: the unit roundoff of X's dtype).
    Hence s ≤ limit² (1 − u)^(n+1) implies max |x| ≤ limit; the test keeps a factor 1/2
    more for the rounding of the threshold itself.
    """
    if X.dtype not in (np.float32, np.float64) or not X.flags.c_contiguous or X.size == 0:
        return False
    with np.errstate(over="ignore", invalid="ignore"):
        s = float(sum_of_squares(X))
    if not np.isfinite(s):
        return False
    u = float(np.finfo(X.dtype).eps) / 2
    return s <= 0.5 * limit * limit * np.exp((X.size + 1) * np.log1p(-u))


def _feature_name(estimator: Any, j: int) -> str:
    names = getattr(estimator, "feature_names_in_", None)
    return f"feature {j} ({names[j]!r})" if names is not None else f"feature {j} (x{j})"


def check_magnitude(estimator: Any, X: Any, limit: float, why: str) -> None:
    """Raise ValueError naming the feature whose values exceed ``limit`` in magnitude.

    ``why``: what would overflow (shown in the message). Arrays of other kinds, NaN and inf
    are left to the usual validation.
    """
    X = np.asarray(X) if not hasattr(X, "dtype") else X
    if not isinstance(X, np.ndarray):
        X = np.asarray(X)
    if within(X, limit):  # the common case, at the cost of one dot product
        return
    j, big = largest_feature(X)
    if big > limit:
        raise ValueError(
            f"{type(estimator).__name__}: {_feature_name(estimator, j)} has values up to "
            f"{big:.3g} in magnitude, above {limit:.3g}, where {why} would overflow. Scale "
            "the features first (e.g. sklearn.preprocessing.StandardScaler or MaxAbsScaler)."
        )


def check_training_input(estimator: Any, X: Any, dtype: Any) -> None:
    """For gradient-trained models: refuse, before any conversion to ``dtype`` (a float32
    net would turn 1e308 into inf), features above :func:`product_limit` in ``dtype``."""
    if not isinstance(X, np.ndarray):  # other inputs are converted and checked later
        return
    shape = X.shape
    if len(shape) == 2:
        why = f"the {np.dtype(dtype).name} products x·W of gradient training"
        check_magnitude(estimator, X, product_limit(shape[1], dtype), why)


def check_dtype_range(estimator: Any, X: Any, dtype: Any) -> None:
    """Refuse finite values that a conversion of X to the narrower float ``dtype`` (a float32
    network's predict on float64 data) would turn into ±inf: a ValueError naming the
    feature, where NumPy would warn of an overflow and scikit-learn then report an infinity
    the caller never had."""
    dtype = np.dtype(dtype)
    if not isinstance(X, np.ndarray) or X.dtype.kind != "f" or dtype.kind != "f":
        return
    if dtype.itemsize >= X.dtype.itemsize:
        return
    check_magnitude(estimator, X, float(np.finfo(dtype).max), f"the conversion to {dtype.name}")
