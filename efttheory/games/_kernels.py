"""Numba kernels of the equilibrium machinery.

Private module: the public functions of :mod:`efttheory.games` validate their
arguments and call these kernels on contiguous float64/int64 arrays. Kernels
fill preallocated output arrays and return counts, except support enumeration,
which grows its own output array and returns it (none is a generator, so
``cache=True`` works and a cold machine compiles each kernel once). Every
kernel has a plain-NumPy twin in the test-suite.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "backward_induction",
    "bernstein_to_power",
    "finalize_vertex_pairs",
    "polytope_labels",
    "lemke_howson_kernel",
    "match_complementary_labels",
    "match_labels",
    "polish_root",
    "payoff_scale",
    "pure_nash_flags",
    "sort_equilibria",
    "support_enumeration_kernel",
    "tullock_stage_payoffs",
]


@njit(cache=True)
def pure_nash_flags(flat, shape, tol, flags):
    """Mark the pure Nash equilibria of an n-player game.

    ``flat`` has shape (prod(shape), N): row = profile index in C order, column =
    player. ``flags[idx]`` is set to 1 when no player gains more than ``tol`` by a
    unilateral deviation. Returns the number of equilibria.
    """
    n_profiles = flat.shape[0]
    n_players = shape.shape[0]
    strides = np.empty(n_players, dtype=np.int64)
    s = 1
    for i in range(n_players - 1, -1, -1):
        strides[i] = s
        s *= shape[i]
    count = 0
    for idx in range(n_profiles):
        ok = True
        for i in range(n_players):
            a_i = (idx // strides[i]) % shape[i]
            base = idx - a_i * strides[i]
            here = flat[idx, i]
            for b in range(shape[i]):
                if flat[base + b * strides[i], i] > here + tol:
                    ok = False
                    break
            if not ok:
                break
        flags[idx] = 1 if ok else 0
        if ok:
            count += 1
    return count


@njit(cache=True)
def payoff_scale(A, B):
    """max(1, max|A|, max|B|), or -1.0 when an entry is NaN or infinite."""
    out = 1.0
    for M in (A, B):
        for i in range(M.shape[0]):
            for j in range(M.shape[1]):
                v = M[i, j]
                if not np.isfinite(v):
                    return -1.0
                out = max(out, abs(v))
    return out


@njit(cache=True)
def _solve_block(M, rhs, sol, s, pivot_tol):
    """Gaussian elimination with partial pivoting on the leading ``s`` x ``s`` block of ``M``.

    ``M`` and ``rhs`` are overwritten; the solution goes to ``sol[:s]``. Working
    on a block of one preallocated scratch matrix keeps the support loop free of
    allocations and array views. Returns False when a pivot is below
    ``pivot_tol`` (singular system).
    """
    for col in range(s):
        best = col
        best_val = abs(M[col, col])
        for row in range(col + 1, s):
            v = abs(M[row, col])
            if v > best_val:
                best_val = v
                best = row
        if best_val <= pivot_tol:
            return False
        if best != col:
            for c in range(col, s):
                tmp = M[col, c]
                M[col, c] = M[best, c]
                M[best, c] = tmp
            tmp = rhs[col]
            rhs[col] = rhs[best]
            rhs[best] = tmp
        inv = 1.0 / M[col, col]
        for row in range(col + 1, s):
            f = M[row, col] * inv
            if f != 0.0:
                for c in range(col + 1, s):
                    M[row, c] -= f * M[col, c]
                rhs[row] -= f * rhs[col]
    for row in range(s - 1, -1, -1):
        acc = rhs[row]
        for c in range(row + 1, s):
            acc -= M[row, c] * sol[c]
        sol[row] = acc / M[row, row]
    return True


@njit(cache=True)
def _next_subset(idx, k, n):
    """Advance the sorted indices ``idx[:k]`` to the next k-subset of range(n) (lexicographic)."""
    i = k - 1
    while i >= 0 and idx[i] == n - k + i:
        i -= 1
    if i < 0:
        return False
    idx[i] += 1
    for j in range(i + 1, k):
        idx[j] = idx[j - 1] + 1
    return True


@njit(cache=True)
def _finalize_pair(A, B, x, y, pay, k):
    """Payoffs (u, v) and regret of the profile (x, y); stores them in ``pay[k]``; returns the regret."""
    m, n = A.shape
    u = 0.0
    best_row = -np.inf
    for i in range(m):
        acc = 0.0
        for j in range(n):
            acc += A[i, j] * y[j]
        u += x[i] * acc
        best_row = max(best_row, acc)
    v = 0.0
    best_col = -np.inf
    for j in range(n):
        acc = 0.0
        for i in range(m):
            acc += B[i, j] * x[i]
        v += y[j] * acc
        best_col = max(best_col, acc)
    pay[k, 0] = u
    pay[k, 1] = v
    return max(0.0, max(best_row - u, best_col - v))


@njit(cache=True)
def _row_mix_witness(B, I, k, sol, tol):
    """True if the row mix ``sol[:k]`` on rows ``I`` has more pure best responses among the
    columns of ``B`` than positive probabilities (its indifference value is ``sol[k]``).
    The column player's twin is the same test on ``A.T`` with the column support."""
    positive = 0
    for t in range(k):
        if sol[t] < -tol:
            return False
        if sol[t] > tol:
            positive += 1
    v = sol[k]
    tied = 0
    for j in range(B.shape[1]):
        acc = 0.0
        for t in range(k):
            acc += B[I[t], j] * sol[t]
        if acc > v + tol:
            return False
        if acc >= v - tol:
            tied += 1
    return tied > positive


