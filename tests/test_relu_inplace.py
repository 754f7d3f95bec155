"""``ReLU(inplace=True)``: the same numbers as ``ReLU()``, written over its operands."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import byhand
from byhand import nn, optim
from byhand.training import evaluate


def _pair(shape, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape), rng.standard_normal(shape)


@pytest.mark.parametrize("shape", [(7,), (5, 3), (2, 3, 4, 5)])
def test_inplace_forward_backward_equal_the_plain_relu(shape):
    x, g = _pair(shape, 0)
    plain = nn.ReLU()
    want_y = plain.forward(x.copy())
    want_dx = plain.backward(g.copy())
    np.testing.assert_array_equal(want_y, np.maximum(x, 0))  # the literal definition
    np.testing.assert_array_equal(want_dx, np.where(x > 0, g, 0.0))

    relu = nn.ReLU(inplace=True)
    xi, gi = x.copy(), g.copy()
    y = relu.forward(xi)
    dx = relu.backward(gi)
    np.testing.assert_array_equal(y, want_y)
    np.testing.assert_array_equal(dx, want_dx)
    assert np.shares_memory(y, xi) and np.shares_memory(dx, gi)  # written over its operands


def test_read_only_operands_are_never_overwritten():
    x, g = _pair((4, 3), 1)
    x.flags.writeable = False
    g.flags.writeable = False
    relu = nn.ReLU(inplace=True)
    y = relu.forward(x)
    dx = relu.backward(g)
    assert not np.shares_memory(y, x) and not np.shares_memory(dx, g)
    np.testing.assert_array_equal(dx, np.where(x > 0, g, 0.0))


def test_gradcheck_and_training_match_the_plain_network():
    x = np.random.default_rng(2).standard_normal((6, 4))
    net = nn.Sequential(nn.Linear(4, 5, dtype=np.float64, random_state=0), nn.ReLU(inplace=True))
    assert byhand.gradcheck(net, x)

    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((64, 4)).astype(np.float32), rng.integers(0, 3, 64)
    weights = []
    for inplace in (False, True):
        model = nn.Sequential(
            nn.Linear(4, 300, random_state=0),
            nn.ReLU(inplace=inplace),
            nn.Linear(300, 3, random_state=1),
        )
        byhand.fit(
            model,
            nn.CrossEntropyLoss(),
            optim.SGD(model.parameters(), lr=0.1),
            X,
            y,
            epochs=3,
            batch_size=16,
            random_state=0,
            verbose=0,
        )
        weights.append([p.data.copy() for p in model.parameters()])
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def test_flag_is_checked_shown_and_pickled():
    with pytest.raises(TypeError, match="inplace"):
        nn.ReLU(inplace="yes")
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)" and repr(nn.ReLU()) == "ReLU()"
    relu = pickle.loads(pickle.dumps(nn.ReLU(inplace=True)))
    assert relu.inplace is True
    old = nn.ReLU.__new__(nn.ReLU)  # a module from before the flag: no attribute of its own
    assert old.inplace is False


@pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)  # budgets cut short on purpose
def test_mlp_classifier_uses_it_and_predicts_as_before(tmp_path):
    est = byhand.MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    X = np.random.default_rng(4).standard_normal((80, 3))
    y = (X[:, 0] > 0).astype(int)
    est.fit(X, y)
    net = est._build(3, 1, np.random.default_rng(0), np.dtype("float32"))
    assert any(isinstance(m, nn.ReLU) and m.inplace for m in net.modules)
    path = tmp_path / "mlp.npz"
    byhand.save(est, path)
    np.testing.assert_array_equal(byhand.load(path).predict_proba(X), est.predict_proba(X))


def test_gradcheck_differentiates_at_x_itself_for_an_in_place_module():
    # at x = 0 ReLU has no derivative: finite differences give 0.5, backward 0; a check that
    # perturbed the overwritten input instead of x would not see it
    with pytest.raises(AssertionError, match="finite differences"):
        byhand.gradcheck(nn.ReLU(inplace=True), np.array([[0.0, 1.0]]))

    class Wrong(nn.ReLU):  # slope 1 everywhere: wrong on negative inputs
        def backward(self, grad_out):
            return grad_out.copy()

    with pytest.raises(AssertionError):
        byhand.gradcheck(Wrong(inplace=True), np.array([[-1.0, -2.0, -0.5]]))


@pytest.mark.parametrize("batch_size", [None, 4])
def test_fit_and_evaluate_never_overwrite_the_callers_data(batch_size):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((16, 4)).astype(np.float32)
    y = rng.integers(0, 2, 16)
    before = X.copy()
    model = nn.Sequential(nn.ReLU(inplace=True), nn.Linear(4, 2, random_state=0))
    loss = nn.CrossEntropyLoss()
    byhand.fit(
        model,
        loss,
        optim.SGD(model.parameters(), lr=0.1),
        X,
        y,
        epochs=2,
        batch_size=batch_size,
        random_state=0,
        verbose=0,
        validation_data=(X, y),
    )
    evaluate(model, loss, X, y)
    np.testing.assert_array_equal(X, before)
