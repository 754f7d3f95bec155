"""Issue 20, item 6: read-only and memory-mapped data and models.

The network estimators and ``byhand.fit`` work on read-only X, y and sample weights and on
read-only fitted arrays (``joblib.load(path, mmap_mode="r")``, an array frozen with
``flags.writeable = False``): what training must change is copied once, and no array the
caller gave is ever written (the memory-mapped file stays as it was).
"""

from __future__ import annotations

import hashlib
import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from byhand import fit, nn, optim
from byhand.neural_network import CNNClassifier, MLPClassifier, MLPRegressor
from byhand.nn.dropout import Dropout
from byhand.training import restore

ESTIMATORS = {
    "mlp-classifier": lambda: MLPClassifier((6,), max_iter=3, tol=None, random_state=0),
    "mlp-regressor": lambda: MLPRegressor((6,), max_iter=3, tol=None, random_state=0),
    "cnn-sgd": lambda: CNNClassifier(
        ((2, 3, 1),), (6,), dropout=0.3, max_iter=2, tol=None, random_state=0
    ),
    "cnn-adam": lambda: CNNClassifier(
        ((2, 3, 1),), (6,), solver="adam", max_iter=2, tol=None, random_state=0
    ),
}


def _data(name):
    rng = np.random.default_rng(0)
    X = rng.random((48, 16)).astype(np.float32)
    y = X[:, 0] * 3 if name == "mlp-regressor" else np.arange(48) % 3
    return X, y


def _read_only(*arrays):
    out = []
    for a in arrays:
        a = np.array(a)
        a.flags.writeable = False
        out.append(a)
    return out


def _fitted(est):
    return [np.array(a) for a in est._coef_arrays()]


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_partial_fit_and_warm_start_after_joblib_load_with_mmap(name, tmp_path):
    """After joblib.load(mmap_mode="r") partial_fit and a warm-started fit run, give the
    weights the in-memory model gives, and leave the file untouched."""
    X, y = _data(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = ESTIMATORS[name]().fit(X, y)
        path = tmp_path / "model.joblib"
        joblib.dump(est, path)
        digest = _sha(path)
        mapped = joblib.load(path, mmap_mode="r")
        assert not mapped.coefs_[0].flags.writeable  # the case under test
        in_memory = pickle.loads(pickle.dumps(est))
        mapped.partial_fit(X, y)
        in_memory.partial_fit(X, y)
        for a, b in zip(_fitted(mapped), _fitted(in_memory), strict=True):
            np.testing.assert_array_equal(a, b)
        again = joblib.load(path, mmap_mode="r").set_params(warm_start=True).fit(X, y)
        fresh = pickle.loads(pickle.dumps(est)).set_params(warm_start=True).fit(X, y)
        for a, b in zip(_fitted(again), _fitted(fresh), strict=True):
            np.testing.assert_array_equal(a, b)
    assert _sha(path) == digest


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_read_only_inputs_are_read_and_never_written(name):
    """fit (with early stopping and sample weights), partial_fit, predict, predict_proba
    and score on read-only X, y and sample_weight give what writable copies give."""
    X, y = _data(name)
    sw = np.linspace(0.5, 1.5, len(X))
    Xr, yr, swr = _read_only(X, y, sw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for params in ({}, {"early_stopping": True, "validation_fraction": 0.25}):
            a = ESTIMATORS[name]().set_params(**params).fit(Xr, yr, sample_weight=swr)
            b = ESTIMATORS[name]().set_params(**params).fit(X.copy(), y.copy(), sw.copy())
            for u, v in zip(_fitted(a), _fitted(b), strict=True):
                np.testing.assert_array_equal(u, v)
        kw = {} if name == "mlp-regressor" else {"classes": [0, 1, 2]}
        a = ESTIMATORS[name]().partial_fit(Xr, yr, **kw).partial_fit(Xr, yr)
        for u, v in zip(_fitted(a), _fitted(b), strict=False):
            assert u.shape == v.shape
        np.testing.assert_array_equal(a.predict(Xr), a.predict(X.copy()))
        if name != "mlp-regressor":
            np.testing.assert_array_equal(a.predict_proba(Xr), a.predict_proba(X.copy()))
        assert a.score(Xr, yr) == a.score(X.copy(), y.copy())
    for given, copy in ((Xr, X), (yr, y), (swr, sw)):
        np.testing.assert_array_equal(given, copy)


def test_a_frozen_fitted_array_is_copied_not_written():
    X, y = _data("mlp-classifier")
    est = MLPClassifier((6,), max_iter=2, tol=None, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    frozen = est.coefs_[0]
    frozen.flags.writeable = False
    kept = frozen.copy()
    est.partial_fit(X, y)
    np.testing.assert_array_equal(frozen, kept)
    assert est.coefs_[0] is not frozen and not np.array_equal(est.coefs_[0], kept)


def _net():
    return nn.Sequential(
        nn.Linear(4, 8, random_state=0, dtype=np.float64),
        nn.ReLU(),
        Dropout(0.2, random_state=1),
        nn.Linear(8, 3, random_state=2, dtype=np.float64),
    )


def test_byhand_fit_trains_a_model_with_read_only_parameters(rng):
    """Read-only parameter arrays (a model built on memory-mapped weights) are copied
    before the first step: training gives what it gives on writable ones, and the arrays
    given keep their values. A checkpoint restores into such a model too."""
    X, y = rng.standard_normal((30, 4)), rng.integers(0, 3, 30)
    Xr, yr = _read_only(X, y)
    runs = []
    for freeze in (False, True):
        net = _net()
        given = [p.data for p in net.parameters()]
        if freeze:
            for a in given:
                a.flags.writeable = False
        kept = [a.copy() for a in given]
        opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        fit(net, nn.CrossEntropyLoss(), opt, Xr, yr, epochs=2, batch_size=8, verbose=0,
            random_state=0)  # fmt: skip
        runs.append([p.data.copy() for p in net.parameters()])
        for a, b in zip(given, kept, strict=True):
            if freeze:
                np.testing.assert_array_equal(a, b)
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(Xr, X)
    # a snapshot restored into a model whose arrays are read-only
    net = _net()
    opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    snap = {"params": [a * 2 for a in runs[1]], "optimizer": opt.state_dict(),
            "rng": np.random.default_rng(0).bit_generator.state, "history": {}}  # fmt: skip
    target = _net()
    for p in target.parameters():
        p.data.flags.writeable = False
    restore(snap, target, optim.SGD(target.parameters(), lr=0.1, momentum=0.9))
    for p, a in zip(target.parameters(), snap["params"], strict=True):
        np.testing.assert_array_equal(p.data, a)
