r"""Multilayer perceptrons with hand-written backpropagation, and the batched
1 -> N -> 1 trainer of the lottery-ticket experiments.

General MLP (layers :math:`l = 1..L`, hidden activation :math:`\sigma`, linear output):

.. math:: a_0 = x,\quad z_l = a_{l-1} W_l + b_l,\quad a_l = \sigma(z_l)\ (l < L),\quad
          \hat y = z_L .

Backpropagation with :math:`\delta_L = \partial L/\partial \hat y`:
:math:`\partial L/\partial W_l = a_{l-1}^\top \delta_l`,
:math:`\partial L/\partial b_l = \mathbf 1^\top \delta_l`,
:math:`\delta_{l-1} = (\delta_l W_l^\top) \odot \sigma'(z_{l-1})`.

Lottery network (Liu & Tegmark, arXiv 2310.02258; form as summarised by a third
party) :math:`f(x) = c + \sum_{i=1}^N v_i \sigma(w_i x + b_i)`, trained by
:func:`train_mlp1d`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models import _arguments as check
from models import _mlp1d_kernels
from models._activation_kernels import silu_pair
from models.activations import get_activation
from models.blas import blas_threads
from models.losses import LOSSES, Loss

__all__ = ["MLP", "init_mlp", "mlp_gradients", "MLP1dParams", "MLPRuns", "train_mlp1d",
           "mlp1d_gradients", "ADAM_BETAS", "ADAM_EPS"]

ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8


# ---------------------------------------------------------------------------
# general MLP
# ---------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class MLP:
    """Weights ``W_l`` of shape (fan_in, fan_out), biases ``b_l`` of shape (fan_out,)."""

    weights: tuple
    biases: tuple
    activation: str = "relu"

    def __post_init__(self):
        get_activation(self.activation)
        if len(self.weights) != len(self.biases) or not self.weights:
            raise ValueError("weights and biases must be non-empty tuples of equal length, got "
                             f"{len(self.weights)} and {len(self.biases)}")
        for layer, (w, b) in enumerate(zip(self.weights, self.biases)):
            if w.ndim != 2 or b.shape != (w.shape[1],):
                raise ValueError(f"layer {layer}: weights must be 2-D and biases (fan_out,), "
                                 f"got {w.shape} and {b.shape}")
            if layer and w.shape[0] != self.weights[layer - 1].shape[1]:
                raise ValueError(f"layer {layer}: fan_in {w.shape[0]} does not match the previous "
                                 f"fan_out {self.weights[layer - 1].shape[1]}")

    @property
    def sizes(self) -> tuple:
        """Layer widths ``(d_in, h_1, ..., d_out)``."""
        return (self.weights[0].shape[0],) + tuple(w.shape[1] for w in self.weights)

    @property
    def n_parameters(self) -> int:
        return int(sum(w.size + b.size for w, b in zip(self.weights, self.biases)))

    def parameters(self) -> list:
        """``[W_1, b_1, W_2, b_2, ...]`` (the arrays themselves, not copies)."""
        out = []
        for w, b in zip(self.weights, self.biases):
            out += [w, b]
        return out

    def copy(self) -> "MLP":
        return MLP(tuple(w.copy() for w in self.weights), tuple(b.copy() for b in self.biases),
                   self.activation)

    def flat(self) -> np.ndarray:
        """All parameters in the order of :meth:`parameters`, flattened."""
        return np.concatenate([p.ravel() for p in self.parameters()])

    def with_flat(self, theta) -> "MLP":
        """A new MLP with parameters taken from the flat vector ``theta``."""
        theta = np.asarray(theta, dtype=np.float64)
        weights, biases, pos = [], [], 0
        for w, b in zip(self.weights, self.biases):
            weights.append(theta[pos:pos + w.size].reshape(w.shape).copy())
            pos += w.size
            biases.append(theta[pos:pos + b.size].copy())
            pos += b.size
        return MLP(tuple(weights), tuple(biases), self.activation)

    def forward(self, x) -> np.ndarray:
        """Network output for inputs ``x`` of shape (n, d_in); returns (n, d_out)."""
        x = check.finite_array("x", x, ndim=2)
        if x.shape[1] != self.sizes[0]:
            raise ValueError(f"x must have {self.sizes[0]} columns, got shape {x.shape}")
        return _forward(self, x)[0][-1]

    def __repr__(self) -> str:
        return f"MLP(sizes={self.sizes}, activation={self.activation!r})"


def init_mlp(sizes, *, activation: str = "relu", rng) -> MLP:
    r"""PyTorch-default initialisation: :math:`W_l, b_l \sim U(\pm 1/\sqrt{\mathrm{fan\_in}})`.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths ``(d_in, h_1, ..., d_out)``, at least two entries, each >= 1.
    activation : str
        Hidden activation (``relu``, ``leaky_relu``, ``silu``, ``tanh``, ``identity``).
    rng : numpy.random.Generator or int
    """
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
        raise ValueError(f"sizes must be a sequence of at least two layer widths, got {sizes!r}")
    sizes = [check.integer(f"sizes[{k}]", s, minimum=1) for k, s in enumerate(sizes)]
    get_activation(activation)
    generator = check.generator("rng", rng)
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        weights.append(generator.uniform(-bound, bound, (fan_in, fan_out)))
        biases.append(generator.uniform(-bound, bound, fan_out))
    return MLP(tuple(weights), tuple(biases), activation)


def _activation_and_derivative(name, z):
    """(sigma(z), sigma'(z)) sharing the expensive part (tanh, sigmoid) between both."""
    if name == "tanh":
        t = np.tanh(z)
        return t, 1.0 - t * t
    if name == "silu":
        return silu_pair(z)
    act = get_activation(name)
    return act.function(z), act.derivative(z)


def _forward(mlp: MLP, x):
    """Activations ``[a_0, ..., a_L]`` and hidden derivatives ``[sigma'(z_1), ...]``."""
    activations, derivatives = [x], []
    last = len(mlp.weights) - 1
    for layer, (w, b) in enumerate(zip(mlp.weights, mlp.biases)):
        z = activations[-1] @ w
        z += b
        if layer == last:
            activations.append(z)
        else:
            a, d = _activation_and_derivative(mlp.activation, z)
            activations.append(a)
            derivatives.append(d)
    return activations, derivatives


def _backward(mlp: MLP, activations, derivatives, delta):
    grads = [None] * (2 * len(mlp.weights))
    for layer in range(len(mlp.weights) - 1, -1, -1):
        grads[2 * layer] = activations[layer].T @ delta
        grads[2 * layer + 1] = delta.sum(axis=0)
        if layer:
            delta = delta @ mlp.weights[layer].T
            delta *= derivatives[layer - 1]
    return grads


def mlp_gradients(mlp: MLP, x, target, *, loss: str = "mse") -> tuple:
    """Loss and its gradients by hand-written backpropagation.

    Parameters
    ----------
    mlp : MLP
    x : ndarray, shape (n, d_in)
    target : ndarray
        (n, d_out) targets for ``loss="mse"``; (n,) integer labels for ``"cross_entropy"``.
    loss : {"mse", "cross_entropy"}

    Returns
    -------
    (float, list of ndarray)
        The loss value and ``[dL/dW_1, dL/db_1, ...]`` in the order of ``mlp.parameters()``.
    """
    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp must be an MLP, got {type(mlp).__name__}")
    check.choice("loss", loss, LOSSES)
    x = check.finite_array("x", x, ndim=2)
    if x.shape[1] != mlp.sizes[0]:
        raise ValueError(f"x must have {mlp.sizes[0]} columns, got shape {x.shape}")
    target = _check_target(target, x.shape[0], mlp.sizes[-1], loss)
    activations, pre = _forward(mlp, x)
    value: Loss = LOSSES[loss](activations[-1], target)
    return value.value, _backward(mlp, activations, pre, value.gradient)


def _check_target(target, n, d_out, loss):
    if loss == "mse":
        target = check.finite_array("target", target, ndim=2)
        if target.shape != (n, d_out):
            raise ValueError(f"target must have shape ({n}, {d_out}), got {target.shape}")
        return target
    labels = np.asarray(target)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"target must hold integer class labels, got dtype {labels.dtype}")
    if labels.shape != (n,) or labels.min() < 0 or labels.max() >= d_out:
        raise ValueError(f"target must be ({n},) labels in [0, {d_out - 1}], got shape "
                         f"{labels.shape}")
    return labels.astype(np.int64)