#: Strategy entries closer than this are tied when equilibria are ordered.
SORT_TIE = 1e-12

#: Ratios within this (relative, floor 1) tie in the lexicographic ratio test of Lemke-Howson.
LEX_RATIO_TOL = 1e-10

# the positive normal float64 range: a strength ratio outside it has over- or underflowed
_FLOAT_TINY = float(np.finfo(np.float64).tiny)
_FLOAT_MAX = float(np.finfo(np.float64).max)


@njit(cache=True)
def _lex_greater(out, a, b, width, tie):
    """Whether row ``a`` of ``out`` is lexicographically greater than row ``b`` (first ``width``
    columns); entries within ``tie`` of each other count as equal."""
    for c in range(width):
        if out[a, c] > out[b, c] + tie:
            return True
        if out[a, c] < out[b, c] - tie:
            return False
    return False


@njit(cache=True)
def sort_equilibria(out, count, width, dedupe, atol):
    """Order the first ``count`` rows of ``out`` by their first ``width`` entries, descending.

    Stable insertion sort; entries within :data:`SORT_TIE` count as equal, so
    round-off does not decide the order (equal keys keep their order). With ``dedupe``, a row
    within ``atol`` (max norm on those entries) of an earlier kept row is
    dropped. Rows are rearranged in place; returns the number kept.
    """
    tmp = np.empty(out.shape[1])
    for a in range(1, count):
        b = a
        while b > 0 and _lex_greater(out, a, b - 1, width, SORT_TIE):
            b -= 1
        if b < a:
            tmp[:] = out[a]
            for r in range(a, b, -1):
                out[r] = out[r - 1]
            out[b] = tmp
    if not dedupe:
        return count
    kept = 0
    for a in range(count):
        duplicate = False
        for b in range(kept):
            gap = 0.0
            for c in range(width):
                gap = max(gap, abs(out[a, c] - out[b, c]))
            if gap <= atol:
                duplicate = True
                break
        if not duplicate:
            if kept < a:
                out[kept] = out[a]
            kept += 1
    return kept


