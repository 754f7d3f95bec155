"""Data sets by name for the command line: ``xor``, ``moons``, ``digits``, ``mnist``, files.

A spec names a data set and a split (``train`` or ``test``):

- ``xor``: the four XOR points (EE-559 3.3 (Fleuret, EPFL, 2019)), both splits;
- ``moons`` / ``moons:N``: N (500) two-moons points with noise 0.2 (CS 577 Lecture 04
  (Wang, IIT, 2024), slide "Breakout session"), drawn with the seed; the test split is a
  fresh sample (seed + 1);
- ``digits``: scikit-learn's 8×8 digits, a fixed 80 / 20 train / test split;
- ``mnist``, ``mnist:A-B`` (digit A ↦ −1, B ↦ +1, e.g. ``mnist:0-1``),
  ``mnist:K-vs-rest`` (e.g. ``mnist:8-vs-rest``): MNIST's own train / test files;
- ``PATH.csv`` (a header row; the target column from ``target``, else a column named
  ``target``/``y``/``label``/``class``) and ``PATH.npz`` (arrays ``X`` and ``y``): the whole file
  for both splits.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from byhand.lectures import cite

if TYPE_CHECKING:
    import numpy as np

NAMES: dict[str, str] = {
    "xor": f"the 4 XOR points (labels 0/1), as in {cite('ee559-3')}",
    "moons": "two moons, 500 points, noise 0.2 (moons:N for N points); test = a fresh sample; "
    f"{cite('cs577-04', 'Breakout session')}",
    "digits": "scikit-learn's 8x8 digits, 10 classes, fixed 80/20 split",
    "mnist": "MNIST 28x28 digits, 10 classes, 60000 train / 10000 test",
    "mnist:A-B": "MNIST digits A (-1) and B (+1) only, e.g. mnist:0-1",
    "mnist:K-vs-rest": "MNIST, digit K (+1) against all others (-1), e.g. mnist:8-vs-rest",
    "PATH.csv": "a CSV file with a header; --target NAME picks the label column",
    "PATH.npz": "an .npz file with arrays X and y",
}
TARGET_GUESSES = ("target", "y", "label", "class")
MIN_SPLIT = 10  # fewer samples (xor's 4 points): no validation split


class DataSpecError(ValueError):
    """An unknown data set name or an unreadable data file."""


EXAMPLES = {
    "moons": "moons:N",
    "mnist:A-B": "e.g. mnist:0-1",
    "mnist:K-vs-rest": "e.g. mnist:8-vs-rest",
}


def valid_names() -> str:
    """The accepted data set names, with examples of the parametrised ones."""
    return ", ".join(f"{n} ({EXAMPLES[n]})" if n in EXAMPLES else n for n in NAMES)


def load(
    spec: str, split: str = "train", *, seed: int = 0, target: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of data set ``spec`` and ``split`` ("train" or "test")."""
    import numpy as np

    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    path = Path(spec)
    if spec.lower().endswith((".csv", ".npz")):
        if not path.is_file():
            raise FileNotFoundError(f"{spec}: no such data file")
        return _load_csv(path, target) if spec.lower().endswith(".csv") else _load_npz(path)
    from byhand import datasets

    if spec == "xor":
        return datasets.xor()
    m = re.fullmatch(r"moons(?::(\d+))?", spec)
    if m:
        n = int(m.group(1) or 500)
        return datasets.make_moons(n, noise=0.2, random_state=seed + (split == "test"))
    if spec == "digits":
        X, y = datasets.load_digits()
        order = np.random.default_rng(0).permutation(len(y))
        cut = round(0.8 * len(y))
        idx = order[:cut] if split == "train" else order[cut:]
        return X[idx], y[idx]
    if spec == "mnist":
        return datasets.load_mnist(split)
    m = re.fullmatch(r"mnist:(\d)-(\d)", spec)
    if m:
        return datasets.load_mnist(split, digits=(int(m.group(1)), int(m.group(2))))
    m = re.fullmatch(r"mnist:(\d)-vs-rest", spec)
    if m:
        return datasets.load_mnist(split, one_vs_rest=int(m.group(1)))
    raise DataSpecError(f"unknown data set {spec!r}; valid data sets: {valid_names()}")


def _load_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in ("X", "y") if k not in f.files]
            if missing:
                raise DataSpecError(f"{path}: needs arrays X and y, has {', '.join(f.files)}")
            return np.asarray(f["X"]), np.asarray(f["y"])
    except DataSpecError:
        raise
    except Exception as exc:
        raise DataSpecError(f"{path}: not a readable .npz with X and y ({exc})") from None


