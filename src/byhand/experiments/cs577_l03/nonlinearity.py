"""CS 577 Lecture 03 (Nonlinearity): XOR, polynomial feature maps, hand gradients.

Experiments 6, 8 and 9 of the reproduction:

- 6: least squares on XOR learns nothing ("It seems like w → 0 … y doesn't depend on x",
  CS 577 Lecture 03 (Wang, IIT, 2024), "Linearity"); the degree-2 polynomial feature map in two free
  variables captures it ("Can capture XOR with deg 2 poly feat map", "Beyond linearity:
  feature map").
- 8: the 1-D polynomial feature map φ(x) = [1, x, …, x^d] with the lecture's own code
  (``polynomial_feature_map``, deg = 37 "has a single HYPERPARAMETER"): degrees 1, 3, 9, 37
  on a small noisy sample.
- 9: the gradients of the one-hidden-layer net derived on the slides ("Derivative with respect
  to a generic point", "1-layer neural network"; CS 577 Lecture 04 (Wang, IIT, 2024) "1-layer neural
  network (higher dim data)"), written out sample by sample in NumPy, against byhand's
  backprop and central finite differences.
"""

from __future__ import annotations

import itertools

import numpy as np

from byhand import nn, optim
from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import PALETTE, learning_curves, subplots
from byhand.training import fit

LECTURE = "cs577-03"
LECTURE_002 = "cs577-04"
SLIDE_FEATURE_MAP = "Beyond linearity: feature map"
SLIDE_GRAD = "1-layer neural network"
#: The slides' lines giving the gradients checked, per (lecture, loss).
GRAD_QUOTES = {
    (LECTURE, "mse"): r"$$\frac{\partial J_i(\theta)}{\partial \mathbf{w}^{(1)}} = "
    r"-2(y^{(i)} - z^{(i)}) (\mathbf{w}^{(2)} \odot g'(\mathbf{h}^{(i)})) x^{(i)}$$",
    (
        LECTURE_002,
        "mse",
    ): r"$$\frac{\partial J_i(\boldsymbol{\theta})}{\partial \mathbf{W}^{(1)}} = "
    r"-2(y^{(i)} - z^{(i)}) (\mathbf{w}^{(2)} \odot g'(\mathbf{h}^{(i)})) \mathbf{x}^{(i)\top}$$",
    (
        LECTURE_002,
        "logistic",
    ): r"$$J_i(\boldsymbol{\theta}) := \log(1 + e^{-y^{(i)} z^{(i)}}) \quad "
    r"\text{where} \quad z_i = \mathbf{w}^{(2)\top} g(\mathbf{h}^{(i)}) + b^{(2)} \quad "
    r"\text{and} \quad \mathbf{h}^{(i)} = \mathbf{W}^{(1)} \mathbf{x}^{(i)} + \mathbf{b}^{(1)}$$",
}


# --------------------------------------------------------------------------- experiment 6


def _xor_gd_weights(X: np.ndarray, y: np.ndarray, seed: int, steps: int) -> np.ndarray:
    """Full-batch GD on the MSE of a linear model from a random start; rows are [w1, w2, b]."""
    line = nn.Linear(2, 1, init="glorot_uniform", random_state=seed, dtype=np.float64)
    line.bias.data[...] = np.random.default_rng(seed).normal(size=1)
    path = [np.r_[line.weight.data[:, 0], line.bias.data]]

    def record(state) -> None:
        path.append(np.r_[line.weight.data[:, 0], line.bias.data])

    fit(
        line,
        nn.MSELoss(),
        optim.SGD(line.parameters(), 0.5),
        X,
        y.astype(np.float64),
        epochs=steps,
        batch_size=None,
        callbacks=[record],
        verbose=0,
    )
    return np.array(path)


