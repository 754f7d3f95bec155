"""Experiment 12: maximum likelihood gives the losses (Gaussian → MSE, Bernoulli → logistic).

CS 577 Lecture 04 (Wang, IIT, 2024), "Maximum likelihood": with p(y | x; θ) = N(y; f(x; θ), σ²),
applying
−log to the likelihood gives, up to scaling, the mean square error:
−(1/N) Σ log N(yᵢ; f(xᵢ), σ²) = MSE/(2σ²) + ½ log(2πσ²).
"Breakout session: Maximum likelihood": with p(y | x; θ) = Bern((y + 1)/2; sigmoid(wᵀx)),
−log gives (1/N) Σ log(1 + exp(−yᵢ wᵀxᵢ)), the logistic loss (y = +1: log(1 + e^{−z}),
y = −1: log(1 + e^{z})). The likelihoods are computed from the densities written out; the
losses are byhand's :class:`~byhand.nn.MSELoss` and :class:`~byhand.nn.LogisticLoss`.
"""

from __future__ import annotations

import numpy as np

from byhand import nn
from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import PALETTE, subplots

LECTURE = "cs577-04"


def gaussian_nll(y: np.ndarray, mu: np.ndarray, sigma: float) -> float:
    """−(1/N) Σ log N(yᵢ; μᵢ, σ²) from the density 1/√(2πσ²) exp(−(y − μ)²/2σ²)."""
    pdf = np.exp(-0.5 * (y - mu) ** 2 / sigma**2) / np.sqrt(2 * np.pi * sigma**2)
    return float(-np.mean(np.log(pdf)))


def bernoulli_nll(y: np.ndarray, z: np.ndarray) -> float:
    """−(1/N) Σ log Bern((yᵢ + 1)/2; sigmoid(zᵢ)) with Bern(ε; p) = p^ε (1 − p)^{1−ε}."""
    eps = (y + 1) / 2
    p = 1.0 / (1.0 + np.exp(-z))
    return float(-np.mean(np.log(p**eps * (1 - p) ** (1 - eps))))


