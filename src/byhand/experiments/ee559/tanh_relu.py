"""EE-559 3.4's two classical activations: tanh x = 2/(1 + e^{−2x}) − 1 and max(0, x).

EE-559 3.4 (Fleuret, EPFL, 2019), "Multi-Layer Perceptrons": "The two classical activation
functions are the hyperbolic tangent x ↦ 2/(1 + e^{−2x}) − 1 and the rectified linear unit
(ReLU) x ↦ max(0, x)". Checked on byhand's :class:`~byhand.nn.Tanh` and :class:`~byhand.nn.ReLU`
(forward against the slide's formulas, backward against central differences of the formulas).
"""

from __future__ import annotations

import numpy as np

from byhand import nn
from byhand.experiments import ExperimentResult, experiment

LECTURE = "ee559-3"
SLIDE = "3.4. Multi-Layer Perceptrons"


def _fwd_bwd(module: nn.Module, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out = module.forward(x.copy()).copy()
    return out, module.backward(np.ones_like(x)).copy()


@experiment(
    "tanh-relu",
    title="EE-559's tanh x = 2/(1 + e^{−2x}) − 1 and ReLU x ↦ max(0, x) on byhand's modules",
    lecture=LECTURE,
    number=206,
    covers=[(LECTURE, SLIDE, "activations")],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=3.0, size=(1000 if quick else 10000, 1))
    x = x[np.abs(x[:, 0]) > 1e-3]
    eps = 1e-6
    slide = {
        "tanh": lambda v: 2.0 / (1.0 + np.exp(-2.0 * v)) - 1.0,
        "ReLU": lambda v: np.maximum(0.0, v),
    }
    res = ExperimentResult()
    for name, formula, module, quote in (
        ("tanh", "2/(1 + e^{−2x}) − 1", nn.Tanh(), r"$$x \mapsto \frac{2}{1 + e^{-2x}} - 1$$"),
        ("ReLU", "max(0, x)", nn.ReLU(), r"$$x \mapsto \max(0, x)$$"),
    ):
        f = slide[name]
        out, grad = _fwd_bwd(module, x)
        fwd = float(np.max(np.abs(out - f(x))))
        bwd = float(np.max(np.abs(grad - (f(x + eps) - f(x - eps)) / (2 * eps))))
        res.claim(
            LECTURE,
            SLIDE,
            f"the {name} activation is x ↦ {formula}: byhand's forward equals it and its "
            "backward is its derivative",
            {"max |forward − formula|": fwd, "max |backward − central differences|": bwd},
            bool(fwd < 1e-14 and bwd < 1e-8),
            kind="exact",
            detail=f"{len(x)} random x (|x| > 1e−3 for the differences at ReLU's kink), "
            f"byhand's nn.{type(module).__name__}",
            rule="max |forward − formula| < 1e-14 and max |backward − derivative| < 1e-8",
            source="lecture",
            quote=quote,
        )
    return res
