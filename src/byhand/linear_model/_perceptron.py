"""The binary perceptron of Rosenblatt, exact and fast.

Lectures: CS 577 Lecture 01 (Wang, IIT, 2024) (CS 577 Lecture 01, "Perceptron update", the online
rule
with T steps and the worked trace ending at w = [2, −1]) and EE-559 (Fleuret, EPFL, 2019)
(EE-559 3.1 "The perceptron", the epoch loop ``train_perceptron`` and the MNIST 0-vs-1 table).

The fast exact scan
-------------------
The textbook loop visits one sample at a time and computes ``x̃ᵢ · w``. Here the pass goes
through X in chunks of about 1 MiB (``_chunk_rows``), and a block of upcoming samples of
the chunk is scored with one matrix-vector product ``g = X_b @ w + b`` under the current
``w``; the first mistake in the block is applied and the scan restarts just after it (a
block without mistake makes the next one ``_SCAN_GROWTH`` times longer, up to the chunk;
after a mistake the next block is about as long as the gap between the last two mistakes).
The result is **bit-identical** to the literal loop: a block margin ``m`` can differ from the
literal ``x̃ᵢ @ w`` (a BLAS dot product of the sample with the constant 1 appended) only by
rounding, at most ``2·γ·‖x̃ᵢ‖·‖w‖`` with ``γ = (d+2)u/(1−(d+2)u)`` (Higham's bound for any
summation order, u = 2⁻⁵³). Every sample whose block margin lies within (a safe multiple of)
that bound of zero is re-scored exactly as the literal loop scores it, so every decision, and
hence every update ``w ← w + η·y·x̃``, is the literal loop's own. The products run on one BLAS
thread (small and sequential).

The bound and the finiteness check: one dot product per chunk
--------------------------------------------------------------
The bound needs the row norms ‖x̃ᵢ‖, and NaN/inf in X must be refused. Before its products,
each chunk X_c is summed as ``‖X_c‖_F²`` (one BLAS dot product of the chunk with itself):
in binary64 an inf or NaN stays inf or NaN through every sum and product, so a finite sum
certifies the chunk's rows finite, and it bounds each of their norms (plus room for squares
that underflowed). The dot product streams the chunk from memory faster than the
matrix-vector kernels do and leaves it in cache for them: measured on both OpenBLAS kernels
of an AMD EPYC (Haswell, SkylakeX), a pass of dot product + products from cache costs less
than the products alone, so the certificate is free and every pass computes it (no state
between passes). A non-finite sum is looked at closer: a NaN/inf raises a ValueError naming
the first one; otherwise the entries are merely huge (squares above the largest double) and
the chunk's largest entry bounds its rows. Margins so large that a sum could overflow
(‖x̃‖·‖w‖ >= MAX/2) are all re-scored the literal way.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import _check_sample_weight

from byhand import kernels
from byhand._inference import row_invariant_matmul
from byhand._validation import (
    all_or_nothing,
    check_finite_features,
    check_param,
    check_warm_start,
    encode_binary_labels,
    name_init_after,
    one_blas_thread,
    raise_non_finite_at,
    validate_X_predict,
    validate_X_y_classifier,
)

__all__ = ["Perceptron"]

_BLOCK_MIN = 32  # multiclass scan: rows scored after a mistake
_BLOCK_MAX = 256  # multiclass scan: rows scored at most in one matrix product
_SCAN_MIN = 8  # binary scan: rows scored at least after a mistake
_CHUNK_BYTES = 1 << 20  # binary scan: rows certified (and brought into cache) at a time
_CHUNK_MAX = 128  # … at most this many rows (a restart re-reads at most this many)
_SCAN_GROWTH = 3  # a block without mistake makes the next one this much longer
_TINY = float(np.finfo(np.float64).smallest_subnormal)
_MAX = float(np.finfo(np.float64).max)
_UNDERFLOW = 2.0**-1070  # > 16 × the error of a square (or product) that underflows


def _rounding_scale(sumsq: float, n_terms: int) -> float:
    """4·γ_n·sqrt(sumsq): twice the bound γ_n·‖x̃‖·‖w‖ (Higham) on |fl(x̃·w) − x̃·w| for a
    row with ‖x̃‖² <= sumsq, per unit ‖w‖, doubled again for the rounding of the norms."""
    u = 2.0**-53
    gamma = n_terms * u / (1.0 - n_terms * u)
    return 4.0 * gamma * math.sqrt(sumsq)


def _threshold(tau: float, norm_w: float, tiny: float, guard: float) -> float:
    """thr = τ·‖w‖ + tiny; inf (re-score everything) once τ·‖w‖ >= guard, where a dot
    product might overflow and the bound no longer holds."""
    raw = tau * norm_w
    return tiny + raw if raw < guard else math.inf


def _chunk_rows(d: int) -> int:
    """Rows per chunk of the binary scan: about ``_CHUNK_BYTES`` of X, 1 to ``_CHUNK_MAX``."""
    return max(1, min(_CHUNK_MAX, _CHUNK_BYTES // (8 * d)))


def _norm_bound(w: np.ndarray) -> float:
    """An upper bound on ‖w‖: sqrt(w·w) plus room for squares that underflowed."""
    return math.sqrt(float(w @ w) + w.size * _UNDERFLOW)


def _raise_non_finite(estimator: Any, block: np.ndarray, rows: np.ndarray) -> None:
    """ValueError naming the first NaN/inf of ``block`` (``rows``: their indices in X), in
    the words of :func:`byhand._validation.check_finite_features`."""
    bad = np.argwhere(~np.isfinite(block))
    if bad.size:
        r, j = (int(v) for v in bad[0])
        raise_non_finite_at(estimator, int(rows[r]), j, float(block[r, j]))


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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name_init_after(cls)  # a misspelled keyword names the public class, not this base

    def __init__(
        self,
        eta0: float = 1.0,
        fit_intercept: bool = True,
        max_iter: int = 100,
        shuffle: bool = False,
        T: int | None = None,
        random_state: Any = None,
        warm_start: bool = False,
    ) -> None:
        self.eta0 = eta0
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.T = T
        self.random_state = random_state
        self.warm_start = warm_start

    # -- parameters -------------------------------------------------------------------
    def _check_params(self) -> None:
        check_param(self, "eta0", numbers.Real, low=0.0, low_inclusive=False)
        check_param(self, "max_iter", numbers.Integral, low=1)
        check_param(self, "T", numbers.Integral, low=1, allow_none=True)
        for name in ("fit_intercept", "shuffle", "warm_start"):
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
    Sample weights: ``fit(X, y, sample_weight=s)`` and ``partial_fit`` apply w ← w + η·sᵢ·yᵢ·x̃ᵢ
    on a mistake, as scikit-learn's ``Perceptron`` does (same decisions, same rounding:
    (η·sᵢ)·yᵢ is exact in yᵢ = ±1). The perceptron minimises no mean over samples, so a weight
    of 2 is not the row twice (after the first copy's update the second copy may no longer be a
    mistake). What holds exactly: rows of weight 0 are removed before training (a weight of 0
    *is* the row removed, also with ``shuffle`` and ``T``); weights all equal to c give the run
    of ``eta0·c``; ``sample_weight=None`` is weights of 1. Weights must be finite and
    >= 0, with at least one > 0.

    ``predict`` gives ``classes_[1]`` only where the decision value is > 0 (at exactly 0,
    ``classes_[0]``), as scikit-learn does. A ``ConvergenceWarning`` is raised when the
    budget ends otherwise (the last epoch still made updates / mistakes are left after T
    steps). A call that raises (bad input, NaN or inf anywhere in X) leaves the estimator
    exactly as it was before the call.

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

    # -- training -------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Perceptron:
        """Run the perceptron on (X, y) and return self (left unchanged if this raises).

        Passes over the data until one makes no update (at most ``max_iter``), or ``T``
        steps; from w = 0, or from ``coef_`` / ``intercept_`` with ``warm_start=True``.
        """
        with all_or_nothing(self):
            self._fit(X, y, sample_weight)
        return self

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> Perceptron:
        """One pass over (X, y) from the current ``coef_`` / ``intercept_``; return self.

        The pass is in dataset order (with ``shuffle``: a permutation drawn from a generator
        seeded by ``random_state`` at the first call and advanced by each call), one update
        per mistake exactly as in ``fit``, so one ``partial_fit`` on fresh data equals
        ``fit(max_iter=1)`` bit for bit. ``classes`` (the two labels) is required on the
        first call and must stay the same afterwards; ``y`` may then hold one class only.
        ``max_iter`` and ``T`` do not apply; ``n_iter_`` is 1, ``mistakes_`` the pass's
        updates and ``converged_`` whether it made none. Continues from whatever
        ``coef_`` / ``intercept_`` hold (after pickling, ``joblib.load`` or an assignment).
        """
        with all_or_nothing(self):
            self._partial_fit(X, y, classes, sample_weight)
        return self

    def _fit(self, X: Any, y: Any, sample_weight: Any) -> None:
        self._check_params()
        X, y = validate_X_y_classifier(self, X, y, ensure_all_finite=False)
        warm = bool(self.warm_start) and hasattr(self, "coef_")
        if warm:
            check_warm_start(self, np.unique(y), X.shape[1])
        y_pm = encode_binary_labels(self, y)
        self.__dict__.pop("_partial_rng", None)
        X, y_pm = self._start(X, y_pm, sample_weight, warm)
        # overflow (huge data) is handled by the scan itself: thr = inf, literal re-scoring
        with np.errstate(over="ignore", invalid="ignore"):
            self._run_passes(X, y_pm)
        if self.T is not None and self.T < X.shape[0]:
            # an online run shorter than one pass saw only some rows
            check_finite_features(self, X)
        self._finish(X)

    def _partial_fit(self, X: Any, y: Any, classes: Any, sample_weight: Any) -> None:
        self._check_params()
        first = not hasattr(self, "classes_")
        if first and classes is None:
            raise ValueError(
                "Perceptron.partial_fit needs classes= (the two labels, e.g. classes=[0, 1]) "
                "on its first call; later calls may omit it."
            )
        X, y = validate_X_y_classifier(self, X, y, reset=first, ensure_all_finite=False)
        if classes is not None:
            given = np.unique(np.asarray(classes))
            if given.size != 2:
                raise ValueError(
                    f"Perceptron is a binary classifier: classes must hold 2 labels, got "
                    f"{given.size} ({given!r})."
                )
            if not first and not np.array_equal(given, self.classes_):
                raise ValueError(
                    f"classes={given!r} is not the classes_ of the previous calls "
                    f"({self.classes_!r})."
                )
            self.classes_ = given
        unknown = ~np.isin(y, self.classes_)
        if unknown.any():
            raise ValueError(
                f"y holds labels {np.unique(y[unknown])!r} that are not in classes_ "
                f"{self.classes_!r}."
            )
        y_pm = (y == self.classes_[1]) * 2.0 - 1.0
        X, y_pm = self._start(X, y_pm, sample_weight, hasattr(self, "coef_"))
        if "_partial_rng" not in self.__dict__:
            self._partial_rng = _make_rng(self.random_state)
        order = self._partial_rng.permutation(X.shape[0]) if self.shuffle else None
        with np.errstate(over="ignore", invalid="ignore"), one_blas_thread():
            changes = self._scan(X, y_pm, order, X.shape[0], apply=True)
        self.mistakes_ = np.array([changes], dtype=np.int64)
        self.n_iter_ = 1
        self.converged_ = changes == 0
        self._finish(X)

    def _start(
        self, X: np.ndarray, y_pm: np.ndarray, sample_weight: Any, warm: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Set up a run: w̃ (zeros, or ``coef_`` / ``intercept_`` when ``warm``), the steps
        η·sᵢ, and the rows to train on (those of positive weight)."""
        d = X.shape[1]
        fit_b = self.fit_intercept
        w = np.zeros(d + 1 if fit_b else d)
        b = 0.0
        if warm:
            coef = np.asarray(self.coef_, dtype=np.float64)
            intercept = np.asarray(self.intercept_, dtype=np.float64)
            if coef.shape not in ((1, d), (d,)) or intercept.size != 1:
                raise ValueError(
                    f"Perceptron continues from coef_ of shape (1, {d}) and intercept_ of "
                    f"shape (1,) for X with {d} features; got coef_ {coef.shape} and "
                    f"intercept_ {intercept.shape}."
                )
            if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
                raise ValueError("Perceptron continues from coef_ / intercept_: they hold NaN/inf.")
            w[:d] = coef.ravel()
            b = float(intercept.ravel()[0])
            if fit_b:
                w[d] = b
        self._w, self._b = w, b
        self._xa = np.ones(d + 1)  # [x, 1] of the literal margins
        self._index = None
        self._eta_s = None
        if sample_weight is not None:
            s = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
            keep = s > 0  # scikit-learn's check refuses all-zero weights
            if not keep.all():
                check_finite_features(self, X)  # rows of weight 0 too: NaN/inf refused
                self._index = np.flatnonzero(keep)
                X, y_pm, s = X[keep], y_pm[keep], s[keep]
            self._eta_s = float(self.eta0) * s
        return X, y_pm

    def _finish(self, X: np.ndarray) -> None:
        """Publish ``coef_`` / ``intercept_``, drop the run's buffers."""
        d = X.shape[1]
        w = self._w
        self.coef_ = w[:d].copy().reshape(1, d)
        self.intercept_ = np.array([w[d] if self.fit_intercept else self._b])
        for name in ("_w", "_b", "_xa", "_index", "_eta_s"):
            delattr(self, name)

    # -- the pass -------------------------------------------------------------------------
    def _literal_margin(self, X: np.ndarray, r: int) -> float:
        """x̃ᵣ @ w computed exactly as the textbook loop does (one dot product of length d+1;
        without the intercept, x @ w + intercept_)."""
        if not self.fit_intercept:
            return float(X[r] @ self._w) + self._b
        xa = self._xa
        xa[:-1] = X[r]
        return float(xa @ self._w)

    def _certify(self, Xc: np.ndarray, start: int, rows: np.ndarray | None) -> float:
        """A bound on ‖x̃‖ over the rows of a chunk (see the module docstring): from ‖Xc‖_F²
        when finite, else ValueError for NaN/inf, else from the largest entry. The chunk's
        rows are ``rows``, or ``start, start + 1, …`` when None."""
        flat = Xc.ravel()
        sumsq = float(flat @ flat)
        if math.isfinite(sumsq):
            return math.sqrt(sumsq + flat.size * _UNDERFLOW + 1.0)
        where = np.arange(start, start + len(Xc)) if rows is None else rows
        _raise_non_finite(self, Xc, where if self._index is None else self._index[where])
        return math.sqrt(Xc.shape[1] + 1.0) * max(float(np.abs(Xc).max()), 1.0)

    def _scan(
        self, X: np.ndarray, y: np.ndarray, order: np.ndarray | None, stop: int, *, apply: bool
    ) -> int:
        """One pass over the first ``stop`` samples of ``order``; return the number of updates
        (with ``apply=False``: 1 at the first mistake found, else 0, leaving w unchanged).

        The pass goes chunk by chunk (``_chunk_rows`` rows, gathered when shuffled): each
        chunk is certified by ``_certify``, which also brings it into cache, then scored
        block by block: g = X_b @ w + b, margins m = y·g, threshold thr = τ·‖w‖ + tiny with
        τ = 4γ·(the chunk's bound on ‖x̃‖) (tiny covers underflow; thr = inf when a margin
        could overflow). A sample with m < −thr is a sure mistake, one with m > thr surely
        is not; in between the margin is recomputed the literal way.
        """
        fast = self._scan_compiled(X, y, order, stop, apply=apply)
        if fast is not None:
            return fast
        w, b, es = self._w, self._b, self._eta_s
        d = X.shape[1]
        wd = w[:d]
        fit_b = self.fit_intercept
        eta = float(self.eta0)
        tiny = (d + 2) * 4 * _TINY
        kappa = _rounding_scale(1.0, d + 2)  # τ per unit bound on ‖x̃‖
        guard = kappa * (_MAX / 2)  # τ·‖w‖ at ‖x̃‖·‖w‖ = MAX/2
        size = _chunk_rows(d)
        gbuf, mbuf = np.empty(size), np.empty(size)
        norm_w = _norm_bound(w)
        rows = None  # the chunk's rows when shuffled
        i, end, block, changes, last = 0, 0, size, 0, -1
        while i < stop:
            if i == end:  # the next chunk
                start, end = i, min(i + size, stop)
                if order is None:
                    Xc, yc = X[start:end], y[start:end]
                else:
                    rows = order[start:end]
                    Xc, yc = X.take(rows, axis=0), y[rows]
                tau = kappa * self._certify(Xc, start, rows)
                thr = _threshold(tau, norm_w, tiny, guard)
            j = min(i + block, end)
            k = j - i
            g = np.matmul(Xc[i - start : j - start], wd, out=gbuf[:k])
            g += b
            m = np.multiply(g, yc[i - start : j - start], out=mbuf[:k])
            c = int(m.argmin())
            hit = -1
            if not m[c] > thr:  # some candidate (thr = inf: all, NaN margins included)
                for c in np.flatnonzero(m <= thr) if thr < math.inf else range(k):
                    r = i + c if rows is None else int(rows[i - start + c])
                    if m[c] < -thr or y[r] * self._literal_margin(X, r) <= 0.0:
                        hit = r
                        break
            if hit < 0:
                i = j
                block = min(_SCAN_GROWTH * block, size)
                continue
            if not apply:
                return 1
            step = (eta if es is None else es[hit]) * y[hit]
            wd += step * X[hit]
            if fit_b:
                w[d] += step
                b = float(w[d])
            changes += 1
            norm_w = _norm_bound(w)
            thr = _threshold(tau, norm_w, tiny, guard)
            pos = i + int(c)
            block = max(_SCAN_MIN, min(pos - last, size))
            last, i = pos, pos + 1
        if fit_b:
            self._b = b
        return changes

    def _scan_compiled(
        self, X: np.ndarray, y: np.ndarray, order: np.ndarray | None, stop: int, *, apply: bool
    ) -> int | None:
        """:meth:`_scan` as the literal loop compiled (:func:`byhand.kernels.perceptron_scan`):
        the kernel stops at each margin too close to 0 (or not finite) to be sure of its
        sign, which is then decided here by the literal dot product. None: no kernel."""
        w, es, eta, fit_b = self._w, self._eta_s, float(self.eta0), self.fit_intercept
        i, changes, b = 0, 0, self._b
        while True:
            fast = kernels.perceptron_scan(
                X, y, order, i, stop, w, b, eta, es, fit_intercept=fit_b, apply=apply
            )
            if fast is None:
                return None
            pos, status, updates, b = fast
            changes += updates
            if status == 0:
                self._b = b
                return changes
            r = pos if order is None else int(order[pos])
            if status == 1 and not np.isfinite(X[r]).all():
                rows = np.array([r])
                _raise_non_finite(
                    self, X[r : r + 1], rows if self._index is None else self._index[rows]
                )
            self._b = b
            if status == 2 or y[r] * self._literal_margin(X, r) <= 0.0:
                if not apply:
                    return 1
                step = (eta if es is None else es[r]) * y[r]
                w[: X.shape[1]] += step * X[r]
                if fit_b:
                    w[-1] += step
                    b = float(w[-1])
                changes += 1
            i = pos + 1

    # -- prediction -----------------------------------------------------------------------
    def decision_function(self, X: Any) -> np.ndarray:
        """wᵀx + b for each row, shape (n_samples,); positive means ``classes_[1]``."""
        X = validate_X_predict(self, X)
        return row_invariant_matmul(X, np.ravel(self.coef_)) + float(np.ravel(self.intercept_)[0])

    def predict(self, X: Any) -> np.ndarray:
        """``classes_[1]`` where wᵀx + b > 0, else ``classes_[0]`` (sign(0) counts as −1)."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.intp)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags
