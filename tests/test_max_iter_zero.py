"""Issue 20, item 8: ``max_iter`` as scikit-learn's classes of the same name take it.

``LogisticRegression`` and ``LinearSVC`` accept ``max_iter=0`` (no iteration: the starting
point, a ConvergenceWarning, ``n_iter_`` 0); ``SGDRegressor`` and ``Perceptron`` refuse it.
``n_iter_`` counts the iterations taken: 0 for a warm start already at the optimum, as
scikit-learn's ``LogisticRegression(warm_start=True)`` reports.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.svm import LinearSVC

from byhand.linear_model import (
    LinearRegression,
    LinearSVM,
    LogisticRegression,
    MulticlassPerceptron,
    Perceptron,
    SoftmaxRegression,
)

rng = np.random.default_rng(0)
X = rng.standard_normal((60, 3))
Y2 = (X[:, 0] + 0.5 * rng.standard_normal(60) > 0).astype(int)
Y3 = Y2 + (X[:, 1] > 0)


def _fit_warned(est, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught), [
        str(w.message) for w in caught
    ]
    return est


@pytest.mark.parametrize(
    "est,y,sk",
    [
        (LogisticRegression(max_iter=0), Y2, SkLogistic(max_iter=0, solver="newton-cg")),
        (
            LogisticRegression(max_iter=0, solver="sgd"),
            Y2,
            SkLogistic(max_iter=0, solver="newton-cg"),
        ),
        (LogisticRegression(max_iter=0, solver="gd", tol=None), Y2, None),
        (SoftmaxRegression(max_iter=0), Y3, SkLogistic(max_iter=0, solver="newton-cg")),
        (SoftmaxRegression(max_iter=0, solver="lbfgs"), Y3, None),
        (SoftmaxRegression(max_iter=0, solver="gd", tol=None), Y3, None),
        (LinearSVM(max_iter=0), Y2, LinearSVC(max_iter=0)),
    ],
    ids=lambda v: "" if isinstance(v, np.ndarray) else repr(v),
)
def test_max_iter_zero_runs_no_iteration_and_warns(est, y, sk):
    _fit_warned(est, X, y)
    assert est.n_iter_ == 0
    k = 1 if np.unique(y).size == 2 else 3
    np.testing.assert_array_equal(est.coef_, np.zeros((k, 3)))
    np.testing.assert_array_equal(est.intercept_, np.zeros(k))
    if hasattr(est, "predict_proba"):
        np.testing.assert_allclose(
            est.predict_proba(X[:4]), np.full((4, k + (k == 1)), 1 / max(k, 2))
        )
    if sk is not None:  # scikit-learn's solvers that start at 0 and take no step
        _fit_warned(sk, X, y)
        assert np.all(np.asarray(sk.n_iter_) == 0)
        np.testing.assert_array_equal(est.coef_, sk.coef_)
        np.testing.assert_array_equal(est.predict(X), sk.predict(X))


@pytest.mark.parametrize(
    "est,y",
    [(LogisticRegression(max_iter=1), Y2), (LogisticRegression(solver="sgd", max_iter=3), Y2)],
    ids=lambda v: "" if isinstance(v, np.ndarray) else repr(v),
)
def test_max_iter_zero_with_warm_start_keeps_the_previous_fit(est, y):
    """From a fit short of the optimum, max_iter=0 changes nothing and warns."""
    est.set_params(warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    coef, intercept = est.coef_.copy(), est.intercept_.copy()
    _fit_warned(est.set_params(max_iter=0), X, y)
    np.testing.assert_array_equal(est.coef_, coef)
    np.testing.assert_array_equal(est.intercept_, intercept)
    assert est.n_iter_ == 0


@pytest.mark.parametrize(
    "est,y",
    [(LogisticRegression(), Y2), (SoftmaxRegression(solver="lbfgs"), Y3)],
    ids=lambda v: "" if isinstance(v, np.ndarray) else repr(v),
)
def test_a_warm_start_at_the_optimum_takes_no_iteration_as_in_scikit_learn(est, y):
    sk = SkLogistic(warm_start=True).fit(X, y)
    sk.fit(X, y)
    assert np.all(np.asarray(sk.n_iter_) == 0)  # the oracle
    est.set_params(warm_start=True, tol=1e-6).fit(X, y)
    assert est.n_iter_ >= 1
    est.fit(X, y)
    assert est.n_iter_ == 0


@pytest.mark.parametrize(
    "est",
    [
        Perceptron(max_iter=0),
        MulticlassPerceptron(max_iter=0),
        LinearRegression(solver="sgd", max_iter=0),
    ],
    ids=lambda v: "" if isinstance(v, np.ndarray) else repr(v),
)
def test_max_iter_zero_is_refused_where_scikit_learn_refuses_it(est):
    """scikit-learn's Perceptron and SGDRegressor take max_iter in [1, inf)."""
    with pytest.raises(ValueError, match="max_iter must be >= 1, got 0"):
        est.fit(X, Y2)
