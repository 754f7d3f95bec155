"""Shared test set-up: real MNIST is read from ../shared/datasets (resolved from the repo root)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT / ".." / "shared" / "datasets").resolve()

os.environ.setdefault("BYHAND_DATA", str(SHARED_DATA))
os.environ.setdefault("MPLBACKEND", "Agg")
# scikit-learn's estimator checks run their array-API cases only when SciPy is told to
# support the array API, which must be set before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def mnist_home() -> Path:
    """The data home holding the real MNIST IDX files used by tests."""
    if not (SHARED_DATA / "mnist").is_dir():
        raise RuntimeError(f"real MNIST expected in {SHARED_DATA / 'mnist'}")
    return SHARED_DATA
