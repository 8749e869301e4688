r"""Weight-norm complexity, the baseline the linear mapping number is compared with.

The :math:`L_2` norm of all trainable parameters,

.. math:: \|\theta\|_2 = \Big(\sum_{p} \sum_{a} \theta_{p,a}^2\Big)^{1/2},

is the usual complexity proxy in the weight-norm picture of grokking (Liu,
Michaud & Tegmark, *Omnigrok*, arXiv:2210.01117) [paper]. Liu, Zhong & Tegmark
(arXiv:2310.05918, section 4) argue that the linear mapping number tracks test
loss linearly while the :math:`L_2` norm does so "in a complicated nonlinear
way" [paper]. Taking the norm over *every* trainable array (embeddings, weights
and biases) is our convention [ours].
"""

from __future__ import annotations

import numpy as np

from efttheory._arguments import as_finite_array

__all__ = ["l2_norm"]


def l2_norm(parameters) -> float:
    r"""Euclidean norm :math:`\|\theta\|_2` of a collection of parameter arrays.

    Parameters
    ----------
    parameters : array_like or sequence of array_like
        One array, or a sequence of arrays of any shapes (embedding table,
        weight matrices, bias vectors ...), all finite.

    Returns
    -------
    float
        :math:`\sqrt{\sum_p \|\theta_p\|_F^2}`, computed with rescaling so that it
        neither overflows nor underflows.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.complexity import l2_norm
    >>> l2_norm([np.array([[3.0]]), np.array([4.0])])  # a 1x1 weight matrix and a bias: sqrt(9 + 16)
    5.0
    >>> round(l2_norm(np.full(2, 1e200)) / 1e200, 6)  # rescaled: a plain sum of squares would overflow
    1.414214
    """
    if isinstance(parameters, np.ndarray) or np.isscalar(parameters):
        arrays = [parameters]
    else:
        try:
            arrays = list(parameters)
        except TypeError as exc:
            raise TypeError(f"parameters must be an array or a sequence of arrays, got {parameters!r}") from exc
    if not arrays:
        raise ValueError("parameters must hold at least one array, got an empty sequence")
    flat = [as_finite_array(f"parameters[{k}]", a).ravel() for k, a in enumerate(arrays)]
    scale = max((float(np.max(np.abs(v))) for v in flat if v.size), default=0.0)
    if scale == 0.0:
        return 0.0
    return float(scale * np.sqrt(sum(float(np.dot(v / scale, v / scale)) for v in flat)))
