"""The report opens in a real browser: headless Chromium over the DevTools protocol (pipe).

A small ``--quick`` reproduce is written to a temporary folder, ``index.html`` is loaded in
Debian's ``chromium``; the test checks that every image decoded (``naturalWidth > 0``), that no
console error or exception appeared, and saves a screenshot (``report.png`` in the test's folder,
also copied to ``$BYHAND_SCREENSHOT`` when set). The DevTools client is ``tests/_chromium.py``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path

import pytest

from _chromium import NO_CHROMIUM, DevTools, chromium_path, page_errors, requested_urls
from byhand.experiments import ExperimentResult, experiment
from byhand.experiments._registry import unregister
from byhand.experiments.runner import reproduce


def open_in_chromium(page: Path, profile: Path, screenshot: Path) -> dict:
    """Load ``page``; return {"images": [...], "errors": [...], "title": str} and save a PNG."""
    binary = chromium_path()
    if binary is None:
        pytest.fail(f"{NO_CHROMIUM}: the report's browser test needs it.")
    tools = DevTools(binary, profile)
    try:
        targets = tools.send("Target.getTargets")["targetInfos"]
        target = next(t for t in targets if t["type"] == "page")
        session = tools.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.send(f"{domain}.enable", session=session)
        tools.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
        tools.wait_event("Page.loadEventFired", timeout=60)
        checks = tools.send(
            "Runtime.evaluate",
            {
                "expression": (
                    "JSON.stringify({title: document.title,"
                    " images: Array.from(document.images).map(i => ({complete: i.complete,"
                    " w: i.naturalWidth, h: i.naturalHeight, alt: i.alt})),"
                    " height: document.documentElement.scrollHeight})"
                ),
                "returnByValue": True,
            },
            session=session,
        )
        result = json.loads(checks["result"]["value"])
        shot = tools.send(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": False},
            session=session,
        )
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        full = tools.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": 1280,
                    "height": min(result["height"], 6000),
                    "scale": 0.5,
                },
            },
            session=session,
        )
        screenshot.with_name("report_full.png").write_bytes(base64.b64decode(full["data"]))
        # drain what arrived meanwhile, then collect the errors
        tools.send("Runtime.evaluate", {"expression": "1"}, session=session)
        result["errors"] = page_errors(tools.events)
        result["requests"] = requested_urls(tools.events)
        return result
    finally:
        tools.close()


@pytest.fixture
def small_report(tmp_path: Path) -> tuple[Path, int]:
    """A --quick reproduce of two real experiments and a throw-away one failing a claim."""
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

    out = tmp_path / "report"
    try:
        code = reproduce(
            only=["tlu-logic", "universal-approximation", "browser-fail"], out=out, quick=True
        )
    finally:
        unregister("browser-fail")
    assert code == 1
    doc = json.loads((out / "results.json").read_text())
    n_figures = sum(len(e["figures"]) for e in doc["experiments"])
    return out / "index.html", n_figures


def test_report_opens_in_chromium(small_report: tuple[Path, int], tmp_path: Path) -> None:
    page, n_figures = small_report
    shot = tmp_path / "report.png"
    result = open_in_chromium(page, tmp_path / "profile", shot)
    if os.environ.get("BYHAND_SCREENSHOT"):
        shutil.copy(shot, os.environ["BYHAND_SCREENSHOT"])
    assert result["title"].startswith("byhand")
    assert n_figures >= 2
    assert len(result["images"]) == n_figures
    for img in result["images"]:
        assert img["complete"] and img["w"] > 0 and img["h"] > 0, img
    assert result["errors"] == []
    # self-contained: only the page itself and data: URIs are loaded, nothing from a network
    assert result["requests"], "the DevTools Network domain saw no request at all"
    offsite = [u for u in result["requests"] if not u.startswith(("file:", "data:"))]
    assert offsite == []
    assert shot.stat().st_size > 10_000  # a real picture, not a blank page