# ---------------------------------------------------------------------------
# 1 -> N -> 1 lottery network
# ---------------------------------------------------------------------------

_MLP1D_ACTIVATIONS = tuple(_mlp1d_kernels.ACTIVATION_CODES)


def _mlp1d_activation(name):
    if name == "silu":
        return _silu_pair
    if name == "tanh":
        return _tanh_pair
    if name == "relu":
        return lambda z: (np.maximum(z, 0.0), (z > 0.0).astype(np.float64))
    slope = _mlp1d_kernels.LEAKY_SLOPE
    return lambda z: (np.where(z > 0.0, z, slope * z), np.where(z > 0.0, 1.0, slope))


def _silu_pair(z):
    s = 1.0 / (1.0 + np.exp(-np.clip(z, -708.0, 708.0)))
    a = z * s
    return a, s + a * (1.0 - s)


def _tanh_pair(z):
    t = 1.0 - 2.0 / (1.0 + np.exp(np.clip(2.0 * z, -708.0, 708.0)))
    return t, 1.0 - t * t


@dataclass(frozen=True, repr=False)
class MLP1dParams:
    r"""Parameters of S networks :math:`f_s(x) = c_s + \sum_i v_{si} \sigma(w_{si} x + b_{si})`.

    ``w, b, v`` have shape (S, N); ``c`` has shape (S,).
    """

    w: np.ndarray
    b: np.ndarray
    v: np.ndarray
    c: np.ndarray
    activation: str = "silu"

    @property
    def n_seeds(self) -> int:
        return self.w.shape[0]

    @property
    def width(self) -> int:
        return self.w.shape[1]

    def predict(self, x) -> np.ndarray:
        """Outputs of every network at ``x`` (1-D), shape (S, len(x))."""
        x = check.finite_array("x", x, ndim=1)
        act = _mlp1d_activation(self.activation)
        out = np.empty((self.n_seeds, x.size))
        for s in range(self.n_seeds):  # one seed at a time keeps memory at (len(x), N)
            a, _ = act(np.multiply.outer(x, self.w[s]) + self.b[s])
            out[s] = self.c[s] + a @ self.v[s]
        return out

    def mse(self, x, y) -> np.ndarray:
        """Mean squared error of every network on (x, y), shape (S,)."""
        y = check.finite_array("y", y, ndim=1)
        pred = self.predict(x)
        if y.size != pred.shape[1]:
            raise ValueError(f"y must have the length of x ({pred.shape[1]}), got {y.size}")
        return np.mean((pred - y) ** 2, axis=1)

    def __repr__(self) -> str:
        return f"MLP1dParams(n_seeds={self.n_seeds}, width={self.width}, activation={self.activation!r})"


