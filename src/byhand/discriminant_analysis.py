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

from byhand._validation import (
    check_param,
    encode_class_labels,
    validate_X_predict,
    validate_X_y_classifier,
)

__all__ = ["LinearDiscriminantAnalysis"]


class LinearDiscriminantAnalysis(ClassifierMixin, BaseEstimator):
    """LDA classifier: class means, shared covariance, linear discriminants.

    Lecture EE-559 3.2 (Fleuret, EPFL, 2019) (LDA and its logistic form).

    Fit: priors π_k = n_k / n, means m_k, and the pooled maximum-likelihood covariance
    Σ = Σ_k Σ_{i: y_i = k} (x_i − m_k)(x_i − m_k)ᵀ / n (the estimate of scikit-learn's
    solvers too). Σ⁻¹M is obtained by a least-squares solve of Σ A = Mᵀ
    (``numpy.linalg.lstsq``, singular values below ``tol``·σ_max dropped: the pseudo-inverse
    solution when Σ is singular, e.g. pixels constant over the training set); never an
    explicit inverse.

    The discriminants δ_k(x) = xᵀΣ⁻¹m_k − ½ m_kᵀΣ⁻¹m_k + log π_k give the posterior
    P(Y = k | x) = softmax_k(δ(x)). With two classes, δ₁ − δ₀ = w·x + b with the lecture's
    w and b, so ``decision_function`` has shape (n,) and ``predict_proba[:, 1]`` = σ(w·x + b).

    Parameters
    ----------
    tol : float >= 0, default 1e-10
        Relative cut-off on the singular values of Σ in the solve.

    Attributes
    ----------
    classes_, priors_ (K,), means_ (K, d), covariance_ (d, d);
    coef_ (1, d) and intercept_ (1,) for two classes (w, b), else (K, d) and (K,) (the δ_k).
    """

    def __init__(self, tol: float = 1e-10) -> None:
        self.tol = tol

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearDiscriminantAnalysis:
        """Estimate priors, means and the shared covariance; return self.

        With ``sample_weight`` s every estimate is the weighted one (a weight k counts a
        sample k times): π_k = Σ_{y_i=k} s_i / Σ s, m_k the s-weighted class means and
        Σ = Σ_i s_i (x_i − m_{y_i})(x_i − m_{y_i})ᵀ / Σ s.
        """
        from byhand.linear_model._weights import check_sample_weight, check_weighted_classes

        check_param(self, "tol", numbers.Real, low=0.0)
        X, y = validate_X_y_classifier(self, X, y)
        sw = check_sample_weight("LinearDiscriminantAnalysis", sample_weight, X)
        check_weighted_classes("LinearDiscriminantAnalysis", y, sw)
        y_idx = encode_class_labels(self, y)
        n, d = X.shape
        k = self.classes_.size
        counts = np.bincount(y_idx, weights=sw, minlength=k).astype(np.float64)
        if sw is not None and np.any(counts == 0):
            raise ValueError(
                "LinearDiscriminantAnalysis: every class needs a positive total sample_weight, "
                f"got 0 for class(es) {self.classes_[counts == 0].tolist()}"
            )
        means = np.zeros((k, d))
        np.add.at(means, y_idx, X if sw is None else X * sw[:, None])
        means /= counts[:, None]
        centred = X - means[y_idx]
        if sw is None:
            cov = centred.T @ centred / n
        else:
            n = float(np.sum(sw))
            cov = (centred * sw[:, None]).T @ centred / n
        # A = Σ⁻¹ Mᵀ by least squares (pseudo-inverse on a singular Σ).
        A = np.linalg.lstsq(cov, means.T, rcond=self.tol)[0]  # (d, K)
        log_priors = np.log(counts / n)
        coef = A.T  # row k: Σ⁻¹ m_k
        intercept = -0.5 * np.einsum("kd,kd->k", means, coef) + log_priors
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
        scores = X @ self.coef_.T + self.intercept_
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
