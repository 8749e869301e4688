"""Boolean regression: truth-table formulas and bit programs of finite-state machines (spec 2.8, 8.5)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.synthesis import boolean as Bo
from efttheory.synthesis import fsm as F

FAST = settings(deadline=None, max_examples=50)
LETTERS = "abcdefghij"


@st.composite
def truth_tables(draw, max_vars=5, dont_cares=False):
    k = draw(st.integers(0, max_vars))
    values = st.sampled_from((-1, 0, 1)) if dont_cares else st.integers(0, 1)
    table = draw(st.lists(values, min_size=1 << k, max_size=1 << k))
    return np.array(table), tuple(LETTERS[:k])


def inputs(k):
    return list(itertools.product((0, 1), repeat=k))


def evaluate(formula, names, bits):
    return int(eval(formula, {}, dict(zip(names, bits))))


@FAST
@given(case=truth_tables())
def test_formula_round_trips_every_truth_table(case):
    table, names = case
    formula = Bo.truth_table_formula(table, names)
    assert [evaluate(formula, names, bits) for bits in inputs(len(names))] == table.tolist()
    # element-wise on NumPy arrays as well
    cols = np.array(inputs(len(names)), dtype=np.int64).reshape(1 << len(names), len(names))
    env = {n: cols[:, j] for j, n in enumerate(names)}
    vec = np.broadcast_to(np.asarray(eval(formula, {}, env)).astype(np.int64), table.shape)
    np.testing.assert_array_equal(vec, table)


@FAST
@given(case=truth_tables(dont_cares=True))
def test_formula_respects_defined_entries_with_dont_cares(case):
    table, names = case
    formula = Bo.truth_table_formula(table, names)
    for bits, v in zip(inputs(len(names)), table):
        if v >= 0:
            assert evaluate(formula, names, bits) == v


@FAST
@given(k=st.integers(1, 5), f=st.lists(st.integers(0, 1), min_size=6, max_size=6))
def test_symmetric_tables_never_longer_than_the_dnf(k, f):
    names = tuple(LETTERS[:k])
    table = np.array([f[sum(bits)] for bits in inputs(k)])
    formula = Bo.truth_table_formula(table, names)
    if 0 < table.sum() < table.size:
        used = tuple(n for n in names if n in formula)
        assert len(formula) <= len(Bo._dnf(tuple(table.tolist()), names))
        assert set(used) <= set(names)
    assert [evaluate(formula, names, bits) for bits in inputs(k)] == table.tolist()


def test_formula_rules_on_named_examples():
    assert Bo.truth_table_formula([0, 1, 1, 0], "ab") == "a^b"
    assert Bo.truth_table_formula([0, 0, 0, 1, 0, 1, 1, 1], "abc") == "a+b+c>1"
    assert Bo.truth_table_formula([1, 0, 1, 0], "ab") == "1-b"  # a unused, "not b"
    assert Bo.truth_table_formula([0, 0, 0, 0], "ab") == "0"
    assert Bo.truth_table_formula([1], ()) == "1"


# --- machines to programs --------------------------------------------------------------------------


def simulate(prog, n_input_bits, symbols):
    """Run a BooleanProgram by evaluating its formulas step by step (the emitted program's shape)."""
    n = prog.n_state_bits
    out = np.zeros(symbols.shape + (len(prog.output_formulas),), dtype=np.int64)
    for b, seq in enumerate(symbols):
        state = list(prog.initial_bits)
        for t, s in enumerate(seq):
            bits = [(int(s) >> (n_input_bits - 1 - j)) & 1 for j in range(n_input_bits)]
            env = dict(zip(LETTERS, state + bits))
            state = [int(eval(f, {}, env)) for f in prog.next_formulas]
            env = dict(zip(LETTERS, state))
            out[b, t] = [int(eval(f, {}, env)) for f in prog.output_formulas]
    return out


def binary_addition_machine():
    t = np.zeros((2, 4), dtype=np.int64)
    o = np.zeros((2, 4, 1), dtype=np.int64)
    for c in range(2):
        for s in range(4):
            total = (s >> 1) + (s & 1) + c
            t[c, s], o[c, s, 0] = total >> 1, total & 1
    return F.MealyMachine(t, o, 0, 4)


def test_binary_addition_gives_the_two_bit_carry_program():
    m = binary_addition_machine()
    prog = Bo.boolean_regression(m, 2)
    assert prog.n_state_bits == 2
    assert sorted(prog.next_formulas) == ["a+c+d>1", "a^c^d"] or sorted(prog.next_formulas) == ["b+c+d>1", "b^c^d"]
    symbols = np.array(list(itertools.product(range(4), repeat=5)))
    np.testing.assert_array_equal(simulate(prog, 2, symbols)[..., 0], F.run_machine(m, symbols))
    assert "BooleanProgram" in repr(prog)


def test_parity_last3_is_a_shift_register():
    t = np.zeros((4, 2), dtype=np.int64)
    o = np.zeros((4, 2, 1), dtype=np.int64)
    for q in range(4):
        for x in range(2):
            t[q, x] = (x << 1) | (q >> 1)
            o[q, x, 0] = (x + (q >> 1) + (q & 1)) % 2
    m = F.MealyMachine(t, o, 0, 2)
    prog = Bo.boolean_regression(m, 1)
    assert prog.n_state_bits == 3 and prog.total_length == 8
    symbols = np.array(list(itertools.product(range(2), repeat=6)))
    np.testing.assert_array_equal(simulate(prog, 1, symbols)[..., 0], F.run_machine(m, symbols))


@st.composite
def bit_machines(draw):
    S = draw(st.integers(1, 2))
    A = draw(st.sampled_from((2, 4)))
    t = np.array(draw(st.lists(st.integers(0, S - 1), min_size=S * A, max_size=S * A))).reshape(S, A)
    o = np.array(draw(st.lists(st.integers(0, 1), min_size=S * A, max_size=S * A))).reshape(S, A, 1)
    return F.MealyMachine(t, o, 0, A)


@settings(deadline=None, max_examples=25)
@given(m=bit_machines(), seed=st.integers(0, 100))
def test_boolean_program_reproduces_random_machines(m, seed):
    n_in = int(np.log2(m.n_symbols))
    prog = Bo.boolean_regression(m, n_in)
    if prog is None:  # more than 8 Moore states
        return
    symbols = np.random.default_rng(seed).integers(0, m.n_symbols, size=(40, 6))
    np.testing.assert_array_equal(simulate(prog, n_in, symbols)[..., 0], F.run_machine(m, symbols))


@pytest.mark.parametrize(
    "transition, output, shortest",
    [
        ([[1, 2], [0, 0], [2, 2]], [[0, 1], [1, 0], [0, 0]], 12),
        ([[3, 1], [2, 2], [2, 2], [0, 1]], [[1, 1], [0, 1], [1, 1], [1, 0]], 22),
        ([[0, 2], [1, 1], [3, 4], [4, 0], [1, 4]], [[1, 0], [1, 1], [0, 0], [1, 1], [1, 1]], 26),
    ],
)
def test_boolean_regression_keeps_the_shortest_program_over_all_code_assignments(transition, output, shortest):
    # Machines whose shortest program is reached only by a code assignment that is a
    # permutation of the bit positions of another one: the greedy DNF cover is not invariant
    # under renaming variables, and the scan of one assignment per permutation class gave
    # lengths 16, 24 and 28. `shortest` is the minimum over all 8!/(8-S)! assignments
    m = F.MealyMachine(np.array(transition), np.array(output)[..., None], 0, 2)
    prog = Bo.boolean_regression(m, 1)
    assert prog.n_state_bits == 3
    assert prog.total_length == shortest
    assert prog.total_length == sum(map(len, prog.next_formulas + prog.output_formulas))
    symbols = np.array(list(itertools.product(range(2), repeat=8)))
    np.testing.assert_array_equal(simulate(prog, 1, symbols)[..., 0], F.run_machine(m, symbols))


def test_non_bit_outputs_and_too_many_states_give_none():
    counter = F.MealyMachine(np.array([[0, 0]]), np.array([[[0], [2]]]), 0, 2)
    assert Bo.boolean_regression(counter, 1) is None
    t = np.zeros((4, 2), dtype=np.int64)
    o = np.zeros((4, 2, 1), dtype=np.int64)
    for q in range(4):
        for x in range(2):
            t[q, x] = (x << 1) | (q >> 1)
            o[q, x, 0] = (x + (q >> 1) + (q & 1)) % 2
    assert Bo.boolean_regression(F.MealyMachine(t, o, 0, 2), 1, max_state_bits=2) is None


def test_unobserved_symbols_are_dont_cares():
    # only symbols 0..2 of a 2-bit alphabet were seen
    m = binary_addition_machine()
    seen = F.MealyMachine(m.transition[:, :3], m.output[:, :3], 0, 3)
    prog = Bo.boolean_regression(seen, 2)
    symbols = np.array(list(itertools.product(range(3), repeat=4)))
    np.testing.assert_array_equal(simulate(prog, 2, symbols)[..., 0], F.run_machine(seen, symbols))


def test_bad_inputs_are_named():
    m = binary_addition_machine()
    with pytest.raises(ValueError, match="n_symbols must be at most 2\\*\\*n_input_bits"):
        Bo.boolean_regression(m, 1)
    with pytest.raises(ValueError, match="max_state_bits"):
        Bo.boolean_regression(m, 2, max_state_bits=4)
    with pytest.raises(ValueError, match="2\\*\\*len\\(names\\)"):
        Bo.truth_table_formula([0, 1, 1], "ab")
    with pytest.raises(ValueError, match="table entries"):
        Bo.truth_table_formula([0, 2], "a")
    with pytest.raises(ValueError, match="names"):
        Bo.truth_table_formula([0, 1, 1, 0], ("a", "a"))
    with pytest.raises(TypeError, match="table"):
        Bo.truth_table_formula(["x", "y"], "a")
    with pytest.raises(TypeError, match="names must be a sequence of str"):
        Bo.truth_table_formula([0, 1], None)
