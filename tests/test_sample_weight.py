"""``sample_weight`` (issue 14, item 8): the objective's data term is the weighted mean
Σ sₙℓₙ / Σ s. Oracles: the same data with rows repeated (a weight of 2 is a duplicated row,
a weight of 0 a removed one), scikit-learn's weighted estimators, and the literal SGD loop."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.linear_model import Ridge

from byhand.discriminant_analysis import LinearDiscriminantAnalysis
from byhand.linear_model import (
    LinearRegression,
    LinearSVM,
    LogisticRegression,
    SoftmaxRegression,
)
from byhand.neural_network import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

rng = np.random.default_rng(0)
X = rng.standard_normal((40, 3))
Y_BIN = (X[:, 0] + 0.8 * rng.standard_normal(40) > 0).astype(int)
Y_MULTI = (X[:, 0] > 0).astype(int) + (X[:, 1] + 0.5 * rng.standard_normal(40) > 0.3)
Y_REAL = X @ np.array([1.0, -2.0, 0.5]) + 0.3 * rng.standard_normal(40)
SW = rng.integers(0, 4, 40).astype(float)  # 0 removes a row, k repeats it k times
SW[:3] = [1.0, 2.0, 3.0]


def _repeated(y):
    reps = SW.astype(int)
    return X.repeat(reps, axis=0), y.repeat(reps, axis=0)


def _coef(est):
    if hasattr(est, "coefs_"):
        return np.concatenate([a.ravel() for a in [*est.coefs_, *est.intercepts_]])
    return np.concatenate([np.ravel(est.coef_), np.ravel(est.intercept_)])


# Deterministic solvers: the weighted fit and the fit on repeated rows minimise the same
# function by the same steps, so they agree to rounding.
DETERMINISTIC = {
    "lstsq": (LinearRegression(), Y_REAL),
    "ridge-lstsq": (LinearRegression(alpha=0.1), Y_REAL),
    "lstsq-2-targets": (LinearRegression(), np.column_stack([Y_REAL, Y_REAL**2])),
    "gd": (LinearRegression(solver="gd", learning_rate=0.1, max_iter=60, tol=None), Y_REAL),
    "newton": (LogisticRegression(alpha=0.01), Y_BIN),
    "logistic-gd": (LogisticRegression(solver="gd", max_iter=50, tol=None), Y_BIN),
    "lbfgs": (SoftmaxRegression(solver="lbfgs", alpha=0.01, tol=1e-13), Y_MULTI),
    "softmax-gd": (SoftmaxRegression(solver="gd", max_iter=50, tol=None), Y_MULTI),
    "svm-gd": (
        LinearSVM(solver="gd", learning_rate=0.05, average=False, max_iter=50, tol=None),
        Y_BIN,
    ),
    "lda": (LinearDiscriminantAnalysis(), Y_MULTI),
    "mlp-classifier-full-batch": (
        MLPClassifier((4,), batch_size=None, dtype="float64", max_iter=30, tol=None),
        Y_MULTI,
    ),
    "mlp-regressor-full-batch": (
        MLPRegressor((4,), batch_size=None, dtype="float64", max_iter=30, tol=None),
        Y_REAL,
    ),
}


@pytest.mark.parametrize("case", list(DETERMINISTIC))
def test_integer_weights_equal_repeated_rows(case):
    est, y = DETERMINISTIC[case]
    if "random_state" in est.get_params():
        est = clone(est).set_params(random_state=0)
    weighted = clone(est).fit(X, y, sample_weight=SW)
    repeated = clone(est).fit(*_repeated(y))
    np.testing.assert_allclose(_coef(weighted), _coef(repeated), rtol=1e-10, atol=1e-10)


def test_weights_of_two_equal_duplicated_rows():
    """The issue's own statement, on the closed-form solver and on Newton's method."""
    sw = np.ones(40)
    sw[::4] = 2.0
    Xd = np.vstack([X, X[::4]])
    for est, y in ((LinearRegression(alpha=0.05), Y_REAL), (LogisticRegression(), Y_BIN)):
        yd = np.concatenate([y, y[::4]])
        a = clone(est).fit(X, y, sample_weight=sw)
        b = clone(est).fit(Xd, yd)
        np.testing.assert_allclose(_coef(a), _coef(b), rtol=1e-10, atol=1e-12)


def test_the_normalisation_against_scikit_learn():
    """Σ sₙℓₙ / Σ s + α‖w‖²: scikit-learn's Ridge(α_sk) minimises Σ sₙrₙ² + α_sk‖w‖², the
    same minimiser for α_sk = α Σ s; its LogisticRegression(C) minimises
    C Σ sₙℓₙ + ½‖w‖², the same for C = 1/(2α Σ s)."""
    alpha = 0.05
    ours = LinearRegression(alpha=alpha).fit(X, Y_REAL, sample_weight=SW)
    sk = Ridge(alpha=alpha * SW.sum()).fit(X, Y_REAL, sample_weight=SW)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-10)
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, rtol=1e-10)
    ours = LogisticRegression(alpha=alpha, tol=1e-10).fit(X, Y_BIN, sample_weight=SW)
    sk = SkLogistic(C=1 / (2 * alpha * SW.sum()), tol=1e-12, max_iter=1000)
    sk.fit(X, Y_BIN, sample_weight=SW)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-6)
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, rtol=1e-6)


SGD = {
    "linear-regression": (LinearRegression(solver="sgd", learning_rate=0.02), Y_REAL),
    "logistic-regression": (LogisticRegression(solver="sgd", average=True), Y_BIN),
    "softmax-regression": (SoftmaxRegression(batch_size=8), Y_MULTI),
    "linear-svm": (LinearSVM(batch_size=8), Y_BIN),
    "mlp-classifier": (MLPClassifier((4,), batch_size=8, max_iter=20), Y_MULTI),
    "mlp-regressor": (MLPRegressor((4,), batch_size=8, max_iter=20), Y_REAL),
}


@pytest.mark.parametrize("case", list(SGD))
def test_sgd_weights_are_relative_unit_weights_change_nothing(case):
    """For minibatch SGD weighted rows and repeated rows give different paths (another
    number of steps per epoch); what holds exactly: weights enter through s/s̄, so unit
    weights, and any common multiple of the weights, give the unweighted fit's bits."""
    est, y = SGD[case]
    est = clone(est).set_params(random_state=3)
    plain = _coef(clone(est).fit(X, y))
    np.testing.assert_array_equal(_coef(clone(est).fit(X, y, sample_weight=np.ones(40))), plain)
    a = _coef(clone(est).fit(X, y, sample_weight=SW))
    b = _coef(clone(est).fit(X, y, sample_weight=4.0 * SW))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, plain)


