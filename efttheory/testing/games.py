r"""Hypothesis strategies for random games and assertions for equilibria.

Use them in your own test suite. A property test that every equilibrium the solver
returns is a Nash equilibrium (``deadline=None`` because the first call compiles
Numba code; ``derandomize=True`` draws the same games on every run):

>>> from hypothesis import given, settings
>>> from efttheory.games import nash_equilibria
>>> from efttheory.testing import assert_is_nash, nondegenerate_bimatrix_games
>>> @settings(max_examples=20, deadline=None, derandomize=True)
... @given(nondegenerate_bimatrix_games(max_actions=3))
... def test_every_equilibrium_is_nash(game):
...     A, B = game
...     for eq in nash_equilibria(A, B):
...         assert_is_nash((A, B), eq.strategies)
>>> test_every_equilibrium_is_nash()  # 20 random games; silent because the property holds

An equilibrium passes :func:`assert_is_nash` when every pure strategy pays at
most the equilibrium payoff plus ``tol * max(1, max|payoff|)`` (best-response check).
"""

from __future__ import annotations

import numbers

import numpy as np

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the optional extra
    raise ImportError("efttheory.testing needs hypothesis: pip install hypothesis (or the 'dev' extra)") from exc

from efttheory._arguments import check_integer, check_positive
from efttheory.games.bimatrix import Equilibrium, EquilibriumSet
from efttheory.games.conflict import DC2Params, DCNParams
from efttheory.games.extensive import GameTree, SubgamePerfectEquilibrium, one_shot_deviation_gain
from efttheory.games.normal_form import NormalFormGame, best_response_gaps

__all__ = [
    "assert_best_response",
    "assert_equilibrium_sets_equal",
    "assert_is_nash",
    "assert_is_subgame_perfect",
    "assert_probability_vector",
    "bimatrix_games",
    "binary_symmetric_games",
    "dc2_params",
    "dcn_params",
    "nondegenerate_bimatrix_games",
    "normal_form_games",
]


