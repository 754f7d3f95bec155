"""The suite's tests of the layers' and losses' semantics (NaN, dtypes, empty batches, ReLU in
place, Conv2d and pooling against their oracles) of the perceptron and of k-NN, run once more on the
NumPy path (BYHAND_KERNELS=numpy, in a fresh interpreter): the fallback that users without
numba get must keep passing them, not only the compiled path the rest of the suite runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
FILES = [
    "test_layers_nan.py",
    "test_layers_empty.py",
    "test_layers_dtypes.py",
    "test_relu_inplace.py",
    "test_cnn_layers.py",
    "test_losses.py",
    "test_perceptron.py",
    "test_knn.py",
]


def test_semantics_suites_pass_on_the_numpy_path():
    env = {**os.environ, "BYHAND_KERNELS": "numpy"}
    env.pop("PYTEST_XDIST_WORKER", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly", "-p", "no:cacheprovider"]
        + [str(TESTS / f) for f in FILES],
        capture_output=True,
        text=True,
        env=env,
        cwd=TESTS.parent,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "failed" not in proc.stdout
