"""EE-559 Deep learning 3.1–3.6 (Fleuret, EPFL, 2019).

§3.2: logistic regression as a MAP estimate: with a Gaussian prior on w, the
log-posterior is the L2-regularised logistic loss; byhand's optimum against SciPy's.
"""

from __future__ import annotations

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.experiments.ee559._plots import label_classes
from byhand.plotting import decision_regions, subplots

LECTURE = "ee559-3"
S32 = "3.2. Probabilistic view of a linear classifier"


def neg_log_posterior(theta: np.ndarray, X: np.ndarray, y: np.ndarray, s: float) -> float:
    """−[Σ log σ(yₙ(w·xₙ + b)) − ‖w‖²/(2s²)], w ~ N(0, s²I), flat prior on b (constants
    dropped). Stable: −log σ(a) = log(1 + e^{−a}) = logaddexp(0, −a)."""
    w, b = theta[:-1], theta[-1]
    return float(np.sum(np.logaddexp(0.0, -y * (X @ w + b))) + w @ w / (2 * s * s))


def byhand_objective(theta: np.ndarray, X: np.ndarray, y: np.ndarray, alpha: float) -> float:
    """(1/N) Σ log(1 + e^{−yz}) + α‖w‖² with byhand's nn.LogisticLoss."""
    from byhand import nn

    z = X @ theta[:-1] + theta[-1]
    return float(nn.LogisticLoss().forward(z, y)) + alpha * float(theta[:-1] @ theta[:-1])


