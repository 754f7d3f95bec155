"""Linear regression: the normal equations, gradient descent and SGD.

CS 577 Lecture 01 (Wang, IIT, 2024), "Linear regression": J(θ) = (1/N) Σₙ (θᵀx̃ₙ − yₙ)²
with x̃ = [x, 1]; its minimiser solves the normal equations X̃ᵀX̃ θ = X̃ᵀy (the N = 3 example
(1, 2), (2, 3), (3, 1) gives θ* = [−0.5, 3]); "Gradient descent" and "Stochastic gradient
descent" reach it iteratively. With ``alpha`` > 0 the objective gains α‖w‖² (ridge; the
bias is not penalised).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.metaestimators import available_if

from byhand._inference import row_invariant_matmul
from byhand._magnitude import check_magnitude, product_limit
from byhand._validation import all_or_nothing, check_warm_start, validate_X, validate_X_predict
from byhand.linear_model._gradient import GradientSolverMixin, online_solver
from byhand.linear_model._weights import check_sample_weight
from byhand.nn.losses import MSELoss

__all__ = ["LinearRegression", "ridge_lstsq"]


def ridge_lstsq(
    X: np.ndarray,
    y: np.ndarray,
    alpha: float = 0.0,
    fit_intercept: bool = True,
    sample_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """argmin_{w,b} (1/N)‖Xw + b − y‖² + α‖w‖² by ``numpy.linalg.lstsq`` (no inverse).

    The intercept is eliminated by centring (b = ȳ − x̄ᵀw, the normal equation of b); the
    ridge term becomes √(Nα)·I rows appended to the centred design:
    ‖[X_c; √(Nα) I] w − [y_c; 0]‖² = N·((1/N)‖X_c w − y_c‖² + α‖w‖²).
    ``y`` is (N,) or (N, K); returns w of shape (d,) or (d, K) and b of shape () or (K,).
    With α = 0 and a rank-deficient X, lstsq returns the minimum-norm solution.

    ``sample_weight`` s makes the data term Σ sₙ rₙ² / Σ s: the means become weighted
    means and row n is scaled by √(sₙ/s̄) (s̄ the mean weight), so that the system is
    N·(Σ cₙ rₙ² + α‖w‖²) with cₙ = sₙ/Σs — the same as repeating row n sₙ times.
    """
    n, d = X.shape
    if fit_intercept:
        x_mean = np.average(X, axis=0, weights=sample_weight)
        y_mean = np.average(y, axis=0, weights=sample_weight)
        Xc, yc = X - x_mean, y - y_mean
    else:
        Xc, yc = X, y
    if sample_weight is not None:
        root = np.sqrt(sample_weight / np.mean(sample_weight))
        Xc = Xc * root[:, None]
        yc = yc * root.reshape(-1, *([1] * (yc.ndim - 1)))
    if alpha > 0:
        Xc = np.vstack([Xc, np.sqrt(n * alpha) * np.eye(d)])
        yc = np.concatenate([yc, np.zeros((d, *y.shape[1:]))])
    w = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    b = y_mean - x_mean @ w if fit_intercept else np.zeros(y.shape[1:])
    return w, np.asarray(b, dtype=np.float64)


def _rescaled_lstsq(
    est: Any,
    X: np.ndarray,
    Y: np.ndarray,
    alpha: float,
    fit_intercept: bool,
    sample_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`ridge_lstsq` on features and targets rescaled by powers of two (exact), so
    values near the largest double never overflow in the solve (LAPACK would print errors
    and hang on the inf). Without a penalty the least-squares solution is equivariant:
    w = p ⊙ w̃ / q, b = b̃ / q for X̃ = X·diag(p), Ỹ = q·Y. With alpha > 0 the penalty is not,
    so features beyond :func:`byhand._magnitude.product_limit` are refused."""
    if alpha > 0:
        check_magnitude(est, X, product_limit(X.shape[1]), "the ridge normal equations")
        return ridge_lstsq(X, Y, alpha, fit_intercept, sample_weight)
    p = _pow2_scale(np.abs(X).max(axis=0, initial=0.0))
    q = float(_pow2_scale(np.array([np.abs(Y).max(initial=0.0)]))[0])
    w, b = ridge_lstsq(X * p, Y * q, 0.0, fit_intercept, sample_weight)
    with np.errstate(over="ignore"):
        return w * p[:, None] / q, b / q


