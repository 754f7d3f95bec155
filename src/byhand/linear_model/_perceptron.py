"""The binary perceptron of Rosenblatt, exact and fast.

Lectures: CS 577 Lecture 01 (Wang, IIT, 2024) (CS 577 Lecture 01, "Perceptron update", the online
rule
with T steps and the worked trace ending at w = [2, −1]) and EE-559 (Fleuret, EPFL, 2019)
(EE-559 3.1 "The perceptron", the epoch loop ``train_perceptron`` and the MNIST 0-vs-1 table).

The fast exact scan
-------------------
The textbook loop visits one sample at a time and computes ``x̃ᵢ · w``. Here a block of
upcoming samples is scored with one matrix product under the current ``w``; the first
mistake in the block is applied and the scan restarts just after it (the block grows while no
mistake is found and shrinks back after one). The result is **bit-identical** to the literal
loop: a block margin ``m`` can differ from the literal ``x̃ᵢ @ w`` (a BLAS dot product of the
sample with the constant 1 appended) only by rounding, at most ``2·γ·‖x̃ᵢ‖·‖w‖`` with
``γ = (d+2)u/(1−(d+2)u)`` (Higham's bound for any summation order, u = 2⁻⁵³). Every sample whose
block margin lies within (a safe multiple of) that bound of zero is re-scored exactly as the
literal loop scores it, so every decision, and hence every update ``w ← w + η·y·x̃``, is the
literal loop's own. Blocks are at most ``_SCAN_MAX`` rows (L2-sized); after two mistakes
close together the next few samples are scored one by one the literal way (cheaper than a
block when mistakes come in runs); the products run on one BLAS thread (small, sequential).

Norm bound and finiteness without a pass of their own
-----------------------------------------------------
The bound needs ‖x̃ᵢ‖, and NaN/inf in X must be refused; X is read once, by the scan. Its
block product is ``X_b @ [w, c·1]``: the second column ``sᵢ = c·Σⱼ xᵢⱼ`` costs nothing
extra (the product's cost is reading X_b). In binary64 arithmetic an inf or NaN, once
produced, stays inf or NaN through every later sum and product, so a *finite* ``sᵢ``
certifies that no entry of row i is NaN/inf and that no ``c·xᵢⱼ`` overflowed:
``|xᵢⱼ| <= 2·MAX/c`` (MAX the largest double; the factor 2 allows a fused multiply-add to
absorb a partial sum <= MAX). ``c = MAX/(16·B·ℓ₁)`` with ℓ₁ the largest ℓ₁ row norm among
the first rows and B = ``_SCAN_MAX`` (so a block's sum of s stays finite). A pass checks its
certificates all at once at its end, before anything is published; if one failed, w is
restored and the pass is redone checking each block before using it: a ValueError names the
first NaN/inf, merely large rows get their exact bound (and lower ``c``), overflowing
margins are re-scored the literal way. Data whose first rows have ℓ₁ < 1/(16·B) (or are
zero) would get a loose certificate, so it gets one up-front ``‖X‖_F²`` pass instead.
Margins so large that a sum could overflow (‖x̃‖·‖w‖ >= MAX/2) are all re-scored literally.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning

from byhand._inference import row_invariant_matmul
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
_BLOCK_MAX = 256  # rows scored at most in one matrix product (multiclass scan)
_SCAN_MAX = 128  # … in the binary scan: a restart after a mistake re-reads less
_SCAN_GROWTH = 3  # a block without mistake makes the next one this much longer
_DENSE_GAP = 4  # a mistake this close to the previous one …
_DENSE_STEPS = 8  # … makes the scan step through this many samples one by one
_TINY = float(np.finfo(np.float64).smallest_subnormal)
_MAX = float(np.finfo(np.float64).max)
_CHECK_SPAN = 1 << 16  # rows whose products are kept before their certificates are checked
_HEADROOM = 16.0 * _SCAN_MAX  # c·ℓ₁(first rows) = MAX/(16·B): block sums stay finite


def _rounding_scale(sumsq: float, n_terms: int) -> float:
    """4·γ_n·sqrt(sumsq): twice the bound γ_n·‖x̃‖·‖w‖ (Higham) on |fl(x̃·w) − x̃·w| for a
    row with ‖x̃‖² <= sumsq, per unit ‖w‖, doubled again for the rounding of the norms."""
    u = 2.0**-53
    gamma = n_terms * u / (1.0 - n_terms * u)
    return 4.0 * gamma * math.sqrt(sumsq)


def _threshold(tau: float, norm_w: float, tiny: float, guard: float) -> float:
    """thr = τ·‖w‖ + tiny (just tiny while w = 0); inf (re-score everything) once
    τ·‖w‖ >= guard, where a dot product might overflow and the bound no longer holds."""
    if norm_w == 0.0:
        return tiny
    raw = tau * norm_w
    return tiny + raw if raw < guard else math.inf


def _raise_non_finite(block: np.ndarray, rows: np.ndarray, owner: str) -> None:
    """ValueError naming the first NaN/inf of ``block`` (``rows``: their indices in X)."""
    bad = np.argwhere(~np.isfinite(block))
    if bad.size:
        r, j = (int(v) for v in bad[0])
        value = block[r, j]
        what = "NaN" if value != value else "infinity"
        raise ValueError(
            f"Input X contains {what} (sample {int(rows[r])}, feature {j}: {value}); "
            f"{owner} needs finite values."
        )


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
    made updates / mistakes are left after T steps). A fit that raises (bad input, NaN or
    inf anywhere in X) leaves the estimator exactly as it was before the call.
    """

    def fit(self, X: Any, y: Any) -> Perceptron:
        """Run the perceptron on (X, y) and return self (left unchanged if this raises)."""
        before = dict(self.__dict__)
        try:
            self._fit(X, y)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        return self

    def _fit(self, X: Any, y: Any) -> None:
        self._check_params()
        X, y = validate_X_y_classifier(self, X, y, ensure_all_finite=False)
        n, d = X.shape
        fit_b = self.fit_intercept
        # Row 0: w̃ = [w, b]; row 1: the constant c. [w, c·1] is W2[:, :d].T, no copy.
        self._W2 = np.zeros((2, d + 1 if fit_b else d))
        self._w = self._W2[0]
        self._xa = np.ones(d + 1)
        self._G = np.zeros((min(n, _CHECK_SPAN), 2))  # the products [g, s], row by row
        self._careful = False
        self._set_scale(self._first_rows_scale(X))
        y_pm = encode_binary_labels(self, y)
        # overflow (huge data) is handled by the scan itself: thr = inf, literal re-scoring
        with np.errstate(over="ignore", invalid="ignore"):
            self._run_passes(X, y_pm)
        if self.T is not None and self.T < n:
            check_finite_sumsq(X)  # an online run shorter than one pass saw only some rows
        w = self._w
        self.coef_ = w[:d].copy().reshape(1, d)
        self.intercept_ = np.array([w[d] if fit_b else 0.0])
        del self._W2, self._w, self._xa, self._G, self._careful, self._tau_cert

    # -- the rounding bound ---------------------------------------------------------------
    def _tau_from_entry_bound(self, a: float) -> float:
        """τ for rows whose entries are all <= a in absolute value: ‖x̃‖² <= (d+1)·max(a,1)²."""
        d = self.n_features_in_
        return _rounding_scale(d + 1.0, d + 2) * max(a, 1.0)

    def _first_rows_scale(self, X: np.ndarray) -> float:
        """c for the certificate: MAX/(16·B·ℓ₁) of the first rows, or 0 (with an up-front
        ‖X‖_F² pass setting τ) when they are too small in scale, all zero or huge."""
        head = X[:_BLOCK_MIN]
        top = float(np.abs(head).sum(axis=1).max())
        if not math.isfinite(top):
            _raise_non_finite(head, np.arange(head.shape[0]), type(self).__name__)
        if 1.0 <= _HEADROOM * top < math.inf:
            return _MAX / (_HEADROOM * top)
        sumsq = check_finite_sumsq(X)
        self._tau_cert = _rounding_scale(
            sumsq + (1.0 if self.fit_intercept else 0.0), X.shape[1] + 2
        )
        return 0.0

    def _set_scale(self, c: float) -> None:
        """Put c in the product's second column; a finite c·Σⱼxᵢⱼ then certifies
        |xᵢⱼ| <= 2·MAX/c (c = 0: the certificate is void, τ comes from ‖X‖_F²)."""
        d = self.n_features_in_
        self._W2[1, :d] = c
        if c > 0.0:
            self._tau_cert = self._tau_from_entry_bound(2.0 * (1.0 + 2.0**-50) * (_MAX / c))

    def _exact_block_tau(self, Xb: np.ndarray, rows: np.ndarray) -> float:
        """A block whose certificate failed: ValueError for NaN/inf, else τ from its ℓ₁ norms
        (which bound its entries), lowering c so that such rows certify from now on."""
        top = float(np.abs(Xb).sum(axis=1).max())
        if not math.isfinite(top):
            _raise_non_finite(Xb, rows, type(self).__name__)
            return math.inf  # finite entries whose sum overflows: every margin is re-scored
        c = float(self._W2[1, 0])
        if c > 0.0 and _HEADROOM * top * c > _MAX:
            self._set_scale(_MAX / (_HEADROOM * top))
        return self._tau_from_entry_bound(top)

    def _literal_margin(self, X: np.ndarray, r: int) -> float:
        """x̃ᵣ @ w computed exactly as the textbook loop does (one dot product of length d+1)."""
        if not self.fit_intercept:
            return float(X[r] @ self._w)
        xa = self._xa  # preallocated [·, 1]
        xa[:-1] = X[r]
        return float(xa @ self._w)

    # -- the pass -------------------------------------------------------------------------
    def _scan(
        self, X: np.ndarray, y: np.ndarray, order: np.ndarray | None, stop: int, *, apply: bool
    ) -> int:
        """One pass over the first ``stop`` samples of ``order``; return the number of updates
        (with ``apply=False``: 1 at the first mistake found, else 0, leaving w unchanged).

        The pass first runs *optimistically*: the certificates s are checked once, all
        together, at its end (before anything is published). If one fails — NaN/inf in X,
        rows far larger than the first ones, or a margin overflowing — w is restored and the
        pass (and every later one) is run again checking each block before using it.
        """
        if not self._careful:
            w0 = self._w.copy()
            changes, ok = self._block_scan(X, y, order, stop, apply, careful=False)
            if ok:
                return changes
            self._w[:] = w0
            self._careful = True
        return self._block_scan(X, y, order, stop, apply, careful=True)[0]

    def _block_scan(
        self,
        X: np.ndarray,
        y: np.ndarray,
        order: np.ndarray | None,
        stop: int,
        apply: bool,
        careful: bool,
    ) -> tuple[int, bool]:
        """The exact block scan; returns (updates, every certificate used was valid).

        Per block: [g, s] = X_b @ [w, c·1] (one matrix product), margins m = y·(g + b), and
        the threshold thr = τ·‖w‖ + tiny with τ = 4γ·(bound on ‖x̃‖) — from the certificate
        when the block's [g, s] are finite, else (``careful``) from the block's exact ℓ₁
        norms (tiny covers underflow; thr = inf when a margin could overflow). Not
        ``careful``: the [g, s] of all blocks are kept and checked at the end instead.
        A sample with m < −thr is a sure mistake, one with m > thr surely is not; in between
        the margin is recomputed the literal way. After a mistake the next block is about as
        long as the gap between the last two mistakes; after two mistakes at most
        ``_DENSE_GAP`` apart, the next ``_DENSE_STEPS`` samples are scored one by one, the
        literal way (a non-finite literal margin has its row checked for NaN/inf).
        """
        w = self._w
        d = X.shape[1]
        wd = w[:d]
        V = self._W2[:, :d].T  # (d, 2): [w, c·1]
        fit_b = self.fit_intercept
        eta = float(self.eta0)
        owner = type(self).__name__
        tiny = (d + 2) * 4 * _TINY
        guard = _rounding_scale(1.0, d + 2) * (_MAX / 2)  # τ·‖w‖ at ‖x̃‖·‖w‖ = MAX/2
        norm_w = math.sqrt(float(w @ w))
        thr = _threshold(self._tau_cert, norm_w, tiny, guard)
        gbuf = np.empty((_SCAN_MAX, 2)) if careful else self._G
        gcol = gbuf[:, 0]
        mbuf = np.empty(_SCAN_MAX)
        base = top = 0  # self._G[: top − base] holds the products of rows [base, top)
        b = float(w[d]) if fit_b else 0.0
        cut = thr + abs(b)  # y·g above it: no candidate (see below)
        i, block, changes, last, dense = 0, _BLOCK_MIN, 0, -1, 0
        while i < stop:
            if dense:
                # Mistakes are coming thick and fast: step sample by sample, the literal way.
                r = i if order is None else int(order[i])
                c = 0
                margin = self._literal_margin(X, r)
                if not math.isfinite(margin):
                    _raise_non_finite(X[r : r + 1], np.array([r]), owner)
                hit = r if y[r] * margin <= 0.0 else -1
                dense -= 1
                if hit < 0:
                    i += 1
                    continue
            else:
                j = min(i + block, stop)
                k = j - i
                if order is None:
                    Xb, yb = X[i:j], y[i:j]
                else:
                    rows = order[i:j]
                    Xb, yb = X.take(rows, axis=0), y[rows]
                if careful:
                    lo = 0
                else:
                    if j - base > gbuf.shape[0]:  # kept products full: check them, start over
                        if not np.isfinite(gbuf[: top - base]).all():
                            return changes, False
                        base = top = i
                    lo = i - base
                G = gbuf[lo : lo + k]
                np.matmul(Xb, V, out=G)
                t, tcut = thr, cut
                if j > top:
                    top = j
                if careful and not math.isfinite(float(np.add.reduce(G, axis=None))):
                    # some g or s is inf/NaN: look closer
                    where = np.arange(i, j) if order is None else order[i:j]
                    t = _threshold(self._exact_block_tau(Xb, where), norm_w, tiny, guard)
                    thr = _threshold(self._tau_cert, norm_w, tiny, guard)  # c may be lower
                    if not np.isfinite(G[:, 0]).all():
                        t = math.inf  # an overflowing margin: re-score the block literally
                    tcut, cut = t + abs(b), thr + abs(b)
                g = gcol[lo : lo + k]
                m = np.multiply(g, yb, out=mbuf[:k])
                hit = -1
                c = int(m.argmin())
                # Cheap test first: y·g > thr + |b| for all rows means no candidate at all
                # (then y·(g + b) > thr, and the margins' rounding is covered by thr as well).
                if m[c] <= tcut or t == math.inf:
                    if fit_b:
                        np.add(g, b, out=m)
                        m *= yb
                    # t = inf: every sample is re-scored, NaN margins included
                    for c in np.flatnonzero(m <= t) if t < math.inf else range(k):
                        r = i + c if order is None else order[i + c]
                        if m[c] < -t or y[r] * self._literal_margin(X, r) <= 0.0:
                            hit = r
                            break
                if hit < 0:
                    i = j
                    block = min(_SCAN_GROWTH * block, _SCAN_MAX)
                    continue
            if not apply:
                return 1, careful or bool(np.isfinite(gbuf[: top - base]).all())
            step = eta * y[hit]
            wd += step * X[hit]
            if fit_b:
                w[d] += step
                b = float(w[d])
            changes += 1
            norm_w = math.sqrt(float(w @ w))
            thr = _threshold(self._tau_cert, norm_w, tiny, guard)
            cut = thr + abs(b)
            pos = i + int(c)
            # Mistakes come in runs early on and thin out later: next block ~ the last gap,
            # and after a run of close mistakes a few literal steps are cheaper than a block.
            gap = pos - last
            block = max(_BLOCK_MIN, min(gap, _SCAN_MAX))
            dense = _DENSE_STEPS if gap <= _DENSE_GAP else 0
            last, i = pos, pos + 1
        return changes, careful or bool(np.isfinite(gbuf[: top - base]).all())

    def decision_function(self, X: Any) -> np.ndarray:
        """wᵀx + b for each row, shape (n_samples,); positive means ``classes_[1]``."""
        X = validate_X_predict(self, X)
        return row_invariant_matmul(X, self.coef_[0]) + self.intercept_[0]

    def predict(self, X: Any) -> np.ndarray:
        """``classes_[1]`` where wᵀx + b > 0, else ``classes_[0]`` (sign(0) counts as −1)."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.intp)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags
