"""Run a learner's function on an exercise's cases and record what happened.

:func:`collect` loads the learner's file, calls the function on every case (fresh copies of
the arguments each time) and, for a backward, runs :func:`byhand.gradcheck` on it. It never
raises for anything the learner's code does: an exception, ``sys.exit``, a return value of
any type all become data (``Outcome``), which the grader judges. The grader runs it in a
child process (``python -m byhand.exercises._child``) so that an infinite loop or a crash
stays there; the tests call it in-process.
"""

from __future__ import annotations

import copy
import json
import linecache
import traceback
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from byhand.exercises._core import Exercise

__all__ = ["Outcome", "collect", "load_cells", "read", "write"]


@dataclass
class Outcome:
    """What the learner's code did: ``load`` (None when the file loaded, else an error dict),
    ``cases`` (one dict per case run), ``arrays`` (the returned arrays, by key) and
    ``gradcheck`` (None, or a dict with ``status`` ok / fail / error)."""

    load: dict[str, Any] | None = None
    cases: list[dict[str, Any]] = field(default_factory=list)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    gradcheck: dict[str, Any] | None = None


def load_cells(path: Path) -> list[tuple[str, str]]:
    """(code, name used in tracebacks) of a ``.py`` file (one piece) or of a notebook's code
    cells (one piece per cell; lines starting with ``%`` or ``!`` — IPython magics and
    shell escapes — are blanked so that the line numbers stay those of the cell)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return [(text, str(path))]
    nb = json.loads(text)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("no list of cells")
    out = []
    for k, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        lines = ["" if ln.lstrip().startswith(("%", "!")) else ln for ln in src.split("\n")]
        out.append(("\n".join(lines), f"{path} [cell {k}]"))
    return out


def _error(exc: BaseException, names: set[str]) -> dict[str, Any]:
    """An exception as data: type, message, and the last frame in the learner's code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in names]
    try:
        message = str(exc)[:2000]
    except Exception:  # a learner's exception class whose __str__ fails
        message = f"<{type(exc).__name__} whose message cannot be shown>"
    info: dict[str, Any] = {"type": type(exc).__name__, "message": message}
    if isinstance(exc, SyntaxError) and exc.filename in names:
        info.update(file=exc.filename, line=exc.lineno or 0, code=(exc.text or "").strip())
    elif frames:
        f = frames[-1]
        info.update(file=f.filename, line=f.lineno or 0, code=(f.line or "").strip())
    if isinstance(exc, SystemExit):
        info["exit_code"] = str(exc.code)
    return info


def _record(value: Any, key: str, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """One returned item: an array stored under ``key``, or a description of what it is."""
    item: dict[str, Any] = {"type": type(value).__name__}
    if value is None:
        return item
    try:
        a = np.asarray(value)
    except Exception:  # a learner's object whose __array__ fails
        item["repr"] = repr(value)[:200]
        return item
    if a.dtype.kind not in "biufc":
        item["repr"] = repr(value)[:200]
        item["dtype"] = str(a.dtype)
        return item
    arrays[key] = a.copy()
    item["key"] = key
    return item


def _changed(
    params: list[str], before: tuple[Any, ...], after: tuple[Any, ...]
) -> list[dict[str, Any]]:
    """The input arrays the learner's function modified: for each, its name, how many entries
    changed and the first one (index, value before, value after)."""
    out = []
    for k, (b, a) in enumerate(zip(before, after, strict=True)):
        if not isinstance(b, np.ndarray):
            continue
        name = params[k] if k < len(params) else f"argument {k + 1}"
        a = np.asarray(a)
        if a.shape != b.shape:
            out.append({"arg": name, "shape": [list(b.shape), list(a.shape)]})
            continue
        with np.errstate(all="ignore"):
            same = (a == b) | ((a != a) & (b != b))
        if np.all(same):
            continue
        idx = tuple(int(j) for j in np.argwhere(~same)[0])
        out.append(
            {
                "arg": name,
                "count": int(np.count_nonzero(~same)),
                "size": int(b.size),
                "index": list(idx),
                "was": b[idx].item(),
                "now": a[idx].item(),
            }
        )
    return out


def collect(ex: Exercise, path: Path, gradcheck: bool = True) -> Outcome:
    """Load ``path`` and run ``ex``'s function on its cases (see the module docstring).

    NumPy's warnings (overflow, invalid value) are silenced: the grader reports the NaN or inf
    they lead to, on the case where it appears.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _collect(ex, path, gradcheck)


def _collect(ex: Exercise, path: Path, gradcheck: bool) -> Outcome:
    out = Outcome()
    try:
        cells = load_cells(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        kind = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc)
        if path.suffix == ".ipynb" and isinstance(exc, ValueError):
            kind = f"not a valid notebook (JSON): {exc}"
        out.load = {"type": "unreadable", "message": kind}
        return out
    names = {name for _, name in cells}
    module = types.ModuleType("learner")
    module.__file__ = str(path)
    try:
        for code, name in cells:
            linecache.cache[name] = (len(code), None, code.splitlines(True), name)
            exec(compile(code, name, "exec"), module.__dict__)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        out.load = _error(exc, names)
        return out
    func = module.__dict__.get(ex.function)
    if not callable(func):
        out.load = {
            "type": "missing",
            "message": f"the file defines no function {ex.function}",
            "found": sorted(
                k for k, v in module.__dict__.items() if isinstance(v, types.FunctionType)
            ),
        }
        return out
    params = [p.strip() for p in ex.params.split(",")]
    for i, case in enumerate(ex.cases()):
        args = copy.deepcopy(case.args)
        before = copy.deepcopy(args)
        try:
            value = func(*args)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            out.cases.append({"status": "error", "error": _error(exc, names)})
            return out
        entry: dict[str, Any] = {"status": "ok", "type": type(value).__name__}
        if isinstance(value, (tuple, list)) and len(ex.outputs) > 1:
            entry["kind"] = "tuple"
            entry["items"] = [_record(v, f"c{i}_{j}", out.arrays) for j, v in enumerate(value)]
        else:
            entry["kind"] = "none" if value is None else "value"
            entry["items"] = [_record(value, f"c{i}_0", out.arrays)]
        changed = _changed(params, before, args)
        if changed:
            entry["changed"] = changed
        out.cases.append(entry)
    if gradcheck and ex.gradcheck is not None:
        out.gradcheck = _gradcheck(ex, func, names)
    return out


def _gradcheck(ex: Exercise, func: Any, names: set[str]) -> dict[str, Any]:
    from byhand._gradcheck import GradcheckError
    from byhand._gradcheck import gradcheck as check

    assert ex.gradcheck is not None
    try:
        obj, inputs = ex.gradcheck(func)
        rel = check(obj, *inputs)
    except GradcheckError as exc:
        return {"status": "fail", "report": str(exc).split("\n", 1)[-1]}
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        return {"status": "error", "error": _error(exc, names)}
    return {"status": "ok", "rel": rel}


def write(out: Outcome, target: Path) -> None:
    """Save an outcome as one ``.npz`` (arrays, and the rest as JSON text): no pickle."""
    meta = json.dumps({"load": out.load, "cases": out.cases, "gradcheck": out.gradcheck})
    with open(target, "wb") as fh:
        np.savez(fh, __meta__=np.array(meta), **out.arrays)


def read(source: Path) -> Outcome:
    """The outcome :func:`write` saved."""
    with np.load(source, allow_pickle=False) as data:
        meta = json.loads(str(data["__meta__"]))
        arrays = {k: data[k] for k in data.files if k != "__meta__"}
    return Outcome(meta["load"], meta["cases"], arrays, meta["gradcheck"])
