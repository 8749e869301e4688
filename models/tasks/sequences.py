r"""The 62 algorithmic sequence tasks of the MIPS benchmark.

Michaud et al., *Opening the AI black box: program synthesis via mechanistic
interpretability* (arXiv 2402.05110) train a small RNN on each of 62
sequence-to-sequence tasks and distil it into a program. Every task maps an
integer input sequence :math:`x_0, \dots, x_{L-1}` (one value, or one vector of
``input_dim`` values, per step) to one output per step,

.. math::

    y_t = F_t(x_0, \dots, x_t), \qquad x_{t<0} := 0,

so every task is *causal*: :math:`y_{<k}` never depends on :math:`x_{\ge k}`.

Definitions paraphrase the authors' ``tasks/<dir>/create_dataset.py``
[authors' code] as transcribed in the project spec (``specs/synthesis-mips.md``,
section 3). The task names are the paper's. Each task carries

* a vectorised reference (:meth:`SequenceTask.__call__`, NumPy over a batch),
* an independent streaming step function (:meth:`SequenceTask.stream`), written
  one step at a time like the programs MIPS emits,
* for finite-state tasks, the explicit reference Mealy machine
  (:meth:`SequenceTask.reference_machine`) enumerated from the step function,
* a sampler (:meth:`SequenceTask.sample`): i.i.d. uniform integers in
  ``[low, high]``, except Bit_Palindrome (a forced palindromic prefix of length
  uniform in 2..10, then random bits) [authors' code].

Fresh samples replace the authors' fixed files of :math:`10^6` sequences; the
distribution is the same (for Previous_Equals_Current, whose files were
de-duplicated, duplicates are negligible among :math:`8^{10}` sequences) [ours].
Arrays are ``int64``: inputs ``(B, L, input_dim)``, outputs ``(B, L, output_dim)``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from models import _arguments as check

__all__ = ["SequenceTask", "ReferenceMachine", "TASKS", "TASK_NAMES", "get_task",
           "enumerate_sequences", "count_sequences"]


# ---------------------------------------------------------------------------------------------
# Reference machine
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class ReferenceMachine:
    r"""An explicit Mealy machine :math:`(Q, \Sigma, \delta, \lambda, q_0)` for a finite-state task.

    :math:`q_{t+1} = \delta(q_t, a_t)`, :math:`y_t = \lambda(q_t, a_t)` with
    :math:`a_t` the symbol id of input :math:`x_t` (see :attr:`inputs`).

    Attributes
    ----------
    transition : ndarray of int64, shape (S, A)
        Next state for every (state, symbol).
    output : ndarray of int64, shape (S, A, O)
        Output emitted on that transition.
    initial : int
        Start state (always 0: states are numbered in breadth-first order).
    inputs : ndarray of int64, shape (A, D)
        The input vector of each symbol id, in mixed-radix order with the first
        input coordinate most significant.
    states : tuple
        The task-level state each id stands for (e.g. a carry bit, a remainder).
    """

    transition: np.ndarray
    output: np.ndarray
    initial: int
    inputs: np.ndarray
    states: tuple

    @property
    def n_states(self) -> int:
        """Number of reachable states."""
        return int(self.transition.shape[0])

    @property
    def n_symbols(self) -> int:
        """Size of the input alphabet."""
        return int(self.transition.shape[1])

    def run(self, symbols) -> np.ndarray:
        """Outputs ``(B, L, O)`` for symbol ids ``(B, L)``, vectorised over the batch."""
        symbols = np.asarray(symbols, dtype=np.int64)
        if symbols.ndim != 2:
            raise ValueError(f"symbols must have shape (B, L), got shape {symbols.shape}")
        state = np.full(symbols.shape[0], self.initial, dtype=np.int64)
        out = np.empty(symbols.shape + (self.output.shape[2],), dtype=np.int64)
        for t in range(symbols.shape[1]):
            out[:, t] = self.output[state, symbols[:, t]]
            state = self.transition[state, symbols[:, t]]
        return out

    def __repr__(self) -> str:
        return (f"ReferenceMachine(n_states={self.n_states}, n_symbols={self.n_symbols}, "
                f"output_dim={self.output.shape[2]})")


# ---------------------------------------------------------------------------------------------
# The task record
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class SequenceTask:
    r"""One task of the benchmark: metadata, sampler, reference and streaming step.

    Attributes
    ----------
    name : str
        The paper's task name (e.g. ``"Binary_Addition"``).
    repo_dir : str
        The authors' task directory (``tasks/<repo_dir>``) [authors' code].
    input_dim, output_dim : int
        Integers per step in and out.
    seq_len : int
        Training sequence length ``L`` (10, or 20 for Prev5 and Sum_Last5/6/7).
    low, high : int
        Inclusive range of every input integer.
    train_steps : int
        The authors' training steps (10 000 or 20 000) [authors' code].
    test_fraction : float
        The authors' test split (0.1, or 0.2 for 14 tasks) [authors' code].
    deduplicate : bool
        Whether the authors de-duplicated the dataset (Previous_Equals_Current only).
    description : str
        One line: what ``y_t`` is.
    machine_states : int or None
        Number of reachable states of :meth:`reference_machine` for finite-state
        tasks, ``None`` for tasks that need unbounded memory (counters, sums).
    """

    name: str
    repo_dir: str
    input_dim: int
    output_dim: int
    seq_len: int
    low: int
    high: int
    train_steps: int
    test_fraction: float
    deduplicate: bool
    description: str
    machine_states: int | None
    _reference: Callable = field(compare=False)
    _initial: object = field(compare=False)
    _step: Callable = field(compare=False)
    _sampler: Callable | None = field(default=None, compare=False)

    # -- metadata ---------------------------------------------------------------------------
    @property
    def finite_state(self) -> bool:
        """True when the task is computed by a finite Mealy machine."""
        return self.machine_states is not None

    @property
    def n_values(self) -> int:
        """Number of values one input integer can take, ``high - low + 1``."""
        return self.high - self.low + 1

    @property
    def n_symbols(self) -> int:
        """Size of the per-step input alphabet, ``n_values ** input_dim``."""
        return self.n_values ** self.input_dim

    def symbol_inputs(self) -> np.ndarray:
        """Input vector of every symbol id, shape ``(n_symbols, input_dim)``, first coordinate most significant."""
        values = range(self.low, self.high + 1)
        return np.array(list(itertools.product(values, repeat=self.input_dim)), dtype=np.int64)

    def symbols(self, x) -> np.ndarray:
        """Symbol ids ``(B, L)`` of inputs ``x`` ``(B, L, input_dim)`` (the order of :meth:`symbol_inputs`)."""
        x = self._inputs(x)
        ids = np.zeros(x.shape[:2], dtype=np.int64)
        for j in range(self.input_dim):
            ids = ids * self.n_values + (x[..., j] - self.low)
        return ids

    # -- data -------------------------------------------------------------------------------
    def sample(self, rng, n: int, seq_len: int | None = None) -> np.ndarray:
        """Draw ``n`` input sequences, int64 of shape ``(n, seq_len, input_dim)``.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness (required; no global state).
        n : int
            Number of sequences, >= 1.
        seq_len : int, optional
            Length (>= 1); defaults to :attr:`seq_len`.
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {rng!r}")
        n = check.integer("n", n, minimum=1)
        seq_len = self.seq_len if seq_len is None else check.integer("seq_len", seq_len, minimum=1)
        if self._sampler is not None:
            return self._sampler(rng, n, seq_len)
        return rng.integers(self.low, self.high + 1, size=(n, seq_len, self.input_dim), dtype=np.int64)

    def __call__(self, x) -> np.ndarray:
        """Vectorised reference: outputs int64 ``(B, L, output_dim)`` for inputs ``(B, L, input_dim)``.

        A 2-D ``(B, L)`` input is accepted when ``input_dim == 1``.
        """
        x = self._inputs(x)
        y = np.asarray(self._reference(x), dtype=np.int64)
        if y.ndim == 2:
            y = y[:, :, None]
        return y

    def stream(self, x) -> np.ndarray:
        """Streaming reference: apply the step function one sequence and one step at a time.

        Slow (pure Python); independent of :meth:`__call__`, which it must agree with.
        """
        x = self._inputs(x)
        out = np.empty(x.shape[:2] + (self.output_dim,), dtype=np.int64)
        for b in range(x.shape[0]):
            state = self._initial
            for t in range(x.shape[1]):
                state, y = self._step(state, tuple(int(v) for v in x[b, t]))
                out[b, t] = y
        return out

    def step(self, state, x_t):
        """One streaming step: ``(next_state, y_t)`` for input tuple ``x_t``; start from :attr:`initial_state`."""
        return self._step(state, tuple(int(v) for v in np.atleast_1d(x_t)))

    @property
    def initial_state(self):
        """The streaming state before the first input."""
        return self._initial

    def reference_machine(self, max_states: int = 4096) -> ReferenceMachine:
        """The explicit Mealy machine of a finite-state task, by breadth-first enumeration.

        Parameters
        ----------
        max_states : int
            Refuse (``ValueError``) to enumerate more reachable states than this.

        Raises
        ------
        ValueError
            If the task is not finite-state or has more than ``max_states`` states.
        """
        max_states = check.integer("max_states", max_states, minimum=1)
        if not self.finite_state:
            raise ValueError(f"task {self.name!r} is not finite-state (it needs an unbounded counter "
                             "or history); reference_machine() exists only for finite-state tasks")
        if self.machine_states > max_states:
            raise ValueError(f"task {self.name!r} has {self.machine_states} states, more than "
                             f"max_states={max_states}")
        inputs = self.symbol_inputs()
        input_tuples = [tuple(int(v) for v in row) for row in inputs]
        index = {self._initial: 0}
        order = [self._initial]
        rows_t, rows_o = [], []
        i = 0
        while i < len(order):
            q = order[i]
            trow = np.empty(len(inputs), dtype=np.int64)
            orow = np.empty((len(inputs), self.output_dim), dtype=np.int64)
            for a, xa in enumerate(input_tuples):
                nxt, y = self._step(q, xa)
                if nxt not in index:
                    if len(order) >= max_states:
                        raise ValueError(f"task {self.name!r}: more than max_states={max_states} "
                                         "reachable states")
                    index[nxt] = len(order)
                    order.append(nxt)
                trow[a] = index[nxt]
                orow[a] = y
            rows_t.append(trow)
            rows_o.append(orow)
            i += 1
        return ReferenceMachine(np.array(rows_t), np.array(rows_o), 0, inputs, tuple(order))

    # -- internals --------------------------------------------------------------------------
    def _inputs(self, x) -> np.ndarray:
        raw = np.asarray(x)
        if raw.dtype.kind not in "iu":
            if raw.dtype.kind == "f" and raw.size and np.all(np.isfinite(raw)) and np.all(raw == np.round(raw)):
                raw = raw.astype(np.int64)
            else:
                raise TypeError(f"x must hold integers, got dtype {raw.dtype}")
        x = raw.astype(np.int64, copy=False)
        if x.ndim == 2 and self.input_dim == 1:
            x = x[:, :, None]
        if x.ndim != 3 or x.shape[2] != self.input_dim:
            raise ValueError(f"x must have shape (B, L, {self.input_dim}) for task {self.name!r}, "
                             f"got shape {x.shape}")
        if x.size and (x.min() < self.low or x.max() > self.high):
            raise ValueError(f"x must lie in [{self.low}, {self.high}] for task {self.name!r}, "
                             f"got values in [{x.min()}, {x.max()}]")
        return x

    def __repr__(self) -> str:
        kind = f"{self.machine_states}-state" if self.finite_state else "infinite-state"
        return (f"SequenceTask({self.name}: x in [{self.low}, {self.high}]^{self.input_dim}, "
                f"L={self.seq_len}, {kind}; y = {self.description})")


