"""Regression tests for hostile inputs: step budgets, overflow, huge factorials, shape errors."""

import math

import numpy as np
import pytest

from efttheory import generalization as G
from efttheory.generalization import _kernels as K
from tests.generalization.test_generalization_kernels import rk4_twin

X2 = np.array([[1.0, 0.0], [-1.0, 0.0]])


# ---------------------------------------------------------------- step budgets (fixed-step RK4)

@pytest.mark.parametrize("dt", [1e-11, 1e-19, 1e-300])
def test_integrate_repons_fixed_refuses_absurd_dt_before_work(dt):
    # 1e-11 used to run for minutes, 1e-19 / 1e-300 to raise OverflowError after the kernel ran
    with pytest.raises(ValueError, match=r"dt = .*max_steps = 100000000"):
        G.integrate_repons(1.0, 0.5, 1.0, 1.0, 1.0, dt=dt)


def test_integrate_repons_fixed_honours_max_steps():
    traj = G.integrate_repons(1.0, 0.5, 1.0, 1.0, 1.0, dt=1e-2, n_out=4, max_steps=100)
    assert traj.steps.tolist() == [100]
    with pytest.raises(ValueError, match="max_steps = 99"):
        G.integrate_repons(1.0, 0.5, 1.0, 1.0, 1.0, dt=1e-2, n_out=4, max_steps=99)
    with pytest.raises(ValueError, match="n_out"):
        G.integrate_repons(1.0, 0.5, 1.0, 1.0, 1.0, dt=1.0, n_out=10**30)


def test_integrate_repons_output_interval_shorter_than_dt_takes_one_step():
    # ceil(span/dt - 1e-9) = 0 used to divide by zero inside the kernel
    traj = G.integrate_repons(1.0, 0.5, 1.0, 1.0, 1e-12, dt=1e4)
    assert traj.steps.tolist() == [1]
    a, c = G.repon_closed_form(1.0, 0.5, 1.0, 1.0, 1e-12)
    assert traj.a[-1, 0] == pytest.approx(a, rel=1e-14) and traj.c[-1, 0] == pytest.approx(c, rel=1e-14)


def test_reduced_rk4_fixed_short_interval_matches_numpy_twin():
    a0, c0 = np.array([1.0, -0.3]), np.array([0.5, 2.0])
    ka, ex = np.array([2.0, 1.0]), np.array([1.0, 0.5])
    t_out = np.array([0.0, 1e-3, 1.0])
    a, c = K.reduced_rk4_fixed(a0, c0, ka, ex, t_out, 1e7)  # dt far beyond every interval
    aa, cc = rk4_twin(a0, c0, ka, ex, 1e-3)
    np.testing.assert_allclose(a[1], aa, rtol=1e-14)
    np.testing.assert_allclose(c[1], cc, rtol=1e-14)
    aa, cc = rk4_twin(aa, cc, ka, ex, 1.0 - 1e-3)
    np.testing.assert_allclose(a[2], aa, rtol=1e-14)
    np.testing.assert_allclose(c[2], cc, rtol=1e-14)


@pytest.mark.parametrize("kwargs, name", [
    (dict(dt=1e-300), "dt"),
    (dict(dt=1e-19, record_every=10**30), "record_every"),
    (dict(dt=0.1, record_every=10**30), "record_every"),
    (dict(dt=1e-3, max_steps=999), "max_steps = 999"),
    (dict(dt=0.1, record_every=3, max_steps=10), "record_every = 3"),
])
def test_integrate_many_repons_refuses_absurd_step_counts(kwargs, name):
    with pytest.raises(ValueError, match=name):
        G.integrate_many_repons(X2, np.eye(2), G.class_weights([0, 0]), 1.0, 1.0, 1.0, **kwargs)


def test_integrate_many_repons_budget_is_inclusive():
    traj = G.integrate_many_repons(X2, np.eye(2), G.class_weights([0, 0]), 1.0, 1.0, 1.0, dt=0.1,
                                   record_every=5, max_steps=10)
    np.testing.assert_allclose(traj.t, [0.0, 0.5, 1.0])


# ---------------------------------------------------------------- description length without n!

@pytest.fixture
def no_big_factorial(monkeypatch):
    real = math.factorial

    def guarded(n):
        if n > 1000:
            raise AssertionError(f"math.factorial({n}) formed: the check must stay in log space")
        return real(n)

    monkeypatch.setattr(math, "factorial", guarded)


