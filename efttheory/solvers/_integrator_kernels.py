r"""Numba loops of the ODE integrators (private).

The drivers take the user's jitted right-hand side (or force) as an argument, so
Numba compiles one specialisation of each driver per right-hand side. Those
specialisations are deliberately *not* cached on disk: Numba keys the on-disk
cache of a function that receives a dispatcher on the dispatcher's per-session
identity, so a cached entry is never found again in a new interpreter and every
session would only append another copy to the cache directory. The parts that
do not depend on the right-hand side (norms, step-size control) are cached.

Every driver is plain Python when ``NUMBA_DISABLE_JIT=1``; the public wrappers
also run the uncompiled driver (``.py_func``) for plain Python callables.

Status codes returned by the drivers: ``0`` success, ``1`` step budget
exhausted, ``2`` step size underflow, ``3`` non-finite state.
"""

from __future__ import annotations

import numpy as np
from numba import njit

STATUS_OK = 0
STATUS_MAX_STEPS = 1
STATUS_STEP_UNDERFLOW = 2
STATUS_NOT_FINITE = 3

# Dormand & Prince (1980) RK5(4)7M tableau, "DOPRI5" in Hairer, Norsett & Wanner,
# Solving ODEs I (2nd ed.), Table II.5.2.
_C2, _C3, _C4, _C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
_A21 = 1.0 / 5.0
_A31, _A32 = 3.0 / 40.0, 9.0 / 40.0
_A41, _A42, _A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
_A51, _A52, _A53, _A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
_A61, _A62, _A63, _A64, _A65 = (
    9017.0 / 3168.0,
    -355.0 / 33.0,
    46732.0 / 5247.0,
    49.0 / 176.0,
    -5103.0 / 18656.0,
)
_B1, _B3, _B4, _B5, _B6 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
# difference between the 5th-order and the embedded 4th-order weights
_E1 = 71.0 / 57600.0
_E3 = -71.0 / 16695.0
_E4 = 71.0 / 1920.0
_E5 = -17253.0 / 339200.0
_E6 = 22.0 / 525.0
_E7 = -1.0 / 40.0

# PI step-size controller (Hairer, Norsett & Wanner, Sect. II.4, Eq. 4.13 and DOPRI5 defaults)
_SAFETY = 0.9
_BETA = 0.04
_EXPO1 = 0.2 - 0.75 * _BETA
_FAC_MIN = 0.2  # after an accepted step h_new >= 0.2 h
_FAC_MAX = 10.0  # ... and h_new <= 10 h


@njit(cache=True)
def rms_scaled(values, scale):
    """Root-mean-square of ``values / scale`` over flat arrays."""
    total = 0.0
    for i in range(values.shape[0]):
        q = values[i] / scale[i]
        total += q * q
    return np.sqrt(total / values.shape[0])


@njit(cache=True)
def all_finite(values):
    """True when every entry of the flat array is finite."""
    for i in range(values.shape[0]):
        if not np.isfinite(values[i]):
            return False
    return True


@njit(cache=True)
def pi_step_factor(err, err_old):
    """Factor ``h_new / h`` of the PI controller after an accepted step."""
    fac = err**_EXPO1 / err_old**_BETA / _SAFETY
    fac = min(1.0 / _FAC_MIN, max(1.0 / _FAC_MAX, fac))
    return 1.0 / fac


@njit(cache=True)
def reject_step_factor(err):
    """Factor ``h_new / h`` after a rejected step (always < 1)."""
    if not np.isfinite(err):
        return 0.1
    return 1.0 / min(1.0 / _FAC_MIN, err**_EXPO1 / _SAFETY)


@njit(cache=True)
def flat(values, size):
    """A 1-D contiguous view (or copy, for strided input) of ``values``."""
    return np.ascontiguousarray(values).reshape(size)


