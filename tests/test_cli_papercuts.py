"""Command-line papercuts of a first hour (issue 12, items 6–8), run in-process through
``byhand.cli.main`` with the output captured (not a terminal)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import byhand
from byhand.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def pets(tmp_path: Path) -> Path:
    """A CSV with string labels: 'dog' where x1 + x2 > 1, else 'cat' (separable)."""
    rng = np.random.default_rng(0)
    X = rng.random((60, 2))
    label = np.where(X.sum(axis=1) > 1, "dog", "cat")
    lines = ["x1,x2,label", *(f"{a:.4f},{b:.4f},{c}" for (a, b), c in zip(X, label))]
    path = tmp_path / "pets.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


# -- item 6 ------------------------------------------------------------------------------


def test_train_out_in_a_missing_folder_fails_before_training(capsys, tmp_path):
    out = tmp_path / "no" / "such" / "m.npz"
    code, stdout, err = run(capsys, "train", "perceptron", "--data", "xor", "--out", str(out))
    assert code == 2
    assert f"--out {out}: the folder {out.parent} does not exist" in err
    assert "training" not in stdout  # nothing was trained
    assert not (tmp_path / "no").exists()


def test_evaluate_plot_and_predict_out_in_a_missing_folder_fail_before_work(capsys, tmp_path):
    model = tmp_path / "m.npz"
    assert run(capsys, "train", "perceptron", "--data", "xor", "--out", str(model))[0] == 0
    bad = tmp_path / "missing" / "x.png"
    code, stdout, err = run(capsys, "evaluate", str(model), "--data", "xor", "--plot", str(bad))
    assert code == 2 and "--plot" in err and "does not exist" in err and stdout == ""
    inputs = tmp_path / "in.csv"
    inputs.write_text("x1,x2\n0,1\n")
    code, stdout, err = run(
        capsys, "predict", str(model), str(inputs), "--out", str(tmp_path / "missing" / "p.csv")
    )
    assert code == 2 and "--out" in err and "does not exist" in err and stdout == ""


def test_string_labels_train_and_predict_with_target_drops_the_label_column(capsys, tmp_path, pets):
    model = tmp_path / "pets.npz"
    code, _, err = run(
        capsys, "train", "logistic-regression", "--data", str(pets), "--out", str(model), "--quiet"
    )
    assert code == 0, err
    est = byhand.load(model)
    assert est.classes_.tolist() == ["cat", "dog"]

    code, stdout, err = run(capsys, "predict", str(model), str(pets))
    assert code == 2
    assert "one column too many" in err and "--target label" in err and stdout == ""

    code, stdout, err = run(capsys, "predict", str(model), str(pets), "--target", "label")
    assert code == 0, err
    data = np.loadtxt(pets, delimiter=",", skiprows=1, usecols=(0, 1))
    assert stdout.split() == est.predict(data).tolist()  # the Python API's predictions
    assert set(stdout.split()) == {"cat", "dog"}


@pytest.mark.parametrize(
    "body, where",
    [
        ("a,b,y\n1,2,0\n3,,1\n", "line 3, column 2 ('b'): empty cell"),
        ("a,b,y\n1,2,0\n3,zz,1\n", "line 3, column 2 ('b'): not a number: 'zz'"),
        ("a,b,y\n1,2,0\n3,nan,1\n", "line 3, column 2 ('b'): not a finite number: 'nan'"),
        ("a,b,y\n1,2,\n3,4,1\n", "line 2, column 3 ('y'): empty cell"),
    ],
)
def test_a_bad_cell_names_its_line_and_column(capsys, tmp_path, body, where):
    data = tmp_path / "d.csv"
    data.write_text(body)
    out = str(tmp_path / "m.npz")
    code, _, err = run(capsys, "train", "perceptron", "--data", str(data), "--out", out)
    assert code == 2 and f"{data}, {where}" in err and "Traceback" not in err


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_gradcheck_eps_must_be_positive(capsys, value):
    code, stdout, err = run(capsys, "gradcheck", f"--eps={value}")
    assert code == 2 and "argument --eps: expected a finite number > 0" in err and stdout == ""
    assert "usage: byhand gradcheck" in err


def test_gradcheck_tolerances_must_not_be_negative(capsys):
    code, _, err = run(capsys, "gradcheck", "--atol=-1")
    assert code == 2 and "argument --atol" in err


@pytest.mark.parametrize("flag", ["--epochs", "--batch-size"])
def test_epochs_and_batch_size_zero_name_the_option(capsys, tmp_path, flag):
    out = str(tmp_path / "m.npz")
    code, _, err = run(capsys, "train", "mlp-classifier", "--data", "xor", flag, "0", "--out", out)
    assert code == 2 and f"argument {flag}: expected an integer >= 1, got 0" in err


def test_param_without_equals_prints_the_train_usage(capsys, tmp_path):
    code, stdout, err = run(
        capsys, "train", "mlp-classifier", "--data", "moons", "--param", "learning_rate", "0.1",
        "--out", str(tmp_path / "m.npz"),
    )  # fmt: skip
    assert code == 2 and stdout == ""
    assert err.startswith("usage: byhand train ")
    assert "--param takes NAME=VALUE as one word: --param learning_rate=0.1" in err


# -- item 7: progress in a pipe ------------------------------------------------------------


def test_train_shows_plain_progress_lines_when_not_a_terminal(capsys, tmp_path):
    code, _, err = run(
        capsys, "train", "mlp-classifier", "--data", "moons:100", "--epochs", "30",
        "--param", "hidden_layer_sizes=8", "--out", str(tmp_path / "m.npz"),
    )  # fmt: skip
    assert code == 0, err
    lines = [ln for ln in err.splitlines() if ln.startswith("epoch ")]
    assert lines[0].startswith("epoch 1/30  loss ") and "accuracy" in lines[0]
    assert any(ln.startswith("epoch 30/30") for ln in lines) or "n_iter" in err
    assert "nan" not in err


# -- item 8: messages ----------------------------------------------------------------------


def test_logistic_regression_on_ten_classes_points_to_softmax_regression(capsys, tmp_path):
    code, _, err = run(
        capsys, "train", "logistic-regression", "--data", "digits", "--out", str(tmp_path / "m")
    )
    assert code == 1 and "byhand.SoftmaxRegression" in err and "Traceback" not in err
    X = np.random.default_rng(0).standard_normal((9, 2))
    with pytest.raises(ValueError, match="For 3 classes use byhand.SoftmaxRegression"):
        byhand.LogisticRegression().fit(X, np.arange(9) % 3)
    with pytest.raises(ValueError, match="For 3 classes use byhand.MulticlassPerceptron"):
        byhand.Perceptron().fit(X, np.arange(9) % 3)


@pytest.mark.parametrize(
    "cls", [byhand.MLPClassifier, byhand.MLPRegressor, byhand.Perceptron, byhand.LinearSVM]
)
def test_a_misspelled_keyword_names_the_public_class(cls):
    with pytest.raises(TypeError) as exc:
        cls(hiden_layer_sizes=3)
    msg = str(exc.value)
    assert msg.startswith(f"{cls.__name__}.__init__() got an unexpected keyword"), msg
    assert "Base" not in msg


def test_loading_a_text_file_says_it_is_not_a_model_file(capsys, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("x1,x2\n1,2\n")
    with pytest.raises(ValueError, match="not a readable byhand model file: it is a text file"):
        byhand.load(notes)
    code, _, err = run(capsys, "evaluate", str(notes), "--data", "xor")
    assert code == 1 and "it is a text file" in err and "pickle" not in err
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="it is empty"):
        byhand.load(empty)


def test_dir_shows_only_the_public_api():
    names = dir(byhand)
    assert names == sorted(byhand.__all__)
    assert {"fit", "MLPClassifier", "nn", "lectures"} <= set(names)
    assert not {"importlib", "Any", "annotations", "training", "_EXPORTS"} & set(names)
    assert all(re.fullmatch(r"[A-Za-z]\w*|__version__", n) for n in names)


def test_tables_in_a_pipe_keep_a_row_per_line(capsys, monkeypatch):
    """Without a terminal (and no COLUMNS) the console is 200 columns wide, not rich's 80:
    the experiment list stays about one line per experiment."""
    from byhand.experiments import registry

    monkeypatch.delenv("COLUMNS", raising=False)
    assert main(["reproduce", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    n = len(registry())
    assert sum("│" in line for line in lines) <= n + n // 5, len(lines)
    monkeypatch.setenv("COLUMNS", "80")  # an explicit width is kept
    assert main(["reproduce", "--list"]) == 0
    assert sum("│" in line for line in capsys.readouterr().out.splitlines()) > 2 * n
