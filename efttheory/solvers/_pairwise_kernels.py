r"""Numba kernels for pairwise radial forces among N particles in d dimensions (private).

Positions are stored structure-of-arrays, ``x[k, i]`` = coordinate ``k`` of
particle ``i`` (shape ``(d, N)``), so every inner loop runs over contiguous rows
and vectorises. Each unordered pair is visited once (Newton's third law): for
particle ``i`` the kernel fills ``r2[j] = |x_i - x_j|^2`` for all ``j > i``,
turns it into the pair energy ``u[j]`` and force coefficient ``c[j]``, then adds
``c[j] (x_i - x_j)`` to particle ``i`` and subtracts it from ``j``.

For a pair energy :math:`U(r^2)` the force on ``i`` is
:math:`F_i = -\nabla_{x_i} U = -2\,U'(r^2)\,(x_i - x_j) = c\,(x_i - x_j)`.

Law codes and their ``params`` (float64 array of length 3):

* ``POWER`` (0): :math:`U = k\,(r^2 + \epsilon^2)^{-p/2}`; params ``(k, p, eps)``
  (``p = 1`` is the softened Coulomb/Plummer law).
* ``HARMONIC`` (1): :math:`U = \tfrac k2 (r - r_0)^2`; params ``(k, r0, 0)``.
* ``LENNARD_JONES`` (2): :math:`U = 4\varepsilon((\sigma/r)^{12} - (\sigma/r)^6)`;
  params ``(epsilon, sigma, 0)``.

``weights`` is either an ``(N, N)`` array (the pair (i, j) counts with
``weights[i, j]``, read for ``i < j`` only) or a ``(0, 0)`` array (all pairs weight 1).
"""

from __future__ import annotations

import numpy as np
from numba import njit

POWER = 0
HARMONIC = 1
LENNARD_JONES = 2

# reassociation lets LLVM vectorise the per-particle force sums; no finite-math
# assumption is made (coincident unsoftened particles give inf, not garbage).
# error_model="numpy" makes x / 0 return inf as in NumPy instead of raising; the
# raise branch of Python's semantics would otherwise keep LLVM from vectorising
# the sqrt/divide loops (measured 2-4x on the Coulomb law).
_FAST = {"reassoc", "contract", "arcp", "nsz"}


# All loops below run over zero-based slices (j = 0 .. m-1 for the partners i+1 .. N-1 of
# particle i): Numba then knows the index is non-negative, which lets LLVM vectorise them.


@njit(cache=True, fastmath=_FAST, error_model="numpy")
def _power_terms(r2, c, u, params):
    k = params[0]
    p = params[1]
    eps2 = params[2] * params[2]
    m = r2.shape[0]
    if p == 1.0:
        for j in range(m):
            inv = 1.0 / np.sqrt(r2[j] + eps2)
            e = k * inv
            u[j] = e
            c[j] = e * inv * inv
    elif p == 2.0:
        for j in range(m):
            inv = 1.0 / (r2[j] + eps2)
            e = k * inv
            u[j] = e
            c[j] = 2.0 * e * inv
    else:
        for j in range(m):
            s = r2[j] + eps2
            e = k * s ** (-0.5 * p)
            u[j] = e
            c[j] = p * e / s


@njit(cache=True, fastmath=_FAST, error_model="numpy")
def _harmonic_terms(r2, c, u, params):
    k = params[0]
    r0 = params[1]
    m = r2.shape[0]
    if r0 == 0.0:
        for j in range(m):
            u[j] = 0.5 * k * r2[j]
            c[j] = -k
    else:
        for j in range(m):
            r = np.sqrt(r2[j])
            stretch = r - r0
            u[j] = 0.5 * k * stretch * stretch
            # coincident particles: the direction is undefined, the force is set to 0
            c[j] = -k * stretch / r if r > 0.0 else 0.0


@njit(cache=True, fastmath=_FAST, error_model="numpy")
def _lennard_jones_terms(r2, c, u, params):
    eps4 = 4.0 * params[0]
    sigma2 = params[1] * params[1]
    for j in range(r2.shape[0]):
        inv = 1.0 / r2[j]
        s2 = sigma2 * inv
        s6 = s2 * s2 * s2
        s12 = s6 * s6
        u[j] = eps4 * (s12 - s6)
        c[j] = 6.0 * eps4 * (2.0 * s12 - s6) * inv


@njit(cache=True, fastmath=_FAST, error_model="numpy")
def _squared_distances(x, i, r2):
    """Fill ``r2[j] = |x_i - x_{i+1+j}|^2`` for ``j < N - 1 - i``."""
    d = x.shape[0]
    m = r2.shape[0]
    for j in range(m):
        r2[j] = 0.0
    for k in range(d):
        row = x[k, i + 1:]
        xi = x[k, i]
        for j in range(m):
            dx = row[j] - xi
            r2[j] += dx * dx


@njit(cache=True, fastmath=_FAST, error_model="numpy")
def _scatter(x, i, c, u, weights, forces):
    """Apply weights, add the pair forces of particle ``i``; return its pair energy."""
    d = x.shape[0]
    m = c.shape[0]
    if weights.shape[0] > 0:
        wrow = weights[i, i + 1:]
        for j in range(m):
            c[j] *= wrow[j]
            u[j] *= wrow[j]
    energy = 0.0
    for j in range(m):
        energy += u[j]
    for k in range(d):
        row = x[k, i + 1:]
        frow = forces[k, i + 1:]
        xi = x[k, i]
        acc = 0.0
        for j in range(m):
            f = c[j] * (xi - row[j])
            acc += f
            frow[j] -= f
        forces[k, i] += acc
    return energy


