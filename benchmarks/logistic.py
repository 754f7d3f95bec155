"""Micro-benchmark of the logistic σ (issue 11 item 4): the exact exp form against the former
½(1 + tanh(a/2)) form, on arrays of a training step's sizes, float32 and float64.

    python benchmarks/logistic.py [--repeats 7]

Prints median microseconds per call (round-robin repeats, 2 threads) and the worst relative
error of each form against an exact reference (``decimal`` with 50 digits) in the tail.
Speed is never asserted in a test.
"""

from __future__ import annotations

import argparse
import statistics
import time
from decimal import Decimal, getcontext

import numpy as np

from byhand.nn.functional import sigmoid


def tanh_form(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The former formula: exact identity, but 1 + tanh(a/2) cancels for a << 0."""
    np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1
    out *= 0.5
    return out


def exact(a: float) -> float:
    getcontext().prec = 50
    return float(1 / (1 + Decimal(-a).exp()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    forms = {"tanh form (before)": tanh_form, "exp form (now)": sigmoid}
    print(f"{'dtype':8} {'shape':12} " + " ".join(f"{k:>20}" for k in forms) + "   ratio")
    for dtype in (np.float32, np.float64):
        for shape in ((128, 256), (128, 10), (60_000,)):
            a = (rng.standard_normal(shape) * 4).astype(dtype)
            out = np.empty_like(a)
            times: dict[str, list[float]] = {k: [] for k in forms}
            for f in forms.values():
                f(a, out)
            number = max(1, 2_000_000 // a.size)
            for _ in range(args.repeats):
                for k, f in forms.items():
                    t0 = time.perf_counter()
                    for _ in range(number):
                        f(a, out)
                    times[k].append((time.perf_counter() - t0) / number)
            med = {k: statistics.median(v) * 1e6 for k, v in times.items()}
            before, now = med.values()
            cells = " ".join(f"{v:18.1f}us" for v in med.values())
            print(f"{np.dtype(dtype).name:8} {shape!s:12} {cells}   {now / before:.2f}x")
    grid = np.linspace(-745, 40, 2001)
    ref = np.array([exact(x) for x in grid])
    for k, f in forms.items():
        got = f(grid, np.empty_like(grid))
        ok = ref > 0
        rel = np.abs(got[ok] - ref[ok]) / ref[ok]
        print(f"{k}: worst relative error on [-745, 40] = {rel.max():.2e}")


if __name__ == "__main__":
    main()
