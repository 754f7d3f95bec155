"""Linear discriminant analysis: Gaussian classes with one shared covariance.

Lecture: EE-559 3.2 (Fleuret, EPFL, 2019) (the LDA slides "The Linear Discriminant
Analysis (LDA) algorithm provides a nice bridge …"): with class densities N(m_y, Σ) and the
same Σ (homoscedasticity), P(Y = 1 | X = x) = σ(w·x + b) with

    w = Σ⁻¹(m₁ − m₀),   b = ½(m₀ᵀΣ⁻¹m₀ − m₁ᵀΣ⁻¹m₁) + log(P(Y=1)/P(Y=0)).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin

from byhand._inference import row_invariant_matmul
from byhand._validation import (
    check_param,
    encode_class_labels,
    validate_X_predict,
    validate_X_y_classifier,
)

__all__ = ["LinearDiscriminantAnalysis"]


def _pow2_scale(v: np.ndarray) -> np.ndarray:
    """Per entry, the power of two 2^-e with |v|·2^-e in [½, 1) (1 where v is 0): exact."""
    e = np.frexp(v)[1]
    return np.where(v > 0, np.ldexp(1.0, -e), 1.0)


def _lda_solution(
    X: np.ndarray,
    y_idx: np.ndarray,
    counts: np.ndarray,
    tol: float,
    sw: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Means (K, d), Σ⁻¹m_k as rows (K, d), the δ_k intercepts (K,), and Σ (d, d).

    Scale-equivariant: the solve runs on standardised features z_j = (x_j − μ_j)·c_j, with
    c_j = 1/(pooled within-class sd of x_j) (1 for a feature constant within classes), each
    column first brought to magnitudes <= 1 by a power of two so that nothing overflows
    even near the largest double. Σ_z = V diag(λ) Vᵀ (``numpy.linalg.eigh``; eigenvalues
    below ``tol``·λ_max dropped: the pseudo-inverse on a singular Σ_z), A_z = Σ_z⁺ m̃_kᵀ,
    and back in the units of x: Σ⁻¹m_k = c ⊙ A_z, with the intercept
    −μ·(Σ⁻¹m_k) − ½ m̃_k·A_z + log π_k, where m̃_k = (m_k − μ) ⊙ c. Multiplying a feature by
    any factor changes c_j by its inverse and leaves z — hence every prediction — as it
    was (to rounding), as scikit-learn's SVD solver does.

    With sample weights ``sw`` (``counts`` then the weight of each class) every mean, the
    standard deviations and Σ are the weighted ones and N becomes Σ s.
    """
    n, d = X.shape
    p = _pow2_scale(np.abs(X).max(axis=0))  # columns to magnitudes <= 1, exactly
    Xp = X * p
    mu = Xp.mean(axis=0) if sw is None else np.average(Xp, axis=0, weights=sw)
    means_p = np.zeros((counts.size, d))
    np.add.at(means_p, y_idx, Xp - mu if sw is None else (Xp - mu) * sw[:, None])
    means_p /= counts[:, None]
    centred = Xp - mu - means_p[y_idx]
    weighted = centred if sw is None else centred * sw[:, None]
    if sw is not None:
        n = float(np.sum(sw))
    sd = np.sqrt(np.einsum("ij,ij->j", weighted, centred) / n)
    c = np.where(sd > 0, 1.0 / np.where(sd > 0, sd, 1.0), 1.0)
    Z = centred * c
    cov_z = (Z.T @ Z if sw is None else (Z * sw[:, None]).T @ Z) / n
    lam, V = np.linalg.eigh(cov_z)
    keep = lam > tol * max(float(lam.max(initial=0.0)), np.finfo(float).tiny)
    m_z = means_p * c  # (K, d), the class means in z (relative to the overall mean)
    A_z = (V[:, keep] / lam[keep]) @ (V[:, keep].T @ m_z.T)  # (d, K)
    coef_p = (A_z * c[:, None]).T  # Σ_p⁻¹ m_k in the power-of-two units, (K, d)
    log_priors = np.log(counts / n)
    intercept = -(coef_p @ mu) - 0.5 * np.einsum("kd,dk->k", m_z, A_z) + log_priors
    with np.errstate(over="ignore"):  # Σ and the means beyond the largest double are inf
        means = (means_p + mu) / p
        cov = ((weighted.T @ centred) / n) / p[:, None] / p[None, :]
    return means, coef_p * p, intercept, cov


