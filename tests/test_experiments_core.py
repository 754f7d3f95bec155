"""The core-only experiments (7, 12, 14, 15, 23, 26, 29): their pieces against independent
oracles, and each quick run passing every claim with at least one figure."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.metrics import log_loss

from byhand import nn
from byhand.datasets import logic_table
from byhand.experiments.cs577_l03 import linear_collapse as collapse_mod
from byhand.experiments.cs577_l04 import likelihood as lik
from byhand.experiments.cs577_l04 import softmax as smx
from byhand.experiments.ee559 import tlu as tlu
from byhand.experiments.ee559 import universal_approximation as ua
from byhand.experiments.galerne import quadratic_gd as qgd
from byhand.experiments.runner import run_experiment
from byhand.lectures import LECTURES

CORE = [
    "linear-collapse",
    "max-likelihood",
    "softmax-gradient",
    "tlu-logic",
    "universal-approximation",
    "activations",
    "quadratic-gd",
]


@pytest.mark.parametrize("name", CORE)
def test_quick_run_passes_every_claim(name):
    rec = run_experiment(name, seed=0, quick=True)
    assert rec["status"] == "ok", rec["traceback"]
    assert rec["claims"], "an experiment states at least one claim"
    failed = [(c["claim"], c["value"]) for c in rec["claims"] if c["verdict"] == "failed"]
    assert failed == []
    assert len(rec["figures"]) >= 1
    for c in rec["claims"]:
        assert c["lecture"] in LECTURES and c["slide"]


def test_collapsed_map_equals_the_net_and_relu_does_not_collapse(rng):
    net = collapse_mod.make_net([4, 7, 3, 2], nn.Identity, rng)
    W, b = collapse_mod.collapse(net)
    X = rng.normal(size=(50, 4))
    # oracle: the layers multiplied out by hand
    l1, l2, l3 = net[0], net[2], net[4]
    expected = ((X @ l1.weight.data + l1.bias.data) @ l2.weight.data + l2.bias.data) @ (
        l3.weight.data
    ) + l3.bias.data
    np.testing.assert_allclose(X @ W + b, expected, rtol=1e-12, atol=1e-12)
    with pytest.raises(TypeError, match="collapse"):
        collapse_mod.collapse(collapse_mod.make_net([2, 3, 1], nn.ReLU, rng))
    relu = collapse_mod.make_net([3, 6, 1], nn.ReLU, rng)
    assert collapse_mod.affine_residual(X[:, :3], relu(X[:, :3])[:, 0]) > 1e-3


def test_likelihoods_match_scipy_and_sklearn(rng):
    y = rng.normal(size=30)
    mu = rng.normal(size=30)
    assert lik.gaussian_nll(y, mu, 0.7) == pytest.approx(-norm.logpdf(y, mu, 0.7).mean(), 1e-12)
    z = rng.normal(size=30)
    t = np.where(rng.random(30) < 0.5, 1.0, -1.0)
    p = 1 / (1 + np.exp(-z))
    assert lik.bernoulli_nll(t, z) == pytest.approx(log_loss(t, p, labels=[-1.0, 1.0]), 1e-10)


def test_softmax_jacobian_formula_and_numeric_agree_with_a_literal_loop(rng):
    z = rng.normal(size=4)
    p = np.exp(z) / np.exp(z).sum()
    J = np.zeros((4, 4))
    for y in range(4):  # the slide's two cases, literally
        for j in range(4):
            J[y, j] = p[y] * (1 - p[y]) if j == y else -p[y] * p[j]
    np.testing.assert_allclose(smx.jacobian_formula(p), J, atol=1e-15)
    np.testing.assert_allclose(smx.jacobian_numeric(z), J, atol=1e-8)
    np.testing.assert_allclose(smx.ce_numeric(z, 1), p - np.eye(4)[1], atol=1e-8)


@pytest.mark.parametrize("name", ["or", "and", "not"])
def test_tlus_reproduce_the_datasets_truth_tables(name):
    X, y = logic_table(name)
    unit = tlu.TLU(*tlu.UNITS[name])
    np.testing.assert_array_equal(unit(X), y)


def test_relu_sum_is_the_piecewise_linear_interpolant():
    x = np.linspace(-np.pi, np.pi, 3001)
    for n in (3, 10, 100):
        knots = np.linspace(-np.pi, np.pi, n + 1)
        f = ua.relu_sum_net(n)(x[:, None])[:, 0]
        np.testing.assert_allclose(f, np.interp(x, knots, np.sin(knots)), atol=1e-12)
    assert ua.max_error(100, x) < 1e-3 < ua.max_error(50, x)


def test_gd_path_matches_the_closed_form_iteration(rng):
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    x_star = rng.normal(size=2)
    x0 = x_star + 1.0
    lr = 0.3
    path = qgd.gd_path(A, x_star, x0, lr, 25)
    M = np.eye(2) - lr * A
    for n in (0, 1, 7, 25):  # x_n − x* = (I − γA)ⁿ (x_0 − x*)
        np.testing.assert_allclose(
            path[n] - x_star, np.linalg.matrix_power(M, n) @ (x0 - x_star), atol=1e-12
        )
    assert qgd.iterations_to(path, x_star, 1e-3) is not None
    assert qgd.iterations_to(qgd.gd_path(A, x_star, x0, 2.1 / 3.618, 100), x_star, 1e-3) is None


def test_claim_values_are_plain_python_and_the_terminal_prints_plain_numbers():
    from byhand.experiments._registry import Claim
    from byhand.experiments.runner import _claim_line

    c = Claim(
        "cs577-04",
        "Derivative",
        "case j = y",
        {"max gap": np.float64(1.9996338726216478)},
        "exact",
        False,
        target=np.float64(0.0),
        source="lecture",
        quote="the quote",
        lecture_value="(1 − p_y)",
        differs="a sign slip",
    )
    assert type(c.value["max gap"]) is float and type(c.target) is float
    d = c.to_dict() | {"experiment": "softmax-nll"}
    line = _claim_line(d)
    assert "np.float64" not in line and "1.99963" in line
    assert "lecture: (1 − p_y)" in line  # the lecture's own value, not the residual target 0
    # a dict target becomes words in the default rule, never a Python repr
    t = Claim(
        "cs577-01",
        "s",
        "c",
        1,
        "exact",
        True,
        target={"W": [[0.0, 1.5]]},
        source="lecture",
        quote="q",
    )
    assert "{'" not in t.rule and "W = [[0, 1.5]]" in t.rule
    assert t.lecture_value == "q"  # a dict of labelled values is not the lecture's value
