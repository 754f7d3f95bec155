"""``fit``: the one training loop for every gradient-trained thing in byhand.

Each step is the lecture's forward pass, backward pass and gradient step
(EE-559 3.6 (Fleuret, EPFL, 2019) "Back-propagation"): z = f(x_batch), L = loss(z, y),
∇ by backward, θ ← θ − ε_k ∇. ``batch_size=None`` is full-batch gradient descent; a number is
minibatch SGD, in dataset order or reshuffled each epoch (CS 577 Lecture 01 (Wang, IIT, 2024),
"Stochastic gradient descent" uses both).

A run whose loss becomes non-finite stops at once with a warning naming the epoch and
``History.diverged = True`` rather than raising: divergence is sometimes the lesson
(CS 577 Lecture 01's ε = 0.2).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from byhand import kernels
from byhand._magnitude import sum_of_squares
from byhand._progress import for_fit
from byhand.nn import _blas
from byhand.nn.losses import Loss
from byhand.nn.module import Module, Sequential, parameter_uses, reuse_buffers
from byhand.optim.fused import FusedSGDStep
from byhand.optim.sgd import SGD, Averager


class DivergenceWarning(RuntimeWarning):
    """Training stopped because the loss became NaN or infinite."""


@dataclass
class History:
    """Per-epoch record of a run: training loss and metric, validation ones, wall time.

    ``epochs`` is the number of epochs recorded; ``to_dict()``/``from_dict()`` convert to and
    from plain data (checkpoints store it so).

    Examples
    --------
    >>> from byhand import History
    >>> h = History(metric_name="accuracy", loss=[0.7, 0.4], metric=[0.5, 0.9])
    >>> h.epochs, History.from_dict(h.to_dict()) == h
    (2, True)
    """

    metric_name: str = "accuracy"
    loss: list[float] = field(default_factory=list)
    metric: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    diverged: bool = False
    stopped_early: bool = False
    best_epoch: int | None = None

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> History:
        return cls(**d)


@dataclass
class TrainState:
    """What a callback sees after each epoch (and what a checkpoint must save)."""

    epoch: int
    model: Module
    loss: Loss
    optimizer: SGD
    history: History
    rng: np.random.Generator
    averager: Averager | None = None

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to resume exactly: weights, optimizer state (momentum buffers,
        step count), averages, the RNG's state and the history. Arrays stay NumPy arrays;
        the rest is JSON-serialisable."""
        return {
            "epoch": self.epoch,
            "params": [p.data.copy() for p in self.model.parameters()],
            "optimizer": self.optimizer.state_dict(),
            "averager": None if self.averager is None else self.averager.state_dict(),
            "rng": self.rng.bit_generator.state,
            "module_rngs": [g.bit_generator.state for g in _module_generators(self.model)],
            "history": self.history.to_dict(),
        }


def _module_generators(model: Module) -> list[np.random.Generator]:
    """The random generators of the model's modules (Dropout's masks), in module order."""
    found = []
    for m in model._walk():
        generator = m.__dict__.get("generator")
        if isinstance(generator, np.random.Generator):
            found.append(generator)
    return found


def restore(
    snapshot: dict[str, Any], model: Module, optimizer: SGD, averager: Averager | None = None
) -> tuple[np.random.Generator, History]:
    """Load a :meth:`TrainState.snapshot` into freshly built objects.

    Returns the generator (in the saved state) and the history to pass to :func:`fit` as
    ``random_state`` and ``history``: the resumed run is bit-identical to an uninterrupted one.
    """
    params = model.parameters()
    saved = snapshot["params"]
    if len(saved) != len(params):
        raise ValueError(f"checkpoint has {len(saved)} parameters, the model {len(params)}")
    for p, a in zip(params, saved, strict=True):
        if np.shape(a) != p.data.shape:
            raise ValueError(
                f"checkpoint parameter of shape {np.shape(a)} does not fit "
                f"{p.name or 'a parameter'} of shape {p.data.shape}"
            )
    _own_parameter_arrays(model)
    for p, a in zip(params, saved, strict=True):
        p.data[...] = a
    optimizer.load_state_dict(snapshot["optimizer"])
    for generator, saved_state in zip(
        _module_generators(model), snapshot.get("module_rngs", []), strict=False
    ):
        generator.bit_generator.state = saved_state
    if averager is not None and snapshot.get("averager") is not None:
        averager.load_state_dict(snapshot["averager"])
    state = snapshot["rng"]
    rng = np.random.Generator(getattr(np.random, state["bit_generator"])())
    rng.bit_generator.state = state
    return rng, History.from_dict(snapshot["history"])


