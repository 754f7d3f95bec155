"""EE-559 3.5–3.6: gradient descent on logistic regression, back-propagation.

Experiments 24 and 25 of the reproduction:

- 24: EE-559 (Fleuret, EPFL, 2019), "3.5. Gradient descent": the loss
  ℒ(w, b) = −Σ_n log σ(y_n(w·x_n + b)) minimised by the lecture's ``gradient`` code and
  ``w -= eta * dw`` "With 100 training points and η = 10⁻¹", the boundary drawn at
  n = 0, 10, 10², 10³, 10⁴ iterations beside LDA's.
- 25: "3.6. Back-propagation": an MLP trained by byhand's forward/backward passes on MNIST,
  and the cost of the backward pass ("the rule of thumb is that the backward pass is twice
  more expensive than the forward one"), counted in FLOPs and measured in seconds.
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from byhand import nn, optim
from byhand.experiments import ExperimentResult, experiment
from byhand.nn.functional import sigmoid
from byhand.plotting import PALETTE, subplots
from byhand.training import evaluate, fit

LECTURE = "ee559-3"
SLIDE_GD = "3.5. Gradient descent"
SLIDE_BP = "3.6. Back-propagation"
SNAPSHOTS = (0, 10, 100, 1000, 10000)


# --------------------------------------------------------------------------- experiment 24


def lecture_gradient(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: float):
    """The lecture's ``gradient(x, y, w, b)`` in NumPy: u = y σ(−y(x·w + b)), v = x u.

    Returns (−Σ_n v_n, −Σ_n u_n) = (∂ℒ/∂w, ∂ℒ/∂b) for ℒ = −Σ_n log σ(y_n(w·x_n + b)).
    """
    u = y * sigmoid(-y * (x @ w + b))
    v = x * u[:, None]
    return -v.sum(0), -u.sum()


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    """Angle in degrees between two normal vectors of boundaries."""
    c = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
    return float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))


@experiment(
    "gd-logistic-lda",
    title="Gradient descent on logistic regression, n = 0 … 10⁴ iterations, beside LDA",
    lecture=LECTURE,
    number=24,
    covers=[
        ("ee559-3", "3.5. Gradient descent", "logistic regression"),
    ],
)
def gd_logistic_lda(seed: int, quick: bool) -> ExperimentResult:
    from byhand.datasets import make_gaussian_classes
    from byhand.discriminant_analysis import LinearDiscriminantAnalysis
    from byhand.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    # The lecture's data are not given. byhand's two Gaussian classes (shared Σ, the LDA model)
    # are scaled by 0.12: with the lecture's η = 10⁻¹ on the sum over 100 points, GD is then
    # stable and slow enough that the boundary visibly turns over n = 10, 10², 10³ before it
    # settles, as the slide's panels progress.
    scale = 0.12
    X, y01 = make_gaussian_classes(100, random_state=rng)
    X = scale * X
    y = 2.0 * y01 - 1.0
    Xt, yt01 = make_gaussian_classes(2000 if quick else 20000, random_state=rng)
    Xt = scale * Xt
    n, eta = len(y), 0.1
    w0 = rng.normal(size=2)  # "w, b = torch.empty(x.size(1)).normal_(), 0"
    res = ExperimentResult()

    # byhand's core: the loss there is the mean (1/N)Σ, so the step η on the sum is ε = η·N
    line = nn.Linear(2, 1, dtype=np.float64)
    line.weight.data[:, 0] = w0
    line.bias.data[...] = 0.0
    snaps = {0: (w0.copy(), 0.0)}

    def record(state) -> None:
        if state.epoch in SNAPSHOTS:
            snaps[state.epoch] = (line.weight.data[:, 0].copy(), float(line.bias.data[0]))

    fit(
        line,
        nn.LogisticLoss(),
        optim.SGD(line.parameters(), eta * n),
        X,
        y,
        epochs=max(SNAPSHOTS),
        batch_size=None,
        callbacks=[record],
        verbose=0,
    )
    # the lecture's loop, literally
    w, b = w0.copy(), 0.0
    lect = {0: (w.copy(), b)}
    path_loss = [float(np.sum(np.logaddexp(0, -y * (X @ w + b))))]
    for k in range(1, max(SNAPSHOTS) + 1):
        dw, db = lecture_gradient(X, y, w, b)
        w -= eta * dw
        b -= eta * db
        path_loss.append(float(np.sum(np.logaddexp(0, -y * (X @ w + b)))))
        if k in SNAPSHOTS:
            lect[k] = (w.copy(), b)
    gap = max(
        float(np.max(np.abs(np.r_[snaps[k][0], snaps[k][1]] - np.r_[lect[k][0], lect[k][1]])))
        for k in SNAPSHOTS
    )
    res.claim(
        LECTURE,
        SLIDE_GD,
        "the gradient ∂ℒ/∂b = −Σ y_n σ(−y_n(w·x_n + b)), ∂ℒ/∂w_d = −Σ x_{n,d} y_n σ(…) and "
        "“w -= eta * dw” (the lecture's code) take the same steps as byhand.fit",
        gap,
        gap <= 1e-9,
        kind="exact",
        detail="byhand: nn.Linear + LogisticLoss (mean over N) + SGD with ε = η·N, full batch; "
        "max |θ_byhand − θ_lecture| over the five snapshots",
        source="lecture",
        quote=(
            "$$\\frac{\\partial \\mathcal{L}}{\\partial b} = - \\sum_n \\underbrace{y_n "
            "\\sigma(-y_n(w \\cdot x_n + b))}_{u_n},$$"
        ),
        rule="max |lecture code's iterate − byhand.fit's| ≤ 1e-9",
    )
    sum_loss = {k: float(np.sum(np.logaddexp(0, -y * (X @ s[0] + s[1])))) for k, s in snaps.items()}
    losses = [sum_loss[k] for k in SNAPSHOTS]
    res.claim(
        LECTURE,
        SLIDE_GD,
        "with 100 training points and η = 10⁻¹ the loss ℒ(w, b) goes down along "
        "n = 0, 10, 10², 10³, 10⁴",
        {str(k): sum_loss[k] for k in SNAPSHOTS},
        bool(all(a >= b - 1e-9 for a, b in itertools.pairwise(losses)) and losses[-1] < losses[0]),
        kind="qualitative",
        detail="the lecture's data are not given: byhand's two Gaussian classes (shared Σ) "
        f"scaled by {scale}, a scale chosen so that GD with the lecture's η = 0.1 on the sum "
        "over 100 points is stable and the boundary turns visibly over n = 10 … 10³",
        source="lecture",
        quote="With 100 training points and  $\\eta = 10^{-1}$ .",
        rule="loss non-increasing over n = 0, 10, …, 10⁴ (1e-9 slack) and lower at the end",
    )
    newton = LogisticRegression(alpha=0.0, solver="newton", max_iter=100, tol=1e-12).fit(X, y01)
    w_star = np.r_[np.ravel(newton.coef_), np.ravel(newton.intercept_)]
    w_end = np.r_[snaps[max(SNAPSHOTS)][0], snaps[max(SNAPSHOTS)][1]]
    dist = float(np.max(np.abs(w_end - w_star)))
    res.claim(
        LECTURE,
        SLIDE_GD,
        "ℒ “cannot be minimized analytically”: gradient descent reaches its minimum (n = 10⁴)",
        dist,
        dist <= 1e-6,
        kind="numeric",
        detail="max |θ_GD − θ*| against byhand LogisticRegression(solver='newton', alpha=0)",
        source="lecture",
        quote="which cannot be minimized analytically.",
        rule="max |θ_GD − θ*| ≤ 1e-6, θ* from byhand's LogisticRegression(solver='newton')",
    )
    lda = LinearDiscriminantAnalysis().fit(X, y01)
    w_lda = np.r_[np.ravel(lda.coef_), np.ravel(lda.intercept_)]
    pred_lda = Xt @ w_lda[:2] + w_lda[2] >= 0
    agree = {k: float(np.mean((Xt @ s[0] + s[1] >= 0) == pred_lda)) for k, s in snaps.items()}
    angle = {k: _angle(s[0], w_lda[:2]) for k, s in snaps.items()}
    acc = {k: float(np.mean((Xt @ s[0] + s[1] >= 0) == (yt01 == 1))) for k, s in snaps.items()}
    acc_lda = float(np.mean(pred_lda == (yt01 == 1)))
    res.claim(
        LECTURE,
        SLIDE_GD,
        "after 10⁴ iterations the logistic boundary lies beside LDA's (figure n = 10⁴, LDA)",
        {"agreement": agree[max(SNAPSHOTS)], "angle°": angle[max(SNAPSHOTS)]},
        bool(agree[max(SNAPSHOTS)] >= 0.97 and agree[max(SNAPSHOTS)] > agree[0]),
        kind="qualitative",
        detail=f"fraction of {len(Xt)} fresh points on the same side of both boundaries "
        "(byhand's threshold ≥ 97 %; the two are different estimators of the same Bayes "
        "boundary, so they agree closely but not exactly)",
        source="byhand",
        reason=(
            "the slide's last panel shows the n = 10⁴ boundary beside LDA's without a number; "
            "0.97 agreement of the two classifiers' predictions is byhand's threshold"
        ),
        rule="agreement with LDA's predictions ≥ 97 % at n = 10⁴ and above n = 0's (threshold "
        "byhand's)",
    )
    res.table(
        "Boundary after n iterations against LDA's",
        ["n", "ℒ(w, b)", "angle to LDA (°)", "agreement with LDA", "test accuracy"],
        [
            [k, f"{sum_loss[k]:.4f}", f"{angle[k]:.2f}", f"{agree[k]:.4f}", f"{acc[k]:.4f}"]
            for k in SNAPSHOTS
        ]
        + [["LDA", "", "0", "1", f"{acc_lda:.4f}"]],
    )

    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 6.4), layout="constrained")
    axd = fig.subplot_mosaic([[f"n{k}" for k in SNAPSHOTS], ["loss"] * len(SNAPSHOTS)])
    x0 = np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, 50)

    def line_of(wv: np.ndarray, bv: float) -> np.ndarray:
        return -(wv[0] * x0 + bv) / wv[1]

    labels = {0: "n = 0", 10: "n = 10", 100: "n = 10²", 1000: "n = 10³", 10000: "n = 10⁴"}
    for i, k in enumerate(SNAPSHOTS):
        ax = axd[f"n{k}"]
        ax.scatter(*X[y01 == 0].T, s=10, color=PALETTE[0], label="y = −1")
        ax.scatter(*X[y01 == 1].T, s=10, color=PALETTE[1], label="y = +1")
        ax.plot(x0, line_of(w_lda[:2], w_lda[2]), "--", color="#edae49", lw=2, label="LDA")
        ax.plot(x0, line_of(*snaps[k]), color="k", lw=1.6, label="w·x + b = 0")
        ax.set_ylim(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5)
        ax.set_xlim(x0[0], x0[-1])
        ax.set_title(f"{labels[k]}: ℒ = {sum_loss[k]:.2f}", fontsize=11)
        ax.set_xlabel("$x_1$")
        if i == 0:
            ax.set_ylabel("$x_2$")
            ax.legend(fontsize=8, loc="lower left")
    ax = axd["loss"]
    ax.plot(np.arange(len(path_loss)), path_loss, color=PALETTE[0], lw=1.5)
    ax.plot(SNAPSHOTS, [sum_loss[k] for k in SNAPSHOTS], "o", color="k", ms=5, label="panels")
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(0, max(SNAPSHOTS))
    ax.set_yscale("log")
    ax.set_xlabel("iteration n")
    ax.set_ylabel(r"loss $\mathcal{L}(w, b)$")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    steps = np.diff(path_loss)
    ups = int(np.sum(steps > 1e-9 * np.abs(np.asarray(path_loss[1:]))))
    if ups:
        res.note(
            f"The loss is not monotone: {ups} of the {len(steps)} steps increase it (η = 0.1 "
            "on the sum over 100 points is a step of 10 on the mean, above 2/L where the "
            "Hessian of the logistic loss is largest); the logistic loss's bounded gradient "
            "keeps the run from diverging and it settles."
        )
    else:
        res.note(f"The loss decreases at each of the {len(steps)} steps.")
    res.figure(
        fig,
        "Top: the boundary w·x + b = 0 (black) after n = 0, 10, 10², 10³, 10⁴ gradient steps, "
        "with LDA's (dashed), as in the slide's panels. Bottom: the loss ℒ(w, b) at every "
        "iteration (the dots are the panels).",
    )
    return res


# --------------------------------------------------------------------------- experiment 25


def mlp(sizes: tuple[int, ...], seed: int, input_grad: bool = True) -> nn.Sequential:
    """Linear–ReLU–…–Linear (He-initialised hidden layers), float32."""
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        last = i == len(sizes) - 2
        layers.append(
            nn.Linear(
                sizes[i],
                sizes[i + 1],
                init="glorot_uniform" if last else "he_normal",
                random_state=seed + i,
            )
        )
        if not last:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers, input_grad=input_grad)


def flops(sizes: tuple[int, ...], n: int, input_grad: bool = True) -> tuple[int, int]:
    """Multiply-adds ×2 of the linear layers for a batch of n: (forward, backward).

    Forward: s⁽ˡ⁾ = w⁽ˡ⁾x⁽ˡ⁻¹⁾ costs 2·n·d_in·d_out. Backward: [∂ℓ/∂x⁽ˡ⁻¹⁾] = w⁽ˡ⁾ᵀ[∂ℓ/∂s⁽ˡ⁾]
    and [∂ℓ/∂w⁽ˡ⁾] = [∂ℓ/∂s⁽ˡ⁾]x⁽ˡ⁻¹⁾ᵀ cost 2·n·d_in·d_out each (the first is skipped for the
    input layer when ``input_grad`` is False). Component-wise operations are not counted.
    """
    fwd = sum(2 * n * a * b for a, b in itertools.pairwise(sizes))
    bwd = 2 * fwd - (0 if input_grad else 2 * n * sizes[0] * sizes[1])
    return fwd, bwd


class CountingArray(np.ndarray):
    """An array that adds 2·m·k·n to ``CountingArray.flops`` for every matrix product
    (m × k) @ (k × n) it takes part in (as an operand or as ``out``)."""

    flops = 0

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        plain = [a.view(np.ndarray) if isinstance(a, CountingArray) else a for a in inputs]
        if ufunc is np.matmul and method == "__call__":
            a, b = np.asarray(plain[0]), np.asarray(plain[1])
            CountingArray.flops += 2 * a.shape[-2] * a.shape[-1] * b.shape[-1]
        if out is not None:
            kwargs["out"] = tuple(
                o.view(np.ndarray) if isinstance(o, CountingArray) else o for o in out
            )
        return getattr(ufunc, method)(*plain, **kwargs)


def count_passes(
    net: nn.Sequential, loss: nn.Loss, X: np.ndarray, y: np.ndarray
) -> tuple[int, int]:
    """FLOPs of the matrix products actually executed by one forward pass (with the loss)
    and one backward pass of ``net``: every parameter and its gradient, and the input, are
    viewed as :class:`CountingArray`, so each product they enter is counted from its shapes."""
    net.zero_grad()
    loss.forward(net.forward(X), y)
    net.backward(loss.backward())  # allocate every gradient once
    for p in net.parameters():
        p.data = p.data.view(CountingArray)
        p._grad = p._grad.view(CountingArray)
    Xc = X.view(CountingArray)
    net.zero_grad()
    CountingArray.flops = 0
    z = net.forward(Xc)
    loss.forward(np.asarray(z).view(np.ndarray), y)
    forward = CountingArray.flops
    CountingArray.flops = 0
    net.backward(loss.backward())
    backward = CountingArray.flops
    for p in net.parameters():
        p.data = p.data.view(np.ndarray)
        p._grad = p._grad.view(np.ndarray)
    return forward, backward


def time_passes(net: nn.Sequential, loss: nn.Loss, X: np.ndarray, y: np.ndarray, reps: int):
    """Fastest seconds of a forward pass (with the loss) and of a backward pass (min: the
    least disturbed by other processes)."""
    tf, tb = [], []
    for _ in range(reps):
        net.zero_grad()
        t0 = time.perf_counter()
        z = net.forward(X)
        loss.forward(z, y)
        t1 = time.perf_counter()
        net.backward(loss.backward())
        t2 = time.perf_counter()
        tf.append(t1 - t0)
        tb.append(t2 - t1)
    return float(np.min(tf)), float(np.min(tb))


@experiment(
    "backprop-mnist",
    title="Back-propagation on MNIST: an MLP trained by hand-written backward passes",
    lecture=LECTURE,
    number=25,
    needs_mnist=True,
    covers=[
        ("ee559-3", "3.6. Back-propagation", "cost"),
    ],
)
def backprop_mnist(seed: int, quick: bool) -> ExperimentResult:
    """Train and time on one BLAS thread: batch-100 products gain little from a second
    thread, and the forward/backward timing ratio should not depend on thread scheduling."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _backprop_mnist(seed, quick)


