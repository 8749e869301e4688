"""Numba kernels for integer symbolic regression over reverse-Polish templates.

Private module: :mod:`efttheory.synthesis.symreg` validates arguments, turns a
template into the arrays used here and wraps the results. Token kinds are
``0`` leaf, ``1`` unary, ``2`` binary. Unary codes follow ``symreg.UNARY``
(``> < ~ H D A U V``), binary codes follow ``symreg.BINARY`` (``+ * - %``).
Every kernel has a plain-Python twin in the test-suite.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["c_modulus", "evaluate_postfix", "search_template"]

#: Value of ``p % 0`` in the authors' C++ search.
MOD_BY_ZERO = 1000


@njit(cache=True)
def c_modulus(a, b):
    """C integer remainder: the sign of the dividend, and ``a % 0 = 1000``."""
    if b == 0:
        return MOD_BY_ZERO
    r = abs(a) % abs(b)
    if a < 0:
        return -r
    return r


@njit(cache=True)
def _unary(op, v):
    if op == 0:
        return v + 1
    if op == 1:
        return v - 1
    if op == 2:
        return -v
    if op == 3:
        return 1 if v > 0 else 0
    if op == 4:
        return 1 if v == 0 else 0
    if op == 5:
        return abs(v)
    if op == 6:
        return v + 100
    return v - 100


@njit(cache=True)
def _binary(op, a, b):
    if op == 0:
        return a + b
    if op == 1:
        return a * b
    if op == 2:
        return a - b
    return c_modulus(a, b)


@njit(cache=True)
def evaluate_postfix(kinds, codes, leaf_values):
    """Evaluate one postfix program on every row.

    Parameters
    ----------
    kinds, codes : int64 arrays, shape (n_tokens,)
        Token kind (0 leaf, 1 unary, 2 binary) and its code (leaf row of
        ``leaf_values``, unary or binary operator index).
    leaf_values : int64 array, shape (n_leaves, n_rows)
        Values of every leaf symbol on every row.

    Returns
    -------
    int64 array, shape (n_rows,)
    """
    n = kinds.shape[0]
    n_rows = leaf_values.shape[1]
    stack = np.empty((n, n_rows), dtype=np.int64)
    top = 0
    for p in range(n):
        k = kinds[p]
        c = codes[p]
        if k == 0:
            for r in range(n_rows):
                stack[top, r] = leaf_values[c, r]
            top += 1
        elif k == 1:
            for r in range(n_rows):
                stack[top - 1, r] = _unary(c, stack[top - 1, r])
        else:
            for r in range(n_rows):
                stack[top - 2, r] = _binary(c, stack[top - 2, r], stack[top - 1, r])
            top -= 1
    out = np.empty(n_rows, dtype=np.int64)
    for r in range(n_rows):
        out[r] = stack[0, r]
    return out


@njit(cache=True)
def _evaluate_tree(kinds, first_arg, second_arg, digits, leaf_values, n_rows, values, first):
    """Fill ``values[p, :n_rows]`` for every token ``p >= first`` of a fixed candidate."""
    n = kinds.shape[0]
    for p in range(first, n):
        k = kinds[p]
        d = digits[p]
        if k == 0:
            for r in range(n_rows):
                values[p, r] = leaf_values[d, r]
        elif k == 1:
            a = first_arg[p]
            for r in range(n_rows):
                values[p, r] = _unary(d, values[a, r])
        else:
            a = first_arg[p]
            b = second_arg[p]
            for r in range(n_rows):
                values[p, r] = _binary(d, values[a, r], values[b, r])


@njit(cache=True)
def search_template(kinds, first_arg, second_arg, n_leaves, leaf_values, target, n_check, tol):
    r"""Enumerate every candidate of one arity template, in odometer order.

    Candidate digits run over ``n_leaves`` leaf symbols, 8 unary and 4 binary
    operators; the last token varies fastest. A candidate is screened by
    :math:`\frac1m\sum_{r<m}(v_r - y_r)^2 < \mathrm{tol}` on the first
    ``m = min(n_check, n_rows)`` rows and accepted only if it also reproduces
    every row exactly. Only the tokens from the first changed digit onwards are
    recomputed (postfix order puts every operand before its operator).

    Parameters
    ----------
    kinds : int64 array, shape (n,)
        Token kinds of the template.
    first_arg, second_arg : int64 arrays, shape (n,)
        Token positions of each operator's operands (unary: ``first_arg``;
        binary: ``first_arg`` op ``second_arg``); unused entries are ignored.
    n_leaves : int
        Number of leaf symbols (variables then constants).
    leaf_values : int64 array, shape (n_leaves, n_rows)
    target : float64 array, shape (n_rows,)
    n_check : int
    tol : float

    Returns
    -------
    found : bool
    digits : int64 array, shape (n,)
        The accepted candidate's digits (meaningful when ``found``).
    tried : int
        Candidates enumerated, the accepted one included.
    """
    n = kinds.shape[0]
    n_rows = target.shape[0]
    m = min(n_check, n_rows)
    radix = np.empty(n, dtype=np.int64)
    for p in range(n):
        if kinds[p] == 0:
            radix[p] = n_leaves
        elif kinds[p] == 1:
            radix[p] = 8
        else:
            radix[p] = 4
    digits = np.zeros(n, dtype=np.int64)
    values = np.empty((n, m), dtype=np.int64)
    full = np.empty((n, n_rows), dtype=np.int64)
    limit = tol * m
    first = 0
    tried = 0
    while True:
        _evaluate_tree(kinds, first_arg, second_arg, digits, leaf_values, m, values, first)
        tried += 1
        s = 0.0
        ok = True
        for r in range(m):
            e = values[n - 1, r] - target[r]
            s += e * e
            if not s < limit:
                ok = False
                break
        if ok:
            _evaluate_tree(kinds, first_arg, second_arg, digits, leaf_values, n_rows, full, 0)
            exact = True
            for r in range(n_rows):
                if full[n - 1, r] != target[r]:
                    exact = False
                    break
            if exact:
                return True, digits, tried
        p = n - 1
        while p >= 0:
            digits[p] += 1
            if digits[p] < radix[p]:
                break
            digits[p] = 0
            p -= 1
        if p < 0:
            return False, digits, tried
        first = p
