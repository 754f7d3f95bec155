"""k-nearest-neighbour classification by brute force, vectorised and chunked.

Lecture: EE-559 3.3 (Fleuret, EPFL, 2019) "Linear separability and feature design"
(the figures "Votes (K=11)" / "Prediction (K=11)" and the same with a radial feature).
"""

from __future__ import annotations

import numbers
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.validation import check_is_fitted

from byhand import kernels
from byhand._validation import (
    check_param,
    encode_class_labels,
    one_blas_thread,
    validate_X_predict,
    validate_X_y_classifier,
)

__all__ = ["KNeighborsClassifier", "working_memory"]

_WORKING_MIB = 32  # default working memory of a search, all workers together (MiB)
_CHUNK_ROWS = 512  # query rows per chunk (the product's efficient shape on 2 cores)
_MIN_WIDTH = 256  # training rows per block at the least (smaller blocks are slow)
_CANDIDATE_BYTES = 96  # peak bytes per stored candidate while the store is pruned
_SUBSET = 2048  # columns sampled to bound the K-th distance of each row
_FLOAT32_SAFE = 1e15  # inputs up to this size: no float32 overflow in the candidate product
_WEIGHTS = ("uniform", "distance")


def _max_abs(X: np.ndarray) -> float:
    """max |x| over X, without the full-size temporary that np.abs(X) would allocate."""
    return float(max(X.max(initial=0.0), -X.min(initial=0.0)))


def _frame(X: np.ndarray) -> tuple[np.ndarray, float]:
    """A shift c (per feature) and a power of two s for the working coordinates s·x − s·c.

    The expanded form ‖b‖² − 2a·b loses every digit of a distance that is small beside ‖a‖
    (40 timestamps 1.7e9 + i: ‖a‖² ≈ 3e18 swamps distances of 0.1, and 38 of 40 neighbours
    come out wrong). Candidates are therefore ranked in coordinates centred on the
    training data: c is the midrange of each feature when the data sits away from the
    origin (‖midrange‖ > ‖range‖), else 0 (no copy of float32 data). s rescales the
    centred data to a largest magnitude in [½, 1) when it exceeds 2⁵⁰ or is below 2⁻⁵⁰, so
    neither float32 nor the squares of float64 overflow or underflow; multiplying by a
    power of two is exact, so neither changes which points are nearest.
    """
    d = X.shape[1]
    if X.shape[0] == 0:
        return np.zeros(d), 1.0
    hi = X.max(axis=0).astype(np.float64)
    lo = X.min(axis=0).astype(np.float64)
    mid, half = hi / 2 + lo / 2, hi / 2 - lo / 2  # no overflow near the largest double
    top = max(float(np.abs(mid).max()), float(half.max()))
    shift = np.zeros(d)
    if top > 0 and np.linalg.norm(mid / top) > 2 * np.linalg.norm(half / top):
        shift = mid
    big = float(2 * half.max()) if shift.any() else max(top, float(np.abs(lo).max()))
    scale = 1.0
    if big > 2.0**50 or 0 < big < 2.0**-50:
        scale = float(np.ldexp(1.0, -int(np.frexp(big)[1])))
    return shift, scale


