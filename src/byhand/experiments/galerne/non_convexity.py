"""Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25).

"Non convexity in machine learning": the cost of a network is not convex.
"""

from __future__ import annotations

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import subplots

LECTURE = "galerne-1"
#: how far experiment 119 shifts the hidden units (a relabelling of the same network)
SHIFT = 1


@experiment(
    "non-convexity",
    title="The cost of a neural network is not convex",
    lecture=LECTURE,
    number=119,
    covers=[(LECTURE, "Non convexity in machine learning")],
)
def non_convexity(seed: int, quick: bool) -> ExperimentResult:
    from byhand import nn, optim
    from byhand.datasets import make_moons
    from byhand.training import fit

    X, y = make_moons(200, noise=0.1, random_state=seed, signed=True)
    l1 = nn.Linear(2, 8, random_state=seed, dtype=np.float64)
    l2 = nn.Linear(8, 1, random_state=seed + 1, dtype=np.float64)
    net = nn.Sequential(l1, nn.Tanh(), l2)
    fit(
        net,
        nn.LogisticLoss(),
        optim.SGD(net.parameters(), 0.1, momentum=0.9),
        X,
        y,
        epochs=150,
        batch_size=20,
        verbose=0,
        random_state=seed,
    )
    theta = [p.data.copy() for p in (l1.weight, l1.bias, l2.weight, l2.bias)]
    perm = np.roll(np.arange(8), SHIFT)  # relabel the hidden units: the same function
    theta_p = [theta[0][:, perm], theta[1][perm], theta[2][perm], theta[3]]

    def cost(params) -> float:
        for p, v in zip((l1.weight, l1.bias, l2.weight, l2.bias), params, strict=True):
            p.data = v.copy()
        return float(nn.LogisticLoss().forward(net(X), y))

    ts = np.linspace(0, 1, 41)
    line = [cost([(1 - t) * a + t * b for a, b in zip(theta, theta_p, strict=True)]) for t in ts]
    j0, j1, jm = line[0], line[-1], line[20]
    res = ExperimentResult()
    res.claim(
        LECTURE,
        "Non convexity in machine learning",
        "for a neural network the cost is not convex: a trained net and the same net with its "
        "hidden units relabelled have the same cost, but the midpoint of the two weight "
        "vectors costs more (a convex cost would give at most the average)",
        {"J(θ)": j0, "J(πθ)": j1, "J((θ + πθ)/2)": jm},
        bool(abs(j0 - j1) < 1e-12 and jm > 0.5 * (j0 + j1) + 0.01),
        kind="qualitative",
        detail="1 hidden layer of 8 tanh units on two moons (200 points), logistic loss; π "
        "shifts the hidden units by one place",
        source="lecture",
        quote="But for neural network the cost is **not convex**...",
        rule="equal costs at the two weight sets (1e-12) and the midpoint's cost > their mean + "
        "0.01",
    )
    fig, ax = subplots()
    ax.plot(ts, line, "o-", ms=3)
    ax.plot([0, 1], [j0, j1], "k--", lw=0.8, label="chord (bound for a convex cost)")
    ax.set_xlabel(r"$t$ in $(1 - t)\,\theta + t\,\pi\theta$")
    ax.set_ylabel(r"training cost $J$")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    res.figure(
        fig, "The cost along the segment between two equivalent minima rises above the chord."
    )
    return res
