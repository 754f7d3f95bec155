"""The lectures' linear learners as scikit-learn estimators."""
