"""Symbolic re-derivation (sympy) of the closed forms used by efttheory.scaling.lottery."""

import numpy as np
import pytest
import sympy as sp

from efttheory.scaling import lottery as L

x, t, z, h, a = sp.symbols("x t z h a", real=True)
w, b, v = sp.symbols("w b v", real=True)
n = sp.symbols("n", positive=True)
mu, s, r = sp.symbols("mu s r", nonnegative=True)

SILU = z / (1 + sp.exp(-z))


def test_interpolation_error_h4_over_30():
    # linear interpolant of x^2 on [a, a + h] errs by (x - a)(a + h - x); mean square over the segment
    interp = a**2 + (2 * a + h) * (x - a)
    err = sp.expand(x**2 - interp)
    assert sp.simplify(err - (-(x - a) * (a + h - x))) == 0
    mse = sp.integrate(err**2, (x, a, a + h)) / h
    assert sp.simplify(mse - h**4 / 30) == 0
    # the interval [-2, 2] in K pieces: the package's value
    assert float((mse.subs({h: sp.Rational(4, 7), a: 0}))) == pytest.approx(L.relu_interpolation_mse(7), rel=1e-14)


def test_best_line_h4_over_180_and_shift_h2_over_6():
    alpha, beta = sp.symbols("alpha beta", real=True)
    loss = sp.integrate((x**2 - alpha - beta * x) ** 2, (x, a, a + h)) / h
    sol = sp.solve([sp.diff(loss, alpha), sp.diff(loss, beta)], [alpha, beta], dict=True)[0]
    best = sp.simplify(loss.subs(sol))
    assert sp.simplify(best - h**4 / 180) == 0  # independent of the segment's position a
    # the best line is the secant shifted down by h^2/6
    secant = a**2 + (2 * a + h) * (x - a)
    assert sp.simplify((sol[alpha] + sol[beta] * x) - (secant - h**2 / 6)) == 0
    # K = N + 1 pieces of [-2, 2]: the package's bound
    for n_hidden in (0, 3, 8):
        value = best.subs(h, sp.Rational(4, n_hidden + 1))
        assert float(value) == pytest.approx(L.relu_optimal_mse(n_hidden), rel=1e-14)


def test_equal_widths_minimise_sum_of_fifth_powers():
    # sum_k h_k^5 / L with sum_k h_k = L: stationary and minimal at equal widths (K = 3 shown)
    h1, h2, length = sp.symbols("h1 h2 L", positive=True)
    total = h1**5 + h2**5 + (length - h1 - h2) ** 5
    sol = sp.solve([sp.diff(total, h1), sp.diff(total, h2)], [h1, h2], dict=True)
    assert {"h1": length / 3, "h2": length / 3} in [{str(k): val for k, val in d.items()} for d in sol]
    hess = sp.hessian(total, (h1, h2)).subs({h1: length / 3, h2: length / 3})
    assert all(ev > 0 for ev in hess.subs(length, 1).eigenvals())


