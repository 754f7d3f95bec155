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
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from byhand._inference import row_invariant_matmul
from byhand._magnitude import check_dtype_range, check_training_input, one_scan
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
from byhand.training import (
    History,
    NonFiniteInputError,
    _all_finite,
    _mode,
    _read_only,
    check_finite_input,
)

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
        """Early stopping's held-out set: scikit-learn's ``train_test_split`` with
        ``test_size=validation_fraction``, seeded from ``rng``, stratified by class for a
        classifier with one label per sample (as scikit-learn's MLPClassifier), so that
        every class is in both parts in about its proportion."""
        n = X.shape[0]
        n_val = int(np.ceil(float(self.validation_fraction) * n))
        owner = type(self).__name__
        if n_val < 2 or n - n_val < 1:
            raise ValueError(
                f"{owner}: early_stopping holds out validation_fraction="
                f"{self.validation_fraction} of the {n} samples, {n_val} sample(s); the "
                "validation set needs at least 2 samples to be scored and the training set "
                "at least 1: increase validation_fraction or give more samples"
            )
        strata = self._strata(y)
        if strata is not None:
            self._check_strata(strata, n_val, n - n_val)
        seed = int(rng.integers(np.iinfo(np.int32).max))
        train, val = train_test_split(
            np.arange(n), test_size=n_val, random_state=seed, stratify=strata
        )
        if sw is None:
            return X[train], y[train], None, (X[val], y[val], None)
        for part, idx in (("training", train), ("validation", val)):
            if not np.any(sw[idx] > 0):
                raise ValueError(
                    f"{owner}: early_stopping's {part} set ({idx.size} samples) holds only "
                    "samples of sample_weight 0, so it would not count: give more samples of "
                    "positive weight or change validation_fraction"
                )
        return X[train], y[train], sw[train], (X[val], y[val], sw[val])

    def _strata(self, y: np.ndarray) -> np.ndarray | None:
        """The labels to stratify the validation split by (None: a plain random split)."""
        return None

    def _check_strata(self, strata: np.ndarray, n_val: int, n_train: int) -> None:
        """ValueError naming the class when a stratified split cannot be made."""
        values, counts = np.unique(strata, return_counts=True)
        owner = type(self).__name__
        names = self._class_names(values)
        if counts.min() < 2:
            rare = [f"{c!r} ({k})" for c, k in zip(names, counts, strict=True) if k < 2]
            raise ValueError(
                f"{owner}: early_stopping splits off a stratified validation set, which needs "
                f"at least 2 samples of every class; class {', '.join(rare)} has fewer: give "
                "more samples of it or set early_stopping=False"
            )
        for part, size in (("validation", n_val), ("training", n_train)):
            if size < values.size:
                raise ValueError(
                    f"{owner}: early_stopping's stratified split needs at least one sample of "
                    f"each of the {values.size} classes in the {part} set, which gets {size} "
                    f"sample(s) with validation_fraction={self.validation_fraction}: change "
                    "validation_fraction or give more samples"
                )

    def _class_names(self, values: np.ndarray) -> list[Any]:
        return list(values)

    def _refuse_early_stopping(self) -> None:
        """scikit-learn's MLPs refuse ``partial_fit`` with ``early_stopping=True``."""
        if self.early_stopping:
            raise ValueError(
                f"{type(self).__name__}: partial_fit does not support early_stopping=True "
                "(as in scikit-learn): one pass over the data given has no held-out set to "
                "stop on; use fit, or set early_stopping=False"
            )

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
            chunk = X.shape[0] if self.batch_size is None else int(self.batch_size)
            keeper = _BestEpoch(network, Xv, yv, vsw, self._validation_score, chunk)
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
        if hist.diverged:  # only with a best epoch to return to (else _train raised)
            self.__dict__.pop("_sgd_state", None)  # its momentum holds NaN/inf
            warnings.warn(
                f"{type(self).__name__}: training diverged (the loss became NaN or inf in "
                f"epoch {hist.epochs + 1}); returning the weights of epoch "
                f"{keeper.best_epoch}, the best on the validation set (score "
                f"{keeper.best_score:.4g}); lower learning_rate (now {self.learning_rate!r}) "
                "or scale the features",
                ConvergenceWarning,
                stacklevel=3,
            )
        self._record(hist, reset=True, keeper=keeper)
        self._publish(network)

    def _record(self, hist: History, *, reset: bool, keeper: Any = None) -> None:
        """loss_curve_, n_iter_ and, as scikit-learn sets them, best_loss_ (the lowest
        training loss; None with early stopping, whose measure is the validation score),
        validation_scores_ and best_validation_score_ (None without early stopping)."""
        if reset:
            self.loss_curve_ = list(hist.loss)
            self.n_iter_ = hist.epochs
            self.validation_scores_ = None if keeper is None else list(keeper.scores)
            best = None if keeper is None else keeper.best_score
            self.best_validation_score_ = None if best is None else float(best)
        else:
            self.loss_curve_ = [*getattr(self, "loss_curve_", []), *hist.loss]
            self.n_iter_ = int(getattr(self, "n_iter_", 0)) + hist.epochs
        if reset and keeper is not None:
            self.best_loss_ = None
        else:
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
        # read-only arrays (joblib.load(mmap_mode="r"), a frozen array) are copied once:
        # the copies become the fitted arrays that training updates
        arrays = [np.ascontiguousarray(a, dtype=dtype) for a in arrays]
        arrays = [a if a.flags.writeable else a.copy() for a in arrays]
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
            self.best_validation_score_ = None
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
    set, weighted by its sample weights when given, computed as ``predict`` computes them:
    in evaluation mode (dropout off, nothing drawn from its generators, so a run with early
    stopping draws the masks a run without it would) and ``chunk`` samples at a time (the
    memory of one training batch, not of the whole held-out set). A run that diverges after
    a scored epoch ends with the best epoch's weights (``recovers_divergence``).
    """

    def __init__(
        self,
        model: Module,
        X: np.ndarray,
        y: np.ndarray,
        sw: np.ndarray | None,
        score: Any,
        chunk: int = 256,
    ) -> None:
        self.model, self.params = model, model.parameters()
        self.X, self.y, self.sw, self.score = _read_only(X), y, sw, score
        self.chunk = max(int(chunk), 1)
        self.n, self.averages = 0, []
        self.scores: list[float] = []
        self.best_score: float | None = None
        self.best: list[np.ndarray] | None = None

    @property
    def recovers_divergence(self) -> bool:
        """True once an epoch was scored: a diverged run can return to the best one."""
        return self.best is not None

    @property
    def best_epoch(self) -> int | None:
        """The epoch (from 1) of ``best_score``: the first of the highest scores."""
        return None if self.best_score is None else self.scores.index(self.best_score) + 1

    def update(self) -> None:
        pass

    def logits(self) -> np.ndarray:
        """The model's outputs on the held-out X (float64), in evaluation mode, by chunks."""
        n = self.X.shape[0]
        z = None
        with _mode(self.model, training=False):
            for s in range(0, n, self.chunk):
                part = self.model.forward(self.X[s : s + self.chunk])
                if z is None:
                    z = np.empty((n, *part.shape[1:]), dtype=np.float64)
                z[s : s + part.shape[0]] = part
        assert z is not None
        return z

    def on_epoch_end(self, state: Any) -> None:
        s = float(self.score(self.logits(), self.y, self.sw))
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


