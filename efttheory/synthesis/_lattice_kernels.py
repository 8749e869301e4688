"""Numba kernels for lattice basis reduction (rows of ``A`` are the basis vectors).

Private: the public, checked functions are :func:`efttheory.synthesis.lattice.size_reduce`
and :func:`efttheory.synthesis.lattice.lll_reduce`.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def size_reduce_kernel(A, sweeps):
    """Pairwise size reduction ``a_j <- a_j - round(<a_j, a_i>/|a_i|^2) a_i`` (j != i).

    At most ``sweeps`` passes over all ordered pairs, stopping early when nothing changes;
    then every row is flipped to a non-negative coordinate sum. Works in place on a copy.
    """
    B = A.copy()
    n = B.shape[0]
    for _ in range(sweeps):
        changed = False
        for i in range(n):
            ni = 0.0
            for k in range(B.shape[1]):
                ni += B[i, k] * B[i, k]
            if ni == 0.0:
                continue
            for j in range(n):
                if j == i:
                    continue
                dot = 0.0
                for k in range(B.shape[1]):
                    dot += B[j, k] * B[i, k]
                q = np.round(dot / ni)
                if q != 0.0:
                    changed = True
                    for k in range(B.shape[1]):
                        B[j, k] -= q * B[i, k]
        if not changed:
            break
    for i in range(n):
        s = 0.0
        for k in range(B.shape[1]):
            s += B[i, k]
        if s < 0.0:
            for k in range(B.shape[1]):
                B[i, k] = -B[i, k]
    return B


@njit(cache=True)
def _gram_schmidt(B):
    n, d = B.shape
    Bs = np.zeros((n, d))
    mu = np.zeros((n, n))
    for i in range(n):
        for k in range(d):
            Bs[i, k] = B[i, k]
        for j in range(i):
            nj = 0.0
            dot = 0.0
            for k in range(d):
                nj += Bs[j, k] * Bs[j, k]
                dot += B[i, k] * Bs[j, k]
            mu[i, j] = dot / nj if nj > 0.0 else 0.0
            for k in range(d):
                Bs[i, k] -= mu[i, j] * Bs[j, k]
    return Bs, mu


@njit(cache=True)
def lll_kernel(A, delta, max_iter):
    """Lenstra-Lenstra-Lovasz reduction of the rows of ``A`` (textbook form).

    Returns the reduced basis and the number of iterations; ``-1`` iterations signals
    that ``max_iter`` was exhausted.
    """
    B = A.copy()
    n, d = B.shape
    Bs, mu = _gram_schmidt(B)
    k = 1
    it = 0
    while k < n:
        it += 1
        if it > max_iter:
            return B, -1
        for j in range(k - 1, -1, -1):
            q = np.round(mu[k, j])
            if q != 0.0:
                for c in range(d):
                    B[k, c] -= q * B[j, c]
                Bs, mu = _gram_schmidt(B)
        nk = 0.0
        nk1 = 0.0
        for c in range(d):
            nk += Bs[k, c] * Bs[k, c]
            nk1 += Bs[k - 1, c] * Bs[k - 1, c]
        if nk >= (delta - mu[k, k - 1] ** 2) * nk1:
            k += 1
        else:
            for c in range(d):
                tmp = B[k, c]
                B[k, c] = B[k - 1, c]
                B[k - 1, c] = tmp
            Bs, mu = _gram_schmidt(B)
            k = max(k - 1, 1)
    return B, it
