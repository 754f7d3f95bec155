"""IDX parser and the MNIST loader's cache and download, on small files the tests write."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import struct
import urllib.error

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from byhand.datasets import (
    DatasetNotFoundError,
    load_digits,
    load_mnist,
    mnist,
    parse_idx,
    read_idx,
    write_idx,
)


def idx_bytes(magic: int, dims: tuple[int, ...], body: bytes) -> bytes:
    """IDX bytes built by hand with struct (independent of byhand's writer)."""
    return struct.pack(">I", magic) + struct.pack(f">{len(dims)}I", *dims) + body


@pytest.fixture(autouse=True)
def trusted_digests(monkeypatch):
    """The small synthetic files these tests write are not MNIST: their IDX content digests are
    registered (on a copy of mnist.IDX_SHA256) so that the loader's SHA-256 check accepts them
    and the parser and cache logic can be tested; real files keep their published digests."""
    table = dict(mnist.IDX_SHA256)
    monkeypatch.setattr(mnist, "IDX_SHA256", table)
    return table


def put(path, data: bytes, gz: bool, trust: bool = True) -> None:
    path.write_bytes(gzip.compress(data) if gz else data)
    stem = path.name.removesuffix(".gz")
    if trust and stem in mnist.IDX_SHA256:
        mnist.IDX_SHA256[stem] = hashlib.sha256(data).hexdigest()


@pytest.fixture
def fake_home(tmp_path):
    """A data home with tiny train files: 5 images of 28×28 (image i filled with 50 i), labels."""
    folder = tmp_path / "mnist"
    folder.mkdir()
    images = np.stack([np.full((28, 28), 50 * i, np.uint8) for i in range(5)])
    images[0, 0, 0] = 255
    labels = np.array([0, 1, 8, 1, 3], np.uint8)
    put(folder / "train-images-idx3-ubyte.gz", idx_bytes(2051, (5, 28, 28), images.tobytes()), True)
    put(folder / "train-labels-idx1-ubyte.gz", idx_bytes(2049, (5,), labels.tobytes()), True)
    return tmp_path, images, labels


def listing(folder) -> set[str]:
    return {p.name for p in folder.iterdir()}


# --- parser -----------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_gzip_and_raw(tmp_path, gz):
    data = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / ("a.gz" if gz else "a")
    put(path, idx_bytes(0x0803, (2, 3, 4), data.tobytes()), gz)
    out = read_idx(path, expected_magic=2051)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, data)


def test_parse_big_endian_types_and_writer_round_trip(tmp_path):
    values = [1, -2, 300, -32768]
    parsed = parse_idx(idx_bytes(0x0B01, (4,), struct.pack(">4h", *values)))
    assert parsed.dtype == np.int16 and parsed.tolist() == values
    for gz in (False, True):
        arr = np.linspace(-1, 1, 12).reshape(3, 4)
        write_idx(tmp_path / "w", arr, compress=gz)
        np.testing.assert_array_equal(read_idx(tmp_path / "w"), arr)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"\x00\x00", r"x: truncated IDX file: expected at least a 4-byte magic.*got 2 bytes"),
        (struct.pack(">I", 2051) + b"\x00" * 5, r"x: truncated IDX header: expected 16 bytes"),
        (idx_bytes(2051, (2, 28, 28), b"\x00" * 100), r"x: truncated IDX file.*1568.*got 100"),
        (idx_bytes(2049, (3,), b"\x01\x02\x03\x04"), r"x: wrong IDX item count.*\(3,\).*got 4"),
        (idx_bytes(0x0107, (1,), b"\x00"), r"x: not an IDX file"),
        (idx_bytes(0x0841, (0,) * 65, b""), r"x: unsupported IDX.*<= 32 dimensions, got 65"),
    ],
)
def test_parse_errors_name_file_expected_and_got(data, match):
    with pytest.raises(ValueError, match=match):
        parse_idx(data, name="x")


def test_wrong_magic_is_named():
    data = idx_bytes(2049, (2,), b"\x00\x01")
    with pytest.raises(ValueError, match=r"f: wrong IDX magic number: expected 2051.*got 2049"):
        parse_idx(data, name="f", expected_magic=2051)


