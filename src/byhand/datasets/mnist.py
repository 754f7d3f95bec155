"""MNIST: the four IDX files from a data home, a ``.npy`` cache, and a checked download.

Data home: the ``data_home`` argument, else the environment variable ``BYHAND_DATA``, else
``platformdirs.user_cache_dir("byhand")``. The files live in ``<data home>/mnist/``:
``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and
``t10k-labels-idx1-ubyte``, each raw or gzip-compressed (``.gz``).

Every time a file is loaded or its status reported, its SHA-256 is checked against the
published digests (a damaged or truncated file raises :class:`CorruptDatasetError`).
After the first read, each file's uint8 array is saved next to it as ``<name>.npy`` (written
to a temporary file, then renamed), read back with ``np.load(allow_pickle=False)``. Nothing is
ever unpickled. A read-only data home still loads, from the IDX files each time; a folder
whose mode has no write bit is treated as read-only even when running as root.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import tempfile
import urllib.request
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .idx import IMAGES_MAGIC, LABELS_MAGIC, read_idx

ENV_VAR = "BYHAND_DATA"
SPLITS: dict[str, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
MNIST_FILES: tuple[str, ...] = tuple(f"{s}.gz" for pair in SPLITS.values() for s in pair)
MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
# SHA-256 of the .gz files as served by the mirrors above (the original distribution).
MIRROR_GZ_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",  # noqa: E501
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",  # noqa: E501
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
# SHA-256 of the project's shared copy (../shared/datasets/mnist, re-compressed gzip).
SHARED_GZ_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "a89f0b6425784206041d55099ac45c6504648f707983d52aa048e854d0595503",  # noqa: E501
    "train-labels-idx1-ubyte.gz": "95cb1043e5b9539e6875916cd174eb41b89eb2df2389706b430bcc18108e6e3d",  # noqa: E501
    "t10k-images-idx3-ubyte.gz": "03dbdffc81f9b1cef0c87eabc637f58a87b9e8add09ce55bf89aab7652fa91df",
    "t10k-labels-idx1-ubyte.gz": "8e59670ba427d9c76398d87653adadaae79da9fdd1c71a61e914fa5930a976c3",
}
# SHA-256 of the decompressed IDX content: the same for every faithful copy, however gzipped.
IDX_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
_MAX_DOWNLOAD_BYTES = 20_000_000  # the largest file (train images) is about 9.9 MB
_CHUNK = 1 << 20

# The network entry point, module-level so that tests can monkeypatch it.
_urlopen = urllib.request.urlopen


class DatasetNotFoundError(FileNotFoundError):
    """The data files are neither in the data home nor downloadable.

    A FileNotFoundError; the message says which files to put in which folder.

    Examples
    --------
    >>> import tempfile
    >>> from byhand.datasets import DatasetNotFoundError, load_mnist
    >>> try:
    ...     load_mnist(data_home=tempfile.mkdtemp(), download=False)
    ... except DatasetNotFoundError as e:
    ...     print(type(e).__name__, isinstance(e, FileNotFoundError))
    DatasetNotFoundError True
    """


def get_data_home(data_home: str | os.PathLike[str] | None = None) -> Path:
    """The data home: ``data_home``, else ``$BYHAND_DATA``, else the user cache dir of "byhand".

    Returns a ``pathlib.Path``; the folder is not created.

    Examples
    --------
    >>> from byhand.datasets import get_data_home
    >>> get_data_home("/tmp/my-data")
    PosixPath('/tmp/my-data')
    """
    if data_home is not None:
        return Path(data_home).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("byhand"))


# ---------------------------------------------------------------------------------------------
# download


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


class CorruptDatasetError(ValueError):
    """A data file is present but its SHA-256 is not the published one (damaged or truncated).

    A ValueError; the message names the file, its SHA-256 and the expected one.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from byhand.datasets import CorruptDatasetError, mnist_status
    >>> issubclass(CorruptDatasetError, ValueError)
    True
    >>> home = Path(tempfile.mkdtemp())
    >>> (home / "mnist").mkdir()
    >>> _ = (home / "mnist" / "t10k-labels-idx1-ubyte").write_bytes(b"truncated")
    >>> mnist_status(home)["t10k-labels-idx1-ubyte"]  # doctest: +ELLIPSIS
    'SHA-256 mismatch for .../t10k-labels-idx1-ubyte: the file is damaged or truncated ...'
    >>> from byhand.datasets.mnist import verify_mnist_file
    >>> verify_mnist_file(home / "mnist" / "t10k-labels-idx1-ubyte")
    Traceback (most recent call last):
    ...
    byhand.datasets.mnist.CorruptDatasetError: SHA-256 mismatch for ...
    """


def _verify_download(path: Path, filename: str) -> None:
    """Accept the mirrors' (or the shared copy's) gz digest, or a faithful decompressed content.

    ``filename`` is the file's MNIST name: ``<stem>.gz`` (gzip) or ``<stem>`` (raw IDX).
    Raises :class:`CorruptDatasetError` naming both digests otherwise.
    """
    stem = filename.removesuffix(".gz")
    got = _sha256_file(path)
    if filename.endswith(".gz"):
        if got in (MIRROR_GZ_SHA256.get(filename), SHARED_GZ_SHA256.get(filename)):
            return
        try:
            content = hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()
        except (EOFError, OSError, zlib.error):
            content = "<not a complete gzip file>"
        expected = f"{MIRROR_GZ_SHA256.get(filename)} (or decompressed content {IDX_SHA256[stem]})"
        got_text = f"{got} (decompressed {content})"
    else:
        content = got
        expected, got_text = IDX_SHA256[stem], got
    if content != IDX_SHA256[stem]:
        raise CorruptDatasetError(
            f"SHA-256 mismatch for {path}: the file is damaged or truncated "
            f"(expected {expected}, got {got_text}). Delete it and run "
            f"`byhand datasets --fetch mnist` to download it again."
        )


def verify_mnist_file(path: str | os.PathLike[str]) -> None:
    """Check one MNIST file (``<stem>.gz`` or raw ``<stem>``) against its published SHA-256.

    Raises :class:`CorruptDatasetError` (a ValueError) when the file is damaged or truncated,
    FileNotFoundError when it is missing. A gzip file passes when either its own digest is a
    known one or its decompressed content has the IDX digest of :data:`IDX_SHA256`.
    """
    path = Path(path)
    if path.name.removesuffix(".gz") not in IDX_SHA256:
        raise ValueError(f"{path.name} is not an MNIST file name ({', '.join(IDX_SHA256)})")
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found")
    _verify_download(path, path.name)


def mnist_status(data_home: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Each MNIST file's status in the data home: ``"verified"``, ``"missing"`` or the reason
    it is damaged (its SHA-256 is checked every time, so a truncated file never shows present).

    Returns a dict from each of the four file names to its status.

    Examples
    --------
    >>> import tempfile
    >>> from byhand.datasets import mnist_status
    >>> status = mnist_status(tempfile.mkdtemp())
    >>> sorted(status)  # doctest: +NORMALIZE_WHITESPACE
    ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'train-images-idx3-ubyte',
     'train-labels-idx1-ubyte']
    >>> set(status.values())
    {'missing'}
    """
    folder = get_data_home(data_home) / "mnist"
    status = {}
    for stem in IDX_SHA256:
        found = [p for p in (folder / f"{stem}.gz", folder / stem) if p.is_file()]
        if not found:
            status[stem] = "missing"
            continue
        try:
            _verify_download(found[0], found[0].name)
        except CorruptDatasetError as exc:
            status[stem] = str(exc)
        else:
            status[stem] = "verified"
    return status


