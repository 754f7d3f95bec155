"""The SGD step fused into backward (byhand.optim.fused, byhand.nn._blas) against oracles:
NumPy's own products, the unfused ``SGD.step`` path, and the update written out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from byhand import fit, nn, optim
from byhand.nn import _blas
from byhand.optim.fused import FusedSGDStep

BLAS = _blas.available(np.float32) and _blas.available(np.float64)


def _net(dtype: type = np.float64, seed: int = 0, input_grad: bool = False) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(5, 7, random_state=seed, dtype=dtype),
        nn.Tanh(),
        nn.Linear(7, 6, random_state=seed + 1, dtype=dtype),
        nn.ReLU(),
        nn.Linear(6, 3, random_state=seed + 2, dtype=dtype),
        input_grad=input_grad,
    )


def _data(n: int = 90, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 5))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    return X, y


def test_numpy_blas_is_found_on_this_platform_or_fusing_is_refused() -> None:
    """Either the BLAS binding works, or fit says why it cannot fuse (never a crash)."""
    X, y = _data()
    model = _net()
    opt = optim.SGD(model.parameters(), lr=0.1)
    if BLAS:
        fit(model, nn.CrossEntropyLoss(), opt, X, y, epochs=1, batch_size=16, verbose=0,
            fuse_step=True)  # fmt: skip
        assert opt.k == 6
    else:
        with pytest.raises(ValueError, match="BLAS"):
            fit(model, nn.CrossEntropyLoss(), opt, X, y, epochs=1, verbose=0, fuse_step=True)


@pytest.mark.skipif(not BLAS, reason="NumPy's BLAS library not found")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("trans_a", [False, True])
@pytest.mark.parametrize("trans_b", [False, True])
@pytest.mark.parametrize("beta", [0.0, 1.0, 0.3])
def test_gemm_matches_numpy(dtype: type, trans_a: bool, trans_b: bool, beta: float) -> None:
    rng = np.random.default_rng(3)
    m, n, k = 7, 5, 11
    a = rng.standard_normal((k, m) if trans_a else (m, k)).astype(dtype)
    b = rng.standard_normal((n, k) if trans_b else (k, n)).astype(dtype)
    c0 = rng.standard_normal((m, n)).astype(dtype)
    if beta == 0.0:
        c0[0, 0] = np.nan  # beta = 0 must ignore c's old content
    c = c0.copy()
    _blas.gemm(-0.7, a, b, beta, c, trans_a=trans_a, trans_b=trans_b)
    op_a = a.T if trans_a else a
    op_b = b.T if trans_b else b
    want = -0.7 * (op_a.astype(np.float64) @ op_b) + (beta * c0 if beta else 0.0)
    tol = 1e-5 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(c, want, rtol=tol, atol=tol)


@pytest.mark.skipif(not BLAS, reason="NumPy's BLAS library not found")
def test_column_sums_and_axpy_match_numpy() -> None:
    rng = np.random.default_rng(4)
    a = rng.standard_normal((9, 4))
    y0 = rng.standard_normal(4)
    y = y0.copy()
    _blas.add_column_sums(2.0, a, 0.5, y, np.ones(9))
    np.testing.assert_allclose(y, 2.0 * a.sum(axis=0) + 0.5 * y0, rtol=1e-13)
    x = rng.standard_normal((3, 4))
    z0 = rng.standard_normal((3, 4))
    z = z0.copy()
    _blas.axpy(-3.0, x, z)
    np.testing.assert_allclose(z, z0 - 3.0 * x, rtol=1e-13)


def _train(fuse: bool, averager: bool = False, **sgd: object) -> tuple[list, optim.SGD, object]:
    X, y = _data()
    model = _net()
    opt = optim.SGD(model.parameters(), **sgd)  # type: ignore[arg-type]
    avg = optim.Averager(model.parameters()) if averager else None
    hist = fit(model, nn.CrossEntropyLoss(), opt, X, y, epochs=3, batch_size=16,
               random_state=5, verbose=0, averager=avg, fuse_step=fuse)  # fmt: skip
    out = [p.data.copy() for p in model.parameters()]
    if avg is not None:
        out += [a.copy() for a in avg.averages]
    return out, opt, hist


SETTINGS = [
    {"lr": 0.1},
    {"lr": 0.05, "weight_decay": 0.01},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.02},
    {"lr": optim.exponential(0.2, 0.97), "momentum": 0.3},
]


@pytest.mark.skipif(not BLAS, reason="NumPy's BLAS library not found")
@pytest.mark.parametrize("sgd", SETTINGS, ids=lambda s: ",".join(f"{k}" for k in s))
def test_fused_training_takes_the_same_steps_as_sgd_step(sgd: dict) -> None:
    """float64: the fused and unfused runs agree to rounding (1e-12), momentum state too."""
    fused, opt_f, hist_f = _train(True, averager=True, **sgd)
    plain, opt_p, hist_p = _train(False, averager=True, **sgd)
    for a, b in zip(fused, plain, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert opt_f.k == opt_p.k == 18
    for va, vb in zip(opt_f._velocity, opt_p._velocity, strict=True):
        assert (va is None) == (vb is None)
        if va is not None:
            np.testing.assert_allclose(va, vb, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(hist_f.loss, hist_p.loss, rtol=1e-12)


@pytest.mark.skipif(not BLAS, reason="NumPy's BLAS library not found")
def test_one_fused_step_is_the_update_written_by_hand() -> None:
    """W ← (1 − ε·wd) W − ε Xᵀ G and b ← b − ε Σ G, with the lecture's dℓ/dW = Xᵀ G."""
    rng = np.random.default_rng(6)
    lin = nn.Linear(4, 3, random_state=0, dtype=np.float64)
    W0, b0 = lin.weight.data.copy(), lin.bias.data.copy()
    X, G = rng.standard_normal((8, 4)), rng.standard_normal((8, 3))
    opt = optim.SGD(lin.parameters(), lr=0.3, weight_decay=0.1)
    with opt.fusing() as step:
        step.begin()
        lin.forward(X)
        dX = lin.backward(G)
        step.end()
    np.testing.assert_allclose(lin.weight.data, (1 - 0.03) * W0 - 0.3 * X.T @ G, rtol=1e-13)
    np.testing.assert_allclose(lin.bias.data, b0 - 0.3 * G.sum(axis=0), rtol=1e-13)
    np.testing.assert_allclose(dX, G @ W0.T, rtol=1e-13)  # the input gradient uses the old W
    assert opt.k == 1