@experiment(
    "xor-features",
    title="XOR: least squares learns w → 0; degree-2 features fit it exactly",
    lecture=LECTURE,
    number=6,
    covers=[
        ("cs577-03", "Linearity", "xor"),
        ("cs577-03", "Beyond linearity: feature map", "degree 2"),
    ],
)
def xor_features(seed: int, quick: bool) -> ExperimentResult:
    from byhand.datasets import xor
    from byhand.linear_model import LinearRegression
    from byhand.preprocessing import PolynomialFeatures

    X, y = xor()
    yf = y.astype(np.float64)
    res = ExperimentResult()

    lin = LinearRegression().fit(X, yf)
    w, b = np.ravel(lin.coef_), float(np.ravel(lin.intercept_)[0])
    res.claim(
        LECTURE,
        "Linearity",
        "least squares on XOR: “It seems like w → 0 … y doesn't depend on x” (w = [0, 0], b = 0.5)",
        {"w": w.tolist(), "b": b},
        bool(np.allclose(w, 0, rtol=0, atol=1e-12) and abs(b - 0.5) <= 1e-12),
        kind="exact",
        target={"w": [0.0, 0.0], "b": 0.5},
        detail="byhand LinearRegression on the four points (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0",
        source="lecture",
        quote="y doesn't depend on x",
        rule="|w| ≤ 1e-12 and |b − 0.5| ≤ 1e-12",
    )
    path = _xor_gd_weights(X, yf, seed, 200 if quick else 1000)
    res.claim(
        LECTURE,
        "Linearity",
        "gradient descent from a random start drives w → 0 (learning does not occur)",
        {"‖w₀‖": float(np.linalg.norm(path[0, :2])), "‖w_T‖": float(np.linalg.norm(path[-1, :2]))},
        bool(np.linalg.norm(path[-1, :2]) < 1e-6 and abs(path[-1, 2] - 0.5) < 1e-6),
        kind="qualitative",
        detail=f"byhand.fit, full-batch GD on the MSE, ε = 0.5, {len(path) - 1} steps",
        source="lecture",
        quote="$w \\rightarrow 0$.",
        rule="‖w_T‖ < 1e-6 and |b_T − 0.5| < 1e-6",
    )

    poly = PolynomialFeatures(degree=2, include_bias=False)
    Phi = poly.fit_transform(X)
    quad = LinearRegression().fit(Phi, yf)
    resid = float(np.max(np.abs(quad.predict(Phi) - yf)))
    res.claim(
        LECTURE,
        SLIDE_FEATURE_MAP,
        "with the degree-2 polynomial feature map in 2 free variables, linear regression "
        "captures XOR exactly",
        resid,
        resid <= 1e-12,
        kind="exact",
        detail=f"max |ŷ − y| on the four points; φ(x) has D = {Phi.shape[1]} features",
        source="lecture",
        quote="Can capture XOR with deg 2 poly feat",
        rule="max residual on the four points ≤ 1e-12",
    )
    # the fitted polynomial: c · φ(x) + c₀. On {0, 1}, x_i² = x_i, so only c(x_i) + c(x_i²) is
    # determined; the function on the four points is x1 + x2 − 2·x1·x2.
    powers = np.asarray(poly.powers_)
    coef = np.ravel(quad.coef_)
    c0 = float(np.ravel(quad.intercept_)[0])

    def c(p1: int, p2: int) -> float:
        hit = np.flatnonzero((powers[:, 0] == p1) & (powers[:, 1] == p2))
        return float(coef[hit[0]]) if hit.size else 0.0

    got = {
        "c(x1)+c(x1²)": c(1, 0) + c(2, 0),
        "c(x2)+c(x2²)": c(0, 1) + c(0, 2),
        "c(x1·x2)": c(1, 1),
        "c0": c0,
    }
    want = np.array([1.0, 1.0, -2.0, 0.0])
    res.claim(
        LECTURE,
        SLIDE_FEATURE_MAP,
        "the degree-2 fit is the polynomial x1 + x2 − 2·x1·x2",
        got,
        bool(np.allclose(list(got.values()), want, rtol=0, atol=1e-10)),
        kind="exact",
        target={"c(x1)+c(x1²)": 1, "c(x2)+c(x2²)": 1, "c(x1·x2)": -2, "c0": 0},
        detail="on {0,1}² the columns x_i and x_i² coincide, so least squares (minimum norm) "
        "splits that coefficient between them; their sum is what is determined",
        source="derived",
        derived_from=(
            "least squares on the degree-2 map of the four XOR points (the lecture does not print "
            "the fitted polynomial)"
        ),
        category="reproduction",
        rule="each coefficient within 1e-10 of (1, 1, −2, 0)",
    )
    res.table(
        "Degree-2 fit: coefficients of φ(x)",
        ["feature", "coefficient"],
        [[f"x1^{p[0]}·x2^{p[1]}", round(float(v), 6)] for p, v in zip(powers, coef, strict=True)]
        + [["1 (intercept)", round(c0, 6)]],
    )

    fig, axes = subplots(1, 3, figsize=(13, 3.9))
    g = np.linspace(-0.25, 1.25, 121)
    xx, yy = np.meshgrid(g, g)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    for ax, model, feats, title in (
        (axes[0], lin, grid, "linear: ŷ ≡ 0.5"),
        (axes[1], quad, poly.transform(grid), "degree-2 features: ŷ = x1 + x2 − 2x1x2"),
    ):
        zz = np.asarray(model.predict(feats)).reshape(xx.shape)
        cs = ax.contourf(xx, yy, zz, levels=np.linspace(-0.55, 1.55, 22), cmap="coolwarm")
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", edgecolor="k", s=80, vmin=0, vmax=1)
        for (u, v), t in zip(X, y, strict=True):
            ax.annotate(str(t), (u, v), xytext=(6, 6), textcoords="offset points")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
    fig.colorbar(cs, ax=axes[:2], shrink=0.8, label="ŷ")
    learning_curves(
        {"w1": path[:, 0], "w2": path[:, 1], "b": path[:, 2]},
        ax=axes[2],
        xlabel="GD step",
        ylabel="parameter",
        title="GD on XOR: w → 0, b → 0.5",
    )
    res.figure(
        fig,
        "Left: the least-squares plane is flat at 0.5 — it ignores x. Middle: with the degree-2 "
        "feature map the fit passes through the four XOR labels. Right: GD from a random start.",
    )
    return res


