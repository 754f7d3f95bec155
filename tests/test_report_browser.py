"""The report opens in a real browser: headless Chromium over the DevTools protocol (pipe).

A small ``--quick`` reproduce is written to a temporary folder, ``index.html`` is loaded in
Debian's ``chromium``; the test checks that every image decoded (``naturalWidth > 0``), that no
console error or exception appeared, and saves a screenshot (``report.png`` in the test's folder,
also copied to ``$BYHAND_SCREENSHOT`` when set). No Python package beyond the standard library:
the DevTools messages travel as NUL-terminated JSON over ``--remote-debugging-pipe`` (fds 3, 4).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from byhand.experiments import ExperimentResult, experiment
from byhand.experiments._registry import unregister
from byhand.experiments.runner import reproduce

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1280,900",
)


def find_chromium() -> str:
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "Chromium not found (looked for chromium, chromium-browser, google-chrome): the report's "
        "browser test needs it. Install it with `apt-get install -y chromium` (.ci/run does)."
    )


class DevTools:
    """A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe``."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_child_r, self._to_child_w = os.pipe()
        self._from_child_r, from_child_w = os.pipe()
        # the browser reads commands on fd 3 and writes replies on fd 4
        hi_r, hi_w = os.dup(to_child_r), os.dup(from_child_w)

        def wire() -> None:
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        self.proc = subprocess.Popen(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,  # runs before close_fds would close 3 and 4, hence:
            close_fds=False,  # Python's own fds are non-inheritable (PEP 446) anyway
        )
        for fd in (to_child_r, from_child_w, hi_r, hi_w):
            os.close(fd)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def _read_message(self, deadline: float) -> dict:
        import select

        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium over the DevTools pipe")
            ready, _, _ = select.select([self._from_child_r], [], [], left)
            if ready:
                chunk = os.read(self._from_child_r, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe (did it crash?)")
                self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(
        self,
        method: str,
        params: dict | None = None,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"DevTools {method} failed: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 30.0) -> dict:
        for i, ev in enumerate(self.events):
            if ev.get("method") == method:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            ev = self._read_message(deadline)
            if ev.get("method") == method:
                return ev
            self.events.append(ev)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_child_w)
        os.close(self._from_child_r)


def open_in_chromium(page: Path, profile: Path, screenshot: Path) -> dict:
    """Load ``page``; return {"images": [...], "errors": [...], "title": str} and save a PNG."""
    tools = DevTools(find_chromium(), profile)
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
        errors = []
        for ev in tools.events:
            method, params = ev.get("method"), ev.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                errors.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                errors.append(f"log: {params['entry'].get('text')} {params['entry'].get('url')}")
        result["errors"] = errors
        result["requests"] = [
            ev["params"]["request"]["url"]
            for ev in tools.events
            if ev.get("method") == "Network.requestWillBeSent"
        ]
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
