"""SoftmaxRegression (002, 004): sklearn's multinomial optimum, gradient checks, averaged SGD."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from byhand import gradcheck
from byhand.linear_model._gradient import linear_net
from byhand.linear_model._softmax import SoftmaxRegression, softmax_objective
from byhand.nn.losses import CrossEntropyLoss


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:500] / 16.0, y[:500]


def _objective(W, b, X, y, alpha):
    """Mean cross-entropy of the softmax + α‖W‖², written out (W: (K, d) as coef_)."""
    Z = X @ W.T + b
    Z = Z - Z.max(axis=1, keepdims=True)
    logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(y)), y]) + alpha * np.sum(W * W)


@pytest.mark.parametrize("name,C", [("iris", 1.0), ("digits", 0.1), ("digits", 10.0)])
def test_lbfgs_reaches_sklearn_multinomial_optimum(request, name, C):
    X, y = request.getfixturevalue(name)
    alpha = 1.0 / (2 * C * len(y))
    sk = SkLogistic(C=C, tol=1e-12, max_iter=20000).fit(X, y)
    m = SoftmaxRegression(alpha, solver="lbfgs", tol=1e-9, max_iter=5000).fit(X, y)
    f_sk = _objective(sk.coef_, sk.intercept_, X, y, alpha)
    f = _objective(m.coef_, m.intercept_, X, y, alpha)
    assert abs(f - f_sk) / f_sk < 1e-4
    assert np.isclose(m.objective(X, y), f, rtol=1e-12)
    assert np.mean(m.predict(X) == sk.predict(X)) > 0.99


def test_gd_reaches_sklearn_optimum(iris):
    X, y = iris
    X = StandardScaler().fit_transform(X)
    alpha = 1.0 / (2 * len(y))
    sk = SkLogistic(C=1.0, tol=1e-12, max_iter=20000).fit(X, y)
    m = SoftmaxRegression(alpha, solver="gd", learning_rate=1.0, max_iter=4000, tol=None)
    m.fit(X, y)
    f_sk = _objective(sk.coef_, sk.intercept_, X, y, alpha)
    assert abs(m.objective(X, y) - f_sk) / f_sk < 1e-4


def test_gradient_sum_phi_y_minus_t_vs_backprop_and_gradcheck(digits, rng):
    X, y = digits
    X, y = X[:30], y[:30]
    k, d, alpha = 10, X.shape[1], 0.05
    theta = 0.1 * rng.standard_normal((d + 1) * k)
    f, g = softmax_objective(theta, X, y, k, alpha, True)
    # finite differences of the objective itself, a few coordinates
    eps = 1e-6
    for i in rng.choice(theta.size, 25, replace=False):
        e = np.zeros_like(theta)
        e[i] = eps
        fd = (
            softmax_objective(theta + e, X, y, k, alpha, True)[0]
            - softmax_objective(theta - e, X, y, k, alpha, True)[0]
        ) / (2 * eps)
        assert abs(fd - g[i]) < 1e-7
    # the same gradient by backprop through nn.Linear + nn.CrossEntropyLoss
    net = linear_net(d, k, True)
    Wb = theta.reshape(-1, k)
    net[0].weight.data[...] = Wb[:d]
    net[0].bias.data[...] = Wb[d]
    loss = CrossEntropyLoss()
    assert np.isclose(loss(net(X), y) + alpha * np.sum(Wb[:d] ** 2), f)
    net.zero_grad()
    net.backward(loss.backward())
    G = g.reshape(-1, k)
    np.testing.assert_allclose(net[0].weight.grad + 2 * alpha * Wb[:d], G[:d], atol=1e-12)
    np.testing.assert_allclose(net[0].bias.grad, G[d], atol=1e-12)
    # and that backprop path against gradcheck (float64 central differences)
    gradcheck(CrossEntropyLoss(), net(X).copy(), y)
    gradcheck(net[0], X[:5])


@pytest.mark.parametrize("average", [False, True, 20])
def test_sgd_equals_the_literal_loop(iris, average):
    """Minibatch SGD (and averaged SGD, 004) written as a plain loop is the oracle."""
    X, y = iris
    X = StandardScaler().fit_transform(X)
    alpha, lr, bs, epochs, seed = 0.01, 0.2, 16, 4, 7
    m = SoftmaxRegression(
        alpha,
        learning_rate=lr,
        batch_size=bs,
        max_iter=epochs,
        tol=None,
        average=average,
        random_state=seed,
    ).fit(X, y)
    rng = np.random.default_rng(seed)
    W, b = np.zeros((4, 3)), np.zeros(3)
    aW, ab, steps, n_avg = W.copy(), b.copy(), 0, 0
    start = 0 if average is True else int(average) - 1  # average=k: the mean of θ_k, θ_k+1, …
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for s in range(0, len(y), bs):
            idx = order[s : s + bs]
            Z = X[idx] @ W + b
            P = np.exp(Z - Z.max(axis=1, keepdims=True))
            P /= P.sum(axis=1, keepdims=True)
            P[np.arange(len(idx)), y[idx]] -= 1  # Σ φ (y − t)ᵀ, here as p − onehot
            G = P / len(idx)
            W = W - lr * (X[idx].T @ G + 2 * alpha * W)
            b = b - lr * G.sum(axis=0)
            steps += 1
            if steps > start:
                n_avg += 1
                aW += (W - aW) / n_avg
                ab += (b - ab) / n_avg
    W_ref, b_ref = (aW, ab) if average else (W, b)
    np.testing.assert_allclose(m.coef_, W_ref.T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m.intercept_, b_ref, rtol=1e-10, atol=1e-12)


def test_float32_option(digits):
    X, y = digits
    m64 = SoftmaxRegression(max_iter=5, tol=None, random_state=0).fit(X, y)
    m32 = SoftmaxRegression(max_iter=5, tol=None, random_state=0, dtype="float32").fit(X, y)
    assert m32.coef_.dtype == np.float64
    np.testing.assert_allclose(m32.coef_, m64.coef_, atol=1e-4)
    assert np.mean(m32.predict(X) == m64.predict(X)) > 0.99


def test_probabilities_and_binary_shapes(iris):
    X, y = iris
    m = SoftmaxRegression(solver="lbfgs", max_iter=2000).fit(X, y)
    p = m.predict_proba(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(m.predict_log_proba(X)), p, rtol=1e-10)
    assert m.decision_function(X).shape == (150, 3) and m.coef_.shape == (3, 4)
    keep = y < 2
    mb = SoftmaxRegression(solver="lbfgs").fit(X[keep], np.array(["a", "b"])[y[keep]])
    z = mb.decision_function(X[keep])
    assert z.shape == (int(keep.sum()),)
    np.testing.assert_allclose(mb.predict_proba(X[keep])[:, 1], 1 / (1 + np.exp(-z)))


@pytest.mark.parametrize("average", [True, 40])
def test_determinism_and_resume(iris, average):
    X, y = iris

    def make(n):
        return SoftmaxRegression(
            batch_size=8, max_iter=n, tol=None, average=average, random_state=2
        )

    a, b = make(6).fit(X, y), make(6).fit(X, y)
    assert np.array_equal(a.coef_, b.coef_)
    snaps = []
    make(3).fit(X, y, callbacks=[lambda s: snaps.append(s.snapshot())])
    resumed = make(6).fit(X, y, resume_state=snaps[-1])
    assert np.array_equal(a.coef_, resumed.coef_)
    assert np.array_equal(a.intercept_, resumed.intercept_)


def test_pipeline_and_grid_search(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), SoftmaxRegression(solver="lbfgs"))
    grid = GridSearchCV(pipe, {"softmaxregression__alpha": [1e-3, 1.0]}, cv=3).fit(X, y)
    assert grid.best_params_["softmaxregression__alpha"] == 1e-3
    assert grid.score(X, y) > 0.95


def test_bad_input(iris):
    X, y = iris
    Xi = X.copy()
    Xi[0, 0] = np.inf
    with pytest.raises(ValueError, match="X contains inf in feature"):
        SoftmaxRegression().fit(Xi, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        SoftmaxRegression().fit(X, y[:10])
    with pytest.raises(ValueError, match="at least 2 classes"):
        SoftmaxRegression().fit(X, np.ones(len(y)))
    with pytest.raises(ValueError, match="Unknown label type"):
        SoftmaxRegression().fit(X, X[:, 0])
    with pytest.raises(NotFittedError):
        SoftmaxRegression().predict(X)
    m = SoftmaxRegression(solver="lbfgs", max_iter=2000).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        m.predict(X[:, :3])
    with pytest.raises(ValueError, match="dtype"):
        SoftmaxRegression(dtype="float16").fit(X, y)
