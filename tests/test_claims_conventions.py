"""Issue 21, item 2: where byhand's convention differs from a lecture's, the claim says so and
tests the value where they differ; measurements are taken where the claim says.

Each test would fail on the experiments as they were before the issue: the relu′(0) and
perceptron-criterion kinks were not tested, the multiclass perceptron knew one tie rule, the
wrapped perceptron trace stopped at T = N, and sgd-m1-cost read GD's loss before its step.
"""

from __future__ import annotations

import numpy as np
import pytest

from byhand import nn, optim
from byhand.experiments import get
from byhand.experiments.cs577_l01 import multiclass_perceptron_trace as mpt


def _claim(name: str, needle: str):
    found = [c for c in get(name).func(0, True).claims if needle in c.claim]
    assert len(found) == 1, (name, needle, [c.claim for c in found])
    return found[0]


def test_relu_prime_at_zero_is_tested_against_lecture_03s_convention():
    c = _claim("relu-derivative", "the slide takes relu′(0) = 1")
    # CS 577 Lecture 03 says 1 at z = 0; byhand's ReLU gives 0 (PyTorch's choice)
    relu = nn.ReLU()
    relu.forward(np.zeros((1, 1)))
    assert c.value == float(relu.backward(np.ones((1, 1)))[0, 0]) == 0.0
    assert c.lecture_value == 1 and c.verdict == "differs" and "convention" in c.differs


def test_galerne_takes_relu_prime_zero_at_the_kink_and_byhand_agrees():
    c = _claim("activations", "byhand's ReLU backward at a = 0 is 0")
    assert c.value == 0.0 and c.lecture_value == 0 and c.verdict == "reproduced"


def test_the_perceptron_criterion_kink_differs_and_says_why():
    c = _claim("perceptron-criterion", "at t = 0 the slide takes max(0, t)' = 0")
    loss = nn.PerceptronLoss()
    loss.forward(np.zeros((1, 1)), np.array([1.0]))
    assert c.value == -float(loss.backward()[0, 0]) == 1.0  # byhand updates at y·z = 0
    assert c.lecture_value == 0 and c.verdict == "differs"
    assert "sign⟨w, x⟩ ≠ d" in c.differs


def test_lecture_01_rule_passes_at_a_tie_that_lecture_04s_rule_updates():
    x, y = np.array([1.0, 0.0]), 0
    W01, yhat01 = mpt.lecture01_step(np.zeros((2, 3)), x, y)
    W04, tied, yhat04 = mpt.lecture_step(np.zeros((2, 3)), x, y)
    assert yhat01 is None and not W01.any()  # ŷ = argmax = class 1 = y: W ← W
    assert tied == [0, 1, 2] and yhat04 == 1 and W04[0].tolist() == [1.0, -1.0, 0.0]
    # away from ties the two rules agree
    W = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    for xx, yy in (([1.0, 0.0], 1), ([1.0, 0.0], 0), ([0.0, 1.0], 2)):
        a, b = mpt.lecture01_step(W, np.array(xx), yy), mpt.lecture_step(W, np.array(xx), yy)
        assert np.array_equal(a[0], b[0])
    c = _claim("multiclass-perceptron-calculations", "if ŷ = y, W ← W")
    assert c.verdict == "differs" and c.value["W, byhand"] == c.value["W, Lecture 04 tie rule"]


def test_the_credited_lecture_04_trace_wraps_around_past_n():
    c = _claim("perceptron-trace", "T could be larger than N")
    assert c.verdict == "reproduced" and c.lecture == "cs577-04"
    assert c.value["last update at t"] > c.value["N"] and c.value["T with a different w"] == []


def test_sgd_m1_cost_reads_gds_loss_after_its_step():
    """Recompute the first claim's GD number independently: J(θ₁) − J* after one GD step."""
    c = _claim("sgd-m1-cost", "cheap: for the same number of sample gradients")
    rng = np.random.default_rng(0)
    n, d = 400, 8
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 1.0 + 0.5 * rng.normal(size=n)
    Xa = np.column_stack([X, np.ones(n)])
    j_star = float(np.mean((Xa @ np.linalg.lstsq(Xa, y, rcond=None)[0] - y) ** 2))
    L = 2 * float(np.linalg.eigvalsh(Xa.T @ Xa / n).max())
    theta = np.zeros(d + 1)
    theta -= (1.0 / L) * (2 / n) * Xa.T @ (Xa @ theta - y)  # one full-batch step from 0
    gd_after = float(np.mean((Xa @ theta - y) ** 2)) - j_star
    assert c.value["GD"] == pytest.approx(gd_after, rel=1e-6)
    assert c.value["GD"] < 0.5 * (float(np.mean(y**2)) - j_star)  # not J(θ₀) − J*
    assert c.category == "observation" and "byhand" in c.rule


def test_the_backward_forward_ratio_is_judged_on_time_not_on_counted_flops(mnist_home, monkeypatch):
    monkeypatch.setenv("BYHAND_DATA", str(mnist_home))
    c = _claim("backprop-mnist", "twice more expensive")
    assert c.lecture_value == 2 and "time(backward)/time(forward)" in c.rule
    assert c.passed == (abs(c.value - 2.0) <= 0.5)
    assert "by construction" in c.detail  # the FLOP count is shown as a cost model


def test_any_boolean_function_is_checked_on_all_of_them():
    c = _claim("tlu-logic", "any Boolean function")
    assert c.value["functions built"] == 16 + 256 and c.value["wrong"] == 0


def test_a_claim_with_byhands_threshold_is_an_observation():
    c = _claim("svm-margin", "support vectors")
    assert c.category == "observation" and c.source == "byhand" and "byhand" in c.rule


def test_gd_step_size_limit_is_found_by_byhands_gd_not_only_by_numpy(monkeypatch):
    """The issue's case: halving MSELoss.backward left the 2/L claim passing."""
    backward = nn.MSELoss.backward
    monkeypatch.setattr(nn.MSELoss, "backward", lambda self: 0.5 * backward(self))
    claims = get("gd-step-sizes").func(0, True).claims
    numpy_only = [c for c in claims if c.category == "derivation"]
    assert [c.verdict for c in numpy_only] == ["reproduced"]  # NumPy's 2/L cannot see it
    assert "failed" in [c.verdict for c in claims if c.category == "reproduction"]
    assert optim.SGD  # the limit is checked through byhand's optimiser
