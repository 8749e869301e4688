"""Integer symbolic regression: templates, the RPN evaluator and the Numba search (spec 2.10, 8.6)."""

import itertools
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.synthesis import _symreg_kernels as K
from efttheory.synthesis import symreg as S

FAST = settings(deadline=None, max_examples=50)
LETTERS = "abcdefgh"


# --- plain-Python twins ----------------------------------------------------------------------------


def cmod(p, q):
    """C remainder with the authors' p % 0 = 1000 (scalar or NumPy array)."""
    if isinstance(p, np.ndarray) or isinstance(q, np.ndarray):
        p, q = np.broadcast_arrays(np.asarray(p), np.asarray(q))
        safe = np.where(q == 0, 1, q)
        r = np.sign(p) * (np.abs(p) % np.abs(safe))
        return np.where(q == 0, 1000, r)
    if q == 0:
        return 1000
    r = abs(p) % abs(q)
    return -r if p < 0 else r


UNARY_PY = {">": lambda v: v + 1, "<": lambda v: v - 1, "~": lambda v: -v, "H": lambda v: int(v > 0),
            "D": lambda v: int(v == 0), "A": abs, "U": lambda v: v + 100, "V": lambda v: v - 100}
BINARY_PY = {"+": lambda a, b: a + b, "*": lambda a, b: a * b, "-": lambda a, b: a - b, "%": cmod}


def python_rpn(rpn, row):
    """Stack evaluation of one RPN string on one row of Python ints."""
    stack = []
    for ch in rpn:
        if ch in UNARY_PY:
            stack.append(UNARY_PY[ch](stack.pop()))
        elif ch in BINARY_PY:
            b, a = stack.pop(), stack.pop()
            stack.append(BINARY_PY[ch](a, b))
        elif ch.isdigit():
            stack.append(int(ch))
        else:
            stack.append(int(row[LETTERS.index(ch)]))
    assert len(stack) == 1
    return stack[0]


def python_search(X, y, max_len, n_check=25, tol=1e-4, constants=(3, 4)):
    """Brute-force twin of integer_symbolic_regression: same order, pure Python."""
    n_vars = X.shape[1]
    leaves = list(LETTERS[:n_vars]) + [str(c) for c in constants]
    tried = 0
    m = min(n_check, len(y))
    for template in S.arity_templates(max_len):
        choices = [leaves if ch == "0" else S.UNARY if ch == "1" else S.BINARY for ch in template]
        for tokens in itertools.product(*choices):
            rpn = "".join(tokens)
            tried += 1
            vals = [python_rpn(rpn, X[r]) for r in range(m)]
            if sum((v - t) ** 2 for v, t in zip(vals, y[:m])) / m < tol:
                if all(python_rpn(rpn, X[r]) == y[r] for r in range(len(y))):
                    return rpn, tried
    return None, tried


def numpy_search_template(template, leaf_values, target, n_check, tol):
    """NumPy twin of the kernel search_template: vectorised over all candidates of one template."""
    n_leaves = leaf_values.shape[0]
    radix = [n_leaves if ch == "0" else 8 if ch == "1" else 4 for ch in template]
    grid = np.indices(radix).reshape(len(template), -1).T  # odometer order, last digit fastest
    m = min(n_check, target.size)
    first, second = S._operand_positions(template)

    def evaluate(rows):
        vals = []
        for p, ch in enumerate(template):
            d = grid[:, p][:, None]
            if ch == "0":
                vals.append(leaf_values[grid[:, p]][:, rows])
            elif ch == "1":
                v = vals[first[p]]
                table = [v + 1, v - 1, -v, (v > 0) * 1, (v == 0) * 1, np.abs(v), v + 100, v - 100]
                vals.append(np.choose(np.broadcast_to(d, v.shape), table))
            else:
                a, b = vals[first[p]], vals[second[p]]
                table = [a + b, a * b, a - b, cmod(a, b)]
                vals.append(np.choose(np.broadcast_to(d, a.shape), table))
        return vals[-1]

    screen = ((evaluate(slice(0, m)) - target[:m]) ** 2).sum(axis=1) < tol * m
    exact = np.all(evaluate(slice(None)) == target, axis=1)
    hits = np.flatnonzero(screen & exact)
    if hits.size == 0:
        return False, len(grid)
    return True, int(hits[0]) + 1


