"""byhand's hot loops, written as the lectures write them and compiled with numba.

Each kernel is the literal loop of its definition (a pooling window, a pass over the samples,
a row of the softmax) in a module of this package, compiled on its first call with
``numba.njit(cache=True)``; nothing is compiled, and numba is not even imported, by
``import byhand``. The functions below are what :mod:`byhand.nn`, :func:`byhand.fit` and the
estimators call. Each returns ``None`` when the compiled path does not apply (NumPy backend, a
dtype the loop is not compiled for, such as float16): the caller then runs its vectorised
NumPy code, which stays as the fallback and as the oracle the tests compare every kernel with
(bit for bit for pooling, and the perceptron; to float rounding for the rest). The perceptron's
pass is the exception: its NumPy scan is in :mod:`byhand.kernels.perceptron` too, and
:func:`perceptron_scan` / :func:`perceptron_pass` run it themselves (never ``None``).

Backend: numba when it imports, else NumPy (said once per process, :class:`KernelsWarning`);
``BYHAND_KERNELS=numpy`` chooses NumPy; :func:`using` switches inside a ``with`` block.
"""

from __future__ import annotations

import ctypes
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from byhand.kernels._jit import (
    KernelsWarning,
    backend,
    compiled,
    current_threads,
    set_backend,
    threads,
    using,
)

__all__ = [
    "KernelsWarning",
    "add_bias_nchw",
    "avg_pool2d",
    "avg_pool2d_backward",
    "backend",
    "bias_relu",
    "col2im",
    "compiles",
    "conv2d_forward",
    "conv2d_input_grad",
    "conv2d_weight_grad",
    "current_threads",
    "max_pool2d",
    "max_pool2d_backward",
    "pair_sq_distances",
    "perceptron_pass",
    "perceptron_scan",
    "precompile",
    "relu_backward",
    "set_backend",
    "sgd_linear_backward",
    "softmax_cross_entropy",
    "threads",
    "using",
]

Buffer = Callable[[str, tuple[int, ...], Any], np.ndarray]
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _applies(*arrays: np.ndarray) -> bool:
    return backend() == "numba" and all(a.dtype in _FLOATS for a in arrays)


