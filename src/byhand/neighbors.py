"""k-nearest-neighbour classification by brute force, vectorised and chunked.

Lecture: 003_17d2bd916b1b9250.txt, EE-559 3.3 "Linear separability and feature design"
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

_WORKING_BYTES = 64 * 2**20  # default memory for one chunk of distances
_SUBSET = 2048  # columns sampled to bound the K-th distance of each row


class KNeighborsClassifier(ClassifierMixin, BaseEstimator):
    """Majority vote of the K training points nearest in Euclidean distance.

    Lecture 003_17d2bd916b1b9250.txt, EE-559 3.3 (k-NN, K = 11, with and without a radial
    feature).

    For a chunk A of query rows and the training set B, the squared distances are ranked by
    ‖b‖² − 2 a·b (‖a‖² is the same along a row and does not change the ranking), one matrix
    product per chunk; the K smallest per row are found by bounding the K-th distance from
    a strided subset of the columns and sorting only the entries under the bound. Memory
    stays bounded by ``chunk_size`` × n_train distances per thread.

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
        Query rows per distance chunk; None picks about 64 MiB of distances per chunk.
    n_jobs : int >= 1 or None, default None
        Threads working on chunks side by side (each with one BLAS thread); None uses every
        core. Peak memory is about n_jobs × chunk_size × n_train × 8 bytes.

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
        """Store the training set (and ‖b‖² of every training row); return self."""
        check_param(self, "n_neighbors", numbers.Integral, low=1)
        check_param(self, "chunk_size", numbers.Integral, low=1, allow_none=True)
        check_param(self, "n_jobs", numbers.Integral, low=1, allow_none=True)
        X, y = validate_X_y_classifier(self, X, y)
        self._y = encode_class_labels(self, y, min_classes=1)
        self._X = X
        self._sq_norms = np.einsum("ij,ij->i", X, X)
        self.n_samples_fit_ = X.shape[0]
        return self

    def kneighbors(self, X: Any) -> np.ndarray:
        """Indices of the ``n_neighbors`` nearest training points, shape (n, K), nearest first
        (ordered by (distance, training index))."""
        X = validate_X_predict(self, X)
        k = self.n_neighbors
        if k > self.n_samples_fit_:
            raise ValueError(
                f"n_neighbors={k} exceeds the number of training samples "
                f"(n_samples_fit={self.n_samples_fit_}); expected n_neighbors <= n_samples_fit."
            )
        n = X.shape[0]
        out = np.empty((n, k), dtype=np.intp)
        rows = self.chunk_size or max(1, _WORKING_BYTES // (8 * self.n_samples_fit_))
        starts = range(0, n, rows)
        workers = min(self.n_jobs or os.cpu_count() or 1, len(starts))

        def run(start: int) -> None:
            out[start : start + rows] = self._chunk_neighbors(X[start : start + rows], k)

        if workers <= 1:
            for start in starts:
                run(start)
            return out
        # One BLAS thread per worker: each chunk's product and selection run side by side.
        with one_blas_thread(), ThreadPoolExecutor(max_workers=workers) as pool:
            for _ in pool.map(run, starts):
                pass
        return out

    def _chunk_neighbors(self, A: np.ndarray, k: int) -> np.ndarray:
        """The K nearest for one chunk of queries, sorted by (distance, training index).

        D = (−2A)Bᵀ + ‖b‖² (scaling by −2 is exact). A first bound t ≥ the K-th smallest
        distance of each row comes from a strided subset of the columns (the K-th smallest
        of a subset is never below the K-th smallest of all); only the entries D <= t are
        then sorted, by (row, distance, index).
        """
        D = (-2.0 * A) @ self._X.T
        D += self._sq_norms
        n_rows, m = D.shape
        stride = max(1, m // max(_SUBSET, 4 * k))
        sub = D[:, ::stride]
        if sub.shape[1] < k:
            sub = D
        bound = np.partition(sub, k - 1, axis=1)[:, k - 1] if sub.shape[1] > k else sub.max(1)
        rows, cols = np.nonzero(D <= bound[:, None])
        order = np.lexsort((cols, D[rows, cols], rows))
        first = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))[:-1]])
        return cols[order][first[:, None] + np.arange(k)]

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
