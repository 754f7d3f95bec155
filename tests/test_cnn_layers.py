"""Conv2d, MaxPool2d, AvgPool2d, Flatten, Dropout and Adam against literal definitions.

Forwards against nested loops written from the formulas (PyTorch's definitions: a
cross-correlation over the zero-padded input, windows ``stride`` apart); backwards against
central finite differences in float64 (``byhand.gradcheck``), over random configurations.
"""

from __future__ import annotations

import numpy as np
import pytest

from byhand import gradcheck
from byhand.nn import AvgPool2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, Parameter
from byhand.nn.dropout import set_training
from byhand.optim import Adam


def literal_conv(x, w, b, stride, padding):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.zeros((n, c, h + 2 * padding, wd + 2 * padding))
    xp[:, :, padding : padding + h, padding : padding + wd] = x
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (wd + 2 * padding - kw) // stride + 1
    y = np.zeros((n, o, oh, ow))
    for a in range(n):
        for oc in range(o):
            for i in range(oh):
                for j in range(ow):
                    total = b[oc]
                    for ch in range(c):
                        for p in range(kh):
                            for q in range(kw):
                                total += w[oc, ch, p, q] * xp[a, ch, stride * i + p, stride * j + q]
                    y[a, oc, i, j] = total
    return y


def literal_pool(x, k, stride, kind):
    n, c, h, wd = x.shape
    oh, ow = (h - k) // stride + 1, (wd - k) // stride + 1
    y = np.zeros((n, c, oh, ow))
    for a in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    win = x[a, ch, stride * i : stride * i + k, stride * j : stride * j + k]
                    y[a, ch, i, j] = win.max() if kind == "max" else win.mean()
    return y


def conv_configs(count, seed):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        k = int(rng.integers(1, 6))
        s = int(rng.integers(1, 4))
        p = int(rng.integers(0, 3))
        h = int(rng.integers(max(k - 2 * p, 1), 10)) | 1  # odd sizes
        w = int(rng.integers(max(k - 2 * p, 1), 10)) | 1
        h, w = max(h, k - 2 * p), max(w, k - 2 * p)
        n = int(rng.choice([1, 2, 3]))
        c, o = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        out.append((n, c, o, h, w, k, s, p))
    return out


@pytest.mark.parametrize("config", conv_configs(24, 0))
def test_conv2d_forward_is_the_cross_correlation_and_backward_the_finite_differences(config):
    n, c, o, h, w, k, s, p = config
    rng = np.random.default_rng(hash(config) % 2**32)
    conv = Conv2d(c, o, k, stride=s, padding=p, random_state=rng, dtype=np.float64)
    conv.bias.data[...] = rng.standard_normal(o)
    x = rng.standard_normal((n, c, h, w))
    want = literal_conv(x, conv.weight.data, conv.bias.data, s, p)
    np.testing.assert_allclose(conv(x), want, rtol=1e-12, atol=1e-12)
    assert gradcheck(conv, x) < 1e-6


def test_conv2d_layout_init_dtype_and_errors():
    conv = Conv2d(3, 8, 5, random_state=0)
    assert conv.weight.data.shape == (8, 3, 5, 5) and conv.weight.data.dtype == np.float32
    assert conv.bias.data.shape == (8,)
    again = Conv2d(3, 8, 5, random_state=0)
    np.testing.assert_array_equal(conv.weight.data, again.weight.data)
    limit = np.sqrt(6.0 / (3 * 25 + 8))  # Glorot on the (C·kH·kW, out) im2col matrix
    assert np.abs(conv.weight.data).max() <= limit
    assert Conv2d(1, 2, 3, dtype=np.float64).weight.data.dtype == np.float64
    assert Conv2d(1, 2, 3, bias=False).parameters()[0].name == "weight"
    assert len(Conv2d(1, 2, 3, bias=False).parameters()) == 1
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3, H, W\)"):
        conv(np.zeros((2, 1, 9, 9), np.float32))
    with pytest.raises(ValueError, match="does not fit"):
        conv(np.zeros((2, 3, 3, 3), np.float32))
    with pytest.raises(ValueError, match="kernel_size"):
        Conv2d(1, 1, 0)
    with pytest.raises(ValueError, match="padding"):
        Conv2d(1, 1, 3, padding=-1)
    with pytest.raises(RuntimeError, match="before forward"):
        Conv2d(1, 1, 3).backward(np.zeros((1, 1, 1, 1), np.float32))


