"""Issue 20, items 1, 4 and 7: how the network estimators score, stop early and split.

Item 1: every scoring path runs in evaluation mode (dropout off), draws nothing from the
dropout generators and holds one batch of the held-out set at a time. Item 4: evaluating
or fitting on no samples is a clear ValueError. Item 7: early stopping as scikit-learn's
MLPs do it (stratified split, refused partial_fit, best epoch kept when a run diverges,
best_loss_ / best_validation_score_).
"""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.neural_network import MLPRegressor as SkMLPRegressor

from byhand import fit, nn, optim
from byhand._network_base import NetworkEstimator, _BestEpoch
from byhand.neural_network import CNNClassifier, MLPClassifier, MLPRegressor
from byhand.nn.dropout import Dropout, set_training
from byhand.training import evaluate


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:300] / 16.0).astype(np.float32), y[:300]


def _spy_split(monkeypatch):
    """Record the held-out (X, y) that early stopping splits off."""
    seen = {}
    original = NetworkEstimator._split

    def split(self, X, y, sw, rng):
        out = original(self, X, y, sw, rng)
        seen["train"], seen["val"] = (out[0], out[1]), (out[3][0], out[3][1])
        return out

    monkeypatch.setattr(NetworkEstimator, "_split", split)
    return seen


def _eval_accuracy(model, X, y_idx):
    """Accuracy of the model in evaluation mode, set here (not by the code under test)."""
    modes = [(m, m.training) for m in model._walk()]
    set_training(model, False)
    try:
        z = np.asarray(model.forward(X), dtype=np.float64)
    finally:
        for m, flag in modes:
            m.training = flag
    return float(np.mean(np.argmax(z, axis=1) == y_idx))


# -- item 1: evaluation mode ----------------------------------------------------------------
def test_cnn_validation_scores_are_the_eval_mode_accuracies_and_the_best_is_restored(
    digits, monkeypatch
):
    """CNNClassifier(dropout=0.5, early_stopping=True): validation_scores_[k] is the accuracy
    of epoch k's weights with dropout off (computed here, independently, after each epoch),
    and the returned weights score best_validation_score_ through predict."""
    X, y = digits
    seen = _spy_split(monkeypatch)
    per_epoch = []

    def probe(state):
        Xv, yv = seen["val"]
        per_epoch.append(_eval_accuracy(state.model, Xv, yv))

    clf = CNNClassifier(
        ((4, 3, 1),), (32,), dropout=0.5, early_stopping=True, max_iter=6, tol=None,
        learning_rate=0.1, random_state=0,
    )  # fmt: skip
    clf.fit(X, y, callbacks=[probe])
    assert clf.validation_scores_ == pytest.approx(per_epoch, abs=1e-12)
    assert clf.best_validation_score_ == max(per_epoch)
    Xv, yv = seen["val"]
    assert clf.score(Xv, clf.classes_[yv]) == pytest.approx(clf.best_validation_score_)


def _dropout_net(seed=0):
    return nn.Sequential(
        nn.Linear(5, 16, random_state=seed, dtype=np.float64),
        nn.ReLU(),
        Dropout(0.5, random_state=seed + 1),
        nn.Linear(16, 3, random_state=seed + 2, dtype=np.float64),
    )


