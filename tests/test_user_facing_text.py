"""What a user reads never names a lecture by its transcript file (``000_b8c8f70a5e624d9a``
style) and shows no reStructuredText markup in ``--help``; lectures are cited by the names of
``byhand.lectures``.

Scanned: README.md and docs/, the docstrings of byhand's public modules and of everything
they define, ``--help`` of ``byhand`` and of every command, and a small generated report.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import byhand
from byhand.cli import build_parser, main
from byhand.lectures import LECTURES

ROOT = Path(__file__).resolve().parents[1]
SEED_NAME = re.compile(r"\d{3}_[0-9a-f]{16}")
RST = re.compile(r"``|:(?:func|class|mod|meth|data|attr|exc|obj|ref|doc):`|(?<!\w)`[^`\s]")
CITATION = re.compile(r"\(([A-Z][\w.]+), ([^,()]+), (\d{4}(?:–\d\d)?)\)")


def seed_names(text: str) -> list[str]:
    return SEED_NAME.findall(text)


def test_the_scanner_finds_a_planted_file_name():
    assert seed_names("see 003_17d2bd916b1b9250.txt, slide 2") == ["003_17d2bd916b1b9250"]
    assert seed_names("CS 577 Lecture 01 (Wang, IIT, 2024)") == []


def _public_modules() -> list[str]:
    names = ["byhand"]
    for info in pkgutil.walk_packages(byhand.__path__, "byhand."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


def _docstrings(module) -> list[tuple[str, str]]:
    out = [(module.__name__, module.__doc__ or "")]
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        out.append((f"{module.__name__}.{name}", inspect.getdoc(obj) or ""))
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if not attr.startswith("_") or attr == "__init__":
                    doc = inspect.getdoc(member) if callable(member) else None
                    out.append((f"{module.__name__}.{name}.{attr}", doc or ""))
    return out


def test_docs_and_readme_name_no_transcript_file():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        assert not seed_names(path.read_text(encoding="utf-8")), path


def test_public_docstrings_name_no_transcript_file():
    modules = _public_modules()
    assert {"byhand.training", "byhand.nn", "byhand.datasets", "byhand.cli"} <= set(modules)
    found = []
    for name in modules:
        module = importlib.import_module(name)
        found += [(where, seed_names(doc)) for where, doc in _docstrings(module) if seed_names(doc)]
    assert not found, found


def _help(argv: list[str], capsys) -> str:
    assert main([*argv, "--help"]) == 0
    return capsys.readouterr().out


def _all_help(capsys) -> dict[str, str]:
    parser, errors = build_parser()
    assert not errors
    commands = parser._subparsers._group_actions[0].choices  # every registered command
    texts = {"byhand": _help([], capsys)}
    for name in commands:
        texts[name] = _help([name], capsys)
    return texts


def test_help_texts_name_no_transcript_file_and_show_no_markup(capsys):
    texts = _all_help(capsys)
    assert {"train", "evaluate", "predict", "sweep", "reproduce", "datasets", "gradcheck"} <= set(
        texts
    )
    for name, text in texts.items():
        assert not seed_names(text), name
        assert not RST.search(text), (name, RST.search(text).group(0), text)


def test_help_cites_lectures_by_their_catalogue_names(capsys):
    texts = _all_help(capsys)
    for lec in LECTURES.values():  # byhand --help lists the five lectures
        assert lec.short in texts["byhand"]
    known = {(lec.surname, lec.institution, lec.year) for lec in LECTURES.values()}
    cited = 0
    for name, text in texts.items():
        for m in CITATION.finditer(" ".join(text.split())):
            assert m.groups() in known, (name, m.group(0))
            cited += 1
    assert cited >= 7  # five in byhand --help, more in the commands' own texts


def test_a_generated_report_names_no_transcript_file(tmp_path, capsys):
    out = tmp_path / "report"
    main(["reproduce", "--only", "tlu-logic", "softmax-gradient", "--out", str(out)])
    printed = capsys.readouterr().out
    texts = [printed, *(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))]
    texts += [p.read_text(encoding="utf-8") for p in out.rglob("*.json")]
    assert len(texts) >= 3 and "tlu-logic" in texts[-1]
    for text in texts:
        assert not seed_names(text)


@pytest.mark.parametrize(
    "doc, plain",
    [
        ("``x`` and :func:`byhand.fit`", "x and byhand.fit"),
        (":class:`~byhand.training.History`", "History"),
        ("a `b` c", "a b c"),
    ],
)
def test_markup_is_removed_from_help(doc, plain):
    from byhand.commands._common import plain as to_plain

    assert to_plain(doc) == plain