# --------------------------------------------------------------------------- experiment 8


def polynomial_feature_map_(x: float, degree: int) -> list[float]:
    """The lecture's code, verbatim: [x**d for d in range(degree+1)] (one sample)."""
    return [x**d for d in range(degree + 1)]


def polynomial_feature_map(x_array: np.ndarray, degree: int) -> np.ndarray:
    """The lecture's code: φ applied to each sample of a 1-D array (CS 577 Lecture 03)."""
    return np.array([polynomial_feature_map_(x_array[i], degree) for i in range(len(x_array))])


DEGREES = (1, 3, 9, 37)


@experiment(
    "poly-degrees",
    title="Polynomial feature maps: degree 1, 3, 9, 37 (train error → 0, validation error grows)",
    lecture=LECTURE,
    number=8,
    covers=[
        ("cs577-03", "Beyond linearity: feature map", "1-D"),
        ("ee559-3", "3.3. Linear separability and feature design", "polynomial"),
    ],
)
def poly_degrees(seed: int, quick: bool) -> ExperimentResult:
    from byhand.datasets import make_polynomial_regression
    from byhand.linear_model import LinearRegression
    from byhand.preprocessing import PolynomialFeatures

    n_train, n_test, noise = 20, 500 if quick else 5000, 0.1
    X, y = make_polynomial_regression(n_train, noise=noise, random_state=seed)
    Xt, yt = make_polynomial_regression(n_test, noise=noise, random_state=seed + 1)
    # the hyperparameter is chosen on a validation sample; the test sample is used once, for
    # the chosen degree (Galerne, "Terminology": training, validation and test sets)
    Xv, yv = make_polynomial_regression(n_test, noise=noise, random_state=seed + 2)
    res = ExperimentResult()

    # byhand's PolynomialFeatures is the lecture's map (without the constant, which the
    # intercept of the linear model supplies)
    ref = polynomial_feature_map(X[:, 0], 37)[:, 1:]
    mine = PolynomialFeatures(degree=37, include_bias=False).fit_transform(X)
    same = float(np.max(np.abs(mine - ref) / np.maximum(np.abs(ref), 1.0)))
    res.claim(
        LECTURE,
        SLIDE_FEATURE_MAP,
        "φ(x) = [1, x, x², …, x^d] (the lecture's polynomial_feature_map, deg = 37)",
        same,
        same <= 1e-12,
        kind="exact",
        detail="max relative difference between byhand PolynomialFeatures(37) and the "
        "lecture's code on the training inputs",
        source="lecture",
        quote="$$\\phi(x) = [1, x, x^2, \\dots, x^d]$$",
        rule="max relative difference between byhand and the lecture's map ≤ 1e-12",
    )

    train, val, test, models = {}, {}, {}, {}
    for d in DEGREES:
        poly = PolynomialFeatures(degree=d, include_bias=False)
        model = LinearRegression().fit(poly.fit_transform(X), y)
        models[d] = (poly, model)
        train[d] = float(np.mean((model.predict(poly.transform(X)) - y) ** 2))
        val[d] = float(np.mean((model.predict(poly.transform(Xv)) - yv) ** 2))
    tr = [train[d] for d in DEGREES]
    va = [val[d] for d in DEGREES]
    res.claim(
        LECTURE,
        SLIDE_FEATURE_MAP,
        "a higher degree fits the training sample better: train error falls to ~0 at deg 37",
        {str(d): train[d] for d in DEGREES},
        bool(all(a > b for a, b in itertools.pairwise(tr)) and train[37] < 1e-8),
        kind="qualitative",
        detail=f"train MSE on {n_train} noisy samples of y = x³ − x (noise σ = {noise}); "
        "deg 37 has more coefficients than samples, so it interpolates",
        source="derived",
        derived_from=(
            "nested least-squares models: each degree contains the lower ones, and degree 37 has "
            "more coefficients than the 20 samples, so it interpolates"
        ),
        category="reproduction",
        rule="training error strictly decreasing in the degree and < 1e-8 at degree 37",
    )
    best = min(DEGREES, key=lambda d: val[d])
    poly_b, model_b = models[best]
    test[best] = float(np.mean((model_b.predict(poly_b.transform(Xt)) - yt) ** 2))
    res.claim(
        LECTURE,
        SLIDE_FEATURE_MAP,
        "while the validation error rises past the right degree (deg is a HYPERPARAMETER): "
        "chosen on a validation sample, degree 3 wins",
        {"validation MSE": {str(d): val[d] for d in DEGREES}, "chosen": best},
        bool(best == 3 and val[9] > val[3] and val[37] > val[9] and val[37] > val[1]),
        kind="qualitative",
        detail=f"validation MSE on {n_test} fresh samples; the chosen degree's test MSE on "
        f"another {n_test}: {test[best]:.4g} (noise floor σ² = {noise**2:g})",
        source="byhand",
        reason=(
            "the lecture calls deg a HYPERPARAMETER but names no best degree; byhand draws its "
            "sample from x³ − x, so degree 3 should win on fresh data"
        ),
        rule="validation picks degree 3, and val(9) > val(3), val(37) > val(9), val(37) > val(1)",
    )
    res.table(
        "Mean squared error (the test sample is used once, for the degree chosen on validation)",
        ["degree", "train MSE", "validation MSE", "test MSE"],
        [
            [d, f"{train[d]:.3g}", f"{val[d]:.3g}", f"{test[d]:.3g}" if d in test else ""]
            for d in DEGREES
        ],
    )

    fig, axes = subplots(1, 2, figsize=(11, 4))
    xs = np.linspace(X.min() - 0.05, X.max() + 0.05, 800)[:, None]
    axes[0].scatter(X[:, 0], y, color="k", zorder=5, s=18, label="train")
    for i, d in enumerate(DEGREES):
        poly, model = models[d]
        ys = model.predict(poly.transform(xs))
        axes[0].plot(xs[:, 0], ys, color=PALETTE[i], label=f"deg {d}")
    axes[0].set_ylim(y.min() - 1.0, y.max() + 1.0)
    axes[0].set_xlabel("x")
    axes[0].set_ylabel("y")
    axes[0].legend(fontsize=8)
    axes[0].set_title("least squares on φ(x) = [1, x, …, x^d]")
    axes[1].semilogy(DEGREES, tr, "-o", color=PALETTE[0], label="train MSE")
    axes[1].semilogy(DEGREES, va, "-o", color=PALETTE[1], label="validation MSE")
    axes[1].semilogy([best], [test[best]], "*", ms=12, color="k", label=f"test MSE, deg {best}")
    axes[1].axhline(noise**2, color="grey", ls=":", lw=1, label="noise σ²")
    axes[1].set_xlabel("degree d")
    axes[1].set_ylabel("MSE")
    axes[1].legend(fontsize=8)
    axes[1].grid(alpha=0.3)
    res.figure(
        fig,
        "Polynomial fits of degrees 1, 3, 9 and 37 to 20 noisy samples of x³ − x: degree 37 "
        "passes through every training point and swings wildly between them.",
    )
    return res


