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
interpreter in int64 arithmetic that equals Python's integer result whenever every value stays
inside int64, and raises otherwise), :func:`to_python` writes the source; the verification
(:mod:`efttheory.synthesis.verification`) checks that the two agree [ours].
"""

from __future__ import annotations

import ast
import numbers
from dataclasses import dataclass

import numpy as np

from efttheory._arguments import as_finite_array, as_integer_array, check_identifiers, check_integer
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
_ARITY = {"abs": (1, 1), "int": (1, 1), "cmod": (2, 2), "min": (2, None), "max": (2, None)}
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


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
        Initial state, integers inside the int64 range.
    next_exprs : tuple of str
        Python expression per state variable over the *previous* state and the current
        inputs; all are evaluated before any is assigned.
    output_exprs : tuple of str
        Python expression per output over the *new* state and the current inputs.

    Expressions may use int64 integer constants, the state and input names, ``+ - *``,
    ``//`` and ``%`` (floor semantics, as in Python), ``& | ^ ~``, comparisons (``==``,
    ``!=``, ``<``, ``<=``, ``>``, ``>=``, chained), ``and``/``or``/``not``, ``... if ... else
    ...`` and the calls ``abs(v)``, ``int(v)``, ``cmod(a, b)``, ``min(a, b, ...)``,
    ``max(a, b, ...)``; anything else (``/``, ``**``, strings, wrong arities, ...) raises
    ``ValueError`` on construction.
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
        repeated = sorted({n for n in self.state_names if self.state_names.count(n) > 1})
        if repeated:
            raise ValueError(f"state_names must be distinct, got {repeated} more than once")
        if len(self.state_names) != len(self.initial) or len(self.state_names) != len(self.next_exprs):
            raise ValueError(
                "state_names, initial and next_exprs must have the same length, got "
                f"{len(self.state_names)}, {len(self.initial)}, {len(self.next_exprs)}"
            )
        if len(self.output_exprs) < 1:
            raise ValueError("output_exprs must hold at least one expression, got none")
        object.__setattr__(self, "initial", tuple(_check_initial(v) for v in self.initial))
        allowed = set(self.state_names) | set(input_names(self.n_inputs))
        for expr in self.next_exprs + self.output_exprs:
            _check_node(_parse(expr).body, expr, allowed)

    @property
    def n_outputs(self) -> int:
        """Number of outputs per step."""
        return len(self.output_exprs)

    def __repr__(self) -> str:
        nxt = "; ".join(f"{n}'={e}" for n, e in zip(self.state_names, self.next_exprs))
        out = "; ".join(self.output_exprs)
        return f"Program({self.method}: init={self.initial}; {nxt}; y={out})"


def _check_initial(value) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"Program.initial must hold integers, got {value!r}")
    if not _INT64_MIN <= int(value) <= _INT64_MAX:
        raise ValueError(f"Program.initial must lie in the int64 range [-2**63, 2**63 - 1], got {int(value)}")
    return int(value)


def _check_node(node, expr: str, allowed) -> None:
    """Raise ValueError unless ``node`` uses only what :func:`run_program` evaluates."""

    def fail(what):
        raise ValueError(f"expression {expr!r}: {what} is not supported by run_program "
                         "(see Program for the allowed integer operations)")

    children = []
    if isinstance(node, ast.Constant):
        if type(node.value) not in (bool, int):
            fail(f"the constant {node.value!r}")
        if not _INT64_MIN <= node.value <= _INT64_MAX:
            fail(f"the constant {node.value} outside the int64 range")
    elif isinstance(node, ast.Name):
        if node.id not in allowed:
            raise ValueError(f"expression {expr!r} uses unknown name {node.id!r}; allowed {sorted(allowed)}")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BIN and not isinstance(node.op, (ast.Mod, ast.FloorDiv)):
            fail(f"the operator {type(node.op).__name__}")
        children = [node.left, node.right]
    elif isinstance(node, ast.UnaryOp):
        children = [node.operand]
    elif isinstance(node, ast.BoolOp):
        children = node.values
    elif isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _CMP:
                fail(f"the comparison {type(op).__name__}")
        children = [node.left, *node.comparators]
    elif isinstance(node, ast.IfExp):
        children = [node.test, node.body, node.orelse]
    elif isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in _ARITY or node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            fail(f"the call {ast.unparse(node)!r} (only positional calls of {list(_FUNCS)})")
        low, high = _ARITY[name]
        if len(node.args) < low or (high is not None and len(node.args) > high):
            fail(f"{name}() with {len(node.args)} argument(s)")
        children = node.args
    else:
        fail(f"{type(node).__name__} ({ast.unparse(node)!r})")
    for child in children:
        _check_node(child, expr, allowed)


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


class _Faults:
    """The first fault of each row (sequence) in Python's evaluation order.

    ``first`` is 0 (none), 1 (the int64 range left) or 2 (division by zero); a later fault on
    the same row is not recorded, as Python would have raised at the first.
    """

    _CODES = {"overflow": 1, "zero_division": 2}

    def __init__(self, n_rows: int):
        self.first = np.zeros(n_rows, dtype=np.int8)

    @property
    def overflow(self) -> np.ndarray:
        return self.first == 1

    @property
    def zero_division(self) -> np.ndarray:
        return self.first == 2

    def add(self, kind: str, live, rows) -> None:
        new = live & rows & (self.first == 0)
        if np.any(new):
            self.first[new] = self._CODES[kind]


def _add(a, b):
    r = a + b
    return r, ((a ^ r) & (b ^ r)) < 0


def _sub(a, b):
    r = a - b
    return r, ((a ^ b) & (a ^ r)) < 0


def _mul(a, b):
    r = a * b
    nonzero = a != 0
    # without overflow r // a == b exactly; with it r differs from a*b by a multiple of 2**64
    back = np.floor_divide(r, np.where(nonzero, a, 1))
    return r, nonzero & ((back != b) | ((a == -1) & (b == _INT64_MIN)))


_BIN = {
    ast.Add: _add,
    ast.Sub: _sub,
    ast.Mult: _mul,
    ast.BitXor: lambda a, b: (a ^ b, False),
    ast.BitAnd: lambda a, b: (a & b, False),
    ast.BitOr: lambda a, b: (a | b, False),
}
_CMP = {
    ast.Gt: np.greater,
    ast.Lt: np.less,
    ast.GtE: np.greater_equal,
    ast.LtE: np.less_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}


def _divide(op, a, b, live, faults):
    """Python's ``a // b`` or ``a % b``; division by zero and ``MIN // -1`` are faults."""
    zero = b == 0
    faults.add("zero_division", live, zero)
    safe = np.where(zero, 1, b)
    if isinstance(op, ast.FloorDiv):
        faults.add("overflow", live, (a == _INT64_MIN) & (b == -1))
        return np.floor_divide(a, safe)
    return np.remainder(a, safe)


