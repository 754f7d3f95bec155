"""Experiment 7: a network with linear activations collapses to one affine map.

CS 577 Lecture 03 (Wang, IIT, 2024), "Linearity" (2-layer neural network with "linear" activation:
f(x) = w⁽²⁾ᵀ(W⁽¹⁾ᵀx + b⁽¹⁾) + b⁽²⁾ = (W⁽¹⁾w⁽²⁾)ᵀx + w⁽²⁾ᵀb⁽¹⁾ + b⁽²⁾, "still linear"; with a
nonlinear g, "Is this still linear? No!"); Deep Neural Networks Course I (Galerne, Univ. Orléans,
2024–25), "Activation functions"
(linear units: y = W_L…W_1 x + Σ_k W_L…W_{k+1} b_k + b_L, "we can always find an equivalent
network without hidden units"). In byhand's row convention (``X @ W + b``) the collapsed map is
W = W₁W₂…W_L, b = ((b₁W₂ + b₂)W₃ + …) + b_L.
"""

from __future__ import annotations

import itertools

import numpy as np

from byhand import nn
from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import PALETTE, subplots

LECTURE = "cs577-03"
LECTURE_004 = "galerne-1"


def make_net(sizes: list[int], activation: type[nn.Module], rng: np.random.Generator):
    """Linear–activation–…–Linear in float64 with random weights and random biases."""
    layers: list[nn.Module] = []
    for i, (d_in, d_out) in enumerate(itertools.pairwise(sizes)):
        lin = nn.Linear(d_in, d_out, random_state=rng, dtype=np.float64)
        lin.bias.data[...] = rng.normal(size=d_out)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


def collapse(net: nn.Sequential) -> tuple[np.ndarray, np.ndarray]:
    """(W, b) of the single affine map equal to a net of Linear and Identity layers."""
    W, b = None, None
    for layer in net:
        if isinstance(layer, nn.Identity):
            continue
        if not isinstance(layer, nn.Linear):
            raise TypeError(f"only Linear and Identity layers collapse, got {layer!r}")
        Wl, bl = layer.weight.data, layer.bias.data
        W, b = (Wl, bl) if W is None else (W @ Wl, b @ Wl + bl)
    return W, b


def affine_residual(X: np.ndarray, y: np.ndarray) -> float:
    """max |y − best affine fit of y on X| (least squares with numpy.linalg.lstsq)."""
    A = np.column_stack([X, np.ones(len(X))])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return float(np.max(np.abs(A @ coef - y)))


@experiment(
    "linear-collapse",
    title="Linear activations collapse to one affine map",
    lecture=LECTURE,
    number=7,
    covers=[
        ("cs577-03", "Linearity", "linear activation"),
        ("ee559-3", "3.4. Multi-Layer Perceptrons", "affine"),
        ("galerne-1", "Activation functions", "linear units"),
    ],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    """Two- and four-layer Identity nets vs their collapsed affine map; a ReLU net is not affine."""
    rng = np.random.default_rng(seed)
    res = ExperimentResult()
    n = 200 if quick else 2000
    d, n1 = 5, 8
    X = rng.normal(size=(n, d))

    net2 = make_net([d, n1, 1], nn.Identity, rng)
    W, b = collapse(net2)
    W1, b1 = net2[0].weight.data, net2[0].bias.data
    W2, b2 = net2[2].weight.data, net2[2].bias.data
    out = net2(X).copy()
    err2 = float(np.max(np.abs(out - (X @ W + b))))
    scale = float(np.max(np.abs(out)))
    res.claim(
        LECTURE,
        "Linearity (2-layer neural network with “linear” activation)",
        "w⁽²⁾ᵀ(W⁽¹⁾ᵀx + b⁽¹⁾) + b⁽²⁾ = (W⁽¹⁾w⁽²⁾)ᵀx + w⁽²⁾ᵀb⁽¹⁾ + b⁽²⁾: still linear",
        err2,
        err2 <= 1e-12 * max(scale, 1.0),
        kind="exact",
        detail=f"max |net(x) − (xW + b)| over {n} random x ∈ R^{d}, W = W₁W₂, b = b₁W₂ + b₂; "
        f"outputs up to {scale:.3g}",
        source="lecture",
        quote="still linear",
        rule="|network − collapsed affine map| ≤ 1e-12 × max(scale, 1)",
    )

    sizes = [d, 16, 12, 8, 3]
    net4 = make_net(sizes, nn.Identity, rng)
    W4, b4 = collapse(net4)
    out4 = net4(X).copy()
    err4 = float(np.max(np.abs(out4 - (X @ W4 + b4))))
    res.claim(
        LECTURE_004,
        "Activation functions (linear units)",
        "y = W_L⋯W_1x + Σ_k W_L⋯W_{k+1}b_k + b_L: we can always find an equivalent network "
        "without hidden units",
        err4,
        err4 <= 1e-12 * max(float(np.max(np.abs(out4))), 1.0),
        kind="exact",
        detail=f"layers {sizes} with Identity activations, max |net(x) − (xW + b)|",
        source="lecture",
        quote="We can always find an equivalent network without hidden units,",
        rule="|deep linear network − collapsed map| ≤ 1e-12 × max(|output|, 1)",
    )

    # with ReLU it is not affine any more: the best affine fit leaves a residual
    relu = make_net([d, n1, 1], nn.ReLU, rng)
    r_relu = affine_residual(X, relu(X).copy()[:, 0])
    r_lin = affine_residual(X, out[:, 0])
    res.claim(
        LECTURE,
        "Linearity (2-layer neural network with “non-linear” activation)",
        "with g = relu: “Is this still linear? No!”",
        {"affine-fit residual, relu": r_relu, "affine-fit residual, linear": r_lin},
        r_relu > 1e-3 and r_lin < 1e-10,
        kind="qualitative",
        detail="max residual of the least-squares affine fit (numpy lstsq) to the net's outputs; "
        "1e-3 and 1e-10 are byhand's bounds",
        source="lecture",
        quote="No!",
        rule="relu net's affine-fit residual > 1e-3 while the linear net's < 1e-10",
    )

    # figure: 1-D input, a linear-activation net is a line, a ReLU net bends
    fig, axes = subplots(1, 2, figsize=(10, 3.8))
    x = np.linspace(-3, 3, 401)[:, None]
    for i in range(3):
        lin = make_net([1, 6, 1], nn.Identity, rng)
        rel = make_net([1, 6, 1], nn.ReLU, rng)
        axes[0].plot(x[:, 0], lin(x).copy()[:, 0], color=PALETTE[i], lw=1.8)
        axes[1].plot(x[:, 0], rel(x).copy()[:, 0], color=PALETTE[i], lw=1.8)
    axes[0].set_title("g = identity: every net is a line")
    axes[1].set_title("g = relu: piecewise linear, bent")
    for ax in axes:
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.grid(alpha=0.3)
    res.figure(fig, "Three random 1–6–1 networks of each kind.")
    res.table(
        "Collapsed map of the 2-layer net (W = W₁W₂, b = b₁W₂ + b₂)",
        ["", "value"],
        [
            ["W₁ shape, W₂ shape", f"{W1.shape}, {W2.shape}"],
            ["W (as a row)", np.round(W[:, 0], 4).tolist()],
            ["b", round(float(b[0]), 4)],
            ["b₁W₂ + b₂ (recomputed)", round(float((b1 @ W2 + b2)[0]), 4)],
        ],
    )
    return res
