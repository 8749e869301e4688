"""Pin BLAS to one thread for the reference experiments.

The experiments multiply tiny matrices in tight loops, where multi-threaded BLAS
costs far more in synchronisation than it saves (10-20x on two cores). Pinning
also makes every floating-point reduction order fixed, so runs are bit-for-bit
repeatable.
"""

from __future__ import annotations

import os

__all__ = ["limit_blas_threads", "BLAS_ENV"]

BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def limit_blas_threads() -> None:
    """Limit BLAS to one thread in this process (and in processes it spawns)."""
    for name in BLAS_ENV:
        os.environ[name] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # the environment variables still cover spawned workers
        return
    threadpool_limits(limits=1, user_api="blas")
