r"""Many repons in d dimensions coupled by pairwise springs through a linear head [ours].

Minimal many-body extension of the two-repon theory of Baek, Liu & Tegmark
(arXiv:2402.05916); the paper's own many-body law was not available, so this
formalisation is ours (spec §2.7). Repons :math:`x_i \in \mathbb R^d`
(:math:`i = 1..n`), a linear head :math:`A \in \mathbb R^{m\times d}` and symmetric
non-negative weights :math:`W` define

.. math::

    \ell(A, X) = \tfrac12 \sum_{i<j} W_{ij}\, |A (x_i - x_j)|^2,\qquad
    \dot x_i = -\eta_x \sum_j W_{ij} A^\top A (x_i - x_j),\qquad
    \dot A = -\eta_A A M,

with :math:`M = \sum_{i<j} W_{ij} (x_i - x_j)(x_i - x_j)^\top`. The sum over
:math:`j` is a set of Hooke springs: it is evaluated by the shared pairwise
kernel of :mod:`efttheory.solvers` (harmonic law, unit stiffness, weights
:math:`W`), and :math:`A^\top A` is applied to the result. Exact invariants:

.. math:: Q = \frac{\lVert A\rVert_F^2}{\eta_A} - \frac{\sum_i |x_i|^2}{\eta_x}

and the centroid of every connected component of :math:`W`. With class weights
:math:`W_{ij} = [c(i) = c(j), i \ne j]/n_{c(i)}` (:func:`class_weights`) the flow of
two same-class repons is exactly Eq. 8 (:math:`Q = 2C`), and a lone repon against a
co-located cluster is exactly the cluster system of
:mod:`efttheory.generalization.repons`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from efttheory._arguments import as_finite_array, check_integer, check_positive
from efttheory.errors import ConvergenceError
from efttheory.generalization import _kernels
from efttheory.solvers import harmonic_law, pairwise_forces_kernel

__all__ = [
    "ManyReponTrajectory",
    "class_weights",
    "integrate_many_repons",
    "many_repon_invariant",
    "many_repon_loss",
    "repon_forces",
]

_UNIT_SPRING = harmonic_law(1.0)


def _check_weights(weights, n: int) -> np.ndarray:
    w = as_finite_array("weights", weights, shape=(n, n))
    if np.any(w < 0):
        raise ValueError(f"weights must be non-negative, got min {w.min()}")
    if not np.allclose(w, w.T, rtol=0.0, atol=1e-12 * max(1.0, float(np.abs(w).max()))):
        raise ValueError("weights must be symmetric (W_ij = W_ji)")
    return np.ascontiguousarray(w)


def _check_system(x, head, weights, names=("x", "head")):
    x_name, head_name = names
    x = as_finite_array(x_name, x, ndim=2, min_size=2)
    n, d = x.shape
    if n < 2:
        raise ValueError(f"{x_name} must hold at least 2 repons (rows), got shape {x.shape}")
    head = as_finite_array(head_name, head, ndim=2)
    if head.shape[1] != d or head.shape[0] < 1:
        raise ValueError(f"{head_name} must have shape (m, {d}) with m >= 1 to match {x_name} of shape "
                         f"{x.shape}, got {head.shape}")
    return x, head, _check_weights(weights, n)


def class_weights(labels) -> np.ndarray:
    r"""Class weights :math:`W_{ij} = [c(i) = c(j),\ i \ne j] / n_{c(i)}`.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Class of each repon, ``n >= 2``.

    Returns
    -------
    ndarray, shape (n, n)
        Symmetric, zero diagonal.

    Examples
    --------
    >>> from efttheory.generalization import class_weights
    >>> class_weights([0, 0, 1, 1]).tolist()  # springs only inside each class, weight 1/(class size)
    [[0.0, 0.5, 0.0, 0.0], [0.5, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.5], [0.0, 0.0, 0.5, 0.0]]
    """
    raw = np.asarray(labels)
    if raw.dtype.kind not in "iu" or raw.ndim != 1 or raw.size < 2:
        raise ValueError(f"labels must be a 1-D integer array with at least 2 entries, got {raw!r}")
    same = raw[:, None] == raw[None, :]
    counts = np.array([np.count_nonzero(raw == v) for v in raw], dtype=np.float64)
    w = same / counts[:, None]
    np.fill_diagonal(w, 0.0)
    return w


def repon_forces(x, weights, head) -> np.ndarray:
    r"""Spring forces on the repons, :math:`-\sum_j W_{ij} A^\top A (x_i - x_j)` (per unit :math:`\eta_x`).

    Parameters
    ----------
    x : array_like, shape (n, d)
        Repon positions.
    weights : array_like, shape (n, n)
        Symmetric non-negative pair weights.
    head : array_like, shape (m, d)
        Linear head :math:`A`.

    Returns
    -------
    ndarray, shape (n, d)
        Sums to zero over repons.

    Raises
    ------
    ValueError
        Bad arguments (as for :func:`many_repon_loss`), or forces beyond the float64 range.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.generalization import class_weights, repon_forces
    >>> x = np.array([[1.0, 0.0], [-1.0, 0.0]])  # two same-class repons
    >>> repon_forces(x, class_weights([0, 0]), np.eye(2)).tolist()  # equal and opposite, pulling together
    [[-1.0, 0.0], [1.0, 0.0]]
    >>> repon_forces(x, class_weights([0, 0]), np.array([[0.0, 1.0]])).tolist()  # a head blind to the gap
    [[0.0, 0.0], [0.0, 0.0]]
    """
    x, head, w = _check_system(x, head, weights)
    forces, _ = pairwise_forces_kernel(np.ascontiguousarray(x.T), _UNIT_SPRING.code, _UNIT_SPRING.params, w)
    with np.errstate(over="ignore", invalid="ignore"):
        out = (head.T @ head @ forces).T
    if not np.all(np.isfinite(out)):
        raise ValueError("repon_forces: the forces overflow float64 (largest |x| "
                         f"{np.max(np.abs(x)):.3g}, |head| {np.max(np.abs(head)):.3g}); rescale x or head")
    return out


def many_repon_loss(x, head, weights) -> float:
    r""":math:`\ell = \tfrac12\sum_{i<j} W_{ij}|A(x_i - x_j)|^2`.

    Parameters
    ----------
    x : array_like, shape (n, d)
        Repon positions :math:`x_i`, finite, at least 2 rows (``n >= 2``).
    head : array_like, shape (m, d)
        Linear head :math:`A`, finite, ``m >= 1`` rows and the same ``d`` as ``x``.
    weights : array_like, shape (n, n)
        Pair weights :math:`W`: finite, non-negative and symmetric (within
        ``1e-12 * max(1, max|W|)``); the diagonal does not contribute.

    Returns
    -------
    float
        The loss :math:`\ell \ge 0`.

    Raises
    ------
    TypeError
        ``x``, ``head`` or ``weights`` is not an array of real numbers.
    ValueError
        Fewer than two repons, a shape mismatch, a NaN or infinite entry, or ``weights``
        negative or asymmetric.

    Examples
    --------
    >>> from efttheory.generalization import class_weights, many_repon_loss
    >>> a, c = 0.8, 0.5  # two repons at +-c, a head of weight a along the separation
    >>> round(many_repon_loss([[c, 0.0], [-c, 0.0]], [[a, 0.0]], class_weights([0, 0])), 6)  # a^2 c^2
    0.16
    """
    x, head, w = _check_system(x, head, weights)
    diff = (x[:, None, :] - x[None, :, :]) @ head.T
    return float(0.25 * np.sum(w * np.sum(diff * diff, axis=2)))


def many_repon_invariant(x, head, eta_enc, eta_dec) -> float:
    r""":math:`Q = \lVert A\rVert_F^2/\eta_A - \sum_i |x_i|^2/\eta_x`, conserved by the flow.

    Parameters
    ----------
    x : array_like, shape (n, d)
        ``n, d >= 1``.
    head : array_like, shape (m, d)
        ``m >= 1``, the same ``d`` as ``x``.
    eta_enc, eta_dec : float
        :math:`\eta_x, \eta_A > 0`.

    Examples
    --------
    >>> from efttheory.generalization import conserved_quantity, many_repon_invariant
    >>> x, head = [[0.5, 0.0], [-0.5, 0.0]], [[1.0, 0.0]]  # two repons at +-c, c = 0.5; a = 1
    >>> many_repon_invariant(x, head, eta_enc=1.0, eta_dec=1.0)
    0.5
    >>> 2 * conserved_quantity(1.0, 0.5, eta_dec=1.0, eta_enc=1.0)  # Q = 2C for two repons
    0.5
    """
    x = as_finite_array("x", x, ndim=2, min_size=1)
    head = as_finite_array("head", head, ndim=2, min_size=1)
    if head.shape[1] != x.shape[1]:
        raise ValueError(f"head must have shape (m, {x.shape[1]}) with m >= 1 to match x of shape {x.shape}, "
                         f"got {head.shape}")
    eta_x = check_positive("eta_enc", eta_enc)
    eta_a = check_positive("eta_dec", eta_dec)
    return float(np.sum(head * head) / eta_a - np.sum(x * x) / eta_x)


@dataclass(frozen=True, repr=False)
class ManyReponTrajectory:
    r"""Output of :func:`integrate_many_repons`.

    Attributes
    ----------
    t : ndarray, shape (R,)
    x : ndarray, shape (R, n, d)
        Repon positions.
    head : ndarray, shape (R, m, d)
    invariant : ndarray, shape (R,)
        :math:`Q(t)`.
    scale : float
        :math:`\lVert A_0\rVert_F^2/\eta_A + \sum_i |x_i(0)|^2/\eta_x`, the natural size of :math:`Q`.
    """

    t: np.ndarray
    x: np.ndarray
    head: np.ndarray
    invariant: np.ndarray
    scale: float

    @property
    def relative_drift(self) -> float:
        """``max_t |Q(t) - Q(0)| / scale``."""
        return float(np.max(np.abs(self.invariant - self.invariant[0])) / self.scale)

    def __repr__(self) -> str:
        r, n, d = self.x.shape
        return (f"ManyReponTrajectory(n={n}, d={d}, m={self.head.shape[1]}, records={r}, "
                f"t_end={self.t[-1]:.4g})")


def integrate_many_repons(x0, head0, weights, eta_enc, eta_dec, t_end, *, dt: float,
                          record_every: int = 1, max_steps: int = 10**8) -> ManyReponTrajectory:
    r"""Integrate the many-repon flow with fixed-step RK4 (forces from the pairwise kernel).

    Parameters
    ----------
    x0 : array_like, shape (n, d)
        Initial repons.
    head0 : array_like, shape (m, d)
        Initial linear head.
    weights : array_like, shape (n, n)
        Symmetric non-negative pair weights (see :func:`class_weights`).
    eta_enc, eta_dec : float
        :math:`\eta_x, \eta_A > 0`.
    t_end : float
        > 0; the step is shortened so that ``t_end`` is a whole number of steps.
    dt : float
        Largest step, > 0.
    record_every : int
        Record every this many steps, in [1, max_steps].
    max_steps : int
        Step budget, in [1, 2**62] (default :math:`10^8`): a ``dt`` (with the step
        count rounded up to a multiple of ``record_every``) needing more steps is
        refused before any work.

    Returns
    -------
    ManyReponTrajectory

    Raises
    ------
    ValueError
        Bad arguments, incl. a ``dt`` or ``record_every`` beyond ``max_steps``.
    ConvergenceError
        If the RK4 iterates become non-finite (an unstable step); ``last_iterate`` holds the
        last finite recorded ``(x, head)``.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.generalization import class_weights, integrate_many_repons, many_repon_loss
    >>> x0 = np.random.default_rng(0).normal(size=(6, 2))  # six repons in the plane
    >>> W = class_weights([0, 0, 0, 1, 1, 1])  # two classes of three
    >>> traj = integrate_many_repons(x0, np.eye(2), W, eta_enc=1.0, eta_dec=1.0, t_end=20.0, dt=0.01)
    >>> [round(many_repon_loss(traj.x[i], traj.head[i], W), 4) for i in (0, -1)]  # the springs relax
    [2.9377, 0.0003]
    >>> traj.relative_drift < 1e-7  # Q is conserved to the RK4 error
    True
    >>> bool(np.allclose(traj.x[-1, :3].mean(axis=0), x0[:3].mean(axis=0)))  # so is each class's centroid
    True
    """
    x0, head0, w = _check_system(x0, head0, weights, ("x0", "head0"))
    eta_x = check_positive("eta_enc", eta_enc)
    eta_a = check_positive("eta_dec", eta_dec)
    t_end = check_positive("t_end", t_end)
    dt = check_positive("dt", dt)
    max_steps = check_integer("max_steps", max_steps, minimum=1, maximum=2**62)
    record_every = check_integer("record_every", record_every, minimum=1, maximum=max_steps)
    with np.errstate(over="ignore"):
        wanted = float(np.ceil(t_end / dt - 1e-9))
    if not wanted <= max_steps:  # also catches inf
        raise ValueError(f"dt = {dt} needs about {wanted:.4g} RK4 steps to reach t_end = {t_end}, "
                         f"more than max_steps = {max_steps}; increase dt (or max_steps)")
    n_steps = int(wanted)
    n_steps = max(record_every, record_every * int(np.ceil(n_steps / record_every)))
    if n_steps > max_steps:
        raise ValueError(f"dt = {dt} with record_every = {record_every} needs {n_steps} RK4 steps (a multiple "
                         f"of record_every), more than max_steps = {max_steps}")
    step = t_end / n_steps
    xs, heads, times = _kernels.many_repon_rk4(np.ascontiguousarray(x0.T), head0.copy(), w, eta_x, eta_a,
                                               step, n_steps, record_every)
    finite = np.isfinite(xs).all(axis=(1, 2)) & np.isfinite(heads).all(axis=(1, 2))
    if not finite.all():
        first = int(np.argmin(finite))  # first record that is not finite; record 0 is x0
        raise ConvergenceError(
            f"integrate_many_repons: RK4 went non-finite between t = {times[first - 1]:.6g} and "
            f"t = {times[first]:.6g}; the step {step:.6g} is unstable for these rates, reduce dt",
            last_iterate=(xs[first - 1].T.copy(), heads[first - 1].copy()),
            iterations=first * record_every)
    x = np.ascontiguousarray(np.transpose(xs, (0, 2, 1)))
    invariant = np.sum(heads * heads, axis=(1, 2)) / eta_a - np.sum(x * x, axis=(1, 2)) / eta_x
    scale = float(np.sum(head0**2) / eta_a + np.sum(x0**2) / eta_x)
    return ManyReponTrajectory(times, x, heads, invariant, scale)
