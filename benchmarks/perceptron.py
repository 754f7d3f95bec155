"""Case 3: the perceptron on MNIST 0-vs-1, one epoch in dataset order from w = 0.

EE-559 3.1 "The perceptron" (Fleuret, EPFL, 2019): '0' ↦ −1, '1' ↦ +1, the bias as a
constant input 1, w ← w + y x̃ whenever y wᵀx̃ <= 0. Contenders: byhand ``Perceptron``,
scikit-learn ``Perceptron(eta0=1, penalty=None, shuffle=False, max_iter=1, tol=None)`` and
the literal Python loop; byhand's weights must equal the literal loop's bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _common import Context, Row, Timed, fastest, fmt_s, median, optional, quiet, race, ratio
from _common import timer as start_timer


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

    def byhand_run() -> float:
        est = cls(eta0=1.0, max_iter=1, shuffle=False)
        t = start_timer()
        with quiet():
            est.fit(X, y)
        elapsed = t()
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

    contenders: dict[str, Timed | None] = {
        "byhand": byhand_run if cls is not None else None,
        "sklearn": sklearn_run,
        "literal loop": literal_run,
    }
    times = race(contenders, max(ctx.sizes.repeats, 5))
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
            "byhand == literal (bitwise)",
            float("nan") if byhand_same is None else float(byhand_same),
            1.0,
            unit="",
        ),
    ]
