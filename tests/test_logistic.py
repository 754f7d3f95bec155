"""LogisticRegression (002, 003 §3.2/§3.5): the optimum of scikit-learn's objective."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from byhand.linear_model._gradient import linear_net
from byhand.linear_model._logistic import (
    LogisticRegression,
    logistic_hessian,
    logistic_objective,
)
from byhand.nn.losses import LogisticLoss


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(300, 6, n_informative=4, flip_y=0.05, random_state=0)
    return X, y


def _objective(w, b, X, y, alpha):
    """The objective written literally: mean log(1 + e^{−y f}) + α‖w‖², y = ±1."""
    ypm = np.where(y == 1, 1.0, -1.0)
    z = X @ w + b
    return np.mean([np.log1p(np.exp(-t)) for t in ypm * z]) + alpha * w @ w


@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_newton_reaches_sklearn_optimum(data, C, fit_intercept):
    X, y = data
    alpha = 1.0 / (2 * C * len(y))
    sk = SkLogistic(C=C, tol=1e-12, max_iter=10000, fit_intercept=fit_intercept).fit(X, y)
    m = LogisticRegression(alpha, fit_intercept=fit_intercept, tol=1e-10).fit(X, y)
    f_sk = _objective(sk.coef_[0], sk.intercept_[0] if fit_intercept else 0.0, X, y, alpha)
    f = _objective(m.coef_[0], m.intercept_[0], X, y, alpha)
    assert f <= f_sk * (1 + 1e-4)
    assert abs(f - f_sk) / f_sk < 1e-4
    np.testing.assert_allclose(m.coef_, sk.coef_, rtol=1e-3, atol=1e-4)
    assert m.n_iter_ < 30  # Newton: a handful of steps


def test_gd_reaches_sklearn_optimum(data):
    X, y = data
    alpha = 1.0 / (2 * 1.0 * len(y))
    sk = SkLogistic(C=1.0, tol=1e-12, max_iter=10000).fit(X, y)
    m = LogisticRegression(alpha, solver="gd", learning_rate=1.0, max_iter=3000, tol=None)
    m.fit(X, y)
    f_sk = _objective(sk.coef_[0], sk.intercept_[0], X, y, alpha)
    assert abs(m.objective(X, y) - f_sk) / f_sk < 1e-4
    assert np.isclose(m.objective(X, y), _objective(m.coef_[0], m.intercept_[0], X, y, alpha))


def test_sgd_with_averaging_gets_close(data):
    X, y = data
    alpha = 1.0 / (2 * len(y))
    f_opt = LogisticRegression(alpha, tol=1e-10).fit(X, y).objective(X, y)
    m = LogisticRegression(
        alpha,
        solver="sgd",
        learning_rate=0.05,
        max_iter=200,
        tol=None,
        average=True,
        random_state=0,
    ).fit(X, y)
    assert (m.objective(X, y) - f_opt) / f_opt < 0.03


def test_hand_gradient_and_hessian_vs_finite_differences(data, rng):
    X, y = data
    X = X[:40]
    ypm = np.where(y[:40] == 1, 1.0, -1.0)
    Xt = np.column_stack([X, np.ones(len(X))])
    theta = rng.standard_normal(X.shape[1] + 1)
    f, g = logistic_objective(theta, Xt, ypm, 0.3, True)
    H = logistic_hessian(theta, Xt, ypm, 0.3, True)
    eps = 1e-6
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = eps
        fp, gp = logistic_objective(theta + e, Xt, ypm, 0.3, True)
        fm, gm = logistic_objective(theta - e, Xt, ypm, 0.3, True)
        assert abs((fp - fm) / (2 * eps) - g[i]) < 1e-7
        np.testing.assert_allclose((gp - gm) / (2 * eps), H[:, i], atol=1e-7)
    # the same gradient by backprop through nn.Linear + nn.LogisticLoss (+ 2αw)
    net = linear_net(X.shape[1], 1, True)
    net[0].weight.data[:, 0] = theta[:-1]
    net[0].bias.data[0] = theta[-1]
    loss = LogisticLoss()
    assert np.isclose(loss(net(X), ypm) + 0.3 * theta[:-1] @ theta[:-1], f)
    net.zero_grad()
    net.backward(loss.backward())
    np.testing.assert_allclose(net[0].weight.grad[:, 0] + 0.6 * theta[:-1], g[:-1], atol=1e-12)
    np.testing.assert_allclose(net[0].bias.grad[0], g[-1], atol=1e-12)


def test_any_two_labels_and_probabilities(data):
    X, y = data
    labels = np.array(["spam", "ham"])[y]
    m = LogisticRegression(0.01).fit(X, labels)
    assert list(m.classes_) == ["ham", "spam"]
    z = m.decision_function(X)
    assert z.shape == (len(y),)
    p = m.predict_proba(X)
    np.testing.assert_allclose(p[:, 1], 1 / (1 + np.exp(-z)), rtol=1e-12)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(m.predict_log_proba(X)), p, rtol=1e-12)
    assert np.array_equal(m.predict(X), np.where(z >= 0, "spam", "ham"))
    sk = SkLogistic(C=1 / (2 * 0.01 * len(y))).fit(X, labels)
    assert np.mean(m.predict(X) == sk.predict(X)) > 0.98


def test_separable_without_penalty_stays_finite():
    # no finite optimum: Newton stops on the budget (warning) or once ∇J underflows tol
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    with pytest.warns(ConvergenceWarning):
        LogisticRegression(0.0, max_iter=3, tol=0.0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m = LogisticRegression(0.0, max_iter=50).fit(X, y)
    assert np.all(np.isfinite(m.coef_)) and m.score(X, y) == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = m.predict_proba(np.array([[-1e6], [1e6]]))
    assert np.all(np.isfinite(p))


def test_determinism_and_resume(data):
    X, y = data

    def make(n):
        return LogisticRegression(
            solver="sgd", batch_size=16, max_iter=n, tol=None, average=True, random_state=4
        )

    a, b = make(6).fit(X, y), make(6).fit(X, y)
    assert np.array_equal(a.coef_, b.coef_)
    snaps = []
    make(3).fit(X, y, callbacks=[lambda s: snaps.append(s.snapshot())])
    resumed = make(6).fit(X, y, resume_state=snaps[-1])
    assert np.array_equal(a.coef_, resumed.coef_)
    assert np.array_equal(a.intercept_, resumed.intercept_)


def test_pipeline_and_grid_search(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    grid = GridSearchCV(pipe, {"logisticregression__alpha": [1e-4, 1e-2, 10.0]}, cv=3)
    grid.fit(X, y)
    assert grid.best_params_["logisticregression__alpha"] != 10.0
    sk = make_pipeline(StandardScaler(), SkLogistic()).fit(X, y)
    assert grid.score(X, y) >= sk.score(X, y) - 0.02


def test_bad_input(data):
    X, y = data
    Xn = X.copy()
    Xn[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LogisticRegression().fit(Xn, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LogisticRegression().fit(X, y[:-1])
    with pytest.raises(ValueError, match="one class"):
        LogisticRegression().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="expected 2 classes"):
        LogisticRegression().fit(X, np.arange(len(y)) % 3)
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticRegression().fit(X, np.linspace(0, 1, len(y)))
    with pytest.raises(NotFittedError):
        LogisticRegression().predict_proba(X)
    m = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        m.predict(X[:, :2])
    with pytest.raises(ValueError, match="solver"):
        LogisticRegression(solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="direct solver"):
        LogisticRegression().fit(X, y, resume_state={"params": []})
