"""LDA against scikit-learn and against Bayes' rule with the Gaussian densities themselves."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis as SkLDA
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from byhand.discriminant_analysis import LinearDiscriminantAnalysis
from byhand.preprocessing import RadialFeatures


def _gaussian_classes(rng, n, d, k):
    A = rng.normal(size=(d, d))
    means = 2.0 * rng.normal(size=(k, d))
    y = rng.integers(0, k, n)
    X = means[y] + rng.normal(size=(n, d)) @ A
    return X, y


@pytest.mark.parametrize("seed", range(3))
def test_binary_decision_function_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    X, y = _gaussian_classes(rng, 400, 5, 2)
    ours = LinearDiscriminantAnalysis().fit(X, y)
    sk = SkLDA().fit(X, y)
    Xq = rng.normal(size=(100, 5)) * 3
    np.testing.assert_allclose(ours.decision_function(Xq), sk.decision_function(Xq), atol=1e-9)
    np.testing.assert_allclose(ours.predict_proba(Xq), sk.predict_proba(Xq), atol=1e-12)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-8)
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, rtol=1e-8)
    assert np.array_equal(ours.predict(Xq), sk.predict(Xq))


@pytest.mark.parametrize("k", [3, 5])
def test_multiclass_matches_sklearn(k):
    rng = np.random.default_rng(k)
    X, y = _gaussian_classes(rng, 500, 4, k)
    labels = np.array(["a", "b", "c", "d", "e"])[:k]
    ours = LinearDiscriminantAnalysis().fit(X, labels[y])
    sk = SkLDA().fit(X, labels[y])
    Xq = rng.normal(size=(80, 4)) * 3
    np.testing.assert_allclose(ours.predict_proba(Xq), sk.predict_proba(Xq), atol=1e-12)
    np.testing.assert_allclose(np.exp(ours.predict_log_proba(Xq)), sk.predict_proba(Xq), atol=1e-12)
    # discriminants agree up to a term common to all classes
    d_ours, d_sk = ours.decision_function(Xq), sk.decision_function(Xq)
    np.testing.assert_allclose(d_ours - d_ours[:, :1], d_sk - d_sk[:, :1], atol=1e-9)
    assert np.array_equal(ours.predict(Xq), sk.predict(Xq))


def test_lecture_formula_and_bayes_rule():
    """003, EE-559 3.2: P(Y=1|x) = σ(w·x + b) with w = Σ⁻¹(m₁ − m₀),
    b = ½(m₀Σ⁻¹m₀ − m₁Σ⁻¹m₁) + log(P(Y=1)/P(Y=0)); and it equals Bayes' rule on the
    fitted Gaussian densities (scipy's multivariate_normal), second-order terms gone."""
    rng = np.random.default_rng(12)
    X, y = _gaussian_classes(rng, 300, 3, 2)
    lda = LinearDiscriminantAnalysis().fit(X, y)
    m0, m1 = X[y == 0].mean(0), X[y == 1].mean(0)
    centred = np.vstack([X[y == 0] - m0, X[y == 1] - m1])
    sigma = centred.T @ centred / len(X)
    p1 = np.mean(y == 1)
    w = np.linalg.solve(sigma, m1 - m0)
    b = 0.5 * (m0 @ np.linalg.solve(sigma, m0) - m1 @ np.linalg.solve(sigma, m1)) + np.log(
        p1 / (1 - p1)
    )
    np.testing.assert_allclose(lda.coef_[0], w, rtol=1e-9)
    np.testing.assert_allclose(lda.intercept_[0], b, rtol=1e-9)
    Xq = rng.normal(size=(50, 3)) * 2
    f1 = p1 * multivariate_normal(m1, sigma).pdf(Xq)
    f0 = (1 - p1) * multivariate_normal(m0, sigma).pdf(Xq)
    np.testing.assert_allclose(lda.predict_proba(Xq)[:, 1], f1 / (f0 + f1), rtol=1e-9)
    np.testing.assert_allclose(lda.predict_proba(Xq)[:, 1], 1 / (1 + np.exp(-(Xq @ w + b))))


def test_singular_covariance_and_extreme_scores():
    """A constant feature (as MNIST's border pixels) makes Σ singular: the solve uses the
    pseudo-inverse, and the probabilities stay finite far from the data."""
    rng = np.random.default_rng(1)
    X, y = _gaussian_classes(rng, 200, 3, 2)
    X = np.hstack([X, np.zeros((200, 1))])
    lda = LinearDiscriminantAnalysis().fit(X, y)
    assert np.all(np.isfinite(lda.coef_))
    far = np.array([[1e6, -1e6, 1e6, 0.0]])
    proba = lda.predict_proba(far)
    assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(1), 1)
    assert np.all(np.isfinite(lda.predict_log_proba(far)))
    assert lda.score(X, y) == SkLDA().fit(X, y).score(X, y)


def test_pipeline_grid_search_and_bad_input():
    rng = np.random.default_rng(3)
    X, y = _gaussian_classes(rng, 150, 2, 3)
    grid = GridSearchCV(
        make_pipeline(RadialFeatures(), LinearDiscriminantAnalysis()),
        {"lineardiscriminantanalysis__tol": [1e-12, 1e-6]},
        cv=3,
    ).fit(X, y)
    assert grid.best_score_ > 0.5
    with pytest.raises(NotFittedError):
        LinearDiscriminantAnalysis().predict(X)
    with pytest.raises(ValueError, match="NaN"):
        LinearDiscriminantAnalysis().fit(np.where(X > 1, np.nan, X), y)
    with pytest.raises(ValueError, match="X contains inf in feature"):
        LinearDiscriminantAnalysis().fit(np.where(X > 1, np.inf, X), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LinearDiscriminantAnalysis().fit(X, y[:-2])
    with pytest.raises(ValueError, match="at least 2 classes"):
        LinearDiscriminantAnalysis().fit(X, np.ones(150))
    with pytest.raises(ValueError, match="Unknown label type"):
        LinearDiscriminantAnalysis().fit(X, rng.normal(size=150))
    with pytest.raises(ValueError, match="tol"):
        LinearDiscriminantAnalysis(tol=-1.0).fit(X, y)
    lda = LinearDiscriminantAnalysis().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        lda.predict(np.ones((2, 3)))
