"""Exercises of CS 577 Lecture 03 (Wang, IIT, 2024): feature maps, ReLU, backprop by hand.

xor-features, relu-backward, one-hidden-layer-gradients.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from byhand.datasets import xor
from byhand.exercises._core import Case, Exercise, Mistake, register
from byhand.exercises._helpers import LearnerModule, scaled

LECTURE = "cs577-03"

# The slide 'Activation function' writes relu'(z) = 1 for z >= 0; byhand (like PyTorch) takes
# relu'(0) = 0. The exercises grade byhand's convention and say so.
_RELU_AT_0 = (
    "At exactly 0 relu has a kink and no derivative, so a convention is needed. The\n"
    "lecture's slide 'Activation function' writes relu'(z) = 1 for z >= 0; byhand, like\n"
    "PyTorch, takes relu'(0) = 0 (the mask z > 0), and that is what this exercise grades."
)
_RELU_AT_0_HINT = (
    "at z = 0 byhand (and PyTorch) take relu'(0) = 0, so the mask is z > 0. The lecture's "
    "slide writes relu'(z) = 1 for z >= 0 — a valid subgradient too, but another convention "
    "than the one graded here (it changes the result only where an input is exactly 0)."
)


# ------------------------------------------------------------------------------ XOR features
def xor_features_reference(X):
    from byhand import PolynomialFeatures

    return PolynomialFeatures(degree=2).fit_transform(X)


def _xor_cases() -> list[Case]:
    rng = np.random.default_rng(301)
    X, _ = xor()
    return [
        Case("the four XOR points", (X,)),
        Case("random case 1 (N = 5)", (rng.normal(size=(5, 2)),)),
        Case("random case 2 (N = 7)", (rng.normal(size=(7, 2)),)),
    ]


register(
    Exercise(
        name="xor-features",
        title="the degree-2 feature map that solves XOR",
        lecture=LECTURE,
        slide="Beyond linearity: feature map",
        function="degree2_features",
        params="X",
        outputs=("Phi",),
        statement=(
            "Return the degree-2 polynomial features of 2-D points: for each row (x₁, x₂) of X\n"
            "(shape (N, 2)) the 6 monomials of degree <= 2, in this order (scikit-learn's):\n"
            "1, x₁, x₂, x₁², x₁x₂, x₂². Phi has shape (N, 6). A linear classifier on Phi\n"
            "separates XOR (the product x₁x₂ does it)."
        ),
        formula="φ(x₁, x₂) = [1, x₁, x₂, x₁², x₁x₂, x₂²]",
        reference=xor_features_reference,
        cases=_xor_cases,
        mistakes=(
            Mistake(
                "forgot the constant 1",
                "the first feature is the constant 1 (it carries the bias): 6 columns, not 5.",
                lambda a, e: e[:, 1:],
                "def degree2_features(X):\n"
                "    x1, x2 = X[:, 0], X[:, 1]\n"
                "    return np.column_stack([x1, x2, x1**2, x1 * x2, x2**2])\n",
            ),
            Mistake(
                "forgot the cross term x₁x₂",
                "the product x₁·x₂ is the feature that separates XOR: include it (5th column).",
                lambda a, e: np.delete(e, 4, axis=1),
                "def degree2_features(X):\n"
                "    x1, x2 = X[:, 0], X[:, 1]\n"
                "    return np.column_stack([np.ones(len(X)), x1, x2, x1**2, x2**2])\n",
            ),
            Mistake(
                "cross term twice",
                "x₁x₂ and x₂x₁ are the same monomial: count it once (6 columns).",
                lambda a, e: np.insert(e, 5, e[:, 4], axis=1),
                "def degree2_features(X):\n"
                "    x1, x2 = X[:, 0], X[:, 1]\n"
                "    one = np.ones(len(X))\n"
                "    return np.column_stack([one, x1, x2, x1**2, x1 * x2, x2 * x1, x2**2])\n",
            ),
            Mistake(
                "wrong order",
                "the order is by degree, then lexicographic: 1, x₁, x₂, x₁², x₁x₂, x₂².",
                lambda a, e: e[:, [0, 1, 2, 4, 3, 5]],
                "def degree2_features(X):\n"
                "    x1, x2 = X[:, 0], X[:, 1]\n"
                "    one = np.ones(len(X))\n"
                "    return np.column_stack([one, x1, x2, x1 * x2, x1**2, x2**2])\n",
            ),
        ),
        hints=(
            "Take the columns x1 = X[:, 0] and x2 = X[:, 1]; build each feature as a column.",
            "np.column_stack([np.ones(len(X)), x1, x2, x1**2, x1*x2, x2**2]) — in that order.",
        ),
    )
)


# ----------------------------------------------------------------------------- ReLU backward
def relu_backward_reference(x, grad_out):
    from byhand import nn

    relu = nn.ReLU()
    relu.forward(x)
    return relu.backward(grad_out)


def _relu_cases() -> list[Case]:
    rng = np.random.default_rng(302)
    x0 = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    return [
        Case("relu'(z) on z = −2, −0.5, 0, 0.5, 3 (relu'(0) = 0)", (x0, np.ones_like(x0) * 2.0)),
        Case("random case 1 (shape (4, 3))", (rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))),
        Case("random case 2 (shape (2, 6))", (rng.normal(size=(2, 6)), rng.normal(size=(2, 6)))),
    ]


def _relu_adapter(m: LearnerModule, func: Any, g: np.ndarray) -> Any:
    return func(m.x.copy(), g.copy())


def _relu_gradcheck(func: Any) -> tuple[Any, Any]:
    from byhand import nn

    x = np.random.default_rng(0).normal(size=(4, 5))
    x = np.where(np.abs(x) < 0.1, 0.3, x)  # away from the kink
    return LearnerModule(nn.ReLU(), func, _relu_adapter), (x,)


register(
    Exercise(
        name="relu-backward",
        title="the backward pass of ReLU",
        lecture=LECTURE,
        slide="Activation function",
        function="relu_backward",
        params="x, grad_out",
        outputs=("grad_in",),
        statement=(
            "Given the input x of relu(x) = max(0, x) (any shape) and the gradient grad_out\n"
            "= ∂ℓ/∂relu(x) (same shape), return ∂ℓ/∂x (same shape).\n" + _RELU_AT_0
        ),
        formula="relu'(z) = 1 if z > 0 else 0,    ∂ℓ/∂x = grad_out ⊙ relu'(x)",
        reference=relu_backward_reference,
        cases=_relu_cases,
        gradcheck=_relu_gradcheck,
        mistakes=(
            Mistake(
                "forgot grad_out",
                "the chain rule multiplies the local derivative relu'(x) by the incoming "
                "gradient: return grad_out * (x > 0).",
                lambda a, e: (a[0] > 0).astype(float),
                "def relu_backward(x, grad_out):\n    return (x > 0).astype(float)\n",
            ),
            Mistake(
                "masked with grad_out",
                "the mask comes from the layer's input x (where x > 0), not from grad_out.",
                lambda a, e: a[1] * (a[1] > 0),
                "def relu_backward(x, grad_out):\n    return grad_out * (grad_out > 0)\n",
            ),
            Mistake(
                "relu'(0) = 1 (the slide's convention, not byhand's)",
                "you used x >= 0: " + _RELU_AT_0_HINT,
                lambda a, e: a[1] * (a[0] >= 0),
                "def relu_backward(x, grad_out):\n    return grad_out * (x >= 0)\n",
            ),
            Mistake(
                "used relu instead of its derivative",
                "multiply by relu'(x) (0 or 1), not by relu(x) = max(0, x).",
                lambda a, e: a[1] * np.maximum(a[0], 0),
                "def relu_backward(x, grad_out):\n    return grad_out * np.maximum(x, 0)\n",
            ),
        ),
        hints=(
            "relu'(x) is 1 where x > 0 and 0 elsewhere: (x > 0) is that mask.",
            "Chain rule: ∂ℓ/∂x = grad_out * (x > 0).",
        ),
    )
)


# ---------------------------------------------------------------- one-hidden-layer gradients
def one_hidden_layer_gradients_reference(x, y, W1, b1, w2, b2):
    from byhand import nn

    m = W1.shape[0]
    first = nn.Linear(1, m, dtype=np.float64)
    second = nn.Linear(m, 1, dtype=np.float64)
    first.weight.data[:] = W1[None, :]
    first.bias.data[:] = b1
    second.weight.data[:] = w2[:, None]
    second.bias.data[:] = b2
    net = nn.Sequential(first, nn.ReLU(), second)
    loss = nn.MSELoss()
    loss.forward(net.forward(x[:, None]), y[:, None])
    net.backward(loss.backward())
    return first.weight.grad[0], first.bias.grad, second.weight.grad[:, 0], second.bias.grad[0]


def _hidden_args(rng: np.random.Generator, n: int, m: int) -> tuple[Any, ...]:
    x = rng.normal(size=n)
    W1, b1 = rng.normal(size=m), rng.normal(size=m)
    h = np.outer(x, W1) + b1
    b1 = b1 + np.where(np.abs(h) < 0.1, 0.3, 0.0).max(axis=0)  # pre-activations off the kink
    return (x, rng.normal(size=n), W1, b1, rng.normal(size=m), rng.normal())


def _hidden_cases() -> list[Case]:
    rng = np.random.default_rng(303)
    example = (
        np.array([-1.0, 0.5, 2.0]),
        np.array([1.0, 0.0, 2.0]),
        np.array([1.0, -1.0]),
        np.array([0.5, 0.5]),
        np.array([2.0, -1.0]),
        0.5,
    )
    out = [Case("a small example (N = 3, m = 2 hidden units)", example)]
    for k, (n, m) in enumerate([(5, 4), (8, 3)], start=1):
        out.append(Case(f"random case {k} (N = {n}, m = {m})", _hidden_args(rng, n, m)))
    return out


def _hidden_no_gprime(a: tuple[Any, ...], e: Any) -> Any:
    x, y, W1, b1, w2, b2 = a
    h = np.outer(x, W1) + b1
    z = np.maximum(h, 0) @ w2 + b2
    r = -2 * (y - z) / len(x)
    return (r @ np.outer(x, w2), r.sum() * w2, e[2], e[3])


def _hidden_mask_ge(a: tuple[Any, ...], e: Any) -> Any:
    """The gradients with g'(0) = 1 (the mask h >= 0)."""
    x, y, W1, b1, w2, b2 = a
    h = np.outer(x, W1) + b1
    z = np.maximum(h, 0) @ w2 + b2
    r = -2 * (y - z) / len(x)
    back = (h >= 0) * w2
    return ((r * x) @ back, r @ back, r @ np.maximum(h, 0), r.sum())


