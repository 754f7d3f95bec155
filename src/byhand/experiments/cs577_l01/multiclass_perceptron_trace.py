"""CS 577 Lecture 01 (Wang, IIT, 2024).

"Multiclass perceptron (calculations)": a step-by-step trace that meets ties, with the
tie rule of CS 577 Lecture 04 ("argmax \\ {y} is empty"), against a literal loop and
:class:`byhand.MulticlassPerceptron`.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import subplots

LECTURE = "cs577-01"
SLIDE_MCP = "Multiclass perceptron (calculations)"


# --------------------------------------------------------------------------- 100: Gradients


#: the trace's points, visited in order and cycled: x ∈ R² (no bias), classes 0, 1, 2
TRACE_X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
TRACE_Y = np.array([0, 1, 2])


def lecture_step(W: np.ndarray, x: np.ndarray, y: int) -> tuple[np.ndarray, list[int], int | None]:
    """One step of the multiclass perceptron with CS 577 Lecture 04's tie rule, literally.

    W of shape (d, K), columns w_k. A = argmax_k w_kᵀx (all tied maxima). If A \\ {y} is
    empty: pass. Else ŷ = min(A \\ {y}), w_ŷ ← w_ŷ − x, w_y ← w_y + x. Returns the new W, A
    and ŷ (None on a pass).
    """
    scores = [float(sum(W[i, k] * x[i] for i in range(len(x)))) for k in range(W.shape[1])]
    top = max(scores)
    tied = [k for k, s in enumerate(scores) if s == top]
    wrong = [k for k in tied if k != y]
    if not wrong:
        return W, tied, None
    yhat = wrong[0]
    W = W.copy()
    W[:, yhat] -= x
    W[:, y] += x
    return W, tied, yhat


def lecture01_step(W: np.ndarray, x: np.ndarray, y: int) -> tuple[np.ndarray, int | None]:
    """One step of CS 577 Lecture 01's multiclass perceptron, literally: ŷ = argmax_k w_kᵀx
    (the first index on a tie, as ``np.argmax`` and byhand's ``predict``); if ŷ = y, W ← W;
    else w_ŷ ← w_ŷ − x, w_y ← w_y + x. Returns the new W and ŷ (None on a pass).

    It differs from Lecture 04's tie rule (:func:`lecture_step`) only when y ties with
    another class on top: Lecture 01 passes if y is the first of the tied classes, Lecture 04
    always updates. byhand's :class:`~byhand.MulticlassPerceptron` follows Lecture 04.
    """
    scores = [float(sum(W[i, k] * x[i] for i in range(len(x)))) for k in range(W.shape[1])]
    yhat = scores.index(max(scores))
    if yhat == y:
        return W, None
    W = W.copy()
    W[:, yhat] -= x
    W[:, y] += x
    return W, yhat


def literal_trace(X: np.ndarray, y: np.ndarray, T: int) -> list[dict]:
    """T steps of :func:`lecture_step` over the points in order, cycling, from W = 0."""
    W = np.zeros((X.shape[1], 3))
    out = []
    for t in range(T):
        x, lab = X[t % len(y)], int(y[t % len(y)])
        scores = (x @ W).tolist()
        W, tied, yhat = lecture_step(W, x, lab)
        out.append(
            {
                "t": t + 1,
                "x": x,
                "y": lab,
                "scores": scores,
                "tied": tied,
                "yhat": yhat,
                "W": W.copy(),
            }
        )
    return out


@experiment(
    "multiclass-perceptron-calculations",
    title="Multiclass perceptron (calculations): a step-by-step trace through ties",
    lecture=LECTURE,
    number=103,
    covers=[
        (LECTURE, SLIDE_MCP),
        ("cs577-03", SLIDE_MCP),
        ("cs577-04", "Multiclass perceptron"),
        # its claim on the W = 0 tie is on this slide (the one statement of that difference)
        (LECTURE, "Multiclass perceptron"),
        ("cs577-03", "Multiclass perceptron"),
    ],
)
def multiclass_calculations(seed: int, quick: bool) -> ExperimentResult:
    from byhand.linear_model import MulticlassPerceptron

    T = 15
    trace = literal_trace(TRACE_X, TRACE_Y, T)
    byhand_W = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for t in range(1, T + 1):
            m = MulticlassPerceptron(T=t, fit_intercept=False).fit(TRACE_X, TRACE_Y)
            byhand_W.append(m.coef_.T.copy())
    same = all(np.array_equal(s["W"], Wb) for s, Wb in zip(trace, byhand_W, strict=True))
    ties_y = [s["t"] for s in trace if len(s["tied"]) > 1 and s["y"] in s["tied"]]
    ties_y_after_0 = [s["t"] for s in trace if s["t"] > 3 and s["t"] in ties_y]
    updated_on_tie = all(trace[t - 1]["yhat"] is not None for t in ties_y)
    res = ExperimentResult()
    res.claim(
        LECTURE,
        SLIDE_MCP,
        "byhand's MulticlassPerceptron gives, after every step t = 1 … 15, the same W as a "
        "literal loop of the update w_ŷ ← w_ŷ − x, w_y ← w_y + x",
        {"steps equal": same},
        same,
        kind="exact",
        detail="MulticlassPerceptron(T=t, fit_intercept=False) refitted for each t",
        source="lecture",
        quote=r"$$\mathbf{w}_{\hat{y}^{(t)}} \leftarrow \mathbf{w}_{\hat{y}^{(t)}} - "
        r"\mathbf{x}^{(t)}$$",
        rule="byhand's W equals the literal loop's exactly after each of the 15 steps",
    )
    res.claim(
        "cs577-04",
        "Multiclass perceptron",
        "a tie between the true class and another one is a mistake: the trace meets such ties "
        "(at W = 0 and later at W ≠ 0) and updates at each of them",
        {"steps with y tied on top": ties_y, "of them after the first pass": ties_y_after_0},
        bool(ties_y_after_0 and updated_on_tie),
        kind="exact",
        source="lecture",
        quote=r"2.1 If  $\text{argmax}_{\hat{y}} \mathbf{w}_{\hat{y}}^\top \mathbf{x}^{(t)} "
        r"\setminus \{y^{(t)}\}$  is empty,",
        category="derivation",
        rule="the literal trace meets a tie of y after the first pass and updates at every such "
        "tie",
    )
    # Lecture 01's rule ("if ŷ = y, W ← W") against Lecture 04's on a tie: W = 0, y = class 1
    x0, y0 = TRACE_X[0], int(TRACE_Y[0])
    W01, _ = lecture01_step(np.zeros((2, 3)), x0, y0)
    W04, _, _ = lecture_step(np.zeros((2, 3)), x0, y0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        W_bh = MulticlassPerceptron(T=1, fit_intercept=False).fit(TRACE_X, TRACE_Y).coef_.T
    res.claim(
        LECTURE,
        "Multiclass perceptron",
        "if ŷ = y, W ← W: at W = 0 all scores tie, ŷ = argmax = class 1 (first index) = y, "
        "so Lecture 01's rule passes and W stays 0. Checked: does byhand's "
        "MulticlassPerceptron leave W = 0 after that first step?",
        {
            "W, Lecture 01 rule": W01.tolist(),
            "W, Lecture 04 tie rule": W04.tolist(),
            "W, byhand": W_bh.tolist(),
        },
        bool(np.array_equal(W_bh, W01)),
        kind="exact",
        target=W01.tolist(),
        detail=f"the first step of the trace, x = {x0.tolist()}, y = class {y0 + 1}; Lecture 01's "
        "rule written literally (lecture01_step in this experiment, first index on a tie); "
        f"byhand's W {'equals' if np.array_equal(W_bh, W04) else 'differs from'} the tie rule's",
        source="lecture",
        quote=r"2.1 $\hat{y}^{(t)} \leftarrow \operatorname{argmax}_{\hat{y}} "
        r"\mathbf{w}_{\hat{y}}^T \mathbf{x}^{(t)}$",
        lecture_value="W stays 0 (ŷ = y: no mistake)",
        rule="byhand's W after the step equals Lecture 01's exactly",
        differs="a convention: byhand's MulticlassPerceptron follows CS 577 Lecture 04's tie "
        "rule (a tie of y with another class is a mistake, so at W = 0 it updates); Lecture "
        "01's 'if ŷ = y, W ← W' with ŷ = argmax passes when y is the first tied class. Lecture "
        "01's rule is lecture01_step in this experiment; away from ties the two agree",
    )
    trace01, W = [], np.zeros((2, 3))
    for t in range(T):
        W, yhat = lecture01_step(W, TRACE_X[t % 3], int(TRACE_Y[t % 3]))
        trace01.append(yhat)
    res.note(
        "Under Lecture 01's rule the same 15 steps update at t = "
        + ", ".join(str(t + 1) for t, v in enumerate(trace01) if v is not None)
        + f" and end at W = {W.tolist()} (columns w₁, w₂, w₃); under Lecture 04's tie rule "
        "(byhand) the trace below."
    )
    last = trace[-3:]
    res.claim(
        LECTURE,
        SLIDE_MCP,
        "the trace converges: a whole pass over the three points makes no update, and "
        "argmax_k w_kᵀx gives every label",
        {
            "last pass updates": [s["yhat"] for s in last],
            "predictions": np.argmax(TRACE_X @ trace[-1]["W"], axis=1).tolist(),
        },
        bool(
            all(s["yhat"] is None for s in last)
            and np.array_equal(np.argmax(TRACE_X @ trace[-1]["W"], axis=1), TRACE_Y)
        ),
        kind="exact",
        source="derived",
        derived_from="the perceptron stops updating once W separates the points",
        rule="no update in the last pass and argmax_k w_kᵀx = y for the three points",
    )
    rows = []
    for s in trace:
        rows.append(
            [
                s["t"],
                f"({s['x'][0]:g}, {s['x'][1]:g})",
                s["y"] + 1,
                "(" + ", ".join(f"{v:g}" for v in s["scores"]) + ")",
                "{" + ", ".join(str(k + 1) for k in s["tied"]) + "}",
                "pass" if s["yhat"] is None else f"ŷ = {s['yhat'] + 1}",
                "  ".join(f"w{k + 1}=({s['W'][0, k]:g}, {s['W'][1, k]:g})" for k in range(3)),
            ]
        )
    res.table(
        "The trace (classes numbered 1 … K as on the slide)",
        ["t", "x⁽ᵗ⁾", "y⁽ᵗ⁾", "scores w_kᵀx", "argmax set", "step", "W after step t"],
        rows,
    )
    fig, ax = subplots()
    final = trace[-1]["W"]
    g = np.linspace(-0.5, 1.5, 201)
    xx, yy = np.meshgrid(g, g)
    reg = np.argmax(np.stack([xx, yy], -1) @ final, axis=-1)
    cs = ax.contourf(
        xx, yy, reg, levels=[-0.5, 0.5, 1.5, 2.5], colors=["#c6dbef", "#fdd0a2", "#c7e9c0"]
    )
    cb = fig.colorbar(cs, ax=ax, ticks=[0, 1, 2])
    cb.ax.set_yticklabels(["class 1", "class 2", "class 3"])
    for x, lab in zip(TRACE_X, TRACE_Y, strict=True):
        ax.scatter(*x, s=60, color="k")
        ax.annotate(f"y = {lab + 1}", x, textcoords="offset points", xytext=(5, 5))
    ax.set_xlabel(r"$x_1$")
    ax.set_ylabel(r"$x_2$")
    ax.set_title(r"regions $\mathrm{argmax}_k\, w_k^\top x$ after the trace")
    res.figure(fig, "The three points and the regions of the final W (no bias: cones at 0).")
    return res
