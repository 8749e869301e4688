"""Real Jordan form of defective matrices: genuine Jordan blocks are recovered (spec 2.6, 8.2).

Regression tests for ``real_jordan_transform`` returning a change of basis whose
:math:`T^{-1} W T` was not in real Jordan form when :math:`W` had a Jordan block of size
> 1 whose nilpotent part is small in the given basis (e.g. ``[[5, 1/3], [0, 5]]``).
"""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.errors import ConvergenceError
from efttheory.synthesis import normalizers as N
from tests.synthesis.test_synthesis_normalizers import jordan_matrix as real_jordan_matrix


def parse_real_jordan(J, tol):
    """Blocks ``(kind, a, |b|, size)`` of a matrix in real Jordan form, or None if it is not.

    Real blocks are ``a I + N``; complex chains have 2x2 blocks ``[[a, b], [-b, a]]`` with
    identity blocks on the block superdiagonal. Every entry must match the ideal matrix
    rebuilt from the blocks within ``tol``.
    """
    n = J.shape[0]
    blocks, ideal = [], np.zeros_like(J)
    i = 0
    while i < n:
        if i + 1 < n and abs(J[i + 1, i]) > tol:  # a complex chain starts here
            a, b = J[i, i], J[i, i + 1]
            rot = np.array([[a, b], [-b, a]])
            size = 1
            while i + 2 * size + 1 < n:  # the chain goes on while an identity block sits above the diagonal
                j = i + 2 * size
                if not np.allclose(J[j - 2 : j, j : j + 2], np.eye(2), rtol=0, atol=tol):
                    break
                size += 1
            for k in range(size):
                j = i + 2 * k
                ideal[j : j + 2, j : j + 2] = rot
                if k:
                    ideal[j - 2 : j, j : j + 2] = np.eye(2)
            blocks.append(("complex", a, abs(b), size))
            i += 2 * size
        else:
            a = J[i, i]
            size = 1
            while (
                i + size < n
                and abs(J[i + size - 1, i + size] - 1.0) < tol
                and abs(J[i + size, i + size] - a) < tol
                and abs(J[i + size, i + size - 1]) <= tol
            ):
                size += 1
            ideal[i : i + size, i : i + size] = a * np.eye(size) + np.eye(size, k=1)
            blocks.append(("real", a, 0.0, size))
            i += size
    if np.max(np.abs(J - ideal)) > tol:
        return None
    return blocks


def structure(blocks, digits=6):
    return sorted((kind, round(float(a), digits) + 0.0, round(float(b), digits) + 0.0, s) for kind, a, b, s in blocks)


@pytest.mark.parametrize(
    "W",
    [
        [[5.0, 1.0 / 3.0], [0.0, 5.0]],
        [[0.9, 0.1], [0.0, 0.9]],
        [[1.0, 0.1], [0.0, 1.0]],
    ],
)
def test_small_coupling_jordan_blocks_are_recovered(W):
    W = np.array(W)
    _, J_sympy = sp.Matrix(W.tolist()).applyfunc(sp.nsimplify).jordan_form()
    J_want = np.array(J_sympy.tolist(), dtype=float)
    assert J_want[0, 1] == 1.0  # one Jordan block of size 2
    T = N.real_jordan_transform(W)
    J = np.linalg.solve(T, W @ T)
    np.testing.assert_allclose(J, J_want, rtol=0, atol=1e-9)
    assert N._jordan_blocks(J, 1e-9) == [(0, 2, "real")]


# well separated eigenvalues (gaps >= 1 > eps = 0.3): real ones on the integers of [-3, 3],
# complex ones a + ib with a in {-2, ..., 2}, b in {1, 2}
REAL_EIGENVALUES = [float(v) for v in range(-3, 4)]
COMPLEX_EIGENVALUES = [complex(a, b) for a in range(-2, 3) for b in (1, 2)]


