"""Case 2: forward-only vs forward+backward for the MLP of case 1 (EE-559 3.6).

The lecture's rule of thumb: the backward pass costs about twice the forward, since each
layer's forward product X W is matched by two backward products, dW = Xᵀ G and dX = G Wᵀ.
The network's input is data, so training never needs its dX: ``Sequential(input_grad=False)``
skips that product, the largest of the backward pass (784×256 per sample), and by FLOPs the
backward then costs about 1.15 forwards.

Each batch is timed in two phases inside one loop over an epoch of minibatches (forward =
model + loss forward; backward = loss backward + model backward, after ``zero_grad``), under
``reuse_buffers`` as ``byhand.fit`` runs them; the reported ratio is Σ backward / Σ forward,
median over the repeats. PyTorch's ratio is measured the same way, for reference.
"""

from __future__ import annotations

import time

import _common
from _common import Context, Row, median, optional
from mlp_epoch import BATCH, build_byhand, build_torch, epoch_flops


def byhand_phases(ctx: Context, input_grad: bool) -> tuple[float, float]:
    from byhand import nn
    from byhand.nn.module import reuse_buffers

    X, y = ctx.data.X_train, ctx.data.y_train
    model = build_byhand(ctx.seed, input_grad=input_grad)
    loss = nn.CrossEntropyLoss()
    fwd = bwd = 0.0
    clock = time.perf_counter
    with reuse_buffers(model, loss):
        for s in range(0, X.shape[0], BATCH):
            xb, yb = X[s : s + BATCH], y[s : s + BATCH]
            t0 = clock()
            loss._forward(model.forward(xb), yb)
            t1 = clock()
            model.zero_grad()
            model.backward(loss.backward())
            t2 = clock()
            fwd += t1 - t0
            bwd += t2 - t1
    return fwd, bwd


def torch_phases(ctx: Context) -> tuple[float, float] | None:
    torch = optional("torch")
    if torch is None:
        return None
    model = build_torch(torch, ctx.seed)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(ctx.data.X_train), torch.from_numpy(ctx.data.y_train)
    fwd = bwd = 0.0
    clock = time.perf_counter
    for s in range(0, Xt.shape[0], BATCH):
        xb, yb = Xt[s : s + BATCH], yt[s : s + BATCH]
        t0 = clock()
        loss = loss_fn(model(xb), yb)
        t1 = clock()
        model.zero_grad()
        loss.backward()
        t2 = clock()
        fwd += t1 - t0
        bwd += t2 - t1
    return fwd, bwd


def run(ctx: Context) -> list[Row]:
    n = ctx.data.X_train.shape[0]
    flops = {ig: epoch_flops(n, input_grad=ig) for ig in (False, True)}
    fl = flops[False]
    ctx.log(
        f"FLOPs per epoch ({n} images): forward {fl['forward'] / 1e9:.2f} G, backward "
        f"{fl['backward'] / 1e9:.2f} G without the input gradient, "
        f"{flops[True]['backward'] / 1e9:.2f} G with it"
    )
    flop_ratio = {ig: f["backward"] / f["forward"] for ig, f in flops.items()}
    contenders = {
        "byhand input_grad=False": lambda: byhand_phases(ctx, False),
        "byhand input_grad=True": lambda: byhand_phases(ctx, True),
        "pytorch": lambda: torch_phases(ctx),
    }
    for f in contenders.values():  # warm-up
        f()
    ratios: dict[str, list[float]] = {k: [] for k in contenders}
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in contenders}
    for _ in range(max(ctx.sizes.repeats, 3)):
        for k, f in contenders.items():
            time.sleep(_common.PAUSE)  # let the other library's spinning threads sleep
            r = f()
            if r is not None:
                times[k].append(r)
                ratios[k].append(r[1] / r[0])
    med = {k: median(v) for k, v in ratios.items()}
    for k, v in times.items():
        if not v:
            ctx.log(f"  {k:26s} n/a")
            continue
        fwd = median([a for a, _ in v])
        bwd = median([b for _, b in v])
        ctx.log(
            f"  {k:26s} forward {fwd:.3f} s, backward {bwd:.3f} s, "
            f"backward/forward {med[k]:.2f} (all: {', '.join(f'{x:.2f}' for x in ratios[k])})"
        )
    ctx.log(
        f"  by FLOPs: backward/forward {flop_ratio[False]:.3f} (input_grad=False), "
        f"{flop_ratio[True]:.3f} (input_grad=True)"
    )
    # Fastest runs: the smallest forward and the smallest backward time of each contender.
    best = {
        k: (min(b for _, b in v) / min(f for f, _ in v) if v else float("nan"))
        for k, v in times.items()
    }
    return [
        Row(
            "2 backward",
            "bwd/fwd time, input_grad=False",
            med["byhand input_grad=False"],
            1.3,
            higher_is_better=False,
            best=best["byhand input_grad=False"],
        ),
        Row(
            "2 backward",
            "bwd/fwd time, input_grad=True",
            med["byhand input_grad=True"],
            best=best["byhand input_grad=True"],
        ),
        Row("2 backward", "bwd/fwd time, pytorch", med["pytorch"], best=best["pytorch"]),
        Row("2 backward", "bwd/fwd FLOPs, input_grad=False", round(flop_ratio[False], 3)),
        Row("2 backward", "bwd/fwd FLOPs, input_grad=True", round(flop_ratio[True], 3)),
    ]
