"""Each exercise appears in the documentation's guide of its lecture, with the command that
starts it (issue 22). A text test on docs/lectures/*.md: it needs no site build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from byhand import lectures
from byhand.exercises import list_exercises
from byhand.exercises._docs import lecture_section

GUIDES = Path(__file__).resolve().parents[1] / "docs" / "lectures"
EXERCISES = [status.exercise for status in list_exercises()]


def _exercise_section(lecture_id: str) -> str:
    text = (GUIDES / f"{lecture_id}.md").read_text(encoding="utf-8")
    parts = text.split("\n## Exercises\n")
    assert len(parts) == 2, f"docs/lectures/{lecture_id}.md needs one '## Exercises' section"
    return parts[1].split("\n## ")[0]


def test_every_lecture_has_a_guide_and_exercises() -> None:
    assert {ex.lecture for ex in EXERCISES} == set(lectures.LECTURES)
    assert {p.stem for p in GUIDES.glob("*.md")} - {"index"} == set(lectures.LECTURES)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda ex: ex.name)
def test_each_exercise_is_in_its_lectures_guide_with_its_start_command(exercise) -> None:
    command = f"`byhand exercise start {exercise.name}`"
    for lecture_id in lectures.LECTURES:
        rows = [
            line
            for line in _exercise_section(lecture_id).splitlines()
            if line.startswith(f"| `{exercise.name}` ")
        ]
        if lecture_id == exercise.lecture:  # once, in its own lecture, with its command
            assert len(rows) == 1 and command in rows[0] and f"'{exercise.slide}'" in rows[0]
        else:
            assert rows == [], f"{exercise.name} is listed under {lecture_id}"


@pytest.mark.parametrize("lecture_id", list(lectures.LECTURES))
def test_the_guides_section_is_the_generated_one(lecture_id: str) -> None:
    text = (GUIDES / f"{lecture_id}.md").read_text(encoding="utf-8")
    # regenerate with: python -m byhand.exercises._docs <lecture id>
    assert lecture_section(lecture_id) in text
    assert "{doc}`../exercises`" in lecture_section(lecture_id)


def test_exercises_page_is_in_the_sites_table_of_contents() -> None:
    index = (GUIDES.parent / "index.md").read_text(encoding="utf-8")
    toctree = re.search(r"```\{toctree\}\n(.*?)```", index, re.S)
    assert toctree is not None and re.search(r"^exercises$", toctree.group(1), re.M)
