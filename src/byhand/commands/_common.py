"""Shared pieces of the sub-commands: ``--param`` parsing, usage errors, progress, tables."""

from __future__ import annotations

import argparse
import ast
import math
import re
import textwrap
from pathlib import Path
from typing import Any

SCHEDULE_RE = re.compile(r"(constant|exponential|inverse_time)\((.*)\)\s*", re.DOTALL)


class UsageError(ValueError):
    """A bad command line (unknown name, malformed value): exit code 2, one line."""


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1 (``--epochs 0`` is a usage error naming the option)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0 (a step size or finite-difference eps)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


def nonnegative_float(text: str) -> float:
    """argparse type: a finite number >= 0 (a tolerance)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text}")
    return value


def check_out_path(path: str, flag: str, suffixes: tuple[str, ...] = ()) -> Path:
    """``path`` as a file to write later: its folder must exist now (before any work), and
    its suffix be one of ``suffixes`` (if given); UsageError naming ``flag`` otherwise."""
    out = Path(path)
    if suffixes and out.suffix.lower() not in suffixes:
        raise UsageError(f"{flag} {path}: must end in {' or '.join(suffixes)}")
    folder = out.parent
    if not folder.is_dir():
        raise UsageError(
            f"{flag} {path}: the folder {folder} does not exist (create it first: "
            f"mkdir -p {folder})"
        )
    if out.is_dir():
        raise UsageError(f"{flag} {path}: is a folder, expected a file name")
    return out


_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")  # :func:`x`, :class:`~a.B`
_LITERAL = re.compile(r"``([^`]+)``")  # ``x``
_INTERPRETED = re.compile(r"(?<![`\w])`([^`]+)`(?!`)")  # `x`


def plain(text: str | None, width: int = 88, *, reflow: bool = True) -> str | None:
    """Docstring text for ``--help``: reStructuredText markup removed, paragraphs rewrapped.

    ``:func:`byhand.fit``` → byhand.fit, ````x```` → x; lines of a paragraph are joined and
    wrapped at ``width`` (unless ``reflow=False``); list items (``- …``) start their own
    lines.
    """
    if text is None:
        return None

    def role(m: re.Match[str]) -> str:
        target = m.group(1)
        return (
            target.rsplit(".", 1)[-1]
            if m.group(0).startswith(":") and "~" in m.group(0)
            else target
        )

    text = _ROLE.sub(role, text)
    text = _LITERAL.sub(r"\1", text)
    text = _INTERPRETED.sub(r"\1", text)
    if not reflow:
        return text
    blocks: list[str] = []
    for para in re.split(r"\n\s*\n", textwrap.dedent(text).strip()):
        items: list[list[str]] = []
        for line in para.splitlines():
            stripped = line.strip()
            if not items or stripped.startswith("- "):
                items.append([line.rstrip()])
            else:
                items[-1].append(stripped)
        out = []
        for item in items:
            first = item[0]
            indent = first[: len(first) - len(first.lstrip())]
            bullet = "- " if first.lstrip().startswith("- ") else ""
            body = " ".join([first.strip()[len(bullet) :], *item[1:]])
            out.append(
                textwrap.fill(
                    body,
                    width,
                    initial_indent=indent + bullet,
                    subsequent_indent=indent + " " * len(bullet),
                    break_on_hyphens=False,
                )
            )
        blocks.append("\n".join(out))
    return "\n\n".join(blocks)


def parse_value(text: str) -> Any:
    """A ``--param`` value as a Python value: numbers, ``true``/``false``/``none``, tuples
    (``8,16`` → (8, 16)), strings, and schedules (``exponential(0.1,0.99)``)."""
    s = text.strip()
    low = s.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    m = SCHEDULE_RE.fullmatch(s)
    if m:
        from byhand.optim.schedules import SCHEDULES

        args = parse_value(m.group(2)) if m.group(2).strip() else ()
        args = args if isinstance(args, tuple) else (args,)
        try:
            return SCHEDULES[m.group(1)](*args)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"bad schedule {s!r}: {exc}") from None
    try:
        value = ast.literal_eval(s)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return s
    if isinstance(value, list):
        value = tuple(value)
    if isinstance(value, (int, float, str, tuple, bool)) or value is None:
        return value
    return s


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside parentheses, brackets and quotes."""
    out, depth, quote, cur = [], 0, "", []
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur))
    return [p.strip() for p in out]


def split_assignment(item: str, flag: str) -> tuple[str, str]:
    """``NAME=VALUE`` → (NAME, VALUE); UsageError naming ``flag`` otherwise."""
    name, eq, value = item.partition("=")
    if not eq or not name.strip() or not value.strip():
        raise UsageError(f"{flag} takes NAME=VALUE, got {item!r}")
    return name.strip(), value.strip()


def fit_to_default(value: Any, default: Any) -> Any:
    """An int where the estimator's default is a tuple becomes a 1-tuple (8 → (8,))."""
    if (
        isinstance(default, tuple)
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
    ):
        return (value,)
    return value


def parse_params(items: list[str] | None, defaults: dict[str, Any], model: str) -> dict[str, Any]:
    """``--param k=v`` items → a dict; unknown names list the estimator's parameters."""
    params: dict[str, Any] = {}
    for item in items or ():
        name, text = split_assignment(item, "--param")
        if name not in defaults:
            raise UsageError(
                f"model {model!r} has no parameter {name!r}; its parameters: "
                f"{', '.join(sorted(defaults))}"
            )
        params[name] = fit_to_default(parse_value(text), defaults[name])
    return params


EPOCH_PARAMS = ("max_iter", "epochs", "n_epochs")


def epoch_param(defaults: dict[str, Any]) -> str | None:
    """The name of an estimator's epoch budget parameter, if it has one."""
    return next((p for p in EPOCH_PARAMS if p in defaults), None)


def is_classifier(est: Any) -> bool:
    """True for a classifier (scikit-learn's estimator tags)."""
    from sklearn.base import is_classifier as skl_is_classifier

    try:
        return bool(skl_is_classifier(est))
    except Exception:
        return getattr(est, "_estimator_type", None) == "classifier"


def console(stderr: bool = False) -> Any:
    """A rich console on stdout (or stderr), no syntax highlighting. In a pipe or a file
    (no terminal to fit, and no ``COLUMNS`` set) tables are laid out 200 columns wide, so that
    a row stays one line instead of wrapping at rich's default of 80."""
    import os
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    terminal = bool(getattr(stream, "isatty", lambda: False)())
    width = None if terminal or os.environ.get("COLUMNS") else 200
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=width)


def fmt(x: Any, digits: int = 4) -> str:
    """A number as a table cell: floats with ``digits`` decimals, None as '-'."""
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)