def _hidden_adapter(mod: LearnerModule, func: Any, g: np.ndarray) -> None:
    first, _, second = mod.inner.modules
    # gradcheck's scalar is Σᵢ rᵢ zᵢ (r = g); J = (1/N) Σᵢ (yᵢ − zᵢ)² has ∂J/∂zᵢ = 2(zᵢ − yᵢ)/N,
    # which equals rᵢ for yᵢ = zᵢ − rᵢ·N/2: the learner's ∂J/∂θ at those y is ∂(Σ r z)/∂θ.
    z = mod.inner.forward(mod.x)[:, 0]
    y = z - g[:, 0] * len(z) / 2
    gW1, gb1, gw2, gb2 = func(
        mod.x[:, 0].copy(),
        y,
        first.weight.data[0].copy(),
        first.bias.data.copy(),
        second.weight.data[:, 0].copy(),
        float(second.bias.data[0]),
    )
    first.weight.accumulate(np.asarray(gW1, dtype=np.float64)[None, :])
    first.bias.accumulate(np.asarray(gb1, dtype=np.float64))
    second.weight.accumulate(np.asarray(gw2, dtype=np.float64)[:, None])
    second.bias.accumulate(np.asarray(gb2, dtype=np.float64).reshape(1))
    return None


def _hidden_gradcheck(func: Any) -> tuple[Any, Any]:

    rng = np.random.default_rng(0)
    x, _, W1, b1, w2, b2 = _hidden_args(rng, 6, 3)
    net = one_hidden_layer_net(W1, b1, w2, b2)
    return LearnerModule(net, func, _hidden_adapter), (x[:, None],)


