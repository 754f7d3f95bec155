"""``byhand reproduce``: rerun the lectures' worked examples and write the HTML report.

``byhand reproduce [--only NAME …] [--out DIR] [--quick] [--jobs N] [--seed S] [--list]``
runs the experiments of :mod:`byhand.experiments`, writes ``DIR/index.html`` and
``DIR/results.json``, prints a summary table and exits non-zero if a claim fails or an
experiment errors (see :func:`byhand.experiments.runner.reproduce`).
"""

from __future__ import annotations

import argparse
from typing import Any

NAME = "reproduce"
HELP = "rerun the lectures' worked examples; write an HTML report and results.json"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``reproduce`` sub-command to an ``argparse`` sub-parsers object."""
    p = subparsers.add_parser(NAME, help=HELP, description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="+", metavar="NAME", help="run only these experiments")
    p.add_argument("--out", default="report", metavar="DIR", help="output folder (report)")
    p.add_argument("--quick", action="store_true", help="smaller sizes, same claims (CI)")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="parallel processes (1)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (0)")
    p.add_argument("--list", action="store_true", help="list the experiments and exit")
    return p


def run(args: argparse.Namespace) -> int:
    """Execute ``byhand reproduce`` for parsed ``args``; return the exit code."""
    from byhand.commands._common import console as _console
    from byhand.experiments import registry
    from byhand.experiments.runner import reproduce
    from byhand.lectures import name as lecture_name

    console = _console()
    if getattr(args, "list", False):
        from rich.table import Table

        t = Table(title="byhand experiments")
        for col in ("#", "name", "lecture", "title", "MNIST"):
            t.add_column(col)
        for e in registry().values():
            t.add_row(
                str(e.number or ""),
                e.name,
                lecture_name(e.lecture),
                e.title,
                "yes" if e.needs_mnist else "",
            )
        console.print(t)
        return 0
    try:
        return reproduce(
            only=args.only,
            out=args.out,
            quick=args.quick,
            jobs=args.jobs,
            seed=args.seed,
            console=console,
        )
    except ValueError as exc:
        _console(stderr=True).print(f"[red]byhand reproduce:[/] {exc}")
        return 2
