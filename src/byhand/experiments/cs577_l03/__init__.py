"""Experiments of CS 577 Lecture 03 (Wang, IIT, 2024): nonlinearity and feature maps."""
