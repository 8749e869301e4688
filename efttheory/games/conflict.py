r"""Divide-and-conquer conflict: a model inspired by Park & Tegmark (arXiv 2310.06009).

P. S. Park and M. Tegmark, *Divide-and-Conquer Dynamics in AI-Driven
Disempowerment*, arXiv 2310.06009 (2023), predict in their abstract [paper]
that future victims support current victims only once they see their own
interests under *serious and imminent* threat; that the movement unites more if
members *believe their efforts will succeed*; and that it unites and prevails
better if members are *less myopic*. The paper's equations were not available
to us. **Everything below is our formalisation of that verbal model [ours]**:
each phrase of the abstract maps to one parameter with a provable comparative
static. Docs and docstrings therefore call it "a model inspired by Park &
Tegmark", never "the paper's model". The contest-success function and the
continuation payoffs are pluggable, so the paper's exact forms can be dropped in.

**DC-2** [ours]. Current victims C (strength :math:`s_C`), future victims F
(:math:`s_F`) and a threat T (:math:`s_T`). In *sequential* mode F decides
whether to support C at cost :math:`c` paid now; C's side prevails with
:math:`p_1 = P(s_C + s_F, s_T)` or :math:`p_0 = P(s_C, s_T)`; if T prevails it
grows to :math:`s_T' = s_T + \gamma s_C` and, with probability :math:`q`, turns
on F :math:`\tau` periods later, where F alone prevails with
:math:`\pi = P(s_F, s_T')`. F's utility and its support rule are

.. math::

    U_F(a) = -a\,c - (1 - p_a)\, q\, \delta^\tau (1 - \pi) L_F, \qquad
    \text{support} \iff c \le \tilde G = \widetilde{\Delta p}\,\tilde q\,\delta^\tau (1-\pi) L_F,

with efficacy :math:`\Delta p = p_1 - p_0` and perceived values (tilde) that
default to the true ones. In *simultaneous* mode C and F fight T together.

**DC-N** [ours]. Groups are attacked in sequence; while group :math:`k` is
attacked each later group :math:`j` picks :math:`a_j \in \{0, 1\}`:

.. math::

    U_j(a) = -c_j a_j - \big(1 - P(s_k + \textstyle\sum_j a_j s_j,\, s_T)\big) V_j,

a threshold public-good (stag-hunt) game for :math:`r > 1`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from efttheory._arguments import (
    as_finite_array,
    as_integer_array,
    broadcast_shape,
    check_choice,
    check_flag,
    check_in_interval,
    check_integer,
    check_positive,
    check_probability,
)
from efttheory.games import _kernels
from efttheory.games.extensive import (
    GameTree,
    SubgamePerfectEquilibrium,
    one_shot_deviation_gain,
    strategy_values,
    subgame_perfect_equilibria,
)
from efttheory.games.normal_form import (
    NormalFormGame,
    _action_values,
    pure_nash_equilibria,
)
from efttheory.games.selection import select_equilibrium

__all__ = [
    "AttackOrder",
    "ComparativeStatics",
    "ContestProbabilities",
    "DC2Equilibrium",
    "DC2Params",
    "DCNParams",
    "DivisionBudget",
    "EfficacyPeak",
    "MarkovPerfectEquilibrium",
    "ThreatChoice",
    "comparative_statics",
    "contest_probabilities",
    "critical_discount_factor",
    "critical_efficacy",
    "critical_imminence",
    "critical_threat_belief",
    "dc2_game_tree",
    "dc2_subgame_perfect_equilibrium",
    "dcn_equilibrium_margins",
    "dcn_markov_perfect_equilibrium",
    "dcn_stage_game",
    "dcn_stage_increments",
    "discount_weight",
    "division_budget",
    "efficacy_peak",
    "max_support_cost",
    "solidarity_efficacy",
    "solidarity_gain",
    "support_decision",
    "threat_attack_mode",
    "threat_attack_order",
    "tullock_csf",
]

STAGE_RULES = ("payoff_dominant", "risk_dominant", "pessimistic", "qre_limit")
MAX_STAGE_CHOOSERS = 20  # a stage game holds 2**M x M payoffs: 170 MB and about 1 s at M = 20
MAX_MPE_GROUPS = 16  # dcn_markov_perfect_equilibrium: about 1 s at N = 16, doubling with each group


# ---------------------------------------------------------------------------------------------
# Contest success function
# ---------------------------------------------------------------------------------------------


def tullock_csf(x, y, r: float = 1.0):
    r"""Tullock contest success function :math:`P(x, y) = x^r / (x^r + y^r)`.

    The probability that strength :math:`x` beats strength :math:`y`
    [cited: Tullock, *Efficient rent seeking* (1980)]; S-shaped in :math:`x`
    for :math:`r > 1`. Computed as :math:`1 / (1 + (y/x)^r)`, with
    :math:`(y/x)^r = \exp(r(\ln y - \ln x))` where :math:`y/x` itself would
    over- or underflow, so any positive finite strengths and decisiveness give a
    probability (0 or 1 once the odds pass the float range), never NaN.

    Parameters
    ----------
    x, y : float or array_like, > 0
        Strengths (any common unit); broadcast against each other.
    r : float, > 0
        Decisiveness of conflict.

    Returns
    -------
    float or numpy.ndarray, in [0, 1]

    Raises
    ------
    ValueError
        If a strength is not finite and > 0, ``r`` is not finite and > 0, or
        ``x`` and ``y`` do not broadcast.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.games import tullock_csf
    >>> tullock_csf(1.0, 1.0, r=2)             # equal strengths: a fair coin, whatever r
    0.5
    >>> np.round(tullock_csf(np.array([1.0, 2.0, 3.0]), 1.0, r=2), 12).tolist()  # 1 / (1 + (y/x)^r)
    [0.5, 0.8, 0.9]
    >>> tullock_csf(1e200, 1e200, r=2), tullock_csf(2.0, 1.0, r=2000)  # no overflow: huge strengths or r
    (0.5, 1.0)
    """
    r = check_positive("r", r)
    xa = as_finite_array("x", x)
    ya = as_finite_array("y", y)
    broadcast_shape("x and y", xa, ya)
    if np.any(xa <= 0) or np.any(ya <= 0):
        raise ValueError(f"x and y must be > 0 (strengths), got x={x!r}, y={y!r}")
    out = _tullock(xa, ya, r)
    return float(out) if out.ndim == 0 else out


_TINY, _HUGE = np.finfo(float).tiny, np.finfo(float).max


def _tullock(x, y, r):
    """P(x, y) = 1 / (1 + (y/x)^r) for x >= 0, y > 0 (floats or arrays) without overflow or NaN.

    The log-odds t = r ln(y/x) is computed from the larger strength over the smaller and then
    signed, so P(y, x) uses exactly -t and P(x, y) + P(y, x) = 1 to a few ulps whatever r
    (rounding y/x and x/y separately would differ by about r ulps in the odds).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        lo, hi = np.minimum(x, y), np.maximum(x, y)
        ratio = hi / lo  # >= 1; x = 0 gives inf, so odds = inf and P = 0
        log_ratio = np.where(ratio <= _HUGE, np.log(ratio), np.log(hi) - np.log(lo))
        t = r * log_ratio
        odds = np.exp(np.where(y >= x, t, -t))
        return 1.0 / (1.0 + odds)  # odds = inf gives 0, odds = 0 gives 1


def _log_ratio(a: float, b: float) -> float:
    """ln(a / b) for floats a, b > 0, also where a / b over- or underflows."""
    ratio = a / b
    return math.log(ratio) if _TINY <= ratio <= _HUGE else math.log(a) - math.log(b)


def _check_csf(csf):
    if csf is not None and not callable(csf):
        raise TypeError(f"csf must be a callable csf(x, y) -> probability or None, got {csf!r}")
    return csf


def _contest(csf, r):
    if csf is None:
        return lambda x, y: float(_tullock(x, y, r))

    def wrapped(x, y):
        value = float(csf(x, y))
        if not (0.0 <= value <= 1.0):
            raise ValueError(f"csf({x}, {y}) must be a probability in [0, 1], got {value}")
        return value

    return wrapped


