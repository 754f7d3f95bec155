"""``byhand predict model.npz INPUT.csv|INPUT.npz [--target COL] [--out PATH]``: predictions.

INPUT is a CSV of feature columns with a header row (``--target COL`` drops a label column
it still has), or an ``.npz`` with an array ``X``. The predictions go to ``--out``
(``.csv``: one column ``prediction``; ``.npz``: an array ``y``), or to standard output,
one per line.
"""

from __future__ import annotations

import argparse
from typing import Any

NAME = "predict"
HELP = "predict with a saved model on a .csv or .npz of inputs"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``byhand predict``."""
    p = subparsers.add_parser(
        NAME, help=HELP, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("model", metavar="MODEL.npz", help="a model file written by byhand train")
    p.add_argument("input", metavar="INPUT", help="features: .csv with a header, or .npz with X")
    p.add_argument(
        "--target",
        metavar="COL",
        help="a label column of the .csv to drop (e.g. the file the model was trained on)",
    )
    p.add_argument(
        "--out",
        metavar="PATH",
        help="write predictions to PATH (.csv or .npz) instead of standard output",
    )
    return p


def run(args: argparse.Namespace) -> int:
    """Execute ``byhand predict``."""
    import os
    import sys
    import tempfile
    from pathlib import Path

    import numpy as np

    from byhand.commands._common import UsageError, check_out_path
    from byhand.commands._data import TARGET_GUESSES, csv_header, load_inputs
    from byhand.io import load

    if args.out is not None:  # before any work
        check_out_path(args.out, "--out", (".csv", ".npz"))
    model = load(args.model)
    n_in = getattr(model, "n_features_in_", None)
    expects = f"{args.input}: {args.model} expects rows of {n_in} features"
    if args.input.lower().endswith(".csv") and args.target is None and n_in is not None:
        columns = csv_header(Path(args.input)) if Path(args.input).is_file() else []
        if len(columns) == n_in + 1:  # most likely the training file, label column and all
            guess = next((c for c in TARGET_GUESSES if c in columns), "COL")
            raise UsageError(
                f"{expects}, the file has {len(columns)} columns ({', '.join(columns)}): "
                f"one column too many. If one is the label, drop it with --target {guess}"
            )
    X, _ = load_inputs(args.input, target=args.target)
    if X.ndim != 2 or (n_in is not None and X.shape[1] != n_in):
        got = X.shape[1] if X.ndim == 2 else f"an array of shape {X.shape}"
        raise ValueError(f"{expects}, got {got}")
    pred = np.asarray(model.predict(X))
    lines = [repr(v) if isinstance(v, float) else str(v) for v in pred.tolist()]
    if args.out is None:
        sys.stdout.write("".join(f"{s}\n" for s in lines))
        return 0
    out = Path(args.out)
    folder = out.parent
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            if out.suffix.lower() == ".csv":
                fh.write(("prediction\n" + "".join(f"{s}\n" for s in lines)).encode())
            else:
                np.savez(fh, y=pred)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"wrote {len(lines)} predictions to {out}", file=sys.stderr)
    return 0
