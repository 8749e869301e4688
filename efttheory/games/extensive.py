r"""Finite extensive-form games of perfect information: backward induction.

A :class:`GameTree` stores decision, chance and leaf nodes in flat arrays
(children contiguous and numbered after their parent). Backward induction
[third party: Kuhn 1953; Selten 1965] assigns every node the value

.. math::

    V(v) = \begin{cases}
      u(v) & v \text{ a leaf},\\
      \sum_{w \in \mathrm{ch}(v)} \pi(w)\, V(w) & v \text{ a chance node},\\
      V\big(\arg\max_{w \in \mathrm{ch}(v)} V_{i(v)}(w)\big) & v \text{ a decision node of player } i(v),
    \end{cases}

with an explicit tie rule. The result is a subgame-perfect equilibrium; the
one-shot deviation principle (no player gains by changing a single move) is
checked by :func:`one_shot_deviation_gain`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from efttheory._arguments import (
    as_finite_array,
    as_integer_array,
    check_choice,
    check_finite_scalar,
    check_integer,
    check_positive,
)
from efttheory.games import _kernels

__all__ = ["GameTree", "SubgamePerfectEquilibrium", "one_shot_deviation_gain", "subgame_perfect_equilibria"]

LEAF = -1
CHANCE = -2


@dataclass(frozen=True, repr=False)
class GameTree:
    """A finite game tree in flat arrays.

    Attributes
    ----------
    player : numpy.ndarray of int64, shape (n_nodes,)
        Mover at each node; -1 for a leaf, -2 for a chance node.
    first_child, n_children : numpy.ndarray of int64, shape (n_nodes,)
        Children of node ``v`` are ``first_child[v] ... first_child[v] + n_children[v] - 1``.
    chance_prob : numpy.ndarray, shape (n_nodes,)
        Probability of reaching a child of a chance node (ignored elsewhere).
    payoffs : numpy.ndarray, shape (n_nodes, n_players)
        Leaf payoffs (zero at inner nodes).
    labels : tuple of str
        Name of the move leading to each node (``"root"`` for node 0).

    Notes
    -----
    :meth:`build` is the usual way in. A tree given directly as arrays is checked on
    construction: every node but the root is the child of exactly one node, children
    are numbered after their parent, movers lie in ``[0, n_players)``, and the children
    of each chance node carry probabilities in [0, 1] summing to 1. The backward-induction
    kernel relies on all of these and does no checks of its own.
    """

    player: np.ndarray
    first_child: np.ndarray
    n_children: np.ndarray
    chance_prob: np.ndarray
    payoffs: np.ndarray
    labels: tuple

    def __post_init__(self):
        player = as_integer_array("player", self.player, ndim=1, min_size=1)
        n = player.size
        first = as_integer_array("first_child", self.first_child, shape=(n,))
        count = as_integer_array("n_children", self.n_children, shape=(n,))
        prob = as_finite_array("chance_prob", self.chance_prob, shape=(n,))
        payoffs = as_finite_array("payoffs", self.payoffs, shape=(n, None))
        n_players = payoffs.shape[1]
        if n_players < 1:
            raise ValueError("payoffs must have at least one column (one per player), got 0")
        labels = tuple(self.labels)
        if len(labels) != n:
            raise ValueError(f"labels must name every node ({n}), got {len(labels)}")

        def named(nodes):
            return ", ".join(f"{v} ({labels[v]!r})" for v in np.flatnonzero(nodes)[:10])

        bad = (player < CHANCE) | (player >= n_players)
        if np.any(bad):
            raise ValueError(f"player entries must be -2 (chance), -1 (leaf) or a player in [0, {n_players - 1}], "
                             f"got {player[bad].tolist()[:10]} at nodes {named(bad)}")
        leaf = player == LEAF
        if np.any(leaf & (count != 0)):
            raise ValueError(f"n_children must be 0 at leaves, got nonzero at nodes {named(leaf & (count != 0))}")
        inner = np.flatnonzero(~leaf)
        if np.any(count[inner] < 1):
            raise ValueError(f"n_children must be >= 1 at inner nodes, got 0 at nodes {named(~leaf & (count < 1))}")
        if np.any(first[inner] <= inner) or np.any(first[inner] + count[inner] > n):
            raise ValueError("first_child must number every child after its parent and inside the tree "
                             f"(0 < first_child[v], first_child[v] + n_children[v] <= {n})")
        parents = np.repeat(inner, count[inner])
        offsets = np.arange(parents.size) - np.repeat(np.cumsum(count[inner]) - count[inner], count[inner])
        n_parents = np.bincount(first[parents] + offsets, minlength=n)
        orphan = n_parents != 1
        orphan[0] = False
        if np.any(orphan):
            raise ValueError("every node but the root must be the child of exactly one node, got 0 or several "
                             f"parents at nodes {named(orphan)}")
        for v in np.flatnonzero(player == CHANCE):
            p = prob[first[v]: first[v] + count[v]]
            if np.any(p < 0) or np.any(p > 1) or abs(p.sum() - 1) > 1e-12:
                raise ValueError(f"chance_prob of the children of chance node {v} ({labels[v]!r}) must lie in "
                                 f"[0, 1] and sum to 1, got {p}")
        for name, value in (("player", player), ("first_child", first), ("n_children", count),
                            ("chance_prob", prob), ("payoffs", payoffs), ("labels", labels)):
            object.__setattr__(self, name, value)

    @classmethod
    def build(cls, root, n_players: int) -> "GameTree":
        """Tree from nested tuples, numbered breadth first.

        ``("leaf", payoffs)``, ``("decision", player, [(label, subtree), ...])``
        or ``("chance", [(probability, label, subtree), ...])``. Movers, child counts and
        chance probabilities are checked by the constructor, as for a tree given as arrays.

        Parameters
        ----------
        root : tuple
            The root node in one of the three forms above (a list also works); ``label`` names
            the move into a child, ``payoffs`` holds one finite real per player, ``player`` is
            an integer in ``[0, n_players)``, and the probabilities of a chance node's children
            lie in [0, 1] and sum to 1.
        n_players : int
            Number of players, >= 1.

        Returns
        -------
        GameTree
            Node 0 is the root, labelled ``"root"``.

        Raises
        ------
        TypeError
            If ``n_players`` or a mover is not an integer, or a chance probability or a leaf
            payoff is not a real number.
        ValueError
            If ``n_players < 1``, a node is not of the three forms, leaf payoffs do not hold
            ``n_players`` finite values, a mover lies outside ``[0, n_players)``, an inner node
            has no children, or chance probabilities are not finite, outside [0, 1] or do not
            sum to 1.
        """
        n_players = check_integer("n_players", n_players, minimum=1)
        player, first, count, prob, pay, labels = [], [], [], [], [], []
        queue = [(root, "root", 0.0)]
        head = 0
        while head < len(queue):
            node, label, p = queue[head]
            head += 1
            if not isinstance(node, (tuple, list)) or len(node) < 2 or (node[0] == "decision" and len(node) < 3):
                raise ValueError(f"node {label!r} must be ('leaf', payoffs), ('decision', player, children) or "
                                 f"('chance', children), got {node!r}")
            kind = node[0]
            labels.append(label)
            prob.append(p)
            if kind == "leaf":
                vec = as_finite_array("leaf payoffs", node[1], shape=(n_players,))
                player.append(LEAF)
                first.append(-1)
                count.append(0)
                pay.append(vec)
                continue
            pay.append(np.zeros(n_players))
            first.append(len(queue))
            if kind == "decision":
                player.append(check_integer(f"the player of decision node {label!r}", node[1], minimum=0))
                children = node[2]
                count.append(len(children))
                queue.extend((sub, lab, 0.0) for lab, sub in children)
            elif kind == "chance":
                children = node[1]
                player.append(CHANCE)
                count.append(len(children))
                queue.extend((sub, lab, check_finite_scalar(f"the probability of chance move {lab!r}", pr))
                             for pr, lab, sub in children)
            else:
                raise ValueError(f"node kind must be 'leaf', 'decision' or 'chance', got {kind!r}")
        return cls(
            np.array(player, dtype=np.int64), np.array(first, dtype=np.int64), np.array(count, dtype=np.int64),
            np.array(prob), np.array(pay, dtype=float).reshape(-1, n_players), tuple(labels),
        )

    @property
    def n_players(self) -> int:
        return self.payoffs.shape[1]

    @property
    def n_nodes(self) -> int:
        return self.player.shape[0]

    def children(self, v: int) -> range:
        """Indices of the children of node ``v``.

        Parameters
        ----------
        v : int
            A node, in ``[0, n_nodes)``.

        Returns
        -------
        range
            The children, numbered consecutively; empty for a leaf.
        """
        return range(self.first_child[v], self.first_child[v] + self.n_children[v])

    def __repr__(self) -> str:
        n_dec = int(np.sum(self.player >= 0))
        n_leaf = int(np.sum(self.player == LEAF))
        return f"GameTree({self.n_nodes} nodes: {n_dec} decisions, {n_leaf} leaves, {self.n_players} players)"


@dataclass(frozen=True, repr=False)
class SubgamePerfectEquilibrium:
    """Backward-induction solution of a :class:`GameTree`.

    Attributes
    ----------
    choice : numpy.ndarray of int64, shape (n_nodes,)
        Chosen child at each decision node, -1 elsewhere.
    values : numpy.ndarray, shape (n_nodes, n_players)
        Continuation values under the equilibrium.
    tie_nodes : numpy.ndarray of int64
        Decision nodes where several moves were optimal (other SPE differ there).
    path : tuple of str
        Labels along the equilibrium path from the root (chance nodes: most likely branch).
    """

    choice: np.ndarray
    values: np.ndarray
    tie_nodes: np.ndarray
    path: tuple

    def __repr__(self) -> str:
        return (f"SubgamePerfectEquilibrium(path={' > '.join(self.path)}, "
                f"root values={np.round(self.values[0], 6).tolist()}, ties at {self.tie_nodes.tolist()})")


def _check_tree(tree) -> GameTree:
    if not isinstance(tree, GameTree):
        raise TypeError(f"tree must be a GameTree, got {type(tree).__name__}")
    return tree


def subgame_perfect_equilibria(tree: GameTree, ties: str = "first", tol: float = 1e-12) -> SubgamePerfectEquilibrium:
    r"""Subgame-perfect equilibrium by backward induction with an explicit tie rule.

    Parameters
    ----------
    tree : GameTree
    ties : {"first", "last"}
        Among moves within ``tol`` of the best, take the first or the last child.
        The nodes where ties occurred are reported, so the other SPE are known.
    tol : float, >= 0
        Payoff slack that counts as a tie, relative to :math:`\max(1, \max|\text{leaf payoff}|)`,
        so that values equal in exact arithmetic but summed in another order still tie at large
        payoff scales. ``tol=0`` is exact.

    Returns
    -------
    SubgamePerfectEquilibrium

    Examples
    --------
    >>> from efttheory.games import GameTree, subgame_perfect_equilibria
    >>> # entry deterrence: player 0 (entrant) stays out or enters; player 1 (incumbent) then fights
    >>> # or accommodates. Payoffs are [entrant, incumbent].
    >>> tree = GameTree.build(("decision", 0, [
    ...     ("out", ("leaf", [0, 2])),
    ...     ("enter", ("decision", 1, [("fight", ("leaf", [-1, -1])),
    ...                                ("accommodate", ("leaf", [1, 1]))])),
    ... ]), n_players=2)
    >>> spe = subgame_perfect_equilibria(tree)   # the threat to fight is not credible
    >>> spe.path, spe.values[0].tolist(), spe.tie_nodes.tolist()
    (('root', 'enter', 'accommodate'), [1.0, 1.0], [])
    """
    tree = _check_tree(tree)
    check_choice("ties", ties, ("first", "last"))
    tol = check_positive("tol", tol, strict=False)
    n = tree.n_nodes
    choice = np.empty(n, dtype=np.int64)
    values = np.empty((n, tree.n_players))
    tie_flags = np.empty(n, dtype=np.int64)
    scale = max(1.0, float(np.max(np.abs(tree.payoffs))))
    _kernels.backward_induction(tree.player, tree.first_child, tree.n_children, tree.chance_prob, tree.payoffs,
                                ties == "last", tol * scale, choice, values, tie_flags)
    path = ["root"]
    v = 0
    while tree.player[v] != LEAF:
        if tree.player[v] == CHANCE:
            kids = list(tree.children(v))
            v = kids[int(np.argmax(tree.chance_prob[kids]))]
        else:
            v = int(choice[v])
        path.append(tree.labels[v])
    return SubgamePerfectEquilibrium(choice, values, np.flatnonzero(tie_flags), tuple(path))


def strategy_values(tree: GameTree, choice) -> np.ndarray:
    """Values (n_nodes, n_players) of every node when each decision node plays ``choice``."""
    tree = _check_tree(tree)
    choice = as_integer_array("strategy", choice, shape=(tree.n_nodes,))
    values = np.zeros((tree.n_nodes, tree.n_players))
    for v in range(tree.n_nodes - 1, -1, -1):
        pl = tree.player[v]
        if pl == LEAF:
            values[v] = tree.payoffs[v]
        elif pl == CHANCE:
            kids = list(tree.children(v))
            values[v] = tree.chance_prob[kids] @ values[kids]
        else:
            if choice[v] not in tree.children(v):
                raise ValueError(f"strategy: node {v} must choose one of its children {list(tree.children(v))}, "
                                 f"got {choice[v]}")
            values[v] = values[choice[v]]
    return values


def one_shot_deviation_gain(tree: GameTree, strategy) -> np.ndarray:
    r"""Gain of the best one-shot deviation at every node.

    At a decision node :math:`v` of player :math:`i`,
    :math:`g(v) = \max_{w \in \mathrm{ch}(v)} V_i(w) - V_i(s(v))` with values
    :math:`V` computed under ``strategy``; zero elsewhere. A strategy is
    subgame perfect iff every gain is :math:`\le 0` (one-shot deviation principle).

    Parameters
    ----------
    tree : GameTree
    strategy : SubgamePerfectEquilibrium or array_like of int, shape (n_nodes,)
        Chosen child at each decision node.

    Returns
    -------
    numpy.ndarray, shape (n_nodes,)

    Examples
    --------
    >>> from efttheory.games import GameTree, one_shot_deviation_gain, subgame_perfect_equilibria
    >>> # entry deterrence, payoffs [entrant, incumbent]; nodes breadth first:
    >>> # 0 entrant, 1 out, 2 incumbent, 3 fight, 4 accommodate
    >>> tree = GameTree.build(("decision", 0, [
    ...     ("out", ("leaf", [0, 2])),
    ...     ("enter", ("decision", 1, [("fight", ("leaf", [-1, -1])),
    ...                                ("accommodate", ("leaf", [1, 1]))])),
    ... ]), n_players=2)
    >>> one_shot_deviation_gain(tree, subgame_perfect_equilibria(tree)).tolist()  # subgame perfect
    [0.0, 0.0, 0.0, 0.0, 0.0]
    >>> # "enter, then fight" is not: the incumbent gains 2 by accommodating, the entrant 1 by staying out
    >>> one_shot_deviation_gain(tree, [2, -1, 3, -1, -1]).tolist()
    [1.0, 0.0, 2.0, 0.0, 0.0]
    """
    choice = strategy.choice if isinstance(strategy, SubgamePerfectEquilibrium) else strategy
    values = strategy_values(tree, choice)
    gains = np.zeros(tree.n_nodes)
    for v in range(tree.n_nodes):
        pl = tree.player[v]
        if pl >= 0:
            kids = list(tree.children(v))
            gains[v] = values[kids, pl].max() - values[v, pl]
    return gains
