"""No import cycle among byhand's modules (issue 20, item 10).

The import graph is read from the source (``ast``), not from ``sys.modules``: every
``import`` and ``from … import`` anywhere in a module, function bodies included (a lazy
import is still a dependency), except those under ``if TYPE_CHECKING:``, which never run.
An edge goes to the most specific byhand module named (``from byhand.nn import conv`` →
``byhand.nn.conv``; ``from byhand.nn import Linear`` → ``byhand.nn``).

One kind of lazy import is allowed to close a cycle, module by module in
``LAZY_DISCOVERY``: a registry that imports the members of its own package inside a
function, the first time its catalogue is asked for (plugin discovery), while the
members import the registry to register themselves.
"""

from __future__ import annotations

import ast
from pathlib import Path

import byhand

ROOT = Path(byhand.__file__).parent

#: registry module → why its function-level imports of its own package's modules are fine
LAZY_DISCOVERY = {
    "byhand.exercises._core": "imports the exercise modules when the catalogue is first "
    "read; each of them imports _core to register its exercises",
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


class _Imports(ast.NodeVisitor):
    def __init__(self, name: str, is_package: bool, known: dict[str, Path]) -> None:
        self.package = name if is_package else name.rpartition(".")[0]
        self.known = known
        self.targets: set[str] = set()
        self.lazy: set[str] = set()  # imported only inside a function
        self._depth = 0

    def _nested(self, node: ast.AST) -> None:
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _nested

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.package.split(".")
            parts = parts[: len(parts) - (node.level - 1)]
            base = ".".join([*parts, *([node.module] if node.module else [])])
        for alias in node.names:
            if f"{base}.{alias.name}" in self.known:
                self._add(f"{base}.{alias.name}")
            else:
                self._add(base)

    def _add(self, name: str) -> None:
        while name and name not in self.known:  # import byhand.x.y as a whole
            name = name.rpartition(".")[0]
        if name:
            self.targets.add(name)
            if self._depth:
                self.lazy.add(name)


def _graph() -> dict[str, set[str]]:
    known = _modules()
    graph = {}
    for name, path in known.items():
        visitor = _Imports(name, path.name == "__init__.py", known)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        graph[name] = visitor.targets - {name}
        if name in LAZY_DISCOVERY:  # its own package's members, imported lazily
            package = name.rpartition(".")[0]
            graph[name] -= {t for t in visitor.lazy if t.rpartition(".")[0] == package}
    return graph


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path [a, b, …, a], or None (depth-first search, colours)."""
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(v: str) -> list[str] | None:
        colour[v] = 1
        stack.append(v)
        for w in sorted(graph[v]):
            if colour.get(w) == 1:
                return [*stack[stack.index(w) :], w]
            if w not in colour and (found := visit(w)) is not None:
                return found
        stack.pop()
        colour[v] = 2
        return None

    for v in sorted(graph):
        if v not in colour and (found := visit(v)) is not None:
            return found
    return None


def test_the_graph_sees_the_network_modules_and_their_imports():
    """The walk finds what it must (so that an empty graph cannot pass the test below)."""
    graph = _graph()
    assert "byhand._network_base" in graph["byhand._cnn"]
    assert "byhand._cnn" in graph["byhand.neural_network"]
    assert "byhand.training" in graph["byhand._network_base"]


def test_the_cycle_finder_finds_a_lazy_import_cycle():
    """A cycle closed by an import inside a function (as neural_network's lazy
    ``__getattr__`` once imported _cnn, which imported neural_network) is found."""
    known = {"p.a": Path("a.py"), "p.b": Path("b.py")}
    a = _Imports("p.a", False, known)
    a.visit(ast.parse("def f():\n    from p.b import X\n"))
    b = _Imports("p.b", False, known)
    b.visit(ast.parse("from p import a\nif TYPE_CHECKING:\n    import p.c\n"))
    assert _find_cycle({"p.a": a.targets, "p.b": b.targets}) == ["p.a", "p.b", "p.a"]
    assert a.lazy == {"p.b"} and not b.lazy


def test_no_import_cycle_among_byhand_modules():
    cycle = _find_cycle(_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_model_files_saved_before_the_split_still_load_and_continue():
    """tests/data/network_models holds an MLPClassifier, an MLPRegressor and a
    CNNClassifier (dropout 0.3) saved by byhand.save at commit a190432, when CNNClassifier
    subclassed MLPClassifier and neural_network held the shared machinery, with their
    predictions then: they load, predict the same, and continue with partial_fit."""
    import numpy as np

    import byhand

    folder = Path(__file__).parent / "data" / "network_models"
    expected = np.load(folder / "expected.npz")
    X, y = expected["X"], np.arange(30) % 3
    for name, target in (("mlp", y), ("cnn", y), ("reg", X[:, 0])):
        model = byhand.load(folder / f"{name}.npz")
        np.testing.assert_array_equal(model.predict(X), expected[name])
        model.partial_fit(X, target)
        assert model.n_iter_ == 3