def _to_frame(X: np.ndarray, shift: np.ndarray, scale: float, dtype: Any) -> np.ndarray:
    """s·x − s·c in ``dtype`` (X itself when the frame is the identity and dtypes agree),
    computed in float64 a block of rows at a time (no float64 copy of all of X)."""
    if scale == 1.0 and not shift.any():
        return X.astype(dtype, copy=False)
    out = np.empty(X.shape, dtype=dtype)
    step = max(1, 2**17 // max(1, X.shape[1]))  # 1 MiB of float64 rows at a time
    for i in range(0, X.shape[0], step):
        block = np.multiply(X[i : i + step], scale, dtype=np.float64)
        block -= shift * scale
        out[i : i + step] = block
    return out


def working_memory() -> float:
    """The working memory of one neighbour search, in MiB, all worker threads together.

    min(32, W) where W is scikit-learn's ``working_memory`` setting (default 1024 MiB;
    ``sklearn.set_config(working_memory=W)`` or ``sklearn.config_context``), with its
    meaning there: a bound on the temporary arrays of a chunked pairwise computation,
    whatever the number of queries. byhand stays at 32 MiB by default because larger
    blocks measured no faster on MNIST (see :class:`KNeighborsClassifier`).

    Returns
    -------
    float
        The budget in MiB.

    Raises
    ------
    ValueError
        If scikit-learn's ``working_memory`` is not a positive number.

    Examples
    --------
    >>> import sklearn
    >>> from byhand.neighbors import working_memory
    >>> working_memory()
    32.0
    >>> with sklearn.config_context(working_memory=8):
    ...     working_memory()
    8.0
    """
    from sklearn import get_config

    wanted = get_config()["working_memory"]
    if isinstance(wanted, bool) or not isinstance(wanted, numbers.Real) or not wanted > 0:
        raise ValueError(
            f"scikit-learn's working_memory must be a positive number of MiB, got {wanted!r}"
        )
    return min(float(_WORKING_MIB), float(wanted))


def _plan(
    n: int, n_train: int, d: int, k: int, item: int, workers: int, chunk_size: int | None
) -> tuple[int, int, int]:
    """(query rows per chunk, training rows per block, candidate store size) so that each
    worker's share of :func:`working_memory` holds its chunk's working copy (d·(8 + item)
    bytes a row), its block of products and mask (item + 1 bytes an entry; float64 blocks
    also convert their training rows, 8d + 16 bytes a row) and its candidate store (a
    quarter of the share). The least is one query row against ``_MIN_WIDTH`` training rows."""
    share = max(1, int(working_memory() * 2**20) - 4 * n_train) // workers
    cap = max(16 * k, share // 4 // _CANDIDATE_BYTES)
    rest = share - cap * _CANDIDATE_BYTES
    per_row = d * (8 + item)
    per_col = 0 if item == 4 else 8 * d + 16
    rows = chunk_size or max(1, min(n, _CHUNK_ROWS, cap // (4 * k)))
    least = min(n_train, max(_MIN_WIDTH, k))
    width = (rest - rows * per_row) // (rows * (item + 1) + per_col)
    if width < least and not chunk_size:
        rows = max(1, (rest - least * per_col) // (least * (item + 1) + per_row))
    width = min(n_train, max(least, (rest - rows * per_row) // (rows * (item + 1) + per_col)))
    return rows, width, cap


def _exact_sq_distances(
    A: np.ndarray,
    B: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    scale: float,
    work_bytes: int = 2**22,
) -> np.ndarray:
    """Σ_j (s·a_j − s·b_j)² for the pairs (A[rows], B[cols]), in float64, by direct
    differences: relative error <= (d + 2)·2⁻⁵³ whatever the offset of the data."""
    fast = kernels.pair_sq_distances(A, B, rows, cols, scale)
    if fast is not None:
        return fast
    out = np.empty(rows.size)
    step = max(1, work_bytes // (32 * max(1, A.shape[1])))  # two gathers, two float64 rows
    for i in range(0, rows.size, step):
        diff = np.multiply(A[rows[i : i + step]], scale, dtype=np.float64)
        diff -= np.multiply(B[cols[i : i + step]], scale, dtype=np.float64)
        out[i : i + step] = np.einsum("ij,ij->i", diff, diff)
    return out


def _round_up(bound: np.ndarray, dtype: Any) -> np.ndarray:
    """``bound`` (float64) in ``dtype``, rounded up: no value <= bound compares above it."""
    out = bound.astype(dtype)
    return np.where(out < bound, np.nextafter(out, dtype.type(np.inf)), out)


class _Candidates:
    """The candidate neighbours of a chunk of queries, gathered tile by tile: query row,
    training column, D̃ (the working-precision ‖b‖² − 2a·b) and, once computed, the exact
    squared distance (NaN until then). ``compact`` keeps the store under ``cap`` entries."""

    def __init__(self, n_rows: int, k: int, err: np.ndarray, cap: int) -> None:
        self.n_rows, self.k, self.err, self.cap = n_rows, k, err, cap
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.exact: list[np.ndarray] = []
        self.size = 0

    def add(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> None:
        self.rows.append(rows)
        self.cols.append(cols)
        self.vals.append(vals.astype(np.float64))
        self.exact.append(np.full(rows.size, np.nan))
        self.size += rows.size

    def _merged(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        parts = [
            np.concatenate(a) if len(a) > 1 else a[0]
            for a in (self.rows, self.cols, self.vals, self.exact)
        ]
        self.rows, self.cols, self.vals, self.exact = ([a] for a in parts)
        return parts[0], parts[1], parts[2], parts[3]

    def _keep(self, keep: np.ndarray) -> None:
        rows, cols, vals, exact = (a[0] for a in (self.rows, self.cols, self.vals, self.exact))
        self.rows, self.cols, self.vals, self.exact = (
            [rows[keep]],
            [cols[keep]],
            [vals[keep]],
            [exact[keep]],
        )
        self.size = int(self.rows[0].size)

    def prune(self) -> np.ndarray:
        """Drop the candidates whose D̃ exceeds the K-th smallest D̃ of their row by more than
        2e (K others are then provably nearer); return that bound per row, in float64."""
        rows, _, vals, _ = self._merged()
        counts = np.bincount(rows, minlength=self.n_rows)
        full = counts >= self.k  # rows with fewer candidates so far keep them all
        order = np.lexsort((vals, rows))
        bound = np.full(self.n_rows, np.inf)
        bound[full] = vals[order[(np.cumsum(counts) - counts)[full] + self.k - 1]]
        del order
        bound += 2.0 * self.err
        self._keep(vals <= bound[rows])
        return bound

    def settle(self, A: np.ndarray, B: np.ndarray, scale: float) -> None:
        """Exact squared distances for the candidates without one, then keep the K nearest
        of each row by (exact distance, training index)."""
        rows, cols, _, exact = self._merged()
        todo = np.flatnonzero(np.isnan(exact))
        work = self.cap * _CANDIDATE_BYTES // 4
        exact[todo] = _exact_sq_distances(A, B, rows[todo], cols[todo], scale, work)
        del todo
        order = np.lexsort((cols, exact, rows))
        counts = np.bincount(rows, minlength=self.n_rows)
        rank = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
        keep = np.zeros(rows.size, dtype=bool)
        keep[order[rank < self.k]] = True
        del order, rank
        self._keep(keep)

    def compact(self, A: np.ndarray, B: np.ndarray, scale: float) -> np.ndarray:
        bound = self.prune()
        if self.size > self.cap // 2:  # many near-ties: settle them exactly
            self.settle(A, B, scale)
        return bound

    def result(self, A: np.ndarray, B: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
        self.prune()
        self.settle(A, B, scale)
        rows, cols, _, exact = self._merged()
        order = np.lexsort((cols, exact, rows)).reshape(self.n_rows, self.k)
        return cols[order], exact[order]


def nearest_exact(
    A: np.ndarray,
    B: np.ndarray,
    tile: Any,
    n_train: int,
    dtype: Any,
    sq_max: float,
    scale: float,
    shift: np.ndarray,
    k: int,
    width: int,
    cap: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The K nearest training rows of each query, and their squared distances, exactly.

    A, B: the queries and the training rows as given; ``tile(sl)``: for a slice of the
    training rows, those rows in working coordinates (:func:`_frame`) and the product's
    dtype (float32 or float64), and their ‖b‖² in that dtype; sq_max: an upper bound of
    ‖b‖² over all training rows.
    Returns (indices (n, K), squared distances (n, K) in the data's units), nearest first,
    ties broken by the smaller training index.

    Candidates come from products D̃ = ‖b‖² − 2a·b in the working dtype (unit roundoff u),
    one block of ``width`` training rows at a time. With inputs rounded to that dtype,
    product and sum in it, every D̃ is within e = 2(d+8)u(2‖a‖·max‖b‖ + max‖b‖²) +
    (underflow slack) of the exact value, so a K-th smallest D̃ over any set of columns
    bounds the K nearest: every true K-nearest point has D̃ <= D̃_(K) + 2e. The first bound
    comes from a strided subset of the columns; each block keeps only its entries under the
    bound (the mask), and whenever the candidates fill their store (``cap`` entries) the
    bound is tightened to the candidates' own K-th D̃ + 2e and the store pruned. The
    survivors (a few more than K) get their distances recomputed by direct differences
    (:func:`_exact_sq_distances`), and the K smallest by (distance, index) are kept.
    Working memory: the (n, width) block and its mask, the store, and A's working copy.
    """
    n_rows, d = A.shape
    dtype = np.dtype(dtype)
    wide = dtype == np.float64
    u, tiny = (2.0**-53, 2.0**-1074) if wide else (2.0**-24, 2.0**-149)
    # −2·(s·a − s·c) in the working dtype (scaling by −2 is exact, so its norm is 2‖a‖)
    if scale == 1.0 and not shift.any():
        At2 = np.multiply(A, -2.0, dtype=dtype)
    else:
        At2 = np.multiply(A, -2.0 * scale, dtype=np.float64)
        At2 += 2.0 * scale * shift
        At2 = At2.astype(dtype, copy=False)
    a_norm = np.sqrt(np.einsum("ij,ij->i", At2, At2, dtype=np.float64)) / 2.0
    big = max(np.sqrt(sq_max), float(a_norm.max(initial=0.0)))
    slack = 8.0 * (d + 1) * tiny * (1.0 + big) ** 2
    err = 2.0 * (d + 8) * u * (2.0 * a_norm * np.sqrt(sq_max) + sq_max) + slack
    del a_norm
    block = np.empty(n_rows * width, dtype=dtype)
    flags = np.empty(n_rows * width, dtype=bool)

    def product(sl: slice) -> np.ndarray:
        Bt, sq = tile(sl)
        D = block[: n_rows * Bt.shape[0]].reshape(n_rows, Bt.shape[0])
        np.matmul(At2, Bt.T, out=D)
        D += sq
        return D

    # the first bound: the K-th smallest D̃ of a strided subset of the training rows
    stride = max(1, n_train // max(_SUBSET, 4 * k))
    n_sub = min(-(-n_train // stride), width)
    if n_sub < k:
        stride, n_sub = 1, min(n_train, width)
    D = product(slice(0, stride * n_sub, stride))
    D.partition(k - 1, axis=1)
    bound = _round_up(D[:, k - 1].astype(np.float64) + 2.0 * err, dtype)
    store = _Candidates(n_rows, k, err, cap)
    for start in range(0, n_train, width):
        D = product(slice(start, start + width))
        mask = np.less_equal(D, bound[:, None], out=flags[: D.size].reshape(D.shape))
        group = [0]
        if store.size + int(np.count_nonzero(mask)) > cap:  # many candidates: row by row
            counts = np.cumsum(np.count_nonzero(mask, axis=1))
            group = []
            r = 0
            while r < n_rows:
                group.append(r)
                room = (counts[r - 1] if r else 0) + max(cap // 2, 1)
                r = max(r + 1, int(np.searchsorted(counts, room, side="right")))
        for g0, g1 in zip(group, [*group[1:], n_rows], strict=True):
            rows, cols = np.nonzero(mask[g0:g1])
            rows += g0
            store.add(rows, cols + start, D[rows, cols])
            if store.size > cap:
                tight = _round_up(store.compact(A, B, scale), dtype)
                np.minimum(bound, tight, out=bound)
    return store.result(A, B, scale)


class KNeighborsClassifier(ClassifierMixin, BaseEstimator):
    """Majority vote of the K training points nearest in Euclidean distance.

    Lecture EE-559 3.3 (Fleuret, EPFL, 2019) (k-NN, K = 11, with and without a radial
    feature).

    For a chunk A of query rows and a block of training rows B, candidates are ranked by
    ‖b‖² − 2 a·b (‖a‖² is the same along a row and does not change the ranking), one matrix
    product per block, in coordinates centred on the training data and rescaled by a power
    of two (``_frame``); only the entries under a bound on the K-th distance (first from a
    strided subset of the training rows, then from the candidates found) are kept.

    Memory: no (n_queries × n_train) matrix is ever formed. A search works in chunks of
    query rows against blocks of training rows sized so that everything it holds at once
    (the blocks of products and their masks, the candidates, the chunks' working copies,
    all worker threads together) stays within :func:`working_memory`: 32 MiB, or
    scikit-learn's ``working_memory`` setting when smaller
    (``sklearn.config_context(working_memory=8)``), whatever the number of queries. On top
    come the results (``predict``: about 32·(K + n_classes) bytes a query) and, for
    float64 training data, the float32 copy made by ``fit``. The budget is exceeded only
    when one query row against 256 training rows does not fit in it. 32 MiB measured as
    fast as larger budgets (blocks of 512 queries × about 3,000 training rows per thread
    keep the product efficient and the masks in cache; 64 MiB and above were slower).

    The big product runs in float32 (on float32 data itself, or on a float32 copy) and
    only a few candidates per query, provably including the K nearest, get their squared
    distances recomputed exactly, Σ(a_j − b_j)² in float64 by direct differences, so the
    neighbours are exact whatever the offset of the data (see ``nearest_exact``). Queries
    far outside the training data (working coordinates above 1e15) use a float64 product.

    Ties: between equal computed distances at the K-th place, the training points of
    smaller index are kept (neighbours are ordered by (distance, index)); between classes
    with equal votes, the class that sorts first in ``classes_`` wins, as in scikit-learn.
    scikit-learn's brute force keeps an order among equal distances that depends on its
    chunking and heaps, so on data with exactly tied distances the two may pick different
    (equally near) neighbours; otherwise the neighbours and votes are scikit-learn's, except
    far from the origin, where scikit-learn's expanded distances cancel and byhand's don't.

    Parameters
    ----------
    n_neighbors : int >= 1, default 5
        scikit-learn's default; the lecture's K = 11 is ``n_neighbors=11`` (its experiment
        passes it).
    weights : "uniform" (default) or "distance"
        "uniform": each of the K neighbours has one vote; "distance": a vote weighs
        1/‖x − xₙ‖, and a query that coincides with training points (distance 0) takes
        the votes of those points only (scikit-learn's rule).
    chunk_size : int >= 1 or None, default None
        Query rows per chunk; None picks them (at most 512) within
        :func:`working_memory`. A given ``chunk_size`` is kept even where its blocks of
        256 training rows exceed that budget.
    n_jobs : int or None, default None
        Threads working on chunks side by side (each with one BLAS thread); None uses every
        core, −1 too, −2 all but one (joblib's meaning of a negative count). They share the
        working memory.

    Targets: class labels y of shape (n,), or (n, n_outputs) for several outputs at once
    (multi-output, multilabel indicators included), as scikit-learn's
    ``KNeighborsClassifier``: each output is voted on separately by the same K neighbours,
    ``predict`` returns (n, n_outputs), ``predict_proba`` a list of one (n, n_classes_k)
    array per output and ``classes_`` a list of each output's labels. A column vector
    (n, 1) is taken as (n,) with scikit-learn's DataConversionWarning.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,), or a list of them (one per output)
        The class labels.
    outputs_2d_ : bool
        Whether y had several outputs (a 2-D y).
    n_samples_fit_ : int
        The number of stored training samples (the stored training data is kept too).

    ``kneighbors(X=None, n_neighbors=None, return_distance=True)`` returns
    ``(distances, indices)`` as scikit-learn's (``X=None``: the neighbours of each training
    point, itself excluded).

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.neighbors import KNeighborsClassifier
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [1.0, 1.0], [1.0, 0.9]])
    >>> KNeighborsClassifier(n_neighbors=1).fit(X, [0, 0, 1, 1]).predict([[0.9, 1.0]])
    array([1])
    >>> Y = np.array([[0, 5], [0, 6], [1, 6], [1, 6]])  # two outputs, a vote for each
    >>> knn = KNeighborsClassifier(n_neighbors=3).fit(X, Y)
    >>> knn.predict([[0.0, 0.1]])
    array([[0, 6]])
    >>> [c.tolist() for c in knn.classes_]
    [[0, 1], [5, 6]]
    """

    def __init__(
        self,
        n_neighbors: int = 5,
        *,
        weights: str = "uniform",
        chunk_size: int | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any) -> KNeighborsClassifier:
        """Store the training set (float32 kept as float32, anything else as float64) and
        ‖b‖² of every training row (in float64); return self."""
        check_param(self, "n_neighbors", numbers.Integral, low=1)
        check_param(self, "chunk_size", numbers.Integral, low=1, allow_none=True)
        check_param(self, "n_jobs", numbers.Integral, allow_none=True)
        if self.n_jobs == 0:
            raise ValueError(f"{type(self).__name__}: n_jobs must not be 0 (None, -1 or >= 1)")
        if not isinstance(self.weights, str) or self.weights not in _WEIGHTS:
            raise ValueError(
                f"KNeighborsClassifier: weights must be one of {list(_WEIGHTS)}, got "
                f"{self.weights!r}"
            )
        X, y = validate_X_y_classifier(
            self, X, y, dtype=(np.float64, np.float32), multi_output=True
        )
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. Please change "
                "the shape of y to (n_samples,), for example using ravel().",
                DataConversionWarning,
                stacklevel=2,
            )
            y = y[:, 0]
        self.outputs_2d_ = y.ndim == 2
        if self.outputs_2d_:  # one vote per output, scikit-learn's multi-output k-NN
            self._y = np.empty(y.shape, dtype=np.int64)
            self.classes_ = []
            for k in range(y.shape[1]):
                classes, self._y[:, k] = np.unique(y[:, k], return_inverse=True)
                self.classes_.append(classes)
        else:
            self._y = encode_class_labels(self, y, min_classes=1)
        self._X = X
        # working coordinates (centred, rescaled by a power of two) and their float32 copy
        # for the candidate product (X itself when float32 and already well placed)
        self._shift, self._scale = _frame(X)
        self._X32 = _to_frame(X, self._shift, self._scale, np.float32)
        self._sq32 = np.einsum("ij,ij->i", self._X32, self._X32, dtype=np.float64)
        self.n_samples_fit_ = X.shape[0]
        return self

    def kneighbors(
        self, X: Any = None, n_neighbors: int | None = None, return_distance: bool = True
    ) -> Any:
        """The K nearest training points of each query, nearest first (ordered by
        (distance, training index)), as scikit-learn's ``kneighbors``.

        X : (n, d) queries, or None for the training points themselves, each one's own
        index left out of its neighbours. n_neighbors : K (default ``self.n_neighbors``).
        Returns ``(distances, indices)``, both (n, K) — Euclidean distances ‖x − xₙ‖ in
        float64, computed from the differences of the chosen pairs — or only ``indices``
        when ``return_distance=False``. Raises ValueError when K exceeds the training
        samples (K + 1 with ``X=None``).
        """
        check_is_fitted(self)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError(f"n_neighbors must be an integer >= 1, got {k!r}")
        k = int(k)
        if not isinstance(return_distance, (bool, np.bool_)):
            raise TypeError(f"return_distance must be True or False, got {return_distance!r}")
        if X is None:
            Q = self._X
            ind = self._indices(Q, k + 1)
            own = ind == np.arange(Q.shape[0])[:, None]
            own[~own.any(axis=1), -1] = True  # duplicates may push a point out: drop the K+1-th
            ind = ind[~own].reshape(Q.shape[0], k)
        else:
            Q = validate_X_predict(self, X, dtype=(np.float64, np.float32))
            ind = self._indices(Q, k)
        if not return_distance:
            return ind
        return self._distances(Q, ind), ind

    def _distances(self, Q: np.ndarray, ind: np.ndarray) -> np.ndarray:
        """‖q − x_ind‖ in float64 for each query row and its chosen neighbours."""
        out = np.empty(ind.shape, dtype=np.float64)
        work = int(working_memory() * 2**20)
        rows = max(1, work // (32 * max(1, ind.shape[1] * self._X.shape[1])))
        for s in range(0, Q.shape[0], rows):
            q = Q[s : s + rows].astype(np.float64, copy=False)[:, None, :]
            diff = self._X[ind[s : s + rows]].astype(np.float64, copy=False) - q
            out[s : s + rows] = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
        return out

    def _indices(self, X: np.ndarray, k: int) -> np.ndarray:
        """Indices of the k nearest training points of each (validated) row of X."""
        # |s·x − s·c| <= s(max|x| + max|c|); beyond float32's safe range (queries far outside
        # the training data) the candidate product runs in float64
        reach = self._scale * (_max_abs(X) + float(np.abs(self._shift).max(initial=0.0)))
        fast = reach <= _FLOAT32_SAFE
        if k > self.n_samples_fit_:
            raise ValueError(
                f"n_neighbors={k} exceeds the number of training samples "
                f"(n_samples_fit={self.n_samples_fit_}); expected n_neighbors <= n_samples_fit."
            )
        n, d = X.shape
        n_train = self.n_samples_fit_
        out = np.empty((n, k), dtype=np.intp)
        if n == 0:
            return out
        dtype = np.dtype(np.float32 if fast else np.float64)
        from joblib import effective_n_jobs

        jobs = (os.cpu_count() or 1) if self.n_jobs is None else effective_n_jobs(self.n_jobs)
        workers = max(1, min(jobs, n))
        rows, width, cap = _plan(n, n_train, d, k, dtype.itemsize, workers, self.chunk_size)
        starts = range(0, n, rows)
        workers = min(workers, len(starts))
        sq_max = float(self._sq32.max(initial=0.0))
        if fast:
            sq_w = self._sq32.astype(np.float32)

            def tile(sl: slice) -> tuple[np.ndarray, np.ndarray]:
                return self._X32[sl], sq_w[sl]

        else:  # float64 products: each block of training rows converted when it is used
            sq_max *= 1.0 + 2.0**-20  # ‖b‖² of the float64 rows, from their float32 roundings

            def tile(sl: slice) -> tuple[np.ndarray, np.ndarray]:
                Bt = _to_frame(self._X[sl], self._shift, self._scale, np.float64)
                return Bt, np.einsum("ij,ij->i", Bt, Bt)

        def run(start: int) -> None:
            A = X[start : start + rows]
            out[start : start + rows] = nearest_exact(
                A, self._X, tile, n_train, dtype, sq_max, self._scale, self._shift, k, width, cap
            )[0]

        if workers <= 1:
            for start in starts:
                run(start)
            return out
        # One BLAS thread per worker: each chunk's product and selection run side by side.
        with one_blas_thread(), ThreadPoolExecutor(max_workers=workers) as pool:
            for _ in pool.map(run, starts):
                pass
        return out

    def predict_proba(self, X: Any) -> Any:
        """Share of the K neighbours' votes in each class, shape (n, n_classes): the
        fraction of neighbours ("uniform") or of their weights 1/distance ("distance").
        With several outputs, a list of one such array per output (scikit-learn's form)."""
        neigh, w = self._votes(X)
        if not isinstance(self.classes_, list):  # one output (also models saved before)
            return self._shares(self._y[neigh], w, self.classes_.size)
        return [
            self._shares(self._y[:, k][neigh], w, classes.size)
            for k, classes in enumerate(self.classes_)
        ]

    def _votes(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """The K neighbours of each query and the weight of each one's vote."""
        if self.weights == "distance":
            dist, neigh = self.kneighbors(X)
            with np.errstate(divide="ignore"):
                w = 1.0 / dist
            exact = np.isinf(w)
            rows = exact.any(axis=1)
            w[rows] = exact[rows]  # a query on training points: their votes only
        else:
            neigh = self.kneighbors(X, return_distance=False)
            w = np.ones(neigh.shape)
        return neigh, w

    @staticmethod
    def _shares(labels: np.ndarray, w: np.ndarray, n_classes: int) -> np.ndarray:
        """Per row, the weighted share of the votes ``labels`` (n, K) in each class."""
        offsets = np.arange(labels.shape[0])[:, None] * n_classes
        votes = np.bincount(
            (labels + offsets).ravel(), weights=w.ravel(), minlength=labels.shape[0] * n_classes
        ).reshape(-1, n_classes)
        return votes / votes.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """The majority class among the K nearest (first class in ``classes_`` on a tie);
        shape (n,), or (n, n_outputs) with one vote per output."""
        proba = self.predict_proba(X)
        if not isinstance(self.classes_, list):
            return self.classes_[np.argmax(proba, axis=1)]
        return np.stack(
            [c[np.argmax(p, axis=1)] for c, p in zip(self.classes_, proba, strict=True)], axis=1
        )

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # scikit-learn's k-NN is a MultiOutputMixin
        tags.classifier_tags.multi_label = True
        return tags
