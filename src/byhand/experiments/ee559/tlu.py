"""Experiment 15: threshold logic units compute and / or / not, hence any Boolean function.

EE-559 (Fleuret, EPFL, 2019) "3.1. The perceptron": the Threshold Logic Unit
f(x) = 1{w Σᵢ xᵢ + b >= 0} implements or(u, v) = 1{u + v − 0.5 >= 0} (w = 1, b = −0.5),
and(u, v) = 1{u + v − 1.5 >= 0} (w = 1, b = −1.5), not(u) = 1{−u + 0.5 >= 0} (w = −1, b = 0.5);
"Hence, any Boolean function can be build with such units" (McCulloch and Pitts, 1943).
Each unit is a byhand :class:`~byhand.nn.Linear` with the lecture's weights followed by the step
1{s >= 0} = (Sign(s) + 1)/2; truth tables are compared with Python's own ``or``/``and``/``not``
and with :func:`byhand.datasets.logic_table` (the lecture's tables as byhand ships them).
"Any Boolean function" is checked on every one of them for two and three inputs (16 and 256
functions), each built from the three units in disjunctive normal form.
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


def dnf_network(units: dict[str, TLU], table: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The Boolean function with truth ``table`` (one output per row of X, rows in binary
    order) computed from the lecture's units only: the or of one and-chain of literals (xᵢ or
    not(xᵢ)) per row where the function is 1; the constant 0 is and(x₁, not(x₁))."""

    def col(a: np.ndarray) -> np.ndarray:
        return np.asarray(a)[:, None]

    lits = [(X[:, i], units["not"](col(X[:, i]))) for i in range(X.shape[1])]
    out = units["and"](np.column_stack([lits[0][0], lits[0][1]]))  # constant 0
    for row, bit in zip(X, table, strict=True):
        if not bit:
            continue
        term = lits[0][1 - row[0]]
        for i in range(1, X.shape[1]):
            term = units["and"](np.column_stack([term, lits[i][1 - row[i]]]))
        out = units["or"](np.column_stack([out, term]))
    return out


def truth_table(unit: TLU, n_inputs: int) -> tuple[np.ndarray, np.ndarray]:
    """All inputs in {0, 1}^n (binary order) and the unit's outputs."""
    X = np.array(list(itertools.product((0, 1), repeat=n_inputs)))
    return X, unit(X)


@experiment(
    "tlu-logic",
    title="Threshold logic units: and, or, not (and so every Boolean function)",
    lecture=LECTURE,
    number=15,
    covers=[
        ("ee559-3", "3.1. The perceptron", "TLU"),
    ],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    """Truth tables of the lecture's TLUs; every Boolean function of 2 and 3 inputs composed
    of them."""
    from byhand.datasets import logic_table

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
        shipped_X, shipped_y = logic_table(name)
        same_table = np.array_equal(shipped_X, X) and np.array_equal(shipped_y, expected)
        res.claim(
            LECTURE,
            SLIDE,
            f"{name}(u{', v' if n_in == 2 else ''}) = 1{{{'u+v' if n_in == 2 else '−u'}"
            f"{b:+g} ≥ 0}} (w = {w:g}, b = {b:g}) implements {name}",
            out.tolist(),
            bool(np.array_equal(out, expected) and same_table),
            kind="exact",
            target=expected.tolist(),
            source="lecture",
            quote=TLU_QUOTES[name],
            detail="outputs on inputs "
            + ", ".join("".join(map(str, x)) for x in X)
            + "; the target is Python's operator, and byhand.datasets.logic_table"
            f"({name!r}) must give the same table ({'it does' if same_table else 'it does NOT'})",
            lecture_value=f"the truth table of {name}",
            rule="the TLU's outputs equal Python's operator on every input, exactly, and "
            "byhand.datasets.logic_table gives the same table",
        )
        rows += [
            [name, " ".join(map(str, x)), int(o), int(e)]
            for x, o, e in zip(X, out, expected, strict=True)
        ]

    # any Boolean function: every function of 2 and of 3 inputs, in disjunctive normal form
    built, wrong = 0, []
    for n_in in (2, 3):
        X = np.array(list(itertools.product((0, 1), repeat=n_in)))
        for k in range(2 ** (2**n_in)):
            table = np.array([(k >> i) & 1 for i in range(2**n_in)])
            got = dnf_network(units, table, X)
            built += 1
            if not np.array_equal(got, table):
                wrong.append((n_in, table.tolist()))
    X = np.array(list(itertools.product((0, 1), repeat=2)))
    xor = dnf_network(units, np.array([0, 1, 1, 0]), X)
    res.claim(
        LECTURE,
        SLIDE,
        "any Boolean function can be built with such units: all 16 functions of two inputs "
        "and all 256 of three (xor among them), each as an or of and-chains of the lecture's "
        "three TLUs",
        {"functions built": built, "wrong": len(wrong), "xor": xor.tolist()},
        not wrong and built == 16 + 256,
        kind="exact",
        target={"functions built": 272, "wrong": 0},
        detail="disjunctive normal form: or over the rows where f = 1 of and(ℓ₁, ℓ₂, …), "
        "ℓᵢ = xᵢ or not(xᵢ); the constant 0 is and(x₁, not(x₁)); every output compared with "
        "the function's truth table" + (f"; wrong: {wrong[:3]}" if wrong else ""),
        source="lecture",
        quote="Hence, **any Boolean function can be build with such units.**",
        lecture_value="any Boolean function",
        rule="every one of the 16 two-input and 256 three-input Boolean functions is computed "
        "exactly (0 wrong outputs)",
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
