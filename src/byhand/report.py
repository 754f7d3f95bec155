"""The HTML report of ``byhand reproduce``: one self-contained page (inline CSS, PNGs as data URIs).

No JavaScript and nothing fetched from the network: the page opens from a USB stick in any browser.
Layout: a header with the totals, a table of contents, then per lecture a section and per
experiment its claims (lecture statement with seed file and slide, value obtained, kind, ✓/✗),
figures, tables and notes.
"""

from __future__ import annotations

import html
import math
from typing import Any

from byhand.lectures import LECTURES, cite

CSS = """
:root { --ink:#1d2433; --muted:#5b6475; --line:#dde2ea; --bg:#f6f7fb; --card:#fff;
  --ok:#1a7f4b; --okbg:#e3f5ea; --bad:#b42318; --badbg:#fde8e6; --skip:#8a5a00;
  --skipbg:#fff4d6; --accent:#2e5bba; }
* { box-sizing: border-box; }
body { margin:0; font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
  color:var(--ink); background:var(--bg); }
main { max-width:1100px; margin:0 auto; padding:0 24px 64px; }
header.top { background:linear-gradient(120deg,#1f3b73,#2e5bba); color:#fff; padding:28px 0 22px; }
header.top .inner { max-width:1100px; margin:0 auto; padding:0 24px; }
header.top h1 { margin:0 0 4px; font-size:30px; letter-spacing:.2px; }
header.top p { margin:0; opacity:.9; }
.stats { display:flex; flex-wrap:wrap; gap:12px; margin-top:18px; }
.stat { background:rgba(255,255,255,.13); border-radius:10px; padding:8px 14px; min-width:120px; }
.stat b { display:block; font-size:22px; }
.stat span { font-size:13px; opacity:.85; }
.stat.good { background:rgba(60,200,120,.28); } .stat.bad { background:rgba(240,80,70,.45); }
.stat.warn { background:rgba(250,190,60,.35); }
header.top p.date { font-size:13px; opacity:.75; margin-top:2px; }
nav.toc { background:var(--card); border:1px solid var(--line); border-radius:12px;
  padding:14px 22px; margin:24px 0; }
nav.toc h2 { margin:4px 0 8px; font-size:18px; }
nav.toc ol { margin:0; padding-left:20px; columns:2; column-gap:32px; }
nav.toc li { break-inside:avoid; margin:2px 0; }
nav.toc .lec { font-weight:600; margin-top:6px; }
nav.toc ul { list-style:none; padding-left:4px; }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
section.lecture > h2 { margin:36px 0 6px; font-size:24px; border-bottom:2px solid var(--line);
  padding-bottom:6px; }
section.lecture > p.file { margin:0 0 12px; color:var(--muted); font-size:14px; }
article.exp { background:var(--card); border:1px solid var(--line); border-radius:12px;
  padding:18px 22px; margin:18px 0; box-shadow:0 1px 2px rgba(20,30,60,.05); }
article.exp h3 { margin:0; font-size:20px; display:flex; gap:10px; align-items:center;
  flex-wrap:wrap; }
article.exp .meta { color:var(--muted); font-size:13px; margin:2px 0 12px; }
code { font:13px/1.4 ui-monospace,"DejaVu Sans Mono",Menlo,monospace; background:#eef1f6;
  padding:1px 5px; border-radius:4px; }
.badge { display:inline-block; font-size:13px; font-weight:700; border-radius:999px;
  padding:2px 10px; white-space:nowrap; }
.badge.ok { color:var(--ok); background:var(--okbg); }
.badge.bad { color:var(--bad); background:var(--badbg); }
.badge.skip { color:var(--skip); background:var(--skipbg); }
.badge.differs { color:var(--skip); background:var(--skipbg); }
.tgt.lecture { color:var(--ok); } .tgt.derived { color:#5a3e9b; } .tgt.byhand { color:var(--skip); }
.quote { display:block; color:var(--muted); font-size:12px; font-style:italic; }
.cause { display:block; color:var(--skip); font-size:12px; }
table.coverage td.status { white-space:nowrap; font-weight:600; }
table.coverage td.status.reproduced { color:var(--ok); }
table.coverage td.status.missing { color:var(--bad); }
table.coverage td.status.notrep { color:var(--muted); }
table { border-collapse:collapse; width:100%; margin:8px 0 14px; font-size:14px; }
th, td { border-bottom:1px solid var(--line); padding:6px 8px; text-align:left;
  vertical-align:top; }
th { background:#f0f3f8; font-weight:600; }
table.claims td.verdict { text-align:center; width:54px; }
table.claims td.kind { width:90px; color:var(--muted); }
table.claims td.value { width:26%; font-family:ui-monospace,"DejaVu Sans Mono",monospace;
  font-size:13px; word-break:break-word; }
.src { display:block; color:var(--muted); font-size:12px; margin-top:2px; }
.detail { display:block; color:var(--muted); font-size:12px; font-family:system-ui,sans-serif; }
table.data { width:auto; min-width:50%; font-variant-numeric:tabular-nums; }
table.data td { font-family:ui-monospace,"DejaVu Sans Mono",monospace; font-size:13px; }
.tablewrap { overflow-x:auto; }
h4 { margin:14px 0 4px; font-size:15px; }
figure { margin:12px 0; text-align:center; }
figure img { max-width:100%; height:auto; border:1px solid var(--line); border-radius:8px;
  background:#fff; }
figcaption { color:var(--muted); font-size:14px; margin-top:4px; }
.notes p { margin:6px 0; padding:8px 12px; background:#f7f9fc; border-left:3px solid #9fb3d9;
  border-radius:4px; }
.status { padding:10px 14px; border-radius:8px; margin:8px 0; }
.status.skip { background:var(--skipbg); color:var(--skip); }
.status.bad { background:var(--badbg); color:var(--bad); }
pre { white-space:pre-wrap; font-size:12px; background:#1d2433; color:#e8ecf3; padding:12px;
  border-radius:8px; overflow-x:auto; }
details.warnings { color:var(--muted); font-size:13px; margin-top:8px; }
details.warnings li { font-family:ui-monospace,"DejaVu Sans Mono",monospace; font-size:12px; }
footer { color:var(--muted); font-size:13px; text-align:center; margin-top:40px; }
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def format_value(value: Any) -> str:
    """A claim value as short text: floats to 6 significant digits, lists compact."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        if value == 0 or (1e-3 <= abs(value) < 1e6):
            return f"{value:.6g}"
        return f"{value:.3e}" if math.isfinite(value) else str(value)
    if isinstance(value, list):
        inner = ", ".join(format_value(v) for v in value)
        return f"[{inner}]"
    if isinstance(value, dict):
        return ", ".join(f"{k} = {format_value(v)}" for k, v in value.items())
    return str(value)


