"""The sub-commands of ``byhand``: one module each, discovered by :mod:`byhand.cli`.

A command module defines ``add_parser(subparsers) -> argparse.ArgumentParser`` (adding its
sub-parser, options and help) and ``run(args) -> int`` (the exit code). Modules whose name
starts with ``_`` are helpers, not commands. Keep imports at module level light (argparse
only): ``byhand --help`` imports every command module; heavy imports go inside ``run``.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

#: Order of the commands in ``byhand --help``; other discovered commands follow.
ORDER = ("train", "evaluate", "predict", "sweep", "reproduce", "datasets", "gradcheck")


def discover() -> tuple[list[ModuleType], dict[str, Exception]]:
    """(command modules in help order, import errors by module name)."""
    found: dict[str, ModuleType] = {}
    errors: dict[str, Exception] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        try:
            mod = importlib.import_module(f"{__name__}.{info.name}")
        except Exception as exc:  # a broken command must not break the others
            errors[info.name] = exc
            continue
        if callable(getattr(mod, "add_parser", None)) and callable(getattr(mod, "run", None)):
            found[info.name] = mod
    rank = {name: i for i, name in enumerate(ORDER)}
    names = sorted(found, key=lambda n: (rank.get(n, len(ORDER)), n))
    return [found[n] for n in names], errors
