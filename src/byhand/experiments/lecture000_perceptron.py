"""Lecture 000 (CS 577 Lecture 01): the perceptron trace and the multiclass perceptron.

Experiment 4 reruns the worked 8-step example ("Perceptron: an example", ending at
w = [2, −1], boundary x₂ = 2x₁, "Converged"); experiment 5 runs the multiclass perceptron
("Multiclass perceptron": W = [w₁ … w_K], ŷ = argmax_k w_kᵀx, on a mistake
w_ŷ ← w_ŷ − x, w_y ← w_y + x) on three Gaussian classes.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from byhand.datasets import make_blobs_k, perceptron_trace
from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import decision_regions, learning_curves, subplots

LECTURE = "cs577-01"


def weights_after_each_step(X: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """w after t = 1 … N online steps, each from byhand's Perceptron(T=t) started at w = 0."""
    from byhand.linear_model import Perceptron

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # early t leave mistakes on purpose
        for t in range(1, len(y) + 1):
            out.append(Perceptron(T=t, fit_intercept=False).fit(X, y).coef_.ravel().copy())
    return out


@experiment(
    "perceptron-trace",
    title="The perceptron, step by step: w ends at [2, −1]",
    lecture=LECTURE,
    number=4,
    covers=[
        ("cs577-01", "Perceptron: an example"),
        ("cs577-04", "Perceptron: an example"),
    ],
)
def perceptron_trace_experiment(seed: int, quick: bool) -> ExperimentResult:
    from byhand.linear_model import Perceptron

    X, y = perceptron_trace()
    ws = weights_after_each_step(X, y)
    rows, prev = [], np.zeros(2)
    for t, (x, label, w) in enumerate(zip(X, y, ws, strict=True), start=1):
        rows.append(
            [
                t,
                f"({x[0]:g}, {x[1]:g})",
                f"{label:+d}",
                "yes" if not np.array_equal(w, prev) else "no",
                f"[{w[0]:g}, {w[1]:g}]",
            ]
        )
        prev = w
    final = Perceptron(T=len(y), fit_intercept=False).fit(X, y)
    w = final.coef_.ravel()
    res = ExperimentResult()
    res.claim(
        LECTURE,
        "Perceptron: an example",
        "after t = 3 the weights are w = [1, −1]",
        ws[2].tolist(),
        bool(np.array_equal(ws[2], [1, -1])),
        kind="exact",
        target=[1, -1],
        source="lecture",
        quote="$$\\mathbf{w} = \\begin{bmatrix} 1 \\\\ -1 \\end{bmatrix}$$",
    )
    res.claim(
        LECTURE,
        "Perceptron: an example",
        "no update at t = 4 and t = 5",
        [bool(np.array_equal(ws[3], ws[2])), bool(np.array_equal(ws[4], ws[3]))],
        bool(np.array_equal(ws[4], ws[2])),
        kind="exact",
        source="derived",
        derived_from=(
            "the slides' w = [1, −1] after t = 3 and their t = 6 update w ← w − [−1, −1] that "
            "leads to w = [2, −1]: w cannot change at t = 4, 5 (those points are not printed)"
        ),
    )
    res.claim(
        LECTURE,
        "Perceptron: an example",
        "the run ends at w = [2, −1]: boundary x₂ = 2·x₁, converged",
        {"w": w.tolist(), "converged": bool(final.converged_)},
        bool(np.array_equal(w, [2, -1]) and final.converged_),
        kind="exact",
        target=[2, -1],
        source="lecture",
        quote="$$\\mathbf{w} = \\begin{bmatrix} 2 \\\\ -1 \\end{bmatrix}$$",
    )
    res.table(
        "The trace (points at t = 4, 5, 8 are not printed on the slides; chosen "
        "consistent with it, see byhand.datasets.perceptron_trace)",
        ["t", "x⁽ᵗ⁾", "y⁽ᵗ⁾", "update", "w after step t"],
        rows,
    )
    fig, ax = subplots()
    for label, marker, color in ((1, "o", "#2e5bba"), (-1, "s", "#d1495b")):
        m = y == label
        ax.scatter(X[m, 0], X[m, 1], marker=marker, color=color, label=f"y = {label:+d}")
    for t, x in enumerate(X, start=1):
        ax.annotate(str(t), x, textcoords="offset points", xytext=(5, 4), fontsize=8)
    xs = np.linspace(-2, 2.5, 10)
    ax.plot(xs, 2 * xs, "k-", lw=1, label="x₂ = 2·x₁ (wᵀx = 0)")
    ax.set_xlim(-2, 2.5)
    ax.set_ylim(-2, 3.5)
    ax.legend(fontsize=8)
    res.figure(fig, "The eight points (numbered by t) and the final boundary wᵀx = 0.")
    return res


@experiment(
    "multiclass-perceptron",
    title="Multiclass perceptron on three Gaussian classes",
    lecture=LECTURE,
    number=5,
    covers=[
        ("cs577-01", "Multiclass linear classifier (first attempt)"),
        ("cs577-01", "Multiclass perceptron"),
        ("cs577-04", "Multiclass perceptron"),
    ],
)
def multiclass_perceptron(seed: int, quick: bool) -> ExperimentResult:
    from byhand.linear_model import MulticlassPerceptron

    n = 150 if quick else 600
    centers = np.array([[0.0, 4.0], [-4.0, -2.0], [4.0, -2.0]])
    X, y = make_blobs_k(n, noise=0.9, random_state=seed, centers=centers)
    model = MulticlassPerceptron(max_iter=100).fit(X, y)
    mistakes = np.asarray(model.mistakes_)
    res = ExperimentResult()
    train_error = float(np.mean(model.predict(X) != y))
    res.claim(
        LECTURE,
        "Multiclass perceptron",
        "on linearly separable classes the multiclass perceptron stops making mistakes",
        {"mistakes per epoch": mistakes.tolist(), "train error": train_error},
        bool(model.converged_ and mistakes[-1] == 0 and train_error == 0.0),
        kind="qualitative",
        detail="classes drawn well apart, so separable by a margin",
    )
    fig, axes = subplots(1, 2, figsize=(10, 4))
    decision_regions(model, X, y, ax=axes[0], title="regions argmax_k w_kᵀx̃")
    learning_curves(
        {"mistakes": mistakes}, ax=axes[1], xlabel="epoch", ylabel="updates in the epoch"
    )
    res.figure(fig, "Left: the three regions of the linear classifier. Right: updates per epoch.")
    res.table(
        "Mistakes per epoch",
        ["epoch", "updates"],
        [[i + 1, int(m)] for i, m in enumerate(mistakes)],
    )
    return res
