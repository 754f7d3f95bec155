"""The lectures' losses: ``forward(z, y) -> float``, ``backward() -> dL/dz``, ``predict(z)``.

The task table of CS 577 Lecture 04 (Wang, IIT, 2024) ("Task / output / prediction / loss"):
regression
uses the identity and the squared error; binary classification predicts sign(z) with the
perceptron, hinge or logistic loss; multiclass predicts argmax_k z_k with the cross-entropy
of the softmax. Every loss is the mean over the batch, L = (1/N) Σₙ ℓ(zₙ, yₙ), so backward
returns (1/N) ∂ℓ/∂zₙ, in the shape of z.

Labels: binary losses take y ∈ {−1, +1}; ``CrossEntropyLoss`` takes class indices 0..K−1;
``MSELoss`` takes real targets of z's shape. ``forward`` validates its inputs (shapes,
labels, finite logits); ``byhand.fit`` validates once and calls the unchecked ``_forward``.

``forward`` refuses, with a ValueError: logits z holding NaN or inf (by design: a loss of a
NaN logit is a failed model, which ``byhand.fit`` reports as a divergence), and an empty
batch (N = 0: a mean over no samples is undefined; PyTorch returns NaN, byhand says so
instead); with a TypeError: complex, object or other non-real z. Integer and bool z are
computed in float64, float16 z in float32 (a float16 sum over a batch overflows at 65504),
float32 and float64 as given; ``backward`` returns dL/dz in that dtype. The unchecked
``_forward`` returns NaN on an empty batch, as PyTorch does, and propagates NaN.
"""

from __future__ import annotations

import math

import numpy as np

from byhand import kernels
from byhand.nn._inputs import real
from byhand.nn.functional import sigmoid
from byhand.nn.module import Buffered


