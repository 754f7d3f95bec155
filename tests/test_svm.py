"""LinearSVM (003 §3.1): subgradient descent on λ‖w‖² + mean hinge vs sklearn's LinearSVC."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from byhand.linear_model._svm import LinearSVM, optimal_schedule


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(400, 10, flip_y=0.05, random_state=0)
    return X, y


def _objective(w, b, X, y, alpha):
    """α‖w‖² + (1/N) Σ max(0, 1 − yₙ(w·xₙ + b)), y = ±1: the lecture's L(w, b)."""
    ypm = np.where(y == 1, 1.0, -1.0)
    return alpha * w @ w + np.mean(np.maximum(0.0, 1.0 - ypm * (X @ w + b)))


@pytest.fixture(scope="module")
def optimum(data):
    X, y = data
    C = 1.0
    alpha = 1.0 / (2 * C * len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = LinearSVC(loss="hinge", fit_intercept=False, C=C, tol=1e-10, max_iter=200_000)
        sk.fit(X, y)
    return alpha, _objective(sk.coef_[0], 0.0, X, y, alpha)


def test_default_sgd_with_averaging_within_one_percent(data, optimum):
    X, y = data
    alpha, f_opt = optimum
    m = LinearSVM(alpha, fit_intercept=False, tol=None, random_state=0).fit(X, y)
    gap = (m.objective(X, y) - f_opt) / f_opt
    assert -1e-6 < gap < 0.01, gap


def test_full_batch_subgradient_gets_closer(data, optimum):
    X, y = data
    alpha, f_opt = optimum
    m = LinearSVM(alpha, solver="gd", fit_intercept=False, max_iter=3000, tol=None).fit(X, y)
    assert np.isclose(m.objective(X, y), _objective(m.coef_[0], 0.0, X, y, alpha))
    gap = (m.objective(X, y) - f_opt) / f_opt
    assert -1e-6 < gap < 1e-3, gap


def test_averaging_helps_sgd(data, optimum):
    X, y = data
    alpha, f_opt = optimum
    gaps = {}
    for average in (False, True):
        m = LinearSVM(alpha, fit_intercept=False, tol=None, average=average, random_state=0)
        gaps[average] = (m.fit(X, y).objective(X, y) - f_opt) / f_opt
    assert gaps[True] < gaps[False]


def test_optimal_schedule_is_pegasos_rate():
    s = optimal_schedule(0.01)
    lam = 0.02
    k0 = 1 / (lam * s(0))
    assert np.isclose(s(0), lam**-0.25)
    for k in (1, 10, 1000):
        assert np.isclose(s(k), 1 / (lam * (k0 + k)))


def test_support_vectors_are_the_margin_le_one_samples(data):
    X, y = data
    m = LinearSVM(0.01, random_state=0).fit(X, y)
    ypm = np.where(y == m.classes_[1], 1.0, -1.0)
    margins = ypm * m.decision_function(X)
    assert np.array_equal(m.support_, np.flatnonzero(margins <= 1.0))
    assert 0 < m.support_.size < len(y)
    assert m.score(X, y) > 0.85


def test_string_labels_and_shapes(data):
    X, y = data
    labels = np.array(["neg", "pos"])[y]
    m = LinearSVM(0.01, random_state=0).fit(X, labels)
    assert list(m.classes_) == ["neg", "pos"]
    assert m.coef_.shape == (1, 10) and m.intercept_.shape == (1,)
    z = m.decision_function(X)
    assert z.shape == (len(y),)
    assert np.array_equal(m.predict(X), np.where(z >= 0, "pos", "neg"))


def test_determinism_and_resume(data):
    X, y = data

    def make(n):
        return LinearSVM(0.01, max_iter=n, tol=None, random_state=5)

    a, b = make(6).fit(X, y), make(6).fit(X, y)
    assert np.array_equal(a.coef_, b.coef_)
    snaps = []
    make(3).fit(X, y, callbacks=[lambda s: snaps.append(s.snapshot())])
    resumed = make(6).fit(X, y, resume_state=snaps[-1])
    assert np.array_equal(a.coef_, resumed.coef_)
    assert np.array_equal(a.intercept_, resumed.intercept_)


def test_pipeline_and_grid_search(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), LinearSVM(random_state=0))
    grid = GridSearchCV(pipe, {"linearsvm__alpha": [1e-3, 1e-1]}, cv=3).fit(X, y)
    assert grid.best_params_["linearsvm__alpha"] in (1e-3, 1e-1)
    assert grid.score(X, y) > 0.85


def test_bad_input(data):
    X, y = data
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LinearSVM().fit(Xn, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LinearSVM().fit(X, y[:-3])
    with pytest.raises(ValueError, match="one class"):
        LinearSVM().fit(X, np.ones(len(y)))
    with pytest.raises(ValueError, match="expected 2 classes"):
        LinearSVM().fit(X, np.arange(len(y)) % 3)
    with pytest.raises(ValueError, match="Unknown label type"):
        LinearSVM().fit(X, X[:, 0])
    with pytest.raises(NotFittedError):
        LinearSVM().decision_function(X)
    m = LinearSVM(random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        m.predict(X[:, :5])
    with pytest.raises(ValueError, match="alpha > 0"):
        LinearSVM(alpha=0.0).fit(X, y)
    with pytest.raises(ValueError, match="learning_rate"):
        LinearSVM(learning_rate="adaptive").fit(X, y)
