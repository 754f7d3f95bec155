"""byhand.exercises, exercise by exercise.

For every exercise: byhand's own implementation (the reference solution file) passes, the
untouched skeleton fails with a message saying what to do, and every typical mistake (at least
three each), written as a learner would write it, fails with the hint that names it. The
references are checked against independent oracles: the lectures' printed numbers, literal
loops and closed forms written here or in the mistake recognisers, and gradient descent run
with byhand's SGD for the step-size limit. Grading runs in-process here (the child process is
tested in test_exercises_grader.py).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import byhand.exercises as exercises
from byhand.exercises import _skeleton
from byhand.exercises._grader import check_file

ALL = [st.exercise for st in exercises.list_exercises()]
NAMES = [e.name for e in ALL]
MISTAKES = [(e.name, m.name) for e in ALL for m in e.mistakes]


def _grade(tmp_path, ex, source):
    path = tmp_path / ex.filename
    path.write_text(source, encoding="utf-8")
    return check_file(ex, path, isolate=False)


def test_at_least_fifteen_exercises_covering_the_five_lectures():
    from byhand import lectures

    assert len(ALL) >= 15
    assert {e.lecture for e in ALL} == set(lectures.LECTURES)
    assert len(set(NAMES)) == len(NAMES)
    # lecture order: the catalogue's order of lectures, never going back
    rank = {lid: i for i, lid in enumerate(lectures.LECTURES)}
    ranks = [rank[e.lecture] for e in ALL]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("name", NAMES)
def test_reference_solution_passes(tmp_path, name):
    ex = exercises.get(name)
    source = exercises.reference_solution(name)
    assert "byhand" in source  # it calls byhand's own implementation
    result = _grade(tmp_path, ex, source)
    assert result.passed, result.message
    assert result.verdict == "passed"
    assert f"agrees with byhand on all {len(ex.cases())} cases" in result.message
    assert "random" in result.message
    if ex.gradcheck is not None:
        assert "gradcheck" in result.message


@pytest.mark.parametrize("name", NAMES)
def test_untouched_skeleton_says_what_to_do(tmp_path, name):
    ex = exercises.get(name)
    source = _skeleton.python_file(ex)
    assert f"def {ex.function}({ex.params}):" in source
    assert ex.citation in source and "TODO" in source
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. an invalid escape sequence in the docstring
        compile(source, ex.filename, "exec")
    result = _grade(tmp_path, ex, source)
    assert not result.passed and result.verdict == "todo"
    line = source.splitlines().index(f'    raise NotImplementedError("TODO: write {ex.function}")')
    assert f"{ex.filename}, line {line + 1}" in result.message
    assert "Replace that line" in result.message
    for out in ex.outputs:
        assert out in result.message
    assert f"byhand exercise hint {name}" in result.message


@pytest.mark.parametrize("name", NAMES)
def test_at_least_three_mistakes_each_with_an_example(name):
    ex = exercises.get(name)
    assert len(ex.mistakes) >= 3
    assert all(m.example and m.hint for m in ex.mistakes)
    assert len(ex.hints) >= 2


@pytest.mark.parametrize(("name", "mistake"), MISTAKES)
def test_typical_mistake_fails_with_the_hint_naming_it(tmp_path, name, mistake):
    ex = exercises.get(name)
    m = next(m for m in ex.mistakes if m.name == mistake)
    source = f"import numpy as np\n{ex.extra_imports}\n\n{m.example}"
    result = _grade(tmp_path, ex, source)
    assert not result.passed
    assert result.verdict in ("wrong", "shape", "nonfinite"), result.message
    assert result.mistake == mistake, result.message
    assert f"Likely mistake — {mistake}: {m.hint}" in result.message
    if result.verdict == "wrong":  # the first wrong entry, with both values
        assert re.search(r"expected [-\d.e+]+, got [-\d.e+]+", result.message), result.message


@pytest.mark.parametrize("name", NAMES)
def test_lecture_values_are_what_byhand_computes(name):
    ex = exercises.get(name)
    for case in ex.cases():
        if case.lecture_value is not None:
            np.testing.assert_allclose(ex.expected(case), case.lecture_value, atol=1e-9)


def test_lecture_numbers():
    ne = exercises.get("normal-equations")
    np.testing.assert_allclose(ne.expected(ne.cases()[0]), [-0.5, 3.0], atol=1e-12)
    pt = exercises.get("perceptron-trace")
    trace = pt.expected(pt.cases()[0])
    np.testing.assert_array_equal(trace[-1], [2, -1])
    np.testing.assert_array_equal(trace[2], [1, -1])  # the slide's w after t = 3
    gd = exercises.get("gd-step")
    # from θ = 0, ε = 0.05: ∇J = −(2/3)[11, 6] by hand
    np.testing.assert_allclose(gd.expected(gd.cases()[0]), [0.05 * 22 / 3, 0.05 * 4], rtol=1e-12)


def test_step_size_limit_separates_convergence_from_divergence():
    """2/L from the exercise's reference against GD run with byhand's SGD on the lecture's data:
    just below it converges, just above it diverges (CS 577 L01: ε = 0.15 works, 0.2 not)."""
    from byhand import nn, optim
    from byhand.datasets import lecture01_regression

    ex = exercises.get("gd-step-size-limit")
    X, y = lecture01_regression()
    limit = float(ex.expected(ex.cases()[0]))
    assert 0.15 < limit < 0.2

    def final_distance(eps: float) -> float:
        layer = nn.Linear(1, 1, dtype=np.float64)
        layer.weight.data[:] = 0.0
        layer.bias.data[:] = 0.0
        opt, loss = optim.SGD(layer.parameters(), lr=eps), nn.MSELoss()
        for _ in range(3000):
            opt.zero_grad()
            loss.forward(layer.forward(X), y[:, None])
            layer.backward(loss.backward())
            opt.step()
        theta = [layer.weight.data[0, 0], layer.bias.data[0]]
        return float(np.linalg.norm(np.subtract(theta, [-0.5, 3.0])))

    assert final_distance(0.98 * limit) < 1e-6
    with np.errstate(all="ignore"):
        assert not final_distance(1.02 * limit) < 1.0


def _literal_oracles():
    """Exercise name → a literal implementation written independently of byhand."""
    from byhand.exercises import cs577_01, cs577_04, ee559_3, galerne_1

    def adam(theta, g, m, v, t, lr, b1, b2, eps):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        step = lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        return theta - step, m, v

    def momentum(theta, g, v, lr, mu):
        v = mu * v + g
        return theta - lr * v, v

    def relu_bw(x, g):
        return g * (x > 0)

    def tanh_bw(x, g):
        return g * (1 - np.tanh(x) ** 2)

    def linear_bw(x, W, g):
        return g @ W.T, x.T @ g, g.sum(axis=0)

    def normal(X, y):
        Xt = np.column_stack([X, np.ones(len(X))])
        return np.linalg.lstsq(Xt, y, rcond=None)[0]

    def xor_features(X):
        a, b = X[:, 0], X[:, 1]
        return np.column_stack([np.ones(len(X)), a, b, a * a, a * b, b * b])

    def logistic(z, y):
        return np.mean(np.logaddexp(0, -y * z)), -y / (1 + np.exp(y * z)) / len(z)

    def softmax_ce(z, y):
        shifted = z - z.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        n, k = z.shape
        return -np.mean(logp[np.arange(n), y]), (np.exp(logp) - np.eye(k)[y]) / n

    return {
        "normal-equations": normal,
        "perceptron-trace": cs577_01._perceptron_loop,
        "multiclass-perceptron": cs577_01._multiclass_loop,
        "sgd-momentum-step": momentum,
        "adam-step": adam,
        "xor-features": xor_features,
        "relu-backward": relu_bw,
        "perceptron-loss-gradient": cs577_04._perceptron_grad,
        "logistic-loss": logistic,
        "softmax-cross-entropy": softmax_ce,
        "hinge-subgradient": ee559_3._svm,
        "lda": ee559_3._lda,
        "tanh-backward": tanh_bw,
        "linear-backward": linear_bw,
        "gd-step-size-limit": galerne_1._limit,
        "maxpool-backward": galerne_1._pool_loop,
        "conv2d-backward": galerne_1._conv_loop,
    }


@pytest.mark.parametrize("name", sorted(_literal_oracles()))
def test_reference_agrees_with_a_literal_implementation(name):
    ex = exercises.get(name)
    oracle = _literal_oracles()[name]
    for case in ex.cases():
        with np.errstate(over="ignore"):
            want = oracle(*case.args)
        got = ex.expected(case)
        if isinstance(got, tuple):
            for g, w in zip(got, want, strict=True):
                np.testing.assert_allclose(g, w, rtol=1e-7, atol=1e-9, err_msg=case.label)
        else:
            np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9, err_msg=case.label)


def test_maxpool_cases_have_ties_and_the_tied_mistake_differs():
    """The tie rule is graded: the worked example has windows with tied maxima, where sending
    the gradient to every tied maximum gives another answer than byhand."""
    from byhand.exercises import galerne_1

    ex = exercises.get("maxpool-backward")
    case = ex.cases()[0]
    assert not np.allclose(galerne_1._pool_loop(*case.args, mode="all"), ex.expected(case))


@pytest.mark.transcripts
@pytest.mark.parametrize("name", NAMES)
def test_slide_title_is_in_the_lecture(transcripts, name):
    ex = exercises.get(name)
    text = re.sub(r"\s+", " ", transcripts(ex.lecture).read_text(encoding="utf-8"))
    assert ex.slide in text


def test_docstring_examples_run():
    import doctest

    import byhand.exercises

    failures, tried = doctest.testmod(byhand.exercises, optionflags=doctest.ELLIPSIS)
    assert tried >= 10 and failures == 0


def test_docs_list_every_exercise_with_its_start_command():
    from pathlib import Path

    from byhand import lectures
    from byhand.cli import build_parser

    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "exercises.md").read_text(encoding="utf-8")
    from byhand.exercises._docs import markdown

    assert markdown() in text  # regenerate with: python -m byhand.exercises._docs
    for ex in ALL:
        assert f"`byhand exercise start {ex.name}`" in text
        section = text.split(f"### {lectures.get(ex.lecture).full}")[1].split("\n### ")[0]
        assert f"`byhand exercise start {ex.name}`" in section  # in its lecture's section
        for m in ex.mistakes:
            assert m.name in text
    parser, _ = build_parser()
    lines = [ln.split("  #")[0].split() for ln in text.splitlines() if ln.startswith("byhand ")]
    assert len(lines) >= 5
    for argv in lines:
        args, extra = parser.parse_known_args(argv[1:])
        assert not extra and args.command == "exercise", argv
    assert "docs/exercises.md" in (root / "README.md").read_text(encoding="utf-8")


GRADCHECKED = [e.name for e in ALL if e.gradcheck is not None]


@pytest.mark.parametrize("name", GRADCHECKED)
def test_gradcheck_passes_the_reference_and_catches_a_wrong_gradient(name):
    """The finite-difference check of each backward / gradient exercise is sharp: byhand's
    implementation passes it, the same scaled by 1.5 does not."""
    from byhand import GradcheckError, gradcheck

    ex = exercises.get(name)

    def wrong(*args):
        out = ex.reference(*args)
        return tuple(1.5 * np.asarray(o) for o in out) if isinstance(out, tuple) else 1.5 * out

    obj, inputs = ex.gradcheck(ex.reference)
    gradcheck(obj, *inputs)
    obj, inputs = ex.gradcheck(wrong)
    with pytest.raises(GradcheckError):
        gradcheck(obj, *inputs)


def test_every_gradient_exercise_is_gradchecked():
    backward_like = {
        "relu-backward",
        "tanh-backward",
        "linear-backward",
        "conv2d-backward",
        "maxpool-backward",
        "one-hidden-layer-gradients",
        "logistic-loss",
        "softmax-cross-entropy",
        "perceptron-loss-gradient",
        "hinge-subgradient",
        "softmax-regression-gradient",
    }
    assert backward_like <= set(GRADCHECKED)


# ------------------------------------------------------------- conventions at the kinks
def _relu_zero(ex, case):
    return np.any(case.args[0] == 0)


def _hidden_zero(ex, case):
    x, _, W1, b1, _, _ = case.args
    return np.any(np.outer(x, W1) + b1 == 0)


def _hinge_one(ex, case):
    w, b, X, y, _ = case.args
    return np.any(y * (X @ w + b) == 1)


def _ploss_zero(ex, case):
    w, X, y = case.args
    return np.any(y * (X @ w) == 0)


def _trace_zero(ex, case):
    return True  # from w = 0 the first sample is on the boundary


def _pool_tie(ex, case):
    x, _, k = case.args
    n, c, h, w = x.shape
    win = x.reshape(n, c, h // k, k, w // k, k)
    top = win.max(axis=(3, 5), keepdims=True)
    return np.any((win == top).sum(axis=(3, 5)) > 1)


KINKS = [
    # exercise, words of the statement naming the graded convention, a test of a case at the
    # kink, the other convention's mistake(s)
    (
        "relu-backward",
        ["relu'(0) = 0", "relu'(z) = 1 for z >= 0", "'Activation function'"],
        _relu_zero,
        ["relu'(0) = 1 (the slide's convention, not byhand's)"],
    ),
    (
        "one-hidden-layer-gradients",
        ["relu'(0) = 0", "relu'(z) = 1 for z >= 0", "'Activation function'", "exactly 0"],
        _hidden_zero,
        ["g'(0) = 1 (the slide's convention, not byhand's)"],
    ),
    (
        "hinge-subgradient",
        ["exactly 1", "take −yᵢxᵢ"],
        _hinge_one,
        ["strict inequality at the kink"],
    ),
    (
        "perceptron-loss-gradient",
        ["At the", "kink", "take −yᵢxᵢ"],
        _ploss_zero,
        ["strict inequality at the kink"],
    ),
    ("perceptron-trace", ["boundary", "counts as a mistake"], _trace_zero, ["strict inequality"]),
    (
        "maxpool-backward",
        ["first maximal entry in row-major", "tie"],
        _pool_tie,
        [
            "gradient sent to every tied maximum",
            "gradient split among tied maxima",
            "first maximum in column-major order",
        ],
    ),
]


@pytest.mark.parametrize(("name", "words", "at_kink", "others"), KINKS, ids=[k[0] for k in KINKS])
def test_kink_convention_is_stated_graded_and_the_other_one_named(
    tmp_path, name, words, at_kink, others
):
    """Where the function has a kink, the statement says which (sub)gradient is graded, a case
    sits exactly at the kink (so the choice is graded), and the other usual choice written by a
    learner fails with a named mistake explaining the difference."""
    ex = exercises.get(name)
    text = re.sub(r"\s+", " ", ex.statement + " " + ex.formula)
    for w in words:
        assert w in text, (w, text)
    assert any(at_kink(ex, case) for case in ex.cases())
    for other in others:
        m = next(m for m in ex.mistakes if m.name == other)
        result = _grade(tmp_path, ex, f"import numpy as np\n{ex.extra_imports}\n\n{m.example}")
        assert result.mistake == other, result.message


def test_the_relu_mask_h_ge_0_is_named_as_the_slides_convention(tmp_path):
    """The learner's report: the ReLU mask written H >= 0 (relu'(0) = 1, the slide's own
    convention) failed with no mistake named."""
    ex = exercises.get("one-hidden-layer-gradients")
    source = (
        "import numpy as np\n\n"
        "def hidden_layer_gradients(x, y, W1, b1, w2, b2):\n"
        "    H = np.outer(x, W1) + b1\n"
        "    A = np.maximum(H, 0)\n"
        "    r = 2 * (A @ w2 + b2 - y) / len(x)\n"
        "    D = np.outer(r, w2) * (H >= 0)\n"
        "    return x @ D, D.sum(axis=0), A.T @ r, r.sum()\n"
    )
    result = _grade(tmp_path, ex, source)
    assert (
        not result.passed and result.mistake == "g'(0) = 1 (the slide's convention, not byhand's)"
    )
    assert "slide writes relu'(z) = 1 for z >= 0" in result.message
    assert "byhand (and PyTorch) take relu'(0) = 0" in result.message
    assert _grade(tmp_path, ex, source.replace("H >= 0", "H > 0")).passed


def test_maxpool_statement_writes_the_window_with_explicit_bounds():
    ex = exercises.get("maxpool-backward")
    assert "x[n, c, i*k:(i+1)*k, j*k:(j+1)*k]" in ex.statement
    assert "ki:ki+k" not in ex.statement


def test_skeleton_says_inputs_must_stay_unchanged():
    for ex in ALL:
        assert "leaves its inputs unchanged" in _skeleton.python_file(ex)
