"""Property-based tests: every module of ``byhand.nn`` against literal nested loops.

Each layer, activation and loss is compared with a definition written here as plain Python
loops over scalars (PyTorch's definitions; for max pooling its CPU kernel's rule
``if (val > maxval || isnan(val))``), forward and backward, and, on finite float64 inputs,
with central finite differences (``byhand.gradcheck``). Hypothesis draws the shapes (batch 0
and 1 included, odd sizes, kernel/stride/padding combinations), the input dtype (float64,
float32, int64, int8, uint8, bool), the layout (contiguous, strided view, read-only) and
NaN/±inf at random positions. Every module must also leave the arrays it is given unchanged
(``ReLU(inplace=True)`` excepted, on a writable input).

Two hypothesis profiles: ``ci`` (the default: few examples, derandomised, so the suite stays
quick and repeatable) and ``long`` (many random examples), chosen by an environment variable::

    BYHAND_HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_layers_property.py
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from byhand import gradcheck, nn

settings.register_profile(
    "byhand-layers-ci",
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "byhand-layers-long",
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = settings.get_profile(
    "byhand-layers-" + os.environ.get("BYHAND_HYPOTHESIS_PROFILE", "ci").strip()
)

DTYPES = [np.float64, np.float32, np.int64, np.int8, np.uint8, np.bool_]
LAYOUTS = ["contiguous", "strided", "read-only"]


# -- inputs -----------------------------------------------------------------------------------
def make_input(data, shape, *, dtype=None, special=None, away_from_zero=False):
    """(array given to the module, its values in float64) of ``shape``, drawn by hypothesis:
    dtype, values (seeded NumPy draws), NaN/±inf at random positions, layout."""
    dtype = np.dtype(data.draw(st.sampled_from(DTYPES)) if dtype is None else dtype)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    if dtype.kind == "f":
        values = rng.standard_normal(shape) * data.draw(st.sampled_from([1.0, 3.0]))
        if away_from_zero:  # keeps kinks (ReLU at 0) out of finite differences
            values += np.where(values >= 0, 0.1, -0.1)
        if special is None:
            special = data.draw(st.booleans())
        if special and values.size:
            for _ in range(data.draw(st.integers(1, 3))):
                at = tuple(int(rng.integers(0, s)) for s in shape)
                values[at] = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        x = values.astype(dtype)
    elif dtype == np.bool_:
        x = rng.integers(0, 2, shape).astype(bool)
    else:
        info = np.iinfo(dtype)  # the whole range: sums of int8/uint8 values overflow them
        lo, hi = max(info.min, -1000), min(info.max, 1000) if dtype == np.int64 else info.max
        x = rng.integers(lo, hi, shape, endpoint=True).astype(dtype)
    layout = data.draw(st.sampled_from(LAYOUTS))
    if layout == "strided" and x.ndim:
        wide = np.zeros((*x.shape[:-1], 2 * x.shape[-1]), dtype)
        wide[..., ::2] = x
        x = wide[..., ::2]
        assert not x.flags.c_contiguous or x.size <= 1
    elif layout == "read-only":
        x = x.copy()
        x.setflags(write=False)
    return x, x.astype(np.float64)


def out_dtype(x, like=None):
    """The dtype a layer computes in for input ``x`` (and a weight ``like``)."""
    if like is not None:
        return np.result_type(x.dtype, like.dtype)
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)


def tol(dtype):
    if np.dtype(dtype) != np.float64:
        return {"rtol": 1e-4, "atol": 1e-4}
    return {"rtol": 1e-10, "atol": 1e-12}  # 1 − tanh² near 1: an ulp of cancellation


def check_close(got, want, dtype):
    """got == want to the precision of the coarser of ``dtype`` and got's own dtype."""
    got = np.asarray(got)
    coarse = np.dtype(dtype)
    if got.dtype.kind == "f" and got.dtype.itemsize < coarse.itemsize:
        coarse = got.dtype
    np.testing.assert_allclose(
        got.astype(np.float64), want, equal_nan=True, **tol(coarse), strict=False
    )