class MultilabelLogisticLoss(Loss):
    """One logistic loss per label: L = (1/N) Σₙ Σₗ log(1 + e^{−yₙₗ zₙₗ}), y ∈ {−1, +1}^{N×L}.

    The negative log-likelihood of L independent Bernoulli labels with P(yₙₗ = +1) = σ(zₙₗ)
    (CS 577 Lecture 04 (Wang, IIT, 2024), "Bernoulli maximum likelihood", once per label);
    scikit-learn's MLPClassifier on a multilabel indicator y minimises the same sum.
    ∂L/∂zₙₗ = −yₙₗ σ(−yₙₗ zₙₗ) / N. The metric is the subset accuracy: a sample counts as
    correct when all its L labels are (scikit-learn's ``accuracy_score`` on such y).
    """

    def check_targets(self, y: np.ndarray, z: np.ndarray | None = None) -> np.ndarray:
        y = np.asarray(y)
        if y.ndim != 2:
            raise ValueError(f"MultilabelLogisticLoss: y must be (N, L), got shape {y.shape}")
        bad = (y != 1) & (y != -1)
        if np.any(bad):
            raise ValueError(
                f"MultilabelLogisticLoss: labels must be −1 or +1, got "
                f"{np.unique(y[bad])[:5].tolist()}"
            )
        if z is not None and tuple(np.shape(z)) != y.shape:
            raise ValueError(
                f"MultilabelLogisticLoss: y of shape {y.shape} does not match z of shape "
                f"{np.shape(z)}"
            )
        return y

    def _forward(self, z: np.ndarray, y: np.ndarray) -> float:
        yy = y.astype(z.dtype, copy=False)
        m = np.multiply(yy, z)
        np.negative(m, out=m)  # −y z
        loss = float(np.sum(np.logaddexp(0, m))) / z.shape[0]
        grad = sigmoid(m, out=m)
        grad *= yy
        grad *= -1.0 / z.shape[0]
        self._grad = grad
        return loss

    def backward(self) -> np.ndarray:
        return self._take("_grad")

    def predict(self, z: np.ndarray) -> np.ndarray:
        return np.where(np.asarray(z) > 0, 1, -1)

    def _count_correct(self, z: np.ndarray, y: np.ndarray) -> int:
        return int(np.count_nonzero(np.all((np.asarray(z) > 0) == (y > 0), axis=1)))


