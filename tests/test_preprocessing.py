"""Feature maps: PolynomialFeatures vs scikit-learn (as sets of columns), pair products,
radial feature, and the lectures' uses of them (001 XOR, 003 §3.3)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures as SkPolynomialFeatures

from byhand.linear_model._perceptron import Perceptron
from byhand.preprocessing import PairProductFeatures, PolynomialFeatures, RadialFeatures


def _same_column_sets(A, B, rtol=1e-12):
    """Every column of A matches a distinct column of B, and vice versa."""
    assert A.shape == B.shape
    unused = list(range(B.shape[1]))
    for j in range(A.shape[1]):
        match = [c for c in unused if np.allclose(A[:, j], B[:, c], rtol=rtol, atol=0)]
        assert match, f"column {j} of ours has no match"
        unused.remove(match[0])


@pytest.mark.parametrize("n_features", [1, 2, 3, 5])
@pytest.mark.parametrize(
    ("degree", "include_bias"),
    [(0, True), (1, True), (1, False), (2, True), (2, False), (4, False)],
)
def test_polynomial_matches_sklearn_as_sets(n_features, degree, include_bias):
    rng = np.random.default_rng(degree * 10 + n_features)
    X = rng.normal(size=(30, n_features)) * 2
    ours = PolynomialFeatures(degree, include_bias=include_bias).fit(X)
    sk = SkPolynomialFeatures(degree, include_bias=include_bias).fit(X)
    _same_column_sets(ours.transform(X), sk.transform(X))
    assert ours.n_output_features_ == sk.n_output_features_
    assert sorted(map(tuple, ours.powers_)) == sorted(map(tuple, sk.powers_))
    assert set(ours.get_feature_names_out()) == set(sk.get_feature_names_out())


def test_polynomial_one_variable_is_lecture_map():
    """001: φ(x) = [1, x, x², …, x^d]."""
    x = np.linspace(-2, 2, 9)[:, None]
    phi = PolynomialFeatures(degree=4).fit_transform(x)
    np.testing.assert_array_equal(phi, x ** np.arange(5))


def test_polynomial_xor_regression_and_perceptron():
    """001: linear regression on XOR gives w → 0 (predicts ½ everywhere); degree 2 solves it."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    lin = SkLinearRegression().fit(X, y)
    np.testing.assert_allclose(lin.coef_, 0, atol=1e-12)
    phi = PolynomialFeatures(degree=2).fit_transform(X)
    quad = SkLinearRegression(fit_intercept=False).fit(phi, y)
    np.testing.assert_allclose(quad.predict(phi), y, atol=1e-9)
    pipe = make_pipeline(PolynomialFeatures(2), Perceptron(max_iter=50)).fit(X, y)
    assert pipe.score(X, y) == 1.0


def test_xor_feature_of_ee559():
    """003 §3.3: Φ(x_u, x_v) = (x_u, x_v, x_u x_v) makes xor linearly separable."""
    X = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    y = np.array([1, -1, -1, 1])
    pairs = PairProductFeatures(n_pairs=1, random_state=0).fit(X)
    assert pairs.pairs_.tolist() == [[0, 1]]
    phi = pairs.transform(X)
    np.testing.assert_array_equal(phi, np.column_stack([X, X[:, 0] * X[:, 1]]))
    assert Perceptron().fit(phi, y).score(phi, y) == 1.0


def test_pair_products_are_distinct_random_and_seeded():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(10, 30))
    a = PairProductFeatures(n_pairs=200, random_state=5).fit(X)
    b = PairProductFeatures(n_pairs=200, random_state=5).fit(X)
    c = PairProductFeatures(n_pairs=200, random_state=6).fit(X)
    assert np.array_equal(a.pairs_, b.pairs_) and not np.array_equal(a.pairs_, c.pairs_)
    u, v = a.pairs_.T
    assert np.all(u < v) and np.all(v < 30)
    assert len({(int(p), int(q)) for p, q in a.pairs_}) == 200
    out = a.transform(X)
    assert out.shape == (10, 230)
    np.testing.assert_array_equal(out[:, :30], X)
    np.testing.assert_array_equal(out[:, 30:], X[:, u] * X[:, v])
    # all 435 pairs when asked for all of them
    every = PairProductFeatures(n_pairs=435, random_state=0).fit(X).pairs_
    assert np.array_equal(every, np.column_stack(np.triu_indices(30, 1)))
    with pytest.raises(ValueError, match="n_pairs"):
        PairProductFeatures(n_pairs=436).fit(X)


