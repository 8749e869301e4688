r"""Integer symbolic regression over reverse-Polish templates (the MIPS SR branch).

Michaud et al., *Opening the AI black box: program synthesis via mechanistic
interpretability*, arXiv:2402.05110 (2024). When the hidden states of a trained
RNN lie on an integer lattice, each lattice coordinate obeys an integer relation

.. math::

    z_t^{(i)} = F_i\bigl(z_{t-1}^{(1)}, \dots, z_{t-1}^{(H)}, x_t^{(1)}, \dots, x_t^{(D)}\bigr),
    \qquad y_t = G\bigl(z_t^{(1)}, \dots, z_t^{(H)}\bigr),

and MIPS finds :math:`F_i`, :math:`G` by brute-force enumeration of short
expressions [paper]. The expressions are written in reverse Polish notation
(RPN), grouped by *arity template* -- the string of token arities, e.g. ``"002"``
for ``a b +`` -- and enumerated template by template [authors' code]
(``symbolic_regression/main.cpp``, ``arity2templates.txt`` on branch
``KindXiaoming-patch-1``).

Alphabet [authors' code]: leaves are the relation's variables ``a, b, c, ...``
and the constants 3 and 4; unary operators ``>`` (+1), ``<`` (-1), ``~``
(negate), ``H`` (Heaviside, :math:`[x > 0]`), ``D`` (delta, :math:`[x = 0]`),
``A`` (absolute value), ``U`` (+100), ``V`` (-100); binary operators ``+``,
``*``, ``-`` and ``%``, the C integer remainder (sign of the dividend) with
``x % 0 = 1000``.

A template with :math:`\ell` leaves, :math:`u` unary and :math:`b` binary tokens
has :math:`n_\text{leaf}^\ell\, 8^u\, 4^b` candidates. The authors accept the
first candidate in enumeration order with

.. math::

    \frac{1}{m}\sum_{r=1}^{m} \bigl(\hat y_r - y_r\bigr)^2 < \mathrm{tol},
    \qquad m = 25,

on the first 25 rows [authors' code]; we additionally require every row to be
reproduced exactly and continue the enumeration otherwise [ours]. Enumeration
order inside a template (last token fastest; leaves as variables then
constants; operators in the order of :data:`UNARY` and :data:`BINARY`) and the
template order (by length, then lexicographic) are our reading of the code
[ours]. The search is a Numba kernel that recomputes only the tokens after the
first changed digit [ours].

On failure, :func:`symbolic_lattice_program` retries with every pattern of
parity flips :math:`z_i \to \max_i - z_i` [authors' code].
"""

from __future__ import annotations

import itertools
import numbers
from dataclasses import dataclass

import numpy as np

from efttheory._arguments import (
    as_finite_array,
    as_integer_array,
    check_finite_scalar,
    check_identifiers,
    check_integer,
)
from efttheory.synthesis import _symreg_kernels as _k

__all__ = [
    "BINARY",
    "CONSTANTS",
    "UNARY",
    "SymbolicFit",
    "SymbolicProgram",
    "arity_templates",
    "eval_rpn",
    "integer_symbolic_regression",
    "rpn_to_infix",
    "symbolic_lattice_program",
]

#: Unary operators: +1, -1, negate, Heaviside [x>0], delta [x==0], abs, +100, -100.
UNARY = (">", "<", "~", "H", "D", "A", "U", "V")
#: Binary operators: add, multiply, subtract, C remainder (``x % 0 = 1000``).
BINARY = ("+", "*", "-", "%")
#: Constant leaves used by the authors' search (``num_const = 2``).
CONSTANTS = (3, 4)

_VARIABLES = "abcdefghijklmnopqrstuvwxyz"
_MAX_SEARCH_LEN = 8


