"""Text of the report as HTML: escaped, with the lectures' LaTeX typeset as MathML.

The lectures write mathematics as ``$…$`` (inline) and ``$$…$$`` (display). :func:`rich`
escapes a text and turns each such span into a ``<math>`` element with ``latex2mathml``, so
the page shows typeset formulas with no script and no network (Chromium, Firefox and Safari
render MathML Core natively). ``**bold**``, which the transcripts keep from the slides, becomes
``<strong>``.
"""

from __future__ import annotations

import html
import math
import re
from functools import lru_cache
from typing import Any

from latex2mathml.converter import convert

__all__ = ["format_value", "quote_html", "rich", "split_display", "tex_to_mathml"]

# $$display$$, or $inline$ in pandoc's sense: no space just inside the dollars, no digit after
MATH = re.compile(
    r"\$\$(?P<display>.+?)\$\$|\$(?=[^\s$])(?P<inline>[^$\n]*?[^\s\\$])\$(?!\d)", re.S
)
BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
CIRCLED = re.compile(r"\\textcircled\{([A-Za-z])\}")
TEX_COMMAND = re.compile(r"\\[A-Za-z]{2,}")
# environments latex2mathml does not know, as ones it does with the same layout
ENVIRONMENTS = {"aligned": "align*", "alignedat": "align*", "gathered": "gather*"}
ENVIRONMENT = re.compile(r"\\(begin|end)\{(" + "|".join(ENVIRONMENTS) + r")\}(\{\d+\})?")
# latex2mathml passes a command it does not know through as text, e.g. <mi>\foo</mi>
UNKNOWN_COMMAND = re.compile(r">\\([A-Za-z]+)<")
BARE_AMPERSAND = re.compile(r"&(?!#?\w+;)")
# characters latex2mathml picks that common fonts lack, as the usual ones: \setminus
COMMON_GLYPHS = {"&#x029F5;": "&#x02216;"}


def _circled(match: re.Match[str]) -> str:
    return rf"\text{{({match.group(1)})}}"  # circled letters are in few fonts: (H)


