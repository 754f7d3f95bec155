"""Every claim says where its target comes from; quotes and coverage titles are the lectures'.

- every ``.claim(...)`` of every experiment module passes ``source=``, and a Claim without a
  source raises;
- every lecture quote is a line of its transcript (whitespace collapsed);
- every coverage item's slide title occurs in its transcript, and every ``covers=`` pair of
  every experiment matches a catalogue item;
- the report names lectures from the catalogue, never a transcript file name, and writes
  "lecture:" only for targets whose source is the lecture.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import byhand.experiments as experiments_pkg
from _transcripts import FILES, transcript_path
from byhand.experiments import Claim, registry
from byhand.experiments.coverage import CATALOGUE, coverage, unknown_covers
from byhand.report import render

PKG = Path(experiments_pkg.__file__).parent


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _transcript(lecture: str) -> str:
    return _norm(transcript_path(lecture).read_text(encoding="utf-8"))


def _claim_calls():
    for path in sorted(PKG.glob("*/*.py")):
        if path.name.startswith("_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "claim":
                yield f"{path.parent.name}/{path.name}", node


def test_every_claim_call_gives_its_source():
    calls = list(_claim_calls())
    assert len(calls) >= 70
    missing = [
        (name, node.lineno)
        for name, node in calls
        if "source" not in {k.arg for k in node.keywords}
    ]
    assert missing == []


def test_a_claim_without_source_or_its_evidence_raises():
    with pytest.raises(ValueError, match="source"):
        Claim("cs577-01", "s", "c", 1.0, "exact", True)
    with pytest.raises(ValueError, match="quote"):
        Claim("cs577-01", "s", "c", 1.0, "exact", True, source="lecture")
    with pytest.raises(ValueError, match="reason"):
        Claim("cs577-01", "s", "c", 1.0, "exact", True, source="byhand")
    c = Claim("cs577-01", "s", "c", 1.0, "exact", False, source="derived", derived_from="x")
    assert c.verdict == "failed"
    c.differs = "a stated cause"
    assert c.verdict == "differs"


def _literal_quotes():
    """(module, lecture, quote) of every literal quote= and every *_QUOTES table."""
    out = []
    for name, node in _claim_calls():
        kw = {k.arg: k.value for k in node.keywords}
        if "quote" in kw:
            try:
                quote = ast.literal_eval(kw["quote"])
            except ValueError:
                continue  # computed (a table lookup, checked below)
            lecture = node.args[0]
            lec = ast.literal_eval(lecture) if isinstance(lecture, ast.Constant) else None
            out.append((name, lec, quote))
    return out


def test_every_lecture_quote_is_in_a_transcript():
    texts = {lec: _transcript(lec) for lec in FILES}
    bad = []
    for name, lec, quote in _literal_quotes():
        pool = [texts[lec]] if lec in texts else list(texts.values())
        if not any(_norm(quote) in t for t in pool):
            bad.append((name, quote))
    from byhand.experiments.cs577_l03 import nonlinearity as nonlin
    from byhand.experiments.ee559 import tlu as tlu

    for quote in tlu.TLU_QUOTES.values():
        if _norm(quote) not in texts["ee559-3"]:
            bad.append(("tlu", quote))
    for (lec, _), quote in nonlin.GRAD_QUOTES.items():
        if _norm(quote) not in texts[lec]:
            bad.append(("hand-gradients", quote))
    assert bad == []


@pytest.mark.parametrize("lecture", list(CATALOGUE))
def test_coverage_slide_titles_are_in_the_transcript(lecture):
    text = _transcript(lecture)
    missing = [i.slide for i in CATALOGUE[lecture] if _norm(i.slide) not in text]
    assert missing == []


def test_every_covers_pair_matches_a_catalogue_item():
    covers = [(e.name, *c) for e in registry().values() for c in e.covers]
    assert covers, "experiments declare what they cover"
    assert unknown_covers(covers) == []
    assert set(CATALOGUE) == set(FILES)


def test_coverage_join():
    cov = coverage([("x", "cs577-01", "GD on our example")])
    row = next(r for r in cov["cs577-01"] if r["slide"] == "GD on our example")
    assert row["status"] == "reproduced" and row["experiments"] == ["x"]
    photo = next(r for r in cov["cs577-01"] if r["reason"])
    assert photo["status"] == "not reproduced"
    gradients = next(r for r in cov["cs577-01"] if r["slide"] == "Gradients")
    assert gradients["status"] == "missing"
    # a topic names one item of a slide that holds several; without a topic such a slide is
    # refused, so that no experiment is credited with its slide's other worked examples
    slide = "3.1. The perceptron"
    one = coverage([("y", "ee559-3", slide, "SVM")])["ee559-3"]
    assert {r["topic"] for r in one if r["slide"] == slide and r["experiments"]} == {"SVM"}
    with pytest.raises(ValueError, match="without a topic.*'MNIST'"):
        coverage([("y", "ee559-3", slide)])
    assert unknown_covers([("y", "ee559-3", slide, "no such topic")])
    assert unknown_covers([("y", "ee559-3", "no such slide")])


def _record(claims):
    return {
        "name": "demo",
        "title": "Demo",
        "lecture": "ee559-3",
        "number": 1,
        "status": "ok",
        "traceback": "",
        "seconds": 0.1,
        "claims": claims,
        "figures": [],
        "tables": [],
        "notes": [],
        "warnings": [],
    }


def test_report_labels_targets_by_source_and_names_lectures():
    claims = [
        Claim(
            "ee559-3",
            "3.1. The perceptron",
            "a",
            1,
            "numeric",
            True,
            target=0.14,
            source="lecture",
            quote="test_error 0.14%",
        ),
        Claim(
            "ee559-3",
            "3.1. The perceptron",
            "b",
            1,
            "numeric",
            True,
            target=0.97,
            source="byhand",
            reason="no number in the lecture",
        ),
        Claim(
            "ee559-3",
            "3.1. The perceptron",
            "c",
            1,
            "numeric",
            False,
            target=0.18,
            source="derived",
            derived_from="the Hessian",
            differs="data not given",
        ),
    ]
    page = render([_record([c.to_dict() for c in claims])], {"seconds": 1.0}, coverage([]))
    assert page.count("lecture: 0.14") == 1
    assert "lecture: 0.97" not in page and "byhand's threshold: 0.97" in page
    assert "derived (from the Hessian): 0.18" in page and "differs: data not given" in page
    assert "EE-559 3.1–3.6 (Fleuret, EPFL, 2019), slide &#x27;3.1. The perceptron&#x27;" in page
    for fname in FILES.values():
        assert fname not in page and fname.split("_")[1].split(".")[0] not in page
    assert "Coverage:" in page and "lecture items reproduced" in page


def test_wide_figures_get_larger_text_and_narrow_ones_keep_theirs():
    from byhand.experiments.runner import REPORT_WIDTH_IN, readable
    from byhand.plotting import subplots

    wide, ax = subplots(1, 4, figsize=(4 * REPORT_WIDTH_IN / 2, 3))
    ax[0].set_title("t", fontsize=10)
    readable(wide)
    assert ax[0].title.get_fontsize() == pytest.approx(10 * 2**0.5)
    narrow, ax1 = subplots(figsize=(5, 3))
    ax1.set_title("t", fontsize=10)
    readable(narrow)
    assert ax1.title.get_fontsize() == 10
