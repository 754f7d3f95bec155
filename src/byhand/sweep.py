"""Parameter sweeps on joblib: serially, in local processes, or on a Dask cluster.

The lectures' studies are grids — step sizes ε ∈ {0.005, …, 0.2} (CS 577 Lecture 01 (Wang, IIT,
2024),
"Gradient descent"), widths of 1, 2+2+1, 10+10+1 nets (Deep Neural Networks Course I (Galerne,
Univ. Orléans, 2024–25)), feature
degrees (CS 577 Lecture 03 (Wang, IIT, 2024)). :func:`run_grid` fits a model at every point of such
a
grid (× ``repeat``) on a train split of a data set and scores it on a held-out split
(accuracy for classifiers, R² for regressors).

Each point is seeded from the point itself — a SHA-256 of its parameters, repeat index and
base seed — never from its position in the queue, and runs with BLAS limited to one thread;
so the table is identical whichever scheduler ran it (only the ``fit_time`` column differs).
Schedulers: ``"serial"``, ``"processes"`` (joblib's loky processes) or ``"tcp://HOST:PORT"``
(an existing Dask distributed scheduler, through joblib's Dask backend; Dask is the optional
extra ``byhand[dask]``).

Results: ``DIR/results.csv`` (one row per grid point and repeat: parameters, scores, time),
``DIR/results.json`` and ``DIR/results.png`` (the held-out score against each swept parameter).
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import math
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["expand_grid", "point_seed", "run_grid", "write_results"]

TEST_FRACTION = 0.25
EXPERIMENT_GRID = ("quick",)
DASK_MISSING = (
    "the Dask scheduler needs the optional Dask extra: "
    "pip install 'byhand[dask]' (dask[distributed])"
)


def expand_grid(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, the first parameter varying slowest."""
    for name, values in grid.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise ValueError(f"grid {name!r} must be a non-empty list of values, got {values!r}")
    names = list(grid)
    return [
        dict(zip(names, combo, strict=True))
        for combo in itertools.product(*(grid[n] for n in names))
    ]


def _key(value: Any) -> Any:
    """A canonical, JSON-able form of a parameter value (for seeding and files)."""
    if isinstance(value, (tuple, list)):
        return [_key(v) for v in value]
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, np.generic):
        return _key(value.item())
    return repr(value)


def point_seed(params: Mapping[str, Any], repeat: int, seed: int = 0) -> int:
    """A 31-bit seed from the grid point, the repeat index and the base seed (not the order)."""
    text = json.dumps(
        {"params": {k: _key(v) for k, v in params.items()}, "repeat": repeat, "seed": seed},
        sort_keys=True,
    )
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") & 0x7FFFFFFF


# ------------------------------------------------------------------------------ the work
_DATA_CACHE: dict[Any, tuple[np.ndarray, ...]] = {}


def _split(data: Any, seed: int, target: str | None) -> tuple[np.ndarray, ...]:
    """(X_train, y_train, X_test, y_test): a seeded 75 / 25 split of the data's train part."""
    key = (data, seed, target) if isinstance(data, str) else None
    if key is not None and key in _DATA_CACHE:
        return _DATA_CACHE[key]
    if isinstance(data, str):
        from byhand.commands._data import load

        X, y = load(data, "train", seed=seed, target=target)
    else:
        X, y = (np.asarray(a) for a in data)
    n_test = round(TEST_FRACTION * len(y))
    if n_test == 0 or n_test >= len(y):  # too small to hold out (xor): score on the data
        out = (X, y, X, y)
    else:
        order = np.random.default_rng(seed).permutation(len(y))
        out = (X[order[n_test:]], y[order[n_test:]], X[order[:n_test]], y[order[:n_test]])
    if key is not None:
        _DATA_CACHE.clear()
        _DATA_CACHE[key] = out
    return out


def _first_warning(caught: list[Any]) -> str:
    """``"ConvergenceWarning: …"`` of the first warning a run raised (one line), or ``""``."""
    if not caught:
        return ""
    w = caught[0]
    text = " ".join(str(w.message).split())
    return f"{w.category.__name__}: {text}"


def _run_model_point(task: dict[str, Any]) -> dict[str, Any]:
    import warnings

    from byhand.commands._common import is_classifier
    from byhand.estimators_registry import get_class

    cls = get_class(task["target"])
    params = {**task["fixed"], **task["params"]}
    if "random_state" in cls().get_params(deep=False) and "random_state" not in params:
        params["random_state"] = task["seed"]
    est = cls(**params)
    X_tr, y_tr, X_te, y_te = _split(task["data"], task["base_seed"], task["target_column"])
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X_tr, y_tr)
    fit_time = time.perf_counter() - t0
    row = {
        "metric": "accuracy" if is_classifier(est) else "r2",
        "train_score": float(est.score(X_tr, y_tr)),
        "test_score": float(est.score(X_te, y_te)),
        "n_iter": int(getattr(est, "n_iter_", 0) or 0),
        "warnings": len(caught),
        "warning": _first_warning(caught),
        "fit_time": fit_time,
    }
    return row


