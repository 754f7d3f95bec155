"""A module used more than once in a network (issue 11, item 1), and optimizers that hold the
wrong parameters (item 2). Oracles: central finite differences of the whole network (whose
derivative in a shared parameter is the sum over its uses), the gradient of a tied network
derived by hand, and a literal NumPy training loop."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from byhand import fit, gradcheck, nn, optim
from byhand.nn import _blas
from byhand.nn.module import reuse_buffers

BLAS = _blas.available(np.float64)
ACTIVATIONS = [nn.ReLU, nn.Tanh, nn.Sigmoid, nn.Softplus, nn.Identity]


def _lin(n_in: int, n_out: int, seed: int, bias: bool = True) -> nn.Linear:
    lin = nn.Linear(n_in, n_out, bias=bias, random_state=seed, dtype=np.float64)
    if bias:  # non-zero biases, so that their gradients matter
        lin.bias.data[...] = np.random.default_rng(seed + 100).standard_normal(n_out)
    return lin


def _x(n: int = 5, d: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d))


# -- every module used twice, against finite differences ------------------------------------
@pytest.mark.parametrize("input_grad", [True, False])
@pytest.mark.parametrize("act", ACTIVATIONS, ids=lambda c: c.__name__)
def test_an_activation_used_twice(act: type, input_grad: bool) -> None:
    """The issue's net: Sequential(Linear, t, Linear, t) with one t."""
    t = act()
    net = nn.Sequential(_lin(3, 3, 0), t, _lin(3, 3, 1), t, input_grad=input_grad)
    assert gradcheck(net, _x()) <= 1e-6


@pytest.mark.parametrize("bias", [True, False])
def test_a_linear_used_twice_tied_weights(bias: bool) -> None:
    lin = _lin(3, 3, 0, bias)
    net = nn.Sequential(lin, nn.Tanh(), lin, nn.ReLU(), _lin(3, 2, 1))
    params = net.parameters()
    assert [id(p) for p in params[: 1 + bias]] == [id(lin.weight), id(lin.bias)][: 1 + bias]
    assert len(params) == len({id(p) for p in params}) == (1 + bias) + 2
    assert gradcheck(net, _x()) <= 1e-6


def test_one_parameter_held_by_two_modules() -> None:
    first, second = _lin(3, 3, 0), _lin(3, 3, 1)
    second.weight = first.weight  # tied weights, PyTorch style; the biases stay apart
    net = nn.Sequential(first, nn.Tanh(), second)
    assert net.parameters() == [first.weight, first.bias, second.bias]
    assert gradcheck(net, _x()) <= 1e-6


def test_sequentials_nested_and_used_twice() -> None:
    t = nn.Tanh()
    block = nn.Sequential(_lin(3, 3, 0), t)
    nets = [
        nn.Sequential(block, block),
        nn.Sequential(block, nn.Sequential(block, nn.Sigmoid()), t, _lin(3, 2, 1)),
        nn.Sequential(block, t, nn.Sequential(nn.Sequential(block)), block, input_grad=False),
    ]
    for net in nets:
        assert len(net.parameters()) in (2, 4)
        assert gradcheck(net, _x()) <= 1e-6


class _Twice(nn.Module):
    """f(f(x)) for a submodule f: a custom forward that calls a module twice."""

    def __init__(self, f: nn.Module) -> None:
        self.f = f

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.f(self.f(x))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return self.f.backward(self.f.backward(grad_out))


def test_a_custom_module_calling_a_submodule_twice() -> None:
    inner = nn.Sequential(_lin(3, 3, 0), nn.Tanh())
    assert gradcheck(_Twice(inner), _x()) <= 1e-6
    deep = nn.Sequential(_Twice(inner), inner, _Twice(_Twice(inner)))  # seven uses
    # (gradcheck raises on any entry off; dℓ/dx is ~1e-5 after seven tanh, so the relative
    # error returned is the finite differences' own noise)
    assert gradcheck(deep, _x()) <= 1e-4


def _tied_grads(W: np.ndarray, b: np.ndarray, x: np.ndarray, g: np.ndarray) -> tuple:
    """y = tanh(tanh(x W + b) W + b) by hand: dℓ/dW and dℓ/db summed over the two uses."""
    a1 = np.tanh(x @ W + b)
    a2 = np.tanh(a1 @ W + b)
    d2 = g * (1 - a2**2)
    d1 = (d2 @ W.T) * (1 - a1**2)
    return a1.T @ d2 + x.T @ d1, d2.sum(0) + d1.sum(0), d1 @ W.T


