"""Predictions do not depend on the other rows of the call (issue 11 item 6), on any BLAS
kernel: every row predicted alone, in a random subset or in a shuffled batch equals, bit for
bit, its prediction in the full batch — for every estimator of the registry and every
method that predicts — and scikit-learn's ``check_methods_subset_invariance`` passes.

The same tests run again in subprocesses with OpenBLAS forced to other kernels
(``OPENBLAS_CORETYPE``), checked with threadpoolctl.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.utils.estimator_checks import check_methods_subset_invariance

from byhand import estimators_registry as reg

METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function", "transform")
SMALL = {
    "mlp-classifier": {"hidden_layer_sizes": (37, 19), "max_iter": 20, "random_state": 0},
    "mlp-regressor": {"hidden_layer_sizes": (37, 19), "max_iter": 20, "random_state": 0},
    "knn": {"n_neighbors": 5},
}


def _data(name: str, n: int = 203, d: int = 13):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((n, d)) * rng.uniform(0.5, 2, d)
    if name in reg.REGRESSORS:
        y = (X @ rng.standard_normal(d)) / 4 + rng.standard_normal(n) / 10
    elif name in ("perceptron", "logistic-regression", "linear-svm"):
        y = (X[:, 0] + X[:, 1] > 0).astype(int)
    else:
        y = np.digitize(X[:, 0] + X[:, 1], [-2.0, 2.0])
    return X, y


def _fitted(name: str):
    est = reg.create(name, **SMALL.get(name, {}))
    X, y = _data(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    return est, X


def _kernel() -> str:
    from threadpoolctl import threadpool_info

    return next(
        (i.get("architecture", "") for i in threadpool_info() if i["internal_api"] == "openblas"),
        "",
    )


def test_the_requested_kernel_is_active():
    want = os.environ.get("OPENBLAS_CORETYPE")
    if want:
        assert _kernel().lower() == want.lower()


@pytest.mark.parametrize("name", reg.names())
def test_each_row_alone_equals_the_full_batch(name):
    est, X = _fitted(name)
    rng = np.random.default_rng(1)
    checked = 0
    for method in METHODS:
        f = getattr(est, method, None)
        if f is None:
            continue
        full = f(X)
        for i in range(X.shape[0]):
            np.testing.assert_array_equal(f(X[i : i + 1])[0], full[i], err_msg=f"{method} row {i}")
        for size in (2, 17, 64, 100, 150):
            sub = np.sort(rng.choice(X.shape[0], size, replace=False))
            np.testing.assert_array_equal(f(X[sub]), full[sub], err_msg=f"{method} subset")
        perm = rng.permutation(X.shape[0])
        np.testing.assert_array_equal(f(X[perm]), full[perm], err_msg=f"{method} shuffled")
        checked += 1
    assert checked


@pytest.mark.parametrize("name", reg.names())
def test_scikit_learn_subset_invariance(name):
    est = reg.create(name, **SMALL.get(name, {}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_methods_subset_invariance(type(est).__name__, est)


def test_float32_mlp_regressor_on_wide_layers():
    """The report's case: a float32 MLPRegressor, rows alone against the batch."""
    from byhand import MLPRegressor

    rng = np.random.default_rng(0)
    X = rng.standard_normal((500, 64)).astype(np.float32)
    y = X @ rng.standard_normal(64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MLPRegressor(hidden_layer_sizes=(256, 128), max_iter=3, random_state=0).fit(X, y)
    assert est.coefs_[0].dtype == np.float32
    full = est.predict(X)
    alone = np.array([est.predict(X[i : i + 1])[0] for i in range(X.shape[0])])
    np.testing.assert_array_equal(alone, full)
    mask = rng.random(500) < 0.5
    np.testing.assert_array_equal(est.predict(X[mask]), full[mask])


@pytest.mark.skipif(os.environ.get("OPENBLAS_CORETYPE") is not None, reason="already a child")
@pytest.mark.parametrize("coretype", ["Haswell", "Sandybridge"])
def test_in_a_subprocess_on_other_kernels(coretype):
    env = {**os.environ, "OPENBLAS_CORETYPE": coretype}
    here = Path(__file__)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", str(here), "-k", "alone or kernel or wide"],
        env=env,
        cwd=here.parents[1],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout
