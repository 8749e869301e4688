"""Every njit kernel of efttheory.generalization against a plain-NumPy twin."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.generalization import _kernels as K


def distinct_counts_twin(draws):
    out = np.empty(draws.shape, dtype=np.int64)
    for t in range(draws.shape[0]):
        for m in range(draws.shape[1]):
            out[t, m] = np.unique(draws[t, : m + 1]).size
    return out


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.integers(1, 30), st.integers(0, 2**31))
def test_distinct_counts_twin(b, m, seed):
    draws = np.random.default_rng(seed).integers(0, b, (3, m))
    np.testing.assert_array_equal(K.distinct_counts(draws, b), distinct_counts_twin(draws))


def closure_twin(pos, neg, reflexive, symmetric, transitive):
    pos, neg = pos.copy(), neg.copy()
    if reflexive:
        np.fill_diagonal(pos, True)
    while True:
        old = (pos.copy(), neg.copy())
        if symmetric:
            pos |= pos.T
            neg |= neg.T
        if symmetric and transitive:  # not R(x,x) => not R(x,y), not R(y,x)
            lone = np.diag(neg)
            neg |= lone[:, None] | lone[None, :]
        if transitive:
            p = pos.astype(int)
            nn = neg.astype(int)
            pos |= (p @ p) > 0
            neg |= (p.T @ nn) > 0  # not R(x,y), R(x,z) => not R(z,y)
            neg |= (nn @ p.T) > 0  # not R(x,y), R(z,y) => not R(x,z)
        if np.array_equal(old[0], pos) and np.array_equal(old[1], neg):
            return pos, neg


def _minimal_model(pos, reflexive, symmetric, transitive):
    model = pos.copy()
    if reflexive:
        np.fill_diagonal(model, True)
    while True:
        old = model.copy()
        if symmetric:
            model |= model.T
        if transitive:
            model |= (model.astype(int) @ model.astype(int)) > 0
        if np.array_equal(old, model):
            return model


def horn_deduction(pos, neg, axioms):
    """Complete deduction: R(a,b) is known when the least model of the known facts has it;
    not R(a,b) when adding R(a,b) forces a known unrelated pair to be related."""
    known_pos = _minimal_model(pos, *axioms)
    known_neg = neg.copy()
    for a, b in zip(*np.nonzero(~known_pos & ~neg)):
        trial = pos.copy()
        trial[a, b] = True
        known_neg[a, b] = np.any(_minimal_model(trial, *axioms) & neg)
    return known_pos, known_neg


def _relation(kind, n):
    x = np.arange(n)
    adj = {"mod": (x[:, None] % 3) == (x[None, :] % 3), "gt": x[:, None] < x[None, :],
           "bip": (x[:, None] < 2) ^ (x[None, :] < 2),
           # classes mod 2 among the first n - 1 elements; the last relates to nothing
           "symtrans": ((x[:, None] % 2) == (x[None, :] % 2)) & (x[:, None] < n - 1) & (x[None, :] < n - 1)}[kind]
    axioms = {"mod": (True, True, True), "gt": (False, False, True), "bip": (False, True, False),
              "symtrans": (False, True, True)}[kind]
    return adj, axioms


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 7), st.integers(0, 2**31), st.sampled_from(["mod", "gt", "bip", "symtrans"]),
       st.floats(0.05, 0.9))
def test_closure_is_the_complete_deduction(n, seed, kind, frac):
    # the rules are complete for these axiom sets; without "not R(x,x) => not R(x,.)" the
    # symmetric-transitive, non-reflexive relations missed deductions (3 of 280 random relations)
    adj, axioms = _relation(kind, n)
    mask = np.random.default_rng(seed).uniform(size=(n, n)) < frac
    pos, neg = mask & adj, mask & ~adj
    got_pos, got_neg = pos.copy(), neg.copy()
    K.closure_fixed_point(got_pos, got_neg, *axioms)
    want_pos, want_neg = horn_deduction(pos, neg, axioms)
    np.testing.assert_array_equal(got_pos, want_pos)
    np.testing.assert_array_equal(got_neg, want_neg)


def test_closure_of_a_lone_element_of_a_symmetric_transitive_relation():
    adj = np.array([[0, 0, 0], [0, 1, 1], [0, 1, 1]], bool)
    pos, neg = np.zeros((3, 3), bool), np.zeros((3, 3), bool)
    neg[0, 0] = True  # 0 is not related to itself, so to nothing
    K.closure_fixed_point(pos, neg, False, True, True)
    assert neg.sum() == 5 and neg[0].all() and neg[:, 0].all() and not np.any(neg & adj)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 9), st.integers(0, 2**31), st.sampled_from(["mod", "gt", "bip", "symtrans"]),
       st.floats(0.05, 0.9))
def test_closure_twin(n, seed, kind, frac):
    rng = np.random.default_rng(seed)
    adj, axioms = _relation(kind, n)
    mask = rng.uniform(size=(n, n)) < frac
    pos, neg = mask & adj, mask & ~adj
    want = closure_twin(pos, neg, *axioms)
    got_pos, got_neg = pos.copy(), neg.copy()
    K.closure_fixed_point(got_pos, got_neg, *axioms)
    np.testing.assert_array_equal(got_pos, want[0])
    np.testing.assert_array_equal(got_neg, want[1])
    # closure never contradicts the truth
    assert not np.any(got_pos & ~adj) and not np.any(got_neg & adj)


def rk4_twin(a, c, ka, ex, dt):
    def f(a, c):
        return -ka * c * c * a, -ex * a * a * c
    k1 = f(a, c)
    k2 = f(a + dt / 2 * k1[0], c + dt / 2 * k1[1])
    k3 = f(a + dt / 2 * k2[0], c + dt / 2 * k2[1])
    k4 = f(a + dt * k3[0], c + dt * k3[1])
    return (a + dt / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]),
            c + dt / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]))


def test_reduced_rk4_fixed_twin():
    rng = np.random.default_rng(0)
    a0, c0 = rng.normal(size=4), rng.normal(size=4)
    ka, ex = rng.uniform(0.2, 2, 4), rng.uniform(0.1, 1, 4)
    t_out = np.array([0.0, 0.3, 1.0])
    a, c = K.reduced_rk4_fixed(a0, c0, ka, ex, t_out, 0.05)
    aa, cc = a0.copy(), c0.copy()
    for _ in range(6):
        aa, cc = rk4_twin(aa, cc, ka, ex, 0.05)
    np.testing.assert_allclose(a[1], aa, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(c[1], cc, rtol=1e-13, atol=1e-15)
    for _ in range(14):
        aa, cc = rk4_twin(aa, cc, ka, ex, 0.05)
    np.testing.assert_allclose(a[2], aa, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(a[0], a0)


def test_reduced_rk4_rate_twin():
    rng = np.random.default_rng(1)
    a0, c0 = rng.normal(size=3), rng.normal(size=3)
    ka, ex = np.full(3, 1.0), np.full(3, 0.5)
    a, c, steps = K.reduced_rk4_rate(a0, c0, ka, ex, 3.0, 0.1, 10**6)
    for s in range(3):
        aa, cc, t, k = a0[s], c0[s], 0.0, 0
        while t < 3.0:
            rate = ka[s] * cc * cc + ex[s] * aa * aa
            dt = min(0.1 / rate, 3.0 - t)
            aa, cc = rk4_twin(aa, cc, ka[s], ex[s], dt)
            t += dt
            k += 1
        assert a[s] == pytest.approx(aa, rel=1e-12, abs=1e-15)
        assert c[s] == pytest.approx(cc, rel=1e-12, abs=1e-15)
        assert steps[s] == k
    _, _, capped = K.reduced_rk4_rate(a0, c0, ka, ex, 3.0, 0.1, 2)
    assert np.all(capped == -1)


def many_rhs_twin(x, head, w, eta_x, eta_a):
    """x (n, d); returns dx (n, d), dA (m, d) from the loss by explicit sums."""
    n = x.shape[0]
    gram = head.T @ head
    dx = np.zeros_like(x)
    moment = np.zeros((x.shape[1], x.shape[1]))
    for i in range(n):
        for j in range(n):
            dx[i] -= eta_x * w[i, j] * gram @ (x[i] - x[j])
            if i < j:
                diff = x[i] - x[j]
                moment += w[i, j] * np.outer(diff, diff)
    return dx, -eta_a * head @ moment


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 7), st.integers(1, 3), st.integers(1, 2), st.integers(0, 2**31))
def test_many_repon_rhs_twin(n, d, m, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    head = rng.normal(size=(m, d))
    w = rng.uniform(size=(n, n))
    w = (w + w.T) / 2
    np.fill_diagonal(w, 0)
    dx, da, _ = K.many_repon_rhs(np.ascontiguousarray(x.T), head, w, 0.7, 0.3, np.array([1.0, 0.0, 0.0]))
    want_dx, want_da = many_rhs_twin(x, head, w, 0.7, 0.3)
    np.testing.assert_allclose(dx.T, want_dx, atol=1e-12)
    np.testing.assert_allclose(da, want_da, atol=1e-12)


def test_many_repon_rk4_twin():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4, 2))
    head = rng.normal(size=(1, 2))
    w = np.ones((4, 4)) - np.eye(4)
    xs, heads, times = K.many_repon_rk4(np.ascontiguousarray(x.T), head, w, 0.5, 0.4, 0.01, 10, 5)
    xx, hh = x.copy(), head.copy()
    dt = 0.01
    for _ in range(10):
        def f(xv, hv):
            return many_rhs_twin(xv, hv, w, 0.5, 0.4)
        k1 = f(xx, hh)
        k2 = f(xx + dt / 2 * k1[0], hh + dt / 2 * k1[1])
        k3 = f(xx + dt / 2 * k2[0], hh + dt / 2 * k2[1])
        k4 = f(xx + dt * k3[0], hh + dt * k3[1])
        xx = xx + dt / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        hh = hh + dt / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
    np.testing.assert_allclose(xs[-1].T, xx, atol=1e-13)
    np.testing.assert_allclose(heads[-1], hh, atol=1e-13)
    np.testing.assert_allclose(times, [0.0, 0.05, 0.1])
