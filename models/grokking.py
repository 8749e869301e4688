r"""Embedding + SiLU MLP trained full batch with AdamW: the grokking experiments.

Set-up of Liu, Zhong & Tegmark, *Grokking as Compression* (arXiv:2310.05918,
section 3) [paper]: trainable embeddings of dimension 32, a three-layer
fully-connected SiLU network of width 100, AdamW with learning rate
:math:`10^{-3}` and weight decay 0.2, cross-entropy, 80/20 split of all operand
pairs. Our reading of the details the paper leaves open [ours]: one embedding
table shared by both operands, the two vectors concatenated; ``n_hidden = 2``
Linear+SiLU blocks then a Linear readout,

.. math:: e = [E_a, E_b],\quad h_1 = \mathrm{SiLU}(e W_1 + b_1),\quad
          h_2 = \mathrm{SiLU}(h_1 W_2 + b_2),\quad \ell = h_2 W_3 + b_3;

full batch; PyTorch-style :math:`U(\pm 1/\sqrt{\mathrm{fan\_in}})` initialisation of
Linear layers and :math:`E \sim N(0, 1)`; decoupled weight decay on every
parameter. Gradients are hand-written backpropagation:
:math:`\partial L/\partial e = \delta_1 W_1^\top`, scattered back to the rows of
:math:`E` by the one-hot matrices of the operands.

This module never computes the linear mapping number: it returns parameter
snapshots (and an optional ``on_log`` callback), and ``validation`` joins them
with the theory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models import _arguments as check
from models.blas import blas_threads
from models.losses import softmax_cross_entropy
from models.mlp import MLP, _activation_and_derivative, init_mlp
from models.optimizers import AdamW
from models.tasks.arithmetic import ArithmeticTask, train_test_split

__all__ = ["GrokkingNet", "GrokkingForward", "GrokkingRun", "init_grokking_net", "grokking_gradients",
           "train_grokking"]


@dataclass(frozen=True, repr=False)
class GrokkingForward:
    """Intermediate values of one forward pass.

    Attributes
    ----------
    emb : ndarray, shape (n, 2 * emb_dim)
        Concatenated operand embeddings.
    hidden_pre, hidden : tuple of ndarray, shapes (n, hidden)
        Pre- and post-activation of every hidden layer (``hidden[0]`` is :math:`h_1`).
    logits : ndarray, shape (n, n_classes)
    """

    emb: np.ndarray
    hidden_pre: tuple
    hidden: tuple
    logits: np.ndarray

    def __repr__(self) -> str:
        return f"GrokkingForward(n={self.emb.shape[0]}, n_hidden={len(self.hidden)})"


@dataclass(frozen=True, repr=False)
class GrokkingNet:
    """Embedding table ``embedding`` (n_symbols, emb_dim) and a SiLU :class:`models.mlp.MLP`."""

    embedding: np.ndarray
    mlp: MLP

    def parameters(self) -> list:
        """``[E, W_1, b_1, ..., W_L, b_L]`` (the arrays themselves)."""
        return [self.embedding] + self.mlp.parameters()

    def copy(self) -> "GrokkingNet":
        return GrokkingNet(self.embedding.copy(), self.mlp.copy())

    @property
    def n_parameters(self) -> int:
        return int(self.embedding.size + self.mlp.n_parameters)

    def embed(self, a, b) -> np.ndarray:
        """Concatenated embeddings ``[E[a], E[b]]`` of shape (n, 2 * emb_dim)."""
        a = _symbols("a", a, self.embedding.shape[0])
        b = _symbols("b", b, self.embedding.shape[0])
        if a.shape != b.shape:
            raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
        return np.concatenate([self.embedding[a], self.embedding[b]], axis=1)

    def forward(self, a, b) -> GrokkingForward:
        """All intermediate values for operand arrays ``a``, ``b`` of shape (n,)."""
        emb = self.embed(a, b)
        pre, post = [], []
        x = emb
        last = len(self.mlp.weights) - 1
        for layer, (w, bias) in enumerate(zip(self.mlp.weights, self.mlp.biases)):
            z = x @ w + bias
            if layer == last:
                return GrokkingForward(emb, tuple(pre), tuple(post), z)
            x = _activation_and_derivative(self.mlp.activation, z)[0]
            pre.append(z)
            post.append(x)
        raise AssertionError("unreachable")  # pragma: no cover

    def __repr__(self) -> str:
        return (f"GrokkingNet(n_symbols={self.embedding.shape[0]}, emb_dim={self.embedding.shape[1]}, "
                f"mlp sizes={self.mlp.sizes})")


def _symbols(name, value, n_symbols):
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu" or arr.ndim != 1:
        raise TypeError(f"{name} must be a 1-D array of integer symbols, got dtype {arr.dtype}, shape {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_symbols):
        raise ValueError(f"{name} must lie in [0, {n_symbols - 1}], got values in [{arr.min()}, {arr.max()}]")
    return arr.astype(np.int64)


def init_grokking_net(n_symbols: int, n_classes: int, *, emb_dim: int = 32, hidden: int = 100,
                      n_hidden: int = 2, rng) -> GrokkingNet:
    r"""Initial parameters: :math:`E \sim N(0,1)`, Linear layers :math:`U(\pm 1/\sqrt{\mathrm{fan\_in}})` [ours].

    Parameters
    ----------
    n_symbols, n_classes : int
        Operand alphabet size and number of output classes.
    emb_dim, hidden : int
        Embedding dimension (paper 32) and hidden width (paper 100).
    n_hidden : int
        Linear+SiLU blocks before the readout (2: our reading of "three-layer").
    rng : numpy.random.Generator, SeedSequence or int
    """
    n_symbols = check.integer("n_symbols", n_symbols, minimum=1)
    n_classes = check.integer("n_classes", n_classes, minimum=2)
    emb_dim = check.integer("emb_dim", emb_dim, minimum=1)
    hidden = check.integer("hidden", hidden, minimum=1)
    n_hidden = check.integer("n_hidden", n_hidden, minimum=1)
    generator = check.generator("rng", rng)
    embedding = generator.standard_normal((n_symbols, emb_dim))
    sizes = [2 * emb_dim] + [hidden] * n_hidden + [n_classes]
    return GrokkingNet(embedding, init_mlp(sizes, activation="silu", rng=generator))


def _one_hot(symbols, n_symbols):
    out = np.zeros((symbols.size, n_symbols))
    out[np.arange(symbols.size), symbols] = 1.0
    return out


def _loss_and_gradients(net: GrokkingNet, emb, onehot_a, onehot_b, y):
    mlp = net.mlp
    acts, derivs = [emb], []
    last = len(mlp.weights) - 1
    for layer, (w, b) in enumerate(zip(mlp.weights, mlp.biases)):
        z = acts[-1] @ w
        z += b
        if layer == last:
            acts.append(z)
        else:
            a, d = _activation_and_derivative(mlp.activation, z)
            acts.append(a)
            derivs.append(d)
    loss = softmax_cross_entropy(acts[-1], y)
    delta = loss.gradient
    grads = [None] * (2 * len(mlp.weights))
    for layer in range(last, -1, -1):
        grads[2 * layer] = acts[layer].T @ delta
        grads[2 * layer + 1] = delta.sum(axis=0)
        delta = delta @ mlp.weights[layer].T
        if layer:
            delta *= derivs[layer - 1]
    dim = net.embedding.shape[1]
    d_embedding = onehot_a.T @ delta[:, :dim] + onehot_b.T @ delta[:, dim:]
    return loss.value, acts[-1], [d_embedding] + grads


def grokking_gradients(net: GrokkingNet, a, b, y) -> tuple:
    """Mean cross-entropy and its gradients ``[dE, dW_1, db_1, ...]`` (order of ``net.parameters()``).

    Parameters
    ----------
    net : GrokkingNet
    a, b : ndarray of int, shape (n,)
        Operand symbols.
    y : ndarray of int, shape (n,)
        Class labels in ``[0, n_classes)``.
    """
    if not isinstance(net, GrokkingNet):
        raise TypeError(f"net must be a GrokkingNet, got {type(net).__name__}")
    emb = net.embed(a, b)
    n_sym = net.embedding.shape[0]
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    value, _, grads = _loss_and_gradients(net, emb, _one_hot(a, n_sym), _one_hot(b, n_sym), y)
    return value, grads


@dataclass(frozen=True, repr=False)
class GrokkingRun:
    """Logged curves and parameter snapshots of one grokking run.

    Attributes
    ----------
    task : str
        Task name.
    steps : ndarray of int64, shape (n_log,)
        Logged steps (parameters after that many updates), starting at 0.
    train_loss, test_loss, train_acc, test_acc : ndarray, shape (n_log,)
    l2_norm : ndarray, shape (n_log,)
        Euclidean norm of all trainable parameters [ours].
    snapshot_steps : ndarray of int64, shape (n_snap,)
    snapshots : tuple of GrokkingNet
        Parameter copies at ``snapshot_steps``.
    train_idx, test_idx : ndarray of int64
        Indices into the task's pairs.
    callback_values : tuple
        ``on_log(step, net)`` return values at the logged steps (empty without a callback).
    """

    task: str
    steps: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray
    l2_norm: np.ndarray
    snapshot_steps: np.ndarray
    snapshots: tuple
    train_idx: np.ndarray
    test_idx: np.ndarray
    callback_values: tuple = ()

    def __repr__(self) -> str:
        return (f"GrokkingRun({self.task!r}, steps={int(self.steps[-1])}, "
                f"train_acc={self.train_acc[-1]:.3f}, test_acc={self.test_acc[-1]:.3f}, "
                f"snapshots={len(self.snapshots)})")


def train_grokking(task: ArithmeticTask, *, steps: int = 20_000, lr: float = 1e-3,
                   weight_decay: float = 0.2, emb_dim: int = 32, hidden: int = 100, n_hidden: int = 2,
                   train_frac: float = 0.8, log_every: int = 200, snapshot_every: int | None = 200,
                   seed, on_log=None) -> GrokkingRun:
    r"""Train the embedding MLP on a binary-operation table, full batch, AdamW.

    Parameters
    ----------
    task : ArithmeticTask
    steps : int
        AdamW updates (paper: 20 000).
    lr, weight_decay : float
        AdamW learning rate (paper :math:`10^{-3}`) and decoupled decay (paper 0.2).
    emb_dim, hidden, n_hidden : int
        Architecture (see :func:`init_grokking_net`).
    train_frac : float
        Fraction of pairs used for training (paper 0.8).
    log_every : int
        Curves are logged at steps 0, ``log_every``, ... and at ``steps``.
    snapshot_every : int or None
        Parameter copies every that many steps (a multiple of ``log_every``), or None.
    seed : numpy.random.Generator, SeedSequence or int
        One generator draws the split, then the initial parameters.
    on_log : callable, optional
        ``on_log(step, net)`` at every logged step; its return values are kept in
        ``callback_values`` (the net must not be modified).

    Returns
    -------
    GrokkingRun
    """
    if not isinstance(task, ArithmeticTask):
        raise TypeError(f"task must be an ArithmeticTask, got {type(task).__name__}")
    steps = check.integer("steps", steps, minimum=1)
    log_every = check.integer("log_every", log_every, minimum=1)
    if snapshot_every is not None:
        snapshot_every = check.integer("snapshot_every", snapshot_every, minimum=1)
        if snapshot_every % log_every:
            raise ValueError(f"snapshot_every must be a multiple of log_every={log_every}, got {snapshot_every}")
    if on_log is not None and not callable(on_log):
        raise TypeError(f"on_log must be callable, got {on_log!r}")
    optimizer = AdamW(lr=lr, weight_decay=weight_decay)
    rng = check.generator("seed", seed)
    train_idx, test_idx = train_test_split(task.n_pairs, train_frac=train_frac, rng=rng)
    net = init_grokking_net(task.n_symbols, task.n_classes, emb_dim=emb_dim, hidden=hidden,
                            n_hidden=n_hidden, rng=rng)
    n_sym = task.n_symbols
    a_tr, b_tr, y_tr = task.a[train_idx], task.b[train_idx], task.y[train_idx]
    a_te, b_te, y_te = task.a[test_idx], task.b[test_idx], task.y[test_idx]
    oh_a, oh_b = _one_hot(a_tr, n_sym), _one_hot(b_tr, n_sym)
    params = net.parameters()
    state = optimizer.init_state(params)
    log = {k: [] for k in ("steps", "train_loss", "test_loss", "train_acc", "test_acc", "l2")}
    snap_steps, snaps, values = [], [], []
    with blas_threads(1):
        for step in range(steps + 1):
            emb = np.concatenate([net.embedding[a_tr], net.embedding[b_tr]], axis=1)
            loss, logits, grads = _loss_and_gradients(net, emb, oh_a, oh_b, y_tr)
            if step % log_every == 0 or step == steps:
                test_logits = net.forward(a_te, b_te).logits
                log["steps"].append(step)
                log["train_loss"].append(loss)
                log["train_acc"].append(float(np.mean(logits.argmax(axis=1) == y_tr)))
                log["test_loss"].append(softmax_cross_entropy(test_logits, y_te).value)
                log["test_acc"].append(float(np.mean(test_logits.argmax(axis=1) == y_te)))
                log["l2"].append(float(np.sqrt(sum(float(np.sum(p * p)) for p in params))))
                if snapshot_every is not None and (step % snapshot_every == 0 or step == steps):
                    snap_steps.append(step)
                    snaps.append(net.copy())
                if on_log is not None:
                    values.append(on_log(step, net))
            if step == steps:
                break
            optimizer.update(params, grads, state)
    return GrokkingRun(task.name, np.array(log["steps"], dtype=np.int64), np.array(log["train_loss"]),
                       np.array(log["test_loss"]), np.array(log["train_acc"]), np.array(log["test_acc"]),
                       np.array(log["l2"]), np.array(snap_steps, dtype=np.int64), tuple(snaps),
                       train_idx, test_idx, tuple(values))
