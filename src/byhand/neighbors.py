"""k-nearest-neighbour classification by brute force, vectorised and chunked.

Lecture: EE-559 3.3 (Fleuret, EPFL, 2019) "Linear separability and feature design"
(the figures "Votes (K=11)" / "Prediction (K=11)" and the same with a radial feature).
"""

from __future__ import annotations

import numbers
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

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


def _max_abs(X: np.ndarray) -> float:
    """max |x| over X, without the full-size temporary that np.abs(X) would allocate."""
    return float(max(X.max(initial=0.0), -X.min(initial=0.0)))


class KNeighborsClassifier(ClassifierMixin, BaseEstimator):
    """Majority vote of the K training points nearest in Euclidean distance.

    Lecture EE-559 3.3 (Fleuret, EPFL, 2019) (k-NN, K = 11, with and without a radial
    feature).

    For a chunk A of query rows and the training set B, the squared distances are ranked by
    ‖b‖² − 2 a·b (‖a‖² is the same along a row and does not change the ranking), one matrix
    product per chunk; the K smallest per row are found by bounding the K-th distance from
    a strided subset of the columns and sorting only the entries under the bound. Memory
    stays bounded by ``chunk_size`` × n_train distances per thread.

    The big product runs in float32 (on float32 data itself, or on a float32 copy of
    float64 data) and only a few candidates per query, provably including the K nearest,
    are re-ranked with float64 distances from the original data, so the neighbours are
    those of the float64 computation (see ``_chunk_neighbors32``). Data with entries above
    1e15 in magnitude (float32 could overflow) is computed in float64 throughout.

    Ties: between equal computed distances at the K-th place, the training points of
    smaller index are kept (neighbours are ordered by (distance, index)); between classes
    with equal votes, the class that sorts first in ``classes_`` wins, as in scikit-learn.
    scikit-learn's brute force keeps an order among equal distances that depends on its
    chunking and heaps, so on data with exactly tied distances the two may pick different
    (equally near) neighbours; otherwise (float64 throughout) the neighbours and votes are
    scikit-learn's.

    Parameters
    ----------
    n_neighbors : int >= 1, default 11
    chunk_size : int >= 1 or None, default None
        Query rows per distance chunk; None picks chunks so that the distances in flight
        (all threads together) take about 64 MiB.
    n_jobs : int >= 1 or None, default None
        Threads working on chunks side by side (each with one BLAS thread); None uses every
        core. Peak memory is about n_jobs × chunk_size × n_train × 4 bytes (float32
        distances, 8 on the float64 route), plus a float32 copy of float64 training data.

    Attributes
    ----------
    classes_, n_samples_fit_, and the stored training data.
    """

    def __init__(
        self, n_neighbors: int = 11, chunk_size: int | None = None, n_jobs: int | None = None
    ) -> None:
        self.n_neighbors = n_neighbors
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any) -> KNeighborsClassifier:
        """Store the training set (float32 kept as float32, anything else as float64) and
        ‖b‖² of every training row (in float64); return self."""
        check_param(self, "n_neighbors", numbers.Integral, low=1)
        check_param(self, "chunk_size", numbers.Integral, low=1, allow_none=True)
        check_param(self, "n_jobs", numbers.Integral, low=1, allow_none=True)
        X, y = validate_X_y_classifier(self, X, y, dtype=(np.float64, np.float32))
        self._y = encode_class_labels(self, y, min_classes=1)
        self._X = X
        self._sq_norms = np.einsum("ij,ij->i", X, X, dtype=np.float64)
        max_abs = _max_abs(X)
        if X.dtype == np.float32 or max_abs <= _FLOAT32_SAFE:
            # float32 copy for the candidate product (X itself when already float32)
            self._X32 = X if X.dtype == np.float32 else X.astype(np.float32)
            self._sq32 = self._sq_norms.astype(np.float32)
            self._sq_max = float(self._sq_norms.max(initial=0.0))
            self._max_abs = max_abs
        else:
            self._X32 = None
        self.n_samples_fit_ = X.shape[0]
        return self

    def kneighbors(self, X: Any) -> np.ndarray:
        """Indices of the ``n_neighbors`` nearest training points, shape (n, K), nearest first
        (ordered by (distance, training index))."""
        X = validate_X_predict(self, X, dtype=(np.float64, np.float32))
        fast = self._X32 is not None and _max_abs(X) <= _FLOAT32_SAFE
        k = self.n_neighbors
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
        chunk = self._chunk_neighbors32 if fast else self._chunk_neighbors

        def run(start: int) -> None:
            out[start : start + rows] = chunk(X[start : start + rows], k)

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

    @staticmethod
    def _first_k(rows: np.ndarray, cols: np.ndarray, dist: np.ndarray, n_rows: int, k: int):
        """From (row, col, distance) triples with at least K per row, the K of smallest
        (distance, col) per row, nearest first."""
        order = np.lexsort((cols, dist, rows))
        first = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))[:-1]])
        return cols[order][first[:, None] + np.arange(k)]

    def _chunk_neighbors(self, A: np.ndarray, k: int) -> np.ndarray:
        """The K nearest for one chunk of queries (float64), by (distance, training index).

        D = (−2A)Bᵀ + ‖b‖² (scaling by −2 is exact); only the entries under the subset
        bound are sorted.
        """
        D = (-2.0 * A.astype(np.float64, copy=False)) @ self._X.T
        D += self._sq_norms
        rows, cols = np.nonzero(D <= self._subset_bound(D, k)[:, None])
        return self._first_k(rows, cols, D[rows, cols], D.shape[0], k)

    def _chunk_neighbors32(self, A: np.ndarray, k: int) -> np.ndarray:
        """The K nearest for one chunk: a float32 product finds candidates, and float64
        distances rank them, so the answer is the float64 computation's.

        With u = 2⁻²⁴, every float32 D̃ (inputs rounded to float32, product and sum in
        float32) is within e = 2(d+8)u(2‖a‖·max‖b‖ + max‖b‖²) + s of the exact
        ‖b‖² − 2a·b, where s covers float32 underflow (inputs bounded by ``_FLOAT32_SAFE``
        rule out overflow). The K smallest D̃ have exact distances <= D̃_(K) + e, so every
        true K-nearest point has D̃ <= D̃_(K) + 2e: those candidates (a few more than K)
        get their distances recomputed in float64 from the original data, and the K
        smallest by (distance, index) are kept.
        """
        B32, B = self._X32, self._X
        n_rows, d = A.shape
        D = (np.float32(-2.0) * A.astype(np.float32)) @ B32.T
        D += self._sq32
        A64 = A.astype(np.float64, copy=False)
        a_norm = np.sqrt(np.einsum("ij,ij->i", A64, A64))
        big = max(self._max_abs, float(np.abs(A64).max(initial=0.0)))
        slack = 8.0 * (d + 1) * 2.0**-149 * (1.0 + big) ** 2
        scale = 2.0 * (d + 8) * 2.0**-24
        err = scale * (2.0 * a_norm * np.sqrt(self._sq_max) + self._sq_max) + slack
        bound = self._subset_bound(D, k).astype(np.float64) + 2.0 * err
        bound32 = bound.astype(np.float32)
        bound32 = np.where(bound32 < bound, np.nextafter(bound32, np.float32(np.inf)), bound32)
        rows, cols = np.nonzero(D <= bound32[:, None])
        vals = D[rows, cols]
        order = np.lexsort((vals, rows))
        first = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))[:-1]])
        kth = vals[order][first + k - 1].astype(np.float64)  # the K-th smallest D̃ per row
        keep = vals <= kth[rows] + 2.0 * err[rows]
        rows, cols = rows[keep], cols[keep]
        dots = np.einsum("ij,ij->i", A64[rows], B[cols].astype(np.float64, copy=False))
        dist = -2.0 * dots + self._sq_norms[cols]
        return self._first_k(rows, cols, dist, n_rows, k)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Fraction of the K neighbours in each class, shape (n, n_classes)."""
        neigh = self.kneighbors(X)
        n_classes = self.classes_.size
        labels = self._y[neigh]
        offsets = np.arange(labels.shape[0])[:, None] * n_classes
        counts = np.bincount((labels + offsets).ravel(), minlength=labels.shape[0] * n_classes)
        return counts.reshape(-1, n_classes) / self.n_neighbors

    def predict(self, X: Any) -> np.ndarray:
        """The majority class among the K nearest (first class in ``classes_`` on a tie)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
