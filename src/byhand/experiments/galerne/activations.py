"""Experiment 26: Galerne Course I's activation zoo, derivatives; tanh(a/2) = 2·logistic(a) − 1.

Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), "Activation functions": linear
g(a) = a, threshold units (sign and
Heaviside step), sigmoidal units (tanh and the logistic sigmoid, "in fact equivalent by linear
transformations: tanh(a/2) = 2 logistic(a) − 1", "act as threshold units for large values of |a|
and as linear for small values"), and the "modern" ReLU max(a, 0) and softplus log(1 + eᵃ).
Values come from byhand.nn's modules; derivatives from their ``backward``.
"""

from __future__ import annotations

import numpy as np

from byhand import nn
from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import PALETTE, subplots

LECTURE = "galerne-1"
SLIDE = "Activation functions"


class _Step(nn.Module):
    """Heaviside g(a) = 1{a >= 0} = (sign(a) + 1)/2, built on byhand's Sign (forward only)."""

    def __init__(self) -> None:
        self.sign = nn.Sign()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return (self.sign(x) + 1) / 2

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return self.sign.backward(grad_out)  # raises NotDifferentiableError, like Sign


def _backward(module: nn.Module, a: np.ndarray) -> np.ndarray | None:
    """g'(a) from the module's backward with dℓ/dg = 1, or None when it has none."""
    module.forward(a.copy())
    try:
        return np.array(module.backward(np.ones_like(a)))
    except nn.NotDifferentiableError:
        return None


