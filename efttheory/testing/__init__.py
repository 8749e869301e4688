"""Hypothesis strategies and assertions for property tests of learning-theory code.

Import these in your own test suite to generate the inputs efttheory's own
tests use: finite float arrays of given shapes, random MLP parameters, power-law
samples, random bimatrix and normal-form games and conflict-model parameters; and
to assert what a solver's answer must satisfy (a probability vector, a Nash
equilibrium, a subgame-perfect equilibrium, equal equilibrium sets). A worked
property test is in :mod:`efttheory.testing.games`. Requires `hypothesis
<https://hypothesis.readthedocs.io>`_ (installed with the ``dev`` extra).
"""

from efttheory.testing.strategies import (
    finite_arrays,
    mlp_layer_sizes,
    mlp_parameters,
    power_law_samples,
)

from efttheory.testing.games import (
    assert_best_response,
    assert_equilibrium_sets_equal,
    assert_is_nash,
    assert_is_subgame_perfect,
    assert_probability_vector,
    bimatrix_games,
    binary_symmetric_games,
    dc2_params,
    dcn_params,
    nondegenerate_bimatrix_games,
    normal_form_games,
)

__all__ = ["finite_arrays", "mlp_layer_sizes", "mlp_parameters", "power_law_samples"]
__all__ += [
    "assert_best_response",
    "assert_equilibrium_sets_equal",
    "assert_is_nash",
    "assert_is_subgame_perfect",
    "assert_probability_vector",
    "bimatrix_games",
    "binary_symmetric_games",
    "dc2_params",
    "dcn_params",
    "nondegenerate_bimatrix_games",
    "normal_form_games",
]
