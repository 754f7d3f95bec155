"""The page: header with honest counts, legend, contents, one section per lecture.

Layout: a header (the counts by verdict and by category, the coverage of the lectures), then
the contents (a sticky side column on wide screens, a block with a fixed "Contents" button on
narrow ones), an overview (legend and counts), and per lecture its coverage table and its
experiments. Every section and every experiment links back to the contents.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import Any

from byhand.lectures import LECTURES
from byhand.report._claims import (
    CATEGORIES,
    CATEGORY_HELP,
    VERDICTS,
    category_of,
    claim_id,
    claims_html,
    verdict_of,
)
from byhand.report._code import byhand_names
from byhand.report._style import CSS
from byhand.report._text import format_value, rich

BACK = '<a class="back" href="#contents">↑ contents</a>'
COVERAGE_STATUSES = (
    "reproduced",
    "differs",
    "failed",
    "skipped",
    "excused",
    "not reproduced",
    "missing",
)
COVERAGE_HELP = {
    "reproduced": "every claim on the item reproduced",
    "differs": "byhand's value differs from the lecture's, for the stated cause",
    "failed": "an experiment on it failed a claim or ended with an error",
    "skipped": "its experiments were skipped in this run (e.g. MNIST not found)",
    "excused": "nothing to compute (a photograph, a definition, …), for the stated reason",
    "not reproduced": "not reproduced, for the stated reason",
    "missing": "no experiment yet",
}
COVERAGE_CLASS = {"not reproduced": "notrep"}


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def _experiment_state(record: dict[str, Any]) -> tuple[str, str]:
    """(css class, short text) of an experiment: skipped, error, or its claims' verdicts."""
    status = record["status"]
    if status.startswith("skipped"):
        return "skip", "skipped"
    if status.startswith("error"):
        return "bad", "error"
    verdicts = [verdict_of(c) for c in record["claims"]]
    nrep = verdicts.count("reproduced")
    cls = "bad" if "failed" in verdicts else "differs" if "differs" in verdicts else "ok"
    return cls, f"{nrep}/{len(verdicts)} reproduced"


def _badge(record: dict[str, Any]) -> str:
    cls, text = _experiment_state(record)
    return f'<span class="badge {cls}">{_e(text)}</span>'


def _lecture_short(lecture: str) -> str:
    return LECTURES[lecture].short if lecture in LECTURES else lecture


def _lecture_title(lecture: str) -> str:
    return LECTURES[lecture].full if lecture in LECTURES else lecture


def _num(record: dict[str, Any]) -> str:
    return f"#{record['number']} " if record.get("number") else ""


