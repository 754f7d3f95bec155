"""The linear support vector machine trained by (sub)gradient descent on the hinge loss.

EE-559 3.1 (Fleuret, EPFL, 2019) "Support Vector Machine":
    L(w, b) = λ‖w‖² + (1/N) Σₙ max(0, 1 − yₙ(w·xₙ + b)),
the "hinge loss"; "at convergence, only a small number of samples matter, the support
vectors" — those with margin yₙ(w·xₙ + b) <= 1. A subgradient of the hinge is −yₙxₙ where the
margin is <= 1 and 0 elsewhere (``nn.HingeLoss``); the objective is 2λ-strongly convex, so
the steps ε_k = 1/(2λ(k + k₀)) of Pegasos (Shalev-Shwartz et al. 2007) converge, and the
average of the iterates (Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), "Averaged
SGD") smooths the last jumps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from byhand._validation import (
    all_or_nothing,
    check_warm_start,
    encode_binary_labels,
    validate_X,
    validate_X_y_classifier,
)
from byhand.linear_model._gradient import (
    BinaryLinearMixin,
    GradientSolverMixin,
    check_learning_rate,
    encode_binary_labels_known,
    partial_fit_classes,
)
from byhand.linear_model._labels import class_indices
from byhand.linear_model._weights import check_sample_weight, check_weighted_classes
from byhand.nn.losses import HingeLoss
from byhand.optim.schedules import InverseTime, Schedule

__all__ = ["LinearSVM", "optimal_schedule"]


def optimal_schedule(alpha: float) -> InverseTime:
    """ε_k = 1/(λ(k₀ + k)) with λ = 2α (the strong convexity of α‖w‖²) and k₀ chosen so the
    first step is ε₀ = λ^(−1/4), scikit-learn's SGD heuristic for "optimal"."""
    lam = 2.0 * alpha
    eta0 = lam**-0.25
    k0 = 1.0 / (lam * eta0)
    return InverseTime(eta0, 1.0 / k0)


