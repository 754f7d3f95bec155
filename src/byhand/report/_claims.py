"""A claim on the page: verdict, category, the lecture's value, byhand's value, the rule.

A claim is a dict of ``results.json`` (see :class:`byhand.experiments.Claim`). The fields
``category``, ``lecture_value`` and ``rule`` are used when present; older records without them
are shown all the same: the category follows from ``source`` (lecture → reproduction, derived →
derivation, byhand → observation), the lecture's value is the target of a claim whose target
comes from the lecture, and the rule is built from the claim's kind and target, followed by its
``detail`` (how it was checked).
"""

from __future__ import annotations

import html
from typing import Any

from byhand.lectures import LECTURES, cite
from byhand.report._text import format_value, quote_html, rich

__all__ = [
    "CATEGORIES",
    "VERDICT_BADGE",
    "category_of",
    "claim_html",
    "claim_id",
    "claims_html",
    "lecture_value_of",
    "rule_of",
    "target_html",
]

CATEGORIES = ("reproduction", "derivation", "observation")
CATEGORY_OF_SOURCE = {"lecture": "reproduction", "derived": "derivation", "byhand": "observation"}
CATEGORY_HELP = {
    "reproduction": "runs byhand's code and compares it with the lecture",
    "derivation": "the lecture's mathematics checked numerically",
    "observation": "byhand's own measurement, against a threshold byhand chose",
}
VERDICTS = ("reproduced", "differs", "failed")
VERDICT_BADGE = {
    "reproduced": '<span class="badge ok" title="reproduced">✓ reproduced</span>',
    "differs": '<span class="badge differs" title="differs, for the stated cause">≠ differs</span>',
    "failed": '<span class="badge bad" title="failed">✗ failed</span>',
}


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def verdict_of(c: dict[str, Any]) -> str:
    """The claim's verdict; a missing or unknown one counts as ``"failed"``."""
    v = c.get("verdict", "failed")
    return v if v in VERDICTS else "failed"


def category_of(c: dict[str, Any]) -> str:
    """``c["category"]`` when given, else inferred from ``c["source"]`` (``"observation"`` for
    an unknown source: nothing is credited to the lecture that the claim does not say).

    Examples
    --------
    >>> category_of({"source": "derived"})
    'derivation'
    >>> category_of({"source": "lecture", "category": "derivation"})
    'derivation'
    """
    cat = c.get("category")
    if cat in CATEGORIES:
        return cat
    return CATEGORY_OF_SOURCE.get(c.get("source", ""), "observation")


def lecture_value_of(c: dict[str, Any]) -> tuple[bool, Any]:
    """``(known, value)``: the lecture's value, from ``lecture_value`` when the record has that
    field (``None`` there means the lecture gives none), else the target of a claim whose target
    comes from the lecture.

    Examples
    --------
    >>> lecture_value_of({"source": "lecture", "target": 0.14})
    (True, 0.14)
    >>> lecture_value_of({"source": "lecture", "target": 0.14, "lecture_value": None})
    (False, None)
    """
    if "lecture_value" in c:
        return c["lecture_value"] is not None, c["lecture_value"]
    if c.get("source") == "lecture" and c.get("target") is not None:
        return True, c["target"]
    return False, None


def rule_of(c: dict[str, Any]) -> str:
    """The rule that decides the verdict, in words: the claim's ``rule`` when it has one, else
    a criterion built from its kind and target, followed by how it was checked (``detail``).

    Examples
    --------
    >>> rule_of({"kind": "numeric", "target": 0.5, "detail": "mean of 5 runs"})
    "byhand's value meets the target 0.5 (checked: mean of 5 runs)"
    """
    if str(c.get("rule") or "").strip():
        return str(c["rule"])
    target = c.get("target")
    t = format_value(target)
    kind = c.get("kind", "")
    if kind == "exact":
        criterion = (
            f"byhand's value equals {t} to floating-point precision"
            if target is not None
            else "the identity holds to floating-point precision"
        )
    elif kind == "numeric":
        criterion = (
            f"byhand's value meets the target {t}"
            if target is not None
            else "byhand's value meets the number of the statement"
        )
    else:
        criterion = "the comparison of the statement holds for byhand's values"
    detail = str(c.get("detail") or "").strip()
    return f"{criterion} (checked: {detail})" if detail else criterion


