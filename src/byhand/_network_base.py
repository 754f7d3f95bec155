"""The shared machinery of byhand's network estimators (the MLPs and the CNN).

One module owns it, so that :mod:`byhand.neural_network` (``MLPClassifier``,
``MLPRegressor``) and :mod:`byhand._cnn` (``CNNClassifier``) both build on it without
importing each other:

- :class:`NetworkEstimator`: the parameters and their checks, the network (a stack of
  ``nn.Linear`` and σ, which the CNN replaces), training through ``byhand.fit`` with early
  stopping, ``warm_start``, checkpoints and ``partial_fit``, with ``coefs_`` /
  ``intercepts_`` (and the CNN's kernels) as the one copy of the weights;
- :class:`NetworkClassifier`: labels → output units and loss, ``predict`` and
  ``predict_proba``;
- :class:`_BestEpoch`: early stopping's validation scores and best weights.

Sources: EE-559 3.4 (Fleuret, EPFL, 2019) "Multi-Layer Perceptrons" and 3.6
"Back-propagation"; CS 577 Lecture 04 (Wang, IIT, 2024), the "task / output / prediction /
loss" table.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from byhand._inference import row_invariant_matmul
from byhand._magnitude import check_dtype_range, check_training_input
from byhand._validation import encode_binary_labels, encode_class_labels, name_init_after
from byhand.linear_model._gradient import (
    GradientSolverMixin,
    _check_number,
    encode_known_labels,
    make_rng,
    partial_fit_classes,
)
from byhand.linear_model._weights import check_sample_weight, check_weighted_classes
from byhand.nn.activations import Identity, ReLU, Sigmoid, Softplus, Tanh
from byhand.nn.functional import log_softmax, sigmoid, softmax
from byhand.nn.layers import Linear
from byhand.nn.losses import CrossEntropyLoss, LogisticLoss, Loss
from byhand.nn.module import Module, Sequential
from byhand.optim.sgd import SGD, Averager
from byhand.training import History, NonFiniteInputError, _all_finite

__all__ = ["ACTIVATIONS", "NetworkClassifier", "NetworkEstimator", "validate_predict_input"]


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


def validate_predict_input(estimator: Any, X: Any, dtype: np.dtype) -> np.ndarray:
    """X for a fitted network's forward pass, as a C-ordered array of ``dtype``.

    Refuses, each with a ValueError naming the feature: finite values the conversion to a
    narrower ``dtype`` would overflow, and NaN/inf worded as ``fit`` words them
    ("MLPClassifier: X contains NaN in feature 2 of sample 3"; one BLAS dot product when X
    is finite). scikit-learn's ``validate_data`` checks the rest (shape, feature count).
    """
    check_dtype_range(estimator, X, dtype)
    a = validate_data(estimator, X, reset=False, dtype=dtype, order="C", ensure_all_finite=False)
    if not _all_finite(a):
        raise ValueError(str(NonFiniteInputError(type(estimator).__name__, a))) from None
    return a


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


class NetworkEstimator(GradientSolverMixin, BaseEstimator):
    """Shared parameters, network construction and training of the network estimators."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name_init_after(cls)  # a misspelled keyword names the public class, not this base

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
        warm_start: bool = False,
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
        self.warm_start = warm_start
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
                act = ACTIVATIONS[self.activation]
                # in place is safe here: a Linear keeps its input, not its output
                modules.append(ReLU(inplace=True) if act is ReLU else act())
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
        a = validate_predict_input(self, X, dtype)
        last = len(self.coefs_) - 1
        for i, (W, b) in enumerate(zip(self.coefs_, self.intercepts_, strict=True)):
            a = row_invariant_matmul(a, W)  # each row as if predicted alone
            a += b
            if i < last:
                _activate(self.activation, a)
        return a

    # -- training --------------------------------------------------------------------------
    def _split(
        self, X: np.ndarray, y: np.ndarray, sw: np.ndarray | None, rng: np.random.Generator
    ) -> tuple:
        n = X.shape[0]
        n_val = int(np.ceil(float(self.validation_fraction) * n))
        if n_val < 1 or n - n_val < 1:
            raise ValueError(
                f"{type(self).__name__}: early_stopping needs at least 2 samples to split "
                f"off validation_fraction={self.validation_fraction}, got {n}"
            )
        order = rng.permutation(n)
        val, train = order[:n_val], order[n_val:]
        if sw is None:
            return X[train], y[train], None, (X[val], y[val], None)
        return X[train], y[train], sw[train], (X[val], y[val], sw[val])

    def _check_combination(self) -> None:
        if self.early_stopping and self.average:
            raise ValueError(
                f"{type(self).__name__}: early_stopping and average cannot be combined: the "
                "validation scores judge the iterates, and early stopping returns the best "
                "of them, not an average"
            )

    def _fit_network(
        self,
        X: np.ndarray,
        y: np.ndarray,
        n_out: int,
        loss: Loss,
        dtype: np.dtype,
        callbacks: Sequence[Any],
        resume_state: Any,
        sw: np.ndarray | None = None,
    ) -> None:
        self._check_combination()
        rng = make_rng(self.random_state)
        network = self._build(X.shape[1], n_out, rng, dtype)
        if self.warm_start and self._fits_coefs(network):
            for p, a in zip(network.parameters(), self._coef_arrays(), strict=True):
                p.data[...] = a
        validation = keeper = None
        vsw = None
        if self.early_stopping:
            X, y, sw, (Xv, yv, vsw) = self._split(X, y, sw, rng)
            validation = (Xv, yv)
            keeper = _BestEpoch(network, Xv, yv, vsw, self._validation_score)
            callbacks = [keeper, *callbacks]
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
            averager=keeper,
            sample_weight=sw,
            validation_weight=vsw,
        )
        self._record(hist, reset=True, keeper=keeper)
        self._publish(network)

    def _record(self, hist: History, *, reset: bool, keeper: Any = None) -> None:
        if reset:
            self.loss_curve_ = list(hist.loss)
            self.n_iter_ = hist.epochs
            self.validation_scores_ = None if keeper is None else list(keeper.scores)
            if keeper is not None and keeper.best_score is not None:
                self.best_validation_score_ = float(keeper.best_score)
            else:
                self.__dict__.pop("best_validation_score_", None)
        else:
            self.loss_curve_ = [*getattr(self, "loss_curve_", []), *hist.loss]
            self.n_iter_ = int(getattr(self, "n_iter_", 0)) + hist.epochs
        self.best_loss_ = float(min(self.loss_curve_)) if self.loss_curve_ else np.inf

    # -- online learning: coefs_ / intercepts_ are the one source of truth -------------------
    def _coef_arrays(self) -> list[np.ndarray]:
        """The fitted arrays in the order of ``network.parameters()``: W₁, b₁, W₂, b₂, …
        (a subclass with other layers lists its own, with :meth:`_set_coef_arrays`)."""
        out: list[np.ndarray] = []
        for W, b in zip(self.coefs_, self.intercepts_, strict=True):
            out += [W, b]
        return out

    def _set_coef_arrays(self, arrays: list[np.ndarray]) -> None:
        self.coefs_, self.intercepts_ = list(arrays[0::2]), list(arrays[1::2])

    def _fits_coefs(self, network: Sequential) -> bool:
        if not hasattr(self, "coefs_"):
            return False
        shapes = [np.shape(a) for a in self._coef_arrays()]
        return shapes == [p.data.shape for p in network.parameters()]

    def _network_on_coefs(self) -> Sequential:
        """A network whose parameters *are* the fitted arrays (``coefs_``/``intercepts_``,
        converted once to the training dtype and C order when they are not), so that
        training updates exactly what ``predict`` reads — also after pickling,
        ``joblib.load``, ``clone`` + ``set_params`` or assigning ``coefs_`` by hand."""
        arrays = self._coef_arrays()
        dtype = np.dtype(arrays[0].dtype)
        if dtype.name not in _DTYPES:
            dtype = np.dtype(self.dtype)
        rng = np.random.default_rng(0)  # the values are replaced below
        n_in = getattr(self, "n_features_in_", None) or np.shape(self.coefs_[0])[0]
        n_out = getattr(self, "n_outputs_", None) or np.shape(self.coefs_[-1])[1]
        network = self._build(int(n_in), int(n_out), rng, dtype)
        if not self._fits_coefs(network):
            raise ValueError(
                f"{type(self).__name__}: the fitted arrays have shapes "
                f"{[np.shape(a) for a in arrays]}, the network "
                f"{[p.data.shape for p in network.parameters()]} "
                f"(hidden_layer_sizes={self.hidden_layer_sizes!r})"
            )
        arrays = [np.ascontiguousarray(a, dtype=dtype) for a in arrays]
        self._set_coef_arrays(arrays)
        for p, a in zip(network.parameters(), arrays, strict=True):
            p.data = a
        return network

    def _partial_epoch(
        self,
        X: np.ndarray,
        y: np.ndarray,
        loss: Loss,
        sw: np.ndarray | None,
        first: bool,
    ) -> None:
        """One epoch over (X, y): the first call builds the network (seeded by
        ``random_state``, as ``fit`` does), later calls continue ``coefs_`` with the saved
        step count and momentum buffers and the shuffling generator."""
        if first:
            rng = make_rng(self.random_state)
            network = self._build(X.shape[1], self.n_outputs_, rng, np.dtype(self.dtype))
            self._publish(network)
            self.loss_curve_, self.n_iter_, self.validation_scores_ = [], 0, None
        rng = getattr(self, "_shuffle_rng", None) if not first else rng
        rng = make_rng(self.random_state) if rng is None else rng
        network = self._network_on_coefs()
        optimizer = SGD(
            network.parameters(),
            lr=self._learning_rate(),
            momentum=float(self.momentum),
            weight_decay=2.0 * float(self.alpha),
        )
        state = getattr(self, "_sgd_state", None)
        if not first and state is not None:
            try:
                optimizer.load_state_dict(state["optimizer"])
            except (ValueError, KeyError):
                pass  # shapes changed (coefs_ reassigned): a fresh optimizer
            else:
                shapes = [p.data.shape for p in network.parameters()]
                vel = [v for v in optimizer._velocity if v is not None]
                if any(v.shape not in shapes for v in vel):
                    optimizer = SGD(
                        network.parameters(),
                        lr=self._learning_rate(),
                        momentum=float(self.momentum),
                        weight_decay=2.0 * float(self.alpha),
                    )
        hist = self._train(
            network,
            loss,
            X,
            y,
            rng=rng,
            batch_size=self.batch_size,
            epochs=1,
            optimizer=optimizer,
            warn=False,
            allow_average=False,
            sample_weight=sw,
        )
        self._record(hist, reset=False)
        self._publish(network)

    @staticmethod
    def _validation_score(z: np.ndarray, y: np.ndarray, sw: np.ndarray | None) -> float:
        raise NotImplementedError


