"""Online learning and warm starts (issue 14, item 7): ``partial_fit`` is ``fit`` one epoch
at a time, bit for bit, and keeps working after pickle, joblib, clone and after the
fitted coefficients are assigned by hand."""

from __future__ import annotations

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone

from byhand.linear_model import (
    LinearRegression,
    LinearSVM,
    LogisticRegression,
    MulticlassPerceptron,
    SoftmaxRegression,
)
from byhand.neural_network import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

rng = np.random.default_rng(0)
X = rng.standard_normal((90, 4))
Y_BIN = np.where(X[:, 0] - X[:, 1] + 0.3 * rng.standard_normal(90) > 0, "pos", "neg")
Y_MULTI = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.3)
Y_REAL = X @ np.array([1.0, -1.0, 0.5, 2.0]) + 0.1 * rng.standard_normal(90)
Y_2D = np.column_stack([Y_REAL, -Y_REAL])

# estimator, its targets, whether it is a classifier
CASES = {
    "linear-regression": (LinearRegression(solver="sgd", learning_rate=0.02), Y_REAL),
    "linear-regression-2d-averaged": (
        LinearRegression(solver="sgd", learning_rate=0.02, average=10),
        Y_2D,
    ),
    "linear-regression-gd": (LinearRegression(solver="gd", learning_rate=0.1), Y_REAL),
    "logistic-regression": (LogisticRegression(solver="sgd", average=True), Y_BIN),
    "softmax-regression": (SoftmaxRegression(learning_rate=0.2, batch_size=16), Y_MULTI),
    "softmax-regression-float32": (SoftmaxRegression(dtype="float32"), Y_MULTI),
    "linear-svm": (LinearSVM(batch_size=8), Y_BIN),  # "optimal" schedule, averaged
    "multiclass-perceptron": (MulticlassPerceptron(), Y_MULTI),
    "mlp-classifier": (MLPClassifier((5,), learning_rate=0.05, batch_size=16), Y_MULTI),
    "mlp-classifier-binary": (MLPClassifier((5,), learning_rate=0.05, batch_size=16), Y_BIN),
    "mlp-regressor": (MLPRegressor((5,), learning_rate=0.01, batch_size=16), Y_2D),
}


def _is_classifier(est) -> bool:
    return getattr(est, "_estimator_type", None) == "classifier" or hasattr(est, "classes_")


def _classes(y):
    return {"classes": np.unique(y)} if y.dtype.kind in "iUO" and y.ndim == 1 else {}


def _state(est):
    """What predict reads."""
    if hasattr(est, "coefs_"):
        return [*est.coefs_, *est.intercepts_]
    return [np.asarray(est.coef_), np.asarray(est.intercept_)]


def _same(a, b):
    for u, v in zip(_state(a), _state(b), strict=True):
        np.testing.assert_array_equal(u, v)


def _epochs(est, n):
    return (
        est.set_params(max_iter=n, tol=None)
        if "tol" in est.get_params()
        else est.set_params(max_iter=n)
    )


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("case", list(CASES))
def test_partial_fit_is_fit_one_epoch_at_a_time(case, shuffle):
    """1 call = fit(max_iter=1); 3 calls = fit(max_iter=3): the same bits (the step count
    of the schedule, momentum buffers, averages and shuffling generator carry over)."""
    proto, y = CASES[case]
    proto = clone(proto).set_params(shuffle=shuffle, random_state=4)
    online = clone(proto)
    for epochs in (1, 2, 3):
        online.partial_fit(X, y, **_classes(y))
        if epochs == 2:
            continue
        batch = _epochs(clone(proto), epochs).fit(X, y)
        _same(online, batch)
    assert online.n_iter_ == 3


