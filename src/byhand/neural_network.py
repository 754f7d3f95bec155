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

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from byhand._inference import row_invariant_matmul
from byhand._magnitude import check_training_input
from byhand._validation import encode_binary_labels, encode_class_labels
from byhand.linear_model._gradient import GradientSolverMixin, _check_number, make_rng
from byhand.nn.activations import Identity, ReLU, Sigmoid, Softplus, Tanh
from byhand.nn.functional import log_softmax, sigmoid, softmax
from byhand.nn.layers import Linear
from byhand.nn.losses import CrossEntropyLoss, LogisticLoss, Loss, MSELoss
from byhand.nn.module import Module, Sequential
from byhand.training import History

__all__ = ["CNNClassifier", "MLPClassifier", "MLPRegressor"]  # noqa: F822 (lazy, below)

ACTIVATIONS: dict[str, type[Module]] = {
    "relu": ReLU,
    "tanh": Tanh,
    "logistic": Sigmoid,
    "softplus": Softplus,
    "identity": Identity,
}
_DTYPES = ("float32", "float64")
_INITS = ("glorot_uniform", "he_normal")
# Training data is scanned for NaN/inf once, by byhand.fit at its edge ("fit: X contains
# NaN or inf"); scikit-learn's validate_data skips its own scan in fit (a second full pass
# over MNIST-sized X costs about a fifth of an MLP epoch). predict keeps scikit-learn's check.
_FIT_CHECKS = False


def _activate(name: str, a: np.ndarray) -> np.ndarray:
    """σ(a) in place, the same maps as the ``nn`` activation modules (prediction path)."""
    if name == "relu":
        return np.maximum(a, 0, out=a)
    if name == "tanh":
        return np.tanh(a, out=a)
    if name == "logistic":
        return sigmoid(a, out=a)
    if name == "softplus":
        return np.logaddexp(0, a, out=a)
    return a


