"""The symmetric pair's even Taylor series and the small-``w`` ticket fit, against mpmath."""

import math
import sys

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from efttheory.scaling import lottery as L
from efttheory.scaling import _pair_series as S

MP_ACTIVATIONS = {
    "silu": lambda z: z / (1 + mpmath.exp(-z)),
    "tanh": mpmath.tanh,
    "sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)),
}


def mp_ticket_fit(w, b, activation, lo=-2.0, hi=2.0, n_grid=101):
    """Least squares of x^2 on (1, sigma(b + wx) + sigma(b - wx)) in 50-digit arithmetic."""
    f = MP_ACTIVATIONS[activation]
    # near b = 0 the tanh pair cancels to O(b): carry enough digits for that too
    digits = 50 + (int(-math.log10(abs(b))) if 0.0 < abs(b) < 1.0 else 0)
    with mpmath.workdps(digits):
        w, b = mpmath.mpf(w), mpmath.mpf(b)
        xs = [mpmath.mpf(float(v)) for v in np.linspace(lo, hi, n_grid)]
        phi = [f(b + w * x) + f(b - w * x) for x in xs]
        y = [x * x for x in xs]
        phi_mean, y_mean = mpmath.fsum(phi) / n_grid, mpmath.fsum(y) / n_grid
        pc = [p - phi_mean for p in phi]
        yc = [q - y_mean for q in y]
        v = mpmath.fsum(p * q for p, q in zip(pc, yc)) / mpmath.fsum(p * p for p in pc)
        mse = mpmath.fsum((v * p - q) ** 2 for p, q in zip(pc, yc)) / n_grid
        return float(v), float(y_mean - v * phi_mean), float(mse)


@pytest.mark.parametrize("activation", ["silu", "tanh", "sigmoid"])
@pytest.mark.parametrize("z", [-30.0, -2.4, -0.7, 0.0, 1e-8, 0.3, 1.04, 5.0, 30.0])
def test_activation_derivatives_match_mpmath(activation, z):
    got = S.activation_derivatives(activation, z, 17)
    with mpmath.workdps(60):
        coefficients = mpmath.taylor(MP_ACTIVATIONS[activation], mpmath.mpf(z), 17)
        values = np.array([float(c * mpmath.factorial(n)) for n, c in enumerate(coefficients)])
    # absolute error relative to the size of each derivative over the real line (orders <= 6 also
    # relatively where the value is not close to a zero of the derivative)
    typical = np.array([max(1.0, math.factorial(n) / (math.pi / 2) ** n) for n in range(18)])
    np.testing.assert_array_less(np.abs(got - values), 1e-12 * typical + 1e-300)
    low = np.abs(values[:7]) > 1e-3 * typical[:7]
    np.testing.assert_allclose(got[:7][low], values[:7][low], rtol=1e-12)


def test_activation_derivatives_closed_forms():
    # the recursion against the hand-derived SiLU derivatives and tanh' = sech^2, tanh'' = -2 tanh sech^2
    z = np.linspace(-6.0, 6.0, 25)
    for order in range(5):
        got = [S.activation_derivatives("silu", zi, 4)[order] for zi in z]
        np.testing.assert_allclose(got, L.silu_derivative(z, order), rtol=1e-12, atol=1e-15)
    t = np.tanh(z)
    tanh_d = np.array([S.activation_derivatives("tanh", zi, 2) for zi in z])
    np.testing.assert_allclose(tanh_d[:, 1], 1 / np.cosh(z) ** 2, rtol=1e-12)
    np.testing.assert_allclose(tanh_d[:, 2], -2 * t / np.cosh(z) ** 2, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="n_max"):
        S.activation_derivatives("silu", 0.0, S.MAX_ORDER + 2)


@pytest.mark.parametrize("activation", ["silu", "tanh"])
@pytest.mark.parametrize("b", [-36.0, -1.3, 0.0, 0.4, 1.04, 20.0])
def test_even_pair_series_reproduces_the_pair(activation, b):
    a = S.even_pair_coefficients(activation, b)
    f = MP_ACTIVATIONS[activation]
    for u in (1e-6, 1e-3, 0.05, S.SERIES_RADIUS):
        series = sum(ak * u ** (2 * k) for k, ak in enumerate(a, start=1))
        with mpmath.workdps(60):
            exact = f(mpmath.mpf(b) + u) + f(mpmath.mpf(b) - u) - 2 * f(mpmath.mpf(b))
        if exact == 0:
            assert series == 0.0
        else:
            assert series == pytest.approx(float(exact), rel=1e-12, abs=0.0)


