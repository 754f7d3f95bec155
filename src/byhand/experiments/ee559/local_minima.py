"""EE-559 Deep learning 3.1–3.6 (Fleuret, EPFL, 2019).

§3.5: the local quadratic model L̃_{w₀} and its minimiser w₀ − η∇L(w₀); gradient descent
series at η = 0.125 and η = 0.5 on a non-convex function byhand chose (the transcript lost
the lecture's), where w₀ and η decide the local minimum.
"""

from __future__ import annotations

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import subplots

LECTURE = "ee559-3"
S35 = "3.5. Gradient descent"
NC_TEXT = "L(w) = w²/40 − exp(−7(w+1)²) − 0.8·exp(−(w−2)²/2)"


def loss_nc(w: np.ndarray) -> np.ndarray:
    """byhand's non-convex example, a sharp well near w = −1 (L'' ≈ 14) and a flat one near
    w = 1.9 (L'' ≈ 0.8): L(w) = w²/40 − exp(−7(w+1)²) − 0.8·exp(−(w−2)²/2)."""
    return w**2 / 40 - np.exp(-7 * (w + 1) ** 2) - 0.8 * np.exp(-((w - 2) ** 2) / 2)


def dloss_nc(w: np.ndarray) -> np.ndarray:
    """L'(w) by hand."""
    return (
        w / 20
        + 14 * (w + 1) * np.exp(-7 * (w + 1) ** 2)
        + 0.8 * (w - 2) * np.exp(-((w - 2) ** 2) / 2)
    )


