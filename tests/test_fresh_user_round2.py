"""What a fresh user's edge-case session found (issue 20's kinds): zero-sample images, the
advice of the max_iter warning when the loss grows, and the max_iter=0 message of Newton."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import byhand
from byhand import nn


@pytest.mark.parametrize("shape", [(0, 1, 4, 4), (0, 4, 4)])
def test_cnn_on_zero_images_says_zero_samples(shape):
    rng = np.random.default_rng(0)
    X = rng.random((20, 1, 4, 4))
    y = np.arange(20) % 2
    clf = byhand.CNNClassifier(
        conv_layers=((2, 3, 1),), dense_layers=(4,), max_iter=2, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    for call in (clf.predict, clf.predict_proba):
        with pytest.raises(ValueError, match="0 sample"):
            call(np.zeros(shape))
    with pytest.raises(ValueError, match="0 sample"):
        byhand.CNNClassifier().fit(np.zeros(shape), np.zeros(0))


def test_binary_loss_predict_on_an_empty_batch():
    for loss in (nn.HingeLoss(), nn.PerceptronLoss(), nn.LogisticLoss()):
        assert loss.predict(np.zeros((0, 1))).shape == (0,)
        assert loss.predict(np.zeros(0)).shape == (0,)


def test_max_iter_warning_says_lower_the_step_when_the_loss_grows():
    X, y = byhand.datasets.make_moons(200, random_state=0)
    clf = byhand.MLPClassifier((8,), max_iter=5, learning_rate=50.0, random_state=0)
    with pytest.warns(ConvergenceWarning) as rec:
        clf.fit(X, y)
    loss = clf.loss_curve_
    assert loss[-1] > loss[0]  # the setting of the finding: the loss grows
    text = " ".join(str(w.message) for w in rec)
    assert "grew from" in text and "lower learning_rate" in text
    assert "still improves" not in text
    slow = byhand.MLPClassifier((8,), max_iter=2, learning_rate=0.001, random_state=0)
    with pytest.warns(ConvergenceWarning, match="still improves"):
        slow.fit(X, y)


def test_newton_max_iter_zero_says_no_step_was_taken():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (rng.random(60) < 0.5).astype(int)
    with pytest.warns(ConvergenceWarning) as rec:
        byhand.LogisticRegression(max_iter=0, alpha=1.0).fit(X, y)
    text = " ".join(str(w.message) for w in rec)
    assert "max_iter=0, no step was taken" in text and "alpha=0" not in text