# ---------------------------------------------------------------------------------------------
# DC-2
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class DC2Params:
    r"""Parameters of the two-group model DC-2 [ours].

    Parameters
    ----------
    s_C, s_F, s_T : float, > 0
        Strengths of current victims, future victims and the threat.
    r : float, > 0
        Decisiveness (Tullock exponent); ignored when ``csf`` is given.
    c : float, >= 0
        F's cost of supporting C, paid now ("at personal cost", "today").
    L_F : float, > 0
        F's loss if disempowered ("serious").
    q : float in [0, 1]
        Probability that T targets F if C falls ("realize their interests are also under threat").
    tau : float, >= 0
        Periods until T turns on F ("imminent").
    delta : float in (0, 1]
        F's per-period discount factor; myopia is :math:`1 - \delta` ("less myopic").
    gamma : float in [0, 1]
        Share of a conquered group's strength T absorbs ("divide and conquer").
    q_belief, dp_belief : float in [0, 1] or None
        F's perceived threat belief and efficacy ("believe efforts will be
        successful"); ``None`` means the true values.
    csf : callable or None
        ``csf(x, y) -> [0, 1]``, increasing in x, with ``csf(x, y) + csf(y, x) = 1``.
    delta_T : float in (0, 1]
        T's discount factor on the later conquest (default 1).
    hazard : float in (0, 1] or None
        Geometric attack time with per-period hazard :math:`h`: :math:`\delta^\tau`
        is replaced by :math:`h\delta / (1 - (1-h)\delta)`.
    """

    s_C: float
    s_F: float
    s_T: float
    r: float
    c: float
    L_F: float
    q: float
    tau: float
    delta: float
    gamma: float
    q_belief: float | None = None
    dp_belief: float | None = None
    csf: Callable | None = None
    delta_T: float = 1.0
    hazard: float | None = None

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        for name in ("s_C", "s_F", "s_T", "r", "L_F"):
            set_(name, check_positive(name, getattr(self, name)))
        set_("c", check_positive("c", self.c, strict=False))
        set_("tau", check_positive("tau", self.tau, strict=False))
        set_("q", check_probability("q", self.q))
        set_("gamma", check_probability("gamma", self.gamma))
        set_("delta", check_in_interval("delta", self.delta, 0.0, 1.0, closed=(False, True)))
        set_("delta_T", check_in_interval("delta_T", self.delta_T, 0.0, 1.0, closed=(False, True)))
        for name in ("q_belief", "dp_belief"):
            if getattr(self, name) is not None:
                set_(name, check_probability(name, getattr(self, name)))
        if self.hazard is not None:
            set_("hazard", check_in_interval("hazard", self.hazard, 0.0, 1.0, closed=(False, True)))
        _check_csf(self.csf)

    def replace(self, **changes) -> "DC2Params":
        """A copy with some fields changed (validated again).

        Parameters
        ----------
        **changes
            New values keyed by field name (``s_C``, ``q``, ``delta``, ``csf``, ...), passed
            with the unchanged fields to the :class:`DC2Params` constructor.

        Returns
        -------
        DC2Params
            A new instance; ``self`` is unchanged.

        Raises
        ------
        TypeError
            If a name is not a field of :class:`DC2Params`, a value is not a real number, or
            ``csf`` is neither callable nor None.
        ValueError
            If a value lies outside the range the constructor allows (see :class:`DC2Params`).
        """
        fields = {k: getattr(self, k) for k in self.__dataclass_fields__}
        fields.update(changes)
        return DC2Params(**fields)

    def __repr__(self) -> str:
        core = ", ".join(f"{k}={getattr(self, k):g}" for k in
                         ("s_C", "s_F", "s_T", "r", "c", "L_F", "q", "tau", "delta", "gamma"))
        extra = [f"{k}={getattr(self, k)!r}" for k in ("q_belief", "dp_belief", "hazard")
                 if getattr(self, k) is not None]
        if self.csf is not None:
            extra.append("csf=custom")
        return f"DC2Params({', '.join([core, *extra])})"


def _params(p) -> DC2Params:
    if not isinstance(p, DC2Params):
        raise TypeError(f"p must be a DC2Params, got {type(p).__name__}")
    return p


@dataclass(frozen=True)
class ContestProbabilities:
    """Contest outcomes of DC-2: ``p_1 = P(s_C + s_F, s_T)``, ``p_0 = P(s_C, s_T)``,
    ``pi = P(s_F, s_T_after)`` with ``s_T_after = s_T + gamma s_C``.

    ``one_minus_p_1``, ``one_minus_p_0`` and ``one_minus_pi`` are the complements, computed
    directly for the Tullock contest (:math:`1 - P(x, y) = P(y, x)`), so they keep their digits
    when a contest is lopsided and :math:`P` rounds to 1 (for a custom ``csf``, and by default
    when built by hand: ``1 - P``).
    """

    p_1: float
    p_0: float
    pi: float
    s_T_after: float
    one_minus_p_1: float | None = None
    one_minus_p_0: float | None = None
    one_minus_pi: float | None = None

    def __post_init__(self):
        for name, value in (("one_minus_p_1", self.p_1), ("one_minus_p_0", self.p_0), ("one_minus_pi", self.pi)):
            if getattr(self, name) is None:
                object.__setattr__(self, name, 1.0 - value)

    @property
    def efficacy(self) -> float:
        """:math:`\\Delta p = p_1 - p_0`, from the complements when both are above 1/2."""
        if self.p_0 >= 0.5:
            return self.one_minus_p_0 - self.one_minus_p_1
        return self.p_1 - self.p_0


def contest_probabilities(p: DC2Params) -> ContestProbabilities:
    """The three contest probabilities of DC-2 (true values) [ours].

    Parameters
    ----------
    p : DC2Params
        Parameters of the model; the contests use ``p.csf``, or the Tullock contest with
        decisiveness ``p.r``.

    Returns
    -------
    ContestProbabilities
        :math:`p_1`, :math:`p_0`, :math:`\\pi` (each in [0, 1]), T's strength after
        conquering C and the three complements.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`DC2Params`.
    ValueError
        If a custom ``p.csf`` returns a value outside [0, 1].

    Examples
    --------
    >>> from efttheory.games import DC2Params, contest_probabilities
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> cp = contest_probabilities(b0)
    >>> round(cp.p_1, 6), round(cp.p_0, 6), round(cp.pi, 6), cp.s_T_after  # p_0 = 4/13, s_T' = 1.5 + 0.5 * 1
    (0.64, 0.307692, 0.2, 2.0)
    """
    p = _params(p)
    P = _contest(p.csf, p.r)
    s_after = p.s_T + p.gamma * p.s_C
    pairs = ((p.s_C + p.s_F, p.s_T), (p.s_C, p.s_T), (p.s_F, s_after))
    probs = [float(P(x, y)) for x, y in pairs]
    if p.csf is None:  # 1 - P(x, y) = P(y, x): no cancellation when P is near 1
        complements = [float(P(y, x)) for x, y in pairs]
    else:
        complements = [1.0 - v for v in probs]
    return ContestProbabilities(probs[0], probs[1], probs[2], s_after, *complements)


def discount_weight(p: DC2Params, delta: float | None = None) -> float:
    r"""F's weight on the later loss: :math:`\delta^\tau`, or :math:`h\delta/(1 - (1-h)\delta)` with a hazard.

    Parameters
    ----------
    p : DC2Params
    delta : float in (0, 1] or None
        Discount factor to use instead of ``p.delta``.

    Examples
    --------
    >>> from efttheory.games import DC2Params, discount_weight
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> round(discount_weight(b0), 6)                      # delta^tau = 0.9^2
    0.81
    >>> round(discount_weight(b0, delta=0.5), 6)           # a more myopic F: 0.5^2
    0.25
    >>> round(discount_weight(b0.replace(hazard=0.5)), 6)  # geometric delay instead: 0.45 / 0.55
    0.818182
    """
    p = _params(p)
    d = p.delta if delta is None else check_in_interval("delta", delta, 0.0, 1.0, closed=(False, True))
    if p.hazard is not None:
        h = p.hazard
        return h * d / (1.0 - (1.0 - h) * d)
    return d**p.tau


def solidarity_efficacy(p: DC2Params) -> float:
    r"""Efficacy of solidarity :math:`\Delta p = p_1 - p_0` (true value) [ours].

    Parameters
    ----------
    p : DC2Params
        Parameters of the model (F's beliefs ``q_belief``, ``dp_belief`` are not used).

    Returns
    -------
    float
        :math:`\Delta p`, the rise in the movement's chance of prevailing when F joins C;
        in [0, 1] for a contest function increasing in the first strength.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`DC2Params`.
    ValueError
        If a custom ``p.csf`` returns a value outside [0, 1].

    Examples
    --------
    >>> from efttheory.games import DC2Params, solidarity_efficacy
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> round(solidarity_efficacy(b0), 6)                   # p_1 - p_0 = 0.64 - 4/13
    0.332308
    >>> # futile at both ends: C beats a weak threat alone, and nothing stops an overwhelming one
    >>> round(solidarity_efficacy(b0.replace(s_T=0.1)), 6), round(solidarity_efficacy(b0.replace(s_T=10)), 6)
    (0.007407, 0.028561)
    """
    return contest_probabilities(p).efficacy


def _beliefs(p):
    q = p.q if p.q_belief is None else p.q_belief
    dp = solidarity_efficacy(p) if p.dp_belief is None else p.dp_belief
    return q, dp


def solidarity_gain(p: DC2Params, perceived: bool = True) -> float:
    r"""F's expected gain from supporting, :math:`G = \Delta p\, q\, \delta^\tau (1 - \pi) L_F` [ours].

    Parameters
    ----------
    p : DC2Params
    perceived : bool
        Use F's perceived :math:`\tilde q, \widetilde{\Delta p}` (what drives the
        decision; default) or the true values.

    Examples
    --------
    >>> from efttheory.games import DC2Params, solidarity_gain
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> round(solidarity_gain(b0), 6)                      # 0.332308 * 0.8 * 0.9^2 * (1 - 0.2) * 10
    1.722683
    >>> round(solidarity_gain(b0.replace(delta=1)), 6)     # a fully patient F: G = 2.12677
    2.126769
    >>> doubtful = b0.replace(q_belief=0.4)   # F thinks the threat half as likely to turn on it as it is
    >>> round(solidarity_gain(doubtful), 6), round(solidarity_gain(doubtful, perceived=False), 6)
    (0.861342, 1.722683)
    """
    p = _params(p)
    perceived = check_flag("perceived", perceived)
    cp = contest_probabilities(p)
    q, dp = _beliefs(p) if perceived else (p.q, cp.efficacy)
    return dp * q * discount_weight(p) * cp.one_minus_pi * p.L_F


