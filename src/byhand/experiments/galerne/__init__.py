"""Experiments of Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25)."""
