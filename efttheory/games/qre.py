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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from efttheory._arguments import check_positive
from efttheory.errors import ConvergenceError
from efttheory.games.normal_form import NormalFormGame, _action_values, nash_regret

__all__ = ["QREBranch", "logit_qre_branch", "logit_qre_limit"]


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
        a single action per player), else the last profile.
    limit_regret : float
        Regret of ``limit``.
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


def _rounded_limit(game, sigma, threshold=1e-3):
    out = []
    for s in sigma:
        keep = s >= threshold * s.max()
        r = np.where(keep, s, 0.0)
        out.append(r / r.sum())
    return out


def logit_qre_branch(game: NormalFormGame, lambda_max: float = 1e6, tol: float = 1e-10,
                     max_steps: int = 5000) -> QREBranch:
    r"""Trace the principal logit-QRE branch from :math:`\lambda = 0`.

    Pseudo-arclength continuation: Euler predictor along the unit tangent of
    :math:`H(z, \lambda) = 0`, Newton corrector (minimum-norm steps) to
    :math:`\|H\|_\infty \le` ``tol``, step length doubled after easy corrections
    and halved after failures. Stops at ``lambda_max`` or as soon as the profile
    rounded to its limiting support (actions with probability below
    :math:`10^{-3}` of the player's largest dropped) has regret
    :math:`\le 10^{-9}\max(1, \max|U|)`.

    Parameters
    ----------
    game : NormalFormGame
    lambda_max : float, > 0
        Largest precision (1 / payoff units).
    tol : float, > 0
        Corrector tolerance on the residual.
    max_steps : int
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
    >>> np.round(branch.profiles[-1], 4).tolist()  # end of the branch: close to (hare, hare)
    [0.0, 1.0, 0.0, 1.0]
    >>> [s.tolist() for s in branch.limit], branch.limit_regret  # the selected Nash equilibrium
    ([[0.0, 1.0], [0.0, 1.0]], 0.0)
    """
    if not isinstance(game, NormalFormGame):
        raise TypeError(f"game must be a NormalFormGame, got {type(game).__name__}")
    lambda_max = check_positive("lambda_max", lambda_max)
    tol = check_positive("tol", tol)
    z = np.concatenate([np.full(n, -np.log(n)) for n in game.n_actions])
    lam = 0.0
    w = np.concatenate([z, [lam]])
    dim = z.shape[0]
    scale = game.scale
    H, J = _residual_and_jacobian(game, w[:dim], w[dim])
    tangent = _tangent(J, np.concatenate([np.zeros(dim), [1.0]]))
    h = 0.1 / scale
    lambdas, profiles, max_res = [0.0], [np.exp(w[:dim])], float(np.max(np.abs(H)))
    for step in range(max_steps):
        accepted = False
        while not accepted:
            trial = w + h * tangent
            ok = False
            for it in range(12):
                H, J = _residual_and_jacobian(game, trial[:dim], trial[dim])
                res = float(np.max(np.abs(H)))
                if res <= tol:
                    ok = True
                    break
                delta = np.linalg.lstsq(J, -H, rcond=None)[0]
                trial = trial + delta
                if not np.all(np.isfinite(trial)):
                    break
            if ok and trial[dim] >= -1e-12:
                accepted = True
            else:
                h *= 0.5
                if h < 1e-12:
                    raise ConvergenceError(
                        f"logit QRE corrector failed at lambda={w[dim]:.6g} (residual {res:.3e} > {tol:g})",
                        last_iterate=_split(game, np.exp(w[:dim])), iterations=step,
                    )
        w = trial
        tangent = _tangent(J, tangent)
        max_res = max(max_res, res)
        lambdas.append(float(w[dim]))
        profiles.append(np.exp(w[:dim]))
        h = min(h * (2.0 if it <= 3 else 1.0), 1e3 + abs(w[dim]))
        sigma = _split(game, np.exp(w[:dim]))
        limit = _rounded_limit(game, sigma)
        regret = nash_regret(game, limit)
        if regret <= 1e-9 * scale or w[dim] >= lambda_max:
            return QREBranch(np.array(lambdas), np.array(profiles), tuple(limit), regret, max_res)
    raise ConvergenceError(
        f"logit QRE branch did not reach lambda_max={lambda_max:g} or a Nash limit in {max_steps} steps",
        last_iterate=_split(game, np.exp(w[:dim])), iterations=max_steps,
    )


def logit_qre_limit(game: NormalFormGame, **kwargs) -> tuple:
    """Limit of the principal logit-QRE branch (see :func:`logit_qre_branch`); a tuple of mixed strategies.

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
    return logit_qre_branch(game, **kwargs).limit