Callback = Callable[[TrainState], Any]


def _all_finite(X: np.ndarray) -> bool:
    """True iff no entry of the float array X is NaN or ±inf, at the cost of one BLAS pass.

    x·x = Σ x_i² is NaN or +inf as soon as one x_i is (squares are >= 0, so nothing cancels);
    a non-finite x·x may also come from squares of large finite values overflowing, so only
    then is every entry checked one by one. Either way the answer is exact.
    """
    if X.dtype.kind == "f" and X.flags.c_contiguous:
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(sum_of_squares(X)):
                return True
    return bool(np.all(np.isfinite(X)))


class NonFiniteInputError(ValueError):
    """X holds a NaN or an infinity, or a value beyond the range of the model's dtype (1e300
    for a float32 model); the message names the first one: its sample and its feature (for
    (N, C, H, W) images, its pixel (c, h, w)). ``sample``, ``feature`` and ``value`` say
    where; ``feature_detail`` is the message without the sample (which an estimator that split
    off validation rows cannot map back to its caller's X)."""

    def __init__(self, what: str, X: np.ndarray, given: np.ndarray | None = None) -> None:
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(X))[0])
        self.sample, self.feature = index[0], index[1:]
        where = f"feature {index[1]}" if X.ndim == 2 else f"pixel {self.feature}"
        original = float(given[index]) if given is not None else float(X[index])
        self.value = original

        def detail(place: str) -> str:
            if np.isfinite(original):  # finite as given: too large for the model's dtype
                return (
                    f"X holds {original:.3g} in {place}, beyond the range of the model's "
                    f"{X.dtype} (largest {np.finfo(X.dtype).max:.3g}); scale the features first"
                )
            kind = "NaN" if np.isnan(original) else ("inf" if original > 0 else "-inf")
            return f"X contains {kind} in {place}"

        self.feature_detail = detail(where)
        super().__init__(f"{what}: {detail(f'{where} of sample {self.sample}')}")


def check_finite_input(estimator: Any, X: Any) -> None:
    """Refuse NaN/inf in a float array X (N, …) as the caller gave it to an estimator's fit,
    naming the sample and the feature (the pixel (c, h, w) of images): ``fit`` sees X after
    a validation split and shuffle, where the sample's index is another. One BLAS pass when
    X is finite (remembered inside :func:`byhand._magnitude.one_scan`)."""
    if isinstance(X, np.ndarray) and X.ndim >= 2 and X.dtype.kind == "f" and X.size:
        if not _all_finite(X):
            raise ValueError(str(NonFiniteInputError(type(estimator).__name__, X))) from None


def _read_only(X: np.ndarray) -> np.ndarray:
    """A read-only view of X: the caller's data reach the model only through it, so a module
    that writes over its input (``nn.ReLU(inplace=True)`` first in a network) copies instead
    of changing the caller's array (a minibatch gathered by ``fit`` is fit's own array)."""
    view = X.view()
    view.flags.writeable = False
    return view