@njit(cache=True)
def support_enumeration_kernel(A, B, tol_prob, tol_br, tol_deg, regret_max, dedupe_atol):
    """All equilibria of a bimatrix game on equal-size support pairs, plus a degeneracy test.

    For each row support I and column support J of size k (lexicographic order,
    k = 1, 2, ...), solve for the k + 1 unknowns (y_J, v) of A[I, J] y = v,
    sum y = 1 and (x_I, u) of B[I, J]^T x = u, sum x = 1. The payoff unknown is
    eliminated first (rows minus the first row: a k x k system with partial
    pivoting on one preallocated scratch block, then v = A[I_0, J] y); pure
    pairs (k = 1) need no solve. Accept when support probabilities exceed
    ``-tol_prob`` (then clipped and renormalised) and no pure strategy off the
    support pays more than the equilibrium payoff plus ``tol_br``. Accepted
    profiles whose regret exceeds ``regret_max`` are dropped; the rest are
    sorted by :func:`sort_equilibria` (deduplicated within ``dedupe_atol`` when
    the game is degenerate). The degeneracy scan runs in the same pass, on the
    same solved mixes.

    Returns ``(rows, degenerate)``: row r of ``rows`` (shape (count, m + n + 3))
    holds x, y, the payoffs (u, v) and the regret. ``degenerate`` is True when
    some solved mix has more pure best responses (within ``tol_deg``) than
    positive probabilities. A degenerate witness x with support k solves the
    system of (I, J) for any k columns J of its best-response set, so the scan
    finds it unless all those systems are singular.
    """
    m, n = A.shape
    kmax = min(m, n)
    width = m + n
    M = np.empty((kmax, kmax))
    rhs = np.empty(kmax)
    soly = np.empty(kmax + 1)
    solx = np.empty(kmax + 1)
    x = np.zeros(m)
    y = np.zeros(n)
    I = np.empty(kmax, dtype=np.int64)
    J = np.empty(kmax, dtype=np.int64)
    pay = np.empty((1, 2))
    out = np.empty((16, width + 3))
    count = 0
    degenerate = False
    for k in range(1, kmax + 1):
        for t in range(k):
            I[t] = t
        while True:
            for t in range(k):
                J[t] = t
            while True:
                if k == 1:
                    # pure pair: the only mix is the action itself, worth its payoff
                    soly[0] = 1.0
                    soly[1] = A[I[0], J[0]]
                    solx[0] = 1.0
                    solx[1] = B[I[0], J[0]]
                    oky = True
                    okx = True
                else:
                    # (y_J, v): rows I[1:] minus row I[0] pay zero against the column mix, sum y = 1
                    for r in range(k - 1):
                        for c in range(k):
                            M[r, c] = A[I[r + 1], J[c]] - A[I[0], J[c]]
                        rhs[r] = 0.0
                    for c in range(k):
                        M[k - 1, c] = 1.0
                    rhs[k - 1] = 1.0
                    oky = _solve_block(M, rhs, soly, k, 1e-14)
                    if oky:
                        v = 0.0
                        for c in range(k):
                            v += A[I[0], J[c]] * soly[c]
                        soly[k] = v
                    # (x_I, u): columns J[1:] minus column J[0] pay zero against the row mix, sum x = 1
                    for r in range(k - 1):
                        for c in range(k):
                            M[r, c] = B[I[c], J[r + 1]] - B[I[c], J[0]]
                        rhs[r] = 0.0
                    for c in range(k):
                        M[k - 1, c] = 1.0
                    rhs[k - 1] = 1.0
                    okx = _solve_block(M, rhs, solx, k, 1e-14)
                    if okx:
                        u = 0.0
                        for c in range(k):
                            u += B[I[c], J[0]] * solx[c]
                        solx[k] = u
                if not degenerate:
                    if okx and _row_mix_witness(B, I, k, solx, tol_deg):
                        degenerate = True
                    elif oky and _row_mix_witness(A.T, J, k, soly, tol_deg):
                        degenerate = True
                ok = oky and okx
                if ok:
                    for t in range(k):
                        if soly[t] < -tol_prob or solx[t] < -tol_prob:
                            ok = False
                            break
                if ok:
                    ty = 0.0
                    tx = 0.0
                    for t in range(k):
                        ty += max(soly[t], 0.0)
                        tx += max(solx[t], 0.0)
                    ok = ty > 0.0 and tx > 0.0
                if ok:
                    for t in range(k):
                        y[J[t]] = max(soly[t], 0.0) / ty
                        x[I[t]] = max(solx[t], 0.0) / tx
                    v = soly[k] + tol_br
                    for i in range(m):
                        acc = 0.0
                        for t in range(k):
                            acc += A[i, J[t]] * y[J[t]]
                        if acc > v:
                            ok = False
                            break
                    if ok:
                        u = solx[k] + tol_br
                        for j in range(n):
                            acc = 0.0
                            for t in range(k):
                                acc += B[I[t], j] * x[I[t]]
                            if acc > u:
                                ok = False
                                break
                    if ok:
                        regret = _finalize_pair(A, B, x, y, pay, 0)
                        if regret <= regret_max:
                            if count == out.shape[0]:
                                grown = np.empty((2 * count, width + 3))
                                grown[:count] = out
                                out = grown
                            out[count, :m] = x
                            out[count, m:width] = y
                            out[count, width] = pay[0, 0]
                            out[count, width + 1] = pay[0, 1]
                            out[count, width + 2] = regret
                            count += 1
                    for t in range(k):
                        y[J[t]] = 0.0
                        x[I[t]] = 0.0
                if not _next_subset(J, k, n):
                    break
            if not _next_subset(I, k, m):
                break
    count = sort_equilibria(out, count, width, degenerate, dedupe_atol)
    return out[:count], degenerate


