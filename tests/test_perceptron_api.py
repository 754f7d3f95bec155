"""Perceptron as a scikit-learn user relies on it (issue 14): partial_fit, warm_start,
sample_weight, the decision-0 rule, persistence, and check_estimator on the defaults.

Oracles: the literal loop (with step η·sᵢ·yᵢ on a mistake), ``fit`` itself, and
scikit-learn's Perceptron with the same rule and the same sample weights.
"""

from __future__ import annotations

import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron as SkPerceptron
from sklearn.utils.estimator_checks import parametrize_with_checks

from byhand.linear_model._perceptron import Perceptron


def _literal(X, y, *, w0=None, sw=None, eta0=1.0, epochs=1, fit_intercept=True, b0=0.0):
    """Epochs in dataset order: if y·(x̃ @ w) <= 0 then w += η·sᵢ·y·x̃ (weight-0 rows
    skipped). Without the intercept, the margin is x @ w + b0 (b0 fixed)."""
    X = np.asarray(X, dtype=np.float64)
    Xa = np.hstack([X, np.ones((len(X), 1))]) if fit_intercept else X
    w = np.zeros(Xa.shape[1]) if w0 is None else np.array(w0, dtype=np.float64)
    sw = np.ones(len(X)) if sw is None else np.asarray(sw, dtype=np.float64)
    for _ in range(epochs):
        for i in range(len(X)):
            if sw[i] == 0:
                continue
            margin = Xa[i] @ w if fit_intercept else Xa[i] @ w + b0
            if y[i] * margin <= 0:
                w = w + (eta0 * sw[i]) * y[i] * Xa[i]
    return w


def _weights(p):
    return np.r_[p.coef_[0], p.intercept_]


def _data(seed=0, n=300, d=6, noise=0.5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.where(X @ rng.normal(size=d) + noise * rng.normal(size=n) > 0, 1, -1)
    return X, y


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kw)


# --- partial_fit ----------------------------------------------------------------------------


def test_partial_fit_one_epoch_equals_fit_max_iter_1_and_the_literal_loop():
    X, y = _data(1)
    a = Perceptron().partial_fit(X, y, classes=[-1, 1])
    b = _quiet(Perceptron(max_iter=1).fit, X, y)
    assert np.array_equal(a.coef_, b.coef_) and np.array_equal(a.intercept_, b.intercept_)
    assert a.mistakes_.tolist() == b.mistakes_.tolist() and a.n_iter_ == b.n_iter_ == 1
    assert np.array_equal(_weights(a), _literal(X, y))


def test_partial_fit_epochs_and_minibatches_continue_the_literal_loop():
    X, y = _data(2)
    p = Perceptron()
    for epoch in range(3):
        for lo in range(0, len(X), 64):  # the epoch in batches of 64: still dataset order
            p.partial_fit(X[lo : lo + 64], y[lo : lo + 64], classes=[-1, 1] if epoch == 0 else None)
        assert np.array_equal(_weights(p), _literal(X, y, epochs=epoch + 1))
    ref = _quiet(Perceptron(max_iter=3).fit, X, y)
    if ref.n_iter_ == 3:  # fit stops early only on a clean pass
        assert np.array_equal(_weights(p), _weights(ref))


def test_partial_fit_needs_classes_first_and_checks_them():
    X, y = _data(3)
    with pytest.raises(ValueError, match="classes="):
        Perceptron().partial_fit(X, y)
    with pytest.raises(ValueError, match="2 labels"):
        Perceptron().partial_fit(X, y, classes=[-1, 0, 1])
    p = Perceptron().partial_fit(X, y, classes=[-1, 1])
    with pytest.raises(ValueError, match="not the classes_"):
        p.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="not in classes_"):
        p.partial_fit(X[:5], [1, 2, 1, 1, -1])
    with pytest.raises(ValueError, match="features"):
        p.partial_fit(X[:, :3], y)
    # one class in a batch is fine once the classes are known
    before = _weights(p)
    ones = y == 1
    p.partial_fit(X[ones], y[ones])
    assert np.array_equal(_weights(p), _literal(X[ones], y[ones], w0=before))


