"""Many-repon system: forces as gradients, invariants, equivariance, reductions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory import generalization as G
from efttheory.errors import ConvergenceError


def _system(seed, n=6, d=2, m=1):
    rng = np.random.default_rng(seed)
    w = rng.uniform(size=(n, n))
    w = (w + w.T) / 2
    np.fill_diagonal(w, 0)
    return rng.normal(size=(n, d)), rng.normal(size=(m, d)), w


def test_forces_are_minus_gradient_of_loss():
    x, head, w = _system(0, n=5, d=3, m=2)
    forces = G.repon_forces(x, w, head)
    h = 1e-6
    grad = np.zeros_like(x)
    for i in range(x.shape[0]):
        for k in range(x.shape[1]):
            xp, xm = x.copy(), x.copy()
            xp[i, k] += h
            xm[i, k] -= h
            grad[i, k] = (G.many_repon_loss(xp, head, w) - G.many_repon_loss(xm, head, w)) / (2 * h)
    np.testing.assert_allclose(forces, -grad, atol=1e-7)


def test_head_flow_is_minus_gradient():
    x, head, w = _system(1, n=4, d=2, m=2)
    eta_x, eta_a = 0.3, 0.8
    traj = G.integrate_many_repons(x, head, w, eta_x, eta_a, 1e-6, dt=1e-6)
    d_head = (traj.head[1] - traj.head[0]) / 1e-6
    h = 1e-6
    grad = np.zeros_like(head)
    for i in range(head.shape[0]):
        for k in range(head.shape[1]):
            hp, hm = head.copy(), head.copy()
            hp[i, k] += h
            hm[i, k] -= h
            grad[i, k] = (G.many_repon_loss(x, hp, w) - G.many_repon_loss(x, hm, w)) / (2 * h)
    np.testing.assert_allclose(d_head, -eta_a * grad, rtol=1e-4, atol=1e-8)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31), st.integers(2, 7), st.integers(1, 3))
def test_forces_sum_to_zero_and_equivariance(seed, n, d):
    x, head, w = _system(seed, n=n, d=d)
    f = G.repon_forces(x, w, head)
    np.testing.assert_allclose(f.sum(axis=0), 0.0, atol=1e-12 * (1 + np.abs(f).max()))
    rng = np.random.default_rng(seed + 1)
    perm = rng.permutation(n)
    np.testing.assert_allclose(G.repon_forces(x[perm], w[np.ix_(perm, perm)], head), f[perm], atol=1e-12)
    rot, _ = np.linalg.qr(rng.normal(size=(d, d)))
    np.testing.assert_allclose(G.repon_forces(x @ rot.T, w, head @ rot.T), f @ rot.T, atol=1e-11)


def test_invariant_and_centroids_conserved():
    x, head, w = _system(2, n=8, d=2)
    # two disconnected components
    w[:4, 4:] = 0
    w[4:, :4] = 0
    traj = G.integrate_many_repons(x, head, w, 0.5, 0.7, 5.0, dt=1e-3, record_every=1000)
    assert traj.relative_drift <= 1e-10
    for comp in (slice(0, 4), slice(4, 8)):
        np.testing.assert_allclose(traj.x[-1, comp].mean(axis=0), x[comp].mean(axis=0), atol=1e-12)
    assert traj.invariant[0] == pytest.approx(G.many_repon_invariant(x, head, 0.5, 0.7))
    assert "ManyReponTrajectory(" in repr(traj)


def test_class_weights_reduce_to_two_repons_and_cluster():
    eta_x, eta_a, a0, c0 = 0.6, 0.4, 1.2, 0.5
    two = G.integrate_many_repons([[c0], [-c0]], [[a0]], G.class_weights(np.array([0, 0])), eta_x, eta_a,
                                  2.0, dt=1e-3, record_every=500)
    a, c = G.repon_closed_form(a0, c0, eta_a, eta_x, two.t)
    np.testing.assert_allclose(two.head[:, 0, 0], a, atol=1e-12)
    np.testing.assert_allclose((two.x[:, 0, 0] - two.x[:, 1, 0]) / 2, c, atol=1e-12)
    assert two.invariant[0] == pytest.approx(2 * G.conserved_quantity(a0, c0, eta_a, eta_x))
    size, d0 = 4, 1.5
    x0 = [[size * d0 / (size + 1)]] + [[-d0 / (size + 1)]] * size
    clus = G.integrate_many_repons(x0, [[a0]], G.class_weights(np.zeros(size + 1, dtype=int)), eta_x, eta_a,
                                   2.0, dt=1e-3, record_every=500)
    a, d = G.repon_closed_form(a0, d0, eta_a, eta_x, clus.t, cluster_size=size)
    np.testing.assert_allclose(clus.head[:, 0, 0], a, atol=1e-12)
    np.testing.assert_allclose(clus.x[:, 0, 0] - clus.x[:, 1, 0], d, atol=1e-12)
    q = clus.invariant[0]
    assert q == pytest.approx(size / (size + 1) * G.conserved_quantity(a0, d0, eta_a, eta_x, cluster_size=size))


def test_class_weights_shape():
    w = G.class_weights(np.array([0, 1, 0, 0]))
    assert w[0, 2] == pytest.approx(1 / 3) and w[0, 1] == 0 and np.all(np.diag(w) == 0)
    np.testing.assert_array_equal(w, w.T)


def test_unstable_step_raises_instead_of_returning_nan():
    # eta_enc * dt = 10 is far beyond RK4's stability region: the iterates overflow to NaN
    x0 = np.random.default_rng(0).normal(size=(6, 2))
    with pytest.raises(ConvergenceError, match="unstable") as info:
        G.integrate_many_repons(x0, np.eye(2), G.class_weights([0, 0, 0, 1, 1, 1]), eta_enc=1e3,
                                eta_dec=1.0, t_end=20.0, dt=0.01)
    x_last, head_last = info.value.last_iterate
    assert x_last.shape == (6, 2) and head_last.shape == (2, 2)
    assert np.all(np.isfinite(x_last)) and np.all(np.isfinite(head_last))


def test_forces_beyond_float64_raise():
    x = np.array([[1.0, 0.0], [-1.0, 0.0]])
    with pytest.raises(ValueError, match="overflow float64"):
        G.repon_forces(x, G.class_weights([0, 0]), np.full((2, 2), 1e200))
    # large but representable: the unit-head force (-1, 0) times A^T A = 2e300 * ones
    f = G.repon_forces(x, G.class_weights([0, 0]), np.full((2, 2), 1e150))
    assert f[0].tolist() == pytest.approx([-2e300, -2e300], rel=1e-12)
