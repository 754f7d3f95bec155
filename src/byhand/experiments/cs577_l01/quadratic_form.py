"""CS 577 Lecture 01: the squared loss, the expansion of J(θ) and the gradient identities.

"Loss and risk": L(ŷ, y) = (ŷ − y)², J(θ) = (1/N) Σ L — byhand's :class:`~byhand.nn.MSELoss`.

"Linear regression (1-dimensional samples)": N·J(θ) = ‖y − X̃θ‖² = yᵀy − 2yᵀX̃θ + θᵀX̃ᵀX̃θ
(Step 1, with ‖a − b‖² = aᵀa − 2aᵀb + bᵀb), then ∇θ θᵀb = b and ∇θ θᵀMθ = 2Mθ give
∇J(θ) = −2X̃ᵀy + 2X̃ᵀX̃θ. byhand's :class:`~byhand.nn.Linear` + :class:`~byhand.nn.MSELoss`
(forward and backward) are checked against the slide's expansion and gradient; the identity
∇θ θᵀMθ = 2Mθ is checked by central differences, and shown to hold only for symmetric M
((M + Mᵀ)θ in general) — X̃ᵀX̃ is symmetric, which is why the slide may use it.
"""

from __future__ import annotations

import numpy as np

from byhand import nn
from byhand.datasets import lecture01_regression
from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import PALETTE, subplots

LECTURE = "cs577-01"
SLIDE = "Linear regression (1-dimensional samples)"


def byhand_value_and_gradient(X: np.ndarray, y: np.ndarray, theta: np.ndarray):
    """N·J(θ) and N·∇J(θ) from byhand's Linear(1, 1) + MSELoss, θ = [w, b]."""
    lin = nn.Linear(1, 1, dtype=np.float64)
    lin.weight.data[...] = theta[0]
    lin.bias.data[...] = theta[1]
    loss = nn.MSELoss()
    J = loss.forward(lin(X), y)
    lin.zero_grad()
    lin.backward(loss.backward())
    grad = np.array([lin.weight.grad.item(), lin.bias.grad.item()])
    n = len(y)
    return n * J, n * grad


