"""The report page from hand-made records: counts, categories, values, rules, navigation.

The records are written here field by field, so every expected number is counted by hand.
"""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np
import pytest

from byhand import nn, plotting
from byhand.experiments import ExperimentResult, experiment
from byhand.experiments._registry import unregister
from byhand.linear_model import LinearRegression
from byhand.report import (
    category_of,
    counts,
    headline,
    lecture_value_of,
    render,
    rerun_command,
    rule_of,
)
from byhand.report._code import byhand_names


def claim(verdict: str = "reproduced", source: str = "lecture", **kw: Any) -> dict[str, Any]:
    c = {
        "experiment": "e",
        "lecture": "cs577-01",
        "slide": "Perceptron: an example",
        "claim": "the trace ends at w = [2, −1]",
        "value": [2.0, -1.0],
        "kind": "exact",
        "passed": verdict == "reproduced",
        "verdict": verdict,
        "source": source,
        "target": [2, -1],
        "detail": "the final weights of byhand's Perceptron",
    }
    c.update(
        {
            "lecture": {"quote": "w = [2, -1]"},
            "derived": {"derived_from": "algebra"},
            "byhand": {"reason": "our choice"},
        }[source]
    )
    if verdict == "differs":
        c["differs"] = "the slide's data are not given"
    c.update(kw)
    return c


def record(name: str, claims: list[dict[str, Any]], status: str = "ok", **kw) -> dict[str, Any]:
    r = {
        "name": name,
        "title": f"experiment {name}",
        "lecture": "cs577-01",
        "number": 7,
        "status": status,
        "traceback": "",
        "seconds": 0.5,
        "claims": claims,
        "figures": [],
        "tables": [],
        "notes": [],
        "warnings": [],
    }
    r.update(kw)
    return r


def text_of(page: str) -> str:
    """The page's text, roughly as a reader sees it (no style sheet, no tags)."""
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


META = {"seed": 0, "quick": False, "seconds": 1.0, "byhand_version": "0"}


def test_category_follows_source_when_absent_and_the_field_when_present():
    assert [category_of(claim(source=s)) for s in ("lecture", "derived", "byhand")] == [
        "reproduction",
        "derivation",
        "observation",
    ]
    # the new field wins: a claim on the lecture's number that runs no byhand code
    assert category_of(claim(source="lecture", category="derivation")) == "derivation"
    assert category_of({"source": "unknown"}) == "observation"


def test_lecture_value_from_the_field_else_only_a_lecture_target():
    assert lecture_value_of(claim(lecture_value=0.14)) == (True, 0.14)
    assert lecture_value_of(claim(lecture_value=None)) == (False, None)  # field says: none
    assert lecture_value_of(claim()) == (True, [2, -1])  # old record: the lecture's target
    assert lecture_value_of(claim(source="byhand")) == (False, None)
    assert lecture_value_of(claim(source="derived")) == (False, None)


def test_rule_from_the_field_else_kind_target_and_detail():
    assert rule_of(claim(rule="|w − [2, −1]| ≤ 1e-12")) == "|w − [2, −1]| ≤ 1e-12"
    assert rule_of(claim()) == (
        "byhand's value equals [2, -1] to floating-point precision "
        "(checked: the final weights of byhand's Perceptron)"
    )
    assert rule_of(claim(detail="", kind="numeric", target=0.5)) == (
        "byhand's value meets the target 0.5"
    )
    assert rule_of(claim(detail="d", kind="qualitative", target=None)) == (
        "the comparison of the statement holds for byhand's values (checked: d)"
    )


def test_each_claim_shows_lecture_value_byhand_value_rule_and_category():
    claims = [
        claim(lecture_value=0.14, value=0.1399, rule="|byhand − lecture| ≤ 0.01", kind="numeric"),
        claim(source="derived", value=3.0, target=3.0, derived_from="the Hessian"),
        claim(source="byhand", value=0.97, target=0.9, detail="", kind="numeric"),
    ]
    page = render([record("a", claims)], META, {})
    text = text_of(page)
    assert "lecture: 0.14" in text and "byhand: 0.1399" in text
    assert "rule: |byhand − lecture| ≤ 0.01" in text
    assert "derived (from the Hessian): 3" in text
    assert "lecture: — (none: a derivation, checked numerically)" in text
    assert "lecture: — (none: byhand's own observation)" in text
    assert "byhand's threshold: 0.9 (our choice)" in text
    assert "rule: byhand's value meets the target 0.9" in text
    for cat in ("reproduction", "derivation", "observation"):
        assert f'class="cat {cat}"' in page


