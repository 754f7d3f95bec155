"""The five lectures byhand implements, and how to cite them.

Every citation a user sees (the report, the terminal summary, claims, docstrings, ``--help``)
names a lecture through this catalogue: course, lecture number, title, lecturer, institution
and year, e.g. ``CS 577 Lecture 01 (Wang, IIT, 2024), slide 'Perceptron: an example'``.

>>> cite("cs577-01", "Perceptron: an example")
"CS 577 Lecture 01 (Wang, IIT, 2024), slide 'Perceptron: an example'"
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LECTURES", "Lecture", "cite", "get", "name"]


@dataclass(frozen=True)
class Lecture:
    """One lecture of the specification.

    ``id`` is byhand's short key (``"cs577-01"``), ``course`` the course code or name,
    ``number`` the lecture or chapter number as the course numbers it, ``title`` its title,
    ``lecturer`` the lecturer's full name, ``surname`` the name used in short citations,
    ``institution`` the short name of the institution, ``year`` the year of the slides, and
    ``published`` where the slides are published.

    Examples
    --------
    >>> from byhand.lectures import get
    >>> lec = get("ee559-3")
    >>> lec.short
    'EE-559 3.1–3.6 (Fleuret, EPFL, 2019)'
    >>> lec.lecturer, lec.institution
    ('François Fleuret', 'EPFL')
    """

    id: str
    course: str
    number: str
    title: str
    lecturer: str
    surname: str
    institution: str
    year: str
    published: str

    @property
    def short(self) -> str:
        """``"CS 577 Lecture 01 (Wang, IIT, 2024)"``: the name used in headings and tables."""
        return f"{self.course} {self.number} ({self.surname}, {self.institution}, {self.year})"

    @property
    def full(self) -> str:
        """The short name followed by the title."""
        return f"{self.short}: {self.title}"


LECTURES: dict[str, Lecture] = {
    lec.id: lec
    for lec in (
        Lecture(
            "cs577-01",
            "CS 577",
            "Lecture 01",
            "Deep Learning (introduction: linear regression, gradient descent, perceptron)",
            "Yutong Wang",
            "Wang",
            "IIT",
            "2024",
            "CS 577 Deep Learning, Illinois Institute of Technology, Fall 2024 (course slides)",
        ),
        Lecture(
            "cs577-03",
            "CS 577",
            "Lecture 03",
            "Nonlinearity",
            "Yutong Wang",
            "Wang",
            "IIT",
            "2024",
            "CS 577 Deep Learning, Illinois Institute of Technology, Fall 2024 (course slides)",
        ),
        Lecture(
            "cs577-04",
            "CS 577",
            "Lecture 04",
            "Classification",
            "Yutong Wang",
            "Wang",
            "IIT",
            "2024",
            "CS 577 Deep Learning, Illinois Institute of Technology, Fall 2024 (course slides)",
        ),
        Lecture(
            "ee559-3",
            "EE-559",
            "3.1–3.6",
            "Deep learning: the perceptron, probabilistic view, linear separability, "
            "multi-layer perceptrons, gradient descent, back-propagation",
            "François Fleuret",
            "Fleuret",
            "EPFL",
            "2019",
            "https://fleuret.org/ee559/",
        ),
        Lecture(
            "galerne-1",
            "Deep Neural Networks",
            "Course I",
            "Deep neural networks for machine learning: introduction to artificial neural "
            "networks, multiclass logistic classification (after Charles Deledalle)",
            "Bruno Galerne",
            "Galerne",
            "Univ. Orléans",
            "2024–25",
            "Bruno Galerne's course slides, after Charles Deledalle's UCSD ECE285 "
            "(https://www.charles-deledalle.fr/pages/teaching.php#learning)",
        ),
    )
}


def get(lecture_id: str) -> Lecture:
    """The :class:`Lecture` for ``lecture_id``; ValueError naming the known ids otherwise.

    Examples
    --------
    >>> from byhand.lectures import get
    >>> get("galerne-1").title  # doctest: +ELLIPSIS
    '...'
    >>> get("cs577-02")
    Traceback (most recent call last):
    ...
    ValueError: ...
    """
    try:
        return LECTURES[lecture_id]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown lecture {lecture_id!r}; expected one of {sorted(LECTURES)}"
        ) from None


def name(lecture_id: str) -> str:
    """The short citation of a lecture: ``"EE-559 3.1–3.6 (Fleuret, EPFL, 2019)"``.

    Raises ValueError for an unknown ``lecture_id`` (as :func:`get`).

    Examples
    --------
    >>> from byhand.lectures import name
    >>> name("cs577-04")
    'CS 577 Lecture 04 (Wang, IIT, 2024)'
    """
    return get(lecture_id).short


def cite(lecture_id: str, slide: str = "") -> str:
    """``"CS 577 Lecture 01 (Wang, IIT, 2024), slide 'Perceptron: an example'"``.

    Raises ValueError for an unknown ``lecture_id`` (as :func:`get`).

    Examples
    --------
    >>> from byhand.lectures import cite
    >>> cite("cs577-01", "Perceptron: an example")
    "CS 577 Lecture 01 (Wang, IIT, 2024), slide 'Perceptron: an example'"
    >>> cite("ee559-3")
    'EE-559 3.1–3.6 (Fleuret, EPFL, 2019)'
    """
    text = name(lecture_id)
    return f"{text}, slide '{slide}'" if slide else text
