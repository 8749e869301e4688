r"""Programs distilled by MIPS: one representation, readable Python, a vectorised interpreter.

Every branch of MIPS (Michaud et al., arXiv:2402.05110) ends in a program of the same shape
[authors' code, ``regression/run.ipynb`` and the ``pipeline`` branch programs]:

.. math::

    s_0 = \text{initial},\qquad s_t = \text{next}(s_{t-1}, x_t),\qquad y_t = \text{out}(s_t, x_t),

an integer state updated simultaneously each step, emitted as ``def f(s[, t])`` that loops
over the sequence and appends one output per step. :class:`Program` holds the state names,
initial values and one Python expression per state coordinate and output. The expressions
use integer arithmetic, comparisons, ``abs``, ``int`` and ``cmod`` — the C-style remainder
of the authors' symbolic-regression alphabet (sign of the dividend, ``cmod(a, 0) = 1000``)
[authors' code].

:func:`run_program` evaluates the same expressions on whole batches with NumPy (an AST
interpreter with Python's integer semantics), :func:`to_python` writes the source; the
verification (:mod:`efttheory.synthesis.verification`) checks that the two agree [ours].
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import numpy as np

from efttheory._arguments import as_finite_array, check_identifiers, check_integer
from efttheory.synthesis.linreg import LinearProgram

__all__ = [
    "Program",
    "as_program",
    "input_names",
    "rpn_to_python",
    "run_program",
    "to_python",
]

_LETTERS = "abcdeghjklmnopqruvw"  # state names: skip f (the function), i (loop index), s/t, x/y
_RELATION_VARS = "abcdefghijklmnopqrstuvwxyz"  # authors' relation variables a, b, c, ...
_FUNCS = ("abs", "int", "cmod", "min", "max")


def input_names(n_inputs: int) -> tuple[str, ...]:
    """Names of the inputs inside program expressions.

    Parameters
    ----------
    n_inputs : int
        Input columns per step, at least 1.

    Returns
    -------
    tuple of str
        ``("x",)`` for one input, else ``("x0", "x1", ...)``.

    Examples
    --------
    >>> from efttheory.synthesis import input_names
    >>> input_names(1), input_names(3)
    (('x',), ('x0', 'x1', 'x2'))
    """
    n_inputs = check_integer("n_inputs", n_inputs, minimum=1)
    return ("x",) if n_inputs == 1 else tuple(f"x{d}" for d in range(n_inputs))


def _sequence_names(n_inputs: int) -> tuple[str, ...]:
    if n_inputs == 1:
        return ("s",)
    if n_inputs == 2:
        return ("s", "t")
    return tuple(f"s{d}" for d in range(n_inputs))


@dataclass(frozen=True)
class Program:
    """A distilled integer program (state machine with Python expressions).

    Attributes
    ----------
    method : str
        ``"LR"``, ``"BR"``, ``"SR"`` (or any label).
    n_inputs : int
        Input columns per step :math:`D`, named by :func:`input_names`.
    state_names : tuple of str
        One name per state variable.
    initial : tuple of int
        Initial state.
    next_exprs : tuple of str
        Python expression per state variable over the *previous* state and the current
        inputs; all are evaluated before any is assigned.
    output_exprs : tuple of str
        Python expression per output over the *new* state and the current inputs.
    """

    method: str
    n_inputs: int
    state_names: tuple
    initial: tuple
    next_exprs: tuple
    output_exprs: tuple

    def __post_init__(self):
        check_integer("n_inputs", self.n_inputs, minimum=1)
        for name in ("state_names", "initial", "next_exprs", "output_exprs"):
            value = getattr(self, name)
            if isinstance(value, str) or not hasattr(value, "__len__"):
                raise TypeError(f"{name} must be a sequence, got {value!r}")
            object.__setattr__(self, name, tuple(value))
        reserved = set(input_names(self.n_inputs)) | set(_FUNCS) | {"s", "t", "y", "i", "f"}
        for n in self.state_names:
            if not isinstance(n, str) or not n.isidentifier() or n in reserved or n.startswith("next_"):
                raise ValueError(f"state name {n!r} must be an identifier other than {sorted(reserved)}")
        if len(self.state_names) != len(self.initial) or len(self.state_names) != len(self.next_exprs):
            raise ValueError(
                "state_names, initial and next_exprs must have the same length, got "
                f"{len(self.state_names)}, {len(self.initial)}, {len(self.next_exprs)}"
            )
        if len(self.output_exprs) < 1:
            raise ValueError("output_exprs must hold at least one expression, got none")
        object.__setattr__(self, "initial", tuple(int(v) for v in self.initial))
        allowed = set(self.state_names) | set(input_names(self.n_inputs)) | set(_FUNCS)
        for expr in self.next_exprs + self.output_exprs:
            tree = _parse(expr)
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and node.id not in allowed:
                    raise ValueError(f"expression {expr!r} uses unknown name {node.id!r}; allowed {sorted(allowed)}")

    @property
    def n_outputs(self) -> int:
        """Number of outputs per step."""
        return len(self.output_exprs)

    def __repr__(self) -> str:
        nxt = "; ".join(f"{n}'={e}" for n, e in zip(self.state_names, self.next_exprs))
        out = "; ".join(self.output_exprs)
        return f"Program({self.method}: init={self.initial}; {nxt}; y={out})"


def _parse(expr: str) -> ast.Expression:
    if not isinstance(expr, str):
        raise TypeError(f"program expressions must be strings, got {expr!r}")
    try:
        return ast.parse(expr, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"expression {expr!r} is not valid Python: {exc.msg}") from None


# --------------------------------------------------------------------------------------------
# conversion of the three branch results
# --------------------------------------------------------------------------------------------


def _linear_expr(coeffs, names, const) -> str:
    terms = []
    for a, n in zip(coeffs, names):
        a = int(a)
        if a == 0:
            continue
        if a == 1:
            terms.append(("+", n))
        elif a == -1:
            terms.append(("-", n))
        else:
            terms.append(("+" if a > 0 else "-", f"{abs(a)}*{n}"))
    if int(const) != 0 or not terms:
        terms.append(("+" if const >= 0 else "-", str(abs(int(const)))))
    sign, first = terms[0]
    text = first if sign == "+" else f"-{first}"
    for sign, t in terms[1:]:
        text += f" {sign} {t}"
    return text


class _Rename(ast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        if node.id in self.mapping:
            return ast.copy_location(ast.Name(id=self.mapping[node.id], ctx=node.ctx), node)
        return node


def _rename(expr: str, mapping) -> str:
    tree = _Rename(mapping).visit(_parse(expr))
    return ast.unparse(ast.fix_missing_locations(tree))


def rpn_to_python(rpn: str, names) -> str:
    r"""Infix Python for a reverse-Polish expression of the MIPS symbolic-regression alphabet.

    Leaves: relation variables ``a, b, c, ...`` (mapped to ``names`` in order) and digit
    constants. Unary: ``>`` :math:`+1`, ``<`` :math:`-1`, ``~`` negate, ``H`` Heaviside
    :math:`[x > 0]`, ``D`` delta :math:`[x = 0]`, ``A`` abs, ``U`` :math:`+100`, ``V``
    :math:`-100`. Binary: ``+ * -`` and ``%`` (``cmod``, C-style) [authors' code].

    Parameters
    ----------
    rpn : str
    names : sequence of str
        Python names for the relation variables ``a, b, c, ...``.

    Returns
    -------
    str

    Examples
    --------
    A symbolic fit over ``(a, b) = (state, input)`` renamed to program variables:

    >>> from efttheory.synthesis import rpn_to_python
    >>> rpn_to_python("ab+3%", ["a", "x"])          # (state + input) mod 3, C-style
    'cmod(a + x, 3)'
    >>> rpn_to_python("aH", ["a"])                  # Heaviside
    'int(a > 0)'
    """
    if not isinstance(rpn, str):
        raise TypeError(f"rpn must be a str, got {type(rpn).__name__}")
    names = check_identifiers("names", names)
    stack = []
    unary = {
        ">": "({} + 1)",
        "<": "({} - 1)",
        "~": "(-{})",
        "H": "int({} > 0)",
        "D": "int({} == 0)",
        "A": "abs({})",
        "U": "({} + 100)",
        "V": "({} - 100)",
    }
    binary = {"+": "({} + {})", "*": "({} * {})", "-": "({} - {})", "%": "cmod({}, {})"}
    for ch in rpn:
        if ch in unary:
            if not stack:
                raise ValueError(f"rpn {rpn!r}: operator {ch!r} has no operand")
            stack.append(unary[ch].format(stack.pop()))
        elif ch in binary:
            if len(stack) < 2:
                raise ValueError(f"rpn {rpn!r}: operator {ch!r} needs two operands")
            b, a = stack.pop(), stack.pop()
            stack.append(binary[ch].format(a, b))
        elif ch.isdigit():
            stack.append(ch)
        elif ch in _RELATION_VARS:
            k = _RELATION_VARS.index(ch)
            if k >= len(names):
                raise ValueError(f"rpn {rpn!r}: variable {ch!r} but only {len(names)} names {names}")
            stack.append(names[k])
        else:
            raise ValueError(f"rpn {rpn!r}: unknown symbol {ch!r}")
    if len(stack) != 1:
        raise ValueError(f"rpn {rpn!r} is not a single expression")
    return ast.unparse(_parse(stack[0]))


def as_program(p, *, n_inputs: int | None = None) -> Program:
    """Convert a branch result (linear, Boolean or symbolic) to a :class:`Program`.

    Parameters
    ----------
    p : LinearProgram, BooleanProgram or SymbolicProgram
        ``LinearProgram``: state :math:`z`, ``next = M z + K x + c``, ``y = R z + d``.
        ``BooleanProgram``: formulas over the letters ``a, b, ...`` — the state bits first,
        then the input bits (input bit :math:`d` is letter ``n_state_bits + d``).
        ``SymbolicProgram``: RPN fits whose variables ``a, b, ...`` are the previous
        (possibly flipped) lattice coordinates then the inputs (next-state fits) or the new
        coordinates (output fits); ``z0`` is the initial state in those coordinates.
    n_inputs : int, optional
        Input columns; needed for Boolean and symbolic programs if not inferable
        (Boolean: defaults to the number of letters beyond the state bits, at least 1).

    Returns
    -------
    Program

    Examples
    --------
    The Boolean program of running parity (state bit ``a``, input bit ``b``) becomes a
    :class:`Program` over the state ``a`` and the input ``x``:

    >>> from efttheory.synthesis import MealyMachine, as_program, boolean_regression
    >>> parity = MealyMachine(transition=[[0, 1], [1, 0]], output=[[0, 1], [1, 0]],
    ...                       initial=0, n_symbols=2)
    >>> bp = boolean_regression(parity, n_input_bits=1)
    >>> bp.next_formulas, as_program(bp)
    (('a^b',), Program(BR: init=(0,); a'=a ^ x; y=a))
    """
    if isinstance(p, LinearProgram):
        H, D = p.K.shape
        names = tuple(_LETTERS[:H])
        ins = input_names(D)
        nxt = tuple(_linear_expr(list(p.M[i]) + list(p.K[i]), names + ins, p.c[i]) for i in range(H))
        out = tuple(_linear_expr(p.R[o], names, p.d[o]) for o in range(p.R.shape[0]))
        return Program("LR", D, names, tuple(int(v) for v in p.z0), nxt, out)
    if hasattr(p, "next_formulas") and hasattr(p, "initial_bits"):
        S = int(p.n_state_bits)
        names = tuple(_LETTERS[:S])
        used = set()
        for f in tuple(p.next_formulas) + tuple(p.output_formulas):
            used |= {n.id for n in ast.walk(_parse(f)) if isinstance(n, ast.Name)}
        if n_inputs is None:
            idx = [_RELATION_VARS.index(u) for u in used if len(u) == 1 and u in _RELATION_VARS]
            n_inputs = max([1] + [k - S + 1 for k in idx if k >= S])
        ins = input_names(n_inputs)
        mapping = {_RELATION_VARS[k]: names[k] for k in range(S)}
        mapping.update({_RELATION_VARS[S + d]: ins[d] for d in range(n_inputs)})
        # rename through temporaries so that overlapping letters cannot collide
        tmp = {k: f"__v{i}" for i, k in enumerate(mapping)}
        back = {f"__v{i}": mapping[k] for i, k in enumerate(mapping)}

        def conv(f):
            return _rename(_rename(f, tmp), back)

        return Program(
            "BR",
            n_inputs,
            names,
            tuple(int(b) for b in p.initial_bits),
            tuple(conv(f) for f in p.next_formulas),
            tuple(conv(f) for f in p.output_formulas),
        )
    if hasattr(p, "next_fits") and hasattr(p, "output_fits"):
        H = len(p.next_fits)
        names = tuple(_LETTERS[:H])
        if n_inputs is None:
            n_inputs = 1
        ins = input_names(n_inputs)
        nxt = tuple(rpn_to_python(f.rpn, names + ins) for f in p.next_fits)
        out = tuple(rpn_to_python(f.rpn, names + ins) for f in p.output_fits)
        return Program("SR", n_inputs, names, tuple(int(v) for v in np.asarray(p.z0).ravel()), nxt, out)
    raise TypeError(f"p must be a LinearProgram, BooleanProgram or SymbolicProgram, got {type(p).__name__}")


# --------------------------------------------------------------------------------------------
# emission
# --------------------------------------------------------------------------------------------

_CMOD_SOURCE = '''def cmod(a, b):
    """C-style remainder: the sign of the dividend; cmod(a, 0) = 1000."""
    if b == 0:
        return 1000
    r = abs(a) % abs(b)
    return r if a >= 0 else -r


'''


def _check_program(prog):
    if not isinstance(prog, Program):
        raise TypeError(f"prog must be a Program, got {type(prog).__name__}")
    return prog


def to_python(prog: Program, seq_len: int) -> str:
    """Readable Python source of ``def f(s[, t])`` in the authors' program style.

    Parameters
    ----------
    prog : Program
    seq_len : int
        Sequence length the program was distilled for (recorded in its docstring; the
        loop runs over the whole input).

    Returns
    -------
    str
        Source defining ``f`` (and ``cmod`` when used); ``f`` returns a list with one output
        (or a tuple of outputs) per step.

    Examples
    --------
    A shift register ``a = x_t``, ``b = x_{t-1}`` read out as :math:`y_t = x_t + 2 x_{t-1}`:

    >>> from efttheory.synthesis import Program, to_python
    >>> prog = Program("LR", 1, ("a", "b"), (0, 0), ("x", "a"), ("a + 2*b",))
    >>> src = to_python(prog, seq_len=10)
    >>> print(src, end="")
    def f(s):
        \"\"\"Distilled by MIPS (LR); written for sequences of length 10.\"\"\"
        a = 0
        b = 0
        y = []
        for i in range(len(s)):
            x = s[i]
            next_a = x
            next_b = a
            a = next_a
            b = next_b
            y.append(a + 2*b)
        return y
    >>> namespace = {}
    >>> exec(src, namespace)
    >>> namespace["f"]([1, 2, 3])
    [1, 4, 7]
    """
    prog = _check_program(prog)
    seq_len = check_integer("seq_len", seq_len, minimum=1)
    seqs = _sequence_names(prog.n_inputs)
    ins = input_names(prog.n_inputs)
    body = [f"def f({', '.join(seqs)}):"]
    body.append(f'    """Distilled by MIPS ({prog.method}); written for sequences of length {seq_len}."""')
    for n, v in zip(prog.state_names, prog.initial):
        body.append(f"    {n} = {v}")
    body.append("    y = []")
    body.append(f"    for i in range(len({seqs[0]})):")
    for name, seq in zip(ins, seqs):
        body.append(f"        {name} = {seq}[i]")
    for n, e in zip(prog.state_names, prog.next_exprs):
        body.append(f"        next_{n} = {e}")
    for n in prog.state_names:
        body.append(f"        {n} = next_{n}")
    if prog.n_outputs == 1:
        body.append(f"        y.append({prog.output_exprs[0]})")
    else:
        body.append(f"        y.append(({', '.join(prog.output_exprs)}))")
    body.append("    return y")
    src = "\n".join(body) + "\n"
    if "cmod(" in src:
        src = _CMOD_SOURCE + src
    return src


# --------------------------------------------------------------------------------------------
# vectorised interpreter
# --------------------------------------------------------------------------------------------


def _cmod(a, b):
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))
    safe = np.where(b == 0, 1, b)
    r = np.abs(a) % np.abs(safe)
    return np.where(b == 0, np.int64(1000), np.where(a >= 0, r, -r)).astype(np.int64)


_BIN = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.BitXor: np.bitwise_xor,
    ast.BitAnd: np.bitwise_and,
    ast.BitOr: np.bitwise_or,
}
_CMP = {
    ast.Gt: np.greater,
    ast.Lt: np.less,
    ast.GtE: np.greater_equal,
    ast.LtE: np.less_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}


def _eval(node, env):
    """Evaluate an expression AST on int64 arrays with Python's integer semantics."""
    if isinstance(node, ast.Expression):
        return _eval(node.body, env)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (bool, int)):
            return np.int64(int(node.value))
        raise ValueError(f"unsupported constant {node.value!r}")
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, env), _eval(node.right, env)
        op = type(node.op)
        if op in _BIN:
            return _BIN[op](a, b).astype(np.int64)
        if op is ast.Mod:
            return np.remainder(a, np.where(b == 0, 1, b)).astype(np.int64)
        if op is ast.FloorDiv:
            return np.floor_divide(a, np.where(b == 0, 1, b)).astype(np.int64)
        raise ValueError(f"unsupported operator {op.__name__}")
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, env)
        if isinstance(node.op, ast.USub):
            return np.negative(v)
        if isinstance(node.op, ast.UAdd):
            return v
        if isinstance(node.op, ast.Not):
            return (v == 0).astype(np.int64)
        if isinstance(node.op, ast.Invert):
            return np.invert(np.asarray(v, dtype=np.int64))
    if isinstance(node, ast.BoolOp):
        vals = [_eval(v, env) for v in node.values]
        out = vals[-1]
        for v in reversed(vals[:-1]):  # Python returns the deciding operand
            out = np.where(v != 0, out, v) if isinstance(node.op, ast.And) else np.where(v != 0, v, out)
        return np.asarray(out, dtype=np.int64)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, env)
        result = None
        for op, comp in zip(node.ops, node.comparators):
            right = _eval(comp, env)
            part = _CMP[type(op)](left, right)
            result = part if result is None else result & part
            left = right
        return np.asarray(result, dtype=np.int64)
    if isinstance(node, ast.IfExp):
        return np.where(_eval(node.test, env) != 0, _eval(node.body, env), _eval(node.orelse, env)).astype(np.int64)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        args = [_eval(a, env) for a in node.args]
        name = node.func.id
        if name == "abs":
            return np.abs(args[0])
        if name == "int":
            return np.asarray(args[0], dtype=np.int64)
        if name == "cmod":
            return _cmod(*args)
        if name == "min":
            return np.minimum.reduce(np.broadcast_arrays(*args)).astype(np.int64)
        if name == "max":
            return np.maximum.reduce(np.broadcast_arrays(*args)).astype(np.int64)
    raise ValueError(f"unsupported expression element: {ast.dump(node)[:60]}")


