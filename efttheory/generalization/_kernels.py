r"""Numba kernels of the GenEFT theory (private).

The public functions in :mod:`efttheory.generalization.statics`,
:mod:`~efttheory.generalization.closure`, :mod:`~efttheory.generalization.repons`
and :mod:`~efttheory.generalization.many_repons` validate their arguments and
call these kernels on contiguous float64 / bool / int64 arrays. Every kernel has
a plain-NumPy twin in the test-suite.

Reduced repon system (spec §2.4, §2.6), with coupling :math:`\kappa` (2 for two
repons, :math:`N/(N+1)` for a lone repon against a cluster of N):

.. math:: \dot a = -\kappa\,\eta_A\,c^2 a,\qquad \dot c = -\eta_x\,a^2 c .
"""

from __future__ import annotations

import numpy as np
from numba import njit

from efttheory.solvers._pairwise_kernels import HARMONIC, pairwise_forces_kernel

__all__ = [
    "closure_fixed_point",
    "distinct_counts",
    "many_repon_rhs",
    "many_repon_rk4",
    "reduced_rk4_fixed",
    "reduced_rk4_rate",
]


# ---------------------------------------------------------------------------------------------
# statics: balls in buckets, closure of sampled pairs
# ---------------------------------------------------------------------------------------------


@njit(cache=True)
def distinct_counts(draws, n_buckets):
    """``out[t, m]`` = number of distinct buckets among the first ``m + 1`` draws of trial ``t``."""
    n_trials, m_max = draws.shape
    out = np.empty((n_trials, m_max), dtype=np.int64)
    seen = np.zeros(n_buckets, dtype=np.bool_)
    for t in range(n_trials):
        seen[:] = False
        count = 0
        for m in range(m_max):
            k = draws[t, m]
            if not seen[k]:
                seen[k] = True
                count += 1
            out[t, m] = count
    return out


@njit(cache=True)
def closure_fixed_point(positive, negative, reflexive, symmetric, transitive):
    """Close known related / unrelated pairs under the relation's axioms, in place.

    ``positive[x, y]`` (``negative[x, y]``) marks pairs known to be related
    (unrelated). Rules: reflexivity marks the diagonal related; symmetry mirrors
    both sets; transitivity adds ``R(x,z), R(z,y) => R(x,y)`` and its two
    contrapositives ``not R(x,y), R(x,z) => not R(z,y)`` and
    ``not R(x,y), R(z,y) => not R(x,z)``. A symmetric and transitive relation also
    has ``R(x,y) => R(x,x)`` (through ``R(y,x)``), whose contrapositive
    ``not R(x,x) => not R(x,y), not R(y,x)`` for every ``y`` the rules above miss
    when the relation is not reflexive. Iterates until nothing changes; returns the
    number of sweeps.
    """
    n = positive.shape[0]
    if reflexive:
        for i in range(n):
            positive[i, i] = True
    sweeps = 0
    changed = True
    while changed:
        changed = False
        sweeps += 1
        if symmetric:
            for i in range(n):
                for j in range(n):
                    if positive[i, j] and not positive[j, i]:
                        positive[j, i] = True
                        changed = True
                    if negative[i, j] and not negative[j, i]:
                        negative[j, i] = True
                        changed = True
        if symmetric and transitive:
            for x in range(n):
                if negative[x, x]:
                    for y in range(n):
                        if not negative[x, y]:
                            negative[x, y] = True
                            changed = True
                        if not negative[y, x]:
                            negative[y, x] = True
                            changed = True
        if transitive:
            for x in range(n):
                for z in range(n):
                    if not positive[x, z]:
                        continue
                    for y in range(n):
                        # R(x,z), R(z,y) => R(x,y)
                        if positive[z, y] and not positive[x, y]:
                            positive[x, y] = True
                            changed = True
                        # not R(x,y), R(x,z) => not R(z,y)
                        if negative[x, y] and not negative[z, y]:
                            negative[z, y] = True
                            changed = True
            for z in range(n):
                for y in range(n):
                    if not positive[z, y]:
                        continue
                    for x in range(n):
                        # not R(x,y), R(z,y) => not R(x,z)
                        if negative[x, y] and not negative[x, z]:
                            negative[x, z] = True
                            changed = True
    return sweeps


# ---------------------------------------------------------------------------------------------
# reduced repon system: batched RK4
# ---------------------------------------------------------------------------------------------


@njit(cache=True)
def _reduced_rhs(a, c, kappa_eta_a, eta_x):
    return -kappa_eta_a * c * c * a, -eta_x * a * a * c


@njit(cache=True)
def _reduced_step(a, c, kappa_eta_a, eta_x, dt):
    k1a, k1c = _reduced_rhs(a, c, kappa_eta_a, eta_x)
    h = 0.5 * dt
    k2a, k2c = _reduced_rhs(a + h * k1a, c + h * k1c, kappa_eta_a, eta_x)
    k3a, k3c = _reduced_rhs(a + h * k2a, c + h * k2c, kappa_eta_a, eta_x)
    k4a, k4c = _reduced_rhs(a + dt * k3a, c + dt * k3c, kappa_eta_a, eta_x)
    s = dt / 6.0
    return (a + s * (k1a + 2.0 * k2a + 2.0 * k3a + k4a),
            c + s * (k1c + 2.0 * k2c + 2.0 * k3c + k4c))


