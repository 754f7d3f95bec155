"""Plot helpers for the experiments: decision regions, loss contours with GD paths, learning curves.

Figures are made with :class:`matplotlib.figure.Figure` directly (no pyplot state, no GUI
backend), so they work in worker processes and render with Agg.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

PALETTE = ("#2e5bba", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d5a97", "#30343f")


def subplots(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None, **kw: Any
) -> tuple[Any, Any]:
    """``(fig, axes)`` like ``plt.subplots`` but without pyplot (a bare Agg-renderable Figure).

    Examples
    --------
    >>> from byhand.plotting import subplots
    >>> fig, axes = subplots(1, 2, figsize=(6, 3))
    >>> len(axes), [float(v) for v in fig.get_size_inches()]
    (2, [6.0, 3.0])
    """
    from matplotlib.figure import Figure

    if figsize is None:
        figsize = (4.6 * ncols, 3.6 * nrows)
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    return fig, axes


def _grid(X: np.ndarray, resolution: int, padding: float) -> tuple[np.ndarray, ...]:
    x0, x1 = X[:, 0].min() - padding, X[:, 0].max() + padding
    y0, y1 = X[:, 1].min() - padding, X[:, 1].max() + padding
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def decision_regions(
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    ax: Any = None,
    *,
    resolution: int = 200,
    padding: float = 0.5,
    title: str | None = None,
    boundary: bool = True,
    xlabel: str = "$x_1$",
    ylabel: str = "$x_2$",
) -> Any:
    """Colour the plane by ``model.predict`` and draw the boundary ``decision_function = 0``.

    ``model`` is a fitted 2-D classifier (anything with ``predict``; ``decision_function`` is used
    for the boundary of binary models when present). ``X`` of shape (N, 2) and labels ``y`` are
    scattered on top. Returns the axes.

    Examples
    --------
    >>> from byhand import Perceptron
    >>> from byhand.datasets import perceptron_trace
    >>> from byhand.plotting import decision_regions
    >>> X, y = perceptron_trace()
    >>> ax = decision_regions(Perceptron(fit_intercept=False).fit(X, y), X, y, resolution=50)
    >>> ax.figure.savefig("perceptron.png")
    """
    from matplotlib.colors import ListedColormap

    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_regions needs X of shape (N, 2), got {X.shape}")
    y = np.asarray(y)
    if ax is None:
        _, ax = subplots()
    xx, yy, grid = _grid(X, resolution, padding)
    classes = np.unique(y)
    pred = np.asarray(model.predict(grid))
    index = np.searchsorted(classes, pred.ravel()).clip(0, len(classes) - 1)
    cmap = ListedColormap([PALETTE[i % len(PALETTE)] for i in range(len(classes))])
    ax.contourf(
        xx,
        yy,
        index.reshape(xx.shape),
        levels=np.arange(len(classes) + 1) - 0.5,
        cmap=cmap,
        alpha=0.18,
    )
    if boundary and len(classes) == 2 and hasattr(model, "decision_function"):
        d = np.asarray(model.decision_function(grid), dtype=float).reshape(xx.shape)
        if d.min() < 0 < d.max():
            ax.contour(xx, yy, d, levels=[0.0], colors="k", linewidths=1.2)
    for i, c in enumerate(classes):
        m = y == c
        ax.scatter(
            X[m, 0],
            X[m, 1],
            s=14,
            color=PALETTE[i % len(PALETTE)],
            edgecolor="white",
            linewidth=0.4,
            label=str(c),
        )
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def loss_contours(
    loss: Callable[[np.ndarray], float],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    paths: Mapping[str, np.ndarray] | None = None,
    ax: Any = None,
    *,
    minimum: Sequence[float] | None = None,
    resolution: int = 150,
    levels: int = 25,
    log: bool = True,
    labels: tuple[str, str] = ("w", "b"),
    batched: bool = False,
) -> Any:
    """Contours of ``loss(theta)`` over a 2-D box, with optimisation paths drawn on top.

    ``loss`` takes a parameter vector of length 2; ``paths`` maps a label to an array (T, 2)
    of iterates (a GD path); ``minimum`` is marked with a star. Log-spaced levels by default.
    With ``batched=True`` ``loss`` takes all grid points at once, an array (M, 2), and returns
    M values (one call instead of M).

    Examples
    --------
    Gradient descent on L(θ) = θ₁² + 10 θ₂² with ε = 0.05:

    >>> import numpy as np
    >>> from byhand.plotting import loss_contours
    >>> loss = lambda t: t[0] ** 2 + 10 * t[1] ** 2
    >>> path = [np.array([2.0, 1.0])]
    >>> for _ in range(20):
    ...     t = path[-1]
    ...     path.append(t - 0.05 * np.array([2 * t[0], 20 * t[1]]))
    >>> ax = loss_contours(loss, (-2.5, 2.5), (-1.5, 1.5), paths={"GD": np.array(path)})
    >>> ax.figure.savefig("contours.png")
    """
    if ax is None:
        _, ax = subplots()
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    xx, yy = np.meshgrid(xs, ys)
    pts = np.column_stack([xx.ravel(), yy.ravel()])
    if batched:
        zz = np.asarray(loss(pts), dtype=float).reshape(xx.shape)
    else:
        zz = np.array([loss(p) for p in pts]).reshape(xx.shape)
    if log:
        lo, hi = max(zz.min(), 1e-12), zz.max()
        lv = np.geomspace(lo + 1e-3 * (hi - lo), hi, levels)
    else:
        lv = levels
    ax.contour(xx, yy, zz, levels=lv, cmap="Greys", linewidths=0.7, alpha=0.8)
    for i, (label, path) in enumerate((paths or {}).items()):
        p = np.asarray(path, dtype=float)
        ax.plot(
            p[:, 0], p[:, 1], "-o", ms=2.2, lw=1.2, color=PALETTE[i % len(PALETTE)], label=label
        )
    if minimum is not None:
        ax.plot(*minimum, marker="*", ms=13, color="#edae49", mec="k", label="minimum")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    if paths:
        ax.legend(fontsize=8, loc="best")
    return ax


def learning_curves(
    curves: Mapping[str, Sequence[float]],
    ax: Any = None,
    *,
    xlabel: str = "iteration",
    ylabel: str = "loss",
    log: bool = False,
    title: str | None = None,
) -> Any:
    """One line per named curve (loss or error per iteration/epoch); log y-scale on request.

    Returns the axes.

    Examples
    --------
    >>> from byhand.plotting import learning_curves
    >>> ax = learning_curves({"train": [1.0, 0.5, 0.25], "validation": [1.1, 0.7, 0.6]}, log=True)
    >>> [line.get_label() for line in ax.get_lines()]
    ['train', 'validation']
    """
    if ax is None:
        _, ax = subplots()
    for i, (label, values) in enumerate(curves.items()):
        v = np.asarray(values, dtype=float)
        ax.plot(np.arange(len(v)), v, lw=1.5, color=PALETTE[i % len(PALETTE)], label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax
