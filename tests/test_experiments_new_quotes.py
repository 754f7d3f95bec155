"""The new experiment modules (numbers 100+): every lecture quote is the lecture's own text.

Each ``quote=`` of a ``.claim(...)`` call is read from the source (a literal) and must occur in
its lecture's transcript, whitespace collapsed; every claim call gives its ``source``.
"""

from __future__ import annotations

import ast
import importlib
import re

import pytest

from _transcripts import transcript_path

MODULES = [
    "cs577_l01.sincos_gradient",
    "cs577_l01.gd_vs_normal_equations",
    "cs577_l01.binary_classifier",
    "cs577_l01.multiclass_perceptron_trace",
    "cs577_l03.polynomial_terms",
    "cs577_l04.multiclass_gradients",
    "cs577_l04.sgd_cost",
    "ee559.perceptron_hinge",
    "ee559.logistic_map",
    "ee559.local_minima",
    "ee559.backward_depths",
    "ee559.hog",
    "galerne.xor_network",
    "galerne.train_validation_test",
    "galerne.perceptron_criterion",
    "galerne.relu_vs_sigmoid",
    "galerne.conditional_mean",
    "galerne.mlp_softmax",
    "galerne.bias_cones",
    "galerne.non_convexity",
    "galerne.cnn",
]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _claims(name: str):
    mod = importlib.import_module(f"byhand.experiments.{name}")
    tree = ast.parse(open(mod.__file__, encoding="utf-8").read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "claim":
            first = node.args[0]
            lecture = first.value if isinstance(first, ast.Constant) else getattr(mod, first.id)
            yield lecture, {k.arg: k.value for k in node.keywords}, node.lineno


@pytest.mark.transcripts
@pytest.mark.parametrize("name", MODULES)
def test_quotes_are_the_lectures_words(name: str) -> None:
    bad, n = [], 0
    for lecture, kw, line in _claims(name):
        n += 1
        assert "source" in kw, f"{name}:{line} gives no source"
        if ast.literal_eval(kw["source"]) == "lecture":
            quote = ast.literal_eval(kw["quote"])
            text = _norm(transcript_path(lecture).read_text(encoding="utf-8"))
            if _norm(quote) not in text:
                bad.append((line, quote))
    assert n > 0 and bad == []
