"""k-NN's memory is bounded (issue 24): ``predict`` holds at most ``working_memory()`` MiB of
temporaries (32, or scikit-learn's ``working_memory`` setting when smaller) plus its results,
whatever the number of queries: no (n_queries × n_train) matrix, no float64 copy of float32
data, no copy of X. Measured with tracemalloc (NumPy's allocations are traced), after a first
call so that numba's one-off compilation is not counted. The neighbours stay scikit-learn's
(and the literal oracle's (distance, index) order where distances tie), also with budgets so
small that every path of the search (blocks, pruning, exact settling of ties) runs."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import sklearn
from sklearn.neighbors import KNeighborsClassifier as SkKNN

from byhand.neighbors import KNeighborsClassifier, working_memory

K = 11
N_CLASSES = 10


def _results_bytes(n_queries: int) -> int:
    """What predict returns or builds per query beyond the search: the (n, K) neighbours, their
    labels and vote weights, the (n, n_classes) votes and shares (8 bytes each, a few copies)."""
    return 4 * 8 * (K + N_CLASSES) * n_queries


def _traced_peak(fn) -> tuple[float, object]:
    tracemalloc.start()
    try:
        out = fn()
        return tracemalloc.get_traced_memory()[1], out
    finally:
        tracemalloc.stop()


def _data(kind: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if kind == "float32":
        return rng.random((5000, 50), dtype=np.float32), rng.random((2000, 50), dtype=np.float32)
    if kind == "float64":
        return rng.random((5000, 50)), rng.random((2000, 50))
    if kind == "far queries":  # beyond float32's safe range: the float64 products
        return rng.random((5000, 50)) * 1e6, rng.random((2000, 50)) * 1e6 + 2e15
    # every training point the same: all 5,000 are tied candidates of every query
    return np.ones((5000, 50), dtype=np.float32), np.zeros((2000, 50), dtype=np.float32)


@pytest.mark.parametrize("budget", [None, 2.0])
@pytest.mark.parametrize("kind", ["float32", "float64", "far queries", "ties"])
def test_predict_peak_memory_within_the_working_memory(kind, budget):
    """2,000 queries × 5,000 training points: the former search held 49-57 MiB (float32 and
    float64 data), 80 MiB (far queries) and 393 MiB (ties) at its peak."""
    rng = np.random.default_rng(0)
    X, Q = _data(kind, rng)
    y = rng.integers(0, N_CLASSES, X.shape[0])
    model = KNeighborsClassifier(n_neighbors=K).fit(X, y)
    model.predict(Q[:5])  # compiles the kernels (numba's own memory, once per process)
    config = {} if budget is None else {"working_memory": budget}
    with sklearn.config_context(**config):
        bound = working_memory() * 2**20 + _results_bytes(Q.shape[0])
        peak, pred = _traced_peak(lambda: model.predict(Q))
    assert working_memory() == 32.0 and (budget is None or budget < 32)
    assert peak <= bound, f"peak {peak / 2**20:.1f} MiB > bound {bound / 2**20:.1f} MiB"
    if kind == "ties":  # the documented order: the K smallest training indices
        votes = np.bincount(y[:K], minlength=N_CLASSES)
        assert np.array_equal(pred, np.full(Q.shape[0], np.argmax(votes)))
    else:
        sk = SkKNN(n_neighbors=K, algorithm="brute").fit(X, y)
        assert np.array_equal(pred, sk.predict(Q))


def test_peak_does_not_grow_with_the_queries():
    """Four times the queries: the peak grows by the results only."""
    rng = np.random.default_rng(1)
    X = rng.random((4000, 30), dtype=np.float32)
    y = rng.integers(0, N_CLASSES, 4000)
    Q = rng.random((4000, 30), dtype=np.float32)
    model = KNeighborsClassifier(n_neighbors=K).fit(X, y)
    model.predict(Q[:5])
    with sklearn.config_context(working_memory=4):
        small, _ = _traced_peak(lambda: model.predict(Q[:1000]))
        large, _ = _traced_peak(lambda: model.predict(Q))
    assert large - small <= _results_bytes(3000)


@pytest.mark.parametrize("budget", [0.01, 0.3])
def test_tiny_budgets_same_neighbours(budget):
    """Budgets that force one query row per chunk, 256-row blocks and a store overflowing
    (pruned, ties settled exactly): scikit-learn's neighbours on continuous data, the
    literal (distance, index) order on grid data full of exact ties."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(1500, 6))
    y = rng.integers(0, 3, 1500)
    Q = rng.normal(size=(120, 6))
    G = rng.integers(0, 2, size=(1500, 3)).astype(np.float32)  # 8 points, ~190 copies each
    Qg = rng.integers(0, 2, size=(40, 3)).astype(np.float32)
    d_grid = ((Qg[:, None, :].astype(float) - G[None].astype(float)) ** 2).sum(-1)
    oracle = np.array([np.lexsort((np.arange(len(G)), row))[:K] for row in d_grid])
    sk = SkKNN(n_neighbors=K, algorithm="brute").fit(X, y)
    for n_jobs in (1, 2):
        with sklearn.config_context(working_memory=budget):
            ours = KNeighborsClassifier(n_neighbors=K, n_jobs=n_jobs).fit(X, y)
            dist, ind = ours.kneighbors(Q)
            grid = KNeighborsClassifier(n_neighbors=K, n_jobs=n_jobs).fit(G, y)
            grid_ind = grid.kneighbors(Qg, return_distance=False)
            pred = ours.predict(Q)
        sk_dist, sk_ind = sk.kneighbors(Q)
        assert np.array_equal(ind, sk_ind)
        np.testing.assert_allclose(dist, sk_dist, rtol=1e-12)
        assert np.array_equal(pred, sk.predict(Q))
        assert np.array_equal(grid_ind, oracle)


