"""The experiment registry and the records an experiment returns.

An experiment is a function ``run(seed: int, quick: bool) -> ExperimentResult`` decorated with
:func:`experiment`. It states the lecture's claims (:class:`Claim`), checks them against what
byhand computes, and attaches matplotlib figures (:class:`Figure` via
:meth:`ExperimentResult.figure`), small tables (:class:`Table`) and notes. The runner fills in the
name, title, lecture, time and status, so an experiment only builds the content.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

KINDS = ("exact", "numeric", "qualitative")
SOURCES = ("lecture", "derived", "byhand")
VERDICTS = ("reproduced", "differs", "failed")
CATEGORIES = ("reproduction", "derivation", "observation")
#: The category a claim gets from its ``source`` when it states none.
DEFAULT_CATEGORY = {"lecture": "reproduction", "derived": "derivation", "byhand": "observation"}


def jsonable(value: Any) -> Any:
    """``value`` with NumPy scalars/arrays turned into plain Python (lists, floats, ints, bools).

    Non-finite floats become the strings ``"nan"``, ``"inf"``, ``"-inf"`` so that
    ``results.json`` stays strict JSON. Anything else unknown raises TypeError.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):  # np.int64 is not an int subclass: tolist below
        return int(value)
    if isinstance(value, float):  # np.float64 too (a float subclass): as a plain float
        return float(value) if math.isfinite(value) else str(value)
    tolist = getattr(value, "tolist", None)
    if callable(tolist):  # NumPy scalar or array
        return jsonable(tolist())
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    raise TypeError(f"claim value must be JSON-serialisable, got {type(value).__name__}")


def default_rule(kind: str, target: Any) -> str:
    """The pass rule of a claim that states none, in words, from its ``kind`` and ``target``."""
    if target is None:
        return {
            "exact": "the identity holds to floating-point precision",
            "numeric": "byhand's number meets the stated bound",
            "qualitative": "the stated comparison holds for byhand's values",
        }[kind]
    if isinstance(target, str):
        return f"byhand's value {target}" if target[:1] in "<>≤≥=|" else f"target: {target}"
    shown = _words(target)
    return {
        "exact": f"byhand's value equals {shown} (exactly, or to floating-point precision)",
        "numeric": f"byhand's value matches {shown} to the stated precision",
        "qualitative": f"byhand's values show {shown}",
    }[kind]


