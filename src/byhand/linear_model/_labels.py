"""Labels given to a fitted classifier's methods that take y (``objective``): checked
against ``classes_`` so that an unknown label is an error, never scored as another class."""

from __future__ import annotations

from typing import Any

import numpy as np


def class_indices(estimator: Any, y: Any, n_samples: int) -> np.ndarray:
    """Index into ``estimator.classes_`` of each label of y, shape (n_samples,).

    Raises ValueError when y is not 1-D of ``n_samples`` labels, or holds labels that are
    not in ``classes_`` (naming up to five of them).
    """
    name = type(estimator).__name__
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != n_samples:
        raise ValueError(
            f"{name}: y must be 1-D with one label per row of X ({n_samples}); got shape {y.shape}."
        )
    classes = estimator.classes_
    try:
        idx = np.clip(np.searchsorted(classes, y), 0, classes.size - 1)
        known = classes[idx] == y
    except TypeError:  # labels not comparable with classes_ (e.g. str against int)
        known = np.zeros(y.shape[0], dtype=bool)
        idx = np.zeros(y.shape[0], dtype=np.intp)
    if not np.all(known):
        unknown = list(dict.fromkeys(y[~known].tolist()))
        raise ValueError(
            f"{name}: y holds labels {unknown[:5]}{' …' if len(unknown) > 5 else ''} that are "
            f"not in classes_ {classes.tolist()} (the classes seen in fit)."
        )
    return idx
