"""Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25).

"Multiclass classification – Multivariate logistic regression": an MLP with a softmax
output approaches the posterior P(C_k | x).
"""

from __future__ import annotations

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import subplots

LECTURE = "galerne-1"


@experiment(
    "multiclass-mlp-softmax",
    title="A multiclass MLP with softmax output approaches P(C_k | x)",
    lecture=LECTURE,
    number=117,
    covers=[(LECTURE, "Multiclass classification – Multivariate logistic regression")],
)
def multiclass_mlp_softmax(seed: int, quick: bool) -> ExperimentResult:
    import warnings

    from scipy.stats import multivariate_normal
    from sklearn.exceptions import ConvergenceWarning

    from byhand.neural_network import MLPClassifier

    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 1.5], [-1.5, -1.0], [1.5, -1.0]])
    n = 1500 if quick else 6000
    y = rng.integers(0, 3, size=n)
    X = centers[y] + rng.normal(size=(n, 2))
    Xt = rng.uniform(-3, 3, size=(2000, 2))
    dens = np.column_stack([multivariate_normal(c, np.eye(2)).pdf(Xt) for c in centers])
    post = dens / dens.sum(axis=1, keepdims=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net = MLPClassifier(
            (16,),
            learning_rate=0.02,
            max_iter=60 if quick else 120,
            batch_size=64,
            tol=None,
            dtype="float64",
            random_state=seed,
        ).fit(X, y)
    p = net.predict_proba(Xt)
    mae = float(np.mean(np.abs(p - post)))
    agree = float(np.mean(net.predict(Xt) == np.argmax(post, axis=1)))
    res = ExperimentResult()
    res.claim(
        LECTURE,
        "Multiclass classification – Multivariate logistic regression",
        "a ReLU hidden layer with a softmax output trained by cross-entropy gives y_k ≈ "
        "P(C_k | x): its outputs are close to the true posteriors of three Gaussian classes",
        {"mean |y_k − P(C_k|x)|": mae, "argmax agreement with the Bayes rule": agree},
        bool(mae < 0.05 and agree > 0.95),
        kind="numeric",
        target={"mean abs error": "< 0.05", "agreement": "> 0.95"},
        detail=f"{n} training points from N(c_k, I), k = 1, 2, 3, equal priors; byhand's "
        "MLPClassifier (16 ReLU units, softmax, cross-entropy); 2000 test points in [−3, 3]²",
        source="byhand",
        reason="the lecture's limit statement (infinite data, enough flexibility) has no "
        "finite-sample number; a mean error of 5 probability points and 95 % agreement with "
        "the Bayes decision are byhand's bars for 'approaches' at this N",
        rule="mean |y_k − P(C_k|x)| < 0.05 and argmax agreement > 95 % (thresholds byhand's)",
    )
    fig, axes = subplots(1, 2, figsize=(10, 4))
    for ax, P, title in (
        (axes[0], post, r"true $P(C_1\,|\,x)$"),
        (axes[1], p, r"network's $y_1 = \mathrm{softmax}(a)_1$"),
    ):
        sc = ax.scatter(Xt[:, 0], Xt[:, 1], c=P[:, 0], s=5, cmap="viridis", vmin=0, vmax=1)
        ax.set_xlabel(r"$x_1$")
        ax.set_ylabel(r"$x_2$")
        ax.set_title(title)
    fig.colorbar(sc, ax=axes, label="probability of class 1")
    res.figure(fig, "The posterior of class 1: Bayes (left) and the softmax network (right).")
    return res


# --------------------------------------------------------------------------- 118
