"""A fresh clone with nothing beside it: the test suite collects, and data-hungry tests skip
with a reason saying how to provide the data (or fail when CI requires the data).

The "clone" is a copy of the files git would commit (tracked and new, not ignored), as they
are in the working tree, in a temporary folder with no ``shared/`` beside it and none of
``BYHAND_DATA``, ``BYHAND_TRANSCRIPTS``, ``BYHAND_REQUIRE_DATA`` set.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA_VARS = ("BYHAND_DATA", "BYHAND_TRANSCRIPTS", "BYHAND_REQUIRE_DATA")
# tests that need real MNIST or the transcripts and skip at once without them
DATA_TESTS = (
    "tests/test_datasets_mnist.py",
    "tests/test_benchmarks_smoke.py",
    "tests/test_reproduce_framework.py::test_every_experiment_cites_a_transcript_that_exists",
    "tests/test_experiments_lecture003.py::test_slide_titles_are_the_transcripts",
)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout of byhand")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    dest = tmp_path_factory.mktemp("fresh") / "byhand"
    for name in filter(None, listed.split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def _pytest(clone: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in DATA_VARS}
    clean.pop("PYTEST_ADDOPTS", None)
    clean.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=clone,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_whole_suite_collects_without_errors(clone: Path) -> None:
    res = _pytest(clone, "--collect-only", "-q")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    last = res.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ tests collected in [\d.]+s", last), res.stdout[-3000:]
    assert int(last.split()[0]) > 1000  # every test file was collected
    assert sorted(p.name for p in clone.parent.iterdir()) == ["byhand"]  # nothing beside


def test_data_tests_skip_with_a_reason_saying_how(clone: Path) -> None:
    res = _pytest(clone, "-q", "-rs", *DATA_TESTS)
    out = res.stdout
    assert res.returncode == 0, out[-3000:] + res.stderr[-3000:]
    skips = [ln for ln in out.splitlines() if ln.startswith("SKIPPED")]
    assert skips and "failed" not in out, out[-3000:]
    for line in skips:
        assert "set BYHAND_DATA" in line or "set BYHAND_TRANSCRIPTS" in line, line
    assert sorted(p.name for p in clone.parent.iterdir()) == ["byhand"]


def test_required_data_turns_the_skips_into_failures(clone: Path) -> None:
    res = _pytest(clone, "-q", *DATA_TESTS, BYHAND_REQUIRE_DATA="1")
    assert res.returncode == 1, res.stdout[-3000:]
    assert "BYHAND_REQUIRE_DATA=1 makes this a failure" in res.stdout
    assert "skipped" not in res.stdout.splitlines()[-1]


def test_a_failed_download_leaves_no_folder_behind(tmp_path: Path, monkeypatch) -> None:
    """Today's cause of a ``shared/datasets`` folder beside the clone: a load from a data
    home that did not exist created its parents and removed only ``mnist/``."""
    from byhand.datasets import DatasetNotFoundError, load_mnist

    home = tmp_path / "shared" / "datasets"
    with pytest.raises(DatasetNotFoundError, match="tests never download"):
        load_mnist("test", data_home=home)
    assert list(tmp_path.iterdir()) == []


def test_benchmarks_without_mnist_say_how_to_provide_it(tmp_path: Path, monkeypatch) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_common", ROOT / "benchmarks/_common.py")
    common = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_common", common)  # dataclasses look it up
    spec.loader.exec_module(common)
    monkeypatch.setenv("BYHAND_DATA", str(tmp_path))
    with pytest.raises(SystemExit) as exc:
        common.load_data(common.TINY)
    msg = str(exc.value.code)
    assert f"not found (and could not be downloaded) in\n{tmp_path / 'mnist'}" in msg
    assert "set BYHAND_DATA" in msg and "byhand datasets --fetch mnist" in msg
    assert list(tmp_path.iterdir()) == []  # nothing left behind
