"""Checkpoints: a run interrupted (even by SIGKILL) and resumed ends bit-identical to an
uninterrupted run with the same seed. The oracle is that uninterrupted run."""

from __future__ import annotations

import signal
import time

import numpy as np
import pytest

import byhand
from _cli_process import checkpoint_epoch, cli_process
from byhand import nn
from byhand.checkpoint import CheckpointWriter, checkpoint_path, load_checkpoint
from byhand.optim import SGD, Averager, exponential
from byhand.training import fit, restore


class _Crash(Exception):
    pass


def _build(seed: int = 0):
    net = nn.Sequential(
        nn.Linear(2, 8, random_state=seed), nn.Tanh(), nn.Linear(8, 3, random_state=seed + 1)
    )
    opt = SGD(net.parameters(), lr=exponential(0.2, 0.99), momentum=0.9, weight_decay=1e-3)
    return net, opt, Averager(net.parameters())


def _data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((90, 2)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)


def test_interrupted_fit_resumes_bit_identically(tmp_path):
    X, y = _data()
    net, opt, avg = _build()
    fit(
        net,
        nn.CrossEntropyLoss(),
        opt,
        X,
        y,
        epochs=7,
        batch_size=8,
        random_state=5,
        averager=avg,
        verbose=0,
    )
    expected = [p.data.copy() for p in net.parameters()]

    net, opt, avg = _build()
    writer = CheckpointWriter(tmp_path, {"run": "test"})

    def crash(state):
        if state.epoch == 3:
            raise _Crash

    with pytest.raises(_Crash):
        fit(
            net,
            nn.CrossEntropyLoss(),
            opt,
            X,
            y,
            epochs=7,
            batch_size=8,
            random_state=5,
            averager=avg,
            callbacks=[writer, crash],
            verbose=0,
        )
    snapshot, config = load_checkpoint(tmp_path)
    assert snapshot["epoch"] == 3 and config == {"run": "test"}
    assert snapshot["optimizer"]["k"] == 3 * 12  # 90 samples in batches of 8
    assert all(v is not None for v in snapshot["optimizer"]["velocity"])
    net, opt, avg = _build(seed=99)  # different initial weights: all must come from the file
    rng, history = restore(snapshot, net, opt, avg)
    assert history.epochs == 3
    fit(
        net,
        nn.CrossEntropyLoss(),
        opt,
        X,
        y,
        epochs=7,
        batch_size=8,
        random_state=rng,
        averager=avg,
        history=history,
        verbose=0,
    )
    for a, b in zip(expected, net.parameters(), strict=True):
        np.testing.assert_array_equal(b.data, a)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.npz"]


def test_missing_and_damaged_checkpoints(tmp_path):
    with pytest.raises(FileNotFoundError, match="checkpoint.npz"):
        load_checkpoint(tmp_path)
    net, opt, _avg = _build()
    X, y = _data()
    fit(
        net,
        nn.CrossEntropyLoss(),
        opt,
        X,
        y,
        epochs=1,
        batch_size=30,
        verbose=0,
        callbacks=[CheckpointWriter(tmp_path)],
    )
    path = checkpoint_path(tmp_path)
    path.write_bytes(path.read_bytes()[:-50])
    with pytest.raises(ValueError, match="not a readable byhand checkpoint file"):
        load_checkpoint(tmp_path)


# ----------------------------------------------------------------------------- SIGKILL
def _weights(model) -> list[np.ndarray]:
    out = []
    for name in ("coef_", "intercept_", "coefs_", "intercepts_", "loss_curve_"):
        v = getattr(model, name, None)
        if v is not None:
            out.extend(np.atleast_1d(np.asarray(a)) for a in (v if isinstance(v, list) else [v]))
    assert out
    return out


# momentum buffers and Polyak–Ruppert averages must both survive the kill
CASES = {
    "mlp-classifier": [
        "--param",
        "hidden_layer_sizes=16,16",
        "--param",
        "momentum=0.9",
        "--param",
        "average=true",
    ],
}


