"""scikit-learn's own test cases (sklearn/linear_model/tests, sklearn/neighbors/tests),
adapted to byhand's classical estimators (issue 20). Each test names the case it adapts."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from byhand.discriminant_analysis import LinearDiscriminantAnalysis
from byhand.linear_model import (
    LinearRegression,
    LinearSVM,
    LogisticRegression,
    MulticlassPerceptron,
    Perceptron,
    SoftmaxRegression,
)
from byhand.neighbors import KNeighborsClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
Y_BIN = (Y_IRIS == 2).astype(int)
ALPHA = 1 / (2 * len(X_IRIS))  # scikit-learn's C = 1


CLASSIFIERS = [
    (Perceptron(), Y_BIN),
    (MulticlassPerceptron(), Y_IRIS),
    (LogisticRegression(), Y_BIN),
    (LogisticRegression(solver="sgd", random_state=0), Y_BIN),
    (SoftmaxRegression(random_state=0), Y_IRIS),
    (SoftmaxRegression(dtype="float32", random_state=0), Y_IRIS),
    (SoftmaxRegression(solver="lbfgs", alpha=0.0), Y_IRIS),
    (LinearSVM(random_state=0), Y_BIN),
    (LinearRegression(), X_IRIS[:, 0]),
    (LinearRegression(solver="sgd", random_state=0), X_IRIS[:, 0]),
    (KNeighborsClassifier(weights="distance"), Y_IRIS),
    (LinearDiscriminantAnalysis(), Y_IRIS),
]
IDS = [repr(e) for e, _ in CLASSIFIERS]


@pytest.mark.parametrize("est,y", CLASSIFIERS, ids=IDS)
def test_no_floating_point_error_on_large_margins(est, y):
    """test_sgd.py::test_numerical_stability_large_gradient: fit and predict under
    np.errstate(all="raise"). Features ×30 give margins whose e^{-m} underflows: SGD's
    logistic and softmax losses and predict_proba raised FloatingPointError ("underflow
    encountered in exp") where the value is simply 0."""
    X = X_IRIS * 30
    with np.errstate(all="raise"):
        est = clone(est).fit(X, y)
        for name in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
            if hasattr(est, name):
                assert np.all(np.isfinite(getattr(est, name)(X)) | (name == "predict_log_proba"))
        if hasattr(est, "objective"):
            assert np.isfinite(est.objective(X, y))


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", [ALPHA, 0.0])
def test_newton_two_steps_at_once_are_two_warm_single_steps(fit_intercept, alpha):
    """test_logistic.py::test_warm_start_newton_solver."""
    one = LogisticRegression(alpha, max_iter=2, fit_intercept=fit_intercept).fit(X_IRIS, Y_BIN)
    two = LogisticRegression(alpha, max_iter=1, fit_intercept=fit_intercept, warm_start=True)
    two.fit(X_IRIS, Y_BIN).fit(X_IRIS, Y_BIN)
    np.testing.assert_allclose(two.coef_, one.coef_, rtol=1e-12)
    np.testing.assert_allclose(two.intercept_, one.intercept_, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("warm_start", [True, False])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(
    "est,y",
    [
        (LogisticRegression(ALPHA, tol=1e-4), Y_BIN),
        (SoftmaxRegression(ALPHA, solver="lbfgs", tol=1e-4), Y_IRIS),
    ],
    ids=["newton", "lbfgs"],
)
def test_one_more_iteration_moves_little_only_from_a_warm_start(est, y, fit_intercept, warm_start):
    """test_logistic.py::test_warm_start: after a converged fit, a 1-iteration refit stays
    close (sum |Δcoef| < 2) with warm_start and lands far (> 2) without."""
    est = clone(est).set_params(fit_intercept=fit_intercept, warm_start=warm_start)
    coef = est.fit(X_IRIS, y).coef_.copy()
    est.set_params(max_iter=1).fit(X_IRIS, y)
    moved = float(np.abs(coef - est.coef_).sum())
    assert moved < 2.0 if warm_start else moved > 2.0


@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: LogisticRegression(solver="sgd", random_state=0, **kw),
        lambda **kw: SoftmaxRegression(random_state=0, **kw),
    ],
    ids=["logistic-sgd", "softmax-sgd"],
)
def test_tol_parameter(make):
    """test_sgd.py::test_tol_parameter: tol=None runs max_iter epochs; tol=0 stops earlier
    (after more than 5); a larger tol stops earlier still."""
    X = StandardScaler().fit_transform(X_IRIS)
    y = Y_IRIS == 1
    assert make(tol=None, max_iter=42).fit(X, y).n_iter_ == 42
    n0 = make(tol=0.0, max_iter=2000).fit(X, y).n_iter_
    n1 = make(tol=0.1, max_iter=2000).fit(X, y).n_iter_
    assert 2000 > n0 > 5
    assert n0 > n1


@pytest.mark.parametrize("est,y", CLASSIFIERS, ids=IDS)
def test_multiple_fit_with_other_shapes(est, y):
    """test_sgd.py::test_multiple_fit: a second fit (no warm start) on fewer features and
    other targets starts afresh."""
    est = clone(est).fit(X_IRIS, y)
    y2 = np.where(y[::-1] == y.max(), "b", "a") if y.dtype.kind == "i" else X_IRIS[:, 1]
    est.fit(X_IRIS[:, :-1], y2)
    assert est.predict(X_IRIS[:, :-1]).shape == (150,)
    with pytest.raises(ValueError, match="3 features"):
        est.predict(X_IRIS)


@pytest.mark.parametrize(
    "est,y",
    [c for c in CLASSIFIERS if hasattr(c[0], "decision_function")],
    ids=[i for i, c in zip(IDS, CLASSIFIERS, strict=True) if hasattr(c[0], "decision_function")],
)
def test_write_parameters(est, y):
    """test_logistic.py::test_write_parameters: predictions read coef_/intercept_ as
    assigned."""
    est = clone(est).fit(X_IRIS, y)
    est.coef_[:] = 0
    est.intercept_[:] = 0
    np.testing.assert_array_equal(est.decision_function(X_IRIS), 0.0)


def test_neighbors_digits_uint8_equals_float():
    """test_neighbors.py::test_neighbors_digits: uint8 pixels (whose differences wrap
    around in uint8 arithmetic) give the score of the same pixels as floats."""
    X, y = load_digits(return_X_y=True)
    X = X.astype(np.uint8)
    clf = KNeighborsClassifier(n_neighbors=1)
    s8 = clf.fit(X[:1400], y[:1400]).score(X[1400:], y[1400:])
    s64 = clf.fit(X[:1400].astype(float), y[:1400]).score(X[1400:].astype(float), y[1400:])
    assert s8 == s64 > 0.9


def test_predict_dataframe_and_feature_names():
    """test_neighbors.py::test_predict_dataframe, and a NaN named by its column."""
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(np.array([[1, 2], [3, 4], [5, 6], [7, 8]]), columns=["a", "b"])
    y = np.array([1, 2, 3, 4])
    knn = KNeighborsClassifier(n_neighbors=2).fit(X, y)
    plain = KNeighborsClassifier(n_neighbors=2).fit(X.to_numpy(), y)
    np.testing.assert_array_equal(knn.predict(X), plain.predict(X.to_numpy()))
    bad = X.astype(float)
    bad.loc[2, "b"] = np.nan
    with pytest.raises(ValueError, match=r"NaN in feature 1 \('b'\) of sample 2"):
        knn.predict(bad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError, match=r"NaN in feature 1 \('b'\) of sample 2"):
            LogisticRegression().fit(bad, y > 2)