class NetworkClassifier(ClassifierMixin, NetworkEstimator):
    """The classifier half of the network estimators: labels, output units, predictions.

    Targets as scikit-learn's MLPClassifier takes them: class labels y (N,) — two classes
    give one logit and the logistic loss, K > 2 give K logits and softmax cross-entropy —
    or a multilabel indicator matrix y (N, L) of 0/1, which gives L logits with one
    logistic loss each (``classes_`` = 0..L−1, ``predict`` the (N, L) indicator matrix,
    ``predict_proba`` the L probabilities σ(z), ``score`` the subset accuracy).
    """

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        *,
        callbacks: Sequence[Any] = (),
        resume_state: dict[str, Any] | None = None,
    ) -> NetworkClassifier:
        """Train on X (N, d) and class labels y (N,) or a multilabel indicator y (N, L)
        (``sample_weight``: the weighted mean loss)."""
        dtype = self._check_params()
        with one_scan():  # X's magnitude and finiteness: one pass over X, not three
            check_finite_input(self, X)
            check_training_input(self, X, dtype)
            before = self._fitted_targets() if self.warm_start else None
            X, y = self._validate_xy(X, y, dtype, reset=True)
            kind = self._check_targets(y)
            sw = check_sample_weight(type(self).__name__, sample_weight, X)
            self._check_weights(kind, y, sw)
            if before is not None:
                self._check_same_classes(before, y, kind)
            targets, loss, n_out = self._encode(y, dtype, kind)
            self._fit_network(X, targets, n_out, loss, dtype, callbacks, resume_state, sw)
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
            reset=reset,
            ensure_all_finite=_FIT_CHECKS,
        )
        if y.ndim == 2 and y.shape[1] == 1:  # a column of labels, as scikit-learn reads it
            y = column_or_1d(y, warn=True)
        return X, y

    def _check_targets(self, y: np.ndarray) -> str:
        check_classification_targets(y)  # "Unknown label type" for continuous y
        kind = type_of_target(y, input_name="y")
        if kind not in ("binary", "multiclass", "multilabel-indicator"):
            raise ValueError(
                f"{type(self).__name__}: y must be class labels (N,) (binary or multiclass) "
                f"or a multilabel indicator matrix (N, L) of 0/1, got a {kind!r} target of "
                f"shape {np.shape(y)}; for several multiclass outputs train one classifier "
                "per output (sklearn.multioutput.MultiOutputClassifier)"
            )
        return kind

    def _check_weights(self, kind: str, y: np.ndarray, sw: np.ndarray | None) -> None:
        if kind == "multilabel-indicator":
            if sw is not None:
                raise ValueError(
                    f"{type(self).__name__}: sample_weight is supported for class labels "
                    "y (N,), not for a multilabel indicator y (N, L)"
                )
        else:
            check_weighted_classes(type(self).__name__, y, sw)

    def _is_multilabel(self) -> bool:
        """A fitted multilabel network: one logistic output per label, at least two."""
        return self.__dict__.get("out_activation_") == "logistic" and self.n_outputs_ > 1

    def _fitted_targets(self) -> tuple[np.ndarray, bool] | None:
        """(classes_, multilabel?) of the fit that warm_start would continue, or None."""
        if not hasattr(self, "coefs_") or not hasattr(self, "classes_"):
            return None
        return np.asarray(self.classes_).copy(), self._is_multilabel()

    def _check_same_classes(
        self, before: tuple[np.ndarray, bool], y: np.ndarray, kind: str
    ) -> None:
        """scikit-learn's error for warm_start on other classes (the output units of the
        fitted network stand for the old ones)."""
        old, old_multilabel = before
        multilabel = kind == "multilabel-indicator"
        new = np.arange(y.shape[1]) if multilabel else np.unique(y)
        if multilabel != old_multilabel or set(old.tolist()) != set(new.tolist()):
            what = {True: "a multilabel y with labels ", False: ""}
            raise ValueError(
                f"{type(self).__name__}: warm_start can only be used where `y` has the same "
                f"classes as in the previous call to fit. Previously got "
                f"{what[old_multilabel]}{old}, `y` has {what[multilabel]}{new}"
            )

    def _encode(self, y: np.ndarray, dtype: np.dtype, kind: str) -> tuple[np.ndarray, Loss, int]:
        if kind == "multilabel-indicator":
            self.classes_ = np.arange(y.shape[1])
            self.out_activation_ = "logistic"
            return np.where(y > 0, 1.0, -1.0).astype(dtype), MultilabelLogisticLoss(), y.shape[1]
        classes = np.unique(y)
        if classes.size == 2:
            self.out_activation_ = "logistic"
            return encode_binary_labels(self, y).astype(dtype), LogisticLoss(), 1
        self.out_activation_ = "softmax"
        return encode_class_labels(self, y), CrossEntropyLoss(), int(classes.size)

    def _strata(self, y: np.ndarray) -> np.ndarray | None:
        return y if y.ndim == 1 else None  # a multilabel y is not stratified (scikit-learn)

    def _class_names(self, values: np.ndarray) -> list[Any]:
        idx = (values > 0).astype(np.intp) if self.classes_.size == 2 else values.astype(np.intp)
        return self.classes_[idx].tolist()

    def _targets_for(self, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        idx = encode_known_labels(self, y)
        if self.classes_.size == 2:
            return np.where(idx == 1, 1.0, -1.0).astype(dtype)
        return idx

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> NetworkClassifier:
        """One epoch of SGD over (X, y); ``classes`` (all labels; for a multilabel y, the
        label indices 0..L−1) is required on the first call. Continues ``coefs_`` /
        ``intercepts_`` as they are now (after ``fit``, pickling, ``joblib.load`` or
        assignment). Refused with ``early_stopping=True``, as in scikit-learn."""
        self._refuse_early_stopping()
        owner = type(self).__name__
        first = not hasattr(self, "coefs_")
        if first and classes is None:
            partial_fit_classes(self, classes)  # its error: pass classes= on the first call
        if first:
            self._check_params()
        dtype = np.dtype(self.dtype) if first else np.dtype(self.coefs_[0].dtype)
        check_finite_input(self, X)
        check_training_input(self, X, dtype)
        X, y = self._validate_xy(X, y, dtype, reset=first)
        kind = self._check_targets(y)
        sw = check_sample_weight(owner, sample_weight, X)
        if y.ndim == 2:
            self._check_weights(kind, y, sw)
            targets, loss = self._partial_multilabel(y, classes, dtype, first)
        else:
            if not first and self._is_multilabel():
                raise ValueError(
                    f"{owner}.partial_fit: the network was fitted on a multilabel y of "
                    f"{self.n_outputs_} labels; y now holds class labels {np.unique(y)[:10]}"
                )
            first = partial_fit_classes(self, classes)
            if first:
                binary = self.classes_.size == 2
                self.out_activation_ = "logistic" if binary else "softmax"
                self.n_outputs_ = 1 if binary else int(self.classes_.size)
            targets = self._targets_for(y, dtype)
            loss = LogisticLoss() if self.out_activation_ == "logistic" else CrossEntropyLoss()
        self._partial_epoch(X, targets, loss, sw, first)
        return self

    def _partial_multilabel(
        self, y: np.ndarray, classes: Any, dtype: np.dtype, first: bool
    ) -> tuple[np.ndarray, Loss]:
        owner = type(self).__name__
        labels = np.arange(y.shape[1])
        if first:
            if not np.array_equal(np.unique(np.asarray(classes)), labels):
                raise ValueError(
                    f"{owner}.partial_fit: for a multilabel y of {y.shape[1]} columns, classes "
                    f"must be the label indices {labels.tolist()}, got {np.asarray(classes)!r}"
                )
            self.classes_ = labels
            self.out_activation_ = "logistic"
            self.n_outputs_ = y.shape[1]
        elif not self._is_multilabel() or y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"{owner}.partial_fit: y is a multilabel indicator of {y.shape[1]} labels; the "
                f"network was fitted on classes {np.asarray(self.classes_).tolist()}"
                + (" (multilabel)" if self._is_multilabel() else "")
            )
        return np.where(y > 0, 1.0, -1.0).astype(dtype), MultilabelLogisticLoss()

    @staticmethod
    def _validation_score(z: np.ndarray, y: np.ndarray, sw: np.ndarray | None) -> float:
        """Accuracy (weighted by sw) of the logits z against the encoded targets y (the
        subset accuracy for a multilabel y)."""
        if y.ndim == 2:
            return float(np.average(np.all((z > 0) == (y > 0), axis=1), weights=sw))
        pred = (z[:, 0] > 0) * 2.0 - 1.0 if z.shape[1] == 1 else np.argmax(z, axis=1)
        return float(np.average(pred == y, weights=sw))

    def predict_proba(self, X: Any) -> np.ndarray:
        """[1 − σ(z), σ(z)] for two classes, softmax(z) for K > 2, σ(z) per label for a
        multilabel fit; float64."""
        z = self._forward(X).astype(np.float64)
        if self._is_multilabel():
            return sigmoid(z)
        if z.shape[1] == 1:
            return np.column_stack([sigmoid(-z[:, 0]), sigmoid(z[:, 0])])
        return softmax(z, axis=1)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log of predict_proba, by log-sum-exp / logaddexp."""
        z = self._forward(X).astype(np.float64)
        if self._is_multilabel():
            return -np.logaddexp(0, -z)
        if z.shape[1] == 1:
            return np.column_stack([-np.logaddexp(0, z[:, 0]), -np.logaddexp(0, -z[:, 0])])
        return log_softmax(z, axis=1)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True  # as scikit-learn's MLPClassifier
        return tags

    def predict(self, X: Any) -> np.ndarray:
        """classes_[1] where z > 0 (two classes; z = 0, where both probabilities are 0.5,
        gives classes_[0] as argmax(predict_proba) and scikit-learn do), classes_[argmax z]
        otherwise; for a multilabel fit the (N, L) indicator matrix [σ(z) > 0.5]."""
        z = self._forward(X)
        if self._is_multilabel():
            return (z > 0).astype(np.int64)
        if z.shape[1] == 1:
            return self.classes_[(z[:, 0] > 0).astype(np.intp)]
        return self.classes_[np.argmax(z, axis=1)]