def test_damaged_gzip(tmp_path):
    whole = gzip.compress(idx_bytes(2049, (1000,), bytes(1000)))
    (tmp_path / "l.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ValueError, match=r"l\.gz: damaged gzip file"):
        read_idx(tmp_path / "l.gz")


# --- loader on small files --------------------------------------------------------------------


def test_load_small_files_and_cache(fake_home, monkeypatch):
    home, images, labels = fake_home
    X, y = load_mnist("train", data_home=home)
    assert X.shape == (5, 784) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(X, images.reshape(5, -1).astype(np.float32) / 255)
    np.testing.assert_array_equal(y, labels)
    folder = home / "mnist"
    for stem in mnist.SPLITS["train"]:
        cached = np.load(folder / f"{stem}.npy", allow_pickle=False)
        assert cached.dtype == np.uint8
    assert not [n for n in listing(folder) if n.endswith((".tmp", ".part"))]

    def no_parse(*args, **kwargs):
        raise AssertionError("the IDX files should not be read when the cache exists")

    monkeypatch.setattr(mnist, "read_idx", no_parse)
    X2, y2 = load_mnist("train", data_home=home, flatten=False, dtype=np.float64)
    assert X2.shape == (5, 28, 28) and X2.dtype == np.float64
    np.testing.assert_array_equal(X2.reshape(5, -1), images.reshape(5, -1) / 255.0)
    np.testing.assert_array_equal(y2, y)


def test_binary_tasks_on_small_files(fake_home):
    home, _, _ = fake_home
    X, y = load_mnist(data_home=home, digits=(0, 1))
    assert X.shape == (3, 784) and y.tolist() == [-1, 1, 1]
    X, y = load_mnist(data_home=home, digits=(1, 0))
    assert y.tolist() == [1, -1, -1]
    X, y = load_mnist(data_home=home, one_vs_rest=8)
    assert X.shape == (5, 784) and y.tolist() == [-1, -1, 1, -1, -1]
    for bad in [(0, 0), (0, 10), (1,), "01", (True, 1)]:
        with pytest.raises(ValueError, match="digits"):
            load_mnist(data_home=home, digits=bad)
    with pytest.raises(ValueError, match="not both"):
        load_mnist(data_home=home, digits=(0, 1), one_vs_rest=8)
    with pytest.raises(ValueError, match="split"):
        load_mnist("validation", data_home=home)
    with pytest.raises(ValueError, match="dtype"):
        load_mnist(data_home=home, dtype=np.uint8)


def test_raw_files_load(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    img = np.full((2, 28, 28), 255, np.uint8)
    put(folder / "t10k-images-idx3-ubyte", idx_bytes(2051, (2, 28, 28), img.tobytes()), False)
    put(folder / "t10k-labels-idx1-ubyte", idx_bytes(2049, (2,), b"\x07\x09"), False)
    X, y = load_mnist("test", data_home=tmp_path, download=False)
    assert X.shape == (2, 784) and np.all(X == 1.0) and y.tolist() == [7, 9]


@pytest.mark.parametrize(
    ("which", "data", "match"),
    [
        ("images", idx_bytes(2051, (5, 28, 28), b"\x00" * 1000), "truncated IDX file"),
        ("images", idx_bytes(2049, (5, 28, 28), b"\x00" * 3920), "wrong IDX magic number"),
        ("labels", idx_bytes(2049, (4,), b"\x00" * 4), "wrong label count: expected 5"),
        ("labels", idx_bytes(2049, (5,), b"\x00\x01\x02\x03\x0c"), "digits 0..9, got 12"),
    ],
)
def test_bad_files_give_clear_errors_and_leave_no_cache(fake_home, which, data, match):
    home, _, _ = fake_home
    folder = home / "mnist"
    stem = mnist.SPLITS["train"][0 if which == "images" else 1]
    put(folder / f"{stem}.gz", data, True)
    before = listing(folder)
    with pytest.raises(ValueError, match=match) as info:
        load_mnist(data_home=home, download=False)
    assert str(folder) in str(info.value)
    assert listing(folder) == before  # no cache, no temporary file


def test_read_only_home_loads_without_cache(fake_home):
    home, _, labels = fake_home
    folder = home / "mnist"
    before = listing(folder)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        _, y = load_mnist(data_home=home)
        _, y2 = load_mnist(data_home=home)
    finally:
        folder.chmod(0o755)
    np.testing.assert_array_equal(y, labels)
    np.testing.assert_array_equal(y2, labels)
    assert listing(folder) == before


def test_failed_cache_write_is_ignored_and_cleaned(fake_home, monkeypatch):
    home, _, labels = fake_home
    folder = home / "mnist"
    before = listing(folder)

    def half_save(file, array, allow_pickle=True):
        file.write(b"\x93NUMPY partial")
        raise PermissionError("simulated: no space or no permission")

    monkeypatch.setattr(mnist.np, "save", half_save)
    _, y = load_mnist(data_home=home)
    np.testing.assert_array_equal(y, labels)
    assert listing(folder) == before


def test_stale_or_corrupt_cache_is_not_used(fake_home):
    home, _, labels = fake_home
    folder = home / "mnist"
    load_mnist(data_home=home)
    (folder / "train-labels-idx1-ubyte.npy").write_bytes(b"garbage")
    _, y = load_mnist(data_home=home)
    np.testing.assert_array_equal(y, labels)
    assert np.load(folder / "train-labels-idx1-ubyte.npy", allow_pickle=False).dtype == np.uint8
    # a pickled object array is refused (never unpickled) and rebuilt from the IDX file
    np.save(folder / "train-labels-idx1-ubyte.npy", np.array([object()]), allow_pickle=True)
    _, y = load_mnist(data_home=home)
    np.testing.assert_array_equal(y, labels)


# --- download ---------------------------------------------------------------------------------


class FlakyResponse(io.BytesIO):
    """Serves some bytes, then fails like a dropped connection."""

    def read(self, size=-1):
        if self.tell() >= 1000:
            raise ConnectionResetError("simulated: connection reset")
        return super().read(min(size, 500) if size and size > 0 else 500)


def test_download_failure_leaves_nothing_and_says_where_to_put_files(tmp_path, monkeypatch):
    calls = []

    def offline(url, timeout=None):
        calls.append(url)
        raise urllib.error.URLError("simulated: no network")

    monkeypatch.setattr(mnist, "_urlopen", offline)
    with pytest.raises(DatasetNotFoundError) as info:
        load_mnist("test", data_home=tmp_path)
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    assert str(tmp_path / "mnist") in message
    for name in mnist.MNIST_FILES:
        assert name in message
    assert "no network" in message
    assert len(calls) == len(mnist.MIRRORS)
    assert not (tmp_path / "mnist").exists()  # the folder it created is removed again
    (tmp_path / "mnist").mkdir()
    with pytest.raises(DatasetNotFoundError):
        load_mnist("test", data_home=tmp_path)
    assert listing(tmp_path / "mnist") == set()


@pytest.mark.parametrize("payload", ["flaky", "wrong"])
def test_partial_or_wrong_download_leaves_no_file(tmp_path, monkeypatch, payload):
    def serve(url, timeout=None):
        if payload == "flaky":
            return FlakyResponse(os.urandom(5000))
        return io.BytesIO(gzip.compress(b"not mnist"))

    monkeypatch.setattr(mnist, "_urlopen", serve)
    with pytest.raises(DatasetNotFoundError, match=r"connection reset|SHA-256 mismatch"):
        load_mnist("test", data_home=tmp_path)
    assert not (tmp_path / "mnist").exists()


def test_download_success_with_checksum(tmp_path, monkeypatch, mnist_home):
    served = []

    def serve(url, timeout=None):
        name = url.rsplit("/", 1)[1]
        served.append(name)
        return io.BytesIO((mnist_home / "mnist" / name).read_bytes())

    monkeypatch.setattr(mnist, "_urlopen", serve)
    X, y = load_mnist("test", data_home=tmp_path)
    assert X.shape == (10000, 784) and np.bincount(y)[0] == 980
    assert sorted(served) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    assert {n for n in listing(tmp_path / "mnist") if n.endswith(".gz")} == set(served)


def test_no_download_when_disabled(tmp_path, monkeypatch):
    def must_not_call(url, timeout=None):
        raise AssertionError("download=False must not touch the network")

    monkeypatch.setattr(mnist, "_urlopen", must_not_call)
    with pytest.raises(DatasetNotFoundError, match=r"t10k-images-idx3-ubyte\.gz not found in"):
        load_mnist("test", data_home=tmp_path, download=False)


def test_data_home_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("BYHAND_DATA", str(tmp_path / "env"))
    assert mnist.get_data_home() == tmp_path / "env"
    assert mnist.get_data_home(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("BYHAND_DATA")
    import platformdirs

    assert str(mnist.get_data_home()) == platformdirs.user_cache_dir("byhand")


# --- scikit-learn digits ----------------------------------------------------------------------


def test_load_digits():
    from sklearn.datasets import load_digits as sk

    X, y = load_digits()
    data = load_digits(dtype=np.float32, images=True)
    assert X.shape == (1797, 64) and X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(X * 16, sk().data)
    assert data.X.shape == (1797, 8, 8) and data.X.dtype == np.float32
    assert len(data.feature_names) == 64 and data.target_names.tolist() == list(range(10))
    with pytest.raises(ValueError, match="dtype"):
        load_digits(dtype=np.int32)


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64), st.sampled_from([None, 2049, 2051]))
def test_parser_never_crashes_on_garbage(data, magic):
    try:
        out = parse_idx(data, name="fuzz", expected_magic=magic)
    except ValueError as exc:
        assert str(exc).startswith("fuzz: ")
    else:
        assert isinstance(out, np.ndarray)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 4), min_size=1, max_size=3),
    st.sampled_from([np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]),
    st.booleans(),
)
def test_writer_reader_round_trip(tmp_path_factory, shape, dtype, gz):
    rng = np.random.default_rng(0)
    arr = (rng.standard_normal(shape) * 50).astype(dtype)
    path = tmp_path_factory.mktemp("rt") / "a"
    write_idx(path, arr, compress=gz)
    out = read_idx(path)
    assert out.dtype == arr.dtype and out.shape == arr.shape
    np.testing.assert_array_equal(out, arr)


