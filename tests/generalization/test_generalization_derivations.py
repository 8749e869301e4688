"""Symbolic re-derivation (sympy) of the closed forms used by efttheory.generalization."""

import math

import numpy as np
import pytest
import sympy as sp

from efttheory import generalization as G

t, s = sp.symbols("t s", nonnegative=True)
eta_a, eta_x, kappa = sp.symbols("eta_A eta_x kappa", positive=True)
a, c = sp.symbols("a c", real=True)


def test_conserved_quantity_of_reduced_flow():
    # Eq. 10 with coupling kappa (2: two repons; N/(N+1): cluster); Eq. 11 generalised
    da = -kappa * eta_a * c**2 * a
    dc = -eta_x * a**2 * c
    big_c = a**2 / (kappa * eta_a) - c**2 / eta_x
    assert sp.simplify(sp.diff(big_c, a) * da + sp.diff(big_c, c) * dc) == 0
    # the Lean "competition invariant" eta_x a^2 - 2 eta_A c^2 is 2 eta_A eta_x C at kappa = 2
    assert sp.simplify((eta_x * a**2 - 2 * eta_a * c**2) - 2 * eta_a * eta_x * big_c.subs(kappa, 2)) == 0


def test_logistic_solution_for_w():
    w0, k_ = sp.symbols("w0 K", positive=True)
    beta = 2 * kappa * eta_a
    e = sp.exp(-beta * k_ * t)
    w = k_ * w0 * e / (k_ + w0 * (1 - e))
    assert sp.simplify(sp.diff(w, t) + beta * w * (w + k_)) == 0
    assert sp.simplify(w.subs(t, 0) - w0) == 0
    # the separatrix K = 0 limit: w0 / (1 + beta w0 t)
    assert sp.simplify(sp.limit(w, k_, 0) - w0 / (1 + beta * w0 * t)) == 0


@pytest.mark.parametrize("branch", ["positive", "negative"])
def test_uniform_closed_form_solves_the_flow(branch):
    # parameters as exact rationals, time symbolic: the residual of the ODE must vanish
    values = {"a0": sp.Rational(13, 10), "c0": sp.Rational(7, 10)}
    if branch == "negative":
        values = {"a0": sp.Rational(1, 2), "c0": sp.Rational(17, 10)}
    a0, c0 = values["a0"], values["c0"]
    k_v, ea_v, ex_v = 2, sp.Rational(3, 10), sp.Rational(1, 2)
    big_c = a0**2 / (k_v * ea_v) - c0**2 / ex_v
    assert (big_c > 0) == (branch == "positive")
    x = 2 * k_v * ea_v * ex_v * big_c * t
    sgn = 1 if branch == "positive" else -1
    e = sp.exp(-sgn * x)
    g = 2 * k_v * ea_v * c0**2 * t * (1 - e) / (sgn * x)
    if branch == "positive":
        a_t, c_t = a0 / sp.sqrt(1 + g), c0 * sp.sqrt(e / (1 + g))
    else:
        a_t, c_t = a0 * sp.sqrt(e / (e + g)), c0 / sp.sqrt(e + g)
    res_a = sp.diff(a_t, t) + k_v * ea_v * c_t**2 * a_t
    res_c = sp.diff(c_t, t) + ex_v * a_t**2 * c_t
    residuals = sp.lambdify(t, [res_a, res_c, a_t, c_t], "mpmath")
    for tv in (0.3, 2.0, 7.0):
        r_a, r_c, a_val, c_val = (float(v) for v in residuals(tv))
        assert abs(r_a) < 1e-12 and abs(r_c) < 1e-12
        # and the package evaluates the same expression
        got = G.repon_closed_form(float(a0), float(c0), 0.3, 0.5, tv)
        assert got[0] == pytest.approx(a_val, rel=1e-13)
        assert got[1] == pytest.approx(c_val, rel=1e-13)