def test_conv2d_rectangular_kernel_stride_padding():
    rng = np.random.default_rng(3)
    conv = Conv2d(2, 3, (1, 3), stride=(2, 1), padding=(0, 2), dtype=np.float64, random_state=1)
    x = rng.standard_normal((2, 2, 5, 4))
    y = conv(x)
    assert y.shape == (2, 3, 3, 6)
    assert gradcheck(conv, x) < 1e-6


def pool_configs(count, seed):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        k = int(rng.integers(1, 5))
        s = int(rng.integers(1, 4))
        h, w = int(rng.integers(k, 11)) | 1, int(rng.integers(k, 11)) | 1
        out.append((int(rng.choice([1, 2])), int(rng.integers(1, 4)), h, w, k, s))
    return out


@pytest.mark.parametrize("config", pool_configs(16, 1))
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_forward_is_the_window_max_or_mean_and_backward_the_finite_differences(
    config, kind
):
    n, c, h, w, k, s = config
    rng = np.random.default_rng(hash(config) % 2**32)
    pool = (MaxPool2d if kind == "max" else AvgPool2d)(k, stride=s)
    x = rng.standard_normal((n, c, h, w))  # distinct values: max is differentiable
    np.testing.assert_allclose(pool(x), literal_pool(x, k, s, kind), rtol=1e-12, atol=1e-14)
    assert gradcheck(pool, x) < 1e-6


def test_pooling_stride_defaults_to_the_window():
    assert MaxPool2d(3).stride == (3, 3) and AvgPool2d(2, stride=1).stride == (1, 1)


@pytest.mark.parametrize("stride", [1, 2])
def test_max_pooling_routes_a_tie_to_one_input(stride):
    x = np.ones((1, 1, 4, 4))
    pool = MaxPool2d(2, stride=stride)
    y = pool(x)
    g = np.arange(1.0, y.size + 1).reshape(y.shape)
    dx = pool.backward(g)
    # each window's gradient goes once, to its first (top-left) entry
    assert dx.sum() == pytest.approx(g.sum())
    want = np.zeros((4, 4))
    for i in range(y.shape[2]):
        for j in range(y.shape[3]):
            want[stride * i, stride * j] += g[0, 0, i, j]
    np.testing.assert_array_equal(dx[0, 0], want)


@pytest.mark.parametrize("kernel", [2, 3])
def test_max_pooling_ties_go_to_the_first_maximum_in_row_major_order(kernel):
    rng = np.random.default_rng(7)
    for _ in range(30):  # windows with values from a small set: many ties, in every pattern
        x = rng.integers(0, 3, size=(2, 2, 2 * kernel + 1, 2 * kernel)).astype(np.float64)
        pool = MaxPool2d(kernel)
        y = pool(x)
        g = rng.standard_normal(y.shape)
        want = np.zeros_like(x)
        for a, c, i, j in np.ndindex(*y.shape):
            win = x[a, c, kernel * i : kernel * i + kernel, kernel * j : kernel * j + kernel]
            p, q = np.unravel_index(np.argmax(win), win.shape)  # argmax: the first maximum
            want[a, c, kernel * i + p, kernel * j + q] += g[a, c, i, j]
        np.testing.assert_array_equal(pool.backward(g), want)
        np.testing.assert_array_equal(y, literal_pool(x, kernel, kernel, "max"))


def test_flatten_is_row_major_and_its_backward_restores_the_shape():
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    f = Flatten()
    np.testing.assert_array_equal(f(x), x.reshape(2, 12))
    assert f.backward(np.ones((2, 12))).shape == (2, 3, 2, 2)
    assert gradcheck(f, x) < 1e-8


def test_dropout_train_and_eval_modes_and_its_scaling():
    x = np.ones((400, 50))
    drop = Dropout(0.25, random_state=0)
    y = drop(x)
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75)  # the inverted scaling 1/(1 − p)
    assert abs(kept.mean() - 0.75) < 0.01  # 20 000 Bernoulli(0.75) draws
    g = np.random.default_rng(1).standard_normal(x.shape)
    np.testing.assert_allclose(drop.backward(g), g * kept / 0.75, rtol=1e-15)
    assert not np.array_equal(drop(x) != 0, kept)  # a fresh mask each forward
    set_training(drop, False)
    np.testing.assert_array_equal(drop(x), x)
    np.testing.assert_array_equal(drop.backward(g), g)
    set_training(drop, True)
    again = Dropout(0.25, random_state=0)(x)
    np.testing.assert_array_equal(again, y)  # seeded
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        Dropout(1.0)
    with pytest.raises(TypeError):
        Dropout("0.5")


