r"""Lottery-ticket ensembling and the :math:`N^{-1}` scaling law of ``y = x^2``.

Theory behind Z. Liu and M. Tegmark, *A Neural Scaling Law from Lottery Ticket
Ensembling*, arXiv:2310.02258 (2023). The paper reports that a two-layer network
fitting :math:`y = x^2` on :math:`[-2, 2]` shows :math:`\mathrm{MSE} \propto
N^{-1}`, not the Sharma--Kaplan :math:`N^{-4/d} = N^{-4}`, and attributes it to
a "central limit theorem" of lottery tickets that a wider network ensembles
[paper]. The v2 listing carries the authors' note that this theory is
questionable while the empirical results stand [paper]; the functions here
therefore make the mechanism *testable* rather than assume it.

Provenance tags used throughout: [paper] the paper's abstract or published
text, [third party] an independent secondary summary, [figure] read off a
published figure, [ours] our own derivation or definition.

The network is

.. math::

    f(x) = c + \sum_{i=1}^{N} v_i\, \sigma(w_i x + b_i),

with :math:`\sigma` SiLU or (Leaky) ReLU [figure; third party]; tanh is offered
as a further smooth activation for comparison [ours].

The module provides four groups of functions. Approximation theory:
:func:`sharma_kaplan_alpha`, :func:`relu_interpolation_mse`,
:func:`relu_optimal_mse`. Symmetric tickets: :func:`silu`,
:func:`silu_derivative`, :func:`symmetric_ticket`,
:func:`ticket_taylor_coefficients`, :func:`ticket_best_fit`. Ensembling:
:func:`ensemble_mse`, :func:`effective_exponent`,
:func:`ticket_error_statistics`. Analysis of trained networks:
:func:`symmetric_pairs`, :func:`reflection_partner_fraction`,
:func:`reflection_matching_cost`, :func:`odd_part_norm`,
:func:`loss_histogram_modes`, :func:`scaling_exponent`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

from efttheory._arguments import (
    as_finite_array,
    as_generator,
    check_choice,
    check_finite_scalar,
    check_in_interval,
    check_integer,
    check_positive,
)
from efttheory.scaling import _kernels, _pair_series
from efttheory.solvers import PowerLawFit, fit_power_law

__all__ = [
    "Mode",
    "TicketFit",
    "TicketStats",
    "TicketTaylor",
    "effective_exponent",
    "ensemble_mse",
    "loss_histogram_modes",
    "odd_part_norm",
    "reflection_matching_cost",
    "reflection_partner_fraction",
    "relu_interpolation_mse",
    "relu_optimal_mse",
    "scaling_exponent",
    "sharma_kaplan_alpha",
    "silu",
    "silu_derivative",
    "symmetric_pairs",
    "symmetric_ticket",
    "ticket_best_fit",
    "ticket_error_statistics",
    "ticket_taylor_coefficients",
]

ACTIVATIONS = ("silu", "relu", "tanh")

# Largest number of bins loss_histogram_modes builds (a smaller bin_decades raises).
MAX_HISTOGRAM_BINS = 10**6


# ----------------------------------------------------------------------------
# result types
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketTaylor:
    r"""Even Taylor coefficients of a symmetric ticket about :math:`x = 0`.

    :math:`g(x) = c_0 + c_2 x^2 + c_4 x^4 + O(x^6)` (without the output bias).

    Attributes
    ----------
    c0, c2, c4 : float
        :math:`2v\sigma(b)`, :math:`v\sigma''(b)w^2`, :math:`v\sigma''''(b)w^4/12`.
    """

    c0: float
    c2: float
    c4: float

    def __repr__(self) -> str:
        return f"TicketTaylor(c0={self.c0:.6g}, c2={self.c2:.6g}, c4={self.c4:.6g})"


@dataclass(frozen=True)
class TicketFit:
    r"""Least-squares output weights of one symmetric ticket fitted to :math:`x^2`.

    Attributes
    ----------
    v : float
        Output weight shared by the two neurons.
    c : float
        Output bias.
    mse : float
        Mean squared error of :math:`c + v[\sigma(b+wx) + \sigma(b-wx)]` against
        :math:`x^2` on the grid.
    """

    v: float
    c: float
    mse: float

    def __repr__(self) -> str:
        return f"TicketFit(v={self.v:.6g}, c={self.c:.6g}, mse={self.mse:.3e})"


@dataclass(frozen=True, eq=False)
class TicketStats:
    r"""Bias--variance split of a pool of ticket errors.

    Attributes
    ----------
    bias_sq : float
        :math:`\langle \mu^2 \rangle = \operatorname{mean}_x \bar e(x)^2`.
    var : float
        :math:`\langle s^2 \rangle = \operatorname{mean}_x \operatorname{var}_k e_k(x)`
        (population variance, ``ddof=0``).
    mean_mse : float
        :math:`\operatorname{mean}_k \operatorname{mean}_x e_k(x)^2 =` ``bias_sq + var``.
    bias_fraction : float
        ``bias_sq / mean_mse`` (0 when every error is 0).
    mean_error : ndarray, shape (n_x,)
        The mean error curve :math:`\bar e(x) = \operatorname{mean}_k e_k(x)` (read-only).
    """

    bias_sq: float
    var: float
    mean_mse: float
    bias_fraction: float
    mean_error: np.ndarray = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"TicketStats(bias_sq={self.bias_sq:.3e}, var={self.var:.3e}, "
            f"mean_mse={self.mean_mse:.3e}, bias_fraction={self.bias_fraction:.3f}, "
            f"mean_error=<{self.mean_error.shape[0]} points>)"
        )


@dataclass(frozen=True)
class Mode:
    """One peak of a histogram of log10 losses.

    Attributes
    ----------
    log10_center : float
        Centre of the peak bin (mean of the centres for a flat-topped peak), in
        decades.
    count : int
        Number of nets in the mode's basin.
    """

    log10_center: float
    count: int

    def __repr__(self) -> str:
        return f"Mode(log10_center={self.log10_center:.3f}, count={self.count})"


# ----------------------------------------------------------------------------
# argument helpers
# ----------------------------------------------------------------------------


def _check_interval_ends(lo, hi) -> tuple[float, float]:
    lo = check_finite_scalar("lo", lo)
    hi = check_finite_scalar("hi", hi)
    if not hi > lo:
        raise ValueError(f"hi must be > lo, got lo={lo}, hi={hi}")
    return lo, hi


def _segment_width_pow4(lo: float, hi: float, pieces: int, name: str) -> float:
    """``((hi - lo) / pieces)**4``; ValueError naming the arguments if it overflows float64.

    Bit-identical to the plain expression whenever that neither overflows nor raises;
    ``hi - lo`` beyond the float64 range and huge ``pieces`` are handled exactly.
    """
    k = float(pieces) if pieces.bit_length() <= 1000 else math.inf
    width = hi - lo
    h = width / k if math.isfinite(width) else hi / k - lo / k
    try:
        out = h**4
    except OverflowError:
        out = math.inf
    if not math.isfinite(out):
        raise ValueError(
            f"lo={lo!r}, hi={hi!r} and {name} give segments of width h = {h:.3g} "
            "whose h**4 overflows float64; narrow [lo, hi]"
        )
    return out


def _as_output(value: np.ndarray, scalar: bool):
    return float(value.reshape(())) if scalar else value


def _as_real(name: str, value) -> np.ndarray:
    """Finite float64 array with the shape of ``value`` (0-d for scalars)."""
    return as_finite_array(name, value).reshape(np.shape(value))


def _parameter_vectors(w, b, v, *, min_units: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w = as_finite_array("w", w, ndim=1)
    b = as_finite_array("b", b, ndim=1)
    v = as_finite_array("v", v, ndim=1)
    if not (w.shape == b.shape == v.shape):
        raise ValueError(
            f"w, b and v must have the same shape (N,), got {w.shape}, {b.shape}, {v.shape}"
        )
    if w.size < min_units:
        raise ValueError(f"w, b and v must hold at least {min_units} hidden unit(s), got N={w.size}")
    return w, b, v


def _check_rtol(rtol) -> float:
    return check_in_interval("rtol", rtol, 0.0, 1.0, closed=(False, True))


# ----------------------------------------------------------------------------
# approximation theory
# ----------------------------------------------------------------------------


def sharma_kaplan_alpha(d) -> float:
    r"""Sharma--Kaplan scaling exponent :math:`\alpha = 4/d`.

    A piecewise-linear approximant with :math:`N` parameters on a
    :math:`d`-dimensional data manifold has cells of size :math:`h \propto
    N^{-1/d}`; linear interpolation errs by :math:`O(h^2)`, so

    .. math:: \mathrm{MSE} \propto h^4 \propto N^{-4/d}.

    Source: Sharma & Kaplan (2020), as quoted in arXiv:2310.02258, abstract [paper].

    Parameters
    ----------
    d : int
        Intrinsic input dimension, ``d >= 1``.

    Returns
    -------
    float
        ``4 / d``; 4 for the 1-D task :math:`y = x^2` [paper].

    Examples
    --------
    >>> from efttheory.scaling import sharma_kaplan_alpha
    >>> sharma_kaplan_alpha(1)  # the 1-D task y = x^2: MSE ~ N**-4
    4.0
    >>> sharma_kaplan_alpha(8)  # higher-dimensional data manifolds scale more slowly
    0.5
    """
    d = check_integer("d", d, minimum=1, unbounded=True)
    return 4 / d  # int / int: correctly rounded even for d beyond the float64 range


def relu_interpolation_mse(n_segments, lo=-2.0, hi=2.0) -> float:
    r"""Mean squared error of the piecewise-linear interpolant of :math:`x^2`.

    With :math:`K` equal segments of width :math:`h = (hi - lo)/K`, the
    interpolant through the knots errs by :math:`(x - x_k)(x_{k+1} - x)` on each
    segment, so

    .. math:: \mathrm{MSE}_\mathrm{interp} = \frac{1}{h}\int_0^h t^2 (h - t)^2\,dt = \frac{h^4}{30}.

    Source: [ours] (an instance of the Sharma--Kaplan :math:`h^4` law [paper]).

    Parameters
    ----------
    n_segments : int
        Number of linear pieces :math:`K \ge 1` (a 1-N-1 ReLU net has
        :math:`K \le N + 1`).
    lo, hi : float
        Input interval, ``hi > lo``; the paper's task uses :math:`[-2, 2]` [third party].

    Returns
    -------
    float
        :math:`h^4/30`, the mean over the uniform measure on ``[lo, hi]``.

    Raises
    ------
    ValueError
        If :math:`h^4` overflows float64 (``h`` above about ``1e77``).

    Examples
    --------
    >>> from efttheory.scaling import relu_interpolation_mse
    >>> round(relu_interpolation_mse(4), 6)  # K = 4 segments of width h = 1 on [-2, 2]: h**4 / 30
    0.033333
    >>> relu_interpolation_mse(8) / relu_interpolation_mse(16)  # halving h divides the MSE by 2**4
    16.0
    """
    k = check_integer("n_segments", n_segments, minimum=1, unbounded=True)
    lo, hi = _check_interval_ends(lo, hi)
    return _segment_width_pow4(lo, hi, k, "n_segments") / 30.0


def relu_optimal_mse(n_hidden, lo=-2.0, hi=2.0) -> float:
    r"""Exact lower bound on the MSE of any 1-N-1 ReLU network fitting :math:`x^2`.

    On a segment of width :math:`h` the best line is the secant shifted down by
    :math:`h^2/6`; what remains is the Legendre-:math:`P_2` part of the
    interpolation error, of mean square :math:`h^4/180`. The shifted secants
    join continuously, and by convexity unequal widths only raise
    :math:`\sum_k h_k^5`; a ReLU (or Leaky ReLU) net with :math:`N` hidden units
    has at most :math:`N + 1` linear pieces, so

    .. math:: \mathrm{MSE} \ge \mathrm{MSE}_\mathrm{opt}(N) = \frac{1}{180}\left(\frac{hi - lo}{N + 1}\right)^4
        = \tfrac{1}{6}\,\mathrm{MSE}_\mathrm{interp}(N + 1).

    On a symmetric interval (``lo = -hi``) the bound is attained for even :math:`N`
    (zero-slope middle piece centred on 0, units with :math:`w < 0` on its left and
    :math:`w > 0` on its right) and is strict for odd :math:`N`. Elsewhere it is a lower
    bound that need not be attained: a net with :math:`N` units has one constraint among
    the slopes of its :math:`N + 1` pieces, which the optimal pieces meet only when one of
    them is flat (on :math:`[0, 1]`, :math:`N = 2`, fitted nets stay about 2x above it), and
    :math:`N = 0` is a constant, whose error is larger than this one-line bound.
    Source: [ours].

    Parameters
    ----------
    n_hidden : int
        Hidden width :math:`N \ge 0`.
    lo, hi : float
        Input interval, ``hi > lo``.

    Returns
    -------
    float
        :math:`((hi - lo)/(N + 1))^4 / 180` (mean over the uniform measure).

    Raises
    ------
    ValueError
        If :math:`((hi - lo)/(N + 1))^4` overflows float64.

    Examples
    --------
    >>> from efttheory.scaling import relu_interpolation_mse, relu_optimal_mse
    >>> round(relu_optimal_mse(3) / relu_interpolation_mse(4), 6)  # shifted secants: 1/6 of interpolation
    0.166667
    >>> relu_optimal_mse(7) / relu_optimal_mse(15)  # doubling N + 1 divides the MSE by 2**4
    16.0
    """
    n = check_integer("n_hidden", n_hidden, minimum=0, unbounded=True)
    lo, hi = _check_interval_ends(lo, hi)
    return _segment_width_pow4(lo, hi, n + 1, "n_hidden") / 180.0


# ----------------------------------------------------------------------------
# activations and symmetric tickets
# ----------------------------------------------------------------------------


def silu(z):
    r"""SiLU activation :math:`\sigma(z) = z\,\mathrm{sigmoid}(z) = z/(1 + e^{-z})`.

    Parameters
    ----------
    z : float or array_like
        Pre-activations (finite).

    Returns
    -------
    float or ndarray
        Same shape as ``z``.

    Examples
    --------
    >>> from efttheory.scaling import silu
    >>> silu([-1.0, 0.0, 1.0]).round(6).tolist()
    [-0.268941, 0.0, 0.731059]
    >>> round(silu(3.0) - silu(-3.0), 12)  # z sigmoid(z) + z sigmoid(-z) = z: the odd part of SiLU is z/2
    3.0
    """
    arr = _as_real("z", z)
    return _as_output(arr * expit(arr), arr.ndim == 0)


def _silu_derivative(z: np.ndarray, order: int) -> np.ndarray:
    s = expit(z)
    q = expit(-z)  # 1 - s without cancellation
    p = s * q  # sigmoid'
    m = -np.tanh(0.5 * z)  # 1 - 2 sigmoid, without cancellation near z = 0
    if order == 0:
        return z * s
    if order == 1:
        return s + z * p
    if order == 2:
        return 2.0 * p + z * p * m
    if order == 3:
        return 3.0 * p * m + z * p * (1.0 - 6.0 * p)
    return 4.0 * p * (1.0 - 6.0 * p) + z * p * m * (1.0 - 12.0 * p)


def silu_derivative(z, order):
    r"""Closed-form derivatives :math:`\sigma^{(n)}(z)` of SiLU, ``order`` 0 to 4.

    With :math:`s = \mathrm{sigmoid}(z)` and :math:`p = s(1 - s) = s'`, the
    sigmoid obeys :math:`s'' = p(1 - 2s)`, :math:`s''' = p(1 - 6p)`,
    :math:`s'''' = p(1 - 2s)(1 - 12p)`, and Leibniz's rule for :math:`z s(z)`
    gives :math:`\sigma^{(n)} = n\,s^{(n-1)} + z\,s^{(n)}`:

    .. math::

        \sigma'   &= s + z p, \\
        \sigma''  &= 2p + z p (1 - 2s), \\
        \sigma''' &= 3p(1 - 2s) + z p (1 - 6p), \\
        \sigma''''&= 4p(1 - 6p) + z p (1 - 2s)(1 - 12p).

    In particular :math:`\sigma''(0) = 1/2` and :math:`\sigma''''(0) = -1/2`.
    Source: [ours] (elementary calculus; checked against sympy in the tests).

    Parameters
    ----------
    z : float or array_like
        Pre-activations (finite).
    order : int
        Derivative order, 0 to 4 (0 returns :math:`\sigma` itself).

    Returns
    -------
    float or ndarray
        Same shape as ``z``.

    Examples
    --------
    >>> from efttheory.scaling import silu, silu_derivative
    >>> silu_derivative(0.0, 2), silu_derivative(0.0, 4)  # sigma''(0) = 1/2, sigma''''(0) = -1/2
    (0.5, -0.5)
    >>> silu_derivative(2.0, 0) == silu(2.0)  # order 0 is SiLU itself
    True
    """
    order = check_integer("order", order, minimum=0, maximum=4)
    arr = _as_real("z", z)
    return _as_output(_silu_derivative(arr, order), arr.ndim == 0)


def _tanh_derivative(z: np.ndarray, order: int) -> np.ndarray:
    t = np.tanh(z)
    u = 1.0 - t * t
    if order == 0:
        return t
    if order == 1:
        return u
    if order == 2:
        return -2.0 * t * u
    if order == 3:
        return u * (6.0 * t * t - 2.0)
    return 8.0 * t * u * (2.0 - 3.0 * t * t)


def _activation(name: str, z: np.ndarray) -> np.ndarray:
    if name == "silu":
        return z * expit(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return np.tanh(z)


def _pair_sum(name: str, b: float, u: np.ndarray) -> np.ndarray:
    """sigma(b + u) + sigma(b - u); for tanh without cancelling the two terms.

    tanh(b + u) + tanh(b - u) = 2 sinh(2b) / (cosh 2b + cosh 2u) keeps its relative accuracy
    (checked against 400-digit arithmetic: 4e-16) where the direct sum of two nearly opposite
    terms loses it: b near 0, or |u| > |b|. Used while cosh 2b is finite.
    """
    if name == "tanh" and abs(b) <= 350.0:
        return 2.0 * math.sinh(2.0 * b) / (math.cosh(2.0 * b) + np.cosh(2.0 * u))
    return _activation(name, b + u) + _activation(name, b - u)


def _activation_derivative(name: str, z: float, order: int) -> float:
    """Derivative of a smooth activation at a scalar point (silu, tanh)."""
    arr = np.asarray(z, dtype=np.float64)
    if name == "silu":
        return float(_silu_derivative(arr, order))
    return float(_tanh_derivative(arr, order))


def symmetric_ticket(x, w, b, v, c=0.0, activation="silu"):
    r"""Output of a symmetric lottery ticket: a neuron pair :math:`(w, b, v)`, :math:`(-w, b, v)`.

    .. math:: g(x) = c + v\,[\sigma(b + w x) + \sigma(b - w x)]
        = c + 2v \sum_{k \ge 0} \sigma^{(2k)}(b) \frac{(w x)^{2k}}{(2k)!}

    is exactly even in :math:`x`. The ticket is the lowest-loss solution seen
    among two-neuron SiLU nets, ``w1 = -w2, b1 = b2, v1 = v2`` plus output bias
    :math:`c` [figure; third party]; the series is [ours].

    Parameters
    ----------
    x : float or array_like
        Inputs.
    w, b, v, c : float
        Input weight, bias, output weight of the pair, and output bias.
    activation : {"silu", "relu", "tanh"}
        Hidden activation :math:`\sigma` (SiLU and ReLU as in the paper's
        figure; tanh [ours]).

    Returns
    -------
    float or ndarray
        :math:`g(x)`, same shape as ``x``.

    Raises
    ------
    ValueError
        If :math:`g(x)` or a pre-activation :math:`b \pm wx` overflows float64.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.scaling import symmetric_ticket
    >>> x = np.array([-1.0, 0.5, 1.0])
    >>> # silu''(0) = 1/2, so v = 2 / w**2 matches x**2, up to -w**2 x**4 / 1200
    >>> symmetric_ticket(x, w=0.1, b=0.0, v=200.0).round(4).tolist()
    [0.9992, 0.2499, 0.9992]
    """
    arr = _as_real("x", x)
    w = check_finite_scalar("w", w)
    b = check_finite_scalar("b", b)
    v = check_finite_scalar("v", v)
    c = check_finite_scalar("c", c)
    activation = check_choice("activation", activation, ACTIVATIONS)
    with np.errstate(over="ignore", invalid="ignore"):
        out = c + v * _pair_sum(activation, b, w * arr)
    if not np.all(np.isfinite(out)):
        raise ValueError(
            f"x, w={w!r}, b={b!r}, v={v!r} and c={c!r} give a ticket output beyond the float64 "
            "range (b +- w*x or v*sigma overflows); reduce |x|, |w|, |b| or |v|"
        )
    return _as_output(out, arr.ndim == 0)


def ticket_taylor_coefficients(w, b, v, activation="silu") -> TicketTaylor:
    r"""Taylor coefficients of a symmetric ticket :math:`v[\sigma(b + wx) + \sigma(b - wx)]`.

    .. math::

        c_0 = 2 v \sigma(b), \qquad c_2 = v\,\sigma''(b)\,w^2, \qquad
        c_4 = \frac{v\,\sigma''''(b)\,w^4}{12}.

    Matching :math:`x^2` needs :math:`v = 1/(\sigma''(b) w^2)`, leaving the
    residual :math:`(\sigma''''(b)/(12\sigma''(b)))\, w^2 x^4`: small for small
    :math:`|w|`, but then :math:`v \propto w^{-2}` is ill-conditioned.
    Source: [ours], expanding the ticket of [figure; third party].

    For ReLU, :math:`\sigma''` is a delta function: with :math:`b \ne 0` the
    pair is locally constant (:math:`c_0 = 2v\max(b, 0)`, :math:`c_2 = c_4 = 0`),
    and at :math:`b = 0` it equals :math:`v|w||x|`, which has no Taylor series.

    Parameters
    ----------
    w, b, v : float
        Input weight, bias and output weight of the pair.
    activation : {"silu", "relu", "tanh"}
        Hidden activation.

    Returns
    -------
    TicketTaylor
        ``(c0, c2, c4)``.

    Raises
    ------
    ValueError
        For ``activation="relu"`` with ``b == 0`` (the kink sits at ``x = 0``), or if a
        coefficient overflows float64 (e.g. ``|w| > 1e77``, where :math:`w^4` does).

    Examples
    --------
    >>> from efttheory.scaling import ticket_taylor_coefficients
    >>> ticket_taylor_coefficients(0.1, 0.0, 200.0)  # v = 1 / (silu''(0) w**2) matches x**2: c2 = 1
    TicketTaylor(c0=0, c2=1, c4=-0.000833333)
    >>> ticket_taylor_coefficients(0.2, 0.0, 50.0)  # (w, v) -> (2w, v/4) keeps c2 and multiplies c4 by 4
    TicketTaylor(c0=0, c2=1, c4=-0.00333333)
    """
    w = check_finite_scalar("w", w)
    b = check_finite_scalar("b", b)
    v = check_finite_scalar("v", v)
    activation = check_choice("activation", activation, ACTIVATIONS)
    if activation == "relu":
        if b == 0.0 and w != 0.0:
            raise ValueError(
                "b must be nonzero for activation='relu': at b=0 the ticket is v|w||x|, "
                "which has no Taylor expansion about x=0"
            )
        return _finite_taylor(w, b, v, 2.0 * v * max(b, 0.0), 0.0, 0.0)
    d0 = _activation_derivative(activation, b, 0)
    d2 = _activation_derivative(activation, b, 2)
    d4 = _activation_derivative(activation, b, 4)
    return _finite_taylor(w, b, v, 2.0 * v * d0, _times_power(v * d2, w, 2), _times_power(v * d4, w, 4) / 12.0)


def _times_power(factor: float, w: float, k: int) -> float:
    """``factor * w**k`` for Python floats, with ``w**k`` overflowing to inf instead of raising."""
    try:
        return factor * w**k
    except OverflowError:  # |w| > ~1e154 (k = 2) or ~1e77 (k = 4)
        return 0.0 if factor == 0.0 else math.copysign(math.inf, factor)


def _finite_taylor(w: float, b: float, v: float, c0: float, c2: float, c4: float) -> TicketTaylor:
    if not (math.isfinite(c0) and math.isfinite(c2) and math.isfinite(c4)):
        raise ValueError(
            f"w={w!r}, b={b!r} and v={v!r} give Taylor coefficients beyond the float64 range "
            f"(c0={c0:.3g}, c2={c2:.3g}, c4={c4:.3g}); reduce |w|, |b| or |v|"
        )
    return TicketTaylor(c0=c0, c2=c2, c4=c4)


def _constant_feature_error(w: float, b: float, activation: str) -> ValueError:
    return ValueError(
        f"the ticket feature is constant on the grid for w={w}, b={b} "
        f"(activation={activation!r}); w must be nonzero and the pair must bend on [lo, hi]"
    )


def _direct_ticket_fit(activation: str, w: float, b: float, x: np.ndarray) -> tuple[float, float, float]:
    """Least squares on the pair feature evaluated directly (``|w x|`` beyond the series radius)."""
    with np.errstate(over="ignore", invalid="ignore"):
        y = x * x
        if activation == "tanh" and abs(b) <= 1.0:
            phi = _pair_sum(activation, b, w * x)
            plus = minus = 0.5 * phi
        else:
            plus = _activation(activation, b + w * x)
            minus = _activation(activation, b - w * x)
            phi = plus + minus
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(phi))):
        raise ValueError(
            f"w={w!r}, b={b!r}, lo={x[0]!r} and hi={x[-1]!r} give a target x**2 or a ticket feature "
            "beyond the float64 range on the grid; reduce |w|, |b|, |lo| or |hi|"
        )
    phi_c = phi - phi.mean()
    y_c = y - y.mean()
    # round-off of phi is relative to its two summands, which may cancel each other
    magnitude = float(np.max(np.abs(plus) + np.abs(minus)))
    top = float(np.max(np.abs(phi_c)))
    if top <= 1e-13 * magnitude:
        raise _constant_feature_error(w, b, activation)
    with np.errstate(over="ignore", invalid="ignore"):
        phi_n = phi_c / top  # the feature may be tiny (tanh near b = 0): scale first
        v_top = float(np.dot(phi_n, y_c) / np.dot(phi_n, phi_n))  # v * top
        v = v_top / top
        c = float(y.mean() - v * phi.mean())
        residual = v_top * phi_n - y_c
        mse = float(np.mean(residual * residual))
    return v, c, mse


def _series_ticket_fit(activation: str, w: float, b: float, x: np.ndarray) -> tuple[float, float, float]:
    r"""Least squares on the pair's even Taylor series (``|w x| <= SERIES_RADIUS``).

    The feature is :math:`2\sigma(b) + w^2\tilde\psi(x)` with
    :math:`\tilde\psi = a_1 x^2 + \tilde\rho`, :math:`\tilde\rho = \sum_{k\ge2} a_k w^{2k-2} x^{2k}`.
    The fit's error is the Gram determinant of :math:`(x^2, \tilde\rho)` over
    :math:`\|\tilde\psi\|^2`, computed from :math:`\tilde\rho` itself, so that the
    cancellation of :math:`v\tilde\psi` against :math:`x^2` never happens in floating point.
    """
    if w == 0.0:
        raise _constant_feature_error(w, b, activation)
    a = _pair_series.even_pair_coefficients(activation, b)
    y = x * x
    y_c = y - y.mean()
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        u = w * x
        z = u * u  # (w x)^2 <= SERIES_RADIUS^2
        # rho~ = y * z * sum_{k>=2} a_k z^(k-2)  (Horner)
        h = np.full_like(x, a[-1])
        for ak in a[-2:0:-1]:
            h = h * z + ak
        rho = y * z * h
        psi = a[0] * y + rho
        psi_c = psi - psi.mean()
        if float(np.max(np.abs(psi_c))) <= 1e-13 * float(np.max(np.abs(psi))):
            raise _constant_feature_error(w, b, activation)
        psi_norm = _scaled_norm(psi_c)
        v_scaled = float(np.dot(psi_c / psi_norm, y_c) / psi_norm)
        v = float(np.float64(v_scaled) / w / w)
        sigma_b = float(_activation(activation, np.float64(b)))
        c = float(y.mean() - v * 2.0 * sigma_b - v_scaled * psi.mean())
        rho_c = rho - rho.mean()
        yy = float(np.dot(y_c, y_c))
        rho_perp = rho_c - (float(np.dot(rho_c, y_c)) / yy) * y_c
        ratio = _scaled_norm(rho_perp) / psi_norm
        mse = yy / x.size * ratio * ratio
    return v, c, float(mse)


def _unit_range(values: np.ndarray) -> tuple[np.ndarray, int]:
    """``(values * 2**-e, e)`` with ``max|values * 2**-e|`` in [0.5, 1) (``e = 0`` for zeros).

    The scaling is exact, so scale-free quantities computed from the result are bit-identical
    for ordinary inputs and neither overflow nor underflow for extreme ones.
    """
    top = float(np.max(np.abs(values)))
    exponent = math.frexp(top)[1] if top > 0.0 else 0
    return np.ldexp(values, -exponent), exponent


def _scaled_norm(values: np.ndarray) -> float:
    """Euclidean norm without under- or overflow of the squares (0 for a zero vector)."""
    scaled, exponent = _unit_range(values)
    return math.ldexp(math.sqrt(float(np.dot(scaled, scaled))), exponent)


def ticket_best_fit(w, b, *, activation="silu", lo=-2.0, hi=2.0, n_grid=1001) -> TicketFit:
    r"""Least-squares output weight and bias of one symmetric ticket fitted to :math:`x^2`.

    With the pair feature :math:`\phi(x) = \sigma(b + wx) + \sigma(b - wx)` on the
    grid ``linspace(lo, hi, n_grid)``, minimise
    :math:`\operatorname{mean}_x\,(c + v\phi(x) - x^2)^2`:

    .. math:: v = \frac{\operatorname{cov}(\phi, x^2)}{\operatorname{var}(\phi)}, \qquad
        c = \overline{x^2} - v\,\bar\phi .

    For SiLU at :math:`b = 0` the error falls as :math:`w^4` (residual
    :math:`\propto w^2 x^4`): MSE 6.7e-6, 4.2e-7, 2.7e-8, 1.7e-9 at
    :math:`w = 0.16, 0.08, 0.04, 0.02` — two neurons *can* fit :math:`x^2`
    almost exactly. Source: [ours].

    Evaluation [ours]: for small :math:`|wx|` the feature is :math:`2\sigma(b)` plus terms
    far below the round-off of :math:`2\sigma(b)`, and :math:`v \sim 1/w^2` amplifies that
    round-off (evaluated directly, :math:`w = 10^{-4}, b = 1` gave MSE 2.0e-15 instead of
    3.6e-21). So when :math:`|w|\max(|lo|, |hi|) \le 0.1` the feature is taken from its even
    Taylor series (to order 16, coefficients from closed-form derivatives) and the MSE from
    the series' non-quadratic part, without cancellation; tanh pairs with :math:`|b| \le 1`
    use :math:`2\sinh 2b/(\cosh 2b + \cosh 2wx)`. Checked against 50-digit arithmetic.

    Parameters
    ----------
    w, b : float
        Input weight and bias of the pair (:math:`w \ne 0`).
    activation : {"silu", "relu", "tanh"}
        Hidden activation.
    lo, hi : float
        Grid interval, ``hi > lo``.
    n_grid : int
        Number of grid points, ``>= 3``.

    Returns
    -------
    TicketFit
        ``(v, c, mse)``.

    Raises
    ------
    ValueError
        If the pair's feature is constant on the grid (e.g. ``w = 0``), so that
        ``v`` is not determined, or if the feature, the target or the fit
        overflows float64.

    Examples
    --------
    >>> from efttheory.scaling import ticket_best_fit
    >>> fits = [ticket_best_fit(w, 0.0) for w in (0.16, 0.08, 0.04)]  # SiLU pair at b = 0
    >>> [f"{fit.mse:.1e}" for fit in fits]
    ['6.7e-06', '4.2e-07', '2.7e-08']
    >>> [round(a.mse / b.mse, 1) for a, b in zip(fits, fits[1:])]  # halving w divides the MSE by 2**4
    [15.8, 16.0]
    """
    w = check_finite_scalar("w", w)
    b = check_finite_scalar("b", b)
    activation = check_choice("activation", activation, ACTIVATIONS)
    lo, hi = _check_interval_ends(lo, hi)
    n_grid = check_integer("n_grid", n_grid, minimum=3)
    try:
        x = np.linspace(lo, hi, n_grid)
    except (ValueError, MemoryError):
        raise ValueError(f"n_grid = {n_grid} is too large: a grid of that length cannot be allocated") from None
    if activation != "relu" and abs(w) * max(abs(lo), abs(hi)) <= _pair_series.SERIES_RADIUS:
        v, c, mse = _series_ticket_fit(activation, w, b, x)
    else:
        v, c, mse = _direct_ticket_fit(activation, w, b, x)
    if not (math.isfinite(v) and math.isfinite(c) and math.isfinite(mse)):
        raise ValueError(
            f"w={w!r}, b={b!r}, lo={lo!r} and hi={hi!r} give a least-squares fit beyond the "
            "float64 range; reduce |w|, |b|, |lo| or |hi|"
        )
    return TicketFit(v=v, c=c, mse=mse)


# ----------------------------------------------------------------------------
# ensembling
# ----------------------------------------------------------------------------


def _ensemble_arguments(bias_sq, var, n, corr):
    bias_sq = _as_real("bias_sq", bias_sq)
    var = _as_real("var", var)
    n = _as_real("n", n)
    corr = _as_real("corr", corr)
    if np.any(bias_sq < 0):
        raise ValueError(f"bias_sq must be >= 0, got min {bias_sq.min()}")
    if np.any(var < 0):
        raise ValueError(f"var must be >= 0, got min {var.min()}")
    if np.any(n < 1):
        raise ValueError(f"n must be >= 1 (number of tickets), got min {n.min()}")
    if np.any((corr < 0) | (corr > 1)):
        raise ValueError(f"corr must lie in [0, 1], got values in [{corr.min()}, {corr.max()}]")
    try:
        arrays = np.broadcast_arrays(bias_sq, var, n, corr)
    except ValueError as exc:
        raise ValueError(
            "bias_sq, var, n and corr must broadcast together, got shapes "
            f"{bias_sq.shape}, {var.shape}, {n.shape}, {corr.shape}"
        ) from exc
    scalar = all(a.ndim == 0 for a in (bias_sq, var, n, corr))
    return (*arrays, scalar)


def _ensemble_terms(bias_sq, var, n, corr):
    shared = var * corr  # correlated part of the ticket noise: never averages out
    independent = var * (1.0 - corr) / n  # averages as 1/n
    return bias_sq + shared + independent, independent


def ensemble_mse(bias_sq, var, n, corr=0.0):
    r"""Expected MSE of the average of :math:`n` lottery tickets.

    Ticket errors :math:`\varepsilon_k(x)` with mean :math:`\mu(x)`, variance
    :math:`s^2(x)` and equicorrelation :math:`r` between tickets give

    .. math:: E[\mathrm{MSE}_n] = \langle\mu^2\rangle + \langle s^2\rangle\left(r + \frac{1 - r}{n}\right),

    where :math:`\langle\cdot\rangle` averages over inputs. The paper's
    "central limit theorem of tickets" is the special case
    :math:`\mu \equiv 0`, :math:`r = 0`: :math:`E[\mathrm{MSE}_n] =
    \langle s^2 \rangle / n \propto N^{-1}` [paper]; the bias- and
    correlation-aware form is [ours]. Non-increasing in :math:`n` and tends to
    :math:`\langle\mu^2\rangle + r\langle s^2\rangle`.

    Parameters
    ----------
    bias_sq : float or array_like
        :math:`\langle\mu^2\rangle \ge 0` (squared units of the output).
    var : float or array_like
        :math:`\langle s^2\rangle \ge 0`.
    n : float or array_like
        Number of tickets, ``>= 1`` (real values allowed for interpolation).
    corr : float or array_like
        Equicorrelation :math:`r \in [0, 1]`.

    Returns
    -------
    float or ndarray
        Broadcast shape of the arguments; a float if all are scalars.

    Raises
    ------
    ValueError
        If the expected MSE overflows float64.

    Examples
    --------
    >>> from efttheory.scaling import ensemble_mse
    >>> [ensemble_mse(0.0, 1.0, n) for n in (1, 2, 4, 8)]  # unbiased, independent tickets: 1/n
    [1.0, 0.5, 0.25, 0.125]
    >>> round(ensemble_mse(0.0, 1.0, 1e9, corr=0.1), 6)  # correlated tickets leave a floor r <s^2>
    0.1
    """
    bias_sq, var, n, corr, scalar = _ensemble_arguments(bias_sq, var, n, corr)
    with np.errstate(over="ignore"):
        total, _ = _ensemble_terms(bias_sq, var, n, corr)
    if not np.all(np.isfinite(total)):
        raise ValueError(
            "bias_sq and var are too large: the expected MSE bias_sq + var*(r + (1-r)/n) "
            "overflows float64"
        )
    return _as_output(total, scalar)


def effective_exponent(bias_sq, var, n, corr=0.0):
    r"""Local scaling exponent of :func:`ensemble_mse` with respect to :math:`n`.

    .. math:: \alpha_\mathrm{eff}(n) = -\frac{d \ln E[\mathrm{MSE}_n]}{d \ln n}
        = \frac{\langle s^2\rangle (1 - r)/n}{E[\mathrm{MSE}_n]} \in [0, 1].

    :math:`\alpha_\mathrm{eff} = 1` — the paper's :math:`N^{-1}` law with
    :math:`n \propto N` [paper] — exactly when :math:`\langle\mu^2\rangle = 0`
    and :math:`r = 0`; any shared bias or correlation drives it to 0 at large
    :math:`n`. The exponent depends only on the ratio of ``bias_sq`` to ``var``
    and is computed without overflow for any finite arguments. Source: [ours].

    Parameters
    ----------
    bias_sq, var, n, corr : float or array_like
        As in :func:`ensemble_mse`.

    Returns
    -------
    float or ndarray
        Broadcast shape of the arguments; a float if all are scalars.

    Raises
    ------
    ValueError
        Where the expected MSE is 0 (``bias_sq == var == 0``): a loss that is
        identically 0 has no exponent. (``var == 0`` with ``bias_sq > 0`` gives 0.)

    Examples
    --------
    >>> from efttheory.scaling import effective_exponent
    >>> effective_exponent(0.0, 7.6e-4, 64)  # unbiased, independent tickets: the CLT's N**-1 at every n
    1.0
    >>> effective_exponent(9.4e-4, 7.6e-4, [1, 64]).round(3).tolist()  # a shared bias flattens the law
    [0.447, 0.012]
    """
    bias_sq, var, n, corr, scalar = _ensemble_arguments(bias_sq, var, n, corr)
    # the exponent is homogeneous of degree 0 in (bias_sq, var): bring max(bias_sq, var) into
    # [0.5, 1) by an exact power of two, so that the sum cannot overflow nor var/n underflow
    # (bit-identical for ordinary inputs)
    shift = -np.frexp(np.maximum(bias_sq, var))[1]
    total, independent = _ensemble_terms(np.ldexp(bias_sq, shift), np.ldexp(var, shift), n, corr)
    if np.any(total == 0):
        raise ValueError(
            "effective_exponent is undefined where the expected MSE is 0 "
            "(bias_sq == 0 and var == 0); give bias_sq > 0 or var > 0"
        )
    return _as_output(independent / total, scalar)


def ticket_error_statistics(errors) -> TicketStats:
    r"""Bias--variance decomposition of a pool of ticket errors.

    For errors :math:`e_k(x_j) = f_k(x_j) - y(x_j)` of :math:`K` tickets on a grid,

    .. math::

        \bar e(x) = \frac{1}{K}\sum_k e_k(x), \quad
        \langle\mu^2\rangle = \operatorname{mean}_x \bar e(x)^2, \quad
        \langle s^2\rangle = \operatorname{mean}_x \frac{1}{K}\sum_k (e_k(x) - \bar e(x))^2 .

    The variance uses ``ddof=0`` (the plug-in, population form) on purpose:
    then ``mean_mse = bias_sq + var`` holds exactly, and
    :func:`ensemble_mse` ``(bias_sq, var, n)`` is the *exact* expected MSE of an
    average of ``n`` tickets drawn with replacement from this pool (the
    resampling protocol of the ensemble check). As estimates of a population of
    tickets, ``bias_sq`` is high and ``var`` low by :math:`\langle s^2\rangle/K`
    on average. Source: [ours].

    Parameters
    ----------
    errors : array_like, shape (n_tickets, n_x)
        Ticket errors on a common grid (finite), ``n_tickets >= 1``, ``n_x >= 1``.

    Returns
    -------
    TicketStats
        ``(bias_sq, var, mean_mse, bias_fraction, mean_error)``.

    Raises
    ------
    ValueError
        If ``errors`` is empty or a mean square overflows float64.

    Examples
    --------
    >>> from efttheory.scaling import ensemble_mse, ticket_error_statistics
    >>> stats = ticket_error_statistics([[1.0, -1.0], [3.0, 1.0]])  # two tickets on a two-point grid
    >>> stats.bias_sq, stats.var, stats.mean_mse  # mean error (2, 0), spread 1 at both points
    (2.0, 1.0, 3.0)
    >>> ensemble_mse(stats.bias_sq, stats.var, 1) == stats.mean_mse  # ddof=0 makes bias_sq + var exact
    True
    """
    e = as_finite_array("errors", errors, ndim=2)
    if e.shape[0] < 1 or e.shape[1] < 1:
        raise ValueError(f"errors must have shape (n_tickets >= 1, n_x >= 1), got {e.shape}")
    # work in units of a power of two near max|e| (exact): squares of tiny errors would
    # underflow to 0 and make the bias fraction 0 (errors of 1e-170 did)
    e_unit, exponent = _unit_range(e)
    mean_unit = e_unit.mean(axis=0)
    bias_unit = float(np.mean(mean_unit**2))
    var_unit = float(np.mean(np.mean((e_unit - mean_unit) ** 2, axis=0)))
    mse_unit = float(np.mean(e_unit**2))
    bias_fraction = bias_unit / mse_unit if mse_unit > 0 else 0.0
    with np.errstate(over="ignore", under="ignore"):
        mean_error = np.ldexp(mean_unit, exponent)
        bias_sq, var, mean_mse = (float(np.ldexp(x, 2 * exponent)) for x in (bias_unit, var_unit, mse_unit))
    if not (math.isfinite(bias_sq) and math.isfinite(var) and math.isfinite(mean_mse)):
        raise ValueError(
            f"errors are too large (max |e| = {float(np.max(np.abs(e))):.3g}): their mean squares "
            "overflow float64"
        )
    mean_error.setflags(write=False)
    return TicketStats(
        bias_sq=bias_sq,
        var=var,
        mean_mse=mean_mse,
        bias_fraction=min(1.0, bias_fraction),
        mean_error=mean_error,
    )


# ----------------------------------------------------------------------------
# reflection symmetry of trained networks
# ----------------------------------------------------------------------------


def symmetric_pairs(w, b, v, rtol=0.1) -> list[tuple[int, int]]:
    r"""All neuron pairs that are approximate reflections :math:`(w, b, v) \leftrightarrow (-w, b, v)`.

    A pair :math:`(i, j)`, :math:`i < j`, is symmetric when

    .. math:: \max(|w_i + w_j|, |b_i - b_j|, |v_i - v_j|)
        < \mathrm{rtol}\cdot\max(|w_i|, |w_j|, |b_i|, |b_j|, |v_i|, |v_j|).

    Every qualifying pair is returned (a neuron may appear in several), so the
    result is independent of the order of the neurons. Definition [ours]; the
    symmetric ticket itself is [figure; third party]. Numba kernel, O(N^2) time,
    O(1) extra memory besides the output.

    Parameters
    ----------
    w, b, v : array_like, shape (N,)
        Input weights, biases and output weights of the hidden units.
    rtol : float
        Relative tolerance in (0, 1].

    Returns
    -------
    list of tuple of int
        Pairs ``(i, j)`` with ``i < j`` in lexicographic order.

    Examples
    --------
    >>> from efttheory.scaling import symmetric_pairs
    >>> w, b, v = [1.0, -1.0, 0.5], [0.2, 0.2, -1.0], [0.3, 0.3, 2.0]
    >>> symmetric_pairs(w, b, v)  # units 0 and 1 are reflections (w, b, v) <-> (-w, b, v)
    [(0, 1)]
    """
    w, b, v = _parameter_vectors(w, b, v)
    rtol = _check_rtol(rtol)
    count = _kernels.symmetric_pair_count(w, b, v, rtol)
    pairs = _kernels.symmetric_pair_indices(w, b, v, rtol, count)
    return [(int(i), int(j)) for i, j in pairs]


def reflection_partner_fraction(w, b, v, rtol=0.1) -> float:
    r"""Fraction of hidden units that have at least one reflection partner.

    A unit :math:`i` has a partner when some :math:`j \ne i` forms a symmetric
    pair with it in the sense of :func:`symmetric_pairs`. Used to test the
    [third party] observation that a wide SiLU net's :math:`(w_i, b_i)` cloud is
    symmetric under :math:`w \to -w`; the statistic is [ours].

    Parameters
    ----------
    w, b, v : array_like, shape (N,)
        Hidden-unit parameters, ``N >= 1``.
    rtol : float
        Relative tolerance in (0, 1].

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> from efttheory.scaling import reflection_partner_fraction
    >>> w, b, v = [1.0, -1.0, 0.5], [0.2, 0.2, -1.0], [0.3, 0.3, 2.0]
    >>> round(reflection_partner_fraction(w, b, v), 6)  # units 0 and 1 pair up, unit 2 has no partner
    0.666667
    """
    w, b, v = _parameter_vectors(w, b, v, min_units=1)
    rtol = _check_rtol(rtol)
    flags = _kernels.reflection_partner_flags(w, b, v, rtol)
    return float(np.count_nonzero(flags)) / w.size


def _reflection_cost_matrix(w: np.ndarray, b: np.ndarray, v: np.ndarray) -> np.ndarray:
    r"""Normalised distances :math:`D_{ij} = \lVert p_i - R p_j\rVert / (\lVert p_i\rVert + \lVert p_j\rVert)`.

    :math:`p_i = (w_i, b_i, v_i)` and :math:`R(w, b, v) = (-w, b, v)`; entries
    lie in [0, 1] (0/0 is read as 0). Internal helper of
    :func:`reflection_matching_cost`.

    :math:`D_{ij}` is scale-free, so each pair is first multiplied by the power
    of two that brings :math:`\max(\lVert p_i\rVert_\infty, \lVert p_j\rVert_\infty)`
    into [0.5, 1): the squares can then neither overflow nor (for the
    dominant components) underflow, and for ordinary inputs the scaling is
    exact, so the result is bit-identical to the unscaled formula.
    """
    p = np.stack([w, b, v], axis=1)
    reflected = p * np.array([-1.0, 1.0, 1.0])
    top = np.max(np.abs(p), axis=1)
    _, exponent = np.frexp(np.maximum(top[:, None], top[None, :]))
    shift = -exponent[:, :, None]
    p_i = np.ldexp(p[:, None, :], shift)
    q_j = np.ldexp(reflected[None, :, :], shift)
    diff = p_i - q_j
    dist = np.sqrt(np.sum(diff * diff, axis=-1))
    denom = np.sqrt(np.sum(p_i * p_i, axis=-1)) + np.sqrt(np.sum(q_j * q_j, axis=-1))
    out = np.zeros_like(dist)
    np.divide(dist, denom, out=out, where=denom > 0)
    return np.minimum(out, 1.0)


def reflection_matching_cost(w, b, v) -> float:
    r"""Mean normalised distance of the best matching of a net to its reflection.

    With :math:`p_i = (w_i, b_i, v_i)` and :math:`R(w, b, v) = (-w, b, v)`,

    .. math:: C = \min_{\pi \in S_N} \frac{1}{N}\sum_{i=1}^N
        \frac{\lVert p_i - R\,p_{\pi(i)}\rVert}{\lVert p_i\rVert + \lVert p_{\pi(i)}\rVert} \in [0, 1].

    :math:`C = 0` exactly when the set of units is closed under :math:`R`
    (units with :math:`w = 0` are their own reflection). The minimum over
    permutations is solved with a Numba Hungarian kernel in :math:`O(N^3)`.
    Definition [ours], probing the [third party] reflection-symmetric cloud.
    The cost is invariant under a common rescaling of :math:`(w, b, v)` and is
    computed without overflow for any finite parameters.

    Parameters
    ----------
    w, b, v : array_like, shape (N,)
        Hidden-unit parameters, ``N >= 1``.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> from efttheory.scaling import reflection_matching_cost
    >>> reflection_matching_cost([1.0, -1.0], [0.5, 0.5], [2.0, 2.0])  # closed under w -> -w
    0.0
    >>> round(reflection_matching_cost([1.0, 1.0], [0.5, 0.5], [2.0, 2.0]), 6)  # two copies, no mirror image
    0.436436
    """
    w, b, v = _parameter_vectors(w, b, v, min_units=1)
    cost = _reflection_cost_matrix(w, b, v)
    if not np.all(np.isfinite(cost)):  # cannot happen after the scaling; never hand NaN to the kernel
        raise ValueError("w, b and v give a non-finite reflection cost matrix")
    match = _kernels.optimal_assignment(cost)
    return float(np.mean(cost[np.arange(w.size), match]))


def odd_part_norm(f_values) -> float:
    r"""Relative size of the odd part of a function sampled on a symmetric grid.

    .. math:: \frac{\lVert f(x) - f(-x)\rVert}{2\lVert f(x)\rVert} \in [0, 1]

    with :math:`f(-x)` read as ``f_values[::-1]``: the grid must be symmetric
    about 0 (e.g. ``linspace(-2, 2, 1001)``). 0 for even and 1 for odd
    :math:`f`. A network that fits the even target :math:`x^2` well has a small
    odd part. Definition [ours]. The ratio does not change when ``f_values``
    is multiplied by a constant, and is computed without overflow or underflow
    for any finite values.

    Parameters
    ----------
    f_values : array_like, shape (n_x,)
        Function values on a grid symmetric about 0, not all zero.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.scaling import odd_part_norm
    >>> x = np.linspace(-2.0, 2.0, 5)  # a grid symmetric about 0
    >>> odd_part_norm(x**2), odd_part_norm(x**3)  # even target: no odd part; odd function: nothing else
    (0.0, 1.0)
    """
    f = as_finite_array("f_values", f_values, ndim=1, min_size=1)
    top = float(np.max(np.abs(f)))
    if top == 0.0:
        raise ValueError("f_values must not be identically zero: its odd part fraction is undefined")
    f, _ = _unit_range(f)  # the ratio is scale-free
    norm = float(np.linalg.norm(f))
    return min(1.0, float(np.linalg.norm(f - f[::-1])) / (2.0 * norm))


# ----------------------------------------------------------------------------
# loss statistics across random initialisations
# ----------------------------------------------------------------------------


def loss_histogram_modes(losses, *, bin_decades=0.25, dip=0.5, min_share=0.05) -> list[Mode]:
    r"""Peaks of the histogram of :math:`\log_{10}` losses of many trained nets.

    The [third party] / [figure] observation: among many two-neuron nets the
    loss histogram has discrete peaks, the lowest being the symmetric ticket.
    Procedure [ours]:

    1. bin :math:`\log_{10}` losses in bins of width ``bin_decades`` aligned to
       multiples of ``bin_decades``;
    2. take the local maxima (a flat top counts once);
    3. repeatedly merge the two neighbouring peaks whose separating minimum is
       highest relative to the smaller peak, while that minimum is
       ``> dip`` times the smaller peak (the higher peak gives the centre);
    4. give each peak the nets of its basin (basins split at the lowest bin
       between neighbouring peaks, that bin going to the left peak) and keep
       the peaks whose basin holds at least ``min_share`` of all nets.

    Parameters
    ----------
    losses : array_like, shape (n_nets,)
        Positive, finite losses.
    bin_decades : float
        Bin width in decades, > 0; at most ``10**6`` bins may lie between the
        smallest and the largest loss (a smaller width raises ``ValueError``).
    dip : float
        Merge threshold in [0, 1]: two neighbouring peaks stay separate only if
        the lowest bin between them holds ``<= dip`` times the smaller peak's
        count (0: only an empty bin separates; 1: any dip separates).
    min_share : float
        Minimum share of the nets in a kept mode, in [0, 1].

    Returns
    -------
    list of Mode
        Ordered by increasing ``log10_center``, the centre of the mode's peak bin (the
        middle of a flat top). A bin wider than the losses' spread puts them all in one
        bin, whose centre can lie outside their range.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.scaling import loss_histogram_modes
    >>> losses = np.concatenate([np.logspace(-3.95, -3.8, 40), np.logspace(-2.2, -2.05, 60)])  # two basins
    >>> loss_histogram_modes(losses)  # one mode per basin, centred on its 0.25-decade bin
    [Mode(log10_center=-3.875, count=40), Mode(log10_center=-2.125, count=60)]
    """
    values = as_finite_array("losses", losses, ndim=1, min_size=1)
    if np.any(values <= 0):
        raise ValueError(f"losses must be > 0 (they are binned in log10), got min {values.min()}")
    width = check_positive("bin_decades", bin_decades)
    dip = check_in_interval("dip", dip, 0.0, 1.0)
    min_share = check_in_interval("min_share", min_share, 0.0, 1.0)

    logs = np.log10(values)
    scaled = np.floor(logs / width)
    lowest, highest = float(scaled.min()), float(scaled.max())
    if not (np.isfinite(lowest) and np.isfinite(highest)) or max(-lowest, highest) > 2.0**52:
        raise ValueError(
            f"bin_decades = {width!r} is too small for losses whose log10 reaches "
            f"{float(np.max(np.abs(logs))):.4g}: the bin indices exceed 2**52 and cannot be "
            "resolved in float64"
        )
    if highest - lowest + 1.0 > MAX_HISTOGRAM_BINS:
        raise ValueError(
            f"bin_decades = {width!r} would make {highest - lowest + 1.0:.4g} bins over the "
            f"{float(logs.max() - logs.min()):.4g} decades spanned by losses; at most "
            f"{MAX_HISTOGRAM_BINS} bins are allowed, so bin_decades must be >= "
            f"{float(logs.max() - logs.min()) / (MAX_HISTOGRAM_BINS - 1):.3g}"
        )
    cells = scaled.astype(np.int64)
    first = int(cells.min())
    counts = np.bincount(cells - first)
    n_bins = counts.size

    # 2. local maxima, flat tops counted once: [start, end, height, centre_bin]
    peaks = []
    start = 0
    while start < n_bins:
        end = start
        while end + 1 < n_bins and counts[end + 1] == counts[start]:
            end += 1
        height = int(counts[start])
        left_lower = start == 0 or counts[start - 1] < height
        right_lower = end == n_bins - 1 or counts[end + 1] < height
        if height > 0 and left_lower and right_lower:
            peaks.append([start, end, height, 0.5 * (start + end)])
        start = end + 1

    # 3. merge shallow valleys, shallowest first
    while len(peaks) > 1:
        best, best_ratio = -1, -1.0
        for k in range(len(peaks) - 1):
            valley = int(counts[peaks[k][1] + 1 : peaks[k + 1][0]].min())
            smaller = min(peaks[k][2], peaks[k + 1][2])
            ratio = valley / smaller
            if valley > dip * smaller and ratio > best_ratio:
                best, best_ratio = k, ratio
        if best < 0:
            break
        left, right = peaks[best], peaks[best + 1]
        top = left if left[2] >= right[2] else right
        peaks[best : best + 2] = [[left[0], right[1], top[2], top[3]]]

    # 4. basins and shares
    total = values.size
    bounds = [0]
    for k in range(len(peaks) - 1):
        lo_bin, hi_bin = peaks[k][1] + 1, peaks[k + 1][0]
        bounds.append(lo_bin + int(np.argmin(counts[lo_bin:hi_bin])) + 1)
    bounds.append(n_bins)
    modes = []
    for k, peak in enumerate(peaks):
        count = int(counts[bounds[k] : bounds[k + 1]].sum())
        if count / total >= min_share:  # the share as a correctly rounded quotient: 7 / 100 >= 0.07
            centre = (first + peak[3] + 0.5) * width
            modes.append(Mode(log10_center=float(centre), count=count))
    return modes


def scaling_exponent(widths, losses, *, stat="median", n_boot=1000, rng=None) -> PowerLawFit:
    r"""Scaling exponent :math:`\hat\alpha` of a loss statistic versus width.

    Fits :math:`L_\mathrm{stat}(N) = A N^{-\alpha}` by least squares of
    :math:`\log L_\mathrm{stat}` on :math:`\log N`, with a 95 % bootstrap
    interval that resamples the seeds within each width; delegates to
    :func:`efttheory.solvers.fit_power_law`. The paper's statistic is the
    median test loss over random initialisations, and its value for
    :math:`y = x^2` with SiLU is :math:`\alpha = 1` [paper; third party]. The
    exponent depends on the training protocol (optimizer, steps) [ours], so
    report it together with that protocol.

    Parameters
    ----------
    widths : array_like, shape (n_widths,)
        Hidden widths (or parameter counts) :math:`N > 0`, at least 3 distinct.
    losses : array_like, shape (n_widths, n_seeds)
        Positive test losses, one row per width (for ``stat="mean"``, ``n_seeds``
        times the largest loss must stay within the float64 range).
    stat : {"median", "mean"}
        Statistic of the seeds at each width; the paper uses the median [third party].
    n_boot : int
        Bootstrap resamples, ``>= 0`` (0: no interval, ``ci_low = ci_high = exponent``).
    rng : numpy.random.Generator, int, SeedSequence or None
        Source of randomness for the bootstrap; the result is deterministic given it.

    Returns
    -------
    efttheory.solvers.PowerLawFit
        ``(exponent, ci_low, ci_high, prefactor, x, y_stat)``.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.scaling import scaling_exponent
    >>> widths = np.array([8, 16, 32, 64])
    >>> losses = np.outer(1.0 / widths, [0.9, 1.0, 1.1])  # three seeds per width, median exactly 1 / N
    >>> fit = scaling_exponent(widths, losses, n_boot=200, rng=0)
    >>> round(fit.exponent, 6), round(fit.prefactor, 6), bool(fit.ci_low <= 1.0 <= fit.ci_high)
    (1.0, 1.0, True)
    """
    x = as_finite_array("widths", widths, ndim=1, min_size=1)
    y = as_finite_array("losses", losses, ndim=2)
    if y.shape[0] != x.size:
        raise ValueError(
            f"losses must have shape (n_widths, n_seeds) = ({x.size}, n_seeds), got {y.shape}"
        )
    if y.shape[1] < 1:
        raise ValueError(f"losses must hold at least one seed per width, got shape {y.shape}")
    if np.any(x <= 0):
        raise ValueError(f"widths must be > 0, got min {x.min()}")
    n_distinct = np.unique(x).size
    if n_distinct < 3:
        raise ValueError(f"widths must hold at least 3 distinct values to fit a power law, got {n_distinct}")
    if np.any(y <= 0):
        raise ValueError(f"losses must be > 0 (they are fitted in log space), got min {y.min()}")
    stat = check_choice("stat", stat, ("median", "mean"))
    if stat == "mean" and not math.isfinite(float(y.max()) * y.shape[1]):
        raise ValueError(
            f"losses are too large for stat='mean' (max {float(y.max()):.3g} over {y.shape[1]} "
            "seeds): the sums of a width's losses overflow float64; rescale the losses "
            "(the exponent does not depend on their unit)"
        )
    n_boot = check_integer("n_boot", n_boot, minimum=0)
    generator = as_generator("rng", rng)
    return fit_power_law(x, y, stat=stat, n_boot=n_boot, ci=0.95, rng=generator)
