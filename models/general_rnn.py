r"""GeneralRNN: an RNN whose transition and readout are small ReLU MLPs, trained with hand-written BPTT.

The network of the MIPS benchmark (Michaud et al., arXiv 2402.05110; model as
read in the authors' ``neural_verification.py`` [authors' code]):

.. math::

    h_t = f([h_{t-1}; x_t]),\qquad h_0 = 0,\qquad \hat y_t = g(h_t),

where :math:`f` and :math:`g` are MLPs (Linear layers with ReLU between them and
none after the last), so a depth-1 :math:`f` is the linear RNN
:math:`h_t = W h_{t-1} + U x_t + b`. Integer inputs are fed raw as floats.
Parameters are stored as PyTorch ``Linear`` layers, weights ``(out, in)``, and
initialised like them, :math:`W, b \sim U(\pm 1/\sqrt{\mathrm{fan\_in}})`.

Loss [authors' code]: the log loss
:math:`\ell = \frac{1}{N}\sum \tfrac12 \log(1 + r^2)`, :math:`r = \hat y - y`,
:math:`N = B L O`, with :math:`\partial\ell/\partial\hat y = r / (1 + r^2) / N` [ours],
plus an optional :math:`\lambda \sum|\theta|` (the authors' L1 retraining).

Backpropagation through time [ours, standard]: with :math:`\delta^{h}_t` the
gradient reaching :math:`h_t` from the readout and from step :math:`t+1`,
each Linear layer :math:`z = a W^\top + b` of :math:`f` gets
:math:`\partial\ell/\partial W \mathrel{+}= \delta_z^\top a`, and the part of
:math:`\delta_a = \delta_z W` on the :math:`h_{t-1}` columns of the first layer
is passed to step :math:`t-1`.

Training recipe [ours] (spec ``specs/synthesis-mips.md`` section 6): Adam, batch
512, fresh sequences every step, evaluation every 250 steps on 8192 fresh
sequences; accuracy :math:`\mathrm{mean}(\mathrm{round}(\hat y) = y)` over all
positions; stop at the first evaluation with accuracy exactly 1.0 and keep that
checkpoint (the authors' ``model_perfect.pt`` rule). :func:`architecture_ladder`
replaces the authors' GPU architecture sweep with a short ladder of small nets.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import numpy as np

from models import _arguments as check
from models.blas import blas_threads
from models.optimizers import Adam

__all__ = ["RNNArch", "RNNParams", "TrainingRun", "LadderResult", "init_params", "forward",
           "loss_and_grads", "accuracy", "train", "architecture_ladder", "ladder_architectures",
           "default_learning_rate", "to_arrays"]

LOSSES = ("log", "mse")


@dataclass(frozen=True)
class RNNArch:
    """Architecture ``(H, hidden_depth, hidden_width, output_depth, output_width)`` of the authors' sweep.

    A width is used only when its MLP has depth >= 2.
    """

    hidden_dim: int
    hidden_depth: int = 1
    hidden_width: int = 8
    output_depth: int = 1
    output_width: int = 8

    def __post_init__(self):
        check.integer("hidden_dim", self.hidden_dim, minimum=1, maximum=1024)
        check.integer("hidden_depth", self.hidden_depth, minimum=1, maximum=8)
        check.integer("hidden_width", self.hidden_width, minimum=1, maximum=4096)
        check.integer("output_depth", self.output_depth, minimum=1, maximum=8)
        check.integer("output_width", self.output_width, minimum=1, maximum=4096)

    @property
    def linear(self) -> bool:
        """True for a linear RNN (depth-1 transition)."""
        return self.hidden_depth == 1

    def layer_sizes(self, input_dim: int, output_dim: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Sizes of ``f`` (``H + D -> ... -> H``) and ``g`` (``H -> ... -> O``)."""
        f = (self.hidden_dim + input_dim,) + (self.hidden_width,) * (self.hidden_depth - 1) + (self.hidden_dim,)
        g = (self.hidden_dim,) + (self.output_width,) * (self.output_depth - 1) + (output_dim,)
        return f, g

    def __str__(self) -> str:
        hw = f"x{self.hidden_width}" if self.hidden_depth > 1 else ""
        ow = f"x{self.output_width}" if self.output_depth > 1 else ""
        return f"H={self.hidden_dim} f:{self.hidden_depth}{hw} g:{self.output_depth}{ow}"