def numeric_gradient(f, theta: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of a scalar function of a vector."""
    g = np.empty_like(theta)
    for i in range(len(theta)):
        e = np.zeros_like(theta)
        e[i] = eps
        g[i] = (f(theta + e) - f(theta - e)) / (2 * eps)
    return g


@experiment(
    "regression-identities",
    title="J(θ) expanded and ∇θ θᵀMθ = 2Mθ (symmetric M) on the N = 3 example",
    lecture=LECTURE,
    number=201,
    covers=[
        (LECTURE, SLIDE, "expansion"),
        (LECTURE, SLIDE, "gradient identities"),
        (LECTURE, "Loss and risk"),
    ],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    """byhand's loss and gradient against the slide's expansion, at random θ."""
    rng = np.random.default_rng(seed)
    X, y = lecture01_regression()
    Xt = np.hstack([X, np.ones_like(X)])
    trials = 20 if quick else 200
    thetas = rng.normal(scale=3.0, size=(trials, 2))
    exp_err = grad_err = 0.0
    for theta in thetas:
        NJ, Ng = byhand_value_and_gradient(X, y, theta)
        expansion = y @ y - 2 * y @ Xt @ theta + theta @ Xt.T @ Xt @ theta
        slide_grad = -2 * Xt.T @ y + 2 * Xt.T @ Xt @ theta
        exp_err = max(exp_err, abs(NJ - expansion) / max(1.0, abs(expansion)))
        grad_err = max(grad_err, float(np.max(np.abs(Ng - slide_grad))))
    res = ExperimentResult()
    yhat, truth = rng.normal(size=trials), rng.normal(size=trials)
    erm = sum((a - b) ** 2 for a, b in zip(yhat, truth, strict=True)) / trials
    risk_err = abs(nn.MSELoss().forward(yhat, truth) - erm)
    res.claim(
        LECTURE,
        "Loss and risk",
        "L(ŷ, y) = (ŷ − y)² and J(θ) = (1/N) Σ L(f(x_i; θ), y_i): byhand's MSELoss is this average",
        float(risk_err),
        risk_err < 1e-12,
        kind="exact",
        lecture_value="J(θ) = (1/N) Σᵢ (ŷᵢ − yᵢ)²",
        rule="|byhand's MSELoss − the lecture's average (a literal sum)| < 1e-12",
        detail=f"|MSELoss(ŷ, y) − (1/N) Σ (ŷ_i − y_i)²| (a literal sum) on {trials} random pairs",
        source="lecture",
        quote=r"$$L(\hat{y}, y) = (\hat{y} - y)^2$$",
    )
    res.claim(
        LECTURE,
        SLIDE,
        "N·J(θ) = ‖y − X̃θ‖² = yᵀy − 2yᵀX̃θ + θᵀX̃ᵀX̃θ: byhand's N·MSELoss(Linear(x), y) equals "
        "the slide's expansion",
        exp_err,
        exp_err < 1e-12,
        kind="exact",
        lecture_value="N·J(θ) = yᵀy − 2yᵀX̃θ + θᵀX̃ᵀX̃θ",
        rule="relative |byhand's N·MSELoss − the lecture's expansion| < 1e-12",
        detail=f"max relative |N·MSELoss − expansion|, {trials} random θ, data (1,2), (2,3), (3,1)",
        source="lecture",
        quote=r"= \vec{y}^T \vec{y} - 2 \vec{y}^T \tilde{X} \theta + \theta^T \tilde{X}^T "
        r"\tilde{X} \theta",
    )
    res.claim(
        LECTURE,
        SLIDE,
        "∇θ J = −2X̃ᵀy + 2X̃ᵀX̃θ: byhand's backward through MSELoss and Linear (times N) equals "
        "the slide's gradient",
        grad_err,
        grad_err < 1e-10,
        kind="exact",
        lecture_value="∇θ J = −2X̃ᵀy + 2X̃ᵀX̃θ",
        rule="max |byhand's gradient × N − the lecture's expression| < 1e-10",
        detail=f"max |N·(∂J/∂w, ∂J/∂b) from byhand − (−2X̃ᵀy + 2X̃ᵀX̃θ)| over {trials} random θ",
        source="lecture",
        quote=r"$$\nabla_{\theta} J(\theta) = 0 \left(\begin{array}{l} -2 \tilde{X}^T \vec{y} \\ "
        r"+ 2 \tilde{X}^T \tilde{X} \theta \end{array} \right)$$",
    )
    # the identities themselves: which M
    d = 4
    sym_err = nonsym_gap = general_err = lin_err = 0.0
    for _ in range(trials):
        A = rng.normal(size=(d, d))
        S = A + A.T
        theta = rng.normal(size=d)
        b = rng.normal(size=d)
        num_s = numeric_gradient(lambda t, S=S: t @ S @ t, theta)
        sym_err = max(sym_err, float(np.max(np.abs(num_s - 2 * S @ theta))))
        num = numeric_gradient(lambda t, A=A: t @ A @ t, theta)
        nonsym_gap = max(nonsym_gap, float(np.max(np.abs(num - 2 * A @ theta))))
        general_err = max(general_err, float(np.max(np.abs(num - (A + A.T) @ theta))))
        num_b = numeric_gradient(lambda t, b=b: t @ b, theta)
        lin_err = max(lin_err, float(np.max(np.abs(num_b - b))))
    res.claim(
        LECTURE,
        SLIDE,
        "∇θ θᵀMθ = 2Mθ holds for symmetric M (such as X̃ᵀX̃) and ∇θ θᵀb = b",
        {"symmetric M": sym_err, "θᵀb": lin_err},
        bool(sym_err < 1e-6 and lin_err < 1e-6),
        kind="exact",
        detail=f"central differences, {trials} random symmetric M = A + Aᵀ (4 × 4), θ, b",
        rule=(
            "max |central-difference gradient − 2Mθ| (symmetric M) and max |gradient of θᵀb − b| "
            "both < 1e-6"
        ),
        source="lecture",
        quote=r"$$\nabla_{\theta} \theta^T M \theta = 2M\theta$$",
    )
    res.claim(
        LECTURE,
        SLIDE,
        "for a non-symmetric M the gradient is (M + Mᵀ)θ, not 2Mθ",
        {"|num − (M + Mᵀ)θ|": general_err, "|num − 2Mθ|": nonsym_gap},
        bool(general_err < 1e-6 and nonsym_gap > 1e-2),
        kind="exact",
        detail="central differences on random non-symmetric M (4 × 4)",
        rule="max |central-difference gradient − (M + Mᵀ)θ| < 1e-6 while 2Mθ misses it by > 1e-2",
        source="derived",
        derived_from="∂/∂θ_i Σ_jk θ_j M_jk θ_k = Σ_k M_ik θ_k + Σ_j θ_j M_ji = ((M + Mᵀ)θ)_i",
    )
    ws = np.linspace(-3, 2, 60)
    fig, ax = subplots(figsize=(6, 3.8))
    slide_J = [
        (
            y @ y
            - 2 * y @ Xt @ np.array([w, 3.0])
            + np.array([w, 3.0]) @ Xt.T @ Xt @ np.array([w, 3.0])
        )
        for w in ws
    ]
    ours = [byhand_value_and_gradient(X, y, np.array([w, 3.0]))[0] for w in ws]
    ax.plot(ws, slide_J, color=PALETTE[0], lw=3, alpha=0.5, label="yᵀy − 2yᵀX̃θ + θᵀX̃ᵀX̃θ")
    ax.plot(ws, ours, "--", color=PALETTE[1], label="N · byhand MSELoss")
    ax.axvline(-0.5, color="k", lw=0.6)
    ax.set_xlabel("w (b = 3)")
    ax.set_ylabel("N·J(θ)")
    ax.legend(fontsize=8)
    res.figure(
        fig,
        "N·J along w at b = 3: the slide's expansion and byhand's loss coincide; "
        "the minimum is at w = −0.5.",
    )
    return res
