"""Multi-layer perceptrons as scikit-learn estimators, on byhand's hand-written backprop.

EE-559 3.4 (Fleuret, EPFL, 2019) "Multi-Layer Perceptrons" (x⁽ˡ⁾ = σ(w⁽ˡ⁾x⁽ˡ⁻¹⁾ + b⁽ˡ⁾))
and 3.6 "Back-propagation" (forward pass, backward pass, gradient step);
CS 577 Lecture 03 (Wang, IIT, 2024), "Gradients of a one-hidden-layer network";
CS 577 Lecture 04 (Wang, IIT, 2024), the "task / output / prediction / loss" table (regression:
identity
output and squared error; binary: one logit, logistic loss, sign; multiclass: K logits,
softmax cross-entropy, argmax); Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25),
"Activation functions" and
"Artificial neurons and MLPs".

The network is ``nn.Sequential(Linear, σ, …, Linear, input_grad=False)`` — training never
computes the gradient with respect to the input data — trained by ``byhand.fit`` with
``optim.SGD`` (momentum, weight decay 2α on the weights only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import validate_data

from byhand._cnn import CNNClassifier
from byhand._magnitude import check_training_input, one_scan
from byhand._network_base import (
    _FIT_CHECKS,
    ACTIVATIONS,
    NetworkClassifier,
    NetworkEstimator,
    validate_predict_input,
)
from byhand.linear_model._weights import check_sample_weight
from byhand.nn.losses import MSELoss
from byhand.training import check_finite_input

__all__ = [
    "ACTIVATIONS",
    "CNNClassifier",
    "MLPClassifier",
    "MLPRegressor",
    "validate_predict_input",
]


class MLPClassifier(NetworkClassifier):
    """Multi-layer perceptron classifier trained by minibatch SGD with hand-written backprop.

    EE-559 3.4 (Fleuret, EPFL, 2019) "Multi-Layer Perceptrons" and 3.6
    "Back-propagation"; CS 577 Lecture 04 (Wang, IIT, 2024), the task table and "Softmax" /
    "Cross-entropy". Output and loss follow the task: **two classes** → one logit z,
    P(classes_[1] | x) = σ(z), logistic loss log(1 + e^{−yz}) on y = ±1 (as scikit-learn's
    MLPClassifier); **K > 2 classes** → K logits, softmax, cross-entropy; **a multilabel
    indicator y** (N, L) of 0/1 → L logits, one logistic loss per label summed (as
    scikit-learn's MLPClassifier: ``classes_`` = 0..L−1, ``predict`` the (N, L) indicator
    matrix, ``predict_proba`` the L probabilities σ(z), ``score`` the subset accuracy;
    ``sample_weight`` is not supported for it).

    Objective: (1/N) Σₙ ℓ(f(xₙ), yₙ) + α Σ_layers ‖W‖² (biases not penalised).

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of ints, default (100,)
        Widths of the hidden layers.
    activation : "relu" (default), "tanh", "logistic", "softplus" or "identity"
        σ of the hidden layers (Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25),
        "Activation functions").
    solver : "sgd"
        SGD with ``momentum`` (v ← μv + g, θ ← θ − ε_k v) — the only solver.
    alpha : float >= 0, default 0
        Weight decay: α‖W‖² per layer (note: scikit-learn's alpha means (α/2N)‖W‖²).
    batch_size : int or None, default 200
        Minibatch size (None: the full batch).
    learning_rate : float or byhand.optim schedule, default 0.01
    momentum : float in [0, 1), default 0.9
    max_iter : int, default 200
        Epochs.
    tol, n_iter_no_change : stop when the training loss (the validation loss with
        ``early_stopping``) has not improved by ``tol`` for ``n_iter_no_change`` epochs;
        ``tol=None`` runs all epochs. A run ending at ``max_iter`` warns (ConvergenceWarning).
    early_stopping : bool, validation_fraction : float in (0, 0.5]
        Hold out that fraction (scikit-learn's ``train_test_split``, seeded by
        ``random_state``, stratified by class for class labels; a multilabel y is split
        at random, as scikit-learn does) and stop when the held-out loss has not improved
        by ``tol`` for ``n_iter_no_change`` epochs (scikit-learn watches the held-out
        score: the loss is the smoother signal on a small held-out set, where accuracy
        moves in steps of 1/n). As scikit-learn, the returned weights are those of the
        epoch with the best validation score (accuracy; R² for the regressor), kept in
        ``best_validation_score_``; the per-epoch scores are ``validation_scores_``. The
        scores are computed as ``predict`` computes them, in evaluation mode (no dropout),
        a batch at a time. The best weights are part of every checkpoint, so a resumed run
        ends bit-identically. A run that diverges (NaN/inf loss) after a scored epoch ends
        with the best epoch's weights and a ConvergenceWarning. Raises ValueError when the
        held-out set would have fewer than 2 samples, or (classifiers) a class has fewer
        than 2 samples or more classes than either part has samples. Cannot be combined
        with ``average``; ``partial_fit`` refuses it, as scikit-learn's does.
    shuffle, average, random_state, verbose
        Reshuffle each epoch; return averaged weights
        (Galerne Course I "Averaged SGD"; ``fit`` only,
        ``partial_fit`` ignores it); the seed of the
        initialisation, the validation split and the shuffling; a progress bar when > 0.
    warm_start : bool, default False
        ``fit`` starts from the fitted ``coefs_``/``intercepts_`` (same architecture)
        instead of a fresh initialisation. As in scikit-learn, y must then hold the classes
        of the previous fit (ValueError naming the old and the new ones otherwise: the
        output units stand for the old classes).
    init : "glorot_uniform" (default) or "he_normal"
    dtype : "float32" (default) or "float64"
        The arithmetic of training and prediction.

    Attributes
    ----------
    classes_ : ndarray
        The class labels (for a multilabel y: ``[0, 1]``).
    coefs_, intercepts_ : list of ndarray
        The weights, (in, out) arrays, and the biases, (out,) arrays, layer by layer.
    loss_curve_ : list of float
        The mean training loss per epoch, without the penalty.
    validation_scores_ : list of float or None
        The accuracy per epoch with ``early_stopping``, else None.
    best_validation_score_ : float or None
        Their maximum, the score of the returned weights; None without ``early_stopping``.
    best_loss_ : float or None
        The lowest of ``loss_curve_``; None with ``early_stopping``, as in scikit-learn.
    n_iter_, n_layers_, n_outputs_ : int
        Epochs run, layers (input and output included) and output units.
    out_activation_ : str
        ``"logistic"`` or ``"softmax"``.

    Notes
    -----
    ``fit(X, y, sample_weight=None, callbacks=(), resume_state=None)``: with weights s the
    data term is the weighted mean Σ sₙ ℓₙ / Σ s (each sample's gradient scaled by sₙ/s̄,
    s̄ the mean weight; scikit-learn's MLP scales by sₙ, i.e. (1/N) Σ sₙ ℓₙ). Callbacks
    receive a ``byhand.training.TrainState`` after each epoch (``.snapshot()`` is a
    checkpoint); ``resume_state`` continues such a snapshot bit-identically.

    ``partial_fit(X, y, classes=None, sample_weight=None)``: one epoch, continuing
    ``coefs_``/``intercepts_`` — the one copy of the weights, which ``predict`` reads —
    with the momentum buffers and step count of the previous call. Read-only fitted arrays
    (``joblib.load(path, mmap_mode="r")``) are copied on the first update; X, y and
    sample_weight are only read.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand import MLPClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)  # xor of the signs
    >>> clf = MLPClassifier(
    ...     (16,), learning_rate=0.1, early_stopping=True, max_iter=60, tol=None, random_state=0
    ... )
    >>> clf.fit(X, y).best_validation_score_ == max(clf.validation_scores_)
    True
    >>> Y = np.column_stack([y, X[:, 0] > 0])  # two labels per sample
    >>> multi = MLPClassifier((16,), learning_rate=0.1, max_iter=300, tol=None, random_state=0)
    >>> multi.fit(X, Y).predict(X[:3]).shape, multi.classes_
    ((3, 2), array([0, 1]))
    """


class MLPRegressor(RegressorMixin, NetworkEstimator):
    """Multi-layer perceptron regressor: identity output, mean squared error.

    EE-559 3.4 (Fleuret, EPFL, 2019) and 3.6; CS 577 Lecture 04 (Wang, IIT, 2024), the task table
    (regression: identity output, squared error, from the Gaussian likelihood).
    Objective: (1/N) Σₙ ‖f(xₙ) − yₙ‖² + α Σ ‖W‖². Parameters and attributes as
    :class:`MLPClassifier` (``validation_scores_`` are R²); y may be (N,) or (N, K).
    Its default ``learning_rate`` is 0.001 (scikit-learn's ``learning_rate_init``): the
    squared error's gradient grows with the scale of y, and 0.01 with momentum 0.9 diverges
    on targets of a few hundred (scikit-learn's ``check_regressor_multioutput``).

    Raises
    ------
    ValueError
        On invalid parameters, X or y with NaN or inf, or X not 2-D. A run whose loss becomes
        non-finite stops with a ``byhand.training.DivergenceWarning``.
    sklearn.exceptions.NotFittedError
        When ``predict`` is called before ``fit``.

    Examples
    --------
    >>> from byhand import MLPRegressor
    >>> from byhand.datasets import make_sin_regression
    >>> X, y = make_sin_regression(200, noise=0.05, random_state=0)
    >>> reg = MLPRegressor((32,), activation="tanh", learning_rate=0.01, max_iter=300,
    ...                    tol=None, random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    >>> reg.predict(X[:4]).shape
    (4,)
    """

    def __init__(
        self,
        hidden_layer_sizes: Sequence[int] | int = (100,),
        activation: str = "relu",
        *,
        solver: str = "sgd",
        alpha: float = 0.0,
        batch_size: int | None = 200,
        learning_rate: Any = 0.001,
        momentum: float = 0.9,
        max_iter: int = 200,
        tol: float | None = 1e-4,
        n_iter_no_change: int = 10,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        shuffle: bool = True,
        average: bool = False,
        warm_start: bool = False,
        init: str = "glorot_uniform",
        dtype: str = "float32",
        random_state: Any = None,
        verbose: int = 0,
    ) -> None:
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            momentum=momentum,
            max_iter=max_iter,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            shuffle=shuffle,
            average=average,
            warm_start=warm_start,
            init=init,
            dtype=dtype,
            random_state=random_state,
            verbose=verbose,
        )

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        *,
        callbacks: Sequence[Any] = (),
        resume_state: dict[str, Any] | None = None,
    ) -> MLPRegressor:
        """Train on X (N, d) and real targets y (N,) or (N, K)."""
        dtype = self._check_params()
        with one_scan():  # X's magnitude and finiteness: one pass over X, not three
            check_finite_input(self, X)
            check_training_input(self, X, dtype)
            X, Y = self._validate_xy(X, y, dtype, reset=True)
            sw = check_sample_weight("MLPRegressor", sample_weight, X)
            self.out_activation_ = "identity"
            self._fit_network(X, Y, Y.shape[1], MSELoss(), dtype, callbacks, resume_state, sw)
        return self

    def _validate_xy(
        self, X: Any, y: Any, dtype: np.dtype, *, reset: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        X, y = validate_data(
            self,
            X,
            y,
            dtype=dtype,
            order="C",
            multi_output=True,
            y_numeric=True,
            reset=reset,
            ensure_all_finite=_FIT_CHECKS,
        )
        y = np.ascontiguousarray(y, dtype=dtype)
        return X, (y.reshape(-1, 1) if y.ndim == 1 else y)

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """One epoch of SGD over (X, y), continuing ``coefs_``/``intercepts_`` as they are
        now (after ``fit``, pickling, ``joblib.load`` or assignment). Refused with
        ``early_stopping=True``, as in scikit-learn."""
        self._refuse_early_stopping()
        first = not hasattr(self, "coefs_")
        if first:
            self._check_params()
        dtype = np.dtype(self.dtype) if first else np.dtype(self.coefs_[0].dtype)
        check_finite_input(self, X)
        check_training_input(self, X, dtype)
        X, Y = self._validate_xy(X, y, dtype, reset=first)
        if first:
            self.out_activation_ = "identity"
            self.n_outputs_ = Y.shape[1]
        elif Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"MLPRegressor.partial_fit: y has {Y.shape[1]} outputs, the network "
                f"{self.n_outputs_}"
            )
        sw = check_sample_weight("MLPRegressor", sample_weight, X)
        self._partial_epoch(X, Y, MSELoss(), sw, first)
        return self

    @staticmethod
    def _validation_score(z: np.ndarray, y: np.ndarray, sw: np.ndarray | None) -> float:
        """R² (weighted by sw) of z against y."""
        from sklearn.metrics import r2_score

        return float(r2_score(y.reshape(z.shape), z, sample_weight=sw))

    def predict(self, X: Any) -> np.ndarray:
        """f(x) as float64: shape (n,) for a single output, (n, K) otherwise."""
        z = self._forward(X).astype(np.float64)
        return z[:, 0] if z.shape[1] == 1 else z

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
