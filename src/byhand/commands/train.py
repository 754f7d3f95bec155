"""``byhand train MODEL --data DATASET --out model.npz``: fit an estimator, report, save it.

Options: ``--param k=v`` (repeatable; values are numbers, ``true``/``false``/``none``, tuples
``8,16``, strings or schedules ``exponential(0.1,0.99)``), ``--epochs N`` (the estimator's
``max_iter``), ``--batch-size M``, ``--val-fraction f`` (held out for the validation
metric), ``--seed S`` (``random_state`` and the data), ``--checkpoint-dir D`` (a checkpoint
each epoch) and ``--resume`` (continue from ``D/checkpoint.npz``: same command, same result
bit for bit).
"""

from __future__ import annotations

import argparse
from typing import Any

NAME = "train"
HELP = "fit a model on a data set and save it (.npz)"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``byhand train``."""
    from byhand.commands._common import positive_int
    from byhand.commands._data import valid_names
    from byhand.estimators_registry import names

    p = subparsers.add_parser(
        NAME, help=HELP, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("model", metavar="MODEL", help=f"estimator: {', '.join(names())}")
    p.add_argument("--data", required=True, metavar="DATASET", help=f"data set: {valid_names()}")
    p.add_argument("--target", metavar="NAME", help="label column of a .csv data file")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="K=V",
        help="estimator parameter, repeatable (e.g. hidden_layer_sizes=16,16 "
        "learning_rate=0.1 max_iter=50); commas build one value: hidden_layer_sizes=16,16 is "
        "one network of two hidden layers",
    )
    p.add_argument(
        "--epochs", type=positive_int, metavar="N", help="epochs, >= 1 (the estimator's max_iter)"
    )
    p.add_argument(
        "--batch-size", type=positive_int, metavar="M", help="minibatch size, >= 1 (SGD)"
    )
    p.add_argument(
        "--val-fraction",
        type=float,
        default=0.2,
        metavar="F",
        help="fraction held out for validation (default 0.2; 0 for none)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="S",
        help="random seed of the estimator and the data (default 0)",
    )
    p.add_argument("--out", required=True, metavar="PATH", help="model file to write (.npz)")
    p.add_argument(
        "--checkpoint-dir",
        metavar="DIR",
        help="write DIR/checkpoint.npz after every epoch (gradient-trained models)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue from DIR/checkpoint.npz (needs --checkpoint-dir)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def build_estimator(
    model: str,
    items: list[str],
    *,
    epochs: int | None = None,
    batch_size: int | None = None,
    seed: int | None = None,
) -> tuple[Any, dict]:
    """(estimator, the parameters set on it) from the command line's pieces."""
    from byhand.commands._common import UsageError, epoch_param, parse_params
    from byhand.estimators_registry import UnknownNameError, get_class

    try:
        cls = get_class(model)
    except UnknownNameError as exc:
        raise UsageError(str(exc)) from None
    defaults = cls().get_params(deep=False)
    params = parse_params(items, defaults, model)
    extra = {}
    if epochs is not None:
        name = epoch_param(defaults)
        if name is None:
            raise UsageError(f"model {model!r} is not trained by epochs: --epochs does not apply")
        extra[name] = epochs
    if batch_size is not None:
        if "batch_size" not in defaults:
            raise UsageError(f"model {model!r} has no batch_size: --batch-size does not apply")
        extra["batch_size"] = batch_size
    if seed is not None and "random_state" in defaults and "random_state" not in params:
        extra["random_state"] = seed
    for k, v in extra.items():
        params.setdefault(k, v)
    return cls(**params), params


def _supports(est: Any, arg: str) -> bool:
    """True if ``est.fit`` takes ``arg`` and, for estimators with several solvers, the chosen
    solver trains epoch by epoch through ``byhand.fit`` (a direct solver has no epochs)."""
    import inspect

    try:
        if arg not in inspect.signature(est.fit).parameters:
            return False
    except (TypeError, ValueError):
        return False
    fit_solvers = getattr(type(est), "_fit_solvers", None)
    solver = getattr(est, "solver", None)
    return fit_solvers is None or solver is None or solver in fit_solvers


