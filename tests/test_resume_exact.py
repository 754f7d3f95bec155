"""A run killed by SIGKILL and resumed saves a model file identical to an uninterrupted
run's (issue 11 item 7): every array of the .npz, and the JSON metadata apart from timing
fields — the generator state included, so training continued from either file is the same.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import byhand
from _cli_process import checkpoint_epoch, cli_process
from byhand.io import META

TIMING = ("time", "seconds", "elapsed", "duration", "date", "created", "saved_at")


def _strip_timing(tree: Any) -> Any:
    """The metadata tree without entries whose key names a time (durations, dates)."""
    if isinstance(tree, dict):
        return {
            k: _strip_timing(v)
            for k, v in tree.items()
            if not any(t in str(k).lower() for t in TIMING)
        }
    if isinstance(tree, list):
        return [_strip_timing(v) for v in tree]
    return tree


def _contents(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """(metadata without timing fields, {array name: dtype, shape and raw bytes})."""
    with np.load(path, allow_pickle=False) as npz:
        meta = json.loads(bytes(npz[META]).decode("utf-8"))
        arrays = {
            k: (str(npz[k].dtype), npz[k].shape, npz[k].tobytes()) for k in npz.files if k != META
        }
    return _strip_timing(meta), arrays


def assert_same_model_file(a: Path, b: Path) -> None:
    meta_a, arr_a = _contents(a)
    meta_b, arr_b = _contents(b)
    assert sorted(arr_a) == sorted(arr_b)
    differ = [k for k in arr_a if arr_a[k] != arr_b[k]]
    assert not differ, f"arrays that differ: {differ}"
    assert meta_a == meta_b


CASES = {
    "mlp-classifier": ["--param", "hidden_layer_sizes=16", "--param", "momentum=0.9"],
    "logistic-regression": ["--param", "solver=sgd"],
}


@pytest.mark.parametrize("model", list(CASES))
def test_sigkill_resume_saves_the_identical_file(model, tmp_path):
    epochs = 8
    common = [
        model,
        *("--data", "moons:3000", "--batch-size", "2", "--epochs", str(epochs)),
        *("--seed", "7", *CASES[model], "--quiet"),
    ]
    full = cli_process("train", *common, "--out", str(tmp_path / "full.npz"))
    _, err = full.communicate(timeout=300)
    assert full.returncode == 0, err

    ck = tmp_path / "ck"
    out_path = tmp_path / "resumed.npz"
    victim = cli_process("train", *common, "--out", str(out_path), "--checkpoint-dir", str(ck))
    deadline = time.monotonic() + 240
    while checkpoint_epoch(ck) < 2:
        assert victim.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    assert 2 <= checkpoint_epoch(ck) < epochs and not out_path.exists()

    resumed = cli_process(
        "train", *common, "--out", str(out_path), "--checkpoint-dir", str(ck), "--resume"
    )
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert_same_model_file(tmp_path / "full.npz", out_path)

    # and training continued from either file goes the same way (shuffled by the saved
    # generator)
    if model == "mlp-classifier":
        X = np.random.default_rng(0).standard_normal((50, 2))
        y = (X[:, 0] > 0).astype(int)
        a, b = byhand.load(tmp_path / "full.npz"), byhand.load(out_path)
        a.partial_fit(X, y)
        b.partial_fit(X, y)
        for wa, wb in zip(a.coefs_, b.coefs_, strict=True):
            np.testing.assert_array_equal(wa, wb)