@dataclass(frozen=True, repr=False)
class MLPRuns:
    """Result of :func:`train_mlp1d`: S independently seeded networks trained side by side.

    Attributes
    ----------
    test_mse, train_mse : ndarray, shape (S,)
        MSE of the trained networks on the test and training sets.
    w, b, v : ndarray, shape (S, N)
    c : ndarray, shape (S,)
        Trained parameters.
    init_params : MLP1dParams
        The same networks before training.
    loss_history : ndarray, shape (S, H)
        Training MSE before steps 0, record_every, 2 record_every, ...
    record_every : int
    width, activation, schedule, seed, backend
        The protocol that produced the runs.
    """

    test_mse: np.ndarray
    train_mse: np.ndarray
    w: np.ndarray
    b: np.ndarray
    v: np.ndarray
    c: np.ndarray
    init_params: MLP1dParams
    loss_history: np.ndarray
    record_every: int
    width: int
    activation: str
    schedule: tuple
    seed: int
    backend: str

    @property
    def n_seeds(self) -> int:
        return self.w.shape[0]

    @property
    def params(self) -> MLP1dParams:
        """The trained parameters as :class:`MLP1dParams`."""
        return MLP1dParams(self.w, self.b, self.v, self.c, self.activation)

    @property
    def n_steps(self) -> int:
        return int(sum(steps for _, steps in self.schedule))

    def predict(self, x) -> np.ndarray:
        """Outputs of the trained networks at ``x`` (1-D), shape (S, len(x))."""
        return self.params.predict(x)

    def __repr__(self) -> str:
        return (f"MLPRuns(width={self.width}, activation={self.activation!r}, "
                f"n_seeds={self.n_seeds}, steps={self.n_steps}, "
                f"median test_mse={np.median(self.test_mse):.3g}, backend={self.backend!r})")


