"""Which byhand code an experiment runs: its module and the byhand names its function uses.

Read from the experiment module's source with :mod:`ast` (nothing is executed): the names the
experiment's function refers to, and those of the module's own helpers it calls, resolved
through the module's ``from byhand… import …`` statements. Presentation code
(``byhand.experiments``, ``byhand.plotting``, ``byhand.lectures``), private helpers of the
package (``byhand._validation``) and exception classes caught are left out.
"""

from __future__ import annotations

import ast
import importlib.util
from functools import lru_cache
from pathlib import Path

__all__ = ["byhand_names"]

HIDDEN = ("byhand.experiments", "byhand.plotting", "byhand.lectures", "byhand._")


def _imports(nodes: list[ast.stmt] | list[ast.AST]) -> dict[str, str]:
    """Local name → qualified byhand name for the import statements among ``nodes``."""
    out: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "byhand" or node.module.startswith("byhand."):
                for a in node.names:
                    out[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.asname and a.name.startswith("byhand"):  # import byhand.nn as nn
                    out[a.asname] = a.name
                elif a.name == "byhand" or a.name.startswith("byhand."):  # binds "byhand"
                    out["byhand"] = "byhand"
    return out


@lru_cache(maxsize=256)
def byhand_names(module: str, function: str) -> tuple[str, ...]:
    """The byhand names (``byhand.linear_model.Perceptron``, ``byhand.nn.Linear``) that
    ``function`` of ``module`` uses, directly or through the module's own helpers; ``()`` when
    the source cannot be read.

    Examples
    --------
    >>> "byhand.linear_model.LinearRegression" in byhand_names(
    ...     "byhand.experiments.cs577_l01.regression", "closed_form")
    True
    """
    try:
        spec = importlib.util.find_spec(module)
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))  # type: ignore[union-attr, arg-type]
    except Exception:  # not importable, no source file, a syntax error: show no names
        return ()
    top = {
        n.name: n
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }
    if function not in top:
        return ()
    known = _imports(tree.body)
    todo, seen, found = [function], set(), []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        nodes = list(ast.walk(top[name]))
        local = {**known, **_imports(nodes)}
        bases = {id(n.value) for n in nodes if isinstance(n, ast.Attribute)}
        for n in nodes:
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name):
                if n.value.id in local:
                    found.append(f"{local[n.value.id]}.{n.attr}")
            elif isinstance(n, ast.Name) and id(n) not in bases:
                if n.id in local:
                    found.append(local[n.id])
                elif n.id in top and n.id not in seen:
                    todo.append(n.id)
    keep = (n for n in found if not n.startswith(HIDDEN) and not n.endswith(("Error", "Warning")))
    return tuple(dict.fromkeys(sorted(keep)))
