"""Activation functions with their derivatives, written beside each other.

Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), "Activation functions" (linear,
threshold/sign, sigmoid, tanh,
ReLU, softplus); EE-559 3.4 (Fleuret, EPFL, 2019) "Multi-Layer Perceptrons" (tanh and
ReLU) and 3.6 (backward: dℓ/ds = dℓ/dx ⊙ σ'(s)).

Every activation computes in floating point: float inputs keep their dtype, bool and integer
inputs are computed in float64, complex and object arrays are refused with a TypeError
(:mod:`byhand.nn._inputs`). NaN goes through as in PyTorch: σ(NaN) = NaN, and the gradient
at a NaN is NaN (or, for ReLU, the incoming gradient, as PyTorch's ``threshold_backward``
passes it wherever the output is not <= 0). No module writes into the arrays it is given,
except ``ReLU(inplace=True)`` on purpose.
"""

from __future__ import annotations

import numpy as np

from byhand import kernels
from byhand.nn._bits import keep, word
from byhand.nn._inputs import floating, real
from byhand.nn.functional import sigmoid
from byhand.nn.module import Module


def _gradient(grad_out: np.ndarray, shape: tuple[int, ...], who: str) -> np.ndarray:
    """The incoming gradient as a floating array of the output's shape."""
    grad_out = floating(grad_out, f"{who}.backward")
    if grad_out.shape != shape:
        raise ValueError(
            f"{who}.backward expected a gradient of shape {shape}, got {grad_out.shape}"
        )
    return grad_out


class Identity(Module):
    """σ(a) = a, σ'(a) = 1: the linear activation (a net of them stays affine, lecture 03).

    Returns its input itself, of any real dtype (as PyTorch's ``Identity``).

    Source: Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), slide 'Activation
    functions'; CS 577 Lecture 03 (Wang, IIT, 2024) (two layers with linear activation
    stay linear).

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import Identity
    >>> x = np.array([[-1.0, 2.0]])
    >>> identity = Identity()
    >>> identity(x) is x
    True
    >>> identity.backward(np.array([[3.0, 4.0]]))
    array([[3., 4.]])
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = real(x, "Identity")
        self._x = x
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self._require("_x")
        return grad_out


class ReLU(Module):
    """σ(a) = max(0, a), σ'(a) = 1[a > 0]; any shape.

    As PyTorch's ``ReLU``: ReLU(NaN) = NaN, and backward zeroes the incoming gradient exactly
    where the output is <= 0 and passes it elsewhere, NaN positions included (an infinite
    incoming gradient at a dead unit gives 0, not inf·0 = NaN).

    ``inplace=True`` (PyTorch's flag) writes the output over the input x, and in backward
    dℓ/da over the incoming dℓ/dσ: one array fewer each way and less memory traffic (about
    25 µs of a 1 ms MLP step, benchmarks/README.md). Use it only where nothing else reads x
    or the incoming gradient afterwards, e.g. right after a ``Linear``, ``Conv2d`` or pooling
    layer in a ``Sequential`` (what ``MLPClassifier`` and ``CNNClassifier`` build); not
    inside a residual block whose skip path reads them. Read-only arrays are never
    overwritten.

    Source: Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), slide 'Activation
    functions'; CS 577 Lecture 03 (Wang, IIT, 2024), slide 'Activation function'.

    Raises
    ------
    ValueError
        If the gradient passed to ``backward`` does not have the output's shape.
    TypeError
        For complex or object inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import ReLU
    >>> relu = ReLU()
    >>> relu(np.array([[-2.0, 0.0, 3.0]]))
    array([[0., 0., 3.]])
    >>> relu.backward(np.array([[5.0, 5.0, 5.0]]))  # 1[a > 0]: 0 at a = 0
    array([[0., 0., 5.]])
    """

    inplace: bool = False  # model files written before the flag existed

    def __init__(self, inplace: bool = False) -> None:
        if not isinstance(inplace, (bool, np.bool_)):
            raise TypeError(f"ReLU: inplace must be True or False, got {inplace!r}")
        self.inplace = bool(inplace)

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self.__dict__.get("_rectified") is not None and self.__dict__.pop("_rectified") is x:
            self._out = x  # the Linear before it in a Sequential applied it with its bias
            return x
        x = floating(x, "ReLU")
        dst = x if self.inplace and x.flags.writeable else self._buffer("out", x.shape, x.dtype)
        out = np.maximum(x, 0, out=dst)  # NaN stays NaN
        self._out = out
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self.__dict__.get("_masked") is not None and self.__dict__.pop("_masked") is grad_out:
            return grad_out  # the Linear after it in a Sequential applied the mask
        out = self._require("_out")
        grad_out = _gradient(grad_out, out.shape, "ReLU")
        in_place = self.inplace and grad_out.flags.writeable
        fast = kernels.relu_backward(out, grad_out, in_place, self._buffer)
        if fast is not None:
            return fast
        # A selection of bits, not a product with a 0/1 mask: inf·0 would be NaN where
        # PyTorch gives 0 (byhand.nn._bits). alive: all ones where not out <= 0 (NaN too).
        alive = self._buffer("alive", out.shape, word(grad_out.dtype))
        np.less_equal(out, 0, out=alive)
        alive -= 1  # 1 → 0, 0 → all ones
        if self.inplace and grad_out.flags.writeable:
            dst = grad_out
        else:
            dst = self._buffer("grad_in", grad_out.shape, grad_out.dtype)
        return keep(grad_out, alive, dst)

    def __repr__(self) -> str:
        return "ReLU(inplace=True)" if self.inplace else "ReLU()"


class Tanh(Module):
    """σ(a) = tanh(a), σ'(a) = 1 − tanh²(a).

    Shapes: any; backward returns the gradient in the input's shape. Source: Deep Neural Networks
    Course I (Galerne, Univ. Orléans, 2024–25), slide 'Activation functions';
    EE-559 3.4 (Fleuret, EPFL, 2019) (tanh and ReLU).

    Raises
    ------
    ValueError
        If the gradient passed to ``backward`` does not have the output's shape.
    TypeError
        For complex or object inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import Tanh
    >>> t = Tanh()
    >>> np.round(t(np.array([0.0, 1.0])), 4)
    array([0.    , 0.7616])
    >>> np.round(t.backward(np.ones(2)), 4)  # 1 − tanh²(a)
    array([1.  , 0.42])
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = floating(x, "Tanh")
        out = np.tanh(x, out=self._buffer("out", x.shape, x.dtype))
        self._out = out
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        out = self._require("_out")
        grad_out = _gradient(grad_out, out.shape, "Tanh")
        grad_in = np.multiply(out, out, out=self._buffer("grad_in", out.shape, out.dtype))
        np.subtract(1, grad_in, out=grad_in)
        grad_in *= grad_out
        return grad_in