# ----------------------------------------------------------------------------
# result types
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SymbolicFit:
    r"""One integer relation found by the template search.

    Attributes
    ----------
    rpn : str
        The expression in reverse Polish notation, one character per token
        (variables ``a, b, ...``, digits for constants, operators from
        :data:`UNARY` and :data:`BINARY`).
    infix : str
        The same expression as a Python expression in the variables
        ``a, b, ...``; ``%`` is written ``cmod(p, q)`` (C remainder, ``cmod(p, 0)
        = 1000``), ``H`` as ``(p > 0) * 1`` and ``D`` as ``(p == 0) * 1`` so the
        text also evaluates element-wise on NumPy integer arrays.
    candidates_tried : int
        Candidates enumerated up to and including the accepted one.
    """

    rpn: str
    infix: str
    candidates_tried: int

    def __repr__(self) -> str:
        return f"SymbolicFit({self.rpn!r} = {self.infix}, tried={self.candidates_tried})"


@dataclass(frozen=True, eq=False)
class SymbolicProgram:
    r"""Symbolic update and read-out of an integer-lattice RNN.

    The program keeps integer coordinates :math:`z \in \mathbb{Z}^H` with
    :math:`z_0 =` ``z0``; per step :math:`z^{(i)} \leftarrow F_i(z, x)` for
    all :math:`i` simultaneously, then :math:`y^{(o)} = G_o(z)`.

    Attributes
    ----------
    next_fits : tuple of SymbolicFit
        :math:`F_i` over variables ``(z_1..z_H, x_1..x_D)`` named ``a, b, ...``.
    output_fits : tuple of SymbolicFit
        :math:`G_o` over ``(z_1..z_H)`` named ``a, b, ...``.
    z0 : ndarray of int64, shape (H,)
        Initial coordinates (already in the flipped frame).
    flips : tuple of bool
        Which coordinates were replaced by :math:`\max_i - z_i`.
    """

    next_fits: tuple
    output_fits: tuple
    z0: np.ndarray
    flips: tuple

    def __repr__(self) -> str:
        nxt = ", ".join(f.rpn for f in self.next_fits)
        out = ", ".join(f.rpn for f in self.output_fits)
        return f"SymbolicProgram(next=[{nxt}], output=[{out}], z0={self.z0.tolist()}, flips={self.flips})"


# ----------------------------------------------------------------------------
# templates and parsing
# ----------------------------------------------------------------------------


def arity_templates(max_len: int = 6) -> tuple[str, ...]:
    r"""All arity strings of valid RPN expressions of length 1..``max_len``.

    A string :math:`a_1 \dots a_n` of token arities :math:`a_k \in \{0,1,2\}`
    is a valid expression when the stack depth
    :math:`s_k = \sum_{j \le k} (1 - a_j)` satisfies :math:`s_{k-1} \ge a_k`
    (operands exist) and :math:`s_n = 1`. The number of templates of length
    :math:`n` is the Motzkin number :math:`M_{n-1}` (1, 1, 2, 4, 9, 21, ...),
    so ``max_len = 6`` gives 38 templates [authors' code]. Order: by length,
    then lexicographic [ours].

    Parameters
    ----------
    max_len : int
        Longest template, 1 <= max_len <= 12.

    Returns
    -------
    tuple of str

    Examples
    --------
    The counts per length are the Motzkin numbers; ``"002"`` is the shape of ``a b +``:

    >>> from efttheory.synthesis import arity_templates
    >>> templates = arity_templates(6)
    >>> len(templates), templates[:5]
    (38, ('0', '01', '002', '011', '0012'))
    >>> [sum(len(t) == n for t in templates) for n in range(1, 7)]
    [1, 1, 2, 4, 9, 21]
    """
    max_len = check_integer("max_len", max_len, minimum=1, maximum=12)
    out = []
    for n in range(1, max_len + 1):
        for word in itertools.product("012", repeat=n):
            depth = 0
            ok = True
            for ch in word:
                a = int(ch)
                if depth < a:
                    ok = False
                    break
                depth += 1 - a
                if depth < 1:
                    ok = False
                    break
            if ok and depth == 1:
                out.append("".join(word))
    return tuple(out)