def _check_count(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


@st.composite
def bimatrix_games(draw, max_actions: int = 4, payoffs=None, perturb: float = 1e-6, min_actions: int = 1):
    """Pairs ``(A, B)`` of float64 payoff matrices of a random shape.

    Parameters
    ----------
    max_actions, min_actions : int
        Bounds on the number of actions of each player.
    payoffs : hypothesis strategy of numbers, optional
        Entries before perturbation; default ``integers(-5, 5)``.
    perturb : float, >= 0
        Size of a seeded uniform perturbation added to every entry (makes the
        game nondegenerate with probability 1); 0 keeps integer payoffs.

    Raises
    ------
    TypeError, ValueError
        When a game is drawn (not when the strategy is built), if ``max_actions`` or
        ``min_actions`` is not an integer >= 1, or ``perturb`` is not a finite number >= 0.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> from efttheory.testing import bimatrix_games
    >>> @settings(max_examples=10, deadline=None, derandomize=True)
    ... @given(bimatrix_games(max_actions=3, perturb=0))
    ... def test_integer_games(game):
    ...     A, B = game
    ...     assert A.shape == B.shape and max(A.shape) <= 3
    ...     assert np.all(A == np.round(A)) and np.abs(A).max() <= 5
    >>> test_integer_games()  # silent: same shapes, integer payoffs in [-5, 5]
    """
    hi = _check_count("max_actions", max_actions, 1)
    lo = _check_count("min_actions", min_actions, 1)
    perturb = check_positive("perturb", perturb, strict=False)  # a NaN perturbation drew NaN games
    elements = st.integers(-5, 5) if payoffs is None else payoffs
    m = draw(st.integers(lo, hi))
    n = draw(st.integers(lo, hi))
    A = np.array(draw(st.lists(elements, min_size=m * n, max_size=m * n)), dtype=float).reshape(m, n)
    B = np.array(draw(st.lists(elements, min_size=m * n, max_size=m * n)), dtype=float).reshape(m, n)
    if perturb:
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        A = A + perturb * rng.uniform(-1, 1, A.shape)
        B = B + perturb * rng.uniform(-1, 1, B.shape)
    return A, B


def nondegenerate_bimatrix_games(max_actions: int = 4, min_actions: int = 1):
    """Bimatrix games with integer payoffs in [-5, 5] plus a 1e-3 perturbation, filtered by
    :func:`~efttheory.games.is_degenerate`.

    Parameters
    ----------
    max_actions : int, default 4
        Largest number of actions of each player, >= 1.
    min_actions : int, default 1
        Smallest number of actions of each player, in [1, max_actions].

    Returns
    -------
    hypothesis.strategies.SearchStrategy of tuple of numpy.ndarray
        Pairs ``(A, B)`` of float64 payoff matrices of a common shape ``(m, n)``, with
        ``min_actions <= m, n <= max_actions``, nondegenerate at ``tol=1e-9``.

    Raises
    ------
    ValueError
        When a game is drawn (not when the strategy is built), if ``max_actions`` or
        ``min_actions`` is not an integer >= 1.

    Examples
    --------
    A nondegenerate bimatrix game has an odd number of Nash equilibria (a consequence of
    the Lemke--Howson algorithm):

    >>> from hypothesis import given, settings
    >>> from efttheory.games import nash_equilibria
    >>> from efttheory.testing import nondegenerate_bimatrix_games
    >>> @settings(max_examples=20, deadline=None, derandomize=True)
    ... @given(nondegenerate_bimatrix_games(max_actions=3))
    ... def test_odd_number_of_equilibria(game):
    ...     assert len(nash_equilibria(*game)) % 2 == 1
    >>> test_odd_number_of_equilibria()  # silent because the property holds
    """
    from efttheory.games.bimatrix import is_degenerate

    return bimatrix_games(max_actions=max_actions, min_actions=min_actions, perturb=1e-3).filter(
        lambda g: not is_degenerate(*g, tol=1e-9))


@st.composite
def normal_form_games(draw, max_players: int = 4, max_actions: int = 3, payoffs=None):
    """:class:`~efttheory.games.NormalFormGame` with 1..max_players players and 1..max_actions actions each.

    Parameters
    ----------
    max_players : int, default 4
        Largest number of players, >= 1.
    max_actions : int, default 3
        Largest number of actions of each player, >= 1.
    payoffs : hypothesis strategy of numbers, optional
        Payoff entries, finite reals; default ``integers(-5, 5)``.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of NormalFormGame

    Raises
    ------
    ValueError
        When a game is drawn (not when the strategy is built), if ``max_players`` or
        ``max_actions`` is not an integer >= 1, or ``payoffs`` draws a non-finite value.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from efttheory.testing import normal_form_games
    >>> @settings(max_examples=10, deadline=None, derandomize=True)
    ... @given(normal_form_games(max_players=3, max_actions=2))
    ... def test_payoff_table(game):
    ...     assert 1 <= game.n_players <= 3
    ...     assert game.payoffs.shape[-1] == game.n_players and max(game.payoffs.shape[:-1]) <= 2
    >>> test_payoff_table()  # silent: one payoff per player in every cell
    """
    P = draw(st.integers(1, _check_count("max_players", max_players, 1)))
    shape = tuple(draw(st.integers(1, _check_count("max_actions", max_actions, 1))) for _ in range(P))
    size = int(np.prod(shape)) * P
    elements = st.integers(-5, 5) if payoffs is None else payoffs
    values = np.array(draw(st.lists(elements, min_size=size, max_size=size)), dtype=float)
    return NormalFormGame(values.reshape(shape + (P,)))


@st.composite
def binary_symmetric_games(draw, max_players: int = 12):
    """``(increments, cost)`` of a symmetric binary participation game with M players.

    ``increments`` are the marginal benefits Delta_1..Delta_M (floats in [0, 2]).

    Parameters
    ----------
    max_players : int, default 12
        Largest number of players M, >= 1.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of tuple
        Pairs ``(increments, cost)``: a float64 array of shape ``(M,)`` with
        ``1 <= M <= max_players`` and a float ``cost`` in [0.01, 1.5], the inputs of
        :func:`~efttheory.games.symmetric_mixed_equilibria`.

    Raises
    ------
    ValueError
        When a game is drawn (not when the strategy is built), if ``max_players`` is not an
        integer >= 1.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> from efttheory.testing import binary_symmetric_games
    >>> @settings(max_examples=10, deadline=None, derandomize=True)
    ... @given(binary_symmetric_games(max_players=5))
    ... def test_bounds(game):
    ...     increments, cost = game
    ...     assert 1 <= increments.size <= 5 and np.all((increments >= 0) & (increments <= 2))
    ...     assert 0.01 <= cost <= 1.5
    >>> test_bounds()  # silent because every draw is in the box
    """
    M = draw(st.integers(1, _check_count("max_players", max_players, 1)))
    inc = np.array(draw(st.lists(st.floats(0, 2, allow_nan=False), min_size=M, max_size=M)))
    cost = draw(st.floats(0.01, 1.5, allow_nan=False))
    return inc, cost


@st.composite
def dc2_params(draw):
    """Random :class:`~efttheory.games.DC2Params` in a realistic box (Tullock contest).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from efttheory.testing import dc2_params
    >>> @settings(max_examples=10, deadline=None, derandomize=True)
    ... @given(dc2_params())
    ... def test_box(p):
    ...     assert 0 <= p.q <= 1 and 0 < p.delta <= 1 and p.s_C > 0 and p.s_T > 0
    >>> test_box()  # silent because every draw is in the box
    """
    f = lambda lo, hi: draw(st.floats(lo, hi, allow_nan=False))  # noqa: E731
    return DC2Params(s_C=f(0.2, 5), s_F=f(0.2, 5), s_T=f(0.2, 10), r=f(0.5, 4), c=f(0, 5), L_F=f(0.5, 20),
                     q=f(0, 1), tau=f(0, 10), delta=f(0.05, 1), gamma=f(0, 1))


@st.composite
def dcn_params(draw, max_groups: int = 6):
    """Random :class:`~efttheory.games.DCNParams` with 2..max_groups groups.

    Parameters
    ----------
    max_groups : int, default 6
        Largest number of groups, >= 2.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of DCNParams
        Strengths in [0.2, 3], ``s_T`` in [0.2, 10], ``r`` in [0.5, 4], costs in [0, 2],
        losses in [0.5, 20], beliefs ``q`` in [0, 1], sorted delays in [0, 5], discount
        factors in [0.1, 1] and ``gamma`` in [0, 1].

    Raises
    ------
    ValueError
        When parameters are drawn (not when the strategy is built), if ``max_groups`` is not
        an integer >= 2.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> from efttheory.testing import dcn_params
    >>> @settings(max_examples=10, deadline=None, derandomize=True)
    ... @given(dcn_params(max_groups=4))
    ... def test_groups(p):
    ...     assert 2 <= p.s.size <= 4 and p.L.shape == p.s.shape
    ...     assert np.all(np.diff(p.tau) >= 0)              # tau comes sorted
    >>> test_groups()  # silent because the property holds
    """
    N = draw(st.integers(2, _check_count("max_groups", max_groups, 2)))
    vec = lambda lo, hi: np.array(draw(st.lists(st.floats(lo, hi, allow_nan=False), min_size=N, max_size=N)))  # noqa: E731
    return DCNParams(s=vec(0.2, 3), s_T=draw(st.floats(0.2, 10)), r=draw(st.floats(0.5, 4)), c=vec(0, 2),
                     L=vec(0.5, 20), q=vec(0, 1), tau=np.sort(vec(0, 5)), delta=vec(0.1, 1),
                     gamma=draw(st.floats(0, 1)))


def _as_nf(game) -> NormalFormGame:
    if isinstance(game, NormalFormGame):
        return game
    if isinstance(game, tuple) and len(game) == 2:
        return NormalFormGame.from_bimatrix(*game)
    raise TypeError(f"game must be a NormalFormGame or a pair (A, B), got {type(game).__name__}")


def assert_probability_vector(x, tol: float = 1e-12) -> None:
    """Entries >= -tol and sum within tol of 1.

    Parameters
    ----------
    x : array_like, shape (n,)
        The vector to check; ``n >= 1``.
    tol : float, default 1e-12
        Absolute slack, >= 0, on the sign of each entry and on the sum.

    Raises
    ------
    TypeError
        If ``tol`` is not a real number.
    ValueError
        If ``tol`` is negative or not finite.
    AssertionError
        If ``x`` is not a non-empty 1-d array of numbers, has a non-finite entry, an entry
        below ``-tol``, or a sum farther than ``tol`` from 1.

    Examples
    --------
    >>> from efttheory.testing import assert_probability_vector
    >>> assert_probability_vector([0.25, 0.75])
    >>> assert_probability_vector([1.5, -0.5])
    Traceback (most recent call last):
    ...
    AssertionError: negative probability -5.000e-01 < -1e-12: [ 1.5 -0.5]
    """
    tol = check_positive("tol", tol, strict=False)
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"expected a 1-d probability vector of numbers: {exc}") from None
    assert x.ndim == 1 and x.size >= 1, f"expected a 1-d probability vector, got shape {x.shape}"
    assert np.all(np.isfinite(x)), f"probability vector has non-finite entries: {x}"
    assert x.min() >= -tol, f"negative probability {x.min():.3e} < -{tol:g}: {x}"
    assert abs(x.sum() - 1.0) <= tol, f"probabilities sum to {x.sum()!r}, not 1 within {tol:g}"


