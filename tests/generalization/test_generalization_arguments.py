"""Bad input raises clear errors naming the argument."""

import numpy as np
import pytest

from efttheory import generalization as G

CASES = [
    (lambda: G.automorphism_count("mod", 1, k=1), ValueError, "n"),
    (lambda: G.automorphism_count("modulo", 30, k=3), ValueError, "kind"),
    (lambda: G.automorphism_count("mod", 30), ValueError, "k"),
    (lambda: G.automorphism_count("complete_bipartite", 30, a=0), ValueError, "a"),
    (lambda: G.automorphism_count(3, 30), TypeError, "kind"),
    (lambda: G.relation_statics("mod", 30, k=3, alpha=1.0), ValueError, "alpha"),
    (lambda: G.description_length(5, 0), ValueError, "automorphisms"),
    (lambda: G.description_length(5, 1000), ValueError, "automorphisms"),
    (lambda: G.known_fraction(-1, 10), ValueError, "m"),
    (lambda: G.known_fraction(5, float("nan")), ValueError, "b"),
    (lambda: G.critical_data_fraction(10, 0), ValueError, "n_pairs"),
    (lambda: G.accuracy_upper_bound(5, 10, 1.5), ValueError, "p_star"),
    (lambda: G.closure_accuracy_mc(np.eye(4, dtype=bool), 0.0, 0.5, n_trials=2, rng=0), ValueError, "fraction"),
    (lambda: G.closure_accuracy_mc(np.eye(4, dtype=bool), 1.2, 0.5, n_trials=2, rng=0), ValueError, "fraction"),
    (lambda: G.automorphism_count_bruteforce(np.eye(9, dtype=bool)), ValueError, "n <= 8"),
    (lambda: G.generalization_probability(0.0, 1.0), ValueError, "eta_enc"),
    (lambda: G.generalization_probability(1.0, -1.0), ValueError, "eta_dec"),
    (lambda: G.generalization_probability(1.0, float("inf")), ValueError, "eta_dec"),
    (lambda: G.generalization_probability(1.0, 1.0, cluster_size=0), ValueError, "cluster_size"),
    (lambda: G.critical_lr_ratio(1.0), ValueError, "p"),
    (lambda: G.integrate_repons(1.0, 1.0, 0.0, 1.0, 1.0), ValueError, "eta_dec"),
    (lambda: G.integrate_repons(1.0, float("nan"), 1.0, 1.0, 1.0), ValueError, "c0"),
    (lambda: G.integrate_repons(1.0, 1.0, 1.0, 1.0, 1.0, step="adaptive"), ValueError, "step"),
    (lambda: G.repon_closed_form(1.0, 1.0, 1.0, 1.0, -1.0), ValueError, "t"),
    (lambda: G.generalization_probability_mc(1.0, 1.0, n_samples=1, rng=0), ValueError, "n_samples"),
    (lambda: G.generalization_probability_mc(1.0, 1.0, n_samples=10, rng=0, method="euler"), ValueError, "method"),
    (lambda: G.repon_forces(np.zeros((3, 2)), -np.ones((3, 3)), np.ones((1, 2))), ValueError, "weights"),
    (lambda: G.repon_forces(np.zeros((3, 2)), np.ones((3, 3)), np.ones((1, 3))), ValueError, "head"),
    (lambda: G.integrate_many_repons(np.zeros((3, 2)), np.ones((1, 2)), np.ones((3, 3)), 1.0, 0.0, 1.0, dt=0.1),
     ValueError, "eta_dec"),
    # integrate_many_repons's own argument names (the messages said "x" and "head")
    (lambda: G.integrate_many_repons(np.full((3, 2), np.nan), np.ones((1, 2)), np.ones((3, 3)) - np.eye(3), 1.0, 1.0,
                                     1.0, dt=0.1), ValueError, "x0 must be finite"),
    (lambda: G.integrate_many_repons(np.zeros((3, 2)), np.ones((1, 3)), np.ones((3, 3)) - np.eye(3), 1.0, 1.0, 1.0,
                                     dt=0.1), ValueError, r"head0 must have shape \(m, 2\) .* to match x0"),
    (lambda: G.classify_phase([0, 1], [0.5, 1.5], [0.5, 0.5]), ValueError, "train_acc"),
    (lambda: G.boundary_ratio([3, 1], [[G.Phase.GENERALIZATION]] * 2), ValueError, "ratios"),
]


# Arguments the chosen mode does not use are still checked (they were ignored silently).
UNUSED_BY_THE_MODE = [
    (lambda: G.integrate_repons(1.0, 1.0, 1.0, 1.0, 1.0, step="fixed", h=float("nan")), ValueError, "h must be finite"),
    (lambda: G.integrate_repons(1.0, 1.0, 1.0, 1.0, 1.0, step="fixed", h=2.0), ValueError, "h must lie"),
    (lambda: G.integrate_repons(1.0, 1.0, 1.0, 1.0, 1.0, step="rate", dt=-1.0), ValueError, "dt must be > 0"),
    (lambda: G.integrate_repons(1.0, 1.0, 1.0, 1.0, 1.0, step="rate", n_out=0), ValueError, "n_out must be >= 1"),
    (lambda: G.integrate_repons(1.0, 1.0, 1.0, 1.0, 1.0, step="rate", n_out=2.5), TypeError, "n_out"),
    (lambda: G.generalization_probability_mc(1.0, 1.0, n_samples=10, rng=0, max_steps=0), ValueError,
     "max_steps must be >= 1"),
    (lambda: G.generalization_probability_mc(1.0, 1.0, n_samples=10, rng=0, max_steps="abc"), TypeError,
     "max_steps"),
    (lambda: G.generalization_probability_mc(1.0, 1.0, n_samples=10, rng=0, max_steps=2**70), ValueError,
     "max_steps"),
    (lambda: G.automorphism_count("greater_than", 30, k=3), ValueError, "k is the modulus of kind='mod' only"),
    (lambda: G.automorphism_count("mod", 30, k=3, a="abc"), ValueError, "a is the part size"),
    (lambda: G.description_length_relation("generic", 30, k=3), ValueError, "k is the modulus"),
    (lambda: G.description_length_relation("symmetric", 30, a=2), ValueError, "a is the part size"),
    (lambda: G.relation_statics("complete_bipartite", 30, a=10, k=2), ValueError, "k is the modulus"),
    (lambda: G.guessing_odds("greater_than", k=3), ValueError, "k is the modulus"),
    (lambda: G.description_length_relation("mod", 30, k=3, approx="yes"), TypeError, "approx must be True or False"),
]


@pytest.mark.parametrize("call, error, match", UNUSED_BY_THE_MODE)
def test_arguments_unused_by_the_mode_are_checked(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("call, error, match", CASES)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