def _download_one(url: str, filename: str, folder: Path) -> Path:
    """Stream ``url`` into a temporary file in ``folder``, verify it, rename it into place."""
    final = folder / filename
    fd, tmp_name = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=folder)
    tmp = Path(tmp_name)
    try:
        size = 0
        with os.fdopen(fd, "wb") as out, _urlopen(url, timeout=60) as response:
            while block := response.read(_CHUNK):
                size += len(block)
                if size > _MAX_DOWNLOAD_BYTES:
                    raise ValueError(f"{url}: more than {_MAX_DOWNLOAD_BYTES} bytes, refusing")
                out.write(block)
        _verify_download(tmp, filename)
        os.chmod(tmp, 0o644)
        os.replace(tmp, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return final


def _missing_message(folder: Path, names: Sequence[str]) -> str:
    return (
        f"MNIST file(s) {', '.join(names)} not found in {folder}. Put the four files "
        f"{', '.join(MNIST_FILES)} (gzip, or the same names without .gz uncompressed) in "
        f"{folder}, or point data_home / the environment variable {ENV_VAR} at a folder whose "
        f"mnist/ subfolder holds them. They come from {MIRRORS[0]}."
    )


def download_mnist(data_home: str | os.PathLike[str] | None = None) -> Path:
    """Download the four MNIST ``.gz`` files into ``<data home>/mnist/`` (skips present ones).

    Tries each mirror in :data:`MIRRORS`; a file is kept only if its SHA-256 matches
    (:data:`MIRROR_GZ_SHA256`, or the decompressed :data:`IDX_SHA256`); it is written to a
    temporary file and renamed, and the temporary file is removed on any failure.
    Raises :class:`DatasetNotFoundError` (a FileNotFoundError) saying where to put the files.

    Returns the folder ``<data home>/mnist``.

    Examples
    --------
    Downloading needs the network, so this example does not run it; it shows what the data
    home holds before.

    >>> import tempfile
    >>> from byhand.datasets import download_mnist, mnist_status
    >>> home = tempfile.mkdtemp()
    >>> sorted(set(mnist_status(home).values()))
    ['missing']
    >>> download_mnist(home)  # doctest: +SKIP
    PosixPath('.../mnist')
    """
    folder = get_data_home(data_home) / "mnist"
    for filename in MNIST_FILES:
        _fetch(filename, folder)
    return folder


def _fetch(filename: str, folder: Path) -> Path:
    errors = []
    if (folder / filename).is_file():
        try:
            _verify_download(folder / filename, filename)
            return folder / filename
        except CorruptDatasetError as exc:  # download it again over the damaged copy
            errors.append(str(exc))
    created = [p for p in (folder, *folder.parents) if not p.exists()]  # leaf first
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        errors.append(f"cannot create {folder}: {exc}")
    else:
        if not _writable(folder):
            errors.append(f"{folder} is read-only")
        else:
            for mirror in MIRRORS:
                try:
                    return _download_one(mirror + filename, filename, folder)
                except Exception as exc:  # network, HTTP, checksum, disk: try the next mirror
                    errors.append(f"{mirror + filename}: {type(exc).__name__}: {exc}")
    for made in created:  # leave no empty folder behind, not even a parent it made
        with contextlib.suppress(OSError):
            made.rmdir()
    raise DatasetNotFoundError(
        _missing_message(folder, [filename]) + " Download failed: " + "; ".join(errors)
    )


# ---------------------------------------------------------------------------------------------
# cache and loading


def _writable(folder: Path) -> bool:
    """True if ``folder`` may be written: it has a write bit set and the OS grants access.

    The mode bits are honoured even for root, so a folder marked read-only
    (like the project's shared data, ``dr-xr-xr-x``) is never written into.
    """
    try:
        return bool(folder.stat().st_mode & 0o222) and os.access(folder, os.W_OK)
    except OSError:
        return False


def _save_npy_atomic(path: Path, array: np.ndarray) -> bool:
    """Write ``array`` to ``path`` via a temporary file and os.replace; False if not writable."""
    if not _writable(path.parent):
        return False
    tmp: Path | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        tmp = Path(tmp_name)
        with os.fdopen(fd, "wb") as f:
            np.save(f, array, allow_pickle=False)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        return True
    except OSError:  # read-only data home, full disk, …: load without the cache
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError, PermissionError):
                tmp.unlink()


