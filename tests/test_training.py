"""The training loop: the lectures' examples, determinism, callbacks, divergence, bad input."""

from __future__ import annotations

import io
import sys
import warnings

import numpy as np
import pytest

import byhand
from byhand import nn, optim
from byhand.training import DivergenceWarning, restore

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_Y = np.array([-1, 1, 1, -1])
# 000 (CS 577 Lecture 01), "Linear regression": N = 3 points (1,2), (2,3), (3,1)
LECTURE_X = np.array([[1.0], [2.0], [3.0]])
LECTURE_Y = np.array([2.0, 3.0, 1.0])


def _xor_net(seed=0):
    return nn.Sequential(
        nn.Linear(2, 16, random_state=seed), nn.Tanh(), nn.Linear(16, 1, random_state=seed + 1)
    )


def test_fit_trains_a_2_16_1_tanh_net_on_xor():
    net = _xor_net()
    hist = byhand.fit(
        net,
        nn.LogisticLoss(),
        optim.SGD(net.parameters(), 0.5),
        XOR_X,
        XOR_Y,
        epochs=500,
        verbose=0,
    )
    assert hist.metric[-1] == 1.0
    np.testing.assert_array_equal(nn.LogisticLoss().predict(net(XOR_X)), XOR_Y)


def test_full_batch_gd_on_the_lecture_example_reaches_theta_star():
    lin = nn.Linear(1, 1, init="zeros", dtype=np.float64)
    hist = byhand.fit(
        lin,
        nn.MSELoss(),
        optim.SGD(lin.parameters(), 0.1),
        LECTURE_X,
        LECTURE_Y,
        epochs=2000,
        verbose=0,
    )
    theta = [lin.weight.data[0, 0], lin.bias.data[0]]
    np.testing.assert_allclose(theta, [-0.5, 3.0], atol=1e-6)
    # the loss at θ* is the least-squares residual: (1/3)·Σ(−0.5x + 3 − y)² = 1.5/3
    assert hist.loss[-1] == pytest.approx(0.5, abs=1e-6)
    assert hist.metric_name == "r2"


def test_gd_with_step_above_two_over_L_diverges_with_a_warning():
    lin = nn.Linear(1, 1, init="zeros", dtype=np.float64)
    with pytest.warns(DivergenceWarning, match="epoch"):
        hist = byhand.fit(
            lin,
            nn.MSELoss(),
            optim.SGD(lin.parameters(), 0.2),
            LECTURE_X,
            LECTURE_Y,
            epochs=2000,
            verbose=0,
        )
    assert hist.diverged and hist.epochs < 2000


def _train(seed, epochs=5, shuffle=True, **kw):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 4)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = nn.Sequential(nn.Linear(4, 8, random_state=1), nn.ReLU(), nn.Linear(8, 2, random_state=2))
    opt = optim.SGD(net.parameters(), 0.1, momentum=0.9)
    hist = byhand.fit(
        net,
        nn.CrossEntropyLoss(),
        opt,
        X,
        y,
        epochs=epochs,
        batch_size=16,
        shuffle=shuffle,
        random_state=seed,
        verbose=0,
        **kw,
    )
    return net, hist


def test_same_seed_gives_bit_identical_weights_and_other_seed_differs():
    a, _ = _train(7)
    b, _ = _train(7)
    c, _ = _train(8)
    assert all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters()))
    assert not all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), c.parameters()))


def test_minibatch_without_shuffle_equals_the_literal_loop():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((10, 2)), rng.standard_normal(10)
    lin = nn.Linear(2, 1, init="zeros", dtype=np.float64)
    byhand.fit(
        lin,
        nn.MSELoss(),
        optim.SGD(lin.parameters(), 0.05),
        X,
        y,
        epochs=3,
        batch_size=4,
        shuffle=False,
        verbose=0,
    )
    w, b = np.zeros(2), 0.0
    for _ in range(3):
        for s in range(0, 10, 4):
            xb, yb = X[s : s + 4], y[s : s + 4]
            r = xb @ w + b - yb
            w, b = w - 0.05 * 2 * xb.T @ r / len(yb), b - 0.05 * 2 * r.sum() / len(yb)
    np.testing.assert_allclose(lin.weight.data[:, 0], w, rtol=1e-12)
    np.testing.assert_allclose(lin.bias.data[0], b, rtol=1e-12)


