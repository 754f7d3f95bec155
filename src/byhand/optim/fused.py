"""The SGD step done inside the backward pass's own products.

SGD (CS 577 Lecture 01 (Wang, IIT, 2024), "Gradient descent" / "Stochastic gradient descent";
momentum
and weight decay as in :class:`byhand.optim.SGD`) changes each parameter by a linear function
of its gradient. For a weight W with gradient Xᵀ G (EE-559 3.6 (Fleuret, EPFL, 2019)
"Back-propagation": dℓ/dW = Xᵀ G):

    no momentum:  W ← (1 − ε·wd) W − ε Xᵀ G                     one gemm, α = −ε, β = 1 − ε·wd
    momentum μ:   v ← μ v + Xᵀ G (+ wd·W);  W ← W − ε v           one gemm (α = 1, β = μ), axpy

and a bias b with gradient Σₙ Gₙ is one gemv the same way. So the gradient never has to be
stored and read back by a separate update pass. The arithmetic is the optimizer's; only the
rounding differs from ``SGD.step`` (fused multiply-adds inside the BLAS).

A parameter that receives no gradient in a step still decays and coasts on its velocity, as
it would under ``SGD.step``. A shared parameter (tied weights: a module used twice, or one
parameter held by two modules) gets one gradient per use, and its value is read again by the
uses whose backward comes later, so it cannot be stepped in flight: the parameters named
``shared`` collect their gradients as usual and take the plain step in :meth:`end`. An
undeclared second gradient is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from byhand import kernels
from byhand.nn import _blas

if TYPE_CHECKING:
    from byhand.nn.module import Parameter


class SGD(Protocol):
    """What the fused step reads and updates of :class:`byhand.optim.SGD` (named here so that
    this module does not import ``sgd``, which imports it)."""

    params: list[Parameter]
    lr: Callable[[int], float]
    k: int
    momentum: float
    weight_decay: float
    _velocity: list[np.ndarray | None]

    def _update(self, i: int, p: Parameter, g: np.ndarray, eta: float) -> None: ...


def _operand(a: np.ndarray) -> tuple[np.ndarray, bool]:
    """(C-contiguous array, transposed?) such that op(array) == a, without copying if possible."""
    if a.flags.c_contiguous:
        return a, False
    if a.T.flags.c_contiguous:
        return a.T, True
    return np.ascontiguousarray(a), False


class FusedSGDStep:
    """One SGD step, applied parameter by parameter as ``backward`` hands out gradients."""

    def __init__(self, optimizer: SGD, shared: Iterable[Parameter] = ()) -> None:
        self.optimizer = optimizer
        self._index = {id(p): i for i, p in enumerate(optimizer.params)}
        self._deferred = {self._index[id(p)] for p in shared if id(p) in self._index}
        self._done = [False] * len(optimizer.params)
        self._ones: dict[tuple[int, np.dtype], np.ndarray] = {}
        self._data: list[np.ndarray | None] = [None] * len(optimizer.params)
        self._blas_dtype: list[np.dtype | None] = []
        self.eta = 0.0

    def _inspect_data(self) -> None:
        """Which parameters the BLAS can update in place (C-contiguous float32/64 arrays)."""
        params = self.optimizer.params
        self._data = [p.data for p in params]
        self._blas_dtype = [
            p.data.dtype if p.data.flags.c_contiguous and _blas.available(p.data.dtype) else None
            for p in params
        ]

    # -- the step's life: begin, gradients arrive, end ---------------------------------------
    def begin(self) -> None:
        """From here until :meth:`end`, the parameters route their gradients to this step."""
        self.eta = float(self.optimizer.lr(self.optimizer.k))
        self._done = [False] * len(self._done)
        stale = False
        for i, (p, data) in enumerate(zip(self.optimizer.params, self._data, strict=True)):
            if i in self._deferred:
                p.zero_grad()  # gradients of the uses add up in .grad; stepped in end()
            else:
                p._step = self
            stale = stale or p.data is not data
        if stale:
            self._inspect_data()

    def end(self) -> None:
        """Shared parameters take the step with their summed gradient, parameters that got
        no gradient this step with g = 0; k ← k + 1."""
        self.release()
        for i, done in enumerate(self._done):
            if not done:
                p = self.optimizer.params[i]
                g = p.grad if i in self._deferred else np.zeros_like(p.data)
                self._apply_dense(p, i, g)
        self.optimizer.k += 1

    def release(self) -> None:
        for p in self.optimizer.params:
            p._step = None

    # -- what Parameter.accumulate* call ------------------------------------------------------
    def apply_matmul(self, p: Parameter, a: np.ndarray, b: np.ndarray) -> None:
        """p ← step(p, a @ b)."""
        i = self._claim(p)
        (a_, ta), (b_, tb) = _operand(a), _operand(b)
        data = p.data
        dtype = self._blas_dtype[i]
        if dtype is None or a_.dtype != dtype or b_.dtype != dtype or not a_.size or not b_.size:
            self._apply_dense(p, i, a @ b)
            return
        opt = self.optimizer
        decay = opt.weight_decay if p.decay else 0.0
        if not opt.momentum:
            _blas.gemm(-self.eta, a_, b_, 1.0 - self.eta * decay, data, trans_a=ta, trans_b=tb)
            return
        v = self._velocity(i, data)
        first = opt._velocity[i] is None
        _blas.gemm(1.0, a_, b_, 0.0 if first else opt.momentum, v, trans_a=ta, trans_b=tb)
        self._finish_momentum(i, data, v, decay)

    def apply_column_sums(self, p: Parameter, a: np.ndarray) -> None:
        """p ← step(p, Σ_rows a): the bias of a batch."""
        i = self._claim(p)
        data = p.data
        dtype = self._blas_dtype[i]
        if (
            dtype is None
            or a.dtype != dtype
            or a.ndim != 2
            or not a.size
            or not a.flags.c_contiguous
        ):
            self._apply_dense(p, i, a.sum(axis=0))
            return
        ones = self._ones_for(a.shape[0], a.dtype)
        opt = self.optimizer
        decay = opt.weight_decay if p.decay else 0.0
        if not opt.momentum:
            _blas.add_column_sums(-self.eta, a, 1.0 - self.eta * decay, data, ones)
            return
        v = self._velocity(i, data)
        first = opt._velocity[i] is None
        _blas.add_column_sums(1.0, a, 0.0 if first else opt.momentum, v, ones)
        self._finish_momentum(i, data, v, decay)

    def apply_linear(
        self,
        weight: Parameter,
        bias: Parameter | None,
        x: np.ndarray,
        g: np.ndarray,
        dx: np.ndarray | None,
        mask: np.ndarray | None = None,
    ) -> bool:
        """A fully connected layer's whole backward in one compiled call: dx ← G Wᵀ (if
        ``dx`` is given; +0.0 where ``mask``, a ReLU's output, is <= 0),
        W ← step(W, xᵀ G), b ← step(b, Σₙ Gₙ) (plain SGD only, see
        :func:`byhand.kernels.sgd_linear_backward`). False, with nothing done, where it does
        not apply (momentum, a shared parameter, another dtype or layout): the caller then
        goes the usual way."""
        opt = self.optimizer
        if opt.momentum:
            return False
        index = self._index
        i = index.get(id(weight))
        j = None if bias is None else index.get(id(bias))
        if i is None or self._done[i] or self._blas_dtype[i] is None:
            return False
        if bias is not None and (j is None or self._done[j] or self._blas_dtype[j] is None):
            return False
        eta, wd = self.eta, opt.weight_decay
        beta_w = 1.0 - eta * (wd if weight.decay else 0.0)
        beta_b = 1.0 if bias is None else 1.0 - eta * (wd if bias.decay else 0.0)
        done = kernels.sgd_linear_backward(
            x, g, weight.data, None if bias is None else bias.data, dx, eta, beta_w, beta_b,
            self._ones_for, mask,
        )  # fmt: skip
        if not done:
            return False
        self._done[i] = True
        if j is not None:
            self._done[j] = True
        return True

    def apply(self, p: Parameter, g: np.ndarray) -> None:
        """p ← step(p, g) for a gradient already formed."""
        self._apply_dense(p, self._claim(p), g)

    # -- helpers -----------------------------------------------------------------------------
    def _claim(self, p: Parameter) -> int:
        i = self._index[id(p)]
        if self._done[i]:
            raise RuntimeError(
                f"{p.name or 'a parameter'} received two gradients in one fused step: a shared "
                "parameter not declared in SGD.fusing(shared=...) (byhand.fit finds them from "
                "the modules' attributes; one hidden elsewhere needs fuse_step=False)"
            )
        self._done[i] = True
        return i

    def _ones_for(self, n: int, dtype: np.dtype) -> np.ndarray:
        key = (n, np.dtype(dtype))
        ones = self._ones.get(key)
        if ones is None:
            ones = self._ones[key] = np.ones(n, dtype=dtype)
        return ones

    def _velocity(self, i: int, data: np.ndarray) -> np.ndarray:
        v = self.optimizer._velocity[i]
        if v is None or v.shape != data.shape or v.dtype != data.dtype:
            v = np.empty_like(data)
        return v

    def _finish_momentum(self, i: int, data: np.ndarray, v: np.ndarray, decay: float) -> None:
        """v holds μ v + g; add wd·θ, store it, then θ ← θ − ε v."""
        if decay:
            _blas.axpy(decay, data, v)
        self.optimizer._velocity[i] = v
        _blas.axpy(-self.eta, v, data)

    def _apply_dense(self, p: Parameter, i: int, g: Any) -> None:
        """The step from a formed gradient, exactly as ``SGD.step`` takes it."""
        self.optimizer._update(i, p, np.asarray(g, dtype=p.data.dtype), self.eta)
