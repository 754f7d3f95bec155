"""Case 1: one epoch of an MLP 784-256-128-10 on MNIST, byhand vs PyTorch vs scikit-learn.

ReLU, softmax cross-entropy, plain SGD (lr 0.1, no momentum, no weight decay), batch 128,
float32, reshuffled. Contenders: the raw ``byhand.nn`` + ``byhand.fit`` path (with
``input_grad=False``), byhand's ``MLPClassifier`` (when it exists), PyTorch eager on the CPU,
scikit-learn's ``MLPClassifier`` (solver sgd, momentum 0, alpha 0, max_iter=1), and the FLOOR:
the epoch's matrix products alone on preallocated buffers (forward X W per layer; backward
dW = Xᵀ G per layer and dX = G Wᵀ for all but the first).
"""

from __future__ import annotations

import inspect
import itertools
from typing import Any

import numpy as np
from _common import (
    Context,
    Row,
    Timed,
    fastest,
    fmt_ratio,
    fmt_s,
    gflops_rows,
    median,
    optional,
    quiet,
    race,
    ratio,
)
from _common import timer as start_timer

LAYERS = (784, 256, 128, 10)
HIDDEN = LAYERS[1:-1]
BATCH = 128
LR = 0.1


def epoch_flops(
    n: int, layers: tuple[int, ...] = LAYERS, input_grad: bool = False
) -> dict[str, float]:
    """Multiply-adds ×2 of one epoch's products: forward, backward (dW, and dX per layer)."""
    pairs = list(itertools.pairwise(layers))
    fwd = sum(2 * a * b for a, b in pairs) * n
    dw = fwd
    dx = sum(2 * a * b for a, b in (pairs if input_grad else pairs[1:])) * n
    return {"forward": fwd, "backward": dw + dx}


# -- byhand --------------------------------------------------------------------------------
def build_byhand(seed: int, input_grad: bool = False) -> Any:
    from byhand import nn

    mods: list[Any] = []
    for i, (a, b) in enumerate(itertools.pairwise(LAYERS)):
        mods.append(nn.Linear(a, b, random_state=seed + i))
        if i < len(LAYERS) - 2:
            mods.append(nn.ReLU(inplace=True))
    return nn.Sequential(*mods, input_grad=input_grad)


def byhand_raw(ctx: Context, X: np.ndarray, y: np.ndarray, out: dict[str, Any]) -> Timed:
    from byhand import fit, nn, optim

    def run() -> float:
        model = build_byhand(ctx.seed)
        loss = nn.CrossEntropyLoss()
        opt = optim.SGD(model.parameters(), lr=LR)
        t = start_timer()
        fit(
            model,
            loss,
            opt,
            X,
            y,
            epochs=1,
            batch_size=BATCH,
            shuffle=True,
            random_state=ctx.seed,
            verbose=0,
        )
        elapsed = t()
        out["model"] = model
        return elapsed

    return run


def byhand_estimator(
    ctx: Context, X: np.ndarray, y: np.ndarray, out: dict[str, Any]
) -> Timed | None:
    cls = optional("byhand.neural_network", "MLPClassifier")
    if cls is None:
        return None
    accepted = inspect.signature(cls).parameters
    wanted = {
        "hidden_layer_sizes": HIDDEN,
        "activation": "relu",
        "solver": "sgd",
        "batch_size": BATCH,
        "momentum": 0.0,
        "alpha": 0.0,
        "max_iter": 1,
        "tol": None,
        "shuffle": True,
        "random_state": ctx.seed,
        "verbose": 0,
        "early_stopping": False,
        "dtype": "float32",
    }
    if "learning_rate_init" in accepted:  # scikit-learn's spelling
        wanted.update(learning_rate_init=LR, learning_rate="constant")
    else:
        wanted["learning_rate"] = LR
    kwargs = {k: v for k, v in wanted.items() if k in accepted}

    def run() -> float:
        est = cls(**kwargs)
        t = start_timer()
        with quiet():
            est.fit(X, y)
        elapsed = t()
        out["model"] = est
        return elapsed

    return run


# -- peers ---------------------------------------------------------------------------------
def build_torch(torch: Any, seed: int) -> Any:
    """The same MLP in PyTorch (its own default initialisation, seeded)."""
    torch.manual_seed(seed)
    mods: list[Any] = []
    for i, (a, b) in enumerate(itertools.pairwise(LAYERS)):
        mods.append(torch.nn.Linear(a, b))
        if i < len(LAYERS) - 2:
            mods.append(torch.nn.ReLU(inplace=True))
    return torch.nn.Sequential(*mods)


