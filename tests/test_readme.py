"""The README's quickstart runs as written; .ci/run runs exactly the README's test command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_readme_quickstart_runs_as_written(tmp_path):
    blocks = _python_blocks()
    assert blocks, "README has no python quickstart"
    outputs = []
    for code in blocks:
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert "XOR accuracy: 1.0" in outputs[0]
    assert "XOR with degree-2 features: 1.0" in outputs[1]


def test_ci_runs_exactly_the_readme_test_command():
    lines = README.splitlines()
    command = lines[lines.index("# run the tests") + 1]
    assert "pytest" in command and "python3 -m venv .venv" in command
    ci = (ROOT / ".ci" / "run").read_text()
    # .ci/run takes the line under the same marker, so the two cannot drift apart
    assert "grep -A1 '^# run the tests$' README.md" in ci
    assert "rm -rf .venv" in ci and "eval" in ci


def test_readme_main_job_command_names_reproduce():
    lines = README.splitlines()
    command = lines[lines.index("# run the main job") + 1]
    assert command.startswith("python3 -m venv .venv") and "byhand reproduce" in command
