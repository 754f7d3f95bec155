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


def _literal_pass(X, y, w, b, *, fit_intercept, apply, steps=None, order=None, stop=None):
    """One pass of the literal loop from w (in place): (updates, b); apply=False: 1 at the
    first mistake (w untouched)."""
    order = range(len(X)) if order is None else order
    updates = 0
    for i in list(order)[: len(X) if stop is None else stop]:
        margin = np.append(X[i], 1.0) @ w if fit_intercept else X[i] @ w + b
        if y[i] * margin <= 0.0:
            if not apply:
                return 1, b
            step = (1.0 if steps is None else steps[i]) * y[i]
            w[: X.shape[1]] += step * X[i]
            if fit_intercept:
                w[-1] += step
                b = float(w[-1])
            updates += 1
    return updates, b


def _pass(name, X, y, w, b, **kw):
    with kernels.using(name), np.errstate(over="ignore", invalid="ignore"):
        return kernels.perceptron_pass(X, y, kw.pop("order", None), kw.pop("stop"), w, b, 1.0,
                                       kw.pop("steps", None), **kw)  # fmt: skip


@pytest.mark.parametrize("n", [1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65])
def test_perceptron_pass_equals_the_literal_pass_on_both_backends_at_every_block_position(n):
    """From a random w (so the compiled loop certifies and applies mistakes itself, not only
    the literal decisions at w = 0), lengths around the compiled loop's blocks of 16
    samples: mistakes at every position of a block, a pass cut short (stop), shuffled order,
    sample weights, with and without the intercept, apply true and false."""
    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, 13))
    y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    steps = rng.random(n) + 0.5
    for fit_b in (True, False):
        for apply in (True, False):
            for order, stop, sw in (
                (None, n, None),
                (rng.permutation(n), n, steps),
                (None, max(1, n - 3), None),
            ):
                w0 = rng.standard_normal(14 if fit_b else 13)
                b0 = float(w0[-1]) if fit_b else 0.7
                want_w = w0.copy()
                want = _literal_pass(
                    X, y, want_w, b0, fit_intercept=fit_b, apply=apply, steps=sw, order=order,
                    stop=stop,
                )  # fmt: skip
                for name in ("numba", "numpy"):
                    w = w0.copy()
                    got = _pass(name, X, y, w, b0, order=order, stop=stop, steps=sw,
                                fit_intercept=fit_b, apply=apply)  # fmt: skip
                    assert got == (*want, -1), (name, fit_b, apply)
                    np.testing.assert_array_equal(_bits(w), _bits(want_w))


def test_a_margin_inside_the_rounding_band_is_left_to_the_literal_dot_product():
    """x·w = 3 exactly, summed from terms ±10¹⁶: other orders of summation give 4, 3 or 2,
    so neither scan may decide it (it stops there, or before, with status 1); a margin far
    outside the band is decided (the scan passes it, or stops with a sure mistake)."""
    X = np.array([[1e16, 3.0, -1e16], [3.0, 0.0, 0.0], [1e16, 3.0, -1e16], [-3.0, 0.0, 0.0]])
    y = np.array([1.0, 1.0, 1.0, 1.0])
    w = np.ones(3)
    for name in ("numba", "numpy"):
        with kernels.using(name):
            i, status, updates, _ = kernels.perceptron_scan(
                X, y, None, 1, 4, w.copy(), 0.0, 1.0, None, fit_intercept=False, apply=False
            )
            # row 2 left to the literal dot product; the compiled loop's bound is per row (row
            # 1 decided), the NumPy scan's per block (it may leave row 1 too)
            assert status == 1 and updates == 0 and (i == 2 if name == "numba" else i <= 2), name
            i, status, _, _ = kernels.perceptron_scan(
                X, y, None, 3, 4, w.copy(), 0.0, 1.0, None, fit_intercept=False, apply=False
            )
            assert (i, status) == (3, 2), name  # −3: a sure mistake
            i, status, _, _ = kernels.perceptron_scan(
                X, y, None, 0, 1, w.copy(), 0.0, 1.0, None, fit_intercept=False, apply=False
            )
            assert (i, status) == (0, 1), name


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, 1e200])
@pytest.mark.parametrize("row", [0, 5, 8, 12])
def test_non_finite_and_huge_rows_stop_both_backends_at_the_same_row(value, row):
    """A NaN/inf stops the pass at its row (bad = that row) on both backends, after the same
    updates; a huge finite row (its products overflow a sum bound) is decided by the literal
    dot product, with the literal loop's result."""
    rng = np.random.default_rng(row)
    X = rng.standard_normal((13, 4))
    X[row, 2] = value
    y = np.where(rng.random(13) < 0.5, -1.0, 1.0)
    w0 = rng.standard_normal(5)
    results = []
    for name in ("numba", "numpy"):
        w = w0.copy()
        got = _pass(name, X, y, w, float(w0[-1]), stop=13, fit_intercept=True, apply=True)
        results.append((got, _bits(w).tolist()))
    assert results[0] == results[1]
    (updates, b, bad), w = results[0]
    if np.isfinite(value):
        want_w = w0.copy()
        with np.errstate(over="ignore", invalid="ignore"):
            want = _literal_pass(X, y, want_w, float(w0[-1]), fit_intercept=True, apply=True)
        assert (updates, b, bad) == (*want, -1) and w == _bits(want_w).tolist()
    else:
        assert bad == row
