"""Run the registered experiments and write the report: the engine of ``byhand reproduce``.

Each experiment runs in a worker (the current process with ``jobs=1``, a spawned process pool
otherwise); its figures are rendered to PNG inside the worker, so only bytes and JSON come back.
An experiment that raises is recorded as ``"error: …"`` with its traceback and the others go on;
one that needs MNIST is recorded as ``"skipped: MNIST not found in …; get it with …"`` when
the files are absent.
"""

from __future__ import annotations

import base64
import importlib
import io
import json
import os
import sys
import time
import traceback
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from byhand.experiments._registry import (
    _REGISTRY,
    CATEGORIES,
    SOURCES,
    VERDICTS,
    ExperimentResult,
    Figure,
    Table,
    get,
    import_errors,
    registry,
)
from byhand.experiments.coverage import coverage, share, summary

MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
MNIST_HELP = (
    "get it with `byhand datasets --fetch mnist`, or set BYHAND_DATA to a folder holding mnist/*.gz"
)


def data_home() -> Path:
    """Where byhand looks for data: ``byhand.datasets.get_data_home()``.

    That is env ``BYHAND_DATA``, else the platformdirs user cache dir of "byhand" (the rule of
    ``byhand.datasets.load_mnist(data_home=None)``).
    """
    from byhand.datasets import get_data_home

    return Path(get_data_home())


def mnist_status() -> tuple[bool, str]:
    """``(found, message)``: whether the four MNIST IDX files are in ``data_home()/mnist``."""
    folder = data_home() / "mnist"
    missing = [f for f in MNIST_FILES if not (folder / f).is_file()]
    if not missing:
        return True, str(folder)
    return False, f"skipped: MNIST not found in {folder}; {MNIST_HELP}"


#: The report's column is about this wide (inches at the PNG's 100 dpi); wider figures are
#: shown scaled down, so their text is enlarged by the same factor to stay readable.
REPORT_WIDTH_IN = 10.5


def readable(fig: Any) -> Any:
    """Enlarge every text of ``fig`` by √(width / REPORT_WIDTH_IN) when the figure is wider than
    the report's column (multi-panel figures are shown scaled down). Returns ``fig``."""
    from matplotlib.text import Text

    factor = (fig.get_figwidth() / REPORT_WIDTH_IN) ** 0.5
    if factor > 1.0:
        for text in fig.findobj(Text):
            text.set_fontsize(text.get_fontsize() * factor)
    return fig


