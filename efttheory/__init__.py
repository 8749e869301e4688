"""efttheory: physics-style theory of learning systems.

Subpackages
-----------
solvers
    Numba-jitted numerical core: ODE integrators, pairwise forces, power-law fits.
generalization
    GenEFT: information-theoretic generalization thresholds (statics) and the
    interacting-repon dynamics of representation learning.
scaling
    Neural scaling laws: lottery-ticket ensembling, the resource model and the
    Chinchilla law with its fitter.
complexity
    The linear mapping number (grokking as compression) and exact linear-region counts.
synthesis
    MIPS: distilling trained RNNs into verified Python programs.
games
    Equilibrium solvers for normal-form games and the divide-and-conquer conflict game.
testing
    Hypothesis strategies and assertion helpers for users' own property tests
    (needs ``hypothesis``; imported on first access).
errors
    :class:`ConvergenceError`.
"""

from importlib import import_module

from efttheory import complexity, errors, games, generalization, scaling, solvers, synthesis
from efttheory.errors import ConvergenceError

__version__ = "0.1.0"

__all__ = [
    "ConvergenceError",
    "complexity",
    "errors",
    "games",
    "generalization",
    "scaling",
    "solvers",
    "synthesis",
    "testing",
    "__version__",
]


def __getattr__(name):
    # efttheory.testing imports hypothesis, a test-time dependency: load it on demand.
    if name == "testing":
        return import_module("efttheory.testing")
    raise AttributeError(f"module 'efttheory' has no attribute {name!r}")