def support_decision(p: DC2Params) -> bool:
    r"""True when F supports C: :math:`c \le \tilde G` (ties go to support) [ours].

    Parameters
    ----------
    p : DC2Params
        Parameters of the model; F decides on its perceived threat and efficacy.

    Returns
    -------
    bool
        Whether F supports C (also when :math:`c = \tilde G`).

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`DC2Params`.
    ValueError
        If a custom ``p.csf`` returns a value outside [0, 1].

    Examples
    --------
    >>> from efttheory.games import DC2Params, support_decision
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> support_decision(b0)                          # c = 0.8 <= G~ = 1.72
    True
    >>> support_decision(b0.replace(delta=0.5))       # a myopic F stays out
    False
    >>> support_decision(b0.replace(dp_belief=0.05))  # so does an F persuaded that support is futile
    False
    """
    return bool(_params(p).c <= solidarity_gain(p))


def max_support_cost(p: DC2Params) -> float:
    r"""F's willingness to pay for solidarity, :math:`c^* = \tilde G` [ours].

    Parameters
    ----------
    p : DC2Params
        Parameters of the model; ``p.c`` is not used.

    Returns
    -------
    float
        :math:`c^* \ge 0` (payoff units): F supports iff :math:`c \le c^*`.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`DC2Params`.
    ValueError
        If a custom ``p.csf`` returns a value outside [0, 1].

    Examples
    --------
    >>> from efttheory.games import DC2Params, max_support_cost, support_decision
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> c_star = max_support_cost(b0)
    >>> round(c_star, 6)
    1.722683
    >>> support_decision(b0.replace(c=c_star)), support_decision(b0.replace(c=c_star + 0.01))  # ties: support
    (True, False)
    """
    return solidarity_gain(p)


def _base(p):
    """Perceived gain without the time weight: dp~ q~ (1 - pi) L_F."""
    cp = contest_probabilities(p)
    q, dp = _beliefs(p)
    return dp * q * cp.one_minus_pi * p.L_F


def critical_discount_factor(p: DC2Params) -> float:
    r"""Smallest discount factor at which F supports, :math:`\delta^* = (c / (\widetilde{\Delta p}\,\tilde q (1-\pi) L_F))^{1/\tau}` [ours].

    With a hazard :math:`h` the weight :math:`h\delta/(1-(1-h)\delta) = K` gives
    :math:`\delta^* = K / (h + K(1-h))`. Support iff :math:`\delta \ge \delta^*`;
    :math:`\delta^* \ge 1` means F never supports (``inf`` when the gain is zero, or
    when :math:`\delta^*` exceeds the float range, e.g. for a tiny :math:`\tau`).

    Parameters
    ----------
    p : DC2Params
        Parameters of the model; ``p.delta`` is not used.

    Returns
    -------
    float
        :math:`\delta^* \ge 0`, possibly ``inf``; 0 when :math:`c = 0`.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`DC2Params`.
    ValueError
        If ``tau == 0`` (without a hazard): the decision then does not depend on :math:`\delta`.
        Also if a custom ``p.csf`` returns a value outside [0, 1].

    Examples
    --------
    >>> from efttheory.games import DC2Params, critical_discount_factor, support_decision
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> d_star = critical_discount_factor(b0)
    >>> round(d_star, 6)
    0.613317
    >>> support_decision(b0.replace(delta=d_star + 0.01))  # patient enough: F supports
    True
    >>> support_decision(b0.replace(delta=d_star - 0.01))  # a little more myopic: F stays out
    False
    """
    p = _params(p)
    if p.hazard is None and p.tau == 0.0:
        raise ValueError("tau must be > 0 for a critical discount factor, got 0 (the decision ignores delta)")
    base = _base(p)
    if p.c == 0.0:
        return 0.0
    if base <= 0.0:
        return math.inf
    K = p.c / base
    if p.hazard is not None:
        h = p.hazard
        return K / (h + K * (1.0 - h))
    try:
        return K ** (1.0 / p.tau)
    except OverflowError:  # K > 1 and a tiny tau: delta* is beyond the float range, F never supports
        return math.inf


def critical_threat_belief(p: DC2Params) -> float:
    r"""Threat belief at which F becomes indifferent, :math:`q^* = c / (\widetilde{\Delta p}\,\delta^\tau (1-\pi) L_F)` [ours].

    Support iff :math:`\tilde q \ge q^*` (``inf`` when the rest of the gain is zero).

    Parameters
    ----------
    p : DC2Params
        Parameters of the model; ``p.q`` and ``p.q_belief`` are not used.

    Returns
    -------
    float
        :math:`q^* \ge 0`, possibly above 1 or ``inf`` (no belief makes F support); 0 when
        :math:`c = 0`.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`DC2Params`.
    ValueError
        If a custom ``p.csf`` returns a value outside [0, 1].

    Examples
    --------
    >>> from efttheory.games import DC2Params, critical_threat_belief, support_decision
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> q_star = critical_threat_belief(b0)
    >>> round(q_star, 6)
    0.371513
    >>> support_decision(b0.replace(q_belief=q_star + 0.01))  # F sees a threat just above q*: supports
    True
    >>> support_decision(b0.replace(q_belief=q_star - 0.01))  # just below: stays out
    False
    """
    p = _params(p)
    cp = contest_probabilities(p)
    _, dp = _beliefs(p)
    denom = dp * discount_weight(p) * cp.one_minus_pi * p.L_F
    return p.c / denom if denom > 0 else (0.0 if p.c == 0 else math.inf)


def critical_efficacy(p: DC2Params) -> float:
    r"""Perceived efficacy at which F becomes indifferent, :math:`\Delta p^* = c / (\tilde q\,\delta^\tau (1-\pi) L_F)` [ours].

    Parameters
    ----------
    p : DC2Params
        Parameters of the model; ``p.dp_belief`` is not used.

    Returns
    -------
    float
        :math:`\Delta p^* \ge 0`: F supports iff :math:`\widetilde{\Delta p} \ge \Delta p^*`;
        possibly above 1 or ``inf`` (no belief makes F support); 0 when :math:`c = 0`.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`DC2Params`.
    ValueError
        If a custom ``p.csf`` returns a value outside [0, 1].

    Examples
    --------
    >>> from efttheory.games import DC2Params, critical_efficacy, support_decision
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> dp_star = critical_efficacy(b0)
    >>> round(dp_star, 6)
    0.154321
    >>> support_decision(b0.replace(dp_belief=dp_star + 0.01))  # F believes support will help: supports
    True
    >>> support_decision(b0.replace(dp_belief=dp_star - 0.01))  # a little less faith: stays out
    False
    """
    p = _params(p)
    cp = contest_probabilities(p)
    q, _ = _beliefs(p)
    denom = q * discount_weight(p) * cp.one_minus_pi * p.L_F
    return p.c / denom if denom > 0 else (0.0 if p.c == 0 else math.inf)


def critical_imminence(p: DC2Params) -> float:
    r"""Largest delay at which F still supports, :math:`\tau^* = \ln(\widetilde{\Delta p}\,\tilde q (1-\pi) L_F / c) / \ln(1/\delta)` [ours].

    Support iff :math:`\tau \le \tau^*`. With :math:`\delta = 1` the delay does
    not matter: ``inf`` if F supports, ``-inf`` if not.

    Parameters
    ----------
    p : DC2Params
        Parameters of the model with ``hazard=None``; ``p.tau`` is not used.

    Returns
    -------
    float
        :math:`\tau^*` in periods, possibly negative (F does not support even at
        :math:`\tau = 0`) or infinite; ``inf`` when :math:`c = 0`.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`DC2Params`.
    ValueError
        With a hazard (the delay is then random), or if a custom ``p.csf`` returns a value
        outside [0, 1].

    Examples
    --------
    >>> from efttheory.games import DC2Params, critical_imminence, support_decision
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> tau_star = critical_imminence(b0)
    >>> round(tau_star, 6)
    9.280019
    >>> support_decision(b0.replace(tau=tau_star - 0.1))  # the threat to F is imminent enough: supports
    True
    >>> support_decision(b0.replace(tau=tau_star + 0.1))  # a little more remote: stays out
    False
    """
    p = _params(p)
    if p.hazard is not None:
        raise ValueError("critical_imminence needs a fixed delay tau; hazard must be None")
    base = _base(p)
    if p.c == 0.0:
        return math.inf
    if base <= 0.0:
        return -math.inf
    if p.delta == 1.0:
        return math.inf if base >= p.c else -math.inf
    return _log_ratio(base, p.c) / -math.log(p.delta)


@dataclass(frozen=True)
class EfficacyPeak:
    """Peak of the efficacy :math:`\\Delta p(s_T)`: at ``s_T_star`` with value ``dp_max``."""

    s_T_star: float
    dp_max: float