def target_html(c: dict[str, Any]) -> str:
    """Where a target that is not the lecture's comes from: "derived (from …): T" for a
    derivation, "byhand's threshold: T (reason)" for byhand's own; empty for the lecture's."""
    source = c.get("source", "")
    target = c.get("target")
    shown = f" {_e(format_value(target))}" if target is not None else ""
    if source == "derived":
        origin = rich(c.get("derived_from", ""))
        if target is None:
            return f'<span class="origin derived">derived from {origin}</span>'
        return f'<span class="origin derived">derived (from {origin}):{shown}</span>'
    if source == "byhand":
        return (
            f'<span class="origin byhand">byhand\'s threshold:{shown} '
            f"({rich(c.get('reason', ''))})</span>"
        )
    return ""


def _lecture_box(c: dict[str, Any]) -> str:
    known, value = lecture_value_of(c)
    if known:
        shown = quote_html(value) if isinstance(value, str) else rich(format_value(value))
        return f'<div class="v lec">lecture: {shown}</div>'
    why = {
        "reproduction": "stated in words, see the quote",
        "derivation": "none: a derivation, checked numerically",
        "observation": "none: byhand's own observation",
    }[category_of(c)]
    return f'<div class="v lec none">lecture: — <span class="why">({why})</span></div>'


def claim_id(experiment: str, index: int) -> str:
    """The page anchor of the ``index``-th claim of experiment ``experiment``.

    Examples
    --------
    >>> claim_id("perceptron-trace", 2)
    'claim-perceptron-trace-2'
    """
    return f"claim-{experiment}-{index}"


def claim_html(c: dict[str, Any], index: int | None = None, experiment: str = "") -> str:
    """One claim as an HTML block (it reflows: no fixed widths); with ``index`` it carries the
    anchor :func:`claim_id` that the header's lists link to."""
    verdict = verdict_of(c)
    cat = category_of(c)
    name = experiment or str(c.get("experiment", ""))
    anchor = f' id="{_e(claim_id(name, index))}"' if index is not None else ""
    lecture = c.get("lecture", "")
    where = cite(lecture, c.get("slide", "")) if lecture in LECTURES else lecture
    quote = ""
    if c.get("quote"):
        quote = f'<blockquote class="quote">{quote_html(c["quote"])}</blockquote>'
    has_rule = bool(str(c.get("rule") or "").strip())
    detail = (
        f'<span class="detail">{rich(c["detail"])}</span>'
        if has_rule and str(c.get("detail") or "").strip()
        else ""
    )
    cause = f'<p class="cause">differs: {rich(c["differs"])}</p>' if c.get("differs") else ""
    return (
        f'<div class="claim v-{verdict}"{anchor}>'
        f'<div class="chead">{VERDICT_BADGE[verdict]}'
        f'<span class="cat {cat}" title="{_e(CATEGORY_HELP[cat])}">{cat}</span>'
        f'<span class="kind">{_e(c.get("kind", ""))}</span></div>'
        f'<p class="ctext">{rich(c.get("claim", ""))}</p>'
        f'<p class="src">{_e(where)}</p>{quote}'
        '<div class="vals">'
        f"{_lecture_box(c)}"
        f'<div class="v got">byhand: {rich(format_value(c.get("value")))}{detail}</div>'
        f'<div class="v rule">rule: {rich(rule_of(c))}{target_html(c)}</div>'
        f"</div>{cause}</div>"
    )


def claims_html(claims: list[dict[str, Any]], experiment: str = "") -> str:
    """The claims of one experiment (named ``experiment``, for their anchors), in order."""
    if not claims:
        return ""
    return (
        '<div class="claims">'
        + "".join(claim_html(c, i, experiment) for i, c in enumerate(claims))
        + "</div>"
    )
