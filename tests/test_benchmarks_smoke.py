"""The benchmark harness (benchmarks/run.py, issue 7) runs end to end on tiny MNIST slices.

No timing is asserted: only that every case runs, the output ends with one ratio table, and
the correctness checks inside the cases hold (the byhand perceptron's weights equal the
literal loop's bit for bit; the FLOP ratios are the lecture's arithmetic).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory, mnist_home):
    sys.path.insert(0, str(BENCH))
    try:
        import run as bench
    finally:
        sys.path.remove(str(BENCH))
    out = tmp_path_factory.mktemp("bench") / "rows.json"
    return bench, bench.main(["--tiny", "--json", str(out)]), out


def test_every_case_reports_rows(bench_run, capsys):
    _, rows, _ = bench_run
    cases = {r.case.split()[0] for r in rows}
    assert cases == {"1", "2", "3", "4", "5", "6", "7"}


def test_output_ends_with_one_ratio_table(bench_run, capsys):
    bench, rows, out = bench_run
    bench.main(["--combine", str(out), str(out)])
    text = capsys.readouterr().out.strip().splitlines()
    assert text[0].startswith("Ratios: median of 2 runs")
    assert text[1].startswith("rows.json: where: ") and any("BLAS: " in t for t in text)
    where = next(i for i, t in enumerate(text) if t.startswith("---")) - 1
    assert len(text) == len(rows) + 5 + where  # title, where, rule, header, rule, rows, rule
    assert text[-1].startswith("---")


def test_flop_ratios_are_the_lecture_arithmetic(bench_run):
    _, rows, _ = bench_run
    by = {r.measure: r.value for r in rows}
    fwd = 784 * 256 + 256 * 128 + 128 * 10
    assert by["bwd/fwd FLOPs, input_grad=True"] == 2.0
    assert by["bwd/fwd FLOPs, input_grad=False"] == round((fwd + fwd - 784 * 256) / fwd, 3)


def test_perceptron_weights_bit_identical_to_literal_loop(bench_run):
    _, rows, _ = bench_run
    by = {r.measure: r.value for r in rows}
    assert by["byhand == literal (bitwise)"] == 1.0


def test_json_rows_round_trip(bench_run):
    _, rows, out = bench_run
    saved = json.loads(out.read_text())
    assert saved["sizes"] == "tiny"
    assert saved["machine"]["cpu"] and saved["machine"]["thread_pools"]
    assert [r["measure"] for r in saved["rows"]] == [r.measure for r in rows]


def test_literal_loop_is_the_textbook_rule():
    sys.path.insert(0, str(BENCH))
    try:
        import numpy as np
        from perceptron import literal_loop
    finally:
        sys.path.remove(str(BENCH))
    # Three points, bias as a constant input 1, one epoch by hand:
    # w=0: y1·0 <= 0 → w = [1, 2, 1]; y2·(2+6+1) = −9 <= 0 → w = [−1, −1, 0];
    # y3·(−3−1+0) = −4 <= 0 → w = [2, 0, 1].
    X = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 1.0]])
    y = np.array([1.0, -1.0, 1.0])
    assert np.array_equal(literal_loop(X, y), [2.0, 0.0, 1.0])


# -- the speed changes of issue 7 stay exact -------------------------------------------------
def _tiny_net(rng_seed: int = 0):
    from byhand import nn, optim

    model = nn.Sequential(
        nn.Linear(3, 4, random_state=rng_seed),
        nn.ReLU(),
        nn.Linear(4, 2, random_state=1),
        input_grad=False,
    )
    return model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=1e-40)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_fit_rejects_one_non_finite_entry_anywhere(bad):
    import numpy as np

    from byhand import fit

    X = np.ones((500, 3), dtype=np.float32)
    X[-1, 2] = bad  # the last entry: a check that stops early or samples would miss it
    model, loss, opt = _tiny_net()
    with pytest.raises(ValueError, match="in feature 2 of sample 499"):
        fit(model, loss, opt, X, np.zeros(500, dtype=int), epochs=1, verbose=0)


def test_fit_accepts_huge_finite_entries():
    # Σ x² overflows float32 here (3e38² = inf): a check by x·x alone would call this data
    # non-finite; the exact check must still accept it.
    import numpy as np

    from byhand import fit

    X = np.zeros((4, 3), dtype=np.float32)
    X[0, 0], X[1, 1] = 3e38, -3e38
    model, loss, opt = _tiny_net()
    with np.errstate(all="ignore"):
        hist = fit(model, loss, opt, X, np.array([0, 1, 0, 1]), epochs=1, verbose=0)
    assert hist.epochs + int(hist.diverged) >= 1


def test_cross_entropy_equals_float64_logsumexp_reference():
    # An independent oracle: ℓ = logsumexp(z) − z_y and ∂ℓ/∂z = softmax(z) − onehot(y), in
    # float64 by SciPy, on rows with ties, large spreads and signed zeros.
    import numpy as np
    from scipy.special import logsumexp, softmax

    from byhand import nn

    rng = np.random.default_rng(3)
    z = rng.standard_normal((64, 7)) * 30
    z[5] = 2.5  # a row of ties
    z[6, :] = [0.0, -0.0, -1e3, 0.0, -0.0, -5, 1e-300]
    y = rng.integers(0, 7, 64)
    loss = nn.CrossEntropyLoss()
    value = loss(z, y)
    grad = loss.backward()
    rows = np.arange(64)
    expected = np.mean(logsumexp(z, axis=1) - z[rows, y])
    onehot = np.zeros_like(z)
    onehot[rows, y] = 1
    assert value == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(grad, (softmax(z, axis=1) - onehot) / 64, rtol=1e-10, atol=1e-15)


@pytest.mark.mnist
def test_profile_step_accounts_for_every_module(capsys, monkeypatch):
    """benchmarks/profile_step.py times each module of the cnn case's network on a tiny
    MNIST slice: every module's forward appears, and the shares add up to the epoch."""
    import importlib

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    sys.modules.pop("profile_step", None)
    profile_step = importlib.import_module("profile_step")
    profile_step.profile("cnn", 256)
    out = capsys.readouterr().out
    for i, name in enumerate(["Conv2d", "MaxPool2d", "ReLU", "Conv2d", "MaxPool2d", "ReLU"]):
        assert f"{i:2d} {name}.forward" in out
    shares = [float(line.rsplit(None, 1)[1].rstrip("%")) for line in out.splitlines()[2:]]
    assert sum(shares) == pytest.approx(100, abs=1.0)
