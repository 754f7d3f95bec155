"""Modules: the lectures' hand-set networks, composition, parameters, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from byhand import nn

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
XOR_Y = np.array([0, 1, 1, 0])


def test_hand_set_relu_network_solves_xor():
    """004 (Galerne), "XOR": W1 = [[1, −1], [−1, 1]], b1 = 0, w2 = [1, 1], b2 = 0 with ReLU."""
    first = nn.Linear(2, 2, dtype=np.float64)
    first.weight.data[...] = [[1, -1], [-1, 1]]
    first.bias.data[...] = 0
    second = nn.Linear(2, 1, dtype=np.float64)
    second.weight.data[...] = [[1], [1]]
    second.bias.data[...] = 0
    net = nn.Sequential(first, nn.ReLU(), second)
    out = net(XOR_X)[:, 0]
    np.testing.assert_array_equal(out, XOR_Y)  # |x1 − x2| exactly


def test_identity_activation_collapses_to_one_affine_map():
    """001 (Lecture 03): two layers with linear activation are W = W1·W2, b = b1·W2 + b2."""
    l1 = nn.Linear(5, 7, random_state=0, dtype=np.float64)
    l2 = nn.Linear(7, 3, random_state=1, dtype=np.float64)
    rng = np.random.default_rng(0)
    l1.bias.data[...] = rng.standard_normal(7)
    l2.bias.data[...] = rng.standard_normal(3)
    x = rng.standard_normal((11, 5))
    out = nn.Sequential(l1, nn.Identity(), l2)(x)
    W = l1.weight.data @ l2.weight.data
    b = l1.bias.data @ l2.weight.data + l2.bias.data
    np.testing.assert_allclose(out, x @ W + b, rtol=0, atol=1e-12)


def test_linear_shapes_and_param_pairs():
    layer = nn.Linear(3, 4, random_state=0)
    assert layer.weight.data.shape == (3, 4) and layer.bias.data.shape == (4,)
    assert layer.weight.data.dtype == np.float32
    x = np.ones((2, 3), dtype=np.float32)
    layer(x)
    layer.zero_grad()
    layer.backward(np.ones((2, 4), dtype=np.float32))
    pairs = layer.param()
    assert [v.shape for v, _ in pairs] == [(3, 4), (4,)]
    np.testing.assert_array_equal(pairs[0][1], np.full((3, 4), 2.0))  # Xᵀ G
    np.testing.assert_array_equal(pairs[1][1], np.full(4, 2.0))  # Σₙ Gₙ


def test_backward_accumulates_until_zero_grad():
    layer = nn.Linear(2, 1, random_state=0, dtype=np.float64)
    x = np.array([[1.0, 2.0]])
    for _ in range(3):
        layer(x)
        layer.backward(np.ones((1, 1)))
    np.testing.assert_array_equal(layer.weight.grad[:, 0], [3.0, 6.0])
    layer.zero_grad()
    np.testing.assert_array_equal(layer.weight.grad, 0)


def test_input_grad_false_gives_same_parameter_gradients():
    def net(input_grad):
        return nn.Sequential(
            nn.Linear(4, 5, random_state=0),
            nn.ReLU(),
            nn.Linear(5, 2, random_state=1),
            input_grad=input_grad,
        )

    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    g = np.random.default_rng(1).standard_normal((6, 2)).astype(np.float32)
    full, lean = net(True), net(False)
    full(x)
    assert full.backward(g).shape == (6, 4)
    lean(x)
    assert lean.backward(g) is None
    for a, b in zip(full.parameters(), lean.parameters(), strict=True):
        np.testing.assert_array_equal(a.grad, b.grad)


def test_outputs_do_not_alias_outside_training():
    relu = nn.ReLU()
    a = relu(np.array([[1.0, -1.0]]))
    b = relu(np.array([[2.0, 3.0]]))
    np.testing.assert_array_equal(a, [[1.0, 0.0]])
    assert a is not b


def test_reuse_buffers_reuses_and_releases():
    layer = nn.Linear(2, 2, random_state=0)
    x = np.ones((3, 2), dtype=np.float32)
    with nn.reuse_buffers(layer):
        assert layer(x) is layer(x)
    assert layer(x) is not layer(x)


def test_initialisers_are_seeded_and_scaled():
    rng = np.random.default_rng
    a = nn.init.glorot_uniform((300, 200), rng(0))
    np.testing.assert_array_equal(a, nn.init.glorot_uniform((300, 200), rng(0)))
    assert np.abs(a).max() <= np.sqrt(6 / 500)
    h = nn.init.he_normal((2000, 50), rng(1), dtype=np.float64)
    assert h.std() == pytest.approx(np.sqrt(2 / 2000), rel=0.02)
    assert not nn.init.zeros((2, 3)).any()


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_linear_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="positive integer"):
        nn.Linear(bad, 2)


def test_linear_rejects_wrong_input_width():
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\), got \(4, 2\)"):
        nn.Linear(3, 1)(np.ones((4, 2), dtype=np.float32))


def test_sequential_rejects_non_modules():
    with pytest.raises(TypeError, match="Module instances"):
        nn.Sequential(nn.ReLU(), np.tanh)
