"""Shared pieces of the benchmark cases: sizes, data, thread limits, timing, result rows.

Timing discipline (issue 7): every contender of a case runs in this process on the same
arrays with the same thread count; each is warmed up once, then the repeats go round-robin
(A, B, C, A, B, C, …) so that the machine's drift touches all of them alike, and the
median of each contender's times is reported. Only same-run ratios are meaningful.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
THREADS = 2


@dataclass(frozen=True)
class Sizes:
    """How much data each case uses: ``full`` is the issue's setting."""

    name: str
    n_train: int  # MNIST training images used (MLP, perceptron, softmax, k-NN reference set)
    n_test: int  # MNIST test images used (softmax accuracy, k-NN queries)
    repeats: int  # timed repeats per contender (after one warm-up)


FULL = Sizes("full", 60_000, 10_000, 5)
QUICK = Sizes("quick", 10_000, 2_000, 3)
TINY = Sizes("tiny", 500, 100, 1)


@dataclass
class Data:
    """MNIST arrays as ``byhand.datasets.load_mnist`` gives them: float32 in [0, 1]."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


NO_MNIST = """\
The benchmarks run on MNIST, which was not found (and could not be downloaded) in
{folder}.
Provide it in one of two ways:
  - set BYHAND_DATA to a folder whose mnist/ subfolder holds the four files
    train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz,
    t10k-labels-idx1-ubyte.gz;
  - or download them there (or, without BYHAND_DATA, into your user cache folder) with
    byhand datasets --fetch mnist
({error})"""


def load_data(sizes: Sizes) -> Data:
    """The first ``n_train`` training and ``n_test`` test images of MNIST, from the data
    home of ``byhand.datasets.load_mnist`` (``$BYHAND_DATA``, else the user cache folder).

    Without MNIST (and no download) the run stops with SystemExit saying how to provide it.
    """
    from byhand.datasets import DatasetNotFoundError, get_data_home, load_mnist

    try:
        X_tr, y_tr = load_mnist("train")
        X_te, y_te = load_mnist("test")
    except DatasetNotFoundError as exc:
        folder = get_data_home() / "mnist"
        raise SystemExit(NO_MNIST.format(folder=folder, error=str(exc).split(". ")[0])) from None
    return Data(
        np.ascontiguousarray(X_tr[: sizes.n_train], dtype=np.float32),
        np.ascontiguousarray(y_tr[: sizes.n_train], dtype=np.int64),
        np.ascontiguousarray(X_te[: sizes.n_test], dtype=np.float32),
        np.ascontiguousarray(y_te[: sizes.n_test], dtype=np.int64),
    )


def optional(module: str, name: str | None = None) -> Any:
    """``module.name`` (or the module) if importable, else None: peers and estimators that do
    not exist yet are reported as "n/a" instead of failing the run."""
    try:
        mod = importlib.import_module(module)
        return mod if name is None else getattr(mod, name)
    except (ImportError, AttributeError):
        return None


def limit_threads(n: int = THREADS) -> Any:
    """Pin BLAS and OpenMP pools (threadpoolctl) and PyTorch's intra-op pool to ``n``."""
    torch = optional("torch")
    if torch is not None:
        torch.set_num_threads(n)
    tpc = optional("threadpoolctl")
    if tpc is None:
        return None
    return tpc.threadpool_limits(limits=n)


def blas_description() -> list[str]:
    """One line per native thread pool: which library and which kernel (coretype) runs."""
    tpc = optional("threadpoolctl")
    if tpc is None:
        return ["threadpoolctl not installed: BLAS kernel unknown"]
    lines = []
    for info in tpc.threadpool_info():
        arch = info.get("architecture", "-")
        lines.append(
            f"{info.get('internal_api')} {info.get('version')} kernel={arch} "
            f"threads={info.get('num_threads')} ({Path(info.get('filepath', '')).name})"
        )
    return lines


