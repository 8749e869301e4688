"""Tests of efttheory.solvers.integrators (RK4, velocity Verlet, Dormand–Prince)."""

import numpy as np
import pytest
from numba import njit
from scipy.integrate import solve_ivp

from efttheory.errors import ConvergenceError
from efttheory.solvers import dormand_prince, rk4, velocity_verlet
from efttheory.solvers import _integrator_kernels as kernels


@njit(cache=True)
def oscillator(t, y, args):
    omega = args[0]
    out = np.empty_like(y)
    out[0] = y[1]
    out[1] = -omega * omega * y[0]
    return out


@njit(cache=True)
def spring_force(t, x, args):
    return -args[0] * x


@njit(cache=True)
def lotka_volterra(t, y, args):
    a, b, c, d = args
    return np.array([a * y[0] - b * y[0] * y[1], -c * y[1] + d * y[0] * y[1]])


@njit(cache=True)
def kepler(t, y, args):
    r3 = (y[0] * y[0] + y[1] * y[1]) ** 1.5
    return np.array([y[2], y[3], -y[0] / r3, -y[1] / r3])


@njit(cache=True)
def kepler_force(t, x, args):
    r3 = (x[0] * x[0] + x[1] * x[1]) ** 1.5
    return -x / r3


@njit(cache=True)
def forced_matrix(t, y, args):
    # a 2-D state: exercises arbitrary state shapes and time dependence
    return -y + np.sin(t)


@njit(cache=True)
def blow_up(t, y, args):
    return y * y


@njit(cache=True)
def wrong_shape(t, y, args):
    return np.zeros(y.size + 1)


def slope(h, err):
    return np.polyfit(np.log(h), np.log(err), 1)[0]


# ---------------------------------------------------------------- NumPy twins

def rk4_twin(f, y0, t_eval, dt, args):
    """Plain NumPy RK4 with the documented step layout."""
    y = np.array(y0, dtype=float)
    out = [y.copy()]
    for a, b in zip(t_eval[:-1], t_eval[1:]):
        m = max(1, int(np.ceil((b - a) / dt * (1 - 4 * np.finfo(float).eps))))
        h = (b - a) / m
        for j in range(m):
            t = a + j * h
            k1 = f(t, y, args)
            k2 = f(t + h / 2, y + h / 2 * k1, args)
            k3 = f(t + h / 2, y + h / 2 * k2, args)
            k4 = f(t + h, y + h * k3, args)
            y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out.append(y.copy())
    return np.array(out)


def verlet_twin(force, x0, v0, t_eval, dt, mass, args):
    x, v = np.array(x0, float), np.array(v0, float)
    a = force(t_eval[0], x, args) / mass
    xs, vs = [x.copy()], [v.copy()]
    for t0, t1 in zip(t_eval[:-1], t_eval[1:]):
        m = max(1, int(np.ceil((t1 - t0) / dt * (1 - 4 * np.finfo(float).eps))))
        h = (t1 - t0) / m
        for j in range(m):
            v = v + h / 2 * a
            x = x + h * v
            a = force(t0 + (j + 1) * h, x, args) / mass
            v = v + h / 2 * a
        xs.append(x.copy())
        vs.append(v.copy())
    return np.array(xs), np.array(vs)


def test_rk4_matches_numpy_twin_with_uneven_save_times():
    t_eval = np.array([0.0, 0.013, 0.5, 0.51, 2.0])
    y0 = np.array([[1.0, -0.5], [0.25, 2.0]])
    sol = rk4(forced_matrix, y0, t_eval, dt=0.02)
    twin = rk4_twin(getattr(forced_matrix, "py_func", forced_matrix), y0, t_eval, 0.02, ())
    assert sol.y.shape == (5, 2, 2)
    np.testing.assert_allclose(sol.y, twin, rtol=1e-13, atol=1e-14)
    np.testing.assert_array_equal(sol.y[0], y0)
    assert sol.n_steps == 1 + 25 + 1 + 75


@njit(cache=True)
def growth_returning_its_input(t, y, args):
    return y  # dy/dt = y, returned without a copy


@njit(cache=True)
def growth_returning_a_view(t, y, args):
    return y[:]


REUSED = np.empty(2)


