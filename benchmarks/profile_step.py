"""Where one training step's time goes: ``python benchmarks/profile_step.py cnn|mlp``.

Runs one MNIST epoch of the ``cnn`` (or ``mlp``) case's byhand network through ``byhand.fit``
exactly as the benchmark does, with each module's ``forward``/``backward`` (and the loss and
the optimizer's step) timed in place, and prints the milliseconds per step of each, with
what is left (``fit``'s own work: the shuffle, the minibatch gather, Python). ``--threads 1``
runs BLAS and byhand's compiled loops on one thread, ``--threads 2`` the loops on two.
Timing each call adds a few µs per call; the total is printed beside the untimed epoch's.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections import defaultdict
from typing import Any

import numpy as np
from _common import Sizes, load_data


def _timed(fn: Any, key: str, acc: dict[str, float]) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            acc[key] += time.perf_counter() - t

    return wrapper


def profile(case: str, n: int, seed: int = 0) -> None:
    from byhand import fit, nn, optim

    if case == "cnn":
        import cnn_epoch as mod

        batch, lr, momentum = mod.BATCH, mod.LR, mod.MOMENTUM
        net = mod.build_byhand(seed)
    else:
        import mlp_epoch as mod

        batch, lr, momentum = mod.BATCH, mod.LR, 0.0
        net = mod.build_byhand(seed)
    data = load_data(Sizes("profile", n, 10, 1))
    X = mod.images(data.X_train) if case == "cnn" else data.X_train
    y = data.y_train

    def epoch(model: Any, loss: Any, opt: Any) -> float:
        t = time.perf_counter()
        fit(model, loss, opt, X, y, epochs=1, batch_size=batch, random_state=seed, verbose=0)
        return time.perf_counter() - t

    warm = mod.build_byhand(seed)
    epoch(warm, nn.CrossEntropyLoss(), optim.SGD(warm.parameters(), lr=lr, momentum=momentum))
    plain = mod.build_byhand(seed)
    untimed = epoch(
        plain, nn.CrossEntropyLoss(), optim.SGD(plain.parameters(), lr=lr, momentum=momentum)
    )
    acc: dict[str, float] = defaultdict(float)
    for i, m in enumerate(net.modules):
        name = f"{i:2d} {type(m).__name__}"
        for method in ("forward", "backward", "backward_params"):
            setattr(m, method, _timed(getattr(m, method), f"{name}.{method}", acc))
    loss = nn.CrossEntropyLoss()
    for method in ("forward", "backward"):
        setattr(loss, method, _timed(getattr(loss, method), f"loss.{method}", acc))
    opt = optim.SGD(net.parameters(), lr=lr, momentum=momentum)
    opt.step = _timed(opt.step, "optimizer.step", acc)
    total = epoch(net, loss, opt)
    steps = -(-len(X) // batch)
    print(f"{case}: {len(X)} samples, batch {batch}, {steps} steps")
    per_step = 1e3 * untimed / steps
    print(f"  epoch {total:.3f} s timed, {untimed:.3f} s untimed ({per_step:.3f} ms/step)")
    for key, t in sorted(acc.items(), key=lambda kv: -kv[1]):
        print(f"  {key:32s} {1e3 * t / steps:7.3f} ms/step  {100 * t / total:5.1f}%")
    rest = total - sum(acc.values())
    name = "fit (gather, shuffle, Python)"
    print(f"  {name:32s} {1e3 * rest / steps:7.3f} ms/step  {100 * rest / total:5.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=("cnn", "mlp"))
    parser.add_argument("--n", type=int, default=60000, help="training images (default all)")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="1: BLAS and the compiled loops on one thread; n > 1: the compiled loops on n "
        "(default: BLAS's own threads, the loops on one)",
    )
    args = parser.parse_args()
    if args.threads == 1:
        from byhand._validation import one_blas_thread

        with one_blas_thread():
            profile(args.case, args.n)
    else:
        from byhand import kernels

        with kernels.threads(args.threads):
            profile(args.case, args.n)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
