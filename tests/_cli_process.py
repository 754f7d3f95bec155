"""The ``byhand`` command in a subprocess, and how far its checkpoints got (SIGKILL tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from byhand.checkpoint import load_checkpoint


def cli_process(*args: str, **kw: Any) -> subprocess.Popen:
    """``python -m byhand ARGS`` started unbuffered, its output piped as text."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "byhand", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def checkpoint_epoch(directory: Path) -> int:
    """The epoch of the checkpoint in ``directory``, 0 when there is none (yet) or it is torn."""
    try:
        return int(load_checkpoint(directory)[0]["epoch"])
    except (FileNotFoundError, ValueError):
        return 0