@pytest.mark.parametrize("order", [0, 1, 2, 3, 4])
def test_silu_derivatives_closed_forms(order):
    sig = 1 / (1 + sp.exp(-z))
    p = sig * (1 - sig)
    closed = {
        0: z * sig,
        1: sig + z * p,
        2: 2 * p + z * p * (1 - 2 * sig),
        3: 3 * p * (1 - 2 * sig) + z * p * (1 - 6 * p),
        4: 4 * p * (1 - 6 * p) + z * p * (1 - 2 * sig) * (1 - 12 * p),
    }[order]
    exact = sp.diff(SILU, z, order)
    # identical as functions: the difference vanishes to 40 digits at rational points
    for point in (sp.Rational(-7, 2), sp.Rational(-1, 3), 0, sp.Rational(5, 4), 6):
        assert abs(sp.N((exact - closed).subs(z, point), 50)) < sp.Float("1e-40")
    f = sp.lambdify(z, exact, "numpy")
    pts = np.linspace(-5, 5, 23)
    np.testing.assert_allclose(L.silu_derivative(pts, order), f(pts), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("order", [0, 1, 2, 3, 4])
def test_tanh_derivatives(order):
    f = sp.lambdify(z, sp.diff(sp.tanh(z), z, order), "numpy")
    pts = np.linspace(-3, 3, 17)
    np.testing.assert_allclose(L._tanh_derivative(pts, order), f(pts), rtol=1e-12, atol=1e-14)


def test_silu_values_at_zero():
    assert sp.limit(sp.diff(SILU, z, 2), z, 0) == sp.Rational(1, 2)
    assert sp.limit(sp.diff(SILU, z, 4), z, 0) == sp.Rational(-1, 2)
    # sigma'''' vanishes at b = +-1.032 (the spec rounds this to 1.04)
    root = sp.nsolve(sp.diff(SILU, z, 4), z, 1.0)
    assert float(root) == pytest.approx(1.0320, abs=1e-4)
    assert L.silu_derivative(float(root), 4) == pytest.approx(0.0, abs=1e-14)
    assert L.silu_derivative(-float(root), 4) == pytest.approx(0.0, abs=1e-14)


@pytest.mark.parametrize("activation, act", [("silu", SILU), ("tanh", sp.tanh(z))])
def test_symmetric_ticket_taylor_series(activation, act):
    ticket = v * (act.subs(z, b + w * x) + act.subs(z, b - w * x))
    series = sp.series(ticket, x, 0, 6).removeO()
    # odd coefficients vanish identically
    for k in (1, 3, 5):
        assert sp.simplify(series.coeff(x, k)) == 0
    # general form: c0 = 2 v sigma(b), c2 = v sigma''(b) w^2, c4 = v sigma''''(b) w^4 / 12
    expected = {
        0: 2 * v * act.subs(z, b),
        2: v * sp.diff(act, z, 2).subs(z, b) * w**2,
        4: v * sp.diff(act, z, 4).subs(z, b) * w**4 / 12,
    }
    rng = np.random.default_rng(11)
    for _ in range(3):
        vals = {w: float(rng.uniform(-2, 2)), b: float(rng.uniform(-2, 2)), v: float(rng.uniform(-3, 3))}
        taylor = L.ticket_taylor_coefficients(vals[w], vals[b], vals[v], activation=activation)
        for k, got in ((0, taylor.c0), (2, taylor.c2), (4, taylor.c4)):
            want = float(series.coeff(x, k).subs(vals))
            assert float(expected[k].subs(vals)) == pytest.approx(want, rel=1e-12, abs=1e-300)
            assert got == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_ensemble_mse_expectation():
    # errors e_k = mu + s (sqrt(r) Z_0 + sqrt(1 - r) Z_k), Z independent standard normals:
    # E[(mean_k e_k)^2] = mu^2 + Var(mean) with Var(mean) = 1^T Sigma 1 / n^2
    for n_val in range(1, 6):
        sigma = s**2 * ((1 - r) * sp.eye(n_val) + r * sp.ones(n_val, n_val))
        ones = sp.ones(n_val, 1)
        var_mean = (ones.T * sigma * ones)[0, 0] / n_val**2
        assert sp.simplify(mu**2 + var_mean - (mu**2 + s**2 * (r + (1 - r) / n_val))) == 0
    # general n: 1^T Sigma 1 = s^2 (n (1 - r) + n^2 r)
    general = mu**2 + s**2 * (n * (1 - r) + n**2 * r) / n**2
    formula = mu**2 + s**2 * (r + (1 - r) / n)
    assert sp.simplify(general - formula) == 0
    vals = {mu: 0.03, s: 0.05, r: 0.2, n: 7}
    assert L.ensemble_mse(0.03**2, 0.05**2, 7, 0.2) == pytest.approx(float(formula.subs(vals)), rel=1e-14)


def test_effective_exponent_derivation():
    bias_sq, var = sp.symbols("B V", nonnegative=True)
    mse = bias_sq + var * (r + (1 - r) / n)
    alpha = sp.simplify(-n * sp.diff(mse, n) / mse)  # -d ln MSE / d ln n
    assert sp.simplify(alpha - (var * (1 - r) / n) / mse) == 0
    # the CLT case: alpha = 1 exactly when B = 0 and r = 0
    assert sp.simplify(alpha.subs({bias_sq: 0, r: 0})) == 1
    # bounded by 1: 1 - alpha = (B + V r) / MSE >= 0
    assert sp.simplify((1 - alpha) - (bias_sq + var * r) / mse) == 0
    # large n: alpha -> 0 unless B = r = 0
    assert sp.limit(alpha.subs({bias_sq: sp.Rational(1, 10), var: 1, r: 0}), n, sp.oo) == 0
    vals = {bias_sq: 2e-4, var: 5e-4, r: 0.05, n: 13}
    assert L.effective_exponent(2e-4, 5e-4, 13, 0.05) == pytest.approx(float(alpha.subs(vals)), rel=1e-13)
