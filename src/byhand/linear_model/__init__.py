"""The lectures' linear learners as scikit-learn estimators.

- ``LinearRegression``: CS 577 Lecture 01;
- ``Perceptron`` and ``MulticlassPerceptron``: CS 577 Lectures 01–04, EE-559, Galerne Course I;
- ``LogisticRegression``: CS 577 Lecture 04, EE-559 §3.2/§3.5;
- ``SoftmaxRegression``: CS 577 Lecture 04, Galerne Course I;
- ``LinearSVM``: EE-559 §3.1.

 Each lives in its own module and is imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_MODULES = {
    "LinearRegression": "._linear_regression",
    "Perceptron": "._perceptron",
    "MulticlassPerceptron": "._multiclass_perceptron",
    "LogisticRegression": "._logistic",
    "SoftmaxRegression": "._softmax",
    "LinearSVM": "._svm",
}

__all__ = sorted(_MODULES)


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module 'byhand.linear_model' has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULES[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
