"""A small, strict reader for the IDX format of MNIST (gzip-compressed or raw).

IDX layout (big-endian): a 4-byte magic ``0x00 0x00 <type> <ndim>``, then ``ndim`` uint32
dimensions, then ``prod(dims)`` items of the given type, nothing more. MNIST images have
magic 2051 (ubyte, 3 dims: n, 28, 28), labels 2049 (ubyte, 1 dim: n).
Every inconsistency raises a ValueError that names the file, what was expected and what came.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from math import prod
from pathlib import Path

import numpy as np

# type code -> big-endian numpy dtype
IDX_TYPES: dict[int, str] = {
    0x08: ">u1",
    0x09: ">i1",
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}
IMAGES_MAGIC = 2051  # 0x00000803: ubyte, 3 dimensions
LABELS_MAGIC = 2049  # 0x00000801: ubyte, 1 dimension


def parse_idx(data: bytes, name: str = "<bytes>", expected_magic: int | None = None) -> np.ndarray:
    """Decode IDX bytes into an array of shape ``dims`` (native byte order).

    ``name`` is used in error messages; ``expected_magic`` (e.g. 2051 or 2049) is checked
    when given. Raises ValueError on a short header, a bad magic number, or a body whose
    length differs from the item count announced by the header.

    Examples
    --------
    >>> import struct
    >>> from byhand.datasets import parse_idx
    >>> data = struct.pack(">HBBI", 0, 0x08, 1, 3) + bytes([7, 8, 9])  # 3 unsigned bytes
    >>> parse_idx(data)
    array([7, 8, 9], dtype=uint8)
    >>> parse_idx(data[:-1], name="labels")
    Traceback (most recent call last):
    ...
    ValueError: ...
    """
    if len(data) < 4:
        raise ValueError(
            f"{name}: truncated IDX file: expected at least a 4-byte magic number, "
            f"got {len(data)} bytes"
        )
    (magic,) = struct.unpack(">I", data[:4])
    zero, type_code, ndim = magic >> 16, (magic >> 8) & 0xFF, magic & 0xFF
    if expected_magic is not None and magic != expected_magic:
        raise ValueError(
            f"{name}: wrong IDX magic number: expected {expected_magic} "
            f"(0x{expected_magic:08x}), got {magic} (0x{magic:08x})"
        )
    if zero != 0 or type_code not in IDX_TYPES or ndim == 0:
        raise ValueError(
            f"{name}: not an IDX file: magic 0x{magic:08x} should be 0x0000TTDD with type TT "
            f"in {{{', '.join(f'0x{t:02x}' for t in IDX_TYPES)}}} and DD >= 1 dimensions"
        )
    if ndim > 32:
        raise ValueError(f"{name}: unsupported IDX file: expected <= 32 dimensions, got {ndim}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(
            f"{name}: truncated IDX header: expected {header} bytes for {ndim} dimensions, "
            f"got {len(data)} bytes"
        )
    dims = struct.unpack(f">{ndim}I", data[4:header])
    dtype = np.dtype(IDX_TYPES[type_code])
    expected = prod(dims) * dtype.itemsize
    body = len(data) - header
    if body != expected:
        what = "truncated IDX file" if body < expected else "wrong IDX item count"
        raise ValueError(
            f"{name}: {what}: header announces dims {tuple(dims)} = {prod(dims)} items "
            f"({expected} bytes of data), got {body} bytes of data"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)
    return array.astype(dtype.newbyteorder("="), copy=True)


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The decompressed content of ``path``: gunzipped if it starts with the gzip magic 1f 8b.

    A damaged or truncated gzip stream raises ValueError naming the file.
    """
    path = Path(path)
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:
        raise ValueError(
            f"{path}: damaged gzip file: expected a complete gzip stream, got an error "
            f"while decompressing ({exc})"
        ) from None


def read_idx(path: str | os.PathLike[str], expected_magic: int | None = None) -> np.ndarray:
    """Read an IDX file (gzip or raw) from ``path``; see :func:`parse_idx`.

    Raises ValueError as :func:`parse_idx` does, and OSError if the file cannot be read.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from byhand.datasets import read_idx, write_idx
    >>> path = os.path.join(tempfile.mkdtemp(), "x.idx.gz")
    >>> write_idx(path, np.arange(6, dtype=np.uint8).reshape(2, 3), compress=True)
    >>> read_idx(path)
    array([[0, 1, 2],
           [3, 4, 5]], dtype=uint8)
    """
    return parse_idx(read_bytes(path), name=str(path), expected_magic=expected_magic)


def write_idx(path: str | os.PathLike[str], array: np.ndarray, compress: bool = False) -> None:
    """Write ``array`` as IDX (gzip when ``compress``): the inverse of :func:`read_idx`.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from byhand.datasets import read_idx, write_idx
    >>> path = os.path.join(tempfile.mkdtemp(), "y.idx")
    >>> write_idx(path, np.array([1.5, -2.0]))
    >>> read_idx(path)
    array([ 1.5, -2. ])
    """
    array = np.asarray(array)
    codes = {np.dtype(v).newbyteorder("="): k for k, v in IDX_TYPES.items()}
    native = array.dtype.newbyteorder("=")
    if native not in codes or array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"cannot write dtype {array.dtype} with {array.ndim} dimensions as IDX")
    header = struct.pack(">I", (codes[native] << 8) | array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(IDX_TYPES[codes[native]]).tobytes()
    with open(path, "wb") as f:
        f.write(gzip.compress(payload) if compress else payload)