def call(module, x, g=None):
    """forward (and backward of ``g``) with NumPy's warnings on inf − inf silenced: the inputs
    hold NaN and inf on purpose. The caller's arrays are compared before and after."""
    before = x.copy()
    with np.errstate(invalid="ignore", over="ignore"):
        y = module(x)
        y_copy = np.array(y)
        dx = None
        if g is not None:
            g_before = g.copy()
            if getattr(module, "inplace", False) and g.flags.writeable:
                g = g.copy()  # written over on purpose; the caller's g stays the oracle's
            dx = np.array(module.backward(g))
            if not getattr(module, "inplace", False):
                np.testing.assert_array_equal(g, g_before)  # the gradient given is untouched
    writes_x = getattr(module, "inplace", False) and x.flags.writeable and x.dtype.kind == "f"
    if not writes_x:
        np.testing.assert_array_equal(x, before)  # the input is untouched
    return y_copy, dx


def gradient(data, shape, special=True):
    """An incoming gradient of ``shape`` (with an inf at a random place if ``special``),
    contiguous, strided or read-only."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    g = rng.standard_normal(shape)
    if special and g.size and data.draw(st.booleans()):
        g[tuple(int(rng.integers(0, s)) for s in shape)] = np.inf
    layout = data.draw(st.sampled_from(LAYOUTS))
    if layout == "strided" and g.ndim:
        wide = np.zeros((*shape[:-1], 2 * shape[-1]))
        wide[..., 1::2] = g
        g = wide[..., 1::2]
    elif layout == "read-only":
        g.setflags(write=False)
    return g


def finite_float64(x, v):
    return x.dtype == np.float64 and np.all(np.isfinite(v)) and v.size > 0


# -- convolution ------------------------------------------------------------------------------
@np.errstate(invalid="ignore", over="ignore")  # inf − inf in the oracle too
def literal_conv(x, w, b, s, p):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.zeros((n, c, h + 2 * p[0], wd + 2 * p[1]))
    xp[:, :, p[0] : p[0] + h, p[1] : p[1] + wd] = x
    oh, ow = (h + 2 * p[0] - kh) // s[0] + 1, (wd + 2 * p[1] - kw) // s[1] + 1
    y = np.zeros((n, o, oh, ow))
    for a in range(n):
        for oc in range(o):
            for i in range(oh):
                for j in range(ow):
                    total = b[oc]
                    for ch in range(c):
                        for u in range(kh):
                            for v in range(kw):
                                total += w[oc, ch, u, v] * xp[a, ch, s[0] * i + u, s[1] * j + v]
                    y[a, oc, i, j] = total
    return y, xp


@np.errstate(invalid="ignore", over="ignore")  # inf − inf in the oracle too
def literal_conv_backward(xp, w, g, s, p, shape):
    n, o, oh, ow = g.shape
    _, c, kh, kw = w.shape
    dxp, dw, db = np.zeros_like(xp), np.zeros_like(w), np.zeros(o)
    for a in range(n):
        for oc in range(o):
            for i in range(oh):
                for j in range(ow):
                    gg = g[a, oc, i, j]
                    db[oc] += gg
                    for ch in range(c):
                        for u in range(kh):
                            for v in range(kw):
                                at = (a, ch, s[0] * i + u, s[1] * j + v)
                                dw[oc, ch, u, v] += gg * xp[at]
                                dxp[at] += gg * w[oc, ch, u, v]
    h, wd = shape[2:]
    return dxp[:, :, p[0] : p[0] + h, p[1] : p[1] + wd], dw, db


@PROFILE
@given(st.data())
def test_conv2d_is_the_literal_cross_correlation(data):
    n = data.draw(st.sampled_from([0, 1, 2]))
    c, o = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))
    k = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))
    s = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))
    p = (data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2)))
    h = data.draw(st.integers(max(1, k[0] - 2 * p[0]), 7))
    w = data.draw(st.integers(max(1, k[1] - 2 * p[1]), 7))
    pdtype = data.draw(st.sampled_from([np.float64, np.float32]))
    conv = nn.Conv2d(
        c, o, k, stride=s, padding=p, dtype=pdtype, random_state=data.draw(st.integers(0, 9))
    )
    conv.bias.data[...] = np.linspace(-1, 1, o)
    x, v = make_input(data, (n, c, h, w))
    wt, b = conv.weight.data.astype(np.float64), conv.bias.data.astype(np.float64)
    want, xp = literal_conv(v, wt, b, s, p)
    g = gradient(data, want.shape, special=False)
    conv.zero_grad()
    y, dx = call(conv, x, g)
    assert y.shape == want.shape and y.dtype == out_dtype(x, conv.weight.data)
    check_close(y, want, y.dtype)
    dx_want, dw_want, db_want = literal_conv_backward(xp, wt, g, s, p, v.shape)
    assert dx.shape == x.shape
    check_close(dx, dx_want, y.dtype)
    check_close(conv.weight.grad, dw_want, y.dtype)  # zeros for an empty batch
    check_close(conv.bias.grad, db_want, y.dtype)
    if finite_float64(x, v) and pdtype == np.float64:
        assert gradcheck(conv, v) < 1e-6


# -- pooling ----------------------------------------------------------------------------------
@np.errstate(invalid="ignore", over="ignore")  # inf − inf in the oracle too
def literal_max_pool(x, k, s):
    """PyTorch's CPU kernel, loop for loop: the first maximum, or the last NaN, of a window."""
    n, c, h, w = x.shape
    oh, ow = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    y, at = np.empty((n, c, oh, ow)), {}
    for a in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    best, where = -math.inf, (s[0] * i, s[1] * j)
                    for u in range(k[0]):
                        for v in range(k[1]):
                            val = x[a, ch, s[0] * i + u, s[1] * j + v]
                            if val > best or math.isnan(val):
                                best, where = val, (s[0] * i + u, s[1] * j + v)
                    y[a, ch, i, j], at[a, ch, i, j] = best, where
    return y, at


