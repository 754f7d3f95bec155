"""The child process of the grader: ``python -m byhand.exercises._child NAME FILE OUT``.

Runs :func:`byhand.exercises._runner.collect` on the learner's FILE and writes the outcome to
OUT; whatever the learner's code does (print, loop, raise, exit) happens in this process.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    name, file, target = argv
    from byhand.exercises._core import registry
    from byhand.exercises._runner import collect, write

    ex = registry()[name]
    path = Path(file).resolve()
    sys.argv = [str(path)]
    sys.path.insert(0, str(path.parent))
    outcome = collect(ex, path)
    write(outcome, Path(target))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
