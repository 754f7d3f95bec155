"""CS 577 Lecture 01's SGD with m = 1 on the N = 3 example, samples in order, ε ≡ 0.1.

"SGD on our example ε_k ≡ 0.1 (100 iterations)": minibatch m = 1 (full batch = 3), the samples
visited {x₁, x₂, x₃}{x₁, x₂, x₃}… ("no shuffled"); the step ε = 0.1 "worked okay for GD". byhand's
:func:`~byhand.fit` with ``batch_size=1, shuffle=False`` is checked against a literal loop of the
slide's SGD, and the run is compared with full-batch GD at the same ε: GD converges to θ*, SGD
with a constant step ends on a cycle away from θ* (the next slide decays ε_k).
"""

from __future__ import annotations

import numpy as np

from byhand import nn, optim
from byhand.datasets import lecture01_regression
from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import PALETTE, subplots
from byhand.training import fit

LECTURE = "cs577-01"
SLIDE = "SGD on our example"
THETA_STAR = np.array([-0.5, 3.0])


def byhand_run(X, y, lr: float, epochs: int, batch_size: int | None) -> np.ndarray:
    """θ = [w, b] after byhand.fit from θ = 0 (``batch_size=None``: full-batch GD)."""
    line = nn.Linear(1, 1, init="zeros", dtype=np.float64)
    fit(
        line,
        nn.MSELoss(),
        optim.SGD(line.parameters(), lr),
        X,
        y,
        epochs=epochs,
        batch_size=batch_size,
        shuffle=False,
        verbose=0,
    )
    return np.array([line.weight.data[0, 0], line.bias.data[0]])


def literal_sgd(X, y, lr: float, iterations: int) -> np.ndarray:
    """θ ← θ − ε ∇_θ (y_i − (w x_i + b))² with i = 1, 2, 3, 1, 2, 3, … (rows: the path)."""
    theta = np.zeros(2)
    path = [theta.copy()]
    for k in range(iterations):
        x, t = X[k % len(y), 0], y[k % len(y)]
        r = t - (theta[0] * x + theta[1])
        theta = theta - lr * np.array([-2 * r * x, -2 * r])
        path.append(theta.copy())
    return np.array(path)


@experiment(
    "sgd-in-order",
    title="SGD with m = 1 in order at ε ≡ 0.1: byhand against the slide's loop; a cycle, not θ*",
    lecture=LECTURE,
    number=213,
    covers=[(LECTURE, SLIDE)],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    X, y = lecture01_regression()
    epochs = 33  # 99 single-sample steps, the slide's 100 iterations rounded to whole passes
    path = literal_sgd(X, y, 0.1, 3 * epochs)
    ours = byhand_run(X, y, 0.1, epochs, 1)
    gap = float(np.max(np.abs(ours - path[-1])))
    res = ExperimentResult()
    res.claim(
        LECTURE,
        SLIDE,
        "SGD with minibatch m = 1, samples in order ('no shuffled'), ε ≡ 0.1: byhand.fit "
        "(batch_size=1, shuffle=False) takes the slide's steps",
        {
            "byhand θ after 99 steps": ours.tolist(),
            "literal loop of the slide's steps, θ": path[-1].tolist(),
            "max gap": gap,
        },
        gap < 1e-12,
        kind="exact",
        rule="max |byhand's θ − the literal loop's θ| < 1e-12",
        detail="θ₀ = 0, the N = 3 example, 33 passes of 3 steps",
        source="lecture",
        quote="no shuffled",
    )
    gd100 = float(np.linalg.norm(byhand_run(X, y, 0.1, 100, None) - THETA_STAR))
    gd1000 = float(np.linalg.norm(byhand_run(X, y, 0.1, 1000, None) - THETA_STAR))
    sgd99 = float(np.linalg.norm(path[-1] - THETA_STAR))
    long = literal_sgd(X, y, 0.1, 1002)
    cycle = float(np.max(np.abs(long[-1] - long[-4])))
    dist = np.linalg.norm(long[-3:] - THETA_STAR, axis=1)
    res.claim(
        LECTURE,
        SLIDE,
        "ε ≡ 0.1 worked okay for GD (θ → θ*); SGD with m = 1 and the same constant step does "
        "not: it is farther from θ* after 100 iterations and ends on a cycle of three points "
        "away from θ*",
        {
            "GD: ‖θ − θ*‖ after 100 / 1000 steps": [gd100, gd1000],
            "SGD: ‖θ − θ*‖ after 99 steps": sgd99,
            "SGD: ‖θ − θ*‖ on the final 3-cycle": dist.round(4).tolist(),
            "SGD: change over one pass at step 1000": cycle,
        },
        bool(gd100 < sgd99 and gd1000 < 1e-6 and cycle < 1e-12 and dist.min() > 1.0),
        kind="qualitative",
        detail="byhand.fit full batch from θ = 0; the m = 1 loop above run on to 1002 steps "
        "(the three points then repeat every pass)",
        rule=(
            "GD's ‖θ − θ*‖ after 100 steps < SGD's after 99, GD's after 1000 < 1e-6; SGD's "
            "iterates repeat every 3 steps (gap < 1e-12) and stay > 1 from θ*"
        ),
        source="lecture",
        quote="worked okay for GD",
    )
    full = literal_sgd(X, y, 0.1, 99)
    fig, ax = subplots(figsize=(5.5, 4))
    ax.plot(full[:, 0], full[:, 1], "-o", ms=2, color=PALETTE[0], label="SGD m = 1, in order")
    ax.plot(*THETA_STAR, "k*", ms=12, label="θ* = [−0.5, 3]")
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    ax.legend(fontsize=8)
    res.figure(fig, "SGD with m = 1 in order at ε = 0.1: the path ends on a 3-cycle around θ*.")
    return res
