"""byhand — deep learning from first principles, every gradient written by hand, in NumPy.

``import byhand`` exposes the estimators, ``fit``, ``gradcheck``, ``save`` and ``load``;
the namespaces are ``byhand.nn`` (modules with hand-written backward passes, losses),
``byhand.optim`` (optimisers, step-size schedules), ``byhand.datasets`` (the lectures' data),
``byhand.experiments`` (the lectures' worked examples), ``byhand.lectures`` (the five
lectures, cited by name) and ``byhand.plotting`` (decision regions, loss contours with
gradient-descent paths, learning curves; matplotlib without pyplot).
Names are resolved lazily so that ``import byhand`` (and the command line) start fast.
The API reference of the documentation site (docs/api/index.md) lists every public name.

Examples
--------
>>> import byhand
>>> "plotting" in byhand.__all__ and "gradcheck" in byhand.__all__
True
>>> byhand.lectures.name("cs577-01")
'CS 577 Lecture 01 (Wang, IIT, 2024)'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "fit": "byhand.training",
    "History": "byhand.training",
    "gradcheck": "byhand._gradcheck",
    "GradcheckError": "byhand._gradcheck",
    "save": "byhand.io",
    "load": "byhand.io",
    "LinearRegression": "byhand.linear_model",
    "Perceptron": "byhand.linear_model",
    "MulticlassPerceptron": "byhand.linear_model",
    "LogisticRegression": "byhand.linear_model",
    "SoftmaxRegression": "byhand.linear_model",
    "LinearSVM": "byhand.linear_model",
    "LinearDiscriminantAnalysis": "byhand.discriminant_analysis",
    "KNeighborsClassifier": "byhand.neighbors",
    "PolynomialFeatures": "byhand.preprocessing",
    "PairProductFeatures": "byhand.preprocessing",
    "RadialFeatures": "byhand.preprocessing",
    "MLPClassifier": "byhand.neural_network",
    "MLPRegressor": "byhand.neural_network",
    "CNNClassifier": "byhand.neural_network",
}
_NAMESPACES = ("nn", "optim", "datasets", "experiments", "lectures", "plotting")

__all__ = [*sorted(_EXPORTS), *_NAMESPACES, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _NAMESPACES:
        value = importlib.import_module(f"byhand.{name}")
    else:
        raise AttributeError(f"module 'byhand' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public API only (``__all__``), not the helpers this module imports."""
    return sorted(__all__)