def growth_into_reused_buffer(t, y, args):
    REUSED[:] = y
    return REUSED


@pytest.mark.parametrize("rhs", [growth_returning_its_input, growth_returning_a_view, growth_into_reused_buffer])
def test_rhs_returning_shared_memory_integrates_correctly(rhs):
    # RK4's stages used to overwrite a slope still needed when rhs returned its input
    # (y(1) = 2.72734 instead of e at dt = 0.01)
    y0 = np.array([1.0, -2.0])
    t_eval = np.array([0.0, 1.0])
    sol = rk4(rhs, y0, t_eval, dt=0.01)
    np.testing.assert_allclose(sol.y[-1], y0 * np.e, rtol=1e-8)
    np.testing.assert_array_equal(sol.y, rk4(lambda t, y, args: y.copy(), y0, t_eval, dt=0.01).y)
    adaptive = dormand_prince(rhs, y0, t_eval)
    np.testing.assert_array_equal(adaptive.y, dormand_prince(lambda t, y, args: y.copy(), y0, t_eval).y)


def test_rk4_save_times_multiple_of_dt_use_exact_steps():
    sol = rk4(oscillator, [1.0, 0.0], np.linspace(0.0, 1.0, 11), dt=0.01, args=(1.0,))
    assert sol.n_steps == 100
    assert sol.n_evaluations == 400


