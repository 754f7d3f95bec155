"""k-NN against scikit-learn's brute force and against a literal full-distance oracle."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier as SkKNN
from sklearn.pipeline import make_pipeline

from byhand.datasets import load_mnist
from byhand.neighbors import KNeighborsClassifier
from byhand.preprocessing import RadialFeatures


def _literal_knn(X, y, Q, k):
    """Every distance ‖q − x‖² written out, neighbours ordered by (distance, index), then
    the vote with ties to the smallest label."""
    classes = np.unique(y)
    neigh, pred = [], []
    for q in Q:
        d = ((X - q) ** 2).sum(axis=1)
        nn = np.lexsort((np.arange(len(X)), d))[:k]
        votes = [(y[nn] == c).sum() for c in classes]
        neigh.append(nn)
        pred.append(classes[int(np.argmax(votes))])
    return np.array(neigh), np.array(pred)


@pytest.mark.parametrize("chunk_size", [1, 13, None])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_matches_sklearn_brute_force(chunk_size, n_jobs):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 6))
    y = rng.integers(0, 4, 3000)
    Q = rng.normal(size=(300, 6))
    ours = KNeighborsClassifier(n_neighbors=11, chunk_size=chunk_size, n_jobs=n_jobs).fit(X, y)
    sk = SkKNN(n_neighbors=11, algorithm="brute").fit(X, y)
    assert np.array_equal(
        ours.kneighbors(Q, return_distance=False), sk.kneighbors(Q, return_distance=False)
    )
    assert np.array_equal(ours.predict(Q), sk.predict(Q))
    np.testing.assert_array_equal(ours.predict_proba(Q), sk.predict_proba(Q))


@pytest.mark.parametrize("query_dtype", [np.float32, np.float64])
def test_float32_fast_path_is_the_float64_answer(query_dtype):
    """float32 data: a float32 product proposes candidates, float64 distances decide."""
    rng = np.random.default_rng(6)
    X = (rng.normal(size=(2500, 30)) * 3).astype(np.float32)
    y = rng.integers(0, 5, 2500)
    Q = (rng.normal(size=(200, 30)) * 3).astype(query_dtype)
    fast = KNeighborsClassifier(n_neighbors=11, chunk_size=64).fit(X, y)
    ref = KNeighborsClassifier(n_neighbors=11, chunk_size=64).fit(X.astype(np.float64), y)
    sk = SkKNN(n_neighbors=11, algorithm="brute").fit(X, y)
    assert np.array_equal(
        fast.kneighbors(Q, return_distance=False),
        ref.kneighbors(Q.astype(np.float64), return_distance=False),
    )
    assert np.array_equal(
        fast.kneighbors(Q, return_distance=False), sk.kneighbors(Q, return_distance=False)
    )
    assert np.array_equal(fast.predict(Q), sk.predict(Q))
    # grid data in float32: exact ties, the documented order
    G = rng.integers(0, 3, size=(300, 4)).astype(np.float32)
    yg = rng.integers(0, 3, 300)
    Qg = rng.integers(0, 3, size=(60, 4)).astype(np.float32)
    neigh, pred = _literal_knn(G.astype(np.float64), yg, Qg.astype(np.float64), 7)
    tied = KNeighborsClassifier(n_neighbors=7, chunk_size=9).fit(G, yg)
    assert np.array_equal(tied.kneighbors(Qg, return_distance=False), neigh)
    assert np.array_equal(tied.predict(Qg), pred)


def test_huge_values_rescaled_exactly():
    """Entries beyond 1e15 could overflow float32: rescaled by a power of two (exact)."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(500, 4)) * 1e17
    y = rng.integers(0, 3, 500)
    Q = rng.normal(size=(80, 4)) * 1e17
    ours = KNeighborsClassifier(n_neighbors=11).fit(X, y)
    sk = SkKNN(n_neighbors=11, algorithm="brute").fit(X, y)
    assert np.array_equal(
        ours.kneighbors(Q, return_distance=False), sk.kneighbors(Q, return_distance=False)
    )


def test_k_equal_n_and_k_one():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    y = np.array(["u", "v"])[rng.integers(0, 2, 40)]
    for k in (1, 40):
        ours = KNeighborsClassifier(n_neighbors=k).fit(X, y)
        sk = SkKNN(n_neighbors=k, algorithm="brute").fit(X, y)
        assert np.array_equal(
            ours.kneighbors(X, return_distance=False), sk.kneighbors(X, return_distance=False)
        )
        assert np.array_equal(ours.predict(X), sk.predict(X))