class _BaseMLP(GradientSolverMixin, BaseEstimator):
    """Shared parameters, network construction and training of the two MLPs."""

    _solvers = ("sgd",)
    _fit_solvers = ("sgd",)

    def __init__(
        self,
        hidden_layer_sizes: Sequence[int] | int = (100,),
        activation: str = "relu",
        *,
        solver: str = "sgd",
        alpha: float = 0.0,
        batch_size: int | None = 200,
        learning_rate: Any = 0.01,
        momentum: float = 0.9,
        max_iter: int = 200,
        tol: float | None = 1e-4,
        n_iter_no_change: int = 10,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        shuffle: bool = True,
        average: bool = False,
        init: str = "glorot_uniform",
        dtype: str = "float32",
        random_state: Any = None,
        verbose: int = 0,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.average = average
        self.init = init
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose

    # -- parameters ----------------------------------------------------------------------
    def _check_params(self) -> np.dtype:
        owner = type(self).__name__
        self._check_solver_params()
        sizes = self._hidden_sizes()
        for h in sizes:
            if isinstance(h, (bool, np.bool_)) or not isinstance(h, numbers.Integral) or h < 1:
                raise ValueError(
                    f"{owner}: hidden_layer_sizes must be positive integers, "
                    f"got {self.hidden_layer_sizes!r}"
                )
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"{owner}: activation must be one of {sorted(ACTIVATIONS)}, got {self.activation!r}"
            )
        _check_number(owner, "momentum", self.momentum, numbers.Real, low=0.0, high=0.999999)
        if not isinstance(self.early_stopping, (bool, np.bool_)):
            raise TypeError(
                f"{owner}: early_stopping must be True or False, got {self.early_stopping!r}"
            )
        _check_number(
            owner,
            "validation_fraction",
            self.validation_fraction,
            numbers.Real,
            low=0.0,
            low_inclusive=False,
            high=0.5,
        )
        if self.init not in _INITS:
            raise ValueError(f"{owner}: init must be one of {list(_INITS)}, got {self.init!r}")
        try:
            dtype = np.dtype(self.dtype)
        except TypeError:
            dtype = None
        if dtype is None or dtype.name not in _DTYPES:
            raise ValueError(f"{owner}: dtype must be one of {list(_DTYPES)}, got {self.dtype!r}")
        return dtype

    def _hidden_sizes(self) -> list[Any]:
        h = self.hidden_layer_sizes
        if isinstance(h, numbers.Integral) and not isinstance(h, (bool, np.bool_)):
            return [h]
        if isinstance(h, (str, bytes)) or not hasattr(h, "__iter__"):
            raise ValueError(
                f"{type(self).__name__}: hidden_layer_sizes must be an int or a sequence of "
                f"ints, got {h!r}"
            )
        return list(h)

    # -- network ---------------------------------------------------------------------------
    def _build(
        self, n_in: int, n_out: int, rng: np.random.Generator, dtype: np.dtype
    ) -> Sequential:
        sizes = [n_in, *(int(h) for h in self._hidden_sizes()), n_out]
        modules: list[Module] = []
        for i in range(len(sizes) - 1):
            modules.append(
                Linear(sizes[i], sizes[i + 1], init=self.init, random_state=rng, dtype=dtype)
            )
            if i < len(sizes) - 2:
                modules.append(ACTIVATIONS[self.activation]())
        return Sequential(*modules, input_grad=False)

    def _publish(self, network: Sequential) -> None:
        """coefs_ / intercepts_ are the network's own arrays (sklearn layout (in, out))."""
        layers = [m for m in network.modules if isinstance(m, Linear)]
        self.coefs_ = [layer.weight.data for layer in layers]
        self.intercepts_ = [layer.bias.data for layer in layers]
        self.n_layers_ = len(layers) + 1
        self.n_outputs_ = layers[-1].out_features

    def _forward(self, X: Any) -> np.ndarray:
        """The network's output for X, computed from ``coefs_`` and ``intercepts_``."""
        check_is_fitted(self, "coefs_")
        dtype = self.coefs_[0].dtype
        a = validate_data(self, X, reset=False, dtype=dtype, order="C")
        last = len(self.coefs_) - 1
        for i, (W, b) in enumerate(zip(self.coefs_, self.intercepts_, strict=True)):
            a = row_invariant_matmul(a, W)  # each row as if predicted alone
            a += b
            if i < last:
                _activate(self.activation, a)
        return a

    # -- training --------------------------------------------------------------------------
    def _split(self, X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple:
        n = X.shape[0]
        n_val = int(np.ceil(self.validation_fraction * n))
        if n_val < 1 or n - n_val < 1:
            raise ValueError(
                f"{type(self).__name__}: early_stopping needs at least 2 samples to split "
                f"off validation_fraction={self.validation_fraction}, got {n}"
            )
        order = rng.permutation(n)
        val, train = order[:n_val], order[n_val:]
        return X[train], y[train], (X[val], y[val])

    def _fit_network(
        self,
        X: np.ndarray,
        y: np.ndarray,
        n_out: int,
        loss: Loss,
        dtype: np.dtype,
        callbacks: Sequence[Any],
        resume_state: Any,
    ) -> None:
        rng = make_rng(self.random_state)
        network = self._build(X.shape[1], n_out, rng, dtype)
        validation = None
        if self.early_stopping:
            X, y, validation = self._split(X, y, rng)
        hist = self._train(
            network,
            loss,
            X,
            y,
            rng=rng,
            callbacks=callbacks,
            resume_state=resume_state,
            momentum=float(self.momentum),
            validation_data=validation,
            batch_size=self.batch_size,
        )
        self._network, self._loss, self._rng = network, loss, rng
        self._record(hist, reset=True)
        self._publish(network)

    def _record(self, hist: History, *, reset: bool) -> None:
        if reset:
            self.loss_curve_ = list(hist.loss)
            self.n_iter_ = hist.epochs
            self.validation_scores_ = list(hist.val_metric) if self.early_stopping else None
        else:
            self.loss_curve_ = [*self.loss_curve_, *hist.loss]
            self.n_iter_ += hist.epochs
        self.best_loss_ = float(min(self.loss_curve_)) if self.loss_curve_ else np.inf
        if self.validation_scores_:
            self.best_validation_score_ = float(max(self.validation_scores_))

    def _partial_epoch(self, X: np.ndarray, y: np.ndarray) -> None:
        """One epoch over (X, y) continuing the network, optimizer and shuffling RNG."""
        hist = self._train(
            self._network,
            self._loss,
            X,
            y,
            rng=self._rng,
            momentum=float(self.momentum),
            batch_size=self.batch_size,
            epochs=1,
            optimizer=self._optimizer,
            warn=False,
            allow_average=False,
        )
        self._record(hist, reset=False)

    def _start_partial(self, n_in: int, n_out: int, loss: Loss, dtype: np.dtype) -> None:
        self._rng = make_rng(self.random_state)
        self._network = self._build(n_in, n_out, self._rng, dtype)
        self._loss = loss
        self._optimizer = None
        self.loss_curve_, self.n_iter_, self.validation_scores_ = [], 0, None
        self._publish(self._network)

    def _partial_ready(self) -> bool:
        """True when training can continue: a network exists, or fitted ``coefs_`` (e.g.
        from ``byhand.load``) from which one is rebuilt, with a fresh optimizer."""
        if not hasattr(self, "coefs_"):
            return False
        if getattr(self, "_network", None) is None:
            self._adopt_coefs()
        return True

    def _adopt_coefs(self) -> None:
        dtype = self.coefs_[0].dtype
        sizes = [W.shape[0] for W in self.coefs_] + [self.coefs_[-1].shape[1]]
        network = self._build(sizes[0], sizes[-1], np.random.default_rng(0), dtype)
        layers = [m for m in network.modules if isinstance(m, Linear)]
        if [lay.weight.data.shape for lay in layers] != [W.shape for W in self.coefs_]:
            raise ValueError(
                f"{type(self).__name__}: coefs_ shapes {[W.shape for W in self.coefs_]} do not "
                f"match hidden_layer_sizes={self.hidden_layer_sizes!r}"
            )
        for layer, W, b in zip(layers, self.coefs_, self.intercepts_, strict=True):
            layer.weight.data[...] = W
            layer.bias.data[...] = b
        if self.out_activation_ == "logistic":
            self._loss: Loss = LogisticLoss()
        elif self.out_activation_ == "softmax":
            self._loss = CrossEntropyLoss()
        else:
            self._loss = MSELoss()
        self._network, self._optimizer = network, None
        self._rng = make_rng(self.random_state)
        self.loss_curve_ = list(getattr(self, "loss_curve_", []))
        self.n_iter_ = int(getattr(self, "n_iter_", 0))
        self.validation_scores_ = getattr(self, "validation_scores_", None)
        self._publish(network)


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier trained by minibatch SGD with hand-written backprop.

    EE-559 3.4 (Fleuret, EPFL, 2019) "Multi-Layer Perceptrons" and 3.6
    "Back-propagation"; CS 577 Lecture 04 (Wang, IIT, 2024), the task table and "Softmax" /
    "Cross-entropy". Output and loss follow the task: **two classes** → one logit z,
    P(classes_[1] | x) = σ(z), logistic loss log(1 + e^{−yz}) on y = ±1 (as scikit-learn's
    MLPClassifier); **K > 2 classes** → K logits, softmax, cross-entropy.

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
        Hold out that fraction (seeded) and watch its loss. The weights are those of the
        last epoch run (the best epoch is ``n_iter_ − n_iter_no_change``, in
        ``validation_scores_``): everything the run depends on is in its checkpoints, so a
        resumed run ends bit-identically.
    shuffle, average, random_state, verbose
        Reshuffle each epoch; return averaged weights (004 "Averaged SGD"; ``fit`` only,
        ``partial_fit`` ignores it); the seed of the
        initialisation, the validation split and the shuffling; a progress bar when > 0.
    init : "glorot_uniform" (default) or "he_normal"
    dtype : "float32" (default) or "float64"
        The arithmetic of training and prediction.

    Attributes
    ----------
    classes_, coefs_ (list of (in, out) arrays), intercepts_ (list of (out,) arrays),
    loss_curve_ (mean training loss per epoch, without the penalty), validation_scores_
    (accuracy per epoch with early_stopping, else None), n_iter_, n_layers_, n_outputs_,
    out_activation_ ("logistic" or "softmax").

    ``fit(X, y, callbacks=(), resume_state=None)``: callbacks receive a
    ``byhand.training.TrainState`` after each epoch (``.snapshot()`` is a checkpoint);
    ``resume_state`` continues such a snapshot bit-identically.
    """

    def fit(
        self,
        X: Any,
        y: Any,
        *,
        callbacks: Sequence[Any] = (),
        resume_state: dict[str, Any] | None = None,
    ) -> MLPClassifier:
        """Train on X (N, d) and class labels y."""
        dtype = self._check_params()
        check_training_input(self, X, dtype)
        X, y = validate_data(self, X, y, dtype=dtype, order="C", ensure_all_finite=_FIT_CHECKS)
        self._check_targets(y)
        targets, loss, n_out = self._encode(y, dtype)
        self._fit_network(X, targets, n_out, loss, dtype, callbacks, resume_state)
        return self

    def _check_targets(self, y: np.ndarray) -> None:
        check_classification_targets(y)  # "Unknown label type" for continuous y
        kind = type_of_target(y, input_name="y")
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                f"MLPClassifier: y must be class labels (binary or multiclass), got a "
                f"{kind!r} target; use MLPRegressor for continuous targets"
            )

    def _encode(self, y: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, Loss, int]:
        classes = np.unique(y)
        if classes.size == 2:
            self.out_activation_ = "logistic"
            return encode_binary_labels(self, y).astype(dtype), LogisticLoss(), 1
        self.out_activation_ = "softmax"
        return encode_class_labels(self, y), CrossEntropyLoss(), int(classes.size)

    def _targets_for(self, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        idx = np.searchsorted(self.classes_, y)
        idx = np.clip(idx, 0, self.classes_.size - 1)
        unknown = self.classes_[idx] != y
        if np.any(unknown):
            raise ValueError(
                f"MLPClassifier: y holds labels {np.unique(y[unknown])[:5].tolist()} that are "
                f"not in classes_ {self.classes_.tolist()}"
            )
        if self.classes_.size == 2:
            return np.where(idx == 1, 1.0, -1.0).astype(dtype)
        return idx.astype(np.int64)

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> MLPClassifier:
        """One epoch of SGD over (X, y); ``classes`` (all labels) is required on the first call."""
        first = not self._partial_ready()
        if first:
            dtype = self._check_params()
            if classes is None:
                raise ValueError(
                    "MLPClassifier.partial_fit: pass classes= (all the labels) on the first call"
                )
            X, y = validate_data(
                self, X, y, dtype=dtype, order="C", reset=True, ensure_all_finite=_FIT_CHECKS
            )
            self._check_targets(y)
            all_classes = np.unique(np.asarray(classes))
            if all_classes.size < 2:
                raise ValueError(
                    f"MLPClassifier.partial_fit: classes must hold at least 2 labels, "
                    f"got {all_classes!r}"
                )
            self.classes_ = all_classes
            binary = all_classes.size == 2
            self.out_activation_ = "logistic" if binary else "softmax"
            loss = LogisticLoss() if binary else CrossEntropyLoss()
            self._start_partial(X.shape[1], 1 if binary else all_classes.size, loss, dtype)
        else:
            dtype = self.coefs_[0].dtype
            if classes is not None and not np.array_equal(np.unique(classes), self.classes_):
                raise ValueError(
                    f"MLPClassifier.partial_fit: classes={classes!r} differs from the first "
                    f"call's {self.classes_.tolist()}"
                )
            X, y = validate_data(
                self, X, y, dtype=dtype, order="C", reset=False, ensure_all_finite=_FIT_CHECKS
            )
            self._check_targets(y)
        self._partial_epoch(X, self._targets_for(y, dtype))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """[1 − σ(z), σ(z)] for two classes, softmax(z) for K > 2, as float64."""
        z = self._forward(X).astype(np.float64)
        if z.shape[1] == 1:
            return np.column_stack([sigmoid(-z[:, 0]), sigmoid(z[:, 0])])
        return softmax(z, axis=1)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log of predict_proba, by log-sum-exp / logaddexp."""
        z = self._forward(X).astype(np.float64)
        if z.shape[1] == 1:
            return np.column_stack([-np.logaddexp(0, z[:, 0]), -np.logaddexp(0, -z[:, 0])])
        return log_softmax(z, axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """classes_[1] where z >= 0 (two classes), classes_[argmax z] otherwise."""
        z = self._forward(X)
        if z.shape[1] == 1:
            return self.classes_[(z[:, 0] >= 0).astype(np.intp)]
        return self.classes_[np.argmax(z, axis=1)]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor: identity output, mean squared error.

    EE-559 3.4 (Fleuret, EPFL, 2019) and 3.6; CS 577 Lecture 04 (Wang, IIT, 2024), the task table
    (regression: identity output, squared error, from the Gaussian likelihood).
    Objective: (1/N) Σₙ ‖f(xₙ) − yₙ‖² + α Σ ‖W‖². Parameters and attributes as
    :class:`MLPClassifier` (``validation_scores_`` are R²); y may be (N,) or (N, K).
    """

    def fit(
        self,
        X: Any,
        y: Any,
        *,
        callbacks: Sequence[Any] = (),
        resume_state: dict[str, Any] | None = None,
    ) -> MLPRegressor:
        """Train on X (N, d) and real targets y (N,) or (N, K)."""
        dtype = self._check_params()
        check_training_input(self, X, dtype)
        X, y = validate_data(
            self,
            X,
            y,
            dtype=dtype,
            order="C",
            multi_output=True,
            y_numeric=True,
            ensure_all_finite=_FIT_CHECKS,
        )
        y = np.ascontiguousarray(y, dtype=dtype)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        self.out_activation_ = "identity"
        self._fit_network(X, Y, Y.shape[1], MSELoss(), dtype, callbacks, resume_state)
        return self

    def partial_fit(self, X: Any, y: Any) -> MLPRegressor:
        """One epoch of SGD over (X, y), continuing the previous calls."""
        first = not self._partial_ready()
        dtype = self._check_params() if first else self.coefs_[0].dtype
        X, y = validate_data(
            self,
            X,
            y,
            dtype=dtype,
            order="C",
            multi_output=True,
            y_numeric=True,
            reset=first,
            ensure_all_finite=_FIT_CHECKS,
        )
        y = np.ascontiguousarray(y, dtype=dtype)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if first:
            self.out_activation_ = "identity"
            self._start_partial(X.shape[1], Y.shape[1], MSELoss(), dtype)
        elif Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"MLPRegressor.partial_fit: y has {Y.shape[1]} outputs, the network "
                f"{self.n_outputs_}"
            )
        self._partial_epoch(X, Y)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """f(x) as float64: shape (n,) for a single output, (n, K) otherwise."""
        z = self._forward(X).astype(np.float64)
        return z[:, 0] if z.shape[1] == 1 else z

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def __getattr__(name: str) -> Any:
    if name == "CNNClassifier":  # defined on top of MLPClassifier, in byhand._cnn
        from byhand._cnn import CNNClassifier

        return CNNClassifier
    raise AttributeError(f"module 'byhand.neural_network' has no attribute {name!r}")
