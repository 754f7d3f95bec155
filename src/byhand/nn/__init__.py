"""The hand-written backprop core: modules with explicit forward/backward, and the losses.

EE-559 3.6 (Fleuret, EPFL, 2019) "Back-propagation" (forward pass, backward pass,
gradient step); names and conventions in DESIGN.md.
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
