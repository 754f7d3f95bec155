"""Adam: adaptive moment estimation (Kingma & Ba, "Adam: a method for stochastic
optimization", ICLR 2015, Algorithm 1). Beyond the lectures, which stop at (momentum) SGD
(CS 577 Lecture 01 (Wang, IIT, 2024), "Stochastic gradient descent").

With g_t the gradient at step t = 1, 2, … (plus wd·θ for parameters with ``decay=True``, the
L2 penalty of :class:`byhand.optim.SGD`):

    m_t = β₁ m_{t−1} + (1 − β₁) g_t          v_t = β₂ v_{t−1} + (1 − β₂) g_t²
    m̂_t = m_t / (1 − β₁ᵗ)                     v̂_t = v_t / (1 − β₂ᵗ)
    θ_t = θ_{t−1} − ε_t m̂_t / (√v̂_t + eps)

with m_0 = v_0 = 0 and ε_t = ``lr`` (a number or a schedule of the step count k = t − 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from byhand.nn.module import Parameter
from byhand.optim.schedules import Schedule, as_schedule
from byhand.optim.sgd import _param_list

__all__ = ["Adam"]


class Adam:
    """Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0); see the module
    docstring for the update. ``step()``, ``zero_grad()``, ``state_dict()`` /
    ``load_state_dict()`` (step count and both moment estimates: a checkpoint resumes exactly)
    as :class:`byhand.optim.SGD`. Raises ValueError on β outside [0, 1), eps <= 0 or a
    negative weight decay.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.nn import Parameter
    >>> from byhand.optim import Adam
    >>> theta = Parameter(np.array([1.0, -1.0]))
    >>> opt = Adam([theta], lr=0.1)
    >>> opt.zero_grad()
    >>> theta.accumulate(np.array([0.2, -3.0]))
    >>> opt.step()  # the first step moves each coordinate by lr·sign(g)
    >>> np.round(theta.data, 4)
    array([ 0.9, -0.9])
    >>> Adam([theta], betas=(0.9, 1.0))
    Traceback (most recent call last):
    ...
    ValueError: ...
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float | Schedule = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        self.params = _param_list(params)
        self.lr = as_schedule(lr)
        try:
            b1, b2 = (float(b) for b in betas)
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair of numbers in [0, 1), got {betas!r}") from None
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise ValueError(f"betas must be a pair of numbers in [0, 1), got {betas!r}")
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < np.inf:
            raise ValueError(f"eps must be a finite number > 0, got {eps!r}")
        if (
            isinstance(weight_decay, bool)
            or not isinstance(weight_decay, (int, float))
            or not 0 <= weight_decay < np.inf
        ):
            raise ValueError(f"weight_decay must be a finite number >= 0, got {weight_decay!r}")
        self.betas = (b1, b2)
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)
        self.k = 0
        self._m = [np.zeros_like(p.data) for p in self.params]
        self._v = [np.zeros_like(p.data) for p in self.params]
        self._scratch: list[np.ndarray | None] = [None] * len(self.params)

    def zero_grad(self) -> None:
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """One Adam update with ε_k, then k ← k + 1."""
        eta = self.lr(self.k)
        self.k += 1
        b1, b2 = self.betas
        c1, c2 = 1.0 - b1**self.k, 1.0 - b2**self.k
        for i, p in enumerate(self.params):
            g = p.grad
            if self.weight_decay and p.decay:
                g = g + self.weight_decay * p.data
            m, v = self._m[i], self._v[i]
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * (g * g)
            tmp = self._scratch[i]
            if tmp is None or tmp.shape != p.data.shape:
                tmp = self._scratch[i] = np.empty_like(p.data)
            # θ ← θ − ε m̂ / (√v̂ + eps), with m̂ = m / c1 and v̂ = v / c2
            np.multiply(v, 1.0 / c2, out=tmp)
            np.sqrt(tmp, out=tmp)
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= eta / c1
            p.data -= tmp

    def state_dict(self) -> dict[str, Any]:
        """Step count and moment estimates m, v: what a checkpoint needs to resume exactly."""
        return {
            "k": self.k,
            "m": [m.copy() for m in self._m],
            "v": [v.copy() for v in self._v],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for key in ("m", "v"):
            if len(state[key]) != len(self.params):
                raise ValueError(
                    f"optimizer state has {len(state[key])} {key} buffers, the optimizer "
                    f"{len(self.params)}"
                )
        self.k = int(state["k"])
        self._m = [
            np.array(a, dtype=p.data.dtype) for a, p in zip(state["m"], self.params, strict=True)
        ]
        self._v = [
            np.array(a, dtype=p.data.dtype) for a, p in zip(state["v"], self.params, strict=True)
        ]
