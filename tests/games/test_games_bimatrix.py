"""Bimatrix equilibria: golden sets, invariants, oracles, bad input.

The QuantEcon cross-check lives in validation/games.py (check V13): QuantEcon's
kernels compile for ~30 s on every cold run, too slow for the unit tests.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.errors import ConvergenceError
from efttheory.games import (
    is_degenerate,
    lemke_howson,
    nash_equilibria,
    support_enumeration,
    vertex_enumeration,
)
from efttheory.testing import (
    assert_equilibrium_sets_equal,
    assert_is_nash,
    bimatrix_games,
    nondegenerate_bimatrix_games,
)

VS_A = np.array([[3, 3], [2, 5], [0, 6]], dtype=float)
VS_B = np.array([[3, 2], [2, 6], [3, 1]], dtype=float)
VS_SET = [
    (np.array([1, 0, 0.0]), np.array([1, 0.0])),
    (np.array([0.8, 0.2, 0]), np.array([2 / 3, 1 / 3])),
    (np.array([0, 1 / 3, 2 / 3]), np.array([1 / 3, 2 / 3])),
]
STAG = np.array([[4, 0], [3, 3]], dtype=float)
STAG_SET = [
    (np.array([1, 0.0]), np.array([1, 0.0])),
    (np.array([0, 1.0]), np.array([0, 1.0])),
    (np.array([0.75, 0.25]), np.array([0.75, 0.25])),
]


@pytest.mark.parametrize("method", [support_enumeration, vertex_enumeration, nash_equilibria])
def test_von_stengel_and_stag_hunt_exact_sets(method):
    assert_equilibrium_sets_equal(method(VS_A, VS_B), VS_SET, atol=1e-12)
    assert_equilibrium_sets_equal(method(STAG, STAG.T), STAG_SET, atol=1e-12)


def test_gaussian_seeded_counts():
    rng = np.random.default_rng(0)
    counts = []
    for n in (4, 6, 8):
        A = rng.standard_normal((n, n))
        B = rng.standard_normal((n, n))
        found = nash_equilibria(A, B)
        assert found.complete and not found.degenerate
        counts.append(len(found))
    assert counts == [1, 1, 3]


@settings(deadline=None, max_examples=50)
@given(bimatrix_games(max_actions=4, perturb=0.0))
def test_every_returned_equilibrium_is_nash_even_for_degenerate_integer_games(game):
    A, B = game
    for method in (support_enumeration, vertex_enumeration):
        for eq in method(A, B):
            assert_is_nash(game, eq.strategies, tol=1e-9)


@settings(deadline=None, max_examples=40)
@given(nondegenerate_bimatrix_games(max_actions=4))
def test_nondegenerate_odd_count_methods_agree_and_lemke_howson_in_set(game):
    A, B = game
    se = support_enumeration(A, B)
    ve = vertex_enumeration(A, B)
    assert len(se) % 2 == 1
    assert_equilibrium_sets_equal(se, ve, atol=1e-8)
    keys = [np.concatenate(e.strategies) for e in se]
    m, n = A.shape
    for label in range(m + n):
        eq = lemke_howson(A, B, label)
        assert_is_nash(game, eq.strategies)
        hit = np.concatenate(eq.strategies)
        assert min(np.max(np.abs(hit - k)) for k in keys) <= 1e-8


@settings(deadline=None, max_examples=30)
@given(nondegenerate_bimatrix_games(max_actions=4), st.floats(0.1, 10), st.floats(-5, 5), st.integers(0, 2**31))
def test_invariances(game, alpha, shift, seed):
    A, B = game
    base = support_enumeration(A, B)
    assert_equilibrium_sets_equal(support_enumeration(alpha * A + shift, B), base)
    assert_equilibrium_sets_equal(support_enumeration(A, alpha * B - shift), base)
    # swapping players transposes
    swapped = support_enumeration(B.T, A.T)
    assert_equilibrium_sets_equal([(e.strategies[1], e.strategies[0]) for e in swapped], base)
    # permuting actions permutes equilibria
    rng = np.random.default_rng(seed)
    pr = rng.permutation(A.shape[0])
    pc = rng.permutation(A.shape[1])
    perm = support_enumeration(A[np.ix_(pr, pc)], B[np.ix_(pr, pc)])
    assert_equilibrium_sets_equal(perm, [(e.strategies[0][pr], e.strategies[1][pc]) for e in base])


@settings(deadline=None, max_examples=30)
@given(nondegenerate_bimatrix_games(max_actions=4, min_actions=2), st.integers(-12, 12), st.integers(-12, 12),
       st.floats(-1e3, 1e3))
def test_equilibria_do_not_depend_on_payoff_units(game, exp_a, exp_b, offset):
    # a positive affine map of a player's payoffs keeps every equilibrium; the solvers' tolerances
    # are relative to each player's payoff range, so 1e-12 and 1e12 payoff units give the same set
    A, B = game
    base = support_enumeration(A, B)
    A2, B2 = A * 10.0**exp_a + offset * 10.0**exp_a, B * 10.0**exp_b
    for method in (support_enumeration, vertex_enumeration, nash_equilibria):
        got = method(A2, B2)
        assert got.complete and not is_degenerate(A2, B2)
        assert_equilibrium_sets_equal(got, base)
        for eq in got:  # payoffs and regret are reported in the game's own units
            x, y = eq.strategies
            assert np.allclose(eq.payoffs, [x @ A2 @ y, x @ B2 @ y], rtol=1e-9, atol=0)
            assert eq.regret <= 1e-9 * max(np.ptp(A2), np.ptp(B2))
    x, y = lemke_howson(A2, B2).strategies
    assert any(np.allclose(x, e.strategies[0], atol=1e-9) and np.allclose(y, e.strategies[1], atol=1e-9)
               for e in base)


@pytest.mark.parametrize("units", [1e-12, 1e12, 1e300])
def test_coordination_game_keeps_its_three_equilibria_in_any_units(units):
    # before the payoffs were mapped onto [0, 1], 1e12 units returned no equilibrium with
    # complete=True (vertex coordinates fell below the absolute zero threshold)
    A = np.eye(2) * units
    assert not is_degenerate(A, A)
    for method in (support_enumeration, vertex_enumeration, nash_equilibria):
        eqs = method(A, A)
        assert len(eqs) == 3 and eqs.complete
        assert_equilibrium_sets_equal(eqs, [(np.array([1.0, 0]), np.array([1.0, 0])),
                                            (np.array([0.5, 0.5]), np.array([0.5, 0.5])),
                                            (np.array([0, 1.0]), np.array([0, 1.0]))])
        assert eqs[1].payoffs.tolist() == [units / 2, units / 2]


def test_nashpy_style_rounding_does_not_lose_equilibria():
    # generic float games: every size-k support pair must be found (nashpy misses these)
    rng = np.random.default_rng(0)
    for n in (4, 6):
        A = rng.standard_normal((n, n))
        B = rng.standard_normal((n, n))
        assert len(support_enumeration(A, B)) == len(vertex_enumeration(A, B)) >= 1


def test_degenerate_game_is_flagged_and_marked_incomplete():
    A = np.array([[1.0, 1.0], [0.0, 0.0]])
    B = np.array([[2.0, 2.0], [1.0, 1.0]])
    assert is_degenerate(A, B)
    out = nash_equilibria(A, B)
    assert out.degenerate and not out.complete
    for eq in out:
        assert_is_nash((A, B), eq.strategies)


def _near_tie_game(n, gap, seed=0):
    """Generic n x n game whose pure row 0 has two column best responses ``gap`` apart."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, n))
    B = rng.standard_normal((n, n))
    B[0] = rng.uniform(-1, 0, n)
    B[0, 0], B[0, 1] = 2.0, 2.0 - gap
    return A, B


