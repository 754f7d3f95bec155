"""The shared machinery of byhand's gradient-trained estimators.

Every gradient solver of the linear family minimises the lectures' regularised empirical risk

    J(w, b) = (1/N) Σₙ ℓ(wᵀxₙ + b, yₙ) + α‖w‖²          (the bias b is not penalised)

(EE-559 3.1 (Fleuret, EPFL, 2019) "Support Vector Machine": λ‖w‖² + (1/N) Σ hinge;
CS 577 Lecture 01 (Wang, IIT, 2024), "Gradient descent" and "Stochastic gradient descent"), by
θ ← θ − ε_k (∇L + 2α w): ``byhand.optim.SGD`` with ``weight_decay = 2α``, which only touches
parameters flagged ``decay=True`` (the weights, never the bias). Full-batch gradient descent
is ``batch_size=None`` in ``byhand.fit``; minibatch SGD reshuffles each epoch (seeded);
``average=True`` keeps the Polyak–Ruppert mean of the iterates and returns it
(Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), "Averaged SGD").

:class:`GradientSolverMixin` holds the parameter checks common to all of them and
:meth:`GradientSolverMixin._train`, the one call into ``byhand.fit`` — including the
checkpoint hooks of the command line: ``callbacks`` receive a ``TrainState`` each epoch (its
``snapshot()`` is a checkpoint) and ``resume_state`` continues from such a snapshot,
bit-identically to an uninterrupted run.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from byhand._inference import row_invariant_matmul
from byhand._magnitude import check_magnitude, product_limit, scanned_once
from byhand._validation import validate_X_predict
from byhand.linear_model._weights import WeightedLoss
from byhand.nn.layers import Linear
from byhand.nn.losses import Loss
from byhand.nn.module import Module, Sequential
from byhand.optim.schedules import Schedule
from byhand.optim.sgd import SGD, Averager
from byhand.training import DivergenceWarning, History, NonFiniteInputError, fit, restore

__all__ = [
    "BinaryLinearMixin",
    "DelayedAverager",
    "GradientSolverMixin",
    "check_learning_rate",
    "linear_net",
    "make_rng",
]


def make_rng(random_state: Any) -> np.random.Generator:
    """A ``numpy.random.Generator`` from a seed, a Generator (used as is), a legacy
    ``RandomState`` (its next 63-bit draw seeds a Generator) or None (fresh entropy)."""
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(int(random_state.randint(np.iinfo(np.int64).max)))
    if isinstance(random_state, (bool, np.bool_)):
        raise TypeError(f"random_state must be None, an int or a Generator, got {random_state!r}")
    try:
        return np.random.default_rng(random_state)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"random_state must be None, an int >= 0, a SeedSequence or a numpy Generator, "
            f"got {random_state!r}"
        ) from exc


def linear_net(
    n_features: int, n_outputs: int, fit_intercept: bool, dtype: Any = np.float64
) -> Sequential:
    """``nn.Linear`` (zero initialisation: the objectives are convex) inside a
    ``Sequential(input_grad=False)``, so that training never computes dℓ/dX for the data."""
    layer = Linear(n_features, n_outputs, bias=bool(fit_intercept), init="zeros", dtype=dtype)
    return Sequential(layer, input_grad=False)


def check_learning_rate(owner: str, lr: Any) -> None:
    """A positive finite number or a ``byhand.optim`` schedule (constant, exponential, …)."""
    if isinstance(lr, Schedule):
        return
    if isinstance(lr, (bool, np.bool_)) or not isinstance(lr, numbers.Real):
        raise TypeError(
            f"{owner}: learning_rate must be a positive number or a byhand.optim schedule "
            f"(constant / exponential / inverse_time), got {lr!r}"
        )
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"{owner}: learning_rate must be a finite number > 0, got {lr!r}")


def _check_number(
    owner: str,
    name: str,
    value: Any,
    kind: type,
    *,
    low: float,
    low_inclusive: bool = True,
    high: float | None = None,
    allow_none: bool = False,
) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        what = "an integer" if kind is numbers.Integral else "a real number"
        extra = " or None" if allow_none else ""
        raise TypeError(f"{owner}: {name} must be {what}{extra}, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{owner}: {name} must be finite, got {value!r}")
    if value < low or (value == low and not low_inclusive):
        op = ">=" if low_inclusive else ">"
        raise ValueError(f"{owner}: {name} must be {op} {low}, got {value!r}")
    if high is not None and value > high:
        raise ValueError(f"{owner}: {name} must be <= {high}, got {value!r}")


def _average_start(average: Any) -> int:
    """Steps left out of the average, scikit-learn's meaning of ``average``: True (= 1)
    averages every iterate θ_1, θ_2, … after the start; an integer k >= 1 averages θ_k,
    θ_{k+1}, … (scikit-learn's ``0 < average <= t`` with the step counter t from 1), so
    k − 1 steps are left out."""
    if isinstance(average, (bool, np.bool_)):
        return 0
    return max(int(average) - 1, 0)


class DelayedAverager(Averager):
    """Polyak–Ruppert averaging that begins after ``start`` steps.

    Source: Galerne Course I, "Averaged SGD".

    The first steps of SGD are far from the optimum; averaging them in slows the mean down,
    so the mean starts once ``start`` steps have been taken: θ̄ = (1/(K − start))
    Σ_{j > start} θ_j (scikit-learn's ``average=k`` is ``start = k − 1``, see
    ``_average_start``). ``start=0`` is the plain :class:`byhand.optim.Averager`.
    """

    def __init__(self, params: Any, start: int = 0) -> None:
        super().__init__(params, include_initial=False)
        self.start = int(start)
        self.seen = 0

    def update(self) -> None:
        self.seen += 1
        if self.seen > self.start:
            super().update()

    def copy_to_params(self) -> None:
        if self.n > 0:  # nothing averaged yet: keep the last iterate
            super().copy_to_params()

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "seen": self.seen}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.seen = int(state.get("seen", state["n"]))


def _check_flag(owner: str, name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")


class GradientSolverMixin:
    """Parameter checks and the ``byhand.fit`` call shared by the gradient solvers.

    Subclasses store (sklearn style) ``alpha``, ``max_iter``, ``tol``, ``n_iter_no_change``,
    ``learning_rate``, ``batch_size``, ``shuffle``, ``average``, ``random_state``,
    ``verbose`` and name their solvers in ``_solvers``.
    """

    _solvers: tuple[str, ...] = ("gd", "sgd")
    _fit_solvers: tuple[str, ...] = ("gd", "sgd")  # the solvers that go through byhand.fit
    #: The smallest ``max_iter``: 0 where scikit-learn's class of that name takes 0
    #: (LogisticRegression, LinearSVC: no iteration, a ConvergenceWarning), else 1 (SGD*).
    _min_max_iter: int = 1

    # -- parameter checks --------------------------------------------------------------
    def _check_solver_params(self) -> None:
        owner = type(self).__name__
        if self.solver not in self._solvers:
            raise ValueError(
                f"{owner}: solver must be one of {list(self._solvers)}, got {self.solver!r}"
            )
        _check_number(owner, "alpha", self.alpha, numbers.Real, low=0.0)
        _check_number(owner, "max_iter", self.max_iter, numbers.Integral, low=self._min_max_iter)
        _check_number(owner, "tol", self.tol, numbers.Real, low=0.0, allow_none=True)
        _check_number(owner, "n_iter_no_change", self.n_iter_no_change, numbers.Integral, low=1)
        self._check_learning_rate()
        _check_number(
            owner, "batch_size", self.batch_size, numbers.Integral, low=1, allow_none=True
        )
        _check_flag(owner, "shuffle", self.shuffle)
        avg = self.average
        if not isinstance(avg, (bool, np.bool_, numbers.Integral)) or avg < 0:
            raise TypeError(
                f"{owner}: average must be True, False or an integer k >= 0 (average the "
                f"iterates from the k-th step on; 0 = no averaging), got {avg!r}"
            )
        _check_number(owner, "verbose", self.verbose, numbers.Integral, low=0)
        make_rng(self.random_state)  # raises on a bad seed
        if hasattr(self, "fit_intercept"):  # the linear models
            _check_flag(owner, "fit_intercept", self.fit_intercept)
        if hasattr(self, "warm_start"):
            _check_flag(owner, "warm_start", self.warm_start)

    def _check_learning_rate(self) -> None:
        check_learning_rate(type(self).__name__, self.learning_rate)

    def _check_fit_hooks(self, callbacks: Sequence[Any], resume_state: Any) -> None:
        """Direct solvers (lstsq, Newton, L-BFGS) have no epochs: ``callbacks`` are not
        called (a progress bar simply sees no epoch), and ``resume_state`` is refused."""
        if resume_state is not None and self.solver not in self._fit_solvers:
            raise ValueError(
                f"{type(self).__name__}: resume_state (a checkpoint) needs a solver trained "
                f"by byhand.fit ({list(self._fit_solvers)}); solver={self.solver!r} is a "
                "direct solver"
            )

    def _learning_rate(self) -> float | Schedule:
        """The step size handed to SGD (subclasses may turn a keyword into a schedule);
        a number (NumPy scalars included) as a Python float."""
        lr = self.learning_rate
        return lr if isinstance(lr, Schedule) else float(lr)

    # -- the training call ---------------------------------------------------------------
    @scanned_once  # check_magnitude below and fit's finiteness test: one pass over X
    def _train(
        self,
        model: Module,
        loss: Loss,
        X: np.ndarray,
        y: np.ndarray,
        *,
        rng: np.random.Generator,
        callbacks: Sequence[Any] = (),
        resume_state: dict[str, Any] | None = None,
        momentum: float = 0.0,
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        batch_size: int | None = None,
        epochs: int | None = None,
        optimizer: SGD | None = None,
        averager: Averager | None = None,
        warn: bool = True,
        allow_average: bool = True,
        sample_weight: np.ndarray | None = None,
        validation_weight: np.ndarray | None = None,
    ) -> History:
        """Train ``model`` with ``byhand.fit``; the averaged iterate replaces the last one.

        ``rng`` drives the shuffling (a resumed run takes the snapshot's generator instead);
        ``tol`` becomes early stopping on the epoch loss (``n_iter_no_change`` epochs without
        an improvement of ``tol``); a run that uses its whole ``max_iter`` budget while
        ``tol`` is set ends with a ``ConvergenceWarning``. ``sample_weight`` (N,) weights
        the mean loss (:mod:`byhand.linear_model._weights`); the iterate before averaging is
        kept in ``_sgd_state["standard"]`` and the optimizer's and averager's states there
        too, so that ``partial_fit`` can continue.
        """
        epochs = int(self.max_iter if epochs is None else epochs)
        if batch_size is not None:
            batch_size = int(batch_size)
        check_magnitude(
            self, X, product_limit(X.shape[1], X.dtype), "the products x·w of gradient training"
        )
        if optimizer is None:
            optimizer = SGD(
                model.parameters(),
                lr=self._learning_rate(),
                momentum=float(momentum),
                weight_decay=2.0 * float(self.alpha),
            )
        if sample_weight is not None:
            scale = float(np.mean(sample_weight))
            loss = WeightedLoss(loss)
            y = WeightedLoss.targets(y, sample_weight / scale)
            if validation_data is not None:
                vw = (
                    np.ones(len(validation_data[1]))
                    if validation_weight is None
                    else (validation_weight / scale)
                )
                validation_data = (validation_data[0], WeightedLoss.targets(validation_data[1], vw))
        if averager is None and self.average and allow_average:
            averager = DelayedAverager(model.parameters(), start=_average_start(self.average))
        history = None
        if resume_state is not None:
            if not isinstance(resume_state, dict) or "params" not in resume_state:
                raise TypeError(
                    f"{type(self).__name__}: resume_state must be a TrainState.snapshot() "
                    f"dict, got {type(resume_state).__name__}"
                )
            saved_rng, history = restore(resume_state, model, optimizer, averager)
            # Continue in the caller's generator (the one the estimator keeps and saves),
            # put in the snapshot's state: a resumed fit ends with the generator state of
            # an uninterrupted one, so the saved model files are identical.
            if type(saved_rng.bit_generator) is type(rng.bit_generator):
                rng.bit_generator.state = saved_rng.bit_generator.state
            else:
                rng = saved_rng
        with (
            warnings.catch_warnings(),
            np.errstate(over="ignore", invalid="ignore", under="ignore"),
        ):
            # divergence is reported below as an error of the estimator, not a warning (nor
            # as NumPy's overflow warnings on the way to it, which depend on where the
            # first inf appears)
            warnings.simplefilter("ignore", DivergenceWarning)
            try:
                hist = fit(
                    model,
                    loss,
                    optimizer,
                    X,
                    y,
                    epochs=epochs,
                    batch_size=batch_size,
                    shuffle=bool(self.shuffle),
                    validation_data=validation_data,
                    callbacks=callbacks,
                    verbose=int(self.verbose),
                    random_state=rng,
                    averager=averager,
                    patience=None if self.tol is None else int(self.n_iter_no_change),
                    min_delta=float(self.tol or 0.0),
                    history=history,
                )
            except NonFiniteInputError as e:  # said as the estimator, not as byhand.fit
                raise ValueError(f"{type(self).__name__}: {e.feature_detail}") from None
        self._shuffle_rng = rng
        averaging = isinstance(averager, DelayedAverager)  # not early stopping's memory
        self._sgd_state = {
            "optimizer": optimizer.state_dict(),
            "averager": averager.state_dict() if averaging else None,
            "standard": [p.data.copy() for p in model.parameters()] if averaging else None,
        }
        if averager is not None:
            averager.copy_to_params()
        # an averager that kept an earlier, finite iterate (early stopping's best epoch)
        # has restored it above; the estimator then warns instead
        if hist.diverged and not getattr(averager, "recovers_divergence", False):
            raise ValueError(
                f"{type(self).__name__}: training diverged (the loss became NaN or inf in "
                f"epoch {hist.epochs + 1}); lower learning_rate (now {self.learning_rate!r}), "
                "or scale the features first (e.g. sklearn.preprocessing.StandardScaler): "
                "large feature values make large gradients"
            )
        if warn and epochs == 0:
            warnings.warn(
                f"{type(self).__name__}: max_iter=0, no epoch was run; the coefficients are "
                "the starting point (zeros, or the previous fit's with warm_start=True)",
                ConvergenceWarning,
                stacklevel=3,
            )
        elif warn and self.tol is not None and not hist.stopped_early and hist.epochs >= epochs:
            loss = [float(v) for v in hist.loss]
            if len(loss) >= 2 and loss[-1] > loss[0]:  # not converging: moving away
                why = (
                    f"the training loss grew from {loss[0]:.4g} (epoch 1) to {loss[-1]:.4g} "
                    f"(epoch {len(loss)}): the step is probably too large; lower learning_rate "
                    f"(now {self.learning_rate!r}) or scale the features, rather than raising "
                    "max_iter"
                )
            else:
                why = f"the loss still improves by more than tol={self.tol}; increase max_iter"
            warnings.warn(
                f"{type(self).__name__}: max_iter={epochs} epochs reached and {why}",
                ConvergenceWarning,
                stacklevel=3,
            )
        return hist

    # -- the linear models' SGD: fit, warm start, partial_fit -------------------------------
    def _layer_params(self) -> tuple[np.ndarray, np.ndarray]:
        """The fitted (coef_, intercept_) in nn.Linear's layout: W (d, K), b (K,)."""
        W = np.atleast_2d(np.asarray(self.coef_, dtype=np.float64)).T
        b = np.atleast_1d(np.asarray(self.intercept_, dtype=np.float64))
        return W, b

    def _continuable(self, n_features: int, n_out: int) -> bool:
        """True when fitted coefficients of the right shape exist to continue from."""
        if not hasattr(self, "coef_"):
            return False
        W, b = self._layer_params()
        return W.shape == (n_features, n_out) and b.shape == (n_out,)

    def _train_linear(
        self,
        X: np.ndarray,
        T: np.ndarray,
        loss: Loss,
        n_out: int,
        *,
        partial: bool,
        sample_weight: np.ndarray | None = None,
        callbacks: Sequence[Any] = (),
        resume_state: dict[str, Any] | None = None,
        dtype: Any = np.float64,
    ) -> tuple[np.ndarray, np.ndarray]:
        """SGD / GD on ``nn.Linear`` for ``fit`` (``max_iter`` epochs) or ``partial_fit``
        (one epoch); returns the trained (W (d, K), b (K,)).

        The start: zeros, or — for ``partial_fit`` after a first call, and for ``fit`` with
        ``warm_start=True`` — the fitted ``coef_``/``intercept_`` (whatever they hold now:
        one source of truth, so a pickled, ``joblib``-loaded or hand-assigned model
        continues from what it predicts with). ``partial_fit`` also continues the step count
        k of the schedule, the shuffling generator and, while ``coef_`` is still the
        average it published, the Polyak–Ruppert average and the iterate behind it.
        ``fit`` always starts a fresh schedule (k = 0).
        """
        fi = bool(self.fit_intercept)
        model = linear_net(X.shape[1], n_out, fi, dtype)
        layer = model[0]
        params = model.parameters()
        state = getattr(self, "_sgd_state", None)
        continuing = self._continuable(X.shape[1], n_out) and (partial or self.warm_start)
        optimizer = SGD(params, lr=self._learning_rate(), weight_decay=2.0 * float(self.alpha))
        averager = None
        if self.average:
            averager = DelayedAverager(params, start=_average_start(self.average))
        rng = make_rng(self.random_state)
        if continuing:
            W, b = self._layer_params()
            published = [W] + ([b] if fi else [])
            averaged = (
                state is not None
                and state.get("standard") is not None
                and state.get("published") is not None
                and len(state["published"]) == len(published)
                and all(np.array_equal(a, c) for a, c in zip(state["published"], published))
            )
            start = state["standard"] if averaged and partial else published
            for p, a in zip(params, start, strict=True):
                p.data[...] = a
            if partial and state is not None:
                optimizer.k = int(state["optimizer"]["k"])
                if averager is not None and averaged and state.get("averager") is not None:
                    averager.load_state_dict(state["averager"])
                rng = getattr(self, "_shuffle_rng", rng)
        hist = self._train(
            model,
            loss,
            X,
            T,
            rng=rng,
            callbacks=callbacks,
            resume_state=resume_state,
            batch_size=None if self.solver == "gd" else self.batch_size,
            epochs=1 if partial else None,
            optimizer=optimizer,
            averager=averager,
            warn=not partial,
            sample_weight=sample_weight,
        )
        if partial and hasattr(self, "loss_curve_") and continuing:
            self.loss_curve_ = [*self.loss_curve_, *hist.loss]
            self.n_iter_ = int(self.n_iter_) + hist.epochs
        else:
            self.loss_curve_ = list(hist.loss)
            self.n_iter_ = hist.epochs
        W = layer.weight.data.copy()
        b = layer.bias.data.copy() if fi else np.zeros(n_out)
        self._sgd_state["published"] = [W.copy()] + ([b.copy()] if fi else [])
        return W, b


class BinaryLinearMixin:
    """decision_function / predict of a binary linear classifier f(x) = wᵀx + b.

    ``coef_`` is (1, n_features) and ``intercept_`` (1,), scikit-learn's layout;
    a positive score predicts ``classes_[1]`` (the +1 class) and a score of exactly 0
    ``classes_[0]``: scikit-learn's rule, and the class ``argmax(predict_proba)`` picks
    where the two probabilities tie at 0.5.
    """

    def decision_function(self, X: Any) -> np.ndarray:
        """f(x) = wᵀx + b, shape (n_samples,)."""
        X = validate_X_predict(self, X)
        return row_invariant_matmul(X, self.coef_[0]) + self.intercept_[0]

    def predict(self, X: Any) -> np.ndarray:
        """classes_[1] where f(x) > 0, else classes_[0] (f(x) = 0 included)."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.intp)]

    def _set_linear(self, w: np.ndarray, b: float) -> None:
        self.coef_ = np.asarray(w, dtype=np.float64).reshape(1, -1).copy()
        self.intercept_ = np.array([float(b)])

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


def online_solver(estimator: Any) -> bool:
    """``partial_fit`` exists for the epoch solvers ("gd", "sgd") only (``available_if``)."""
    return estimator.solver in ("gd", "sgd")


def partial_fit_classes(estimator: Any, classes: Any) -> bool:
    """On the first ``partial_fit`` call (nothing fitted yet) set ``classes_`` from
    ``classes`` (required); later, ``classes`` (optional) must equal ``classes_``.
    Returns True on the first call."""
    owner = type(estimator).__name__
    first = not hasattr(estimator, "coef_") and not hasattr(estimator, "coefs_")
    if classes is None:
        if first:
            raise ValueError(
                f"{owner}.partial_fit: pass classes= (every label the data will hold) on "
                "the first call"
            )
        return False
    all_classes = np.unique(np.asarray(classes))
    if first:
        if all_classes.size < 2:
            raise ValueError(
                f"{owner}.partial_fit: classes must hold at least 2 labels, got "
                f"{all_classes.tolist()}"
            )
        estimator.classes_ = all_classes
    elif not np.array_equal(all_classes, estimator.classes_):
        raise ValueError(
            f"{owner}.partial_fit: classes={all_classes.tolist()} differs from the classes "
            f"of the first call (or of the fit it continues) {estimator.classes_.tolist()}"
        )
    return first


def encode_known_labels(estimator: Any, y: Any) -> np.ndarray:
    """Indices of y's labels in ``classes_``; ValueError naming labels not among them."""
    y = np.asarray(y)
    classes = estimator.classes_
    idx = np.clip(np.searchsorted(classes, y), 0, classes.size - 1)
    unknown = classes[idx] != y
    if np.any(unknown):
        raise ValueError(
            f"{type(estimator).__name__}.partial_fit: y holds labels "
            f"{np.unique(y[unknown])[:5].tolist()} that are not in classes_ "
            f"{classes.tolist()}"
        )
    return idx.astype(np.int64)


def encode_binary_labels_known(estimator: Any, y: Any) -> np.ndarray:
    """±1 for y's labels by ``classes_`` (binary estimators' ``partial_fit``)."""
    if estimator.classes_.size != 2:
        raise ValueError(
            f"{type(estimator).__name__} is a binary classifier: classes must hold exactly 2 "
            f"labels, got {estimator.classes_.tolist()}"
        )
    return encode_known_labels(estimator, y) * 2.0 - 1.0
