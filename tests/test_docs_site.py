"""The documentation site builds, and works opened from disk in a real browser.

The site (``docs/``) is built once per test session, with warnings as errors and every
notebook executed (``BYHAND_DOCS_EXECUTE=force``: no execution cache), from a copy of
``docs/`` in a temporary folder, so the build writes nothing into the repository. Under
pytest-xdist the workers share that one build (a file lock; the first worker builds).

Then: every page with an image and every page of the learning path is opened in Debian's
Chromium from ``file://`` (``tests/_chromium.py``) — the page renders, every image decodes,
the math is typeset, no console error appears and nothing is fetched from a network; every
internal link and image of every page resolves; the search page finds pages from
``file://``; the tutorials download as the notebooks they were built from; every public name
has its API page; and executed outputs show the lectures' own numbers.

Skipped with a reason without the ``docs`` extra (``pip install -e ".[docs]"``; the ``dev``
extra includes it) or without Chromium.
"""

from __future__ import annotations

import fcntl
import importlib
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from _chromium import NO_CHROMIUM, DevTools, chromium_path, page_errors, requested_urls
from conftest import find_mnist

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text()
DOCS_EXTRA = ("sphinx", "myst_nb", "pydata_sphinx_theme", "numpydoc", "sphinx-mathjax-offline")
LECTURE_PAGES = ("cs577-01", "cs577-03", "cs577-04", "ee559-3", "galerne-1")
TUTORIALS = (
    "perceptron",
    "gradient_descent",
    "backprop",
    "own_module",
    "cnn_mnist",
    "sklearn_pipelines",
)
BUILD_TIMEOUT = 900  # seconds; about 1-2 minutes on 2 cores


def _require_docs_extra() -> None:
    missing = [name for name in DOCS_EXTRA if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(
            f"the docs extra is not installed (missing {', '.join(missing)}): "
            "pip install -e '.[docs]' (the dev extra includes it)"
        )


@dataclass
class Site:
    html: Path  # the built site's root folder
    seconds: float  # how long the build took (0 when another worker built it)


def _build(folder: Path) -> tuple[int, float]:
    src = folder / "src"
    shutil.copytree(
        DOCS,
        src / "docs",
        ignore=shutil.ignore_patterns("_build", "generated", "jupyter_execute", "__pycache__"),
    )
    shutil.copy2(ROOT / "CHANGELOG.md", src / "CHANGELOG.md")
    env = {**os.environ, "BYHAND_DOCS_EXECUTE": "force"}
    env.pop("MPLBACKEND", None)  # conftest's Agg; the notebooks pick the inline backend
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "-d",
        str(folder / "doctrees"),
        str(src / "docs"),
        str(folder / "html"),
    ]
    start = time.monotonic()
    with open(folder / "build.log", "w") as log:
        proc = subprocess.run(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, timeout=BUILD_TIMEOUT
        )
    return proc.returncode, time.monotonic() - start


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The site, built once for the whole run (shared by the xdist workers).

    ``BYHAND_DOCS_HTML=folder`` checks a site built beforehand instead (to iterate on these
    tests; CI never sets it).
    """
    _require_docs_extra()
    if os.environ.get("BYHAND_DOCS_HTML"):
        return Site(Path(os.environ["BYHAND_DOCS_HTML"]), 0.0)
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / "docs_site"
    folder.mkdir(exist_ok=True)
    seconds = 0.0
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        status = folder / "status"
        if not status.exists():
            code, seconds = _build(folder)
            status.write_text(str(code))
        code = int(status.read_text())
    if code != 0:
        log = (folder / "build.log").read_text()
        lines = [ln for ln in log.splitlines() if "IPKernelApp" not in ln]
        pytest.fail(
            f"sphinx-build -W --keep-going exited with {code}:\n" + "\n".join(lines[-60:]),
            pytrace=False,
        )
    return Site(folder / "html", seconds)


# --- parsing the built HTML ----------------------------------------------------------------
class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, str]] = []  # (tag, url, classes)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for key in ("id", "name"):
            if a.get(key) and (key == "id" or tag == "a"):
                self.ids.add(a[key])
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "img", "link", "script"):
                self.links.append((tag, a[key], a.get("class", "")))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _pages(html: Path) -> list[Path]:
    skip = {"_sources", "_static"}
    return sorted(p for p in html.rglob("*.html") if not skip & set(p.relative_to(html).parts))


def _is_external(url: str) -> bool:
    return bool(urlsplit(url).scheme) or url.startswith("//")


# --- the build ------------------------------------------------------------------------------
def test_every_page_of_the_learning_path_is_built(site: Site) -> None:
    expected = [
        "index",
        "getting_started",
        "lectures/index",
        *(f"lectures/{p}" for p in LECTURE_PAGES),
        "tutorials/index",
        *(f"tutorials/{t}" for t in TUTORIALS),
        "api/index",
        "internals",
        "architecture",
        "writing_modules",
        "changelog",
        "search",
    ]
    missing = [p for p in expected if not (site.html / f"{p}.html").is_file()]
    assert missing == []
    assert (site.html / "searchindex.js").is_file()
    if site.seconds:
        print(f"docs build: {site.seconds:.0f} s, {len(_pages(site.html))} pages")


def _outputs(html: Path, page: str) -> str:
    """The text of the executed cells' outputs on a page."""
    text = (html / f"{page}.html").read_text(encoding="utf-8")
    blocks = re.findall(
        r'<div class="cell_output docutils container">(.*?)</div>\s*</div>', text, re.S
    )
    return "\n".join(re.sub(r"<[^>]+>", "", b) for b in blocks)