def test_tied_gradients_equal_the_sum_over_the_uses_derived_by_hand() -> None:
    lin, t = _lin(3, 3, 0), nn.Tanh()
    net = nn.Sequential(lin, t, lin, t)
    x, g = _x(), _x(seed=1)
    net.forward(x)
    net.zero_grad()
    dx = net.backward(g)
    dW, db, want_dx = _tied_grads(lin.weight.data, lin.bias.data, x, g)
    np.testing.assert_allclose(lin.weight.grad, dW, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(lin.bias.grad, db, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dx, want_dx, rtol=1e-12, atol=1e-14)


def test_reused_buffers_are_kept_per_use() -> None:
    """Inside fit (reuse_buffers), two uses at the same shape never share an array."""
    lin, t, r = _lin(4, 4, 0), nn.Tanh(), nn.ReLU()
    net = nn.Sequential(lin, r, lin, t, lin, r, lin, t)
    x, g = _x(6, 4), _x(6, 4, seed=2)
    net.forward(x)
    net.zero_grad()
    want = [net.backward(g).copy(), *(p.grad.copy() for p in net.parameters())]
    with reuse_buffers(net):
        for _ in range(3):  # buffers written again on every step
            out = net.forward(x)
            net.zero_grad()
            got = [net.backward(g), *(p.grad for p in net.parameters())]
    np.testing.assert_array_equal(out, net.forward(x))
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)


def test_forwards_without_backward_do_not_pile_up() -> None:
    """Prediction calls forward again and again: each call starts a new pass."""
    t = nn.Tanh()
    net = nn.Sequential(_lin(3, 3, 0), t, t, t)
    for _ in range(50):
        net.forward(_x())
    assert len(t.__dict__["_saved"]) == 2  # the first two uses of the last pass only
    assert gradcheck(net, _x()) <= 1e-6