@pytest.mark.parametrize("model", list(CASES))
def test_sigkill_then_resume_is_bit_identical(model, tmp_path):
    epochs = 12
    common = [
        model,
        "--data",
        "moons:3000",
        "--batch-size",
        "2",
        "--epochs",
        str(epochs),
        "--seed",
        "7",
        *CASES[model],
        "--quiet",
    ]
    full = cli_process("train", *common, "--out", str(tmp_path / "full.npz"))
    out, err = full.communicate(timeout=300)
    assert full.returncode == 0, err

    ck = tmp_path / "ck"
    victim = cli_process(
        "train", *common, "--out", str(tmp_path / "resumed.npz"), "--checkpoint-dir", str(ck)
    )
    deadline = time.monotonic() + 240
    while checkpoint_epoch(ck) < 2:
        assert victim.poll() is None, "the run ended before it could be killed: make it slower"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    killed_at = checkpoint_epoch(ck)
    assert 2 <= killed_at < epochs
    assert not (tmp_path / "resumed.npz").exists()

    resumed = cli_process(
        "train",
        *common,
        "--out",
        str(tmp_path / "resumed.npz"),
        "--checkpoint-dir",
        str(ck),
        "--resume",
    )
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert f"epoch {killed_at}" in out
    a, b = byhand.load(tmp_path / "full.npz"), byhand.load(tmp_path / "resumed.npz")
    wa, wb = _weights(a), _weights(b)
    assert len(wa) == len(wb)
    for x, z in zip(wa, wb, strict=True):
        assert x.dtype == z.dtype
        np.testing.assert_array_equal(z, x)
    assert checkpoint_epoch(ck) == epochs


def test_resume_replays_early_stopping(tmp_path):
    """With early stopping (patience), a run resumed from any epoch stops at the same epoch
    with the same weights: the patience counter must survive the checkpoint."""
    X, y = _data()
    kw = {"epochs": 60, "batch_size": 30, "patience": 3, "min_delta": 1e-2, "verbose": 0}
    net, opt, avg = _build()
    full = fit(net, nn.CrossEntropyLoss(), opt, X, y, random_state=5, averager=avg, **kw)
    expected = [p.data.copy() for p in net.parameters()]
    assert full.stopped_early and 4 < full.epochs < 60
    for k in range(1, full.epochs):
        net, opt, avg = _build()

        def crash(state, k=k):
            if state.epoch == k:
                raise _Crash

        with pytest.raises(_Crash):
            fit(
                net,
                nn.CrossEntropyLoss(),
                opt,
                X,
                y,
                random_state=5,
                averager=avg,
                callbacks=[CheckpointWriter(tmp_path), crash],
                **kw,
            )
        net, opt, avg = _build()
        rng, history = restore(load_checkpoint(tmp_path)[0], net, opt, avg)
        hist = fit(
            net,
            nn.CrossEntropyLoss(),
            opt,
            X,
            y,
            random_state=rng,
            averager=avg,
            history=history,
            **kw,
        )
        assert hist.epochs == full.epochs, f"resumed at epoch {k}"
        for a, b in zip(expected, net.parameters(), strict=True):
            np.testing.assert_array_equal(b.data, a)


RESUMABLE = {
    "linear-regression": {"solver": "sgd", "learning_rate": 0.05},
    "logistic-regression": {"solver": "sgd", "average": True},
    "softmax-regression": {},
    "linear-svm": {},
    "mlp-classifier": {"hidden_layer_sizes": (6,), "learning_rate": 0.05},
    "mlp-classifier-early-stopping": {
        "hidden_layer_sizes": (6,),
        "early_stopping": True,
        "n_iter_no_change": 3,
        "learning_rate": 0.05,
    },
    "mlp-regressor": {"hidden_layer_sizes": (6,), "learning_rate": 0.01},
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("case", list(RESUMABLE))
def test_every_epoch_trained_estimator_resumes_from_any_epoch(case, tmp_path):
    """The contract the checkpoints rely on: a fit stopped after any epoch k and resumed from
    that epoch's checkpoint file ends exactly where the uninterrupted fit ends."""
    from byhand.estimators_registry import REGRESSORS, get_class

    name = case.removesuffix("-early-stopping")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 3))
    if name in REGRESSORS:
        y = X @ np.array([1.0, -1.0, 0.5]) + 0.3 * rng.standard_normal(120)
    elif name in ("softmax-regression", "mlp-classifier"):
        y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.3)
    else:
        y = np.where(X[:, 0] + 0.3 * rng.standard_normal(120) > 0, 1, -1)
    params = {"max_iter": 15, "batch_size": 16, "random_state": 3, **RESUMABLE[case]}
    cls = get_class(name)
    full = cls(**params).fit(X, y)
    expected = _weights(full)
    for k in range(1, full.n_iter_):

        def crash(state, k=k):
            if state.epoch == k:
                raise _Crash

        with pytest.raises(_Crash):
            cls(**params).fit(X, y, callbacks=[CheckpointWriter(tmp_path), crash])
        snapshot, _ = load_checkpoint(tmp_path)
        assert snapshot["epoch"] == k
        resumed = cls(**params).fit(X, y, resume_state=snapshot)
        assert resumed.n_iter_ == full.n_iter_, f"resumed after epoch {k}"
        for a, b in zip(expected, _weights(resumed), strict=True):
            np.testing.assert_array_equal(b, a, err_msg=f"resumed after epoch {k}")
