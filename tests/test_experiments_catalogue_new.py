"""The experiments written for the complete catalogue (issue 21, item 3).

Each runs in quick mode with the expected verdicts (reproduced, or differs where byhand's
convention or the slide's sign is not the other's) and covers only catalogue items; broken on
purpose — a mutated loss, backward, module or data generator — its central claim changes
verdict.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from byhand import nn
from byhand.experiments import get
from byhand.experiments.coverage import CATALOGUE, coverage

#: experiment → the claims (by a fragment of their text) expected to differ from the lecture
NEW = {
    "regression-identities": (),
    "multiclass-perceptron-rules": ("step by step",),
    "multiclass-argmax": (),
    "logistic-function": (),
    "relu-derivative": ("the slide takes relu′(0) = 1",),
    "tanh-relu": (),
    "softmax-nll": ("right column (1 − p_y)",),
    "perceptron-loss-cases": (),
    "gaussian-pdf": (),
    "bias-variance": (),
    "linearity-definition": (),
    "mlp-formulas": (),
    "sgd-in-order": (),
    "task-table": (),
}


def _run(name: str):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return get(name).func(0, True)


def _verdicts(name: str, needle: str) -> list[str]:
    found = [c.verdict for c in _run(name).claims if needle in c.claim]
    assert found, f"no claim of {name} contains {needle!r}"
    return found


@pytest.mark.parametrize("name", list(NEW))
def test_new_experiment_verdicts_and_covers(name):
    res = _run(name)
    assert res.claims
    for c in res.claims:
        expected = "differs" if any(k in c.claim for k in NEW[name]) else "reproduced"
        assert c.verdict == expected, (c.claim, c.value, c.target)
        assert c.lecture in CATALOGUE
    exp = get(name)
    for lecture, slide, *topic in exp.covers:
        assert any(
            i.slide == slide and (not topic or i.topic == topic[0]) for i in CATALOGUE[lecture]
        )
    # every item the experiment covers has a claim on it: the run's coverage credits it
    record = {"name": name, "status": "ok", "claims": [c.to_dict() for c in res.claims]}
    cover = coverage([(name, *c) for c in exp.covers], [record])
    credited = [r for rows in cover.values() for r in rows if r["experiments"] == [name]]
    assert len(credited) == len(exp.covers)
    assert all(r["status"] in ("reproduced", "differs") for r in credited), credited


def test_the_derivative_case_list_item_differs_and_p_minus_onehot_does_not():
    res = _run("softmax-nll")
    record = {"name": "softmax-nll", "status": "ok", "claims": [c.to_dict() for c in res.claims]}
    cover = coverage([("softmax-nll", "cs577-04", "Derivative", "case list")], [record])
    row = next(r for r in cover["cs577-04"] if r["topic"] == "case list")
    assert row["status"] == "differs" and "sign slip" in row["reason"]


# ------------------------------------------------------------------------------------ mutations


def _wrap(monkeypatch, cls, method, after):
    orig = getattr(cls, method)

    def mutant(self, *args, **kwargs):
        return after(orig(self, *args, **kwargs))

    monkeypatch.setattr(cls, method, mutant)


def test_a_halved_mse_backward_fails_the_regression_gradient(monkeypatch):
    _wrap(monkeypatch, nn.MSELoss, "backward", lambda g: 0.5 * g)
    assert _verdicts("regression-identities", "∇θ J = −2X̃ᵀy") == ["failed"]


def test_a_doubled_mse_fails_the_empirical_risk_and_the_task_table(monkeypatch):
    _wrap(monkeypatch, nn.MSELoss, "forward", lambda v: 2 * v)
    assert _verdicts("regression-identities", "byhand's MSELoss is this average") == ["failed"]
    assert _verdicts("task-table", "regression") == ["failed"]


def test_a_wrong_cross_entropy_gradient_fails_the_case_list(monkeypatch):
    _wrap(monkeypatch, nn.CrossEntropyLoss, "backward", lambda g: -g)
    assert _verdicts("softmax-nll", "case j ≠ y") == ["failed"]


def test_relu_with_the_lecture_convention_reproduces_the_slide_at_zero(monkeypatch):
    orig = nn.ReLU.backward

    def lecture_relu(self, grad_out):
        g = orig(self, grad_out).copy()
        g[self._out == 0] = 0.0
        x0 = np.asarray(self._x0)
        g[x0 >= 0] = np.asarray(grad_out)[x0 >= 0]
        return g

    orig_fwd = nn.ReLU.forward

    def keep_input(self, x):
        self._x0 = np.array(x, copy=True)
        return orig_fwd(self, x)

    monkeypatch.setattr(nn.ReLU, "forward", keep_input)
    monkeypatch.setattr(nn.ReLU, "backward", lecture_relu)
    assert _verdicts("relu-derivative", "the slide takes relu′(0) = 1") == ["reproduced"]


def test_a_wrong_sigmoid_module_fails_the_logistic_plot(monkeypatch):
    _wrap(monkeypatch, nn.Sigmoid, "forward", lambda s: np.clip(s * 1.01, 0, 1))
    assert _verdicts("logistic-function", "maps ℝ into [0, 1]") == ["failed"]


def test_a_hinge_with_the_wrong_sign_fails_the_perceptron_loss_cases(monkeypatch):
    _wrap(monkeypatch, nn.PerceptronLoss, "backward", lambda g: -g)
    assert _verdicts("perceptron-loss-cases", "(−1)·y x if y wᵀx < 0") == ["failed"]


def test_gaussian_samples_with_the_wrong_spread_fail(monkeypatch):
    import byhand.experiments.cs577_l04.gaussian_pdf as mod

    orig = mod.make_gaussian_classes

    def wide(*args, noise=1.0, **kwargs):
        return orig(*args, noise=1.3 * noise, **kwargs)

    monkeypatch.setattr(mod, "make_gaussian_classes", wide)
    assert _verdicts("gaussian-pdf", "Kolmogorov") == ["failed"]


def test_a_linear_layer_with_a_stray_offset_fails_the_mlp_formulas(monkeypatch):
    _wrap(monkeypatch, nn.Linear, "forward", lambda out: out + 1e-6)
    assert set(_verdicts("mlp-formulas", "units' sums")) == {"failed"}
    assert set(_verdicts("linearity-definition", "C = b")) == {"failed"}