def _png(fig: Any) -> str:
    """Render a matplotlib figure to base64 PNG text and close it."""
    import matplotlib.pyplot as plt

    readable(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _use_agg() -> None:
    if "matplotlib.pyplot" not in sys.modules:
        import matplotlib

        matplotlib.use("Agg")


def _warm_worker() -> None:
    """Import pyplot (Agg) once per worker so its start-up is not charged to an experiment."""
    _use_agg()
    import matplotlib.pyplot  # noqa: F401


def _blank_record(name: str, title: str, lecture: str, number: int) -> dict[str, Any]:
    """The record of an experiment before it ran (status ``ok``, nothing obtained yet)."""
    return {
        "name": name,
        "title": title,
        "lecture": lecture,
        "number": number,
        "status": "ok",
        "traceback": "",
        "seconds": 0.0,
        "claims": [],
        "figures": [],
        "tables": [],
        "notes": [],
        "warnings": [],
    }


def run_experiment(
    name: str, seed: int = 0, quick: bool = False, module: str = "", one_thread: bool = False
) -> dict[str, Any]:
    """Run one experiment and return its record (plain JSON-able dict, figures as base64 PNG).

    Never raises for a failure inside the experiment: the record's status says ``error: …``.
    """
    _use_agg()
    exp = None
    if module:  # in a worker: import only the experiment's own module, not every experiment
        importlib.import_module(module)
        exp = _REGISTRY.get(name)
    exp = exp or get(name)
    record = _blank_record(exp.name, exp.title, exp.lecture, exp.number)
    if exp.needs_mnist:
        found, message = mnist_status()
        if not found:
            record["status"] = message
            return record
    limits = None
    if one_thread:
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(1)
    t0 = time.perf_counter()
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = exp.func(seed, quick)
        if not isinstance(res, ExperimentResult):
            raise TypeError(f"experiment must return ExperimentResult, got {type(res).__name__}")
        for c in res.claims:
            c.experiment = exp.name
        record["claims"] = [c.to_dict() for c in res.claims]
        record["tables"] = [
            (t if isinstance(t, Table) else Table(*t)).to_dict() for t in res.tables
        ]
        record["notes"] = [str(n) for n in res.notes]
        figs = []
        for f in res.figures:
            f = f if isinstance(f, Figure) else Figure(f)
            figs.append({"caption": f.caption, "png": _png(f.fig)})
        record["figures"] = figs
    except Exception as exc:  # an experiment's failure is reported, never fatal
        record["status"] = f"error: {type(exc).__name__}: {exc}"
        record["traceback"] = traceback.format_exc()
    finally:
        seen = []
        for w in caught:
            text = f"{w.category.__name__}: {w.message}"
            if text not in seen:
                seen.append(text)
        record["warnings"] = seen[:20]
        if limits is not None:
            limits.unregister()
        import matplotlib.pyplot as plt

        plt.close("all")
    record["seconds"] = round(time.perf_counter() - t0, 3)
    return record


def select(only: Sequence[str] | None = None) -> list[str]:
    """Names to run: all registered, or ``only`` (ValueError listing valid names on a typo)."""
    reg = registry()
    if not only:
        return list(reg)
    unknown = [n for n in only if n not in reg]
    if unknown:
        broken = import_errors()
        hint = f" (modules that failed to import: {', '.join(broken)})" if broken else ""
        raise ValueError(
            f"unknown experiment(s) {', '.join(map(repr, unknown))}; valid names: "
            f"{', '.join(reg)}{hint}"
        )
    wanted = set(only)
    return [n for n in reg if n in wanted]


def _summary_counts(records: list[dict[str, Any]]) -> dict[str, Any]:
    claims = [c for r in records for c in r["claims"]]
    verdicts = [c.get("verdict", "failed") for c in claims]
    return {
        "claims_total": len(claims),
        "claims_passed": sum(c["passed"] for c in claims),
        "claims_failed": verdicts.count("failed"),
        "by_verdict": {v: verdicts.count(v) for v in VERDICTS},
        "by_source": {s: sum(c.get("source") == s for c in claims) for s in SOURCES},
        "counts": category_counts(claims),
        "experiments": len(records),
        "errors": sum(r["status"].startswith("error") for r in records),
        "skipped": sum(r["status"].startswith("skipped") for r in records),
    }


def category_counts(claims: Sequence[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Claims counted by category (reproduction, derivation, observation) and verdict:
    ``{"reproduction": {"total": …, "reproduced": …, "differs": …, "failed": …}, …}``."""
    out = {}
    for cat in CATEGORIES:
        mine = [c.get("verdict", "failed") for c in claims if c.get("category") == cat]
        out[cat] = {"total": len(mine), **{v: mine.count(v) for v in VERDICTS}}
    return out


def coverage_of(
    names: Sequence[str] | None = None, records: Sequence[dict[str, Any]] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The coverage table (see :mod:`byhand.experiments.coverage`) of the experiments ``names``
    (all registered ones by default).

    With ``records`` (a run's results), each item is judged from the claims stated on it: it is
    reproduced only when every one of them is; a failed claim or an errored experiment makes it
    ``"failed"``, a claim that differs ``"differs"`` (with the cause), and an item whose
    experiments were all skipped (no MNIST, say) is ``"skipped"``.
    """
    reg = registry()
    chosen = reg if names is None else {n: reg[n] for n in names if n in reg}
    return coverage(((e.name, *c) for e in chosen.values() for c in e.covers), records)


def exit_code(records: list[dict[str, Any]]) -> int:
    """0 when no claim's verdict is ``failed`` and no experiment errored, else 1.

    A failed claim of any category (reproduction, derivation or observation) fails the run; a
    skipped experiment and a claim that ``differs`` from the lecture for a stated cause do not.
    """
    n = _summary_counts(records)
    return 0 if n["errors"] == 0 and n["claims_failed"] == 0 else 1


def _run_all(names: list[str], seed: int, quick: bool, jobs: int, console: Any) -> list[dict]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    reg = registry()
    records: dict[str, dict[str, Any]] = {}
    progress = Progress(
        TextColumn("[bold]reproduce[/]"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        disable=not console.is_terminal,
        transient=False,
    )
    with progress:
        task = progress.add_task("", total=len(names))
        if jobs <= 1:
            for name in names:
                progress.update(task, description=name)
                records[name] = run_experiment(name, seed, quick)
                progress.advance(task)
        else:
            import multiprocessing

            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(
                max_workers=jobs, mp_context=ctx, initializer=_warm_worker
            ) as pool:
                futures = {
                    pool.submit(run_experiment, n, seed, quick, reg[n].module, True): n
                    for n in names
                }
                for fut in as_completed(futures):
                    name = futures[fut]
                    try:
                        records[name] = fut.result()
                    except Exception as exc:  # the worker itself died
                        records[name] = _blank_record(
                            name, reg[name].title, reg[name].lecture, reg[name].number
                        )
                        records[name]["status"] = (
                            f"error: worker failed: {type(exc).__name__}: {exc}"
                        )
                        records[name]["traceback"] = traceback.format_exc()
                    progress.update(task, description=name)
                    progress.advance(task)
    return [records[n] for n in names]


def _import_error_record(module: str, tb: str) -> dict[str, Any]:
    last = tb.strip().splitlines()[-1] if tb.strip() else "import failed"
    short = module.rsplit(".", 1)[-1]
    record = _blank_record(
        short, f"module {module} failed to import", short.replace("lecture", "")[:3], 0
    )
    record["status"] = f"error: import failed: {last}"
    record["traceback"] = tb
    return record


def results_json(
    records: list[dict[str, Any]],
    meta: dict[str, Any],
    cover: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The ``results.json`` document: every claim, every experiment (without images), the
    coverage of each lecture (``cover``, default: every registered experiment), metadata."""
    cover = cover if cover is not None else coverage_of(records=records)
    experiments = []
    for r in records:
        e = {k: v for k, v in r.items() if k not in ("figures", "claims")}
        e["figures"] = [f["caption"] for f in r["figures"]]
        e["claims_total"] = len(r["claims"])
        e["claims_passed"] = sum(c["passed"] for c in r["claims"])
        experiments.append(e)
    return {
        "claims": [c for r in records for c in r["claims"]],
        "experiments": experiments,
        "byhand_version": meta["byhand_version"],
        "seed": meta["seed"],
        "quick": meta["quick"],
        "seconds": meta["seconds"],
        "summary": _summary_counts(records),
        "counts": _summary_counts(records)["counts"],
        "coverage": cover,
        "coverage_summary": summary(cover),
    }


def _claim_line(c: dict[str, Any]) -> str:
    """A claim that is not reproduced, for the terminal: verdict, claim, value, target, cause."""
    from byhand.lectures import LECTURES, cite
    from byhand.report import format_value

    # the lecture's own value (never a target byhand computed), else the target and its origin
    shown = c.get("lecture_value") if c.get("source") == "lecture" else c.get("target")
    if c.get("source") == "lecture" and shown == c.get("quote"):
        shown = None  # the lecture states it in words: the quote is in the report
    want = f", {target_label(c)} {format_value(shown)}" if shown is not None else ""
    rule = f"; rule: {c['rule']}" if c.get("rule") else ""
    cause = f" — {c['differs']}" if c.get("differs") else ""
    mark = "[yellow]≠ differs[/]" if c.get("verdict") == "differs" else "[red]✗ failed[/]"
    return (
        f"{mark} {c['experiment']}: {c['claim']} — got {format_value(c['value'])}{want}{rule}"
        f"{cause} "
        f"({cite(c['lecture'], c['slide']) if c['lecture'] in LECTURES else c['lecture']})"
    )


def target_label(c: dict[str, Any]) -> str:
    """How a claim's target is introduced: "lecture:" only when the lecture gives it."""
    source = c.get("source", "")
    if source == "lecture":
        return "lecture:"
    if source == "derived":
        return f"derived ({c.get('derived_from', '')}):"
    return "byhand's threshold:"


def print_summary(records: list[dict[str, Any]], console: Any) -> None:
    """A rich table (experiment, lecture, status, claims reproduced/total, seconds), then every
    claim not reproduced, the counts by verdict and by source, and the coverage per lecture."""
    from rich.table import Table as RichTable

    t = RichTable(title="byhand reproduce", show_lines=False)
    t.add_column("#", justify="right")
    t.add_column("experiment")
    t.add_column("lecture")
    t.add_column("status")
    t.add_column("claims reproduced", justify="right")
    t.add_column("seconds", justify="right")
    for r in records:
        verdicts = [c.get("verdict", "failed") for c in r["claims"]]
        nrep, ntot = verdicts.count("reproduced"), len(verdicts)
        if r["status"].startswith("error"):
            status = "[red]error[/]"
        elif r["status"].startswith("skipped"):
            status = "[yellow]skipped[/]"
        elif "failed" in verdicts:
            status = "[red]claim failed[/]"
        elif "differs" in verdicts:
            status = "[yellow]differs[/]"
        else:
            status = "[green]ok[/]"
        claims = f"{nrep}/{ntot}" if ntot else "-"
        t.add_row(
            str(r["number"] or ""),
            r["name"],
            _lecture_name(r["lecture"]),
            status,
            claims,
            f"{r['seconds']:.1f}",
        )
    console.print(t)
    for r in records:
        if r["status"] != "ok":
            console.print(f"[bold]{r['name']}[/]: {r['status']}", markup=True, highlight=False)
        for c in r["claims"]:
            if c.get("verdict") != "reproduced":
                console.print(_claim_line(c), highlight=False)
    n = _summary_counts(records)
    v, s = n["by_verdict"], n["by_source"]
    for cat, k in n["counts"].items():
        console.print(
            f"{cat}s: {k['total']} — reproduced {k['reproduced']}, differs {k['differs']}, "
            f"failed {k['failed']}",
            highlight=False,
        )
    console.print(
        f"claims: [bold]{n['claims_total']}[/] — reproduced {v['reproduced']}, "
        f"differs {v['differs']}, failed {v['failed']}; target from the lecture {s['lecture']}, "
        f"derived {s['derived']}, byhand's {s['byhand']}; errors: {n['errors']}, "
        f"skipped: {n['skipped']}",
        highlight=False,
    )
    names = [r["name"] for r in records]
    cover = coverage_of(names, records)
    parts = []
    for lec, rows in cover.items():
        got, total = share(rows)
        parts.append(f"{_lecture_name(lec)} {got}/{total}")
    console.print("coverage (items reproduced): " + "; ".join(parts), highlight=False)


def reproduce(
    only: Sequence[str] | None = None,
    out: str | os.PathLike[str] = "report",
    quick: bool = False,
    jobs: int = 1,
    seed: int = 0,
    console: Any = None,
) -> int:
    """Run the selected experiments, write ``out/index.html`` and ``out/results.json``.

    Returns the exit code: 0 when no claim's verdict is ``failed`` and no experiment errored,
    1 otherwise (a claim that ``differs`` from the lecture for a stated cause does not fail).
    ``only`` names experiments (ValueError listing the valid names on an unknown one); ``jobs``
    runs that many processes; ``quick`` uses smaller sizes for the same claims.
    """
    from rich.console import Console

    import byhand
    from byhand import report

    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    console = console if console is not None else Console(stderr=False)
    names = select(only)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    records = _run_all(names, seed, quick, jobs, console)
    if not only:  # a module that does not import is an error of the full run
        records += [_import_error_record(m, tb) for m, tb in import_errors().items()]
    meta = {
        "byhand_version": byhand.__version__,
        "seed": seed,
        "quick": quick,
        "jobs": jobs,
        "seconds": round(time.perf_counter() - t0, 2),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    cover = coverage_of(names, records)
    doc = results_json(records, meta, cover)
    (out / "results.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    (out / "index.html").write_text(report.render(records, meta, cover), encoding="utf-8")
    print_summary(records, console)
    console.print(f"report: {(out / 'index.html').resolve()}  ({meta['seconds']:.1f} s)")
    return exit_code(records)


def _lecture_name(lecture_id: str) -> str:
    """The lecture's short citation, or the id itself when it is not in the catalogue."""
    from byhand.lectures import LECTURES

    return LECTURES[lecture_id].short if lecture_id in LECTURES else lecture_id
