"""CS 577 Lecture 04 (Wang, IIT, 2024).

"1-layer neural network (multicategory data)" (Lecture 04): the slide's formulas for
∂J_i/∂W⁽²⁾, ∂J_i/∂b⁽²⁾, ∂J_i/∂W⁽¹⁾, ∂J_i/∂b⁽¹⁾ with the cross-entropy against central
differences and byhand's backward.
"""

from __future__ import annotations

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import subplots

L03, L04 = "cs577-03", "cs577-04"
SLIDE_MULTI = "1-layer neural network (multicategory data)"


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
        rule="max relative difference to central differences < 1e-7",
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
        category="reproduction",
        rule="max relative difference to byhand's backward < 1e-12",
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