# --- SHA-256 on every load and status ----------------------------------------------------------


def test_damaged_file_is_refused_on_load_and_reported_by_status(fake_home):
    home, images, _ = fake_home
    folder = home / "mnist"
    good = folder / "train-images-idx3-ubyte.gz"
    load_mnist(data_home=home)  # builds the .npy cache from the sound files
    assert mnist.mnist_status(home)["train-images-idx3-ubyte"] == "verified"
    # same length, one byte changed inside the pixels: parses fine, but is not the published file
    body = bytearray(idx_bytes(2051, (5, 28, 28), images.tobytes()))
    body[-1] ^= 0xFF
    put(good, bytes(body), True, trust=False)
    os.utime(folder / "train-images-idx3-ubyte.npy", None)  # a cache newer than the source
    with pytest.raises(mnist.CorruptDatasetError, match=r"SHA-256 mismatch .*damaged or trunc"):
        load_mnist(data_home=home)
    status = mnist.mnist_status(home)
    assert "SHA-256 mismatch" in status["train-images-idx3-ubyte"]
    assert status["train-labels-idx1-ubyte"] == "verified"
    assert status["t10k-images-idx3-ubyte"] == "missing"


def test_truncated_real_file_is_damaged_and_fetch_replaces_it(tmp_path, monkeypatch, mnist_home):
    folder = tmp_path / "mnist"
    folder.mkdir()
    real = (mnist_home / "mnist" / "t10k-labels-idx1-ubyte.gz").read_bytes()
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(real[: len(real) // 2])
    assert "damaged or truncated" in mnist.mnist_status(tmp_path)["t10k-labels-idx1-ubyte"]
    monkeypatch.setattr(mnist, "_urlopen", lambda url, timeout=None: io.BytesIO(real))
    mnist._fetch("t10k-labels-idx1-ubyte.gz", folder)
    assert (folder / "t10k-labels-idx1-ubyte.gz").read_bytes() == real
    assert mnist.mnist_status(tmp_path)["t10k-labels-idx1-ubyte"] == "verified"
