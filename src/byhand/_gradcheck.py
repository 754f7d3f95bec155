"""Gradient checking by central finite differences, in float64.

∂f/∂θᵢ ≈ (f(θ + εeᵢ) − f(θ − εeᵢ)) / 2ε, compared with what ``backward`` computed, entry by
entry with torch.autograd.gradcheck's rule ``|analytic − numeric| <= atol + rtol·|numeric|``
(defaults eps=1e-6, atol=1e-5, rtol=1e-3). The lectures derive gradients by hand
(CS 577 Lecture 03 (Wang, IIT, 2024), "Gradients of a one-hidden-layer network";
EE-559 3.6 (Fleuret, EPFL, 2019)): this is how one checks such a derivation.

For a module the scalar checked is f = Σ forward(x) ⊙ r with a fixed random r, so every
output contributes; its gradients are those of x and of every parameter. For a loss it is
L(z, y), differentiated in z.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from byhand.nn._inputs import real
from byhand.nn.losses import Loss
from byhand.nn.module import Module


class GradcheckError(AssertionError):
    """``backward`` disagrees with finite differences; the message is a readable report.

    An AssertionError, so that a failing check fails a test.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand import GradcheckError, gradcheck
    >>> from byhand.nn import Tanh
    >>> class WrongTanh(Tanh):
    ...     def backward(self, grad_out):  # forgets the factor 1 − tanh²
    ...         return grad_out
    >>> try:
    ...     gradcheck(WrongTanh(), np.array([[0.5, -1.0]]))
    ... except GradcheckError as e:
    ...     print(isinstance(e, AssertionError))
    True
    """


def _numeric(f: Callable[[], float], x: np.ndarray, eps: float) -> np.ndarray:
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        gflat[i] = (up - down) / (2 * eps)
    return grad


def _compare(
    name: str, analytic: np.ndarray, numeric: np.ndarray, atol: float, rtol: float
) -> tuple[float, str | None]:
    analytic = np.asarray(analytic, dtype=np.float64).reshape(numeric.shape)
    diff = np.abs(analytic - numeric)
    scale = max(float(np.max(np.abs(numeric), initial=0.0)), np.finfo(np.float64).tiny)
    rel = float(np.max(diff, initial=0.0)) / scale
    bad = diff > atol + rtol * np.abs(numeric)
    if not np.any(bad):
        return rel, None
    i = np.unravel_index(int(np.argmax(np.where(bad, diff, -1))), diff.shape)
    return rel, (
        f"  {name}{[int(k) for k in i]}: backward {analytic[i]:.6g}, finite differences "
        f"{numeric[i]:.6g}, |diff| {diff[i]:.3g} > atol + rtol·|numeric| "
        f"({np.count_nonzero(bad)} of {bad.size} entries off)"
    )


def _as_float64(x: Any) -> np.ndarray:
    """A float64 copy of x (never x itself: the differences write into it)."""
    x = np.array(real(x, "gradcheck"), dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError(
            "gradcheck: inputs must be finite (finite differences at NaN or inf are "
            "undefined), got NaN or inf"
        )
    return x


def _check_loss(loss: Loss, z: Any, y: Any, eps: float) -> list[tuple[str, np.ndarray, np.ndarray]]:
    z = _as_float64(z)
    loss.forward(z.copy(), y)
    analytic = np.array(loss.backward())
    numeric = _numeric(lambda: loss.forward(z.copy(), y), z, eps)
    return [("dL/dz", analytic, numeric)]


def _check_module(
    module: Module, x: Any, eps: float, rng: np.random.Generator
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    # Each call gets its own copies: a module may write over its input and its incoming
    # gradient (nn.ReLU(inplace=True)), and the differences must be taken at x itself.
    x = _as_float64(x)
    out = module.forward(x.copy())
    r = rng.standard_normal(np.shape(out))
    module.zero_grad()
    grad_x = module.backward(r.copy())
    analytic = {
        f"param {i} {p.name}".rstrip(): p.grad.copy() for i, p in enumerate(module.parameters())
    }

    def f() -> float:
        return float(np.sum(module.forward(x.copy()) * r))

    # backward returns None when it skips dℓ/dx (Sequential(..., input_grad=False))
    pairs = [] if grad_x is None else [("dL/dx", np.array(grad_x), _numeric(f, x, eps))]
    for (name, a), p in zip(analytic.items(), module.parameters(), strict=True):
        pairs.append((name, a, _numeric(f, p.data, eps)))
    return pairs


def gradcheck(
    module_or_loss: Module | Loss,
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    random_state: Any = 0,
) -> float:
    """Check ``backward`` against central differences; return the max relative error.

    ``gradcheck(module, x)`` or ``gradcheck(loss, z, y)``. The relative error of a tensor is
    ``max|analytic − numeric| / max|numeric|``; the largest over all checked tensors is returned.
    Raises :class:`GradcheckError` with a report of the worst entries when any entry fails
    ``|analytic − numeric| <= atol + rtol·|numeric|``. Parameters are checked in float64 and
    restored to their dtype afterwards. The input gradient is checked unless ``backward``
    returns None (``Sequential(..., input_grad=False)``); each parameter is checked once,
    however many modules use it (its gradient is the sum over its uses).

    The numeric derivative of each entry θᵢ is the central difference
    (L(θ + ε eᵢ) − L(θ − ε eᵢ)) / (2ε), with L = Σ r ⊙ module(x) for a fixed random r (a loss
    is used as it is); EE-559 3.6 (Fleuret, EPFL, 2019), slide '3.6. Back-propagation' gives
    the gradients being checked.

    Parameters
    ----------
    module_or_loss : Module or Loss
    inputs : x for a module, (z, y) for a loss
    eps, atol, rtol : float
        Step of the differences and tolerances of the comparison.
    random_state : int or Generator
        Seeds r.

    Raises
    ------
    GradcheckError
        When the analytic and numeric gradients disagree.
    TypeError, ValueError
        For an object that is neither a Module nor a Loss, or inputs it refuses.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand import gradcheck
    >>> from byhand.nn import CrossEntropyLoss, Linear
    >>> x = np.random.default_rng(0).normal(size=(4, 3))
    >>> bool(gradcheck(Linear(3, 2, random_state=0), x) < 1e-6)
    True
    >>> bool(gradcheck(CrossEntropyLoss(), np.zeros((2, 3)), np.array([0, 2])) < 1e-6)
    True
    """
    if isinstance(module_or_loss, Loss):
        if len(inputs) != 2:
            raise TypeError("gradcheck(loss, z, y) takes the logits z and the targets y")
        pairs = _check_loss(module_or_loss, *inputs, eps)
    elif isinstance(module_or_loss, Module):
        if len(inputs) != 1:
            raise TypeError("gradcheck(module, x) takes one input array x")
        params = module_or_loss.parameters()
        saved = [p.data for p in params]
        try:
            for p in params:
                p.data = p.data.astype(np.float64)
            pairs = _check_module(
                module_or_loss, inputs[0], eps, np.random.default_rng(random_state)
            )
        finally:
            for p, d in zip(params, saved, strict=True):
                p.data = d
                p.zero_grad()
    else:
        raise TypeError(
            f"gradcheck takes a byhand.nn Module or Loss, got {type(module_or_loss).__name__}"
        )
    worst, report = 0.0, []
    for name, analytic, numeric in pairs:
        rel, line = _compare(name, analytic, numeric, atol, rtol)
        worst = max(worst, rel)
        if line:
            report.append(line)
    if report:
        raise GradcheckError(
            f"gradcheck failed for {module_or_loss!r} (eps={eps}, atol={atol}, rtol={rtol}):\n"
            + "\n".join(report)
        )
    return worst