@njit(cache=True)
def pairwise_forces_into(x, law, params, weights, forces, work):
    """Write the forces on every particle into ``forces`` (d, N); return the total energy.

    ``work`` is scratch of shape ``(3, N)``. ``law`` is one of the module's codes.
    """
    n = x.shape[1]
    forces[:, :] = 0.0
    energy = 0.0
    for i in range(n - 1):
        m = n - 1 - i
        r2 = work[0, :m]
        c = work[1, :m]
        u = work[2, :m]
        _squared_distances(x, i, r2)
        if law == POWER:
            _power_terms(r2, c, u, params)
        elif law == HARMONIC:
            _harmonic_terms(r2, c, u, params)
        else:
            _lennard_jones_terms(r2, c, u, params)
        energy += _scatter(x, i, c, u, weights, forces)
    return energy


@njit(cache=True)
def pairwise_forces_kernel(x, law, params, weights):
    """Allocate and return ``(forces (d, N), energy)``; njit-callable from other kernels.

    It does not validate its input (no shape, range, finiteness or law-code check): use
    :func:`efttheory.solvers.pairwise_forces` for checked input and finite results.

    Parameters
    ----------
    x : ndarray of float64, shape (d, N)
        Particle positions, one column per particle (structure-of-arrays). Not checked;
        ``N <= 1`` gives zero forces and zero energy.
    law : int
        Law code: ``0`` (power), ``1`` (harmonic) or ``2`` (Lennard-Jones), as ``PairLaw.code``.
        Not checked: any other value runs the Lennard-Jones branch.
    params : ndarray of float64, shape (3,)
        Law parameters in the layout of the module notes: ``(k, p, eps)`` for the power law,
        ``(k, r0, 0)`` for the harmonic law, ``(epsilon, sigma, 0)`` for Lennard-Jones, as
        ``PairLaw.params``. Neither the length nor the ranges are checked.
    weights : ndarray of float64, shape (N, N) or (0, 0)
        Pair weights, of which only the entries ``weights[i, j]`` with ``i < j`` are read; a
        ``(0, 0)`` array gives every pair weight 1. Neither shape nor values are checked.

    Returns
    -------
    forces : ndarray of float64, shape (d, N)
        Force on every particle; inf or NaN where the law is singular (e.g. coincident
        particles under an unsoftened power law or Lennard-Jones).
    energy : float
        Total weighted pair energy, possibly inf or NaN in the same cases.
    """
    forces = np.empty(x.shape)
    work = np.empty((3, x.shape[1]))
    energy = pairwise_forces_into(x, law, params, weights, forces, work)
    return forces, energy


@njit
def custom_pairwise_forces_kernel(x, pair_energy, params, weights):
    """As :func:`pairwise_forces_kernel` for a jitted ``pair_energy(r2, params) -> (U, dU/dr2)``.

    Not cached on disk: it is specialised on the user's function (see
    :mod:`efttheory.solvers._integrator_kernels`).

    Like :func:`pairwise_forces_kernel` it does not validate its input; values returned by
    ``pair_energy`` are used as they are, NaN and inf included.

    Parameters
    ----------
    x : ndarray of float64, shape (d, N)
        Particle positions, one column per particle (structure-of-arrays). Not checked;
        ``N <= 1`` gives zero forces and zero energy.
    pair_energy : numba-jitted function
        ``pair_energy(r2, params) -> (U, dU/dr2)`` for a squared distance ``r2``, as
        ``PairLaw.pair_energy`` of :func:`efttheory.solvers.custom_law`; it must be compiled
        with ``numba.njit`` (numba cannot type a plain Python function here).
    params : ndarray
        Parameters passed unchanged to ``pair_energy`` (``PairLaw.params``, a 1-D float64
        array, for laws built by :func:`efttheory.solvers.custom_law`).
    weights : ndarray of float64, shape (N, N) or (0, 0)
        Pair weights, of which only the entries ``weights[i, j]`` with ``i < j`` are read; a
        ``(0, 0)`` array gives every pair weight 1. Neither shape nor values are checked.

    Returns
    -------
    forces : ndarray of float64, shape (d, N)
        Force :math:`-2 w_{ij} U'(r_{ij}^2)(x_i - x_j)` summed over the partners of every
        particle.
    energy : float
        Total weighted pair energy :math:`\\sum_{i<j} w_{ij} U(r_{ij}^2)`.
    """
    n = x.shape[1]
    forces = np.zeros(x.shape)
    work = np.empty((3, n))
    energy = 0.0
    for i in range(n - 1):
        m = n - 1 - i
        r2 = work[0, :m]
        c = work[1, :m]
        u = work[2, :m]
        _squared_distances(x, i, r2)
        for j in range(m):
            e, de = pair_energy(r2[j], params)
            u[j] = e
            c[j] = -2.0 * de
        energy += _scatter(x, i, c, u, weights, forces)
    return forces, energy