@pytest.mark.parametrize("n", [6, 7, 8])  # 6: support scan; 7, 8: vertices of the best-response polytopes
def test_is_degenerate_honours_tol_on_both_paths(n):
    # the tie is 1e-8 apart in payoffs ranging over a few units: a relative gap of order 1e-9
    A, B = _near_tie_game(n, 1e-8)
    assert not is_degenerate(A, B, tol=1e-12)
    assert not is_degenerate(A, B, tol=1e-10)
    assert is_degenerate(A, B, tol=1e-6)
    A, B = _near_tie_game(n, 0.0)
    assert is_degenerate(A, B, tol=1e-12)  # an exact tie is found at the default tolerance
    A, B = _near_tie_game(n, 0.5)
    assert not is_degenerate(A, B, tol=1e-6)


def test_polytope_degeneracy_test_agrees_with_the_support_scan():
    # both paths of is_degenerate must judge tol the same way: compare them on small games
    # with exact ties and with ties broken by 1e-8, where the verdict depends on tol
    from efttheory.games import _kernels
    from efttheory.games.bimatrix import DEDUPE_ATOL, _normalised_game, _polytope_degenerate

    rng = np.random.default_rng(7)
    verdicts = set()
    for _ in range(300):
        m, n = rng.integers(2, 6, 2)
        A = rng.integers(0, 4, (m, n)) + 1e-8 * rng.integers(0, 3, (m, n))
        B = rng.integers(0, 4, (m, n)) + 1e-8 * rng.integers(0, 3, (m, n))
        _, _, An, Bn = _normalised_game(A.astype(float), B.astype(float))
        for tol in (1e-12, 1e-6):
            scan = _kernels.support_enumeration_kernel(An, Bn, 1e-12, 1e-10, tol, np.inf, DEDUPE_ATOL)[1]
            assert _polytope_degenerate(An, Bn, tol) == scan, (A, B, tol)
            verdicts.add(scan)
    assert verdicts == {False, True}


