r"""Full-batch and mini-batch training loops for :class:`models.mlp.MLP`.

Minimise :math:`L(\theta)` (MSE or softmax cross-entropy) with an optimizer from
:mod:`models.optimizers`. Mini-batches: each epoch draws a permutation of the
training rows from the explicit generator and cuts it into consecutive batches
of ``batch_size`` (the incomplete tail is dropped), so a seed fixes the run.
``backend="numba"`` runs the whole loop in one compiled kernel
(:mod:`models._mlp_kernels`; MSE only) and agrees with the NumPy loop to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models import _arguments as check
from models import _mlp_kernels
from models.blas import blas_threads
from models.mlp import MLP, _backward, _check_target, _forward
from models.losses import LOSSES
from models.optimizers import SGD, Adam

__all__ = ["TrainingResult", "train_mlp", "batch_schedule"]


@dataclass(frozen=True, repr=False)
class TrainingResult:
    """Trained network and the batch-loss record (loss before steps 0, k, 2k, ...)."""

    mlp: MLP
    loss_history: np.ndarray
    record_every: int
    steps: int

    def __repr__(self) -> str:
        last = self.loss_history[-1] if self.loss_history.size else float("nan")
        return f"TrainingResult({self.mlp!r}, steps={self.steps}, last recorded loss={last:.3g})"


def batch_schedule(n_rows: int, steps: int, batch_size, rng) -> np.ndarray:
    """Row indices (steps, batch_size) of every step; full batch when ``batch_size`` is None."""
    if batch_size is None:
        return np.arange(n_rows, dtype=np.int64)[None, :].repeat(1, axis=0)
    if steps == 0:
        return np.empty((0, batch_size), dtype=np.int64)
    per_epoch = n_rows // batch_size
    epochs = -(-steps // per_epoch)
    rows = [rng.permutation(n_rows)[: per_epoch * batch_size].reshape(per_epoch, batch_size)
            for _ in range(epochs)]
    return np.ascontiguousarray(np.concatenate(rows)[:steps], dtype=np.int64)


def train_mlp(mlp: MLP, x, target, *, steps: int, optimizer=None, loss: str = "mse",
              batch_size=None, seed: int = 0, record_every: int = 1,
              backend: str = "numpy") -> TrainingResult:
    """Train a copy of ``mlp``.

    Parameters
    ----------
    mlp : MLP
        Starting network (not modified).
    x : ndarray, shape (n, d_in)
    target : ndarray
        (n, d_out) for ``loss="mse"``; (n,) integer labels for ``"cross_entropy"``.
    steps : int
        Number of optimizer steps (>= 0).
    optimizer : SGD, Adam or AdamW
        Default ``Adam(lr=1e-3)``.
    loss : {"mse", "cross_entropy"}
    batch_size : int or None
        None: full batch. Otherwise 1 <= batch_size <= n.
    seed : int
        Seed of the batch order (ignored for full batch).
    record_every : int
        Record the batch loss every this many steps (0: never).
    backend : {"numpy", "numba"}
        ``"numba"``: fully jitted loop, MSE only; fastest for widths up to ~100.
    """
    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp must be an MLP, got {type(mlp).__name__}")
    optimizer = Adam() if optimizer is None else optimizer
    if not isinstance(optimizer, (SGD, Adam)):
        raise TypeError(f"optimizer must be SGD, Adam or AdamW, got {type(optimizer).__name__}")
    check.choice("loss", loss, LOSSES)
    check.choice("backend", backend, ("numpy", "numba"))
    steps = check.integer("steps", steps, minimum=0)
    record_every = check.integer("record_every", record_every, minimum=0)
    seed = check.integer("seed", seed, minimum=0)
    x = check.finite_array("x", x, ndim=2)
    if x.shape[1] != mlp.sizes[0]:
        raise ValueError(f"x must have {mlp.sizes[0]} columns, got shape {x.shape}")
    target = _check_target(target, x.shape[0], mlp.sizes[-1], loss)
    if batch_size is not None:
        batch_size = check.integer("batch_size", batch_size, minimum=1, maximum=x.shape[0])
    if backend == "numba" and loss != "mse":
        raise ValueError(f"backend 'numba' supports loss='mse' only, got loss={loss!r}")
    batches = batch_schedule(x.shape[0], steps, batch_size, np.random.default_rng(seed))
    n_records = -(-steps // record_every) if record_every else 0
    history = np.zeros(n_records)
    if backend == "numba":
        theta = mlp.flat()
        is_sgd = isinstance(optimizer, SGD)
        _mlp_kernels.train_mlp_kernel(
            x, target, theta, np.array(mlp.sizes, dtype=np.int64),
            _mlp_kernels.ACTIVATION_CODES[mlp.activation],
            np.ascontiguousarray(np.broadcast_to(batches, (steps, batches.shape[1])))
            if batch_size is None else batches, _mlp_kernels.SGD if is_sgd else _mlp_kernels.ADAM,
            optimizer.lr, optimizer.momentum if is_sgd else 0.0,
            0.0 if is_sgd else optimizer.beta1, 0.0 if is_sgd else optimizer.beta2,
            0.0 if is_sgd else optimizer.eps,
            0.0 if is_sgd else optimizer._decoupled_decay(), record_every, history)
        return TrainingResult(mlp.with_flat(theta), history, record_every, steps)
    net = mlp.copy()
    params = net.parameters()
    state = optimizer.init_state(params)
    loss_fn = LOSSES[loss]
    with blas_threads(1):
        for t in range(steps):
            rows = batches[t % batches.shape[0]]
            xb = x if batch_size is None else x[rows]
            tb = target if batch_size is None else target[rows]
            activations, pre = _forward(net, xb)
            value = loss_fn(activations[-1], tb)
            if record_every and t % record_every == 0:
                history[t // record_every] = value.value
            grads = _backward(net, activations, pre, value.gradient)
            optimizer.update(params, grads, state)
    return TrainingResult(net, history, record_every, steps)
