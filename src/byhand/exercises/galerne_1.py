"""Exercises of Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25).

gd-step-size-limit, softmax-regression-gradient, maxpool-backward, conv2d-backward.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from byhand.datasets import lecture01_regression
from byhand.exercises._core import Case, Exercise, Mistake, register
from byhand.exercises._helpers import LearnerModule, LossGradModule, replace, scaled, transposed

LECTURE = "galerne-1"


# ---------------------------------------------------------------------- GD step-size limit
def max_step_size_reference(X):
    from byhand import nn

    # J(θ) = MSELoss of the linear model [X, 1] θ; its Hessian is constant: build it column by
    # column from byhand's gradients (∇J(e_j) − ∇J(0)), then L = its largest eigenvalue.
    d = X.shape[1] + 1
    Xt = np.column_stack([X, np.ones(len(X))])

    def grad(theta):
        layer = nn.Linear(d, 1, bias=False, dtype=np.float64)
        layer.weight.data[:] = theta[:, None]
        loss = nn.MSELoss()
        loss.forward(layer.forward(Xt), np.zeros((len(X), 1)))
        layer.backward(loss.backward())
        return layer.weight.grad[:, 0]

    H = np.column_stack([grad(e) for e in np.eye(d)])
    L = np.linalg.eigvalsh((H + H.T) / 2).max()
    return np.float64(2 / L)


def _limit(X: np.ndarray, factor=2.0, mean=True, largest=True, bias=True) -> np.float64:
    Xt = np.column_stack([X, np.ones(len(X))]) if bias else X
    lam = np.linalg.eigvalsh(Xt.T @ Xt)
    lam = lam.max() if largest else lam.min()
    L = factor * lam / (len(X) if mean else 1)
    return np.float64(2 / L)


def _limit_cases() -> list[Case]:
    X, _ = lecture01_regression()
    rng = np.random.default_rng(601)
    out = [Case("CS 577 Lecture 01's example x = 1, 2, 3 (ε = 0.15 converges, 0.2 does not)", (X,))]
    for k, (n, d) in enumerate([(6, 2), (10, 3)], start=1):
        out.append(Case(f"random case {k} (N = {n}, d = {d})", (rng.normal(size=(n, d)),)))
    return out


_LIMIT = (
    "def max_step_size(X):\n"
    "    Xt = {xt}\n"
    "    L = {factor} * np.linalg.eigvalsh(Xt.T @ Xt).{which}() / {n}\n"
    "    return {two} / L\n"
)


def _limit_src(
    xt="np.column_stack([X, np.ones(len(X))])", factor="2", which="max", n="len(X)", two="2"
) -> str:
    return _LIMIT.format(xt=xt, factor=factor, which=which, n=n, two=two)


register(
    Exercise(
        name="gd-step-size-limit",
        title="the largest step size for which gradient descent converges",
        lecture=LECTURE,
        slide="Gradient descent",
        function="max_step_size",
        params="X",
        outputs=("gamma_max",),
        statement=(
            "For least squares J(θ) = (1/N) ‖X̃θ − y‖² with X̃ = [X, 1] (X of shape (N, d)), the\n"
            "gradient is L-Lipschitz with L the largest eigenvalue of the Hessian ∇²J, and\n"
            "gradient descent converges when 0 < γ < 2/L. Return 2/L (a number); y plays no part.\n"
            "On CS 577 Lecture 01's example (x = 1, 2, 3) it is ≈ 0.18: ε = 0.15 converges, 0.2\n"
            "diverges."
        ),
        formula="∇²J = (2/N) X̃ᵀX̃,    L = λ_max(∇²J),    γ_max = 2/L",
        reference=max_step_size_reference,
        cases=_limit_cases,
        mistakes=(
            Mistake(
                "factor of 2 in the Hessian",
                "the Hessian of (1/N)‖X̃θ − y‖² is (2/N) X̃ᵀX̃: keep the 2 of the square.",
                lambda a, e: _limit(a[0], factor=1.0),
                _limit_src(factor="1"),
            ),
            Mistake(
                "1/L instead of 2/L",
                "GD converges for γ < 2/L (the slide's bound), not only below 1/L.",
                scaled(0.5),
                _limit_src(two="1"),
            ),
            Mistake(
                "missing 1/N",
                "J is a mean over N samples, so is its Hessian: (2/N) X̃ᵀX̃.",
                lambda a, e: _limit(a[0], mean=False),
                _limit_src(n="1"),
            ),
            Mistake(
                "smallest eigenvalue",
                "L is the largest eigenvalue (the steepest direction sets the limit).",
                lambda a, e: _limit(a[0], largest=False),
                _limit_src(which="min"),
            ),
            Mistake(
                "forgot the bias column",
                "X̃ = [X, 1]: the bias is a parameter too and changes the Hessian.",
                lambda a, e: _limit(a[0], bias=False),
                _limit_src(xt="X"),
            ),
        ),
        hints=(
            "Differentiate J twice: ∇J(θ) = (2/N) X̃ᵀ(X̃θ − y), so ∇²J = (2/N) X̃ᵀX̃ (it does not "
            "depend on θ).",
            "np.linalg.eigvalsh(H).max() is the largest eigenvalue of a symmetric H.",
            "On the lecture's example X̃ᵀX̃ = [[14, 6], [6, 3]], whose largest eigenvalue is "
            "≈ 16.64: L ≈ 11.09 and 2/L ≈ 0.180.",
        ),
    )
)


# ---------------------------------------------------------------- softmax regression gradient
def softmax_regression_gradient_reference(W, Phi, t):
    from byhand import nn

    layer = nn.Linear(W.shape[0], W.shape[1], bias=False, dtype=np.float64)
    layer.weight.data[:] = W
    loss = nn.CrossEntropyLoss()
    loss.forward(layer.forward(Phi), t)
    layer.backward(loss.backward())
    return layer.weight.grad * len(t)  # the lecture's L is a sum, byhand's loss a mean


def _softmax(a: np.ndarray) -> np.ndarray:
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _sr_cases() -> list[Case]:
    rng = np.random.default_rng(602)
    out = [
        Case(
            "W = 0 on three points with the bias trick (φ = [x, 1])",
            (
                np.zeros((2, 3)),
                np.array([[1.0, 1.0], [-1.0, 1.0], [0.5, 1.0]]),
                np.array([0, 1, 2]),
            ),
        )
    ]
    for k, (n, D, K) in enumerate([(6, 3, 4), (5, 4, 2)], start=1):
        Phi = np.column_stack([rng.normal(size=(n, D - 1)), np.ones(n)])
        out.append(
            Case(
                f"random case {k} (N = {n}, D = {D}, K = {K})",
                (rng.normal(size=(D, K)), Phi, rng.integers(0, K, n)),
            )
        )
    return out


def _sr_gradcheck(func: Any) -> tuple[Any, Any]:
    from byhand import nn

    W, Phi, t = _sr_cases()[1].args

    def value(ps: list[np.ndarray]) -> float:
        return len(t) * nn.CrossEntropyLoss().forward(Phi @ ps[0], t)

    return LossGradModule([W], value, lambda ps: func(ps[0], Phi.copy(), t.copy())), (np.zeros(1),)


_SR = (
    "def softmax_regression_gradient(W, Phi, t):\n"
    "    A = Phi @ W\n"
    "    Y = np.exp(A - A.max(axis=1, keepdims=True))\n"
    "    Y /= Y.sum(axis=1, keepdims=True)\n"
    "    T = np.eye(W.shape[1])[t]\n"
    "    return {ret}\n"
)

register(
    Exercise(
        name="softmax-regression-gradient",
        title="the gradient of multivariate logistic regression",
        lecture=LECTURE,
        slide="Multivariate logistic regression",
        function="softmax_regression_gradient",
        params="W, Phi, t",
        outputs=("grad_W",),
        statement=(
            "Features Phi (N, D) (the bias trick: one column is 1), weights W (D, K), classes t\n"
            "(N,) in 0..K−1. With yₙ = softmax(Wᵀφₙ) and tₙ the one-hot code of the class,\n"
            "return the gradient of the negative log-likelihood L(W) = −Σₙ log y_{n, tₙ}\n"
            "(a sum over the samples, as in the lecture) with respect to W: shape (D, K)."
        ),
        formula="∇L(W) = Σₙ φₙ (yₙ − tₙ)ᵀ = Φᵀ (Y − T)",
        reference=softmax_regression_gradient_reference,
        cases=_sr_cases,
        gradcheck=_sr_gradcheck,
        mistakes=(
            Mistake(
                "missing transpose",
                "∇L(W) = Φᵀ(Y − T) has W's shape (D, K); (Y − T)ᵀΦ is its transpose.",
                transposed(0),
                _SR.format(ret="(Y - T).T @ Phi"),
            ),
            Mistake(
                "sign",
                "the gradient is Φᵀ(Y − T): predictions minus targets.",
                scaled(-1.0),
                _SR.format(ret="Phi.T @ (T - Y)"),
            ),
            Mistake(
                "divided by N",
                "the lecture's L(W) is a sum over the samples, not a mean: no 1/N.",
                scaled(lambda a: 1 / len(a[2])),
                _SR.format(ret="Phi.T @ (Y - T) / len(t)"),
            ),
            Mistake(
                "forgot the softmax",
                "yₙ are the probabilities softmax(Wᵀφₙ), not the scores Wᵀφₙ.",
                lambda a, e: a[1].T @ (a[1] @ a[0] - np.eye(a[0].shape[1])[a[2]]),
                _SR.format(ret="Phi.T @ (A - T)"),
            ),
        ),
        hints=(
            "Scores A = Phi @ W (N, K); probabilities Y = softmax of each row (subtract the row "
            "maximum before np.exp).",
            "One-hot targets: T = np.eye(K)[t].",
            "∇L = Phi.T @ (Y - T): a (D, N) by (N, K) product, W's shape.",
        ),
    )
)


# --------------------------------------------------------------------------- MaxPool backward
def maxpool_backward_reference(x, grad_out, k):
    from byhand import nn

    pool = nn.MaxPool2d(k)
    pool.forward(x)
    return pool.backward(grad_out)


def _pool_loop(x: np.ndarray, g: np.ndarray, k: int, mode: str = "first") -> np.ndarray:
    out = np.zeros_like(x, dtype=np.float64)
    n, c, oh, ow = g.shape
    for a in range(n):
        for b in range(c):
            for i in range(oh):
                for j in range(ow):
                    win = x[a, b, i * k : (i + 1) * k, j * k : (j + 1) * k]
                    dst = out[a, b, i * k : (i + 1) * k, j * k : (j + 1) * k]
                    if mode == "all":
                        dst += g[a, b, i, j] * (win == win.max())
                    elif mode == "mean":
                        dst += g[a, b, i, j] / win.size
                    elif mode == "split":
                        top = win == win.max()
                        dst += g[a, b, i, j] * top / np.count_nonzero(top)
                    elif mode == "colmajor":
                        q, p = np.unravel_index(np.argmax(win.T), win.T.shape)
                        dst[p, q] += g[a, b, i, j]
                    elif mode == "ones":
                        p, q = np.unravel_index(np.argmax(win), win.shape)
                        dst[p, q] += 1.0
                    else:
                        p, q = np.unravel_index(np.argmax(win), win.shape)
                        dst[p, q] += g[a, b, i, j]
    return out


def _pool_cases() -> list[Case]:
    rng = np.random.default_rng(603)
    x0 = np.array(
        [[[[1.0, 3.0, 2.0, 2.0], [3.0, 0.0, 2.0, 2.0], [0.0, 1.0, 5.0, 4.0], [2.0, 1.0, 0.0, 1.0]]]]
    )
    g0 = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    out = [Case("a 4 × 4 image with tied maxima, k = 2", (x0, g0, 2))]
    for idx, (shape, k) in enumerate([((2, 3, 4, 6), 2), ((1, 2, 6, 6), 3)], start=1):
        x = rng.integers(0, 4, size=shape).astype(float)  # small integers: many ties
        oh, ow = shape[2] // k, shape[3] // k
        out.append(
            Case(
                f"random case {idx} (shape {shape}, k = {k}, with ties)",
                (x, rng.normal(size=(*shape[:2], oh, ow)), k),
            )
        )
    return out


def _pool_adapter(m: LearnerModule, func: Any, g: np.ndarray) -> Any:
    return func(m.x.copy(), g.copy(), m.inner.kernel_size[0])


def _pool_gradcheck(func: Any) -> tuple[Any, Any]:
    from byhand import nn

    x = np.random.default_rng(0).permutation(2 * 2 * 4 * 4).reshape(2, 2, 4, 4) / 7.0  # no ties
    return LearnerModule(nn.MaxPool2d(2), func, _pool_adapter), (x,)


_POOL = (
    "def maxpool_backward(x, grad_out, k):\n"
    "    grad_in = np.zeros_like(x, dtype=float)\n"
    "    N, C, OH, OW = grad_out.shape\n"
    "    for n in range(N):\n"
    "        for c in range(C):\n"
    "            for i in range(OH):\n"
    "                for j in range(OW):\n"
    "                    win = x[n, c, i*k:(i+1)*k, j*k:(j+1)*k]\n"
    "                    dst = grad_in[n, c, i*k:(i+1)*k, j*k:(j+1)*k]\n"
    "{body}"
    "    return grad_in\n"
)

_ARGMAX = "                    p, q = np.unravel_index(np.argmax(win), win.shape)\n"

register(
    Exercise(
        name="maxpool-backward",
        title="MaxPool2d.backward, with ties",
        lecture=LECTURE,
        slide="Neural networks for image classification",
        function="maxpool_backward",
        params="x, grad_out, k",
        outputs=("grad_in",),
        statement=(
            "Max pooling with k × k windows and stride k maps x (N, C, H, W) to\n"
            "y[n, c, i, j] = max of the window x[n, c, i*k:(i+1)*k, j*k:(j+1)*k]. Given\n"
            "grad_out = ∂ℓ/∂y (shape (N, C, H//k, W//k)), return ∂ℓ/∂x (x's shape). Each\n"
            "window's gradient goes, whole, to one input: its first maximal entry in row-major\n"
            "order (row by row, as np.argmax and PyTorch do), even when several entries tie\n"
            "for the maximum (the test cases have ties)."
        ),
        formula=(
            "∂ℓ/∂x[n, c, p, q] = grad_out[n, c, i, j] if (p, q) is the first argmax of window\n"
            "(i, j), else 0"
        ),
        reference=maxpool_backward_reference,
        cases=_pool_cases,
        gradcheck=_pool_gradcheck,
        mistakes=(
            Mistake(
                "gradient sent to every tied maximum",
                "when several entries tie for the maximum, only the first (np.argmax, row-major) "
                "gets the gradient; giving it to all of them counts it several times.",
                lambda a, e: _pool_loop(*a, mode="all"),
                _POOL.format(
                    body="                    dst += grad_out[n, c, i, j] * (win == win.max())\n"
                ),
            ),
            Mistake(
                "averaged the window",
                "that is average pooling's backward: max pooling sends the gradient to the "
                "maximal entry only.",
                lambda a, e: _pool_loop(*a, mode="mean"),
                _POOL.format(body="                    dst += grad_out[n, c, i, j] / win.size\n"),
            ),
            Mistake(
                "forgot grad_out",
                "the maximal entry receives the window's incoming gradient grad_out[n, c, i, j], "
                "not 1.",
                lambda a, e: _pool_loop(*a, mode="ones"),
                _POOL.format(body=_ARGMAX + "                    dst[p, q] += 1.0\n"),
            ),
            Mistake(
                "gradient split among tied maxima",
                "on a tie the whole gradient goes to the first maximal entry (row-major); "
                "splitting it evenly among the tied entries (g / number of ties each) is a "
                "valid subgradient too, but neither byhand's nor PyTorch's.",
                lambda a, e: _pool_loop(*a, mode="split"),
                _POOL.format(
                    body="                    top = win == win.max()\n"
                    "                    dst += grad_out[n, c, i, j] * top / top.sum()\n"
                ),
            ),
            Mistake(
                "first maximum in column-major order",
                "on a tie take the first maximal entry row by row (row-major: np.argmax(win), "
                "then np.unravel_index), not column by column (np.argmax(win.T), or "
                "order='F').",
                lambda a, e: _pool_loop(*a, mode="colmajor"),
                _POOL.format(
                    body="                    q, p = np.unravel_index(np.argmax(win.T), "
                    "win.T.shape)\n"
                    "                    dst[p, q] += grad_out[n, c, i, j]\n"
                ),
            ),
        ),
        hints=(
            "Loop over n, c and the output positions (i, j); the window is "
            "x[n, c, i*k:(i+1)*k, j*k:(j+1)*k].",
            "np.unravel_index(np.argmax(win), win.shape) is the first maximal entry (row-major), "
            "which is the one PyTorch and byhand pick on a tie.",
            "Add grad_out[n, c, i, j] at that entry of grad_in (the same slice); leave the rest 0.",
        ),
    )
)


# ----------------------------------------------------------------------------- Conv2d backward
def conv2d_backward_reference(x, w, grad_out):
    from byhand import nn

    conv = nn.Conv2d(w.shape[1], w.shape[0], w.shape[2:], dtype=np.float64)
    conv.weight.data[:] = w
    conv.forward(x)
    grad_x = conv.backward(grad_out)
    return grad_x, conv.weight.grad, conv.bias.grad


def _conv_loop(x, w, g, flip=False, batch_sum=True, bias="sum") -> tuple:
    N = x.shape[0]
    O, _, kh, kw = w.shape
    gx, gw = np.zeros_like(x), np.zeros_like(w)
    wk = w[:, :, ::-1, ::-1] if flip else w
    for n in range(N if batch_sum else 1):
        for o in range(O):
            for i in range(g.shape[2]):
                for j in range(g.shape[3]):
                    gx[n, :, i : i + kh, j : j + kw] += g[n, o, i, j] * wk[o]
                    gw[o] += g[n, o, i, j] * x[n, :, i : i + kh, j : j + kw]
    if not batch_sum:
        gx = _conv_loop(x, w, g, flip=flip)[0]
    gb = g.sum(axis=(0, 2, 3)) if bias == "sum" else g.mean(axis=(0, 2, 3))
    return gx, gw, gb


def _conv_cases() -> list[Case]:
    rng = np.random.default_rng(604)
    out = []
    for k, (xs, ws) in enumerate(
        [((2, 1, 4, 4), (2, 1, 2, 2)), ((2, 2, 5, 4), (3, 2, 3, 2)), ((3, 1, 3, 3), (1, 1, 2, 2))],
        start=1,
    ):
        oh, ow = xs[2] - ws[2] + 1, xs[3] - ws[3] + 1
        args = (rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=(xs[0], ws[0], oh, ow)))
        out.append(Case(f"random case {k} (x {xs}, w {ws})", args))
    return out


def _conv_adapter(m: LearnerModule, func: Any, g: np.ndarray) -> Any:
    conv = m.inner
    gx, gw, gb = func(m.x.copy(), conv.weight.data.copy(), g.copy())
    conv.weight.accumulate(np.asarray(gw, dtype=np.float64))
    conv.bias.accumulate(np.asarray(gb, dtype=np.float64))
    return gx


def _conv_gradcheck(func: Any) -> tuple[Any, Any]:
    from byhand import nn

    conv = nn.Conv2d(2, 2, 3, random_state=0, dtype=np.float64)
    return LearnerModule(conv, func, _conv_adapter), (
        np.random.default_rng(0).normal(size=(2, 2, 5, 4)),
    )


_CONV = (
    "def conv2d_backward(x, w, grad_out):\n"
    "    N, C, H, W = x.shape\n"
    "    O, _, kh, kw = w.shape\n"
    "    grad_x, grad_w = np.zeros_like(x), np.zeros_like(w)\n"
    "    for n in range({n}):\n"
    "        for o in range(O):\n"
    "            for i in range(grad_out.shape[2]):\n"
    "                for j in range(grad_out.shape[3]):\n"
    "                    grad_x[n, :, i:i+kh, j:j+kw] += grad_out[n, o, i, j] * w[o]{flip}\n"
    "                    grad_w[o] += grad_out[n, o, i, j] * x[n, :, i:i+kh, j:j+kw]\n"
    "    return grad_x, grad_w, grad_out.{red}(axis=(0, 2, 3))\n"
)


def _conv_src(n="N", flip="", red="sum") -> str:
    return _CONV.format(n=n, flip=flip, red=red)


register(
    Exercise(
        name="conv2d-backward",
        title="Conv2d.backward (stride 1, no padding)",
        lecture=LECTURE,
        slide="Neural networks for image classification",
        function="conv2d_backward",
        params="x, w, grad_out",
        outputs=("grad_x", "grad_w", "grad_b"),
        statement=(
            "A convolution layer (a cross-correlation, as in PyTorch) with stride 1 and no\n"
            "padding maps x (N, C, H, W) to y[n, o, i, j] = b[o] + Σ_{c,p,q} w[o, c, p, q]\n"
            "x[n, c, i + p, j + q], with w (O, C, kh, kw). Given grad_out = ∂ℓ/∂y (N, O, H − kh\n"
            "+ 1, W − kw + 1), return ∂ℓ/∂x, ∂ℓ/∂w and ∂ℓ/∂b (shapes of x, w and (O,))."
        ),
        formula=(
            "∂ℓ/∂w[o, c, p, q] = Σ_{n,i,j} G[n, o, i, j] x[n, c, i + p, j + q]\n"
            "∂ℓ/∂x[n, c, i + p, j + q] += Σ_o G[n, o, i, j] w[o, c, p, q]\n"
            "∂ℓ/∂b[o] = Σ_{n,i,j} G[n, o, i, j]"
        ),
        reference=conv2d_backward_reference,
        cases=_conv_cases,
        gradcheck=_conv_gradcheck,
        mistakes=(
            Mistake(
                "flipped the kernel",
                "the forward pass is a cross-correlation (no flip), so each output spreads its "
                "gradient back through w itself: grad_x[n, :, i:i+kh, j:j+kw] += G[n, o, i, j] "
                "* w[o], with w not flipped.",
                lambda a, e: _conv_loop(*a, flip=True),
                _conv_src(flip="[:, ::-1, ::-1]"),
            ),
            Mistake(
                "bias gradient averaged",
                "∂ℓ/∂b[o] is the sum of G[:, o] over the batch and the positions, not its mean.",
                lambda a, e: _conv_loop(*a, bias="mean"),
                _conv_src(red="mean"),
            ),
            Mistake(
                "bias gradient not summed over the batch",
                "∂ℓ/∂b[o] sums G[n, o, i, j] over the samples n too: axis=(0, 2, 3), shape (O,).",
                lambda a, e: replace(e, {2: a[2].sum(axis=(2, 3))}),
                _conv_src().replace("grad_out.sum(axis=(0, 2, 3))", "grad_out.sum(axis=(2, 3))"),
            ),
            Mistake(
                "missing sum over the batch",
                "∂ℓ/∂w sums over every sample n of the batch, not only the first.",
                lambda a, e: _conv_loop(*a, batch_sum=False),
                _CONV.format(n="N", flip="", red="sum")
                .replace(
                    "    for n in range(N):\n", "    for n in range(N):\n        first = n == 0\n"
                )
                .replace(
                    "                    grad_w[o] += ",
                    "                    grad_w[o] += first * ",
                ),
            ),
        ),
        hints=(
            "Loop over n, o and the output positions (i, j): each output y[n, o, i, j] was made "
            "from the patch x[n, :, i:i+kh, j:j+kw] and the filter w[o].",
            "So G[n, o, i, j] adds G·patch to grad_w[o] and G·w[o] to grad_x's patch (the same "
            "slice).",
            "grad_b = grad_out.sum(axis=(0, 2, 3)).",
        ),
    )
)
