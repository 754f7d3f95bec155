"""CS 577 Lecture 04: the perceptron as SGD, and why full-batch fails.

Experiment 10 ("Perceptron as stochastic gradient descent (SGD)"): SGD with m = 1 and
η = 1 on L(z, y) = max{0, −yz} is the perceptron update. Experiment 11 ("Breakout
session": the "full-batch" version of perceptron — "Does it work? Nope." — "What if you
use a smaller stepsize like η_t = 0.1? Nope." — "What would be a better choice? The logistic
loss."). The perceptron loss is positively homogeneous, so from w = 0 the iterates of
η = 0.1 are exactly 0.1 times those of η = 1: a smaller step cannot help.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from byhand import nn, optim
from byhand.datasets import make_gaussian_classes
from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import learning_curves, subplots
from byhand.training import fit

LECTURE = "cs577-04"


def sgd_on_perceptron_loss(X: np.ndarray, y: np.ndarray, steps: int) -> np.ndarray:
    """The algorithm box: m = 1, η = 1, samples in order, θ ← θ − ∇ max{0, −y wᵀx}."""
    unit = nn.Linear(X.shape[1], 1, bias=False, init="zeros", dtype=np.float64)
    loss = nn.PerceptronLoss()
    opt = optim.SGD(unit.parameters(), lr=1.0)
    for t in range(steps):
        i = t % len(y)
        opt.zero_grad()
        loss.forward(unit.forward(X[i : i + 1]), y[i : i + 1])
        unit.backward(loss.backward())
        opt.step()
    return unit.weight.data[:, 0].copy()


@experiment(
    "perceptron-is-sgd",
    title="The perceptron is SGD with m = 1, η = 1 on max(0, −yz)",
    lecture=LECTURE,
    number=10,
    covers=[
        ("cs577-01", "Perceptron: is this SGD?"),
        ("cs577-03", "Perceptron: is this SGD?"),
        ("cs577-04", "Perceptron loss"),
        ("cs577-04", "Perceptron as stochastic gradient descent (SGD)"),
    ],
)
def perceptron_is_sgd(seed: int, quick: bool) -> ExperimentResult:
    from byhand.linear_model import Perceptron

    # Overlapping classes (labels from a noisy linear rule): the perceptron never settles, so
    # the two runs are compared over thousands of updates, not a handful.
    rng = np.random.default_rng(seed)
    n = 100 if quick else 400
    X = rng.normal(size=(n, 5))
    y = np.where(X @ rng.normal(size=5) + rng.normal(scale=1.0, size=n) >= 0, 1, -1)
    steps = 20 * len(y)
    w_sgd = sgd_on_perceptron_loss(X, y, steps)
    with warnings.catch_warnings():  # overlapping classes: never converged, on purpose
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = Perceptron(T=steps, fit_intercept=False).fit(X, y)
    w_perc = model.coef_.ravel()
    res = ExperimentResult()
    res.claim(
        LECTURE,
        "Perceptron as stochastic gradient descent (SGD)",
        "update rule in percep alg ≡ SGD with m = 1 (η_t = 1, L(z, y) = max{0, −yz})",
        {
            "max |w_sgd − w_perceptron|": float(np.max(np.abs(w_sgd - w_perc))),
            "steps": steps,
            "updates": int(np.sum(model.mistakes_)),
        },
        bool(np.array_equal(w_sgd, w_perc) and np.sum(model.mistakes_) >= len(y)),
        kind="exact",
        detail="byhand.nn Linear + PerceptronLoss + SGD(lr=1) against byhand Perceptron "
        "in online mode, bit for bit, on overlapping classes (at least one update per sample "
        "on average is required, so that the equality is tested on many updates)",
        source="lecture",
        quote="update rule in percep alg ≡ SGD with $m = 1$",
        rule="byhand.fit's w equals the perceptron's exactly, with ≥ N updates",
    )
    res.table(
        "Final weights, side by side",
        ["i", "SGD on max(0, −yz)", "Perceptron"],
        [
            [i, repr(float(a)), repr(float(b))]
            for i, (a, b) in enumerate(zip(w_sgd, w_perc, strict=True))
        ],
    )
    return res


def _full_batch(X, y, loss, lr, iterations):
    unit = nn.Linear(X.shape[1], 1, init="zeros", dtype=np.float64)
    weights, errors, losses = [], [], []

    def record(state) -> None:
        w = np.r_[unit.weight.data[:, 0], unit.bias.data]
        weights.append(w)
        errors.append(float(np.mean(np.where(X @ w[:-1] + w[-1] >= 0, 1, -1) != y)))
        losses.append(loss.forward(unit.forward(X), y))

    record(None)
    fit(
        unit,
        loss,
        optim.SGD(unit.parameters(), lr),
        X,
        y,
        epochs=iterations,
        batch_size=None,
        callbacks=[record],
        verbose=0,
    )
    return np.array(weights), np.array(errors), np.array(losses)


@experiment(
    "full-batch-perceptron",
    title="Full-batch perceptron: “Does it work? Nope.” — the logistic loss does",
    lecture=LECTURE,
    number=11,
    covers=[
        ("cs577-04", "Breakout session"),
    ],
)
def full_batch_perceptron(seed: int, quick: bool) -> ExperimentResult:
    iters = 200 if quick else 1000
    X, y = make_gaussian_classes(200 if quick else 500, noise=1.0, random_state=seed)
    y = np.where(y == np.max(y), 1, -1)
    w1, err1, _ = _full_batch(X, y, nn.PerceptronLoss(), 1.0, iters)
    w01, err01, _ = _full_batch(X, y, nn.PerceptronLoss(), 0.1, iters)
    _, err_log, loss_log = _full_batch(X, y, nn.LogisticLoss(), 0.1, iters)
    ratio_gap = float(np.max(np.abs(w01 - 0.1 * w1)) / np.max(np.abs(w1)))
    res = ExperimentResult()
    slide = "Breakout session"
    res.claim(
        LECTURE,
        slide,
        "What if you use a smaller stepsize like η_t = 0.1? Nope: the η = 0.1 iterates "
        "are 0.1 × the η = 1 iterates (positive homogeneity)",
        ratio_gap,
        ratio_gap < 1e-12,
        kind="exact",
        detail="max_k |w_k(0.1) − 0.1·w_k(1)| / max|w_k(1)| over all iterations",
        source="lecture",
        quote="2. What if you use a smaller stepsize like  $\\eta_t = 0.1$ ? Nope.",
        rule="max |w(η = 0.1) − 0.1·w(η = 1)| relative < 1e-12",
    )
    tail = err1[len(err1) // 2 :]
    changes = int(np.count_nonzero(np.diff(tail)))
    res.claim(
        LECTURE,
        slide,
        "Does it work? Nope: the full-batch perceptron's training error does not settle",
        {
            "error changes in the last half": changes,
            "last-half error range": [float(tail.min()), float(tail.max())],
        },
        bool(changes >= len(tail) // 10 and tail.max() - err_log[-1] >= 0.05),
        kind="qualitative",
        detail="overlapping Gaussian classes; η = 1, from w = 0. byhand's reading of 'Nope': in "
        "the last half of the run the error changes at ≥ 10 % of the iterations and climbs at "
        "least 5 points above the logistic run's final error "
        f"({float(err_log[-1]):.3f})",
        source="lecture",
        quote="Does it work? Nope.",
        category="observation",
        rule="in the last half, the training error changes at ≥ 10 % of the steps and rises ≥ "
        "0.05 above the logistic run's final error (thresholds byhand's reading of 'Nope')",
    )
    steps = np.diff(loss_log)
    res.claim(
        LECTURE,
        slide,
        "What would be a better choice? The logistic loss: GD decreases it at every step",
        {"max step change": float(steps.max()), "final error": float(err_log[-1])},
        bool(np.all(steps < 0)),
        kind="qualitative",
        detail="η = 0.1, full batch",
        source="lecture",
        quote="3. Is this a good loss function? What would be a better choice? The logistic loss.",
        rule="every GD step lowers the logistic loss",
    )
    fig, axes = subplots(1, 2, figsize=(10, 4))
    learning_curves(
        {
            "perceptron loss, η = 1": err1,
            "perceptron loss, η = 0.1": err01,
            "logistic loss, η = 0.1": err_log,
        },
        ax=axes[0],
        ylabel="training error",
    )
    learning_curves({"logistic loss": loss_log}, ax=axes[1], ylabel=r"$J(\theta_k)$")
    res.figure(
        fig,
        "Full-batch GD. Left: training error per iteration — the two perceptron "
        "runs coincide (scale invariance) and keep jumping. Right: the logistic "
        "loss falls at every step.",
    )
    return res