@njit
def rk4_integrate(rhs, y0, t_eval, n_sub, args):
    """Classical RK4 with ``n_sub[k]`` equal steps between ``t_eval[k]`` and ``t_eval[k+1]``.

    Returns ``(ys, n_saved)`` with ``ys`` of shape ``(len(t_eval), y0.size)``;
    ``n_saved < len(t_eval)`` means the state became non-finite. The arithmetic
    runs on flat views (fast to compile and no temporaries); ``rhs`` sees the
    state in ``y0``'s shape.
    """
    shape = y0.shape
    n_save = t_eval.shape[0]
    size = y0.size
    ys = np.empty((n_save, size))
    yf = y0.copy().reshape(size)
    stage = np.empty(size)
    acc = np.empty(size)  # k1 + 2 k2 + 2 k3, accumulated as each stage arrives
    y = yf.reshape(shape)
    ystage = stage.reshape(shape)
    ys[0, :] = yf
    for k in range(n_save - 1):
        t_start = t_eval[k]
        m = n_sub[k]
        h = (t_eval[k + 1] - t_start) / m
        half = 0.5 * h
        sixth = h / 6.0
        for j in range(m):
            t = t_start + j * h
            # each slope is consumed before the next call and read once per entry before the
            # stage entry is written: rhs may return its input or a reused buffer
            k1 = flat(rhs(t, y, args), size)
            for i in range(size):
                v = k1[i]
                acc[i] = v
                stage[i] = yf[i] + half * v
            k2 = flat(rhs(t + half, ystage, args), size)
            for i in range(size):
                v = k2[i]
                acc[i] += 2.0 * v
                stage[i] = yf[i] + half * v
            k3 = flat(rhs(t + half, ystage, args), size)
            for i in range(size):
                v = k3[i]
                acc[i] += 2.0 * v
                stage[i] = yf[i] + h * v
            k4 = flat(rhs(t + h, ystage, args), size)
            for i in range(size):
                yf[i] += sixth * (acc[i] + k4[i])
        if not all_finite(yf):
            return ys, k + 1
        ys[k + 1, :] = yf
    return ys, n_save


@njit
def verlet_integrate(force, x0, v0, inv_mass, t_eval, n_sub, args):
    """Velocity Verlet (kick-drift-kick) with ``n_sub[k]`` equal steps per save interval.

    Returns ``(xs, vs, n_saved)``, arrays of shape ``(len(t_eval), x0.size)``.
    """
    shape = x0.shape
    n_save = t_eval.shape[0]
    size = x0.size
    xs = np.empty((n_save, size))
    vs = np.empty((n_save, size))
    xf = x0.copy().reshape(size)
    vf = v0.copy().reshape(size)
    w = flat(inv_mass, size)
    x = xf.reshape(shape)
    xs[0, :] = xf
    vs[0, :] = vf
    f = flat(force(t_eval[0], x, args), size)
    for k in range(n_save - 1):
        t_start = t_eval[k]
        m = n_sub[k]
        h = (t_eval[k + 1] - t_start) / m
        half = 0.5 * h
        for j in range(m):
            t = t_start + j * h
            for i in range(size):
                vf[i] += half * w[i] * f[i]
                xf[i] += h * vf[i]
            f = flat(force(t + h, x, args), size)
            for i in range(size):
                vf[i] += half * w[i] * f[i]
        if not (all_finite(xf) and all_finite(vf)):
            return xs, vs, k + 1
        xs[k + 1, :] = xf
        vs[k + 1, :] = vf
    return xs, vs, n_save


