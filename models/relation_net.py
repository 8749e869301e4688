r"""Embedding + MLP-decoder network for relation learning, with separate encoder/decoder rates.

Network of the GenEFT graph-learning experiments (Baek, Liu & Tegmark,
arXiv:2402.05916) as described by a third party [third party]: each entity
:math:`x` has a learned embedding :math:`E_x \in \mathbb R^d` (the encoder); a pair
is combined (``concat`` :math:`[E_{x_1}, E_{x_2}]`, ``difference``
:math:`E_{x_1} - E_{x_2}` or ``squared_difference`` :math:`(E_{x_1} - E_{x_2})^2`)
and an MLP decoder with ``depth`` hidden tanh layers of ``width`` units maps it to
a logit :math:`z`; the prediction is :math:`[z > 0]`. Loss: binary cross-entropy
on the logit,

.. math:: \ell = \frac{1}{|T|}\sum_{(x_1, x_2) \in T} \left[\log(1 + e^{z}) - R\, z\right],

minimised full batch by Adam with one learning rate :math:`\eta_\mathrm{enc}` for
the embeddings and another, :math:`\eta_\mathrm{dec}`, for the decoder (optionally
with decoupled weight decay on the decoder). Decoder initialisation
:math:`U(\pm 1/\sqrt{\mathrm{fan\_in}})` [ours]; embeddings :math:`\mathrm{scale}\cdot N(0, 1)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models import _arguments as check
from models.blas import blas_threads
from models.mlp import MLP, init_mlp
from models.optimizers import Adam, AdamW

__all__ = ["COMBINERS", "PRECISIONS", "RelationNetConfig", "RelationNet", "TrainHistory", "init_relation_net",
           "relation_net_gradients", "train_relation_net"]

COMBINERS = ("concat", "difference", "squared_difference")
PRECISIONS = ("float64", "float32")


@dataclass(frozen=True)
class RelationNetConfig:
    """Architecture: entities, embedding dimension, decoder depth/width, combiner, init scale.

    ``precision`` is the arithmetic of parameters, activations and Adam moments: ``"float64"``
    (default) or ``"float32"`` (PyTorch's default; about 3.7x faster for the 3x50 decoder on 675
    pairs). A single-precision network starts from the double-precision initialisation rounded.
    """

    n: int = 30
    dim: int = 2
    depth: int = 3
    width: int = 50
    combiner: str = "concat"
    emb_scale: float = 0.5
    precision: str = "float64"

    def __post_init__(self):
        check.integer("n", self.n, minimum=2)
        check.integer("dim", self.dim, minimum=1)
        check.integer("depth", self.depth, minimum=0)
        check.integer("width", self.width, minimum=1)
        check.choice("combiner", self.combiner, COMBINERS)
        check.real("emb_scale", self.emb_scale, low=0.0)
        check.choice("precision", self.precision, PRECISIONS)

    @property
    def input_dim(self) -> int:
        return 2 * self.dim if self.combiner == "concat" else self.dim


@dataclass(frozen=True, repr=False)
class RelationNet:
    """Embeddings ``(n, dim)`` and the tanh MLP decoder (weights are mutated in place by training)."""

    embeddings: np.ndarray
    decoder: MLP
    combiner: str

    def logits(self, pairs) -> np.ndarray:
        """Logits for ``pairs`` (flat indices ``x1 * n + x2``), shape (len(pairs),)."""
        first, second = _split(np.asarray(pairs, dtype=np.int64), self.embeddings.shape[0])
        features = _combine(self.embeddings, first, second, self.combiner)[0]
        return _forward(self.decoder, features)[0][-1][:, 0]

    def __repr__(self) -> str:
        n, d = self.embeddings.shape
        return f"RelationNet(n={n}, dim={d}, decoder={self.decoder.sizes}, combiner={self.combiner!r})"


def init_relation_net(config: RelationNetConfig, rng) -> RelationNet:
    """Embeddings ``emb_scale * N(0, 1)`` and a PyTorch-style initialised tanh decoder."""
    if not isinstance(config, RelationNetConfig):
        raise TypeError(f"config must be a RelationNetConfig, got {type(config).__name__}")
    generator = check.generator("rng", rng)
    embeddings = config.emb_scale * generator.standard_normal((config.n, config.dim))
    sizes = [config.input_dim] + [config.width] * config.depth + [1]
    decoder = init_mlp(sizes, activation="tanh", rng=generator)
    if config.precision != "float64":
        dtype = np.dtype(config.precision)
        embeddings = embeddings.astype(dtype)
        decoder = MLP(tuple(w.astype(dtype) for w in decoder.weights),
                      tuple(b.astype(dtype) for b in decoder.biases), decoder.activation)
    return RelationNet(embeddings, decoder, config.combiner)


def _split(pairs, n):
    return pairs // n, pairs % n


def _combine(emb, first, second, combiner):
    if combiner == "concat":
        return np.concatenate([emb[first], emb[second]], axis=1), None
    diff = emb[first] - emb[second]
    if combiner == "difference":
        return diff, diff
    return diff * diff, diff


def _forward(decoder: MLP, features):
    activations, derivatives = [features], []
    last = len(decoder.weights) - 1
    for layer, (w, b) in enumerate(zip(decoder.weights, decoder.biases)):
        z = activations[-1] @ w
        z += b
        if layer == last:
            activations.append(z)
        else:
            t = np.tanh(z)
            activations.append(t)
            derivatives.append(1.0 - t * t)
    return activations, derivatives


def relation_net_gradients(net: RelationNet, pairs, labels):
    """BCE loss and gradients ``(loss, d_embeddings, [dW_1, db_1, ...])`` by backpropagation.

    Parameters
    ----------
    net : RelationNet
    pairs : ndarray of int, shape (P,)
        Flat pair indices ``x1 * n + x2``.
    labels : ndarray, shape (P,)
        Targets in {0, 1}.
    """
    if not isinstance(net, RelationNet):
        raise TypeError(f"net must be a RelationNet, got {type(net).__name__}")
    n = net.embeddings.shape[0]
    pairs = _pair_indices("pairs", pairs, n, minimum=1)
    labels = check.finite_array("labels", labels, ndim=1)
    if labels.shape != pairs.shape:
        raise ValueError(f"labels must have shape {pairs.shape} to match pairs, got {labels.shape}")
    return _gradients(net, pairs, labels)


def _gradients(net, pairs, labels):
    n = net.embeddings.shape[0]
    first, second = _split(pairs, n)
    features, diff = _combine(net.embeddings, first, second, net.combiner)
    activations, derivatives = _forward(net.decoder, features)
    z = activations[-1][:, 0]
    count = z.shape[0]
    # softplus(z) - y z = (1 - y) softplus(z) + y softplus(-z): no cancellation when the
    # prediction is confident and right (the difference form rounds such losses to 0)
    loss = float(np.mean((1.0 - labels) * np.logaddexp(0.0, z) + labels * np.logaddexp(0.0, -z)))
    delta = ((0.5 * (1.0 + np.tanh(0.5 * z)) - labels) / count)[:, None]
    grads = [None] * (2 * len(net.decoder.weights))
    for layer in range(len(net.decoder.weights) - 1, -1, -1):
        grads[2 * layer] = activations[layer].T @ delta
        grads[2 * layer + 1] = delta.sum(axis=0)
        delta = delta @ net.decoder.weights[layer].T
        if layer:
            delta *= derivatives[layer - 1]
    d_emb = np.zeros_like(net.embeddings)
    dim = net.embeddings.shape[1]
    if net.combiner == "concat":
        g_first, g_second = delta[:, :dim], delta[:, dim:]
    else:
        g_diff = delta if net.combiner == "difference" else 2.0 * diff * delta
        g_first, g_second = g_diff, -g_diff
    for k in range(dim):
        d_emb[:, k] += np.bincount(first, weights=g_first[:, k], minlength=n)
        d_emb[:, k] += np.bincount(second, weights=g_second[:, k], minlength=n)
    return loss, d_emb, grads


@dataclass(frozen=True, repr=False)
class TrainHistory:
    """Accuracy/loss history of one training run.

    Attributes
    ----------
    steps : ndarray of int, shape (T,)
        Evaluation steps (0, eval_every, ..., steps).
    train_acc, test_acc : ndarray, shape (T,)
    train_loss : ndarray, shape (T,)
    embeddings : ndarray, shape (n, dim)
        Final embeddings.
    """

    steps: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray
    train_loss: np.ndarray
    embeddings: np.ndarray

    def __repr__(self) -> str:
        return (f"TrainHistory(steps={int(self.steps[-1])}, train_acc={self.train_acc[-1]:.3f}, "
                f"test_acc={self.test_acc[-1]:.3f})")


def _accuracy(net, pairs, labels) -> float:
    if pairs.size == 0:
        return float("nan")
    return float(np.mean((net.logits(pairs) > 0) == (labels > 0.5)))


def train_relation_net(adjacency, train_idx, test_idx, *, config: RelationNetConfig | None = None,
                       eta_enc: float = 1e-3, eta_dec: float = 1e-3, steps: int = 4000,
                       weight_decay_dec: float = 0.0, eval_every: int = 50, seed) -> TrainHistory:
    """Train the embedding + decoder network full batch with two Adam parameter groups.

    Parameters
    ----------
    adjacency : array_like of bool, shape (n, n)
        The relation to learn (``n`` must equal ``config.n``).
    train_idx, test_idx : array_like of int
        Flat pair indices ``x1 * n + x2`` (e.g. from :func:`models.tasks.graphs.pair_split`).
    config : RelationNetConfig, optional
        Default ``RelationNetConfig(n=adjacency.shape[0])``.
    eta_enc, eta_dec : float
        Adam learning rates of the embeddings and of the decoder, > 0.
    steps : int
        Full-batch steps, >= 1.
    weight_decay_dec : float
        Decoupled (AdamW) weight decay of the decoder, >= 0.
    eval_every : int
        Evaluate accuracies every this many steps, >= 1.
    seed : int, SeedSequence or Generator
        Initialisation seed.

    Returns
    -------
    TrainHistory
    """
    raw = np.asarray(adjacency)
    if raw.ndim != 2 or raw.shape[0] != raw.shape[1] or raw.shape[0] < 2:
        raise ValueError(f"adjacency must be a square (n, n) matrix with n >= 2, got shape {raw.shape}")
    labels_all = check.finite_array("adjacency", raw.astype(np.float64)).ravel()
    n = raw.shape[0]
    config = RelationNetConfig(n=n) if config is None else config
    if not isinstance(config, RelationNetConfig):
        raise TypeError(f"config must be a RelationNetConfig, got {type(config).__name__}")
    if config.n != n:
        raise ValueError(f"config.n ({config.n}) must equal the number of entities in adjacency ({n})")
    eta_enc = check.real("eta_enc", eta_enc, low=0.0, low_open=True)
    eta_dec = check.real("eta_dec", eta_dec, low=0.0, low_open=True)
    steps = check.integer("steps", steps, minimum=1)
    weight_decay_dec = check.real("weight_decay_dec", weight_decay_dec, low=0.0)
    eval_every = check.integer("eval_every", eval_every, minimum=1)
    train_idx = _pair_indices("train_idx", train_idx, n, minimum=1)
    test_idx = _pair_indices("test_idx", test_idx, n, minimum=0)
    generator = check.generator("seed", seed)
    net = init_relation_net(config, generator)
    y_train = labels_all[train_idx].astype(net.embeddings.dtype)
    y_test = labels_all[test_idx]
    enc_opt = Adam(lr=eta_enc)
    dec_opt = AdamW(lr=eta_dec, weight_decay=weight_decay_dec) if weight_decay_dec > 0 else Adam(lr=eta_dec)
    enc_params = [net.embeddings]
    dec_params = net.decoder.parameters()
    enc_state = enc_opt.init_state(enc_params)
    dec_state = dec_opt.init_state(dec_params)
    rec_steps, train_acc, test_acc, losses = [], [], [], []
    with blas_threads(1):
        for step in range(steps + 1):
            record = step % eval_every == 0 or step == steps
            if record:
                rec_steps.append(step)
                train_acc.append(_accuracy(net, train_idx, y_train))
                test_acc.append(_accuracy(net, test_idx, y_test))
            if step == steps:
                losses.append(_gradients(net, train_idx, y_train)[0])
                break
            loss, d_emb, d_dec = _gradients(net, train_idx, y_train)
            if record:
                losses.append(loss)
            if not np.isfinite(loss):
                raise FloatingPointError(f"training diverged at step {step} (loss {loss})")
            enc_opt.update(enc_params, [d_emb], enc_state)
            dec_opt.update(dec_params, d_dec, dec_state)
    return TrainHistory(np.array(rec_steps), np.array(train_acc), np.array(test_acc), np.array(losses),
                        net.embeddings.copy())


def _pair_indices(name, value, n, *, minimum):
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu" or arr.ndim != 1:
        raise TypeError(f"{name} must be a 1-D integer array of pair indices, got {arr.dtype} shape {arr.shape}")
    if arr.size < minimum:
        raise ValueError(f"{name} must hold at least {minimum} pair(s), got {arr.size}")
    if arr.size and (arr.min() < 0 or arr.max() >= n * n):
        raise ValueError(f"{name} must lie in [0, {n * n - 1}], got range [{arr.min()}, {arr.max()}]")
    return arr.astype(np.int64)
