"""Hypothesis strategies and assertions for property tests of learning-theory code.

Import these in your own test suite to generate the inputs efttheory's own
tests use: finite float arrays of given shapes and random MLP parameters.
Requires `hypothesis <https://hypothesis.readthedocs.io>`_ (installed with the
``dev`` extra).
"""

from efttheory.testing.strategies import (
    finite_arrays,
    mlp_layer_sizes,
    mlp_parameters,
    power_law_samples,
)

__all__ = ["finite_arrays", "mlp_layer_sizes", "mlp_parameters", "power_law_samples"]
