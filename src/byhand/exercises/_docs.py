"""The exercises as Markdown, by lecture: the table of docs/exercises.md (a test keeps the two
equal; regenerate with ``python -m byhand.exercises._docs``)."""

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


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
