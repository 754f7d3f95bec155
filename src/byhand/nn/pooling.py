"""Max and average pooling over (N, C, H, W) images, and ``Flatten``.

Pooling summarises each k × k window of a feature map by its maximum or its mean, with windows
``stride`` apart (default: the window size, so they tile the map):

    max:  y[n, c, i, j] = max_{p<kH, q<kW} x[n, c, s·i + p, s·j + q]
    mean: y[n, c, i, j] = (1/(kH·kW)) Σ_{p<kH, q<kW} x[n, c, s·i + p, s·j + q]

with OH = ⌊(H − kH)/s⌋ + 1 (rows and columns left over are not covered, as in PyTorch).
Backward: the mean hands each input 1/(kH·kW) of the gradient of every window it lies in; the
maximum hands the whole gradient to the window's first maximal entry (row-major order, so a tie
is routed to one input only). Both run as one vectorised pass per kernel offset (kH·kW passes),
never a Python loop over windows. Sources: the convolutional networks of Deep Neural Networks
Course I (Galerne, Univ. Orléans, 2024–25), "Neural networks for image classification"; the
definitions are PyTorch's ``MaxPool2d`` / ``AvgPool2d`` (LeCun et al., "Gradient-based learning
applied to document recognition", 1998, for LeNet-5's subsampling layers).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from byhand.nn.conv import conv_output_size, pair
from byhand.nn.module import Module

__all__ = ["AvgPool2d", "Flatten", "MaxPool2d"]


class _Pool2d(Module):
    def __init__(
        self, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None
    ) -> None:
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else pair(stride, "stride")
        self._shape: tuple[int, ...] | None = None

    def _geometry(self, x: np.ndarray) -> tuple[int, int]:
        name = type(self).__name__
        if x.ndim != 4:
            raise ValueError(f"{name} expected input of shape (N, C, H, W), got {x.shape}")
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        oh, ow = conv_output_size(x.shape[2], kh, sh, 0), conv_output_size(x.shape[3], kw, sw, 0)
        if oh < 1 or ow < 1:
            raise ValueError(
                f"{name}: a {kh}×{kw} window does not fit an image of size "
                f"{x.shape[2]}×{x.shape[3]}"
            )
        return oh, ow

    def _offsets(self, a: np.ndarray, out: tuple[int, int]) -> Any:
        """(offset number, strided view of ``a`` at that kernel offset), row-major."""
        (kh, kw), (sh, sw), (oh, ow) = self.kernel_size, self.stride, out
        for p in range(kh):
            for q in range(kw):
                yield (
                    p * kw + q,
                    a[:, :, p : p + (oh - 1) * sh + 1 : sh, q : q + (ow - 1) * sw + 1 : sw],
                )

    def _check_grad(self, grad_out: np.ndarray) -> tuple[int, ...]:
        shape = self._require("_shape")
        want = self.__dict__["_out_shape"]
        if grad_out.shape != want:
            raise ValueError(
                f"{type(self).__name__}.backward expected a gradient of shape {want}, "
                f"got {grad_out.shape}"
            )
        return shape

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kernel_size={self.kernel_size}, stride={self.stride})"


class MaxPool2d(_Pool2d):
    """y = the maximum of each kH × kW window (stride ``stride``, default the window size).

    Shapes: (N, C, H, W) → (N, C, ⌊(H − kH)/s⌋ + 1, ⌊(W − kW)/s⌋ + 1). Backward routes each
    window's gradient to its first maximal input (row-major): ties go to one input. Formula and
    source in :mod:`byhand.nn.pooling`.
    """

    _transient = ("_argmax", "_masks", "_shape", "_out_shape")

    def forward(self, x: np.ndarray) -> np.ndarray:
        oh, ow = self._geometry(x)
        n, c = x.shape[:2]
        if self.kernel_size == (2, 2) and self.stride == (2, 2):
            return self._forward_2x2(x, (n, c, oh, ow))
        out = self._buffer("out", (n, c, oh, ow), x.dtype)
        small = self.kernel_size[0] * self.kernel_size[1] <= 256
        argmax = self._buffer("argmax", (n, c, oh, ow), np.uint8 if small else np.intp)
        larger = self._buffer("larger", (n, c, oh, ow), np.bool_)
        for o, view in self._offsets(x, (oh, ow)):
            if o == 0:
                np.copyto(out, view)
                argmax.fill(0)
                continue
            np.greater(view, out, out=larger)  # strictly: the first maximum keeps the window
            np.copyto(out, view, where=larger)
            np.copyto(argmax, o, where=larger)
        self._argmax, self._shape, self._out_shape = argmax, x.shape, out.shape
        return out

    def _forward_2x2(self, x: np.ndarray, shape: tuple[int, int, int, int]) -> np.ndarray:
        """The 2 × 2 windows as a tournament: the maximum of each row pair, then of the two
        winners; the three strict comparisons (0/1 masks) name the first maximal entry."""
        oh, ow = shape[2:]
        x00, x01, x10, x11 = (
            x[:, :, p : 2 * oh : 2, q : 2 * ow : 2] for p in (0, 1) for q in (0, 1)
        )
        top, bottom = self._buffer("top", shape, x.dtype), self._buffer("bottom", shape, x.dtype)
        masks = self._buffer("masks", (3, *shape), x.dtype)
        np.maximum(x00, x01, out=top)
        np.greater(x01, x00, out=masks[0])  # 1: the top row's maximum is its right entry
        np.maximum(x10, x11, out=bottom)
        np.greater(x11, x10, out=masks[1])
        out = self._buffer("out", shape, x.dtype)
        np.maximum(top, bottom, out=out)
        np.greater(bottom, top, out=masks[2])  # 1: the bottom row wins (ties stay on top)
        self._masks, self._argmax = masks, None
        self._shape, self._out_shape = x.shape, out.shape
        return out

    def _backward_2x2(self, grad_out: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        grad_in = self._buffer("grad_in", shape, grad_out.dtype)
        oh, ow = grad_out.shape[2:]
        if shape[2] != 2 * oh or shape[3] != 2 * ow:
            grad_in.fill(0)  # a last row or column outside every window
        g00, g01, g10, g11 = (
            grad_in[:, :, p : 2 * oh : 2, q : 2 * ow : 2] for p in (0, 1) for q in (0, 1)
        )
        right_top, right_bottom, bottom = self._masks
        g_bottom = self._buffer("g_bottom", grad_out.shape, grad_out.dtype)
        g_top = self._buffer("g_top", grad_out.shape, grad_out.dtype)
        np.multiply(grad_out, bottom, out=g_bottom)  # exact: masks are 0 or 1
        np.subtract(grad_out, g_bottom, out=g_top)
        np.multiply(g_top, right_top, out=g01)
        np.subtract(g_top, g01, out=g00)
        np.multiply(g_bottom, right_bottom, out=g11)
        np.subtract(g_bottom, g11, out=g10)
        return grad_in

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        shape = self._check_grad(grad_out)
        if self.__dict__.get("_argmax") is None:
            return self._backward_2x2(grad_out, shape)
        argmax = self._argmax
        grad_in = self._buffer("grad_in", shape, grad_out.dtype)
        grad_in.fill(0)
        chosen = self._buffer("chosen", grad_out.shape, np.bool_)
        disjoint = all(s >= k for s, k in zip(self.stride, self.kernel_size, strict=True))
        part = None if disjoint else self._buffer("part", grad_out.shape, grad_out.dtype)
        for o, view in self._offsets(grad_in, grad_out.shape[2:]):
            np.equal(argmax, o, out=chosen)
            if part is None:  # windows do not overlap: each input is written at most once
                np.copyto(view, grad_out, where=chosen)
            else:
                np.multiply(grad_out, chosen, out=part)
                view += part
        return grad_in


class AvgPool2d(_Pool2d):
    """y = the mean of each kH × kW window (stride ``stride``, default the window size).

    Shapes as :class:`MaxPool2d`; backward gives every input 1/(kH·kW) of the gradient of each
    window containing it. Formula and source in :mod:`byhand.nn.pooling`.
    """

    _transient = ("_shape", "_out_shape")

    def forward(self, x: np.ndarray) -> np.ndarray:
        oh, ow = self._geometry(x)
        n, c = x.shape[:2]
        out = self._buffer("out", (n, c, oh, ow), x.dtype)
        for o, view in self._offsets(x, (oh, ow)):
            if o == 0:
                np.copyto(out, view)
            else:
                out += view
        out *= out.dtype.type(1.0 / (self.kernel_size[0] * self.kernel_size[1]))
        self._shape, self._out_shape = x.shape, out.shape
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        shape = self._check_grad(grad_out)
        grad_in = self._buffer("grad_in", shape, grad_out.dtype)
        grad_in.fill(0)
        share = self._buffer("share", grad_out.shape, grad_out.dtype)
        np.multiply(grad_out, 1.0 / (self.kernel_size[0] * self.kernel_size[1]), out=share)
        for _, view in self._offsets(grad_in, grad_out.shape[2:]):
            view += share
        return grad_in


class Flatten(Module):
    """(N, d₁, d₂, …) → (N, d₁·d₂·…), row-major (C, H, W order, as PyTorch's ``Flatten``);
    backward reshapes the gradient back. The bridge from convolutional to dense layers."""

    _transient = ("_shape",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.ndim < 2:
            raise ValueError(f"Flatten expected input of shape (N, ...), got {x.shape}")
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        shape = self._require("_shape")
        if grad_out.shape != (shape[0], int(np.prod(shape[1:]))):
            raise ValueError(
                f"Flatten.backward expected a gradient of shape "
                f"{(shape[0], int(np.prod(shape[1:])))}, got {grad_out.shape}"
            )
        return grad_out.reshape(shape)
