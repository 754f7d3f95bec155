"""Sample weights for the objectives that are a mean over samples.

With weights s ≥ 0 the objective's data term (1/N) Σₙ ℓₙ becomes the weighted mean

    Σₙ sₙ ℓₙ / Σₙ sₙ,

so that an integer weight k counts a sample k times (the same objective as repeating the
row k times) and multiplying every weight by a constant changes nothing. The regulariser
α‖w‖² is not weighted. scikit-learn's counterparts differ in the normalisation:
``SGDClassifier``/``SGDRegressor`` and ``MLP*`` scale each sample's gradient by sₙ (the mean
data term (1/N) Σ sₙ ℓₙ), ``LogisticRegression``/``Ridge`` minimise the unnormalised sum
C Σ sₙ ℓₙ + ½‖w‖² (so scaling the weights there changes the regularisation strength).

:class:`WeightedLoss` wraps one of byhand's losses for ``byhand.fit``: the targets carry the
normalised weights sₙ / s̄ (s̄ the mean weight of the training set) as one more column, so
the minibatch machinery (shuffling, ``take``) moves them with their samples; the batch
loss is (1/B) Σ_{n∈batch} (sₙ/s̄) ℓₙ and its gradient the per-sample gradients scaled by
sₙ/s̄. Over an epoch the mean of the batch losses is Σ sₙ ℓₙ / Σ sₙ; full-batch gradient
descent therefore follows the weighted objective exactly. ``partial_fit`` normalises by
the mean weight of the batch it is given (so one call is one epoch of ``fit`` on that
batch); across calls the weights are therefore relative within each call.

Minibatch SGD on weights and SGD on repeated rows minimise the same objective by
different paths (another number of steps per epoch): what holds exactly is that every
sample's step is scaled by sₙ/s̄ — a common factor of all weights changes nothing, unit
weights are the unweighted fit bit for bit — and that the full-batch solvers ("gd", and
the MLPs with ``batch_size=None``) and the direct ones (lstsq, Newton, L-BFGS, LDA) give
the repeated-rows answer to rounding (tests/test_sample_weight.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import _check_sample_weight

from byhand.nn.losses import CrossEntropyLoss, HingeLoss, LogisticLoss, Loss, MSELoss

__all__ = ["WeightedLoss", "check_sample_weight", "per_sample_loss"]


def check_sample_weight(owner: str, sample_weight: Any, X: np.ndarray) -> np.ndarray | None:
    """None stays None; otherwise a float64 array of shape (N,), finite, >= 0, not all 0.

    Raises ValueError naming the estimator for a wrong shape, a negative, NaN or infinite
    weight, or weights that are all zero.
    """
    if sample_weight is None:
        return None
    try:
        sw = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
    except ValueError as exc:
        raise ValueError(f"{owner}: {exc}") from exc
    if not np.all(np.isfinite(sw)):
        raise ValueError(f"{owner}: sample_weight must be finite, got NaN or inf")
    if not np.any(sw > 0):
        raise ValueError(f"{owner}: sample_weight must have at least one positive weight")
    return sw


def per_sample_loss(loss: Loss, z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ℓ(zₙ, yₙ) for every row: the terms whose mean ``loss._forward`` returns."""
    n = z.shape[0]
    if isinstance(loss, MSELoss):
        diff = z.reshape(n, -1) - y.reshape(n, -1)
        return np.einsum("ij,ij->i", diff, diff)
    if isinstance(loss, (HingeLoss, LogisticLoss)):
        yz = y.reshape(n) * z.reshape(n)
        if isinstance(loss, HingeLoss):
            return np.maximum(loss.margin - yz, 0.0)
        return np.logaddexp(0.0, -yz)
    if isinstance(loss, CrossEntropyLoss):
        top = z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z - top).sum(axis=1)) + top[:, 0]
        return lse - z[np.arange(n), y.astype(np.intp)]
    raise TypeError(f"no per-sample form for {type(loss).__name__}")


class WeightedLoss(Loss):
    """(1/B) Σ wₙ ℓ(zₙ, yₙ) over a batch, for targets ``[y, w]`` (w the last column).

    ``inner`` computes ℓ and its gradient; this wrapper multiplies the gradient's rows by
    wₙ and reports the weighted loss. Accuracy / prediction are the inner loss's.
    """

    def __init__(self, inner: Loss) -> None:
        self.inner = inner
        self.metric_name = inner.metric_name

    def _children(self) -> list[Any]:
        return [self.inner]

    @staticmethod
    def targets(y: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """The combined targets [y, w] (float64, one row per sample)."""
        y = np.asarray(y)
        return np.column_stack([y.reshape(y.shape[0], -1).astype(np.float64), weights])

    def _split(self, yw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        labels = yw[:, :-1]
        if isinstance(self.inner, CrossEntropyLoss):
            labels = labels[:, 0].astype(np.intp)
        elif labels.shape[1] == 1 and not isinstance(self.inner, MSELoss):
            labels = labels[:, 0]
        return labels, yw[:, -1]

    def check_targets(self, y: np.ndarray, z: np.ndarray | None = None) -> np.ndarray:
        y = np.asarray(y)
        if y.ndim != 2 or y.shape[1] < 2:
            raise ValueError(f"WeightedLoss: targets must be [y, w] columns, got shape {y.shape}")
        labels, _ = self._split(y)
        if isinstance(self.inner, MSELoss) and z is not None and labels.shape[1] == 1:
            labels = labels.reshape(z.shape) if labels.size == z.size else labels
        self.inner.check_targets(labels, z)
        return y

    def _forward(self, z: np.ndarray, y: np.ndarray) -> float:
        labels, w = self._split(y)
        if isinstance(self.inner, MSELoss):
            labels = labels.reshape(z.shape)
        self.inner._forward(z, labels)
        self._w = w.astype(z.dtype, copy=False)
        return float(np.dot(w, per_sample_loss(self.inner, z, labels))) / z.shape[0]

    def backward(self) -> np.ndarray:
        g = self.inner.backward()
        w = self.__dict__.pop("_w")
        g *= w.reshape((-1,) + (1,) * (g.ndim - 1))
        return g

    def predict(self, z: np.ndarray) -> np.ndarray:
        return self.inner.predict(z)

    def _count_correct(self, z: np.ndarray, y: np.ndarray) -> int:
        labels, _ = self._split(y)
        return int(np.count_nonzero(self.inner.predict(z) == labels.reshape(-1)))

    def __repr__(self) -> str:
        return f"WeightedLoss({self.inner!r})"


def check_weighted_classes(owner: str, y: np.ndarray, sample_weight: np.ndarray | None) -> None:
    """A classifier needs two classes among the samples of positive weight."""
    if sample_weight is None:
        return
    kept = np.unique(y[sample_weight > 0])
    if kept.size < 2:
        raise ValueError(
            f"{owner}: the samples of positive sample_weight hold only one class "
            f"({kept.tolist()}); at least 2 classes are needed to train a classifier"
        )


def mean_weights(n: int, sample_weight: np.ndarray | None) -> np.ndarray | float:
    """The coefficients cₙ of the weighted mean Σ cₙ ℓₙ: sₙ / Σ s, or the scalar 1/N."""
    if sample_weight is None:
        return 1.0 / n
    return sample_weight / float(np.sum(sample_weight))
