"""Softmax (multinomial logistic) regression.

Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), "Multiclass classification –
Multivariate logistic regression"
(a linear map of the features with the bias trick, the softmax, the negative
log-likelihood and its "Gradient of log-likelihood" Σₙ φₙ (yₙ − tₙ)ᵀ, "Gradient descent",
"Averaged SGD"); CS 577 Lecture 04 (Wang, IIT, 2024), "Softmax", "Derivative of the softmax" and
"Viewing the cross-entropy as a NLL" (∂ℓ/∂z = p − onehot(t)).

With Z = XW + 1bᵀ, P = softmax(Z) row-wise and T the one-hot targets,
J(W, b) = (1/N) Σₙ [logsumexp(zₙ) − z_{n,tₙ}] + α‖W‖²,
∂J/∂W = (1/N) Xᵀ(P − T) + 2αW,  ∂J/∂b = (1/N) Σₙ (pₙ − tₙ).
The bias trick φ(x) = [x, 1] is what ``nn.Linear``'s bias implements; it is not penalised.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.metaestimators import available_if

from byhand._inference import row_invariant_matmul
from byhand._validation import (
    all_or_nothing,
    check_warm_start,
    encode_class_labels,
    validate_X,
    validate_X_predict,
    validate_X_y_classifier,
)
from byhand.linear_model._gradient import (
    GradientSolverMixin,
    encode_known_labels,
    online_solver,
    partial_fit_classes,
)
from byhand.linear_model._labels import class_indices
from byhand.linear_model._lbfgs import lbfgs
from byhand.linear_model._weights import check_sample_weight, check_weighted_classes
from byhand.nn.functional import log_softmax, softmax
from byhand.nn.losses import CrossEntropyLoss

__all__ = ["SoftmaxRegression", "softmax_objective"]

_DTYPES = ("float64", "float32")


def softmax_objective(
    theta: np.ndarray,
    X: np.ndarray,
    t: np.ndarray,
    n_classes: int,
    alpha: float,
    fit_intercept: bool,
    c: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """(J, ∇J) at θ = vec([W; bᵀ]) ((d+1)·K values, or d·K without intercept).

    The hand-derived gradient of the module docstring: (1/N) Φᵀ(P − T) with Φ = [X, 1],
    plus 2αW on the weights. With sample weights s, ``c`` = s/Σs replaces 1/N per row
    (the weighted mean Σ cₙ ℓₙ).
    """
    n, d = X.shape
    Wb = theta.reshape(-1, n_classes)
    W = Wb[:d]
    Z = X @ W
    if fit_intercept:
        Z += Wb[d]
    logp = log_softmax(Z, axis=1)
    rows = np.arange(n)
    if c is None:
        f = -float(np.sum(logp[rows, t])) / n + alpha * float(np.vdot(W, W))
    else:
        f = -float(np.dot(c, logp[rows, t])) + alpha * float(np.vdot(W, W))
    G = np.exp(logp)  # P
    G[rows, t] -= 1.0  # P − T
    if c is None:
        G /= n
    else:
        G *= c[:, None]
    grad = np.empty_like(Wb)
    np.matmul(X.T, G, out=grad[:d])
    grad[:d] += 2 * alpha * W
    if fit_intercept:
        grad[d] = G.sum(axis=0)
    return f, grad.ravel()


class SoftmaxRegression(GradientSolverMixin, ClassifierMixin, BaseEstimator):
    """Multinomial logistic regression: P(k | x) = softmax(Wᵀx + b)_k.

    Minimises (1/N) Σₙ −log P(tₙ | xₙ) + α‖W‖² (Deep Neural Networks Course I (Galerne, Univ.
    Orléans, 2024–25), "Multivariate
    logistic regression"; CS 577 Lecture 04 (Wang, IIT, 2024), "Softmax"). Scikit-learn's
    multinomial
    ``LogisticRegression(C)`` minimises C Σ loss + ½‖W‖², the same objective for
    α = 1/(2·C·N).

    Parameters
    ----------
    alpha : float >= 0
        Weight of α‖W‖² (the bias is not penalised).
    solver : "sgd" (default), "gd" or "lbfgs"
        "sgd": minibatch SGD through ``byhand.fit`` on ``nn.Linear`` + ``nn.CrossEntropyLoss``
        (batches of ``batch_size``, reshuffled each epoch, ``max_iter`` epochs; with
        ``average=True`` averaged SGD, Galerne Course I "Averaged SGD"; ``average=k`` averages the
        iterates from the k-th step on, as scikit-learn's). "gd": the same with the full
        batch (one step per epoch). "lbfgs": a deterministic full-batch solver written by
        hand (L-BFGS with Armijo backtracking on the gradient above, float64), ``tol``
        bounding max|∇J| and ``max_iter`` its iterations.
    max_iter : int >= 0, default 100
        Epochs or L-BFGS iterations. 0 runs none (W = 0, or the previous fit's with
        ``warm_start``) with a ConvergenceWarning and ``n_iter_ = 0``, as scikit-learn's
        ``LogisticRegression(max_iter=0)``; ``n_iter_`` counts the iterations taken (0 for
        a warm start already at the optimum).
    dtype : "float64" (default) or "float32"
        Arithmetic of "gd"/"sgd": float32 halves the memory traffic on large data such as
        MNIST (the fitted ``coef_`` is float64 either way). "lbfgs" always uses float64.
    fit_intercept, learning_rate, max_iter, tol, n_iter_no_change, batch_size, shuffle,
    average, warm_start, random_state, verbose
        As in :class:`byhand.linear_model.LinearRegression` (``warm_start``: L-BFGS and
        gd/sgd start from the fitted coefficients).

    ``fit(X, y, sample_weight=None)``: with weights s the data term is the weighted mean
    Σ sₙ ℓₙ / Σ s (scikit-learn's multinomial LogisticRegression minimises
    C Σ sₙ ℓₙ + ½‖W‖², the same minimiser for C = 1/(2α Σ s)). ``partial_fit(X, y,
    classes=None, sample_weight=None)`` (solvers "gd"/"sgd"): one epoch continuing the
    previous calls; ``classes`` (all labels) on the first call.

    Full MNIST (issue 7): ``SoftmaxRegression(alpha=1/(2N), dtype="float32",
    learning_rate=1.0, batch_size=32, average=1876, max_iter=3, tol=None)`` — three epochs
    of SGD, averaging the iterates of the last two — reached 92.47–92.66% test accuracy over
    seven seeds (scikit-learn's lbfgs with defaults: 92.62%) in about 0.7 s, against 10–16 s
    for scikit-learn's fit, both on one thread of this machine.

    Attributes
    ----------
    classes_ (K,), coef_ (K, n_features), intercept_ (K,), n_iter_, loss_curve_ (gd/sgd).
    For two classes ``decision_function`` is the log-odds f₁ − f₀ of shape (n,), as
    scikit-learn's binary classifiers return.

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
    >>> from byhand import SoftmaxRegression
    >>> from byhand.datasets import make_blobs_k
    >>> X, y = make_blobs_k(150, noise=0.8, random_state=0, n_classes=3)
    >>> clf = SoftmaxRegression(solver="lbfgs", alpha=1e-3).fit(X, y)
    >>> clf.coef_.shape, f"{clf.score(X, y):.2f}"
    ((3, 2), '1.00')
    >>> f"{clf.predict_proba(X[:1]).sum():.4f}"
    '1.0000'
    """

    _solvers = ("sgd", "gd", "lbfgs")
    _min_max_iter = 0  # scikit-learn's LogisticRegression(max_iter=0): no step, a warning

    def __init__(
        self,
        alpha: float = 1e-4,
        *,
        solver: str = "sgd",
        fit_intercept: bool = True,
        learning_rate: Any = 0.1,
        max_iter: int = 100,
        tol: float | None = 1e-4,
        n_iter_no_change: int = 5,
        batch_size: int | None = 128,
        shuffle: bool = True,
        average: bool = False,
        warm_start: bool = False,
        dtype: str = "float64",
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
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose

    def _check_params(self) -> np.dtype:
        self._check_solver_params()
        try:
            dtype = np.dtype(self.dtype)
        except TypeError:
            dtype = None
        if dtype is None or dtype.name not in _DTYPES:
            raise ValueError(
                f"SoftmaxRegression: dtype must be one of {list(_DTYPES)}, got {self.dtype!r}"
            )
        return np.dtype(np.float64) if self.solver == "lbfgs" else dtype

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        *,
        callbacks: Sequence[Any] = (),
        resume_state: dict[str, Any] | None = None,
    ) -> SoftmaxRegression:
        """Fit on X (N, d) and class labels y; callbacks/resume_state act for gd/sgd.

        With ``warm_start=True`` after a fit, y must hold the same classes and X the same
        features (ValueError naming both otherwise: the old weights of each class would
        serve another). A call that raises leaves the estimator as it was."""
        with all_or_nothing(self):
            self._fit(X, y, sample_weight, callbacks, resume_state)
        return self

    def _fit(
        self, X: Any, y: Any, sample_weight: Any, callbacks: Sequence[Any], resume_state: Any
    ) -> None:
        dtype = self._check_params()
        self._check_fit_hooks(callbacks, resume_state)
        X, y = validate_X_y_classifier(self, X, y, dtype=dtype)
        check_warm_start(self, np.unique(y), X.shape[1])
        sw = check_sample_weight("SoftmaxRegression", sample_weight, X)
        check_weighted_classes("SoftmaxRegression", y, sw)
        t = encode_class_labels(self, y)
        k = self.classes_.size
        if self.solver == "lbfgs":
            W, b = self._fit_lbfgs(X, t, k, sw)
        else:
            W, b = self._train_linear(
                X,
                t,
                CrossEntropyLoss(),
                k,
                partial=False,
                sample_weight=sw,
                callbacks=callbacks,
                resume_state=resume_state,
                dtype=dtype,
            )
        self._set_coef(W, b)

    @available_if(online_solver)
    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> SoftmaxRegression:
        """One epoch ("sgd") or one step ("gd") on (X, y), continuing the previous calls
        (the first one starts from W = 0 and needs ``classes``, every label)."""
        first = partial_fit_classes(self, classes)
        dtype = self._check_params() if first else np.dtype(self.dtype)
        X, y = validate_X(self, X, y, reset=first, dtype=dtype)
        sw = check_sample_weight("SoftmaxRegression", sample_weight, X)
        t = encode_known_labels(self, y)
        W, b = self._train_linear(
            X,
            t,
            CrossEntropyLoss(),
            self.classes_.size,
            partial=True,
            sample_weight=sw,
            dtype=dtype,
        )
        self._set_coef(W, b)
        return self

    def _set_coef(self, W: np.ndarray, b: np.ndarray) -> None:
        self.coef_ = np.ascontiguousarray(W.T, dtype=np.float64)
        self.intercept_ = np.asarray(b, dtype=np.float64).copy()

    def _fit_lbfgs(
        self, X: np.ndarray, t: np.ndarray, k: int, sw: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        fi, alpha, d = bool(self.fit_intercept), float(self.alpha), X.shape[1]
        c = None if sw is None else sw / float(np.sum(sw))
        theta0 = np.zeros(((d + 1) if fi else d) * k)
        if self.warm_start and self._continuable(d, k):
            W0, b0 = self._layer_params()
            theta0 = (np.vstack([W0, b0]) if fi else W0).ravel()
        with np.errstate(under="ignore"):  # probabilities below the smallest double: 0
            theta, n_iter, converged = lbfgs(
                lambda th: softmax_objective(th, X, t, k, alpha, fi, c),
                theta0,
                max_iter=int(self.max_iter),
                tol=1e-8 if self.tol is None else float(self.tol),
            )
        if not converged:
            warnings.warn(
                f"SoftmaxRegression: L-BFGS did not reach max|∇J| <= tol={self.tol} in "
                f"max_iter={self.max_iter} iterations; increase max_iter",
                ConvergenceWarning,
                stacklevel=3,
            )
        self.n_iter_ = int(n_iter)  # 0 when started at the optimum, as scikit-learn
        self.loss_curve_ = []
        Wb = theta.reshape(-1, k)
        return Wb[:d], (Wb[d] if fi else np.zeros(k))

    def _scores(self, X: Any) -> np.ndarray:
        X = validate_X_predict(self, X)
        return row_invariant_matmul(X, self.coef_.T) + self.intercept_

    def decision_function(self, X: Any) -> np.ndarray:
        """Scores Wᵀx + b, shape (n, K); for K = 2 the log-odds f₁ − f₀, shape (n,)."""
        z = self._scores(X)
        return z[:, 1] - z[:, 0] if z.shape[1] == 2 else z

    def predict(self, X: Any) -> np.ndarray:
        """classes_[argmax_k (Wᵀx + b)_k]."""
        scores = self._scores(X)
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_proba(self, X: Any) -> np.ndarray:
        """softmax(Wᵀx + b), shape (n, K)."""
        scores = self._scores(X)
        with np.errstate(under="ignore"):  # e^{z_k − max z} below the smallest double is 0
            return softmax(scores, axis=1)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log softmax(Wᵀx + b) by the stable log-sum-exp."""
        scores = self._scores(X)
        with np.errstate(under="ignore"):
            return log_softmax(scores, axis=1)

    def objective(self, X: Any, y: Any) -> float:
        """J(W, b) of the fitted model on (X, y): mean cross-entropy + α‖W‖²."""
        logp = self.predict_log_proba(X)
        t = class_indices(self, y, logp.shape[0])
        nll = -float(np.mean(logp[np.arange(logp.shape[0]), t]))
        return nll + float(self.alpha) * float(np.vdot(self.coef_, self.coef_))
