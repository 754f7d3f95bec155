"""Empty batches (N = 0) through every module and loss of ``byhand.nn``.

Modules follow PyTorch: the output is empty with the shape the same module gives one sample
(its batch axis 0), backward returns an empty gradient of the input's shape, and the
parameters' gradients accumulate zeros. Losses refuse an empty batch at the edge with a
ValueError (the mean over no samples is undefined; PyTorch returns NaN), and their unchecked
``_forward`` returns NaN as PyTorch does.
"""

from __future__ import annotations

import numpy as np
import pytest

from byhand import gradcheck, nn


def modules():
    return [
        (nn.Conv2d(2, 3, 3, dtype=np.float64, random_state=0), (2, 6, 7)),
        (nn.Conv2d(2, 3, 3, stride=2, padding=1, dtype=np.float64, random_state=0), (2, 6, 7)),
        (nn.Flatten(), (2, 6, 7)),
        (nn.MaxPool2d(2), (2, 6, 7)),
        (nn.MaxPool2d(3, stride=1), (2, 6, 7)),
        (nn.AvgPool2d(2), (2, 6, 7)),
        (nn.Linear(4, 3, dtype=np.float64, random_state=0), (4,)),
        (nn.ReLU(), (4,)),
        (nn.ReLU(inplace=True), (2, 3)),
        (nn.Tanh(), (4,)),
        (nn.Sigmoid(), (4,)),
        (nn.Softplus(), (4,)),
        (nn.Identity(), (4,)),
        (nn.Dropout(0.5, random_state=0), (4,)),
        (
            nn.Sequential(
                nn.Conv2d(2, 2, 3, padding=1, dtype=np.float64, random_state=0),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
                nn.Flatten(),
                nn.Linear(2 * 3 * 3, 2, dtype=np.float64, random_state=1),
            ),
            (2, 6, 7),
        ),
    ]


@pytest.mark.parametrize("index", range(len(modules())), ids=lambda i: repr(modules()[i][0]))
def test_an_empty_batch_gives_empty_outputs_and_adds_zero_to_the_gradients(index):
    module, sample = modules()[index]
    rng = np.random.default_rng(0)
    one = module(rng.standard_normal((1, *sample)))
    module.zero_grad()
    module.backward(np.ones_like(one))
    before = [p.grad.copy() for p in module.parameters()]
    y = module(np.zeros((0, *sample)))
    assert y.shape == (0, *one.shape[1:])
    dx = module.backward(np.zeros(y.shape))
    assert dx.shape == (0, *sample)
    for p, b in zip(module.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.grad, b)  # grad += 0
    module.zero_grad()
    module(np.zeros((0, *sample)))
    module.backward(np.zeros(y.shape))
    for p in module.parameters():
        assert p.grad.shape == p.data.shape and not np.any(p.grad)
    assert gradcheck(module, np.zeros((0, *sample))) == 0.0


LOSSES = [
    (nn.MSELoss(), (0, 2), np.zeros((0, 2))),
    (nn.CrossEntropyLoss(), (0, 3), np.zeros(0, int)),
    (nn.LogisticLoss(), (0,), np.zeros(0)),
    (nn.HingeLoss(), (0,), np.zeros(0)),
    (nn.PerceptronLoss(), (0, 1), np.zeros(0)),
]


@pytest.mark.parametrize(("loss", "shape", "y"), LOSSES, ids=lambda v: type(v).__name__)
def test_losses_refuse_an_empty_batch_with_a_value_error(loss, shape, y):
    with pytest.raises(ValueError, match=r"empty batch \(N = 0\)"):
        loss.forward(np.zeros(shape), y)


@pytest.mark.parametrize(("loss", "shape", "y"), LOSSES, ids=lambda v: type(v).__name__)
def test_the_unchecked_loss_of_an_empty_batch_is_nan_as_in_pytorch(loss, shape, y):
    z = np.zeros(shape)
    assert np.isnan(loss._forward(z, loss.check_targets(y, z)))
    assert loss.backward().shape == shape
