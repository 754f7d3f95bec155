"""``byhand datasets [--fetch mnist]``: list the data sets the commands accept; fetch MNIST.

MNIST lives in the data home (``$BYHAND_DATA`` or the user cache folder) under ``mnist/``;
``--fetch mnist`` downloads the four files there (SHA-256 checked) unless present.
"""

from __future__ import annotations

import argparse
from typing import Any

NAME = "datasets"
HELP = "list the data sets (and fetch MNIST)"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``byhand datasets``."""
    p = subparsers.add_parser(
        NAME, help=HELP, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--fetch",
        choices=("mnist",),
        metavar="NAME",
        help="download a data set into the data home (mnist)",
    )
    return p


def _mnist_status() -> str:
    from byhand.datasets import get_data_home
    from byhand.datasets.mnist import mnist_status

    folder = get_data_home() / "mnist"
    status = mnist_status()
    damaged = [
        f"{stem}: {why}" for stem, why in status.items() if why not in ("verified", "missing")
    ]
    if damaged:
        return "damaged: " + "; ".join(damaged)
    present = sum(why == "verified" for why in status.values())
    if present == len(status):
        return f"present in {folder} (SHA-256 verified)"
    return f"missing from {folder} ({present}/{len(status)} files): byhand datasets --fetch mnist"


def run(args: argparse.Namespace) -> int:
    """Execute ``byhand datasets``."""
    from rich.table import Table

    from byhand.commands._common import console
    from byhand.commands._data import NAMES

    out = console()
    if args.fetch == "mnist":
        from byhand.datasets import download_mnist

        folder = download_mnist()
        out.print(f"MNIST is in {folder}")
        return 0
    t = Table(title="data sets (--data)")
    t.add_column("name")
    t.add_column("description")
    t.add_column("status")
    for name, text in NAMES.items():
        t.add_row(name, text, _mnist_status() if name == "mnist" else "")
    out.print(t)
    return 0