def test_guides_and_tutorials_were_executed_at_build_time(site: Site) -> None:
    for page in (
        "getting_started",
        *(f"lectures/{p}" for p in LECTURE_PAGES),
        *(f"tutorials/{t}" for t in TUTORIALS),
    ):
        out = _outputs(site.html, page)
        assert out.strip(), f"{page}: no executed output"
        assert "Traceback" not in out, f"{page}: an error in the output"
    # the lectures' own numbers, computed during the build
    assert "w = [-0.5]  b = 3.0" in _outputs(site.html, "lectures/cs577-01")  # θ* = [−0.5, 3]
    perceptron = _outputs(site.html, "tutorials/perceptron")
    assert "byhand: [ 2. -1.]  loop: [ 2. -1.]  converged: True" in perceptron  # w = [2, −1]
    assert "XOR accuracy: 1.0" in _outputs(site.html, "getting_started")
    # every {py:...} reference of the learning path reached its API page
    for page in ("getting_started", *(f"lectures/{p}" for p in LECTURE_PAGES), "tutorials/index"):
        text = (site.html / f"{page}.html").read_text(encoding="utf-8")
        refs = re.findall(r'(<a class="reference internal"[^>]*>)?<code class="xref py', text)
        assert all(refs), f"{page}: {refs.count('')} API reference(s) not found"
    for name in TUTORIALS:
        text = (site.html / "tutorials" / f"{name}.html").read_text(encoding="utf-8")
        refs = re.findall(r'(<a class="reference internal"[^>]*>)?<code class="xref py', text)
        assert all(refs), f"tutorials/{name}: {refs.count('')} API reference(s) not found"
    # every lecture page and tutorial but the API-only ones shows a figure
    for page in ("lectures/cs577-01", "lectures/ee559-3", "tutorials/cnn_mnist"):
        text = (site.html / f"{page}.html").read_text(encoding="utf-8")
        assert re.search(r'<img[^>]+src="[^"]*\.png"', text), f"{page}: no figure"