def read_csv(path: Path, target: str | None = None) -> tuple[list[str], np.ndarray, Any]:
    """(column names, float64 features, labels or None) of a CSV file with a header row.

    Every column but ``target`` must hold numbers; a cell that is empty, not a number or not
    finite is reported with its line and column. The ``target`` column may hold numbers
    (integers become int64) or strings (kept as strings: the estimators accept any labels).
    """
    import csv
    import math

    import numpy as np

    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = [
                (i, r) for i, r in enumerate(csv.reader(f), start=1) if any(c.strip() for c in r)
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataSpecError(f"{path}: cannot read ({exc})") from None
    if not rows:
        raise DataSpecError(f"{path}: the file is empty")
    names = [c.strip() for c in rows[0][1]]
    if names and all(_is_number(c) for c in names):
        raise DataSpecError(
            f"{path}, line {rows[0][0]}: the first row holds only numbers ({', '.join(names)}); "
            "a CSV needs a header row naming its columns (e.g. x1,x2,...), so the first data "
            "row is not taken for one"
        )
    if target is not None and target not in names:
        raise DataSpecError(f"{path}: no column {target!r}; columns: {', '.join(names)}")
    j_target = names.index(target) if target is not None else None
    features, labels = [], []
    for i, cells in rows[1:]:
        if len(cells) != len(names):
            raise DataSpecError(
                f"{path}, line {i}: {len(cells)} values, the header has {len(names)} columns"
            )
        row = []
        for j, cell in enumerate(cells):
            where = f"{path}, line {i}, column {j + 1} ({names[j]!r})"
            text = cell.strip()
            if not text:
                raise DataSpecError(f"{where}: empty cell")
            if j == j_target:
                labels.append(text)
                continue
            try:
                value = float(text)
            except ValueError:
                raise DataSpecError(f"{where}: not a number: {text!r}") from None
            if not math.isfinite(value):
                raise DataSpecError(f"{where}: not a finite number: {text!r}")
            row.append(value)
        features.append(row)
    if not features:
        raise DataSpecError(f"{path}: no data rows below the header")
    X = np.array(features, dtype=np.float64).reshape(len(features), -1)
    return names, X, None if j_target is None else _labels(labels)


def _labels(texts: list[str]) -> np.ndarray:
    """Labels as numbers when every one is a number (int64 when integral), else strings."""
    import numpy as np

    try:
        y = np.array([float(t) for t in texts])
    except ValueError:
        return np.array(texts)
    if np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        return y.astype(np.int64)
    return y


def _is_number(cell: str) -> bool:
    """True when ``cell`` parses as a float (a header cell never should)."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


def csv_header(path: Path) -> list[str]:
    """The column names of a CSV file (its first non-blank row)."""
    import csv

    try:
        with open(path, encoding="utf-8", newline="") as f:
            return next(([c.strip() for c in r] for r in csv.reader(f) if any(r)), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataSpecError(f"{path}: cannot read ({exc})") from None


def _load_csv(path: Path, target: str | None) -> tuple[np.ndarray, np.ndarray]:
    if target is None:
        header = csv_header(path)
        target = next((t for t in TARGET_GUESSES if t in header), None)
        if target is None:
            raise DataSpecError(
                f"{path}: say which column is the target with --target NAME; "
                f"columns: {', '.join(header)}"
            )
    _, X, y = read_csv(path, target)
    return X, y


def load_inputs(path_str: str, target: str | None = None) -> tuple[np.ndarray, list[str] | None]:
    """(X, column names or None) of a prediction input: a CSV of features with a header
    (``target`` names a label column to drop), or an .npz with an array X."""
    import numpy as np

    path = Path(path_str)
    if not path.is_file():
        raise FileNotFoundError(f"{path_str}: no such input file")
    if path.suffix.lower() == ".csv":
        names, X, _ = read_csv(path, target)
        return X, [n for n in names if n != target]
    if target is not None:
        raise DataSpecError(f"{path}: --target applies to .csv inputs only")
    if path.suffix.lower() == ".npz":
        try:
            with np.load(path, allow_pickle=False) as f:
                if "X" not in f.files:
                    raise DataSpecError(f"{path}: needs an array X, has {', '.join(f.files)}")
                return np.asarray(f["X"]), None
        except DataSpecError:
            raise
        except Exception as exc:
            raise DataSpecError(f"{path}: not a readable .npz ({exc})") from None
    raise DataSpecError(f"{path}: inputs must be a .csv or .npz file")


def split_validation(
    X: np.ndarray, y: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, Any, Any]:
    """(X_train, y_train, X_val, y_val): a seeded random ``fraction`` held out (None if 0
    or fewer than ``MIN_SPLIT`` samples)."""
    import numpy as np

    if not 0 <= fraction < 1:
        raise ValueError(f"--val-fraction must lie in [0, 1), got {fraction}")
    n_val = round(fraction * len(y))
    if len(y) < MIN_SPLIT or n_val == 0 or n_val >= len(y):
        return X, y, None, None
    order = np.random.default_rng(seed).permutation(len(y))
    val, train = order[:n_val], order[n_val:]
    return X[train], y[train], X[val], y[val]