def _cmod(a, b):
    """C-style remainder (sign of the dividend), ``cmod(a, 0) = 1000``; never overflows."""
    zero = b == 0
    return np.where(zero, np.int64(1000), np.fmod(a, np.where(zero, 1, b)))


def _eval(node, env, live, faults):
    """Evaluate an expression AST on int64 arrays, as Python would on every live row.

    ``live`` marks the rows on which Python evaluates ``node`` (short-circuiting of
    ``and``/``or``/``if``/chained comparisons); an int64 overflow or a division by zero on a
    live row is recorded in ``faults`` (the value there is then meaningless).
    """
    if isinstance(node, ast.Expression):
        return _eval(node.body, env, live, faults)
    if isinstance(node, ast.Constant):
        return np.int64(int(node.value))
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, env, live, faults), _eval(node.right, env, live, faults)
        if isinstance(node.op, (ast.Mod, ast.FloorDiv)):
            return _divide(node.op, a, b, live, faults)
        value, overflow = _BIN[type(node.op)](a, b)
        faults.add("overflow", live, overflow)
        return value
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, env, live, faults)
        if isinstance(node.op, ast.USub):
            faults.add("overflow", live, v == _INT64_MIN)
            return -v
        if isinstance(node.op, ast.UAdd):
            return v
        if isinstance(node.op, ast.Not):
            return (v == 0).astype(np.int64)
        return ~v
    if isinstance(node, ast.BoolOp):
        vals = []
        reached = live
        for operand in node.values:  # later operands only where Python gets to them
            v = _eval(operand, env, reached, faults)
            vals.append(v)
            reached = reached & ((v != 0) if isinstance(node.op, ast.And) else (v == 0))
        out = vals[-1]
        for v in reversed(vals[:-1]):  # Python returns the deciding operand
            out = np.where(v != 0, out, v) if isinstance(node.op, ast.And) else np.where(v != 0, v, out)
        return np.asarray(out, dtype=np.int64)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, env, live, faults)
        result = None
        for op, comp in zip(node.ops, node.comparators):
            right = _eval(comp, env, live if result is None else live & result, faults)
            part = _CMP[type(op)](left, right)
            result = part if result is None else result & part
            left = right
        return np.asarray(result, dtype=np.int64)
    if isinstance(node, ast.IfExp):
        test = _eval(node.test, env, live, faults) != 0
        body = _eval(node.body, env, live & test, faults)
        orelse = _eval(node.orelse, env, live & ~test, faults)
        return np.where(test, body, orelse).astype(np.int64)
    # calls (Program checked the name and the number of arguments)
    args = [_eval(a, env, live, faults) for a in node.args]
    name = node.func.id
    if name == "abs":
        faults.add("overflow", live, args[0] == _INT64_MIN)
        return np.abs(args[0])
    if name == "int":
        return np.asarray(args[0], dtype=np.int64)
    if name == "cmod":
        return _cmod(*args)
    if name == "min":
        return np.minimum.reduce(np.broadcast_arrays(*args)).astype(np.int64)
    return np.maximum.reduce(np.broadcast_arrays(*args)).astype(np.int64)