@njit(cache=True)
def reduced_rk4_fixed(a0, c0, kappa_eta_a, eta_x, t_out, dt):
    """Fixed-step RK4 for a batch of reduced systems, recorded at the times ``t_out``.

    ``a0, c0, kappa_eta_a, eta_x`` have shape (S,); ``t_out`` is increasing, >= 0.
    Returns ``(a, c)`` of shape (len(t_out), S). Each output time is reached
    exactly: each interval between output times is cut into
    ``max(1, ceil(span / dt - 1e-9))`` equal steps (none longer than ``dt``, up to
    the 1e-9 rounding allowance). The caller bounds the step count.
    """
    n = a0.shape[0]
    n_out = t_out.shape[0]
    a_out = np.empty((n_out, n))
    c_out = np.empty((n_out, n))
    for s in range(n):
        a = a0[s]
        c = c0[s]
        t = 0.0
        for k in range(n_out):
            span = t_out[k] - t
            if span > 0.0:
                # at least one step: an interval far shorter than dt is one short step
                n_steps = max(1, int(np.ceil(span / dt - 1e-9)))
                h = span / n_steps
                for _ in range(n_steps):
                    a, c = _reduced_step(a, c, kappa_eta_a[s], eta_x[s], h)
                t = t_out[k]
            a_out[k, s] = a
            c_out[k, s] = c
    return a_out, c_out


@njit(cache=True)
def reduced_rk4_rate(a0, c0, kappa_eta_a, eta_x, t_end, h, max_steps):
    """Rate-limited RK4: step ``h / lambda`` with ``lambda = kappa eta_A c^2 + eta_x a^2``.

    The rate never grows along a trajectory (|a| and |c| never increase), so the
    step is safe. Returns ``(a, c, steps)`` at ``t_end`` for each sample; a
    sample that needs more than ``max_steps`` stops there and reports
    ``steps = -1``.
    """
    n = a0.shape[0]
    a_end = np.empty(n)
    c_end = np.empty(n)
    steps = np.empty(n, dtype=np.int64)
    for s in range(n):
        a = a0[s]
        c = c0[s]
        ka = kappa_eta_a[s]
        ex = eta_x[s]
        t = 0.0
        k = 0
        while t < t_end and k < max_steps:
            rate = ka * c * c + ex * a * a
            dt = t_end - t
            if rate > 0.0 and h / rate < dt:
                dt = h / rate
            a, c = _reduced_step(a, c, ka, ex, dt)
            t += dt
            k += 1
        a_end[s] = a
        c_end[s] = c
        steps[s] = k if t >= t_end else -1
    return a_end, c_end, steps


# ---------------------------------------------------------------------------------------------
# many-repon system: pairwise springs + linear head
# ---------------------------------------------------------------------------------------------


@njit(cache=True)
def many_repon_rhs(x_soa, head, weights, eta_x, eta_a, params):
    r"""Right-hand side of the many-repon flow.

    ``x_soa`` (d, n) positions (structure of arrays), ``head`` (m, d). The pairwise
    harmonic kernel with unit stiffness returns ``F_i = -sum_j W_ij (x_i - x_j)``
    (columns of a (d, n) array); then :math:`\dot x_i = \eta_x A^\top A F_i` and
    :math:`\dot A = -\eta_A A M` with :math:`M = -\sum_i x_i F_i^\top`.
    Returns ``(dx (d, n), dA (m, d), energy)``.
    """
    forces, energy = pairwise_forces_kernel(x_soa, HARMONIC, params, weights)
    gram = head.T @ head
    dx = eta_x * (gram @ forces)
    moment = -(x_soa @ forces.T)
    moment = 0.5 * (moment + moment.T)
    da = -eta_a * (head @ moment)
    return dx, da, energy


@njit(cache=True)
def many_repon_rk4(x0_soa, head0, weights, eta_x, eta_a, dt, n_steps, record_every):
    """Fixed-step RK4 of the many-repon flow; records every ``record_every`` steps.

    Returns ``(xs (R, d, n), heads (R, m, d), times (R,))`` with the initial state first.
    """
    params = np.array([1.0, 0.0, 0.0])
    n_rec = n_steps // record_every + 1
    d, n = x0_soa.shape
    m = head0.shape[0]
    xs = np.empty((n_rec, d, n))
    heads = np.empty((n_rec, m, d))
    times = np.empty(n_rec)
    x = x0_soa.copy()
    a = head0.copy()
    xs[0] = x
    heads[0] = a
    times[0] = 0.0
    r = 1
    for k in range(1, n_steps + 1):
        k1x, k1a, _ = many_repon_rhs(x, a, weights, eta_x, eta_a, params)
        k2x, k2a, _ = many_repon_rhs(x + 0.5 * dt * k1x, a + 0.5 * dt * k1a, weights, eta_x, eta_a, params)
        k3x, k3a, _ = many_repon_rhs(x + 0.5 * dt * k2x, a + 0.5 * dt * k2a, weights, eta_x, eta_a, params)
        k4x, k4a, _ = many_repon_rhs(x + dt * k3x, a + dt * k3a, weights, eta_x, eta_a, params)
        x = x + (dt / 6.0) * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        a = a + (dt / 6.0) * (k1a + 2.0 * k2a + 2.0 * k3a + k4a)
        if k % record_every == 0:
            xs[r] = x
            heads[r] = a
            times[r] = k * dt
            r += 1
    return xs, heads, times
