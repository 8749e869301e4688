"""Numba kernel of the repon gradient-descent toys (private; see :mod:`models.repon_toy`)."""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def lone_vs_cluster_gd(lone0, cluster0, a0, b0, y, multiplicity, eta_enc, eta_dec, steps):
    """Plain GD on ``l = 1/2 (a x_l + b - y)^2 + m/2 (a x_c + b - y)^2`` per sample.

    ``x_l`` is a lone repon, ``x_c`` a co-located cluster of ``m`` repons (every member
    gets its own term's gradient, so the cluster stays co-located). The repons move
    with ``eta_enc``, the linear decoder ``(a, b)`` with ``eta_dec``. Returns the final
    ``(lone, cluster, a, b)`` arrays.
    """
    n = lone0.shape[0]
    lone = lone0.copy()
    cluster = cluster0.copy()
    a = a0.copy()
    b = b0.copy()
    for s in range(n):
        xl = lone[s]
        xc = cluster[s]
        w = a[s]
        bias = b[s]
        for _ in range(steps):
            rl = w * xl + bias - y
            rc = w * xc + bias - y
            gw = rl * xl + multiplicity * rc * xc
            gb = rl + multiplicity * rc
            xl = xl - eta_enc * rl * w
            xc = xc - eta_enc * rc * w
            w = w - eta_dec * gw
            bias = bias - eta_dec * gb
        lone[s] = xl
        cluster[s] = xc
        a[s] = w
        b[s] = bias
    return lone, cluster, a, b
