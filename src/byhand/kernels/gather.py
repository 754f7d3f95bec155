"""The minibatch gather: rows of X picked by index, copied into a preallocated buffer.

    out[r, :] = X[index[r], :]

(NumPy's ``X.take(index, axis=0, out=out)`` is the oracle: the same bits, since nothing is
computed.)
"""

from __future__ import annotations

__all__ = ["gather_rows"]


def gather_rows(X, index, out):
    n = X.shape[0]
    for r in range(index.shape[0]):
        i = index[r]
        if i < 0 or i >= n:
            raise IndexError("gather_rows: an index lies outside 0..N-1")
        for j in range(X.shape[1]):
            out[r, j] = X[i, j]
