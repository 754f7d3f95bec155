"""Every dtype a layer of ``byhand.nn`` accepts gives the right numbers; the others are refused.

Policy (``byhand.nn._inputs``): floating inputs keep their dtype, bool and integer inputs are
computed in float64 (``Linear``/``Conv2d``: in their promotion with the weight), complex and
object arrays are a TypeError; parameter dtypes must be floating. The oracle for an integer
input is the same module on the same values in float64; for float16, the float64 result.
"""

from __future__ import annotations

import numpy as np
import pytest

from byhand import gradcheck, nn
from byhand.nn import functional, init


def test_average_pooling_of_integers_is_their_mean_not_zero():
    # the example: int64 input gave all zeros
    y = nn.AvgPool2d(2)(np.arange(16).reshape(1, 1, 4, 4))
    np.testing.assert_array_equal(y, [[[[2.5, 4.5], [10.5, 12.5]]]])
    assert y.dtype == np.float64


def test_average_pooling_of_int8_and_uint8_does_not_wrap_around():
    for dtype, v in ((np.int8, 127), (np.int8, -128), (np.uint8, 255), (np.bool_, True)):
        x = np.full((1, 1, 4, 4), v, dtype)
        np.testing.assert_array_equal(nn.AvgPool2d(2)(x), np.full((1, 1, 2, 2), float(v)))


def test_average_pooling_of_float16_does_not_overflow_its_window_sum():
    x = np.full((1, 1, 4, 4), 30000, np.float16)  # 4 × 30000 > 65504, the float16 maximum
    y = nn.AvgPool2d(2)(x)
    assert y.dtype == np.float16
    np.testing.assert_array_equal(y, np.full((1, 1, 2, 2), 30000, np.float16))


def modules():
    return [
        nn.AvgPool2d(2),
        nn.AvgPool2d(3, stride=1),
        nn.MaxPool2d(2),
        nn.MaxPool2d(3, stride=2),
        nn.ReLU(),
        nn.ReLU(inplace=True),
        nn.Tanh(),
        nn.Sigmoid(),
        nn.Softplus(),
        nn.Sign(),
        nn.Conv2d(2, 3, 3, padding=1, dtype=np.float64, random_state=0),
        nn.Conv2d(2, 3, 2, stride=2, dtype=np.float32, random_state=0),
        nn.Sequential(nn.Flatten(), nn.Linear(2 * 5 * 5, 3, dtype=np.float64, random_state=0)),
    ]


INTEGER_INPUTS = {
    "int64": np.arange(-25, 25).reshape(1, 2, 5, 5),
    "int8-extremes": np.array([-128, 127] * 25, np.int8).reshape(1, 2, 5, 5),
    "uint8": (np.arange(50) * 5 % 256).astype(np.uint8).reshape(1, 2, 5, 5),
    "bool": (np.arange(50) % 3 == 0).reshape(1, 2, 5, 5),
}


