"""The one-pass magnitude certificate (``byhand._magnitude.within``): never a wrong True."""

from __future__ import annotations

import numpy as np
import pytest

from byhand._magnitude import check_magnitude, largest_feature, product_limit, within


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", range(20))
def test_within_never_certifies_a_larger_entry(dtype, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rng.integers(1, 300), rng.integers(1, 40))).astype(dtype)
    limit = float(np.abs(X).max()) * rng.choice([0.5, 0.999, 1.0, 1.001, 2.0, 1e3])
    got = within(X, limit)
    assert not got or np.abs(X).max() <= limit  # a True is always right
    if limit >= 1e3 * np.abs(X).max():
        assert got  # and far below the limit it certifies


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_within_one_large_entry_among_many_small_ones(dtype):
    limit = product_limit(50, dtype)
    X = np.full((20_000, 50), 1e-3, dtype=dtype)
    assert within(X, limit)
    X[12_345, 7] = dtype(limit) * dtype(1.0001)
    assert not within(X, limit)
    assert largest_feature(X)[0] == 7


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_within_refuses_non_finite_and_check_magnitude_leaves_them(bad):
    X = np.ones((10, 3))
    X[4, 1] = bad
    assert not within(X, 1e10)
    check_magnitude(object(), X, 1e10, "x")  # NaN/inf are left to the usual validation


def test_within_does_not_cover_other_inputs():
    assert not within(np.ones((4, 3), dtype=np.int64), 10.0)
    assert not within(np.ones((4, 6))[:, ::2], 10.0)  # not contiguous
    assert not within(np.ones((0, 3)), 10.0)


def test_check_magnitude_still_names_the_feature():
    X = np.ones((100, 4))
    X[3, 2] = 1e200
    with pytest.raises(ValueError, match="feature 2"):
        check_magnitude(object(), X, product_limit(4), "the products")


def test_float32_nets_name_a_feature_beyond_float32_at_predict_time():
    import warnings

    import byhand

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 16))
    y = (X[:, 0] > 0).astype(int)
    for est in (
        byhand.MLPClassifier(hidden_layer_sizes=(4,), max_iter=2),
        byhand.MLPRegressor(hidden_layer_sizes=(4,), max_iter=2),
        byhand.CNNClassifier(image_shape=(4, 4), conv_layers=((2, 3, 1),), max_iter=1),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # too few epochs to converge: not the point
            est.fit(X, y)
        big = X.copy()
        big[7, 5] = 1e39  # finite in float64, inf in float32
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no "overflow encountered in cast"
            with pytest.raises(ValueError, match=r"feature 5 \(x5\) has values up to 1e\+39"):
                est.predict(big)
        assert est.predict(X).shape == (40,)  # ordinary data still predicts


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nets_predict_name_a_non_finite_entry_as_fit_does(bad):
    import warnings

    import byhand

    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 16))
    y = (X[:, 0] > 0).astype(int)
    kind = "NaN" if np.isnan(bad) else ("inf" if bad > 0 else "-inf")
    for est in (
        byhand.MLPClassifier(hidden_layer_sizes=(4,), max_iter=2),
        byhand.MLPRegressor(hidden_layer_sizes=(4,), max_iter=2),
        byhand.CNNClassifier(image_shape=(4, 4), conv_layers=((2, 3, 1),), max_iter=1),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y)
        broken = X.copy()
        broken[3, 2] = bad
        name = type(est).__name__
        with pytest.raises(
            ValueError, match=rf"^{name}: X contains {kind} in feature 2 of sample 3$"
        ):
            est.predict(broken)
