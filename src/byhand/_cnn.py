"""``CNNClassifier``: a LeNet-5-like convolutional network as a scikit-learn estimator.

The course goal of Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), "Neural
networks for image classification": "train a convolutional neural network for image
classification" — local convolutions in the first layers, a linear classifier with
cross-entropy on top, SGD on batches, gradients by back-propagation. The default architecture
is LeNet-5's (LeCun, Bottou, Bengio & Haffner, "Gradient-based learning applied to document
recognition", 1998) with ReLU and max pooling:

    conv 5×5, 6 channels, padding 2 → max pool 2×2 → ReLU
    conv 5×5, 16 channels            → max pool 2×2 → ReLU → flatten
    dense 120 → ReLU → dense 84 → ReLU → dense K (softmax cross-entropy; one logit and the
    logistic loss for two classes, as :class:`byhand.MLPClassifier`)

Pooling comes before the ReLU: max pooling and ReLU commute (max_i relu(a_i) =
relu(max_i a_i), and the gradients agree), and the ReLU then runs on a quarter of the numbers.
On 28 × 28 MNIST digits the maps are 6×28×28 → 6×14×14 → 16×10×10 → 16×5×5 = 400 features.

Training and prediction run on ``n_jobs`` threads (BLAS and byhand's parallel compiled
loops), one by default as scikit-learn's ``n_jobs=None``: when another job keeps a core busy,
threads that wait for each other make an epoch far slower (measured with two BLAS threads on
a 2-core AMD EPYC machine loaded by other jobs: 100 steps 21.9 s against 1.7 s with one).
On an idle machine ``n_jobs=-1`` (every core) is faster.

The training machinery (validation, SGD/Adam through ``byhand.fit``, early stopping,
checkpoints, ``partial_fit``, ``warm_start``, ``sample_weight``, ``predict_proba``) is
:mod:`byhand._network_base`'s, shared with :class:`byhand.MLPClassifier`; this class builds a
different network, reads images, and adds the convolutions' kernels to the fitted arrays
(``_coef_arrays``/``_set_coef_arrays``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from byhand._inference import row_invariant_matmul
from byhand._network_base import _INITS, NetworkClassifier, validate_predict_input
from byhand._validation import check_n_jobs, limit_threads
from byhand.linear_model._gradient import _check_number, check_learning_rate
from byhand.nn.conv import Conv2d, _windows
from byhand.nn.dropout import Dropout, set_training
from byhand.nn.layers import Linear
from byhand.nn.losses import Loss
from byhand.nn.module import Module, Sequential
from byhand.nn.pooling import Flatten, MaxPool2d
from byhand.optim.adam import Adam
from byhand.training import History, check_finite_input

__all__ = ["CNNClassifier"]

_DEFAULT_LR = {"sgd": 0.05, "adam": 1e-3}
_PREDICT_CHUNK = 256  # images per forward pass at prediction: im2col memory stays ~20 MB


def _conv_specs(layers: Any, owner: str) -> list[tuple[int, int, int]]:
    """The (out_channels, kernel, padding) of each convolution of ``conv_layers``."""
    if isinstance(layers, numbers.Integral) and not isinstance(layers, (bool, np.bool_)):
        layers = [layers]
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise ValueError(f"{owner}: conv_layers must be a sequence, got {layers!r}")
    return [_conv_spec(spec, owner) for spec in layers]


def _conv_spec(spec: Any, owner: str) -> tuple[int, int, int]:
    """(out_channels, kernel, padding) from (channels, kernel), (channels, kernel, padding) or
    channels alone (a 3 × 3 convolution with padding 1, the lecture's example filters)."""
    if isinstance(spec, numbers.Integral) and not isinstance(spec, (bool, np.bool_)):
        spec = (spec, 3, 1)
    ok = isinstance(spec, (tuple, list)) and len(spec) in (2, 3)
    if ok:
        vals = list(spec) + ([0] if len(spec) == 2 else [])
        ok = all(
            isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)) for v in vals
        )
        ok = ok and vals[0] >= 1 and vals[1] >= 1 and vals[2] >= 0
    if not ok:
        raise ValueError(
            f"{owner}: conv_layers must be a sequence of (out_channels, kernel_size) or "
            f"(out_channels, kernel_size, padding) with positive sizes, got {spec!r}"
        )
    return int(vals[0]), int(vals[1]), int(vals[2])


