"""Closed forms of docs/games.md re-derived with sympy."""

import sympy as sp

from efttheory.games import DC2Params, comparative_statics, critical_discount_factor, efficacy_peak


def test_thresholds_solve_indifference():
    # w = 1 - pi > 0: the probability that F alone loses its later fight
    c, dp, q, d, tau, w, L = sp.symbols("c Delta_p q delta tau w L_F", positive=True)
    G = dp * q * d**tau * w * L
    delta_star = (c / (dp * q * w * L)) ** (1 / tau)
    assert sp.simplify(sp.powdenest(G.subs(d, delta_star), force=True) - c) == 0
    q_star = sp.solve(sp.Eq(G, c), q)[0]
    assert sp.simplify(q_star - c / (dp * d**tau * w * L)) == 0
    dp_star = sp.solve(sp.Eq(G, c), dp)[0]
    assert sp.simplify(dp_star - c / (q * d**tau * w * L)) == 0
    tau_star = sp.log(dp * q * w * L / c) / sp.log(1 / d)
    assert sp.simplify(sp.expand_log(sp.log(G.subs(tau, tau_star)) - sp.log(c), force=True)) == 0


def test_utility_difference_is_gain_minus_cost():
    c, p0, p1, q, D, pi, L = sp.symbols("c p_0 p_1 q D pi L_F", positive=True)
    U = lambda a, p: -a * c - (1 - p) * q * D * (1 - pi) * L  # noqa: E731
    assert sp.simplify(U(1, p1) - U(0, p0) - ((p1 - p0) * q * D * (1 - pi) * L - c)) == 0


def test_efficacy_peak_closed_form():
    y, S0, S1, r = sp.symbols("y S_0 S_1 r", positive=True)
    dp = S1**r / (S1**r + y**r) - S0**r / (S0**r + y**r)
    y_star = sp.sqrt(S0 * S1)
    deriv = sp.diff(dp, y).subs(y, y_star)
    for vals in ({S0: 1, S1: 2, r: 2}, {S0: sp.Rational(1, 2), S1: 3, r: sp.Rational(5, 2)}):
        assert abs(float(deriv.subs(vals))) < 1e-12
    peak = (S1 ** (r / 2) - S0 ** (r / 2)) / (S1 ** (r / 2) + S0 ** (r / 2))
    assert sp.simplify(sp.powsimp(dp.subs(y, y_star) - peak, force=True)) == 0
    num = efficacy_peak(1, 2, 2)
    assert abs(num.dp_max - float(peak.subs({S0: 1, S1: 2, r: 2}))) < 1e-15


def test_gamma_semi_elasticity_of_tullock_gain():
    g, sC, sF, sT, r = sp.symbols("gamma s_C s_F s_T r", positive=True)
    pi = sF**r / (sF**r + (sT + g * sC) ** r)
    semi = sp.diff(sp.log(1 - pi), g)
    closed = r * pi * sC / (sT + g * sC)
    assert sp.simplify(semi - closed) == 0
    p = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    assert abs(comparative_statics(p).elasticities["gamma"] - float(closed.subs({g: 0.5, sC: 1, sF: 1, sT: 1.5, r: 2}))) < 1e-12


def test_hazard_discount_and_threshold():
    h, d, t, K = sp.symbols("h delta t K", positive=True)
    # E[delta^T] for T geometric on {1, 2, ...} with success probability h
    expected = sp.summation(h * (1 - h) ** (t - 1) * d**t, (t, 1, sp.oo))
    closed = h * d / (1 - (1 - h) * d)
    assert sp.simplify(sp.piecewise_fold(expected).args[0][0] - closed) == 0
    d_star = sp.solve(sp.Eq(closed, K), d)[0]
    assert sp.simplify(d_star - K / (h + K * (1 - h))) == 0
    p = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5, hazard=0.3)
    Kv = 0.8 / (0.3323076923076923 * 0.8 * 0.8 * 10)
    assert abs(critical_discount_factor(p) - float(d_star.subs({K: Kv, h: 0.3}))) < 1e-12


def test_threat_prefers_simultaneous_when_follower_supports():
    p1, pi = sp.symbols("p_1 pi", nonnegative=True)
    # (1 - p1)(1 - pi) <= 1 - p1 for pi in [0, 1]
    assert sp.simplify((1 - p1) - (1 - p1) * (1 - pi) - (1 - p1) * pi) == 0


def test_symmetric_indifference_is_bernstein_polynomial():
    s = sp.symbols("sigma")
    M = 3
    D = sp.symbols("D1:4")
    c = sp.symbols("c")
    # expected gain of supporting when each of the other M - 1 supports with probability sigma
    gain = sum(sp.binomial(M - 1, m) * s**m * (1 - s) ** (M - 1 - m) * D[m] for m in range(M)) - c
    direct = (1 - s) ** 2 * D[0] + 2 * s * (1 - s) * D[1] + s**2 * D[2] - c
    assert sp.expand(gain - direct) == 0