@np.errstate(invalid="ignore", over="ignore")  # inf − inf in the oracle too
def literal_avg_pool(x, k, s):
    n, c, h, w = x.shape
    oh, ow = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    y = np.empty((n, c, oh, ow))
    for a in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    total = 0.0
                    for u in range(k[0]):
                        for v in range(k[1]):
                            total += x[a, ch, s[0] * i + u, s[1] * j + v]
                    y[a, ch, i, j] = total / (k[0] * k[1])
    return y


@PROFILE
@given(st.data(), st.sampled_from(["max", "avg"]))
def test_pooling_is_the_literal_window_max_or_mean(data, kind):
    n, c = data.draw(st.sampled_from([0, 1, 2])), data.draw(st.integers(1, 2))
    k = data.draw(st.sampled_from([(2, 2), (2, 2), (3, 3), (1, 1), (2, 3), (3, 1)]))
    stride = data.draw(st.sampled_from([None, None, 1, 2, 3, (1, 2)]))
    s = k if stride is None else (stride, stride) if isinstance(stride, int) else stride
    h, w = data.draw(st.integers(k[0], 8)), data.draw(st.integers(k[1], 8))
    pool = (nn.MaxPool2d if kind == "max" else nn.AvgPool2d)(k, stride=stride)
    x, v = make_input(data, (n, c, h, w))
    if kind == "max":
        want, at = literal_max_pool(v, k, s)
    else:
        want = literal_avg_pool(v, k, s)
    g = gradient(data, want.shape)
    y, dx = call(pool, x, g)
    assert y.shape == want.shape and y.dtype == out_dtype(x)
    check_close(y, want, y.dtype)
    dx_want = np.zeros(v.shape)
    for a, ch, i, j in np.ndindex(*want.shape):
        if kind == "max":  # the whole gradient to the chosen entry, nothing elsewhere
            dx_want[(a, ch, *at[a, ch, i, j])] += g[a, ch, i, j]
        else:
            for u in range(k[0]):
                for vv in range(k[1]):
                    dx_want[a, ch, s[0] * i + u, s[1] * j + vv] += g[a, ch, i, j] / (k[0] * k[1])
    assert dx.shape == x.shape
    check_close(dx, dx_want, y.dtype)
    if finite_float64(x, v) and np.all(np.isfinite(g)):
        assert gradcheck(pool, v) < 1e-6


# -- activations ------------------------------------------------------------------------------
def _sigmoid(a):
    if math.isnan(a):
        return math.nan
    e = math.exp(-abs(a))
    return 1 / (1 + e) if a >= 0 else e / (1 + e)


def _sigmoid_slope(a):
    e = math.exp(-abs(a)) if not math.isnan(a) else math.nan
    return e / (1 + e) ** 2


def _softplus(a):
    return a if math.isnan(a) else max(a, 0.0) + math.log1p(math.exp(-abs(a)))


