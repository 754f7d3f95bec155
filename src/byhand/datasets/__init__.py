"""The lectures' data: their hand-made examples, seeded synthetic sets, digits and MNIST.

- lectures' examples: :func:`lecture01_regression`, :func:`perceptron_trace`,
  :func:`logic_table`, :func:`xor`;
- generators (``n_samples``, ``noise``, ``random_state``): :func:`make_xor`,
  :func:`make_moons`, :func:`make_gaussian_classes`, :func:`make_separable`,
  :func:`make_ring`, :func:`make_disc`, :func:`make_sin_regression`,
  :func:`make_polynomial_regression`, :func:`make_blobs_k`;
- images: :func:`load_digits` (scikit-learn's 8×8 digits), :func:`load_mnist`
  (IDX files from the data home, ``.npy`` cache, checked download).
"""

from ._result import Dataset
from .digits import load_digits
from .idx import parse_idx, read_idx, write_idx
from .lectures import lecture01_regression, logic_table, perceptron_trace, xor
from .mnist import (
    CorruptDatasetError,
    DatasetNotFoundError,
    download_mnist,
    get_data_home,
    load_mnist,
    mnist_status,
)
from .synthetic import (
    GaussianClasses,
    Separable,
    make_blobs_k,
    make_disc,
    make_gaussian_classes,
    make_moons,
    make_polynomial_regression,
    make_ring,
    make_separable,
    make_sin_regression,
    make_xor,
)

__all__ = [
    "CorruptDatasetError",
    "Dataset",
    "DatasetNotFoundError",
    "GaussianClasses",
    "Separable",
    "download_mnist",
    "get_data_home",
    "lecture01_regression",
    "load_digits",
    "load_mnist",
    "logic_table",
    "make_blobs_k",
    "make_disc",
    "make_gaussian_classes",
    "make_moons",
    "make_polynomial_regression",
    "make_ring",
    "make_separable",
    "make_sin_regression",
    "make_xor",
    "mnist_status",
    "parse_idx",
    "perceptron_trace",
    "read_idx",
    "write_idx",
    "xor",
]
