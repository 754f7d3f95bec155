"""EE-559 Deep learning 3.1–3.6 (Fleuret, EPFL, 2019): the pieces the first experiments left out.

- 107 §3.1: the perceptron algorithm's iterations on 2-D data (the lecture's
  ``train_perceptron`` loop against :class:`byhand.Perceptron`) and the hinge loss pushing each
  sample beyond the plane w·x + b = yₙ.
- 108 §3.2: logistic regression as a MAP estimate: with a Gaussian prior on w, the
  log-posterior is the L2-regularised logistic loss; byhand's optimum against SciPy's.
- 109 §3.5: the local quadratic model L̃_{w₀} and its minimiser w₀ − η∇L(w₀); gradient descent
  series at η = 0.125 and η = 0.5 on a non-convex function byhand chose (the transcript lost
  the lecture's), where w₀ and η decide the local minimum.
- 110 §3.6: the L-layer forward/backward formulas, literally, against byhand's backward and
  central differences for depths 1 … 6.
"""

from __future__ import annotations

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import PALETTE, decision_regions, subplots

LECTURE = "ee559-3"
S31 = "3.1. The perceptron"
S32 = "3.2. Probabilistic view of a linear classifier"
S35 = "3.5. Gradient descent"
S36 = "3.6. Back-propagation"


# --------------------------------------------------------------------------- 107


def train_perceptron(x: np.ndarray, y: np.ndarray, nb_epochs_max: int):
    """The lecture's loop, line by line: w = 0; per epoch, for each i, if x[i]·w·y[i] <= 0
    then w = w + y[i] x[i]; stop after an epoch without change. Returns w and the changes."""
    w = np.zeros(x.shape[1])
    changes = []
    for _ in range(nb_epochs_max):
        nb_changes = 0
        for i in range(x.shape[0]):
            if x[i].dot(w) * y[i] <= 0:
                w = w + y[i] * x[i]
                nb_changes = nb_changes + 1
        changes.append(nb_changes)
        if nb_changes == 0:
            break
    return w, changes


def _label_classes(ax) -> None:
    """Name the ±1 class scatters of :func:`byhand.plotting.decision_regions` "y = ±1"."""
    for coll in ax.collections:
        label = coll.get_label()
        if label.startswith("_"):
            continue
        try:
            coll.set_label(f"y = {int(float(label)):+d}".replace("-", "−"))
        except ValueError:
            pass


