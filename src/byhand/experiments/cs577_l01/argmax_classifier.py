"""The multiclass linear classifier f(x; W) = argmax_ŷ w_ŷᵀx and its regions.

CS 577 Lecture 01 (Wang, IIT, 2024), "Multiclass linear classifier (first attempt)" and "(second
attempt)" (Lectures 03 and 04 repeat the second): f(x; W) := argmax_{ŷ = 1…K} w_ŷᵀx ∈ {1, …, K};
Deep Neural Networks Course I (Galerne), "Linear classifier": the class-k region
∩_{ℓ ≠ k} {φ : w_kᵀφ + b_k > w_ℓᵀφ + b_ℓ} is an intersection of half-spaces, so "the
classification partition is made of (unbounded) convex polygons". byhand's fitted
:class:`~byhand.linear_model.SoftmaxRegression` is checked against a literal argmax loop over its
coefficients, every point gets one label, and each predicted region is convex.
"""

from __future__ import annotations

import numpy as np

from byhand.datasets import make_blobs_k
from byhand.experiments import ExperimentResult, experiment
from byhand.linear_model import SoftmaxRegression
from byhand.plotting import decision_regions, subplots

L01, L03, L04, GA = "cs577-01", "cs577-03", "cs577-04", "galerne-1"
FIRST = "Multiclass linear classifier (first attempt)"
SECOND = "Multiclass linear classifier (second attempt)"
# the whole line of the transcript (CS 577 Lecture 01, "(second attempt)"), not a cut of it
QUOTE = (
    r"$$f(\mathbf{x}; \mathbf{W}) := \operatorname{argmax}_{\hat{y}=1,\dots,K} \quad "
    r"\mathbf{w}_{\hat{y}}^\top \mathbf{x} \quad \in \{1, \dots, K\} \quad (3)$$"
)


def literal_argmax(W: np.ndarray, b: np.ndarray, X: np.ndarray) -> np.ndarray:
    """argmax_k (Σ_i W[i, k] x_i + b_k) written as loops (first index on a tie)."""
    out = []
    for x in X:
        scores = [sum(W[i, k] * x[i] for i in range(len(x))) + b[k] for k in range(W.shape[1])]
        out.append(max(range(len(scores)), key=lambda k: (scores[k], -k)))
    return np.array(out)


def convexity_violations(model, lo: float, hi: float, rng, pairs: int) -> tuple[int, int]:
    """Random same-label pairs (by model.predict) whose random convex combination is labelled
    otherwise: (violations, pairs tested)."""
    P = rng.uniform(lo, hi, size=(pairs, 2))
    Q = rng.uniform(lo, hi, size=(pairs, 2))
    same = model.predict(P) == model.predict(Q)
    lam = rng.uniform(0, 1, size=(pairs, 1))
    M = lam * P + (1 - lam) * Q
    bad = same & (model.predict(M) != model.predict(P))
    return int(bad.sum()), int(same.sum())


@experiment(
    "multiclass-argmax",
    title="The multiclass linear classifier argmax_k w_kᵀx: one label per point, convex regions",
    lecture=L01,
    number=203,
    covers=[
        (L01, FIRST),
        (L01, SECOND),
        (L03, SECOND),
        (L04, SECOND),
        (GA, "Linear classifier"),
    ],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    """Fit a 3-class softmax regression; compare predict with a literal argmax; test convexity."""
    rng = np.random.default_rng(seed)
    X, y = make_blobs_k(150 if quick else 600, n_classes=3, random_state=seed)
    model = SoftmaxRegression(solver="lbfgs", max_iter=200).fit(X, y)
    W, b = model.coef_.T, np.ravel(model.intercept_)
    lo, hi = float(X.min()) - 1, float(X.max()) + 1
    G = rng.uniform(lo, hi, size=(400 if quick else 4000, 2))
    pred = model.predict(G)
    lit = model.classes_[literal_argmax(W, b, G)]
    agree = float(np.mean(pred == lit))
    res = ExperimentResult()
    # stated once: Lectures 03 and 04 repeat the slide (the experiment's covers= lists them)
    res.claim(
        L01,
        SECOND,
        "f(x; W) = argmax_ŷ w_ŷᵀx ∈ {1, …, K}: byhand's predict is the argmax of the "
        "scores, one label per point",
        {"agreement with a literal argmax loop": agree, "labels used": len(set(pred))},
        bool(agree == 1.0 and set(pred) <= set(model.classes_)),
        kind="exact",
        detail=f"{len(G)} random points; byhand SoftmaxRegression (3 classes, with bias) "
        "fitted on blobs; its coef_ and intercept_ read into a loop of sums",
        rule=(
            "byhand's predict agrees with the literal argmax loop at every point (agreement = 1 "
            "exactly) and uses only the fitted classes"
        ),
        source="lecture",
        quote=QUOTE,
    )
    bad, tested = convexity_violations(model, lo, hi, rng, 2000 if quick else 20000)
    res.claim(
        GA,
        "Linear classifier",
        "the classification partition is made of (unbounded) convex polygons: a point between "
        "two points of one class has that class",
        {"violations": bad, "same-class pairs tested": tested},
        bool(bad == 0 and tested > 100),
        kind="exact",
        detail="random pairs with the same predicted class and a random point of the segment "
        "between them, all through byhand's predict",
        rule=(
            "0 violations exactly among the same-class pairs tested, with more than 100 pairs "
            "tested"
        ),
        source="lecture",
        quote="The classification partition is made of (unbounded) convex polygons",
    )
    fig, ax = subplots(figsize=(5.5, 4.5))
    decision_regions(model, X, y, ax=ax, title=r"$\arg\max_k\, w_k^\top x + b_k$")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    counts = np.bincount(np.searchsorted(model.classes_, pred), minlength=3)
    res.claim(
        L01,
        FIRST,
        "the regions of a 3-class linear classifier: the plane is cut into three regions, one "
        "per class",
        {"points per predicted class": counts.tolist()},
        bool(np.all(counts > 0) and counts.sum() == len(G)),
        kind="qualitative",
        detail="the random points of the claims above, each given exactly one of the 3 labels",
        rule=(
            "each of the 3 classes labels at least one point, and every point gets exactly one "
            "label"
        ),
        source="lecture",
        quote=r"$$f(\mathbf{x}; \mathbf{W}) := \operatorname{argmax}_{\hat{y}=1,\dots,K} "
        r"\quad \mathbf{w}_{\hat{y}}^\top \mathbf{x} \quad \in \{1, \dots, K\} \quad (2)$$",
    )
    res.figure(fig, "The three regions of a linear classifier fitted by byhand: convex cells.")
    return res
