"""Numba kernels for the lottery-ticket analysis of two-layer networks.

Private module: the public functions in :mod:`efttheory.scaling.lottery`
validate their arguments and call these kernels on contiguous float64 arrays.
Every kernel has a plain-NumPy twin in the test-suite and runs unchanged under
``NUMBA_DISABLE_JIT=1``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "optimal_assignment",
    "reflection_partner_flags",
    "symmetric_pair_count",
    "symmetric_pair_indices",
]


@njit(cache=True)
def _is_reflection_pair(wi, bi, vi, wj, bj, vj, rtol):
    """True when (wj, bj, vj) is within ``rtol`` of the reflection (-wi, bi, vi)."""
    gap = max(abs(wi + wj), max(abs(bi - bj), abs(vi - vj)))
    scale = max(max(abs(wi), abs(wj)), max(max(abs(bi), abs(bj)), max(abs(vi), abs(vj))))
    return gap < rtol * scale


@njit(cache=True)
def symmetric_pair_count(w, b, v, rtol):
    """Number of index pairs i < j that are reflection pairs."""
    n = w.shape[0]
    count = 0
    for i in range(n):
        for j in range(i + 1, n):
            if _is_reflection_pair(w[i], b[i], v[i], w[j], b[j], v[j], rtol):
                count += 1
    return count


@njit(cache=True)
def symmetric_pair_indices(w, b, v, rtol, count):
    """All reflection pairs (i, j), i < j, in lexicographic order; shape (count, 2)."""
    n = w.shape[0]
    out = np.empty((count, 2), dtype=np.int64)
    k = 0
    for i in range(n):
        for j in range(i + 1, n):
            if _is_reflection_pair(w[i], b[i], v[i], w[j], b[j], v[j], rtol):
                out[k, 0] = i
                out[k, 1] = j
                k += 1
    return out


@njit(cache=True)
def reflection_partner_flags(w, b, v, rtol):
    """flags[i] is True when neuron i has at least one reflection partner j != i."""
    n = w.shape[0]
    flags = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if flags[i]:
            continue
        for j in range(n):
            if j != i and _is_reflection_pair(w[i], b[i], v[i], w[j], b[j], v[j], rtol):
                flags[i] = True
                flags[j] = True
                break
    return flags


@njit(cache=True)
def optimal_assignment(cost):
    """Minimum-cost perfect matching of a square cost matrix (Hungarian method).

    Shortest-augmenting-path form with row and column potentials: rows are
    inserted one at a time, and each insertion runs a Dijkstra-like search over
    reduced costs ``cost[i, j] - row_pot[i] - col_pot[j]`` (kept non-negative)
    until it reaches a free column, then flips the alternating path. Total work
    O(n^3), memory O(n).

    Parameters
    ----------
    cost : ndarray, shape (n, n), float64
        Finite costs.

    Returns
    -------
    ndarray, shape (n,), int64
        ``col[i]`` is the column matched to row ``i``.

    Raises
    ------
    ValueError
        If ``cost`` is not square or holds NaN or infinite entries, or if the
        reduced costs overflow (entries near the float64 limit); without these
        checks the search would never find a free column and loop forever.
    """
    n = cost.shape[0]
    if cost.shape[1] != n:
        raise ValueError("cost must be a square matrix")
    for i in range(n):
        for j in range(n):
            if not np.isfinite(cost[i, j]):
                raise ValueError("cost must be finite; it holds NaN or infinite entries")
    inf = np.inf
    # index 0 is a virtual column/row used as the root of every search
    row_pot = np.zeros(n + 1)
    col_pot = np.zeros(n + 1)
    row_of_col = np.zeros(n + 1, dtype=np.int64)  # 1-based row matched to column, 0 = free
    previous = np.zeros(n + 1, dtype=np.int64)
    slack = np.empty(n + 1)
    visited = np.empty(n + 1, dtype=np.bool_)
    for row in range(1, n + 1):
        row_of_col[0] = row
        col = 0
        for j in range(n + 1):
            slack[j] = inf
            visited[j] = False
        while True:
            visited[col] = True
            i = row_of_col[col]
            step = inf
            next_col = 0
            for j in range(1, n + 1):
                if not visited[j]:
                    reduced = cost[i - 1, j - 1] - row_pot[i] - col_pot[j]
                    if reduced < slack[j]:
                        slack[j] = reduced
                        previous[j] = col
                    if slack[j] < step:
                        step = slack[j]
                        next_col = j
            for j in range(n + 1):
                if visited[j]:
                    row_pot[row_of_col[j]] += step
                    col_pot[j] -= step
                else:
                    slack[j] -= step
            if next_col == 0:
                # no unvisited column has a finite reduced cost: only possible when the
                # potentials overflowed; stop instead of searching forever
                raise ValueError("cost entries are too large: the reduced costs overflow float64")
            col = next_col
            if row_of_col[col] == 0:
                break
        # flip the alternating path back to the root
        while col != 0:
            back = previous[col]
            row_of_col[col] = row_of_col[back]
            col = back
    assignment = np.empty(n, dtype=np.int64)
    for j in range(1, n + 1):
        assignment[row_of_col[j] - 1] = j - 1
    return assignment