def test_partial_fit_after_pickle_joblib_clone_and_assigned_coef(tmp_path):
    X, y = _data(4)
    first, second = slice(0, 150), slice(150, 300)
    ref = Perceptron().partial_fit(X[first], y[first], classes=[-1, 1])
    expected = _weights(Perceptron().partial_fit(X, y, classes=[-1, 1]))
    # pickle and joblib: the continuation equals the uninterrupted run
    p1 = pickle.loads(pickle.dumps(ref))
    joblib.dump(ref, tmp_path / "p.joblib")
    p2 = joblib.load(tmp_path / "p.joblib")
    for p in (p1, p2):
        p.partial_fit(X[second], y[second])
        assert np.array_equal(_weights(p), expected)
    # clone: a fresh, unfitted copy that trains like a new one
    c = clone(ref)
    assert not hasattr(c, "coef_")
    c.partial_fit(X[first], y[first], classes=[-1, 1])
    assert np.array_equal(_weights(c), _weights(ref))
    # assigned coef_ / intercept_: training continues from them, and predict uses them
    p3 = Perceptron().partial_fit(X[:2], y[:2], classes=[-1, 1])
    w0 = np.random.default_rng(5).normal(size=X.shape[1] + 1)
    p3.coef_, p3.intercept_ = w0[:-1].reshape(1, -1), w0[-1:]
    np.testing.assert_allclose(p3.decision_function(X), X @ w0[:-1] + w0[-1], rtol=1e-12)
    p3.partial_fit(X, y)
    assert np.array_equal(_weights(p3), _literal(X, y, w0=w0))
    p3.coef_ = np.zeros((1, 2))
    with pytest.raises(ValueError, match="coef_ of shape"):
        p3.partial_fit(X, y)


def test_partial_fit_shuffle_is_seeded_and_survives_pickle():
    X, y = _data(6)
    a = Perceptron(shuffle=True, random_state=3).partial_fit(X, y, classes=[-1, 1])
    b = pickle.loads(pickle.dumps(a))
    a.partial_fit(X, y)
    b.partial_fit(X, y)
    assert np.array_equal(_weights(a), _weights(b))
    c = Perceptron(shuffle=True, random_state=3).partial_fit(X, y, classes=[-1, 1])
    c.partial_fit(X, y)
    assert np.array_equal(_weights(a), _weights(c))
    # the passes are permutations drawn from default_rng(3), one per call
    rng = np.random.default_rng(3)
    o1, o2 = rng.permutation(len(X)), rng.permutation(len(X))
    w = _literal(X[o1], y[o1])
    assert np.array_equal(_weights(a), _literal(X[o2], y[o2], w0=w))


def test_failed_partial_fit_changes_nothing():
    X, y = _data(7)
    p = Perceptron().partial_fit(X, y, classes=[-1, 1])
    before = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(p).items()}
    bad = X.copy()
    bad[200, 3] = np.inf
    with pytest.raises(ValueError, match="inf in feature 3 of sample 200"):
        p.partial_fit(bad, y)
    assert vars(p).keys() == before.keys()
    for k, v in before.items():
        assert np.array_equal(getattr(p, k), v) if isinstance(v, np.ndarray) else True, k


# --- warm_start -----------------------------------------------------------------------------


def test_warm_start_continues_from_the_previous_fit():
    X, y = _data(8)
    p = Perceptron(max_iter=2, warm_start=True)
    _quiet(p.fit, X, y)
    _quiet(p.fit, X, y)
    assert np.array_equal(_weights(p), _literal(X, y, epochs=4))
    cold = Perceptron(max_iter=2)
    _quiet(cold.fit, X, y)
    _quiet(cold.fit, X, y)
    assert np.array_equal(_weights(cold), _literal(X, y, epochs=2))
    with pytest.raises(ValueError, match="warm_start"):
        p.fit(X, np.where(y > 0, "a", "b"))
    with pytest.raises(TypeError, match="warm_start"):
        Perceptron(warm_start="yes").fit(X, y)


def test_warm_start_without_intercept_keeps_the_assigned_one():
    X, y = _data(9)
    p = Perceptron(fit_intercept=False, max_iter=1, warm_start=True)
    _quiet(p.fit, X, y)
    w0 = p.coef_[0].copy()
    p.intercept_ = np.array([0.25])
    _quiet(p.fit, X, y)
    assert p.intercept_.tolist() == [0.25]
    assert np.array_equal(p.coef_[0], _literal(X, y, w0=w0, fit_intercept=False, b0=0.25))


# --- sample_weight --------------------------------------------------------------------------


@pytest.mark.parametrize("shuffle", [False, True])
def test_sample_weight_step_and_zero_weight_is_the_row_removed(shuffle):
    X, y = _data(10)
    sw = np.random.default_rng(0).integers(0, 4, size=len(y)).astype(float)
    kw = {"max_iter": 5, "shuffle": shuffle, "random_state": 0}
    a = _quiet(Perceptron(**kw).fit, X, y, sample_weight=sw)
    keep = sw > 0
    b = _quiet(Perceptron(**kw).fit, X[keep], y[keep], sample_weight=sw[keep])
    assert np.array_equal(_weights(a), _weights(b))
    assert a.mistakes_.tolist() == b.mistakes_.tolist()
    if not shuffle:
        assert np.array_equal(_weights(a), _literal(X, y, sw=sw, epochs=a.n_iter_))


