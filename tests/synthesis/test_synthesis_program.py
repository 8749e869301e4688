"""Programs: emission, the vectorised interpreter, RPN conversion, strict verification (spec 2.11, 8.6)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.synthesis import program as P
from efttheory.synthesis import verification as V
from efttheory.synthesis.boolean import BooleanProgram
from efttheory.synthesis.linreg import LinearProgram
from efttheory.synthesis.symreg import BINARY, UNARY, eval_rpn

FAST = settings(deadline=None, max_examples=50)


def run_source(prog, x):
    ns = {}
    exec(P.to_python(prog, x.shape[1]), ns)
    if x.ndim == 2:
        return np.array([ns["f"](list(map(int, row))) for row in x])
    return np.array([ns["f"](*[list(map(int, row[:, d])) for d in range(x.shape[2])]) for row in x])


@st.composite
def rpn_expressions(draw, max_len=6, n_vars=2):
    """Valid RPN strings over variables a.., constants 3, 4 and the full operator alphabet."""
    length = draw(st.integers(1, max_len))
    out, depth = [], 0
    leaves = [chr(ord("a") + i) for i in range(n_vars)] + ["3", "4"]
    for pos in range(length):
        remaining = length - pos - 1
        choices = []
        if depth + 1 - remaining <= 1:
            choices.append("leaf")
        if depth >= 1 and depth - remaining <= 1:
            choices.append("unary")
        if depth >= 2 and depth - 1 - remaining <= 1:
            choices.append("binary")
        kind = draw(st.sampled_from(choices))
        if kind == "leaf":
            out.append(draw(st.sampled_from(leaves)))
            depth += 1
        elif kind == "unary":
            out.append(draw(st.sampled_from(UNARY)))
        else:
            out.append(draw(st.sampled_from(BINARY)))
            depth -= 1
    if depth != 1:
        return "a"
    return "".join(out)


@FAST
@given(rpn=rpn_expressions(), seed=st.integers(0, 1000))
def test_emitted_python_agrees_with_the_numba_rpn_evaluator(rpn, seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(-20, 21, size=(40, 2))
    expr = P.rpn_to_python(rpn, ("u", "v"))
    ns = {}
    exec(P._CMOD_SOURCE, ns)
    want = eval_rpn(rpn, X)
    got_py = np.array([eval(expr, dict(ns, u=int(a), v=int(b))) for a, b in X])  # noqa: S307
    np.testing.assert_array_equal(got_py, want)
    faults = P._Faults(len(X))
    got_vec = P._eval(P._parse(expr), {"u": X[:, 0], "v": X[:, 1]}, np.ones(len(X), dtype=bool), faults)
    assert not (faults.overflow.any() or faults.zero_division.any())
    np.testing.assert_array_equal(np.broadcast_to(got_vec, want.shape), want)


@st.composite
def programs(draw):
    H = draw(st.integers(1, 3))
    D = draw(st.integers(1, 2))
    names = tuple("abc"[:H])
    ins = P.input_names(D)
    atoms = list(names) + list(ins) + ["1", "2", "3"]
    templates = ["{} + {}", "{} - {}", "{} * {}", "cmod({}, {})", "{} ^ {}", "int({} > {})", "abs({} - {})",
                 "({} + {}) % 5", "1 - ({} & {})", "{} | {}"]

    def expr():
        t = draw(st.sampled_from(templates))
        return t.format(draw(st.sampled_from(atoms)), draw(st.sampled_from(atoms)))

    return P.Program(
        "test", D, names, tuple(draw(st.integers(-3, 3)) for _ in range(H)),
        tuple(expr() for _ in range(H)), tuple(expr() for _ in range(draw(st.integers(1, 2)))),
    )


def largest_python_value(prog, x):
    """Largest |state, input or output| over every step, in Python's exact integers."""
    ns = {}
    exec(P._CMOD_SOURCE, ns)
    x3 = x[:, :, None] if x.ndim == 2 else x
    names = P.input_names(prog.n_inputs)
    largest = 0
    for row in x3:
        state = dict(zip(prog.state_names, prog.initial))
        for step in row:
            env = dict(ns, **state, **{n: int(v) for n, v in zip(names, step)})
            state = {n: eval(e, env) for n, e in zip(prog.state_names, prog.next_exprs)}  # noqa: S307
            env.update(state)
            outs = [eval(e, env) for e in prog.output_exprs]  # noqa: S307
            largest = max([largest, *map(abs, state.values()), *map(abs, outs), *map(abs, map(int, step))])
    return largest


