"""Linear's bias and the ReLU(inplace=True) after it in a Sequential, applied in one compiled
pass (``kernels.bias_relu``), against its oracle, the NumPy path (``out += b`` then
``np.maximum(out, 0)``, BYHAND_KERNELS=numpy), bit for bit: −0.0 sums give +0.0, NaN and
±inf sums as NumPy; and the modules keep their own semantics wherever the pair is not
exactly Linear then ReLU(inplace=True) in a Sequential."""

from __future__ import annotations

import numpy as np
import pytest

from byhand import kernels, nn

pytest.importorskip("numba")


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).view(f"u{a.dtype.itemsize}")


def _special(rng: np.random.Generator, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    a = rng.standard_normal(shape).astype(dtype)
    u = rng.random(shape)
    a[u < 0.1] = 0.0
    a[(u >= 0.1) & (u < 0.2)] = -0.0
    a[(u >= 0.2) & (u < 0.23)] = np.nan
    a[(u >= 0.23) & (u < 0.26)] = np.inf
    a[(u >= 0.26) & (u < 0.29)] = -np.inf
    return a


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bias_relu_kernel_equals_numpy_bit_for_bit(dtype):
    rng = np.random.default_rng(5)
    for n, k in [(1, 1), (0, 4), (3, 7), (128, 256)]:
        out = _special(rng, (n, k), dtype)
        bias = _special(rng, (k,), dtype)
        with np.errstate(invalid="ignore"):  # inf − inf
            want = out + bias
        np.maximum(want, 0, out=want)
        got = out.copy()
        with kernels.using("numba"):
            assert kernels.bias_relu(got, bias) is got
        np.testing.assert_array_equal(_bits(got), _bits(want))
    with kernels.using("numba"):  # mixed dtypes, strided: the NumPy path
        assert kernels.bias_relu(np.zeros((2, 3)), np.zeros(3, np.float32)) is None
        assert kernels.bias_relu(np.zeros((2, 6))[:, ::2], np.zeros(3)) is None
    with kernels.using("numpy"):
        assert kernels.bias_relu(np.zeros((2, 3)), np.zeros(3)) is None


def _net(inplace: bool = True, dtype: type = np.float32) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(6, 5, random_state=0, dtype=dtype),
        nn.ReLU(inplace=inplace),
        nn.Linear(5, 4, random_state=1, dtype=dtype),
        nn.ReLU(inplace=inplace),
        nn.Linear(4, 3, random_state=2, dtype=dtype),
    )


