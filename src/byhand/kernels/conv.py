"""The copies around a convolution's matrix products, as loops (compiled by numba).

:class:`byhand.nn.Conv2d` computes y = W·cols + b with BLAS (the products stay there: a direct
convolution loop measured 3× slower than im2col + BLAS for LeNet's second layer, issue 24).
These loops do the copies around them where they measured faster than NumPy's:

    output:  y[n, o, i, j] = Y[o, n, i, j] + b[o]                          (bias, NCHW layout)
    col2im:  dx[n, c, s·i + p − P, s·j + q − P] += dcols[c, p, q, n, i, j]  (inside the image)

col2im adds offset by offset ((p, q) in row-major order, from +0.0), the NumPy path's order,
straight into dℓ/dx (no zero-padded dℓ/dx̃ and no copy out of it). im2col as a loop measured
slower than NumPy's strided copy (LeNet's layers, batch 64: 0.36 vs 0.31 ms and 0.53 vs
0.46 ms; with the bounds hoisted out of the inner loop, slower still), so the NumPy copy stays.
"""

from __future__ import annotations

__all__ = ["add_bias_nchw", "col2im"]


def add_bias_nchw(y, bias, out):
    n, o, m = out.shape
    for a in range(n):
        for k in range(o):
            b = bias[k]
            for t in range(m):
                out[a, k, t] = y[k, a, t] + b


def col2im(dcols, sh, sw, ph, pw, dx):
    c, kh, kw, n, oh, ow = dcols.shape
    h, w = dx.shape[2], dx.shape[3]
    dx[...] = 0
    for p in range(kh):
        for q in range(kw):
            for ci in range(c):
                for a in range(n):
                    for i in range(oh):
                        r = i * sh + p - ph
                        if 0 <= r < h:
                            for j in range(ow):
                                s = j * sw + q - pw
                                if 0 <= s < w:
                                    dx[a, ci, r, s] += dcols[ci, p, q, a, i, j]
