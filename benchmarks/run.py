"""byhand against PyTorch and scikit-learn: ``python benchmarks/run.py [--quick] …``.

Cases (issue 7): ``mlp`` one MLP epoch on MNIST (and the matrix-product floor), ``backward``
the backward/forward cost ratio, ``perceptron`` MNIST 0-vs-1, ``softmax`` time to
scikit-learn's logistic-regression accuracy, ``knn`` K=11 on MNIST (time and peak memory);
(issue 15) ``cnn`` one epoch of a LeNet-5-like CNN against PyTorch and the products' floor;
(issue 24) ``kernels`` the compiled kernels' compile times and each against its NumPy path.
The MLP and CNN cases also print every contender's GFLOP/s beside the measured float32 GEMM
peak.
Every case runs its contenders in this process, on the same data, with 2 threads, a warm-up
and several round-robin repeats; the output ends with one table of ratios.

The environment may set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (older OpenBLAS builds need
them on some processors); they slow a current NumPy, so this script, and only this script,
restarts itself without both before NumPy loads, then prints which kernel runs.
``--coretype NAME`` (e.g. Haswell, SkylakeX, Zen) instead runs OpenBLAS's NAME kernel (it
restarts itself with OPENBLAS_CORETYPE=NAME): both kernels can be measured on one machine.
"""

from __future__ import annotations

import os
import sys

_BLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def _coretype_arg(argv: list[str]) -> str | None:
    """The NAME of ``--coretype NAME`` / ``--coretype=NAME`` in argv, else None."""
    for i, a in enumerate(argv):
        if a == "--coretype" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--coretype="):
            return a.split("=", 1)[1]
    return None


def _reexec_without_blas_overrides() -> None:
    present = {k: os.environ[k] for k in _BLAS_VARS if k in os.environ}
    want = _coretype_arg(sys.argv)
    target = {"OPENBLAS_CORETYPE": want} if want else {}
    if present == target:
        return
    env = {k: v for k, v in os.environ.items() if k not in _BLAS_VARS}
    env.update(target)
    unset = {k: v for k, v in present.items() if target.get(k) != v}
    if unset:
        env["BYHAND_BENCH_UNSET"] = " ".join(f"{k}={v}" for k, v in unset.items())
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

CASES = ("mlp", "backward", "perceptron", "softmax", "knn", "cnn", "kernels")


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
            "kernels": "kernels",
        }[name]
    )


def format_table(rows: Sequence[Row], title: str, where: Sequence[str] = ()) -> str:
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
    out = [title, *where, line, "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    out.append(line)
    out += ["  ".join(str(c).ljust(w) for c, w in zip(b, widths, strict=True)) for b in body]
    out.append(line)
    return "\n".join(out)


def combine(paths: Sequence[str]) -> tuple[list[Row], list[str]]:
    """Median of each measure over several ``--json`` result files (separate runs), and
    where each run ran (one block of lines per distinct machine/kernel)."""
    runs = [json.loads(Path(p).read_text()) for p in paths]
    where: list[str] = []
    for p, r in zip(paths, runs, strict=True):
        lines = _common.machine_lines(r.get("machine", {}))
        where += [f"{Path(p).name}: {lines[0]}", *lines[1:]]

    def mid(values: list[float | None]) -> float:
        ok = [v for v in values if v is not None and v == v]
        return statistics.median(ok) if ok else float("nan")

    rows = []
    for i, first in enumerate(runs[0]["rows"]):
        value = mid([r["rows"][i]["value"] for r in runs])
        best = mid([r["rows"][i].get("best") for r in runs])
        rows.append(Row(**{**first, "value": value, "best": best}))
    return rows, where


def main(argv: Sequence[str] | None = None) -> list[Row]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="smaller data: the whole run < 1 min")
    p.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # the smoke test
    p.add_argument("--repeats", type=int, default=None, help="timed repeats per contender")
    p.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", metavar="FILE", help="also write the rows to FILE")
    p.add_argument(
        "--coretype",
        metavar="NAME",
        help="run OpenBLAS's NAME kernel (OPENBLAS_CORETYPE=NAME), e.g. Haswell or SkylakeX",
    )
    p.add_argument(
        "--combine",
        nargs="+",
        metavar="FILE",
        help="print the median table of earlier --json runs, run nothing",
    )
    args = p.parse_args(argv)
    if args.combine:
        rows, where = combine(args.combine)
        print(format_table(rows, f"Ratios: median of {len(args.combine)} runs", where))
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
    core = os.environ.get("OPENBLAS_CORETYPE")
    if unset:
        print(f"unset for this run: {unset}")
    print(f"OPENBLAS_CORETYPE={core} (--coretype)" if core else "OPENBLAS_CORETYPE: not set")
    for peer in ("torch", "sklearn"):
        mod = _common.optional(peer)
        print(f"{peer}: {getattr(mod, '__version__', 'not installed')}")
    for line in _common.blas_description():
        print(f"  {line}")
    where = _common.machine()
    kernels = {p.get("architecture") for p in where["thread_pools"] if "architecture" in p}
    if args.coretype and kernels != {args.coretype}:
        print(f"WARNING: --coretype {args.coretype} asked, OpenBLAS runs {sorted(kernels)}")
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
    where["load_average_end"] = [round(v, 2) for v in os.getloadavg()]
    where["busy_at_start"] = load or None
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"sizes": sizes.name, "machine": where, "rows": [r.__dict__ for r in rows]},
                indent=1,
            )
        )
    lines = _common.machine_lines(where)
    lines[0] += f" (end: {where['load_average_end']})"
    print(format_table(rows, "Ratios (peer/byhand: higher is better for byhand)", lines))
    if load:
        print(load.replace("WARNING: ", "WARNING (at the start): "))
    return rows


if __name__ == "__main__":
    main()
