"""The perceptron's pass over the samples, the literal loop (EE-559 3.1 (Fleuret, EPFL, 2019),
"The perceptron"; CS 577 Lecture 01 (Wang, IIT, 2024), "Perceptron update"):

    for each sample i in order:  if yᵢ · (x̃ᵢ · w) <= 0:  w ← w + (η·sᵢ·yᵢ) · x̃ᵢ

with x̃ = [x, 1] when the bias is fitted (w[d] is the bias), else x̃ · w read as x · w + b.

Bit-identical to the literal NumPy loop. The update is the same two roundings per entry,
fl(w + fl(step·x)). The margin is summed in whatever order is fastest (numba's ``reassoc``
flag lets LLVM vectorise the sum), so it may differ from the literal loop's ``x̃ @ w`` by
rounding: both lie within γₙ·a of the exact value, a = Σ|x̃ⱼ·wⱼ|, γₙ = n·u/(1 − n·u), n = d + 2
terms (Higham's bound for any order), so |s| > 4γₙ·a + tiny (tiny: products that underflowed)
gives the literal loop's decision. Any other margin (within that band, or not finite: NaN or
inf in x, or overflow) stops the loop and the caller decides it the literal way, then resumes.

Returns (position, status, updates, b): status 0, the pass ended at ``stop``; 1, position needs
the literal margin; 2, a mistake at position (``apply`` false: w untouched).
"""

from __future__ import annotations

__all__ = ["perceptron_scan"]


def perceptron_scan(X, y, order, by_order, i, stop, w, fit_b, b, eta, steps, by_steps, apply):
    n_terms = X.shape[1] + 2
    u = 2.0**-53
    gamma = n_terms * u / (1.0 - n_terms * u)
    tiny = n_terms * 4 * 5e-324
    d = X.shape[1]
    updates = 0
    while i < stop:
        r = order[i] if by_order else i
        s = 0.0
        a = 0.0
        for j in range(d):
            p = X[r, j] * w[j]
            s += p
            a += abs(p)
        if fit_b:
            s += w[d]
            a += abs(w[d])
        else:
            s += b
            a += abs(b)
        thr = 4.0 * gamma * a + tiny
        if not (abs(s) > thr and a < 1e300):  # within the band, NaN, inf or near overflow
            return i, 1, updates, b
        if y[r] * s < 0.0:
            if not apply:
                return i, 2, updates, b
            step = (steps[r] if by_steps else eta) * y[r]
            for j in range(d):
                w[j] += step * X[r, j]
            if fit_b:
                w[d] += step
                b = w[d]
            updates += 1
        i += 1
    return i, 0, updates, b
