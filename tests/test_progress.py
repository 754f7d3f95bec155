"""Training progress you can see anywhere (byhand._progress): plain lines when the output is
not a terminal, a live bar on one; validation metrics when there are validation data, and
never a "loss nan" before the first epoch ends."""

from __future__ import annotations

import io
import re
import sys

import numpy as np
import pytest

import byhand
from byhand import nn, optim
from byhand._progress import EpochProgress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _data(n: int = 64):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 2)).astype(np.float32)
    y = np.where(X[:, 0] * X[:, 1] > 0, 1, -1)
    return X, y


def _fit(epochs: int, verbose: int, validation: bool = False):
    X, y = _data()
    net = nn.Sequential(nn.Linear(2, 8, random_state=0), nn.Tanh(), nn.Linear(8, 1, random_state=1))
    return byhand.fit(
        net,
        nn.LogisticLoss(),
        optim.SGD(net.parameters(), lr=0.1),
        X[:48],
        y[:48],
        epochs=epochs,
        batch_size=16,
        random_state=0,
        validation_data=(X[48:], y[48:]) if validation else None,
        verbose=verbose,
    )


LINE = re.compile(
    r"epoch (\d+)/(\d+)  loss (\S+)  accuracy (\S+)(?:  val_loss (\S+)  val_accuracy (\S+))?"
    r"  \(\d+\.\d\d s\)"
)


def test_plain_lines_when_not_a_terminal_carry_the_history(capsys):
    hist = _fit(5, verbose=2, validation=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    for k, line in enumerate(lines):
        m = LINE.fullmatch(line)
        assert m, line
        assert (int(m[1]), int(m[2])) == (k + 1, 5)
        assert float(m[3]) == pytest.approx(hist.loss[k], rel=1e-3)
        assert float(m[4]) == pytest.approx(hist.metric[k], abs=1e-4)
        assert float(m[5]) == pytest.approx(hist.val_loss[k], rel=1e-3)
        assert float(m[6]) == pytest.approx(hist.val_metric[k], abs=1e-4)


def test_verbose_1_thins_long_runs_to_about_20_lines(capsys):
    _fit(200, verbose=1)
    epochs = [int(LINE.fullmatch(ln)[1]) for ln in capsys.readouterr().out.splitlines()]
    assert epochs[0] == 1 and epochs[-1] == 200
    assert epochs == sorted(set(epochs)) and 20 <= len(epochs) <= 23
    assert all(e in (1, 200) or e % 10 == 0 for e in epochs)


def test_verbose_0_prints_nothing(capsys):
    _fit(3, verbose=0)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("columns", [80, 160])
def test_the_bar_on_a_terminal_shows_validation_and_never_nan(monkeypatch, columns):
    fake = Tty()
    monkeypatch.setattr(sys, "stdout", fake)
    monkeypatch.setenv("COLUMNS", str(columns))
    _fit(4, verbose=1, validation=True)
    raw = fake.getvalue()
    assert "\x1b[" in raw  # drawn as a live display, not as plain lines
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw)
    assert "4/4" in text and "nan" not in text and "loss" in text
    if columns >= 160:
        assert "val_loss" in text and "val_accuracy" in text


def test_before_the_first_epoch_the_bar_has_no_numbers():
    out = Tty()
    bar = EpochProgress(10, file=out, live=True).start()
    try:
        (task,) = bar._bar.tasks
        assert task.fields["info"] == ""
        bar._bar.refresh()
        assert "nan" not in out.getvalue() and "loss" not in out.getvalue()
    finally:
        bar.close()


def test_a_resumed_run_starts_counting_where_it_stopped():
    out = io.StringIO()
    bar = EpochProgress(10, file=out, verbose=1).start(completed=6)

    class H:
        metric_name = "accuracy"
        loss, metric, val_loss, val_metric, time = [0.5], [0.75], [], [], [0.01]

    bar.update(7, H())
    assert out.getvalue() == "epoch 7/10  loss 0.5  accuracy 0.7500  (0.01 s)\n"
