"""The file ``start`` writes: the signature, the lecture's statement and formula, a TODO."""

from __future__ import annotations

import json
import textwrap

from byhand.exercises._core import Exercise

__all__ = ["notebook", "python_file"]


def _doc(ex: Exercise) -> str:
    statement = textwrap.indent(ex.statement.strip(), "")
    formula = textwrap.indent(textwrap.dedent(ex.formula).strip(), "    ")
    return (
        f"byhand exercise {ex.name}: {ex.title}.\n\n"
        f"From {ex.citation}.\n\n"
        f"{statement}\n\n{formula}\n\n"
        f"Return new arrays: the grader checks that your function leaves its inputs unchanged.\n\n"
        f"Check your answer:        byhand exercise check {ex.name}\n"
        f"A hint, one at a time:    byhand exercise hint {ex.name}"
    )


def _function(ex: Exercise, notebook: bool = False) -> str:
    want = ", ".join(ex.outputs)
    ret = want if len(ex.outputs) == 1 else f"({want})"
    where = "the statement in the first cell" if notebook else "the docstring above"
    return (
        f"def {ex.function}({ex.params}):\n"
        f"    # TODO: compute and return {ret}, as {where} says.\n"
        f'    raise NotImplementedError("TODO: write {ex.function}")\n'
    )


def python_file(ex: Exercise) -> str:
    """The skeleton ``.py`` file of ``ex``."""
    doc = _doc(ex).replace('"""', "'''")
    imports = f"import numpy as np\n{ex.extra_imports}".rstrip()
    prefix = "r" if "\\" in doc else ""  # a raw string: the set minus A \\ {y} is no escape
    return f'{prefix}"""{doc}\n"""\n\n{imports}\n\n\n{_function(ex)}'


def notebook(ex: Exercise) -> str:
    """The skeleton as a Jupyter notebook (nbformat 4): the statement in a Markdown cell, the
    function in a code cell, and a cell that runs the grader."""

    def cell(kind: str, text: str) -> dict:
        c = {
            "cell_type": kind,
            "id": f"{ex.function}-{kind}-{len(text)}",
            "metadata": {},
            "source": text.splitlines(True),
        }
        if kind == "code":
            c.update(execution_count=None, outputs=[])
        return c

    md = _doc(ex).replace("\n    ", "\n\n    ", 1)
    body = (
        f"import numpy as np\n{ex.extra_imports}".rstrip() + "\n\n\n" + _function(ex, notebook=True)
    )
    run = (
        "# Save the notebook, then grade it:\n"
        f"!byhand exercise check {ex.name} {ex.name.replace('-', '_')}.ipynb\n"
    )
    nb = {
        "cells": [cell("markdown", md), cell("code", body), cell("code", run)],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
