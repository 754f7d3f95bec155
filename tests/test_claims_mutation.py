"""Mutation tests: break the component a central claim is about and the claim must fail.

Each test mutates one piece of byhand (a sign in a backward, the perceptron update, the tie
rule, the softmax gradient, the gradient step, the LDA formula), reruns the experiment in quick
mode and asserts that the claim about that piece gets the verdict ``failed``. A mutation is
made by editing one line of the method's source (``mutate``) or by wrapping a method.
"""

from __future__ import annotations

import inspect
import sys
import textwrap
import warnings

import numpy as np
import pytest

from byhand import kernels, nn, optim
from byhand.discriminant_analysis import LinearDiscriminantAnalysis
from byhand.experiments import get
from byhand.linear_model import MulticlassPerceptron, Perceptron


def mutate(monkeypatch, cls: type, method: str, old: str, new: str) -> None:
    """Replace ``cls.method`` by its own source with the line fragment ``old`` → ``new``."""
    func = getattr(cls, method)
    src = textwrap.dedent(inspect.getsource(func))
    assert src.count(old) == 1, f"{old!r} not found once in {cls.__name__}.{method}"
    namespace = dict(vars(sys.modules[func.__module__]))
    exec(compile(src.replace(old, new), f"<mutant {method}>", "exec"), namespace)
    monkeypatch.setattr(cls, method, namespace[method])


def verdicts(name: str, needle: str) -> list[str]:
    """Verdicts of the claims of experiment ``name`` whose text contains ``needle``."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # a mutant may overflow or not converge: the verdict says
        res = get(name).func(0, True)
    found = [c.verdict for c in res.claims if needle in c.claim]
    assert found, f"no claim of {name} contains {needle!r}"
    return found


def test_unmutated_central_claims_are_reproduced():
    assert verdicts("hand-gradients", "equal to byhand's backprop") == ["reproduced"] * 3
    assert verdicts("perceptron-trace", "w = [2, −1]") == ["reproduced"]
    assert verdicts("multiclass-perceptron", "tie rule") == ["reproduced"]
    assert verdicts("perceptron-is-sgd", "SGD with m = 1") == ["reproduced"]


def test_a_sign_in_the_relu_backward_fails_the_hand_gradient_claims(monkeypatch):
    backward = nn.ReLU.backward
    monkeypatch.setattr(nn.ReLU, "backward", lambda self, g: -backward(self, g))
    assert set(verdicts("hand-gradients", "equal to byhand's backprop")) == {"failed"}


def test_a_broken_perceptron_update_fails_the_trace_and_the_sgd_equivalence(monkeypatch):
    from byhand.kernels import perceptron

    # on the NumPy path every update is made by perceptron_pass
    mutate(
        monkeypatch,
        perceptron,
        "perceptron_pass",
        "step = (eta if steps is None else steps[r]) * y[r]",
        "step = -(eta if steps is None else steps[r]) * y[r]",
    )
    with kernels.using("numpy"):
        assert verdicts("perceptron-trace", "w = [2, −1]") == ["failed"]
        assert verdicts("perceptron-is-sgd", "SGD with m = 1") == ["failed"]


def test_a_broken_compiled_perceptron_update_fails_the_trace_and_the_sgd_equivalence(
    monkeypatch,
):
    pytest.importorskip("numba")
    from byhand.kernels import perceptron

    # the update is made in two places: in the compiled loop, and by perceptron_pass after a
    # margin too close to 0 for the loop to decide (the lecture's trace has only those)
    mutate(
        monkeypatch,
        perceptron,
        "perceptron_pass",
        "step = (eta if steps is None else steps[r]) * y[r]",
        "step = -(eta if steps is None else steps[r]) * y[r]",
    )
    mutate(
        monkeypatch,
        perceptron,
        "perceptron_scan",
        "step = (steps[r] if by_steps else eta) * y[r]",
        "step = -(steps[r] if by_steps else eta) * y[r]",
    )
    with kernels.using("numba"):
        assert verdicts("perceptron-trace", "w = [2, −1]") == ["failed"]
        assert verdicts("perceptron-is-sgd", "SGD with m = 1") == ["failed"]


def test_a_tie_won_by_the_true_class_fails_the_tie_rule_claim(monkeypatch):
    mutate(
        monkeypatch,
        MulticlassPerceptron,
        "_scan",
        "wrong = tied[tied != y[r]]",
        "wrong = tied[tied != y[r]] if y[r] not in tied else tied[:0]",
    )
    assert verdicts("multiclass-perceptron", "tie rule") == ["failed"]


def test_a_wrong_softmax_gradient_fails_the_cross_entropy_claims(monkeypatch):
    backward = nn.CrossEntropyLoss.backward
    monkeypatch.setattr(nn.CrossEntropyLoss, "backward", lambda self: 1.01 * backward(self))
    # every claim about the cross-entropy gradient fails (gradcheck's mismatch is the value of
    # the batch claim, not an error of the experiment); the softmax Jacobian claim is untouched
    assert verdicts("softmax-gradient", "∂L/∂z = p − onehot(y)") == ["failed"]
    assert verdicts("softmax-gradient", "finite differences") == ["failed"]
    assert verdicts("softmax-gradient", "(p − onehot(y))/N") == ["failed"]
    assert verdicts("softmax-gradient", "∂softmax(z)_y/∂z_j") == ["reproduced"]


def test_a_wrong_tanh_backward_fails_the_backward_depth_claims(monkeypatch):
    """byhand.gradcheck inside the experiment finds the mismatch: a failed claim, not an error."""
    backward = nn.Tanh.backward
    monkeypatch.setattr(nn.Tanh, "backward", lambda self, g: 1.01 * backward(self, g))
    assert verdicts("backward-depths", "written literally") == ["failed"]
    assert verdicts("backward-depths", "central differences") == ["failed"]


def test_a_halved_gradient_step_fails_the_step_size_claims(monkeypatch):
    """SGD.step taking half the step it is given: the 2/L limit and the contraction bound of
    the lecture's GD examples no longer hold."""
    step = optim.SGD.step

    def half_step(self):
        for p in self.params:
            p.grad[...] *= 0.5
        return step(self)

    monkeypatch.setattr(optim.SGD, "step", half_step)
    assert verdicts("gd-step-sizes", "every ε below 2/L converges") == ["failed"]
    assert verdicts("gd-step-sizes", "ε = 0.2 (above 2/L) diverges") == ["failed"]
    # no γL of the sweep diverges any more: the claim fails (not an error of the experiment)
    assert verdicts("quadratic-gd", "the stability limit is γ = 2/L") == ["failed"]
    assert verdicts("quadratic-gd", "too large step size: divergence") == ["failed"]


def test_a_wrong_lda_formula_fails_lda_equals_logistic(monkeypatch):
    fit = LinearDiscriminantAnalysis.fit

    def bad_fit(self, X, y):
        fit(self, X, y)
        self.coef_ = self.coef_ * 1.05
        return self

    monkeypatch.setattr(LinearDiscriminantAnalysis, "fit", bad_fit)
    assert "failed" in verdicts("lda-logistic", "")


@pytest.mark.parametrize("eps", [1e-3])
def test_mutate_refuses_a_fragment_it_cannot_find(monkeypatch, eps):
    with pytest.raises(AssertionError, match="not found"):
        mutate(monkeypatch, Perceptron, "_scan", "no such line", "x")
    assert np.isfinite(eps)
