"""CS 577 Lecture 01 (Wang, IIT, 2024).

"Why GD is actually better": the normal equations against gradient descent as the data
dimension d grows, in floating-point operations with GD's iteration count measured.
"""

from __future__ import annotations

import itertools

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import subplots

LECTURE = "cs577-01"
SLIDE_GD = "Why GD is actually better"


def normal_equations_flops(n: int, d: int) -> float:
    """XᵀX (n·d·(d+1)), Xᵀy (2nd), Cholesky (d³/3) and two triangular solves (2d²)."""
    return n * d * (d + 1) + 2 * n * d + d**3 / 3 + 2 * d**2


def gd_solve(X: np.ndarray, y: np.ndarray, tol: float, power_steps: int) -> tuple[np.ndarray, int]:
    """GD θ ← θ − ε ∇J, J = (1/N)‖Xθ − y‖², θ₀ = 0, ε = 1/L (L by power iteration), until
    ‖∇J‖ ≤ tol·‖∇J(θ₀)‖; returns (θ, iterations)."""
    n, d = X.shape
    v = np.ones(d) / np.sqrt(d)
    lam = 1.0
    for _ in range(power_steps):
        v = X.T @ (X @ v)
        lam = float(np.linalg.norm(v))
        v /= lam
    L = 2 * lam / n
    theta = np.zeros(d)
    g0, k = None, 0
    while k < 100_000:
        g = (2 / n) * (X.T @ (X @ theta - y))
        gn = np.linalg.norm(g)
        g0 = gn if g0 is None else g0
        if gn <= tol * g0:
            break
        theta -= g / L
        k += 1
    return theta, k


@experiment(
    "gd-vs-normal-equations",
    title="Why GD is actually better: the normal equations against GD as d grows",
    lecture=LECTURE,
    number=101,
    covers=[(LECTURE, SLIDE_GD)],
)
def gd_vs_normal_equations(seed: int, quick: bool) -> ExperimentResult:
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed)
    dims = [25, 50, 100, 200, 400]
    tol, power = 1e-4, 20
    rows, ratios, iters, gaps = [], [], [], []
    with threadpool_limits(1):  # counts do not depend on threads; keeps a loaded machine calm
        for d in dims:
            n = 4 * d
            theta_true = rng.normal(size=d)
            X = rng.normal(size=(n, d))
            y = X @ theta_true + 0.5 * rng.normal(size=n)
            Xt = rng.normal(size=(n, d))
            yt = Xt @ theta_true + 0.5 * rng.normal(size=n)
            exact = np.linalg.solve(X.T @ X, X.T @ y)  # the normal equations
            theta, k = gd_solve(X, y, tol, power)
            gd = (k + 1 + power) * 4 * n * d  # each iteration: Xθ and Xᵀr, 2nd flops each
            ne = normal_equations_flops(n, d)
            t_exact, t_gd = np.mean((Xt @ exact - yt) ** 2), np.mean((Xt @ theta - yt) ** 2)
            ratios.append(ne / gd)
            iters.append(k)
            gaps.append(float(t_gd / t_exact - 1))
            rows.append(
                [
                    d,
                    n,
                    k,
                    f"{ne:.3g}",
                    f"{gd:.3g}",
                    f"{ne / gd:.2f}",
                    f"{t_exact:.4f}",
                    f"{t_gd:.4f}",
                ]
            )
    res = ExperimentResult()
    res.claim(
        LECTURE,
        SLIDE_GD,
        "the exact approach (matrix inversion) gets expensive for large data dimension: by an "
        "operation-count model (flops counted from the algorithms, not timed), its count grows "
        "faster with d than that of GD run to a good-enough solution, and overtakes it",
        {"d": dims, "normal / GD flops": ratios, "GD iterations": iters},
        bool(all(a < b for a, b in itertools.pairwise(ratios)) and ratios[-1] > 1),
        kind="qualitative",
        detail=f"N = 4d Gaussian samples; GD with ε = 1/L (L from {power} power iterations) "
        f"until ‖∇J‖ ≤ {tol:g}·‖∇J(θ₀)‖, iteration count measured; flops: 4Nd per GD "
        "iteration, N·d(d+1) + 2Nd + d³/3 + 2d² for the normal equations by Cholesky",
        source="lecture",
        quote="Previous approach use matrix inversion expensive for large data dimension (exact)",
        category="derivation",
        lecture_value="matrix inversion: expensive for large data dimension",
        rule="the ratio (normal-equation flops)/(GD flops) rises with d and exceeds 1 at the "
        "largest d — a cost model with GD's iteration count measured (NumPy, no byhand code), "
        "not a timing",
    )
    res.claim(
        LECTURE,
        SLIDE_GD,
        "GD is inexact but good enough: on fresh data from the same model its squared error is "
        "within 1 % of the exact solution's at every d",
        {"d": dims, "relative test-error gap": gaps},
        bool(max(abs(g) for g in gaps) < 0.01),
        kind="numeric",
        target="< 1 %",
        source="byhand",
        reason="the lecture says 'good enough' without a number; 1 % of the test error is "
        "well inside the estimation error of the exact solution itself (its test error "
        "exceeds the noise variance by d/(N − d) ≈ 33 %)",
        rule="|test error(GD)/test error(exact) − 1| < 1 % at every d (threshold byhand's)",
    )
    res.table(
        "Normal equations vs gradient descent (operation counts; test errors on fresh data)",
        [
            "d",
            "N",
            "GD iterations",
            "normal eq. flops",
            "GD flops",
            "ratio",
            "test MSE exact",
            "test MSE GD",
        ],
        rows,
    )
    res.note(
        "Counts, not timings, carry the claim: BLAS-3 products (XᵀX) run near peak speed while "
        "GD's matrix-vector products are memory-bound, so at these sizes wall time favours the "
        "normal equations more than the counts do, and timings on a shared machine vary. The "
        "number of GD iterations is measured; it stays flat in d because N = 4d keeps XᵀX/N "
        "well conditioned."
    )
    fig, ax = subplots()
    ax.loglog(
        dims, [normal_equations_flops(4 * d, d) for d in dims], "o-", label="normal equations"
    )
    ax.loglog(
        dims,
        [(k + 1 + power) * 16 * d * d for k, d in zip(iters, dims, strict=True)],
        "s-",
        label="GD to tolerance",
    )
    ax.set_xlabel(r"data dimension $d$ ($N = 4d$)")
    ax.set_ylabel("floating-point operations")
    ax.set_xticks(list(dims), [str(d) for d in dims])  # plain labels, no crowded minor ticks
    ax.minorticks_off()
    ax.set_title("normal equations vs gradient descent")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    res.figure(fig, "Operation counts of the exact solution and of GD run to tolerance.")
    return res


# --------------------------------------------------------------------------- 102: binary classifier