# ---------------------------------------------------------------------------------------------
# Vectorised building blocks (x is int64 (B, L, D))
# ---------------------------------------------------------------------------------------------


def _shift(a: np.ndarray, k: int) -> np.ndarray:
    """``a`` delayed by ``k`` steps along axis 1 with zeros in front (x_{t<0} = 0)."""
    out = np.zeros_like(a)
    if k < a.shape[1]:
        out[:, k:] = a[:, : a.shape[1] - k]
    return out


def _window_sum(v: np.ndarray, k: int) -> np.ndarray:
    c = np.cumsum(v, axis=1)
    return c - _shift(c, k)


def _add_base(base: int):
    def reference(x):
        carry = np.zeros(x.shape[0], dtype=np.int64)
        y = np.empty(x.shape[:2], dtype=np.int64)
        for t in range(x.shape[1]):
            s = x[:, t, 0] + x[:, t, 1] + carry
            y[:, t] = s % base
            carry = s // base
        return y

    def step(carry, xt):
        s = xt[0] + xt[1] + carry
        return s // base, (s % base,)

    return reference, 0, step


def _bitwise(op):
    def reference(x):
        return op(x[..., 0], x[..., 1])

    def step(q, xt):
        return q, (int(op(xt[0], xt[1])),)

    return reference, 0, step


