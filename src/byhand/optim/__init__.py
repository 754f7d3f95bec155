"""Optimisers and step-size schedules.

Sources: CS 577 Lecture 01, "Gradient descent"; Galerne Course I, "Averaged SGD".
"""

from byhand.optim.adam import Adam
from byhand.optim.schedules import (
    Constant,
    Exponential,
    InverseTime,
    Schedule,
    as_schedule,
    constant,
    exponential,
    inverse_time,
)
from byhand.optim.sgd import SGD, Averager

__all__ = [
    "SGD",
    "Adam",
    "Averager",
    "Constant",
    "Exponential",
    "InverseTime",
    "Schedule",
    "as_schedule",
    "constant",
    "exponential",
    "inverse_time",
]