@njit(cache=True)
def polytope_labels(eq, normals, c, label_map, tol, out_z, out_labels):
    """Vertices and label bitmasks of {z : normals (z - c) <= 1} from the polar hull's facets.

    ``eq`` are Qhull facet equations (normal, offset) of the hull of the rows of
    ``normals``; the vertex of facet f is v = -eq[f, :-1] / eq[f, -1] and
    z = v + c. Constraint i is binding when ``|normals[i] . v - 1| <= 1e-9``;
    its label is bit ``label_map[i]``. Returns the largest number of labels at
    any vertex (the polytope is degenerate when it exceeds the dimension).
    """
    n_f = eq.shape[0]
    d = eq.shape[1] - 1
    n_c = normals.shape[0]
    V = np.empty((n_f, d))
    for f in range(n_f):
        off = eq[f, d]
        for a in range(d):
            V[f, a] = -eq[f, a] / off
            z = V[f, a] + c[a]
            out_z[f, a] = 0.0 if abs(z) < tol else z
    dots = np.dot(V, np.ascontiguousarray(normals.T))  # (n_f, n_c), one BLAS call
    most = 0
    for f in range(n_f):
        lab = np.uint64(0)
        cnt = 0
        for i in range(n_c):
            if abs(dots[f, i] - 1.0) <= 1e-9:
                lab |= np.uint64(1) << np.uint64(label_map[i])
                cnt += 1
        out_labels[f] = lab
        most = max(most, cnt)
    return most


@njit(cache=True)
def finalize_vertex_pairs(A, B, zx, zy, pairs, count, tol, regret_max, out):
    """Normalise matched vertex pairs into mixed strategies with payoffs and regrets.

    Pairs whose x or y sums to at most ``tol`` (the artificial origin) are
    dropped, and so are profiles with regret above ``regret_max``. Row r of
    ``out`` (shape (>= count, m + n + 3)) receives x, y, the payoffs (u, v) and
    the regret. Returns the number of rows written.
    """
    m, n = A.shape
    pay = np.empty((1, 2))
    k = 0
    for p in range(count):
        a = pairs[p, 0]
        b = pairs[p, 1]
        sx = 0.0
        sy = 0.0
        for i in range(m):
            sx += max(zx[a, i], 0.0)
        for j in range(n):
            sy += max(zy[b, j], 0.0)
        if sx <= tol or sy <= tol:
            continue
        for i in range(m):
            out[k, i] = max(zx[a, i], 0.0) / sx
        for j in range(n):
            out[k, m + j] = max(zy[b, j], 0.0) / sy
        regret = _finalize_pair(A, B, out[k, :m], out[k, m:m + n], pay, 0)
        if regret > regret_max:
            continue
        out[k, m + n] = pay[0, 0]
        out[k, m + n + 1] = pay[0, 1]
        out[k, m + n + 2] = regret
        k += 1
    return k


