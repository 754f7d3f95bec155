"""Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25).

"Perceptron algorithm": the perceptron criterion E(w) = Σ max(−d⟨w, x⟩, 0), from a random
start with step γ, is SGD with m = 1 on E; it may pick any of many solutions.
"""

from __future__ import annotations

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import subplots

LECTURE = "galerne-1"


def perceptron_criterion(w: np.ndarray, X: np.ndarray, d: np.ndarray) -> float:
    """E(w) = Σ max(−d⟨w, x⟩, 0) (x with the constant component for the bias)."""
    return float(np.sum(np.maximum(-d * (X @ w), 0.0)))


def literal_perceptron(w: np.ndarray, X: np.ndarray, d: np.ndarray, gamma: float, epochs: int):
    """The slide's loop, repeated until convergence (an epoch without update) or ``epochs``:
    for all (x, d): y = sign⟨w, x⟩; if y ≠ d: w ← w + γ d x."""
    w = w.copy()
    updates = 0
    for _ in range(epochs):
        before = updates
        for x, di in zip(X, d, strict=True):
            if np.sign(w @ x) != di:
                w = w + gamma * di * x
                updates += 1
        if updates == before:
            break
    return w, updates


@experiment(
    "perceptron-criterion",
    title="The perceptron criterion from a random start with step γ",
    lecture=LECTURE,
    number=114,
    covers=[(LECTURE, "Perceptron algorithm")],
)
def perceptron_criterion_experiment(seed: int, quick: bool) -> ExperimentResult:
    from byhand import nn, optim
    from byhand.training import fit

    rng = np.random.default_rng(seed)
    X0 = rng.uniform(-2, 2, size=(300, 2))
    a = X0 @ np.array([1.0, 2.0]) - 0.5
    X0 = X0[np.abs(a) > 0.02][:200]
    d = np.where(X0 @ np.array([1.0, 2.0]) - 0.5 > 0, 1.0, -1.0)
    X = np.column_stack([np.ones(len(d)), X0])  # zero index encodes the bias
    gamma, epochs = 0.02, 30
    w0 = rng.normal(size=3)
    w_lit, updates = literal_perceptron(w0, X, d, gamma, epochs)
    lin = nn.Linear(3, 1, bias=False, dtype=np.float64)
    lin.weight.data[:, 0] = w0
    fit(
        lin,
        nn.PerceptronLoss(),
        optim.SGD(lin.parameters(), gamma),
        X,
        d,
        epochs=epochs,
        batch_size=1,
        shuffle=False,
        verbose=0,
    )
    w_sgd = lin.weight.data[:, 0]
    res = ExperimentResult()
    res.claim(
        LECTURE,
        "Perceptron algorithm",
        "the update w ← w + γdx on each misclassified sample is (stochastic) gradient descent "
        "on E(w) = Σ max(−d⟨w, x⟩, 0): from the same random start, byhand.fit with "
        "PerceptronLoss, batches of 1 and step γ ends at the same w",
        {"updates": updates, "w literal": w_lit.tolist(), "w byhand.fit": w_sgd.tolist()},
        bool(updates > 20 and np.allclose(w_lit, w_sgd, rtol=0, atol=1e-12)),
        kind="exact",
        detail=f"{len(d)} separable points, γ = {gamma}, {epochs} epochs in order, random "
        "w₀ ~ N(0, I); no sample lands on d⟨w, x⟩ = 0 exactly, where the two conventions part "
        "(next claims)",
        source="lecture",
        quote=r"Update:  $w \leftarrow w + \gamma d x$",
        lecture_value="w ← w + γdx on each misclassified sample",
        rule="byhand.fit's w equals the literal loop's to 1e-12 (absolute), with > 20 updates",
    )
    # the criterion's value: byhand's PerceptronLoss (a mean) × N against the slide's sum
    crit_lit = perceptron_criterion(w0, X, d)
    loss = nn.PerceptronLoss()
    crit_bh = loss.forward(X @ w0[:, None], d) * len(d)
    res.claim(
        LECTURE,
        "Perceptron algorithm",
        "E(w) = Σ max(−d⟨w, x⟩, 0): byhand's PerceptronLoss (a mean over the samples) times N "
        "equals the slide's sum at the random start",
        {"byhand": crit_bh, "slide's formula": crit_lit},
        bool(abs(crit_bh - crit_lit) <= 1e-12 * max(1.0, crit_lit)),
        kind="exact",
        target=crit_lit,
        detail=f"w₀ of the first claim, {len(d)} samples",
        source="lecture",
        quote=r"\sum_{(\mathbf{x}, d) \in \mathcal{T}} \max(-d \times \langle \mathbf{w}, "
        r"\mathbf{x} \rangle, 0)",
        lecture_value="E(w) = Σ max(−d⟨w, x⟩, 0)",
        rule="|N·PerceptronLoss − E(w)| ≤ 1e-12·max(1, E)",
    )
    # the convention at the kink t = −d⟨w, x⟩ = 0: the slide takes max(0, t)' = 0 at t ≤ 0
    probe = nn.PerceptronLoss()
    probe.forward(np.zeros((1, 1)), np.array([1.0]))
    slope = float(-probe.backward()[0, 0])  # d max(0, t)/dt at t = 0, t = −d·z with d = +1
    res.claim(
        LECTURE,
        "Perceptron algorithm",
        "at t = 0 the slide takes max(0, t)' = 0 (no update when d⟨w, x⟩ = 0); byhand's "
        "PerceptronLoss takes 1 there (an update), the convention of the slide's own loop "
        "(sign⟨w, x⟩ = 0 ≠ d updates) and of CS 577's perceptron",
        slope,
        slope == 0.0,
        kind="exact",
        target=0.0,
        detail="byhand's PerceptronLoss gradient at z = 0, d = +1, as dmax(0, t)/dt",
        source="lecture",
        quote=r"We assume that  $\max(0, t)$  is derivable with derivative 1 if  $t > 0$ , 0 "
        r"if  $t \leq 0$ .",
        lecture_value=0,
        rule="byhand's derivative at t = 0 equals the slide's 0",
        differs="a convention: byhand's PerceptronLoss is the hinge max(0, margin − yz) with "
        "margin 0 and subgradient −y at yz ≤ margin, so that SGD on it updates exactly when "
        "the perceptron rule does (y·z ≤ 0), as the slide's loop 'if sign⟨w, x⟩ ≠ d' does at "
        "⟨w, x⟩ = 0; the slide's derivative convention would skip that update",
    )
    # a wider gap (points farther than 0.5 from the line) leaves room for many separators
    far = np.abs(X0 @ np.array([1.0, 2.0]) - 0.5) > 0.5
    finals, crit = [], []
    for _ in range(5):
        w_r, _u = literal_perceptron(rng.normal(size=3) * 2, X[far], d[far], 0.1, 500)
        finals.append(w_r)
        crit.append(perceptron_criterion(w_r, X[far], d[far]))
    angles = [np.degrees(np.arctan2(w[2], w[1])) for w in finals]
    res.claim(
        LECTURE,
        "Perceptron algorithm",
        "it converges (E(w) = 0) on linearly separable data, but may pick any of many "
        "solutions: five random starts end at five different separators",
        {"E(w) at the ends": crit, "boundary normal angles (deg)": angles},
        bool(max(crit) == 0.0 and np.ptp(angles) > 2.0),
        kind="qualitative",
        target="E = 0 and normals spread by > 2°",
        detail=f"the {int(far.sum())} points farther than 0.5 from the line x₁ + 2x₂ = 0.5; "
        "γ = 0.1, w₀ ~ N(0, 4I), until an epoch without update",
        source="lecture",
        quote="But may pick any of many solutions of varying quality.",
        rule="E(w) = 0 at every end and the normals' angles spread > 2° (threshold byhand's)",
    )
    fig, ax = subplots(figsize=(6.2, 4.0))
    for lab, col in ((-1, "#3b4cc0"), (1, "#b40426")):
        m = far & (d == lab)
        ax.scatter(X0[m, 0], X0[m, 1], color=col, s=8, label=f"d = {lab:+d}".replace("-", "−"))
    xs = np.linspace(-2, 2, 10)
    for i, w in enumerate(finals):
        ax.plot(xs, -(w[0] + w[1] * xs) / w[2], lw=1, color=f"C{i}", label=f"start {i + 1}")
    ax.set_ylim(-2, 2)
    ax.set_xlabel(r"$x_1$")
    ax.set_ylabel(r"$x_2$")
    ax.set_title(r"perceptron criterion $E(w) = 0$ from five random $w_0$")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)
    res.figure(fig, "Five random starts, five separating lines: E(w) = 0 for each.")
    return res


# --------------------------------------------------------------------------- 115