def test_verlet_matches_numpy_twin():
    t_eval = np.array([0.0, 0.3, 0.35, 1.0])
    mass = np.array([1.0, 2.0, 0.5])
    x0, v0 = np.array([1.0, -0.2, 0.3]), np.array([0.0, 0.4, -1.0])
    sol = velocity_verlet(spring_force, x0, v0, t_eval, dt=0.01, mass=mass, args=(3.0,))
    xs, vs = verlet_twin(getattr(spring_force, "py_func", spring_force), x0, v0, t_eval, 0.01, mass, (3.0,))
    np.testing.assert_allclose(sol.x, xs, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(sol.v, vs, rtol=1e-13, atol=1e-14)
    assert sol.n_evaluations == sol.n_steps + 1


def test_dormand_prince_compiled_equals_uncompiled_loop():
    args = (1.5, 1.0, 3.0, 1.0)
    t_eval = np.linspace(0.0, 5.0, 6)
    jit = dormand_prince(lotka_volterra, [10.0, 5.0], t_eval, rtol=1e-8, atol=1e-10, args=args)
    py = dormand_prince(getattr(lotka_volterra, "py_func", lotka_volterra), [10.0, 5.0], t_eval, rtol=1e-8, atol=1e-10, args=args)
    np.testing.assert_allclose(jit.y, py.y, rtol=1e-12, atol=1e-12)
    assert jit.n_steps == py.n_steps


def test_plain_python_callable_runs_uncompiled_loop():
    sol = rk4(lambda t, y, args: -y, [1.0], [0.0, 1.0], dt=0.01)
    assert abs(sol.y[-1, 0] - np.exp(-1.0)) < 1e-9


# ---------------------------------------------------------------- orders of accuracy

def test_rk4_convergence_order_is_four():
    dts = np.array([0.2, 0.1, 0.05, 0.025])
    exact = np.array([np.cos(4.0), -np.sin(4.0)])
    err = [np.abs(rk4(oscillator, [1.0, 0.0], [0.0, 4.0], dt=h, args=(1.0,)).y[-1] - exact).max()
           for h in dts]
    assert abs(slope(dts, err) - 4.0) <= 0.3


def test_verlet_convergence_order_is_two():
    dts = np.array([0.1, 0.05, 0.025, 0.0125])
    omega = 2.0
    err = []
    for h in dts:
        sol = velocity_verlet(spring_force, [1.0], [0.0], [0.0, 3.0], dt=h, args=(omega**2,))
        err.append(abs(sol.x[-1, 0] - np.cos(omega * 3.0)))
    assert abs(slope(dts, err) - 2.0) <= 0.2


def test_verlet_energy_bounded_over_1e5_steps():
    x0 = np.array([1.0, 0.0])
    v0 = np.array([0.0, 0.8])  # eccentric Kepler orbit, period 2*pi*a^1.5
    t_eval = np.linspace(0.0, 1000.0, 201)
    sol = velocity_verlet(kepler_force, x0, v0, t_eval, dt=0.01)
    assert sol.n_steps == 100_000
    energy = 0.5 * (sol.v**2).sum(axis=1) - 1.0 / np.linalg.norm(sol.x, axis=1)
    rel = np.abs(energy - energy[0]) / abs(energy[0])
    assert rel.max() < 1e-3
    # no secular drift: the late energy error is not larger than the early one
    assert rel[-50:].max() < 2.0 * rel[:50].max() + 1e-12


# ---------------------------------------------------------------- Dormand–Prince vs SciPy

def test_dormand_prince_lotka_volterra_matches_scipy_dop853():
    args = (1.5, 1.0, 3.0, 1.0)
    t_eval = np.linspace(0.0, 10.0, 21)
    ref = solve_ivp(lambda t, y: getattr(lotka_volterra, "py_func", lotka_volterra)(t, y, args), (0.0, 10.0), [10.0, 5.0],
                    method="DOP853", rtol=1e-12, atol=1e-12, t_eval=t_eval)
    sol = dormand_prince(lotka_volterra, [10.0, 5.0], t_eval, rtol=1e-11, atol=1e-11, args=args)
    np.testing.assert_allclose(sol.y, ref.y.T, rtol=1e-7, atol=1e-7)


def test_dormand_prince_kepler_matches_scipy_dop853():
    y0 = np.array([1.0, 0.0, 0.0, 1.2])
    t_eval = np.linspace(0.0, 20.0, 11)
    ref = solve_ivp(lambda t, y: getattr(kepler, "py_func", kepler)(t, y, ()), (0.0, 20.0), y0, method="DOP853",
                    rtol=1e-12, atol=1e-13, t_eval=t_eval)
    sol = dormand_prince(kepler, y0, t_eval, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(sol.y, ref.y.T, rtol=0, atol=1e-7)
    assert sol.n_evaluations == 6 * (sol.n_steps + sol.n_rejected) + 2


def test_dormand_prince_first_step_and_array_atol():
    sol = dormand_prince(oscillator, [1.0, 0.0], [0.0, 1.0], rtol=1e-9, atol=[1e-12, 1e-10],
                         first_step=1e-3, args=(1.0,))
    np.testing.assert_allclose(sol.y[-1], [np.cos(1.0), -np.sin(1.0)], atol=1e-8)


def test_dormand_prince_raises_when_step_budget_is_exhausted():
    with pytest.raises(ConvergenceError, match="max_steps") as info:
        dormand_prince(oscillator, [1.0, 0.0], [0.0, 100.0], rtol=1e-10, max_steps=20, args=(1.0,))
    t_last, y_last = info.value.last_iterate
    assert 0.0 < t_last < 100.0 and y_last.shape == (2,)
    assert info.value.iterations == 20


def test_dormand_prince_raises_on_step_underflow_at_singularity():
    # y' = y^2, y(0) = 1 blows up at t = 1
    with pytest.raises(ConvergenceError) as info:
        dormand_prince(blow_up, [1.0], [0.0, 2.0], rtol=1e-8, max_steps=100_000)
    assert info.value.last_iterate[0] < 1.0 + 1e-6


def test_rk4_raises_when_state_becomes_non_finite():
    with pytest.raises(ConvergenceError, match="non-finite") as info:
        rk4(blow_up, [1.0], [0.0, 0.5, 5.0], dt=0.1)
    assert np.isfinite(info.value.last_iterate).all()


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("bad", [[np.nan, 0.0], [np.inf, 1.0]])
def test_non_finite_initial_state_is_rejected(bad):
    with pytest.raises(ValueError, match="y0"):
        rk4(oscillator, bad, [0.0, 1.0], dt=0.1, args=(1.0,))
    with pytest.raises(ValueError, match="y0"):
        dormand_prince(oscillator, bad, [0.0, 1.0], args=(1.0,))
    with pytest.raises(ValueError, match="x0"):
        velocity_verlet(spring_force, bad, [0.0, 0.0], [0.0, 1.0], dt=0.1, args=(1.0,))


@pytest.mark.parametrize("dt", [0.0, -0.1, np.nan])
def test_non_positive_dt_is_rejected(dt):
    with pytest.raises(ValueError, match="dt"):
        rk4(oscillator, [1.0, 0.0], [0.0, 1.0], dt=dt, args=(1.0,))
    with pytest.raises(ValueError, match="dt"):
        velocity_verlet(spring_force, [1.0], [0.0], [0.0, 1.0], dt=dt, args=(1.0,))


@pytest.mark.parametrize("t_eval", [[1.0, 0.0], [0.0, 1.0, 1.0], [0.0], [0.0, np.nan]])
def test_bad_time_grid_is_rejected(t_eval):
    with pytest.raises(ValueError, match="t_eval"):
        rk4(oscillator, [1.0, 0.0], t_eval, dt=0.1, args=(1.0,))
    with pytest.raises(ValueError, match="t_eval"):
        dormand_prince(oscillator, [1.0, 0.0], t_eval, args=(1.0,))


def test_rhs_of_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match="rhs"):
        rk4(wrong_shape, [1.0, 0.0], [0.0, 1.0], dt=0.1)
    with pytest.raises(ValueError, match="rhs"):
        dormand_prince(wrong_shape, [1.0, 0.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="force"):
        velocity_verlet(wrong_shape, [1.0], [0.0], [0.0, 1.0], dt=0.1)


@njit
def _two_parameter_decay(t, y):
    return -y


@njit
def _decay(t, y, args):
    return -y


def test_function_with_the_wrong_parameters_is_named():
    # numba's bare "too many arguments: expected 2, got 3" did not say what was expected
    t = np.array([0.0, 1.0])
    for solve, kw in ((rk4, {"dt": 0.1}), (dormand_prince, {})):
        with pytest.raises(TypeError, match=r"rhs must take the three arguments \(t, y, args\).*expected 2"):
            solve(_two_parameter_decay, np.ones(2), t, **kw)
    with pytest.raises(TypeError, match=r"force must take the three arguments \(t, x, args\)"):
        velocity_verlet(lambda t, x: -x, np.ones(2), np.zeros(2), t, dt=0.1)


def test_zero_dimensional_state_with_a_jitted_rhs_gets_a_hint():
    with pytest.raises(ValueError, match=r"got float of shape \(\); a jitted function .* shape \(1,\)"):
        rk4(_decay, np.array(1.0), np.array([0.0, 1.0]), dt=0.1)
    out = rk4(_decay, np.array([1.0]), np.array([0.0, 1.0]), dt=0.01)  # the hinted form works
    assert out.y[-1, 0] == pytest.approx(np.exp(-1.0), rel=1e-9)


def test_other_bad_arguments_are_rejected():
    with pytest.raises(TypeError, match="rhs"):
        rk4("not a function", [1.0], [0.0, 1.0], dt=0.1)
    with pytest.raises(TypeError, match="args"):
        rk4(oscillator, [1.0, 0.0], [0.0, 1.0], dt=0.1, args=[1.0])
    with pytest.raises(ValueError, match="rtol"):
        dormand_prince(oscillator, [1.0, 0.0], [0.0, 1.0], rtol=0.0, args=(1.0,))
    with pytest.raises(ValueError, match="atol"):
        dormand_prince(oscillator, [1.0, 0.0], [0.0, 1.0], atol=-1.0, args=(1.0,))
    with pytest.raises(ValueError, match="max_steps"):
        dormand_prince(oscillator, [1.0, 0.0], [0.0, 1.0], max_steps=0, args=(1.0,))
    with pytest.raises(ValueError, match="mass"):
        velocity_verlet(spring_force, [1.0], [0.0], [0.0, 1.0], dt=0.1, mass=0.0, args=(1.0,))
    with pytest.raises(ValueError, match="v0"):
        velocity_verlet(spring_force, [1.0], [0.0, 1.0], [0.0, 1.0], dt=0.1, args=(1.0,))


# ---------------------------------------------------------------- kernel helpers vs NumPy

def test_step_control_helpers_match_numpy():
    rng = np.random.default_rng(3)
    v, s = rng.normal(size=7), rng.uniform(0.5, 2.0, size=7)
    assert kernels.rms_scaled(v, s) == pytest.approx(np.sqrt(np.mean((v / s) ** 2)), rel=1e-14)
    assert kernels.all_finite(v) and not kernels.all_finite(np.array([1.0, np.nan]))
    fac = kernels.pi_step_factor(0.5, 1e-4)
    assert fac == pytest.approx(min(10.0, max(0.2, 0.9 * 0.5**-0.17 * 1e-4**0.04)), rel=1e-14)
    assert kernels.reject_step_factor(np.inf) == 0.1
    assert 0.2 <= kernels.reject_step_factor(4.0) < 1.0


def test_linspace_save_times_do_not_add_rounding_steps():
    # 0.1 / 0.01 is 10 up to rounding: exactly 10 steps per interval, 1000 in all
    sol = rk4(_decay_rhs_for_step_count, np.array([1.0]), np.linspace(0.0, 10.0, 101), dt=0.01)
    assert sol.n_steps == 1000
    # a genuinely non-integer ratio still rounds up (no step longer than dt)
    sol = rk4(_decay_rhs_for_step_count, np.array([1.0]), np.array([0.0, 1.0]), dt=0.3)
    assert sol.n_steps == 4


@njit
def _decay_rhs_for_step_count(t, y, args):
    return -y


# ---------------------------------------------------------------- step budget of the fixed-step methods

def _counting_rhs():
    calls = []

    def rhs(t, y, args):
        calls.append(t)
        return -y

    return rhs, calls


@pytest.mark.parametrize("dt", [1e-17, 1e-300])
def test_rk4_refuses_absurd_step_count_before_any_work(dt):
    # span/dt beyond int64 used to wrap to a negative count, clipped to ONE huge step
    rhs, calls = _counting_rhs()
    with pytest.raises(ValueError, match=r"dt = .*max_steps"):
        rk4(rhs, np.array([1.0]), np.array([0.0, 100.0]), dt=dt)
    assert calls == []  # refused before the right-hand side was ever called
    with pytest.raises(ValueError, match=r"dt = .*max_steps"):
        rk4(_decay_rhs_for_step_count, np.array([1.0]), np.array([0.0, 100.0]), dt=dt)


def test_velocity_verlet_refuses_absurd_step_count_before_any_work():
    force, calls = _counting_rhs()
    with pytest.raises(ValueError, match=r"dt = .*max_steps"):
        velocity_verlet(force, np.array([1.0]), np.array([0.0]), np.array([0.0, 100.0]), dt=1e-17)
    assert calls == []


def test_fixed_step_budget_is_the_total_over_save_intervals():
    t_eval = np.linspace(0.0, 1.0, 11)  # 10 intervals of 10 steps each
    sol = rk4(_decay_rhs_for_step_count, np.array([1.0]), t_eval, dt=0.01, max_steps=100)
    assert sol.n_steps == 100
    with pytest.raises(ValueError, match="max_steps = 99"):
        rk4(_decay_rhs_for_step_count, np.array([1.0]), t_eval, dt=0.01, max_steps=99)
    sol = velocity_verlet(spring_force, [1.0], [0.0], t_eval, dt=0.01, max_steps=100, args=(1.0,))
    assert sol.n_steps == 100
    with pytest.raises(ValueError, match="max_steps"):
        velocity_verlet(spring_force, [1.0], [0.0], t_eval, dt=0.01, max_steps=99, args=(1.0,))


@pytest.mark.parametrize("max_steps, error", [(0, ValueError), (2**63, ValueError), (1.5, TypeError)])
def test_bad_max_steps_is_rejected(max_steps, error):
    with pytest.raises(error, match="max_steps"):
        rk4(_decay_rhs_for_step_count, np.array([1.0]), [0.0, 1.0], dt=0.1, max_steps=max_steps)


def test_overflowing_save_interval_is_rejected():
    # t_eval[1] - t_eval[0] = inf in float64: no finite step layout exists
    with pytest.raises(ValueError, match="t_eval"):
        rk4(_decay_rhs_for_step_count, np.array([1.0]), [-1e308, 1e308], dt=1.0)
    with pytest.raises(ValueError, match="t_eval"):
        velocity_verlet(spring_force, [1.0], [0.0], [-1e308, 1e308], dt=1.0, args=(1.0,))
