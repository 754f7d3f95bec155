"""The API details scikit-learn users rely on (issue 14), each against scikit-learn itself
or a hand-built case: clonable schedules, NumPy scalars as parameters, ``kneighbors``,
``average=k``, the decision value 0, and early stopping's best weights."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier, SGDRegressor
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neighbors import KNeighborsClassifier as SkKNN

from byhand import optim
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
from byhand.neural_network import MLPClassifier, MLPRegressor
from byhand.preprocessing import PairProductFeatures, PolynomialFeatures

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(n: int = 40, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = (X[:, 0] + 0.3 * rng.standard_normal(n) > 0).astype(int)
    yr = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(n)
    return X, y, yr


# -- 2. clone works for schedules ------------------------------------------------------------
SCHEDULES = [optim.constant(0.01), optim.exponential(0.05, 0.9), optim.inverse_time(0.1, 1)]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=repr)
def test_clone_keeps_a_schedule_equal_and_fits_the_same(schedule):
    X, _, yr = _data()
    est = LinearRegression(solver="sgd", learning_rate=schedule, max_iter=5, random_state=0)
    copy = clone(est)
    assert copy.learning_rate == schedule and copy.learning_rate is not schedule
    assert copy.learning_rate.get_params() == schedule.get_params()
    np.testing.assert_array_equal(copy.fit(X, yr).coef_, est.fit(X, yr).coef_)


def test_grid_search_and_cross_val_score_over_schedules():
    X, y, _ = _data(60)
    est = LogisticRegression(solver="sgd", max_iter=5, random_state=0)
    grid = GridSearchCV(est, {"learning_rate": SCHEDULES}, cv=3).fit(X, y)
    assert grid.best_params_["learning_rate"] in SCHEDULES
    assert len(grid.cv_results_["mean_test_score"]) == 3
    scores = cross_val_score(LinearSVM(learning_rate=SCHEDULES[1], random_state=0), X, y, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    # an MLP too (momentum SGD with a schedule)
    mlp = MLPClassifier((4,), learning_rate=SCHEDULES[2], max_iter=3, random_state=0)
    assert cross_val_score(mlp, X, y, cv=2).shape == (2,)


def test_schedules_keep_their_arguments_and_refuse_bad_ones():
    s = optim.inverse_time(1, np.int64(2))
    assert s.get_params() == {"eta0": 1, "decay": 2} and type(s.eta0) is int
    assert s(1) == pytest.approx(1 / 3)
    assert optim.constant(np.float32(0.5))(3) == 0.5
    assert s.set_params(decay=0) is s and s(5) == 1.0
    with pytest.raises(ValueError, match="no parameter"):
        s.set_params(gamma=0.5)
    with pytest.raises(ValueError, match="decay"):
        optim.inverse_time(1.0, -1)
    with pytest.raises(TypeError, match="finite number"):
        optim.constant("fast")


# -- 3. NumPy scalars are numbers ------------------------------------------------------------
_EXTRA = {"batch_size": 16, "T": 7, "chunk_size": 7, "n_jobs": 1, "n_pairs": 2, "tol": 1e-3}
_CASES = [
    (LinearRegression, {}, "r"),
    (LinearRegression, {"solver": "sgd", "average": 3, "max_iter": 5}, "r"),
    (LogisticRegression, {}, "c"),
    (LogisticRegression, {"solver": "sgd", "max_iter": 5}, "c"),
    (SoftmaxRegression, {"max_iter": 5}, "c"),
    (SoftmaxRegression, {"solver": "lbfgs"}, "c"),
    (LinearSVM, {"max_iter": 5}, "c"),
    (LinearSVM, {"learning_rate": 0.1, "max_iter": 5}, "c"),
    (Perceptron, {}, "c"),
    (MulticlassPerceptron, {}, "c"),
    (LinearDiscriminantAnalysis, {}, "c"),
    (KNeighborsClassifier, {}, "c"),
    (MLPClassifier, {"hidden_layer_sizes": 4, "early_stopping": True, "max_iter": 5}, "c"),
    (MLPClassifier, {"hidden_layer_sizes": 4, "average": 3, "max_iter": 5}, "c"),
    (MLPRegressor, {"hidden_layer_sizes": 4, "max_iter": 5}, "r"),
    (PairProductFeatures, {}, "t"),
    (PolynomialFeatures, {}, "t"),
]


def _numeric_params(cls, base):
    params = cls(**base).get_params()
    for name, value in params.items():
        value = base.get(name, value)
        if isinstance(value, bool) or not isinstance(value, numbers.Number):
            value = _EXTRA.get(name)
        if value is not None:
            yield name, value


@pytest.mark.parametrize("cls,base,task", _CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_numpy_scalars_are_accepted_as_numbers(cls, base, task):
    """Every numeric parameter given as np.int64 / np.float32 fits exactly as the same
    value given as a Python int / float."""
    X, y, yr = _data()
    target = {"c": y, "r": yr, "t": None}[task]
    seed = {"random_state": 0} if "random_state" in cls().get_params() else {}
    names = []
    for name, value in _numeric_params(cls, base):
        names.append(name)
        if isinstance(value, numbers.Integral):
            np_value, py_value = np.int64(value), int(value)
        else:
            np_value = np.float32(value)
            py_value = float(np_value)
        a = cls(**{**base, **seed, name: np_value}).fit(X, target)
        b = cls(**{**base, **seed, name: py_value}).fit(X, target)
        out = a.transform(X) if task == "t" else a.predict(X)
        ref = b.transform(X) if task == "t" else b.predict(X)
        np.testing.assert_array_equal(out, ref, err_msg=f"{cls.__name__}({name}=...)")
    assert names  # every estimator here has numeric parameters


def test_numpy_scalar_learning_rate_reaches_the_optimizer():
    X, y, _ = _data()
    a = LogisticRegression(solver="sgd", learning_rate=np.float32(0.25), max_iter=np.int64(3))
    b = LogisticRegression(solver="sgd", learning_rate=0.25, max_iter=3)
    np.testing.assert_array_equal(
        a.set_params(random_state=1).fit(X, y).coef_, b.set_params(random_state=1).fit(X, y).coef_
    )
    assert a.n_iter_ == 3


# -- 4. kneighbors as scikit-learn's ------------------------------------------------------------
def test_kneighbors_returns_distances_and_indices_as_sklearn():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((200, 4))
    y = rng.integers(0, 3, 200)
    Q = rng.standard_normal((30, 4))
    ours = KNeighborsClassifier().fit(X, y)
    sk = SkKNN(algorithm="brute").fit(X, y)
    assert ours.n_neighbors == sk.n_neighbors == 5
    for query, k in ((Q, None), (Q, 9), (None, None), (None, 3)):
        dist, ind = ours.kneighbors(query, n_neighbors=k)
        sk_dist, sk_ind = sk.kneighbors(query, n_neighbors=k)
        np.testing.assert_array_equal(ind, sk_ind)
        np.testing.assert_allclose(dist, sk_dist, rtol=1e-12, atol=1e-12)
    only = ours.kneighbors(Q, return_distance=False)
    np.testing.assert_array_equal(only, sk.kneighbors(Q, return_distance=False))
    # the common unpacking of two queries no longer splits the rows silently
    dist, ind = ours.kneighbors(Q[:2])
    assert dist.shape == ind.shape == (2, 5)
    # X=None leaves each point out of its own neighbours
    _, own = ours.kneighbors()
    assert not np.any(own == np.arange(200)[:, None])


def test_kneighbors_x_none_with_duplicate_points_matches_sklearn():
    X = np.array([[0.0, 0], [0, 0], [1, 0], [3, 0], [0, 0]])
    y = np.array([0, 1, 0, 1, 1])
    ours, sk = KNeighborsClassifier(2).fit(X, y), SkKNN(2, algorithm="brute").fit(X, y)
    d, i = ours.kneighbors()
    sd, _ = sk.kneighbors()  # among tied duplicates scikit-learn's order is its own
    np.testing.assert_allclose(d, sd, rtol=0, atol=0)
    assert not np.any(i == np.arange(5)[:, None])


def test_kneighbors_refuses_bad_requests():
    X, y, _ = _data(10)
    knn = KNeighborsClassifier().fit(X, y)
    with pytest.raises(ValueError, match="n_neighbors"):
        knn.kneighbors(X, n_neighbors=0)
    with pytest.raises(ValueError, match="n_neighbors"):
        knn.kneighbors(None, n_neighbors=10)  # 10 others do not exist
    with pytest.raises(TypeError, match="return_distance"):
        knn.kneighbors(X, return_distance="yes")
    with pytest.raises(ValueError, match="weights"):
        KNeighborsClassifier(weights="gaussian").fit(X, y)


@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_weights_give_sklearn_probabilities_and_predictions(weights):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((150, 3))
    y = rng.integers(0, 3, 150)
    Q = np.vstack([rng.standard_normal((40, 3)), X[:5]])  # queries on training points too
    ours = KNeighborsClassifier(7, weights=weights).fit(X, y)
    sk = SkKNN(7, weights=weights, algorithm="brute").fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(Q), sk.predict_proba(Q), rtol=1e-12)
    np.testing.assert_array_equal(ours.predict(Q), sk.predict(Q))


# -- 5. average=k as scikit-learn's -------------------------------------------------------------
@pytest.mark.parametrize("k", [1, 7, 8, 50])
@pytest.mark.parametrize("alpha", [0.0, 0.01])
@pytest.mark.parametrize("loss", ["log_loss", "hinge", "squared_error"])
def test_average_k_equals_sklearn_sgd(k, alpha, loss):
    """Plain SGD (one sample per step, dataset order, constant step, zero start): the
    averaged coefficients of byhand's average=k are scikit-learn's average=k.

    Maps: sklearn's alpha·½‖w‖² penalty is byhand's (alpha/2)‖w‖² for the classifiers; the
    squared error ½r² of SGDRegressor is byhand's r² with half the step (and the same α)."""
    X, y, yr = _data(30)
    common = {"shuffle": False, "max_iter": 3, "tol": None, "average": k}
    penalty = "l2" if alpha else None
    if loss == "squared_error":
        sk = SGDRegressor(
            loss=loss, penalty=penalty, alpha=alpha, learning_rate="constant", eta0=0.02, **common
        ).fit(X, yr)
        ours = LinearRegression(
            solver="sgd", alpha=alpha, learning_rate=0.01, batch_size=1, **common
        ).fit(X, yr)
    else:
        sk = SGDClassifier(
            loss=loss, penalty=penalty, alpha=2 * alpha, learning_rate="constant", eta0=0.1,
            **common,
        ).fit(X, y)  # fmt: skip
        cls = LogisticRegression if loss == "log_loss" else LinearSVM
        ours = cls(alpha=alpha, solver="sgd", learning_rate=0.1, batch_size=1, **common).fit(X, y)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, rtol=0, atol=1e-12)


