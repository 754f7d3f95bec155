"""A data set result that unpacks as ``X, y`` and also carries names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class Dataset(tuple):
    """``(X, y)`` with ``.X``, ``.y``, ``.feature_names`` and ``.target_names`` attributes.

    A tuple of exactly two arrays, so ``X, y = load_digits()`` works like the other loaders.

    Shapes: X (n, d) (or (n, 8, 8) for images), y (n,).

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.datasets import Dataset
    >>> data = Dataset(np.zeros((3, 2)), np.array([0, 1, 0]), feature_names=["a", "b"])
    >>> X, y = data
    >>> X.shape, y.tolist(), data.feature_names
    ((3, 2), [0, 1, 0], ['a', 'b'])
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str] | None
    target_names: np.ndarray | None

    def __new__(
        cls,
        X: np.ndarray,
        y: np.ndarray,
        feature_names: Sequence[str] | None = None,
        target_names: Any = None,
    ) -> Dataset:
        self = super().__new__(cls, (X, y))
        self.X, self.y = X, y
        self.feature_names = None if feature_names is None else list(feature_names)
        self.target_names = None if target_names is None else np.asarray(target_names)
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.X, self.y, self.feature_names, self.target_names)

    def __repr__(self) -> str:
        return f"Dataset(X={self.X.shape} {self.X.dtype}, y={self.y.shape} {self.y.dtype})"
