"""relu and its derivative, and where byhand's convention is not the lecture's.

CS 577 Lecture 03 (Wang, IIT, 2024), "Activation function": relu(z) := max{0, z},
relu′(z) = 1 for z ≥ 0 and 0 for z < 0; "Note: Plot relu and its derivative" (Lecture 04 repeats
the slide). byhand's :class:`~byhand.nn.ReLU` follows PyTorch: relu′(0) = 0. Away from 0 both
agree; at z = 0 the claim *differs*, with that cause.
"""

from __future__ import annotations

import numpy as np

from byhand import nn
from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import PALETTE, subplots

L03, L04 = "cs577-03", "cs577-04"
SLIDE = "Activation function"


def relu_and_derivative(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """byhand's ReLU forward and its backward of ones: (relu(z), relu′(z))."""
    m = nn.ReLU()
    out = m.forward(z.copy()).copy()
    return out, m.backward(np.ones_like(z)).copy()


@experiment(
    "relu-derivative",
    title="relu(z) = max{0, z} and relu′(z): the slide's relu′(0) = 1 against byhand's 0",
    lecture=L03,
    number=205,
    covers=[(L03, SLIDE), (L04, SLIDE)],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    rng = np.random.default_rng(seed)
    z = np.concatenate([rng.normal(scale=3.0, size=1000 if quick else 10000), [-1e-300, 1e-300]])
    z = z[z != 0]
    r, d = relu_and_derivative(z)
    fwd = bool(np.array_equal(r, np.where(z > 0, z, 0.0)))
    slide_d = np.where(z >= 0, 1.0, 0.0)
    away = bool(np.array_equal(d, slide_d))
    res = ExperimentResult()
    res.claim(
        L03,
        SLIDE,
        "relu(z) := max{0, z}; its derivative is 1 for z > 0 and 0 for z < 0 (byhand's "
        "forward and backward)",
        {"forward equal": fwd, "derivative equal off 0": away},
        fwd and away,
        kind="exact",
        detail=f"{len(z)} random z ≠ 0 (with ±1e−300), byhand's nn.ReLU, backward of ones",
        source="lecture",
        quote=r"$$\text{relu}(z) := \max\{0, z\}$$",
        rule="byhand's forward equals max{0, z} and its backward the step (1 if z > 0, else 0) "
        "exactly, at every sampled z ≠ 0",
    )
    # Lecture 04 repeats relu(z) := max{0, z} and asks for the plot of relu and its
    # derivative: its claim is on that figure (the curves drawn below), not restated
    t = np.linspace(-3, 3, 601)
    rt, dt = relu_and_derivative(t)
    off0 = t != 0
    plot_ok = bool(
        np.array_equal(rt, np.maximum(t, 0.0))
        and np.array_equal(dt[off0], (t[off0] > 0).astype(float))
    )
    res.claim(
        L04,
        SLIDE,
        "'Plot relu and its derivative': the figure's curves are byhand's forward (max{0, z}) "
        "and backward (a step from 0 to 1 at z = 0)",
        {"points plotted": len(t), "curves as the formula": plot_ok},
        plot_ok,
        kind="exact",
        detail="601 points of [−3, 3] through byhand's nn.ReLU forward and backward of ones",
        source="lecture",
        quote="**Note:** Plot “relu” and its derivative",
        rule="at every plotted z the forward equals max{0, z} exactly, and off z = 0 the "
        "backward equals 1 for z > 0, 0 for z < 0",
    )
    _, d0 = relu_and_derivative(np.zeros(1))
    res.claim(
        L03,
        SLIDE,
        "at z = 0 the slide takes relu′(0) = 1 (z ≥ 0)",
        float(d0[0]),
        bool(d0[0] == 1.0),
        kind="exact",
        target=1.0,
        lecture_value=1,
        rule="byhand's relu′(0) equals the lecture's 1 exactly",
        detail="byhand's nn.ReLU backward of an upstream gradient 1 at z = 0",
        source="lecture",
        quote=r"$$\text{relu}'(z) = \begin{cases} 1 & z \geq 0 \\ 0 & z < 0 \end{cases}$$",
        differs="byhand follows PyTorch's convention relu′(0) = 0 (a subgradient, like the "
        "slide's 1); it matters only for inputs exactly 0, e.g. a bias-free unit at x = 0",
    )
    fig, ax = subplots(figsize=(6, 3.6))
    ax.plot(t, rt, color=PALETTE[0], label="relu(z) (byhand forward)")
    ax.plot(t, dt, color=PALETTE[1], label="relu′(z) (byhand backward)")
    ax.plot([0], [1], "o", mfc="white", color=PALETTE[2], label="slide: relu′(0) = 1")
    ax.plot([0], [d0[0]], "o", color=PALETTE[1], label="byhand: relu′(0) = 0")
    ax.set_xlabel("z")
    ax.legend(fontsize=8)
    res.figure(
        fig,
        "“Plot relu and its derivative”: byhand's forward and backward; the two "
        "conventions at z = 0.",
    )
    return res
