"""Issue 20, item 8: the targets scikit-learn's ``KNeighborsClassifier`` takes.

A 2-D y (several outputs, multilabel indicators included) is voted on output by output by
the same K neighbours: ``predict`` (n, n_outputs), ``predict_proba`` a list of arrays,
``classes_`` a list (it failed with scikit-learn's generic "y should be a 1d array").
Oracles: scikit-learn's ``KNeighborsClassifier`` on the same data, and the single-output
fits stacked (scikit-learn's own ``test_KNeighborsClassifier_multioutput``).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import DataConversionWarning
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier as SkKNN

from byhand.neighbors import KNeighborsClassifier

WEIGHTS = ["uniform", "distance"]


def _multioutput_data():
    """scikit-learn's test data: 50 samples of 5 features, 3 outputs of 3 classes each."""
    rng = np.random.RandomState(0)
    X = rng.rand(50, 5)
    y = rng.randint(0, 3, (50, 3))
    return train_test_split(X, y, random_state=0)


@pytest.mark.parametrize("weights", WEIGHTS)
def test_multioutput_is_the_single_outputs_stacked(weights):
    """Adapted from scikit-learn's test_KNeighborsClassifier_multioutput."""
    X_train, X_test, y_train, y_test = _multioutput_data()
    so_pred, so_proba = [], []
    for o in range(y_train.shape[1]):
        knn = KNeighborsClassifier(weights=weights).fit(X_train, y_train[:, o])
        so_pred.append(knn.predict(X_test))
        so_proba.append(knn.predict_proba(X_test))
    mo = KNeighborsClassifier(weights=weights).fit(X_train, y_train)
    pred = mo.predict(X_test)
    assert pred.shape == y_test.shape
    np.testing.assert_array_equal(pred, np.vstack(so_pred).T)
    proba = mo.predict_proba(X_test)
    assert isinstance(proba, list) and len(proba) == y_train.shape[1]
    for p, q in zip(proba, so_proba, strict=True):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("labels", ["int", "str", "indicator"])
def test_multioutput_matches_scikit_learn(weights, labels):
    X_train, X_test, y_train, _ = _multioutput_data()
    if labels == "str":
        y_train = np.array(["cat", "dog", "emu"])[y_train]
    elif labels == "indicator":  # multilabel: one 0/1 column per label
        y_train = (y_train == 2).astype(int)
    ours = KNeighborsClassifier(n_neighbors=4, weights=weights).fit(X_train, y_train)
    theirs = SkKNN(n_neighbors=4, weights=weights).fit(X_train, y_train)
    assert ours.outputs_2d_ and theirs.outputs_2d_
    for c, d in zip(ours.classes_, theirs.classes_, strict=True):
        np.testing.assert_array_equal(c, d)
    np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test))
    for p, q in zip(ours.predict_proba(X_test), theirs.predict_proba(X_test), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-12)
    # leave-one-out on the training points (X=None), as scikit-learn
    np.testing.assert_array_equal(ours.predict(None), theirs.predict(None))
    if labels == "indicator":  # subset accuracy, scikit-learn's multilabel score
        assert ours.score(X_train, y_train) == theirs.score(X_train, y_train)


def test_column_vector_y_is_one_output_with_scikit_learns_warning():
    X_train, X_test, y_train, _ = _multioutput_data()
    col = y_train[:, :1]
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        knn = KNeighborsClassifier().fit(X_train, col)
    assert not knn.outputs_2d_
    np.testing.assert_array_equal(knn.classes_, [0, 1, 2])
    flat = KNeighborsClassifier().fit(X_train, col[:, 0])
    np.testing.assert_array_equal(knn.predict(X_test), flat.predict(X_test))
    assert knn.predict(X_test).shape == (X_test.shape[0],)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_predict_proba_counts_votes_as_scikit_learn(dtype):
    """Adapted from scikit-learn's test_kneighbors_classifier_predict_proba (Euclidean
    distance here; the votes are counted by hand): labels 4, 5, 1 and string labels give
    the same shares."""
    X = np.array([[0, 2, 0], [0, 2, 1], [2, 0, 0], [2, 2, 0], [0, 0, 2], [0, 0, 1.5]], dtype)
    y = np.array([4, 4, 5, 5, 1, 1])
    # the 3 nearest of each training point (itself included), by hand:
    # 0: {0, 1, 3}, 1: {1, 0, 5}, 2: {2, 3, 5}, 3: {3, 0, 2}, 4: {4, 5, 1}, 5: {5, 4, 1}
    real = np.array([[0, 2, 1], [1, 2, 0], [1, 0, 2], [0, 1, 2], [2, 1, 0], [2, 1, 0]]) / 3
    knn = KNeighborsClassifier(n_neighbors=3).fit(X, y)
    np.testing.assert_array_equal(knn.predict_proba(X), real)
    np.testing.assert_array_equal(knn.fit(X, y.astype(str)).predict_proba(X), real)
    np.testing.assert_allclose(SkKNN(n_neighbors=3).fit(X, y).predict_proba(X), real)


def test_float_labels_and_string_labels_as_scikit_learn():
    """Adapted from scikit-learn's test_kneighbors_classifier(_float_labels)."""
    rng = np.random.RandomState(0)
    X = 2 * rng.rand(40, 5) - 1
    y = ((X**2).sum(axis=1) < 0.5).astype(int)
    eps = 1e-5 * (2 * rng.rand(1, 5) - 1)
    for labels in (y, y.astype(float), y.astype(str)):
        knn = KNeighborsClassifier(n_neighbors=5).fit(X, labels)
        np.testing.assert_array_equal(knn.predict(X[:10] + eps), labels[:10])


def test_a_model_saved_before_multi_output_support_still_predicts():
    """Models pickled or saved by byhand.save before ``outputs_2d_`` existed load without it."""
    X_train, X_test, y_train, _ = _multioutput_data()
    knn = KNeighborsClassifier().fit(X_train, y_train[:, 0])
    expected = knn.predict(X_test)
    del knn.outputs_2d_
    np.testing.assert_array_equal(knn.predict(X_test), expected)


def test_docstring_examples_run():
    """The Examples sections of the k-NN and HOG estimators run as written."""
    import doctest

    import byhand.features
    import byhand.neighbors

    for module in (byhand.neighbors, byhand.features):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