@experiment(
    "max-likelihood",
    title="Maximum likelihood: Gaussian NLL = MSE/(2σ²) + const, Bernoulli NLL = logistic loss",
    lecture=LECTURE,
    number=12,
    covers=[
        ("cs577-04", "Maximum likelihood"),
        ("cs577-04", "Breakout session: Maximum likelihood"),
    ],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    """Compare the negative log-likelihoods with byhand's losses over many random models."""
    rng = np.random.default_rng(seed)
    res = ExperimentResult()
    n, d = (100, 3) if quick else (1000, 3)
    n_models = 50 if quick else 500
    X = rng.normal(size=(n, d))
    w_true = rng.normal(size=d)
    sigma = 0.7
    y_reg = X @ w_true + sigma * rng.normal(size=n)
    p_true = 1 / (1 + np.exp(-(X @ w_true)))
    y_cls = np.where(rng.random(n) < p_true, 1.0, -1.0)

    mse, logistic = nn.MSELoss(), nn.LogisticLoss()
    gauss_err, bern_err = 0.0, 0.0
    const = 0.5 * np.log(2 * np.pi * sigma**2)
    for _ in range(n_models):
        w = rng.normal(size=d)
        z = X @ w
        nll = gaussian_nll(y_reg, z, sigma)
        gauss_err = max(gauss_err, abs(nll - (mse.forward(z, y_reg) / (2 * sigma**2) + const)))
        bern_err = max(bern_err, abs(bernoulli_nll(y_cls, z) - logistic.forward(z, y_cls)))
    res.claim(
        LECTURE,
        "Maximum likelihood",
        "−log of the Gaussian likelihood is, up to scaling, the mean square error: "
        "NLL = MSE/(2σ²) + ½log(2πσ²)",
        gauss_err,
        gauss_err < 1e-10,
        kind="exact",
        detail=f"max over {n_models} random w of |NLL − (MSELoss/(2σ²) + const)|, "
        f"N = {n}, σ = {sigma}",
        source="lecture",
        quote="Previously, apply  $-\\log(\\cdot)$  and get (up to scaling)",
        rule="max |NLL − (MSELoss/(2σ²) + const)| < 1e-10",
    )
    res.claim(
        LECTURE,
        "Breakout session: Maximum likelihood",
        "−log of the Bernoulli(sigmoid(wᵀx)) likelihood is (1/N) Σ log(1 + exp(−y wᵀx))",
        bern_err,
        bern_err < 1e-10,
        kind="exact",
        detail=f"max over {n_models} random w of |Bernoulli NLL − LogisticLoss|, N = {n}",
        source="lecture",
        quote=(
            "$$\\frac{1}{N} \\sum_{i=1}^N \\log(1 + \\exp(-y^{(i)} \\mathbf{w}^\\top "
            "\\mathbf{x}^{(i)}))$$"
        ),
        rule="max |Bernoulli NLL − LogisticLoss| < 1e-10",
    )

    # the same minimiser: the likelihood maximised by SciPy from the density, against byhand's
    # least-squares fit (LinearRegression), from several starts
    from scipy.optimize import minimize

    from byhand.linear_model import LinearRegression

    w_ls = LinearRegression(fit_intercept=False, solver="lstsq").fit(X, y_reg).coef_.ravel()
    gaps = []
    for _ in range(5):
        w_ml = minimize(  # −log of the density, ½log(2πσ²) + (y − μ)²/2σ² (no underflow)
            lambda w: float(
                np.mean(0.5 * np.log(2 * np.pi * sigma**2) + (y_reg - X @ w) ** 2 / (2 * sigma**2))
            ),
            rng.normal(size=d) * 3,
            method="BFGS",
            options={"gtol": 1e-10},
        ).x
        gaps.append(float(np.max(np.abs(w_ml - w_ls))))
    ts = np.linspace(-2, 2, 401)
    direction = rng.normal(size=d)
    direction /= np.linalg.norm(direction)
    nlls = [gaussian_nll(y_reg, X @ (w_ls + t * direction), sigma) for t in ts]
    mses = [mse.forward(X @ (w_ls + t * direction), y_reg) for t in ts]
    res.claim(
        LECTURE,
        "Maximum likelihood",
        "max likelihood ⇔ min MSE: the θ that maximises the Gaussian likelihood is byhand's "
        "least-squares θ",
        {"max |θ_ML − θ_byhand| over 5 starts": max(gaps), "θ_byhand": w_ls.tolist()},
        bool(max(gaps) < 1e-5),
        kind="numeric",
        detail="θ_ML: SciPy BFGS (gtol 1e-10) on −(1/N) Σ log N(yᵢ; wᵀxᵢ, σ²), from 5 "
        "random starts; θ_byhand: LinearRegression(fit_intercept=False, solver='lstsq') on the "
        f"same N = {n} samples",
        source="derived",
        derived_from=(
            "−log of the Gaussian likelihood is an increasing affine function of the MSE (the "
            "slide's derivation), so both have the same minimiser"
        ),
        category="reproduction",
        rule="max |θ_ML − θ_byhand| < 1e-5 for every start (BFGS's own accuracy)",
    )
    # the two cases of the slide, and the stability of byhand's loss for large |z|
    zs = np.linspace(-6, 6, 241)
    case_err = 0.0
    for s in (1.0, -1.0):
        byhand = np.array([logistic.forward(np.array([z]), np.array([s])) for z in zs])
        case_err = max(case_err, float(np.max(np.abs(byhand - np.log1p(np.exp(-s * zs))))))
    res.claim(
        LECTURE,
        "Breakout session: Maximum likelihood",
        "log(1 + e^{−yz}) = log(1 + e^{−z}) if y = 1, log(1 + e^{z}) if y = −1",
        case_err,
        case_err < 1e-12,
        kind="exact",
        source="lecture",
        quote=(
            "$$\\log(1 + e^{-yz}) = \\begin{cases} \\log(1 + e^{-z}) & \\text{if } y = 1 \\\\ "
            "\\log(1 + e^z) & y = -1 \\end{cases}$$"
        ),
        rule="max |LogisticLoss − case formula| < 1e-12",
    )
    with np.errstate(divide="ignore", over="ignore"):
        naive = bernoulli_nll(np.array([-1.0]), np.array([40.0]))
    stable = logistic.forward(np.array([40.0]), np.array([-1.0]))
    res.note(
        f"Written out from the density, the Bernoulli NLL of y = −1 at z = 40 is {naive} "
        f"(sigmoid(40) rounds to 1 in float64); byhand's LogisticLoss, computed as "
        f"logaddexp(0, −yz), gives {stable:.6g} — the same function, kept finite."
    )

    fig, axes = subplots(1, 2, figsize=(10, 3.8))
    ax = axes[0]
    ax.plot(ts, nlls, color=PALETTE[0], lw=2, label="Gaussian NLL (per sample)")
    ax.plot(ts, np.array(mses) / (2 * sigma**2) + const, "k:", lw=1.5, label="MSE/(2σ²) + const")
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_xlabel("t  (w = w_ls + t·u)")
    ax.legend(fontsize=8)
    ax.set_title("regression: NLL and MSE coincide")
    ax.grid(alpha=0.3)
    ax = axes[1]
    for i, s in enumerate((1.0, -1.0)):
        nll = [bernoulli_nll(np.array([s]), np.array([z])) for z in zs]
        ax.plot(zs, nll, color=PALETTE[i], lw=3, alpha=0.5, label=f"Bernoulli NLL, y = {s:+.0f}")
        ax.plot(zs, [logistic.forward(np.array([z]), np.array([s])) for z in zs], "k:", lw=1.2)
    ax.plot([], [], "k:", label="byhand LogisticLoss")
    ax.set_xlabel("z = wᵀx")
    ax.set_title("classification: NLL = log(1 + exp(−yz))")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    res.figure(
        fig,
        "Left: the Gaussian negative log-likelihood and the scaled MSE along a line "
        "in weight space. Right: the Bernoulli NLL for y = ±1 and byhand's logistic loss.",
    )
    return res