def test_threads_each_with_their_own_tied_net() -> None:
    """Passes are counted per thread: concurrent forwards do not mix their caches."""
    x, g = _x(), _x(seed=1)
    errors: list[float] = []

    def work(seed: int) -> None:
        lin, t = _lin(3, 3, seed), nn.Tanh()
        net = nn.Sequential(lin, t, lin, t)
        dW, _, _ = _tied_grads(lin.weight.data, lin.bias.data, x, g)
        for _ in range(300):
            net.forward(x)
            net.zero_grad()
            net.backward(g)
            errors.append(float(np.max(np.abs(lin.weight.grad - dW))))

    threads = [threading.Thread(target=work, args=(s,)) for s in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(errors) == 900 and max(errors) < 1e-12


def test_a_loss_gives_the_gradient_of_its_latest_forward_once() -> None:
    """Losses end the network: backward() is dL/dz of the latest forward, and a second
    backward after one forward is refused rather than silently repeated."""
    loss = nn.CrossEntropyLoss()
    z1, z2 = _x(4, 3), _x(4, 3, seed=1)
    y = np.array([0, 1, 2, 1])
    loss.forward(z1, y)
    loss.forward(z2, y)
    p = np.exp(z2) / np.exp(z2).sum(1, keepdims=True)
    np.testing.assert_allclose(loss.backward(), (p - np.eye(3)[y]) / 4, rtol=1e-12)
    with pytest.raises(RuntimeError, match="before forward"):
        loss.backward()


# -- training a tied network: fit against a literal loop --------------------------------------
def _tied_net(seed: int = 0) -> tuple[nn.Sequential, nn.Linear, nn.Linear]:
    lin, out = _lin(3, 3, seed), _lin(3, 3, seed + 1)
    t = nn.Tanh()
    return nn.Sequential(lin, t, lin, t, out, input_grad=False), lin, out


def _data(n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    X = _x(n, 3, seed=4)
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.3)


def _literal_loop(epochs: int, batch: int, lr: float, mu: float, wd: float) -> list[np.ndarray]:
    """SGD with momentum and weight decay on softmax(tanh(tanh(x W + b) W + b) V + c),
    written out with NumPy; in dataset order."""
    _, lin, out = _tied_net()
    W, b, V, c = (p.data.copy() for p in (lin.weight, lin.bias, out.weight, out.bias))
    X, y = _data()
    velocity: list[Any] = [None] * 4
    for _ in range(epochs):
        for s in range(0, len(X), batch):
            x, yb = X[s : s + batch], y[s : s + batch]
            a1 = np.tanh(x @ W + b)
            a2 = np.tanh(a1 @ W + b)
            z = a2 @ V + c
            p = np.exp(z - z.max(1, keepdims=True))
            p /= p.sum(1, keepdims=True)
            G = (p - np.eye(3)[yb]) / len(x)
            d2 = (G @ V.T) * (1 - a2**2)
            d1 = (d2 @ W.T) * (1 - a1**2)
            grads = [a1.T @ d2 + x.T @ d1, d2.sum(0) + d1.sum(0), a2.T @ G, G.sum(0)]
            params = [W, b, V, c]
            for i, (theta, grad, decays) in enumerate(
                zip(params, grads, (True, False, True, False), strict=True)
            ):
                grad = grad + wd * theta if decays else grad
                velocity[i] = grad if velocity[i] is None else mu * velocity[i] + grad
                theta -= lr * velocity[i]
    return [W, b, V, c]


@pytest.mark.parametrize("fuse", [False, pytest.param(True, marks=pytest.mark.skipif(
    not BLAS, reason="NumPy's BLAS library not found"))])  # fmt: skip
@pytest.mark.parametrize("momentum, weight_decay", [(0.0, 0.0), (0.9, 1e-2)])
def test_fit_on_a_tied_net_matches_a_literal_loop(
    fuse: bool, momentum: float, weight_decay: float
) -> None:
    want = _literal_loop(4, 15, 0.3, momentum, weight_decay)
    net, lin, out = _tied_net()
    opt = optim.SGD(net.parameters(), lr=0.3, momentum=momentum, weight_decay=weight_decay)
    X, y = _data()
    fit(net, nn.CrossEntropyLoss(), opt, X, y, epochs=4, batch_size=15, shuffle=False,
        verbose=0, fuse_step=fuse)  # fmt: skip
    assert opt.k == 16
    got = [lin.weight.data, lin.bias.data, out.weight.data, out.bias.data]
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.skipif(not BLAS, reason="NumPy's BLAS library not found")
def test_fused_and_plain_steps_agree_on_every_kind_of_sharing() -> None:
    class FusedTwice(_Twice):
        supports_fused_step = True  # backward hands each use's gradient to Linear

    def nets(seed: int) -> list[nn.Sequential]:
        first, second = _lin(3, 3, seed), _lin(3, 3, seed + 1)
        second.weight = first.weight
        block = nn.Sequential(_lin(3, 3, seed + 2), nn.Tanh())
        return [
            nn.Sequential(first, nn.Tanh(), second, _lin(3, 3, seed + 3)),
            nn.Sequential(block, block, _lin(3, 3, seed + 4)),
            nn.Sequential(FusedTwice(block), _lin(3, 3, seed + 5)),
        ]

    X, y = _data()
    for plain, fused in zip(nets(0), nets(0), strict=True):
        for net, fuse in ((plain, False), (fused, True)):
            opt = optim.SGD(net.parameters(), lr=0.2, momentum=0.5)
            fit(net, nn.CrossEntropyLoss(), opt, X, y, epochs=3, batch_size=10, verbose=0,
                random_state=1, fuse_step=fuse)  # fmt: skip
        for a, b in zip(plain.parameters(), fused.parameters(), strict=True):
            np.testing.assert_allclose(a.data, b.data, rtol=1e-10, atol=1e-12)


# -- which parameters an optimizer holds --------------------------------------------------
def test_an_optimizer_of_another_model_is_refused() -> None:
    X, y = _data()
    net, _, _ = _tied_net()
    other, _, _ = _tied_net(seed=5)
    with pytest.raises(ValueError, match=r"optimizer holds 4 parameter\(s\) that are not the"):
        fit(net, nn.CrossEntropyLoss(), optim.SGD(other.parameters(), lr=0.1), X, y,
            epochs=1, verbose=0)  # fmt: skip
    mixed = optim.SGD([*net.parameters()[:2], other.parameters()[0]], lr=0.1)
    with pytest.raises(ValueError, match=r"holds 1 parameter\(s\).*weight \(3, 3\)"):
        fit(net, nn.CrossEntropyLoss(), mixed, X, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="averager holds 4"):
        fit(net, nn.CrossEntropyLoss(), optim.SGD(net.parameters(), lr=0.1), X, y, epochs=1,
            verbose=0, averager=optim.Averager(other.parameters()))  # fmt: skip


@pytest.mark.parametrize("fuse", [False, pytest.param(True, marks=pytest.mark.skipif(
    not BLAS, reason="NumPy's BLAS library not found"))])  # fmt: skip
def test_a_parameter_the_optimizer_does_not_hold_is_frozen(fuse: bool) -> None:
    X, y = _data()
    net, lin, out = _tied_net()
    before = [p.data.copy() for p in net.parameters()]
    opt = optim.SGD([lin.weight, out.weight, out.bias], lr=0.3)  # lin.bias frozen
    history = fit(net, nn.CrossEntropyLoss(), opt, X, y, epochs=5, batch_size=20, verbose=0,
                  fuse_step=fuse)  # fmt: skip
    np.testing.assert_array_equal(lin.bias.data, before[1])
    for p, b in zip(net.parameters(), before, strict=True):
        if p is not lin.bias:
            assert not np.allclose(p.data, b), p.name
    assert history.loss[-1] < history.loss[0]


def test_optimizers_refuse_a_parameter_listed_twice() -> None:
    lin = _lin(3, 3, 0)
    with pytest.raises(ValueError, match="weight.*more than once"):
        optim.SGD([lin.weight, lin.bias, lin.weight], lr=0.1)
    with pytest.raises(ValueError, match="more than once"):
        optim.Averager([lin.bias, lin.bias])


def test_a_saved_tied_network_comes_back_tied() -> None:
    """byhand's model files (byhand.io) store a repeated module once, by reference."""
    from byhand.io import decode, encode

    lin, t = _lin(3, 3, 0), nn.Tanh()
    net = nn.Sequential(lin, t, lin, t)
    x = _x()
    net.forward(x)  # caches and use bookkeeping are not saved
    tree, arrays, _ = encode(net)
    assert len(arrays) == 4  # data and grad of the weight and of the bias, once each
    back = decode(tree, arrays)
    assert back[0] is back[2] and back[1] is back[3]
    assert len(back.parameters()) == 2
    np.testing.assert_array_equal(back.forward(x), net.forward(x))
    assert gradcheck(back, x) <= 1e-6