def _check_data(
    X: Any, y: Any, model: Module, loss: Loss, dtype: np.dtype, what: str
) -> tuple[Any, Any]:
    X = np.asarray(X)
    if X.ndim not in (2, 4):
        raise ValueError(
            f"{what}: X must be a 2-D array (N, features) or a batch of images "
            f"(N, C, H, W), got shape {X.shape}"
        )
    if not np.issubdtype(X.dtype, np.number):
        raise ValueError(f"{what}: X must be numeric, got dtype {X.dtype}")
    if X.shape[0] == 0:
        raise ValueError(f"{what}: X has 0 samples (shape {X.shape}); give at least one sample")
    given = X
    with np.errstate(over="ignore", invalid="ignore"):  # out of range: said below, once
        X = _read_only(np.ascontiguousarray(X, dtype=dtype))
    if not _all_finite(X):
        raise NonFiniteInputError(what, X, given if given.dtype.kind == "f" else None)
    y = np.asarray(y)
    if y.shape[0:1] != X.shape[0:1]:
        raise ValueError(
            f"{what}: X and y must have the same number of samples, got {X.shape[0]} and "
            f"{y.shape[0] if y.ndim else 'a scalar'}"
        )
    with _mode(model, training=False):  # a shape probe: no dropout, no randomness drawn
        try:
            probe = model.forward(X[:1]) if X.shape[0] else None
        except ValueError as e:  # the probe sees one row: name the shape the caller gave
            raise ValueError(f"{what}: X of shape {X.shape} does not fit the model: {e}") from e
    y = loss.check_targets(
        y, None if probe is None else np.broadcast_to(probe, (X.shape[0], *probe.shape[1:]))
    )
    if loss.metric_name == "r2":
        y = np.ascontiguousarray(y, dtype=dtype)
    return X, y


def _metric_sum(loss: Loss, z: np.ndarray, y: np.ndarray, batch_loss: float) -> float:
    """Correct predictions (classification) or the squared error (regression) of a batch."""
    if loss.metric_name == "r2":
        return batch_loss * z.shape[0]
    return float(loss._count_correct(z, y))


def _finish_metric(loss: Loss, total: float, n: int, sst: float) -> float:
    """Accuracy, or R² = 1 − SSE/SST; for constant targets (SST = 0) scikit-learn's
    ``r2_score`` convention: 1.0 for a perfect fit, else 0.0 (not a silent NaN)."""
    if loss.metric_name == "r2":
        if sst > 0:
            return 1.0 - total / sst
        return 1.0 if total == 0 else 0.0
    return total / n


def _sst(loss: Loss, y: np.ndarray) -> float:
    if loss.metric_name != "r2":
        return 0.0
    yy = y.reshape(y.shape[0], -1).astype(np.float64)
    return float(np.sum((yy - yy.mean(axis=0)) ** 2))


@contextmanager
def _mode(model: Module, training: bool) -> Iterator[None]:
    """The model and its submodules in training (or evaluation) mode; on leaving, each module
    gets back the mode it had."""
    before = [(m, m.training) for m in model._walk()]
    model.train(training)
    try:
        yield
    finally:
        for m, flag in before:
            m.training = flag


def evaluate(
    model: Module, loss: Loss, X: Any, y: Any, batch_size: int = 4096
) -> tuple[float, float]:
    """(mean loss, metric) of the model on (X, y), in evaluation mode.

    The model runs in ``model.eval()`` (dropout off, no random draws; each module's mode is
    restored afterwards) on chunks of ``batch_size`` samples, so memory stays that of one
    chunk. The metric is the loss's: accuracy, or R² for ``MSELoss``.

    Raises ValueError for X with no samples (a mean over nothing is undefined), X and y of
    different lengths, X that does not fit the model, NaN/inf in X, or a ``batch_size`` that
    is not a positive integer.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise ValueError(f"evaluate: batch_size must be a positive integer, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"evaluate: batch_size must be a positive integer, got {batch_size!r}")
    params = model.parameters()
    dtype = params[0].data.dtype if params else np.result_type(np.asarray(X).dtype, np.float32)
    X, y = _check_data(X, y, model, loss, dtype, "evaluate")
    return _evaluate(model, loss, X, y, int(batch_size))


def _evaluate(
    model: Module, loss: Loss, X: np.ndarray, y: np.ndarray, batch_size: int
) -> tuple[float, float]:
    """:func:`evaluate` on data already checked by :func:`_check_data` (at least one sample)."""
    n = X.shape[0]
    total_loss = total_metric = 0.0
    with _mode(model, training=False):
        for s in range(0, n, batch_size):
            z = model.forward(X[s : s + batch_size])
            l_b = loss._forward(z, y[s : s + batch_size])
            total_loss += l_b * z.shape[0]
            total_metric += _metric_sum(loss, z, y[s : s + batch_size], l_b)
            loss.__dict__.pop("_p", None)
    return total_loss / n, _finish_metric(loss, total_metric, n, _sst(loss, y))


def _early_stopping_state(hist: History, validated: bool) -> tuple[float, int]:
    """(best watched loss, epochs since it) replayed from a resumed run's history."""
    if hist.best_epoch is None:
        return math.inf, 0
    watched = hist.val_loss if validated else hist.loss
    return watched[hist.best_epoch - 1], hist.epochs - hist.best_epoch