def test_cluster_reduction_with_fitted_bias():
    # lone repon x_l, cluster of N repons at x_c, decoder a x + b, target y, bias at its optimum
    n = sp.symbols("N", positive=True, integer=True)
    xl, xc, b, y = sp.symbols("x_l x_c b y", real=True)
    loss = sp.Rational(1, 2) * (a * xl + b - y) ** 2 + n / 2 * (a * xc + b - y) ** 2
    b_star = sp.solve(sp.diff(loss, b), b)[0]
    fitted = sp.simplify(loss.subs(b, b_star))
    d = sp.symbols("d", real=True)
    assert sp.simplify(fitted.subs(xl, xc + d) - a**2 * d**2 * n / (2 * (n + 1))) == 0
    # gradient flow: a' = -eta_A dl/da; each repon moves along its own term's gradient
    da = -eta_a * sp.diff(fitted, a)
    r_l = (a * xl + b - y).subs(b, b_star)
    r_c = (a * xc + b - y).subs(b, b_star)
    dd = -eta_x * a * r_l - (-eta_x * a * r_c)
    assert sp.simplify(da.subs(xl, xc + d) + eta_a * n / (n + 1) * d**2 * a) == 0
    assert sp.simplify(dd.subs(xl, xc + d) + eta_x * a**2 * d) == 0
    # two repons (N = 1, d = 2c): a' = -2 eta_A c^2 a
    assert sp.simplify((eta_a * n / (n + 1) * d**2 * a).subs({n: 1, d: 2 * c}) - 2 * eta_a * c**2 * a) == 0


def test_arctan_law_from_gaussian_angles():
    # P(|u| / |v| > t) for independent standard normals: the angle is uniform
    tt = sp.symbols("tau", positive=True)
    theta = sp.symbols("theta")
    # region |tan theta| > tau: 4 arcs of length pi/2 - atan(tau) out of 2 pi
    prob = 4 * sp.integrate(1, (theta, sp.atan(tt), sp.pi / 2)) / (2 * sp.pi)
    assert sp.simplify(prob - (1 - 2 * sp.atan(tt) / sp.pi)) == 0
    for tv in (sp.Rational(1, 3), 1, 3):
        assert float(prob.subs(tt, tv)) == pytest.approx(float(2 / sp.pi * sp.atan(1 / tv)), rel=1e-14)
    # C > 0  <=>  |a|/|c| > sqrt(kappa eta_A / eta_x); a = sigma_a u, c = sigma_c v
    sa, sc = 1.3, 0.7
    tau = (sc / sa) * math.sqrt(2 * 0.4 / 1.1)
    assert G.generalization_probability(1.1, 0.4, sigma_a=sa, sigma_c=sc) == pytest.approx(
        2 / math.pi * math.atan(1 / tau), rel=1e-14)


def test_inverse_of_the_arctan_law():
    p, r, q = sp.symbols("p r q", positive=True)
    law = 2 / sp.pi * sp.atan(q * sp.sqrt(r / 2))
    inverse = 2 / q**2 * sp.tan(sp.pi * p / 2) ** 2
    assert sp.simplify(law.subs(r, inverse) - p).subs({p: sp.Rational(1, 3), q: 2}) == 0
    assert G.critical_lr_ratio(0.3, sigma_a=2.0) == pytest.approx(float(inverse.subs({p: 0.3, q: 2})))


def test_critical_fraction_solves_eq3():
    m, b, alpha, n_pairs = sp.symbols("m b alpha N", positive=True)
    f = 1 - (1 - 1 / b) ** m
    pc = sp.log(1 - alpha) / (n_pairs * sp.log(1 - 1 / b))
    assert sp.simplify(f.subs(m, n_pairs * pc) - alpha) == 0
    # large-b approximation b ln(1/(1 - alpha)) / N
    approx = sp.limit(pc * n_pairs / b, b, sp.oo)
    assert sp.simplify(approx + sp.log(1 - alpha)) == 0  # = ln(1/(1 - alpha))
    assert G.critical_data_fraction(47.55, 900) == pytest.approx(
        float(pc.subs({alpha: 0.9, n_pairs: 900, b: 47.55})), rel=1e-12)


