"""Max and average pooling as the literal loops over windows (compiled by numba).

    max:  y[n, c, i, j] = x[n, c, s·i + p*, s·j + q*],  (p*, q*) the first maximal entry of
          the window in row-major order, or its last NaN (PyTorch: ``val > maxval || isnan``)
    mean: y[n, c, i, j] = (x[.., s·i, s·j] + … + x[.., s·i + kH − 1, s·j + kW − 1]) · (1/(kH·kW))

Backward hands the max window's gradient to its argmax, the mean's 1/(kH·kW) share to every
entry; overlapping windows add their parts offset by offset (p, q) in row-major order, starting
from +0.0, so the sums are rounded exactly as :mod:`byhand.nn.pooling`'s NumPy path rounds them
(the oracle the tests compare with, bit for bit).

Kept where measured faster than the NumPy path (issue 24): max pooling for every window, mean
pooling for 2 × 2 windows of stride 2 (for other windows the NumPy path's kH·kW vectorised
passes were as fast or faster, so it runs them).
"""

from __future__ import annotations

try:
    from numba import prange
except ImportError:  # the loops as plain Python (byhand runs them compiled only)
    prange = range

__all__ = [
    "avg_pool2d_backward_2x2",
    "avg_pool2d_forward_2x2",
    "max_pool2d_backward",
    "max_pool2d_backward_2x2",
    "max_pool2d_forward",
    "max_pool2d_forward_2x2",
]


def max_pool2d_forward(x, kh, kw, sh, sw, out, argmax):
    n, c, oh, ow = out.shape
    for a in range(n):
        for b in range(c):
            for i in range(oh):
                for j in range(ow):
                    m = x[a, b, i * sh, j * sw]
                    k = 0
                    for p in range(kh):
                        for q in range(kw):
                            v = x[a, b, i * sh + p, j * sw + q]
                            if v > m or v != v:
                                m = v
                                k = p * kw + q
                    out[a, b, i, j] = m
                    argmax[a, b, i, j] = k


def max_pool2d_backward(grad_out, argmax, kh, kw, sh, sw, grad_in):
    n, c, oh, ow = grad_out.shape
    grad_in[...] = 0
    disjoint = sh >= kh and sw >= kw
    for o in range(1 if disjoint else kh * kw):
        for a in range(n):
            for b in range(c):
                for i in range(oh):
                    for j in range(ow):
                        k = argmax[a, b, i, j]
                        if disjoint:
                            grad_in[a, b, i * sh + k // kw, j * sw + k % kw] = grad_out[a, b, i, j]
                        elif k == o:
                            grad_in[a, b, i * sh + k // kw, j * sw + k % kw] += grad_out[a, b, i, j]


def max_pool2d_forward_2x2(x, out, argmax):
    """The 2 × 2, stride 2 case of :func:`max_pool2d_forward`, its window unrolled."""
    n, c, oh, ow = out.shape
    for a in prange(n):
        for b in range(c):
            for i in range(oh):
                for j in range(ow):
                    m = x[a, b, 2 * i, 2 * j]
                    k = 0
                    v = x[a, b, 2 * i, 2 * j + 1]
                    if v > m or v != v:
                        m = v
                        k = 1
                    v = x[a, b, 2 * i + 1, 2 * j]
                    if v > m or v != v:
                        m = v
                        k = 2
                    v = x[a, b, 2 * i + 1, 2 * j + 1]
                    if v > m or v != v:
                        m = v
                        k = 3
                    out[a, b, i, j] = m
                    argmax[a, b, i, j] = k


def max_pool2d_backward_2x2(grad_out, argmax, grad_in):
    """The 2 × 2, stride 2 case of :func:`max_pool2d_backward`: every entry of a window
    written once (the gradient at the argmax, +0.0 elsewhere)."""
    n, c, oh, ow = grad_out.shape
    if grad_in.shape[2] != 2 * oh or grad_in.shape[3] != 2 * ow:
        grad_in[...] = 0  # a last row or column outside every window
    zero = grad_out.dtype.type(0)
    for a in prange(n):
        for b in range(c):
            for i in range(oh):
                for j in range(ow):
                    g = grad_out[a, b, i, j]
                    k = argmax[a, b, i, j]
                    grad_in[a, b, 2 * i, 2 * j] = g if k == 0 else zero
                    grad_in[a, b, 2 * i, 2 * j + 1] = g if k == 1 else zero
                    grad_in[a, b, 2 * i + 1, 2 * j] = g if k == 2 else zero
                    grad_in[a, b, 2 * i + 1, 2 * j + 1] = g if k == 3 else zero


def avg_pool2d_forward_2x2(x, scale, out):
    """y = (x₀₀ + x₀₁ + x₁₀ + x₁₁)·(1/4) over 2 × 2 windows of stride 2, added in that order."""
    n, c, oh, ow = out.shape
    for a in range(n):
        for b in range(c):
            for i in range(oh):
                for j in range(ow):
                    s = x[a, b, 2 * i, 2 * j] + x[a, b, 2 * i, 2 * j + 1]
                    s += x[a, b, 2 * i + 1, 2 * j]
                    s += x[a, b, 2 * i + 1, 2 * j + 1]
                    out[a, b, i, j] = s * scale


def avg_pool2d_backward_2x2(grad_out, scale, grad_in):
    """dℓ/dx of 2 × 2 mean pooling, stride 2: each entry of a window gets +0.0 + g·(1/4)."""
    n, c, oh, ow = grad_out.shape
    if grad_in.shape[2] != 2 * oh or grad_in.shape[3] != 2 * ow:
        grad_in[...] = 0
    zero = grad_out.dtype.type(0)
    for a in prange(n):
        for b in range(c):
            for i in range(oh):
                for j in range(ow):
                    share = zero + grad_out[a, b, i, j] * scale  # +0.0 + (−0.0) = +0.0
                    grad_in[a, b, 2 * i, 2 * j] = share
                    grad_in[a, b, 2 * i, 2 * j + 1] = share
                    grad_in[a, b, 2 * i + 1, 2 * j] = share
                    grad_in[a, b, 2 * i + 1, 2 * j + 1] = share
