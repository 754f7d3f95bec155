"""Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25).

"Neural networks solve non-linear separable problems": h = g(W₁x + b₁), y = ⟨w₂, h⟩ + b₂
with W₁ = [[+1, −1], [−1, +1]], b₁ = 0, w₂ = [1, 1], b₂ = 0 computes xor.
"""

from __future__ import annotations

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import subplots

LECTURE = "galerne-1"
SLIDE_XOR = "Neural networks solve non-linear separable problems"
W1 = np.array([[1.0, -1.0], [-1.0, 1.0]])
W2 = np.array([1.0, 1.0])


def xor_net(activation: str):
    """byhand's Sequential(Linear(2, 2), g, Linear(2, 1)) with the slide's weights.

    nn.Linear computes X @ weight + bias, so its weight is W₁ᵀ (= W₁, symmetric here)."""
    from byhand import nn

    acts = {"relu": nn.ReLU(), "identity": nn.Identity()}
    l1, l2 = nn.Linear(2, 2, dtype=np.float64), nn.Linear(2, 1, dtype=np.float64)
    l1.weight.data[:], l1.bias.data[:] = W1.T, 0.0
    l2.weight.data[:, 0], l2.bias.data[:] = W2, 0.0
    return nn.Sequential(l1, acts[activation], l2)


@experiment(
    "xor-network",
    title="The xor network W₁ = [[1, −1], [−1, 1]], w₂ = [1, 1] with ReLU",
    lecture=LECTURE,
    number=112,
    covers=[(LECTURE, SLIDE_XOR)],
)
def xor_network(seed: int, quick: bool) -> ExperimentResult:
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    xor = np.array([0.0, 1.0, 1.0, 0.0])
    y_relu = xor_net("relu")(X).ravel()
    y_lin = xor_net("identity")(X).ravel()
    res = ExperimentResult()
    res.claim(
        LECTURE,
        SLIDE_XOR,
        "with g = ReLU, h = g(W₁x + b₁), y = ⟨w₂, h⟩ + b₂ and the slide's weights gives "
        "y = |x₁ − x₂| = xor(x₁, x₂) on {0, 1}²",
        y_relu.tolist(),
        bool(np.array_equal(y_relu, xor)),
        kind="exact",
        target=xor.tolist(),
        detail="byhand's nn.Linear → nn.ReLU → nn.Linear with the slide's W₁, b₁ = 0, w₂, "
        "b₂ = 0; the slide leaves g unnamed: ReLU is the lecture's hidden unit of choice",
        source="lecture",
        quote=r"\mathbf{W}_1 = \begin{pmatrix} +1 & -1 \\ -1 & +1 \end{pmatrix}, \mathbf{b}_1 = "
        r"\begin{pmatrix} 0 \\ 0 \end{pmatrix}, \mathbf{w}_2 = \begin{pmatrix} 1 \\ 1 "
        r"\end{pmatrix}, b_2 = 0",
        rule="byhand's outputs equal xor exactly on the four points",
    )
    A = np.column_stack([X, np.ones(4)])
    resid = float(np.sum((A @ np.linalg.lstsq(A, xor, rcond=None)[0] - xor) ** 2))
    res.claim(
        LECTURE,
        SLIDE_XOR,
        "the non-linearity is needed: with a linear g the same weights give y ≡ 0, and no "
        "affine map fits xor (least squares leaves a residual)",
        {"linear g": y_lin.tolist(), "least-squares residual": resid},
        bool(np.allclose(y_lin, 0.0) and resid > 0.5),
        kind="exact",
        source="derived",
        derived_from="W₁ rows sum to zero against w₂ = [1, 1]: w₂ᵀW₁ = 0; the best affine fit "
        "of xor is the constant ½ (residual 4 × ¼ = 1)",
        category="reproduction",
        rule="with g linear byhand's outputs are 0 (allclose), and the least-squares affine "
        "fit leaves a residual > 0.5 (it is 1)",
    )
    fig, ax = subplots()
    g = np.linspace(-0.5, 1.5, 201)
    xx, yy = np.meshgrid(g, g)
    zz = xor_net("relu")(np.column_stack([xx.ravel(), yy.ravel()])).reshape(xx.shape)
    cs = ax.contourf(xx, yy, zz, levels=20, cmap="viridis")
    fig.colorbar(cs, ax=ax, label=r"$y = \langle w_2, \mathrm{ReLU}(W_1 x)\rangle$")
    ax.contour(xx, yy, zz, levels=[0.5], colors="w", linewidths=1.5)
    ax.scatter(X[:, 0], X[:, 1], c=xor, cmap="coolwarm", edgecolors="k", s=90)
    ax.set_xlabel(r"$x_1$")
    ax.set_ylabel(r"$x_2$")
    ax.set_title("the slide's xor network (level 1/2 in white)")
    res.figure(fig, "y = |x₁ − x₂|: the level set y = 1/2 separates xor's two classes.")
    return res


# --------------------------------------------------------------------------- 113