def test_working_memory_follows_scikit_learn_when_smaller():
    assert working_memory() == 32.0
    with sklearn.config_context(working_memory=5):
        assert working_memory() == 5.0
    with sklearn.config_context(working_memory=4096):
        assert working_memory() == 32.0


def test_fit_on_offset_float32_data_makes_no_float64_copy():
    """float32 data far from the origin is centred for the search (a float32 working copy);
    it was centred in float64 all at once, a float64 copy of X on top (3 × X at the peak)."""
    rng = np.random.default_rng(3)
    X = rng.random((20000, 100), dtype=np.float32) + 1000
    y = rng.integers(0, N_CLASSES, 20000)
    peak, model = _traced_peak(lambda: KNeighborsClassifier(n_neighbors=K).fit(X, y))
    assert model._shift.any()  # the centred route was taken
    assert peak <= X.nbytes + 3 * 2**20, f"fit peak {peak / 2**20:.1f} MiB"
    Q = X[:50] + rng.random((50, 100), dtype=np.float32) * 0.1
    sk = SkKNN(n_neighbors=K, algorithm="brute").fit(X, y)
    assert np.array_equal(model.kneighbors(Q, return_distance=False), sk.kneighbors(Q)[1])


def test_n_jobs_negative_as_joblib_and_zero_refused():
    """n_jobs=-1 (every core) and -2 are accepted as in scikit-learn and give the same
    predictions; 0 is refused by name (found by a fresh user: -1 was refused)."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 4)), np.arange(60) % 3
    Q = rng.normal(size=(25, 4))
    want = KNeighborsClassifier(5, n_jobs=1).fit(X, y).predict(Q)
    for jobs in (-1, -2, None, 2):
        got = KNeighborsClassifier(5, n_jobs=jobs).fit(X, y).predict(Q)
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="n_jobs must not be 0"):
        KNeighborsClassifier(5, n_jobs=0).fit(X, y)


def test_working_memory_refuses_a_non_positive_setting():
    for bad in (0, -1):
        with sklearn.config_context(working_memory=bad):
            with pytest.raises(ValueError, match="working_memory must be a positive number"):
                working_memory()
