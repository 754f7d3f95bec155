"""Softmax as a probability, cross-entropy as a negative log-likelihood, and the slide's case list.

CS 577 Lecture 04 (Wang, IIT, 2024), "Viewing the “cross-entropy” as a NLL": softmax(z) =
exp(z)/Σ_j exp(z_j) "makes positive" and sums to one, and L(z, y) = −log softmax(z)_y.
"Derivative": the case list −(1/p_y)·{p_y p_j; p_y(1 − p_y)} = {p_j for j ≠ y; (1 − p_y) for
j = y} — the j = y case has a sign slip: −(1/p_y)·p_y(1 − p_y) = −(1 − p_y) = p_y − 1, which is
also the y-th entry of the slide's own p − onehot(y). Deep Neural Networks Course I (Galerne):
softmax maps ℝ^K to probability vectors, argmax_k softmax(a) = argmax_k a, E(W) =
−Σ_i [a_{d_i} − log Σ_k exp(a_k)]; "Loglikelihood": L(W) = −Σ_n log y_{t_n}(φ_n) is convex.
Checked on byhand's :func:`~byhand.nn.functional.softmax` and :class:`~byhand.nn.CrossEntropyLoss`
(with :class:`~byhand.nn.Linear` for L(W)).
"""

from __future__ import annotations

import numpy as np

from byhand import nn
from byhand.experiments import ExperimentResult, experiment
from byhand.nn.functional import softmax

L04, GA = "cs577-04", "galerne-1"
NLL = "Viewing the “cross-entropy” as a NLL"
MULTI = "Multiclass classification – Multivariate logistic regression"


def ce_grad(z: np.ndarray, y: int) -> np.ndarray:
    """byhand's CrossEntropyLoss gradient for one sample."""
    loss = nn.CrossEntropyLoss()
    loss.forward(z[None], np.array([y]))
    return loss.backward()[0].copy()


def log_likelihood_loss(W: np.ndarray, Phi: np.ndarray, t: np.ndarray) -> float:
    """L(W) = N × byhand's mean CrossEntropyLoss of Linear(D, K, no bias) with weight W."""
    lin = nn.Linear(W.shape[0], W.shape[1], bias=False, dtype=np.float64)
    lin.weight.data[...] = W
    return len(t) * nn.CrossEntropyLoss().forward(lin(Phi), t)


