"""Every Numba kernel of efttheory.games against a plain-NumPy twin."""

import functools
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.games import _kernels
from efttheory.testing import bimatrix_games


def pure_nash_twin(U, tol):
    shape = U.shape[:-1]
    out = []
    for a in itertools.product(*[range(k) for k in shape]):
        ok = True
        for i in range(len(shape)):
            for b in range(shape[i]):
                dev = list(a)
                dev[i] = b
                if U[tuple(dev) + (i,)] > U[a + (i,)] + tol:
                    ok = False
        out.append(1 if ok else 0)
    return np.array(out)


@settings(deadline=None, max_examples=40)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=4), st.integers(0, 2**31))
def test_pure_nash_flags_matches_twin(shape, seed):
    rng = np.random.default_rng(seed)
    U = rng.integers(-3, 4, size=tuple(shape) + (len(shape),)).astype(float)
    flags = np.zeros(int(np.prod(shape)), dtype=np.int8)
    count = _kernels.pure_nash_flags(U.reshape(-1, len(shape)).copy(), np.array(shape, dtype=np.int64), 1e-12, flags)
    twin = pure_nash_twin(U, 1e-12)
    assert np.array_equal(flags, twin)
    assert count == twin.sum()


def support_enumeration_twin(A, B):
    """Textbook support enumeration with numpy.linalg on equal-size supports."""
    m, n = A.shape
    out = []
    for k in range(1, min(m, n) + 1):
        for I in itertools.combinations(range(m), k):
            for J in itertools.combinations(range(n), k):
                M = np.zeros((k + 1, k + 1))
                M[:k, :k] = A[np.ix_(I, J)]
                M[:k, k] = -1
                M[k, :k] = 1
                rhs = np.zeros(k + 1)
                rhs[k] = 1
                N = np.zeros((k + 1, k + 1))
                N[:k, :k] = B[np.ix_(I, J)].T
                N[:k, k] = -1
                N[k, :k] = 1
                try:
                    ys = np.linalg.solve(M, rhs)
                    xs = np.linalg.solve(N, rhs)
                except np.linalg.LinAlgError:
                    continue
                if ys[:k].min() < -1e-12 or xs[:k].min() < -1e-12:
                    continue
                x = np.zeros(m)
                y = np.zeros(n)
                x[list(I)] = xs[:k]
                y[list(J)] = ys[:k]
                if (A @ y).max() <= ys[k] + 1e-10 and (B.T @ x).max() <= xs[k] + 1e-10:
                    out.append(np.concatenate([x, y]))
    return out


def descending_order_twin(keys, tie=_kernels.SORT_TIE):
    """Row order of the kernels' sort: lexicographically descending, entries within ``tie`` equal, stable."""
    def compare(r, s):
        for a, b in zip(keys[r], keys[s]):
            if abs(a - b) > tie:
                return -1 if a > b else 1
        return 0

    return sorted(range(len(keys)), key=functools.cmp_to_key(compare))


@settings(deadline=None, max_examples=40)
@given(bimatrix_games(max_actions=4, perturb=1e-3))
def test_support_enumeration_kernel_matches_twin(game):
    A, B = game
    m, n = A.shape
    rows, _ = _kernels.support_enumeration_kernel(A, B, 1e-12, 1e-10, 1e-12, np.inf, 1e-10)
    count = rows.shape[0]
    out_x, out_y, out_pay, out_regret = rows[:, :m], rows[:, m:m + n], rows[:, m + n:m + n + 2], rows[:, m + n + 2]
    twin = support_enumeration_twin(A, B)
    assert count == len(twin)
    got = np.hstack([out_x, out_y])
    for row in twin:
        assert np.min(np.max(np.abs(got - row), axis=1)) <= 1e-9
    assert descending_order_twin(got) == list(range(count))
    for k in range(count):
        x, y = out_x[k], out_y[k]
        assert out_pay[k] == pytest.approx([x @ A @ y, x @ B @ y], abs=1e-12)
        twin_regret = max(0.0, (A @ y).max() - x @ A @ y, (B.T @ x).max() - x @ B @ y)
        assert out_regret[k] == pytest.approx(twin_regret, abs=1e-12)


