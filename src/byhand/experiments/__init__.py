"""The lectures' worked examples, rerun by byhand: one module per lecture topic.

``byhand reproduce`` (see :func:`byhand.experiments.runner.reproduce`) runs every registered
experiment and writes ``index.html`` and ``results.json``.

Adding an experiment
--------------------
Create ``src/byhand/experiments/lectureNNN_topic.py`` (any name not starting with ``_``); every
module of this package is imported on discovery, so the decorator is all the registration::

    from byhand.experiments import ExperimentResult, experiment

    LECTURE = "ee559-3"

    @experiment("xor-feature", title="The xor feature x_u·x_v", lecture=LECTURE, number=20)
    def run(seed: int, quick: bool) -> ExperimentResult:
        rng = np.random.default_rng(seed)          # all randomness from the seed
        n = 100 if quick else 1000                  # quick: smaller, same claims
        ...                                         # compute with byhand
        res = ExperimentResult()
        res.claim(LECTURE, "3.5. Linear separability",        # seed file, slide title
                  "the perceptron converges with the feature x_u·x_v",  # the lecture's words
                  value=n_epochs,                   # what byhand got (number/str/small list)
                  passed=bool(converged),           # computed, never a constant
                  kind="qualitative")               # "exact" | "numeric" | "qualitative"
        fig, ax = plotting.subplots()               # from byhand import plotting (no pyplot)
        plotting.decision_regions(model, X, y, ax)  # or loss_contours / learning_curves
        res.figure(fig, "caption")                  # the runner renders it to PNG
        res.table("Epochs", ["epoch", "errors"], rows)
        res.note("why the value differs from the slide, if it does")
        return res

``ExperimentResult.claim`` takes ``target`` (the lecture's number, shown beside the value) and
``detail`` (how it was checked). ``kind="exact"`` is an identity checked to floating-point
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
