"""Hand-engineered image features: histograms of oriented gradients (HOG).

EE-559 3.3 (Fleuret, EPFL, 2019), "Linear separability and feature design": "divide the image
in 8 × 8 blocks, compute in each the distribution of edge orientations over 9 bins" (Dalal and
Triggs, 2005). This is the per-cell part of HOG, without overlapping block normalisation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from byhand._validation import check_finite_features

__all__ = ["HOGFeatures", "hog_cells"]


def hog_cells(images: Any, cell_size: int = 8, n_bins: int = 9) -> np.ndarray:
    """Per-cell histograms of unsigned gradient orientations, shape (N, rows, cols, n_bins).

    ``images``: (N, H, W) or (H, W) grey levels. Gradients by the centred filter [−1, 0, 1]
    along rows and columns (zero on the border rows/columns): g_r = I[r+1] − I[r−1],
    g_c = I[:, c+1] − I[:, c−1]; magnitude √(g_r² + g_c²); unsigned orientation
    θ = atan2(g_r, g_c) mod 180° (rows pointing down). Pixel votes its magnitude into the bin
    ⌊θ / (180°/n_bins)⌋; cell (i, j) covers rows i·cell_size … (i+1)·cell_size − 1 (trailing
    pixels that do not fill a cell are dropped) and holds the mean vote per pixel.
    Raises ValueError for other shapes, a non-positive cell size / bin count, or a NaN or
    infinite grey level (naming the image and the pixel).
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
    if not np.isfinite(X).all():
        i, r, c = (int(v) for v in np.argwhere(~np.isfinite(X))[0])
        raise ValueError(
            f"hog_cells: image {i} holds {X[i, r, c]} at pixel ({r}, {c}); grey levels must "
            "be finite (the orientation of a NaN or infinite gradient is undefined)"
        )
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

    ``fit`` checks the parameters and that X holds images of ``image_shape`` (H·W features
    per row, or (H, W) images); ``transform`` needs a fitted transformer and the same
    shape. Any numeric or boolean dtype is read as float64 grey levels. Raises ValueError
    for no sample, for another shape, and for a NaN or inf pixel (naming it: "X contains
    NaN in feature 100 of sample 1", the feature being the pixel's index in the flat row),
    whose orientation is undefined.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.features import HOGFeatures
    >>> X = np.random.default_rng(0).random((3, 16 * 16))
    >>> HOGFeatures(image_shape=(16, 16)).fit_transform(X).shape
    (3, 36)
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

    def _check_params(self) -> tuple[int, int]:
        if self.normalize not in ("l1", None):
            raise ValueError(f"normalize must be 'l1' or None, got {self.normalize!r}")
        shape = self.image_shape
        if (
            not isinstance(shape, (tuple, list))
            or len(shape) != 2
            or not all(_positive_int(v) for v in shape)
        ):
            raise ValueError(
                f"HOGFeatures: image_shape must be (height, width), two positive integers, "
                f"got {shape!r}"
            )
        for name in ("cell_size", "n_bins"):
            if not _positive_int(getattr(self, name)):
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        h, w = (int(v) for v in shape)
        if h < self.cell_size or w < self.cell_size:
            raise ValueError(
                f"HOGFeatures: images of {h}×{w} pixels hold no {self.cell_size}×"
                f"{self.cell_size} cell; expected cell_size <= {min(h, w)}"
            )
        return h, w

    def _images(self, X: Any) -> np.ndarray:
        """X as (N, H·W) float64 rows: validated (2-D or 3-D, >= 1 sample, shape, finite)."""
        h, w = self._check_params()
        X = check_array(X, dtype=np.float64, allow_nd=True, ensure_all_finite=False)
        if X.ndim == 3 and X.shape[1:] == (h, w):
            X = X.reshape(X.shape[0], h * w)
        if X.ndim != 2 or X.shape[1] != h * w:
            raise ValueError(
                f"HOGFeatures(image_shape=({h}, {w})) expected rows of {h * w} pixels or "
                f"images of shape ({h}, {w}), got X of shape {X.shape}"
            )
        return check_finite_features(self, X)

    def fit(self, X: Any, y: Any = None) -> HOGFeatures:
        """Check the parameters and the images; record ``n_features_in_`` (H·W); return self."""
        X = self._images(X)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: Any) -> np.ndarray:
        """HOG features of X, shape (N, rows·cols·n_bins)."""
        check_is_fitted(self)
        X = self._images(X)
        H = hog_cells(
            X.reshape(-1, *(int(v) for v in self.image_shape)), self.cell_size, self.n_bins
        )
        if self.normalize == "l1":
            H = H / (np.abs(H).sum(axis=-1, keepdims=True) + 1e-5)
        return H.reshape(len(X), -1)


def _positive_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) and v >= 1
