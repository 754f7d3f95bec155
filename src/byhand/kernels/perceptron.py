"""The perceptron's pass over the samples, the literal loop (EE-559 3.1 (Fleuret, EPFL, 2019),
"The perceptron"; CS 577 Lecture 01 (Wang, IIT, 2024), "Perceptron update"):

    for each sample i in order:  if yᵢ · (x̃ᵢ · w) <= 0:  w ← w + (η·sᵢ·yᵢ) · x̃ᵢ

with x̃ = [x, 1] when the bias is fitted (w[d] is the bias), else x̃ · w read as x · w + b.

Both scans here give the literal NumPy loop's weights bit for bit. The update is the loop's
own two roundings per entry, fl(w + fl(step·x)). A margin is summed in another order than the
literal ``x̃ @ w`` (a BLAS dot product), so the two may differ by rounding: both lie within
γₙ·a of the exact value, a = Σⱼ|x̃ⱼ·wⱼ| <= ‖x̃‖·‖w‖, γₙ = n·u/(1 − n·u), n = d + 2 terms (Higham's
bound for any order, u = 2⁻⁵³), so a margin s with |s| > 4γₙ·a + tiny (tiny: products that
underflowed) has the literal loop's sign. Any other margin (in that band, not finite: NaN or
inf in x, or so large a sum might overflow) stops the scan at its position; the caller
decides it by the literal dot product, applies the update if it is a mistake, and resumes.

- :func:`perceptron_scan`, compiled with numba: scores 16 consecutive samples of the pass under
  the current w in one sweep over w (16 streams from memory, w read once, the next 16 samples
  prefetched meanwhile), keeps a = Σ|x̃ⱼwⱼ| per sample, then decides them in order; after a
  mistake the samples that follow are scored again under the new w. Sure mistakes are applied
  in the loop.
- :func:`perceptron_scan_numpy`, the NumPy fallback: blocks of rows scored by one
  matrix-vector product ``X_b @ w`` under the current w, a bounded by Cauchy–Schwarz with one
  bound for the block's rows, sqrt(‖X_b‖²_F + 1) >= ‖x̃ᵢ‖ (one dot product, which also brings
  X_b into cache), and ‖w‖ once per call; it applies nothing: it stops at the first sure
  mistake too (status 2) and the caller updates.

Both return (position, status, updates, b): status 0, the pass ended at ``stop``; 1, the
margin at position needs the literal dot product; 2, a mistake at position, not applied.
:func:`perceptron_pass` runs a whole pass on either, deciding what they leave.
"""

from __future__ import annotations

import math

import numpy as np

from byhand.kernels._hints import prefetch

__all__ = ["perceptron_pass", "perceptron_scan", "perceptron_scan_numpy"]

_BLOCK_MIN = 16  # NumPy scan: rows of the first product after a mistake, doubled up to
_BLOCK_MAX = 128  # this many (a block of MNIST digits then stays in cache: 0.8 MB)
_TINY = 5e-324  # the smallest subnormal double
_UNDERFLOW = 2.0**-1070  # > 16 × the error of a square (or product) that underflows
_MAX = float(np.finfo(np.float64).max)


def _gamma(n_terms: int) -> float:
    """γₙ = n·u/(1 − n·u): |fl(Σ) − Σ| <= γₙ·Σ|terms| for any summation order (Higham)."""
    u = 2.0**-53
    return n_terms * u / (1.0 - n_terms * u)


