"""Feature maps of the lectures as scikit-learn transformers.

Lectures: CS 577 Lecture 03 (Wang, IIT, 2024) (CS 577 Lecture 03, "Beyond linearity: feature map":
φ(x) = [1, x, x², …, x^d], and degree-2 features for XOR); EE-559 (Fleuret, EPFL, 2019)
(EE-559 3.3 "Linear separability and feature design": Φ(x_u, x_v) = (x_u, x_v, x_u x_v) for
xor, products of random pairs of pixels for MNIST 8-vs-rest, a radial feature for k-NN).
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterator
from itertools import combinations_with_replacement, islice
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from byhand._validation import check_param, validate_X

__all__ = ["PairProductFeatures", "PolynomialFeatures", "RadialFeatures"]


def _input_names(est: Any, input_features: Any) -> np.ndarray:
    """Input feature names: given ones (checked), ``feature_names_in_``, else x0, x1, …"""
    check_is_fitted(est)
    if input_features is None:
        names = getattr(est, "feature_names_in_", None)
        if names is None:
            names = [f"x{i}" for i in range(est.n_features_in_)]
        return np.asarray(names, dtype=object)
    names = np.asarray(input_features, dtype=object)
    if names.shape != (est.n_features_in_,):
        raise ValueError(
            f"input_features should have length equal to n_features_in_ "
            f"({est.n_features_in_}), got {names.shape}."
        )
    known = getattr(est, "feature_names_in_", None)
    if known is not None and not np.array_equal(known, names):
        raise ValueError("input_features is not equal to feature_names_in_")
    return names


def _validate(est: Any, X: Any, reset: bool) -> np.ndarray:
    """X as a C-ordered float64 array of the fitted features; NaN/inf named by feature and
    sample (:func:`byhand._validation.check_finite_features`)."""
    if not reset:
        check_is_fitted(est)
    return validate_X(est, X, reset=reset)


def _available_bytes() -> int | None:
    """Memory the system can still give (MemAvailable of /proc/meminfo), None if unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def _check_output_size(est: Any, n_rows: int, n_cols: int) -> None:
    """Refuse, before allocating, an output of n_rows × n_cols float64 that is larger than
    the memory the system has available now (it could only fail, or swap)."""
    need = 8 * n_rows * n_cols
    avail = _available_bytes()
    if avail is not None and need > avail:
        raise ValueError(
            f"{type(est).__name__}.transform would return a {n_rows} × {n_cols} float64 "
            f"array ({need / 2**30:.3g} GiB), more than the {avail / 2**30:.3g} GiB of memory "
            "available on this machine now (the limit: the output alone must fit in memory); "
            "transform fewer rows at a time, or lower the degree / number of features."
        )


def _n_monomials(d: int, degree: int, include_bias: bool) -> int:
    """Σ_{k} C(d + k − 1, k) over k = (0 if include_bias else 1) .. degree, exactly."""
    return sum(math.comb(d + k - 1, k) for k in range(0 if include_bias else 1, degree + 1))


def _combos(d: int, degree: int, include_bias: bool) -> Iterator[tuple[int, ...]]:
    """The monomials as sorted index tuples, in the order of the output's columns."""
    if include_bias:
        yield ()
    for k in range(1, degree + 1):
        yield from combinations_with_replacement(range(d), k)


