"""New CS 577 experiments (100–106) in quick mode: claims pass, citations are real, and the
central claims fail when the component under test is broken."""

from __future__ import annotations

import json

import numpy as np
import pytest

from _experiments import check_claims_pass_and_cite, verdicts

NAMES = [
    "sincos-gradient",
    "gd-vs-normal-equations",
    "binary-linear-classifier",
    "multiclass-perceptron-calculations",
    "poly-degree2-terms",
    "multiclass-hidden-gradients",
    "sgd-m1-cost",
]


@pytest.mark.parametrize("name", NAMES)
def test_claims_pass_and_cite_the_transcripts(name: str, request) -> None:
    # the transcripts fixture skips here without them
    exp, res = check_claims_pass_and_cite(name, request.getfixturevalue("transcripts"))
    json.dumps([c.to_dict() for c in res.claims], allow_nan=False)
    assert exp.number >= 100


def test_sincos_gradient_fails_with_a_sign_error(monkeypatch) -> None:
    from byhand.experiments.cs577_l01 import sincos_gradient as mod

    good = mod.grad_sincos
    monkeypatch.setattr(mod, "grad_sincos", lambda p: good(p) * np.array([1.0, -1.0]))
    v = verdicts("sincos-gradient")
    assert v[0] == "failed" and v[1] == "failed"


def test_gd_cost_claims_fail_when_gd_needs_d_iterations_or_stops_early(monkeypatch) -> None:
    from byhand.experiments.cs577_l01 import gd_vs_normal_equations as mod

    real = mod.gd_solve
    monkeypatch.setattr(
        mod, "gd_solve", lambda X, y, tol, p: (real(X, y, tol, p)[0], 50 * X.shape[1])
    )
    assert verdicts("gd-vs-normal-equations")[0] == "failed"
    monkeypatch.setattr(mod, "gd_solve", lambda X, y, tol, p: real(X, y, 0.3, p))
    assert verdicts("gd-vs-normal-equations")[1] == "failed"


def test_binary_classifier_fails_with_the_other_sign(monkeypatch) -> None:
    from byhand import nn

    monkeypatch.setattr(nn.PerceptronLoss, "predict", lambda self, z: -np.sign(z))
    assert verdicts("binary-linear-classifier")[0] == "failed"


def test_tie_rule_claims_fail_with_plain_argmax(monkeypatch) -> None:
    """A loop that passes when the first argmax is y (ties not counted) breaks the claims."""
    from byhand.experiments.cs577_l01 import multiclass_perceptron_trace as mod

    def first_argmax_step(W, x, y):
        s = x @ W
        yhat = int(np.argmax(s))
        if yhat == y:
            return W, [yhat], None
        W = W.copy()
        W[:, yhat] -= x
        W[:, y] += x
        return W, [yhat], yhat

    monkeypatch.setattr(mod, "lecture_step", first_argmax_step)
    v = verdicts("multiclass-perceptron-calculations")
    assert v[0] == "failed" and v[1] == "failed"


def test_literal_trace_matches_the_hand_computed_first_steps() -> None:
    from byhand.experiments.cs577_l01.multiclass_perceptron_trace import (
        TRACE_X,
        TRACE_Y,
        literal_trace,
    )

    tr = literal_trace(TRACE_X, TRACE_Y, 5)
    assert tr[0]["yhat"] == 1 and tr[1]["yhat"] == 0 and tr[2]["yhat"] == 0
    assert tr[4]["tied"] == [1, 2] and tr[4]["yhat"] == 2  # y = 1 tied with class 2
    np.testing.assert_array_equal(tr[4]["W"], [[1, -1, 0], [-2, 2, 0]])


def test_degree2_claim_fails_without_the_constant(monkeypatch) -> None:
    from byhand import preprocessing

    real = preprocessing.PolynomialFeatures

    class NoBias(real):
        def __init__(self, degree=2, include_bias=True):
            super().__init__(degree=degree, include_bias=False)

        def get_params(self, deep=True):
            return {"degree": self.degree, "include_bias": True}

    monkeypatch.setattr(preprocessing, "PolynomialFeatures", NoBias)
    assert verdicts("poly-degree2-terms")[0] == "failed"


def test_multiclass_gradient_claim_fails_with_a_wrong_derivative(monkeypatch) -> None:
    from byhand.experiments.cs577_l04 import multiclass_gradients as mod

    monkeypatch.setattr(mod, "g_prime", lambda h: np.ones_like(h))
    v = verdicts("multiclass-hidden-gradients")
    assert v == ["failed", "failed"]


def test_sgd_claims_fail_when_m1_is_as_slow_as_gd(monkeypatch) -> None:
    """With a tiny SGD step the m = 1 run no longer leads after one epoch."""
    from byhand import optim

    real = optim.SGD.__init__

    def tiny(self, params, lr, *a, **k):
        real(self, params, 1e-5 if lr == 0.02 else lr, *a, **k)

    monkeypatch.setattr(optim.SGD, "__init__", tiny)
    assert verdicts("sgd-m1-cost")[0] == "failed"
