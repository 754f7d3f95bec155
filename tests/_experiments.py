"""Shared checks of the experiments' tests (``tests/test_experiments_new_*.py``).

Each experiment, run in quick mode, must pass every claim and cite slide titles that stand in
the lecture transcripts; broken on purpose, its central claims must fail.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from byhand.experiments import get


def verdicts(name: str) -> list[str]:
    """The verdicts of experiment ``name``'s claims, run in quick mode with seed 0."""
    return [c.verdict for c in get(name).func(0, True).claims]


def check_claims_pass_and_cite(
    name: str, transcript_path: Callable[[str], Path], lecture: str | None = None
) -> tuple[Any, Any]:
    """Run experiment ``name`` (seed 0, quick): it has claims and figures, no claim fails (a
    claim that differs from the lecture must state its cause: a convention, a pipeline),
    and every claim's slide and every covered slide stands in the transcript — of
    ``lecture`` when given, else of the lecture each claim / cover names. Returns
    (experiment, result)."""
    exp = get(name)
    res = exp.func(0, True)
    assert res.claims and res.figures
    # a wall-clock claim (timed) is shown by the report, not required here: no timing in tests
    failed = [(c.claim, c.value) for c in res.claims if c.verdict == "failed" and not c.timed]
    assert not failed, failed
    assert all(c.differs.strip() for c in res.claims if not c.passed)

    def text(lec: str) -> str:
        return transcript_path(lecture or lec).read_text(encoding="utf-8")

    for c in res.claims:
        assert c.source in ("lecture", "derived", "byhand")
        assert c.slide in text(c.lecture), c.slide
    for lec, slide, *_topic in exp.covers:
        assert slide in text(lec), slide
    return exp, res
