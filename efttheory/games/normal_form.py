r"""Normal-form games with any number of players: pure equilibria, regret, symmetric mixing.

A game of :math:`N` players with :math:`n_i` actions each is one payoff array
:math:`U` of shape :math:`(n_1, \dots, n_N, N)`: ``U[a_1, ..., a_N, i]`` is player
:math:`i`'s payoff at the pure profile :math:`a`. A mixed profile
:math:`\sigma = (\sigma_1, \dots, \sigma_N)` is a list of probability vectors.
The *regret* of a profile [third party: standard game theory]

.. math::

    \mathrm{regret}(\sigma) = \max_i \Big[\max_{a_i'} u_i(a_i', \sigma_{-i}) - u_i(\sigma)\Big]

is zero exactly at a Nash equilibrium; every equilibrium efttheory returns is
checked to have regret :math:`\le 10^{-9}\max(1, \max|U|)`.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from efttheory._arguments import as_finite_array, check_finite_scalar, check_positive
from efttheory.games import _kernels

__all__ = [
    "NormalFormGame",
    "best_response_gaps",
    "expected_payoffs",
    "is_nash",
    "nash_regret",
    "pure_nash_equilibria",
    "symmetric_mixed_equilibria",
]


@dataclass(frozen=True, repr=False)
class NormalFormGame:
    """A finite game in normal form.

    Parameters
    ----------
    payoffs : array_like, shape (n_1, ..., n_N, N)
        ``payoffs[a_1, ..., a_N, i]`` is player ``i``'s payoff; finite reals.

    Attributes
    ----------
    n_players : int
    n_actions : tuple of int

    Examples
    --------
    >>> from efttheory.games import NormalFormGame, pure_nash_equilibria
    >>> # prisoner's dilemma, action 0 = cooperate, 1 = defect
    >>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> pd.n_players, pd.n_actions, pd.payoffs[1, 1].tolist()  # payoffs[a_1, a_2] = [u_1, u_2]
    (2, (2, 2), [1.0, 1.0])
    >>> pure_nash_equilibria(pd).tolist()         # mutual defection is the only equilibrium
    [[1, 1]]
    """

    payoffs: np.ndarray

    def __post_init__(self):
        arr = as_finite_array("payoffs", self.payoffs)
        if arr.ndim < 2 or arr.shape[-1] != arr.ndim - 1:
            raise ValueError(
                "payoffs must have shape (n_1, ..., n_N, N) with N = ndim - 1 players, "
                f"got shape {arr.shape}"
            )
        if any(k < 1 for k in arr.shape[:-1]):
            raise ValueError(f"payoffs: every player needs at least one action, got shape {arr.shape}")
        arr.setflags(write=False)
        object.__setattr__(self, "payoffs", arr)

    @classmethod
    def from_bimatrix(cls, A, B) -> "NormalFormGame":
        """Two-player game from the row player's ``A`` and the column player's ``B`` (both (m, n)).

        Parameters
        ----------
        A : array_like, shape (m, n)
            Row player's payoffs, finite reals; ``A[a_1, a_2]`` at the pure profile ``(a_1, a_2)``.
        B : array_like, shape (m, n)
            Column player's payoffs, finite reals, of the same shape as ``A``.

        Returns
        -------
        NormalFormGame
            Payoffs of shape ``(m, n, 2)``.

        Raises
        ------
        TypeError
            If ``A`` or ``B`` is not an array of real numbers.
        ValueError
            If ``A`` or ``B`` is not a non-empty 2-d array of finite values, or their shapes
            differ.
        """
        A = as_finite_array("A", A, ndim=2, min_size=1)
        B = as_finite_array("B", B, ndim=2, min_size=1)
        if A.shape != B.shape:
            raise ValueError(f"A and B must have the same shape, got {A.shape} and {B.shape}")
        return cls(np.stack([A, B], axis=-1))

    @property
    def n_players(self) -> int:
        return self.payoffs.ndim - 1

    @property
    def n_actions(self) -> tuple:
        return tuple(self.payoffs.shape[:-1])

    @property
    def scale(self) -> float:
        """``max(1, max|payoff|)``: the scale of absolute tolerances."""
        return max(1.0, float(np.max(np.abs(self.payoffs))))

    def __repr__(self) -> str:
        shape = "x".join(str(k) for k in self.n_actions)
        return f"NormalFormGame({self.n_players} players, actions {shape})"


def _as_game(game) -> NormalFormGame:
    if isinstance(game, NormalFormGame):
        return game
    raise TypeError(f"game must be a NormalFormGame, got {type(game).__name__}")


def as_profile(game: NormalFormGame, profile, name: str = "profile") -> list:
    """Mixed profile (list of probability vectors) from a mixed or pure profile.

    A pure profile is a sequence of ints (one action per player).
    """
    n = game.n_actions
    if isinstance(profile, (str, bytes)) or not hasattr(profile, "__len__"):
        raise TypeError(f"{name} must be a sequence with one entry per player, got {type(profile).__name__}")
    if len(profile) != game.n_players:
        raise ValueError(f"{name} must hold one entry per player ({game.n_players}), got {len(profile)}")
    out = []
    for i, (entry, k) in enumerate(zip(profile, n)):
        if np.ndim(entry) == 0:
            if isinstance(entry, (bool, np.bool_)) or not isinstance(entry, numbers.Integral):
                raise TypeError(f"{name}[{i}] must be an integer action or a probability vector, got {entry!r}")
            a = int(entry)
            if not 0 <= a < k:
                raise ValueError(f"{name}[{i}] must be an action in [0, {k - 1}], got {a}")
            vec = np.zeros(k)
            vec[a] = 1.0
        else:
            vec = as_finite_array(f"{name}[{i}]", entry, shape=(k,))
            if np.any(vec < -1e-12) or abs(vec.sum() - 1.0) > 1e-9:
                raise ValueError(
                    f"{name}[{i}] must be a probability vector (entries >= 0 summing to 1), got {vec}"
                )
        out.append(vec)
    return out


def expected_payoffs(game: NormalFormGame, profile) -> list:
    r"""Payoff of each pure action against the others' mixtures.

    Returns a list whose entry ``i`` is the vector :math:`u_i(a_i, \sigma_{-i})`
    over player ``i``'s actions (shape ``(n_i,)``).

    Parameters
    ----------
    game : NormalFormGame
    profile : sequence
        One entry per player: a probability vector of length ``n_i`` (entries >= -1e-12, sum
        within 1e-9 of 1), or an integer action in ``[0, n_i)`` (a pure strategy).

    Returns
    -------
    list of numpy.ndarray
        Entry ``i`` has shape ``(n_i,)``: player ``i``'s payoff from each pure action.

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`NormalFormGame`, ``profile`` is not a sequence, or an
        entry is neither an integer action nor an array of real numbers.
    ValueError
        If ``profile`` does not hold one entry per player, an action is out of range, or a
        vector has the wrong length, a non-finite entry or is not a probability vector.

    Examples
    --------
    >>> from efttheory.games import NormalFormGame, expected_payoffs
    >>> pennies = NormalFormGame.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> # against a 50/50 opponent both actions pay the same: neither player can exploit the other
    >>> [v.tolist() for v in expected_payoffs(pennies, [[0.5, 0.5], [0.5, 0.5]])]
    [[0.0, 0.0], [0.0, 0.0]]
    >>> [v.tolist() for v in expected_payoffs(pennies, [0, [0.5, 0.5]])]  # pure action 0 for the row player
    [[0.0, 0.0], [-1.0, 1.0]]
    """
    game = _as_game(game)
    sigma = as_profile(game, profile)
    return _action_values(game.payoffs, sigma)


def _action_values(U, sigma) -> list:
    N = U.ndim - 1
    out = []
    for i in range(N):
        T = U[..., i]
        # contract every axis except i, from the last to the first
        for j in range(N - 1, -1, -1):
            if j == i:
                continue
            T = np.tensordot(T, sigma[j], axes=([j], [0]))
            # axis j removed; axes after it shift left, which is fine going backwards
        out.append(np.asarray(T, dtype=float).reshape(-1))
    return out


def best_response_gaps(game: NormalFormGame, profile) -> np.ndarray:
    r"""Per-player gain of the best pure deviation, :math:`\max_{a_i'} u_i(a_i', \sigma_{-i}) - u_i(\sigma)`.

    Returns an array of shape (N,), entries >= 0 up to round-off.

    Parameters
    ----------
    game : NormalFormGame
    profile : sequence
        One entry per player: a probability vector of length ``n_i`` (entries >= -1e-12, sum
        within 1e-9 of 1), or an integer action in ``[0, n_i)`` (a pure strategy).

    Returns
    -------
    numpy.ndarray, shape (N,)
        Player ``i``'s gain in entry ``i`` (payoff units).

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`NormalFormGame`, ``profile`` is not a sequence, or an
        entry is neither an integer action nor an array of real numbers.
    ValueError
        If ``profile`` does not hold one entry per player, an action is out of range, or a
        vector has the wrong length, a non-finite entry or is not a probability vector.

    Examples
    --------
    >>> from efttheory.games import NormalFormGame, best_response_gaps
    >>> # prisoner's dilemma, action 0 = cooperate, 1 = defect
    >>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> best_response_gaps(pd, [0, 0]).tolist()   # each gains 5 - 3 by defecting from cooperation
    [2.0, 2.0]
    >>> best_response_gaps(pd, [1, 1]).tolist()   # mutual defection: nobody gains by deviating
    [0.0, 0.0]
    """
    game = _as_game(game)
    sigma = as_profile(game, profile)
    values = _action_values(game.payoffs, sigma)
    return np.array([v.max() - v @ s for v, s in zip(values, sigma)])


def nash_regret(game: NormalFormGame, profile) -> float:
    """Largest gain any player has from a unilateral pure deviation (0 at a Nash equilibrium).

    Parameters
    ----------
    game : NormalFormGame
    profile : sequence
        One entry per player: a probability vector of length ``n_i`` (entries >= -1e-12, sum
        within 1e-9 of 1), or an integer action in ``[0, n_i)`` (a pure strategy).

    Returns
    -------
    float
        The regret, >= 0 (payoff units).

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`NormalFormGame`, ``profile`` is not a sequence, or an
        entry is neither an integer action nor an array of real numbers.
    ValueError
        If ``profile`` does not hold one entry per player, an action is out of range, or a
        vector has the wrong length, a non-finite entry or is not a probability vector.

    Examples
    --------
    >>> from efttheory.games import NormalFormGame, nash_regret
    >>> pennies = NormalFormGame.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> nash_regret(pennies, [[0.5, 0.5], [0.5, 0.5]])            # the equilibrium
    0.0
    >>> round(nash_regret(pennies, [[0.7, 0.3], [0.5, 0.5]]), 6)  # a biased row player can be exploited
    0.4
    """
    return float(max(0.0, best_response_gaps(game, profile).max()))


def is_nash(game: NormalFormGame, profile, tol: float = 1e-9) -> bool:
    """True when the regret of ``profile`` is at most ``tol * max(1, max|payoff|)``.

    Parameters
    ----------
    game : NormalFormGame
    profile : sequence
        One entry per player: a probability vector of length ``n_i`` (entries >= -1e-12, sum
        within 1e-9 of 1), or an integer action in ``[0, n_i)`` (a pure strategy).
    tol : float, default 1e-9
        Allowed regret relative to the payoff scale ``game.scale``, >= 0; ``tol=0`` is exact.

    Returns
    -------
    bool

    Raises
    ------
    TypeError
        If ``tol`` is not a real number, ``game`` is not a :class:`NormalFormGame`,
        ``profile`` is not a sequence, or an entry is neither an integer action nor an array
        of real numbers.
    ValueError
        If ``tol`` is negative or not finite, ``profile`` does not hold one entry per player,
        an action is out of range, or a vector has the wrong length, a non-finite entry or is
        not a probability vector.

    Examples
    --------
    >>> from efttheory.games import NormalFormGame, is_nash
    >>> bos = NormalFormGame.from_bimatrix([[3, 0], [0, 2]], [[2, 0], [0, 3]])  # battle of the sexes
    >>> is_nash(bos, [[0.6, 0.4], [0.4, 0.6]])   # the mixed equilibrium
    True
    >>> is_nash(bos, [[0.5, 0.5], [0.5, 0.5]])
    False
    >>> is_nash(bos, [1, 1])                     # a pure profile: one action index per player
    True
    """
    tol = check_positive("tol", tol, strict=False)
    return nash_regret(game, profile) <= tol * _as_game(game).scale


def pure_nash_equilibria(game: NormalFormGame, tol: float = 1e-12) -> np.ndarray:
    r"""All pure Nash equilibria of an n-player game.

    A pure profile :math:`a` is an equilibrium when
    :math:`U_i(a_i', a_{-i}) \le U_i(a) + \mathrm{tol}\cdot\max(1, \max|U|)` for every
    player and action. The mixed-radix loop costs :math:`O(\prod_i n_i \sum_i n_i)`.

    Parameters
    ----------
    game : NormalFormGame
    tol : float, >= 0
        Slack of the deviation test relative to the payoff scale ``game.scale``, as in
        :func:`is_nash`: payoffs that are equal in exact arithmetic but differ by round-off
        (e.g. 0.1 + 0.2 against 0.3, times 1e5) still count as ties. ``tol=0`` is exact.

    Returns
    -------
    numpy.ndarray of int64, shape (n_equilibria, N)
        One row per equilibrium, in C order of the profiles.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.games import NormalFormGame, pure_nash_equilibria
    >>> U = np.zeros((2, 2, 2, 3))               # three players, two actions each
    >>> U[0, 0, 0] = U[1, 1, 1] = 1              # everyone is paid 1 only if all three agree
    >>> pure_nash_equilibria(NormalFormGame(U)).tolist()
    [[0, 0, 0], [1, 1, 1]]
    """
    game = _as_game(game)
    tol = check_positive("tol", tol, strict=False)
    shape = np.array(game.n_actions, dtype=np.int64)
    flat = np.ascontiguousarray(game.payoffs.reshape(-1, game.n_players))
    flags = np.zeros(flat.shape[0], dtype=np.int8)
    _kernels.pure_nash_flags(flat, shape, tol * game.scale, flags)
    idx = np.flatnonzero(flags)
    return np.array(np.unravel_index(idx, game.n_actions), dtype=np.int64).T.reshape(-1, game.n_players)


def _bernstein_gain(increments, cost, sigma):
    """Gain of supporting over staying out when the others support with prob sigma."""
    from scipy.stats import binom

    M = increments.shape[0]
    weights = binom.pmf(np.arange(M), M - 1, sigma)
    return float(weights @ increments - cost)


def _sign_change_roots(coeffs, intervals: int) -> list:
    """Roots of a Bernstein polynomial at its sign changes on a uniform grid of [0, 1] (Brent's method)."""
    from scipy.optimize import brentq

    grid = np.linspace(0.0, 1.0, intervals + 1)
    values = np.array([_kernels._bernstein_value(coeffs, t) for t in grid])
    roots = [float(t) for t, v in zip(grid, values) if v == 0.0]
    for k in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0):
        roots.append(brentq(lambda t: _kernels._bernstein_value(coeffs, t), grid[k], grid[k + 1], xtol=1e-15))
    return roots