def efficacy_peak(S0: float, S1: float, r: float) -> EfficacyPeak:
    r"""Threat strength at which solidarity matters most (Tullock contest) [ours].

    :math:`\Delta p(s_T) = P(S_1, s_T) - P(S_0, s_T)` with :math:`S_0 = s_C`,
    :math:`S_1 = s_C + s_F` is hump-shaped, with

    .. math::

        s_T^* = \sqrt{S_0 S_1}, \qquad
        \Delta p_{\max} = \frac{S_1^{r/2} - S_0^{r/2}}{S_1^{r/2} + S_0^{r/2}}
                         = \tanh\Big(\frac{r}{4} \ln\frac{S_1}{S_0}\Big),

    evaluated as :math:`\sqrt{S_0}\sqrt{S_1}` and the :math:`\tanh` form, so
    neither overflows.

    Parameters
    ----------
    S0, S1 : float, 0 < S0 < S1
        Strength of C alone and of C with F.
    r : float, > 0

    Examples
    --------
    >>> from efttheory.games import efficacy_peak, tullock_csf
    >>> peak = efficacy_peak(S0=1, S1=2, r=2)           # strengths of base case B0: C alone, C with F
    >>> round(peak.s_T_star, 6), round(peak.dp_max, 6)   # sqrt(2) and 1/3
    (1.414214, 0.333333)
    >>> s = peak.s_T_star
    >>> round(tullock_csf(2, s, r=2) - tullock_csf(1, s, r=2), 6)  # Delta p = p_1 - p_0 at the peak
    0.333333
    """
    S0 = check_positive("S0", S0)
    S1 = check_positive("S1", S1)
    r = check_positive("r", r)
    if S1 <= S0:
        raise ValueError(f"S1 must exceed S0 (support adds strength), got S0={S0}, S1={S1}")
    # S1 - S0 is exact for S1 <= 2 S0 (Sterbenz), so log1p keeps the digits of a small ratio
    log_ratio = math.log1p((S1 - S0) / S0) if S1 <= 2.0 * S0 else _log_ratio(S1, S0)
    return EfficacyPeak(math.sqrt(S0) * math.sqrt(S1), math.tanh(0.25 * r * log_ratio))


@dataclass(frozen=True, repr=False)
class ComparativeStatics:
    """Derivatives of the true solidarity gain G.

    Attributes
    ----------
    partials : dict
        :math:`\\partial G / \\partial x` for each requested parameter.
    elasticities : dict
        :math:`\\partial \\ln G / \\partial \\ln x` for q, L_F, delta, s_T, s_C, s_F;
        semi-elasticities :math:`\\partial \\ln G / \\partial x` for tau and gamma.
        All NaN where :math:`G = 0` (e.g. ``q = 0``): :math:`\\ln G` is then undefined.
    signs : dict
        Sign (-1, 0, 1) of each partial.
    """

    partials: dict
    elasticities: dict
    signs: dict

    def __repr__(self) -> str:
        body = ", ".join(f"{k}: {v:+.4g}" for k, v in self.partials.items())
        return f"ComparativeStatics(dG/dx = {{{body}}})"


STATIC_PARAMETERS = ("q", "L_F", "delta", "tau", "gamma", "s_T", "s_C", "s_F")


def _dP_dy(P, Q, x, y, r, csf):
    """Derivative of the contest function in the opponent's strength (Q = 1 - P)."""
    if csf is None:
        return -r * P * Q / y
    h = 1e-6 * y
    return (float(csf(x, y + h)) - float(csf(x, y - h))) / (2 * h)


def _dP_dx(P, Q, x, y, r, csf):
    if csf is None:
        return r * P * Q / x
    h = 1e-6 * x
    return (float(csf(x + h, y)) - float(csf(x - h, y))) / (2 * h)


def comparative_statics(p: DC2Params, wrt=STATIC_PARAMETERS) -> ComparativeStatics:
    r"""Closed-form partial derivatives of :math:`G = \Delta p\, q\, \delta^\tau (1-\pi) L_F` [ours].

    :math:`\partial G/\partial q = G/q`, :math:`\partial G/\partial L_F = G/L_F`,
    :math:`\partial G/\partial\delta = \tau G/\delta`,
    :math:`\partial G/\partial\tau = G\ln\delta`,
    :math:`\partial G/\partial\gamma = -\Delta p\, q\, \delta^\tau L_F\, s_C\, \partial_y P(s_F, s_T')`
    (Tullock: :math:`\partial_y P = -r P (1-P)/y`, so
    :math:`\partial\ln G/\partial\gamma = r\pi s_C / s_T'`). A custom ``csf`` is
    differentiated by central differences. The hazard variant is not supported.

    Parameters
    ----------
    p : DC2Params
    wrt : str or iterable of str
        One name or several from ``("q", "L_F", "delta", "tau", "gamma", "s_T", "s_C", "s_F")``.

    Returns
    -------
    ComparativeStatics
        Partials, elasticities and signs keyed by name. The elasticities are NaN
        where :math:`G = 0` (e.g. ``q = 0``, or no efficacy): :math:`\ln G` is undefined there.

    Examples
    --------
    >>> from efttheory.games import DC2Params, comparative_statics
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> cs = comparative_statics(b0, wrt=("q", "delta", "tau", "gamma"))
    >>> cs.signs               # G rises with q, delta and gamma, and falls with the delay tau
    {'q': 1, 'delta': 1, 'tau': -1, 'gamma': 1}
    >>> # d ln G / d ln delta = tau = 2 and d ln G / d gamma = r pi s_C / s_T' = 0.2
    >>> round(cs.elasticities["delta"], 6), round(cs.elasticities["gamma"], 6)
    (2.0, 0.2)
    """
    p = _params(p)
    if p.hazard is not None:
        raise ValueError("comparative_statics needs hazard=None (delta^tau weight)")
    if isinstance(wrt, str):
        wrt = (wrt,)
    try:
        names = tuple(wrt)
    except TypeError:
        raise TypeError(f"wrt must be a parameter name or an iterable of names from {STATIC_PARAMETERS}, "
                        f"got {wrt!r}") from None
    for name in names:
        check_choice("wrt", name, STATIC_PARAMETERS)
    cp = contest_probabilities(p)
    dp = cp.efficacy
    not_pi = cp.one_minus_pi
    D = p.delta**p.tau
    G = dp * p.q * D * not_pi * p.L_F
    S0, S1, sa = p.s_C, p.s_C + p.s_F, cp.s_T_after
    dpi_dy = _dP_dy(cp.pi, not_pi, p.s_F, sa, p.r, p.csf)  # d pi / d s_T'
    dpi_dx = _dP_dx(cp.pi, not_pi, p.s_F, sa, p.r, p.csf)  # d pi / d s_F
    dp1_dy = _dP_dy(cp.p_1, cp.one_minus_p_1, S1, p.s_T, p.r, p.csf)
    dp0_dy = _dP_dy(cp.p_0, cp.one_minus_p_0, S0, p.s_T, p.r, p.csf)
    dp1_dx = _dP_dx(cp.p_1, cp.one_minus_p_1, S1, p.s_T, p.r, p.csf)
    dp0_dx = _dP_dx(cp.p_0, cp.one_minus_p_0, S0, p.s_T, p.r, p.csf)
    k = p.q * D * p.L_F
    all_partials = {
        "q": dp * D * not_pi * p.L_F,
        "L_F": dp * p.q * D * not_pi,
        "delta": dp * p.q * p.tau * p.delta ** (p.tau - 1) * not_pi * p.L_F,
        "tau": G * math.log(p.delta),
        "gamma": -dp * k * dpi_dy * p.s_C,
        "s_T": k * ((dp1_dy - dp0_dy) * not_pi - dp * dpi_dy),
        "s_C": k * ((dp1_dx - dp0_dx) * not_pi - dp * dpi_dy * p.gamma),
        "s_F": k * (dp1_dx * not_pi - dp * dpi_dx),
    }
    partials = {n: float(all_partials[n]) for n in names}
    elasticities = {}
    for n in names:
        if G == 0:
            elasticities[n] = math.nan
        elif n in ("tau", "gamma"):
            elasticities[n] = partials[n] / G
        else:
            elasticities[n] = partials[n] * getattr(p, n) / G
    signs = {n: int(np.sign(v)) for n, v in partials.items()}
    return ComparativeStatics(partials, elasticities, signs)


@dataclass(frozen=True, repr=False)
class ThreatChoice:
    """T's attack mode in DC-2.

    Attributes
    ----------
    mode : {"sequential", "simultaneous"}
    conquest_prob_by_branch : dict
        ``P(T conquers both)`` for ``"sequential_out"``, ``"simultaneous"``, ``"sequential_in"``
        (the sequential ones times :math:`\\delta_T^\\tau`).
    follower_supports : bool
        F's decision in sequential mode.
    value : float
        T's payoff V x P(conquers both) in the chosen mode.
    """

    mode: str
    conquest_prob_by_branch: dict
    follower_supports: bool
    value: float

    def __repr__(self) -> str:
        probs = ", ".join(f"{k}={v:.6g}" for k, v in self.conquest_prob_by_branch.items())
        return f"ThreatChoice({self.mode}, F supports={self.follower_supports}, {probs}, value={self.value:.6g})"


def _branches(p):
    cp = contest_probabilities(p)
    later = p.delta_T**p.tau * cp.one_minus_pi
    return {
        "sequential_out": cp.one_minus_p_0 * later,
        "simultaneous": cp.one_minus_p_1,
        "sequential_in": cp.one_minus_p_1 * later,
    }


