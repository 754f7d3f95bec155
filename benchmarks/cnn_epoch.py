"""Case ``cnn``: one MNIST epoch of the LeNet-5-like network, byhand vs PyTorch eager.

conv 5×5 (6, padding 2) → max pool 2 → ReLU → conv 5×5 (16) → max pool 2 → ReLU → dense
400-120-84-10, softmax cross-entropy; SGD lr 0.05, momentum 0.9, batch 64, float32,
reshuffled (issue 15). Contenders, in one process, same data, same threads:

- ``byhand nn+fit``: ``byhand.nn`` layers trained by ``byhand.fit``, its compiled loops on
  every core (``kernels.threads``; one by default);
- ``byhand CNNClassifier``: the estimator (its default network) with ``n_jobs=-1`` (every
  core; its default, ``n_jobs=None``, is one thread: the ``… 1 thread`` row);
- ``pytorch``: the same network in PyTorch eager on the CPU (its default initialisation);
- the same with one thread each (``… 1 thread``: BLAS, byhand's compiled loops and PyTorch's
  intra-op pool), the fair comparison on a machine whose other cores are busy;
- ``floor``: the epoch's convolution and dense products alone on preallocated buffers — the
  im2col products (forward W·cols, backward dW = G colsᵀ and dcols = Wᵀ G for the second
  convolution) and the dense layers' products — with no im2col copies, pooling or updates.

Also printed: the peak memory (tracemalloc, NumPy's allocations) of one byhand epoch.
"""

from __future__ import annotations

import itertools
import tracemalloc
from typing import Any

import numpy as np
from _common import Context, Row, Timed, fastest, fmt_ratio, fmt_s, median, optional, quiet, race
from _common import timer as start_timer

BATCH = 64
LR = 0.05
MOMENTUM = 0.9
DENSE = (400, 120, 84, 10)


def images(X: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(X.reshape(-1, 1, 28, 28))


def build_byhand(seed: int) -> Any:
    from byhand import nn

    rng = np.random.default_rng(seed)
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2, random_state=rng),
        nn.MaxPool2d(2),
        nn.ReLU(inplace=True),
        nn.Conv2d(6, 16, 5, random_state=rng),
        nn.MaxPool2d(2),
        nn.ReLU(inplace=True),
        nn.Flatten(),
        nn.Linear(400, 120, random_state=rng),
        nn.ReLU(inplace=True),
        nn.Linear(120, 84, random_state=rng),
        nn.ReLU(inplace=True),
        nn.Linear(84, 10, random_state=rng),
        input_grad=False,
    )


def byhand_epoch(ctx: Context, X: np.ndarray, y: np.ndarray) -> Any:
    from byhand import fit, nn, optim

    model = build_byhand(ctx.seed)
    opt = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        X,
        y,
        epochs=1,
        batch_size=BATCH,
        random_state=ctx.seed,
        verbose=0,
    )
    return model


def byhand_raw(
    ctx: Context, X: np.ndarray, y: np.ndarray, out: dict[str, Any], threads: int | None = None
) -> Timed:
    """byhand.nn + fit with its compiled loops on ``threads`` (None: every core; they run on
    one unless asked, ``kernels.threads``)."""
    import os

    from byhand import kernels

    def run() -> float:
        with kernels.threads(threads or os.cpu_count() or 1):
            t = start_timer()
            out["model"] = byhand_epoch(ctx, X, y)
            return t()

    return run


def byhand_estimator(
    ctx: Context, X: np.ndarray, y: np.ndarray, out: dict[str, Any], n_jobs: int | None = -1
) -> Timed:
    from byhand import CNNClassifier

    def run() -> float:
        est = CNNClassifier(
            max_iter=1,
            tol=None,
            learning_rate=LR,
            momentum=MOMENTUM,
            batch_size=BATCH,
            random_state=ctx.seed,
            n_jobs=n_jobs,
        )
        t = start_timer()
        with quiet():
            est.fit(X, y)
        elapsed = t()
        out["model"] = est
        return elapsed

    return run


def build_torch(torch: Any, seed: int) -> Any:
    torch.manual_seed(seed)
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        nn.MaxPool2d(2),
        nn.ReLU(inplace=True),
        nn.Conv2d(6, 16, 5),
        nn.MaxPool2d(2),
        nn.ReLU(inplace=True),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.ReLU(inplace=True),
        nn.Linear(120, 84),
        nn.ReLU(inplace=True),
        nn.Linear(84, 10),
    )


