"""Learning-rate schedules ε_k, evaluated at the optimisation step k = 0, 1, 2, …

CS 577 Lecture 01 (Wang, IIT, 2024), "Stochastic gradient descent" (decaying rates, e.g.
ε_k = 0.99^k · 0.1 from k = 0). Schedules are small classes, not closures, so that models
and checkpoints holding them pickle and save.

A schedule is a value that scikit-learn can clone: it keeps its constructor arguments
unchanged as attributes (``get_params``/``set_params`` as an estimator's), so
``sklearn.base.clone`` of an estimator whose ``learning_rate`` is a schedule builds an equal
schedule from them, and ``GridSearchCV`` / ``cross_val_score`` can search over schedules.
Two schedules are equal when their type and parameters are. Any real number, NumPy scalars
included, is accepted and used as a Python float.
"""

from __future__ import annotations

import math
import numbers
from typing import Any


def _real(name: str, value: Any) -> float:
    """A finite real number (bool refused; NumPy scalars accepted) as a Python float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise TypeError(f"{name} must be a finite number, got {value!r}")
    return out


def _positive(name: str, value: Any) -> float:
    out = _real(name, value)
    if out <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return out


class Schedule:
    """A step size as a function of the step count k.

    Source: CS 577 Lecture 01 (Wang, IIT, 2024), slide 'Stochastic gradient descent (SGD)'
    (learning rates ε_k > 0, k = 1, 2, …) and slide 'SGD on our example' (ε_k = 0.99^k · 0.1).

    Subclasses name their constructor arguments in ``_params``; the arguments are stored
    unchanged (as scikit-learn stores an estimator's), and their float values in
    ``_values`` for evaluation.

    Raises
    ------
    NotImplementedError
        When a subclass does not define ``__call__``.

    Examples
    --------
    >>> from byhand.optim import Schedule, exponential
    >>> s = exponential(0.1, 0.99)
    >>> isinstance(s, Schedule), s.get_params()
    (True, {'eta0': 0.1, 'gamma': 0.99})
    >>> s.set_params(gamma=0.5)(2)
    0.025
    """

    _params: tuple[str, ...] = ()

    def __call__(self, k: int) -> float:
        raise NotImplementedError

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments, as given (``deep`` is accepted for scikit-learn)."""
        return {name: getattr(self, name) for name in self._params}

    def set_params(self, **params: Any) -> Schedule:
        """A schedule is immutable in use: set_params re-validates through the constructor."""
        unknown = sorted(set(params) - set(self._params))
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no parameter {unknown[0]!r}; its parameters: "
                f"{', '.join(self._params)}"
            )
        fresh = type(self)(**{**self.get_params(), **params})
        self.__dict__.update(fresh.__dict__)
        return self

    def _key(self) -> tuple[Any, ...]:
        return (type(self).__name__, *(float(getattr(self, n)) for n in self._params))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schedule) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__.lower()}({args})"


class Constant(Schedule):
    """ε_k = ε.

    Source: CS 577 Lecture 01 (Wang, IIT, 2024), slide 'Stochastic gradient descent (SGD)'
    and slide 'SGD on our example' (ε_k ≡ 0.1).

    Raises
    ------
    TypeError
        If an argument is not a finite real number.
    ValueError
        If ε is not > 0.

    Examples
    --------
    >>> from byhand.optim import Constant
    >>> Constant(0.1)(0), Constant(0.1)(1000)
    (0.1, 0.1)
    """

    _params = ("eta",)

    def __init__(self, eta: float) -> None:
        self._eta = _positive("eta", eta)
        self.eta = eta

    def __call__(self, k: int) -> float:
        return self._eta


class Exponential(Schedule):
    """ε_k = ε_0 · γ^k, with 0 < γ <= 1.

    Source: CS 577 Lecture 01 (Wang, IIT, 2024), slide 'Stochastic gradient descent (SGD)'
    and slide 'SGD on our example' (ε_k = 0.99^k · 0.1, from k = 0).

    Raises
    ------
    TypeError
        If an argument is not a finite real number.
    ValueError
        If ε_0 is not > 0 or γ is not in (0, 1].

    Examples
    --------
    >>> from byhand.optim import Exponential
    >>> s = Exponential(0.1, 0.99)  # the lecture's ε_k = 0.99^k · 0.1
    >>> [f"{s(k):.4f}" for k in (0, 1, 100)]
    ['0.1000', '0.0990', '0.0366']
    """

    _params = ("eta0", "gamma")

    def __init__(self, eta0: float, gamma: float) -> None:
        self._eta0 = _positive("eta0", eta0)
        self._gamma = _positive("gamma", gamma)
        if self._gamma > 1:
            raise ValueError(f"gamma must lie in (0, 1], got {gamma!r}")
        self.eta0, self.gamma = eta0, gamma

    def __call__(self, k: int) -> float:
        return self._eta0 * self._gamma**k


