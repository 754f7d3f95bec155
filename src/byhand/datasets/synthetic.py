"""Seeded synthetic data sets for the lectures' toy problems.

Every generator takes ``random_state`` (an int seed, a ``numpy.random.Generator`` or None):
the same seed gives bit-identical arrays. Inputs are float64 of shape (n_samples, n_features);
class labels are int64, {0, 1} by default and {−1, +1} with ``signed=True`` (binary sets),
0..K−1 for multiclass sets; regression targets are float64 of shape (n_samples,).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validation import (
    RandomState,
    as_labels,
    check_float,
    check_int,
    check_random_state,
)


def _balanced_classes(n_samples: int, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """Class indices 0..K−1 with counts differing by at most one, in random order."""
    return rng.permutation(np.arange(n_samples) % n_classes)


def make_xor(
    n_samples: int = 200,
    noise: float = 0.1,
    random_state: RandomState = None,
    *,
    signed: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """XOR clouds: Gaussian clouds (std ``noise``) around the corners of {0, 1}².

    Corner (u, v) gets the label xor(u, v) = u + v − 2uv; the corners are used in turn
    (counts differ by at most one), in random order.

    Sources: EE-559 3.3 (Fleuret, EPFL, 2019) Linear separability and feature design
    ("xor", Φ(x_u, x_v) = (x_u, x_v, x_u x_v)); CS 577 Lecture 03 (Wang, IIT, 2024).

    Returns X (n, 2) float64 and y (n,) int64 in {0, 1} (or {−1, +1} with ``signed=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.datasets import make_xor
    >>> X, y = make_xor(8, noise=0.0, random_state=0)
    >>> sorted(zip(X.tolist(), y.tolist()))[:2]
    [([0.0, 0.0], 0), ([0.0, 0.0], 0)]
    >>> np.bincount(y).tolist()
    [4, 4]
    """
    n_samples = check_int("n_samples", n_samples)
    noise = check_float("noise", noise)
    rng = check_random_state(random_state)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    k = _balanced_classes(n_samples, 4, rng)
    X = corners[k] + noise * rng.standard_normal((n_samples, 2))
    return X, as_labels(np.array([0, 1, 1, 0])[k], signed)


def make_moons(
    n_samples: int = 200,
    noise: float = 0.1,
    random_state: RandomState = None,
    *,
    signed: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles ("two moons"), as scikit-learn's ``make_moons``.

    Class 0: (cos θ, sin θ); class 1: (1 − cos θ, 1/2 − sin θ), θ evenly spaced on [0, π]
    (⌊n/2⌋ points on the first moon), shuffled, plus Gaussian noise of std ``noise``.

    Source: CS 577 Lecture 04 (Wang, IIT, 2024), "The two-moons toy dataset".

    Returns X (n, 2) float64 and y (n,) int64 in {0, 1} (or {−1, +1} with ``signed=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.datasets import make_moons
    >>> X, y = make_moons(100, noise=0.1, random_state=0)
    >>> X.shape, np.bincount(y).tolist()
    ((100, 2), [50, 50])
    """
    n_samples = check_int("n_samples", n_samples)
    noise = check_float("noise", noise)
    rng = check_random_state(random_state)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n_in)
    X = np.vstack(
        [
            np.column_stack([np.cos(t_out), np.sin(t_out)]),
            np.column_stack([1.0 - np.cos(t_in), 1.0 - np.sin(t_in) - 0.5]),
        ]
    )
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    order = rng.permutation(n_samples)
    X = X[order] + noise * rng.standard_normal((n_samples, 2))
    return X, as_labels(y[order], signed)


