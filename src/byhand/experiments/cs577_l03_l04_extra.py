"""CS 577 Lectures 03 and 04 (Wang, IIT, 2024): worked examples the first experiments left out.

- 104 "Beyond linearity: feature map" (Lecture 03): D for the degree-2 map of d = 2 variables,
  the slide's six terms a x₂² + b x₁² + c x₁x₂ + d x₁ + e x₂ + f·1.
- 105 "1-layer neural network (multicategory data)" (Lecture 04): the slide's formulas for
  ∂J_i/∂W⁽²⁾, ∂J_i/∂b⁽²⁾, ∂J_i/∂W⁽¹⁾, ∂J_i/∂b⁽¹⁾ with the cross-entropy against central
  differences and byhand's backward.
- 106 "Stochastic gradient descent (SGD)" (Lecture 04): size-1 minibatches are "cheap but not
  as performant", measured against full-batch GD on the same data and sample budget.
"""

from __future__ import annotations

from math import comb

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import learning_curves, subplots

L03, L04 = "cs577-03", "cs577-04"
SLIDE_MAP = "Beyond linearity: feature map"
SLIDE_MULTI = "1-layer neural network (multicategory data)"
SLIDE_SGD = "Stochastic gradient descent (SGD)"

#: the slide's six terms of a x₂² + b x₁² + c x₁x₂ + d x₁ + e x₂ + f·1, as exponents (x₁, x₂)
SLIDE_TERMS = {(0, 2), (2, 0), (1, 1), (1, 0), (0, 1), (0, 0)}


# --------------------------------------------------------------------------- 104


@experiment(
    "poly-degree2-terms",
    title="D for the degree-2 feature map of 2 variables: six terms with the constant",
    lecture=L03,
    number=104,
    covers=[(L03, SLIDE_MAP, "degree 2")],
)
def poly_degree2_terms(seed: int, quick: bool) -> ExperimentResult:
    from sklearn.preprocessing import PolynomialFeatures as SkPoly

    from byhand.preprocessing import PolynomialFeatures

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(50, 2))
    pf = PolynomialFeatures(degree=2).fit(X)
    terms = {tuple(int(v) for v in p) for p in pf.powers_}
    Phi = pf.transform(X)
    literal = np.column_stack(
        [X[:, 1] ** 2, X[:, 0] ** 2, X[:, 0] * X[:, 1], X[:, 0], X[:, 1], np.ones(len(X))]
    )
    col = {tuple(int(v) for v in p): j for j, p in enumerate(pf.powers_)}
    order = [(0, 2), (2, 0), (1, 1), (1, 0), (0, 1), (0, 0)]
    same_cols = all(
        np.array_equal(Phi[:, col[t]], literal[:, i]) for i, t in enumerate(order) if t in col
    )
    res = ExperimentResult()
    res.claim(
        L03,
        SLIDE_MAP,
        "for d = 2 the degree-2 feature map has D = 6 terms: x₂², x₁², x₁x₂, x₁, x₂ and 1; "
        "byhand's PolynomialFeatures(degree=2) gives exactly these columns",
        {"D": int(pf.n_output_features_), "names": pf.get_feature_names_out().tolist()},
        bool(pf.n_output_features_ == 6 and terms == SLIDE_TERMS and same_cols),
        kind="exact",
        target=6,
        detail="exponents of byhand's columns against the slide's six monomials, and each "
        "column against the literal product of the inputs",
        source="lecture",
        quote=r"a x_2^2 + b x_1^2 + c x_1 x_2 + d x_1 + e x_2 + f \cdot 1",
    )
    rows, ok = [], True
    for d in (1, 2, 3, 5, 10):
        for deg in (1, 2, 3):
            Xd = rng.normal(size=(7, d))
            ours = PolynomialFeatures(degree=deg).fit(Xd)
            sk = SkPoly(degree=deg).fit(Xd)
            same = ours.n_output_features_ == comb(d + deg, deg) == sk.n_output_features_
            same = same and np.allclose(
                np.sort(ours.transform(Xd), axis=1), np.sort(sk.transform(Xd), axis=1), rtol=1e-12
            )
            ok &= bool(same)
            rows.append(
                [
                    d,
                    deg,
                    int(ours.n_output_features_),
                    comb(d + deg, deg),
                    int(sk.n_output_features_),
                ]
            )
    res.claim(
        L03,
        SLIDE_MAP,
        "in general D = C(d + k, k) monomials of degree ≤ k (with the constant): byhand's "
        "count and values agree with scikit-learn's PolynomialFeatures",
        {"checked (d, k)": [[r[0], r[1]] for r in rows]},
        ok,
        kind="exact",
        source="derived",
        derived_from="counting monomials x^α with |α| ≤ k in d variables (stars and bars); "
        "the slide's D = ? is the case d = k = 2",
    )
    res.table(
        "Number of features D", ["d", "degree k", "byhand", "C(d+k, k)", "scikit-learn"], rows
    )
    fig, axes = subplots(1, 2, figsize=(9, 4))
    xor_x = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]])
    xor_y = np.array([0.0, 1, 1, 0])
    w = np.linalg.lstsq(pf.transform(xor_x), xor_y, rcond=None)[0]
    g = np.linspace(-0.25, 1.25, 121)
    xx, yy = np.meshgrid(g, g)
    zz = (pf.transform(np.column_stack([xx.ravel(), yy.ravel()])) @ w).reshape(xx.shape)
    cs = axes[0].contourf(xx, yy, zz, levels=20, cmap="coolwarm")
    fig.colorbar(cs, ax=axes[0], label=r"$w^\top \phi(x)$")
    axes[0].scatter(xor_x[:, 0], xor_x[:, 1], c=xor_y, cmap="coolwarm", edgecolors="k", s=80)
    axes[0].set_xlabel(r"$x_1$")
    axes[0].set_ylabel(r"$x_2$")
    axes[0].set_title("XOR fitted on the six features")
    ds = np.arange(1, 11)
    for k in (1, 2, 3):
        axes[1].semilogy(ds, [comb(d + k, k) for d in ds], "o-", label=rf"$k = {k}$")
    axes[1].set_xlabel(r"input dimension $d$")
    axes[1].set_ylabel(r"$D = \binom{d+k}{k}$")
    axes[1].legend()
    axes[1].grid(alpha=0.3)
    res.figure(
        fig,
        "Left: least squares on φ(x) = [x₂², x₁², x₁x₂, x₁, x₂, 1] fits XOR "
        '("Can capture XOR with deg 2 poly feat map"). Right: D grows as C(d+k, k).',
    )
    return res