def test_header_counts_by_verdict_and_category():
    claims = [
        claim(),
        claim(),
        claim(verdict="differs"),
        claim(verdict="failed"),
        claim(source="derived"),
        claim(source="byhand", verdict="failed"),
    ]
    n = counts([record("a", claims)])
    assert n["by_verdict"] == {"reproduced": 3, "differs": 1, "failed": 2}
    assert n["by_category"]["reproduction"] == {
        "reproduced": 2,
        "differs": 1,
        "failed": 1,
        "total": 4,
    }
    assert n["by_category"]["derivation"]["total"] == 1
    assert n["by_category"]["observation"] == {
        "reproduced": 0,
        "differs": 0,
        "failed": 1,
        "total": 1,
    }
    text = text_of(render([record("a", claims)], META, {}))
    assert "2/4 reproductions reproduced" in text
    assert "1/1 derivations reproduced" in text and "0/1 observations reproduced" in text


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([record("a", [claim(), claim()])], "all 2 claims reproduced"),
        (
            [record("a", [claim()]), record("b", [], status="skipped: MNIST not found")],
            "1 of 1 claim reproduced; 1 experiment skipped: its claims were not run",
        ),
        (
            [record("a", [claim(), claim(verdict="differs")])],
            "1 of 2 claims reproduced; 1 claim differs from the lecture for a stated cause",
        ),
        (
            [record("a", [claim(verdict="failed")]), record("b", [], status="error: boom")],
            "0 of 1 claim reproduced; 1 claim failed; 1 experiment ended with an error",
        ),
    ],
)
def test_headline_says_all_reproduced_only_when_nothing_else_happened(records, expected):
    line = headline(counts(records))
    assert line.startswith(expected)
    if expected.startswith("all"):
        return
    assert "all" not in line and "every" not in line
    assert f"<b>{html.escape(line)}</b>" in render(records, META, {})


def test_coverage_statuses_of_every_kind_are_shown_and_counted():
    rows = [
        {
            "slide": "s1",
            "what": "w1",
            "experiments": ["a"],
            "status": "reproduced",
            "claims": {"reproduced": 3, "differs": 0, "failed": 0},
        },
        {"slide": "s2", "what": "w2", "experiments": ["a"], "status": "differs", "reason": "r2"},
        {"slide": "s3", "what": "w3", "experiments": ["a"], "status": "failed", "reason": "r3"},
        {"slide": "s4", "what": "w4", "experiments": ["b"], "status": "skipped", "reason": "r4"},
        {"slide": "s5", "what": "w5", "experiments": [], "status": "excused", "reason": "photo"},
    ]
    page = render([record("a", [claim()])], META, {"cs577-01": rows})
    for status in ("reproduced", "differs", "failed", "skipped", "excused"):
        assert f'class="status {status}"' in page
    text = text_of(page)
    assert "Coverage: 1 of 5 items of this lecture reproduced" in text
    assert "1 reproduced · 1 differs · 1 failed · 1 skipped · 1 excused" in text
    assert "1/5 lecture items reproduced" in text
    assert "a (3 ✓ 0 ≠ 0 ✗ claims)" in text  # an item's claims, when the coverage counts them


def test_every_section_and_experiment_links_back_to_the_contents():
    recs = [record("a", [claim()]), record("b", [claim()], lecture="ee559-3")]
    page = render(recs, META, {})
    assert page.count('id="contents"') == 1
    opened = re.findall(r'<(?:section|article) class="(?:lecture|exp|box)"', page)
    assert len(opened) == 2 + 2 + 1  # two lectures, two experiments, the overview
    for block in re.findall(r"<article .*?</article>", page, re.S):
        assert 'href="#contents"' in block
    for block in re.split(r'(?=<section class="lecture")', page)[1:]:
        assert 'href="#contents"' in block.split("<article")[0]
    # every internal link has its target
    ids = set(re.findall(r'id="([^"]+)"', page))
    assert set(re.findall(r'href="#([^"]+)"', page)) <= ids


