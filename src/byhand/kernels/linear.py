"""The backward pass of a fully connected layer with the SGD step inside it, in one call.

For a batch x (N × d), the incoming gradient G = dℓ/dz (N × K), weights W (d × K) and bias
b (K), EE-559 3.6 (Fleuret, EPFL, 2019) "Back-propagation" gives dℓ/dx = G Wᵀ,
dℓ/dW = xᵀ G, dℓ/db = Σₙ Gₙ, and SGD (CS 577 Lecture 01 (Wang, IIT, 2024), "Stochastic
gradient descent") steps W ← β_W W − ε dℓ/dW, b ← β_b b − ε dℓ/db (β = 1 − ε·wd). All three
are general matrix products, done by the BLAS NumPy itself uses (``cblas_?gemm``, called at
its address, found by byhand.nn._blas), in this order, so that dℓ/dx reads W before its step:

    dx ← 1 · G Wᵀ + 0 · dx           (only when the layer's input needs its gradient)
    dx ← 0 where out <= 0             (the ReLU before the layer, in a Sequential: its mask)
    W  ← −ε xᵀ G + β_W W
    b  ← −ε 1ᵀ G + β_b b             (a 1 × N by N × K product)

What this saves is not arithmetic but the Python between the products: one call instead of a
matmul, two BLAS calls through ctypes and the optimizer's bookkeeping per layer and step. The
NumPy path (``Linear.backward`` with ``optim.fused``) does the same products one by one.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["sgd_linear_backward"]

_NO_TRANS, _TRANS = 111, 112


@intrinsic
def _gemm(typingctx, address, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc):
    """c ← alpha op(a) op(b) + beta c by the row-major ``cblas_?gemm`` (ILP64) at ``address``
    (an integer, so that the compiled loop does not depend on where the library was loaded
    and can be cached)."""
    real = c.dtype
    sig = types.void(address, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)

    def codegen(context, builder, signature, args):
        i32, i64 = ir.IntType(32), ir.IntType(64)
        fl, vp = context.get_value_type(real), ir.IntType(8).as_pointer()
        fnty = ir.FunctionType(
            ir.VoidType(), [i32, i32, i32, i64, i64, i64, fl, vp, i64, vp, i64, fl, vp, i64]
        )
        fn = builder.inttoptr(args[0], fnty.as_pointer())
        kinds = signature.args
        wants = [types.int32] * 2 + [types.int64] * 3 + [real, None, types.int64]
        wants += [None, types.int64, real, None, types.int64]
        values = [ir.Constant(i32, 101)]  # CblasRowMajor
        for value, kind, want in zip(args[1:], kinds[1:], wants, strict=True):
            if want is None:  # an array: its data pointer
                data = context.make_array(kind)(context, builder, value).data
                values.append(builder.bitcast(data, vp))
            else:
                values.append(context.cast(builder, value, kind, want))
        builder.call(fn, values)
        return context.get_dummy_value()

    return sig, codegen


def sgd_linear_backward(
    gemm, x, g, w, b, ones, dx, mask, eta, beta_w, beta_b, want_dx, has_bias, masked
):
    n, d = x.shape
    k = g.shape[1]
    if want_dx:
        _gemm(gemm, _NO_TRANS, _TRANS, n, d, k, 1.0, g, k, w, k, 0.0, dx, d)
        if masked:  # the ReLU before the layer: +0.0 where its output is <= 0
            zero = dx.dtype.type(0)
            flat, out = dx.reshape(-1), mask.reshape(-1)
            for i in range(flat.size):
                if out[i] <= 0:
                    flat[i] = zero
    _gemm(gemm, _TRANS, _NO_TRANS, d, k, n, -eta, x, d, g, k, beta_w, w, k)
    if has_bias:
        _gemm(gemm, _NO_TRANS, _NO_TRANS, 1, k, n, -eta, ones, n, g, k, beta_b, b, k)
