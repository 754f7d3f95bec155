"""Conv2d's compiled loops (bias + NCHW layout of the output, col2im into dℓ/dx) against the
NumPy path, to float rounding (the products are BLAS in both; the NumPy path's stride-1
backward multiplies a wider zero-extended matrix), and against the definition as a literal
float64 loop: random shapes, strides, paddings, batch 0 and 1, float32/float64, NaN and inf,
non-contiguous inputs."""

from __future__ import annotations

import numpy as np
import pytest

from byhand import kernels
from byhand.nn import Conv2d

pytest.importorskip("numba")


def _literal(x, w, b, s, pad):
    """y[n, o, i, j] = b[o] + Σ w[o, c, p, q] x̃[n, c, s·i + p, s·j + q], in float64."""
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad[0],) * 2, (pad[1],) * 2))
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = (h - kh) // s[0] + 1, (wd - kw) // s[1] + 1
    y = np.empty((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * s[0] : i * s[0] + kh, j * s[1] : j * s[1] + kw]
            y[:, :, i, j] = np.einsum("ncpq,ocpq->no", patch, w) + b
    return y


def _run(layer_args, x, g, name):
    with kernels.using(name), np.errstate(invalid="ignore", over="ignore"):
        m = Conv2d(*layer_args[:3], stride=layer_args[3], padding=layer_args[4], random_state=1)
        m.bias.data[:] = np.arange(m.out_channels)
        m.weight.data[...] = m.weight.data.astype(x.dtype).astype(m.weight.data.dtype)
        y = m.forward(x).copy()
        gx = m.backward(g).copy()
        return y, gx, m.weight.grad.copy(), m.bias.grad.copy(), m


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_kernels_equal_numpy_path_and_definition(dtype):
    rng = np.random.default_rng(7)
    tol = {np.float32: 1e-5, np.float64: 1e-12}[dtype]
    cases = [
        (1, 2, 3, 1, 0),
        (2, 3, 3, 1, 1),
        (3, 2, (3, 2), (2, 1), (1, 2)),
        (2, 4, 5, 2, 2),
        (1, 3, 5, 1, 2),  # stride 1, five columns: the direct loop's unrolled pass
        (2, 3, (4, 7), 1, (1, 3)),  # one unrolled pass of five and two single columns
    ]
    for cin, cout, k, s, pad in cases:
        for n in (0, 1, 3):
            h, wd = int(rng.integers(5, 9)), int(rng.integers(5, 9))
            base = rng.standard_normal((n, cin, h, 2 * wd)).astype(dtype)
            x = base[..., ::2]  # non-contiguous
            probe = Conv2d(cin, cout, k, stride=s, padding=pad, dtype=dtype)
            shape = probe.forward(x).shape
            g = rng.standard_normal(shape).astype(dtype)
            args = (cin, cout, k, s, pad)
            y_np, gx_np, gw_np, gb_np, _ = _run(args, x, g, "numpy")
            y_nb, gx_nb, gw_nb, gb_nb, m = _run(args, x, g, "numba")
            assert y_nb.dtype == y_np.dtype and gx_nb.dtype == gx_np.dtype
            for got, want in ((y_nb, y_np), (gx_nb, gx_np), (gw_nb, gw_np), (gb_nb, gb_np)):
                np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
            want = _literal(
                x, m.weight.data.astype(np.float64), np.arange(cout), m.stride, m.padding
            )
            np.testing.assert_allclose(y_nb, want, rtol=10 * tol, atol=10 * tol)
            # dℓ/dx of ℓ = Σ g·y is the adjoint of the map x ↦ y − b: ⟨g, y(x) − b⟩ = ⟨dx, x⟩
            lhs = np.sum(g.astype(np.float64) * (want - np.arange(cout)[:, None, None]))
            rhs = np.sum(gx_nb.astype(np.float64) * x)
            assert lhs == pytest.approx(rhs, rel=100 * tol, abs=100 * tol)


def test_conv_kernels_carry_nan_and_inf_like_numpy():
    x = np.zeros((2, 1, 5, 5), np.float32)
    x[0, 0, 2, 2] = np.nan
    x[1, 0, 0, 0] = np.inf
    g = np.ones((2, 2, 5, 5), np.float32)
    g[1, 1, 4, 4] = np.inf
    y_np, gx_np, gw_np, _, _ = _run((1, 2, 3, 1, 1), x, g, "numpy")
    y_nb, gx_nb, gw_nb, _, _ = _run((1, 2, 3, 1, 1), x, g, "numba")
    for got, want in ((y_nb, y_np), (gx_nb, gx_np), (gw_nb, gw_np)):
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
        finite = np.isfinite(want)
        np.testing.assert_allclose(got[finite], want[finite], rtol=1e-5, atol=1e-5)


def test_direct_path_taken_and_nonfinite_input_takes_im2col():
    """Stride 1 with a finite input runs the compiled direct loop (no im2col matrix); an
    input holding NaN or inf takes the im2col path, whose gradient never multiplies a
    dropped wide-row column (0·inf) into the weight gradient."""
    rng = np.random.default_rng(3)
    with kernels.using("numba"):
        m = Conv2d(2, 3, 5, padding=2, random_state=0)
        x = rng.standard_normal((2, 2, 7, 7)).astype(np.float32)
        m.forward(x)
        assert m._xf is not None and m._cols is None
        x[1, 0, 6, 6] = np.inf  # the last pixel: outside the window of most offsets
        y = m.forward(x)
        assert m._xf is None and m._cols is not None
        m.zero_grad()
        m.backward(np.ones_like(y))
        got = m.weight.grad.copy()
    with kernels.using("numpy"):
        m.zero_grad()
        m.forward(x)
        m.backward(np.ones_like(y))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(m.weight.grad))
    assert np.isfinite(got).any() and not np.isnan(got).all()