def test_mnist_pages_say_which_data_they_used(site: Site) -> None:
    cnn = _outputs(site.html, "tutorials/cnn_mnist")
    perceptron = _outputs(site.html, "tutorials/perceptron")
    if find_mnist() is None:
        assert "MNIST is not in the data home" in cnn
        assert "MNIST is not in the data home" in perceptron
        assert "8×8 digits" in cnn and "8×8 digits" in perceptron
    else:
        assert "MNIST (2,000 training images of 60,000" in cnn
        assert "MNIST: 12665 training and 2115 test images" in perceptron


def test_tutorials_download_as_the_notebooks_they_were_built_from(site: Site) -> None:
    for name in TUTORIALS:
        page = site.html / "tutorials" / f"{name}.html"
        hrefs = [u for tag, u, _ in _parse(page).links if tag == "a" and u.endswith(".ipynb")]
        assert hrefs, f"{name}: no .ipynb download link"
        downloaded = json.loads((page.parent / unquote(hrefs[0])).read_text())
        source = json.loads((DOCS / "tutorials" / f"{name}.ipynb").read_text())
        assert downloaded["nbformat"] == 4
        assert [c["source"] for c in downloaded["cells"]] == [c["source"] for c in source["cells"]]


def _documented_modules() -> list[str]:
    index = (DOCS / "api" / "index.md").read_text()
    block = index.split(".. autosummary::", 1)[1].split("```", 1)[0]
    return [ln.strip() for ln in block.splitlines() if ln.strip().startswith("byhand")]


def _public_names(module: object) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:  # no __all__: the functions and classes the module defines
        names = [
            n
            for n, obj in vars(module).items()
            if not n.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__
        ]
    return [n for n in names if not n.startswith("__")]


def test_every_public_name_has_an_api_page(site: Site) -> None:
    import byhand

    modules = _documented_modules()
    assert {f"byhand.{ns}" for ns in byhand._NAMESPACES} <= set(modules)
    assert {"byhand", "byhand.plotting", "byhand.io"} <= set(modules)
    generated = site.html / "api" / "generated"
    missing = []
    count = 0
    for name in modules:
        module = importlib.import_module(name)
        assert (generated / f"{name}.html").is_file(), name
        for member in _public_names(module):
            # byhand.gradcheck is a function even where importing the submodule of the same
            # name rebound the attribute to the module
            exported = name == "byhand" and member in byhand._EXPORTS
            if inspect.ismodule(getattr(module, member)) and not exported:
                assert f"{name}.{member}" in modules, f"{name}.{member} is not in the API index"
                continue
            count += 1
            anchor = f'id="{name}.{member}"'
            page = generated / f"{name}.{member}.html"
            if page.is_file() and anchor in page.read_text("utf-8"):
                continue
            if anchor not in (generated / f"{name}.html").read_text("utf-8"):  # a constant
                missing.append(f"{name}.{member}")
    assert missing == []
    assert count >= 52  # the public names of issue 22, and more


def test_every_internal_link_and_image_resolves(site: Site) -> None:
    from byhand.experiments import registry

    experiments = set(registry())
    parsed = {p: _parse(p) for p in _pages(site.html)}
    broken, report_links = [], 0
    for page, info in parsed.items():
        for tag, url, classes in info.links:
            if _is_external(url) or url.startswith("mailto:"):
                continue
            parts = urlsplit(url)
            if "report-link" in classes.split():
                # into the report of `byhand reproduce --out report` at the clone's root
                report_links += 1
                ups = parts.path.count("../")
                depth = len(page.relative_to(site.html).parts) - 1
                assert parts.path == "../" * ups + "report/index.html", url
                assert ups - depth == 3, url  # html/ -> _build/ -> docs/ -> the clone
                assert parts.fragment.removeprefix("exp-") in experiments, url
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.exists():
                broken.append(f"{page.relative_to(site.html)}: {tag} {url}")
            elif parts.fragment and target.suffix == ".html" and target in parsed:
                if unquote(parts.fragment) not in parsed[target].ids:
                    broken.append(f"{page.relative_to(site.html)}: {url} (no such anchor)")
    assert broken == []
    assert report_links >= 51  # every experiment of the report is linked from a guide


