"""``byhand evaluate model.npz --data DATASET [--plot out.png]``: score a saved model.

Classifiers: accuracy, error rate and the confusion matrix (rows: true class, columns:
predicted); regressors: R² and the mean squared error. The data set's test split is used
(MNIST's t10k files, digits' held-out 20 %, a fresh two-moons sample; a file is used
whole). ``--plot`` draws the decision regions for 2-D inputs, else the confusion matrix (or
predicted against true values for a regressor).
"""

from __future__ import annotations

import argparse
from typing import Any

NAME = "evaluate"
HELP = "score a saved model on a data set (accuracy or R², confusion matrix, plot)"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``byhand evaluate``."""
    from byhand.commands._data import valid_names

    p = subparsers.add_parser(
        NAME, help=HELP, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("model", metavar="MODEL.npz", help="a model file written by byhand train")
    p.add_argument("--data", required=True, metavar="DATASET", help=f"data set: {valid_names()}")
    p.add_argument("--target", metavar="NAME", help="label column of a .csv data file")
    p.add_argument(
        "--split",
        choices=("test", "train"),
        default="test",
        help="which split of a named data set (default test)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="S",
        help="seed of generated data sets (default 0, as byhand train)",
    )
    p.add_argument(
        "--plot", metavar="PNG", help="write a figure (decision regions or confusion matrix)"
    )
    return p


def confusion_matrix(y_true: Any, y_pred: Any, classes: Any) -> Any:
    """C[i, j] = #{n : y_n = classes[i], ŷ_n = classes[j]} (a literal count)."""
    import numpy as np

    classes = np.asarray(classes)
    index = {c: i for i, c in enumerate(classes.tolist())}
    C = np.zeros((len(classes), len(classes)), dtype=np.int64)
    for t, p in zip(np.asarray(y_true).tolist(), np.asarray(y_pred).tolist(), strict=True):
        if t in index and p in index:
            C[index[t], index[p]] += 1
    return C


def run(args: argparse.Namespace) -> int:
    """Execute ``byhand evaluate``."""
    import numpy as np
    from rich.table import Table

    from byhand.commands import _data
    from byhand.commands._common import UsageError, check_out_path, console, fmt, is_classifier
    from byhand.io import load

    if args.plot:  # before any work
        check_out_path(args.plot, "--plot")
    model = load(args.model)
    try:
        X, y = _data.load(args.data, args.split, seed=args.seed, target=args.target)
    except _data.DataSpecError as exc:
        raise UsageError(str(exc)) from None
    n_in = getattr(model, "n_features_in_", None)
    if n_in is not None and X.shape[1] != n_in:
        raise ValueError(f"{args.model} expects {n_in} features, {args.data} has {X.shape[1]}")
    out = console()
    pred = model.predict(X)
    t = Table(title=f"{type(model).__name__} on {args.data} ({args.split}, {len(y)} samples)")
    t.add_column("metric")
    t.add_column("value", justify="right")
    classifier = is_classifier(model)
    C = None
    if classifier:
        acc = float(np.mean(pred == y))
        t.add_row("accuracy", fmt(acc))
        t.add_row("error rate", fmt(1 - acc))
        classes = np.unique(
            np.concatenate([np.asarray(getattr(model, "classes_", [])), np.unique(y)])
        )
        C = confusion_matrix(y, pred, classes)
        out.print(t)
        ct = Table(title="confusion matrix (rows: true, columns: predicted)")
        ct.add_column("true \\ pred")
        for c in classes:
            ct.add_column(str(c), justify="right")
        for c, row in zip(classes, C, strict=True):
            ct.add_row(str(c), *(str(v) for v in row))
        out.print(ct)
    else:
        y = np.asarray(y, dtype=float)
        p = np.asarray(pred, dtype=float).reshape(y.shape)
        sse = float(np.sum((y - p) ** 2))
        sst = float(np.sum((y - y.mean(axis=0)) ** 2))
        t.add_row("R²", fmt(1 - sse / sst if sst > 0 else float("nan")))
        t.add_row("mean squared error", fmt(sse / len(y), 6))
        out.print(t)
    if args.plot:
        _plot(args.plot, model, X, y, pred, C, classifier)
        out.print(f"wrote {args.plot}")
    return 0


def _plot(path: str, model: Any, X: Any, y: Any, pred: Any, C: Any, classifier: bool) -> None:
    import numpy as np

    from byhand import plotting

    fig, ax = plotting.subplots()
    if classifier and X.shape[1] == 2:
        plotting.decision_regions(model, X, y, ax=ax, title="decision regions")
        ax.legend(loc="best", fontsize=8)
    elif classifier:
        im = ax.imshow(C, cmap="Blues")
        fig.colorbar(im, ax=ax)
        n = C.shape[0]
        classes = np.unique(
            np.concatenate([np.asarray(getattr(model, "classes_", [])), np.unique(y)])
        )
        ax.set_xticks(range(n), [str(c) for c in classes])
        ax.set_yticks(range(n), [str(c) for c in classes])
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        for i in range(n):
            for j in range(n):
                ax.text(
                    j,
                    i,
                    str(C[i, j]),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if C[i, j] > C.max() / 2 else "black",
                )
        ax.set_title("confusion matrix")
    else:
        ax.scatter(np.ravel(y), np.ravel(pred), s=8)
        lo, hi = float(np.min(y)), float(np.max(y))
        ax.plot([lo, hi], [lo, hi], "k--", lw=1)
        ax.set_xlabel("true")
        ax.set_ylabel("predicted")
        ax.set_title("predicted against true")
    fig.savefig(path, dpi=120, bbox_inches="tight")