@dataclass(frozen=True, repr=False)
class RNNParams:
    """Parameters of a GeneralRNN; weights ``(out, in)``, biases ``(out,)``, float64."""

    arch: RNNArch
    input_dim: int
    output_dim: int
    hidden_W: tuple
    hidden_b: tuple
    output_W: tuple
    output_b: tuple

    def arrays(self) -> list:
        """All parameter arrays in a fixed order (f's layers, then g's; weight before bias)."""
        out = []
        for w, b in zip(self.hidden_W, self.hidden_b):
            out += [w, b]
        for w, b in zip(self.output_W, self.output_b):
            out += [w, b]
        return out

    def copy(self) -> "RNNParams":
        """Deep copy."""
        return _from_arrays(self, [a.copy() for a in self.arrays()])

    @property
    def n_parameters(self) -> int:
        """Number of scalar parameters."""
        return int(sum(a.size for a in self.arrays()))

    def __repr__(self) -> str:
        return (f"RNNParams({self.arch}, input_dim={self.input_dim}, output_dim={self.output_dim}, "
                f"{self.n_parameters} parameters)")


def _from_arrays(template: RNNParams, arrays) -> RNNParams:
    nf = len(template.hidden_W)
    f = arrays[: 2 * nf]
    g = arrays[2 * nf:]
    return RNNParams(template.arch, template.input_dim, template.output_dim, tuple(f[0::2]),
                     tuple(f[1::2]), tuple(g[0::2]), tuple(g[1::2]))