def _sign(a):
    return math.nan if math.isnan(a) else 1.0 if a >= 0 else -1.0


# name: (module factory, forward f(a), derivative f'(a) given the output, or None)
ACTIVATIONS = {
    "ReLU": (nn.ReLU, lambda a: a if not a <= 0 else 0.0, lambda a, y: float(not y <= 0)),
    "ReLU-inplace": (
        lambda: nn.ReLU(inplace=True),
        lambda a: a if not a <= 0 else 0.0,
        lambda a, y: float(not y <= 0),
    ),
    "Tanh": (nn.Tanh, math.tanh, lambda a, y: 1 - y * y),
    "Sigmoid": (nn.Sigmoid, _sigmoid, lambda a, y: _sigmoid_slope(a)),
    "Softplus": (nn.Softplus, _softplus, lambda a, y: _sigmoid(a)),
    "Identity": (nn.Identity, lambda a: a, lambda a, y: 1.0),
    "Sign": (nn.Sign, _sign, None),
}


@PROFILE
@given(st.data(), st.sampled_from(sorted(ACTIVATIONS)))
def test_activations_are_their_scalar_formulas(data, name):
    make, f, slope = ACTIVATIONS[name]
    module = make()
    shape = data.draw(
        st.sampled_from([(0,), (1,), (5,), (0, 3), (1, 4), (3, 7), (2, 3, 5), (1, 2, 3, 3)])
    )
    x, v = make_input(data, shape, away_from_zero=True)
    scalars = v.ravel().tolist()  # Python floats: the formulas run on plain scalars
    want = np.array([f(a) for a in scalars], dtype=float).reshape(shape)
    relu_g = name.startswith("ReLU")  # the one activation that selects: inf may come in
    g = gradient(data, shape, special=relu_g) if slope else None
    if name == "Identity":  # returns its input itself, any dtype
        y, dx = call(module, x, g)
        np.testing.assert_array_equal(y, x)
        np.testing.assert_array_equal(dx, g)
        return
    y, dx = call(module, x, g)
    assert y.shape == shape and y.dtype == out_dtype(x)
    check_close(y, want, y.dtype)
    if slope is None:
        return
    d = np.array(
        [slope(a, b) for a, b in zip(scalars, want.ravel().tolist(), strict=True)], dtype=float
    ).reshape(shape)
    with np.errstate(invalid="ignore"):
        dx_want = np.where(d == 0, 0.0, g * d) if relu_g else g * d
    check_close(dx, dx_want, y.dtype)
    if finite_float64(x, v):
        assert gradcheck(make(), v) < 1e-6


# -- dense layers -----------------------------------------------------------------------------
@PROFILE
@given(st.data())
def test_linear_is_the_literal_affine_map(data):
    n, d, k = (
        data.draw(st.sampled_from([0, 1, 3])),
        data.draw(st.integers(1, 4)),
        data.draw(st.integers(1, 4)),
    )
    bias = data.draw(st.booleans())
    pdtype = data.draw(st.sampled_from([np.float64, np.float32]))
    lin = nn.Linear(d, k, bias=bias, dtype=pdtype, random_state=data.draw(st.integers(0, 9)))
    if bias:
        lin.bias.data[...] = np.linspace(-1, 1, k)
    x, v = make_input(data, (n, d))
    w = lin.weight.data.astype(np.float64)
    b = lin.bias.data.astype(np.float64) if bias else np.zeros(k)
    want, dw, dxw = np.zeros((n, k)), np.zeros((d, k)), np.zeros((n, d))
    g = gradient(data, (n, k), special=False)
    with np.errstate(invalid="ignore", over="ignore"):
        for i in range(n):
            for j in range(k):
                want[i, j] = b[j] + sum(v[i, t] * w[t, j] for t in range(d))
                for t in range(d):
                    dw[t, j] += v[i, t] * g[i, j]
                    dxw[i, t] += g[i, j] * w[t, j]
    lin.zero_grad()
    y, dx = call(lin, x, g)
    assert y.dtype == out_dtype(x, lin.weight.data)
    check_close(y, want, y.dtype)
    check_close(dx, dxw, y.dtype)
    check_close(lin.weight.grad, dw, y.dtype)
    if bias:
        check_close(lin.bias.grad, [sum(g[i, j] for i in range(n)) for j in range(k)], y.dtype)
    if finite_float64(x, v) and pdtype == np.float64:
        assert gradcheck(lin, v) < 1e-6


