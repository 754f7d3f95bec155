"""EE-559 3.3's bias-variance decomposition, on polynomial regressions fitted by byhand.

EE-559 3.3 (Fleuret, EPFL, 2019), "Linear separability and feature design": "Remember the
bias-variance tradeoff: E((Y − y)²) = (E(Y) − y)² + V(Y). The right class of models reduces the
bias more and increases the variance less." Y is the prediction at a fixed x of a model fitted on
a random training set; here byhand's :class:`~byhand.linear_model.LinearRegression` on
:class:`~byhand.preprocessing.PolynomialFeatures` of degree D, refitted on many noisy samples of
sin, with E((Y − y)²) measured by byhand's :class:`~byhand.nn.MSELoss`.
"""

from __future__ import annotations

import numpy as np

from byhand import nn
from byhand.datasets import make_sin_regression
from byhand.experiments import ExperimentResult, experiment
from byhand.linear_model import LinearRegression
from byhand.plotting import PALETTE, subplots
from byhand.preprocessing import PolynomialFeatures

LECTURE = "ee559-3"
SLIDE = "3.3. Linear separability and feature design"
DEGREES = (1, 3, 9)


@experiment(
    "bias-variance",
    title="E((Y − y)²) = (E(Y) − y)² + V(Y) over refitted polynomial regressions",
    lecture=LECTURE,
    number=210,
    covers=[(LECTURE, SLIDE, "bias-variance")],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    rng = np.random.default_rng(seed)
    B = 100 if quick else 1000
    x0 = np.array([[1.0]])
    y0 = float(np.sin(1.0))
    table, worst = [], 0.0
    for D in DEGREES:
        feats = PolynomialFeatures(degree=D, include_bias=False)
        Y = np.empty(B)
        for b in range(B):
            X, y = make_sin_regression(20, noise=0.3, random_state=rng)
            model = LinearRegression().fit(feats.fit_transform(X), y)
            Y[b] = model.predict(feats.transform(x0))[0]
        mse = nn.MSELoss().forward(Y[:, None], np.full(B, y0))
        bias2, var = (Y.mean() - y0) ** 2, Y.var()
        worst = max(worst, abs(mse - (bias2 + var)) / mse)
        table.append([D, float(mse), float(bias2), float(var)])
    res = ExperimentResult()
    res.claim(
        LECTURE,
        SLIDE,
        "E((Y − y)²) = (E(Y) − y)² + V(Y): byhand's mean squared error of the refitted "
        "predictions equals bias² + variance",
        {"max relative |MSE − (bias² + V)|": worst},
        bool(worst < 1e-10),
        kind="exact",
        detail=f"Y = prediction at x = 1 of LinearRegression on degree-D polynomial features, "
        f"refitted on {B} noisy samples of sin (20 points, noise 0.3); D ∈ {list(DEGREES)}; "
        "E and V over the refits (V with 1/B)",
        rule="max relative |MSE − (bias² + variance)| < 1e-10",
        source="lecture",
        quote=r"$$\mathbb{E}((Y - y)^2) = \underbrace{(\mathbb{E}(Y) - y)^2}_{\text{Bias}} + "
        r"\underbrace{\mathbb{V}(Y)}_{\text{Variance}}.$$",
    )
    b2 = [r[2] for r in table]
    v = [r[3] for r in table]
    res.claim(
        LECTURE,
        SLIDE,
        "a richer class of models lowers the bias and raises the variance (degree 1 → 9)",
        {f"D = {r[0]}": {"bias²": r[2], "variance": r[3]} for r in table},
        bool(b2[0] > b2[-1] and v[0] < v[-1]),
        kind="qualitative",
        detail="the same refits; bias² and variance at the lowest and the highest degree",
        rule=(
            "bias² at the lowest degree > at the highest, and variance at the lowest < at the "
            "highest"
        ),
        source="byhand",
        reason="the lecture states the decomposition and the aim ('reduces the bias more and "
        "increases the variance less'), not these numbers; the trade-off is shown on sin",
    )
    res.table("Bias and variance at x = 1", ["degree D", "E((Y − y)²)", "bias²", "V(Y)"], table)
    fig, ax = subplots(figsize=(5.5, 3.6))
    idx = np.arange(len(DEGREES))
    ax.bar(idx - 0.2, b2, 0.4, color=PALETTE[0], label="bias² (E(Y) − y)²")
    ax.bar(idx + 0.2, v, 0.4, color=PALETTE[1], label="variance V(Y)")
    ax.set_xticks(idx)
    ax.set_xticklabels([f"D = {D}" for D in DEGREES])
    ax.set_yscale("log")
    ax.legend(fontsize=8)
    res.figure(fig, "Bias² and variance of the prediction at x = 1 across refits.")
    return res
