"""Progress, kept in the working folder: ``.byhand-exercises.json``.

``{"version": 1, "exercises": {NAME: {"status": "started" | "passed", "file": ...,
"hints": number shown, "checks": number of checks, "last": last verdict}}}``. A learner can
stop and resume: ``list`` reads it, ``start``, ``check`` and ``hint`` update it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

FILE = ".byhand-exercises.json"
VERSION = 1

__all__ = ["FILE", "load", "save", "update"]


def load(directory: Path) -> dict[str, dict[str, Any]]:
    """The progress recorded in ``directory`` (empty when there is none).

    Raises ValueError when the file exists but is not byhand's progress (saying how to fix).
    """
    path = Path(directory) / FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(
            f"cannot read the exercise progress {path}: {exc}; delete the file to start over"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("exercises"), dict):
        raise ValueError(
            f"{path} is not byhand's exercise progress (expected an object with 'exercises'); "
            "delete the file to start over"
        )
    return {k: v for k, v in data["exercises"].items() if isinstance(v, dict)}


def save(directory: Path, progress: dict[str, dict[str, Any]]) -> None:
    """Write ``progress`` atomically (a crash never leaves half a file)."""
    directory = Path(directory)
    text = json.dumps({"version": VERSION, "exercises": progress}, indent=1, sort_keys=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".byhand-exercises-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        os.replace(tmp, directory / FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update(directory: Path, name: str, **changes: Any) -> dict[str, Any]:
    """Merge ``changes`` into exercise ``name``'s record and save; return the record."""
    progress = load(directory)
    record = progress.setdefault(name, {"status": "started", "hints": 0, "checks": 0})
    record.update(changes)
    save(directory, progress)
    return record
