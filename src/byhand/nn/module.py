"""Parameters, modules and their sequential composition.

The EE-559 mini-framework (EE-559 3.6 (Fleuret, EPFL, 2019) "Back-propagation", the
"Forward pass" / "Backward pass" / "Gradient step" slides): every module has a ``forward``
that caches what its derivative needs and a ``backward(grad_out) -> grad_in`` that applies
the chain rule, accumulating dℓ/dθ into each parameter's ``.grad``; ``param()`` lists
(value, gradient) pairs; ``Sequential`` runs backward over the reversed modules.

As in PyTorch, a module finds its parameters and submodules in its attributes, and a module may
be used more than once in a network (tied weights): each use keeps its own cache, and the
gradients of the uses add up in the shared parameters (see :class:`Module`).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from byhand.nn._inputs import floating


class Parameter:
    """A trainable array ``data`` with its gradient ``grad`` of the same shape and dtype.

    ``data`` is floating: bool and integer arrays are stored in float64 (an integer weight
    could not take a gradient step), complex and object arrays are a TypeError, as PyTorch
    refuses them for parameters.

    ``decay`` says whether weight decay (the lectures' λ‖w‖²) applies: True for weights,
    False for biases, which the lectures never penalise. ``zero_grad`` is lazy: it marks the
    gradient as zero so the next ``backward`` can write it (``out=``) instead of adding to it.

    While an optimizer fuses its step into the backward pass (``SGD.fusing``, used by
    ``byhand.fit``), ``accumulate*`` hand the gradient straight to the step, which updates
    ``data`` in the same BLAS call; ``.grad`` is then not written and reading it is an error.

    Shapes: ``grad`` has the shape and dtype of ``data``.

    Raises
    ------
    TypeError
        If ``data`` is complex or an object array.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import Parameter
    >>> p = Parameter(np.array([1, 2]), name="w")
    >>> p.data.dtype, p.grad.shape
    (dtype('float64'), (2,))
    >>> p.accumulate(np.array([0.5, 0.5]))
    >>> p.accumulate(np.array([0.5, 1.0]))
    >>> p.grad
    array([1. , 1.5])
    >>> p.zero_grad()
    >>> p.grad
    array([0., 0.])
    """

    __slots__ = ("_grad", "_step", "_zero", "data", "decay", "name")

    def __init__(self, data: np.ndarray, *, decay: bool = True, name: str = "") -> None:
        self.data = floating(data, "Parameter")
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
    name, shape and use (a module used twice in a network has one set per use) and written in
    place on the next batch: no allocation in the hot loop.
    """

    _reuse: bool = False

    def _buffer(self, name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        if not self._reuse:
            return np.empty(shape, dtype=dtype)
        state = self.__dict__
        store = state.setdefault("_buffers", {})
        key = (name, shape, dtype, state.get("_use", 0))
        buf = store.get(key)
        if buf is None:
            buf = store[key] = np.empty(shape, dtype=dtype)
        return buf

    def _walk(self) -> list[Buffered]:
        """This object and every module below it, each once."""
        return [self]

    def _set_reuse(self, flag: bool) -> None:
        for obj in self._walk():
            obj._reuse = flag
            if not flag:
                obj.__dict__.pop("_buffers", None)

    _transient: tuple[str, ...] = ()  # per-batch caches, never saved

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for name in ("_buffers", "_reuse", *_USE_STATE, *self._transient):
            state.pop(name, None)
        return state


@contextmanager
def reuse_buffers(*objects: Buffered) -> Iterator[None]:
    """Within the block, modules and losses reuse their output buffers between calls.

    Outside the block every call returns a new array; inside it a module may write its output
    into the array it returned last time (the training loop of ``byhand.fit`` does this to
    avoid allocations), so an output read after the next call may have changed. Values are
    the same either way.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import Linear, reuse_buffers
    >>> layer = Linear(2, 2, random_state=0)
    >>> x = np.ones((3, 2), dtype=np.float32)
    >>> with reuse_buffers(layer):
    ...     a = layer(x)
    ...     b = layer(2 * x)
    >>> a is b
    True
    >>> layer(x) is layer(x)
    False
    """
    for obj in objects:
        obj._set_reuse(True)
    try:
        yield
    finally:
        for obj in objects:
            obj._set_reuse(False)


# -- one cache per use -----------------------------------------------------------------------
# A module's forward leaves its cache in its attributes (self._x = x) and its backward reads
# them. When a module runs twice in one forward pass (Sequential(lin, t, lin, t), or a custom
# forward calling a submodule twice), the second forward would overwrite what the first use's
# backward needs. So every forward/backward a subclass defines is wrapped (once, when the
# class is made): a forward that finds the module already used in the current pass first
# puts the previous use's attributes aside; a backward, once done, brings the previous use's
# attributes back. Backward runs the uses in reverse order, so a stack is all it takes. A
# forward pass begins with each outermost forward call on a thread: caches of the passes
# before are dropped then, so forwards without backward (prediction) never pile up.
_USE_STATE = ("_pass", "_use", "_saved", "_busy")


class _Passes(threading.local):
    def __init__(self) -> None:
        # [forward calls in progress, outermost forward calls so far] on this thread: the
        # second is the number of the current forward pass. (One list: one thread-local read.)
        self.state = [0, 0]


_PASSES = _Passes()


class _Handoff(threading.local):
    """The activation a module is asked to apply within its own forward (set by
    ``Sequential`` for the one call, read and cleared by the module)."""

    def __init__(self) -> None:
        self.to: Any = None  # forward: the activation after the module
        self.back: Any = None  # backward: the activation before it (its derivative's mask)


_HANDOFF = _Handoff()
# (module type, activation type) pairs where, in a Sequential, the first module may apply the
# in-place activation after it within its own pass over its output (Linear's bias and ReLU:
# byhand.kernels.bias_relu), and in backward the activation's derivative to the gradient it
# hands back (ReLU's mask on dℓ/dx = G Wᵀ, in the same compiled call); exact types,
# registered by the modules' own files.
_APPLIES_NEXT: set[tuple[type, type]] = set()


def _tracked_forward(forward: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(forward)
    def tracked(self: Module, x: Any, *args: Any, **kwargs: Any) -> Any:
        state = self.__dict__
        if state.get("_busy"):  # super().forward(...) inside the module's own forward
            return forward(self, x, *args, **kwargs)
        passes = _PASSES.state
        if not passes[0]:
            passes[1] += 1
        if state.get("_pass") == passes[1]:  # used again in this pass
            state.setdefault("_saved", []).append(state.copy())
            state["_use"] = state.get("_use", 0) + 1
        else:
            state["_pass"] = passes[1]
            if state.get("_use"):
                state["_use"] = 0
                state["_saved"].clear()
        state["_busy"] = True
        passes[0] += 1
        try:
            return forward(self, x, *args, **kwargs) if args or kwargs else forward(self, x)
        finally:
            passes[0] -= 1
            state["_busy"] = False

    tracked._tracked = True  # type: ignore[attr-defined]
    return tracked


def _tracked_backward(backward: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(backward)
    def tracked(self: Module, grad_out: Any) -> Any:
        state = self.__dict__
        if state.get("_busy"):  # called from the module's own backward (or super())
            return backward(self, grad_out)
        state["_busy"] = True
        try:
            grad = backward(self, grad_out)
        finally:
            state["_busy"] = False
        saved = state.get("_saved")
        if saved:  # this use is done: the previous use's caches, for its backward
            state.update(saved.pop())
        return grad

    tracked._tracked = True  # type: ignore[attr-defined]
    return tracked


_TRACKED = {
    "forward": _tracked_forward,
    "backward": _tracked_backward,
    "backward_params": _tracked_backward,
}


class Module(Buffered):
    """A differentiable map with explicit ``forward`` and ``backward`` (EE-559 3.6).

    Write ``forward(x)`` to compute the output and keep what the derivative needs as
    attributes (``self._x = x``), and ``backward(grad_out)`` to add dℓ/dθ into each
    parameter (``Parameter.accumulate`` or ``p.grad += …``) and return dℓ/dx. Nothing else
    is needed (guide: ``docs/writing_modules.md``):

    - ``parameters()`` finds every :class:`Parameter` and every submodule stored as an
      attribute (or in a list or tuple attribute), recursively, in attribute order, each
      parameter once however many modules hold it, as PyTorch's ``nn.Module`` does;
      ``zero_grad()``, ``train()``/``eval()``, optimizers, ``gradcheck`` and checkpoints
      all go through it. A module may still override ``parameters()``.
    - A module may be used several times in one network. Each use keeps its own cache: a
      forward in the same forward pass puts the previous use's attributes aside, and backward
      (which runs the uses in reverse order) brings them back; the gradient of a shared
      parameter is the sum over its uses, since backward accumulates. The caches must be
      new arrays per call (or ``self._buffer(...)`` arrays), not arrays written in place.
    - ``training`` (True by default) says whether the module is in training mode;
      ``train()``/``eval()`` set it for the module and all its submodules (layers such as
      dropout behave differently in ``eval()``).

    ``supports_fused_step`` promises that ``backward`` hands each parameter's gradient to
    ``Parameter.accumulate*`` once per use, after it has read the parameter's value for the
    last time in that use. ``byhand.fit`` then lets the optimizer update the parameter inside
    that call (``SGD.fusing``) instead of storing the gradient (a parameter that gets several
    gradients in a pass is stepped after backward instead). True for modules without
    parameters; a module with parameters must say so itself (``Linear`` does).

    Raises
    ------
    NotImplementedError
        From ``forward``/``backward`` when a subclass does not define them.

    Examples
    --------
    A module of one's own: y = a x with a trainable scalar a, checked by ``gradcheck``.

    >>> import numpy as np
    >>> from byhand import gradcheck
    >>> from byhand.nn import Module, Parameter
    >>> class Scale(Module):
    ...     def __init__(self):
    ...         self.a = Parameter(np.array([2.0]))
    ...     def forward(self, x):
    ...         self._x = x
    ...         return self.a.data * x
    ...     def backward(self, grad_out):
    ...         self.a.accumulate(np.array([np.sum(grad_out * self._x)]))
    ...         return grad_out * self.a.data
    >>> m = Scale()
    >>> m(np.array([[1.0, 3.0]]))
    array([[2., 6.]])
    >>> len(m.parameters())
    1
    >>> gradcheck(m, np.array([[1.0, 3.0]])) < 1e-6
    True
    """

    training: bool = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, track in _TRACKED.items():
            method = cls.__dict__.get(name)
            if callable(method) and not getattr(method, "_tracked", False):
                setattr(cls, name, track(method))

    @property
    def supports_fused_step(self) -> bool:
        return not self.parameters()

    #: Whether the module runs byhand's parallel compiled loops (:mod:`byhand.kernels`);
    #: :func:`byhand.fit` then trains with one BLAS thread (see ``fit``'s Notes).
    parallel_loops: bool = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """Given dℓ/d(output), accumulate dℓ/dθ into ``.grad`` and return dℓ/d(input)."""
        raise NotImplementedError

    def backward_params(self, grad_out: np.ndarray) -> None:
        """Accumulate dℓ/dθ only; modules whose dℓ/dx is costly (``Linear``) skip it here."""
        self.backward(grad_out)

    # -- what the attributes hold ------------------------------------------------------------
    def _attributes(self) -> Iterator[Any]:
        """The attribute values in order, the items of list and tuple attributes included."""
        for name, value in self.__dict__.items():
            if isinstance(value, (list, tuple)):
                if name != "_saved":
                    yield from value
            else:
                yield value

    def children(self) -> list[Module]:
        """The modules held as attributes (or in list/tuple attributes), each once, in order."""
        found = {id(v): v for v in self._attributes() if isinstance(v, Module) and v is not self}
        return list(found.values())

    def _walk(self) -> list[Module]:  # type: ignore[override]
        """This module and every module below it, each once, depth first in attribute order."""
        found: dict[int, Module] = {}
        stack: list[Module] = [self]
        while stack:
            m = stack.pop()
            if id(m) not in found:
                found[id(m)] = m
                stack.extend(reversed(m.children()))
        return list(found.values())

    def parameters(self) -> list[Parameter]:
        """Every parameter held by the module or its submodules, each once, in attribute order.

        A submodule that overrides ``parameters()`` is asked for its own list.
        """
        found: dict[int, Parameter] = {}
        _collect(self, found, {id(self)})
        return list(found.values())

    def param(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(value, gradient) pairs, as in EE-559's mini-framework."""
        return [(p.data, p.grad) for p in self.parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    # -- training and evaluation modes --------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode on this module and every
        submodule; returns the module. As PyTorch's ``Module.train``."""
        if not isinstance(mode, (bool, np.bool_)):
            raise ValueError(f"train(mode): mode must be True or False, got {mode!r}")
        for m in self._walk():
            m.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``; returns the module."""
        return self.train(False)

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


def _collect(module: Module, found: dict[int, Parameter], visited: set[int]) -> None:
    for v in module._attributes():
        if isinstance(v, Parameter):
            found.setdefault(id(v), v)
        elif isinstance(v, Module) and id(v) not in visited:
            visited.add(id(v))
            if type(v).parameters is Module.parameters:
                _collect(v, found, visited)
            else:
                for p in v.parameters():
                    found.setdefault(id(p), p)


def _holds_parameters(module: Module) -> bool:
    """``bool(module.parameters())``, quick when a parameter is a direct attribute."""
    if type(module).parameters is Module.parameters:
        for v in module.__dict__.values():
            if isinstance(v, Parameter):
                return True
    return bool(module.parameters())


def parameter_uses(model: Module) -> dict[int, int]:
    """How many gradients each parameter (by ``id``) gets in one backward pass of ``model``,
    counted from the model's last forward pass: one per use of each module holding it as an
    attribute. Call it after a forward and before its backward. Above 1 is a shared parameter.
    """
    last = model.__dict__.get("_pass")
    uses: dict[int, int] = {}
    for m in model._walk():
        state = m.__dict__
        n = state.get("_use", 0) + 1 if last is not None and state.get("_pass") == last else 0
        for v in {id(v): v for v in m._attributes() if isinstance(v, Parameter)}.values():
            uses[id(v)] = uses.get(id(v), 0) + n
    return uses


class Sequential(Module):
    """f = f_L ∘ … ∘ f_1; backward applies the chain rule over the reversed modules.

    A module may appear more than once (and in nested ``Sequential`` modules): each use keeps its
    own cache and a shared parameter gets the sum of its uses' gradients (see :class:`Module`).

    ``input_grad=False`` skips dℓ/dx for the network's input (the data): training never
    needs it, and for an MLP it is the largest product of the backward pass
    (EE-559 3.6 (Fleuret, EPFL, 2019), the cost of the backward pass).

    Shapes: each module's output is the next one's input; backward takes ∂L/∂output of the
    last module's output shape and returns ∂L/∂x in x's shape (None if ``input_grad=False``).

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import Linear, ReLU, Sequential
    >>> net = Sequential(Linear(2, 3, random_state=0), ReLU(), Linear(3, 1, random_state=1))
    >>> net(np.ones((4, 2), dtype=np.float32)).shape
    (4, 1)
    >>> net.backward(np.ones((4, 1), dtype=np.float32)).shape
    (4, 2)
    >>> [tuple(p.data.shape) for p in net.parameters()]
    [(2, 3), (3,), (3, 1), (1,)]
    """

    def __init__(self, *modules: Module, input_grad: bool = True) -> None:
        for m in modules:
            if not isinstance(m, Module):
                raise TypeError(f"Sequential takes Module instances, got {type(m).__name__}")
        self.modules = list(modules)
        self.input_grad = input_grad

    def forward(self, x: np.ndarray) -> np.ndarray:
        mods = self.modules
        last = len(mods) - 1
        for i, m in enumerate(mods):
            if i < last and (type(m), type(mods[i + 1])) in _APPLIES_NEXT and mods[i + 1].inplace:
                _HANDOFF.to = mods[i + 1]  # e.g. Linear's bias and the ReLU after it: one pass
                try:
                    x = m.forward(x)
                finally:
                    _HANDOFF.to = None
            else:
                x = m.forward(x)
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        mods = self.modules
        first = 0 if self.input_grad else self._first_needed()
        grad = grad_out
        for i in range(len(mods) - 1, first, -1):
            m, before = mods[i], mods[i - 1]
            if (type(m), type(before)) in _APPLIES_NEXT and before.inplace:
                _HANDOFF.back = before  # e.g. ReLU's mask applied by the Linear after it
                try:
                    grad = m.backward(grad)
                finally:
                    _HANDOFF.back = None
            else:
                grad = m.backward(grad)
        if first == len(mods):  # no module (an empty Sequential is the identity) or no parameters
            return grad if self.input_grad else None
        if self.input_grad:
            return mods[first].backward(grad)
        mods[first].backward_params(grad)
        return None

    @property
    def supports_fused_step(self) -> bool:
        return all(m.supports_fused_step for m in self.modules)

    @property
    def parallel_loops(self) -> bool:  # type: ignore[override]
        return any(m.parallel_loops for m in self.modules)

    def _first_needed(self) -> int:
        """Index of the first module whose backward must run (the first with parameters)."""
        for i, m in enumerate(self.modules):
            if _holds_parameters(m):
                return i
        return len(self.modules)

    def __getitem__(self, i: int) -> Module:
        return self.modules[i]

    def __len__(self) -> int:
        return len(self.modules)

    def __repr__(self) -> str:
        inner = ",\n  ".join(repr(m) for m in self.modules)
        return f"Sequential(\n  {inner}\n)"
