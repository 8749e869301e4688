r"""Power-law fits :math:`y = A\,x^{-\alpha}` with bootstrap confidence intervals.

The exponent is the least-squares slope of :math:`\log y` on :math:`\log x`,

.. math::

    \hat\alpha = -\frac{\sum_i (u_i - \bar u)(v_i - \bar v)}{\sum_i (u_i - \bar u)^2},
    \qquad u_i = \log x_i,\; v_i = \log \mathrm{stat}_i,\qquad
    \log \hat A = \bar v + \hat\alpha\,\bar u,

where :math:`\mathrm{stat}_i` is the median (or mean) of the samples at
:math:`x_i`. Source: Sharma & Kaplan style exponent fits as specified for the
lottery-ticket scaling area (scaling-lottery spec, Sect. 5) [ours].
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from efttheory._arguments import (
    as_finite_array,
    as_generator,
    check_choice,
    check_in_interval,
    check_integer,
)

__all__ = ["PowerLawFit", "fit_power_law"]

# bootstrap replicates are drawn in chunks holding at most this many indices
_CHUNK_ELEMENTS = 2_000_000


@dataclass(frozen=True, repr=False)
class PowerLawFit:
    r"""Result of :func:`fit_power_law`; call it to evaluate :math:`A x^{-\alpha}`.

    Attributes
    ----------
    exponent : float
        :math:`\hat\alpha` (the fitted slope is :math:`-\hat\alpha`).
    ci_low, ci_high : float
        Bootstrap percentile interval of the exponent (``ci_low <= exponent <= ci_high``).
    prefactor : float
        :math:`\hat A`.
    x : ndarray, shape (n_x,)
        The abscissae.
    y_stat : ndarray, shape (n_x,)
        The statistic (median or mean) of the samples at each ``x``.
    stat : str
        ``"median"`` or ``"mean"``.
    ci : float
        Confidence level of the interval.
    method : str
        ``"within-x"`` (2-D samples resampled within each x), ``"residual"``
        (one sample per x: residual bootstrap) or ``"none"`` (``n_boot = 0``).
    bootstrap_exponents : ndarray, shape (n_boot,)
        The bootstrap replicates of the exponent.
    """

    exponent: float
    ci_low: float
    ci_high: float
    prefactor: float
    x: np.ndarray
    y_stat: np.ndarray
    stat: str = "median"
    ci: float = 0.95
    method: str = "within-x"
    bootstrap_exponents: np.ndarray = field(default_factory=lambda: np.empty(0))

    def __call__(self, x) -> np.ndarray | float:
        r"""Evaluate the fitted law :math:`\hat A\,x^{-\hat\alpha}` at ``x`` (> 0)."""
        xa = as_finite_array("x", x)
        if np.any(xa <= 0):
            raise ValueError(f"x must be > 0, got minimum {xa.min()}")
        out = self.prefactor * xa ** (-self.exponent)
        return float(out) if out.ndim == 0 else out

    def __repr__(self) -> str:
        return (
            f"PowerLawFit(exponent={self.exponent:.4g}, {100 * self.ci:g}% CI "
            f"[{self.ci_low:.4g}, {self.ci_high:.4g}], prefactor={self.prefactor:.4g}, "
            f"n_x={self.x.size}, stat={self.stat!r}, method={self.method!r})"
        )


def _slopes(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Least-squares slopes of ``v[..., i]`` on ``u[i]`` along the last axis."""
    uc = u - u.mean()
    vc = v - v.mean(axis=-1, keepdims=True)
    return (vc @ uc) / (uc @ uc)


#: Largest n_boot: the replicate exponents are held in memory.
_MAX_BOOT = 10**7


def _statistic(values: np.ndarray, stat: str) -> np.ndarray:
    reduce = np.median if stat == "median" else np.mean
    with np.errstate(over="ignore"):
        out = reduce(values, axis=-1)
    if not np.all(np.isfinite(out)):  # a sum overflowed: redo on values scaled by the row maximum
        top = values.max(axis=-1, keepdims=True)
        out = np.where(np.isfinite(out), out, top[..., 0] * reduce(values / top, axis=-1))
    return out


