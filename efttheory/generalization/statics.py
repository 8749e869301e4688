r"""Statics of generalization: description length, balls in buckets, critical data fraction.

Theory behind D. D. Baek, Z. Liu and M. Tegmark, *GenEFT: Understanding Statics and
Dynamics of Model Generalization via (Physics-Inspired) Effective Theory*,
arXiv:2402.05916 (v2), Sect. 3. Equation numbers are v2's as quoted by a third-party
teaching notebook; the paper's full text was not available [third party].

A binary relation on :math:`n` entities is the adjacency matrix of a graph
:math:`G`. Its description length is the number of bits that single it out among
all its relabellings (orbit--stabiliser theorem) [third party, Lean ``descLength_eq``]:

.. math:: b = \log_2 \frac{n!}{|\mathrm{Aut}\,G|} .

If every training pair carries at most one bit, :math:`m` pairs reveal on average
the fraction (balls in buckets, Eq. 3)

.. math:: f(m) = 1 - \left(1 - \frac{1}{b}\right)^m

of the relation; generalization needs :math:`f(N p_c) = \alpha` (Eq. 4), and the
test accuracy is bounded by (Eq. 5)

.. math:: f_\mathrm{UB}(m) = f(m) + \max(p^*, 1 - p^*)\,(1 - f(m)),

where :math:`p^*` is the chance that an undetermined pair is related.

Provenance tags: [paper] abstract/figures, [third party] secondary source quoting
v2, [ours] our own derivation (the closed forms of :math:`|\mathrm{Aut}\,G|` per
relation family are ours).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from efttheory._arguments import (
    as_finite_array,
    check_choice,
    check_finite_scalar,
    check_flag,
    check_in_interval,
    check_integer,
)

__all__ = [
    "RELATIONS",
    "RelationStatics",
    "accuracy_upper_bound",
    "automorphism_count",
    "automorphism_count_bruteforce",
    "critical_data_fraction",
    "description_length",
    "description_length_relation",
    "guessing_odds",
    "known_fraction",
    "relation_statics",
]

#: Relation families with closed-form automorphism groups.
RELATIONS = ("mod", "greater_than", "complete_bipartite")
#: Families known only through their counting description length (spec "Table II").
_COUNTING = ("generic", "symmetric")
#: Up to this n, integer automorphism counts give b = log2(n!/|Aut|) from the exact integer quotient
#: (a difference of two logarithms left 0.9999999999999996 for an orbit of size 2).
_EXACT_FACTORIAL_MAX_N = 3000


def _log2_factorial(n: int) -> float:
    """log2(n!), from the exact integer up to ``_EXACT_FACTORIAL_MAX_N``, else from lgamma."""
    if n <= _EXACT_FACTORIAL_MAX_N:
        return math.log2(math.factorial(n))
    return math.lgamma(n + 1) / math.log(2.0)


def _check_kind(kind, *, counting: bool = False) -> str:
    allowed = RELATIONS + (_COUNTING if counting else ())
    if not isinstance(kind, str):
        raise TypeError(f"kind must be a relation name from {allowed}, got {kind!r}")
    return check_choice("kind", kind, allowed)


def _refuse_unused(kind: str, k, a) -> None:
    """A family parameter given with a kind that does not use it is a mistake, not ignored."""
    if k is not None and kind != "mod":
        raise ValueError(f"k is the modulus of kind='mod' only; got k={k!r} with kind={kind!r}")
    if a is not None and kind != "complete_bipartite":
        raise ValueError(f"a is the part size of kind='complete_bipartite' only; got a={a!r} with kind={kind!r}")


def _family_parameters(kind: str, n: int, k, a) -> tuple:
    _refuse_unused(kind, k, a)
    if kind == "mod":
        if k is None:
            raise ValueError("kind='mod' needs the modulus k (an integer in [1, n])")
        k = check_integer("k", k, minimum=1, maximum=n)
    elif kind == "complete_bipartite":
        if a is None:
            raise ValueError("kind='complete_bipartite' needs the part size a (an integer in [1, n - 1])")
        a = check_integer("a", a, minimum=1, maximum=n - 1)
    return k, a


def _class_sizes(n: int, k: int) -> list[int]:
    """Sizes of the residue classes of 0..n-1 modulo k."""
    return [len(range(r, n, k)) for r in range(k)]


def automorphism_count(kind: str, n: int, *, k: int | None = None, a: int | None = None) -> int:
    r"""Order of the automorphism group of a relation family on ``n`` entities (exact integer).

    Closed forms [ours]:

    * ``"mod"``, :math:`R = [x_1 \equiv x_2 \bmod k]` (an equivalence relation with
      classes of sizes :math:`s_r`): :math:`|\mathrm{Aut}| = \prod_r s_r! \prod_s \mu_s!`,
      :math:`\mu_s` the number of classes of size :math:`s` (for :math:`k` balanced
      classes of size :math:`s`: :math:`(s!)^k k!`);
    * ``"greater_than"`` (a strict total order): :math:`|\mathrm{Aut}| = 1`;
    * ``"complete_bipartite"`` :math:`K_{a,n-a}`: :math:`a!(n-a)!`, doubled when :math:`a = n - a`.

    Parameters
    ----------
    kind : {"mod", "greater_than", "complete_bipartite"}
    n : int
        Number of entities, ``n >= 2``.
    k : int, optional
        Modulus for ``"mod"``, ``1 <= k <= n``.
    a : int, optional
        Size of the first part for ``"complete_bipartite"``, ``1 <= a <= n - 1``.
        Each of ``k`` and ``a`` given with a kind that does not use it is a ValueError.

    Returns
    -------
    int
        :math:`|\mathrm{Aut}\,G|`.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.generalization import automorphism_count, automorphism_count_bruteforce
    >>> automorphism_count("mod", 6, k=3)  # (2!)^3 * 3!: shuffle inside each class, permute the classes
    48
    >>> x = np.arange(6)
    >>> automorphism_count_bruteforce(x[:, None] % 3 == x[None, :] % 3)  # tries all 6! relabellings
    48
    """
    kind = _check_kind(kind)
    n = check_integer("n", n, minimum=2)
    k, a = _family_parameters(kind, n, k, a)
    if kind == "greater_than":
        return 1
    if kind == "complete_bipartite":
        count = math.factorial(a) * math.factorial(n - a)
        return 2 * count if 2 * a == n else count
    sizes = _class_sizes(n, k)
    count = 1
    for s in sizes:
        count *= math.factorial(s)
    for s in set(sizes):
        count *= math.factorial(sizes.count(s))
    return count


def automorphism_count_bruteforce(adjacency) -> int:
    r"""Order of :math:`\mathrm{Aut}\,G` by trying every relabelling (``n <= 8``).

    Counts the permutations :math:`\pi` with :math:`R_{\pi(x)\pi(y)} = R_{xy}` for
    all pairs [ours]. Used to check :func:`automorphism_count`.

    Parameters
    ----------
    adjacency : array_like of bool, shape (n, n)
        The relation, ``2 <= n <= 8`` (``n!`` permutations are tried).

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.generalization import automorphism_count, automorphism_count_bruteforce
    >>> x = np.arange(6)
    >>> automorphism_count_bruteforce(x[:, None] > x[None, :])  # a total order: only the identity
    1
    >>> side = np.array([0, 0, 0, 1, 1, 1])  # K_{3,3}: related iff on different sides
    >>> automorphism_count_bruteforce(side[:, None] != side[None, :])  # 3! 3! times 2 for the side swap
    72
    >>> automorphism_count("complete_bipartite", 6, a=3)  # the closed form agrees
    72
    """
    adj = _check_adjacency(adjacency, max_n=8)
    n = adj.shape[0]
    perms = np.array(list(itertools.permutations(range(n))), dtype=np.int64)
    relabelled = adj[perms[:, :, None], perms[:, None, :]]
    return int(np.count_nonzero(np.all(relabelled == adj[None], axis=(1, 2))))


def _check_adjacency(adjacency, *, max_n: int | None = None) -> np.ndarray:
    raw = np.asarray(adjacency)
    if raw.dtype == object or raw.dtype.kind not in "biuf":
        raise TypeError(f"adjacency must be a 0/1 or bool matrix, got dtype {raw.dtype}")
    if raw.ndim != 2 or raw.shape[0] != raw.shape[1] or raw.shape[0] < 2:
        raise ValueError(f"adjacency must be a square (n, n) matrix with n >= 2, got shape {raw.shape}")
    if max_n is not None and raw.shape[0] > max_n:
        raise ValueError(f"adjacency must have n <= {max_n} (n! relabellings are tried), got n={raw.shape[0]}")
    if raw.dtype.kind != "b":
        values = as_finite_array("adjacency", raw)
        if not np.all((values == 0) | (values == 1)):
            raise ValueError("adjacency must contain only 0 and 1")
    return raw.astype(bool)


def _exceeds_factorial(count: int, n: int) -> bool:
    """``count > n!`` for a positive int, without forming ``n!`` unless ``count`` is within 1e-9 of it.

    ``math.log2`` of an int is correctly rounded and ``lgamma`` is accurate to a few ulp, so
    the two logarithms decide unless they agree to 1e-9 relative; only then (when ``count``
    is already an integer as large as ``n!``) is the exact factorial formed.
    """
    log2_count = math.log2(count)
    log2_fact = math.lgamma(n + 1) / math.log(2.0)
    margin = 1e-9 * max(1.0, log2_fact)
    if log2_count < log2_fact - margin:
        return False
    if log2_count > log2_fact + margin:
        return True
    return count > math.factorial(n)


def description_length(n: int, automorphisms) -> float:
    r"""Description length :math:`b = \log_2 (n!/|\mathrm{Aut}\,G|)` in bits.

    An integer count with :math:`n \le 3000` that divides :math:`n!` gives the log of the exact
    integer :math:`n!/|\mathrm{Aut}\,G|` (so an orbit of size 2 is exactly 1 bit); otherwise
    :math:`\log_2 n!` comes from ``lgamma``.

    Parameters
    ----------
    n : int
        Number of entities, ``n >= 2``.
    automorphisms : int or float
        :math:`|\mathrm{Aut}\,G|`, between 1 and :math:`n!` (a Python int of any size is exact).

    Returns
    -------
    float
        Bits, in :math:`[0, \log_2 n!]`.

    Notes
    -----
    [third party] (Lean ``descLength_eq``): the number of distinct relabellings of
    :math:`G` is :math:`n!/|\mathrm{Aut}\,G|` by the orbit--stabiliser theorem.

    Examples
    --------
    >>> from efttheory.generalization import automorphism_count, description_length
    >>> round(description_length(30, automorphism_count("mod", 30, k=3)), 2)  # x1 = x2 (mod 3), n = 30
    39.75
    >>> round(description_length(30, 1), 2)  # a total order has no symmetry: log2 30!
    107.71
    >>> description_length(4, 24)  # every relabelling gives the same relation: nothing to describe
    0.0
    """
    n = check_integer("n", n, minimum=2)
    if isinstance(automorphisms, (bool, np.bool_)):
        raise TypeError(f"automorphisms must be a positive number, got {automorphisms!r}")
    if isinstance(automorphisms, (int, np.integer)):
        count = int(automorphisms)
        if count < 1 or _exceeds_factorial(count, n):
            shown = count if count.bit_length() <= 10000 else f"2^{math.log2(count):.3f}"
            raise ValueError(f"automorphisms must lie in [1, n!] = [1, {n}!], got {shown}")
        log2_aut = math.log2(count)  # exact for Python ints of any size
        if n <= _EXACT_FACTORIAL_MAX_N:
            orbit, remainder = divmod(math.factorial(n), count)
            if remainder == 0:  # the orbit size n!/|Aut| is an integer: log2 of it, not a difference
                return math.log2(orbit)
    else:
        value = check_finite_scalar("automorphisms", automorphisms)
        if value < 1:
            raise ValueError(f"automorphisms must be >= 1, got {value}")
        log2_aut = math.log2(value)
    log2_fact = _log2_factorial(n)
    if log2_aut > log2_fact * (1 + 1e-12):
        raise ValueError(f"automorphisms must be <= n! = {n}!, got 2^{log2_aut:.3f}")
    return max(0.0, log2_fact - log2_aut)


def description_length_relation(kind: str, n: int, *, k: int | None = None, a: int | None = None,
                                approx: bool = False) -> float:
    r"""Description length of a relation family, exact or in the [third party] "Table II" form.

    ``approx=False`` (default): :math:`\log_2(n!/|\mathrm{Aut}\,G|)` with the exact
    :func:`automorphism_count`. ``approx=True``: the approximations quoted by the
    third party: equivalence :math:`n \log_2 k`, total order :math:`\log_2 n!`,
    bipartite :math:`\log_2 \binom{n}{a}`.

    ``"generic"`` (any relation) and ``"symmetric"`` (any symmetric relation) are
    counting bounds, the same in both modes: :math:`n^2` and :math:`n(n+1)/2` bits.

    Parameters
    ----------
    kind : {"mod", "greater_than", "complete_bipartite", "generic", "symmetric"}
    n : int
        ``n >= 2``.
    k, a : int, optional
        Family parameters (see :func:`automorphism_count`); each is a ValueError with a
        kind that does not use it.
    approx : bool

    Returns
    -------
    float
        Bits.

    Examples
    --------
    >>> from efttheory.generalization import description_length_relation
    >>> b_exact = description_length_relation("mod", 30, k=3)
    >>> b_approx = description_length_relation("mod", 30, k=3, approx=True)  # n log2 k
    >>> round(b_exact, 2), round(b_approx, 2)
    (39.75, 47.55)
    >>> description_length_relation("generic", 30), description_length_relation("symmetric", 30)
    (900.0, 465.0)
    """
    kind = _check_kind(kind, counting=True)
    n = check_integer("n", n, minimum=2)
    approx = check_flag("approx", approx)
    k, a = _family_parameters(kind, n, k, a)
    if kind == "generic":
        return float(n * n)
    if kind == "symmetric":
        return float(n * (n + 1) // 2)
    if approx:
        if kind == "mod":
            return n * math.log2(k)
        if kind == "greater_than":
            return _log2_factorial(n)
        return math.log2(math.comb(n, a))
    return description_length(n, automorphism_count(kind, n, k=k, a=a))


def known_fraction(m, b):
    r"""Balls in buckets (Eq. 3): expected known fraction after ``m`` one-bit pairs.

    .. math:: f(m) = 1 - (1 - 1/b)^m

    Parameters
    ----------
    m : float or array_like
        Number of training pairs, ``m >= 0``.
    b : float
        Description length in bits, ``b >= 1`` (``b = 1``: one pair reveals everything).

    Returns
    -------
    float or ndarray
        In :math:`[0, 1]`, the shape of ``m``.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.generalization import critical_data_fraction, known_fraction
    >>> np.round(known_fraction([0, 40, 120], 40.0), 4).tolist()  # b pairs reveal about 1 - 1/e
    [0.0, 0.6368, 0.9521]
    >>> m_c = 900 * critical_data_fraction(40.0, 900, alpha=0.9)  # Eq. 4 inverts Eq. 3
    >>> round(known_fraction(m_c, 40.0), 6)
    0.9
    """
    b = _check_bits(b)
    m_arr = as_finite_array("m", m)
    if np.any(m_arr < 0):
        raise ValueError(f"m must be >= 0, got min {m_arr.min()}")
    out = -np.expm1(m_arr * np.log1p(-1.0 / b)) if b > 1 else np.where(m_arr > 0, 1.0, 0.0)
    return float(out) if out.ndim == 0 else out


def _check_bits(b) -> float:
    b = check_finite_scalar("b", b)
    if b < 1:
        raise ValueError(f"b (description length in bits) must be >= 1, got {b}")
    return b


def critical_data_fraction(b, n_pairs, alpha=0.9) -> float:
    r"""Critical data fraction (Eq. 4): the fraction of pairs at which :math:`f = \alpha`.

    .. math:: p_c = \frac{\ln(1 - \alpha)}{N \ln(1 - 1/b)} \approx \frac{b \ln\frac{1}{1 - \alpha}}{N}

    Parameters
    ----------
    b : float
        Description length in bits, ``b > 1``.
    n_pairs : int
        Number of pairs :math:`N` in the data set (900 for all ordered pairs of 30 entities).
    alpha : float
        Target known fraction in (0, 1).

    Returns
    -------
    float
        :math:`p_c`; a value above 1 means the data set can never determine the relation.

    Examples
    --------
    >>> from efttheory.generalization import critical_data_fraction, description_length_relation
    >>> b = description_length_relation("mod", 30, k=3)  # x1 = x2 (mod 3) on 30 entities
    >>> round(b, 2), round(critical_data_fraction(b, n_pairs=900, alpha=0.9), 4)
    (39.75, 0.1004)
    >>> critical_data_fraction(900.0, 900) > 1  # a generic relation (b = n^2 bits) is never determined
    True
    """
    b = _check_bits(b)
    if b == 1.0:
        raise ValueError("b must be > 1 for a critical data fraction (b = 1 is known after one pair)")
    n_pairs = check_integer("n_pairs", n_pairs, minimum=1)
    alpha = check_in_interval("alpha", alpha, 0.0, 1.0, closed=(False, False))
    return math.log1p(-alpha) / (n_pairs * math.log1p(-1.0 / b))


def guessing_odds(kind: str, *, k: int | None = None) -> float:
    r"""Chance :math:`p^*` that an undetermined pair is related [third party].

    Equivalence modulo :math:`k`: :math:`1/k`; complete bipartite: :math:`1/2`;
    greater-than: :math:`1/3` (given :math:`x < y`, a third element has three
    placements).

    Parameters
    ----------
    kind : {"mod", "greater_than", "complete_bipartite"}
    k : int, optional
        Modulus for ``"mod"``, ``k >= 1``; given with another kind, a ValueError.

    Examples
    --------
    >>> from efttheory.generalization import guessing_odds
    >>> round(guessing_odds("mod", k=3), 6), guessing_odds("complete_bipartite")
    (0.333333, 0.5)
    >>> round(guessing_odds("greater_than"), 6)  # x < y: a third element lands in one of three gaps
    0.333333
    """
    kind = _check_kind(kind)
    _refuse_unused(kind, k, None)
    if kind == "mod":
        if k is None:
            raise ValueError("kind='mod' needs the modulus k (an integer >= 1)")
        return 1.0 / check_integer("k", k, minimum=1)
    return 1.0 / 3.0 if kind == "greater_than" else 0.5


def accuracy_upper_bound(m, b, p_star):
    r"""Accuracy upper bound (Eq. 5): known pairs right, the rest guessed with the better odds.

    .. math:: f_\mathrm{UB}(m) = f(m) + \max(p^*, 1 - p^*)\,(1 - f(m))

    Parameters
    ----------
    m : float or array_like
        Training pairs, ``m >= 0``.
    b : float
        Description length in bits, ``b >= 1``.
    p_star : float
        Guessing odds in [0, 1].

    Returns
    -------
    float or ndarray
        In :math:`[\max(p^*, 1 - p^*), 1]`.

    Examples
    --------
    >>> from efttheory.generalization import accuracy_upper_bound, critical_data_fraction
    >>> b = 39.75  # bits of x1 = x2 (mod 3) on 30 entities; an unknown pair is related with p* = 1/3
    >>> round(accuracy_upper_bound(0, b, p_star=1/3), 6)  # no data: always guess "unrelated"
    0.666667
    >>> m_c = 900 * critical_data_fraction(b, 900, alpha=0.9)  # pairs at which f = 0.9
    >>> round(accuracy_upper_bound(m_c, b, p_star=1/3), 6)  # 0.9 + (2/3)(1 - 0.9)
    0.966667
    """
    p_star = check_in_interval("p_star", p_star, 0.0, 1.0)
    f = known_fraction(m, b)
    return f + max(p_star, 1.0 - p_star) * (1.0 - f)


@dataclass(frozen=True, repr=False)
class RelationStatics:
    """Statics of one relation family: description length, critical fraction, guessing odds.

    Attributes
    ----------
    kind : str
    n : int
        Entities.
    n_pairs : int
        Pairs in the data set.
    automorphisms : int
        :math:`|\\mathrm{Aut}\\,G|` (exact; 0 for the counting families).
    bits : float
        Description length used (exact or approximate, see ``approx``).
    approx : bool
    alpha : float
    critical_fraction : float
        :math:`p_c` (above 1: never determined).
    p_star : float
        Guessing odds (NaN for the counting families).
    """

    kind: str
    n: int
    n_pairs: int
    automorphisms: int
    bits: float
    approx: bool
    alpha: float
    critical_fraction: float
    p_star: float

    @property
    def determinable(self) -> bool:
        """True when :math:`p_c \\le 1`."""
        return self.critical_fraction <= 1.0

    def __repr__(self) -> str:
        form = "approx" if self.approx else "exact"
        return (f"RelationStatics({self.kind}, n={self.n}, b={self.bits:.2f} bits ({form}), "
                f"p_c={self.critical_fraction:.4f}, p*={self.p_star:.3f})")


def relation_statics(kind: str, n: int, *, k: int | None = None, a: int | None = None, alpha=0.9,
                     n_pairs: int | None = None, approx: bool = False) -> RelationStatics:
    r"""All statics of a relation family in one record (spec §4 table).

    Parameters
    ----------
    kind : {"mod", "greater_than", "complete_bipartite", "generic", "symmetric"}
    n : int
        Entities, ``n >= 2``.
    k, a : int, optional
        Family parameters (see :func:`automorphism_count`); each is a ValueError with a
        kind that does not use it.
    alpha : float
        Target known fraction, in (0, 1).
    n_pairs : int, optional
        Pairs in the data set; default :math:`n^2` (all ordered pairs, diagonal included).
    approx : bool
        Use the "Table II" approximation of :math:`b`.

    Returns
    -------
    RelationStatics

    Examples
    --------
    >>> from efttheory.generalization import relation_statics
    >>> relation_statics("mod", 30, k=3)  # x1 = x2 (mod 3) on 30 entities, all 900 ordered pairs
    RelationStatics(mod, n=30, b=39.75 bits (exact), p_c=0.1004, p*=0.333)
    >>> round(relation_statics("mod", 30, k=3, approx=True).critical_fraction, 4)  # b = 30 log2 3
    0.1204
    >>> relation_statics("generic", 30).determinable  # n^2 = 900 bits: 900 pairs never suffice
    False
    """
    kind = _check_kind(kind, counting=True)
    n = check_integer("n", n, minimum=2)
    n_pairs = n * n if n_pairs is None else check_integer("n_pairs", n_pairs, minimum=1)
    alpha = check_in_interval("alpha", alpha, 0.0, 1.0, closed=(False, False))
    bits = description_length_relation(kind, n, k=k, a=a, approx=approx)
    if kind in _COUNTING:
        aut, p_star = 0, float("nan")
    else:
        aut = automorphism_count(kind, n, k=k, a=a)
        p_star = guessing_odds(kind, k=k)
    p_c = critical_data_fraction(bits, n_pairs, alpha) if bits > 1 else 0.0
    return RelationStatics(kind, n, n_pairs, aut, bits, bool(approx), alpha, p_c, p_star)