# --------------------------------------------------------------------------- 105


def g(h: np.ndarray) -> np.ndarray:
    """The hidden activation, tanh (the slide leaves g generic; tanh keeps finite
    differences smooth)."""
    return np.tanh(h)


def g_prime(h: np.ndarray) -> np.ndarray:
    """g'(h) = 1 − tanh²(h)."""
    return 1.0 - np.tanh(h) ** 2


def slide_gradients(x, y, W1, b1, W2, b2) -> dict[str, np.ndarray]:
    """The slide's formulas for one sample (x, y), cross-entropy L(z, y) = −log softmax(z)_y.

    h = W⁽¹⁾ᵀx + b⁽¹⁾ (W⁽¹⁾ ∈ R^{d×m}), z = W⁽²⁾ᵀ g(h) + b⁽²⁾ (W⁽²⁾ ∈ R^{m×K}),
    ∂L/∂z = p − onehot(y); ∂J/∂W⁽²⁾ = g(h) (∂L/∂z)ᵀ, ∂J/∂b⁽²⁾ = ∂L/∂z,
    ∂J/∂W⁽¹⁾ = ((W⁽²⁾ ∂L/∂z) ⊙ g'(h)) xᵀ (an m×d matrix, as printed), ∂J/∂b⁽¹⁾ likewise
    without xᵀ.
    """
    h = W1.T @ x + b1
    z = W2.T @ g(h) + b2
    p = np.exp(z - z.max())
    p /= p.sum()
    dz = p.copy()
    dz[y] -= 1.0
    delta = (W2 @ dz) * g_prime(h)
    return {
        "W2": np.outer(g(h), dz),
        "b2": dz,
        "W1 (m×d, as printed)": np.outer(delta, x),
        "b1": delta,
    }


def _loss(x, y, P) -> float:
    h = P["W1"].T @ x + P["b1"]
    z = P["W2"].T @ np.tanh(h) + P["b2"]
    return float(np.log(np.sum(np.exp(z - z.max()))) + z.max() - z[y])


def _fd(x, y, P, eps=1e-6) -> dict[str, np.ndarray]:
    out = {}
    for k, v in P.items():
        gr = np.zeros_like(v)
        for idx in np.ndindex(v.shape):
            old = v[idx]
            v[idx] = old + eps
            up = _loss(x, y, P)
            v[idx] = old - eps
            dn = _loss(x, y, P)
            v[idx] = old
            gr[idx] = (up - dn) / (2 * eps)
        out[k] = gr
    return out


