"""Feature maps of the lectures as scikit-learn transformers.

Lectures: CS 577 Lecture 03 (Wang, IIT, 2024) (CS 577 Lecture 03, "Beyond linearity: feature map":
φ(x) = [1, x, x², …, x^d], and degree-2 features for XOR); EE-559 (Fleuret, EPFL, 2019)
(EE-559 3.3 "Linear separability and feature design": Φ(x_u, x_v) = (x_u, x_v, x_u x_v) for
xor, products of random pairs of pixels for MNIST 8-vs-rest, a radial feature for k-NN).
"""

from __future__ import annotations

import numbers
from itertools import combinations_with_replacement
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from byhand._validation import check_param

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
    if not reset:
        check_is_fitted(est)
    return validate_data(est, X, reset=reset, dtype=np.float64, order="C")


class PolynomialFeatures(TransformerMixin, BaseEstimator):
    """All monomials of the input variables up to a degree: φ(x) = (x^α)_{|α| <= degree}.

    CS 577 Lecture 03 (Wang, IIT, 2024), "Beyond linearity: feature map" (φ(x) = [1, x, …, x^d]
    for one variable, degree 2 in two variables for XOR); EE-559 3.3 in
    EE-559 (Fleuret, EPFL, 2019) (polynomial feature maps, Stone–Weierstrass).

    Columns: the constant 1 (if ``include_bias``), then for each degree k = 1..degree the
    products x_{i1}·…·x_{ik} with i1 <= … <= ik in lexicographic order (scikit-learn's
    order too); each degree-k column is a degree-(k−1) column times one input column.

    Attributes: ``n_features_in_``, ``n_output_features_``, ``powers_`` (n_output, n_in):
    the exponent α of each column.
    """

    def __init__(self, degree: int = 2, include_bias: bool = True) -> None:
        self.degree = degree
        self.include_bias = include_bias

    def fit(self, X: Any, y: Any = None) -> PolynomialFeatures:
        """Record the number of inputs and the list of monomials; return self."""
        check_param(self, "degree", numbers.Integral, low=0)
        if not isinstance(self.include_bias, (bool, np.bool_)):
            raise TypeError(f"include_bias must be True or False, got {self.include_bias!r}.")
        if self.degree == 0 and not self.include_bias:
            raise ValueError(
                "degree=0 with include_bias=False would give an empty output (no column); "
                "expected degree >= 1 or include_bias=True."
            )
        X = _validate(self, X, reset=True)
        d = X.shape[1]
        combos: list[tuple[int, ...]] = [()] if self.include_bias else []
        for k in range(1, self.degree + 1):
            combos.extend(combinations_with_replacement(range(d), k))
        powers = np.zeros((len(combos), d), dtype=np.int64)
        for row, combo in enumerate(combos):
            for i in combo:
                powers[row, i] += 1
        self._combos = combos
        self.powers_ = powers
        self.n_output_features_ = len(combos)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """φ(X), shape (n_samples, n_output_features_)."""
        X = _validate(self, X, reset=False)
        out = np.empty((X.shape[0], self.n_output_features_))
        column: dict[tuple[int, ...], int] = {}
        for j, combo in enumerate(self._combos):
            if not combo:
                out[:, j] = 1.0
            elif len(combo) == 1:
                out[:, j] = X[:, combo[0]]
            else:
                prev = column.get(combo[:-1])
                left = out[:, prev] if prev is not None else np.prod(X[:, combo[:-1]], axis=1)
                np.multiply(left, X[:, combo[-1]], out=out[:, j])
            column[combo] = j
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names such as ``1``, ``x0``, ``x0^2``, ``x0 x1`` (scikit-learn's style)."""
        names = _input_names(self, input_features)
        out = []
        for alpha in self.powers_:
            terms = [
                str(names[i]) if p == 1 else f"{names[i]}^{p}" for i, p in enumerate(alpha) if p > 0
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
        u, v = self.pairs_[:, 0], self.pairs_[:, 1]
        return np.hstack([X, X[:, u] * X[:, v]])

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


class RadialFeatures(TransformerMixin, BaseEstimator):
    """Append the radial feature ‖x − c‖₂ (Euclidean distance to a centre c).

    Lecture EE-559 3.3 (Fleuret, EPFL, 2019) (k-NN "Votes, radial feature (K=11)").

    ``center=None`` uses the mean of the training inputs (``center_`` after fit); otherwise
    ``center`` is an array of n_features coordinates. ``transform`` returns [X, ‖X − c‖].
    """

    def __init__(self, center: Any = None) -> None:
        self.center = center

    def fit(self, X: Any, y: Any = None) -> RadialFeatures:
        """Set ``center_`` (the given centre, or the mean of X); return self."""
        X = _validate(self, X, reset=True)
        if self.center is None:
            self.center_ = X.mean(axis=0)
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
        diff = X - self.center_
        return np.hstack([X, np.sqrt(np.einsum("ij,ij->i", diff, diff))[:, None]])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Input names, then ``radial``."""
        names = _input_names(self, input_features)
        return np.asarray([*names, "radial"], dtype=object)
