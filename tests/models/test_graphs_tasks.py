"""Relation tasks on n entities."""

import numpy as np
import pytest

from models.tasks.graphs import pair_split, relation_matrix


def test_relations():
    mod3 = relation_matrix("mod", 30, k=3)
    assert mod3.shape == (30, 30) and mod3.dtype == bool
    assert mod3[0, 3] and not mod3[0, 1] and np.all(np.diag(mod3))
    gt = relation_matrix("greater_than", 5)
    assert gt[0, 1] and not gt[1, 0] and not np.any(np.diag(gt))
    bip = relation_matrix("complete_bipartite", 30, a=10)
    assert bip[0, 10] and not bip[0, 1] and not bip[10, 11]
    assert bip.sum() == 2 * 10 * 20


def test_pair_split():
    split = pair_split(900, 0.75, 0)
    assert split.train.size == 675 and split.test.size == 225
    assert np.intersect1d(split.train, split.test).size == 0
    np.testing.assert_array_equal(np.union1d(split.train, split.test), np.arange(900))
    again = pair_split(900, 0.75, np.random.default_rng(0))
    np.testing.assert_array_equal(split.train, again.train)
    assert pair_split(900, 1.0, 1).test.size == 0
    assert "PairSplit" in repr(split)


@pytest.mark.parametrize("call, match", [
    (lambda: relation_matrix("mod", 1, k=1), "n"),
    (lambda: relation_matrix("modulo", 30), "kind"),
    (lambda: relation_matrix("mod", 30, k=0), "k"),
    (lambda: relation_matrix("complete_bipartite", 30, a=30), "a"),
    (lambda: pair_split(900, 0.0, 0), "fraction"),
    (lambda: pair_split(900, 1.5, 0), "fraction"),
    (lambda: pair_split(900, float("nan"), 0), "fraction"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