def threat_attack_mode(p: DC2Params, V: float = 1.0) -> ThreatChoice:
    r"""T's choice between attacking sequentially and simultaneously [ours].

    T maximises :math:`V\,P(\text{T conquers both})`: simultaneous
    :math:`1 - p_1`; sequential :math:`(1-p_0)(1-\pi)` if F stays out,
    :math:`(1 - p_1)(1-\pi) \le 1 - p_1` if F supports. T strictly prefers
    sequential iff F stays out and :math:`(1-p_0)(1-\pi) > 1 - p_1` (ties: simultaneous).

    Parameters
    ----------
    p : DC2Params
    V : float, > 0
        T's value of conquering both groups.

    Examples
    --------
    >>> from efttheory.games import DC2Params, threat_attack_mode
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> choice = threat_attack_mode(b0)
    >>> choice.mode, choice.follower_supports                   # F would join C, so dividing does not pay
    ('simultaneous', True)
    >>> choice = threat_attack_mode(b0.replace(delta=0.5))
    >>> choice.mode, choice.follower_supports, round(choice.value, 6)  # myopic F stays out: T divides
    ('sequential', False, 0.553846)
    """
    p = _params(p)
    V = check_positive("V", V)
    probs = _branches(p)
    supports = support_decision(p)
    seq = probs["sequential_in" if supports else "sequential_out"]
    mode = "sequential" if seq > probs["simultaneous"] else "simultaneous"
    value = V * (seq if mode == "sequential" else probs["simultaneous"])
    return ThreatChoice(mode, probs, supports, value)


@dataclass(frozen=True)
class DivisionBudget:
    """The threat's divide-and-conquer incentive.

    Attributes
    ----------
    lever : {"q", "dp"}
    shift : float
        Minimal belief shift that flips F to staying out (an infimum: ties go to
        support); 0 when F already stays out; ``inf`` when support costs nothing
        (``c = 0``), which no belief can flip.
    threat_gain : float
        T's willingness to pay: value with F out minus value with F in (>= 0).
    worthwhile : bool
        Whether ``cost(shift) < threat_gain`` and ``shift > 0``.
    """

    lever: str
    shift: float
    threat_gain: float
    worthwhile: bool


def division_budget(p: DC2Params, lever: str = "q", cost: Callable | None = None, V: float = 1.0) -> DivisionBudget:
    r"""Budget of a division campaign that lowers F's perceived threat or efficacy [ours].

    Shift: :math:`\tilde q - q^*` (lever ``"q"``) or
    :math:`\widetilde{\Delta p} - \Delta p^*` (lever ``"dp"``). T's willingness
    to pay is :math:`V\,[\max((1-p_0)(1-\pi), 1-p_1) - (1 - p_1)]`, i.e.
    :math:`V[(1-p_0)(1-\pi) - (1-p_1)]` when positive. Division happens iff
    :math:`\kappa(\text{shift})` is below it; :math:`\kappa` defaults to the
    identity (linear cost, payoff units per unit of belief).

    Parameters
    ----------
    p : DC2Params
    lever : {"q", "dp"}
    cost : callable or None
        :math:`\kappa(\text{shift})`, a finite real number :math:`\ge 0`
        (checked; evaluated once, also when the shift is 0; not called when the
        shift is ``inf``).
    V : float, > 0

    Raises
    ------
    TypeError, ValueError
        If ``cost`` is not callable or ``cost(shift)`` is not a finite real number >= 0.

    Examples
    --------
    >>> from efttheory.games import DC2Params, division_budget
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> budget = division_budget(b0, lever="q")    # talk down F's belief that it is threatened
    >>> # with the default linear cost the needed shift costs more than T stands to gain
    >>> round(budget.shift, 6), round(budget.threat_gain, 6), budget.worthwhile
    (0.428487, 0.193846, False)
    >>> budget = division_budget(b0, lever="dp")   # or persuade F that supporting C is futile
    >>> round(budget.shift, 6), budget.worthwhile
    (0.177987, True)
    """
    p = _params(p)
    check_choice("lever", lever, ("q", "dp"))
    V = check_positive("V", V)
    if cost is not None and not callable(cost):
        raise TypeError(f"cost must be a callable kappa(shift) or None, got {cost!r}")
    q, dp = _beliefs(p)
    if not support_decision(p):
        shift = 0.0
    elif p.c == 0.0:  # free support: c <= G~ holds at G~ = 0 too, no belief shift flips F
        shift = math.inf
    else:
        shift = q - critical_threat_belief(p) if lever == "q" else dp - critical_efficacy(p)
        shift = max(shift, 0.0)
    probs = _branches(p)
    gain = V * (max(probs["sequential_out"], probs["simultaneous"])
                - max(probs["simultaneous"], probs["sequential_in"]))
    if math.isinf(shift):
        return DivisionBudget(lever, shift, float(gain), False)
    kappa = shift if cost is None else check_positive(f"cost({shift!r})", cost(shift), strict=False)
    worthwhile = bool(shift > 0 and kappa < gain)
    return DivisionBudget(lever, float(shift), float(gain), worthwhile)


def dc2_game_tree(p: DC2Params, V: float = 1.0) -> GameTree:
    r"""The DC-2 extensive form as a :class:`~efttheory.games.GameTree` (players: 0 = T, 1 = F) [ours].

    Root: T picks ``simultaneous`` (first child) or ``sequential``. Sequential:
    F picks ``support`` (first) or ``stay out``, then a chance node decides the
    first contest. After C's side falls, T's later conquest (probability
    :math:`1 - \pi`, intent 1, weight :math:`\delta_T^\tau`) and F's expected
    later loss are folded into the leaf. F's leaf payoffs are *subjective*:
    :math:`-a c - X_a` with :math:`(1 - p_a) X_a = (1 - \tilde p_a)\,\tilde q\,
    \delta^\tau (1-\pi) L_F`, :math:`\tilde p_0 = p_0`, :math:`\tilde p_1 = p_0 + \widetilde{\Delta p}`,
    so F's choice follows its perceived gain; with default beliefs they are true.
    A perceived efficacy above :math:`1 - p_0` (allowed: :math:`\widetilde{\Delta p} \in [0, 1]`)
    makes :math:`\tilde p_1 > 1` and :math:`X_1 < 0`; it is kept unclipped so that F's
    subjective gain equals :math:`\tilde G` of :func:`support_decision` for every belief.
    With ties broken toward the first child, backward induction sends ties to
    support and to simultaneous attack, as in :func:`support_decision` and
    :func:`threat_attack_mode` (:func:`dc2_subgame_perfect_equilibrium` also
    settles ties that rounding blurs by those two rules).

    Parameters
    ----------
    p : DC2Params
        Parameters of the model.
    V : float, default 1.0
        T's value of conquering both groups, > 0 (T's payoff units).

    Returns
    -------
    GameTree
        11 nodes, numbered breadth first; leaf payoffs are ``[T, F]``.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`DC2Params` or ``V`` is not a real number.
    ValueError
        If ``V`` is not finite and > 0, or a custom ``p.csf`` returns a value outside [0, 1].

    Examples
    --------
    >>> from efttheory.games import DC2Params, dc2_game_tree, subgame_perfect_equilibria
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> tree = dc2_game_tree(b0)
    >>> tree
    GameTree(11 nodes: 2 decisions, 6 leaves, 2 players)
    >>> subgame_perfect_equilibria(tree).path
    ('root', 'simultaneous', 'movement prevails')
    >>> subgame_perfect_equilibria(dc2_game_tree(b0.replace(delta=0.5))).path  # chance: the likelier branch
    ('root', 'sequential', 'stay out', 'C falls')
    """
    p = _params(p)
    V = check_positive("V", V)
    cp = contest_probabilities(p)
    q, dp = _beliefs(p)
    W = discount_weight(p)
    later_T = V * p.delta_T**p.tau * cp.one_minus_pi

    def loss(falls_true, falls_perceived):
        """X with (1 - p_a) X = (1 - p~_a) q~ W (1 - pi) L_F, from the complements."""
        if falls_true <= 0.0:
            return 0.0
        return falls_perceived / falls_true * q * W * cp.one_minus_pi * p.L_F

    # 1 - p~_1 = (1 - p_0) - dp~, which is 1 - p_1 itself when F's belief is the true efficacy
    X1 = loss(cp.one_minus_p_1, cp.one_minus_p_1 if p.dp_belief is None else cp.one_minus_p_0 - dp)
    X0 = loss(cp.one_minus_p_0, cp.one_minus_p_0)
    leaf = lambda t, f: ("leaf", [t, f])  # noqa: E731
    root = ("decision", 0, [
        ("simultaneous", ("chance", [(cp.p_1, "movement prevails", leaf(0.0, 0.0)),
                                     (cp.one_minus_p_1, "threat prevails", leaf(V, -p.L_F))])),
        ("sequential", ("decision", 1, [
            ("support", ("chance", [(cp.p_1, "C and F prevail", leaf(0.0, -p.c)),
                                    (cp.one_minus_p_1, "C falls", leaf(later_T, -p.c - X1))])),
            ("stay out", ("chance", [(cp.p_0, "C prevails", leaf(0.0, 0.0)),
                                     (cp.one_minus_p_0, "C falls", leaf(later_T, -X0))])),
        ])),
    ])
    return GameTree.build(root, n_players=2)


@dataclass(frozen=True, repr=False)
class DC2Equilibrium:
    """Subgame-perfect equilibrium of DC-2.

    Attributes
    ----------
    mode : str
        T's attack mode.
    follower_supports : bool
        F's move in the sequential subgame (also off the path).
    prevail_probability : float
        Probability that the movement stops the threat in the first contest
        (:math:`p_1` or :math:`p_0`).
    threat_value : float
        T's expected payoff.
    follower_utility : float
        F's true expected utility on the path.
    spe : SubgamePerfectEquilibrium
        Backward induction on :func:`dc2_game_tree`.
    tree : GameTree
    """

    mode: str
    follower_supports: bool
    prevail_probability: float
    threat_value: float
    follower_utility: float
    spe: SubgamePerfectEquilibrium
    tree: GameTree

    def __repr__(self) -> str:
        return (f"DC2Equilibrium(mode={self.mode}, F supports={self.follower_supports}, "
                f"P(prevail)={self.prevail_probability:.6g}, T value={self.threat_value:.6g}, "
                f"U_F={self.follower_utility:.6g})")