@pytest.mark.parametrize("name", sorted(INTEGER_INPUTS))
@pytest.mark.parametrize("index", range(len(modules())))
def test_every_module_on_integers_equals_itself_on_the_same_values_in_float64(name, index):
    x = INTEGER_INPUTS[name]
    module, reference = modules()[index], modules()[index]
    y = module(x.copy())
    want = reference(x.astype(np.float64))
    assert y.dtype.kind == "f"
    tol = 1e-5 if y.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(y, want, rtol=tol, atol=tol)
    if not isinstance(module, nn.Sign):  # forward only
        g = np.ones_like(y)
        got, want = module.backward(g.copy()), reference.backward(g)
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def test_float16_activations_and_pooling_compute_the_float16_numbers():
    x = np.linspace(-4, 4, 2 * 2 * 6 * 6).reshape(2, 2, 6, 6)
    for m in (nn.Tanh(), nn.Sigmoid(), nn.Softplus(), nn.ReLU(), nn.MaxPool2d(2), nn.AvgPool2d(3)):
        y = m(x.astype(np.float16))
        assert y.dtype == np.float16
        want = type(m)(*([m.kernel_size] if hasattr(m, "kernel_size") else []))(x)
        np.testing.assert_allclose(y, want, rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize(
    ("loss", "z", "y"),
    [
        # N·K = 80 000 > 65 504: a float16 Σ softmax·N overflows to inf, the gradient to 0
        (nn.CrossEntropyLoss(), np.zeros((8000, 10)), np.zeros(8000, int)),
        # Σ (z − y)² = 10 · 200² = 400 000 overflows float16
        (nn.MSELoss(), np.full((10, 1), 200.0), np.zeros(10)),
        (nn.HingeLoss(), np.full(70000, -1.0), np.ones(70000)),
    ],
    ids=["cross-entropy", "mse", "hinge"],
)
def test_losses_on_float16_logits_equal_their_float64_values(loss, z, y):
    want = loss.forward(z, y)
    grad = loss.backward().copy()
    got = loss.forward(z.astype(np.float16), y)
    np.testing.assert_allclose(got, want, rtol=1e-3)
    np.testing.assert_allclose(loss.backward(), grad, rtol=1e-3, atol=1e-9)


@pytest.mark.parametrize(
    "bad",
    [
        np.ones((1, 2, 4, 4), np.complex128),
        np.ones((1, 2, 4, 4), object),
        np.full((1, 2, 4, 4), "1"),
        np.ones((1, 2, 4, 4), "datetime64[s]"),
    ],
    ids=["complex", "object", "str", "datetime"],
)
def test_complex_object_and_other_arrays_are_refused_by_every_module_and_loss(bad):
    every = [
        *modules(),
        nn.Conv2d(2, 1, 1, random_state=0),
        nn.Dropout(0.5, random_state=0),
        nn.Identity(),
    ]
    for m in every:
        with pytest.raises(TypeError, match="real numbers"):
            m(bad)
    z = bad.reshape(4, -1)[:, :2]
    for loss, y in (
        (nn.MSELoss(), np.zeros((4, 2))),
        (nn.CrossEntropyLoss(), np.zeros(4, int)),
        (nn.LogisticLoss(), np.ones(4)),
        (nn.HingeLoss(), np.ones(4)),
        (nn.PerceptronLoss(), np.ones(4)),
    ):
        zz = z if isinstance(loss, (nn.MSELoss, nn.CrossEntropyLoss)) else z[:, 0]
        with pytest.raises(TypeError, match="real numbers"):
            loss.forward(zz, y)
    with pytest.raises(TypeError, match="real numbers"):
        gradcheck(nn.Tanh(), bad)


def test_a_complex_gradient_is_refused_too():
    relu = nn.ReLU()
    relu(np.ones(3))
    with pytest.raises(TypeError, match="real numbers"):
        relu.backward(np.ones(3, complex))


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, np.bool_, np.complex128, "U3"])
def test_integer_and_other_parameter_dtypes_are_refused(dtype):
    # an integer weight would round every Glorot value (|w| < 1) to 0
    with pytest.raises(TypeError, match="floating"):
        nn.Linear(3, 2, dtype=dtype)
    with pytest.raises(TypeError, match="floating"):
        nn.Conv2d(1, 2, 3, dtype=dtype)
    rng = np.random.default_rng(0)
    for f in (init.glorot_uniform, init.he_normal, init.zeros):
        with pytest.raises(TypeError, match="floating"):
            f((3, 2), rng, dtype)


def test_float64_parameters_with_float32_or_float16_inputs_compute_in_float64():
    lin = nn.Linear(3, 2, dtype=np.float64, random_state=0)
    x = np.array([[0.1, 0.2, 0.3]])
    for dtype in (np.float32, np.float16):
        y = lin(x.astype(dtype))
        assert y.dtype == np.float64
        np.testing.assert_allclose(y, lin(x.astype(dtype).astype(np.float64)), rtol=1e-15)


@pytest.mark.parametrize(
    "f",
    [
        functional.sigmoid,
        functional.log_sigmoid,
        functional.softplus,
        functional.logsumexp,
        functional.log_softmax,
        functional.softmax,
    ],
)
def test_functional_refuses_complex_instead_of_dropping_the_imaginary_part(f):
    with pytest.raises(TypeError, match="real numbers"):
        f(np.array([1.0 + 2.0j, 0.5]))
    # integers are computed in float64, as documented
    np.testing.assert_allclose(f(np.array([1, 2])), f(np.array([1.0, 2.0])), rtol=1e-15)


def test_parameters_are_floating_as_in_pytorch():
    p = nn.Parameter(np.array([1, 2]))  # an integer weight could not take a gradient step
    assert p.data.dtype == np.float64 and p.grad.dtype == np.float64
    np.testing.assert_array_equal(p.data, [1.0, 2.0])
    assert nn.Parameter(np.ones(2, np.float32)).data.dtype == np.float32
    with pytest.raises(TypeError, match="real numbers"):
        nn.Parameter(np.ones(2, complex))