def torch_eager(ctx: Context, X: np.ndarray, y: np.ndarray, out: dict[str, Any]) -> Timed | None:
    torch = optional("torch")
    if torch is None:
        return None
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    n = X.shape[0]
    gen = torch.Generator().manual_seed(ctx.seed)

    def run() -> float:
        model = build_torch(torch, ctx.seed)
        opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
        loss_fn = torch.nn.CrossEntropyLoss()
        t = start_timer()
        perm = torch.randperm(n, generator=gen)
        for s in range(0, n, BATCH):
            idx = perm[s : s + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        elapsed = t()
        out["model"] = model
        return elapsed

    return run


def one_thread(run: Timed | None) -> Timed | None:
    """The same contender with BLAS and PyTorch's intra-op pool limited to one thread."""
    if run is None:
        return None

    def wrapped() -> float:
        from byhand._validation import one_blas_thread

        torch = optional("torch")
        before = torch.get_num_threads() if torch is not None else None
        if torch is not None:
            torch.set_num_threads(1)
        try:
            with one_blas_thread():
                return run()
        finally:
            if torch is not None:
                torch.set_num_threads(before)

    return wrapped


def matmul_floor(ctx: Context, X: np.ndarray) -> Timed:
    """The products of the epoch alone (the shapes byhand's im2col layers multiply)."""
    rng = np.random.default_rng(ctx.seed)
    n = X.shape[0]

    def arr(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    sizes = sorted({min(BATCH, n - s) for s in range(0, n, BATCH)})
    w1, w2 = arr(6, 25), arr(16, 150)
    dw1, dw2 = np.empty_like(w1), np.empty_like(w2)
    W = [arr(a, b) for a, b in itertools.pairwise(DENSE)]
    dW = [np.empty_like(w) for w in W]
    bufs = {}
    for m in sizes:
        bufs[m] = {
            "cols1": arr(25, m * 784),
            "y1": np.empty((6, m * 784), np.float32),
            "cols2": arr(150, m * 100),
            "y2": np.empty((16, m * 100), np.float32),
            "dcols2": np.empty((150, m * 100), np.float32),
            "a": [arr(m, d) for d in DENSE],
            "g": [arr(m, d) for d in DENSE],
        }

    def run() -> float:
        t = start_timer()
        for s in range(0, n, BATCH):
            b = bufs[min(BATCH, n - s)]
            np.matmul(w1, b["cols1"], out=b["y1"])
            np.matmul(w2, b["cols2"], out=b["y2"])
            a, g = b["a"], b["g"]
            for i, w in enumerate(W):
                np.matmul(a[i], w, out=a[i + 1])
            for i in range(len(W) - 1, -1, -1):
                np.matmul(a[i].T, g[i + 1], out=dW[i])
                np.matmul(g[i + 1], W[i].T, out=g[i])  # i = 0: the gradient into conv 2
            np.matmul(b["y2"], b["cols2"].T, out=dw2)
            np.matmul(w2.T, b["y2"], out=b["dcols2"])
            np.matmul(b["y1"], b["cols1"].T, out=dw1)
        return t()

    return run


def accuracy(name: str, model: Any, X: np.ndarray, y: np.ndarray) -> float:
    if model is None:
        return float("nan")
    if name == "pytorch":
        import torch

        with torch.no_grad():
            return float((model(torch.from_numpy(X)).argmax(1).numpy() == y).mean())
    if hasattr(model, "predict"):
        return float(np.mean(model.predict(X) == y))
    from byhand.nn.dropout import set_training

    set_training(model, False)
    z = np.concatenate([model.forward(X[s : s + 1000]).copy() for s in range(0, len(X), 1000)])
    return float(np.mean(np.argmax(z, axis=1) == y))


def peak_mib(ctx: Context, X: np.ndarray, y: np.ndarray) -> float:
    """Peak of NumPy's traced allocations during one byhand epoch, beyond the data, in MiB."""
    tracemalloc.start()
    try:
        byhand_epoch(ctx, X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def run(ctx: Context) -> list[Row]:
    d = ctx.data
    X, y = images(d.X_train), d.y_train
    Xt = images(d.X_test)
    ctx.log(
        f"LeNet-5-like CNN, batch {BATCH}, SGD lr {LR} momentum {MOMENTUM}, float32, one "
        f"shuffled epoch on {X.shape[0]} images"
    )
    names = (
        "byhand nn+fit",
        "byhand CNNClassifier",
        "pytorch",
        "floor",
        "byhand nn+fit 1 thread",
        "byhand CNNClassifier 1 thread",
        "pytorch 1 thread",
        "floor 1 thread",
    )
    models: dict[str, dict[str, Any]] = {k: {} for k in names}
    contenders: dict[str, Timed | None] = {
        "byhand nn+fit": byhand_raw(ctx, X, y, models["byhand nn+fit"]),
        "byhand CNNClassifier": byhand_estimator(ctx, X, y, models["byhand CNNClassifier"]),
        "pytorch": torch_eager(ctx, X, y, models["pytorch"]),
        "floor": matmul_floor(ctx, X),
        "byhand nn+fit 1 thread": one_thread(
            byhand_raw(ctx, X, y, models["byhand nn+fit 1 thread"], threads=1)
        ),
        "byhand CNNClassifier 1 thread": one_thread(
            byhand_estimator(ctx, X, y, models["byhand CNNClassifier 1 thread"], n_jobs=None)
        ),
        "pytorch 1 thread": one_thread(torch_eager(ctx, X, y, models["pytorch 1 thread"])),
        "floor 1 thread": one_thread(matmul_floor(ctx, X)),
    }
    times = race(contenders, ctx.sizes.repeats)
    med = {k: median(v) for k, v in times.items()}
    for k, t in med.items():
        model = models[k].get("model")
        acc = accuracy(k.replace(" 1 thread", ""), model, Xt, d.y_test) if model else float("nan")
        extra = f"  test accuracy {100 * acc:.2f}%" if acc == acc else ""
        ctx.log(f"  {k:22s} {fmt_s(t)}  (all: {', '.join(f'{x:.3f}' for x in times[k])}){extra}")
    ctx.log(f"  peak memory of one byhand epoch (tracemalloc): {peak_mib(ctx, X, y):.1f} MiB")
    best = {k: fastest(v) for k, v in times.items()}
    pairs = [
        ("pytorch / byhand nn+fit", "pytorch", "byhand nn+fit", 1.0, True),
        ("byhand nn+fit / floor", "byhand nn+fit", "floor", 1.3, False),
        ("byhand CNNClassifier / floor", "byhand CNNClassifier", "floor", 1.3, False),
        ("pytorch / byhand CNNClassifier", "pytorch", "byhand CNNClassifier", 1.0, True),
        (
            "pytorch / byhand, 1 thread each",
            "pytorch 1 thread",
            "byhand nn+fit 1 thread",
            1.0,
            True,
        ),
        (
            "pytorch / CNNClassifier, 1 thread each",
            "pytorch 1 thread",
            "byhand CNNClassifier 1 thread",
            1.0,
            True,
        ),
        ("byhand / floor, 1 thread", "byhand nn+fit 1 thread", "floor 1 thread", 1.3, False),
    ]
    rows = [
        Row("6 CNN epoch", m, _ratio(med[a], med[b]), t, hib, best=_ratio(best[a], best[b]))
        for m, a, b, t, hib in pairs
    ]
    for r in rows:
        ctx.log(f"  {r.measure:32s} {fmt_ratio(r.value)}  (fastest runs: {fmt_ratio(r.best)})")
    from _common import gflops_rows

    flops = epoch_flops(X.shape[0])
    ctx.log(f"  the epoch's products: {flops / 1e9:.1f} GFLOP")
    return rows + gflops_rows("6 CNN epoch", flops, med, best, 256 if X.shape[0] < 5000 else 2048)


def epoch_flops(n: int) -> float:
    """FLOPs of the epoch's products (those of ``matmul_floor``): per image, conv 1 forward
    and weight gradient (6×25 by 25×784), conv 2 forward, weight and input gradients
    (16×150 by 150×100), and the dense layers' forward and both gradients."""
    conv1 = 2 * 6 * 25 * 784 * 2
    conv2 = 2 * 16 * 150 * 100 * 3
    dense = 6 * sum(a * b for a, b in itertools.pairwise(DENSE))
    return float(n * (conv1 + conv2 + dense))


def _ratio(a: float, b: float) -> float:
    from _common import ratio

    return ratio(a, b)
