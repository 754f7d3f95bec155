"""NaN and inf through every pooling, activation and loss of ``byhand.nn``, as in PyTorch.

Oracles: ``np.max`` / ``np.mean`` over each window for the forward values, PyTorch's rules
written out for the gradients (max pooling: ``if (val > maxval || isnan(val))`` picks the
entry that takes the gradient; ReLU: ``threshold_backward`` zeroes the gradient where the
output is <= 0 and passes it elsewhere), and the losses' documented refusal of non-finite
logits.
"""

from __future__ import annotations

import numpy as np
import pytest

from byhand import nn


def image_with_nan(at=(1, 1), size=6):
    x = np.arange(float(size * size)).reshape(1, 1, size, size)
    x[(0, 0, *at)] = np.nan
    return x


def window_max(x, k, s):
    oh, ow = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    return np.array(
        [
            [np.max(x[0, 0, s * i : s * i + k, s * j : s * j + k]) for j in range(ow)]
            for i in range(oh)
        ]
    )[None, None]


@pytest.mark.parametrize(("k", "s"), [(3, 3), (2, 2), (3, 1), (2, 1), (3, 2)])
@pytest.mark.parametrize("at", [(0, 0), (1, 1), (2, 5), (5, 5)])
def test_max_pooling_returns_nan_for_a_window_holding_one_and_routes_its_gradient_there(k, s, at):
    x = image_with_nan(at)
    pool = nn.MaxPool2d(k, stride=s)
    y = pool(x)
    np.testing.assert_array_equal(y, window_max(x, k, s))  # np.max: NaN wins its window
    g = np.arange(1.0, y.size + 1).reshape(y.shape)
    dx = pool.backward(g)
    # every window containing the NaN sends its whole gradient to the NaN
    want_at_nan = sum(
        g[0, 0, i, j]
        for i in range(y.shape[2])
        for j in range(y.shape[3])
        if s * i <= at[0] < s * i + k and s * j <= at[1] < s * j + k
    )
    assert dx[(0, 0, *at)] == want_at_nan
    assert dx.sum() == g.sum()  # and nothing is lost


def test_max_pooling_3x3_on_an_image_with_one_nan_is_nan_not_14():
    # the example: PyTorch gives NaN, byhand gave 14.0
    y = nn.MaxPool2d(3)(image_with_nan((1, 1)))
    assert np.isnan(y[0, 0, 0, 0]) and y[0, 0, 1, 1] == 35.0


@pytest.mark.parametrize(("k", "s"), [(2, 2), (3, 3), (3, 1)])
def test_max_pooling_routes_to_the_last_nan_of_a_window_as_pytorchs_kernel(k, s):
    x = np.zeros((1, 1, 6, 6))
    x[0, 0, 0, 0] = x[0, 0, 1, 1] = np.nan  # both in the first window
    pool = nn.MaxPool2d(k, stride=s)
    y = pool(x)
    dx = pool.backward(np.ones_like(y))
    assert np.isnan(y[0, 0, 0, 0])
    assert dx[0, 0, 1, 1] >= 1 and dx[0, 0, 0, 0] == 0


@pytest.mark.parametrize(("k", "s"), [(2, 2), (3, 3), (3, 1), (2, 1)])
def test_an_infinite_gradient_reaches_only_the_maximum_it_belongs_to(k, s):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 7, 7))
    pool = nn.MaxPool2d(k, stride=s)
    y = pool(x)
    g = np.ones_like(y)
    g[0, 0, 0, 0] = np.inf
    dx = pool.backward(g)
    win = x[0, 0, :k, :k]
    p, q = np.unravel_index(np.argmax(win), win.shape)
    assert dx[0, 0, p, q] == np.inf
    assert not np.any(np.isnan(dx))  # no inf·0 anywhere
    finite = np.ones_like(y)
    np.testing.assert_array_equal(np.isinf(dx), np.isinf(dx) & (pool.backward(finite) > 0))


