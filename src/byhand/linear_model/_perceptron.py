"""The binary perceptron of Rosenblatt, exact and fast.

Lectures: 000_b8c8f70a5e624d9a.txt (CS 577 Lecture 01, "Perceptron update", the online rule
with T steps and the worked trace ending at w = [2, −1]) and 003_17d2bd916b1b9250.txt
(EE-559 3.1 "The perceptron", the epoch loop ``train_perceptron`` and the MNIST 0-vs-1 table).

The fast exact scan
-------------------
The textbook loop visits one sample at a time and computes ``x̃ᵢ · w``. Here a block of
upcoming samples is scored with one matrix-vector product under the current ``w``; the first
mistake in the block is applied and the scan restarts just after it (the block grows while no
mistake is found and shrinks back after one). The result is **bit-identical** to the literal
loop: a block margin ``m`` can differ from the literal ``x̃ᵢ @ w`` (a BLAS dot product of the
sample with the constant 1 appended) only by rounding, at most ``2·γ·‖x̃ᵢ‖·‖w‖`` with
``γ = (d+2)u/(1−(d+2)u)`` (Higham's bound for any summation order, u = 2⁻⁵³). Every sample whose
block margin lies within (a safe multiple of) that bound of zero is re-scored exactly as the
literal loop scores it, so every decision, and hence every update ``w ← w + η·y·x̃``, is the
literal loop's own. Blocks are at most ``_BLOCK_MAX`` rows (about L2-sized); after two
mistakes close together the next few samples are scored one by one the literal way (cheaper
than a block when mistakes come in runs); the products run on one BLAS thread (small,
memory-bound, sequential).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning

from byhand._validation import (
    check_finite_sumsq,
    check_param,
    encode_binary_labels,
    one_blas_thread,
    validate_X_predict,
    validate_X_y_classifier,
)

__all__ = ["Perceptron"]

_BLOCK_MIN = 32  # rows scored after a mistake
_BLOCK_MAX = 256  # rows scored at most in one matrix product (about L2-sized)
_DENSE_GAP = 4  # a mistake this close to the previous one …
_DENSE_STEPS = 8  # … makes the scan step through this many samples one by one
_TINY = float(np.finfo(np.float64).smallest_subnormal)


def _rounding_scale(sumsq: float, n_terms: int) -> float:
    """4·γ_n·sqrt(sumsq): twice the bound γ_n·‖x̃‖·‖w‖ (Higham) on |fl(x̃·w) − x̃·w| for a
    row with ‖x̃‖² <= sumsq, per unit ‖w‖, doubled again for the rounding of the norms."""
    u = 2.0**-53
    gamma = n_terms * u / (1.0 - n_terms * u)
    return 4.0 * gamma * math.sqrt(sumsq)


def _make_rng(random_state: Any) -> Any:
    """A generator with ``.permutation``: a RandomState is used as is, anything else via
    ``numpy.random.default_rng`` (seed, SeedSequence, Generator or None)."""
    if isinstance(random_state, np.random.RandomState):
        return random_state
    return np.random.default_rng(random_state)


class _PerceptronBase(ClassifierMixin, BaseEstimator):
    """The pass schedule shared by the binary and multiclass perceptrons.

    A *pass* visits the samples in dataset order (or in a fresh seeded permutation when
    ``shuffle``). Epoch mode (``T=None``) runs passes until one makes no update, at most
    ``max_iter``; online mode runs exactly ``T`` steps over ``x^{(t mod N)}`` (passes of N
    steps, the last one cut short), stopping early only once a full pass made no update
    (from then on w can no longer change). Subclasses implement ``_scan``.
    """

    def __init__(
        self,
        eta0: float = 1.0,
        fit_intercept: bool = True,
        max_iter: int = 100,
        shuffle: bool = False,
        T: int | None = None,
        random_state: Any = None,
    ) -> None:
        self.eta0 = eta0
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.T = T
        self.random_state = random_state

    # -- parameters -------------------------------------------------------------------
    def _check_params(self) -> None:
        check_param(self, "eta0", numbers.Real, low=0.0, low_inclusive=False)
        check_param(self, "max_iter", numbers.Integral, low=1)
        check_param(self, "T", numbers.Integral, low=1, allow_none=True)
        for name in ("fit_intercept", "shuffle"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(
                    f"{type(self).__name__}: {name} must be True or False, "
                    f"got {getattr(self, name)!r}."
                )

    # -- the schedule -----------------------------------------------------------------
    def _run_passes(self, X: np.ndarray, y: np.ndarray) -> None:
        n = X.shape[0]
        rng = _make_rng(self.random_state) if self.shuffle else None
        mistakes: list[int] = []
        remaining = self.T
        clean_pass = False
        while True:
            if remaining is None and len(mistakes) >= self.max_iter:
                break
            if remaining is not None and remaining <= 0:
                break
            order = rng.permutation(n) if rng is not None else None
            stop = n if remaining is None else min(n, remaining)
            with one_blas_thread():
                changes = self._scan(X, y, order, stop, apply=True)
            mistakes.append(changes)
            if remaining is not None:
                remaining -= stop
            if changes == 0 and stop == n:
                clean_pass = True
                break
        self.mistakes_ = np.asarray(mistakes, dtype=np.int64)
        self.n_iter_ = len(mistakes)
        if self.T is None:
            # Epoch mode, the textbook criterion: converged when an epoch made no change.
            self.converged_ = clean_pass
        else:
            # Online mode: without a clean pass, look (no update) for a mistake left.
            with one_blas_thread():
                self.converged_ = clean_pass or self._scan(X, y, None, n, apply=False) == 0
        if not self.converged_:
            if self.T is None:
                left = f"max_iter={self.max_iter}) and its last epoch still made updates"
            else:
                left = f"T={self.T}) with training samples still misclassified"
            warnings.warn(
                f"{type(self).__name__} stopped after {self.n_iter_} pass(es) ({left}; the "
                "data may not be linearly separable. Raise the budget or change the features.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _scan(
        self, X: np.ndarray, y: np.ndarray, order: np.ndarray | None, stop: int, *, apply: bool
    ) -> int:  # pragma: no cover - abstract
        raise NotImplementedError


class Perceptron(_PerceptronBase):
    """Binary perceptron: w ← w + η·y·x̃ whenever y·wᵀx̃ <= 0, starting from w = 0.

    Lectures: 000_b8c8f70a5e624d9a.txt, "Perceptron update" (f(x; w) = sign(wᵀx); for
    t = 1..T: if y⁽ᵗ⁾wᵀx⁽ᵗ⁾ > 0 keep w, else w ← w + y⁽ᵗ⁾x⁽ᵗ⁾); 003_17d2bd916b1b9250.txt,
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
    max_iter : int >= 1, default 100
        Epoch budget of epoch mode (``T=None``).
    shuffle : bool, default False
        Visit each pass in a fresh permutation drawn from ``random_state``
        (``rng.permutation(N)`` once per pass, ``rng = numpy.random.default_rng(random_state)``).
    T : int or None, default None
        Online mode of lecture 000: exactly T steps on x^{(t mod N)}.
    random_state : int, Generator, RandomState or None
        Seeds the shuffling; unused when ``shuffle=False``. A Generator or RandomState is
        used (and advanced) as given; an int makes refits bit-identical.

    Attributes
    ----------
    coef_ : ndarray (1, n_features);  intercept_ : ndarray (1,)
    classes_ : the two labels;  n_iter_ : passes run;  mistakes_ : updates per pass
    converged_ : True when a full pass made no update (epoch mode: EE-559's stopping rule,
    so no training sample has y·wᵀx̃ <= 0); in online mode also when the final w leaves
    no such sample.

    A ``ConvergenceWarning`` is raised when the budget ends otherwise (the last epoch still
    made updates / mistakes are left after T steps).
    """

    def fit(self, X: Any, y: Any) -> Perceptron:
        """Run the perceptron on (X, y) and return self."""
        self._check_params()
        # One dot product over X checks it is finite and bounds every row norm (‖X‖_F).
        X, y = validate_X_y_classifier(self, X, y, ensure_all_finite=False)
        sumsq = check_finite_sumsq(X)
        y_pm = encode_binary_labels(self, y)
        d = X.shape[1]
        self._w = np.zeros(d + 1 if self.fit_intercept else d)
        self._tau = _rounding_scale(sumsq + (1.0 if self.fit_intercept else 0.0), d + 2)
        self._xa = np.ones(d + 1)
        self._run_passes(X, y_pm)
        w = self._w
        self.coef_ = w[:d].copy().reshape(1, d)
        self.intercept_ = np.array([w[d] if self.fit_intercept else 0.0])
        del self._w, self._tau, self._xa
        return self

    def _literal_margin(self, X: np.ndarray, r: int) -> float:
        """x̃ᵣ @ w computed exactly as the textbook loop does (one dot product of length d+1)."""
        if not self.fit_intercept:
            return float(X[r] @ self._w)
        xa = self._xa  # preallocated [·, 1]
        xa[:-1] = X[r]
        return float(xa @ self._w)

    def _scan(
        self, X: np.ndarray, y: np.ndarray, order: np.ndarray | None, stop: int, *, apply: bool
    ) -> int:
        """One pass over the first ``stop`` samples of ``order``; return the number of updates
        (with ``apply=False``: 1 at the first mistake found, else 0, leaving w unchanged).

        Per block: margins m = X_b w + b (one matrix-vector product) and the rounding
        threshold thr = 4γ·sqrt(‖X‖_F² + 1)·‖w‖ (‖X‖_F bounds every row norm). A sample with
        y·m < −thr is a sure mistake, one with y·m > thr surely is not; in between the margin
        is recomputed the literal way. After a mistake the next block is about as long as
        the gap between the last two mistakes; after two mistakes at most ``_DENSE_GAP``
        apart, the next ``_DENSE_STEPS`` samples are scored one by one, the literal way.
        """
        w = self._w
        d = X.shape[1]
        wd = w[:d]
        fit_b = self.fit_intercept
        eta = float(self.eta0)
        tau, tiny = self._tau, (d + 2) * 4 * _TINY
        thr = tau * math.sqrt(float(w @ w)) + tiny
        i, block, changes, last, dense = 0, _BLOCK_MIN, 0, -1, 0
        while i < stop:
            if dense:
                # Mistakes are coming thick and fast: step sample by sample, the literal way.
                r = i if order is None else int(order[i])
                c = 0
                hit = r if y[r] * self._literal_margin(X, r) <= 0.0 else -1
                dense -= 1
                if hit < 0:
                    i += 1
                    continue
            else:
                j = min(i + block, stop)
                if order is None:
                    m = X[i:j] @ wd
                    yb = y[i:j]
                else:
                    rows = order[i:j]
                    m = X.take(rows, axis=0) @ wd
                    yb = y[rows]
                if fit_b:
                    m += w[d]
                m *= yb
                hit = -1
                c = int(np.argmin(m))  # cheap test first: no candidate at all in the block
                if m[c] <= thr:
                    for c in np.flatnonzero(m <= thr):
                        r = i + c if order is None else order[i + c]
                        if m[c] < -thr or y[r] * self._literal_margin(X, r) <= 0.0:
                            hit = r
                            break
                if hit < 0:
                    i = j
                    block = min(2 * block, _BLOCK_MAX)
                    continue
            if not apply:
                return 1
            step = eta * y[hit]
            wd += step * X[hit]
            if fit_b:
                w[d] += step
            changes += 1
            thr = tau * math.sqrt(float(w @ w)) + tiny
            pos = i + int(c)
            # Mistakes come in runs early on and thin out later: next block ~ the last gap,
            # and after a run of close mistakes a few literal steps are cheaper than a block.
            gap = pos - last
            block = max(_BLOCK_MIN, min(gap, _BLOCK_MAX))
            dense = _DENSE_STEPS if gap <= _DENSE_GAP else 0
            last, i = pos, pos + 1
        return changes

    def decision_function(self, X: Any) -> np.ndarray:
        """wᵀx + b for each row, shape (n_samples,); positive means ``classes_[1]``."""
        X = validate_X_predict(self, X)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict(self, X: Any) -> np.ndarray:
        """``classes_[1]`` where wᵀx + b > 0, else ``classes_[0]`` (sign(0) counts as −1)."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.intp)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags
