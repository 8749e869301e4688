r"""Numba kernels for the linear connectivity of MLP sub-networks.

Private module: :func:`efttheory.complexity.lmn.mlp_linear_mapping_number`
validates its arguments, flattens the layers and calls :func:`lc_mlp`. Every
kernel has a plain-NumPy twin in the test-suite and runs unchanged under
``NUMBA_DISABLE_JIT=1``: exponentials go through :func:`_exp`, which returns
``inf`` where plain Python's :func:`math.exp` would raise ``OverflowError``, so
both modes give the same values.

Streaming design [ours]: the first layer of the chain is affine, so the
pre-activations of the path :math:`x(\lambda) = x_i + \lambda (x_j - x_i)` are
:math:`z_i + \lambda (z_j - z_i)` with :math:`z = x W_1 + b_1` computed once for
all samples. Each thread then walks the :math:`T` points of one pair through
the remaining layers in two :math:`T \times d_{\max}` scratch buffers and
reduces them to one :math:`L_{ij}`; no (pairs x points x outputs) array is ever
formed. Besides :math:`L` and the scratch buffers, the kernel keeps the
pre-activations :math:`z` and their :math:`e^{-z}` (each :math:`N \times d_1`),
so memory is :math:`O(N^2 + N d_1 + T d_{\max})`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = ["ACTIVATION_CODES", "CONST_POLICY_CODES", "NONFINITE", "lc_mlp", "r2_mean"]

#: Activation name -> integer code understood by the kernels.
ACTIVATION_CODES = {"identity": 0, "relu": 1, "silu": 2, "tanh": 3}
#: Constant-coordinate policy -> integer code understood by the kernels.
CONST_POLICY_CODES = {"one": 0, "skip": 1, "nan": 2}

#: Pairs whose paths are pushed through the later layers in one matrix product.
PAIR_BLOCK = 16
#: Relative size below which a coordinate counts as constant along a path.
CONSTANT_RTOL = 1e-12
#: Coordinates with a larger peak |y| are rescaled by a power of two before the moments
#: are formed, so that squares and products cannot overflow (exact: r^2 is unchanged).
RESCALE_ABOVE = 2.0**256
#: Value :func:`r2_mean` returns for a path with a NaN or infinite output (a valid
#: mean r^2 is never negative).
NONFINITE = -1.0
#: Largest float64 ``x`` whose ``exp(x)`` is finite; above it the exponential overflows.
EXP_MAX_ARG = 709.782712893384


@njit(cache=True)
def _exp(x):
    """``math.exp(x)``, with ``inf`` above :data:`EXP_MAX_ARG` instead of an overflow.

    Compiled, :func:`math.exp` already returns ``inf`` there, so the value is the
    same; in plain Python (``NUMBA_DISABLE_JIT=1``) it would raise ``OverflowError``.
    NaN propagates.
    """
    if x > EXP_MAX_ARG:
        return math.inf
    return math.exp(x)


@njit(cache=True)
def _activate(a, rows, cols, code):
    """Apply activation ``code`` in place to ``a[:rows, :cols]``."""
    if code == 0:
        return
    for t in range(rows):
        for k in range(cols):
            z = a[t, k]
            if code == 1:
                a[t, k] = z if z > 0.0 else 0.0
            elif code == 2:
                a[t, k] = z / (1.0 + _exp(-z))  # -0.0 once e^{-z} overflows, as in NumPy
            else:
                a[t, k] = math.tanh(z)


@njit(cache=True)
def _rescaled_moments(y, k, lam_c, s_ly, s_yy, peak):
    """Moments of column ``k`` of ``y`` divided by ``2**e`` with ``max|y_k| = m 2**e``,
    ``0.5 <= m < 1``; writes ``s_ly[k]``, ``s_yy[k]``, ``peak[k]`` in those units and
    returns the unit ``2**-e`` (so the threshold 1e-12 (1 + peak) reads 1e-12 (unit + peak)),
    or -1.0 if the column holds a NaN or infinite value."""
    n_t = lam_c.shape[0]
    top = 0.0
    for t in range(n_t):
        v = y[t, k]
        if not math.isfinite(v):
            return -1.0
        if abs(v) > top:
            top = abs(v)
    unit = math.ldexp(1.0, -math.frexp(top)[1])
    centre = 0.0
    for t in range(n_t):
        centre += y[t, k] * unit
    centre /= n_t
    a = 0.0
    b = 0.0
    for t in range(n_t):
        yc = y[t, k] * unit - centre
        a += lam_c[t] * yc
        b += yc * yc
    s_ly[k] = a
    s_yy[k] = b
    peak[k] = top * unit
    return unit


@njit(cache=True)
def r2_mean(y, lam_c, sum_lc2, policy, mean, s_ly, s_yy, peak):
    r"""Mean over output coordinates of :math:`r^2(y_k, \lambda)` for one path.

    Parameters
    ----------
    y : ndarray, shape (T, d)
        Outputs along the path (only the first ``d = mean.size`` columns are read).
    lam_c : ndarray, shape (T,)
        Centred interpolation parameters :math:`\lambda - \bar\lambda`.
    sum_lc2 : float
        :math:`\sum_t \lambda_{c,t}^2`.
    policy : int
        Constant-coordinate policy code (0 ``one``, 1 ``skip``, 2 ``nan``).
    mean, s_ly, s_yy, peak : ndarray, shape (d,)
        Scratch buffers.

    Returns
    -------
    float
        The mean :math:`r^2` in [0, 1], NaN (policy ``nan`` and a constant coordinate),
        or :data:`NONFINITE` when an output along the path is NaN or infinite.
        A coordinate with peak :math:`|y| >` :data:`RESCALE_ABOVE` (or overflowing
        moments) is recomputed divided by a power of two, which is exact.
    """
    n_t = lam_c.shape[0]
    d = mean.shape[0]
    for k in range(d):
        mean[k] = 0.0
        s_ly[k] = 0.0
        s_yy[k] = 0.0
        peak[k] = 0.0
    for t in range(n_t):
        for k in range(d):
            mean[k] += y[t, k]
    for k in range(d):
        mean[k] /= n_t
    for t in range(n_t):
        lc = lam_c[t]
        for k in range(d):
            v = y[t, k]
            yc = v - mean[k]
            s_ly[k] += lc * yc
            s_yy[k] += yc * yc
            av = abs(v)
            if av > peak[k]:
                peak[k] = av
    # mean[] is free again: it now holds the unit of each coordinate (1, or the power
    # of two a huge coordinate was divided by), so the threshold stays 1e-12 (1 + peak).
    for k in range(d):
        mean[k] = 1.0
        if peak[k] > RESCALE_ABOVE or not math.isfinite(s_yy[k]):
            mean[k] = _rescaled_moments(y, k, lam_c, s_ly, s_yy, peak)
            if mean[k] < 0.0:
                return NONFINITE
    total = 0.0
    count = 0
    for k in range(d):
        thr = CONSTANT_RTOL * (mean[k] + peak[k])
        if s_yy[k] / n_t <= thr * thr:
            if policy == 0:
                total += 1.0
                count += 1
            elif policy == 2:
                return np.nan
        else:
            total += s_ly[k] * s_ly[k] / (sum_lc2 * s_yy[k])
            count += 1
    if count == 0:
        return 1.0
    return total / count


@njit(cache=True)
def _first_layer_path(z0, e0, i, j, lam, code, out, base, dz, e, ratio):
    r"""Activated first-layer values along the path from sample ``i`` to ``j``.

    The pre-activation is :math:`z_i + \lambda_t (z_j - z_i)`. For SiLU on the
    equally spaced grid :math:`\lambda_t = t h` the factor :math:`e^{-z}` obeys
    :math:`e_{t+1} = e_t\, e^{-h (z_j - z_i)}`, so one exponential per neuron and
    pair replaces :math:`T` of them; it is used while :math:`|z_i|, |z_j| \le 700`,
    where every :math:`e_t` is finite, and the direct formula otherwise [ours]. When
    :math:`z_j - z_i` overflows (pre-activations near the float64 limit) the points
    are formed as :math:`(1 - \lambda_t) z_i + \lambda_t z_j` instead.
    Rows ``base .. base + T - 1`` of ``out`` are written; ``dz``, ``e``, ``ratio``
    are scratch buffers of length :math:`d_1`.
    """
    n_t = lam.shape[0]
    d1 = z0.shape[1]
    h = lam[1] - lam[0]
    zi = z0[i]
    safe = True
    wide = False
    for k in range(d1):
        dz[k] = z0[j, k] - zi[k]
        if abs(zi[k]) > 700.0 or abs(z0[j, k]) > 700.0:
            safe = False
            if not math.isfinite(dz[k]):
                wide = True
    if wide:  # z_j - z_i overflowed: interpolate as (1 - lambda) z_i + lambda z_j instead
        for t in range(n_t):
            lt = lam[t]
            row = out[base + t]
            for k in range(d1):
                row[k] = (1.0 - lt) * zi[k] + lt * z0[j, k]
        if code != 0:
            _activate(out[base:base + n_t], n_t, d1, code)
        return
    if code == 2 and safe:
        for k in range(d1):
            e[k] = e0[i, k]
            ratio[k] = _exp(-h * dz[k])
        for t in range(n_t):
            lt = lam[t]
            row = out[base + t]
            for k in range(d1):
                row[k] = (zi[k] + lt * dz[k]) / (1.0 + e[k])
                e[k] *= ratio[k]
        return
    for t in range(n_t):
        lt = lam[t]
        row = out[base + t]
        for k in range(d1):
            row[k] = zi[k] + lt * dz[k]
    if code != 0:
        _activate(out[base:base + n_t], n_t, d1, code)


@njit(cache=True)
def _block_connectivity(z0, e0, i, j0, n_pairs, layers_w, layers_b, act_codes, lam, lam_c, sum_lc2,
                        policy, first, dz, e, ratio, mean, s_ly, s_yy, peak, values):
    """``values[m] = L[i, j0 + m]`` for ``m < n_pairs``: the paths of a block of pairs are
    stacked into one (n_pairs * T, d) array so each later layer is a single matrix product."""
    n_t = lam.shape[0]
    for m in range(n_pairs):
        _first_layer_path(z0, e0, i, j0 + m, lam, act_codes[0], first, m * n_t, dz, e, ratio)
    src = first[:n_pairs * n_t]
    for layer in range(1, act_codes.shape[0]):
        b = layers_b[layer]
        dst = np.dot(src, layers_w[layer])
        for t in range(dst.shape[0]):
            for k in range(dst.shape[1]):
                dst[t, k] += b[k]
        _activate(dst, dst.shape[0], dst.shape[1], act_codes[layer])
        src = dst
    for m in range(n_pairs):
        values[m] = r2_mean(src[m * n_t:(m + 1) * n_t], lam_c, sum_lc2, policy, mean, s_ly, s_yy, peak)


@njit(cache=True, parallel=True)
def lc_mlp(h0, w_flat, b_flat, w_off, b_off, sizes, act_codes, lam, policy):
    r"""Linear connectivity matrix of the chain ``h0 -> (W_l, b_l, act_l)_l``.

    Parameters
    ----------
    h0 : ndarray, shape (N, sizes[0])
        Samples in the analysed input space.
    w_flat, b_flat : ndarray
        All weight matrices (each (fan_in, fan_out), C order) and biases, concatenated.
    w_off, b_off : ndarray of int64, shape (n_layers,)
        Start of each layer in ``w_flat`` / ``b_flat``.
    sizes : ndarray of int64, shape (n_layers + 1,)
        Layer widths ``(d_0, d_1, ..., d_out)``.
    act_codes : ndarray of int64, shape (n_layers,)
        Activation after each affine map (see :data:`ACTIVATION_CODES`).
    lam : ndarray, shape (T,)
        Equally spaced interpolation parameters starting at 0 (``T >= 2``).
    policy : int
        Constant-coordinate policy code (see :data:`CONST_POLICY_CODES`).

    Returns
    -------
    ndarray, shape (N, N)
        :math:`L_{ij} = \frac{1}{d_{\rm out}} \sum_k r^2(y_k^{(i,j)}, \lambda)`, unit diagonal;
        :data:`NONFINITE` where a path met a NaN or infinite activation (the caller raises).
    """
    n = h0.shape[0]
    n_layers = act_codes.shape[0]
    n_t = lam.shape[0]
    d_out = sizes[n_layers]
    layers_w = []
    layers_b = []
    for layer in range(n_layers):
        d_in = sizes[layer]
        d_next = sizes[layer + 1]
        wo = w_off[layer]
        bo = b_off[layer]
        layers_w.append(np.ascontiguousarray(w_flat[wo:wo + d_in * d_next].reshape((d_in, d_next))))
        layers_b.append(b_flat[bo:bo + d_next].copy())
    z0 = np.dot(h0, layers_w[0])
    for i in range(n):
        for k in range(z0.shape[1]):
            z0[i, k] += layers_b[0][k]
    e0 = np.empty_like(z0)
    for i in range(n):
        for k in range(z0.shape[1]):
            e0[i, k] = math.exp(-min(max(z0[i, k], -700.0), 700.0))
    lam_c = lam - lam.mean()
    sum_lc2 = 0.0
    for t in range(n_t):
        sum_lc2 += lam_c[t] * lam_c[t]
    out = np.empty((n, n))
    # Row i has n - 1 - i pairs; handling rows q and n - 1 - q together gives every
    # parallel task the same n - 1 pairs.
    n_tasks = (n + 1) // 2
    for q in prange(n_tasks):
        first = np.empty((PAIR_BLOCK * n_t, z0.shape[1]))
        values = np.empty(PAIR_BLOCK)
        dz = np.empty(z0.shape[1])
        e = np.empty(z0.shape[1])
        ratio = np.empty(z0.shape[1])
        mean = np.empty(d_out)
        s_ly = np.empty(d_out)
        s_yy = np.empty(d_out)
        peak = np.empty(d_out)
        for side in range(2):
            i = q + side * (n - 1 - 2 * q)
            if side == 1 and i == q:
                continue
            out[i, i] = 1.0
            for j0 in range(i + 1, n, PAIR_BLOCK):
                n_pairs = min(PAIR_BLOCK, n - j0)
                _block_connectivity(z0, e0, i, j0, n_pairs, layers_w, layers_b, act_codes, lam,
                                    lam_c, sum_lc2, policy, first, dz, e, ratio, mean, s_ly, s_yy,
                                    peak, values)
                for m in range(n_pairs):
                    out[i, j0 + m] = values[m]
                    out[j0 + m, i] = values[m]
    return out