# --------------------------------------------------------------------------- experiment 9


def relu(a: np.ndarray) -> np.ndarray:
    """relu(z) := max{0, z} (CS 577 Lecture 03, "Activation function")."""
    return np.maximum(a, 0.0)


def relu_prime(a: np.ndarray) -> np.ndarray:
    """relu'(z) = 1 if z >= 0 else 0 (CS 577 Lecture 03, "Activation function")."""
    return (a >= 0).astype(np.float64)


def hand_gradients(
    X: np.ndarray,
    y: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    w2: np.ndarray,
    b2: float,
    loss: str = "mse",
) -> dict[str, np.ndarray]:
    """∇J = (1/N) Σ_i ∇J_i with the slides' per-sample formulas, one sample at a time.

    z_i = w⁽²⁾ᵀ g(h_i) + b⁽²⁾, h_i = W⁽¹⁾ x_i + b⁽¹⁾ (W⁽¹⁾ ∈ R^{m×d}; for d = 1 it is the
    CS 577 Lecture 03 column w⁽¹⁾). With r_i = ∂L/∂z (−2(y_i − z_i) for the MSE,
    −y e^{−yz}/(1 + e^{−yz}) for the logistic loss, CS 577 Lecture 04 "higher dim data"):
    ∂J_i/∂w⁽²⁾ = r_i g(h_i), ∂J_i/∂b⁽²⁾ = r_i, ∂J_i/∂W⁽¹⁾ = r_i (w⁽²⁾ ⊙ g'(h_i)) x_iᵀ,
    ∂J_i/∂b⁽¹⁾ = r_i (w⁽²⁾ ⊙ g'(h_i)).
    """
    n = len(y)
    grads = {
        "w2": np.zeros_like(w2),
        "b2": np.zeros(1),
        "W1": np.zeros_like(W1),
        "b1": np.zeros_like(b1),
    }
    for i in range(n):
        h = W1 @ X[i] + b1
        z = w2 @ relu(h) + b2
        if loss == "mse":
            r = -2.0 * (y[i] - z)
        else:
            r = -y[i] * np.exp(-y[i] * z) / (1.0 + np.exp(-y[i] * z))
        grads["w2"] += r * relu(h)
        grads["b2"] += r
        grads["W1"] += r * np.outer(w2 * relu_prime(h), X[i])
        grads["b1"] += r * (w2 * relu_prime(h))
    return {k: v / n for k, v in grads.items()}


