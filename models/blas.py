"""Single-threaded BLAS for small matrices.

On small matrices a multi-threaded BLAS spends more time synchronising than
computing, and thread scheduling can change the order of floating-point sums.
:func:`blas_threads` limits BLAS through ``threadpoolctl`` when it is installed
and does nothing otherwise. The library scan is done once and reused, so
entering the context costs microseconds.
"""

from __future__ import annotations

import contextlib

__all__ = ["blas_threads"]

_CONTROLLER = []


def _controller():
    if not _CONTROLLER:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - depends on the environment
            _CONTROLLER.append(None)
        else:
            _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


def blas_threads(limit: int = 1):
    """Context manager limiting BLAS to ``limit`` threads (no-op without threadpoolctl)."""
    controller = _controller()
    if controller is None:  # pragma: no cover - depends on the environment
        return contextlib.nullcontext()
    return controller.limit(limits=limit, user_api="blas")