def fit_power_law(x, samples, *, stat: str = "median", n_boot: int = 1000, ci: float = 0.95,
                  rng=None) -> PowerLawFit:
    r"""Fit :math:`y = A\,x^{-\alpha}` by least squares in log-log space, with a bootstrap CI.

    Parameters
    ----------
    x : array_like, shape (n_x,)
        Positive abscissae (e.g. widths or dataset sizes) with at least 3
        distinct values.
    samples : array_like, shape (n_x,) or (n_x, n_samples)
        Positive observations (e.g. losses over seeds) at each ``x``.
    stat : {"median", "mean"}
        Statistic of the samples at each ``x`` that is fitted.
    n_boot : int
        Bootstrap replicates, in [0, 10**7] (0: no bootstrap, ``ci_low = ci_high = exponent``).
    ci : float
        Confidence level in (0, 1).
    rng : numpy.random.Generator, SeedSequence, int or None
        Source of the resampling; the result is deterministic given it.

    Returns
    -------
    PowerLawFit

    Notes
    -----
    *Two-dimensional samples* (``n_samples >= 2``): every replicate resamples, with
    replacement and independently for each ``x``, ``n_samples`` of that row,
    recomputes the statistic and the slope; the interval is given by the
    ``(1 - ci)/2`` and ``(1 + ci)/2`` percentiles of the replicates.

    *One sample per x* (1-D ``samples`` or ``n_samples = 1``): resampling within
    an ``x`` would change nothing, so a residual bootstrap is used instead: the
    log-space residuals :math:`r_i`, inflated by :math:`\sqrt{n/(n-2)}` for the two
    fitted parameters, are resampled with replacement and added to the fitted
    line. Noise-free data give a zero-width interval.

    The percentile interval need not contain the point estimate when the
    bootstrap distribution is skewed (e.g. medians of few samples); it is then
    widened to include it, so ``ci_low <= exponent <= ci_high`` always holds.

    Coverage is below nominal for small designs (measured on
    :math:`y = 10^{-2} x^{-1}` times lognormal noise, :math:`\sigma = 0.3`, nominal
    95 %, 1 000 runs each) [ours]: one sample per ``x`` covers 81 % with 4 distinct
    ``x``, 86 % with 5, 87 % with 6 and 91 % with 10 or 20 (a Student-t interval on the
    log-log fit covers 94-96 %; the residual bootstrap has no heavy tails for few
    degrees of freedom). Within-x resampling (widths 8 ... 128) covers 95-97 % with
    ``stat="median"`` and 3 or more samples per ``x``, but 74 % with 2 samples, and
    with ``stat="mean"`` 79 % (3 samples), 87 % (4), 90 % (8), 93 % (16), because
    resampling ``k`` values underestimates the variance of their mean by
    :math:`(k-1)/k`. Read the interval of a small design as a lower bound on the
    uncertainty.

    Raises
    ------
    ValueError
        Fewer than 3 distinct ``x``, non-positive ``x`` or ``samples``, shape mismatch,
        bad ``stat``, ``n_boot`` or ``ci``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([8.0, 16.0, 32.0, 64.0])
    >>> fit = fit_power_law(x, 3.0 * x**-1.5, n_boot=0)
    >>> round(fit.exponent, 12), round(fit.prefactor, 12)
    (1.5, 3.0)
    """
    xa = as_finite_array("x", x, ndim=1)
    if np.any(xa <= 0):
        raise ValueError(f"x must be > 0 (a power law is fitted in log x), got minimum {xa.min()}")
    n_distinct = np.unique(xa).size
    if n_distinct < 3:
        raise ValueError(f"x must hold at least 3 distinct values to fit a power law, got {n_distinct}")
    ya = as_finite_array("samples", samples, ndim=(1, 2))
    if ya.shape[0] != xa.size:
        raise ValueError(
            f"samples must have one row per x (shape ({xa.size},) or ({xa.size}, n_samples)), "
            f"got shape {ya.shape}"
        )
    if ya.size == 0:
        raise ValueError("samples must hold at least one sample per x, got none")
    if np.any(ya <= 0):
        raise ValueError(
            f"samples must be > 0 (a power law is fitted in log y), got minimum {ya.min()}"
        )
    stat = check_choice("stat", stat, ("median", "mean"))
    n_boot = check_integer("n_boot", n_boot, minimum=0, maximum=_MAX_BOOT)
    level = check_in_interval("ci", ci, 0.0, 1.0, closed=(False, False))
    gen = as_generator("rng", rng)

    rows = ya if ya.ndim == 2 else ya[:, None]
    u = np.log(xa)
    y_stat = _statistic(rows, stat)
    v = np.log(y_stat)
    slope = float(_slopes(u, v))
    exponent = -slope
    intercept = float(v.mean() - slope * u.mean())
    prefactor = float(np.exp(intercept))

    n_x, n_s = rows.shape
    if n_boot == 0:
        method = "none"
        boot = np.empty(0)
    elif n_s >= 2:
        method = "within-x"
        boot = np.empty(n_boot)
        per = max(1, _CHUNK_ELEMENTS // (n_x * n_s))
        row_index = np.arange(n_x)[None, :, None]
        for start in range(0, n_boot, per):
            m = min(per, n_boot - start)
            picks = gen.integers(0, n_s, size=(m, n_x, n_s))
            resampled = rows[row_index, picks]
            boot[start:start + m] = -_slopes(u, np.log(_statistic(resampled, stat)))
    else:
        method = "residual"
        fitted = intercept + slope * u
        residuals = (v - fitted) * np.sqrt(n_x / (n_x - 2))
        picks = gen.integers(0, n_x, size=(n_boot, n_x))
        boot = -_slopes(u, fitted[None, :] + residuals[picks])

    if boot.size:
        lo, hi = np.quantile(boot, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
        ci_low, ci_high = min(float(lo), exponent), max(float(hi), exponent)
    else:
        ci_low = ci_high = exponent
    return PowerLawFit(
        exponent=exponent,
        ci_low=ci_low,
        ci_high=ci_high,
        prefactor=prefactor,
        x=xa,
        y_stat=y_stat,
        stat=stat,
        ci=level,
        method=method,
        bootstrap_exponents=boot,
    )