def test_radial_feature():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(50, 3)) + 4
    r = RadialFeatures().fit(X)
    np.testing.assert_allclose(r.center_, X.mean(axis=0))
    out = r.transform(X)
    np.testing.assert_array_equal(out[:, :3], X)
    np.testing.assert_allclose(out[:, 3], np.linalg.norm(X - X.mean(axis=0), axis=1))
    c = RadialFeatures(center=[1.0, 2.0, 3.0]).fit(X)
    np.testing.assert_allclose(c.transform(X)[:, 3], np.linalg.norm(X - [1, 2, 3], axis=1))
    assert c.get_feature_names_out().tolist() == ["x0", "x1", "x2", "radial"]
    with pytest.raises(ValueError, match="center must have shape"):
        RadialFeatures(center=[0.0, 0.0]).fit(X)
    with pytest.raises(ValueError, match="finite"):
        RadialFeatures(center=[0.0, np.nan, 0.0]).fit(X)


def test_ring_becomes_separable_with_radial_feature():
    """003 §3.3: a disc inside a ring is not linearly separable in (x₁, x₂) but is with ‖x‖."""
    rng = np.random.default_rng(3)
    angle = rng.uniform(0, 2 * np.pi, 300)
    radius = np.where(np.arange(300) < 150, rng.uniform(0, 1, 300), rng.uniform(2, 3, 300))
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    y = (radius < 1.5).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert Perceptron(max_iter=30).fit(X, y).score(X, y) < 1.0
    pipe = make_pipeline(RadialFeatures(center=[0.0, 0.0]), Perceptron(max_iter=1000))
    assert pipe.fit(X, y).score(X, y) == 1.0


def test_grid_search_over_degree():
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, size=(200, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid = GridSearchCV(
            make_pipeline(PolynomialFeatures(), Perceptron(max_iter=50)),
            {"polynomialfeatures__degree": [1, 2]},
            cv=3,
        ).fit(X, y)
    assert grid.best_params_ == {"polynomialfeatures__degree": 2}


@pytest.mark.parametrize(
    "make", [lambda: PolynomialFeatures(), lambda: PairProductFeatures(n_pairs=1), RadialFeatures]
)
def test_bad_input(make):
    X = np.ones((4, 3))
    with pytest.raises(NotFittedError):
        make().transform(X)
    with pytest.raises(ValueError, match="NaN"):
        make().fit(np.full((4, 3), np.nan))
    fitted = make().fit(X)
    with pytest.raises(ValueError, match="features"):
        fitted.transform(np.ones((4, 2)))
    with pytest.raises(ValueError, match="X contains inf in feature"):
        fitted.transform(np.full((2, 3), np.inf))


def test_bad_parameters():
    with pytest.raises(ValueError, match="empty output"):
        PolynomialFeatures(degree=0, include_bias=False).fit(np.ones((2, 2)))
    with pytest.raises(ValueError, match="degree"):
        PolynomialFeatures(degree=-1).fit(np.ones((2, 2)))
    with pytest.raises(TypeError, match="degree"):
        PolynomialFeatures(degree=1.5).fit(np.ones((2, 2)))
    with pytest.raises(TypeError, match="include_bias"):
        PolynomialFeatures(include_bias=None).fit(np.ones((2, 2)))
    with pytest.raises(TypeError, match="n_pairs"):
        PairProductFeatures(n_pairs="3").fit(np.ones((2, 3)))