def dc2_subgame_perfect_equilibrium(p: DC2Params, V: float = 1.0) -> DC2Equilibrium:
    """Solve DC-2 by backward induction on its game tree (ties: support, simultaneous) [ours].

    F's move and T's mode are those of :func:`support_decision` and
    :func:`threat_attack_mode`, so ties, e.g. at ``c = max_support_cost(p)``, go
    to support and to simultaneous attack here too. Backward induction on
    :func:`dc2_game_tree` sums the same terms in another order; moves within
    rounding (``1e-12`` times the largest leaf payoff, at least 1) of each other count as tied
    (``spe.tie_nodes``) and take those moves.

    Parameters
    ----------
    p : DC2Params
        Parameters of the model.
    V : float, default 1.0
        T's value of conquering both groups, > 0 (T's payoff units).

    Returns
    -------
    DC2Equilibrium
        T's mode, F's move, the prevail probability, both players' values, the equilibrium
        strategy on the tree and the tree itself.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`DC2Params` or ``V`` is not a real number.
    ValueError
        If ``V`` is not finite and > 0, or a custom ``p.csf`` returns a value outside [0, 1].
    RuntimeError
        If the tree and the closed forms disagree by more than rounding.

    Examples
    --------
    >>> from efttheory.games import DC2Params, dc2_subgame_perfect_equilibrium, max_support_cost
    >>> # base case B0
    >>> b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
    >>> dc2_subgame_perfect_equilibrium(b0)       # patient F would support, so T does not divide
    DC2Equilibrium(mode=simultaneous, F supports=True, P(prevail)=0.64, T value=0.36, U_F=-3.6)
    >>> eq = dc2_subgame_perfect_equilibrium(b0.replace(delta=0.5))  # myopic F stays out, T divides
    >>> eq.mode, eq.follower_supports, round(eq.prevail_probability, 6)  # p_0 = 4/13
    ('sequential', False, 0.307692)
    >>> eq = dc2_subgame_perfect_equilibrium(b0.replace(c=max_support_cost(b0)))  # F indifferent: supports
    >>> eq.mode, eq.follower_supports, eq.spe.tie_nodes.tolist()                # node 2 is F's decision
    ('simultaneous', True, [2])
    """
    tree = dc2_game_tree(p, V)
    supports = support_decision(p)
    mode = threat_attack_mode(p, V).mode
    tol = 1e-12 * max(1.0, float(np.max(np.abs(tree.payoffs))))
    spe = subgame_perfect_equilibria(tree, ties="first", tol=1e-12)
    choice = spe.choice.copy()
    seq_node = 2  # breadth-first: 0 root, 1 simultaneous chance, 2 F's decision
    for node, label in ((0, mode), (seq_node, "support" if supports else "stay out")):
        choice[node] = next(v for v in tree.children(node) if tree.labels[v] == label)
    gain = float(np.max(one_shot_deviation_gain(tree, choice)))
    if gain > tol:
        raise RuntimeError(f"dc2_subgame_perfect_equilibrium: backward induction on the tree disagrees with "
                           f"support_decision/threat_attack_mode (deviation gain {gain:g} > {tol:g})")
    values = strategy_values(tree, choice)
    path, v = ["root"], 0
    while tree.n_children[v]:  # chance nodes: the likelier branch, as subgame_perfect_equilibria reports
        kids = np.asarray(tree.children(v))
        v = int(choice[v]) if tree.player[v] >= 0 else int(kids[np.argmax(tree.chance_prob[kids])])
        path.append(tree.labels[v])
    spe = SubgamePerfectEquilibrium(choice, values, spe.tie_nodes, tuple(path))
    cp = contest_probabilities(p)
    if mode == "simultaneous":
        prevail = cp.p_1
        uF = -cp.one_minus_p_1 * p.L_F
    else:
        prevail = cp.p_1 if supports else cp.p_0
        falls = cp.one_minus_p_1 if supports else cp.one_minus_p_0
        uF = -p.c * supports - falls * p.q * discount_weight(p) * cp.one_minus_pi * p.L_F
    return DC2Equilibrium(mode, bool(supports), float(prevail), float(values[0, 0]), float(uF), spe, tree)


# ---------------------------------------------------------------------------------------------
# DC-N
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class DCNParams:
    r"""Parameters of the many-group model DC-N [ours]; per-group entries broadcast to shape (N,).

    Parameters
    ----------
    s : array_like, shape (N,), > 0
        Strengths of groups in their default attack order.
    s_T : float, > 0
        Threat strength at the first stage.
    r : float, > 0
        Tullock decisiveness (ignored with ``csf``).
    c, L, q, tau, delta : float or array_like (N,)
        Support costs (>= 0), losses (> 0), threat beliefs in [0, 1], delays
        (>= 0; ``tau[j]`` = periods before T turns on j after the previous
        conquest) and discount factors in (0, 1].
    gamma : float in [0, 1]
        Share of a conquered group's strength absorbed by T.
    csf : callable or None
    """

    s: np.ndarray
    s_T: float
    r: float
    c: np.ndarray
    L: np.ndarray
    q: np.ndarray
    tau: np.ndarray
    delta: np.ndarray
    gamma: float
    csf: Callable | None = None

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        s = as_finite_array("s", self.s, ndim=1, min_size=1)
        if np.any(s <= 0):
            raise ValueError(f"s must be > 0 (strengths), got {s}")
        N = s.shape[0]
        set_("s", s)
        set_("s_T", check_positive("s_T", self.s_T))
        set_("r", check_positive("r", self.r))
        set_("gamma", check_probability("gamma", self.gamma))
        _check_csf(self.csf)
        bounds = {"c": (0.0, np.inf, True, False), "L": (0.0, np.inf, False, False),
                  "q": (0.0, 1.0, True, True), "tau": (0.0, np.inf, True, False),
                  "delta": (0.0, 1.0, False, True)}
        for name, (lo, hi, lo_closed, hi_closed) in bounds.items():
            arr = as_finite_array(name, getattr(self, name), ndim=(0, 1))
            arr = np.broadcast_to(arr, (N,)).astype(float) if arr.shape in ((), (1,), (N,)) else None
            if arr is None:
                raise ValueError(f"{name} must be a scalar or have shape ({N},), got {np.shape(getattr(self, name))}")
            bad = (arr < lo) | (arr > hi) | ((arr == lo) & (not lo_closed)) | ((arr == hi) & (not hi_closed))
            if np.any(bad):
                left, right = "[" if lo_closed else "(", "]" if hi_closed else ")"
                raise ValueError(f"{name} must lie in {left}{lo}, {hi}{right}, got {arr}")
            arr = np.array(arr)
            arr.setflags(write=False)
            set_(name, arr)
        s.setflags(write=False)

    @property
    def n_groups(self) -> int:
        return self.s.shape[0]

    def reordered(self, order) -> "DCNParams":
        """The same groups attacked in ``order`` (a permutation of range(N), else ValueError).

        Parameters
        ----------
        order : array_like of int, shape (N,)
            Group ids in the new attack order, each of ``0, ..., N - 1`` once.

        Returns
        -------
        DCNParams
            The per-group entries permuted, so that group ``order[k]`` becomes group ``k``;
            ``s_T``, ``r``, ``gamma`` and ``csf`` are unchanged.

        Raises
        ------
        TypeError
            If ``order`` is not an array of real numbers.
        ValueError
            If ``order`` is not one-dimensional, holds non-integers, or is not a permutation
            of ``range(N)``.
        """
        order = _check_order(order, self.n_groups)
        return DCNParams(self.s[order], self.s_T, self.r, self.c[order], self.L[order], self.q[order],
                         self.tau[order], self.delta[order], self.gamma, self.csf)

    def replace(self, **changes) -> "DCNParams":
        """A copy with some fields changed (validated again).

        Parameters
        ----------
        **changes
            New values keyed by field name (``s``, ``s_T``, ``q``, ``delta``, ``csf``, ...),
            passed with the unchanged fields to the :class:`DCNParams` constructor. A change of
            ``s`` that changes the number of groups must come with per-group fields of the new
            length.

        Returns
        -------
        DCNParams
            A new instance; ``self`` is unchanged.

        Raises
        ------
        TypeError
            If a name is not a field of :class:`DCNParams`, a value is not a real number, or
            ``csf`` is neither callable nor None.
        ValueError
            If a value lies outside the range the constructor allows, or the per-group fields
            disagree in length (see :class:`DCNParams`).
        """
        fields = {k: getattr(self, k) for k in self.__dataclass_fields__}
        fields.update(changes)
        return DCNParams(**fields)

    def __repr__(self) -> str:
        return (f"DCNParams(N={self.n_groups}, s={self.s.tolist()}, s_T={self.s_T:g}, r={self.r:g}, "
                f"gamma={self.gamma:g}{', csf=custom' if self.csf is not None else ''})")


def _check_order(order, N: int) -> np.ndarray:
    arr = as_integer_array("order", order, ndim=1)
    if sorted(arr.tolist()) != list(range(N)):
        raise ValueError(f"order must be a permutation of range({N}) (each group id once), got {arr.tolist()}")
    return arr


def _dcn(params) -> DCNParams:
    if not isinstance(params, DCNParams):
        raise TypeError(f"params must be a DCNParams, got {type(params).__name__}")
    return params