class InverseTime(Schedule):
    """ε_k = ε_0 / (1 + decay · k): the Robbins–Monro rate, Σε_k = ∞, Σε_k² < ∞.

    Source: CS 577 Lecture 01 (Wang, IIT, 2024), slide 'Stochastic gradient descent (SGD)'
    asks for decaying ε_k > 0; this decay is the classical one for which SGD converges.

    Raises
    ------
    TypeError
        If an argument is not a finite real number.
    ValueError
        If ε_0 is not > 0 or the decay is negative.

    Examples
    --------
    >>> from byhand.optim import InverseTime
    >>> s = InverseTime(1.0, 0.5)
    >>> [s(k) for k in (0, 1, 2, 6)]
    [1.0, 0.6666666666666666, 0.5, 0.25]
    """

    _params = ("eta0", "decay")

    def __init__(self, eta0: float, decay: float) -> None:
        self._eta0 = _positive("eta0", eta0)
        try:
            self._decay = _real("decay", decay)
        except TypeError:
            self._decay = -1.0
        if self._decay < 0:
            raise ValueError(f"decay must be a number >= 0, got {decay!r}")
        self.eta0, self.decay = eta0, decay

    def __call__(self, k: int) -> float:
        return self._eta0 / (1.0 + self._decay * k)


def constant(eta: float) -> Constant:
    """ε_k = ε (a :class:`Constant`).

    Source: CS 577 Lecture 01 (Wang, IIT, 2024), slide 'Stochastic gradient descent (SGD)'.

    Raises
    ------
    TypeError
        If an argument is not a finite real number.
    ValueError
        If ε is not > 0.

    Examples
    --------
    >>> from byhand.optim import constant
    >>> constant(0.05)(10)
    0.05
    >>> constant(0.0)
    Traceback (most recent call last):
    ...
    ValueError: eta must be > 0, got 0.0
    """
    return Constant(eta)


def exponential(eta0: float, gamma: float) -> Exponential:
    """ε_k = ε_0 · γ^k (an :class:`Exponential`).

    Source: CS 577 Lecture 01 (Wang, IIT, 2024), slide 'Stochastic gradient descent (SGD)'
    and slide 'SGD on our example' (ε_k = 0.99^k · 0.1).

    Raises
    ------
    TypeError
        If an argument is not a finite real number.
    ValueError
        If ε_0 is not > 0 or γ is not in (0, 1].

    Examples
    --------
    >>> from byhand.optim import exponential
    >>> f"{exponential(0.1, 0.99)(10):.5f}"
    '0.09044'
    >>> exponential(0.1, 1.5)
    Traceback (most recent call last):
    ...
    ValueError: gamma must lie in (0, 1], got 1.5
    """
    return Exponential(eta0, gamma)


def inverse_time(eta0: float, decay: float) -> InverseTime:
    """ε_k = ε_0 / (1 + decay · k) (an :class:`InverseTime`).

    Source: CS 577 Lecture 01 (Wang, IIT, 2024), slide 'Stochastic gradient descent (SGD)'.

    Raises
    ------
    TypeError
        If an argument is not a finite real number.
    ValueError
        If ε_0 is not > 0 or the decay is negative.

    Examples
    --------
    >>> from byhand.optim import inverse_time
    >>> inverse_time(0.5, 1.0)(4)
    0.1
    """
    return InverseTime(eta0, decay)


SCHEDULES = {"constant": Constant, "exponential": Exponential, "inverse_time": InverseTime}


def as_schedule(lr: Any) -> Schedule:
    """A real number (NumPy scalars included) becomes ``constant(float(lr))``; a Schedule
    stays; anything else is a TypeError.

    Raises
    ------
    TypeError
        If ``lr`` is neither a real number nor a Schedule.
    ValueError
        If ``lr`` is a number that is not > 0 and finite.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.optim import as_schedule, exponential
    >>> as_schedule(np.float32(0.5))
    constant(eta=0.5)
    >>> s = exponential(0.1, 0.9)
    >>> as_schedule(s) is s
    True
    >>> as_schedule("0.1")
    Traceback (most recent call last):
    ...
    TypeError: ...
    """
    if isinstance(lr, Schedule):
        return lr
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(
            f"lr must be a positive number or a schedule (constant / exponential / "
            f"inverse_time), got {type(lr).__name__}"
        )
    if not (math.isfinite(float(lr)) and lr > 0):
        raise ValueError(f"lr must be > 0 and finite, got {float(lr)!r}")
    return Constant(float(lr))