@FAST
@given(prog=programs(), seed=st.integers(0, 1000))
def test_interpreter_agrees_with_emitted_python(prog, seed):
    # the templates' intermediates are bounded by twice the largest state, input or output, so
    # an overflow needs a value of at least 2**62, and a value of 2**63 or more must raise
    rng = np.random.default_rng(seed)
    shape = (12, 5) if prog.n_inputs == 1 else (12, 5, prog.n_inputs)
    x = rng.integers(-4, 5, size=shape)
    largest = largest_python_value(prog, x)
    try:
        got = P.run_program(prog, x)
    except OverflowError:
        assert largest >= 2**62
        return
    assert largest < 2**63
    want = run_source(prog, x)
    np.testing.assert_array_equal(got, want.reshape(got.shape))


def test_linear_program_conversion_and_source():
    lp = LinearProgram(M=np.array([[1, 0], [0, 0]]), K=np.array([[1], [-1]]), c=np.array([0, 99]),
                       R=np.array([[1, 1]]), d=np.array([-99]), z0=np.array([0, 99]))
    prog = P.as_program(lp)
    assert prog.next_exprs == ("a + x", "-x + 99") and prog.output_exprs == ("a + b - 99",)
    src = P.to_python(prog, 10)
    assert src.startswith("def f(s):") and "next_b = -x + 99" in src
    x = np.random.default_rng(0).integers(0, 100, size=(5, 10))
    np.testing.assert_array_equal(P.run_program(prog, x), np.cumsum(x, axis=1) - x)


def test_boolean_program_conversion():
    # carry machine: state bit a = carry; inputs b, c (letters after the state bits)
    bp = BooleanProgram(n_state_bits=2, next_formulas=("b^c^d", "b+c+d>1"), output_formulas=("a",),
                        initial_bits=(0, 0), total_length=12)
    prog = P.as_program(bp, n_inputs=2)
    assert prog.n_inputs == 2 and prog.state_names == ("a", "b")
    assert prog.next_exprs == ("b ^ x0 ^ x1", "b + x0 + x1 > 1")
    rng = np.random.default_rng(1)
    x = rng.integers(0, 2, size=(200, 10, 2))
    carry = np.zeros(200, dtype=int)
    want = np.zeros((200, 10), dtype=int)
    for t in range(10):
        s = x[:, t, 0] + x[:, t, 1] + carry
        want[:, t], carry = s % 2, s // 2
    np.testing.assert_array_equal(P.run_program(prog, x), want)
    np.testing.assert_array_equal(run_source(prog, x[:20]), want[:20])


def parity(x):
    return np.cumsum(np.asarray(x), axis=1) % 2


def bits(rng, n):
    return rng.integers(0, 2, size=(n, 10))


PARITY = P.Program("BR", 1, ("a",), (0,), ("a ^ x",), ("a",))


def test_verify_exhaustive_pass():
    rep = V.verify_program(PARITY, parity, sampler=bits, n_samples=2000, rng=0, alphabet=(0, 1), seq_len=10)
    assert rep.passed and rep.exhaustive and rep.n_sequences == 1024 and rep.second_sample == 2000
    assert rep.source_agrees and rep.counterexample is None and "passed" in repr(rep)


def test_verify_sampled_pass_needs_both_samples():
    rep = V.verify_program(PARITY, parity, sampler=bits, n_samples=3000, rng=0, exhaustive_limit=10)
    assert rep.passed and not rep.exhaustive and rep.n_sequences == 3000 and rep.second_sample == 3000
    small = V.verify_program(PARITY, parity, inputs=bits(np.random.default_rng(0), 50), n_samples=3000, rng=0)
    assert not small.passed and "second independent sample" in small.reason


def test_verify_catches_a_wrong_program_with_counterexample():
    wrong = P.Program("BR", 1, ("a",), (0,), ("a | x",), ("a",))
    rep = V.verify_program(wrong, parity, sampler=bits, n_samples=1000, rng=0, alphabet=(0, 1), seq_len=10)
    assert not rep.passed and rep.n_failed_sequences > 0
    xs, want, got = rep.counterexample
    np.testing.assert_array_equal(parity(np.array([xs]))[0], want)
    assert want != got