def mlp1d_gradients(params: MLP1dParams, x, y) -> tuple:
    r"""Training MSE and its gradients for every network, by hand-written backprop.

    Returns ``(loss (S,), (dw, db, dv) each (S, N), dc (S,))`` for
    :math:`L_s = P^{-1}\sum_p (f_s(x_p) - y_p)^2`.
    """
    x = check.finite_array("x", x, ndim=1)
    y = check.finite_array("y", y, ndim=1)
    act = _mlp1d_activation(params.activation)
    z = params.w[:, None, :] * x[None, :, None] + params.b[:, None, :]
    a, d = act(z)
    resid = params.c[:, None] + np.matmul(a, params.v[:, :, None])[:, :, 0] - y
    g = (2.0 / x.size) * resid
    q = g[:, :, None] * params.v[:, None, :] * d
    dv = np.matmul(g[:, None, :], a)[:, 0, :]
    dw = np.matmul(x[None, None, :], q)[:, 0, :]
    return np.mean(resid ** 2, axis=1), (dw, q.sum(axis=1), dv), g.sum(axis=1)


def _numpy_adam_1d(x, y, w, b, v, c, schedule, activation, record_every, history):
    """Batched NumPy twin of :func:`models._mlp1d_kernels.train_mlp1d_kernel` (in place)."""
    beta1, beta2 = ADAM_BETAS
    params = [w, b, v, c]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    beta1_t = beta2_t = 1.0
    t = 0
    net = MLP1dParams(w, b, v, c, activation)
    for lr, steps in schedule:
        for _ in range(steps):
            loss, (dw, db, dv), dc = mlp1d_gradients(net, x, y)
            if record_every and t % record_every == 0:
                history[:, t // record_every] = loss
            t += 1
            beta1_t *= beta1
            beta2_t *= beta2
            step_size = lr / (1.0 - beta1_t)
            root_bc2 = np.sqrt(1.0 - beta2_t)
            for p, g, m, s in zip(params, (dw, db, dv, dc), first, second):
                m *= beta1
                m += (1.0 - beta1) * g
                s *= beta2
                s += (1.0 - beta2) * g * g
                p -= step_size * m / (np.sqrt(s) / root_bc2 + ADAM_EPS)


def _check_schedule(schedule):
    try:
        stages = [tuple(stage) for stage in schedule]
    except TypeError:
        raise TypeError(f"schedule must be a sequence of (lr, steps) pairs, got {schedule!r}") from None
    if not stages or any(len(stage) != 2 for stage in stages):
        raise ValueError(f"schedule must be a non-empty sequence of (lr, steps) pairs, got {schedule!r}")
    return tuple((check.real(f"schedule[{k}] lr", lr, low=0.0, low_open=True),
                  check.integer(f"schedule[{k}] steps", steps, minimum=0))
                 for k, (lr, steps) in enumerate(stages))


def train_mlp1d(width, activation, data, *, n_seeds, schedule=((1e-3, 10_000),),
                optimizer: str = "adam", init="torch_uniform", seed: int = 0,
                backend: str = "numba", record_every: int = 100, n_threads: int = 1) -> MLPRuns:
    r"""Train ``n_seeds`` networks :math:`f(x) = c + \sum_{i=1}^N v_i \sigma(w_i x + b_i)` at once.

    Full-batch Adam (:math:`\beta = (0.9, 0.999)`, :math:`\epsilon = 10^{-8}`, no weight
    decay) on the mean squared error, float64. Protocol of the lottery-ticket
    experiments (Liu & Tegmark, arXiv 2310.02258; optimizer our choice [ours]).

    Parameters
    ----------
    width : int
        Number of hidden neurons N >= 1.
    activation : {"silu", "relu", "leaky_relu", "tanh"}
        Hidden activation (leaky slope 0.01).
    data : RegressionData
        Any object with 1-D ``x_train, y_train, x_test, y_test``.
    n_seeds : int
        Number of networks S >= 1. Network k is initialised from child k of
        ``numpy.random.SeedSequence(seed).spawn(n_seeds)``, so its result does not
        depend on ``n_seeds``.
    schedule : sequence of (lr, steps)
        Learning-rate stages run in order. The Adam moments and the step counter
        (hence the bias correction) carry over from one stage to the next.
    optimizer : {"adam"}
    init : "torch_uniform" or MLP1dParams
        ``"torch_uniform"``: :math:`w, b \sim U(-1, 1)` (fan-in 1),
        :math:`v, c \sim U(\pm 1/\sqrt N)`, drawn in the order w, b, v, c.
        An :class:`MLP1dParams` of shape (n_seeds, width) starts from given parameters.
    seed : int
        Root seed (>= 0).
    backend : {"numba", "numpy"}
        Compiled per-seed kernel (default) or the batched NumPy twin. They agree to
        rounding; the NumPy path is bit-reproducible, the Numba path too on one machine.
    record_every : int
        Store the training MSE every this many steps (0: never).
    n_threads : int
        Numba threads over seeds (results do not depend on it).

    Returns
    -------
    MLPRuns
    """
    width = check.integer("width", width, minimum=1)
    check.choice("activation", activation, _MLP1D_ACTIVATIONS)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        if not hasattr(data, name):
            raise TypeError(f"data must have attributes x_train, y_train, x_test, y_test "
                            f"(e.g. RegressionData), got {type(data).__name__}")
    x = check.finite_array("data.x_train", data.x_train, ndim=1)
    y = check.finite_array("data.y_train", data.y_train, ndim=1)
    x_test = check.finite_array("data.x_test", data.x_test, ndim=1)
    y_test = check.finite_array("data.y_test", data.y_test, ndim=1)
    if x.shape != y.shape or x_test.shape != y_test.shape:
        raise ValueError("data.y_train / data.y_test must match data.x_train / data.x_test in "
                         f"length, got {y.shape} vs {x.shape} and {y_test.shape} vs {x_test.shape}")
    n_seeds = check.integer("n_seeds", n_seeds, minimum=1)
    stages = _check_schedule(schedule)
    check.choice("optimizer", optimizer, ("adam",))
    seed = check.integer("seed", seed, minimum=0)
    check.choice("backend", backend, ("numba", "numpy"))
    record_every = check.integer("record_every", record_every, minimum=0)
    n_threads = check.integer("n_threads", n_threads, minimum=1)
    if isinstance(init, MLP1dParams):
        if init.w.shape != (n_seeds, width) or init.c.shape != (n_seeds,):
            raise ValueError(f"init must have w of shape ({n_seeds}, {width}) and c of shape "
                             f"({n_seeds},), got {init.w.shape} and {init.c.shape}")
        start = [check.finite_array(f"init.{k}", getattr(init, k), ndim=(1, 2)).copy()
                 for k in "wbvc"]
    else:
        check.choice("init", init, ("torch_uniform",))
        start = _torch_uniform(width, n_seeds, seed)
    init_params = MLP1dParams(*(p.copy() for p in start), activation)
    w, b, v, c = start
    n_total = sum(steps for _, steps in stages)
    n_records = -(-n_total // record_every) if record_every else 0
    history = np.zeros((n_seeds, n_records))
    if backend == "numba":
        lrs = np.array([lr for lr, _ in stages], dtype=np.float64)
        steps = np.array([s for _, s in stages], dtype=np.int64)
        code = _mlp1d_kernels.ACTIVATION_CODES[activation]
        args = (x, y, w, b, v, c, lrs, steps, code, ADAM_BETAS[0], ADAM_BETAS[1], ADAM_EPS,
                record_every, history)
        if n_threads > 1 and n_seeds > 1:
            import numba

            previous = numba.get_num_threads()
            numba.set_num_threads(min(n_threads, numba.config.NUMBA_NUM_THREADS))
            try:
                _mlp1d_kernels.train_mlp1d_kernel_parallel(*args)
            finally:
                numba.set_num_threads(previous)
        else:
            _mlp1d_kernels.train_mlp1d_kernel(*args)
    else:
        with blas_threads(1):
            _numpy_adam_1d(x, y, w, b, v, c, stages, activation, record_every, history)
    trained = MLP1dParams(w, b, v, c, activation)
    with blas_threads(1):
        test_mse = trained.mse(x_test, y_test)
        train_mse = trained.mse(x, y)
    return MLPRuns(test_mse, train_mse, w, b, v, c, init_params, history, record_every, width,
                   activation, stages, seed, backend)


def _torch_uniform(width, n_seeds, seed):
    w = np.empty((n_seeds, width))
    b = np.empty((n_seeds, width))
    v = np.empty((n_seeds, width))
    c = np.empty(n_seeds)
    bound = 1.0 / np.sqrt(width)
    for k, child in enumerate(np.random.SeedSequence(seed).spawn(n_seeds)):
        rng = np.random.default_rng(child)
        w[k] = rng.uniform(-1.0, 1.0, width)
        b[k] = rng.uniform(-1.0, 1.0, width)
        v[k] = rng.uniform(-bound, bound, width)
        c[k] = rng.uniform(-bound, bound)
    return [w, b, v, c]
