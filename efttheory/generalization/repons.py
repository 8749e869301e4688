r"""Dynamics of two repons: conserved hyperbola, closed form, and the arctan law.

Effective theory of Baek, Liu & Tegmark (arXiv:2402.05916 v2, Eq. 8-13, App. C)
as quoted by a third party (a teaching notebook and its Lean files) [third party].
Two same-class latent vectors ("repons") :math:`x_1, x_2` feed a decoder
linearised as :math:`D(x) = A x + b`; gradient flow with :math:`\eta_x = \eta_\mathrm{enc}`
on the repons and :math:`\eta_A = \eta_\mathrm{dec}` on the decoder reduces, for the
half-separation :math:`c` and the decoder weight :math:`a` along it, to (Eq. 10)

.. math:: \dot a = -2\eta_A c^2 a,\qquad \dot c = -\eta_x a^2 c,

which conserves (Eq. 11, Theorem 2)

.. math:: C = \frac{a^2}{2\eta_A} - \frac{c^2}{\eta_x}.

:math:`C > 0` ends in a collision (:math:`c \to 0`, generalization); :math:`C < 0`
in a dead spring (:math:`a \to 0`, memorization). With independent Gaussian
initial :math:`a, c` (Theorem 3, Eq. 12)

.. math:: P(C > 0) = \frac{2}{\pi}\arctan\!\left(\frac{\sigma_a}{\sigma_c}
          \sqrt{\frac{\eta_\mathrm{enc}}{2\eta_\mathrm{dec}}}\right).

A lone repon at distance :math:`d = 2c` from a co-located cluster of :math:`N`
obeys :math:`\dot a = -\eta_A \frac{N}{N+1} d^2 a`, :math:`\dot d = -\eta_x a^2 d`
[ours], so (Eq. 13, derived form [ours]; the third party's printed form fails its
own :math:`N = 1` check)

.. math:: p_N = \frac{2}{\pi}\arctan\!\left(\frac{\sigma_a}{\sigma_c}
          \sqrt{\frac{(1 + 1/N)\,\eta_x}{4\eta_A}}\right).

Both systems are the reduced flow :math:`\dot a = -\kappa\eta_A c^2 a`,
:math:`\dot c = -\eta_x a^2 c` with :math:`\kappa = 2` (two repons, ``cluster_size=None``)
or :math:`\kappa = N/(N+1)` (cluster, with :math:`c` the lone repon's distance), and
conserve :math:`C_\kappa = a^2/(\kappa\eta_A) - c^2/\eta_x`. The closed form below is
[ours].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from efttheory._arguments import (
    as_finite_array,
    as_generator,
    broadcast_arrays,
    check_choice,
    check_in_interval,
    check_integer,
    check_positive,
)
from efttheory.errors import ConvergenceError
from efttheory.generalization import _kernels
from efttheory.generalization.closure import MCEstimate

__all__ = [
    "ReponTrajectory",
    "conserved_quantity",
    "critical_lr_ratio",
    "generalization_probability",
    "generalization_probability_mc",
    "integrate_repons",
    "printed_cluster_probability",
    "reduced_repon_rhs",
    "repon_closed_form",
]


_STEP_LIMIT = 2**62  # largest accepted max_steps: step counts stay exact in int64


def _coupling(cluster_size) -> float:
    """kappa: 2 for two repons (None), N/(N+1) for a lone repon against a cluster of N."""
    if cluster_size is None:
        return 2.0
    n = check_integer("cluster_size", cluster_size, minimum=1)
    return n / (n + 1.0)


def _rates(eta_dec, eta_enc) -> tuple[float, float]:
    return check_positive("eta_dec", eta_dec), check_positive("eta_enc", eta_enc)


def _moderate(value, log2_limit: int):
    """True where ``value`` is 0 or its magnitude lies in [2**-log2_limit, 2**log2_limit]."""
    mag = np.abs(value)
    return (mag == 0) | ((mag >= 2.0**-log2_limit) & (mag <= 2.0**log2_limit))


def _scaled_product(sign, *factors):
    """``sign * prod(factors)`` on exponent/mantissa pairs: no intermediate overflow or underflow.

    The result is inf (or 0) only when the exact product lies beyond (below) the float64 range.
    """
    mantissa = np.full(np.broadcast(*factors).shape, float(sign))
    exponent = np.zeros(mantissa.shape, dtype=np.int64)
    for f in factors:
        m, e = np.frexp(f)
        mantissa = mantissa * m  # products of numbers in [0.5, 1): no underflow for < 1000 factors
        exponent = exponent + e
    with np.errstate(over="ignore", under="ignore"):
        return np.ldexp(mantissa, np.clip(exponent, -4000, 4000).astype(np.int32))


def _conserved_scaled(a, c, kappa, eta_a, eta_x):
    """``(d, top)`` with C = d * 2**top, from mantissa/exponent pairs (no over- or underflow)."""
    ma, ea = np.frexp(a)
    mc, ec = np.frexp(c)
    mk, ek = np.frexp(kappa)
    m_a, e_a = np.frexp(eta_a)
    m_x, e_x = np.frexp(eta_x)
    m1, e1 = ma * ma / (mk * m_a), 2 * ea.astype(np.int64) - ek - e_a
    m2, e2 = mc * mc / m_x, 2 * ec.astype(np.int64) - e_x
    top = np.maximum(np.where(m1 != 0, e1, e2), np.where(m2 != 0, e2, e1))
    with np.errstate(under="ignore"):
        shift1 = np.clip(e1 - top, -4000, 0).astype(np.int32)
        shift2 = np.clip(e2 - top, -4000, 0).astype(np.int32)
        return np.ldexp(m1, shift1) - np.ldexp(m2, shift2), top


def _conserved_unsafe(a, c, eta_a, eta_x):
    """Entries where the direct form of C may over- or underflow in an intermediate."""
    return ~(_moderate(a, 200) & _moderate(c, 200) & _moderate(eta_a, 300) & _moderate(eta_x, 300))


def _conserved(a, c, kappa, eta_a, eta_x):
    """C = a^2/(kappa eta_a) - c^2/eta_x, exact in sign and range where the direct form over/underflows."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        out = a * a / (kappa * eta_a) - c * c / eta_x
    bad = _conserved_unsafe(a, c, eta_a, eta_x)
    if np.any(bad):
        diff, top = _conserved_scaled(a, c, kappa, eta_a, eta_x)
        with np.errstate(over="ignore", under="ignore"):
            robust = np.ldexp(diff, np.clip(top, -4000, 4000).astype(np.int32))
        out = np.where(bad, robust, out)
    return out


