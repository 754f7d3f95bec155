"""Real MNIST, read through BYHAND_DATA (tests/conftest.py), a read-only copy; skipped without."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from byhand.datasets import get_data_home, load_mnist, mnist

pytestmark = pytest.mark.mnist

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def train():
    return load_mnist("train")


def test_data_home_comes_from_byhand_data(mnist_home):
    assert get_data_home().resolve() == mnist_home.resolve()


def test_train_split(train):
    X, y = train
    assert X.shape == (60000, 784) and X.dtype == np.float32
    assert y.shape == (60000,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.bincount(y, minlength=10).tolist() == TRAIN_COUNTS


def test_test_split_images_and_float64():
    X, y = load_mnist("test", flatten=False, dtype=np.float64)
    assert X.shape == (10000, 28, 28) and X.dtype == np.float64
    assert 0.0 <= X.min() and X.max() <= 1.0
    assert np.bincount(y, minlength=10).tolist() == TEST_COUNTS
    # pixels are bytes / 255: 255·x is an integer
    np.testing.assert_array_equal(np.round(X[:50] * 255), X[:50] * 255)


def test_zero_vs_one(train):
    X, y = load_mnist("train", digits=(0, 1))
    assert X.shape == (12665, 784)
    assert set(np.unique(y).tolist()) == {-1, 1}
    assert (y == -1).sum() == TRAIN_COUNTS[0] and (y == 1).sum() == TRAIN_COUNTS[1]
    X_all, y_all = train
    np.testing.assert_array_equal(X, X_all[(y_all == 0) | (y_all == 1)])


def test_eight_vs_rest(train):
    X, y = load_mnist("train", one_vs_rest=8)
    assert X.shape == (60000, 784)
    assert (y == 1).sum() == TRAIN_COUNTS[8] and (y == -1).sum() == 60000 - TRAIN_COUNTS[8]
    np.testing.assert_array_equal(y == 1, train[1] == 8)


def test_shared_folder_is_left_untouched(mnist_home, train):
    # the shared copy is read-only: no cache (and no temporary file) may appear in it
    names = {p.name for p in (mnist_home / "mnist").iterdir()}
    assert not [n for n in names if n.endswith((".npy", ".tmp", ".part"))]


def test_cache_in_a_writable_copy(mnist_home, tmp_path, monkeypatch):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for stem in mnist.SPLITS["test"]:
        shutil.copy(mnist_home / "mnist" / f"{stem}.gz", folder)
    X, y = load_mnist("test", data_home=tmp_path)
    for stem in mnist.SPLITS["test"]:
        assert np.load(folder / f"{stem}.npy", allow_pickle=False).dtype == np.uint8
    reference = load_mnist("test")  # from the shared copy, no cache there

    def no_parse(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(mnist, "read_idx", no_parse)
    X2, y2 = load_mnist("test", data_home=tmp_path)
    for a, b in ((X, X2), (y, y2), (X2, reference[0]), (y2, reference[1])):
        np.testing.assert_array_equal(a, b)