@njit(cache=True)
def match_labels(labels_p, labels_q, full, out_pairs):
    """Completely labelled vertex pairs: ``labels_p[a] | labels_q[b] == full``.

    Labels are uint64 bitmasks. Stores up to ``out_pairs.shape[0]`` index pairs
    and returns the number of matches.
    """
    cap = out_pairs.shape[0]
    count = 0
    for a in range(labels_p.shape[0]):
        la = labels_p[a]
        for b in range(labels_q.shape[0]):
            if (la | labels_q[b]) == full:
                if count < cap:
                    out_pairs[count, 0] = a
                    out_pairs[count, 1] = b
                count += 1
    return count


@njit(cache=True)
def match_complementary_labels(labels_p, labels_q, full, out_pairs):
    """:func:`match_labels` for simple polytopes, by sorting instead of comparing all pairs.

    When no vertex carries more labels than its polytope's dimension (m and n
    labels, m + n in all), ``labels_p[a] | labels_q[b] == full`` forces
    ``labels_q[b] == full ^ labels_p[a]``; each vertex of P is looked up in the
    sorted labels of Q. Pairs come in the same order as from :func:`match_labels`
    (a, then b, ascending). Only valid for such nondegenerate polytopes.
    """
    cap = out_pairs.shape[0]
    order = np.argsort(labels_q, kind="mergesort")
    sorted_q = labels_q[order]
    n_q = sorted_q.shape[0]
    count = 0
    for a in range(labels_p.shape[0]):
        target = full ^ labels_p[a]
        pos = np.searchsorted(sorted_q, target)
        while pos < n_q and sorted_q[pos] == target:
            if count < cap:
                out_pairs[count, 0] = a
                out_pairs[count, 1] = order[pos]
            count += 1
            pos += 1
    return count


@njit(cache=True)
def _lex_min_ratio(T, col, n_rows, rhs_col, slack_start, slack_count, tol):
    """Row of the lexicographic minimum ratio test on tableau ``T`` for column ``col``."""
    best = -1
    for r in range(n_rows):
        if T[r, col] <= tol:
            continue
        if best < 0:
            best = r
            continue
        # compare (rhs, slack columns) / coefficient lexicographically
        # ratios equal in exact arithmetic differ by round-off that grows with the pivots:
        # the slack is relative to the ratios' size (at least 1)
        a = T[r, rhs_col] / T[r, col]
        b = T[best, rhs_col] / T[best, col]
        slack = tol * max(1.0, abs(a), abs(b))
        if a < b - slack:
            best = r
            continue
        if a > b + slack:
            continue
        for s in range(slack_count):
            a = T[r, slack_start + s] / T[r, col]
            b = T[best, slack_start + s] / T[best, col]
            slack = tol * max(1.0, abs(a), abs(b))
            if a < b - slack:
                best = r
                break
            if a > b + slack:
                break
    return best


@njit(cache=True)
def _pivot(T, basis, row, col):
    piv = T[row, col]
    for k in range(T.shape[1]):
        T[row, k] /= piv
    for r in range(T.shape[0]):
        if r != row:
            f = T[r, col]
            if f != 0.0:
                for k in range(T.shape[1]):
                    T[r, k] -= f * T[row, k]
    leaving = basis[row]
    basis[row] = col
    return leaving


