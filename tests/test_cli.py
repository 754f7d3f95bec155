"""The ``byhand`` command, run as users run it: ``python -m byhand`` in a subprocess.

Oracles: the estimators called from Python on the same data (scores, predictions), literal
counts for the confusion matrix, and the exit-code / one-line-error contract.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest

import byhand

COMMANDS = ("train", "evaluate", "predict", "sweep", "reproduce", "datasets", "gradcheck")


def run(*args: str, cwd=None, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "byhand", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


def assert_one_line_error(res: subprocess.CompletedProcess, code: int, *words: str) -> str:
    assert res.returncode == code, (res.returncode, res.stdout, res.stderr)
    assert "Traceback" not in res.stderr + res.stdout
    lines = [ln for ln in res.stderr.splitlines() if ln.strip() and "warning" not in ln]
    assert len(lines) == 1, res.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def test_help_lists_every_command_and_version():
    res = run("--help")
    assert res.returncode == 0
    for c in COMMANDS:
        assert re.search(rf"^\s+{c}\b", res.stdout, re.M), c
    assert run("--version").stdout.strip() == f"byhand {byhand.__version__}"
    bare = run()
    assert bare.returncode == 2 and "usage: byhand" in bare.stderr


OPTIONS = {
    "train": [
        "--data",
        "--param",
        "--epochs",
        "--batch-size",
        "--val-fraction",
        "--seed",
        "--out",
        "--checkpoint-dir",
        "--resume",
        "--target",
        "MODEL",
    ],
    "evaluate": ["--data", "--plot", "--target", "MODEL.npz"],
    "predict": ["--out", "INPUT", "MODEL.npz"],
    "sweep": [
        "--data",
        "--grid",
        "--repeat",
        "--scheduler",
        "--out",
        "--param",
        "EXPERIMENT_OR_MODEL",
    ],
    "datasets": ["--fetch"],
    "gradcheck": ["--eps", "--atol", "--rtol", "--seed"],
    "reproduce": ["--only", "--out", "--quick"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_help_describes_its_options(command):
    res = run(command, "--help")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"usage: byhand {command}")
    for opt in OPTIONS[command]:
        assert opt in res.stdout, opt
    # every option has a help text (argparse prints it after the option)
    assert len(res.stdout.splitlines()) > len(OPTIONS[command])


def test_usage_errors_exit_2_with_the_valid_names(tmp_path):
    res = run("train", "no-such-model", "--data", "moons", "--out", str(tmp_path / "m.npz"))
    line = assert_one_line_error(res, 2, "unknown model 'no-such-model'")
    for name in ("perceptron", "mlp-classifier", "softmax-regression", "knn", "lda"):
        assert name in line
    res = run("train", "perceptron", "--data", "no-such-data", "--out", str(tmp_path / "m.npz"))
    line = assert_one_line_error(res, 2, "unknown data set 'no-such-data'")
    for name in ("xor", "moons", "digits", "mnist", "mnist:0-1", "mnist:8-vs-rest"):
        assert name in line
    res = run("train", "perceptron", "--data", "xor", "--param", "nope=3", "--out", "m.npz")
    line = assert_one_line_error(res, 2, "no parameter 'nope'", "max_iter")
    res = run("train", "perceptron", "--data", "xor")  # --out missing: argparse
    assert res.returncode == 2 and "--out" in res.stderr and "Traceback" not in res.stderr
    assert not list(tmp_path.iterdir())


def test_a_bad_param_value_names_the_parameter(tmp_path):
    res = run(
        "train",
        "logistic-regression",
        "--data",
        "moons",
        "--param",
        "solver=magic",
        "--out",
        str(tmp_path / "m.npz"),
    )
    line = assert_one_line_error(res, 2, "solver", "magic", "newton")
    assert "sgd" in line


def test_missing_files_name_the_path(tmp_path):
    missing = tmp_path / "absent.npz"
    assert_one_line_error(run("evaluate", str(missing), "--data", "moons"), 1, str(missing))
    assert_one_line_error(run("predict", str(missing), str(missing)), 1, str(missing))
    data = tmp_path / "absent.csv"
    assert_one_line_error(
        run("train", "perceptron", "--data", str(data), "--out", "m.npz"), 1, str(data)
    )


def test_debug_shows_the_traceback(tmp_path):
    missing = tmp_path / "absent.npz"
    res = run("evaluate", str(missing), "--data", "moons", "--debug")
    assert res.returncode == 1 and "Traceback" in res.stderr and str(missing) in res.stderr
    res = run("--debug", "evaluate", str(missing), "--data", "moons")
    assert res.returncode == 1 and "Traceback" in res.stderr


def test_corrupted_model_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert_one_line_error(
        run("evaluate", str(bad), "--data", "moons"),
        1,
        str(bad),
        "not a readable byhand model file",
    )


def _numbers(text: str, label: str) -> list[float]:
    m = re.search(rf"{label}\s*[│|]\s*(-?[\d.]+)(?:\s*[│|]\s*(-?[\d.]+))?", text)
    assert m, text
    return [float(g) for g in m.groups() if g is not None]


def test_train_evaluate_predict_agree_with_the_python_api(tmp_path):
    from byhand.commands._data import load, split_validation
    from byhand.linear_model import LogisticRegression

    model = tmp_path / "moons.npz"
    res = run(
        "train",
        "logistic-regression",
        "--data",
        "moons",
        "--seed",
        "3",
        "--param",
        "alpha=0.001",
        "--out",
        str(model),
    )
    assert res.returncode == 0, res.stderr
    assert "saved logistic-regression" in res.stdout and model.exists()
    # the oracle: the same estimator fitted from Python on the same split
    X, y = load("moons", "train", seed=3)
    X_tr, y_tr, X_val, y_val = split_validation(X, y, 0.2, 3)
    ref = LogisticRegression(alpha=0.001, random_state=3).fit(X_tr, y_tr)
    train_acc, val_acc = _numbers(res.stdout, "accuracy")
    assert train_acc == pytest.approx(ref.score(X_tr, y_tr), abs=5e-5)
    assert val_acc == pytest.approx(ref.score(X_val, y_val), abs=5e-5)

    png = tmp_path / "regions.png"
    res = run("evaluate", str(model), "--data", "moons", "--seed", "3", "--plot", str(png))
    assert res.returncode == 0, res.stderr
    X_te, y_te = load("moons", "test", seed=3)
    pred = ref.predict(X_te)
    assert _numbers(res.stdout, "accuracy")[0] == pytest.approx(np.mean(pred == y_te), abs=5e-5)
    for t in (0, 1):  # confusion matrix rows: literal counts
        counts = [int(np.sum((y_te == t) & (pred == p))) for p in (0, 1)]
        assert re.search(rf"│ {t}\s+│\s+{counts[0]} │\s+{counts[1]} │", res.stdout), res.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    inputs = tmp_path / "points.csv"
    inputs.write_text("x0,x1\n" + "".join(f"{a!r},{b!r}\n" for a, b in X_te[:25].tolist()))
    res = run("predict", str(model), str(inputs))
    assert res.returncode == 0, res.stderr
    assert [int(s) for s in res.stdout.split()] == ref.predict(X_te[:25]).tolist()
    out = tmp_path / "pred.npz"
    res = run("predict", str(model), str(inputs), "--out", str(out))
    assert res.returncode == 0, res.stderr
    with np.load(out, allow_pickle=False) as f:
        np.testing.assert_array_equal(f["y"], ref.predict(X_te[:25]))


def test_csv_and_npz_data_files(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 3))
    y = X @ np.array([2.0, -1.0, 0.5]) + 1.0
    csv = tmp_path / "data.csv"
    csv.write_text(
        "a,b,price,c\n"
        + "".join(
            f"{r[0]!r},{r[1]!r},{t!r},{r[2]!r}\n"
            for r, t in zip(X.tolist(), y.tolist(), strict=True)
        )
    )
    res = run("train", "linear-regression", "--data", str(csv), "--out", str(tmp_path / "lr.npz"))
    line = assert_one_line_error(res, 2, "--target", "price")
    assert "a, b, price, c" in line
    res = run(
        "train",
        "linear-regression",
        "--data",
        str(csv),
        "--target",
        "price",
        "--val-fraction",
        "0",
        "--out",
        str(tmp_path / "lr.npz"),
    )
    assert res.returncode == 0, res.stderr
    assert _numbers(res.stdout, "R²")[0] == pytest.approx(1.0, abs=1e-4)
    model = byhand.load(tmp_path / "lr.npz")
    np.testing.assert_allclose(model.coef_.ravel(), [2.0, -1.0, 0.5], atol=1e-8)
    npz = tmp_path / "data.npz"
    np.savez(npz, X=X, y=y)
    png = tmp_path / "fit.png"
    res = run("evaluate", str(tmp_path / "lr.npz"), "--data", str(npz), "--plot", str(png))
    assert res.returncode == 0, res.stderr
    assert _numbers(res.stdout, "R²")[0] == pytest.approx(1.0, abs=1e-4)
    assert png.read_bytes()[:4] == b"\x89PNG"
    np.savez(npz, X=X[:, :2], y=y)  # one feature short
    assert_one_line_error(
        run("predict", str(tmp_path / "lr.npz"), str(npz)), 1, "expects rows of 3 features"
    )


def test_datasets_and_gradcheck():
    res = run("datasets")
    assert res.returncode == 0
    for name in ("xor", "moons", "digits", "mnist:0-1", "mnist:8-vs-rest"):
        assert name in res.stdout
    res = run("gradcheck")
    assert res.returncode == 0, res.stderr
    from byhand import nn

    for name in (
        "Linear",
        "Sequential",
        "ReLU",
        "Tanh",
        "Sigmoid",
        "Softplus",
        "Identity",
        "MSELoss",
        "HingeLoss",
        "PerceptronLoss",
        "LogisticLoss",
        "CrossEntropyLoss",
    ):
        assert name in res.stdout and hasattr(nn, name)
    errors = [float(x) for x in re.findall(r"(\d\.\d\de-\d\d)", res.stdout)]
    assert len(errors) >= 12 and max(errors) < 1e-6


def test_gradcheck_reports_a_wrong_backward():
    """The command fails (exit 1) when a backward is wrong: run it with a broken Tanh."""
    code = (
        "import sys, byhand.nn.activations as a\n"
        "a.Tanh.backward = lambda self, g: g\n"
        "from byhand.cli import main\n"
        "sys.exit(main(['gradcheck']))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
    )
    assert res.returncode == 1
    assert re.search(r"Tanh\(\).*FAIL", res.stdout), res.stdout


def test_checkpoint_options_are_checked(tmp_path):
    ck = tmp_path / "ck"
    common = [
        "train",
        "logistic-regression",
        "--data",
        "moons:100",
        "--param",
        "solver=sgd",
        "--epochs",
        "3",
        "--quiet",
        "--checkpoint-dir",
        str(ck),
    ]
    res = run(*common, "--out", str(tmp_path / "a.npz"))
    assert res.returncode == 0, res.stderr
    assert (ck / "checkpoint.npz").exists()
    res = run(*common, "--batch-size", "7", "--resume", "--out", str(tmp_path / "b.npz"))
    assert_one_line_error(res, 2, "belongs to another run", "batch_size")
    res = run(*common, "--epochs", "5", "--resume", "--out", str(tmp_path / "c.npz"))
    assert res.returncode == 0 and "resuming from" in res.stdout and "(epoch 3)" in res.stdout
    res = run("train", "lda", "--data", "moons", "--checkpoint-dir", str(ck), "--out", "x.npz")
    assert_one_line_error(res, 2, "not trained epoch by epoch")
    res = run("train", "logistic-regression", "--data", "moons", "--resume", "--out", "x.npz")
    assert_one_line_error(res, 2, "--resume needs --checkpoint-dir")


def test_help_imports_nothing_heavy():
    """``byhand --help`` stays fast: building the parser imports no NumPy, scikit-learn,
    matplotlib, rich or Dask (each command imports them inside ``run``)."""
    code = (
        "import sys, contextlib, io\n"
        "from byhand.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--help']) == 0\n"
        "heavy = ('numpy', 'sklearn', 'matplotlib', 'rich', 'dask', 'distributed', 'joblib')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"