class LinearSVM(BinaryLinearMixin, GradientSolverMixin, ClassifierMixin, BaseEstimator):
    """Linear SVM: minimise α‖w‖² + (1/N) Σₙ max(0, 1 − yₙ(wᵀxₙ + b)) by subgradient steps.

    EE-559 3.1 (Fleuret, EPFL, 2019) "Support Vector Machine" (the lecture's λ is
    ``alpha``). Scikit-learn's ``LinearSVC(loss="hinge", C)`` minimises ½‖w‖² + C Σ hinge,
    the same objective for α = 1/(2·C·N). Any two labels (``classes_[1]`` is y = +1).

    Parameters
    ----------
    alpha : float > 0
        λ, the weight of ‖w‖² (the bias is not penalised).
    solver : "sgd" (default) or "gd"
        Minibatch subgradient descent (batches of ``batch_size``, reshuffled each epoch)
        or full-batch subgradient descent, both through ``byhand.fit`` with ``nn.HingeLoss``.
    learning_rate : "optimal" (default), a number or a ``byhand.optim`` schedule
        "optimal": ε_k = 1/(2α(k + k₀)) (:func:`optimal_schedule`), the Pegasos rate for a
        2α-strongly convex objective.
    average : bool or int, default True
        Return the Polyak–Ruppert average of the iterates (it removes most of the
        subgradient noise: see the tests for how close it gets to the optimum); an integer
        k >= 1 averages the iterates θ_k, θ_{k+1}, … (from the k-th step on), as
        scikit-learn's ``average=k``.
    fit_intercept, max_iter, tol, n_iter_no_change, batch_size, shuffle, warm_start,
    random_state, verbose
        As in :class:`byhand.linear_model.LinearRegression` (``max_iter`` epochs; 0 runs
        none, w = 0, with a ConvergenceWarning and ``n_iter_ = 0``, as scikit-learn's
        ``LinearSVC(max_iter=0)``).

    ``fit(X, y, sample_weight=None)``: with weights s the data term is the weighted mean
    Σ sₙ hingeₙ / Σ s (each sample's subgradient scaled by sₙ/s̄, s̄ the mean weight;
    scikit-learn's SGDClassifier scales by sₙ, LinearSVC minimises C Σ sₙ hingeₙ + ½‖w‖²).
    ``partial_fit(X, y, classes=None, sample_weight=None)``: one epoch continuing the
    previous calls (the step count k of the schedule, the average, the shuffling).

    Attributes
    ----------
    classes_ : (2,)
    coef_ : (1, n_features)
    intercept_ : (1,)
    n_iter_ : int
    loss_curve_ : list of float
        The mean hinge per epoch.
    support_ : ndarray of int
        Indices of the training samples with margin yₙ f(xₙ) <= 1 at the end (the support
        vectors and the margin violators).

    Raises
    ------
    ValueError
        On invalid parameters (named, with the value received), X or y with NaN or inf, X
        not 2-D, or X and y of different lengths.
    sklearn.exceptions.NotFittedError
        When ``predict`` (or another method that needs the fit) is called before ``fit``.

    Examples
    --------
    >>> from byhand import LinearSVM
    >>> from byhand.datasets import make_separable
    >>> data = make_separable(200, margin=0.2, random_state=0)
    >>> svm = LinearSVM(alpha=1e-3, random_state=0).fit(data.X, data.y)
    >>> svm.coef_.shape, f"{svm.score(data.X, data.y):.2f}"
    ((1, 2), '1.00')
    """

    _solvers = ("sgd", "gd")
    _min_max_iter = 0  # scikit-learn's LinearSVC(max_iter=0): no iteration, a warning

    def __init__(
        self,
        alpha: float = 1e-4,
        *,
        solver: str = "sgd",
        fit_intercept: bool = True,
        learning_rate: Any = "optimal",
        max_iter: int = 100,
        tol: float | None = 1e-5,
        n_iter_no_change: int = 5,
        batch_size: int | None = 32,
        shuffle: bool = True,
        average: bool = True,
        warm_start: bool = False,
        random_state: Any = None,
        verbose: int = 0,
    ) -> None:
        self.alpha = alpha
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.average = average
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    def _check_learning_rate(self) -> None:
        if isinstance(self.learning_rate, str):
            if self.learning_rate != "optimal":
                raise ValueError(
                    f"LinearSVM: learning_rate must be 'optimal', a positive number or a "
                    f"byhand.optim schedule, got {self.learning_rate!r}"
                )
            return
        check_learning_rate("LinearSVM", self.learning_rate)

    def _learning_rate(self) -> float | Schedule:
        if isinstance(self.learning_rate, str) and self.learning_rate == "optimal":
            return optimal_schedule(float(self.alpha))
        return super()._learning_rate()

    def _check_optimal(self) -> None:
        if isinstance(self.learning_rate, str) and self.alpha <= 0:
            raise ValueError(
                "LinearSVM: learning_rate='optimal' needs alpha > 0 (ε_k = 1/(2α(k + k₀))); "
                f"got alpha={self.alpha!r}. Give a number or a schedule instead"
            )

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        *,
        callbacks: Sequence[Any] = (),
        resume_state: dict[str, Any] | None = None,
    ) -> LinearSVM:
        """Fit on X (N, d) and two-class y; ``callbacks``/``resume_state`` go to byhand.fit.

        With ``warm_start=True`` after a fit, y must hold the same classes and X the same
        features (ValueError naming both otherwise). A call that raises leaves the
        estimator as it was."""
        with all_or_nothing(self):
            self._fit(X, y, sample_weight, callbacks, resume_state)
        return self

    def _fit(
        self, X: Any, y: Any, sample_weight: Any, callbacks: Sequence[Any], resume_state: Any
    ) -> None:
        self._check_solver_params()
        self._check_optimal()
        X, y = validate_X_y_classifier(self, X, y)
        check_warm_start(self, np.unique(y), X.shape[1])
        sw = check_sample_weight("LinearSVM", sample_weight, X)
        check_weighted_classes("LinearSVM", y, sw)
        y_pm = encode_binary_labels(self, y)
        W, b = self._train_linear(
            X,
            y_pm,
            HingeLoss(margin=1.0),
            1,
            partial=False,
            sample_weight=sw,
            callbacks=callbacks,
            resume_state=resume_state,
        )
        self._publish(X, y_pm, W, b)

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> LinearSVM:
        """One epoch ("sgd") or one step ("gd") on (X, y), continuing the previous calls
        (the first one starts from w = 0 and needs ``classes``)."""
        first = partial_fit_classes(self, classes)
        if first:
            self._check_solver_params()
            self._check_optimal()
        X, y = validate_X(self, X, y, reset=first)
        sw = check_sample_weight("LinearSVM", sample_weight, X)
        y_pm = encode_binary_labels_known(self, y)
        W, b = self._train_linear(X, y_pm, HingeLoss(margin=1.0), 1, partial=True, sample_weight=sw)
        self._publish(X, y_pm, W, b)
        return self

    def _publish(self, X: np.ndarray, y_pm: np.ndarray, W: np.ndarray, b: np.ndarray) -> None:
        self._set_linear(W[:, 0], b[0])
        margins = y_pm * (X @ self.coef_[0] + self.intercept_[0])
        self.support_ = np.flatnonzero(margins <= 1.0)

    def objective(self, X: Any, y: Any) -> float:
        """α‖w‖² + mean hinge of the fitted model on (X, y)."""
        z = self.decision_function(X)
        y_pm = np.where(class_indices(self, y, z.shape[0]) == 1, 1.0, -1.0)
        w = self.coef_[0]
        hinge = float(np.mean(np.maximum(0.0, 1.0 - y_pm * z)))
        return hinge + float(self.alpha) * float(w @ w)
