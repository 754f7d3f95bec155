"""Sweeps: the grid, per-point seeds, scores against direct fits, schedulers agree, files.

Oracles: the estimator fitted directly from Python with the point's parameters and seed on
the same split; the serial run for the process scheduler; itertools-free literal grids.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from byhand.commands._data import load
from byhand.commands.sweep import parse_grid
from byhand.linear_model import LogisticRegression
from byhand.optim import exponential
from byhand.sweep import TEST_FRACTION, expand_grid, point_seed, run_grid

GRID = {"alpha": [0.0, 0.1], "solver": ["newton", "sgd"]}
FIXED = {"max_iter": 15, "batch_size": 16}
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _strip(rows):
    return [{k: v for k, v in r.items() if k != "fit_time"} for r in rows]


def test_expand_grid_is_the_product_first_name_slowest():
    pts = expand_grid({"a": [1, 2], "b": ["x", "y", "z"]})
    assert pts == [{"a": a, "b": b} for a in (1, 2) for b in ("x", "y", "z")]
    with pytest.raises(ValueError, match="non-empty list"):
        expand_grid({"a": []})


def test_point_seed_depends_on_the_point_not_its_position():
    s = point_seed({"alpha": 0.1, "solver": "sgd"}, 0)
    assert s == point_seed({"solver": "sgd", "alpha": 0.1}, 0)
    assert s != point_seed({"alpha": 0.1, "solver": "sgd"}, 1)
    assert s != point_seed({"alpha": 0.1, "solver": "sgd"}, 0, seed=1)
    assert s != point_seed({"alpha": 0.2, "solver": "sgd"}, 0)
    assert 0 <= s < 2**31
    assert point_seed({"h": (8,)}, 0) != point_seed({"h": (8, 8)}, 0)


def test_parse_grid_values():
    defaults = {"hidden_layer_sizes": (100,), "learning_rate": 0.1, "solver": "sgd"}
    grid = parse_grid(
        ["hidden_layer_sizes=8,16", "learning_rate=0.1,exponential(0.1,0.9)", "solver=sgd,newton"],
        defaults,
    )
    assert grid["hidden_layer_sizes"] == [(8,), (16,)]
    assert grid["learning_rate"] == [0.1, exponential(0.1, 0.9)]
    assert grid["solver"] == ["sgd", "newton"]
    assert parse_grid(["hidden_layer_sizes=(8,8),(16,)"], defaults)["hidden_layer_sizes"] == [
        (8, 8),
        (16,),
    ]
    with pytest.raises(ValueError, match="no such parameter; valid: hidden_layer_sizes"):
        parse_grid(["width=3"], defaults)


def test_scores_equal_direct_fits_and_do_not_depend_on_grid_order(tmp_path):
    rows = run_grid(
        "logistic-regression", GRID, data="moons:200", repeat=2, params=FIXED, seed=4, out=tmp_path
    )
    assert len(rows) == 4 * 2
    X, y = load("moons:200", "train", seed=4)
    order = np.random.default_rng(4).permutation(len(y))
    n_test = round(TEST_FRACTION * len(y))
    te, tr = order[:n_test], order[n_test:]
    for r in rows:
        params = {"alpha": r["alpha"], "solver": r["solver"]}
        assert r["seed"] == point_seed(params, r["repeat"], 4)
        est = LogisticRegression(**params, **FIXED, random_state=r["seed"]).fit(X[tr], y[tr])
        assert r["test_score"] == est.score(X[te], y[te])
        assert r["train_score"] == est.score(X[tr], y[tr])
        assert r["metric"] == "accuracy"
    # the sgd repeats differ (their seeds differ), the newton ones cannot
    sgd = [r["test_score"] for r in rows if r["solver"] == "sgd" and r["alpha"] == 0.0]
    assert len(sgd) == 2
    reversed_grid = {"solver": ["sgd", "newton"], "alpha": [0.1, 0.0]}
    again = run_grid(
        "logistic-regression", reversed_grid, data="moons:200", repeat=2, params=FIXED, seed=4
    )

    def by_point(rs):
        return {
            (r["alpha"], r["solver"], r["repeat"]): (r["seed"], r["train_score"], r["test_score"])
            for r in rs
        }

    assert by_point(again) == by_point(rows)
    # files
    with open(tmp_path / "results.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == len(rows)
    assert [float(t["test_score"]) for t in table] == [r["test_score"] for r in rows]
    doc = json.loads((tmp_path / "results.json").read_text())
    assert doc["grid"] == {"alpha": [0.0, 0.1], "solver": ["newton", "sgd"]}
    assert len(doc["rows"]) == len(rows)
    assert (tmp_path / "results.png").read_bytes()[:4] == b"\x89PNG"


def test_processes_give_the_serial_table():
    serial = run_grid("logistic-regression", GRID, data="moons:200", params=FIXED)
    procs = run_grid(
        "logistic-regression", GRID, data="moons:200", params=FIXED, scheduler="processes", n_jobs=2
    )
    assert _strip(procs) == _strip(serial)


def test_bad_inputs():
    with pytest.raises(ValueError, match="unknown model or experiment 'nope'.*perceptron"):
        run_grid("nope", {"a": [1]}, data="moons")
    with pytest.raises(ValueError, match="no parameter 'width'"):
        run_grid("logistic-regression", {"width": [1]}, data="moons")
    with pytest.raises(ValueError, match="needs data"):
        run_grid("logistic-regression", {"alpha": [1.0]})
    with pytest.raises(ValueError, match="scheduler must be"):
        run_grid("logistic-regression", {"alpha": [1.0]}, data="xor", scheduler="gpu")
    with pytest.raises(ValueError, match="repeat"):
        run_grid("logistic-regression", {"alpha": [1.0]}, data="xor", repeat=0)


def test_experiment_sweep_reruns_with_point_seeds():
    from byhand.experiments import ExperimentResult, experiment
    from byhand.experiments._registry import unregister

    seen = []

    @experiment("sweep-test-exp", title="t", lecture="cs577-01")
    def _run(seed: int, quick: bool) -> ExperimentResult:
        seen.append((seed, quick))
        res = ExperimentResult()
        res.claim(
            "cs577-01",
            "s",
            "even seed",
            value=seed,
            passed=seed % 2 == 0,
            kind="qualitative",
            source="byhand",
            reason="a test",
        )
        return res

    try:
        rows = run_grid("sweep-test-exp", {"quick": [True]}, repeat=3)
    finally:
        unregister("sweep-test-exp")
    assert [s for s, _ in seen] == [point_seed({"quick": True}, r) for r in range(3)]
    assert [r["test_score"] for r in rows] == [float(s % 2 == 0) for s, _ in seen]


def _cli(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "byhand", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
        **kw,
    )


def test_sweep_command_writes_the_table(tmp_path):
    res = _cli(
        "sweep",
        "logistic-regression",
        "--data",
        "moons:200",
        "--grid",
        "alpha=0,0.1",
        "--grid",
        "solver=newton,sgd",
        "--param",
        "max_iter=15",
        "--param",
        "batch_size=16",
        "--repeat",
        "2",
        "--out",
        str(tmp_path / "out"),
    )
    assert res.returncode == 0, res.stderr
    rows = run_grid(
        "logistic-regression",
        {"alpha": [0, 0.1], "solver": ["newton", "sgd"]},
        data="moons:200",
        repeat=2,
        params=FIXED,
    )
    with open(tmp_path / "out" / "results.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert [float(t["test_score"]) for t in table] == [r["test_score"] for r in rows]
    assert [t["seed"] for t in table] == [str(r["seed"]) for r in rows]
    assert "sweep of logistic-regression" in res.stdout and "8 runs" in res.stdout
    bad = _cli("sweep", "logistic-regression", "--data", "moons", "--grid", "width=1,2")
    assert bad.returncode == 2 and "no such parameter" in bad.stderr
    assert "Traceback" not in bad.stderr
    bad = _cli("sweep", "nope", "--grid", "a=1")
    assert bad.returncode == 2 and "mlp-classifier" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_missing_dask_is_a_clear_message(tmp_path):
    code = (
        "import sys; sys.modules['distributed'] = None\n"
        "from byhand.cli import main\n"
        f"sys.exit(main(['sweep', 'logistic-regression', '--data', 'xor', '--grid', "
        f"'alpha=0.1', '--scheduler', 'tcp://127.0.0.1:9', '--out', {str(tmp_path)!r}]))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    assert "pip install 'byhand[dask]'" in res.stderr and "Traceback" not in res.stderr


def test_arrays_as_data_give_the_named_data_set_table():
    X, y = load("moons:200", "train", seed=0)
    named = run_grid("logistic-regression", {"alpha": [0.0, 0.1]}, data="moons:200")
    arrays = run_grid("logistic-regression", {"alpha": [0.0, 0.1]}, data=(X, y))
    assert _strip(arrays) == _strip(named)
