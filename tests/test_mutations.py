"""Every central formula of byhand, broken on purpose, must turn some claim of the report to
``failed`` (issue 21, item 1: a reproduction is only "reproduced" if it can fail).

Each mutation breaks one formula of the library with ``monkeypatch`` (a backward scaled by
1.05, a loss off by 5 %, an optimiser step with the wrong coefficient, an estimator's rule
changed or its fitted parameters 5 % off, a lecture data set altered), runs, in ``--quick``
mode (seed 0; and in the full run for the experiments of ``FULL_RUN_CHEAP``), only the experiments
that cover that formula (``MUTATIONS``' mapping) and asserts that at least one of their claims
gets the verdict ``failed``. An experiment that raises does not count: it must report the
mutation as a failed claim, never as an error. Formulas that no lecture states (Adam, dropout)
have no claim to fail: ``NOT_IN_A_LECTURE`` lists them with the reason, and a test checks that
no experiment uses them (so a new experiment that does must add its mutation here).
"""

from __future__ import annotations

import inspect
import sys
import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from byhand.experiments import get


def mutate_source(monkeypatch, cls: type, method: str, old: str, new: str) -> None:
    """Replace ``cls.method`` by its own source with the fragment ``old`` → ``new``."""
    func = getattr(cls, method)
    src = textwrap.dedent(inspect.getsource(func))
    assert src.count(old) == 1, f"{old!r} not found once in {cls.__name__}.{method}"
    namespace = dict(vars(sys.modules[func.__module__]))
    exec(compile(src.replace(old, new), f"<mutant {method}>", "exec"), namespace)
    monkeypatch.setattr(cls, method, namespace[method])


def scale_result(monkeypatch, cls: type, method: str, factor: float = 1.05) -> None:
    """``cls.method`` returns ``factor`` × what it returned (a wrong derivative)."""
    orig = getattr(cls, method)

    def mutant(self, *args, **kwargs):
        return factor * orig(self, *args, **kwargs)

    monkeypatch.setattr(cls, method, mutant)


def scale_first_arg(monkeypatch, cls: type, method: str, factor: float = 1.05) -> None:
    """``cls.method`` is called with ``factor`` × its first argument (a wrong parameter
    gradient when the method turns dℓ/dy into dℓ/dW)."""
    orig = getattr(cls, method)

    def mutant(self, g, *args, **kwargs):
        return orig(self, factor * g, *args, **kwargs)

    monkeypatch.setattr(cls, method, mutant)