@experiment(
    "softmax-nll",
    title="Softmax probabilities, cross-entropy as an NLL, the slide's case list, L(W) convex",
    lecture=L04,
    number=207,
    covers=[
        (L04, "Derivative", "case list"),
        (L04, NLL),
        (GA, MULTI, "softmax"),
        (GA, "Loglikelihood"),
    ],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    rng = np.random.default_rng(seed)
    res = ExperimentResult()
    trials = 50 if quick else 500
    off = on = 0.0
    slide_on = 0.0
    for _ in range(trials):
        K = int(rng.integers(2, 8))
        z = rng.normal(scale=2.0, size=K)
        y = int(rng.integers(K))
        p = softmax(z)
        g = ce_grad(z, y)
        mask = np.arange(K) != y
        off = max(off, float(np.max(np.abs(g[mask] - p[mask]))))
        on = max(on, abs(g[y] - (-(1 / p[y]) * p[y] * (1 - p[y]))))
        slide_on = max(slide_on, abs(g[y] - (1 - p[y])))
    quote = (
        r"$$\begin{cases} -\frac{1}{p_y} p_y p_j \\ -\frac{1}{p_y} p_y (1-p_y) \end{cases} = "
        r"\begin{cases} p_j & j \neq y \\ (1-p_y) & j = y \end{cases}$$"
    )
    res.claim(
        L04,
        "Derivative",
        "case j ≠ y: ∂L/∂z_j = p_j (the case list's right column)",
        off,
        off < 1e-12,
        kind="exact",
        lecture_value="∂L/∂z_j = p_j (j ≠ y)",
        rule="max |byhand's ∂L/∂z_j − p_j| < 1e-12",
        detail=f"max |byhand CrossEntropyLoss.backward_j − p_j| over {trials} random (z, y)",
        source="lecture",
        quote=quote,
    )
    res.claim(
        L04,
        "Derivative",
        "case j = y: the list's left column −(1/p_y)·p_y(1 − p_y) = −(1 − p_y) is byhand's ∂L/∂z_y",
        on,
        on < 1e-12,
        kind="exact",
        lecture_value="∂L/∂z_y = −(1/p_y)·p_y(1 − p_y)",
        rule="max |byhand's ∂L/∂z_y − (−(1/p_y)·p_y(1 − p_y))| < 1e-12",
        detail=f"max |byhand ∂L/∂z_y − (−(1/p_y) p_y (1 − p_y))| over {trials} random (z, y)",
        source="lecture",
        quote=quote,
    )
    res.claim(
        L04,
        "Derivative",
        "case j = y: the list's right column (1 − p_y)",
        {"max |byhand ∂L/∂z_y − (1 − p_y)|": slide_on},
        slide_on < 1e-12,
        kind="exact",
        lecture_value="∂L/∂z_y = (1 − p_y)",
        rule="max |byhand's ∂L/∂z_y − (1 − p_y)| < 1e-12",
        detail="the slide's right column against byhand's gradient (p_y − 1)",
        source="lecture",
        quote=quote,
        differs="a sign slip on the slide: −(1/p_y)·p_y(1 − p_y) = −(1 − p_y) = p_y − 1, as its "
        "own left column and its p − onehot(y) say; (1 − p_y) has the opposite sign",
    )
    # softmax is a probability; cross-entropy is −log softmax(z)_y
    Z = rng.normal(scale=3.0, size=(trials, 6))
    Z[0] = [1000.0, -1000.0, 0.0, 999.0, 5.0, -5.0]  # logits that overflow a naive exp
    Y = rng.integers(6, size=trials)
    P = softmax(Z)
    # positive (row 0 excepted: e^{−2000} underflows to 0 in float64), in [0, 1], summing to 1
    simplex = bool(
        np.all(P[1:] > 0)
        and np.all((P >= 0) & (P <= 1))
        and np.allclose(P.sum(axis=1), 1, atol=1e-12)
    )
    loss = nn.CrossEntropyLoss()
    per = np.array([loss.forward(Z[i : i + 1], Y[i : i + 1]) for i in range(trials)])
    lse = Z.max(axis=1) + np.log(np.exp(Z - Z.max(axis=1, keepdims=True)).sum(axis=1))
    formula = lse - Z[np.arange(trials), Y]
    nll_err = float(np.max(np.abs(per - formula)))
    res.claim(
        L04,
        NLL,
        "softmax(z) makes positive and sums to one; cross entropy L(z, y) = −log softmax(z)_y "
        "is byhand's CrossEntropyLoss",
        {"probability vectors": simplex, "max |CrossEntropyLoss − (−log softmax(z)_y)|": nll_err},
        bool(simplex and nll_err < 1e-12),
        kind="exact",
        detail=f"{trials} random z ∈ ℝ⁶ (one with logits ±1000), byhand's softmax and loss; "
        "−log softmax(z)_y written as log Σ exp(z) − z_y with the max taken out",
        rule=(
            "every softmax output is a probability vector and max |CrossEntropyLoss − (−log "
            "softmax(z)_y)| < 1e-12"
        ),
        source="lecture",
        quote=r"Cross entropy $L(\mathbf{z}, y) = -\log(\text{softmax}(\mathbf{z})_y)$",
    )
    same_argmax = bool(np.array_equal(np.argmax(P, axis=1), np.argmax(Z, axis=1)))
    E = len(Y) * loss.forward(Z, Y)
    E_slide = -np.sum(Z[np.arange(trials), Y] - lse)
    res.claim(
        GA,
        MULTI,
        "softmax maps ℝ^K to probability vectors, argmax_k softmax(a) = argmax_k a, and "
        "E(W) = −Σ_i [a_{d_i} − log Σ_k exp(a_k)] is N × byhand's mean cross-entropy",
        {
            "probability vectors": simplex,
            "same argmax": same_argmax,
            "|E − slide's sum|": float(abs(E - E_slide)),
        },
        bool(simplex and same_argmax and abs(E - E_slide) < 1e-9 * max(1.0, abs(E_slide))),
        kind="exact",
        detail=f"{trials} random logit vectors a ∈ ℝ⁶, byhand's softmax and CrossEntropyLoss",
        rule=(
            "probability vectors, the same argmax as the scores, and the slide's expectation "
            "within 1e-9 (relative)"
        ),
        source="lecture",
        quote=r"$$\text{argmax}_k \text{softmax}(\mathbf{a}) = \text{argmax}_k \mathbf{a}$$",
    )
    # L(W) of the multivariate logistic regression, and its convexity
    N, D, K = (40, 3, 4) if quick else (200, 5, 4)
    Phi = rng.normal(size=(N, D))
    t = rng.integers(K, size=N)
    pairs, worst, form_err = (50 if quick else 500), -np.inf, 0.0
    for _ in range(pairs):
        W0, W1 = rng.normal(scale=2, size=(D, K)), rng.normal(scale=2, size=(D, K))
        lam = rng.uniform()
        L0, L1 = log_likelihood_loss(W0, Phi, t), log_likelihood_loss(W1, Phi, t)
        Lm = log_likelihood_loss(lam * W0 + (1 - lam) * W1, Phi, t)
        worst = max(worst, Lm - (lam * L0 + (1 - lam) * L1))
        A = Phi @ W0
        slide = -np.sum(A[np.arange(N), t] - np.log(np.exp(A).sum(axis=1)))
        form_err = max(form_err, abs(L0 - slide) / max(1.0, abs(slide)))
    res.claim(
        GA,
        "Loglikelihood",
        "L(W) = −Σ_n [w_{t_n}ᵀφ_n − log Σ_j exp(w_jᵀφ_n)] and W ↦ L(W) is convex",
        {"max relative |byhand − formula|": form_err, "max L(mid) − chord": float(worst)},
        bool(form_err < 1e-12 and worst <= 1e-9),
        kind="exact",
        detail=f"{pairs} random pairs W₀, W₁ ∈ ℝ^{{{D}×{K}}} and λ ∈ [0, 1], N = {N} random φ: "
        "L(λW₀ + (1 − λ)W₁) ≤ λL(W₀) + (1 − λ)L(W₁) with L from byhand's Linear + "
        "CrossEntropyLoss (the slide's last line needs the bracket: −Σ_n [… − log …])",
        rule=(
            "max relative |byhand's loss − the slide's formula| < 1e-12, and L(λW₀ + (1 − λ)W₁) ≤"
            " λL(W₀) + (1 − λ)L(W₁) + 1e-9 on every pair"
        ),
        source="lecture",
        quote=r"One can show that $\mathbf{W} \mapsto L(\mathbf{W})$ is convex.",
    )
    return res
