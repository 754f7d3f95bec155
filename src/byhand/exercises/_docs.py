"""The exercises as Markdown, by lecture: the table of docs/exercises.md and the "Exercises"
section that ends each lecture guide, docs/lectures/<lecture id>.md (tests keep them equal;
regenerate with ``python -m byhand.exercises._docs`` and
``python -m byhand.exercises._docs <lecture id>``)."""

from __future__ import annotations

from byhand import lectures
from byhand.exercises._core import registry


def markdown() -> str:
    """One section per lecture: each exercise with its start command, slide, function and the
    mistakes it recognises."""
    lines: list[str] = []
    current = None
    for ex in registry().values():
        if ex.lecture != current:
            current = ex.lecture
            lines += [
                "",
                f"### {lectures.get(current).full}",
                "",
                "| exercise | slide | you write | mistakes it recognises |",
                "| --- | --- | --- | --- |",
            ]
        mistakes = "; ".join(m.name for m in ex.mistakes)
        lines.append(
            f"| `{ex.name}` — {ex.title} (`byhand exercise start {ex.name}`) | '{ex.slide}' | "
            f"`{ex.function}({ex.params})` → {', '.join(ex.outputs)} | {mistakes} |"
        )
    return "\n".join(lines) + "\n"


def lecture_section(lecture_id: str) -> str:
    """The "Exercises" section of a lecture's guide: each exercise of the lecture, its slide
    and the command that starts it, in the lecture's order; a link to docs/exercises.md."""
    exercises = [ex for ex in registry().values() if ex.lecture == lecture_id]
    lines = [
        "## Exercises",
        "",
        "Write these pieces of the lecture yourself; byhand grades your file against the",
        "lecture's numbers and its own implementation. Start one with its command (it writes the",
        "statement, the formula and a TODO to fill in), then `byhand exercise check NAME`;",
        "{doc}`../exercises` explains the rest (hints, notebooks, the same in Python).",
        "",
        "| exercise | slide | start it |",
        "| --- | --- | --- |",
    ]
    for ex in exercises:
        lines.append(
            f"| `{ex.name}` — {ex.title} | '{ex.slide}' | `byhand exercise start {ex.name}` |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(lecture_section(sys.argv[1]) if len(sys.argv) > 1 else markdown(), end="")