def objective(
    X: np.ndarray,
    y: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    w2: np.ndarray,
    b2: float,
    loss: str = "mse",
) -> float:
    """J(θ) = (1/N) Σ_i J_i(θ) with the MSE (y − z)² or the logistic loss log(1 + e^{−yz})."""
    z = relu(X @ W1.T + b1) @ w2 + b2
    if loss == "mse":
        return float(np.mean((y - z) ** 2))
    return float(np.mean(np.logaddexp(0.0, -y * z)))


def finite_differences(
    X: np.ndarray, y: np.ndarray, params: dict[str, np.ndarray], loss: str, eps: float = 1e-6
) -> dict[str, np.ndarray]:
    """Central differences (J(θ + ε e_j) − J(θ − ε e_j)) / 2ε for every parameter entry."""
    out = {}
    for name, p in params.items():
        g = np.zeros_like(p)
        for j in np.ndindex(p.shape):
            old = p[j]
            p[j] = old + eps
            up = objective(X, y, params["W1"], params["b1"], params["w2"], params["b2"][0], loss)
            p[j] = old - eps
            down = objective(X, y, params["W1"], params["b1"], params["w2"], params["b2"][0], loss)
            p[j] = old
            g[j] = (up - down) / (2 * eps)
        out[name] = g
    return out