class PolynomialFeatures(TransformerMixin, BaseEstimator):
    """All monomials of the input variables up to a degree: ``φ(x) = (x^α)_{|α| <= degree}``.

    CS 577 Lecture 03 (Wang, IIT, 2024), "Beyond linearity: feature map" (φ(x) = [1, x, …, x^d]
    for one variable, degree 2 in two variables for XOR); EE-559 3.3 in
    EE-559 (Fleuret, EPFL, 2019) (polynomial feature maps, Stone–Weierstrass).

    Columns: the constant 1 (if ``include_bias``), then for each degree k = 1..degree the
    products x_{i1}·…·x_{ik} with i1 <= … <= ik in lexicographic order (scikit-learn's
    order too). The output is built degree by degree: the degree-k columns starting with
    x_i are x_i times the degree-(k−1) columns whose first index is >= i, one slice product
    each, so memory follows the output (5 × 300 at degree 3: 4,590,551 columns, 175 MiB,
    nothing else of that size). An output larger than the memory available now is refused
    up front with a ValueError saying so, and a monomial that overflows float64 (inputs
    near the largest double) raises a ValueError naming it.

    Attributes: ``n_features_in_``, ``n_output_features_``, ``powers_`` (n_output, n_in):
    the exponent α of each column (computed when read: it is n_output × n_in integers).

    Raises
    ------
    ValueError
        If ``degree`` is not an integer >= 0, X is not 2-D or holds NaN or inf, the output
        would not fit in memory, or a monomial overflows float64.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand import PolynomialFeatures
    >>> PolynomialFeatures(degree=2).fit_transform(np.array([[2.0, 3.0]]))  # 1, u, v, u², uv, v²
    array([[1., 2., 3., 4., 6., 9.]])
    """

    def __init__(self, degree: int = 2, include_bias: bool = True) -> None:
        self.degree = degree
        self.include_bias = include_bias

    def fit(self, X: Any, y: Any = None) -> PolynomialFeatures:
        """Record the number of inputs and count the monomials; return self."""
        check_param(self, "degree", numbers.Integral, low=0)
        if not isinstance(self.include_bias, (bool, np.bool_)):
            raise TypeError(f"include_bias must be True or False, got {self.include_bias!r}.")
        if self.degree == 0 and not self.include_bias:
            raise ValueError(
                "degree=0 with include_bias=False would give an empty output (no column); "
                "expected degree >= 1 or include_bias=True."
            )
        X = _validate(self, X, reset=True)
        n_out = _n_monomials(X.shape[1], int(self.degree), bool(self.include_bias))
        if n_out > np.iinfo(np.intp).max:
            raise ValueError(
                f"PolynomialFeatures(degree={self.degree}) of {X.shape[1]} features has "
                f"{n_out} output columns, more than an array can index ({np.iinfo(np.intp).max})."
            )
        self.n_output_features_ = n_out
        return self

    @property
    def powers_(self) -> np.ndarray:
        """The exponent α of each output column, shape ``(n_output_features_, n_features_in_)``."""
        check_is_fitted(self)
        d = self.n_features_in_
        _check_output_size(self, self.n_output_features_, d)
        powers = np.zeros((self.n_output_features_, d), dtype=np.int64)
        for row, combo in enumerate(_combos(d, int(self.degree), bool(self.include_bias))):
            for i in combo:
                powers[row, i] += 1
        return powers

    def transform(self, X: Any) -> np.ndarray:
        """φ(X), shape ``(n_samples, n_output_features_)``, built degree by degree."""
        X = _validate(self, X, reset=False)
        n, d = X.shape
        _check_output_size(self, n, self.n_output_features_)
        out = np.empty((n, self.n_output_features_))
        col = 0
        if self.include_bias:
            out[:, 0] = 1.0
            col = 1
        if self.degree >= 1:
            out[:, col : col + d] = X
        # prev: the previous degree's block; starts[i]: its first column with first index i
        prev, starts = col, np.arange(d + 1)
        col += d
        for _ in range(2, int(self.degree) + 1):  # overflow is checked per degree below
            block, new_starts = col, np.empty(d + 1, dtype=np.int64)
            width = int(starts[d])
            for i in range(d):
                new_starts[i] = col - block
                m = width - int(starts[i])
                with np.errstate(over="ignore"):
                    np.multiply(
                        out[:, prev + starts[i] : prev + width],
                        X[:, i : i + 1],
                        out=out[:, col : col + m],
                    )
                col += m
            new_starts[d] = col - block
            self._check_finite(out[:, block:col], block)
            prev, starts = block, new_starts
        return out

    def _check_finite(self, block: np.ndarray, offset: int) -> None:
        if np.isfinite(block).all():
            return
        j = int(np.flatnonzero(~np.isfinite(block).all(axis=0))[0]) + offset
        combos = _combos(self.n_features_in_, int(self.degree), bool(self.include_bias))
        combo = next(islice(combos, j, None))
        name = " ".join(f"x{i}" for i in combo)
        raise ValueError(
            f"PolynomialFeatures: the monomial {name} (output column {j}) overflows float64 "
            "(|value| > 1.8e308) for some rows; scale the input features (e.g. "
            "StandardScaler) before the polynomial map."
        )

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names such as ``1``, ``x0``, ``x0^2``, ``x0 x1`` (scikit-learn's style)."""
        names = _input_names(self, input_features)
        out = []
        for combo in _combos(self.n_features_in_, int(self.degree), bool(self.include_bias)):
            terms = [
                str(names[i]) if combo.count(i) == 1 else f"{names[i]}^{combo.count(i)}"
                for i in sorted(set(combo))
            ]
            out.append(" ".join(terms) if terms else "1")
        return np.asarray(out, dtype=object)


class PairProductFeatures(TransformerMixin, BaseEstimator):
    """Append products x_u·x_v of ``n_pairs`` random pairs of distinct features (all pairs
    by default).

    Lecture EE-559 3.3 (Fleuret, EPFL, 2019): MNIST's "8" vs. the other classes with a
    perceptron, "the original 28 × 28 features are supplemented with the products of pairs
    of features taken at random".

    ``fit`` draws ``n_pairs`` distinct unordered pairs u < v uniformly without replacement
    among the d(d−1)/2 (``numpy.random.default_rng(random_state).choice``); ``transform``
    returns [X, X[:, u]·X[:, v]] of shape (n, d + n_pairs). ``n_pairs=None`` (the default)
    takes every pair, so that the default suits any number of features; the lecture's
    setting (MNIST, 100 random pairs) is ``n_pairs=100``, which the experiment passes.

    Attributes: ``pairs_`` (n_pairs, 2) int array of (u, v); ``n_features_in_``.

    Raises
    ------
    ValueError
        If ``n_pairs`` is not a positive integer or exceeds d(d−1)/2, or X is not 2-D or holds
        NaN or inf.

    Examples
    --------
    The XOR feature Φ(x_u, x_v) = (x_u, x_v, x_u x_v) of EE-559 3.3:

    >>> from byhand import PairProductFeatures
    >>> from byhand.datasets import xor
    >>> X, y = xor()
    >>> PairProductFeatures().fit_transform(X)
    array([[0., 0., 0.],
           [0., 1., 0.],
           [1., 0., 0.],
           [1., 1., 1.]])
    """

    def __init__(self, n_pairs: int | None = None, random_state: Any = None) -> None:
        self.n_pairs = n_pairs
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> PairProductFeatures:
        """Draw the pairs; return self."""
        check_param(self, "n_pairs", numbers.Integral, low=0, allow_none=True)
        X = _validate(self, X, reset=True)
        d = X.shape[1]
        total = d * (d - 1) // 2
        if self.n_pairs is None:
            self.pairs_ = _unrank_pairs(np.arange(total, dtype=np.int64), d)
            return self
        if self.n_pairs > total:
            raise ValueError(
                f"n_pairs={self.n_pairs} exceeds the {total} distinct pairs of "
                f"n_features={d} features; expected n_pairs <= d(d-1)/2."
            )
        n_pairs = int(self.n_pairs)
        rank = np.sort(np.random.default_rng(self.random_state).choice(total, n_pairs, False))
        self.pairs_ = _unrank_pairs(rank.astype(np.int64), d)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """[X, x_u·x_v for each drawn pair], shape (n, d + n_pairs)."""
        X = _validate(self, X, reset=False)
        n, d = X.shape
        _check_output_size(self, n, d + len(self.pairs_))
        out = np.empty((n, d + len(self.pairs_)))
        out[:, :d] = X
        step = max(1, 2**20 // max(n, 1))  # pairs per block: temporaries of ~8 MiB
        for s in range(0, len(self.pairs_), step):
            u, v = self.pairs_[s : s + step, 0], self.pairs_[s : s + step, 1]
            with np.errstate(over="ignore"):  # overflow is checked below
                np.multiply(X[:, u], X[:, v], out=out[:, d + s : d + s + len(u)])
        if not np.isfinite(out[:, d:]).all():
            bad = int(np.flatnonzero(~np.isfinite(out[:, d:]).all(axis=0))[0])
            u, v = self.pairs_[bad]
            raise ValueError(
                f"PairProductFeatures: the product x{u}·x{v} overflows float64 (|value| > "
                "1.8e308) for some rows; scale the input features before the product map."
            )
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Input names, then ``xu xv`` for each pair."""
        names = _input_names(self, input_features)
        prods = [f"{names[u]} {names[v]}" for u, v in self.pairs_]
        return np.asarray([*names, *prods], dtype=object)


def _unrank_pairs(rank: np.ndarray, d: int) -> np.ndarray:
    """Pairs (u, v), u < v, numbered 0, 1, … in the order (0,1), (0,2), …, (1,2), …"""
    # Pairs with first index < u: s(u) = u·d − u(u+1)/2; find the largest u with s(u) <= k.
    k = rank.astype(np.float64)
    u = np.floor(((2 * d - 1) - np.sqrt((2 * d - 1) ** 2 - 8 * k)) / 2).astype(np.int64)
    u = np.clip(u, 0, max(d - 2, 0))

    def start(u: np.ndarray) -> np.ndarray:
        return u * d - u * (u + 1) // 2

    u = np.where(start(u) > rank, u - 1, u)  # guard against rounding of the square root
    u = np.where(start(u + 1) <= rank, u + 1, u)
    v = rank - start(u) + u + 1
    return np.column_stack([u, v]).astype(np.intp)


def _row_norms(X: np.ndarray, c: np.ndarray) -> np.ndarray:
    """‖x − c‖₂ per row; the differences are scaled by a power of two (exact) when their
    squares would overflow or underflow, so values near the largest double give finite
    norms wherever the norm itself is finite (inf where it is not)."""
    with np.errstate(over="ignore"):  # x − c beyond the largest double: inf, as it is
        diff = X - c
    big = float(np.abs(diff).max(initial=0.0))
    scale = 1.0
    if np.isfinite(big) and (big > 2.0**500 or 0 < big < 2.0**-500):
        scale = float(np.ldexp(1.0, -int(np.frexp(big)[1])))
        diff *= scale
    with np.errstate(over="ignore"):
        return np.sqrt(np.einsum("ij,ij->i", diff, diff)) / scale


class RadialFeatures(TransformerMixin, BaseEstimator):
    """Append the radial feature ‖x − c‖₂ (Euclidean distance to a centre c).

    Lecture EE-559 3.3 (Fleuret, EPFL, 2019) (k-NN "Votes, radial feature (K=11)").

    ``center=None`` uses the mean of the training inputs (``center_`` after fit); otherwise
    ``center`` is an array of n_features coordinates. ``transform`` returns [X, ‖X − c‖].

    Raises
    ------
    ValueError
        If ``center`` does not have n_features coordinates, or X is not 2-D or holds NaN or
        inf.

    Examples
    --------
    >>> import numpy as np
    >>> from byhand import RadialFeatures
    >>> RadialFeatures(center=[0.0, 0.0]).fit_transform(np.array([[3.0, 4.0], [0.0, 1.0]]))
    array([[3., 4., 5.],
           [0., 1., 1.]])
    """

    def __init__(self, center: Any = None) -> None:
        self.center = center

    def fit(self, X: Any, y: Any = None) -> RadialFeatures:
        """Set ``center_`` (the given centre, or the mean of X); return self."""
        X = _validate(self, X, reset=True)
        if self.center is None:
            # columns brought to |x| <= 1 by a power of two (exact): no overflow in the sum
            top = np.abs(X).max(axis=0, initial=0.0)
            p = np.where(top > 0, np.ldexp(1.0, -np.frexp(top)[1]), 1.0)
            self.center_ = (X * p).mean(axis=0) / p
        else:
            c = np.asarray(self.center, dtype=np.float64)
            if c.shape != (X.shape[1],):
                raise ValueError(
                    f"center must have shape ({X.shape[1]},) to match X's features, "
                    f"got shape {c.shape}."
                )
            if not np.all(np.isfinite(c)):
                raise ValueError("center must be finite (no NaN or inf).")
            self.center_ = c.copy()
        return self

    def transform(self, X: Any) -> np.ndarray:
        """[X, ‖x − c‖₂ per row], shape (n, d + 1)."""
        X = _validate(self, X, reset=False)
        out = np.empty((X.shape[0], X.shape[1] + 1))
        out[:, :-1] = X
        out[:, -1] = _row_norms(X, self.center_)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Input names, then ``radial``."""
        names = _input_names(self, input_features)
        return np.asarray([*names, "radial"], dtype=object)
