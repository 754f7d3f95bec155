"""The perceptron's compiled pass (byhand.kernels.perceptron_scan) against the literal loop
written here (w ← w + η·sᵢ·yᵢ·x̃ᵢ when yᵢ·(x̃ᵢ @ w) <= 0), bit for bit, on both backends:
integer data (margins exactly 0, decided by the literal dot product), rows of very different
scales (underflow, near overflow), no intercept, sample weights, shuffled passes; and the
same ValueError naming a NaN."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from byhand import kernels
from byhand.linear_model import Perceptron

pytest.importorskip("numba")


def _literal(X, y, *, epochs, fit_intercept=True, eta0=1.0, sw=None, shuffle=False, seed=None):
    Xa = np.hstack([X, np.ones((len(X), 1))]) if fit_intercept else X
    classes = np.unique(y)
    ys = np.where(y == classes[1], 1.0, -1.0)
    w = np.zeros(Xa.shape[1])
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        changed = False
        for i in rng.permutation(len(X)) if shuffle else range(len(X)):
            if sw is not None and sw[i] == 0:
                continue
            if ys[i] * (Xa[i] @ w) <= 0:
                w = w + (eta0 * (1.0 if sw is None else sw[i])) * ys[i] * Xa[i]
                changed = True
        if not changed:
            break
    return w


def _fit(name, X, y, sw=None, **params):
    with kernels.using(name), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: not separable
        p = Perceptron(**params).fit(X, y, sample_weight=sw)
    w = p.coef_.ravel()
    return np.append(w, p.intercept_) if params.get("fit_intercept", True) else w


def _bits(a: np.ndarray) -> np.ndarray:
    return a.view(np.uint64)


@pytest.mark.parametrize("name", ["numba", "numpy"])
def test_perceptron_scan_is_the_literal_loop_bit_for_bit(name):
    rng = np.random.default_rng(5)
    ints = rng.integers(-2, 3, (300, 6)).astype(np.float64)  # many margins exactly 0
    scales = rng.standard_normal((200, 5)) * np.logspace(-160, 150, 200)[:, None]
    floats = rng.standard_normal((400, 30))
    for X in (ints, scales, floats, floats[:1], floats[:, :1]):
        y = rng.integers(0, 2, len(X))
        y[0] = 1 - y[-1] if len(X) > 1 else y[0]
        if len(np.unique(y)) < 2:
            y = np.array([0, 1] * (len(X) // 2 + 1))[: len(X)]
            if len(np.unique(y)) < 2:
                continue
        sw = rng.random(len(X)) * (rng.random(len(X)) > 0.2)
        for kw in (
            {"max_iter": 4},
            {"max_iter": 3, "fit_intercept": False, "eta0": 0.3},
            {"max_iter": 3, "shuffle": True, "random_state": 2},
        ):
            want = _literal(
                X,
                y,
                epochs=kw["max_iter"],
                fit_intercept=kw.get("fit_intercept", True),
                eta0=kw.get("eta0", 1.0),
                shuffle=kw.get("shuffle", False),
                seed=kw.get("random_state"),
            )
            np.testing.assert_array_equal(_bits(_fit(name, X, y, **kw)), _bits(want))
        want = _literal(X, y, epochs=3, sw=sw)
        got = _fit(name, X, y, sw=sw, max_iter=3)
        np.testing.assert_array_equal(_bits(got), _bits(want))


def test_perceptron_scan_names_the_first_nan_on_both_backends():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((500, 4))
    y = (X[:, 0] > 0).astype(int)
    X[321, 2] = np.inf
    for name in ("numba", "numpy"):
        with pytest.raises(ValueError, match=r"inf in feature 2 of sample 321"):
            _fit(name, X, y, max_iter=3)