@pytest.mark.parametrize("w, b", [(1e-3, 1.0), (1e-4, 1.0), (-1.1078e-4, 1.18), (1e-5, 1.0), (1e-6, -0.3)])
def test_small_w_ticket_fit_matches_extended_precision(w, b):
    # evaluating sigma(b + wx) + sigma(b - wx) directly left round-off of 2 sigma(b) in the
    # feature, which v ~ 1/w^2 amplified: at (1e-4, 1) the MSE was 2.0e-15 instead of 3.6e-21
    fit = L.ticket_best_fit(w, b, n_grid=101)
    v, c, mse = mp_ticket_fit(w, b, "silu")
    assert fit.mse == pytest.approx(mse, rel=1e-9, abs=0.0)
    assert fit.v == pytest.approx(v, rel=1e-12, abs=0.0)
    assert fit.c == pytest.approx(c, rel=1e-12, abs=0.0)


def test_small_w_keeps_the_fourth_power_law():
    w = np.geomspace(1e-6, 1e-2, 9)
    for activation in ("silu", "tanh"):
        mse = np.array([L.ticket_best_fit(wi, 1.0, activation=activation).mse for wi in w])
        np.testing.assert_allclose(np.diff(np.log(mse)) / np.diff(np.log(w)), 4.0, atol=1e-3)


@settings(max_examples=30, deadline=None)
@example(log_w=-3.0, sign=-1.0, b=6.975506527574317e-138, activation="tanh")
@example(log_w=0.0, sign=-1.0, b=1e-12, activation="tanh")
@example(log_w=0.0, sign=1.0, b=0.0, activation="tanh")
@example(log_w=0.0, sign=-1.0, b=8.690661322907323e-178, activation="tanh")
@example(log_w=0.0, sign=-1.0, b=2.225073858507203e-309, activation="tanh")  # v beyond float64
@given(
    log_w=st.floats(math.log(1e-6), math.log(10.0)),
    sign=st.sampled_from([-1.0, 1.0]),
    b=st.floats(-3.0, 3.0),
    activation=st.sampled_from(["silu", "tanh"]),
)
def test_ticket_fit_matches_extended_precision(log_w, sign, b, activation):
    w = sign * math.exp(log_w)
    if activation == "tanh" and b == 0.0:  # tanh(u) + tanh(-u) = 0: no fit exists
        with pytest.raises(ValueError, match="constant"):
            L.ticket_best_fit(w, b, activation=activation, n_grid=101)
        return
    v, c, mse = mp_ticket_fit(w, b, activation)
    if abs(v) > sys.float_info.max:  # e.g. tanh with a subnormal b: the feature is ~b, v ~ 1/b
        with pytest.raises(ValueError, match="beyond the float64 range"):
            L.ticket_best_fit(w, b, activation=activation, n_grid=101)
        return
    fit = L.ticket_best_fit(w, b, activation=activation, n_grid=101)
    assert fit.mse == pytest.approx(mse, rel=1e-6, abs=0.0)
    assert fit.v == pytest.approx(v, rel=1e-9, abs=0.0)
    assert fit.c == pytest.approx(c, rel=1e-9, abs=1e-9)


def test_far_tail_pair_is_not_called_constant():
    # every value of silu(-36 +- 0.5x) is ~1e-15: a variation far above round-off, not a constant
    fit = L.ticket_best_fit(0.5, -36.0, n_grid=101)
    assert fit.mse == pytest.approx(mp_ticket_fit(0.5, -36.0, "silu")[2], rel=1e-9, abs=0.0)


def test_series_path_still_rejects_constant_features():
    for w in (1e-3, 1.0):  # tanh(u) + tanh(-u) = 0, in the series and the direct evaluation
        with pytest.raises(ValueError, match="constant"):
            L.ticket_best_fit(w, 0.0, activation="tanh")
    with pytest.raises(ValueError, match="float64 range"):
        L.ticket_best_fit(1e-200, 0.5)  # v ~ 1/w^2 overflows


@pytest.mark.parametrize("w, b, x", [
    (1.0, 1e-10, 1.0),      # tiny bias: the two tanh terms nearly cancel (was 7e-7 off)
    (1.0, 2.0, 30.0),       # |wx| > |b|: tanh(32) + tanh(-28), both round to +-1 (was 0)
    (3.0, -0.4, 0.2),       # ordinary point
    (0.01, 200.0, 4.0),     # large bias, no cancellation
])
def test_symmetric_tanh_ticket_keeps_relative_accuracy(w, b, x):
    with mpmath.workdps(400):
        expected = float(mpmath.tanh(mpmath.mpf(b) + mpmath.mpf(w) * mpmath.mpf(x))
                         + mpmath.tanh(mpmath.mpf(b) - mpmath.mpf(w) * mpmath.mpf(x)))
    got = L.symmetric_ticket(x, w, b, 1.0, activation="tanh")
    assert got == pytest.approx(expected, rel=1e-14, abs=0.0)