def _parity_last(k: int):
    def reference(x):
        return _window_sum(x[..., 0], k) % 2

    def step(hist, xt):
        window = hist + (xt[0],)
        return window[1:], (sum(window) % 2,)

    return reference, (0,) * (k - 1), step


def _sum_last(k: int):
    def reference(x):
        return _window_sum(x[..., 0], k)

    def step(hist, xt):
        window = hist + (xt[0],)
        return window[1:], (sum(window),)

    return reference, (0,) * (k - 1), step


def _prev(k: int):
    def reference(x):
        return _shift(x[..., 0], k)

    def step(hist, xt):
        return hist[1:] + (xt[0],), (hist[0],)

    return reference, (0,) * k, step


def _majority(top: int):
    def reference(x):
        onehot = (x[..., 0][:, :, None] == np.arange(top + 1)[None, None, :]).astype(np.int64)
        return np.argmax(np.cumsum(onehot, axis=1), axis=2)  # first maximum: ties -> smaller

    def step(counts, xt):
        counts = tuple(c + (i == xt[0]) for i, c in enumerate(counts))
        best = max(range(top + 1), key=lambda i: (counts[i], -i))
        return counts, (best,)

    return reference, (0,) * (top + 1), step


def _div(k: int):
    def reference(x):
        r = np.zeros(x.shape[0], dtype=np.int64)
        y = np.empty(x.shape[:2], dtype=np.int64)
        for t in range(x.shape[1]):
            r = 2 * r + x[:, t, 0]
            y[:, t] = r // k
            r = r % k
        return y

    def step(r, xt):
        r = 2 * r + xt[0]
        return r % k, (r // k,)

    return reference, 0, step


def _add_mod(k: int):
    def reference(x):
        return np.cumsum(x[..., 0], axis=1) % k

    def step(s, xt):
        s = (s + xt[0]) % k
        return s, (s,)

    return reference, 0, step


def _newton(accel):
    """Newton tasks: a = accel(x_t, p); v += a; p += v; y = p."""

    def reference(x):
        v = np.zeros(x.shape[0], dtype=np.int64)
        p = np.zeros(x.shape[0], dtype=np.int64)
        y = np.empty(x.shape[:2], dtype=np.int64)
        for t in range(x.shape[1]):
            v = v + accel(x[:, t, 0], p)
            p = p + v
            y[:, t] = p
        return y

    def step(state, xt):
        v, p = state
        v = v + int(accel(xt[0], p))
        p = p + v
        return (v, p), (p,)

    return reference, (0, 0), step


def _newton_magnetic():
    r"""a = x_t + v R with R = [[0, 1], [-1, 0]] (v a row vector), i.e. a = x_t + (-v_2, v_1)."""

    def reference(x):
        v = np.zeros((x.shape[0], 2), dtype=np.int64)
        p = np.zeros((x.shape[0], 2), dtype=np.int64)
        y = np.empty(x.shape[:2] + (2,), dtype=np.int64)
        for t in range(x.shape[1]):
            rot = np.stack([-v[:, 1], v[:, 0]], axis=1)
            v = v + x[:, t] + rot
            p = p + v
            y[:, t] = p
        return y

    def step(state, xt):
        (v1, v2), (p1, p2) = state
        a1, a2 = xt[0] - v2, xt[1] + v1
        v1, v2 = v1 + a1, v2 + a2
        p1, p2 = p1 + v1, p2 + v2
        return ((v1, v2), (p1, p2)), (p1, p2)

    return reference, ((0, 0), (0, 0)), step


def _palindrome_reference(x):
    bits = x[..., 0]
    y = np.empty(bits.shape, dtype=np.int64)
    for t in range(bits.shape[1]):
        seg = bits[:, : t + 1]
        y[:, t] = np.all(seg == seg[:, ::-1], axis=1)
    return y


def _palindrome_step(hist, xt):
    hist = hist + (xt[0],)
    return hist, (int(hist == hist[::-1]),)


def _palindrome_sampler(rng, n, seq_len):
    """Forced palindrome of length uniform in 2..10 at the start, random bits after [authors' code]."""
    bits = rng.integers(0, 2, size=(n, seq_len), dtype=np.int64)
    lengths = rng.integers(2, 11, size=n)
    cols = np.arange(seq_len)
    mirror = lengths[:, None] - 1 - cols[None, :]
    inside = (cols[None, :] < lengths[:, None]) & (mirror < cols[None, :]) & (mirror >= 0)
    rows = np.nonzero(inside)
    bits[rows] = bits[rows[0], mirror[rows]]
    return bits[:, :, None]


def _balanced_reference(x):
    bal = np.cumsum(1 - 2 * x[..., 0], axis=1)
    broken = np.maximum.accumulate(bal < 0, axis=1)
    return ((bal == 0) & ~broken).astype(np.int64)


def _balanced_step(state, xt):
    bal, broken = state
    bal = bal + (1 - 2 * xt[0])
    broken = broken or bal < 0
    return (bal, broken), (int(bal == 0 and not broken),)


def _stateless(fn):
    """Tasks whose output depends on x_t only."""
    return (lambda x: fn(x[..., 0])), 0, (lambda q, xt: (q, (int(fn(np.int64(xt[0]))),)))


# ---------------------------------------------------------------------------------------------
# The table (spec section 3)
# ---------------------------------------------------------------------------------------------

_SQUARES = np.array([0, 1, 4, 9, 16])
_TWENTY_K = 20_000
_TEN_K = 10_000
_EIGHTY_TWENTY = {"Add_Mod_3", "Add_Mod_4", "Add_Mod_5", "Add_Mod_6", "Add_Mod_7", "Add_Mod_8",
                  "Div_3", "Div_5", "Div_7", "Dithering", "Newton_Freebody", "Newton_Gravity",
                  "Newton_Spring", "Newton_Magnetic"}


def _row(name, repo_dir, parts, *, low, high, description, states, steps=_TEN_K, input_dim=1,
         output_dim=1, seq_len=10, deduplicate=False, sampler=None):
    reference, initial, step = parts
    return SequenceTask(name=name, repo_dir=repo_dir, input_dim=input_dim, output_dim=output_dim,
                        seq_len=seq_len, low=low, high=high, train_steps=steps,
                        test_fraction=0.2 if name in _EIGHTY_TWENTY else 0.1,
                        deduplicate=deduplicate, description=description, machine_states=states,
                        _reference=reference, _initial=initial, _step=step, _sampler=sampler)


def _build_tasks() -> tuple[SequenceTask, ...]:
    rows = [
        _row("Binary_Addition", "bit_addition", _add_base(2), low=0, high=1, input_dim=2, states=2,
             description="ripple-carry sum bit of two LSB-first bit streams, final carry dropped"),
    ]
    for k in range(3, 8):
        rows.append(_row(f"Base_{k}_Addition", f"rnn_base_{k}_addition", _add_base(k), low=0,
                         high=k - 1, input_dim=2, states=2, steps=_TWENTY_K,
                         description=f"base-{k} sum digit with carry, LSD first"))
    rows += [
        _row("Bitwise_Xor", "rnn_bitwise_xor", _bitwise(np.bitwise_xor), low=0, high=1, input_dim=2,
             states=1, description="a_t XOR b_t"),
        _row("Bitwise_Or", "rnn_bitwise_or", _bitwise(np.bitwise_or), low=0, high=1, input_dim=2,
             states=1, description="a_t OR b_t"),
        _row("Bitwise_And", "rnn_bitwise_and", _bitwise(np.bitwise_and), low=0, high=1, input_dim=2,
             states=1, description="a_t AND b_t"),
        _row("Bitwise_Not", "rnn_bitwise_not", _stateless(lambda v: 1 - v), low=0, high=1, states=1,
             description="1 - x_t"),
        _row("Parity_Last2", "parity_last2", _parity_last(2), low=0, high=1, states=2,
             description="(x_t + x_{t-1}) mod 2"),
        _row("Parity_Last3", "parity_last3", _parity_last(3), low=0, high=1, states=4,
             description="(x_t + x_{t-1} + x_{t-2}) mod 2"),
        _row("Parity_Last4", "parity_last4", _parity_last(4), low=0, high=1, states=8,
             description="sum of the last 4 bits mod 2"),
        _row("Parity_All", "parity", _add_mod(2), low=0, high=1, states=2,
             description="prefix sum mod 2"),
        _row("Parity_Zeros", "parity_of_zeros",
             (lambda x: np.cumsum(1 - x[..., 0], axis=1) % 2, 0,
              lambda s, xt: ((s + 1 - xt[0]) % 2, ((s + 1 - xt[0]) % 2,))),
             low=0, high=1, states=2, steps=_TWENTY_K, description="number of zeros so far mod 2"),
        _row("Evens_Counter", "evens_counter",
             (lambda x: np.cumsum(x[..., 0] % 2 == 0, axis=1), 0,
              lambda c, xt: (c + (xt[0] % 2 == 0), (c + (xt[0] % 2 == 0),))),
             low=0, high=9, states=None, steps=_TWENTY_K, description="number of even inputs so far"),
        _row("Sum_All", "sum",
             (lambda x: np.cumsum(x[..., 0], axis=1), 0, lambda s, xt: (s + xt[0], (s + xt[0],))),
             low=0, high=99, states=None, description="prefix sum"),
    ]
    for k in range(2, 8):
        rows.append(_row(f"Sum_Last{k}", f"sum_last{k}", _sum_last(k), low=0, high=99,
                         states=100 ** (k - 1), seq_len=20 if k >= 5 else 10,
                         description=f"sum of the last {k} inputs (window truncated at the start)"))
    rows.append(_row("Current_Number", "identity", _stateless(lambda v: v), low=0, high=99, states=1,
                     description="x_t"))
    for k in range(1, 6):
        rows.append(_row(f"Prev{k}", f"prev{k}", _prev(k), low=0, high=99, states=100 ** k,
                         seq_len=20 if k == 5 else 10, description=f"x_(t-{k}) (0 before the start)"))
    rows += [
        _row("Previous_Equals_Current", "unique2",
             (lambda x: (x[..., 0] == _shift(x[..., 0], 1)).astype(np.int64), 0,
              lambda p, xt: (xt[0], (int(xt[0] == p),))),
             low=0, high=7, states=8, deduplicate=True, description="[x_t == x_(t-1)], so y_0 = [x_0 == 0]"),
        _row("Diff_Last2", "diff_last2",
             (lambda x: x[..., 0] - _shift(x[..., 0], 1), 0, lambda p, xt: (xt[0], (xt[0] - p,))),
             low=-100, high=99, states=200, description="x_t - x_(t-1)"),
        _row("Abs_Diff", "abs_value_of_diff",
             (lambda x: np.abs(x[..., 0] - _shift(x[..., 0], 1)), 0,
              lambda p, xt: (xt[0], (abs(xt[0] - p),))),
             low=-100, high=99, states=200, description="|x_t - x_(t-1)|"),
        _row("Abs_Current", "abs_value", _stateless(np.abs), low=-100, high=99, states=1,
             description="|x_t|"),
        _row("Diff_Abs_Values", "diff_of_abs_value",
             (lambda x: np.abs(x[..., 0]) - np.abs(_shift(x[..., 0], 1)), 0,
              lambda p, xt: (abs(xt[0]), (abs(xt[0]) - p,))),
             low=-100, high=99, states=101, description="|x_t| - |x_(t-1)|"),
        _row("Min_Seen", "min",
             (lambda x: np.minimum.accumulate(x[..., 0], axis=1), 9,
              lambda m, xt: (min(m, xt[0]), (min(m, xt[0]),))),
             low=0, high=9, states=10, steps=_TWENTY_K, description="prefix minimum"),
        _row("Max_Seen", "max",
             (lambda x: np.maximum.accumulate(x[..., 0], axis=1), 0,
              lambda m, xt: (max(m, xt[0]), (max(m, xt[0]),))),
             low=0, high=99, states=100, steps=_TWENTY_K, description="prefix maximum"),
    ]
    for top in (1, 2, 3):
        rows.append(_row(f"Majority_0_{top}", f"majority0_{top}", _majority(top), low=0, high=top,
                         states=None, steps=_TWENTY_K,
                         description="most frequent value so far, ties to the smaller"))
    rows += [
        _row("Evens_Detector", "evens_detector", _stateless(lambda v: (v % 2 == 0) * 1), low=0, high=9,
             states=1, steps=_TWENTY_K, description="[x_t even]"),
        _row("Perfect_Square_Detector", "perfect_square_detector",
             _stateless(lambda v: np.isin(v, _SQUARES) * 1), low=0, high=19, states=1, steps=_TWENTY_K,
             description="[x_t in {0, 1, 4, 9, 16}]"),
        _row("Bit_Palindrome", "bit_palindromes", (_palindrome_reference, (), _palindrome_step),
             low=0, high=1, states=None, steps=_TWENTY_K, sampler=_palindrome_sampler,
             description="[x_0..x_t is a palindrome]"),
        _row("Balanced_Parenthesis", "balanced_parenthesis", (_balanced_reference, (0, False), _balanced_step),
             low=0, high=1, states=None, steps=_TWENTY_K,
             description="[prefix balanced], 0 = '(' and 1 = ')'; 0 forever once the balance is < 0"),
        _row("Parity_Bits_Mod2", "parity_of_index",
             (lambda x: np.broadcast_to(np.arange(x.shape[1]) % 2, x.shape[:2]).copy(), 0,
              lambda s, xt: (1 - s, (s,))),
             low=0, high=1, states=2, steps=_TWENTY_K, description="t mod 2 (the input is ignored)"),
        _row("Alternating_Last3", "alternating_last3",
             (lambda x: (((x[..., 0] != _shift(x[..., 0], 1)) & (_shift(x[..., 0], 1) != _shift(x[..., 0], 2)))
                         * 1), (0, 0),
              lambda h, xt: (h[1:] + (xt[0],), (int(h[0] != h[1] and h[1] != xt[0]),))),
             low=0, high=1, states=4, steps=_TWENTY_K, description="[last 3 bits in {010, 101}]"),
        _row("Alternating_Last4", "alternating_last4",
             (lambda x: (((x[..., 0] != _shift(x[..., 0], 1)) & (_shift(x[..., 0], 1) != _shift(x[..., 0], 2))
                          & (_shift(x[..., 0], 2) != _shift(x[..., 0], 3))) * 1), (0, 0, 0),
              lambda h, xt: (h[1:] + (xt[0],), (int(h[0] != h[1] and h[1] != h[2] and h[2] != xt[0]),))),
             low=0, high=1, states=8, steps=_TWENTY_K, description="[last 4 bits in {0101, 1010}]"),
        _row("Bit_Shift_Right", "bit_shift_right", _prev(1), low=0, high=1, states=2, steps=_TWENTY_K,
             description="x_(t-1)"),
        _row("Bit_Dot_Prod_Mod2", "bit_dot_prod_mod2",
             (lambda x: np.cumsum(x[..., 0] * x[..., 1], axis=1) % 2, 0,
              lambda s, xt: ((s + xt[0] * xt[1]) % 2, ((s + xt[0] * xt[1]) % 2,))),
             low=0, high=1, input_dim=2, states=2, steps=_TWENTY_K, description="prefix sum of a_t b_t mod 2"),
    ]
    for k in (3, 5, 7):
        rows.append(_row(f"Div_{k}", f"div_{k}", _div(k), low=0, high=1, states=k,
                         description=f"MSB-first long division by {k}: r <- 2r + x_t, y = r div {k}, r <- r mod {k}"))
    for k in range(3, 9):
        rows.append(_row(f"Add_Mod_{k}", f"add_mod_{k}", _add_mod(k), low=0, high=k - 1, states=k,
                         description=f"prefix sum mod {k}"))
    rows += [
        _row("Dithering", "dithering",
             (lambda x: np.cumsum(x[..., 0], axis=1) // 15 - _shift(np.cumsum(x[..., 0], axis=1), 1) // 15, 0,
              lambda r, xt: ((r + xt[0]) % 15, ((r + xt[0]) // 15,))),
             low=0, high=15, states=15, description="floor(S_t/15) - floor(S_(t-1)/15), S = prefix sum"),
        _row("Newton_Freebody", "newton_freebody", _newton(lambda x, p: x), low=-10, high=10, states=None,
             description="v += x_t; p += v; y = p"),
        _row("Newton_Gravity", "newton_gravity", _newton(lambda x, p: x - 1), low=-10, high=10, states=None,
             description="v += x_t - 1; p += v; y = p"),
        _row("Newton_Spring", "newton_spring", _newton(lambda x, p: x - p), low=-10, high=10, states=None,
             description="v += x_t - p; p += v; y = p"),
        _row("Newton_Magnetic", "newton_magnetic", _newton_magnetic(), low=-10, high=10, input_dim=2,
             output_dim=2, states=None, description="v += x_t + v R, R = [[0, 1], [-1, 0]]; p += v; y = p"),
    ]
    return tuple(rows)


#: The 62 tasks in the order of the spec's table (section 3), keyed by the paper's names.
TASKS: dict[str, SequenceTask] = {t.name: t for t in _build_tasks()}
TASK_NAMES: tuple[str, ...] = tuple(TASKS)


def get_task(name: str) -> SequenceTask:
    """The task called ``name`` (one of :data:`TASK_NAMES`)."""
    if name not in TASKS:
        raise ValueError(f"name must be one of the 62 benchmark task names, got {name!r}")
    return TASKS[name]


def count_sequences(task: SequenceTask, seq_len: int | None = None) -> int:
    """Number of distinct input sequences, ``n_symbols ** seq_len``."""
    seq_len = task.seq_len if seq_len is None else check.integer("seq_len", seq_len, minimum=1)
    return task.n_symbols ** seq_len


def enumerate_sequences(task: SequenceTask, seq_len: int | None = None, limit: int = 2 ** 20,
                        *, start: int = 0, stop: int | None = None) -> np.ndarray:
    r"""All :math:`|\Sigma|^{L}` input sequences of ``task`` (or the slice ``start:stop`` of them).

    Sequence number :math:`i` has symbols given by the base-:math:`|\Sigma|` digits of
    :math:`i`, first step most significant (lexicographic order).

    Parameters
    ----------
    task : SequenceTask
    seq_len : int, optional
        Length ``L`` (default ``task.seq_len``).
    limit : int
        Refuse (``ValueError``) when :math:`|\Sigma|^L` exceeds it (default :math:`2^{20}`).
    start, stop : int
        Index range to materialise (default everything), for chunked verification.

    Returns
    -------
    ndarray of int64, shape (stop - start, L, input_dim)
    """
    if not isinstance(task, SequenceTask):
        raise TypeError(f"task must be a SequenceTask, got {task!r}")
    seq_len = task.seq_len if seq_len is None else check.integer("seq_len", seq_len, minimum=1)
    limit = check.integer("limit", limit, minimum=1)
    total = count_sequences(task, seq_len)
    if total > limit:
        raise ValueError(f"task {task.name!r} has {task.n_symbols}^{seq_len} = {total} sequences, "
                         f"more than limit={limit}")
    stop = total if stop is None else check.integer("stop", stop, minimum=0, maximum=total)
    start = check.integer("start", start, minimum=0, maximum=stop)
    index = np.arange(start, stop, dtype=np.int64)
    symbols = np.empty((index.size, seq_len), dtype=np.int64)
    for t in range(seq_len - 1, -1, -1):
        symbols[:, t] = index % task.n_symbols
        index = index // task.n_symbols
    return task.symbol_inputs()[symbols]
