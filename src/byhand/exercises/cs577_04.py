"""Exercises of CS 577 Lecture 04 (Wang, IIT, 2024): the classification losses and gradients.

perceptron-loss-gradient, logistic-loss, softmax-cross-entropy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from byhand.datasets import perceptron_trace
from byhand.exercises._core import Case, Exercise, Mistake, register
from byhand.exercises._helpers import LossGradModule, learner_loss, replace, scaled

LECTURE = "cs577-04"


def _n(a: tuple[Any, ...]) -> int:
    return len(a[1])


# ------------------------------------------------------------------ perceptron loss gradient
def perceptron_loss_gradient_reference(w, X, y):
    from byhand import nn

    layer = nn.Linear(X.shape[1], 1, bias=False, dtype=np.float64)
    layer.weight.data[:] = w[:, None]
    loss = nn.PerceptronLoss()
    loss.forward(layer.forward(X), y)
    layer.backward(loss.backward())
    return layer.weight.grad[:, 0]


def _perceptron_grad(w, X, y, strict=False, everywhere=False) -> np.ndarray:
    m = y * (X @ w)
    active = np.ones_like(m, bool) if everywhere else (m < 0 if strict else m <= 0)
    return -(active * y) @ X / len(y)


def _ploss_cases() -> list[Case]:
    X, y = perceptron_trace()
    rng = np.random.default_rng(401)
    out = [
        Case(
            "the lecture's 8 points at w = [1, −1] (two on the boundary)",
            (np.array([1.0, -1.0]), X, y),
        ),
        Case("the lecture's 8 points at w = 0 (every point a mistake)", (np.zeros(2), X, y)),
    ]
    for k, (n, d) in enumerate([(10, 3), (6, 2)], start=1):
        Xr = rng.normal(size=(n, d))
        out.append(
            Case(
                f"random case {k} (N = {n}, d = {d})",
                (rng.normal(size=d), Xr, rng.choice([-1, 1], n)),
            )
        )
    return out


def _ploss_gradcheck(func: Any) -> tuple[Any, Any]:
    from byhand import nn

    rng = np.random.default_rng(0)
    X, y, w = rng.normal(size=(8, 3)), rng.choice([-1, 1], 8), rng.normal(size=3)
    X = np.where(np.abs(X @ w)[:, None] < 0.2, X + 0.5 * np.sign(X @ w + 1e-9)[:, None] * w, X)

    def value(ps: list[np.ndarray]) -> float:
        return nn.PerceptronLoss().forward(X @ ps[0], y)

    return LossGradModule([w], value, lambda ps: func(ps[0], X.copy(), y.copy())), (np.zeros(1),)


_PLOSS = (
    "def perceptron_loss_gradient(w, X, y):\n"
    "    margins = y * (X @ w)\n"
    "    active = {active}\n"
    "    return {ret}\n"
)

register(
    Exercise(
        name="perceptron-loss-gradient",
        title="the (sub)gradient of the perceptron loss",
        lecture=LECTURE,
        slide="Perceptron loss",
        function="perceptron_loss_gradient",
        params="w, X, y",
        outputs=("grad",),
        statement=(
            "Return the gradient with respect to w of J(w) = (1/N) Σᵢ max(0, −yᵢ wᵀxᵢ)\n"
            "(no bias). w (d,), X (N, d), y (N,) in {−1, +1}; the result has shape (d,). At the\n"
            "kink yᵢ wᵀxᵢ = 0 take −yᵢxᵢ (so that SGD with η = 1 is the perceptron update)."
        ),
        formula="∇ max(0, −y wᵀx) = −y x if y wᵀx <= 0, else 0;    ∇J = (1/N) Σᵢ of those",
        reference=perceptron_loss_gradient_reference,
        cases=_ploss_cases,
        gradcheck=_ploss_gradcheck,
        mistakes=(
            Mistake(
                "sign",
                "the gradient of −y wᵀx is −y x (minus): SGD's step −η∇ then adds y x.",
                scaled(-1.0),
                _PLOSS.format(active="margins <= 0", ret="(active * y) @ X / len(y)"),
            ),
            Mistake(
                "missing 1/N",
                "J is the mean over the N samples: divide the sum by N.",
                scaled(_n),
                _PLOSS.format(active="margins <= 0", ret="-(active * y) @ X"),
            ),
            Mistake(
                "gradient on every sample",
                "max(0, ·) is flat where y wᵀx > 0: only the mistakes (y wᵀx <= 0) contribute.",
                lambda a, e: _perceptron_grad(*a, everywhere=True),
                _PLOSS.format(active="np.ones_like(margins)", ret="-(active * y) @ X / len(y)"),
            ),
            Mistake(
                "strict inequality at the kink",
                "at y wᵀx = 0 take −y x (a point on the boundary is a mistake): use <= 0.",
                lambda a, e: _perceptron_grad(*a, strict=True),
                _PLOSS.format(active="margins < 0", ret="-(active * y) @ X / len(y)"),
            ),
        ),
        hints=(
            "The margins are y * (X @ w) (shape (N,)); a sample contributes when its margin "
            "is <= 0.",
            "Its contribution is −yᵢxᵢ: sum them with a matrix product, -(active * y) @ X, and "
            "divide by N.",
        ),
    )
)


# ----------------------------------------------------------------------------- logistic loss
def logistic_loss_reference(z, y):
    from byhand import nn

    loss = nn.LogisticLoss()
    value = loss.forward(z, y)
    return np.float64(value), loss.backward()


def _logistic_cases() -> list[Case]:
    rng = np.random.default_rng(402)
    return [
        Case(
            "z = 0, 2, −2 with y = +1 (loss log 2 at z = 0)",
            (np.array([0.0, 2.0, -2.0]), np.array([1, 1, 1])),
        ),
        Case("random case 1 (N = 6)", (rng.normal(size=6), rng.choice([-1, 1], 6))),
        Case("random case 2 (N = 9)", (3 * rng.normal(size=9), rng.choice([-1, 1], 9))),
        Case(
            "large scores z = ±800 (exp overflows)",
            (np.array([800.0, -800.0, 5.0, -800.0]), np.array([-1, -1, 1, 1])),
        ),
    ]


def _logistic_naive(a: tuple[Any, ...], e: Any) -> Any:
    z, y = a
    with np.errstate(all="ignore"):
        loss = np.mean(np.log(1 + np.exp(-y * z)))
        grad = -y * np.exp(-y * z) / (1 + np.exp(-y * z)) / len(z)
    return np.float64(loss), grad


def _logistic_gradcheck(func: Any) -> tuple[Any, Any]:
    from byhand import nn

    rng = np.random.default_rng(0)
    return learner_loss(nn.LogisticLoss, func), (rng.normal(size=5), rng.choice([-1, 1], 5))


_LOGISTIC = (
    "def logistic_loss(z, y):\n"
    "    n = len(z)\n"
    "    loss = np.logaddexp(0, -y * z).sum() / n\n"
    "    grad = {grad}\n"
    "    return loss{scale}, grad{scale}\n"
)

register(
    Exercise(
        name="logistic-loss",
        title="the logistic loss and its gradient, computed stably",
        lecture=LECTURE,
        slide="Breakout session: Maximum likelihood",
        function="logistic_loss",
        params="z, y",
        outputs=("loss", "grad"),
        statement=(
            "Given scores z (N,) and labels y (N,) in {−1, +1}, return the mean logistic loss\n"
            "L = (1/N) Σᵢ log(1 + exp(−yᵢzᵢ)) (a number) and its gradient ∂L/∂z (shape (N,)).\n"
            "It must stay finite for scores like z = ±800 (no overflow)."
        ),
        formula=(
            "L = (1/N) Σᵢ log(1 + e^{−yᵢzᵢ}),    ∂L/∂zᵢ = −yᵢ σ(−yᵢzᵢ) / N,\nσ(t) = 1/(1 + e^{−t})"
        ),
        reference=logistic_loss_reference,
        cases=_logistic_cases,
        gradcheck=_logistic_gradcheck,
        extra_imports="from scipy.special import expit  # σ, computed without overflow",
        mistakes=(
            Mistake(
                "sign",
                "∂/∂z log(1 + e^{−yz}) = −y σ(−yz): the gradient points against y.",
                lambda a, e: replace(e, {1: -e[1]}),
                _LOGISTIC.format(grad="y * expit(-y * z) / n", scale=""),
            ),
            Mistake(
                "missing 1/N",
                "L is the mean over the N samples: divide the loss and the gradient by N.",
                scaled(lambda a: len(a[0])),
                _LOGISTIC.format(grad="-y * expit(-y * z) / n", scale=" * n"),
            ),
            Mistake(
                "missing 1/N in the gradient",
                "the loss is a mean, so its gradient is divided by N too: "
                "∂L/∂zᵢ = −yᵢ σ(−yᵢzᵢ) / N (each zᵢ appears in one of the N terms).",
                lambda a, e: replace(e, {1: e[1] * len(a[0])}),
                _LOGISTIC.format(grad="-y * expit(-y * z)", scale=""),
            ),
            Mistake(
                "overflow",
                "log(1 + exp(−yz)) overflows for large |z|: use np.logaddexp(0, −y*z) for the "
                "loss and scipy.special.expit (a stable σ) for the gradient.",
                _logistic_naive,
                "def logistic_loss(z, y):\n"
                "    e = np.exp(-y * z)\n"
                "    return np.mean(np.log(1 + e)), -y * e / (1 + e) / len(z)\n",
            ),
            Mistake(
                "0/1-label formula with ±1 labels",
                "σ(z) − y is the gradient for labels in {0, 1}; with y in {−1, +1} it is "
                "−y σ(−yz).",
                lambda a, e: replace(e, {1: (1 / (1 + np.exp(-a[0])) - a[1]) / len(a[0])}),
                _LOGISTIC.format(grad="(expit(z) - y) / n", scale=""),
            ),
        ),
        hints=(
            "np.logaddexp(0, t) = log(1 + e^t) without overflow: the loss is "
            "np.logaddexp(0, -y * z).mean().",
            "d/dz log(1 + e^{−yz}) = −y e^{−yz}/(1 + e^{−yz}) = −y σ(−yz); scipy.special.expit "
            "is σ, stable for any z.",
            "Both are means over N: divide the gradient by N too.",
        ),
    )
)


# ---------------------------------------------------------------- softmax with cross-entropy
def softmax_cross_entropy_reference(z, y):
    from byhand import nn

    loss = nn.CrossEntropyLoss()
    value = loss.forward(z, y)
    return np.float64(value), loss.backward()


def _softmax_cases() -> list[Case]:
    rng = np.random.default_rng(403)
    return [
        Case(
            "z = [[1, 2, 3], [0, 0, 0]] with y = [2, 0]",
            (np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]), np.array([2, 0])),
        ),
        Case("random case 1 (N = 5, K = 4)", (rng.normal(size=(5, 4)), rng.integers(0, 4, 5))),
        Case("random case 2 (N = 3, K = 6)", (2 * rng.normal(size=(3, 6)), rng.integers(0, 6, 3))),
        Case(
            "large logits (z up to 1000)",
            (np.array([[1000.0, 0.0, -5.0], [3.0, 1000.0, 999.0]]), np.array([1, 2])),
        ),
    ]


def _softmax(z: np.ndarray, axis: int = 1) -> np.ndarray:
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _onehot(y: np.ndarray, k: int) -> np.ndarray:
    return np.eye(k)[y]


def _softmax_naive(a: tuple[Any, ...], e: Any) -> Any:
    z, y = a
    with np.errstate(all="ignore"):
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[np.arange(len(y)), y]))
    return np.float64(loss), (p - _onehot(y, z.shape[1])) / len(y)


def _softmax_wrong_axis(a: tuple[Any, ...], e: Any) -> Any:
    from scipy.special import logsumexp

    z, y = a
    logp = z - logsumexp(z, axis=0, keepdims=True)
    loss = -np.mean(logp[np.arange(len(y)), y])
    return np.float64(loss), (np.exp(logp) - _onehot(y, z.shape[1])) / len(y)


def _softmax_gradcheck(func: Any) -> tuple[Any, Any]:
    from byhand import nn

    rng = np.random.default_rng(0)
    return learner_loss(nn.CrossEntropyLoss, func), (rng.normal(size=(4, 3)), rng.integers(0, 3, 4))


_SOFTMAX = (
    "def softmax_cross_entropy(z, y):\n"
    "    n, k = z.shape\n"
    "    logp = z - logsumexp(z, axis=1, keepdims=True)\n"
    "    p = np.exp(logp)\n"
    "    loss = -logp[np.arange(n), y].mean()\n"
    "    return loss, {grad}\n"
)

register(
    Exercise(
        name="softmax-cross-entropy",
        title="softmax with cross-entropy: the gradient p − onehot(y)",
        lecture=LECTURE,
        slide="Derivative",
        function="softmax_cross_entropy",
        params="z, y",
        outputs=("loss", "grad"),
        statement=(
            "Given logits z (N, K) and class indices y (N,) in 0..K−1, return the mean\n"
            "cross-entropy L = (1/N) Σᵢ −log softmax(zᵢ)_{yᵢ} (a number) and its gradient\n"
            "∂L/∂z (shape (N, K)). It must stay finite for logits like 1000."
        ),
        formula=(
            "p = softmax(z) row by row,  L = −(1/N) Σᵢ log p_{i, yᵢ}\n∂L/∂z = (p − onehot(y)) / N"
        ),
        reference=softmax_cross_entropy_reference,
        cases=_softmax_cases,
        gradcheck=_softmax_gradcheck,
        extra_imports="from scipy.special import logsumexp  # log Σ exp, without overflow",
        mistakes=(
            Mistake(
                "forgot the one-hot",
                "∂L/∂z = p − onehot(y): subtract 1 at each row's true class.",
                lambda a, e: replace(e, {1: _softmax(a[0]) / len(a[1])}),
                _SOFTMAX.format(grad="p / n"),
            ),
            Mistake(
                "sign",
                "the gradient is p − onehot(y) (probabilities minus the target), not the reverse.",
                lambda a, e: replace(e, {1: -e[1]}),
                _SOFTMAX.format(grad="(np.eye(k)[y] - p) / n"),
            ),
            Mistake(
                "missing 1/N",
                "L is the mean over the N rows: divide the gradient by N.",
                lambda a, e: replace(e, {1: e[1] * len(a[1])}),
                _SOFTMAX.format(grad="p - np.eye(k)[y]"),
            ),
            Mistake(
                "sum instead of mean",
                "L is the mean over the N rows, not their sum: divide the loss and the "
                "gradient by N.",
                scaled(lambda a: len(a[1])),
                _SOFTMAX.format(grad="p - np.eye(k)[y]").replace(".mean()", ".sum()"),
            ),
            Mistake(
                "overflow",
                "exp(1000) overflows: subtract each row's maximum before exp (softmax does not "
                "change), or use scipy.special.logsumexp.",
                _softmax_naive,
                "def softmax_cross_entropy(z, y):\n"
                "    n, k = z.shape\n"
                "    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
                "    loss = -np.log(p[np.arange(n), y]).mean()\n"
                "    return loss, (p - np.eye(k)[y]) / n\n",
            ),
            Mistake(
                "softmax over the wrong axis",
                "normalise each row (one sample's K logits): sum over axis=1, not axis=0.",
                _softmax_wrong_axis,
                "def softmax_cross_entropy(z, y):\n"
                "    n, k = z.shape\n"
                "    logp = z - logsumexp(z, axis=0, keepdims=True)\n"
                "    loss = -logp[np.arange(n), y].mean()\n"
                "    return loss, (np.exp(logp) - np.eye(k)[y]) / n\n",
            ),
        ),
        hints=(
            "log softmax(z) = z − logsumexp(z) row by row: "
            "logp = z - logsumexp(z, axis=1, keepdims=True).",
            "The loss picks each row's true class: -logp[np.arange(N), y].mean().",
            "∂L/∂z = (p − onehot(y)) / N with p = np.exp(logp) and onehot(y) = np.eye(K)[y].",
        ),
    )
)
