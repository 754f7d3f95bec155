"""Case 3: the perceptron on MNIST 0-vs-1, one epoch in dataset order from w = 0.

EE-559 3.1 "The perceptron" (Fleuret, EPFL, 2019): '0' ↦ −1, '1' ↦ +1, the bias as a
constant input 1, w ← w + y x̃ whenever y wᵀx̃ <= 0. Contenders: byhand ``Perceptron``,
scikit-learn ``Perceptron(eta0=1, penalty=None, shuffle=False, max_iter=1, tol=None)`` and
the literal Python loop; byhand's weights must equal the literal loop's bit for bit.

The **floor** (issue 16): the algorithm reads X once per epoch, so no epoch can beat one
pass over X. It is measured as the blocked matrix-vector pass ``X[i:i+128] @ w`` over all
rows (one BLAS thread, like the scan), and, for reference, ``X @ w`` in one call.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from _common import (
    Context,
    Row,
    Timed,
    fastest,
    fmt_s,
    median,
    optional,
    quiet,
    race,
    ratio,
)
from _common import timer as start_timer

from byhand._validation import one_blas_thread

FLOOR_BLOCK = 128  # rows per product of the floor (the blocked pass)
REPEATS = 15  # at least: an epoch takes milliseconds, and the machine may be shared


nan = float("nan")


def zero_one(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's 0s and 1s in dataset order, y = −1 for '0' and +1 for '1' (float64 pixels)."""
    X, y = ctx.data.X_train, ctx.data.y_train
    keep = (y == 0) | (y == 1)
    return X[keep].astype(np.float64), np.where(y[keep] == 1, 1.0, -1.0)


def literal_loop(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The textbook epoch: for each sample, if y·(x̃ @ w) <= 0 then w ← w + y·x̃."""
    Xa = np.hstack([X, np.ones((X.shape[0], 1))])
    w = np.zeros(Xa.shape[1])
    for i in range(Xa.shape[0]):
        if y[i] * (Xa[i] @ w) <= 0.0:
            w += y[i] * Xa[i]
    return w


def run(ctx: Context) -> list[Row]:
    X, y = zero_one(ctx)
    ctx.log(f"MNIST 0-vs-1: {X.shape[0]} images in dataset order, one epoch from w = 0")
    out: dict[str, Any] = {}
    cls = optional("byhand.linear_model", "Perceptron")

    cpu: dict[str, list[float]] = {"byhand": [], "floor": []}  # CPU seconds of this thread

    def byhand_run() -> float:
        est = cls(eta0=1.0, max_iter=1, shuffle=False)
        c, t = time.thread_time(), start_timer()
        with quiet():
            est.fit(X, y)
        elapsed = t()
        cpu["byhand"].append(time.thread_time() - c)
        out["byhand"] = np.append(est.coef_.ravel(), est.intercept_)
        return elapsed

    def sklearn_run() -> float:
        from sklearn.linear_model import Perceptron

        est = Perceptron(eta0=1.0, penalty=None, shuffle=False, max_iter=1, tol=None)
        t = start_timer()
        with quiet():
            est.fit(X, y)
        elapsed = t()
        out["sklearn"] = np.append(est.coef_.ravel(), est.intercept_)
        return elapsed

    def literal_run() -> float:
        t = start_timer()
        w = literal_loop(X, y)
        elapsed = t()
        out["literal"] = w
        return elapsed

    w = np.random.default_rng(ctx.seed).normal(size=X.shape[1])
    g = np.empty(X.shape[0])

    def floor_run() -> float:
        with one_blas_thread():
            c, t = time.thread_time(), start_timer()
            for i in range(0, X.shape[0], FLOOR_BLOCK):
                np.matmul(X[i : i + FLOOR_BLOCK], w, out=g[i : i + FLOOR_BLOCK])
            elapsed = t()
            cpu["floor"].append(time.thread_time() - c)
            return elapsed

    def gemv_run() -> float:
        with one_blas_thread():
            t = start_timer()
            np.matmul(X, w, out=g)
            return t()

    contenders: dict[str, Timed | None] = {
        "byhand": byhand_run if cls is not None else None,
        "sklearn": sklearn_run,
        "literal loop": literal_run,
        "floor": floor_run,
        "X @ w": gemv_run,
    }
    times = race(contenders, max(ctx.sizes.repeats, REPEATS))
    med = {k: median(v) for k, v in times.items()}
    best = {k: fastest(v) for k, v in times.items()}
    lit = out["literal"]
    same = {
        k: (bool(np.array_equal(out[k], lit)) if k in out else None) for k in ("byhand", "sklearn")
    }
    for k, t in med.items():
        note = ""
        if k in same:
            note = (
                "  weights bit-identical to the literal loop"
                if same[k]
                else "  weights differ from the literal loop"
                if same[k] is not None
                else ""
            )
        if k == "floor":
            gbs = X.nbytes / t / 1e9
            note = f"  ({FLOOR_BLOCK}-row blocks X_b @ w: one pass over X, {gbs:.1f} GB/s)"
        ctx.log(f"  {k:14s} {fmt_s(t)}{note}")
    byhand_same = same["byhand"]
    return [
        Row(
            "3 perceptron",
            "sklearn / byhand",
            ratio(med["sklearn"], med["byhand"]),
            3.0,
            best=ratio(best["sklearn"], best["byhand"]),
        ),
        Row(
            "3 perceptron",
            "literal loop / byhand",
            ratio(med["literal loop"], med["byhand"]),
            best=ratio(best["literal loop"], best["byhand"]),
        ),
        Row(
            "3 perceptron",
            "byhand / floor (blocked X_b @ w)",
            ratio(med["byhand"], med["floor"]),
            1.2,
            higher_is_better=False,
            best=ratio(best["byhand"], best["floor"]),
        ),
        Row(
            "3 perceptron",
            "byhand / floor, CPU time of the thread",
            ratio(median(cpu["byhand"][1:]), median(cpu["floor"][1:])),
            1.2,
            higher_is_better=False,
            best=ratio(min(cpu["byhand"][1:], default=nan), min(cpu["floor"][1:], default=nan)),
        ),
        Row(
            "3 perceptron", "floor: blocked X_b @ w (s)", med["floor"], unit="s", best=best["floor"]
        ),
        Row("3 perceptron", "X @ w, one call (s)", med["X @ w"], unit="s", best=best["X @ w"]),
        Row("3 perceptron", "byhand epoch (s)", med["byhand"], unit="s", best=best["byhand"]),
        Row(
            "3 perceptron",
            "byhand == literal (bitwise)",
            float("nan") if byhand_same is None else float(byhand_same),
            1.0,
            unit="",
        ),
    ]
