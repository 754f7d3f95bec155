"""Seeded generators: determinism, the guarantees they promise, and scikit-learn oracles."""

from __future__ import annotations

import math

import numpy as np
import pytest

from byhand import datasets as ds

GENERATORS = [
    ("make_xor", lambda rs: ds.make_xor(50, 0.1, rs)),
    ("make_moons", lambda rs: ds.make_moons(50, 0.1, rs)),
    ("make_gaussian_classes", lambda rs: ds.make_gaussian_classes(50, 1.0, rs)),
    ("make_separable", lambda rs: ds.make_separable(50, 3, 0.1, 2.0, rs)),
    ("make_ring", lambda rs: ds.make_ring(50, 0.05, rs)),
    ("make_disc", lambda rs: ds.make_disc(50, rs)),
    ("make_sin_regression", lambda rs: ds.make_sin_regression(50, 0.1, rs)),
    ("make_polynomial_regression", lambda rs: ds.make_polynomial_regression(50, 0.1, rs)),
    ("make_blobs_k", lambda rs: ds.make_blobs_k(50, 1.0, rs)),
]


@pytest.mark.parametrize(("name", "make"), GENERATORS, ids=[g[0] for g in GENERATORS])
def test_deterministic_for_a_seed_and_different_across_seeds(name, make):
    a, b, c = make(7), make(7), make(8)
    X, y = a[0], a[1]
    assert X.dtype == np.float64 and X.ndim == 2 and X.shape[0] == 50
    assert y.shape == (50,)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])
    # a Generator works too and is consumed like the seed it came from
    d = make(np.random.default_rng(7))
    np.testing.assert_array_equal(d[0], X)


@pytest.mark.parametrize("make", [ds.make_xor, ds.make_moons, ds.make_ring])
def test_bad_arguments(make):
    with pytest.raises(ValueError, match="n_samples"):
        make(0)
    with pytest.raises(TypeError, match="n_samples"):
        make(10.5)
    with pytest.raises(ValueError, match="noise"):
        make(10, -0.1)
    with pytest.raises(ValueError, match="noise"):
        make(10, float("nan"))
    with pytest.raises(TypeError, match="random_state"):
        make(10, 0.1, "seed")


def test_moons_match_scikit_learn_without_noise():
    from sklearn.datasets import make_moons as sk_make_moons

    for n in (10, 11):
        X, y = ds.make_moons(n, noise=0.0, random_state=0)
        Xs, ys = sk_make_moons(n, noise=0.0, shuffle=False)
        for label in (0, 1):
            ours = np.array(sorted(map(tuple, X[y == label])))
            theirs = np.array(sorted(map(tuple, Xs[ys == label])))
            np.testing.assert_allclose(ours, theirs, atol=1e-12)
    _, ys = ds.make_moons(10, 0.0, 0, signed=True)
    assert set(ys.tolist()) == {-1, 1}


def test_xor_clouds_label_by_nearest_corner():
    X, y = ds.make_xor(400, noise=0.05, random_state=1)
    corner = (X > 0.5).astype(int)  # noise 0.05 never crosses 0.5 in practice (10σ)
    np.testing.assert_array_equal(y, corner[:, 0] ^ corner[:, 1])
    assert np.bincount(y).tolist() == [200, 200]


@pytest.mark.parametrize(
    ("n", "d", "gamma", "R", "seed"),
    [(200, 2, 0.1, 1.0, 0), (500, 784, 0.05, 3.0, 1), (300, 1, 0.5, 0.6, 2), (100, 5, 0.9, 1.0, 3)],
)
def test_separable_has_margin_and_radius(n, d, gamma, R, seed):
    X, y, w = ds.make_separable(n, d, gamma, R, seed)
    assert X.shape == (n, d) and y.dtype == np.int64
    assert math.isclose(float(np.linalg.norm(w)), 1.0, rel_tol=1e-12)
    assert np.all(y * (X @ w) >= gamma)  # margin γ w.r.t. the unit w*, no bias
    assert np.all(np.linalg.norm(X, axis=1) <= R)  # radius R
    assert set(np.unique(y).tolist()) <= {-1, 1}


