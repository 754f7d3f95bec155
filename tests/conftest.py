"""Shared test set-up: where the data the tests need comes from, and what happens without it.

Two things are not in the repository:

- real MNIST, found only through the data home ``BYHAND_DATA`` (a folder whose ``mnist/``
  holds the four IDX ``.gz`` files). Tests that need it use the ``mnist_home`` fixture or
  the ``mnist`` marker;
- the five lecture transcripts, found through ``BYHAND_TRANSCRIPTS`` (see
  ``tests/_transcripts.py``). Tests that read them use the ``transcripts`` fixture or the
  ``transcripts`` marker.

Without them those tests are skipped with a reason saying how to provide the data. With
``BYHAND_REQUIRE_DATA=1`` (set by ``.ci/run``) every such skip is a failure instead, so CI
runs them all.

When ``BYHAND_DATA`` is not set, the session points it at an empty temporary folder: no test
reads or writes the user's cache folder, and no test downloads anything (the download entry
point of ``byhand.datasets.mnist`` refuses during tests).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import _transcripts

os.environ.setdefault("MPLBACKEND", "Agg")
# scikit-learn's estimator checks run their array-API cases only when SciPy is told to
# support the array API, which must be set before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

DATA_ENV = "BYHAND_DATA"
REQUIRE_ENV = "BYHAND_REQUIRE_DATA"
MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
HOW_TO_MNIST = (
    f"set {DATA_ENV} to a folder whose mnist/ subfolder holds {', '.join(MNIST_FILES)} "
    f"(e.g. `{DATA_ENV}=$HOME/byhand-data byhand datasets --fetch mnist` downloads them there)"
)

# The data home the user gave, made absolute before any test changes directory.
if os.environ.get(DATA_ENV):
    os.environ[DATA_ENV] = str(Path(os.environ[DATA_ENV]).expanduser().resolve())
USER_DATA_HOME = os.environ.get(DATA_ENV) or None


def data_required() -> bool:
    """True under ``BYHAND_REQUIRE_DATA=1``: missing data fails instead of skipping."""
    return os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0")


def missing_data(reason: str) -> None:
    """Skip the running test for ``reason``, or fail it under ``BYHAND_REQUIRE_DATA=1``."""
    if data_required():
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 makes this a failure)", pytrace=False)
    pytest.skip(reason)


def find_mnist() -> Path | None:
    """The user's data home if its mnist/ holds the four files, else None."""
    if USER_DATA_HOME is None:
        return None
    home = Path(USER_DATA_HOME)
    return home if all((home / "mnist" / f).is_file() for f in MNIST_FILES) else None


def need_mnist() -> Path:
    """The data home holding real MNIST; skips (or fails) the test without it."""
    home = find_mnist()
    if home is None:
        where = (
            f"{DATA_ENV} is not set"
            if USER_DATA_HOME is None
            else f"{Path(USER_DATA_HOME) / 'mnist'} lacks the four MNIST files"
        )
        missing_data(f"needs real MNIST, but {where}: {HOW_TO_MNIST}")
    assert home is not None
    return home


def need_transcripts() -> Path:
    """The folder of lecture transcripts; skips (or fails) the test without it."""
    folder = _transcripts.folder()
    if folder is None:
        missing_data(f"needs the lecture transcripts: {_transcripts.HOW_TO}")
    assert folder is not None
    return folder


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"mnist: needs real MNIST in {DATA_ENV} (skipped without, failed if required)"
    )
    config.addinivalue_line(
        "markers", "transcripts: needs the lecture transcripts (skipped without them)"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("mnist") is not None:
        need_mnist()
    if item.get_closest_marker("transcripts") is not None:
        need_transcripts()


@pytest.fixture(scope="session", autouse=True)
def _isolated_data_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test touches the user's cache folder or the network for data.

    Without ``BYHAND_DATA`` the data home is an empty temporary folder; with it, the user's
    folder (read-only for tests: byhand never writes a cache into a read-only data home).
    """
    from byhand.datasets import mnist

    def no_download(url: str, timeout: float | None = None) -> None:
        raise OSError(f"tests never download ({url}): {HOW_TO_MNIST}")

    saved_urlopen = mnist._urlopen
    mnist._urlopen = no_download
    if USER_DATA_HOME is None:
        os.environ[DATA_ENV] = str(tmp_path_factory.mktemp("empty-data-home"))
    try:
        yield
    finally:
        mnist._urlopen = saved_urlopen
        if USER_DATA_HOME is None:
            os.environ.pop(DATA_ENV, None)


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def mnist_home() -> Path:
    """The data home holding the real MNIST IDX files (``$BYHAND_DATA``); skips without."""
    return need_mnist()


@pytest.fixture(scope="session")
def transcripts() -> Callable[[str], Path]:
    """``transcripts(lecture_id)``: the transcript file of a lecture; skips without them."""
    need_transcripts()
    return _transcripts.transcript_path
