"""The report's text: the lectures' LaTeX becomes MathML, nothing of it stays raw.

Oracles: the five lecture transcripts themselves (every ``$…$`` / ``$$…$$`` they hold must come
out as well-formed MathML whose text has no TeX command left), and every literal string the
experiments put on the page — claims, notes, tables, captions, titles — and the coverage
catalogue's items (read from the source with ``ast``, so no experiment runs).
"""

from __future__ import annotations

import ast
import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import byhand.experiments as experiments_pkg
from byhand.lectures import LECTURES
from byhand.report import format_value, rich, tex_to_mathml
from byhand.report._text import MATH, quote_html

MATHML = "{http://www.w3.org/1998/Math/MathML}"
RAW_TEX = re.compile(r"\\[A-Za-z]+|\$\$|\\[{}|]")


def visible_text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def assert_typeset(fragment: str, source: str) -> None:
    maths = re.findall(r"<math\b.*?</math>", fragment, flags=re.S)
    for m in maths:
        root = ET.fromstring(m)  # well-formed XML, or this raises
        assert root.tag == f"{MATHML}math", source
    left = RAW_TEX.findall(visible_text(fragment))
    assert left == [], (source, left)


def test_display_and_inline_math_become_mathml():
    out = rich(r"if $0 < \gamma < 2/L$ then $$x_{n+1} = x_n - \gamma \nabla f(x_n)$$")
    maths = re.findall(r"<math\b.*?</math>", out, flags=re.S)
    assert [ET.fromstring(m).get("display") for m in maths] == ["inline", "block"]
    assert "γ" in html.unescape(out) and "∇" in html.unescape(out)
    assert_typeset(out, "example")


def test_matrices_cases_and_fractions_are_typeset_as_mathml_elements():
    out = rich(
        r"$$\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix} \quad \frac{a}{b} \quad "
        r"|x| = \begin{cases} x & x \ge 0 \\ -x & x < 0 \end{cases}$$"
    )
    tags = {
        el.tag.removeprefix(MATHML)
        for m in re.findall(r"<math\b.*?</math>", out, flags=re.S)  # a long one is in pieces
        for el in ET.fromstring(m).iter()
    }
    assert {"mtable", "mtr", "mtd", "mfrac"} <= tags
    assert_typeset(out, "matrix")


