"""scikit-learn's bundled 8×8 digits: image data that is always there, no download."""

from __future__ import annotations

import numpy as np

from ._result import Dataset


def load_digits(*, dtype: type = np.float64, images: bool = False) -> Dataset:
    """scikit-learn's 8×8 handwritten digits (1797 images, UCI), pixels scaled to [0, 1].

    The raw pixels are integers 0..16; here x = pixel / 16, float64 by default (``dtype``
    may be np.float32). ``images=True`` keeps X as (1797, 8, 8) instead of (1797, 64).
    A small stand-in for MNIST (EE-559 3.1 (Fleuret, EPFL, 2019) The perceptron,
    MNIST experiments) in tests and quick demos.

    Returns
    -------
    :class:`~byhand.datasets.Dataset`: unpacks as ``X, y`` (y int64 in 0..9) and carries
    ``feature_names`` ("pixel_i_j") and ``target_names`` (0..9).

    Examples
    --------
    >>> from byhand.datasets import load_digits
    >>> X, y = load_digits()
    >>> X.shape, y.shape, float(X.max()), int(y[0])
    ((1797, 64), (1797,), 1.0, 0)
    """
    if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {np.dtype(dtype)}")
    from sklearn.datasets import load_digits as _sk_load_digits

    bunch = _sk_load_digits()
    X = np.asarray(bunch.data, dtype=np.float64) / 16.0
    if images:
        X = X.reshape(-1, 8, 8)
    names = [f"pixel_{i}_{j}" for i in range(8) for j in range(8)]
    y = np.asarray(bunch.target, dtype=np.int64)
    return Dataset(X.astype(dtype, copy=False), y, names, np.asarray(bunch.target_names))
