"""The logistic function: its plot, 1 − σ(z) = σ(−z), and the probabilities it gives.

CS 577 Lecture 04 (Wang, IIT, 2024), "What exactly is p_model(y | x; θ)?": sigmoid(z) =
1/(1 + e^{−z}) ("aka logistic function") turns wᵀx ∈ ℝ into the Bernoulli parameter p ∈ [0, 1];
"Breakout session: Maximum likelihood", case y = −1: 1 − sigmoid(z) = e^{−z}/(1 + e^{−z}) =
1/(1 + e^z). EE-559 3.2 (Fleuret, EPFL, 2019): σ "looks like a soft heavyside", and
1 − σ(x) = σ(−x), hence P(Y = y | X = x) = σ(y(w·x + b)) for y ∈ {−1, 1}. Checked on byhand's
:func:`~byhand.nn.functional.sigmoid`, :class:`~byhand.nn.Sigmoid`,
:class:`~byhand.nn.LogisticLoss` and :class:`~byhand.linear_model.LogisticRegression`.
"""

from __future__ import annotations

import itertools

import numpy as np

from byhand import nn
from byhand.datasets import make_gaussian_classes
from byhand.experiments import ExperimentResult, experiment
from byhand.linear_model import LogisticRegression
from byhand.nn.functional import sigmoid
from byhand.plotting import PALETTE, subplots

L04, EE = "cs577-04", "ee559-3"
P_MODEL = "What exactly is"
ML = "Breakout session: Maximum likelihood"
S32 = "3.2. Probabilistic view of a linear classifier"