@njit
def dopri_integrate(rhs, y0, t_eval, rtol, atol, first_step, max_steps, args):
    """Adaptive Dormand–Prince 5(4) with FSAL, PI control and step landing on ``t_eval``.

    ``atol`` is a flat array of ``y0.size`` entries; ``first_step <= 0`` selects
    the starting step automatically; ``max_steps`` bounds accepted + rejected steps.

    Returns ``(ys, n_saved, status, t, y, n_accepted, n_rejected, n_evals)``.
    """
    n_save = t_eval.shape[0]
    size = y0.size
    ys = np.empty((n_save, size))
    y = y0.copy()
    ys[0, :] = y.reshape(size)
    t = t_eval[0]
    # every slope is copied: rhs may return its input or a buffer it reuses, and the stages
    # below are all needed together
    f = rhs(t, y, args).copy()
    n_evals = 1
    if first_step > 0.0:
        h = first_step
    else:
        # starting step of Hairer, Norsett & Wanner, Sect. II.4 ("Starting step size");
        # inline so that the uncompiled loop can run a plain Python rhs
        t_span = t_eval[n_save - 1] - t
        scale = atol + rtol * np.abs(y.reshape(size))
        d0 = rms_scaled(y.reshape(size), scale)
        d1 = rms_scaled(f.reshape(size), scale)
        h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
        h0 = min(h0, t_span)
        f1 = rhs(t + h0, y + h0 * f, args).copy()
        n_evals += 1
        d2 = rms_scaled((f1 - f).reshape(size), scale) / h0
        big = max(d1, d2)
        if not np.isfinite(big):
            h = h0 * 1e-3
        elif big <= 1e-15:
            h = min(100.0 * h0, max(1e-6, h0 * 1e-3), t_span)
        else:
            h = min(100.0 * h0, (0.01 / big) ** 0.2, t_span)
    err_old = 1e-4
    n_acc = 0
    n_rej = 0
    k_save = 1
    status = STATUS_OK
    last_rejected = False
    eps = np.finfo(np.float64).eps
    while k_save < n_save:
        if n_acc + n_rej >= max_steps:
            status = STATUS_MAX_STEPS
            break
        t_target = t_eval[k_save]
        if h < 10.0 * eps * max(abs(t), abs(t_target)):
            status = STATUS_STEP_UNDERFLOW
            break
        land = t + h * (1.0 + 1e-12) >= t_target
        hs = t_target - t if land else h
        k1 = f
        k2 = rhs(t + _C2 * hs, y + hs * (_A21 * k1), args).copy()
        k3 = rhs(t + _C3 * hs, y + hs * (_A31 * k1 + _A32 * k2), args).copy()
        k4 = rhs(t + _C4 * hs, y + hs * (_A41 * k1 + _A42 * k2 + _A43 * k3), args).copy()
        k5 = rhs(t + _C5 * hs, y + hs * (_A51 * k1 + _A52 * k2 + _A53 * k3 + _A54 * k4), args).copy()
        k6 = rhs(
            t + hs, y + hs * (_A61 * k1 + _A62 * k2 + _A63 * k3 + _A64 * k4 + _A65 * k5), args
        ).copy()
        y_new = y + hs * (_B1 * k1 + _B3 * k3 + _B4 * k4 + _B5 * k5 + _B6 * k6)
        t_new = t_target if land else t + hs
        k7 = rhs(t_new, y_new, args).copy()
        n_evals += 6
        err_vec = (hs * (_E1 * k1 + _E3 * k3 + _E4 * k4 + _E5 * k5 + _E6 * k6 + _E7 * k7)).reshape(
            size
        )
        scale = atol + rtol * np.maximum(np.abs(y.reshape(size)), np.abs(y_new.reshape(size)))
        err = rms_scaled(err_vec, scale)
        if np.isfinite(err) and err <= 1.0 and all_finite(k7.reshape(size)):
            n_acc += 1
            t = t_new
            y = y_new
            f = k7
            h_new = hs * pi_step_factor(err, err_old)
            if last_rejected:
                h_new = min(h_new, hs)
            err_old = max(err, 1e-4)
            last_rejected = False
            if land:
                ys[k_save, :] = y.reshape(size)
                k_save += 1
                # a step shortened to land on a save time says little about the
                # step the solution allows, so do not let it shrink the proposal
                h = max(h, h_new) if hs < h else h_new
            else:
                h = h_new
        else:
            n_rej += 1
            h = hs * reject_step_factor(err)
            last_rejected = True
    return ys, k_save, status, t, y, n_acc, n_rej, n_evals