def _new(name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    return np.empty(shape, dtype)


def max_pool2d(
    x: np.ndarray,
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    out_hw: tuple[int, int],
    buffer: Buffer = _new,
) -> tuple[np.ndarray, np.ndarray] | None:
    """(y, argmax): each window's maximum (its last NaN if any) and the row-major offset of
    its first maximal entry; ``buffer(name, shape, dtype)`` allocates. None: use NumPy."""
    if not _applies(x):
        return None
    from byhand.kernels import pooling

    (kh, kw), (sh, sw) = kernel_size, stride
    shape = (*x.shape[:2], *out_hw)
    out = buffer("out", shape, x.dtype)
    argmax = buffer("argmax", shape, np.uint8 if kh * kw <= 256 else np.intp)
    if (kh, kw, sh, sw) == (2, 2, 2, 2):
        compiled(pooling.max_pool2d_forward_2x2, parallel=True)(x, out, argmax)
    else:
        compiled(pooling.max_pool2d_forward)(x, kh, kw, sh, sw, out, argmax)
    return out, argmax


def max_pool2d_backward(
    grad_out: np.ndarray,
    argmax: np.ndarray,
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    in_shape: tuple[int, ...],
    buffer: Buffer = _new,
) -> np.ndarray | None:
    """dℓ/dx: each window's gradient at its argmax (overlaps added offset by offset)."""
    if not _applies(grad_out):
        return None
    from byhand.kernels import pooling

    (kh, kw), (sh, sw) = kernel_size, stride
    grad_in = buffer("grad_in", tuple(in_shape), grad_out.dtype)
    if (kh, kw, sh, sw) == (2, 2, 2, 2):
        compiled(pooling.max_pool2d_backward_2x2, parallel=True)(grad_out, argmax, grad_in)
    else:
        compiled(pooling.max_pool2d_backward)(grad_out, argmax, kh, kw, sh, sw, grad_in)
    return grad_in


def avg_pool2d(
    x: np.ndarray,
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    out_hw: tuple[int, int],
    buffer: Buffer = _new,
) -> np.ndarray | None:
    """y: each window's sum in row-major order times 1/(kH·kW) (rounded to x's dtype);
    compiled for 2 × 2 windows of stride 2 only (NumPy was as fast for the others)."""
    if not _applies(x) or (*kernel_size, *stride) != (2, 2, 2, 2):
        return None
    from byhand.kernels import pooling

    out = buffer("out", (*x.shape[:2], *out_hw), x.dtype)
    scale = x.dtype.type(1.0 / 4)
    compiled(pooling.avg_pool2d_forward_2x2)(x, scale, out)
    return out


def avg_pool2d_backward(
    grad_out: np.ndarray,
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    in_shape: tuple[int, ...],
    buffer: Buffer = _new,
) -> np.ndarray | None:
    """dℓ/dx: every entry gets the share g·(1/(kH·kW)) of each window containing it."""
    if not _applies(grad_out) or (*kernel_size, *stride) != (2, 2, 2, 2):
        return None
    from byhand.kernels import pooling

    grad_in = buffer("grad_in", tuple(in_shape), grad_out.dtype)
    scale = grad_out.dtype.type(1.0 / 4)
    compiled(pooling.avg_pool2d_backward_2x2)(grad_out, scale, grad_in)
    return grad_in


def softmax_cross_entropy(
    z: np.ndarray, y: np.ndarray, buffer: Buffer = _new
) -> tuple[float, np.ndarray, np.ndarray, int] | None:
    """(Σᵢ ℓᵢ in float64, the gradient (softmax(z) − onehot(y))/N, first argmax per row,
    rows whose argmax is yᵢ) for logits z (N, K) and class indices y (N,) in 0..K−1.
    None: use NumPy."""
    if not _applies(z) or y.dtype.kind not in "iu" or z.shape[1] < 1:
        return None
    from byhand.kernels import softmax

    g = buffer("p", z.shape, z.dtype)
    top = buffer("top", (z.shape[0],), np.intp)
    total, correct = compiled(softmax.softmax_cross_entropy)(z, y, g, top)
    return float(total), g, top, int(correct)


def bias_relu(out: np.ndarray, bias: np.ndarray) -> np.ndarray | None:
    """out (N, K) ← max(out + bias, 0) in place, in one pass: the bias of a ``Linear`` and the
    ``ReLU`` after it (:func:`byhand.kernels.activations.bias_relu`). None: use NumPy."""
    dtype = out.dtype
    if (
        backend() != "numba"
        or dtype not in _FLOATS
        or bias.dtype != dtype
        or out.ndim != 2
        or bias.shape != out.shape[1:]
        or not out.flags.c_contiguous
    ):
        return None
    from byhand.kernels import activations

    compiled(activations.bias_relu)(out, bias)
    return out


_LINEAR: dict[np.dtype, Any] = {}


def _linear_backward(dtype: np.dtype) -> Any:
    """(compiled loop, address of NumPy's gemm for dtype), or None where NumPy's BLAS is not
    found."""
    found = _LINEAR.get(dtype, False)
    if found is False:
        from byhand.kernels import linear
        from byhand.nn import _blas

        found = None
        if _blas.available(dtype):
            gemm = _blas._routines().gemm[dtype]  # type: ignore[union-attr]
            address = ctypes.cast(gemm, ctypes.c_void_p).value
            found = (compiled(linear.sgd_linear_backward), address)
        _LINEAR[dtype] = found
    return found


def sgd_linear_backward(
    x: np.ndarray,
    g: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    dx: np.ndarray | None,
    eta: float,
    beta_w: float,
    beta_b: float,
    ones: Callable[[int, Any], np.ndarray],
    mask: np.ndarray | None = None,
) -> bool | None:
    """A Linear layer's backward with its SGD step: dx ← G Wᵀ (when ``dx`` is given; then
    +0.0 wherever ``mask``, the output of a ReLU before the layer, is <= 0), then
    W ← β_W W − η xᵀ G and b ← β_b b − η Σₙ Gₙ, in NumPy's own BLAS (see
    :mod:`byhand.kernels.linear`); ``ones(n, dtype)`` gives n ones. All arrays C-contiguous,
    non-empty, of one dtype. None: use NumPy (nothing was changed)."""
    dtype = w.dtype
    if backend() != "numba" or dtype not in _FLOATS or not x.size or not g.size:
        return None
    if mask is not None and (dx is None or mask.shape != dx.shape):
        return None
    for a in (x, g, w, b, dx, mask):
        if a is not None and (a.dtype != dtype or not a.flags.c_contiguous):
            return None
    found = _linear_backward(dtype)
    if found is None:
        return None
    loop, gemm = found
    bias = w.reshape(-1) if b is None else b
    n = x.shape[0]
    dx_ = w if dx is None else dx  # a writable stand-in when dx is not wanted
    loop(gemm, x, g, w, bias, ones(n, dtype), dx_, dx_ if mask is None else mask, eta, beta_w,
         beta_b, dx is not None, b is not None, mask is not None)  # fmt: skip
    return True


def compiles(*arrays: np.ndarray) -> bool:
    """Whether the compiled loops run for these arrays (numba backend, float32/float64)."""
    return _applies(*arrays)


def add_bias_nchw(y: np.ndarray, bias: np.ndarray | None, out: np.ndarray) -> np.ndarray | None:
    """out (N, O, OH, OW) = y (O, N·OH·OW) + bias[:, None], moved to the NCHW layout."""
    if bias is None or not _applies(y, bias, out):
        return None
    from byhand.kernels import conv

    n, o, oh, ow = out.shape
    rows, bias = y.reshape(o, n, oh * ow), bias.astype(y.dtype, copy=False)
    compiled(conv.add_bias_nchw)(rows, bias, out.reshape(n, o, oh * ow))
    return out


def col2im(
    dcols: np.ndarray, stride: tuple[int, int], padding: tuple[int, int], dx: np.ndarray
) -> np.ndarray | None:
    """dx (N, C, H, W) = Σ of each window's gradient dcols (C, kH, kW, N, OH, OW) at its place
    (the padding's share dropped)."""
    if not _applies(dcols, dx):
        return None
    from byhand.kernels import conv

    compiled(conv.col2im)(dcols, *stride, *padding, dx)
    return dx


def conv2d_forward(xf: np.ndarray, w: np.ndarray, b: np.ndarray, wp: int, out: np.ndarray) -> bool:
    """Stride-1 ``out`` (N, O, OH, OW) = b + the correlation of w (O, C, kH, kW) with the
    padded images flattened on rows of ``wp`` columns, ``xf`` (N, C, H̃·W̃ + kW − 1).
    False: not compiled here (the caller takes the im2col path)."""
    if not _applies(xf, w, out) or not xf.dtype == w.dtype == out.dtype:
        return False
    from byhand.kernels import conv

    compiled(conv.conv2d_forward, fastmath={"reassoc", "contract"}, parallel=True)(
        xf, w, b.astype(w.dtype, copy=False), wp, out
    )
    return True


def conv2d_weight_grad(xf: np.ndarray, g: np.ndarray, wp: int, dw: np.ndarray) -> np.ndarray:
    """dℓ/dw (O, C, kH, kW) of :func:`conv2d_forward` from G on the same wide rows, ``g``
    (O, N, OH·W̃), zero in the extra columns. Called only where the forward compiled."""
    from byhand.kernels import conv

    loop = compiled(conv.conv2d_weight_grad, fastmath={"reassoc", "contract"}, parallel=True)
    loop(xf, g, wp, dw.dtype.type(0), dw)
    return dw


def conv2d_input_grad(
    g: np.ndarray, w: np.ndarray, wp: int, padding: tuple[int, int], dx: np.ndarray
) -> np.ndarray:
    """dx (N, C, H, W) = dℓ/dx of :func:`conv2d_forward` from G on wide rows, ``g``
    (O, N, OH·W̃), zero in the extra columns. Called only where the forward compiled."""
    from byhand.kernels import conv

    loop = compiled(conv.conv2d_input_grad, fastmath={"reassoc", "contract"}, parallel=True)
    loop(g, w, wp, *padding, dx)
    return dx


def pair_sq_distances(
    A: np.ndarray, B: np.ndarray, rows: np.ndarray, cols: np.ndarray, scale: float
) -> np.ndarray | None:
    """Σⱼ (s·A[rows[t], j] − s·B[cols[t], j])² in float64 for each pair t (k-NN's exact
    distances of its candidates). None: use NumPy."""
    if backend() != "numba" or not (A.ndim == B.ndim == 2) or not _applies(A, B):
        return None
    from byhand.kernels import neighbors

    out = np.empty(rows.size)
    loop = compiled(neighbors.pair_sq_distances, fastmath={"reassoc"})
    loop(A, B, rows, cols, float(scale), out)
    return out


def perceptron_scan(
    X: np.ndarray,
    y: np.ndarray,
    order: np.ndarray | None,
    start: int,
    stop: int,
    w: np.ndarray,
    b: float,
    eta: float,
    steps: np.ndarray | None,
    *,
    fit_intercept: bool,
    apply: bool,
) -> tuple[int, int, int, float]:
    """The perceptron's literal pass over samples ``order[start:stop]`` (or rows
    start..stop−1) from w (float64, length d+1 with the intercept, else d and the fixed
    intercept b), updating w in place (sure mistakes, ``apply`` true, compiled path only).
    Returns (position, status, updates, b): status 0, the pass is done; 1, the margin at
    position needs the literal dot product; 2, a mistake there, not applied. Compiled for
    float64 X, y, w; else the NumPy scan. See :mod:`byhand.kernels.perceptron`."""
    from byhand.kernels import perceptron

    f64 = np.dtype(np.float64)
    if backend() != "numba" or X.ndim != 2 or not X.dtype == y.dtype == w.dtype == f64:
        return perceptron.perceptron_scan_numpy(X, y, order, start, stop, w, fit_intercept, b)
    scan = compiled(perceptron.perceptron_scan, fastmath={"reassoc"})
    by_order, by_steps = order is not None, steps is not None
    order = order if by_order else np.zeros(0, np.intp)
    steps = steps if by_steps else np.zeros(0)
    position, status, updates, b = scan(
        X, y, order, by_order, start, stop, w, fit_intercept, b, eta, steps, by_steps, apply
    )
    return int(position), int(status), int(updates), float(b)


def perceptron_pass(
    X: np.ndarray,
    y: np.ndarray,
    order: np.ndarray | None,
    stop: int,
    w: np.ndarray,
    b: float,
    eta: float,
    steps: np.ndarray | None,
    *,
    fit_intercept: bool,
    apply: bool,
) -> tuple[int, float, int]:
    """One pass of the perceptron over samples ``order[:stop]`` (or rows 0..stop−1),
    bit-identical to the literal loop, updating w in place: :func:`perceptron_scan` plus the
    literal decision of each margin it cannot certify. Returns (updates, b, bad): ``apply``
    false, updates is 1 at the first mistake (w unchanged); bad, the row of a NaN/inf that
    stopped the pass, else −1. See :mod:`byhand.kernels.perceptron`."""
    from byhand.kernels import perceptron

    return perceptron.perceptron_pass(
        perceptron_scan, X, y, order, stop, w, b, eta, steps, fit_intercept, apply
    )


def relu_backward(
    out: np.ndarray, grad_out: np.ndarray, in_place: bool, buffer: Buffer = _new
) -> np.ndarray | None:
    """dℓ/dx of ReLU: +0.0 where ``out`` <= 0, ``grad_out`` elsewhere (NaN outputs pass it),
    written over ``grad_out`` when ``in_place``. C-contiguous arrays only; None: use NumPy."""
    if not _applies(out, grad_out) or not (out.flags.c_contiguous and grad_out.flags.c_contiguous):
        return None
    from byhand.kernels import activations

    if in_place:
        compiled(activations.relu_backward_inplace)(out.reshape(-1), grad_out.reshape(-1))
        return grad_out
    grad_in = buffer("grad_in", grad_out.shape, grad_out.dtype)
    compiled(activations.relu_backward)(out.reshape(-1), grad_out.reshape(-1), grad_in.reshape(-1))
    return grad_in


def precompile(dtypes: tuple[Any, ...] = (np.float32, np.float64)) -> float:
    """Compile (or load from numba's cache) every kernel for ``dtypes`` now, on tiny
    inputs, instead of at its first use; returns the seconds it took (0 on NumPy).

    Examples
    --------
    >>> from byhand import kernels
    >>> seconds = kernels.precompile()
    >>> seconds >= 0
    True
    """
    start = time.perf_counter()
    if backend() != "numba":
        return 0.0
    for dtype in dtypes:
        x = np.arange(2 * 3 * 6 * 6, dtype=dtype).reshape(2, 3, 6, 6)
        for k, s in (((2, 2), (2, 2)), ((3, 3), (1, 1))):
            oh = (6 - k[0]) // s[0] + 1
            out = max_pool2d(x, k, s, (oh, oh))
            assert out is not None
            max_pool2d_backward(np.ones_like(out[0]), out[1], k, s, x.shape)
        y = avg_pool2d(x, (2, 2), (2, 2), (3, 3))
        assert y is not None
        avg_pool2d_backward(y, (2, 2), (2, 2), x.shape)
        softmax_cross_entropy(x.reshape(4, -1), np.zeros(4, np.intp))
        add_bias_nchw(x.reshape(3, -1), np.zeros(3, dtype), np.empty((2, 3, 6, 6), dtype))
        col2im(np.zeros((3, 2, 2, 2, 5, 5), dtype), (1, 1), (0, 0), np.empty_like(x))
        w = np.ones((2, 3, 5, 3), dtype)
        xf, out = np.zeros((2, 3, 6 * 6 + 2), dtype), np.empty((2, 2, 2, 4), dtype)
        conv2d_forward(xf, w, np.zeros(2, dtype), 6, out)
        conv2d_weight_grad(xf, np.zeros((2, 2, 12), dtype), 6, np.empty_like(w))
        conv2d_input_grad(np.zeros((2, 2, 12), dtype), w, 6, (1, 1), np.empty((2, 3, 4, 4), dtype))
        relu_backward(x, x, in_place=False)
        bias_relu(x.reshape(6, -1).copy(), np.zeros(36, dtype))
        w, ones = np.zeros((3, 2), dtype), (lambda n, dt: np.ones(n, dt))
        for b in (np.zeros(2, dtype), None):
            a, g = np.ones((4, 3), dtype), np.ones((4, 2), dtype)
            sgd_linear_backward(a, g, w, b, None, 0.1, 1.0, 1.0, ones)
            sgd_linear_backward(a, g, w, b, a.copy(), 0.1, 1.0, 1.0, ones, a)
        relu_backward(x, x.copy(), in_place=True)
        pair_sq_distances(x[0, 0], x[1, 0], np.arange(3), np.arange(3), 0.5)
    X = np.ones((4, 3))
    perceptron_scan(
        X, np.ones(4), None, 0, 4, np.zeros(4), 0.0, 1.0, None, fit_intercept=True, apply=True
    )
    return time.perf_counter() - start
