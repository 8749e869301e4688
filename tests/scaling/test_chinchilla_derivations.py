"""The compute-optimal allocation of docs/resource.md re-derived with sympy."""

import sympy as sp

from efttheory.scaling import chinchilla as C


def test_compute_optimal_closed_form():
    n, c, a_, b_, al, be, e = sp.symbols("N C A B alpha beta E", positive=True)
    loss = e + a_ * n**-al + b_ * (c / (6 * n)) ** -be
    stationarity = sp.diff(loss, n)
    g = (al * a_ / (be * b_)) ** (1 / (al + be))
    n_opt = g * (c / 6) ** (be / (al + be))
    values = {a_: 406, b_: 410, al: sp.Rational(34, 100), be: sp.Rational(28, 100), c: sp.Integer(10) ** 22, e: 1}
    residual = stationarity.subs(n, n_opt).subs(values)
    assert abs(float(residual.evalf(50))) < 1e-30
    # D_opt / N_opt = G^-2 (C/6)^(s_D - s_N)
    d_opt = (c / 6) / n_opt
    ratio = sp.simplify(d_opt / n_opt - g**-2 * (c / 6) ** ((al - be) / (al + be)))
    assert sp.simplify(sp.powsimp(ratio, force=True)) == 0
    numeric = C.compute_optimal_allocation(1e22, C.ChinchillaParams(E=1, A=406, B=410, alpha=0.34, beta=0.28))
    assert abs(numeric.n_opt / float(n_opt.subs(values).evalf(30)) - 1) < 1e-12


def test_huber_normalizer_closed_form():
    x, d = sp.symbols("x delta", positive=True)
    inner = 2 * sp.integrate(sp.exp(-x**2 / 2), (x, 0, d))
    outer = 2 * sp.integrate(sp.exp(-d * (x - d / 2)), (x, d, sp.oo))
    z = sp.simplify(inner + outer)
    expected = sp.sqrt(2 * sp.pi) * sp.erf(d / sp.sqrt(2)) + 2 * sp.exp(-d**2 / 2) / d
    assert sp.simplify(z - expected) == 0
    assert abs(float(sp.log(expected.subs(d, sp.Rational(1, 1000)))) - C.huber_log_normalizer(1e-3)) < 1e-12


def test_chi2_df5_survival_closed_form():
    x, t = sp.symbols("x t", positive=True)
    pdf = t ** sp.Rational(3, 2) * sp.exp(-t / 2) / (2 ** sp.Rational(5, 2) * sp.gamma(sp.Rational(5, 2)))
    sf = sp.integrate(pdf, (t, x, sp.oo))
    closed = sp.erfc(sp.sqrt(x / 2)) + sp.sqrt(2 * x / sp.pi) * sp.exp(-x / 2) * (1 + x / 3)
    for value in (1, 7, 30):
        assert abs(float((sf - closed).subs(x, value).evalf(30))) < 1e-25
        assert abs(float(closed.subs(x, value)) - C.chi2_survival_df5(value)) < 1e-14