def torch_eager(ctx: Context, X: np.ndarray, y: np.ndarray, out: dict[str, Any]) -> Timed | None:
    torch = optional("torch")
    if torch is None:
        return None
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    n = X.shape[0]
    gen = torch.Generator().manual_seed(ctx.seed)

    def run() -> float:
        model = build_torch(torch, ctx.seed)
        opt = torch.optim.SGD(model.parameters(), lr=LR)
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


def sklearn_mlp(ctx: Context, X: np.ndarray, y: np.ndarray, out: dict[str, Any]) -> Timed:
    from sklearn.neural_network import MLPClassifier

    def run() -> float:
        est = MLPClassifier(
            hidden_layer_sizes=HIDDEN,
            activation="relu",
            solver="sgd",
            alpha=0.0,
            batch_size=BATCH,
            learning_rate="constant",
            learning_rate_init=LR,
            momentum=0.0,
            nesterovs_momentum=False,
            max_iter=1,
            shuffle=True,
            random_state=ctx.seed,
            tol=0.0,
        )
        t = start_timer()
        with quiet():
            est.fit(X, y)
        elapsed = t()
        out["model"] = est
        return elapsed

    return run


# -- a plain NumPy loop: what a careful hand-written script does, for reference ---------------
def numpy_loop(ctx: Context, X: np.ndarray, y: np.ndarray, out: dict[str, Any]) -> Timed:
    """The same training written as one flat loop over preallocated buffers (no framework)."""
    n = X.shape[0]
    pairs = list(itertools.pairwise(LAYERS))

    def run() -> float:
        rng = np.random.default_rng(ctx.seed)
        W = [
            (rng.uniform(-1, 1, (a, b)) * np.sqrt(6 / (a + b))).astype(np.float32) for a, b in pairs
        ]
        b = [np.zeros(k, np.float32) for k in LAYERS[1:]]
        dW = [np.empty_like(w) for w in W]
        db = [np.empty_like(v) for v in b]
        upd = [np.empty_like(w) for w in W]
        bufs: dict[int, tuple[list[np.ndarray], ...]] = {}
        t = start_timer()
        order = rng.permutation(n)
        for s in range(0, n, BATCH):
            idx = order[s : s + BATCH]
            m = idx.size
            if m not in bufs:
                bufs[m] = (
                    [np.empty((m, LAYERS[0]), np.float32)],
                    [np.empty((m, k), np.float32) for k in LAYERS[1:]],
                    [np.empty((m, k), np.float32) for k in LAYERS[1:-1]],
                    [np.arange(m)],
                )
            (xb,), a, g, (rows,) = bufs[m]
            np.take(X, idx, axis=0, out=xb)
            inputs = [xb, *a[:-1]]
            for i in range(len(W)):
                np.matmul(inputs[i], W[i], out=a[i])
                a[i] += b[i]
                if i < len(W) - 1:
                    np.maximum(a[i], 0, out=a[i])
            p = a[-1]  # softmax in place, then its cross-entropy gradient (p − onehot)/m
            p -= p.max(axis=1, keepdims=True)
            np.exp(p, out=p)
            p /= p.sum(axis=1, keepdims=True)
            p[rows, y[idx]] -= 1
            p *= 1.0 / m
            grad = p
            for i in range(len(W) - 1, -1, -1):
                np.matmul(inputs[i].T, grad, out=dW[i])
                np.sum(grad, axis=0, out=db[i])
                if i > 0:
                    np.matmul(grad, W[i].T, out=g[i - 1])
                    g[i - 1] *= inputs[i] > 0
                    grad = g[i - 1]
            for w, dw, u in zip(W, dW, upd, strict=True):
                np.multiply(dw, LR, out=u)
                w -= u
            for v, dv in zip(b, db, strict=True):
                v -= LR * dv
        elapsed = t()
        out["model"] = (W, b)
        return elapsed

    return run


# -- the floor -----------------------------------------------------------------------------
def matmul_floor(ctx: Context, X: np.ndarray, input_grad: bool = False) -> Timed:
    """The epoch's matrix products alone, written into buffers allocated beforehand."""
    rng = np.random.default_rng(ctx.seed)
    pairs = list(itertools.pairwise(LAYERS))
    W = [(rng.standard_normal((a, b)) / np.sqrt(a)).astype(np.float32) for a, b in pairs]
    dW = [np.empty_like(w) for w in W]
    n = X.shape[0]
    shapes = {min(BATCH, n - s) for s in range(0, n, BATCH)}
    acts = {m: [np.empty((m, d), np.float32) for d in LAYERS[1:]] for m in shapes}
    grads = {
        m: [rng.standard_normal((m, d)).astype(np.float32) * 1e-2 for d in LAYERS] for m in shapes
    }
    first = 0 if input_grad else 1

    def run() -> float:
        t = start_timer()
        for s in range(0, n, BATCH):
            xb = X[s : s + BATCH]
            m = xb.shape[0]
            a, g = acts[m], grads[m]
            inputs = [xb, *a[:-1]]
            for i, w in enumerate(W):
                np.matmul(inputs[i], w, out=a[i])
            for i in range(len(W) - 1, -1, -1):
                np.matmul(inputs[i].T, g[i + 1], out=dW[i])
                if i >= first:
                    np.matmul(g[i + 1], W[i].T, out=g[i])
        return t()

    return run


