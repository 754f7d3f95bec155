"""The report in a real browser: headless Chromium over the DevTools protocol (pipe).

A small ``--quick`` reproduce (real experiments whose lecture quotes hold matrices, cases and
fractions, plus throw-away ones: a failing claim, a skipped experiment, a wide table, TeX in
every field) is written to a temporary folder and loaded in Debian's ``chromium`` at 500 px
and at 1280 px. The tests check what a reader meets: no raw TeX in the rendered text
(``document.body.innerText``) and the formulas laid out as MathML, no horizontal overflow at
500 px (``scrollWidth <= 500``), every image decoded (``naturalWidth > 0``), every "↑ contents"
link of every section landing on the contents, the contents reachable from anywhere (a sticky
side column wide, a fixed button narrow), no console error and nothing fetched from a network.
Screenshots at both widths are saved in the test's folder and, when ``$BYHAND_SCREENSHOT`` names
a folder, copied there. No Python package beyond the standard library: the DevTools messages
travel as NUL-terminated JSON over ``--remote-debugging-pipe`` (fds 3, 4). Without Chromium the
tests are skipped with the reason (failed under ``BYHAND_REQUIRE_DATA=1``, as in CI).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import conftest
from _chromium import DevTools, chromium_path
from byhand.experiments import ExperimentResult, experiment
from byhand.experiments._registry import unregister
from byhand.experiments.runner import reproduce


def find_chromium() -> str:
    path = chromium_path()
    if path:
        return path
    conftest.missing_data(
        "Chromium not found (looked for chromium, chromium-browser, google-chrome): the report's "
        "browser tests need it. Install it with `apt-get install -y chromium` (.ci/run does)."
    )
    raise AssertionError("unreachable")


class Page:
    """One browser tab on the report: load at a width, evaluate JavaScript, take screenshots."""

    def __init__(self, tools: DevTools, url: str) -> None:
        self.tools, self.url = tools, url
        target = next(
            t for t in tools.send("Target.getTargets")["targetInfos"] if t["type"] == "page"
        )
        self.session = tools.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.send(f"{domain}.enable", session=self.session)
        self.width = 0

    def load(self, width: int) -> None:
        """Show the page in a window ``width`` px wide (a fresh load when the width changes)."""
        if width == self.width:
            return
        self.tools.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            session=self.session,
        )
        self.tools.send("Page.navigate", {"url": self.url}, session=self.session)
        self.tools.wait_event("Page.loadEventFired", timeout=60)
        self.width = width

    def js(self, expression: str):
        """The JSON value of ``expression`` evaluated in the page."""
        reply = self.tools.send(
            "Runtime.evaluate",
            {"expression": f"JSON.stringify({expression})", "returnByValue": True},
            session=self.session,
        )
        if "exceptionDetails" in reply:
            raise AssertionError(f"JavaScript failed: {reply['exceptionDetails']}")
        return json.loads(reply["result"]["value"])

    def screenshot(self, path: Path, height: int = 2400, at: str = "") -> Path:
        """A PNG at the current width: the page's top ``height`` px, or, with a CSS selector
        ``at``, the window scrolled to that element (sticky and fixed parts as a reader sees
        them there)."""
        if at:
            self.js(f"document.querySelector({json.dumps(at)}).scrollIntoView()")
            clip = None
        else:
            self.js("window.scrollTo(0, 0)")
            total = self.js("document.documentElement.scrollHeight")
            clip = {"x": 0, "y": 0, "width": self.width, "height": min(total, height), "scale": 1}
        params = {"format": "png", "captureBeyondViewport": clip is not None}
        if clip:
            params["clip"] = clip
        shot = self.tools.send("Page.captureScreenshot", params, session=self.session)
        path.write_bytes(base64.b64decode(shot["data"]))
        if os.environ.get("BYHAND_SCREENSHOT"):
            folder = Path(os.environ["BYHAND_SCREENSHOT"])
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, folder / path.name)
        return path


# quotes with pmatrix, cases, \frac; closed-form and hand-gradients hold the formulas that a
# reader found squeezed into scrolling boxes at 500 px (#1's value boxes, #9's long quotes)
REAL = ["tlu-logic", "xor-network", "max-likelihood", "closed-form", "hand-gradients"]
THROWAWAY = ["browser-fail", "browser-tex", "browser-mnist"]
# formulas as the lectures write them (CS 577 Lecture 01 and 04, EE-559 3.6, Galerne)
TEX_QUOTE = (
    r"$$\begin{aligned} N \cdot J(\theta) &= \sum_{i=1}^N (y_i - (\omega x_i + b))^2 \\ "
    r"&= \|\mathbf{y} - \tilde{\mathbf{X}}\theta\|^2 \end{aligned}$$"
)
BARE_TEX_QUOTE = r"\left[ \frac{\partial \ell}{\partial w^{(l)}} \right] = (x^{(l-1)})^T"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A --quick reproduce of five real experiments and three throw-away ones."""
    lecture = "galerne-1"

    @experiment("browser-fail", title="A failing <claim> & notes", lecture=lecture, number=902)
    def fail(seed: int, quick: bool) -> ExperimentResult:
        res = ExperimentResult()
        res.claim(
            lecture,
            "Activation functions",
            "1 + 1 = 3",
            1 + 1,
            1 + 1 == 3,
            kind="numeric",
            target=3,
            source="byhand",
            reason="a test",
        )
        res.table("trace", ["t", "w"], [[0, [0.0, 0.0]], [1, [1.5, -2.0]]])
        res.note("A note with <b>markup</b> that must be shown as text.")
        return res

    @experiment(
        "browser-tex", title=r"TeX in every field: $\frac{1}{2}$", lecture="cs577-01", number=903
    )
    def tex(seed: int, quick: bool) -> ExperimentResult:
        res = ExperimentResult()
        res.claim(
            "cs577-01",
            "Linear regression (1-dimensional samples)",
            r"the cost is $\frac{1}{N}\|\mathbf{y} - \tilde{\mathbf{X}}\theta\|^2$",
            list(range(40)),  # a long value: it must wrap, not widen the page
            True,
            target=[-0.5, 3.0],
            detail=r"checked with $\nabla J(\theta^*) = 0$",
            source="lecture",
            quote=TEX_QUOTE,
        )
        res.claim(
            "ee559-3",
            "3.6. Back-propagation",
            "the backward pass in tensorial form",
            True,
            True,
            kind="qualitative",
            source="lecture",
            quote=BARE_TEX_QUOTE,
        )
        res.table(
            r"A wide table: $\theta_k$ for $k = 1 \dots 12$",
            [f"θ_{k}" for k in range(12)],
            [[1e-7 * (k + 1) for k in range(12)] for _ in range(3)],
        )
        res.note(r"A note with $$\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}$$ in it.")
        return res

    @experiment(
        "browser-mnist", title="Needs MNIST", lecture="ee559-3", number=904, needs_mnist=True
    )
    def mnist(seed: int, quick: bool) -> ExperimentResult:
        raise AssertionError("skipped before it runs")

    out = tmp_path_factory.mktemp("browser") / "report"
    empty = out.parent / "no-data"
    empty.mkdir()
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("BYHAND_DATA", str(empty))
            code = reproduce(only=REAL + THROWAWAY, out=out, quick=True)
    finally:
        for name in THROWAWAY:
            unregister(name)
    assert code == 1  # browser-fail fails its claim
    return out / "index.html", json.loads((out / "results.json").read_text())