class GaussianClasses(NamedTuple):
    """Gaussian classes and their true parameters: X|Y=k ~ N(means[k], cov), P(Y=k) = priors[k].

    Shapes: X (n, d), y (n,), means (K, d), cov (d, d), priors (K,).

    Examples
    --------
    >>> from byhand.datasets import make_gaussian_classes
    >>> data = make_gaussian_classes(100, random_state=0, return_params=True)
    >>> data.X.shape, data.means.tolist(), data.priors.tolist()
    ((100, 2), [[-1.0, 0.0], [1.0, 0.0]], [0.5, 0.5])
    >>> data.cov
    array([[1. , 0.5],
           [0.5, 1. ]])
    """

    X: np.ndarray
    y: np.ndarray
    means: np.ndarray
    cov: np.ndarray
    priors: np.ndarray


def make_gaussian_classes(
    n_samples: int = 200,
    noise: float = 1.0,
    random_state: RandomState = None,
    *,
    means: np.ndarray | None = None,
    cov: np.ndarray | None = None,
    priors: np.ndarray | None = None,
    return_params: bool = False,
) -> tuple[np.ndarray, np.ndarray] | GaussianClasses:
    """Classes drawn from Gaussians with one shared covariance: the model behind LDA.

    Y ~ Categorical(priors), X | Y=k ~ N(m_k, Σ) with Σ = noise² · C shared by all classes.
    Then P(Y=1 | X=x) = σ(wᵀx + b) with w = Σ⁻¹(m₁ − m₀) and
    b = −½(m₁ᵀΣ⁻¹m₁ − m₀ᵀΣ⁻¹m₀) + log(π₁/π₀): the posterior is a sigmoid of an affine map.

    Defaults: two classes in 2-D, m₀ = (−1, 0), m₁ = (1, 0), C = [[1, 0.5], [0.5, 1]],
    equal priors. ``means`` (K, d) gives K classes in d dimensions (C then defaults to I_d
    unless d = 2); ``cov`` is C (d, d), symmetric positive definite.

    Source: EE-559 3.2 (Fleuret, EPFL, 2019) Probabilistic view of a linear classifier
    (Linear Discriminant Analysis, μ_{X|Y=y} Gaussian with shared Σ).

    Returns
    -------
    (X, y), or with ``return_params=True`` a :class:`GaussianClasses` (X, y, means, cov, priors)
    whose ``cov`` is the true Σ = noise² · C. y is int64 in 0..K−1.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.datasets import make_gaussian_classes
    >>> X, y = make_gaussian_classes(200, random_state=0)
    >>> X.shape, np.bincount(y).tolist()  # doctest: +ELLIPSIS
    ((200, 2), [...])
    >>> np.round(X[y == 1].mean(axis=0), 1) + 0.0  # near m₁ = (1, 0)
    array([1., 0.])
    """
    n_samples = check_int("n_samples", n_samples)
    noise = check_float("noise", noise, strict=True)
    rng = check_random_state(random_state)
    if means is None:
        means = np.array([[-1.0, 0.0], [1.0, 0.0]])
    means = np.array(means, dtype=np.float64)
    if means.ndim != 2 or means.shape[0] < 2 or means.shape[1] < 1:
        raise ValueError(f"means must have shape (n_classes >= 2, n_features), got {means.shape}")
    if not np.all(np.isfinite(means)):
        raise ValueError("means must be finite")
    n_classes, d = means.shape
    if cov is None:
        cov = np.array([[1.0, 0.5], [0.5, 1.0]]) if d == 2 else np.eye(d)
    cov = np.array(cov, dtype=np.float64)
    if cov.shape != (d, d):
        raise ValueError(f"cov must have shape ({d}, {d}), got {cov.shape}")
    if not np.all(np.isfinite(cov)) or not np.allclose(cov, cov.T):
        raise ValueError("cov must be a finite symmetric matrix")
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError("cov must be positive definite") from None
    if priors is None:
        priors = np.full(n_classes, 1.0 / n_classes)
    priors = np.array(priors, dtype=np.float64)
    if priors.shape != (n_classes,) or np.any(priors < 0) or not np.isclose(priors.sum(), 1.0):
        raise ValueError(
            f"priors must be {n_classes} non-negative numbers summing to 1, got {priors}"
        )
    y = rng.choice(n_classes, size=n_samples, p=priors).astype(np.int64)
    X = means[y] + noise * rng.standard_normal((n_samples, d)) @ chol.T
    if return_params:
        return GaussianClasses(X, y, means, noise**2 * cov, priors)
    return X, y