def _central(module: nn.Module, a: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    return (module.forward(a + eps).copy() - module.forward(a - eps).copy()) / (2 * eps)


@experiment(
    "activations",
    title="Activation zoo and tanh(a/2) = 2·logistic(a) − 1",
    lecture=LECTURE,
    number=26,
    covers=[
        ("galerne-1", "Activation functions", "units"),
        ("cs577-03", "Activation function"),
        ("cs577-04", "Activation function"),
        ("ee559-3", "3.4. Multi-Layer Perceptrons", "activations"),
    ],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    """Plot each activation with its derivative; check the lecture's identities."""
    res = ExperimentResult()
    a = np.linspace(-6.0, 6.0, 1201 if quick else 4801)
    zoo = {
        "linear": nn.Identity(),
        "step": _Step(),
        "sign": nn.Sign(),
        "sigmoid": nn.Sigmoid(),
        "tanh": nn.Tanh(),
        "ReLU": nn.ReLU(),
        "softplus": nn.Softplus(),
    }

    # tanh(a/2) = 2·logistic(a) − 1, byhand's Tanh against the logistic written out directly
    wide = np.linspace(-30.0, 30.0, 6001)
    lhs = nn.Tanh()(wide / 2).copy()
    rhs_direct = 2.0 / (1.0 + np.exp(-wide)) - 1.0
    rhs_byhand = 2.0 * nn.Sigmoid()(wide).copy() - 1.0
    err = float(max(np.max(np.abs(lhs - rhs_direct)), np.max(np.abs(lhs - rhs_byhand))))
    res.claim(
        LECTURE,
        "Activation functions (sigmoidal units)",
        "tanh(a/2) = 2·logistic(a) − 1: sigmoidal units are equivalent by linear transformations",
        err,
        err < 1e-12,
        kind="exact",
        detail="max |Tanh(a/2) − (2σ(a) − 1)| over a ∈ [−30, 30], σ both byhand's Sigmoid and "
        "1/(1+e^{−a}) written out",
        source="lecture",
        quote="$$\\tanh(a/2) = 2\\text{logistic}(a) - 1$$",
        rule="max |Tanh(a/2) − (2σ(a) − 1)| < 1e-12",
    )

    # derivatives by backward = finite differences: the smooth units everywhere on the grid
    # (a = 0 included), ReLU everywhere but at its kink a = 0, which is checked apart below
    errors = {}
    for name in ("linear", "sigmoid", "tanh", "ReLU", "softplus"):
        mask = a != 0 if name == "ReLU" else np.ones(a.shape, dtype=bool)
        d = _backward(zoo[name], a)
        errors[name] = float(np.max(np.abs(d - _central(zoo[name], a))[mask]))
    worst = max(errors.values())
    res.claim(
        LECTURE,
        SLIDE,
        "the continuous units are differentiable: byhand's backward gives g′ (checked against "
        "central differences)",
        {k: float(f"{v:.2e}") for k, v in errors.items()},
        worst < 1e-7,
        kind="exact",
        detail=f"max |backward − (g(a+ε) − g(a−ε))/2ε|, ε = 1e-6, on {a.size} points of "
        "[−6, 6] including a = 0 (for ReLU every point but a = 0, its kink)",
        source="lecture",
        quote="We prefer functions that are continuous and differentiable.",
        rule="max |byhand's backward − central differences| < 1e-7",
    )
    relu0 = float(_backward(nn.ReLU(), np.array([0.0]))[0])
    res.claim(
        LECTURE,
        "Perceptron algorithm",
        "at the kink of max(0, t) the course takes the derivative 0 (t ≤ 0): byhand's ReLU "
        "backward at a = 0 is 0",
        relu0,
        relu0 == 0.0,
        kind="exact",
        target=0.0,
        detail="byhand's nn.ReLU backward of an upstream gradient 1 at a = 0 (CS 577 Lecture 03 "
        "takes relu′(0) = 1 instead: see the hand-gradients experiment)",
        source="lecture",
        quote=r"We assume that  $\max(0, t)$  is derivable with derivative 1 if  $t > 0$ , 0 "
        r"if  $t \leq 0$ .",
        lecture_value=0,
        rule="byhand's ReLU′(0) equals the course's 0 exactly",
    )

    # threshold units: derivative zero almost everywhere, so no gradient to descend
    sign_fd = _central(zoo["sign"], a, eps=1e-3)
    frac_zero = float(np.mean(sign_fd == 0))
    sign_backward = _backward(nn.Sign(), a)
    res.claim(
        LECTURE,
        "Activation functions (threshold units)",
        "discontinuities make the optimization really difficult: the sign unit's derivative is "
        "0 almost everywhere",
        {
            "fraction of a with zero slope": frac_zero,
            "backward available": sign_backward is not None,
        },
        frac_zero > 0.99 and sign_backward is None,
        kind="qualitative",
        source="lecture",
        quote="make the optimization really difficult.",
        rule="> 99 % of the finite-difference slopes are 0 and Sign has no backward",
    )

    # sigmoidal units: threshold-like for large |a|, linear for small |a|
    big = a[np.abs(a) >= 5]
    small = np.linspace(-0.05, 0.05, 101)
    thr = float(np.max(np.abs(nn.Tanh()(big).copy() - np.sign(big))))
    lin = float(np.max(np.abs(nn.Tanh()(small).copy() - small)))
    res.claim(
        LECTURE,
        "Activation functions (sigmoidal units)",
        "sigmoidal units act as threshold units for large |a| and as linear for small values",
        {"max |tanh(a) − sign(a)|, |a| ≥ 5": thr, "max |tanh(a) − a|, |a| ≤ 0.05": lin},
        thr < 1e-3 and lin < 1e-4,
        kind="qualitative",
        source="lecture",
        quote=(
            "- Act as threshold units for large values of  $|a|$  and as linear for small values."
        ),
        rule="max |tanh − sign| < 1e-3 for |a| ≥ 5 and max |tanh(a) − a| < 1e-4 for |a| ≤ 0.05",
    )

    fig, axes = subplots(2, 4, figsize=(13, 5.6))
    for ax, (name, mod) in zip(axes.ravel(), zoo.items(), strict=False):
        g = np.array(mod.forward(a.copy()))
        d = _backward(mod, a)
        if d is None:  # threshold units: 0 except a jump at 0
            d = np.zeros_like(a)
        ax.plot(a, g, color=PALETTE[0], lw=2, label="g(a)")
        ax.plot(a, d, color=PALETTE[1], lw=1.5, ls="--", label="g′(a)")
        ax.axhline(0, color="0.7", lw=0.6)
        ax.axvline(0, color="0.7", lw=0.6)
        ax.set_title(name)
        ax.set_xlabel("a")
        ax.set_ylim(-1.6, 2.2)
        ax.grid(alpha=0.25)
    axes[0, 0].legend(fontsize=8, loc="upper left")
    ax = axes[1, 3]
    ax.plot(wide, lhs, color=PALETTE[0], lw=3, alpha=0.5, label="tanh(a/2)")
    ax.plot(wide, rhs_byhand, color="k", lw=1, ls=":", label="2·logistic(a) − 1")
    ax.set_xlim(-8, 8)
    ax.set_title("tanh(a/2) = 2·logistic(a) − 1")
    ax.set_xlabel("a")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.25)
    res.figure(
        fig,
        "The activation zoo of Galerne Course I (solid) with derivatives from byhand's "
        "backward (dashed; threshold units: 0 away from the jump). Last panel: the "
        "tanh/logistic identity.",
    )
    res.table(
        "Derivative check: max |backward − finite difference|",
        ["activation", "max error"],
        [[k, f"{v:.2e}"] for k, v in errors.items()],
    )
    return res