@PROFILE
@given(st.data())
def test_flatten_is_the_row_major_reshape(data):
    shape = data.draw(st.sampled_from([(0, 2, 3), (1, 1), (2, 3, 1, 2), (0, 1, 2, 2), (3, 4)]))
    x, v = make_input(data, shape)
    want = np.zeros((shape[0], math.prod(shape[1:])))
    for idx in np.ndindex(*shape):
        flat = 0
        for size, i in zip(shape[1:], idx[1:], strict=True):
            flat = flat * size + i
        want[idx[0], flat] = v[idx]
    g = gradient(data, want.shape, special=False)
    y, dx = call(nn.Flatten(), x, g)
    assert y.dtype == x.dtype  # a reshape: any dtype, unchanged
    check_close(y, want, np.float64)
    check_close(dx, g.reshape(shape), np.float64)


class _SeededDropout(nn.Module):
    """Dropout whose every forward draws the same mask (a fresh generator with one seed), so
    finite differences see one fixed function."""

    def __init__(self, p, seed):
        self.p, self.seed = p, seed

    def forward(self, x):
        self.drop = nn.Dropout(self.p, random_state=self.seed)
        return self.drop(x)

    def backward(self, grad_out):
        return self.drop.backward(grad_out)


@PROFILE
@given(st.data())
def test_dropout_keeps_or_zeroes_each_entry_and_scales_by_one_over_one_minus_p(data):
    p = data.draw(st.sampled_from([0.0, 0.25, 0.5, 0.9]))
    seed = data.draw(st.integers(0, 99))
    shape = data.draw(st.sampled_from([(0, 3), (1, 5), (4, 6), (2, 3, 4)]))
    x, v = make_input(data, shape, away_from_zero=True)
    g = gradient(data, shape, special=False)
    drop = nn.Dropout(p, random_state=seed)
    y, dx = call(drop, x, g)
    if p == 0:
        np.testing.assert_array_equal(y, x)
        return
    for idx in np.ndindex(*shape):
        a = v[idx]
        if a == 0:
            continue
        if not math.isfinite(a):  # kept: ±inf or NaN; dropped: inf·0 = NaN·0 = NaN (PyTorch)
            assert y[idx] == a or math.isnan(y[idx])
            continue
        kept = y[idx] != 0  # where x ≠ 0, y ≠ 0 iff the entry is kept
        check_close(y[idx], a / (1 - p) if kept else 0.0, y.dtype)
        check_close(dx[idx], g[idx] / (1 - p) if kept else 0.0, y.dtype)
    drop.eval()
    y_eval, dx_eval = call(drop, x, g)
    np.testing.assert_array_equal(y_eval, x)
    np.testing.assert_array_equal(dx_eval, g)
    if finite_float64(x, v):
        assert gradcheck(_SeededDropout(p, seed), v) < 1e-6


# -- losses -----------------------------------------------------------------------------------
def literal_loss(name, z, y, margin):
    """(mean loss, dL/dz) from the per-sample formulas, sample by sample."""
    n = z.shape[0]
    grad, total = np.zeros_like(z), 0.0
    for i in range(n):
        if name == "MSELoss":
            for j in range(z.shape[1]):
                total += (z[i, j] - y[i, j]) ** 2
                grad[i, j] = 2 * (z[i, j] - y[i, j]) / n
        elif name == "CrossEntropyLoss":
            top = max(z[i])
            lse = top + math.log(sum(math.exp(zk - top) for zk in z[i]))
            total += lse - z[i, y[i]]
            for c in range(z.shape[1]):
                grad[i, c] = (math.exp(z[i, c] - lse) - (c == y[i])) / n
        elif name == "LogisticLoss":
            t = -y[i] * z[i]
            total += max(t, 0) + math.log1p(math.exp(-abs(t)))
            grad[i] = -y[i] * _sigmoid(t) / n
        else:  # hinge, perceptron
            total += max(0.0, margin - y[i] * z[i])
            grad[i] = -y[i] / n if y[i] * z[i] <= margin else 0.0
    return total / n, grad


