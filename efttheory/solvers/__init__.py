"""Numba-jitted numerical core shared by every theory.

ODE integrators
    :func:`rk4` (fixed step), :func:`velocity_verlet` (fixed step, symplectic),
    :func:`dormand_prince` (adaptive 5(4)); results :class:`ODESolution`,
    :class:`PhaseSpaceSolution`.
Pairwise forces
    :func:`pairwise_forces` for N particles in d dimensions with the laws
    :func:`coulomb_law`, :func:`harmonic_law`, :func:`lennard_jones_law`,
    :func:`custom_law`; :func:`pairwise_forces_kernel` is callable from
    ``numba.njit`` code (e.g. an ODE right-hand side).
Power laws
    :func:`fit_power_law` with bootstrap confidence intervals.
"""

from efttheory.solvers.integrators import (
    ODESolution,
    PhaseSpaceSolution,
    dormand_prince,
    rk4,
    velocity_verlet,
)
from efttheory.solvers.pairwise import (
    PairLaw,
    PairwiseForces,
    coulomb_law,
    custom_law,
    custom_pairwise_forces_kernel,
    harmonic_law,
    lennard_jones_law,
    pairwise_forces,
    pairwise_forces_kernel,
)
from efttheory.solvers.power_law import PowerLawFit, fit_power_law

__all__ = [
    "ODESolution",
    "PairLaw",
    "PairwiseForces",
    "PhaseSpaceSolution",
    "PowerLawFit",
    "coulomb_law",
    "custom_law",
    "custom_pairwise_forces_kernel",
    "dormand_prince",
    "fit_power_law",
    "harmonic_law",
    "lennard_jones_law",
    "pairwise_forces",
    "pairwise_forces_kernel",
    "rk4",
    "velocity_verlet",
]
