"""Conv2d's loops (compiled by numba): the stride-1 convolution itself, and the copies
around the matrix products of the other strides.

**Stride 1, direct on "wide" rows** (measured faster than im2col + BLAS for LeNet's layers,
whose products are thin: 6 or 16 rows; on a 2-core Xeon, one thread, batch 64: first layer
forward 0.31 against 0.95 ms, weight gradient 0.24 against 0.74 ms; second layer 0.71
against 1.15 ms and 0.73 against 0.89 ms with its im2col copy). The padded images are
flattened per channel with W̃ = W + 2P columns a row, so the window of output (i, j) at
offset (p, q) starts at (i + p)·W̃ + j + q: for each (c, p, q) the whole output plane is one
contiguous multiply-add over t = i·W̃ + j, which the compiler vectorises (the W̃ − OW extra
columns a row are computed and dropped):

    forward:  y[n, o, i, j] = b[o] + Σ_{c,p,q} w[o, c, p, q] · x̃[n, c, (i + p)·W̃ + j + q]
    weights:  dw[o, c, p, q] = Σ_{n,t} G[o, n, t] · x̃[n, c, p·W̃ + q + t]  (G zero off the image)
    input:    dx̃[n, c, p·W̃ + q + t] += Σ_o w[o, c, p, q] · G[o, n, t], each offset's block
              added at its shift into the padded plane, whose interior is dℓ/dx (the product
              Wᵀ G and col2im fused: 0.78 against 0.86 ms for BLAS then a col2im loop)

Five kernel columns and two output channels go in one pass (ten products per read of a row);
sums are reordered (``fastmath`` reassoc, contract), so results equal the NumPy path's to
float rounding. The loops over images (forward, col2im) and over (channel pair, c, p) (weight
gradient) are ``prange``: the same bits on any number of threads.

**Other strides, im2col + BLAS** (y = W·cols + b): these loops do the copies around the
products where they measured faster than NumPy's:

    output:  y[n, o, i, j] = Y[o, n, i, j] + b[o]                          (bias, NCHW layout)
    col2im:  dx[n, c, s·i + p − P, s·j + q − P] += dcols[c, p, q, n, i, j]  (inside the image)

col2im adds offset by offset ((p, q) in row-major order, from +0.0), the NumPy path's order,
straight into dℓ/dx. im2col as a loop measured slower than NumPy's strided copy (LeNet's
layers, batch 64: 0.36 vs 0.31 ms and 0.53 vs 0.46 ms), so the NumPy copy stays.
"""

from __future__ import annotations

import numpy as np

try:
    from numba import prange
except ImportError:  # the loops as plain Python (byhand runs them compiled only)
    prange = range

__all__ = ["add_bias_nchw", "col2im", "conv2d_forward", "conv2d_input_grad", "conv2d_weight_grad"]


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


def conv2d_forward(xf, w, b, wp, out):
    """Stride-1 correlation on flattened "wide" rows: with x̃ padded to W̃ = ``wp`` columns
    and flattened per channel (``xf`` (N, C, H̃·W̃ + kW − 1)), the window of output (i, j)
    at offset (p, q) starts at (i + p)·W̃ + j + q, so for each (c, p, q) the whole output
    plane is one contiguous multiply-add over t = i·W̃ + j (the W̃ − OW extra columns per row
    are computed and dropped):

        out[n, o, i, j] = b[o] + Σ_{c, p, q} w[o, c, p, q] · xf[n, c, (i + p)·W̃ + j + q]

    Two output channels and five kernel columns per pass: ten products per read of the row."""
    n_, c_ = xf.shape[0], xf.shape[1]
    o_, kh, kw = w.shape[0], w.shape[2], w.shape[3]
    oh, ow = out.shape[2], out.shape[3]
    m = oh * wp
    for n in prange(n_):
        acc = np.empty((2, m), xf.dtype)
        for o in range(0, o_, 2):
            v = min(o + 1, o_ - 1)  # the second channel (o again when o_ is odd: dropped)
            a, z = acc[0], acc[1]
            a[:] = b[o]
            z[:] = b[v]
            for c in range(c_):
                for p in range(kh):
                    q = 0
                    while q + 5 <= kw:
                        a0, a1, a2 = w[o, c, p, q], w[o, c, p, q + 1], w[o, c, p, q + 2]
                        a3, a4 = w[o, c, p, q + 3], w[o, c, p, q + 4]
                        z0, z1, z2 = w[v, c, p, q], w[v, c, p, q + 1], w[v, c, p, q + 2]
                        z3, z4 = w[v, c, p, q + 3], w[v, c, p, q + 4]
                        r = xf[n, c, p * wp + q : p * wp + q + m + 4]
                        for t in range(m):
                            r0, r1, r2, r3, r4 = r[t], r[t + 1], r[t + 2], r[t + 3], r[t + 4]
                            a[t] += a0 * r0 + a1 * r1 + a2 * r2 + (a3 * r3 + a4 * r4)
                            z[t] += z0 * r0 + z1 * r1 + z2 * r2 + (z3 * r3 + z4 * r4)
                        q += 5
                    while q < kw:
                        a0, z0 = w[o, c, p, q], w[v, c, p, q]
                        r = xf[n, c, p * wp + q : p * wp + q + m]
                        for t in range(m):
                            a[t] += a0 * r[t]
                            z[t] += z0 * r[t]
                        q += 1
            for i in range(oh):
                for j in range(ow):
                    out[n, o, i, j] = a[i * wp + j]
                    out[n, v, i, j] = z[i * wp + j]


