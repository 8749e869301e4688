"""Statics: description length, balls in buckets, critical fraction, accuracy bound, closure MC."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory import generalization as G
from models.tasks.graphs import relation_matrix

TABLE = [
    ("mod", {"k": 3}, 39.75, 0.1004, 47.55, 0.1204, 1 / 3),
    ("mod", {"k": 5}, 53.34, 0.1352, 69.66, 0.1769, 1 / 5),
    ("greater_than", {}, 107.71, 0.2743, 107.71, 0.2743, 1 / 3),
    ("complete_bipartite", {"a": 10}, 24.84, 0.0623, 24.84, 0.0623, 1 / 2),
]


@pytest.mark.parametrize("kind, params, b, pc, b_approx, pc_approx, p_star", TABLE)
def test_statics_table_n30(kind, params, b, pc, b_approx, pc_approx, p_star):
    exact = G.relation_statics(kind, 30, **params)
    approx = G.relation_statics(kind, 30, approx=True, **params)
    assert exact.bits == pytest.approx(b, abs=5e-3)
    assert approx.bits == pytest.approx(b_approx, abs=5e-3)
    assert exact.critical_fraction == pytest.approx(pc, abs=1e-4)
    assert approx.critical_fraction == pytest.approx(pc_approx, abs=1e-4)
    assert exact.p_star == pytest.approx(p_star)
    assert "RelationStatics(" in repr(exact)


def test_statics_ordering_both_columns():
    for approx in (False, True):
        bits = [G.description_length_relation(kind, 30, approx=approx, **params) for kind, params, *_ in TABLE]
        # bipartite < mod 3 < mod 5 < greater-than
        assert bits[3] < bits[0] < bits[1] < bits[2]


def test_counting_families_never_determined():
    assert G.relation_statics("generic", 30).bits == 900
    assert G.relation_statics("symmetric", 30).bits == 465
    assert not G.relation_statics("generic", 30).determinable
    assert G.relation_statics("mod", 30, k=3).determinable


def test_unordered_pairs_double_pc():
    b = G.description_length_relation("mod", 30, k=3)
    assert G.critical_data_fraction(b, 435) == pytest.approx(0.2078, abs=1e-4)


def test_closed_form_formulas():
    assert G.automorphism_count("mod", 30, k=3) == math.factorial(10) ** 3 * 6
    assert G.automorphism_count("complete_bipartite", 30, a=10) == math.factorial(10) * math.factorial(20)
    assert G.automorphism_count("complete_bipartite", 6, a=3) == 2 * 36
    assert G.automorphism_count("greater_than", 9) == 1
    assert G.description_length_relation("greater_than", 30) == pytest.approx(math.lgamma(31) / math.log(2))


@pytest.mark.parametrize("n", range(2, 7))
def test_closed_form_automorphisms_match_bruteforce(n):
    cases = [("greater_than", {})] + [("mod", {"k": k}) for k in range(1, n + 1)]
    cases += [("complete_bipartite", {"a": a}) for a in range(1, n)]
    for kind, params in cases:
        adj = relation_matrix(kind, n, k=params.get("k"), a=params.get("a"))
        assert G.automorphism_count(kind, n, **params) == G.automorphism_count_bruteforce(adj)


def _orbit_size(adj):
    n = adj.shape[0]
    seen = set()
    for perm in itertools.permutations(range(n)):
        p = np.array(perm)
        seen.add(adj[np.ix_(p, p)].tobytes())
    return len(seen)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 5).flatmap(
    lambda n: st.lists(st.booleans(), min_size=n * n, max_size=n * n).map(lambda v: np.array(v).reshape(n, n))))
def test_orbit_stabiliser_and_relabelling(adj):
    n = adj.shape[0]
    aut = G.automorphism_count_bruteforce(adj)
    assert _orbit_size(adj) * aut == math.factorial(n)
    b = G.description_length(n, aut)
    assert 0.0 <= b <= math.log2(math.factorial(n)) + 1e-12
    assert (aut == 1) == (b == pytest.approx(math.log2(math.factorial(n))))
    perm = np.random.default_rng(n).permutation(n)
    assert G.automorphism_count_bruteforce(adj[np.ix_(perm, perm)]) == aut


@settings(max_examples=50, deadline=None)
@given(st.floats(1.0, 500.0), st.floats(0.0, 1e4), st.floats(0.0, 100.0))
def test_known_fraction_properties(b, m, dm):
    f = G.known_fraction(m, b)
    assert 0.0 <= f <= 1.0
    assert G.known_fraction(m + dm, b) >= f - 1e-15
    assert G.known_fraction(m, b + 1.0) <= f + 1e-15
    assert G.known_fraction(0.0, b) == 0.0


@settings(max_examples=50, deadline=None)
@given(st.floats(1.5, 500.0), st.integers(1, 10_000), st.floats(0.05, 0.95), st.floats(0.0, 1.0))
def test_critical_fraction_and_bound_properties(b, n_pairs, alpha, p_star):
    pc = G.critical_data_fraction(b, n_pairs, alpha)
    assert G.critical_data_fraction(b, n_pairs, min(alpha + 0.01, 0.99)) >= pc
    assert G.critical_data_fraction(b + 1, n_pairs, alpha) > pc
    assert G.critical_data_fraction(b, 2 * n_pairs, alpha) == pytest.approx(pc / 2, rel=1e-12)
    assert G.known_fraction(n_pairs * pc, b) == pytest.approx(alpha, rel=1e-9)
    m = np.linspace(0, 10 * b, 20)
    bound = G.accuracy_upper_bound(m, b, p_star)
    assert np.all(bound >= max(p_star, 1 - p_star) - 1e-15) and np.all(bound <= 1 + 1e-15)
    assert np.all(np.diff(bound) >= -1e-15)


def test_balls_in_buckets_mc_matches_eq3():
    mc = G.balls_in_buckets_mc(40, np.array([0, 10, 40, 120]), n_trials=2000, rng=3)
    exact = G.known_fraction(np.array([0, 10, 40, 120]), 40)
    assert mc.p[0] == 0.0
    assert np.all(np.abs(mc.p - exact) <= 4 * mc.se + 1e-12)
    assert "MCEstimate" in repr(mc)


def test_relation_axioms():
    assert G.relation_axioms(relation_matrix("mod", 6, k=2)) == (True, True, True)
    assert G.relation_axioms(relation_matrix("greater_than", 6)) == (False, False, True)
    assert G.relation_axioms(relation_matrix("complete_bipartite", 6, a=2)) == (False, True, False)


def test_closure_full_training_set_knows_everything():
    adj = relation_matrix("mod", 12, k=3)
    out = G.closure_accuracy_mc(adj, 1.0, 1 / 3, n_trials=2, rng=0)
    assert out.known == 1.0 and out.accuracy == 1.0


def test_closure_crossing_mod3_near_pc_approx():
    adj = relation_matrix("mod", 30, k=3)
    low = G.closure_accuracy_mc(adj, 0.10, 1 / 3, n_trials=60, rng=1)
    high = G.closure_accuracy_mc(adj, 0.14, 1 / 3, n_trials=60, rng=1)
    # p_c(approx b) = 0.1204 lies between: known < 0.9 at 0.10 and > 0.9 at 0.14
    assert low.known < 0.9 < high.known
    assert low.accuracy == pytest.approx(low.known + (2 / 3) * (1 - low.known))