class LinearDiscriminantAnalysis(ClassifierMixin, BaseEstimator):
    """LDA classifier: class means, shared covariance, linear discriminants.

    Lecture EE-559 3.2 (Fleuret, EPFL, 2019) (LDA and its logistic form).

    Fit: priors π_k = n_k / n, means m_k, and the pooled maximum-likelihood covariance
    Σ = Σ_k Σ_{i: y_i = k} (x_i − m_k)(x_i − m_k)ᵀ / n (the estimate of scikit-learn's
    solvers too). Σ⁻¹M is solved on standardised features (each scaled by its pooled
    within-class standard deviation, see ``_lda_solution``) through the eigendecomposition
    of their covariance, eigenvalues below ``tol``·λ_max dropped (the pseudo-inverse when Σ
    is singular, e.g. pixels constant over the training set), and mapped back to the units
    of x: predictions do not change when a feature is rescaled (income in dollars beside a
    rate in fractions), and features near the largest double fit without overflow.

    The discriminants δ_k(x) = xᵀΣ⁻¹m_k − ½ m_kᵀΣ⁻¹m_k + log π_k give the posterior
    P(Y = k | x) = softmax_k(δ(x)). With two classes, δ₁ − δ₀ = w·x + b with the lecture's
    w and b, so ``decision_function`` has shape (n,) and ``predict_proba[:, 1]`` = σ(w·x + b).

    Parameters
    ----------
    tol : float >= 0, default 1e-10
        Relative cut-off on the eigenvalues of the standardised features' covariance.

    Attributes
    ----------
    classes_, priors_ (K,), means_ (K, d), covariance_ (d, d);
    coef_ (1, d) and intercept_ (1,) for two classes (w, b), else (K, d) and (K,) (the δ_k).

    Raises
    ------
    ValueError
        On invalid parameters (named, with the value received), X or y with NaN or inf, X
        not 2-D, or X and y of different lengths.
    sklearn.exceptions.NotFittedError
        When ``predict`` (or another method that needs the fit) is called before ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand import LinearDiscriminantAnalysis
    >>> from byhand.datasets import make_gaussian_classes
    >>> data = make_gaussian_classes(2000, random_state=0, return_params=True)
    >>> lda = LinearDiscriminantAnalysis().fit(data.X, data.y)
    >>> w_true = np.linalg.solve(data.cov, data.means[1] - data.means[0])  # Σ⁻¹(m₁ − m₀)
    >>> np.round(w_true, 2), np.round(lda.coef_[0], 1)  # the truth, its estimate from 2000 points
    (array([ 2.67, -1.33]), array([ 2.8, -1.4]))
    """

    def __init__(self, tol: float = 1e-10) -> None:
        self.tol = tol

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearDiscriminantAnalysis:
        """Estimate priors, means and the shared covariance; return self.

        With ``sample_weight`` s every estimate is the weighted one (a weight k counts a
        sample k times): π_k = Σ_{y_i=k} s_i / Σ s, m_k the s-weighted class means and
        Σ = Σ_i s_i (x_i − m_{y_i})(x_i − m_{y_i})ᵀ / Σ s.

        Raises ValueError when there are no more samples than classes (the shared
        covariance has no degree of freedom left; scikit-learn refuses the same).
        """
        from byhand.linear_model._weights import check_sample_weight, check_weighted_classes

        check_param(self, "tol", numbers.Real, low=0.0)
        X, y = validate_X_y_classifier(self, X, y)
        sw = check_sample_weight("LinearDiscriminantAnalysis", sample_weight, X)
        check_weighted_classes("LinearDiscriminantAnalysis", y, sw)
        y_idx = encode_class_labels(self, y)
        n, d = X.shape
        k = self.classes_.size
        if n <= k:
            raise ValueError(
                f"LinearDiscriminantAnalysis needs more samples than classes; got "
                f"n_samples={n} for {k} classes (the shared covariance would be 0)."
            )
        counts = np.bincount(y_idx, weights=sw, minlength=k).astype(np.float64)
        if sw is not None and np.any(counts == 0):
            raise ValueError(
                "LinearDiscriminantAnalysis: every class needs a positive total sample_weight, "
                f"got 0 for class(es) {self.classes_[counts == 0].tolist()}"
            )
        means, coef, intercept, cov = _lda_solution(X, y_idx, counts, float(self.tol), sw)
        if sw is not None:
            n = float(np.sum(sw))
        self.priors_ = counts / n
        self.means_ = means
        self.covariance_ = cov
        if k == 2:
            # w = Σ⁻¹(m₁ − m₀); b = ½(m₀ᵀΣ⁻¹m₀ − m₁ᵀΣ⁻¹m₁) + log(π₁/π₀)
            self.coef_ = (coef[1] - coef[0]).reshape(1, d)
            self.intercept_ = np.array([intercept[1] - intercept[0]])
        else:
            self.coef_ = np.ascontiguousarray(coef)
            self.intercept_ = intercept
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """w·x + b, shape (n,), for two classes; the discriminants δ_k(x), (n, K), otherwise."""
        X = validate_X_predict(self, X)
        scores = row_invariant_matmul(X, self.coef_.T) + self.intercept_
        return scores[:, 0] if self.classes_.size == 2 else scores

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log P(Y = k | x): log σ(±(w·x + b)) for two classes, log-softmax of δ otherwise."""
        z = self.decision_function(X)
        if z.ndim == 1:
            return np.column_stack([log_expit(-z), log_expit(z)])
        return log_softmax(z, axis=1)

    def predict_proba(self, X: Any) -> np.ndarray:
        """P(Y = k | x): [1 − σ(w·x + b), σ(w·x + b)] for two classes, softmax(δ) otherwise."""
        z = self.decision_function(X)
        if z.ndim == 1:
            p1 = expit(z)
            return np.column_stack([expit(-z), p1])
        return softmax(z, axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """The class of largest posterior (first on a tie)."""
        z = self.decision_function(X)
        if z.ndim == 1:
            return self.classes_[(z > 0).astype(np.intp)]
        return self.classes_[np.argmax(z, axis=1)]
