"""Exercises of CS 577 Lecture 01 (Wang, IIT, 2024): regression, GD, the perceptron, SGD steps.

normal-equations, gd-step, perceptron-trace, multiclass-perceptron, sgd-momentum-step,
adam-step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from byhand import lectures
from byhand.datasets import lecture01_regression, perceptron_trace
from byhand.exercises._core import Case, Exercise, Mistake, register
from byhand.exercises._helpers import replace

LECTURE = "cs577-01"


def _with_ones(X: np.ndarray) -> np.ndarray:
    return np.column_stack([X, np.ones(len(X))])


# --------------------------------------------------------------------------- normal equations
def normal_equations_reference(X, y):
    from byhand import LinearRegression

    model = LinearRegression().fit(X, y)
    return np.append(model.coef_, model.intercept_)


def _normal_cases() -> list[Case]:
    X, y = lecture01_regression()
    rng = np.random.default_rng(101)
    out = [Case("the lecture's worked example (N = 3)", (X, y), np.array([-0.5, 3.0]))]
    for k, (n, d) in enumerate([(6, 1), (8, 2), (10, 3)], start=1):
        out.append(
            Case(
                f"random case {k} (N = {n}, d = {d})", (rng.normal(size=(n, d)), rng.normal(size=n))
            )
        )
    return out


register(
    Exercise(
        name="normal-equations",
        title="linear regression in closed form",
        lecture=LECTURE,
        slide="Linear regression (1-dimensional samples)",
        function="normal_equations",
        params="X, y",
        outputs=("theta",),
        statement=(
            "Return θ* = [w, b] (the weights, then the bias last) minimising\n"
            "J(θ) = (1/N) ‖y − X̃θ‖², where X̃ = [X, 1] is X (shape (N, d)) with a column of\n"
            "ones appended (the bias trick). y has shape (N,); θ* has shape (d + 1,).\n"
            "On the lecture's example (1, 2), (2, 3), (3, 1): θ* = [−0.5, 3]."
        ),
        formula="θ* = (X̃ᵀX̃)⁻¹ X̃ᵀ y",
        reference=normal_equations_reference,
        cases=_normal_cases,
        mistakes=(
            Mistake(
                "forgot the bias column",
                "append a column of ones to X (X̃ = [X, 1]) so that θ has a bias b as its last "
                "entry; without it the line is forced through the origin.",
                lambda a, e: np.linalg.lstsq(a[0], a[1], rcond=None)[0],
                "def normal_equations(X, y):\n    return np.linalg.solve(X.T @ X, X.T @ y)\n",
            ),
            Mistake(
                "bias first",
                "θ = [w, b]: the bias comes last (append the ones column on the right).",
                lambda a, e: np.r_[e[-1], e[:-1]],
                "def normal_equations(X, y):\n"
                "    Xt = np.column_stack([np.ones(len(X)), X])\n"
                "    return np.linalg.solve(Xt.T @ Xt, Xt.T @ y)\n",
            ),
            Mistake(
                "forgot the inverse",
                "X̃ᵀy alone is not θ*: solve (X̃ᵀX̃) θ = X̃ᵀy (np.linalg.solve).",
                lambda a, e: _with_ones(a[0]).T @ a[1],
                "def normal_equations(X, y):\n"
                "    Xt = np.column_stack([X, np.ones(len(X))])\n"
                "    return Xt.T @ y\n",
            ),
        ),
        hints=(
            "Build X̃ = np.column_stack([X, np.ones(len(X))]): the column of ones carries the "
            "bias, which ends up as θ's last entry.",
            "Setting ∇J(θ) = (2/N) X̃ᵀ(X̃θ − y) to zero gives the normal equations "
            "X̃ᵀX̃ θ = X̃ᵀy; solve them with np.linalg.solve(A, v) rather than inverting.",
            "On the lecture's example X̃ᵀX̃ = [[14, 6], [6, 3]] and X̃ᵀy = [11, 6], so "
            "θ* = [−0.5, 3].",
        ),
    )
)


# --------------------------------------------------------------------------------- a GD step
def gd_step_reference(theta, X, y, lr):
    from byhand import nn, optim

    d = X.shape[1]
    layer = nn.Linear(d, 1, dtype=np.float64)
    layer.weight.data[:] = theta[:d, None]
    layer.bias.data[:] = theta[d:]
    loss = nn.MSELoss()
    loss.forward(layer.forward(X), y[:, None])
    layer.backward(loss.backward())
    optim.SGD(layer.parameters(), lr=lr).step()
    return np.append(layer.weight.data[:, 0], layer.bias.data)


def _gd_cases() -> list[Case]:
    X, y = lecture01_regression()
    rng = np.random.default_rng(102)
    out = [
        Case("the lecture's example from θ = [0, 0] with ε = 0.05", (np.zeros(2), X, y, 0.05)),
        Case(
            "the lecture's example at θ* = [−0.5, 3], where ∇J(θ*) = 0",
            (np.array([-0.5, 3.0]), X, y, 0.1),
            np.array([-0.5, 3.0]),
        ),
    ]
    for k, (n, d) in enumerate([(5, 1), (7, 2), (9, 3)], start=1):
        args = (rng.normal(size=d + 1), rng.normal(size=(n, d)), rng.normal(size=n), 0.1)
        out.append(Case(f"random case {k} (N = {n}, d = {d})", args))
    return out


def _gd_scale(c: Any) -> Any:
    """θ − c·ε∇J: the step scaled by c (given the right new θ)."""

    def predict(a: tuple[Any, ...], e: Any) -> Any:
        k = c(a) if callable(c) else c
        return a[0] + k * (e - a[0])

    return predict


def _gd_bias_first(a: tuple[Any, ...], e: Any) -> Any:
    """The step taken with X̃ = [1, X] (θ read as [b, w])."""
    theta, X, y, lr = a
    Xt = np.column_stack([np.ones(len(X)), X])
    return theta - lr * 2 * Xt.T @ (Xt @ theta - y) / len(y)


register(
    Exercise(
        name="gd-step",
        title="one gradient-descent step on the squared error",
        lecture=LECTURE,
        slide="Gradient descent (GD)",
        function="gd_step",
        params="theta, X, y, lr",
        outputs=("theta_new",),
        statement=(
            "Return θ after one step of gradient descent θ ← θ − ε ∇J(θ) on\n"
            "J(θ) = (1/N) Σᵢ (yᵢ − θᵀx̃ᵢ)², with x̃ = [x, 1] (θ = [w, b], bias last).\n"
            "theta (d + 1,), X (N, d), y (N,), lr = ε a number. Return a new array: do not\n"
            "change theta in place (no theta -= …): the grader checks that theta is unchanged."
        ),
        formula="∇J(θ) = (2/N) X̃ᵀ (X̃θ − y),    θ_new = θ − ε ∇J(θ)",
        reference=gd_step_reference,
        cases=_gd_cases,
        mistakes=(
            Mistake(
                "factor of 2",
                "the derivative of (yᵢ − θᵀx̃ᵢ)² is −2(yᵢ − θᵀx̃ᵢ)x̃ᵢ: keep the 2.",
                _gd_scale(0.5),
                "def gd_step(theta, X, y, lr):\n"
                "    Xt = np.column_stack([X, np.ones(len(X))])\n"
                "    grad = Xt.T @ (Xt @ theta - y) / len(y)\n"
                "    return theta - lr * grad\n",
            ),
            Mistake(
                "missing 1/N",
                "J is the mean over the N samples: divide the summed gradient by N.",
                _gd_scale(lambda a: len(a[2])),
                "def gd_step(theta, X, y, lr):\n"
                "    Xt = np.column_stack([X, np.ones(len(X))])\n"
                "    grad = 2 * Xt.T @ (Xt @ theta - y)\n"
                "    return theta - lr * grad\n",
            ),
            Mistake(
                "sign",
                "descent goes against the gradient: θ − ε∇J, and ∇J = (2/N) X̃ᵀ(X̃θ − y) "
                "(prediction minus target).",
                _gd_scale(-1.0),
                "def gd_step(theta, X, y, lr):\n"
                "    Xt = np.column_stack([X, np.ones(len(X))])\n"
                "    grad = 2 * Xt.T @ (y - Xt @ theta) / len(y)\n"
                "    return theta - lr * grad\n",
            ),
            Mistake(
                "bias first",
                "θ = [w, b]: the bias is θ's last entry, so the column of ones goes on the right "
                "of X (X̃ = [X, 1]); with it on the left, θ[0] is used as the bias.",
                _gd_bias_first,
                "def gd_step(theta, X, y, lr):\n"
                "    Xt = np.column_stack([np.ones(len(X)), X])\n"
                "    grad = 2 * Xt.T @ (Xt @ theta - y) / len(y)\n"
                "    return theta - lr * grad\n",
            ),
            Mistake(
                "forgot the bias",
                "the bias b (θ's last entry) has a gradient too: (2/N) Σᵢ (θᵀx̃ᵢ − yᵢ).",
                lambda a, e: np.r_[e[:-1], a[0][-1]],
                "def gd_step(theta, X, y, lr):\n"
                "    Xt = np.column_stack([X, np.ones(len(X))])\n"
                "    grad = 2 * X.T @ (Xt @ theta - y) / len(y)\n"
                "    return theta - lr * np.append(grad, 0.0)\n",
            ),
        ),
        hints=(
            "Stack the ones: Xt = np.column_stack([X, np.ones(len(X))]); then the predictions "
            "are Xt @ theta.",
            "∇J(θ) = (2/N) X̃ᵀ(X̃θ − y): the 2 from the square, the 1/N from the mean, and "
            "the residual is prediction minus target.",
            "On the lecture's example from θ = 0: ∇J = −(2/3)[11, 6], so with ε = 0.05 "
            "θ_new = [0.3667, 0.2]. At θ* = [−0.5, 3] the gradient is 0 and θ does not move.",
        ),
    )
)


# ------------------------------------------------------------------------ the perceptron trace
def perceptron_reference(X, y):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from byhand import Perceptron

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for t in range(1, len(y) + 1):
            model = Perceptron(T=t, fit_intercept=False).fit(X, y)
            out.append(model.coef_.ravel())
    return np.array(out)


def _perceptron_loop(
    X: np.ndarray, y: np.ndarray, strict=False, sign=1, always=False
) -> np.ndarray:
    w, out = np.zeros(X.shape[1]), []
    for x, label in zip(X, y, strict=True):
        s = label * (w @ x)
        if always or (s < 0 if strict else s <= 0):
            w = w + sign * label * x
        out.append(w.copy())
    return np.array(out)


def _perceptron_cases() -> list[Case]:
    X, y = perceptron_trace()
    trace = np.array([[1, 0], [1, 0], [1, -1], [1, -1], [1, -1], [2, 0], [2, -1], [2, -1]], float)
    rng = np.random.default_rng(103)
    out = [Case("the lecture's 8-step trace (w ends at [2, −1])", (X, y), trace)]
    for k, (n, d) in enumerate([(10, 2), (12, 3)], start=1):
        Xr = rng.normal(size=(n, d))
        yr = np.where(Xr @ rng.normal(size=d) > 0, 1, -1)
        yr[:2] = [1, -1]
        out.append(Case(f"random case {k} (N = {n}, d = {d})", (Xr, yr)))
    return out


register(
    Exercise(
        name="perceptron-trace",
        title="the perceptron, step by step",
        lecture=LECTURE,
        slide="Perceptron: an example",
        function="perceptron",
        params="X, y",
        outputs=("W",),
        statement=(
            "Run one pass of the perceptron over the samples in order, from w = 0 and without\n"
            "bias, and return the weights after each step as an array of shape (N, d): row t−1\n"
            "is w after visiting sample t. X (N, d), y (N,) in {−1, +1}. A point on the\n"
            "boundary (y wᵀx = 0, e.g. every point while w = 0) counts as a mistake.\n"
            "On the lecture's 8 points the last row is w = [2, −1] (the slides print 5 of the\n"
            "points; byhand.datasets.perceptron_trace chooses the other 3 to fit the trace)."
        ),
        formula="for t = 1 … N:  if y⁽ᵗ⁾ wᵀx⁽ᵗ⁾ <= 0:  w ← w + y⁽ᵗ⁾ x⁽ᵗ⁾",
        reference=perceptron_reference,
        cases=_perceptron_cases,
        integer_ok=True,
        mistakes=(
            Mistake(
                "strict inequality",
                "update when y wᵀx <= 0, not only < 0: at w = 0 every point is a mistake "
                "(wᵀx = 0), otherwise w never leaves 0.",
                lambda a, e: _perceptron_loop(*a, strict=True),
                "def perceptron(X, y):\n"
                "    w, out = np.zeros(X.shape[1]), []\n"
                "    for x, t in zip(X, y):\n"
                "        if t * (w @ x) < 0:\n"
                "            w = w + t * x\n"
                "        out.append(w.copy())\n"
                "    return np.array(out)\n",
            ),
            Mistake(
                "sign",
                "on a mistake move w towards y·x: w ← w + y x (not w − y x).",
                lambda a, e: _perceptron_loop(*a, sign=-1),
                "def perceptron(X, y):\n"
                "    w, out = np.zeros(X.shape[1]), []\n"
                "    for x, t in zip(X, y):\n"
                "        if t * (w @ x) <= 0:\n"
                "            w = w - t * x\n"
                "        out.append(w.copy())\n"
                "    return np.array(out)\n",
            ),
            Mistake(
                "updated on every sample",
                "update only on a mistake (y wᵀx <= 0); a sample already classified right "
                "leaves w unchanged.",
                lambda a, e: _perceptron_loop(*a, always=True),
                "def perceptron(X, y):\n"
                "    w, out = np.zeros(X.shape[1]), []\n"
                "    for x, t in zip(X, y):\n"
                "        w = w + t * x\n"
                "        out.append(w.copy())\n"
                "    return np.array(out)\n",
            ),
            Mistake(
                "returned only the last w",
                "return every step's w, stacked as an (N, d) array (append a copy of w at each "
                "step).",
                lambda a, e: e[-1],
                "def perceptron(X, y):\n"
                "    w = np.zeros(X.shape[1])\n"
                "    for x, t in zip(X, y):\n"
                "        if t * (w @ x) <= 0:\n"
                "            w = w + t * x\n"
                "    return w\n",
            ),
            Mistake(
                "appended w without a copy",
                "every row is the final w: the list holds the same array N times, which "
                "w += … then changes in place. Append w.copy() (or write w = w + y x, a new "
                "array).",
                lambda a, e: np.tile(e[-1], (len(e), 1)),
                "def perceptron(X, y):\n"
                "    w, out = np.zeros(X.shape[1]), []\n"
                "    for x, t in zip(X, y):\n"
                "        if t * (w @ x) <= 0:\n"
                "            w += t * x\n"
                "        out.append(w)\n"
                "    return np.array(out)\n",
            ),
        ),
        hints=(
            "Start with w = np.zeros(d); loop over zip(X, y); keep a list of w.copy() after each "
            "sample and return np.array of it.",
            "A mistake is y·(w @ x) <= 0 (a point on the boundary counts as a mistake).",
            "The lecture's trace: w = [1, 0] after t = 1, [1, −1] after t = 3, no update at "
            "t = 4, 5, [2, 0] after t = 6, [2, −1] after t = 7.",
        ),
    )
)


# --------------------------------------------------------------------- multiclass perceptron
def multiclass_perceptron_reference(X, y, K):
    from byhand import MulticlassPerceptron

    model = MulticlassPerceptron(fit_intercept=False, shuffle=False)
    model.partial_fit(X, y, classes=np.arange(K))
    return model.coef_.T


def _multiclass_loop(X, y, K, argmax_rule=False, push_down=True, sign=1) -> np.ndarray:
    W = np.zeros((X.shape[1], K))
    for x, t in zip(X, y, strict=True):
        s = x @ W
        if argmax_rule:
            yhat = int(np.argmax(s))
            if yhat == t:
                continue
        else:
            tied = [k for k in np.flatnonzero(s == s.max()) if k != t]
            if not tied:
                continue
            yhat = tied[0]
        if push_down:
            W[:, yhat] -= sign * x
        W[:, t] += sign * x
    return W


def _multiclass_cases() -> list[Case]:
    rng = np.random.default_rng(104)
    X0 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.5]])
    out = [
        Case(
            "a small example starting at W = 0 (every score tied)", (X0, np.array([0, 1, 2, 0]), 3)
        )
    ]
    for k, (n, d, K) in enumerate([(12, 2, 3), (15, 3, 4)], start=1):
        out.append(
            Case(
                f"random case {k} (N = {n}, d = {d}, K = {K})",
                (rng.normal(size=(n, d)), rng.integers(0, K, n), K),
            )
        )
    return out


register(
    Exercise(
        name="multiclass-perceptron",
        title="the multiclass perceptron and its tie rule",
        lecture=LECTURE,
        slide="Multiclass perceptron",
        function="multiclass_perceptron",
        params="X, y, K",
        outputs=("W",),
        statement=(
            "Run one pass of the multiclass perceptron over the samples in order, from W = 0\n"
            "(shape (d, K), column k is w_k, no bias), and return W. X (N, d), y (N,) class\n"
            "indices in 0..K−1. The tie rule is that of\n"
            f"{lectures.cite('cs577-04', 'Multiclass perceptron')}:\n"
            "let A be the set of classes with the top score; if A without y is empty, pass;\n"
            "else ŷ is the smallest class of A without y and W is updated."
        ),
        formula=(
            "A = argmax_k w_kᵀx  (all tied maxima);  if A \\ {y} is empty: pass\n"
            "else ŷ = min(A \\ {y}):   w_ŷ ← w_ŷ − x,   w_y ← w_y + x"
        ),
        reference=multiclass_perceptron_reference,
        cases=_multiclass_cases,
        integer_ok=True,
        mistakes=(
            Mistake(
                "argmax tie rule",
                "np.argmax picks one maximum; the lecture's rule looks at every tied maximum: a "
                "tie between y and another class is a mistake (at W = 0 every sample updates).",
                lambda a, e: _multiclass_loop(*a, argmax_rule=True),
                "def multiclass_perceptron(X, y, K):\n"
                "    W = np.zeros((X.shape[1], K))\n"
                "    for x, t in zip(X, y):\n"
                "        yhat = np.argmax(x @ W)\n"
                "        if yhat != t:\n"
                "            W[:, yhat] -= x\n"
                "            W[:, t] += x\n"
                "    return W\n",
            ),
            Mistake(
                "forgot to push down the predicted class",
                "on a mistake, also subtract x from the wrongly predicted class: w_ŷ ← w_ŷ − x.",
                lambda a, e: _multiclass_loop(*a, push_down=False),
                "def multiclass_perceptron(X, y, K):\n"
                "    W = np.zeros((X.shape[1], K))\n"
                "    for x, t in zip(X, y):\n"
                "        s = x @ W\n"
                "        wrong = [k for k in np.flatnonzero(s == s.max()) if k != t]\n"
                "        if wrong:\n"
                "            W[:, t] += x\n"
                "    return W\n",
            ),
            Mistake(
                "sign",
                "the true class gets +x and the predicted one −x, not the other way round.",
                lambda a, e: _multiclass_loop(*a, sign=-1),
                "def multiclass_perceptron(X, y, K):\n"
                "    W = np.zeros((X.shape[1], K))\n"
                "    for x, t in zip(X, y):\n"
                "        s = x @ W\n"
                "        wrong = [k for k in np.flatnonzero(s == s.max()) if k != t]\n"
                "        if wrong:\n"
                "            W[:, wrong[0]] += x\n"
                "            W[:, t] -= x\n"
                "    return W\n",
            ),
            Mistake(
                "missing transpose",
                "W has shape (d, K): one column per class (return W, not W.T).",
                lambda a, e: e.T,
                "def multiclass_perceptron(X, y, K):\n"
                "    W = np.zeros((K, X.shape[1]))\n"
                "    for x, t in zip(X, y):\n"
                "        s = W @ x\n"
                "        wrong = [k for k in np.flatnonzero(s == s.max()) if k != t]\n"
                "        if wrong:\n"
                "            W[wrong[0]] -= x\n"
                "            W[t] += x\n"
                "    return W\n",
            ),
        ),
        hints=(
            "Scores: s = x @ W (shape (K,)). The tied maxima: np.flatnonzero(s == s.max()).",
            "Drop y from the tied maxima; if nothing is left, pass. Otherwise ŷ is the smallest "
            "one left: W[:, ŷ] -= x and W[:, y] += x.",
            "At W = 0 all K scores are tied, so the first sample always updates.",
        ),
    )
)


# ------------------------------------------------------------------------ SGD with momentum
def sgd_momentum_step_reference(theta, grad, velocity, lr, momentum):
    from byhand import nn, optim

    p = nn.Parameter(theta.astype(np.float64).copy())
    p.grad[...] = grad
    opt = optim.SGD([p], lr=lr, momentum=momentum)
    opt.load_state_dict({"k": 1, "velocity": [velocity.astype(np.float64).copy()]})
    opt.step()
    return p.data, opt.state_dict()["velocity"][0]


def _momentum_cases() -> list[Case]:
    rng = np.random.default_rng(105)
    out = [
        Case(
            "a first step (v = 0)",
            (np.array([1.0, -2.0]), np.array([0.5, 1.0]), np.zeros(2), 0.1, 0.9),
        )
    ]
    for k, shape in enumerate([(3,), (2, 4)], start=1):
        args = (rng.normal(size=shape), rng.normal(size=shape), rng.normal(size=shape), 0.05, 0.9)
        out.append(Case(f"random case {k} (shape {shape})", args))
    return out


register(
    Exercise(
        name="sgd-momentum-step",
        title="one step of SGD with momentum",
        lecture=LECTURE,
        slide="Stochastic gradient descent (SGD)",
        function="sgd_momentum_step",
        params="theta, grad, velocity, lr, momentum",
        outputs=("theta_new", "velocity_new"),
        statement=(
            "Return (θ_new, v_new) after one step of SGD with momentum μ, in byhand's (and\n"
            "PyTorch's) convention: the velocity accumulates gradients, the step is against it.\n"
            "theta, grad, velocity are arrays of one shape; lr = ε and momentum = μ numbers.\n"
            "Momentum (Polyak 1964) extends the lecture's step θ ← θ − ε_k g."
        ),
        formula="v ← μ v + g,    θ ← θ − ε v",
        reference=sgd_momentum_step_reference,
        cases=_momentum_cases,
        mistakes=(
            Mistake(
                "forgot the momentum",
                "v must remember the past: v ← μ v + g, not v ← g.",
                lambda a, e: (a[0] - a[3] * a[1], a[1]),
                "def sgd_momentum_step(theta, grad, velocity, lr, momentum):\n"
                "    v = grad\n"
                "    return theta - lr * v, v\n",
            ),
            Mistake(
                "stepped with the gradient",
                "the step uses the new velocity: θ ← θ − ε v, not θ − ε g.",
                lambda a, e: (a[0] - a[3] * a[1], e[1]),
                "def sgd_momentum_step(theta, grad, velocity, lr, momentum):\n"
                "    v = momentum * velocity + grad\n"
                "    return theta - lr * grad, v\n",
            ),
            Mistake(
                "sign",
                "descent: θ ← θ − ε v (minus).",
                lambda a, e: (2 * a[0] - e[0], e[1]),
                "def sgd_momentum_step(theta, grad, velocity, lr, momentum):\n"
                "    v = momentum * velocity + grad\n"
                "    return theta + lr * v, v\n",
            ),
            Mistake(
                "velocity includes the step size",
                "byhand keeps v ← μ v + g and θ ← θ − ε v (PyTorch's convention); v ← μ v − ε g, "
                "θ ← θ + v is another convention, with another v.",
                lambda a, e: (a[0] + a[4] * a[2] - a[3] * a[1], a[4] * a[2] - a[3] * a[1]),
                "def sgd_momentum_step(theta, grad, velocity, lr, momentum):\n"
                "    v = momentum * velocity - lr * grad\n"
                "    return theta + v, v\n",
            ),
        ),
        hints=(
            "First the velocity: v_new = momentum * velocity + grad.",
            "Then the step against it: theta_new = theta - lr * v_new. Return both, in that "
            "order, as new arrays.",
        ),
    )
)


# -------------------------------------------------------------------------------- an Adam step
def adam_step_reference(theta, grad, m, v, t, lr, beta1, beta2, eps):
    from byhand import nn, optim

    p = nn.Parameter(theta.astype(np.float64).copy())
    p.grad[...] = grad
    opt = optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    opt.load_state_dict({"k": t - 1, "m": [m.astype(np.float64)], "v": [v.astype(np.float64)]})
    opt.step()
    state = opt.state_dict()
    return p.data, state["m"][0], state["v"][0]


def _adam_cases() -> list[Case]:
    rng = np.random.default_rng(106)
    z = np.zeros(2)
    out = [
        Case(
            "the first step (t = 1, m = v = 0)",
            (np.array([1.0, -2.0]), np.array([0.5, -1.0]), z, z, 1, 0.1, 0.9, 0.999, 1e-8),
        ),
        Case(
            "a first step with tiny gradients g = ±1e-6, where eps matters",
            (np.array([1.0, -2.0]), np.array([1e-6, -1e-6]), z, z, 1, 0.1, 0.9, 0.999, 1e-8),
        ),
    ]
    for k, (shape, t) in enumerate([((3,), 5), ((2, 3), 20)], start=1):
        args = (
            rng.normal(size=shape),
            rng.normal(size=shape),
            0.1 * rng.normal(size=shape),
            0.1 * rng.random(size=shape),
            t,
            0.01,
            0.9,
            0.999,
            1e-8,
        )
        out.append(Case(f"random case {k} (shape {shape}, t = {t})", args))
    return out


def _adam_variant(a: tuple[Any, ...], correct: bool = True, square: bool = True) -> tuple:
    theta, g, m, v, t, lr, b1, b2, eps = a
    m2 = b1 * m + (1 - b1) * g
    v2 = b2 * v + (1 - b2) * (g * g if square else g)
    mh, vh = (m2 / (1 - b1**t), v2 / (1 - b2**t)) if correct else (m2, v2)
    return theta - lr * mh / (np.sqrt(vh) + eps), m2, v2


def _adam_eps_inside(a: tuple[Any, ...]) -> np.ndarray:
    theta, g, m, v, t, lr, b1, b2, eps = a
    m2, v2 = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
    return theta - lr * (m2 / (1 - b1**t)) / np.sqrt(v2 / (1 - b2**t) + eps)


register(
    Exercise(
        name="adam-step",
        title="one Adam step",
        lecture=LECTURE,
        slide="Stochastic gradient descent (SGD)",
        function="adam_step",
        params="theta, grad, m, v, t, lr, beta1, beta2, eps",
        outputs=("theta_new", "m_new", "v_new"),
        statement=(
            "Return (θ_new, m_new, v_new) after Adam's step number t (t = 1 for the first),\n"
            "given the moment estimates m, v of the previous steps. Adam (Kingma & Ba 2015) goes\n"
            "beyond the lecture: it is the lecture's SGD step with a per-coordinate step size.\n"
            "theta, grad, m, v: arrays of one shape; the rest numbers."
        ),
        formula=(
            "m ← β₁ m + (1 − β₁) g,    v ← β₂ v + (1 − β₂) g²\n"
            "m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ),    θ ← θ − ε m̂ / (√v̂ + eps)"
        ),
        reference=adam_step_reference,
        cases=_adam_cases,
        mistakes=(
            Mistake(
                "forgot the bias correction",
                "divide by 1 − β₁ᵗ and 1 − β₂ᵗ before the step (m̂, v̂): m and v start at 0 and "
                "are too small in the first steps.",
                lambda a, e: _adam_variant(a, correct=False),
                "def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):\n"
                "    m = beta1 * m + (1 - beta1) * grad\n"
                "    v = beta2 * v + (1 - beta2) * grad**2\n"
                "    return theta - lr * m / (np.sqrt(v) + eps), m, v\n",
            ),
            Mistake(
                "forgot the square",
                "v averages the squared gradient: (1 − β₂) g², not (1 − β₂) g.",
                lambda a, e: _adam_variant(a, square=False),
                "def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):\n"
                "    m = beta1 * m + (1 - beta1) * grad\n"
                "    v = beta2 * v + (1 - beta2) * grad\n"
                "    mh, vh = m / (1 - beta1**t), v / (1 - beta2**t)\n"
                "    return theta - lr * mh / (np.sqrt(vh) + eps), m, v\n",
            ),
            Mistake(
                "sign",
                "Adam descends: θ − ε m̂ / (√v̂ + eps).",
                lambda a, e: replace(e, {0: 2 * a[0] - e[0]}),
                "def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):\n"
                "    m = beta1 * m + (1 - beta1) * grad\n"
                "    v = beta2 * v + (1 - beta2) * grad**2\n"
                "    mh, vh = m / (1 - beta1**t), v / (1 - beta2**t)\n"
                "    return theta + lr * mh / (np.sqrt(vh) + eps), m, v\n",
            ),
            Mistake(
                "returned the corrected moments",
                "return m and v themselves (the running averages), not m̂ and v̂: the next step "
                "corrects them again with its own t.",
                lambda a, e: replace(
                    e, {1: e[1] / (1 - a[6] ** a[4]), 2: e[2] / (1 - a[7] ** a[4])}
                ),
                "def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):\n"
                "    m = (beta1 * m + (1 - beta1) * grad) / (1 - beta1**t)\n"
                "    v = (beta2 * v + (1 - beta2) * grad**2) / (1 - beta2**t)\n"
                "    return theta - lr * m / (np.sqrt(v) + eps), m, v\n",
            ),
            Mistake(
                "eps inside the square root",
                "Adam adds eps after the square root: ε m̂ / (√v̂ + eps), not √(v̂ + eps).",
                lambda a, e: replace(e, {0: _adam_eps_inside(a)}),
                "def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):\n"
                "    m = beta1 * m + (1 - beta1) * grad\n"
                "    v = beta2 * v + (1 - beta2) * grad**2\n"
                "    mh, vh = m / (1 - beta1**t), v / (1 - beta2**t)\n"
                "    return theta - lr * mh / np.sqrt(vh + eps), m, v\n",
            ),
        ),
        hints=(
            "Update the moments first: m = beta1*m + (1-beta1)*grad, v = beta2*v + "
            "(1-beta2)*grad**2.",
            "Correct their bias with t: m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t).",
            "Step: theta - lr * m_hat / (np.sqrt(v_hat) + eps); return theta, m, v (the "
            "uncorrected moments).",
        ),
    )
)
