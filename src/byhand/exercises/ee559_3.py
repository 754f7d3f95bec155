"""Exercises of EE-559 3.1–3.6 (Fleuret, EPFL, 2019): SVM, LDA, tanh, back-propagation.

hinge-subgradient, lda, tanh-backward, linear-backward.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from byhand.exercises._core import Case, Exercise, Mistake, register
from byhand.exercises._helpers import LearnerModule, LossGradModule, replace, scaled, transposed

LECTURE = "ee559-3"


# --------------------------------------------------------------------------- hinge subgradient
def svm_subgradient_reference(w, b, X, y, lam):
    from byhand import nn

    layer = nn.Linear(X.shape[1], 1, dtype=np.float64)
    layer.weight.data[:] = w[:, None]
    layer.bias.data[:] = b
    loss = nn.HingeLoss(margin=1.0)
    loss.forward(layer.forward(X), y)
    layer.backward(loss.backward())
    return layer.weight.grad[:, 0] + 2 * lam * w, layer.bias.grad[0]


def _svm(w, b, X, y, lam, margin=1.0, reg=2.0, mean=True, reg_bias=False, strict=False) -> tuple:
    m = y * (X @ w + b)
    active = m < margin if strict else m <= margin
    n = len(y) if mean else 1
    gw = -(active * y) @ X / n + reg * lam * w
    gb = -(active * y).sum() / n + (reg * lam * b if reg_bias else 0.0)
    return gw, np.float64(gb)


def _svm_cases() -> list[Case]:
    rng = np.random.default_rng(501)
    # margins y(w·x + b) = 2, 1, −1, 1, 0.5: two samples exactly at the kink (margin 1)
    X0 = np.array([[2.0, 1.0], [1.0, 0.0], [1.0, 1.0], [-1.0, 0.5], [0.5, 2.0]])
    y0 = np.array([1, 1, -1, -1, 1])
    w0, b0 = np.array([1.0, 0.0]), 0.0
    out = [
        Case(
            "a small example with two margins exactly 1 (N = 5, d = 2, λ = 0.1)",
            (w0, b0, X0, y0, 0.1),
        )
    ]
    for k, (n, d) in enumerate([(8, 2), (12, 3), (6, 4)], start=1):
        X = rng.normal(size=(n, d))
        w, b = rng.normal(size=d), float(rng.normal())
        y = rng.choice([-1, 1], n)
        m = y * (X @ w + b)
        X = np.where(np.abs(m - 1)[:, None] < 0.05, 1.2 * X, X)  # margins off the kink at 1
        out.append(Case(f"random case {k} (N = {n}, d = {d}, λ = 0.1)", (w, b, X, y, 0.1)))
    return out


def _svm_gradcheck(func: Any) -> tuple[Any, Any]:
    from byhand import nn

    (w, b, X, y, lam) = _svm_cases()[1].args  # a random case: no margin at the kink

    def value(ps: list[np.ndarray]) -> float:
        hinge = nn.HingeLoss(margin=1.0).forward(X @ ps[0] + ps[1][0], y)
        return lam * float(ps[0] @ ps[0]) + hinge

    def grads(ps: list[np.ndarray]) -> Any:
        return func(ps[0], float(ps[1][0]), X.copy(), y.copy(), lam)

    return LossGradModule([w, [b]], value, grads), (np.zeros(1),)


_SVM = (
    "def svm_subgradient(w, b, X, y, lam):\n"
    "    active = y * (X @ w + b) <= {margin}\n"
    "    n = {n}\n"
    "    grad_w = -(active * y) @ X / n + {reg}\n"
    "    grad_b = -(active * y).sum() / n{breg}\n"
    "    return grad_w, grad_b\n"
)


def _svm_src(margin="1", n="len(y)", reg="2 * lam * w", breg="") -> str:
    return _SVM.format(margin=margin, n=n, reg=reg, breg=breg)


register(
    Exercise(
        name="hinge-subgradient",
        title="a subgradient of the linear SVM's objective",
        lecture=LECTURE,
        slide="3.1. The perceptron",
        function="svm_subgradient",
        params="w, b, X, y, lam",
        outputs=("grad_w", "grad_b"),
        statement=(
            "Return a subgradient (with respect to w and to b) of the SVM objective\n"
            "L(w, b) = λ‖w‖² + (1/N) Σᵢ max(0, 1 − yᵢ(w·xᵢ + b)), the 'hinge loss' (the bias\n"
            "is not regularised). w (d,), b a number, X (N, d), y (N,) in {−1, +1}, lam = λ.\n"
            "At the kink (margin yᵢ(w·xᵢ + b) exactly 1) the sample counts as active: take −yᵢxᵢ,\n"
            "as byhand's HingeLoss does (the test cases include margins exactly 1)."
        ),
        formula=(
            "active: yᵢ(w·xᵢ + b) <= 1\n"
            "∂L/∂w = 2λw − (1/N) Σ_{active} yᵢxᵢ,    ∂L/∂b = −(1/N) Σ_{active} yᵢ"
        ),
        reference=svm_subgradient_reference,
        cases=_svm_cases,
        gradcheck=_svm_gradcheck,
        mistakes=(
            Mistake(
                "forgot the regulariser",
                "L has the term λ‖w‖², whose gradient 2λw belongs in ∂L/∂w.",
                lambda a, e: _svm(*a, reg=0.0),
                _svm_src(reg="0"),
            ),
            Mistake(
                "factor of 2",
                "the gradient of λ‖w‖² is 2λw, not λw.",
                lambda a, e: _svm(*a, reg=1.0),
                _svm_src(reg="lam * w"),
            ),
            Mistake(
                "margin 0 instead of 1",
                "the hinge is max(0, 1 − y(w·x + b)): a sample is active while its margin is "
                "<= 1, not only when it is misclassified (that is the perceptron).",
                lambda a, e: _svm(*a, margin=0.0),
                _svm_src(margin="0"),
            ),
            Mistake(
                "missing 1/N",
                "the hinge term is a mean over the N samples: divide its sum by N.",
                lambda a, e: _svm(*a, mean=False),
                _svm_src(n="1"),
            ),
            Mistake(
                "strict inequality at the kink",
                "at a margin of exactly 1 the hinge has a kink; byhand takes the subgradient "
                "−yᵢxᵢ there (the sample is active: margin <= 1). Your < 1 takes 0, also a "
                "valid subgradient, but not the convention graded here.",
                lambda a, e: _svm(*a, strict=True),
                _svm_src().replace("<= 1", "< 1"),
            ),
            Mistake(
                "regularised the bias",
                "λ‖w‖² does not involve b: ∂L/∂b has no 2λb.",
                lambda a, e: _svm(*a, reg_bias=True),
                _svm_src(breg=" + 2 * lam * b"),
            ),
        ),
        hints=(
            "The active samples are those with y * (X @ w + b) <= 1 (a boolean array).",
            "Each active sample adds −yᵢxᵢ to the hinge part of ∂L/∂w and −yᵢ to ∂L/∂b; take the "
            "mean over all N samples, then add 2λw to ∂L/∂w.",
        ),
    )
)


# -------------------------------------------------------------------------------------- LDA
def lda_reference(X, y):
    from byhand import LinearDiscriminantAnalysis

    model = LinearDiscriminantAnalysis().fit(X, y)
    return model.coef_[0], model.intercept_[0]


def _lda(X, y, divisor=0, prior=True, swap=False, half=0.5, pooled=True) -> tuple:
    m0, m1 = X[y == 0].mean(axis=0), X[y == 1].mean(axis=0)
    if swap:
        m0, m1 = m1, m0
    n = len(y)
    if pooled:
        centred = np.where(
            (y == 1)[:, None], X - X[y == 1].mean(axis=0), X - X[y == 0].mean(axis=0)
        )
    else:
        centred = X - X.mean(axis=0)
    S = centred.T @ centred / (n - divisor)
    w = np.linalg.solve(S, m1 - m0)
    b = half * (m0 @ np.linalg.solve(S, m0) - m1 @ np.linalg.solve(S, m1))
    if prior:
        b += np.log(np.mean(y == 1) / np.mean(y == 0))
    return w, np.float64(b)


def _lda_cases() -> list[Case]:
    rng = np.random.default_rng(502)
    out = []
    for k, (n0, n1, d) in enumerate([(6, 10, 2), (15, 9, 3), (20, 12, 2)], start=1):
        A = np.eye(d) + 0.3 * rng.normal(size=(d, d))  # well conditioned
        X = np.vstack([rng.normal(size=(n0, d)) @ A, rng.normal(size=(n1, d)) @ A + 1.5])
        y = np.r_[np.zeros(n0, int), np.ones(n1, int)]
        out.append(
            Case(f"random case {k} ({n0} samples of class 0, {n1} of class 1, d = {d})", (X, y))
        )
    return out


_LDA = (
    "def lda(X, y):\n"
    "    m0, m1 = X[y == 0].mean(axis=0), X[y == 1].mean(axis=0)\n"
    "    c = np.where((y == 1)[:, None], X - m1, X - m0)\n"
    "    S = c.T @ c / {div}\n"
    "    w = np.linalg.solve(S, {diff})\n"
    "    b = {half} * (m0 @ np.linalg.solve(S, m0) - m1 @ np.linalg.solve(S, m1))\n"
    "    return w, b{prior}\n"
)


def _lda_src(div="len(y)", diff="m1 - m0", half="0.5", prior=None) -> str:
    if prior is None:
        prior = " + np.log(np.mean(y == 1) / np.mean(y == 0))"
    return _LDA.format(div=div, diff=diff, half=half, prior=prior)


register(
    Exercise(
        name="lda",
        title="linear discriminant analysis: w and b of the posterior σ(w·x + b)",
        lecture=LECTURE,
        slide="3.2. Probabilistic view of a linear classifier",
        function="lda",
        params="X, y",
        outputs=("w", "b"),
        statement=(
            "Fit LDA to X (N, d) with labels y (N,) in {0, 1}: class means m₀, m₁, priors\n"
            "P(Y = k) = N_k/N and the shared (pooled, maximum-likelihood) covariance Σ; return w\n"
            "(shape (d,)) and b (a number) such that P(Y = 1 | X = x) = σ(w·x + b)."
        ),
        formula=(
            "Σ = (1/N) Σ_k Σ_{i: yᵢ = k} (xᵢ − m_k)(xᵢ − m_k)ᵀ\n"
            "w = Σ⁻¹(m₁ − m₀),    b = ½(m₀ᵀΣ⁻¹m₀ − m₁ᵀΣ⁻¹m₁) + log(P(Y=1)/P(Y=0))"
        ),
        reference=lda_reference,
        cases=_lda_cases,
        mistakes=(
            Mistake(
                "forgot the prior term",
                "b ends with + log(P(Y=1)/P(Y=0)) = log(N₁/N₀): the classes are not equally "
                "frequent.",
                lambda a, e: _lda(*a, prior=False),
                _lda_src(prior=""),
            ),
            Mistake(
                "unbiased covariance",
                "LDA's Σ is the maximum-likelihood estimate: divide by N, not N − 2 (or N − 1).",
                lambda a, e: _lda(*a, divisor=2),
                _lda_src(div="(len(y) - 2)"),
            ),
            Mistake(
                "sign",
                "w = Σ⁻¹(m₁ − m₀) points from class 0 to class 1 (P(Y = 1 | x) grows along w).",
                lambda a, e: _lda(*a, swap=True),
                "def lda(X, y):\n"
                "    m0, m1 = X[y == 0].mean(axis=0), X[y == 1].mean(axis=0)\n"
                "    c = np.where((y == 1)[:, None], X - m1, X - m0)\n"
                "    S = c.T @ c / len(y)\n"
                "    w = np.linalg.solve(S, m0 - m1)\n"
                "    b = 0.5 * (m1 @ np.linalg.solve(S, m1) - m0 @ np.linalg.solve(S, m0))\n"
                "    return w, b + np.log(np.mean(y == 1) / np.mean(y == 0))\n",
            ),
            Mistake(
                "factor of 2",
                "b has ½(m₀ᵀΣ⁻¹m₀ − m₁ᵀΣ⁻¹m₁): keep the ½.",
                lambda a, e: _lda(*a, half=1.0),
                _lda_src(half="1.0"),
            ),
            Mistake(
                "np.cov of all the samples",
                "np.cov(X.T) centres every sample on the overall mean and divides by N − 1; LDA's "
                "Σ centres each sample on its own class mean and divides by N.",
                lambda a, e: _lda(*a, pooled=False, divisor=1),
                _lda_src()
                .replace("    c = np.where((y == 1)[:, None], X - m1, X - m0)\n", "")
                .replace("S = c.T @ c / len(y)", "S = np.cov(X.T)"),
            ),
            Mistake(
                "covariance not pooled",
                "Σ is the within-class covariance: centre each sample on its own class mean, "
                "not on the mean of all samples.",
                lambda a, e: _lda(*a, pooled=False),
                _lda_src().replace(
                    "c = np.where((y == 1)[:, None], X - m1, X - m0)", "c = X - X.mean(axis=0)"
                ),
            ),
        ),
        hints=(
            "Class means: m0 = X[y == 0].mean(axis=0), m1 likewise. Priors: np.mean(y == 1) "
            "and np.mean(y == 0).",
            "Centre every sample on its own class mean, then Σ = C.T @ C / N.",
            "w = np.linalg.solve(Σ, m1 - m0); b = 0.5 * (m0·Σ⁻¹m0 − m1·Σ⁻¹m1) + "
            "log(P(Y=1)/P(Y=0)).",
        ),
    )
)


# ----------------------------------------------------------------------------- tanh backward
def tanh_backward_reference(x, grad_out):
    from byhand import nn

    tanh = nn.Tanh()
    tanh.forward(x)
    return tanh.backward(grad_out)


def _tanh_cases() -> list[Case]:
    rng = np.random.default_rng(503)
    x0 = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0]])
    return [
        Case("tanh'(x) on x = −2, −0.5, 0, 0.5, 2 with grad_out = 1", (x0, np.ones_like(x0))),
        Case("random case 1 (shape (4, 3))", (rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))),
        Case(
            "random case 2 (shape (3, 5))", (2 * rng.normal(size=(3, 5)), rng.normal(size=(3, 5)))
        ),
    ]


def _act_adapter(m: LearnerModule, func: Any, g: np.ndarray) -> Any:
    return func(m.x.copy(), g.copy())


def _tanh_gradcheck(func: Any) -> tuple[Any, Any]:
    from byhand import nn

    return LearnerModule(nn.Tanh(), func, _act_adapter), (
        np.random.default_rng(0).normal(size=(4, 5)),
    )


register(
    Exercise(
        name="tanh-backward",
        title="the backward pass of tanh",
        lecture=LECTURE,
        slide="3.4. Multi-Layer Perceptrons",
        function="tanh_backward",
        params="x, grad_out",
        outputs=("grad_in",),
        statement=(
            "Given the input x of tanh (any shape) and grad_out = ∂ℓ/∂tanh(x) (same shape),\n"
            "return ∂ℓ/∂x (same shape)."
        ),
        formula="tanh'(x) = 1 − tanh²(x),    ∂ℓ/∂x = grad_out ⊙ (1 − tanh²(x))",
        reference=tanh_backward_reference,
        cases=_tanh_cases,
        gradcheck=_tanh_gradcheck,
        mistakes=(
            Mistake(
                "1 − x² instead of 1 − tanh²(x)",
                "the derivative is 1 − tanh(x)², in terms of the output tanh(x), not of x.",
                lambda a, e: a[1] * (1 - a[0] ** 2),
                "def tanh_backward(x, grad_out):\n    return grad_out * (1 - x**2)\n",
            ),
            Mistake(
                "forgot the square",
                "tanh'(x) = 1 − tanh(x)²: square the tanh.",
                lambda a, e: a[1] * (1 - np.tanh(a[0])),
                "def tanh_backward(x, grad_out):\n    return grad_out * (1 - np.tanh(x))\n",
            ),
            Mistake(
                "forgot grad_out",
                "chain rule: multiply the local derivative by the incoming gradient grad_out.",
                lambda a, e: 1 - np.tanh(a[0]) ** 2,
                "def tanh_backward(x, grad_out):\n    return 1 - np.tanh(x) ** 2\n",
            ),
            Mistake(
                "sign",
                "tanh is increasing: tanh'(x) = 1 − tanh²(x) > 0, not tanh²(x) − 1.",
                scaled(-1.0),
                "def tanh_backward(x, grad_out):\n    return grad_out * (np.tanh(x) ** 2 - 1)\n",
            ),
        ),
        hints=(
            "d/dx tanh(x) = 1 − tanh(x)²; compute t = np.tanh(x) first.",
            "∂ℓ/∂x = grad_out * (1 - t**2), entry by entry.",
        ),
    )
)


# ---------------------------------------------------------------------------- Linear.backward
def linear_backward_reference(x, W, grad_out):
    from byhand import nn

    layer = nn.Linear(W.shape[0], W.shape[1], dtype=np.float64)
    layer.weight.data[:] = W
    layer.forward(x)
    grad_x = layer.backward(grad_out)
    return grad_x, layer.weight.grad, layer.bias.grad


def _linear_cases() -> list[Case]:
    rng = np.random.default_rng(504)
    out = []
    for k, (n, i, o) in enumerate([(4, 3, 2), (5, 2, 4), (3, 3, 3)], start=1):
        args = (rng.normal(size=(n, i)), rng.normal(size=(i, o)), rng.normal(size=(n, o)))
        out.append(Case(f"random case {k} (N = {n}, in = {i}, out = {o})", args))
    return out


def _linear_adapter(m: LearnerModule, func: Any, g: np.ndarray) -> Any:
    layer = m.inner
    gx, gw, gb = func(m.x.copy(), layer.weight.data.copy(), g.copy())
    layer.weight.accumulate(np.asarray(gw, dtype=np.float64))
    layer.bias.accumulate(np.asarray(gb, dtype=np.float64))
    return gx


def _linear_gradcheck(func: Any) -> tuple[Any, Any]:
    from byhand import nn

    layer = nn.Linear(4, 3, random_state=0, dtype=np.float64)
    return LearnerModule(layer, func, _linear_adapter), (
        np.random.default_rng(0).normal(size=(5, 4)),
    )


_LINEAR = (
    "def linear_backward(x, W, grad_out):\n"
    "    grad_x = grad_out @ W.T\n"
    "    grad_W = {gw}\n"
    "    grad_b = {gb}\n"
    "    return grad_x, grad_W, grad_b\n"
)

register(
    Exercise(
        name="linear-backward",
        title="Linear.backward in tensorial form",
        lecture=LECTURE,
        slide="3.6. Back-propagation",
        function="linear_backward",
        params="x, W, grad_out",
        outputs=("grad_x", "grad_W", "grad_b"),
        statement=(
            "A linear layer maps a batch x (N, in) to s = x W + b, with W (in, out) and b (out,)\n"
            "(byhand's layout: the lecture's s = w x + b, one row per sample). Given\n"
            "grad_out = ∂ℓ/∂s (N, out), return ∂ℓ/∂x (N, in), ∂ℓ/∂W (in, out) and ∂ℓ/∂b (out,),\n"
            "summed over the batch."
        ),
        formula=(
            "[∂ℓ/∂w] = [∂ℓ/∂s] xᵀ per sample, so for the batch:\n"
            "∂ℓ/∂x = G Wᵀ,    ∂ℓ/∂W = xᵀ G,    ∂ℓ/∂b = Σₙ Gₙ   (G = grad_out)"
        ),
        reference=linear_backward_reference,
        cases=_linear_cases,
        gradcheck=_linear_gradcheck,
        mistakes=(
            Mistake(
                "missing transpose",
                "∂ℓ/∂W = xᵀ G has W's shape (in, out); G ᵀx is its transpose.",
                transposed(1),
                _LINEAR.format(gw="grad_out.T @ x", gb="grad_out.sum(axis=0)"),
            ),
            Mistake(
                "missing sum over the batch (took the mean)",
                "the gradients of a batch are sums over its samples: ∂ℓ/∂b = Σₙ Gₙ, not the mean.",
                lambda a, e: replace(e, {2: e[2] / len(a[0])}),
                _LINEAR.format(gw="x.T @ grad_out", gb="grad_out.mean(axis=0)"),
            ),
            Mistake(
                "divided by the batch size",
                "a layer's backward sums over the batch: ∂ℓ/∂W = xᵀG and ∂ℓ/∂b = Σₙ Gₙ, with no "
                "1/N (if the loss is a mean, its 1/N is already in G = grad_out).",
                lambda a, e: replace(e, {1: e[1] / len(a[0]), 2: e[2] / len(a[0])}),
                _LINEAR.format(gw="x.T @ grad_out / len(x)", gb="grad_out.mean(axis=0)"),
            ),
            Mistake(
                "forgot the bias gradient",
                "b gets a gradient too: ∂ℓ/∂b = Σₙ Gₙ (grad_out summed over the batch).",
                lambda a, e: replace(e, {2: np.zeros_like(e[2])}),
                _LINEAR.format(gw="x.T @ grad_out", gb="np.zeros(W.shape[1])"),
            ),
            Mistake(
                "bias gradient summed over the wrong axis",
                "sum grad_out over the batch (axis 0): one entry per output, shape (out,).",
                lambda a, e: replace(e, {2: a[2].sum(axis=1)}),
                _LINEAR.format(gw="x.T @ grad_out", gb="grad_out.sum(axis=1)"),
            ),
        ),
        hints=(
            "Check shapes: ∂ℓ/∂x must be (N, in), ∂ℓ/∂W (in, out), ∂ℓ/∂b (out,). Only one matrix "
            "product gives each shape.",
            "∂ℓ/∂x = grad_out @ W.T and ∂ℓ/∂W = x.T @ grad_out.",
            "∂ℓ/∂b = grad_out.sum(axis=0): every sample adds its gradient.",
        ),
    )
)
