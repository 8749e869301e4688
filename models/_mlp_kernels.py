r"""Fully jitted training loop for small multilayer perceptrons.

For widths of a few to a few tens of neurons NumPy spends most of each step in
per-call overhead; this kernel runs every step (forward, hand-written backward,
optimizer update) inside one compiled loop over a flat parameter vector. Its
plain-NumPy twin is ``train_mlp(..., backend="numpy")`` in
:mod:`models.training`, which uses the same batches and formulas.

Parameter layout of ``theta``: for each layer :math:`l` the weight matrix
:math:`W_l` (fan_in x fan_out, row-major) followed by the bias :math:`b_l`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

RELU = 0
LEAKY_RELU = 1
SILU = 2
TANH = 3
IDENTITY = 4
ACTIVATION_CODES = {"relu": RELU, "leaky_relu": LEAKY_RELU, "silu": SILU, "tanh": TANH,
                    "identity": IDENTITY}
SGD = 0
ADAM = 1
LEAKY_SLOPE = 0.01


@njit(cache=True, error_model="numpy")
def activate(z, code):
    """(sigma(z), sigma'(z)) for one scalar; formulas as in :mod:`models.activations`."""
    if code == RELU:
        return (z, 1.0) if z > 0.0 else (0.0, 0.0)
    if code == LEAKY_RELU:
        return (z, 1.0) if z > 0.0 else (LEAKY_SLOPE * z, LEAKY_SLOPE)
    if code == SILU:
        zc = min(max(z, -708.0), 708.0)
        s = 1.0 / (1.0 + np.exp(-zc))
        a = z * s
        return a, s + a * (1.0 - s)
    if code == TANH:
        t = np.tanh(z)
        return t, 1.0 - t * t
    return z, 1.0


@njit(cache=True, error_model="numpy")
def train_mlp_kernel(x, y, theta, sizes, code, batches, opt_code, lr, momentum, beta1, beta2,
                     eps, weight_decay, record_every, history):
    r"""Train an MLP with MSE loss, in place on ``theta``.

    Parameters
    ----------
    x : ndarray, shape (n, d_in)
    y : ndarray, shape (n, d_out)
    theta : ndarray, shape (n_params,)
        Flat parameters (layout in the module docstring), updated in place.
    sizes : ndarray of int64, shape (L + 1,)
        Layer widths ``d_in, h_1, ..., d_out``.
    code : int
        Hidden activation code; the output layer is linear.
    batches : ndarray of int64, shape (n_steps, B)
        Row indices of the batch used at each step.
    opt_code : int
        ``SGD`` (with ``momentum``) or ``ADAM`` (``weight_decay`` > 0 gives AdamW).
    record_every : int
        Batch loss before step ``t`` stored in ``history[t // record_every]`` when
        ``t % record_every == 0``.

    Notes
    -----
    Backpropagation: :math:`\delta_L = \partial L / \partial z_L`,
    :math:`\partial L/\partial W_l = a_{l-1}^\top \delta_l`,
    :math:`\partial L/\partial b_l = \sum_k \delta_{l,k}`,
    :math:`\delta_{l-1} = (\delta_l W_l^\top) \odot \sigma'(z_{l-1})`.
    """
    n_layers = sizes.size - 1
    n_steps, batch = batches.shape
    d_out = sizes[n_layers]
    w_off = np.empty(n_layers, np.int64)
    b_off = np.empty(n_layers, np.int64)
    a_off = np.empty(n_layers + 1, np.int64)
    pos = 0
    apos = 0
    widest = 0
    for layer in range(n_layers):
        w_off[layer] = pos
        pos += sizes[layer] * sizes[layer + 1]
        b_off[layer] = pos
        pos += sizes[layer + 1]
    for layer in range(n_layers + 1):
        a_off[layer] = apos
        apos += batch * sizes[layer]
        widest = max(widest, sizes[layer])
    acts = np.empty(apos)
    ders = np.empty(apos)
    delta = np.empty(batch * widest)
    delta_prev = np.empty(batch * widest)
    grad = np.empty(theta.size)
    first = np.zeros(theta.size)
    second = np.zeros(theta.size)
    for t in range(n_steps):
        rows = batches[t]
        n_in = sizes[0]
        for k in range(batch):
            for i in range(n_in):
                acts[a_off[0] + k * n_in + i] = x[rows[k], i]
        for layer in range(n_layers):
            fan_in = sizes[layer]
            fan_out = sizes[layer + 1]
            last = layer == n_layers - 1
            wo = w_off[layer]
            bo = b_off[layer]
            for k in range(batch):
                out = a_off[layer + 1] + k * fan_out
                inp = a_off[layer] + k * fan_in
                for j in range(fan_out):
                    acts[out + j] = theta[bo + j]
                for i in range(fan_in):  # row i of W is contiguous: vectorisable over j
                    a_ki = acts[inp + i]
                    row = wo + i * fan_out
                    for j in range(fan_out):
                        acts[out + j] += a_ki * theta[row + j]
                if last:
                    for j in range(fan_out):
                        ders[out + j] = 1.0
                else:
                    for j in range(fan_out):
                        a, d = activate(acts[out + j], code)
                        acts[out + j] = a
                        ders[out + j] = d
        loss = 0.0
        scale = 2.0 / (batch * d_out)
        for k in range(batch):
            for j in range(d_out):
                diff = acts[a_off[n_layers] + k * d_out + j] - y[rows[k], j]
                loss += diff * diff
                delta[k * d_out + j] = scale * diff
        if record_every > 0 and t % record_every == 0:
            history[t // record_every] = loss / (batch * d_out)
        for layer in range(n_layers - 1, -1, -1):
            fan_in = sizes[layer]
            fan_out = sizes[layer + 1]
            wo = w_off[layer]
            bo = b_off[layer]
            for p in range(wo, bo + fan_out):
                grad[p] = 0.0
            for k in range(batch):
                inp = a_off[layer] + k * fan_in
                dk = k * fan_out
                for j in range(fan_out):
                    grad[bo + j] += delta[dk + j]
                for i in range(fan_in):
                    a_ki = acts[inp + i]
                    row = wo + i * fan_out
                    for j in range(fan_out):
                        grad[row + j] += a_ki * delta[dk + j]
            if layer > 0:
                for k in range(batch):
                    dk = k * fan_out
                    for i in range(fan_in):
                        row = wo + i * fan_out
                        s = 0.0
                        for j in range(fan_out):
                            s += delta[dk + j] * theta[row + j]
                        delta_prev[k * fan_in + i] = s * ders[a_off[layer] + k * fan_in + i]
                delta, delta_prev = delta_prev, delta
        step = t + 1
        if opt_code == SGD:
            for p in range(theta.size):
                g = grad[p]
                if momentum != 0.0:
                    if step == 1:
                        first[p] = g
                    else:
                        first[p] = first[p] * momentum + g
                    theta[p] -= lr * first[p]
                else:
                    theta[p] -= lr * g
        else:
            step_size = lr / (1.0 - beta1 ** float(step))
            root_bc2 = np.sqrt(1.0 - beta2 ** float(step))
            decay = 1.0 - lr * weight_decay
            for p in range(theta.size):
                g = grad[p]
                if decay != 1.0:
                    theta[p] *= decay
                first[p] = first[p] * beta1 + (1.0 - beta1) * g
                second[p] = second[p] * beta2 + (1.0 - beta2) * g * g
                theta[p] -= step_size * first[p] / (np.sqrt(second[p]) / root_bc2 + eps)