def _badge(record: dict[str, Any]) -> str:
    status = record["status"]
    if status.startswith("skipped"):
        return '<span class="badge skip">skipped</span>'
    if status.startswith("error"):
        return '<span class="badge bad">error</span>'
    verdicts = [c.get("verdict", "failed") for c in record["claims"]]
    nrep, ntot = verdicts.count("reproduced"), len(verdicts)
    cls = "bad" if "failed" in verdicts else "differs" if "differs" in verdicts else "ok"
    return f'<span class="badge {cls}">{nrep}/{ntot} reproduced</span>'


VERDICT_BADGE = {
    "reproduced": '<span class="badge ok" title="reproduced">✓</span>',
    "differs": '<span class="badge differs" title="differs, for the stated cause">≠</span>',
    "failed": '<span class="badge bad" title="failed">✗</span>',
}


def target_html(c: dict[str, Any]) -> str:
    """The claim's target, introduced by where it comes from: "lecture:" only when the lecture
    gives it, "derived (from …):" for a consequence byhand computes, "byhand's threshold:"."""
    source = c.get("source", "")
    target = c.get("target")
    shown = f" {_e(format_value(target))}" if target is not None else ""
    if source == "lecture":
        label = "lecture:" if target is not None else ""
        quote = f'<span class="quote">“{_e(c.get("quote", ""))}”</span>'
        head = f'<span class="detail tgt lecture">{label}{shown}</span>' if label else ""
        return head + quote
    if source == "derived":
        return (
            f'<span class="detail tgt derived">derived (from {_e(c.get("derived_from", ""))})'
            f":{shown}</span>"
        )
    return (
        f'<span class="detail tgt byhand">byhand\'s threshold:{shown} '
        f"({_e(c.get('reason', ''))})</span>"
    )


def _claims_table(claims: list[dict[str, Any]]) -> str:
    if not claims:
        return ""
    rows = []
    for c in claims:
        verdict = VERDICT_BADGE.get(c.get("verdict", "failed"), VERDICT_BADGE["failed"])
        where = cite(c["lecture"], c["slide"]) if c["lecture"] in LECTURES else c["lecture"]
        detail = f'<span class="detail">{_e(c["detail"])}</span>' if c.get("detail") else ""
        cause = (
            f'<span class="cause">differs: {_e(c["differs"])}</span>' if c.get("differs") else ""
        )
        rows.append(
            "<tr>"
            f'<td>{_e(c["claim"])}<span class="src">{_e(where)}</span>{target_html(c)}</td>'
            f'<td class="value">{_e(format_value(c["value"]))}{detail}{cause}</td>'
            f'<td class="kind">{_e(c["kind"])}<br>{_e(c.get("source", ""))}</td>'
            f'<td class="verdict">{verdict}</td>'
            "</tr>"
        )
    return (
        '<table class="claims"><thead><tr><th>Claim, where it is stated, where its target '
        "comes from</th><th>byhand got</th><th>kind, source</th><th></th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _coverage_table(rows: list[dict[str, Any]]) -> str:
    """One lecture's coverage: slide, item, experiment(s) or the reason it is not reproduced."""
    if not rows:
        return ""
    body = []
    for r in rows:
        if r["status"] == "reproduced":
            how = ", ".join(
                f'<a href="#exp-{_e(n)}"><code>{_e(n)}</code></a>' for n in r["experiments"]
            )
            cls, label = "reproduced", "reproduced"
        elif r["status"] == "not reproduced":
            how, cls, label = _e(r["reason"]), "notrep", "not reproduced"
        elif r["status"] in ("skipped", "failed"):
            names = ", ".join(f"<code>{_e(n)}</code>" for n in r["experiments"])
            how, cls, label = f"{names}: {_e(r['reason'])}", "missing", r["status"]
        else:
            how, cls, label = "no experiment yet", "missing", "missing"
        body.append(
            f"<tr><td>{_e(r['slide'])}{_e(' · ' + r['topic']) if r.get('topic') else ''}</td>"
            f"<td>{_e(r['what'])}</td>"
            f'<td class="status {cls}">{label}</td><td>{how}</td></tr>'
        )
    got = sum(r["status"] == "reproduced" for r in rows)
    return (
        f'<details class="coverage" open><summary>Coverage: {got} of {len(rows)} items of '
        "this lecture reproduced</summary>"
        '<table class="coverage"><thead><tr><th>slide</th><th>worked example, figure or '
        "statement</th><th>status</th><th>experiment(s) or reason</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></details>"
    )


def _data_table(t: dict[str, Any]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in t["header"])
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(format_value(c))}</td>" for c in row) + "</tr>"
        for row in t["rows"]
    )
    title = f"<h4>{_e(t['title'])}</h4>" if t.get("title") else ""
    return (
        f'{title}<div class="tablewrap"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _num(record: dict[str, Any]) -> str:
    return f"#{record['number']} " if record.get("number") else ""


def _experiment(record: dict[str, Any]) -> str:
    num = _num(record)
    parts = [
        f'<article class="exp" id="exp-{_e(record["name"])}">',
        f"<h3>{_e(num)}{_e(record['title'])} {_badge(record)}</h3>",
        f'<div class="meta"><code>byhand reproduce --only {_e(record["name"])}</code> · '
        f"{_e(_lecture_short(record['lecture']))} · {record['seconds']:.2f} s</div>",
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
    parts.append(_claims_table(record["claims"]))
    for f in record["figures"]:
        alt = f["caption"] or record["title"]
        cap = f"<figcaption>{_e(f['caption'])}</figcaption>" if f["caption"] else ""
        parts.append(
            f'<figure><img src="data:image/png;base64,{f["png"]}" alt="{_e(alt)}">{cap}</figure>'
        )
    for t in record["tables"]:
        parts.append(_data_table(t))
    if record["notes"]:
        parts.append(
            '<div class="notes">' + "".join(f"<p>{_e(n)}</p>" for n in record["notes"]) + "</div>"
        )
    if record.get("warnings"):
        items = "".join(f"<li>{_e(w)}</li>" for w in record["warnings"])
        parts.append(
            f'<details class="warnings"><summary>{len(record["warnings"])} warning'
            f"{'s' * (len(record['warnings']) != 1)} raised during the run</summary>"
            f"<ul>{items}</ul></details>"
        )
    parts.append("</article>")
    return "\n".join(parts)


def _lecture_short(lecture: str) -> str:
    return LECTURES[lecture].short if lecture in LECTURES else lecture


def _lecture_title(lecture: str) -> str:
    if lecture in LECTURES:
        return LECTURES[lecture].full
    return lecture


def render(
    records: list[dict[str, Any]],
    meta: dict[str, Any],
    cover: dict[str, list[dict[str, Any]]] | None = None,
) -> str:
    """The report page for the runner's ``records`` (see :mod:`byhand.experiments.runner`) and
    the coverage of each lecture ``cover`` (see :mod:`byhand.experiments.coverage`)."""
    cover = cover or {}
    claims = [c for r in records for c in r["claims"]]
    verdicts = [c.get("verdict", "failed") for c in claims]
    nrep, ndiff, nfail = (verdicts.count(v) for v in ("reproduced", "differs", "failed"))
    sources = [c.get("source", "") for c in claims]
    nlec, nder, nown = (sources.count(v) for v in ("lecture", "derived", "byhand"))
    nerr = sum(r["status"].startswith("error") for r in records)
    nskip = sum(r["status"].startswith("skipped") for r in records)
    lectures: dict[str, list[dict[str, Any]]] = {lec: [] for lec in cover}
    for r in records:
        lectures.setdefault(r["lecture"], []).append(r)
    order = list(LECTURES)
    lectures = dict(
        sorted(lectures.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    )
    covered = sum(r["status"] == "reproduced" for rows in cover.values() for r in rows)
    n_items = sum(len(rows) for rows in cover.values())

    toc = []
    for lec, recs in lectures.items():
        items = "".join(
            f'<li><a href="#exp-{_e(r["name"])}">{_e(_num(r))}{_e(r["title"])}</a> {_badge(r)}</li>'
            for r in recs
        )
        toc.append(
            f'<li><a class="lec" href="#lec-{_e(lec)}">{_e(_lecture_title(lec))}</a>'
            f"<ul>{items}</ul></li>"
        )
    sections = []
    for lec, recs in lectures.items():
        published = f"published: {LECTURES[lec].published}" if lec in LECTURES else ""
        sections.append(
            f'<section class="lecture" id="lec-{_e(lec)}"><h2>{_e(_lecture_title(lec))}</h2>'
            f'<p class="file">{_e(published)}</p>'
            + _coverage_table(cover.get(lec, []))
            + "\n".join(_experiment(r) for r in recs)
            + "</section>"
        )
    mode = "quick" if meta.get("quick") else "full"
    problems = []
    if nfail:
        problems.append(f"{nfail} claim{'s' * (nfail != 1)} fail{'s' * (nfail == 1)}")
    if nerr:
        problems.append(f"{nerr} experiment{'s' * (nerr != 1)} ended with an error")
    if problems:
        verdict = ", ".join(problems)
    elif ndiff:
        verdict = (
            f"{nrep} claims reproduced, {ndiff} differ from the lecture for a stated cause, "
            "none fails"
        )
    else:
        verdict = "every claim reproduced"
    if nskip and not problems:
        verdict += (
            f" ({nskip} experiment{'s' * (nskip != 1)} skipped: "
            f"{'their claims were' if nskip != 1 else 'its claims were'} not run)"
        )
    share = f"{covered}/{n_items}" if n_items else "-"
    stats = [
        (f"{nrep}/{len(claims)}", "claims reproduced", "bad" if nfail else "good"),
        (str(ndiff), "differ (stated cause)", "warn" if ndiff else ""),
        (str(nfail), "failed", "bad" if nfail else ""),
        (f"{nlec} · {nder} · {nown}", "targets: lecture · derived · byhand", ""),
        (share, "lecture items reproduced", ""),
        (str(len(records)), "experiments", ""),
        (str(nerr), "errors", "bad" if nerr else ""),
        (str(nskip), "skipped", "warn" if nskip else ""),
        (f"{meta.get('seconds', 0):.1f} s", "run time", ""),
        (f"{mode} · seed {meta.get('seed', 0)}", "mode", ""),
        (str(meta.get("byhand_version", "")), "byhand version", ""),
    ]
    stat_html = "".join(
        f'<div class="stat {cls}"><b>{_e(v)}</b><span>{_e(k)}</span></div>' for v, k, cls in stats
    )
    shares = " · ".join(
        f"{_lecture_short(lec)}: {sum(r['status'] == 'reproduced' for r in rows)}/{len(rows)}"
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
<b>{_e(verdict)}</b>.</p>
<p>Share of the lectures' worked examples, figures and numeric statements reproduced:
<b>{_e(share)}</b>{(" (" + _e(shares) + ")") if shares else ""}.</p>
<p class="date">{_e(meta.get("date", ""))}</p>
<div class="stats">{stat_html}</div>
</div></header>
<main>
<nav class="toc"><h2>Contents</h2><ol>{"".join(toc)}</ol></nav>
{"".join(sections)}
<footer>Generated by <code>byhand reproduce</code> {_e(meta.get("byhand_version", ""))}.
Claims: <b>exact</b> = an identity checked to floating-point precision; <b>numeric</b> = a number
against a target; <b>qualitative</b> = a comparison or a shape. Targets: <b>lecture</b> = the
lecture's statement and number (quoted); <b>derived</b> = a consequence of the lecture's mathematics
that byhand computes; <b>byhand</b> = a threshold byhand chose (with its reason). Verdicts:
✓ reproduced, ≠ differs from the lecture for the stated cause, ✗ failed.</footer>
</main></body></html>
"""
