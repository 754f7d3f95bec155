"""Experiment 29: gradient descent on a quadratic converges for γ < 2/L and diverges beyond.

Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), "Gradient descent": if ‖∇²F‖₂ <= L
then for 0 < γ < 2/L the iterates
x⁽ⁿ⁺¹⁾ = x⁽ⁿ⁾ − γ∇F(x⁽ⁿ⁾) converge to a stationary point; "One dimension": small step → slow
convergence, good step → fast, large step → slow, too large → divergence. Here
F(x) = ½ (x − x*)ᵀ A (x − x*) with A symmetric positive definite, L = λ_max(A); the steps are
taken by :class:`byhand.optim.SGD` on a :class:`byhand.nn.Parameter` whose gradient
A(x − x*) is written by hand.
"""

from __future__ import annotations

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.nn import Parameter
from byhand.optim import SGD
from byhand.plotting import PALETTE, loss_contours, subplots

LECTURE = "galerne-1"


def gd_path(A: np.ndarray, x_star: np.ndarray, x0: np.ndarray, lr: float, n: int) -> np.ndarray:
    """Iterates of GD on ½(x − x*)ᵀA(x − x*) with byhand's SGD (full gradient), shape (n+1, d)."""
    p = Parameter(np.array(x0, dtype=np.float64))
    opt = SGD([p], lr=lr)
    path = [p.data.copy()]
    for _ in range(n):
        opt.zero_grad()
        p.grad = A @ (p.data - x_star)
        opt.step()
        path.append(p.data.copy())
        if not np.all(np.isfinite(p.data)) or np.max(np.abs(p.data)) > 1e12:
            break
    return np.array(path)


def iterations_to(path: np.ndarray, x_star: np.ndarray, tol: float) -> int | None:
    """First n with ‖x⁽ⁿ⁾ − x*‖ <= tol (None if never)."""
    dist = np.linalg.norm(path - x_star, axis=1)
    hit = np.nonzero(dist <= tol)[0]
    return int(hit[0]) if hit.size else None


