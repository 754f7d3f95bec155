"""CS 577 Lecture 04's task table: model output → prediction → loss, row by row, on byhand's losses.

"Previously": x ↦ z = f(x; θ) ↦ ŷ = Pred(z); regression: a number, identity, squared error;
binary classification: a number, sign, perceptron or binary cross entropy; multiclass: a vector,
argmax, cross entropy. Each row is checked on the byhand loss that implements it: its
``predict`` (the Pred column) and its ``forward`` (the loss column) against the formulas.
"""

from __future__ import annotations

import numpy as np

from byhand import nn
from byhand.experiments import ExperimentResult, experiment

LECTURE = "cs577-04"
SLIDE = "Previously"


@experiment(
    "task-table",
    title="The task table: identity / sign / argmax and their losses, on byhand's losses",
    lecture=LECTURE,
    number=214,
    covers=[(LECTURE, SLIDE)],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    rng = np.random.default_rng(seed)
    n = 100 if quick else 1000
    res = ExperimentResult()
    z, y = rng.normal(size=n), rng.normal(size=n)
    mse = nn.MSELoss()
    ok_pred = bool(np.array_equal(mse.predict(z), z))
    err = abs(mse.forward(z, y) - np.mean((y - z) ** 2))
    res.claim(
        LECTURE,
        SLIDE,
        "regression: the model output is a number, Pred is the identity, the loss the squared "
        "error (byhand's MSELoss)",
        {"predict is the identity": ok_pred, "|forward − mean (y − z)²|": float(err)},
        bool(ok_pred and err < 1e-12),
        kind="exact",
        detail=f"{n} random (z, y)",
        rule="predict is the identity and |loss − the table's formula| < 1e-12",
        source="lecture",
        quote="Regression Number identity squared error",
    )
    z = np.concatenate([rng.normal(size=n), [0.0]])
    yb = rng.choice([-1, 1], size=n + 1)
    sign = np.where(z >= 0, 1, -1)
    perc, logi = nn.PerceptronLoss(), nn.LogisticLoss()
    preds = bool(np.array_equal(perc.predict(z), sign) and np.array_equal(logi.predict(z), sign))
    e_p = abs(perc.forward(z, yb) - np.mean(np.maximum(0, -yb * z)))
    e_l = abs(logi.forward(z, yb) - np.mean(np.log1p(np.exp(-yb * z))))
    res.claim(
        LECTURE,
        SLIDE,
        "binary classification: a number, Pred = sign, the perceptron loss max(0, −yz) or the "
        "binary cross entropy log(1 + e^{−yz}) (byhand's PerceptronLoss, LogisticLoss)",
        {"predict is sign (sign(0) = +1)": preds, "perceptron": float(e_p), "logistic": float(e_l)},
        bool(preds and e_p < 1e-12 and e_l < 1e-12),
        kind="exact",
        detail=f"{n} random z (and z = 0), y ∈ {{−1, +1}}",
        rule="predict is sign and both losses within 1e-12 of the table's formulas",
        source="lecture",
        quote="Binary classification Number sign perceptron binary cross entropy",
    )
    K = 5
    Z = rng.normal(scale=2.0, size=(n, K))
    Y = rng.integers(K, size=n)
    ce = nn.CrossEntropyLoss()
    pred_ok = bool(np.array_equal(ce.predict(Z), np.argmax(Z, axis=1)))
    ref = np.mean(np.log(np.exp(Z).sum(axis=1)) - Z[np.arange(n), Y])
    e_c = abs(ce.forward(Z, Y) - ref)
    res.claim(
        LECTURE,
        SLIDE,
        "multiclass classification: a vector, Pred = argmax, the cross entropy "
        "−log softmax(z)_y (byhand's CrossEntropyLoss)",
        {"predict is argmax": pred_ok, "|forward − mean −log softmax(z)_y|": float(e_c)},
        bool(pred_ok and e_c < 1e-12),
        kind="exact",
        detail=f"{n} random z ∈ ℝ⁵, y ∈ {{0, …, 4}}",
        rule="predict is argmax and |loss − the table's cross entropy| < 1e-12",
        source="lecture",
        quote="Multiclass classification Vector argmax cross entropy",
    )
    return res
