"""``byhand sweep MODEL --data DATASET --grid name=v1,v2,… [--grid …]``: a parameter grid.

Every combination of the ``--grid`` values (× ``--repeat``) is fitted on 75 % of DATASET and
scored on the held-out 25 % (accuracy or R²), each run seeded from its own grid point, so the
table is the same whichever ``--scheduler`` ran it: ``serial``, ``processes`` (local joblib
processes) or ``tcp://HOST:PORT`` (an existing Dask scheduler, ``pip install 'byhand[dask]'``).
``--grid hidden_layer_sizes=8,16`` means (8,) and (16,); a two-layer size is written in
parentheses: ``--grid "hidden_layer_sizes=(8,8),(16,16)"``. ``--param k=v`` fixes other
parameters. Writes DIR/results.csv, DIR/results.json and DIR/results.png.
An EXPERIMENT of ``byhand reproduce --list`` may be swept too: ``--repeat`` reruns it with
new seeds and ``--grid quick=true,false`` is its only grid; the score is the fraction of
claims that pass; write ``experiment:NAME`` when a model has the same name.
"""

from __future__ import annotations

import argparse
from typing import Any

NAME = "sweep"
HELP = "run a parameter grid serially, in processes or on a Dask cluster"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``byhand sweep``."""
    from byhand.commands._data import valid_names
    from byhand.estimators_registry import names

    p = subparsers.add_parser(
        NAME, help=HELP, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "target",
        metavar="EXPERIMENT_OR_MODEL",
        help=f"a model ({', '.join(names())}) or an experiment name",
    )
    p.add_argument("--data", metavar="DATASET", help=f"data set of a model sweep: {valid_names()}")
    p.add_argument(
        "--target", dest="target_column", metavar="NAME", help="label column of a .csv data file"
    )
    p.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="NAME=V1,V2,…",
        help="a swept parameter and its values, repeatable; commas separate VALUES here: "
        "hidden_layer_sizes=8,16 is two one-layer networks, (8) and (16); write a two-layer "
        "value in parentheses: hidden_layer_sizes=(8,8),(16,16)",
    )
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="K=V",
        help="a fixed estimator parameter, repeatable; here commas build ONE value: "
        "hidden_layer_sizes=16,16 is one two-layer network (unlike --grid)",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="R",
        help="runs per grid point, each with its own seed (default 1)",
    )
    p.add_argument(
        "--scheduler",
        default="serial",
        metavar="serial|processes|tcp://HOST:PORT",
        help="where to run (default serial)",
    )
    p.add_argument("--jobs", type=int, metavar="N", help="parallel jobs (default: all)")
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="S",
        help="base seed of the data split and of every point's seed (default 0)",
    )
    p.add_argument("--out", default="sweep", metavar="DIR", help="output folder (default sweep)")
    return p


def parse_grid(items: list[str], defaults: dict[str, Any] | None) -> dict[str, list[Any]]:
    """``name=v1,v2`` items → {name: [v1, v2]}; an int where the default is a tuple → (int,)."""
    from byhand.commands._common import (
        UsageError,
        fit_to_default,
        parse_value,
        split_assignment,
        split_top_level,
    )

    grid: dict[str, list[Any]] = {}
    for item in items:
        name, text = split_assignment(item, "--grid")
        if name in grid:
            raise UsageError(f"--grid {name} is given twice")
        if defaults is not None and name not in defaults:
            raise UsageError(
                f"--grid {name}: no such parameter; valid: {', '.join(sorted(defaults))}"
            )
        default = None if defaults is None else defaults[name]
        values = [fit_to_default(parse_value(v), default) for v in split_top_level(text)]
        if any(v == "" for v in values):
            raise UsageError(f"--grid {item!r}: empty value")
        grid[name] = values
    return grid


def run(args: argparse.Namespace) -> int:
    """Execute ``byhand sweep``."""
    import time

    from rich.table import Table

    from byhand.commands._common import UsageError, console, parse_params
    from byhand.estimators_registry import ESTIMATORS, get_class
    from byhand.sweep import _cell, run_grid

    defaults = None
    fixed: dict[str, Any] = {}
    if args.target in ESTIMATORS:
        defaults = get_class(args.target)().get_params(deep=False)
        fixed = parse_params(args.param, defaults, args.target)
        if args.data is None:
            raise UsageError(f"a sweep of model {args.target!r} needs --data DATASET")
        from byhand.commands._data import DataSpecError, load

        try:  # fail early, in this process, on a bad data set name or file
            load(args.data, "train", seed=args.seed, target=args.target_column)
        except DataSpecError as exc:
            raise UsageError(str(exc)) from None
    grid = parse_grid(args.grid, defaults)
    if not grid and defaults is not None:
        raise UsageError("give at least one --grid NAME=V1,V2,…")
    if args.repeat < 1:
        raise UsageError(f"--repeat must be >= 1, got {args.repeat}")
    out = console()
    t0 = time.perf_counter()
    try:
        rows = run_grid(
            args.target,
            grid,
            data=args.data,
            repeat=args.repeat,
            scheduler=args.scheduler,
            out=args.out,
            seed=args.seed,
            params=fixed,
            target_column=args.target_column,
            n_jobs=args.jobs,
        )
    except ValueError as exc:
        if str(exc).startswith(("unknown model or experiment", "scheduler must be")):
            raise UsageError(str(exc)) from None
        raise
    seconds = time.perf_counter() - t0
    metric = rows[0]["metric"] if rows else ""
    t = Table(
        title=f"sweep of {args.target} on {args.data or '-'}: {metric} "
        f"({len(rows)} runs, {args.scheduler})"
    )
    cols = ["point", "repeat", *grid, "train_score", "test_score", "n_iter", "fit_time"]
    heads = {"train_score": "train", "test_score": "test", "fit_time": "time"}
    if metric == "claims passed":
        heads.update(train_score="passed", test_score="fraction", n_iter="claims")
    for c in cols:
        t.add_column(heads.get(c, c), justify="right")
    for r in rows:
        t.add_row(
            *(
                f"{r[c]:.4f}"
                if c.endswith("score")
                else f"{r[c]:.2f}s"
                if c == "fit_time"
                else _cell(r[c])
                for c in cols
            )
        )
    out.print(t)
    if args.repeat > 1:
        out.print(_summary(rows, list(grid), metric))
    warned = [r for r in rows if r.get("warnings")]
    if warned:
        first = warned[0]
        console(stderr=True).print(
            f"warning: {len(warned)} of {len(rows)} runs raised warnings (points "
            f"{', '.join(str(r['point']) for r in warned[:10])}{', …' if len(warned) > 10 else ''}"
            f"); the first: {first['warning']}. Each run's count and first warning are in "
            f"{args.out}/results.csv (columns warnings, warning).",
            markup=False,
        )
    out.print(
        f"{len(rows)} runs in {seconds:.1f} s; wrote {args.out}/results.csv, results.json"
        + (", results.png" if grid else "")
    )
    return 0


def _summary(rows: list[dict[str, Any]], names: list[str], metric: str) -> Any:
    """Mean ± standard deviation of the held-out score over the repeats of each point."""
    import statistics

    from rich.table import Table

    from byhand.sweep import _cell

    t = Table(title=f"held-out {metric} over the repeats")
    for c in ("point", *names, "mean", "std", "min", "max"):
        t.add_column(c, justify="right")
    for point in sorted({r["point"] for r in rows}):
        rs = [r for r in rows if r["point"] == point]
        scores = [r["test_score"] for r in rs]
        t.add_row(
            str(point),
            *(_cell(rs[0][n]) for n in names),
            f"{statistics.fmean(scores):.4f}",
            f"{statistics.pstdev(scores):.4f}",
            f"{min(scores):.4f}",
            f"{max(scores):.4f}",
        )
    return t
