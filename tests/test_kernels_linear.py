"""A Linear layer's backward with the SGD step inside it in one compiled call
(``kernels.sgd_linear_backward``, used by ``FusedSGDStep.apply_linear`` while ``byhand.fit``
fuses the step) against its oracle, the NumPy path (``Linear.backward`` handing its
gradients to ``optim.fused`` one product at a time, BYHAND_KERNELS=numpy), and both against
the step written out: dx = G Wᵀ, W ← (1 − ε·wd) W − ε xᵀG, b ← b − ε Σₙ Gₙ."""

from __future__ import annotations

import numpy as np
import pytest

from byhand import fit, kernels, nn, optim
from byhand.nn import _blas

pytest.importorskip("numba")
pytestmark = pytest.mark.skipif(not _blas.available(), reason="NumPy's BLAS not found")


def _step(name, dtype, n, d, k, bias, with_dx, wd, momentum=0.0):
    rng = np.random.default_rng(n * 100 + d)
    with kernels.using(name):
        layer = nn.Linear(d, k, bias=bias, random_state=3, dtype=dtype)
        if bias:
            layer.bias.data[:] = rng.standard_normal(k).astype(dtype)
        w0 = layer.weight.data.copy()
        b0 = layer.bias.data.copy() if bias else None
        x = rng.standard_normal((n, d)).astype(dtype)
        g = rng.standard_normal((n, k)).astype(dtype)
        opt = optim.SGD(layer.parameters(), lr=0.1, weight_decay=wd, momentum=momentum)
        layer.forward(x)
        with opt.fusing() as step:
            step.begin()
            dx = layer.backward(g) if with_dx else layer.backward_params(g)
            step.end()
        dx = None if dx is None else dx.copy()
        b = layer.bias.data.copy() if bias else None
        return dict(x=x, g=g, w0=w0, b0=b0, w=layer.weight.data.copy(), b=b, dx=dx, k=opt.k)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("with_dx", [True, False])
@pytest.mark.parametrize("wd", [0.0, 0.01])
def test_compiled_step_equals_numpy_path_and_the_definition(dtype, bias, with_dx, wd):
    tol = {np.float32: 1e-5, np.float64: 1e-13}[dtype]
    w = np.zeros((3, 2), dtype)
    ones = lambda n, dt: np.ones(n, dt)  # noqa: E731
    x, g = np.ones((4, 3), dtype), np.ones((4, 2), dtype)
    with kernels.using("numba"):  # the compiled call applies here (not a silent fallback)
        assert kernels.sgd_linear_backward(x, g, w, None, None, 0.5, 1.0, 1.0, ones) is True
    np.testing.assert_array_equal(w, np.full((3, 2), -2.0, dtype))  # −0.5 · 4
    for n, d, k in [(1, 1, 1), (1, 5, 3), (33, 7, 5), (128, 40, 10)]:
        got = _step("numba", dtype, n, d, k, bias, with_dx, wd)
        ref = _step("numpy", dtype, n, d, k, bias, with_dx, wd)
        assert got["k"] == ref["k"] == 1
        x, g, w0 = got["x"], got["g"], got["w0"]
        x64, g64 = x.astype(np.float64), g.astype(np.float64)
        want_w = (1 - 0.1 * wd) * w0.astype(np.float64) - 0.1 * x64.T @ g64
        np.testing.assert_array_equal(got["w"], ref["w"])  # the same gemm call
        np.testing.assert_allclose(got["w"], want_w, rtol=tol, atol=tol)
        if with_dx:
            assert got["dx"].dtype == dtype
            np.testing.assert_allclose(got["dx"], ref["dx"], rtol=tol, atol=tol)
            np.testing.assert_allclose(got["dx"], g64 @ w0.T.astype(np.float64), rtol=tol, atol=tol)
        else:
            assert got["dx"] is None and ref["dx"] is None
        if bias:  # biases never decay
            want_b = got["b0"].astype(np.float64) - 0.1 * g64.sum(axis=0)
            np.testing.assert_allclose(got["b"], ref["b"], rtol=tol, atol=tol)
            np.testing.assert_allclose(got["b"], want_b, rtol=tol, atol=tol * n)


def test_momentum_and_other_layouts_take_the_numpy_path():
    """Momentum (a velocity to keep) is not compiled: the step is the NumPy path's, bit for bit."""
    got = _step("numba", np.float32, 33, 7, 5, True, True, 0.0, momentum=0.9)
    ref = _step("numpy", np.float32, 33, 7, 5, True, True, 0.0, momentum=0.9)
    for key in ("w", "b", "dx"):
        np.testing.assert_array_equal(got[key], ref[key])
    w = np.ones((3, 2), np.float32)
    strided = np.ones((4, 6), np.float32)[:, ::2]
    ones = lambda n, dtype: np.ones(n, dtype)  # noqa: E731
    g = np.ones((4, 2), np.float32)
    assert kernels.sgd_linear_backward(strided, g, w, None, None, 0.1, 1.0, 1.0, ones) is None
    assert np.all(w == 1)  # nothing changed
    x64 = np.ones((4, 3))
    assert kernels.sgd_linear_backward(x64, g, w, None, None, 0.1, 1.0, 1.0, ones) is None
    with kernels.using("numpy"):
        x = np.ones((4, 3), np.float32)
        assert kernels.sgd_linear_backward(x, g, w, None, None, 0.1, 1.0, 1.0, ones) is None


def test_fit_on_both_paths_trains_the_same_network():
    """One epoch of an MLP through byhand.fit: the compiled and the NumPy path's weights agree
    to float rounding, and each path is bit-identical from one run to the next."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 20)).astype(np.float32)
    y = rng.integers(0, 4, 300)

    def run(name):
        with kernels.using(name):
            model = nn.Sequential(
                nn.Linear(20, 200, random_state=1),  # 4000 weights: fit fuses with True
                nn.ReLU(inplace=True),
                nn.Linear(200, 4, random_state=2),
                input_grad=False,
            )
            fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), X, y,
                epochs=2, batch_size=32, random_state=0, verbose=0, fuse_step=True)  # fmt: skip
            return [p.data.copy() for p in model.parameters()]

    a, b, ref = run("numba"), run("numba"), run("numpy")
    for p, q, r in zip(a, b, ref, strict=True):
        np.testing.assert_array_equal(p, q)
        np.testing.assert_allclose(p, r, rtol=1e-4, atol=1e-5)
