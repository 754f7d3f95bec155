"""k-NN's exact candidate distances (byhand.kernels.pair_sq_distances) against the NumPy path
of byhand.neighbors and against float64 differences summed exactly (math.fsum): within the
(d + 2)·2⁻⁵³ relative bound the neighbour search relies on, far from the origin too (where
‖a‖² − 2a·b + ‖b‖² would cancel); and the neighbours found on both backends are the same."""

from __future__ import annotations

import math

import numpy as np
import pytest

from byhand import kernels
from byhand.neighbors import KNeighborsClassifier, _exact_sq_distances

pytest.importorskip("numba")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pair_distances_kernel_within_the_bound_of_the_exact_sums(dtype):
    rng = np.random.default_rng(2)
    for offset, d in [(0.0, 1), (0.0, 37), (1e6, 64), (-3e3, 784)]:
        A = (offset + rng.standard_normal((20, d))).astype(dtype)
        B = (offset + rng.standard_normal((30, 2 * d))).astype(dtype)[:, ::2]  # strided
        rows, cols = rng.integers(0, 20, 50), rng.integers(0, 30, 50)
        scale = 0.5
        with kernels.using("numba"):
            got = _exact_sq_distances(A, B, rows, cols, scale)
        with kernels.using("numpy"):
            oracle = _exact_sq_distances(A, B, rows, cols, scale)
        exact = [
            math.fsum(
                (x * scale - z * scale) ** 2
                for x, z in zip(A[i].astype(float), B[j].astype(float), strict=True)
            )
            for i, j in zip(rows, cols, strict=True)
        ]
        bound = 2 * (d + 2) * 2.0**-53
        np.testing.assert_allclose(got, exact, rtol=bound, atol=0)
        np.testing.assert_allclose(got, oracle, rtol=2 * bound, atol=0)
    empty = np.zeros(0, np.intp)
    with kernels.using("numba"):
        assert _exact_sq_distances(A, B, empty, empty, 1.0).shape == (0,)


def test_knn_neighbours_same_on_both_backends():
    rng = np.random.default_rng(9)
    X = rng.standard_normal((300, 12)).astype(np.float32) + 100
    Q = rng.standard_normal((40, 12)).astype(np.float32) + 100
    y = rng.integers(0, 3, 300)
    found = {}
    for name in ("numba", "numpy"):
        with kernels.using(name):
            m = KNeighborsClassifier(7).fit(X, y)
            found[name] = m.kneighbors(Q)
    np.testing.assert_array_equal(found["numba"][1], found["numpy"][1])
    np.testing.assert_allclose(found["numba"][0], found["numpy"][0], rtol=1e-12)