def _stage_threat(params, k):
    return params.s_T + params.gamma * float(params.s[:k].sum())


def _simple_continuation(params, k):
    P = _contest(params.csf, params.r)
    s_next = _stage_threat(params, k) + params.gamma * params.s[k]
    js = range(k + 1, params.n_groups)
    return np.array([params.q[j] * params.delta[j] ** params.tau[j] * (1.0 - P(params.s[j], s_next)) * params.L[j]
                     for j in js])


def _continuation(params, k, continuation):
    M = params.n_groups - 1 - k
    if isinstance(continuation, str):
        check_choice("continuation", continuation, ("simple",))
        return _simple_continuation(params, k)
    V = as_finite_array("continuation", continuation, shape=(M,))
    if np.any(V < 0):
        raise ValueError(f"continuation values V_j must be >= 0 (losses avoided), got {V}")
    return V


def _check_stage(params, k):
    if params.n_groups < 2:
        raise ValueError(f"params must hold at least 2 groups for a stage (a target and a later group that "
                         f"chooses), got N={params.n_groups}")
    return check_integer("k", k, minimum=0, maximum=params.n_groups - 2)


def dcn_stage_game(params: DCNParams, k: int, continuation="simple") -> NormalFormGame:
    r"""Stage game while group ``k`` (0-based, in attack order) is attacked [ours].

    The :math:`M = N - 1 - k` later groups each choose :math:`a_j \in \{0, 1\}`;
    :math:`U_j(a) = -c_j a_j - (1 - P(S, s_T^{(k)})) V_j`, with
    :math:`S = s_k + \sum_j a_j s_j` and :math:`s_T^{(k)} = s_T + \gamma \sum_{i<k} s_i`.
    The simple continuation is :math:`V_j = q_j \delta_j^{\tau_j} (1 - \pi_j) L_j`,
    :math:`\pi_j = P(s_j, s_T^{(k)} + \gamma s_k)`.

    Parameters
    ----------
    params : DCNParams
    k : int in [0, N - 2]
    continuation : "simple" or array_like, shape (M,)
        Values :math:`V_j \ge 0` at stake for each chooser.

    Returns
    -------
    NormalFormGame
        Payoffs of shape ``(2,) * M + (M,)``; action 1 = support.

    Raises
    ------
    ValueError
        If ``M > 20`` (``MAX_STAGE_CHOOSERS``): the game has :math:`2^M M`
        payoffs (170 MB at :math:`M = 20`, doubling with each chooser).

    Examples
    --------
    >>> from efttheory.games import DCNParams, dcn_stage_game, pure_nash_equilibria
    >>> # base case N0: four equal groups facing a threat of strength 6
    >>> n0 = DCNParams(s=[1, 1, 1, 1], s_T=6, r=3, c=0.5, L=10, q=1, tau=1, delta=0.95, gamma=0.5)
    >>> game = dcn_stage_game(n0, k=0)        # group 0 is attacked, groups 1 to 3 choose
    >>> game
    NormalFormGame(3 players, actions 2x2x2)
    >>> pure_nash_equilibria(game).tolist()   # a stag hunt: nobody supports, or everybody does
    [[0, 0, 0], [1, 1, 1]]
    """
    params = _dcn(params)
    k = _check_stage(params, k)
    M = params.n_groups - 1 - k
    if M > MAX_STAGE_CHOOSERS:
        raise ValueError(f"k={k} leaves M={M} choosers in a game of {params.n_groups} groups; the stage game "
                         f"has 2**M profiles, so M must be <= {MAX_STAGE_CHOOSERS} "
                         f"(k >= {params.n_groups - 1 - MAX_STAGE_CHOOSERS}, or fewer groups)")
    V = _continuation(params, k, continuation)
    sT = _stage_threat(params, k)
    choosers = np.ascontiguousarray(params.s[k + 1:])
    cost = np.ascontiguousarray(params.c[k + 1:])
    out = np.empty((1 << M, M))
    if params.csf is None:
        _kernels.tullock_stage_payoffs(float(params.s[k]), choosers, sT, params.r, cost, V, out)
    else:
        P = _contest(params.csf, params.r)
        for b in range(1 << M):
            a = np.array([(b >> (M - 1 - j)) & 1 for j in range(M)])
            lose = 1.0 - P(params.s[k] + float(a @ choosers), sT)
            out[b] = -cost * a - lose * V
    return NormalFormGame(out.reshape((2,) * M + (M,)))


def dcn_equilibrium_margins(params: DCNParams, k: int, supporters, continuation="simple") -> np.ndarray:
    r"""Signed equilibrium inequalities of a supporter set :math:`A` [ours].

    For :math:`j \in A`: :math:`[p(S_A) - p(S_A - s_j)] V_j - c_j`; for
    :math:`j \notin A`: :math:`c_j - [p(S_A + s_j) - p(S_A)] V_j`. :math:`A` is a
    pure equilibrium iff every margin is :math:`\ge 0`.

    Parameters
    ----------
    params : DCNParams
    k : int in [0, N - 2]
    supporters : array_like of bool or 0/1, shape (M,)
        Which of the choosers ``k + 1, ..., N - 1`` support.
    continuation : "simple" or array_like, shape (M,)

    Returns
    -------
    numpy.ndarray, shape (M,)

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.games import DCNParams, dcn_equilibrium_margins
    >>> # base case N0: four equal groups facing a threat of strength 6
    >>> n0 = DCNParams(s=[1, 1, 1, 1], s_T=6, r=3, c=0.5, L=10, q=1, tau=1, delta=0.95, gamma=0.5)
    >>> np.round(dcn_equilibrium_margins(n0, 0, [1, 1, 1]), 6).tolist()  # all >= 0: an equilibrium
    [0.611824, 0.611824, 0.611824]
    >>> np.round(dcn_equilibrium_margins(n0, 0, [0, 0, 0]), 6).tolist()  # so is no support
    [0.205565, 0.205565, 0.205565]
    >>> np.round(dcn_equilibrium_margins(n0, 0, [1, 1, 0]), 6).tolist()  # the lone holdout would rather join
    [0.213671, 0.213671, -0.611824]
    """
    params = _dcn(params)
    k = _check_stage(params, k)
    V = _continuation(params, k, continuation)
    M = V.shape[0]
    a = np.asarray(supporters)
    if a.shape != (M,) or not np.all((a == 0) | (a == 1)):
        raise ValueError(f"supporters must be {M} zeros/ones (or bools), got {supporters!r}")
    a = a.astype(float)
    P = _contest(params.csf, params.r)
    sT = _stage_threat(params, k)
    sj = params.s[k + 1:]
    S = params.s[k] + float(a @ sj)
    out = np.empty(M)
    for j in range(M):
        if a[j]:
            out[j] = (P(S, sT) - P(S - sj[j], sT)) * V[j] - params.c[k + 1 + j]
        else:
            out[j] = params.c[k + 1 + j] - (P(S + sj[j], sT) - P(S, sT)) * V[j]
    return out


def dcn_stage_increments(params: DCNParams, k: int, continuation="simple") -> np.ndarray:
    r"""Increments :math:`\Delta_m = [p(s_k + m s) - p(s_k + (m-1) s)] V`, m = 1..M, for identical choosers [ours].

    Feed them to :func:`~efttheory.games.symmetric_mixed_equilibria` with the common cost.

    Parameters
    ----------
    params : DCNParams
        At least 2 groups; the choosers ``k + 1, ..., N - 1`` must be identical.
    k : int
        Attacked group (0-based, in attack order), in [0, N - 2].
    continuation : "simple" or array_like, shape (M,), default "simple"
        Values :math:`V_j \ge 0` at stake for each of the :math:`M = N - 1 - k` choosers, as in
        :func:`dcn_stage_game`; ``"simple"`` uses :math:`q_j \delta_j^{\tau_j} (1 - \pi_j) L_j`.

    Returns
    -------
    numpy.ndarray, shape (M,)
        :math:`\Delta_1, \dots, \Delta_M` (payoff units).

    Raises
    ------
    TypeError
        If ``params`` is not a :class:`DCNParams`, ``k`` is not an integer, or
        ``continuation`` is neither a string nor an array of real numbers.
    ValueError
        If the choosers differ in strength, cost or continuation value. Also if ``params``
        has fewer than 2 groups, ``k`` lies outside [0, N - 2], ``continuation`` is a string
        other than ``"simple"`` or an array of the wrong shape, with a negative or non-finite
        entry, or a custom ``params.csf`` returns a value outside [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.games import DCNParams, dcn_stage_increments, symmetric_mixed_equilibria
    >>> # base case N0: four equal groups facing a threat of strength 6
    >>> n0 = DCNParams(s=[1, 1, 1, 1], s_T=6, r=3, c=0.5, L=10, q=1, tau=1, delta=0.95, gamma=0.5)
    >>> inc = dcn_stage_increments(n0, k=0)
    >>> np.round(inc, 6).tolist()             # increasing in the number of supporters (r = 3)
    [0.294435, 0.713671, 1.111824]
    >>> np.round(symmetric_mixed_equilibria(inc, cost=0.5), 6).tolist()  # N0's symmetric mixed equilibrium
    [0.246697]
    """
    params = _dcn(params)
    k = _check_stage(params, k)
    V = _continuation(params, k, continuation)
    sj = params.s[k + 1:]
    cj = params.c[k + 1:]
    if np.ptp(sj) > 0 or np.ptp(cj) > 0 or np.ptp(V) > 1e-15 * max(1.0, float(np.max(np.abs(V)))):
        raise ValueError("dcn_stage_increments needs identical choosers (equal s, c and continuation values)")
    P = _contest(params.csf, params.r)
    sT = _stage_threat(params, k)
    M = sj.shape[0]
    p = np.array([P(params.s[k] + m * sj[0], sT) for m in range(M + 1)])
    return np.diff(p) * V[0]


