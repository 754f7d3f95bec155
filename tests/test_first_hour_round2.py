"""The first hour, round 2 (issue 22, item 2): damaged MNIST files are reported, Ctrl-C during
``byhand train`` says what was kept and how to go on, sweeps warn on the console, and the
``--param``/``--grid`` comma rule is in ``--help``."""

from __future__ import annotations

import gzip
import signal
import time
from pathlib import Path

import pytest

from _cli_process import checkpoint_epoch, cli_process
from byhand.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_datasets_reports_a_truncated_mnist_file_as_damaged(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "mnist"
    folder.mkdir()
    whole = gzip.compress(bytes(2000))
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(whole[: len(whole) // 2])
    monkeypatch.setenv("BYHAND_DATA", str(tmp_path))
    code, out, _ = run(capsys, "datasets")
    assert code == 0
    assert "damaged" in out and "t10k-labels-idx1-ubyte" in out and "SHA-256" in out
    assert "present" not in out


def test_datasets_says_verified_for_the_real_files(capsys, mnist_home, monkeypatch):
    monkeypatch.setenv("BYHAND_DATA", str(mnist_home))
    code, out, _ = run(capsys, "datasets")
    assert code == 0 and "SHA-256 verified" in out


def test_ctrl_c_without_checkpoint_dir_says_how_to_keep_one(capsys, tmp_path, monkeypatch):
    from byhand.linear_model import Perceptron

    def interrupted(self, *a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(Perceptron, "fit", interrupted)
    code, _, err = run(
        capsys, "train", "perceptron", "--data", "xor", "--out", str(tmp_path / "m.npz")
    )
    assert code == 130
    assert "interrupted: nothing was saved" in err and "--checkpoint-dir" in err
    assert "--resume" in err


def test_ctrl_c_names_the_checkpoint_and_the_resume_command(tmp_path):
    ck = tmp_path / "ck"
    args = [
        "train",
        "mlp-classifier",
        "--data",
        "moons:3000",
        "--batch-size",
        "2",
        "--epochs",
        "40",
        "--quiet",
        "--out",
        str(tmp_path / "m.npz"),
        "--checkpoint-dir",
        str(ck),
    ]
    victim = cli_process(*args)
    deadline = time.monotonic() + 240
    while checkpoint_epoch(ck) < 1:
        assert victim.poll() is None, "the run ended before Ctrl-C: make it slower"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    victim.send_signal(signal.SIGINT)
    _, err = victim.communicate(timeout=60)
    assert victim.returncode == 130, err
    assert f"{ck / 'checkpoint.npz'} holds epoch" in err
    assert "continue from it with: byhand train mlp-classifier" in err
    assert err.rstrip().endswith("--resume")


def test_sweep_warns_on_the_console_when_runs_stop_at_max_iter(capsys, tmp_path):
    code, _, err = run(
        capsys,
        "sweep",
        "mlp-classifier",
        "--data",
        "moons",
        "--grid",
        "hidden_layer_sizes=4,16",
        "--param",
        "max_iter=3",
        "--out",
        str(tmp_path / "sw"),
    )
    assert code == 0
    assert "warning: 2 of 2 runs raised warnings" in err
    assert "ConvergenceWarning" in err and "max_iter=3" in err
    csv = (tmp_path / "sw" / "results.csv").read_text()
    assert "ConvergenceWarning" in csv.splitlines()[1]


@pytest.mark.parametrize(
    ("command", "needle"),
    [("sweep", "hidden_layer_sizes=8,16 is two"), ("train", "commas build one value")],
)
def test_help_says_what_a_comma_means(capsys, command: str, needle: str) -> None:
    code = main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert code == 0 and needle in text


def test_license_file_matches_the_metadata():
    tomllib = pytest.importorskip(
        "tomllib", reason="tomllib is in the standard library from Python 3.11"
    )

    root = Path(__file__).resolve().parents[1]
    meta = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert meta["license"]["text"] == "MIT"
    assert (root / "LICENSE").read_text().startswith("MIT License")
    readme = (root / "README.md").read_text()
    urls = meta["urls"]
    assert urls, "pyproject.toml has no [project.urls]"
    for name, url in urls.items():  # each one is a source the README's lecture table cites
        assert url.startswith("https://") and url in readme, (name, url)


def test_train_with_early_stopping_shows_validation_per_epoch_and_how_much_is_held_out(
    capsys, tmp_path
):
    code, out, err = run(
        capsys,
        "train",
        "mlp-classifier",
        "--data",
        "moons",
        "--param",
        "early_stopping=true",
        "--param",
        "max_iter=4",
        "--out",
        str(tmp_path / "m.npz"),
    )
    assert code == 0
    assert "100 held out for validation" in out
    assert "holds out a further 10% of the 400 training samples (about 40)" in out
    epochs = [line for line in (out + err).splitlines() if line.startswith("epoch ")]
    assert len(epochs) == 4 and all("val_accuracy" in line for line in epochs)