class CNNClassifier(NetworkClassifier):
    """Convolutional network classifier trained by minibatch SGD or Adam, backprop by hand.

    Images: X as (N, H, W) (one channel), (N, C, H, W), or flat rows (N, d) read as images of
    ``image_shape``. With ``image_shape=None`` flat rows of d = s² features are s × s
    one-channel images (MNIST's 784 → 28 × 28) and any other d a 1 × d image.

    Scale the pixels to about [0, 1] first (MNIST's ``load_mnist`` does; scikit-learn's
    ``load_digits`` gives 0–16, so divide by 16): the default SGD step 0.05 with momentum 0.9
    is set for such inputs, and on raw 0–16 pixels it can kill every ReLU in the first epoch,
    leaving the loss flat at log K (``solver="adam"`` is less sensitive to the scale).

    Parameters
    ----------
    conv_layers : sequence of (out_channels, kernel_size[, padding]), default ((6, 5, 2), (16, 5))
        The convolution blocks (stride 1), each followed by ``pool_size`` max pooling and ReLU.
        A bare int c stands for (c, 3, 1), a 3 × 3 convolution keeping the size (on the command
        line: ``--param conv_layers=8,16`` is two such layers).
    dense_layers : sequence of int, default (120, 84)
        The hidden fully connected layers (ReLU) before the output layer.
    pool_size : int, default 2
        Max-pooling window (and stride); 1 turns pooling off.
    dropout : float in [0, 1), default 0
        Dropout after each hidden dense layer while training (Srivastava et al., 2014).
    image_shape : None, (H, W) or (C, H, W)
        How flat rows are read as images (ignored, but checked, for 3-D / 4-D X).
    solver : "sgd" (default) or "adam"
        SGD with ``momentum`` (v ← μv + g, θ ← θ − ε v) or Adam (Kingma & Ba, 2015).
    learning_rate : float, schedule or None (default)
        None: 0.05 for SGD, 0.001 for Adam.
    batch_size : int, default 64
    momentum : float in [0, 1), default 0.9 (SGD only)
    n_jobs : int or None, default None
        Threads for training and prediction (BLAS and the compiled loops), as scikit-learn's
        ``n_jobs``: None is 1, −1 every core, −2 all but one. The fitted model does not
        depend on it beyond float rounding in BLAS's products.
    alpha, max_iter (default 20), tol, n_iter_no_change (default 3), early_stopping,
    validation_fraction, shuffle, warm_start, init, dtype, random_state, verbose
        As :class:`byhand.MLPClassifier` (``warm_start``: ``fit`` starts from the fitted
        kernels and weights when the architecture is the same).

    **Tiny images** (scikit-learn's checks feed rows of 2–5 features, i.e. 1 × d images):
    a convolution pads just enough, per axis, for its kernel to fit once
    (padding = max(P, ⌈(k − size)/2⌉)), and a pooling window shrinks to the map where the map
    is smaller than it. On images of at least 16 × 16 (for the default) nothing changes.

    Attributes
    ----------
    classes_, image_shape_ (C, H, W), conv_weights_ (list of (out, in, k, k) arrays),
    conv_biases_ (list of (out,) arrays), coefs_ and intercepts_ of the dense layers
    (in, out), loss_curve_, validation_scores_, best_validation_score_, best_loss_, n_iter_,
    n_layers_, n_outputs_, out_activation_, n_features_in_ (C·H·W), all as
    :class:`byhand.MLPClassifier` (y may also be a multilabel indicator matrix). The four
    weight lists are the only copy of the parameters: ``predict`` reads them and
    ``partial_fit``/``warm_start`` continue from them (also after pickling,
    ``byhand.save``/``load`` or assignment); dropout's mask generators are kept with them,
    so a continued run draws the masks an uninterrupted one would. Every scoring path
    (early stopping's validation scores and best epoch, ``predict``, ``predict_proba``,
    ``score``, ``byhand.fit``'s callbacks) runs with dropout off and draws nothing from
    those generators.

    ``fit(X, y, sample_weight=None, callbacks=(), resume_state=None)`` and
    ``partial_fit(X, y, classes=None, sample_weight=None)``: as
    :class:`byhand.MLPClassifier` (weighted mean loss Σ sₙℓₙ / Σ s; with
    ``solver="adam"`` ``partial_fit`` continues Adam's step count and moments).

    Raises ValueError for images that do not match ``image_shape`` / the fitted shape.
    Source: Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), "Neural networks
    for image classification"; LeNet-5 (LeCun et al., 1998).

    Raises
    ------
    ValueError
        On invalid parameters, rows that do not fit ``image_shape``, or NaN or inf in X.
    sklearn.exceptions.NotFittedError
        When ``predict`` is called before ``fit``.

    Examples
    --------
    A small CNN on 300 of scikit-learn's 8×8 digits (pixels already in [0, 1]); MNIST works
    the same way with ``load_mnist()``:

    >>> from byhand import CNNClassifier
    >>> from byhand.datasets import load_digits
    >>> X, y = load_digits()
    >>> cnn = CNNClassifier(conv_layers=[(4, 3, 1)], dense_layers=[16], max_iter=15,
    ...                     tol=None, random_state=0).fit(X[:300], y[:300])
    >>> cnn.score(X[:300], y[:300]) > 0.9
    True
    >>> cnn.predict(X[300:305].reshape(5, 8, 8)).shape
    (5,)
    """

    _solvers = ("sgd", "adam")
    _fit_solvers = ("sgd", "adam")
    average = False  # no Polyak–Ruppert averaging here (read by the shared parameter check)

    def __init__(
        self,
        conv_layers: Sequence[Any] = ((6, 5, 2), (16, 5)),
        dense_layers: Sequence[int] = (120, 84),
        *,
        pool_size: int = 2,
        dropout: float = 0.0,
        image_shape: Sequence[int] | None = None,
        solver: str = "sgd",
        alpha: float = 0.0,
        batch_size: int | None = 64,
        learning_rate: Any = None,
        momentum: float = 0.9,
        max_iter: int = 20,
        tol: float | None = 1e-4,
        n_iter_no_change: int = 3,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        shuffle: bool = True,
        warm_start: bool = False,
        init: str = "glorot_uniform",
        dtype: str = "float32",
        random_state: Any = None,
        verbose: int = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.conv_layers = conv_layers
        self.dense_layers = dense_layers
        self.pool_size = pool_size
        self.dropout = dropout
        self.image_shape = image_shape
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
        self.warm_start = warm_start
        self.init = init
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    # -- parameters ----------------------------------------------------------------------
    @property
    def hidden_layer_sizes(self) -> Sequence[int]:
        """The dense hidden widths (the shared MLP checks read this name)."""
        return self.dense_layers

    activation = "relu"

    def _check_params(self) -> np.dtype:
        owner = type(self).__name__
        _conv_specs(self.conv_layers, owner)
        _check_number(owner, "pool_size", self.pool_size, numbers.Integral, low=1)
        _check_number(owner, "dropout", self.dropout, numbers.Real, low=0.0, high=0.99)
        if self.image_shape is not None:
            self._image_shape_param()
        if self.init not in _INITS:
            raise ValueError(f"{owner}: init must be one of {list(_INITS)}, got {self.init!r}")
        check_n_jobs(owner, self.n_jobs)
        return super()._check_params()

    def _check_learning_rate(self) -> None:
        if self.learning_rate is not None:
            check_learning_rate(type(self).__name__, self.learning_rate)

    def _learning_rate(self) -> Any:
        lr = self.learning_rate
        return _DEFAULT_LR.get(self.solver, 0.05) if lr is None else lr

    def _image_shape_param(self) -> tuple[int, int, int]:
        shape = self.image_shape
        ok = isinstance(shape, (tuple, list)) and len(shape) in (2, 3)
        ok = ok and all(
            isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)) and v >= 1
            for v in shape
        )
        if not ok:
            raise ValueError(
                f"{type(self).__name__}: image_shape must be None, (H, W) or (C, H, W) of "
                f"positive ints, got {shape!r}"
            )
        dims = tuple(int(v) for v in shape)
        return (1, *dims) if len(dims) == 2 else dims  # type: ignore[return-value]

    # -- images ----------------------------------------------------------------------------
    def _rows(self, X: Any, *, fitting: bool) -> tuple[Any, tuple[int, int, int] | None]:
        """(X as flat rows, its image shape or None for rows to be read with the default)."""
        if isinstance(X, np.ndarray) and X.ndim in (3, 4):
            shape = (1, *X.shape[1:]) if X.ndim == 3 else tuple(X.shape[1:])
            want = self._image_shape_param() if self.image_shape is not None else None
            if fitting and want is not None and want != shape:
                raise ValueError(
                    f"{type(self).__name__}: images of shape {shape} do not match "
                    f"image_shape={self.image_shape!r}"
                )
            flat = X.reshape(X.shape[0], math.prod(X.shape[1:]))  # (0, …) too: no -1
            return flat, shape  # type: ignore[return-value]
        return X, None

    def _shape_for(self, n_features: int, given: tuple[int, int, int] | None) -> tuple:
        if given is not None:
            return given
        if self.image_shape is not None:
            shape = self._image_shape_param()
            if math.prod(shape) != n_features:
                raise ValueError(
                    f"{type(self).__name__}: rows of {n_features} features cannot be images "
                    f"of image_shape={self.image_shape!r} ({math.prod(shape)} values)"
                )
            return shape
        side = math.isqrt(n_features)
        return (1, side, side) if side * side == n_features else (1, 1, n_features)

    def _check_finite_images(self, X: Any) -> None:
        """NaN/inf named by sample and pixel (c, h, w) as given, before X becomes rows."""
        check_finite_input(self, X[:, None] if isinstance(X, np.ndarray) and X.ndim == 3 else X)

    def _images(self, X: np.ndarray) -> np.ndarray:
        return X.reshape(X.shape[0], *self.image_shape_)

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        *,
        callbacks: Sequence[Any] = (),
        resume_state: dict[str, Any] | None = None,
    ) -> CNNClassifier:
        """Train on images X ((N, H, W), (N, C, H, W) or flat rows) and class labels y
        (``sample_weight`` (N,): the weighted mean loss, as :class:`byhand.MLPClassifier`)."""
        self._check_finite_images(X)
        rows, shape = self._rows(X, fitting=True)
        self._given_shape = shape
        super().fit(rows, y, sample_weight, callbacks=callbacks, resume_state=resume_state)
        return self

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> CNNClassifier:
        """One epoch over (X, y), continuing ``conv_weights_``/``conv_biases_``/``coefs_``/
        ``intercepts_`` as they are now; ``classes`` (all labels) is required on the first
        call. Refused with ``early_stopping=True``, as in scikit-learn."""
        self._refuse_early_stopping()
        self._check_finite_images(X)
        rows, shape = self._rows(X, fitting=not hasattr(self, "image_shape_"))
        if hasattr(self, "image_shape_") and shape is not None and shape != self.image_shape_:
            raise ValueError(
                f"{type(self).__name__}: images of shape {shape}, the network was built for "
                f"{self.image_shape_}"
            )
        self._given_shape = shape
        super().partial_fit(rows, y, classes=classes, sample_weight=sample_weight)
        return self

    # -- network ---------------------------------------------------------------------------
    def _build(
        self, n_in: int, n_out: int, rng: np.random.Generator, dtype: np.dtype
    ) -> Sequential:
        if "image_shape_" not in self.__dict__:
            given = self.__dict__.get("_given_shape")
            self.image_shape_ = tuple(self._shape_for(n_in, given))
        c, h, w = self.image_shape_
        modules: list[Module] = []
        init = {"init": self.init, "random_state": rng, "dtype": dtype}
        for out_c, k, p in _conv_specs(self.conv_layers, type(self).__name__):
            pad = (max(p, -(-(k - h) // 2)), max(p, -(-(k - w) // 2)))  # fits at least once
            modules.append(Conv2d(c, out_c, k, padding=pad, **init))
            c, h, w = out_c, h + 2 * pad[0] - k + 1, w + 2 * pad[1] - k + 1
            window = (min(self.pool_size, h), min(self.pool_size, w))
            if window != (1, 1):
                modules.append(MaxPool2d(window))
                h, w = h // window[0], w // window[1]
            modules.append(_relu())
        modules.append(Flatten())
        sizes = [c * h * w, *(int(s) for s in self.dense_layers), n_out]
        for i in range(len(sizes) - 1):
            modules.append(Linear(sizes[i], sizes[i + 1], **init))
            if i < len(sizes) - 2:
                modules.append(_relu())
                if self.dropout:
                    # its own generator (seeded from rng): checkpoints save its state apart
                    seed = int(rng.integers(np.iinfo(np.int64).max))
                    modules.append(Dropout(float(self.dropout), random_state=seed))
        return Sequential(*modules, input_grad=False)

    def _publish(self, network: Sequential) -> None:
        super()._publish(network)
        convs = [m for m in network.modules if isinstance(m, Conv2d)]
        self.conv_weights_ = [m.weight.data for m in convs]
        self.conv_biases_ = [m.bias.data for m in convs]  # type: ignore[union-attr]
        # Dropout's mask generators: kept with the weights, so that partial_fit, pickling
        # and byhand.save continue the same stream of masks
        self._dropout_rngs = [m.generator for m in network.modules if isinstance(m, Dropout)]

    # -- the one source of truth: conv_weights_/conv_biases_ + coefs_/intercepts_ ----------
    def _coef_arrays(self) -> list[np.ndarray]:
        """K₁, c₁, K₂, c₂, … (convolutions), then W₁, b₁, … (dense): ``network.parameters()``."""
        out: list[np.ndarray] = []
        for K, c in zip(self.conv_weights_, self.conv_biases_, strict=True):
            out += [K, c]
        return out + super()._coef_arrays()

    def _set_coef_arrays(self, arrays: list[np.ndarray]) -> None:
        n = 2 * len(self.conv_weights_)
        self.conv_weights_, self.conv_biases_ = list(arrays[0:n:2]), list(arrays[1:n:2])
        super()._set_coef_arrays(list(arrays[n:]))

    def _network_on_coefs(self) -> Sequential:
        network = super()._network_on_coefs()
        drops = [m for m in network.modules if isinstance(m, Dropout)]
        saved = self.__dict__.get("_dropout_rngs")
        if saved is not None and len(saved) == len(drops):
            for m, generator in zip(drops, saved, strict=True):
                m.generator = generator
        self._dropout_rngs = [m.generator for m in drops]
        return network

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
        self.image_shape_ = tuple(self._shape_for(X.shape[1], self.__dict__.get("_given_shape")))
        super()._fit_network(self._images(X), y, n_out, loss, dtype, callbacks, resume_state, sw)

    def _partial_epoch(
        self,
        X: np.ndarray,
        y: np.ndarray,
        loss: Loss,
        sw: np.ndarray | None,
        first: bool,
    ) -> None:
        if first:
            self.image_shape_ = tuple(
                self._shape_for(X.shape[1], self.__dict__.get("_given_shape"))
            )
            self.__dict__.pop("_dropout_rngs", None)
        self._continuing = not first  # read by _train: Adam continues its saved moments
        try:
            super()._partial_epoch(self._images(X), y, loss, sw, first)
        finally:
            del self._continuing

    def _train(self, model: Module, loss: Loss, X: np.ndarray, y: np.ndarray, **kw: Any) -> History:
        if self.solver == "adam" and not isinstance(kw.get("optimizer"), Adam):
            optimizer = Adam(
                model.parameters(), lr=self._learning_rate(), weight_decay=2.0 * float(self.alpha)
            )
            state = getattr(self, "_sgd_state", None)
            if self.__dict__.get("_continuing") and state is not None:
                try:  # partial_fit: the step count and moments of the previous call
                    optimizer.load_state_dict(state["optimizer"])
                except (ValueError, KeyError, TypeError):
                    pass  # another optimizer's state or other shapes: a fresh Adam
                else:
                    shapes = [p.data.shape for p in model.parameters()]
                    if [np.shape(m) for m in optimizer._m] != shapes:
                        optimizer = Adam(
                            model.parameters(),
                            lr=self._learning_rate(),
                            weight_decay=2.0 * float(self.alpha),
                        )
            kw["optimizer"] = optimizer
        with limit_threads(self.n_jobs):
            return super()._train(model, loss, X, y, **kw)

    def _forward(self, X: Any) -> np.ndarray:
        """The network's logits for X, in evaluation mode, ``_PREDICT_CHUNK`` images at a time."""
        check_is_fitted(self, "coefs_")
        rows, shape = self._rows(X, fitting=False)
        if shape is not None and shape != tuple(self.image_shape_):
            raise ValueError(
                f"{type(self).__name__}: images of shape {shape}, the network was fitted on "
                f"{tuple(self.image_shape_)}"
            )
        rows = validate_predict_input(self, rows, self.coefs_[0].dtype)
        images = self._images(rows)
        net = self._network_reading_coefs()
        was_training = getattr(net, "training", True)
        set_training(net, False)
        try:
            with limit_threads(self.n_jobs):
                parts = [
                    _predict_forward(net, images[s : s + _PREDICT_CHUNK])
                    for s in range(0, images.shape[0], _PREDICT_CHUNK)
                ]
        finally:
            set_training(net, was_training)
        if not parts:
            return np.zeros((0, self.n_outputs_), dtype=self.coefs_[0].dtype)
        return np.concatenate(parts)

    def _network_reading_coefs(self) -> Sequential:
        """The network with the fitted arrays as its parameters (read-only use: predict)."""
        arrays = self._coef_arrays()
        net = self._build(
            int(self.n_features_in_),
            int(self.n_outputs_),
            np.random.default_rng(0),
            np.dtype(self.coefs_[0].dtype),
        )
        params = net.parameters()
        if [np.shape(a) for a in arrays] != [p.data.shape for p in params]:
            raise ValueError(
                f"{type(self).__name__}: the fitted arrays have shapes "
                f"{[np.shape(a) for a in arrays]}, the network {[p.data.shape for p in params]}"
            )
        for p, a in zip(params, arrays, strict=True):
            p.data = a
        return net

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


def _predict_forward(net: Sequential, x: np.ndarray) -> np.ndarray:
    """The network's forward for prediction, every image's logits as if it were alone.

    The products of the convolutions (one row per output position) and of the dense layers
    go through :func:`byhand._inference.row_invariant_matmul` (float64 on row blocks of a
    fixed shape); pooling, ReLU and Flatten act on each image alone. So ``predict(X)[i]``
    equals ``predict(X[i:i+1])`` bit for bit, as for the other estimators.
    """
    for m in net.modules:
        if isinstance(m, Conv2d):
            x = _conv_rows(m, x)
        elif isinstance(m, Linear):
            x = row_invariant_matmul(x, m.weight.data)
            if m.bias is not None:
                x += m.bias.data
        else:
            x = np.array(m.forward(x))
    return x


def _conv_rows(conv: Conv2d, x: np.ndarray) -> np.ndarray:
    """conv(x) with the patches as rows (N·OH·OW, C·kH·kW), multiplied row-invariantly."""
    oh, ow = conv._geometry(x)
    n = x.shape[0]
    xp = conv._padded(x, "xp")  # (C, N, H̃, W̃)
    windows = _windows(xp, conv.kernel_size, conv.stride, (oh, ow))  # (C, N, OH, OW, kH, kW)
    rows = np.ascontiguousarray(windows.transpose(1, 2, 3, 0, 4, 5)).reshape(n * oh * ow, -1)
    w = conv.weight.data
    y = row_invariant_matmul(rows, w.reshape(w.shape[0], -1).T)
    if conv.bias is not None:
        y += conv.bias.data
    return np.ascontiguousarray(y.reshape(n, oh, ow, -1).transpose(0, 3, 1, 2))


def _relu() -> Module:
    from byhand.nn.activations import ReLU

    return ReLU(inplace=True)  # after a pooling or Linear layer, which keep no output
