"""What the binary and the multiclass perceptron share: parameters, the pass schedule (epochs
or T online steps), the all-or-nothing ``fit`` / ``partial_fit``, the warm start from the
fitted coefficients, and sample weights as update steps (rows of weight 0 removed)."""

from __future__ import annotations

import math
import numbers
import warnings
from contextlib import AbstractContextManager
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning

from byhand._validation import (
    all_or_nothing,
    check_finite_features,
    check_param,
    name_init_after,
    one_blas_thread,
    validate_X_y_classifier,
)
from byhand.linear_model._weights import check_sample_weight

__all__ = ["_PerceptronBase", "_make_rng", "_rounding_scale"]

_BLOCK_MIN = 32  # multiclass scan: rows scored after a mistake
_BLOCK_MAX = 256  # multiclass scan: rows scored at most in one matrix product
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
    (from then on w can no longer change). Subclasses implement ``_fit``, ``_partial_fit``
    and ``_scan``.
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

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:
        """Run the perceptron on (X, y) and return self (left unchanged if this raises).

        Passes over the data until one makes no update (at most ``max_iter``), or ``T``
        steps; from w = 0, or from ``coef_`` / ``intercept_`` with ``warm_start=True``.
        ``sample_weight`` s scales each update by sᵢ (w ← w + η·sᵢ·…, scikit-learn's rule,
        also in ``partial_fit``). The perceptron minimises no mean over samples, so a weight of
        2 is not the row twice (after the first copy's update the second copy may no longer be
        a mistake). What holds exactly: rows of weight 0 are removed before training (a weight
        of 0 *is* the row removed, also with ``shuffle`` and ``T``; NaN/inf in them is still
        refused); weights all equal to c give the run of ``eta0·c``; ``sample_weight=None`` is
        weights of 1. Weights must be finite and >= 0, with at least one > 0.
        """
        with all_or_nothing(self):
            self._fit(X, y, sample_weight)
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None) -> Any:
        """One pass over (X, y) from the current ``coef_`` / ``intercept_``; return self.

        The pass is in dataset order (with ``shuffle``: a permutation drawn from a generator
        seeded by ``random_state`` at the first call and advanced by each call), one update
        per mistake exactly as in ``fit``, so one ``partial_fit`` on fresh data equals
        ``fit(max_iter=1)`` bit for bit. ``classes`` (every label) is required on the first
        call and must stay the same afterwards; ``y`` may then hold fewer classes.
        ``max_iter`` and ``T`` do not apply. Continues from whatever ``coef_`` /
        ``intercept_`` hold (after pickling, ``joblib.load`` or an assignment). A call that
        raises leaves the estimator as it was.
        """
        with all_or_nothing(self):
            self._partial_fit(X, y, classes, sample_weight)
        return self

    # -- parameters and data ------------------------------------------------------------
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

    def _positive_rows(
        self, X: np.ndarray, y: np.ndarray, sample_weight: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
        """(X, y, s, index): the rows of positive weight, their weights (None without
        ``sample_weight``) and their indices in the given X (None: all rows kept). NaN/inf
        in a row of weight 0 is refused too (named by its sample)."""
        s = check_sample_weight(type(self).__name__, sample_weight, X)
        if s is None or bool(np.all(s > 0)):
            return X, y, s, None
        check_finite_features(self, X)
        index = np.flatnonzero(s > 0)
        return X[index], y[index], s[index], index

    def _binary_partial_data(self, X: Any, y: Any, classes: Any) -> tuple[np.ndarray, np.ndarray]:
        """X validated and y as ±1 by ``classes_`` for a binary ``partial_fit``: ``classes``
        (the two labels) required on the first call, equal to ``classes_`` later; y's labels
        among them."""
        name = type(self).__name__
        first = not hasattr(self, "classes_")
        if first and classes is None:
            raise ValueError(
                f"{name}.partial_fit needs classes= (the two labels, e.g. classes=[0, 1]) "
                "on its first call; later calls may omit it."
            )
        X, y = validate_X_y_classifier(self, X, y, reset=first, ensure_all_finite=False)
        if classes is not None:
            given = np.unique(np.asarray(classes))
            if given.size != 2:
                raise ValueError(
                    f"{name} is a binary classifier: classes must hold 2 labels, got "
                    f"{given.size} ({given!r})."
                )
            if not first and not np.array_equal(given, self.classes_):
                raise ValueError(
                    f"classes={given!r} is not the classes_ of the previous calls "
                    f"({self.classes_!r})."
                )
            self.classes_ = given
        if not (known := np.isin(y, self.classes_)).all():
            raise ValueError(
                f"y holds labels {np.unique(y[~known])!r} that are not in classes_ "
                f"{self.classes_!r}."
            )
        return X, (y == self.classes_[1]) * 2.0 - 1.0

    def _fitted_coefs(self, d: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``coef_`` (k, d) and ``intercept_`` (k,) as float64, to continue from; ValueError
        for other shapes or NaN/inf (assigned by hand, or loaded)."""
        coef = np.asarray(self.coef_, dtype=np.float64)
        intercept = np.asarray(self.intercept_, dtype=np.float64)
        if coef.shape not in ((k, d),) + (((d,),) if k == 1 else ()) or intercept.size != k:
            raise ValueError(
                f"{type(self).__name__} continues from coef_ of shape ({k}, {d}) and "
                f"intercept_ of shape ({k},) for X with {d} features; got coef_ {coef.shape} "
                f"and intercept_ {intercept.shape}."
            )
        if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
            raise ValueError(
                f"{type(self).__name__} continues from coef_ / intercept_: they hold NaN/inf."
            )
        return coef.reshape(k, d), intercept.reshape(k)

    # -- the schedule -----------------------------------------------------------------
    def _pass_context(self) -> AbstractContextManager[Any]:
        """Around each pass: one BLAS thread (small sequential products)."""
        return one_blas_thread()

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
            with self._pass_context():
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
            with self._pass_context():
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

    def _fit(self, X: Any, y: Any, sample_weight: Any) -> None:  # pragma: no cover
        raise NotImplementedError

    def _partial_fit(
        self, X: Any, y: Any, classes: Any, sample_weight: Any
    ) -> None:  # pragma: no cover
        raise NotImplementedError

    def _scan(
        self, X: np.ndarray, y: np.ndarray, order: np.ndarray | None, stop: int, *, apply: bool
    ) -> int:  # pragma: no cover - abstract
        raise NotImplementedError
