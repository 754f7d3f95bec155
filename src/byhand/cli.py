"""The ``byhand`` command: train, evaluate, predict, sweep, reproduce, datasets, gradcheck.

Sub-commands are the modules of :mod:`byhand.commands` defining ``add_parser(subparsers)``
and ``run(args) -> int``. Exit codes: 0 success, 1 failure, 2 usage error. Mistakes (an
unknown model, a missing file, a corrupted model) print one line to stderr; ``--debug``
shows the traceback instead.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import traceback
import warnings
from collections.abc import Sequence
from typing import Any

from byhand import __version__
from byhand.commands._common import plain

EPILOG = """examples:
  byhand train mlp-classifier --data moons --param hidden_layer_sizes=16,16 \\
    --param learning_rate=0.1 --out moons.npz
  byhand evaluate moons.npz --data moons --plot moons.png
  byhand predict moons.npz points.csv --out predictions.csv
  byhand sweep mlp-classifier --data moons --grid hidden_layer_sizes=4,16 --repeat 2
  byhand reproduce --quick
run 'byhand COMMAND --help' for the options of a command."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Exception]]:
    """The argument parser with every discovered sub-command (and the import failures)."""
    from byhand.commands import discover

    parser = argparse.ArgumentParser(
        prog="byhand",
        description="byhand — deep learning from first principles, every gradient by hand.",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"byhand {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show full tracebacks on errors (and warnings as Python prints them)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    modules, errors = discover()
    for mod in modules:
        before = set(sub.choices)
        try:
            mod.add_parser(sub)
        except Exception as exc:
            errors[mod.__name__.rsplit(".", 1)[-1]] = exc
            continue
        for name in set(sub.choices) - before:
            p = sub.choices[name]
            p.set_defaults(_run=mod.run)
            _plain_help(p)
            if not any("--debug" in a.option_strings for a in p._actions):
                p.add_argument(
                    "--debug",
                    action="store_true",
                    default=argparse.SUPPRESS,
                    help="show full tracebacks on errors",
                )
    for action in sub._choices_actions:
        action.help = plain(action.help, reflow=False)
    parser.epilog = (parser.epilog or "") + _lectures_epilog()
    parser.set_defaults(_commands=dict(sub.choices))
    return parser, errors


def _plain_help(p: argparse.ArgumentParser) -> None:
    """``--help`` without reStructuredText markup: the docstring-made description rewrapped,
    option help texts stripped of markup."""
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.description = plain(p.description)
    p.epilog = plain(p.epilog, reflow=False)
    for action in p._actions:
        action.help = plain(action.help, reflow=False)


def _lectures_epilog() -> str:
    """The five lectures byhand implements, named by the catalogue ``byhand.lectures``."""
    from byhand.lectures import LECTURES

    lines = [
        textwrap.fill(
            f"{lec.short}: {lec.title}", 88, initial_indent="  ", subsequent_indent="    "
        )
        for lec in LECTURES.values()
    ]
    return "\n\nthe lectures byhand implements and reproduces:\n" + "\n".join(lines)


def _unrecognized(args: argparse.Namespace, extra: list[str]) -> str:
    """The error for arguments no option took, with the likely fix for ``--param k v``."""
    msg = f"unrecognized arguments: {' '.join(extra)}"
    for flag in ("param", "grid"):
        for item in getattr(args, flag, None) or ():
            if "=" not in item:
                return f"{msg} (--{flag} takes NAME=VALUE as one word: --{flag} {item}={extra[0]})"
    return msg


def _one_line_warnings(
    message: Any, category: type, filename: str, lineno: int, file: Any = None, line: Any = None
) -> None:
    print(f"byhand: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``byhand`` with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, import_errors = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        args._argv = argv  # the command line as given, for messages that repeat it
        if extra:  # reported by the command's own parser, with the command's usage
            commands = getattr(args, "_commands", {})
            (commands.get(args.command) or parser).error(_unrecognized(args, extra))
    except SystemExit as exc:  # --help, --version (0) or a usage error (2)
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    debug = bool(getattr(args, "debug", False))
    if args.command is None:
        parser.print_help(sys.stderr)
        if import_errors:
            broken = ", ".join(f"{k} ({v})" for k, v in import_errors.items())
            print(f"byhand: some commands failed to load: {broken}", file=sys.stderr)
        return 2
    from byhand.commands._common import UsageError

    shown = warnings.showwarning
    try:
        if not debug:
            warnings.showwarning = _one_line_warnings
        return int(args._run(args) or 0)
    except KeyboardInterrupt as exc:  # a command may say what was kept and how to go on
        detail = f": {exc}" if str(exc) else ""
        print(f"byhand {args.command}: interrupted{detail}", file=sys.stderr)
        return 130
    except Exception as exc:  # every failure: one line, or the traceback with --debug
        if debug:
            traceback.print_exc()
        else:
            kind = (
                "error"
                if isinstance(
                    exc, (UsageError, ValueError, TypeError, OSError, ImportError, LookupError)
                )
                else f"internal error ({type(exc).__name__})"
            )
            hint = "" if kind == "error" else " — run with --debug for the traceback"
            msg = str(exc) or type(exc).__name__
            print(f"byhand {args.command}: {kind}: {msg}{hint}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    finally:
        warnings.showwarning = shown  # main() may run inside a Python process (tests, notebooks)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