def test_tied_distances_follow_the_documented_rule():
    """Grid data: many exactly equal distances; neighbours by (distance, index), vote ties to
    the first class — checked against the literal oracle."""
    rng = np.random.default_rng(2)
    X = rng.integers(0, 3, size=(300, 4)).astype(float)
    y = rng.integers(0, 3, 300)
    Q = rng.integers(0, 3, size=(100, 4)).astype(float)
    for k in (4, 7, 11):
        ours = KNeighborsClassifier(n_neighbors=k, chunk_size=17).fit(X, y)
        neigh, pred = _literal_knn(X, y, Q, k)
        assert np.array_equal(ours.kneighbors(Q, return_distance=False), neigh)
        assert np.array_equal(ours.predict(Q), pred)


def test_sorted_training_set_and_one_class():
    """Training rows sorted by class (the strided bound must still hold) and a single class."""
    rng = np.random.default_rng(3)
    X = np.sort(rng.normal(size=(5000, 2)), axis=0)
    y = (X[:, 0] > 0).astype(int)
    Q = rng.normal(size=(50, 2))
    ours = KNeighborsClassifier(n_neighbors=11).fit(X, y)
    assert np.array_equal(ours.predict(Q), SkKNN(11, algorithm="brute").fit(X, y).predict(Q))
    one = KNeighborsClassifier(n_neighbors=3).fit(X[:10], np.zeros(10))
    assert np.array_equal(one.predict(Q), np.zeros(50))


def test_mnist_subset_matches_sklearn(mnist_home):
    """EE-559 3.3's K = 11 on real digits: 1,000 test images against 5,000 training ones."""
    X, y = load_mnist("train", data_home=mnist_home)  # float32: the fast path
    Xt, yt = load_mnist("test", data_home=mnist_home)
    X, y, Xt, yt = X[:5000], y[:5000], Xt[:1000], yt[:1000]
    sk = SkKNN(n_neighbors=11, algorithm="brute").fit(X, y).predict(Xt)
    ours32 = KNeighborsClassifier(n_neighbors=11).fit(X, y).predict(Xt)
    ours64 = KNeighborsClassifier(n_neighbors=11).fit(X.astype(np.float64), y).predict(Xt)
    assert np.array_equal(ours32, sk)
    assert np.array_equal(ours64, sk)
    assert (ours32 == yt).mean() > 0.85


def test_radial_feature_pipeline_and_grid_search():
    """003 §3.3: a class inside a ring; the radial feature ‖x − c‖ makes k-NN's job easy."""
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, size=(400, 2))
    y = (np.linalg.norm(X, axis=1) < 0.6).astype(int)
    pipe = make_pipeline(RadialFeatures(center=[0.0, 0.0]), KNeighborsClassifier(n_neighbors=11))
    grid = GridSearchCV(pipe, {"kneighborsclassifier__n_neighbors": [1, 11]}, cv=3).fit(X, y)
    assert grid.best_score_ > 0.9


def test_bad_input():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(20, 2))
    y = rng.integers(0, 2, 20)
    with pytest.raises(NotFittedError):
        KNeighborsClassifier().predict(X)
    with pytest.raises(ValueError, match="NaN"):
        KNeighborsClassifier().fit(np.where(X > 1, np.nan, X), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        KNeighborsClassifier().fit(X, y[:5])
    with pytest.raises(ValueError, match="Unknown label type"):
        KNeighborsClassifier().fit(X, rng.normal(size=20))
    with pytest.raises(ValueError, match="n_neighbors"):
        KNeighborsClassifier(n_neighbors=0).fit(X, y)
    with pytest.raises(TypeError, match="chunk_size"):
        KNeighborsClassifier(n_neighbors=11, chunk_size=2.5).fit(X, y)
    with pytest.raises(ValueError, match="n_samples_fit"):
        KNeighborsClassifier(n_neighbors=21).fit(X, y).predict(X)
    fitted = KNeighborsClassifier(n_neighbors=3).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        fitted.predict(np.ones((2, 3)))
    with pytest.raises(ValueError, match="X contains inf in feature"):
        fitted.predict(np.full((2, 2), np.inf))
