"""Every module and loss against central finite differences (issue: foundation)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from byhand import GradcheckError, gradcheck, nn

SHAPES = [(1, 1), (1, 5), (7, 3), (16, 8)]
MODULES = {
    "ReLU": nn.ReLU,
    "Tanh": nn.Tanh,
    "Sigmoid": nn.Sigmoid,
    "Softplus": nn.Softplus,
    "Identity": nn.Identity,
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", sorted(MODULES))
def test_activation_gradients(name, shape):
    x = np.random.default_rng(1).standard_normal(shape)
    assert gradcheck(MODULES[name](), x) <= 1e-6


@pytest.mark.parametrize("n", [1, 9])
@pytest.mark.parametrize("widths", [(1, 1), (3, 2), (5, 8)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradients(n, widths, bias):
    layer = nn.Linear(*widths, bias=bias, random_state=0, dtype=np.float64)
    x = np.random.default_rng(2).standard_normal((n, widths[0]))
    assert gradcheck(layer, x) <= 1e-6


@pytest.mark.parametrize("n", [1, 6])
def test_sequential_mlp_gradients(n):
    net = nn.Sequential(
        nn.Linear(4, 6, random_state=0),
        nn.Tanh(),
        nn.Linear(6, 5, random_state=1),
        nn.ReLU(),
        nn.Linear(5, 3, random_state=2),
    )
    x = np.random.default_rng(3).standard_normal((n, 4))
    assert gradcheck(net, x) <= 1e-6
    # parameters are restored to their float32 dtype after the float64 check
    assert all(p.data.dtype == np.float32 for p in net.parameters())


def _binary(n, k_shape):
    rng = np.random.default_rng(n)
    z = rng.standard_normal((n,) if k_shape == 1 else (n, 1))
    y = rng.choice([-1, 1], size=n)
    return z, y


@pytest.mark.parametrize("n", [1, 4, 33])
@pytest.mark.parametrize("zdim", [1, 2])
@pytest.mark.parametrize(
    "loss", [nn.LogisticLoss(), nn.HingeLoss(), nn.HingeLoss(0.5), nn.PerceptronLoss()], ids=repr
)
def test_binary_loss_gradients(loss, n, zdim):
    z, y = _binary(n, zdim)
    assert gradcheck(loss, z, y) <= 1e-6


@pytest.mark.parametrize("n,k", [(1, 2), (5, 3), (20, 10)])
def test_cross_entropy_gradient(n, k):
    rng = np.random.default_rng(k)
    assert (
        gradcheck(nn.CrossEntropyLoss(), rng.standard_normal((n, k)), rng.integers(0, k, n)) <= 1e-6
    )


@pytest.mark.parametrize("shape", [(1,), (6,), (6, 1), (4, 3)])
def test_mse_gradient(shape):
    rng = np.random.default_rng(len(shape))
    assert gradcheck(nn.MSELoss(), rng.standard_normal(shape), rng.standard_normal(shape)) <= 1e-6


class _WrongTanh(nn.Tanh):
    def backward(self, grad_out):
        return 1.1 * super().backward(grad_out)


def test_gradcheck_catches_a_wrong_backward_with_a_readable_report():
    with pytest.raises(GradcheckError, match=r"dL/dx.*backward .* finite differences"):
        gradcheck(_WrongTanh(), np.random.default_rng(0).standard_normal((3, 2)))


def test_sign_is_forward_only():
    s = nn.Sign()
    np.testing.assert_array_equal(s(np.array([[-2.0, 0.0, 3.0]])), [[-1.0, 1.0, 1.0]])
    with pytest.raises(nn.NotDifferentiableError, match="no useful gradient"):
        s.backward(np.ones((1, 3)))


def test_gradcheck_rejects_other_objects():
    with pytest.raises(TypeError, match="Module or Loss"):
        gradcheck(np.tanh, np.ones(3))


def test_gradcheck_on_a_network_without_input_gradient():
    """input_grad=False: backward returns None; the parameters are still all checked."""
    net = nn.Sequential(
        nn.Linear(3, 4, random_state=0), nn.Tanh(), nn.Linear(4, 2, random_state=1),
        input_grad=False,
    )  # fmt: skip
    x = np.random.default_rng(0).standard_normal((5, 3))
    assert gradcheck(net, x) <= 1e-6

    class WrongBias(nn.Linear):
        def backward_params(self, grad_out):
            super().backward_params(grad_out)
            self.bias.accumulate(np.full(self.out_features, 0.5))

    wrong = nn.Sequential(WrongBias(3, 2, random_state=0), input_grad=False)
    with pytest.raises(GradcheckError, match=r"param 1 bias\[\d\]"):
        gradcheck(wrong, x)


def test_gradcheck_reports_plain_indices():
    with pytest.raises(GradcheckError) as info:
        gradcheck(_WrongTanh(), np.random.default_rng(0).standard_normal((5, 2)))
    assert re.search(r"dL/dx\[\d, \d\]: backward", str(info.value)), str(info.value)
    assert "np.int" not in str(info.value)


def test_byhand_gradcheck_stays_the_function_whatever_was_imported_first():
    """A submodule named like the function used to replace it on the package once imported
    (``from byhand.gradcheck import GradcheckError`` first made ``byhand.gradcheck`` a module)."""
    import subprocess
    import sys

    code = (
        "import importlib, byhand\n"
        "importlib.import_module('byhand._gradcheck')\n"
        "from byhand import GradcheckError\n"
        "import byhand.nn as nn, numpy as np\n"
        "assert callable(byhand.gradcheck) and byhand.gradcheck.__name__ == 'gradcheck'\n"
        "print(byhand.gradcheck(nn.Tanh(), np.linspace(-1, 1, 6).reshape(2, 3)) < 1e-6)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
