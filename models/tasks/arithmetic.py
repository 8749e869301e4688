r"""Binary-operation tasks of the grokking experiments.

Liu, Zhong & Tegmark (*Grokking as Compression*, arXiv:2310.05918, section 3)
train on three tables of a binary operation :math:`y = a \circ b` [paper]:

=======================  ==========================================  =========
task                     operation                                    classes
=======================  ==========================================  =========
``modular_addition``     :math:`y = (a + b) \bmod p`, :math:`p = 31`  31
``s4_composition``       :math:`y = \sigma\circ\tau` in :math:`S_4`    24
``bitwise_xor``          :math:`y = a \oplus b` on 5 bits             32
=======================  ==========================================  =========

Every ordered pair :math:`(a, b)` is one example. Conventions [ours]: permutations
of :math:`\{0,1,2,3\}` are indexed in lexicographic order and
:math:`(\sigma\circ\tau)(k) = \sigma(\tau(k))`; the train set holds
:math:`\lfloor 0.8\, n\rfloor` pairs drawn without replacement from the run's
generator. The tasks originate with Power et al. (arXiv:2201.02177) [paper].
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from models import _arguments as check

__all__ = ["ArithmeticTask", "modular_addition", "s4_composition", "bitwise_xor", "train_test_split",
           "arithmetic_task", "TASKS"]


@dataclass(frozen=True, repr=False)
class ArithmeticTask:
    """The full table of a binary operation.

    Attributes
    ----------
    a, b : ndarray of int64, shape (n,)
        Operand symbols in ``[0, n_symbols)``.
    y : ndarray of int64, shape (n,)
        Result class in ``[0, n_classes)``.
    n_symbols, n_classes : int
    name : str
    """

    a: np.ndarray
    b: np.ndarray
    y: np.ndarray
    n_symbols: int
    n_classes: int
    name: str

    @property
    def n_pairs(self) -> int:
        """Number of examples (all ordered operand pairs)."""
        return int(self.y.size)

    def __repr__(self) -> str:
        return (f"ArithmeticTask({self.name!r}, n_pairs={self.n_pairs}, n_symbols={self.n_symbols}, "
                f"n_classes={self.n_classes})")


def _table(n_symbols: int, op) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, b = np.divmod(np.arange(n_symbols * n_symbols, dtype=np.int64), n_symbols)
    return a, b, op(a, b).astype(np.int64)


def modular_addition(p: int = 31) -> ArithmeticTask:
    r""":math:`y = (a + b) \bmod p` for :math:`a, b \in \mathbb Z_p` (paper: :math:`p = 31`)."""
    p = check.integer("p", p, minimum=2)
    a, b, y = _table(p, lambda u, v: (u + v) % p)
    return ArithmeticTask(a, b, y, p, p, f"mod{p}_addition")


def s4_composition() -> ArithmeticTask:
    r"""Composition :math:`\sigma\circ\tau` in the symmetric group :math:`S_4` (24 elements).

    Permutations of ``(0, 1, 2, 3)`` are numbered in lexicographic order;
    :math:`(\sigma\circ\tau)(k) = \sigma(\tau(k))` [ours].
    """
    perms = list(itertools.permutations(range(4)))
    index = {perm: k for k, perm in enumerate(perms)}
    table = np.array([[index[tuple(s[t[k]] for k in range(4))] for t in perms] for s in perms])
    a, b, y = _table(len(perms), lambda u, v: table[u, v])
    return ArithmeticTask(a, b, y, len(perms), len(perms), "s4_composition")


def bitwise_xor(bits: int = 5) -> ArithmeticTask:
    r""":math:`y = a \oplus b` for :math:`a, b \in \{0, \dots, 2^{\rm bits} - 1\}` (paper: 5 bits)."""
    bits = check.integer("bits", bits, minimum=1, maximum=12)
    n = 2 ** bits
    a, b, y = _table(n, np.bitwise_xor)
    return ArithmeticTask(a, b, y, n, n, f"xor{bits}")


#: Task constructors by short name.
TASKS = {"mod31": lambda: modular_addition(31), "s4": s4_composition, "xor5": lambda: bitwise_xor(5)}


def arithmetic_task(name: str) -> ArithmeticTask:
    """One of the paper's three tasks by short name: ``"mod31"``, ``"s4"`` or ``"xor5"``."""
    check.choice("name", name, TASKS)
    return TASKS[name]()


def train_test_split(n: int, *, train_frac: float = 0.8, rng) -> tuple[np.ndarray, np.ndarray]:
    r"""Random split of ``range(n)`` into :math:`\lfloor \mathrm{train\_frac}\cdot n\rfloor` train indices and the rest.

    Parameters
    ----------
    n : int
        Number of examples, >= 2.
    train_frac : float
        In (0, 1); both parts must be non-empty.
    rng : numpy.random.Generator, SeedSequence or int

    Returns
    -------
    (ndarray, ndarray)
        Sorted train and test indices (int64).
    """
    n = check.integer("n", n, minimum=2)
    train_frac = check.real("train_frac", train_frac, low=0.0, high=1.0, low_open=True, high_open=True)
    n_train = int(np.floor(train_frac * n))
    if not 1 <= n_train <= n - 1:
        raise ValueError(f"train_frac={train_frac} leaves an empty train or test set for n={n}")
    perm = check.generator("rng", rng).permutation(n)
    return np.sort(perm[:n_train]), np.sort(perm[n_train:])
