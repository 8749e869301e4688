"""Exceptions raised by efttheory.

Every solver that iterates to a tolerance raises :class:`ConvergenceError` when it
does not get there, carrying its last iterate, instead of returning a silent
wrong answer.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ConvergenceError"]


class ConvergenceError(RuntimeError):
    """A numerical method failed to converge.

    Parameters
    ----------
    message : str
        What failed and why (tolerance, iteration budget, step size ...).
    last_iterate : object, optional
        The method's state when it gave up (an array, a scalar or a result
        object), so a caller can inspect how far it got.
    iterations : int, optional
        Number of iterations or steps taken before giving up.
    """

    def __init__(self, message: str, *, last_iterate: Any = None, iterations: int | None = None):
        super().__init__(message)
        self.last_iterate = last_iterate
        self.iterations = iterations
