"""Progress of a training run you can see anywhere: a live bar on a terminal, plain lines
elsewhere (pipes, log files, Jupyter).

:func:`byhand.fit` shows it on standard output when ``verbose > 0``; ``byhand train`` on
standard error. Each epoch reports the mean training loss and metric, and the validation
ones when there are validation data::

    epoch 3/50  loss 0.4123  accuracy 0.8750  val_loss 0.4507  val_accuracy 0.8600  (0.01 s)

On a terminal the line is the text of a rich progress bar (epochs done, elapsed and
remaining time); before the first epoch ends the bar shows no numbers. Elsewhere,
``verbose=1`` prints the first and last epoch and about 20 in between (and one at least
every 10 s); ``verbose >= 2`` prints every epoch.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

__all__ = ["EpochProgress", "epoch_summary", "for_fit"]

_LINES = 20  # plain lines per run at verbose=1, besides the first and the last
_SECONDS = 10.0  # and at least one line this often


def epoch_summary(history: Any) -> str:
    """``"loss 0.4123  accuracy 0.8750  val_loss …  val_accuracy …"`` of the last epoch."""
    h = history
    name = getattr(h, "metric_name", "metric") or "metric"
    parts = []
    if h.loss:
        parts.append(f"loss {h.loss[-1]:.4g}")
    if h.metric:
        parts.append(f"{name} {h.metric[-1]:.4f}")
    if getattr(h, "val_loss", None):
        parts.append(f"val_loss {h.val_loss[-1]:.4g}")
    if getattr(h, "val_metric", None):
        parts.append(f"val_{name} {h.val_metric[-1]:.4f}")
    return "  ".join(parts)


def _is_live_terminal(file: IO[str]) -> bool:
    """True for an interactive terminal (not a pipe, a file or a Jupyter output cell)."""
    from rich.console import Console

    console = Console(file=file)
    return bool(console.is_terminal and not console.is_jupyter)


class EpochProgress:
    """The display of a run of ``total`` epochs; also a ``byhand.fit`` callback.

    ``file`` is where it writes (standard output by default, looked up at :meth:`start`),
    ``live`` forces (True) or forbids (False) the bar (default: a bar on a terminal only),
    ``verbose`` thins the plain lines (1) or prints every epoch (2).
    """

    def __init__(
        self,
        total: int,
        *,
        label: str = "epoch",
        file: IO[str] | None = None,
        live: bool | None = None,
        verbose: int = 1,
    ) -> None:
        self.total = int(total)
        self.label = label
        self.file = file
        self.live = live
        self.verbose = int(verbose)
        self._bar: Any = None
        self._task: Any = None
        self._started = False
        self._last_line = 0.0
        self._step = max(1, self.total // _LINES)

    def start(self, completed: int = 0) -> EpochProgress:
        """Begin at epoch ``completed`` (a resumed run starts where it stopped)."""
        if self.file is None:
            self.file = sys.stdout
        if self.live is None:
            self.live = _is_live_terminal(self.file)
        self._first = int(completed) + 1
        self._last_line = time.monotonic()
        self._started = True
        if self.live:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.table import Column

            self._bar = Progress(
                TextColumn(self.label),
                MofNCompleteColumn(),
                BarColumn(bar_width=20),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                TextColumn(  # cut at the end on a narrow terminal, never the counts
                    "{task.fields[info]}",
                    table_column=Column(no_wrap=True, overflow="ellipsis", ratio=1),
                ),
                console=Console(file=self.file, highlight=False),
                transient=False,
                expand=True,  # the fixed columns keep their width, the metrics take the rest
            )
            self._bar.start()
            self._task = self._bar.add_task("fit", total=self.total, completed=completed, info="")
        return self

    def update(self, epoch: int, history: Any) -> None:
        """Show the state after ``epoch`` epochs (1-based) as recorded in ``history``."""
        if not self._started:
            self.start(epoch - 1)
        info = epoch_summary(history)
        if self._bar is not None:
            self._bar.update(self._task, completed=epoch, info=info)
            return
        now = time.monotonic()
        due = (
            self.verbose >= 2
            or epoch in (self._first, self.total)
            or epoch % self._step == 0
            or now - self._last_line >= _SECONDS
        )
        if due:
            seconds = history.time[-1] if getattr(history, "time", None) else None
            took = f"  ({seconds:.2f} s)" if seconds is not None else ""
            print(f"{self.label} {epoch}/{self.total}  {info}{took}", file=self.file, flush=True)
            self._last_line = now

    def __call__(self, state: Any) -> bool:
        """As a ``byhand.fit`` callback: show ``state``; never asks to stop."""
        self.update(state.epoch, state.history)
        return False

    on_epoch_end = __call__

    def close(self) -> None:
        """End the display (the bar stays on screen with its last state)."""
        if self._bar is not None:
            self._bar.refresh()
            self._bar.stop()
            self._bar = None

    stop = close


def for_fit(verbose: int, total: int, completed: int = 0) -> EpochProgress | None:
    """The display of ``byhand.fit(verbose=…)`` on standard output, started; None if 0."""
    if not verbose:
        return None
    return EpochProgress(total, verbose=verbose).start(completed)