def conv2d_weight_grad(xf, g, wp, zero, dw):
    """dw[o, c, p, q] = Σ_{n, t} g[o, n, t] · xf[n, c, p·W̃ + q + t]: the weight gradient of
    :func:`conv2d_forward`, with G = dℓ/dy on the same wide rows (``g`` (O, N, OH·W̃), zero in
    the W̃ − OW extra columns). Two output channels and five kernel columns per pass over the
    row (ten sums), one task per (pair of channels, c, p)."""
    n_, c_ = xf.shape[0], xf.shape[1]
    o_, kh, kw = dw.shape[0], dw.shape[2], dw.shape[3]
    m = g.shape[2]
    for task in prange(((o_ + 1) // 2) * c_ * kh):
        o = 2 * (task // (c_ * kh))
        c, p = (task // kh) % c_, task % kh
        v = min(o + 1, o_ - 1)  # the second channel (o again when o_ is odd)
        dw[o, c, p] = 0
        dw[v, c, p] = 0
        for n in range(n_):
            ga, gz = g[o, n], g[v, n]
            q = 0
            while q + 5 <= kw:
                r = xf[n, c, p * wp + q : p * wp + q + m + 4]
                a0, a1, a2, a3, a4 = zero, zero, zero, zero, zero
                z0, z1, z2, z3, z4 = zero, zero, zero, zero, zero
                for t in range(m):
                    u, e = ga[t], gz[t]
                    r0, r1, r2, r3, r4 = r[t], r[t + 1], r[t + 2], r[t + 3], r[t + 4]
                    a0 += u * r0
                    a1 += u * r1
                    a2 += u * r2
                    a3 += u * r3
                    a4 += u * r4
                    z0 += e * r0
                    z1 += e * r1
                    z2 += e * r2
                    z3 += e * r3
                    z4 += e * r4
                dw[o, c, p, q] += a0
                dw[o, c, p, q + 1] += a1
                dw[o, c, p, q + 2] += a2
                dw[o, c, p, q + 3] += a3
                dw[o, c, p, q + 4] += a4
                if v != o:
                    dw[v, c, p, q] += z0
                    dw[v, c, p, q + 1] += z1
                    dw[v, c, p, q + 2] += z2
                    dw[v, c, p, q + 3] += z3
                    dw[v, c, p, q + 4] += z4
                q += 5
            while q < kw:
                r = xf[n, c, p * wp + q : p * wp + q + m]
                a0, z0 = zero, zero
                for t in range(m):
                    a0 += ga[t] * r[t]
                    z0 += gz[t] * r[t]
                dw[o, c, p, q] += a0
                if v != o:
                    dw[v, c, p, q] += z0
                q += 1


def conv2d_input_grad(g, w, wp, ph, pw, dx):
    """dx[n, c, i, j] = Σ_{o, p, q} w[o, c, p, q] · g[o, n, (i + P − p)·W̃ + j + P − q] (the
    terms inside the wide rows): dℓ/dx of :func:`conv2d_forward`, with G = dℓ/dy on wide rows
    (``g`` (O, N, OH·W̃), zero in the extra columns). For each image, each kernel offset adds
    Σ_o w[o, c, p, q]·G[o] into the padded plane of channel c at its shift, whose interior is
    dℓ/dx: the product Wᵀ G and col2im in one pass (two input channels and four output
    channels per pass)."""
    o_, n_, m = g.shape
    c_, kh, kw = w.shape[1], w.shape[2], w.shape[3]
    h, wd = dx.shape[2], dx.shape[3]
    size = (m // wp + kh - 1) * wp + kw - 1
    for n in prange(n_):
        planes = np.empty((2, size), dx.dtype)
        for c in range(0, c_, 2):
            e = min(c + 1, c_ - 1)  # the second channel (c again when c_ is odd)
            a, z = planes[0], planes[1]
            a[:] = 0
            z[:] = 0
            for p in range(kh):
                for q in range(kw):
                    sa = a[p * wp + q : p * wp + q + m]
                    sz = z[p * wp + q : p * wp + q + m]
                    o = 0
                    while o + 4 <= o_:
                        a0, a1, a2, a3 = (
                            w[o, c, p, q],
                            w[o + 1, c, p, q],
                            w[o + 2, c, p, q],
                            (w[o + 3, c, p, q]),
                        )
                        z0, z1, z2, z3 = (
                            w[o, e, p, q],
                            w[o + 1, e, p, q],
                            w[o + 2, e, p, q],
                            (w[o + 3, e, p, q]),
                        )
                        g0, g1, g2, g3 = g[o, n], g[o + 1, n], g[o + 2, n], g[o + 3, n]
                        for t in range(m):
                            u0, u1, u2, u3 = g0[t], g1[t], g2[t], g3[t]
                            sa[t] += a0 * u0 + a1 * u1 + (a2 * u2 + a3 * u3)
                            sz[t] += z0 * u0 + z1 * u1 + (z2 * u2 + z3 * u3)
                        o += 4
                    while o < o_:
                        a0, z0, g0 = w[o, c, p, q], w[o, e, p, q], g[o, n]
                        for t in range(m):
                            sa[t] += a0 * g0[t]
                            sz[t] += z0 * g0[t]
                        o += 1
            for i in range(h):
                for j in range(wd):
                    dx[n, c, i, j] = a[(i + ph) * wp + j + pw]
                    dx[n, e, i, j] = z[(i + ph) * wp + j + pw]