LOSSES = {
    "MSELoss": nn.MSELoss,
    "CrossEntropyLoss": nn.CrossEntropyLoss,
    "LogisticLoss": nn.LogisticLoss,
    "HingeLoss": lambda: nn.HingeLoss(margin=0.5),
    "PerceptronLoss": nn.PerceptronLoss,
}


@PROFILE
@given(st.data(), st.sampled_from(sorted(LOSSES)))
def test_losses_are_their_per_sample_formulas(data, name):
    loss = LOSSES[name]()
    n = data.draw(st.integers(1, 6))
    k = data.draw(st.integers(2, 4)) if name in ("MSELoss", "CrossEntropyLoss") else None
    shape = (n, k) if k else (n,)
    z, v = make_input(data, shape, special=False)
    rng = np.random.default_rng(data.draw(st.integers(0, 99)))
    if name == "MSELoss":
        y = rng.standard_normal(shape)
    elif name == "CrossEntropyLoss":
        y = rng.integers(0, k, n)
    else:
        y = rng.choice([-1.0, 1.0], n)
    margin = getattr(loss, "margin", 0.0)
    want, grad = literal_loss(name, v, y, margin)
    before = z.copy()
    got = loss.forward(z, y)
    dz = loss.backward()
    np.testing.assert_array_equal(z, before)
    compute = np.float64 if z.dtype.kind != "f" else z.dtype
    assert dz.shape == z.shape and dz.dtype == compute
    check_close(got, want, compute)
    check_close(dz, grad, compute)
    # finite differences, away from the hinge's kink
    if z.dtype == np.float64 and (
        name not in ("HingeLoss", "PerceptronLoss") or np.all(np.abs(margin - y * v) > 1e-3)
    ):
        assert gradcheck(LOSSES[name](), z, y) < 1e-5
    # the documented refusals: non-finite logits, and an empty batch
    bad = v.copy()
    bad[tuple(int(rng.integers(0, s)) for s in shape)] = data.draw(
        st.sampled_from([np.nan, np.inf, -np.inf])
    )
    with pytest.raises(ValueError, match="finite"):
        loss.forward(bad, y)
    with pytest.raises(ValueError, match="empty batch"):
        loss.forward(v[:0], y[:0])


# -- composition ------------------------------------------------------------------------------
@PROFILE
@given(st.data())
def test_a_random_small_convnet_is_its_layers_composed_and_passes_finite_differences(data):
    c, o = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 3))
    k = data.draw(st.integers(1, 3))
    # a 1×1 kernel on a zero border gives equal outputs (the bias): ties, where max pooling
    # has no derivative for finite differences to find
    pad = data.draw(st.integers(0, 1)) if k > 1 else 0
    size = data.draw(st.integers(max(k - 2 * pad, 1) + 1, 7))
    pool = data.draw(st.sampled_from([nn.MaxPool2d(2), nn.AvgPool2d(2), nn.MaxPool2d(2, 1)]))
    act = data.draw(st.sampled_from([nn.ReLU, nn.Tanh, nn.Sigmoid, nn.Softplus]))()
    conv = nn.Conv2d(c, o, k, padding=pad, dtype=np.float64, random_state=0)
    side = size + 2 * pad - k + 1
    side = (side - 2) // pool.stride[0] + 1
    layers = [conv, act, pool, nn.Flatten(), nn.Linear(o * side * side, 2, dtype=np.float64)]
    net = nn.Sequential(*layers)
    n = data.draw(st.sampled_from([0, 1, 2]))
    x, v = make_input(data, (n, c, size, size), dtype=np.float64, special=False)
    y = net(x)
    step = v
    for layer in layers:
        step = layer(step)
    np.testing.assert_array_equal(y, step)
    assert y.shape == (n, 2)
    if n:
        assert gradcheck(net, v) < 1e-5
    # without dℓ/dx the parameters' gradients are the same
    g = gradient(data, y.shape, special=False)
    net.zero_grad()
    net(v)
    net.backward(g)
    want = [p.grad.copy() for p in net.parameters()]
    lean = nn.Sequential(*layers, input_grad=False)
    lean.zero_grad()
    lean(v)
    assert lean.backward(g) is None
    for p, w in zip(lean.parameters(), want, strict=True):
        np.testing.assert_allclose(p.grad, w, rtol=1e-12, atol=1e-14)