@experiment(
    "multiclass-hidden-gradients",
    title="One hidden layer, K classes: the slide's ∂J/∂W⁽²⁾ and ∂J/∂W⁽¹⁾ checked",
    lecture=L04,
    number=105,
    covers=[(L04, SLIDE_MULTI)],
)
def multiclass_hidden_gradients(seed: int, quick: bool) -> ExperimentResult:
    from byhand import nn

    rng = np.random.default_rng(seed)
    d, m, K, n = 3, 5, 4, 6
    P = {
        "W1": rng.normal(size=(d, m)),
        "b1": rng.normal(size=m),
        "W2": rng.normal(size=(m, K)),
        "b2": rng.normal(size=K),
    }
    X, Y = rng.normal(size=(n, d)), rng.integers(0, K, size=n)
    worst_fd = 0.0
    for x, y in zip(X, Y, strict=True):
        s = slide_gradients(x, y, P["W1"], P["b1"], P["W2"], P["b2"])
        f = _fd(x, y, P)
        pairs = [
            (s["W2"], f["W2"]),
            (s["b2"], f["b2"]),
            (s["W1 (m×d, as printed)"].T, f["W1"]),
            (s["b1"], f["b1"]),
        ]
        for a, b in pairs:
            worst_fd = max(worst_fd, float(np.max(np.abs(a - b)) / np.max(np.abs(b))))
    res = ExperimentResult()
    res.claim(
        L04,
        SLIDE_MULTI,
        "∂J_i/∂W⁽²⁾ = g(h⁽ⁱ⁾)(∂L/∂z)ᵀ, ∂J_i/∂b⁽²⁾ = ∂L/∂z, ∂J_i/∂W⁽¹⁾ = ((W⁽²⁾ ∂L/∂z) ⊙ "
        "g'(h⁽ⁱ⁾)) x⁽ⁱ⁾ᵀ, ∂J_i/∂b⁽¹⁾ = (W⁽²⁾ ∂L/∂z) ⊙ g'(h⁽ⁱ⁾), with ∂L/∂z = p − onehot(y): "
        "equal to central differences",
        worst_fd,
        worst_fd < 1e-7,
        kind="exact",
        target="< 1e-7",
        detail=f"d = {d}, m = {m}, K = {K}, g = tanh, {n} samples, central differences with "
        "h = 1e-6 in float64 (truncation ~1e-11); the W⁽¹⁾ formula is an m×d matrix, the "
        "transpose of W⁽¹⁾ ∈ R^{d×m} in h = W⁽¹⁾ᵀx + b⁽¹⁾, and is compared transposed",
        source="lecture",
        quote=r"\left( \left( \mathbf{W}^{(2)} \frac{\partial L(\mathbf{z}^{(i)}, y)}{\partial "
        r"\mathbf{z}} \right) \odot g'(\mathbf{h}^{(i)}) \right) \mathbf{x}^{(i)\top}",
    )
    layers = [nn.Linear(d, m, dtype=np.float64), nn.Linear(m, K, dtype=np.float64)]
    net = nn.Sequential(layers[0], nn.Tanh(), layers[1])
    layers[0].weight.data[:], layers[0].bias.data[:] = P["W1"], P["b1"]
    layers[1].weight.data[:], layers[1].bias.data[:] = P["W2"], P["b2"]
    loss = nn.CrossEntropyLoss()
    net.zero_grad()
    loss.forward(net(X), Y)
    net.backward(loss.backward())
    mean = {
        k: np.mean(
            [
                slide_gradients(x, y, P["W1"], P["b1"], P["W2"], P["b2"])[k]
                for x, y in zip(X, Y, strict=True)
            ],
            axis=0,
        )
        for k in ("W2", "b2", "W1 (m×d, as printed)", "b1")
    }
    got = {
        "W1": layers[0].weight.grad,
        "b1": layers[0].bias.grad,
        "W2": layers[1].weight.grad,
        "b2": layers[1].bias.grad,
    }
    diff = max(
        float(np.max(np.abs(mean["W2"] - got["W2"]))),
        float(np.max(np.abs(mean["b2"] - got["b2"]))),
        float(np.max(np.abs(mean["W1 (m×d, as printed)"].T - got["W1"]))),
        float(np.max(np.abs(mean["b1"] - got["b1"]))),
    )
    res.claim(
        L04,
        SLIDE_MULTI,
        "averaged over the samples (∇J = (1/N) Σ ∇J_i), the slide's formulas equal byhand's "
        "backward through Linear → Tanh → Linear → CrossEntropyLoss",
        diff,
        diff < 1e-12,
        kind="exact",
        target="< 1e-12",
        source="derived",
        derived_from="J = (1/N) Σ J_i and the slide's per-sample formulas; the tolerance is "
        "float64 rounding",
    )
    fig, axes = subplots(1, 2, figsize=(9, 3.8))
    s0 = slide_gradients(X[0], Y[0], P["W1"], P["b1"], P["W2"], P["b2"])
    f0 = _fd(X[0], Y[0], P)
    for ax, (name, a, b) in zip(
        axes,
        [
            (r"$\partial J_1/\partial W^{(2)}$", s0["W2"], f0["W2"]),
            (r"$\partial J_1/\partial W^{(1)}$", s0["W1 (m×d, as printed)"].T, f0["W1"]),
        ],
        strict=True,
    ):
        ax.plot(b.ravel(), a.ravel(), "o", ms=5)
        lim = np.abs(b).max() * 1.1
        ax.plot([-lim, lim], [-lim, lim], "k--", lw=0.8)
        ax.set_xlabel("central differences")
        ax.set_ylabel("slide's formula")
        ax.set_title(name)
        ax.grid(alpha=0.3)
    res.figure(
        fig,
        "Each entry of the slide's gradients (sample 1) against central "
        "differences: all on the diagonal.",
    )
    return res


