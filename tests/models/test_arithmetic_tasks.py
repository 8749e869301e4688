"""Task tables of the grokking experiments (models/tasks/arithmetic.py)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.tasks.arithmetic import (
    arithmetic_task,
    bitwise_xor,
    modular_addition,
    s4_composition,
    train_test_split,
)


@pytest.mark.parametrize("name, n_pairs, n_classes, n_train", [("mod31", 961, 31, 768), ("s4", 576, 24, 460),
                                                               ("xor5", 1024, 32, 819)])
def test_table_sizes_and_split_sizes(name, n_pairs, n_classes, n_train):
    task = arithmetic_task(name)
    assert (task.n_pairs, task.n_classes) == (n_pairs, n_classes)
    train, test = train_test_split(task.n_pairs, rng=0)
    assert (train.size, test.size) == (n_train, n_pairs - n_train)
    assert np.intersect1d(train, test).size == 0
    assert set(task.y) == set(range(n_classes))  # every class occurs


def test_operations():
    task = modular_addition(7)
    np.testing.assert_array_equal(task.y, (task.a + task.b) % 7)
    task = bitwise_xor(3)
    np.testing.assert_array_equal(task.y, task.a ^ task.b)
    task = s4_composition()
    perms = list(itertools.permutations(range(4)))
    for a, b, y in zip(task.a[::37], task.b[::37], task.y[::37]):
        assert perms[y] == tuple(perms[a][perms[b][k]] for k in range(4))
    assert perms[0] == (0, 1, 2, 3)
    assert "s4_composition" in repr(task)


def test_group_axioms_of_s4_table():
    task = s4_composition()
    table = task.y.reshape(24, 24)
    np.testing.assert_array_equal(table[0], np.arange(24))  # index 0 is the identity
    for row in table:
        assert sorted(row) == list(range(24))  # Latin square
    assert np.any(table != table.T)  # S4 is not abelian


@settings(deadline=None, max_examples=30)
@given(n=st.integers(2, 500), frac=st.floats(0.05, 0.95), seed=st.integers(0, 2**32 - 1))
def test_split_is_a_seeded_partition(n, frac, seed):
    train_n = int(np.floor(frac * n))
    if not 1 <= train_n <= n - 1:
        with pytest.raises(ValueError):
            train_test_split(n, train_frac=frac, rng=seed)
        return
    train, test = train_test_split(n, train_frac=frac, rng=seed)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(n))
    again = train_test_split(n, train_frac=frac, rng=np.random.default_rng(seed))
    np.testing.assert_array_equal(again[0], train)


def test_bad_arguments():
    with pytest.raises(ValueError, match="name"):
        arithmetic_task("mod97")
    with pytest.raises(ValueError, match="p must be >= 2"):
        modular_addition(1)
    with pytest.raises(ValueError, match="train_frac"):
        train_test_split(10, train_frac=1.0, rng=0)
