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
    got_vec = P._eval(P._parse(expr), {"u": X[:, 0], "v": X[:, 1]})
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


@FAST
@given(prog=programs(), seed=st.integers(0, 1000))
def test_interpreter_agrees_with_emitted_python(prog, seed):
    rng = np.random.default_rng(seed)
    shape = (12, 5) if prog.n_inputs == 1 else (12, 5, prog.n_inputs)
    x = rng.integers(-4, 5, size=shape)
    want = run_source(prog, x)
    got = P.run_program(prog, x)
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


def test_bad_input():
    with pytest.raises(ValueError, match="unknown name 'z'"):
        P.Program("LR", 1, ("a",), (0,), ("z + 1",), ("a",))
    with pytest.raises(ValueError, match="same length"):
        P.Program("LR", 1, ("a", "b"), (0,), ("a",), ("a",))
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