class Separable(NamedTuple):
    """Linearly separable data and the unit vector w* that separates it with the margin.

    Shapes: X (n, d), y (n,) in {−1, +1}, w_star (d,) of unit norm.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.datasets import make_separable
    >>> X, y, w = make_separable(50, margin=0.2, random_state=0)
    >>> f"{np.linalg.norm(w):.4f}", bool(np.all(y * (X @ w) >= 0.2))
    ('1.0000', True)
    """

    X: np.ndarray
    y: np.ndarray
    w_star: np.ndarray


def make_separable(
    n_samples: int = 100,
    n_features: int = 2,
    margin: float = 0.1,
    radius: float = 1.0,
    random_state: RandomState = None,
) -> Separable:
    """Data with a guaranteed margin and radius, for the perceptron convergence bound.

    Guarantees, for the returned unit vector w* (no bias): y_n w*ᵀx_n >= γ = ``margin``
    and ‖x_n‖ <= R = ``radius`` for every n, with y_n = sign(w*ᵀx_n) ∈ {−1, +1}.
    Construction: y uniform in {±1}, t uniform in [γ, R], x = y t w* + p with p ⊥ w*
    uniform in the (d−1)-ball of radius √(R² − t²) (a hair inside, against rounding).

    EE-559 writes the margin assumption as y_n (x_n · w*) >= γ_L/2 and proves at most
    4R²/γ_L² mistakes; with γ_L = 2·margin that bound is R²/margin².

    Source: EE-559 3.1 (Fleuret, EPFL, 2019) The perceptron (convergence under
    ‖x_n‖ <= R and a margin, bound ⌊4R²/γ²⌋).

    Returns
    -------
    :class:`Separable` (X (n, d) float64, y (n,) int64 in {−1, +1}, w_star (d,) unit norm).

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.datasets import make_separable
    >>> data = make_separable(100, n_features=3, margin=0.1, radius=1.0, random_state=0)
    >>> data.X.shape, bool(np.all(data.y * (data.X @ data.w_star) >= 0.1))
    ((100, 3), True)
    >>> bool(np.linalg.norm(data.X, axis=1).max() <= 1.0)
    True
    """
    n_samples = check_int("n_samples", n_samples)
    d = check_int("n_features", n_features)
    gamma = check_float("margin", margin, strict=True)
    R = check_float("radius", radius, strict=True)
    if gamma >= R:
        raise ValueError(f"margin must be < radius, got margin={gamma} and radius={R}")
    rng = check_random_state(random_state)
    w = rng.standard_normal(d)
    w /= np.linalg.norm(w)
    y = np.where(rng.random(n_samples) < 0.5, -1, 1).astype(np.int64)
    safety = 1e-9
    t = rng.uniform(gamma * (1 + safety), R * (1 - safety), size=n_samples)
    X = (y * t)[:, None] * w[None, :]
    if d > 1:
        p = rng.standard_normal((n_samples, d))
        p -= np.outer(p @ w, w)
        p /= np.linalg.norm(p, axis=1, keepdims=True)
        r = np.sqrt(np.maximum(R**2 - t**2, 0.0)) * rng.random(n_samples) ** (1.0 / (d - 1))
        X += p * (r * (1 - safety))[:, None]
    if np.min(y * (X @ w)) < gamma or np.max(np.linalg.norm(X, axis=1)) > R:
        raise RuntimeError("make_separable: margin or radius violated (numerical bug)")
    return Separable(X, y, w)


