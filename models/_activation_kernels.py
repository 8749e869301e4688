"""Numba kernel shared by the NumPy reference networks: SiLU and its derivative in one pass.

Private module of :mod:`models.mlp` and :mod:`models.sparse_mlp`. On small machines NumPy's
``exp`` over a (points, width) array dominates a training step; this fused loop computes
:math:`\\sigma(z) = z/(1 + e^{-z})` and :math:`\\sigma'(z) = s + \\sigma(z)(1 - s)`,
:math:`s = 1/(1 + e^{-z})`, in one pass, with the same clipping at :math:`\\pm 708` as the
NumPy form. Its plain-NumPy twin lives in the tests.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["silu_and_derivative", "silu_pair"]


@njit(cache=True)
def silu_and_derivative(z, out, der):
    """Write SiLU(z) into ``out`` and SiLU'(z) into ``der`` (C-contiguous arrays of one shape)."""
    zf = z.ravel()
    of = out.ravel()
    df = der.ravel()
    for i in range(zf.size):
        x = zf[i]
        if x < -708.0:
            x = -708.0
        elif x > 708.0:
            x = 708.0
        s = 1.0 / (1.0 + math.exp(-x))
        a = zf[i] * s
        of[i] = a
        df[i] = s + a * (1.0 - s)


def silu_pair(z):
    """(SiLU(z), SiLU'(z)) of a float array of any shape, via the kernel."""
    z = np.ascontiguousarray(z, dtype=np.float64)
    out = np.empty_like(z)
    der = np.empty_like(z)
    silu_and_derivative(z, out, der)
    return out, der
