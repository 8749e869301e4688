r"""Numba kernels of the Chinchilla fitter: Huber objectives in log space and a dense BFGS.

Private module: :mod:`efttheory.scaling.chinchilla` validates its arguments and calls
these kernels on contiguous float64 arrays. Every kernel has a plain-NumPy twin in the
test-suite.

Parameter vector (log form) ``theta = (a, b, e, alpha, beta[, s])`` with
:math:`A = e^a`, :math:`B = e^b`, :math:`E = e^e` and, for the Huber likelihood,
:math:`\sigma = e^s`. Residual of point :math:`j`:

.. math:: r_j = \mathrm{LSE}(a - \alpha \log N_j,\; b - \beta \log D_j,\; e) - \log L_j .

Objective codes: 0 = Huber sum, 1 = Huber mean, 2 = Huber negative log-likelihood.
BFGS status codes: 0 = converged (gradient test), 1 = stalled (no acceptable step while
the objective has stopped decreasing), 2 = iteration budget exhausted, 3 = no acceptable
step while the objective was still decreasing (relative change above 1e-6).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = [
    "HUBER_SUM",
    "HUBER_MEAN",
    "HUBER_NLL",
    "objective_and_gradient",
    "bfgs",
    "multistart",
    "bootstrap_fits",
]

HUBER_SUM = 0
HUBER_MEAN = 1
HUBER_NLL = 2

CONVERGED = 0
STALLED = 1
MAXITER = 2
LINE_SEARCH_FAILED = 3

_STALL_RTOL = 1e-12
_FAILED_RTOL = 1e-6


@njit(cache=True)
def objective_and_gradient(theta, log_n, log_d, log_l, weights, delta, kind, log_z, grad):
    """Objective value; writes the gradient into ``grad`` (same length as ``theta``).

    ``weights`` are per-point multiplicities (1 for an ordinary fit, bootstrap counts
    for a resample), so a resample never copies the data.
    """
    a = theta[0]
    b = theta[1]
    e = theta[2]
    alpha = theta[3]
    beta = theta[4]
    inv_sigma = 1.0
    s = 0.0
    if kind == HUBER_NLL:
        s = theta[5]
        inv_sigma = math.exp(-s)
    for k in range(grad.shape[0]):
        grad[k] = 0.0
    total = 0.0
    count = 0.0
    for j in range(log_n.shape[0]):
        w = weights[j]
        if w == 0.0:
            continue
        t1 = a - alpha * log_n[j]
        t2 = b - beta * log_d[j]
        t3 = e
        m = max(t1, max(t2, t3))
        x1 = math.exp(t1 - m)
        x2 = math.exp(t2 - m)
        x3 = math.exp(t3 - m)
        z = x1 + x2 + x3
        r = m + math.log(z) - log_l[j]
        p1 = x1 / z
        p2 = x2 / z
        p3 = x3 / z
        u = r * inv_sigma
        if abs(u) <= delta:
            h = 0.5 * u * u
            psi = u
        else:
            h = delta * (abs(u) - 0.5 * delta)
            psi = delta if u > 0.0 else -delta
        total += w * h
        count += w
        g = w * psi * inv_sigma
        grad[0] += g * p1
        grad[1] += g * p2
        grad[2] += g * p3
        grad[3] -= g * p1 * log_n[j]
        grad[4] -= g * p2 * log_d[j]
        if kind == HUBER_NLL:
            grad[5] -= w * psi * u
    if kind == HUBER_MEAN:
        for k in range(grad.shape[0]):
            grad[k] /= count
        return total / count
    if kind == HUBER_NLL:
        grad[5] += count
        return total + count * (log_z + s)
    return total


@njit(cache=True)
def _masked_value(theta, free, log_n, log_d, log_l, weights, delta, kind, log_z, grad):
    f = objective_and_gradient(theta, log_n, log_d, log_l, weights, delta, kind, log_z, grad)
    for k in range(grad.shape[0]):
        if not free[k]:
            grad[k] = 0.0
    return f


@njit(cache=True)
def _cubic_min(a, fa, ga, b, fb, gb):
    """Minimiser of the cubic interpolating (f, f') at a and b, or NaN when it has none."""
    if a == b:
        return np.nan
    d1 = ga + gb - 3.0 * (fa - fb) / (a - b)
    disc = d1 * d1 - ga * gb
    if disc < 0.0:
        return np.nan
    d2 = math.sqrt(disc)
    if b < a:
        d2 = -d2
    denom = gb - ga + 2.0 * d2
    if denom == 0.0:
        return np.nan
    return b - (b - a) * (gb + d2 - d1) / denom


@njit(cache=True)
def _line_search(theta, f0, g0, direction, free, log_n, log_d, log_l, weights, delta, kind,
                 log_z, x_new, g_new):
    """Strong-Wolfe line search (Nocedal & Wright, Alg. 3.5/3.6, cubic interpolation).

    Returns (step, f_new, ok); ``x_new`` and ``g_new`` hold the accepted point.
    """
    c1 = 1e-4
    c2 = 0.9
    slope0 = 0.0
    for k in range(theta.shape[0]):
        slope0 += g0[k] * direction[k]
    if not slope0 < 0.0:
        return 0.0, f0, False
    n = theta.shape[0]
    a_prev = 0.0
    f_prev = f0
    s_prev = slope0
    a_cur = 1.0
    a_lo = 0.0
    f_lo = f0
    s_lo = slope0
    a_hi = 0.0
    f_hi = f0
    s_hi = slope0
    bracketed = False
    for it in range(40):
        for k in range(n):
            x_new[k] = theta[k] + a_cur * direction[k]
        f_cur = _masked_value(x_new, free, log_n, log_d, log_l, weights, delta, kind, log_z, g_new)
        s_cur = 0.0
        for k in range(n):
            s_cur += g_new[k] * direction[k]
        if not math.isfinite(f_cur) or f_cur > f0 + c1 * a_cur * slope0 or (it > 0 and f_cur >= f_prev):
            a_lo, f_lo, s_lo = a_prev, f_prev, s_prev
            a_hi, f_hi, s_hi = a_cur, f_cur, s_cur
            bracketed = True
            break
        if abs(s_cur) <= -c2 * slope0:
            return a_cur, f_cur, True
        if s_cur >= 0.0:
            a_lo, f_lo, s_lo = a_cur, f_cur, s_cur
            a_hi, f_hi, s_hi = a_prev, f_prev, s_prev
            bracketed = True
            break
        a_prev, f_prev, s_prev = a_cur, f_cur, s_cur
        a_cur = 2.0 * a_cur
    if not bracketed:
        return 0.0, f0, False
    # zoom
    for it in range(60):
        lo = min(a_lo, a_hi)
        hi = max(a_lo, a_hi)
        width = hi - lo
        a_try = np.nan
        if math.isfinite(f_hi):
            a_try = _cubic_min(a_lo, f_lo, s_lo, a_hi, f_hi, s_hi)
        if not (math.isfinite(a_try) and lo + 0.1 * width <= a_try <= hi - 0.1 * width):
            a_try = 0.5 * (a_lo + a_hi)
        if width <= 1e-16 * max(1.0, hi):
            break
        for k in range(n):
            x_new[k] = theta[k] + a_try * direction[k]
        f_try = _masked_value(x_new, free, log_n, log_d, log_l, weights, delta, kind, log_z, g_new)
        s_try = 0.0
        for k in range(n):
            s_try += g_new[k] * direction[k]
        if not math.isfinite(f_try) or f_try > f0 + c1 * a_try * slope0 or f_try >= f_lo:
            a_hi, f_hi, s_hi = a_try, f_try, s_try
        else:
            if abs(s_try) <= -c2 * slope0:
                return a_try, f_try, True
            if s_try * (a_hi - a_lo) >= 0.0:
                a_hi, f_hi, s_hi = a_lo, f_lo, s_lo
            a_lo, f_lo, s_lo = a_try, f_try, s_try
    # accept the best sufficient-decrease point found, if any
    if a_lo > 0.0 and f_lo < f0:
        for k in range(n):
            x_new[k] = theta[k] + a_lo * direction[k]
        f_lo = _masked_value(x_new, free, log_n, log_d, log_l, weights, delta, kind, log_z, g_new)
        return a_lo, f_lo, True
    return 0.0, f0, False


@njit(cache=True)
def bfgs(theta0, free, log_n, log_d, log_l, weights, delta, kind, log_z, gtol, maxiter):
    """Dense BFGS with a strong-Wolfe line search on the free coordinates.

    Returns (theta, f, grad, n_iter, status). Fixed coordinates keep their values: their
    gradient is zeroed, so the inverse-Hessian estimate never moves them. Status: CONVERGED
    (max |grad| <= gtol); STALLED (no acceptable step from a finite start, or from a later
    iterate once the objective had stopped falling, or five steps in a row below
    ``_STALL_RTOL``); MAXITER; LINE_SEARCH_FAILED (no acceptable step while the last step
    still lowered the objective by more than ``_FAILED_RTOL`` relative, or a non-finite start).
    """
    n = theta0.shape[0]
    theta = theta0.copy()
    grad = np.empty(n)
    f = _masked_value(theta, free, log_n, log_d, log_l, weights, delta, kind, log_z, grad)
    h = np.zeros((n, n))
    for k in range(n):
        if free[k]:
            h[k, k] = 1.0
    direction = np.empty(n)
    x_new = np.empty(n)
    g_new = np.empty(n)
    fresh = True
    last_rel = np.inf
    flat = 0
    for it in range(maxiter):
        gmax = 0.0
        for k in range(n):
            gmax = max(gmax, abs(grad[k]))
        if gmax <= gtol:
            return theta, f, grad, it, CONVERGED
        for i in range(n):
            acc = 0.0
            for j in range(n):
                acc -= h[i, j] * grad[j]
            direction[i] = acc
        step, f_new, ok = _line_search(theta, f, grad, direction, free, log_n, log_d, log_l,
                                       weights, delta, kind, log_z, x_new, g_new)
        if not ok:
            if not fresh:  # restart from the scaled identity once
                for i in range(n):
                    for j in range(n):
                        h[i, j] = 0.0
                    if free[i]:
                        h[i, i] = 1.0
                fresh = True
                continue
            if it == 0 and math.isfinite(f):
                # no acceptable step from the start itself: it is already optimal to double
                # precision (e.g. a previous optimum passed back as the start)
                return theta, f, grad, it, STALLED
            if last_rel > _FAILED_RTOL:  # the objective was still falling: a genuine failure
                return theta, f, grad, it, LINE_SEARCH_FAILED
            return theta, f, grad, it, STALLED
        s_vec = x_new - theta
        y_vec = g_new - grad
        sy = 0.0
        yy = 0.0
        for k in range(n):
            sy += s_vec[k] * y_vec[k]
            yy += y_vec[k] * y_vec[k]
        last_rel = abs(f - f_new) / max(abs(f_new), 1e-300)
        theta[:] = x_new
        grad[:] = g_new
        f = f_new
        if sy > 1e-300 and yy > 0.0:
            if fresh:
                scale = sy / yy
                for i in range(n):
                    for j in range(n):
                        h[i, j] *= scale
                fresh = False
            hy = h @ y_vec
            yhy = 0.0
            for k in range(n):
                yhy += y_vec[k] * hy[k]
            rho = 1.0 / sy
            coef = (1.0 + rho * yhy) * rho
            for i in range(n):
                for j in range(n):
                    h[i, j] += coef * s_vec[i] * s_vec[j] - rho * (hy[i] * s_vec[j] + s_vec[i] * hy[j])
        if last_rel < _STALL_RTOL:
            flat += 1
            if flat >= 5:  # the objective no longer moves at double precision
                return theta, f, grad, it + 1, STALLED
        else:
            flat = 0
    return theta, f, grad, maxiter, MAXITER


@njit(cache=True)
def multistart(starts, free, log_n, log_d, log_l, weights, delta, kind, log_z, gtol, maxiter):
    """BFGS from every row of ``starts``; returns per-start (theta, f, n_iter, status)."""
    m, n = starts.shape
    thetas = np.empty((m, n))
    values = np.empty(m)
    iters = np.empty(m, dtype=np.int64)
    statuses = np.empty(m, dtype=np.int64)
    for i in range(m):
        theta, f, grad, it, status = bfgs(starts[i], free, log_n, log_d, log_l, weights, delta,
                                          kind, log_z, gtol, maxiter)
        thetas[i] = theta
        values[i] = f if math.isfinite(f) else np.inf
        iters[i] = it
        statuses[i] = status
    return thetas, values, iters, statuses


@njit(cache=True)
def bootstrap_fits(theta0, free, log_n, log_d, log_l, counts, delta, kind, log_z, gtol, maxiter):
    """One BFGS refit per row of ``counts`` (bootstrap multiplicities of the points)."""
    m = counts.shape[0]
    n = theta0.shape[0]
    thetas = np.empty((m, n))
    values = np.empty(m)
    statuses = np.empty(m, dtype=np.int64)
    for i in range(m):
        theta, f, grad, it, status = bfgs(theta0, free, log_n, log_d, log_l, counts[i], delta,
                                          kind, log_z, gtol, maxiter)
        thetas[i] = theta
        values[i] = f
        statuses[i] = status
    return thetas, values, statuses


@njit(cache=True)
def objective_values(starts, log_n, log_d, log_l, weights, delta, kind, log_z):
    """Objective at every row of ``starts`` (no optimisation); non-finite values become inf."""
    m, n = starts.shape
    out = np.empty(m)
    grad = np.empty(n)
    for i in range(m):
        f = objective_and_gradient(starts[i], log_n, log_d, log_l, weights, delta, kind, log_z, grad)
        out[i] = f if math.isfinite(f) else np.inf
    return out