def _strategies(profile):
    if isinstance(profile, Equilibrium):
        return profile.strategies
    return profile


def _profile(nf: NormalFormGame, profile) -> list:
    """The profile as one float array per player; a profile that does not fit the game fails."""
    try:
        sigma = [np.asarray(s, dtype=float) for s in _strategies(profile)]
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"profile must hold one strategy (a vector of numbers) per player: {exc}") from None
    assert len(sigma) == nf.n_players, f"profile has {len(sigma)} strategies for {nf.n_players} players"
    shapes = [s.shape for s in sigma]
    want = [(n,) for n in nf.n_actions]
    assert shapes == want, f"profile strategies have shapes {shapes}, the game's players have {want}"
    return sigma


def assert_best_response(game, profile, player: int, tol: float = 1e-9) -> None:
    """Player ``player``'s strategy is a best response: no pure strategy pays more than
    its payoff + ``tol * max(1, max|payoff|)``, and every support action is within that of the best.

    Parameters
    ----------
    game : NormalFormGame or tuple (A, B)
        The game; a pair of payoff matrices is a bimatrix game.
    profile : Equilibrium or sequence of array_like
        One mixed strategy (probability vector of length ``n_i``) per player.
    player : int
        The player whose strategy is checked, in ``[0, N)``.
    tol : float, default 1e-9
        Allowed payoff shortfall, >= 0, relative to ``max(1, max|payoff|)``.

    Raises
    ------
    TypeError
        If ``game`` is neither a :class:`~efttheory.games.NormalFormGame` nor a pair
        ``(A, B)``.
        Also if ``tol`` is not a real number or ``player`` not an integer.
    ValueError
        If ``tol`` is negative or not finite, or ``player`` outside ``[0, N)``.
    AssertionError
        If ``profile`` does not hold one strategy of the right length per player, a pure
        strategy pays more than the player's payoff plus the slack, or an action in the
        support pays less than the best minus the slack.

    Examples
    --------
    In the prisoner's dilemma (actions cooperate, defect) defecting is the row player's best
    response to a defector; cooperating is not:

    >>> import numpy as np
    >>> from efttheory.testing import assert_best_response
    >>> A = np.array([[3, 0], [5, 1]])                      # row player's payoffs; B = A.T
    >>> assert_best_response((A, A.T), [[0, 1], [0, 1]], player=0)
    >>> assert_best_response((A, A.T), [[1, 0], [0, 1]], player=0)
    Traceback (most recent call last):
    ...
    AssertionError: player 0: pure strategy 1 pays 1.0 > 0.0 + 5e-09
    """
    tol = check_positive("tol", tol, strict=False)
    nf = _as_nf(game)
    player = check_integer("player", player, minimum=0, maximum=nf.n_players - 1)
    sigma = _profile(nf, profile)
    from efttheory.games.normal_form import _action_values

    values = _action_values(nf.payoffs, sigma)[player]
    slack = tol * nf.scale
    own = float(values @ sigma[player])
    best = float(values.max())
    assert best <= own + slack, (
        f"player {player}: pure strategy {int(values.argmax())} pays {best!r} > {own!r} + {slack:g}")
    support = np.flatnonzero(sigma[player] > 0)
    assert support.size, f"player {player}: the strategy {sigma[player]} plays no action with positive probability"
    worst = float(values[support].min())
    assert worst >= best - slack, (
        f"player {player}: support action pays {worst!r}, below the best {best!r} by more than {slack:g}")