@experiment(
    "perceptron-2d-hinge",
    title="The perceptron's iterations in 2-D and the hinge loss",
    lecture=LECTURE,
    number=107,
    covers=[(LECTURE, S31, "2-D iterations")],
)
def perceptron_2d_hinge(seed: int, quick: bool) -> ExperimentResult:
    from byhand.linear_model import Perceptron

    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 4, size=(400, 2))
    a = X[:, 0] + 0.5 * X[:, 1] - 3.0  # separable by a line that misses the origin
    X = X[np.abs(a) > 0.03][:200]
    y = np.where(X[:, 0] + 0.5 * X[:, 1] - 3.0 > 0, 1.0, -1.0)
    Xb = np.column_stack([X, np.ones(len(X))])  # "adding a constant component to x equal to 1"
    w_lit, changes_lit = train_perceptron(Xb, y, 1000)
    per = Perceptron(fit_intercept=True, max_iter=1000).fit(X, y)
    w_bh = np.r_[per.coef_.ravel(), per.intercept_]
    res = ExperimentResult()
    same = bool(np.array_equal(w_lit, w_bh) and list(per.mistakes_) == changes_lit)
    res.claim(
        LECTURE,
        S31,
        "the perceptron algorithm on 2-D data: byhand's Perceptron makes the same updates per "
        "epoch and ends at the same w as the lecture's train_perceptron loop, and separates "
        "the data",
        {
            "changes per epoch": changes_lit,
            "w": w_lit.tolist(),
            "train error": float(np.mean(per.predict(X) != y)),
        },
        bool(same and changes_lit[-1] == 0 and np.all(np.sign(Xb @ w_lit) == y)),
        kind="exact",
        detail=f"{len(y)} 2-D points in [0, 4]², y = sign(x₁ + x₂/2 − 3), none within 0.03 "
        "of the line; bias as a constant component 1 of x",
        source="lecture",
        quote=r"while  $\exists n_k$  s.t.  $y_{n_k} (w^k \cdot x_{n_k}) \leq 0$ , update  "
        r"$w^{k+1} = w^k + y_{n_k} x_{n_k}$",
    )
    from byhand import nn, optim
    from byhand.training import fit

    far = np.abs(X[:, 0] + 0.5 * X[:, 1] - 3.0) > 0.3  # a wider margin: fewer epochs needed
    X2, y2 = X[far], y[far]
    w2, _ = train_perceptron(np.column_stack([X2, np.ones(len(y2))]), y2, 1000)
    w2 = w2 * (0.2 / np.min(y2 * (X2 @ w2[:2] + w2[2])))  # the closest sample at y f = 0.2
    lin = nn.Linear(2, 1, dtype=np.float64)
    lin.weight.data[:, 0], lin.bias.data[:] = w2[:2], w2[2]
    before = y2 * (X2 @ w2[:2] + w2[2])
    hist = fit(
        lin,
        nn.HingeLoss(),
        optim.SGD(lin.parameters(), 0.5),
        X2,
        y2,
        epochs=3000,
        batch_size=None,
        verbose=0,
    )
    margins = y2 * lin(X2).ravel()
    res.claim(
        LECTURE,
        S31,
        "minimising the hinge loss max(0, 1 − yₙ(w·xₙ + b)) pushes each sample beyond the "
        "plane w·x + b = yₙ: started from the perceptron's boundary (w scaled so that the "
        "closest sample has yₙf(xₙ) = 0.2), "
        "gradient descent on it ends with every yₙ f(xₙ) ≥ 1 and a zero loss",
        {
            "min y f(x), perceptron's w": float(before.min()),
            "min y f(x) after": float(margins.min()),
            "final hinge loss": float(hist.loss[-1]),
        },
        bool(before.min() < 1 and margins.min() >= 1 and hist.loss[-1] == 0.0),
        kind="exact",
        detail=f"the {len(y2)} points farther than 0.3 from the line x₁ + x₂/2 = 3; byhand.fit, "
        "full-batch (sub)gradient descent, ε = 0.5, up to 3000 epochs (stopped 20 epochs after "
        "the last improvement), nn.HingeLoss on "
        "nn.Linear(2, 1); no ‖w‖² term, so the loss can reach 0",
        source="lecture",
        quote=r"Minimizing  $\max(0, 1 - y_n(w \cdot x_n + b))$  pushes the  $n$ th sample "
        r"beyond the plane  $w \cdot x + b = y_n$",
    )

    fig, axes = subplots(1, 2, figsize=(10, 4))
    decision_regions(per, X, y, ax=axes[0], title="perceptron (stops at the first separator)")
    xs = np.linspace(X[:, 0].min(), X[:, 0].max(), 10)
    w, b = lin.weight.data[:, 0], float(lin.bias.data[0])
    _label_classes(axes[0])
    # the same colours as decision_regions: classes in sorted order, −1 → PALETTE[0], +1 → [1]
    for lab, mk, col in ((-1, "s", PALETTE[0]), (1, "o", PALETTE[1])):
        axes[1].scatter(
            X2[y2 == lab, 0],
            X2[y2 == lab, 1],
            s=8,
            marker=mk,
            color=col,
            label=f"y = {lab:+d}".replace("-", "−"),
        )
    axes[1].plot(xs, (-b - w[0] * xs) / w[1], "k-", lw=1.2)
    axes[1].set_ylim(X[:, 1].min() - 0.2, X[:, 1].max() + 0.2)
    axes[1].set_title("after gradient descent on the hinge loss")
    if abs(w[1]) > 1e-12:
        for lvl in (-1, 1):
            axes[1].plot(
                xs,
                (lvl - b - w[0] * xs) / w[1],
                "k--",
                lw=0.8,
                label=r"$w \cdot x + b = \pm 1$" if lvl == 1 else None,
            )
    axes[1].plot([], [], "k-", lw=1.2, label=r"$w \cdot x + b = 0$")
    for ax in axes:
        ax.set_xlabel(r"$x_1$")
        ax.set_ylabel(r"$x_2$")
        ax.legend(fontsize=8, loc="upper right", framealpha=0.9)
    res.figure(
        fig,
        "Left: the perceptron's boundary after its last update. Right: after "
        "gradient descent on the hinge loss, with the planes w·x + b = ±1 (dashed).",
    )
    res.table(
        "Perceptron updates per epoch (the lecture's nb_changes)",
        ["epoch", "nb_changes"],
        [[e, c] for e, c in enumerate(changes_lit)],
    )
    return res


