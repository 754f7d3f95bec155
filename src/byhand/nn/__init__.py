"""The hand-written backprop core: modules with explicit forward/backward, and the losses.

EE-559 3.6 (Fleuret, EPFL, 2019), slides '3.6. Back-propagation', 'Forward pass',
'Backward pass' and 'Gradient step'. Names and conventions: docs/architecture.md
("Conventions"; on the documentation site, How byhand works › byhand — architecture);
writing a module of one's own: docs/writing_modules.md.

Examples
--------
>>> import numpy as np
>>> from byhand import nn
>>> net = nn.Sequential(nn.Linear(2, 4, random_state=0), nn.Tanh(), nn.Linear(4, 3, random_state=1))
>>> loss = nn.CrossEntropyLoss()
>>> x, y = np.array([[0.5, -1.0], [2.0, 0.0]], dtype=np.float32), np.array([0, 2])
>>> value = loss(net(x), y)  # forward pass
>>> dx = net.backward(loss.backward())  # backward pass: every parameter gets its gradient
>>> [p.grad.shape for p in net.parameters()]
[(2, 4), (4,), (4, 3), (3,)]
"""

from byhand.nn import functional, init
from byhand.nn.activations import (
    Identity,
    NotDifferentiableError,
    ReLU,
    Sigmoid,
    Sign,
    Softplus,
    Tanh,
)
from byhand.nn.conv import Conv2d
from byhand.nn.dropout import Dropout
from byhand.nn.layers import Linear
from byhand.nn.losses import (
    CrossEntropyLoss,
    HingeLoss,
    LogisticLoss,
    Loss,
    MSELoss,
    PerceptronLoss,
)
from byhand.nn.module import Module, Parameter, Sequential, reuse_buffers
from byhand.nn.pooling import AvgPool2d, Flatten, MaxPool2d

__all__ = [
    "AvgPool2d",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "HingeLoss",
    "Identity",
    "Linear",
    "LogisticLoss",
    "Loss",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "NotDifferentiableError",
    "Parameter",
    "PerceptronLoss",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Sign",
    "Softplus",
    "Tanh",
    "functional",
    "init",
    "reuse_buffers",
]
