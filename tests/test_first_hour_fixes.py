"""What a new user tripped on in a fresh clone, each with the right behaviour as a test.

- a CSV whose first row is data (no header) is refused, never read with a row lost;
- ``byhand.fit`` names the shape the caller gave when X does not fit the model;
- ``optim.SGD`` / ``optim.Adam`` name their own argument ``lr`` when it is not > 0;
- ``byhand.save`` writes ``.npz`` files only, and says so for another suffix;
- the report's coverage counts a lecture item only through experiments that ran: an item
  whose experiment was skipped (no MNIST) is ``skipped``, not ``reproduced``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import byhand
from byhand import nn, optim
from byhand.cli import main


def test_a_csv_without_a_header_is_refused_not_read_one_row_short(capsys, tmp_path: Path):
    rng = np.random.default_rng(0)
    X = rng.random((40, 2))
    data = tmp_path / "train.csv"
    lines = ["x1,x2,label", *(f"{a:.4f},{b:.4f},{int(a > b)}" for a, b in X)]
    data.write_text("\n".join(lines) + "\n")
    model = tmp_path / "m.npz"
    assert main(["train", "logistic-regression", "--data", str(data), "--out", str(model)]) == 0
    capsys.readouterr()
    bare = tmp_path / "points.csv"
    bare.write_text("0.0,0.5\n1.0,-0.5\n")
    code = main(["predict", str(model), str(bare)])
    out, err = capsys.readouterr()
    assert code != 0 and out == ""
    assert "line 1" in err and "header" in err


def test_fit_names_the_shape_the_caller_gave():
    net = nn.Linear(2, 1)
    X, y = np.zeros((20, 3), np.float32), np.zeros(20, np.float32)
    with pytest.raises(ValueError, match=r"\(20, 3\)"):
        byhand.fit(net, nn.MSELoss(), optim.SGD(net.parameters(), lr=0.1), X, y, epochs=1)


@pytest.mark.parametrize("make", [optim.SGD, optim.Adam])
@pytest.mark.parametrize("lr", [-1.0, 0.0, float("nan"), float("inf")])
def test_optimizers_name_lr_when_it_is_not_positive(make, lr):
    with pytest.raises(ValueError, match=r"^lr must be > 0"):
        make(nn.Linear(2, 1).parameters(), lr=lr)


def test_coverage_of_a_skipped_experiment_is_skipped_not_reproduced(tmp_path, monkeypatch):
    from byhand.experiments.runner import reproduce

    empty = tmp_path / "no-data"
    empty.mkdir()
    monkeypatch.setenv("BYHAND_DATA", str(empty))
    out = tmp_path / "report"
    reproduce(only=["hog-mnist", "perceptron-trace"], out=out, quick=True)
    doc = json.loads((out / "results.json").read_text())
    statuses = {
        (r["slide"], r.get("topic", "")): r["status"]
        for rows in doc["coverage"].values()
        for r in rows
        if "hog-mnist" in r["experiments"] or "perceptron-trace" in r["experiments"]
    }
    hog = [s for (slide, topic), s in statuses.items() if "HOG" in topic or "HOG" in slide]
    assert hog and set(hog) == {"skipped"}, statuses
    assert "reproduced" in statuses.values()  # the trace ran: its items count
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "1 experiment skipped" in page


def test_save_refuses_a_path_that_does_not_end_in_npz(tmp_path):
    model = byhand.LinearRegression().fit(np.eye(3), np.arange(3.0))
    with pytest.raises(ValueError, match=r"\.npz.*m\.txt"):
        byhand.save(model, tmp_path / "m.txt")
    assert list(tmp_path.iterdir()) == []
    written = byhand.save(model, tmp_path / "m.npz")
    np.testing.assert_array_equal(byhand.load(written).coef_, model.coef_)


def test_without_mnist_no_mnist_item_is_credited_to_a_toy_experiment(tmp_path, monkeypatch):
    """The 2-D perceptron experiment covers its own item of the slide '3.1. The perceptron',
    not the slide's MNIST epoch table (found by a fresh-user review)."""
    from byhand.experiments.runner import reproduce

    empty = tmp_path / "no-data"
    empty.mkdir()
    monkeypatch.setenv("BYHAND_DATA", str(empty))
    out = tmp_path / "report"
    reproduce(only=["perceptron-2d-hinge", "mnist-perceptron"], out=out, quick=True)
    rows = json.loads((out / "results.json").read_text())["coverage"]["ee559-3"]
    status = {r["topic"]: r["status"] for r in rows if r["slide"] == "3.1. The perceptron"}
    assert status["MNIST"] == "skipped" and status["2-D iterations"] == "reproduced", status