def _own_parameter_arrays(model: Module) -> None:
    """Copy each parameter array that cannot be written (read-only, a ``mmap_mode="r"``
    memory map): training then updates the copy, never the array it was given."""
    for p in model.parameters():
        if not p.data.flags.writeable:
            p.data = p.data.copy()


def _model_dtype(model: Module) -> np.dtype:
    params = model.parameters()
    if not params:
        raise ValueError("fit: the model has no parameters to train")
    return params[0].data.dtype


# Auto mode fuses only when some parameter has at least this many entries: below it the
# saved passes over W cost less than the extra BLAS calls (measured: even at 64×64,
# about 1.1× slower fused; faster from 128×128 on).
_FUSE_MIN_SIZE = 2**14


def _why_not_fused(model: Module, optimizer: Any, dtype: np.dtype) -> str | None:
    """None when the SGD step can be done inside backward; else the reason it cannot."""
    if type(optimizer) is not SGD:
        return f"the optimizer is a {type(optimizer).__name__}, not byhand.optim.SGD"
    if not model.supports_fused_step:
        culprits = [
            type(m).__name__
            for m in model._walk()
            if isinstance(m, Module) and not isinstance(m, Sequential) and not m.supports_fused_step
        ]
        named = f" ({', '.join(dict.fromkeys(culprits))})" if culprits else ""
        return f"a module with parameters does not declare supports_fused_step{named}"
    if not _blas.available(dtype):
        return f"NumPy's BLAS library was not found for {np.dtype(dtype)}"
    return None


@contextmanager
def _stepper(optimizer: SGD, fuse: bool, model: Module) -> Iterator[FusedSGDStep | None]:
    if not fuse:
        yield None
        return
    # after _check_data's probe forward: which parameters the last pass used more than once
    uses = parameter_uses(model)
    shared = [p for p in optimizer.params if uses.get(id(p), 0) > 1]
    with optimizer.fusing(shared) as step:
        yield step


def _frozen_parameters(model: Module, optimizer: Any, averager: Averager | None) -> list[Any]:
    """The model's parameters the optimizer does not hold (they stay as they are); raises
    ValueError if the optimizer or the averager holds parameters that are not the model's."""
    params = model.parameters()
    own = {id(p) for p in params}
    for what, obj in (("optimizer", optimizer), ("averager", averager)):
        held = getattr(obj, "params", None)
        if held is None:
            continue
        foreign = [p for p in held if id(p) not in own]
        if foreign:
            named = ", ".join(
                f"{p.name or 'parameter'} {getattr(p.data, 'shape', '')}" for p in foreign[:3]
            )
            raise ValueError(
                f"fit: the {what} holds {len(foreign)} parameter(s) that are not the model's "
                f"({named}{', …' if len(foreign) > 3 else ''}), so training would not change "
                f"the model; build it from this model: {type(obj).__name__}(model.parameters(), …)"
            )
    held_ids = {id(p) for p in getattr(optimizer, "params", params)}
    return [p for p in params if id(p) not in held_ids]


def _blas_for(model: Any) -> Any:
    """One BLAS thread while a network whose layers run byhand's parallel compiled loops
    trains (convolutions, max pooling): OpenBLAS's idle workers spin for a while after each
    product and OpenMP's wait for the next loop, so the two pools fight over the cores
    (measured, LeNet-5 on MNIST, 2-core Xeon: 18.6 ms a step with both on 2 threads, 3.3 ms
    with one BLAS thread; the products of such a network are small)."""
    if getattr(model, "parallel_loops", False) and kernels.backend() == "numba":
        from byhand._validation import blas_threads

        return blas_threads(1)
    return nullcontext()


