"""Case 7 (issue 24): byhand's compiled kernels (numba) against their NumPy paths.

Compile time as users see it: a fresh interpreter imports byhand and compiles every kernel
(``byhand.kernels.precompile``, float32 and float64) with an empty numba cache folder, then
a second one with that folder warm (numba's import included in both). Then each kernel's
module call, same process, same arrays, the NumPy path (``kernels.using("numpy")``) raced
against the compiled one (round-robin repeats of 50 calls): the LeNet-5-like CNN's layers
at batch 64, the MLP's first ReLU and its loss at batch 128, the perceptron's MNIST 0-vs-1
epoch, k-NN's prediction of 500 test images. The ratio numpy/numba is the speed-up of the
compiled loop (a kernel is kept only where it is > 1).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _common import Context, Row, Timed, fastest, median, quiet, race, ratio
from _common import timer as start_timer

_COMPILE = """
import time
t = time.perf_counter()
from byhand import kernels
kernels.precompile()
print(time.perf_counter() - t)
"""


def _compile_run(env: dict[str, str]) -> float:
    out = subprocess.run([sys.executable, "-c", _COMPILE], env=env, capture_output=True, text=True)
    if out.returncode != 0:  # say why, rather than a bare NaN in the table
        print(f"  compile run failed:\n{out.stderr[-2000:]}", file=sys.stderr)
        return float("nan")
    return float(out.stdout.strip().splitlines()[-1])


def compile_seconds(empty: bool = True) -> tuple[float, float]:
    """(empty cache, warm cache): seconds to import byhand and compile every kernel; with
    ``empty`` false (the smoke test) only the warm time, in byhand's own cache folder.

    Empty: a fresh interpreter with a new, empty NUMBA_CACHE_DIR (numba then looks nowhere
    else); warm: a second one with that folder as the first left it. The warm figure is NaN
    when the first run cached nothing there (nothing to be warm with)."""
    env = {k: v for k, v in os.environ.items() if k != "BYHAND_KERNELS"}
    if not empty:
        _compile_run(env)
        return float("nan"), _compile_run(env)
    with tempfile.TemporaryDirectory() as cache:
        env["NUMBA_CACHE_DIR"] = cache
        cold = _compile_run(env)
        if not any(Path(cache).rglob("*.nbi")):  # numba's index files: one per kernel
            print("  the empty-cache run cached no kernel: no warm figure", file=sys.stderr)
            return cold, float("nan")
        return cold, _compile_run(env)


def _calls(fn: Callable[[], Any], backend: str, n: int) -> Timed:
    from byhand import kernels

    def run() -> float:
        with kernels.using(backend):
            t = start_timer()
            for _ in range(n):
                fn()
            return t()

    return run


def _layer(module: Any, x: np.ndarray, backend: str) -> Callable[[], Any]:
    """forward + backward of ``module`` on x, its buffers reused as inside ``fit``."""
    from byhand import kernels

    with kernels.using(backend):
        module._set_reuse(True)
        g = np.ones_like(module.forward(x))

    def step() -> None:
        module.forward(x)
        module.backward(g)

    return step


def _cases(ctx: Context) -> dict[str, Callable[[str], Callable[[], Any]]]:
    from byhand.linear_model import Perceptron
    from byhand.nn import AvgPool2d, Conv2d, CrossEntropyLoss, MaxPool2d, ReLU

    rng = np.random.default_rng(ctx.seed)
    a1 = rng.standard_normal((64, 6, 28, 28)).astype(np.float32)
    a2 = rng.standard_normal((64, 16, 10, 10)).astype(np.float32)
    x1 = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    x2 = rng.standard_normal((64, 6, 14, 14)).astype(np.float32)
    z = rng.standard_normal((128, 10)).astype(np.float32)
    h = rng.standard_normal((128, 256)).astype(np.float32)
    labels = rng.integers(0, 10, 128)
    d = ctx.data
    keep = (d.y_train == 0) | (d.y_train == 1)
    X01 = d.X_train[keep].astype(np.float64)
    y01 = np.where(d.y_train[keep] == 1, 1.0, -1.0)

    def loss(backend: str) -> Callable[[], Any]:
        ce = CrossEntropyLoss()

        def step() -> None:
            ce._forward(z, labels)
            ce.backward()

        return step

    def perceptron(backend: str) -> Callable[[], Any]:
        def epoch() -> None:
            with quiet():  # one epoch: the ConvergenceWarning is expected
                Perceptron(eta0=1.0, max_iter=1, shuffle=False).fit(X01, y01)

        return epoch

    def knn(backend: str) -> Callable[[], Any]:
        from byhand import kernels
        from byhand.neighbors import KNeighborsClassifier

        with kernels.using(backend):
            model = KNeighborsClassifier(11).fit(d.X_train, d.y_train)
        queries = d.X_test[:500]
        return lambda: model.predict(queries)

    return {
        "max pool 2x2, (64, 6, 28, 28)": lambda b: _layer(MaxPool2d(2), a1, b),
        "max pool 2x2, (64, 16, 10, 10)": lambda b: _layer(MaxPool2d(2), a2, b),
        "max pool 3x3 stride 1, (64, 16, 10, 10)": lambda b: _layer(MaxPool2d(3, 1), a2, b),
        "avg pool 2x2, (64, 6, 28, 28)": lambda b: _layer(AvgPool2d(2), a1, b),
        "conv 1 (1→6, 5x5, padding 2), batch 64": lambda b: _layer(
            Conv2d(1, 6, 5, padding=2), x1, b
        ),
        "conv 2 (6→16, 5x5), batch 64": lambda b: _layer(Conv2d(6, 16, 5), x2, b),
        "softmax cross-entropy (128, 10)": loss,
        "ReLU(inplace=True), (128, 256)": lambda b: _layer(ReLU(inplace=True), h, b),
        "perceptron epoch, MNIST 0-vs-1": perceptron,
        "k-NN (K = 11) predict, 500 queries": knn,
    }


def whole(name: str) -> bool:
    """Cases timed one call at a time (an epoch, a prediction), not 50."""
    return "perceptron" in name or "k-NN" in name


def run(ctx: Context) -> list[Row]:
    from byhand import kernels

    if kernels.backend() != "numba":
        ctx.log("  numba not available: byhand runs on NumPy, nothing to compare")
        return [Row("7 kernels", "compile, empty cache (s)", float("nan"), unit="s")]
    empty, warm = compile_seconds(empty=ctx.sizes.name != "tiny")
    ctx.log(f"  import byhand + compile every kernel: empty cache {empty:.2f} s, warm {warm:.2f} s")
    rows = [
        Row("7 kernels", "compile, empty cache (s)", empty, unit="s", best=empty),
        Row("7 kernels", "compile, warm cache (s)", warm, unit="s", best=warm),
    ]
    calls = 2 if ctx.sizes.name == "tiny" else 50
    for name, make in _cases(ctx).items():
        contenders: dict[str, Timed | None] = {
            b: _calls(make(b), b, 1 if whole(name) else calls) for b in ("numpy", "numba")
        }
        times = race(contenders, ctx.sizes.repeats)
        med = {k: median(v) for k, v in times.items()}
        best = {k: fastest(v) for k, v in times.items()}
        per = 1 if whole(name) else calls
        ctx.log(
            f"  {name:42s} numpy {1e3 * med['numpy'] / per:.3f} ms, "
            f"numba {1e3 * med['numba'] / per:.3f} ms per call"
        )
        rows.append(
            Row(
                "7 kernels",
                f"numpy / numba: {name}",
                ratio(med["numpy"], med["numba"]),
                1.0,
                True,
                best=ratio(best["numpy"], best["numba"]),
            )
        )
    return rows
