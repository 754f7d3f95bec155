"""Binary logistic regression: the Bernoulli likelihood of a linear score.

CS 577 Lecture 04 (Wang, IIT, 2024), "Bernoulli maximum likelihood": P(y = 1 | x) =
σ(wᵀx + b) and the negative log-likelihood log(1 + e^{−y(wᵀx+b)}) with y ∈ {−1, +1};
EE-559 3.2 (Fleuret, EPFL, 2019) "Probabilistic view of a linear classifier" (the
posterior is a sigmoid of an affine map) and 3.5 (gradient descent on the logistic loss).

Hand-derived, with z = Xw + b, m = y ⊙ z and J = (1/N) Σ log(1 + e^{−mₙ}) + α‖w‖²:
∂J/∂w = (1/N) Xᵀ(−y ⊙ σ(−m)) + 2αw, ∂J/∂b = (1/N) Σ −yₙσ(−mₙ),
∇²J = (1/N) X̃ᵀ diag(σ(m) σ(−m)) X̃ + 2α diag(1, …, 1, 0) with X̃ = [X, 1].
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.metaestimators import available_if

from byhand._magnitude import check_magnitude, product_limit
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
    encode_binary_labels_known,
    online_solver,
    partial_fit_classes,
)
from byhand.linear_model._labels import class_indices
from byhand.linear_model._lbfgs import newton
from byhand.linear_model._weights import (
    check_sample_weight,
    check_weighted_classes,
    mean_weights,
)
from byhand.nn.functional import sigmoid
from byhand.nn.losses import LogisticLoss

__all__ = ["LogisticRegression", "logistic_objective"]


def _design(X: np.ndarray, fit_intercept: bool) -> np.ndarray:
    return np.hstack([X, np.ones((X.shape[0], 1))]) if fit_intercept else X


def logistic_objective(
    theta: np.ndarray,
    Xt: np.ndarray,
    y: np.ndarray,
    alpha: float,
    fit_intercept: bool,
    c: np.ndarray | float | None = None,
) -> tuple[float, np.ndarray]:
    """(J, ∇J) at θ = [w, b] (or w) for the design X̃ and labels y ∈ {−1, +1}; the data
    term is Σₙ cₙ ℓₙ with cₙ = 1/N, or sₙ/Σs for sample weights s (``c``)."""
    c = 1.0 / Xt.shape[0] if c is None else c
    w = theta[:-1] if fit_intercept else theta
    m = y * (Xt @ theta)
    f = float(np.sum(c * np.logaddexp(0.0, -m))) + alpha * float(w @ w)
    r = -y * sigmoid(-m) * c
    g = Xt.T @ r
    if fit_intercept:
        g[:-1] += 2 * alpha * w
    else:
        g += 2 * alpha * w
    return f, g


def logistic_hessian(
    theta: np.ndarray,
    Xt: np.ndarray,
    y: np.ndarray,
    alpha: float,
    fit_intercept: bool,
    c: np.ndarray | float | None = None,
) -> np.ndarray:
    """∇²J = X̃ᵀ diag(cₙ σ(z)(1 − σ(z))) X̃ + 2α diag(1, …, 1[, 0]), cₙ = 1/N or sₙ/Σs."""
    c = 1.0 / Xt.shape[0] if c is None else c
    s = sigmoid(Xt @ theta)
    h = s * (1.0 - s) * c
    H = (Xt.T * h) @ Xt
    d = Xt.shape[1] - (1 if fit_intercept else 0)
    H[np.arange(d), np.arange(d)] += 2 * alpha
    return H


class LogisticRegression(BinaryLinearMixin, GradientSolverMixin, ClassifierMixin, BaseEstimator):
    """Binary logistic regression, minimising (1/N) Σ log(1 + e^{−yₙ(wᵀxₙ+b)}) + α‖w‖².

    CS 577 Lecture 04 (Wang, IIT, 2024), "Bernoulli maximum likelihood"; EE-559 (Fleuret, EPFL,
    2019),
    EE-559 3.2 and 3.5. Any two labels (``classes_[1]`` is y = +1); predict_proba =
    [1 − σ(f), σ(f)] with f = wᵀx + b. Scikit-learn's ``LogisticRegression(C)`` minimises
    C Σ loss + ½‖w‖², the same objective when α = 1/(2·C·N).

    Parameters
    ----------
    alpha : float >= 0
        Weight of α‖w‖² (the bias is not penalised). With α = 0 on separable data the
        optimum is at infinity: the solvers stop at ``max_iter`` with a ConvergenceWarning.
    solver : "newton" (default), "gd" or "sgd"
        "newton": Newton's method on the hand-derived gradient and Hessian with Armijo
        backtracking (iteratively reweighted least squares, damped); ``tol`` bounds
        max|∇J| and ``max_iter`` counts Newton steps. "gd"/"sgd": ``byhand.fit`` on
        ``nn.Linear`` + ``nn.LogisticLoss`` (full batch / minibatches), ``max_iter`` epochs,
        ``tol`` on the epoch loss's improvement (``n_iter_no_change`` epochs).
    max_iter : int >= 0, default 100
        Newton steps or epochs. 0 runs none (w = 0, or the previous fit's with
        ``warm_start``) with a ConvergenceWarning and ``n_iter_ = 0``, as scikit-learn's
        ``LogisticRegression(max_iter=0)``; ``n_iter_`` is the number of steps taken (0 for
        a warm start already at the optimum, as scikit-learn counts).
    fit_intercept, learning_rate, max_iter, tol, n_iter_no_change, batch_size, shuffle,
    average, warm_start, random_state, verbose
        As in :class:`byhand.linear_model.LinearRegression` (``warm_start``: Newton and
        gd/sgd start from the fitted coefficients).

    ``fit(X, y, sample_weight=None)``: with weights s the data term is the weighted mean
    Σ sₙ ℓₙ / Σ s (scikit-learn's LogisticRegression minimises C Σ sₙ ℓₙ + ½‖w‖²: the
    same minimiser for C = 1/(2α Σ s)). ``partial_fit(X, y, classes=None,
    sample_weight=None)`` (solvers "gd"/"sgd"): one epoch, continuing the previous calls;
    ``classes`` (both labels) on the first call.

    Attributes
    ----------
    classes_ (2,), coef_ (1, n_features), intercept_ (1,), n_iter_, loss_curve_ (gd/sgd).

    Raises
    ------
    ValueError
        On invalid parameters (named, with the value received), X or y with NaN or inf, X
        not 2-D, or X and y of different lengths.
    sklearn.exceptions.NotFittedError
        When ``predict`` (or another method that needs the fit) is called before ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand import LogisticRegression
    >>> from byhand.datasets import make_gaussian_classes
    >>> X, y = make_gaussian_classes(400, random_state=0)
    >>> clf = LogisticRegression(alpha=1e-3).fit(X, y)
    >>> f"{clf.score(X, y):.3f}"  # the classes overlap: the Bayes rate is below 1
    '0.877'
    >>> p = clf.predict_proba(X[:2])
    >>> p.shape, bool(np.allclose(p.sum(axis=1), 1.0))
    ((2, 2), True)
    """

    _solvers = ("newton", "gd", "sgd")
    _min_max_iter = 0  # scikit-learn's LogisticRegression(max_iter=0): no step, a warning

    def __init__(
        self,
        alpha: float = 1e-4,
        *,
        solver: str = "newton",
        fit_intercept: bool = True,
        learning_rate: Any = 0.1,
        max_iter: int = 100,
        tol: float | None = 1e-6,
        n_iter_no_change: int = 5,
        batch_size: int | None = 32,
        shuffle: bool = True,
        average: bool = False,
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

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        *,
        callbacks: Sequence[Any] = (),
        resume_state: dict[str, Any] | None = None,
    ) -> LogisticRegression:
        """Fit on X (N, d) and two-class y; ``callbacks``/``resume_state`` act for gd/sgd only.

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
        self._check_fit_hooks(callbacks, resume_state)
        X, y = validate_X_y_classifier(self, X, y)
        check_warm_start(self, np.unique(y), X.shape[1])
        sw = check_sample_weight("LogisticRegression", sample_weight, X)
        check_weighted_classes("LogisticRegression", y, sw)
        y_pm = encode_binary_labels(self, y)
        if self.solver == "newton":
            self._fit_newton(X, y_pm, sw)
        else:
            W, b = self._train_linear(
                X,
                y_pm,
                LogisticLoss(),
                1,
                partial=False,
                sample_weight=sw,
                callbacks=callbacks,
                resume_state=resume_state,
            )
            self._set_linear(W[:, 0], b[0])

    @available_if(online_solver)
    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> LogisticRegression:
        """One epoch of SGD ("sgd") or one gradient step ("gd") on (X, y), continuing the
        previous calls (the first one starts from w = 0 and needs ``classes``)."""
        first = partial_fit_classes(self, classes)
        if first:
            self._check_solver_params()
        X, y = validate_X(self, X, y, reset=first)
        y = np.asarray(y)
        sw = check_sample_weight("LogisticRegression", sample_weight, X)
        y_pm = encode_binary_labels_known(self, y)
        W, b = self._train_linear(X, y_pm, LogisticLoss(), 1, partial=True, sample_weight=sw)
        self._set_linear(W[:, 0], b[0])
        return self

    def _fit_newton(self, X: np.ndarray, y: np.ndarray, sw: np.ndarray | None = None) -> None:
        fi, alpha = bool(self.fit_intercept), float(self.alpha)
        check_magnitude(self, X, product_limit(X.shape[1]), "Newton's products x·w and XᵀSX")
        Xt = _design(X, fi)
        c = mean_weights(X.shape[0], sw)
        theta0 = np.zeros(Xt.shape[1])
        if self.warm_start and self._continuable(X.shape[1], 1):
            W, b = self._layer_params()
            theta0 = np.concatenate([W[:, 0], b]) if fi else W[:, 0].copy()
        with np.errstate(under="ignore"):  # e^{-m} of large margins: 0, harmlessly
            theta, n_iter, converged = newton(
                lambda t: logistic_objective(t, Xt, y, alpha, fi, c),
                lambda t: logistic_hessian(t, Xt, y, alpha, fi, c),
                theta0,
                max_iter=int(self.max_iter),
                tol=1e-8 if self.tol is None else float(self.tol),
            )
        if not converged:
            if int(self.max_iter) == 0:
                why = (
                    "max_iter=0, no step was taken; the coefficients are the starting point "
                    "(zeros, or the previous fit's with warm_start=True)"
                )
            elif alpha == 0:
                why = (
                    f"Newton's method did not reach max|∇J| <= tol in max_iter={self.max_iter} "
                    "steps (separable data with alpha=0 has no finite optimum; set alpha > 0 or "
                    "raise max_iter)"
                )
            else:
                why = (
                    f"Newton's method did not reach max|∇J| <= tol in max_iter={self.max_iter} "
                    "steps; raise max_iter"
                )
            warnings.warn(f"LogisticRegression: {why}", ConvergenceWarning, stacklevel=3)
        self.n_iter_ = int(n_iter)  # 0 when started at the optimum, as scikit-learn
        self.loss_curve_ = []
        self._set_linear(theta[:-1] if fi else theta, theta[-1] if fi else 0.0)

    def objective(self, X: Any, y: Any) -> float:
        """J(w, b) of the fitted model on (X, y): mean logistic loss + α‖w‖²."""
        z = self.decision_function(X)
        y_pm = np.where(class_indices(self, y, z.shape[0]) == 1, 1.0, -1.0)
        w = self.coef_[0]
        with np.errstate(under="ignore"):
            data = float(np.mean(np.logaddexp(0.0, -y_pm * z)))
        return data + float(self.alpha) * float(w @ w)

    def predict_proba(self, X: Any) -> np.ndarray:
        """[P(classes_[0] | x), P(classes_[1] | x)] = [σ(−f), σ(f)], f = wᵀx + b."""
        z = self.decision_function(X)
        with np.errstate(under="ignore"):  # e^{-|z|} below the smallest double is 0
            return np.column_stack([sigmoid(-z), sigmoid(z)])

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log σ(∓f) = −logaddexp(0, ±f), computed stably."""
        z = self.decision_function(X)
        with np.errstate(under="ignore"):
            return np.column_stack([-np.logaddexp(0.0, z), -np.logaddexp(0.0, -z)])