def test_average_pooling_is_nan_exactly_where_a_window_holds_the_nan():
    x = image_with_nan((1, 4))
    y = nn.AvgPool2d(2)(x)
    want = x.reshape(1, 1, 3, 2, 3, 2).mean(axis=(3, 5))
    np.testing.assert_array_equal(y, want)
    assert np.isnan(y).sum() == 1


def test_relu_passes_nan_forward_and_the_gradient_at_a_nan_as_pytorch():
    x = np.array([np.nan, -1.0, 0.0, 2.0, np.inf, -np.inf])
    for inplace in (False, True):
        relu = nn.ReLU(inplace=inplace)
        y = relu(x.copy())
        np.testing.assert_array_equal(y, [np.nan, 0, 0, 2, np.inf, 0])
        g = np.array([3.0, np.inf, np.nan, 4.0, 5.0, -np.inf])
        # threshold_backward: 0 where the output <= 0 (even for inf or NaN), else the gradient
        np.testing.assert_array_equal(relu.backward(g.copy()), [3.0, 0, 0, 4.0, 5.0, 0])


@pytest.mark.parametrize(
    ("module", "f"),
    [
        (nn.Tanh, np.tanh),
        (nn.Sigmoid, lambda a: 1 / (1 + np.exp(-a))),
        (nn.Softplus, lambda a: np.log1p(np.exp(a))),
    ],
)
def test_smooth_activations_give_nan_at_a_nan_and_keep_the_rest_finite(module, f):
    x = np.array([[np.nan, -2.0, 0.5], [1.0, np.inf, -np.inf]])
    m = module()
    with np.errstate(over="ignore"):
        want = f(x)
    np.testing.assert_allclose(m(x), want, rtol=1e-12, equal_nan=True)
    dx = m.backward(np.ones_like(x))
    assert np.isnan(dx[0, 0]) and np.all(np.isfinite(dx.ravel()[1:]))


def test_sign_of_nan_is_nan():
    np.testing.assert_array_equal(nn.Sign()(np.array([np.nan, -1.0, 0.0, 3.0])), [np.nan, -1, 1, 1])


def test_conv2d_is_nan_exactly_at_the_outputs_whose_window_holds_the_nan():
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 2, 2] = np.nan
    conv = nn.Conv2d(1, 1, 3, padding=1, dtype=np.float64, random_state=0)
    y = conv(x)
    want = np.zeros((5, 5), bool)
    want[1:4, 1:4] = True
    np.testing.assert_array_equal(np.isnan(y[0, 0]), want)
    dx = conv.backward(np.ones_like(y))
    assert np.all(np.isfinite(dx)) and np.all(np.isnan(conv.weight.grad))


def test_dropout_keeps_nan_where_kept_and_where_dropped_as_pytorch():
    x = np.full((20, 20), np.nan)
    y = nn.Dropout(0.5, random_state=0)(x)
    assert np.all(np.isnan(y))  # NaN·0 = NaN, as torch's input * mask


LOSSES = [
    (nn.MSELoss(), np.zeros((3, 1)), np.zeros(3)),
    (nn.CrossEntropyLoss(), np.zeros((3, 2)), np.array([0, 1, 0])),
    (nn.LogisticLoss(), np.zeros(3), np.array([1.0, -1.0, 1.0])),
    (nn.HingeLoss(), np.zeros(3), np.array([1.0, -1.0, 1.0])),
    (nn.PerceptronLoss(), np.zeros(3), np.array([1.0, -1.0, 1.0])),
]


@pytest.mark.parametrize(("loss", "z", "y"), LOSSES, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_losses_refuse_non_finite_logits_at_the_edge_and_propagate_nan_inside_fit(loss, z, y, bad):
    z = z.copy()
    z[1] = bad
    with pytest.raises(ValueError, match="logits z must be finite"):
        loss.forward(z, y)
    if np.isnan(bad):  # the unchecked path byhand.fit uses: NaN in, NaN out (a divergence)
        with np.errstate(invalid="ignore"):
            assert np.isnan(loss._forward(z, loss.check_targets(y, z)))
