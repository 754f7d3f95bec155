"""Experiment 120: the perceptron's signed distance r = (⟨w, x⟩ + b)/‖w‖ and its sign.

Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), "Machine learning – Perceptron –
Principle": ⟨w, x⟩ + b = 0 defines a hyperplane with normal vector w; a new example is positive
if ⟨w, x⟩ + b is positive, negative if it is negative; the (signed) distance of x to the
hyperplane is r = (⟨w, x⟩ + b)/‖w‖. byhand's :class:`~byhand.linear_model.Perceptron` is
trained on separable 2-D data; r from its ``decision_function`` is checked against the geometric
distance to the foot of the perpendicular, found by projecting onto an orthonormal basis of the
hyperplane (:func:`scipy.linalg.null_space`), which never uses the formula.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import null_space

from byhand.experiments import ExperimentResult, experiment
from byhand.linear_model import Perceptron
from byhand.plotting import subplots

LECTURE = "galerne-1"
SLIDE = "Machine learning – Perceptron – Principle"


def geometric_signed_distance(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
    """±‖x − p(x)‖ with p(x) the orthogonal projection of x onto {z : ⟨w, z⟩ + b = 0}.

    A point z₀ of the hyperplane is the least-squares solution of ⟨w, z⟩ = −b; U (d, d − 1)
    is an orthonormal basis of the hyperplane's directions; p(x) = z₀ + UUᵀ(x − z₀). The sign
    is + on the side w points to (x − p(x) parallel to w), − on the other.
    """
    z0 = np.linalg.lstsq(w[None, :], np.array([-b]), rcond=None)[0]
    U = null_space(w[None, :])
    P = z0 + (X - z0) @ U @ U.T
    gap = X - P
    return np.linalg.norm(gap, axis=1) * np.sign(gap @ w)


@experiment(
    "perceptron-signed-distance",
    title="The perceptron's hyperplane and the signed distance r = (⟨w, x⟩ + b)/‖w‖",
    lecture=LECTURE,
    number=120,
    covers=[(LECTURE, SLIDE)],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    """Perceptron on separable 2-D data; r against the projection; sign(r) against the class."""
    rng = np.random.default_rng(seed)
    n = 200 if quick else 1000
    w_true, b_true = np.array([1.0, -2.0]), 0.7
    X = rng.normal(scale=2.0, size=(3 * n, 2))
    a = (X @ w_true + b_true) / np.linalg.norm(w_true)
    X = X[np.abs(a) > 0.3][:n]  # a margin, so the perceptron converges
    y = np.where(X @ w_true + b_true > 0, 1, -1)
    clf = Perceptron(max_iter=1000).fit(X, y)
    w, b = clf.coef_[0], float(clf.intercept_[0])
    X_new = rng.normal(scale=2.0, size=(n, 2))  # new examples (testing)
    r = clf.decision_function(X_new) / np.linalg.norm(w)
    r_geo = geometric_signed_distance(w, b, X_new)
    err = float(np.max(np.abs(r - r_geo)))
    scale = float(np.max(np.abs(r_geo)))
    res = ExperimentResult()
    res.claim(
        LECTURE,
        SLIDE,
        "the (signed) distance of x to the hyperplane ⟨w, x⟩ + b = 0 is r = (⟨w, x⟩ + b)/‖w‖",
        {"max |r − geometric distance|": err, "max |r|": scale},
        bool(err < 1e-10 * max(scale, 1.0)),
        kind="exact",
        detail=f"{n} new points in R²; w, b of byhand's Perceptron trained on {len(y)} separable "
        "points; geometric distance = ±‖x − p(x)‖, p(x) the foot of the perpendicular "
        "(projection onto an orthonormal basis of the hyperplane, scipy.linalg.null_space)",
        source="lecture",
        quote=r"$$r = \frac{\langle w, x \rangle + b}{\|w\|}$$",
        rule="|r − literal distance| < 1e-10 × max(scale, 1)",
    )
    pred = clf.predict(X_new)
    agree_new = float(np.mean(pred == np.where(r > 0, 1, -1)))
    r_train = clf.decision_function(X) / np.linalg.norm(w)
    res.claim(
        LECTURE,
        SLIDE,
        "x is classified positive if ⟨w, x⟩ + b is positive, negative if it is negative: the "
        "sign of r is the class (on new examples), and every training sample is on its side",
        {
            "new examples with predict = sign(r)": agree_new,
            "min over training samples of y·r": float(np.min(y * r_train)),
        },
        bool(agree_new == 1.0 and np.all(y * r_train > 0) and clf.converged_),
        kind="exact",
        detail="predict of byhand's Perceptron against sign(r); y·r > 0 for all training samples "
        "after convergence (EE-559's stopping rule: a pass without update)",
        source="lecture",
        quote="A new example  $x$  is classified **positive** if  $\\langle w, x \\rangle + b$  "
        "is **positive**,",
        rule="sign(r) = predicted class on every new example, y·r > 0 on every training sample, "
        "converged",
    )

    # figure: the training data, the line, w, and the perpendiculars of six new points
    fig, axes = subplots(1, 2, figsize=(10, 4.2))
    ax = axes[0]
    w2, b2 = w, b
    pts = X_new[:6]
    d2 = r_geo[:6]
    r2 = r[:6]
    ax.scatter(*X[y == 1].T, s=5, color="C3", alpha=0.3, label="training, y = +1")
    ax.scatter(*X[y == -1].T, s=5, color="C0", alpha=0.3, label="training, y = −1")
    t = np.linspace(-12, 12, 2)
    n2 = w2 / np.linalg.norm(w2)
    z0 = -b2 * n2 / np.linalg.norm(w2)
    line = z0 + np.outer(t, [-n2[1], n2[0]])
    ax.plot(line[:, 0], line[:, 1], "k-", lw=1.2, label=r"$\langle w, x\rangle + b = 0$")
    ax.annotate(
        "", xy=z0 + n2, xytext=z0, arrowprops={"arrowstyle": "->", "color": "C2", "lw": 1.5}
    )
    ax.text(*(z0 + 1.1 * n2), r"$w$", color="C2", fontsize=11)
    for p, ri in zip(pts, r2, strict=True):
        foot = p - ri * n2
        color = "C3" if ri > 0 else "C0"
        ax.plot([p[0], foot[0]], [p[1], foot[1]], ":", color=color, lw=1)
        ax.plot(*p, "o", color=color, ms=5)
        ax.text(p[0] + 0.1, p[1] + 0.1, f"r = {ri:+.2f}", fontsize=8, color=color)
    ax.set_xlim(-4, 4)
    ax.set_ylim(-4, 4)
    ax.set_aspect("equal")
    ax.set_xlabel(r"$x_1$")
    ax.set_ylabel(r"$x_2$")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(r"six new points: $r = (\langle w, x\rangle + b)/\|w\|$")
    ax = axes[1]
    ax.scatter(r_geo, r, s=6, c=np.where(pred == 1, "C3", "C0"))
    lim = float(np.max(np.abs(r_geo))) * 1.05
    ax.plot([-lim, lim], [-lim, lim], "k--", lw=0.8, label="r = geometric distance")
    ax.axhline(0, color="0.6", lw=0.6)
    ax.axvline(0, color="0.6", lw=0.6)
    ax.set_xlabel(r"geometric signed distance $\pm\|x - p(x)\|$")
    ax.set_ylabel(r"$r = (\langle w, x\rangle + b)/\|w\|$ (byhand)")
    ax.set_title(f"{len(r)} new points (red: predicted +1, blue: −1)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    res.figure(
        fig,
        "Left: the separating line of byhand's Perceptron, its normal w (drawn with unit length), "
        f"the perpendiculars of six points (largest |r − geometric| there "
        f"{float(np.max(np.abs(r2 - d2))):.1e}). Right: r against the geometric signed distance "
        "for the new points; the sign of r is the predicted class.",
    )
    return res