def _pow2_scale(v: np.ndarray) -> np.ndarray:
    """Per entry the power of two 2^-e with v·2^-e in [½, 1) (1 where v is 0)."""
    return np.where(v > 0, np.ldexp(1.0, -np.frexp(v)[1]), 1.0)


class LinearRegression(GradientSolverMixin, RegressorMixin, BaseEstimator):
    """Least squares, f(x) = wᵀx + b, minimising (1/N) Σₙ (f(xₙ) − yₙ)² + α‖w‖².

    CS 577 Lecture 01 (Wang, IIT, 2024), "Linear regression" (closed form through
    the normal equations; the worked N = 3 example gives θ* = [−0.5, 3]), "Gradient descent"
    (converges for ε < 2/L) and "Stochastic gradient descent" (minibatches, decaying ε_k).

    Parameters
    ----------
    solver : "lstsq" (default), "gd" or "sgd"
        "lstsq": the normal equations solved by ``numpy.linalg.lstsq`` (never an explicit
        inverse; with α > 0 the ridge system as an augmented least-squares problem).
        "gd": full-batch gradient descent, one step per epoch; "sgd": minibatches of
        ``batch_size``, reshuffled each epoch when ``shuffle``. Both run ``byhand.fit`` on
        ``nn.Linear`` (float64, zero initialisation) with ``nn.MSELoss``.
    fit_intercept : bool
        Learn b (never penalised); False fixes b = 0.
    alpha : float >= 0
        Weight of α‖w‖² (SGD's weight decay 2α).
    learning_rate : float or byhand.optim schedule
        ε_k for "gd"/"sgd" (e.g. ``byhand.optim.exponential(0.1, 0.99)``).
    max_iter : int
        Epochs for "gd"/"sgd" (one epoch = one step for "gd"). Ignored by "lstsq".
    tol : float or None
        Stop when the epoch's loss improved by less than ``tol`` for ``n_iter_no_change``
        epochs; None runs all ``max_iter`` epochs.
    batch_size : int or None
        Minibatch size for "sgd" (None = full batch); "gd" always uses the full batch.
    shuffle, average, random_state, verbose
        Reshuffle each epoch; return the Polyak–Ruppert average of the iterates (True:
        of all of them; an integer k >= 1: of the iterates θ_k, θ_{k+1}, … after the
        k-th step on, scikit-learn's ``average=k``, its steps counted one per minibatch);
        seed of the shuffling; progress bar of ``byhand.fit`` when > 0.
    warm_start : bool, default False
        "gd"/"sgd": ``fit`` starts from the fitted ``coef_``/``intercept_`` instead of
        zeros; X must have the same features and y the same number of targets (ValueError
        otherwise). "lstsq" has no starting point and ignores it.

    ``fit(X, y, sample_weight=None)``: with weights s the data term is the weighted mean
    Σ sₙ (f(xₙ) − yₙ)² / Σ s — integer weights equal repeated rows. (scikit-learn's
    LinearRegression/Ridge minimise Σ sₙ rₙ² + α‖w‖², unnormalised; SGDRegressor scales
    each sample's gradient by sₙ.) ``partial_fit(X, y, sample_weight=None)`` (solvers
    "gd"/"sgd"): one epoch continuing the previous calls.

    Attributes
    ----------
    coef_ : (n_features,) or (n_targets, n_features)
    intercept_ : float or (n_targets,)
    n_iter_ : int
        Epochs run (1 for "lstsq").
    loss_curve_ : list of float
        Per-epoch mean squared error (gd/sgd, empty for lstsq).

    Raises
    ------
    ValueError
        On invalid parameters (named, with the value received), X or y with NaN or inf, X
        not 2-D, or X and y of different lengths.
    sklearn.exceptions.NotFittedError
        When ``predict`` (or another method that needs the fit) is called before ``fit``.

    Examples
    --------
    The lecture's N = 3 example, in closed form and by gradient descent:

    >>> import numpy as np
    >>> from byhand import LinearRegression
    >>> from byhand.datasets import lecture01_regression
    >>> X, y = lecture01_regression()
    >>> model = LinearRegression().fit(X, y)
    >>> np.round(model.coef_, 4), round(float(model.intercept_), 4)
    (array([-0.5]), 3.0)
    >>> gd = LinearRegression(solver="gd", learning_rate=0.1, max_iter=2000, tol=None).fit(X, y)
    >>> np.round(gd.coef_, 4), round(float(gd.intercept_), 4)
    (array([-0.5]), 3.0)
    """

    _solvers = ("lstsq", "gd", "sgd")

    def __init__(
        self,
        solver: str = "lstsq",
        *,
        fit_intercept: bool = True,
        alpha: float = 0.0,
        learning_rate: Any = 0.01,
        max_iter: int = 1000,
        tol: float | None = 1e-6,
        n_iter_no_change: int = 5,
        batch_size: int | None = 32,
        shuffle: bool = True,
        average: bool = False,
        warm_start: bool = False,
        random_state: Any = None,
        verbose: int = 0,
    ) -> None:
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.alpha = alpha
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
    ) -> LinearRegression:
        """Fit on X (N, d) and y (N,) or (N, K); callbacks/resume_state act for gd/sgd.

        With ``warm_start=True`` ("gd"/"sgd") after a fit, X must have the same features
        and y the same number of targets (ValueError otherwise). A call that raises leaves
        the estimator as it was."""
        with all_or_nothing(self):
            self._fit(X, y, sample_weight, callbacks, resume_state)
        return self

    def _fit(
        self, X: Any, y: Any, sample_weight: Any, callbacks: Sequence[Any], resume_state: Any
    ) -> None:
        self._check_solver_params()
        self._check_fit_hooks(callbacks, resume_state)
        X, Y, single = self._validate_xy(X, y, reset=True)
        if self.solver != "lstsq":
            check_warm_start(self, None, X.shape[1], Y.shape[1])
        sw = check_sample_weight("LinearRegression", sample_weight, X)
        if self.solver == "lstsq":
            w, b = _rescaled_lstsq(self, X, Y, float(self.alpha), bool(self.fit_intercept), sw)
            self.n_iter_ = 1
            self.loss_curve_: list[float] = []
        else:
            w, b = self._train_linear(
                X,
                Y,
                MSELoss(),
                Y.shape[1],
                partial=False,
                sample_weight=sw,
                callbacks=callbacks,
                resume_state=resume_state,
            )
        self._set_coef(w, b, single)

    @available_if(online_solver)
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearRegression:
        """One epoch ("sgd") or one step ("gd") on (X, y), continuing the previous calls
        (the first one starts from w = 0)."""
        first = not hasattr(self, "coef_")
        if first:
            self._check_solver_params()
        X, Y, single = self._validate_xy(X, y, reset=first)
        if not first and Y.shape[1] != np.atleast_2d(self.coef_).shape[0]:
            raise ValueError(
                f"LinearRegression.partial_fit: y has {Y.shape[1]} targets, the fitted "
                f"model {np.atleast_2d(self.coef_).shape[0]}"
            )
        sw = check_sample_weight("LinearRegression", sample_weight, X)
        w, b = self._train_linear(X, Y, MSELoss(), Y.shape[1], partial=True, sample_weight=sw)
        self._set_coef(w, b, single)
        return self

    def _validate_xy(self, X: Any, y: Any, *, reset: bool) -> tuple[np.ndarray, np.ndarray, bool]:
        X, y = validate_X(self, X, y, reset=reset, multi_output=True, y_numeric=True)
        y = y.astype(np.float64, copy=False)
        if not np.all(np.isfinite(y)):
            raise ValueError("LinearRegression: y contains NaN or inf")
        single = y.ndim == 1
        return X, (y.reshape(-1, 1) if single else y), single

    def _set_coef(self, w: np.ndarray, b: np.ndarray, single: bool) -> None:
        self.coef_ = w[:, 0].copy() if single else np.ascontiguousarray(w.T)
        self.intercept_ = float(b[0]) if single else np.asarray(b, dtype=np.float64)

    def predict(self, X: Any) -> np.ndarray:
        """f(x) = wᵀx + b for every row of X."""
        X = validate_X_predict(self, X)
        return row_invariant_matmul(X, self.coef_.T) + self.intercept_

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