@njit(cache=True)
def lemke_howson_kernel(A, B, init_label, max_iter, x, y):
    """Lemke-Howson complementary pivoting from ``init_label``.

    Payoffs are shifted by ``shift = 1 - min(A, B)`` to be positive. Tableau 1 holds B^T x + s = 1 (columns:
    labels 0..m+n-1 then the right-hand side), tableau 2 holds r + A y = 1. The
    ratio test is lexicographic, so degenerate pivots cannot cycle; ratios that agree to
    ``LEX_RATIO_TOL`` (relative) count as ties, since exact ties reach the tableau with
    round-off and an exact comparison would break them arbitrarily. Writes the
    normalised equilibrium into ``x`` and ``y``; returns the number of pivots, or
    -1 if ``max_iter`` pivots were not enough.
    """
    m, n = A.shape
    L = m + n
    shift = 1.0 - min(A.min(), B.min())
    T1 = np.zeros((n, L + 1))  # rows: column player's constraints; basis = s_j (labels m + j)
    T2 = np.zeros((m, L + 1))  # rows: row player's constraints; basis = r_i (labels i)
    for j in range(n):
        for i in range(m):
            T1[j, i] = B[i, j] + shift
        T1[j, m + j] = 1.0
        T1[j, L] = 1.0
    for i in range(m):
        T2[i, i] = 1.0
        for j in range(n):
            T2[i, m + j] = A[i, j] + shift
        T2[i, L] = 1.0
    basis1 = np.empty(n, dtype=np.int64)
    basis2 = np.empty(m, dtype=np.int64)
    for j in range(n):
        basis1[j] = m + j
    for i in range(m):
        basis2[i] = i
    entering = init_label
    # x_i (labels < m) live in tableau 1, y_j (labels >= m) in tableau 2
    in_first = init_label < m
    it = 0
    while it < max_iter:
        it += 1
        if in_first:
            row = _lex_min_ratio(T1, entering, n, L, m, n, LEX_RATIO_TOL)
            if row < 0:
                return -1
            leaving = _pivot(T1, basis1, row, entering)
        else:
            row = _lex_min_ratio(T2, entering, m, L, 0, m, LEX_RATIO_TOL)
            if row < 0:
                return -1
            leaving = _pivot(T2, basis2, row, entering)
        if leaving == init_label:
            break
        entering = leaving
        in_first = not in_first
    else:
        return -1
    x[:] = 0.0
    y[:] = 0.0
    for r in range(n):
        if basis1[r] < m:
            x[basis1[r]] = T1[r, L]
    for r in range(m):
        if basis2[r] >= m:
            y[basis2[r] - m] = T2[r, L]
    sx = x.sum()
    sy = y.sum()
    if sx <= 0.0 or sy <= 0.0:
        return -1
    x /= sx
    y /= sy
    return it


@njit(cache=True)
def bernstein_to_power(coeffs):
    """Power-basis coefficients (highest degree first) of sum_m b_m C(d, m) t^m (1-t)^(d-m)."""
    d = coeffs.shape[0] - 1
    power = np.zeros(d + 1)  # power[p] = coefficient of t^p
    for m in range(d + 1):
        binom_dm = 1.0
        for t in range(m):
            binom_dm = binom_dm * (d - t) / (t + 1)
        # t^m (1 - t)^(d - m) = sum_l C(d-m, l) (-1)^l t^(m + l)
        c = 1.0
        for l in range(d - m + 1):
            power[m + l] += coeffs[m] * binom_dm * c * (1.0 if l % 2 == 0 else -1.0)
            c = c * (d - m - l) / (l + 1)
    out = np.empty(d + 1)
    for p in range(d + 1):
        out[p] = power[d - p]
    return out


@njit(cache=True)
def _bernstein_value(coeffs, t):
    """De Casteljau evaluation of a Bernstein polynomial at t."""
    d = coeffs.shape[0] - 1
    w = coeffs.copy()
    for r in range(1, d + 1):
        for i in range(d - r + 1):
            w[i] = (1.0 - t) * w[i] + t * w[i + 1]
    return w[0]


