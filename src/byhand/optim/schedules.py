"""Learning-rate schedules ε_k, evaluated at the optimisation step k = 0, 1, 2, …

CS 577 Lecture 01 (Wang, IIT, 2024), "Stochastic gradient descent" (decaying rates, e.g.
ε_k = 0.99^k · 0.1 from k = 0). Schedules are small classes, not closures, so that models
and checkpoints holding them pickle and save.
"""

from __future__ import annotations

import math
from typing import Any


class Schedule:
    """A step size as a function of the step count k."""

    def __call__(self, k: int) -> float:
        raise NotImplementedError

    def get_params(self) -> dict[str, float]:
        return dict(vars(self))

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(vars(self).items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__.lower()}({args})"


def _positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return float(value)


class Constant(Schedule):
    """ε_k = ε."""

    def __init__(self, eta: float) -> None:
        self.eta = _positive("eta", eta)

    def __call__(self, k: int) -> float:
        return self.eta


class Exponential(Schedule):
    """ε_k = ε_0 · γ^k (lecture 01), with 0 < γ <= 1."""

    def __init__(self, eta0: float, gamma: float) -> None:
        self.eta0 = _positive("eta0", eta0)
        self.gamma = _positive("gamma", gamma)
        if self.gamma > 1:
            raise ValueError(f"gamma must lie in (0, 1], got {gamma!r}")

    def __call__(self, k: int) -> float:
        return self.eta0 * self.gamma**k


class InverseTime(Schedule):
    """ε_k = ε_0 / (1 + decay · k): the Robbins–Monro rate, Σε_k = ∞, Σε_k² < ∞."""

    def __init__(self, eta0: float, decay: float) -> None:
        self.eta0 = _positive("eta0", eta0)
        if isinstance(decay, bool) or not isinstance(decay, (int, float)) or decay < 0:
            raise ValueError(f"decay must be a number >= 0, got {decay!r}")
        self.decay = float(decay)

    def __call__(self, k: int) -> float:
        return self.eta0 / (1.0 + self.decay * k)


def constant(eta: float) -> Constant:
    """ε_k = ε."""
    return Constant(eta)


def exponential(eta0: float, gamma: float) -> Exponential:
    """ε_k = ε_0 · γ^k (CS 577 Lecture 01 (Wang, IIT, 2024), "Stochastic gradient descent")."""
    return Exponential(eta0, gamma)


def inverse_time(eta0: float, decay: float) -> InverseTime:
    """ε_k = ε_0 / (1 + decay · k)."""
    return InverseTime(eta0, decay)


SCHEDULES = {"constant": Constant, "exponential": Exponential, "inverse_time": InverseTime}


def as_schedule(lr: Any) -> Schedule:
    """A number becomes ``constant(lr)``; a Schedule stays; anything else is a TypeError."""
    if isinstance(lr, Schedule):
        return lr
    if isinstance(lr, bool) or not isinstance(lr, (int, float)):
        raise TypeError(
            f"lr must be a positive number or a schedule (constant / exponential / "
            f"inverse_time), got {type(lr).__name__}"
        )
    return Constant(lr)
