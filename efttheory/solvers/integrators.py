r"""ODE integrators: fixed-step RK4 and velocity Verlet, adaptive Dormand–Prince 5(4).

All three integrate :math:`\dot y = f(t, y)` (Verlet: :math:`m\,\ddot x = F(t, x)`)
from ``t_eval[0]`` and return the state at every time of ``t_eval``.

Calling convention
------------------
The right-hand side is a function ``rhs(t, y, args) -> dydt`` that returns a
float64 array of the same shape as ``y`` (it may be ``y`` itself, a view of it or
a buffer the function reuses: the integrators read each result before the next call;
``y`` may have any shape, e.g.
``(2, d, N)`` for positions and velocities of ``N`` particles in ``d``
dimensions); the force of :func:`velocity_verlet` is ``force(t, x, args) -> F``.
``args`` is a tuple passed through unchanged (``()`` by default), so one
compiled function serves every parameter value.

Decorate it with ``numba.njit``: the integration loop is then compiled together
with it and runs at native speed. A plain Python callable also works (the same
loop runs uncompiled) but is orders of magnitude slower. Numba compiles the loop
once per right-hand side and session; see :mod:`efttheory.solvers._integrator_kernels`
for why that compilation is not cached on disk.

Save times and the step layout
------------------------------
The fixed-step methods never step past a save time: between consecutive save
times :math:`t_k < t_{k+1}` they take
:math:`m_k = \lceil (t_{k+1} - t_k)/\mathrm{dt} \rceil` equal steps of size
:math:`(t_{k+1} - t_k)/m_k \le \mathrm{dt}`, so every save time is hit exactly and
no step exceeds ``dt`` (a ratio within :math:`10^{-9}` relative of an integer is
taken as that integer, so save times from ``np.linspace`` do not add a step per
interval for rounding). When the save times are multiples of ``dt`` every step
equals ``dt``. The total :math:`\sum_k m_k` must not exceed the step budget
``max_steps`` (default :math:`10^9`); a smaller ``dt`` is refused with a ValueError
before any work. Dormand–Prince shortens the step that would cross a save time so
that it lands on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba.core.dispatcher import Dispatcher

from efttheory._arguments import (
    as_finite_array,
    check_integer,
    check_positive,
)
from efttheory.errors import ConvergenceError
from efttheory.solvers import _integrator_kernels as _k

__all__ = ["ODESolution", "PhaseSpaceSolution", "rk4", "velocity_verlet", "dormand_prince"]


@dataclass(frozen=True, repr=False)
class ODESolution:
    """Solution of :math:`\\dot y = f(t, y)` sampled at the requested times.

    Attributes
    ----------
    t : ndarray, shape (n_t,)
        Save times (``t_eval``).
    y : ndarray, shape (n_t, *y0.shape)
        State at each save time; ``y[0]`` is ``y0``.
    n_steps : int
        Accepted steps.
    n_evaluations : int
        Right-hand side evaluations (excluding the one shape check call).
    method : str
        ``"rk4"`` or ``"dormand_prince"``.
    n_rejected : int
        Rejected steps (adaptive method only, else 0).
    """

    t: np.ndarray
    y: np.ndarray
    n_steps: int
    n_evaluations: int
    method: str
    n_rejected: int = 0

    def __repr__(self) -> str:
        return (
            f"ODESolution(method={self.method!r}, t=[{self.t[0]:.6g} .. {self.t[-1]:.6g}] "
            f"({self.t.size} saves), state shape {self.y.shape[1:]}, n_steps={self.n_steps}, "
            f"n_evaluations={self.n_evaluations})"
        )


@dataclass(frozen=True, repr=False)
class PhaseSpaceSolution:
    """Positions and velocities of :math:`m\\,\\ddot x = F(t, x)` at the requested times.

    Attributes
    ----------
    t : ndarray, shape (n_t,)
        Save times (``t_eval``).
    x, v : ndarray, shape (n_t, *x0.shape)
        Positions and velocities at each save time.
    n_steps : int
        Steps taken.
    n_evaluations : int
        Force evaluations (``n_steps + 1``).
    method : str
        ``"velocity_verlet"``.
    """

    t: np.ndarray
    x: np.ndarray
    v: np.ndarray
    n_steps: int
    n_evaluations: int
    method: str = field(default="velocity_verlet")

    def __repr__(self) -> str:
        return (
            f"PhaseSpaceSolution(method={self.method!r}, t=[{self.t[0]:.6g} .. {self.t[-1]:.6g}] "
            f"({self.t.size} saves), state shape {self.x.shape[1:]}, n_steps={self.n_steps})"
        )


def _check_function(name: str, function) -> None:
    if not callable(function):
        raise TypeError(
            f"{name} must be a function {name}(t, y, args) -> array, decorated with numba.njit "
            f"for speed; got {type(function).__name__}"
        )


def _driver(kernel, function):
    """The compiled kernel for a jitted function, the uncompiled loop otherwise."""
    if isinstance(function, Dispatcher) and isinstance(kernel, Dispatcher):
        return kernel
    return getattr(kernel, "py_func", kernel)


def _check_args(args) -> tuple:
    if not isinstance(args, tuple):
        raise TypeError(f"args must be a tuple of extra arguments, got {type(args).__name__}")
    return args


def _check_t_eval(t_eval) -> np.ndarray:
    t = as_finite_array("t_eval", t_eval, ndim=1, min_size=2)
    with np.errstate(over="ignore", invalid="ignore"):
        steps = np.diff(t)
    if not np.all(np.isfinite(steps)):
        k = int(np.argmin(np.isfinite(steps)))
        raise ValueError(
            f"t_eval intervals must be finite in float64; t_eval[{k + 1}] - t_eval[{k}] = "
            f"{t[k + 1]} - {t[k]} overflows"
        )
    if np.any(steps <= 0):
        k = int(np.argmax(steps <= 0))
        raise ValueError(
            f"t_eval must be strictly increasing (the start time t_eval[0] first); "
            f"t_eval[{k + 1}] = {t[k + 1]} does not exceed t_eval[{k}] = {t[k]}"
        )
    return t


def _trial_call(name: str, function, t0: float, y: np.ndarray, args: tuple, state: str) -> None:
    """Call ``function`` once and check it returns a finite array shaped like ``y``."""
    try:
        out = function(t0, y.copy(), args)
    except TypeError as exc:  # typically a wrong number of parameters
        raise TypeError(
            f"{name} must take the three arguments (t, {state}, args); calling it so raised "
            f"TypeError: {exc}"
        ) from exc
    arr = np.asarray(out) if out is not None else None
    if not isinstance(out, np.ndarray) or arr.shape != y.shape:
        got = "None" if out is None else f"{type(out).__name__} of shape {np.shape(out)}"
        hint = ""
        if y.shape == () and out is not None and np.ndim(out) == 0:
            hint = (f"; a jitted function turns arithmetic on a 0-d array into a scalar, so give "
                    f"{state} the shape (1,)")
        raise ValueError(
            f"{name}(t, {state}, args) must return a float64 array of shape {y.shape} "
            f"(the shape of {state}), got {got}{hint}"
        )
    if arr.dtype.kind not in "fiu":
        raise ValueError(f"{name} must return a real float64 array, got dtype {arr.dtype}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} returned non-finite values at the initial state t = {t0}")


#: Default step budget of the fixed-step methods (:func:`rk4`, :func:`velocity_verlet`).
_DEFAULT_MAX_STEPS = 10**9
_STEP_LIMIT = 2**62  # largest accepted max_steps: step counts stay exact in int64


def _check_max_steps(max_steps) -> int:
    return check_integer("max_steps", max_steps, minimum=1, maximum=_STEP_LIMIT)


def _substeps(t: np.ndarray, dt: float, max_steps: int) -> np.ndarray:
    """Equal steps per save interval, none longer than ``dt`` (see module docstring).

    The counts are formed in float64 and checked against ``max_steps`` before the
    conversion to int64, so an absurd ``dt`` is refused instead of wrapping around.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        ratio = np.diff(t) / dt
        # a ratio within rounding of an integer counts as that integer: save times built by
        # np.linspace or np.arange carry relative errors of a few ulp of t, not of the interval
        nearest = np.round(ratio)
        near_integer = np.abs(ratio - nearest) <= 1e-9 * np.maximum(1.0, ratio)
        counts = np.maximum(np.where(near_integer, nearest, np.ceil(ratio)), 1.0)
        total = float(np.sum(counts))
    if not (np.all(np.isfinite(counts)) and total <= max_steps):
        span = float(t[-1] - t[0]) if np.isfinite(t[-1] - t[0]) else float("inf")
        raise ValueError(
            f"dt = {dt} is too small for t_eval: it needs about {total:.4g} steps over a span of "
            f"{span:.6g}, more than max_steps = {max_steps}; increase dt (or max_steps)"
        )
    return counts.astype(np.int64)