def _conserved_positive(a, c, kappa, eta_a, eta_x):
    """``C > 0``, exact in sign even where C itself under- or overflows float64."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        positive = a * a / (kappa * eta_a) - c * c / eta_x > 0
    bad = _conserved_unsafe(a, c, eta_a, eta_x)
    if np.any(bad):
        positive = np.where(bad, _conserved_scaled(a, c, kappa, eta_a, eta_x)[0] > 0, positive)
    return positive


def reduced_repon_rhs(a, c, eta_dec, eta_enc, *, cluster_size: int | None = None):
    r"""Right-hand side of the reduced repon flow (Eq. 10).

    .. math:: \dot a = -\kappa\,\eta_\mathrm{dec}\, c^2 a,\qquad \dot c = -\eta_\mathrm{enc}\, a^2 c

    Parameters
    ----------
    a : float or array_like
        Decoder weight along the separation.
    c : float or array_like
        Half-separation of the two repons (distance of the lone repon for a cluster).
    eta_dec, eta_enc : float
        Decoder and encoder learning rates (> 0), i.e. :math:`\eta_A` and :math:`\eta_x`.
    cluster_size : int, optional
        ``None``: two repons (:math:`\kappa = 2`); ``N >= 1``: lone repon vs cluster of
        ``N`` (:math:`\kappa = N/(N+1)`).

    Returns
    -------
    (da, dc) : tuple of float or ndarray

    Examples
    --------
    >>> from efttheory.generalization import reduced_repon_rhs
    >>> a, c, eta_dec, eta_enc = 1.0, 0.5, 1.0, 2.0
    >>> da, dc = reduced_repon_rhs(a, c, eta_dec, eta_enc)
    >>> da, dc  # both shrink: the decoder weight and the separation
    (-0.5, -1.0)
    >>> 2 * a * da / (2 * eta_dec) - 2 * c * dc / eta_enc  # dC/dt = 0: the flow stays on its hyperbola
    0.0
    """
    eta_a, eta_x = _rates(eta_dec, eta_enc)
    kappa = _coupling(cluster_size)
    a = as_finite_array("a", a)
    c = as_finite_array("c", c)
    a, c = broadcast_arrays("a, c", a, c)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        da = -kappa * eta_a * c * c * a
        dc = -eta_x * a * a * c
    # outside the box where no intermediate can over- or underflow, redo the products on
    # mantissa/exponent pairs, rounded once (a true rate beyond float64 is +-inf, never NaN)
    unsafe = ~(_moderate(a, 200) & _moderate(c, 200) & _moderate(eta_a, 300) & _moderate(eta_x, 300))
    if np.any(unsafe):
        da = np.where(unsafe, _scaled_product(-1.0, kappa, eta_a, c, c, a), da)
        dc = np.where(unsafe, _scaled_product(-1.0, eta_x, a, a, c), dc)
    da, dc = np.asarray(da), np.asarray(dc)
    if da.ndim == 0:
        return float(da), float(dc)
    return da, dc


def conserved_quantity(a, c, eta_dec, eta_enc, *, cluster_size: int | None = None):
    r"""The conserved hyperbolic invariant (Eq. 11, Theorem 2).

    .. math:: C = \frac{a^2}{\kappa\,\eta_\mathrm{dec}} - \frac{c^2}{\eta_\mathrm{enc}},

    :math:`\kappa = 2` for two repons (the paper's form) and :math:`N/(N+1)` for a
    lone repon against a cluster of :math:`N` [ours].

    Parameters
    ----------
    a, c : float or array_like
    eta_dec, eta_enc : float
        Learning rates, > 0.
    cluster_size : int, optional

    Returns
    -------
    float or ndarray
        Exact in sign and correctly rounded to a few ulp even where :math:`a^2` or
        :math:`c^2` leave the float64 range; :math:`\pm\infty` only when :math:`C`
        itself does.

    Examples
    --------
    >>> from efttheory.generalization import conserved_quantity
    >>> # C > 0: the repons collide (generalization); C < 0: the decoder weight dies (memorization)
    >>> conserved_quantity([1.0, 0.5], [0.5, 1.0], eta_dec=1.0, eta_enc=1.0).tolist()
    [0.25, -0.875]
    >>> # the first pair seen as a repon at distance d = 2c = 1 from a "cluster" of N = 1: C_1 = 4 C
    >>> conserved_quantity(1.0, 1.0, eta_dec=1.0, eta_enc=1.0, cluster_size=1)
    1.0
    """
    eta_a, eta_x = _rates(eta_dec, eta_enc)
    kappa = _coupling(cluster_size)
    a = as_finite_array("a", a)
    c = as_finite_array("c", c)
    a, c = broadcast_arrays("a, c", a, c)
    out = np.asarray(_conserved(a, c, kappa, eta_a, eta_x))
    return float(out) if out.ndim == 0 else out


def _psi(s):
    """(1 - exp(-s)) / s with psi(0) = 1, accurate for small s."""
    s = np.asarray(s, dtype=np.float64)
    safe = np.where(s > 0, s, 1.0)
    return np.where(s > 0, -np.expm1(-safe) / safe, 1.0)


def _closed_form_log(a0, c0, kappa, eta_a, eta_x, t):
    """The closed form with every magnitude carried as a logarithm (no over- or underflow).

    With P = eta_x a0^2 t and Q = kappa eta_a c0^2 t: x = 2 (P - Q) = 2 t kappa eta_a eta_x C,
    s = |x|, g = 2 Q psi(s); a / a0 and c / c0 are exp of combinations of log(1 + g),
    log(E + g) and -s. ``C`` comes from mantissa/exponent pairs, as accurate as the direct form.
    """
    diff, top = _conserved_scaled(a0, c0, kappa, eta_a, eta_x)  # C = diff * 2**top
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        log_t = np.log(t)
        log2 = math.log(2.0)
        log_s = (log2 + log_t + math.log(kappa) + math.log(eta_a) + math.log(eta_x)
                 + np.log(np.abs(diff)) + top * log2)
        log_s = np.where((diff == 0) | (t == 0), -np.inf, log_s)
        s = np.exp(log_s)
        log_psi = np.where(s > 700.0, -log_s, np.log(_psi(np.minimum(s, 700.0))))
        log_g = log2 + math.log(kappa) + math.log(eta_a) + 2.0 * np.log(np.abs(c0)) + log_t + log_psi
        positive = diff >= 0
        log_den = np.where(positive, np.logaddexp(0.0, log_g), np.logaddexp(-s, log_g))
        log_a = np.where(positive, -0.5 * log_den, 0.5 * (-s - log_den))
        log_c = np.where(positive, 0.5 * (-s - log_den), -0.5 * log_den)
        return a0 * np.exp(log_a), c0 * np.exp(log_c)


def repon_closed_form(a0, c0, eta_dec, eta_enc, t, *, cluster_size: int | None = None):
    r"""Exact solution of the reduced repon flow, in a form uniform through :math:`C = 0` [ours].

    With :math:`w = c^2`, :math:`K = \eta_x C`, the flow gives
    :math:`\dot w = -2\kappa\eta_A\, w (w + K)`, a logistic equation. Writing
    :math:`x = 2\kappa\eta_A\eta_x C t`, :math:`s = |x|`,
    :math:`\psi(s) = (1 - e^{-s})/s`, :math:`g = 2\kappa\eta_A c_0^2\, t\, \psi(s)`,
    :math:`E = e^{-s}`:

    .. math::

        x \ge 0:\ a = \frac{a_0}{\sqrt{1 + g}},\ c = c_0\sqrt{\frac{E}{1 + g}};\qquad
        x < 0:\ a = a_0\sqrt{\frac{E}{E + g}},\ c = \frac{c_0}{\sqrt{E + g}} .

    Parameters
    ----------
    a0, c0 : float or array_like
        Initial values (broadcast together).
    eta_dec, eta_enc : float
        Learning rates, > 0.
    t : float or array_like
        Times, ``t >= 0`` (broadcast against ``a0, c0``).
    cluster_size : int, optional
        See :func:`reduced_repon_rhs`.

    Returns
    -------
    (a, c) : tuple of float or ndarray
        Entries with ``a0``, ``c0`` or the rates outside :math:`2^{\pm 100}` or ``t``
        outside :math:`2^{\pm 300}` are evaluated with every magnitude carried as a
        logarithm (relative accuracy about :math:`10^{-13}`), so no intermediate
        overflows or underflows.

    Examples
    --------
    >>> from efttheory.generalization import conserved_quantity, repon_closed_form
    >>> a, c = repon_closed_form(1.0, 0.5, eta_dec=1.0, eta_enc=1.0, t=10.0)  # C = 1/2 - 1/4 > 0
    >>> round(a, 6), round(c, 6)  # collision: c -> 0 while a -> sqrt(2 eta_dec C) = 0.7071
    (0.707115, 0.002382)
    >>> round(conserved_quantity(a, c, eta_dec=1.0, eta_enc=1.0), 12)  # still on the hyperbola
    0.25
    """
    eta_a, eta_x = _rates(eta_dec, eta_enc)
    kappa = _coupling(cluster_size)
    a0 = as_finite_array("a0", a0)
    c0 = as_finite_array("c0", c0)
    t = as_finite_array("t", t)
    if np.any(t < 0):
        raise ValueError(f"t must be >= 0, got min {t.min()}")
    a0, c0, t = broadcast_arrays("a0, c0, t", a0, c0, t)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        beta = 2.0 * kappa * eta_a
        big_c = a0 * a0 / (kappa * eta_a) - c0 * c0 / eta_x
        x = beta * eta_x * big_c * t
        s = np.abs(x)
        g = beta * c0 * c0 * t * _psi(s)
        e = np.exp(-s)
        positive = x >= 0
        a = np.where(positive, a0 / np.sqrt(1.0 + g), a0 * np.sqrt(e / (e + g)))
        c = np.where(positive, c0 * np.sqrt(e / (1.0 + g)), c0 / np.sqrt(e + g))
    # outside the box where no intermediate can over- or underflow (rates and a0, c0 within
    # 2**+-100, t within 2**+-300), or where one did: redo those entries in log form
    bad = (~(_moderate(a0, 100) & _moderate(c0, 100) & _moderate(eta_a, 100) & _moderate(eta_x, 100)
             & _moderate(t, 300)) | ~np.isfinite(x) | ~np.isfinite(g) | ~np.isfinite(a) | ~np.isfinite(c)
           | (s > 700.0))  # exp(-s) loses precision as it nears underflow (s > 708)
    if np.any(bad):
        a_log, c_log = _closed_form_log(a0, c0, kappa, eta_a, eta_x, t)
        a, c = np.where(bad, a_log, a), np.where(bad, c_log, c)
    if a.ndim == 0:
        return float(a), float(c)
    return a, c


@dataclass(frozen=True, repr=False)
class ReponTrajectory:
    r"""Reduced repon trajectories from :func:`integrate_repons`.

    Attributes
    ----------
    t : ndarray, shape (T,)
        Output times (``(1,)`` = ``[t_end]`` for ``step="rate"``).
    a, c : ndarray, shape (T, S)
        Decoder weight and half-separation for each of ``S`` initial conditions.
    conserved : ndarray, shape (T, S)
        :math:`C` along the trajectory.
    steps : ndarray of int, shape (S,)
        RK4 steps taken per sample.
    scale : ndarray, shape (S,)
        :math:`a_0^2/(\kappa\eta_A) + c_0^2/\eta_x`, the natural size of :math:`C`.
    """

    t: np.ndarray
    a: np.ndarray
    c: np.ndarray
    conserved: np.ndarray
    steps: np.ndarray
    scale: np.ndarray

    @property
    def relative_drift(self) -> float:
        r"""Max over samples and times of :math:`|C(t) - C(0)|` over :math:`a_0^2/(\kappa\eta_A) + c_0^2/\eta_x`."""
        drift = np.abs(self.conserved - self.conserved[0]) / np.where(self.scale > 0, self.scale, 1.0)
        return float(drift.max())

    def __repr__(self) -> str:
        return (f"ReponTrajectory(samples={self.a.shape[1]}, times={self.t.size}, "
                f"t_end={self.t[-1]:.4g}, steps={int(self.steps.max())} max)")


def integrate_repons(a0, c0, eta_dec, eta_enc, t_end, *, dt: float = 5e-4, step: str = "fixed",
                     h: float = 0.1, n_out: int = 1, cluster_size: int | None = None,
                     max_steps: int = 10**8) -> ReponTrajectory:
    r"""Integrate the reduced repon flow (Eq. 10) for a batch of initial conditions with RK4.

    ``step="fixed"``: classical RK4 with step ``dt`` (the output interval is cut into
    equal steps of at most ``dt``). ``step="rate"``: step :math:`h/\lambda` with
    :math:`\lambda = \kappa\eta_A c^2 + \eta_x a^2`, the flow's rate; it never grows
    along a trajectory, so the step is safe [ours].

    Parameters
    ----------
    a0, c0 : float or array_like, shape (S,)
        Initial decoder weight and half-separation.
    eta_dec, eta_enc : float or array_like, shape (S,)
        Learning rates, > 0 (scalars broadcast over samples).
    t_end : float
        Final time, > 0.
    dt : float
        Fixed step, > 0; it must need at most ``max_steps`` steps to reach ``t_end``.
    step : {"fixed", "rate"}
    h : float
        Dimensionless step of the rate-limited scheme, in (0, 1].
    n_out : int
        ``step="fixed"`` only: number of equally spaced output times after 0 (>= 1).
        ``dt``, ``h`` and ``n_out`` are checked whichever ``step`` uses them.
    cluster_size : int, optional
        See :func:`reduced_repon_rhs`.
    max_steps : int
        Per-sample step budget, in [1, 2**62] (default :math:`10^8`). ``step="fixed"``:
        a ``dt`` (or ``n_out``) needing more steps is refused with a ValueError before
        any work; ``step="rate"``: see Raises.

    Returns
    -------
    ReponTrajectory

    Raises
    ------
    ValueError
        Bad arguments, incl. ``step="fixed"`` with ``dt`` too small for ``max_steps``, and
        ``a0``, ``c0`` so large that the flow's rate or :math:`C` overflows float64.
    ConvergenceError
        If a rate-limited trajectory needs more than ``max_steps`` steps, or a
        fixed-step trajectory goes non-finite (``dt`` too large for the rate).

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.generalization import integrate_repons, repon_closed_form
    >>> a0, c0 = np.array([1.0, 0.5]), np.array([0.5, 1.0])  # C = 0.25 > 0 and C = -0.875 < 0
    >>> traj = integrate_repons(a0, c0, eta_dec=1.0, eta_enc=1.0, t_end=10.0, dt=1e-2)
    >>> np.round(traj.c[-1], 4).tolist()  # the first pair collides; the second stalls as a dies
    [0.0024, 0.9354]
    >>> a_end, c_end = repon_closed_form(a0, c0, 1.0, 1.0, 10.0)
    >>> bool(np.allclose(traj.a[-1], a_end, atol=1e-8) and np.allclose(traj.c[-1], c_end, atol=1e-8))
    True
    """
    a0 = np.atleast_1d(as_finite_array("a0", a0, ndim=(0, 1), min_size=1))
    c0 = np.atleast_1d(as_finite_array("c0", c0, ndim=(0, 1), min_size=1))
    eta_a = np.atleast_1d(as_finite_array("eta_dec", eta_dec, ndim=(0, 1), min_size=1))
    eta_x = np.atleast_1d(as_finite_array("eta_enc", eta_enc, ndim=(0, 1), min_size=1))
    for name, arr in (("eta_dec", eta_a), ("eta_enc", eta_x)):
        if np.any(arr <= 0):
            raise ValueError(f"{name} must be > 0, got min {arr.min()}")
    try:
        a0, c0, eta_a, eta_x = (np.ascontiguousarray(v, dtype=np.float64)
                                for v in np.broadcast_arrays(a0, c0, eta_a, eta_x))
    except ValueError as exc:
        raise ValueError(f"a0, c0, eta_dec, eta_enc must broadcast to one shape (S,): {exc}") from None
    t_end = check_positive("t_end", t_end)
    check_choice("step", step, ("fixed", "rate"))
    # every argument is checked, also those the chosen step does not use
    dt = check_positive("dt", dt)
    n_out = check_integer("n_out", n_out, minimum=1)
    h = check_in_interval("h", h, 0.0, 1.0, closed=(False, True))
    kappa = _coupling(cluster_size)
    kappa_eta_a = kappa * eta_a
    with np.errstate(over="ignore"):
        rate = kappa_eta_a * c0 * c0 + eta_x * a0 * a0
        scale = a0 * a0 / kappa_eta_a + c0 * c0 / eta_x
    if not (np.all(np.isfinite(rate)) and np.all(np.isfinite(scale))):
        k = int(np.argmin(np.isfinite(rate) & np.isfinite(scale)))
        raise ValueError(
            f"a0, c0 are too large for the rates: sample {k} (a0 = {a0[k]}, c0 = {c0[k]}) overflows "
            f"float64 in the rate kappa*eta_dec*c0**2 + eta_enc*a0**2 or in a0**2/(kappa*eta_dec) "
            f"+ c0**2/eta_enc; use repon_closed_form for such magnitudes")
    max_steps = check_integer("max_steps", max_steps, minimum=1, maximum=_STEP_LIMIT)
    if step == "fixed":
        if n_out > max_steps:  # every output interval takes at least one step
            raise ValueError(f"n_out must be <= max_steps = {max_steps} (one step at least per output), "
                             f"got {n_out}")
        times = np.linspace(0.0, t_end, n_out + 1)
        with np.errstate(over="ignore"):
            per_interval = np.maximum(np.ceil(np.diff(times) / dt - 1e-9), 1.0)
        total = float(np.sum(per_interval))
        if not total <= max_steps:  # also catches inf
            raise ValueError(f"dt = {dt} needs about {total:.4g} RK4 steps to reach t_end = {t_end}, "
                             f"more than max_steps = {max_steps}; increase dt (or max_steps)")
        steps = np.full(a0.shape, int(total), dtype=np.int64)
        a, c = _kernels.reduced_rk4_fixed(a0, c0, kappa_eta_a, eta_x, times, dt)
    else:
        a_end, c_end, steps = _kernels.reduced_rk4_rate(a0, c0, kappa_eta_a, eta_x, t_end, h, max_steps)
        times = np.array([0.0, t_end])
        a = np.stack([a0, a_end])
        c = np.stack([c0, c_end])
        if np.any(steps < 0):
            bad = int(np.count_nonzero(steps < 0))
            raise ConvergenceError(
                f"{bad} rate-limited trajectories did not reach t_end={t_end} in max_steps={max_steps}",
                last_iterate=(a_end, c_end), iterations=max_steps)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(c))):
        k = int(np.argmin(np.all(np.isfinite(a) & np.isfinite(c), axis=0)))
        raise ConvergenceError(
            f"integrate_repons: RK4 went non-finite for sample {k} (a0 = {a0[k]}, c0 = {c0[k]}); "
            f"the step is unstable, reduce dt or use step='rate'",
            last_iterate=(a, c), iterations=int(steps.max()))
    conserved = a * a / kappa_eta_a - c * c / eta_x
    return ReponTrajectory(times, a, c, conserved, steps, scale)


def _probability_argument(rates, sigma_a, sigma_c, cluster_size):
    """(sigma_a/sigma_c) sqrt(kappa' ratio) with kappa' = 1/2 (two repons) or (1 + 1/N)/4.

    ``rates = (eta_enc, eta_dec)``, ``ratio = eta_enc / eta_dec``; an over- or underflowing
    intermediate is redone in log form.
    """
    ratio = rates[0] / rates[1]
    factor = 0.5 if cluster_size is None or cluster_size == 1 else (1.0 + 1.0 / cluster_size) / 4.0
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        out = (sigma_a / sigma_c) * np.sqrt(factor * ratio)
    if not (np.isfinite(out) and out > 0):  # an intermediate over/underflowed (inf * 0 = NaN)
        log_arg = (math.log(sigma_a) - math.log(sigma_c)
                   + 0.5 * (math.log(factor) + math.log(rates[0]) - math.log(rates[1])))
        out = math.exp(log_arg) if log_arg < 709.0 else math.inf
    return out


def generalization_probability(eta_enc, eta_dec, *, sigma_a=1.0, sigma_c=1.0, cluster_size: int = 1) -> float:
    r"""Probability that two repons (or a repon and a cluster) collide (Eq. 12; Eq. 13 derived form).

    .. math:: p_N = \frac{2}{\pi}\arctan\!\left(\frac{\sigma_a}{\sigma_c}
              \sqrt{\frac{(1 + 1/N)\,\eta_\mathrm{enc}}{4\,\eta_\mathrm{dec}}}\right),

    which is Eq. 12, :math:`\frac{2}{\pi}\arctan(\frac{\sigma_a}{\sigma_c}\sqrt{\eta_\mathrm{enc}/(2\eta_\mathrm{dec})})`,
    at :math:`N = 1` [third party], and our derived cluster form for :math:`N > 1` [ours]
    (:math:`\sigma_c` is the standard deviation of the half-separation, :math:`\sigma_d = 2\sigma_c`).
    It bounds the probability of generalization from above: collision is necessary, not sufficient.

    Parameters
    ----------
    eta_enc, eta_dec : float
        Encoder and decoder learning rates, > 0.
    sigma_a, sigma_c : float
        Initial standard deviations of the decoder weight and the half-separation, > 0.
    cluster_size : int
        ``N >= 1`` repons in the cluster (1: two repons).

    Returns
    -------
    float
        In [0, 1).

    Examples
    --------
    >>> from efttheory.generalization import generalization_probability
    >>> round(generalization_probability(eta_enc=2.0, eta_dec=1.0), 6)  # (2/pi) arctan(1): a coin flip
    0.5
    >>> [round(generalization_probability(r, 1.0), 4) for r in (0.2, 2.0, 20.0)]  # faster encoder helps
    [0.195, 0.5, 0.805]
    """
    eta_enc = check_positive("eta_enc", eta_enc)
    eta_dec = check_positive("eta_dec", eta_dec)
    sigma_a = check_positive("sigma_a", sigma_a)
    sigma_c = check_positive("sigma_c", sigma_c)
    n = check_integer("cluster_size", cluster_size, minimum=1)
    return float(2.0 / math.pi * math.atan(_probability_argument((eta_enc, eta_dec), sigma_a, sigma_c, n)))


def printed_cluster_probability(eta_enc, eta_dec, *, sigma_a=1.0, sigma_c=1.0, cluster_size: int = 1) -> float:
    r"""Eq. 13 as printed by the third party (kept to document the discrepancy; do not use).

    .. math:: \frac{2}{\pi}\arctan\!\left(\frac{\sigma_a}{\sigma_c}
              \sqrt{\frac{\eta_x}{4 (1 + 1/N)\,\eta_A}}\right)

    It gives 0.295, not Eq. 12's 0.5, at :math:`N = 1`, :math:`\eta_x = 2\eta_A` [ours].

    Parameters
    ----------
    eta_enc, eta_dec : float
        Encoder and decoder learning rates :math:`\eta_x, \eta_A`, finite and > 0.
    sigma_a, sigma_c : float, default 1.0
        Initial standard deviations of the decoder weight and the half-separation,
        finite and > 0.
    cluster_size : int, default 1
        Number ``N >= 1`` of repons in the cluster.

    Returns
    -------
    float
        The printed formula's value, in [0, 1). Its square-root argument is
        :math:`(1 + 1/N)^2` times smaller than that of :func:`generalization_probability`.

    Raises
    ------
    TypeError
        A rate or standard deviation that is not a real number, or ``cluster_size`` not
        an integer.
    ValueError
        A rate or standard deviation that is not finite and > 0, or ``cluster_size < 1``.

    Examples
    --------
    >>> from efttheory.generalization import generalization_probability, printed_cluster_probability
    >>> round(printed_cluster_probability(eta_enc=2.0, eta_dec=1.0, cluster_size=1), 3)
    0.295
    >>> generalization_probability(eta_enc=2.0, eta_dec=1.0, cluster_size=1)  # Eq. 12 at N = 1
    0.5
    """
    eta_enc = check_positive("eta_enc", eta_enc)
    eta_dec = check_positive("eta_dec", eta_dec)
    sigma_a = check_positive("sigma_a", sigma_a)
    sigma_c = check_positive("sigma_c", sigma_c)
    n = check_integer("cluster_size", cluster_size, minimum=1)
    arg = (sigma_a / sigma_c) * math.sqrt(eta_enc / (4.0 * (1.0 + 1.0 / n) * eta_dec))
    return float(2.0 / math.pi * math.atan(arg))


def critical_lr_ratio(p, *, sigma_a=1.0, sigma_c=1.0, cluster_size: int = 1) -> float:
    r"""Encoder/decoder learning-rate ratio at which :func:`generalization_probability` equals ``p``.

    .. math:: \frac{\eta_\mathrm{enc}}{\eta_\mathrm{dec}} = \frac{4}{1 + 1/N}
              \left(\frac{\sigma_c}{\sigma_a}\right)^2 \tan^2\frac{\pi p}{2}

    (:math:`2(\sigma_c/\sigma_a)^2\tan^2(\pi p/2)` at :math:`N = 1`) [ours].

    Parameters
    ----------
    p : float
        Target probability in [0, 1).
    sigma_a, sigma_c : float
        > 0.
    cluster_size : int
        ``N >= 1``.

    Returns
    -------
    float
        :math:`\eta_\mathrm{enc}/\eta_\mathrm{dec}`.

    Raises
    ------
    ValueError
        Bad arguments, or a ratio beyond the float64 range (extreme ``sigma_c/sigma_a``).

    Examples
    --------
    >>> from efttheory.generalization import critical_lr_ratio, generalization_probability
    >>> round(critical_lr_ratio(0.5), 6), round(critical_lr_ratio(0.9), 1)  # sigma_a = sigma_c
    (2.0, 79.7)
    >>> r = critical_lr_ratio(0.9, cluster_size=8)  # a cluster of 8 needs a faster encoder
    >>> round(r, 1), round(generalization_probability(r, 1.0, cluster_size=8), 6)
    (141.7, 0.9)
    """
    p = check_in_interval("p", p, 0.0, 1.0, closed=(True, False))
    sigma_a = check_positive("sigma_a", sigma_a)
    sigma_c = check_positive("sigma_c", sigma_c)
    n = check_integer("cluster_size", cluster_size, minimum=1)
    factor = 0.5 if n == 1 else (1.0 + 1.0 / n) / 4.0
    # near p = 1 use 1/tan(pi (1 - p)/2): 1 - p is exact there, pi p/2 is not (62 % off at p = 1 - 2**-53)
    tangent = math.tan(math.pi * p / 2.0) if p <= 0.5 else 1.0 / math.tan(math.pi * (1.0 - p) / 2.0)
    if p == 0.0:
        return 0.0
    # log of the result: decides over/underflow without forming an overflowing intermediate
    log_ratio = 2.0 * (math.log(sigma_c) - math.log(sigma_a) + math.log(tangent)) - math.log(factor)
    if log_ratio > math.log(np.finfo(np.float64).max):
        raise ValueError(
            f"the critical ratio (sigma_c/sigma_a)**2 tan(pi p/2)**2 / {factor:g} = e^{log_ratio:.1f} is "
            f"beyond the float64 range for p = {p}, sigma_a = {sigma_a}, sigma_c = {sigma_c}")
    try:
        out = float((sigma_c / sigma_a) ** 2 * tangent**2 / factor)
    except OverflowError:
        out = math.inf
    if not (np.isfinite(out) and out >= np.finfo(np.float64).tiny):  # an intermediate over/underflowed
        out = math.exp(log_ratio)
    return out


def generalization_probability_mc(eta_enc, eta_dec, *, n_samples: int, rng, sigma_a=1.0, sigma_c=1.0,
                                  cluster_size: int = 1, method: str = "sign", t_end=None, eps=0.05,
                                  h=0.1, max_steps: int = 10**7) -> MCEstimate:
    r"""Monte-Carlo of the collision probability over Gaussian initialisations.

    Draws :math:`a_0 \sim N(0, \sigma_a^2)` and the separation (half-separation
    :math:`c_0 \sim N(0, \sigma_c^2)` for two repons, distance
    :math:`d_0 \sim N(0, (2\sigma_c)^2)` for a cluster of ``N > 1``).
    ``method="sign"`` counts :math:`C > 0`; ``method="ode"`` integrates each sample
    with the rate-limited RK4 to ``t_end`` and calls a collision when
    :math:`|c(t_\mathrm{end})| < \epsilon |c_0|`; ``agreement`` is the fraction of
    samples whose fate matches :math:`\mathrm{sign}(C)` [ours].

    Parameters
    ----------
    eta_enc, eta_dec : float
        > 0.
    n_samples : int
        ``>= 2``.
    rng : numpy.random.Generator or int
    sigma_a, sigma_c : float
        > 0.
    cluster_size : int
        ``N >= 1`` (1: two repons, coupling :math:`\kappa = 2`; else :math:`N/(N+1)`).
    method : {"sign", "ode"}
        ``"sign"`` decides the sign of :math:`C` exactly for any magnitude of the draws;
        ``"ode"`` raises ValueError when ``sigma_a``, ``sigma_c`` make the flow's rate
        overflow float64.
    t_end : float, optional
        ODE horizon (> 0). The flow's rate is proportional to the learning rates and to the
        squared magnitudes, so the default measures the horizon in the flow's own time unit:
        :math:`500 / (\min(\eta_\mathrm{enc}, \eta_\mathrm{dec}) \min(\sigma_a, \sigma_c)^2)`,
        which is 500 at unit rates and scales [ours]. A fixed horizon of 500 left most samples
        undecided at learning rates of 1e-3 (p = 0.0035 against 0.14 from Eq. 12).
    eps, h : float
        Collision threshold in (0, 1), rate-limited step in (0, 1].
    max_steps : int
        Per-sample step budget for ``method="ode"``, in [1, 2**62] (checked with either
        method, as are ``t_end``, ``eps`` and ``h``).

    Returns
    -------
    MCEstimate

    Examples
    --------
    >>> from efttheory.generalization import generalization_probability, generalization_probability_mc
    >>> exact = generalization_probability(eta_enc=2.0, eta_dec=1.0)  # Eq. 12: 0.5
    >>> mc = generalization_probability_mc(2.0, 1.0, n_samples=20000, rng=0)
    >>> bool(abs(mc.p - exact) < 0.02)  # the standard error is 0.0035
    True
    >>> ode = generalization_probability_mc(2.0, 1.0, n_samples=100, rng=0, method="ode")
    >>> bool(ode.agreement > 0.95)  # integrated fates follow the sign of C
    True
    """
    eta_enc = check_positive("eta_enc", eta_enc)
    eta_dec = check_positive("eta_dec", eta_dec)
    sigma_a = check_positive("sigma_a", sigma_a)
    sigma_c = check_positive("sigma_c", sigma_c)
    n = check_integer("cluster_size", cluster_size, minimum=1)
    n_samples = check_integer("n_samples", n_samples, minimum=2)
    check_choice("method", method, ("sign", "ode"))
    if t_end is not None:
        t_end = check_positive("t_end", t_end)
    elif method == "ode":
        t_end = 500.0 / min(eta_enc, eta_dec) / min(sigma_a, sigma_c) / min(sigma_a, sigma_c)
        if not math.isfinite(t_end):
            raise ValueError(f"the default t_end = 500 / (min(eta) min(sigma)^2) overflows for eta_enc = "
                             f"{eta_enc}, eta_dec = {eta_dec}, sigma_a = {sigma_a}, sigma_c = {sigma_c}; "
                             "pass t_end, or use method='sign'")
    eps = check_in_interval("eps", eps, 0.0, 1.0, closed=(False, False))
    h = check_in_interval("h", h, 0.0, 1.0, closed=(False, True))
    max_steps = check_integer("max_steps", max_steps, minimum=1, maximum=_STEP_LIMIT)  # also for "sign"
    generator = as_generator("rng", rng)
    cluster = None if n == 1 else n
    a0 = generator.normal(0.0, sigma_a, n_samples)
    c0 = generator.normal(0.0, sigma_c if cluster is None else 2.0 * sigma_c, n_samples)
    sign = _conserved_positive(a0, c0, _coupling(cluster), eta_dec, eta_enc)
    if method == "sign":
        hits = sign
        agreement = float("nan")
    else:
        kappa = _coupling(cluster)
        with np.errstate(over="ignore"):
            finite = np.all(np.isfinite(kappa * eta_dec * c0 * c0 + eta_enc * a0 * a0)) and np.all(
                np.isfinite(a0 * a0 / (kappa * eta_dec) + c0 * c0 / eta_enc))
        if not finite:
            raise ValueError(
                f"sigma_a = {sigma_a}, sigma_c = {sigma_c} are too large for method='ode': the flow's "
                f"rate overflows float64 for some draws; use method='sign' (exact for any magnitude)")
        traj = integrate_repons(a0, c0, eta_dec, eta_enc, t_end, step="rate", h=h, cluster_size=cluster,
                                max_steps=max_steps)
        hits = np.abs(traj.c[-1]) < eps * np.abs(c0)
        agreement = float(np.mean(hits == sign))
    p = float(np.mean(hits))
    return MCEstimate(p, float(np.sqrt(max(p * (1 - p), 1e-300) / n_samples)), n_samples, agreement)