def run_program(prog: Program, x) -> np.ndarray:
    """Run a program on a batch of input sequences (vectorised over the batch).

    Parameters
    ----------
    prog : Program
    x : array_like of int, shape (B, L) or (B, L, D)

    Returns
    -------
    ndarray of int64, shape (B, L) for one output, else (B, L, O)

    Examples
    --------
    The shift register :math:`y_t = x_t + 2 x_{t-1}` on a batch of two sequences:

    >>> from efttheory.synthesis import Program, run_program
    >>> prog = Program("LR", 1, ("a", "b"), (0, 0), ("x", "a"), ("a + 2*b",))
    >>> run_program(prog, [[1, 2, 3], [0, 0, 5]]).tolist()
    [[1, 4, 7], [0, 0, 5]]
    """
    prog = _check_program(prog)
    x = as_finite_array("x", x, ndim=(2, 3))
    if np.any(x != np.round(x)):
        raise ValueError("x must hold integers")
    x = x.astype(np.int64)
    if x.ndim == 2:
        x = x[:, :, None]
    if x.shape[2] != prog.n_inputs:
        raise ValueError(f"x must have {prog.n_inputs} input column(s) per step, got shape {x.shape}")
    B, L, _ = x.shape
    nxt = [_parse(e) for e in prog.next_exprs]
    out = [_parse(e) for e in prog.output_exprs]
    state = {n: np.full(B, v, dtype=np.int64) for n, v in zip(prog.state_names, prog.initial)}
    ins = input_names(prog.n_inputs)
    y = np.zeros((B, L, prog.n_outputs), dtype=np.int64)
    for t in range(L):
        env = dict(state)
        for d, name in enumerate(ins):
            env[name] = x[:, t, d]
        new = {n: np.broadcast_to(_eval(e, env), (B,)).astype(np.int64) for n, e in zip(prog.state_names, nxt)}
        env.update(new)
        state = new
        for o, e in enumerate(out):
            y[:, t, o] = _eval(e, env)
    return y[:, :, 0] if prog.n_outputs == 1 else y


def __getattr__(name):
    # verify_program / VerificationReport live in verification.py; exposed here lazily
    if name in ("verify_program", "VerificationReport"):
        from efttheory.synthesis import verification

        return getattr(verification, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
