r"""Sparse-regularised SiLU MLPs of the resource-model experiments (Song et al., arXiv 2402.05164).

Objective of one replica :math:`r` (Fig. 2A of the paper [paper]; the regularisers are our
reading of it [ours]):

.. math:: \mathcal L_r = \alpha_r \sum_k w_{rk}\,\mathrm{MSE}_k
          + \lambda_{\rm in}\lVert W_1\rVert_1 + \lambda_{\rm out}\sum_{l>1}\lVert W_l\rVert_1,

with :math:`\mathrm{MSE}_k = \frac1n\sum_j(\hat y_{jk} - y_{jk})^2` the error of output
:math:`k` and biases unpenalised (``lam_bias`` > 0 adds :math:`\lambda_b\sum_{l<L}\lVert b_l\rVert_1`
on the hidden biases, a variant [ours]). Larger :math:`\alpha` means a weaker penalty and more
allocated neurons. All replicas (an :math:`\alpha`, task-weight or seed sweep) are trained
together: every parameter carries a leading replica axis, so a sweep is one array
program. Full-batch Adam (betas 0.9, 0.999, eps 1e-8) with cosine decay of the learning
rate to 0; PyTorch-style initialisation :math:`U(\pm 1/\sqrt{\rm fan_{in}})`; hand-written
backpropagation:

.. math:: \delta_L = \frac{2\alpha_r w_{rk}}{n}(\hat y - y),\quad
          \partial_{W_l} = a_{l-1}^\top\delta_l + \lambda_l\,\mathrm{sign}(W_l),\quad
          \delta_{l-1} = (\delta_l W_l^\top)\odot\sigma'(z_{l-1}).

The recipe (SiLU, width 100, :math:`\lambda = 3\times10^{-4}`, lr :math:`3\times10^{-3}`, 30 000
steps) is ours: the paper's is unknown. This module imports nothing from the theory it tests;
neuron counting happens in the validation layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models import _arguments as check
from models._activation_kernels import silu_pair
from models._sparse_mlp_kernels import one_hidden_layer_gradients
from models.blas import blas_threads

__all__ = [
    "SparseFit",
    "square_task",
    "parallel_squares_task",
    "sequential_sqrt_norm_task",
    "init_sparse_mlp",
    "sparse_mlp_forward",
    "sparse_mlp_gradients",
    "train_sparse_mlp",
]

ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8


# ---------------------------------------------------------------------------------------------
# tasks (inputs and distributions are ours; the maps are the paper's)
# ---------------------------------------------------------------------------------------------


def square_task(n_points: int = 201):
    r"""Fig. 2 task :math:`y = x^2` on an ``n_points`` grid of :math:`[-1, 1]`; returns X (n, 1), Y (n, 1)."""
    n_points = check.integer("n_points", n_points, minimum=2)
    x = np.linspace(-1.0, 1.0, n_points)[:, None]
    return x, x**2


def parallel_squares_task(grid: int = 21):
    r"""Fig. 3 task :math:`(x_1, x_2) \mapsto (x_1^2, x_2^2)` on a ``grid`` x ``grid`` lattice of :math:`[-1, 1]^2`.

    Returns X (grid², 2), Y (grid², 2).
    """
    grid = check.integer("grid", grid, minimum=2)
    t = np.linspace(-1.0, 1.0, grid)
    x1, x2 = np.meshgrid(t, t, indexing="ij")
    x = np.column_stack([x1.ravel(), x2.ravel()])
    return x, x**2


def sequential_sqrt_norm_task(n: int = 1024, rng=0):
    r"""Fig. 4 task :math:`y = \sqrt g`, :math:`g = (x_1 - x_2)^2 + (x_3 - x_4)^2`, :math:`x \sim U(-1, 1)^4`.

    Returns X (n, 4), Y (n, 1) and g (n,).
    """
    n = check.integer("n", n, minimum=2)
    gen = check.generator("rng", rng)
    x = gen.uniform(-1.0, 1.0, size=(n, 4))
    g = (x[:, 0] - x[:, 1]) ** 2 + (x[:, 2] - x[:, 3]) ** 2
    return x, np.sqrt(g)[:, None], g


# ---------------------------------------------------------------------------------------------
# network
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class SparseFit:
    """Trained replicas.

    Attributes
    ----------
    weights : tuple of ndarray
        ``W_l`` of shape (R, fan_in, fan_out).
    biases : tuple of ndarray
        ``b_l`` of shape (R, fan_out).
    mse_per_task : ndarray, shape (R, d_out)
        Final MSE of each output on the training inputs.
    final_loss : ndarray, shape (R,)
        Final regularised objective.
    alphas : ndarray, shape (R,)
    task_weights : ndarray, shape (R, d_out)
    """

    weights: tuple
    biases: tuple
    mse_per_task: np.ndarray
    final_loss: np.ndarray
    alphas: np.ndarray
    task_weights: np.ndarray

    def __repr__(self) -> str:
        sizes = (self.weights[0].shape[1],) + tuple(w.shape[2] for w in self.weights)
        return (f"SparseFit(replicas={self.alphas.size}, sizes={sizes}, "
                f"mse in [{self.mse_per_task.min():.3g}, {self.mse_per_task.max():.3g}])")


def init_sparse_mlp(sizes, n_replicas: int, rng):
    r"""PyTorch-style initialisation :math:`U(\pm1/\sqrt{\rm fan_{in}})` of ``n_replicas`` networks.

    Returns (weights, biases) tuples with a leading replica axis.
    """
    sizes = [check.integer(f"sizes[{k}]", s, minimum=1) for k, s in enumerate(sizes)]
    if len(sizes) < 3:
        raise ValueError(f"sizes must be (d_in, hidden..., d_out) with at least one hidden layer, got {sizes}")
    n_replicas = check.integer("n_replicas", n_replicas, minimum=1)
    gen = check.generator("rng", rng)
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        weights.append(gen.uniform(-bound, bound, (n_replicas, fan_in, fan_out)))
        biases.append(gen.uniform(-bound, bound, (n_replicas, fan_out)))
    return tuple(weights), tuple(biases)


def _forward(weights, biases, x, masks=None):
    """Activations [a_0 (R, n, d_in), ..., y_hat] and SiLU derivatives of the hidden layers."""
    acts = [np.broadcast_to(x, (weights[0].shape[0],) + x.shape)]
    ders = []
    last = len(weights) - 1
    for layer, (w, b) in enumerate(zip(weights, biases)):
        z = np.matmul(acts[-1], w)
        z += b[:, None, :]
        if layer == last:
            acts.append(z)
        else:
            a, d = silu_pair(z)
            if masks is not None and masks[layer] is not None:
                a = a * masks[layer][:, None, :]
                d = d * masks[layer][:, None, :]
            acts.append(a)
            ders.append(d)
    return acts, ders


def sparse_mlp_forward(weights, biases, x, masks=None):
    """Outputs (R, n, d_out) and hidden activations [(R, n, h_l), ...] on inputs ``x`` (n, d_in).

    ``masks`` (optional): one entry per hidden layer, None or an (R, h_l) array multiplying
    that layer's activations (0 = neuron ablated).
    """
    x = check.finite_array("x", x, ndim=2)
    acts, _ = _forward(weights, biases, x, masks)
    return acts[-1], acts[1:-1]


def _objective(acts, y, alphas, task_weights, weights, lam, biases=(), lam_bias=0.0):
    err = acts[-1] - y[None]
    mse = np.mean(err * err, axis=1)  # (R, d_out)
    data = alphas * np.sum(task_weights * mse, axis=1)
    reg = sum(l * np.abs(w).sum(axis=(1, 2)) for l, w in zip(lam, weights))
    if lam_bias:
        reg = reg + lam_bias * sum(np.abs(b).sum(axis=1) for b in biases[:-1])
    return data + reg, mse, err


def _add_bias_l1(grads, biases, lam_bias):
    """Add ``lam_bias * sign(b)`` to the gradients of every hidden layer's biases (not the readout's)."""
    for layer in range(len(biases) - 1):
        grads[2 * layer + 1] += lam_bias * np.sign(biases[layer])


def sparse_mlp_gradients(weights, biases, x, y, alphas, task_weights, lam, lam_bias=0.0):
    """Objective per replica (R,), per-task MSE (R, d_out) and gradients [dW_1, db_1, ...].

    ``lam`` holds one L1 coefficient per weight layer; the L1 gradient is ``lam * sign(W)``.
    ``lam_bias`` is an L1 coefficient on the hidden layers' biases (the readout bias stays free).
    """
    acts, ders = _forward(weights, biases, x)
    value, mse, err = _objective(acts, y, alphas, task_weights, weights, lam, biases, lam_bias)
    n = x.shape[0]
    delta = err * ((2.0 / n) * alphas[:, None] * task_weights)[:, None, :]
    grads = [None] * (2 * len(weights))
    for layer in range(len(weights) - 1, -1, -1):
        grads[2 * layer] = np.matmul(np.swapaxes(acts[layer], 1, 2), delta) + lam[layer] * np.sign(weights[layer])
        grads[2 * layer + 1] = delta.sum(axis=1)
        if layer:
            delta = np.matmul(delta, np.swapaxes(weights[layer], 1, 2))
            delta *= ders[layer - 1]
    if lam_bias:
        _add_bias_l1(grads, biases, lam_bias)
    return value, mse, grads


def train_sparse_mlp(X, Y, *, alphas, task_weights=None, lam_in: float = 3e-4, lam_out: float = 3e-4,
                     lam_bias: float = 0.0, hidden=(100,), steps: int = 30_000, lr: float = 3e-3,
                     schedule: str = "cosine", seed=0, init=None) -> SparseFit:
    r"""Train one SiLU MLP per entry of ``alphas`` on the L1-regularised objective above.

    Parameters
    ----------
    X : array_like, shape (n, d_in)
    Y : array_like, shape (n, d_out)
    alphas : array_like, shape (R,)
        Weight of the task loss per replica (> 0).
    task_weights : array_like, shape (d_out,) or (R, d_out), optional
        :math:`w_k \ge 0` (default 1 for each output).
    lam_in, lam_out : float
        L1 coefficients of the first and of every later weight layer (>= 0).
    lam_bias : float
        L1 coefficient on the hidden layers' biases (>= 0). The default 0 is the spec's recipe,
        which leaves biases free; a positive value is our variant [ours] that discourages the
        "shifted" solutions (large negative biases) described in the docs' resource page.
    hidden : tuple of int
        Hidden widths.
    steps : int
        Full-batch Adam steps.
    lr : float
        Peak learning rate (> 0).
    schedule : {"cosine", "constant"}
        Cosine decay to 0 over ``steps``, or constant.
    seed : int, SeedSequence or Generator
        Initialisation (all replicas drawn from one stream, in replica order).
    init : (weights, biases), optional
        Start from these arrays instead (copied).

    Returns
    -------
    SparseFit
    """
    x = check.finite_array("X", X, ndim=2)
    y = check.finite_array("Y", Y, ndim=2)
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"Y must have {x.shape[0]} rows like X, got shape {y.shape}")
    al = check.finite_array("alphas", alphas, ndim=1)
    if np.any(al <= 0):
        raise ValueError(f"alphas must be > 0, got minimum {al.min()}")
    r_count, d_out = al.size, y.shape[1]
    if task_weights is None:
        tw = np.ones((r_count, d_out))
    else:
        tw = check.finite_array("task_weights", task_weights, ndim=(1, 2))
        tw = np.broadcast_to(tw, (r_count, d_out)).copy() if tw.shape in ((d_out,), (r_count, d_out)) else None
        if tw is None:
            raise ValueError(f"task_weights must have shape ({d_out},) or ({r_count}, {d_out})")
        if np.any(tw < 0):
            raise ValueError(f"task_weights must be >= 0, got minimum {tw.min()}")
    lam_in = check.real("lam_in", lam_in, low=0.0)
    lam_out = check.real("lam_out", lam_out, low=0.0)
    lam_bias = check.real("lam_bias", lam_bias, low=0.0)
    if isinstance(hidden, (int, np.integer)):
        hidden = (hidden,)
    hidden = tuple(check.integer("hidden", h, minimum=1) for h in hidden)
    if not hidden:
        raise ValueError("hidden must hold at least one width, got ()")
    steps = check.integer("steps", steps, minimum=1)
    lr = check.real("lr", lr, low=0.0, low_open=True)
    check.choice("schedule", schedule, ("cosine", "constant"))
    sizes = (x.shape[1],) + hidden + (d_out,)
    if init is None:
        weights, biases = init_sparse_mlp(sizes, r_count, seed)
    else:
        weights = tuple(np.array(w, dtype=np.float64) for w in init[0])
        biases = tuple(np.array(b, dtype=np.float64) for b in init[1])
    weights, biases = [w.copy() for w in weights], [b.copy() for b in biases]
    lam = [lam_in] + [lam_out] * (len(weights) - 1)
    params = []
    for w, b in zip(weights, biases):
        params += [w, b]
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    b1, b2 = ADAM_BETAS
    fused = len(weights) == 2
    if fused:  # one hidden layer: the fused kernel (same arithmetic as sparse_mlp_gradients)
        grads = [np.empty_like(p) for p in params]
        mse_buf = np.empty((r_count, d_out))
    with blas_threads(1):
        for t in range(1, steps + 1):
            if fused:
                one_hidden_layer_gradients(x, y, weights[0], biases[0], weights[1], biases[1], al, tw,
                                           lam[0], lam[1], grads[0], grads[1], grads[2], grads[3], mse_buf)
                if lam_bias:
                    _add_bias_l1(grads, biases, lam_bias)
            else:
                _, _, grads = sparse_mlp_gradients(weights, biases, x, y, al, tw, lam, lam_bias)
            eta = lr if schedule == "constant" else 0.5 * lr * (1.0 + np.cos(np.pi * (t - 1) / steps))
            c1 = 1.0 - b1**t
            c2 = np.sqrt(1.0 - b2**t)
            for p, g, m, v in zip(params, grads, m1, m2):
                m *= b1
                m += (1.0 - b1) * g
                v *= b2
                v += (1.0 - b2) * g * g
                p -= (eta / c1) * m / (np.sqrt(v) / c2 + ADAM_EPS)
        acts, _ = _forward(weights, biases, x)
        value, mse, _ = _objective(acts, y, al, tw, weights, lam, biases, lam_bias)
    return SparseFit(weights=tuple(weights), biases=tuple(biases), mse_per_task=mse,
                     final_loss=value, alphas=al, task_weights=tw)