def test_the_readme_gives_the_build_command_and_ci_runs_it() -> None:
    lines = README.splitlines()
    command = lines[lines.index("# build the docs") + 1]
    assert command.startswith("python3 -m venv .venv && .venv/bin/pip install")
    assert '".[docs]"' in command
    assert "sphinx-build -W --keep-going -b html docs docs/_build/html" in command
    ci = (ROOT / ".ci" / "run").read_text()
    assert "grep -A1 '^# build the docs$' README.md" in ci
    # the test command's dev extra brings the docs extra, so CI runs this file's tests
    pyproject = (ROOT / "pyproject.toml").read_text()
    dev = pyproject.split("dev = [", 1)[1].split("]\n", 1)[0]
    assert '"byhand[docs]"' in dev


def _slide_line(lines: list[str], title: str) -> int:
    """The index of the first transcript line that is (or starts with) a slide title."""
    want = _norm(title)
    return next((i for i, ln in enumerate(lines) if ln == want or ln.startswith(want)), -1)


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip().lstrip("#").strip().lower()


CITATION = r'\(slides? ((?:"[^"]+"(?:, )?)+)\)'


@pytest.mark.transcripts
@pytest.mark.parametrize("lecture", ["cs577-01", "cs577-03", "cs577-04", "galerne-1"])
def test_guides_cite_real_slides_in_the_lectures_order(lecture: str) -> None:
    import _transcripts

    raw = _transcripts.transcript_path(lecture).read_text()
    lines = [_norm(ln) for ln in raw.splitlines()]
    guide = (DOCS / "lectures" / f"{lecture}.md").read_text()
    cited = [t for block in re.findall(CITATION, guide) for t in re.findall(r'"([^"]+)"', block)]
    assert len(cited) >= 5
    assert [t for t in cited if _norm(t) not in _norm(raw)] == []
    order = []
    for heading in re.findall(r"^## .*$", guide, re.M):
        found = re.search(CITATION, heading)
        if found:
            order.append(_slide_line(lines, re.findall(r'"([^"]+)"', found.group(1))[0]))
    assert -1 not in order and order == sorted(order), order


def test_the_ee559_guide_follows_sections_3_1_to_3_6() -> None:
    guide = (DOCS / "lectures" / "ee559-3.md").read_text()
    numbers = re.findall(r"^## (3\.\d)", guide, re.M)
    assert numbers == sorted(numbers) and set(numbers) == {f"3.{i}" for i in range(1, 7)}


# --- in the browser -------------------------------------------------------------------------
WAIT_MATH = (
    "(window.MathJax && MathJax.startup && MathJax.startup.promise)"
    " ? MathJax.startup.promise.then(() => true) : Promise.resolve(false)"
)
INSPECT = """JSON.stringify({
  title: document.title,
  h1: (document.querySelector("main h1, article h1") || {}).textContent || "",
  text: (document.querySelector("main") || document.body).innerText.length,
  images: Array.from(document.images).map(i => ({src: i.getAttribute("src"),
    complete: i.complete, w: i.naturalWidth, h: i.naturalHeight})),
  math: document.querySelectorAll(".math").length,
  typeset: document.querySelectorAll(".math mjx-container").length,
  mathErrors: document.querySelectorAll("mjx-merror").length,
})"""


