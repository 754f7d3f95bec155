"""byhand against PyTorch and scikit-learn: ``python benchmarks/run.py [--quick] …``.

Cases (issue 7): ``mlp`` one MLP epoch on MNIST (and the matrix-product floor), ``backward``
the backward/forward cost ratio, ``perceptron`` MNIST 0-vs-1, ``softmax`` time to
scikit-learn's logistic-regression accuracy, ``knn`` K=11 on MNIST (time and peak memory);
(issue 15) ``cnn`` one epoch of a LeNet-5-like CNN against PyTorch and the products' floor.
Every case runs its contenders in this process, on the same data, with 2 threads, a warm-up
and several round-robin repeats; the output ends with one table of ratios.

The environment may set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (older OpenBLAS builds need
them on some processors); they slow a current NumPy, so this script, and only this script,
restarts itself without both before NumPy loads, then prints which kernel runs.
"""

from __future__ import annotations

import os
import sys

_BLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def _reexec_without_blas_overrides() -> None:
    present = {k: os.environ[k] for k in _BLAS_VARS if k in os.environ}
    if not present:
        return
    env = {k: v for k, v in os.environ.items() if k not in _BLAS_VARS}
    env["BYHAND_BENCH_UNSET"] = " ".join(f"{k}={v}" for k, v in present.items())
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


if __name__ == "__main__":
    _reexec_without_blas_overrides()

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402
from _common import FULL, QUICK, TINY, Context, Row  # noqa: E402

CASES = ("mlp", "backward", "perceptron", "softmax", "knn", "cnn")


def _case_module(name: str):
    import importlib

    return importlib.import_module(
        {
            "mlp": "mlp_epoch",
            "backward": "mlp_backward",
            "perceptron": "perceptron",
            "softmax": "softmax",
            "knn": "knn",
            "cnn": "cnn_epoch",
        }[name]
    )


def format_table(rows: Sequence[Row], title: str) -> str:
    head = ("case", "measure", "median", "fastest", "target", "met", "met (fastest)")
    body = [
        (
            r.case,
            r.measure,
            r.value_text(),
            r.text(r.best) if r.best == r.best else "",
            r.target_text(),
            r.met,
            r.met_text(r.best),
        )
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=True)]
    line = "  ".join("-" * w for w in widths)
    out = [title, line, "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)), line]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(b, widths, strict=True)) for b in body]
    out.append(line)
    return "\n".join(out)


def combine(paths: Sequence[str]) -> list[Row]:
    """Median of each measure over several ``--json`` result files (separate runs)."""
    runs = [json.loads(Path(p).read_text()) for p in paths]

    def mid(values: list[float | None]) -> float:
        ok = [v for v in values if v is not None and v == v]
        return statistics.median(ok) if ok else float("nan")

    rows = []
    for i, first in enumerate(runs[0]["rows"]):
        value = mid([r["rows"][i]["value"] for r in runs])
        best = mid([r["rows"][i].get("best") for r in runs])
        rows.append(Row(**{**first, "value": value, "best": best}))
    return rows


def main(argv: Sequence[str] | None = None) -> list[Row]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="smaller data: the whole run < 1 min")
    p.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # the smoke test
    p.add_argument("--repeats", type=int, default=None, help="timed repeats per contender")
    p.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", metavar="FILE", help="also write the rows to FILE")
    p.add_argument(
        "--combine",
        nargs="+",
        metavar="FILE",
        help="print the median table of earlier --json runs, run nothing",
    )
    args = p.parse_args(argv)
    if args.combine:
        rows = combine(args.combine)
        print(format_table(rows, f"Ratios: median of {len(args.combine)} runs"))
        return rows

    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    if args.tiny or args.quick:
        _common.PAUSE = 0.05
    if args.repeats is not None:
        if args.repeats < 1:
            p.error("--repeats must be >= 1")
        sizes = _common.Sizes(sizes.name, sizes.n_train, sizes.n_test, args.repeats)
    t_start = time.perf_counter()
    limits = _common.limit_threads()  # noqa: F841  (kept alive for the whole run)
    import numpy as np

    print(
        f"byhand benchmarks ({sizes.name}: {sizes.n_train} train / {sizes.n_test} test "
        f"images, {sizes.repeats} repeats after a warm-up, {_common.THREADS} threads)"
    )
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus"
    )
    unset = os.environ.get("BYHAND_BENCH_UNSET")
    print(
        f"unset for this run: {unset}" if unset else "OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE: not set"
    )
    for peer in ("torch", "sklearn"):
        mod = _common.optional(peer)
        print(f"{peer}: {getattr(mod, '__version__', 'not installed')}")
    for line in _common.blas_description():
        print(f"  {line}")
    load = _common.busy_warning(0.2 if args.tiny else 1.0)
    if load:
        print(load)
    data = _common.load_data(sizes)
    ctx = Context(sizes=sizes, data=data, seed=args.seed)
    rows: list[Row] = []
    for name in args.cases:
        print(f"\n== {name} ==")
        t0 = time.perf_counter()
        rows += _case_module(name).run(ctx)
        print(f"  ({time.perf_counter() - t0:.1f} s)")
    print(f"\ntotal {time.perf_counter() - t_start:.1f} s\n")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"sizes": sizes.name, "rows": [r.__dict__ for r in rows]}, indent=1)
        )
    print(format_table(rows, "Ratios (peer/byhand: higher is better for byhand)"))
    if load:
        print(load.replace("WARNING: ", "WARNING (at the start): "))
    return rows


if __name__ == "__main__":
    main()