@pytest.mark.skipif(not BLAS, reason="NumPy's BLAS library not found")
def test_float32_fused_training_stays_close_and_deterministic() -> None:
    X, y = _data(200)
    runs = []
    for fuse in (True, True, False):
        model = _net(np.float32)
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        fit(model, nn.CrossEntropyLoss(), opt, X.astype(np.float32), y, epochs=2,
            batch_size=32, random_state=2, verbose=0, fuse_step=fuse)  # fmt: skip
        runs.append(np.concatenate([p.data.ravel() for p in model.parameters()]))
    assert np.array_equal(runs[0], runs[1])  # same seed, same path: bit-identical
    np.testing.assert_allclose(runs[0], runs[2], rtol=1e-3, atol=1e-4)


def test_grad_is_not_readable_inside_a_fused_step() -> None:
    lin = nn.Linear(2, 2, dtype=np.float64)
    opt = optim.SGD(lin.parameters(), lr=0.1)
    with opt.fusing() as step:
        step.begin()
        with pytest.raises(RuntimeError, match="fuse_step=False"):
            _ = lin.weight.grad
        step.end()
    assert np.array_equal(lin.weight.grad, np.zeros((2, 2)))  # readable again after


def test_a_parameter_without_gradient_still_decays_and_coasts() -> None:
    """As under SGD.step with g = 0: W ← W − ε(wd·W + μ v)."""
    a = nn.Linear(3, 2, random_state=0, dtype=np.float64)
    b = nn.Linear(3, 2, random_state=1, dtype=np.float64)
    params = a.parameters()
    twins = b.parameters()
    for p, q in zip(params, twins, strict=True):
        q.data[...] = p.data
    o1 = optim.SGD(params, lr=0.1, momentum=0.5, weight_decay=0.2)
    o2 = optim.SGD(twins, lr=0.1, momentum=0.5, weight_decay=0.2)
    X, G = np.ones((4, 3)), np.full((4, 2), 0.25)
    for step_no in range(3):
        with o1.fusing() as step:
            step.begin()
            if step_no == 0:
                a.forward(X)
                a.backward(G)
            step.end()
        b.zero_grad()
        if step_no == 0:
            b.forward(X)
            b.backward(G)
        o2.step()
    for p, q in zip(params, twins, strict=True):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-13)