def test_sgd_weighted_step_is_the_literal_loop():
    """One sample per step, in order: w ← w − η (sₙ/s̄)∇ℓₙ (and the epoch loss reported is
    the weighted mean Σ sₙℓₙ / Σ s along the way)."""
    lr = 0.1
    m = LogisticRegression(
        alpha=0.0, solver="sgd", learning_rate=lr, batch_size=1, shuffle=False, max_iter=2, tol=None
    ).fit(X, Y_BIN, sample_weight=SW)
    y = np.where(Y_BIN == 1, 1.0, -1.0)
    c = SW / SW.mean()
    w, b = np.zeros(3), 0.0
    losses = []
    for _ in range(2):
        total = 0.0
        for n in range(40):
            z = X[n] @ w + b
            total += c[n] * np.logaddexp(0.0, -y[n] * z)
            g = -y[n] / (1.0 + np.exp(y[n] * z)) * c[n]
            w, b = w - lr * g * X[n], b - lr * g
        losses.append(total / 40)
    np.testing.assert_allclose(m.coef_[0], w, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(m.intercept_[0], b, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(m.loss_curve_, losses, rtol=1e-12)


@pytest.mark.parametrize(
    "est,y",
    [
        (LinearRegression(), Y_REAL),
        (LogisticRegression(solver="sgd"), Y_BIN),
        (SoftmaxRegression(), Y_MULTI),
        (LinearDiscriminantAnalysis(), Y_MULTI),
        (MLPRegressor((3,)), Y_REAL),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, np.ndarray) else "",
)
def test_bad_weights_are_refused_with_the_estimator_named(est, y):
    name = type(est).__name__
    for bad, what in (
        (-np.ones(40), "negative"),
        (np.ones(39), "shape|samples"),
        (np.zeros(40), "positive|zero"),
        (np.where(np.arange(40) == 3, np.nan, 1.0), "NaN|finite"),
    ):
        with pytest.raises(ValueError, match=name) as info:
            clone(est).fit(X, y, sample_weight=bad)
        message = str(info.value).lower()
        assert any(w.lower() in message for w in what.split("|")), message


def test_classifiers_need_two_classes_of_positive_weight():
    sw = (Y_BIN == 1).astype(float)
    for est in (LogisticRegression(), LinearSVM(), MLPClassifier(), SoftmaxRegression()):
        with pytest.raises(ValueError, match="only one class"):
            clone(est).fit(X, Y_BIN, sample_weight=sw)


def test_partial_fit_takes_weights():
    a = LinearSVM(shuffle=False, random_state=0).partial_fit(
        X, Y_BIN, classes=[0, 1], sample_weight=SW
    )
    b = LinearSVM(shuffle=False, random_state=0, max_iter=1, tol=None)
    np.testing.assert_array_equal(a.coef_, b.fit(X, Y_BIN, sample_weight=SW).coef_)
