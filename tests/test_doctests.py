"""Every Examples section of byhand runs: each docstring's ``>>>`` lines are a doctest.

Every module of the package is searched (the private ones too: the public estimators are
defined there), with the standard library's ``doctest`` finder; each module with examples is
one test, run in a temporary folder with ELLIPSIS and NORMALIZE_WHITESPACE. The API reference
of the documentation site shows the same docstrings.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import byhand

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> list[str]:
    names = ["byhand"]
    for info in pkgutil.walk_packages(byhand.__path__, prefix="byhand."):
        if not info.name.endswith(".__main__"):  # importing it runs the command line
            names.append(info.name)
    return sorted(names)


def _doctests(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [t for t in finder.find(module, name) if t.examples]


MODULES_WITH_EXAMPLES = [name for name in _modules() if _doctests(name)]


def test_the_finder_sees_the_examples_that_exist() -> None:
    # byhand.lectures has a module-level example (cite); without it this file tests nothing
    assert "byhand.lectures" in MODULES_WITH_EXAMPLES
    assert len(_modules()) > 40  # every module of the package was searched


def _run(tests: list[doctest.DocTest]) -> tuple[int, int, str]:
    """(examples attempted, examples failed, the failure report)."""
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    for test in tests:
        runner.run(test, out=report.append)
    return runner.tries, runner.failures, "".join(report)


@pytest.mark.parametrize("name", MODULES_WITH_EXAMPLES)
def test_examples_run(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    tried, failed, report = _run(_doctests(name))
    assert tried > 0
    assert failed == 0, report


def test_a_wrong_example_fails() -> None:
    def twice(x: int) -> int:
        """Twice x.

        Examples
        --------
        >>> twice(2)
        5
        """
        return 2 * x

    tests = doctest.DocTestFinder().find(twice, "twice", globs={"twice": twice})
    tried, failed, report = _run(tests)
    assert (tried, failed) == (1, 1) and "Expected:\n    5\nGot:\n    4" in report