# --------------------------------------------------------------------------- 108


def neg_log_posterior(theta: np.ndarray, X: np.ndarray, y: np.ndarray, s: float) -> float:
    """−[Σ log σ(yₙ(w·xₙ + b)) − ‖w‖²/(2s²)], w ~ N(0, s²I), flat prior on b (constants
    dropped). Stable: −log σ(a) = log(1 + e^{−a}) = logaddexp(0, −a)."""
    w, b = theta[:-1], theta[-1]
    return float(np.sum(np.logaddexp(0.0, -y * (X @ w + b))) + w @ w / (2 * s * s))


def byhand_objective(theta: np.ndarray, X: np.ndarray, y: np.ndarray, alpha: float) -> float:
    """(1/N) Σ log(1 + e^{−yz}) + α‖w‖² with byhand's nn.LogisticLoss."""
    from byhand import nn

    z = X @ theta[:-1] + theta[-1]
    return float(nn.LogisticLoss().forward(z, y)) + alpha * float(theta[:-1] @ theta[:-1])


@experiment(
    "logistic-map",
    title="Logistic regression as MAP with a Gaussian prior = L2-regularised logistic loss",
    lecture=LECTURE,
    number=108,
    covers=[(LECTURE, S32, "MAP")],
)
def logistic_map(seed: int, quick: bool) -> ExperimentResult:
    from scipy.optimize import minimize

    from byhand.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    n, s = 60, 0.5
    X = np.vstack(
        [
            rng.normal([-0.5, 0], 1.0, size=(n // 2, 2)),
            rng.normal([0.5, 0.5], 1.0, size=(n // 2, 2)),
        ]
    )
    y = np.r_[-np.ones(n // 2), np.ones(n // 2)]
    alpha = 1.0 / (2 * s * s * n)
    thetas = rng.normal(size=(20, 3)) * 2
    gaps = [neg_log_posterior(t, X, y, s) - n * byhand_objective(t, X, y, alpha) for t in thetas]
    spread = float(np.ptp(gaps))
    res = ExperimentResult()
    res.claim(
        LECTURE,
        S32,
        "with a Gaussian prior w ~ N(0, s²I), −log μ(w, b | D) = Σ log(1 + e^{−yₙ(w·xₙ+b)}) + "
        "‖w‖²/(2s²) + const: N × byhand's L2-regularised logistic objective with α = 1/(2s²N)",
        {"spread of the difference over 20 random (w, b)": spread},
        spread < 1e-9,
        kind="exact",
        target="< 1e-9 (a constant)",
        source="derived",
        derived_from="the slide's log μ(w, b | D) = Σ log σ(yₙ(w·xₙ + b)) + log μ(w, b) − log Z' "
        "with log μ(w) = −‖w‖²/(2s²) + const",
    )
    opt = minimize(
        neg_log_posterior, np.zeros(3), args=(X, y, s), method="BFGS", options={"gtol": 1e-10}
    )
    lr = LogisticRegression(alpha=alpha, tol=1e-12, max_iter=100).fit(X, y)
    theta_bh = np.r_[lr.coef_.ravel(), lr.intercept_]
    mle = LogisticRegression(alpha=0.0, tol=1e-12, max_iter=100).fit(X, y)
    diff = float(np.max(np.abs(theta_bh - opt.x)))
    res.claim(
        LECTURE,
        S32,
        "the MAP estimate: byhand's LogisticRegression(α = 1/(2s²N)) maximises the "
        "log-posterior; its (w, b) equals SciPy's BFGS maximiser",
        {"byhand": theta_bh.tolist(), "scipy": opt.x.tolist(), "max |difference|": diff},
        diff < 1e-5,
        kind="numeric",
        target="< 1e-5",
        detail=f"N = {n} points from two Gaussians, prior s = {s}; BFGS gtol 1e-10 (its "
        "own accuracy ~1e-6 limits the tolerance)",
        source="derived",
        derived_from="the maximiser of the log-posterior of §3.2 with a Gaussian prior",
    )
    res.claim(
        LECTURE,
        S32,
        "the prior shrinks w: the MAP ‖w‖ is smaller than the maximum-likelihood ‖w‖",
        {"MAP |w|": float(np.linalg.norm(lr.coef_)), "ML |w|": float(np.linalg.norm(mle.coef_))},
        bool(np.linalg.norm(lr.coef_) < np.linalg.norm(mle.coef_)),
        kind="qualitative",
        source="derived",
        derived_from="the extra term ‖w‖²/(2s²) in the negative log-posterior",
    )
    fig, ax = subplots()
    decision_regions(lr, X, y, ax=ax, title=rf"MAP logistic regression, $s = {s}$")
    xs = np.linspace(X[:, 0].min(), X[:, 0].max(), 10)
    for th, st, lab in (
        (opt.x, "k--", "SciPy MAP"),
        (np.r_[mle.coef_.ravel(), mle.intercept_], "g:", "maximum likelihood"),
    ):
        ax.plot(xs, -(th[2] + th[0] * xs) / th[1], st, lw=1.2, label=lab)
    _label_classes(ax)
    ax.plot([], [], "k-", lw=1.2, label="byhand MAP")
    ax.set_xlabel(r"$x_1$")
    ax.set_ylabel(r"$x_2$")
    ax.legend(fontsize=8)
    res.figure(
        fig,
        "byhand's MAP boundary (solid) on SciPy's (dashed), beside the maximum-"
        "likelihood boundary (dotted).",
    )
    return res


# --------------------------------------------------------------------------- 109


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


def sigma(s: np.ndarray) -> np.ndarray:
    return np.tanh(s)


def sigma_prime(s: np.ndarray) -> np.ndarray:
    return 1.0 - np.tanh(s) ** 2


def lecture_backward(ws, bs, x, dl_dxL):
    """The lecture's forward and backward passes for one sample, as written:
    s⁽ˡ⁾ = w⁽ˡ⁾x⁽ˡ⁻¹⁾ + b⁽ˡ⁾, x⁽ˡ⁾ = σ(s⁽ˡ⁾); [∂ℓ/∂s⁽ˡ⁾] = [∂ℓ/∂x⁽ˡ⁾] ⊙ σ'(s⁽ˡ⁾),
    [∂ℓ/∂x⁽ˡ⁻¹⁾] = (w⁽ˡ⁾)ᵀ[∂ℓ/∂s⁽ˡ⁾], [∂ℓ/∂w⁽ˡ⁾] = [∂ℓ/∂s⁽ˡ⁾](x⁽ˡ⁻¹⁾)ᵀ, [∂ℓ/∂b⁽ˡ⁾] = [∂ℓ/∂s⁽ˡ⁾].
    ``dl_dxL`` maps x⁽ᴸ⁾ to ∂ℓ/∂x⁽ᴸ⁾. Returns (dws, dbs, ∂ℓ/∂x⁽⁰⁾)."""
    xs, ss = [x], []
    for w, b in zip(ws, bs, strict=True):
        ss.append(w @ xs[-1] + b)
        xs.append(sigma(ss[-1]))
    dx = dl_dxL(xs[-1])
    dws, dbs = [None] * len(ws), [None] * len(ws)
    for l in reversed(range(len(ws))):
        ds = dx * sigma_prime(ss[l])
        dws[l], dbs[l] = np.outer(ds, xs[l]), ds
        dx = ws[l].T @ ds
    return dws, dbs, dx


@experiment(
    "backward-depths",
    title="Back-propagation in tensorial form, checked for depths L = 1 … 6",
    lecture=LECTURE,
    number=110,
    covers=[(LECTURE, S36, "L layers")],
)
def backward_depths(seed: int, quick: bool) -> ExperimentResult:
    from byhand import gradcheck, nn
    from byhand.gradcheck import GradcheckError

    rng = np.random.default_rng(seed)
    rows, worst_lit, worst_gc = [], 0.0, 0.0
    for depth in range(1, 7):
        widths = [3] + [int(v) for v in rng.integers(2, 6, size=depth)]
        lins = [
            nn.Linear(widths[i], widths[i + 1], random_state=seed + i, dtype=np.float64)
            for i in range(depth)
        ]
        for lin in lins:
            lin.bias.data[:] = rng.normal(size=lin.bias.data.shape) * 0.5
        mods = []
        for lin in lins:
            mods += [lin, nn.Tanh()]
        net = nn.Sequential(*mods)
        x = rng.normal(size=(1, 3))
        target = rng.normal(size=(1, widths[-1]))
        # ℓ = ½‖x⁽ᴸ⁾ − target‖², so ∂ℓ/∂x⁽ᴸ⁾ = x⁽ᴸ⁾ − target
        net.zero_grad()
        out = net(x)
        gx = net.backward(out - target)
        ws = [lin.weight.data.T for lin in lins]  # the lecture's w⁽ˡ⁾ is (out, in)
        bs = [lin.bias.data for lin in lins]
        dws, dbs, dx = lecture_backward(ws, bs, x[0], lambda xl, t=target[0]: xl - t)
        err = max(
            [
                float(np.max(np.abs(dw.T - lin.weight.grad)))
                for dw, lin in zip(dws, lins, strict=True)
            ]
            + [float(np.max(np.abs(db - lin.bias.grad))) for db, lin in zip(dbs, lins, strict=True)]
            + [float(np.max(np.abs(dx - gx[0])))]
        )
        worst_lit = max(worst_lit, err)
        try:
            rel = gradcheck(net, rng.normal(size=(4, 3)))
        except GradcheckError:  # a wrong backward: the claim fails (value inf), no error
            rel = float("inf")
        worst_gc = max(worst_gc, rel)
        rows.append([depth, " → ".join(map(str, widths)), f"{err:.1e}", f"{rel:.1e}"])
    res = ExperimentResult()
    res.claim(
        LECTURE,
        S36,
        "the backward pass [∂ℓ/∂s⁽ˡ⁾] = [∂ℓ/∂x⁽ˡ⁾] ⊙ σ'(s⁽ˡ⁾), [∂ℓ/∂x⁽ˡ⁻¹⁾] = (w⁽ˡ⁾)ᵀ[∂ℓ/∂s⁽ˡ⁾], "
        "[∂ℓ/∂w⁽ˡ⁾] = [∂ℓ/∂s⁽ˡ⁾](x⁽ˡ⁻¹⁾)ᵀ, written literally, equals byhand's Sequential "
        "backward at every depth L = 1 … 6",
        worst_lit,
        worst_lit < 1e-12,
        kind="exact",
        target="< 1e-12",
        detail="tanh MLPs of random widths 2–5, ℓ = ½‖x⁽ᴸ⁾ − t‖², one sample, float64",
        source="lecture",
        quote=r"\left[ \frac{\partial \ell}{\partial w^{(l)}} \right] = \left[ \frac{\partial "
        r"\ell}{\partial s^{(l)}} \right] (x^{(l-1)})^T",
    )
    res.claim(
        LECTURE,
        S36,
        "and both equal central differences: byhand.gradcheck on the Sequential of depth "
        "1 … 6 (all weights, biases and the input)",
        worst_gc,
        worst_gc < 1e-6,
        kind="numeric",
        target="< 1e-6",
        detail="gradcheck's central differences (h = 1e-6) on a batch of 4 inputs",
        source="derived",
        derived_from="the chain rule the lecture applies; the tolerance is the central "
        "differences' O(h²) truncation plus rounding",
    )
    res.table("Depth by depth", ["L", "widths", "literal vs byhand", "gradcheck rel. error"], rows)
    fig, ax = subplots()
    floor = 1e-18  # a log axis cannot show 0: exact agreement is drawn at the floor
    literal = [float(r[2]) for r in rows]
    ax.semilogy(
        [r[0] for r in rows],
        [max(v, floor) for v in literal],
        "o-",
        label="lecture's formulas vs byhand"
        + (r" (all 0, drawn at $10^{-18}$)" if max(literal) == 0 else ""),
    )
    ax.semilogy(
        [r[0] for r in rows],
        [float(r[3]) for r in rows],
        "s-",
        label="byhand vs central differences",
    )
    ax.set_xlabel(r"depth $L$")
    ax.set_ylabel("max error")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    res.figure(
        fig,
        "Gradient agreement by depth (the literal comparison: largest difference "
        f"{max(literal):.1e}; central differences carry O(h²) error).",
    )
    return res
