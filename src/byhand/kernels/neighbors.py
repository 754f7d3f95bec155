"""Exact squared distances of chosen (query, training point) pairs, for k-NN's candidates:

    out[t] = Σ_j (s·A[rows[t], j] − s·B[cols[t], j])²      in float64

by direct differences (no ‖a‖² − 2a·b + ‖b‖² cancellation), as :mod:`byhand.neighbors`'s
NumPy path computes them, without its float64 copies of the gathered rows. The sum runs in
any order (numba's ``reassoc`` flag lets LLVM vectorise it): the relative error stays within
(d + 2)·2⁻⁵³, the bound that module relies on, so results agree with NumPy's to that rounding.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pair_sq_distances"]


def pair_sq_distances(A, B, rows, cols, scale, out):
    d = A.shape[1]
    for t in range(rows.size):
        i = rows[t]
        j = cols[t]
        s = 0.0
        for k in range(d):
            diff = np.float64(A[i, k]) * scale - np.float64(B[j, k]) * scale
            s += diff * diff
        out[t] = s