def _fit_line(x: np.ndarray) -> LinearRegression:  # a helper of the experiment below
    return LinearRegression().fit(x[:, None], 2 * x)


def uses_byhand(seed: int, quick: bool) -> ExperimentResult:
    """A throw-away experiment: byhand code through a helper and through a module alias."""
    _fit_line(np.arange(3.0))
    _ = plotting.PALETTE  # presentation code: not listed
    nn.Linear(1, 1)
    return ExperimentResult()


def numpy_only(seed: int, quick: bool) -> ExperimentResult:
    """A throw-away experiment that checks its mathematics with NumPy alone."""
    np.linalg.solve(np.eye(2), np.ones(2))
    return ExperimentResult()


@pytest.fixture
def code_experiments():
    experiment("page-uses-byhand", title="t", lecture="cs577-01")(uses_byhand)
    experiment("page-numpy-only", title="t", lecture="cs577-01")(numpy_only)
    yield
    unregister("page-uses-byhand")
    unregister("page-numpy-only")


def test_byhand_names_follow_helpers_and_skip_presentation_code():
    assert byhand_names(__name__, "uses_byhand") == (
        "byhand.linear_model.LinearRegression",
        "byhand.nn.Linear",
    )
    assert byhand_names(__name__, "numpy_only") == ()
    assert byhand_names(__name__, "no_such_function") == ()
    assert byhand_names("no.such.module", "f") == ()


def test_experiment_names_its_code_and_the_command_that_reruns_it(code_experiments):
    rec = record("page-uses-byhand", [claim()])
    text = text_of(render([rec], {**META, "quick": True, "seed": 3}, {}))
    assert f"code: {__name__}" in text
    assert "uses byhand.linear_model.LinearRegression , byhand.nn.Linear ·" in text
    assert "byhand reproduce --only page-uses-byhand --quick --seed 3" in text
    assert rerun_command("x", {"quick": False, "seed": 0}) == "byhand reproduce --only x"
    text = text_of(render([record("page-numpy-only", [claim()])], META, {}))
    assert "uses no byhand learning code" in text
    # a module that failed to import: nothing to rerun by name
    broken = record("broken", [], status="error: import failed: SyntaxError")
    assert "byhand reproduce --only broken" not in text_of(render([broken], META, {}))
    # an experiment the registry does not know: no module, still the command
    page = render([record("not-registered", [claim()])], META, {})
    assert "byhand reproduce --only not-registered" in text_of(page)
    assert '<p class="runs">code:' not in page and '<p class="runs">rerun:' in page


def test_page_is_self_contained_and_has_no_script():
    page = render([record("a", [claim(quote=r"$$\frac{1}{2}$$")])], META, {})
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<math" in page and "\\frac" not in text_of(page)


@pytest.mark.parametrize("module", ["_page", "_claims", "_text", "_code"])
def test_the_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"byhand.report.{module}"))
    assert result.attempted > 0 and result.failed == 0


def test_header_says_why_experiments_were_skipped_and_tiles_link_to_lists():
    from byhand.report._page import skip_reasons

    status = "skipped: MNIST not found in /tmp/x/mnist; get it with `byhand datasets --fetch mnist`"
    recs = [
        record("a", [claim("differs"), claim("reproduced")]),
        record("b", [claim("failed")]),
        record("cnn", [], status=status, title="The course goal: a CNN for MNIST"),
        record("hog", [], status=status, title="HOG on MNIST"),
    ]
    assert list(skip_reasons(recs)) == ["MNIST not found"]
    page = render(recs, META, {})
    header = text_of(page.split("</header>")[0])
    assert "2 experiments skipped: MNIST not found" in header
    assert "The course goal: a CNN for MNIST" in header and "HOG on MNIST" in header
    assert "byhand datasets --fetch mnist" in header and "/tmp/x" not in header
    tiles = re.findall(r'<a class="stat[^"]*" href="#([^"]+)"', page)
    assert sorted(tiles) == ["list-differs", "list-failed", "list-skipped"]
    for t in tiles:
        assert f'id="{t}"' in page
    # each listed claim links to its own anchor on the page
    for anchor in re.findall(r'<li><a href="#(claim-[^"]+)"', page):
        assert page.count(f'id="{anchor}"') == 1
    assert len(re.findall(r'<li><a href="#claim-', page)) == 2  # the differing and the failed