def test_constant_weights_are_a_scaled_step_and_ones_are_no_weights():
    X, y = _data(11)
    for c in (1.0, 0.3, 2.0):
        a = _quiet(Perceptron(max_iter=5).fit, X, y, sample_weight=np.full(len(y), c))
        b = _quiet(Perceptron(max_iter=5, eta0=c).fit, X, y)
        assert np.array_equal(_weights(a), _weights(b)), c


def test_sample_weight_matches_scikit_learn_perceptron():
    """scikit-learn's Perceptron applies w += η·sᵢ·yᵢ·xᵢ on a mistake too (exact arithmetic:
    integer data and weights, so the margins agree whatever the summation order)."""
    rng = np.random.default_rng(12)
    X = rng.integers(-3, 4, size=(200, 5)).astype(float)
    y = (X @ rng.normal(size=5) > 0.5).astype(int)
    sw = rng.integers(0, 4, size=200).astype(float)
    for epochs in (1, 3):
        ours = _quiet(Perceptron(max_iter=epochs).fit, X, y, sample_weight=sw)
        sk = _quiet(
            SkPerceptron(eta0=1.0, penalty=None, shuffle=False, max_iter=epochs, tol=None).fit,
            X,
            y,
            sample_weight=sw,
        )
        assert np.array_equal(ours.coef_, sk.coef_)
        assert np.array_equal(ours.intercept_, sk.intercept_)


def test_weight_two_is_not_the_row_twice():
    """What does not hold, said by a test: after the first copy's update the second copy
    is no longer a mistake, while a weight of 2 takes one double step."""
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([1, -1])
    twice = _quiet(Perceptron(max_iter=1, fit_intercept=False).fit, X[[0, 0, 1]], y[[0, 0, 1]])
    weighted = _quiet(
        Perceptron(max_iter=1, fit_intercept=False).fit, X, y, sample_weight=[2.0, 1.0]
    )
    assert twice.coef_.tolist() == [[1.0, -1.0]]
    assert weighted.coef_.tolist() == [[2.0, -1.0]]


def test_bad_sample_weight_is_refused():
    X, y = _data(13, n=20)
    for sw, match in [
        (np.ones(19), "sample_weight"),
        (-np.ones(20), "(?i)negative"),
        (np.full(20, np.nan), "NaN"),
        (np.zeros(20), "non-zero"),
    ]:
        with pytest.raises(ValueError, match=match):
            Perceptron().fit(X, y, sample_weight=sw)
    bad = X.copy()
    bad[4, 0] = np.nan  # a weight-0 row is not trained on, but NaN is still refused
    sw = np.ones(20)
    sw[4] = 0
    with pytest.raises(ValueError, match="NaN"):
        Perceptron().fit(bad, y, sample_weight=sw)


# --- decision value 0 -----------------------------------------------------------------------


def test_decision_zero_predicts_the_first_class_as_scikit_learn():
    X = np.array([[1.0, 0.0], [0.0, 0.0], [-1.0, 0.0]])
    p = Perceptron().partial_fit(X[:1], ["b"], classes=["a", "b"])
    p.coef_, p.intercept_ = np.array([[1.0, 0.0]]), np.array([0.0])
    assert p.decision_function(X).tolist() == [1.0, 0.0, -1.0]
    assert p.predict(X).tolist() == ["b", "a", "a"]
    sk = SkPerceptron().fit(X[[0, 2]], ["b", "a"])
    sk.coef_, sk.intercept_ = p.coef_, p.intercept_
    assert sk.predict(X).tolist() == p.predict(X).tolist()


# --- scikit-learn's checks on the defaults ------------------------------------------------

# scikit-learn lists the same check as an expected failure of its own Perceptron: the
# perceptron minimises no mean over samples, so integer weights are not repeated rows.
EXPECTED = {
    "check_sample_weight_equivalence_on_dense_data": (
        "sample_weight scales the step of an update (as scikit-learn's Perceptron); a "
        "weight of 2 is not the row twice, and the check also reorders the rows."
    ),
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # checks' data
@parametrize_with_checks([Perceptron(random_state=0)], expected_failed_checks=lambda e: EXPECTED)
def test_check_estimator_defaults(estimator, check):
    check(estimator)


def test_feature_names_set_by_a_dataframe_are_dropped_by_a_refit_on_an_array():
    """The ndarray fast path of the validation drops ``feature_names_in_`` on a refit, as
    scikit-learn's own check does (and as its Perceptron behaves), and keeps warning when an
    estimator fitted with names is given an array."""
    pd = pytest.importorskip("pandas")
    X, y = _data(21, n=40)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    for est in (_quiet(Perceptron(max_iter=2).fit, frame, y), SkPerceptron().fit(frame, y)):
        assert list(est.feature_names_in_) == list(frame.columns)
        with pytest.warns(UserWarning, match="does not have valid feature names"):
            est.predict(X)
        _quiet(est.fit, X, y)
        assert not hasattr(est, "feature_names_in_")
