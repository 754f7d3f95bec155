"""scikit-learn's own estimator checks for the classical (non-gradient) estimators.

Every expected failure is listed below with its reason (issue 4: none left unexplained).
"""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from byhand.discriminant_analysis import LinearDiscriminantAnalysis
from byhand.linear_model._multiclass_perceptron import MulticlassPerceptron
from byhand.linear_model._perceptron import Perceptron
from byhand.neighbors import KNeighborsClassifier
from byhand.preprocessing import PairProductFeatures, PolynomialFeatures, RadialFeatures

# scikit-learn's checks fit on data no perceptron separates within its default budget: the
# ConvergenceWarning is expected there (scikit-learn's own test suite filters it the same way).
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Default instances (issue 14: a default must suit the data a user brings), plus the
# settings the lectures use where they differ.
ESTIMATORS = [
    Perceptron(),
    MulticlassPerceptron(),
    LinearDiscriminantAnalysis(),
    KNeighborsClassifier(),
    KNeighborsClassifier(weights="distance"),
    PolynomialFeatures(),
    PairProductFeatures(random_state=0),
    PairProductFeatures(n_pairs=1, random_state=0),
    RadialFeatures(),
]


def expected_failed_checks(estimator) -> dict[str, str]:
    """The checks expected to fail for this instance, each with its reason: only what
    scikit-learn lists for its own Perceptron (instance_generator's xfail)."""
    if isinstance(estimator, (Perceptron, MulticlassPerceptron)):
        return {
            "check_sample_weight_equivalence_on_dense_data": (
                "a weight scales the perceptron's update (scikit-learn's Perceptron rule); "
                "visiting a row twice is another algorithm, so integer weights are not "
                "repeated rows (scikit-learn marks the same check xfail for Perceptron)"
            )
        }
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)