@pytest.mark.parametrize("case", list(CASES))
def test_partial_fit_continues_after_pickle_joblib_and_clone(case, tmp_path):
    proto, y = CASES[case]
    est = clone(proto).set_params(shuffle=True, random_state=1)
    est.partial_fit(X[:60], y[:60], **_classes(y))
    restored = pickle.loads(pickle.dumps(est))
    joblib.dump(est, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib")
    before = loaded.predict(X)
    for other in (restored, loaded):
        other.partial_fit(X[60:], y[60:])
    est.partial_fit(X[60:], y[60:])
    _same(restored, est)
    _same(loaded, est)
    assert not np.array_equal(loaded.predict(X), before) or case == "multiclass-perceptron"
    # clone: a fresh, unfitted copy that starts over exactly as the original did
    fresh = clone(est)
    assert not hasattr(fresh, "coef_") and not hasattr(fresh, "coefs_")
    fresh.partial_fit(X[:60], y[:60], **_classes(y))
    again = clone(proto).set_params(shuffle=True, random_state=1)
    _same(fresh, again.partial_fit(X[:60], y[:60], **_classes(y)))


def test_joblib_loaded_mlp_regressor_learns_under_partial_fit(tmp_path):
    """The bug of issue 14: predict read coefs_ while partial_fit trained a private copy."""
    m = MLPRegressor((8,), learning_rate=0.01, random_state=0).partial_fit(X, Y_REAL)
    joblib.dump(m, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib")
    p0 = loaded.predict(X)
    loaded.partial_fit(X, Y_REAL)
    assert not np.array_equal(loaded.predict(X), p0)
    m.partial_fit(X, Y_REAL)
    np.testing.assert_array_equal(loaded.predict(X), m.predict(X))


@pytest.mark.parametrize(
    "case",
    ["linear-regression", "softmax-regression", "linear-svm", "multiclass-perceptron"],
)
def test_partial_fit_continues_from_assigned_coefficients(case):
    """Assigned coef_/intercept_ are what training continues from: with a constant step
    (no schedule state), no averaging and no shuffling, a model given another model's
    coefficients then trains exactly as that model does."""
    proto, y = CASES[case]
    proto = clone(proto).set_params(shuffle=False)
    if "learning_rate" in proto.get_params():
        proto.set_params(learning_rate=0.05, average=False)
    a = clone(proto).partial_fit(X, y, **_classes(y)).partial_fit(X, y)
    b = clone(proto).partial_fit(X[:30], y[:30], **_classes(y))
    b.coef_, b.intercept_ = np.array(a.coef_), np.array(a.intercept_)
    a.partial_fit(X, y)
    b.partial_fit(X, y)
    _same(a, b)


def test_mlp_partial_fit_continues_from_assigned_coefs():
    proto = MLPRegressor((4,), momentum=0.0, learning_rate=0.01, shuffle=False)
    a = clone(proto).partial_fit(X, Y_REAL).partial_fit(X, Y_REAL)
    b = clone(proto).set_params(random_state=9).partial_fit(X, Y_REAL)
    b.coefs_ = [W.copy() for W in a.coefs_]
    b.intercepts_ = [v.copy() for v in a.intercepts_]
    a.partial_fit(X, Y_REAL)
    b.partial_fit(X, Y_REAL)
    _same(a, b)


@pytest.mark.parametrize(
    "est,y",
    [
        (LinearRegression(solver="sgd", learning_rate=0.02), Y_REAL),
        (LogisticRegression(solver="sgd"), Y_BIN),
        (SoftmaxRegression(), Y_MULTI),
        (LinearSVM(learning_rate=0.05, average=False), Y_BIN),
        (MulticlassPerceptron(), Y_MULTI),
        (MLPClassifier((5,), momentum=0.0, learning_rate=0.05), Y_MULTI),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, np.ndarray) else "",
)
def test_warm_start_fit_continues_from_the_fitted_coefficients(est, y):
    """warm_start: two fits of one epoch (constant step, no shuffling, no momentum) are one
    fit of two epochs."""
    est = clone(est).set_params(shuffle=False, random_state=0)
    warm = _epochs(clone(est).set_params(warm_start=True), 1)
    warm.fit(X, y)
    warm.fit(X, y)
    _same(warm, _epochs(clone(est), 2).fit(X, y))
    cold = _epochs(clone(est), 1).fit(X, y)
    cold.fit(X, y)  # without warm_start the second fit starts over
    _same(cold, _epochs(clone(est), 1).fit(X, y))


@pytest.mark.parametrize(
    "est,y",
    [(LogisticRegression(alpha=0.01), Y_BIN), (SoftmaxRegression(solver="lbfgs"), Y_MULTI)],
    ids=["newton", "lbfgs"],
)
def test_warm_start_of_the_direct_solvers_starts_at_the_optimum(est, y):
    first = clone(est).set_params(warm_start=True).fit(X, y)
    coef = first.coef_.copy()
    n_cold = first.n_iter_
    first.fit(X, y)
    assert first.n_iter_ < n_cold
    np.testing.assert_allclose(first.coef_, coef, rtol=1e-6, atol=1e-8)


def test_partial_fit_refuses_what_it_cannot_continue():
    with pytest.raises(ValueError, match="classes="):
        LogisticRegression(solver="sgd").partial_fit(X, Y_BIN)
    with pytest.raises(ValueError, match="classes="):
        MLPClassifier().partial_fit(X, Y_BIN)
    m = SoftmaxRegression().partial_fit(X, Y_MULTI, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="not in classes_"):
        m.partial_fit(X, Y_MULTI + 5)
    with pytest.raises(ValueError, match="differs from the classes"):
        m.partial_fit(X, Y_MULTI, classes=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="exactly 2 labels"):
        LinearSVM().partial_fit(X, Y_MULTI, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="features"):
        m.partial_fit(X[:, :3], Y_MULTI)
    # the direct solvers have no epochs: no partial_fit (scikit-learn's available_if)
    assert not hasattr(LogisticRegression(), "partial_fit")
    assert not hasattr(LinearRegression(), "partial_fit")
    assert not hasattr(SoftmaxRegression(solver="lbfgs"), "partial_fit")
    assert hasattr(LinearRegression(solver="sgd"), "partial_fit")


def test_multiclass_perceptron_weights_scale_the_updates_as_a_literal_loop():
    """sample_weight: w_ŷ ← w_ŷ − η sₙ x̃, w_y ← w_y + η sₙ x̃ on a mistake (the tie rule of
    the lecture); weight 0 removes the sample."""
    sw = np.where(np.arange(90) % 3 == 0, 0.0, 1.0 + (np.arange(90) % 4))
    m = MulticlassPerceptron(max_iter=3).fit(X, Y_MULTI, sample_weight=sw)
    keep = sw > 0
    Xk, yk, sk = np.hstack([X, np.ones((90, 1))])[keep], Y_MULTI[keep], sw[keep]
    W = np.zeros((5, 3))
    for _ in range(3):
        for x, t, s in zip(Xk, yk, sk, strict=True):
            scores = x @ W
            tied = np.flatnonzero(scores == scores.max())
            wrong = tied[tied != t]
            if wrong.size:
                W[:, wrong[0]] -= s * x
                W[:, t] += s * x
    np.testing.assert_allclose(m.coef_, W[:4].T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(m.intercept_, W[4], rtol=1e-12, atol=1e-12)
    removed = MulticlassPerceptron(max_iter=3).fit(X[keep], Y_MULTI[keep], sample_weight=sk)
    np.testing.assert_array_equal(removed.coef_, m.coef_)