def rk4(rhs, y0, t_eval, *, dt, args=(), max_steps: int = _DEFAULT_MAX_STEPS) -> ODESolution:
    r"""Integrate :math:`\dot y = f(t, y)` with the classical fourth-order Runge–Kutta method.

    .. math::

        k_1 = f(t_n, y_n),\quad k_2 = f(t_n + \tfrac h2, y_n + \tfrac h2 k_1),\quad
        k_3 = f(t_n + \tfrac h2, y_n + \tfrac h2 k_2),\quad k_4 = f(t_n + h, y_n + h k_3),

        y_{n+1} = y_n + \tfrac h6 (k_1 + 2 k_2 + 2 k_3 + k_4),

    global error :math:`O(h^4)`.

    Parameters
    ----------
    rhs : callable
        ``rhs(t, y, args) -> dydt``, an array of ``y``'s shape; decorate it with
        ``numba.njit`` (a plain Python callable works, slowly).
    y0 : array_like, any shape
        Finite initial state at ``t_eval[0]`` (with a jitted ``rhs`` use shape ``(1,)``
        rather than a 0-d array: numba returns a scalar for 0-d array arithmetic).
    t_eval : array_like, shape (n_t,), n_t >= 2
        Strictly increasing save times; integration starts at ``t_eval[0]``.
    dt : float
        Largest step, > 0 (same time units as ``t_eval``). Each save interval is
        split into the fewest equal steps not longer than ``dt``.
    args : tuple
        Extra arguments passed to ``rhs``.
    max_steps : int
        Step budget, in [1, 2**62] (default :math:`10^9`): a ``dt`` whose step layout
        needs more steps in total is refused with a ValueError before any work.

    Returns
    -------
    ODESolution
        ``y`` has shape ``(n_t, *y0.shape)``.

    Raises
    ------
    TypeError
        If ``rhs`` is not callable or cannot be called as ``rhs(t, y, args)``.
    ValueError
        Non-finite ``y0``, ``dt <= 0``, ``t_eval`` not increasing (or an interval
        overflowing float64), ``dt`` needing more than ``max_steps`` steps, or
        ``rhs`` returning an array of the wrong shape.
    ConvergenceError
        If the state becomes non-finite; carries the last finite saved state.

    References
    ----------
    Hairer, Norsett & Wanner, *Solving Ordinary Differential Equations I*, Sect. II.1
    (the "classical" RK4, Table 1.2) [paper].

    Examples
    --------
    >>> import numpy as np
    >>> from numba import njit
    >>> @njit
    ... def decay(t, y, args):
    ...     return -args[0] * y
    >>> sol = rk4(decay, np.array([1.0]), np.array([0.0, 1.0]), dt=0.01, args=(2.0,))
    >>> bool(abs(sol.y[-1, 0] - np.exp(-2.0)) < 1e-8)
    True
    """
    _check_function("rhs", rhs)
    y0a = as_finite_array("y0", y0, min_size=1)
    t = _check_t_eval(t_eval)
    step = check_positive("dt", dt)
    args = _check_args(args)
    n_sub = _substeps(t, step, _check_max_steps(max_steps))
    _trial_call("rhs", rhs, float(t[0]), y0a, args, "y")
    ys, n_saved = _driver(_k.rk4_integrate, rhs)(rhs, y0a, t, n_sub, args)
    n_steps = int(n_sub.sum())
    if n_saved < t.size:
        last = ys[n_saved - 1].reshape(y0a.shape).copy()
        raise ConvergenceError(
            f"rk4: the state became non-finite between t = {t[n_saved - 1]} and "
            f"t = {t[n_saved]} (dt = {step}); reduce dt or check rhs",
            last_iterate=last,
            iterations=int(n_sub[: n_saved - 1].sum()),
        )
    return ODESolution(
        t=t,
        y=ys.reshape((t.size,) + y0a.shape),
        n_steps=n_steps,
        n_evaluations=4 * n_steps,
        method="rk4",
    )