def test_a_callback_that_scores_the_model_changes_nothing_in_training(rng):
    """byhand.fit runs callbacks in evaluation mode: a callback that scores the model draws
    no dropout mask, so the run's weights are those of a run without it."""
    X, y = rng.standard_normal((60, 5)), rng.integers(0, 3, 60)
    runs = []
    for callbacks in ((), (lambda state: state.model.forward(X[:40]) is None,)):
        net = _dropout_net()
        opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        fit(net, nn.CrossEntropyLoss(), opt, X, y, epochs=3, batch_size=16,
            callbacks=callbacks, verbose=0, random_state=0)  # fmt: skip
        runs.append([p.data.copy() for p in net.parameters()])
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_scoring_draws_nothing_from_the_dropout_generators(digits, monkeypatch):
    """The generators' states before and after each validation pass are the same, and
    predict / predict_proba / score leave the fitted generators as they are."""
    X, y = digits
    passes = []
    original = _BestEpoch.on_epoch_end

    def watched(self, state):
        gens = [m.generator for m in state.model._walk() if isinstance(m, Dropout)]
        before = [g.bit_generator.state for g in gens]
        original(self, state)
        passes.append(before == [g.bit_generator.state for g in gens])

    monkeypatch.setattr(_BestEpoch, "on_epoch_end", watched)
    clf = CNNClassifier(
        ((4, 3, 1),), (16,), dropout=0.5, early_stopping=True, max_iter=3, tol=None,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    assert passes == [True] * 3
    states = [g.bit_generator.state for g in clf._dropout_rngs]
    clf.predict(X[:50]), clf.predict_proba(X[:50]), clf.score(X[:50], y[:50])
    assert [g.bit_generator.state for g in clf._dropout_rngs] == states


def _validation_peak(n_val, chunk=32):
    rng = np.random.default_rng(0)
    clf = CNNClassifier(((8, 3, 1),), (16,), dropout=0.5, random_state=0)
    net = clf._build(16 * 16, 10, np.random.default_rng(0), np.dtype(np.float32))
    X = rng.random((n_val, 1, 16, 16), dtype=np.float32)
    keeper = _BestEpoch(net, X, rng.integers(0, 10, n_val), None, clf._validation_score, chunk)
    tracemalloc.start()
    try:
        keeper.on_epoch_end(None)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_validation_pass_holds_one_batch_not_the_whole_held_out_set():
    """Peak memory of a validation pass over 16 batches is about that over 2 batches (it
    grows with the held-out set by its logits only), not 8 times it."""
    small, large = _validation_peak(64), _validation_peak(512)
    assert large < 1.5 * small + 512 * 10 * 8


# -- item 4: no samples ----------------------------------------------------------------------
def test_evaluate_on_no_samples_is_a_clear_value_error():
    net = _dropout_net()
    for loss, y in ((nn.CrossEntropyLoss(), np.zeros(0, int)), (nn.MSELoss(), np.zeros((0, 3)))):
        with pytest.raises(ValueError, match="evaluate: X has 0 samples"):
            evaluate(net, loss, np.zeros((0, 5)), y)


def test_evaluate_checks_its_inputs(rng):
    net, X = _dropout_net(), rng.standard_normal((10, 5))
    with pytest.raises(ValueError, match="same number of samples"):
        evaluate(net, nn.CrossEntropyLoss(), X, np.zeros(9, int))
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        evaluate(net, nn.CrossEntropyLoss(), X, np.zeros(10, int), batch_size=0)
    loss, acc = evaluate(net, nn.CrossEntropyLoss(), X, np.zeros(10, int), batch_size=3)
    set_training(net, False)
    z = net.forward(X)
    assert acc == np.mean(np.argmax(z, axis=1) == 0)
    assert loss == pytest.approx(np.mean(np.log(np.exp(z).sum(axis=1)) - z[:, 0]), rel=1e-12)


def test_fit_on_no_samples_or_no_validation_samples_is_a_clear_value_error(rng):
    net = _dropout_net()
    opt = optim.SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="fit: X has 0 samples"):
        fit(net, nn.CrossEntropyLoss(), opt, np.zeros((0, 5)), np.zeros(0, int), epochs=1,
            verbose=0)  # fmt: skip
    X, y = rng.standard_normal((10, 5)), rng.integers(0, 3, 10)
    with pytest.raises(ValueError, match="fit validation_data: X has 0 samples"):
        fit(net, nn.CrossEntropyLoss(), opt, X, y, epochs=1, verbose=0,
            validation_data=(np.zeros((0, 5)), np.zeros(0, int)))  # fmt: skip


# -- item 7: early stopping ------------------------------------------------------------------


@pytest.mark.parametrize("labels", [(0, 1), (0, 1, 2)])
def test_the_validation_split_is_stratified(monkeypatch, labels):
    """Each class goes to training and validation in its proportion, within one sample
    (scikit-learn's stratified train_test_split), for every seed: a rare class (3 of 12)
    always keeps a sample in training. An unstratified split sends all three to
    validation for some seeds, and the network never sees the class."""
    X = np.random.default_rng(0).standard_normal((12, 3))
    y = np.array([labels[0]] * 9 + [labels[-1]] * 3)
    if len(labels) == 3:
        y[:3] = labels[1]
    seen = _spy_split(monkeypatch)
    for seed in range(40):
        MLPClassifier((3,), early_stopping=True, validation_fraction=0.5, max_iter=1,
                      tol=None, random_state=seed).fit(X, y)  # fmt: skip
        train, val = seen["train"][1], seen["val"][1]
        assert train.size == val.size == 6
        for c in np.unique(train.tolist() + val.tolist()):
            n_c = np.count_nonzero(train == c) + np.count_nonzero(val == c)
            assert abs(np.count_nonzero(train == c) - n_c / 2) <= 0.5, (seed, c)