def assert_is_nash(game, profile, tol: float = 1e-9) -> None:
    """Every player's strategy is a probability vector and a best response (see module docs).

    Parameters
    ----------
    game : NormalFormGame or tuple (A, B)
        The game; a pair of payoff matrices is a bimatrix game.
    profile : Equilibrium or sequence of array_like
        One mixed strategy per player.
    tol : float, default 1e-9
        Allowed regret, >= 0, relative to ``max(1, max|payoff|)``. The probability vectors
        are checked with :func:`assert_probability_vector`'s own tolerance, 1e-12.

    Raises
    ------
    TypeError
        If ``game`` is neither a :class:`~efttheory.games.NormalFormGame` nor a pair
        ``(A, B)``.
        Also if ``tol`` is not a real number.
    ValueError
        If ``tol`` is negative or not finite.
    AssertionError
        If ``profile`` does not hold one strategy of the right length per player, a strategy is not a
        probability vector or not a best response (:func:`assert_best_response`), or the
        regret exceeds ``tol * max(1, max|payoff|)``.

    Examples
    --------
    In matching pennies the unique equilibrium mixes 50/50 and passes silently; if both
    players show heads, the column player gains by switching to tails:

    >>> import numpy as np
    >>> from efttheory.testing import assert_is_nash
    >>> A = np.array([[1, -1], [-1, 1]])                    # row player wants to match
    >>> assert_is_nash((A, -A), [[0.5, 0.5], [0.5, 0.5]])
    >>> assert_is_nash((A, -A), [[1, 0], [1, 0]])
    Traceback (most recent call last):
    ...
    AssertionError: player 1: pure strategy 1 pays 1.0 > -1.0 + 1e-09
    """
    tol = check_positive("tol", tol, strict=False)
    nf = _as_nf(game)
    sigma = _profile(nf, profile)
    for i, s in enumerate(sigma):
        assert_probability_vector(s)
        assert_best_response(nf, sigma, i, tol)
    gaps = best_response_gaps(nf, [np.clip(np.asarray(s, float), 0, None) / np.clip(np.asarray(s, float), 0, None).sum()
                                   for s in sigma])
    assert gaps.max() <= tol * nf.scale, f"regret {gaps.max():.3e} > {tol:g} x scale"


