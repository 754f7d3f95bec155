"""Softmax with cross-entropy, row by row: the forward of ``nn.CrossEntropyLoss``.

For each row i of the logits z (N × K), with m = max_c z[i, c] at its first argmax t[i]
(the first NaN if any, as ``np.argmax``):

    p[i, c] = exp(z[i, c] − m) / (N · Σ_c exp(z[i, c] − m))        (softmax / N)
    ℓ = Σ_i [ log Σ_c exp(z[i, c] − m) − (z[i, y_i] − m) ]          (summed in float64)

so that backward is p − onehot(y)/N (CS 577 Lecture 04 (Wang, IIT, 2024), "Softmax": the
gradient p − onehot). The same operations as the NumPy path in the same precision; ``exp``
and ``log`` may differ from NumPy's in the last bit, so the tests compare to float rounding.
"""

from __future__ import annotations

import numpy as np

__all__ = ["softmax_cross_entropy"]


def softmax_cross_entropy(z, y, p, top):
    n, k = z.shape
    total = 0.0
    for i in range(n):
        m = z[i, 0]
        t = 0
        for c in range(1, k):
            if m != m:
                break
            v = z[i, c]
            if v > m or v != v:
                m = v
                t = c
        top[i] = t
        s = p.dtype.type(0)
        for c in range(k):
            e = np.exp(z[i, c] - m)
            p[i, c] = e
            s += e
        total += np.log(np.float64(s)) - np.float64(z[i, y[i]] - m)
        r = p.dtype.type(1) / (s * p.dtype.type(n))
        for c in range(k):
            p[i, c] *= r
    return total