@njit(cache=True)
def polish_root(coeffs, t0, tol):
    """Bisection polish of a root of a Bernstein polynomial near ``t0``.

    Brackets the root in [t0 - h, t0 + h] (h grows until the sign changes, at most
    1e-3) and bisects until the bracket is at most ``tol`` wide or its ends are adjacent
    floats (``tol = 0``: to the last bit); returns ``t0`` unchanged when no sign change
    is found (double root).
    """
    f0 = _bernstein_value(coeffs, t0)
    if f0 == 0.0:
        return t0
    h = 1e-12
    lo = t0
    hi = t0
    found = False
    while h <= 1e-3:
        lo = max(t0 - h, 0.0)
        hi = min(t0 + h, 1.0)
        flo = _bernstein_value(coeffs, lo)
        fhi = _bernstein_value(coeffs, hi)
        if flo == 0.0:
            return lo
        if fhi == 0.0:
            return hi
        if (flo < 0.0) != (fhi < 0.0):
            found = True
            break
        h *= 4.0
    if not found:
        return t0
    flo = _bernstein_value(coeffs, lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        fm = _bernstein_value(coeffs, mid)
        if fm == 0.0 or hi - lo <= tol or mid <= lo or mid >= hi:
            return mid
        if (fm < 0.0) == (flo < 0.0):
            lo = mid
            flo = fm
        else:
            hi = mid
    return 0.5 * (lo + hi)


@njit(cache=True)
def tullock_stage_payoffs(s_target, s_choosers, s_threat, r, cost, value, out):
    """Payoffs of the DC-N stage game with a Tullock contest, flattened.

    Profile index b encodes a_j = bit (M - 1 - j) of b (C order of shape (2,)*M).
    ``out[b, j] = -cost[j] a_j - (1 - P(S, s_threat)) value[j]`` with
    S = s_target + sum_j a_j s_j and P(x, y) = x^r / (x^r + y^r), evaluated as
    1 - P(S, s_threat) = 1 / (1 + (S / s_threat)^r), with the odds taken as
    exp(r (ln S - ln s_threat)) where S / s_threat over- or underflows (no NaN).
    """
    M = s_choosers.shape[0]
    for b in range(1 << M):
        S = s_target
        for j in range(M):
            if (b >> (M - 1 - j)) & 1:
                S += s_choosers[j]
        ratio = S / s_threat
        if _FLOAT_TINY <= ratio <= _FLOAT_MAX:
            odds = ratio**r
        else:
            odds = np.exp(r * (np.log(S) - np.log(s_threat)))
        lose = 1.0 / (1.0 + odds)
        for j in range(M):
            a = (b >> (M - 1 - j)) & 1
            out[b, j] = -cost[j] * a - lose * value[j]
    return out


@njit(cache=True)
def backward_induction(player, first_child, n_children, chance_prob, leaf_payoff, prefer_last, tol, choice, value, ties):
    """Backward induction on a finite tree stored in arrays.

    Nodes are numbered so that every child has a larger index than its parent.
    ``player[v]`` is -1 for a leaf, -2 for a chance node, else the mover. A
    decision node picks the child with the highest value for its mover; children
    within ``tol`` of the best count as tied, and the first (or, with
    ``prefer_last``, the last) tied child is taken. Fills ``choice`` (child
    index, -1 elsewhere), ``value`` (n_nodes, n_players) and ``ties`` (1 where a
    tie occurred).
    """
    n_nodes = player.shape[0]
    n_players = leaf_payoff.shape[1]
    for v in range(n_nodes - 1, -1, -1):
        choice[v] = -1
        ties[v] = 0
        pl = player[v]
        if pl == -1:
            for i in range(n_players):
                value[v, i] = leaf_payoff[v, i]
        elif pl == -2:
            for i in range(n_players):
                value[v, i] = 0.0
            for c in range(n_children[v]):
                ch = first_child[v] + c
                for i in range(n_players):
                    value[v, i] += chance_prob[ch] * value[ch, i]
        else:
            best = first_child[v]
            best_val = value[best, pl]
            for c in range(1, n_children[v]):
                ch = first_child[v] + c
                if value[ch, pl] > best_val + tol:
                    best = ch
                    best_val = value[ch, pl]
            n_tied = 0
            pick = best
            for c in range(n_children[v]):
                ch = first_child[v] + c
                if value[ch, pl] >= best_val - tol:
                    n_tied += 1
                    if prefer_last:
                        pick = ch
                    elif n_tied == 1:
                        pick = ch
            if n_tied > 1:
                ties[v] = 1
            choice[v] = pick
            for i in range(n_players):
                value[v, i] = value[pick, i]
    return value[0, 0]