def perceptron_scan(X, y, order, by_order, i, stop, w, fit_b, b, eta, steps, by_steps, apply):
    d = X.shape[1]
    u = 2.0**-53
    gamma = (d + 2) * u / (1.0 - (d + 2) * u)
    tiny = (d + 2) * 4 * 5e-324
    last = stop - 1
    updates = 0
    rows = np.empty(16, np.intp)
    while i < stop:
        for t in range(16):  # past the end, the last sample again (scored, not decided)
            rows[t] = order[min(i + t, last)] if by_order else min(i + t, last)
        r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15 = rows
        s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = s8 = s9 = s10 = s11 = s12 = s13 = s14 = s15 = 0.0
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = a8 = a9 = a10 = a11 = a12 = a13 = a14 = a15 = 0.0
        for j in range(d):  # 16 margins s = x·w and their a = Σ|xⱼwⱼ| in one sweep over w
            if j % 8 == 0:  # the next 16 samples' cache lines (8 doubles), loaded meanwhile
                for t in range(16):
                    k = min(i + 16 + t, last)
                    prefetch(X, order[k] if by_order else k, j)
            wj = w[j]
            s0, a0 = s0 + X[r0, j] * wj, a0 + abs(X[r0, j] * wj)
            s1, a1 = s1 + X[r1, j] * wj, a1 + abs(X[r1, j] * wj)
            s2, a2 = s2 + X[r2, j] * wj, a2 + abs(X[r2, j] * wj)
            s3, a3 = s3 + X[r3, j] * wj, a3 + abs(X[r3, j] * wj)
            s4, a4 = s4 + X[r4, j] * wj, a4 + abs(X[r4, j] * wj)
            s5, a5 = s5 + X[r5, j] * wj, a5 + abs(X[r5, j] * wj)
            s6, a6 = s6 + X[r6, j] * wj, a6 + abs(X[r6, j] * wj)
            s7, a7 = s7 + X[r7, j] * wj, a7 + abs(X[r7, j] * wj)
            s8, a8 = s8 + X[r8, j] * wj, a8 + abs(X[r8, j] * wj)
            s9, a9 = s9 + X[r9, j] * wj, a9 + abs(X[r9, j] * wj)
            s10, a10 = s10 + X[r10, j] * wj, a10 + abs(X[r10, j] * wj)
            s11, a11 = s11 + X[r11, j] * wj, a11 + abs(X[r11, j] * wj)
            s12, a12 = s12 + X[r12, j] * wj, a12 + abs(X[r12, j] * wj)
            s13, a13 = s13 + X[r13, j] * wj, a13 + abs(X[r13, j] * wj)
            s14, a14 = s14 + X[r14, j] * wj, a14 + abs(X[r14, j] * wj)
            s15, a15 = s15 + X[r15, j] * wj, a15 + abs(X[r15, j] * wj)
        s_all = (s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15)
        a_all = (a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15)
        bias = w[d] if fit_b else b
        done = min(16, stop - i)
        for t in range(done):
            r = rows[t]
            s = s_all[t] + bias
            a = a_all[t] + abs(bias)
            if not (abs(s) > 4.0 * gamma * a + tiny and a < 1e300):  # band, NaN, inf, overflow
                return i + t, 1, updates, b
            if y[r] * s < 0.0:
                if not apply:
                    return i + t, 2, updates, b
                step = (steps[r] if by_steps else eta) * y[r]
                for j in range(d):
                    w[j] += step * X[r, j]
                if fit_b:
                    w[d] += step
                    b = w[d]
                updates += 1
                done = t + 1  # the samples after a mistake are scored again under the new w
                break
        i += done
    return i, 0, updates, b


def _row_bound(Xb: np.ndarray) -> float:
    """sqrt(‖X_b‖²_F + 1) >= ‖x̃ᵢ‖ for every row of a block, by one dot product (a NaN or inf
    in X_b makes it NaN or inf: then no margin of the block is decided)."""
    return math.sqrt(float(np.vdot(Xb, Xb)) + 1.0 + Xb.size * _UNDERFLOW)


def perceptron_scan_numpy(X, y, order, i, stop, w, fit_b, b):
    """The NumPy fallback of :func:`perceptron_scan` (see the module docstring): the first
    position from ``i`` whose margin is a sure mistake (status 2) or needs the literal dot
    product (status 1), else (stop, 0)."""
    d = X.shape[1]
    wd, bias = w[:d], float(w[d] if fit_b else b)
    tau = 4.0 * _gamma(d + 2)
    tiny = (d + 2) * 4 * _TINY
    with np.errstate(over="ignore", invalid="ignore"):
        norm_w = math.sqrt(float(wd @ wd) + bias * bias + (d + 1) * _UNDERFLOW)
        block = _BLOCK_MIN
        while i < stop:
            j = min(i + block, stop)
            rows = slice(i, j) if order is None else order[i:j]
            Xb = X[rows]
            bound = _row_bound(Xb) * norm_w  # first: it brings X_b into cache for the product
            m = (Xb @ wd + bias) * y[rows]
            thr = tau * bound + tiny if bound < _MAX / 2 else math.inf
            sure = m > thr  # False for NaN
            if not sure.all():
                c = int(np.argmin(sure))
                return i + c, 2 if m[c] < -thr else 1, 0, b
            i, block = j, min(2 * block, _BLOCK_MAX)
    return stop, 0, 0, b


def perceptron_pass(scan, X, y, order, stop, w, b, eta, steps, fit_b, apply):
    """The whole pass over ``order[:stop]`` (None: rows 0..stop−1): ``scan`` (the dispatcher
    :func:`byhand.kernels.perceptron_scan`) runs it up to each margin it cannot certify, which
    is decided here as the literal loop decides it, ``y·(x̃ @ w) <= 0`` (``x @ w + b`` without
    the intercept), then the scan resumes. Returns (updates, b, bad): ``apply`` false, updates
    is 1 at the first mistake (w untouched), else 0; bad is the row of X holding the NaN/inf
    that stopped the pass, else −1."""
    d, i, changes = X.shape[1], 0, 0
    with np.errstate(over="ignore", invalid="ignore"):
        while True:
            i, status, updates, b = scan(
                X, y, order, i, stop, w, b, eta, steps, fit_intercept=fit_b, apply=apply
            )
            changes += updates
            if status == 0:
                return changes, b, -1
            r = i if order is None else int(order[i])
            if status == 1 and not np.isfinite(X[r]).all():
                return changes, b, r
            literal = np.append(X[r], 1.0) @ w if fit_b else X[r] @ w + b
            if status == 2 or y[r] * literal <= 0.0:
                if not apply:
                    return 1, b, -1
                step = (eta if steps is None else steps[r]) * y[r]
                w[:d] += step * X[r]
                if fit_b:
                    w[d] += step
                    b = float(w[d])
                changes += 1
            i += 1
