"""Dropout: random zeroing of activations while training, the identity in evaluation.

Training (``module.training`` True): y = x ⊙ m / (1 − p) with m_i ~ Bernoulli(1 − p) drawn
afresh at every forward, so that E[y] = x; backward: dℓ/dx = dℓ/dy ⊙ m / (1 − p).
Evaluation (after ``eval()``): y = x. Source: Srivastava, Hinton, Krizhevsky, Sutskever &
Salakhutdinov, "Dropout: a simple way to prevent neural networks from overfitting", JMLR 2014
(the "inverted" scaling at training time, as PyTorch's ``Dropout``); the lectures do not treat it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from byhand.nn._inputs import floating, real
from byhand.nn.module import Module

__all__ = ["Dropout", "set_training"]


def set_training(module: Module, mode: bool) -> None:
    """``module.train(mode)``: training (True) or evaluation (False) mode, submodules too."""
    module.train(mode)


class Dropout(Module):
    """Zero each entry with probability ``p`` and scale the rest by 1/(1 − p) while training;
    the identity in evaluation mode. Any shape. ``p`` in [0, 1); ``random_state`` seeds the
    masks (a seed or a ``numpy.random.Generator``, kept as ``generator``, whose state
    ``byhand.fit``'s checkpoints save). Formula and source in :mod:`byhand.nn.dropout`.

    Inputs of any real dtype (complex or object arrays: TypeError); while training the output
    is float64 for bool, integer and float16 inputs (the mask's dtype), else the input's.
    NaN stays NaN where kept and, as in PyTorch (x·0), where dropped.

    Raises
    ------
    ValueError
        If ``p`` is not in [0, 1).
    TypeError
        If x is complex or an object array.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import Dropout
    >>> drop = Dropout(0.5, random_state=0)
    >>> y = drop(np.ones((2, 4)))
    >>> sorted(set(y.ravel().tolist()))  # dropped entries are 0, kept ones scaled by 2
    [0.0, 2.0]
    >>> bool(np.all(drop.backward(np.ones((2, 4))) == y))  # the same mask
    True
    >>> drop.eval()(np.ones((1, 3)))
    array([[1., 1., 1.]])
    """

    training: bool = True

    def __init__(self, p: float = 0.5, *, random_state: Any = None) -> None:
        if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, float, np.floating)):
            raise TypeError(f"Dropout: p must be a number in [0, 1), got {p!r}")
        if not 0 <= p < 1:
            raise ValueError(f"Dropout: p must lie in [0, 1), got {p!r}")
        self.p = float(p)
        self.generator = (
            random_state
            if isinstance(random_state, np.random.Generator)
            else np.random.default_rng(random_state)
        )
        self._mask: np.ndarray | None = None

    _transient = ("_mask",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = real(x, "Dropout")
        if not self.training or self.p == 0:
            self._mask = None
            self._identity = True
            return x
        self._identity = False
        dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float64)
        mask = self._buffer("mask", x.shape, dtype)
        self.generator.random(dtype=dtype, out=mask)
        keep = np.greater_equal(mask, self.p, out=self._buffer("keep", x.shape, np.bool_))
        np.multiply(keep, dtype.type(1.0 / (1.0 - self.p)), out=mask)
        self._mask = mask
        return np.multiply(x, mask, out=self._buffer("out", x.shape, np.result_type(x, mask)))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self.__dict__.get("_identity") is None:
            self._require("_mask")
        if self._identity:
            return grad_out
        grad_out = floating(grad_out, "Dropout.backward")
        mask = self._mask
        assert mask is not None
        if grad_out.shape != mask.shape:
            raise ValueError(
                f"Dropout.backward expected a gradient of shape {mask.shape}, got {grad_out.shape}"
            )
        return np.multiply(grad_out, mask, out=self._buffer("grad_in", mask.shape, grad_out.dtype))

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"