@settings(deadline=None, max_examples=40)
@given(st.integers(0, 2**31), st.booleans())
def test_sort_equilibria_matches_twin(seed, dedupe):
    rng = np.random.default_rng(seed)
    count, width = int(rng.integers(0, 9)), 3
    keys = 0.5 * rng.integers(0, 3, (count, width)) + rng.choice([0.0, 1e-13, 1e-11, 1e-3], (count, width))
    rows = np.hstack([keys, np.arange(count, dtype=float)[:, None]])  # last column tags the input row
    kept = []
    for r in descending_order_twin(keys):
        if dedupe and any(np.max(np.abs(keys[r] - keys[j])) <= 1e-10 for j in kept):
            continue
        kept.append(r)
    k = _kernels.sort_equilibria(rows, count, width, dedupe, 1e-10)
    assert rows[:k, -1].astype(int).tolist() == kept


def test_kernels_drop_profiles_above_the_regret_limit():
    A = np.array([[3.0, 0.0], [0.0, 1.0]])
    rows, _ = _kernels.support_enumeration_kernel(A, A, 1e-12, 1e-10, 1e-12, np.inf, 1e-10)
    assert rows.shape[0] == 3
    rows, _ = _kernels.support_enumeration_kernel(A, A, 1e-12, 1e-10, 1e-12, -1.0, 1e-10)
    assert rows.shape[0] == 0
    zx = np.array([[0.25, 0.75]])
    pairs = np.zeros((1, 2), dtype=np.int64)
    assert _kernels.finalize_vertex_pairs(A, A, zx, zx, pairs, 1, 1e-12, np.inf, np.empty((1, 7))) == 1
    assert _kernels.finalize_vertex_pairs(A, A, zx, zx, pairs, 1, 1e-12, -1.0, np.empty((1, 7))) == 0


def test_match_labels_matches_twin():
    rng = np.random.default_rng(3)
    p = rng.integers(0, 2**6, 40).astype(np.uint64)
    q = rng.integers(0, 2**6, 40).astype(np.uint64)
    full = np.uint64(2**6 - 1)
    pairs = np.empty((2000, 2), dtype=np.int64)
    count = _kernels.match_labels(p, q, full, pairs)
    twin = [(a, b) for a in range(40) for b in range(40) if (int(p[a]) | int(q[b])) == 2**6 - 1]
    assert count == len(twin)
    assert [tuple(r) for r in pairs[:count]] == twin


@settings(deadline=None, max_examples=30)
@given(st.integers(2, 6), st.integers(2, 6), st.integers(0, 2**31))
def test_match_complementary_labels_matches_twin_on_simple_labelings(m, n, seed):
    # vertices of P carry exactly m of the m + n labels, vertices of Q exactly n (repeats allowed)
    rng = np.random.default_rng(seed)
    L = m + n

    def labelings(size, count):
        return np.array([sum(1 << int(i) for i in rng.choice(L, size, replace=False)) for _ in range(count)],
                        dtype=np.uint64)

    p, q = labelings(m, 30), labelings(n, 30)
    q[:5] = (2**L - 1) ^ p[:5]  # guarantee some complementary pairs
    q[5] = q[0]
    full = np.uint64(2**L - 1)
    pairs = np.empty((1000, 2), dtype=np.int64)
    count = _kernels.match_complementary_labels(p, q, full, pairs)
    twin = [(a, b) for a in range(30) for b in range(30) if (int(p[a]) | int(q[b])) == 2**L - 1]
    assert count == len(twin) >= 5
    assert [tuple(r) for r in pairs[:count]] == twin


def test_match_labels_reports_overflow_count():
    p = np.zeros(5, dtype=np.uint64)
    q = np.full(5, 7, dtype=np.uint64)
    pairs = np.empty((3, 2), dtype=np.int64)
    assert _kernels.match_labels(p, q, np.uint64(7), pairs) == 25


