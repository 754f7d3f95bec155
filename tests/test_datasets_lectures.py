"""The lectures' own examples, checked against the slides and literal oracles."""

from __future__ import annotations

import numpy as np
import pytest

from byhand.datasets import lecture01_regression, logic_table, perceptron_trace, xor


def test_lecture01_regression_points_and_closed_form():
    X, y = lecture01_regression()
    assert X.shape == (3, 1) and y.shape == (3,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert [(float(a), float(b)) for a, b in zip(X[:, 0], y, strict=True)] == [
        (1.0, 2.0),
        (2.0, 3.0),
        (3.0, 1.0),
    ]
    # 000: θ* = (X̃ᵀX̃)⁻¹X̃ᵀy = [−0.5, 3] with X̃ = [x, 1]
    theta, *_ = np.linalg.lstsq(np.column_stack([X[:, 0], np.ones(3)]), y, rcond=None)
    np.testing.assert_allclose(theta, [-0.5, 3.0], atol=1e-12)


def _literal_perceptron_pass(X, y, w):
    """One pass of 000's perceptron, t = 1..T in order; returns w after each step."""
    history = []
    for t in range(len(X)):
        if y[t] * (w[0] * X[t, 0] + w[1] * X[t, 1]) <= 0:
            w = [w[0] + y[t] * X[t, 0], w[1] + y[t] * X[t, 1]]
        history.append(list(w))
    return history


def test_perceptron_trace_matches_the_slides():
    X, y = perceptron_trace()
    assert X.shape == (8, 2) and y.shape == (8,)
    assert set(y.tolist()) == {-1, 1}
    printed = {1: ((1, 0), 1), 2: ((1, 1), 1), 3: ((0, 1), -1), 6: ((-1, -1), -1), 7: ((0, -1), 1)}
    for t, (x, label) in printed.items():
        assert tuple(X[t - 1]) == x and y[t - 1] == label

    history = _literal_perceptron_pass(X, y, [0.0, 0.0])
    assert history[2] == [1, -1]  # after t = 3
    assert history[3] == history[2] and history[4] == history[3]  # no update at t = 4, 5
    assert history[5] == [2, 0]  # t = 6: w ← w − (−1, −1)
    assert history[-1] == [2, -1]  # "Converged", boundary x₂ = 2x₁
    # a second pass makes no mistake
    second = _literal_perceptron_pass(X, y, history[-1])
    assert all(w == [2, -1] for w in second)
    assert np.all(y * (X @ np.array([2.0, -1.0])) > 0)


@pytest.mark.parametrize(
    ("name", "oracle", "w", "b"),
    [
        ("or", lambda u, v: u or v, 1.0, -0.5),
        ("and", lambda u, v: u and v, 1.0, -1.5),
    ],
)
def test_logic_tables_two_inputs(name, oracle, w, b):
    X, y = logic_table(name)
    assert X.shape == (4, 2) and y.shape == (4,)
    assert {tuple(r) for r in X.astype(int).tolist()} == {(0, 0), (0, 1), (1, 0), (1, 1)}
    for (u, v), out in zip(X.astype(int).tolist(), y.tolist(), strict=True):
        assert out == int(bool(oracle(u, v)))
        assert out == int(w * (u + v) + b >= 0)  # the TLU of 003 §3.1


def test_logic_table_not_and_bad_name():
    X, y = logic_table("NOT")
    assert X.shape == (2, 1)
    for (u,), out in zip(X.astype(int).tolist(), y.tolist(), strict=True):
        assert out == int(not u) == int(-u + 0.5 >= 0)
    with pytest.raises(ValueError, match="xor"):
        logic_table("xor")
    with pytest.raises(TypeError):
        logic_table(3)


def test_xor_points_and_labels():
    X, y = xor()
    assert X.shape == (4, 2) and y.dtype == np.int64
    for (u, v), out in zip(X.astype(int).tolist(), y.tolist(), strict=True):
        assert out == (u ^ v)
    Xs, ys = xor(signed=True)
    np.testing.assert_array_equal(Xs, X)
    np.testing.assert_array_equal(ys, 2 * y - 1)


def test_xor_defeats_linear_regression():
    # 001: the least-squares linear fit of XOR has w = 0 and predicts 1/2 everywhere
    X, y = xor()
    theta, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(4)]), y.astype(float), rcond=None)
    np.testing.assert_allclose(theta, [0.0, 0.0, 0.5], atol=1e-12)