def _load_cache(cache: Path, sources: list[Path]) -> np.ndarray | None:
    """The cached uint8 array, if present, not older than its source, and sound."""
    try:
        if not cache.is_file():
            return None
        if sources and cache.stat().st_mtime < max(s.stat().st_mtime for s in sources):
            return None
        array = np.load(cache, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    return array if array.dtype == np.uint8 else None


def _read_file(folder: Path, stem: str, magic: int, download: bool) -> tuple[np.ndarray, bool]:
    """(uint8 array, came_from_cache) for one IDX file of ``folder``."""
    sources = [p for p in (folder / stem, folder / f"{stem}.gz") if p.is_file()]
    for source in sources:  # a damaged file is refused, never read nor trusted for its cache
        _verify_download(source, source.name)
    cached = _load_cache(folder / f"{stem}.npy", sources)
    if cached is not None:
        return cached, True
    if not sources:
        if not download:
            raise DatasetNotFoundError(_missing_message(folder, [f"{stem}.gz"]))
        sources = [_fetch(f"{stem}.gz", folder)]
    return read_idx(sources[0], expected_magic=magic), False


def _load_split(folder: Path, split: str, download: bool) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 28, 28) uint8 and labels (n,) uint8, checked, cached after a fresh read."""
    img_stem, lab_stem = SPLITS[split]
    images, img_cached = _read_file(folder, img_stem, IMAGES_MAGIC, download)
    labels, lab_cached = _read_file(folder, lab_stem, LABELS_MAGIC, download)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(
            f"{folder / img_stem}: expected images of shape (n, 28, 28), got {images.shape}"
        )
    if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
        raise ValueError(
            f"{folder / lab_stem}: wrong label count: expected {images.shape[0]} labels "
            f"(one per image of {img_stem}), got shape {labels.shape}"
        )
    if labels.size and labels.max() > 9:
        raise ValueError(f"{folder / lab_stem}: labels must be digits 0..9, got {labels.max()}")
    if not img_cached:
        _save_npy_atomic(folder / f"{img_stem}.npy", images)
    if not lab_cached:
        _save_npy_atomic(folder / f"{lab_stem}.npy", labels)
    return images, labels


def _check_digit(name: str, d: object) -> int:
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or not 0 <= d <= 9:
        raise ValueError(f"{name} must be a digit 0..9, got {d!r}")
    return int(d)


def load_mnist(
    split: str = "train",
    digits: tuple[int, int] | None = None,
    flatten: bool = True,
    dtype: type = np.float32,
    data_home: str | os.PathLike[str] | None = None,
    download: bool = True,
    *,
    one_vs_rest: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST digits with pixels x = byte / 255 ∈ [0, 1].

    Parameters
    ----------
    split : "train" (60 000 images) or "test" (10 000, the t10k files).
    digits : None for all ten classes (y ∈ 0..9), or a pair (a, b): only those digits, with
        a ↦ −1 and b ↦ +1. ``digits=(0, 1)`` is EE-559's 0-vs-1 perceptron task ("MNIST's
        '0's as negative class, and '1's as positive one", EE-559 3.1 (Fleuret, EPFL, 2019)).
    one_vs_rest : a digit k: every image, y = +1 for k and −1 for the others
        (``one_vs_rest=8`` is EE-559's "8" vs. the other classes, 3.3). Not together
        with ``digits``.
    flatten : X of shape (n, 784) (row-major pixels) if True, else (n, 28, 28).
    dtype : float32 (default) or float64.
    data_home : folder holding ``mnist/``; default ``$BYHAND_DATA``, else the user cache dir.
    download : fetch missing files from :data:`MIRRORS` (SHA-256 checked) if True; otherwise
        a missing file raises :class:`DatasetNotFoundError`.

    Returns
    -------
    X : float array in [0, 1]; y : int64 labels (0..9, or ±1 for the binary tasks).

    Files and cache: ``<data home>/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]``
    are parsed by :func:`byhand.datasets.read_idx` (magic, dimensions and byte count checked);
    then ``<name>.npy`` (uint8) is written beside them atomically and used by later calls
    (``np.load(..., allow_pickle=False)``: nothing is ever unpickled). A read-only data home
    loads without the cache. Without files and without network, :class:`DatasetNotFoundError`
    says which files to put in which folder.

    Raises
    ------
    DatasetNotFoundError
        If a file is missing and ``download`` is False (or the download fails).
    CorruptDatasetError
        If a file's SHA-256 is not the published one.
    ValueError
        On an unknown ``split``, a bad ``digits`` pair or ``one_vs_rest`` digit, or both.

    Examples
    --------
    Without the files (here an empty data home, no download) it says where to put them;
    with them, ``load_mnist(digits=(0, 1))`` gives EE-559's 0-vs-1 task.

    >>> import tempfile
    >>> from byhand.datasets import load_mnist
    >>> load_mnist(data_home=tempfile.mkdtemp(), download=False)
    Traceback (most recent call last):
    ...
    byhand.datasets.mnist.DatasetNotFoundError: ...
    """
    if split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {np.dtype(dtype)}")
    if digits is not None and one_vs_rest is not None:
        raise ValueError("give either digits=(a, b) or one_vs_rest=k, not both")
    if digits is not None:
        try:
            pair = () if isinstance(digits, (str, bytes)) else tuple(digits)
        except TypeError:
            pair = ()
        if len(pair) != 2:
            raise ValueError(f"digits must be a pair of digits (a, b), got {digits!r}")
        a, b = (_check_digit("digits", d) for d in pair)
        if a == b:
            raise ValueError(f"digits must be two different digits, got {digits!r}")
    if one_vs_rest is not None:
        k = _check_digit("one_vs_rest", one_vs_rest)

    images, labels = _load_split(get_data_home(data_home) / "mnist", split, download)
    if digits is not None:
        keep = (labels == a) | (labels == b)
        images, labels = images[keep], labels[keep]
        y = np.where(labels == b, 1, -1).astype(np.int64)
    elif one_vs_rest is not None:
        y = np.where(labels == k, 1, -1).astype(np.int64)
    else:
        y = labels.astype(np.int64)
    X = images.reshape(len(images), -1) if flatten else images
    return np.divide(X, 255, dtype=dtype), y
