"""The multiclass perceptron, exact and fast (the block scan of ``_perceptron``).

Lectures: CS 577 Lecture 01 (Wang, IIT, 2024) (CS 577 Lecture 01, "Multiclass perceptron":
W = [w_1 … w_K], ŷ = argmax_k w_kᵀx, on a mistake w_ŷ ← w_ŷ − x and w_y ← w_y + x) and
CS 577 Lecture 04 (Wang, IIT, 2024) (CS 577 Lecture 04, "Multiclass perceptron": the tie rule —
if argmax_k w_kᵀx \\ {y} is empty, pass; else update with ŷ taken from that set).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.utils.validation import validate_data

from byhand._inference import row_invariant_matmul
from byhand._magnitude import check_magnitude, product_limit
from byhand._validation import (
    check_finite_sumsq,
    check_one_output,
    check_warm_start,
    encode_class_labels,
    one_blas_thread,
    validate_X_predict,
    validate_X_y_classifier,
)
from byhand.linear_model._gradient import encode_known_labels, partial_fit_classes
from byhand.linear_model._perceptron_base import (
    _BLOCK_MAX,
    _BLOCK_MIN,
    _TINY,
    _make_rng,
    _PerceptronBase,
    _rounding_scale,
)

__all__ = ["MulticlassPerceptron"]


class MulticlassPerceptron(_PerceptronBase):
    """Multiclass perceptron with the tie rule of CS 577 Lecture 04.

    Scores s = W̃ᵀx̃ with x̃ = [x, 1] (bias trick) and W̃ of shape (d+1, K), W̃ = 0 at the
    start. For each visited sample (x, y), with A = argmax_k s_k (the set of tied maxima):

    * if A \\ {y} is empty (y alone has the top score): pass;
    * else ŷ = min(A \\ {y}) (the smallest class index among the tied wrong classes) and
      w_ŷ ← w_ŷ − η·x̃, w_y ← w_y + η·x̃.

    So a tie between y and another class counts as a mistake, exactly as the lecture's
    "argmax \\ {y}" rule says (at W = 0 every sample is a mistake).
    Lectures: CS 577 Lecture 01 (Wang, IIT, 2024) "Multiclass perceptron"; CS 577 Lecture 04 (Wang,
    IIT, 2024)
    "Multiclass perceptron" (tie rule).

    Parameters are those of :class:`byhand.linear_model.Perceptron` (``eta0``,
    ``fit_intercept``, ``max_iter``, ``shuffle``, ``T``, ``random_state``), with the same
    epoch / online schedules, the same exact block scan (the scores of a block under the
    current W̃ by one matrix product; a sample whose top-score gap is within the rounding
    bound of zero is re-scored as the literal loop does, ``x̃ @ W̃``), and the same
    ``ConvergenceWarning``.

    Attributes
    ----------
    coef_ : ndarray (K, n_features)
        Row k is w_k.
    intercept_ : ndarray (K,)
    classes_, n_iter_, mistakes_, converged_
        As for ``Perceptron``.
    ``predict`` returns ``classes_[argmax_k s_k]`` (first index on a tie).

    Online learning: ``partial_fit(X, y, classes=None)`` runs one pass over (X, y) (in
    dataset order, or a permutation from the generator of the previous calls when
    ``shuffle``) continuing ``coef_``/``intercept_`` as they are now; ``classes`` (every
    label) on the first call. ``warm_start=True``: ``fit`` starts from the fitted
    ``coef_``/``intercept_`` instead of W̃ = 0; y must hold the same classes and X the same
    features (a ValueError naming the previous and the new classes otherwise, as
    scikit-learn's warm starts refuse them).

    Raises
    ------
    ValueError
        On invalid parameters (named, with the value received), X or y with NaN or inf, X
        not 2-D, or X and y of different lengths.
    sklearn.exceptions.NotFittedError
        When ``predict`` (or another method that needs the fit) is called before ``fit``.

    Examples
    --------
    >>> from byhand import MulticlassPerceptron
    >>> from byhand.datasets import make_blobs_k
    >>> X, y = make_blobs_k(90, noise=0.5, random_state=0, n_classes=3)
    >>> clf = MulticlassPerceptron().fit(X, y)
    >>> clf.coef_.shape, clf.converged_, f"{clf.score(X, y):.2f}"
    ((3, 2), True, '1.00')
    """

    def _fit(self, X: Any, y: Any, sample_weight: Any) -> None:
        self._check_params()
        X, y = validate_X_y_classifier(self, X, y, ensure_all_finite=False)
        warm = check_warm_start(self, np.unique(y), X.shape[1])
        old = self._fitted_W(X.shape[1]) if warm else None
        X, y = self._weighted(X, y, sample_weight)
        check_magnitude(self, X, product_limit(X.shape[1]), "the scores w·x and updates")
        sumsq = check_finite_sumsq(X, estimator=self)
        y_idx = encode_class_labels(self, y)
        d = X.shape[1]
        k = self.classes_.size
        self._W = np.zeros((d + 1 if self.fit_intercept else d, k))
        if old is not None:
            self._W[...] = old
        self._tau = _rounding_scale(sumsq + (1.0 if self.fit_intercept else 0.0), d + 2)
        try:
            self._run_passes(X, y_idx)
        finally:
            self.__dict__.pop("_sw", None)
        self._publish(d, k)

    def _weighted(self, X: np.ndarray, y: np.ndarray, sample_weight: Any) -> tuple:
        """Drop the rows of weight 0 (NaN/inf in them refused, named by their sample) and
        keep the others' weights in ``_sw`` (or None)."""
        X, y, sw, _ = self._positive_rows(X, y, sample_weight)
        self._sw = sw if sw is not None and np.any(sw != 1.0) else None
        return X, y

    def _partial_fit(self, X: Any, y: Any, classes: Any, sample_weight: Any) -> None:
        first = partial_fit_classes(self, classes)
        if first:
            self._check_params()
        check_one_output(self, y)
        X, y = validate_data(
            self, X, y, dtype=np.float64, order="C", reset=first, ensure_all_finite=False
        )
        X, y = self._weighted(X, y, sample_weight)
        check_magnitude(self, X, product_limit(X.shape[1]), "the scores w·x and updates")
        sumsq = check_finite_sumsq(X, estimator=self)
        y_idx = encode_known_labels(self, y)
        d, k = X.shape[1], self.classes_.size
        old = None if first else self._fitted_W(d)
        self._W = np.zeros((d + 1 if self.fit_intercept else d, k))
        if old is not None:
            self._W[...] = old
        self._tau = _rounding_scale(sumsq + (1.0 if self.fit_intercept else 0.0), d + 2)
        order = None
        if self.shuffle:
            rng = getattr(self, "_shuffle_rng", None)
            rng = _make_rng(self.random_state) if first or rng is None else rng
            order = rng.permutation(X.shape[0])
            self._shuffle_rng = rng
        try:
            with one_blas_thread():
                changes = self._scan(X, y_idx, order, X.shape[0], apply=True)
        finally:
            self.__dict__.pop("_sw", None)
        previous = [] if first else list(getattr(self, "mistakes_", []))
        self.mistakes_ = np.asarray([*previous, changes], dtype=np.int64)
        self.n_iter_ = self.mistakes_.size
        self.converged_ = changes == 0
        self._publish(d, k)

    def _fitted_W(self, d: int) -> np.ndarray | None:
        """W̃ (d[+1], K) from the fitted coef_/intercept_, or None before a fit."""
        if not hasattr(self, "coef_"):
            return None
        coef, intercept = self._fitted_coefs(d, self.classes_.size)
        return np.vstack([coef.T, intercept[None, :]]) if self.fit_intercept else coef.T.copy()

    def _publish(self, d: int, k: int) -> None:
        W = self._W
        self.coef_ = np.ascontiguousarray(W[:d].T)
        self.intercept_ = W[d].copy() if self.fit_intercept else np.zeros(k)
        del self._W, self._tau

    def _literal_scores(self, X: np.ndarray, r: int) -> np.ndarray:
        """x̃ᵣ @ W̃ exactly as the textbook loop computes it."""
        if not self.fit_intercept:
            return X[r] @ self._W
        xa = np.empty(X.shape[1] + 1)
        xa[:-1] = X[r]
        xa[-1] = 1.0
        return xa @ self._W

    def _threshold(self) -> float:
        """2·max_k (bound on |fl(s_k) − s_k|): gaps beyond it decide the same either way."""
        W = self._W
        col_norm = math.sqrt(float(np.max(np.einsum("ij,ij->j", W, W))))
        return 2.0 * self._tau * col_norm + 8 * (W.shape[0] + 2) * _TINY

    def _scan(
        self, X: np.ndarray, y: np.ndarray, order: np.ndarray | None, stop: int, *, apply: bool
    ) -> int:
        """One pass over the first ``stop`` samples; number of updates (see ``Perceptron``)."""
        W = self._W
        d = X.shape[1]
        Wd = W[:d]
        fit_b = self.fit_intercept
        eta = float(self.eta0)
        sw = self.__dict__.get("_sw")
        thr = self._threshold()
        i, block, changes, last = 0, _BLOCK_MIN, 0, -1
        while i < stop:
            j = min(i + block, stop)
            if order is None:
                S = X[i:j] @ Wd
                yb = y[i:j]
            else:
                rows = order[i:j]
                S = X.take(rows, axis=0) @ Wd
                yb = y[rows]
            if fit_b:
                S += W[d]
            rng = np.arange(j - i)
            s_true = S[rng, yb].copy()
            S[rng, yb] = -np.inf
            gap = s_true - S.max(axis=1)  # > thr: y surely alone on top
            hit, yhat = -1, -1
            for c in np.flatnonzero(gap <= thr):
                r = i + c if order is None else order[i + c]
                s = self._literal_scores(X, r)
                tied = np.flatnonzero(s == s.max())
                wrong = tied[tied != y[r]]
                if wrong.size:
                    hit, yhat = r, int(wrong[0])
                    break
            if hit < 0:
                i = j
                block = min(2 * block, _BLOCK_MAX)
                continue
            if not apply:
                return 1
            x = X[hit]
            eta_n = eta if sw is None else eta * float(sw[hit])
            step = eta_n * x
            Wd[:, yhat] -= step
            Wd[:, y[hit]] += step
            if fit_b:
                W[d, yhat] -= eta_n
                W[d, y[hit]] += eta_n
            changes += 1
            thr = self._threshold()
            pos = i + int(c)
            block = max(_BLOCK_MIN, min(pos - last, _BLOCK_MAX))
            last, i = pos, pos + 1
        return changes

    def decision_function(self, X: Any) -> np.ndarray:
        """Scores w_kᵀx + b_k, shape (n_samples, n_classes); with two classes the difference
        s_1 − s_0, shape (n_samples,) (scikit-learn's convention for binary problems)."""
        X = validate_X_predict(self, X)
        scores = row_invariant_matmul(X, self.coef_.T) + self.intercept_
        return scores[:, 1] - scores[:, 0] if scores.shape[1] == 2 else scores

    def predict(self, X: Any) -> np.ndarray:
        """``classes_[argmax_k (w_kᵀx + b_k)]``; on a tie the first (smallest) index wins."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.intp)]
        return self.classes_[np.argmax(scores, axis=1)]
