"""Experiment 15: threshold logic units compute and / or / not, hence any Boolean function.

EE-559 (Fleuret, EPFL, 2019) "3.1. The perceptron": the Threshold Logic Unit
f(x) = 1{w Σᵢ xᵢ + b >= 0} implements or(u, v) = 1{u + v − 0.5 >= 0} (w = 1, b = −0.5),
and(u, v) = 1{u + v − 1.5 >= 0} (w = 1, b = −1.5), not(u) = 1{−u + 0.5 >= 0} (w = −1, b = 0.5);
"Hence, any Boolean function can be build with such units" (McCulloch and Pitts, 1943).
Each unit is a byhand :class:`~byhand.nn.Linear` with the lecture's weights followed by the step
1{s >= 0} = (Sign(s) + 1)/2; truth tables are compared with Python's own ``or``/``and``/``not``.
"""

from __future__ import annotations

import itertools

import numpy as np

from byhand import nn
from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import PALETTE, subplots

LECTURE = "ee559-3"
#: The slide's lines defining each unit.
TLU_QUOTES = {
    "or": r"$$or(u, v) = \mathbf{1}_{\{u+v-0.5 \geq 0\}} \quad (w = 1, b = -0.5)$$",
    "and": r"$$and(u, v) = \mathbf{1}_{\{u+v-1.5 \geq 0\}} \quad (w = 1, b = -1.5)$$",
    "not": r"$$not(u) = \mathbf{1}_{\{-u+0.5 \geq 0\}} \quad (w = -1, b = 0.5)$$",
}
SLIDE = "3.1. The perceptron (Threshold Logic Unit)"

#: the lecture's units: (number of inputs, w, b)
UNITS = {"or": (2, 1.0, -0.5), "and": (2, 1.0, -1.5), "not": (1, -1.0, 0.5)}


class TLU(nn.Module):
    """f(x) = 1{w Σᵢ xᵢ + b >= 0}: a Linear layer with all weights w, bias b, then a step."""

    def __init__(self, n_inputs: int, w: float, b: float) -> None:
        self.linear = nn.Linear(n_inputs, 1, dtype=np.float64)
        self.linear.weight.data[...] = w
        self.linear.bias.data[...] = b
        self.sign = nn.Sign()

    def forward(self, x: np.ndarray) -> np.ndarray:
        s = self.linear(np.asarray(x, dtype=np.float64))
        return ((self.sign(s) + 1) / 2).astype(int)[:, 0]


def truth_table(unit: TLU, n_inputs: int) -> tuple[np.ndarray, np.ndarray]:
    """All inputs in {0, 1}^n (binary order) and the unit's outputs."""
    X = np.array(list(itertools.product((0, 1), repeat=n_inputs)))
    return X, unit(X)


@experiment(
    "tlu-logic",
    title="Threshold logic units: and, or, not (and so xor)",
    lecture=LECTURE,
    number=15,
    covers=[
        ("ee559-3", "3.1. The perceptron", "TLU"),
    ],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    """Truth tables of the lecture's TLUs; xor composed of them."""
    res = ExperimentResult()
    oracle = {
        "or": lambda u, v: int(bool(u) or bool(v)),
        "and": lambda u, v: int(bool(u) and bool(v)),
        "not": lambda u: int(not bool(u)),
    }
    units = {name: TLU(*spec) for name, spec in UNITS.items()}
    rows = []
    for name, (n_in, w, b) in UNITS.items():
        X, out = truth_table(units[name], n_in)
        expected = np.array([oracle[name](*x) for x in X])
        res.claim(
            LECTURE,
            SLIDE,
            f"{name}(u{', v' if n_in == 2 else ''}) = 1{{{'u+v' if n_in == 2 else '−u'}"
            f"{b:+g} ≥ 0}} (w = {w:g}, b = {b:g}) implements {name}",
            out.tolist(),
            bool(np.array_equal(out, expected)),
            kind="exact",
            target=expected.tolist(),
            source="lecture",
            quote=TLU_QUOTES[name],
            detail="outputs on inputs " + ", ".join("".join(map(str, x)) for x in X),
        )
        rows += [
            [name, " ".join(map(str, x)), int(o), int(e)]
            for x, o, e in zip(X, out, expected, strict=True)
        ]

    # any Boolean function: xor(u, v) = and(or(u, v), not(and(u, v)))
    X = np.array(list(itertools.product((0, 1), repeat=2)))
    o = units["or"](X)
    a = units["and"](X)
    na = units["not"](a[:, None])
    xor = units["and"](np.column_stack([o, na]))
    expected = np.array([int(u != v) for u, v in X])
    res.claim(
        LECTURE,
        SLIDE,
        "any Boolean function can be built with such units: xor(u, v) = and(or(u, v), "
        "not(and(u, v)))",
        xor.tolist(),
        bool(np.array_equal(xor, expected)),
        kind="exact",
        target=expected.tolist(),
        detail="a two-layer network of the lecture's three TLUs",
        source="lecture",
        quote="Hence, **any Boolean function can be build with such units.**",
    )
    res.table(
        "Truth tables (TLU output vs Python's operator)", ["unit", "input", "TLU", "expected"], rows
    )

    fig, axes = subplots(1, 3, figsize=(12, 3.7))
    grid = np.linspace(-0.5, 1.5, 201)
    gx, gy = np.meshgrid(grid, grid)
    G = np.column_stack([gx.ravel(), gy.ravel()])
    for ax, name in zip(axes[:2], ("or", "and"), strict=True):
        region = units[name](G).reshape(gx.shape)
        ax.contourf(
            gx, gy, region, levels=[-0.5, 0.5, 1.5], colors=[PALETTE[1], PALETTE[0]], alpha=0.18
        )
        X, out = truth_table(units[name], 2)
        for x, t in zip(X, out, strict=True):
            ax.scatter(*x, s=120, color=PALETTE[0] if t else PALETTE[1], edgecolor="k", zorder=3)
            ax.annotate(str(t), x, xytext=(8, 8), textcoords="offset points")
        _, w, b = UNITS[name]
        ax.plot(grid, -b / w - grid, "k-", lw=1.2)
        ax.set_xlim(-0.5, 1.5)
        ax.set_ylim(-0.5, 1.5)
        ax.set_aspect("equal")
        ax.set_xlabel("u")
        ax.set_ylabel("v")
        ax.set_title(f"{name}: u + v − {abs(b):g} ≥ 0")
    ax = axes[2]
    u = np.linspace(-0.5, 1.5, 201)
    ax.plot(u, units["not"](u[:, None]), color=PALETTE[0], lw=2)
    ax.scatter(
        [0, 1], units["not"](np.array([[0], [1]])), s=120, color=PALETTE[2], edgecolor="k", zorder=3
    )
    ax.set_xlabel("u")
    ax.set_title("not: −u + 0.5 ≥ 0")
    ax.set_ylabel("not(u)")
    ax.set_ylim(-0.2, 1.2)
    ax.grid(alpha=0.3)
    res.figure(
        fig,
        "The three threshold logic units: regions where the unit outputs 1 "
        "(blue) and the four (two) Boolean inputs.",
    )
    return res
