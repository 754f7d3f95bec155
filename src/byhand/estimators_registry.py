"""Estimator names of the command line → byhand classes, imported only when asked for.

``byhand train perceptron …`` resolves ``perceptron`` here. Paths are ``module:class`` so
that listing the names (``byhand train --help``) imports nothing heavy. The registry is also
the allow-list of classes that :func:`byhand.load` accepts from a model file.
"""

from __future__ import annotations

import importlib
from typing import Any

ESTIMATORS: dict[str, str] = {
    "perceptron": "byhand.linear_model:Perceptron",
    "multiclass-perceptron": "byhand.linear_model:MulticlassPerceptron",
    "linear-regression": "byhand.linear_model:LinearRegression",
    "logistic-regression": "byhand.linear_model:LogisticRegression",
    "softmax-regression": "byhand.linear_model:SoftmaxRegression",
    "linear-svm": "byhand.linear_model:LinearSVM",
    "lda": "byhand.discriminant_analysis:LinearDiscriminantAnalysis",
    "knn": "byhand.neighbors:KNeighborsClassifier",
    "mlp-classifier": "byhand.neural_network:MLPClassifier",
    "mlp-regressor": "byhand.neural_network:MLPRegressor",
    "cnn-classifier": "byhand.neural_network:CNNClassifier",
}

#: Feature maps that model files may also hold (not trainable from the command line).
TRANSFORMERS: dict[str, str] = {
    "polynomial-features": "byhand.preprocessing:PolynomialFeatures",
    "pair-product-features": "byhand.preprocessing:PairProductFeatures",
    "radial-features": "byhand.preprocessing:RadialFeatures",
}

REGRESSORS = frozenset({"linear-regression", "mlp-regressor"})


class UnknownNameError(ValueError):
    """A name that is not in a registry; the message lists the valid ones."""


def names() -> list[str]:
    """The estimator names, in registry order."""
    return list(ESTIMATORS)


def get_class(name: str) -> type:
    """The estimator class registered as ``name`` (imported now).

    Raises :class:`UnknownNameError` listing the valid names, or ImportError when the
    module that should define it is missing from this installation.
    """
    if name not in ESTIMATORS:
        raise UnknownNameError(f"unknown model {name!r}; valid models: {', '.join(ESTIMATORS)}")
    module, _, cls = ESTIMATORS[name].partition(":")
    try:
        return getattr(importlib.import_module(module), cls)
    except (ImportError, AttributeError) as exc:
        raise ImportError(f"model {name!r} ({module}.{cls}) is not available: {exc}") from exc


def create(name: str, **params: Any) -> Any:
    """A new estimator ``name`` with ``params`` (unknown parameter → the valid ones)."""
    cls = get_class(name)
    valid = cls().get_params(deep=False)
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise UnknownNameError(
            f"model {name!r} has no parameter {unknown[0]!r}; its parameters: "
            f"{', '.join(sorted(valid))}"
        )
    return cls(**params)


def name_of(estimator: Any) -> str | None:
    """The registry name of an estimator instance, or None."""
    for name, path in ESTIMATORS.items():
        module, _, cls = path.partition(":")
        try:
            if type(estimator) is getattr(importlib.import_module(module), cls):
                return name
        except (ImportError, AttributeError):
            continue
    return None
