"""Experiments of CS 577 Lecture 04 (Wang, IIT, 2024): losses, likelihood, softmax."""