def _profile_outcome(game: NormalFormGame, sigma_support, s_target, s_choosers, s_threat, P):
    """Expected chooser payoffs and prevail probability for independent support probabilities."""
    M = s_choosers.shape[0]
    sigma = [np.array([1.0 - x, x]) for x in sigma_support]
    values = _action_values(game.payoffs, sigma)
    payoffs = np.array([v @ s for v, s in zip(values, sigma)])
    prevail = 0.0
    for a in itertools.product((0, 1), repeat=M):
        w = float(np.prod([sigma_support[j] if a[j] else 1.0 - sigma_support[j] for j in range(M)]))
        if w > 0:
            prevail += w * P(s_target + float(np.dot(a, s_choosers)), s_threat)
    return payoffs, prevail


@dataclass(frozen=True, repr=False)
class MarkovPerfectEquilibrium:
    """Markov-perfect solution of DC-N over the sequence of targets [ours].

    Attributes
    ----------
    order : numpy.ndarray of int64, shape (N,)
        Attack order (group ids).
    support : tuple of numpy.ndarray
        Stage k: support probability of each later group (group ids ``order[k+1:]``).
    prevail : numpy.ndarray, shape (N,)
        Probability that the coalition stops the threat at stage k (given it is reached).
    threat_strength : numpy.ndarray, shape (N,)
        :math:`s_T` at each stage.
    values : numpy.ndarray, shape (N,)
        :math:`W_j` at the start of the game, indexed by group id (<= 0).
    conquest_probability : float
        :math:`\\prod_k (1 - \\text{prevail}_k)`: T conquers every group.
    selection : str
    """

    order: np.ndarray
    support: tuple
    prevail: np.ndarray
    threat_strength: np.ndarray
    values: np.ndarray
    conquest_probability: float
    selection: str

    def __repr__(self) -> str:
        sup = [np.round(s, 4).tolist() for s in self.support]
        return (f"MarkovPerfectEquilibrium(order={self.order.tolist()}, support={sup}, "
                f"P(T conquers all)={self.conquest_probability:.6g}, selection={self.selection!r})")


def dcn_markov_perfect_equilibrium(params: DCNParams, selection: str, order=None) -> MarkovPerfectEquilibrium:
    r"""Backward induction over the targets of DC-N with an explicit stage selection rule [ours].

    State :math:`(k, s_T^{(k)})` with deterministic :math:`s_T^{(k)}`. Last
    target: :math:`W_N = -(1 - P(s_N, s_T^{(N)})) L_N`. Stage :math:`k`: each
    later group plays the stage game with
    :math:`V_j = -\rho_j W_j(k+1)`, :math:`\rho_j = q_j \delta_j^{\tau_{k+1}}`
    (:math:`\tau_{k+1}`: delay before T turns on the next target); the selected
    stage equilibrium gives :math:`W_j(k) = -c_j a_j - (1 - p(S^*)) V_j` and
    :math:`W_k(k) = -(1 - p(S^*)) L_k`. With two groups this is DC-2. When a
    stage has no pure equilibrium the limit of the logit-QRE branch is played.

    Parameters
    ----------
    params : DCNParams
        At most 16 groups (``MAX_MPE_GROUPS``): each stage solves a game with
        :math:`2^{N-1-k}` profiles, so the run time doubles with each group
        (about 1 s at :math:`N = 16`).
    selection : {"payoff_dominant", "risk_dominant", "pessimistic", "qre_limit"}
    order : array_like of int, shape (N,), optional
        Attack order (a permutation of group ids); default 0, 1, ..., N - 1.

    Raises
    ------
    ValueError
        If ``params`` has more than 16 groups, or ``order`` is not a permutation of ``range(N)``.

    Examples
    --------
    >>> from efttheory.games import DCNParams, dcn_markov_perfect_equilibrium
    >>> # base case N0: four equal groups facing a threat of strength 6
    >>> n0 = DCNParams(s=[1, 1, 1, 1], s_T=6, r=3, c=0.5, L=10, q=1, tau=1, delta=0.95, gamma=0.5)
    >>> hopeful = dcn_markov_perfect_equilibrium(n0, "payoff_dominant")
    >>> wary = dcn_markov_perfect_equilibrium(n0, "pessimistic")
    >>> hopeful.support[0].tolist(), wary.support[0].tolist()  # first stage: all support, or none
    ([1.0, 1.0, 1.0], [0.0, 0.0, 0.0])
    >>> round(hopeful.conquest_probability, 6), round(wary.conquest_probability, 6)
    (0.698676, 0.986559)
    """
    params = _dcn(params)
    check_choice("selection", selection, STAGE_RULES)
    N = params.n_groups
    if N > MAX_MPE_GROUPS:
        raise ValueError(f"params must hold at most {MAX_MPE_GROUPS} groups for dcn_markov_perfect_equilibrium "
                         f"(its run time doubles with each group), got N={N}")
    order = np.arange(N) if order is None else _check_order(order, N)
    g = params.reordered(order)
    P = _contest(g.csf, g.r)
    sT = np.array([_stage_threat(g, k) for k in range(N)])
    W = np.zeros(N)
    prevail = np.zeros(N)
    support = [np.zeros(0)] * N
    prevail[N - 1] = P(g.s[N - 1], sT[N - 1])
    W[N - 1] = -(1.0 - prevail[N - 1]) * g.L[N - 1]
    for k in range(N - 2, -1, -1):
        rho = g.q[k + 1:] * g.delta[k + 1:] ** g.tau[k + 1]
        V = np.maximum(-rho * W[k + 1:], 0.0)
        game = dcn_stage_game(g, k, continuation=V)
        eqs = pure_nash_equilibria(game)
        if eqs.shape[0]:
            chosen = select_equilibrium(game, eqs, selection).astype(float)
        else:
            from efttheory.games.qre import logit_qre_limit

            chosen = np.array([s[1] for s in logit_qre_limit(game)])
        pay, prev = _profile_outcome(game, chosen, float(g.s[k]), g.s[k + 1:], sT[k], P)
        support[k] = chosen
        prevail[k] = prev
        W[k + 1:] = pay
        W[k] = -(1.0 - prev) * g.L[k]
    values = np.empty(N)
    values[order] = W
    return MarkovPerfectEquilibrium(order.astype(np.int64), tuple(support), prevail, sT, values,
                                    float(np.prod(1.0 - prevail)), selection)


@dataclass(frozen=True, repr=False)
class AttackOrder:
    """T's best attack order.

    Attributes
    ----------
    order : numpy.ndarray of int64
    conquest_probability : float
        V x P(T conquers all) for the best order (V = 1).
    orders : numpy.ndarray of int64, shape (N!, N)
    probabilities : numpy.ndarray, shape (N!,)
    """

    order: np.ndarray
    conquest_probability: float
    orders: np.ndarray
    probabilities: np.ndarray

    def __repr__(self) -> str:
        return (f"AttackOrder(best={self.order.tolist()}, P(T conquers all)={self.conquest_probability:.6g}, "
                f"{len(self.orders)} orders)")


def threat_attack_order(params: DCNParams, selection: str) -> AttackOrder:
    """T's best order of targets: maximise P(T conquers all) over all N! orders (N <= 8) [ours].

    Ties go to the lexicographically first order.

    Parameters
    ----------
    params : DCNParams
        At most 8 groups (every one of the N! orders is solved).
    selection : {"payoff_dominant", "risk_dominant", "pessimistic", "qre_limit"}
        Rule that picks each stage's equilibrium, passed to
        :func:`dcn_markov_perfect_equilibrium`.

    Returns
    -------
    AttackOrder
        The best order, its conquest probability, and every order with its probability
        (orders in lexicographic order).

    Raises
    ------
    TypeError
        If ``params`` is not a :class:`DCNParams`.
    ValueError
        If ``params`` has more than 8 groups or ``selection`` is not one of the four rules, or
        a custom ``params.csf`` returns a value outside [0, 1].

    Examples
    --------
    >>> from efttheory.games import DCNParams, threat_attack_order
    >>> # the parameters of base case N0, but three groups of unequal strength
    >>> p = DCNParams(s=[1, 2, 3], s_T=6, r=3, c=0.5, L=10, q=1, tau=1, delta=0.95, gamma=0.5)
    >>> best = threat_attack_order(p, "payoff_dominant")
    >>> best.order.tolist(), round(best.conquest_probability, 6)   # the strongest group first
    ([2, 1, 0], 0.489897)
    >>> best.orders[0].tolist(), round(float(best.probabilities[0]), 6)  # the weakest first
    ([0, 1, 2], 0.322936)
    """
    params = _dcn(params)
    check_integer("number of groups", params.n_groups, maximum=8)
    check_choice("selection", selection, STAGE_RULES)
    orders = np.array(list(itertools.permutations(range(params.n_groups))), dtype=np.int64)
    probs = np.array([dcn_markov_perfect_equilibrium(params, selection, o).conquest_probability for o in orders])
    best = int(np.argmax(probs))
    return AttackOrder(orders[best], float(probs[best]), orders, probs)