def random_rpn(draw, max_len, n_vars):
    template = draw(st.sampled_from(S.arity_templates(max_len)))
    leaves = list(LETTERS[:n_vars]) + ["3", "4", "0", "7"]
    out = []
    for ch in template:
        pool = leaves if ch == "0" else S.UNARY if ch == "1" else S.BINARY
        out.append(draw(st.sampled_from(pool)))
    return "".join(out)


@st.composite
def rpn_and_data(draw, max_len=6, n_vars=3):
    rpn = random_rpn(draw, max_len, n_vars)
    rows = draw(st.integers(1, 12))
    X = np.array(draw(st.lists(st.lists(st.integers(-60, 60), min_size=n_vars, max_size=n_vars),
                               min_size=rows, max_size=rows)), dtype=np.int64)
    return rpn, X


# --- templates -----------------------------------------------------------------------------------


def test_arity_templates_are_the_38_valid_strings_with_motzkin_counts():
    t = S.arity_templates()
    assert len(t) == 38
    assert [sum(len(s) == n for s in t) for n in range(1, 7)] == [1, 1, 2, 4, 9, 21]
    assert list(t) == sorted(t, key=lambda s: (len(s), s))
    assert t[:4] == ("0", "01", "002", "011") and t[-1] == "011111"
    for s in t:  # valid postfix arity strings
        depth = 0
        for ch in s:
            assert depth >= int(ch)
            depth += 1 - int(ch)
        assert depth == 1
    assert len(S.arity_templates(8)) == 38 + 51 + 127


# --- evaluator -----------------------------------------------------------------------------------


@FAST
@given(case=rpn_and_data())
def test_numba_evaluator_matches_python_twin(case):
    rpn, X = case
    expected = [python_rpn(rpn, row) for row in X]
    np.testing.assert_array_equal(S.eval_rpn(rpn, X), expected)


@FAST
@given(case=rpn_and_data())
def test_infix_agrees_with_rpn_in_python_and_numpy(case):
    rpn, X = case
    fit_infix = S.rpn_to_infix(rpn)
    ref = S.eval_rpn(rpn, X)
    scalar = [eval(fit_infix, {"cmod": cmod, "abs": abs}, dict(zip(LETTERS, map(int, row)))) for row in X]
    np.testing.assert_array_equal(scalar, ref)
    vector = eval(fit_infix, {"cmod": cmod, "abs": abs}, {LETTERS[j]: X[:, j] for j in range(X.shape[1])})
    np.testing.assert_array_equal(np.broadcast_to(vector, ref.shape), ref)
    renamed = S.rpn_to_infix(rpn, names=("z_1", "z_2", "x_1"))
    again = [eval(renamed, {"cmod": cmod, "abs": abs}, dict(zip(("z_1", "z_2", "x_1"), map(int, row))))
             for row in X]
    np.testing.assert_array_equal(again, ref)


def test_c_modulus_sign_and_mod_zero():
    X = np.array([[7, 3], [-7, 3], [7, -3], [-7, -3], [5, 0], [0, 4]])
    np.testing.assert_array_equal(S.eval_rpn("ab%", X), [1, -1, 1, -1, 1000, 0])
    np.testing.assert_array_equal(S.eval_rpn("aHbD+", X), [1, 0, 1, 0, 2, 0])
    assert K.c_modulus(-7, 3) == -1


# --- search ----------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=10)
@given(seed=st.integers(0, 2**16), which=st.integers(0, 5))
def test_search_matches_pure_python_twin(seed, which):
    rng = np.random.default_rng(seed)
    X = rng.integers(-5, 6, size=(30, 2))
    targets = [X[:, 0], X[:, 0] + X[:, 1], np.abs(X[:, 1]) + 1, cmod(X[:, 0], X[:, 1]),
               rng.integers(-9, 9, 30), X[:, 0] * X[:, 1] - 1]
    y = np.asarray(targets[which])
    fit = S.integer_symbolic_regression(X, y, max_len=4)
    rpn, tried = python_search(X, y, max_len=4)
    if rpn is None:
        assert fit is None
    else:
        assert fit.rpn == rpn and fit.candidates_tried == tried


@pytest.mark.parametrize("template", ["0", "002", "0111", "0012", "00202", "01012", "00112"])
def test_kernel_search_template_matches_numpy_twin(template):
    rng = np.random.default_rng(7)
    X = rng.integers(-4, 5, size=(40, 2))
    leaves = np.vstack([X.T, np.full((1, 40), 3), np.full((1, 40), 4)]).astype(np.int64)
    kinds = np.array([int(c) for c in template], dtype=np.int64)
    first, second = S._operand_positions(template)
    for y in (X[:, 0] - X[:, 1] + 3, cmod(X[:, 0] + X[:, 1], 4), rng.integers(-3, 3, 40)):
        y = np.asarray(y, dtype=np.float64)
        found, digits, tried = K.search_template(kinds, first, second, 4, leaves, y, 25, 1e-4)
        twin_found, twin_tried = numpy_search_template(template, leaves, y, 25, 1e-4)
        assert (bool(found), int(tried)) == (twin_found, twin_tried)


