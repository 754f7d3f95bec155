"""Max and average pooling over (N, C, H, W) images, and ``Flatten``.

Pooling summarises each k × k window of a feature map by its maximum or its mean, with windows
``stride`` apart (default: the window size, so they tile the map):

    max:  y[n, c, i, j] = max_{p<kH, q<kW} x[n, c, s·i + p, s·j + q]
    mean: y[n, c, i, j] = (1/(kH·kW)) Σ_{p<kH, q<kW} x[n, c, s·i + p, s·j + q]

with OH = ⌊(H − kH)/s⌋ + 1 (rows and columns left over are not covered, as in PyTorch).
Backward: the mean hands each input 1/(kH·kW) of the gradient of every window it lies in; the
maximum hands the whole gradient to the window's first maximal entry (row-major order, so a tie
is routed to one input only).

NaN, as in PyTorch (and ``np.max``): a window holding a NaN has the maximum NaN, and its
gradient goes to that NaN (to the last NaN of the window in row-major order, as PyTorch's
kernel ``if (val > maxval || isnan(val))`` picks it); a mean over a NaN is NaN. An infinite
incoming gradient reaches only the inputs it belongs to (no inf·0 = NaN elsewhere).
dtypes: floating inputs keep their dtype (float16 means are summed in float32, so a window of
large values cannot overflow), bool and integer inputs are computed in float64; complex and
object arrays are a TypeError. An empty batch (N = 0) gives an empty output of the right
shape, and an empty gradient. Both run as one vectorised pass per kernel offset (kH·kW passes),
never a Python loop over windows. Sources: the convolutional networks of Deep Neural Networks
Course I (Galerne, Univ. Orléans, 2024–25), "Neural networks for image classification"; the
definitions are PyTorch's ``MaxPool2d`` / ``AvgPool2d`` (LeCun et al., "Gradient-based learning
applied to document recognition", 1998, for LeNet-5's subsampling layers).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from byhand import kernels
from byhand.nn._bits import keep, word
from byhand.nn._inputs import floating
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
        if np.shape(grad_out) != want:
            raise ValueError(
                f"{type(self).__name__}.backward expected a gradient of shape {want}, "
                f"got {np.shape(grad_out)}"
            )
        return shape

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kernel_size={self.kernel_size}, stride={self.stride})"


class MaxPool2d(_Pool2d):
    """y = the maximum of each kH × kW window (stride ``stride``, default the window size).

    Shapes: (N, C, H, W) → (N, C, ⌊(H − kH)/s⌋ + 1, ⌊(W − kW)/s⌋ + 1). Backward routes each
    window's gradient to its first maximal input (row-major): ties go to one input. A window
    with a NaN gives NaN and routes its gradient to that NaN (the last NaN of the window in
    row-major order, when it holds several), as PyTorch. Formula, dtypes and
    source in :mod:`byhand.nn.pooling`.

    Source: Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), slide 'Neural
    networks for image classification' (the course goal: a convolutional network).

    Raises
    ------
    ValueError
        On a non-positive window or stride, or an input that is not 4-D or smaller than the
        window.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import MaxPool2d
    >>> pool = MaxPool2d(2)
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> pool(x)
    array([[[[ 5.,  7.],
             [13., 15.]]]])
    >>> pool.backward(np.ones((1, 1, 2, 2)))[0, 0]  # each window's gradient to its maximum
    array([[0., 0., 0., 0.],
           [0., 1., 0., 1.],
           [0., 0., 0., 0.],
           [0., 1., 0., 1.]])
    """

    parallel_loops = True

    _transient = ("_argmax", "_masks", "_shape", "_out_shape")

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = floating(x, "MaxPool2d")
        oh, ow = self._geometry(x)
        n, c = x.shape[:2]
        fast = kernels.max_pool2d(x, self.kernel_size, self.stride, (oh, ow), self._buffer)
        if fast is not None:
            out, self._argmax = fast
            self._shape, self._out_shape = x.shape, out.shape
            return out
        if self.kernel_size == (2, 2) and self.stride == (2, 2):
            return self._forward_2x2(x, (n, c, oh, ow))
        out = self._buffer("out", (n, c, oh, ow), x.dtype)
        small = self.kernel_size[0] * self.kernel_size[1] <= 256
        argmax = self._buffer("argmax", (n, c, oh, ow), np.uint8 if small else np.intp)
        larger = self._buffer("larger", (n, c, oh, ow), np.bool_)
        nan = _has_nan(x)
        isnan = self._buffer("isnan", (n, c, oh, ow), np.bool_) if nan else None
        for o, view in self._offsets(x, (oh, ow)):
            if o == 0:
                np.copyto(out, view)
                argmax.fill(0)
                continue
            np.greater(view, out, out=larger)  # strictly: the first maximum keeps the window
            if isnan is not None:  # PyTorch: val > maxval || isnan(val)
                larger |= np.isnan(view, out=isnan)
            np.copyto(out, view, where=larger)
            np.copyto(argmax, o, where=larger)
        self._argmax, self._shape, self._out_shape = argmax, x.shape, out.shape
        return out

    def _forward_2x2(self, x: np.ndarray, shape: tuple[int, int, int, int]) -> np.ndarray:
        """The 2 × 2 windows as a tournament: the maximum of each row pair, then of the two
        winners; the three choices, kept as bit masks (all ones: the right entry of the top
        row, of the bottom row, the bottom row), name the first maximal entry (or the NaN)."""
        oh, ow = shape[2:]
        x00, x01, x10, x11 = (
            x[:, :, p : 2 * oh : 2, q : 2 * ow : 2] for p in (0, 1) for q in (0, 1)
        )
        top, bottom = self._buffer("top", shape, x.dtype), self._buffer("bottom", shape, x.dtype)
        masks = self._buffer("masks", (3, *shape), word(x.dtype))
        np.maximum(x00, x01, out=top)  # np.maximum propagates NaN
        np.greater(x01, x00, out=masks[0])  # 1: the top row's maximum is its right entry
        np.maximum(x10, x11, out=bottom)
        np.greater(x11, x10, out=masks[1])
        out = self._buffer("out", shape, x.dtype)
        np.maximum(top, bottom, out=out)
        np.greater(bottom, top, out=masks[2])  # 1: the bottom row wins (ties stay on top)
        if _has_nan(out):  # a NaN wins its window (the last one, as PyTorch)
            isnan = self._buffer("isnan", shape, np.bool_)
            for mask, later in ((masks[0], x01), (masks[1], x11), (masks[2], bottom)):
                np.bitwise_or(mask, np.isnan(later, out=isnan), out=mask)
        np.negative(masks, out=masks)  # 1 → all ones
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
        masks = self._masks
        u = word(grad_out.dtype)
        if masks.dtype != u:  # a gradient of another width than the input: masks to match
            masks = np.negative((masks != 0).astype(u))
        right_top, right_bottom, bottom = masks
        g_bottom = keep(grad_out, bottom, self._buffer("g_bottom", grad_out.shape, grad_out.dtype))
        g_top = self._buffer("g_top", grad_out.shape, grad_out.dtype)
        # x ^ (x & m) = x & ~m: the rest of the gradient, bit for bit
        np.bitwise_xor(grad_out.view(u), g_bottom.view(u), out=g_top.view(u))
        keep(g_top, right_top, g01)
        np.bitwise_xor(g_top.view(u), g01.view(u), out=g00.view(u))
        keep(g_bottom, right_bottom, g11)
        np.bitwise_xor(g_bottom.view(u), g11.view(u), out=g10.view(u))
        return grad_in

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        shape = self._check_grad(grad_out)
        grad_out = floating(grad_out, "MaxPool2d.backward")
        argmax = self.__dict__.get("_argmax")
        if argmax is not None:
            k, s = self.kernel_size, self.stride
            fast = kernels.max_pool2d_backward(grad_out, argmax, k, s, shape, self._buffer)
            if fast is not None:
                return fast
        if self.__dict__.get("_argmax") is None:
            return self._backward_2x2(grad_out, shape)
        argmax = self._argmax
        grad_in = self._buffer("grad_in", shape, grad_out.dtype)
        grad_in.fill(0)
        chosen = self._buffer("chosen", grad_out.shape, word(grad_out.dtype))
        part = self._buffer("part", grad_out.shape, grad_out.dtype)
        disjoint = all(s >= k for s, k in zip(self.stride, self.kernel_size, strict=True))
        for o, view in self._offsets(grad_in, grad_out.shape[2:]):
            np.equal(argmax, o, out=chosen)
            np.negative(chosen, out=chosen)  # 1 → all ones
            if disjoint:  # windows do not overlap: each input is written at most once
                keep(grad_out, chosen, view)
            else:
                view += keep(grad_out, chosen, part)
        return grad_in


class AvgPool2d(_Pool2d):
    """y = the mean of each kH × kW window (stride ``stride``, default the window size).

    Shapes as :class:`MaxPool2d`; backward gives every input 1/(kH·kW) of the gradient of each
    window containing it. Formula, dtypes and source in :mod:`byhand.nn.pooling`.

    Source: Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), slide 'Neural
    networks for image classification' (the course goal: a convolutional network).

    Raises
    ------
    ValueError
        On a non-positive window or stride, or an input that is not 4-D or smaller than the
        window.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import AvgPool2d
    >>> pool = AvgPool2d(2)
    >>> pool(np.arange(16.0).reshape(1, 1, 4, 4))
    array([[[[ 2.5,  4.5],
             [10.5, 12.5]]]])
    >>> pool.backward(np.ones((1, 1, 2, 2)))[0, 0, :2, :2]  # 1/(kH·kW) to each input
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """

    _transient = ("_shape", "_out_shape")

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = floating(x, "AvgPool2d")
        oh, ow = self._geometry(x)
        n, c = x.shape[:2]
        fast = kernels.avg_pool2d(x, self.kernel_size, self.stride, (oh, ow), self._buffer)
        if fast is not None:
            self._shape, self._out_shape = x.shape, fast.shape
            return fast
        # float16 sums in float32, as PyTorch accumulates: 4 × 30000 overflows float16
        acc = np.float32 if x.dtype == np.float16 else x.dtype
        out = self._buffer("out", (n, c, oh, ow), acc)
        for o, view in self._offsets(x, (oh, ow)):
            if o == 0:
                np.copyto(out, view)
            else:
                out += view
        out *= out.dtype.type(1.0 / (self.kernel_size[0] * self.kernel_size[1]))
        if out.dtype != x.dtype:
            out = out.astype(x.dtype)
        self._shape, self._out_shape = x.shape, out.shape
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        shape = self._check_grad(grad_out)
        grad_out = floating(grad_out, "AvgPool2d.backward")
        fast = kernels.avg_pool2d_backward(
            grad_out, self.kernel_size, self.stride, shape, self._buffer
        )
        if fast is not None:
            return fast
        grad_in = self._buffer("grad_in", shape, grad_out.dtype)
        grad_in.fill(0)
        share = self._buffer("share", grad_out.shape, grad_out.dtype)
        np.multiply(grad_out, 1.0 / (self.kernel_size[0] * self.kernel_size[1]), out=share)
        for _, view in self._offsets(grad_in, grad_out.shape[2:]):
            view += share
        return grad_in


def _has_nan(a: np.ndarray) -> bool:
    """Whether ``a`` holds a NaN: its maximum is NaN then (one fast pass, no warning)."""
    return bool(a.size) and bool(np.isnan(np.max(a)))


class Flatten(Module):
    """(N, d₁, d₂, …) → (N, d₁·d₂·…), row-major (C, H, W order, as PyTorch's ``Flatten``);
    backward reshapes the gradient back. The bridge from convolutional to dense layers.

    A view of the input when NumPy can make one (as PyTorch), of any dtype; N = 0 gives an
    empty (0, d₁·d₂·…) array.

    Source: Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), slide 'Neural
    networks for image classification' (the course goal: a convolutional network).

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import Flatten
    >>> flat = Flatten()
    >>> flat(np.zeros((2, 3, 4, 5))).shape
    (2, 60)
    >>> flat.backward(np.ones((2, 60))).shape
    (2, 3, 4, 5)
    """

    _transient = ("_shape",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim < 2:
            raise ValueError(f"Flatten expected input of shape (N, ...), got {x.shape}")
        self._shape = x.shape
        # the width spelled out: reshape(N, -1) is ambiguous for an empty batch
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        shape = self._require("_shape")
        grad_out = np.asarray(grad_out)
        if grad_out.shape != (shape[0], math.prod(shape[1:])):
            raise ValueError(
                f"Flatten.backward expected a gradient of shape "
                f"{(shape[0], math.prod(shape[1:]))}, got {grad_out.shape}"
            )
        return grad_out.reshape(shape)
