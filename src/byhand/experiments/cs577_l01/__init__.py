"""Experiments of CS 577 Lecture 01 (Wang, IIT, 2024): regression, gradient descent, perceptrons."""
