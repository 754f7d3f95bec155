"""ReLU's backward as one loop: dℓ/dx = g where the output is not <= 0, else +0.0.

    grad_in[i] = +0.0 if out[i] <= 0 else grad_out[i]

A selection, not a product with a 0/1 mask (inf·0 would be NaN where PyTorch gives 0); at a
NaN output the gradient passes, as in the NumPy path (byhand.nn.activations, which needs
three passes over the arrays for the same bits).

Forward, a fully connected layer's bias and the ReLU after it in one pass over the product
(``Linear`` then ``ReLU(inplace=True)`` in a ``Sequential``):

    out[i, j] = max(out[i, j] + b[j], 0)      (+0.0 for −0.0 and below, NaN kept)

the same float additions and selections as ``out += b`` then ``np.maximum(out, 0)``, so the
same bits.
"""

from __future__ import annotations

__all__ = ["bias_relu", "relu_backward", "relu_backward_inplace"]


def relu_backward(out, grad_out, grad_in):
    zero = grad_in.dtype.type(0)
    for i in range(out.size):
        grad_in[i] = zero if out[i] <= 0 else grad_out[i]


def relu_backward_inplace(out, grad):
    """:func:`relu_backward` over the incoming gradient itself (two arrays, not three: with
    grad_in aliasing grad_out LLVM cannot vectorise, measured 25× slower)."""
    zero = grad.dtype.type(0)
    for i in range(out.size):
        if out[i] <= 0:
            grad[i] = zero


def bias_relu(out, bias):
    zero = out.dtype.type(0)
    n, k = out.shape
    for i in range(n):
        for j in range(k):
            v = out[i, j] + bias[j]
            out[i, j] = v if (v > zero or v != v) else zero
