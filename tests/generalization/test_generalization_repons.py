"""Two-repon dynamics: conservation, closed form, the arctan law and its cluster form."""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from efttheory import generalization as G
from efttheory.errors import ConvergenceError

eta = st.floats(1e-3, 1.0)
amp = st.floats(-5.0, 5.0).filter(lambda v: abs(v) > 1e-3)


@settings(max_examples=40, deadline=None)
@given(amp, amp, eta, eta, st.floats(0.5, 20.0))
def test_conserved_along_rate_limited_rk4(a0, c0, eta_a, eta_x, t_end):
    traj = G.integrate_repons(a0, c0, eta_a, eta_x, t_end, step="rate", h=0.02)
    assert traj.relative_drift <= 1e-8
    # |a|, |c| never increase
    assert abs(traj.a[-1, 0]) <= abs(a0) * (1 + 1e-12) and abs(traj.c[-1, 0]) <= abs(c0) * (1 + 1e-12)


@settings(max_examples=30, deadline=None)
@given(amp, amp, eta, eta)
@example(3.0, 5.0, 1.0, 1.0)  # stiffest corner: fixed dt = 2e-3 missed by 1e-6 here
def test_closed_form_matches_rk4_and_conserves(a0, c0, eta_a, eta_x):
    # the flow's fastest rate is about 2 (eta_a c0^2 + eta_x a0^2): keep rate * dt <= 0.02 so
    # that RK4's global error stays far below the 1e-8 tolerance over the whole strategy box
    dt = min(2e-3, 0.01 / (eta_a * c0**2 + eta_x * a0**2))
    traj = G.integrate_repons(a0, c0, eta_a, eta_x, 2.0, dt=dt, n_out=4)
    a, c = G.repon_closed_form(a0, c0, eta_a, eta_x, traj.t)
    scale = abs(a0) + abs(c0)
    np.testing.assert_allclose(a, traj.a[:, 0], atol=1e-8 * scale)
    np.testing.assert_allclose(c, traj.c[:, 0], atol=1e-8 * scale)
    big_c = G.conserved_quantity(a, c, eta_a, eta_x)
    c_scale = a0**2 / (2 * eta_a) + c0**2 / eta_x
    assert np.all(np.abs(big_c - big_c[0]) <= 1e-12 * c_scale)


def test_closed_form_continuous_across_separatrix():
    eta_a, eta_x = 0.3, 0.6
    a0 = 1.0
    c_sep = abs(a0) * math.sqrt(eta_x / (2 * eta_a))
    t = np.array([0.5, 5.0, 50.0])
    for delta in (1e-9, 1e-6):
        lo = np.array(G.repon_closed_form(a0, c_sep - delta, eta_a, eta_x, t))
        on = np.array(G.repon_closed_form(a0, c_sep, eta_a, eta_x, t))
        hi = np.array(G.repon_closed_form(a0, c_sep + delta, eta_a, eta_x, t))
        assert np.max(np.abs(lo - on)) < 100 * delta and np.max(np.abs(hi - on)) < 100 * delta
    # on the separatrix both decay like 1/sqrt(t)
    a, c = G.repon_closed_form(a0, c_sep, eta_a, eta_x, 1e6)
    assert 0 < a < 1e-2 and 0 < c < 1e-2


def test_fates_follow_sign_of_c():
    eta_a, eta_x = 0.5, 0.5
    # C > 0: collision, a -> sqrt(2 eta_A C)
    a, c = G.repon_closed_form(2.0, 0.5, eta_a, eta_x, 200.0)
    big_c = G.conserved_quantity(2.0, 0.5, eta_a, eta_x)
    assert abs(c) < 1e-10 and a == pytest.approx(math.sqrt(2 * eta_a * big_c), rel=1e-10)
    # C < 0: the spring dies, c -> sqrt(-eta_x C)
    a, c = G.repon_closed_form(0.5, 2.0, eta_a, eta_x, 200.0)
    big_c = G.conserved_quantity(0.5, 2.0, eta_a, eta_x)
    assert abs(a) < 1e-10 and c == pytest.approx(math.sqrt(-eta_x * big_c), rel=1e-10)


@settings(max_examples=30, deadline=None)
@given(amp, amp, eta, eta, st.floats(0.1, 10.0), st.floats(0.0, 30.0))
def test_symmetries_of_the_flow(a0, c0, eta_a, eta_x, k, t):
    a, c = G.repon_closed_form(a0, c0, eta_a, eta_x, t)
    # sign flips act on one component only
    a2, c2 = G.repon_closed_form(-a0, c0, eta_a, eta_x, t)
    assert a2 == pytest.approx(-a, abs=1e-14) and c2 == pytest.approx(c, abs=1e-14)
    a3, c3 = G.repon_closed_form(a0, -c0, eta_a, eta_x, t)
    assert a3 == pytest.approx(a, abs=1e-14) and c3 == pytest.approx(-c, abs=1e-14)
    # (k eta_A, k eta_x, t / k) leaves the trajectory unchanged
    a4, c4 = G.repon_closed_form(a0, c0, k * eta_a, k * eta_x, t / k)
    assert a4 == pytest.approx(a, rel=1e-10, abs=1e-14) and c4 == pytest.approx(c, rel=1e-10, abs=1e-14)