def _config(args: argparse.Namespace, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": args.model,
        "data": args.data,
        "target": args.target,
        "params": {k: repr(v) for k, v in sorted(params.items())},
        "val_fraction": args.val_fraction,
        "seed": args.seed,
    }


def _flatten(config: dict[str, Any]) -> dict[str, Any]:
    flat = {k: v for k, v in config.items() if k != "params"}
    flat.update({f"params.{k}": v for k, v in config.get("params", {}).items()})
    return flat


def _resume(args: argparse.Namespace, config: dict[str, Any]) -> dict[str, Any] | None:
    from byhand.checkpoint import checkpoint_path, load_checkpoint
    from byhand.commands._common import EPOCH_PARAMS, UsageError

    if not args.checkpoint_dir:
        raise UsageError("--resume needs --checkpoint-dir DIR")
    if not checkpoint_path(args.checkpoint_dir).exists():
        print(f"no checkpoint in {args.checkpoint_dir}: starting from epoch 0")
        return None
    snapshot, saved = load_checkpoint(args.checkpoint_dir)
    flat_now, flat_saved = _flatten(config), _flatten(saved)
    for k in sorted(set(flat_now) | set(flat_saved)):
        if k.startswith("params.") and k.split(".", 1)[1] in EPOCH_PARAMS:
            continue  # a resumed run may be given a larger epoch budget
        if flat_now.get(k) != flat_saved.get(k):
            raise UsageError(
                f"{checkpoint_path(args.checkpoint_dir)} belongs to another run: "
                f"its {k} is {flat_saved.get(k)}, this command's "
                f"{flat_now.get(k)}"
            )
    print(f"resuming from {checkpoint_path(args.checkpoint_dir)} (epoch {snapshot['epoch']})")
    return snapshot