def test_many_repon_invariant():
    # n = 3 repons in d = 2, head m = 1, fixed symmetric weights: dQ/dt = 0 along the gradient flow
    xs = sp.Matrix(3, 2, sp.symbols("x0:6", real=True))
    head = sp.Matrix(1, 2, sp.symbols("A0:2", real=True))
    w01, w02, w12 = sp.Rational(1, 2), sp.Rational(3, 2), sp.Rational(1, 4)
    w = sp.Matrix([[0, w01, w02], [w01, 0, w12], [w02, w12, 0]])
    proj = [(head * (xs[i, :] - xs[j, :]).T)[0] for i in range(3) for j in range(3)]
    loss = sum(w[i, j] * proj[3 * i + j] ** 2 for i in range(3) for j in range(i + 1, 3)) / 2
    grad_x = [[sp.diff(loss, xs[i, k]) for k in range(2)] for i in range(3)]
    grad_h = [sp.diff(loss, head[0, k]) for k in range(2)]
    # dQ/dt = (2 A . dA)/eta_A - (2 x . dx)/eta_x with dA = -eta_A dl/dA, dx = -eta_x dl/dx:
    # = -2 (A . dl/dA - x . dl/dx); both sums equal 2 l (l is homogeneous of degree 2 in A and in x)
    dq = -2 * (sum(head[0, k] * grad_h[k] for k in range(2))
               - sum(xs[i, k] * grad_x[i][k] for i in range(3) for k in range(2)))
    assert sp.expand(dq) == 0
    # the spring force of the package: -sum_j W_ij A^T A (x_i - x_j) = -dl/dx_i
    vals = dict(zip(list(xs) + list(head), [0.3, -1.0, 0.5, 0.2, -0.7, 1.1, 0.8, -0.4]))
    want = np.array([[float(g.subs(vals)) for g in row] for row in grad_x])
    forces = G.repon_forces(np.array(xs.subs(vals), dtype=float), np.array(w.subs(vals), dtype=float),
                            np.array(head.subs(vals), dtype=float))
    np.testing.assert_allclose(forces, -want, atol=1e-13)


def test_description_length_closed_forms():
    n, k_, size = 30, 3, 10
    aut = sp.factorial(size) ** k_ * sp.factorial(k_)
    bits = sp.log(sp.factorial(n) / aut, 2)
    assert float(bits) == pytest.approx(G.description_length_relation("mod", 30, k=3), abs=1e-9)
    assert G.automorphism_count("mod", 30, k=3) == int(aut)
    bip = sp.log(sp.binomial(30, 10), 2)
    assert float(bip) == pytest.approx(G.description_length_relation("complete_bipartite", 30, a=10), abs=1e-9)


def test_relative_equation_is_autonomous():
    # Lean rel_eqn_autonomous: the target y forces both repons equally and cancels in x1 - x2
    b, y = sp.symbols("b y", real=True)
    head = sp.Matrix(1, 2, sp.symbols("A0:2", real=True))
    v1 = sp.Matrix(2, 1, sp.symbols("u0:2", real=True))
    v2 = sp.Matrix(2, 1, sp.symbols("v0:2", real=True))
    loss = ((head * v1)[0] + b - y) ** 2 / 2 + ((head * v2)[0] + b - y) ** 2 / 2
    d1 = sp.Matrix([-eta_x * sp.diff(loss, v) for v in v1])
    d2 = sp.Matrix([-eta_x * sp.diff(loss, v) for v in v2])
    rel = sp.expand(d1 - d2)
    assert all(sp.diff(r, y) == 0 and sp.diff(r, b) == 0 for r in rel)
    # it is the Hooke spring -eta_x A^T A (x1 - x2)
    assert sp.expand(rel + eta_x * head.T * head * (v1 - v2)) == sp.zeros(2, 1)
