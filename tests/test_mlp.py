"""MLPClassifier / MLPRegressor (001–004) on byhand's hand-written backprop."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from byhand import gradcheck
from byhand.neural_network import ACTIVATIONS, MLPClassifier, MLPRegressor
from byhand.nn.losses import CrossEntropyLoss, LogisticLoss, MSELoss

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_network_gradients_by_gradcheck(activation, rng):
    est = MLPClassifier((5, 4), activation)
    net = est._build(3, 3, np.random.default_rng(0), np.dtype(np.float64))
    for p in net.parameters():  # random biases too: keep ReLU's pre-activations off its kink
        p.data[...] = rng.standard_normal(p.data.shape)
    X = rng.standard_normal((6, 3))
    net.input_grad = True  # gradcheck also checks dℓ/dx
    assert gradcheck(net, X) < 1e-5
    # the training path (input_grad=False) gives the same parameter gradients
    r = rng.standard_normal((6, 3))
    net.zero_grad()
    net.forward(X)
    net.backward(r)
    full = [p.grad.copy() for p in net.parameters()]
    net.input_grad = False
    net.zero_grad()
    net.forward(X)
    assert net.backward(r) is None
    for a, p in zip(full, net.parameters(), strict=True):
        np.testing.assert_array_equal(a, p.grad)


def test_training_objective_gradient_vs_finite_differences(rng):
    """∇[(1/N) Σ ℓ + α Σ‖W‖²] as SGD sees it (backprop + weight decay 2αW), by differences."""
    alpha = 0.1
    est = MLPClassifier((4,), "tanh", alpha=alpha)
    net = est._build(3, 3, np.random.default_rng(1), np.dtype(np.float64))
    X, y = rng.standard_normal((8, 3)), rng.integers(0, 3, 8)
    loss = CrossEntropyLoss()

    def objective():
        w2 = sum(float(np.sum(p.data**2)) for p in net.parameters() if p.decay)
        return loss(net(X), y) + alpha * w2

    objective()
    net.zero_grad()
    net.backward(loss.backward())
    for p in net.parameters():
        analytic = p.grad + (2 * alpha * p.data if p.decay else 0.0)
        numeric = np.zeros_like(p.data)
        for i in np.ndindex(p.data.shape):
            old = p.data[i]
            p.data[i] = old + 1e-6
            up = objective()
            p.data[i] = old - 1e-6
            down = objective()
            p.data[i] = old
            numeric[i] = (up - down) / 2e-6
        np.testing.assert_allclose(analytic, numeric, atol=1e-7)


@pytest.mark.parametrize(
    "loss,z,y",
    [
        (CrossEntropyLoss(), np.array([[0.1, 2.0, -1.0], [0.3, 0.2, 0.1]]), np.array([2, 0])),
        (LogisticLoss(), np.array([[0.5], [-2.0]]), np.array([1.0, -1.0])),
        (MSELoss(), np.array([[0.5], [-2.0]]), np.array([[1.0], [0.0]])),
    ],
)
def test_output_losses_by_gradcheck(loss, z, y):
    assert gradcheck(loss, z, y) < 1e-5


def test_xor_2_16_1_tanh():
    # 001, XOR defeats a linear model; one hidden layer of 16 tanh units separates it
    m = MLPClassifier(
        (16,),
        "tanh",
        learning_rate=0.5,
        batch_size=None,
        max_iter=2000,
        tol=None,
        random_state=0,
    ).fit(XOR_X, XOR_Y)
    assert [W.shape for W in m.coefs_] == [(2, 16), (16, 1)]
    assert m.out_activation_ == "logistic"
    assert m.score(XOR_X, XOR_Y) == 1.0


def test_digits_accuracy(digits):
    Xtr, Xte, ytr, yte = digits
    m = MLPClassifier(
        (64,), learning_rate=0.1, batch_size=32, max_iter=40, tol=None, random_state=0
    ).fit(Xtr, ytr)
    assert m.score(Xte, yte) >= 0.95
    assert m.coefs_[0].dtype == np.float32 and len(m.loss_curve_) == 40
    assert m.loss_curve_[-1] < m.loss_curve_[0]


def test_forward_matches_sklearn_with_the_same_weights(digits):
    Xtr, Xte, ytr, _ = digits
    ours = MLPClassifier((12, 7), "tanh", max_iter=2, tol=None, dtype="float64", random_state=0)
    ours.fit(Xtr, ytr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = SkMLP((12, 7), activation="tanh", max_iter=1, random_state=0).fit(Xtr, ytr)
    sk.coefs_ = [W.copy() for W in ours.coefs_]
    sk.intercepts_ = [b.copy() for b in ours.intercepts_]
    np.testing.assert_allclose(ours.predict_proba(Xte), sk.predict_proba(Xte), rtol=1e-10)
    assert np.array_equal(ours.predict(Xte), sk.predict(Xte))


def test_determinism(digits):
    Xtr, _, ytr, _ = digits
    kw = dict(learning_rate=0.05, max_iter=3, tol=None, random_state=11)
    a = MLPClassifier((16,), **kw).fit(Xtr, ytr)
    b = MLPClassifier((16,), **kw).fit(Xtr, ytr)
    for Wa, Wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        assert np.array_equal(Wa, Wb)
    c = MLPClassifier((16,), **(kw | {"random_state": 12})).fit(Xtr, ytr)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_resume_from_snapshot_is_bit_identical(digits, cls):
    Xtr, _, ytr, _ = digits
    y = ytr if cls is MLPClassifier else Xtr[:, 20] - Xtr[:, 43]

    def make(n):
        return cls(
            (16, 8),
            momentum=0.9,
            learning_rate=0.02,
            batch_size=50,
            shuffle=True,
            max_iter=n,
            tol=None,
            random_state=3,
        )

    full = make(6).fit(Xtr, y)
    snaps = []
    make(3).fit(Xtr, y, callbacks=[lambda s: snaps.append(s.snapshot())])
    assert [s["epoch"] for s in snaps] == [1, 2, 3]
    assert snaps[-1]["optimizer"]["velocity"][0] is not None  # momentum is in the checkpoint
    resumed = make(6).fit(Xtr, y, resume_state=snaps[-1])
    for a, b in zip(
        full.coefs_ + full.intercepts_, resumed.coefs_ + resumed.intercepts_, strict=True
    ):
        assert np.array_equal(a, b)
    assert full.loss_curve_ == resumed.loss_curve_ and resumed.n_iter_ == 6


def test_partial_fit_is_one_epoch_and_matches_fit(digits):
    Xtr, _, ytr, _ = digits
    kw = dict(learning_rate=0.05, batch_size=64, tol=None, random_state=8)
    fitted = MLPClassifier((16,), max_iter=3, **kw).fit(Xtr, ytr)
    inc = MLPClassifier((16,), **kw)
    with pytest.raises(ValueError, match="classes"):
        inc.partial_fit(Xtr, ytr)
    for i in range(3):
        inc.partial_fit(Xtr, ytr, classes=np.arange(10) if i == 0 else None)
        assert inc.n_iter_ == i + 1 and len(inc.loss_curve_) == i + 1
    for a, b in zip(fitted.coefs_, inc.coefs_, strict=True):
        assert np.array_equal(a, b)
    # a batch holding only some classes is fine after the first call; unknown labels are not
    inc.partial_fit(Xtr[ytr < 3], ytr[ytr < 3])
    with pytest.raises(ValueError, match="not in classes_"):
        inc.partial_fit(Xtr[:5], np.array([0, 1, 2, 3, 42]))
    with pytest.raises(ValueError, match="features"):
        inc.partial_fit(Xtr[:, :10], ytr)


def test_partial_fit_continues_from_bare_coefs(digits):
    """A model restored from its arrays alone (as byhand.load does) keeps training."""
    Xtr, Xte, ytr, yte = digits
    m = MLPClassifier((16,), learning_rate=0.05, max_iter=3, tol=None, random_state=0)
    m.fit(Xtr, ytr)
    bare = MLPClassifier((16,), learning_rate=0.05, random_state=0)
    for name in ("coefs_", "intercepts_", "classes_", "n_features_in_", "out_activation_"):
        value = getattr(m, name)
        setattr(bare, name, [a.copy() for a in value] if isinstance(value, list) else value)
    np.testing.assert_array_equal(bare.predict_proba(Xte), m.predict_proba(Xte))
    bare.partial_fit(Xtr, ytr)
    assert bare.n_iter_ == 1 and not np.array_equal(bare.coefs_[0], m.coefs_[0])
    assert bare.score(Xte, yte) >= m.score(Xte, yte) - 0.02


def test_early_stopping_and_validation_scores(digits):
    Xtr, Xte, ytr, yte = digits
    m = MLPClassifier(
        (32,),
        learning_rate=0.1,
        max_iter=300,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=3,
        random_state=0,
    )
    m.fit(Xtr, ytr)
    assert m.n_iter_ < 300
    assert len(m.validation_scores_) == m.n_iter_
    assert m.best_validation_score_ == max(m.validation_scores_) > 0.9
    assert m.score(Xte, yte) > 0.93
    assert MLPClassifier(max_iter=2, tol=None).fit(Xtr, ytr).validation_scores_ is None


def test_regressor_sine_and_multioutput(rng):
    X = rng.uniform(-3, 3, (400, 1))
    y = np.sin(X[:, 0])
    m = MLPRegressor(
        (32,), "tanh", learning_rate=0.05, batch_size=20, max_iter=300, tol=None, random_state=0
    ).fit(X, y)
    assert m.predict(X).shape == (400,) and m.predict(X).dtype == np.float64
    assert m.score(X, y) > 0.98
    Y = np.column_stack([np.sin(X[:, 0]), np.cos(X[:, 0])])
    m2 = MLPRegressor(
        (32,),
        "tanh",
        learning_rate=0.05,
        batch_size=20,
        max_iter=100,
        tol=None,
        random_state=0,
        dtype="float64",
    ).fit(X, Y)
    assert m2.predict(X).shape == (400, 2) and m2.coefs_[0].dtype == np.float64
    assert m2.score(X, Y) > 0.9


def test_binary_probabilities(digits):
    Xtr, _, ytr, _ = digits
    keep = ytr < 2
    m = MLPClassifier((8,), max_iter=20, tol=None, random_state=0)
    m.fit(Xtr[keep], np.array(["zero", "one"])[ytr[keep]])
    p = m.predict_proba(Xtr[keep])
    assert p.shape == (int(keep.sum()), 2) and m.n_outputs_ == 1
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(m.predict_log_proba(Xtr[keep])), p, rtol=1e-6)
    assert np.array_equal(m.predict(Xtr[keep]), m.classes_[np.argmax(p, axis=1)])


def test_pipeline_and_grid_search(digits):
    Xtr, Xte, ytr, yte = digits
    pipe = make_pipeline(
        StandardScaler(), MLPClassifier(learning_rate=0.05, max_iter=15, tol=None, random_state=0)
    )
    grid = GridSearchCV(pipe, {"mlpclassifier__hidden_layer_sizes": [(2,), (32,)]}, cv=2)
    grid.fit(Xtr, ytr)
    assert grid.best_params_["mlpclassifier__hidden_layer_sizes"] == (32,)
    assert grid.score(Xte, yte) > 0.9


def test_bad_input(digits):
    Xtr, _, ytr, _ = digits
    Xn = Xtr.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MLPClassifier().fit(Xn, ytr)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        MLPClassifier().fit(Xtr, ytr[:-1])
    with pytest.raises(ValueError, match="at least 2 classes"):
        MLPClassifier().fit(Xtr, np.zeros(len(ytr)))
    with pytest.raises(ValueError, match="Unknown label type"):
        MLPClassifier().fit(Xtr, Xtr[:, 3] + 0.5)
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(Xtr)
    with pytest.raises(NotFittedError):
        MLPRegressor().predict(Xtr)
    m = MLPClassifier((4,), max_iter=1, tol=None).fit(Xtr, ytr)
    with pytest.raises(ValueError, match="features"):
        m.predict(Xtr[:, :5])
    with pytest.raises(ValueError, match="activation"):
        MLPClassifier(activation="sign").fit(Xtr, ytr)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        MLPClassifier(hidden_layer_sizes=(10, 0)).fit(Xtr, ytr)
    with pytest.raises(ValueError, match="dtype"):
        MLPRegressor(dtype="int32").fit(Xtr, Xtr[:, 0])
    with pytest.raises(ValueError, match="diverged"):
        MLPRegressor(learning_rate=10.0, max_iter=50, tol=None).fit(Xtr, 1e3 * Xtr[:, 0])
