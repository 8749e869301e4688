r"""The MIPS pipeline: RNN (as plain arrays) -> lattice or finite-state machine -> verified program.

Flow of Michaud et al., arXiv:2402.05110 [paper, flowchart]: a trained RNN, optional
normalisers, then two branches — (a) integer lattice (GCD or linear autoencoder) followed by
integer linear regression ("LR") or integer symbolic regression ("SR"); (b) bit finder /
finite-state machine followed by Boolean regression ("BR") — and verification: success if
any program works. Method order [authors' code, ``run.ipynb``]: autoencoder, LR, Boolean,
symbolic. :math:`H > 10` is a failure [authors' code].

Every candidate program is first replayed on the given training sequences and then strictly
verified (:func:`~efttheory.synthesis.verification.verify_program`); only a verified program
makes :attr:`MIPSResult.solved` true [ours].
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from efttheory._arguments import as_finite_array, as_generator, as_integer_array, as_tuple, check_integer
from efttheory.errors import ConvergenceError
from efttheory.synthesis.lattice import (
    Lattice,
    best_lattice,
    initial_state_candidates,
    lattice_relations,
)
from efttheory.synthesis.linreg import integer_linear_regression
from efttheory.synthesis.normalizers import RNNWeights, _check_step_names, normalizer_chain, rnn_forward
from efttheory.synthesis.program import Program, as_program, run_program
from efttheory.synthesis.verification import VerificationReport, check_causal, verify_program

__all__ = [
    "Attempt",
    "MIPSResult",
    "SynthesisConfusion",
    "mips",
    "select_l1_strength",
    "synthesis_confusion",
    "synthesize_program",
]

METHODS = ("LR", "BR", "SR")
_FAILURES = (ValueError, ConvergenceError, np.linalg.LinAlgError, ArithmeticError)


@dataclass(frozen=True)
class Attempt:
    """One stage of the pipeline.

    Attributes
    ----------
    method : str
        ``"rnn"``, ``"normalize"``, ``"lattice"``, ``"LR"``, ``"fsm"``, ``"BR"``, ``"SR"``.
    succeeded : bool
    reason : str
        What happened (why it failed, or what it found).
    seconds : float
    """

    method: str
    succeeded: bool
    reason: str
    seconds: float

    def __repr__(self) -> str:
        return f"Attempt({self.method}, {'ok' if self.succeeded else 'failed'}: {self.reason}, {self.seconds:.2f}s)"


@dataclass(frozen=True)
class MIPSResult:
    """Result of :func:`synthesize_program` / :func:`mips`.

    Attributes
    ----------
    task : str
    solved : bool
        True only when ``verification.passed``.
    method : str or None
        ``"LR"``, ``"BR"`` or ``"SR"`` of the verified program.
    program : Program or None
        The verified program (``None`` when not solved).
    verification : VerificationReport or None
        Report of the verified program, or of the last candidate that failed.
    lattice : Lattice or None
    machine : MealyMachine or None
        Minimal Mealy machine from the bit finder, when that branch ran.
    attempts : tuple of Attempt
        Every stage in order.
    seconds : float

    Notes
    -----
    ``solved`` is about the program: :func:`mips` synthesises from the RNN's hidden states and
    the *reference* outputs, so a verified program can come out of an RNN that is not itself
    exact. :attr:`rnn_exact` tells, and :attr:`reason` says so in that case [ours].
    """

    task: str
    solved: bool
    method: str | None
    program: Program | None
    verification: VerificationReport | None
    lattice: Lattice | None
    machine: object | None
    attempts: tuple
    seconds: float

    @property
    def failed_stage(self) -> str | None:
        """The last stage that failed when not solved (``None`` when solved)."""
        if self.solved:
            return None
        failed = [a for a in self.attempts if not a.succeeded]
        return failed[-1].method if failed else None

    @property
    def _rnn_attempt(self) -> Attempt | None:
        return next((a for a in self.attempts if a.method == "rnn"), None)

    @property
    def rnn_exact(self) -> bool | None:
        """Whether the RNN's rounded outputs equalled the reference on the distillation set.

        ``None`` when no RNN was run (:func:`synthesize_program` on given hidden states).
        """
        rnn = self._rnn_attempt
        return None if rnn is None else rnn.succeeded

    @property
    def reason(self) -> str:
        """One line saying what was found, or which stages failed and why."""
        if self.solved:
            v = self.verification
            line = f"solved by {self.method}, verified on {v.n_sequences} + {v.second_sample} sequences"
            if self.rnn_exact is False:
                line += f"; but the RNN itself is not exact ({self._rnn_attempt.reason})"
            return line
        failed = [f"{a.method}: {a.reason}" for a in self.attempts if not a.succeeded]
        return "not solved; " + ("; ".join(failed) if failed else "no method was attempted")

    def __repr__(self) -> str:
        if self.solved:
            inexact = ", RNN not exact" if self.rnn_exact is False else ""
            return (f"MIPSResult({self.task}: solved by {self.method}{inexact}, {self.program!r}, "
                    f"{self.seconds:.1f}s)")
        return f"MIPSResult({self.task}: {self.reason}, {self.seconds:.1f}s)"


class _Stage:
    def __init__(self, attempts, method):
        self.attempts, self.method = attempts, method

    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def done(self, ok, reason):
        self.attempts.append(Attempt(self.method, bool(ok), reason, time.perf_counter() - self.t0))

    def __exit__(self, et, ev, tb):
        if et is not None and issubclass(et, _FAILURES):
            self.done(False, f"{et.__name__}: {ev}")
            return True
        return False


def _fsm_module():
    try:
        from efttheory.synthesis import boolean, fsm
    except ImportError as exc:  # pragma: no cover - the subpackage ships both
        raise ValueError(f"bit finder unavailable: {exc}") from None
    return fsm, boolean


def _symreg_module():
    try:
        from efttheory.synthesis import symreg
    except ImportError as exc:  # pragma: no cover
        raise ValueError(f"symbolic regression unavailable: {exc}") from None
    return symreg


def synthesize_program(
    hidden,
    x,
    y,
    *,
    task: str,
    reference,
    sampler,
    input_low: int,
    input_high: int,
    methods=METHODS,
    max_hidden_dim: int = 10,
    rng,
    n_verify: int = 100_000,
) -> MIPSResult:
    r"""Distil hidden states of a trained RNN into a strictly verified program.

    Parameters
    ----------
    hidden : array_like, shape (B, L + 1, H)
        Hidden states :math:`h_0 = 0, h_1, \dots, h_L` on training sequences.
    x : array_like of int, shape (B, L) or (B, L, D)
        The training inputs, within ``[input_low, input_high]``.
    y : array_like of int, shape (B, L) or (B, L, O)
        The targets (the RNN's rounded outputs when it is perfect).
    task : str
        Name used in the result.
    reference : callable
        Vectorised causal task function ``reference(x) -> y``.
    sampler : callable or None
        ``sampler(rng, n)`` of fresh input sequences (for the sampled verification and the
        second sample).
    input_low, input_high : int
        Inclusive input alphabet.
    methods : sequence of {"LR", "BR", "SR"}
        Methods to try, in order.
    max_hidden_dim : int
        :math:`H` above which the lattice branch is not attempted (10 [authors' code]).
    rng : numpy.random.Generator or int
    n_verify : int
        Size of each verification sample (:math:`10^5`).

    Returns
    -------
    MIPSResult

    Raises
    ------
    ValueError
        On NaN hidden states, inconsistent shapes, non-integer data, inputs outside the
        alphabet or a non-causal reference — before any work.

    Examples
    --------
    Hand-built hidden states of a running-parity RNN, :math:`h_0 = 0` and one point each for
    "even" and "odd": the lattice branch finds no lattice, the bit branch writes the XOR
    (small ``n_verify`` keeps the example fast).

    >>> import numpy as np
    >>> from efttheory.synthesis import synthesize_program
    >>> parity = lambda x: np.cumsum(x, axis=1) % 2
    >>> x = np.random.default_rng(0).integers(0, 2, size=(200, 8))             # input bits
    >>> states = np.array([[1.0, 0.0], [0.0, 1.0]])[parity(x)]                  # h_1 .. h_8
    >>> hidden = np.concatenate([np.zeros((200, 1, 2)), states], axis=1)
    >>> res = synthesize_program(hidden, x, parity(x), task="parity", reference=parity,
    ...                          sampler=lambda rng, n: rng.integers(0, 2, size=(n, 8)),
    ...                          input_low=0, input_high=1, n_verify=1000, rng=0)
    >>> res.solved, res.method, res.program
    (True, 'BR', Program(BR: init=(0,); a'=a ^ x; y=a))
    >>> [(a.method, a.succeeded) for a in res.attempts]
    [('lattice', False), ('LR', False), ('fsm', True), ('BR', True)]
    """
    t_start = time.perf_counter()
    hidden = as_finite_array("hidden", hidden, ndim=3)
    x = as_integer_array("x", x, ndim=(2, 3))
    y = as_integer_array("y", y, ndim=(2, 3))
    B, L1, H = hidden.shape
    L = L1 - 1
    if L < 2:
        raise ValueError(f"hidden must hold h_0..h_L with L >= 2, got shape {hidden.shape}")
    if x.shape[:2] != (B, L):
        raise ValueError(f"x must have shape ({B}, {L}[, D]) to match hidden {hidden.shape}, got {x.shape}")
    if y.shape[:2] != (B, L):
        raise ValueError(f"y must have shape ({B}, {L}[, O]) to match hidden {hidden.shape}, got {y.shape}")
    input_low = check_integer("input_low", input_low)
    input_high = check_integer("input_high", input_high)
    if input_high < input_low:
        raise ValueError(f"input_high must be >= input_low={input_low}, got {input_high}")
    if x.min() < input_low or x.max() > input_high:
        raise ValueError(f"x must lie in [input_low, input_high] = [{input_low}, {input_high}], "
                         f"got values in [{x.min()}, {x.max()}]")
    methods = _check_methods(methods)
    max_hidden_dim = check_integer("max_hidden_dim", max_hidden_dim, minimum=1)
    n_verify = check_integer("n_verify", n_verify, minimum=1)
    if sampler is not None and not callable(sampler):
        raise TypeError(f"sampler must be callable or None, got {type(sampler).__name__}")
    rng = as_generator("rng", rng)
    check_causal(reference, x[: min(B, 64)])
    ref_y = np.asarray(reference(x)).reshape(y.shape)
    if not np.array_equal(ref_y, y):
        raise ValueError("y must equal reference(x): the targets disagree with the task on the given sequences")
    D = 1 if x.ndim == 2 else x.shape[2]
    verify_rng, search_rng = rng.spawn(2)
    attempts: list = []
    lattice = machine = None
    last_report = None

    def verify(candidate: Program):
        # replay on the training data first (cheap), then strict verification
        try:
            replay = run_program(candidate, x)
        except ArithmeticError as exc:  # int64 overflow or division by zero
            return None, f"fails on the training sequences: {exc}"
        if not np.array_equal(replay.reshape(y.shape), y):
            return None, "does not reproduce the training sequences"
        report = verify_program(
            candidate, reference, sampler=sampler, n_samples=n_verify, rng=verify_rng,
            alphabet=(input_low, input_high), seq_len=L,
        )
        return report, ("verified" if report.passed else f"verification failed: {report.reason}")

    def finish(method, prog, report):
        return MIPSResult(task, True, method, prog, report, lattice, machine, tuple(attempts),
                          time.perf_counter() - t_start)

    rel = None
    if any(m in ("LR", "SR") for m in methods):
        with _Stage(attempts, "lattice") as st:
            if H > max_hidden_dim:
                st.done(False, f"H={H} > max_hidden_dim={max_hidden_dim}")
            else:
                lattice = best_lattice(hidden[:, L], hidden[:, L - 1], x[:, L - 1], rng=search_rng)
                if lattice.max_rounding_error >= 0.25:
                    st.done(False, f"no integer lattice: max|Z - round Z| = {lattice.max_rounding_error:.3f} >= 0.25")
                    lattice = None
                else:
                    rel = lattice_relations(lattice, x[:, L - 1], y[:, L - 1])
                    st.done(True, f"{lattice.method} lattice, DL={lattice.description_length:.3f}, "
                                  f"max|Z - round Z|={lattice.max_rounding_error:.3f}")

    for method in methods:
        if method == "LR" and lattice is not None:
            with _Stage(attempts, "LR") as st:
                Zp = np.round(lattice.Z_prev)
                Z = np.round(lattice.Z)
                lp = integer_linear_regression(Zp, x[:, L - 1], Z, y[:, L - 1],
                                               z0_candidates=initial_state_candidates(lattice))
                if lp is None:
                    st.done(False, "rounded least-squares coefficients do not reproduce every row")
                    continue
                why = "no initial-state candidate reproduces the training sequences"
                for z0 in initial_state_candidates(lattice):
                    prog = as_program(replace(lp, z0=z0))
                    report, why = verify(prog)
                    last_report = report or last_report
                    if report is not None and report.passed:
                        st.done(True, why)
                        return finish("LR", prog, report)
                    if report is not None:
                        break
                st.done(False, why)
        elif method == "BR":
            if input_low < 0 or input_high > 1:
                why = f"inputs must be bits, alphabet is [{input_low}, {input_high}]"
                attempts.append(Attempt("BR", False, why, 0.0))
                continue
            with _Stage(attempts, "fsm") as st:
                fsm, boolean = _fsm_module()
                symbols = fsm.encode_symbols(x, input_low, input_high)
                extraction = fsm.extract_fsm(hidden, symbols, y.reshape(B, L, -1), rng=search_rng)
                if not extraction.deterministic:
                    st.done(False, f"state clustering gives {extraction.conflicts} conflicting transitions")
                    continue
                machine = fsm.minimize_machine(extraction.machine)
                st.done(True, f"{extraction.n_clusters} clusters, minimal machine with "
                              f"{machine.transition.shape[0]} states")
            if machine is None:
                continue
            with _Stage(attempts, "BR") as st:
                bp = boolean.boolean_regression(machine, n_input_bits=D)
                if bp is None:
                    st.done(False, "no Boolean program with at most 3 state bits")
                    continue
                prog = as_program(bp, n_inputs=D)
                report, why = verify(prog)
                last_report = report or last_report
                if report is not None and report.passed:
                    st.done(True, why)
                    return finish("BR", prog, report)
                st.done(False, why)
        elif method == "SR" and lattice is not None:
            with _Stage(attempts, "SR") as st:
                symreg = _symreg_module()
                why = "no formula up to length 6 fits every relation (or H > 2 or H + D > 6)"
                # frames: the authors' (min Z = 0), then the initial state moved to the origin [ours]
                for frame in _sr_frames(lattice):
                    frel = rel if frame is lattice else lattice_relations(frame, x[:, L - 1], y[:, L - 1])
                    cands = initial_state_candidates(frame)
                    sp = symreg.symbolic_lattice_program(frel, frame, z0=cands[0])
                    if sp is None:
                        continue
                    # the search does not depend on z0: re-frame the other rounding candidates
                    flips = np.array(sp.flips, dtype=bool)
                    top = np.asarray(sp.z0, dtype=np.int64) + cands[0]
                    why = "no initial-state candidate reproduces the training sequences"
                    for z0 in cands:
                        framed = np.where(flips, top - z0, z0).astype(np.int64)
                        prog = as_program(replace(sp, z0=framed), n_inputs=D)
                        report, why = verify(prog)
                        last_report = report or last_report
                        if report is not None and report.passed:
                            st.done(True, why)
                            return finish("SR", prog, report)
                        if report is not None:
                            break
                st.done(False, why)
        elif method in ("LR", "SR"):
            attempts.append(Attempt(method, False, "no integer lattice to regress on", 0.0))
    return MIPSResult(task, False, None, None, last_report, lattice, machine, tuple(attempts),
                      time.perf_counter() - t_start)


def _check_methods(methods) -> tuple:
    methods = (methods,) if isinstance(methods, str) else as_tuple("methods", methods, "method names")
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"methods must contain only {METHODS}, got {m!r}")
    return methods


def _sr_frames(lattice: Lattice):
    """The lattice as found, then translated so that the coordinate of :math:`h_0 = 0` is ~0 [ours].

    A translation changes no state, only the integers the relations are written in; with
    the initial state at the origin, offsets such as ``z = x + 100`` that the symbolic alphabet
    (constants 3, 4, 100) cannot express often disappear.
    """
    shift = np.round(-np.linalg.solve(lattice.basis.T, lattice.offset))
    if not np.any(shift):
        return (lattice,)
    moved = replace(lattice, offset=lattice.offset + shift @ lattice.basis, Z=lattice.Z - shift,
                    Z_prev=lattice.Z_prev - shift)
    return (lattice, moved)


def mips(
    weights: RNNWeights,
    *,
    reference,
    sampler,
    input_low: int,
    input_high: int,
    task: str = "task",
    n_train: int = 2000,
    normalizers=(),
    methods=METHODS,
    max_hidden_dim: int = 10,
    n_verify: int = 100_000,
    rng,
) -> MIPSResult:
    r"""Distil an RNN given as plain arrays (PyTorch-, JAX- or NumPy-trained) into a verified program.

    Steps: draw ``n_train`` sequences with ``sampler``, run the RNN
    (:func:`~efttheory.synthesis.normalizers.rnn_forward`), check that its rounded outputs
    equal the reference, optionally apply normalisers, then :func:`synthesize_program`.

    Parameters
    ----------
    weights : RNNWeights
        The RNN (see :class:`~efttheory.synthesis.normalizers.RNNWeights` for the layout).
    reference : callable
        Vectorised causal task ``reference(x) -> y`` of integers.
    sampler : callable
        ``sampler(rng, n)`` returning ``n`` input sequences of shape (n, L[, D]).
    input_low, input_high : int
        Inclusive input alphabet.
    task : str
    n_train : int
        Sequences used for distillation.
    normalizers : sequence of str
        Steps of :func:`~efttheory.synthesis.normalizers.normalizer_chain` applied first
        (none by default [ours]), names from ``("whiten", "jordan", "toeplitz", "debias",
        "quantize")``; a chain that changes the rounded outputs is discarded.
    methods, max_hidden_dim, n_verify
        As in :func:`synthesize_program`.
    rng : numpy.random.Generator or int

    Returns
    -------
    MIPSResult
        ``solved`` only with a strictly verified program; otherwise :attr:`MIPSResult.reason`
        names the failed stage (``"rnn"`` when the hidden states overflow). An RNN whose rounded
        outputs miss the reference does not stop the synthesis (the program is checked against
        the reference, not the RNN); :attr:`MIPSResult.rnn_exact` is then False and
        :attr:`MIPSResult.reason` says so.

    Raises
    ------
    TypeError, ValueError
        On bad arguments (including unknown ``methods`` or ``normalizers``), before the
        RNN is run.

    Examples
    --------
    A hand-built RNN that counts the 1s seen so far (:math:`h_t = h_{t-1} + x_t`,
    :math:`\hat y_t = h_t`), stored in a rescaled hidden coordinate so that no weight is an integer
    (small ``n_train`` and ``n_verify`` keep the example fast):

    >>> import numpy as np
    >>> from efttheory.synthesis import RNNWeights, mips, reparametrize
    >>> counter = RNNWeights(hidden_W=(np.array([[1.0, 1.0]]),), hidden_b=(np.zeros(1),),
    ...                      output_W=(np.array([[1.0]]),), output_b=(np.zeros(1),),
    ...                      hidden_dim=1, input_dim=1, output_dim=1)
    >>> weights = reparametrize(counter, [[0.37]])           # h' = h / 0.37
    >>> res = mips(weights, reference=lambda x: np.cumsum(x, axis=1),
    ...            sampler=lambda rng, n: rng.integers(0, 2, size=(n, 8)),
    ...            input_low=0, input_high=1, n_train=200, n_verify=1000, rng=0)
    >>> res.solved, res.method, res.program
    (True, 'LR', Program(LR: init=(0,); a'=a + x; y=a))
    >>> res.reason                        # all 2**8 bit strings, then an independent sample of 1000
    'solved by LR, verified on 256 + 1000 sequences'
    """
    t0 = time.perf_counter()
    if not isinstance(weights, RNNWeights):
        raise TypeError(f"weights must be an RNNWeights, got {type(weights).__name__}")
    if not callable(sampler):
        raise TypeError(f"sampler must be callable, got {type(sampler).__name__}")
    n_train = check_integer("n_train", n_train, minimum=2)
    normalizers = _check_step_names("normalizers", normalizers)
    methods = _check_methods(methods)
    rng = as_generator("rng", rng)
    data_rng, rest = rng.spawn(2)
    x = as_integer_array("sampler output", sampler(data_rng, n_train), ndim=(2, 3))
    if (x.ndim == 2 and weights.input_dim != 1) or (x.ndim == 3 and x.shape[2] != weights.input_dim):
        raise ValueError(f"sampler returns inputs of shape {x.shape}, the RNN reads input_dim={weights.input_dim}")
    check_causal(reference, x[:64])
    y = np.asarray(reference(x))
    attempts = []
    hidden = None
    with _Stage(attempts, "rnn") as st:
        y_hat, hidden = rnn_forward(weights, x)
        acc = float(np.mean(np.round(y_hat).reshape(y.shape) == y))
        st.done(acc == 1.0, f"accuracy {acc:.6f} on {n_train} sequences")
    if hidden is None:  # the network overflowed
        return MIPSResult(task, False, None, None, None, None, None, tuple(attempts), time.perf_counter() - t0)
    if normalizers:
        with _Stage(attempts, "normalize") as st:
            trace = normalizer_chain(weights, hidden, steps=tuple(normalizers))
            y2, h2 = rnn_forward(trace.weights, x)
            if np.array_equal(np.round(y2).reshape(y.shape), np.round(y_hat).reshape(y.shape)):
                hidden = h2
                st.done(True, ", ".join(s.name + (" (skipped)" if s.skipped else "") for s in trace.steps))
            else:
                st.done(False, "normalised network changes the rounded outputs; using the original")
    res = synthesize_program(
        hidden, x, y, task=task, reference=reference, sampler=sampler, input_low=input_low,
        input_high=input_high, methods=methods, max_hidden_dim=max_hidden_dim, rng=rest, n_verify=n_verify,
    )
    return replace(res, attempts=tuple(attempts) + res.attempts, seconds=time.perf_counter() - t0)


def select_l1_strength(lams, accuracies, test_losses) -> float:
    r"""The authors' choice of the L1 strength :math:`\lambda` [authors' code, ``select_l1s.py``].

    Take the largest :math:`\lambda` whose best-test-loss checkpoint keeps 100% accuracy,
    at grid index :math:`i`; if the :math:`\lambda` at index :math:`\max(0, i - 2)` (two grid
    steps lower, or the smallest :math:`\lambda` when fewer than two lie below) has a lower
    test loss, take that instead (``l1s[max(0, idx - 2)]`` in the authors' script).

    Parameters
    ----------
    lams : array_like, shape (n,)
        Strictly increasing grid.
    accuracies : array_like, shape (n,)
        Fractions in [0, 1] (1.0 is 100%).
    test_losses : array_like, shape (n,)

    Returns
    -------
    float
        The chosen :math:`\lambda`, or 0.0 (no regularisation) when none keeps 100% accuracy.

    Examples
    --------
    The largest :math:`\lambda` at 100% accuracy is 0.01; it is kept unless the one two
    steps lower has a lower test loss:

    >>> from efttheory.synthesis import select_l1_strength
    >>> lams, acc = [1e-4, 1e-3, 1e-2, 1e-1], [1.0, 1.0, 1.0, 0.9]
    >>> select_l1_strength(lams, acc, [0.05, 0.01, 0.03, 0.5])
    0.01
    >>> select_l1_strength(lams, acc, [0.02, 0.01, 0.03, 0.5])
    0.0001
    >>> select_l1_strength(lams, [0.9, 0.9, 0.8, 0.7], [0.1, 0.1, 0.2, 0.5])   # none is perfect
    0.0
    """
    lams = as_finite_array("lams", lams, ndim=1, min_size=1)
    acc = as_finite_array("accuracies", accuracies, shape=(lams.size,))
    loss = as_finite_array("test_losses", test_losses, shape=(lams.size,))
    if np.any(np.diff(lams) <= 0):
        raise ValueError(f"lams must be strictly increasing, got {lams.tolist()}")
    if np.any((acc < 0) | (acc > 1)):
        raise ValueError(f"accuracies must be fractions in [0, 1] (1.0 = 100%), got {acc.tolist()}")
    ok = np.flatnonzero(acc == 1.0)
    if ok.size == 0:
        return 0.0
    i = int(ok[-1])
    j = max(0, i - 2)
    if loss[j] < loss[i]:
        i = j
    return float(lams[i])


@dataclass(frozen=True)
class SynthesisConfusion:
    """Who solved what: ours vs GPT-4 vs the reconstructed MIPS result.

    Attributes
    ----------
    counts : Mapping[(bool, bool, bool), int]
        Number of tasks per ``(ours, gpt4, reconstructed)`` outcome (all 8 keys present).
    rows : tuple of (str, bool, bool, bool)
        Per task, in the order given.
    """

    counts: Mapping
    rows: tuple

    def __repr__(self) -> str:
        both = sum(v for (o, g, _), v in self.counts.items() if o and g)
        ours = sum(v for (o, _, _), v in self.counts.items() if o)
        return f"SynthesisConfusion({len(self.rows)} tasks: ours {ours}, also GPT-4 {both})"


def synthesis_confusion(ours: Mapping, gpt4: Mapping, reconstructed: Mapping) -> SynthesisConfusion:
    """Confusion counts over the tasks in ``ours``.

    Parameters
    ----------
    ours, gpt4, reconstructed : Mapping[str, bool]
        Solved flags (``bool`` or ``numpy.bool_``) per task name; ``gpt4`` and
        ``reconstructed`` must cover every task of ``ours``.

    Returns
    -------
    SynthesisConfusion

    Examples
    --------
    >>> from efttheory.synthesis import synthesis_confusion
    >>> conf = synthesis_confusion({"Prev1": True, "Parity": True, "Sum": False},
    ...                            {"Prev1": True, "Parity": False, "Sum": False},
    ...                            {"Prev1": True, "Parity": True, "Sum": True})
    >>> conf
    SynthesisConfusion(3 tasks: ours 2, also GPT-4 1)
    >>> conf.counts[(True, False, True)]          # Parity: solved by us, not by GPT-4
    1
    >>> conf.rows[2]                              # Sum: (task, ours, gpt4, reconstructed)
    ('Sum', False, False, True)
    """
    for name, m in (("ours", ours), ("gpt4", gpt4), ("reconstructed", reconstructed)):
        if not isinstance(m, Mapping):
            raise TypeError(f"{name} must be a mapping from task name to bool, got {type(m).__name__}")
    missing = [t for t in ours if t not in gpt4 or t not in reconstructed]
    if missing:
        raise ValueError(f"gpt4 and reconstructed must cover every task of ours; missing {missing[:5]}")
    for name, m in (("ours", ours), ("gpt4", gpt4), ("reconstructed", reconstructed)):
        for t in ours:
            if not isinstance(m[t], (bool, np.bool_)):
                raise TypeError(f"{name}[{t!r}] must be a bool, got {m[t]!r}")
    counts = {(a, b, c): 0 for a in (False, True) for b in (False, True) for c in (False, True)}
    rows = []
    for t in ours:
        key = (bool(ours[t]), bool(gpt4[t]), bool(reconstructed[t]))
        counts[key] += 1
        rows.append((t,) + key)
    return SynthesisConfusion(counts, tuple(rows))