class Browser:
    def __init__(self, profile: Path) -> None:
        binary = chromium_path()
        if binary is None:
            pytest.skip(NO_CHROMIUM)
        self.tools = DevTools(binary, profile)
        targets = self.tools.send("Target.getTargets")["targetInfos"]
        target = next(t for t in targets if t["type"] == "page")
        self.session = self.tools.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.tools.send(f"{domain}.enable", session=self.session)

    def open(self, url: str) -> None:
        self.tools.events.clear()
        self.tools.send("Page.navigate", {"url": url}, session=self.session)
        self.tools.wait_event("Page.loadEventFired", timeout=60)

    def evaluate(self, expression: str, promise: bool = False) -> object:
        reply = self.tools.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": promise},
            session=self.session,
            timeout=60,
        )
        return reply["result"].get("value")

    def close(self) -> None:
        self.tools.close()


@pytest.fixture
def browser(site: Site, tmp_path: Path):
    b = Browser(tmp_path / "profile")
    try:
        yield b
    finally:
        b.close()


def test_pages_render_in_chromium_from_disk(site: Site, browser: Browser) -> None:
    pages = {
        site.html / f"{p}.html"
        for p in (
            "index",
            "getting_started",
            "lectures/index",
            "tutorials/index",
            "api/index",
            "internals",
            "architecture",
            "changelog",
            "api/generated/byhand.Perceptron",
            "api/generated/byhand.nn.Linear",
        )
    }
    pages |= {p for p in _pages(site.html) if "<img" in p.read_text("utf-8")}
    assert len(pages) >= 20
    images = 0
    problems = []
    for page in sorted(pages):
        name = str(page.relative_to(site.html))
        browser.open(page.as_uri())
        browser.evaluate(WAIT_MATH, promise=True)
        info = json.loads(str(browser.evaluate(INSPECT)))
        browser.evaluate("1")  # let the events of the page arrive
        if not info["title"] or info["text"] < 200:
            problems.append(f"{name}: empty page ({info['title']!r}, {info['text']} chars)")
        for img in info["images"]:
            images += 1
            if not (img["complete"] and img["w"] > 0 and img["h"] > 0):
                problems.append(f"{name}: image not loaded {img['src']}")
        if info["typeset"] < info["math"] or info["mathErrors"]:
            problems.append(f"{name}: math {info['typeset']}/{info['math']} typeset")
        problems += [f"{name}: {e}" for e in page_errors(browser.tools.events)]
        offsite = [
            u
            for u in requested_urls(browser.tools.events)
            if not u.startswith(("file:", "data:", "blob:"))
        ]
        problems += [f"{name}: fetched {u}" for u in offsite]
    assert problems == []
    assert images >= 15  # the figures of the guides and tutorials
    # the lecture guides typeset their formulas
    browser.open((site.html / "lectures" / "cs577-01.html").as_uri())
    browser.evaluate(WAIT_MATH, promise=True)
    info = json.loads(str(browser.evaluate(INSPECT)))
    assert info["math"] >= 5 and info["typeset"] == info["math"]


def _search(browser: Browser, search_page: Path, query: str) -> list[str]:
    browser.open(f"{search_page.as_uri()}?q={query}")
    hrefs: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = browser.evaluate(
            "JSON.stringify({done: (document.querySelector('#search-results .search-summary')"
            " || {}).textContent || '', hrefs: Array.from(document.querySelectorAll("
            "'#search-results li a')).map(a => a.getAttribute('href'))})"
        )
        state = json.loads(str(found))
        hrefs = state["hrefs"]
        if state["done"].strip():  # "Search finished, found N pages" or "did not match"
            break
        time.sleep(0.2)
    return hrefs


def test_search_works_from_disk(site: Site, browser: Browser) -> None:
    search = site.html / "search.html"
    hits = _search(browser, search, "gradcheck")
    assert any("byhand.gradcheck" in h for h in hits), hits
    assert any("tutorials/backprop" in h for h in hits), hits
    hits = _search(browser, search, "perceptron")
    assert any("tutorials/perceptron" in h for h in hits), hits
    assert any("byhand.Perceptron" in h for h in hits), hits
    assert not _search(browser, search, "qwxzjkvq")  # a word that is nowhere finds nothing
