"""The backward pass of a fully connected layer with the SGD step inside it, in one call.

For a batch x (N × d), the incoming gradient G = dℓ/dz (N × K), weights W (d × K) and bias
b (K), EE-559 3.6 (Fleuret, EPFL, 2019) "Back-propagation" gives dℓ/dx = G Wᵀ,
dℓ/dW = xᵀ G, dℓ/db = Σₙ Gₙ, and SGD (CS 577 Lecture 01 (Wang, IIT, 2024), "Stochastic
gradient descent") steps W ← β_W W − ε dℓ/dW, b ← β_b b − ε dℓ/db (β = 1 − ε·wd). All three
are general matrix products, done by the BLAS NumPy itself uses (``gemm``, called here through
its C address: byhand.nn._blas), in this order, so that dℓ/dx reads W before its step:

    dx ← 1 · G Wᵀ + 0 · dx           (only when the layer's input needs its gradient)
    W  ← −ε xᵀ G + β_W W
    b  ← −ε 1ᵀ G + β_b b             (a 1 × N by N × K product)

What this saves is not arithmetic but the Python between the products: one call instead of a
matmul, two BLAS calls through ctypes and the optimizer's bookkeeping per layer and step. The
NumPy path (``Linear.backward`` with ``optim.fused``) does the same products one by one.
"""

from __future__ import annotations

__all__ = ["sgd_linear_backward"]

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112


def sgd_linear_backward(gemm, x, g, w, b, ones, dx, eta, beta_w, beta_b, want_dx, has_bias):
    n, d = x.shape
    k = g.shape[1]
    if want_dx:
        gemm(_ROW_MAJOR, _NO_TRANS, _TRANS, n, d, k, 1.0, g.ctypes.data, k, w.ctypes.data, k,
             0.0, dx.ctypes.data, d)  # fmt: skip
    gemm(_ROW_MAJOR, _TRANS, _NO_TRANS, d, k, n, -eta, x.ctypes.data, d, g.ctypes.data, k,
         beta_w, w.ctypes.data, k)  # fmt: skip
    if has_bias:
        gemm(_ROW_MAJOR, _NO_TRANS, _NO_TRANS, 1, k, n, -eta, ones.ctypes.data, n,
             g.ctypes.data, k, beta_b, b.ctypes.data, k)  # fmt: skip
