r"""Integer linear regression on lattice coordinates (the MIPS "LR" branch).

On the rounded lattice coordinates :math:`z_t` a linear recurrence with integer
coefficients is fitted by least squares and rounded [authors' code,
``regression/linear_regression.ipynb``]:

.. math::

    z_t = M z_{t-1} + K x_t + c,\qquad y_t = R z_t + d .

The authors handled one input column; we take any number :math:`D` (one column of
:math:`K` per input) and accept the rounded fit only if it reproduces *every* training row
exactly [ours]. The initial state :math:`z_0` is the lattice coordinate of :math:`h_0 = 0`
up to rounding; the candidates come from
:func:`efttheory.synthesis.lattice.initial_state_candidates` and the caller picks the one
that reproduces whole sequences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from efttheory._arguments import as_integer_array, as_tuple

__all__ = ["LinearProgram", "integer_linear_regression"]


@dataclass(frozen=True)
class LinearProgram:
    r"""An integer linear recurrence :math:`z_t = M z_{t-1} + K x_t + c`, :math:`y_t = R z_t + d`.

    Attributes
    ----------
    M : ndarray of int64, shape (H, H)
    K : ndarray of int64, shape (H, D)
    c : ndarray of int64, shape (H,)
    R : ndarray of int64, shape (O, H)
    d : ndarray of int64, shape (O,)
    z0 : ndarray of int64, shape (H,)
        Initial state.
    """

    M: np.ndarray
    K: np.ndarray
    c: np.ndarray
    R: np.ndarray
    d: np.ndarray
    z0: np.ndarray

    def __repr__(self) -> str:
        return (
            f"LinearProgram(H={self.M.shape[0]}, D={self.K.shape[1]}, O={self.R.shape[0]}, "
            f"M={self.M.tolist()}, K={self.K.tolist()}, c={self.c.tolist()}, R={self.R.tolist()}, "
            f"d={self.d.tolist()}, z0={self.z0.tolist()})"
        )


def _int_matrix(name, value, n=None):
    arr = as_integer_array(name, value, ndim=(1, 2))
    if arr.ndim == 1:
        arr = arr[:, None]
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} must have {n} rows, got shape {arr.shape}")
    return arr


def _integer_matmul(a, b):
    # exact; Python integers when an int64 product or sum could overflow
    bound = float(np.abs(a).max(initial=0)) * float(np.abs(b).max(initial=0)) * a.shape[1]
    if bound < 2.0**62:
        return a @ b
    return a.astype(object) @ b.astype(object)


def _centred(values):
    # columns minus their means, as floats; first shifted by the first row in exact int64
    # arithmetic (when no difference can overflow), so large offsets cost no digits
    spread = values.max(axis=0).astype(float) - values.min(axis=0)
    if np.all(spread < 2.0**62):
        values = values - values[0]
    return values - values.mean(axis=0)


def _rounded_fit(design, target):
    """Integer ``coef`` (last row the constant) with ``design @ coef[:-1] + coef[-1] == target``.

    The slopes are least squares on centred columns, rounded; the constant is then the exact
    integer residual, which must be the same on every row (else ``None``). Centring is the
    constant column taken first; columns dependent on those kept before them (a constant or
    repeated coordinate) get slope 0, so a rank-deficient design still has an integer
    solution. Centring and scaling each column to unit peak keep a large common offset in a
    coordinate (even above 2**53) from swamping the rank test and the slopes [ours].
    """
    p = design.shape[1]
    centred = _centred(design)
    scale = np.abs(centred).max(axis=0, initial=0)
    scaled = centred / np.where(scale > 0, scale, 1.0)
    keep = []
    for j in range(p):
        if scale[j] > 0 and np.linalg.matrix_rank(scaled[:, keep + [j]]) == len(keep) + 1:
            keep.append(j)
    slopes = np.zeros((p, target.shape[1]))
    if keep:
        sol, *_ = np.linalg.lstsq(scaled[:, keep], _centred(target), rcond=None)
        slopes[keep] = np.round(sol / scale[keep, None])
    if not np.all(np.abs(slopes) < 2.0**62):
        return None
    slopes = slopes.astype(np.int64)
    residual = target.astype(object) - _integer_matmul(design, slopes)
    if np.any(residual != residual[0]) or np.any(np.abs(residual[0]) >= 2**63):
        return None
    return np.vstack([slopes, residual[:1].astype(np.int64)])


def integer_linear_regression(Z_prev, x, Z, y, *, z0_candidates) -> LinearProgram | None:
    r"""Fit :math:`z_t = M z_{t-1} + K x_t + c` and :math:`y_t = R z_t + d` with integer coefficients.

    Least squares, then rounding; the fit is accepted only if every row is reproduced
    exactly [ours; authors' code rounds without this check].

    Parameters
    ----------
    Z_prev : array_like of int, shape (N, H)
        Rounded lattice coordinates at step :math:`T-1`.
    x : array_like of int, shape (N,) or (N, D)
        Inputs at step :math:`T`.
    Z : array_like of int, shape (N, H)
        Rounded coordinates at step :math:`T`.
    y : array_like of int, shape (N,) or (N, O)
        Targets at step :math:`T`.
    z0_candidates : sequence of array_like of int, each shape (H,)
        Initial-state candidates; the first becomes ``z0`` (the caller may try the others
        with :func:`dataclasses.replace`).

    Returns
    -------
    LinearProgram or None
        ``None`` when the rounded coefficients do not reproduce every row (checked in exact
        integer arithmetic).

    Raises
    ------
    ValueError
        If an array is not integral, not finite, outside the int64 range or of the wrong
        shape, if there are no rows, or if ``z0_candidates`` is empty or of the wrong shape.

    Examples
    --------
    A running sum :math:`h_t = h_{t-1} + x_t` read out as :math:`y_t = h_t`:

    >>> import numpy as np
    >>> from efttheory.synthesis import integer_linear_regression
    >>> x = np.random.default_rng(0).integers(0, 10, size=(50, 6))  # 50 digit sequences
    >>> h = np.cumsum(x, axis=1)                                     # states h_1 .. h_6
    >>> integer_linear_regression(h[:, -2], x[:, -1], h[:, -1], h[:, -1], z0_candidates=[[0]])
    LinearProgram(H=1, D=1, O=1, M=[[1]], K=[[1]], c=[0], R=[[1]], d=[0], z0=[0])
    """
    Z_prev = _int_matrix("Z_prev", Z_prev)
    N, H = Z_prev.shape
    if N == 0:
        raise ValueError("Z_prev must hold at least one row (one sequence), got 0")
    x = _int_matrix("x", x, N)
    Z = _int_matrix("Z", Z, N)
    y = _int_matrix("y", y, N)
    if Z.shape[1] != H:
        raise ValueError(f"Z must have H={H} columns like Z_prev, got shape {Z.shape}")
    z0_candidates = as_tuple("z0_candidates", z0_candidates, f"initial states (vectors of H={H} integers)")
    cands = [
        _int_matrix(f"z0_candidates[{i}]", np.reshape(np.asarray(c), (1, -1)))[0] for i, c in enumerate(z0_candidates)
    ]
    if not cands:
        raise ValueError("z0_candidates must hold at least one candidate, got none")
    for i, c in enumerate(cands):
        if c.shape != (H,):
            raise ValueError(f"z0_candidates[{i}] must have shape ({H},), got {c.shape}")
    state = _rounded_fit(np.concatenate([Z_prev, x], axis=1), Z)
    if state is None:
        return None
    out = _rounded_fit(Z, y)
    if out is None:
        return None
    D = x.shape[1]
    return LinearProgram(
        M=state[:H].T.copy(),
        K=state[H : H + D].T.copy(),
        c=state[H + D].copy(),
        R=out[:H].T.copy(),
        d=out[H].copy(),
        z0=cands[0].astype(np.int64),
    )
