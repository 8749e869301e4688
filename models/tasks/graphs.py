r"""Relation (graph) learning tasks on n entities.

A binary relation :math:`R(x_1, x_2) \in \{0, 1\}` on entities :math:`0..n-1` is the
adjacency matrix of a graph. The data set is all :math:`n^2` ordered pairs (diagonal
included); a fraction of them, drawn without replacement, trains and the rest tests.
Set-up of the GenEFT graph-learning experiments (Baek, Liu & Tegmark,
arXiv:2402.05916) as described by a third-party reproduction [third party]:

* ``"mod"``: :math:`R = [x_1 \equiv x_2 \bmod k]` (k = 3, 5 in the paper's figures);
* ``"greater_than"``: :math:`R = [x_1 < x_2]` (irreflexive);
* ``"complete_bipartite"``: :math:`R = [x_1 \in S \oplus x_2 \in S]`, :math:`S = \{0..a-1\}`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models import _arguments as check

__all__ = ["RELATION_KINDS", "PairSplit", "pair_split", "relation_matrix"]

RELATION_KINDS = ("mod", "greater_than", "complete_bipartite")


def relation_matrix(kind: str, n: int = 30, *, k: int | None = None, a: int | None = None) -> np.ndarray:
    """Adjacency matrix of a relation family, bool of shape (n, n).

    Parameters
    ----------
    kind : {"mod", "greater_than", "complete_bipartite"}
    n : int
        Entities, ``n >= 2``.
    k : int, optional
        Modulus for ``"mod"`` (``1 <= k <= n``; default 3).
    a : int, optional
        Size of the first part for ``"complete_bipartite"`` (``1 <= a <= n - 1``; default n // 3).
    """
    check.choice("kind", kind, RELATION_KINDS)
    n = check.integer("n", n, minimum=2)
    x = np.arange(n)
    if kind == "mod":
        k = check.integer("k", 3 if k is None else k, minimum=1, maximum=n)
        return (x[:, None] % k) == (x[None, :] % k)
    if kind == "greater_than":
        return x[:, None] < x[None, :]
    a = check.integer("a", n // 3 if a is None else a, minimum=1, maximum=n - 1)
    side = x < a
    return side[:, None] ^ side[None, :]


@dataclass(frozen=True, repr=False)
class PairSplit:
    """Indices into the flattened ``n * n`` pairs: ``pair = x1 * n + x2``."""

    train: np.ndarray
    test: np.ndarray

    def __repr__(self) -> str:
        return f"PairSplit(train={self.train.size}, test={self.test.size})"


def pair_split(n_pairs: int, fraction: float, rng) -> PairSplit:
    """Random train/test split with ``round(fraction * n_pairs)`` training pairs.

    Parameters
    ----------
    n_pairs : int
        Pairs in the data set, ``>= 2``.
    fraction : float
        Training fraction in (0, 1].
    rng : numpy.random.Generator or int
    """
    n_pairs = check.integer("n_pairs", n_pairs, minimum=2)
    fraction = check.real("fraction", fraction, low=0.0, high=1.0, low_open=True)
    generator = check.generator("rng", rng)
    n_train = max(1, int(round(fraction * n_pairs)))
    order = generator.permutation(n_pairs)
    return PairSplit(np.sort(order[:n_train]), np.sort(order[n_train:]))