@pytest.mark.parametrize("inplace", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sequential_forward_backward_same_bits_on_both_paths(inplace, dtype):
    rng = np.random.default_rng(7)
    x = _special(rng, (9, 6), dtype)
    x[np.isinf(x)] = 1.0
    g = rng.standard_normal((9, 3)).astype(dtype)
    biases = [rng.standard_normal(k).astype(dtype) for k in (5, 4, 3)]
    biases[0][:2] = (0.0, -0.0)
    results = {}
    for name in ("numba", "numpy"):
        with kernels.using(name):
            net = _net(inplace, dtype)
            for m, b in zip(net.modules[::2], biases, strict=True):
                m.bias.data[:] = b
            out = net.forward(x.copy()).copy()
            dx = net.backward(g.copy()).copy()
            hidden = net.modules[1]._out.copy()
            results[name] = (out, dx, hidden, [p.grad.copy() for p in net.parameters()])
    for a, b in zip(results["numba"][:3], results["numpy"][:3], strict=True):
        np.testing.assert_array_equal(_bits(a), _bits(b))
    for a, b in zip(results["numba"][3], results["numpy"][3], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    hidden = results["numba"][2]
    assert np.all((hidden >= 0) | np.isnan(hidden)) and not np.any(np.signbit(hidden))


def test_the_pair_is_fused_only_inside_a_sequential(monkeypatch):
    """A Linear called on its own after a Sequential forward adds its bias only: nothing of the
    hand-off stays behind; a ReLU given an array the Linear did not rectify computes it."""
    rng = np.random.default_rng(1)
    calls = []
    real = kernels.bias_relu
    monkeypatch.setattr(kernels, "bias_relu", lambda out, b: calls.append(1) or real(out, b))
    with kernels.using("numba"):
        net = _net()
        lin, relu = net.modules[0], net.modules[1]
        lin.bias.data[:] = -5.0  # every pre-activation negative
        x = rng.standard_normal((4, 6)).astype(np.float32)
        assert np.all(net.forward(x) == net.modules[4].bias.data)  # both hidden layers dead
        assert "_rectified" not in relu.__dict__
        assert len(calls) == 2  # both pairs fused
        net.modules[1].inplace = False
        net.forward(x)
        assert len(calls) == 3  # ReLU(inplace=False) after the first Linear: not fused
        z = lin.forward(x)
        assert np.all(z < 0)  # no ReLU applied
        np.testing.assert_array_equal(z, x @ lin.weight.data + lin.bias.data)
        assert np.all(relu.forward(z.copy()) == 0)


@pytest.mark.parametrize("input_grad", [True, False])
def test_relu_mask_inside_the_linear_backward_equals_numpy_path(monkeypatch, input_grad):
    """While SGD is fused into backward, the Linear after a ReLU(inplace=True) applies the
    ReLU's derivative (+0.0 where its output is <= 0) to dℓ/dx in its own compiled call; the
    ReLU's backward then has nothing left to do. Same gradients and steps as the NumPy path
    (which runs each module's backward), to float rounding (the bias step's sum order)."""
    from byhand import optim

    rng = np.random.default_rng(3)
    x = rng.standard_normal((17, 6)).astype(np.float32)
    g = rng.standard_normal((17, 3)).astype(np.float32)
    relu_calls = []
    real = kernels.relu_backward
    monkeypatch.setattr(
        kernels, "relu_backward", lambda *a, **k: relu_calls.append(1) or real(*a, **k)
    )
    results = {}
    for name in ("numba", "numpy"):
        with kernels.using(name):
            net = _net()
            net.input_grad = input_grad
            for m in net.modules[::2]:
                m.bias.data[:] = -0.3  # many dead units
            opt = optim.SGD(net.parameters(), lr=0.5)
            net.forward(x.copy())
            with opt.fusing() as step:
                step.begin()
                dx = net.backward(g.copy())
                step.end()
            results[name] = ([p.data.copy() for p in net.parameters()], dx)
        if name == "numba":
            assert relu_calls == []  # both masks applied inside the Linear's call
    for a, b in zip(results["numba"][0], results["numpy"][0], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    if input_grad:
        np.testing.assert_allclose(results["numba"][1], results["numpy"][1], rtol=1e-6, atol=1e-6)
    else:
        assert results["numba"][1] is None and results["numpy"][1] is None
    assert len(relu_calls) == 2  # the NumPy path ran each ReLU's backward


def test_sequential_backward_edges():
    """The backward loop rewritten for the hand-off keeps Sequential's edges: an empty
    Sequential is the identity (None without input_grad), modules without parameters pass
    the gradient on (None without input_grad), and only the first layer with parameters is
    skipped for dℓ/dx."""
    g = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(nn.Sequential().backward(g), g)
    assert nn.Sequential(input_grad=False).backward(g) is None
    relu = nn.ReLU()
    net = nn.Sequential(relu, nn.Identity())
    net.forward(np.array([[1.0, -1.0, 2.0], [0.0, 3.0, -2.0]]))
    np.testing.assert_array_equal(net.backward(g), np.where([[1, 0, 1], [0, 1, 0]], g, 0.0))
    net = nn.Sequential(nn.ReLU(), nn.Identity(), input_grad=False)
    net.forward(np.ones((2, 3)))
    assert net.backward(g) is None
    lin = nn.Linear(3, 2, random_state=0, dtype=np.float64)
    net = nn.Sequential(nn.Identity(), lin, input_grad=False)
    x = np.ones((2, 3))
    net.forward(x)
    assert net.backward(np.ones((2, 2))) is None
    np.testing.assert_array_equal(lin.weight.grad, x.T @ np.ones((2, 2)))
