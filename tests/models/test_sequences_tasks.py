"""The 62 MIPS benchmark tasks: causality, streaming == vectorised, reference machines, samplers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.tasks.sequences import (TASK_NAMES, TASKS, ReferenceMachine, SequenceTask, count_sequences,
                                    enumerate_sequences, get_task)

SMALL_MACHINES = [n for n in TASK_NAMES if TASKS[n].finite_state and TASKS[n].machine_states <= 4096]
SMALL_ALPHABET = [n for n in TASK_NAMES if TASKS[n].n_symbols <= 4]


def test_sixty_two_tasks_with_the_paper_counts():
    assert len(TASKS) == 62 and len(set(TASK_NAMES)) == 62
    assert sum(t.train_steps == 20_000 for t in TASKS.values()) == 21
    assert sum(t.test_fraction == 0.2 for t in TASKS.values()) == 14
    assert {n for n in TASK_NAMES if TASKS[n].seq_len == 20} == {"Prev5", "Sum_Last5", "Sum_Last6",
                                                                  "Sum_Last7"}
    assert {n for n in TASK_NAMES if TASKS[n].input_dim == 2} == {
        "Binary_Addition", "Base_3_Addition", "Base_4_Addition", "Base_5_Addition", "Base_6_Addition",
        "Base_7_Addition", "Bitwise_Xor", "Bitwise_Or", "Bitwise_And", "Bit_Dot_Prod_Mod2", "Newton_Magnetic"}
    assert [n for n in TASK_NAMES if TASKS[n].output_dim == 2] == ["Newton_Magnetic"]
    assert [n for n in TASK_NAMES if TASKS[n].deduplicate] == ["Previous_Equals_Current"]


@pytest.mark.parametrize("name", TASK_NAMES)
def test_sampler_range_shape_and_dtype(name):
    task = TASKS[name]
    x = task.sample(np.random.default_rng(1), 64)
    assert x.dtype == np.int64 and x.shape == (64, task.seq_len, task.input_dim)
    assert x.min() >= task.low and x.max() <= task.high
    y = task(x)
    assert y.dtype == np.int64 and y.shape == (64, task.seq_len, task.output_dim)
    assert np.array_equal(task.sample(np.random.default_rng(1), 64), x)  # seeded => reproducible


@pytest.mark.parametrize("name", TASK_NAMES)
def test_causal_and_prefix_consistent(name):
    task = TASKS[name]
    rng = np.random.default_rng(2)
    x = task.sample(rng, 200)
    y = task(x)
    for k in (1, 3, task.seq_len - 1):
        assert np.array_equal(task(x[:, :k]), y[:, :k])
        changed = x.copy()
        changed[:, k:] = task.sample(rng, 200)[:, k:]
        assert np.array_equal(task(changed)[:, :k], y[:, :k])


@pytest.mark.parametrize("name", TASK_NAMES)
def test_streaming_step_agrees_with_vectorised_reference(name):
    task = TASKS[name]
    x = task.sample(np.random.default_rng(3), 150)
    assert np.array_equal(task.stream(x), task(x))


@pytest.mark.parametrize("name", SMALL_MACHINES)
def test_reference_machine_states_and_outputs(name):
    task = TASKS[name]
    machine = task.reference_machine()
    assert isinstance(machine, ReferenceMachine)
    assert machine.n_states == task.machine_states and machine.n_symbols == task.n_symbols
    assert machine.initial == 0 and machine.transition.max() < machine.n_states
    x = task.sample(np.random.default_rng(4), 500)
    assert np.array_equal(machine.run(task.symbols(x)), task(x))
    assert np.array_equal(task.symbol_inputs()[task.symbols(x)], x)


@pytest.mark.parametrize("name", [n for n in SMALL_ALPHABET if n in SMALL_MACHINES])
def test_reference_machine_exhaustive_on_small_alphabets(name):
    task = TASKS[name]
    # binary alphabets to L = 10; 2-bit alphabets to L = 10 for Binary_Addition, L = 8 otherwise (test time)
    length = 10 if task.n_symbols == 2 or name == "Binary_Addition" else 8
    x = enumerate_sequences(task, length)
    assert x.shape[0] == task.n_symbols ** length
    assert np.array_equal(task.reference_machine().run(task.symbols(x)), task(x))


def test_non_finite_state_tasks_have_no_machine():
    with pytest.raises(ValueError, match="not finite-state"):
        TASKS["Sum_All"].reference_machine()
    with pytest.raises(ValueError, match="max_states"):
        TASKS["Prev2"].reference_machine(max_states=100)


@pytest.mark.parametrize("name", ["Bit_Palindrome", "Balanced_Parenthesis", "Majority_0_2", "Evens_Counter"])
def test_unbounded_tasks_exhaustive_streaming_on_short_sequences(name):
    task = TASKS[name]
    x = enumerate_sequences(task, 6 if task.n_symbols <= 3 else 4)
    assert np.array_equal(task.stream(x), task(x))


@settings(deadline=None, max_examples=40)
@given(name=st.sampled_from(TASK_NAMES), seed=st.integers(0, 2**32 - 1), length=st.integers(1, 12))
def test_hypothesis_causality_and_streaming(name, seed, length):
    task = TASKS[name]
    rng = np.random.default_rng(seed)
    x = task.sample(rng, 8, seq_len=length)
    y = task(x)
    assert np.array_equal(task.stream(x), y)
    k = int(rng.integers(0, length + 1))
    other = task.sample(rng, 8, seq_len=length)
    mixed = np.concatenate([x[:, :k], other[:, k:]], axis=1)
    assert np.array_equal(task(mixed)[:, :k], y[:, :k])


# -- golden values written out by hand -----------------------------------------------------------

def test_golden_values():
    def run(name, seq):
        arr = np.array([seq], dtype=np.int64)
        return get_task(name)(arr)[0].tolist()

    # 3 + 3 = 6 LSB first: (1,1) (1,1) (0,0) -> 0 1 1
    assert run("Binary_Addition", [[1, 1], [1, 1], [0, 0]]) == [[0], [1], [1]]
    assert run("Base_3_Addition", [[2, 2], [1, 0], [0, 0]]) == [[1], [2], [0]]
    # MSB first 1,1,0 = 6 -> r: 1 (y 0), 3 (y 1, r 0), 0 (y 0)
    assert run("Div_3", [[1], [1], [0]]) == [[0], [1], [0]]
    assert run("Previous_Equals_Current", [[0], [3], [3]]) == [[1], [0], [1]]
    assert run("Sum_Last2", [[5], [7], [9]]) == [[5], [12], [16]]
    assert run("Prev2", [[5], [7], [9]]) == [[0], [0], [5]]
    assert run("Majority_0_2", [[2], [1], [2], [1]]) == [[2], [1], [2], [1]]
    assert run("Balanced_Parenthesis", [[0], [1], [1], [0], [1]]) == [[0], [1], [0], [0], [0]]
    assert run("Alternating_Last3", [[1], [0], [1], [1]]) == [[0], [1], [1], [0]]
    assert run("Dithering", [[10], [10], [15]]) == [[0], [1], [1]]
    assert run("Newton_Freebody", [[1], [0], [0]]) == [[1], [2], [3]]
    assert run("Newton_Gravity", [[1], [1], [1]]) == [[0], [0], [0]]
    assert run("Newton_Spring", [[1], [0], [0]]) == [[1], [1], [0]]
    # v = (1, 0) after step 0, p = (1, 0); step 1: a = (0, 0) + (-0, 1) -> v = (1, 1), p = (2, 1)
    assert run("Newton_Magnetic", [[1, 0], [0, 0]]) == [[1, 0], [2, 1]]
    assert run("Parity_Bits_Mod2", [[1], [1], [1]]) == [[0], [1], [0]]
    assert run("Bit_Palindrome", [[1], [0], [1], [1]]) == [[1], [0], [1], [0]]


def test_palindrome_sampler_forces_a_palindromic_prefix():
    x = TASKS["Bit_Palindrome"].sample(np.random.default_rng(5), 2000)
    y = TASKS["Bit_Palindrome"](x)[..., 0]
    # every sequence starts with a palindrome of length 2..10 (y = 1 somewhere in t = 1..9)
    assert np.all(y[:, 1:10].any(axis=1))
    # unforced random bits would give that only with probability 1 - prod(1 - 2^-k) ~ 0.7
    assert np.mean(y[:, 9]) > 0.1  # forced length 10 alone has probability 1/9; chance 1/32


def test_enumeration_order_and_slices():
    task = TASKS["Add_Mod_3"]
    full = enumerate_sequences(task, 4)
    assert full.shape == (81, 4, 1) == (count_sequences(task, 4), 4, 1)
    assert full[0, :, 0].tolist() == [0, 0, 0, 0] and full[5, :, 0].tolist() == [0, 0, 1, 2]
    assert len({tuple(r) for r in full[..., 0]}) == 81
    assert np.array_equal(enumerate_sequences(task, 4, start=10, stop=20), full[10:20])
    with pytest.raises(ValueError, match="limit"):
        enumerate_sequences(TASKS["Sum_All"], 10)


def test_bad_input_is_rejected():
    task = TASKS["Parity_All"]
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        task(np.array([[2, 0]]))
    with pytest.raises(ValueError, match="shape"):
        TASKS["Binary_Addition"](np.zeros((2, 3), dtype=np.int64))
    with pytest.raises(TypeError, match="integers"):
        task(np.array([[0.5, 1.0]]))
    with pytest.raises(TypeError, match="Generator"):
        task.sample(0, 3)
    with pytest.raises(ValueError, match="n must be"):
        task.sample(np.random.default_rng(0), 0)
    with pytest.raises(ValueError, match="62"):
        get_task("Parity")
    assert isinstance(task, SequenceTask) and "Parity_All" in repr(task)
