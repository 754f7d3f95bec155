"""The lectures' worked examples, rerun by byhand: one folder per lecture, one module per topic.

The folders: ``cs577_l01`` (CS 577 Lecture 01), ``cs577_l03`` (CS 577 Lecture 03), ``cs577_l04``
(CS 577 Lecture 04), ``ee559`` (EE-559 3.1–3.6) and ``galerne`` (Deep Neural Networks Course I).

``byhand reproduce`` (see :func:`byhand.experiments.runner.reproduce`) runs every registered
experiment and writes ``index.html`` and ``results.json``.

Adding an experiment
--------------------
Create ``src/byhand/experiments/<lecture folder>/<topic>.py`` (any name not starting with ``_``);
every module of this package and its lecture folders is imported on discovery, so the decorator
is all the registration::

    from byhand.experiments import ExperimentResult, experiment

    LECTURE = "ee559-3"

    @experiment("xor-feature", title="The xor feature x_u·x_v", lecture=LECTURE, number=20,
                covers=[(LECTURE, "3.3. Linear separability and feature design")])
    def run(seed: int, quick: bool) -> ExperimentResult:
        rng = np.random.default_rng(seed)          # all randomness from the seed
        n = 100 if quick else 1000                  # quick: smaller, same claims
        ...                                         # compute with byhand
        res = ExperimentResult()
        res.claim(LECTURE, "3.5. Linear separability",        # seed file, slide title
                  "the perceptron converges with the feature x_u·x_v",  # the lecture's words
                  value=n_epochs,                   # what byhand got (number/str/small list)
                  passed=bool(converged),           # computed, never a constant
                  kind="qualitative",               # "exact" | "numeric" | "qualitative"
                  source="lecture",                 # where the target comes from (mandatory):
                  quote="…",                        # "lecture" + quote (the lecture's words),
                  )                                 # "derived" + derived_from, "byhand" + reason
        fig, ax = plotting.subplots()               # from byhand import plotting (no pyplot)
        plotting.decision_regions(model, X, y, ax)  # or loss_contours / learning_curves
        res.figure(fig, "caption")                  # the runner renders it to PNG
        res.table("Epochs", ["epoch", "errors"], rows)
        res.note("why the value differs from the slide, if it does")
        return res

Every claim is one of three categories (``category=``; counted apart in ``results.json``'s
``counts`` and in the terminal summary; a failed claim of any category fails the run):

- ``"reproduction"``: runs byhand's code (an estimator, a module's forward/backward, an
  optimiser, a data set) and compares it with the lecture's value or statement. It must be able
  to fail: ``tests/test_mutations.py`` breaks each central formula of the library and asserts
  that a reproduction fails — an experiment that raises instead does not count, so catch a
  checker's mismatch (``byhand.gradcheck``'s ``GradcheckError``) and make it the claim's value;
- ``"derivation"``: the lecture's mathematics checked numerically with no byhand code under
  test (NumPy, SciPy, finite differences, a literal loop);
- ``"observation"``: byhand's own measurement or threshold, not the lecture's (the lecture says
  "much faster" and byhand picks the factor).

The default follows ``source`` (lecture → reproduction, derived → derivation, byhand →
observation); pass ``category=`` where they part. Each claim also states ``lecture_value`` (the
lecture's value or statement, short; ``None`` where the lecture states none — it defaults to
``target`` for a lecture claim) and ``rule`` (the pass rule in words with its tolerance, e.g.
``"|byhand − lecture| ≤ 1e-12"``, ``"epochs to loss ≤ 1: ReLU ≤ ½ × sigmoid (threshold
byhand's)"``). Say so in the rule when a threshold is byhand's, in the detail when data or a
seed was chosen so that a claim shows, and judge a cost by a measurement (best of several runs,
a stated tolerance), never by a count that holds by construction.

``ExperimentResult.claim`` takes ``target`` (the number checked against, shown beside the value),
``detail`` (how it was checked) and, mandatory, ``source``: ``"lecture"`` with ``quote`` (the
lecture's words, one line, verbatim), ``"derived"`` with ``derived_from`` or ``"byhand"`` with
``reason`` (a threshold byhand chose). A claim whose value is not the lecture's for a known cause
(e.g. a data pipeline the lecture does not give) passes ``differs="the cause"``: its verdict is
then ``differs``, which does not fail the run; never loosen a target until it passes.
``covers`` lists the ``(lecture id, slide title)`` items of :mod:`byhand.experiments.coverage`
that the experiment reproduces. ``kind="exact"`` is an identity checked to floating-point
precision, ``"numeric"`` a number against the lecture's, ``"qualitative"`` a comparison or a
shape. A claim that is false as stated is reported failing with the numbers (never bend the
experiment); say why in a note.

Rules: the name is a short word (``"gd-step-sizes"``); ``number`` is the experiment's number
in the reproduction issue (it orders the report); ``needs_mnist=True`` for experiments that read
MNIST (``byhand.datasets.load_mnist()``; the runner skips them, visibly, when it is absent); keep
the ``quick=True`` run to a few seconds. An exception inside ``run`` does not stop the others:
the experiment shows as an error and the run exits non-zero. Plot helpers live in
:mod:`byhand.plotting`. Test a single experiment with ``byhand reproduce --only NAME --quick``.
"""

from __future__ import annotations

from byhand.experiments._registry import (
    Claim,
    Experiment,
    ExperimentResult,
    Figure,
    Table,
    discover,
    experiment,
    get,
    registry,
)

__all__ = [
    "Claim",
    "Experiment",
    "ExperimentResult",
    "Figure",
    "Table",
    "discover",
    "experiment",
    "get",
    "registry",
]