def _backprop_mnist(seed: int, quick: bool) -> ExperimentResult:
    from byhand.datasets import load_mnist

    X, y = load_mnist("train", download=False)
    Xt, yt = load_mnist("test", download=False)
    # validation data split from the training set (the test set is used once, at the end)
    perm = np.random.default_rng(seed).permutation(len(y))
    val, tr = perm[:5000], perm[5000:]
    Xv, yv, X, y = X[val], y[val], X[tr], y[tr]
    sizes = (784, 128, 10) if quick else (784, 256, 10)
    epochs = 2 if quick else 6
    target = 0.96 if quick else 0.97
    net = mlp(sizes, seed, input_grad=False)
    loss = nn.CrossEntropyLoss()
    lr = optim.exponential(0.1, 0.9999) if not quick else 0.1
    t0 = time.perf_counter()
    hist = fit(
        net,
        loss,
        optim.SGD(net.parameters(), lr, momentum=0.9),
        X,
        y,
        epochs=epochs,
        batch_size=100,
        validation_data=(Xv, yv),
        verbose=0,
        random_state=seed,
    )
    train_s = time.perf_counter() - t0
    test_loss, test_acc = evaluate(net, loss, Xt, yt)
    res = ExperimentResult()
    res.claim(
        LECTURE,
        SLIDE_BP,
        f"forward pass, backward pass, gradient step: an MLP {'-'.join(map(str, sizes))} trained "
        f"this way reaches test accuracy ≥ {target:.0%} on MNIST"
        + (" (quick run: 2 epochs, target 96 %; the full run checks 97 %)" if quick else ""),
        test_acc,
        test_acc >= target,
        kind="numeric",
        target=target,
        detail=f"{epochs} epochs of SGD (momentum 0.9, batch 100) on 55 000 images, "
        f"{train_s:.1f} s (5000 held out of the training set for the validation curve); test loss "
        f"{test_loss:.4f} on 10 000 images",
        source="byhand",
        reason=(
            "these sections train no MLP on MNIST and give no accuracy; the threshold is byhand's"
        ),
        rule="test accuracy ≥ the target (threshold byhand's)",
    )
    # the cost of the passes, counted from the products the passes execute
    batch = 1000
    count_net = mlp(sizes, seed, input_grad=True)
    f_run, b_run = count_passes(count_net, loss, X[:batch], y[:batch])
    f_trained, b_trained = count_passes(net, loss, X[:batch], y[:batch])
    flop_ratio = b_run / f_run
    timing_net = mlp(sizes, seed, input_grad=True)
    for p, q in zip(timing_net.parameters(), net.parameters(), strict=True):
        p.data[...] = q.data
    xb, yb = X[:batch], y[:batch]
    reps = 30 if quick else 60
    time_passes(timing_net, loss, xb, yb, 3)  # warm-up
    tf, tb = time_passes(timing_net, loss, xb, yb, reps)
    ratio = tb / tf
    res.claim(
        LECTURE,
        SLIDE_BP,
        "the backward pass is twice more expensive than the forward one: byhand's measured "
        "time of a full backward pass (with ∂ℓ/∂x⁽⁰⁾) over its forward pass",
        round(ratio, 3),
        abs(ratio - 2.0) <= 0.5,
        kind="numeric",
        target=2.0,
        detail=f"fastest of {reps} passes each on a batch of {batch}, one BLAS thread: forward "
        f"{tf * 1e3:.2f} ms (with the loss), backward {tb * 1e3:.2f} ms. The FLOPs of the "
        f"products, counted from their shapes, give {flop_ratio:.3f} — a cost model, 2 by "
        f"construction, shown and not judged ({f_run / 1e9:.3f} GFLOP forward, "
        f"{b_run / 1e9:.3f} GFLOP backward; the net trained above skips ∂ℓ/∂x⁽⁰⁾: "
        f"{b_trained / f_trained:.2f}× by that count)",
        source="lecture",
        quote="the rule of thumb is that the backward pass is twice more expensive than the "
        "forward one.",
        lecture_value=2,
        timed=True,
        rule="|time(backward)/time(forward) − 2| ≤ 0.5, times the best of the repetitions "
        "(the least disturbed by other processes); the tolerance is byhand's, for a rule of "
        "thumb",
    )
    res.note(
        "The rule of thumb is that the backward pass is twice more expensive than the forward "
        f"one. Measured here (fastest of {reps} passes on a batch of {batch}): forward "
        f"{tf * 1e3:.2f} ms, backward {tb * 1e3:.2f} ms, ratio {ratio:.2f}; counting the "
        f"FLOPs of the matrix products gives {flop_ratio:.2f}, which is 2 by construction (two "
        "products of the forward's size per layer) and so is shown, not judged. Times depend "
        "on the BLAS and the machine's load, hence the best of the repetitions and a ±0.5 "
        "tolerance."
    )
    no_in_net = mlp(sizes, seed, input_grad=False)
    for p, q in zip(no_in_net.parameters(), net.parameters(), strict=True):
        p.data[...] = q.data
    time_passes(no_in_net, loss, xb, yb, 3)
    tf2, tb2 = time_passes(no_in_net, loss, xb, yb, reps)
    res.table(
        "Cost of the passes (batch of 1000)",
        ["backward", "FLOP ratio bwd/fwd", "time fwd (ms)", "time bwd (ms)", "time ratio"],
        [
            [
                "full (with ∂ℓ/∂x⁽⁰⁾)",
                round(flop_ratio, 3),
                f"{tf * 1e3:.2f}",
                f"{tb * 1e3:.2f}",
                f"{ratio:.2f}",
            ],
            [
                "training (input gradient skipped)",
                round(b_trained / f_trained, 3),
                f"{tf2 * 1e3:.2f}",
                f"{tb2 * 1e3:.2f}",
                f"{tb2 / tf2:.2f}",
            ],
        ],
    )
    res.note(
        "byhand.fit never needs ∂ℓ/∂x⁽⁰⁾ (the gradient with respect to the pixels), so training "
        "nets are built with Sequential(input_grad=False), which skips the largest product of "
        "the backward pass; the lecture's 2× is the full backward, measured here separately."
    )
    fig, axes = subplots(1, 2, figsize=(10, 3.8))
    ep = np.arange(1, hist.epochs + 1)
    axes[0].plot(ep, hist.loss, "-o", color=PALETTE[0], label="train loss (epoch mean)")
    axes[0].plot(ep, hist.val_loss, "-o", color=PALETTE[1], label="validation loss")
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("cross-entropy")
    axes[0].set_xticks(ep)
    axes[0].legend(fontsize=8)
    axes[0].grid(alpha=0.3)
    axes[0].set_title(f"MLP {'-'.join(map(str, sizes))}: test accuracy {test_acc:.2%}")
    labels = ["forward", "backward\n(full)", "backward\n(training)"]
    axes[1].bar(labels, [tf * 1e3, tb * 1e3, tb2 * 1e3], color=PALETTE[:3])
    axes[1].set_ylabel("ms per batch of 1000")
    axes[1].set_title(f"time backward / forward = {ratio:.2f} (FLOPs: {flop_ratio:.2f})")
    res.figure(fig, "Training curve and the measured cost of the passes.")
    return res