def test_rhs_and_conserved_quantity_derivative():
    a, c, eta_a, eta_x = 0.7, -1.3, 0.4, 0.9
    da, dc = G.reduced_repon_rhs(a, c, eta_a, eta_x)
    assert da == pytest.approx(-2 * eta_a * c * c * a)
    assert dc == pytest.approx(-eta_x * a * a * c)
    h = 1e-6
    grad_a = (G.conserved_quantity(a + h, c, eta_a, eta_x) - G.conserved_quantity(a - h, c, eta_a, eta_x)) / (2 * h)
    grad_c = (G.conserved_quantity(a, c + h, eta_a, eta_x) - G.conserved_quantity(a, c - h, eta_a, eta_x)) / (2 * h)
    assert grad_a * da + grad_c * dc == pytest.approx(0.0, abs=1e-8)
    assert G.reduced_repon_rhs(np.array([a]), np.array([c]), eta_a, eta_x)[0].shape == (1,)


@settings(max_examples=50, deadline=None)
@given(st.floats(1e-4, 1.0), st.floats(1e-4, 1.0), st.floats(0.1, 10.0), st.floats(0.1, 10.0), st.floats(0.1, 10.0))
def test_generalization_probability_properties(eta_enc, eta_dec, sa, sc, k):
    p = G.generalization_probability(eta_enc, eta_dec, sigma_a=sa, sigma_c=sc)
    assert 0.0 <= p < 1.0
    assert G.generalization_probability(k * eta_enc, k * eta_dec, sigma_a=sa, sigma_c=sc) == pytest.approx(p)
    assert G.generalization_probability(eta_enc, eta_dec, sigma_a=k * sa, sigma_c=k * sc) == pytest.approx(p)
    assert G.generalization_probability(2 * eta_enc, eta_dec, sigma_a=sa, sigma_c=sc) > p
    ratio = G.critical_lr_ratio(p, sigma_a=sa, sigma_c=sc)
    assert ratio == pytest.approx(eta_enc / eta_dec, rel=1e-8)
    half = 2 * (sc / sa) ** 2
    assert G.generalization_probability(half, 1.0, sigma_a=sa, sigma_c=sc) == pytest.approx(0.5)


def test_inverse_landmarks_and_cluster_form():
    assert G.critical_lr_ratio(0.5) == pytest.approx(2.0)
    assert G.critical_lr_ratio(0.75) == pytest.approx(11.657, abs=1e-3)
    assert G.critical_lr_ratio(0.9) == pytest.approx(79.7, abs=0.05)
    ps = [G.generalization_probability(1.0, 0.5, cluster_size=n) for n in (1, 2, 3, 8, 100)]
    assert ps[0] == pytest.approx(0.5)
    assert all(x > y for x, y in zip(ps, ps[1:]))
    assert ps[2] == pytest.approx(0.436, abs=1e-3) and ps[3] == pytest.approx(0.410, abs=1e-3)
    assert G.printed_cluster_probability(1.0, 0.5, cluster_size=1) == pytest.approx(0.295, abs=1e-3)
    for n in (1, 3, 8):
        p = G.generalization_probability(1.0, 0.5, cluster_size=n)
        assert G.critical_lr_ratio(p, cluster_size=n) == pytest.approx(2.0, rel=1e-10)


def test_sign_mc_matches_eq12():
    mc = G.generalization_probability_mc(1.0, 0.5, n_samples=20_000, rng=0)
    assert abs(mc.p - 0.5) <= 4 * mc.se


def test_ode_mc_agrees_with_sign():
    mc = G.generalization_probability_mc(1.0, 0.125, n_samples=300, rng=1, method="ode")
    assert mc.agreement >= 0.97
    assert abs(mc.p - G.generalization_probability(1.0, 0.125)) < 0.1


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
def test_ode_mc_horizon_follows_the_flow_time_unit(scale):
    # the flow's rate is linear in the learning rates: scaling both by s scales time by 1/s, and
    # the default horizon follows. A fixed t_end = 500 gave p = 0.0035 (agreement 0.87) at
    # (1e-3, 1e-2), where Eq. 12 gives 0.14
    mc = G.generalization_probability_mc(scale, 10 * scale, n_samples=300, rng=1, method="ode")
    unit = G.generalization_probability_mc(1.0, 10.0, n_samples=300, rng=1, method="ode")
    assert mc.p == unit.p and mc.agreement == unit.agreement >= 0.97
    small = G.generalization_probability_mc(1.0, 10.0, n_samples=300, rng=1, method="ode", sigma_a=0.1,
                                            sigma_c=0.1)
    assert small.p == unit.p


def test_cluster_ode_mc():
    mc = G.generalization_probability_mc(1.0, 0.5, n_samples=300, rng=2, method="ode", cluster_size=3)
    assert mc.agreement >= 0.97


def test_rate_limited_budget_raises_convergence_error():
    with pytest.raises(ConvergenceError) as info:
        G.integrate_repons([1.0, 0.5], [1.0, 0.2], 1.0, 1.0, 100.0, step="rate", h=0.1, max_steps=3)
    assert info.value.last_iterate is not None


def test_trajectory_repr():
    traj = G.integrate_repons(1.0, 1.0, 1.0, 1.0, 0.1, dt=0.01)
    assert "ReponTrajectory(" in repr(traj)


def test_ode_mc_default_horizon_that_overflows_is_refused():
    with pytest.raises(ValueError, match="t_end"):
        G.generalization_probability_mc(1e-300, 1.0, n_samples=10, rng=0, method="ode", sigma_a=1e-10)
