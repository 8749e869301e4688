r"""Logit quantal-response equilibria and their principal branch.

A logit QRE at precision :math:`\lambda \ge 0` is a profile with
[third party: McKelvey & Palfrey, Games Econ. Behav. 10 (1995) 6]

.. math::

    \sigma_i(a) = \frac{\exp(\lambda\, u_i(a, \sigma_{-i}))}{\sum_b \exp(\lambda\, u_i(b, \sigma_{-i}))}.

At :math:`\lambda = 0` it is the uniform profile; the *principal branch* that
starts there converges, as :math:`\lambda \to \infty`, to a Nash equilibrium,
which selects one equilibrium among many. We trace it in log-probabilities
:math:`z_{ia} = \ln \sigma_i(a)` with the residual

.. math::

    H_{ia} = z_{ia} - z_{i0} - \lambda\,[u_i(a,\sigma_{-i}) - u_i(0,\sigma_{-i})] \;(a \ge 1),
    \qquad H_{i0} = \sum_a e^{z_{ia}} - 1,

by pseudo-arclength predictor--corrector continuation in :math:`(z, \lambda)`,
which passes turning points in :math:`\lambda` [ours, games-conflict spec section 2.10].
The branch may turn back in :math:`\lambda` and forward again (twice within
:math:`\lambda \le 400` in some random 3x3 games), and a step too long for that
lands on the branch's own past or on another equilibrium's branch. Steps are
therefore limited [ours]: the predicted :math:`\lambda` moves by at most half of
:math:`\lambda + 1/\max(1, \max|U|)`; Keller's corrector (Newton within the
hyperplane through the predicted point, orthogonal to the tangent) must land within
a quarter of a step of the prediction; successive tangents turn by less than about 25 degrees;
and the sign of :math:`\det[\partial H; t^\top]`, constant along a regular branch
traversed one way, must not flip. The last test catches the jumps the others miss,
where the branch bends sharply past another branch: with it, the limits of 1 000
random games (2-3 players, 2-4 actions, Gaussian payoffs) agree with a run whose
lambda steps and turning angles are ten times smaller.

Towards a mixed equilibrium the branch closes in only at rate :math:`1/\lambda`
(log-probability ratios stay finite, so payoff differences are
:math:`O(1/\lambda)`), and round-off in :math:`\lambda\,u` stalls the corrector near
:math:`\lambda \max(1, \max|U|) \approx 10^{6}`. Once the branch passes
:math:`\lambda \max(1, \max|U|) = 10^{5}` (or reaches ``lambda_max``) with a mixed
limiting support, the limit is therefore polished: Newton's method on that
support's indifference equations, started from the branch's current profile, and
accepted only when it lands within :math:`10^{-3}` of it as a Nash equilibrium
(regret :math:`\le 10^{-9}\max(1, \max|U|)`) [ours]. The supports tried keep the
actions with probability at least :math:`10^{-3}`, :math:`10^{-6}` or
:math:`10^{-9}` of the player's largest, in that order.

In a degenerate game with a continuum of equilibria the branch stops at the first
profile whose rounding is an equilibrium; that equilibrium lies near the branch but
need not be its :math:`\lambda \to \infty` limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from efttheory._arguments import check_integer, check_positive
from efttheory.errors import ConvergenceError
from efttheory.games.normal_form import NormalFormGame, _action_values, nash_regret

__all__ = ["QREBranch", "logit_qre_branch", "logit_qre_limit"]

# Step control of the continuation [ours] (module notes): the predicted change of lambda per
# step, relative to lambda + 1/scale; the corrector's distance from the predicted point, relative
# to the step; the smallest cosine between successive tangents.
_LAMBDA_STEP = 0.5
_MAX_CORRECTION = 0.25
_MIN_TANGENT_COS = 0.9


@dataclass(frozen=True, repr=False)
class QREBranch:
    """The principal logit-QRE branch.

    Attributes
    ----------
    lambdas : numpy.ndarray, shape (K,)
        Precision at each accepted point.
    profiles : numpy.ndarray, shape (K, sum n_i)
        Concatenated mixed strategies at each point.
    limit : tuple of numpy.ndarray
        The end profile rounded to its limiting support (pure when the support is
        a single action per player); a mixed limit far along the branch is polished to
        the Nash equilibrium on that support (module notes) when that succeeds.
    limit_regret : float
        Regret of ``limit``; above :math:`10^{-9}\\max(1, \\max|U|)` the branch
        did not reach a Nash equilibrium, and :func:`logit_qre_limit` raises.
    max_residual : float
        Largest corrector residual :math:`\\|H\\|_\\infty` over the accepted points.
    """

    lambdas: np.ndarray
    profiles: np.ndarray
    limit: tuple
    limit_regret: float
    max_residual: float

    def __repr__(self) -> str:
        lim = [np.round(s, 6).tolist() for s in self.limit]
        return (f"QREBranch({len(self.lambdas)} points to lambda={self.lambdas[-1]:.3g}, limit={lim}, "
                f"regret={self.limit_regret:.1e}, residual={self.max_residual:.1e})")


def _split(game, z):
    out, k = [], 0
    for n in game.n_actions:
        out.append(z[k:k + n])
        k += n
    return out


def _pair_payoffs(U, sigma, i, j):
    """Matrix u_i(a, b, sigma_{-i,-j}) over player i's a and player j's b."""
    T = U[..., i]
    N = U.ndim - 1
    for k in range(N - 1, -1, -1):
        if k in (i, j):
            continue
        T = np.tensordot(T, sigma[k], axes=([k], [0]))
    return T if i < j else T.T


def _residual_and_jacobian(game: NormalFormGame, z, lam):
    """Residual H (dim,) and Jacobian (dim, dim + 1) with respect to (z, lambda)."""
    U = game.payoffs
    logs = _split(game, z)
    sigma = [np.exp(v) for v in logs]
    values = _action_values(U, sigma)
    dim = z.shape[0]
    H = np.empty(dim)
    J = np.zeros((dim, dim + 1))
    offsets = np.concatenate([[0], np.cumsum(game.n_actions)])
    for i in range(game.n_players):
        o = offsets[i]
        n_i = game.n_actions[i]
        H[o] = sigma[i].sum() - 1.0
        J[o, o:o + n_i] = sigma[i]
        for a in range(1, n_i):
            H[o + a] = logs[i][a] - logs[i][0] - lam * (values[i][a] - values[i][0])
            J[o + a, o + a] = 1.0
            J[o + a, o] = -1.0
            J[o + a, dim] = -(values[i][a] - values[i][0])
        for j in range(game.n_players):
            if j == i:
                continue
            P = _pair_payoffs(U, sigma, i, j)  # (n_i, n_j)
            oj = offsets[j]
            for a in range(1, n_i):
                J[o + a, oj:oj + game.n_actions[j]] -= lam * (P[a] - P[0]) * sigma[j]
    return H, J


def _tangent(J, previous):
    _, _, vt = np.linalg.svd(J)
    t = vt[-1]
    if previous is not None and t @ previous < 0:
        t = -t
    return t


def _orientation(J, tangent):
    """Sign of det [J; t]: constant along a regular branch traversed one way, so a step that
    flips it has jumped onto another branch (or another stretch of this one) [ours]."""
    return np.sign(np.linalg.det(np.vstack([J, tangent])))


def _rounded_limit(game, sigma, threshold=1e-3):
    out = []
    for s in sigma:
        keep = s >= threshold * s.max()
        r = np.where(keep, s, 0.0)
        out.append(r / r.sum())
    return out


def _polish_on_support(game, sigma, iterations: int = 30):
    """Newton on the indifference equations of ``sigma``'s support; None when it does not converge.

    Unknowns: each player's probabilities on the support. Equations: they sum to 1, and
    every support action pays what the player's first support action pays.
    """
    U = game.payoffs
    supports = [np.flatnonzero(s > 0) for s in sigma]
    sizes = [len(S) for S in supports]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    dim = int(offsets[-1])
    sigma = [s.copy() for s in sigma]
    scale = game.scale
    for _ in range(iterations):
        values = _action_values(U, sigma)
        G = np.empty(dim)
        J = np.zeros((dim, dim))
        for i, S in enumerate(supports):
            o = offsets[i]
            G[o] = sigma[i][S].sum() - 1.0
            J[o, o:o + sizes[i]] = 1.0
            G[o + 1:o + sizes[i]] = values[i][S[1:]] - values[i][S[0]]
            for j, T in enumerate(supports):
                if j != i and sizes[i] > 1:
                    P = _pair_payoffs(U, sigma, i, j)
                    J[o + 1:o + sizes[i], offsets[j]:offsets[j] + sizes[j]] = (P[S[1:]] - P[S[0]])[:, T]
        if np.max(np.abs(G)) <= 1e-13 * scale:
            return sigma
        step = np.linalg.lstsq(J, -G, rcond=None)[0]
        if not np.all(np.isfinite(step)):
            return None
        for i, S in enumerate(supports):
            sigma[i][S] += step[offsets[i]:offsets[i + 1]]
    return None


def _polished_limit(game, sigma, limit, regret):
    """``(limit, regret)``, replaced by a Nash equilibrium found by Newton's method on a support of
    the branch profile ``sigma`` within 1e-3 of it.

    The supports tried keep the actions of probability at least 1e-3, 1e-6 and 1e-9 of the
    player's largest: the branch approaches a mixed limit only at rate 1/lambda, and a limit may
    put a small probability on an action (7e-4 in one random game).
    """
    for threshold in (1e-3, 1e-6, 1e-9):
        candidate = _rounded_limit(game, sigma, threshold)
        if all(np.count_nonzero(s) == 1 for s in candidate):
            continue
        polished = _polish_on_support(game, candidate)
        if polished is None or min(float(s.min()) for s in polished) < -1e-12:
            continue
        polished = [np.clip(s, 0.0, None) for s in polished]
        polished = [s / s.sum() for s in polished]
        if max(float(np.max(np.abs(p - s))) for p, s in zip(polished, sigma)) > 1e-3:
            continue
        polished_regret = nash_regret(game, polished)
        if polished_regret < regret:
            limit, regret = polished, polished_regret
        if regret <= 1e-9 * game.scale:
            break
    return limit, regret


def logit_qre_branch(game: NormalFormGame, lambda_max: float = 1e6, tol: float = 1e-10,
                     max_steps: int = 5000) -> QREBranch:
    r"""Trace the principal logit-QRE branch from :math:`\lambda = 0`.

    Pseudo-arclength continuation: Euler predictor along the unit tangent of
    :math:`H(z, \lambda) = 0`, Keller's Newton corrector to
    :math:`\|H\|_\infty \le` ``tol``, step length doubled after easy corrections,
    halved after failures and limited as the module notes describe. Stops at
    ``lambda_max`` or as soon as the profile rounded to its limiting support (actions with probability below
    :math:`10^{-3}` of the player's largest dropped) has regret
    :math:`\le 10^{-9}\max(1, \max|U|)`. A mixed limit far along the branch is
    polished on its support (module notes).

    Parameters
    ----------
    game : NormalFormGame
    lambda_max : float, > 0
        Largest precision (1 / payoff units).
    tol : float, > 0
        Corrector tolerance on the residual.
    max_steps : int, >= 1
        Budget of accepted steps.

    Returns
    -------
    QREBranch

    Raises
    ------
    ConvergenceError
        When the corrector fails even with the smallest step, or the step budget
        runs out; carries the last point on the branch.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.games import NormalFormGame, logit_qre_branch
    >>> # stag hunt: (stag, stag) pays 4 each, hare always pays 3; both are pure equilibria
    >>> game = NormalFormGame.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    >>> branch = logit_qre_branch(game)
    >>> branch.profiles[0].tolist()              # lambda = 0: uniform play
    [0.5, 0.5, 0.5, 0.5]
    >>> np.round(branch.profiles[-1], 3).tolist()  # end of the branch: close to (hare, hare)
    [0.0, 1.0, 0.0, 1.0]
    >>> [s.tolist() for s in branch.limit], branch.limit_regret  # the selected Nash equilibrium
    ([[0.0, 1.0], [0.0, 1.0]], 0.0)
    """
    if not isinstance(game, NormalFormGame):
        raise TypeError(f"game must be a NormalFormGame, got {type(game).__name__}")
    lambda_max = check_positive("lambda_max", lambda_max)
    tol = check_positive("tol", tol)
    max_steps = check_integer("max_steps", max_steps, minimum=1)
    z = np.concatenate([np.full(n, -np.log(n)) for n in game.n_actions])
    lam = 0.0
    w = np.concatenate([z, [lam]])
    dim = z.shape[0]
    scale = game.scale
    H, J = _residual_and_jacobian(game, w[:dim], w[dim])
    tangent = _tangent(J, np.concatenate([np.zeros(dim), [1.0]]))
    orientation = _orientation(J, tangent)
    h = 0.1 / scale
    uniform = np.concatenate([np.full(n, 1.0 / n) for n in game.n_actions])  # exact, unlike exp(-log n)
    lambdas, profiles, max_res = [0.0], [uniform], float(np.max(np.abs(H)))
    for step in range(max_steps):
        # the predicted precision moves by at most a fixed fraction of the current one (plus
        # 1/scale): log-probabilities move like lambda, so a step long on this relative scale can
        # jump over a turning point in lambda onto the branch's own past
        h = min(h, _LAMBDA_STEP * (w[dim] + 1.0 / scale) / max(abs(tangent[dim]), 1e-300))
        accepted = False
        while not accepted:
            trial = w + h * tangent
            ok = False
            for it in range(12):
                with np.errstate(over="ignore", invalid="ignore"):
                    H, J = _residual_and_jacobian(game, trial[:dim], trial[dim])
                res = float(np.max(np.abs(H)))
                if not (np.isfinite(res) and np.all(np.isfinite(J))):
                    break
                if res <= tol:
                    ok = True
                    break
                # Keller's corrector: Newton on H = 0 within the hyperplane through the
                # predicted point orthogonal to the tangent
                A = np.vstack([J, tangent])
                try:
                    delta = np.linalg.solve(A, -np.concatenate([H, [0.0]]))
                except np.linalg.LinAlgError:
                    break
                if it == 0 and np.linalg.norm(delta) > _MAX_CORRECTION * h:
                    break  # the predictor strayed too far from the branch: shorter step
                trial = trial + delta
                if not np.all(np.isfinite(trial)):
                    break
            if (ok and trial[dim] >= -1e-12
                    and np.linalg.norm(trial - w - h * tangent) <= _MAX_CORRECTION * h):
                # stay on this branch: land near the predicted point, and turn by less than
                # about 25 degrees per step (a longer step may land on the branch's own past)
                new_tangent = _tangent(J, tangent)
                accepted = (new_tangent @ tangent >= _MIN_TANGENT_COS
                            and _orientation(J, new_tangent) == orientation)
            if accepted:
                tangent = new_tangent
            else:
                h *= 0.5
                if h < 1e-12:
                    raise ConvergenceError(
                        f"logit QRE corrector failed at lambda={w[dim]:.6g} (residual {res:.3e} > {tol:g})",
                        last_iterate=_split(game, np.exp(w[:dim])), iterations=step,
                    )
        w = trial
        max_res = max(max_res, res)
        lambdas.append(float(w[dim]))
        profiles.append(np.exp(w[:dim]))
        h = min(h * (2.0 if it <= 3 else 1.0), 1e3 + abs(w[dim]))
        sigma = _split(game, np.exp(w[:dim]))
        limit = _rounded_limit(game, sigma)
        regret = nash_regret(game, limit)
        if regret > 1e-9 * scale and (w[dim] >= lambda_max or w[dim] * scale >= 1e5):
            limit, regret = _polished_limit(game, sigma, limit, regret)
        if regret <= 1e-9 * scale or w[dim] >= lambda_max:
            return QREBranch(np.array(lambdas), np.array(profiles), tuple(limit), regret, max_res)
    raise ConvergenceError(
        f"logit QRE branch did not reach lambda_max={lambda_max:g} or a Nash limit in {max_steps} steps",
        last_iterate=_split(game, np.exp(w[:dim])), iterations=max_steps,
    )


def logit_qre_limit(game: NormalFormGame, **kwargs) -> tuple:
    """Limit of the principal logit-QRE branch (see :func:`logit_qre_branch`); a tuple of mixed strategies.

    Raises :class:`~efttheory.errors.ConvergenceError` when the branch ends at ``lambda_max``
    on a profile that is not a Nash equilibrium (regret above
    :math:`10^{-9}\\max(1, \\max|U|)`), rather than returning it.

    Parameters
    ----------
    game : NormalFormGame
    **kwargs
        Keyword arguments go to :func:`logit_qre_branch`: ``lambda_max`` (> 0), ``tol`` (> 0)
        and ``max_steps`` (an integer >= 1).

    Returns
    -------
    tuple of numpy.ndarray
        One mixed strategy per player (shape ``(n_i,)``), a Nash equilibrium with regret
        :math:`\\le 10^{-9}\\max(1, \\max|U|)`.

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`NormalFormGame`, a keyword is not a parameter of
        :func:`logit_qre_branch`, or ``lambda_max`` or ``tol`` is not a real number or
        ``max_steps`` not an integer.
    ValueError
        If ``lambda_max`` or ``tol`` is not finite and > 0, or ``max_steps < 1``.
    ConvergenceError
        When the branch ends on a profile that is not a Nash equilibrium (above), or
        :func:`logit_qre_branch` fails: its corrector fails or its step budget runs out.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.games import NormalFormGame, logit_qre_limit
    >>> # asymmetric matching pennies: the row player wins 9 on (0, 0) and 1 on (1, 1), the column
    >>> # player wins on a mismatch; in the unique equilibrium each mix makes the other indifferent
    >>> game = NormalFormGame.from_bimatrix([[9, 0], [0, 1]], [[0, 1], [1, 0]])
    >>> [np.round(s, 4).tolist() for s in logit_qre_limit(game)]
    [[0.5, 0.5], [0.1, 0.9]]
    """
    branch = logit_qre_branch(game, **kwargs)
    if branch.limit_regret > 1e-9 * game.scale:
        raise ConvergenceError(
            f"the logit QRE branch ended at lambda={branch.lambdas[-1]:.3g} on a profile with regret "
            f"{branch.limit_regret:.3e} > {1e-9 * game.scale:.1e}: not a Nash equilibrium (raise lambda_max)",
            last_iterate=branch.limit, iterations=len(branch.lambdas) - 1,
        )
    return branch.limit