def test_average_k_is_not_average_k_plus_one():
    """The off-by-one of issue 14: average=7 and average=8 differ, and 7 is sklearn's 7."""
    X, y, _ = _data(30)
    kw = {"solver": "sgd", "learning_rate": 0.1, "batch_size": 1, "shuffle": False}
    kw |= {"max_iter": 2, "tol": None}
    c7 = LogisticRegression(average=7, **kw).fit(X, y).coef_
    c8 = LogisticRegression(average=8, **kw).fit(X, y).coef_
    assert not np.allclose(c7, c8, rtol=0, atol=1e-12)
    ones = LogisticRegression(average=1, **kw).fit(X, y).coef_
    np.testing.assert_array_equal(ones, LogisticRegression(average=True, **kw).fit(X, y).coef_)


# -- 6. the decision value 0 --------------------------------------------------------------------
def _binary_fitted():
    X, y, _ = _data()
    labels = np.where(y == 1, "yes", "no")
    return (
        X,
        labels,
        [
            LogisticRegression().fit(X, labels),
            LinearSVM(max_iter=5, random_state=0).fit(X, labels),
            LinearDiscriminantAnalysis().fit(X, labels),
            Perceptron().fit(X, labels),
            MulticlassPerceptron().fit(X, labels),
            SoftmaxRegression(max_iter=5, random_state=0).fit(X, labels),
        ],
    )