def test_separable_perceptron_respects_the_bound():
    # 003 §3.1: mistakes <= 4R²/γ_L² with y x·w* >= γ_L/2, i.e. <= R²/γ² for margin γ
    gamma, R = 0.2, 1.0
    X, y, _ = ds.make_separable(300, 4, gamma, R, random_state=5)
    w = np.zeros(4)
    mistakes = 0
    for _epoch in range(1000):
        changed = 0
        for i in range(len(X)):
            if y[i] * (X[i] @ w) <= 0:
                w = w + y[i] * X[i]
                changed += 1
        mistakes += changed
        if changed == 0:
            break
    assert changed == 0
    assert mistakes <= R**2 / gamma**2


def test_separable_rejects_bad_margin():
    with pytest.raises(ValueError, match="margin"):
        ds.make_separable(10, 2, margin=1.0, radius=1.0)
    with pytest.raises(ValueError, match="margin"):
        ds.make_separable(10, 2, margin=0.0, radius=1.0)


def test_disc_labels_and_balance():
    X, y = ds.make_disc(20000, random_state=0)
    assert np.all((X >= 0) & (X <= 1))
    r = 1 / math.sqrt(2 * math.pi)
    for (a, b), label in zip(X[:500].tolist(), y[:500].tolist(), strict=True):
        assert label == int(math.hypot(a - 0.5, b - 0.5) < r)
    # the disc has area 1/2: fraction inside ≈ 1/2 (std 0.0035 for n = 20000)
    assert abs(y.mean() - 0.5) < 0.02
    _, ys = ds.make_disc(100, 0, signed=True)
    assert set(ys.tolist()) == {-1, 1}


def test_ring_is_separated_by_the_radial_feature():
    X, y = ds.make_ring(1000, noise=0.0, random_state=3)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_array_equal(y, (radius > 1).astype(int))
    assert radius.max() <= 2 and np.bincount(y).tolist() == [500, 500]
    # not linearly separable: the class means nearly coincide at the origin
    assert np.linalg.norm(X[y == 0].mean(0) - X[y == 1].mean(0)) < 0.2


def test_gaussian_classes_parameters():
    res = ds.make_gaussian_classes(40000, noise=0.5, random_state=0, return_params=True)
    assert isinstance(res, ds.GaussianClasses)
    np.testing.assert_allclose(res.cov, 0.25 * np.array([[1, 0.5], [0.5, 1]]))
    assert abs(res.y.mean() - 0.5) < 0.02
    for k in (0, 1):
        np.testing.assert_allclose(res.X[res.y == k].mean(0), res.means[k], atol=0.02)
    centred = res.X - res.means[res.y]
    np.testing.assert_allclose(np.cov(centred.T), res.cov, atol=0.01)
    X, y = ds.make_gaussian_classes(30, means=np.eye(3), priors=[0.2, 0.3, 0.5], random_state=1)
    assert X.shape == (30, 3) and y.max() <= 2
    with pytest.raises(ValueError, match="positive definite"):
        ds.make_gaussian_classes(10, cov=[[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="priors"):
        ds.make_gaussian_classes(10, priors=[0.9, 0.2])


def test_regression_sets():
    X, y = ds.make_sin_regression(200, noise=0.0, random_state=0, x_range=(0, 1))
    assert X.shape == (200, 1) and np.all((X >= 0) & (X <= 1))
    np.testing.assert_allclose(y, [math.sin(v) for v in X[:, 0]], atol=1e-15)
    X, y = ds.make_sin_regression(5000, noise=0.3, random_state=0)
    assert abs(np.std(y - np.sin(X[:, 0])) - 0.3) < 0.02

    coef = (1.0, -2.0, 0.0, 0.5)
    X, y = ds.make_polynomial_regression(100, noise=0.0, random_state=0, coef=coef)
    expected = [sum(c * v**d for d, c in enumerate(coef)) for v in X[:, 0]]
    np.testing.assert_allclose(y, expected, atol=1e-12)
    with pytest.raises(ValueError, match="x_range"):
        ds.make_polynomial_regression(10, x_range=(1, 0))


def test_blobs_k():
    X, y = ds.make_blobs_k(600, noise=0.5, random_state=0, n_classes=4, n_features=3)
    assert X.shape == (600, 3) and np.bincount(y).tolist() == [150] * 4
    for k in range(4):
        angle = 2 * math.pi * k / 4
        center = [4 * math.cos(angle), 4 * math.sin(angle), 0.0]
        np.testing.assert_allclose(X[y == k].mean(0), center, atol=0.15)
    X, y = ds.make_blobs_k(10, 0.1, 0, centers=[[0, 0], [5, 5]])
    assert X.shape == (10, 2) and set(y.tolist()) == {0, 1}