@pytest.mark.parametrize("m, expected", [(3, "ab+3%"), (4, "ab+4%"), (5, "ab+4>%")])
def test_modular_sums_found_at_the_documented_lengths(m, expected):
    rng = np.random.default_rng(m)
    X = np.column_stack([rng.integers(0, m, 200), rng.integers(0, m, 200)])
    fit = S.integer_symbolic_regression(X, (X[:, 0] + X[:, 1]) % m)
    assert fit is not None and fit.rpn == expected
    assert "cmod" in fit.infix and "SymbolicFit" in repr(fit)


def test_exact_check_continues_past_a_screening_only_match():
    a = np.arange(60) % 7
    b = np.r_[np.zeros(25, dtype=int), np.ones(35, dtype=int)]
    X = np.column_stack([a, b])
    y = a + b
    screen_only = S.integer_symbolic_regression(X[:25], y[:25])
    assert screen_only.rpn == "a"
    fit = S.integer_symbolic_regression(X, y)
    assert fit.rpn == "ab+" and fit.candidates_tried > screen_only.candidates_tried
    np.testing.assert_array_equal(S.eval_rpn(fit.rpn, X), y)


def test_no_formula_returns_none():
    rng = np.random.default_rng(3)
    X = rng.integers(0, 10, size=(40, 1))
    assert S.integer_symbolic_regression(X, rng.integers(0, 1000, 40), max_len=5) is None


# --- lattice programs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StandInLattice:
    basis: np.ndarray
    offset: np.ndarray
    Z: np.ndarray
    Z_prev: np.ndarray


@dataclass(frozen=True)
class StandInRelations:
    state: tuple
    output: np.ndarray


def _relations(z_prev, x, z_next, y):
    H = z_prev.shape[1]
    state = tuple(np.column_stack([z_prev, x, z_next[:, i]]) for i in range(H))
    return StandInRelations(state=state, output=np.column_stack([z_next, y]))


def _run_symbolic(prog, z_prev, x):
    return np.column_stack([S.eval_rpn(f.rpn, np.column_stack([z_prev, x])) for f in prog.next_fits])


def test_symbolic_lattice_program_add_mod_3():
    rng = np.random.default_rng(0)
    z_prev = rng.integers(0, 3, size=(300, 1))
    x = rng.integers(0, 3, size=(300, 1))
    z = (z_prev + x) % 3
    lat = StandInLattice(basis=np.array([[2.0]]), offset=np.array([0.0]), Z=z.astype(float), Z_prev=z_prev.astype(float))
    prog = S.symbolic_lattice_program(_relations(z_prev, x, z, z[:, 0]), lat)
    assert prog is not None and prog.flips == (False,)
    assert prog.next_fits[0].rpn == "ab+3%" and prog.output_fits[0].rpn == "a"
    assert prog.z0.tolist() == [0]


def test_symbolic_lattice_program_uses_parity_flips_consistently():
    rng = np.random.default_rng(1)
    top = 4
    w_prev = rng.integers(0, 5, size=(400, 1))
    x = rng.integers(0, 5, size=(400, 1))
    z_prev = top - w_prev
    z = top - (w_prev + x) % 5
    lat = StandInLattice(basis=np.array([[1.0]]), offset=np.array([-3.0]), Z=z.astype(float), Z_prev=z_prev.astype(float))
    prog = S.symbolic_lattice_program(_relations(z_prev, x, z, 2 * z[:, 0]), lat)
    assert prog is not None
    shift = np.array([top if f else 0 for f in prog.flips])
    sign = np.array([-1 if f else 1 for f in prog.flips])
    zp, zn = shift + sign * z_prev, shift + sign * z
    np.testing.assert_array_equal(_run_symbolic(prog, zp, x), zn)
    np.testing.assert_array_equal(S.eval_rpn(prog.output_fits[0].rpn, zn), 2 * z[:, 0])
    np.testing.assert_array_equal(prog.z0, shift + sign * np.array([3]))


