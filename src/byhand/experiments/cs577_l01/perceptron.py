"""CS 577 Lecture 01: the perceptron trace and the multiclass perceptron.

Experiment 4 reruns the worked 8-step example ("Perceptron: an example", ending at
w = [2, −1], boundary x₂ = 2x₁, "Converged"); experiment 5 runs the multiclass perceptron
("Multiclass perceptron": W = [w₁ … w_K], ŷ = argmax_k w_kᵀx, on a mistake
w_ŷ ← w_ŷ − x, w_y ← w_y + x) on three Gaussian classes.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from byhand.datasets import perceptron_trace
from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import PALETTE, decision_regions, subplots

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
        rule="byhand's w after t = 3 equals [1, −1] exactly",
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
        category="reproduction",
        rule="byhand's w after t = 5 equals its w after t = 3 exactly",
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
        rule="byhand's final w equals [2, −1] exactly and converged_ is True",
    )
    # Lecture 04's version of the example: t runs to T, past N, wrapping around x^(N+1 % N)
    shift = 3
    order = np.roll(np.arange(len(y)), shift)
    Xs, ys = X[order], y[order]
    w_lit, last_update, mismatch = np.zeros(2), 0, []
    steps = 5 * len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for t in range(steps):
            x, label = Xs[t % len(y)], ys[t % len(y)]
            if not label * (w_lit @ x) > 0:
                w_lit = w_lit + label * x
                last_update = t + 1
            w_bh = Perceptron(T=t + 1, fit_intercept=False).fit(Xs, ys).coef_.ravel()
            if not np.array_equal(w_bh, w_lit):
                mismatch.append(t + 1)
    res.claim(
        "cs577-04",
        "Perceptron: an example",
        f"T could be larger than N: the steps wrap around (x⁽ᴺ⁺¹ % ᴺ⁾ = x⁽¹⁾, …); byhand's "
        f"Perceptron(T) equals the literal wrap-around loop for every T = 1 … {steps}, on a run "
        "whose last update comes after t = N",
        {
            "T with a different w": mismatch,
            "last update at t": last_update,
            "N": len(y),
            "w": w_lit.tolist(),
        },
        bool(not mismatch and last_update > len(y)),
        kind="exact",
        detail=f"the lecture's eight points started at the {shift + 1}th (a cyclic shift, chosen "
        "so that the run needs a second pass: in the slide's order it converges at t = 7 ≤ N); "
        "Perceptron(T=t, fit_intercept=False) refitted for each t",
        source="lecture",
        quote=r"$$x^{(1)}, \dots, x^{(N)}, x^{(N+1 \% N)}$$",
        lecture_value="t = 1 … T with T > N, wrapping around",
        rule="byhand's w equals the literal loop's at every T, exactly, and some update "
        "happens at t > N",
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


def tie_data(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer points in [−3, 3]² labelled by argmax of an integer 3-class rule with a margin.

    Integer features make equal scores w_kᵀx common (at W = 0 and later), so the tie rule of
    the multiclass perceptron is met many times.
    """
    rng = np.random.default_rng(seed)
    V = np.array([[2, -1, -1], [0, 2, -2]])  # columns: the three classes' directions
    X, y = [], []
    while len(y) < n:
        x = rng.integers(-3, 4, size=2)
        s = x @ V
        top = np.sort(s)
        if top[-1] - top[-2] >= 2:  # a margin: the label is not ambiguous
            X.append(x.astype(np.float64))
            y.append(int(np.argmax(s)))
    return np.array(X), np.array(y)