def symmetric_mixed_equilibria(increments, cost) -> np.ndarray:
    r"""Symmetric mixed equilibria of a binary participation game of identical players.

    Each of :math:`M` players supports (pays ``cost``) or not; with :math:`m`
    supporters a supporter's marginal benefit is :math:`\Delta_m`. Supporting
    with probability :math:`\sigma` is a symmetric equilibrium when a player is
    indifferent [ours, games-conflict spec section 2.7]:

    .. math::

        \sum_{m=0}^{M-1} \binom{M-1}{m} \sigma^m (1-\sigma)^{M-1-m}\,\Delta_{m+1} = c,

    a polynomial of degree :math:`M - 1` in Bernstein form. Candidate roots come
    from the companion matrix of its power-basis form (kept in
    :math:`[-10^{-12}, 1 + 10^{-12}]`, clipped, polished by safeguarded
    bisection to :math:`10^{-14}`) and from every sign change of the Bernstein
    form (evaluated stably by de Casteljau) on a grid of
    :math:`\max(1024, 16 M)` intervals, solved by Brent's method; the power basis is
    ill-conditioned for large :math:`M`, and the scan keeps a simple root from
    being lost there [ours]. Every root must have regret :math:`\le 10^{-9}`.
    A double root (the gain touches ``cost`` without crossing it) is found
    through the companion matrix only.

    Parameters
    ----------
    increments : array_like, shape (M,)
        :math:`\Delta_1, \dots, \Delta_M` (payoff units).
    cost : float
        :math:`c`, the cost of supporting (payoff units).

    Returns
    -------
    numpy.ndarray, shape (n_roots,)
        Sorted support probabilities in [0, 1]. Empty when the gain is constant
        (no isolated root).

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.games import symmetric_mixed_equilibria
    >>> # three players; support pays 4 only when it makes the second supporter (exactly one other helps),
    >>> # so the indifference condition is 2 sigma (1 - sigma) 4 = 1.5
    >>> np.round(symmetric_mixed_equilibria([0, 4, 0], cost=1.5), 12).tolist()
    [0.25, 0.75]
    """
    inc = as_finite_array("increments", increments, ndim=1, min_size=1)
    c = check_finite_scalar("cost", cost)
    coeffs = np.ascontiguousarray(inc - c)
    if np.all(coeffs == coeffs[0]):
        return np.empty(0)
    power = _kernels.bernstein_to_power(coeffs)
    nz = np.flatnonzero(np.abs(power) > 1e-14 * np.max(np.abs(power)))
    power = power[nz[0]:]
    if power.size <= 1:
        return np.empty(0)
    roots = np.roots(power)
    real = roots[np.abs(roots.imag) <= 1e-7 * np.maximum(1.0, np.abs(roots))].real
    real = real[(real >= -1e-12) & (real <= 1 + 1e-12)]
    candidates = [float(_kernels.polish_root(coeffs, float(t), 0.0)) for t in np.clip(real, 0.0, 1.0)]
    candidates += _sign_change_roots(coeffs, max(1024, 16 * coeffs.size))
    out = []
    scale = max(1.0, float(np.max(np.abs(inc))), abs(c))
    for t in candidates:
        gain = _bernstein_gain(inc, c, t)
        regret = max(gain, 0.0) - t * gain
        if regret <= 1e-9 * scale and not any(abs(t - u) <= 1e-10 for u in out):
            out.append(t)
    return np.array(sorted(out))
