"""efttheory: physics-style theory of learning systems.

Subpackages
-----------
solvers
    Numba-jitted numerical core: ODE integrators, pairwise forces, power-law fits.
scaling
    Neural scaling laws (lottery-ticket ensembling).
testing
    Hypothesis strategies for users' own property tests (needs ``hypothesis``;
    imported on first access).
errors
    :class:`ConvergenceError`.
"""

from importlib import import_module

from efttheory import errors, scaling, solvers
from efttheory.errors import ConvergenceError

__version__ = "0.1.0"

__all__ = ["ConvergenceError", "errors", "scaling", "solvers", "testing", "__version__"]


def __getattr__(name):
    # efttheory.testing imports hypothesis, a test-time dependency: load it on demand.
    if name == "testing":
        return import_module("efttheory.testing")
    raise AttributeError(f"module 'efttheory' has no attribute {name!r}")
