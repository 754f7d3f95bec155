"""The parallel compiled loops (convolution, col2im, 2 × 2 max pooling): the same bits on
one thread and on several, one launch at a time when called from many Python threads (the
"workqueue" layer would abort the process on concurrent launches), and ``one_blas_thread``
limiting them to one thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from byhand import kernels, nn
from byhand._validation import one_blas_thread

numba = pytest.importorskip("numba")


def _lenet_step(x: np.ndarray) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    net = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2, random_state=rng),
        nn.MaxPool2d(2),
        nn.ReLU(),
        nn.Conv2d(6, 16, 5, random_state=rng),
        nn.MaxPool2d(2),
    )
    y = net.forward(x)
    gx = net.backward(np.cos(y))
    return [y.copy(), gx.copy(), *(p.grad.copy() for p in net.parameters())]


@pytest.fixture()
def images() -> np.ndarray:
    return np.random.default_rng(1).standard_normal((9, 1, 28, 28)).astype(np.float32)


def test_same_bits_on_one_and_two_threads(images):
    with kernels.using("numba"):
        with kernels.threads(1):
            one = _lenet_step(images)
        with kernels.threads(2):
            two = _lenet_step(images)
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)


def test_concurrent_python_threads_get_the_serial_result(images):
    with kernels.using("numba"):
        want = _lenet_step(images)
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: _lenet_step(images), range(8)))
    for got in results:
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)


def test_one_thread_by_default_and_one_blas_thread_limits_the_compiled_loops():
    with kernels.using("numba"):
        assert kernels.current_threads() == 1
        with kernels.threads(2):
            assert kernels.current_threads() == min(2, numba.config.NUMBA_NUM_THREADS)
            with one_blas_thread():
                assert kernels.current_threads() == 1
            assert kernels.current_threads() == min(2, numba.config.NUMBA_NUM_THREADS)
        assert kernels.current_threads() == 1


def test_threads_on_numpy_backend_is_a_no_op():
    with kernels.using("numpy"), kernels.threads(1):
        assert kernels.backend() == "numpy"


def test_cnn_classifier_n_jobs():
    """``n_jobs`` as scikit-learn's: None and 1 agree bit for bit, −1 to float rounding
    (BLAS splits its products among threads); 0, 1.5 and True are refused by name."""
    from byhand import CNNClassifier

    rng = np.random.default_rng(0)
    X = rng.random((40, 1, 12, 12)).astype(np.float32)
    y = np.arange(40) % 3

    def fit(n_jobs):
        est = CNNClassifier(
            conv_layers=((4, 5, 2),),
            dense_layers=(8,),
            max_iter=2,
            tol=None,
            batch_size=8,
            random_state=0,
            n_jobs=n_jobs,
        )
        return est.fit(X, y).predict_proba(X)

    p1 = fit(None)
    np.testing.assert_array_equal(p1, fit(1))
    np.testing.assert_allclose(fit(-1), p1, rtol=1e-4, atol=1e-6)
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="n_jobs must be None or a non-zero integer"):
            CNNClassifier(n_jobs=bad).fit(X, y)


def test_fit_runs_one_blas_thread_for_networks_with_parallel_loops(monkeypatch):
    """A network holding Conv2d or MaxPool2d trains with BLAS on one thread (OpenBLAS's
    spinning workers and OpenMP's fight over the cores); an MLP keeps BLAS's threads."""
    from threadpoolctl import threadpool_info

    from byhand import fit, optim

    seen = []

    class Probe(nn.Module):
        def forward(self, x):
            seen.append(
                max(
                    (p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"),
                    default=1,
                )
            )
            return x

        def backward(self, grad_out):
            return grad_out

    rng = np.random.default_rng(0)
    X = rng.standard_normal((8, 1, 6, 6)).astype(np.float32)
    y = np.arange(8) % 2
    cnn = nn.Sequential(
        nn.Conv2d(1, 2, 3, random_state=0),
        nn.MaxPool2d(2),
        Probe(),
        nn.Flatten(),
        nn.Linear(8, 2, random_state=0),
    )
    mlp = nn.Sequential(nn.Flatten(), Probe(), nn.Linear(36, 2, random_state=0))
    assert cnn.parallel_loops and not mlp.parallel_loops
    with kernels.using("numba"), kernels.threads(2):
        for net in (cnn, mlp):
            seen.clear()
            opt = optim.SGD(net.parameters(), lr=0.1)
            fit(net, nn.CrossEntropyLoss(), opt, X, y, epochs=1, batch_size=4, verbose=0)
            threads = set(seen[1:])  # seen[0]: fit's shape probe, outside the loop
            if net is cnn:
                assert threads == {1}
            else:
                import os

                assert (
                    threads
                    == {max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")}
                    or os.cpu_count() == 1
                )


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_threads_refuses_what_is_not_a_positive_integer(bad):
    with pytest.raises(ValueError, match="n must be None or an integer >= 1"):
        with kernels.threads(bad):
            pass
