"""The report's style sheet: inline in the page, no web font, no script.

Wide screens get the contents as a sticky side column; below 1000 px the contents come first
and a fixed "Contents" button stays in reach; below 640 px the coverage tables stack their
cells and every box drops its side padding, so nothing is wider than a 500 px phone.
"""

CSS = """
:root { --ink:#1d2433; --muted:#5b6475; --line:#dde2ea; --bg:#f6f7fb; --card:#fff;
  --ok:#1a7f4b; --okbg:#e3f5ea; --bad:#b42318; --badbg:#fde8e6; --skip:#8a5a00;
  --skipbg:#fff4d6; --accent:#2e5bba; --der:#5a3e9b; --derbg:#efe9fb; --obs:#6b4f1d;
  --obsbg:#f6efe2; --repbg:#e6eefb; }
* { box-sizing:border-box; }
html { scroll-padding-top:8px; }
body { margin:0; font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
  color:var(--ink); background:var(--bg); overflow-wrap:break-word; }
math { font-family:"STIX Two Math","Latin Modern Math","DejaVu Math TeX Gyre",math;
  font-size:1.05em; }
math[display="block"] { margin:4px 0; max-width:100%; overflow-x:auto; overflow-y:hidden; }
/* a long display formula, cut at its top-level = and \\quad: the pieces wrap as lines */
.mlines { display:flex; flex-wrap:wrap; align-items:baseline; justify-content:center;
  column-gap:.4em; margin:4px 0; max-width:100%; }
.mlines > math[display="block"] { margin:0; }
/* a value box holding a display formula takes the claim's whole width */
.vals > .v:has(math[display="block"]) { grid-column:1 / -1; }
/* a scroll box that can scroll shows it: shadows at the edges that have more (no script) */
.tablewrap {
  background:
    linear-gradient(to right, #fff 30%, rgba(255,255,255,0)) left / 32px 100% no-repeat local,
    linear-gradient(to left, #fff 30%, rgba(255,255,255,0)) right / 32px 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, rgba(20,30,60,.28), transparent)
      left / 12px 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, rgba(20,30,60,.28), transparent)
      right / 12px 100% no-repeat scroll; }
.tex { font-style:italic; }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
code { font:13px/1.4 ui-monospace,"DejaVu Sans Mono",Menlo,monospace; background:#eef1f6;
  padding:1px 5px; border-radius:4px; overflow-wrap:anywhere; }
header.top { background:linear-gradient(120deg,#1f3b73,#2e5bba); color:#fff; padding:24px 0 20px; }
header.top .inner { max-width:1360px; margin:0 auto; padding:0 20px; }
header.top h1 { margin:0 0 6px; font-size:28px; }
header.top p { margin:4px 0; }
header.top p.date { font-size:13px; opacity:.8; }
.stats { display:flex; flex-wrap:wrap; gap:10px; margin-top:14px; }
.stat { background:rgba(255,255,255,.13); border-radius:10px; padding:8px 12px; min-width:0; }
.stat b { display:block; font-size:20px; }
.stat span { font-size:13px; opacity:.9; }
.stat.good { background:rgba(60,200,120,.28); } .stat.bad { background:rgba(240,80,70,.5); }
.stat.warn { background:rgba(250,190,60,.38); }
a.stat { color:#fff; text-decoration:none; box-shadow:inset 0 -2px 0 rgba(255,255,255,.7); }
a.stat:hover, a.stat:focus { text-decoration:none; outline:2px solid #fff; }
a.stat span::after { content:" →"; }
header.top p.skipped { background:rgba(250,190,60,.25); border-radius:8px; padding:6px 10px; }
header.top p.skipped a { color:#fff; text-decoration:underline; }
header.top code { background:rgba(255,255,255,.18); color:#fff; }
ul.problems { margin:4px 0 10px; padding-left:20px; font-size:14px; }
.layout { max-width:1360px; margin:0 auto; padding:0 20px 48px; display:grid;
  grid-template-columns:290px minmax(0,1fr); gap:28px; align-items:start; }
main { min-width:0; }
nav.toc { position:sticky; top:0; max-height:100vh; overflow-y:auto; padding:16px 4px 16px 0;
  font-size:14px; }
nav.toc h2 { margin:4px 0 8px; font-size:17px; }
nav.toc ol { margin:0; padding-left:0; list-style:none; }
nav.toc li { margin:2px 0; }
nav.toc a.lec { font-weight:650; display:block; margin-top:10px; }
nav.toc ul { list-style:none; padding-left:10px; margin:2px 0; }
.mark { font-size:12px; font-weight:700; margin-left:4px; white-space:nowrap; }
.mark.ok { color:var(--ok); } .mark.bad { color:var(--bad); }
.mark.differs, .mark.skip { color:var(--skip); }
a.tocfab, nav.lecexps { display:none; }
section.box, article.exp { background:var(--card); border:1px solid var(--line);
  border-radius:12px; padding:16px 20px; margin:18px 0; box-shadow:0 1px 2px rgba(20,30,60,.05); }
section.box h2 { margin:0 0 8px; font-size:20px; }
.legend { display:grid; grid-template-columns:repeat(auto-fit,minmax(220px,1fr)); gap:4px 24px;
  font-size:14px; }
.legend h3 { font-size:14px; margin:8px 0 4px; color:var(--muted); text-transform:uppercase;
  letter-spacing:.04em; }
.legend p { margin:3px 0; }
table.counts { width:100%; border-collapse:collapse; font-size:14px; margin:6px 0 10px;
  font-variant-numeric:tabular-nums; }
table.counts th, table.counts td { padding:4px 6px; border-bottom:1px solid var(--line);
  text-align:right; }
table.counts th:first-child, table.counts td:first-child { text-align:left; }
section.lecture > h2 { margin:32px 0 6px; font-size:23px; border-bottom:2px solid var(--line);
  padding-bottom:6px; }
p.back { margin:4px 0; font-size:13px; }
section.lecture > p.file { margin:0 0 10px; color:var(--muted); font-size:14px; }
article.exp h3 { margin:0; font-size:19px; }
article.exp .meta { color:var(--muted); font-size:13px; margin:4px 0 8px; }
.runs { font-size:13px; color:var(--muted); margin:0 0 10px; }
.runs code { color:var(--ink); }
.badge { display:inline-block; font-size:13px; font-weight:700; border-radius:999px;
  padding:1px 10px; white-space:nowrap; }
.badge.ok { color:var(--ok); background:var(--okbg); }
.badge.bad { color:var(--bad); background:var(--badbg); }
.badge.skip, .badge.differs { color:var(--skip); background:var(--skipbg); }
.claims { display:flex; flex-direction:column; gap:10px; margin:8px 0 12px; }
.claim { border:1px solid var(--line); border-left:4px solid var(--ok); border-radius:8px;
  padding:8px 12px; }
.claim.v-differs { border-left-color:#d99a00; } .claim.v-failed { border-left-color:var(--bad); }
.chead { display:flex; flex-wrap:wrap; gap:6px; align-items:center; }
.cat { font-size:12px; font-weight:650; border-radius:6px; padding:1px 8px; }
.cat.reproduction { background:var(--repbg); color:var(--accent); }
.cat.derivation { background:var(--derbg); color:var(--der); }
.cat.observation { background:var(--obsbg); color:var(--obs); }
.kind { font-size:12px; color:var(--muted); }
.ctext { margin:6px 0 2px; font-weight:550; }
.src { margin:0; color:var(--muted); font-size:12px; }
blockquote.quote { margin:6px 0; padding:4px 10px; border-left:3px solid #9fb3d9;
  color:#3b4456; font-size:14px; background:#f7f9fc; }
.vals { display:grid; grid-template-columns:repeat(auto-fit,minmax(190px,1fr)); gap:6px;
  margin-top:6px; }
.v { background:#f4f6fa; border-radius:6px; padding:4px 8px; font-size:13px; min-width:0;
  overflow-wrap:anywhere; }
.v.lec, .v.got { font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace; }
.v.lec { background:var(--repbg); } .v.rule { background:#f1f1f4; }
.v .why, .v .detail, .v .origin { display:block; font-family:system-ui,"DejaVu Sans",sans-serif;
  color:var(--muted); font-size:12px; }
.origin.derived { color:var(--der); } .origin.byhand { color:var(--obs); }
.cause { margin:6px 0 0; color:var(--skip); font-size:13px; }
details.coverage { margin:6px 0 14px; }
details.coverage summary { cursor:pointer; font-weight:600; }
table { border-collapse:collapse; width:100%; margin:8px 0 14px; font-size:14px; }
th, td { border-bottom:1px solid var(--line); padding:5px 8px; text-align:left;
  vertical-align:top; }
th { background:#f0f3f8; font-weight:600; }
table.coverage td.status { white-space:nowrap; font-weight:600; }
td.status.reproduced { color:var(--ok); } td.status.failed, td.status.missing { color:var(--bad); }
td.status.differs, td.status.skipped { color:var(--skip); }
td.status.excused, td.status.notrep { color:var(--muted); }
.tablewrap { overflow-x:auto; max-width:100%; }
table.data { width:auto; min-width:50%; font-variant-numeric:tabular-nums; }
table.data td { font-family:ui-monospace,"DejaVu Sans Mono",monospace; font-size:13px;
  white-space:nowrap; }
h4 { margin:14px 0 4px; font-size:15px; }
figure { margin:12px 0; text-align:center; }
figure img { max-width:100%; height:auto; border:1px solid var(--line); border-radius:8px;
  background:#fff; }
figcaption { color:var(--muted); font-size:14px; margin-top:4px; }
.notes p { margin:6px 0; padding:8px 12px; background:#f7f9fc; border-left:3px solid #9fb3d9;
  border-radius:4px; }
div.status { padding:10px 14px; border-radius:8px; margin:8px 0; }
div.status.skip { background:var(--skipbg); color:var(--skip); }
div.status.bad { background:var(--badbg); color:var(--bad); }
pre { white-space:pre-wrap; font-size:12px; background:#1d2433; color:#e8ecf3; padding:12px;
  border-radius:8px; overflow-x:auto; }
details.warnings { color:var(--muted); font-size:13px; margin-top:8px; }
details.warnings li { font-family:ui-monospace,"DejaVu Sans Mono",monospace; font-size:12px; }
footer { color:var(--muted); font-size:13px; text-align:center; margin-top:32px; }
@media (max-width: 999px) {
  .layout { display:block; }
  nav.toc { position:static; max-height:none; overflow:visible; background:var(--card);
    border:1px solid var(--line); border-radius:12px; padding:12px 16px; margin:18px 0; }
  nav.toc > ol { columns:2; column-gap:28px; }
  nav.toc > ol > li { break-inside:avoid; }
  a.tocfab { display:block; position:fixed; right:12px; bottom:12px; z-index:10;
    background:var(--accent); color:#fff; border-radius:999px; padding:8px 14px; font-size:14px;
    font-weight:600; box-shadow:0 2px 6px rgba(20,30,60,.3); }
}
@media (max-width: 640px) {
  body { font-size:15px; }
  header.top .inner, .layout { padding-left:10px; padding-right:10px; }
  header.top h1 { font-size:22px; }
  nav.toc > ol { columns:1; }
  nav.toc ul { display:none; }
  nav.lecexps { display:block; font-size:14px; margin:6px 0 10px; }
  nav.lecexps ol { margin:0; padding-left:0; list-style:none; }
  nav.lecexps li { margin:3px 0; }
  .stats { gap:6px; }
  .stat { padding:5px 9px; }
  .stat b { font-size:16px; }
  .stat span { font-size:12px; }
  section.box, article.exp { padding:12px 10px; }
  .claim { padding:8px 8px; }
  /* the value boxes one per row, so a formula gets the claim's whole width */
  .vals { grid-template-columns:minmax(0,1fr); }
  .v, blockquote.quote { font-size:12.5px; }
  .claim math { font-size:.95em; }
  blockquote.quote { margin:6px 0; padding:4px 6px; }
  table.coverage, table.coverage tbody, table.coverage tr, table.coverage td { display:block;
    width:auto; }
  table.coverage thead { display:none; }
  table.coverage tr { border-bottom:1px solid var(--line); padding:6px 0; }
  table.coverage td { border:0; padding:1px 0; white-space:normal; }
  table.coverage td[data-label]::before { content:attr(data-label) ": "; color:var(--muted);
    font-size:12px; font-weight:400; }
  table.data td, table.data th { padding:4px 5px; font-size:12px; }
}
"""