def lecture_multiclass_perceptron(
    X: np.ndarray, y: np.ndarray, epochs: int
) -> tuple[np.ndarray, int, int]:
    """The slide's algorithm written literally: returns (W of shape (d, K), ties, updates).

    For each sample: A = argmax_ŷ w_ŷᵀx; if A \\ {y} is empty, pass; else ŷ = min(A \\ {y}),
    w_ŷ ← w_ŷ − x, w_y ← w_y + x. ``ties`` counts the visits where y is in A with another class.
    """
    K = int(y.max()) + 1
    W = np.zeros((X.shape[1], K))
    ties = updates = 0
    for _ in range(epochs):
        changed = 0
        for x, t in zip(X, y, strict=True):
            s = [float(x @ W[:, k]) for k in range(K)]
            top = max(s)
            A = [k for k in range(K) if s[k] == top]
            ties += int(t in A and len(A) > 1)
            wrong = [k for k in A if k != t]
            if wrong:
                W[:, wrong[0]] -= x
                W[:, t] += x
                changed += 1
        updates += changed
        if changed == 0:
            break
    return W, ties, updates


@experiment(
    "multiclass-perceptron",
    title="Multiclass perceptron and its tie rule on integer data",
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

    X, y = tie_data(seed, 120 if quick else 480)
    epochs = 30
    W_lec, ties, updates = lecture_multiclass_perceptron(X, y, epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MulticlassPerceptron(max_iter=epochs, fit_intercept=False).fit(X, y)
    mistakes = np.asarray(model.mistakes_)
    res = ExperimentResult()
    same = bool(np.array_equal(model.coef_.T, W_lec))
    res.claim(
        "cs577-04",
        "Multiclass perceptron",
        "the tie rule: if argmax_ŷ w_ŷᵀx \\ {y} is empty pass, else update with ŷ from that set "
        "(a tie of y with another class is a mistake) — byhand's W equals the slide's loop",
        {"W equal": same, "ties met": ties, "updates": updates},
        same and ties >= 3,
        kind="exact",
        detail=f"integer features, so scores tie often; {epochs} epochs in dataset order; a "
        "literal loop of the slide's algorithm against byhand MulticlassPerceptron, bit for "
        "bit (at least 3 ties with the true class are required, so the rule is exercised)",
        source="lecture",
        quote=r"2.1 If  $\text{argmax}_{\hat{y}} \mathbf{w}_{\hat{y}}^\top \mathbf{x}^{(t)} "
        r"\setminus \{y^{(t)}\}$  is empty,",
        rule="byhand's W equals the literal loop's exactly, with ≥ 3 ties of the true class met",
    )
    train_error = float(np.mean(model.predict(X) != y))
    res.claim(
        LECTURE,
        "Multiclass perceptron",
        "on linearly separable classes the multiclass perceptron stops making mistakes",
        {"mistakes per epoch": mistakes.tolist(), "train error": train_error},
        bool(model.converged_ and mistakes[-1] == 0 and train_error == 0.0),
        kind="qualitative",
        detail="labels from an integer linear rule with a margin, so separable",
        source="byhand",
        reason="the lecture states the algorithm, not its convergence; on separable classes "
        "the multiclass perceptron stops (Kesler's construction reduces it to the binary "
        "perceptron's bound)",
        rule="converged, last epoch without update, training error 0",
    )
    fig, axes = subplots(1, 2, figsize=(10, 4))
    decision_regions(model, X, y, ax=axes[0], title=r"regions $\arg\max_k\, w_k^\top x$")
    axes[0].set_xlabel("$x_1$")
    axes[0].set_ylabel("$x_2$")
    axes[0].legend(title="class", fontsize=8)
    epochs_run = np.arange(1, len(mistakes) + 1)
    axes[1].bar(epochs_run, mistakes, color=PALETTE[0])
    axes[1].set_xticks(epochs_run)
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("updates in the epoch")
    axes[1].set_title(f"{updates} updates, {ties} of them at a tie with the true class")
    res.figure(
        fig,
        "Left: the three regions of the linear classifier learned on integer points. Right: "
        "updates per epoch of the multiclass perceptron (a tie of the true class with another "
        "counts as a mistake, as the slide's rule says).",
    )
    res.table(
        "Mistakes per epoch",
        ["epoch", "updates"],
        [[i + 1, int(m)] for i, m in enumerate(mistakes)],
    )
    return res