def test_a_decision_value_of_exactly_zero_predicts_classes_0():
    X, labels, models = _binary_fitted()
    Q = np.array([[0.0, 5.0, -3.0], [2.0, 0.0, 0.0], [-2.0, 0.0, 0.0]])
    ref = SGDClassifier().fit(X, labels)
    ref.coef_, ref.intercept_ = np.array([[1.0, 0.0, 0.0]]), np.array([0.0])
    expected = ref.predict(Q)
    assert expected.tolist() == ["no", "yes", "no"]  # scikit-learn: classes_[1] iff > 0
    for m in models:
        if isinstance(m, (MulticlassPerceptron, SoftmaxRegression)):
            m.coef_, m.intercept_ = np.array([[0.0, 0, 0], [1.0, 0, 0]]), np.zeros(2)
        else:
            m.coef_, m.intercept_ = np.array([[1.0, 0.0, 0.0]]), np.array([0.0])
        assert m.decision_function(Q)[0] == 0.0
        assert m.predict(Q).tolist() == expected.tolist(), type(m).__name__
        if hasattr(m, "predict_proba"):
            proba = m.predict_proba(Q)
            assert proba[0, 0] == proba[0, 1] == 0.5
            assert m.classes_[np.argmax(proba, axis=1)].tolist() == expected.tolist()


def test_mlp_classifier_output_zero_predicts_classes_0():
    X, y, _ = _data()
    m = MLPClassifier((3,), max_iter=2, random_state=0).fit(X, np.where(y == 1, "b", "a"))
    m.coefs_[-1][...] = 0.0
    m.intercepts_[-1][...] = 0.0
    proba = m.predict_proba(X)
    assert np.all(proba == 0.5)
    assert np.all(m.predict(X) == "a")
    assert np.array_equal(m.predict(X), m.classes_[np.argmax(proba, axis=1)])


