"""CS 577 Lecture 03 (Wang, IIT, 2024).

"Beyond linearity: feature map" (Lecture 03): D for the degree-2 map of d = 2 variables,
the slide's six terms a x₂² + b x₁² + c x₁x₂ + d x₁ + e x₂ + f·1.
"""

from __future__ import annotations

from math import comb

import numpy as np

from byhand.experiments import ExperimentResult, experiment
from byhand.plotting import subplots

L03, L04 = "cs577-03", "cs577-04"
SLIDE_MAP = "Beyond linearity: feature map"
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
        rule="6 output columns, the slide's six monomials, equal columns",
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
        category="reproduction",
        rule="byhand's count = C(d + k, k) and its columns = scikit-learn's, for every (d, k) "
        "tried",
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
