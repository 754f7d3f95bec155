"""Your own module (issue 11, item 3): parameters and submodules are found from the
attributes as in PyTorch; the guide's example (docs/writing_modules.md) is run as written,
checked against finite differences and trained by ``byhand.fit``; train/eval modes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from byhand import GradcheckError, fit, gradcheck, nn, optim
from byhand.checkpoint import CheckpointWriter, load_checkpoint
from byhand.training import evaluate, restore

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "writing_modules.md"


def _guide_blocks() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 2, "the guide has a definitions block and a usage block"
    return blocks


@pytest.fixture(scope="module")
def guide() -> dict[str, Any]:
    """The guide's module definitions (its first code block), executed as written."""
    ns: dict[str, Any] = {"__name__": "writing_modules"}
    exec(compile(_guide_blocks()[0], str(GUIDE), "exec"), ns)
    return ns


def test_the_guide_runs_as_written_and_its_network_learns(capsys: pytest.CaptureFixture) -> None:
    ns: dict[str, Any] = {"__name__": "writing_modules"}
    for block in _guide_blocks():
        exec(compile(block, str(GUIDE), "exec"), ns)
    history = ns["history"]
    assert not history.diverged
    assert history.loss[-1] < 0.05 * history.loss[0]
    assert history.metric[-1] >= 0.97  # two moons with noise 0.1 are (nearly) separable
    assert "loss" in capsys.readouterr().out
    # every parameter of the custom modules was trained, not just the built-in layers'
    fresh = ns["GatedLinearUnit"](16, 8, random_state=2)
    glu = ns["net"][2]
    for before, after in zip(fresh.parameters(), glu.parameters(), strict=True):
        assert not np.array_equal(before.data, after.data), after.name


def _glu(guide: dict[str, Any], n_in: int = 4, n_out: int = 3, seed: int = 0) -> nn.Module:
    glu = guide["GatedLinearUnit"](n_in, n_out, random_state=seed)
    rng = np.random.default_rng(seed + 10)
    glu.b.data[...] = rng.standard_normal(n_out)  # non-zero biases: their gradients matter
    glu.c.data[...] = rng.standard_normal(n_out)
    return glu


@pytest.mark.parametrize("n", [1, 7])
def test_the_guide_modules_against_finite_differences(guide: dict[str, Any], n: int) -> None:
    x = np.random.default_rng(n).standard_normal((n, 4))
    assert gradcheck(_glu(guide), x) <= 1e-6
    inner = nn.Sequential(nn.Tanh(), nn.Linear(4, 4, random_state=1, dtype=np.float64))
    assert gradcheck(guide["Residual"](inner), x) <= 1e-6
    # used twice: a residual block applied twice, a gated unit with tied weights
    res = guide["Residual"](inner)
    glu = _glu(guide, 4, 4)
    net = nn.Sequential(res, glu, res, glu)
    assert len(net.parameters()) == 2 + 4
    assert gradcheck(net, x) <= 1e-6


def test_gradcheck_sees_the_parameters_of_a_custom_module(guide: dict[str, Any]) -> None:
    """A wrong gradient for the gate's bias c is caught, and named."""

    class WrongGLU(guide["GatedLinearUnit"]):  # type: ignore[misc]
        def backward(self, grad_out: np.ndarray) -> np.ndarray:
            g = super().backward(grad_out)
            self.c.accumulate(np.ones_like(self.c.data))  # a spurious extra term
            return g

    wrong = WrongGLU(4, 3, random_state=0)
    x = np.random.default_rng(0).standard_normal((5, 4))
    with pytest.raises(GradcheckError, match=r"param 5 c\[") as info:
        gradcheck(nn.Sequential(nn.Linear(4, 4, dtype=np.float64), wrong), x)
    assert str(info.value).count("param") == 1  # only c (after 2 + 3 others) is off


# -- registration from the attributes -------------------------------------------------------
class _Holder(nn.Module):
    """Parameters, a submodule, a list and a tuple of modules, assigned out of name order."""

    def __init__(self) -> None:
        self.z = nn.Parameter(np.zeros(2), name="z")
        self.inner = nn.Linear(2, 3, dtype=np.float64)
        self.blocks = [nn.Linear(3, 3, dtype=np.float64), nn.Tanh()]
        self.pair = (nn.Parameter(np.ones(3), name="p"), nn.Linear(3, 1, bias=False))
        self.a = nn.Parameter(np.ones(1), name="a")
        self.again = self.z  # the same parameter under a second name
        self.twin = self.inner  # the same module under a second name
        self.note = "not a parameter"


def test_parameters_are_found_in_attribute_order_each_once() -> None:
    h = _Holder()
    want = [
        h.z,
        h.inner.weight,
        h.inner.bias,
        h.blocks[0].weight,
        h.blocks[0].bias,
        h.pair[0],
        h.pair[1].weight,
        h.a,
    ]
    got = h.parameters()
    assert len(got) == len(want) and all(g is w for g, w in zip(got, want, strict=True))
    assert [type(c).__name__ for c in h.children()] == ["Linear", "Linear", "Tanh", "Linear"]
    # nested three deep
    outer = nn.Sequential(nn.Sequential(h))
    assert all(g is w for g, w in zip(outer.parameters(), want, strict=True))
    # reassigning an attribute changes what is found
    h.a = None
    assert h.parameters()[-1] is h.pair[1].weight


