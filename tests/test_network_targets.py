"""Issue 20, items 5 and 8: the targets the network classifiers take and keep.

Item 5: ``warm_start`` on another label set is refused with scikit-learn's error naming the
old and the new classes (the output units stand for the old ones). Item 8: a multilabel
indicator y is supported as scikit-learn's MLPClassifier supports it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.neural_network import MLPClassifier as SkMLP

from byhand._network_base import MultilabelLogisticLoss
from byhand.neural_network import CNNClassifier, MLPClassifier

CLASSIFIERS = [
    lambda **kw: MLPClassifier((8,), max_iter=5, tol=None, random_state=0, **kw),
    lambda **kw: CNNClassifier(((2, 3, 1),), (8,), max_iter=3, tol=None, random_state=0, **kw),
]


@pytest.fixture(scope="module")
def images():
    X, y = load_digits(return_X_y=True)
    keep = y < 3
    return (X[keep][:150] / 16.0).astype(np.float32), y[keep][:150]


@pytest.fixture(scope="module")
def multilabel():
    X, Y = make_multilabel_classification(n_samples=200, n_features=16, n_classes=4,
                                          random_state=0)  # fmt: skip
    return X / X.max(), Y


# -- item 5 ----------------------------------------------------------------------------------
@pytest.mark.parametrize("make", CLASSIFIERS)
def test_warm_start_on_renamed_labels_is_refused_as_in_scikit_learn(make, images):
    """The issue's case: labels 0/1/2 renamed 5/3/4. The fitted output units stand for
    0/1/2; scikit-learn raises, naming both label sets, and so does byhand, leaving the
    fitted weights as they were."""
    X, y = images
    renamed = np.array([5, 3, 4])[y]
    message = (
        r"warm_start can only be used where `y` has the same classes as in the previous "
        r"call to fit. Previously got \[0 1 2\], `y` has \[3 4 5\]"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = SkMLP(hidden_layer_sizes=(4,), max_iter=2, warm_start=True).fit(X, y)
        with pytest.raises(ValueError, match=message):
            sk.fit(X, renamed)
        est = make(warm_start=True).fit(X, y)
        before = [a.copy() for a in est._coef_arrays()]
        with pytest.raises(ValueError, match=message):
            est.fit(X, renamed)
        for a, b in zip(before, est._coef_arrays(), strict=True):
            np.testing.assert_array_equal(a, b)
        assert est.classes_.tolist() == [0, 1, 2]
        with pytest.raises(ValueError, match=r"Previously got \[0 1 2\], `y` has \[0 1\]"):
            est.fit(X, np.minimum(y, 1))  # fewer classes: other output units
        est.fit(X[::-1], y[::-1])  # the same classes in another order: continued
        unknown = r"partial_fit: y holds labels \[3, 4, 5\] .* \[0, 1, 2\]"
        with pytest.raises(ValueError, match=unknown):
            est.partial_fit(X, renamed)


@pytest.mark.parametrize("make", CLASSIFIERS)
def test_warm_start_from_class_labels_to_a_multilabel_y_is_refused(make, images):
    X, y = images
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = make(warm_start=True).fit(X, y)
        with pytest.raises(ValueError, match="multilabel y with labels"):
            est.fit(X, np.eye(3, dtype=int)[y] | np.eye(3, dtype=int)[(y + 1) % 3])


# -- item 8 ----------------------------------------------------------------------------------
def test_multilabel_loss_against_literal_loops_and_finite_differences(rng):
    z = rng.standard_normal((5, 3))
    y = np.where(rng.random((5, 3)) < 0.5, -1.0, 1.0)
    loss = MultilabelLogisticLoss()
    literal = sum(
        np.log(1 + np.exp(-y[n, k] * z[n, k])) for n in range(5) for k in range(3)
    ) / 5  # fmt: skip
    assert loss.forward(z, y) == pytest.approx(literal, rel=1e-12)
    grad = loss.backward()
    eps = 1e-6
    for n in range(5):
        for k in range(3):
            zp, zm = z.copy(), z.copy()
            zp[n, k] += eps
            zm[n, k] -= eps
            fd = MultilabelLogisticLoss().forward(zp, y) - MultilabelLogisticLoss().forward(zm, y)
            assert grad[n, k] == pytest.approx(fd / (2 * eps), abs=1e-8)
    big = MultilabelLogisticLoss().forward(np.array([[800.0, -800.0]]), np.array([[-1.0, 1.0]]))
    assert big == pytest.approx(1600.0)  # log(1 + e^800) without overflow
    with pytest.raises(ValueError, match="labels must be −1 or \\+1"):
        loss.forward(z, (y > 0).astype(float) * 2)


# a short budget on purpose: the ConvergenceWarning is expected
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_mlp_classifier_on_a_multilabel_y_behaves_as_scikit_learns(multilabel):
    X, Y = multilabel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = SkMLP(hidden_layer_sizes=(32,), max_iter=300, random_state=0).fit(X, Y)
    ours = MLPClassifier((32,), learning_rate=0.1, max_iter=300, random_state=0).fit(X, Y)
    assert ours.classes_.tolist() == sk.classes_.tolist() == [0, 1, 2, 3]
    assert ours.n_outputs_ == sk.n_outputs_ == 4
    assert ours.out_activation_ == sk.out_activation_ == "logistic"
    pred, proba = ours.predict(X), ours.predict_proba(X)
    assert pred.shape == sk.predict(X).shape == Y.shape
    assert pred.dtype == sk.predict(X).dtype
    assert proba.shape == sk.predict_proba(X).shape == Y.shape
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_array_equal(pred, (proba > 0.5).astype(int))
    np.testing.assert_allclose(ours.predict_log_proba(X), np.log(proba), rtol=1e-6, atol=1e-12)
    assert ours.score(X, Y) == accuracy_score(Y, pred)  # the subset accuracy, as sklearn
    assert ours.score(X, Y) >= sk.score(X, Y) - 0.1
    assert ours.score(X, Y) > accuracy_score(Y, np.zeros_like(Y)) + 0.2  # it learned
    # it learned every label, not one joint pattern: each column beats its majority vote
    for k in range(4):
        majority = max(Y[:, k].mean(), 1 - Y[:, k].mean())
        assert np.mean(pred[:, k] == Y[:, k]) > majority


def test_multilabel_partial_fit_early_stopping_and_the_cnn(multilabel):
    X, Y = multilabel
    est = MLPClassifier((8,), random_state=0)
    with pytest.raises(ValueError, match="pass classes="):
        est.partial_fit(X, Y)
    with pytest.raises(ValueError, match=r"classes must be the label indices \[0, 1, 2, 3\]"):
        est.partial_fit(X, Y, classes=[1, 2])
    est.partial_fit(X, Y, classes=[0, 1, 2, 3]).partial_fit(X, Y)
    assert est.n_iter_ == 2 and est.predict(X).shape == Y.shape
    with pytest.raises(ValueError, match="multilabel indicator of 3 labels"):
        est.partial_fit(X, Y[:, :3])
    with pytest.raises(ValueError, match="fitted on a multilabel y of 4 labels"):
        est.partial_fit(X, Y[:, 0])
    early = MLPClassifier((8,), early_stopping=True, max_iter=5, tol=None, random_state=0)
    early.fit(X, Y)
    assert len(early.validation_scores_) == 5
    assert all(0.0 <= s <= 1.0 for s in early.validation_scores_)
    cnn = CNNClassifier(((2, 3, 1),), (8,), max_iter=2, tol=None, random_state=0).fit(X, Y)
    assert cnn.predict(X).shape == cnn.predict_proba(X).shape == Y.shape
    assert cnn.classes_.tolist() == [0, 1, 2, 3]


def test_targets_a_network_classifier_does_not_take_are_named(multilabel):
    X, Y = multilabel
    with pytest.raises(ValueError, match="'multiclass-multioutput' target .* one classifier"):
        MLPClassifier((4,), max_iter=1).fit(X, Y * np.arange(1, 5))
    with pytest.raises(ValueError, match="sample_weight is supported for class labels"):
        MLPClassifier((4,), max_iter=1).fit(X, Y, sample_weight=np.ones(len(X)))


def test_the_mlp_classifier_docstring_examples_run():
    import doctest

    import byhand.neural_network as module

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(module.MLPClassifier, "MLPClassifier") if t.examples]
    assert tests
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for test in tests:
            runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