@st.composite
def real_jordan_forms(draw, max_dim=8):
    """Blocks ``[(eigenvalue, size), ...]`` of a real Jordan form, sizes 1-4, H <= max_dim."""
    blocks, used, dim = [], [], 0
    for _ in range(draw(st.integers(1, 5))):
        room = max_dim - dim
        if room < 1:
            break
        is_complex = room >= 2 and draw(st.booleans())
        pool = COMPLEX_EIGENVALUES if is_complex else REAL_EIGENVALUES
        lam = draw(st.sampled_from(pool))
        close = [mu for mu in used if abs(lam - mu) < 1.0 or abs(np.conj(lam) - mu) < 1.0]
        if close and close != [lam]:
            continue
        size = draw(st.integers(1, min(4, room // 2 if is_complex else room)))
        blocks.append((lam, size))
        used.append(lam)
        dim += 2 * size if is_complex else size
    if not blocks:
        blocks = [(draw(st.sampled_from(REAL_EIGENVALUES)), 1)]
    return blocks


def well_conditioned(rng, n, max_cond=7.0):
    U, _ = np.linalg.qr(rng.normal(size=(n, n)))
    V, _ = np.linalg.qr(rng.normal(size=(n, n)))
    s = np.exp(rng.uniform(0.0, np.log(max_cond), n))
    return (U * s) @ V.T


@settings(deadline=None, max_examples=40)
@given(blocks=real_jordan_forms(), scale=st.sampled_from([1.0, 10.0]), seed=st.integers(0, 2**32 - 1))
def test_real_jordan_transform_recovers_the_block_structure(blocks, scale, seed):
    blocks = [(lam * scale, s) for lam, s in blocks]
    J_true = real_jordan_matrix(blocks)
    S = well_conditioned(np.random.default_rng(seed), J_true.shape[0])
    W = S @ J_true @ np.linalg.inv(S)
    T = N.real_jordan_transform(W)
    J = np.linalg.solve(T, W @ T)
    tol = 1e-6 * np.abs(J_true).max()
    found = parse_real_jordan(J, tol)
    assert found is not None, f"not in real Jordan form:\n{np.round(J, 6)}"
    want = parse_real_jordan(J_true, 1e-12)
    assert structure(found, digits=5) == structure(want, digits=5)


def test_a_wrong_transform_is_not_returned_silently():
    # whatever the outcome for a badly conditioned defective matrix, it is either a real
    # Jordan form or a ConvergenceError, never a silent non-Jordan T^-1 W T
    rng = np.random.default_rng(7)
    J_true = real_jordan_matrix([(0.5, 3), (-0.5, 1)])
    for _ in range(20):
        S = well_conditioned(rng, 4, max_cond=50.0)
        W = S @ J_true @ np.linalg.inv(S)
        try:
            T = N.real_jordan_transform(W)
        except ConvergenceError:
            continue
        J = np.linalg.solve(T, W @ T)
        assert parse_real_jordan(J, 1e-6) is not None


def test_the_final_check_rejects_a_transform_that_misses_the_pattern():
    W = np.array([[5.0, 1.0 / 3.0], [0.0, 5.0]])
    diagonal = [("real", 5.0, [1, 1], 0.0, True)]  # two 1x1 blocks: what the old rank rule aimed at
    with pytest.raises(ConvergenceError, match=r"did not reach real Jordan form: entry \(0, 1\)"):
        N._check_jordan_pattern(W, np.eye(2), diagonal)
    N._check_jordan_pattern(W, np.diag([1.0 / 3.0, 1.0]), [("real", 5.0, [2], 0.0, True)])


@pytest.mark.parametrize("gap", [1e-7, 1e-4, 0.01, 0.2])
@pytest.mark.parametrize("coupling", [0.0, 0.05, 2.0])
def test_near_ties_are_still_grouped_and_accepted(gap, coupling):
    # distinct eigenvalues closer than eps are treated as one (documented): no error, an
    # exact similarity, and nothing outside the group's diagonal block
    rng = np.random.default_rng(11)
    J = np.diag([0.7, 0.7 + gap, -2.0])
    J[0, 1] = coupling
    S = well_conditioned(rng, 3)
    W = S @ J @ np.linalg.inv(S)
    T = N.real_jordan_transform(W)
    Jt = np.linalg.solve(T, W @ T)
    assert np.linalg.cond(T) < 1e3
    np.testing.assert_allclose(np.sort(np.linalg.eigvals(Jt).real), np.sort(np.diag(J)), atol=1e-6)
    np.testing.assert_allclose(Jt[2, 2], -2.0, atol=1e-9)
    assert np.max(np.abs(Jt[:2, 2])) < 1e-6 and np.max(np.abs(Jt[2, :2])) < 1e-6