class Sigmoid(Module):
    """σ(a) = 1/(1+e^{−a}) (logistic), σ'(a) = σ(a)(1 − σ(a)) = σ(a)·σ(−a).

    The backward uses σ(a)·σ(−a): 1 − σ(a) would round to 0 for a ≳ 37 (float64), where the
    exact derivative is e^{−a}, so the derivative keeps full relative precision in both tails.

    Shapes: any; backward returns the gradient in the input's shape. Source: Deep Neural Networks
    Course I (Galerne, Univ. Orléans, 2024–25), slide 'Activation functions'.

    Raises
    ------
    ValueError
        If the gradient passed to ``backward`` does not have the output's shape.
    TypeError
        For complex or object inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import Sigmoid
    >>> s = Sigmoid()
    >>> np.round(s(np.array([0.0, 2.0, -40.0])), 4)
    array([0.5   , 0.8808, 0.    ])
    >>> np.round(s.backward(np.ones(3)), 4)  # σ(a)σ(−a)
    array([0.25 , 0.105, 0.   ])
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = floating(x, "Sigmoid")
        out = sigmoid(x, out=self._buffer("out", x.shape, x.dtype))
        self._x = x
        self._out = out
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        x, out = self._require("_x"), self._require("_out")
        grad_out = _gradient(grad_out, x.shape, "Sigmoid")
        grad_in = np.negative(x, out=self._buffer("grad_in", x.shape, x.dtype))
        sigmoid(grad_in, out=grad_in)
        grad_in *= out
        grad_in *= grad_out
        return grad_in


class Softplus(Module):
    """σ(a) = log(1 + eᵃ), σ'(a) = logistic(a): a smooth ReLU.

    Shapes: any; backward returns the gradient in the input's shape. Source: Deep Neural Networks
    Course I (Galerne, Univ. Orléans, 2024–25), slide 'Activation functions'.

    Raises
    ------
    ValueError
        If the gradient passed to ``backward`` does not have the output's shape.
    TypeError
        For complex or object inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import Softplus
    >>> sp = Softplus()
    >>> np.round(sp(np.array([-1.0, 0.0, 1000.0])), 4)  # no overflow for large a
    array([3.133e-01, 6.931e-01, 1.000e+03])
    >>> np.round(sp.backward(np.ones(3)), 4)  # logistic(a)
    array([0.2689, 0.5   , 1.    ])
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = floating(x, "Softplus")
        self._x = x
        with np.errstate(invalid="ignore"):  # logaddexp(0, −inf) = 0 warns needlessly
            return np.logaddexp(0, x, out=self._buffer("out", x.shape, x.dtype))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        x = self._require("_x")
        grad_out = _gradient(grad_out, x.shape, "Softplus")
        grad_in = sigmoid(x, out=self._buffer("grad_in", x.shape, x.dtype))
        grad_in *= grad_out
        return grad_in


class NotDifferentiableError(RuntimeError):
    """Raised by the backward of a unit whose derivative is zero almost everywhere.

    A RuntimeError.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import NotDifferentiableError, Sign
    >>> sign = Sign()
    >>> _ = sign(np.array([1.0, -1.0]))
    >>> try:
    ...     sign.backward(np.ones(2))
    ... except NotDifferentiableError as e:
    ...     print(isinstance(e, RuntimeError))
    True
    """


class Sign(Module):
    """σ(a) = +1 if a >= 0 else −1: the perceptron's threshold unit (EE-559 3.1).

    Forward only: its derivative is 0 almost everywhere, so gradient descent cannot train
    through it (the reason for smooth activations, Galerne Course I "Activation functions").

    Shapes: any. Source: EE-559 3.1 (Fleuret, EPFL, 2019), slide '3.1. The perceptron'.

    Raises
    ------
    NotDifferentiableError
        From ``backward``.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import Sign
    >>> Sign()(np.array([-0.5, 0.0, 2.0]))
    array([-1.,  1.,  1.])
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = floating(x, "Sign")
        out = np.where(x >= 0, 1, -1).astype(x.dtype)
        np.copyto(out, x, where=np.isnan(x))  # sign(NaN) = NaN, as np.sign
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        raise NotDifferentiableError(
            "Sign has no useful gradient (its derivative is 0 almost everywhere); "
            "train with a smooth activation (Tanh, Sigmoid) or use the perceptron rule"
        )