def test_description_length_of_huge_n_does_not_form_n_factorial(no_big_factorial):
    # the range check `count > math.factorial(n)` took 22 s at n = 1e6 and hung at 1e7
    b = G.description_length(10**7, 1)
    assert b == pytest.approx(math.lgamma(10**7 + 1) / math.log(2.0), rel=1e-15)
    assert G.description_length_relation("greater_than", 10**7) == b
    stat = G.relation_statics("greater_than", 10**6)
    assert stat.bits == pytest.approx(math.lgamma(10**6 + 1) / math.log(2.0), rel=1e-15)
    with pytest.raises(ValueError, match="automorphisms"):
        G.description_length(10**6, 2**(10**8))  # far above n!: refused in log space


@pytest.mark.parametrize("n", [2, 3, 4, 5, 10, 20, 22, 23, 30, 60, 170, 171])
def test_description_length_range_check_is_exact_at_n_factorial(n):
    f = math.factorial(n)
    assert G.description_length(n, f) == pytest.approx(0.0, abs=1e-12)  # accepted: count = n!
    assert G.description_length(n, f - 1) >= 0.0
    with pytest.raises(ValueError, match=rf"\[1, {n}!\]"):
        G.description_length(n, f + 1)


# ---------------------------------------------------------------- overflow-safe repon formulas

def _closed_form_reference(a0, c0, eta_a, eta_x, t, kappa=2):
    """The closed form in 60-digit arithmetic (mpmath), from the same float inputs."""
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(60):
        a0, c0, eta_a, eta_x, t = (mpmath.mpf(v) for v in (a0, c0, eta_a, eta_x, t))
        p, q = eta_x * a0**2 * t, kappa * eta_a * c0**2 * t
        s = abs(2 * (p - q))
        psi = (1 - mpmath.exp(-s)) / s if s > 0 else mpmath.mpf(1)
        g, e = 2 * q * psi, mpmath.exp(-s)
        if p >= q:
            return float(a0 / mpmath.sqrt(1 + g)), float(c0 * mpmath.sqrt(e / (1 + g)))
        return float(a0 * mpmath.sqrt(e / (e + g))), float(c0 / mpmath.sqrt(e + g))


@pytest.mark.parametrize("args", [
    (1.0, 0.5, 1e300, 1e300, 1.0),  # returned a = 1.0 (x overflowed, psi(inf) = 0)
    (0.5, 1.0, 1.0, 1.0, 1e308),    # returned (nan, nan)
    (1e200, 1e200, 1.0, 1.0, 1.0),  # returned (nan, nan)
    (1.0, 0.5, 1e-300, 1e-300, 1e300),  # beta * eta_x underflowed to 0: silently wrong
    (2.0, 1.0, 1e308, 1e-308, 1e10),
    (1e-160, 5e-161, 1.0, 1.0, 1e308),
])
def test_repon_closed_form_is_overflow_safe(args):
    a, c = G.repon_closed_form(*args)
    ref_a, ref_c = _closed_form_reference(*args)
    assert a == pytest.approx(ref_a, rel=1e-12, abs=1e-300)
    assert c == pytest.approx(ref_c, rel=1e-12, abs=1e-300)


def test_repon_closed_form_ordinary_inputs_unchanged():
    # the correctly rounded values are 0.7071148069727367, 0.002382251045825425 (mpmath); the
    # last bit of a SIMD exp/expm1 may differ between CPUs
    a, c = G.repon_closed_form(1.0, 0.5, 1.0, 1.0, 10.0)
    assert a == pytest.approx(0.7071148069727367, rel=1e-14, abs=0.0)
    assert c == pytest.approx(0.002382251045825425, rel=1e-14, abs=0.0)


@pytest.mark.parametrize("scale", [1e200, 1e-200, 1e150])
def test_conserved_quantity_sign_survives_overflow(scale):
    # C = scale^2 (a^2/2 - c^2): NaN (inf - inf) or 0 (underflow) used to count as "no collision"
    big_c = G.conserved_quantity(1.0 * scale, 0.5 * scale, 1.0, 1.0)
    assert not math.isnan(big_c) and big_c >= 0
    assert G.conserved_quantity(0.5 * scale, 1.0 * scale, 1.0, 1.0) <= 0
    est = G.generalization_probability_mc(2.0, 1.0, n_samples=1000, rng=0, sigma_a=scale, sigma_c=scale)
    assert est.p == G.generalization_probability_mc(2.0, 1.0, n_samples=1000, rng=0).p  # scale invariant
    assert abs(est.p - 0.5) < 0.05


