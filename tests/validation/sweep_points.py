"""Module-level (picklable) point functions for the sweep runner tests."""

import numpy as np


def noisy_square(point, seed_sequence):
    rng = np.random.default_rng(seed_sequence)
    return float(point) ** 2 + rng.standard_normal(3).sum()


def draw_matrix_product(point, seed_sequence):
    rng = np.random.default_rng(seed_sequence)
    a = rng.standard_normal((point, point))
    return (a @ a.T).sum()