def test_enumerate_inputs_covers_all_sequences():
    x = V.enumerate_inputs(0, 2, 3, 2)
    assert x.shape == (729, 3, 2) and len({tuple(r.ravel()) for r in x}) == 729
    np.testing.assert_array_equal(V.enumerate_inputs(0, 1, 4, start=5, stop=6), [[0, 1, 0, 1]])


def test_check_causal_rejects_a_non_causal_reference():
    def future(x):
        return np.cumsum(np.asarray(x)[:, ::-1], axis=1)[:, ::-1]

    x = bits(np.random.default_rng(0), 16)
    with pytest.raises(ValueError, match="reference is not causal"):
        V.check_causal(future, x)
    V.check_causal(parity, x)


def test_empty_batches_are_refused_as_rnn_forward_refuses_them():
    # "cannot reshape array of size 0" before
    for x in (np.zeros((0, 3), dtype=np.int64), np.zeros((2, 0), dtype=np.int64), [[]]):
        with pytest.raises(ValueError, match="x must hold at least one sequence of at least one step"):
            P.run_program(PARITY, x)
        with pytest.raises(ValueError, match="x must hold at least one sequence of at least one step"):
            V.check_causal(parity, np.asarray(x, dtype=np.int64))
        with pytest.raises(ValueError, match="inputs must hold at least one sequence"):
            V.verify_program(PARITY, parity, inputs=x, rng=0)
    assert P.run_program(PARITY, [[1]]).shape == (1, 1)


def test_bad_input():
    with pytest.raises(ValueError, match="unknown name 'z'"):
        P.Program("LR", 1, ("a",), (0,), ("z + 1",), ("a",))
    with pytest.raises(ValueError, match="same length"):
        P.Program("LR", 1, ("a", "b"), (0,), ("a",), ("a",))
    # a repeated state name used to be accepted, the later definition silently winning
    with pytest.raises(ValueError, match=r"state_names must be distinct, got \['a'\]"):
        P.Program("LR", 1, ("a", "a"), (0, 5), ("a + x", "a*2"), ("a",))
    with pytest.raises(ValueError, match="not valid Python"):
        P.Program("LR", 1, ("a",), (0,), ("a +",), ("a",))
    with pytest.raises(ValueError, match="input column"):
        P.run_program(PARITY, np.zeros((2, 3, 2)))
    with pytest.raises(ValueError, match="x must hold integers"):
        P.run_program(PARITY, np.full((2, 3), 0.5))
    with pytest.raises(ValueError, match="unknown symbol"):
        P.rpn_to_python("a$", ("u",))
    with pytest.raises(TypeError, match="LinearProgram, BooleanProgram or SymbolicProgram"):
        P.as_program("a + 1")
    with pytest.raises(ValueError, match="needs a sampler"):
        V.verify_program(PARITY, parity, rng=0)
    with pytest.raises(TypeError, match="reference must be callable"):
        V.verify_program(PARITY, 3, rng=0, sampler=bits)
    with pytest.raises(ValueError, match="n_inputs must be >= 1"):
        P.input_names(0)
    with pytest.raises(TypeError, match="n_inputs must be an integer"):
        P.input_names(2.0)
    with pytest.raises(TypeError, match="rpn must be a str"):
        P.rpn_to_python(None, ("u",))
    with pytest.raises(TypeError, match="names must be a sequence of str"):
        P.rpn_to_python("a", None)
    with pytest.raises(ValueError, match="x must have shape"):
        V.check_causal(parity, np.zeros(4, dtype=int))
    for args, kwargs, error, message in (
        ((2, 1, 3), {}, ValueError, "high must be >= 2"),
        ((0, 1, 0), {}, ValueError, "seq_len must be >= 1"),
        ((0, 1, 3, 0), {}, ValueError, "n_inputs must be >= 1"),
        ((0, 1, 3), {"start": -1}, ValueError, "start must be >= 0"),
        ((0, 1, 3), {"start": 4, "stop": 2}, ValueError, "stop must be >= 4"),
        ((0.0, 1, 3), {}, TypeError, "low must be an integer"),
    ):
        with pytest.raises(error, match=message):
            V.enumerate_inputs(*args, **kwargs)


# ---- int64 contract of run_program (overflow, division by zero, exact inputs) ----------------

