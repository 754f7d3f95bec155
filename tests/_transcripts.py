"""Where the tests find the lecture transcripts (not part of the repository).

The folder is ``$BYHAND_TRANSCRIPTS``; without that variable, the project's own layout, a
``shared/seeds`` folder beside the clone, is used when it exists (read only). Tests that
need the transcripts skip without them (``tests/conftest.py``).

Users never see these file names: the package cites lectures through ``byhand.lectures``.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "BYHAND_TRANSCRIPTS"
_BESIDE_THE_CLONE = Path(__file__).resolve().parents[2] / "shared" / "seeds"

FILES = {
    "cs577-01": "000_b8c8f70a5e624d9a.txt",
    "cs577-03": "001_cf1a1851cdd63545.txt",
    "cs577-04": "002_c7770d845551d3f5.txt",
    "ee559-3": "003_17d2bd916b1b9250.txt",
    "galerne-1": "004_58fcd66f213515d7.txt",
}
HOW_TO = (
    f"set {ENV} to the folder holding the five lecture transcripts "
    "(the project's specification, not shipped with the repository)"
)


def folder() -> Path | None:
    """The transcript folder if it holds all five files, else None."""
    env = os.environ.get(ENV)
    base = Path(env).expanduser().resolve() if env else _BESIDE_THE_CLONE
    return base if all((base / f).is_file() for f in FILES.values()) else None


def transcript_path(lecture_id: str) -> Path:
    """The transcript file of a lecture id of ``byhand.lectures``."""
    base = folder()
    if base is None:  # every caller skips (or fails under BYHAND_REQUIRE_DATA=1), marked or not
        from conftest import missing_data

        missing_data(f"needs the lecture transcripts: {HOW_TO}")
    return base / FILES[lecture_id]