def _as_mass(mass, shape) -> np.ndarray:
    m = as_finite_array("mass", mass)
    if np.any(m <= 0):
        raise ValueError(f"mass must be > 0 everywhere, got minimum {m.min()}")
    try:
        return np.ascontiguousarray(np.broadcast_to(m, shape), dtype=np.float64)
    except ValueError:
        raise ValueError(
            f"mass must be a scalar or broadcast to the shape of x0 {shape}, got shape {m.shape}"
        ) from None


def velocity_verlet(force, x0, v0, t_eval, *, dt, mass=1.0, args=(),
                    max_steps: int = _DEFAULT_MAX_STEPS) -> PhaseSpaceSolution:
    r"""Integrate :math:`m\,\ddot x = F(t, x)` with the velocity Verlet scheme.

    .. math::

        v_{n+1/2} = v_n + \tfrac h2 a_n,\qquad x_{n+1} = x_n + h\,v_{n+1/2},\qquad
        a_{n+1} = F(t_{n+1}, x_{n+1})/m,\qquad v_{n+1} = v_{n+1/2} + \tfrac h2 a_{n+1},

    second order, symplectic and time reversible for conservative forces (energy
    error bounded, no secular drift, as long as the step is constant).

    Parameters
    ----------
    force : callable
        ``force(t, x, args) -> F``, an array of ``x``'s shape; decorate it with
        ``numba.njit``. Only velocity-independent forces are supported.
    x0, v0 : array_like, same shape (any)
        Finite initial positions and velocities at ``t_eval[0]``.
    t_eval : array_like, shape (n_t,), n_t >= 2
        Strictly increasing save times; integration starts at ``t_eval[0]``.
    dt : float
        Largest step, > 0; the step layout is that of :func:`rk4`.
    mass : float or array_like
        Positive masses, broadcastable to ``x0``'s shape.
    args : tuple
        Extra arguments passed to ``force``.
    max_steps : int
        Step budget, in [1, 2**62] (default :math:`10^9`), as for :func:`rk4`.

    Returns
    -------
    PhaseSpaceSolution
        ``x`` and ``v`` of shape ``(n_t, *x0.shape)``.

    Raises
    ------
    TypeError
        If ``force`` is not callable or cannot be called as ``force(t, x, args)``.
    ValueError
        Non-finite ``x0``/``v0``, ``dt <= 0``, ``t_eval`` not increasing, ``dt``
        needing more than ``max_steps`` steps, bad ``mass``, or ``force``
        returning the wrong shape.
    ConvergenceError
        If the state becomes non-finite.

    References
    ----------
    Swope, Andersen, Berens & Wilson, J. Chem. Phys. 76, 637 (1982), Eq. (9) [paper].

    Examples
    --------
    >>> import numpy as np
    >>> from numba import njit
    >>> from efttheory.solvers import velocity_verlet
    >>> @njit
    ... def spring(t, x, args):
    ...     return -x
    >>> t = np.linspace(0.0, 1000.0, 1001)  # about 160 periods, 10 000 steps
    >>> sol = velocity_verlet(spring, np.array([1.0]), np.array([0.0]), t, dt=0.1)
    >>> energy = 0.5 * (sol.x[:, 0] ** 2 + sol.v[:, 0] ** 2)  # starts at 0.5
    >>> round(float(energy.min()), 5), round(float(energy.max()), 5)  # stays within dt**2 / 8: no drift
    (0.49875, 0.5)
    """
    _check_function("force", force)
    x0a = as_finite_array("x0", x0, min_size=1)
    v0a = as_finite_array("v0", v0)
    if v0a.shape != x0a.shape:
        raise ValueError(f"v0 must have the shape of x0 {x0a.shape}, got {v0a.shape}")
    t = _check_t_eval(t_eval)
    step = check_positive("dt", dt)
    inv_mass = 1.0 / _as_mass(mass, x0a.shape)
    args = _check_args(args)
    n_sub = _substeps(t, step, _check_max_steps(max_steps))
    _trial_call("force", force, float(t[0]), x0a, args, "x")
    xs, vs, n_saved = _driver(_k.verlet_integrate, force)(force, x0a, v0a, inv_mass, t, n_sub, args)
    n_steps = int(n_sub.sum())
    if n_saved < t.size:
        raise ConvergenceError(
            f"velocity_verlet: the state became non-finite between t = {t[n_saved - 1]} and "
            f"t = {t[n_saved]} (dt = {step}); reduce dt or check force",
            last_iterate=(xs[n_saved - 1].reshape(x0a.shape).copy(),
                          vs[n_saved - 1].reshape(x0a.shape).copy()),
            iterations=int(n_sub[: n_saved - 1].sum()),
        )
    shape = (t.size,) + x0a.shape
    return PhaseSpaceSolution(
        t=t, x=xs.reshape(shape), v=vs.reshape(shape), n_steps=n_steps, n_evaluations=n_steps + 1
    )


