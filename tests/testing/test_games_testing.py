"""The game strategies and equilibrium assertions of efttheory.testing."""

import numpy as np
import pytest
from hypothesis import given, settings

from efttheory.games import DC2Params, DCNParams, NormalFormGame, is_degenerate, nash_equilibria
from efttheory.testing import (
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


@settings(deadline=None, max_examples=30)
@given(bimatrix_games(max_actions=3, perturb=0.0))
def test_bimatrix_games_shapes_and_integer_payoffs(game):
    A, B = game
    assert A.shape == B.shape and 1 <= A.shape[0] <= 3 and 1 <= A.shape[1] <= 3
    assert np.all(A == np.round(A)) and np.abs(A).max() <= 5


@settings(deadline=None, max_examples=20)
@given(nondegenerate_bimatrix_games(max_actions=3))
def test_nondegenerate_games_are_nondegenerate(game):
    assert not is_degenerate(*game, tol=1e-9)


@settings(deadline=None, max_examples=20)
@given(normal_form_games(max_players=3, max_actions=2), binary_symmetric_games(max_players=5),
       dc2_params(), dcn_params(max_groups=4))
def test_other_strategies_build_valid_objects(game, sym, p, params):
    assert isinstance(game, NormalFormGame) and game.n_players <= 3
    inc, cost = sym
    assert inc.ndim == 1 and cost > 0
    assert isinstance(p, DC2Params) and isinstance(params, DCNParams)


def test_assertions_accept_equilibria_and_reject_non_equilibria():
    A = np.array([[4.0, 0.0], [3.0, 3.0]])
    game = (A, A.T)
    for eq in nash_equilibria(A, A.T):
        assert_is_nash(game, eq)
        assert_best_response(game, eq.strategies, 0)
    with pytest.raises(AssertionError, match="pays"):
        assert_is_nash(game, [np.array([0.5, 0.5]), np.array([0.5, 0.5])])
    with pytest.raises(AssertionError, match="negative"):
        assert_probability_vector([1.5, -0.5])
    with pytest.raises(AssertionError, match="sum"):
        assert_probability_vector([0.5, 0.6])


def test_equilibrium_set_comparison_is_order_free():
    A = np.array([[4.0, 0.0], [3.0, 3.0]])
    found = nash_equilibria(A, A.T)
    assert_equilibrium_sets_equal(found, list(reversed(found.equilibria)))
    with pytest.raises(AssertionError, match="found"):
        assert_equilibrium_sets_equal(found, found.equilibria[:2])


def test_subgame_perfect_assertion():
    from efttheory.games import GameTree, subgame_perfect_equilibria

    tree = GameTree.build(("decision", 0, [("a", ("leaf", [0.0])), ("b", ("leaf", [1.0]))]), 1)
    assert_is_subgame_perfect(tree, subgame_perfect_equilibria(tree))
    with pytest.raises(AssertionError, match="deviation"):
        assert_is_subgame_perfect(tree, [1, -1, -1])


def test_assertion_messages_print_plain_numbers():
    # Both best-response messages show Python floats, not numpy scalar reprs.
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    with pytest.raises(AssertionError) as info:
        assert_is_nash((A, -A), [[1, 0], [1, 0]])
    assert str(info.value) == "player 1: pure strategy 1 pays 1.0 > -1.0 + 1e-09"
    # A support action played with tiny probability: the mix is within tol, the action is not.
    B = np.array([[1.0, 0.0], [1.0, 0.0]])
    with pytest.raises(AssertionError) as info:
        assert_best_response((B, B), [[1.0, 0.0], [1.0 - 1e-12, 1e-12]], 1)
    assert str(info.value) == "player 1: support action pays 0.0, below the best 1.0 by more than 1e-09"


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
@pytest.mark.parametrize("perturb, err", [(float("nan"), ValueError), (-1.0, ValueError), ("x", TypeError)])
def test_bimatrix_games_refuses_a_bad_perturbation(perturb, err):
    # a NaN perturbation used to draw NaN payoff games; -1 was accepted despite ">= 0"
    with pytest.raises(err, match="perturb"):
        bimatrix_games(perturb=perturb).example()


@pytest.mark.parametrize("tol, err", [(-1.0, ValueError), (float("nan"), ValueError), (float("inf"), ValueError),
                                      (None, TypeError), ("1e-9", TypeError)])
def test_assertion_helpers_refuse_a_bad_tolerance(tol, err):
    # a negative tolerance used to raise AssertionError (a failed check), inf passed anything
    game = (np.eye(2), np.eye(2))
    profile = [np.array([1.0, 0.0]), np.array([1.0, 0.0])]
    with pytest.raises(err, match="tol"):
        assert_probability_vector([0.25, 0.75], tol=tol)
    with pytest.raises(err, match="tol"):
        assert_best_response(game, profile, 0, tol=tol)
    with pytest.raises(err, match="tol"):
        assert_is_nash(game, profile, tol=tol)
    with pytest.raises(err, match="atol"):
        assert_equilibrium_sets_equal([profile], [profile], atol=tol)
    from efttheory.games import GameTree

    tree = GameTree.build(("decision", 0, [("a", ("leaf", [0.0])), ("b", ("leaf", [1.0]))]), 1)
    with pytest.raises(err, match="tol"):
        assert_is_subgame_perfect(tree, [2, -1, -1], tol=tol)


def test_best_response_assertion_names_a_bad_player_and_fails_a_profile_that_does_not_fit():
    game = (np.eye(2), np.eye(2))
    profile = [np.array([1.0, 0.0]), np.array([1.0, 0.0])]
    # an IndexError from deep inside the payoff contraction before
    for player, err in ((2, ValueError), (-1, ValueError), (0.0, TypeError), (True, TypeError)):
        with pytest.raises(err, match="player"):
            assert_best_response(game, profile, player)
    # a profile that does not fit the game is a failed check, as in assert_is_nash
    for bad in ([[0.5, 0.5]], [[1.0, 0.0], [0.5, 0.25, 0.25]], [[1.0, 0.0], "ab"]):
        with pytest.raises(AssertionError, match="profile"):
            assert_best_response(game, bad, 0)
        with pytest.raises(AssertionError, match="profile"):
            assert_is_nash(game, bad)
    assert_best_response(game, profile, 1)  # the pure profile (0, 0) is an equilibrium of (I, I)


def test_malformed_equilibria_and_empty_supports_fail_the_check_with_a_message():
    game = (np.eye(2), np.eye(2))
    # "zero-size array to reduction operation minimum" before
    with pytest.raises(AssertionError, match="plays no action with positive probability"):
        assert_best_response(game, [[-1.0, -2.0], [-1.0, -2.0]], 0)
    # "'NoneType' object is not iterable" / "could not convert string to float" before
    pure = [([1, 0], [1, 0])]
    for found, expected, name in ((None, pure, "found"), (pure, 3, "expected"), ("abc", pure, "found")):
        with pytest.raises(AssertionError, match=f"{name} must be a collection of equilibria"):
            assert_equilibrium_sets_equal(found, expected)
    assert_equilibrium_sets_equal(pure, [([1.0, 0.0], [1.0, 0.0])])


def test_probability_vector_of_non_numbers_fails_the_check():
    # a ValueError/TypeError from numpy's float conversion before
    for bad in ("abc", [object(), 0.5]):
        with pytest.raises(AssertionError, match="expected a 1-d probability vector of numbers"):
            assert_probability_vector(bad)
