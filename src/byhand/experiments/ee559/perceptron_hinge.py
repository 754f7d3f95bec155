"""EE-559 Deep learning 3.1–3.6 (Fleuret, EPFL, 2019).

§3.1: the perceptron algorithm's iterations on 2-D data (the lecture's
``train_perceptron`` loop against :class:`byhand.Perceptron`) and the hinge loss pushing each
sample beyond the plane w·x + b = yₙ.
"""

from __future__ import annotations

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.experiments.ee559._plots import label_classes
from byhand.plotting import PALETTE, decision_regions, subplots

LECTURE = "ee559-3"
S31 = "3.1. The perceptron"


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
        rule="byhand's updates per epoch and final w equal the literal loop's; last epoch 0 "
        "changes; separates",
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
    # the loss and its (sub)gradient at the start, against the formula written literally
    z0 = (X2 @ w2[:2] + w2[2])[:, None]
    hinge = nn.HingeLoss()
    val = hinge.forward(z0, y2)
    grad = hinge.backward()[:, 0]
    n2 = len(y2)
    val_lit = sum(max(0.0, 1.0 - yi * zi) for yi, zi in zip(y2, z0[:, 0], strict=True)) / n2
    grad_lit = np.array(
        [-yi / n2 if 1.0 - yi * zi >= 0 else 0.0 for yi, zi in zip(y2, z0[:, 0], strict=True)]
    )
    gap = max(abs(val - val_lit), float(np.max(np.abs(grad - grad_lit))))
    res.claim(
        LECTURE,
        S31,
        "byhand's HingeLoss is the lecture's max(0, 1 − yₙ(w·xₙ + b)) (mean over the samples) "
        "and its derivative −yₙ where 1 − yₙf(xₙ) ≥ 0, 0 elsewhere",
        {
            "loss": val,
            "loss, literal": val_lit,
            "max |gradient − literal|": float(np.max(np.abs(grad - grad_lit))),
        },
        bool(gap <= 1e-12),
        kind="exact",
        target=0.0,
        detail=f"the {n2} points at the perceptron's scaled boundary; a Python loop over the "
        "samples as the oracle (the subgradient at the kink is −yₙ, byhand's convention)",
        source="lecture",
        quote=r"\max(0, 1 - y_n(w \cdot x_n + b))",
        lecture_value="max(0, 1 − yₙ(w·xₙ + b))",
        rule="|byhand − literal| ≤ 1e-12 for the loss and every gradient entry",
    )
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
        f"full-batch (sub)gradient descent, ε = 0.5, {hist.epochs} epochs (no early stop), "
        "nn.HingeLoss on nn.Linear(2, 1); no ‖w‖² term, so the loss can reach 0",
        source="lecture",
        quote=r"Minimizing  $\max(0, 1 - y_n(w \cdot x_n + b))$  pushes the  $n$ th sample "
        r"beyond the plane  $w \cdot x + b = y_n$",
        rule="start min yf < 1; end min yf ≥ 1 and hinge loss 0",
    )

    fig, axes = subplots(1, 2, figsize=(10, 4))
    decision_regions(per, X, y, ax=axes[0], title="perceptron (stops at the first separator)")
    xs = np.linspace(X[:, 0].min(), X[:, 0].max(), 10)
    w, b = lin.weight.data[:, 0], float(lin.bias.data[0])
    label_classes(axes[0])
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