def make_ring(
    n_samples: int = 200,
    noise: float = 0.0,
    random_state: RandomState = None,
    *,
    signed: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """A radial set: class 0 uniform in the disc ‖x‖ < 1, class 1 uniform in the ring 1 < ‖x‖ < 2.

    The classes are not linearly separable in x, but the radial feature ‖x‖ separates them
    at 1 (exactly when ``noise`` = 0; ``noise`` is the std of a Gaussian jitter added to
    both coordinates). Classes have ⌊n/2⌋ and ⌈n/2⌉ points, in random order.

    Source: EE-559 3.3 (Fleuret, EPFL, 2019) Linear separability and feature design
    ("Votes, radial feature (K=11)", k-NN with a radial feature).

    Returns X (n, 2) float64 and y (n,) int64 in {0, 1} (or {−1, +1} with ``signed=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.datasets import make_ring
    >>> X, y = make_ring(100, random_state=0)
    >>> r = np.linalg.norm(X, axis=1)
    >>> bool(np.all((r > 1) == (y == 1)))  # the radial feature separates them at 1
    True
    """
    n_samples = check_int("n_samples", n_samples)
    noise = check_float("noise", noise)
    rng = check_random_state(random_state)
    y = _balanced_classes(n_samples, 2, rng).astype(np.int64)
    # area-uniform radius in [a, b]: r = sqrt(a² + u (b² − a²))
    lo = y.astype(np.float64)
    hi = lo + 1.0
    r = np.sqrt(lo**2 + rng.random(n_samples) * (hi**2 - lo**2))
    theta = rng.uniform(0.0, 2 * np.pi, n_samples)
    X = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    X += noise * rng.standard_normal((n_samples, 2))
    return X, as_labels(y, signed)


DISC_CENTER = (0.5, 0.5)
DISC_RADIUS = 1.0 / np.sqrt(2.0 * np.pi)


def make_disc(
    n_samples: int = 1000,
    random_state: RandomState = None,
    *,
    signed: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """EE-559's framework-project disc set: x uniform in [0, 1]², y = 1{‖x − (½, ½)‖ < 1/√(2π)}.

    The disc has area π/(2π) = ½, so the classes are balanced in expectation. No noise
    parameter: the labels are exact.

    Source: the mini deep-learning framework project of EE-559 (François Fleuret, the course
    of EE-559 (Fleuret, EPFL, 2019); the project text itself is not among the seeds, the set is
    specified in byhand issue 3).

    Returns X (n, 2) float64 and y (n,) int64 in {0, 1} (or {−1, +1} with ``signed=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.datasets import make_disc
    >>> X, y = make_disc(1000, random_state=0)
    >>> X.shape, f"{y.mean():.2f}"  # about half inside the disc
    ((1000, 2), '0.50')
    """
    n_samples = check_int("n_samples", n_samples)
    rng = check_random_state(random_state)
    X = rng.random((n_samples, 2))
    inside = np.sum((X - np.array(DISC_CENTER)) ** 2, axis=1) < DISC_RADIUS**2
    return X, as_labels(inside.astype(np.int64), signed)


def _check_range(name: str, x_range: tuple[float, float]) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in x_range)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers (low, high), got {x_range!r}") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{name} must be finite with low < high, got {x_range!r}")
    return low, high


