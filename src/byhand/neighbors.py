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

from byhand._validation import (
    check_param,
    encode_class_labels,
    one_blas_thread,
    validate_X_predict,
    validate_X_y_classifier,
)

__all__ = ["KNeighborsClassifier"]

_WORKING_BYTES = 64 * 2**20  # memory for the chunks of distances in flight, all workers
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
    """s·x − s·c in ``dtype`` (X itself when the frame is the identity and dtypes agree)."""
    if scale == 1.0 and not shift.any():
        return X.astype(dtype, copy=False)
    out = np.multiply(X, scale, dtype=np.float64)
    out -= shift * scale
    return out.astype(dtype, copy=False)


def _exact_sq_distances(
    A: np.ndarray, B: np.ndarray, rows: np.ndarray, cols: np.ndarray, scale: float
) -> np.ndarray:
    """Σ_j (s·a_j − s·b_j)² for the pairs (A[rows], B[cols]), in float64, by direct
    differences: relative error <= (d + 2)·2⁻⁵³ whatever the offset of the data."""
    out = np.empty(rows.size)
    step = max(1, 2**22 // max(1, A.shape[1]))
    for i in range(0, rows.size, step):
        diff = np.multiply(A[rows[i : i + step]], scale, dtype=np.float64)
        diff -= np.multiply(B[cols[i : i + step]], scale, dtype=np.float64)
        out[i : i + step] = np.einsum("ij,ij->i", diff, diff)
    return out


def nearest_exact(
    A: np.ndarray,
    At: np.ndarray,
    B: np.ndarray,
    Bt: np.ndarray,
    sq: np.ndarray,
    scale: float,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The K nearest training rows of each query, and their squared distances, exactly.

    A, B: the queries and training rows as given; At, Bt: the same in working coordinates
    (:func:`_frame`) and in the product's dtype (float32 or float64); sq: ‖b‖² of the rows of
    Bt, in float64. Returns (indices (n, K), squared distances (n, K) in the data's units),
    nearest first, ties broken by the smaller training index.

    Candidates come from one product D̃ = ‖b‖² − 2a·b in the working dtype (unit roundoff u).
    With inputs rounded to that dtype, product and sum in it, every D̃ is within
    e = 2(d+8)u(2‖a‖·max‖b‖ + max‖b‖²) + (underflow slack) of the exact value, so the K
    smallest D̃ have exact distances <= D̃_(K) + e and every true K-nearest point has
    D̃ <= D̃_(K) + 2e. Only those candidates (a few more than K) get their distances
    recomputed by direct differences (:func:`_exact_sq_distances`), and the K smallest by
    (distance, index) are kept.
    """
    n_rows, d = A.shape
    wide = Bt.dtype == np.float64
    u, tiny = (2.0**-53, 2.0**-1074) if wide else (2.0**-24, 2.0**-149)
    D = (np.asarray(-2.0, dtype=Bt.dtype) * At) @ Bt.T
    D += sq.astype(Bt.dtype)
    At64 = At.astype(np.float64, copy=False)
    a_norm = np.sqrt(np.einsum("ij,ij->i", At64, At64))
    sq_max = float(sq.max(initial=0.0))
    big = max(np.sqrt(sq_max), float(a_norm.max(initial=0.0)))
    slack = 8.0 * (d + 1) * tiny * (1.0 + big) ** 2
    err = 2.0 * (d + 8) * u * (2.0 * a_norm * np.sqrt(sq_max) + sq_max) + slack
    bound = KNeighborsClassifier._subset_bound(D, k).astype(np.float64) + 2.0 * err
    bound_w = bound.astype(Bt.dtype)
    bound_w = np.where(bound_w < bound, np.nextafter(bound_w, Bt.dtype.type(np.inf)), bound_w)
    rows, cols = np.nonzero(D <= bound_w[:, None])
    vals = D[rows, cols]
    order = np.lexsort((vals, rows))
    first = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))[:-1]])
    kth = vals[order][first + k - 1].astype(np.float64)  # the K-th smallest D̃ per row
    keep = vals <= kth[rows] + 2.0 * err[rows]
    rows, cols = rows[keep], cols[keep]
    dist = _exact_sq_distances(A, B, rows, cols, scale)
    order = np.lexsort((cols, dist, rows))
    first = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))[:-1]])
    pick = order[first[:, None] + np.arange(k)]
    with np.errstate(over="ignore"):  # distances beyond the largest double are inf
        return cols[pick], dist[pick] / scale / scale


class KNeighborsClassifier(ClassifierMixin, BaseEstimator):
    """Majority vote of the K training points nearest in Euclidean distance.

    Lecture EE-559 3.3 (Fleuret, EPFL, 2019) (k-NN, K = 11, with and without a radial
    feature).

    For a chunk A of query rows and the training set B, candidates are ranked by
    ‖b‖² − 2 a·b (‖a‖² is the same along a row and does not change the ranking), one matrix
    product per chunk, in coordinates centred on the training data and rescaled by a power
    of two (``_frame``); the candidates under a bound on the K-th distance are found from a
    strided subset of the columns. Memory stays bounded by ``chunk_size`` × n_train
    distances per thread.

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
        Query rows per distance chunk; None picks chunks so that the distances in flight
        (all threads together) take about 64 MiB.
    n_jobs : int >= 1 or None, default None
        Threads working on chunks side by side (each with one BLAS thread); None uses every
        core. Peak memory is about n_jobs × chunk_size × n_train × 4 bytes (float32
        distances, 8 on the float64 route), plus a float32 copy of float64 training data.

    Targets: class labels y of shape (n,), or (n, n_outputs) for several outputs at once
    (multi-output, multilabel indicators included), as scikit-learn's
    ``KNeighborsClassifier``: each output is voted on separately by the same K neighbours,
    ``predict`` returns (n, n_outputs), ``predict_proba`` a list of one (n, n_classes_k)
    array per output and ``classes_`` a list of each output's labels. A column vector
    (n, 1) is taken as (n,) with scikit-learn's DataConversionWarning.

    Attributes
    ----------
    classes_ : (n_classes,) labels, or a list of them per output
    outputs_2d_ : bool
        Whether y had several outputs.
    n_samples_fit_ : int
        The number of stored training samples (the training data is kept for ``predict``).

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
        check_param(self, "n_jobs", numbers.Integral, low=1, allow_none=True)
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
        rows = max(1, _WORKING_BYTES // (8 * max(1, ind.shape[1] * self._X.shape[1])))
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
        n = X.shape[0]
        out = np.empty((n, k), dtype=np.intp)
        item = 4 if fast else 8
        # The working budget is shared by the workers that run chunks side by side.
        workers = max(1, min(self.n_jobs or os.cpu_count() or 1, n))
        rows = self.chunk_size or max(1, _WORKING_BYTES // (item * self.n_samples_fit_ * workers))
        starts = range(0, n, rows)
        workers = min(workers, len(starts))
        Bt = self._X32 if fast else _to_frame(self._X, self._shift, self._scale, np.float64)
        sq = self._sq32 if fast else np.einsum("ij,ij->i", Bt, Bt)

        def run(start: int) -> None:
            A = X[start : start + rows]
            At = _to_frame(A, self._shift, self._scale, Bt.dtype)
            out[start : start + rows] = nearest_exact(A, At, self._X, Bt, sq, self._scale, k)[0]

        if workers <= 1:
            for start in starts:
                run(start)
            return out
        # One BLAS thread per worker: each chunk's product and selection run side by side.
        with one_blas_thread(), ThreadPoolExecutor(max_workers=workers) as pool:
            for _ in pool.map(run, starts):
                pass
        return out

    @staticmethod
    def _subset_bound(D: np.ndarray, k: int) -> np.ndarray:
        """Per row, a value >= the K-th smallest entry: the K-th smallest of a strided
        subset of the columns (never below the K-th smallest of all)."""
        stride = max(1, D.shape[1] // max(_SUBSET, 4 * k))
        sub = D[:, ::stride]
        if sub.shape[1] < k:
            sub = D
        return np.partition(sub, k - 1, axis=1)[:, k - 1] if sub.shape[1] > k else sub.max(1)

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
