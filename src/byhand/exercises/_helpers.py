"""Pieces the exercise modules share: mistake predictions and gradcheck wrappers.

A mistake's prediction maps (args, expected) to what a function making that mistake returns.
:func:`scaled` covers the common ones (a sign, a factor of 2, a missing 1/N) on chosen outputs;
:func:`transposed` the missing transpose. :class:`LearnerModule` and :func:`learner_loss` put a
learner's backward behind byhand's forward, so that :func:`byhand.gradcheck` checks it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from byhand import nn

__all__ = ["LearnerModule", "LossGradModule", "learner_loss", "replace", "scaled", "transposed"]

Predict = Callable[[tuple[Any, ...], Any], Any]


def _as_list(expected: Any) -> tuple[list[Any], bool]:
    if isinstance(expected, tuple):
        return [np.asarray(e, dtype=np.float64) for e in expected], True
    return [np.asarray(expected, dtype=np.float64)], False


def replace(expected: Any, changes: dict[int, Any]) -> Any:
    """``expected`` with the outputs at the given indices replaced."""
    items, is_tuple = _as_list(expected)
    for k, v in changes.items():
        items[k] = v
    return tuple(items) if is_tuple else items[0]


def scaled(
    factor: float | Callable[[tuple[Any, ...]], float], which: Sequence[int] = ()
) -> Predict:
    """The right answer times ``factor`` (a number, or a function of the args: N for a
    missing 1/N) on the outputs ``which`` (all when empty)."""

    def predict(args: tuple[Any, ...], expected: Any) -> Any:
        c = factor(args) if callable(factor) else factor
        items, _ = _as_list(expected)
        idx = which or range(len(items))
        return replace(expected, {k: c * items[k] for k in idx})

    return predict


def transposed(which: int = 0) -> Predict:
    """The right answer with output ``which`` transposed (a missing transpose)."""

    def predict(args: tuple[Any, ...], expected: Any) -> Any:
        items, _ = _as_list(expected)
        if items[which].ndim < 2:
            raise ValueError("nothing to transpose")
        return replace(expected, {which: items[which].T})

    return predict


class LearnerModule(nn.Module):
    """byhand's ``inner`` module forward, the learner's backward.

    ``adapter(module, func, grad_out)`` calls the learner's function ``func`` with what it
    needs (``module.x``, the parameters' data, ``grad_out``), accumulates the parameter
    gradients it returns and returns the input gradient.
    """

    def __init__(self, inner: nn.Module, func: Any, adapter: Any) -> None:
        self.inner = inner
        self.func = func
        self.adapter = adapter

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x.copy()
        return self.inner.forward(x)

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        return self.adapter(self, self.func, grad_out)


def learner_loss(base: type, func: Any, pick: int = 1) -> Any:
    """An instance of the byhand loss class ``base`` whose backward is the learner's
    ``func(z, y)`` (output number ``pick`` of it: the gradient)."""

    class _Learner(base):  # type: ignore[misc, valid-type]
        def forward(self, z: np.ndarray, y: np.ndarray) -> float:
            self._zy = (np.array(z, dtype=np.float64), np.array(y))
            return super().forward(z, y)

        def backward(self) -> np.ndarray:
            z, y = self._zy
            out = func(z.copy(), y.copy())
            return np.asarray(out[pick] if isinstance(out, tuple) else out, dtype=np.float64)

    return _Learner()


class LossGradModule(nn.Module):
    """J(θ) computed by byhand as forward (a (1,) array), ∂J/∂θ by the learner as backward.

    ``value(arrays)`` is J at the parameter values; ``grads(arrays)`` calls the learner's
    function and returns its gradients, one per parameter (any array-like of the parameter's
    size). ``byhand.gradcheck(module, np.zeros(1))`` then compares the learner's gradients with
    finite differences of byhand's J; the dummy input gets no gradient (backward returns None).
    """

    def __init__(self, params: Sequence[Any], value: Any, grads: Any) -> None:
        self.params = [nn.Parameter(np.array(p, dtype=np.float64)) for p in params]
        self.value = value
        self.grads = grads

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.array([self.value([p.data.copy() for p in self.params])])

    def backward(self, grad_out: np.ndarray) -> None:
        out = self.grads([p.data.copy() for p in self.params])
        out = out if isinstance(out, (tuple, list)) else (out,)
        for p, g in zip(self.params, out, strict=True):
            p.accumulate(grad_out[0] * np.asarray(g, dtype=np.float64).reshape(p.data.shape))
        return None