def make_sin_regression(
    n_samples: int = 50,
    noise: float = 0.1,
    random_state: RandomState = None,
    *,
    x_range: tuple[float, float] = (-np.pi, np.pi),
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy sine: x uniform in ``x_range``, y = sin(x) + noise·ε, ε ~ N(0, 1).

    For polynomial feature maps (Φ(x) = (1, x, …, x^D), Stone–Weierstrass) and universal
    approximation with sums of ReLUs.

    Sources: CS 577 Lecture 03 (Wang, IIT, 2024), "Beyond linearity: feature map";
    EE-559 3.3 (Fleuret, EPFL, 2019) (polynomial regression) and 3.5 (universal
    approximation).

    Returns X (n, 1) float64 and y (n,) float64.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.datasets import make_sin_regression
    >>> X, y = make_sin_regression(50, noise=0.0, random_state=0)
    >>> X.shape, bool(np.allclose(y, np.sin(X[:, 0])))
    ((50, 1), True)
    """
    n_samples = check_int("n_samples", n_samples)
    noise = check_float("noise", noise)
    low, high = _check_range("x_range", x_range)
    rng = check_random_state(random_state)
    x = rng.uniform(low, high, n_samples)
    y = np.sin(x) + noise * rng.standard_normal(n_samples)
    return x[:, None], y


def make_polynomial_regression(
    n_samples: int = 50,
    noise: float = 0.1,
    random_state: RandomState = None,
    *,
    coef: tuple[float, ...] = (0.0, -1.0, 0.0, 1.0),
    x_range: tuple[float, float] = (-1.5, 1.5),
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy 1-D polynomial: y = Σ_d α_d x^d + noise·ε with α = ``coef`` (default x³ − x).

    Fitting α is linear regression on Φ(x) = (1, x, …, x^D): Σ_d α_d x^d = α · Φ(x).

    Sources: EE-559 3.3 (Fleuret, EPFL, 2019) ("This is similar to the polynomial
    regression … Σ α_d x^d = α · Φ(x)"); CS 577 Lecture 03 (Wang, IIT, 2024)
    ("degree d polynomial feature map").

    Returns X (n, 1) float64 and y (n,) float64.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.datasets import make_polynomial_regression
    >>> X, y = make_polynomial_regression(40, noise=0.0, random_state=0)
    >>> np.round(np.polyfit(X[:, 0], y, 3), 4) + 0.0  # x³ − x, highest power first
    array([ 1.,  0., -1.,  0.])
    """
    n_samples = check_int("n_samples", n_samples)
    noise = check_float("noise", noise)
    low, high = _check_range("x_range", x_range)
    alpha = np.asarray(coef, dtype=np.float64)
    if alpha.ndim != 1 or alpha.size == 0 or not np.all(np.isfinite(alpha)):
        raise ValueError(f"coef must be a non-empty 1-D sequence of finite numbers, got {coef!r}")
    rng = check_random_state(random_state)
    x = rng.uniform(low, high, n_samples)
    y = np.polynomial.polynomial.polyval(x, alpha) + noise * rng.standard_normal(n_samples)
    return x[:, None], y


def make_blobs_k(
    n_samples: int = 300,
    noise: float = 1.0,
    random_state: RandomState = None,
    *,
    n_classes: int = 3,
    n_features: int = 2,
    centers: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """K isotropic Gaussian blobs: x = c_y + noise·ε, labels y ∈ {0, …, K−1} balanced.

    Default centres: 4·(cos 2πk/K, sin 2πk/K) in the first two coordinates (0 elsewhere),
    well apart for the multiclass perceptron f(x) = argmax_k w_kᵀx and softmax regression.

    Sources: CS 577 Lecture 01 (Wang, IIT, 2024), "Multiclass perceptron";
    CS 577 Lecture 04 (Wang, IIT, 2024), "Multiclass classification" and softmax.

    Returns X (n, d) float64 and y (n,) int64.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand.datasets import make_blobs_k
    >>> X, y = make_blobs_k(90, noise=0.5, random_state=0, n_classes=3)
    >>> X.shape, np.bincount(y).tolist()
    ((90, 2), [30, 30, 30])
    """
    n_samples = check_int("n_samples", n_samples)
    noise = check_float("noise", noise)
    rng = check_random_state(random_state)
    if centers is None:
        K = check_int("n_classes", n_classes, minimum=2)
        d = check_int("n_features", n_features, minimum=2)
        angle = 2 * np.pi * np.arange(K) / K
        centers = np.zeros((K, d))
        centers[:, 0], centers[:, 1] = 4 * np.cos(angle), 4 * np.sin(angle)
    else:
        centers = np.array(centers, dtype=np.float64)
        if centers.ndim != 2 or centers.shape[0] < 2 or not np.all(np.isfinite(centers)):
            raise ValueError(
                f"centers must be a finite (n_classes >= 2, n_features) array, got {centers.shape}"
            )
        K, d = centers.shape
    y = _balanced_classes(n_samples, K, rng).astype(np.int64)
    X = centers[y] + noise * rng.standard_normal((n_samples, d))
    return X, y