@experiment(
    "logistic-map",
    title="Logistic regression as MAP with a Gaussian prior = L2-regularised logistic loss",
    lecture=LECTURE,
    number=108,
    covers=[(LECTURE, S32, "MAP")],
)
def logistic_map(seed: int, quick: bool) -> ExperimentResult:
    from scipy.optimize import minimize

    from byhand.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    n, s = 60, 0.5
    X = np.vstack(
        [
            rng.normal([-0.5, 0], 1.0, size=(n // 2, 2)),
            rng.normal([0.5, 0.5], 1.0, size=(n // 2, 2)),
        ]
    )
    y = np.r_[-np.ones(n // 2), np.ones(n // 2)]
    alpha = 1.0 / (2 * s * s * n)
    thetas = rng.normal(size=(20, 3)) * 2
    gaps = [neg_log_posterior(t, X, y, s) - n * byhand_objective(t, X, y, alpha) for t in thetas]
    spread = float(np.ptp(gaps))
    res = ExperimentResult()
    res.claim(
        LECTURE,
        S32,
        "with a Gaussian prior w ~ N(0, s²I), −log μ(w, b | D) = Σ log(1 + e^{−yₙ(w·xₙ+b)}) + "
        "‖w‖²/(2s²) + const: N × byhand's L2-regularised logistic objective with α = 1/(2s²N)",
        {"spread of the difference over 20 random (w, b)": spread},
        spread < 1e-9,
        kind="exact",
        target="< 1e-9 (a constant)",
        source="derived",
        derived_from="the slide's log μ(w, b | D) = Σ log σ(yₙ(w·xₙ + b)) + log μ(w, b) − log Z' "
        "with log μ(w) = −‖w‖²/(2s²) + const",
        category="reproduction",
        rule="spread of (−log posterior − N·objective) over 20 random (w, b) < 1e-9",
    )
    opt = minimize(
        neg_log_posterior, np.zeros(3), args=(X, y, s), method="BFGS", options={"gtol": 1e-10}
    )
    lr = LogisticRegression(alpha=alpha, tol=1e-12, max_iter=100).fit(X, y)
    theta_bh = np.r_[lr.coef_.ravel(), lr.intercept_]
    mle = LogisticRegression(alpha=0.0, tol=1e-12, max_iter=100).fit(X, y)
    diff = float(np.max(np.abs(theta_bh - opt.x)))
    res.claim(
        LECTURE,
        S32,
        "the MAP estimate: byhand's LogisticRegression(α = 1/(2s²N)) maximises the "
        "log-posterior; its (w, b) equals SciPy's BFGS maximiser",
        {"byhand": theta_bh.tolist(), "scipy": opt.x.tolist(), "max |difference|": diff},
        diff < 1e-5,
        kind="numeric",
        target="< 1e-5",
        detail=f"N = {n} points from two Gaussians, prior s = {s}; BFGS gtol 1e-10 (its "
        "own accuracy ~1e-6 limits the tolerance)",
        source="derived",
        derived_from="the maximiser of the log-posterior of §3.2 with a Gaussian prior",
        category="reproduction",
        rule="max |byhand − SciPy BFGS| < 1e-5",
    )
    res.claim(
        LECTURE,
        S32,
        "the prior shrinks w: the MAP ‖w‖ is smaller than the maximum-likelihood ‖w‖",
        {"MAP |w|": float(np.linalg.norm(lr.coef_)), "ML |w|": float(np.linalg.norm(mle.coef_))},
        bool(np.linalg.norm(lr.coef_) < np.linalg.norm(mle.coef_)),
        kind="qualitative",
        source="derived",
        derived_from="the extra term ‖w‖²/(2s²) in the negative log-posterior",
        category="reproduction",
        rule="‖w_MAP‖ < ‖w_ML‖",
    )
    from byhand import gradcheck, nn
    from byhand._gradcheck import GradcheckError

    z = (X @ theta_bh[:2] + theta_bh[2])[:, None] + rng.normal(size=(n, 1))
    lo = nn.LogisticLoss()
    lo.forward(z, y)
    g = lo.backward()[:, 0]
    g_lit = -y / (1.0 + np.exp(y * z[:, 0])) / n  # d/dz (1/N) log(1 + e^{−yz}) = −y σ(−yz)/N
    g_err = float(np.max(np.abs(g - g_lit)) / np.max(np.abs(g_lit)))
    try:
        g_fd = float(gradcheck(nn.LogisticLoss(), z, y))
    except GradcheckError:
        g_fd = float("inf")
    res.claim(
        LECTURE,
        S32,
        "the gradient of byhand's LogisticLoss is the derivative of the logistic loss "
        "log(1 + e^{−yz}): −y σ(−yz) (over N), and central differences agree",
        {"relative error against −yσ(−yz)/N": g_err, "gradcheck relative error": g_fd},
        bool(g_err <= 1e-12 and g_fd < 1e-6),
        kind="exact",
        detail=f"{n} scores z around the MAP fit's, the samples' labels",
        source="derived",
        derived_from="d/dz log(1 + e^{−yz}) = −y e^{−yz}/(1 + e^{−yz}) = −y σ(−yz)",
        category="reproduction",
        rule="relative error ≤ 1e-12 against the formula and < 1e-6 against central differences",
    )
    fig, ax = subplots()
    decision_regions(lr, X, y, ax=ax, title=rf"MAP logistic regression, $s = {s}$")
    xs = np.linspace(X[:, 0].min(), X[:, 0].max(), 10)
    for th, st, lab in (
        (opt.x, "k--", "SciPy MAP"),
        (np.r_[mle.coef_.ravel(), mle.intercept_], "g:", "maximum likelihood"),
    ):
        ax.plot(xs, -(th[2] + th[0] * xs) / th[1], st, lw=1.2, label=lab)
    label_classes(ax)
    ax.plot([], [], "k-", lw=1.2, label="byhand MAP")
    ax.set_xlabel(r"$x_1$")
    ax.set_ylabel(r"$x_2$")
    ax.legend(fontsize=8)
    res.figure(
        fig,
        "byhand's MAP boundary (solid) on SciPy's (dashed), beside the maximum-"
        "likelihood boundary (dotted).",
    )
    return res


# --------------------------------------------------------------------------- 109