def test_adam_is_the_update_written_out():
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 2))
    p = Parameter(w0.copy())
    b = Parameter(np.zeros(2), decay=False)
    opt = Adam([p, b], lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1)
    m = np.zeros_like(w0)
    v = np.zeros_like(w0)
    mb = np.zeros(2)
    vb = np.zeros(2)
    w, bb = w0.copy(), np.zeros(2)
    for t in range(1, 6):
        g = rng.standard_normal((3, 2))
        gb = rng.standard_normal(2)
        opt.zero_grad()
        p.accumulate(g)
        b.accumulate(gb)
        opt.step()
        g = g + 0.1 * w  # weight decay on weights only
        m = 0.8 * m + 0.2 * g
        v = 0.95 * v + 0.05 * g**2
        w = w - 0.01 * (m / (1 - 0.8**t)) / (np.sqrt(v / (1 - 0.95**t)) + 1e-6)
        mb = 0.8 * mb + 0.2 * gb
        vb = 0.95 * vb + 0.05 * gb**2
        bb = bb - 0.01 * (mb / (1 - 0.8**t)) / (np.sqrt(vb / (1 - 0.95**t)) + 1e-6)
        np.testing.assert_allclose(p.data, w, rtol=1e-12)
        np.testing.assert_allclose(b.data, bb, rtol=1e-12, atol=1e-15)
    state = opt.state_dict()
    other = Adam([Parameter(w.copy()), Parameter(bb.copy(), decay=False)], lr=0.01)
    other.load_state_dict(state)
    assert other.k == 5
    np.testing.assert_array_equal(other._m[0], opt._m[0])
    with pytest.raises(ValueError, match="betas"):
        Adam([p], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="eps"):
        Adam([p], eps=0)


def test_a_small_convnet_passes_gradcheck_end_to_end():
    from byhand.nn import ReLU, Sequential

    rng = np.random.default_rng(5)
    net = Sequential(
        Conv2d(2, 3, 3, padding=1, dtype=np.float64, random_state=0),
        ReLU(),
        MaxPool2d(2),
        Conv2d(3, 2, 2, stride=2, dtype=np.float64, random_state=1),
        AvgPool2d(1),
        Flatten(),
        Linear(2 * 2 * 2, 3, dtype=np.float64, random_state=2),
    )
    x = rng.standard_normal((2, 2, 9, 8))
    assert gradcheck(net, x) < 1e-6


def test_fit_and_evaluate_take_image_batches_and_switch_modes():
    from byhand import fit, nn, optim
    from byhand.training import evaluate

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 1, 6, 6)).astype(np.float32)
    y = (X[:, 0, :3].sum(axis=(1, 2)) > 0).astype(np.int64)
    drop = Dropout(0.9, random_state=0)
    net = nn.Sequential(
        Conv2d(1, 2, 3, padding=1, random_state=0),
        MaxPool2d(2),
        nn.ReLU(),
        Flatten(),
        drop,
        Linear(18, 2, random_state=1),
    )
    hist = fit(
        net,
        nn.CrossEntropyLoss(),
        optim.Adam(net.parameters(), lr=0.01),
        X,
        y,
        epochs=3,
        batch_size=8,
        validation_data=(X, y),
        verbose=0,
        random_state=0,
    )
    assert hist.epochs == 3 and drop.training  # fit trains in training mode
    # evaluation runs in evaluation mode (Dropout off: repeatable) and restores the mode
    first, again = (
        evaluate(net, nn.CrossEntropyLoss(), X, y),
        evaluate(net, nn.CrossEntropyLoss(), X, y),
    )
    assert first == again and drop.training
    set_training(net, False)
    z = net.forward(X)
    assert first[0] == pytest.approx(nn.CrossEntropyLoss().forward(z, y), rel=1e-6)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        fit(net, nn.CrossEntropyLoss(), optim.SGD(net.parameters(), lr=0.1), X[:, 0], y, epochs=1)
