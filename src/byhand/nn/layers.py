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

from byhand.nn._inputs import float_dtype, floating
from byhand.nn.init import INITIALISERS
from byhand.nn.module import Module, Parameter


class Linear(Module):
    """Affine map ``X @ weight + bias``; weight of shape (in_features, out_features).

    X of shape (N, in_features) → (N, out_features). ``dtype`` (of the parameters) must be
    floating (float32 by default, float64), else a TypeError. Inputs: floating arrays as
    given; bool and integer arrays in the floating type of their promotion with the weight
    (no truncation); complex or object arrays are a TypeError. An empty batch (N = 0) gives
    an empty output and zero parameter gradients, as in PyTorch.
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
        dtype = float_dtype(dtype, "Linear")
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
            out += self.bias.data
        return out

    def backward_params(self, grad_out: np.ndarray) -> None:
        x = self._require("_x")
        grad_out = _gradient(grad_out, x.shape[0], self.out_features)
        self.weight.accumulate_matmul(x.T, grad_out)
        if self.bias is not None:
            self.bias.accumulate_sum(grad_out)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        x = self._require("_x")
        grad_out = _gradient(grad_out, x.shape[0], self.out_features)
        w = self.weight.data
        grad_in = self._buffer(
            "grad_in", (grad_out.shape[0], self.in_features), np.result_type(grad_out, w)
        )
        np.matmul(grad_out, w.T, out=grad_in)
        self.backward_params(grad_out)
        return grad_in

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