def perturb_fit(monkeypatch, cls: type, attr: str = "coef_", factor: float = 1.05) -> None:
    """``cls.fit`` fits, then ``attr`` is scaled by ``factor`` (a wrong fitting rule)."""
    orig = cls.fit

    def mutant(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        setattr(self, attr, getattr(self, attr) * factor)
        return out

    monkeypatch.setattr(cls, "fit", mutant)


def no_fused_step(monkeypatch) -> None:
    """byhand.fit takes the plain ``SGD.step`` path (so a mutation of it is the one used)."""
    from byhand import training

    monkeypatch.setattr(training, "_why_not_fused", lambda *a, **k: "mutation test")


# -- the mutations -------------------------------------------------------------------------


def _linear_weight_grad(mp):
    from byhand import nn

    scale_first_arg(mp, nn.Linear, "backward_params")


def _linear_input_grad(mp):
    from byhand import nn

    mutate_source(
        mp, nn.Linear, "backward", "np.matmul(grad_out, w.T,", "np.matmul(1.05 * grad_out, w.T,"
    )


def _identity_backward(mp):
    from byhand import nn

    scale_result(mp, nn.Identity, "backward")


def _sequential_backward(mp):
    from byhand import nn

    # the chain over the modules scaled once too many before its first module
    mutate_source(
        mp,
        nn.Sequential,
        "backward",
        "    if first == len(mods):",
        "    grad = 1.05 * grad\n    if first == len(mods):",
    )


def _relu_backward(mp):
    from byhand import nn

    scale_result(mp, nn.ReLU, "backward")


def _tanh_backward(mp):
    from byhand import nn

    scale_result(mp, nn.Tanh, "backward")


def _sigmoid_backward(mp):
    from byhand import nn

    scale_result(mp, nn.Sigmoid, "backward")


def _softplus_backward(mp):
    from byhand import nn

    scale_result(mp, nn.Softplus, "backward")


def _conv_input_grad(mp):
    from byhand import nn

    scale_result(mp, nn.Conv2d, "backward")


def _conv_weight_grad(mp):
    from byhand import nn

    scale_first_arg(mp, nn.Conv2d, "_params_from")


def _maxpool_backward(mp):
    from byhand import nn

    scale_result(mp, nn.MaxPool2d, "backward")


def _avgpool_backward(mp):
    from byhand import nn

    scale_result(mp, nn.AvgPool2d, "backward")


def _flatten_backward(mp):
    from byhand import nn

    # the gradient unflattened in column-major order: every value lands on the wrong pixel
    mp.setattr(nn.Flatten, "backward", lambda self, g: g.reshape(self._shape, order="F"))


def _loss_forward(name: str) -> Callable:
    def apply(mp):
        from byhand import nn

        scale_result(mp, getattr(nn, name), "_forward")

    return apply


def _loss_backward(name: str) -> Callable:
    def apply(mp):
        from byhand import nn

        scale_result(mp, getattr(nn, name), "backward")

    return apply


def _sgd_step(mp):
    from byhand.optim import SGD

    no_fused_step(mp)
    mutate_source(mp, SGD, "_update", "np.multiply(g, eta,", "np.multiply(g, 0.9 * eta,")


def _fused_sgd_step(mp):
    from byhand.optim.fused import FusedSGDStep

    mutate_source(
        mp,
        FusedSGDStep,
        "begin",
        "self.eta = float(self.optimizer.lr(self.optimizer.k))",
        "self.eta = 0.9 * float(self.optimizer.lr(self.optimizer.k))",
    )


def _momentum(mp):
    from byhand.optim import SGD

    no_fused_step(mp)
    mutate_source(mp, SGD, "_update", "v *= self.momentum", "v *= -self.momentum")


def _weight_decay(mp):
    from byhand.optim import SGD

    no_fused_step(mp)
    mutate_source(
        mp,
        SGD,
        "_update",
        "g = g + self.weight_decay * p.data",
        "g = g + 0.5 * self.weight_decay * p.data",
    )


def _averaging(mp):
    from byhand.optim import Averager

    mutate_source(mp, Averager, "update", "avg += (p.data - avg) / count", "avg += (p.data - avg)")


def _perceptron_rule(mp):
    from byhand.kernels import perceptron

    # the update is made in two places: by perceptron_pass after each margin the scan leaves
    # to the literal dot product (all of the lecture's trace; every mistake on the NumPy path),
    # and by the compiled loop for the mistakes it certifies
    mutate_source(
        mp,
        perceptron,
        "perceptron_pass",
        "step = (eta if steps is None else steps[r]) * y[r]",
        "step = 0.5 * (eta if steps is None else steps[r]) * y[r]",
    )
    mutate_source(
        mp,
        perceptron,
        "perceptron_scan",
        "step = (steps[r] if by_steps else eta) * y[r]",
        "step = 0.5 * (steps[r] if by_steps else eta) * y[r]",
    )


def _multiclass_perceptron_rule(mp):
    from byhand.linear_model import MulticlassPerceptron

    mutate_source(
        mp, MulticlassPerceptron, "_scan", "Wd[:, yhat] -= step", "Wd[:, yhat] -= 0 * step"
    )


def _multiclass_tie_rule(mp):
    from byhand.linear_model import MulticlassPerceptron

    mutate_source(
        mp,
        MulticlassPerceptron,
        "_scan",
        "wrong = tied[tied != y[r]]",
        "wrong = tied[tied != y[r]] if y[r] not in tied else tied[:0]",
    )


def _linear_regression(mp):
    from byhand.linear_model import LinearRegression

    perturb_fit(mp, LinearRegression)


def _logistic_regression(mp):
    from byhand.linear_model import LogisticRegression

    perturb_fit(mp, LogisticRegression)


def _softmax_regression(mp):
    from byhand.linear_model import SoftmaxRegression

    perturb_fit(mp, SoftmaxRegression)


def _linear_svm(mp):
    from byhand.linear_model import LinearSVM

    perturb_fit(mp, LinearSVM)


def _lda(mp):
    from byhand.discriminant_analysis import LinearDiscriminantAnalysis

    perturb_fit(mp, LinearDiscriminantAnalysis)


def _knn(mp):
    from byhand.neighbors import KNeighborsClassifier

    orig = KNeighborsClassifier._indices

    def mutant(self, X, k):  # the 2nd … (k+1)-th nearest: the nearest point left out
        return orig(self, X, k + 1)[:, 1:]

    mp.setattr(KNeighborsClassifier, "_indices", mutant)


def _dataset(name: str, change: Callable) -> Callable:
    def apply(mp):
        import byhand.datasets as ds

        orig = getattr(ds, name)

        def mutant(*args, **kwargs):
            return change(orig(*args, **kwargs))

        mp.setattr(ds, name, mutant)
        for mod in list(sys.modules.values()):  # modules that imported the name itself
            if (
                getattr(mod, "__name__", "").startswith("byhand.")
                and getattr(mod, name, None) is orig
            ):
                mp.setattr(mod, name, mutant)

    return apply


def _shift_y(data):
    X, y = data
    y = np.array(y, dtype=float, copy=True)
    y[0] += 0.5
    return X, y


def _flip_first_label(data):
    X, y = data
    y = np.array(y, copy=True)
    y[0] = -y[0] if y.min() < 0 else 1 - y[0]
    return X, y


def _moons_pulled_apart(data):
    X, y = data
    X = np.array(X, copy=True)
    X[y == y.max(), 1] -= 1.5  # the lower moon no longer reaches into the upper one
    return X, y


def _mnist_labels_off_by_one(data):
    X, y = data
    return X, np.roll(y, 1)  # the label file read one byte late


@dataclass(frozen=True)
class Mutation:
    apply: Callable
    experiments: tuple[str, ...]


MUTATIONS: dict[str, Mutation] = {
    "Linear weight gradient": Mutation(_linear_weight_grad, ("backward-depths",)),
    "Linear input gradient": Mutation(_linear_input_grad, ("backward-depths",)),
    "Identity (linear activation) backward": Mutation(_identity_backward, ("activations",)),
    "Sequential backward (the chain over the modules)": Mutation(
        _sequential_backward, ("backward-depths",)
    ),
    "ReLU backward": Mutation(_relu_backward, ("hand-gradients",)),
    "Tanh backward": Mutation(_tanh_backward, ("backward-depths",)),
    "Sigmoid backward": Mutation(_sigmoid_backward, ("activations",)),
    "Softplus backward": Mutation(_softplus_backward, ("activations",)),
    "Conv2d input gradient": Mutation(_conv_input_grad, ("cnn-gradients",)),
    "Conv2d weight gradient": Mutation(_conv_weight_grad, ("cnn-gradients",)),
    "MaxPool2d backward": Mutation(_maxpool_backward, ("cnn-gradients",)),
    "AvgPool2d backward": Mutation(_avgpool_backward, ("cnn-gradients",)),
    "Flatten backward": Mutation(_flatten_backward, ("cnn-gradients",)),
    "MSELoss forward": Mutation(_loss_forward("MSELoss"), ("max-likelihood",)),
    "MSELoss backward": Mutation(_loss_backward("MSELoss"), ("gd-step-sizes",)),
    "HingeLoss forward": Mutation(_loss_forward("HingeLoss"), ("perceptron-2d-hinge",)),
    "HingeLoss backward": Mutation(_loss_backward("HingeLoss"), ("perceptron-2d-hinge",)),
    "PerceptronLoss forward": Mutation(_loss_forward("PerceptronLoss"), ("perceptron-criterion",)),
    "PerceptronLoss backward": Mutation(_loss_backward("PerceptronLoss"), ("perceptron-is-sgd",)),
    "LogisticLoss forward": Mutation(_loss_forward("LogisticLoss"), ("max-likelihood",)),
    "LogisticLoss backward": Mutation(_loss_backward("LogisticLoss"), ("logistic-map",)),
    "CrossEntropyLoss forward": Mutation(_loss_forward("CrossEntropyLoss"), ("softmax-gradient",)),
    "CrossEntropyLoss backward": Mutation(
        _loss_backward("CrossEntropyLoss"), ("softmax-gradient",)
    ),
    "SGD step": Mutation(_sgd_step, ("perceptron-is-sgd",)),
    "SGD step, fused into backward": Mutation(_fused_sgd_step, ("gd-step-sizes",)),
    "SGD momentum": Mutation(_momentum, ("two-moons",)),
    "SGD weight decay (the L2 term of LinearSVM and the regularised models)": Mutation(
        _weight_decay, ("svm-margin",)
    ),
    "iterate averaging": Mutation(_averaging, ("softmax-regression",)),
    "Perceptron update": Mutation(_perceptron_rule, ("perceptron-trace",)),
    "MulticlassPerceptron update": Mutation(
        _multiclass_perceptron_rule, ("multiclass-perceptron",)
    ),
    "MulticlassPerceptron tie rule": Mutation(
        _multiclass_tie_rule, ("multiclass-perceptron-calculations",)
    ),
    "LinearRegression fit": Mutation(_linear_regression, ("closed-form",)),
    "LogisticRegression fit": Mutation(_logistic_regression, ("logistic-map",)),
    "SoftmaxRegression fit": Mutation(_softmax_regression, ("softmax-regression",)),
    "LinearSVM fit": Mutation(_linear_svm, ("svm-margin",)),
    "LinearDiscriminantAnalysis fit": Mutation(_lda, ("lda-logistic",)),
    "KNeighborsClassifier predict": Mutation(_knn, ("train-validation-test",)),
    "data set lecture01_regression": Mutation(
        _dataset("lecture01_regression", _shift_y), ("closed-form",)
    ),
    "data set perceptron_trace": Mutation(
        _dataset("perceptron_trace", _flip_first_label), ("perceptron-trace",)
    ),
    "data set xor": Mutation(_dataset("xor", _flip_first_label), ("xor-feature",)),
    "data set make_moons (two moons)": Mutation(
        _dataset("make_moons", _moons_pulled_apart), ("two-moons",)
    ),
    "data set logic_table": Mutation(_dataset("logic_table", _flip_first_label), ("tlu-logic",)),
}

#: Formulas of the library that no lecture states, so no claim can be about them.
NOT_IN_A_LECTURE = {
    "Adam": "no lecture mentions Adam (tests/test_optim*.py check it against PyTorch's formula)",
    "Dropout": "no lecture mentions dropout (tests check it against PyTorch's semantics)",
}


#: experiments whose full (not --quick) run takes well under a second: their mutations are
#: checked in the full run too
FULL_RUN_CHEAP = {
    "backward-depths",
    "closed-form",
    "lda-logistic",
    "logistic-map",
    "multiclass-perceptron",
    "multiclass-perceptron-calculations",
    "perceptron-trace",
    "xor-network",
}


#: Modules with no backward formula to break: Sign's backward raises NotDifferentiableError by
#: design (the activations experiment's claim checks that), Flatten's is a reshape (mutated
#: above all the same).
WITHOUT_A_BACKWARD_FORMULA = ("Sign",)


def run_claims(name: str, quick: bool = True) -> tuple[list[str], str]:
    """Verdicts of experiment ``name`` (seed 0) and its error, if it raised."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # a mutant may overflow or not converge
        try:
            res = get(name).func(0, quick)
        except Exception as exc:  # an error is not a failed claim: reported, not counted
            return [], f"{type(exc).__name__}: {exc}"
    return [c.verdict for c in res.claims], ""


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_a_broken_formula_fails_a_claim(monkeypatch, tmp_path, mutation):
    # the mapped experiments need no MNIST: an empty data home skips their optional MNIST parts
    monkeypatch.setenv("BYHAND_DATA", str(tmp_path))
    m = MUTATIONS[mutation]
    m.apply(monkeypatch)
    seen = {}
    for name in m.experiments:
        verdicts, error = run_claims(name)
        seen[name] = error or verdicts
        if "failed" in verdicts:
            return
    pytest.fail(f"{mutation}: no claim failed; verdicts (or errors) {seen}")


@pytest.mark.parametrize(
    "mutation",
    [k for k, m in MUTATIONS.items() if set(m.experiments) <= FULL_RUN_CHEAP],
)
def test_a_broken_formula_fails_a_claim_in_the_full_run(monkeypatch, tmp_path, mutation):
    monkeypatch.setenv("BYHAND_DATA", str(tmp_path))
    m = MUTATIONS[mutation]
    m.apply(monkeypatch)
    seen = {}
    for name in m.experiments:
        verdicts, error = run_claims(name, quick=False)
        seen[name] = error or verdicts
        if "failed" in verdicts:
            return
    pytest.fail(f"{mutation} (full run): no claim failed; verdicts (or errors) {seen}")


def test_the_mapped_experiments_pass_unmutated(monkeypatch, tmp_path):
    """The same experiments, unbroken, fail no claim (so a failure above is the mutation's)."""
    monkeypatch.setenv("BYHAND_DATA", str(tmp_path))
    names = sorted({n for m in MUTATIONS.values() for n in m.experiments})
    bad = {}
    for name in names:
        verdicts, error = run_claims(name)
        if error or "failed" in verdicts:
            bad[name] = error or verdicts
    assert not bad, bad


def test_mnist_read_one_label_late_fails_the_mnist_perceptron(monkeypatch, mnist_home):
    """The lecture's MNIST 0-vs-1 data set: labels read one byte late (an IDX header off by
    one) must fail a claim of the experiment that reproduces the slide's table."""
    monkeypatch.setenv("BYHAND_DATA", str(mnist_home))
    _dataset("load_mnist", _mnist_labels_off_by_one)(monkeypatch)
    verdicts, error = run_claims("mnist-perceptron")
    assert not error and "failed" in verdicts, verdicts or error


def test_formulas_no_lecture_states_are_used_by_no_experiment():
    import pathlib

    import byhand.experiments as pkg

    root = pathlib.Path(pkg.__file__).parent
    text = "\n".join(p.read_text(encoding="utf-8") for p in root.glob("*/*.py"))
    for name in NOT_IN_A_LECTURE:
        assert f"{name}(" not in text, f"an experiment uses {name}: give it a mutation"


def test_mutate_source_refuses_a_fragment_it_cannot_find(monkeypatch):
    from byhand.linear_model import Perceptron

    with pytest.raises(AssertionError, match="not found"):
        mutate_source(monkeypatch, Perceptron, "_scan", "no such line", "x")