def fit(
    model: Module,
    loss: Loss,
    optimizer: SGD,
    X: Any,
    y: Any,
    *,
    epochs: int,
    batch_size: int | None = None,
    shuffle: bool = True,
    validation_data: tuple[Any, Any] | None = None,
    callbacks: Sequence[Any] = (),
    verbose: int = 1,
    random_state: Any = None,
    averager: Averager | None = None,
    patience: int | None = None,
    min_delta: float = 0.0,
    history: History | None = None,
    fuse_step: bool | None = None,
) -> History:
    """Train ``model`` on (X, y) for ``epochs`` epochs; returns the :class:`History`.

    - ``batch_size=None``: full-batch GD, one step per epoch; else minibatches of that size,
      reshuffled each epoch when ``shuffle`` (seeded by ``random_state``: same seed, same
      bit-identical weights).
    - ``validation_data=(X_val, y_val)``: loss and metric after each epoch.
    - ``patience``: early stopping after that many epochs without an improvement of at least
      ``min_delta`` in the validation loss (the training loss when there is no validation).
    - ``callbacks``: callables (or objects with ``on_epoch_end``) taking a :class:`TrainState`;
      returning True stops training.
    - ``averager``: updated after every step (Polyak–Ruppert averaging, Galerne Course I).
    - ``history``: a previous run's history to continue (resuming from a checkpoint); epochs
      already in it count towards ``epochs``.
    - ``fuse_step``: do the SGD step inside backward's own BLAS products (W ← β W − ε Xᵀ G in
      one gemm, :mod:`byhand.optim.fused`) instead of storing gradients and updating after.
      ``None`` (default) fuses when the model and optimizer allow it and some parameter has
      at least 2¹⁴ entries (smaller layers gain nothing), ``True`` requires it, ``False``
      never does. Fused or not, the steps are the same up to rounding; while
      fused, ``Parameter.grad`` is not stored. Shared parameters (a module used twice,
      tied weights) are fine either way: their gradient is the sum over their uses.

    The optimizer (and the averager) must hold only parameters of ``model``: others raise a
    ValueError, since stepping them would not train the model. A parameter of ``model`` the
    optimizer does not hold is frozen: it keeps its value (its gradient is computed and
    dropped at each step). The model is in training mode (``model.train()``) for the steps
    and in evaluation mode (``model.eval()``) for ``validation_data`` and the callbacks
    (which may score it: dropout then draws nothing, so the masks of a run do not depend on
    what is scored); when ``fit`` returns, every module has the mode it had before the call.
    X, y and ``validation_data`` are only read; a parameter array that cannot be written
    (read-only, or a ``mmap_mode="r"`` memory map) is copied before the first step.
    X (or the validation X) with no samples is a ValueError.

    Each step is EE-559 3.6 (Fleuret, EPFL, 2019), slides 'Forward pass', 'Backward pass' and
    'Gradient step': z = model(x_batch), L = loss(z, y_batch), model.backward(∂L/∂z),
    optimizer.step().

    Examples
    --------
    Full-batch gradient descent for the lecture's N = 3 regression (CS 577 Lecture 01
    (Wang, IIT, 2024), slide 'Gradient descent (GD)'):

    >>> import numpy as np
    >>> from byhand import fit
    >>> from byhand.datasets import lecture01_regression
    >>> from byhand.nn import Linear, MSELoss
    >>> from byhand.optim import SGD
    >>> X, y = lecture01_regression()
    >>> model = Linear(1, 1, init="zeros", dtype=np.float64)
    >>> history = fit(model, MSELoss(), SGD(model.parameters(), lr=0.1), X, y[:, None],
    ...               epochs=2000, verbose=0)
    >>> np.round(model.weight.data.ravel(), 4), np.round(model.bias.data, 4)
    (array([-0.5]), array([3.]))
    >>> history.epochs
    2000
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be an integer >= 0, got {epochs!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive integer or None, got {batch_size!r}")
    if patience is not None and (not isinstance(patience, (int, np.integer)) or patience < 1):
        raise ValueError(f"patience must be a positive integer or None, got {patience!r}")
    if fuse_step is not None and not isinstance(fuse_step, (bool, np.bool_)):
        raise TypeError(f"fuse_step must be True, False or None, got {fuse_step!r}")
    dtype = _model_dtype(model)
    frozen = _frozen_parameters(model, optimizer, averager)
    why_not = _why_not_fused(model, optimizer, dtype) if fuse_step is not False else "off"
    if fuse_step and why_not is not None:
        raise ValueError(f"fit: fuse_step=True, but {why_not}")
    if fuse_step is None and max(p.data.size for p in model.parameters()) < _FUSE_MIN_SIZE:
        why_not = "small"
    X, y = _check_data(X, y, model, loss, dtype, "fit")
    n = X.shape[0]
    _own_parameter_arrays(model)
    if validation_data is not None:
        X_val, y_val = _check_data(*validation_data, model, loss, dtype, "fit validation_data")
    rng = (
        random_state
        if isinstance(random_state, np.random.Generator)
        else np.random.default_rng(random_state)
    )
    hist = history if history is not None else History(metric_name=loss.metric_name)
    sst = _sst(loss, y)
    bs = n if batch_size is None else min(int(batch_size), n)
    progress = for_fit(verbose, epochs, hist.epochs)
    best, since_best = _early_stopping_state(hist, validation_data is not None)
    try:
        with (
            # overflow to inf/NaN is how divergence shows; it is detected below and reported
            # once as a DivergenceWarning, not as NumPy's RuntimeWarnings
            np.errstate(over="ignore", invalid="ignore"),
            _mode(model, training=True),
            reuse_buffers(model, loss),
            _blas_for(model),
            _stepper(optimizer, why_not is None, model) as fused,
        ):
            for epoch in range(hist.epochs, epochs):
                t0 = time.perf_counter()
                order = rng.permutation(n) if shuffle and bs < n else None
                total_loss = total_metric = 0.0
                for s in range(0, n, bs):
                    if order is None:
                        xb, yb = X[s : s + bs], y[s : s + bs]
                    else:
                        idx = order[s : s + bs]
                        # mode="clip": a permutation is in range, and "raise" buffers the copy
                        xb = X.take(
                            idx,
                            axis=0,
                            out=loss._buffer("xb", (idx.size, *X.shape[1:]), dtype),
                            mode="clip",
                        )
                        yb = y.take(idx, axis=0)
                    if fused is None:
                        optimizer.zero_grad()
                    for p in frozen:
                        p.zero_grad()
                    z = model.forward(xb)
                    batch_loss = loss._forward(z, yb)
                    if not math.isfinite(batch_loss):
                        hist.diverged = True
                        break
                    total_metric += _metric_sum(loss, z, yb, batch_loss)
                    total_loss += batch_loss * z.shape[0]
                    if fused is None:
                        model.backward(loss.backward())
                        optimizer.step()
                    else:
                        fused.begin()
                        model.backward(loss.backward())
                        fused.end()
                    if averager is not None:
                        averager.update()
                if hist.diverged:
                    warnings.warn(
                        f"fit: the loss became non-finite in epoch {epoch + 1}; "
                        "training stopped (History.diverged = True)",
                        DivergenceWarning,
                        stacklevel=2,
                    )
                    break
                hist.loss.append(total_loss / n)
                hist.metric.append(_finish_metric(loss, total_metric, n, sst))
                if validation_data is not None:
                    # images: in training-sized chunks, so a convolution's buffers (tens of
                    # numbers per pixel) stay those of one training batch
                    chunk = bs if X_val.ndim == 4 else 4096
                    vl, vm = _evaluate(model, loss, X_val, y_val, chunk)
                    hist.val_loss.append(vl)
                    hist.val_metric.append(vm)
                hist.time.append(time.perf_counter() - t0)
                watched = hist.val_loss[-1] if validation_data is not None else hist.loss[-1]
                if watched < best - min_delta:
                    best, since_best, hist.best_epoch = watched, 0, epoch + 1
                else:
                    since_best += 1
                if progress is not None:
                    progress.update(epoch + 1, hist)
                state = TrainState(epoch + 1, model, loss, optimizer, hist, rng, averager)
                stop = False
                # callbacks may score the model: in evaluation mode (no dropout, no draws
                # from its generators, so a run's masks do not depend on its callbacks)
                with _mode(model, training=False):
                    for cb in callbacks:
                        handler = getattr(cb, "on_epoch_end", cb)
                        stop = bool(handler(state)) or stop
                if stop:
                    break
                if patience is not None and since_best >= patience:
                    hist.stopped_early = True
                    break
    finally:
        if progress is not None:
            progress.close()
    return hist
