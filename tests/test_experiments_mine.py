"""Experiments 1–5, 10, 11 (lectures 000 and 002): every claim passes, and the pieces can fail."""

from __future__ import annotations

import numpy as np
import pytest

from byhand.datasets import lecture01_regression
from byhand.experiments import get
from byhand.experiments.cs577_l01.regression import THETA_STAR, gd_path, sgd_path
from byhand.experiments.cs577_l04.perceptron_loss import sgd_on_perceptron_loss

NAMES = [
    "closed-form",
    "gd-step-sizes",
    "sgd-paths",
    "perceptron-trace",
    "multiclass-perceptron",
    "perceptron-is-sgd",
    "full-batch-perceptron",
]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_claims_pass(name):
    res = get(name).func(0, True)
    assert res.claims, f"{name} states no claim"
    failed = [(c.claim, c.value) for c in res.claims if c.verdict == "failed"]
    assert not failed
    assert res.figures or res.tables


def test_gd_path_matches_the_gd_recursion_written_out():
    X, y = lecture01_regression()
    path = gd_path(X, y, 0.05, 20)
    theta = np.zeros(2)
    Xt = np.column_stack([X, np.ones(3)])
    for k in range(20):
        theta = theta - 0.05 * 2 / 3 * Xt.T @ (Xt @ theta - y)
        np.testing.assert_allclose(path[k + 1], theta, rtol=1e-12, atol=1e-14)


def test_gd_above_two_over_l_moves_away():
    X, y = lecture01_regression()
    far = np.linalg.norm(gd_path(X, y, 0.2, 100)[-1] - THETA_STAR)
    near = np.linalg.norm(gd_path(X, y, 0.15, 100)[-1] - THETA_STAR)
    assert near < 0.1 < 1e3 < far


def test_sgd_path_in_order_visits_samples_cyclically():
    X, y = lecture01_regression()
    path = sgd_path(X, y, 0.1, 3, False, np.random.default_rng(0))
    theta = np.zeros(2)
    for i in range(3):
        r = theta[0] * X[i, 0] + theta[1] - y[i]
        theta = theta - 0.1 * 2 * r * np.array([X[i, 0], 1.0])
        np.testing.assert_allclose(path[i + 1], theta, rtol=1e-12)


def test_perceptron_sgd_equals_literal_update():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 3))
    y = np.where(X[:, 0] + 0.3 * X[:, 1] > 0, 1, -1)
    w = np.zeros(3)
    for t in range(60):
        i = t % 20
        if y[i] * (X[i] @ w) <= 0:
            w = w + y[i] * X[i]
    np.testing.assert_array_equal(sgd_on_perceptron_loss(X, y, 60), w)
