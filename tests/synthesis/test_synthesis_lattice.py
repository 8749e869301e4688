"""Lattice autoencoders, description length and basis reduction (spec 2.7, 8.3, 8.4)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.errors import ConvergenceError
from efttheory.synthesis import _lattice_kernels as K
from efttheory.synthesis import lattice as LA

FAST = settings(deadline=None, max_examples=25)


# ------------------------------------------------------------------ NumPy twins of the kernels


def size_reduce_twin(A, sweeps=10):
    B = np.array(A, dtype=float)
    n = B.shape[0]
    for _ in range(sweeps):
        changed = False
        for i in range(n):
            ni = B[i] @ B[i]
            if ni == 0:
                continue
            for j in range(n):
                if j != i:
                    q = np.round((B[j] @ B[i]) / ni)
                    if q != 0:
                        B[j] = B[j] - q * B[i]
                        changed = True
        if not changed:
            break
    return B * np.where(B.sum(axis=1) < 0, -1.0, 1.0)[:, None]


def gram_schmidt(B):
    n = B.shape[0]
    Bs = np.zeros_like(B)
    mu = np.zeros((n, n))
    for i in range(n):
        Bs[i] = B[i]
        for j in range(i):
            mu[i, j] = (B[i] @ Bs[j]) / (Bs[j] @ Bs[j])
            Bs[i] = Bs[i] - mu[i, j] * Bs[j]
    return Bs, mu


def lll_twin(A, delta=0.75):
    B = np.array(A, dtype=float)
    n = B.shape[0]
    k = 1
    while k < n:
        for j in range(k - 1, -1, -1):
            _, mu = gram_schmidt(B)
            q = np.round(mu[k, j])
            if q != 0:
                B[k] = B[k] - q * B[j]
        Bs, mu = gram_schmidt(B)
        if Bs[k] @ Bs[k] >= (delta - mu[k, k - 1] ** 2) * (Bs[k - 1] @ Bs[k - 1]):
            k += 1
        else:
            B[[k, k - 1]] = B[[k - 1, k]]
            k = max(k - 1, 1)
    return B * np.where(B.sum(axis=1) < 0, -1.0, 1.0)[:, None]


@st.composite
def unimodular_matrices(draw, dim):
    U = np.eye(dim)
    for _ in range(draw(st.integers(0, 6))):
        i, j = draw(st.integers(0, dim - 1)), draw(st.integers(0, dim - 1))
        if i != j:
            U[i] += draw(st.integers(-3, 3)) * U[j]
    if draw(st.booleans()):
        U = U[::-1].copy()
    return U


@st.composite
def bases(draw, max_dim=3):
    dim = draw(st.integers(1, max_dim))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    while True:
        A = rng.normal(size=(dim, dim))
        if np.linalg.cond(A) < 10:
            return A


def is_unimodular(U):
    return np.allclose(U, np.round(U), atol=1e-6) and abs(abs(np.linalg.det(U)) - 1) < 1e-6


@FAST
@given(A=bases(), data=st.data())
def test_size_reduce_kernel_matches_twin_and_keeps_the_lattice(A, data):
    V = data.draw(unimodular_matrices(A.shape[0])) @ A
    out = LA.size_reduce(V)
    np.testing.assert_allclose(out, size_reduce_twin(V), atol=1e-9)
    assert is_unimodular(out @ np.linalg.inv(A))
    assert np.all(out.sum(axis=1) >= 0)


@FAST
@given(A=bases(), data=st.data())
def test_lll_kernel_matches_twin_and_is_reduced(A, data):
    V = data.draw(unimodular_matrices(A.shape[0])) @ A
    out = LA.lll_reduce(V)
    np.testing.assert_allclose(out, lll_twin(V), atol=1e-8)
    assert is_unimodular(out @ np.linalg.inv(A))
    Bs, mu = gram_schmidt(out)
    assert np.all(np.abs(np.tril(mu, -1)) <= 0.5 + 1e-9)
    for k in range(1, out.shape[0]):
        assert Bs[k] @ Bs[k] >= (0.75 - mu[k, k - 1] ** 2) * (Bs[k - 1] @ Bs[k - 1]) - 1e-9


def noisy_lattice(seed, H, N=600, noise=0.02):
    rng = np.random.default_rng(seed)
    while True:
        A = rng.normal(size=(H, H))
        if np.linalg.cond(A) < 10:
            break
    b = rng.normal(size=H)
    Z, Zp = rng.integers(0, 10, size=(N, H)), rng.integers(0, 10, size=(N, H))
    sigma = noise * np.min(np.linalg.norm(A, axis=1))
    hT = Z @ A + b + sigma * rng.normal(size=Z.shape)
    hp = Zp @ A + b + sigma * rng.normal(size=Z.shape)
    return A, b, Z, Zp, hT, hp, sigma


# Fixed seeds (no flaky tests). The GCD search recovers the lattice on these; see the docs
# for the measured recovery rate on random lattices (18 of 20 seeds, H = 1..3).
@pytest.mark.parametrize("seed, H", [(1, 2), (2, 3), (12, 1)])
def test_gcd_lattice_recovery(seed, H):
    A, b, Z, Zp, hT, hp, sigma = noisy_lattice(seed, H)
    lat = LA.best_lattice(hT, hp, np.zeros(len(hT)), rng=0)
    U = lat.basis @ np.linalg.inv(A)
    assert abs(abs(np.linalg.det(U)) - 1) < 1e-2 and np.max(np.abs(U - np.round(U))) < 5e-2
    # round Z' = Z U^-1 + c with integer c
    Ui = np.round(np.linalg.inv(np.round(U)))
    c = np.round(lat.Z) - Z @ Ui
    assert np.all(c == c[0]) and np.all(c[0] == np.round(c[0]))
    min_spacing = np.min(np.linalg.norm(A, axis=1))
    assert lat.max_rounding_error < 3 * 4 * sigma / min_spacing + 0.05
    # the true lattice has lower DL than a random non-lattice basis
    rnd = LA.Lattice(np.random.default_rng(seed).normal(size=(H, H)) * 0.7, b, lat.Z, lat.Z_prev, "linear", 0.0, 0.0)
    P = np.concatenate([hT, hp])
    assert LA.description_length(P, lat) < LA.description_length(P, rnd)


def test_linear_autoencoder_on_a_shift_register():
    rng = np.random.default_rng(0)
    N, H = 800, 3
    x = rng.integers(0, 10, size=(N, 4))
    S = rng.normal(size=(H, H))
    states = np.stack([x[:, 1:4][:, ::-1], x[:, 0:3][:, ::-1]])  # (x_T, x_T-1, x_T-2) and one step earlier
    hT = states[0] @ S.T + 0.3
    hp = states[1] @ S.T + 0.3
    lat = LA.linear_rnn_autoencode(hT, hp, x[:, 3])
    assert lat.method == "linear" and lat.max_rounding_error < 1e-6
    U = lat.basis @ np.linalg.inv(S.T)
    assert is_unimodular(U)
    assert np.all(np.round(lat.Z).min(axis=0) == 0)
    lll = LA.linear_rnn_autoencode(hT, hp, x[:, 3], basis_reduction="lll")
    assert is_unimodular(lll.basis @ np.linalg.inv(S.T))


def test_linear_autoencoder_beyond_ten_dimensions():
    # the original generated only 10 Krylov vectors: H = 12 raised IndexError
    rng = np.random.default_rng(1)
    H, N = 12, 150
    x = rng.integers(0, 3, size=(N, H + 1))
    hT = x[:, 1:][:, ::-1].astype(float)
    hp = x[:, :-1][:, ::-1].astype(float)
    lat = LA.linear_rnn_autoencode(hT, hp, x[:, -1])
    assert lat.dim == 12 and lat.max_rounding_error < 1e-6


def test_relations_and_initial_candidates():
    A = np.array([[2.0, 0.0], [0.0, 3.0]])
    b = np.array([0.5, -1.2])
    Z = np.array([[0, 1], [1, 2], [0, 1], [2, 0]])
    Zp = np.array([[1, 0], [0, 0], [1, 0], [1, 1]])
    lat = LA._finish(A, Z @ A + b, Zp @ A + b, "linear")
    rel = LA.lattice_relations(lat, np.array([3, 4, 3, 5]), np.array([7, 8, 7, 9]))
    assert len(rel.state) == 2 and rel.state[0].shape == (3, 4)  # duplicate row removed
    assert rel.output.shape == (3, 3)
    cands = LA.initial_state_candidates(lat)
    z = -np.linalg.solve(lat.basis.T, lat.offset)
    assert np.array_equal(cands[0], np.round(z))
    assert len({tuple(c) for c in cands}) == len(cands) <= 5
    assert all(np.all(np.abs(c - z) < 1) for c in cands)


@pytest.mark.parametrize("basis, offset, match", [
    (np.array([[1.0, 2.0], [2.0, 4.0]]), np.zeros(2), "full rank"),          # singular basis
    (np.eye(2) * 1e-10, np.array([1e10, 0.0]), "2\\*\\*62"),                   # z* = -1e20
])
def test_initial_candidates_refuse_what_has_no_int64_answer(basis, offset, match):
    # a NaN or a z* beyond the int64 range used to come back as -2**63 candidates, silently
    lat = LA.Lattice(basis, offset, np.zeros((1, 2)), np.zeros((1, 2)), "linear", 0.0, 0.0)
    with pytest.raises(ValueError, match=match):
        LA.initial_state_candidates(lat)


@pytest.mark.parametrize("field, value, match", [
    ("offset", np.array([0.5, np.nan]), "offset must be finite"),
    ("offset", np.zeros(3), "offset must have shape"),
    ("basis", np.array([[np.nan, 0.0], [0.0, 1.0]]), "basis must be finite"),
    ("basis", np.ones((2, 3)), "basis must be square"),
    ("Z", np.zeros((1, 3)), "Z must have shape"),
    ("method", "cubic", "method must be one of"),
    ("description_length", float("inf"), "description_length must be finite"),
])
def test_lattice_rejects_what_no_fit_produces(field, value, match):
    # a NaN basis gave description_length NaN and -2**63 initial-state candidates, silently
    fields = dict(basis=np.eye(2), offset=np.zeros(2), Z=np.zeros((1, 2)), Z_prev=np.zeros((1, 2)),
                  method="linear", description_length=0.0, max_rounding_error=0.0)
    fields[field] = value
    with pytest.raises(ValueError, match=match):
        LA.Lattice(**fields)


def test_description_length_formula():
    lat = LA.Lattice(np.eye(2), np.zeros(2), np.zeros((1, 2)), np.zeros((1, 2)), "linear", 0.0, 0.0)
    h = np.array([[3.0, 0.02]])
    want = np.mean(np.log2(1 + np.array([3.0, 0.0]))) + np.mean(np.log2(1 + np.array([0.0, 0.02]) / 1e-2))
    assert LA.description_length(h, lat) == pytest.approx(want)


def test_bad_input():
    with pytest.raises(ValueError, match="h_prev must have the shape of h_T"):
        LA.linear_rnn_autoencode(np.ones((5, 2)), np.ones((4, 2)), np.ones(5))
    with pytest.raises(ValueError, match="h_T must be finite"):
        LA.linear_rnn_autoencode(np.full((5, 2), np.nan), np.ones((5, 2)), np.ones(5))
    with pytest.raises(ValueError, match="x_T must have one row per state"):
        LA.linear_rnn_autoencode(np.ones((5, 2)), np.ones((5, 2)), np.ones(4))
    with pytest.raises(ValueError, match="needs H < 4"):
        LA.gcd_autoencode(np.ones((5, 4)), np.ones((5, 4)), fraction=0.5, thres=0.1, rng=0)
    with pytest.raises(ValueError, match="fraction must lie in"):
        LA.gcd_autoencode(np.ones((5, 2)), np.ones((5, 2)), fraction=0.0, thres=0.1, rng=0)
    with pytest.raises(ValueError, match="A must be a basis"):
        LA.size_reduce(np.ones((2, 2)))
    with pytest.raises(ValueError, match="A must be square"):
        LA.lll_reduce(np.ones((2, 3)))
    with pytest.raises(ValueError, match="delta must lie in"):
        LA.lll_reduce(np.eye(2), delta=0.1)
    with pytest.raises(ValueError, match="basis_reduction must be one of"):
        LA.best_lattice(np.ones((5, 2)), np.ones((5, 2)), np.ones(5), rng=0, basis_reduction="bkz")
    lat = LA.Lattice(np.eye(1), np.zeros(1), np.zeros((2, 1)), np.zeros((2, 1)), "linear", 0.0, 0.0)
    with pytest.raises(ValueError, match="y_T must hold integers"):
        LA.lattice_relations(lat, np.ones(2), np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="Krylov vectors span only"):
        LA.linear_rnn_autoencode(np.zeros((6, 2)) + np.arange(6)[:, None] * [1.0, 1.0],
                                 np.zeros((6, 2)), np.arange(6.0))


def test_lll_reports_non_termination():
    with pytest.raises(ConvergenceError):
        B, it = K.lll_kernel(np.array([[1.0, 0.0], [0.3, 1.0]]), 0.75, 0)
        if it < 0:
            raise ConvergenceError("budget", last_iterate=B)


def test_reductions_are_scale_free_for_huge_and_tiny_bases():
    A = np.array([[2.0, 1.0], [5.0, 3.0]])
    for scale in (2.0**1000, 2.0**-1000):
        np.testing.assert_array_equal(LA.size_reduce(A * scale), LA.size_reduce(A) * scale)
        np.testing.assert_array_equal(LA.lll_reduce(A * scale), LA.lll_reduce(A) * scale)
    B = LA.size_reduce([[1e300, 1e300], [0.0, 1e300]])
    assert np.all(np.isfinite(B))
    np.testing.assert_array_equal(np.sort(np.abs(B), axis=None), [0.0, 0.0, 1e300, 1e300])
