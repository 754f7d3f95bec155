"""CS 577 Lecture 01 (Wang, IIT, 2024).

"Binary linear classifier": f(x; w) = sign(wᵀx) with the slide's pick w = [1, −1].
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import subplots

LECTURE = "cs577-01"
SLIDE_BIN = "Binary linear classifier"


@experiment(
    "binary-linear-classifier",
    title="Binary linear classifier f(x; w) = sign(wᵀx) with w = [1, −1]",
    lecture=LECTURE,
    number=102,
    covers=[(LECTURE, SLIDE_BIN)],
)
def binary_linear_classifier(seed: int, quick: bool) -> ExperimentResult:
    from byhand import nn
    from byhand.linear_model import Perceptron

    rng = np.random.default_rng(seed)
    w = np.array([1.0, -1.0])
    lin = nn.Linear(2, 1, bias=False, dtype=np.float64)
    lin.weight.data[:] = w[:, None]
    X = rng.uniform(-2, 2, size=(400, 2))
    X = X[np.abs(X[:, 0] - X[:, 1]) > 0.1]  # keep a margin so that sign(0) never arises
    pred = nn.PerceptronLoss().predict(lin(X)).ravel()
    literal = np.array([1 if x1 > x2 else -1 for x1, x2 in X])
    res = ExperimentResult()
    res.claim(
        LECTURE,
        SLIDE_BIN,
        "with w = [1, −1], f(x; w) = sign(wᵀx) says +1 exactly where x₁ > x₂ (boundary "
        "x₁ = x₂, w normal to it)",
        {"disagreements with the rule x₁ > x₂": int(np.sum(pred != literal)), "points": len(X)},
        bool(np.array_equal(pred, literal)),
        kind="exact",
        detail="byhand's nn.Linear(2, 1, bias=False) with weight [1, −1] and the sign "
        "prediction of nn.PerceptronLoss, against a literal test x₁ > x₂",
        source="derived",
        derived_from="the slide's pick W = [1, −1] in f(x; w) = sign(wᵀx)",
        category="reproduction",
        rule="byhand's sign prediction equals the literal test x₁ > x₂ at every point",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        per = Perceptron(fit_intercept=False, max_iter=200).fit(X, literal)
    wh = per.coef_.ravel()
    cos = float(wh @ w / (np.linalg.norm(wh) * np.linalg.norm(w)))
    res.claim(
        LECTURE,
        SLIDE_BIN,
        "a perceptron trained on points labelled by sign(x₁ − x₂) separates them and finds "
        "w pointing along [1, −1]",
        {"w": wh.tolist(), "cos(w, [1, −1])": cos, "converged": bool(per.converged_)},
        bool(per.converged_ and cos > 0.99),
        kind="numeric",
        target="converged, cos > 0.99",
        detail=f"{len(X)} points uniform in [−2, 2]² at distance > 0.1/√2 from the line",
        source="byhand",
        reason="the slide picks w by hand; recovering it from data checks that this w is the "
        "one the labels determine; with points up to 0.07 from the line, separating directions "
        "are confined to a few degrees around [1, −1] (cos 0.99 ≈ 8°)",
        rule="converged, and cos(w, [1, −1]) > 0.99 (threshold byhand's)",
    )
    fig, ax = subplots(figsize=(6.6, 4.0))
    for lab, mk, col in ((1, "o", "#2e5bba"), (-1, "s", "#d1495b")):
        m = pred == lab
        ax.scatter(X[m, 0], X[m, 1], s=8, marker=mk, color=col, label=rf"$f(x) = {lab:+d}$")
    t = np.linspace(-2, 2, 5)
    ax.plot(t, t, "k-", lw=1.2, label=r"$w^\top x = 0$ ($x_1 = x_2$)")
    ax.annotate("", xy=(1, -1), xytext=(0, 0), arrowprops={"arrowstyle": "->", "lw": 2})
    ax.text(
        1.05,
        -1.15,
        r"$w = [1, -1]$",
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1},
    )
    ax.set_xlabel(r"$x_1$")
    ax.set_ylabel(r"$x_2$")
    ax.set_aspect("equal")
    ax.set_title(r"$f(x) = \mathrm{sign}(w^\top x)$, $w = [1, -1]$")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)
    res.figure(fig, "The slide's classifier w = [1, −1]: +1 below the diagonal, w normal to it.")
    return res


# --------------------------------------------------------------------------- 103: calculations