@experiment(
    "logistic-function",
    title="The logistic function: plot, 1 − σ(z) = σ(−z), a soft Heaviside, P(Y = y | x)",
    lecture=L04,
    number=204,
    covers=[
        (L04, P_MODEL, "logistic"),
        (L04, ML, "1 − sigmoid"),
        (EE, S32, "sigmoid"),
        (EE, S32, "symmetry"),
    ],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    rng = np.random.default_rng(seed)
    res = ExperimentResult()
    z = np.concatenate([np.linspace(-40, 40, 2001), [-1000.0, 0.0, 1000.0]])
    s = sigmoid(z)
    mod = nn.Sigmoid()
    s_mod = mod.forward(z[:, None].copy()).ravel()
    safe = np.abs(z) <= 700
    ref = 1.0 / (1.0 + np.exp(-z[safe]))
    err = float(np.max(np.abs(s[safe] - ref)))
    ok = bool(
        err < 1e-15
        and np.array_equal(s, s_mod)
        and np.all((s >= 0) & (s <= 1))
        and np.all(np.diff(s[:2001]) >= 0)
        and s[-2] == 0.5
    )
    res.claim(
        L04,
        P_MODEL,
        "sigmoid(z) = 1/(1 + e^{−z}) maps ℝ into [0, 1], increasing, sigmoid(0) = 1/2: a "
        "Bernoulli parameter p from wᵀx",
        {"max |sigmoid − 1/(1 + e^{−z})|": err, "sigmoid(±1000)": [float(s[-3]), float(s[-1])]},
        ok,
        kind="exact",
        detail="byhand's functional.sigmoid and nn.Sigmoid on 2001 points of [−40, 40] and "
        "±1000 (finite, no overflow), against the formula where exp does not overflow",
        rule=(
            "max |byhand's sigmoid − 1/(1 + e^{−z})| < 1e-15 (|z| ≤ 700), values in [0, 1], non-"
            "decreasing, sigmoid(0) = 0.5 exactly"
        ),
        source="lecture",
        quote=r"$$\text{sigmoid}(z) = \frac{1}{1 + e^{-z}}$$",
    )
    zz = rng.normal(scale=5.0, size=2000 if quick else 20000)
    one_minus = 1.0 - sigmoid(zz)
    forms = (
        np.abs(one_minus - np.exp(-zz) / (1 + np.exp(-zz))).max(),
        np.abs(one_minus - 1 / (1 + np.exp(zz))).max(),
    )
    res.claim(
        L04,
        ML,
        "case y = −1: Bern(0; sigmoid(z)) = 1 − sigmoid(z) = e^{−z}/(1 + e^{−z}) = 1/(1 + e^z)",
        {"vs e^{−z}/(1 + e^{−z})": float(forms[0]), "vs 1/(1 + e^z)": float(forms[1])},
        bool(max(forms) < 1e-12),
        kind="exact",
        detail=f"{len(zz)} random z ~ N(0, 5²), byhand's sigmoid",
        rule="every form of the identity within 1e-12 of byhand's 1 − sigmoid(z)",
        source="lecture",
        quote=r"$$= \frac{e^{-z}}{1 + e^{-z}} = \frac{1}{1 + e^z}$$",
    )
    sym = float(np.max(np.abs((1.0 - sigmoid(zz)) - sigmoid(-zz))))
    # P(Y = y | x) = σ(y(w·x + b)): byhand's fitted logistic regression and its loss
    X, y01 = make_gaussian_classes(200 if quick else 2000, random_state=seed)
    y = np.where(y01 == 1, 1, -1)
    model = LogisticRegression(solver="newton").fit(X, y)
    f = model.decision_function(X)
    P = model.predict_proba(X)
    p_true = P[np.arange(len(y)), np.searchsorted(model.classes_, y)]
    loss = nn.LogisticLoss()
    nll = np.array([loss.forward(f[i : i + 1], y[i : i + 1]) for i in range(len(y))])
    prob_err = float(np.max(np.abs(p_true - sigmoid(y * f))))
    nll_err = float(np.max(np.abs(nll + np.log(sigmoid(y * f)))))
    res.claim(
        EE,
        S32,
        "1 − σ(x) = σ(−x), hence P(Y = y | X = x) = σ(y(w·x + b)) for y ∈ {−1, 1}: byhand's "
        "probabilities, and its loss −log σ(y f) per sample",
        {
            "max |1 − σ(x) − σ(−x)|": sym,
            "max |predict_proba[y] − σ(y f)|": prob_err,
            "max |LogisticLoss + log σ(y f)|": nll_err,
        },
        bool(sym < 1e-15 and prob_err < 1e-15 and nll_err < 1e-12),
        kind="exact",
        detail="byhand's sigmoid on random x; LogisticRegression fitted on two Gaussian classes, "
        "its predict_proba of the true class and LogisticLoss on single samples",
        rule=(
            "max |1 − σ(x) − σ(−x)| < 1e-15, the probability within 1e-15 and the negative log-"
            "likelihood within 1e-12 of byhand's"
        ),
        source="lecture",
        quote=r"$$1 - \sigma(x) = 1 - \frac{1}{1 + e^{-x}} = \sigma(-x),$$",
    )
    xs = np.linspace(-3, 3, 601)
    far = np.abs(xs) >= 0.5
    gaps = {}
    for k in (1, 4, 16, 64):
        sk = mod.forward((k * xs)[:, None].copy()).ravel()
        gaps[k] = float(np.max(np.abs(sk[far] - (xs[far] >= 0))))
    vals = list(gaps.values())
    res.claim(
        EE,
        S32,
        "σ looks like a “soft heavyside”: σ(kx) approaches the step 1{x ≥ 0} away from 0 as k "
        "grows",
        {f"k = {k}": v for k, v in gaps.items()},
        bool(all(a > b for a, b in itertools.pairwise(vals)) and vals[-1] < 1e-12),
        kind="qualitative",
        detail="max over |x| ≥ 0.5 of |σ(kx) − 1{x ≥ 0}|, byhand's nn.Sigmoid",
        rule=(
            "the distance to the step shrinks strictly as k grows, and is < 1e-12 at the largest k"
        ),
        source="lecture",
        quote="looks like a “soft heavyside”",
    )
    fig, axes = subplots(1, 2, figsize=(10, 3.6))
    t = np.linspace(-8, 8, 400)
    axes[0].plot(t, sigmoid(t), color=PALETTE[0], label="sigmoid(z)")
    axes[0].plot(t, 1 - sigmoid(t), "--", color=PALETTE[1], label="1 − sigmoid(z) = sigmoid(−z)")
    axes[0].axhline(0.5, color="k", lw=0.5)
    axes[0].set_xlabel("z")
    axes[0].legend(fontsize=8)
    axes[0].set_title("the logistic function")
    for i, k in enumerate((1, 4, 16)):
        axes[1].plot(xs, sigmoid(k * xs), color=PALETTE[i], label=f"σ({k}x)")
    axes[1].step(xs, xs >= 0, "k", lw=0.8, where="post", label="1{x ≥ 0}")
    axes[1].set_xlabel("x")
    axes[1].legend(fontsize=8)
    axes[1].set_title("a soft Heaviside")
    res.figure(
        fig,
        "The logistic function, its mirror image 1 − σ(z) = σ(−z), and σ(kx) "
        "approaching the step as k grows.",
    )
    return res