def test_conserved_quantity_matches_exact_arithmetic_beyond_the_range():
    from fractions import Fraction
    for a, c, ea, ex in [(1e200, 7e199, 1.0, 3.0), (3.0, 2.0, 5e-324, 1e-300), (1e100, 7e99, 1e100, 3e-100)]:
        exact = Fraction(a) ** 2 / (2 * Fraction(ea)) - Fraction(c) ** 2 / Fraction(ex)
        want = float(exact) if abs(exact) < Fraction(np.finfo(float).max) else (math.inf if exact > 0 else -math.inf)
        assert G.conserved_quantity(a, c, ea, ex) == pytest.approx(want, rel=1e-15)


def test_reduced_repon_rhs_has_no_spurious_overflow():
    da, dc = G.reduced_repon_rhs(1e200, 1e-200, 1.0, 1.0)  # -eta a a c = -1e200, not -inf
    assert dc == pytest.approx(-1e200, rel=1e-15) and da == pytest.approx(-2e-200, rel=1e-15, abs=0.0)
    assert G.reduced_repon_rhs(1.0, 0.5, 1.0, 2.0) == (-0.5, -1.0)


def test_integrate_repons_refuses_overflowing_amplitudes_and_flags_blow_up():
    from efttheory.errors import ConvergenceError
    for step in ("fixed", "rate"):
        with pytest.raises(ValueError, match="a0, c0"):
            G.integrate_repons(1e200, 1e200, 1.0, 1.0, 1.0, step=step)
    with pytest.raises(ConvergenceError, match="dt"):
        G.integrate_repons(1e3, 1e3, 1.0, 1.0, 1.0, dt=0.1)  # rate * dt = 2e5: RK4 blows up
    with pytest.raises(ValueError, match="sigma_a"):
        G.generalization_probability_mc(2.0, 1.0, n_samples=10, rng=0, sigma_a=1e200, sigma_c=1e200,
                                        method="ode")


def test_critical_lr_ratio_never_returns_inf():
    with pytest.raises(ValueError, match="sigma_a"):
        G.critical_lr_ratio(0.5, sigma_a=1e-200, sigma_c=1e200)
    with pytest.raises(ValueError, match="sigma_a"):
        G.critical_lr_ratio(0.5, sigma_a=1e-320, sigma_c=1.0)
    r = G.critical_lr_ratio(0.5, sigma_a=1e-150, sigma_c=1e-10)  # (1e140)^2 tan^2 / (1/2)
    assert r == pytest.approx(2e280, rel=1e-12)
    assert G.critical_lr_ratio(0.5) == pytest.approx(2.0, rel=1e-15, abs=0.0)  # 2 tan^2(pi/4)


def test_generalization_probability_no_nan_from_inf_times_zero():
    p = G.generalization_probability(1e-308, 1e308, sigma_a=1e308, sigma_c=1e-308)
    assert p == 1.0  # argument 7e307: arctan is pi/2 to rounding


# ---------------------------------------------------------------- shapes, memory and argument names

def test_many_repon_invariant_checks_shapes():
    with pytest.raises(ValueError, match="head must have shape"):
        G.many_repon_invariant(np.ones((2, 2)), np.eye(3), 1.0, 1.0)  # used to return 1.0
    with pytest.raises(ValueError, match="x must have at least 1"):
        G.many_repon_invariant(np.empty((0, 2)), np.empty((0, 2)), 1.0, 1.0)  # used to return 0.0
    assert G.many_repon_invariant([[0.5, 0.0], [-0.5, 0.0]], [[1.0, 0.0]], 1.0, 1.0) == 0.5


def test_integrate_repons_rejects_empty_batch():
    with pytest.raises(ValueError, match="a0"):
        G.integrate_repons([], [], 1.0, 1.0, 1.0)  # used to return a result whose repr raised


@pytest.mark.parametrize("b, m, name", [(10**30, 4, "b must be <="), (4, 10**12, "max"), (4, np.uint64(2**63), "max")])
def test_balls_in_buckets_refuses_impossible_sizes(b, m, name):
    with pytest.raises(ValueError, match=name):
        G.balls_in_buckets_mc(b, m, n_trials=10, rng=0)


