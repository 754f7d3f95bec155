"""Matrix products of prediction whose rows do not depend on the other rows of the call.

A BLAS product's summation order can depend on the shape of the call and on where a row
sits in it: OpenBLAS sends a one-row product to gemv and a many-row one to gemm, gemm's
edge tiles use other kernels, and some kernels (Haswell's sgemm) add a row in another
order depending on its place in a tile. So ``predict(X)[i]`` could differ in the last bits
from ``predict(X[i:i+1])`` — and scikit-learn's ``check_methods_subset_invariance`` fails.

:func:`row_invariant_matmul` removes every such dependence: the product runs in float64
(a float32 × float32 product is exact in float64, so only the summation order could
differ, by ~1e−16 relative) on blocks of exactly ``BLOCK`` rows (the last block padded with
zeros), so every row goes through the same call shape whatever the batch; the float64
result of a row is then the same in every call (measured bit for bit on OpenBLAS's
SkylakeX, Haswell, Zen, Sandybridge, Nehalem and Core2 kernels, tests/test_subset_invariance.py),
and its rounding to float32 too. Training keeps its own fast products; only prediction
goes through here.
"""

from __future__ import annotations

import numpy as np

from byhand._validation import one_blas_thread

__all__ = ["BLOCK", "row_invariant_matmul"]

BLOCK = 32  # rows per product: a multiple of every OpenBLAS dgemm tile height


def row_invariant_matmul(A: np.ndarray, W: np.ndarray) -> np.ndarray:
    """A @ W for A (n, k) and W (k, m) or (k,), each row computed as if alone.

    Returns the result in A's and W's common dtype (float32 stays float32), shape (n, m) or
    (n,). The product runs in float64 on row blocks of fixed shape (``BLOCK``, k).
    """
    dtype = np.result_type(A, W)
    W64 = np.ascontiguousarray(W, dtype=np.float64).reshape(W.shape[0], -1)
    n = A.shape[0]
    out = np.empty((n, W64.shape[1]), dtype=dtype)
    plain = A.dtype == np.float64 and A.flags.c_contiguous
    buf = None
    # One BLAS thread: the split of a product among threads is then never a factor, and
    # small products do not wait on a second thread (ten times slower on a busy machine).
    with one_blas_thread():
        for s in range(0, n, BLOCK):
            m = min(BLOCK, n - s)
            if plain and m == BLOCK:
                block = A[s : s + BLOCK]
            else:
                if buf is None:
                    buf = np.zeros((BLOCK, A.shape[1]))
                buf[:m] = A[s : s + m]
                buf[m:] = 0.0
                block = buf
            out[s : s + m] = (block @ W64)[:m]
    return out.reshape((n, *W.shape[1:]))