def backprop_gradients(
    X: np.ndarray, y: np.ndarray, params: dict[str, np.ndarray], loss: str
) -> dict[str, np.ndarray]:
    """The same gradient from byhand's modules: Linear → ReLU → Linear, backward."""
    m, d = params["W1"].shape
    net = nn.Sequential(
        nn.Linear(d, m, dtype=np.float64), nn.ReLU(), nn.Linear(m, 1, dtype=np.float64)
    )
    net[0].weight.data[...] = params["W1"].T
    net[0].bias.data[...] = params["b1"]
    net[2].weight.data[...] = params["w2"][:, None]
    net[2].bias.data[...] = params["b2"]
    crit = nn.MSELoss() if loss == "mse" else nn.LogisticLoss()
    net.zero_grad()
    crit.forward(net(X), y)
    net.backward(crit.backward())
    return {
        "W1": net[0].weight.grad.T.copy(),
        "b1": net[0].bias.grad.copy(),
        "w2": net[2].weight.grad[:, 0].copy(),
        "b2": net[2].bias.grad.copy(),
    }


def _max_rel(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    """max over parameters of max|a − b| / max(max|b|, 1e-12)."""
    return max(
        float(np.max(np.abs(a[k] - b[k])) / max(float(np.max(np.abs(b[k]))), 1e-12)) for k in a
    )


@experiment(
    "hand-gradients",
    title="Hand-derived gradients of the one-hidden-layer net = backprop = finite differences",
    lecture=LECTURE,
    number=9,
    covers=[
        ("cs577-03", "1-layer neural network"),
        ("cs577-04", "1-layer neural network (higher dim data)", "gradients"),
    ],
)
def hand_gradient_check(seed: int, quick: bool) -> ExperimentResult:
    from byhand.datasets import make_moons, make_sin_regression

    rng = np.random.default_rng(seed)
    res = ExperimentResult()
    m = 10  # "m = 10 relu" (CS 577 Lecture 04, "Linearity")
    cases = []
    x1, y1 = make_sin_regression(20, noise=0.1, random_state=rng)
    cases.append(("d = 1, MSE", LECTURE, SLIDE_GRAD, x1, y1, "mse"))
    x2, y2 = make_moons(20, noise=0.1, random_state=rng)
    cases.append(
        (
            "d = 2, MSE",
            LECTURE_002,
            "1-layer neural network (higher dim data)",
            x2,
            y2.astype(float),
            "mse",
        )
    )
    x3, y3 = make_moons(20, noise=0.1, random_state=rng, signed=True)
    cases.append(
        (
            "d = 2, logistic",
            LECTURE_002,
            "1-layer neural network (higher dim data)",
            x3,
            y3.astype(float),
            "logistic",
        )
    )
    rows = []
    for label, lecture, slide, X, y, loss in cases:
        d = X.shape[1]
        params = {
            "W1": rng.normal(size=(m, d)),
            "b1": rng.normal(size=m),
            "w2": rng.normal(size=m),
            "b2": rng.normal(size=1),
        }
        hand = hand_gradients(X, y, params["W1"], params["b1"], params["w2"], params["b2"][0], loss)
        bp = backprop_gradients(X, y, params, loss)
        fd = finite_differences(X, y, params, loss)
        e_bp, e_fd = _max_rel(hand, bp), _max_rel(hand, fd)
        formula = "−2(y − z)" if loss == "mse" else "−y e^{−yz}/(1 + e^{−yz})"
        res.claim(
            lecture,
            slide,
            f"∂J/∂w⁽²⁾ = r g(h), ∂J/∂b⁽²⁾ = r, ∂J/∂W⁽¹⁾ = r (w⁽²⁾ ⊙ g'(h)) xᵀ, "
            f"∂J/∂b⁽¹⁾ = r (w⁽²⁾ ⊙ g'(h)) with r = {formula}, g = relu ({label}): "
            "equal to byhand's backprop",
            e_bp,
            e_bp <= 1e-12,
            kind="exact",
            detail=f"max relative difference over the four gradients, N = {len(y)}, m = {m}",
            source="lecture",
            quote=GRAD_QUOTES[(lecture, loss)],
            rule="max relative difference ≤ 1e-12",
        )
        res.claim(
            lecture,
            slide,
            f"the same hand-derived gradients ({label}) equal central finite differences",
            e_fd,
            e_fd <= 1e-6,
            kind="exact",
            detail="central differences with ε = 1e-6 in float64 (truncation and rounding "
            "error ~1e-9)",
            source="derived",
            derived_from=(
                "central finite differences of the lecture's J(θ), an oracle independent of the "
                "hand formulas"
            ),
            rule="max relative difference ≤ 1e-6 (central differences, ε = 1e-6)",
        )
        rows.append([label, f"{e_bp:.2e}", f"{e_fd:.2e}"])
    res.table(
        "Max relative difference of the hand gradients", ["case", "vs backprop", "vs FD"], rows
    )
    # the one point where the lecture's relu′ and byhand's differ, z = 0, is the claim of the
    # relu-derivative experiment (CS 577 Lecture 03, "Activation function"): not stated twice

    # train the 1-D net by GD with the hand gradients and with byhand.fit: the same iterates
    Xs, ys = make_sin_regression(40, noise=0.1, random_state=rng)
    steps, lr = (300 if quick else 2000), 0.05
    theta = {
        "W1": rng.normal(size=(m, 1)),
        "b1": rng.normal(size=m),
        "w2": rng.normal(size=m) * 0.5,
        "b2": np.zeros(1),
    }
    net = nn.Sequential(
        nn.Linear(1, m, dtype=np.float64), nn.ReLU(), nn.Linear(m, 1, dtype=np.float64)
    )
    net[0].weight.data[...] = theta["W1"].T
    net[0].bias.data[...] = theta["b1"]
    net[2].weight.data[...] = theta["w2"][:, None]
    net[2].bias.data[...] = theta["b2"]
    hist = fit(net, nn.MSELoss(), optim.SGD(net.parameters(), lr), Xs, ys, epochs=steps, verbose=0)
    hand_loss = []
    for _ in range(steps):
        hand_loss.append(objective(Xs, ys, theta["W1"], theta["b1"], theta["w2"], theta["b2"][0]))
        g = _vector_gradients(Xs, ys, theta)
        for k in theta:
            theta[k] -= lr * g[k]
    diff = max(
        float(np.max(np.abs(theta["W1"] - net[0].weight.data.T))),
        float(np.max(np.abs(theta["w2"] - net[2].weight.data[:, 0]))),
        float(np.max(np.abs(theta["b1"] - net[0].bias.data))),
    )
    res.claim(
        LECTURE,
        SLIDE_GRAD,
        "“Given params calculate grad”: GD with the hand gradients (∇J = Σ∇J_i / N) follows "
        "byhand.fit step for step",
        diff,
        diff <= 1e-9,
        kind="exact",
        detail=f"{steps} full-batch steps, ε = {lr}, max |θ_hand − θ_fit| at the end "
        f"(loss {hand_loss[0]:.3f} → {hist.loss[-1]:.4f})",
        source="lecture",
        quote="$$\\nabla J = \\frac{\\sum_{i=1}^N \\nabla J_i}{N}$$",
        rule="max |hand-gradient GD iterate − byhand.fit iterate| ≤ 1e-9",
    )
    fig, axes = subplots(1, 2, figsize=(10, 3.8))
    xs = np.linspace(-np.pi, np.pi, 300)[:, None]
    axes[0].scatter(Xs[:, 0], ys, s=14, color="k", label="data")
    axes[0].plot(xs[:, 0], net(xs)[:, 0], color=PALETTE[0], label="byhand.fit")
    zh = relu(xs @ theta["W1"].T + theta["b1"]) @ theta["w2"] + theta["b2"][0]
    axes[0].plot(xs[:, 0], zh, "--", color=PALETTE[1], label="hand gradients")
    axes[0].legend(fontsize=8)
    axes[0].set_xlabel("x")
    axes[0].set_ylabel("y")
    axes[0].set_title(f"1-{m}-1 relu net after {steps} GD steps")
    learning_curves(
        {"hand gradients": hand_loss, "byhand.fit": hist.loss},
        ax=axes[1],
        xlabel="GD step",
        ylabel=r"$J(\theta)$",
        log=True,
    )
    res.figure(fig, "The lecture's in-class exercise: a relu net trained with the hand gradients.")
    return res


def _vector_gradients(X: np.ndarray, y: np.ndarray, t: dict[str, np.ndarray]) -> dict:
    """The same four formulas, summed over i with matrix products (for training)."""
    H = X @ t["W1"].T + t["b1"]
    z = relu(H) @ t["w2"] + t["b2"][0]
    r = -2.0 * (y - z) / len(y)
    back = r[:, None] * (t["w2"] * relu_prime(H))
    return {
        "w2": relu(H).T @ r,
        "b2": np.array([r.sum()]),
        "W1": back.T @ X,
        "b1": back.sum(axis=0),
    }