def test_balls_in_buckets_huge_b_needs_no_length_b_table():
    est = G.balls_in_buckets_mc(2**62, [0, 1, 50], n_trials=10, rng=0)  # used to raise MemoryError
    np.testing.assert_array_equal(est.p, [0.0, 2.0**-62, 50 * 2.0**-62])


def test_balls_in_buckets_sparse_path_matches_kernel(monkeypatch):
    from efttheory.generalization import closure
    want = G.balls_in_buckets_mc(7, [0, 3, 10, 40], n_trials=50, rng=3)
    monkeypatch.setattr(closure, "_DENSE_MAX_BUCKETS", 1)
    got = G.balls_in_buckets_mc(7, [0, 3, 10, 40], n_trials=50, rng=3)
    np.testing.assert_array_equal(got.p, want.p)
    np.testing.assert_array_equal(got.se, want.se)


def test_boundary_ratio_names_a_bad_phases_argument():
    P = G.Phase
    with pytest.raises(TypeError, match="phases_per_seed"):
        G.boundary_ratio([1, 10, 100], None)
    with pytest.raises(TypeError, match="phases_per_seed"):
        G.boundary_ratio([1, 10], [P.GENERALIZATION, P.GENERALIZATION])
    rows = ([P.GENERALIZATION], [P.GENERALIZATION], [P.MEMORIZATION])
    assert G.boundary_ratio([1, 10, 100], (r for r in rows)).upper == 100.0


@pytest.mark.parametrize("call", [
    lambda: G.reduced_repon_rhs([1.0, 2.0], [1.0, 2.0, 3.0], 1.0, 2.0),
    lambda: G.conserved_quantity([1.0, 2.0], [1.0, 2.0, 3.0], 1.0, 1.0),
    lambda: G.repon_closed_form([1.0, 2.0], [1.0, 2.0, 3.0], 1.0, 1.0, 1.0),
])
def test_broadcast_errors_name_the_arguments(call):
    with pytest.raises(ValueError, match=r"^a0?, c0?(, t)? must broadcast"):
        call()


def test_closed_form_keeps_results_near_underflow():
    # exp(-s) for s in (708, 745] is subnormal or 0: c came back 0.0 instead of 6.771e-175
    import mpmath

    with mpmath.workdps(40):
        # two repons: kappa = 2, C = a0^2/(kappa eta_dec) - c0^2/eta_enc, x = 2 kappa eta_dec eta_enc C t,
        # g = 2 kappa eta_dec c0^2 t (1 - e^-x)/x and c = c0 sqrt(e^-x/(1 + g))  (rates 1)
        a0, c0, t, kappa = mpmath.mpf(1), mpmath.mpf("0.5"), mpmath.mpf(800), mpmath.mpf(2)
        x = 2 * kappa * (a0**2 / kappa - c0**2) * t
        g = 2 * kappa * c0**2 * t * (1 - mpmath.exp(-x)) / x
        c_exact = c0 * mpmath.sqrt(mpmath.exp(-x) / (1 + g))
    assert 6e-175 < c_exact < 7e-175
    a, c = G.repon_closed_form(1.0, 0.5, 1.0, 1.0, 800.0)
    assert c == pytest.approx(float(c_exact), rel=1e-10, abs=0.0)
    assert G.conserved_quantity(a, c, 1.0, 1.0) == pytest.approx(G.conserved_quantity(1.0, 0.5, 1.0, 1.0), rel=1e-12)


def test_critical_ratio_is_accurate_near_p_one():
    # tan(pi p / 2) at p = 1 - 2**-53 was 62 % off: the inverse now uses 1/tan(pi (1 - p)/2)
    import mpmath

    for p in (1 - 2.0**-53, 1 - 1e-12, 0.999, 0.75):
        with mpmath.workdps(40):
            exact = 2 * mpmath.tan(mpmath.pi * mpmath.mpf(p) / 2) ** 2  # factor 1/2, unit widths
        assert G.critical_lr_ratio(p) == pytest.approx(float(exact), rel=1e-13)


def test_orbit_of_size_two_is_exactly_one_bit():
    # lgamma gave 0.9999999999999996 bits, which the downstream functions reject as b < 1
    assert G.description_length_relation("greater_than", 2) == 1.0
    assert G.description_length_relation("greater_than", 2, approx=True) == 1.0
    assert G.description_length(3, 3) == 1.0
    assert G.description_length(10, math.factorial(10) // 2) == 1.0
    assert G.known_fraction(4, G.description_length_relation("greater_than", 2)) > 0
