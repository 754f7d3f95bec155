"""Galerne's MLP written unit by unit, in matrix form, and with the biases in the weights.

Deep Neural Networks Course I (Galerne), "Artificial neural network / Multilayer perceptron /
NeuralNet": h_i = g₁(Σ_j w¹_ij x_j + b¹_i) (i = 1…4), y_i = g₂(Σ_j w²_ij h_j + b²_i) (i = 1, 2),
that is h = g₁(W₁x + b₁), y = g₂(W₂h + b₂). "Artificial neural network / Multilayer perceptron":
"the biases can be integrated into the weights": W_k h_{k−1} + b_k = (b_k W_k)(1, h_{k−1}).
Checked on byhand's :class:`~byhand.nn.Linear` (whose weight is Wᵀ: forward x @ W + b), in the
forward pass and, for the bias trick, in the gradients too.
"""

from __future__ import annotations

import numpy as np

from byhand import nn
from byhand.experiments import ExperimentResult, experiment
from byhand.nn.functional import sigmoid

LECTURE = "galerne-1"
UNITS = "Artificial neural network / Multilayer perceptron / NeuralNet"
BIAS = "Artificial neural network / Multilayer perceptron"


@experiment(
    "mlp-formulas",
    title="An MLP unit by unit = h = g(W x + b); the biases folded into the weights",
    lecture=LECTURE,
    number=212,
    covers=[(LECTURE, UNITS), (LECTURE, BIAS)],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    rng = np.random.default_rng(seed)
    n = 50 if quick else 500
    X = rng.normal(size=(n, 3))
    l1 = nn.Linear(3, 4, random_state=seed, dtype=np.float64)
    l2 = nn.Linear(4, 2, random_state=seed + 1, dtype=np.float64)
    l1.bias.data[...] = rng.normal(size=4)
    l2.bias.data[...] = rng.normal(size=2)
    net = nn.Sequential(l1, nn.Tanh(), l2, nn.Sigmoid())
    out = net(X).copy()
    w1, b1 = l1.weight.data.T, l1.bias.data  # w¹_ij: from input j to unit i
    w2, b2 = l2.weight.data.T, l2.bias.data
    units = np.empty((n, 2))
    for r, x in enumerate(X):
        h = [np.tanh(sum(w1[i, j] * x[j] for j in range(3)) + b1[i]) for i in range(4)]
        for i in range(2):
            units[r, i] = sigmoid(sum(w2[i, j] * h[j] for j in range(4)) + b2[i])
    err = float(np.max(np.abs(out - units)))
    res = ExperimentResult()
    res.claim(
        LECTURE,
        UNITS,
        "h_i = g₁(w¹_i1 x₁ + w¹_i2 x₂ + w¹_i3 x₃ + b¹_i), y_i = g₂(Σ_j w²_ij h_j + b²_i) is "
        "h = g₁(W₁x + b₁), y = g₂(W₂h + b₂): byhand's Sequential computes the units' sums",
        err,
        err < 1e-12,
        kind="exact",
        lecture_value="h_i = g₁(Σ_j w¹_ij x_j + b¹_i), y_i = g₂(Σ_j w²_ij h_j + b²_i)",
        rule="max |byhand's output − the slide's sums written as loops| < 1e-12",
        detail=f"3 → 4 → 2 with g₁ = tanh, g₂ = logistic, {n} random x; the slide's sums "
        "written as loops against byhand's Linear → Tanh → Linear → Sigmoid",
        source="lecture",
        quote=r"$$h_1 = g_1 (w_{11}^1 x_1 + w_{12}^1 x_2 + w_{13}^1 x_3 + b_1^1)$$",
    )
    # the bias trick: Linear with bias on h against Linear without bias on (1, h)
    H = rng.normal(size=(n, 4))
    G = rng.normal(size=(n, 2))
    tilde = nn.Linear(5, 2, bias=False, dtype=np.float64)
    tilde.weight.data[...] = np.vstack([l2.bias.data[None], l2.weight.data])  # (b W)ᵀ
    H1 = np.hstack([np.ones((n, 1)), H])
    a, at = l2(H).copy(), tilde(H1).copy()
    l2.zero_grad()
    tilde.zero_grad()
    gx = l2.backward(G).copy()
    gxt = tilde.backward(G).copy()
    fwd = float(np.max(np.abs(a - at)))
    grads = float(
        max(
            np.max(np.abs(tilde.weight.grad[0] - l2.bias.grad)),
            np.max(np.abs(tilde.weight.grad[1:] - l2.weight.grad)),
            np.max(np.abs(gxt[:, 1:] - gx)),
        )
    )
    res.claim(
        LECTURE,
        BIAS,
        "the biases can be integrated into the weights: W h + b = (b W)(1, h), with the same "
        "gradients for b, W and h",
        {"max |forward gap|": fwd, "max |gradient gap|": grads},
        bool(fwd < 1e-12 and grads < 1e-12),
        kind="exact",
        detail=f"byhand Linear(4, 2) with bias on h against Linear(5, 2, bias=False) on (1, h), "
        f"{n} random h and upstream gradients",
        rule=(
            "max |forward gap| < 1e-12 and max |gradient gap| < 1e-12 between the two "
            "parametrisations"
        ),
        source="lecture",
        quote="As for the perceptron, the biases can be integrated into the weights:",
    )
    return res
