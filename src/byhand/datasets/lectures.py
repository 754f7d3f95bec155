"""The lectures' own hand-made examples, exactly as printed on the slides."""

from __future__ import annotations

import numpy as np

from ._validation import as_labels


def lecture01_regression() -> tuple[np.ndarray, np.ndarray]:
    """The N = 3 regression points (1, 2), (2, 3), (3, 1).

    With X̃ = [x, 1] and θ = [ω, b], N·J(θ) = ‖y − X̃θ‖² is minimised by the normal
    equations θ* = (X̃ᵀX̃)⁻¹X̃ᵀy = [−0.5, 3] (slope −0.5, bias 3).

    Source: CS 577 Lecture 01 (Wang, IIT, 2024), "Linear regression (1-dimensional
    samples)", "Example: N = 3, (x₁ = 1, y₁ = 2), (x₂ = 2, y₂ = 3), (x₃ = 3, y₃ = 1)".

    Returns
    -------
    X : (3, 1) float64, the inputs 1, 2, 3 (no bias column: add it with a feature map).
    y : (3,) float64, the targets 2, 3, 1.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.datasets import lecture01_regression
    >>> X, y = lecture01_regression()
    >>> Xt = np.hstack([X, np.ones((3, 1))])
    >>> np.round(np.linalg.solve(Xt.T @ Xt, Xt.T @ y), 4)  # θ* = [−0.5, 3]
    array([-0.5,  3. ])
    """
    X = np.array([[1.0], [2.0], [3.0]])
    y = np.array([2.0, 3.0, 1.0])
    return X, y


# The trace of 000: t = 1, 2, 3, 6, 7 are printed on the slides; t = 4, 5, 8 are not and
# are chosen here (see the docstring of perceptron_trace).
_TRACE_X = np.array(
    [
        [1.0, 0.0],  # t=1, printed
        [1.0, 1.0],  # t=2, printed
        [0.0, 1.0],  # t=3, printed
        [2.0, 1.0],  # t=4, chosen: y wᵀx = 1 > 0 with w = [1, −1]
        [-1.0, 1.0],  # t=5, chosen: y wᵀx = 2 > 0 with w = [1, −1]
        [-1.0, -1.0],  # t=6, printed
        [0.0, -1.0],  # t=7, printed
        [1.0, 3.0],  # t=8, chosen: y wᵀx = 1 > 0 with w = [2, −1]
    ]
)
_TRACE_Y = np.array([1, 1, -1, 1, -1, -1, 1, -1], dtype=np.int64)


def perceptron_trace() -> tuple[np.ndarray, np.ndarray]:
    """The 8 points of CS 577 Lecture 01's worked example ("Perceptron: an example").

    The perceptron (no bias, w⁰ = 0) visits t = 1, …, 8 in order and updates
    w ← w + y⁽ᵗ⁾ x⁽ᵗ⁾ whenever y⁽ᵗ⁾ wᵀx⁽ᵗ⁾ <= 0.

    Printed on the slides: t=1 x=(1, 0) y=+1; t=2 x=(1, 1) y=+1; t=3 x=(0, 1) y=−1;
    t=6 x=(−1, −1) y=−1; t=7 x=(0, −1) y=+1. The slides show w = [1, −1] after t = 3,
    no update at t = 4 and 5, and w = [2, −1] at the end ("Converged", boundary x₂ = 2x₁).

    **Chosen here** (the slides only show them in a missing figure), consistent with that
    trace: t=4 x=(2, 1) y=+1, t=5 x=(−1, 1) y=−1 (both correct under w = [1, −1], so no
    update), t=8 x=(1, 3) y=−1 (correct under w = [2, −1]). The resulting run:
    t=1 update → [1, 0]; t=2 none; t=3 update → [1, −1]; t=4, 5 none;
    t=6 update → [2, 0]; t=7 update → [2, −1]; t=8 none; a second pass makes no mistake.

    Source: CS 577 Lecture 01 (Wang, IIT, 2024), "Perceptron: an example".

    Returns
    -------
    X : (8, 2) float64, row t−1 is x⁽ᵗ⁾.
    y : (8,) int64 in {−1, +1}.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.datasets import perceptron_trace
    >>> X, y = perceptron_trace()
    >>> w = np.zeros(2)
    >>> for x_t, y_t in zip(X, y):
    ...     if y_t * (w @ x_t) <= 0:
    ...         w = w + y_t * x_t
    >>> w  # the slides' final w = [2, −1]
    array([ 2., -1.])
    """
    return _TRACE_X.copy(), _TRACE_Y.copy()


_LOGIC = {
    # name: (inputs, outputs), threshold logic units of EE-559 §3.1
    "and": (np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 0, 0, 1])),
    "or": (np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 1])),
    "not": (np.array([[0], [1]]), np.array([1, 0])),
}


def logic_table(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Truth table of a Boolean function made by a threshold logic unit f(x) = 1{w Σᵢxᵢ + b >= 0}.

    - ``"or"``:  or(u, v) = 1{u + v − 0.5 >= 0}   (w = 1, b = −0.5)
    - ``"and"``: and(u, v) = 1{u + v − 1.5 >= 0}  (w = 1, b = −1.5)
    - ``"not"``: not(u) = 1{−u + 0.5 >= 0}        (w = −1, b = 0.5)

    Source: EE-559 3.1 (Fleuret, EPFL, 2019) The perceptron (Threshold Logic Unit,
    McCulloch and Pitts 1943).

    Returns
    -------
    X : (4, 2) float64 for and/or, (2, 1) for not; inputs in {0, 1}, rows in binary order.
    y : int64 outputs in {0, 1}.

    Raises
    ------
    ValueError
        If ``name`` is not "or", "and" or "not".

    Examples
    --------
    >>> from byhand.datasets import logic_table
    >>> X, y = logic_table("and")
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 0, 0, 1])
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    key = name.lower()
    if key not in _LOGIC:
        raise ValueError(f"name must be one of {sorted(_LOGIC)}, got {name!r}")
    X, y = _LOGIC[key]
    return X.astype(np.float64), y.astype(np.int64)


def xor(signed: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The four XOR points: inputs {0, 1}², label xor(u, v) = u + v − 2uv.

    No linear model separates them; the feature Φ(x_u, x_v) = (x_u, x_v, x_u x_v) does.

    Sources: EE-559 3.3 (Fleuret, EPFL, 2019) Linear separability and feature design
    ("xor"); CS 577 Lecture 03 (Wang, IIT, 2024) "Limitations of linearity";
    Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25) "The xor function".

    Parameters
    ----------
    signed : labels in {−1, +1} (−1 for xor = 0) instead of {0, 1}. Inputs stay {0, 1}.

    Returns
    -------
    X : (4, 2) float64 rows (0,0), (0,1), (1,0), (1,1).
    y : (4,) int64, [0, 1, 1, 0] or [−1, +1, +1, −1].

    Examples
    --------
    >>> from byhand.datasets import xor
    >>> X, y = xor(signed=True)
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [-1, 1, 1, -1])
    """
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, as_labels(np.array([0, 1, 1, 0]), signed)
