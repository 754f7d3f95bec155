"""The 2-D convolution layer, as matrix products (im2col / col2im).

The layer the course is about: "Convolutional neural networks: special neural networks for
images that use local convolutions (e.g. 3 × 3 filters) for the first layers" (Deep Neural
Networks Course I (Galerne, Univ. Orléans, 2024–25), "Neural networks for image
classification"). As in PyTorch (``torch.nn.Conv2d``) the "convolution" is a
cross-correlation, images are (N, C, H, W) and the weight is (out_channels, in_channels, kH, kW):

    y[n, o, i, j] = b[o] + Σ_{c, p, q} w[o, c, p, q] · x̃[n, c, s·i + p, s·j + q]

with x̃ the input zero-padded by P on each side, stride s, and output size
OH = ⌊(H + 2P − kH) / s⌋ + 1 (likewise OW).

**As matrix products** (Chellapilla, Puri & Simard, "High performance convolutional neural
networks for document processing", 2006): the patches of x̃ are copied into a matrix
``cols`` of shape (C·kH·kW, N·OH·OW) (im2col), after which the layer is a fully connected one
applied at every position — forward Y = W cols, backward dW = G colsᵀ, dcols = Wᵀ G, one BLAS
product each (W seen as (out, C·kH·kW), G = dℓ/dY as (out, N·OH·OW)); dℓ/dx̃ is ``dcols`` added
back into place (col2im) with one strided addition per kernel offset (kH·kW of them), never a
loop over pixels. The backward of this map is the lecture's back-propagation through a linear
layer (EE-559 3.6 (Fleuret, EPFL, 2019) "Back-propagation": dℓ/dW = Gᵀ x, dℓ/dx = G W).

**Stride 1 with numba** (finite float32/float64 input of the weight's dtype): forward and
weight gradient run as direct loops on the padded images' "wide" rows, and dℓ/dx as one
loop adding Wᵀ G's blocks into place (:mod:`byhand.kernels.conv`, measured faster for
LeNet's thin products); no ``cols`` matrix is made. Other strides, the NumPy
backend and an input holding NaN or inf take the im2col path below, the oracle the tests
compare the loops with (to float rounding).

**Memory per batch** (inside ``byhand.fit``, where buffers are reused from step to step):
the padded input and its gradient N·C·(H+2P)·(W+2P) each (stored channel-major,
(C, N, H+2P, W+2P)), ``cols`` and ``dcols`` N·C·kH·kW·OH·OW each, the output and its gradient
in two layouts N·out·OH·OW each, and dℓ/dx N·C·H·W numbers; nothing else grows with the
batch (all in the layer's dtype). For LeNet-5's first layer (C = 1, 5 × 5, 28 × 28 outputs)
and N = 64, ``cols`` is 1.25 M numbers (5 MB in float32). The stride-1 compiled path keeps
instead the flattened padded input N·C·(H+2P)·(W+2P) (plus kW − 1) and G on wide rows
out·N·OH·(W+2P) numbers.
``byhand.fit`` evaluates image validation data in chunks of the training batch size, so a
run keeps at most the buffers of a full batch and of the last, shorter batches of the
training and validation sets.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from byhand import kernels
from byhand.nn._inputs import floating, parameter_dtype
from byhand.nn.module import Module, Parameter

__all__ = ["Conv2d", "conv_output_size", "pair"]


def pair(value: Any, name: str, *, low: int = 1) -> tuple[int, int]:
    """(a, b) from an int a (→ (a, a)) or a pair of ints, each >= ``low``."""
    vals = value if isinstance(value, (tuple, list)) else (value, value)
    if len(vals) != 2 or any(
        isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < low
        for v in vals
    ):
        raise ValueError(f"{name} must be an integer >= {low} or a pair of them, got {value!r}")
    return int(vals[0]), int(vals[1])


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """⌊(size + 2·padding − kernel) / stride⌋ + 1: positions of a window along one axis."""
    return (size + 2 * padding - kernel) // stride + 1


def _windows(
    xp: np.ndarray, k: tuple[int, int], s: tuple[int, int], out: tuple[int, int]
) -> np.ndarray:
    """View (C, N, OH, OW, kH, kW) of the stride-s windows of the padded images (no copy)."""
    view = sliding_window_view(xp, k, axis=(2, 3))
    return view[:, :, : (out[0] - 1) * s[0] + 1 : s[0], : (out[1] - 1) * s[1] + 1 : s[1]]


def col2im(
    dcols: np.ndarray,
    dxp: np.ndarray,
    k: tuple[int, int],
    s: tuple[int, int],
    out: tuple[int, int],
) -> np.ndarray:
    """dxp (C, N, H̃, W̃) = the sum of each window's gradient at its place; ``dcols`` is
    (C, kH, kW, N, OH, OW). One strided addition per kernel offset (p, q)."""
    dxp.fill(0)
    oh, ow = out
    for p in range(k[0]):
        for q in range(k[1]):
            target = dxp[
                :, :, p : p + (oh - 1) * s[0] + 1 : s[0], q : q + (ow - 1) * s[1] + 1 : s[1]
            ]
            target += dcols[:, p, q]
    return dxp


class Conv2d(Module):
    """2-D cross-correlation of (N, C, H, W) images with ``out_channels`` filters.

    y[n, o, i, j] = b[o] + Σ_{c,p,q} w[o, c, p, q] x̃[n, c, s·i + p, s·j + q] (x̃: x zero-padded
    by ``padding``). Shapes: x (N, in_channels, H, W) → y (N, out_channels, OH, OW),
    OH = ⌊(H + 2P − kH)/s⌋ + 1; weight (out_channels, in_channels, kH, kW), bias (out_channels,).
    ``kernel_size``, ``stride``, ``padding`` are ints or (height, width) pairs.
    Initialisation as :class:`byhand.nn.Linear` (``init``: "glorot_uniform" by default, or
    "he_normal", "zeros") on the weight seen as the (in_channels·kH·kW, out_channels) matrix of
    the im2col product (fan_in = in_channels·kH·kW, fan_out = out_channels);
    ``random_state`` seeds it; ``dtype`` float32 (default) or float64.

    Inputs: floating arrays as given; bool and integer arrays in the floating type of their
    promotion with the weight (int8 with float32 weights: float32; int64: float64), so no
    value is truncated; complex or object arrays are a TypeError. NaN and inf go through as
    in IEEE arithmetic (an output whose window holds a NaN is NaN, as in PyTorch). An empty
    batch (N = 0) gives an empty (0, out_channels, OH, OW) output, an empty input gradient
    and zero parameter gradients.

    Raises ValueError on a non-positive size or an input of the wrong shape (naming both);
    TypeError on a ``dtype`` other than float32 and float64 or a non-real input.
    Source: Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), "Neural networks
    for image classification"; the layout and the formula are PyTorch's ``Conv2d``; the
    products and the memory bound are in this module's docstring.

    Backward, given G = ∂L/∂y: ∂L/∂w[o, c, p, q] = Σ_{n,i,j} G[n, o, i, j] x̃[n, c, s·i + p, s·j +
    q],
    ∂L/∂b[o] = Σ_{n,i,j} G[n, o, i, j], and ∂L/∂x the transposed correlation of G with w
    (col2im); the chain rule of EE-559 3.6 (Fleuret, EPFL, 2019), slide 'Backward pass',
    applied to the im2col product.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand import gradcheck
    >>> from byhand.nn import Conv2d
    >>> conv = Conv2d(1, 2, kernel_size=3, padding=1, random_state=0, dtype=np.float64)
    >>> x = np.random.default_rng(0).normal(size=(2, 1, 5, 5))
    >>> conv(x).shape, conv.weight.data.shape
    ((2, 2, 5, 5), (2, 1, 3, 3))
    >>> bool(gradcheck(conv, x) < 1e-6)
    True
    >>> conv(np.ones((2, 3, 5, 5)))
    Traceback (most recent call last):
    ...
    ValueError: ...
    """

    supports_fused_step = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        bias: bool = True,
        *,
        init: str = "glorot_uniform",
        random_state: Any = None,
        dtype: Any = np.float32,
    ) -> None:
        from byhand.nn.init import INITIALISERS

        for name, v in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if init not in INITIALISERS:
            raise ValueError(f"init must be one of {sorted(INITIALISERS)}, got {init!r}")
        dtype = parameter_dtype(dtype, "Conv2d")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(stride, "stride")
        self.padding = pair(padding, "padding", low=0)
        rng = np.random.default_rng(random_state)
        kh, kw = self.kernel_size
        fan_in = self.in_channels * kh * kw
        # initialised as the (C·kH·kW, out) matrix of the im2col product, like a Linear
        w = INITIALISERS[init]((fan_in, self.out_channels), rng, dtype)
        w = w.T.reshape(self.out_channels, self.in_channels, kh, kw)
        self.weight = Parameter(np.ascontiguousarray(w), decay=True, name="weight")
        self.bias = (
            Parameter(np.zeros(self.out_channels, dtype=dtype), decay=False, name="bias")
            if bias
            else None
        )
        self._cols: np.ndarray | None = None

    _transient = ("_cols", "_shape", "_xf", "_out", "_out_hw")
    parallel_loops = True

    # -- shapes ------------------------------------------------------------------------------
    def _geometry(self, x: np.ndarray) -> tuple[int, int]:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"Conv2d expected input of shape (N, {self.in_channels}, H, W), got {x.shape}"
            )
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        oh = conv_output_size(x.shape[2], kh, sh, ph)
        ow = conv_output_size(x.shape[3], kw, sw, pw)
        if oh < 1 or ow < 1:
            raise ValueError(
                f"Conv2d: a {kh}×{kw} kernel with padding {self.padding} does not fit an "
                f"image of size {x.shape[2]}×{x.shape[3]}"
            )
        return oh, ow

    def _padded(self, x: np.ndarray, name: str) -> np.ndarray:
        """x zero-padded, channel-major (C, N, H + 2P, W + 2P): the layout whose windows
        im2col copies fastest and into which col2im adds contiguous blocks."""
        ph, pw = self.padding
        n, c, h, w = x.shape
        xp = self._zeros_once(name, (c, n, h + 2 * ph, w + 2 * pw), x.dtype)
        np.copyto(xp[:, :, ph : ph + h, pw : pw + w], x.transpose(1, 0, 2, 3))
        return xp

    def _zeros_once(self, name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        """A buffer zeroed when made: callers write only its interior, whose border stays 0."""
        if not self._reuse:
            return np.zeros(shape, dtype=dtype)
        store = self.__dict__.setdefault("_buffers", {})
        key = (name, shape, np.dtype(dtype))
        buf = store.get(key)
        if buf is None:
            buf = store[key] = np.zeros(shape, dtype=dtype)
        return buf

    # -- forward -----------------------------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        w = self.weight.data
        x = floating(x, "Conv2d", like=w)
        oh, ow = self._geometry(x)
        n, c = x.shape[:2]
        dtype = np.result_type(x, w)
        kh, kw = self.kernel_size
        self._xf, self._out_hw = None, (oh, ow)
        if self.stride == (1, 1) and self._forward_direct(x, w, (oh, ow)):
            return self._out
        xp = self._padded(x, "xp")
        cols = self._buffer("cols", (c, kh, kw, n, oh, ow), dtype)
        windows = _windows(xp, self.kernel_size, self.stride, (oh, ow))
        np.copyto(cols, windows.transpose(0, 4, 5, 1, 2, 3))
        self._cols, self._shape = cols, x.shape
        o = self.out_channels
        y = self._buffer("y_onl", (o, n * oh * ow), dtype)
        np.matmul(w.reshape(o, -1), cols.reshape(c * kh * kw, -1), out=y)
        out = self._buffer("out", (n, o, oh, ow), dtype)
        if kernels.add_bias_nchw(y, None if self.bias is None else self.bias.data, out) is None:
            if self.bias is not None:
                y += self.bias.data[:, None]
            np.copyto(out, y.reshape(o, n, oh, ow).transpose(1, 0, 2, 3))
        return out

    def _forward_direct(self, x: np.ndarray, w: np.ndarray, out_hw: tuple[int, int]) -> bool:
        """The compiled stride-1 loop on wide rows (:func:`byhand.kernels.conv2d_forward`):
        measured faster than im2col + BLAS for LeNet's layers, whose products are thin
        (6 or 16 rows). Not taken (False) for other dtypes or an input holding NaN or inf,
        whose wide rows would carry it into the weight gradient's dropped columns."""
        if x.dtype != w.dtype or not kernels.compiles(x):
            return False
        n, c, h, wd = x.shape
        kw, (ph, pw) = self.kernel_size[1], self.padding
        hp, wp = h + 2 * ph, wd + 2 * pw
        xf = self._zeros_once("xf", (n, c, hp * wp + kw - 1), x.dtype)
        np.copyto(xf[:, :, : hp * wp].reshape(n, c, hp, wp)[:, :, ph : ph + h, pw : pw + wd], x)
        if not np.isfinite(np.add.reduce(xf, axis=None)):
            return False
        out = self._buffer("out", (n, self.out_channels, *out_hw), x.dtype)
        b = self.bias.data if self.bias is not None else self._zeros_once("b0", (len(w),), w.dtype)
        if not kernels.conv2d_forward(xf, w, b, wp, out):
            return False
        self._xf, self._cols, self._shape, self._out = xf, None, x.shape, out
        return True

    def _wide_row(self) -> int:
        """W̃ = W + 2P: the length of a padded row, the stride of the wide-row layout."""
        return self._shape[3] + 2 * self.padding[1]

    def _grad_wide(self, grad_out: np.ndarray) -> np.ndarray:
        """G = dℓ/dy as (out_channels, N, OH·W̃): rows of W̃ columns, the extra ones zero."""
        n, o, oh, ow = grad_out.shape
        wp = self._wide_row()
        g = self._zeros_once("g_wide", (o, n, oh, wp), grad_out.dtype)
        np.copyto(g[..., :ow], grad_out.transpose(1, 0, 2, 3))
        return g.reshape(o, n, oh * wp)

    def _params_direct(self, g: np.ndarray) -> None:
        assert self._xf is not None
        w = self.weight.data
        dw = self._buffer("dw", w.shape, w.dtype)
        wp = self._wide_row()
        self.weight.accumulate(kernels.conv2d_weight_grad(self._xf, g, wp, dw))
        if self.bias is not None:
            db = self._buffer("db", (g.shape[0],), g.dtype)
            self.bias.accumulate(np.add.reduce(g.reshape(g.shape[0], -1), axis=1, out=db))

    def _backward_direct(self, grad_out: np.ndarray, input_grad: bool) -> np.ndarray | None:
        g = self._grad_wide(grad_out)
        grad_in = None
        if input_grad:
            grad_in = self._buffer("grad_in", self._shape, g.dtype)
            wp = self._wide_row()
            kernels.conv2d_input_grad(g, self.weight.data, wp, self.padding, grad_in)
        self._params_direct(g)
        return grad_in

    # -- backward ----------------------------------------------------------------------------
    def _grad_matrix(self, grad_out: np.ndarray) -> np.ndarray:
        """G = dℓ/dY as (out_channels, N·OH·OW), the layout of the products."""
        n, o, oh, ow = grad_out.shape
        g = self._buffer("g_onl", (o, n, oh, ow), grad_out.dtype)
        np.copyto(g, grad_out.transpose(1, 0, 2, 3))
        return g.reshape(o, -1)

    def backward_params(self, grad_out: np.ndarray) -> None:
        grad_out = self._check_grad(grad_out)
        if self._xf is not None:
            self._backward_direct(grad_out.astype(self._xf.dtype, copy=False), input_grad=False)
        else:
            self._params_from(self._grad_matrix(grad_out))

    def _check_grad(self, grad_out: np.ndarray) -> np.ndarray:
        self._require("_shape")
        grad_out = floating(grad_out, "Conv2d.backward")
        n, oh, ow = self._shape[0], *self._out_hw
        if grad_out.shape != (n, self.out_channels, oh, ow):
            raise ValueError(
                f"Conv2d.backward expected a gradient of shape {(n, self.out_channels, oh, ow)}, "
                f"got {grad_out.shape}"
            )
        return grad_out

    def _params_from(self, g: np.ndarray) -> None:
        cols = self._cols
        assert cols is not None
        w = self.weight.data
        # dWᵀ = cols Gᵀ: OpenBLAS runs this orientation (long inner dimension on the
        # right operand's rows) about 1.6× faster than G colsᵀ for these shapes (measured)
        dwt = self._buffer("dwt", (w[0].size, w.shape[0]), g.dtype)
        np.matmul(cols.reshape(w[0].size, g.shape[1]), g.T, out=dwt)  # N = 0: zeros
        self.weight.accumulate(dwt.T.reshape(w.shape))
        if self.bias is not None:
            db = self._buffer("db", (g.shape[0],), g.dtype)
            self.bias.accumulate(np.add.reduce(g, axis=1, out=db))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        grad_out = self._check_grad(grad_out)
        if self._xf is not None:  # the compiled stride-1 path (G in the output's dtype)
            grad_in = self._backward_direct(grad_out.astype(self._xf.dtype, copy=False), True)
            assert grad_in is not None
            return grad_in
        g = self._grad_matrix(grad_out)
        cols = self._cols
        assert cols is not None
        if kernels.compiles(g):  # dcols = Wᵀ G by BLAS, then col2im straight into dℓ/dx
            w = self.weight.data
            dcols = self._buffer("dcols", cols.shape, g.dtype)
            np.matmul(w.reshape(w.shape[0], -1).T, g, out=dcols.reshape(w[0].size, g.shape[1]))
            grad_in = self._buffer("grad_in", self._shape, g.dtype)
            kernels.col2im(dcols, self.stride, self.padding, grad_in)
            self._params_from(g)
            return grad_in
        if self.stride == (1, 1):
            dxp = self._grad_padded_stride1(grad_out)
        else:
            w = self.weight.data
            dcols = self._buffer("dcols", cols.shape, g.dtype)
            np.matmul(w.reshape(w.shape[0], -1).T, g, out=dcols.reshape(w[0].size, g.shape[1]))
            n, c, h, wd = self._shape
            (ph, pw), oh_ow = self.padding, cols.shape[4:]
            dxp = self._buffer("dxp", (c, n, h + 2 * ph, wd + 2 * pw), g.dtype)
            col2im(dcols, dxp, self.kernel_size, self.stride, oh_ow)
        self._params_from(g)
        n, c, h, wd = self._shape
        ph, pw = self.padding
        grad_in = self._buffer("grad_in", (n, c, h, wd), g.dtype)
        np.copyto(grad_in, dxp[:, :, ph : ph + h, pw : pw + wd].transpose(1, 0, 2, 3))
        return grad_in

    def _grad_padded_stride1(self, grad_out: np.ndarray) -> np.ndarray:
        """dℓ/dx̃ (C, N, H̃, W̃) for stride 1, with col2im on "wide" rows.

        G is laid out with W̃ columns per output row (the W̃ − OW extra ones zero), so dcols
        = Wᵀ G holds, for each kernel offset (p, q), a block that lands in the flattened
        plane of x̃ at the single shift p·W̃ + q: col2im is kH·kW additions of contiguous
        rows instead of strided 2-D blocks (measured 2× faster for LeNet's second layer,
        for a product 1.4× larger).
        """
        n, o, oh, ow = grad_out.shape
        (kh, kw), c = self.kernel_size, self.in_channels
        hp, wp = oh + kh - 1, ow + kw - 1
        dtype = grad_out.dtype
        g_wide = self._zeros_once("g_wide", (o, n, oh, wp), dtype)
        np.copyto(g_wide[..., :ow], grad_out.transpose(1, 0, 2, 3))
        dcols = self._buffer("dcols_wide", (c, kh, kw, n, oh * wp), dtype)
        w = self.weight.data
        np.matmul(w.reshape(o, -1).T, g_wide.reshape(o, -1), out=dcols.reshape(c * kh * kw, -1))
        flat = self._buffer("dx_flat", (c, n, hp * wp + kw - 1), dtype)
        flat.fill(0)
        for p in range(kh):
            for q in range(kw):
                shift = p * wp + q
                flat[:, :, shift : shift + oh * wp] += dcols[:, p, q]
        return flat[:, :, : hp * wp].reshape(c, n, hp, wp)

    def parameters(self) -> list[Parameter]:
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def __repr__(self) -> str:
        return (
            f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None})"
        )
