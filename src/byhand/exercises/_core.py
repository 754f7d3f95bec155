"""What an exercise is: statement, cases, reference, mistakes, hints; and the catalogue.

An :class:`Exercise` names the function a learner writes, cites the lecture slide it comes
from (through :mod:`byhand.lectures`), and carries the cases it is graded on (the lecture's
worked example first, then random inputs), byhand's own implementation as the reference, the
typical mistakes it recognises and the hints it gives, one at a time.
"""

from __future__ import annotations

import copy
import inspect
import textwrap
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from byhand import lectures

__all__ = ["Case", "Exercise", "Mistake", "register", "registry"]


@dataclass(frozen=True)
class Case:
    """One call of the learner's function.

    ``label`` says which input this is ("the lecture's worked example", "random case 2");
    ``args`` are the positional arguments (each call gets fresh copies); ``lecture_value``,
    when the lecture prints the answer, is that answer (the reference must give it too).
    """

    label: str
    args: tuple[Any, ...]
    lecture_value: Any = None


@dataclass(frozen=True)
class Mistake:
    """A typical mistake: its name, the hint that explains it, and how to recognise it.

    ``predict(args, expected)`` returns what a function making this mistake (and no other)
    returns on ``args``, given the right answer ``expected``; the grader names the mistake
    when the learner's output equals that prediction. ``example`` is a whole solution with
    exactly this mistake (the tests check that it is recognised).
    """

    name: str
    hint: str
    predict: Callable[[tuple[Any, ...], Any], Any]
    example: str = ""


@dataclass(frozen=True)
class Exercise:
    """One exercise; see the module docstring. ``outputs`` names what the function returns
    (one name: a single array; several: a tuple in that order).

    Examples
    --------
    >>> from byhand.exercises import get
    >>> ex = get("normal-equations")
    >>> ex.lecture, ex.function, ex.formula
    ('cs577-01', 'normal_equations', 'θ* = (X̃ᵀX̃)⁻¹ X̃ᵀ y')
    """

    name: str
    title: str
    lecture: str
    slide: str
    function: str
    params: str
    outputs: tuple[str, ...]
    statement: str
    formula: str
    reference: Callable[..., Any]
    cases: Callable[[], list[Case]]
    mistakes: tuple[Mistake, ...]
    hints: tuple[str, ...]
    gradcheck: Callable[[Callable[..., Any]], tuple[Any, Any]] | None = None
    integer_ok: bool = False
    extra_imports: str = ""
    order: int = field(default=0, compare=False)

    @property
    def citation(self) -> str:
        """``"CS 577 Lecture 01 (Wang, IIT, 2024), slide '…'"``."""
        return lectures.cite(self.lecture, self.slide)

    @property
    def filename(self) -> str:
        """The file ``start`` writes: ``linear_backward.py`` for ``linear-backward``."""
        return self.name.replace("-", "_") + ".py"

    def seed(self) -> int:
        """A fixed seed per exercise: the random cases are the same at every check."""
        return zlib.crc32(self.name.encode())

    def rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed())

    def expected(self, case: Case) -> Any:
        """byhand's answer on ``case`` (the reference called on copies of the arguments)."""
        return self.reference(*copy.deepcopy(case.args))

    def reference_solution(self) -> str:
        """A complete solution file: the reference's source, renamed to the learner's
        function. It calls byhand's own implementation."""
        src = textwrap.dedent(inspect.getsource(self.reference))
        _, _, body = src.partition("(")
        src = f"def {self.function}(" + body
        return f"import numpy as np\n{self.extra_imports}\n\n{src}"


_REGISTRY: dict[str, Exercise] = {}


def register(ex: Exercise) -> Exercise:
    """Add ``ex`` to the catalogue (in the order registered within its lecture)."""
    if ex.name in _REGISTRY:
        raise ValueError(f"exercise {ex.name!r} registered twice")
    object.__setattr__(ex, "order", len(_REGISTRY))
    _REGISTRY[ex.name] = ex
    return ex


def registry() -> dict[str, Exercise]:
    """Every exercise by name, in lecture order (the order of :data:`byhand.lectures.LECTURES`,
    then the order within the lecture's module)."""
    from byhand.exercises import cs577_01, cs577_03, cs577_04, ee559_3, galerne_1  # noqa: F401

    rank = {lid: i for i, lid in enumerate(lectures.LECTURES)}
    items = sorted(_REGISTRY.values(), key=lambda e: (rank[e.lecture], e.order))
    return {e.name: e for e in items}


def outputs_tuple(ex: Exercise, value: Any) -> Sequence[Any]:
    """``value`` as the tuple of the exercise's outputs (a single output is wrapped)."""
    return (value,) if len(ex.outputs) == 1 else tuple(value)