def run(args: argparse.Namespace) -> int:
    """Execute ``byhand train``."""
    import sys
    import time
    import warnings

    from byhand._progress import EpochProgress
    from byhand.checkpoint import CheckpointWriter
    from byhand.commands import _data
    from byhand.commands._common import (
        UsageError,
        check_out_path,
        console,
        epoch_param,
        is_classifier,
    )
    from byhand.io import save

    out_path = check_out_path(args.out, "--out")  # before any training
    user_params = {item.partition("=")[0].strip() for item in args.param}
    est, params = build_estimator(
        args.model, args.param, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed
    )
    if args.resume and not args.checkpoint_dir:
        raise UsageError("--resume needs --checkpoint-dir DIR")
    if not 0 <= args.val_fraction < 1:
        raise UsageError(f"--val-fraction must lie in [0, 1), got {args.val_fraction}")
    out = console()
    try:
        X, y = _data.load(args.data, "train", seed=args.seed, target=args.target)
    except _data.DataSpecError as exc:
        raise UsageError(str(exc)) from None
    X_tr, y_tr, X_val, y_val = _data.split_validation(X, y, args.val_fraction, args.seed)
    fit_kw: dict[str, Any] = {}
    callbacks: list[Any] = []
    config = _config(args, params)
    progress = None
    if _supports(est, "callbacks"):
        total = est.get_params().get(epoch_param(est.get_params()) or "", 0)
        if total and not args.quiet:
            progress = EpochProgress(int(total), file=sys.stderr)
            callbacks.append(progress)
        if args.checkpoint_dir:
            callbacks.append(CheckpointWriter(args.checkpoint_dir, config))
        fit_kw["callbacks"] = callbacks
        if args.resume:
            snapshot = _resume(args, config)
            if snapshot is not None:
                fit_kw["resume_state"] = snapshot
    elif args.checkpoint_dir:
        how = f" with solver={est.solver!r}" if hasattr(est, "solver") else ""
        raise UsageError(
            f"model {args.model!r} is not trained epoch by epoch{how}: "
            "--checkpoint-dir/--resume do not apply"
        )
    out.print(
        f"training {args.model} on {args.data}: {len(y_tr)} samples, {X.shape[1]} "
        f"features" + (f", {len(y_val)} held out for validation" if X_val is not None else "")
    )
    own = est.get_params()
    if own.get("early_stopping") and own.get("validation_fraction"):
        frac = float(own["validation_fraction"])
        out.print(
            f"early stopping: the model holds out a further {frac:.0%} of the {len(y_tr)} "
            f"training samples (about {round(frac * len(y_tr))}) and scores them after every "
            "epoch (the val_ columns below); the table at the end scores the "
            f"{len(y_val) if X_val is not None else 0} held out above"
        )
    t0 = time.perf_counter()
    if progress is not None:
        progress.start(int(fit_kw.get("resume_state", {}).get("epoch", 0)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            est.fit(X_tr, y_tr, **fit_kw)
    except KeyboardInterrupt:
        raise KeyboardInterrupt(_interrupted_hint(args)) from None
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        bad = [k for k in params if k in user_params and k in msg]
        if bad:
            raise UsageError(f"invalid --param {bad[0]}={params[bad[0]]!r}: {msg}") from None
        raise
    finally:
        if progress is not None:
            progress.stop()
    seconds = time.perf_counter() - t0
    _report(out, est, X_tr, y_tr, X_val, y_val, seconds, is_classifier(est))
    path = save(est, out_path)
    out.print(f"saved {args.model} to {path}")
    return 0


def _interrupted_hint(args: argparse.Namespace) -> str:
    """What Ctrl-C left behind: the checkpoint and the command that resumes from it, or how
    ``--checkpoint-dir`` would have kept one."""
    import shlex

    from byhand.checkpoint import checkpoint_path, load_checkpoint

    argv = list(getattr(args, "_argv", None) or [])
    again = shlex.join(["byhand", *argv, *([] if "--resume" in argv else ["--resume"])])
    if not args.checkpoint_dir:
        return (
            "nothing was saved. With --checkpoint-dir DIR, byhand train writes a checkpoint "
            "after every epoch, and the same command with --resume continues from it"
        )
    path = checkpoint_path(args.checkpoint_dir)
    try:
        epoch = int(load_checkpoint(args.checkpoint_dir)[0]["epoch"])
    except (OSError, ValueError, KeyError):
        return f"no checkpoint was written yet in {args.checkpoint_dir} (no epoch had ended)"
    return f"{path} holds epoch {epoch}; continue from it with: {again}"


def _report(
    out: Any,
    est: Any,
    X_tr: Any,
    y_tr: Any,
    X_val: Any,
    y_val: Any,
    seconds: float,
    classifier: bool,
) -> None:
    from rich.table import Table

    from byhand.commands._common import fmt

    metric = "accuracy" if classifier else "R²"
    t = Table(title="training result")
    t.add_column("")
    t.add_column("train", justify="right")
    t.add_column("validation", justify="right")
    t.add_row(
        metric,
        fmt(float(est.score(X_tr, y_tr))),
        fmt(float(est.score(X_val, y_val))) if X_val is not None else "-",
    )
    if classifier:
        t.add_row(
            "error rate",
            fmt(1 - float(est.score(X_tr, y_tr))),
            fmt(1 - float(est.score(X_val, y_val))) if X_val is not None else "-",
        )
    curve = getattr(est, "loss_curve_", None)
    if curve is not None and len(curve):
        t.add_row("final loss", fmt(float(curve[-1]), 6), "")
    n_iter = getattr(est, "n_iter_", None)
    if n_iter is not None:
        t.add_row("epochs", str(int(n_iter)), "")
    t.add_row("time", f"{seconds:.2f} s", "")
    out.print(t)
