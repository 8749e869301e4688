r"""Monte-Carlo counterparts of the statics: balls in buckets, and what a training set determines.

:func:`balls_in_buckets_mc` throws :math:`m` balls into :math:`b` buckets and
counts the buckets hit, the experiment behind Eq. 3 of Baek, Liu & Tegmark
(arXiv:2402.05916) [third party]. :func:`closure_accuracy_mc` follows the paper's
App. D as quoted by a third party: sample a fraction of the pairs of a relation,
close the sampled facts under the axioms the relation satisfies (reflexivity,
symmetry, transitivity), and score every pair that is still undetermined with the
guessing odds :math:`\max(p^*, 1 - p^*)` [third party]. The closure rules (incl.
the two contrapositives of transitivity for unrelated pairs) are [ours].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from efttheory._arguments import as_generator, check_finite_scalar, check_in_interval, check_integer
from efttheory.generalization import _kernels
from efttheory.generalization.statics import _check_adjacency

__all__ = ["ClosureMC", "MCEstimate", "balls_in_buckets_mc", "closure_accuracy_mc", "relation_axioms"]


#: Largest n_trials * (max(m) + 1) of balls_in_buckets_mc (int64 draws held in memory).
_MAX_DRAWS = 5 * 10**7
#: Largest b for the kernel's length-b table of hit buckets; above it, a sort per trial.
_DENSE_MAX_BUCKETS = 2**24


@dataclass(frozen=True, repr=False)
class MCEstimate:
    """A Monte-Carlo mean with its standard error.

    Attributes
    ----------
    p : float or ndarray
        Estimate (a probability or a mean fraction).
    se : float or ndarray
        Standard error of ``p``.
    n : int
        Samples.
    agreement : float
        For repon Monte-Carlos with ``method="ode"``: fraction of samples whose fate
        (collision or not) matches the sign of the conserved quantity; NaN otherwise.
    """

    p: object
    se: object
    n: int
    agreement: float = float("nan")

    def __repr__(self) -> str:
        if np.ndim(self.p) == 0:
            text = f"p={float(self.p):.4f} ± {float(self.se):.4f}"
        else:
            text = f"p=array(shape={np.shape(self.p)})"
        extra = "" if np.isnan(self.agreement) else f", agreement={self.agreement:.3f}"
        return f"MCEstimate({text}, n={self.n}{extra})"


@dataclass(frozen=True, repr=False)
class ClosureMC:
    """Closure Monte-Carlo at one training fraction.

    Attributes
    ----------
    accuracy : float
        Mean over trials of (determined pairs + guessed undetermined pairs) / all pairs.
    known : float
        Mean fraction of all pairs determined by the training set and the axioms.
    se : float
        Standard error of ``accuracy``.
    known_se : float
        Standard error of ``known``.
    n_trials : int
    fraction : float
    """

    accuracy: float
    known: float
    se: float
    known_se: float
    n_trials: int
    fraction: float

    def __repr__(self) -> str:
        return (f"ClosureMC(fraction={self.fraction:.3f}, known={self.known:.4f}, "
                f"accuracy={self.accuracy:.4f} ± {self.se:.4f}, n_trials={self.n_trials})")


def balls_in_buckets_mc(b, m, *, n_trials: int, rng) -> MCEstimate:
    r"""Fraction of :math:`b` buckets hit by :math:`m` uniform balls, by simulation.

    Its mean is :math:`1 - (1 - 1/b)^m` (Eq. 3, :func:`known_fraction`).

    Parameters
    ----------
    b : int
        Buckets, in ``[1, 2**63 - 1]``.
    m : int or array_like of int
        Balls (each ``>= 0``); all values are estimated from the same trials.
    n_trials : int
        Independent trials, ``>= 2``; ``n_trials * (max(m) + 1)`` must not exceed
        ``5 * 10**7`` (every draw is held in memory).
    rng : numpy.random.Generator or int

    Returns
    -------
    MCEstimate
        ``p`` and ``se`` with the shape of ``m``.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.generalization import balls_in_buckets_mc, known_fraction
    >>> est = balls_in_buckets_mc(40, [40, 120], n_trials=2000, rng=0)  # 40 buckets, 40 and 120 balls
    >>> np.round(known_fraction([40, 120], 40), 4).tolist()  # Eq. 3
    [0.6368, 0.9521]
    >>> bool(np.all(np.abs(est.p - known_fraction([40, 120], 40)) < 0.01))  # the simulation agrees
    True
    """
    b = check_integer("b", b, minimum=1, maximum=2**63 - 1)
    n_trials = check_integer("n_trials", n_trials, minimum=2)
    m_arr = np.asarray(m)
    if m_arr.dtype.kind not in "iu":
        raise TypeError(f"m must be an integer or an array of integers, got dtype {m_arr.dtype}")
    if np.any(m_arr < 0):
        raise ValueError(f"m must be >= 0, got min {m_arr.min()}")
    m_max = int(m_arr.max()) if m_arr.size else 0
    if n_trials * (max(m_max, 1) + 1) > _MAX_DRAWS:
        raise ValueError(f"n_trials * (max(m) + 1) must be <= {_MAX_DRAWS} (the draws are held in memory), "
                         f"got n_trials = {n_trials}, max(m) = {m_max}")
    generator = as_generator("rng", rng)
    draws = generator.integers(0, b, size=(n_trials, max(m_max, 1)))
    if b <= _DENSE_MAX_BUCKETS:
        counts = _kernels.distinct_counts(draws, b)
    else:  # a length-b table would not fit: mark first occurrences by sorting each trial
        counts = np.empty(draws.shape, dtype=np.int64)
        for t in range(n_trials):
            first = np.zeros(draws.shape[1], dtype=bool)
            first[np.unique(draws[t], return_index=True)[1]] = True
            counts[t] = np.cumsum(first)
    counts = np.concatenate([np.zeros((n_trials, 1), dtype=np.int64), counts], axis=1) / b
    chosen = counts[:, m_arr.astype(np.int64)]
    p = chosen.mean(axis=0)
    se = chosen.std(axis=0, ddof=1) / np.sqrt(n_trials)
    if m_arr.ndim == 0:
        p, se = float(p), float(se)
    return MCEstimate(p, se, n_trials)


def relation_axioms(adjacency) -> tuple[bool, bool, bool]:
    """``(reflexive, symmetric, transitive)`` of a relation given as a square bool matrix.

    Parameters
    ----------
    adjacency : array_like of bool, shape (n, n)
        The relation, ``adjacency[i, j]`` true when ``i`` is related to ``j``; square with
        ``n >= 2``, bool or numeric holding only 0 and 1.

    Returns
    -------
    tuple of (bool, bool, bool)
        Whether the relation is reflexive, symmetric and transitive, in that order.

    Raises
    ------
    TypeError
        ``adjacency`` is not a bool or real-number array.
    ValueError
        ``adjacency`` is not square with ``n >= 2``, or a numeric entry is NaN, infinite or
        other than 0 and 1.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.generalization import relation_axioms
    >>> x = np.arange(6)
    >>> relation_axioms(x[:, None] % 3 == x[None, :] % 3)  # an equivalence relation
    (True, True, True)
    >>> relation_axioms(x[:, None] > x[None, :])  # a strict order is only transitive
    (False, False, True)
    """
    adj = _check_adjacency(adjacency)
    reflexive = bool(np.all(np.diag(adj)))
    symmetric = bool(np.array_equal(adj, adj.T))
    composed = (adj.astype(np.int64) @ adj.astype(np.int64)) > 0
    transitive = bool(np.all(~composed | adj))
    return reflexive, symmetric, transitive


def closure_accuracy_mc(adjacency, fraction, p_star, *, n_trials: int, rng) -> ClosureMC:
    r"""What a random training set determines about a relation, and the accuracy it allows.

    Each trial draws ``round(fraction * n**2)`` of the :math:`n^2` ordered pairs
    (diagonal included) without replacement, marks them related or unrelated as the
    relation says, closes these facts under the axioms the relation satisfies
    (:func:`relation_axioms`), and scores

    .. math:: \mathrm{acc} = k + \max(p^*, 1 - p^*)\,(1 - k),

    with :math:`k` the determined fraction of all pairs (App. D [third party]).

    Parameters
    ----------
    adjacency : array_like of bool, shape (n, n)
        The relation, ``n >= 2``.
    fraction : float
        Training fraction in (0, 1].
    p_star : float
        Guessing odds in [0, 1].
    n_trials : int
        Trials, ``>= 2``.
    rng : numpy.random.Generator or int

    Returns
    -------
    ClosureMC

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.generalization import closure_accuracy_mc, relation_statics
    >>> x = np.arange(30)
    >>> mod3 = x[:, None] % 3 == x[None, :] % 3
    >>> p_c = relation_statics("mod", 30, k=3, approx=True).critical_fraction  # b = 30 log2 3
    >>> round(p_c, 4)
    0.1204
    >>> res = closure_accuracy_mc(mod3, p_c, p_star=1/3, n_trials=50, rng=0)
    >>> bool(abs(res.known - 0.9) < 0.03)  # at p_c the closure determines about 90 % of the pairs
    True
    >>> closure_accuracy_mc(mod3, 1.0, p_star=1/3, n_trials=2, rng=0).accuracy  # all pairs seen
    1.0
    """
    adj = _check_adjacency(adjacency)
    fraction = check_in_interval("fraction", fraction, 0.0, 1.0, closed=(False, True))
    p_star = check_in_interval("p_star", check_finite_scalar("p_star", p_star), 0.0, 1.0)
    n_trials = check_integer("n_trials", n_trials, minimum=2)
    generator = as_generator("rng", rng)
    reflexive, symmetric, transitive = relation_axioms(adj)
    n = adj.shape[0]
    n_pairs = n * n
    n_train = int(round(fraction * n_pairs))
    guess = max(p_star, 1.0 - p_star)
    flat = adj.ravel()
    known = np.empty(n_trials)
    for trial in range(n_trials):
        chosen = generator.choice(n_pairs, size=n_train, replace=False)
        positive = np.zeros(n_pairs, dtype=bool)
        negative = np.zeros(n_pairs, dtype=bool)
        positive[chosen] = flat[chosen]
        negative[chosen] = ~flat[chosen]
        positive = positive.reshape(n, n)
        negative = negative.reshape(n, n)
        _kernels.closure_fixed_point(positive, negative, reflexive, symmetric, transitive)
        known[trial] = np.count_nonzero(positive | negative) / n_pairs
    accuracy = known + guess * (1.0 - known)
    root = np.sqrt(n_trials)
    return ClosureMC(float(accuracy.mean()), float(known.mean()), float(accuracy.std(ddof=1) / root),
                     float(known.std(ddof=1) / root), n_trials, fraction)