# -- 9. early stopping restores the best weights ---------------------------------------------------
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_early_stopping_returns_the_best_epochs_weights(cls):
    """The returned weights score best_validation_score_ on the held-out split (the same
    split a second run reproduces), which is the maximum of validation_scores_."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, 4))
    y = (X[:, 0] * X[:, 1] > 0).astype(int) if cls is MLPClassifier else np.sin(X[:, 0])
    y = y + (0 if cls is MLPClassifier else 0.3 * rng.standard_normal(200))
    params = dict(
        hidden_layer_sizes=(16,), learning_rate=0.2, early_stopping=True, n_iter_no_change=4,
        max_iter=200, random_state=2,
    )  # fmt: skip
    m = cls(**params).fit(X, y)
    scores = m.validation_scores_
    assert len(scores) == m.n_iter_ and m.best_validation_score_ == max(scores)
    best_epoch = int(np.argmax(scores)) + 1
    assert best_epoch < m.n_iter_  # it did stop after the best epoch
    # rerun the same fit up to the best epoch only: its last weights are the ones returned
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        upto = cls(**{**params, "max_iter": best_epoch}).fit(X, y)
    for a, b in zip(m.coefs_, upto.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
    assert upto.best_validation_score_ == m.best_validation_score_


def test_early_stopping_and_average_are_refused_together():
    X, y, _ = _data()
    with pytest.raises(ValueError, match="early_stopping and average"):
        MLPClassifier((3,), early_stopping=True, average=True).fit(X, y)


class _Crash(Exception):
    pass


def test_early_stopped_run_resumes_bit_identically_with_its_best_weights(tmp_path):
    """A checkpointed run that stops early, killed after any epoch and resumed from the
    checkpoint, returns the same best weights and scores (they are in the checkpoint)."""
    from byhand.checkpoint import CheckpointWriter, load_checkpoint

    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, 4))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    params = dict(
        hidden_layer_sizes=(16,), learning_rate=0.2, early_stopping=True, n_iter_no_change=4,
        max_iter=200, random_state=2,
    )  # fmt: skip
    full = MLPClassifier(**params).fit(X, y)
    assert int(np.argmax(full.validation_scores_)) + 1 < full.n_iter_
    for k in range(1, full.n_iter_):

        def crash(state, k=k):
            if state.epoch == k:
                raise _Crash

        with pytest.raises(_Crash):
            MLPClassifier(**params).fit(X, y, callbacks=[CheckpointWriter(tmp_path), crash])
        resumed = MLPClassifier(**params).fit(X, y, resume_state=load_checkpoint(tmp_path)[0])
        assert resumed.n_iter_ == full.n_iter_
        assert resumed.validation_scores_ == full.validation_scores_
        assert resumed.best_validation_score_ == full.best_validation_score_
        for a, b in zip(full.coefs_ + full.intercepts_, resumed.coefs_ + resumed.intercepts_):
            np.testing.assert_array_equal(b, a, err_msg=f"resumed after epoch {k}")


@pytest.mark.parametrize("seed", [7, 27])
def test_divergence_is_one_clear_error_whatever_the_seed(seed):
    """With these seeds the first inf appears inside a matrix product: still the estimator's
    "diverged" ValueError, never NumPy's overflow RuntimeWarning (pyproject turns byhand's
    RuntimeWarnings into errors, so a leak fails here)."""
    from sklearn.datasets import load_digits

    X = load_digits().data[:1000] / 16
    m = MLPRegressor(learning_rate=10.0, max_iter=50, tol=None, random_state=seed)
    with pytest.raises(ValueError, match="diverged"):
        m.fit(X, 1e3 * X[:, 0])


@pytest.mark.parametrize(
    "est",
    [
        LinearRegression(solver="sgd", learning_rate=optim.exponential(np.float32(0.1), 0.9)),
        LogisticRegression(random_state=np.random.default_rng(3), max_iter=np.int64(4)),
        LinearSVM(learning_rate=optim.inverse_time(1, 0.5), random_state=np.int64(2)),
        SoftmaxRegression(average=np.int64(5), random_state=np.random.RandomState(0)),
        MLPClassifier([np.int64(3), 2], learning_rate=optim.constant(0.1)),
        MLPRegressor(np.int64(4), momentum=np.float32(0.5)),
        KNeighborsClassifier(np.int64(3), weights="distance"),
        PairProductFeatures(n_pairs=np.int64(2), random_state=np.random.default_rng(0)),
        MulticlassPerceptron(eta0=np.float32(0.5), T=np.int64(30)),
    ],
    ids=lambda e: type(e).__name__,
)
def test_clone_accepts_every_kind_of_value_byhand_accepts(est):
    copy = clone(est)
    for name, value in est.get_params(deep=False).items():
        other = copy.get_params(deep=False)[name]
        if isinstance(value, np.random.Generator | np.random.RandomState):
            continue  # a deep copy in the same state, as scikit-learn clones it
        assert other == value if not isinstance(value, list) else list(other) == value, name
