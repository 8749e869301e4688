r"""Equilibrium selection in binary participation games (action 1 = support, 0 = stay out).

Rules [ours, games-conflict spec section 2.9; the criteria are from the cited
literature]:

``"payoff_dominant"``
    the pure equilibrium that Pareto-dominates the others for all players; if
    none does, the highest payoff sum; ties go to more supporters.
``"risk_dominant"``
    two players with two actions: Harsanyi--Selten, the equilibrium with the
    larger product of deviation losses [cited: Harsanyi & Selten, *A General
    Theory of Equilibrium Selection in Games* (1988)]; more players: every player
    best-responds to all opponents mixing 1/2 (the 1/2-criterion); when that
    profile is not among the equilibria the closest one (Hamming) is taken,
    ties to more supporters.
``"pessimistic"``
    fewest supporters (worst for the movement); ties to the lowest payoff sum.
``"qre_limit"``
    the equilibrium nearest the limit of the principal logit-QRE branch.
``"all"``
    every equilibrium given.
"""

from __future__ import annotations

import numpy as np

from efttheory._arguments import as_integer_array, check_choice
from efttheory.games.normal_form import NormalFormGame, _action_values

__all__ = ["RULES", "select_equilibrium"]

RULES = ("payoff_dominant", "risk_dominant", "pessimistic", "qre_limit", "all")


def _payoff(game, profile):
    return game.payoffs[tuple(profile)]


def _more_supporters_key(game, profile):
    return (int(np.sum(profile)), float(np.sum(_payoff(game, profile))))


def select_equilibrium(game: NormalFormGame, equilibria, rule: str):
    """Pick one pure equilibrium by an explicit selection rule.

    Parameters
    ----------
    game : NormalFormGame
        A game whose players have two actions each (0 = out, 1 = support).
    equilibria : array_like of int, shape (k, N) or (N,)
        Pure equilibria (actions 0 or 1), e.g. from :func:`~efttheory.games.pure_nash_equilibria`.
    rule : {"payoff_dominant", "risk_dominant", "pessimistic", "qre_limit", "all"}

    Returns
    -------
    numpy.ndarray of int64, shape (N,), or shape (k, N) for ``"all"``

    Examples
    --------
    >>> from efttheory.games import NormalFormGame, pure_nash_equilibria, select_equilibrium
    >>> # stag hunt, action 1 = hunt stag (4 if both do, else 0), action 0 = hunt hare (always 3)
    >>> game = NormalFormGame.from_bimatrix([[3, 3], [0, 4]], [[3, 0], [3, 4]])
    >>> eqs = pure_nash_equilibria(game)
    >>> eqs.tolist()
    [[0, 0], [1, 1]]
    >>> select_equilibrium(game, eqs, "payoff_dominant").tolist()  # both prefer (stag, stag)
    [1, 1]
    >>> select_equilibrium(game, eqs, "risk_dominant").tolist()    # deviation losses 3 x 3 > 1 x 1
    [0, 0]
    """
    check_choice("rule", rule, RULES)
    if not isinstance(game, NormalFormGame):
        raise TypeError(f"game must be a NormalFormGame, got {type(game).__name__}")
    if any(k != 2 for k in game.n_actions):
        raise ValueError(f"select_equilibrium needs two actions per player, got {game.n_actions}")
    eqs = as_integer_array("equilibria", equilibria, ndim=(1, 2))
    if eqs.size == 0:
        raise ValueError("equilibria must hold at least one pure profile, got none")
    if eqs.shape[-1] != game.n_players:
        raise ValueError(f"equilibria must have shape (k, {game.n_players}), one action per player, got {eqs.shape}")
    eqs = eqs.reshape(-1, game.n_players)
    if np.any((eqs != 0) & (eqs != 1)):
        raise ValueError(f"equilibria must hold actions 0 (out) or 1 (support), got {eqs.tolist()}")
    if rule == "all":
        return eqs
    if eqs.shape[0] == 1:
        return eqs[0]
    if rule == "pessimistic":
        keys = [(int(e.sum()), float(_payoff(game, e).sum())) for e in eqs]
        return eqs[min(range(len(eqs)), key=lambda k: keys[k])]
    if rule == "payoff_dominant":
        pay = np.array([_payoff(game, e) for e in eqs])
        for k in range(len(eqs)):
            if all(np.all(pay[k] >= pay[j]) for j in range(len(eqs))):
                dominant = [j for j in range(len(eqs)) if np.all(pay[j] == pay[k])]
                return eqs[max(dominant, key=lambda j: _more_supporters_key(game, eqs[j]))]
        return eqs[max(range(len(eqs)), key=lambda j: (float(pay[j].sum()), int(eqs[j].sum())))]
    if rule == "risk_dominant":
        if game.n_players == 2 and len(eqs) == 2:
            products = []
            for e in eqs:
                loss = 1.0
                for i in range(2):
                    dev = e.copy()
                    dev[i] = 1 - dev[i]
                    loss *= _payoff(game, e)[i] - _payoff(game, dev)[i]
                products.append(loss)
            if products[0] != products[1]:
                return eqs[int(np.argmax(products))]
            return eqs[max(range(2), key=lambda j: _more_supporters_key(game, eqs[j]))]
        half = [np.array([0.5, 0.5])] * game.n_players
        values = _action_values(game.payoffs, half)
        target = np.array([1 if v[1] >= v[0] else 0 for v in values])
        return _nearest(game, eqs, target)
    from efttheory.games.qre import logit_qre_limit

    limit = logit_qre_limit(game)
    target = np.array([s[1] for s in limit])
    return _nearest(game, eqs, target)


def _nearest(game, eqs, target):
    dist = [float(np.abs(e - target).sum()) for e in eqs]
    best = min(dist)
    close = [k for k in range(len(eqs)) if dist[k] <= best + 1e-12]
    return eqs[max(close, key=lambda k: _more_supporters_key(game, eqs[k]))]
