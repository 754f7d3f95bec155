"""Issue 20, items 3, 4 and 6 (and the NaN/inf wording of the network estimators) for the
classical estimators and the feature transformers: inputs as users really give them.

- read-only arrays and ``joblib.load(mmap_mode="r")`` models: every estimator works, continues
  (``partial_fit``, ``warm_start``) bit-identically to the in-memory model, and never writes
  into an array it was given;
- NaN/inf in X: a ValueError naming the estimator, the feature and the sample, in fit,
  partial_fit and every prediction method;
- integer, boolean and float16 X: the numbers of the same data cast to float64;
- no sample: scikit-learn's ValueError.
"""

from __future__ import annotations

import inspect
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning, NotFittedError

from byhand.discriminant_analysis import LinearDiscriminantAnalysis
from byhand.features import HOGFeatures, hog_cells
from byhand.linear_model import (
    LinearRegression,
    LinearSVM,
    LogisticRegression,
    MulticlassPerceptron,
    Perceptron,
    SoftmaxRegression,
)
from byhand.neighbors import KNeighborsClassifier
from byhand.preprocessing import PairProductFeatures, PolynomialFeatures, RadialFeatures

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

rng = np.random.default_rng(0)
X = rng.standard_normal((60, 3))
Y2 = np.where(X[:, 0] + 0.3 * rng.standard_normal(60) > 0, "yes", "no")
Y3 = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
YR = X @ np.array([1.0, 2.0, 3.0]) + 0.1 * rng.standard_normal(60)

# estimator, targets, whether it continues a fit (partial_fit)
ESTIMATORS = [
    (Perceptron(shuffle=True, random_state=0), Y2, True),
    (MulticlassPerceptron(shuffle=True, random_state=0), Y3, True),
    (LogisticRegression(), Y2, False),
    (LogisticRegression(solver="sgd", average=True, random_state=0), Y2, True),
    (SoftmaxRegression(average=3, random_state=0), Y3, True),
    (SoftmaxRegression(solver="lbfgs"), Y3, False),
    (LinearSVM(random_state=0), Y2, True),
    (LinearRegression(), YR, False),
    (LinearRegression(solver="sgd", average=True, random_state=0), YR, True),
    (KNeighborsClassifier(), Y3, False),
    (KNeighborsClassifier(weights="distance"), np.column_stack([Y3, Y3 > 1]), False),
    (LinearDiscriminantAnalysis(), Y3, False),
]
TRANSFORMERS = [
    PolynomialFeatures(3),
    PairProductFeatures(n_pairs=2, random_state=0),
    RadialFeatures(),
    HOGFeatures(image_shape=(3, 1), cell_size=1, n_bins=4),
]
IDS = [repr(e) for e, _, _ in ESTIMATORS]
OUTPUTS = ("predict", "predict_proba", "predict_log_proba", "decision_function", "kneighbors")


