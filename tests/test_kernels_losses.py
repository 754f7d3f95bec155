"""The softmax cross-entropy kernel against its oracle, the NumPy path of
``nn.CrossEntropyLoss`` (to float rounding: exp and log may differ in the last bit), and both
against the definition ℓ = logsumexp(z) − z_y, ∂ℓ/∂z = (softmax(z) − onehot(y))/N computed in
float64 with SciPy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import log_softmax, softmax

from byhand import kernels
from byhand.nn import CrossEntropyLoss

pytest.importorskip("numba")


def _run(z: np.ndarray, y: np.ndarray, name: str) -> tuple[float, np.ndarray, int]:
    with kernels.using(name):
        loss = CrossEntropyLoss()
        value = loss._forward(z, y)
        correct = loss._count_correct(z, y)
        return value, loss.backward().copy(), correct


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_kernel_equals_numpy_path_and_the_definition(dtype):
    rng = np.random.default_rng(24)
    tol = {np.float32: 2e-6, np.float64: 1e-14}[dtype]
    for n, k in [(1, 1), (1, 10), (7, 3), (128, 10), (33, 100)]:
        for layout in ("c", "strided"):
            base = (rng.standard_normal((n, 2 * k)) * 30).astype(dtype)
            base[rng.random(base.shape) < 0.2] = 50  # ties for the argmax
            z = np.ascontiguousarray(base[:, :k]) if layout == "c" else base[:, ::2]
            y = rng.integers(0, k, n)
            v_np, g_np, c_np = _run(z, y, "numpy")
            v_nb, g_nb, c_nb = _run(z, y, "numba")
            assert g_nb.dtype == g_np.dtype == dtype
            assert c_nb == c_np  # the same first argmax
            z64 = z.astype(np.float64)
            want = -np.mean(log_softmax(z64, axis=1)[np.arange(n), y])
            want_g = softmax(z64, axis=1)
            want_g[np.arange(n), y] -= 1
            want_g /= n
            assert v_nb == pytest.approx(v_np, rel=tol, abs=tol)
            assert v_nb == pytest.approx(want, rel=10 * tol, abs=10 * tol)
            np.testing.assert_allclose(g_nb, g_np, rtol=tol, atol=tol / n)
            np.testing.assert_allclose(g_nb, want_g, rtol=10 * tol, atol=10 * tol / n)


def test_cross_entropy_kernel_nan_logits_and_empty_batch_as_numpy():
    z = np.array([[1.0, np.nan, 3.0, np.nan], [2.0, 1.0, np.inf, 0.0]], np.float32)
    y = np.array([0, 1])
    with np.errstate(invalid="ignore"):
        v_np, _, c_np = _run(z, y, "numpy")
        v_nb, _, c_nb = _run(z, y, "numba")
    assert np.isnan(v_np) and np.isnan(v_nb)
    assert c_nb == c_np  # np.argmax: the first NaN, the inf
    empty = np.zeros((0, 4), np.float32)
    none = np.zeros(0, np.intp)
    for name in ("numpy", "numba"):
        value, grad, _ = _run(empty, none, name)
        assert np.isnan(value) and grad.shape == (0, 4)