def _code_of(record: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """(module, byhand names used) of the record's experiment; ("", ()) when unknown."""
    module, function = record.get("module", ""), record.get("function", "")
    if not (module and function):
        try:
            from byhand.experiments import registry

            exp = registry().get(record["name"])
        except Exception:  # the report renders whatever the registry's state
            exp = None
        if exp is None or exp.module != (module or exp.module):
            return module, ()
        module, function = exp.module, exp.func.__name__
    return module, byhand_names(module, function)


def rerun_command(name: str, meta: dict[str, Any]) -> str:
    """The command that reruns experiment ``name`` as this run did (mode and seed).

    Examples
    --------
    >>> rerun_command("perceptron-trace", {"quick": True, "seed": 0})
    'byhand reproduce --only perceptron-trace --quick'
    """
    cmd = f"byhand reproduce --only {name}"
    if meta.get("quick"):
        cmd += " --quick"
    if meta.get("seed"):
        cmd += f" --seed {meta['seed']}"
    return cmd


def _runs_html(record: dict[str, Any], meta: dict[str, Any]) -> str:
    if record["status"].startswith("error: import failed"):
        return ""  # a module that did not import registered no experiment to rerun
    module, names = _code_of(record)
    parts = []
    if module:
        parts.append(f"code: <code>{_e(module)}</code>")
    if names:
        parts.append("uses " + ", ".join(f"<code>{_e(n)}</code>" for n in names))
    elif module:
        parts.append("uses no byhand learning code (its checks are computed directly)")
    other = "drop --quick for the full sizes" if meta.get("quick") else "--quick: smaller sizes"
    parts.append(f"rerun: <code>{_e(rerun_command(record['name'], meta))}</code> ({_e(other)})")
    return '<p class="runs">' + " · ".join(parts) + "</p>"


def _coverage_table(rows: list[dict[str, Any]]) -> str:
    """One lecture's coverage: slide, item, status, experiment(s) and reason."""
    if not rows:
        return ""
    body = []
    for r in rows:
        status = r.get("status", "missing")
        links = ", ".join(
            f'<a href="#exp-{_e(n)}"><code>{_e(n)}</code></a>' for n in r.get("experiments", [])
        )
        reason = rich(r["reason"]) if r.get("reason") else ""
        if status == "missing" and not reason:
            reason = "no experiment yet"
        how = f"{links}: {reason}" if links and reason else links or reason
        tally = r.get("claims")
        if isinstance(tally, dict) and any(tally.values()):
            marks = {"reproduced": "✓", "differs": "≠", "failed": "✗"}
            how += (
                ' <span class="kind">('
                + " ".join(f"{tally.get(v, 0)} {m}" for v, m in marks.items())
                + " claims)</span>"
            )
        topic = f" · {rich(r['topic'])}" if r.get("topic") else ""
        cls = COVERAGE_CLASS.get(status, status.replace(" ", ""))
        body.append(
            f'<tr><td data-label="slide">{rich(r.get("slide", ""))}{topic}</td>'
            f'<td data-label="item">{rich(r.get("what", ""))}</td>'
            f'<td class="status {_e(cls)}" data-label="status">{_e(status)}</td>'
            f'<td data-label="experiment, reason">{how}</td></tr>'
        )
    counts = Counter(r.get("status", "missing") for r in rows)
    others = ", ".join(f"{n} {s}" for s, n in counts.items() if s != "reproduced")
    return (
        f'<details class="coverage" open><summary>Coverage: {counts["reproduced"]} of '
        f"{len(rows)} items of this lecture reproduced{' (' + _e(others) + ')' if others else ''}"
        '</summary><table class="coverage"><thead><tr><th>slide</th><th>worked example, '
        "figure or statement</th><th>status</th><th>experiment(s), reason</th></tr></thead>"
        "<tbody>" + "".join(body) + "</tbody></table></details>"
    )


def _lecture_experiments(recs: list[dict[str, Any]]) -> str:
    """The lecture's experiments as links (shown on narrow screens, where the contents list
    only the lectures)."""
    items = "".join(
        f'<li><a href="#exp-{_e(r["name"])}">{_e(_num(r))}{rich(r["title"])}</a> '
        f'<span class="mark {_experiment_state(r)[0]}">{_e(_experiment_state(r)[1])}</span></li>'
        for r in recs
    )
    return f'<nav class="lecexps" aria-label="experiments"><b>Experiments</b><ol>{items}</ol></nav>'


def _data_table(t: dict[str, Any]) -> str:
    head = "".join(f"<th>{rich(h)}</th>" for h in t["header"])
    body = "".join(
        "<tr>" + "".join(f"<td>{rich(format_value(c))}</td>" for c in row) + "</tr>"
        for row in t["rows"]
    )
    title = f"<h4>{rich(t['title'])}</h4>" if t.get("title") else ""
    return (
        f'{title}<div class="tablewrap"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _experiment(record: dict[str, Any], meta: dict[str, Any]) -> str:
    parts = [
        f'<article class="exp" id="exp-{_e(record["name"])}">',
        f"<h3>{_e(_num(record))}{rich(record['title'])} {_badge(record)}</h3>",
        f'<div class="meta"><code>{_e(record["name"])}</code> · '
        f"{_e(_lecture_short(record['lecture']))} · {record.get('seconds', 0):.2f} s · "
        f"{BACK}</div>",
        _runs_html(record, meta),
    ]
    status = record["status"]
    if status.startswith("skipped"):
        parts.append(f'<div class="status skip">{_e(status)}</div>')
    elif status.startswith("error"):
        parts.append(f'<div class="status bad">{_e(status)}</div>')
        if record.get("traceback"):
            parts.append(
                f"<details><summary>traceback</summary><pre>{_e(record['traceback'])}</pre>"
                "</details>"
            )
    parts.append(claims_html(record["claims"], record["name"]))
    for f in record.get("figures", []):
        alt = f.get("caption") or record["title"]
        cap = f"<figcaption>{rich(f['caption'])}</figcaption>" if f.get("caption") else ""
        parts.append(
            f'<figure><img src="data:image/png;base64,{f["png"]}" alt="{_e(alt)}">{cap}</figure>'
        )
    parts.extend(_data_table(t) for t in record.get("tables", []))
    if record.get("notes"):
        parts.append(
            '<div class="notes">' + "".join(f"<p>{rich(n)}</p>" for n in record["notes"]) + "</div>"
        )
    if record.get("warnings"):
        n = len(record["warnings"])
        items = "".join(f"<li>{_e(w)}</li>" for w in record["warnings"])
        parts.append(
            f'<details class="warnings"><summary>{_plural(n, "warning")} raised during the run'
            f"</summary><ul>{items}</ul></details>"
        )
    parts.append("</article>")
    return "\n".join(parts)


def counts(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The numbers the header shows: claims by verdict and by category × verdict, experiments
    that ran, were skipped or ended with an error."""
    claims = [c for r in records for c in r["claims"]]
    by_verdict = Counter(verdict_of(c) for c in claims)
    by_category = {cat: Counter() for cat in CATEGORIES}
    for c in claims:
        by_category[category_of(c)][verdict_of(c)] += 1
    return {
        "claims": len(claims),
        "by_verdict": {v: by_verdict[v] for v in VERDICTS},
        "by_category": {
            cat: {v: cnt[v] for v in VERDICTS} | {"total": sum(cnt.values())}
            for cat, cnt in by_category.items()
        },
        "experiments": len(records),
        "errors": sum(r["status"].startswith("error") for r in records),
        "skipped": sum(r["status"].startswith("skipped") for r in records),
        "skipped_names": [r["name"] for r in records if r["status"].startswith("skipped")],
    }


def headline(n: dict[str, Any]) -> str:
    """The header's sentence from :func:`counts`: every count that is not zero, problems
    first; "all N claims reproduced" only when nothing differs, failed, errored or was skipped.

    Examples
    --------
    >>> ok = {"claims": [{"verdict": "reproduced", "source": "lecture"}], "status": "ok"}
    >>> headline(counts([ok, {"claims": [], "status": "skipped: no MNIST", "name": "m"}]))
    '1 of 1 claim reproduced; 1 experiment skipped: its claims were not run'
    """
    v = n["by_verdict"]
    problems = []
    if v["failed"]:
        problems.append(f"{_plural(v['failed'], 'claim')} failed")
    if n["errors"]:
        problems.append(f"{_plural(n['errors'], 'experiment')} ended with an error")
    if n["skipped"]:
        problems.append(
            f"{_plural(n['skipped'], 'experiment')} skipped: "
            f"{'its claims were' if n['skipped'] == 1 else 'their claims were'} not run"
        )
    if v["differs"]:
        problems.append(
            f"{_plural(v['differs'], 'claim')} "
            f"{'differs' if v['differs'] == 1 else 'differ'} from the lecture for a stated cause"
        )
    if not problems and n["claims"]:
        return f"all {n['claims']} claims reproduced; no experiment skipped, none failed"
    lead = f"{v['reproduced']} of {_plural(n['claims'], 'claim')} reproduced"
    return "; ".join([lead, *problems])


def skip_reasons(records: list[dict[str, Any]]) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """The skipped experiments grouped by why: reason → (how to run them, records).

    A status reads ``"skipped: MNIST not found in /folder; get it with …"``: the reason is the
    part before ``;`` without its folder, the remedy the part after.

    Examples
    --------
    >>> rec = {"status": "skipped: MNIST not found in /x; get it with `f`", "name": "m"}
    >>> reasons = skip_reasons([rec])
    >>> list(reasons), reasons["MNIST not found"][0]
    (['MNIST not found'], 'get it with `f`')
    """
    out: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    for r in records:
        status = r["status"]
        if not status.startswith("skipped"):
            continue
        why, _, remedy = status.removeprefix("skipped").lstrip(": ").partition(";")
        why = re.sub(r"\s+in\s+\S+$", "", why.strip()) or "no reason given"
        out.setdefault(why, (remedy.strip(), []))[1].append(r)
    return out


def _skipped_html(records: list[dict[str, Any]]) -> str:
    """The header's sentence on skipped experiments: how many, why, which (linked), and how
    to run them; empty when none was skipped."""
    parts = []
    for why, (remedy, recs) in skip_reasons(records).items():
        names = ", ".join(
            f'<a href="#exp-{_e(r["name"])}">{rich(r.get("title") or r["name"])}</a>' for r in recs
        )
        fix = f" To run them: {_code_spans(remedy)}." if remedy else ""
        parts.append(
            f'<p class="skipped"><b>{_plural(len(recs), "experiment")} skipped: '
            f"{_e(why)}</b> — {names}.{fix}</p>"
        )
    return "".join(parts)


def _code_spans(text: str) -> str:
    """``text`` escaped, with its `backquoted` parts as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _e(text))


def _problem_lists(records: list[dict[str, Any]]) -> str:
    """The lists the header's tiles link to: claims that differ, claims that failed,
    experiments skipped and experiments that ended with an error (each only when not empty)."""
    blocks = []
    for verdict, title in (("failed", "Claims that failed"), ("differs", "Claims that differ")):
        items = [
            f'<li><a href="#{_e(claim_id(r["name"], i))}">{_e(r["name"])}</a>: '
            f"{rich(c.get('claim', ''))}</li>"
            for r in records
            for i, c in enumerate(r["claims"])
            if verdict_of(c) == verdict
        ]
        if items:
            blocks.append(
                f'<div id="list-{verdict}"><h3>{title} ({len(items)})</h3>'
                f'<ul class="problems">{"".join(items)}</ul></div>'
            )
    for state, title in (
        ("skipped", "Experiments skipped"),
        ("error", "Experiments with an error"),
    ):
        items = [
            f'<li><a href="#exp-{_e(r["name"])}">{_e(r["name"])}</a>: {_e(r["status"])}</li>'
            for r in records
            if r["status"].startswith(state)
        ]
        if items:
            blocks.append(
                f'<div id="list-{state}"><h3>{title} ({len(items)})</h3>'
                f'<ul class="problems">{"".join(items)}</ul></div>'
            )
    return "".join(blocks)


def _overview(
    n: dict[str, Any],
    cover: dict[str, list[dict[str, Any]]],
    records: list[dict[str, Any]] | None = None,
) -> str:
    rows = []
    for cat in CATEGORIES:
        c = n["by_category"][cat]
        rows.append(
            f"<tr><td>{cat}s <span class='kind'>({_e(CATEGORY_HELP[cat])})</span></td>"
            f"<td>{c['total']}</td><td>{c['reproduced']}</td><td>{c['differs']}</td>"
            f"<td>{c['failed']}</td></tr>"
        )
    v = n["by_verdict"]
    rows.append(
        f"<tr><th>all claims</th><th>{n['claims']}</th><th>{v['reproduced']}</th>"
        f"<th>{v['differs']}</th><th>{v['failed']}</th></tr>"
    )
    table = (
        '<table class="counts"><thead><tr><th>category</th><th>claims</th><th>✓</th><th>≠</th>'
        "<th>✗</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
    items = Counter(r.get("status", "missing") for rows_ in cover.values() for r in rows_)
    item_text = " · ".join(f"{items[s]} {s}" for s in COVERAGE_STATUSES if items[s])
    cov_help = "".join(
        f"<p><b>{_e(s)}</b>: {_e(COVERAGE_HELP[s])}</p>" for s in COVERAGE_STATUSES if items[s]
    )
    skipped = ""
    if n["skipped"]:
        names = ", ".join(
            f'<a href="#exp-{_e(s)}"><code>{_e(s)}</code></a>' for s in n["skipped_names"]
        )
        skipped = f"<p>Skipped in this run (their claims are not counted above): {names}.</p>"
    return (
        '<section class="box" id="overview"><h2>How to read this page</h2>'
        '<div class="legend"><div><h3>Verdict of a claim</h3>'
        '<p><span class="badge ok">✓ reproduced</span> byhand\'s value meets the rule</p>'
        '<p><span class="badge differs">≠ differs</span> it does not, for the stated cause</p>'
        '<p><span class="badge bad">✗ failed</span> it does not, and no cause is known</p>'
        '<p><span class="badge skip">skipped</span> the experiment did not run</p></div>'
        "<div><h3>Category of a claim</h3>"
        + "".join(
            f'<p><span class="cat {c}">{c}</span> {_e(CATEGORY_HELP[c])}</p>' for c in CATEGORIES
        )
        + "<h3>Each claim shows</h3><p><b>lecture:</b> the lecture's value · <b>byhand:</b> "
        "byhand's value · <b>rule:</b> what decides the verdict</p></div>"
        f"<div><h3>Lecture items</h3>{cov_help or '<p>none listed</p>'}</div></div>"
        f"<h3>Counts</h3>{table}"
        f"<p>Lecture items: {_e(item_text) or 'none'}.</p>{skipped}"
        f"{_problem_lists(records or [])}<p class='back'>{BACK}</p>"
        "</section>"
    )


def _stat(value: str, label: str, cls: str = "", href: str = "") -> str:
    """A header tile; with ``href`` a link to the list it counts."""
    inner = f"<b>{_e(value)}</b><span>{_e(label)}</span>"
    if href:
        return f'<a class="stat {cls}" href="{_e(href)}">{inner}</a>'
    return f'<div class="stat {cls}">{inner}</div>'


def render(
    records: list[dict[str, Any]],
    meta: dict[str, Any],
    cover: dict[str, list[dict[str, Any]]] | None = None,
) -> str:
    """The report page for the runner's ``records`` (see :mod:`byhand.experiments.runner`),
    its ``meta`` (seed, quick, seconds, date, byhand_version) and the coverage of each lecture
    ``cover`` (see :mod:`byhand.experiments.coverage`). One self-contained HTML document: inline
    CSS, images as data URIs, mathematics as MathML, no script."""
    cover = cover or {}
    n = counts(records)
    v = n["by_verdict"]
    lectures: dict[str, list[dict[str, Any]]] = {lec: [] for lec in cover}
    for r in records:
        lectures.setdefault(r["lecture"], []).append(r)
    order = list(LECTURES)
    lectures = dict(
        sorted(lectures.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    )
    covered = sum(r.get("status") == "reproduced" for rows in cover.values() for r in rows)
    n_items = sum(len(rows) for rows in cover.values())

    toc = ['<li><a class="lec" href="#overview">How to read this page</a></li>']
    for lec, recs in lectures.items():
        items = "".join(
            f'<li><a href="#exp-{_e(r["name"])}">{_e(_num(r))}{rich(r["title"])}</a>'
            f'<span class="mark {_experiment_state(r)[0]}">{_e(_experiment_state(r)[1])}</span>'
            "</li>"
            for r in recs
        )
        toc.append(
            f'<li><a class="lec" href="#lec-{_e(lec)}">{_e(_lecture_short(lec))}</a>'
            f"<ul>{items}</ul></li>"
        )
    sections = []
    for lec, recs in lectures.items():
        published = f"published: {LECTURES[lec].published}" if lec in LECTURES else ""
        sections.append(
            f'<section class="lecture" id="lec-{_e(lec)}"><h2>{_e(_lecture_title(lec))}</h2>'
            f'<p class="back">{BACK}</p><p class="file">{_e(published)}</p>'
            + _lecture_experiments(recs)
            + _coverage_table(cover.get(lec, []))
            + "\n".join(_experiment(r, meta) for r in recs)
            + "</section>"
        )
    mode = "quick" if meta.get("quick") else "full"
    share = f"{covered}/{n_items}" if n_items else "-"
    per_cat = n["by_category"]
    tone = "bad" if v["failed"] or n["errors"] else "warn" if headline(n)[:3] != "all" else "good"
    stats = [
        _stat(f"{v['reproduced']}/{n['claims']}", "claims reproduced", tone),
        _stat(
            str(v["differs"]),
            "differ (stated cause)",
            "warn" if v["differs"] else "",
            "#list-differs" if v["differs"] else "",
        ),
        _stat(
            str(v["failed"]),
            "failed",
            "bad" if v["failed"] else "",
            "#list-failed" if v["failed"] else "",
        ),
        *(
            _stat(f"{per_cat[c]['reproduced']}/{per_cat[c]['total']}", f"{c}s reproduced")
            for c in CATEGORIES
        ),
        _stat(share, "lecture items reproduced"),
        _stat(str(n["experiments"]), "experiments"),
        _stat(
            str(n["skipped"]),
            "skipped",
            "warn" if n["skipped"] else "",
            "#list-skipped" if n["skipped"] else "",
        ),
        _stat(
            str(n["errors"]),
            "errors",
            "bad" if n["errors"] else "",
            "#list-error" if n["errors"] else "",
        ),
        _stat(f"{meta.get('seconds', 0):.1f} s", "run time"),
        _stat(f"{mode} · seed {meta.get('seed', 0)}", "mode"),
        _stat(str(meta.get("byhand_version", "")), "byhand version"),
    ]
    shares = " · ".join(
        f"{_lecture_short(lec)}: {sum(r.get('status') == 'reproduced' for r in rows)}/{len(rows)}"
        for lec, rows in cover.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>byhand — the lectures reproduced</title>
<style>{CSS}</style></head>
<body>
<header class="top"><div class="inner">
<h1>byhand — the lectures reproduced</h1>
<p>The lectures' worked examples, rerun with byhand's hand-written NumPy code:
<b>{_e(headline(n))}</b>.</p>
<p>Lecture items (worked examples, figures, tables, stated results) reproduced:
<b>{_e(share)}</b>{(" (" + _e(shares) + ")") if shares else ""}.</p>
{_skipped_html(records)}
<p class="date">{_e(meta.get("date", ""))}</p>
<div class="stats">{"".join(stats)}</div>
</div></header>
<div class="layout">
<nav class="toc" id="contents" aria-label="contents"><h2>Contents</h2><ol>{"".join(toc)}</ol></nav>
<main>
{_overview(n, cover, records)}
{"".join(sections)}
<footer>Generated by <code>byhand reproduce</code> {_e(meta.get("byhand_version", ""))}.
Kinds of claim: <b>exact</b> = an identity checked to floating-point precision; <b>numeric</b> =
a number against a target; <b>qualitative</b> = a comparison or a shape.
<a href="#contents">↑ contents</a></footer>
</main></div>
<a class="tocfab" href="#contents">☰ Contents</a>
</body></html>
"""
