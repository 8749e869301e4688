r"""Losses with their gradients with respect to the network output.

Mean squared error over all :math:`n \times d` entries (torch's ``reduction="mean"``):

.. math:: L = \frac{1}{n d} \sum_{k,j} (\hat y_{kj} - y_{kj})^2, \qquad
          \frac{\partial L}{\partial \hat y_{kj}} = \frac{2}{n d} (\hat y_{kj} - y_{kj}).

Softmax cross-entropy over :math:`n` samples with integer labels :math:`c_k`:

.. math:: L = \frac{1}{n} \sum_k \Big(\log \sum_j e^{a_{kj}} - a_{k c_k}\Big), \qquad
          \frac{\partial L}{\partial a_{kj}} = \frac{1}{n}\big(\mathrm{softmax}(a_k)_j - [j = c_k]\big).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models import _arguments as check

__all__ = ["Loss", "mse_loss", "softmax_cross_entropy", "LOSSES"]


@dataclass(frozen=True, repr=False)
class Loss:
    """A loss value and its gradient with respect to the prediction (same shape as it)."""

    value: float
    gradient: np.ndarray

    def __repr__(self) -> str:
        return f"Loss(value={self.value:.6g}, gradient shape={self.gradient.shape})"


def mse_loss(prediction, target) -> Loss:
    """Mean squared error and its gradient (see module docstring)."""
    prediction = check.finite_array("prediction", prediction)
    target = check.finite_array("target", target)
    if prediction.shape != target.shape:
        raise ValueError(f"target must have the shape of prediction {prediction.shape}, "
                         f"got {target.shape}")
    return _mse(prediction, target)


def _mse(prediction, target) -> Loss:
    diff = prediction - target
    return Loss(float(np.mean(diff * diff)), (2.0 / diff.size) * diff)


def softmax_cross_entropy(logits, labels) -> Loss:
    """Softmax cross-entropy of ``logits`` (n, k) against integer ``labels`` (n,) in [0, k)."""
    logits = check.finite_array("logits", logits, ndim=2)
    labels_arr = np.asarray(labels)
    if labels_arr.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got dtype {labels_arr.dtype}")
    if labels_arr.shape != (logits.shape[0],):
        raise ValueError(f"labels must have shape ({logits.shape[0]},), got {labels_arr.shape}")
    if labels_arr.size and (labels_arr.min() < 0 or labels_arr.max() >= logits.shape[1]):
        raise ValueError(f"labels must lie in [0, {logits.shape[1] - 1}], got values in "
                         f"[{labels_arr.min()}, {labels_arr.max()}]")
    return _cross_entropy(logits, labels_arr.astype(np.int64))


def _cross_entropy(logits, labels) -> Loss:
    n = logits.shape[0]
    rows = np.arange(n)
    top = logits.argmax(axis=1)
    shifted = logits - logits[rows, top][:, None]
    exp = np.exp(shifted)
    norm = exp.sum(axis=1, keepdims=True)
    # log(norm) = log1p(sum of the other terms): exact for a confident prediction, where
    # log(1 + tiny) would round to 0 and the logged loss would flatten at ~1e-16
    others = exp.sum(axis=1, where=np.arange(exp.shape[1]) != top[:, None])
    value = float(np.mean(np.log1p(others) - shifted[rows, labels]))
    grad = exp / norm
    grad[rows, labels] -= 1.0
    grad /= n
    return Loss(value, grad)


LOSSES = {"mse": _mse, "cross_entropy": _cross_entropy}
