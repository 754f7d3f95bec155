"""CS 577 Lecture 01 (Wang, IIT, 2024).

"Gradients": f(x, y) = sin(x)² + cos(y)², its gradient by hand against central
differences, and gradient descent on it reaching a point where ∇f = 0.
"""

from __future__ import annotations

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import subplots

LECTURE = "cs577-01"
SLIDE_GRAD = "Gradients"


def f_sincos(p: np.ndarray) -> np.ndarray:
    """f(x, y) = sin(x)² + cos(y)² for points p of shape (..., 2)."""
    return np.sin(p[..., 0]) ** 2 + np.cos(p[..., 1]) ** 2


def grad_sincos(p: np.ndarray) -> np.ndarray:
    """∇f by hand: [2 sin x cos x, −2 cos y sin y]."""
    x, y = p[..., 0], p[..., 1]
    return np.stack([2 * np.sin(x) * np.cos(x), -2 * np.cos(y) * np.sin(y)], axis=-1)


def central_differences(f, p: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """(f(p + h e_i) − f(p − h e_i)) / 2h for each coordinate i (points of shape (n, 2))."""
    out = np.empty_like(p)
    for i in range(p.shape[-1]):
        e = np.zeros(p.shape[-1])
        e[i] = h
        out[..., i] = (f(p + e) - f(p - e)) / (2 * h)
    return out


def gd_path(start: np.ndarray, eps: float, steps: int) -> np.ndarray:
    """Gradient descent θ ← θ − ε ∇f(θ) by byhand.optim.SGD on one Parameter holding the
    starts (n, 2) (each row its own run); iterates of shape (steps + 1, n, 2)."""
    from byhand import optim
    from byhand.nn import Parameter

    theta = Parameter(np.array(start, dtype=np.float64))
    opt = optim.SGD([theta], eps)
    path = [theta.data.copy()]
    for _ in range(steps):
        opt.zero_grad()
        theta.grad = grad_sincos(theta.data)
        opt.step()
        path.append(theta.data.copy())
    return np.array(path)


@experiment(
    "sincos-gradient",
    title="Gradients: f(x, y) = sin²x + cos²y by hand, finite differences and GD",
    lecture=LECTURE,
    number=100,
    covers=[(LECTURE, SLIDE_GRAD)],
)
def sincos_gradient(seed: int, quick: bool) -> ExperimentResult:
    rng = np.random.default_rng(seed)
    pts = rng.uniform(-3, 3, size=(200, 2))
    hand, fd = grad_sincos(pts), central_differences(f_sincos, pts)
    err = float(np.max(np.abs(hand - fd)))
    res = ExperimentResult()
    res.claim(
        LECTURE,
        SLIDE_GRAD,
        "the gradient of f(x, y) = sin(x)² + cos(y)², as a column of partial derivatives, is "
        "[2 sin x cos x, −2 cos y sin y]: it equals central differences at 200 random points",
        err,
        err < 1e-8,
        kind="exact",
        target="< 1e-8",
        detail="max |hand − (f(p+h) − f(p−h))/2h| over 200 points in [−3, 3]², h = 1e-6; "
        "the truncation error of central differences is O(h²) ≈ 1e-12 here",
        source="derived",
        derived_from="the slide's function and its definition of the gradient",
        rule="max |formula − central differences| < 1e-8 at 200 random points",
    )
    starts = rng.uniform(-3, 3, size=(12 if quick else 40, 2))
    eps, steps = 0.2, 200
    ends = gd_path(starts, eps, steps)[-1]
    gnorm = np.linalg.norm(grad_sincos(ends), axis=1)
    fvals = f_sincos(ends)
    res.claim(
        LECTURE,
        SLIDE_GRAD,
        "necessary condition for local minimality: gradient descent (ε = 0.2) from random "
        "starts ends where ∇f = 0, at minima f = 0 (x = kπ, y = π/2 + lπ)",
        {"max |∇f| at the ends": float(gnorm.max()), "max f at the ends": float(fvals.max())},
        bool(gnorm.max() < 1e-8 and fvals.max() < 1e-12),
        kind="numeric",
        target={"|∇f|": "< 1e-8", "f": "< 1e-12"},
        detail=f"{len(starts)} starts uniform in [−3, 3]², {steps} steps; the Hessian "
        "diag(2 cos 2x, −2 cos 2y) has norm ≤ 2, so ε = 0.2 < 2/L = 1 converges",
        source="derived",
        derived_from="∇f = 0 at the minima of sin²x + cos²y, whose minimum value is 0; "
        "tolerances are float64 rounding after 200 contracting steps",
        category="reproduction",
        rule="every run ends with |∇f| < 1e-8 and f < 1e-12",
    )
    fig, axes = subplots(1, 2, figsize=(10, 4.2))
    g = np.linspace(-3.2, 3.2, 161)
    xx, yy = np.meshgrid(g, g)
    cs = axes[0].contourf(xx, yy, f_sincos(np.stack([xx, yy], -1)), levels=20, cmap="viridis")
    fig.colorbar(cs, ax=axes[0], label=r"$f(x, y)$")
    paths = gd_path(starts[:6], eps, 30)
    for i in range(paths.shape[1]):
        axes[0].plot(paths[:, i, 0], paths[:, i, 1], "-o", ms=2, color="w", lw=1)
    axes[0].set_xlabel(r"$x$")
    axes[0].set_ylabel(r"$y$")
    axes[0].set_title(r"$f = \sin^2 x + \cos^2 y$ and GD paths ($\epsilon = 0.2$)")
    axes[1].semilogy(np.abs(hand - fd).max(axis=1) + 1e-17, ".", ms=4)
    axes[1].set_xlabel("point index")
    axes[1].set_ylabel(r"$\|\nabla f_{\rm hand} - \nabla f_{\rm FD}\|_\infty$")
    axes[1].set_title("hand gradient vs central differences")
    res.figure(
        fig,
        "Left: f with six GD paths (white) ending at minima. Right: the gap "
        "between the hand gradient and central differences at each test point.",
    )
    return res


# --------------------------------------------------------------------------- 101: GD vs normal eq.
