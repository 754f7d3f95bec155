"""The HTML report of ``byhand reproduce``: one self-contained page.

Inline CSS, PNG figures as data URIs, the lectures' LaTeX typeset as MathML; no script and
nothing fetched from the network, so the page opens from a USB stick in any browser.

- :func:`render` builds the page from the runner's records (:mod:`._page`);
- :mod:`._claims` shows a claim: verdict, category, the lecture's value, byhand's value, the
  rule that decides;
- :mod:`._text` escapes text and converts ``$…$`` / ``$$…$$`` to MathML;
- :mod:`._code` finds the byhand names an experiment uses;
- :mod:`._style` holds the style sheet.
"""

from byhand.report._claims import (
    VERDICT_BADGE,
    category_of,
    claim_html,
    lecture_value_of,
    rule_of,
    target_html,
)
from byhand.report._page import counts, headline, render, rerun_command
from byhand.report._style import CSS
from byhand.report._text import format_value, rich, tex_to_mathml

__all__ = [
    "CSS",
    "VERDICT_BADGE",
    "category_of",
    "claim_html",
    "counts",
    "format_value",
    "headline",
    "lecture_value_of",
    "render",
    "rerun_command",
    "rich",
    "rule_of",
    "target_html",
    "tex_to_mathml",
]