@settings(deadline=None, max_examples=50)
@given(st.lists(st.floats(-3, 3), min_size=1, max_size=9), st.floats(0, 1))
def test_bernstein_to_power_matches_twin(coeffs, t):
    b = np.array(coeffs)
    d = b.size - 1
    from math import comb

    twin = sum(b[m] * comb(d, m) * t**m * (1 - t) ** (d - m) for m in range(d + 1))
    assert np.polyval(_kernels.bernstein_to_power(b), t) == pytest.approx(twin, abs=1e-9)
    assert _kernels._bernstein_value(b, t) == pytest.approx(twin, abs=1e-12)


def test_polish_root_reaches_bisection_twin():
    b = np.array([-1.0, 0.3, 2.0])  # Bernstein coefficients, one root in (0, 1)
    from scipy.optimize import brentq

    twin = brentq(lambda t: (1 - t) ** 2 * b[0] + 2 * t * (1 - t) * b[1] + t**2 * b[2], 0, 1, xtol=1e-15)
    assert _kernels.polish_root(b, twin + 1e-6, 1e-14) == pytest.approx(twin, abs=1e-13)


def test_polish_root_with_zero_tolerance_bisects_to_the_last_bit():
    # 8 t (1 - t) - 1.5 = 0 has the exact roots 1/4 and 3/4 (Bernstein coefficients of degree 2);
    # from one ulp off, a 1e-14 bracket stopped 3.9e-15 away
    b = np.array([-1.5, 2.5, -1.5])
    for root in (0.25, 0.75):
        for start in (np.nextafter(root, 1.0), np.nextafter(root, 0.0), root + 1e-7):
            assert abs(_kernels.polish_root(b, start, 0.0) - root) <= 2 * np.spacing(root)


@settings(deadline=None, max_examples=30)
@given(st.integers(1, 6), st.floats(0.2, 8), st.floats(0.5, 4), st.integers(0, 2**31))
def test_tullock_stage_payoffs_match_twin(M, sT, r, seed):
    rng = np.random.default_rng(seed)
    s = rng.uniform(0.2, 3, M)
    c = rng.uniform(0, 1, M)
    V = rng.uniform(0, 10, M)
    out = np.empty((2**M, M))
    _kernels.tullock_stage_payoffs(1.3, s, sT, r, c, V, out)
    for b, a in enumerate(itertools.product((0, 1), repeat=M)):
        a = np.array(a)
        S = 1.3 + a @ s
        lose = sT**r / (S**r + sT**r)
        assert np.allclose(out[b], -c * a - lose * V, rtol=1e-13, atol=1e-13)


def backward_induction_twin(tree):
    def value(v):
        pl = tree.player[v]
        if pl == -1:
            return tree.payoffs[v]
        kids = list(tree.children(v))
        vals = [value(w) for w in kids]
        if pl == -2:
            return sum(tree.chance_prob[w] * val for w, val in zip(kids, vals))
        best = max(val[pl] for val in vals)
        return next(val for val in vals if val[pl] >= best)

    return value(0)


@settings(deadline=None, max_examples=30)
@given(st.integers(0, 2**31))
def test_backward_induction_matches_recursive_twin(seed):
    from efttheory.games import GameTree, subgame_perfect_equilibria

    rng = np.random.default_rng(seed)

    def node(depth):
        if depth == 0 or rng.random() < 0.2:
            return ("leaf", rng.normal(size=2))
        if rng.random() < 0.3:
            p = rng.dirichlet(np.ones(2))
            return ("chance", [(float(p[0]), "h", node(depth - 1)), (1 - float(p[0]), "t", node(depth - 1))])
        return ("decision", int(rng.integers(2)), [(f"a{i}", node(depth - 1)) for i in range(3)])

    tree = GameTree.build(node(4), n_players=2)
    spe = subgame_perfect_equilibria(tree)
    assert np.allclose(spe.values[0], backward_induction_twin(tree), atol=1e-12)