# -- accuracy, so that no contender is fast by being wrong -----------------------------------
def test_accuracy(name: str, model: Any, X: np.ndarray, y: np.ndarray) -> float:
    if model is None:
        return float("nan")
    if name == "pytorch":
        import torch

        with torch.no_grad():
            return float((model(torch.from_numpy(X)).argmax(1).numpy() == y).mean())
    if name == "numpy loop":
        W, b = model
        a = X
        for i, (w, v) in enumerate(zip(W, b, strict=True)):
            a = a @ w + v
            if i < len(W) - 1:
                a = np.maximum(a, 0)
        return float(np.mean(np.argmax(a, axis=1) == y))
    if hasattr(model, "predict"):
        return float(np.mean(model.predict(X) == y))
    return float(np.mean(np.argmax(model.forward(X), axis=1) == y))


def run(ctx: Context) -> list[Row]:
    d = ctx.data
    X, y = d.X_train, d.y_train
    flops = epoch_flops(X.shape[0])
    total = flops["forward"] + flops["backward"]
    ctx.log(
        f"MLP {'-'.join(map(str, LAYERS))}, batch {BATCH}, lr {LR}, one epoch on "
        f"{X.shape[0]} images; matrix products {total / 1e9:.1f} GFLOP"
    )
    models: dict[str, dict[str, Any]] = {
        k: {}
        for k in (
            "byhand nn+fit",
            "byhand MLPClassifier",
            "pytorch",
            "sklearn",
            "numpy loop",
            "floor",
        )
    }
    contenders: dict[str, Timed | None] = {
        "byhand nn+fit": byhand_raw(ctx, X, y, models["byhand nn+fit"]),
        "byhand MLPClassifier": byhand_estimator(ctx, X, y, models["byhand MLPClassifier"]),
        "pytorch": torch_eager(ctx, X, y, models["pytorch"]),
        "sklearn": sklearn_mlp(ctx, X, y, models["sklearn"]),
        "numpy loop": numpy_loop(ctx, X, y, models["numpy loop"]),
        "floor": matmul_floor(ctx, X),
    }
    times = race(contenders, ctx.sizes.repeats)
    med = {k: median(v) for k, v in times.items()}
    for k, t in med.items():
        acc = test_accuracy(k, models[k].get("model"), d.X_test, d.y_test)
        extra = ""
        if k == "floor":
            extra = f"  ({total / t / 1e9:.0f} GFLOP/s)" if t == t else ""
        elif acc == acc:
            extra = f"  test accuracy {100 * acc:.2f}%"
        ctx.log(f"  {k:22s} {fmt_s(t)}  (all: {', '.join(f'{x:.3f}' for x in times[k])}){extra}")
    best = {k: fastest(v) for k, v in times.items()}
    pairs = [  # (measure, numerator, denominator, target, higher is better)
        ("pytorch / byhand nn+fit", "pytorch", "byhand nn+fit", 1.5, True),
        ("sklearn / byhand nn+fit", "sklearn", "byhand nn+fit", 1.7, True),
        ("byhand nn+fit / floor", "byhand nn+fit", "floor", 1.15, False),
        ("numpy loop / byhand nn+fit", "numpy loop", "byhand nn+fit", None, True),
        ("numpy loop / floor", "numpy loop", "floor", None, False),
        ("pytorch / byhand MLPClassifier", "pytorch", "byhand MLPClassifier", 1.5, True),
        ("sklearn / byhand MLPClassifier", "sklearn", "byhand MLPClassifier", 1.7, True),
        ("byhand MLPClassifier / floor", "byhand MLPClassifier", "floor", 1.15, False),
    ]
    rows = [
        Row("1 MLP epoch", m, ratio(med[a], med[b]), t, hib, best=ratio(best[a], best[b]))
        for m, a, b, t, hib in pairs
    ]
    rows.append(
        Row("1 MLP epoch", "floor: matrix products (s)", med["floor"], unit="s", best=best["floor"])
    )
    for r in rows:
        ctx.log(f"  {r.measure:32s} {fmt_ratio(r.value)}  (fastest runs: {fmt_ratio(r.best)})")
    return rows + gflops_rows("1 MLP epoch", total, med, best, 256 if X.shape[0] < 5000 else 2048)
