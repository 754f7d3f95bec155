"""Softmax with cross-entropy and its gradient, row by row: ``nn.CrossEntropyLoss``.

For each row i of the logits z (N × K), with m = max_c z[i, c] at its first argmax t[i]
(the first NaN if any, as ``np.argmax``):

    g[i, c] = exp(z[i, c] − m) / (N · Σ_c exp(z[i, c] − m)) − [c = y_i]/N   (softmax − onehot)/N
    ℓ = Σ_i [ log Σ_c exp(z[i, c] − m) − (z[i, y_i] − m) ]          (summed in float64)

and the number of rows whose argmax t[i] is y_i (the accuracy's count). CS 577 Lecture 04
(Wang, IIT, 2024), "Softmax": the gradient p − onehot. The same operations as the NumPy path
(byhand.nn.losses) in the same precision, the 1/N at the true class subtracted last, as its
``backward`` does; ``exp`` and ``log`` may differ from NumPy's in the last bit, and NumPy sums
a row pairwise, so the tests compare to float rounding.
"""

from __future__ import annotations

import numpy as np

__all__ = ["softmax_cross_entropy"]


def softmax_cross_entropy(z, y, g, top):
    """Fills g (the gradient) and top (first argmax per row); returns (Σ ℓ, correct)."""
    n, k = z.shape
    one = g.dtype.type(1)
    inv_n = g.dtype.type(1.0 / max(n, 1))
    total = 0.0
    correct = 0
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
        label = y[i]
        correct += t == label
        s = g.dtype.type(0)
        for c in range(k):
            e = np.exp(z[i, c] - m)
            g[i, c] = e
            s += e
        total += np.log(np.float64(s)) - np.float64(z[i, label] - m)
        r = one / (s * g.dtype.type(n))
        for c in range(k):
            g[i, c] *= r
        g[i, label] -= inv_n
    return total, correct
