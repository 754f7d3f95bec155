"""Hand-engineered image features: histograms of oriented gradients (HOG).

EE-559 3.3 (Fleuret, EPFL, 2019), "Linear separability and feature design": "divide the image
in 8 × 8 blocks, compute in each the distribution of edge orientations over 9 bins" (Dalal and
Triggs, 2005). This is the per-cell part of HOG, without overlapping block normalisation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

__all__ = ["HOGFeatures", "hog_cells"]


def hog_cells(images: Any, cell_size: int = 8, n_bins: int = 9) -> np.ndarray:
    """Per-cell histograms of unsigned gradient orientations, shape (N, rows, cols, n_bins).

    ``images``: (N, H, W) or (H, W) grey levels. Gradients by the centred filter [−1, 0, 1]
    along rows and columns (zero on the border rows/columns): g_r = I[r+1] − I[r−1],
    g_c = I[:, c+1] − I[:, c−1]; magnitude √(g_r² + g_c²); unsigned orientation
    θ = atan2(g_r, g_c) mod 180° (rows pointing down). Pixel votes its magnitude into the bin
    ⌊θ / (180°/n_bins)⌋; cell (i, j) covers rows i·cell_size … (i+1)·cell_size − 1 (trailing
    pixels that do not fill a cell are dropped) and holds the mean vote per pixel.
    Raises ValueError for other shapes or a non-positive cell size / bin count.
    """
    X = np.asarray(images, dtype=np.float64)
    if X.ndim == 2:
        X = X[None]
    if X.ndim != 3:
        raise ValueError(f"hog_cells expects images of shape (N, H, W) or (H, W), got {X.shape}")
    for name, v in (("cell_size", cell_size), ("n_bins", n_bins)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    n, h, w = X.shape
    rows, cols = h // cell_size, w // cell_size
    if rows == 0 or cols == 0:
        raise ValueError(f"images of {h}×{w} pixels hold no {cell_size}×{cell_size} cell")
    gr = np.zeros_like(X)
    gc = np.zeros_like(X)
    gr[:, 1:-1, :] = X[:, 2:, :] - X[:, :-2, :]
    gc[:, :, 1:-1] = X[:, :, 2:] - X[:, :, :-2]
    mag = np.hypot(gr, gc)
    theta = np.rad2deg(np.arctan2(gr, gc)) % 180.0
    b = np.minimum((theta // (180.0 / n_bins)).astype(np.intp), n_bins - 1)
    hh, ww = rows * cell_size, cols * cell_size
    mag, b = mag[:, :hh, :ww], b[:, :hh, :ww]
    cell_r = np.arange(hh) // cell_size
    cell_c = np.arange(ww) // cell_size
    flat = (
        (np.arange(n)[:, None, None] * rows + cell_r[None, :, None]) * cols + cell_c[None, None, :]
    ) * n_bins + b
    out = np.bincount(flat.ravel(), weights=mag.ravel(), minlength=n * rows * cols * n_bins)
    return out.reshape(n, rows, cols, n_bins) / (cell_size * cell_size)


class HOGFeatures(TransformerMixin, BaseEstimator):
    """Transformer: flattened images (N, H·W) or images (N, H, W) → HOG cell histograms.

    ``image_shape`` (H, W) reshapes flat rows; ``cell_size`` (8) and ``n_bins`` (9) as in
    :func:`hog_cells`; ``normalize``: ``"l1"`` divides each cell's histogram by its sum
    (+ 1e-5, as scikit-image's L1 block norm with one-cell blocks), ``None`` keeps mean
    magnitudes. Output (N, rows·cols·n_bins). Source: EE-559 3.3 (Fleuret, EPFL, 2019).
    """

    def __init__(
        self,
        image_shape: tuple[int, int] = (28, 28),
        cell_size: int = 8,
        n_bins: int = 9,
        normalize: str | None = "l1",
    ) -> None:
        self.image_shape = image_shape
        self.cell_size = cell_size
        self.n_bins = n_bins
        self.normalize = normalize

    def fit(self, X: Any, y: Any = None) -> HOGFeatures:
        """Check the parameters and record the number of input features; return self."""
        if self.normalize not in ("l1", None):
            raise ValueError(f"normalize must be 'l1' or None, got {self.normalize!r}")
        X = np.asarray(X)
        self.n_features_in_ = int(np.prod(X.shape[1:]))
        return self

    def transform(self, X: Any) -> np.ndarray:
        """HOG features of X, shape (N, rows·cols·n_bins)."""
        X = np.asarray(X, dtype=np.float64)
        h, w = self.image_shape
        if X.ndim == 2:
            if X.shape[1] != h * w:
                raise ValueError(f"expected rows of {h * w} pixels, got {X.shape[1]}")
            X = X.reshape(-1, h, w)
        H = hog_cells(X, self.cell_size, self.n_bins)
        if self.normalize == "l1":
            H = H / (np.abs(H).sum(axis=-1, keepdims=True) + 1e-5)
        return H.reshape(len(X), -1)
