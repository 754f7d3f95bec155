"""Mistakes any exercise can show, recognised without the exercise naming them.

:func:`generic_mistakes` builds, for an exercise, the predictions of two kinds of slip that
do not depend on the maths: the right outputs returned in another order (``(grad_W2,
grad_W1)`` for ``(grad_W1, grad_W2)``), and the right entries of one output in reverse or
rotated order (θ = [b, w] for [w, b]: the bias put first). The grader tries them after the
exercise's own mistakes.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from byhand.exercises._core import Exercise, Mistake

__all__ = ["generic_mistakes"]


def _permuted(perm: tuple[int, ...]) -> Any:
    def predict(args: tuple[Any, ...], expected: Any) -> Any:
        return tuple(expected[j] for j in perm)

    return predict


def _entries(which: int, n_out: int, how: str, axis: int) -> Any:
    def predict(args: tuple[Any, ...], expected: Any) -> Any:
        items = list(expected) if n_out > 1 else [expected]
        a = np.asarray(items[which], dtype=np.float64)
        if a.ndim <= axis or a.shape[axis] < 2:
            raise ValueError("no entries to reorder")
        if how == "reversed":
            items[which] = np.flip(a, axis=axis)
        else:
            items[which] = np.roll(a, 1 if how == "last first" else -1, axis=axis)
        return tuple(items) if n_out > 1 else items[0]

    return predict


def _order_mistakes(ex: Exercise) -> list[Mistake]:
    n = len(ex.outputs)
    if n < 2 or n > 4:
        return []
    want = ", ".join(ex.outputs)
    out = []
    for perm in itertools.permutations(range(n)):
        if perm == tuple(range(n)):
            continue
        yours = ", ".join(ex.outputs[j] for j in perm)
        out.append(
            Mistake(
                "outputs in the wrong order",
                f"the values are right but in another order: yours come as ({yours}); "
                f"return ({want}), in that order.",
                _permuted(perm),
            )
        )
    return out


def _entry_mistakes(ex: Exercise) -> list[Mistake]:
    n = len(ex.outputs)
    out = []
    for k, name in enumerate(ex.outputs):
        for axis in (0, 1):
            along = "" if axis == 0 else " along axis 1"
            where = f" of {name}" + along
            out += [
                Mistake(
                    "entries in reverse order",
                    f"the entries{where} are right but in reverse order (for θ = [w, b]: "
                    f"did you put the bias first, e.g. a column of ones on the left of X?). "
                    f"Keep the order of the statement.",
                    _entries(k, n, "reversed", axis),
                ),
                Mistake(
                    "entries shifted by one",
                    f"the entries{where} are right but shifted by one place, the last one "
                    f"first (for θ = [w, b]: the bias first instead of last — a column of "
                    f"ones on the left of X). Keep the order of the statement.",
                    _entries(k, n, "last first", axis),
                ),
                Mistake(
                    "entries shifted by one",
                    f"the entries{where} are right but shifted by one place, the first one "
                    f"last. Keep the order of the statement.",
                    _entries(k, n, "first last", axis),
                ),
            ]
    return out


def generic_mistakes(ex: Exercise) -> tuple[Mistake, ...]:
    """The order slips every exercise can show (see the module docstring)."""
    return tuple(_order_mistakes(ex) + _entry_mistakes(ex))