class _BestEpoch(Averager):
    """Early stopping's memory: the validation score of every epoch and the weights of the
    best one, restored at the end of training (scikit-learn's MLP does the same).

    It is handed to ``byhand.fit`` both as a callback (scored after each epoch) and as the
    averager (its ``update`` after each step does nothing), so that its state — scores,
    best score and best weights — is part of every checkpoint snapshot and a resumed run
    ends bit-identically. Scores: accuracy (classifier) or R² (regressor) on the held-out
    set, weighted by its sample weights when given.
    """

    def __init__(
        self,
        model: Module,
        X: np.ndarray,
        y: np.ndarray,
        sw: np.ndarray | None,
        score: Any,
    ) -> None:
        self.model, self.params = model, model.parameters()
        self.X, self.y, self.sw, self.score = X, y, sw, score
        self.n, self.averages = 0, []
        self.scores: list[float] = []
        self.best_score: float | None = None
        self.best: list[np.ndarray] | None = None

    def update(self) -> None:
        pass

    def on_epoch_end(self, state: Any) -> None:
        z = np.array(self.model.forward(self.X), dtype=np.float64)
        s = float(self.score(z, self.y, self.sw))
        self.scores.append(s)
        if self.best_score is None or s > self.best_score:
            self.best_score = s
            self.best = [p.data.copy() for p in self.params]

    def copy_to_params(self) -> None:
        if self.best is not None:
            for p, a in zip(self.params, self.best, strict=True):
                p.data[...] = a

    def state_dict(self) -> dict[str, Any]:
        return {
            "n": 0,
            "averages": [],
            "scores": list(self.scores),
            "best_score": self.best_score,
            "best": None if self.best is None else [a.copy() for a in self.best],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.scores = [float(v) for v in state.get("scores", [])]
        best = state.get("best_score")
        self.best_score = None if best is None else float(best)
        saved = state.get("best")
        self.best = None if saved is None else [np.array(a) for a in saved]


class NetworkClassifier(ClassifierMixin, NetworkEstimator):
    """The classifier half of the network estimators: labels, output units, predictions."""

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        *,
        callbacks: Sequence[Any] = (),
        resume_state: dict[str, Any] | None = None,
    ) -> NetworkClassifier:
        """Train on X (N, d) and class labels y (``sample_weight``: the weighted mean loss)."""
        dtype = self._check_params()
        check_training_input(self, X, dtype)
        X, y = validate_data(self, X, y, dtype=dtype, order="C", ensure_all_finite=_FIT_CHECKS)
        self._check_targets(y)
        sw = check_sample_weight(type(self).__name__, sample_weight, X)
        check_weighted_classes(type(self).__name__, y, sw)
        targets, loss, n_out = self._encode(y, dtype)
        self._fit_network(X, targets, n_out, loss, dtype, callbacks, resume_state, sw)
        return self

    def _check_targets(self, y: np.ndarray) -> None:
        check_classification_targets(y)  # "Unknown label type" for continuous y
        kind = type_of_target(y, input_name="y")
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                f"{type(self).__name__}: y must be class labels (binary or multiclass), got a "
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
        idx = encode_known_labels(self, y)
        if self.classes_.size == 2:
            return np.where(idx == 1, 1.0, -1.0).astype(dtype)
        return idx

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> NetworkClassifier:
        """One epoch of SGD over (X, y); ``classes`` (all labels) is required on the first
        call. Continues ``coefs_``/``intercepts_`` as they are now (after ``fit``, pickling,
        ``joblib.load`` or assignment)."""
        first = partial_fit_classes(self, classes)
        if first:
            self._check_params()
            binary = self.classes_.size == 2
            self.out_activation_ = "logistic" if binary else "softmax"
            self.n_outputs_ = 1 if binary else int(self.classes_.size)
        dtype = np.dtype(self.dtype) if first else np.dtype(self.coefs_[0].dtype)
        check_training_input(self, X, dtype)
        X, y = validate_data(
            self, X, y, dtype=dtype, order="C", reset=first, ensure_all_finite=_FIT_CHECKS
        )
        self._check_targets(y)
        sw = check_sample_weight(type(self).__name__, sample_weight, X)
        loss = LogisticLoss() if self.out_activation_ == "logistic" else CrossEntropyLoss()
        self._partial_epoch(X, self._targets_for(y, dtype), loss, sw, first)
        return self

    @staticmethod
    def _validation_score(z: np.ndarray, y: np.ndarray, sw: np.ndarray | None) -> float:
        """Accuracy (weighted by sw) of the logits z against the encoded targets y."""
        pred = (z[:, 0] > 0) * 2.0 - 1.0 if z.shape[1] == 1 else np.argmax(z, axis=1)
        return float(np.average(pred == y, weights=sw))

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
        """classes_[1] where z > 0 (two classes; z = 0, where both probabilities are 0.5,
        gives classes_[0] as argmax(predict_proba) and scikit-learn do), classes_[argmax z]
        otherwise."""
        z = self._forward(X)
        if z.shape[1] == 1:
            return self.classes_[(z[:, 0] > 0).astype(np.intp)]
        return self.classes_[np.argmax(z, axis=1)]
