"""The lecture-item catalogue and the coverage status of each item (issue 21, item 3).

- every item's slide title is a slide title of its lecture (a line of the transcript);
- the catalogue is complete enough to be honest: every lecture listed, more than 110 items,
  every computable item either reproduced by an experiment or excused with a reason;
- an item is reproduced only when every claim on it is: any failed → failed, else any
  differs → differs (with the cause), all experiments skipped → skipped, an experiment that
  states no claim on the item's slide gives no credit;
- the corrections of wrong ``covers=`` credits hold.
"""

from __future__ import annotations

import re

import pytest

from byhand.experiments import registry
from byhand.experiments.coverage import (
    CATALOGUE,
    CORRECTIONS,
    CREDITS,
    KINDS,
    STATUSES,
    coverage,
    share,
    summary,
    unknown_covers,
)
from byhand.lectures import LECTURES

MNIST_SLIDE = "3.1. The perceptron"


def _slide_lines(lecture: str) -> list[str]:
    from _transcripts import transcript_path

    text = transcript_path(lecture).read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^[#\s]+", "", line)
        line = line.replace("**", "").strip()
        if line:
            lines.append(" ".join(line.split()))
    return lines


def _is_title(title: str, lines: list[str]) -> bool:
    title = " ".join(title.split())
    return any(
        line.startswith(title) and (len(line) == len(title) or not line[len(title)].isalnum())
        for line in lines
    )


@pytest.mark.transcripts
@pytest.mark.parametrize("lecture", list(CATALOGUE))
def test_every_item_slide_title_is_a_slide_title_of_its_transcript(lecture):
    lines = _slide_lines(lecture)
    missing = [i.slide for i in CATALOGUE[lecture] if not _is_title(i.slide, lines)]
    assert missing == []


@pytest.mark.transcripts
def test_the_title_check_can_fail():
    lines = _slide_lines("cs577-04")
    assert _is_title("Derivative of the softmax", lines)
    assert not _is_title("Derivative of the sigmoid", lines)
    assert not _is_title("Deriv", lines)  # a word cut in two is not a title


def test_catalogue_lists_every_lecture_and_more_than_110_items():
    assert set(CATALOGUE) == set(LECTURES)
    n = sum(len(items) for items in CATALOGUE.values())
    assert n > 110
    for lecture, items in CATALOGUE.items():
        keys = [(i.slide, i.topic) for i in items]
        assert len(keys) == len(set(keys)), f"{lecture}: two items with one (slide, topic)"
        assert all(i.kind in KINDS for i in items)
        assert sum(i.kind == "figure" for i in items) >= 1


def test_issue_21_items_are_in_the_catalogue():
    """The items the audit found missing are listed (by a word of their description)."""
    text = {lec: " ".join(i.what for i in items) for lec, items in CATALOGUE.items()}
    assert "2Mθ" in text["cs577-01"]
    assert "second attempt" in " ".join(i.slide for i in CATALOGUE["cs577-01"])
    assert "instability" in text["cs577-04"]
    assert "case list" in text["cs577-04"]
    assert "1 − σ(x) = σ(−x)" in text["ee559-3"]
    assert "Gaussian plot" in text["cs577-04"] and "logistic plot" in text["cs577-04"]


def _all_covers():
    return [(e.name, *c) for e in registry().values() for c in e.covers]


def test_no_computable_item_without_an_experiment_or_a_reason():
    cover = coverage(_all_covers())
    assert summary(cover)["computable_without_experiment"] == []
    for rows in cover.values():
        for r in rows:
            assert r["status"] in STATUSES
            if r["status"] == "not reproduced":
                assert r["reason"].strip() and r["reason"] != "not implemented"


def test_excuses_are_reasons_that_hold():
    """An excused item is a photograph, a remark, a definition or a drawing — never a
    computable example, identity or result left undone."""
    for lecture, items in CATALOGUE.items():
        for i in items:
            if i.not_reproduced:
                assert "not implemented" not in i.not_reproduced
                assert i.kind != "example", (lecture, i.slide, i.topic)


# ---------------------------------------------------------------- status of an item from claims


def _claim(slide, verdict, lecture="ee559-3", differs=""):
    c = {"lecture": lecture, "slide": slide, "verdict": verdict, "passed": verdict == "reproduced"}
    if differs:
        c["differs"] = differs
    return c


def _record(name, claims, status="ok"):
    return {"name": name, "status": status, "claims": claims}


def _row(cover, lecture, slide, topic=""):
    return next(r for r in cover[lecture] if r["slide"] == slide and r["topic"] == topic)


COVERS = [("exp-a", "ee559-3", MNIST_SLIDE, "MNIST"), ("exp-b", "ee559-3", MNIST_SLIDE, "bound")]


def test_every_claim_reproduced_is_reproduced():
    recs = [_record("exp-a", [_claim(MNIST_SLIDE, "reproduced")] * 3), _record("exp-b", [])]
    row = _row(coverage(COVERS, recs), "ee559-3", MNIST_SLIDE, "MNIST")
    assert row["status"] == "reproduced"
    assert row["claims"] == {"reproduced": 3, "differs": 0, "failed": 0}


def test_one_claim_that_differs_makes_the_item_differ_with_its_cause():
    """The MNIST epoch table: two of its numbers differ, so the item differs (not reproduced)."""
    claims = [
        _claim(MNIST_SLIDE, "differs", differs="the slide does not give its data pipeline"),
        _claim(MNIST_SLIDE, "differs", differs="the slide does not give its data pipeline"),
        _claim(MNIST_SLIDE, "reproduced"),
    ]
    cover = coverage(COVERS, [_record("exp-a", claims)])
    row = _row(cover, "ee559-3", MNIST_SLIDE, "MNIST")
    assert row["status"] == "differs"
    assert row["reason"] == "the slide does not give its data pipeline"
    assert share(cover["ee559-3"])[0] == 0


def test_one_failed_claim_fails_the_item_even_beside_a_differing_one():
    claims = [_claim(MNIST_SLIDE, "differs", differs="x"), _claim(MNIST_SLIDE, "failed")]
    row = _row(coverage(COVERS, [_record("exp-a", claims)]), "ee559-3", MNIST_SLIDE, "MNIST")
    assert row["status"] == "failed"


def test_skipped_experiments_make_the_item_skipped_and_an_error_fails_it():
    cover = coverage(COVERS, [_record("exp-a", [], "skipped: MNIST not found")])
    assert _row(cover, "ee559-3", MNIST_SLIDE, "MNIST")["status"] == "skipped"
    cover = coverage(COVERS, [_record("exp-a", [], "error: ZeroDivisionError")])
    assert _row(cover, "ee559-3", MNIST_SLIDE, "MNIST")["status"] == "failed"


def test_an_experiment_without_a_claim_on_the_slide_gives_no_credit():
    covers = [("exp-c", "cs577-01", "Gradients")]
    recs = [_record("exp-c", [_claim("GD on our example", "reproduced", "cs577-01")])]
    row = _row(coverage(covers, recs), "cs577-01", "Gradients")
    assert row["status"] == "missing"
    assert "states no claim" in row["reason"]
    # a failed claim elsewhere in the experiment does not touch this item either
    recs = [
        _record(
            "exp-c",
            [_claim("Gradients", "reproduced", "cs577-01"), _claim("Other", "failed", "cs577-01")],
        )
    ]
    assert _row(coverage(covers, recs), "cs577-01", "Gradients")["status"] == "reproduced"


def test_claims_of_a_longer_title_belong_to_that_item():
    """A claim on '1-layer neural network (higher dim data)' is not on '1-layer neural network'."""
    covers = [("exp-d", "cs577-04", "1-layer neural network")]
    longer = _claim("1-layer neural network (higher dim data)", "reproduced", "cs577-04")
    recs = [_record("exp-d", [longer])]
    assert _row(coverage(covers, recs), "cs577-04", "1-layer neural network")["status"] == "missing"
    recs = [_record("exp-d", [_claim("1-layer neural network", "reproduced", "cs577-03")])]
    row = _row(coverage(covers, recs), "cs577-04", "1-layer neural network")
    assert row["status"] == "reproduced"  # the same slide in Lecture 03 (``also``)


def test_without_records_a_covered_item_counts_as_covered():
    row = _row(coverage(COVERS), "ee559-3", MNIST_SLIDE, "MNIST")
    assert row["status"] == "reproduced" and row["experiments"] == ["exp-a"]


def test_summary_counts_every_item_once():
    cover = coverage(_all_covers())
    s = summary(cover)
    assert s["items"] == sum(len(items) for items in CATALOGUE.values())
    assert sum(s["by_status"].values()) == s["items"]
    for lecture, counts in s["by_lecture"].items():
        assert counts["items"] == len(CATALOGUE[lecture])
        assert sum(counts[k] for k in STATUSES) == counts["items"]


# --------------------------------------------------------------------------------- corrections


def test_corrections_name_registered_experiments_and_catalogue_items():
    reg = registry()
    for name, lecture, slide, topic in (*CORRECTIONS, *CREDITS):
        assert name in reg, name
        assert any(i.slide == slide and i.topic == topic for i in CATALOGUE[lecture])
    for entry, reason in CORRECTIONS.items():
        assert reason.strip()
        assert entry not in CREDITS


def test_a_corrected_credit_is_withdrawn():
    name, lecture, slide, topic = ("perceptron-trace", "cs577-04", "Perceptron: an example", "")
    assert (name, lecture, slide, topic) in CORRECTIONS
    row = _row(coverage([(name, lecture, slide)]), lecture, slide)
    assert name not in row["experiments"] and row["status"] == "missing"
    # the same experiment keeps its credit where it does reproduce the item
    row = _row(coverage([(name, "cs577-01", slide)]), "cs577-01", slide)
    assert row["experiments"] == [name]


def test_every_registered_covers_entry_names_a_catalogue_item():
    assert unknown_covers(_all_covers()) == []
