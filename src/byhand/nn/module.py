"""Parameters, modules and their sequential composition.

The EE-559 mini-framework (EE-559 3.6 (Fleuret, EPFL, 2019) "Back-propagation", the
"Forward pass" / "Backward pass" / "Gradient step" slides): every module has a ``forward``
that caches what its derivative needs and a ``backward(grad_out) -> grad_in`` that applies
the chain rule, accumulating dℓ/dθ into each parameter's ``.grad``; ``param()`` lists
(value, gradient) pairs; ``Sequential`` runs backward over the reversed modules.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np


class Parameter:
    """A trainable array ``data`` with its gradient ``grad`` of the same shape and dtype.

    ``decay`` says whether weight decay (the lectures' λ‖w‖²) applies: True for weights,
    False for biases, which the lectures never penalise. ``zero_grad`` is lazy: it marks the
    gradient as zero so the next ``backward`` can write it (``out=``) instead of adding to it.

    While an optimizer fuses its step into the backward pass (``SGD.fusing``, used by
    ``byhand.fit``), ``accumulate*`` hand the gradient straight to the step, which updates
    ``data`` in the same BLAS call; ``.grad`` is then not written and reading it is an error.
    """

    __slots__ = ("_grad", "_step", "_zero", "data", "decay", "name")

    def __init__(self, data: np.ndarray, *, decay: bool = True, name: str = "") -> None:
        self.data = np.asarray(data)
        self._grad = np.zeros_like(self.data)
        self._zero = True
        self._step: Any = None
        self.decay = decay
        self.name = name

    def _fresh_grad(self) -> np.ndarray:
        if self._grad.shape != self.data.shape or self._grad.dtype != self.data.dtype:
            self._grad = np.zeros_like(self.data)
            self._zero = True
        return self._grad

    @property
    def grad(self) -> np.ndarray:
        if self._step is not None:
            raise RuntimeError(
                f"the gradient of {self.name or 'this parameter'} is not stored while the SGD "
                "step is fused into backward; train with byhand.fit(..., fuse_step=False) to "
                "read .grad in backward"
            )
        grad = self._fresh_grad()
        if self._zero:
            grad.fill(0)
            self._zero = False
        return grad

    @grad.setter
    def grad(self, value: np.ndarray) -> None:
        if self._step is not None:
            self._step.apply(self, np.asarray(value))
            return
        self._fresh_grad()[...] = value
        self._zero = False

    def zero_grad(self) -> None:
        self._zero = True

    def accumulate(self, value: np.ndarray) -> None:
        """grad += value (or grad = value right after ``zero_grad``)."""
        if self._step is not None:
            self._step.apply(self, value)
            return
        grad = self._fresh_grad()
        if self._zero:
            np.copyto(grad, value)
            self._zero = False
        else:
            grad += value

    def accumulate_matmul(self, a: np.ndarray, b: np.ndarray) -> None:
        """grad += a @ b, written in place by the BLAS product when the gradient is zero."""
        if self._step is not None:
            self._step.apply_matmul(self, a, b)
            return
        grad = self._fresh_grad()
        if self._zero:
            np.matmul(a, b, out=grad)
            self._zero = False
        else:
            grad += a @ b

    def accumulate_sum(self, a: np.ndarray) -> None:
        """grad += a.sum(axis=0): the bias gradient of a batch."""
        if self._step is not None:
            self._step.apply_column_sums(self, a)
            return
        grad = self._fresh_grad()
        if self._zero:
            np.add.reduce(a, axis=0, out=grad)
            self._zero = False
        else:
            grad += a.sum(axis=0)

    def __repr__(self) -> str:
        return f"Parameter(name={self.name!r}, shape={self.data.shape}, dtype={self.data.dtype})"


class Buffered:
    """Scratch arrays that may be reused from one call to the next.

    Outside training every call returns fresh arrays, so ``a = m(X1); b = m(X2)`` never
    aliases. Inside :func:`reuse_buffers` (which ``byhand.fit`` uses), each array is kept per
    name and shape and written in place on the next batch: no allocation in the hot loop.
    """

    _reuse: bool = False

    def _buffer(self, name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        if not self._reuse:
            return np.empty(shape, dtype=dtype)
        store = self.__dict__.setdefault("_buffers", {})
        key = (name, shape, dtype)
        buf = store.get(key)
        if buf is None:
            buf = store[key] = np.empty(shape, dtype=dtype)
        return buf

    def _children(self) -> list[Buffered]:
        return []

    def _set_reuse(self, flag: bool) -> None:
        self._reuse = flag
        if not flag:
            self.__dict__.pop("_buffers", None)
        for child in self._children():
            child._set_reuse(flag)

    _transient: tuple[str, ...] = ()  # per-batch caches, never saved

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for name in ("_buffers", "_reuse", *self._transient):
            state.pop(name, None)
        return state


@contextmanager
def reuse_buffers(*objects: Buffered) -> Iterator[None]:
    """Within the block, modules and losses reuse their output buffers between calls."""
    for obj in objects:
        obj._set_reuse(True)
    try:
        yield
    finally:
        for obj in objects:
            obj._set_reuse(False)


class Module(Buffered):
    """A differentiable map with explicit ``forward`` and ``backward`` (EE-559 3.6).

    ``supports_fused_step`` promises that ``backward`` hands each parameter's gradient to
    ``Parameter.accumulate*`` once, after it has read the parameter's value for the last time
    in that pass. ``byhand.fit`` then lets the optimizer update the parameter inside that call
    (``SGD.fusing``) instead of storing the gradient. True for modules without parameters;
    a module with parameters must say so itself (``Linear`` does).
    """

    @property
    def supports_fused_step(self) -> bool:
        return not self.parameters()

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """Given dℓ/d(output), accumulate dℓ/dθ into ``.grad`` and return dℓ/d(input)."""
        raise NotImplementedError

    def backward_params(self, grad_out: np.ndarray) -> None:
        """Accumulate dℓ/dθ only; modules whose dℓ/dx is costly (``Linear``) skip it here."""
        self.backward(grad_out)

    def parameters(self) -> list[Parameter]:
        return []

    def param(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(value, gradient) pairs, as in EE-559's mini-framework."""
        return [(p.data, p.grad) for p in self.parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def _require(self, name: str) -> Any:
        value = self.__dict__.get(name)
        if value is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward called before forward: run forward first"
            )
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sequential(Module):
    """f = f_L ∘ … ∘ f_1; backward applies the chain rule over the reversed modules.

    ``input_grad=False`` skips dℓ/dx for the network's input (the data): training never
    needs it, and for an MLP it is the largest product of the backward pass
    (EE-559 3.6 (Fleuret, EPFL, 2019), the cost of the backward pass).
    """

    def __init__(self, *modules: Module, input_grad: bool = True) -> None:
        for m in modules:
            if not isinstance(m, Module):
                raise TypeError(f"Sequential takes Module instances, got {type(m).__name__}")
        self.modules = list(modules)
        self.input_grad = input_grad

    def forward(self, x: np.ndarray) -> np.ndarray:
        for m in self.modules:
            x = m.forward(x)
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        if self.input_grad:
            grad = grad_out
            for m in reversed(self.modules):
                grad = m.backward(grad)
            return grad
        first = self._first_needed()
        grad = grad_out
        for m in reversed(self.modules[first + 1 :]):
            grad = m.backward(grad)
        if first < len(self.modules):
            self.modules[first].backward_params(grad)
        return None

    @property
    def supports_fused_step(self) -> bool:
        return all(m.supports_fused_step for m in self.modules)

    def _first_needed(self) -> int:
        """Index of the first module whose backward must run (the first with parameters)."""
        for i, m in enumerate(self.modules):
            if m.parameters():
                return i
        return len(self.modules)

    def parameters(self) -> list[Parameter]:
        return [p for m in self.modules for p in m.parameters()]

    def _children(self) -> list[Buffered]:
        return list(self.modules)

    def __getitem__(self, i: int) -> Module:
        return self.modules[i]

    def __len__(self) -> int:
        return len(self.modules)

    def __repr__(self) -> str:
        inner = ",\n  ".join(repr(m) for m in self.modules)
        return f"Sequential(\n  {inner}\n)"
