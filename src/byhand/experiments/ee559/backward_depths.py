"""EE-559 Deep learning 3.1–3.6 (Fleuret, EPFL, 2019).

§3.6: the L-layer forward/backward formulas, literally, against byhand's backward and
central differences for depths 1 … 6.
"""

from __future__ import annotations

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import subplots

LECTURE = "ee559-3"
S36 = "3.6. Back-propagation"


# --------------------------------------------------------------------------- 107


def sigma(s: np.ndarray) -> np.ndarray:
    return np.tanh(s)


def sigma_prime(s: np.ndarray) -> np.ndarray:
    return 1.0 - np.tanh(s) ** 2


def lecture_backward(ws, bs, x, dl_dxL):
    """The lecture's forward and backward passes for one sample, as written:
    s⁽ˡ⁾ = w⁽ˡ⁾x⁽ˡ⁻¹⁾ + b⁽ˡ⁾, x⁽ˡ⁾ = σ(s⁽ˡ⁾); [∂ℓ/∂s⁽ˡ⁾] = [∂ℓ/∂x⁽ˡ⁾] ⊙ σ'(s⁽ˡ⁾),
    [∂ℓ/∂x⁽ˡ⁻¹⁾] = (w⁽ˡ⁾)ᵀ[∂ℓ/∂s⁽ˡ⁾], [∂ℓ/∂w⁽ˡ⁾] = [∂ℓ/∂s⁽ˡ⁾](x⁽ˡ⁻¹⁾)ᵀ, [∂ℓ/∂b⁽ˡ⁾] = [∂ℓ/∂s⁽ˡ⁾].
    ``dl_dxL`` maps x⁽ᴸ⁾ to ∂ℓ/∂x⁽ᴸ⁾. Returns (dws, dbs, ∂ℓ/∂x⁽⁰⁾)."""
    xs, ss = [x], []
    for w, b in zip(ws, bs, strict=True):
        ss.append(w @ xs[-1] + b)
        xs.append(sigma(ss[-1]))
    dx = dl_dxL(xs[-1])
    dws, dbs = [None] * len(ws), [None] * len(ws)
    for l in reversed(range(len(ws))):
        ds = dx * sigma_prime(ss[l])
        dws[l], dbs[l] = np.outer(ds, xs[l]), ds
        dx = ws[l].T @ ds
    return dws, dbs, dx


@experiment(
    "backward-depths",
    title="Back-propagation in tensorial form, checked for depths L = 1 … 6",
    lecture=LECTURE,
    number=110,
    covers=[(LECTURE, S36, "L layers")],
)
def backward_depths(seed: int, quick: bool) -> ExperimentResult:
    from byhand import gradcheck, nn
    from byhand._gradcheck import GradcheckError

    rng = np.random.default_rng(seed)
    rows, worst_lit, worst_gc = [], 0.0, 0.0
    for depth in range(1, 7):
        widths = [3] + [int(v) for v in rng.integers(2, 6, size=depth)]
        lins = [
            nn.Linear(widths[i], widths[i + 1], random_state=seed + i, dtype=np.float64)
            for i in range(depth)
        ]
        for lin in lins:
            lin.bias.data[:] = rng.normal(size=lin.bias.data.shape) * 0.5
        mods = []
        for lin in lins:
            mods += [lin, nn.Tanh()]
        net = nn.Sequential(*mods)
        x = rng.normal(size=(1, 3))
        target = rng.normal(size=(1, widths[-1]))
        # ℓ = ½‖x⁽ᴸ⁾ − target‖², so ∂ℓ/∂x⁽ᴸ⁾ = x⁽ᴸ⁾ − target
        net.zero_grad()
        out = net(x)
        gx = net.backward(out - target)
        ws = [lin.weight.data.T for lin in lins]  # the lecture's w⁽ˡ⁾ is (out, in)
        bs = [lin.bias.data for lin in lins]
        dws, dbs, dx = lecture_backward(ws, bs, x[0], lambda xl, t=target[0]: xl - t)
        err = max(
            [
                float(np.max(np.abs(dw.T - lin.weight.grad)))
                for dw, lin in zip(dws, lins, strict=True)
            ]
            + [float(np.max(np.abs(db - lin.bias.grad))) for db, lin in zip(dbs, lins, strict=True)]
            + [float(np.max(np.abs(dx - gx[0])))]
        )
        worst_lit = max(worst_lit, err)
        try:
            rel = gradcheck(net, rng.normal(size=(4, 3)))
        except GradcheckError:  # a wrong backward: the claim fails (value inf), no error
            rel = float("inf")
        worst_gc = max(worst_gc, rel)
        rows.append([depth, " → ".join(map(str, widths)), f"{err:.1e}", f"{rel:.1e}"])
    res = ExperimentResult()
    res.claim(
        LECTURE,
        S36,
        "the backward pass [∂ℓ/∂s⁽ˡ⁾] = [∂ℓ/∂x⁽ˡ⁾] ⊙ σ'(s⁽ˡ⁾), [∂ℓ/∂x⁽ˡ⁻¹⁾] = (w⁽ˡ⁾)ᵀ[∂ℓ/∂s⁽ˡ⁾], "
        "[∂ℓ/∂w⁽ˡ⁾] = [∂ℓ/∂s⁽ˡ⁾](x⁽ˡ⁻¹⁾)ᵀ, written literally, equals byhand's Sequential "
        "backward at every depth L = 1 … 6",
        worst_lit,
        worst_lit < 1e-12,
        kind="exact",
        target="< 1e-12",
        detail="tanh MLPs of random widths 2–5, ℓ = ½‖x⁽ᴸ⁾ − t‖², one sample, float64",
        source="lecture",
        quote=r"\left[ \frac{\partial \ell}{\partial w^{(l)}} \right] = \left[ \frac{\partial "
        r"\ell}{\partial s^{(l)}} \right] (x^{(l-1)})^T",
        rule="max |literal − byhand| < 1e-12 at every depth",
    )
    res.claim(
        LECTURE,
        S36,
        "and both equal central differences: byhand.gradcheck on the Sequential of depth "
        "1 … 6 (all weights, biases and the input)",
        worst_gc,
        worst_gc < 1e-6,
        kind="numeric",
        target="< 1e-6",
        detail="gradcheck's central differences (h = 1e-6) on a batch of 4 inputs",
        source="derived",
        derived_from="the chain rule the lecture applies; the tolerance is the central "
        "differences' O(h²) truncation plus rounding",
        category="reproduction",
        rule="gradcheck relative error < 1e-6 at every depth",
    )
    res.table("Depth by depth", ["L", "widths", "literal vs byhand", "gradcheck rel. error"], rows)
    fig, ax = subplots()
    floor = 1e-18  # a log axis cannot show 0: exact agreement is drawn at the floor
    literal = [float(r[2]) for r in rows]
    ax.semilogy(
        [r[0] for r in rows],
        [max(v, floor) for v in literal],
        "o-",
        label="lecture's formulas vs byhand"
        + (r" (all 0, drawn at $10^{-18}$)" if max(literal) == 0 else ""),
    )
    ax.semilogy(
        [r[0] for r in rows],
        [float(r[3]) for r in rows],
        "s-",
        label="byhand vs central differences",
    )
    ax.set_xlabel(r"depth $L$")
    ax.set_ylabel("max error")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    res.figure(
        fig,
        "Gradient agreement by depth (the literal comparison: largest difference "
        f"{max(literal):.1e}; central differences carry O(h²) error).",
    )
    return res
