"""CS 577 Lecture 03's definition of a linear model, on byhand's Linear and a relu net.

"Linearity": f(·; θ) is *linear* if there exists some C such that f(x + x'; θ) − C =
(f(x; θ) − C) + (f(x'; θ) − C) and f(λx; θ) − C = λ(f(x; θ) − C); "Example (linear
regression)": f(x; w, b) = wᵀx + b, with "Set to C = b". Checked on byhand's
:class:`~byhand.nn.Linear`; a relu net fails the definition for C = f(0) (the only candidate,
since λ = 0 gives f(0) − C = 0).
"""

from __future__ import annotations

import numpy as np

from byhand import nn
from byhand.experiments import ExperimentResult, experiment

LECTURE = "cs577-03"
SLIDE = "Linearity"


def defect(f, C: float, X: np.ndarray, Xp: np.ndarray, lam: np.ndarray) -> float:
    """max of |f(x + x') − C − (f(x) − C) − (f(x') − C)| and |f(λx) − C − λ(f(x) − C)|."""
    fx, fxp = f(X), f(Xp)
    add = np.abs(f(X + Xp) - C - (fx - C) - (fxp - C))
    hom = np.abs(f(lam[:, None] * X) - C - lam * (fx - C))
    return float(max(add.max(), hom.max()))


@experiment(
    "linearity-definition",
    title="“f is linear if there exists some C…”: byhand's Linear with C = b, and a relu net",
    lecture=LECTURE,
    number=211,
    covers=[(LECTURE, SLIDE, "definition")],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    rng = np.random.default_rng(seed)
    d, n = 3, (200 if quick else 2000)
    X, Xp = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    lam = rng.normal(scale=3.0, size=n)
    lin = nn.Linear(d, 1, random_state=seed, dtype=np.float64)
    lin.bias.data[...] = rng.normal()
    b = float(lin.bias.data[0])

    def f_lin(A: np.ndarray) -> np.ndarray:
        return lin(A)[:, 0].copy()

    d_lin = defect(f_lin, b, X, Xp, lam)
    net = nn.Sequential(
        nn.Linear(d, 8, random_state=seed, dtype=np.float64),
        nn.ReLU(),
        nn.Linear(8, 1, random_state=seed + 1, dtype=np.float64),
    )
    net[0].bias.data[...] = rng.normal(size=8)

    def f_net(A: np.ndarray) -> np.ndarray:
        return net(A)[:, 0].copy()

    C = float(f_net(np.zeros((1, d)))[0])
    d_net = defect(f_net, C, X, Xp, lam)
    res = ExperimentResult()
    res.claim(
        LECTURE,
        SLIDE,
        "linear regression f(x; w, b) = wᵀx + b is linear with C = b; a relu net is not "
        "(for C = f(0), the only candidate)",
        {"defect of byhand Linear, C = b": d_lin, "defect of a relu net, C = f(0)": d_net},
        bool(d_lin < 1e-12 * (1 + np.abs(lam).max()) and d_net > 1e-2),
        kind="exact",
        detail=f"{n} random x, x' ∈ ℝ³ and λ ~ N(0, 3²); defect = max of the two sides' gaps "
        "of the slide's definition; byhand's nn.Linear(3, 1) and Linear → ReLU → Linear",
        rule=(
            "byhand Linear's defect from linearity < 1e-12 × (1 + max |λ|), the relu net's > 1e-2"
        ),
        source="lecture",
        quote=r"Definition. $f(\cdot; \theta)$ is *linear* if there exists some C such that",
    )
    return res
