"""The multiclass perceptron of CS 577 Lectures 01/03 against Lecture 04's tie rule.

CS 577 Lecture 01 (Wang, IIT, 2024), "Multiclass perceptron": ŷ ← argmax_ŷ w_ŷᵀx; "If ŷ = y,
then W ← W", else w_ŷ ← w_ŷ − x, w_y ← w_y + x (Lecture 03 repeats the slide). CS 577 Lecture 04
notes that this "multiclass perceptron suffers from instability" and replaces the test by "if
argmax_ŷ w_ŷᵀx \\ {y} is empty, then pass": a tie of y with another class is a mistake.
byhand's :class:`~byhand.linear_model.MulticlassPerceptron` implements Lecture 04's rule. Here:

- without ties the two rules are one algorithm: byhand equals a literal loop of Lecture 01's;
- at a tie they differ (at W = 0 with y the first class, Lecture 01 passes, byhand updates):
  the claim on Lecture 01's rule *differs*, with that cause;
- the instability: Lecture 01's rule can stop with training points on ties, whose labels then
  depend on how argmax breaks ties; the tie rule stops only when each training point's class
  is the unique argmax.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from byhand.experiments import ExperimentResult, experiment
from byhand.experiments.cs577_l01.multiclass_perceptron_trace import TRACE_X, TRACE_Y
from byhand.experiments.cs577_l01.perceptron import tie_data
from byhand.plotting import PALETTE, subplots

L01, L03, L04 = "cs577-01", "cs577-03", "cs577-04"
SLIDE, SLIDE_CALC = "Multiclass perceptron", "Multiclass perceptron (calculations)"
QUOTE_L01 = r"2.2 If $\hat{y}^{(t)} = y^{(t)}$, then $\mathbf{W} \leftarrow \mathbf{W}$,"
QUOTE_L04 = "multiclass perceptron suffers from instability"


def lecture01_loop(X: np.ndarray, y: np.ndarray, K: int, epochs: int, T: int | None = None):
    """Lecture 01's multiclass perceptron, literally: ŷ = argmax (first index on a tie); if
    ŷ = y pass, else w_ŷ −= x, w_y += x. Epochs until a clean pass, or exactly T online steps.
    Returns (W of shape (d, K), updates)."""
    W = np.zeros((X.shape[1], K))
    updates = 0
    steps = range(T) if T is not None else range(epochs * len(y))
    changed = 0
    for t in steps:
        x, label = X[t % len(y)], int(y[t % len(y)])
        yhat = int(np.argmax(x @ W))
        if yhat != label:
            W[:, yhat] -= x
            W[:, label] += x
            changed += 1
            updates += 1
        if T is None and (t + 1) % len(y) == 0:
            if changed == 0:
                break
            changed = 0
    return W, updates


def tied_points(W: np.ndarray, X: np.ndarray, y: np.ndarray) -> int:
    """Training points whose class ties with another for the largest score."""
    S = X @ W
    top = S.max(axis=1, keepdims=True)
    return int(np.sum((S[np.arange(len(y)), y] == top[:, 0]) & ((S == top).sum(axis=1) > 1)))


def _byhand(X, y, **kw):
    from byhand.linear_model import MulticlassPerceptron

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MulticlassPerceptron(fit_intercept=False, **kw).fit(X, y)


@experiment(
    "multiclass-perceptron-rules",
    title="Multiclass perceptron: Lecture 01's rule, Lecture 04's tie rule, and the instability",
    lecture=L01,
    number=202,
    covers=[
        (L01, SLIDE),
        (L03, SLIDE),
        (L01, SLIDE_CALC),
        (L03, SLIDE_CALC),
        (L04, SLIDE, "instability"),
    ],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    """Both rules on continuous data (no ties), on the trace points and on integer data."""
    rng = np.random.default_rng(seed)
    res = ExperimentResult()
    # 1. no ties: continuous features, the first sample not of class 0 (at W = 0 every class
    #    ties; for y ≠ 0 both rules then make the same update)
    n = 60 if quick else 300
    V = rng.normal(size=(2, 3))
    X = rng.normal(size=(n, 2))
    y = np.argmax(X @ V, axis=1)
    first = int(np.flatnonzero(y != 0)[0])
    X, y = np.roll(X, -first, axis=0), np.roll(y, -first)
    W01, _ = lecture01_loop(X, y, 3, 50)
    model = _byhand(X, y, max_iter=50)
    same = bool(np.allclose(model.coef_.T, W01, atol=1e-12, rtol=0))
    # each statement once, on Lecture 01's slide: Lecture 03 repeats it (the catalogue's
    # Lecture 03 items take the claims on Lecture 01's slides, see coverage.py)
    res.claim(
        L01,
        SLIDE,
        "without ties, the slide's update (ŷ = argmax; if ŷ = y, W ← W; else w_ŷ −= x, "
        "w_y += x) is what byhand's MulticlassPerceptron computes",
        {"W equal to the literal loop's": same},
        same,
        kind="exact",
        detail=f"{n} Gaussian points in 2-D, 3 classes from a random linear rule; a literal "
        "loop of the slide's rule against byhand",
        source="lecture",
        quote=QUOTE_L01,
        rule="byhand's W equals the literal loop's W entry by entry (|difference| ≤ 1e-12)",
    )
    # 2. a tie (W = 0, a sample of the first class) is the claim of experiment
    #    multiclass-perceptron-calculations on this slide: not stated twice
    cause = (
        "byhand's MulticlassPerceptron follows CS 577 Lecture 04's tie rule (a tie of y with "
        "another class is a mistake); this slide's 'if ŷ = y, W ← W' passes when argmax picks y "
        "at a tie, as at W = 0"
    )
    # 3. the calculations' trace points (Lecture 01/03's step-by-step slides), both rules
    T = 15
    W01, _ = lecture01_loop(TRACE_X, TRACE_Y, 3, 0, T=T)
    bt = _byhand(TRACE_X, TRACE_Y, T=T)
    res.claim(
        L01,
        SLIDE_CALC,
        "step by step over the trace points (cycled, T = 15) with the slide's rule. Checked: "
        "does byhand's MulticlassPerceptron end at the W the slide's rule gives?",
        {"byhand's W": bt.coef_.T.tolist(), "the slide's rule (literal loop), W": W01.tolist()},
        bool(np.array_equal(bt.coef_.T, W01)),
        kind="exact",
        detail="points (1, 0), (0, 1), (1, 1) of classes 1, 2, 3 (the trace of experiment "
        "multiclass-perceptron-calculations); the first step is a tie with y = class 1",
        source="lecture",
        quote=QUOTE_L01,
        rule="byhand's W equals the literal loop's W entry by entry (exact: integer updates)",
        differs=cause,
    )
    # 4. the instability: integer data, ties common
    n = 120 if quick else 480
    Xi, yi = tie_data(seed, n)
    Wi, _ = lecture01_loop(Xi, yi, 3, 30)
    mi = _byhand(Xi, yi, max_iter=30)
    ties01, ties_b = tied_points(Wi, Xi, yi), tied_points(mi.coef_.T, Xi, yi)
    last = np.argmax((Xi @ Wi)[:, ::-1], axis=1)
    err_first = float(np.mean(np.argmax(Xi @ Wi, axis=1) != yi))
    err_last = float(np.mean((2 - last) != yi))
    Sb = Xi @ mi.coef_.T
    err_b_last = float(np.mean((2 - np.argmax(Sb[:, ::-1], axis=1)) != yi))
    res.claim(
        L04,
        SLIDE,
        "the Lecture 01 rule is unstable: it stops with training points on ties, whose labels "
        "flip with the tie-break; the tie rule stops only when each class is the unique argmax",
        {
            "tied training points, Lecture 01 rule": ties01,
            "tied training points, byhand (tie rule)": ties_b,
            "train error, Lecture 01 W, ties to the first class": err_first,
            "train error, Lecture 01 W, ties to the last class": err_last,
            "train error, byhand W, ties to the last class": err_b_last,
        },
        bool(ties01 > 0 and err_last > err_first and ties_b == 0 and err_b_last == 0.0),
        kind="qualitative",
        detail=f"{n} integer points in [−3, 3]² (scores tie often), 30 epochs in order; the same "
        "W read with argmax breaking ties to the first or to the last class",
        rule=(
            "Lecture 01's rule leaves > 0 tied training points and its training error is higher "
            "with ties broken to the last class than to the first; the tie rule leaves 0 tied "
            "points and 0 training error"
        ),
        source="lecture",
        quote=QUOTE_L04,
    )
    fig, ax = subplots(figsize=(6, 3.6))
    labels = ["Lecture 01 rule", "tie rule (byhand)"]
    ax.bar([0, 1], [err_first, 0.0], 0.35, color=PALETTE[0], label="ties → first class")
    ax.bar([0.35, 1.35], [err_last, err_b_last], 0.35, color=PALETTE[1], label="ties → last class")
    ax.set_xticks([0.175, 1.175])
    ax.set_xticklabels(labels)
    ax.set_ylabel("training error")
    ax.set_title(f"tied training points: {ties01} vs {ties_b}")
    ax.legend(fontsize=8)
    res.figure(
        fig,
        "The same trained W read with two tie-breaks: the Lecture 01 rule's W leaves training "
        "points on ties, so its training error depends on the tie-break; the tie rule's does not.",
    )
    return res