def _words(value: Any) -> str:
    """A target as plain text: numbers short, lists in brackets, dicts as "key = value"."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        return "[" + ", ".join(_words(v) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k} = {_words(v)}" for k, v in value.items())
    return str(value)


def _is_lecture_number(target: Any) -> bool:
    """Whether a lecture claim's target can stand as the lecture's value: a number or a list of
    them. A dict (labelled values, computed by byhand) or a bound such as ``"< 1e-7"`` (byhand's
    tolerance) cannot."""
    if isinstance(target, bool) or target is None:
        return False
    if isinstance(target, (int, float)):
        return True
    if isinstance(target, list):
        return all(_is_lecture_number(v) for v in target)
    return False


@dataclass
class Claim:
    """One statement of a lecture, checked by byhand.

    ``lecture`` is the lecture's id in :mod:`byhand.lectures` (``"ee559-3"``), ``slide`` the
    slide title as in the lecture, ``claim`` the statement, ``value`` what byhand obtained
    (JSON-serialisable: a number, a string, a small list), ``kind`` one of ``"exact"`` (an
    identity, checked to floating-point precision), ``"numeric"`` (a number against a target) or
    ``"qualitative"`` (a comparison or a shape), ``passed`` whether byhand's value meets the
    target. ``target`` is the number checked against, ``detail`` how it was checked.

    What kind of evidence the claim is, ``category`` (counted apart in ``results.json``):

    - ``"reproduction"``: runs byhand's code (an estimator, a module's forward/backward, an
      optimiser, a data set) and compares its output with the lecture's value or statement. It
      must be able to fail: ``tests/test_mutations.py`` breaks each central formula of the
      library and asserts that some reproduction fails;
    - ``"derivation"``: the lecture's mathematics checked numerically (NumPy, SciPy, finite
      differences) with no byhand code under test;
    - ``"observation"``: byhand's own measurement or threshold, not the lecture's (the lecture
      states a direction, "cheap but not as performant", and byhand picks the margin).

    The default category follows ``source`` (``lecture`` → reproduction, ``derived`` →
    derivation, ``byhand`` → observation); pass ``category=`` where they part (a derived
    tolerance on byhand's backward is a reproduction of the lecture's chain rule).

    ``lecture_value`` is the lecture's value or statement as a short number or string
    (``2``, ``"w = [2, −1] after 6 updates"``); ``None`` only where the lecture states no value,
    and then the claim is not a numeric reproduction. A claim with ``source="lecture"`` that
    gives none gets its ``target`` when that is a number or a list of numbers, else its
    ``quote`` (the lecture's statement): a dict of byhand's labelled results or a tolerance
    such as ``"< 1e-7"`` is never shown as the lecture's value, and a residual target (0 for
    ``|byhand − formula|``) must pass the lecture's formula as ``lecture_value``. ``rule`` is
    the pass rule in words with its tolerance, e.g. ``"|byhand − lecture| ≤ 1e-12"`` or
    ``"SGD's excess loss after one epoch < GD's (threshold byhand's: the lecture says 'cheap
    but not as performant')"``; when not given it is built from ``kind`` and ``target``.
    ``timed=True`` marks a claim judged on wall-clock time: the run's verdict stands and the
    report shows it, but the test suite does not require it to pass (speed is measured in
    ``benchmarks/``, never asserted in a test: another process on the machine can move it).

    Where the target comes from, ``source``:

    - ``"lecture"``: the statement and its number are the lecture's; ``quote`` gives the
      lecture's words (one line);
    - ``"derived"``: a consequence of the lecture's mathematics that byhand computes (e.g. 2/L
      from the Hessian); ``derived_from`` says from what;
    - ``"byhand"``: a threshold or setting the project chose; ``reason`` says why.

    ``source`` is mandatory: a claim without it raises ValueError.

    ``verdict`` is ``"reproduced"`` when the claim passed, ``"differs"`` when it did not and
    ``differs`` states the known cause (byhand's value is not the lecture's, e.g. because the
    lecture's data pipeline is not given; this does not fail the run), ``"failed"`` otherwise.
    ``experiment`` is filled in by the runner.
    """

    lecture: str
    slide: str
    claim: str
    value: Any
    kind: str
    passed: bool
    target: Any = None
    detail: str = ""
    experiment: str = ""
    source: str = ""
    quote: str = ""
    derived_from: str = ""
    reason: str = ""
    differs: str = ""
    category: str = ""
    lecture_value: Any = None
    rule: str = ""
    timed: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Claim.kind must be one of {KINDS}, got {self.kind!r}")
        if not isinstance(self.passed, (bool, np.bool_)):
            raise TypeError(f"Claim.passed must be a bool, got {type(self.passed).__name__}")
        if self.source not in SOURCES:
            raise ValueError(
                f"Claim.source must be one of {SOURCES} (where the target comes from), got "
                f"{self.source!r} (claim {self.claim!r})"
            )
        needs = {"lecture": "quote", "derived": "derived_from", "byhand": "reason"}
        if not getattr(self, needs[self.source]).strip():
            raise ValueError(
                f"a claim with source={self.source!r} needs {needs[self.source]}= "
                f"(claim {self.claim!r})"
            )
        if not self.category:
            self.category = DEFAULT_CATEGORY[self.source]
        if self.category not in CATEGORIES:
            raise ValueError(
                f"Claim.category must be one of {CATEGORIES}, got {self.category!r} "
                f"(claim {self.claim!r})"
            )
        self.passed = bool(self.passed)
        self.value = jsonable(self.value)
        self.target = jsonable(self.target)
        self.lecture_value = jsonable(self.lecture_value)
        if self.lecture_value is None and self.source == "lecture":
            # the lecture's value: a lecture claim's numeric target, else the lecture's words
            # (a dict of byhand's labelled values or a tolerance is not the lecture's)
            self.lecture_value = self.target if _is_lecture_number(self.target) else self.quote
        if not self.rule.strip():
            self.rule = default_rule(self.kind, self.target)

    @property
    def verdict(self) -> str:
        """``"reproduced"``, ``"differs"`` (not passed, for a stated cause) or ``"failed"``."""
        if self.passed:
            return "reproduced"
        return "differs" if self.differs.strip() else "failed"

    def to_dict(self) -> dict[str, Any]:
        """The claim as the JSON object stored in ``results.json``."""
        out = {
            "experiment": self.experiment,
            "lecture": self.lecture,
            "slide": self.slide,
            "claim": self.claim,
            "value": self.value,
            "kind": self.kind,
            "passed": self.passed,
            "verdict": self.verdict,
            "source": self.source,
            "target": self.target,
            "detail": self.detail,
            "category": self.category,
            "lecture_value": self.lecture_value,
            "rule": self.rule,
            "timed": self.timed,
        }
        for key in ("quote", "derived_from", "reason", "differs"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


@dataclass
class Table:
    """A small table for the report: a title, a header row and rows of cells (str or numbers)."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "header": [str(h) for h in self.header],
            "rows": [[jsonable(c) for c in row] for row in self.rows],
        }


@dataclass
class Figure:
    """A matplotlib figure (``fig``) with a caption, rendered to PNG bytes by the runner."""

    fig: Any
    caption: str = ""