def cpu_model() -> str:
    """The processor's name as the OS reports it (Linux: /proc/cpuinfo), with family/model
    numbers (a VM may report only "AMD EPYC") and whether it has AVX-512."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    fields: dict[str, str] = {}
    for line in info.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
        if not line.strip():
            break  # the first processor is enough
    name = fields.get("model name", platform.machine())
    avx512 = "avx512f" in fields.get("flags", "").split()
    return (
        f"{name} (family {fields.get('cpu family', '?')}, model {fields.get('model', '?')}, "
        f"{'with' if avx512 else 'no'} AVX-512)"
    )


def machine() -> dict[str, Any]:
    """Where a run ran: CPU, cores, load, library versions and each native thread pool
    (threadpoolctl: ``internal_api``, ``version``, ``architecture`` = the BLAS kernel)."""
    tpc = optional("threadpoolctl")
    pools = []
    for info in tpc.threadpool_info() if tpc is not None else []:
        pools.append(
            {
                k: (Path(info[k]).name if k == "filepath" else info[k])
                for k in ("internal_api", "version", "architecture", "num_threads", "filepath")
                if k in info
            }
        )
    versions = {m: getattr(optional(m), "__version__", None) for m in ("numpy", "torch", "sklearn")}
    return {
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "load_average": [round(v, 2) for v in os.getloadavg()]
        if hasattr(os, "getloadavg")
        else None,
        "python": platform.python_version(),
        **versions,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "thread_pools": pools,
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }


def machine_lines(m: dict[str, Any]) -> list[str]:
    """``machine()`` as a few printable lines."""
    blas = [
        f"{p.get('internal_api')} {p.get('version')} kernel={p.get('architecture', '-')} "
        f"({p.get('filepath')})"
        for p in m.get("thread_pools", [])
        if "architecture" in p or p.get("internal_api") in ("openblas", "mkl", "blis")
    ]
    return [
        f"where: {m.get('cpu')}, {m.get('cpus')} cpus, load average {m.get('load_average')} "
        f"at {m.get('date')}",
        f"  python {m.get('python')}, numpy {m.get('numpy')}, torch {m.get('torch')}, "
        f"sklearn {m.get('sklearn')}, OPENBLAS_CORETYPE={m.get('OPENBLAS_CORETYPE')}",
        *(f"  BLAS: {b}" for b in blas),
    ]


def _cpu_jiffies() -> tuple[int, int] | None:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat (Linux)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def busy_warning(sample: float = 1.0) -> str:
    """A warning when other processes load the machine: the share of all CPUs busy during
    ``sample`` seconds while this process sleeps (the load average would also count this
    benchmark's own previous run). A 2-thread BLAS call on busy cores waits for a
    descheduled thread, and the tail of every contender's times grows by orders of
    magnitude."""
    before = _cpu_jiffies()
    time.sleep(sample)
    after = _cpu_jiffies()
    if before is None or after is None or after[1] == before[1]:
        return ""
    busy = (after[0] - before[0]) / (after[1] - before[1])
    if busy <= 0.15:
        return ""
    return (
        f"WARNING: other processes kept {100 * busy:.0f}% of the CPUs busy before the run: "
        "timings are unreliable (the fastest-run ratios less so)"
    )


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence the warnings of deliberately short runs (max_iter=1 and the like)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


Timed = Callable[[], float]
"""A contender: does its own untimed set-up, runs the timed part, returns its seconds."""


def timer() -> Callable[[], float]:
    """start = timer(); …; elapsed = start()."""
    t0 = time.perf_counter()
    return lambda: time.perf_counter() - t0


PAUSE = 0.2
"""Seconds of rest before each timed run. OpenBLAS's worker threads busy-wait for a while
after a call and libgomp's likewise after a parallel region: without a rest, the contender
that runs next (often another library's) would share the 2 cores with spinning threads."""


def race(
    contenders: dict[str, Timed | None], repeats: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Warm each contender up, then run ``repeats`` rounds round-robin; times per contender.

    A contender given as None (missing peer or estimator) gets no times.
    """
    live = {k: f for k, f in contenders.items() if f is not None}
    for _ in range(warmup):
        for f in live.values():
            f()
    times: dict[str, list[float]] = {k: [] for k in contenders}
    names = list(live)
    for r in range(repeats if names else 0):
        # Rotate the order each round: no contender always runs right after the same one.
        for k in names[r % len(names) :] + names[: r % len(names)]:
            time.sleep(PAUSE)
            times[k].append(live[k]())
    return times


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def fastest(xs: list[float]) -> float:
    return min(xs) if xs else float("nan")


def fmt_s(t: float) -> str:
    return "n/a" if t != t else f"{t:8.3f} s"


def fmt_ratio(r: float) -> str:
    return "n/a" if r != r else f"{r:.2f}x"


@dataclass
class Row:
    """One line of the final table: a ratio (or other figure), its target and whether met.

    ``value`` comes from the median times (what the issue asks for); ``best`` from each
    contender's fastest run. On a busy machine the noise only ever adds time, so the ratio of
    the fastest runs is the steadier estimate of the intrinsic costs; both are shown.
    ``higher_is_better`` says which way the target goes (peer/byhand: higher; byhand/floor
    and backward/forward: lower). NaN means n/a (a contender was missing).
    """

    case: str
    measure: str
    value: float
    target: float | None = None
    higher_is_better: bool = True
    unit: str = "x"
    best: float = float("nan")

    def met_text(self, v: float) -> str:
        if self.target is None:
            return ""
        if v != v:
            return "n/a"
        ok = v >= self.target if self.higher_is_better else v <= self.target
        return "yes" if ok else "NO"

    @property
    def met(self) -> str:
        return self.met_text(self.value)

    def target_text(self) -> str:
        if self.target is None:
            return ""
        return f"{'>=' if self.higher_is_better else '<='} {self.target:.3g}{self.unit}"

    def text(self, v: float) -> str:
        if v != v:
            return "n/a"
        if self.unit == "x":
            return f"{v:.2f}x"
        if self.unit == "":
            return f"{v:g}"
        return f"{v:.3g} {self.unit}"

    def value_text(self) -> str:
        return self.text(self.value)


@dataclass
class Context:
    """What every case receives: the sizes, the data and a printer."""

    sizes: Sizes
    data: Data
    seed: int = 0
    log: Callable[[str], None] = print
    notes: list[str] = field(default_factory=list)


def ratio(a: float, b: float) -> float:
    return a / b if b and a == a and b == b else float("nan")


_PEAK: dict[tuple[int, int], float] = {}


def gemm_peak(n: int = 2048, threads: int | None = None) -> float:
    """The machine's measured single-precision GEMM rate in GFLOP/s: the fastest of 5
    float32 n × n products (2n³ FLOP each), with the threads in force (or ``threads``).
    Measured once per run and size."""
    key = (n, threads or 0)
    if key not in _PEAK:
        from threadpoolctl import threadpool_limits

        rng = np.random.default_rng(0)
        a, b = (rng.standard_normal((n, n)).astype(np.float32) for _ in range(2))
        c = np.empty((n, n), np.float32)
        with threadpool_limits(threads) if threads else contextlib.nullcontext():
            np.matmul(a, b, out=c)
            best = math.inf
            for _ in range(5):
                t = time.perf_counter()
                np.matmul(a, b, out=c)
                best = min(best, time.perf_counter() - t)
        _PEAK[key] = 2.0 * n**3 / best / 1e9
    return _PEAK[key]


def gflops_rows(
    case: str, flops: float, med: dict[str, float], best: dict[str, float], n: int
) -> list[Row]:
    """Each contender's rate (flops / time) beside the measured GEMM peak (:func:`gemm_peak`):
    how far from the hardware every contender runs."""
    peak, one = gemm_peak(n), gemm_peak(n, threads=1)
    rows = [
        Row(
            case, f"float32 GEMM peak, {THREADS} threads (GFLOP/s)", peak, unit="GFLOP/s", best=peak
        ),
        Row(case, "float32 GEMM peak, 1 thread (GFLOP/s)", one, unit="GFLOP/s", best=one),
    ]
    for k, t in med.items():
        rate = flops / t / 1e9 if t == t and t > 0 else float("nan")
        fast = flops / best[k] / 1e9 if best[k] == best[k] and best[k] > 0 else float("nan")
        rows.append(Row(case, f"GFLOP/s: {k}", rate, unit="GFLOP/s", best=fast))
    return rows
