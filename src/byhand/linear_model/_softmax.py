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
from sklearn.utils.validation import check_is_fitted, validate_data

from byhand._inference import row_invariant_matmul
from byhand._validation import encode_class_labels, validate_X_y_classifier
from byhand.linear_model._gradient import GradientSolverMixin, linear_net, make_rng
from byhand.linear_model._labels import class_indices
from byhand.linear_model._lbfgs import lbfgs
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
) -> tuple[float, np.ndarray]:
    """(J, ∇J) at θ = vec([W; bᵀ]) ((d+1)·K values, or d·K without intercept).

    The hand-derived gradient of the module docstring: (1/N) Φᵀ(P − T) with Φ = [X, 1],
    plus 2αW on the weights.
    """
    n, d = X.shape
    Wb = theta.reshape(-1, n_classes)
    W = Wb[:d]
    Z = X @ W
    if fit_intercept:
        Z += Wb[d]
    logp = log_softmax(Z, axis=1)
    rows = np.arange(n)
    f = -float(np.sum(logp[rows, t])) / n + alpha * float(np.vdot(W, W))
    G = np.exp(logp)  # P
    G[rows, t] -= 1.0  # P − T
    G /= n
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
        ``average=True`` averaged SGD, 004 "Averaged SGD"; ``average=k`` averages the
        iterates after the first k steps). "gd": the same with the full
        batch (one step per epoch). "lbfgs": a deterministic full-batch solver written by
        hand (L-BFGS with Armijo backtracking on the gradient above, float64), ``tol``
        bounding max|∇J| and ``max_iter`` its iterations.
    dtype : "float64" (default) or "float32"
        Arithmetic of "gd"/"sgd": float32 halves the memory traffic on large data such as
        MNIST (the fitted ``coef_`` is float64 either way). "lbfgs" always uses float64.
    fit_intercept, learning_rate, max_iter, tol, n_iter_no_change, batch_size, shuffle,
    average, random_state, verbose
        As in :class:`byhand.linear_model.LinearRegression`.

    Full MNIST (issue 7): ``SoftmaxRegression(alpha=1/(2N), dtype="float32",
    learning_rate=1.0, batch_size=32, average=1875, max_iter=3, tol=None)`` — three epochs
    of SGD, averaging the iterates of the last two — reached 92.47–92.66% test accuracy over
    seven seeds (scikit-learn's lbfgs with defaults: 92.62%) in about 0.7 s, against 10–16 s
    for scikit-learn's fit, both on one thread of this machine.

    Attributes
    ----------
    classes_ (K,), coef_ (K, n_features), intercept_ (K,), n_iter_, loss_curve_ (gd/sgd).
    For two classes ``decision_function`` is the log-odds f₁ − f₀ of shape (n,), as
    scikit-learn's binary classifiers return.
    """

    _solvers = ("sgd", "gd", "lbfgs")

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
        *,
        callbacks: Sequence[Any] = (),
        resume_state: dict[str, Any] | None = None,
    ) -> SoftmaxRegression:
        """Fit on X (N, d) and class labels y; callbacks/resume_state act for gd/sgd."""
        dtype = self._check_params()
        self._check_fit_hooks(callbacks, resume_state)
        X, y = validate_X_y_classifier(self, X, y, dtype=dtype)
        t = encode_class_labels(self, y)
        k = self.classes_.size
        if self.solver == "lbfgs":
            W, b = self._fit_lbfgs(X, t, k)
        else:
            model = linear_net(X.shape[1], k, bool(self.fit_intercept), dtype)
            hist = self._train(
                model,
                CrossEntropyLoss(),
                X,
                t,
                rng=make_rng(self.random_state),
                callbacks=callbacks,
                resume_state=resume_state,
                batch_size=None if self.solver == "gd" else self.batch_size,
            )
            self.n_iter_ = hist.epochs
            self.loss_curve_ = list(hist.loss)
            layer = model[0]
            W = layer.weight.data
            b = layer.bias.data if layer.bias is not None else np.zeros(k)
        self.coef_ = np.ascontiguousarray(W.T, dtype=np.float64)
        self.intercept_ = np.asarray(b, dtype=np.float64).copy()
        return self

    def _fit_lbfgs(self, X: np.ndarray, t: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        fi, alpha, d = bool(self.fit_intercept), float(self.alpha), X.shape[1]
        theta0 = np.zeros(((d + 1) if fi else d) * k)
        theta, n_iter, converged = lbfgs(
            lambda th: softmax_objective(th, X, t, k, alpha, fi),
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
        self.n_iter_ = max(int(n_iter), 1)
        self.loss_curve_ = []
        Wb = theta.reshape(-1, k)
        return Wb[:d], (Wb[d] if fi else np.zeros(k))

    def _scores(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64, order="C")
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
        return softmax(self._scores(X), axis=1)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log softmax(Wᵀx + b) by the stable log-sum-exp."""
        return log_softmax(self._scores(X), axis=1)

    def objective(self, X: Any, y: Any) -> float:
        """J(W, b) of the fitted model on (X, y): mean cross-entropy + α‖W‖²."""
        logp = self.predict_log_proba(X)
        t = class_indices(self, y, logp.shape[0])
        nll = -float(np.mean(logp[np.arange(logp.shape[0]), t]))
        return nll + float(self.alpha) * float(np.vdot(self.coef_, self.coef_))