def test_a_parameter_updated_twice_in_one_step_is_refused() -> None:
    lin = nn.Linear(2, 2, dtype=np.float64)
    opt = optim.SGD(lin.parameters(), lr=0.1)
    X = np.ones((3, 2))
    with opt.fusing() as step:
        step.begin()
        lin.forward(X)
        lin.backward(np.ones((3, 2)))
        with pytest.raises(RuntimeError, match="two gradients"):
            lin.backward(np.ones((3, 2)))


class _ScaledLinear(nn.Module):
    """A user module with a parameter that reads its gradient itself (EE-559 style)."""

    def __init__(self) -> None:
        self.w = nn.Parameter(np.ones((5, 3)))

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x @ self.w.data

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self.w.grad += self.x.T @ grad_out
        return grad_out @ self.w.data.T

    def parameters(self) -> list[nn.Parameter]:
        return [self.w]


def test_modules_that_do_not_declare_support_train_unfused() -> None:
    X, y = _data()
    model = nn.Sequential(_ScaledLinear())
    assert not model.supports_fused_step
    opt = optim.SGD(model.parameters(), lr=0.05)
    with pytest.raises(ValueError, match="supports_fused_step"):
        fit(model, nn.CrossEntropyLoss(), opt, X, y, epochs=1, verbose=0, fuse_step=True)
    fit(model, nn.CrossEntropyLoss(), opt, X, y, epochs=2, batch_size=10, verbose=0)
    assert opt.k == 18  # trained by the plain path, .grad written by the module itself
    assert np.all(np.isfinite(model[0].w.data)) and not np.all(model[0].w.data == 1)


def test_foreign_optimizers_are_not_fused() -> None:
    """(Shared and frozen parameters are fused: tests/test_module_reuse.py.)"""
    X, y = _data()
    model = _net()

    class MySGD(optim.SGD):
        pass

    with pytest.raises(ValueError, match="MySGD"):
        fit(model, nn.CrossEntropyLoss(), MySGD(model.parameters(), lr=0.1), X, y, epochs=1,
            verbose=0, fuse_step=True)  # fmt: skip


def test_fuse_step_must_be_a_bool_or_none() -> None:
    X, y = _data()
    model = _net()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="fuse_step"):
        fit(model, nn.CrossEntropyLoss(), opt, X, y, epochs=1, verbose=0, fuse_step="yes")


def test_fallback_without_blas_gives_the_same_training(monkeypatch: pytest.MonkeyPatch) -> None:
    """With NumPy's BLAS hidden, auto mode trains unfused and reaches the same weights."""
    want, _, _ = _train(False, lr=0.1, momentum=0.9)
    monkeypatch.setattr(_blas, "_routines", lambda: None)
    assert not _blas.available(np.float64)
    got, _, _ = _train(None, lr=0.1, momentum=0.9)  # type: ignore[arg-type]
    for a, b in zip(got, want, strict=True):
        assert np.array_equal(a, b)
    # and the step object itself falls back to NumPy on operands BLAS cannot take
    lin = nn.Linear(2, 2, dtype=np.float64)
    o = optim.SGD(lin.parameters(), lr=0.5)
    w0 = lin.weight.data.copy()
    with o.fusing() as step:
        step.begin()
        assert isinstance(step, FusedSGDStep)
        lin.forward(np.ones((3, 2)))
        lin.backward(np.ones((3, 2)))
        step.end()
    np.testing.assert_allclose(lin.weight.data, w0 - 0.5 * np.full((2, 2), 3.0), rtol=1e-14)


