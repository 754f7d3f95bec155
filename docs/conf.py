"""Sphinx configuration of byhand's documentation site.

Build: ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (the README gives the one
command that also makes the environment). The lecture guides (MyST markdown notebooks) and the
tutorials (``.ipynb``) are executed at build time by MyST-NB; ``BYHAND_DOCS_EXECUTE`` picks
MyST-NB's execution mode: ``cache`` (the default: a notebook reruns only when its code changed)
or ``force`` (CI and ``tests/test_docs_site.py``: everything runs).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import shutil
from pathlib import Path

# The notebooks run one after another: BLAS on one thread each (on a shared 2-core machine a
# second BLAS thread made the CNN tutorial's epoch 5x slower, not faster).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from docutils import nodes  # noqa: E402

import byhand  # noqa: E402
from byhand.experiments import registry as _experiment_registry  # noqa: E402

HERE = Path(__file__).resolve().parent


project = "byhand"
author = "the byhand authors"
copyright = "2026, the byhand authors"
release = version = byhand.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints"]
templates_path = ["_templates"]
root_doc = "index"

# --- API reference: autosummary over each public module, numpydoc docstrings ---------------
autosummary_generate = True
autosummary_ignore_module_all = False  # a module's __all__ is its public API
autosummary_imported_members = True  # byhand re-exports its estimators from private modules
autodoc_typehints = "none"  # the numpydoc Parameters section says the types
autodoc_member_order = "bysource"


def _constants() -> dict[str, list[str]]:
    """Per public module, the names of its __all__ that are data (byhand.io.FORMAT_VERSION,
    byhand.lectures.LECTURES): the module template documents them with autodata."""
    out = {}
    for name in API_MODULES:
        module = importlib.import_module(name)
        out[name] = [
            n
            for n in getattr(module, "__all__", ())
            if not n.startswith("_")
            and not callable(getattr(module, n))
            and not inspect.ismodule(getattr(module, n))
        ]
    return out


API_MODULES = re.findall(r"^   (byhand[\w.]*)$", (HERE / "api" / "index.md").read_text(), re.M)
autosummary_context = {"constants_of": _constants()}
numpydoc_show_class_members = False  # the class template lists the members instead
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# --- MyST and MyST-NB ------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = os.environ.get("BYHAND_DOCS_EXECUTE", "cache")
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_timeout = 300
nb_execution_raise_on_error = True  # a cell that fails fails the build
nb_execution_show_tb = True
nb_merge_streams = True

# --- HTML: the PyData theme, working offline and from file:// --------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"byhand {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
# the theme's light/dark switch starts from "auto" (left empty, a first visit logs an error)
html_context = {"default_mode": "auto"}
html_show_sourcelink = True
html_copy_source = True

# MathJax is served from the site itself (an offline copy shipped by sphinx-mathjax-offline),
# as SVG so that no web font is fetched: the site reads the same from disk as from a server.
mathjax_path = "mathjax/tex-svg.js"


def _copy_mathjax(app, exc) -> None:
    if exc is not None or app.builder.format != "html":
        return
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise RuntimeError("sphinx-mathjax-offline is missing: pip install -e '.[docs]'")
    source = Path(spec.origin).parent / "static" / "mathjax"
    target = Path(app.outdir) / "_static" / "mathjax"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "tex-svg.js", target / "tex-svg.js")
    # the components tex-svg.js loads on demand (\boldsymbol, \operatorname, menus, ...)
    for sub in ("input/tex/extensions", "ui", "a11y", "sre"):
        if (source / sub).is_dir():
            shutil.copytree(source / sub, target / sub, dirs_exist_ok=True)


# --- :report:`experiment-name`: a link into the HTML report of ``byhand reproduce`` ----------
# The report is not part of the site: ``byhand reproduce --out report`` at the clone's root
# writes report/index.html, which these links reach relatively from docs/_build/html/.
REPORT_FROM_HTML_ROOT = "../../../report/index.html"


def _report_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    env = inliner.document.settings.env
    label, _, target = text.partition("<")
    target = (target.rstrip(">") or label).strip()
    label = label.strip() if _ else f"report: {target}"
    if target not in _experiment_registry():
        msg = inliner.reporter.error(
            f"report: no experiment named {target!r} (see `byhand reproduce --list`)",
            line=lineno,
        )
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    depth = env.docname.count("/")
    uri = "../" * depth + REPORT_FROM_HTML_ROOT + f"#exp-{target}"
    node = nodes.reference(rawtext, label, refuri=uri, classes=["report-link"])
    return [node], []


def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn generates set_fit_request & co. for metadata routing: not byhand's API
    if name.startswith("set_") and name.endswith("_request"):
        return True
    # a module without __all__ (byhand.plotting) lists only what byhand defines, not the
    # typing names it imports
    if inspect.isclass(obj) or inspect.isfunction(obj):
        if not getattr(obj, "__module__", "byhand").startswith("byhand"):
            return True
    return None


def setup(app):
    app.add_role("report", _report_role)
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True}
