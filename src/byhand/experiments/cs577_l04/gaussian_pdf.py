"""The Gaussian density of CS 577 Lecture 04 and the Gaussian noise byhand draws.

CS 577 Lecture 04 (Wang, IIT, 2024), "Gaussian/normal distribution": ε ~ N(μ, σ²) with density
N(ε; μ, σ²) = exp(−(ε − μ)²/(2σ²))/√(2πσ²) (the slide's plot). The density's shape (area 1,
peak 1/√(2πσ²) at μ, inflections at μ ± σ) is checked numerically (a derivation), and the samples
of byhand's :func:`~byhand.datasets.make_gaussian_classes` in 1-D are checked against it with a
Kolmogorov–Smirnov distance.
"""

from __future__ import annotations

import math

import numpy as np

from byhand.datasets import make_gaussian_classes
from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import PALETTE, subplots

LECTURE = "cs577-04"
SLIDE = "Gaussian/normal distribution"


def pdf(e: np.ndarray, mu: float, var: float) -> np.ndarray:
    """The slide's N(ε; μ, σ²)."""
    return np.exp(-0.5 * (e - mu) ** 2 / var) / np.sqrt(2 * np.pi * var)


def cdf(e: np.ndarray, mu: float, var: float) -> np.ndarray:
    """∫_{−∞}^{ε} N(t; μ, σ²) dt = (1 + erf((ε − μ)/√(2σ²)))/2."""
    return np.array([0.5 * (1 + math.erf((v - mu) / math.sqrt(2 * var))) for v in np.ravel(e)])


@experiment(
    "gaussian-pdf",
    title="The Gaussian density N(ε; μ, σ²) and byhand's Gaussian samples",
    lecture=LECTURE,
    number=209,
    covers=[(LECTURE, SLIDE)],
)
def run(seed: int, quick: bool) -> ExperimentResult:
    res = ExperimentResult()
    shape = {}
    ok = True
    for mu, sigma in ((0.0, 1.0), (2.0, 0.5), (-1.0, 2.0)):
        var = sigma**2
        t = np.linspace(mu - 12 * sigma, mu + 12 * sigma, 200001)
        f = pdf(t, mu, var)
        area = float(np.sum((f[1:] + f[:-1]) / 2 * np.diff(t)))
        f2 = np.gradient(np.gradient(f, t), t)
        sign_change = t[1:][np.diff(np.sign(f2)) != 0]
        peak_at = float(t[np.argmax(f)])
        shape[f"μ = {mu}, σ = {sigma}"] = {
            "area": area,
            "peak": float(f.max()),
            "inflections": [round(float(v), 3) for v in sign_change],
        }
        ok &= bool(
            abs(area - 1) < 1e-9
            and abs(f.max() - 1 / math.sqrt(2 * math.pi * var)) < 1e-9
            and abs(peak_at - mu) < 1e-3
            and len(sign_change) == 2
            and np.allclose(sign_change, [mu - sigma, mu + sigma], atol=1e-3 * sigma)
        )
    res.claim(
        LECTURE,
        SLIDE,
        "the density has area 1, its peak 1/√(2πσ²) at μ and its inflections at μ ± σ",
        shape,
        ok,
        kind="exact",
        detail="trapezoid rule on ±12σ, 200001 points; inflections where the numerical second "
        "derivative changes sign",
        rule=(
            "for every (μ, σ): |area − 1| < 1e-9, |peak − 1/√(2πσ²)| < 1e-9, peak within 1e-3 of "
            "μ, and exactly two inflections within 1e-3·σ of μ ± σ"
        ),
        source="derived",
        derived_from="the slide's formula N(ε; μ, σ²) = exp(−(ε − μ)²/(2σ²))/√(2πσ²)",
    )
    n = 2000 if quick else 20000
    mu0, mu1, sigma = -1.0, 2.0, 0.7
    X, y = make_gaussian_classes(
        n, noise=sigma, random_state=seed, means=np.array([[mu0], [mu1]]), cov=np.eye(1)
    )
    stats = {}
    for k, mu in ((0, mu0), (1, mu1)):
        s = np.sort(X[y == k, 0])
        F = cdf(s, mu, sigma**2)
        m = len(s)
        D = float(max(np.max(np.arange(1, m + 1) / m - F), np.max(F - np.arange(m) / m)))
        stats[f"class {k}"] = {"n": m, "KS distance": D, "1 % critical value": 1.63 / math.sqrt(m)}
    res.claim(
        LECTURE,
        SLIDE,
        "ε ~ N(μ, σ²): byhand's Gaussian samples follow the slide's density (Kolmogorov–Smirnov)",
        stats,
        bool(all(v["KS distance"] < v["1 % critical value"] for v in stats.values())),
        kind="numeric",
        detail=f"make_gaussian_classes in 1-D, means {mu0} and {mu1}, σ = {sigma}, {n} samples, "
        "seeded; the KS distance of each class against the slide's CDF, at the 1 % level",
        rule=(
            "for every (μ, σ), the Kolmogorov–Smirnov distance of the samples < the 1 % critical "
            "value"
        ),
        source="lecture",
        quote=r"$$\mathcal{N}(\epsilon; \mu, \sigma^2) = \frac{1}{\sqrt{2\pi\sigma^2}} "
        r"\exp\left(-\frac{1}{2} \frac{(\epsilon - \mu)^2}{\sigma^2}\right)$$",
    )
    fig, ax = subplots(figsize=(6.5, 3.8))
    t = np.linspace(-4, 5, 500)
    for k, mu in ((0, mu0), (1, mu1)):
        ax.hist(X[y == k, 0], bins=50, density=True, alpha=0.35, color=PALETTE[k])
        ax.plot(t, pdf(t, mu, sigma**2), color=PALETTE[k], label=f"N(ε; {mu}, {sigma}²)")
    ax.set_xlabel("ε")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    res.figure(fig, "The slide's Gaussian density over histograms of byhand's samples.")
    return res
