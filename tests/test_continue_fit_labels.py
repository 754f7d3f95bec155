"""Issue 20, item 5: continuing a fit (``warm_start=True``, ``partial_fit``) on a changed
label set is refused with an error naming the old and the new classes, in every classical
estimator that can continue a fit; a refused call leaves the fitted model as it was.

scikit-learn's rules are the oracle: ``warm_start`` needs the same classes as the previous
fit (``MLPClassifier``'s "warm_start can only be used where `y` has the same classes");
``partial_fit`` takes any subset of ``classes_`` but no label outside it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits

from byhand.linear_model import (
    LinearRegression,
    LinearSVM,
    LogisticRegression,
    MulticlassPerceptron,
    Perceptron,
    SoftmaxRegression,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

rng = np.random.default_rng(0)
X = rng.standard_normal((60, 3))
Y2 = (X[:, 0] > 0).astype(int)
Y3 = Y2 + (X[:, 1] > 0)

BINARY = [
    Perceptron(),
    LogisticRegression(),
    LogisticRegression(solver="sgd", max_iter=3, random_state=0),
    LinearSVM(max_iter=3, random_state=0),
]
MULTI = [
    MulticlassPerceptron(),
    SoftmaxRegression(max_iter=3, random_state=0),
    SoftmaxRegression(solver="lbfgs"),
]
CASES = [(e, Y2) for e in BINARY] + [(e, Y3) for e in MULTI]
CASE_IDS = [repr(e) for e, _ in CASES]


def _changed(y):
    """Renamed labels (a permutation onto other values), a subset, and a new label."""
    k = int(y.max()) + 1
    return {
        "renamed": np.array([5, 3, 4][:k])[y],
        "subset": np.where(y == 0, 1, y),
        "new label": np.where(y == 0, 7, y),
    }


def _snapshot(est):
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(est).items()}


def _assert_unchanged(est, before):
    assert set(vars(est)) == set(before)
    for k, v in before.items():
        if isinstance(v, np.ndarray):
            np.testing.assert_array_equal(getattr(est, k), v)


@pytest.mark.parametrize("change", ["renamed", "subset", "new label"])
@pytest.mark.parametrize("proto,y", CASES, ids=CASE_IDS)
def test_warm_start_refuses_other_classes_and_names_both(proto, y, change):
    est = clone(proto).set_params(warm_start=True).fit(X, y)
    before = _snapshot(est)
    new_y = _changed(y)[change]
    old_text = str(np.unique(y).tolist())
    new_text = str(np.unique(new_y).tolist())
    with pytest.raises(ValueError, match="warm_start") as info:
        est.fit(X, new_y)
    assert f"Previously got {old_text}, y has {new_text}" in str(info.value)
    _assert_unchanged(est, before)
    # the same labels continue; warm_start=False starts over on any labels
    est.fit(X, y)
    if np.unique(new_y).size >= 2:
        fresh = clone(est).set_params(warm_start=False).fit(X, new_y)
        assert set(fresh.classes_) == set(np.unique(new_y))


@pytest.mark.parametrize("proto,y", CASES, ids=CASE_IDS)
def test_warm_start_refuses_other_features(proto, y):
    est = clone(proto).set_params(warm_start=True).fit(X, y)
    before = _snapshot(est)
    with pytest.raises(ValueError, match="continues a fit on 3 features; X has 2"):
        est.fit(X[:, :2], y)
    _assert_unchanged(est, before)


def test_linear_regression_warm_start_refuses_other_targets_and_features():
    yr = X @ [1.0, 2.0, 3.0]
    est = LinearRegression(solver="gd", learning_rate=0.1, max_iter=5, warm_start=True)
    est.fit(X, yr)
    with pytest.raises(ValueError, match="continues a fit on 1 target\\(s\\); y has 2"):
        est.fit(X, np.column_stack([yr, -yr]))
    with pytest.raises(ValueError, match="continues a fit on 3 features; X has 2"):
        est.fit(X[:, :2], yr)
    # lstsq has no starting point: warm_start changes nothing, any shape is a new fit
    LinearRegression(warm_start=True).fit(X, yr).fit(X[:, :2], np.column_stack([yr, -yr]))


@pytest.mark.parametrize(
    "proto,y",
    [
        (Perceptron(), Y2),
        (LogisticRegression(solver="sgd"), Y2),
        (LinearSVM(), Y2),
        (MulticlassPerceptron(), Y3),
        (SoftmaxRegression(), Y3),
    ],
    ids=lambda v: repr(v) if not isinstance(v, np.ndarray) else "",
)
@pytest.mark.parametrize("after", ["partial_fit", "fit"])
def test_partial_fit_takes_a_subset_and_refuses_labels_outside_classes(proto, y, after):
    est = clone(proto)
    if after == "fit":
        est.fit(X, y)
    else:
        est.partial_fit(X, y, classes=np.unique(y))
    changed = _changed(y)
    est.partial_fit(X, changed["subset"])  # scikit-learn: a batch may miss classes
    np.testing.assert_array_equal(est.classes_, np.unique(y))
    for change in ("renamed", "new label"):
        before = _snapshot(est)
        with pytest.raises(ValueError, match="not in classes_") as info:
            est.partial_fit(X, changed[change])
        outside = sorted(set(np.unique(changed[change]).tolist()) - set(np.unique(y).tolist()))
        assert str(outside[0]) in str(info.value)
        _assert_unchanged(est, before)
    with pytest.raises(ValueError, match="classes"):
        est.partial_fit(X, y, classes=np.unique(changed["renamed"]))


def test_softmax_warm_start_on_renamed_digits_was_silently_wrong():
    """The instance of the issue, on the linear side: SoftmaxRegression(warm_start=True) refit
    on digits 0/1/2 renamed 5/3/4 reused each old class's weights for another class (training
    accuracy 0.49 against 0.96 for a fresh model). Now the refit is refused."""
    X_d, y_d = load_digits(return_X_y=True)
    keep = y_d < 3
    X_d, y_d = X_d[keep][:300] / 16, y_d[keep][:300]
    renamed = np.array([5, 3, 4])[y_d]
    est = SoftmaxRegression(max_iter=1, tol=None, warm_start=True, random_state=0)
    est.fit(X_d, y_d)
    with pytest.raises(ValueError, match=r"Previously got \[0, 1, 2\], y has \[3, 4, 5\]"):
        est.fit(X_d, renamed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fresh = clone(est).set_params(warm_start=False).fit(X_d, renamed)
    assert fresh.score(X_d, renamed) > 0.9