def test_history_validation_and_callbacks():
    seen = []

    def stop_at_three(state):
        seen.append(state.epoch)
        return state.epoch == 3

    rng = np.random.default_rng(1)
    Xv, yv = rng.standard_normal((30, 4)), rng.integers(0, 2, 30)
    _, hist = _train(0, epochs=10, validation_data=(Xv, yv), callbacks=[stop_at_three])
    assert seen == [1, 2, 3]
    assert len(hist.loss) == len(hist.metric) == len(hist.val_loss) == len(hist.time) == 3
    assert all(0 <= m <= 1 for m in hist.val_metric)
    assert all(t > 0 for t in hist.time)


def test_early_stopping_stops_when_validation_stops_improving():
    rng = np.random.default_rng(1)
    Xv = rng.standard_normal((30, 4))
    yv = rng.integers(0, 2, 30)  # unrelated labels: the validation loss soon stops falling
    _, hist = _train(0, epochs=200, validation_data=(Xv, yv), patience=3)
    assert hist.stopped_early and hist.epochs < 200
    assert hist.epochs - hist.best_epoch == 3


def test_snapshot_and_restore_resume_bit_identically():
    full, _ = _train(5, epochs=6)
    snaps = []
    _train(5, epochs=3, callbacks=[lambda s: snaps.append(s.snapshot())])
    net = nn.Sequential(nn.Linear(4, 8, random_state=1), nn.ReLU(), nn.Linear(8, 2, random_state=2))
    opt = optim.SGD(net.parameters(), 0.1, momentum=0.9)
    rng, hist = restore(snaps[-1], net, opt)
    data = np.random.default_rng(0).standard_normal((200, 4)).astype(np.float32)
    byhand.fit(
        net,
        nn.CrossEntropyLoss(),
        opt,
        data,
        (data[:, 0] * data[:, 1] > 0).astype(int),
        epochs=6,
        batch_size=16,
        random_state=rng,
        history=hist,
        verbose=0,
    )
    assert hist.epochs == 6
    assert all(np.array_equal(p.data, q.data) for p, q in zip(full.parameters(), net.parameters()))


def test_progress_bar_on_a_terminal_plain_lines_elsewhere(monkeypatch, capsys):
    net = _xor_net()
    byhand.fit(
        net, nn.LogisticLoss(), optim.SGD(net.parameters(), 0.5), XOR_X, XOR_Y, epochs=3, verbose=1
    )
    assert capsys.readouterr().out.splitlines()[-1].startswith("epoch 3/3  loss ")  # plain

    class Tty(io.StringIO):
        def isatty(self):
            return True

    fake = Tty()
    monkeypatch.setattr(sys, "stdout", fake)
    byhand.fit(
        net, nn.LogisticLoss(), optim.SGD(net.parameters(), 0.5), XOR_X, XOR_Y, epochs=3, verbose=1
    )
    assert "epoch" in fake.getvalue() and "loss" in fake.getvalue()


@pytest.mark.parametrize(
    "X,y,match",
    [
        (np.array([[0.0, np.nan]] * 4), XOR_Y, "X contains NaN in feature 1 of sample 0"),
        (np.array([[0.0, 1.0], [2.0, -np.inf]] * 2), XOR_Y, "-inf in feature 1 of sample 1"),
        (XOR_X, XOR_Y[:3], "same number of samples, got 4 and 3"),
        (XOR_X[:, 0], XOR_Y, "2-D array"),
        (XOR_X, np.array([0, 1, 1, 0]), "−1 or \\+1"),
    ],
)
def test_fit_bad_input(X, y, match):
    net = _xor_net()
    with pytest.raises(ValueError, match=match):
        byhand.fit(
            net, nn.LogisticLoss(), optim.SGD(net.parameters(), 0.5), X, y, epochs=1, verbose=0
        )


def test_fit_wrong_width_names_the_expected_shape():
    net = _xor_net()
    with pytest.raises(ValueError, match=r"\(N, 2\), got \(\d+, 3\)"):
        byhand.fit(
            net,
            nn.LogisticLoss(),
            optim.SGD(net.parameters(), 0.5),
            np.ones((4, 3)),
            XOR_Y,
            epochs=1,
            verbose=0,
        )