@pytest.fixture(scope="module")
def page(report: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    tools = DevTools(find_chromium(), tmp_path_factory.mktemp("profile"))
    try:
        yield Page(tools, report[0].resolve().as_uri())
    finally:
        tools.close()


WIDTHS = [500, 1280]


def test_report_opens_in_chromium_images_load_nothing_fetched(page, report, tmp_path):
    doc = report[1]
    n_figures = sum(len(e["figures"]) for e in doc["experiments"])
    page.load(1280)
    assert page.js("document.title").startswith("byhand")
    images = page.js(
        "Array.from(document.images).map(i => ({complete: i.complete, w: i.naturalWidth,"
        " h: i.naturalHeight, alt: i.alt}))"
    )
    assert n_figures >= 3 and len(images) == n_figures
    for img in images:
        assert img["complete"] and img["w"] > 0 and img["h"] > 0, img
    shot = page.screenshot(tmp_path / "report-1280.png")
    assert shot.stat().st_size > 10_000  # a real picture, not a blank page
    page.screenshot(tmp_path / "report-1280-claims.png", at="#exp-browser-tex")
    page.js("1")  # let pending events arrive
    errors, requests = [], []
    for ev in page.tools.events:
        method, params = ev.get("method"), ev.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(f"console.{params['type']}: {params.get('args')}")
        elif method == "Runtime.exceptionThrown":
            errors.append(f"exception: {params.get('exceptionDetails')}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            errors.append(f"log: {params['entry'].get('text')} {params['entry'].get('url')}")
        elif method == "Network.requestWillBeSent":
            requests.append(params["request"]["url"])
    assert errors == []
    # self-contained: only the page itself and data: URIs are loaded, nothing from a network
    assert requests, "the DevTools Network domain saw no request at all"
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_no_raw_tex_in_the_rendered_text_and_formulas_laid_out(page, report, width):
    page.load(width)
    text = page.js("document.body.innerText")
    for raw in ("$$", "\\begin", "\\end", "\\frac", "\\mathbf", "\\left", "\\sum", "\\|"):
        assert raw not in text, (raw, text[max(0, text.find(raw) - 200) : text.find(raw) + 200])
    n_math = report[0].read_text(encoding="utf-8").count("<math")
    laid_out = page.js(
        "Array.from(document.querySelectorAll('math')).map(m => {const r ="
        " m.getBoundingClientRect(); return [getComputedStyle(m).display, r.width, r.height,"
        " m.checkVisibility()]})"
    )
    assert len(laid_out) == n_math
    # the browser lays them out as MathML (display "block math", inline "math"); each one
    # outside a hidden part (the narrow-screen lists of experiments) has a size
    assert {d for d, _, _, _ in laid_out} == {"block math", "math"}
    shown = [(w, h) for _, w, h, visible in laid_out if visible]
    assert len(shown) >= 10 and all(w > 0 and h > 0 for w, h in shown)
    # a typeset fraction stands taller than a line of text: it is not flattened into one line
    frac = page.js(
        "Math.max(...Array.from(document.querySelectorAll('mfrac'))"
        ".map(f => f.getBoundingClientRect().height))"
    )
    line = page.js("parseFloat(getComputedStyle(document.body).lineHeight)")
    assert frac > line


def test_nothing_is_wider_than_a_500px_window(page, tmp_path):
    page.load(500)
    page.screenshot(tmp_path / "report-500.png")
    page.screenshot(tmp_path / "report-500-claims.png", at="#exp-browser-tex")
    wide = page.js(
        "Array.from(document.querySelectorAll('body *')).filter(e => {const r ="
        " e.getBoundingClientRect(); return r.right > 500.5 && r.width > 0"
        " && getComputedStyle(e).position !== 'fixed'}).filter(e => !e.closest('.tablewrap'))"
        ".slice(0, 8).map(e => e.tagName + '.' + e.className + ': ' +"
        " Math.round(e.getBoundingClientRect().right))"
    )
    assert page.js("document.documentElement.scrollWidth") <= 500, wide
    assert wide == []
    # coverage tables stack their cells; wide data tables scroll inside their own box
    assert (
        page.js("getComputedStyle(document.querySelector('table.coverage td')).display") == "block"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_every_section_links_back_to_the_contents_and_the_link_works(page, width):
    page.load(width)
    result = page.js(
        """(() => {
  const contents = document.getElementById('contents');
  const sections = Array.from(
    document.querySelectorAll('section.lecture, article.exp, section.box'));
  const out = {sections: sections.length, missing: [], landed: []};
  for (const s of sections) {
    const a = Array.from(s.querySelectorAll('a[href="#contents"]'))
      .find(x => x.closest('section, article') === s);
    if (!a) { out.missing.push(s.id); continue; }
    history.replaceState(null, '', '#');
    a.scrollIntoView();
    a.click();
    const top = contents.getBoundingClientRect().top;
    out.landed.push([s.id, location.hash, Math.round(top)]);
  }
  return out;
})()"""
    )
    assert result["sections"] >= 3 + 6 + 1 and result["missing"] == []
    for sid, hash_, top in result["landed"]:
        assert hash_ == "#contents" and 0 <= top <= 10, (sid, hash_, top)
    # every link of the contents reaches an element of the page
    dangling = page.js(
        "Array.from(document.querySelectorAll('a[href^=\"#\"]')).map(a => a.getAttribute('href'))"
        ".filter(h => h.length > 1 && !document.getElementById(h.slice(1)))"
    )
    assert dangling == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_contents_stay_reachable_far_down_the_page(page, width):
    page.load(width)
    page.js("window.scrollTo(0, document.documentElement.scrollHeight)")
    seen = page.js(
        """(() => {
  const visible = e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return s.display !== 'none' && s.visibility !== 'hidden' && r.bottom > 0 && r.top < innerHeight
      && r.width > 0; };
  return {toc: visible(document.getElementById('contents')),
          button: visible(document.querySelector('a.tocfab'))};
})()"""
    )
    # wide: the contents column is sticky; narrow: a fixed "Contents" button
    assert seen == (
        {"toc": True, "button": False} if width > 1000 else {"toc": False, "button": True}
    )


def test_header_counts_honestly_when_something_was_skipped_or_failed(page, report):
    page.load(1280)
    header = page.js("document.querySelector('header.top').innerText")
    summary = report[1]["summary"]
    assert "every claim reproduced" not in header and "all " not in header.split("\n")[1]
    assert "1 experiment skipped" in header and "1 claim failed" in header
    total = summary["claims_total"]
    differs = sum(c["verdict"] == "differs" for c in report[1]["claims"])
    assert f"{total - summary['claims_failed'] - differs} of {total} claims reproduced" in header


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_inside_a_claim_scrolls_and_scrolling_tables_show_a_cue(page, width):
    """Inside a claim no box is narrower than its content (a formula squeezed into a box that
    scrolls with no cue); the data tables that scroll on purpose show shadows at the edges."""
    page.load(width)
    clipped = page.js(
        "Array.from(document.querySelectorAll('.claim, .claim *')).filter(e =>"
        " e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1 && !e.closest('.tablewrap'))"
        ".map(e => (e.closest('article') || {}).id + ' ' + e.tagName + ' ' +"
        " e.scrollWidth + '>' + e.clientWidth)"
    )
    assert page.js("document.querySelectorAll('.claim math').length") >= 20
    assert clipped == []
    cues = page.js(
        "Array.from(document.querySelectorAll('.tablewrap')).filter(e =>"
        " e.scrollWidth > e.clientWidth + 1).map(e => getComputedStyle(e).backgroundImage)"
    )
    if width == 500:
        assert cues, "the wide table of browser-tex scrolls at 500 px"
    assert all(c.count("gradient(") >= 4 for c in cues), cues


def test_value_boxes_stack_one_per_row_on_a_narrow_screen(page):
    page.load(500)
    rows = page.js(
        "Array.from(document.querySelectorAll('.vals')).map(v => new Set(Array.from(v.children)"
        ".map(c => Math.round(c.getBoundingClientRect().left))).size)"
    )
    assert rows and set(rows) == {1}


def test_header_says_why_experiments_were_skipped_and_its_tiles_link_to_the_lists(page):
    page.load(1280)
    skipped = page.js("document.querySelector('header.top p.skipped').innerText")
    assert "1 experiment skipped: MNIST not found" in skipped
    assert "Needs MNIST" in skipped and "byhand datasets --fetch mnist" in skipped
    links = page.js(
        "Array.from(document.querySelectorAll('header.top a.stat')).map(a => [a.innerText,"
        " a.getAttribute('href'), (document.querySelector(a.getAttribute('href')) || {}).innerText"
        " || ''])"
    )
    hrefs = {h for _, h, _ in links}
    assert {"#list-failed", "#list-skipped"} <= hrefs
    for _text, href, target in links:
        assert target, href  # the list exists on the page
    failed = page.js("document.querySelector('#list-failed a').getAttribute('href')")
    assert page.js(f"document.querySelector('{failed}').innerText").count("1 + 1 = 3") == 1