def test_auto_mode_fuses_only_layers_big_enough_to_gain() -> None:
    """Observable: a fused run never stores gradients (all zero after fit), a plain run
    leaves the last batch's gradient in .grad."""
    rng = np.random.default_rng(8)
    X = rng.standard_normal((64, 128))
    y = rng.integers(0, 3, 64)
    for width, fused in ((128, BLAS), (16, False)):
        model = nn.Sequential(
            nn.Linear(128, width, dtype=np.float64),
            nn.ReLU(),
            nn.Linear(width, 3, dtype=np.float64),
        )
        opt = optim.SGD(model.parameters(), lr=0.01)
        fit(model, nn.CrossEntropyLoss(), opt, X, y, epochs=1, batch_size=16, verbose=0)
        grads_zero = all(not np.any(p.grad) for p in model.parameters())
        assert grads_zero == fused, (width, fused)


def _wide(seed: int = 0) -> nn.Sequential:
    """Big enough (128×128) for fit's auto mode to fuse."""
    return nn.Sequential(
        nn.Linear(20, 128, random_state=seed, dtype=np.float64),
        nn.ReLU(),
        nn.Linear(128, 128, random_state=seed + 1, dtype=np.float64),
        nn.ReLU(),
        nn.Linear(128, 3, random_state=seed + 2, dtype=np.float64),
        input_grad=False,
    )


@pytest.mark.skipif(not BLAS, reason="NumPy's BLAS library not found")
def test_fused_run_resumed_from_a_snapshot_is_bit_identical() -> None:
    from byhand.training import restore

    rng = np.random.default_rng(9)
    X = rng.standard_normal((120, 20))
    y = rng.integers(0, 3, 120)

    def start() -> tuple[nn.Sequential, optim.SGD]:
        model = _wide()
        return model, optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

    model, opt = start()
    snaps: list = []
    fit(model, nn.CrossEntropyLoss(), opt, X, y, epochs=4, batch_size=16, random_state=3,
        verbose=0, callbacks=[lambda s: snaps.append(s.snapshot())])  # fmt: skip
    full = [p.data.copy() for p in model.parameters()]
    assert not any(np.any(p.grad) for p in model.parameters())  # it did run fused
    model2, opt2 = start()
    gen, hist = restore(snaps[1], model2, opt2)
    fit(model2, nn.CrossEntropyLoss(), opt2, X, y, epochs=4, batch_size=16, random_state=gen,
        verbose=0, history=hist)  # fmt: skip
    for a, p in zip(full, model2.parameters(), strict=True):
        assert np.array_equal(a, p.data)


@pytest.mark.skipif(not BLAS, reason="NumPy's BLAS library not found")
def test_fused_training_on_read_only_data_in_dataset_order() -> None:
    """Without shuffling the batches are views of X itself: read-only memory must work."""
    rng = np.random.default_rng(10)
    X = rng.standard_normal((64, 20))
    X.setflags(write=False)
    y = rng.integers(0, 3, 64)
    out = []
    for fuse in (True, False):
        model = _wide()
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.05), X, y,
            epochs=2, batch_size=16, shuffle=False, verbose=0, fuse_step=fuse)  # fmt: skip
        out.append([p.data.copy() for p in model.parameters()])
    for a, b in zip(*out, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


def test_only_numpys_own_blas_library_is_bound() -> None:
    """SciPy's OpenBLAS is loaded in this process too (scikit-learn imports SciPy); binding it
    would start a second busy-waiting thread pool, so it must never be chosen."""
    import scipy.linalg  # noqa: F401 - loads SciPy's BLAS into the process

    paths = _blas._numpy_blas_paths()
    assert all("scipy.libs" not in p for p in paths)
    if BLAS:
        assert paths, "the routines were found, so the library path must be listed"
