"""Case 5: k-NN (K = 11) predictions for MNIST test images against the training images.

EE-559 3.3 (Fleuret, EPFL, 2019, "Votes (K=11)"). byhand ``KNeighborsClassifier`` vs
scikit-learn ``KNeighborsClassifier(algorithm="brute")``, both given the same float32 arrays
from ``load_mnist``; time of fit + predict, and peak memory of one extra, untimed
fit + predict: the peak of NumPy's traced allocations (tracemalloc) and the peak resident
set size above the level before the call (sampled from /proc every 2 ms, which also sees
allocations made in C outside NumPy). byhand's traced peak has a target: its documented bound,
``working_memory()`` (32 MiB) for the search plus about 32·(K + n_classes) bytes a query for
the results. scikit-learn's search allocates in C++ (its chunks and heaps), which tracemalloc
does not see: its traced figure is its Python-side results only.
"""

from __future__ import annotations

import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _common import Context, Row, Timed, fastest, fmt_s, median, optional, race, ratio
from _common import timer as start_timer

K = 11
_PAGE = 4096


def _rss() -> int:
    """Resident set size in bytes (Linux /proc), or 0 where unavailable."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def peak_memory(fn: Callable[[], Any]) -> tuple[float, float]:
    """(tracemalloc peak, sampled RSS peak above the start) of one call, in MiB."""
    base = _rss()
    peak = [base]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.002)

    th = threading.Thread(target=sample, daemon=True)
    tracemalloc.start()
    th.start()
    try:
        fn()
    finally:
        done.set()
        th.join()
        _, traced = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return traced / 2**20, max(peak[0] - base, 0) / 2**20


def bound_mib(n_queries: int, n_classes: int) -> float:
    """byhand's documented bound on predict's traced peak: the search's working memory and
    the results (the (n, K) neighbours, labels and weights, the (n, n_classes) votes)."""
    try:
        from byhand.neighbors import working_memory
    except ImportError:
        return float("nan")
    return working_memory() + 4 * 8 * (K + n_classes) * n_queries / 2**20


def run(ctx: Context) -> list[Row]:
    d = ctx.data
    ctx.log(f"K={K}: {d.X_test.shape[0]} queries against {d.X_train.shape[0]} training images")
    out: dict[str, np.ndarray] = {}
    cls = optional("byhand.neighbors", "KNeighborsClassifier")

    def byhand_once() -> None:
        out["byhand"] = cls(n_neighbors=K).fit(d.X_train, d.y_train).predict(d.X_test)

    def sklearn_once() -> None:
        from sklearn.neighbors import KNeighborsClassifier

        est = KNeighborsClassifier(n_neighbors=K, algorithm="brute")
        out["sklearn"] = est.fit(d.X_train, d.y_train).predict(d.X_test)

    def timed(fn: Callable[[], None]) -> Timed:
        def run_once() -> float:
            t = start_timer()
            fn()
            return t()

        return run_once

    contenders: dict[str, Timed | None] = {
        "byhand": timed(byhand_once) if cls is not None else None,
        "sklearn": timed(sklearn_once),
    }
    times = race(contenders, min(ctx.sizes.repeats, 3))
    med = {k: median(v) for k, v in times.items()}
    best = {k: fastest(v) for k, v in times.items()}
    mem = {
        k: (
            peak_memory(byhand_once if k == "byhand" else sklearn_once)
            if contenders[k] is not None
            else (float("nan"), float("nan"))
        )
        for k in contenders
    }
    for k in contenders:
        acc = float(np.mean(out[k] == d.y_test)) if k in out else float("nan")
        ctx.log(
            f"  {k:8s} {fmt_s(med[k])}  peak memory: {mem[k][0]:.0f} MiB traced, "
            f"{mem[k][1]:.0f} MiB RSS  test accuracy {100 * acc:.2f}%"
        )
    if "byhand" in out:
        agree = float(np.mean(out["byhand"] == out["sklearn"]))
        ctx.log(f"  byhand and sklearn agree on {100 * agree:.2f}% of the predictions")
    return [
        Row(
            "5 k-NN",
            "sklearn / byhand time",
            ratio(med["sklearn"], med["byhand"]),
            1.0,
            best=ratio(best["sklearn"], best["byhand"]),
        ),
        Row(
            "5 k-NN",
            "byhand peak MiB (traced)",
            mem["byhand"][0],
            bound_mib(d.X_test.shape[0], int(np.unique(d.y_train).size)),
            higher_is_better=False,
            unit="MiB",
        ),
        Row("5 k-NN", "sklearn peak MiB (traced)", mem["sklearn"][0], unit="MiB"),
        Row("5 k-NN", "byhand peak MiB (RSS)", mem["byhand"][1], unit="MiB"),
        Row("5 k-NN", "sklearn peak MiB (RSS)", mem["sklearn"][1], unit="MiB"),
    ]
