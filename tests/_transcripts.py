"""Where the tests find the lecture transcripts (a folder beside the clone, in CI only).

Users never see these file names: the package cites lectures through ``byhand.lectures``.
"""

from __future__ import annotations

import os
from pathlib import Path

SEEDS = Path(
    os.environ.get("BYHAND_TRANSCRIPTS")
    or Path(__file__).resolve().parents[1] / ".." / "shared" / "seeds"
)

FILES = {
    "cs577-01": "000_b8c8f70a5e624d9a.txt",
    "cs577-03": "001_cf1a1851cdd63545.txt",
    "cs577-04": "002_c7770d845551d3f5.txt",
    "ee559-3": "003_17d2bd916b1b9250.txt",
    "galerne-1": "004_58fcd66f213515d7.txt",
}


def transcript_path(lecture_id: str) -> Path:
    """The transcript file of a lecture id of ``byhand.lectures``."""
    return SEEDS / FILES[lecture_id]
