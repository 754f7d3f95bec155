"""Losses: values, stability at logits of ±1e4, and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest

from byhand import nn
from byhand.nn import functional as F

BIG = np.array([1e4, -1e4, 1e4, -1e4])
YBIG = np.array([1, 1, -1, -1])


def test_logistic_loss_values_and_stability():
    loss = nn.LogisticLoss()
    value = loss(BIG, YBIG)
    # log(1+e^{-yz}): 0 for the two right ones, 1e4 for the two wrong ones
    assert value == pytest.approx((0 + 1e4 + 1e4 + 0) / 4)
    np.testing.assert_allclose(loss.backward(), [0, -0.25, 0.25, 0])
    z = np.array([0.3, -1.2])
    expected = np.mean(np.log(1 + np.exp(-np.array([1, -1]) * z)))
    assert loss(z, np.array([1, -1])) == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_stable_and_gradient_is_p_minus_onehot():
    loss = nn.CrossEntropyLoss()
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0]])
    assert loss(z, np.array([0, 2])) == pytest.approx((0 + (1e4 - 3)) / 2)
    g = loss.backward()
    assert np.all(np.isfinite(g))
    rng = np.random.default_rng(0)
    z = rng.standard_normal((6, 4))
    y = rng.integers(0, 4, 6)
    loss(z, y)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(loss.backward(), (p - np.eye(4)[y]) / 6, rtol=1e-12)
    # the literal definition −log softmax
    assert loss(z, y) == pytest.approx(-np.mean(np.log(p[np.arange(6), y])), rel=1e-12)


@pytest.mark.parametrize("loss", [nn.HingeLoss(), nn.PerceptronLoss(), nn.LogisticLoss()], ids=repr)
def test_binary_losses_finite_at_big_logits(loss):
    assert np.isfinite(loss(BIG, YBIG))
    assert np.all(np.isfinite(loss.backward()))


def test_hinge_and_perceptron_values():
    z, y = np.array([2.0, 0.5, -0.5, 0.0]), np.array([1, 1, 1, -1])
    assert nn.HingeLoss()(z, y) == pytest.approx((0 + 0.5 + 1.5 + 1) / 4)
    loss = nn.PerceptronLoss()
    assert loss(z, y) == pytest.approx((0 + 0 + 0.5 + 0) / 4)
    # the subgradient at y z = 0 is −y: SGD updates exactly when y z <= 0, like the perceptron
    np.testing.assert_allclose(loss.backward(), [0, 0, -0.25, 0.25])


def test_predict_follows_the_task_table():
    np.testing.assert_array_equal(nn.LogisticLoss().predict(np.array([-1.0, 0.0, 2.0])), [-1, 1, 1])
    np.testing.assert_array_equal(nn.CrossEntropyLoss().predict(np.array([[1, 3, 2.0]])), [1])
    z = np.array([[0.5], [1.5]])
    np.testing.assert_array_equal(nn.MSELoss().predict(z), z)


def test_functional_stable():
    a = np.array([-1e4, -3.0, 0.0, 3.0, 1e4])
    np.testing.assert_allclose(
        F.sigmoid(a), [0, 1 / (1 + np.exp(3)), 0.5, 1 / (1 + np.exp(-3)), 1], rtol=1e-12, atol=0
    )
    np.testing.assert_allclose(F.softplus(np.array([1e4, -1e4])), [1e4, 0])
    z = np.array([[1e4, 1e4 - 1]])
    assert F.logsumexp(z, axis=1)[0] == pytest.approx(1e4 + np.log1p(np.exp(-1)))
    np.testing.assert_allclose(F.softmax(z).sum(), 1.0)
    np.testing.assert_allclose(F.log_softmax(z), z - F.logsumexp(z, axis=1, keepdims=True))


@pytest.mark.parametrize(
    "loss,z,y,match",
    [
        (nn.LogisticLoss(), np.zeros(3), np.array([0, 1, 1]), "−1 or \\+1, got \\[0\\]"),
        (nn.HingeLoss(), np.zeros(3), np.array([1, 2, -1]), "−1 or \\+1"),
        (nn.CrossEntropyLoss(), np.zeros((2, 3)), np.array([0, 3]), "0..2, got values from 0 to 3"),
        (nn.CrossEntropyLoss(), np.zeros((2, 3)), np.array([0, -1]), "0..2"),
        (nn.LogisticLoss(), np.array([np.nan, 0.0]), np.array([1, 1]), "finite"),
        (nn.CrossEntropyLoss(), np.array([[np.inf, 0.0]]), np.array([0]), "finite"),
        (
            nn.MSELoss(),
            np.zeros(3),
            np.zeros(4),
            "same number of samples N, got z with 3 and y with 4",
        ),
        (nn.LogisticLoss(), np.zeros(3), np.ones(2), "same number of samples"),
        (nn.CrossEntropyLoss(), np.zeros((3, 2)), np.zeros(2, int), "same number of samples"),
        (nn.LogisticLoss(), np.zeros((3, 2)), np.ones(3), "shape \\(N,\\) or \\(N, 1\\)"),
        (nn.MSELoss(), np.zeros(2), np.array([1.0, np.inf]), "finite"),
    ],
)
def test_bad_input_gives_clear_value_error(loss, z, y, match):
    with pytest.raises(ValueError, match=match):
        loss(z, y)


def test_backward_before_forward_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="before forward"):
        nn.CrossEntropyLoss().backward()
    with pytest.raises(RuntimeError, match="before forward"):
        nn.Tanh().backward(np.ones((1, 1)))
    with pytest.raises(RuntimeError, match="before forward"):
        nn.Linear(2, 2).backward(np.ones((1, 2)))


def test_hinge_margin_validated():
    with pytest.raises(ValueError, match="margin"):
        nn.HingeLoss(margin=-1)