def one_hidden_layer_net(W1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: float) -> Any:
    """byhand's Sequential(Linear(1, m), ReLU(), Linear(m, 1)) holding these parameters."""
    from byhand import nn

    first = nn.Linear(1, len(W1), dtype=np.float64)
    second = nn.Linear(len(W1), 1, dtype=np.float64)
    first.weight.data[:] = W1[None, :]
    first.bias.data[:] = b1
    second.weight.data[:] = w2[:, None]
    second.bias.data[:] = b2
    return nn.Sequential(first, nn.ReLU(), second)


_HIDDEN_TEMPLATE = (
    "def hidden_layer_gradients(x, y, W1, b1, w2, b2):\n"
    "    h = np.outer(x, W1) + b1\n"
    "    z = np.maximum(h, 0) @ w2 + b2\n"
    "    r = {r}\n"
    "    back = {gp} * w2\n"
    "    return (r * x) @ back, r @ back, r @ np.maximum(h, 0), r.sum()\n"
)


register(
    Exercise(
        name="one-hidden-layer-gradients",
        title="backprop by hand: the gradients of a one-hidden-layer ReLU network",
        lecture=LECTURE,
        slide="1-layer neural network",
        function="hidden_layer_gradients",
        params="x, y, W1, b1, w2, b2",
        outputs=("grad_W1", "grad_b1", "grad_w2", "grad_b2"),
        statement=(
            "For the network z = w⁽²⁾ᵀ g(w⁽¹⁾x + b⁽¹⁾) + b⁽²⁾ with g = relu, scalar inputs x\n"
            "(shape (N,)), targets y (N,), m hidden units (W1, b1, w2 of shape (m,), b2 a\n"
            "number), return the gradients of J = (1/N) Σᵢ (yᵢ − zᵢ)² with respect to W1, b1,\n"
            "w2 and b2 (shapes (m,), (m,), (m,) and a number), in that order.\n"
            "g'(h) = 1 where h > 0 and 0 where h < 0.\n" + _RELU_AT_0 + "\n"
            "(The worked example has one hᵢ exactly 0: there g'(0) = 0.)"
        ),
        formula=(
            "hᵢ = W1 xᵢ + b1,  zᵢ = w2ᵀ g(hᵢ) + b2,  rᵢ = −2(yᵢ − zᵢ)/N\n"
            "∂J/∂w2 = Σᵢ rᵢ g(hᵢ)      ∂J/∂b2 = Σᵢ rᵢ\n"
            "∂J/∂W1 = Σᵢ rᵢ (w2 ⊙ g'(hᵢ)) xᵢ      ∂J/∂b1 = Σᵢ rᵢ (w2 ⊙ g'(hᵢ))\n"
            "g'(h) = 1{h > 0}   (so g'(0) = 0)"
        ),
        reference=one_hidden_layer_gradients_reference,
        cases=_hidden_cases,
        gradcheck=_hidden_gradcheck,
        mistakes=(
            Mistake(
                "factor of 2",
                "d/dz (y − z)² = −2(y − z): keep the 2 in every gradient.",
                scaled(0.5),
                _HIDDEN_TEMPLATE.format(r="-(y - z) / len(x)", gp="(h > 0)"),
            ),
            Mistake(
                "sign",
                "d/dz (y − z)² = −2(y − z) = 2(z − y): prediction minus target.",
                scaled(-1.0),
                _HIDDEN_TEMPLATE.format(r="2 * (y - z) / len(x)", gp="(h > 0)"),
            ),
            Mistake(
                "missing 1/N",
                "∇J = (1/N) Σᵢ ∇Jᵢ: J is the mean of the per-sample losses.",
                scaled(lambda a: len(a[0])),
                _HIDDEN_TEMPLATE.format(r="-2 * (y - z)", gp="(h > 0)"),
            ),
            Mistake(
                "forgot g'(h)",
                "the first layer's gradients pass through the activation: multiply by "
                "g'(hᵢ) = 1{hᵢ > 0} (w2 ⊙ g'(hᵢ)).",
                _hidden_no_gprime,
                _HIDDEN_TEMPLATE.format(r="-2 * (y - z) / len(x)", gp="np.ones_like(h)"),
            ),
            Mistake(
                "g'(0) = 1 (the slide's convention, not byhand's)",
                "you used the mask h >= 0: " + _RELU_AT_0_HINT,
                _hidden_mask_ge,
                _HIDDEN_TEMPLATE.format(r="-2 * (y - z) / len(x)", gp="(h >= 0)"),
            ),
        ),
        hints=(
            "Forward first, keeping h = np.outer(x, W1) + b1 (shape (N, m)) and "
            "z = np.maximum(h, 0) @ w2 + b2.",
            "Let r = -2 * (y - z) / N (shape (N,)): each gradient is a sum over i of rᵢ times "
            "the derivative of zᵢ, e.g. grad_b2 = r.sum() and grad_w2 = r @ np.maximum(h, 0).",
            "For the first layer, dzᵢ/dhᵢ = w2 * (hᵢ > 0): grad_b1 = r @ ((h > 0) * w2) and "
            "grad_W1 = (r * x) @ ((h > 0) * w2).",
        ),
    )
)