def test_lemke_howson_budget_raises_convergence_error():
    A = np.random.default_rng(1).standard_normal((6, 6))
    B = np.random.default_rng(2).standard_normal((6, 6))
    with pytest.raises(ConvergenceError) as info:
        lemke_howson(A, B, 0, max_iter=1)
    assert info.value.last_iterate is not None


def test_lemke_howson_ends_on_degenerate_integer_games():
    # exact ties in the ratio test reach the tableau with round-off; an absolute 1e-15 tie test
    # broke them by that round-off, and this 7 x 10 game cycled for 10 000 pivots from label 15
    # (exact rational pivoting ends in 14)
    A = np.array([[3, 3, 0, 0, 1, 2, 2, 2, 3, 0], [0, 1, 0, 2, 1, 3, 1, 1, 1, 0], [3, 3, 1, 2, 3, 1, 3, 1, 0, 0],
                  [2, 0, 0, 2, 1, 0, 2, 3, 3, 0], [3, 1, 1, 1, 3, 0, 2, 2, 1, 2], [0, 2, 1, 0, 1, 1, 2, 2, 3, 1],
                  [3, 0, 1, 0, 1, 3, 0, 0, 1, 3]], dtype=float)
    B = np.array([[0, 3, 3, 1, 0, 1, 2, 3, 0, 2], [2, 3, 2, 3, 3, 2, 1, 3, 2, 3], [0, 0, 2, 2, 3, 0, 3, 1, 3, 1],
                  [3, 0, 1, 3, 3, 0, 0, 0, 3, 1], [2, 3, 3, 1, 1, 3, 1, 0, 3, 2], [3, 3, 2, 2, 3, 3, 2, 2, 2, 3],
                  [1, 3, 1, 3, 0, 3, 1, 2, 0, 1]], dtype=float)
    eq = lemke_howson(A, B, 15)
    assert_is_nash((A, B), eq.strategies)
    # larger games with payoffs 0..3: with the old tie test about 4 % of the runs raised
    rng = np.random.default_rng(7)
    for _ in range(30):
        m, n = rng.integers(10, 16, size=2)
        A, B = rng.integers(0, 4, (m, n)).astype(float), rng.integers(0, 4, (m, n)).astype(float)
        for label in range(m + n):
            assert_is_nash((A, B), lemke_howson(A, B, label).strategies)


@pytest.mark.parametrize(
    "A, B, match",
    [
        (np.ones((2, 2)), np.ones((2, 3)), "same shape"),
        (np.ones(3), np.ones(3), "ndim"),
        (np.array([[np.nan, 1], [1, 1]]), np.ones((2, 2)), "finite"),
        (np.array([[np.inf, 1], [1, 1]]), np.ones((2, 2)), "finite"),
    ],
)
def test_bad_payoffs_raise_value_error(A, B, match):
    for fn in (support_enumeration, vertex_enumeration, nash_equilibria, lemke_howson, is_degenerate):
        with pytest.raises(ValueError, match=match):
            fn(A, B)


def test_bad_options_raise():
    with pytest.raises(ValueError, match="method"):
        nash_equilibria(VS_A, VS_B, method="magic")
    with pytest.raises(ValueError, match="init_label"):
        lemke_howson(VS_A, VS_B, init_label=5)
    with pytest.raises(TypeError, match="A"):
        support_enumeration([["a", "b"]], [[1, 2]])
    # a zero threshold as large as the vertex coordinates erased every equilibrium (0 found, complete=True)
    with pytest.raises(ValueError, match=r"tol must lie in \(0.0, 1e-06\]"):
        vertex_enumeration([[3.0, 0], [0, 2]], [[2.0, 0], [0, 3]], tol=0.5)
    assert len(vertex_enumeration([[3.0, 0], [0, 2]], [[2.0, 0], [0, 3]], tol=1e-6)) == 3


def test_cross_check_against_nashpy_vertex_enumeration():
    nash = pytest.importorskip("nashpy")
    rng = np.random.default_rng(11)
    for n in (3, 4):
        A = rng.standard_normal((n, n))
        B = rng.standard_normal((n, n))
        theirs = list(nash.Game(A, B).vertex_enumeration())
        assert_equilibrium_sets_equal(nash_equilibria(A, B), theirs, atol=1e-8)


def test_repr_is_short():
    out = nash_equilibria(STAG, STAG.T)
    assert "3 equilibria" in repr(out)
    assert len(repr(out[0])) < 120
    # payoffs in significant digits: tiny payoff units are not rounded away to 0.0
    tiny = nash_equilibria(np.eye(2) * 1e-12, np.eye(2) * 1e-12)
    assert "payoffs=[5e-13, 5e-13]" in repr(tiny[1])