def dormand_prince(
    rhs,
    y0,
    t_eval,
    *,
    rtol: float = 1e-6,
    atol=1e-9,
    max_steps: int = 100_000,
    first_step: float | None = None,
    args=(),
) -> ODESolution:
    r"""Integrate :math:`\dot y = f(t, y)` with the adaptive Dormand–Prince 5(4) method.

    Seven-stage explicit Runge–Kutta pair (first same as last) advancing with the
    fifth-order solution; the embedded fourth-order solution gives the local error
    estimate :math:`e = h\sum_i (b_i - \hat b_i) k_i`, measured as

    .. math::

        \mathrm{err} = \Big(\frac1n \sum_j \Big(\frac{e_j}{\mathrm{atol}_j
        + \mathrm{rtol}\,\max(|y_j|, |y^{\mathrm{new}}_j|)}\Big)^2\Big)^{1/2}.

    A step is accepted when :math:`\mathrm{err} \le 1`; the next step follows the
    PI controller :math:`h_{\mathrm{new}} = 0.9\,h\,\mathrm{err}^{-0.17}\,
    \mathrm{err}_{\mathrm{old}}^{0.04}` clipped to :math:`[0.2 h, 10 h]`. A step that
    would cross the next save time is shortened to land on it (no interpolation).

    Parameters
    ----------
    rhs : callable
        ``rhs(t, y, args) -> dydt`` as for :func:`rk4`; decorate with ``numba.njit``.
    y0 : array_like, any shape
        Finite initial state at ``t_eval[0]`` (with a jitted ``rhs`` use shape ``(1,)``
        rather than a 0-d array: numba returns a scalar for 0-d array arithmetic).
    t_eval : array_like, shape (n_t,), n_t >= 2
        Strictly increasing save times; integration runs from ``t_eval[0]`` to
        ``t_eval[-1]`` (``(t0, t1)`` gives the end point only).
    rtol : float
        Relative tolerance, > 0.
    atol : float or array_like
        Absolute tolerance(s), > 0, broadcastable to ``y0``'s shape.
    max_steps : int
        Budget of attempted (accepted + rejected) steps, >= 1.
    first_step : float, optional
        Initial step, > 0; chosen automatically (Hairer's starting-step rule) if None.
    args : tuple
        Extra arguments passed to ``rhs``.

    Returns
    -------
    ODESolution

    Raises
    ------
    TypeError
        If ``rhs`` is not callable or cannot be called as ``rhs(t, y, args)``.
    ValueError
        Bad arguments (see :func:`rk4`), non-positive tolerances.
    ConvergenceError
        When ``max_steps`` is exhausted or the step size underflows; its
        ``last_iterate`` is ``(t, y)`` at the last accepted step.

    References
    ----------
    Dormand & Prince, J. Comput. Appl. Math. 6, 19 (1980), Table 2 (RK5(4)7M) [paper];
    Hairer, Norsett & Wanner, *Solving ODEs I*, Sect. II.4–II.5 (error norm, PI
    control, starting step) [paper].

    Examples
    --------
    >>> import numpy as np
    >>> from numba import njit
    >>> from efttheory.solvers import dormand_prince
    >>> @njit
    ... def decay(t, y, args):
    ...     return -args[0] * y
    >>> t = np.linspace(0.0, 2.0, 5)
    >>> sol = dormand_prince(decay, np.array([1.0]), t, rtol=1e-8, args=(1.5,))
    >>> bool(np.max(np.abs(sol.y[:, 0] - np.exp(-1.5 * t))) < 1e-8)  # matches exp(-k t) at every save
    True
    """
    _check_function("rhs", rhs)
    y0a = as_finite_array("y0", y0, min_size=1)
    t = _check_t_eval(t_eval)
    rel = check_positive("rtol", rtol)
    abs_tol = as_finite_array("atol", atol)
    if np.any(abs_tol <= 0):
        raise ValueError(f"atol must be > 0 everywhere, got minimum {abs_tol.min()}")
    try:
        abs_flat = np.ascontiguousarray(np.broadcast_to(abs_tol, y0a.shape)).reshape(-1).copy()
    except ValueError:
        raise ValueError(
            f"atol must be a scalar or broadcast to the shape of y0 {y0a.shape}, got {abs_tol.shape}"
        ) from None
    budget = check_integer("max_steps", max_steps, minimum=1)
    h0 = -1.0 if first_step is None else check_positive("first_step", first_step)
    args = _check_args(args)
    _trial_call("rhs", rhs, float(t[0]), y0a, args, "y")
    out = _driver(_k.dopri_integrate, rhs)(rhs, y0a, t, rel, abs_flat, h0, budget, args)
    ys, n_saved, status, t_last, y_last, n_acc, n_rej, n_evals = out
    if status != _k.STATUS_OK:
        reason = {
            _k.STATUS_MAX_STEPS: f"max_steps = {budget} steps were exhausted",
            _k.STATUS_STEP_UNDERFLOW: "the step size underflowed (stiff or singular problem?)",
        }[int(status)]
        raise ConvergenceError(
            f"dormand_prince stopped at t = {t_last} before t = {t[-1]}: {reason} "
            f"({n_acc} accepted, {n_rej} rejected steps, rtol = {rel})",
            last_iterate=(float(t_last), np.asarray(y_last).reshape(y0a.shape).copy()),
            iterations=int(n_acc + n_rej),
        )
    return ODESolution(
        t=t,
        y=ys.reshape((t.size,) + y0a.shape),
        n_steps=int(n_acc),
        n_evaluations=int(n_evals),
        method="dormand_prince",
        n_rejected=int(n_rej),
    )
