"""Numba kernel of the sparse-MLP experiments: fused objective and gradients of one-hidden-layer nets.

Private module of :mod:`models.sparse_mlp`. Its plain-NumPy twin is
:func:`models.sparse_mlp.sparse_mlp_gradients`, compared in the tests.
"""

from __future__ import annotations

import math

import numpy as np

from numba import njit

__all__ = ["one_hidden_layer_gradients"]


@njit(cache=True)
def one_hidden_layer_gradients(x, y, w1, b1, w2, b2, alphas, task_weights, lam1, lam2,
                               g_w1, g_b1, g_w2, g_b2, mse):
    """Objective per replica and gradients of R one-hidden-layer SiLU nets, fused in one pass.

    Shapes: x (n, d), y (n, k), w1 (R, d, h), b1 (R, h), w2 (R, h, k), b2 (R, k),
    alphas (R,), task_weights (R, k). Gradients are written into ``g_*`` (same shapes as the
    parameters) and the per-output MSE into ``mse`` (R, k). Returns the objective (R,).
    """
    n, d_in = x.shape
    d_out = y.shape[1]
    n_rep, _, hidden = w1.shape
    value = np.zeros(n_rep)
    act = np.empty(hidden)
    der = np.empty(hidden)
    out = np.empty(d_out)
    delta = np.empty(d_out)
    for r in range(n_rep):
        g_w1[r] = 0.0
        g_b1[r] = 0.0
        g_w2[r] = 0.0
        g_b2[r] = 0.0
        mse[r] = 0.0
        for j in range(n):
            for k in range(d_out):
                out[k] = b2[r, k]
            for i in range(hidden):
                z = b1[r, i]
                for q in range(d_in):
                    z += x[j, q] * w1[r, q, i]
                zc = min(max(z, -708.0), 708.0)
                s = 1.0 / (1.0 + math.exp(-zc))
                a = z * s
                act[i] = a
                der[i] = s + a * (1.0 - s)
                for k in range(d_out):
                    out[k] += a * w2[r, i, k]
            for k in range(d_out):
                err = out[k] - y[j, k]
                mse[r, k] += err * err
                delta[k] = 2.0 * alphas[r] * task_weights[r, k] * err / n
                g_b2[r, k] += delta[k]
            for i in range(hidden):
                back = 0.0
                for k in range(d_out):
                    g_w2[r, i, k] += act[i] * delta[k]
                    back += delta[k] * w2[r, i, k]
                back *= der[i]
                g_b1[r, i] += back
                for q in range(d_in):
                    g_w1[r, q, i] += x[j, q] * back
        reg = 0.0
        for k in range(d_out):
            mse[r, k] /= n
            value[r] += alphas[r] * task_weights[r, k] * mse[r, k]
        for q in range(d_in):
            for i in range(hidden):
                wv = w1[r, q, i]
                reg += lam1 * abs(wv)
                if wv > 0.0:
                    g_w1[r, q, i] += lam1
                elif wv < 0.0:
                    g_w1[r, q, i] -= lam1
        for i in range(hidden):
            for k in range(d_out):
                wv = w2[r, i, k]
                reg += lam2 * abs(wv)
                if wv > 0.0:
                    g_w2[r, i, k] += lam2
                elif wv < 0.0:
                    g_w2[r, i, k] -= lam2
        value[r] += reg
    return value