def degeneracy_twin(A, B, tol=1e-9):
    """Brute force: a mix over k rows (cols) leaving k + 1 tied best responses of the opponent."""
    def extra(P, n_own, n_other):
        for k in range(1, n_own + 1):
            for I in itertools.combinations(range(n_own), k):
                for J in itertools.combinations(range(n_other), k):
                    M = np.zeros((k + 1, k + 1))
                    M[:k, :k] = P[np.ix_(I, J)].T
                    M[:k, k] = -1
                    M[k, :k] = 1
                    rhs = np.zeros(k + 1)
                    rhs[k] = 1
                    try:
                        sol = np.linalg.solve(M, rhs)
                    except np.linalg.LinAlgError:
                        continue
                    if sol[:k].min() < -tol:
                        continue
                    z = np.zeros(n_own)
                    z[list(I)] = sol[:k]
                    pay = P.T @ z
                    if pay.max() > sol[k] + tol:
                        continue
                    if np.sum(pay >= sol[k] - tol) > np.sum(z > tol):
                        return True
        return False

    return extra(B, *A.shape) or extra(A.T, A.shape[1], A.shape[0])


@settings(deadline=None, max_examples=40)
@given(bimatrix_games(max_actions=3, perturb=0.0))
def test_degeneracy_flag_matches_twin(game):
    A, B = game
    _, degenerate = _kernels.support_enumeration_kernel(A, B, 1e-12, 1e-10, 1e-9, np.inf, 1e-10)
    assert degenerate == degeneracy_twin(A, B)


def test_payoff_scale_matches_twin():
    A = np.array([[1.0, -7.0], [2.0, 0.5]])
    B = np.array([[0.1, 0.2], [0.3, 0.4]])
    assert _kernels.payoff_scale(A, B) == max(1.0, np.abs(A).max(), np.abs(B).max())
    A[0, 0] = np.nan
    assert _kernels.payoff_scale(A, B) < 0


def test_polytope_labels_and_finalize_match_twin():
    from scipy.spatial import ConvexHull

    rng = np.random.default_rng(4)
    M = rng.uniform(1, 2, (3, 3))
    eps = 0.5 / M.sum(axis=0).max()
    c = np.full(3, eps)
    normals = np.vstack([-np.eye(3) / eps, (M / (1 - M.T @ c)).T])
    eq = ConvexHull(normals).equations
    z = np.empty((eq.shape[0], 3))
    labels = np.empty(eq.shape[0], dtype=np.uint64)
    most = _kernels.polytope_labels(eq, normals, c, np.arange(6, dtype=np.int64), 1e-10, z, labels)
    twin_z = -eq[:, :-1] / eq[:, -1:] + c
    assert np.allclose(z, np.where(np.abs(twin_z) < 1e-10, 0, twin_z), atol=1e-14)
    for f in range(eq.shape[0]):
        binding = np.abs(normals @ (twin_z[f] - c) - 1) <= 1e-9
        assert int(labels[f]) == sum(1 << i for i in np.flatnonzero(binding))
    assert most == 3  # simple polytope: exactly d labels per vertex
    A = rng.normal(size=(3, 3))
    B = rng.normal(size=(3, 3))
    pairs = np.array([[1, 2], [0, 0]], dtype=np.int64)
    zx = np.abs(rng.normal(size=(2, 3)))
    zy = np.abs(rng.normal(size=(3, 3)))
    zx[0] = 0.0  # the artificial origin is dropped
    rows = np.empty((2, 9))
    k = _kernels.finalize_vertex_pairs(A, B, zx, zy, pairs, 2, 1e-12, np.inf, rows)
    assert k == 1
    X, Y, pay, regret = rows[:, :3], rows[:, 3:6], rows[:, 6:8], rows[:, 8]
    x, y = zx[1] / zx[1].sum(), zy[2] / zy[2].sum()
    assert np.allclose(X[0], x) and np.allclose(Y[0], y)
    assert pay[0] == pytest.approx([x @ A @ y, x @ B @ y])
