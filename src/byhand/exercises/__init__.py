"""Exercises: write the lectures' gradients yourself, graded by byhand.

Each exercise asks for one function from a lecture slide — the normal equations, a
gradient-descent step, the perceptron, a backward pass, an optimizer step — and grades it on
the lecture's worked example (exact numbers where the lecture prints them) and on random
inputs against byhand's own implementation, with :func:`byhand.gradcheck` for every backward.
The grader runs the learner's file in a child process (a time limit stops an endless loop),
reports an exception as the learner's with its file and line, reports the first wrong entry
with both values, and names the mistake when it recognises one (a missing transpose, a factor
of 2, a sign, a missing 1/N, the gradient sent to every tied maximum, …).

Progress is kept in the working folder (``.byhand-exercises.json``): stop and resume at will.
The command ``byhand exercise`` is a thin layer over this API.

Examples
--------
>>> import byhand.exercises as ex
>>> [e.name for e in ex.list_exercises()][:2]
['normal-equations', 'gd-step']
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = ex.start("normal-equations", folder)
>>> result = ex.check("normal-equations", path)
>>> result.passed, result.verdict
(False, 'todo')
>>> "column of ones" in ex.hint("normal-equations", folder)
True
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from byhand.exercises import _progress, _skeleton
from byhand.exercises._core import Exercise, registry
from byhand.exercises._grader import Result, check_file

__all__ = [
    "Exercise",
    "ExerciseStatus",
    "Result",
    "check",
    "get",
    "hint",
    "list_exercises",
    "reference_solution",
    "start",
]


@dataclass(frozen=True)
class ExerciseStatus:
    """An exercise with the learner's status in a folder: not started, started or passed.

    Examples
    --------
    >>> import tempfile
    >>> from byhand.exercises import list_exercises
    >>> first = list_exercises(tempfile.mkdtemp())[0]
    >>> first.exercise.name, first.status
    ('normal-equations', 'not started')
    """

    exercise: Exercise
    status: str
    hints: int = 0
    checks: int = 0

    @property
    def name(self) -> str:
        return self.exercise.name


def get(name: str) -> Exercise:
    """The exercise called ``name``.

    Raises
    ------
    ValueError
        for an unknown name, naming the closest known ones.
    TypeError
        when ``name`` is not a str.

    Examples
    --------
    >>> ex = get("normal-equations")
    >>> ex.function, ex.outputs
    ('normal_equations', ('theta',))
    >>> ex.citation
    "CS 577 Lecture 01 (Wang, IIT, 2024), slide 'Linear regression (1-dimensional samples)'"
    """
    reg = registry()
    if not isinstance(name, str):
        raise TypeError(f"an exercise name is a str, got {type(name).__name__}")
    if name not in reg:
        close = difflib.get_close_matches(name, list(reg), n=3, cutoff=0.5)
        also = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"no exercise {name!r}{also}; 'byhand exercise list' lists all {len(reg)}")
    return reg[name]


def list_exercises(directory: str | Path | None = None) -> list[ExerciseStatus]:
    """Every exercise in lecture order, with its status in ``directory``.

    Parameters
    ----------
    directory : the working folder whose ``.byhand-exercises.json`` holds the progress
        (default: the current folder).

    Returns
    -------
    list of ExerciseStatus, in the order of :data:`byhand.lectures.LECTURES` (then the
    order within each lecture); ``status`` is "not started", "started" or "passed".

    Raises
    ------
    ValueError
        when the progress file exists but cannot be read (it says to delete it).

    Examples
    --------
    >>> items = list_exercises()
    >>> len(items) >= 15, items[0].exercise.lecture
    (True, 'cs577-01')
    """
    progress = _progress.load(Path(directory or "."))
    out = []
    for ex in registry().values():
        rec = progress.get(ex.name, {})
        out.append(
            ExerciseStatus(
                ex,
                rec.get("status", "not started"),
                int(rec.get("hints", 0)),
                int(rec.get("checks", 0)),
            )
        )
    return out


def start(
    name: str, directory: str | Path = ".", *, notebook: bool = False, force: bool = False
) -> Path:
    """Write the skeleton of exercise ``name`` into ``directory`` and return its path.

    The file holds the lecture's statement and formula, the function's signature and a TODO
    (``notebook=True``: a Jupyter notebook instead). An existing file is kept (its path is
    returned, so a learner can resume) unless ``force=True``. Raises ValueError for an
    unknown name or a missing folder.

    Examples
    --------
    >>> import tempfile
    >>> start("relu-backward", tempfile.mkdtemp()).name
    'relu_backward.py'
    """
    ex = get(name)
    folder = Path(directory)
    if not folder.is_dir():
        raise ValueError(f"the folder {folder} does not exist (create it first: mkdir -p {folder})")
    path = folder / (ex.filename[:-3] + (".ipynb" if notebook else ".py"))
    if force or not path.exists():
        text = _skeleton.notebook(ex) if notebook else _skeleton.python_file(ex)
        path.write_text(text, encoding="utf-8")
    old = _progress.load(folder).get(ex.name, {})
    _progress.update(folder, ex.name, status=old.get("status", "started"), file=path.name)
    return path


def _default_path(ex: Exercise, folder: Path) -> Path:
    rec = _progress.load(folder).get(ex.name, {})
    if rec.get("file"):
        return folder / rec["file"]
    return folder / ex.filename


def check(
    name: str,
    path: str | Path | None = None,
    *,
    directory: str | Path | None = None,
    timeout: float = 10.0,
    isolate: bool = True,
) -> Result:
    """Grade the learner's file for exercise ``name``; return a :class:`Result`.

    ``path`` defaults to the file ``start`` wrote in ``directory`` (default: the file's own
    folder, or the current folder). The file runs in a child process stopped after
    ``timeout`` seconds; ``isolate=False`` runs it in this process (trusted code only). The
    progress in the folder records the check (and "passed" once it passes).

    Returns
    -------
    Result with ``passed``, ``verdict`` (passed, todo, error, timeout, crashed, refused,
    missing, none, type, dtype, shape, nonfinite, wrong, inplace, gradcheck), ``message``
    (what to do),
    ``mistake`` (the name of a recognised mistake, or None), ``case`` and ``output``.

    Raises
    ------
    ValueError
        for an unknown exercise or a timeout that is not a number > 0. Nothing the learner's
        file does raises: it becomes the verdict.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tanh_backward.py"
    >>> _ = path.write_text("def tanh_backward(x, grad_out):\\n    return grad_out * (1 - x**2)\\n")
    >>> result = check("tanh-backward", path)
    >>> result.passed, result.mistake
    (False, '1 − x² instead of 1 − tanh²(x)')
    """
    ex = get(name)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be a number of seconds > 0, got {timeout!r}")
    folder = Path(directory) if directory is not None else None
    if path is None:
        folder = folder or Path(".")
        file = _default_path(ex, folder)
    else:
        file = Path(path)
        folder = folder or file.parent
    result = check_file(ex, file, timeout=float(timeout), isolate=isolate, folder=folder)
    if result.verdict not in ("missing", "refused") and folder.is_dir():
        try:
            rec = _progress.load(folder).get(ex.name, {})
            status = "passed" if result.passed or rec.get("status") == "passed" else "started"
            _progress.update(
                folder,
                ex.name,
                status=status,
                checks=int(rec.get("checks", 0)) + 1,
                last=result.verdict,
                file=rec.get("file", file.name),
            )
        except (OSError, ValueError) as exc:  # the verdict matters more than the bookkeeping
            result.message += f"\n(Progress not saved in {folder}: {exc})"
    return result


def hint(name: str, directory: str | Path = ".") -> str:
    """The next hint of exercise ``name``: one more each call, the last one repeats.

    The number shown is kept in ``directory``'s progress file.

    Examples
    --------
    >>> import tempfile
    >>> print(hint("gd-step", tempfile.mkdtemp()).splitlines()[-1])
    (hint 1 of 3; run it again for the next)
    """
    ex = get(name)
    folder = Path(directory)
    shown = int(_progress.load(folder).get(ex.name, {}).get("hints", 0)) if folder.is_dir() else 0
    k = min(shown, len(ex.hints) - 1)
    if folder.is_dir():
        _progress.update(folder, ex.name, hints=min(shown + 1, len(ex.hints)))
    more = (
        f"(hint {k + 1} of {len(ex.hints)}; run it again for the next)"
        if k + 1 < len(ex.hints)
        else f"(hint {k + 1} of {len(ex.hints)}: the last one)"
    )
    return f"{ex.hints[k]}\n{more}"


def reference_solution(name: str) -> str:
    """A solution file for exercise ``name`` that calls byhand's own implementation.

    Examples
    --------
    >>> "nn.Linear" in reference_solution("linear-backward")
    True
    """
    return get(name).reference_solution()