@pytest.mark.parametrize("cls", [MLPClassifier, CNNClassifier])
@pytest.mark.parametrize("others", [("a",), ("a", "b")])
def test_a_class_too_rare_to_stratify_is_a_clear_error(cls, others):
    """The issue's 4 samples of [0, 0, 0, 1] and its kin: a class of one sample cannot be
    in both parts. scikit-learn refuses the binary case with its generic message (it
    stratifies binary targets only: the multiclass ones are one-hot when it splits)."""
    X = np.random.default_rng(0).standard_normal((40, 4))
    y = np.array([others[i % len(others)] for i in range(39)] + ["rare"])
    match = r"at least 2 samples of every class; class 'rare' \(1\) has fewer"
    with pytest.raises(ValueError, match=match):
        cls(early_stopping=True, validation_fraction=0.1, max_iter=1).fit(X, y)
    if len(others) == 1:
        with pytest.raises(ValueError, match="least populated class"):
            SkMLP(early_stopping=True, validation_fraction=0.1, max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match=r"class 1 \(1\) has fewer"):
        cls(early_stopping=True, validation_fraction=0.5, max_iter=1).fit(X[:4], [0, 0, 0, 1])


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor, CNNClassifier])
def test_a_validation_set_of_one_sample_is_a_clear_error(cls):
    """10 samples × 0.1 = 1 held-out sample: too few to score (scikit-learn: "The
    validation set is too small")."""
    X = np.random.default_rng(0).standard_normal((10, 4))
    y = np.arange(10) % 2
    with pytest.raises(ValueError, match="needs at least 2 samples to be scored"):
        cls(early_stopping=True, validation_fraction=0.1, max_iter=1).fit(X, y)
    sk = SkMLPRegressor if cls is MLPRegressor else SkMLP
    with pytest.raises(ValueError, match="too small|test_size = 1"):
        sk(early_stopping=True, validation_fraction=0.1, max_iter=1).fit(X, y)


def test_stratification_needs_each_class_in_both_parts():
    X = np.random.default_rng(0).standard_normal((30, 4))
    y = np.arange(30) % 5  # 5 classes, 6 samples each; 0.1 holds out 3 < 5
    with pytest.raises(ValueError, match="each of the 5 classes in the validation set"):
        MLPClassifier(early_stopping=True, validation_fraction=0.1, max_iter=1).fit(X, y)


@pytest.mark.parametrize(
    ("cls", "sk", "kw"),
    [(MLPClassifier, SkMLP, {"classes": [0, 1]}), (MLPRegressor, SkMLPRegressor, {}),
     (CNNClassifier, SkMLP, {"classes": [0, 1]})],
)  # fmt: skip
def test_partial_fit_with_early_stopping_is_refused_as_in_scikit_learn(cls, sk, kw):
    X = np.random.default_rng(0).standard_normal((20, 4))
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        sk(early_stopping=True).partial_fit(X, y, **kw)
    est = cls(early_stopping=True)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        est.partial_fit(X, y, **kw)
    assert not hasattr(est, "coefs_") and not hasattr(est, "n_features_in_")


