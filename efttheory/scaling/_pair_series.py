r"""Even Taylor series of a symmetric ticket pair, free of cancellation.

A symmetric pair of hidden units has the feature
:math:`\phi(u) = \sigma(b + u) + \sigma(b - u)` with :math:`u = wx`. For small
:math:`|u|`,

.. math:: \phi(u) - 2\sigma(b) = \sum_{k \ge 1} a_k u^{2k}, \qquad
          a_k = \frac{2\,\sigma^{(2k)}(b)}{(2k)!},

and the part of :math:`\phi` that a least-squares fit of :math:`x^2` cannot absorb
(the :math:`u^4` term and beyond) is far below the round-off of :math:`2\sigma(b)`
once :math:`|u| \lesssim 10^{-3}`; evaluating :math:`\phi` directly then returns
noise. This module supplies the coefficients :math:`a_k` to full relative accuracy
from closed-form derivatives [ours].

Derivatives. With :math:`t = \tanh z` and :math:`\operatorname{sech}^2 z = 1 - t^2`,
every derivative of :math:`\tanh` is
:math:`\tanh^{(n)}(z) = \operatorname{sech}^2(z)\,Q_n(t)` for :math:`n \ge 1`, with
:math:`Q_1 = 1` and :math:`Q_{n+1}(t) = (1 - t^2) Q_n'(t) - 2t\,Q_n(t)`; :math:`Q_n`
has the parity of :math:`n + 1`, so it is evaluated at :math:`|t|` and the sign
restored, and :math:`\operatorname{sech}^2` is computed without forming
:math:`1 - t^2`. The sigmoid is :math:`s(z) = (1 + \tanh(z/2))/2`, so
:math:`s^{(n)}(z) = 2^{-n-1}\tanh^{(n)}(z/2)`, and SiLU follows from Leibniz's rule,
:math:`(z s)^{(n)} = z\,s^{(n)} + n\,s^{(n-1)}`.

Truncation. The nearest singularities of :math:`\tanh` lie at distance
:math:`\ge \pi/2` from the real axis (SiLU and the sigmoid: :math:`\ge \pi`), so for
:math:`|u| \le` :data:`SERIES_RADIUS` = 0.1 the first omitted term (order 18) is below
:math:`(0.1/(\pi/2))^{18} \approx 3\times10^{-22}` of the leading one.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.polynomial import polynomial as _poly
from scipy.special import expit

__all__ = ["MAX_ORDER", "SERIES_RADIUS", "activation_derivatives", "even_pair_coefficients"]

#: Highest derivative order kept in the series (terms ``u**2`` ... ``u**MAX_ORDER``).
MAX_ORDER = 16

#: Largest ``|u| = |w x|`` at which the truncated series is used.
SERIES_RADIUS = 0.1


def _q_polynomials(n_max: int) -> list[np.ndarray]:
    """Coefficients (ascending powers of t) of Q_1 .. Q_n_max; index 0 is unused."""
    one_minus_t2 = np.array([1.0, 0.0, -1.0])
    two_t = np.array([0.0, 2.0])
    q = [np.zeros(1), np.array([1.0])]
    for _ in range(1, n_max):
        prev = q[-1]
        q.append(_poly.polysub(_poly.polymul(one_minus_t2, _poly.polyder(prev)), _poly.polymul(two_t, prev)))
    return q


_Q = _q_polynomials(MAX_ORDER + 1)


def _tanh_derivatives(z: float, n_max: int) -> np.ndarray:
    """``tanh^{(n)}(z)`` for n = 0 .. n_max at a scalar z."""
    out = np.empty(n_max + 1)
    out[0] = math.tanh(z)
    a = abs(z)
    e = math.exp(-2.0 * a)
    sech2 = 4.0 * e / (1.0 + e) ** 2  # 1 - tanh(z)**2 without cancellation
    t_abs = abs(out[0])
    negative = z < 0.0
    for n in range(1, n_max + 1):
        value = sech2 * _poly.polyval(t_abs, _Q[n])
        # Q_n has the parity of n + 1: an odd polynomial changes sign with t
        out[n] = -value if (negative and n % 2 == 0) else value
    return out


def activation_derivatives(activation: str, z: float, n_max: int = MAX_ORDER) -> np.ndarray:
    """Derivatives ``sigma^{(n)}(z)``, n = 0 .. n_max, of ``"silu"``, ``"tanh"`` or ``"sigmoid"``.

    Parameters
    ----------
    activation : {"silu", "tanh", "sigmoid"}
        The activation.
    z : float
        A finite point.
    n_max : int
        Highest order, ``0 <= n_max <= MAX_ORDER + 1``.

    Returns
    -------
    ndarray, shape (n_max + 1,)
    """
    if not 0 <= n_max <= MAX_ORDER + 1:
        raise ValueError(f"n_max must lie in [0, {MAX_ORDER + 1}], got {n_max}")
    if activation == "tanh":
        return _tanh_derivatives(z, n_max)
    half = _tanh_derivatives(0.5 * z, n_max)
    sigmoid = half * 0.5 ** (np.arange(n_max + 1) + 1.0)
    sigmoid[0] = expit(z)
    if activation == "sigmoid":
        return sigmoid
    if activation != "silu":
        raise ValueError(f"activation must be 'silu', 'tanh' or 'sigmoid', got {activation!r}")
    out = z * sigmoid
    out[1:] += np.arange(1, n_max + 1) * sigmoid[:-1]
    return out


def even_pair_coefficients(activation: str, b: float) -> np.ndarray:
    r"""Coefficients :math:`a_k = 2\sigma^{(2k)}(b)/(2k)!`, k = 1 .. MAX_ORDER / 2.

    ``sigma(b + u) + sigma(b - u) - 2 sigma(b) = sum_k a_k u**(2k)`` with a truncation
    error below 1e-21 of the leading term for ``|u| <= SERIES_RADIUS``; each coefficient
    carries the rounding of its derivative, below 1e-12 of that derivative's size over the
    real line (measured against mpmath; the tests hold it to that bound).
    """
    d = activation_derivatives(activation, b, MAX_ORDER)
    orders = np.arange(2, MAX_ORDER + 1, 2)
    return 2.0 * d[orders] / np.array([math.factorial(int(n)) for n in orders], dtype=np.float64)