def d2loss_nc(w: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """L''(w) by central differences of L'."""
    return (dloss_nc(w + h) - dloss_nc(w - h)) / (2 * h)


def gd_series(w0: float, eta: float, steps: int) -> np.ndarray:
    """w_{t+1} = w_t − η L'(w_t) with byhand.optim.SGD on one Parameter; (steps + 1,)."""
    from byhand import optim
    from byhand.nn import Parameter

    w = Parameter(np.array([w0], dtype=np.float64))
    opt = optim.SGD([w], eta)
    out = [w0]
    for _ in range(steps):
        opt.zero_grad()
        w.grad = dloss_nc(w.data)
        opt.step()
        out.append(float(w.data[0]))
    return np.array(out)


@experiment(
    "gd-local-minima",
    title="Gradient descent: the local quadratic model, and w₀ and η decide the local minimum",
    lecture=LECTURE,
    number=109,
    covers=[(LECTURE, S35, "local quadratic model")],
)
def gd_local_minima(seed: int, quick: bool) -> ExperimentResult:
    from scipy.optimize import minimize

    rng = np.random.default_rng(seed)

    def L2(w):  # a non-convex function of R² for the local model check
        return float(np.sin(w[0]) * np.cos(w[1]) + 0.1 * w @ w)

    def dL2(w):
        return np.array(
            [np.cos(w[0]) * np.cos(w[1]) + 0.2 * w[0], -np.sin(w[0]) * np.sin(w[1]) + 0.2 * w[1]]
        )

    worst = 0.0
    for _ in range(10):
        w0, eta = rng.uniform(-3, 3, 2), rng.choice([0.125, 0.5])

        def model(w, w0=w0, eta=eta):
            return L2(w0) + dL2(w0) @ (w - w0) + (w - w0) @ (w - w0) / (2 * eta)

        m = minimize(model, w0, method="BFGS", options={"gtol": 1e-10}).x
        worst = max(worst, float(np.max(np.abs(m - (w0 - eta * dL2(w0))))))
    res = ExperimentResult()
    res.claim(
        LECTURE,
        S35,
        "the minimiser of the local model L̃_{w₀}(w) = L(w₀) + ∇L(w₀)ᵀ(w − w₀) + ‖w − w₀‖²/(2η) "
        "is w₀ − η∇L(w₀), the gradient step",
        worst,
        worst < 1e-6,
        kind="numeric",
        target="< 1e-6",
        detail="SciPy BFGS on L̃ at 10 random (w₀, η ∈ {0.125, 0.5}) for the non-convex "
        "L(w) = sin w₁ cos w₂ + 0.1‖w‖²",
        source="lecture",
        quote=r"\underset{w}{\operatorname{argmin}} \tilde{\mathcal{L}}_{w_0}(w) = w_0 - \eta "
        r"\nabla \mathcal{L}(w_0)",
        category="derivation",
        rule="max |BFGS argmin − (w₀ − η∇L(w₀))| < 1e-6",
    )
    steps = 300
    starts = (-1.6, 0.5, 3.0)
    runs = {(w0, eta): gd_series(w0, eta, steps) for w0 in starts for eta in (0.125, 0.5)}
    ends = {k: round(float(v[-1]), 4) for k, v in runs.items()}
    curv = {k: float(d2loss_nc(v[-1])) for k, v in runs.items()}
    grads = {k: float(abs(dloss_nc(v[-1]))) for k, v in runs.items()}
    at_min = all(g < 1e-6 for g in grads.values()) and all(c > 0 for c in curv.values())
    by_w0 = ends[(-1.6, 0.125)] != ends[(0.5, 0.125)]
    by_eta = ends[(-1.6, 0.125)] != ends[(-1.6, 0.5)]
    res.claim(
        LECTURE,
        S35,
        "gradient descent ends in a local minimum, and the choices of w₀ and η are important: "
        "different w₀ (same η) and different η (same w₀) end in different local minima",
        {f"w0={k[0]}, eta={k[1]}": v for k, v in ends.items()},
        bool(at_min and by_w0 and by_eta),
        kind="qualitative",
        detail=f"{NC_TEXT}, {steps} steps from w₀ ∈ {starts}; every end has |L'| < 1e-6 and "
        "L'' > 0; at η = 0.5 the sharp well (ηL'' ≈ 7 > 2) is unstable, at η = 0.125 it is not",
        source="lecture",
        quote="This [most of the time] eventually ends up in a **local** minimum, and the "
        "choices of  $w_0$  and  $\\eta$  are important.",
        rule="each run ends at a local minimum; two w₀ (same η) and two η (same w₀) end at "
        "different minima",
    )
    res.note(
        "The transcript keeps the η = 0.125 and η = 0.5 panels of §3.5 but not the "
        "function drawn in them; byhand uses " + NC_TEXT + ", a function with a sharp and a "
        "flat local minimum, and the lecture's two step sizes."
    )
    res.table(
        "Where gradient descent ends",
        ["w₀", "η", f"w after {steps} steps", "L(w)", "L''(w)"],
        [
            [k[0], k[1], f"{v[-1]:.4f}", f"{loss_nc(v[-1]):.4f}", f"{curv[k]:.3f}"]
            for k, v in runs.items()
        ],
    )
    fig, axes = subplots(1, 2, figsize=(11, 4), sharey=True)
    ws = np.linspace(-2.5, 4, 400)
    for ax, eta in zip(axes, (0.125, 0.5), strict=True):
        ax.plot(ws, loss_nc(ws), "k-", lw=1)
        for i, w0 in enumerate(starts):
            s = runs[(w0, eta)][:15]
            ax.plot(s, loss_nc(s), "o-", ms=4, lw=0.8, color=f"C{i}", label=rf"$w_0 = {w0}$")
        ax.set_title(rf"$\eta = {eta}$, first 15 iterates")
        ax.set_xlabel(r"$w$")
        ax.legend(fontsize=8)
    axes[0].set_ylabel(r"$\mathcal{L}(w)$")
    res.figure(
        fig,
        "Gradient descent series from three starts at the lecture's two step "
        "sizes on byhand's non-convex L: start and step size pick the minimum.",
    )
    return res


# --------------------------------------------------------------------------- 110
