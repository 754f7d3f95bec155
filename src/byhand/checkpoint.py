"""Per-epoch checkpoints for training that survives being killed.

:class:`CheckpointWriter` is a callback for ``byhand.fit`` or an estimator's
``fit(X, y, callbacks=…)``: after every epoch it writes ``DIR/checkpoint.npz`` from
:meth:`byhand.training.TrainState.snapshot` — weights, optimizer state (step count k and
momentum buffers v of v ← μv + g, θ ← θ − ε_k v, CS 577 Lecture 01 (Wang, IIT, 2024) "Stochastic
gradient descent"), Polyak–Ruppert averages (Deep Neural Networks Course I (Galerne, Univ. Orléans,
2024–25) "Averaged SGD"), the
RNG's state and the history — as arrays plus JSON, no pickle, atomically (temporary file and
``os.replace``: a kill at any instant leaves the previous checkpoint or the new one, never a
torn one). :func:`load_checkpoint` reads it back for ``resume_state=`` / ``--resume``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from byhand.io import _Decoder, _Encoder, _guarded, _version, read_archive, write_archive

FORMAT = "byhand-checkpoint"
FORMAT_VERSION = 1
FILENAME = "checkpoint.npz"

__all__ = ["FILENAME", "CheckpointWriter", "load_checkpoint", "save_checkpoint"]


def checkpoint_path(directory: str | os.PathLike[str]) -> Path:
    """``DIR/checkpoint.npz``."""
    return Path(directory) / FILENAME


def save_checkpoint(
    directory: str | os.PathLike[str],
    snapshot: dict[str, Any],
    config: dict[str, Any] | None = None,
) -> Path:
    """Write ``snapshot`` (and a JSON-able ``config`` describing the run) atomically."""
    enc = _Encoder()
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "byhand_version": _version(),
        "epoch": int(snapshot.get("epoch", 0)),
        "config": enc(config or {}),
        "snapshot": enc(snapshot),
        "arrays": enc.info,
    }
    return write_archive(checkpoint_path(directory), meta, enc.arrays)


def load_checkpoint(directory: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(snapshot, config) of ``DIR/checkpoint.npz``.

    Raises FileNotFoundError naming the path when there is none, and
    :class:`byhand.io.ModelFileError` (a ValueError) when it is damaged.
    """
    path = checkpoint_path(directory)
    meta, arrays = read_archive(path, FORMAT, FORMAT_VERSION)

    def build() -> tuple[dict[str, Any], dict[str, Any]]:
        """Decode the snapshot and the config."""
        dec = _Decoder(arrays, str(path))
        return dec(meta["snapshot"]), dec(meta.get("config", {}))

    return _guarded(str(path), build)


class CheckpointWriter:
    """Callback writing ``DIR/checkpoint.npz`` after every ``every``-th epoch.

    ``config`` (JSON-able: model name, parameters, data, seed, …) is stored beside the
    snapshot so that a resume can check it continues the same run.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        config: dict[str, Any] | None = None,
        every: int = 1,
    ) -> None:
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}")
        self.directory = Path(directory)
        self.config = dict(config or {})
        self.every = every
        self.directory.mkdir(parents=True, exist_ok=True)
        self.last_epoch: int | None = None

    def __call__(self, state: Any) -> bool:
        if state.epoch % self.every == 0:
            save_checkpoint(self.directory, state.snapshot(), self.config)
            self.last_epoch = state.epoch
        return False

    on_epoch_end = __call__
