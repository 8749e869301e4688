"""Shared fixtures of the games tests: compile every kernel once per run."""

import numpy as np
import pytest


@pytest.fixture(scope="session", autouse=True)
def warm_games_kernels():
    from efttheory.games import (
        DCNParams,
        dcn_stage_game,
        lemke_howson,
        pure_nash_equilibria,
        subgame_perfect_equilibria,
        dc2_game_tree,
        DC2Params,
        support_enumeration,
        symmetric_mixed_equilibria,
        vertex_enumeration,
    )

    A = np.array([[3.0, 3.0], [2.0, 5.0], [0.0, 6.0]])
    B = np.array([[3.0, 2.0], [2.0, 6.0], [3.0, 1.0]])
    support_enumeration(A, B)
    vertex_enumeration(A, B)
    lemke_howson(A, B)
    game = dcn_stage_game(DCNParams(s=[1, 1, 1], s_T=2, r=3, c=0.5, L=10, q=1, tau=1, delta=0.9, gamma=0.5), 0)
    pure_nash_equilibria(game)
    symmetric_mixed_equilibria([0.1, 0.9, 0.2], 0.5)
    subgame_perfect_equilibria(dc2_game_tree(DC2Params(1, 1, 1.5, 2, 0.8, 10, 0.8, 2, 0.9, 0.5)))
