"""The Chinchilla law and its compute-optimal allocation (spec section 8)."""

import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.scaling import chinchilla as C

params_strategy = st.builds(
    C.ChinchillaParams,
    E=st.floats(0.5, 3.0), A=st.floats(10.0, 5000.0), B=st.floats(10.0, 5000.0),
    alpha=st.floats(0.1, 0.8), beta=st.floats(0.1, 0.8),
)
sizes = st.floats(1e6, 1e13)


@settings(deadline=None, max_examples=50, derandomize=True)
@given(params_strategy, sizes, sizes)
def test_loss_above_e_decreasing_and_log_form(p, n, d):
    value = C.chinchilla_loss(n, d, p)
    assert value > p.E
    assert C.chinchilla_loss(2 * n, d, p) < value
    assert C.chinchilla_loss(n, 2 * d, p) < value
    assert math.exp(C.log_chinchilla_loss(n, d, p)) == pytest.approx(value, rel=1e-12)


def test_loss_tends_to_e():
    p = C.EPOCH_2024
    assert C.chinchilla_loss(1e60, 1e60, p) == pytest.approx(p.E, rel=1e-12)


def test_log_roundtrip():
    p = C.HOFFMANN_2022_UNROUNDED
    q = C.ChinchillaParams.from_log(p.log())
    for name in C.PARAMETER_NAMES:
        assert getattr(q, name) == pytest.approx(getattr(p, name), rel=1e-14)
    assert p.A == pytest.approx(406.4, abs=0.05) and p.B == pytest.approx(410.7, abs=0.05)
    assert p.E == pytest.approx(1.6934, abs=1e-4)


@pytest.mark.parametrize("k", [0, 1, 2])
def test_from_log_refuses_an_exponential_beyond_float64(k):
    theta = np.array([6.0, 7.0, 0.5, 0.34, 0.28])
    theta[k] = 800.0
    with pytest.raises(ValueError, match=rf"theta\[{k}\].*709.783"):
        C.ChinchillaParams.from_log(theta)
    theta[k] = math.log(sys.float_info.max)  # the largest value whose exponential is finite
    assert math.isfinite(getattr(C.ChinchillaParams.from_log(theta), "ABE"[k]))
    theta[k] = -800.0  # exp underflows to 0; the message named A, B or E, not theta[k]
    with pytest.raises(ValueError, match=rf"theta\[{k}\] .* underflows to 0, got -800.0"):
        C.ChinchillaParams.from_log(theta)


@pytest.mark.parametrize("k, name", [(3, "alpha"), (4, "beta")])
def test_from_log_names_theta_for_a_nonpositive_exponent(k, name):
    theta = np.array([6.0, 7.0, 0.5, 0.34, 0.28])
    theta[k] = -0.5  # the message said "alpha must be > 0" for an argument called theta
    with pytest.raises(ValueError, match=rf"theta\[{k}\] \({name}\) must be > 0, got -0.5"):
        C.ChinchillaParams.from_log(theta)


@settings(deadline=None, max_examples=50, derandomize=True)
@given(params_strategy, st.floats(1e18, 1e26))
def test_compute_optimal_constraint_and_stationarity(p, c):
    opt = C.compute_optimal_allocation(c, p)
    assert 6 * opt.n_opt * opt.d_opt == pytest.approx(c, rel=1e-10)

    def along(log_n):
        n = math.exp(log_n)
        return C.chinchilla_loss(n, c / (6 * n), p)

    h = 1e-4
    x0 = math.log(opt.n_opt)
    derivative = (along(x0 + h) - along(x0 - h)) / (2 * h)
    assert abs(derivative) < 1e-6 * opt.loss
    for factor in (0.3, 0.8, 1.25, 3.0):
        assert opt.loss <= along(x0 + math.log(factor)) * (1 + 1e-12)


@settings(deadline=None, max_examples=50, derandomize=True)
@given(params_strategy, st.floats(1e18, 1e24), st.floats(1.5, 1e3))
def test_compute_optimal_scaling(p, c, k):
    a, b = C.compute_optimal_allocation(c, p), C.compute_optimal_allocation(k * c, p)
    assert b.n_opt == pytest.approx(k**p.share_N * a.n_opt, rel=1e-10)
    assert b.d_opt == pytest.approx(k**p.share_D * a.d_opt, rel=1e-10)


def test_equal_exponents_give_equal_shares():
    p = C.ChinchillaParams(E=1.7, A=400, B=900, alpha=0.3, beta=0.3)
    assert p.share_N == 0.5 and p.share_D == 0.5


@pytest.mark.parametrize("params, expected", [
    (C.HOFFMANN_2022_UNROUNDED, 59.0), (C.HOFFMANN_2022, 92.8), (C.EPOCH_2024, 18.33),
])
def test_tokens_per_parameter_regression(params, expected):
    # the spec quotes 18.3 for EPOCH_2024 (three figures; N_opt 7.3e10, D_opt 1.34e12): 18.327 unrounded
    ratio = C.compute_optimal_allocation(5.88e23, params).tokens_per_parameter
    assert ratio == pytest.approx(expected, rel=1e-3)


def test_vectorised_compute():
    out = C.compute_optimal_allocation(np.array([1e20, 1e22]), C.EPOCH_2024)
    assert out.n_opt.shape == (2,)
    assert "ComputeOptimal" in repr(out) and "D/N" in repr(C.compute_optimal_allocation(1e22, C.EPOCH_2024))


def test_huber_and_normalizer():
    assert C.huber(0.0005) == pytest.approx(0.5 * 0.0005**2)
    assert C.huber(-0.01) == pytest.approx(1e-3 * (0.01 - 0.0005))
    d = 0.7
    x = np.linspace(-200, 200, 2_000_001)
    numeric = np.trapezoid(np.exp(-C.huber(x, d)), x)
    assert C.huber_log_normalizer(d) == pytest.approx(math.log(numeric), rel=1e-6)


def test_chi2_survival_df5():
    scipy_stats = pytest.importorskip("scipy.stats")
    for x in (0.0, 0.5, 3.0, 11.07, 40.0, 238.4):
        assert C.chi2_survival_df5(x) == pytest.approx(scipy_stats.chi2.sf(x, 5), rel=1e-12, abs=1e-300)


def test_constants_and_grid():
    assert C.epoch_grid_starts().shape == (4500, 5)
    assert set(C.EPOCH_2024_SE) == set(C.PARAMETER_NAMES) == set(C.EPOCH_2024_CI95)
    assert "alpha=0.34" in repr(C.HOFFMANN_2022)
