"""Experiment 14: the softmax Jacobian p_y(δ_jy − p_j) and the cross-entropy gradient p − onehot(y).

CS 577 Lecture 04 (Wang, IIT, 2024), "Derivative of the softmax": ∂softmax(z)_y/∂z_j = −p_y p_j for
j ≠ y
(case 1) and p_y(1 − p_y) for j = y (case 2); "Derivative": for L(z, y) = −log softmax(z)_y,
∂L/∂z = p − onehot(y). Checked against central finite differences of byhand's
:func:`~byhand.nn.functional.softmax` and :class:`~byhand.nn.CrossEntropyLoss`, and with
:func:`byhand.gradcheck`.
"""

from __future__ import annotations

import numpy as np

from byhand import gradcheck, nn
from byhand._gradcheck import GradcheckError
from byhand.experiments import ExperimentResult, experiment
from byhand.nn.functional import softmax
from byhand.plotting import PALETTE, subplots

LECTURE = "cs577-04"


def jacobian_formula(p: np.ndarray) -> np.ndarray:
    """J[y, j] = ∂p_y/∂z_j = p_y(δ_jy − p_j) for one probability vector p."""
    return p[:, None] * (np.eye(len(p)) - p[None, :])


def jacobian_numeric(z: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """J[y, j] by central differences of byhand's softmax."""
    K = len(z)
    J = np.empty((K, K))
    for j in range(K):
        e = np.zeros(K)
        e[j] = eps
        J[:, j] = (softmax(z + e) - softmax(z - e)) / (2 * eps)
    return J


def ce_numeric(z: np.ndarray, y: int, eps: float = 1e-6) -> np.ndarray:
    """∂L/∂z by central differences of byhand's CrossEntropyLoss on one sample."""
    loss = nn.CrossEntropyLoss()
    g = np.empty_like(z)
    for j in range(len(z)):
        e = np.zeros_like(z)
        e[j] = eps
        g[j] = (
            loss.forward((z + e)[None], np.array([y])) - loss.forward((z - e)[None], np.array([y]))
        ) / (2 * eps)
    return g


@experiment(
    "softmax-gradient",
    title="Softmax Jacobian and cross-entropy gradient p − onehot(y)",
    lecture=LECTURE,
    number=14,
    covers=[
        ("cs577-04", "Derivative of the softmax"),
        ("cs577-04", "Derivative"),
    ],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    """Formulas of the slides against finite differences on random logits."""
    rng = np.random.default_rng(seed)
    res = ExperimentResult()
    trials = 20 if quick else 200
    jac_err, ce_err, ce_fd_err = 0.0, 0.0, 0.0
    loss = nn.CrossEntropyLoss()
    for _ in range(trials):
        K = int(rng.integers(2, 8))
        z = rng.normal(scale=2.0, size=K)
        y = int(rng.integers(K))
        p = softmax(z)
        jac_err = max(jac_err, float(np.max(np.abs(jacobian_formula(p) - jacobian_numeric(z)))))
        loss.forward(z[None], np.array([y]))
        g = loss.backward()[0].copy()
        onehot = np.eye(K)[y]
        ce_err = max(ce_err, float(np.max(np.abs(g - (p - onehot)))))
        ce_fd_err = max(ce_fd_err, float(np.max(np.abs(g - ce_numeric(z, y)))))
    res.claim(
        LECTURE,
        "Derivative of the softmax",
        "∂softmax(z)_y/∂z_j = −p_y p_j (j ≠ y) and p_y(1 − p_y) (j = y)",
        jac_err,
        jac_err < 1e-8,
        kind="exact",
        detail=f"max |formula − central differences| over {trials} random z ∈ R^K, K = 2…7",
        source="lecture",
        quote="$y \\neq j: -p_y p_j$",
        category="derivation",
        rule="max |formula − central differences| < 1e-8",
    )
    res.claim(
        LECTURE,
        "Derivative",
        "cross entropy L(z, y) = −log softmax(z)_y has ∂L/∂z = p − onehot(y)",
        ce_err,
        ce_err < 1e-12,
        kind="exact",
        detail="max |CrossEntropyLoss.backward − (softmax(z) − onehot(y))|",
        source="lecture",
        quote="$p$  - one hot",
        rule="max |CrossEntropyLoss.backward − (p − onehot)| < 1e-12",
    )
    res.claim(
        LECTURE,
        "Derivative",
        "… and that gradient is the derivative of the loss (finite differences)",
        ce_fd_err,
        ce_fd_err < 1e-8,
        kind="exact",
        detail="max |CrossEntropyLoss.backward − central differences of CrossEntropyLoss|",
        source="derived",
        derived_from=(
            "central finite differences of L(z, y) = −log softmax(z)_y, an oracle independent of "
            "the slide's formula"
        ),
        category="reproduction",
        rule="max |backward − central differences of byhand's loss| < 1e-8",
    )
    # a batch, through byhand.gradcheck (mean over the batch: gradient (p − onehot)/N)
    N, K = (8, 5) if quick else (64, 10)
    Z = rng.normal(size=(N, K))
    Y = rng.integers(K, size=N)
    try:
        rel: float | str = gradcheck(nn.CrossEntropyLoss(), Z, Y)
        grad_ok = True
    except GradcheckError as exc:  # a wrong backward: the claim fails, with gradcheck's report
        rel = "mismatch: " + str(exc).splitlines()[-1].strip()
        grad_ok = False
    batch = nn.CrossEntropyLoss()
    batch.forward(Z, Y)
    G = batch.backward().copy()
    batch_err = float(np.max(np.abs(G - (softmax(Z) - np.eye(K)[Y]) / N)))
    res.claim(
        LECTURE,
        "Derivative",
        "for a batch, the mean cross-entropy has gradient (p − onehot(y))/N",
        {"max |backward − (p − onehot)/N|": batch_err, "gradcheck relative error": rel},
        bool(grad_ok and batch_err < 1e-12 and float(rel) < 1e-6),
        kind="exact",
        detail=f"N = {N}, K = {K}; byhand.gradcheck (central differences, float64)",
        source="derived",
        derived_from="the mean over N samples of the slide's per-sample gradient p − onehot(y)",
        category="reproduction",
        rule="max |backward − (p − onehot)/N| < 1e-12 and gradcheck relative error < 1e-6",
    )

    # figure: one example, p, onehot, and the gradient; the Jacobian as a matrix
    K = 5
    z = rng.normal(scale=1.5, size=K)
    y = 2
    p = softmax(z)
    loss.forward(z[None], np.array([y]))
    g = loss.backward()[0].copy()
    fig, axes = subplots(1, 2, figsize=(10, 3.8))
    ax = axes[0]
    idx = np.arange(K)
    ax.bar(idx - 0.25, p, 0.25, color=PALETTE[0], label="p = softmax(z)")
    ax.bar(idx, np.eye(K)[y], 0.25, color=PALETTE[2], label=f"onehot(y = {y})")
    ax.bar(idx + 0.25, g, 0.25, color=PALETTE[1], label="∂L/∂z (byhand backward)")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(idx)
    ax.set_xlabel("class j")
    ax.legend(fontsize=8)
    ax.set_title("cross-entropy gradient = p − onehot(y)")
    ax.set_ylabel("value")
    ax = axes[1]
    J = jacobian_formula(p)
    im = ax.imshow(J, cmap="RdBu_r", vmin=-np.abs(J).max(), vmax=np.abs(J).max())
    for (i, j), v in np.ndenumerate(J):
        ax.text(j, i, f"{v:.3f}", ha="center", va="center", fontsize=7)
    ax.set_xlabel("j")
    ax.set_ylabel("y")
    ax.set_title(r"$\partial p_y / \partial z_j = p_y(\delta_{jy} - p_j)$")
    fig.colorbar(im, ax=ax, shrink=0.8, label=r"$\partial p_y / \partial z_j$")
    res.figure(
        fig,
        "One random example with K = 5: the gradient of the cross-entropy, and the "
        "softmax Jacobian (diagonal p_y(1 − p_y) > 0, off-diagonal −p_y p_j < 0).",
    )
    return res