def test_a_run_diverging_after_its_best_epoch_returns_that_epoch_with_a_warning():
    """Weights blown up after epoch 3 make epoch 4's loss non-finite: fit warns and returns
    the best epoch's weights, equal to those of the same run stopped after that epoch."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, 4))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    params = dict(hidden_layer_sizes=(16,), learning_rate=0.2, early_stopping=True,
                  max_iter=10, tol=None, random_state=2)  # fmt: skip

    def blow_up(state):
        if state.epoch == 3:
            for p in state.model.parameters():
                p.data *= np.float32(1e30)

    with pytest.warns(ConvergenceWarning, match="diverged .* epoch 4.*returning the weights"):
        m = MLPClassifier(**params).fit(X, y, callbacks=[blow_up])
    assert m.n_iter_ == 3 and len(m.validation_scores_) == 3
    best = int(np.argmax(m.validation_scores_)) + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        upto = MLPClassifier(**{**params, "max_iter": best}).fit(X, y)
    for a, b in zip(m.coefs_ + m.intercepts_, upto.coefs_ + upto.intercepts_, strict=True):
        np.testing.assert_array_equal(a, b)
    assert all(np.all(np.isfinite(a)) for a in m.coefs_)
    m.set_params(early_stopping=False).partial_fit(X, y)  # continues from finite momentum
    assert all(np.all(np.isfinite(a)) for a in m.coefs_)


def test_divergence_before_any_scored_epoch_is_still_an_error():
    X = np.random.default_rng(1).standard_normal((50, 4)) * 1e18
    y = np.arange(50) % 2
    with pytest.raises(ValueError, match="training diverged"):
        MLPClassifier((8,), learning_rate=10.0, batch_size=5, early_stopping=True,
                      max_iter=5, tol=None, random_state=0).fit(X, y)  # fmt: skip


@pytest.mark.parametrize(("cls", "sk"), [(MLPClassifier, SkMLP), (MLPRegressor, SkMLPRegressor)])
def test_best_loss_and_best_validation_score_as_in_scikit_learn(cls, sk):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 3))
    y = (X[:, 0] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for early in (True, False):
            ours = cls((4,), early_stopping=early, max_iter=5, tol=None, random_state=0)
            theirs = sk(hidden_layer_sizes=(4,), early_stopping=early, max_iter=5, random_state=0)
            ours.fit(X, y), theirs.fit(X, y)
            if early:
                assert ours.best_loss_ is None and theirs.best_loss_ is None
                assert ours.best_validation_score_ == max(ours.validation_scores_)
                assert theirs.best_validation_score_ == max(theirs.validation_scores_)
            else:
                assert ours.best_loss_ == min(ours.loss_curve_)
                assert theirs.best_loss_ == min(theirs.loss_curve_)
                for est in (ours, theirs):
                    assert est.validation_scores_ is None and est.best_validation_score_ is None


# one epoch on purpose: the ConvergenceWarning is expected
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_a_part_of_the_split_without_positive_weight_is_a_clear_error(cls):
    """Only 2 of 20 samples weigh anything: one part of a 4-sample held-out split or of
    the training split gets none of them, and its mean (or score) would divide by 0."""
    X = np.random.default_rng(0).standard_normal((20, 3))
    y = np.arange(20) % 2
    for seed in range(6):
        sw = np.zeros(20)
        pick = np.random.default_rng(seed).integers(0, 10, 2)
        sw[[2 * pick[0], 2 * pick[1] + 1]] = 1.0  # one sample of each class
        est = cls((3,), early_stopping=True, validation_fraction=0.2, max_iter=1, random_state=0)
        try:
            est.fit(X, y, sample_weight=sw)
        except ValueError as e:
            assert "holds only samples of sample_weight 0" in str(e)
        else:  # both parts got a positive weight: the scores are finite
            assert np.all(np.isfinite(est.validation_scores_))


def test_r2_of_constant_targets_follows_scikit_learn_not_nan(rng):
    """evaluate's and fit's R² on targets that do not vary (SST = 0): scikit-learn's
    r2_score gives 0.0 (1.0 for a perfect fit), where 1 − SSE/0 was a silent NaN."""
    from sklearn.metrics import r2_score

    net = nn.Sequential(nn.Linear(3, 1, random_state=0, dtype=np.float64))
    X, y = rng.standard_normal((12, 3)), np.full((12, 1), 2.0)
    set_training(net, False)
    expected = r2_score(y, net.forward(X))
    assert evaluate(net, nn.MSELoss(), X, y)[1] == expected == 0.0
    hist = fit(net, nn.MSELoss(), optim.SGD(net.parameters(), lr=0.01), X, y, epochs=1,
               validation_data=(X, y), verbose=0)  # fmt: skip
    assert hist.metric == [0.0] and hist.val_metric == [0.0]
    net[0].weight.data[...] = 0.0
    net[0].bias.data[...] = 2.0
    assert evaluate(net, nn.MSELoss(), X, y)[1] == r2_score(y, net.forward(X)) == 1.0


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_fit_names_the_sample_of_a_nan_as_given(kind):
    """NaN/inf in X is named by its sample and feature in the caller's X, also with a
    validation split (byhand.fit sees the rows split and shuffled; it had named only the
    feature, found by a fresh user), as predict names them."""
    from byhand import CNNClassifier, MLPClassifier

    rng = np.random.default_rng(0)
    X = rng.random((30, 1, 6, 6)).astype(np.float32)
    y = np.arange(30) % 2
    X[17, 0, 2, 3] = np.nan
    est = (
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=1, early_stopping=True)
        if kind == "mlp"
        else CNNClassifier(
            conv_layers=((2, 3, 1),), dense_layers=(4,), max_iter=1, early_stopping=True
        )
    )
    data = X.reshape(30, -1) if kind == "mlp" else X
    where = "feature 15" if kind == "mlp" else r"pixel \(0, 2, 3\)"
    with pytest.raises(ValueError, match=rf"X contains NaN in {where} of sample 17$"):
        est.fit(data, y)
