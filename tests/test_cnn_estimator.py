"""CNNClassifier: scikit-learn's checks, image inputs, Adam/Dropout resume, save/load, MNIST."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

import byhand
from byhand import CNNClassifier
from byhand.checkpoint import load_checkpoint, save_checkpoint

SMALL = {"conv_layers": ((3, 3, 1),), "dense_layers": (8,), "max_iter": 30, "random_state": 0}


@parametrize_with_checks(
    [
        CNNClassifier(**SMALL),
        CNNClassifier(**{**SMALL, "solver": "adam", "learning_rate": 0.01, "dropout": 0.2}),
    ]
)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def _digits():
    X, y = byhand.datasets.load_digits()
    return X.reshape(-1, 8, 8).astype(np.float32), y


def test_image_layouts_give_the_same_network():
    X, y = _digits()
    X, y = X[:300], y[:300]
    kw = {"conv_layers": ((4, 3, 1),), "dense_layers": (16,), "max_iter": 2, "tol": None}
    a = CNNClassifier(random_state=1, **kw).fit(X, y)  # (N, H, W)
    b = CNNClassifier(random_state=1, **kw).fit(X[:, None], y)  # (N, C, H, W)
    c = CNNClassifier(random_state=1, **kw).fit(X.reshape(300, -1), y)  # rows, 64 = 8²
    d = CNNClassifier(random_state=1, image_shape=(8, 8), **kw).fit(X.reshape(300, -1), y)
    for other in (b, c, d):
        assert other.image_shape_ == (1, 8, 8)
        np.testing.assert_array_equal(other.conv_weights_[0], a.conv_weights_[0])
    np.testing.assert_array_equal(a.predict_proba(X), c.predict_proba(X.reshape(300, -1)))
    assert a.conv_weights_[0].shape == (4, 1, 3, 3)
    with pytest.raises(ValueError, match="fitted on"):
        a.predict(np.zeros((2, 1, 7, 8), np.float32))
    with pytest.raises(ValueError, match="image_shape"):
        CNNClassifier(image_shape=(7, 7), **kw).fit(X.reshape(300, -1), y)
    with pytest.raises(ValueError, match="image_shape"):
        CNNClassifier(image_shape=(0, 7), **kw).fit(X.reshape(300, -1), y)
    with pytest.raises(ValueError, match="conv_layers"):
        CNNClassifier(conv_layers=((4, 0),)).fit(X, y)


def test_default_network_is_lenet5_like_on_28x28():
    X = np.zeros((4, 28, 28), np.float32)
    clf = CNNClassifier(max_iter=1, tol=None, random_state=0).fit(X, [0, 1, 2, 3])
    shapes = [w.shape for w in clf.conv_weights_] + [w.shape for w in clf.coefs_]
    assert shapes == [(6, 1, 5, 5), (16, 6, 5, 5), (400, 120), (120, 84), (84, 4)]


@pytest.mark.parametrize(
    "params",
    [{"solver": "adam", "learning_rate": 0.003}, {"dropout": 0.3}],
    ids=["adam", "dropout"],
)
def test_checkpoint_resume_is_bit_identical(params, tmp_path):
    X, y = _digits()
    X, y = X[:400], y[:400]
    kw = {"conv_layers": ((4, 3, 1),), "dense_layers": (16,), "tol": None, "random_state": 3}
    snaps = {}

    def keep(state):
        snaps[state.epoch] = state.snapshot()

    full = CNNClassifier(max_iter=4, **params, **kw).fit(X, y, callbacks=[keep])
    save_checkpoint(tmp_path, snaps[2])  # through the checkpoint file: arrays + JSON
    snapshot, _ = load_checkpoint(tmp_path)
    resumed = CNNClassifier(max_iter=4, **params, **kw).fit(X, y, resume_state=snapshot)
    for a, b in zip(full.conv_weights_ + full.coefs_, resumed.conv_weights_ + resumed.coefs_):
        np.testing.assert_array_equal(a, b)
    assert full.loss_curve_[2:] == resumed.loss_curve_[2:]
    if "dropout" in params:  # the masks really differ between epochs: the RNG state matters
        assert len(snaps[2]["module_rngs"]) == 1


def test_save_load_and_partial_fit(tmp_path):
    X, y = _digits()
    kw = {"conv_layers": ((4, 3, 1),), "dense_layers": (16,), "random_state": 0}
    clf = CNNClassifier(solver="adam", learning_rate=0.003, max_iter=2, tol=None, **kw)
    clf.fit(X[:300], y[:300])
    path = byhand.save(clf, tmp_path / "cnn.npz")
    loaded = byhand.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X[300:400]), clf.predict_proba(X[300:400]))
    loaded.partial_fit(X[:300], y[:300])
    clf.partial_fit(X[:300], y[:300])
    np.testing.assert_array_equal(loaded.coefs_[0], clf.coefs_[0])
    online = CNNClassifier(**kw)
    for _ in range(3):
        online.partial_fit(X[:600], y[:600], classes=np.arange(10))
    assert online.n_iter_ == 3 and online.score(X[600:900], y[600:900]) > 0.5


def test_a_short_mnist_run_learns(mnist_home):
    from byhand.datasets import load_mnist

    X, y = load_mnist("train", flatten=False, data_home=mnist_home, download=False)
    Xt, yt = load_mnist("test", flatten=False, data_home=mnist_home, download=False)
    clf = CNNClassifier(max_iter=1, tol=None, random_state=0).fit(X[:3000], y[:3000])
    assert clf.score(Xt[:1000], yt[:1000]) > 0.7  # chance is 0.1


def test_command_line_trains_a_cnn_and_resumes(tmp_path):
    import subprocess
    import sys

    def train(*extra):
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "byhand",
                "train",
                "cnn-classifier",
                "--data",
                "digits",
                "--param",
                "conv_layers=4",
                "--param",
                "dense_layers=16",
                "--quiet",
                "--checkpoint-dir",
                str(tmp_path / "ck"),
                *extra,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )

    res = train("--epochs", "2", "--out", str(tmp_path / "a.npz"))
    assert res.returncode == 0, res.stderr
    res = train("--epochs", "3", "--resume", "--out", str(tmp_path / "b.npz"))
    assert res.returncode == 0, res.stderr
    assert "resuming" in res.stdout
    straight = train("--epochs", "3", "--out", str(tmp_path / "c.npz"))
    assert straight.returncode == 0, straight.stderr
    b, c = byhand.load(tmp_path / "b.npz"), byhand.load(tmp_path / "c.npz")
    assert b.n_iter_ == 3
    np.testing.assert_array_equal(b.conv_weights_[0], c.conv_weights_[0])
