"""Experiments of EE-559 3.1–3.6 (Fleuret, EPFL, 2019): perceptron to back-propagation."""