# --------------------------------------------------------------------------- 106


@experiment(
    "sgd-m1-cost",
    title="SGD with m = 1: cheap but not as performant (measured against full-batch GD)",
    lecture=L04,
    number=106,
    covers=[(L04, SLIDE_SGD)],
)
def sgd_m1_cost(seed: int, quick: bool) -> ExperimentResult:
    from byhand import nn, optim
    from byhand.training import fit

    rng = np.random.default_rng(seed)
    n, d = (400, 8) if quick else (1000, 8)
    epochs = 30 if quick else 60
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 1.0 + 0.5 * rng.normal(size=n)
    Xa = np.column_stack([X, np.ones(n)])
    j_star = float(np.mean((Xa @ np.linalg.lstsq(Xa, y, rcond=None)[0] - y) ** 2))
    L = 2 * float(np.linalg.eigvalsh(Xa.T @ Xa / n).max())
    runs, times = {}, {}
    for name, batch, lr in (("GD (m = N)", None, 1.0 / L), ("SGD (m = 1)", 1, 0.02)):
        net = nn.Linear(d, 1, random_state=seed, dtype=np.float64)
        net.weight.data[:] = 0.0
        hist = fit(
            net,
            nn.MSELoss(),
            optim.SGD(net.parameters(), lr),
            X,
            y,
            epochs=epochs,
            batch_size=batch,
            verbose=0,
            random_state=seed,
        )
        pred = net(X).ravel()
        runs[name] = np.array(hist.loss) - j_star
        times[name] = (float(np.median(hist.time)), float(np.mean((pred - y) ** 2)) - j_star)
    gd, sgd = runs["GD (m = N)"], runs["SGD (m = 1)"]
    res = ExperimentResult()
    res.claim(
        L04,
        SLIDE_SGD,
        "cheap: for the same number of sample gradients (one pass over the data), N updates "
        "on single samples get much further than one full-batch step",
        {"excess loss after 1 epoch, SGD": float(sgd[0]), "GD": float(gd[0])},
        bool(sgd[0] < 0.1 * gd[0]),
        kind="qualitative",
        target="SGD < GD / 10",
        detail=f"linear regression, N = {n}, d = {d}, MSE loss; GD ε = 1/L = {1 / L:.3f}, "
        "SGD ε = 0.02; excess loss = J(θ) − J* with J* from least squares; the epoch loss is "
        "byhand.fit's mean over the epoch's batches",
        source="lecture",
        quote="cheap but not as performant",
    )
    final_sgd, final_gd = times["SGD (m = 1)"][1], times["GD (m = N)"][1]
    res.claim(
        L04,
        SLIDE_SGD,
        f"but not as performant: after {epochs} epochs, SGD with a constant step is stuck at a "
        "noise floor far above the optimum that full-batch GD reaches",
        {"final excess loss, SGD": final_sgd, "GD": final_gd},
        bool(final_gd < 1e-3 * final_sgd),
        kind="qualitative",
        target="GD < SGD / 1000",
        source="lecture",
        quote="cheap but not as performant",
    )
    res.table(
        "Per-epoch cost and loss reached",
        ["method", "updates per epoch", "median seconds per epoch", "final excess loss"],
        [
            [k, 1 if k.startswith("GD") else n, f"{times[k][0]:.2e}", f"{times[k][1]:.2e}"]
            for k in times
        ],
    )
    res.note(
        "Wall time per epoch is shown for scale (it counts Python overhead per update, "
        "so m = 1 costs more time per epoch although each update is N times cheaper)."
    )
    fig, ax = subplots()
    learning_curves(
        {k: np.maximum(v, 1e-16) for k, v in runs.items()},
        ax=ax,
        log=True,
        xlabel="epoch (N sample gradients each)",
        ylabel=r"excess loss $J(\theta) - J^\ast$",
    )
    res.figure(
        fig,
        "Excess training loss per epoch: SGD (m = 1) leads early, then plateaus; "
        "GD (m = N) converges to the optimum.",
    )
    return res