def _keys(name, equilibria):
    """Each equilibrium as one flat float vector; a collection that is not one fails the check."""
    try:
        return [np.concatenate([np.asarray(s, dtype=float).ravel() for s in _strategies(e)])
                for e in equilibria]
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"{name} must be a collection of equilibria (sequences of mixed "
                             f"strategies): {exc}") from None


def assert_equilibrium_sets_equal(found, expected, atol: float = 1e-8) -> None:
    """Order-free equality of two collections of equilibria (each a sequence of strategies).

    Parameters
    ----------
    found, expected : EquilibriumSet or sequence
        The equilibria to compare; each an :class:`~efttheory.games.Equilibrium` or a
        sequence of mixed strategies, one per player.
    atol : float, default 1e-8
        Largest absolute difference, >= 0, between matching entries of two equilibria that
        count as equal.

    Raises
    ------
    TypeError
        If ``atol`` is not a real number.
    ValueError
        If ``atol`` is negative or not finite.
    AssertionError
        If either is not a collection of equilibria, the two collections differ in size,
        or an equilibrium of ``found`` has no unmatched equilibrium of ``expected`` within
        ``atol``.

    Examples
    --------
    Battle of the sexes has two pure equilibria and one mixed one, which is not 50/50:

    >>> import numpy as np
    >>> from efttheory.games import nash_equilibria
    >>> from efttheory.testing import assert_equilibrium_sets_equal
    >>> found = nash_equilibria(np.array([[2, 0], [0, 1]]), np.array([[1, 0], [0, 2]]))
    >>> pure = [([1, 0], [1, 0]), ([0, 1], [0, 1])]
    >>> assert_equilibrium_sets_equal(found, pure + [([2/3, 1/3], [1/3, 2/3])])
    >>> assert_equilibrium_sets_equal(found, pure + [([0.5, 0.5], [0.5, 0.5])])
    Traceback (most recent call last):
    ...
    AssertionError: equilibrium [0.66666667 0.33333333 0.33333333 0.66666667] has no match within 1e-08
    """
    atol = check_positive("atol", atol, strict=False)
    if isinstance(found, EquilibriumSet):
        found = found.equilibria
    if isinstance(expected, EquilibriumSet):
        expected = expected.equilibria
    a, b = _keys("found", found), _keys("expected", expected)
    assert len(a) == len(b), f"{len(a)} equilibria found, {len(b)} expected"
    unmatched = list(range(len(b)))
    for x in a:
        hit = next((j for j in unmatched if x.shape == b[j].shape and np.max(np.abs(x - b[j])) <= atol), None)
        assert hit is not None, f"equilibrium {np.round(x, 10)} has no match within {atol:g}"
        unmatched.remove(hit)


