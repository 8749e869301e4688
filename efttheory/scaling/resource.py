r"""The resource model of neural scaling (Song, Liu, Tegmark & Gore, arXiv 2402.05164).

A task splits into subtasks that compete for neurons. With :math:`N_i` neurons, subtask
:math:`i` reaches loss :math:`\ell_i = a_i/N_i` (H1, [paper]); widening the network
:math:`N \to kN` scales every allocation :math:`N_i = p_i N \to kN_i` (H2, [paper]); the
composite loss is the weighted sum :math:`\ell = \sum_i w_i \ell_i` (H3, [paper]). Hence

.. math:: \ell(N) = \frac{K}{N},\qquad K = \sum_i \frac{w_i a_i}{p_i},

a closed form of ours. Minimising :math:`\sum_i w_i a_i/N_i` at fixed :math:`\sum_i N_i = N`
gives :math:`N_i^* = N\sqrt{w_i a_i}/\sum_j\sqrt{w_j a_j}` (R5, [ours]) -- a named model to
compare with the paper's Fig. 3C, not a law of the paper. From neurons to parameters
(:func:`parameter_exponent`): with :math:`N_p \propto w^2 L` and depth :math:`L \propto w^\gamma`,
:math:`\ell \propto N_p^{-1/(2+\gamma)}` (redundancy phase) or
:math:`N_p^{-(1+\gamma)/(2+\gamma)}` (structural phase) [third party; the :math:`\gamma` form is ours].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from efttheory._arguments import (
    as_finite_array,
    broadcast_shape,
    check_choice,
    check_finite_scalar,
    check_integer,
    check_positive,
)

__all__ = [
    "ResourceAllocation",
    "LAGRANGE_EXPONENT",
    "FIG3_EXPONENT",
    "subtask_loss",
    "composite_loss",
    "optimal_allocation",
    "allocation_ratio",
    "equilibrium_neurons",
    "parameter_exponent",
    "gamma_from_shape",
    "count_allocated",
    "count_allocated_by_ablation",
    "attribute_allocated",
    "allocation_mask",
]

#: :math:`\kappa = 1/2` of the optimal-allocation closure R5 [ours].
LAGRANGE_EXPONENT = 0.5
#: :math:`\kappa \approx 0.75` read off Song et al. Fig. 3C by eye [paper (fig.)].
FIG3_EXPONENT = 0.75
_PRODUCT_THRESHOLD = 1e-3
_WEIGHT_THRESHOLD = 1e-2


@dataclass(frozen=True)
class ResourceAllocation:
    r"""Optimal allocation of :func:`optimal_allocation`.

    Attributes
    ----------
    n_alloc : ndarray, shape (..., m)
        Neurons :math:`N_i^*` per subtask.
    fractions : ndarray, shape (m,)
        :math:`N_i^*/N`.
    loss : float or ndarray
        :math:`\ell^* = (\sum_i\sqrt{w_i a_i})^2/N`.
    marginal : float or ndarray
        The common Lagrange multiplier :math:`\mu = w_i a_i/N_i^{*2}`.
    """

    n_alloc: np.ndarray
    fractions: np.ndarray
    loss: float | np.ndarray
    marginal: float | np.ndarray

    def __repr__(self) -> str:
        frac = np.array2string(np.asarray(self.fractions), precision=3, separator=", ")
        if np.ndim(self.loss) == 0:
            return f"ResourceAllocation(fractions={frac}, loss={self.loss:.4g}, marginal={self.marginal:.4g})"
        return f"ResourceAllocation(fractions={frac}, {np.size(self.loss)} widths)"


def _positive(name: str, value, *, strict: bool = True) -> np.ndarray:
    arr = as_finite_array(name, value)
    bad = arr <= 0 if strict else arr < 0
    if np.any(bad):
        bound = "> 0" if strict else ">= 0"
        raise ValueError(f"{name} must be {bound} everywhere, got minimum {arr.min()}")
    return arr


def _out(value):
    return float(value) if np.ndim(value) == 0 else value


def _finite(value, what: str):
    """``value`` if all finite; else ValueError saying which arguments make ``what`` overflow."""
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{what} overflows float64")
    return value


def subtask_loss(n_alloc, a):
    r"""Loss of a subtask given its neurons, :math:`\ell_i = a_i/N_i` (H1).

    Parameters
    ----------
    n_alloc : array_like
        Allocated neurons :math:`N_i > 0` (real-valued allowed).
    a : array_like
        Subtask constants :math:`a_i > 0` (loss times neurons); broadcast against ``n_alloc``.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        If an argument is not positive and finite, the shapes do not broadcast, or
        :math:`a_i/N_i` overflows float64.

    Notes
    -----
    Source: Song et al., arXiv 2402.05164, hypothesis 1 [paper]; the name :math:`a_i` is ours.

    Examples
    --------
    >>> from efttheory.scaling import subtask_loss
    >>> subtask_loss([10, 20, 40], 2.0).tolist()  # H1: doubling a subtask's neurons halves its loss
    [0.2, 0.1, 0.05]
    """
    n_arr = _positive("n_alloc", n_alloc)
    a_arr = _positive("a", a)
    broadcast_shape("n_alloc and a", n_arr, a_arr)
    with np.errstate(over="ignore"):
        loss = a_arr / n_arr
    return _out(_finite(loss, "a / n_alloc (a too large or n_alloc too small)"))


_NO_FRACTIONS = object()  # marks a caller without fractions (None is a bad value, not a default)


def _subtask_arrays(coeffs, weights, fractions=_NO_FRACTIONS):
    c = _positive("coeffs", coeffs)
    if c.ndim != 1 or c.size == 0:
        raise ValueError(f"coeffs must be a non-empty 1-D array, got shape {c.shape}")
    if weights is None:
        w = np.ones_like(c)
    else:
        w = _positive("weights", weights, strict=False)
        if w.shape != c.shape:
            raise ValueError(f"weights must have the shape of coeffs {c.shape}, got {w.shape}")
    if fractions is _NO_FRACTIONS:
        return c, w
    p = _positive("fractions", fractions)
    if p.shape != c.shape:
        raise ValueError(f"fractions must have the shape of coeffs {c.shape}, got {p.shape}")
    if p.sum() > 1.0 + 1e-12:
        raise ValueError(f"fractions must sum to at most 1 (the rest is unallocated), got {p.sum()}")
    return c, w, p


def composite_loss(n_total, fractions, coeffs, weights=None):
    r"""Composite loss of a width-:math:`N` network with fixed fractions (H1-H3).

    .. math:: \ell(N) = \sum_i w_i \frac{a_i}{p_i N} = \frac{K}{N},\qquad K = \sum_i \frac{w_i a_i}{p_i}.

    Parameters
    ----------
    n_total : array_like
        Total neurons :math:`N > 0`.
    fractions : array_like, shape (m,)
        :math:`p_i > 0`, :math:`\sum_i p_i \le 1`.
    coeffs : array_like, shape (m,)
        Subtask constants :math:`a_i > 0`.
    weights : array_like, shape (m,), optional
        Task weights :math:`w_i \ge 0` (default 1).

    Returns
    -------
    float or ndarray, shape of ``n_total``

    Raises
    ------
    ValueError
        If an argument is out of range, or :math:`K/N` overflows float64.

    Notes
    -----
    Source: Song et al. H1-H3 [paper]; the closed form :math:`K/N` is [ours].

    Examples
    --------
    >>> from efttheory.scaling import composite_loss
    >>> composite_loss([100, 200, 400], [0.5, 0.5], [1.0, 3.0]).tolist()  # K = 1/0.5 + 3/0.5 = 8
    [0.08, 0.04, 0.02]
    """
    n_arr = _positive("n_total", n_total)
    c, w, p = _subtask_arrays(coeffs, weights, fractions)
    with np.errstate(over="ignore", invalid="ignore"):
        k = float(np.sum(w * c / p))
        loss = k / n_arr
    return _out(_finite(loss, "K / n_total with K = sum(weights * coeffs / fractions) "
                              "(coeffs too large, or fractions or n_total too small)"))


def optimal_allocation(n_total, coeffs, weights=None) -> ResourceAllocation:
    r"""Allocation minimising :math:`\sum_i w_i a_i/N_i` subject to :math:`\sum_i N_i = N` (R5).

    .. math:: N_i^* = N\frac{\sqrt{w_i a_i}}{\sum_j\sqrt{w_j a_j}},\qquad
              \ell^* = \frac{(\sum_i\sqrt{w_i a_i})^2}{N},\qquad
              \mu = \frac{w_i a_i}{N_i^{*2}} = \frac{(\sum_j\sqrt{w_j a_j})^2}{N^2}.

    Parameters
    ----------
    n_total : float or array_like
        Total neurons :math:`N > 0`; an array gives ``n_alloc`` of shape ``n_total.shape + (m,)``.
    coeffs : array_like, shape (m,)
        :math:`a_i > 0`.
    weights : array_like, shape (m,), optional
        :math:`w_i \ge 0`, not all zero.

    Returns
    -------
    ResourceAllocation

    Raises
    ------
    ValueError
        If an argument is out of range, the weights are all zero, or :math:`\ell^*` or
        :math:`\mu` overflows float64.

    Notes
    -----
    Source: [ours] (Lagrange condition); a named model to compare with Song et al. Fig. 3C.

    Examples
    --------
    >>> from efttheory.scaling import composite_loss, optimal_allocation
    >>> a = [1.0, 4.0, 9.0]
    >>> opt = optimal_allocation(120, a)
    >>> opt.n_alloc.tolist(), float(opt.fractions.sum())  # N_i* proportional to sqrt(a_i)
    ([20.0, 40.0, 60.0], 1.0)
    >>> round(opt.loss, 6), round(composite_loss(120, [1/3, 1/3, 1/3], a), 6)  # beats an even split
    (0.3, 0.35)
    """
    n_arr = _positive("n_total", n_total)
    c, w = _subtask_arrays(coeffs, weights)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        root = np.sqrt(w * c)
        if not np.all(np.isfinite(root)):  # w * c overflowed: take the roots separately
            root = np.sqrt(w) * np.sqrt(c)
        total = root.sum()
        if total == 0:
            raise ValueError("weights must not all be zero")
        fractions = root / total
        n_alloc = np.asarray(n_arr)[..., None] * fractions
        loss = total**2 / n_arr
        marginal = (total / n_arr) ** 2  # not total**2 / n**2: n**2 overflows for n > 1e154
        if not np.all(np.isfinite(loss)):  # total**2 overflowed
            loss = total * (total / n_arr)
    what = ("the optimal loss (sum_i sqrt(w_i a_i))**2 / n_total or its marginal "
            "(coeffs or weights too large, or n_total too small)")
    for value in (fractions, n_alloc, loss, marginal):
        _finite(value, what)
    return ResourceAllocation(n_alloc=n_alloc, fractions=fractions, loss=_out(loss),
                              marginal=_out(marginal))


def allocation_ratio(beta, exponent: float = LAGRANGE_EXPONENT):
    r"""Neuron ratio of two equal-constant tasks weighted :math:`(\beta, 1-\beta)`: :math:`(\beta/(1-\beta))^\kappa`.

    Parameters
    ----------
    beta : float or array_like
        Weight of task 1, in (0, 1).
    exponent : float
        :math:`\kappa`: :data:`LAGRANGE_EXPONENT` (1/2, R5 [ours]) or :data:`FIG3_EXPONENT`
        (0.75, read off Song et al. Fig. 3C [paper (fig.)]).

    Returns
    -------
    float or ndarray
        :math:`N_1/N_2`.

    Raises
    ------
    ValueError
        If ``beta`` is outside (0, 1) or the ratio overflows float64.

    Examples
    --------
    >>> from efttheory.scaling import FIG3_EXPONENT, allocation_ratio
    >>> allocation_ratio([0.5, 0.75, 0.9]).round(6).tolist()  # R5 [ours]: N1/N2 = sqrt(beta/(1-beta))
    [1.0, 1.732051, 3.0]
    >>> round(allocation_ratio(0.9, FIG3_EXPONENT), 6)  # kappa = 0.75 read off Fig. 3C: larger ratios
    5.196152
    """
    b = as_finite_array("beta", beta)
    if np.any((b <= 0) | (b >= 1)):
        raise ValueError(f"beta must lie in (0, 1), got values in [{b.min()}, {b.max()}]")
    kappa = check_finite_scalar("exponent", exponent)
    with np.errstate(over="ignore"):
        ratio = (b / (1.0 - b)) ** kappa
    return _out(_finite(ratio, "(beta/(1-beta))**exponent (|exponent| too large)"))


def equilibrium_neurons(alpha, a, lam, cost: float = 1.0):
    r"""Neurons minimising :math:`\alpha a/N + \lambda c N`: :math:`N^* = \sqrt{\alpha a/(\lambda c)}` (R7).

    A named model [ours] that the paper's Fig. 2B contradicts (there :math:`N \propto \alpha^{0.77}`).

    Parameters
    ----------
    alpha : array_like
        Weight of the task loss (> 0).
    a : float
        Subtask constant (> 0).
    lam : float
        Sparsity penalty per unit cost (> 0).
    cost : float
        Cost per neuron (> 0).

    Returns
    -------
    float or ndarray
        :math:`N^*`, shape of ``alpha``.

    Raises
    ------
    ValueError
        If an argument is not positive and finite, or :math:`N^*` overflows float64.

    Examples
    --------
    >>> from efttheory.scaling import equilibrium_neurons
    >>> equilibrium_neurons([1.0, 4.0, 16.0], a=1.0, lam=0.01).tolist()  # N* grows as alpha**0.5
    [10.0, 20.0, 40.0]
    """
    al = _positive("alpha", alpha)
    a = check_positive("a", a)
    lam = check_positive("lam", lam)
    cost = check_positive("cost", cost)
    with np.errstate(over="ignore", under="ignore"):
        # square roots first: the products alone over- or underflow for arguments beyond 1e+-154
        n_star = np.sqrt(al) * (math.sqrt(a) / (math.sqrt(lam) * math.sqrt(cost)))
    return _out(_finite(n_star, "alpha * a / (lam * cost) (alpha or a too large, or lam or cost too small)"))


def parameter_exponent(gamma, regime: str = "redundancy") -> float:
    r"""Exponent of :math:`\ell \propto N_p^{-x}` when depth grows as :math:`L \propto w^\gamma`.

    With :math:`N_p \propto w^2 L = w^{2+\gamma}`:

    * redundancy phase (resources :math:`\propto w`): :math:`x = 1/(2+\gamma)`;
    * structural phase (resources :math:`\propto wL`): :math:`x = (1+\gamma)/(2+\gamma)`.

    :math:`\gamma = 1` gives 1/3 (the resource model's Chinchilla prediction) and 2/3;
    :math:`\gamma = 0` gives 1/2 in both.

    Parameters
    ----------
    gamma : float
        Depth-width exponent, >= 0.
    regime : {"redundancy", "structural"}

    Notes
    -----
    Source: the :math:`N_p \propto N^3 \Rightarrow N_p^{-1/3}` chain [third party: IAIFI
    research-blog summary of Song et al.]; the :math:`\gamma` form is [ours]. Caveat [ours]:
    the Chinchilla family's shape :math:`N_p \propto m^{2.52}` (Liu, Liu & Gore, arXiv
    2505.10465) gives :math:`\gamma \approx 0.52` and :math:`x \approx 0.397`, outside Epoch's
    95 % interval for :math:`\alpha`.

    Examples
    --------
    >>> from efttheory.scaling import parameter_exponent
    >>> round(parameter_exponent(1.0), 6), round(parameter_exponent(1.0, "structural"), 6)  # L ~ width
    (0.333333, 0.666667)
    >>> parameter_exponent(0.0)  # fixed depth: 1/2 in both phases
    0.5
    """
    g = check_finite_scalar("gamma", gamma)
    if g < 0:
        raise ValueError(f"gamma must be >= 0, got {g}")
    regime = check_choice("regime", regime, ("redundancy", "structural"))
    return 1.0 / (2.0 + g) if regime == "redundancy" else (1.0 + g) / (2.0 + g)


def gamma_from_shape(k) -> float:
    r"""Depth exponent :math:`\gamma = k - 2` from a parameter-width law :math:`N_p \propto m^k` (k >= 2).

    Parameters
    ----------
    k : float
        Exponent of the parameter count in the width, finite and >= 2 (:math:`N_p` grows at
        least like the width squared).

    Returns
    -------
    float
        :math:`\gamma = k - 2 \ge 0`, the exponent taken by :func:`parameter_exponent`.

    Raises
    ------
    TypeError
        ``k`` is not a real number.
    ValueError
        ``k`` is not finite or is below 2.

    Examples
    --------
    >>> from efttheory.scaling import gamma_from_shape, parameter_exponent
    >>> g = gamma_from_shape(3.0)  # N_p ~ m**3: depth grows like width
    >>> g, round(parameter_exponent(g), 6)  # the resource model's Chinchilla exponent 1/3
    (1.0, 0.333333)
    >>> round(parameter_exponent(gamma_from_shape(2.52)), 3)  # the Chinchilla family's N_p ~ m**2.52
    0.397
    """
    k = check_finite_scalar("k", k)
    if k < 2:
        raise ValueError(f"k must be >= 2 (N_p grows at least like width squared), got {k}")
    return k - 2.0


def count_allocated(w_in, w_out, *, rule: str = "product", threshold: float | None = None):
    r"""Number of allocated hidden neurons of a one-hidden-layer network.

    Neuron :math:`i` is allocated when (rule ``"product"``, default threshold :math:`10^{-3}`)
    :math:`\max_{d,k} |W_{d i} V_{i k}| > \theta`, or (rule ``"weight"``, default
    :math:`10^{-2}`) :math:`\max_d |W_{d i}| > \theta`.

    Parameters
    ----------
    w_in : array_like, shape (..., d_in, hidden)
        Input weights; leading axes are batch axes (replicas).
    w_out : array_like, shape (..., hidden, d_out)
        Output weights.
    rule : {"product", "weight"}
    threshold : float, optional
        Positive; the rule's default when omitted.

    Returns
    -------
    int or ndarray of int, shape (...)

    Raises
    ------
    ValueError
        If the shapes do not agree or ``d_in`` or ``d_out`` is 0.

    Notes
    -----
    Source: Song et al. Fig. 2B ("non-zero input weight") [paper]; threshold 1e-3 [third party];
    the rules are [ours].

    Examples
    --------
    >>> from efttheory.scaling import count_allocated
    >>> w_in = [[1.0, 0.5, 1e-4]]  # (d_in, hidden) = (1, 3)
    >>> w_out = [[1.0], [0.0], [2.0]]  # (hidden, d_out) = (3, 1): neuron 1 feeds nothing
    >>> count_allocated(w_in, w_out), count_allocated(w_in, w_out, rule="weight")  # "weight" counts neuron 1
    (1, 2)
    """
    rule = check_choice("rule", rule, ("product", "weight"))
    theta = (_PRODUCT_THRESHOLD if rule == "product" else _WEIGHT_THRESHOLD) if threshold is None \
        else check_positive("threshold", threshold)
    w = as_finite_array("w_in", w_in)
    v = as_finite_array("w_out", w_out)
    if w.ndim < 2 or v.ndim < 2:
        raise ValueError(f"w_in and w_out must be at least 2-D, got shapes {w.shape} and {v.shape}")
    if w.shape[-1] != v.shape[-2] or w.shape[:-2] != v.shape[:-2]:
        raise ValueError(f"w_in (..., d_in, hidden) and w_out (..., hidden, d_out) must agree, "
                         f"got {w.shape} and {v.shape}")
    if w.shape[-2] == 0 or v.shape[-1] == 0:
        raise ValueError(f"w_in and w_out must have d_in >= 1 and d_out >= 1, got shapes {w.shape} "
                         f"(..., d_in, hidden) and {v.shape} (..., hidden, d_out)")
    w_max = np.abs(w).max(axis=-2)
    if rule == "weight":
        score = w_max
    else:
        score = w_max * np.abs(v).max(axis=-1)
    counts = (score > theta).sum(axis=-1)
    return int(counts) if counts.ndim == 0 else counts.astype(np.int64)


def allocation_mask(w_in, w_out, threshold: float = 1e-3):
    r"""Which hidden neurons serve which task of a parallel network (input :math:`k` feeds output :math:`k`).

    Neuron :math:`i` serves task :math:`k` when :math:`|W_{k i} V_{i k}| > \theta`; a neuron whose
    input weight and output weight belong to different tasks serves neither.

    Parameters
    ----------
    w_in : array_like, shape (..., m, hidden)
    w_out : array_like, shape (..., hidden, m)
    threshold : float
        :math:`\theta > 0`.

    Returns
    -------
    ndarray of bool, shape (..., m, hidden)
        The leading (batch) axes of ``w_in`` and ``w_out`` are broadcast together.

    See Also
    --------
    attribute_allocated : the per-task counts, ``allocation_mask(...).sum(-1)``.

    Notes
    -----
    Source: [ours], following Song et al. Fig. 3 (neurons coloured by task).

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.scaling import allocation_mask
    >>> w_in = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])  # (m, hidden) = (2 tasks, 3 neurons)
    >>> w_out = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])  # neuron 2 reads task 0 but writes task 1
    >>> allocation_mask(w_in, w_out).tolist()  # so neuron 2 serves neither task
    [[True, False, False], [False, True, False]]
    """
    theta = check_positive("threshold", threshold)
    w = as_finite_array("w_in", w_in)
    v = as_finite_array("w_out", w_out)
    if w.ndim < 2 or v.ndim < 2 or w.shape[-2] != v.shape[-1] or w.shape[-1] != v.shape[-2]:
        raise ValueError(f"w_in must be (..., m, hidden) and w_out (..., hidden, m), got {w.shape} "
                         f"and {v.shape}")
    try:
        np.broadcast_shapes(w.shape[:-2], v.shape[:-2])
    except ValueError:
        raise ValueError(f"the batch axes of w_in {w.shape[:-2]} and w_out {v.shape[:-2]} must "
                         f"broadcast together, got shapes {w.shape} and {v.shape}") from None
    return np.abs(w * np.swapaxes(v, -1, -2)) > theta


def attribute_allocated(w_in, w_out, threshold: float = 1e-3):
    r"""Neurons per task of a parallel network (input :math:`k` feeds output :math:`k`).

    Neuron :math:`i` counts for task :math:`k` when :math:`|W_{k i} V_{i k}| > \theta`.

    Parameters
    ----------
    w_in : array_like, shape (..., m, hidden)
    w_out : array_like, shape (..., hidden, m)
    threshold : float

    Returns
    -------
    ndarray of int, shape (..., m)

    Notes
    -----
    Source: [ours], following Song et al. Fig. 3 (neurons coloured by task).

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.scaling import attribute_allocated
    >>> w_in = np.array([[0.8, 0.5, 0.0, 1.0], [0.0, 0.0, 1.2, 0.0]])  # (m, hidden) = (2 tasks, 4 neurons)
    >>> w_out = np.array([[1.0, 0.0], [0.4, 0.0], [0.0, 0.9], [0.0, 1.0]])  # neuron 3 crosses tasks
    >>> attribute_allocated(w_in, w_out).tolist()  # neurons 0, 1 serve task 0; neuron 2 serves task 1
    [2, 1]
    """
    return allocation_mask(w_in, w_out, threshold).sum(axis=-1).astype(np.int64)


def count_allocated_by_ablation(masked_loss, n_neurons: int, rel_increase: float = 0.01) -> int:
    r"""Neurons whose removal raises the loss by more than ``rel_increase`` (relative).

    Parameters
    ----------
    masked_loss : callable
        ``masked_loss(mask) -> float`` with ``mask`` a bool array of shape (n_neurons,),
        False = neuron ablated (its output weight zeroed).
    n_neurons : int
        Hidden width (>= 1).
    rel_increase : float
        Threshold on :math:`(\ell_{\rm ablated} - \ell)/\ell`, > 0.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If ``n_neurons`` is below 1 or too large for a mask to be allocated, or
        ``masked_loss`` returns a non-finite value.

    Notes
    -----
    Source: [ours] (rule ``"ablation"`` of the spec).

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.scaling import count_allocated_by_ablation
    >>> extra = np.array([0.5, 0.0, 0.2, 0.001])  # loss added when each neuron is ablated
    >>> def masked_loss(mask):
    ...     return 1.0 + extra[~mask].sum()
    >>> count_allocated_by_ablation(masked_loss, 4)  # neurons 0 and 2 raise the loss by more than 1 %
    2
    """
    if not callable(masked_loss):
        raise TypeError(f"masked_loss must be callable, got {masked_loss!r}")
    n_neurons = check_integer("n_neurons", n_neurons, minimum=1)
    rel = check_positive("rel_increase", rel_increase)
    try:
        full = np.ones(n_neurons, dtype=bool)
    except (ValueError, MemoryError):
        raise ValueError(f"n_neurons = {n_neurons} is too large: a mask of that length cannot be "
                         "allocated") from None
    base = check_finite_scalar("masked_loss(all neurons)", masked_loss(full))
    count = 0
    for i in range(n_neurons):
        mask = full.copy()
        mask[i] = False
        value = check_finite_scalar("masked_loss(mask)", masked_loss(mask))
        if value - base > rel * abs(base):
            count += 1
    return count