def _as_int64_inputs(name: str, value, n_inputs: int) -> np.ndarray:
    """Integer input sequences (B, L) or (B, L, D) as int64 (same shape), exactly or not at all."""
    raw = np.asarray(value)
    if raw.dtype.kind in "iu":
        if raw.ndim not in (2, 3):
            raise ValueError(f"{name} must have ndim in (2, 3), got ndim={raw.ndim} (shape {raw.shape})")
        if raw.size and (int(raw.max()) > _INT64_MAX or int(raw.min()) < _INT64_MIN):
            raise ValueError(f"{name} must lie in the int64 range [-2**63, 2**63 - 1], got {int(raw.max())}")
        arr = raw.astype(np.int64)
    else:
        arr = as_integer_array(name, raw, ndim=(2, 3))
    columns = 1 if arr.ndim == 2 else arr.shape[2]
    if columns != n_inputs:
        raise ValueError(f"{name} must have {n_inputs} input column(s) per step, got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one sequence of at least one step, got shape {arr.shape}")
    return arr


def _interpret(prog: Program, x: np.ndarray):
    """Run ``prog`` on int64 inputs (B, L, D); return outputs (B, L, O) and the first fault per row.

    The fault of row ``b`` is ``(kind[b], step[b], expr[b])`` with kind 0 (none), 1 (int64
    overflow) or 2 (division by zero) and ``expr`` indexing ``next_exprs + output_exprs``.
    """
    B, L, _ = x.shape
    H = len(prog.state_names)
    trees = [_parse(e) for e in prog.next_exprs + prog.output_exprs]
    state = {n: np.full(B, v, dtype=np.int64) for n, v in zip(prog.state_names, prog.initial)}
    ins = input_names(prog.n_inputs)
    y = np.zeros((B, L, prog.n_outputs), dtype=np.int64)
    kind = np.zeros(B, dtype=np.int8)
    step = np.full(B, -1, dtype=np.int64)
    where = np.full(B, -1, dtype=np.int64)

    def evaluate(j, env, t):
        faults = _Faults(B)
        live = kind == 0
        value = np.broadcast_to(_eval(trees[j], env, live, faults), (B,))
        new = (faults.first != 0) & (kind == 0)
        if new.any():
            kind[new], step[new], where[new] = faults.first[new], t, j
        return value

    with np.errstate(all="ignore"):  # overflow is detected exactly, not from warnings
        for t in range(L):
            env = dict(state)
            for d, name in enumerate(ins):
                env[name] = x[:, t, d]
            state = {n: evaluate(j, env, t).astype(np.int64) for j, n in enumerate(prog.state_names)}
            env.update(state)
            for o in range(prog.n_outputs):
                y[:, t, o] = evaluate(H + o, env, t)
    return y, kind, step, where