INT64 = st.one_of(st.integers(-(2**63), 2**63 - 1),
                  st.sampled_from([-(2**63), -(2**63) + 1, -1, 0, 1, 2**32, -(2**32), 2**62, 2**63 - 1]))


@FAST
@given(op=st.sampled_from(["u + v", "u - v", "u * v", "u // v", "u % v", "-u", "abs(u)", "cmod(u, v)"]),
       u=INT64, v=INT64)
def test_interpreter_faults_exactly_when_python_leaves_int64(op, u, v):
    # twin: Python's exact integers; the interpreter must agree or flag the row, never wrap
    ns = {}
    exec(P._CMOD_SOURCE, ns)
    try:
        want = eval(op, dict(ns, u=u, v=v))  # noqa: S307
    except ZeroDivisionError:
        want = None
    faults = P._Faults(1)
    got = P._eval(P._parse(op), {"u": np.array([u]), "v": np.array([v])}, np.ones(1, dtype=bool), faults)
    assert bool(faults.zero_division[0]) == (want is None)
    assert bool(faults.overflow[0]) == (want is not None and not -(2**63) <= want < 2**63)
    if not (faults.overflow[0] or faults.zero_division[0]):
        assert int(np.broadcast_to(got, (1,))[0]) == want


def test_run_program_raises_on_int64_overflow_instead_of_wrapping():
    tripler = P.Program("LR", 1, ("a",), (1,), ("a*3 + x",), ("a",))
    with pytest.raises(OverflowError, match="sequence 0, step 39: next_a = a\\*3 \\+ x leaves the int64 range"):
        P.run_program(tripler, np.ones((1, 45)))
    assert P.run_program(tripler, np.zeros((1, 39)))[0, -1] == 3**39  # still inside int64: exact
    negate = P.Program("LR", 1, ("a",), (0,), ("x",), ("-a",))
    with pytest.raises(OverflowError, match="output 0 = -a"):
        P.run_program(negate, np.array([[5, -(2**63)]]))


def test_run_program_inputs_are_exact_int64_integers():
    ident = P.Program("LR", 1, ("a",), (0,), ("x",), ("a",))
    with pytest.raises(ValueError, match="x must lie inside the int64 range"):
        P.run_program(ident, [[1e19, 1, 1]])
    with pytest.raises(ValueError, match="x must lie in the int64 range"):
        P.run_program(ident, np.array([[2**63]], dtype=np.uint64))
    big = np.array([[2**62 + 1, -(2**63), 2**63 - 1]])  # not representable as float64: kept exact
    np.testing.assert_array_equal(P.run_program(ident, big), big)


def test_run_program_reports_the_first_fault_in_evaluation_order():
    # x // a divides by zero before a * x leaves int64: Python raises ZeroDivisionError there
    # (it was reported as an overflow because both faults were flagged)
    first_zero = P.Program("SR", 1, ("a",), (0,), ("x // a + x * x",), ("a",))
    big = [[2**40, 1]]
    with pytest.raises(ZeroDivisionError, match="step 0: next_a = x // a \\+ x \\* x divides by zero"):
        P.run_program(first_zero, big)
    with pytest.raises(ZeroDivisionError):
        run_source(first_zero, np.array(big))
    # the other order: the int64 range is left first, and that is what is reported
    first_overflow = P.Program("SR", 1, ("a",), (0,), ("x * x + x // a",), ("a",))
    with pytest.raises(OverflowError, match="step 0: next_a = x \\* x \\+ x // a leaves the int64 range"):
        P.run_program(first_overflow, big)


def test_run_program_divides_by_zero_like_python_and_short_circuits():
    mod = P.Program("SR", 1, ("a",), (0,), ("x % a",), ("a",))
    with pytest.raises(ZeroDivisionError, match="step 0: next_a = x % a divides by zero"):
        P.run_program(mod, [[1, 2]])
    with pytest.raises(ZeroDivisionError):
        run_source(mod, np.array([[1, 2]]))
    guarded = P.Program("SR", 1, ("a", "b"), (0, 0), ("x // a if a != 0 else x", "a and x % a or 7"), ("a", "b"))
    x = np.array([[3, 0, 5, 2], [0, 0, 4, 9]])
    np.testing.assert_array_equal(P.run_program(guarded, x), run_source(guarded, x).reshape(2, 4, 2))
    cmod = P.Program("SR", 1, ("a",), (0,), ("x",), ("cmod(a, 0)",))  # the authors' convention, no error
    assert P.run_program(cmod, [[4, 5]]).tolist() == [[1000, 1000]]


