"""``byhand predict model.npz INPUT.csv|INPUT.npz [--out PATH]``: predictions of a saved model.

INPUT is a CSV of feature columns with a header row, or an ``.npz`` with an array ``X``.
The predictions go to ``--out`` (``.csv``: one column ``prediction``; ``.npz``: an array
``y``), or to standard output, one per line.
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

    from byhand.commands._data import load_inputs
    from byhand.io import load

    model = load(args.model)
    X = load_inputs(args.input)
    n_in = getattr(model, "n_features_in_", None)
    if X.ndim != 2 or (n_in is not None and X.shape[1] != n_in):
        raise ValueError(
            f"{args.input}: {args.model} expects rows of {n_in} features, got an "
            f"array of shape {X.shape}"
        )
    pred = np.asarray(model.predict(X))
    lines = [repr(v) if isinstance(v, float) else str(v) for v in pred.tolist()]
    if args.out is None:
        sys.stdout.write("".join(f"{s}\n" for s in lines))
        return 0
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".npz"):
        raise ValueError(f"--out {args.out}: must end in .csv or .npz")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"{args.out}: the folder {folder} does not exist")
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