@dataclass
class ExperimentResult:
    """What an experiment returns: claims, figures, tables and notes.

    ``name``, ``title``, ``lecture``, ``seconds`` and ``status`` are set by the runner
    (``status`` is ``"ok"``, ``"skipped: …"`` or ``"error: …"``; ``traceback`` holds the
    traceback text of an error).
    """

    claims: list[Claim] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    name: str = ""
    title: str = ""
    lecture: str = ""
    seconds: float = 0.0
    status: str = "ok"
    traceback: str = ""

    def claim(
        self,
        lecture: str,
        slide: str,
        claim: str,
        value: Any,
        passed: bool,
        kind: str = "exact",
        target: Any = None,
        detail: str = "",
        *,
        source: str = "",
        quote: str = "",
        derived_from: str = "",
        reason: str = "",
        differs: str = "",
        category: str = "",
        lecture_value: Any = None,
        rule: str = "",
        timed: bool = False,
    ) -> Claim:
        """Append a :class:`Claim` and return it (see :class:`Claim` for the fields)."""
        c = Claim(
            lecture,
            slide,
            claim,
            value,
            kind,
            passed,
            target=target,
            detail=detail,
            source=source,
            quote=quote,
            derived_from=derived_from,
            reason=reason,
            differs=differs,
            category=category,
            lecture_value=lecture_value,
            rule=rule,
            timed=timed,
        )
        self.claims.append(c)
        return c

    def figure(self, fig: Any, caption: str = "") -> None:
        """Attach a matplotlib figure with a caption."""
        self.figures.append(Figure(fig, caption))

    def table(self, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Attach a small table."""
        self.tables.append(Table(title, list(header), [list(r) for r in rows]))

    def note(self, text: str) -> None:
        """Attach a paragraph of explanation."""
        self.notes.append(text)


@dataclass(frozen=True)
class Experiment:
    """A registered experiment: its short name, title, main lecture and function."""

    name: str
    title: str
    lecture: str
    func: Callable[[int, bool], ExperimentResult]
    needs_mnist: bool = False
    module: str = ""
    number: int = 0
    covers: tuple[tuple[str, ...], ...] = ()


_REGISTRY: dict[str, Experiment] = {}
_IMPORT_ERRORS: dict[str, str] = {}
_DISCOVERED = False


def experiment(
    name: str,
    *,
    title: str,
    lecture: str,
    number: int = 0,
    needs_mnist: bool = False,
    covers: Sequence[tuple[str, ...]] = (),
) -> Callable[[Callable[[int, bool], ExperimentResult]], Callable[[int, bool], ExperimentResult]]:
    """Register ``run(seed, quick) -> ExperimentResult`` under the short ``name``.

    ``lecture`` is the seed file the experiment mainly reproduces (it groups the report);
    ``number`` is the experiment's number in the reproduction issue (it orders the report);
    ``needs_mnist=True`` makes the runner skip it, visibly, when MNIST is not found;
    ``covers`` lists the lecture items it reproduces as ``(lecture id, slide title)`` pairs, or
    ``(lecture id, slide title, topic)`` triples to name one item of a slide that holds several
    (the report's coverage table joins them with :mod:`byhand.experiments.coverage`).
    """
    covered = tuple(tuple(str(part) for part in c) for c in covers)
    bad = [c for c in covered if len(c) not in (2, 3)]
    if bad:
        raise ValueError(
            f"covers= takes (lecture id, slide title) or (lecture id, slide title, topic), "
            f"got {bad}"
        )
    if not name or not isinstance(name, str) or any(c.isspace() for c in name):
        raise ValueError(f"experiment name must be a non-empty word, got {name!r}")

    def register(func: Callable[[int, bool], ExperimentResult]):
        old = _REGISTRY.get(name)
        if old is not None and (old.module, old.func.__qualname__) != (
            func.__module__,
            func.__qualname__,
        ):
            raise ValueError(f"experiment {name!r} is already registered by {old.module}")
        _REGISTRY[name] = Experiment(
            name, title, lecture, func, needs_mnist, func.__module__, number, covered
        )
        return func

    return register


def discover() -> None:
    """Import every module of :mod:`byhand.experiments` so that their decorators run.

    A module that fails to import does not stop the others: its traceback is kept in
    :func:`import_errors` and the runner reports it as an error.
    """
    global _DISCOVERED
    if _DISCOVERED:
        return
    package = importlib.import_module("byhand.experiments")
    for info in pkgutil.walk_packages(package.__path__, prefix="byhand.experiments."):
        leaf = info.name.rsplit(".", 1)[1]
        if info.ispkg or leaf.startswith("_") or leaf in ("runner", "coverage"):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:
            _IMPORT_ERRORS[info.name] = traceback.format_exc()
    _DISCOVERED = True


def import_errors() -> dict[str, str]:
    """Experiment modules that failed to import: module name → traceback text."""
    discover()
    return dict(_IMPORT_ERRORS)


def registry() -> dict[str, Experiment]:
    """All registered experiments by name, sorted by (lecture, number, name)."""
    discover()
    return dict(sorted(_REGISTRY.items(), key=lambda kv: (kv[1].lecture, kv[1].number, kv[1].name)))


def get(name: str) -> Experiment:
    """The experiment registered as ``name``; ValueError listing the valid names otherwise."""
    reg = registry()
    if name not in reg:
        raise ValueError(f"unknown experiment {name!r}; valid names: {', '.join(reg)}")
    return reg[name]


def unregister(name: str) -> None:
    """Remove ``name`` from the registry (for tests that register throw-away experiments)."""
    _REGISTRY.pop(name, None)
