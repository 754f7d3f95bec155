"""The grader: run the learner's file (in a child process), compare with byhand, explain.

The learner's function is called on the exercise's cases — the lecture's worked example
first, then random inputs — and each result is compared with byhand's own implementation
(``np.isclose`` with rtol 1e-5 and atol 1e-6·max(1, max|expected|), so float32 work passes);
for a backward, :func:`byhand.gradcheck` then checks it against finite differences. The
first thing wrong is reported: an exception (with the learner's file and line), ``None``,
a wrong type, dtype or shape, a NaN or inf, or the first wrong entry with both values. When
the wrong output is what one of the exercise's typical mistakes gives (or one of the order
slips of :mod:`byhand.exercises._generic`), the mistake is named with its hint. Right values
from a function that wrote into one of its input arrays fail too, naming the argument.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from byhand.exercises._core import Case, Exercise, outputs_tuple
from byhand.exercises._generic import generic_mistakes
from byhand.exercises._runner import Outcome, collect, read

__all__ = ["INPLACE", "Result", "check_file", "judge"]

INPLACE = "changed an input in place"

RTOL = 1e-5
ATOL = 1e-6


@dataclass
class Result:
    """The verdict on one check.

    ``passed``; ``verdict`` — one of passed, todo (the skeleton untouched), error (the
    learner's code raised), timeout, crashed (the process ended without an answer), refused
    (not a Python file), missing (no such file or function), none (returned None), type
    (wrong number or kind of outputs), dtype, shape, nonfinite (NaN or inf), wrong (values),
    inplace (right values, but an input array was modified), gradcheck; ``message`` the
    explanation shown to the learner; ``mistake`` the name of the recognised mistake, if any;
    ``case`` the label of the case that failed; ``output`` what the learner's code printed.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from byhand.exercises import check, reference_solution
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "normal_equations.py"
    >>> _ = path.write_text(reference_solution("normal-equations"))
    >>> result = check("normal-equations", path)
    >>> result.passed, result.verdict
    (True, 'passed')
    """

    exercise: str
    passed: bool
    verdict: str
    message: str
    mistake: str | None = None
    case: str | None = None
    output: str = ""

    def __str__(self) -> str:
        return self.message


def _fmt(a: Any) -> str:
    a = np.asarray(a)
    if a.ndim == 0:
        return f"{a.item():.6g}" if a.dtype.kind in "fc" else str(a.item())
    return np.array2string(a, precision=6, threshold=12, edgeitems=3, separator=", ")


def _short(info: dict[str, Any]) -> str:
    """``"gd_step.py, line 20"`` for an error dict with a location ("" without one)."""
    if "file" not in info:
        return ""
    name = info["file"]
    shown = Path(name.split(" [cell ")[0]).name + (
        " [cell " + name.split(" [cell ")[1] if " [cell " in name else ""
    )
    return f"{shown}, line {info['line']}"


def _where(info: dict[str, Any]) -> str:
    """Where the learner's code raised, on lines of its own: ``"\nIn your code, at
    gd_step.py, line 20:\n    return 1/0"`` ("" when the error has no location in it)."""
    if "file" not in info:
        return ""
    code = f":\n    {info['code']}" if info.get("code") else "."
    return f"\nIn your code, at {_short(info)}{code}"


def _in_notebook(info: dict[str, Any]) -> bool:
    return " [cell " in str(info.get("file", ""))


_SHAPE_ERROR = re.compile(r"matmul|not aligned|broadcast|shape", re.IGNORECASE)


def _shapes(ex: Exercise, case: Case) -> str:
    """``"x (4, 3), W (3, 2), grad_out (4, 2), k = 2"``: the arguments' shapes or values."""
    parts = []
    for name, arg in zip(ex.params.split(", "), case.args, strict=False):
        a = np.asarray(arg)
        parts.append(f"{name} {a.shape}" if a.ndim else f"{name} = {_fmt(a)}")
    return ", ".join(parts)


def _tol(expected: np.ndarray) -> float:
    return ATOL * max(1.0, float(np.max(np.abs(expected), initial=0.0)))


def _close(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.isclose(
            got.astype(np.complex128 if got.dtype.kind == "c" else np.float64),
            expected.astype(np.float64),
            rtol=RTOL,
            atol=_tol(expected),
            equal_nan=True,
        )


def _same(got: Any, pred: Any) -> bool:
    """``got`` (a tuple of arrays or Nones) equals the prediction ``pred`` (same shapes)."""
    if len(got) != len(pred):
        return False
    for g, p in zip(got, pred, strict=True):
        if g is None or p is None:
            if g is not p:
                return False
            continue
        g, p = np.asarray(g), np.asarray(p, dtype=np.float64)
        if g.shape != p.shape or g.dtype.kind not in "biuf" or not np.all(_close(g, p)):
            return False
    return True


def _recognise(ex: Exercise, failing: list[tuple[tuple[Any, ...], Any, tuple[Any, ...]]]) -> Any:
    """The first mistake whose prediction matches the learner's output on every failing case
    (and differs from the right answer on at least one): the exercise's own mistakes first,
    then the order slips any exercise can show (:mod:`byhand.exercises._generic`)."""
    for m in (*ex.mistakes, *generic_mistakes(ex)):
        differs, ok = False, True
        for args, expected, got in failing:
            try:
                with np.errstate(all="ignore"):
                    pred = outputs_tuple(ex, m.predict(args, expected))
            except Exception:  # a prediction that does not apply to these inputs
                ok = False
                break
            exp_t = outputs_tuple(ex, expected)
            if not _same(pred, exp_t):
                differs = True
            if not _same(got, pred):
                ok = False
                break
        if ok and differs:
            return m
    return None


def _items(ex: Exercise, entry: dict[str, Any], out: Outcome) -> tuple[Any, ...]:
    return tuple(out.arrays[it["key"]] if "key" in it else None for it in entry.get("items", []))


def _fail(ex: Exercise, verdict: str, text: str, **kw: Any) -> Result:
    return Result(ex.name, False, verdict, text, **kw)


def _hint_line(ex: Exercise) -> str:
    return f"\nA hint, one at a time: byhand exercise hint {ex.name}"


def judge(ex: Exercise, out: Outcome, output: str = "") -> Result:
    """The verdict on an :class:`Outcome` (see the module docstring)."""
    f = ex.function
    if out.load is not None:
        info = out.load
        if info["type"] == "missing":
            found = ", ".join(info.get("found", [])) or "none"
            return _fail(
                ex,
                "missing",
                f"Your file defines no function {f} (functions found: {found}). Write "
                f"def {f}({ex.params}): … (byhand exercise start {ex.name} writes a skeleton).",
                output=output,
            )
        if info["type"] == "unreadable":
            return _fail(
                ex,
                "refused",
                f"byhand cannot read your file: {info['message']}. Save it again as a Python "
                f"file (UTF-8) or a Jupyter notebook.",
                output=output,
            )
        if info["type"] == "SystemExit":
            return _fail(
                ex,
                "error",
                f"Your file called sys.exit({info.get('exit_code')}) while loading. Remove it: "
                f"the grader imports your file and calls {f}.{_where(info)}",
                output=output,
            )
        return _fail(
            ex,
            "error",
            f"Your file raised {info['type']} while loading: {info['message']}"
            f"{_where(info)}\nFix it, then check again.",
            output=output,
        )
    cases = ex.cases()
    failing: list[tuple[tuple[Any, ...], Any, tuple[Any, ...]]] = []
    first: Result | None = None
    for case, entry in zip(cases, out.cases, strict=False):
        expected = ex.expected(case)
        exp_t = outputs_tuple(ex, expected)
        verdict = _judge_case(ex, case, entry, out, exp_t, output)
        if verdict is None:
            continue
        if verdict.verdict in ("todo", "error", "none", "type", "dtype"):
            return verdict if first is None else first
        failing.append((case.args, expected, _items(ex, entry, out)))
        first = first or verdict
    if first is not None:
        also = _changed_note(ex, cases, out)
        first.message += also
        m = _recognise(ex, failing)
        if m is not None:
            first.mistake = m.name
            first.message += f"\nLikely mistake — {m.name}: {m.hint}"
            return first
        m = _recognise(ex, failing[:1])  # two mistakes: name the one this case shows
        if m is not None:
            first.mistake = m.name
            first.message += (
                f"\nLikely mistake — {m.name}: {m.hint}\n(That explains this case; other "
                f"cases fail in another way too: check again once it is fixed.)"
            )
            return first
        first.message += _hint_line(ex)
        return first
    if len(out.cases) < len(cases):
        return _fail(ex, "crashed", "Your code stopped before every case ran.", output=output)
    inplace = _inplace(ex, cases, out, output)
    if inplace is not None:
        return inplace
    n_random = sum(1 for c in cases if c.label.startswith("random"))
    named = [c.label for c in cases if not c.label.startswith("random")]
    lecture = any(c.lecture_value is not None for c in cases)
    text = (
        f"Passed: {ex.name}. {f} agrees with byhand on all {len(cases)} cases"
        + (f" ({'; '.join(named)}; and {n_random} random ones)" if named else " (random inputs)")
        + (", the lecture's own numbers included" if lecture else "")
    )
    if out.gradcheck is not None:
        g = out.gradcheck
        if g["status"] == "fail":
            return _fail(
                ex,
                "gradcheck",
                f"{f} agrees with byhand on the cases, but byhand.gradcheck disagrees with "
                f"finite differences on another input:\n{g['report']}" + _hint_line(ex),
                output=output,
            )
        if g["status"] == "error":
            info = g["error"]
            return _fail(
                ex,
                "error",
                f"Your code raised {info['type']} under byhand.gradcheck (on another input "
                f"than the cases): {info['message']}{_where(info)}",
                output=output,
            )
        text += (
            f", and byhand.gradcheck (finite differences) agrees: max relative error {g['rel']:.1e}"
        )
    return Result(ex.name, True, "passed", text + ".", output=output)


def _changed_text(ch: dict[str, Any]) -> str:
    """``"theta[0] was 0, is now 0.366667 (2 of 2 entries changed)"``."""
    if "shape" in ch:
        was, now = (tuple(s) for s in ch["shape"])
        return f"its shape was {was}, is now {now}"
    where = f"{ch['arg']}{ch['index']}" if ch["index"] else ch["arg"]
    return (
        f"{where} was {_fmt(ch['was'])}, is now {_fmt(ch['now'])} after your function returned "
        f"({ch['count']} of {ch['size']} entries changed)"
    )


def _inplace(ex: Exercise, cases: list[Case], out: Outcome, output: str) -> Result | None:
    """The verdict when the learner's function wrote into one of its input arrays."""
    for case, entry in zip(cases, out.cases, strict=False):
        changed = entry.get("changed")
        if not changed:
            continue
        names = " and ".join(ch["arg"] for ch in changed)
        first = changed[0]
        return _fail(
            ex,
            "inplace",
            f"Your results are right, but you changed {names} in place on {case.label}: "
            f"{_changed_text(first)}.\n"
            f"Likely mistake — {INPLACE}: the caller still needs its {names} as it was "
            f"(an optimizer keeps the old θ, a backward pass reuses its input). An augmented "
            f"assignment (x -= …, x *= …, x += …), x[...] = … or np.add(…, out=x) writes into "
            f"the caller's array: compute a new one instead (theta_new = theta - lr * grad), "
            f"or work on a copy (x = x.copy()) first.",
            mistake=INPLACE,
            case=case.label,
            output=output,
        )
    return None


def _changed_note(ex: Exercise, cases: list[Case], out: Outcome) -> str:
    """A line noting an input changed in place, added to another verdict."""
    for case, entry in zip(cases, out.cases, strict=False):
        if entry.get("changed"):
            names = " and ".join(ch["arg"] for ch in entry["changed"])
            return (
                f"\n(Also: your code changed {names} in place on {case.label}; return new "
                f"arrays and leave the inputs as they were.)"
            )
    return ""


def _judge_case(
    ex: Exercise,
    case: Case,
    entry: dict[str, Any],
    out: Outcome,
    exp_t: tuple[Any, ...],
    output: str,
) -> Result | None:
    f, on = ex.function, f"on {case.label}"
    if entry["status"] == "error":
        info = entry["error"]
        if info["type"] == "NotImplementedError" and "file" in info:
            want = " and ".join(ex.outputs)
            where = (
                "the notebook's first (Markdown) cell"
                if _in_notebook(info)
                else "the docstring at the top of the file"
            )
            return _fail(
                ex,
                "todo",
                f"{f} is not written yet: it still raises NotImplementedError "
                f"({_short(info)}).\n"
                f"Replace that line by code that computes and returns {want}; the statement and "
                f"the formula are in {where} (or: byhand exercise show {ex.name}).\n"
                f"A hint, one at a time: byhand exercise hint {ex.name}",
                case=case.label,
                output=output,
            )
        if info["type"] == "SystemExit":
            return _fail(
                ex,
                "error",
                f"Your code called sys.exit({info.get('exit_code')}) {on}. Return the answer "
                f"instead.{_where(info)}",
                case=case.label,
                output=output,
            )
        text = f"Your code raised {info['type']} {on}: {info['message']}{_where(info)}"
        if info["type"] == "ValueError" and _SHAPE_ERROR.search(info["message"]):
            text += (
                f"\nThe inputs of this case: {_shapes(ex, case)}. A product or a sum whose "
                f"shapes do not fit usually means a missing (or extra) transpose."
            )
        return _fail(ex, "error", text, case=case.label, output=output)
    want = " and ".join(ex.outputs)
    items = entry["items"]
    if entry["kind"] == "none":
        return _fail(
            ex,
            "none",
            f"{f} returned None {on}: did you forget the return statement? It should return "
            f"{want}.",
            case=case.label,
            output=output,
        )
    if len(ex.outputs) > 1 and (entry["kind"] != "tuple" or len(items) != len(ex.outputs)):
        got = f"a {entry['type']} of {len(items)}" if entry["kind"] == "tuple" else entry["type"]
        return _fail(
            ex,
            "type",
            f"{f} should return a tuple of {len(ex.outputs)} arrays ({want}), got {got} {on}.",
            case=case.label,
            output=output,
        )
    for name, it in zip(ex.outputs, items, strict=True):
        if "key" not in it:
            what = f"a {it['type']}" + (f" of dtype {it['dtype']}" if "dtype" in it else "")
            return _fail(
                ex,
                "dtype",
                f"{name} should be a numeric array, got {what}: {it.get('repr', '')} {on}.",
                case=case.label,
                output=output,
            )
        got = out.arrays[it["key"]]
        if got.dtype.kind in "bc":
            return _fail(
                ex,
                "dtype",
                f"{name} should hold real numbers, got dtype {got.dtype} {on}.",
                case=case.label,
                output=output,
            )
    for name, it, exp in zip(ex.outputs, items, exp_t, strict=True):
        got, exp = out.arrays[it["key"]], np.asarray(exp)
        if got.shape != exp.shape:
            hint = ""
            if got.size == exp.size and np.all(_close(got.reshape(exp.shape), exp)):
                hint = f" (the values are right: reshape it to {exp.shape})"
            return _fail(
                ex,
                "shape",
                f"{name} has the wrong shape {on}: expected {exp.shape}, got {got.shape}{hint}.",
                case=case.label,
                output=output,
            )
        bad = ~np.isfinite(got) & np.isfinite(exp) if got.dtype.kind == "f" else None
        if bad is not None and np.any(bad):
            i = tuple(int(k) for k in np.argwhere(bad)[0])
            where = f" at index {list(i)}" if i else ""
            return _fail(
                ex,
                "nonfinite",
                f"{name} holds {np.count_nonzero(bad)} NaN or inf {on}:{where} "
                f"expected {_fmt(exp[i])}, got {_fmt(got[i])}. An overflow (exp of a large "
                f"number) or 0/0 is the usual cause.",
                case=case.label,
                output=output,
            )
        close = _close(got, exp)
        if not np.all(close):
            i = tuple(int(k) for k in np.argwhere(~close)[0])
            where = f" at index {list(i)}" if i else ""
            note = ""
            if case.lecture_value is not None:
                note = f"\nThe lecture's answer ({ex.citation}): {_fmt(exp)}; yours: {_fmt(got)}."
            if got.dtype.kind in "iu" and not ex.integer_ok:
                note += f"\nYour {name} has the integer dtype {got.dtype}: start from floats."
            return _fail(
                ex,
                "wrong",
                f"{name} is wrong {on}{where}: expected {_fmt(exp[i])}, got {_fmt(got[i])} "
                f"({np.count_nonzero(~close)} of {close.size} entries wrong).{note}",
                case=case.label,
                output=output,
            )
    return None


def _started_file(ex: Exercise, folders: list[Path]) -> Path | None:
    """The file ``byhand exercise start`` wrote for ``ex`` in one of ``folders``, if any."""
    from byhand.exercises import _progress

    for folder in folders:
        names = [ex.filename, ex.filename[:-3] + ".ipynb"]
        try:
            rec = _progress.load(folder).get(ex.name, {}) if folder.is_dir() else {}
        except (OSError, ValueError):
            rec = {}
        if rec.get("file"):
            names.insert(0, rec["file"])
        for name in names:
            if (folder / name).is_file():
                return folder / name
    return None


def _refuse(ex: Exercise, path: Path, folder: Path | None = None) -> Result | None:
    if path.is_dir():
        return _fail(ex, "refused", f"{path} is a folder; give the Python file to check.")
    if path.suffix not in (".py", ".ipynb"):
        return _fail(
            ex,
            "refused",
            f"{path.name} is not a Python file: byhand checks a .py file (or a Jupyter .ipynb "
            f"notebook) and runs nothing else.",
        )
    if not path.exists():
        folders = [p for p in (folder, path.parent, Path(".")) if p is not None]
        started = _started_file(ex, list(dict.fromkeys(folders)))
        text = f"File not found: {path}."
        if started is not None:
            text += (
                f" Your file for {ex.name} is {started}: check it with\n"
                f"    byhand exercise check {ex.name} {started}\n"
                f"(or with no file name when you are in its folder)."
            )
        else:
            text += f" Start the exercise with: byhand exercise start {ex.name}"
        return _fail(ex, "missing", text)
    return None


def _kill_group(proc: subprocess.Popen) -> None:
    """Stop the child and every process it started (its own session's group)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass


def check_file(
    ex: Exercise,
    path: Path,
    *,
    timeout: float = 10.0,
    isolate: bool = True,
    folder: Path | None = None,
) -> Result:
    """Grade ``path`` for ``ex``; in a child process with ``timeout`` seconds unless
    ``isolate=False`` (in this process, no timeout: for trusted code, e.g. tests). ``folder``
    is the learner's working folder (where a missing file's started twin is looked for)."""
    refused = _refuse(ex, path, folder)
    if refused is not None:
        return refused
    if not isolate:
        return judge(ex, collect(ex, path))
    import byhand

    with tempfile.TemporaryDirectory(prefix="byhand-exercise-") as tmp:
        target = Path(tmp) / "outcome.npz"
        env = dict(os.environ)
        root = str(Path(byhand.__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join([root, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        env.setdefault("MPLBACKEND", "Agg")
        # -P: the learner's folder is not put before byhand and NumPy on sys.path (a file of
        # theirs named numpy.py must not replace NumPy); the child adds it after its imports.
        safe = ["-P"] if sys.version_info >= (3, 11) else []
        cmd = [sys.executable, *safe, "-m", "byhand.exercises._child", ex.name, str(path)]
        proc = subprocess.Popen(
            [*cmd, str(target)],
            cwd=str(path.resolve().parent),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            start_new_session=True,  # its own process group: a timeout stops its children too
        )
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            stdout, _ = proc.communicate()
            return _fail(
                ex,
                "timeout",
                f"Your code did not finish within {timeout:g} s and was stopped: look for a "
                f"loop that never ends (a while loop whose condition never changes). If it is "
                f"only slow, check again with --timeout {max(2 * timeout, 30):g}.",
                output=(stdout or "")[-2000:],
            )
        finally:
            if proc.poll() is None:
                _kill_group(proc)
                proc.wait()
        printed = stdout[-2000:]
        if not target.exists():
            err = stderr.strip().splitlines()
            last = err[-1] if err else ""
            return _fail(
                ex,
                "crashed",
                f"The process running your code ended (exit code {proc.returncode}) before "
                f"returning an answer{': ' + last if last else ''}. Does your code call "
                f"os._exit or exit the interpreter?",
                output=printed,
            )
        return judge(ex, read(target), printed)