def test_zero_grad_and_optimizers_see_nested_parameters() -> None:
    h = _Holder()
    for p in h.parameters():
        p.grad = np.ones_like(p.data)
    h.zero_grad()
    assert all(not np.any(p.grad) for p in h.parameters())
    opt = optim.SGD(h.parameters(), lr=1.0)
    h.blocks[0].weight.grad = np.ones((3, 3))
    before = h.blocks[0].weight.data.copy()
    opt.step()
    np.testing.assert_array_equal(h.blocks[0].weight.data, before - 1.0)


def test_a_submodule_listing_its_own_parameters_is_asked_for_them() -> None:
    class OwnList(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(np.ones(2), name="w")
            self.scratch = nn.Parameter(np.ones(2), name="scratch")  # not trained

        def parameters(self) -> list[nn.Parameter]:
            return [self.w]

    own = OwnList()
    net = nn.Sequential(nn.Identity(), own)
    assert net.parameters() == [own.w]


def test_a_reference_cycle_does_not_hang() -> None:
    class Child(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(np.ones(2))

    class Parent(nn.Module):
        def __init__(self) -> None:
            self.child = Child()
            self.child.parent = self  # a back reference

    p = Parent()
    assert p.parameters() == [p.child.w]
    assert p.eval() is p and not p.child.training


class _Scale(nn.Module):
    """y = x ⊙ w with its own parameter w (and no parameters() written)."""

    def __init__(self, n: int) -> None:
        self.w = nn.Parameter(np.ones(n), name="w")

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x * self.w.data

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self.w.accumulate(np.sum(grad_out * self.x, axis=0))
        return grad_out * self.w.data


def _scaled_net(seed: int = 0) -> nn.Sequential:
    return nn.Sequential(
        _Scale(2),
        nn.Linear(2, 8, random_state=seed, dtype=np.float64),
        nn.Tanh(),
        nn.Linear(8, 3, random_state=seed + 1, dtype=np.float64),
    )


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((90, 2))
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)


def test_fit_trains_a_custom_parameter_and_checkpoints_keep_it(tmp_path: Path) -> None:
    X, y = _data()

    def run(net: nn.Sequential, **kw: Any) -> Any:
        opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        if "snapshot" in kw:
            rng, history = restore(kw.pop("snapshot"), net, opt)
            kw.update(random_state=rng, history=history)
        return fit(net, nn.CrossEntropyLoss(), opt, X, y, epochs=6, batch_size=10,
                   verbose=0, **{"random_state": 3, **kw})  # fmt: skip

    full = _scaled_net()
    run(full)
    assert not np.array_equal(full[0].w.data, np.ones(2))  # the custom parameter moved

    class Stop(Exception):
        pass

    def stop(state: Any) -> None:
        if state.epoch == 2:
            raise Stop

    with pytest.raises(Stop):
        run(_scaled_net(), callbacks=[CheckpointWriter(tmp_path), stop])
    snapshot, _ = load_checkpoint(tmp_path)
    assert len(snapshot["params"]) == 5  # w, then weight and bias of both Linear layers
    resumed = _scaled_net(seed=7)
    run(resumed, snapshot=snapshot)
    for a, b in zip(full.parameters(), resumed.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)


# -- training and evaluation modes ----------------------------------------------------------
def test_train_and_eval_recurse_and_return_the_module() -> None:
    h = _Holder()
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU(), h))
    modules = [net, net[0], net[1], net[1][0], h, h.inner, *h.blocks, h.pair[1]]
    assert all(m.training for m in modules)  # the default, as in PyTorch
    assert net.eval() is net
    assert not any(m.training for m in modules)
    assert net.train() is net and all(m.training for m in modules)
    assert net.train(False) is net and not any(m.training for m in modules)
    h.train()  # a submodule alone
    assert h.training and h.blocks[1].training and not net.training and not net[0].training
    with pytest.raises(ValueError, match="True or False"):
        net.train("yes")  # type: ignore[arg-type]


class _Probe(nn.Module):
    """Identity that records (training?, batch size) at each forward."""

    def __init__(self) -> None:
        self.seen: list[tuple[bool, int]] = []

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.seen.append((self.training, x.shape[0]))
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        assert self.training, "backward in evaluation mode"
        return grad_out


@pytest.mark.parametrize("start_in_eval", [False, True])
def test_fit_trains_in_training_mode_validates_in_eval_mode_and_restores(
    start_in_eval: bool,
) -> None:
    X, y = _data()
    probe = _Probe()
    net = nn.Sequential(nn.Linear(2, 3, dtype=np.float64), probe)
    net.train(not start_in_eval)
    net[0].train()  # a module whose own mode differs from its parent's
    opt = optim.SGD(net.parameters(), lr=0.1)
    fit(net, nn.CrossEntropyLoss(), opt, X, y, epochs=2, batch_size=30,
        validation_data=(X[:20], y[:20]), verbose=0)  # fmt: skip
    steps = [s for s in probe.seen if s[1] == 30]
    validation = [s for s in probe.seen if s[1] == 20]
    assert steps == [(True, 30)] * 6  # 90 samples, batches of 30, 2 epochs
    assert validation == [(False, 20)] * 2
    assert all(not t for t, n in probe.seen if n == 1)  # fit's shape probe: evaluation mode
    assert net.training is not start_in_eval and probe.training is not start_in_eval
    assert net[0].training
    probe.seen.clear()
    net.train()
    evaluate(net, nn.CrossEntropyLoss(), X, y)
    # evaluate's input check probes one row (as fit does), then one pass over the 90
    assert probe.seen == [(False, 1), (False, 90)] and net.training and probe.training