@experiment(
    "quadratic-gd",
    title="Gradient descent on a quadratic: γ = 1.9/L converges, γ = 2.1/L diverges",
    lecture=LECTURE,
    number=29,
    covers=[
        ("galerne-1", "Gradient descent"),
        ("galerne-1", "One dimension"),
        ("galerne-1", "Two dimensions"),
    ],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    """GD with γ = 1.9/L and 2.1/L on a random 2-D quadratic; a sweep of γL; the 1-D picture."""
    rng = np.random.default_rng(seed)
    res = ExperimentResult()
    n_iter = 200 if quick else 400
    # a random SPD matrix with condition number 10
    q, _ = np.linalg.qr(rng.normal(size=(2, 2)))
    A = q @ np.diag([10.0, 1.0]) @ q.T
    L = float(np.linalg.eigvalsh(A).max())  # ‖∇²F‖₂
    x_star = rng.normal(size=2)
    x0 = x_star + np.array([2.5, -2.0])

    conv = gd_path(A, x_star, x0, 1.9 / L, n_iter)
    div = gd_path(A, x_star, x0, 2.1 / L, n_iter)
    d0 = float(np.linalg.norm(x0 - x_star))
    d_conv = float(np.linalg.norm(conv[-1] - x_star))
    d_div = float(np.linalg.norm(div[-1] - x_star))
    grad_end = float(np.linalg.norm(A @ (conv[-1] - x_star)))
    # "whatever the initialization": ten random starts, each with γL = 0.5, 1, 1.5 and 1.9
    # each run must contract at least at the rate ρ(γ) = max_i |1 − γλ_i| < 1 of the theory
    lams = np.linalg.eigvalsh(A)
    # excess of (‖x_k − x*‖/‖x_0 − x*‖) over ρᵏ, the rounding floor 1e-12 allowed: ≤ 0 when
    # every run contracts as the theory says
    worst = -np.inf
    for _ in range(10):
        start = x_star + rng.normal(scale=3.0, size=2)
        dist0 = float(np.linalg.norm(start - x_star))
        for gam in (0.5, 1.0, 1.5, 1.9):
            rho = float(np.max(np.abs(1 - gam / L * lams)))
            path = gd_path(A, x_star, start, gam / L, n_iter)
            for k in (n_iter // 4, n_iter // 2, n_iter):
                ratio = float(np.linalg.norm(path[k] - x_star)) / dist0
                bound = rho**k * (1 + 1e-6) + 1e-12 if rho < 1 else -np.inf
                worst = max(worst, ratio - bound)
    res.claim(
        LECTURE,
        "Gradient descent",
        "whatever the initialization, if 0 < γ < 2/L the sequence converges to a stationary "
        "point (∇F(x*) = 0): 11 starts × γL ∈ {0.5, 1, 1.5, 1.9}",
        {
            "γ = 1.9/L, first start: ‖x_n − x*‖": d_conv,
            "γ = 1.9/L, first start: ‖∇F(x_n)‖": grad_end,
            "largest ‖x_k − x*‖/‖x_0 − x*‖ − (ρ(γ)ᵏ + 1e-12), 40 runs": worst,
            "n": len(conv) - 1,
        },
        bool(d_conv < 1e-6 * d0 and grad_end < 1e-5 and worst <= 0.0),
        kind="exact",
        detail=f"L = λ_max(A) = {L:.4g}; byhand's optim.SGD on F(x) = ½(x − x*)ᵀA(x − x*); the "
        "first start at distance "
        f"{d0:.3g}, ten more drawn around x* (scale 3)",
        source="lecture",
        quote="- Then, whatever the initialization  $x^0$ , if  $0 < \\gamma < 2/L$ , the sequence",
        lecture_value="converges whatever x⁰ if 0 < γ < 2/L",
        rule="γ = 1.9/L from the first start: ‖x_n − x*‖ < 1e-6·‖x_0 − x*‖ and ‖∇F(x_n)‖ < "
        "1e-5; every other run contracts at least as fast as ρ(γ)ᵏ = max_i |1 − γλ_i|ᵏ < 1 "
        "(k = n/4, n/2, n; tolerance 1e-6 relative plus the rounding floor 1e-12)",
    )
    res.claim(
        LECTURE,
        "One dimension",
        "too large step size: divergence (γ = 2.1/L)",
        {"‖x_n − x*‖": d_div, "n": len(div) - 1},
        d_div > 1e3 * d0,
        kind="exact",
        detail="along the top eigenvector the error is multiplied by |1 − γL| = 1.1 per step",
        source="lecture",
        quote="Divergence",
        rule="‖x_n − x*‖ > 1000 × ‖x_0 − x*‖ at γ = 2.1/L",
    )

    # sweep of γL: the threshold sits at 2
    gl = np.round(np.arange(0.1, 2.55, 0.05 if quick else 0.025), 4)
    final = []
    for g in gl:
        path = gd_path(A, x_star, x0, float(g) / L, n_iter)
        final.append(float(np.linalg.norm(path[-1] - x_star)))
    final = np.array(final)
    converged = gl[final < 1e-3 * d0]
    diverged = gl[final > d0]
    # a broken optimiser may make nothing converge or nothing diverge: the claim then fails
    edge = float(converged.max()) if converged.size else None
    first_div = float(diverged.min()) if diverged.size else None
    res.claim(
        LECTURE,
        "Gradient descent",
        "the stability limit is γ = 2/L: every γ below converges, every γ above diverges",
        {
            "largest converging γL": "none converges" if edge is None else edge,
            "smallest diverging γL": "none diverges" if first_div is None else first_div,
        },
        bool(
            edge is not None
            and first_div is not None
            and np.all(gl[gl < 2] <= edge)
            and np.all(gl[gl > 2] >= first_div)
            and edge < 2 < first_div
        ),
        kind="numeric",
        target=2.0,
        detail=f"γL swept over {gl.min()}…{gl.max()} by {gl[1] - gl[0]:.3g}, {n_iter} steps each",
        source="derived",
        derived_from=(
            "on a quadratic with Hessian eigenvalue L, x_{n+1} − x* = (1 − γL)(x_n − x*): "
            "convergence iff γ < 2/L, divergence above (the slide states only the sufficient "
            "condition)"
        ),
        category="reproduction",
        rule="every swept γL < 2 converges (< 1e-3 of the start), every γL > 2 diverges",
    )

    # 1-D picture: F(x) = L/2 x², slow / fast / slow / divergent
    L1 = 1.0
    steps = {
        "small (0.1/L)": 0.1,
        "good (1/L)": 1.0,
        "large (1.9/L)": 1.9,
        "too large (2.1/L)": 2.1,
    }
    paths1 = {
        k: gd_path(np.array([[L1]]), np.zeros(1), np.array([1.0]), v / L1, 400)
        for k, v in steps.items()
    }
    its = {k: iterations_to(p, np.zeros(1), 1e-6) for k, p in paths1.items()}
    ok = (
        its["good (1/L)"] is not None
        and its["small (0.1/L)"] is not None
        and its["large (1.9/L)"] is not None
        and its["good (1/L)"] < its["large (1.9/L)"]
        and its["good (1/L)"] < its["small (0.1/L)"]
        and its["too large (2.1/L)"] is None
    )
    res.claim(
        LECTURE,
        "One dimension",
        "small step: slow convergence; good step: fast; large step: slow; too large: divergence",
        {k: ("diverges" if v is None else f"{v} steps") for k, v in its.items()},
        bool(ok),
        kind="qualitative",
        detail="steps for |x_n| <= 1e-6 from x_0 = 1 on F(x) = x²/2",
        source="lecture",
        quote="Too large step size",
        rule="steps to converge: small and large > good; too large diverges",
    )

    fig, axes = subplots(1, 3, figsize=(15, 4.4))
    span = 4.5

    def F(x: np.ndarray) -> float:
        d = x - x_star
        return 0.5 * float(d @ A @ d)

    loss_contours(
        F,
        (x_star[0] - span, x_star[0] + span),
        (x_star[1] - span, x_star[1] + span),
        {"γ = 1.9/L": conv[:40], "γ = 2.1/L": div[:14]},
        axes[0],
        minimum=x_star,
        labels=("x₁", "x₂"),
    )
    axes[0].set_title("GD paths on ½(x − x*)ᵀA(x − x*)")
    axes[1].semilogy(gl, np.maximum(final, 1e-300), "o-", ms=3, color=PALETTE[0])
    axes[1].axvline(2.0, color=PALETTE[1], ls="--", label="γ = 2/L")
    axes[1].set_xlabel("γ·L")
    axes[1].set_ylabel(rf"$\|x_n - x^*\|$ after {n_iter} steps")
    axes[1].set_ylim(1e-16, 1e13)
    axes[1].legend()
    axes[1].grid(alpha=0.3)
    axes[1].set_title("final distance vs step size")
    xs = np.linspace(-1.6, 1.6, 200)
    axes[2].plot(xs, 0.5 * L1 * xs**2, color="0.6")
    for i, (k, p) in enumerate(paths1.items()):
        p = p[:8, 0].clip(-1.6, 1.6)
        axes[2].plot(p, 0.5 * L1 * p**2, "-o", ms=3, color=PALETTE[i], label=k)
    axes[2].set_ylim(0, 1.3)
    axes[2].legend(fontsize=8)
    axes[2].set_title("one dimension: F(x) = x²/2, 8 steps")
    axes[2].set_xlabel("x")
    axes[2].set_ylabel("F(x)")
    res.figure(
        fig,
        "Left: the paths of γ = 1.9/L (converging, zig-zag) and 2.1/L (diverging). "
        "Middle: distance to x* after the run, against γL. Right: the lecture's four "
        "step sizes in one dimension.",
    )
    res.table(
        "Steps to reach |x| <= 1e-6 (one dimension)",
        ["step size", "steps"],
        [[k, "diverges" if v is None else v] for k, v in its.items()],
    )
    return res