def test_verify_program_reports_overflow_and_division_by_zero():
    def zeros(x):
        return np.zeros_like(np.asarray(x))

    for prog, x in ((P.Program("LR", 1, ("a",), (1,), ("a*3 + x",), ("a",)), np.ones((3, 45), dtype=int)),
                    (P.Program("SR", 1, ("a",), (0,), ("x % a",), ("a",)), np.ones((3, 4), dtype=int))):
        rep = V.verify_program(prog, zeros, inputs=x, n_samples=3, rng=0)
        assert not rep.passed and rep.n_failed_sequences == 3
        assert "leaves int64 or divides by zero" in rep.reason
        assert rep.counterexample[2] is None and rep.source_agrees


def test_verify_program_rejects_inputs_outside_int64():
    with pytest.raises(ValueError, match="inputs must lie inside the int64 range"):
        V.verify_program(PARITY, parity, inputs=[[1e19, 1, 1]], n_samples=1, rng=0)


def test_program_rejects_expressions_run_program_cannot_evaluate():
    for expr, what in (("a / 2", "Div"), ("a ** 2", "Pow"), ("abs()", "abs\\(\\) with 0"), ("'a'", "constant 'a'"),
                       ("min(a)", "min\\(\\) with 1"), ("a is x", "Is"), ("abs", "unknown name 'abs'"),
                       ("f(a)", "call"), ("a + 2**70", "Pow"), ("a + 99999999999999999999", "outside the int64"),
                       ("[a]", "List"), ("1.5", "constant 1.5"), ("abs(a, key=x)", "call")):
        with pytest.raises(ValueError, match=what):
            P.Program("LR", 1, ("a",), (0,), ("x",), (expr,))
    ok = P.Program("LR", 1, ("a",), (0,), ("x",), ("max(a, x, 3) - min(a, -x) + (not a) + ~x",))
    x = np.array([[1, -2, 3]])
    np.testing.assert_array_equal(P.run_program(ok, x), run_source(ok, x))


def test_program_initial_must_hold_int64_integers():
    for value, error in ((0.7, TypeError), ("5", TypeError), (1.0, TypeError), (True, TypeError),
                         (2**63, ValueError)):
        with pytest.raises(error, match="Program.initial"):
            P.Program("LR", 1, ("a",), (value,), ("x",), ("a",))
    assert P.Program("LR", 1, ("a",), (np.int64(-5),), ("x",), ("a",)).initial == (-5,)


def test_verification_arguments_are_named():
    with pytest.raises(TypeError, match="alphabet must be a pair"):
        V.verify_program(PARITY, parity, alphabet=3, seq_len=4, rng=0)
    with pytest.raises(TypeError, match="sampler output must be an array"):
        V.verify_program(PARITY, parity, sampler=lambda r, n: "abc", rng=0, n_samples=5)
    with pytest.raises(ValueError, match="x must be finite"):
        V.check_causal(parity, [[1, np.nan, 2]])


def test_enumerate_inputs_guards_size_and_int64():
    with pytest.raises(ValueError, match="limit of 2\\*\\*26 symbols"):
        V.enumerate_inputs(0, 1, 40)
    with pytest.raises(ValueError, match="alphabet size high - low \\+ 1 must be <= 2\\*\\*63 - 1"):
        V.enumerate_inputs(-(2**62), 2**62, 1, stop=3)
    with pytest.raises(ValueError, match="start must be an int64"):
        V.enumerate_inputs(0, 9, 30, start=2**63, stop=2**63 + 2)
    with pytest.raises(ValueError, match="stop .* must be <= 2\\*\\*63 - 1"):
        V.enumerate_inputs(0, 9, 30, start=2**63 - 2)  # stop defaults to all 10**30 sequences
    assert V.enumerate_inputs(0, 1, 40, start=2**40 - 1).tolist() == [[1] * 40]  # a slice is fine
    assert V.enumerate_inputs(0, 1, 3, start=9).shape == (0, 3)
    top = V.enumerate_inputs(2**62, 2**62 + 1, 2)
    np.testing.assert_array_equal(top, 2**62 + np.array([[0, 0], [0, 1], [1, 0], [1, 1]]))
