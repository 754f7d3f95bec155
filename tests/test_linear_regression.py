"""LinearRegression (lecture 000): lstsq / gd / sgd against numpy's lstsq and the lecture."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from byhand.linear_model._linear_regression import LinearRegression, ridge_lstsq
from byhand.optim import exponential

# CS 577 Lecture 01 (Wang, IIT, 2024), "Linear regression": the N = 3 example, θ* = [−0.5, 3]
X3 = np.array([[1.0], [2.0], [3.0]])
Y3 = np.array([2.0, 3.0, 1.0])


def _data(rng, n=60, d=4, k=None):
    X = rng.standard_normal((n, d))
    w = rng.standard_normal((d,) if k is None else (d, k))
    y = X @ w + 0.5 + 0.1 * rng.standard_normal((n,) if k is None else (n, k))
    return X, y


def test_lecture_example_lstsq():
    m = LinearRegression().fit(X3, Y3)
    np.testing.assert_allclose([m.coef_[0], m.intercept_], [-0.5, 3.0], atol=1e-12)


def test_lecture_example_gd_converges_to_theta_star():
    m = LinearRegression(solver="gd", learning_rate=0.1, max_iter=3000, tol=None).fit(X3, Y3)
    np.testing.assert_allclose([m.coef_[0], m.intercept_], [-0.5, 3.0], atol=1e-8)
    assert m.n_iter_ == 3000 and len(m.loss_curve_) == 3000
    # the loss of gradient descent below 2/L never increases (000, "Gradient descent")
    assert np.all(np.diff(m.loss_curve_) <= 1e-15)


def test_lecture_example_sgd_decaying_rate():
    # 000, "Stochastic gradient descent": m = 1, ε_k = ε_0·γ^k → θ* as the steps shrink
    m = LinearRegression(
        solver="sgd",
        batch_size=1,
        learning_rate=exponential(0.1, 0.998),
        max_iter=1000,
        tol=None,
        random_state=0,
    ).fit(X3, Y3)
    np.testing.assert_allclose([m.coef_[0], m.intercept_], [-0.5, 3.0], atol=5e-2)


def test_lstsq_matches_numpy_lstsq(rng):
    X, y = _data(rng)
    m = LinearRegression().fit(X, y)
    theta = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), y, rcond=None)[0]
    np.testing.assert_allclose(m.coef_, theta[:-1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m.intercept_, theta[-1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m.predict(X), np.column_stack([X, np.ones(len(X))]) @ theta)


def test_lstsq_no_intercept_and_multioutput(rng):
    X, Y = _data(rng, k=3)
    m = LinearRegression(fit_intercept=False).fit(X, Y)
    np.testing.assert_allclose(m.coef_, np.linalg.lstsq(X, Y, rcond=None)[0].T, atol=1e-12)
    assert m.coef_.shape == (3, 4) and m.intercept_.shape == (3,)
    assert m.predict(X).shape == (60, 3)


def test_ridge_matches_normal_equations_and_sklearn(rng):
    X, y = _data(rng)
    alpha, n = 0.3, len(y)
    m = LinearRegression(alpha=alpha).fit(X, y)
    Xc, yc = X - X.mean(0), y - y.mean()
    w = np.linalg.solve(Xc.T @ Xc + n * alpha * np.eye(4), Xc.T @ yc)  # oracle only
    np.testing.assert_allclose(m.coef_, w, rtol=1e-10)
    sk = Ridge(alpha=n * alpha).fit(X, y)  # sklearn: ‖Xw − y‖² + α'‖w‖², α' = Nα
    np.testing.assert_allclose(m.coef_, sk.coef_, rtol=1e-8)
    np.testing.assert_allclose(m.intercept_, sk.intercept_, rtol=1e-8)


def test_ridge_lstsq_rank_deficient_min_norm():
    X = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    w, b = ridge_lstsq(X, np.array([1.0, 2.0, 3.0])[:, None], 0.0, False)
    assert np.all(b == 0)
    np.testing.assert_allclose(w[:, 0], np.linalg.pinv(X) @ [1.0, 2.0, 3.0], atol=1e-12)


@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_gradient_solvers_reach_lstsq_with_ridge(rng, solver):
    X, y = _data(rng)
    ref = LinearRegression(alpha=0.05).fit(X, y)
    kw = (
        dict(batch_size=None)
        if solver == "gd"
        else dict(batch_size=10, learning_rate=exponential(0.05, 0.98), average=True)
    )
    m = LinearRegression(
        solver=solver,
        alpha=0.05,
        max_iter=600,
        tol=None,
        random_state=0,
        **({"learning_rate": 0.2} | kw),
    ).fit(X, y)
    tol = 1e-8 if solver == "gd" else 2e-2
    np.testing.assert_allclose(m.coef_, ref.coef_, atol=tol)
    np.testing.assert_allclose(m.intercept_, ref.intercept_, atol=tol)


def test_determinism_same_seed_same_coefs(rng):
    X, y = _data(rng)
    a = LinearRegression(solver="sgd", max_iter=5, tol=None, random_state=3).fit(X, y)
    b = LinearRegression(solver="sgd", max_iter=5, tol=None, random_state=3).fit(X, y)
    assert np.array_equal(a.coef_, b.coef_) and a.intercept_ == b.intercept_


@pytest.mark.parametrize("average", [False, True])
def test_resume_from_snapshot_is_bit_identical(rng, average):
    X, y = _data(rng)

    def make(n):
        return LinearRegression(
            solver="sgd",
            batch_size=7,
            max_iter=n,
            tol=None,
            average=average,
            random_state=1,
            learning_rate=exponential(0.05, 0.99),
        )

    full = make(6).fit(X, y)
    snaps = []
    make(3).fit(X, y, callbacks=[lambda s: snaps.append(s.snapshot())])
    resumed = make(6).fit(X, y, resume_state=snaps[-1])
    assert snaps[-1]["epoch"] == 3
    assert np.array_equal(full.coef_, resumed.coef_)
    assert full.intercept_ == resumed.intercept_
    assert full.loss_curve_ == resumed.loss_curve_


def test_pipeline_and_grid_search(rng):
    X, y = _data(rng, n=80)
    pipe = make_pipeline(StandardScaler(), LinearRegression())
    grid = GridSearchCV(pipe, {"linearregression__alpha": [0.0, 0.1, 10.0]}, cv=3).fit(X, y)
    assert grid.best_params_["linearregression__alpha"] in (0.0, 0.1)
    assert grid.score(X, y) > 0.9


def test_bad_input(rng):
    X, y = _data(rng)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LinearRegression().fit(Xn, y)
    Xi = X.copy()
    Xi[1, 1] = np.inf
    with pytest.raises(ValueError, match="X contains inf in feature"):
        LinearRegression(solver="gd").fit(Xi, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LinearRegression().fit(X, y[:-1])
    with pytest.raises(ValueError, match="NaN"):
        LinearRegression().fit(X, np.where(np.arange(len(y)) == 0, np.nan, y))
    with pytest.raises(NotFittedError):
        LinearRegression().predict(X)
    m = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        m.predict(X[:, :3])
    with pytest.raises(ValueError, match="solver"):
        LinearRegression(solver="newton").fit(X, y)
    with pytest.raises(ValueError, match="alpha"):
        LinearRegression(alpha=-1.0).fit(X, y)
    with pytest.raises(TypeError, match="learning_rate"):
        LinearRegression(solver="gd", learning_rate="fast").fit(X, y)
    with pytest.raises(ValueError, match="direct solver"):
        LinearRegression().fit(X, y, resume_state={"params": []})
    calls = []
    LinearRegression().fit(X, y, callbacks=[calls.append])  # no epochs: never called
    assert calls == []


def test_divergence_is_a_clear_error():
    # lecture 000: GD on the N = 3 example diverges for ε = 0.2 > 2/L
    with pytest.raises(ValueError, match="diverged"):
        LinearRegression(solver="gd", learning_rate=0.2, max_iter=5000, tol=None).fit(X3, Y3)