def test_class_index_beyond_k_in_fit():
    net = nn.Sequential(nn.Linear(2, 3, random_state=0))
    with pytest.raises(ValueError, match="0..2"):
        byhand.fit(
            net,
            nn.CrossEntropyLoss(),
            optim.SGD(net.parameters(), 0.1),
            XOR_X,
            np.array([0, 1, 2, 3]),
            epochs=1,
            verbose=0,
        )


def test_no_warnings_on_a_healthy_run():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _train(0, epochs=2)


@pytest.mark.parametrize(
    "est",
    [
        lambda: byhand.MLPClassifier(hidden_layer_sizes=(4,), max_iter=1),
        lambda: byhand.MLPRegressor(hidden_layer_sizes=(4,), max_iter=1),
        lambda: byhand.MLPClassifier(hidden_layer_sizes=(4,), max_iter=1, early_stopping=True),
    ],
)
def test_network_estimators_name_themselves_and_the_feature_of_a_nan(est):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 5))
    y = (X[:, 0] > 0).astype(int)
    for row in (3, 57):  # a training row and (with early stopping) perhaps a validation row
        bad = X.copy()
        bad[row, 4] = np.nan
        # named as the caller gave it, also where a validation split moved the row
        with pytest.raises(
            ValueError, match=rf"^MLP\w+: X contains NaN in feature 4 of sample {row}$"
        ):
            est().fit(bad, y)


def test_cnn_estimator_names_the_pixel_of_an_inf():
    X = np.zeros((20, 1, 4, 4))
    X[5, 0, 2, 3] = np.inf
    with pytest.raises(
        ValueError, match=r"CNNClassifier: X contains inf in pixel \(0, 2, 3\) of sample 5$"
    ):
        byhand.CNNClassifier(conv_layers=((2, 3, 1),), dense_layers=(), max_iter=1).fit(
            X, np.arange(20) % 2
        )


def test_fit_names_a_value_beyond_the_models_dtype_without_numpy_warnings():
    X = np.ones((6, 2))
    X[3, 1] = -1e300  # finite in float64, -inf once cast to the float32 model
    net = nn.Sequential(nn.Linear(2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "overflow encountered in cast"
        with pytest.raises(ValueError, match=r"X holds -1e\+300 in feature 1 of sample 3, beyond"):
            byhand.fit(
                net,
                nn.CrossEntropyLoss(),
                optim.SGD(net.parameters(), lr=0.1),
                X,
                np.arange(6) % 2,
                epochs=1,
                verbose=0,
            )


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_cross_entropy_refuses_non_finite_float_labels_by_name(bad):
    y = np.array([0.0, 1.0, bad, 1.0])
    with pytest.raises(ValueError, match=r"class indices, got NaN or inf \(first at sample 2\)"):
        nn.CrossEntropyLoss().check_targets(y)


def test_fuse_step_true_names_the_module_that_cannot_fuse():
    class Scale(nn.Module):  # a parameter, and no supports_fused_step declared
        def __init__(self):
            self.a = nn.Parameter(np.ones(1, np.float32))

        def forward(self, x):
            self._x = x
            return x * self.a.data

        def backward(self, g):
            self.a.accumulate(np.array([np.sum(g * self._x)], np.float32))
            return g * self.a.data

    net = nn.Sequential(nn.Linear(2, 2), Scale())
    with pytest.raises(ValueError, match=r"supports_fused_step \(Scale\)"):
        byhand.fit(
            net,
            nn.CrossEntropyLoss(),
            optim.SGD(net.parameters(), lr=0.1),
            np.ones((4, 2), np.float32),
            np.arange(4) % 2,
            epochs=1,
            verbose=0,
            fuse_step=True,
        )


def test_mse_loss_names_the_first_non_finite_target():
    with pytest.raises(ValueError, match=r"finite, got nan at sample 2$"):
        nn.MSELoss().check_targets(np.array([0.0, 1.0, np.nan]))
    with pytest.raises(ValueError, match=r"got inf at sample 1, output \[0\]"):
        nn.MSELoss().check_targets(np.array([[0.0, 1.0], [np.inf, 2.0]]))
