"""The closed forms of docs/resource.md re-derived with sympy."""

import sympy as sp

from efttheory.scaling import resource as R


def test_composite_loss_is_k_over_n():
    n, k = sp.symbols("N k", positive=True)
    a = sp.symbols("a1:4", positive=True)
    p = sp.symbols("p1:4", positive=True)
    w = sp.symbols("w1:4", positive=True)
    loss = sum(wi * ai / (pi * n) for ai, pi, wi in zip(a, p, w))
    big_k = sum(wi * ai / pi for ai, pi, wi in zip(a, p, w))
    assert sp.simplify(loss - big_k / n) == 0
    assert sp.simplify(loss.subs(n, k * n) - loss / k) == 0


def test_two_task_lagrange_allocation():
    n, n1, lam = sp.symbols("N N1 lambda", positive=True)
    c1, c2 = sp.symbols("c1 c2", positive=True)  # c_i = w_i a_i
    loss = c1 / n1 + c2 / (n - n1)
    sol = sp.solve(sp.Eq(sp.diff(loss, n1), 0), n1)
    expected = n * sp.sqrt(c1) / (sp.sqrt(c1) + sp.sqrt(c2))
    assert any(sp.simplify(s - expected) == 0 for s in sol)
    l_star = sp.simplify(loss.subs(n1, expected))
    assert sp.simplify(l_star - (sp.sqrt(c1) + sp.sqrt(c2)) ** 2 / n) == 0
    mu = sp.simplify(c1 / expected**2)
    assert sp.simplify(mu - c2 / (n - expected) ** 2) == 0


def test_ratio_exponent_one_half():
    t, a = sp.symbols("t a", positive=True)  # t = beta / (1 - beta), the weight odds
    beta = t / (1 + t)
    n1 = sp.sqrt(beta * a)  # R5 allocations up to the common factor N / sum_j sqrt(w_j a_j)
    n2 = sp.sqrt((1 - beta) * a)
    assert sp.simplify(n1 / n2 - sp.sqrt(t)) == 0
    for b in (0.6, 0.75, 0.95):
        assert abs(float(sp.sqrt(t).subs(t, b / (1 - b))) - R.allocation_ratio(b)) < 1e-12
    assert R.LAGRANGE_EXPONENT == 0.5


def test_equilibrium_neurons():
    n, alpha, a, lam, c = sp.symbols("N alpha a lambda c", positive=True)
    sol = sp.solve(sp.diff(alpha * a / n + lam * c * n, n), n)
    assert sol == [sp.sqrt(alpha * a / (lam * c))]


def test_parameter_exponents_by_phase():
    w, g = sp.symbols("w gamma", positive=True)
    n_p = w**2 * w**g
    # redundancy: loss ~ 1/w; structural: loss ~ 1/(w L) = 1/w^(1+g); exponent x in loss ~ N_p^-x
    x_red = sp.simplify(sp.log(w) / sp.log(n_p))
    x_str = sp.simplify(sp.log(w ** (1 + g)) / sp.log(n_p))
    assert sp.simplify(sp.expand_log(x_red, force=True) - 1 / (2 + g)) == 0
    assert sp.simplify(sp.expand_log(x_str, force=True) - (1 + g) / (2 + g)) == 0
    for gv in (0, 1, sp.Rational(1, 2)):
        assert float((1 / (2 + g)).subs(g, gv)) == R.parameter_exponent(float(gv), "redundancy")
        assert abs(float(((1 + g) / (2 + g)).subs(g, gv)) - R.parameter_exponent(float(gv), "structural")) < 1e-15
