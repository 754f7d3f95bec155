"""SGD, schedules and averaging against their formulas written out literally."""

from __future__ import annotations

import numpy as np
import pytest

from byhand import nn, optim


def _param(values):
    return nn.Parameter(np.array(values, dtype=np.float64))


def test_schedules_follow_their_formulas():
    assert [optim.constant(0.3)(k) for k in (0, 5)] == [0.3, 0.3]
    e = optim.exponential(0.1, 0.99)
    assert [e(k) for k in range(3)] == pytest.approx([0.1, 0.099, 0.09801])
    t = optim.inverse_time(1.0, 0.5)
    assert [t(k) for k in range(3)] == pytest.approx([1.0, 1 / 1.5, 0.5])


@pytest.mark.parametrize(
    "factory,args",
    [(optim.constant, (0,)), (optim.exponential, (0.1, 1.5)), (optim.inverse_time, (0.1, -1))],
)
def test_schedules_reject_bad_values(factory, args):
    with pytest.raises(ValueError):
        factory(*args)


def test_lr_must_be_number_or_schedule():
    with pytest.raises(TypeError, match="number or a schedule"):
        optim.SGD([_param([1.0])], lr="fast")


def test_sgd_with_momentum_and_weight_decay_matches_the_literal_recursion():
    w, b = _param([1.0, -2.0]), nn.Parameter(np.array([0.5]), decay=False)
    opt = optim.SGD([w, b], lr=optim.exponential(0.1, 0.9), momentum=0.5, weight_decay=0.01)
    rng = np.random.default_rng(0)
    ew, eb = w.data.copy(), b.data.copy()
    vw = vb = None
    for k in range(5):
        gw, gb = rng.standard_normal(2), rng.standard_normal(1)
        opt.zero_grad()
        w.accumulate(gw)
        b.accumulate(gb)
        opt.step()
        gw = gw + 0.01 * ew  # weight decay on weights only
        vw = gw if vw is None else 0.5 * vw + gw
        vb = gb if vb is None else 0.5 * vb + gb
        eta = 0.1 * 0.9**k
        ew, eb = ew - eta * vw, eb - eta * vb
        np.testing.assert_allclose(w.data, ew, rtol=1e-14)
        np.testing.assert_allclose(b.data, eb, rtol=1e-14)
    assert opt.k == 5


def test_sgd_state_dict_round_trip_resumes_exactly():
    def run(steps, state=None):
        p = _param([1.0, 2.0])
        opt = optim.SGD([p], lr=0.1, momentum=0.9)
        if state is not None:
            p.data[...], sd = state
            opt.load_state_dict(sd)
        for k in range(opt.k, steps):
            opt.zero_grad()
            p.accumulate(np.array([np.sin(k), np.cos(k)]))
            opt.step()
        return p, opt

    full, _ = run(6)
    half, opt = run(3)
    resumed, _ = run(6, (half.data.copy(), opt.state_dict()))
    np.testing.assert_array_equal(full.data, resumed.data)


def test_averager_is_the_lecture_mean_including_the_start():
    """004: W̄⁽ⁿ⁾ = (1/(n+1)) Σ_{k=0}^{n} W⁽ᵏ⁾, the starting point included."""
    p = _param([5.0, -1.0])
    avg = optim.Averager([p])
    only_steps = optim.Averager([p], include_initial=False)
    seen = [p.data.copy()]
    for k in range(1, 8):
        p.data[...] = [k, k**2]
        seen.append(p.data.copy())
        avg.update()
        only_steps.update()
    np.testing.assert_allclose(avg.averages[0], np.mean(seen, axis=0), rtol=1e-14)
    np.testing.assert_allclose(only_steps.averages[0], np.mean(seen[1:], axis=0), rtol=1e-14)
    avg.copy_to_params()
    np.testing.assert_allclose(p.data, np.mean(seen, axis=0))


def test_optimizer_rejects_bad_arguments():
    with pytest.raises(TypeError, match="Parameter"):
        optim.SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(ValueError, match="empty"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="momentum"):
        optim.SGD([_param([1.0])], lr=0.1, momentum=1.0)
