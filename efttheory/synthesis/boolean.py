r"""Boolean regression: a finite-state machine as bit-level update formulas.

The bit branch of MIPS (Michaud et al., arXiv:2402.05110, 2024) writes a
finite-state RNN as a few state bits :math:`s \in \{0,1\}^n` with

.. math::

    s_t^{(j)} = F_j\bigl(s_{t-1}, u_t\bigr), \qquad y_t^{(o)} = G_o(s_t),

where :math:`u_t` are the input bits [paper]. The authors scan every assignment
of bit codes to the clustered states, build the truth tables of :math:`F_j` and
:math:`G_o`, simplify each with their ``formula()`` routine -- drop unused
variables; a symmetric function (one that depends only on the number of true
inputs) becomes an XOR chain, ``sum > k``, ``sum < k``, ``sum == k`` or
``not a``; otherwise a DNF; keep the shorter -- and keep the assignment with the
shortest total [authors' code] (``regression/boolean_regression.ipynb``).

Ours [ours]: the machine is first minimised (:mod:`efttheory.synthesis.fsm`)
and converted to Moore form, whose states are the reachable pairs (Mealy
state, last output), so that the output is a function of the state bits alone;
:math:`n = \lceil \log_2 S \rceil \le 3` bits; unused codes and unseen cells
are don't-cares; the DNF is a Quine--McCluskey cover (prime implicants,
essential ones first, then greedy). Every injective code assignment is scored
(at most :math:`8! = 40320`, as in the authors' scan): the greedy cover and the
dropping of unused variables depend on the variable order, so assignments that
differ only by a permutation of the bit positions can give formulas of
different total length.

Formulas are Python expressions over 0/1 integers that also evaluate
element-wise on NumPy arrays: XOR chains ``a^b^c``, counts ``a+b+c>1``, negation
``1-a``, conjunction ``&``, disjunction ``|``. In a :class:`BooleanProgram` the
variables are named ``a, b, ...``: the state bits first (most significant bit
of the code first), then the input bits (most significant bit of the symbol
first, matching :func:`efttheory.synthesis.fsm.encode_symbols`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from efttheory._arguments import check_identifiers, check_integer
from efttheory.synthesis.fsm import MealyMachine, _check_machine, minimize_machine

__all__ = ["BooleanProgram", "boolean_regression", "truth_table_formula"]

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class BooleanProgram:
    r"""State-bit update formulas and output formulas of a finite-state program.

    Per step: read input bits, compute every ``next_formulas[j]`` from the old
    state bits and the input bits, assign, then compute the outputs from the
    new state bits.

    Attributes
    ----------
    n_state_bits : int
        Number of state bits ``n`` (0 for a memoryless constant machine).
    next_formulas : tuple of str
        :math:`F_j` over ``(state bits, input bits)`` named ``a, b, ...``.
    output_formulas : tuple of str
        :math:`G_o` over the state bits only.
    initial_bits : tuple of int
        Code of the start state, most significant bit first.
    total_length : int
        Summed formula length (characters), the quantity minimised.
    """

    n_state_bits: int
    next_formulas: tuple
    output_formulas: tuple
    initial_bits: tuple
    total_length: int

    def __repr__(self) -> str:
        nxt = "; ".join(self.next_formulas)
        out = "; ".join(self.output_formulas)
        return (f"BooleanProgram(bits={self.n_state_bits}, next=[{nxt}], out=[{out}], "
                f"init={self.initial_bits}, length={self.total_length})")


# ----------------------------------------------------------------------------
# single formulas
# ----------------------------------------------------------------------------


def _literal(name: str, positive: bool) -> str:
    return name if positive else f"(1-{name})"


def _prime_implicants(ones: list[int], dont: list[int], k: int) -> list[tuple[int, int]]:
    """Quine--McCluskey prime implicants as (value, mask) pairs; mask bits are free."""
    current = {(m, 0) for m in ones + dont}
    primes: set[tuple[int, int]] = set()
    while current:
        used = set()
        nxt = set()
        items = sorted(current)
        by_mask: dict[int, list[int]] = {}
        for v, mk in items:
            by_mask.setdefault(mk, []).append(v)
        for mk, values in by_mask.items():
            vs = set(values)
            for v in values:
                for b in range(k):
                    bit = 1 << b
                    if mk & bit or v & bit:
                        continue
                    w = v | bit
                    if w in vs:
                        nxt.add((v, mk | bit))
                        used.add((v, mk))
                        used.add((w, mk))
        primes |= current - used
        current = nxt
    return sorted(primes)


def _dnf(table: tuple, names: tuple) -> str:
    k = len(names)
    ones = [i for i, v in enumerate(table) if v == 1]
    dont = [i for i, v in enumerate(table) if v < 0]
    primes = _prime_implicants(ones, dont, k)
    full = (1 << k) - 1

    def covers(p, m):
        v, mk = p
        return (m & ~mk & full) == (v & ~mk & full)

    remaining = set(ones)
    chosen = []
    for m in ones:  # essential primes
        cover = [p for p in primes if covers(p, m)]
        if len(cover) == 1 and cover[0] not in chosen:
            chosen.append(cover[0])
    for p in chosen:
        remaining -= {m for m in ones if covers(p, m)}
    while remaining:
        best = max(primes, key=lambda p: (sum(covers(p, m) for m in remaining), bin(p[1]).count("1")))
        chosen.append(best)
        remaining -= {m for m in ones if covers(best, m)}
    terms = []
    for v, mk in sorted(chosen, key=lambda p: (-bin(p[1]).count("1"), p[0])):
        lits = [_literal(names[j], bool(v >> (k - 1 - j) & 1)) for j in range(k) if not mk >> (k - 1 - j) & 1]
        terms.append("&".join(lits) if lits else "1")
    return "|".join(terms)


def _symmetric_candidates(names: tuple, f: list) -> list[str]:
    """Formulas for a symmetric function f(count) (entries -1 are don't-cares)."""
    m = len(names)
    total = "+".join(names)
    out = []

    def fits(g):
        return all(v < 0 or v == g(s) for s, v in enumerate(f))

    if m == 1:
        if fits(lambda s: s):
            out.append(names[0])
        if fits(lambda s: 1 - s):
            out.append(f"1-{names[0]}")
    if fits(lambda s: s % 2):
        out.append("^".join(names))
    if fits(lambda s: 1 - s % 2):
        out.append("^".join(names) + "^1")
    for c in range(m + 1):
        if fits(lambda s, c=c: int(s > c)):
            out.append(f"{total}>{c}")
        if fits(lambda s, c=c: int(s < c)):
            out.append(f"{total}<{c}")
        if fits(lambda s, c=c: int(s == c)):
            out.append(f"{total}=={c}")
    return out


@lru_cache(maxsize=65536)
def _formula(table: tuple, names: tuple) -> str:
    k = len(names)
    defined = [v for v in table if v >= 0]
    if not defined or all(v == 0 for v in defined):
        return "0"
    if all(v == 1 for v in defined):
        return "1"
    # drop variables the table does not depend on (don't-cares absorbed)
    t = list(table)
    keep = list(range(k))
    j = 0
    while j < len(keep):
        kk = len(keep)
        shift = kk - 1 - j
        merged = []
        ok = True
        for idx in range(1 << kk):
            if idx >> shift & 1:
                continue
            lo, hi = t[idx], t[idx | (1 << shift)]
            if lo >= 0 and hi >= 0 and lo != hi:
                ok = False
                break
            merged.append(lo if lo >= 0 else hi)
        if ok:
            t = merged
            keep.pop(j)
        else:
            j += 1
    used = tuple(names[i] for i in keep)
    m = len(used)
    candidates = [_dnf(tuple(t), used)]
    counts = [bin(i).count("1") for i in range(1 << m)]
    f = [-1] * (m + 1)
    symmetric = True
    for idx, v in enumerate(t):
        if v < 0:
            continue
        if f[counts[idx]] >= 0 and f[counts[idx]] != v:
            symmetric = False
            break
        f[counts[idx]] = v
    if symmetric:
        candidates = _symmetric_candidates(used, f) + candidates
    return min(candidates, key=len)


def truth_table_formula(table, names) -> str:
    r"""A short Python formula for a Boolean function given by its truth table.

    Entry ``table[i]`` is the value at the input whose bits, most significant
    first, are the values of ``names[0], names[1], ...``:
    :math:`i = \sum_j v_j 2^{k-1-j}`. The rules follow the authors'
    ``formula()`` [authors' code]: unused variables are dropped; a symmetric
    function of the remaining :math:`m` variables gets the shortest of an XOR
    chain ``a^b`` (or ``a^b^1``), ``a+b+c>k``, ``a+b+c<k``, ``a+b+c==k`` or, for
    one variable, ``a`` / ``1-a``; every function also gets a Quine--McCluskey
    DNF such as ``a&(1-b)|c`` [ours]; the shortest text wins, so a symmetric
    table never gets a formula longer than its DNF.

    Parameters
    ----------
    table : array_like of int, shape (2**k,)
        Values 0 or 1; ``-1`` marks a don't-care input (never evaluated).
    names : sequence of str
        ``k`` distinct Python identifiers, ``0 <= k <= 10``.

    Returns
    -------
    str
        Evaluates to the table's value (as an int or bool) when the names are
        bound to 0/1 integers, and element-wise on NumPy integer arrays.

    Examples
    --------
    Symmetric tables become an XOR chain or a count; others a DNF; ``-1`` is a don't-care:

    >>> from efttheory.synthesis import truth_table_formula
    >>> truth_table_formula([0, 1, 1, 0], ["a", "b"])                  # parity
    'a^b'
    >>> truth_table_formula([0, 0, 0, 1, 0, 1, 1, 1], ["a", "b", "c"])  # majority of three
    'a+b+c>1'
    >>> truth_table_formula([0, 1, 0, 0], ["a", "b"])                  # b and not a
    '(1-a)&b'
    >>> truth_table_formula([0, 0, 1, -1], ["a", "b"])                 # b never matters
    'a'
    """
    names = check_identifiers("names", names)
    if len(set(names)) != len(names):
        raise ValueError(f"names must be distinct Python identifiers, got {names!r}")
    if len(names) > 10:
        raise ValueError(f"names must hold at most 10 variables, got {len(names)}")
    arr = np.asarray(table)
    if arr.dtype.kind not in "biuf" or arr.ndim != 1:
        raise TypeError(f"table must be a 1-D array of integers, got dtype {arr.dtype} shape {arr.shape}")
    if arr.shape[0] != 1 << len(names):
        raise ValueError(f"table must have 2**len(names) = {1 << len(names)} entries, got {arr.shape[0]}")
    if not np.all(np.isin(arr, (-1, 0, 1))):
        raise ValueError("table entries must be 0, 1 or -1 (don't-care)")
    return _formula(tuple(int(v) for v in arr), names)


# ----------------------------------------------------------------------------
# machines to bit programs
# ----------------------------------------------------------------------------


def _moore(m: MealyMachine):
    """Moore states (Mealy state, output) reachable from the start, their transitions and outputs."""
    S, A = m.transition.shape
    start = (m.initial, None)
    order = [start]
    index = {start: 0}
    trans: list[list[int]] = []
    i = 0
    while i < len(order):
        q, _ = order[i]
        row = []
        for a in range(A):
            nq = int(m.transition[q, a])
            if nq < 0:
                row.append(-1)
                continue
            key = (nq, tuple(int(v) for v in m.output[q, a]))
            if key not in index:
                index[key] = len(order)
                order.append(key)
            row.append(index[key])
        trans.append(row)
        i += 1
    return order, np.array(trans, dtype=np.int64)


def boolean_regression(m: MealyMachine, n_input_bits: int, max_state_bits: int = 3) -> BooleanProgram | None:
    r"""Write a Mealy machine with 0/1 outputs as the shortest Boolean bit program.

    The machine is minimised and turned into its Moore form: states are the
    reachable pairs :math:`(q, y)` of a Mealy state and the output just
    emitted, :math:`(q, y) \xrightarrow{a} (\delta(q,a), \lambda(q,a))`, and the
    output of :math:`(q, y)` is :math:`y`. The start state is :math:`(q_0,
    \cdot)`; when some reachable pair already has Mealy part :math:`q_0`, each
    such pair is tried as the start's code instead (its output is never read).
    With :math:`S` Moore states, :math:`n = \lceil \log_2 S \rceil` bits are
    used and every injective code assignment (:math:`2^n!/(2^n - S)!` of them,
    at most 40320) is scored by the summed length of the
    :func:`truth_table_formula` results; the first shortest in the scan order
    wins, so the program returned has the smallest total length among all
    assignments and start options. The scan costs up to a few seconds for
    :math:`S = 7` or 8 Moore states.

    Parameters
    ----------
    m : MealyMachine
        Outputs must be 0 or 1 on every observed cell.
    n_input_bits : int
        Input bits per step, 1..4; ``m.n_symbols`` must be at most
        ``2**n_input_bits`` (symbols beyond it, never observed, are don't-cares).
    max_state_bits : int
        Largest ``n`` allowed, 0..3 (3 in the authors' code: at most
        :math:`8! = 40320` assignments).

    Returns
    -------
    BooleanProgram or None
        ``None`` when the outputs are not bits or more than ``max_state_bits``
        bits would be needed.

    Examples
    --------
    The running parity of a bit stream: one state bit ``a``, input bit ``b``.

    >>> from efttheory.synthesis import MealyMachine, boolean_regression
    >>> parity = MealyMachine(transition=[[0, 1], [1, 0]], output=[[0, 1], [1, 0]],
    ...                       initial=0, n_symbols=2)
    >>> boolean_regression(parity, n_input_bits=1)
    BooleanProgram(bits=1, next=[a^b], out=[a], init=(0,), length=4)
    """
    m = _check_machine("m", m)
    n_in = check_integer("n_input_bits", n_input_bits, minimum=1, maximum=4)
    max_bits = check_integer("max_state_bits", max_state_bits, minimum=0, maximum=3)
    if m.n_symbols > 1 << n_in:
        raise ValueError(f"m.n_symbols must be at most 2**n_input_bits = {1 << n_in}, got {m.n_symbols}")
    if m.n_symbols < 1 << n_in:  # symbols never observed: unseen columns (don't-cares)
        pad = (1 << n_in) - m.n_symbols
        S = m.transition.shape[0]
        m = MealyMachine(np.concatenate([m.transition, np.full((S, pad), -1)], axis=1),
                         np.concatenate([m.output, np.full((S, pad, m.output.shape[2]), -1)], axis=1),
                         m.initial, 1 << n_in)
    m = minimize_machine(m)
    observed = m.output[m.transition >= 0]
    if observed.size and not np.all(np.isin(observed, (0, 1))):
        return None
    order, trans = _moore(m)
    O = m.output.shape[2]
    n_symbols = m.n_symbols
    # start options: the dedicated start state, or merge it into a pair with Mealy part q0
    merge_targets = [i for i, (q, y) in enumerate(order) if i > 0 and q == m.initial]
    options = []
    if merge_targets:
        for target in merge_targets:
            keep = [i for i in range(len(order)) if i != 0]
            options.append((keep, target))
    else:
        options.append((list(range(len(order))), 0))
    best = None
    for keep, start in options:
        pos = {old: new for new, old in enumerate(keep)}
        pos[0] = pos[start]
        S = len(keep)
        t = np.array([[pos[int(v)] if v >= 0 else -1 for v in trans[old]] for old in keep], dtype=np.int64)
        outs = [order[old][1] for old in keep]
        n = 0 if S == 1 else math.ceil(math.log2(S))
        if n > max_bits:
            continue
        names = tuple(_LETTERS[: n + n_in])
        state_names = names[:n]
        src, sym = np.nonzero(t >= 0)
        cells = (src, sym, t[src, sym])
        for codes in _assignments(S, n):
            program = _score(codes, cells, outs, pos[start], n, O, n_symbols, names, state_names)
            if best is None or program.total_length < best.total_length:
                best = program
    return best


def _assignments(S: int, n: int):
    """Every injective code assignment of S states to n-bit codes, in lexicographic order.

    No assignment is left out as equivalent to another: formula lengths are not
    invariant under permuting the bit positions (the DNF cover is greedy).
    """
    if n == 0:
        yield (0,)
        return
    yield from itertools.permutations(range(1 << n), S)


def _score(codes, cells, outs, start, n, O, n_symbols, names, state_names) -> BooleanProgram:
    size = 1 << n
    code = np.asarray(codes, dtype=np.int64)
    src, sym, dst = cells
    where = code[src] * n_symbols + sym
    target = code[dst]
    next_formulas = []
    for j in range(n):
        table = np.full(size * n_symbols, -1, dtype=np.int64)
        table[where] = (target >> (n - 1 - j)) & 1
        next_formulas.append(_formula(tuple(table.tolist()), names))
    output_formulas = []
    for o in range(O):
        table = [-1] * size
        for p, c in enumerate(codes):
            if outs[p] is not None:
                table[c] = outs[p][o]
        output_formulas.append(_formula(tuple(table), state_names))
    initial = tuple((codes[start] >> (n - 1 - j)) & 1 for j in range(n))
    total = sum(len(f) for f in next_formulas) + sum(len(f) for f in output_formulas)
    return BooleanProgram(n_state_bits=n, next_formulas=tuple(next_formulas),
                          output_formulas=tuple(output_formulas), initial_bits=initial, total_length=total)