def test_symbolic_lattice_program_respects_preconditions_and_contradictions():
    z = np.zeros((10, 3), dtype=int)
    lat = StandInLattice(basis=np.eye(3), offset=np.zeros(3), Z=z.astype(float), Z_prev=z.astype(float))
    assert S.symbolic_lattice_program(_relations(z, z[:, :1], z, z[:, 0]), lat) is None  # H = 3
    z_prev = np.array([[0], [0]])
    lat1 = StandInLattice(basis=np.eye(1), offset=np.zeros(1), Z=np.zeros((2, 1)), Z_prev=np.zeros((2, 1)))
    contradictory = _relations(z_prev, np.array([[1], [1]]), np.array([[0], [1]]), np.array([0, 1]))
    assert S.symbolic_lattice_program(contradictory, lat1, max_len=3) is None


# --- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("rpn, msg", [("ab", "stack"), ("a+", "lacks operands"), ("a$", "unknown token"),
                                      ("ac+", "variable 'c'"), ("", "non-empty")])
def test_eval_rpn_rejects_malformed_expressions(rpn, msg):
    with pytest.raises(ValueError, match=msg):
        S.eval_rpn(rpn, np.zeros((3, 2)))


def test_bad_inputs_are_named():
    X = np.zeros((4, 2))
    with pytest.raises(TypeError, match="rpn"):
        S.eval_rpn(3, X)
    with pytest.raises(ValueError, match="X must be finite"):
        S.integer_symbolic_regression(np.array([[np.nan, 1.0]]), [1])
    with pytest.raises(ValueError, match="X must hold integers"):
        S.integer_symbolic_regression(X + 0.5, np.zeros(4))
    with pytest.raises(ValueError, match="y must hold integers"):
        S.integer_symbolic_regression(X, np.full(4, 0.5))
    with pytest.raises(ValueError, match="one entry per row"):
        S.integer_symbolic_regression(X, np.zeros(5))
    with pytest.raises(ValueError, match="max_len"):
        S.integer_symbolic_regression(X, np.zeros(4), max_len=0)
    with pytest.raises(ValueError, match="tol"):
        S.integer_symbolic_regression(X, np.zeros(4), tol=0.0)
    with pytest.raises(ValueError, match="constants"):
        S.integer_symbolic_regression(X, np.zeros(4), constants=(3, 12))
    with pytest.raises(ValueError, match="names"):
        S.rpn_to_infix("ab+", names=("x",))
    z = np.zeros((2, 1), dtype=int)
    lat = StandInLattice(basis=np.eye(1), offset=np.zeros(1), Z=z.astype(float), Z_prev=z.astype(float))
    with pytest.raises(TypeError, match="rel must be a LatticeRelations"):
        S.symbolic_lattice_program(None, lat)
    with pytest.raises(TypeError, match="lattice must be a Lattice"):
        S.symbolic_lattice_program(_relations(z, z, z, z[:, 0]), np.eye(1))


def test_template_counts_are_motzkin_numbers_from_their_generating_function():
    import sympy as sp

    x = sp.symbols("x")
    # a template is a leaf, a template followed by a unary token, or two templates and a binary
    # token: T(x) = x + x T(x) + x T(x)^2, i.e. T = x M(x) with M the Motzkin generating function
    closed = (1 - x - sp.sqrt(1 - 2 * x - 3 * x**2)) / (2 * x)
    assert sp.expand(x + x * closed + x * closed**2 - closed) == 0
    series = sp.Integer(0)
    for _ in range(9):  # fixed-point iteration of the functional equation, truncated at degree 8
        series = sp.expand(x + x * series + x * series**2)
        series = sum(series.coeff(x, k) * x**k for k in range(1, 9))
    t = S.arity_templates(8)
    assert [sum(len(s) == n for s in t) for n in range(1, 9)] == [int(series.coeff(x, n)) for n in range(1, 9)]


def test_targets_beyond_float64_exactness_are_refused():
    # a^3 + 1 rounds to a^3 in float64 for these a, and the search used to accept "aaa**"
    # (wrong on every row) as an exact fit
    a = np.array([v for v in range(500_000, 500_400) if float(v**3) == float(v**3 + 1)])[:40]
    assert a.size == 40
    with pytest.raises(ValueError, match="2\\*\\*53"):
        S.integer_symbolic_regression(a[:, None], a * a * a + 1)
    small = np.arange(1, 30)
    fit = S.integer_symbolic_regression(small[:, None], small**3 + 1)
    assert fit.rpn == "aaa**>" and np.array_equal(S.eval_rpn(fit.rpn, small[:, None]), small**3 + 1)
