"""CS 577 Lecture 04's perceptron: the loss's gradient cases and the wrap-around past sample N.

"Perceptron loss": ∇_w max{0, −y wᵀx} is 0 if y wᵀx > 0 (case 2) and (−1)·y x if y wᵀx < 0
(case 1) — checked on byhand's :class:`~byhand.nn.PerceptronLoss` backward through a bias-free
:class:`~byhand.nn.Linear`. "Perceptron: an example": the samples are visited as
x⁽¹⁾, …, x⁽ᴺ⁾, x⁽ᴺ⁺¹ ᵐᵒᵈ ᴺ⁾, … ("could be larger than N", "wrap around") — byhand's
:class:`~byhand.linear_model.Perceptron` with ``T`` steps against a literal loop over t mod N.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from byhand import nn
from byhand.datasets import make_separable
from byhand.experiments import ExperimentResult, experiment
from byhand.linear_model import Perceptron
from byhand.plotting import PALETTE, subplots

LECTURE = "cs577-04"


def loss_gradient(w: np.ndarray, x: np.ndarray, y: int) -> np.ndarray:
    """∇_w max{0, −y wᵀx} from byhand: PerceptronLoss backward through Linear(d, 1, no bias)."""
    lin = nn.Linear(len(w), 1, bias=False, dtype=np.float64)
    lin.weight.data[:, 0] = w
    loss = nn.PerceptronLoss()
    loss.forward(lin(x[None]), np.array([y]))
    lin.zero_grad()
    lin.backward(loss.backward())
    return lin.weight.grad[:, 0].copy()


def wrapped_loop(X: np.ndarray, y: np.ndarray, T: int) -> tuple[np.ndarray, list[int]]:
    """The slide's algorithm for t = 1 … T over x⁽ᵗ ᵐᵒᵈ ᴺ⁾: returns w and the update steps."""
    w = np.zeros(X.shape[1])
    steps = []
    for t in range(T):
        x, label = X[t % len(y)], y[t % len(y)]
        if label * (w @ x) <= 0:
            w = w + label * x
            steps.append(t + 1)
    return w, steps


@experiment(
    "perceptron-loss-cases",
    title="The perceptron loss's gradient cases, and the perceptron wrapping around past N",
    lecture=LECTURE,
    number=208,
    covers=[(LECTURE, "Perceptron loss"), (LECTURE, "Perceptron: an example")],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    rng = np.random.default_rng(seed)
    res = ExperimentResult()
    trials = 200 if quick else 2000
    err = {"case 1 (y wᵀx < 0)": 0.0, "case 2 (y wᵀx > 0)": 0.0}
    seen = {k: 0 for k in err}
    for _ in range(trials):
        d = int(rng.integers(1, 6))
        w, x = rng.normal(size=d), rng.normal(size=d)
        y = int(rng.choice([-1, 1]))
        g = loss_gradient(w, x, y)
        key = "case 1 (y wᵀx < 0)" if y * (w @ x) < 0 else "case 2 (y wᵀx > 0)"
        want = -y * x if key.startswith("case 1") else np.zeros(d)
        err[key] = max(err[key], float(np.max(np.abs(g - want))))
        seen[key] += 1
    res.claim(
        LECTURE,
        "Perceptron loss",
        "∇_w max{0, −y wᵀx} = 0 if y wᵀx > 0 and (−1)·y x if y wᵀx < 0 (byhand's backward)",
        {"max error": err, "samples": seen},
        bool(max(err.values()) < 1e-15 and min(seen.values()) > 10),
        kind="exact",
        detail=f"{trials} random (w, x, y), d = 1…5, one sample each through byhand's "
        "Linear(d, 1, bias=False) and PerceptronLoss",
        rule=(
            "max |byhand's gradient − the slide's case| < 1e-15 in each case, each case met more "
            "than 10 times"
        ),
        source="lecture",
        quote=r"$(-1) \cdot y^{(t)} \mathbf{x}^{(t)}$ if "
        r"$y^{(t)} \mathbf{w}^T \mathbf{x}^{(t)} < 0$",
    )
    g0 = loss_gradient(np.array([1.0, -1.0]), np.array([1.0, 1.0]), 1)
    res.claim(
        LECTURE,
        "Perceptron loss",
        "at y wᵀx = 0 (the slide gives no case) byhand takes the update's −y x, as the "
        "perceptron's rule 'else w ← w + y x' needs",
        g0.tolist(),
        bool(np.array_equal(g0, [-1.0, -1.0])),
        kind="exact",
        target=[-1.0, -1.0],
        rule="byhand's gradient equals −y x = [−1, −1] exactly",
        detail="w = [1, −1], x = [1, 1], y = +1: wᵀx = 0",
        source="byhand",
        reason="the slide's cases are strict (> 0, < 0); at 0 byhand picks the subgradient that "
        "makes SGD with m = 1, η = 1 the perceptron of 'Perceptron update' (2.2 Else)",
    )
    # wrap around: a separable set that needs more than one pass
    n = 12
    for s in range(seed, seed + 100):
        data = make_separable(n, random_state=s)
        X, y = data.X, data.y
        w_lit, steps = wrapped_loop(X, y, 6 * n)
        if any(t > n for t in steps):
            break
    T = 6 * n
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = Perceptron(T=T, fit_intercept=False).fit(X, y)
    w_b = model.coef_.ravel()
    late = [t for t in steps if t > n]
    res.claim(
        LECTURE,
        "Perceptron: an example",
        "t can be larger than N: the samples wrap around (x⁽ᴺ⁺¹ ᵐᵒᵈ ᴺ⁾, …), and byhand's "
        "Perceptron(T) takes the same steps",
        {
            "w (byhand)": w_b.tolist(),
            "w (literal loop)": w_lit.tolist(),
            "updates after t = N": late,
        },
        bool(np.array_equal(w_b, w_lit) and len(late) > 0),
        kind="exact",
        rule="byhand's w equals the literal loop's w exactly, and some update happens after "
        "t = N (the wrap-around is exercised)",
        detail=f"N = {n} separable points (make_separable, seed {s}), T = {T} steps in order, "
        "no bias; the literal loop of the slide over t mod N",
        source="lecture",
        quote=r"$$x^{(1)}, \dots, x^{(N)}, x^{(N+1 \% N)}$$",
    )
    fig, ax = subplots(figsize=(6, 3.2))
    ax.eventplot([steps], colors=PALETTE[0], lineoffsets=0.5, linelengths=0.6)
    for k in range(1, T // n + 1):
        ax.axvline(k * n + 0.5, color="k", lw=0.5)
    ax.set_xlabel("step t (vertical lines: a pass over the N samples ends)")
    ax.set_yticks([])
    ax.set_title("updates of the perceptron, wrapping around past N")
    res.figure(
        fig,
        "The steps at which the perceptron updates w; the ones after t = N come from "
        "the wrap-around x⁽ᵗ ᵐᵒᵈ ᴺ⁾.",
    )
    return res