def _operand_positions(arities: str) -> tuple[np.ndarray, np.ndarray]:
    """Token positions of each operator's operands (postfix stack of positions)."""
    n = len(arities)
    first = np.full(n, -1, dtype=np.int64)
    second = np.full(n, -1, dtype=np.int64)
    stack: list[int] = []
    for p, ch in enumerate(arities):
        if ch == "0":
            stack.append(p)
        elif ch == "1":
            first[p] = stack.pop()
            stack.append(p)
        else:
            second[p] = stack.pop()
            first[p] = stack.pop()
            stack.append(p)
    return first, second


def _parse_rpn(rpn: str, n_vars: int) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Token kinds, codes and the constants used; ValueError on malformed text."""
    if not isinstance(rpn, str):
        raise TypeError(f"rpn must be a str, got {type(rpn).__name__} ({rpn!r})")
    if len(rpn) == 0:
        raise ValueError("rpn must be a non-empty string of tokens, got ''")
    kinds, codes, consts = [], [], []
    depth = 0
    for pos, ch in enumerate(rpn):
        if ch in UNARY:
            kind, code, need = 1, UNARY.index(ch), 1
        elif ch in BINARY:
            kind, code, need = 2, BINARY.index(ch), 2
        elif ch.isdigit():
            value = int(ch)
            if value not in consts:
                consts.append(value)
            kind, code, need = 0, n_vars + consts.index(value), 0
        elif ch in _VARIABLES:
            code = _VARIABLES.index(ch)
            if code >= n_vars:
                raise ValueError(
                    f"rpn {rpn!r} uses variable {ch!r} at position {pos}, but X has only "
                    f"{n_vars} column(s) (variables 'a'..{_VARIABLES[max(n_vars - 1, 0)]!r})"
                )
            kind, need = 0, 0
        else:
            raise ValueError(
                f"rpn {rpn!r} has an unknown token {ch!r} at position {pos}; allowed: variables "
                f"a-z, digits 0-9, unary {''.join(UNARY)}, binary {''.join(BINARY)}"
            )
        if depth < need:
            raise ValueError(f"rpn {rpn!r} is malformed: token {ch!r} at position {pos} lacks operands")
        depth += 1 - need
        kinds.append(kind)
        codes.append(code)
    if depth != 1:
        raise ValueError(f"rpn {rpn!r} is malformed: it leaves {depth} values on the stack, not 1")
    return np.array(kinds, dtype=np.int64), np.array(codes, dtype=np.int64), consts


def _as_integer_matrix(name: str, value) -> np.ndarray:
    arr = as_integer_array(name, value, ndim=(1, 2), min_size=1)
    if arr.ndim == 1:
        arr = arr[:, None]
    if np.abs(arr).max() > 1e6:
        raise ValueError(f"{name} entries must lie in [-1e6, 1e6] (int64 range of length-6 "
                         f"expressions), got max |value| = {np.abs(arr).max():.6g}")
    return arr


def eval_rpn(rpn: str, X) -> np.ndarray:
    r"""Evaluate an RPN expression on every row of an integer matrix.

    Tokens are single characters: variable ``a`` is column 0 of ``X``, ``b``
    column 1, ...; a digit is that constant; operators as in :data:`UNARY`,
    :data:`BINARY`. ``p q %`` is the C remainder
    :math:`\operatorname{sign}(p)\,(|p| \bmod |q|)` with ``p % 0 = 1000``.
    Arithmetic is int64 (inputs are limited to :math:`|x| \le 10^6`, so
    expressions up to length 6 cannot overflow).

    Parameters
    ----------
    rpn : str
        The expression, e.g. ``"ab+4%"`` for :math:`(a + b) \bmod 4`.
    X : array_like of int, shape (n_rows, n_vars) or (n_rows,)

    Returns
    -------
    ndarray of int64, shape (n_rows,)

    Examples
    --------
    ``%`` keeps the sign of the dividend and maps a zero divisor to 1000:

    >>> from efttheory.synthesis import eval_rpn
    >>> X = [[3, 5], [-7, 4], [2, 0]]            # columns a, b
    >>> eval_rpn("ab%", X).tolist()
    [3, -3, 1000]
    >>> eval_rpn("ab+4%", X).tolist()             # (a + b) mod 4
    [0, -3, 2]
    """
    Xi = _as_integer_matrix("X", X)
    kinds, codes, consts = _parse_rpn(rpn, Xi.shape[1])
    leaves = np.empty((Xi.shape[1] + len(consts), Xi.shape[0]), dtype=np.int64)
    leaves[: Xi.shape[1]] = Xi.T
    for j, c in enumerate(consts):
        leaves[Xi.shape[1] + j] = c
    return _k.evaluate_postfix(kinds, codes, leaves)


_UNARY_INFIX = {
    ">": "({} + 1)", "<": "({} - 1)", "~": "(-{})", "H": "(({} > 0) * 1)",
    "D": "(({} == 0) * 1)", "A": "abs({})", "U": "({} + 100)", "V": "({} - 100)",
}
_BINARY_INFIX = {"+": "({} + {})", "*": "({} * {})", "-": "({} - {})", "%": "cmod({}, {})"}


def rpn_to_infix(rpn: str, names=None) -> str:
    r"""Rewrite an RPN expression as a Python expression.

    Parameters
    ----------
    rpn : str
        Expression as accepted by :func:`eval_rpn`.
    names : sequence of str, optional
        Python names of the variables ``a, b, ...`` (default: the letters
        themselves).

    Returns
    -------
    str
        Evaluates, with ``cmod(p, q)`` the C remainder (``cmod(p, 0) = 1000``),
        to :func:`eval_rpn`'s value; also element-wise on NumPy int arrays.

    Examples
    --------
    >>> from efttheory.synthesis import rpn_to_infix
    >>> rpn_to_infix("ab+4%")
    'cmod((a + b), 4)'
    >>> rpn_to_infix("ab-A"), rpn_to_infix("aH", names=["carry"])
    ('abs((a - b))', '(carry > 0) * 1')
    """
    n_vars = 1 + max((_VARIABLES.index(ch) for ch in str(rpn) if ch in _VARIABLES), default=-1)
    if names is not None:
        names = check_identifiers("names", names)
        if len(names) < n_vars:
            raise ValueError(f"names must be at least {n_vars} Python identifiers, got {names!r}")
    _parse_rpn(rpn, max(n_vars, 1))
    stack: list[str] = []
    for ch in rpn:
        if ch in UNARY:
            stack.append(_UNARY_INFIX[ch].format(stack.pop()))
        elif ch in BINARY:
            right = stack.pop()
            left = stack.pop()
            stack.append(_BINARY_INFIX[ch].format(left, right))
        elif ch.isdigit():
            stack.append(ch)
        else:
            stack.append(ch if names is None else names[_VARIABLES.index(ch)])
    text = stack[0]
    if text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1]
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0


# ----------------------------------------------------------------------------
# the search
# ----------------------------------------------------------------------------


def _candidate_rpn(arities: str, digits, n_vars: int, constants) -> str:
    out = []
    for ch, d in zip(arities, digits):
        if ch == "0":
            out.append(_VARIABLES[d] if d < n_vars else str(constants[d - n_vars]))
        elif ch == "1":
            out.append(UNARY[d])
        else:
            out.append(BINARY[d])
    return "".join(out)


def _check_constants(constants) -> tuple[int, ...]:
    try:
        values = tuple(constants)
    except TypeError:
        raise TypeError(f"constants must be a sequence of integers 0..9, got {constants!r}") from None
    for c in values:
        if isinstance(c, (bool, np.bool_)) or not isinstance(c, numbers.Integral) or not 0 <= c <= 9:
            raise ValueError(f"constants must be distinct integers in [0, 9], got {values!r}")
    if len(set(values)) != len(values):
        raise ValueError(f"constants must be distinct integers in [0, 9], got {values!r}")
    return tuple(int(c) for c in values)


def integer_symbolic_regression(X, y, *, max_len: int = 6, n_check: int = 25, tol: float = 1e-4,
                                constants=CONSTANTS) -> SymbolicFit | None:
    r"""Shortest-first search for an integer formula :math:`y = F(X)`.

    Templates from :func:`arity_templates` are scanned in order and every
    candidate of a template in odometer order. A candidate is *screened* by
    :math:`\frac1m \sum_{r<m} (F(X_r) - y_r)^2 < \mathrm{tol}` on the first
    :math:`m = \min(n_\text{check}, N)` rows [authors' code] and *accepted* only
    if it reproduces all :math:`N` rows exactly [ours].

    Parameters
    ----------
    X : array_like of int, shape (N, n_vars) or (N,)
        Relation inputs, :math:`|X| \le 10^6`; variables are named ``a, b, ...``
        after the columns (at most 26).
    y : array_like of int, shape (N,)
        Relation targets (integers), :math:`|y| < 2^{53}` so that every row is checked exactly.
    max_len : int
        Longest expression, 1..8 (6 in the paper).
    n_check : int
        Rows used for screening (25 in the paper), >= 1.
    tol : float
        Screening threshold on the mean squared error, > 0.
    constants : sequence of int
        Constant leaves, distinct digits 0..9 (default :data:`CONSTANTS`).

    Returns
    -------
    SymbolicFit or None
        ``None`` when no expression up to ``max_len`` fits every row.

    Notes
    -----
    Cost: :math:`\sum_\text{templates} n_\text{leaf}^\ell 8^u 4^b` candidates,
    about :math:`2.6 \times 10^5` for the longest length-6 template with eight
    leaf symbols.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.synthesis import integer_symbolic_regression
    >>> X = np.random.default_rng(0).integers(-5, 6, size=(40, 3))  # columns a, b, c
    >>> integer_symbolic_regression(X, X[:, 0] * X[:, 1] + X[:, 2])
    SymbolicFit('cab*+' = c + (a * b), tried=6246)
    """
    Xi = _as_integer_matrix("X", X)
    if Xi.shape[1] > len(_VARIABLES):
        raise ValueError(f"X must have at most {len(_VARIABLES)} columns, got {Xi.shape[1]}")
    yy = as_finite_array("y", y, ndim=1)
    if yy.shape[0] != Xi.shape[0]:
        raise ValueError(f"y must have one entry per row of X ({Xi.shape[0]}), got shape {yy.shape}")
    if not np.all(yy == np.round(yy)):
        raise ValueError("y must hold integers (lattice coordinates or task outputs); got non-integer values")
    if yy.size and float(np.max(np.abs(yy))) >= 2.0**53:
        raise ValueError(f"y must satisfy |y| < 2**53, got max |y| = {float(np.max(np.abs(yy))):.6g}: larger "
                         "integers are not exact in float64, so a formula could not be checked row by row")
    max_len = check_integer("max_len", max_len, minimum=1, maximum=_MAX_SEARCH_LEN)
    n_check = check_integer("n_check", n_check, minimum=1)
    tol = check_finite_scalar("tol", tol)
    if tol <= 0:
        raise ValueError(f"tol must be > 0, got {tol}")
    consts = _check_constants(constants)

    n_vars = Xi.shape[1]
    n_leaves = n_vars + len(consts)
    leaves = np.empty((n_leaves, Xi.shape[0]), dtype=np.int64)
    leaves[:n_vars] = Xi.T
    for j, c in enumerate(consts):
        leaves[n_vars + j] = c
    target = np.ascontiguousarray(yy, dtype=np.float64)
    tried = 0
    for arities in arity_templates(max_len):
        kinds = np.array([int(ch) for ch in arities], dtype=np.int64)
        first, second = _operand_positions(arities)
        found, digits, count = _k.search_template(kinds, first, second, n_leaves, leaves, target,
                                                  n_check, tol)
        tried += int(count)
        if found:
            rpn = _candidate_rpn(arities, digits.tolist(), n_vars, consts)
            return SymbolicFit(rpn=rpn, infix=rpn_to_infix(rpn), candidates_tried=tried)
    return None


# ----------------------------------------------------------------------------
# lattice programs
# ----------------------------------------------------------------------------


def _distinct_rows(rows: np.ndarray) -> np.ndarray:
    """Distinct rows in order of first appearance."""
    _, first = np.unique(rows, axis=0, return_index=True)
    return rows[np.sort(first)]


def symbolic_lattice_program(rel, lattice, *, z0=None, max_len: int = 6, n_check: int = 25,
                             tol: float = 1e-4, constants=CONSTANTS) -> SymbolicProgram | None:
    r"""Fit every lattice coordinate's update and the read-out symbolically.

    For coordinate :math:`i` the relation rows are
    :math:`(z_{T-1}^{(1..H)}, x_T^{(1..D)}) \mapsto z_T^{(i)}` and for the
    read-out :math:`z_T^{(1..H)} \mapsto y_T^{(o)}`. Each relation is
    deduplicated (order of first appearance kept) and passed to
    :func:`integer_symbolic_regression`. If some relation has no formula, the
    :math:`2^H` parity-flip patterns :math:`z_i \to \max_i - z_i` are tried in
    turn [authors' code] (no flip first, then ``itertools.product`` order).

    Preconditions (authors' code): :math:`H \le 2` and :math:`H + D \le 6`;
    otherwise ``None`` is returned. A relation whose rows contradict each other
    (same inputs, different targets) cannot be fitted and also yields ``None``.

    Parameters
    ----------
    rel : LatticeRelations
        ``rel.state[i]`` integer rows of shape (n, H + D + 1) -- previous
        coordinates, inputs, then the new coordinate ``i``; ``rel.output``
        integer rows of shape (n, H + O) -- coordinates, then the outputs.
    lattice : Lattice
        The lattice (``basis`` (H, H), ``offset`` (H,), ``Z``, ``Z_prev``): used
        for :math:`\max_i` and the default initial coordinates.
    z0 : array_like of int, shape (H,), optional
        Initial coordinates in the unflipped frame. Default
        :math:`\operatorname{round}(-b A^{-1})`, the coordinates of
        :math:`h = 0`; the pipeline tries other rounding patterns
        (``initial_state_candidates``) through this argument.
    max_len, n_check, tol, constants
        Passed to :func:`integer_symbolic_regression`.

    Returns
    -------
    SymbolicProgram or None

    Examples
    --------
    Hidden states of a counter modulo 3, :math:`z_t = (z_{t-1} + x_t) \bmod 3`, stored at
    :math:`h = 0.37\, z`: the lattice is found, then the update and the read-out as formulas.

    >>> import numpy as np
    >>> from efttheory.synthesis import best_lattice, lattice_relations, symbolic_lattice_program
    >>> x = np.random.default_rng(0).integers(0, 3, size=(200, 6))
    >>> z = np.cumsum(x, axis=1) % 3
    >>> h = 0.37 * z[..., None]                                     # states h_1 .. h_6
    >>> lattice = best_lattice(h[:, -1], h[:, -2], x[:, -1], rng=0)
    >>> rel = lattice_relations(lattice, x[:, -1], z[:, -1])
    >>> sp = symbolic_lattice_program(rel, lattice)
    >>> sp
    SymbolicProgram(next=[ab+3%], output=[a], z0=[0], flips=(False,))
    >>> sp.next_fits[0].infix                                       # a = z_{t-1}, b = x_t
    'cmod((a + b), 3)'
    """
    for name, value, fields, kind in (("rel", rel, ("state", "output"), "LatticeRelations"),
                                      ("lattice", lattice, ("basis", "offset"), "Lattice")):
        if not all(hasattr(value, f) for f in fields):
            raise TypeError(f"{name} must be a {kind} (with {' and '.join(fields)}), got {type(value).__name__}")
    basis = as_finite_array("lattice.basis", lattice.basis, ndim=2)
    H = basis.shape[0]
    if basis.shape != (H, H):
        raise ValueError(f"lattice.basis must be square (H, H), got shape {basis.shape}")
    offset = as_finite_array("lattice.offset", lattice.offset, shape=(H,))
    state = tuple(rel.state)
    if len(state) != H:
        raise ValueError(f"rel.state must hold one table per lattice coordinate (H = {H}), got {len(state)}")
    tables = [_as_integer_matrix(f"rel.state[{i}]", t) for i, t in enumerate(state)]
    width = tables[0].shape[1]
    D = width - H - 1
    if D < 0 or any(t.shape[1] != width for t in tables):
        raise ValueError(f"rel.state tables must all have H + D + 1 columns with D >= 0 (H = {H}), "
                         f"got widths {[t.shape[1] for t in tables]}")
    output = _as_integer_matrix("rel.output", rel.output)
    O = output.shape[1] - H
    if O < 1:
        raise ValueError(f"rel.output must have H + O columns with O >= 1 (H = {H}), got {output.shape[1]}")
    if z0 is None:
        z_start = np.round(-offset @ np.linalg.inv(basis)).astype(np.int64)
    else:
        z_start = _as_integer_matrix("z0", np.reshape(z0, -1))[:, 0]
        if z_start.shape != (H,):
            raise ValueError(f"z0 must have shape ({H},), got {z_start.shape}")
    if H > 2 or H + D > 6:
        return None

    blocks = [np.round(np.asarray(lattice.Z, dtype=np.float64)).reshape(-1, H),
              np.round(np.asarray(lattice.Z_prev, dtype=np.float64)).reshape(-1, H),
              output[:, :H].astype(np.float64)] + [t[:, :H].astype(np.float64) for t in tables]
    top = np.max(np.concatenate(blocks, axis=0), axis=0).astype(np.int64)
    for i, t in enumerate(tables):
        top[i] = max(top[i], int(t[:, -1].max()))

    options = dict(max_len=max_len, n_check=n_check, tol=tol, constants=constants)
    for flips in itertools.product((False, True), repeat=H):
        sign = np.array([-1 if f else 1 for f in flips], dtype=np.int64)
        shift = np.array([t if f else 0 for f, t in zip(flips, top)], dtype=np.int64)
        fits_next = []
        for i, table in enumerate(tables):
            t = table.copy()
            t[:, :H] = shift + sign * t[:, :H]
            t[:, -1] = shift[i] + sign[i] * t[:, -1]
            t = _distinct_rows(t)
            fit = integer_symbolic_regression(t[:, :-1], t[:, -1], **options)
            if fit is None:
                break
            fits_next.append(fit)
        if len(fits_next) < H:
            continue
        fits_out = []
        out = output.copy()
        out[:, :H] = shift + sign * out[:, :H]
        for o in range(O):
            t = _distinct_rows(np.concatenate([out[:, :H], out[:, H + o:H + o + 1]], axis=1))
            fit = integer_symbolic_regression(t[:, :-1], t[:, -1], **options)
            if fit is None:
                break
            fits_out.append(fit)
        if len(fits_out) < O:
            continue
        z_flipped = shift + sign * z_start
        z_flipped.setflags(write=False)
        return SymbolicProgram(next_fits=tuple(fits_next), output_fits=tuple(fits_out),
                               z0=z_flipped, flips=tuple(bool(f) for f in flips))
    return None
