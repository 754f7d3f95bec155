"""Pooling kernels (byhand.kernels, numba) against their oracle, the NumPy path of
byhand.nn.pooling, bit for bit: random shapes (batch 0 and 1 included), float32/float64,
ties, ±0, NaN and ±inf in the input and in the incoming gradient, non-contiguous inputs,
overlapping and gapped windows. Also against the definition itself (y = x at the argmax)."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from byhand import kernels
from byhand.nn import AvgPool2d, MaxPool2d

pytest.importorskip("numba")

# (kernel, stride): tiling 2×2 (the NumPy path's tournament), general tiling, overlapping,
# rectangular, and gapped windows (stride > kernel: entries outside every window)
GEOMETRIES = [
    ((2, 2), (2, 2)),
    ((3, 3), (3, 3)),
    ((3, 3), (1, 1)),
    ((2, 3), (1, 2)),
    ((2, 2), (3, 3)),
]


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).view(f"u{a.dtype.itemsize}")


def _draw(rng: np.random.Generator, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """Small integers (many ties), ±0, and a sprinkle of NaN and ±inf."""
    a = rng.integers(-3, 4, size=shape).astype(dtype)
    a[rng.random(shape) < 0.1] = -0.0
    special = rng.random(shape)
    a[special < 0.03] = np.nan
    a[(special >= 0.03) & (special < 0.05)] = np.inf
    a[(special >= 0.05) & (special < 0.07)] = -np.inf
    return a


def _run(module_type: type, kernel, stride, x, g, name):
    with kernels.using(name), np.errstate(invalid="ignore"):  # inf − inf in a mean
        m = module_type(kernel, stride)
        y = m.forward(x).copy()
        return y, m.backward(g).copy()


@pytest.mark.parametrize("module_type", [MaxPool2d, AvgPool2d])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("kernel", "stride"), GEOMETRIES)
def test_pooling_kernel_equals_numpy_path_bit_for_bit(module_type, dtype, kernel, stride, seed=0):
    key = repr((module_type.__name__, kernel, stride, seed)).encode()
    rng = np.random.default_rng(zlib.crc32(key))
    for n in (0, 1, 3):
        for layout in ("c", "strided", "transposed"):
            c, h, w = int(rng.integers(1, 4)), int(rng.integers(3, 10)), int(rng.integers(3, 10))
            base = _draw(rng, (n, c, h, 2 * w), dtype)
            x = {
                "c": np.ascontiguousarray(base[..., :w]),
                "strided": base[..., ::2],
                "transposed": np.ascontiguousarray(base[..., :w].transpose(0, 1, 3, 2)).transpose(
                    0, 1, 3, 2
                ),
            }[layout]
            with kernels.using("numpy"), np.errstate(invalid="ignore"):
                out_shape = module_type(kernel, stride).forward(x).shape
            g = _draw(rng, out_shape, dtype)
            y_np, gx_np = _run(module_type, kernel, stride, x, g, "numpy")
            y_nb, gx_nb = _run(module_type, kernel, stride, x, g, "numba")
            assert y_nb.dtype == y_np.dtype and gx_nb.dtype == gx_np.dtype
            # the NumPy 2×2 tournament's np.maximum may give +0 for a (−0, +0) tie: value-equal
            np.testing.assert_array_equal(y_nb, y_np)
            if module_type is AvgPool2d or (kernel, stride) != ((2, 2), (2, 2)):
                np.testing.assert_array_equal(_bits(y_nb), _bits(y_np))
            np.testing.assert_array_equal(_bits(gx_nb), _bits(gx_np))


def test_max_pool_kernel_is_x_at_its_argmax_and_routes_ties_first_nan_last():
    x = np.array(
        [
            [
                [[1.0, 1.0, np.nan, 2.0], [0.0, 1.0, 5.0, np.nan]],
                [[-0.0, 0.0, -1, -2], [0, 0, -3, -4]],
            ]
        ],
        np.float32,
    )
    with kernels.using("numba"):
        m = MaxPool2d(2)
        y = m.forward(x)
        gx = m.backward(np.array([[[[10.0, 20.0]], [[30.0, 40.0]]]], np.float32))
    assert np.isnan(y[0, 0, 0, 1]) and y[0, 0, 0, 0] == 1.0 and y[0, 1, 0, 1] == -1.0
    assert np.signbit(y[0, 1, 0, 0])  # the first maximum, −0.0, as the definition says
    want = np.zeros_like(x)
    want[0, 0, 0, 0] = 10.0  # tie 1, 1, 1: the first in row-major order
    want[0, 0, 1, 3] = 20.0  # two NaNs: the last, as PyTorch
    want[0, 1, 0, 0] = 30.0
    want[0, 1, 0, 2] = 40.0
    np.testing.assert_array_equal(gx, want)


def test_float16_and_integer_inputs_keep_the_numpy_semantics():
    x16 = np.full((1, 1, 4, 4), 30000, np.float16)
    xi = np.arange(16).reshape(1, 1, 4, 4)
    for name in ("numpy", "numba"):
        with kernels.using(name):
            assert AvgPool2d(2).forward(x16)[0, 0, 0, 0] == 30000  # float16 summed in float32
            assert AvgPool2d(2).forward(xi).dtype == np.float64
            assert MaxPool2d(2).forward(xi).dtype == np.float64
