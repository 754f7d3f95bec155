"""Every public name of byhand documents itself with an Examples section (issue 22).

The public names are those of ``byhand.__all__``, ``byhand.nn.__all__``,
``byhand.optim.__all__``, ``byhand.datasets.__all__``, ``byhand.exercises.__all__``,
``byhand.io.__all__``, ``byhand.lectures.__all__`` and the functions and classes defined in
``byhand.gradcheck`` and ``byhand.plotting``. tests/test_doctests.py runs the examples; this
file checks that they exist, so that a new public name without one fails. Also: the package
points to files that exist, ``byhand.plotting`` is discoverable, and ``byhand.gradcheck`` is
the function whatever was imported before.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

import byhand

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "byhand"


NAMESPACES_WITH_ALL = (
    "byhand.nn",
    "byhand.optim",
    "byhand.datasets",
    "byhand.exercises",
    "byhand.io",
    "byhand.lectures",
)
MODULES_WITHOUT_ALL = ("byhand.plotting",)


def public_names() -> dict[str, object]:
    """Qualified name → object, for every documented public name (constants excluded)."""
    names: dict[str, object] = {}
    for name in byhand.__all__:
        if name in byhand._NAMESPACES or name.startswith("__"):
            continue  # a namespace is listed below; __version__ is a string
        names[f"byhand.{name}"] = getattr(byhand, name)
    for module_name in NAMESPACES_WITH_ALL:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            names[f"{module_name}.{name}"] = getattr(module, name)
    for module_name in MODULES_WITHOUT_ALL:
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if not name.startswith("_") and getattr(value, "__module__", None) == module_name:
                names[f"{module_name}.{name}"] = value
    # constants (FORMAT_VERSION, LECTURES, PALETTE) carry their type's docstring, not their
    # own: their module's docstring documents them
    return {
        q: v for q, v in names.items() if inspect.ismodule(v) or inspect.isclass(v) or callable(v)
    }


def has_examples(obj: object) -> bool:
    doc = inspect.getdoc(obj) or ""
    return re.search(r"^Examples\n-{8,}\n", doc, flags=re.MULTILINE) is not None and ">>>" in doc


PUBLIC = public_names()


def test_the_public_names_are_all_found() -> None:
    assert len(PUBLIC) >= 100  # issue 22 counted 52 in byhand and nn alone
    assert {"byhand.nn.Linear", "byhand.gradcheck", "byhand.plotting.decision_regions"} <= set(
        PUBLIC
    )


@pytest.mark.parametrize("name", sorted(set(PUBLIC)))
def test_every_public_name_has_an_examples_section(name: str) -> None:
    assert has_examples(PUBLIC[name]), f"{name}'s docstring has no Examples section with >>>"


def test_the_check_tells_a_docstring_without_examples() -> None:
    def documented() -> None:
        """Do nothing.

        Examples
        --------
        >>> documented()
        """

    def undocumented() -> None:
        """Do nothing; ``Examples`` are elsewhere."""

    assert has_examples(documented) and not has_examples(undocumented)


def test_linear_gives_its_forward_and_backward_formulas() -> None:
    doc = inspect.getdoc(byhand.nn.Linear) or ""
    for formula in ("z = x W + b", "∂L/∂W = xᵀ G", "∂L/∂b = Σₙ Gₙ", "∂L/∂x = G Wᵀ"):
        assert formula in doc
    assert "EE-559 3.6 (Fleuret, EPFL, 2019), slides '3.6. Back-propagation'" in doc
    assert "Raises\n------" in doc


def test_plotting_is_discoverable() -> None:
    assert "plotting" in byhand.__all__ and "plotting" in dir(byhand)
    assert byhand.plotting is importlib.import_module("byhand.plotting")
    assert "byhand.plotting" in (byhand.__doc__ or "")
    assert re.search(r"^\s+byhand\.plotting$", (ROOT / "docs/api/index.md").read_text(), re.M)


# a path in a docstring or comment: a Markdown file, or a file under a top-level folder
_FILE_REFERENCE = re.compile(
    r"(?<![\w./-])((?:docs|tests|benchmarks|src)/[\w./-]*\w|[\w-]+(?:/[\w-]+)*\.md)\b"
)


def test_no_docstring_or_comment_names_a_file_that_does_not_exist() -> None:
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        for lineno, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            for ref in _FILE_REFERENCE.findall(line):
                if not (ROOT / ref).exists():
                    missing.append(f"{path.relative_to(ROOT)}:{lineno}: {ref}")
    assert missing == []


def test_the_file_reference_pattern_finds_paths() -> None:
    line = 'names in DESIGN.md; see docs/architecture.md and "tests/test_io.py", not x.mdx'
    assert _FILE_REFERENCE.findall(line) == [
        "DESIGN.md",
        "docs/architecture.md",
        "tests/test_io.py",
    ]