def test_text_around_math_is_escaped_and_lone_dollars_stay_text():
    assert rich("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    # pandoc's rule: no space inside the dollars, no digit right after the closing one
    assert rich("costs $5 and $10") == "costs $5 and $10"
    assert rich("a **positive** point") == "a <strong>positive</strong> point"
    assert "<math" in rich("$x$") and "<math" not in rich("$ x $")


def test_tex_mathml_cannot_parse_or_does_not_know_shows_no_backslash():
    unknown = tex_to_mathml(r"\foo{x} + \textcircled{H}")
    assert "\\" not in visible_text(unknown) and "(H)" in visible_text(unknown)
    # set minus as the usual U+2216 (DejaVu has it), not U+29F5 that few fonts have
    assert visible_text(tex_to_mathml(r"A \setminus \{y\}")) == "A∖{y}"
    broken = tex_to_mathml(r"\frac{a}{")  # unbalanced: latex2mathml raises
    assert "\\" not in visible_text(broken)


def test_a_formula_quoted_without_its_dollars_is_typeset_whole():
    out = quote_html(r"\mathbf{W}_1 = \begin{pmatrix} +1 & -1 \\ -1 & +1 \end{pmatrix}")
    assert out.startswith("<math") and "<mtable" in out
    assert quote_html("Does it work? Nope.") == "Does it work? Nope."


def test_format_value_is_short():
    assert format_value([0.1234567, 2.0, True, None]) == "[0.123457, 2, True, None]"
    assert format_value(1e-9) == "1.000e-09" and format_value({"a": 1.5}) == "a = 1.5"


@pytest.mark.parametrize("lecture", list(LECTURES))
def test_every_formula_of_the_lectures_is_typeset(lecture, transcripts):
    text = Path(transcripts(lecture)).read_text(encoding="utf-8")
    spans = [m.group(0) for m in MATH.finditer(text)]
    assert len(spans) >= 20, lecture  # the lectures are full of mathematics
    for span in spans:
        assert_typeset(rich(span), span)


TEXT_CALLS = {"claim", "note", "table", "figure", "experiment"}


def _page_strings():
    """(module:line, field, text) for every literal string an experiment puts on the page:
    the arguments of ``claim(...)``, ``note(...)``, ``table(...)`` (title, header),
    ``figure(...)`` (caption) and ``@experiment(title=...)``, and the coverage catalogue."""
    from byhand.experiments.coverage import CATALOGUE

    pkg = Path(experiments_pkg.__file__).parent
    for path in sorted(pkg.glob("*/*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = getattr(node, "func", None)
            name = getattr(name, "attr", getattr(name, "id", ""))
            if not (isinstance(node, ast.Call) and name in TEXT_CALLS):
                continue
            fields = [(f"{name} arg", a) for a in node.args] + [
                (k.arg, k.value) for k in node.keywords if k.arg
            ]
            for field, value in fields:
                try:
                    text = ast.literal_eval(value)
                except ValueError:
                    continue
                texts = text if isinstance(text, (list, tuple)) else [text]
                for t in texts:
                    if isinstance(t, str):
                        yield f"{path.parent.name}/{path.name}:{node.lineno}", field, t
    for lecture, items in CATALOGUE.items():
        for item in items:
            for field in ("slide", "what", "not_reproduced", "topic"):
                yield f"coverage {lecture}", field, getattr(item, field)


def test_no_text_an_experiment_puts_on_the_page_shows_raw_tex():
    strings = list(_page_strings())
    with_tex = [s for s in strings if "$" in s[2] or "\\" in s[2]]
    assert len(strings) >= 500 and len(with_tex) >= 20
    for where, field, text in strings:
        fragment = quote_html(text) if field == "quote" else rich(text)
        assert_typeset(fragment, f"{where} {field}")


# --- a formula cut at one end (the reader's #203 quote) --------------------------------------

CUT_QUOTE = r"\mathbf{w}_{\hat{y}}^\top \mathbf{x} \quad \in \{1, \dots, K\} \quad (3)$$"


@pytest.mark.parametrize(
    "text",
    [
        CUT_QUOTE,  # the closing $$ without its opening
        r"the rule $$\hat{y} = \operatorname{argmax}_k \mathbf{w}_k^\top \mathbf{x}",  # opening
        r"\frac{1}{2} \|x\|^2 \quad (4)$$ and then the slide's prose",  # prose after it
    ],
)
def test_a_formula_cut_at_one_end_is_typeset_and_its_stray_dollars_dropped(text):
    for fragment in (rich(text), quote_html(text)):
        assert "<math" in fragment
        assert "$" not in visible_text(fragment)
        assert_typeset(fragment, text)


def test_dollars_of_prose_are_left_alone_when_unbalanced():
    assert rich("costs $$ only") == "costs $$ only"


# --- every claim of a real --quick run, as the page shows it ---------------------------------


@pytest.fixture(scope="module")
def quick_claims() -> list[dict]:
    """The claims of every experiment that needs no MNIST, run as ``--quick`` (seed 0)."""
    import warnings

    import numpy as np

    from byhand.experiments import registry

    out = []
    for name, exp in registry().items():
        if exp.needs_mnist:
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            res = exp.func(0, True)
        for c in res.claims:
            c.experiment = name
            out.append(c.to_dict())
    return out


def test_every_claim_of_a_quick_run_renders_without_tex(quick_claims):
    from byhand.report import claim_html

    assert len(quick_claims) >= 150
    quoted = [c for c in quick_claims if c.get("quote")]
    assert len(quoted) >= 80
    for c in quick_claims:
        where = f"{c['experiment']}: {c['claim'][:60]}"
        assert_typeset(claim_html(c), where)  # quote, lecture value, value, rule, cause
        if c.get("quote"):
            assert_typeset(quote_html(c["quote"]), where + " (quote)")
        if isinstance(c.get("lecture_value"), str):
            assert_typeset(quote_html(c["lecture_value"]), where + " (lecture value)")


def test_every_rule_states_its_comparison_in_words(quick_claims):
    for c in quick_claims:
        rule = c["rule"]
        assert "{'" not in rule and '{"' not in rule, (c["experiment"], rule)
        assert "np.float64(" not in rule and "array(" not in rule, (c["experiment"], rule)
    # the defaults of a claim that states no rule name no tolerance: every claim states its own
    vague = set(default_rule_texts())
    assert [(c["experiment"], c["claim"][:50]) for c in quick_claims if c["rule"] in vague] == []


def default_rule_texts() -> list[str]:
    from byhand.experiments._registry import default_rule

    return [default_rule(kind, None) for kind in ("exact", "numeric", "qualitative")]


def _numbers(value) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, list):
        return [x for v in value for x in _numbers(v)]
    return []


def test_the_lecture_box_holds_only_the_lectures_value(quick_claims, transcripts):
    """A lecture value is the lecture's: not a dict of byhand's labelled results, not byhand's
    tolerance, and each of its numbers stands in the lecture's transcript."""
    numbers: dict[str, set[float]] = {}
    for c in quick_claims:
        lv = c.get("lecture_value")
        where = (c["experiment"], c["claim"][:60], lv)
        assert not isinstance(lv, dict), where
        assert not (isinstance(lv, str) and lv[:1] in "<>≤≥"), where
        if c["source"] != "lecture" or not _numbers(lv):
            continue
        if c["lecture"] not in numbers:
            text = Path(transcripts(c["lecture"])).read_text(encoding="utf-8")
            numbers[c["lecture"]] = {float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)}
        missing = [x for x in _numbers(lv) if abs(x) not in numbers[c["lecture"]]]
        assert missing == [], where
    # residual targets (|byhand − formula| against 0) show the lecture's formula instead
    residuals = {
        c["claim"]: c["lecture_value"]
        for c in quick_claims
        if c["experiment"] in ("softmax-nll", "regression-identities", "mlp-formulas")
        and c["kind"] == "exact"
        and c["source"] == "lecture"
    }
    assert residuals and all(isinstance(v, str) for v in residuals.values()), residuals


def test_no_experiment_states_the_same_claim_twice(quick_claims):
    """A statement repeated on another lecture's slide is covered through ``covers=`` and the
    catalogue's ``also``, not stated again (it would be counted twice); and no two experiments
    check the same lecture line at the same value (relu′(0) = 1 was judged twice)."""
    from collections import Counter

    seen = Counter((c["experiment"], c["claim"]) for c in quick_claims)
    assert [k for k, n in seen.items() if n > 1] == []
    differs = Counter(
        (c["lecture"], c["slide"], c["quote"], json.dumps(c["lecture_value"]))
        for c in quick_claims
        if c["verdict"] == "differs"
    )
    assert [k for k, n in differs.items() if n > 1] == []


def test_a_differing_claim_reads_as_a_check_not_as_a_fact(quick_claims):
    """The multiclass perceptron claims that differ state the lecture's rule and ask whether
    byhand follows it, and the lecture box shows the lecture's words or statement, not a W
    that byhand computed."""
    differ = [
        c
        for c in quick_claims
        if c["experiment"].startswith("multiclass-perceptron") and c["verdict"] == "differs"
    ]
    # the W = 0 tie (calculations) and the T = 15 trace with the slide's rule (rules)
    assert len(differ) == 2
    for c in differ:
        assert "Checked:" in c["claim"] and "end at the same W" not in c["claim"]
        assert isinstance(c["lecture_value"], str) and "[[" not in c["lecture_value"]


def test_the_slides_whose_rule_differs_at_a_tie_stay_differs_in_the_coverage(quick_claims):
    """Stating the W = 0 tie once must not turn the "Multiclass perceptron" items of CS 577
    Lectures 01 and 03 (the rule "if ŷ = y, W ← W") into "reproduced"."""
    from byhand.experiments import registry
    from byhand.experiments.coverage import coverage

    covers = [(e.name, *c) for e in registry().values() for c in e.covers]
    records = {}
    for c in quick_claims:
        records.setdefault(c["experiment"], {"name": c["experiment"], "status": "ok", "claims": []})
        records[c["experiment"]]["claims"].append(c)
    cover = coverage(covers, list(records.values()))
    for lec in ("cs577-01", "cs577-03"):
        rows = [r for r in cover[lec] if r["slide"] == "Multiclass perceptron"]
        assert [r["status"] for r in rows] == ["differs"], (lec, rows)
