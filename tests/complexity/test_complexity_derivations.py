"""Closed forms used in docs/complexity.md, re-derived with sympy."""

import sympy as sp


def _lmn_from_eigenvalues(eigs):
    total = sum(abs(e) for e in eigs)
    weights = [abs(e) / total for e in eigs if e != 0]
    entropy = -sum(w * sp.log(w, 2) for w in weights)
    return sp.simplify(2**entropy)


def test_affine_map_gives_all_ones_connectivity_and_lmn_one():
    a, b = sp.symbols("a b", real=True, nonzero=True)
    T = 6  # the identity holds for any number of path points (the paper uses 21)
    lams = [sp.Rational(t, T - 1) for t in range(T)]
    y = [a * l + b for l in lams]
    mean = lambda v: sum(v) / len(v)  # noqa: E731
    cov = mean([u * l for u, l in zip(y, lams)]) - mean(y) * mean(lams)
    var_y = mean([u * u for u in y]) - mean(y) ** 2
    var_l = mean([l * l for l in lams]) - mean(lams) ** 2
    assert sp.simplify(cov**2 / (var_y * var_l)) == 1  # r^2 = 1 for any a != 0
    n = 5
    J = sp.ones(n, n)
    assert _lmn_from_eigenvalues(list(J.eigenvals(multiple=True))) == 1


def test_symmetric_parabola_has_zero_r2():
    T = 21
    lams = [sp.Rational(t, T - 1) for t in range(T)]
    y = [(l - sp.Rational(1, 2)) ** 2 for l in lams]
    cov = sum(u * (l - sp.Rational(1, 2)) for u, l in zip(y, lams))
    assert cov == 0


def test_c_equal_blocks_give_lmn_c():
    m = 3
    for c in (1, 2, 3, 4):
        L = sp.diag(*[sp.ones(m, m)] * c)
        assert _lmn_from_eigenvalues(list(L.eigenvals(multiple=True))) == c


def test_unequal_blocks_give_the_perplexity_of_block_sizes():
    sizes = [1, 2, 5]
    L = sp.diag(*[sp.ones(s, s) for s in sizes])
    n = sum(sizes)
    expected = 2 ** (-sum(sp.Rational(s, n) * sp.log(sp.Rational(s, n), 2) for s in sizes))
    assert sp.simplify(_lmn_from_eigenvalues(list(L.eigenvals(multiple=True))) - expected) == 0


def test_centred_two_pass_r2_equals_the_paper_formula():
    T = 5
    ys = sp.symbols(f"y0:{T}", real=True)
    lams = [sp.Rational(t, T - 1) for t in range(T)]
    mean = lambda v: sum(v) / len(v)  # noqa: E731
    paper = (mean([u * l for u, l in zip(ys, lams)]) - mean(ys) * mean(lams)) ** 2 / (
        (mean([u * u for u in ys]) - mean(ys) ** 2) * (mean([l * l for l in lams]) - mean(lams) ** 2))
    lc = [l - mean(lams) for l in lams]
    yc = [u - mean(ys) for u in ys]
    ours = sum(a * b for a, b in zip(lc, yc)) ** 2 / (sum(a * a for a in lc) * sum(b * b for b in yc))
    assert sp.simplify(paper - ours) == 0


def test_silu_factor_recurrence_used_by_the_kernel():
    zi, dz, h, t = sp.symbols("z_i dz h t", real=True)
    e_t = sp.exp(-(zi + t * h * dz))
    assert sp.simplify(e_t * sp.exp(-h * dz) - e_t.subs(t, t + 1)) == 0


def test_entropy_bounds_give_one_le_lmn_le_n():
    n = 4
    # uniform weights maximise the entropy: LMN = N; a single weight gives LMN = 1
    assert sp.simplify(_lmn_from_eigenvalues([1] * n) - n) == 0
    assert sp.simplify(_lmn_from_eigenvalues([n, 0, 0, 0]) - 1) == 0