def init_params(arch: RNNArch, input_dim: int, output_dim: int, *, rng) -> RNNParams:
    r"""PyTorch-default initialisation: every Linear layer's weights and biases :math:`\sim U(\pm 1/\sqrt{\mathrm{fan\_in}})`.

    Parameters
    ----------
    arch : RNNArch
    input_dim, output_dim : int
        Integers per step in and out.
    rng : numpy.random.Generator
    """
    if not isinstance(arch, RNNArch):
        raise TypeError(f"arch must be an RNNArch, got {arch!r}")
    input_dim = check.integer("input_dim", input_dim, minimum=1)
    output_dim = check.integer("output_dim", output_dim, minimum=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {rng!r}")
    sizes_f, sizes_g = arch.layer_sizes(input_dim, output_dim)
    layers = []
    for sizes in (sizes_f, sizes_g):
        ws, bs = [], []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            bound = 1.0 / np.sqrt(fan_in)
            ws.append(rng.uniform(-bound, bound, size=(fan_out, fan_in)))
            bs.append(rng.uniform(-bound, bound, size=fan_out))
        layers.append((tuple(ws), tuple(bs)))
    return RNNParams(arch, input_dim, output_dim, layers[0][0], layers[0][1], layers[1][0], layers[1][1])


def _inputs(params: RNNParams, x) -> np.ndarray:
    x = check.finite_array("x", x, ndim=(2, 3))
    if x.ndim == 2:
        if params.input_dim != 1:
            raise ValueError(f"x must have shape (B, L, {params.input_dim}), got shape {x.shape}")
        x = x[:, :, None]
    if x.shape[2] != params.input_dim:
        raise ValueError(f"x must have shape (B, L, {params.input_dim}), got shape {x.shape}")
    return x


def _mlp_forward(Ws, bs, a):
    """Forward through Linear/ReLU layers; returns output and the per-layer (input, pre-activation)."""
    cache = []
    for layer, (w, b) in enumerate(zip(Ws, bs)):
        z = a @ w.T + b
        cache.append((a, z))
        a = np.maximum(z, 0.0) if layer < len(Ws) - 1 else z
    return a, cache


def _run(params: RNNParams, x: np.ndarray):
    B, L, _ = x.shape
    H = params.arch.hidden_dim
    hidden = np.zeros((B, L + 1, H))
    caches = []
    h = hidden[:, 0]
    for t in range(L):
        h, cache = _mlp_forward(params.hidden_W, params.hidden_b, np.concatenate([h, x[:, t]], axis=1))
        hidden[:, t + 1] = h
        caches.append(cache)
    flat = hidden[:, 1:].reshape(B * L, H)
    y, out_cache = _mlp_forward(params.output_W, params.output_b, flat)
    return y.reshape(B, L, params.output_dim), hidden, caches, out_cache


def forward(params: RNNParams, x) -> tuple[np.ndarray, np.ndarray]:
    """Outputs ``y`` ``(B, L, O)`` and hidden states ``h`` ``(B, L + 1, H)`` (``h[:, 0] = 0``) for inputs ``(B, L, D)``."""
    if not isinstance(params, RNNParams):
        raise TypeError(f"params must be RNNParams, got {params!r}")
    x = _inputs(params, x)
    with blas_threads(1):
        y, hidden, _, _ = _run(params, x)
    return y, hidden


def _loss_and_delta(y_hat, y, loss):
    r = y_hat - y
    n = r.size
    if loss == "log":
        return float(np.mean(0.5 * np.log1p(r * r))), r / (1.0 + r * r) / n
    return float(np.mean(r * r)), 2.0 * r / n


def _mlp_backward(Ws, cache, delta, grads_W, grads_b):
    """Accumulate Linear-layer gradients; return the gradient with respect to the MLP's input."""
    for layer in range(len(Ws) - 1, -1, -1):
        a, z = cache[layer]
        grads_W[layer] += delta.T @ a
        grads_b[layer] += delta.sum(axis=0)
        delta = delta @ Ws[layer]
        if layer > 0:
            delta = delta * (cache[layer - 1][1] > 0)
    return delta


def loss_and_grads(params: RNNParams, x, y, *, loss: str = "log", l1: float = 0.0):
    r"""Loss and its exact gradient by backpropagation through time.

    Parameters
    ----------
    params : RNNParams
    x : array_like, shape (B, L, D)
        Inputs (integers fed as floats).
    y : array_like, shape (B, L, O)
        Targets.
    loss : {"log", "mse"}
        ``"log"``: :math:`\frac1N\sum\frac12\log(1+r^2)` (the authors'); ``"mse"``: :math:`\frac1N\sum r^2`.
    l1 : float
        Strength :math:`\lambda \ge 0` of the penalty :math:`\lambda\sum|\theta|` (gradient
        :math:`\lambda\,\mathrm{sign}\,\theta`).

    Returns
    -------
    value : float
    grads : list of ndarray
        Same order and shapes as :meth:`RNNParams.arrays`.
    """
    if not isinstance(params, RNNParams):
        raise TypeError(f"params must be RNNParams, got {params!r}")
    check.choice("loss", loss, LOSSES)
    l1 = check.real("l1", l1, low=0.0)
    x = _inputs(params, x)
    y = check.finite_array("y", y, ndim=(2, 3))
    if y.ndim == 2:
        y = y[:, :, None]
    if y.shape != x.shape[:2] + (params.output_dim,):
        raise ValueError(f"y must have shape {x.shape[:2] + (params.output_dim,)}, got {y.shape}")
    with blas_threads(1):
        return _loss_and_grads(params, x, y, loss, l1)


def _loss_and_grads(params, x, y, loss, l1):
    B, L, _ = x.shape
    H = params.arch.hidden_dim
    y_hat, hidden, caches, out_cache = _run(params, x)
    value, delta = _loss_and_delta(y_hat, y, loss)
    gW_f = [np.zeros_like(w) for w in params.hidden_W]
    gb_f = [np.zeros_like(b) for b in params.hidden_b]
    gW_g = [np.zeros_like(w) for w in params.output_W]
    gb_g = [np.zeros_like(b) for b in params.output_b]
    d_hidden = _mlp_backward(params.output_W, out_cache, delta.reshape(B * L, -1), gW_g, gb_g)
    d_hidden = d_hidden.reshape(B, L, H)
    carry = np.zeros((B, H))
    for t in range(L - 1, -1, -1):
        d_in = _mlp_backward(params.hidden_W, caches[t], d_hidden[:, t] + carry, gW_f, gb_f)
        carry = d_in[:, :H]
    grads = []
    for w, b in zip(gW_f, gb_f):
        grads += [w, b]
    for w, b in zip(gW_g, gb_g):
        grads += [w, b]
    if l1 > 0.0:
        arrays = params.arrays()
        value += l1 * float(sum(np.abs(a).sum() for a in arrays))
        grads = [g + l1 * np.sign(a) for g, a in zip(grads, arrays)]
    return value, grads


def accuracy(params: RNNParams, x, y) -> float:
    """Fraction of positions with ``round(y_hat) == y`` (all steps and output coordinates)."""
    y_hat, _ = forward(params, x)
    y = np.asarray(y)
    if y.ndim == 2:
        y = y[:, :, None]
    return float(np.mean(np.round(y_hat) == y))


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class TrainingRun:
    """Result of :func:`train`.

    Attributes
    ----------
    params : RNNParams
        The kept checkpoint: the first with accuracy exactly 1.0 (``keep="first_perfect"``),
        else the one with the best evaluation accuracy; with ``keep="best_loss"`` the one with
        the lowest evaluation loss.
    solved : bool
        Whether the kept checkpoint reached accuracy 1.0 on its evaluation batch.
    accuracy, eval_loss : float
        Of the kept checkpoint on its evaluation batch.
    step : int
        Training step of the kept checkpoint.
    steps_run : int
        Steps actually taken (training stops at the first perfect evaluation).
    history : tuple of (step, accuracy, eval_loss)
    arch : RNNArch
    seed : int
    lr : float
    """

    params: RNNParams
    solved: bool
    accuracy: float
    eval_loss: float
    step: int
    steps_run: int
    history: tuple
    arch: RNNArch
    seed: int
    lr: float

    def __repr__(self) -> str:
        verdict = "solved" if self.solved else "not solved"
        return (f"TrainingRun({self.arch}, {verdict} at step {self.step}, accuracy={self.accuracy:.4f}, "
                f"steps_run={self.steps_run}, seed={self.seed})")


def _flat_mask(zero_mask, params: RNNParams):
    if zero_mask is None:
        return None
    if isinstance(zero_mask, (list, tuple)) and len(zero_mask) == len(params.arrays()):
        parts = list(zero_mask)
    else:
        def field(name):
            return zero_mask[name] if isinstance(zero_mask, dict) else getattr(zero_mask, name)
        parts = []
        for ws, bs in ((field("hidden_W"), field("hidden_b")), (field("output_W"), field("output_b"))):
            for w, b in zip(ws, bs):
                parts += [w, b]
    masks = [np.asarray(m, dtype=bool) for m in parts]
    for m, a in zip(masks, params.arrays()):
        if m.shape != a.shape:
            raise ValueError(f"zero_mask entries must match the parameter shapes, got {m.shape} for {a.shape}")
    if len(masks) != len(params.arrays()):
        raise ValueError(f"zero_mask must have {len(params.arrays())} arrays, got {len(masks)}")
    return masks


_PREV_K = re.compile(r"Prev\d+")


def default_learning_rate(task) -> float:
    """Adam learning rate of the recipe [ours]: 1e-3 for large outputs or ``Prev<k>``, else 3e-3.

    Parameters
    ----------
    task : SequenceTask
        The task; its largest absolute output is measured on 256 sequences drawn with
        seed 0.

    Returns
    -------
    float
        1e-3 if an output reaches 100 in magnitude or the task is one of ``Prev1``,
        ``Prev2``, ... (the whole name ``Prev`` followed by digits, so
        ``Previous_Equals_Current`` is not one of them); otherwise 3e-3.
    """
    y = task(task.sample(np.random.default_rng(0), 256))
    return 1e-3 if (np.abs(y).max() >= 100 or _PREV_K.fullmatch(task.name)) else 3e-3


def train(task, arch: RNNArch, *, steps: int, batch: int = 512, lr: float = 3e-3, seed: int,
          eval_every: int = 250, eval_batch: int = 8192, zero_mask=None, l1: float = 0.0,
          loss: str = "log", init: RNNParams | None = None, keep: str = "first_perfect",
          seq_len: int | None = None) -> TrainingRun:
    r"""Train a GeneralRNN on ``task`` with Adam and stop at the first perfect evaluation.

    Parameters
    ----------
    task : models.tasks.sequences.SequenceTask
        Supplies ``sample(rng, n)`` and the reference ``task(x)``.
    arch : RNNArch
    steps : int
        Maximum number of Adam steps (>= 1).
    batch : int
        Fresh sequences per step.
    lr : float
        Adam learning rate.
    seed : int
        Seeds the initialisation, the training data and the evaluation data (separate streams).
    eval_every, eval_batch : int
        Evaluate every ``eval_every`` steps (and after the last) on ``eval_batch`` fresh sequences.
    zero_mask : optional
        Parameters pinned to exactly zero (``True`` entries), as a list in :meth:`RNNParams.arrays`
        order or an object/dict with ``hidden_W, hidden_b, output_W, output_b`` (e.g. the
        normalizer chain's zero mask): the post-hammer retraining.
    l1 : float
        L1 penalty strength.
    loss : {"log", "mse"}
    init : RNNParams, optional
        Start from these parameters (copied) instead of a fresh initialisation; the start is
        evaluated at step 0.
    keep : {"first_perfect", "best_loss"}
        Which checkpoint to return; ``"best_loss"`` trains all ``steps`` and keeps the lowest
        evaluation loss (the authors' hammer retraining).
    seq_len : int, optional
        Training length (default ``task.seq_len``).

    Returns
    -------
    TrainingRun
    """
    if not isinstance(arch, RNNArch):
        raise TypeError(f"arch must be an RNNArch, got {arch!r}")
    steps = check.integer("steps", steps, minimum=1)
    batch = check.integer("batch", batch, minimum=1)
    lr = check.real("lr", lr, low=0.0, low_open=True)
    seed = check.integer("seed", seed, minimum=0)
    eval_every = check.integer("eval_every", eval_every, minimum=1)
    eval_batch = check.integer("eval_batch", eval_batch, minimum=1)
    l1 = check.real("l1", l1, low=0.0)
    check.choice("loss", loss, LOSSES)
    check.choice("keep", keep, ("first_perfect", "best_loss"))
    streams = np.random.SeedSequence(seed).spawn(3)
    if init is None:
        params = init_params(arch, task.input_dim, task.output_dim, rng=np.random.default_rng(streams[0]))
    else:
        if not isinstance(init, RNNParams) or init.arch != arch:
            raise ValueError(f"init must be RNNParams with arch {arch}, got {init!r}")
        params = init.copy()
    masks = _flat_mask(zero_mask, params)
    arrays = params.arrays()
    if masks is not None:
        for a, m in zip(arrays, masks):
            a[m] = 0.0
    data_rng = np.random.default_rng(streams[1])
    eval_rng = np.random.default_rng(streams[2])
    opt = Adam(lr=lr)
    state = opt.init_state(arrays)
    history = []
    best = None  # (score, step, params copy, accuracy, loss)

    def evaluate(step):
        nonlocal best
        xe = _sample(task, eval_rng, eval_batch, seq_len)
        ye = task(xe).astype(np.float64)
        y_hat, _, _, _ = _run(params, xe.astype(np.float64))
        acc = float(np.mean(np.round(y_hat) == ye))
        value, _ = _loss_and_delta(y_hat, ye, loss)
        history.append((step, acc, value))
        score = (-value,) if keep == "best_loss" else (acc, -value)
        if best is None or score > best[0]:
            best = (score, step, params.copy(), acc, value)
        return acc

    steps_run = 0
    with blas_threads(1):
        if init is not None and evaluate(0) == 1.0 and keep == "first_perfect":
            return _finish(best, history, 0, arch, seed, lr)
        for step in range(1, steps + 1):
            xb = _sample(task, data_rng, batch, seq_len)
            yb = task(xb).astype(np.float64)
            _, grads = _loss_and_grads(params, xb.astype(np.float64), yb, loss, l1)
            if masks is not None:
                for g, m in zip(grads, masks):
                    g[m] = 0.0
            opt.update(arrays, grads, state)
            if masks is not None:
                for a, m in zip(arrays, masks):
                    a[m] = 0.0
            steps_run = step
            if step % eval_every == 0 or step == steps:
                acc = evaluate(step)
                if acc == 1.0 and keep == "first_perfect":
                    return _finish((None, step, params.copy(), acc, history[-1][2]), history, step, arch,
                                   seed, lr)
    return _finish(best, history, steps_run, arch, seed, lr)


def _sample(task, rng, n, seq_len):
    """Draw ``n`` sequences of ``task`` (length ``seq_len`` or the task's) from ``rng``."""
    return task.sample(rng, n, seq_len)


def _finish(best, history, steps_run, arch, seed, lr) -> TrainingRun:
    _, step, params, acc, value = best
    return TrainingRun(params=params, solved=acc == 1.0, accuracy=acc, eval_loss=value, step=step,
                       steps_run=steps_run, history=tuple(history), arch=arch, seed=seed, lr=lr)


# ---------------------------------------------------------------------------------------------
# Architecture ladder
# ---------------------------------------------------------------------------------------------


def ladder_architectures(hidden_dims=(1, 2, 3, 4, 6, 8), widths=(8, 16)) -> tuple[RNNArch, ...]:
    """The ladder [ours]: H first, then (hidden depth, output depth) in (1,1), (1,2), (2,1), (2,2),
    then width (only for depth-2 MLPs; one shared width when both are deep)."""
    out = []
    for h in hidden_dims:
        out.append(RNNArch(h))
        out += [RNNArch(h, output_depth=2, output_width=w) for w in widths]
        out += [RNNArch(h, hidden_depth=2, hidden_width=w) for w in widths]
        out += [RNNArch(h, hidden_depth=2, hidden_width=w, output_depth=2, output_width=w) for w in widths]
    return tuple(out)


@dataclass(frozen=True, repr=False)
class LadderResult:
    """Result of :func:`architecture_ladder`.

    Attributes
    ----------
    run : TrainingRun or None
        The first successful run, ``None`` if the budget ran out first.
    tried : tuple of (RNNArch, seed, solved, steps_run)
        Every training run in order.
    total_steps : int
        Adam steps spent over all runs.
    seconds : float
        Wall-clock time (reported only; never part of a check's verdict).
    exhausted : str
        Why the ladder stopped: ``"solved"``, ``"ladder"``, ``"steps"`` or ``"seconds"``.
    """

    run: TrainingRun | None
    tried: tuple
    total_steps: int
    seconds: float
    exhausted: str

    @property
    def solved(self) -> bool:
        """True when some architecture reached accuracy 1.0."""
        return self.run is not None

    def __repr__(self) -> str:
        what = f"solved by {self.run.arch} (seed {self.run.seed})" if self.run else f"not solved ({self.exhausted})"
        return f"LadderResult({what}, {len(self.tried)} runs, {self.total_steps} steps, {self.seconds:.1f} s)"


def architecture_ladder(task, *, budget_s: float | None = 120.0, seeds: int = 3, steps: int = 4000,
                        lr: float | None = None, budget_steps: int | None = None, architectures=None,
                        seed: int = 0, batch: int = 512, eval_every: int = 250,
                        eval_batch: int = 8192) -> LadderResult:
    """Train up the ladder of small architectures until one seed of one architecture is perfect.

    Parameters
    ----------
    task : SequenceTask
    budget_s : float or None
        Wall-clock cap per task (the spec's 120 s); no new run starts after it. ``None`` disables
        it; then the result depends only on the seeds.
    seeds : int
        Seeds per architecture (success if any succeeds).
    steps : int
        Maximum steps per run.
    lr : float, optional
        Adam learning rate (default :func:`default_learning_rate`).
    budget_steps : int, optional
        Deterministic cap on the total Adam steps over all runs.
    architectures : sequence of RNNArch, optional
        Default :func:`ladder_architectures`.
    seed : int
        Run ``k`` of architecture ``i`` uses seed ``seed + 1000 i + k``.
    """
    seeds = check.integer("seeds", seeds, minimum=1)
    steps = check.integer("steps", steps, minimum=1)
    if budget_s is not None:
        budget_s = check.real("budget_s", budget_s, low=0.0, low_open=True)
    if budget_steps is not None:
        budget_steps = check.integer("budget_steps", budget_steps, minimum=1)
    archs = ladder_architectures() if architectures is None else tuple(architectures)
    lr = default_learning_rate(task) if lr is None else lr
    start = time.perf_counter()
    tried, total = [], 0
    for i, arch in enumerate(archs):
        for k in range(seeds):
            if budget_s is not None and time.perf_counter() - start > budget_s:
                return LadderResult(None, tuple(tried), total, time.perf_counter() - start, "seconds")
            if budget_steps is not None and total >= budget_steps:
                return LadderResult(None, tuple(tried), total, time.perf_counter() - start, "steps")
            run_steps = steps if budget_steps is None else max(1, min(steps, budget_steps - total))
            run = train(task, arch, steps=run_steps, batch=batch, lr=lr, seed=seed + 1000 * i + k,
                        eval_every=eval_every, eval_batch=eval_batch)
            total += run.steps_run
            tried.append((arch, run.seed, run.solved, run.steps_run))
            if run.solved:
                return LadderResult(run, tuple(tried), total, time.perf_counter() - start, "solved")
    return LadderResult(None, tuple(tried), total, time.perf_counter() - start, "ladder")


def to_arrays(params: RNNParams) -> dict:
    """Plain arrays for ``efttheory.synthesis.RNNWeights(**to_arrays(params))``.

    Keys ``hidden_W, hidden_b, output_W, output_b`` (tuples of copies, weights ``(out, in)``),
    ``hidden_dim, input_dim, output_dim``.
    """
    if not isinstance(params, RNNParams):
        raise TypeError(f"params must be RNNParams, got {params!r}")
    return {
        "hidden_W": tuple(w.copy() for w in params.hidden_W),
        "hidden_b": tuple(b.copy() for b in params.hidden_b),
        "output_W": tuple(w.copy() for w in params.output_W),
        "output_b": tuple(b.copy() for b in params.output_b),
        "hidden_dim": params.arch.hidden_dim,
        "input_dim": params.input_dim,
        "output_dim": params.output_dim,
    }