def assert_is_subgame_perfect(tree: GameTree, strategy, tol: float = 1e-12) -> None:
    """No one-shot deviation at any node gains more than ``tol``.

    Parameters
    ----------
    tree : GameTree
    strategy : SubgamePerfectEquilibrium or array_like of int, shape (n_nodes,)
        Chosen child at each decision node (any integer elsewhere).
    tol : float, default 1e-12
        Largest allowed gain, in payoff units (absolute, not scaled), >= 0.

    Raises
    ------
    TypeError
        If ``tree`` is not a :class:`~efttheory.games.GameTree`, or ``strategy`` is not an
        array of real numbers.
        Also if ``tol`` is not a real number.
    ValueError
        If ``strategy`` does not have shape ``(n_nodes,)``, holds non-integers, or a decision
        node chooses a node that is not one of its children.
        Also if ``tol`` is negative or not finite.
    AssertionError
        If a one-shot deviation gains more than ``tol``.

    Examples
    --------
    Entry deterrence: "stay out, and fight if entered" is a Nash equilibrium but not subgame
    perfect, since fighting at the incumbent's node (node 2) is an empty threat:

    >>> from efttheory.games import GameTree, subgame_perfect_equilibria
    >>> from efttheory.testing import assert_is_subgame_perfect
    >>> tree = GameTree.build(("decision", 0, [
    ...     ("out", ("leaf", [0, 2])),
    ...     ("enter", ("decision", 1, [("fight", ("leaf", [-1, -1])),
    ...                                ("accommodate", ("leaf", [1, 1]))])),
    ... ]), n_players=2)
    >>> assert_is_subgame_perfect(tree, subgame_perfect_equilibria(tree))
    >>> assert_is_subgame_perfect(tree, [1, -1, 3, -1, -1])  # chosen child per node: out, fight
    Traceback (most recent call last):
    ...
    AssertionError: one-shot deviation at node 2 gains 2.000e+00 > 1e-12
    """
    tol = check_positive("tol", tol, strict=False)
    if isinstance(strategy, SubgamePerfectEquilibrium):
        strategy = strategy.choice
    gains = one_shot_deviation_gain(tree, strategy)
    worst = int(np.argmax(gains))
    assert gains[worst] <= tol, f"one-shot deviation at node {worst} gains {gains[worst]:.3e} > {tol:g}"
