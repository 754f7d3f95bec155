"""No two modules of byhand import each other, directly or around a loop (issue 24: optim/sgd.py
and optim/fused.py did). Every import statement counts, those under ``TYPE_CHECKING`` and inside
functions too: a cycle that only type checkers or a late import follow is still a cycle to read
and to break on the next refactor."""

from __future__ import annotations

import ast
from pathlib import Path

import byhand

ROOT = Path(byhand.__file__).parent

# a lazy ``__getattr__`` in neural_network.py (another branch's module) returns
# CNNClassifier from _cnn.py, which builds on MLPClassifier; left to that module's owners
KNOWN = [{"byhand._cnn", "byhand.neural_network"}]


def _graph() -> dict[str, set[str]]:
    mods = {}
    for f in ROOT.rglob("*.py"):
        parts = f.relative_to(ROOT.parent).with_suffix("").parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    graph = {}
    for name, f in mods.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                deps |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        graph[name] = {d for d in deps if d in mods and d != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(comp)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_no_import_cycles_in_byhand():
    graph = _graph()
    assert "byhand.optim.sgd" in graph and "byhand.kernels" in graph
    assert [c for c in _cycles(graph) if c not in KNOWN] == []