def _fault_message(prog: Program, kind, step, where, row) -> str:
    j = int(where[row])
    H = len(prog.state_names)
    label = f"next_{prog.state_names[j]}" if j < H else f"output {j - H}"
    expr = (prog.next_exprs + prog.output_exprs)[j]
    what = "leaves the int64 range" if kind[row] == 1 else "divides by zero"
    return f"sequence {row}, step {int(step[row])}: {label} = {expr} {what}"


def run_program(prog: Program, x) -> np.ndarray:
    """Run a program on a batch of input sequences (vectorised over the batch).

    Arithmetic is int64. The result equals what the emitted Python (:func:`to_python`)
    returns whenever every intermediate value on the path Python evaluates lies in the int64
    range; otherwise an error is raised, never a wrapped value. Of several faults, the first
    in Python's evaluation order is raised (after a value has left int64, later values are
    not those Python would compute).

    Parameters
    ----------
    prog : Program
    x : array_like of int, shape (B, L) or (B, L, D)
        Integers inside the int64 range (floats only when whole numbers).

    Returns
    -------
    ndarray of int64, shape (B, L) for one output, else (B, L, O)

    Raises
    ------
    ValueError
        If ``x`` has the wrong shape (or no sequence, or no step), holds non-integers or
        values outside int64.
    OverflowError
        If a value leaves the int64 range (the message names the sequence, step and
        expression).
    ZeroDivisionError
        If ``//`` or ``%`` divides by zero (as the emitted Python would; ``cmod(a, 0)`` is
        1000, not an error).

    Examples
    --------
    The shift register :math:`y_t = x_t + 2 x_{t-1}` on a batch of two sequences:

    >>> from efttheory.synthesis import Program, run_program
    >>> prog = Program("LR", 1, ("a", "b"), (0, 0), ("x", "a"), ("a + 2*b",))
    >>> run_program(prog, [[1, 2, 3], [0, 0, 5]]).tolist()
    [[1, 4, 7], [0, 0, 5]]

    A value that leaves int64 raises instead of wrapping around:

    >>> tripler = Program("LR", 1, ("a",), (1,), ("3*a",), ("a",))
    >>> run_program(tripler, [[0] * 50])
    Traceback (most recent call last):
    ...
    OverflowError: run_program: sequence 0, step 39: next_a = 3*a leaves the int64 range
    """
    prog = _check_program(prog)
    x = _as_int64_inputs("x", x, prog.n_inputs)
    y, kind, step, where = _interpret(prog, x.reshape(x.shape[0], x.shape[1], prog.n_inputs))
    if kind.any():
        row = int(np.argmax(kind != 0))
        error = OverflowError if kind[row] == 1 else ZeroDivisionError
        raise error("run_program: " + _fault_message(prog, kind, step, where, row))
    return y[:, :, 0] if prog.n_outputs == 1 else y


def __getattr__(name):
    # verify_program / VerificationReport live in verification.py; exposed here lazily
    if name in ("verify_program", "VerificationReport"):
        from efttheory.synthesis import verification

        return getattr(verification, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