class Loss(Buffered):
    """Base class: validation at the edge, the maths in ``_forward`` / ``backward``.

    Subclasses implement ``_forward(z, y) -> float`` (the mean loss, keeping what the
    gradient needs), ``backward() -> ∂L/∂z`` and ``predict(z)``; ``forward`` (also reached by
    calling the loss) validates z and y first. ``metric_name`` names the score that
    ``byhand.fit`` reports ("accuracy" or "r2").

    Raises
    ------
    ValueError
        From ``forward``: NaN or inf logits, an empty batch, labels that do not fit the loss.
    TypeError
        From ``forward``: complex, object or other non-real logits.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import Loss, MSELoss
    >>> issubclass(MSELoss, Loss)
    True
    >>> loss = MSELoss()
    >>> float(loss(np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]])))
    2.5
    >>> loss.backward()
    array([[1.],
           [2.]])
    """

    metric_name = "accuracy"

    def forward(self, z: np.ndarray, y: np.ndarray) -> float:
        name = type(self).__name__
        z = real(z, f"{name}: logits z")
        if z.dtype.kind != "f":
            z = z.astype(np.float64)
        elif z.dtype.itemsize < 4:
            z = z.astype(np.float32)
        if z.ndim == 0:
            raise ValueError(f"{name}: logits z must have a batch axis (N, ...), got a scalar")
        if not np.all(np.isfinite(z)):
            raise ValueError(f"{name}: logits z must be finite, got NaN or inf")
        y = self.check_targets(y, z)
        if z.shape[0] == 0:
            raise ValueError(
                f"{name}: got an empty batch (N = 0); the mean loss over no samples is "
                "undefined (PyTorch returns NaN): pass at least one sample"
            )
        return self._forward(z, y)

    __call__ = forward

    def check_targets(self, y: np.ndarray, z: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def _forward(self, z: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        raise NotImplementedError

    def predict(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _count_correct(self, z: np.ndarray, y: np.ndarray) -> int:
        """How many rows of z predict their label y (the accuracy's numerator)."""
        return int(np.count_nonzero(self.predict(z) == y))

    def _take(self, name: str) -> np.ndarray:
        value = self.__dict__.pop(name, None)
        if value is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward called before forward (or twice after one "
                "forward): run forward first"
            )
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _mean(total: float, n: int) -> float:
    """total / n, NaN for n = 0 (PyTorch's mean over nothing)."""
    return total / n if n else float("nan")


def _check_n(z: np.ndarray | None, y: np.ndarray, name: str) -> None:
    if z is not None and z.shape[0] != y.shape[0]:
        raise ValueError(
            f"{name}: z and y must have the same number of samples N, got z with "
            f"{z.shape[0]} and y with {y.shape[0]}"
        )


def _single_output(z: np.ndarray, name: str) -> None:
    if (z.ndim == 2 and z.shape[1] != 1) or z.ndim not in (1, 2):
        raise ValueError(f"{name}: a binary loss expects z of shape (N,) or (N, 1), got {z.shape}")


class MSELoss(Loss):
    """L = (1/N) Σₙ ‖zₙ − yₙ‖², dL/dz = 2(z − y)/N; predict = identity.

    CS 577 Lecture 01 (Wang, IIT, 2024), "Linear regression" (J(θ) = (1/N) Σ (θᵀx⁽ⁿ⁾ − y⁽ⁿ⁾)², whose
    Hessian gives the step-size limit 2/L);
    CS 577 Lecture 04, "Gaussian maximum likelihood" gives it.

    Shapes: z and y of the same shape (N, K) (or (N,)); ``backward()`` returns (N, K).

    Raises
    ------
    ValueError
        If z holds NaN or inf, the batch is empty, or y's shape differs from z's.
    TypeError
        If z is complex, an object array or otherwise not real.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import MSELoss
    >>> loss = MSELoss()
    >>> z, y = np.array([[1.0], [2.0], [4.0]]), np.array([[1.0], [3.0], [2.0]])
    >>> float(loss(z, y))  # (0 + 1 + 4) / 3
    1.6666666666666667
    >>> loss.backward()  # 2 (z − y) / N
    array([[ 0.        ],
           [-0.66666667],
           [ 1.33333333]])
    """

    metric_name = "r2"

    def check_targets(self, y: np.ndarray, z: np.ndarray | None = None) -> np.ndarray:
        y = np.asarray(y)
        if not np.issubdtype(y.dtype, np.number) or np.issubdtype(y.dtype, np.complexfloating):
            raise ValueError(f"MSELoss: targets y must be real numbers, got dtype {y.dtype}")
        if not np.all(np.isfinite(y)):
            first = tuple(int(i) for i in np.argwhere(~np.isfinite(y))[0])
            raise ValueError(
                f"MSELoss: targets y must be finite, got {y[first]} at sample {first[0]}"
                + (f", output {list(first[1:])}" if len(first) > 1 else "")
            )
        _check_n(z, y, "MSELoss")
        if z is not None and y.size != z.size:
            raise ValueError(f"MSELoss: y must match z's shape {z.shape}, got {y.shape}")
        return y

    def _forward(self, z: np.ndarray, y: np.ndarray) -> float:
        diff = np.subtract(z, y.reshape(z.shape), out=self._buffer("diff", z.shape, z.dtype))
        self._diff = diff
        return _mean(float(np.vdot(diff, diff)), z.shape[0])

    def backward(self) -> np.ndarray:
        diff = self._take("_diff")
        diff *= 2.0 / max(diff.shape[0], 1)
        return diff

    def predict(self, z: np.ndarray) -> np.ndarray:
        return np.asarray(z)


class _BinaryLoss(Loss):
    def check_targets(self, y: np.ndarray, z: np.ndarray | None = None) -> np.ndarray:
        name = type(self).__name__
        y = np.asarray(y)
        if z is not None:
            _single_output(z, name)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"{name}: labels y must be a 1-D array, got shape {y.shape}")
        if not np.issubdtype(y.dtype, np.number):
            raise ValueError(f"{name}: labels y must be −1 or +1, got dtype {y.dtype}")
        bad = (y != 1) & (y != -1)
        if np.any(bad):
            raise ValueError(
                f"{name}: labels y must be −1 or +1, got {np.unique(y[bad])[:5].tolist()}"
            )
        _check_n(z, y, name)
        return y

    def predict(self, z: np.ndarray) -> np.ndarray:
        """sign(z) with sign(0) = +1, as the perceptron's σ (EE-559 3.1)."""
        z = np.asarray(z)
        first = z.reshape(z.shape[0], math.prod(z.shape[1:]))[:, 0]  # (0, 1) too: no -1
        return np.where(first >= 0, 1, -1)

    @staticmethod
    def _yz(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        yy = y.reshape(z.shape).astype(z.dtype, copy=False)
        return yy, yy * z


class HingeLoss(_BinaryLoss):
    """ℓ(z, y) = max(0, margin − y z); ∂ℓ/∂z = −y where y z <= margin, else 0.

    EE-559 3.1 (Fleuret, EPFL, 2019) "Support Vector Machine" (hinge with margin 1);
    with margin 0 it is the perceptron loss (``PerceptronLoss``). The subgradient at the
    kink y z = margin is taken as −y, so SGD on margin 0 updates exactly when y z <= 0,
    as the perceptron rule does.

    Shapes: z of shape (N,) or (N, 1) and y of shape (N,) for the binary losses; ``backward()``
    returns ∂L/∂z in z's shape and dtype.

    Raises
    ------
    ValueError
        If z holds NaN or inf, the batch is empty, the shapes of z and y disagree, or a label
        is not −1 or +1.
    TypeError
        If z is complex, an object array or otherwise not real.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import HingeLoss
    >>> loss = HingeLoss()  # margin 1
    >>> z, y = np.array([2.0, 0.5, -1.0]), np.array([1, 1, 1])
    >>> float(loss(z, y))  # (0 + 0.5 + 2) / 3
    0.8333333333333334
    >>> np.round(loss.backward(), 4)  # −y/N where y z <= 1
    array([ 0.    , -0.3333, -0.3333])
    >>> loss(z, np.array([0, 1, 1]))
    Traceback (most recent call last):
    ...
    ValueError: ...
    """

    def __init__(self, margin: float = 1.0) -> None:
        margin = float(margin)
        if not np.isfinite(margin) or margin < 0:
            raise ValueError(f"margin must be a finite number >= 0, got {margin!r}")
        self.margin = margin

    def _forward(self, z: np.ndarray, y: np.ndarray) -> float:
        yy, yz = self._yz(z, y)
        active = yz <= self.margin
        self._grad = np.where(active, -yy, 0).astype(z.dtype) / max(z.shape[0], 1)
        return _mean(float(np.sum(np.maximum(self.margin - yz, 0))), z.shape[0])

    def backward(self) -> np.ndarray:
        return self._take("_grad")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(margin={self.margin})"


class PerceptronLoss(HingeLoss):
    """ℓ(z, y) = max(0, −y z): the hinge with margin 0.

    CS 577 Lecture 03 (Wang, IIT, 2024) and CS 577 Lecture 04 (Wang, IIT, 2024), "Perceptron loss":
    SGD with
    m = 1 and η = 1 on it is the perceptron algorithm.

    Shapes: z of shape (N,) or (N, 1) and y of shape (N,) for the binary losses; ``backward()``
    returns ∂L/∂z in z's shape and dtype.

    Raises
    ------
    ValueError
        If z holds NaN or inf, the batch is empty, the shapes of z and y disagree, or a label
        is not −1 or +1.
    TypeError
        If z is complex, an object array or otherwise not real.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import PerceptronLoss
    >>> loss = PerceptronLoss()
    >>> z, y = np.array([2.0, 0.0, -1.0]), np.array([1, 1, 1])
    >>> float(loss(z, y))  # (0 + 0 + 1) / 3
    0.3333333333333333
    >>> np.round(loss.backward(), 4)  # −y/N where y z <= 0: the perceptron's mistakes
    array([ 0.    , -0.3333, -0.3333])
    >>> loss.predict(np.array([-0.5, 0.0, 3.0]))  # sign, with sign(0) = +1
    array([-1,  1,  1])
    """

    def __init__(self) -> None:
        super().__init__(margin=0.0)

    def __repr__(self) -> str:
        return "PerceptronLoss()"


class LogisticLoss(_BinaryLoss):
    """ℓ(z, y) = log(1 + e^{−y z}) = logaddexp(0, −y z); ∂ℓ/∂z = −y σ(−y z).

    CS 577 Lecture 04 (Wang, IIT, 2024), "Bernoulli maximum likelihood" (the negative
    log-likelihood of
    P(y=1|x) = σ(z)); EE-559 3.2 "Probabilistic view of a linear classifier".

    Shapes: z of shape (N,) or (N, 1) and y of shape (N,) for the binary losses; ``backward()``
    returns ∂L/∂z in z's shape and dtype.

    Raises
    ------
    ValueError
        If z holds NaN or inf, the batch is empty, the shapes of z and y disagree, or a label
        is not −1 or +1.
    TypeError
        If z is complex, an object array or otherwise not real.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import LogisticLoss
    >>> loss = LogisticLoss()
    >>> z, y = np.array([0.0, 2.0]), np.array([1, -1])
    >>> f"{loss(z, y):.4f}"  # (log 2 + log(1 + e²)) / 2
    '1.4100'
    >>> np.round(loss.backward(), 4)  # −y σ(−y z) / N
    array([-0.25  ,  0.4404])
    """

    def _forward(self, z: np.ndarray, y: np.ndarray) -> float:
        yy, yz = self._yz(z, y)
        np.negative(yz, out=yz)
        loss = _mean(float(np.sum(np.logaddexp(0, yz))), z.shape[0])
        grad = sigmoid(yz, out=yz)
        grad *= yy
        grad *= -1.0 / max(z.shape[0], 1)
        self._grad = grad
        return loss

    def backward(self) -> np.ndarray:
        return self._take("_grad")


class CrossEntropyLoss(Loss):
    """ℓ(z, y) = −log softmax(z)_y = logsumexp(z) − z_y; ∂ℓ/∂z = softmax(z) − onehot(y).

    CS 577 Lecture 04 (Wang, IIT, 2024), "Softmax" and "Cross-entropy": the gradient p − onehot(y);
    Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), "Multiclass logistic
    regression". Forward keeps the softmax,
    backward turns it into the gradient in place (the fused softmax/cross-entropy step).

    Shapes: logits z of shape (N, K), labels y of shape (N,) with integers 0..K−1;
    ``backward()`` returns (softmax(z) − onehot(y)) / N, of shape (N, K).

    Raises
    ------
    ValueError
        If z is not 2-D or holds NaN or inf, the batch is empty, or a label is outside 0..K−1.
    TypeError
        If z is complex, an object array or otherwise not real.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import CrossEntropyLoss
    >>> loss = CrossEntropyLoss()
    >>> z, y = np.array([[2.0, 1.0, 0.0]]), np.array([0])
    >>> f"{loss(z, y):.4f}"  # logsumexp(z) − z_0
    '0.4076'
    >>> np.round(loss.backward(), 4)  # softmax(z) − onehot(0)
    array([[-0.3348,  0.2447,  0.09  ]])
    """

    _transient = ("_p", "_y", "_true_at", "_top", "_top_of", "_starts", "_correct")

    def check_targets(self, y: np.ndarray, z: np.ndarray | None = None) -> np.ndarray:
        y = np.asarray(y)
        if z is not None and z.ndim != 2:
            raise ValueError(f"CrossEntropyLoss: logits z must be (N, K), got shape {z.shape}")
        if y.ndim != 1:
            raise ValueError(f"CrossEntropyLoss: y must be 1-D class indices, got shape {y.shape}")
        if y.size and not np.issubdtype(y.dtype, np.integer):
            if np.issubdtype(y.dtype, np.floating) and not np.all(np.isfinite(y)):
                raise ValueError(
                    "CrossEntropyLoss: y must be integer class indices, got NaN or inf "
                    f"(first at sample {int(np.flatnonzero(~np.isfinite(y))[0])})"
                )
            if not np.issubdtype(y.dtype, np.floating) or np.any(y != np.round(y)):
                raise ValueError(
                    f"CrossEntropyLoss: y must be integer class indices, got dtype {y.dtype}"
                )
            y = y.astype(np.intp)
        _check_n(z, y, "CrossEntropyLoss")
        k = z.shape[1] if z is not None else None
        if y.size and (y.min() < 0 or (k is not None and y.max() >= k)):
            raise ValueError(
                f"CrossEntropyLoss: class indices must lie in 0..{'K−1' if k is None else k - 1}"
                f", got values from {y.min()} to {y.max()}"
            )
        return y

    def _forward(self, z: np.ndarray, y: np.ndarray) -> float:
        n, k = z.shape
        fast = kernels.softmax_cross_entropy(z, y, self._buffer)
        if fast is not None:  # the gradient itself, and the count of correct rows
            loss, grad, top, correct = fast
            self._p, self._true_at, self._top, self._top_of = grad, None, top, z
            self._correct = (correct, y)
            return _mean(loss, n)
        p = self._buffer("p", z.shape, z.dtype)
        # Entries (i, c) are read as flat[i·K + c]: take on flat indices is the cheap
        # gather. Row maxima are read at the argmax (the same numbers as z.max(axis=1)).
        row_starts = self._row_starts(n, k)
        top = z.argmax(axis=1)
        np.subtract(z, z.reshape(-1).take(row_starts + top)[:, None], out=p)
        true_at = row_starts + y
        shifted_true = p.reshape(-1).take(true_at)
        np.exp(p, out=p)
        s = np.add.reduce(p, axis=1)
        add = np.add.reduce
        loss = add(np.log(s, dtype=np.float64)) - add(shifted_true, dtype=np.float64)
        # Keep softmax/N: backward then only subtracts 1/N at the true classes.
        np.multiply(s, n, out=s)
        p *= np.reciprocal(s, out=s)[:, None]
        self._p, self._true_at, self._top, self._top_of = p, true_at, top, z
        self._correct = (None, None)
        return _mean(float(loss), n)

    def _row_starts(self, n: int, k: int) -> np.ndarray:
        """[0, K, 2K, …]: where each row starts in the flattened (N, K) array."""
        starts = self.__dict__.get("_starts")
        if starts is None or starts.size != n or (n > 1 and starts[1] != k):
            starts = self._starts = np.arange(0, n * k, k)
        return starts

    def backward(self) -> np.ndarray:
        p = self._take("_p")
        if self._true_at is not None:  # softmax/N: subtract onehot/N (the kernel did)
            p.reshape(-1)[self._true_at] -= 1.0 / max(p.shape[0], 1)
        return p

    def _count_correct(self, z: np.ndarray, y: np.ndarray) -> int:
        state = self.__dict__
        if z is not state.get("_top_of"):
            return int(np.count_nonzero(self.predict(z) == y))
        correct, of = state.get("_correct", (None, None))
        if of is y:
            return int(correct)
        return int(np.count_nonzero(self._top == y))

    def predict(self, z: np.ndarray) -> np.ndarray:
        return np.argmax(z, axis=1)
