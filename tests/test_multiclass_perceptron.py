"""MulticlassPerceptron against the literal loop with lecture 002's tie rule, bit for bit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from byhand.linear_model._multiclass_perceptron import MulticlassPerceptron


def _literal_multiclass_perceptron(
    X, y, *, eta0=1.0, fit_intercept=True, max_iter=100, T=None, shuffle=False, random_state=None
):
    """Lecture 002's rule, one sample at a time, with plain Python over the classes:

    s = x̃ @ W; A = {k : s_k = max s}; if A \\ {y} is empty: pass; else ŷ = min(A \\ {y}),
    W[:, ŷ] = W[:, ŷ] − η x̃ and W[:, y] = W[:, y] + η x̃. Returns (W̃, updates per pass).
    """
    X = np.asarray(X, dtype=np.float64)
    Xa = np.hstack([X, np.ones((X.shape[0], 1))]) if fit_intercept else X.copy()
    classes = np.unique(y)
    yi = np.searchsorted(classes, y)
    n, k = Xa.shape[0], classes.size
    W = np.zeros((Xa.shape[1], k))
    rng = np.random.default_rng(random_state)
    history, t = [], 0
    while (T is None and len(history) < max_iter) or (T is not None and t < T):
        order = rng.permutation(n) if shuffle else range(n)
        changes = steps = 0
        for i in order:
            if T is not None and t >= T:
                break
            s = Xa[i] @ W
            top = max(s)
            wrong = [c for c in range(k) if s[c] == top and c != yi[i]]
            if wrong:
                W[:, wrong[0]] = W[:, wrong[0]] - eta0 * Xa[i]
                W[:, yi[i]] = W[:, yi[i]] + eta0 * Xa[i]
                changes += 1
            t += 1
            steps += 1
        history.append(changes)
        if changes == 0 and steps == n:
            break
    return W, history


def _weights(m: MulticlassPerceptron) -> np.ndarray:
    W = m.coef_.T
    return np.vstack([W, m.intercept_]) if m.fit_intercept else W


def _fit_quiet(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("integer", [False, True])
def test_bit_identical_to_literal_loop(seed, integer):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(250, 6)) * 10.0 ** rng.uniform(-2, 2)
    if integer:  # grid data: many exact ties among the scores
        X = np.round(X / np.abs(X).max() * 2)
    y = np.argmax(X @ rng.normal(size=(6, 4)) + 0.3 * rng.normal(size=(250, 4)), axis=1)
    eta0 = float(rng.uniform(0.2, 2))
    m = _fit_quiet(MulticlassPerceptron(eta0=eta0, max_iter=20), X, y)
    W, hist = _literal_multiclass_perceptron(X, y, eta0=eta0, max_iter=20)
    assert np.array_equal(_weights(m), W)
    assert m.mistakes_.tolist() == hist


def test_shuffled_online_and_no_intercept_match_literal():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(120, 3))
    y = np.array(["a", "b", "c"])[np.argmax(X @ rng.normal(size=(3, 3)), axis=1)]
    for kw in (
        {"shuffle": True, "random_state": 1, "max_iter": 10},
        {"T": 77},
        {"T": 500, "fit_intercept": False},
    ):
        m = _fit_quiet(MulticlassPerceptron(**kw), X, y)
        W, hist = _literal_multiclass_perceptron(X, y, **kw)
        assert np.array_equal(_weights(m), W), kw
        assert m.mistakes_.tolist() == hist


def test_tie_rule_of_lecture_002():
    """At W = 0 all scores tie: argmax \\ {y} is not empty, so the step updates, with ŷ the
    smallest wrong index among the tied; a sample whose class alone is on top passes."""
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([2, 1, 0])
    m = _fit_quiet(MulticlassPerceptron(T=1, fit_intercept=False), X, y)
    # t=1: x=(1,0), y=2, scores (0,0,0), A = {0,1,2}, ŷ = min{0,1} = 0
    assert np.array_equal(m.coef_, [[-1.0, 0.0], [0.0, 0.0], [1.0, 0.0]])
    m = _fit_quiet(MulticlassPerceptron(T=2, fit_intercept=False), X, y)
    # t=2: x=(0,1), y=1, scores (0,0,0) again, ŷ = min{0,2} = 0
    assert np.array_equal(m.coef_, [[-1.0, -1.0], [0.0, 1.0], [1.0, 0.0]])
    m = _fit_quiet(MulticlassPerceptron(T=3, fit_intercept=False), X, y)
    # t=3: x=(1,1), y=0, scores (−2, 1, 1), A = {1,2}, ŷ = 1 (a tie not involving y)
    assert np.array_equal(m.coef_, [[0.0, 0.0], [-1.0, 0.0], [1.0, 0.0]])
    assert m.mistakes_.tolist() == [3]
    # y alone on top passes: from w_2 = (1, 0) and the rest 0, x=(1,0) with y=2 passes
    m = MulticlassPerceptron(fit_intercept=False).fit(X, y)
    assert m.converged_ and m.mistakes_[-1] == 0 and m.score(X, y) == 1.0
    W, hist = _literal_multiclass_perceptron(X, y, fit_intercept=False)
    assert np.array_equal(_weights(m), W) and m.mistakes_.tolist() == hist


def test_iris_learns_and_predicts_argmax():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MulticlassPerceptron(max_iter=200))
    _fit_quiet(pipe, X, y)
    assert pipe.score(X, y) > 0.9
    m = pipe[-1]
    scores = m.decision_function(pipe[0].transform(X))
    assert scores.shape == (150, 3)
    assert np.array_equal(m.predict(pipe[0].transform(X)), np.argmax(scores, axis=1))


def test_separable_converges_and_two_classes_give_1d_decision():
    rng = np.random.default_rng(0)
    centers = np.array([[4.0, 0.0], [-4.0, 0.0], [0.0, 4.0]])
    y = rng.integers(0, 3, 300)
    X = centers[y] + rng.normal(size=(300, 2))
    m = MulticlassPerceptron().fit(X, y)
    assert m.converged_ and m.score(X, y) == 1.0
    b = MulticlassPerceptron().fit(X[y < 2], y[y < 2])
    d = b.decision_function(X[y < 2])
    assert d.shape == ((y < 2).sum(),)
    assert np.array_equal(b.predict(X[y < 2]), (d > 0).astype(int))


def test_non_separable_warns_and_stops():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 2))
    y = rng.integers(0, 3, 200)
    with pytest.warns(ConvergenceWarning):
        m = MulticlassPerceptron(max_iter=7).fit(X, y)
    assert m.n_iter_ == 7 and not m.converged_


def test_grid_search_and_bad_input():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(90, 2))
    y = np.argmax(X @ rng.normal(size=(2, 3)), axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        GridSearchCV(MulticlassPerceptron(), {"max_iter": [1, 30]}, cv=3).fit(X, y)
    with pytest.raises(NotFittedError):
        MulticlassPerceptron().predict(X)
    with pytest.raises(ValueError, match="NaN"):
        MulticlassPerceptron().fit(np.where(X > 1, np.nan, X), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        MulticlassPerceptron().fit(X, y[:-1])
    with pytest.raises(ValueError, match="at least 2 classes"):
        MulticlassPerceptron().fit(X, np.zeros(90))
    with pytest.raises(ValueError, match="Unknown label type"):
        MulticlassPerceptron().fit(X, rng.normal(size=90))
    m = _fit_quiet(MulticlassPerceptron(), X, y)
    with pytest.raises(ValueError, match="features"):
        m.predict(np.ones((3, 5)))


def test_nan_in_a_row_of_weight_zero_and_in_warm_coefficients_is_refused():
    """As Perceptron does: a row of weight 0 is not trained on, but NaN/inf in it is refused
    (it was accepted); a NaN/inf after dropped rows is named by its sample in the given X
    (it was named by its index among the kept rows); coef_ / intercept_ holding NaN/inf are
    refused by a warm start and by partial_fit (they were trained on, giving NaN)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = np.arange(30) % 3
    sw = np.ones(30)
    sw[4] = 0.0
    bad = X.copy()
    bad[4, 1] = np.nan
    with pytest.raises(ValueError, match="NaN in feature 1 of sample 4;"):
        MulticlassPerceptron().fit(bad, y, sample_weight=sw)
    bad = X.copy()
    bad[10, 2] = np.inf
    with pytest.raises(ValueError, match="inf in feature 2 of sample 10;"):
        MulticlassPerceptron().fit(bad, y, sample_weight=sw)
    with pytest.warns(ConvergenceWarning):  # random labels: not separable
        warm = MulticlassPerceptron(warm_start=True).fit(X, y)
    online = MulticlassPerceptron().partial_fit(X, y, classes=[0, 1, 2])
    for est, attr in ((warm, "coef_"), (online, "intercept_")):
        value = getattr(est, attr).copy()
        value.flat[1] = np.nan
        setattr(est, attr, value)
        with pytest.raises(ValueError, match="NaN/inf"):
            est.fit(X, y) if est is warm else est.partial_fit(X, y)
        assert np.isnan(getattr(est, attr).flat[1])  # left as it was
