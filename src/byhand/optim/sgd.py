"""Stochastic gradient descent with momentum, weight decay and iterate averaging.

θ ← θ − ε_k (∇L(θ) + wd·θ) (CS 577 Lecture 01 (Wang, IIT, 2024), "Gradient descent" and "Stochastic
gradient descent"); with momentum μ: v ← μ v + g, θ ← θ − ε_k v. Weight decay applies to
parameters with ``decay=True`` (weights, never biases): it is the gradient of (wd/2)‖w‖².
``Averager`` keeps the Polyak–Ruppert mean θ̄_k = (1/k) Σ_{j<=k} θ_j
(Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25), "Averaged SGD").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from byhand.nn.module import Parameter
from byhand.optim.fused import FusedSGDStep
from byhand.optim.schedules import Schedule, as_schedule


def _param_list(params: Iterable[Parameter]) -> list[Parameter]:
    params = list(params)
    for p in params:
        if not isinstance(p, Parameter):
            raise TypeError(
                f"optimizers take byhand.nn.Parameter objects (model.parameters()), "
                f"got {type(p).__name__}"
            )
    if not params:
        raise ValueError("optimizer got an empty parameter list")
    if len({id(p) for p in params}) != len(params):
        twice = next(p for i, p in enumerate(params) if any(q is p for q in params[:i]))
        raise ValueError(
            f"optimizer got the parameter {twice.name or twice!r} more than once (it would be "
            "stepped once per copy); pass model.parameters(), which lists each parameter once"
        )
    return params


class SGD:
    """Plain / momentum SGD; ``lr`` is a number or a schedule of the step count k.

    Update of each parameter θ with gradient g at step k (CS 577 Lecture 01 (Wang, IIT, 2024),
    slides 'Gradient descent' and 'Stochastic gradient descent')::

        g ← g + wd·θ        (only for parameters with decay=True)
        v ← μ v + g         (momentum μ; v = g when μ = 0)
        θ ← θ − ε_k v

    ``step()`` applies it to every parameter, ``zero_grad()`` clears the gradients,
    ``state_dict()``/``load_state_dict()`` save and restore the step count and velocities.

    Parameters
    ----------
    params : iterable of Parameter
        The parameters to update (e.g. ``model.parameters()``); not empty.
    lr : float or Schedule
        ε_k: a number > 0 or a schedule of k (see :mod:`byhand.optim.schedules`).
    momentum : float in [0, 1), default 0
    weight_decay : float >= 0, default 0

    Raises
    ------
    TypeError
        If an element of ``params`` is not a Parameter.
    ValueError
        If ``params`` is empty or repeats a parameter, or lr, momentum or weight_decay is out
        of range.

    Examples
    --------
    Gradient descent on L(θ) = ‖θ‖²/2 (gradient θ) with ε = 0.5 halves θ at each step.

    >>> import numpy as np
    >>> from byhand.nn import Parameter
    >>> from byhand.optim import SGD
    >>> theta = Parameter(np.array([4.0, -2.0]))
    >>> opt = SGD([theta], lr=0.5)
    >>> for _ in range(3):
    ...     opt.zero_grad()
    ...     theta.accumulate(theta.data.copy())
    ...     opt.step()
    >>> theta.data
    array([ 0.5 , -0.25])
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float | Schedule,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        self.params = _param_list(params)
        self.lr = as_schedule(lr)
        for name, v in (("momentum", momentum), ("weight_decay", weight_decay)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < np.inf:
                raise ValueError(f"{name} must be a finite number >= 0, got {v!r}")
        if momentum >= 1:
            raise ValueError(f"momentum must be < 1, got {momentum!r}")
        self.momentum = float(momentum)
        self.weight_decay = float(weight_decay)
        self.k = 0
        self._velocity: list[np.ndarray | None] = [None] * len(self.params)
        self._scratch: list[np.ndarray | None] = [None] * len(self.params)

    def zero_grad(self) -> None:
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """One update with ε_k, then k ← k + 1. Gradients are left as they were."""
        eta = self.lr(self.k)
        for i, p in enumerate(self.params):
            self._update(i, p, p.grad, eta)
        self.k += 1

    def _update(self, i: int, p: Parameter, g: np.ndarray, eta: float) -> None:
        """θ ← θ − ε (g + wd·θ), or with momentum θ ← θ − ε v, v ← μ v + g + wd·θ."""
        if self.weight_decay and p.decay:
            g = g + self.weight_decay * p.data
        if self.momentum:
            v = self._velocity[i]
            if v is None:
                v = self._velocity[i] = g.copy()
            else:
                v *= self.momentum
                v += g
            g = v
        update = self._scratch[i]
        if update is None or update.shape != g.shape or update.dtype != p.data.dtype:
            update = self._scratch[i] = np.empty_like(p.data)
        np.multiply(g, eta, out=update, casting="unsafe")
        p.data -= update

    @contextmanager
    def fusing(self, shared: Iterable[Parameter] = ()) -> Iterator[FusedSGDStep]:
        """Steps done inside backward: ``step.begin()``, ``model.backward(g)``, ``step.end()``
        replaces ``zero_grad()``, backward, ``step()`` (see :mod:`byhand.optim.fused`).

        Only for models whose ``supports_fused_step`` is True; ``byhand.fit`` checks that.
        ``shared``: parameters that get more than one gradient per backward pass (tied
        weights); their gradients are summed and they are stepped in ``end()``.
        """
        step = FusedSGDStep(self, shared)
        try:
            yield step
        finally:
            step.release()
            self.zero_grad()

    def state_dict(self) -> dict[str, Any]:
        """Step count and momentum buffers: what a checkpoint needs to resume exactly."""
        return {"k": self.k, "velocity": [None if v is None else v.copy() for v in self._velocity]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        velocity = state["velocity"]
        if len(velocity) != len(self.params):
            raise ValueError(
                f"optimizer state has {len(velocity)} buffers, the optimizer {len(self.params)}"
            )
        self.k = int(state["k"])
        self._velocity = [
            None if v is None else np.array(v, dtype=p.data.dtype)
            for v, p in zip(velocity, self.params, strict=True)
        ]


class Averager:
    """Polyak–Ruppert averaging of the iterates (Deep Neural Networks Course I (Galerne, Univ.
    Orléans, 2024–25), "Optimization").

    The lecture's W̄⁽ⁿ⁾ = (1/(n+1)) Σ_{k=0}^{n} W⁽ᵏ⁾ = (n/(n+1)) W̄⁽ⁿ⁻¹⁾ + W⁽ⁿ⁾/(n+1) counts
    the starting point W⁽⁰⁾ (the parameters when the averager is made);
    ``include_initial=False`` averages the n iterates after it only (as scikit-learn does).
    ``update()`` is called after each step.

    Shapes: the average of each parameter has its shape; ``copy_to_params()`` writes the
    averages into the parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import Parameter
    >>> from byhand.optim import Averager
    >>> w = Parameter(np.array([0.0]))
    >>> avg = Averager([w])  # counts W⁽⁰⁾ = 0
    >>> for value in (1.0, 2.0, 3.0):
    ...     w.data[:] = value
    ...     avg.update()
    >>> avg.copy_to_params()
    >>> w.data  # (0 + 1 + 2 + 3) / 4
    array([1.5])
    """

    def __init__(self, params: Iterable[Parameter], include_initial: bool = True) -> None:
        self.params = _param_list(params)
        self.include_initial = bool(include_initial)
        self.n = 0
        self.averages = [p.data.copy() for p in self.params]

    def update(self) -> None:
        self.n += 1
        count = self.n + 1 if self.include_initial else self.n
        for avg, p in zip(self.averages, self.params, strict=True):
            if count == 1:
                avg[...] = p.data
            else:
                avg += (p.data - avg) / count

    def copy_to_params(self) -> None:
        """Write the averaged iterate into the parameters (e.g. at the end of training)."""
        for avg, p in zip(self.averages, self.params, strict=True):
            p.data[...] = avg

    def state_dict(self) -> dict[str, Any]:
        return {"n": self.n, "averages": [a.copy() for a in self.averages]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.n = int(state["n"])
        self.averages = [
            np.array(a, dtype=p.data.dtype)
            for a, p in zip(state["averages"], self.params, strict=True)
        ]
