"""ReLU's compiled backward against its oracle, the NumPy path of nn.ReLU, bit for bit:
+0.0 where the output is <= 0 (−0.0 and +0.0 outputs included), the incoming gradient's own
bits elsewhere (NaN outputs pass it; inf and NaN gradients kept), in place and not, float32
and float64 (mixed too), batch 0 and 1, non-contiguous gradients."""

from __future__ import annotations

import numpy as np
import pytest

from byhand import kernels
from byhand.nn import ReLU

pytest.importorskip("numba")


def _draw(rng: np.random.Generator, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    a = rng.standard_normal(shape).astype(dtype)
    u = rng.random(shape)
    a[u < 0.1] = 0.0
    a[(u >= 0.1) & (u < 0.2)] = -0.0
    a[(u >= 0.2) & (u < 0.25)] = np.nan
    a[(u >= 0.25) & (u < 0.3)] = np.inf
    a[(u >= 0.3) & (u < 0.35)] = -np.inf
    return a


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).view(f"u{a.dtype.itemsize}")


@pytest.mark.parametrize("inplace", [False, True])
@pytest.mark.parametrize(
    ("xdtype", "gdtype"), [(np.float32,) * 2, (np.float64,) * 2, (np.float32, np.float64)]
)
def test_relu_backward_kernel_equals_numpy_path_bit_for_bit(inplace, xdtype, gdtype):
    rng = np.random.default_rng(11)
    for shape in [(0, 4), (1, 7), (33, 16), (4, 3, 5, 5)]:
        x = _draw(rng, shape, xdtype)
        g = _draw(rng, shape, gdtype)
        for strided in (False, True):
            results = {}
            for name in ("numpy", "numba"):
                with kernels.using(name):
                    m = ReLU(inplace=inplace)
                    out = m.forward(x.copy())
                    gg = np.repeat(g, 2, axis=-1)[..., ::2] if strided else g.copy()
                    got = m.backward(gg)
                    results[name] = (_bits(out).copy(), _bits(got).copy(), got is gg)
            np.testing.assert_array_equal(results["numba"][0], results["numpy"][0])
            np.testing.assert_array_equal(results["numba"][1], results["numpy"][1])
            assert results["numba"][2] == results["numpy"][2]  # in place exactly when NumPy is
            want = np.where(~(x <= 0), g, 0).astype(g.dtype)  # the definition: +0.0 where dead
            np.testing.assert_array_equal(results["numba"][1], _bits(want))
