"""Experiment 23: sums of translated ReLUs approximate sin on [−π, π] (universal approximation).

EE-559 (Fleuret, EPFL, 2019) "Universal approximation": any ψ ∈ C([a, b], R) is
approximated by a linear combination of translated/scaled ReLUs
f(x) = σ(w₁x + b₁) + σ(w₂x + b₂) + …; for sin,
max_{x ∈ [−A, A]} |sin(x) − Σₙ αₙ σ(x − aₙ)| <= ε for N large enough, i.e. a one hidden layer
perceptron x ↦ ω·σ(wx + b); "a better approximation requires a larger hidden layer".

Construction (the lecture's picture): knots aₙ = −π + n·h, h = 2π/N, n = 0…N−1; the sum is the
piecewise-linear interpolant of sin at the knots, with αₙ the change of slope at aₙ. It is built
as a byhand network Linear(1, N) → ReLU → Linear(N, 1) with w = 1, b = −aₙ, ω = α.
Interpolation theory bounds its error by h²/8·max|sin''| = (2π/N)²/8.
"""

from __future__ import annotations

import numpy as np

from byhand import nn
from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import PALETTE, subplots

LECTURE = "ee559-3"
SLIDE = "Universal approximation"


def relu_sum_net(n_units: int, a: float = -np.pi, b: float = np.pi) -> nn.Sequential:
    """x ↦ Σₙ αₙ relu(x − aₙ): the interpolant of sin at N + 1 equispaced knots of [a, b]."""
    knots = np.linspace(a, b, n_units + 1)
    slopes = np.diff(np.sin(knots)) / np.diff(knots)
    alpha = np.diff(slopes, prepend=0.0)  # α₀ = s₀, αₙ = sₙ − sₙ₋₁
    hidden = nn.Linear(1, n_units, dtype=np.float64)
    hidden.weight.data[...] = 1.0
    hidden.bias.data[...] = -knots[:-1]
    out = nn.Linear(n_units, 1, dtype=np.float64)
    out.weight.data[:, 0] = alpha
    out.bias.data[...] = np.sin(a)
    return nn.Sequential(hidden, nn.ReLU(), out)


def max_error(n_units: int, x: np.ndarray, chunk: int = 4096) -> float:
    """max_x |sin(x) − f_N(x)| on the grid ``x`` (evaluated in chunks to bound memory)."""
    net = relu_sum_net(n_units)
    worst = 0.0
    for i in range(0, len(x), chunk):
        xc = x[i : i + chunk]
        worst = max(worst, float(np.max(np.abs(np.sin(xc) - net(xc[:, None])[:, 0]))))
    return worst


@experiment(
    "universal-approximation",
    title="Universal approximation: sums of translated ReLUs approximate sin",
    lecture=LECTURE,
    number=23,
    covers=[
        ("ee559-3", "Universal approximation"),
    ],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    """Max error of the ReLU-sum approximation of sin vs the number of units."""
    res = ExperimentResult()
    x = np.linspace(-np.pi, np.pi, 20001 if quick else 50001)
    ns = (
        [2, 4, 8, 16, 25, 50, 100, 200, 400]
        if quick
        else [2, 3, 4, 6, 8, 12, 16, 25, 35, 50, 70, 100, 140, 200, 400, 800]
    )
    errs = np.array([max_error(n, x) for n in ns])
    e100 = float(errs[ns.index(100)])
    res.claim(
        LECTURE,
        SLIDE,
        "max_{x∈[−π, π]} |sin(x) − Σₙ αₙ σ(x − aₙ)| < 1e-3 with 100 ReLU units",
        e100,
        e100 < 1e-3,
        kind="numeric",
        target=1e-3,
        detail=f"max over {len(x)} points; interpolation bound (2π/100)²/8 = "
        f"{(2 * np.pi / 100) ** 2 / 8:.3g}",
        source="derived",
        derived_from=(
            "the interpolation error bound h²/8 · max|sin''| of a piecewise-linear (ReLU-sum) "
            "interpolant with knots h = 2π/N apart: 4.9e-4 < 1e-3 at N = 100 (the lecture states "
            "∀ε ∃N without numbers)"
        ),
        category="reproduction",
        rule="max error on a fine grid < 1e-3",
    )
    decreasing = bool(np.all(np.diff(errs) < 0))
    slope = float(np.polyfit(np.log(ns), np.log(errs), 1)[0])
    res.claim(
        LECTURE,
        SLIDE,
        "a better approximation requires a larger hidden layer: the error falls as N grows",
        {"errors decrease": decreasing, "log-log slope": round(slope, 3)},
        decreasing and slope < -1.5,
        kind="qualitative",
        detail="error ∝ N^slope; piecewise-linear interpolation predicts slope −2",
        source="lecture",
        quote=(
            "A better approximation requires a larger hidden layer (larger  $K$ ), and this "
            "theorem says nothing about the relation between the two."
        ),
        rule="error strictly decreasing in N with a log-log slope < −1.5",
    )
    bound_ok = bool(np.all(errs <= (2 * np.pi / np.array(ns)) ** 2 / 8 * (1 + 1e-9)))
    res.claim(
        LECTURE,
        SLIDE,
        "∀ε > 0 ∃N: the error is at most ε — here within the bound h²/8, h = 2π/N, for every N",
        {"within bound for all N": bound_ok, "N = 800 error": float(errs[-1])},
        bound_ok,
        kind="qualitative",
        source="derived",
        derived_from=(
            "the interpolation error bound h²/8 · max|sin''| of the piecewise-linear interpolant "
            "with knot spacing h = 2π/N"
        ),
        category="reproduction",
        rule="error ≤ (2π/N)²/8 for every N (relative 1e-9)",
    )
    res.table(
        "Max error vs number of ReLU units",
        ["N", "max |sin − f_N|", "bound (2π/N)²/8"],
        [[n, f"{e:.3e}", f"{(2 * np.pi / n) ** 2 / 8:.3e}"] for n, e in zip(ns, errs, strict=True)],
    )

    fig, axes = subplots(1, 2, figsize=(11, 4))
    ax = axes[0]
    xs = np.linspace(-np.pi, np.pi, 1001)
    ax.plot(xs, np.sin(xs), color="k", lw=2.5, alpha=0.35, label="sin")
    for i, n in enumerate((3, 6, 12)):
        ax.plot(
            xs, relu_sum_net(n)(xs[:, None])[:, 0], color=PALETTE[i], lw=1.4, label=f"N = {n} ReLUs"
        )
    ax.legend(fontsize=8)
    ax.set_title("Σₙ αₙ σ(x − aₙ) on [−π, π]")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.grid(alpha=0.3)
    ax = axes[1]
    ax.loglog(ns, errs, "o-", color=PALETTE[0], label="max error (byhand net)")
    ax.loglog(ns, (2 * np.pi / np.array(ns)) ** 2 / 8, "--", color="0.5", label="(2π/N)²/8")
    ax.axhline(1e-3, color=PALETTE[1], lw=1, ls=":", label="1e-3")
    ax.axvline(100, color=PALETTE[1], lw=1, ls=":")
    ax.set_xlabel("N (hidden ReLU units)")
    ax.set_ylabel(r"$\max_x |\sin(x) - f_N(x)|$")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    ax.set_title("error vs width")
    res.figure(
        fig,
        "Left: the one-hidden-layer ReLU network approximating sin with 3, 6, 12 "
        "units. Right: the maximum error against the number of units.",
    )
    return res