@lru_cache(maxsize=4096)
def tex_to_mathml(tex: str, display: bool = False) -> str:
    """``tex`` (LaTeX without its dollars) as a MathML ``<math>`` element.

    latex2mathml knows neither ``\\textcircled{H}`` nor ``aligned``: they become (H) and
    ``align*``; its ``\\setminus`` (U+29F5, in few fonts) becomes the usual ∖ (U+2216); a
    command it does not know is shown by its name without the backslash, a bare ``&`` it leaves
    is escaped, and a formula it cannot parse is shown as plain text without backslashes, so no
    raw TeX reaches the reader and the MathML stays well-formed.

    Examples
    --------
    >>> tex_to_mathml(r"\\frac{1}{2}").startswith("<math")
    True
    """
    tex = CIRCLED.sub(_circled, tex)
    tex = ENVIRONMENT.sub(lambda m: f"\\{m.group(1)}{{{ENVIRONMENTS[m.group(2)]}}}", tex)
    try:
        out = convert(tex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises assorted errors on what it cannot parse
        plain = re.sub(r"\\([A-Za-z]+)", r"\1", tex).replace("\\", "")
        return f'<span class="tex">{html.escape(plain)}</span>'
    out = BARE_AMPERSAND.sub("&amp;", UNKNOWN_COMMAND.sub(r">\1<", out))
    for rare, common in COMMON_GLYPHS.items():
        out = out.replace(rare, common)
    return out


# a display formula longer than this (in TeX characters) may be broken into lines
LONG_DISPLAY = 70
BREAK_AT = re.compile(
    r"\\q?quad\b|:=|=|\\begin\{[A-Za-z*]+\}|\\end\{[A-Za-z*]+\}|\\left\b|\\right\b|[{}]"
)


def split_display(tex: str) -> list[str]:
    """A long display formula cut into the pieces a narrow screen may put on separate lines:
    at its top level (outside braces, ``\\left…\\right`` and environments), at each ``\\quad``
    (dropped) and before each ``=`` or ``:=`` (kept). A short formula stays whole.

    Examples
    --------
    >>> tex = r"J := \\log(1 + e^{-yz}) \\quad \\text{where} \\quad "
    >>> split_display(tex + r"z = w^\\top h + b_{2} + c")
    ['J', ':= \\\\log(1 + e^{-yz})', '\\\\text{where}', 'z', '= w^\\\\top h + b_{2} + c']
    """
    if len(tex) <= LONG_DISPLAY:
        return [tex]
    pieces, depth, start = [], 0, 0
    for m in BREAK_AT.finditer(tex):
        tok = m.group(0)
        if tok in ("{", "\\left") or tok.startswith("\\begin"):
            depth += 1
        elif tok in ("}", "\\right") or tok.startswith("\\end"):
            depth -= 1
        elif depth == 0 and "quad" in tok:
            pieces.append(tex[start : m.start()])
            start = m.end()
        elif depth == 0 and m.start() > 0 and tex[m.start() - 1] not in "<>!:\\":
            pieces.append(tex[start : m.start()])  # before = or :=, which open the next piece
            start = m.start()
    pieces.append(tex[start:])
    pieces = [p.strip() for p in pieces if p.strip()]
    return pieces if depth == 0 and pieces else [tex]


def _display(tex: str) -> str:
    """A display formula as MathML: whole when short, else as pieces that wrap as lines."""
    pieces = split_display(tex)
    if len(pieces) == 1:
        return tex_to_mathml(tex, True)
    return '<span class="mlines">' + "".join(tex_to_mathml(p, True) for p in pieces) + "</span>"


def _plain(text: str) -> str:
    return BOLD.sub(r"<strong>\1</strong>", html.escape(text, quote=True))


def _unbalanced(text: str) -> str | None:
    """``text`` as HTML when it holds an odd number of ``$$`` (a formula cut at one end, e.g.
    a quote that starts inside a display formula): the side of the stray ``$$`` that reads as
    TeX is typeset, the stray delimiter dropped; ``None`` when the ``$$`` are balanced."""
    if text.count("$$") % 2 == 0:
        return None
    first = text.find("$$")
    head = text[:first]
    if "$" not in head and TEX_COMMAND.search(head):  # a closing $$ without its opening
        return _display(head.strip()) + rich(text[first + 2 :])
    last = text.rfind("$$")  # an opening $$ without its closing
    tail = text[last + 2 :]
    if TEX_COMMAND.search(tail):
        return rich(text[:last]) + _display(tail.strip())
    return _plain(text)  # no TeX on either side: dollars of prose


def rich(text: Any) -> str:
    """``text`` as HTML: escaped, ``$…$``/``$$…$$`` as MathML, ``**…**`` as bold.

    A ``$$`` without its partner (a formula cut at one end) does not show: the TeX on its side
    is typeset and the stray delimiter dropped.

    Examples
    --------
    >>> rich("a < b")
    'a &lt; b'
    >>> "<math" in rich(r"the rate $\\gamma < 2/L$")
    True
    """
    text = str(text)
    cut = _unbalanced(text)
    if cut is not None:
        return cut
    parts, start = [], 0
    for m in MATH.finditer(text):
        parts.append(_plain(text[start : m.start()]))
        if m.group("display") is not None:
            parts.append(_display(m.group("display").strip()))
        else:
            parts.append(tex_to_mathml(m.group("inline").strip()))
        start = m.end()
    parts.append(_plain(text[start:]))
    return "".join(parts)


def quote_html(text: Any) -> str:
    """A line quoted from a lecture as HTML: like :func:`rich`, except that a line with no
    dollar sign but a TeX command (a formula quoted without its ``$$``) is typeset whole.

    Examples
    --------
    >>> quote_html(r"\\frac{a}{b}").startswith("<math")
    True
    >>> quote_html("Nope.")
    'Nope.'
    >>> quote_html(r"\\in \\{1, \\dots, K\\} \\quad (3)$$").startswith("<math")
    True
    """
    text = str(text)
    if "$" not in text and TEX_COMMAND.search(text):
        return _display(text.strip())
    return rich(text)


def format_value(value: Any) -> str:
    """A claim value as short text: floats to 6 significant digits, lists compact.

    Examples
    --------
    >>> format_value([0.1234567, 2.0, True])
    '[0.123457, 2, True]'
    """
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
