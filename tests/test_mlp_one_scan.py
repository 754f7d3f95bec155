"""MLPClassifier/MLPRegressor (and the linear models trained by byhand.fit) scan their
training X once for magnitude and finiteness (issue 24: the estimator's edge, its solver and
``byhand.fit`` each did a full pass over X), and remember nothing outside one fit: X changed
between two fits is checked again."""

from __future__ import annotations

import numpy as np
import pytest

import byhand._magnitude as magnitude
from byhand import MLPClassifier, MLPRegressor
from byhand.linear_model import SoftmaxRegression


def _data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.standard_normal((60, 5)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)


def _counting_dot(monkeypatch: pytest.MonkeyPatch, n_entries: int) -> list[int]:
    """Counts the dot products over n_entries values (full scans of X) done by _magnitude."""
    calls: list[int] = []
    real_dot = np.dot

    def dot(a, b, *args, **kwargs):
        if np.size(a) == n_entries:
            calls.append(1)
        return real_dot(a, b, *args, **kwargs)

    monkeypatch.setattr(magnitude.np, "dot", dot)
    return calls


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_fit_scans_x_once(monkeypatch, rng, cls):
    X, y = _data(rng)
    calls = _counting_dot(monkeypatch, X.size)
    est = cls(hidden_layer_sizes=(4,), max_iter=2, random_state=0, dtype="float32")
    est.fit(X, y if cls is MLPClassifier else y.astype(np.float32))
    assert len(calls) == 1


def test_nothing_is_remembered_between_fits(rng):
    X, y = _data(rng)
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=1, random_state=0, dtype="float32")
    with pytest.warns(Warning):  # max_iter=1: ConvergenceWarning
        est.fit(X, y)
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.fit(X, y)
    X[3, 2] = 1e30  # beyond the float32 products' limit
    with pytest.raises(ValueError, match="feature 2"):
        est.fit(X, y)


def test_scan_is_remembered_only_inside_one_scan(rng):
    X = rng.standard_normal((10, 3)).astype(np.float32)
    with magnitude.one_scan():
        first = magnitude.sum_of_squares(X)
        X[0, 0] = np.nan  # byhand never does this inside a fit: shows the memo is used
        assert magnitude.sum_of_squares(X) == first
        assert magnitude.sum_of_squares(X[:5]) != first  # another shape: scanned
    assert np.isnan(magnitude.sum_of_squares(X))


def test_sgd_linear_model_scans_x_once(monkeypatch, rng):
    """The same for the linear models trained by byhand.fit (their solver's magnitude check
    and fit's finiteness test)."""
    X, y = _data(rng)
    X = X.astype(np.float64)
    calls = _counting_dot(monkeypatch, X.size)
    SoftmaxRegression(solver="sgd", max_iter=2, random_state=0, tol=None).fit(X, y)
    assert len(calls) == 1
