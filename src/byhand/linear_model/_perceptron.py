"""The binary perceptron of Rosenblatt: CS 577 Lecture 01 (Wang, IIT, 2024), "Perceptron update";
EE-559 (Fleuret, EPFL, 2019), 3.1 "The perceptron". Its pass over the samples, bit-identical
to the literal loop, is :func:`byhand.kernels.perceptron_pass`."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np

from byhand import kernels
from byhand._inference import row_invariant_matmul
from byhand._validation import (
    check_finite_features,
    check_warm_start,
    encode_binary_labels,
    one_blas_thread,
    raise_non_finite_at,
    validate_X_predict,
    validate_X_y_classifier,
)
from byhand.linear_model._perceptron_base import _make_rng, _PerceptronBase

__all__ = ["Perceptron"]


class Perceptron(_PerceptronBase):
    """Binary perceptron: w ← w + η·y·x̃ whenever y·wᵀx̃ <= 0, starting from w = 0.

    Lectures: CS 577 Lecture 01 (Wang, IIT, 2024), "Perceptron update" (f(x; w) = sign(wᵀx); for
    t = 1..T: if y⁽ᵗ⁾wᵀx⁽ᵗ⁾ > 0 keep w, else w ← w + y⁽ᵗ⁾x⁽ᵗ⁾); EE-559 (Fleuret, EPFL, 2019),
    EE-559 3.1 "The perceptron" (epochs until no change; the bias as one of the w's by a
    constant component 1 — the bias trick, x̃ = [x, 1]).

    Any two labels are accepted: ``classes_[0]`` ↦ −1, ``classes_[1]`` ↦ +1.

    Parameters
    ----------
    eta0 : float > 0, default 1.0
        Step η of the update (η = 1 is the textbook rule; starting from w = 0 the sign
        pattern of the updates does not depend on η when ``fit_intercept=False``).
    fit_intercept : bool, default True
        Append the constant feature 1 (the bias trick); its weight is ``intercept_``.
        With False the intercept is not trained: it stays 0 (or the value ``intercept_``
        had when training continues from it) and the margin is ``x @ w + intercept_``.
    max_iter : int >= 1, default 100
        Epoch budget of epoch mode (``T=None``).
    shuffle : bool, default False
        Visit each pass in a fresh permutation drawn from ``random_state``
        (``rng.permutation(N)`` once per pass, ``rng = numpy.random.default_rng(random_state)``).
    T : int or None, default None
        Online mode of CS 577 Lecture 01: exactly T steps, step t on sample t mod N.
    random_state : int, Generator, RandomState or None
        Seeds the shuffling; unused when ``shuffle=False``. A Generator or RandomState is
        used (and advanced) as given; an int makes refits bit-identical.
    warm_start : bool, default False
        ``fit`` starts from the current ``coef_`` / ``intercept_`` (of a previous fit, or
        assigned) instead of w = 0; y must hold the same ``classes_`` and X the same
        features (a ValueError naming the previous and the new classes otherwise).

    Notes
    -----
    Sample weights (:meth:`fit`): w ← w + η·sᵢ·yᵢ·x̃ᵢ on a mistake, as scikit-learn's
    ``Perceptron`` does (same decisions, same rounding: (η·sᵢ)·yᵢ is exact in yᵢ = ±1).
    ``partial_fit(X, y, classes=None)`` runs one pass (see :meth:`partial_fit`); ``classes``
    holds the two labels; ``n_iter_`` is then 1, ``mistakes_`` the pass's updates and
    ``converged_`` whether it made none. ``predict`` gives ``classes_[1]`` only where the
    decision value is > 0 (at exactly 0, ``classes_[0]``), as scikit-learn does. A
    ``ConvergenceWarning`` is raised when the budget ends otherwise (the last epoch still made
    updates / mistakes are left after T steps). A call that raises (bad input, NaN or inf
    anywhere in X) leaves the estimator exactly as it was before the call.

    Attributes
    ----------
    coef_ : ndarray (1, n_features)
    intercept_ : ndarray (1,)
    classes_ : ndarray (2,)
        The two labels.
    n_iter_ : int
        Passes run.
    mistakes_ : ndarray of int
        Updates per pass.
    converged_ : bool
        True when a full pass made no update (epoch mode: EE-559's stopping rule, so no
        training sample has y·wᵀx̃ <= 0); in online mode also when the final w leaves no
        such sample.

    Raises
    ------
    ValueError
        On invalid parameters (named, with the value received), X or y with NaN or inf, X
        not 2-D, or X and y of different lengths.
    sklearn.exceptions.NotFittedError
        When ``predict`` (or another method that needs the fit) is called before ``fit``.

    Examples
    --------
    The 8-step trace of CS 577 Lecture 01, slide 'Perceptron: an example':

    >>> from byhand import Perceptron
    >>> from byhand.datasets import perceptron_trace
    >>> X, y = perceptron_trace()
    >>> clf = Perceptron(fit_intercept=False).fit(X, y)
    >>> clf.coef_, clf.mistakes_.tolist(), clf.converged_
    (array([[ 2., -1.]]), [4, 0], True)
    >>> clf.predict([[1.0, 0.0], [0.0, 1.0]])
    array([ 1, -1])
    """

    def _fit(self, X: Any, y: Any, sample_weight: Any) -> None:
        self._check_params()
        X, y = validate_X_y_classifier(self, X, y, ensure_all_finite=False)
        warm = self.warm_start and hasattr(self, "coef_")
        warm = warm and check_warm_start(self, np.unique(y), X.shape[1])
        y_pm = encode_binary_labels(self, y)
        self.__dict__.pop("_partial_rng", None)
        X, y_pm = self._start(X, y_pm, sample_weight, warm)
        self._run_passes(X, y_pm)
        if self.T is not None and self.T < X.shape[0]:  # an online run saw only some rows
            check_finite_features(self, X)
        self._finish(X)

    def _partial_fit(self, X: Any, y: Any, classes: Any, sample_weight: Any) -> None:
        self._check_params()
        X, y_pm = self._binary_partial_data(X, y, classes)
        X, y_pm = self._start(X, y_pm, sample_weight, True)
        if "_partial_rng" not in self.__dict__:
            self._partial_rng = _make_rng(self.random_state)
        order = self._partial_rng.permutation(X.shape[0]) if self.shuffle else None
        with self._pass_context():
            changes = self._scan(X, y_pm, order, X.shape[0], apply=True)
        self.mistakes_, self.n_iter_ = np.array([changes], dtype=np.int64), 1
        self.converged_ = changes == 0
        self._finish(X)

    def _start(self, X: np.ndarray, y_pm: np.ndarray, sample_weight: Any, warm: bool) -> tuple:
        """Set up a run: w̃ (zeros, or ``coef_`` / ``intercept_`` when ``warm``), the steps
        η·sᵢ, and the rows to train on (those of positive weight)."""
        d = X.shape[1]
        self._w, self._b = np.zeros(d + 1 if self.fit_intercept else d), 0.0
        if warm and hasattr(self, "coef_"):
            coef, intercept = self._fitted_coefs(d, 1)
            self._w[:d], self._b = coef[0], float(intercept[0])
            if self.fit_intercept:
                self._w[d] = self._b
        X, y_pm, s, self._index = self._positive_rows(X, y_pm, sample_weight)
        self._eta_s = None if s is None else float(self.eta0) * s
        return X, y_pm

    def _finish(self, X: np.ndarray) -> None:
        """Publish ``coef_`` / ``intercept_``, drop the run's buffers."""
        d, w = X.shape[1], self._w
        self.coef_ = w[:d].copy().reshape(1, d)
        self.intercept_ = np.array([w[d] if self.fit_intercept else self._b])
        for name in ("_w", "_b", "_index", "_eta_s"):
            delattr(self, name)

    def _pass_context(self) -> AbstractContextManager[Any]:
        """The compiled scan calls no BLAS: no thread limit to set (it costs 0.2 ms)."""
        return nullcontext() if kernels.backend() == "numba" else one_blas_thread()

    def _scan(
        self, X: np.ndarray, y: np.ndarray, order: np.ndarray | None, stop: int, *, apply: bool
    ) -> int:
        """One pass over the first ``stop`` samples of ``order`` (None: dataset order), by
        :func:`byhand.kernels.perceptron_pass`; the number of updates (``apply=False``: 1 at
        the first mistake, else 0; w unchanged)."""
        w, b, fit_b = self._w, self._b, self.fit_intercept
        changes, self._b, bad = kernels.perceptron_pass(
            X, y, order, stop, w, b, float(self.eta0), self._eta_s, fit_intercept=fit_b, apply=apply
        )
        if bad >= 0:
            j = int(np.argmin(np.isfinite(X[bad])))
            sample = bad if self._index is None else int(self._index[bad])
            raise_non_finite_at(self, sample, j, float(X[bad, j]))
        return changes

    def decision_function(self, X: Any) -> np.ndarray:
        """wᵀx + b for each row, shape (n_samples,); positive means ``classes_[1]``."""
        X = validate_X_predict(self, X)
        return row_invariant_matmul(X, np.ravel(self.coef_)) + float(np.ravel(self.intercept_)[0])

    def predict(self, X: Any) -> np.ndarray:
        """``classes_[1]`` where wᵀx + b > 0, else ``classes_[0]`` (sign(0) counts as −1)."""
        positive = self.decision_function(X) > 0  # NotFittedError before classes_
        return self.classes_[positive.astype(np.intp)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags
