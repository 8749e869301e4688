r"""Numba kernels for the batched 1 -> N -> 1 lottery-ticket trainer.

The network is :math:`f(x) = c + \sum_i v_i \sigma(w_i x + b_i)` trained by
full-batch Adam on the mean squared error. One call trains every seed; per seed
the loop runs over steps, training points and neurons with the forward and the
backward pass fused row by row (the residual of point :math:`p` only needs row
:math:`p`), so nothing of size (points, neurons) is ever allocated.

The exponential is evaluated by :func:`exp_into`, a branch-free range reduction
plus a degree-13 Taylor polynomial that LLVM vectorises (libm's scalar ``exp``
would dominate the run time). Its relative error is below 3e-16 on
[-708, 708]; arguments are clamped to that interval.

The plain-NumPy twin of :func:`train_mlp1d_kernel` is the ``backend="numpy"``
path of :func:`models.mlp.train_mlp1d`.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

SILU = 0
RELU = 1
LEAKY_RELU = 2
TANH = 3
ACTIVATION_CODES = {"silu": SILU, "relu": RELU, "leaky_relu": LEAKY_RELU, "tanh": TANH}
LEAKY_SLOPE = 0.01

_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # low 32 bits of the mantissa are zero
_LN2_LO = 1.90821492927058770002e-10
_SHIFTER = 6755399441055744.0  # 1.5 * 2**52: adding it rounds to an integer
_SHIFTER_BITS = np.int64(np.array(_SHIFTER).view(np.int64))
_EXP_CLAMP = 708.0


@njit(cache=True, error_model="numpy")
def exp_into(u, out, scratch):
    r"""Write :math:`e^{u_i}` into ``out`` (vectorisable; ``scratch`` has ``u``'s size).

    :math:`e^u = 2^k e^r` with :math:`k = \mathrm{round}(u/\ln 2)`,
    :math:`|r| \le \ln 2 / 2` (Cody-Waite split of :math:`\ln 2`), Taylor series of
    :math:`e^r` to order 13 (truncation error :math:`< 10^{-17}`), and the
    factor :math:`2^k` added to the exponent bits. [ours]
    """
    n = u.size
    for i in range(n):
        x = min(max(u[i], -_EXP_CLAMP), _EXP_CLAMP)
        shifted = x * _LOG2E + _SHIFTER
        scratch[i] = shifted
        k = shifted - _SHIFTER
        r = (x - k * _LN2_HI) - k * _LN2_LO
        p = 1.0 / 6227020800.0
        p = p * r + 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        p = p * r + 1.0
        out[i] = p
    out_bits = out.view(np.int64)
    k_bits = scratch.view(np.int64)
    for i in range(n):
        out_bits[i] += (k_bits[i] - _SHIFTER_BITS) << 52


@njit(cache=True, error_model="numpy")
def activation_row(z, act, der, scratch, code):
    r"""Fill ``act`` with :math:`\sigma(z)` and ``der`` with :math:`\sigma'(z)`.

    SiLU: :math:`s = 1/(1+e^{-z})`, :math:`\sigma = z s`,
    :math:`\sigma' = s + \sigma (1 - s)`; tanh: :math:`t = 1 - 2/(1 + e^{2z})`,
    :math:`\sigma' = 1 - t^2`; ReLU / leaky ReLU (slope 0.01) with
    :math:`\sigma'(0) = 0` / 0.01.
    """
    n = z.size
    if code == SILU:
        for i in range(n):
            act[i] = -z[i]
        exp_into(act, der, scratch)
        for i in range(n):
            s = 1.0 / (1.0 + der[i])
            a = z[i] * s
            act[i] = a
            der[i] = s + a * (1.0 - s)
    elif code == TANH:
        for i in range(n):
            act[i] = 2.0 * z[i]
        exp_into(act, der, scratch)
        for i in range(n):
            t = 1.0 - 2.0 / (1.0 + der[i])
            act[i] = t
            der[i] = 1.0 - t * t
    elif code == RELU:
        for i in range(n):
            zi = z[i]
            pos = zi > 0.0
            act[i] = zi if pos else 0.0
            der[i] = 1.0 if pos else 0.0
    else:
        for i in range(n):
            zi = z[i]
            pos = zi > 0.0
            act[i] = zi if pos else LEAKY_SLOPE * zi
            der[i] = 1.0 if pos else LEAKY_SLOPE


@njit(cache=True, error_model="numpy")
def _dot4(a, b):
    """Sum of a*b with four interleaved partial sums (fixed order, vectorisable)."""
    n = a.size
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    m = n - n % 4
    for i in range(0, m, 4):
        s0 += a[i] * b[i]
        s1 += a[i + 1] * b[i + 1]
        s2 += a[i + 2] * b[i + 2]
        s3 += a[i + 3] * b[i + 3]
    for i in range(m, n):
        s0 += a[i] * b[i]
    return (s0 + s1) + (s2 + s3)


@njit(cache=True, error_model="numpy")
def _adam_update(p, g, m, s, beta1, beta2, step_size, root_bc2, eps):
    """In-place Adam step on one parameter vector (torch's arrangement of the formula)."""
    for i in range(p.size):
        gi = g[i]
        mi = beta1 * m[i] + (1.0 - beta1) * gi
        si = beta2 * s[i] + (1.0 - beta2) * gi * gi
        m[i] = mi
        s[i] = si
        p[i] -= step_size * mi / (np.sqrt(si) / root_bc2 + eps)


@njit(cache=True, error_model="numpy")
def train_one_seed(x, y, ws, bs, vs, c, seed, lrs, stage_steps, code, beta1, beta2, eps,
                   record_every, history):
    r"""Train seed ``seed`` of a 1 -> N -> 1 network with full-batch Adam on the MSE.

    Parameters
    ----------
    x, y : ndarray, shape (P,)
        Training inputs and targets.
    ws, bs, vs : ndarray, shape (N,)
        This seed's initial parameters, overwritten with the trained ones.
    c : ndarray, shape (S,)
        Output biases of all seeds; entry ``seed`` is trained in place.
    seed : int
        Row of ``c`` and ``history`` that belongs to this network.
    lrs : ndarray, shape (K,)
        Learning rate of each schedule stage.
    stage_steps : ndarray of int64, shape (K,)
        Number of steps of each stage; the Adam moments and step counter carry over.
    code : int
        Activation code (``SILU``, ``RELU``, ``LEAKY_RELU``, ``TANH``).
    beta1, beta2, eps : float
        Adam constants.
    record_every : int
        The training MSE before step ``t`` is stored in ``history[seed, t // record_every]``
        whenever ``t % record_every == 0`` (0 disables recording).
    history : ndarray, shape (S, H)
        Output buffer for the recorded losses.

    Notes
    -----
    Loss :math:`L = P^{-1} \sum_p (f(x_p) - y_p)^2`, gradients
    :math:`\partial L/\partial v_i = \sum_p g_p \sigma(z_{pi})`,
    :math:`\partial L/\partial b_i = \sum_p g_p v_i \sigma'(z_{pi})`,
    :math:`\partial L/\partial w_i = \sum_p g_p v_i \sigma'(z_{pi}) x_p`,
    :math:`\partial L/\partial c = \sum_p g_p` with :math:`g_p = 2 (f(x_p) - y_p)/P`.
    """
    width = ws.size
    n_points = x.size
    z = np.empty(width)
    act = np.empty(width)
    der = np.empty(width)
    scratch = np.empty(width)
    gw = np.empty(width)
    gb = np.empty(width)
    gv = np.empty(width)
    mw = np.zeros(width)
    sw = np.zeros(width)
    mb = np.zeros(width)
    sb = np.zeros(width)
    mv = np.zeros(width)
    sv = np.zeros(width)
    scale = 2.0 / n_points
    cs = c[seed]
    mc = 0.0
    sc = 0.0
    beta1_t = 1.0
    beta2_t = 1.0
    t = 0
    for stage in range(lrs.size):
        lr = lrs[stage]
        for _ in range(stage_steps[stage]):
            gw[:] = 0.0
            gb[:] = 0.0
            gv[:] = 0.0
            gc = 0.0
            loss = 0.0
            for p in range(n_points):
                xp = x[p]
                for i in range(width):
                    z[i] = ws[i] * xp + bs[i]
                activation_row(z, act, der, scratch, code)
                residual = cs + _dot4(vs, act) - y[p]
                loss += residual * residual
                g = scale * residual
                gc += g
                # two loops: LLVM gives up vectorising a loop that needs too many
                # runtime alias checks between its arrays
                for i in range(width):
                    gv[i] += g * act[i]
                for i in range(width):
                    q = g * vs[i] * der[i]
                    gb[i] += q
                    gw[i] += q * xp
            if record_every > 0 and t % record_every == 0:
                history[seed, t // record_every] = loss / n_points
            t += 1
            beta1_t *= beta1
            beta2_t *= beta2
            step_size = lr / (1.0 - beta1_t)
            root_bc2 = np.sqrt(1.0 - beta2_t)
            _adam_update(ws, gw, mw, sw, beta1, beta2, step_size, root_bc2, eps)
            _adam_update(bs, gb, mb, sb, beta1, beta2, step_size, root_bc2, eps)
            _adam_update(vs, gv, mv, sv, beta1, beta2, step_size, root_bc2, eps)
            mc = beta1 * mc + (1.0 - beta1) * gc
            sc = beta2 * sc + (1.0 - beta2) * gc * gc
            cs -= step_size * mc / (np.sqrt(sc) / root_bc2 + eps)
    c[seed] = cs


@njit(cache=True, error_model="numpy")
def train_mlp1d_kernel(x, y, w, b, v, c, lrs, stage_steps, code, beta1, beta2, eps,
                       record_every, history):
    """Train every seed (rows of ``w, b, v``; entries of ``c``) one after the other, in place.

    Arguments as in :func:`train_one_seed`, with ``w, b, v`` of shape (S, N).
    """
    for seed in range(w.shape[0]):
        train_one_seed(x, y, w[seed], b[seed], v[seed], c, seed, lrs, stage_steps, code,
                       beta1, beta2, eps, record_every, history)


@njit(cache=True, error_model="numpy", parallel=True)
def train_mlp1d_kernel_parallel(x, y, w, b, v, c, lrs, stage_steps, code, beta1, beta2, eps,
                                record_every, history):
    """As :func:`train_mlp1d_kernel` with the seeds spread over Numba threads.

    Each seed is trained by the same serial code on its own buffers, so the
    result does not depend on the number of threads.
    """
    for seed in prange(w.shape[0]):
        train_one_seed(x, y, w[seed], b[seed], v[seed], c, seed, lrs, stage_steps, code,
                       beta1, beta2, eps, record_every, history)
