"""The fully connected layer.

s = x W + b with W ∈ R^{d×K}, i.e. f = Wᵀx per sample (CS 577 Lecture 01 (Wang, IIT, 2024),
notation of
the multiclass linear classifier; EE-559 3.6 (Fleuret, EPFL, 2019) "Back-propagation":
s⁽ˡ⁾ = w⁽ˡ⁾ x⁽ˡ⁻¹⁾ + b⁽ˡ⁾). Backward, for a batch X (N×d) and G = dℓ/ds (N×K):
dℓ/dW = Xᵀ G, dℓ/db = Σₙ Gₙ, dℓ/dX = G Wᵀ.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from byhand import kernels
from byhand.nn._inputs import floating, parameter_dtype
from byhand.nn.activations import ReLU
from byhand.nn.init import INITIALISERS
from byhand.nn.module import _APPLIES_NEXT, _HANDOFF, Module, Parameter


class Linear(Module):
    """Fully connected layer: z = x W + b, with W of shape (in_features, out_features).

    Forward, for a batch x of shape (N, in_features)::

        z = x W + b                                   (N, out_features)

    Backward, given G = ∂L/∂z of shape (N, out_features)::

        ∂L/∂W = xᵀ G        (in_features, out_features)
        ∂L/∂b = Σₙ Gₙ       (out_features,)
        ∂L/∂x = G Wᵀ        (N, in_features)

    ``backward(G)`` adds ∂L/∂W and ∂L/∂b into ``weight.grad`` and ``bias.grad`` and returns
    ∂L/∂x. Source: EE-559 3.6 (Fleuret, EPFL, 2019), slides '3.6. Back-propagation' and
    'Backward pass' (s⁽ˡ⁾ = w⁽ˡ⁾ x⁽ˡ⁻¹⁾ + b⁽ˡ⁾ and its gradients in tensorial form), written
    here for a batch in rows; CS 577 Lecture 01 (Wang, IIT, 2024), slide 'Multiclass linear
    classifier' (f = Wᵀx per sample).

    Parameters
    ----------
    in_features, out_features : int
        Sizes of the input and output; positive integers.
    bias : bool, default True
        Whether to add b (initialised to zero).
    init : {"glorot_uniform", "he_normal", "zeros"}, default "glorot_uniform"
        Initialiser of W (see :mod:`byhand.nn.init`).
    random_state : int, numpy.random.Generator or None
        Seeds the initial W.
    dtype : float32 (default) or float64
        Type of the parameters.

    Inputs: floating arrays as given; bool and integer arrays in the floating type of their
    promotion with the weight (no truncation). An empty batch (N = 0) gives an empty output
    and zero parameter gradients, as in PyTorch.

    Raises
    ------
    ValueError
        If ``in_features``/``out_features`` is not a positive integer, ``init`` is unknown,
        x is not of shape (N, in_features), or G not of shape (N, out_features).
    TypeError
        If ``dtype`` is not float32/float64, or x is complex or an object array.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import Linear
    >>> layer = Linear(3, 2, random_state=0, dtype=np.float64)
    >>> x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
    >>> z = layer(x)
    >>> z.shape
    (2, 2)
    >>> np.allclose(z, x @ layer.weight.data + layer.bias.data)
    True
    >>> G = np.ones((2, 2))
    >>> dx = layer.backward(G)
    >>> np.allclose(layer.weight.grad, x.T @ G), np.allclose(layer.bias.grad, G.sum(0))
    (True, True)
    >>> np.allclose(dx, G @ layer.weight.data.T)
    True
    >>> layer(np.ones((2, 4)))
    Traceback (most recent call last):
    ...
    ValueError: Linear expected input of shape (N, 3), got (2, 4)
    """

    supports_fused_step = True  # backward forms dℓ/dX = G Wᵀ before handing on dℓ/dW

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        init: str = "glorot_uniform",
        random_state: Any = None,
        dtype: Any = np.float32,
    ) -> None:
        for name, v in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if init not in INITIALISERS:
            raise ValueError(f"init must be one of {sorted(INITIALISERS)}, got {init!r}")
        dtype = parameter_dtype(dtype, "Linear")
        rng = np.random.default_rng(random_state)
        self.in_features, self.out_features = int(in_features), int(out_features)
        w = INITIALISERS[init]((self.in_features, self.out_features), rng, dtype)
        self.weight = Parameter(w, decay=True, name="weight")
        self.bias = (
            Parameter(np.zeros(self.out_features, dtype=dtype), decay=False, name="bias")
            if bias
            else None
        )
        self._x: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        relu = _HANDOFF.to  # a ReLU(inplace=True) after this layer in a Sequential
        if relu is not None:
            _HANDOFF.to = None
        x = floating(x, "Linear", like=self.weight.data)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"Linear expected input of shape (N, {self.in_features}), got {x.shape}"
            )
        self._x = x
        w = self.weight.data
        out = self._buffer("out", (x.shape[0], self.out_features), np.result_type(x, w))
        np.matmul(x, w, out=out)
        if self.bias is not None:
            if relu is not None and kernels.bias_relu(out, self.bias.data) is not None:
                relu._rectified = out  # the ReLU finds its work done (the same bits)
            else:
                out += self.bias.data
        return out

    def backward_params(self, grad_out: np.ndarray) -> None:
        x = self._require("_x")
        grad_out = _gradient(grad_out, x.shape[0], self.out_features)
        if self._stepped(x, grad_out, None):
            return
        self.weight.accumulate_matmul(x.T, grad_out)
        if self.bias is not None:
            self.bias.accumulate_sum(grad_out)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        relu = _HANDOFF.back  # a ReLU(inplace=True) before this layer in a Sequential
        if relu is not None:
            _HANDOFF.back = None
        x = self._require("_x")
        grad_out = _gradient(grad_out, x.shape[0], self.out_features)
        w = self.weight.data
        grad_in = self._buffer(
            "grad_in", (grad_out.shape[0], self.in_features), np.result_type(grad_out, w)
        )
        mask = None if relu is None else relu.__dict__.get("_out")
        if self._stepped(x, grad_out, grad_in, mask):
            if mask is not None:
                relu._masked = grad_in  # the ReLU finds its derivative applied (same bits)
            return grad_in
        np.matmul(grad_out, w.T, out=grad_in)
        self.backward_params(grad_out)
        return grad_in

    def _stepped(
        self,
        x: np.ndarray,
        grad_out: np.ndarray,
        grad_in: np.ndarray | None,
        mask: np.ndarray | None = None,
    ) -> bool:
        """While SGD is fused into backward (``byhand.fit``), the products dℓ/dx, the weight
        step and the bias step in one compiled call (``FusedSGDStep.apply_linear``), with
        the mask of the ReLU before the layer on dℓ/dx when ``mask`` (its output) is given."""
        step = self.weight._step
        if step is None or (self.bias is not None and self.bias._step is not step):
            return False
        return bool(step.apply_linear(self.weight, self.bias, x, grad_out, grad_in, mask))

    def __repr__(self) -> str:
        return (
            f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None})"
        )


def _gradient(grad_out: np.ndarray, n: int, k: int) -> np.ndarray:
    grad_out = floating(grad_out, "Linear.backward")
    if grad_out.shape != (n, k):
        raise ValueError(
            f"Linear.backward expected a gradient of shape {(n, k)}, got {grad_out.shape}"
        )
    return grad_out


_APPLIES_NEXT.add((Linear, ReLU))