def _read_only(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


def _outputs(est, X):
    out = {}
    for name in OUTPUTS:
        if hasattr(est, name):
            value = getattr(est, name)(X)
            out[name] = value if isinstance(value, tuple | list) else [value]
    return out


def _takes_weights(est):
    return "sample_weight" in inspect.signature(est.fit).parameters


@pytest.mark.parametrize("proto,y,online", ESTIMATORS, ids=IDS)
def test_read_only_inputs_work_and_stay_unchanged(proto, y, online):
    Xr, yr = _read_only(X), _read_only(y)
    sw = _read_only(np.linspace(0.5, 2.0, 60))
    copies = [Xr.copy(), yr.copy(), sw.copy()]
    kw = {"sample_weight": sw} if _takes_weights(proto) else {}
    est = clone(proto).fit(Xr, yr, **kw)
    ref = clone(proto).fit(X.copy(), y.copy(), **({"sample_weight": sw.copy()} if kw else {}))
    for name, values in _outputs(est, Xr).items():
        for a, b in zip(values, _outputs(ref, X)[name], strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)
    if online:
        classes = {"classes": _read_only(np.unique(y))} if y is not YR else {}
        clone(proto).partial_fit(Xr, yr, sample_weight=sw, **classes).partial_fit(Xr, yr)
    for given, copy in zip((Xr, yr, sw), copies, strict=True):
        np.testing.assert_array_equal(given, copy)


@pytest.mark.parametrize("proto,y,online", ESTIMATORS, ids=IDS)
def test_a_memory_mapped_model_predicts_and_continues_as_the_original(proto, y, online, tmp_path):
    """After joblib.load(mmap_mode="r") every fitted array is a read-only memmap: predict,
    partial_fit and a warm-started fit copy on first write, and continue bit for bit as
    the model in memory does."""
    est = clone(proto)
    if online:
        est.partial_fit(X[:40], y[:40], **({"classes": np.unique(y)} if y is not YR else {}))
    else:
        est.fit(X[:40], y[:40])
    joblib.dump(est, tmp_path / "model.joblib")
    mapped = joblib.load(tmp_path / "model.joblib", mmap_mode="r")
    assert any(isinstance(v, np.memmap) for v in vars(mapped).values())
    for name, values in _outputs(mapped, X).items():
        for a, b in zip(values, _outputs(est, X)[name], strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)
    if online:
        mapped.partial_fit(X[40:], y[40:])
        est.partial_fit(X[40:], y[40:])
    if "warm_start" in est.get_params():
        mapped.set_params(warm_start=True).fit(X, y)
        est.set_params(warm_start=True).fit(X, y)
    for name, values in _outputs(mapped, X).items():
        for a, b in zip(values, _outputs(est, X)[name], strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("proto,y,online", ESTIMATORS, ids=IDS)
def test_non_finite_X_is_named_by_estimator_feature_and_sample(proto, y, online, bad):
    """The wording of the network estimators ("MLPClassifier: X contains NaN in feature 2
    of sample 7"), not scikit-learn's "Input X contains NaN", everywhere X enters."""
    kind = "NaN" if bad != bad else ("inf" if bad > 0 else "-inf")
    name = type(proto).__name__
    expected = f"^{name}: X contains {kind} in feature 2 of sample 7; "
    Xb = X.copy()
    Xb[7, 2] = bad
    with pytest.raises(ValueError, match=expected):
        clone(proto).fit(Xb, y)
    est = clone(proto).fit(X, y)
    for method in OUTPUTS:
        if hasattr(est, method):
            with pytest.raises(ValueError, match=expected):
                getattr(est, method)(Xb)
    if online:
        with pytest.raises(ValueError, match=expected):
            est.partial_fit(Xb, y)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=repr)
def test_transformers_name_a_non_finite_input(transformer):
    Xb = X.copy()
    Xb[4, 1] = np.nan
    expected = f"^{type(transformer).__name__}: X contains NaN in feature 1 of sample 4; "
    with pytest.raises(ValueError, match=expected):
        clone(transformer).fit(Xb)
    with pytest.raises(ValueError, match=expected):
        clone(transformer).fit(X).transform(Xb)


def test_hog_features_refuse_what_they_cannot_read():
    """HOGFeatures validated nothing: a NaN pixel crashed in np.bincount ("'list' argument
    must have no negative elements"), an inf one gave NaN features silently, an empty batch
    crashed in reshape, transform ran unfitted and fit took rows of any length."""
    images = np.random.default_rng(1).random((4, 16 * 16))
    hog = HOGFeatures(image_shape=(16, 16))
    with pytest.raises(NotFittedError):
        clone(hog).transform(images)
    with pytest.raises(ValueError, match=r"rows of 256 pixels or images of shape \(16, 16\)"):
        clone(hog).fit(images[:, :100])
    hog.fit(images)
    with pytest.raises(ValueError, match="0 sample"):
        hog.transform(images[:0])
    for bad, kind in ((np.nan, "NaN"), (np.inf, "inf")):
        broken = images.copy()
        broken[2, 37] = bad
        with pytest.raises(ValueError, match=f"X contains {kind} in feature 37 of sample 2"):
            hog.transform(broken)
        with pytest.raises(ValueError, match=r"image 2 holds .* at pixel \(2, 5\)"):
            hog_cells(broken.reshape(4, 16, 16))
    with pytest.raises(ValueError, match="image_shape must be"):
        HOGFeatures(image_shape=(16,)).fit(images)
    with pytest.raises(ValueError, match="cell_size <= 4"):
        HOGFeatures(image_shape=(4, 64), cell_size=8).fit(images)
    # (N, H, W) images and flat rows give the same features; uint8 grey levels the float64's
    grey = (images * 255).astype(np.uint8)
    np.testing.assert_array_equal(
        hog.transform(grey.reshape(4, 16, 16)), hog.transform(grey.astype(np.float64))
    )


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int64, np.float16, np.float32, bool])
@pytest.mark.parametrize("proto,y,online", ESTIMATORS, ids=IDS)
def test_integer_bool_and_float16_X_give_the_float64_numbers(proto, y, online, dtype):
    Xd = (X * 3 + (4 if dtype is np.uint8 else 0)).astype(dtype)
    X64 = Xd.astype(np.float64)
    a, b = clone(proto).fit(Xd, y), clone(proto).fit(X64, y)
    for name, values in _outputs(a, Xd).items():
        for u, v in zip(values, _outputs(b, X64)[name], strict=True):
            np.testing.assert_array_equal(u, v, err_msg=name)


@pytest.mark.parametrize("proto,y,online", ESTIMATORS, ids=IDS)
def test_no_sample_is_scikit_learns_value_error(proto, y, online):
    with pytest.raises(ValueError, match="0 sample"):
        clone(proto).fit(X[:0], y[:0])
    est = clone(proto).fit(X, y)
    for method in OUTPUTS:
        if hasattr(est, method):
            with pytest.raises(ValueError, match="0 sample"):
                getattr(est, method)(X[:0])
    if online:
        with pytest.raises(ValueError, match="0 sample"), warnings.catch_warnings():
            est.partial_fit(X[:0], y[:0])


ONE_OUTPUT = [
    c for c in ESTIMATORS if not isinstance(c[0], KNeighborsClassifier | LinearRegression)
]


@pytest.mark.parametrize("proto,y,online", ONE_OUTPUT, ids=[repr(e) for e, _, _ in ONE_OUTPUT])
def test_several_outputs_are_refused_saying_what_takes_them(proto, y, online):
    """Issue 20, item 8: scikit-learn's "y should be a 1d array" replaced by byhand's own
    message naming the estimators that take several outputs; a column vector (n, 1) still
    works with scikit-learn's DataConversionWarning."""
    Y = np.column_stack([y, y[::-1]])
    name = type(proto).__name__
    expected = f"^{name} takes one target per sample.*got y of shape \\(60, 2\\).*KNeighbors"
    with pytest.raises(ValueError, match=expected):
        clone(proto).fit(X, Y)
    with pytest.raises(ValueError, match=expected):
        clone(proto).fit(X, Y.tolist())
    if online:
        with pytest.raises(ValueError, match=expected):
            clone(proto).partial_fit(X, Y, classes=np.unique(y))
    with pytest.warns(DataConversionWarning):
        column = clone(proto).fit(X, y[:, None])
    np.testing.assert_array_equal(column.predict(X), clone(proto).fit(X, y).predict(X))
