r"""Pairwise radial forces among N particles in d dimensions.

For a pair energy :math:`U(r^2)` depending on the squared distance
:math:`r_{ij}^2 = |x_i - x_j|^2`, the total energy and the forces are

.. math::

    E = \sum_{i<j} w_{ij}\,U(r_{ij}^2),\qquad
    F_i = -\nabla_{x_i} E = -2\sum_{j\ne i} w_{ij}\,U'(r_{ij}^2)\,(x_i - x_j),

with optional symmetric pair weights :math:`w_{ij}` (1 by default). Every pair
is evaluated once and its force applied to both particles (Newton's third law),
so :math:`\sum_i F_i = 0` up to rounding.

Positions are structure-of-arrays, shape ``(d, N)``. Inside your own
``numba.njit`` code (e.g. an ODE right-hand side) call
:func:`pairwise_forces_kernel` ``(positions, law.code, law.params, weights)``
with ``weights = np.empty((0, 0))`` for unit weights; it returns
``(forces, energy)``. The public :func:`pairwise_forces` validates its input and
wraps the same kernel.

References
----------
Allen & Tildesley, *Computer Simulation of Liquids* (2nd ed., 2017), Sect. 1.4
(pair potentials) and Sect. 5.1 (force loops over pairs) [paper]. The
structure-of-arrays loop layout is [ours].
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from numba.core.dispatcher import Dispatcher

from efttheory._arguments import as_finite_array, check_finite_scalar, check_positive
from efttheory.solvers import _pairwise_kernels as _k
from efttheory.solvers._pairwise_kernels import (
    custom_pairwise_forces_kernel,
    pairwise_forces_kernel,
)

__all__ = [
    "PairLaw",
    "PairwiseForces",
    "coulomb_law",
    "custom_law",
    "harmonic_law",
    "lennard_jones_law",
    "pairwise_forces",
    "pairwise_forces_kernel",
    "custom_pairwise_forces_kernel",
]

_NO_WEIGHTS = np.empty((0, 0))


#: Kernel code of each law name (custom laws run the user's function, code -1).
_LAW_CODES = {"power": _k.POWER, "harmonic": _k.HARMONIC, "lennard_jones": _k.LENNARD_JONES, "custom": -1}


def _check_law_params(name: str, params: np.ndarray) -> None:
    """The ranges that coulomb_law, harmonic_law and lennard_jones_law enforce, for any PairLaw."""
    if name == "power":
        check_positive("power (params[1])", params[1])
        check_positive("softening (params[2])", params[2], strict=False)
    elif name == "harmonic":
        check_positive("rest_length (params[1])", params[1], strict=False)
        if params[2] != 0.0:
            raise ValueError(f"params[2] of a harmonic law must be 0, got {params[2]}")
    elif name == "lennard_jones":
        check_positive("epsilon (params[0])", params[0])
        check_positive("sigma (params[1])", params[1])
        if params[2] != 0.0:
            raise ValueError(f"params[2] of a lennard_jones law must be 0, got {params[2]}")


@dataclass(frozen=True, repr=False)
class PairLaw:
    """A radial pair interaction: kernel code, parameters and, for custom laws, the function.

    Build it with :func:`coulomb_law`, :func:`harmonic_law`,
    :func:`lennard_jones_law` or :func:`custom_law`.

    Attributes
    ----------
    name : str
        ``"power"``, ``"harmonic"``, ``"lennard_jones"`` or ``"custom"``.
    code : int
        Integer law code for :func:`pairwise_forces_kernel` (-1 for custom laws).
    params : ndarray, shape (3,) or (p,)
        Law parameters as a float64 array (layout in the constructors' docs).
    pair_energy : callable or None
        Custom laws only: jitted ``pair_energy(r2, params) -> (U, dU/dr2)``.
    """

    name: str
    code: int
    params: np.ndarray
    pair_energy: object = None

    def __post_init__(self):
        # the force kernel dispatches on ``code`` and reads params[0..2] unchecked
        if not isinstance(self.name, str) or isinstance(self.code, (bool, np.bool_)) or not isinstance(
                self.code, numbers.Integral) or self.name not in _LAW_CODES or self.code != _LAW_CODES[self.name]:
            raise ValueError(f"name and code must be a matching pair from {_LAW_CODES}, got {self.name!r} "
                             f"and {self.code!r}; build laws with coulomb_law, harmonic_law, "
                             "lennard_jones_law or custom_law")
        params = as_finite_array("params", self.params, ndim=1)
        if self.name != "custom" and params.shape != (3,):
            raise ValueError(f"params of a {self.name} law must have shape (3,), got {params.shape}")
        if self.name == "custom" and not callable(self.pair_energy):
            raise TypeError(f"pair_energy must be a function for a custom law, got {type(self.pair_energy).__name__}")
        _check_law_params(self.name, params)
        object.__setattr__(self, "code", int(self.code))
        object.__setattr__(self, "params", params)

    def __repr__(self) -> str:
        values = ", ".join(f"{v:.6g}" for v in self.params)
        return f"PairLaw({self.name!r}, params=[{values}])"


@dataclass(frozen=True, repr=False)
class PairwiseForces:
    """Forces and total pair energy of a configuration.

    Attributes
    ----------
    forces : ndarray, shape (d, N)
        Force on every particle.
    energy : float
        Total pair energy :math:`\\sum_{i<j} w_{ij} U(r_{ij}^2)`.
    """

    forces: np.ndarray
    energy: float

    def __repr__(self) -> str:
        d, n = self.forces.shape
        return f"PairwiseForces(d={d}, N={n}, energy={self.energy:.6g})"


def coulomb_law(strength: float = 1.0, *, softening: float = 0.0, power: float = 1.0) -> PairLaw:
    r"""Softened inverse-power pair energy :math:`U = k\,(r^2 + \epsilon^2)^{-p/2}`.

    :math:`p = 1` is the softened Coulomb (Plummer) law. ``strength`` :math:`k > 0`
    repels, :math:`k < 0` attracts.

    Parameters
    ----------
    strength : float
        :math:`k`, energy x length^p.
    softening : float
        :math:`\epsilon \ge 0`, length; must be > 0 if particles may coincide
        (:func:`pairwise_forces` raises ValueError on coincident particles otherwise).
    power : float
        :math:`p > 0`.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.solvers import coulomb_law, pairwise_forces
    >>> x = np.array([[0.0, 2.0]])  # two particles on a line, 2 apart
    >>> out = pairwise_forces(x, coulomb_law(1.0))  # U = 1/r = 0.5, repelled with |F| = 1/r**2
    >>> out.forces.tolist(), out.energy
    ([[-0.25, 0.25]], 0.5)
    >>> pairwise_forces(x, coulomb_law(-1.0)).forces.tolist()  # k < 0 attracts
    [[0.25, -0.25]]
    """
    k = check_finite_scalar("strength", strength)
    eps = check_positive("softening", softening, strict=False)
    p = check_positive("power", power)
    return PairLaw("power", _k.POWER, np.array([k, p, eps]))


def harmonic_law(stiffness: float = 1.0, *, rest_length: float = 0.0) -> PairLaw:
    r"""Spring pair energy :math:`U = \tfrac k2 (r - r_0)^2`.

    With :math:`r_0 = 0` the force is linear, :math:`F_i = -k \sum_j (x_i - x_j)`.
    For :math:`r_0 > 0` coincident particles get zero force (direction undefined).

    Parameters
    ----------
    stiffness : float
        :math:`k`, energy / length^2.
    rest_length : float
        :math:`r_0 \ge 0`, length.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.solvers import harmonic_law, pairwise_forces
    >>> x = np.array([[0.0, 3.0]])  # two particles 3 apart: a spring of rest length 1 stretched by 2
    >>> out = pairwise_forces(x, harmonic_law(1.0, rest_length=1.0))
    >>> out.forces.tolist(), out.energy  # pulled together with force k * 2, U = (k/2) * 2**2
    ([[2.0, -2.0]], 2.0)
    """
    k = check_finite_scalar("stiffness", stiffness)
    r0 = check_positive("rest_length", rest_length, strict=False)
    return PairLaw("harmonic", _k.HARMONIC, np.array([k, r0, 0.0]))


def lennard_jones_law(epsilon: float = 1.0, sigma: float = 1.0) -> PairLaw:
    r"""Lennard-Jones pair energy :math:`U = 4\varepsilon((\sigma/r)^{12} - (\sigma/r)^6)`.

    Parameters
    ----------
    epsilon : float
        Well depth :math:`\varepsilon > 0`, energy.
    sigma : float
        Zero-crossing distance :math:`\sigma > 0`, length. The law is singular at
        :math:`r = 0`: :func:`pairwise_forces` raises ValueError on coincident particles.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.solvers import lennard_jones_law, pairwise_forces
    >>> law = lennard_jones_law(epsilon=1.0, sigma=1.0)
    >>> out = pairwise_forces(np.array([[0.0, 2 ** (1 / 6)]]), law)  # at the minimum r = 2**(1/6) sigma
    >>> round(out.energy, 12), bool(np.abs(out.forces).max() < 1e-12)  # depth -epsilon, no force
    (-1.0, True)
    >>> out = pairwise_forces(np.array([[0.0, 1.0]]), law)  # at r = sigma: U = 0, repulsion 24 eps/sigma
    >>> out.energy, out.forces.round(9).tolist()
    (0.0, [[-24.0, 24.0]])
    """
    eps = check_positive("epsilon", epsilon)
    sig = check_positive("sigma", sigma)
    return PairLaw("lennard_jones", _k.LENNARD_JONES, np.array([eps, sig, 0.0]))


def custom_law(pair_energy, params=()) -> PairLaw:
    r"""A user pair law given as ``pair_energy(r2, params) -> (U, dU/dr2)``.

    Parameters
    ----------
    pair_energy : callable
        Function of the squared distance :math:`r^2` and a float64 parameter array
        returning the pair energy and its derivative with respect to :math:`r^2`.
        Decorate it with ``numba.njit`` (plain Python callables run uncompiled).
    params : array_like, shape (p,)
        Finite parameters passed to ``pair_energy``.

    Examples
    --------
    >>> import numba
    >>> import numpy as np
    >>> from efttheory.solvers import custom_law, pairwise_forces
    >>> @numba.njit
    ... def spring(r2, params):  # U = (k/2) r**2 written in r2 = r**2, and dU/dr2 = k/2
    ...     return 0.5 * params[0] * r2, 0.5 * params[0]
    >>> out = pairwise_forces(np.array([[0.0, 1.0]]), custom_law(spring, [2.0]))
    >>> out.forces.tolist(), out.energy  # the same as the built-in harmonic_law(2.0)
    ([[2.0, -2.0]], 1.0)
    """
    return PairLaw("custom", -1, params, pair_energy)  # the constructor checks both arguments


def pairwise_forces(positions, law: PairLaw, *, weights=None) -> PairwiseForces:
    r"""Forces on N particles from a radial pair law, each pair evaluated once.

    .. math::

        F_i = -2\sum_{j\ne i} w_{ij}\,U'(|x_i - x_j|^2)\,(x_i - x_j),\qquad
        E = \sum_{i<j} w_{ij}\,U(|x_i - x_j|^2).

    Parameters
    ----------
    positions : array_like, shape (d, N)
        Finite particle coordinates, one column per particle (d >= 1, N >= 1).
    law : PairLaw
        From :func:`coulomb_law`, :func:`harmonic_law`, :func:`lennard_jones_law`
        or :func:`custom_law`.
    weights : array_like, shape (N, N), optional
        Symmetric finite pair weights :math:`w_{ij}` (the diagonal is ignored).

    Returns
    -------
    PairwiseForces
        ``forces`` of shape ``(d, N)`` and the total ``energy``.

    Raises
    ------
    ValueError
        Bad ``positions`` or ``weights``, or a non-finite force or energy: coincident
        particles under an unsoftened :func:`coulomb_law` (:math:`U = \infty`) or under
        :func:`lennard_jones_law` (always singular at :math:`r = 0`), a custom law
        returning NaN or inf, or coordinates so large that :math:`r^2` overflows.
        (:func:`pairwise_forces_kernel`, called from jitted code, does not check: it
        returns inf/NaN there.)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[0.0, 1.0]])            # two particles on a line
    >>> out = pairwise_forces(x, harmonic_law(2.0))
    >>> out.forces.tolist(), out.energy
    ([[2.0, -2.0]], 1.0)
    """
    x = as_finite_array("positions", positions, ndim=2)
    if x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"positions must have shape (d, N) with d >= 1 and N >= 1, got {x.shape}")
    if not isinstance(law, PairLaw):
        raise TypeError(
            "law must be a PairLaw from coulomb_law, harmonic_law, lennard_jones_law or "
            f"custom_law, got {type(law).__name__}"
        )
    n = x.shape[1]
    if weights is None:
        w = _NO_WEIGHTS
    else:
        w = as_finite_array("weights", weights, shape=(n, n))
        if not np.allclose(w, w.T, rtol=1e-12, atol=0.0):
            raise ValueError("weights must be symmetric (w[i, j] == w[j, i])")
    if law.code == -1:
        fn = law.pair_energy
        kernel = custom_pairwise_forces_kernel
        if not (isinstance(fn, Dispatcher) and isinstance(kernel, Dispatcher)):
            kernel = getattr(kernel, "py_func", kernel)
        forces, energy = kernel(x, fn, law.params, w)
    else:
        forces, energy = pairwise_forces_kernel(x, law.code, law.params, w)
    if not (np.isfinite(energy) and np.all(np.isfinite(forces))):
        bad = "energy" if not np.isfinite(energy) else "forces"
        raise ValueError(
            f"the {law!r} law gave non-finite {bad} ({energy=}) for these positions: coincident "
            "particles under an unsoftened power law or Lennard-Jones, a custom pair_energy "
            "returning NaN/inf, or coordinates so large that r**2 overflows")
    return PairwiseForces(forces=forces, energy=float(energy))