def _run_experiment_point(task: dict[str, Any]) -> dict[str, Any]:
    from byhand.experiments import get

    exp = get(task["target"].removeprefix("experiment:"))
    t0 = time.perf_counter()
    res = exp.func(task["seed"], bool(task["params"].get("quick", True)))
    claims = list(res.claims)
    passed = sum(bool(c.passed) for c in claims)
    for fig in res.figures:  # figures are not kept by a sweep
        getattr(fig.fig, "clear", lambda: None)()
    return {
        "metric": "claims passed",
        "train_score": float(passed),
        "test_score": passed / len(claims) if claims else float("nan"),
        "n_iter": len(claims),
        "warnings": 0,
        "warning": "",
        "fit_time": time.perf_counter() - t0,
    }


def _run_point(task: dict[str, Any]) -> dict[str, Any]:
    """One grid point and repeat: fit and score, with BLAS on one thread (reproducible)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        if task["kind"] == "experiment":
            scores = _run_experiment_point(task)
        else:
            scores = _run_model_point(task)
    return {
        "point": task["point"],
        "repeat": task["repeat"],
        "seed": task["seed"],
        **{k: _key(v) for k, v in task["params"].items()},
        **scores,
    }


# ------------------------------------------------------------------------------ schedulers
def _is_address(scheduler: str) -> bool:
    return scheduler.startswith(("tcp://", "tls://", "ws://", "wss://", "inproc://"))


def _execute(tasks: list[dict[str, Any]], scheduler: str, n_jobs: int | None) -> list[dict]:
    from joblib import Parallel, delayed

    if scheduler == "serial":
        return Parallel(n_jobs=1)(delayed(_run_point)(t) for t in tasks)
    if scheduler == "processes":
        jobs = n_jobs or max(1, min(len(tasks), os.cpu_count() or 1))
        return Parallel(n_jobs=jobs, backend="loky")(delayed(_run_point)(t) for t in tasks)
    if _is_address(scheduler):
        try:
            from distributed import Client
        except ImportError as exc:
            raise ImportError(DASK_MISSING) from exc
        from joblib import parallel_config

        try:
            client = Client(scheduler, timeout="10s", set_as_default=False)
        except OSError as exc:
            raise OSError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        try:
            with client.as_current(), parallel_config(backend="dask"):
                return Parallel(n_jobs=n_jobs or -1)(delayed(_run_point)(t) for t in tasks)
        finally:
            client.close()
    raise ValueError(
        f"scheduler must be 'serial', 'processes' or a Dask address "
        f"'tcp://HOST:PORT', got {scheduler!r}"
    )


# ------------------------------------------------------------------------------ the API
def _target_kind(target: str) -> str:
    from byhand.estimators_registry import ESTIMATORS

    if target in ESTIMATORS:
        return "model"
    target = target.removeprefix("experiment:")
    try:
        from byhand.experiments import registry
    except ImportError:
        registry = None
    if registry is not None and target in registry():
        return "experiment"
    names = ", ".join(ESTIMATORS)
    extra = ""
    if registry is not None:
        extra = f"; experiments: {', '.join(registry())}"
    raise ValueError(f"unknown model or experiment {target!r}; models: {names}{extra}")


def run_grid(
    target: str,
    grid: Mapping[str, Sequence[Any]],
    data: Any = None,
    repeat: int = 1,
    scheduler: str = "serial",
    out: str | os.PathLike[str] | None = None,
    seed: int = 0,
    *,
    params: Mapping[str, Any] | None = None,
    target_column: str | None = None,
    n_jobs: int | None = None,
) -> list[dict[str, Any]]:
    """Run ``target`` at every point of ``grid`` × ``repeat``; return the rows (grid order).

    ``target``: a model name of :mod:`byhand.estimators_registry` (then ``data`` is a data set
    name of ``byhand train --data`` or an ``(X, y)`` pair: fitted on 75 %, scored on the
    held-out 25 %, the split seeded by ``seed``), or an experiment name of
    :mod:`byhand.experiments` (``experiment:NAME`` when a model has the same name; grid over
    ``quick`` only; the score is the fraction of its claims that pass). ``params`` are fixed
    estimator parameters. Each row holds ``point``, ``repeat``, ``seed`` (the point's own),
    the parameters, ``metric``, ``train_score``, ``test_score``, ``n_iter``, ``warnings``
    (how many the fit raised), ``warning`` (the first, ``"Category: message"``) and
    ``fit_time``. With ``out``, writes
    ``results.csv``, ``results.json`` and ``results.png`` there.
    """
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise ValueError(f"repeat must be a positive integer, got {repeat!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    kind = _target_kind(target)
    fixed = dict(params or {})
    if kind == "model":
        if data is None:
            raise ValueError(f"a sweep of model {target!r} needs data (a data set name or X, y)")
        from byhand.estimators_registry import get_class

        valid = get_class(target)().get_params(deep=False)
        for name in [*grid, *fixed]:
            if name not in valid:
                raise ValueError(
                    f"model {target!r} has no parameter {name!r}; its parameters: "
                    f"{', '.join(sorted(valid))}"
                )
    else:
        bad = [n for n in [*grid, *fixed] if n not in EXPERIMENT_GRID]
        if bad:
            raise ValueError(
                f"an experiment sweep varies only {list(EXPERIMENT_GRID)} (and the "
                f"seed through --repeat), got {bad[0]!r}"
            )
    points = expand_grid(grid) if grid else [{}]
    tasks = [
        {
            "kind": kind,
            "target": target,
            "params": p,
            "fixed": fixed,
            "point": i,
            "repeat": r,
            "seed": point_seed(p, r, int(seed)),
            "base_seed": int(seed),
            "data": data,
            "target_column": target_column,
        }
        for i, p in enumerate(points)
        for r in range(repeat)
    ]
    rows = _execute(tasks, scheduler, n_jobs)
    rows.sort(key=lambda r: (r["point"], r["repeat"]))
    if out is not None:
        write_results(
            out, rows, target=target, grid=grid, data=data, seed=int(seed), scheduler=scheduler
        )
    return rows


# ------------------------------------------------------------------------------ output
def write_results(
    out: str | os.PathLike[str],
    rows: list[dict[str, Any]],
    *,
    target: str,
    grid: Mapping[str, Sequence[Any]],
    data: Any,
    seed: int,
    scheduler: str,
) -> Path:
    """Write ``results.csv``, ``results.json`` and ``results.png`` into folder ``out``."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    columns = list(rows[0]) if rows else []
    with open(folder / "results.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for r in rows:
            w.writerow([_cell(r[c]) for c in columns])
    doc = {
        "target": target,
        "data": data if isinstance(data, str) or data is None else "arrays",
        "seed": seed,
        "scheduler": scheduler,
        "grid": {k: [_key(v) for v in vs] for k, vs in grid.items()},
        "rows": [
            {
                k: (v if not isinstance(v, float) or math.isfinite(v) else repr(v))
                for k, v in r.items()
            }
            for r in rows
        ],
    }
    (folder / "results.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    if rows and grid:
        plot_results(rows, list(grid), folder / "results.png")
    return folder


def _cell(v: Any) -> str:
    if isinstance(v, list):
        return "(" + ", ".join(_cell(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    return repr(v) if isinstance(v, float) else str(v)


def plot_results(rows: list[dict[str, Any]], names: list[str], path: Path) -> None:
    """One panel per swept parameter: every run's held-out score (dots) and their mean."""
    from byhand.plotting import subplots

    fig, axes = subplots(1, len(names))
    metric = rows[0]["metric"]
    for ax, name in zip(np.atleast_1d(axes), names, strict=True):
        labels = []
        for r in rows:
            if _cell(r[name]) not in labels:
                labels.append(_cell(r[name]))
        numeric = all(
            isinstance(r[name], (int, float)) and not isinstance(r[name], bool) for r in rows
        )
        xs = sorted({r[name] for r in rows}) if numeric else list(range(len(labels)))
        pos = {x: x for x in xs} if numeric else {lab: i for i, lab in enumerate(labels)}
        px = [pos[r[name]] if numeric else pos[_cell(r[name])] for r in rows]
        ax.scatter(px, [r["test_score"] for r in rows], s=12, alpha=0.5, label="runs")
        means = [
            np.mean([r["test_score"] for r, p in zip(rows, px, strict=True) if p == x])
            for x in (xs if numeric else range(len(labels)))
        ]
        ax.plot(xs if numeric else range(len(labels)), means, "o-", label="mean")
        if numeric and min(xs) > 0 and max(xs) / min(xs) >= 100:
            ax.set_xscale("log")
        if not numeric:
            ax.set_xticks(range(len(labels)), labels)
        ax.set_xlabel(name)
        ax.set_ylabel(f"held-out {metric}")
        ax.legend(fontsize=7)
    fig.savefig(path, dpi=110)
