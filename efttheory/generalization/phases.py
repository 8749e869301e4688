r"""Phases of learning (generalization, grokking, memorization, confusion) and phase boundaries.

Phase labels of Baek, Liu & Tegmark (arXiv:2402.05916 v2, Table IV) as quoted by a
third party, with threshold 0.9 [third party]:

* **generalization**: train and test accuracy both exceed the threshold and the
  delay (first test step above it minus first train step above it) is below
  ``grok_delay`` (:math:`10^3` steps);
* **grokking**: the same with a delay of at least ``grok_delay``;
* **memorization**: train exceeds the threshold, test never does;
* **confusion**: train never exceeds the threshold.

:func:`boundary_ratio` locates the generalization/memorization boundary along a
line of learning-rate ratios [ours].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

from efttheory._arguments import as_finite_array, check_in_interval

__all__ = ["BoundaryEstimate", "Phase", "boundary_ratio", "classify_phase"]


class Phase(Enum):
    """Phase of a training run (paper Table IV [third party])."""

    GENERALIZATION = "generalization"
    GROKKING = "grokking"
    MEMORIZATION = "memorization"
    CONFUSION = "confusion"

    @property
    def generalizes(self) -> bool:
        """True for generalization and grokking (the test set is eventually learned)."""
        return self in (Phase.GENERALIZATION, Phase.GROKKING)


def classify_phase(steps, train_acc, test_acc, *, threshold=0.9, grok_delay=1000) -> Phase:
    r"""Phase of one training run from its accuracy history (Table IV [third party]).

    Parameters
    ----------
    steps : array_like, shape (T,)
        Increasing evaluation steps.
    train_acc, test_acc : array_like, shape (T,)
        Accuracies in [0, 1] at those steps.
    threshold : float
        Accuracy that counts as learned, in (0, 1).
    grok_delay : float
        Smallest test-after-train delay (in steps) called grokking, >= 0.

    Returns
    -------
    Phase

    Examples
    --------
    >>> from efttheory.generalization import classify_phase
    >>> steps, train = [0, 500, 1000, 5000], [0.5, 0.95, 1.0, 1.0]  # train passes 0.9 at step 500
    >>> classify_phase(steps, train, [0.3, 0.92, 0.97, 1.0]).value  # test follows at once
    'generalization'
    >>> classify_phase(steps, train, [0.3, 0.4, 0.5, 0.95]).value  # test follows 4500 steps later
    'grokking'
    >>> classify_phase(steps, train, [0.3, 0.4, 0.5, 0.5]).value
    'memorization'
    """
    steps = as_finite_array("steps", steps, ndim=1, min_size=1)
    train = as_finite_array("train_acc", train_acc, shape=(steps.size,))
    test = as_finite_array("test_acc", test_acc, shape=(steps.size,))
    if np.any(np.diff(steps) <= 0):
        raise ValueError("steps must be strictly increasing")
    for name, arr in (("train_acc", train), ("test_acc", test)):
        if np.any((arr < 0) | (arr > 1)):
            raise ValueError(f"{name} must lie in [0, 1], got range [{arr.min()}, {arr.max()}]")
    threshold = check_in_interval("threshold", threshold, 0.0, 1.0, closed=(False, False))
    grok_delay = check_in_interval("grok_delay", grok_delay, 0.0, math.inf)
    train_hit = np.flatnonzero(train > threshold)
    if train_hit.size == 0:
        return Phase.CONFUSION
    test_hit = np.flatnonzero(test > threshold)
    if test_hit.size == 0:
        return Phase.MEMORIZATION
    delay = steps[test_hit[0]] - steps[train_hit[0]]
    return Phase.GROKKING if delay >= grok_delay else Phase.GENERALIZATION


@dataclass(frozen=True, repr=False)
class BoundaryEstimate:
    r"""Location of the generalization boundary along a line of learning-rate ratios.

    Attributes
    ----------
    log10_ratio : float
        :math:`\log_{10} r^*`, the mean of :math:`\log_{10}` ``lower`` and
        :math:`\log_{10}` ``upper``. When censored it is the grid edge itself, a bound
        rather than an estimate: the first ratio (``"below"``) or the last (``"above"``).
    lower : float
        Largest ratio at or below which every seed generalizes at every grid ratio (NaN if
        none).
    upper : float
        Smallest ratio above ``lower`` where at least half the seeds do not (NaN if none).
    censored : str
        ``""``; ``"below"`` when some seed already fails at the first ratio (``lower`` is
        NaN); ``"above"`` when no ratio above ``lower`` has half the seeds failing.
    """

    log10_ratio: float
    lower: float
    upper: float
    censored: str

    @property
    def ratio(self) -> float:
        """:math:`r^* = 10^{\\log_{10} r^*}`."""
        return 10.0 ** self.log10_ratio

    def __repr__(self) -> str:
        flag = f", censored {self.censored}" if self.censored else ""
        return (f"BoundaryEstimate(r*=10^{self.log10_ratio:.2f}, lower={self.lower:.4g}, "
                f"upper={self.upper:.4g}{flag})")


def boundary_ratio(ratios, phases_per_seed) -> BoundaryEstimate:
    r"""Boundary ratio :math:`r^* = \eta_\mathrm{dec}/\eta_\mathrm{enc}` from phases on a ratio grid [ours].

    :math:`r^*` is the geometric mean of the largest ratio below which every seed
    generalizes or groks at every grid ratio, and the smallest larger ratio at which
    at least half the seeds do not.

    Parameters
    ----------
    ratios : array_like, shape (R,)
        Increasing positive ratios.
    phases_per_seed : iterable of length R of sequences of Phase
        Phases of the seeds at each ratio (at least one seed per ratio).

    Returns
    -------
    BoundaryEstimate

    Examples
    --------
    >>> from efttheory.generalization import Phase, boundary_ratio
    >>> G, M = Phase.GENERALIZATION, Phase.MEMORIZATION
    >>> phases = [[G, G, G], [G, G, G], [G, M, M], [M, M, M]]  # three seeds at each ratio
    >>> est = boundary_ratio([1, 10, 100, 1000], phases)  # all generalize up to 10, most fail at 100
    >>> est
    BoundaryEstimate(r*=10^1.50, lower=10, upper=100)
    >>> round(est.ratio, 2)  # sqrt(10 * 100)
    31.62
    """
    ratios = as_finite_array("ratios", ratios, ndim=1, min_size=1)
    if np.any(ratios <= 0) or np.any(np.diff(ratios) <= 0):
        raise ValueError(f"ratios must be positive and strictly increasing, got {ratios}")
    try:
        phases_per_seed = list(phases_per_seed)
    except TypeError:
        raise TypeError(f"phases_per_seed must be a sequence of sequences of Phase, got "
                        f"{type(phases_per_seed).__name__}") from None
    if len(phases_per_seed) != ratios.size:
        raise ValueError(f"phases_per_seed must have one entry per ratio ({ratios.size}), "
                         f"got {len(phases_per_seed)}")
    good = []
    for row in phases_per_seed:
        try:
            row = list(row)
        except TypeError:
            raise TypeError(f"phases_per_seed must hold non-empty sequences of Phase, got an entry of type "
                            f"{type(row).__name__}") from None
        if not row or not all(isinstance(p, Phase) for p in row):
            raise TypeError("phases_per_seed must hold non-empty sequences of Phase")
        good.append(np.array([p.generalizes for p in row]))
    all_good = np.array([g.all() for g in good])
    half_bad = np.array([np.mean(~g) >= 0.5 for g in good])
    prefix = int(np.argmin(all_good)) if not all_good.all() else ratios.size
    if prefix == 0:
        lower = math.nan
    else:
        lower = float(ratios[prefix - 1])
    bad_idx = [i for i in range(prefix, ratios.size) if half_bad[i]]
    upper = float(ratios[bad_idx[0]]) if bad_idx else math.nan
    if math.isnan(lower):
        censored, value = "below", math.log10(float(ratios[0]))
    elif math.isnan(upper):
        censored, value = "above", math.log10(float(ratios[-1]))
    else:
        censored, value = "", 0.5 * (math.log10(lower) + math.log10(upper))
    return BoundaryEstimate(value, lower, upper, censored)
