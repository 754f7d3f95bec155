"""``byhand exercise``: write the lectures' gradients yourself, graded by byhand.

Each exercise asks for one function from a lecture slide (the normal equations, a
gradient-descent step, the perceptron, a backward pass, an optimizer step, …). The grader runs
your file on the lecture's worked example and on random inputs against byhand's own
implementation (and byhand.gradcheck for every backward), says what is wrong — the first wrong
entry with both values — and names the mistake when it recognises one.

How to work:

- byhand exercise list: the exercises in lecture order, with your status
- byhand exercise start gd-step: writes gd_step.py here (statement, formula, a TODO)
- byhand exercise check gd-step: grades gd_step.py (or: check gd-step FILE)
- byhand exercise hint gd-step: the next hint, one at a time
- byhand exercise show gd-step: the statement again

Your file runs in a separate process, stopped after --timeout seconds (10 by default); byhand
runs only .py files and Jupyter notebooks (.ipynb: the code cells). Your progress is kept in
the folder (.byhand-exercises.json), so you can stop and resume.
"""

from __future__ import annotations

import argparse
from typing import Any

NAME = "exercise"
HELP = "exercises: write the lectures' gradients yourself, graded by byhand"


def _positive_seconds(text: str) -> float:
    from byhand.commands._common import positive_float

    return positive_float(text)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``byhand exercise`` and its actions list, start, check, hint, show."""
    p = subparsers.add_parser(
        NAME, help=HELP, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", title="actions")
    actions.required = True

    def action(name: str, help_: str) -> argparse.ArgumentParser:
        a = actions.add_parser(name, help=help_, description=help_)
        a.add_argument(
            "--dir",
            default=".",
            metavar="DIR",
            help="the working folder: exercise files and progress (default: here)",
        )
        a.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
        return a

    action("list", "list the exercises in lecture order, with your status")
    s = action("start", "write the skeleton of exercise NAME (statement, formula, TODO)")
    s.add_argument("name", metavar="NAME", help="the exercise (see 'byhand exercise list')")
    s.add_argument(
        "--notebook", action="store_true", help="write a Jupyter notebook instead of a .py file"
    )
    s.add_argument(
        "--force", action="store_true", help="overwrite the file if it exists (your work is lost)"
    )
    c = action("check", "grade your solution of exercise NAME")
    c.add_argument("name", metavar="NAME", help="the exercise")
    c.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help="your .py file or .ipynb notebook (default: the one 'start' wrote in DIR)",
    )
    c.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=10.0,
        metavar="S",
        help="stop your code after S seconds (default 10)",
    )
    h = action("hint", "show the next hint of exercise NAME (one more each time)")
    h.add_argument("name", metavar="NAME", help="the exercise")
    w = action("show", "show the statement and formula of exercise NAME")
    w.add_argument("name", metavar="NAME", help="the exercise")
    return p


def _get(name: str) -> Any:
    from byhand import exercises
    from byhand.commands._common import UsageError

    try:
        return exercises.get(name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _list(args: argparse.Namespace, out: Any) -> int:
    from rich.table import Table

    from byhand import exercises, lectures

    t = Table(title="byhand exercises (in lecture order)")
    for col in ("#", "exercise", "lecture, slide", "status"):
        t.add_column(col, justify="right" if col == "#" else "left")
    colour = {"passed": "green", "started": "yellow", "not started": "dim"}
    items = exercises.list_exercises(args.dir)
    for i, st in enumerate(items, start=1):
        ex = st.exercise
        where = f"{lectures.name(ex.lecture)}, '{ex.slide}'"
        t.add_row(str(i), ex.name, where, f"[{colour[st.status]}]{st.status}[/]")
    out.print(t)
    done = sum(st.status == "passed" for st in items)
    out.print(f"{done} of {len(items)} passed. Start one: byhand exercise start NAME", markup=False)
    return 0


def _show(ex: Any, out: Any) -> None:
    out.print(f"{ex.name}: {ex.title}", style="bold", markup=False)
    out.print(f"From {ex.citation}.\n", markup=False)
    out.print(ex.statement + "\n", markup=False)
    out.print("    " + ex.formula.replace("\n", "\n    ") + "\n", markup=False)
    out.print(f"Write: def {ex.function}({ex.params}) -> {', '.join(ex.outputs)}", markup=False)
    out.print(
        "Return new arrays: the grader checks that your inputs are left unchanged.", markup=False
    )


def run(args: argparse.Namespace) -> int:
    """Execute ``byhand exercise ACTION``."""
    from pathlib import Path

    from byhand import exercises
    from byhand.commands._common import UsageError, console

    out = console()
    folder = Path(args.dir)
    if args.action != "list" and args.action != "show" and not folder.is_dir():
        raise UsageError(f"--dir {args.dir}: no such folder (create it first: mkdir -p {args.dir})")
    if args.action == "list":
        return _list(args, out)
    ex = _get(args.name)
    if args.action == "show":
        _show(ex, out)
        return 0
    if args.action == "start":
        kind = ".ipynb" if args.notebook else ".py"
        existed = (folder / (ex.filename[:-3] + kind)).exists()
        path = exercises.start(ex.name, folder, notebook=args.notebook, force=args.force)
        _show(ex, out)
        if existed and not args.force:
            out.print(f"\n{path} exists: kept as it is (--force writes a fresh one).", markup=False)
        else:
            out.print(f"\nWrote {path}: fill in the TODO.", markup=False)
        out.print(
            f"Then: byhand exercise check {ex.name}"
            + (f" --dir {args.dir}" if args.dir != "." else "")
            + f"    (hints: byhand exercise hint {ex.name})",
            markup=False,
        )
        return 0
    if args.action == "hint":
        out.print(exercises.hint(ex.name, folder), markup=False)
        return 0
    result = exercises.check(
        ex.name, args.file, directory=folder if args.file is None else None, timeout=args.timeout
    )
    if result.output.strip():
        out.print("your code printed:", style="dim", markup=False)
        out.print(result.output.rstrip(), style="dim", markup=False)
    if result.passed:
        out.print("✓ " + result.message, style="green", markup=False)
        return 0
    out.print("✗ not yet.", style="bold red", markup=False)
    out.print(result.message, markup=False)
    return 1
