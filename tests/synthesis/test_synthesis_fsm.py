"""Bit finder: clustering, transition tables, Mealy minimisation (spec 2.8, 8.7)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.synthesis import fsm as F

FAST = settings(deadline=None, max_examples=50)


@st.composite
def mealy_machines(draw, max_states=5, n_symbols=2, n_outputs=3):
    S = draw(st.integers(1, max_states))
    t = np.array(draw(st.lists(st.integers(0, S - 1), min_size=S * n_symbols, max_size=S * n_symbols)))
    o = np.array(draw(st.lists(st.integers(0, n_outputs - 1), min_size=S * n_symbols, max_size=S * n_symbols)))
    initial = draw(st.integers(0, S - 1))
    return F.MealyMachine(t.reshape(S, n_symbols), o.reshape(S, n_symbols, 1), initial, n_symbols)


def all_sequences(n_symbols, length):
    return np.array(list(itertools.product(range(n_symbols), repeat=length)), dtype=np.int64)


def distinguishable_classes(m):
    """Independent twin: table-filling (Myhill-Nerode) count of reachable, pairwise distinguishable states."""
    reach = F._reachable(m.transition, m.initial)
    S, A = m.transition.shape
    dist = np.zeros((S, S), dtype=bool)
    for p, q in itertools.combinations(reach, 2):
        if any(m.output[p, a, 0] != m.output[q, a, 0] for a in range(A)):
            dist[p, q] = dist[q, p] = True
    changed = True
    while changed:
        changed = False
        for p, q in itertools.combinations(reach, 2):
            if not dist[p, q] and any(dist[m.transition[p, a], m.transition[q, a]] for a in range(A)):
                dist[p, q] = dist[q, p] = True
                changed = True
    classes = []
    for q in reach:
        if not any(not dist[q, r] for r in classes):
            classes.append(q)
    return len(classes)


def binary_addition_machine():
    t = np.zeros((2, 4), dtype=np.int64)
    o = np.zeros((2, 4, 1), dtype=np.int64)
    for c in range(2):
        for s in range(4):
            total = (s >> 1) + (s & 1) + c
            t[c, s], o[c, s, 0] = total >> 1, total & 1
    return F.MealyMachine(t, o, 0, 4)


PARITY = F.MealyMachine(np.array([[0, 1], [1, 0]]), np.array([[[0], [1]], [[1], [0]]]), 0, 2)


# --- minimisation ------------------------------------------------------------------------------------


@FAST
@given(m=mealy_machines())
def test_minimize_is_idempotent_behaviour_preserving_and_minimal(m):
    mm = F.minimize_machine(m)
    assert F.minimize_machine(mm).transition.tolist() == mm.transition.tolist()
    assert mm.n_states == distinguishable_classes(m) <= m.n_states
    for length in range(1, m.n_states + 2):
        seqs = all_sequences(2, length)
        np.testing.assert_array_equal(F.run_machine(mm, seqs), F.run_machine(m, seqs))
    assert F.machines_isomorphic(mm, m) == (mm.n_states == len(F._reachable(m.transition, m.initial)))


@FAST
@given(m=mealy_machines(), seed=st.integers(0, 1000))
def test_isomorphism_ignores_state_relabelling(m, seed):
    perm = np.random.default_rng(seed).permutation(m.n_states)
    inv = np.argsort(perm)
    t = perm[m.transition[inv]]
    relabelled = F.MealyMachine(t, m.output[inv], int(perm[m.initial]), m.n_symbols)
    assert F.machines_isomorphic(m, relabelled)
    np.testing.assert_array_equal(F.minimize_machine(m).transition, F.minimize_machine(relabelled).transition)


def test_over_split_machine_minimises_to_the_reference():
    # parity with each state duplicated: 0,2 even; 1,3 odd
    t = np.array([[2, 1], [3, 0], [0, 3], [1, 2]])
    o = np.array([[[0], [1]], [[1], [0]], [[0], [1]], [[1], [0]]])
    m = F.MealyMachine(t, o, 0, 2)
    mm = F.minimize_machine(m)
    assert mm.n_states == 2 and F.machines_isomorphic(mm, PARITY)
    assert not F.machines_isomorphic(F.minimize_machine(binary_addition_machine()), PARITY)


def test_unseen_cells_are_merged_as_dont_cares():
    # state 2 is a copy of state 0 whose transitions were never observed
    t = np.array([[0, 1], [1, 2], [-1, -1]])
    o = np.array([[[0], [1]], [[1], [0]], [[-1], [-1]]])
    mm = F.minimize_machine(F.MealyMachine(t, o, 0, 2))
    assert F.machines_isomorphic(mm, PARITY)
    partial = F.MealyMachine(np.array([[0, -1]]), np.array([[[0], [-1]]]), 0, 2)
    np.testing.assert_array_equal(F.run_machine(partial, np.array([[0, 1, 0]])), [[0, -1, -1]])


# --- symbols, clustering, extraction ---------------------------------------------------------------


def test_encode_symbols_mixed_radix():
    x = np.array([[[0, 1], [1, 1], [1, 0]]])
    np.testing.assert_array_equal(F.encode_symbols(x, 0, 1), [[1, 3, 2]])
    np.testing.assert_array_equal(F.encode_symbols(np.array([[-1, 0, 2]]), -1, 2), [[0, 1, 3]])
    y = np.array([[[2, 0], [0, 2]]])
    np.testing.assert_array_equal(F.encode_symbols(y, 0, 2), [[6, 2]])


def synthetic_hidden(machine, n_seq, length, rng, split=False, noise=0.01):
    """Hidden states: a random centre per state, plus noise.

    With ``split`` every state has two centres, chosen by the last symbol (a deterministic
    over-splitting, as an RNN that also remembers its last input).
    """
    S = machine.n_states
    centres = rng.normal(size=(2 * S, 2)) * 3
    symbols = rng.integers(0, machine.n_symbols, size=(n_seq, length))
    q = np.full(n_seq, machine.initial)
    states = [q]
    for t in range(length):
        q = machine.transition[q, symbols[:, t]]
        states.append(q)
    states = np.array(states).T
    last = np.concatenate([np.zeros((n_seq, 1), dtype=np.int64), symbols % 2], axis=1)
    which = states + S * last if split else states
    which[:, 0] = machine.initial
    hidden = centres[which] + noise * rng.normal(size=which.shape + (2,))
    hidden[:, 0] = centres[machine.initial]
    return hidden, symbols, F.run_machine(machine, symbols)


@pytest.mark.parametrize("split", [False, True])
@pytest.mark.parametrize("machine", [PARITY, binary_addition_machine()], ids=["parity", "binary_addition"])
def test_extract_fsm_recovers_the_minimal_machine(machine, split):
    rng = np.random.default_rng(5)
    hidden, symbols, y = synthetic_hidden(machine, 300, 10, rng, split=split)
    ex = F.extract_fsm(hidden, symbols, y, rng=np.random.default_rng(0), n_symbols=machine.n_symbols)
    assert ex.deterministic and ex.conflicts == 0
    assert F.machines_isomorphic(ex.machine, F.minimize_machine(machine))
    assert ex.centres.shape == (ex.n_clusters, 2) and "FSMExtraction" in repr(ex)


def test_extract_fsm_counts_conflicts_when_forced_to_under_cluster():
    rng = np.random.default_rng(2)
    hidden, symbols, y = synthetic_hidden(binary_addition_machine(), 200, 8, rng)
    ex = F.extract_fsm(hidden, symbols, y, rng=np.random.default_rng(0), k=1)
    assert not ex.deterministic and ex.conflicts > 0


def test_cluster_states_picks_the_separated_k():
    rng = np.random.default_rng(4)
    centres = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    points = centres[rng.integers(0, 3, 600)] + 0.01 * rng.normal(size=(600, 2))
    labels, found = F.cluster_states(points, rng=np.random.default_rng(0))
    assert found.shape == (3, 2) and np.unique(labels).size == 3
    # coinciding states give one cluster
    labels, found = F.cluster_states(np.zeros((5, 3, 2)), rng=0)
    assert labels.shape == (5, 3) and found.shape == (1, 2)


# --- bad input -------------------------------------------------------------------------------------


def test_bad_inputs_are_named():
    h = np.zeros((4, 3, 2))
    with pytest.raises(ValueError, match="symbols must have shape"):
        F.extract_fsm(h, np.zeros((4, 3)), np.zeros((4, 2)), rng=0)
    bad = h.copy()
    bad[0, 1, 0] = np.nan
    with pytest.raises(ValueError, match="hidden must be finite"):
        F.extract_fsm(bad, np.zeros((4, 2)), np.zeros((4, 2)), rng=0)
    with pytest.raises(ValueError, match="y must hold integers"):
        F.extract_fsm(h, np.zeros((4, 2)), np.full((4, 2), 0.5), rng=0)
    with pytest.raises(ValueError, match=r"x must lie in \[low, high\]"):
        F.encode_symbols(np.array([[0, 3]]), 0, 2)
    with pytest.raises(ValueError, match="high must be >= low"):
        F.encode_symbols(np.array([[0, 0]]), 2, 1)
    with pytest.raises(ValueError, match="transition entries"):
        F.minimize_machine(F.MealyMachine(np.array([[3, 0]]), np.zeros((1, 2, 1), int), 0, 2))
    with pytest.raises(TypeError, match="MealyMachine"):
        F.minimize_machine("not a machine")
    with pytest.raises(ValueError, match="symbols must be integers"):
        F.run_machine(PARITY, np.array([[0, 2]]))
    with pytest.raises(ValueError, match="tol"):
        F.cluster_states(np.zeros((3, 2)), rng=0, tol=2.0)
    with pytest.raises(ValueError, match="n_symbols must be >= 2"):
        F.extract_fsm(h, np.ones((4, 2)), np.zeros((4, 2)), rng=0, n_symbols=1)


def test_machine_construction_converts_and_checks():
    m = F.MealyMachine([[0, 1], [1, 0]], [[0, 1], [1, 0]], 0, 2)
    assert m.output.shape == (2, 2, 1) and m.transition.dtype == np.int64
    assert not m.transition.flags.writeable
    assert F.machines_isomorphic(m, PARITY)
    with pytest.raises(TypeError, match="transition must hold integers"):
        F.MealyMachine(np.array([[0.5, 1.0]]), np.zeros((1, 2)), 0, 2)
    with pytest.raises(ValueError, match="transition \\(S, A\\)"):
        F.MealyMachine(np.zeros((2, 2), int), np.zeros((3, 2, 1), int), 0, 2)
    # these were accepted and failed (or gave wrong runs) only later, in run_machine and minimize
    with pytest.raises(ValueError, match="initial must be <= 1"):
        F.MealyMachine([[0, 1], [1, 0]], [[0, 1], [1, 0]], 5, 2)
    with pytest.raises(ValueError, match="n_symbols must be >= 2"):
        F.MealyMachine([[0, 1], [1, 0]], [[0, 1], [1, 0]], 0, -1)
    with pytest.raises(ValueError, match=r"transition entries must be states in \[0, 2\) or -1"):
        F.MealyMachine([[5, 7], [1, 0]], [[0, 1], [1, 0]], 0, 2)
    assert F.MealyMachine([[-1, 1], [1, 0]], [[-1, 1], [1, 0]], 0, 2).transition[0, 0] == -1  # unseen


def test_extract_fsm_checks_tol_even_when_the_search_does_not_use_it():
    x = np.random.default_rng(0).integers(0, 2, size=(50, 6))
    y = np.cumsum(x, axis=1) % 2
    h = np.concatenate([np.zeros((50, 1, 2)), np.array([[1.0, 0.0], [0.0, 1.0]])[y]], axis=1)
    for bad, err in ((float("nan"), ValueError), (-1.0, ValueError), ("abc", TypeError)):
        with pytest.raises(err, match="tol"):
            F.extract_fsm(h, x, y, rng=0, tol=bad)
    assert F.extract_fsm(h, x, y, rng=0, tol=0.2).deterministic


def test_extract_fsm_finds_separated_but_elongated_state_clouds():
    # shift-register machine of the last two bits (4 states); each state is a long vertical
    # segment (the "history trace" of a trained RNN) -- not compact, but separated
    t = np.array([[(x << 1) | (q >> 1) for x in range(2)] for q in range(4)])
    o = np.array([[[(x + (q >> 1) + (q & 1)) % 2] for x in range(2)] for q in range(4)])
    machine = F.MealyMachine(t, o, 0, 2)
    rng = np.random.default_rng(9)
    symbols = rng.integers(0, 2, size=(300, 10))
    q = np.zeros(300, dtype=np.int64)
    states = [q]
    for step in range(10):
        q = machine.transition[q, symbols[:, step]]
        states.append(q)
    states = np.array(states).T
    hidden = np.stack([3.0 * states, rng.uniform(-20, 20, size=states.shape)], axis=-1)
    hidden[:, 0] = (0.0, 0.0)
    ex = F.extract_fsm(hidden, symbols, F.run_machine(machine, symbols), rng=np.random.default_rng(0))
    assert ex.deterministic
    assert F.machines_isomorphic(ex.machine, F.minimize_machine(machine))


def test_encode_symbols_refuses_symbols_beyond_int64():
    with pytest.raises(ValueError, match="k\\*\\*d .* must be <= 2\\*\\*63"):
        F.encode_symbols(np.full((1, 1, 40), 9), 0, 9)
    assert F.encode_symbols(np.full((1, 1, 63), 1), 0, 1)[0, 0] == 2**63 - 1  # largest that fits


def test_machine_fields_must_be_integers_in_int64():
    with pytest.raises(ValueError, match="MealyMachine.output must lie in the int64 range"):
        F.MealyMachine([[0, 1], [1, 0]], [[0, 1e30], [1, 0]], 0, 2)
    with pytest.raises(ValueError, match="MealyMachine.output must lie in the int64 range"):
        F.MealyMachine([[0, 1], [1, 0]], [[0, np.inf], [1, 0]], 0, 2)
    with pytest.raises(TypeError, match="MealyMachine.initial must be an integer"):
        F.MealyMachine([[0, 1], [1, 0]], [[0, 1], [1, 0]], 0.7, 2)
    with pytest.raises(TypeError, match="MealyMachine.n_symbols must be an integer"):
        F.MealyMachine([[0, 1], [1, 0]], [[0, 1], [1, 0]], 0, "2")
    big = F.MealyMachine([[0, 1], [1, 0]], np.array([[0, 2**63 - 1], [1, 0]]), np.int64(0), 2)
    assert big.output[0, 1, 0] == 2**63 - 1


def test_extract_fsm_limits_the_alphabet():
    h = np.zeros((1, 3, 2))
    with pytest.raises(ValueError, match="symbols must be < 2\\*\\*16"):
        F.extract_fsm(h, [[0, 10**12]], [[0, 1]], rng=0)
    with pytest.raises(ValueError, match="n_symbols must be <= 65536"):
        F.extract_fsm(h, [[0, 1]], [[0, 1]], rng=0, n_symbols=2**20)


def test_clustering_is_scale_free_for_huge_states():
    rng = np.random.default_rng(3)
    which = rng.integers(0, 2, size=(40, 5))
    h = np.array([[1.0, 0.0], [0.0, 1.0]])[which] + 0.01 * rng.normal(size=(40, 5, 2))
    labels, centres = F.cluster_states(h, rng=0)
    for scale in (2.0**1000, 1e290):
        big_labels, big_centres = F.cluster_states(h * scale, rng=0)
        np.testing.assert_array_equal(big_labels, labels)
        np.testing.assert_allclose(big_centres / scale, centres, rtol=1e-12)
    huge_labels, _ = F.cluster_states(np.array([[1e300, 0.0], [0.0, 1e300], [1.0, 1.0]]), rng=0)
    assert len(set(huge_labels.tolist())) == 3
    x = rng.integers(0, 2, size=(60, 6))
    y = np.cumsum(x, axis=1) % 2
    clouds = np.array([[1.0, 0.0], [0.0, 1.0]])[y] + 0.05 * rng.normal(size=(60, 6, 2))
    hidden = np.concatenate([np.zeros((60, 1, 2)), clouds], axis=1)
    ex = F.extract_fsm(hidden * 1e300, x, y, rng=0)
    assert ex.deterministic and F.machines_isomorphic(ex.machine, PARITY)
    assert np.all(np.isfinite(ex.centres)) and np.abs(ex.centres).max() > 1e299
