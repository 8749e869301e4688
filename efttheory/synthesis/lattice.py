r"""Integer lattice autoencoders: hidden states as integer coordinates on an affine lattice.

MIPS (Michaud et al., arXiv:2402.05110) assumes that the hidden states of a trained RNN
lie near an affine lattice [authors' code, branch ``KindXiaoming-patch-1``,
``regression/integer_autoencoder.py``]:

.. math:: h = Z A + b,\qquad Z \in \mathbb Z^{N\times H},

with the basis vectors as the rows of :math:`A` (:math:`H\times H`) and an offset
:math:`b`. Only the last two steps are used: :math:`h_T`, :math:`h_{T-1}`, :math:`x_T`.

* **Linear ("LinRNN") autoencoder** [authors' code]: least squares
  :math:`h_T \approx W_h h_{T-1} + W_x x_T + c`, Krylov vectors :math:`W_h^k W_x e_j`
  as candidate basis vectors, size reduction, offset at the state with the smallest
  coordinate sum, shift to :math:`\min Z = 0`, mean-residual correction. The original
  generated only 10 Krylov vectors and failed for :math:`H > 10` [third party]; we generate
  ``max(10, H)`` per input column and pick the largest independent ones [ours].
* **GCD autoencoder** (:math:`H < 4`) [authors' code]: a real-valued Euclid algorithm on
  simplex volumes finds the coarsest lattice containing sampled points. Our version runs
  Euclid per basis slot on the volume ratios (the coordinates), and on failure drops the
  point with the largest non-integer residual and retries [ours].
* **Description length** [authors' code]:

  .. math::

      \mathrm{DL} = \overline{\log_2(1 + |\mathrm{round}\,Z|)}
        + \overline{\log_2\!\Big(1 + \frac{|h - (\mathrm{round}(Z) A + b)|}{\varepsilon}\Big)}.

* **Basis reduction**: the authors' pairwise size reduction (``normalize_basis``) and,
  as an optional upgrade, LLL [ours].
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np

from efttheory._arguments import (
    as_finite_array,
    as_generator,
    as_integer_array,
    check_choice,
    check_finite_scalar,
    check_in_interval,
    check_integer,
    check_positive,
)
from efttheory.errors import ConvergenceError
from efttheory.synthesis import _lattice_kernels

__all__ = [
    "Lattice",
    "LatticeRelations",
    "best_lattice",
    "description_length",
    "gcd_autoencode",
    "initial_state_candidates",
    "lattice_relations",
    "linear_rnn_autoencode",
    "lll_reduce",
    "size_reduce",
]

GCD_GRID = tuple(float(v) for v in np.logspace(-3, 0, 10))


@dataclass(frozen=True)
class Lattice:
    r"""An affine integer lattice fitted to hidden states, :math:`h \approx Z A + b`.

    Attributes
    ----------
    basis : ndarray, shape (H, H)
        Rows are the basis vectors :math:`A`.
    offset : ndarray, shape (H,)
        :math:`b`.
    Z : ndarray, shape (N, H)
        Real-valued coordinates :math:`(h_T - b) A^{-1}` of the last states.
    Z_prev : ndarray, shape (N, H)
        Coordinates of the states one step earlier.
    method : {"linear", "gcd"}
    description_length : float
        DL of the states under this lattice (bits per entry).
    max_rounding_error : float
        :math:`\max |Z - \mathrm{round}\, Z|` over both steps (0.5 means no lattice).
    """

    basis: np.ndarray
    offset: np.ndarray
    Z: np.ndarray
    Z_prev: np.ndarray
    method: Literal["linear", "gcd"]
    description_length: float
    max_rounding_error: float

    def __post_init__(self):
        # a NaN here used to flow into description_length (NaN) and int64 casts (-2**63)
        basis = _square_basis("basis", self.basis, full_rank=False)
        H = basis.shape[0]
        object.__setattr__(self, "basis", basis)
        object.__setattr__(self, "offset", as_finite_array("offset", self.offset, shape=(H,)))
        object.__setattr__(self, "Z", as_finite_array("Z", self.Z, ndim=2, shape=(None, H)))
        object.__setattr__(self, "Z_prev", as_finite_array("Z_prev", self.Z_prev, ndim=2, shape=(None, H)))
        check_choice("method", self.method, ("linear", "gcd"))
        for name in ("description_length", "max_rounding_error"):
            object.__setattr__(self, name, check_finite_scalar(name, getattr(self, name)))

    @property
    def dim(self) -> int:
        """Lattice dimension :math:`H`."""
        return int(self.basis.shape[0])

    def __repr__(self) -> str:
        return (
            f"Lattice({self.method}, H={self.dim}, N={self.Z.shape[0]}, DL={self.description_length:.3f}, "
            f"max|Z-round Z|={self.max_rounding_error:.3g})"
        )


@dataclass(frozen=True)
class LatticeRelations:
    r"""Integer relation tables read off a lattice [authors' code].

    Attributes
    ----------
    state : tuple of ndarray
        One table per coordinate :math:`i`, rows
        :math:`(\mathrm{round}\,Z_{T-1},\ x_T,\ \mathrm{round}\,Z_T[i])`, shape
        ``(n_i, H + D + 1)``, int64, distinct rows in order of first appearance.
    output : ndarray
        Rows :math:`(\mathrm{round}\,Z_T,\ y_T)`, shape ``(n, H + O)``, int64.
    """

    state: tuple
    output: np.ndarray

    def __repr__(self) -> str:
        rows = [len(s) for s in self.state]
        return f"LatticeRelations(H={len(self.state)}, state rows={rows}, output rows={len(self.output)})"


# --------------------------------------------------------------------------------------------
# basis reduction
# --------------------------------------------------------------------------------------------


def _square_basis(name, A, *, full_rank: bool = True):
    A = as_finite_array(name, A, ndim=2, min_size=1)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"{name} must be square (rows are basis vectors), got shape {A.shape}")
    if full_rank:
        s = np.linalg.svd(A, compute_uv=False)
        if s[-1] <= 1e-12 * s[0]:
            raise ValueError(f"{name} must be a basis (full rank), got singular values {s}")
    return A


def _binary_exponent(A) -> int:
    """``e`` such that ``A * 2**-e`` has its largest entry in [1, 2) when squares of ``A`` could
    over- or underflow, else 0. Scaling by a power of two is exact, and both reductions are
    invariant under scaling the basis."""
    top = float(np.abs(A).max())
    if 2.0**-400 <= top <= 2.0**400:
        return 0
    return int(np.frexp(top)[1]) - 1


def size_reduce(A, sweeps: int = 10) -> np.ndarray:
    r"""Pairwise size reduction of the basis rows (the authors' ``normalize_basis``).

    .. math::

        a_j \leftarrow a_j - \mathrm{round}\!\left(\frac{\langle a_j, a_i\rangle}{|a_i|^2}\right) a_i,
        \quad j \ne i,

    for at most ``sweeps`` passes, then each row is flipped to a non-negative coordinate
    sum [authors' code]. The result is :math:`U A` with :math:`U` unimodular.

    Parameters
    ----------
    A : array_like, shape (H, H)
        Finite, full rank; any magnitude (the basis is scaled by a power of two inside).
    sweeps : int

    Examples
    --------
    A skewed basis of :math:`\mathbb Z^2` reduces to the unit vectors; the volume is kept:

    >>> import numpy as np
    >>> from efttheory.synthesis import size_reduce
    >>> A = np.array([[2.0, 1.0], [5.0, 3.0]])                 # det 1: another basis of Z^2
    >>> B = size_reduce(A)
    >>> (B + 0.0).tolist(), [round(abs(float(np.linalg.det(M))), 6) for M in (A, B)]
    ([[0.0, 1.0], [1.0, 0.0]], [1.0, 1.0])
    """
    A = _square_basis("A", A)
    sweeps = check_integer("sweeps", sweeps, minimum=1)
    e = _binary_exponent(A)
    return np.ldexp(_lattice_kernels.size_reduce_kernel(np.ldexp(A, -e), sweeps), e)


def lll_reduce(A, delta: float = 0.75) -> np.ndarray:
    r"""Lenstra--Lenstra--Lovász reduction of the basis rows [ours; textbook LLL].

    After reduction the Gram--Schmidt coefficients satisfy :math:`|\mu_{ij}| \le 1/2` and
    the Lovász condition :math:`|a^*_k|^2 \ge (\delta - \mu_{k,k-1}^2)|a^*_{k-1}|^2` holds;
    rows are then flipped to a non-negative coordinate sum (keeps both conditions).

    Parameters
    ----------
    A : array_like, shape (H, H)
        Finite, full rank; any magnitude (the basis is scaled by a power of two inside).
    delta : float in (0.25, 1]

    Raises
    ------
    ConvergenceError
        If the iteration budget is exhausted.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.synthesis import lll_reduce
    >>> A = np.array([[1.0, 1.0, 1.0], [-1.0, 0.0, 2.0], [3.0, 5.0, 6.0]])  # a standard LLL example
    >>> B = lll_reduce(A)
    >>> B.tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [-1.0, 0.0, 2.0]]
    >>> [round(abs(float(np.linalg.det(M))), 6) for M in (A, B)]  # same lattice, same volume
    [3.0, 3.0]
    """
    A = _square_basis("A", A)
    delta = check_in_interval("delta", delta, 0.25, 1.0, closed=(False, True))
    e = _binary_exponent(A)
    B, it = _lattice_kernels.lll_kernel(np.ldexp(A, -e), delta, 10_000)
    B = np.ldexp(B, e)
    if it < 0:
        raise ConvergenceError("LLL did not terminate within 10000 iterations", last_iterate=B, iterations=10_000)
    sign = np.where(B.sum(axis=1) < 0, -1.0, 1.0)
    return B * sign[:, None]


def _reduce(A, basis_reduction):
    return size_reduce(A) if basis_reduction == "size" else lll_reduce(A)


# --------------------------------------------------------------------------------------------
# autoencoders
# --------------------------------------------------------------------------------------------


def _states(h_T, h_prev):
    h_T = as_finite_array("h_T", h_T, ndim=2, min_size=1)
    h_prev = as_finite_array("h_prev", h_prev, ndim=2, min_size=1)
    if h_prev.shape != h_T.shape:
        raise ValueError(f"h_prev must have the shape of h_T {h_T.shape}, got {h_prev.shape}")
    return h_T, h_prev


def _inputs(x_T, n):
    x_T = as_finite_array("x_T", x_T, ndim=(1, 2))
    if x_T.ndim == 1:
        x_T = x_T[:, None]
    if x_T.shape[0] != n:
        raise ValueError(f"x_T must have one row per state ({n}), got shape {x_T.shape}")
    return x_T


def _coordinates(h, A, b):
    return np.linalg.solve(A.T, (h - b).T).T


def _finish(A, h_T, h_prev, method):
    """Offset, shift and mean-residual steps 4-6 of the authors' linear autoencoder."""
    P = np.concatenate([h_T, h_prev])
    b = P[int(np.argmin(P.sum(axis=1)))].copy()
    Z = _coordinates(P, A, b)
    shift = np.min(np.round(Z), axis=0)
    b = b + shift @ A
    Z = _coordinates(P, A, b)
    resid = np.round(Z) @ A + b - P
    b = b - resid.mean(axis=0)
    n = h_T.shape[0]
    Z = _coordinates(P, A, b)
    # [ours] least-squares refinement of (A, b) on the rounded coordinates, growing the set
    # from small to all coordinates (rounding stays right near the corner even when the
    # basis is a few per cent off); kept only if it lowers the rounding error
    A_ref, b_ref, Z_ref = A, b, Z
    for limit in (1, 2, 4, 8, np.inf, np.inf):
        R = np.round(Z_ref)
        mask = np.max(np.abs(R), axis=1) <= limit
        design = np.concatenate([R[mask], np.ones((int(mask.sum()), 1))], axis=1)
        if design.shape[0] <= design.shape[1] or np.linalg.matrix_rank(design) < design.shape[1]:
            continue
        coef, *_ = np.linalg.lstsq(design, P[mask], rcond=None)
        A_new, b_new = coef[:-1], coef[-1]
        if np.linalg.svd(A_new, compute_uv=False)[-1] <= 1e-9 * np.abs(A_new).max():
            break
        A_ref, b_ref, Z_ref = A_new, b_new, _coordinates(P, A_new, b_new)
    if np.max(np.abs(Z_ref - np.round(Z_ref))) < np.max(np.abs(Z - np.round(Z))):
        A, b, Z = A_ref, b_ref, Z_ref
    lat = Lattice(A, b, Z[:n], Z[n:], method, 0.0, float(np.max(np.abs(Z - np.round(Z)))))
    dl = _description_length(P, lat, 1e-2)
    return Lattice(A, b, Z[:n], Z[n:], method, dl, lat.max_rounding_error)


def linear_rnn_autoencode(h_T, h_prev, x_T, n_krylov: int | None = None, *, basis_reduction: str = "size") -> Lattice:
    r"""Lattice from the Krylov vectors of a least-squares linear model of the transition.

    .. math::

        h_T \approx W_h h_{T-1} + W_x x_T + c,\qquad
        \text{candidates } W_h^k W_x e_j,\ k = 0, \dots, K-1,

    the :math:`H` largest linearly independent candidates are the basis rows, followed by
    basis reduction and the offset steps [authors' code]. :math:`K` = ``n_krylov``, default
    ``max(10, H)``, and every input column is used — the original stopped at 10 vectors of
    the first column (IndexError for :math:`H > 10`) [ours].

    Parameters
    ----------
    h_T, h_prev : array_like, shape (N, H)
        Hidden states at the last and the second-to-last step.
    x_T : array_like, shape (N,) or (N, D)
        Inputs at the last step.
    n_krylov : int, optional
    basis_reduction : {"size", "lll"}

    Raises
    ------
    ValueError
        If the candidates span fewer than :math:`H` dimensions.

    Examples
    --------
    States of a shift register :math:`z = (x_T, x_{T-1})` written in a skewed basis with an
    offset; the autoencoder finds the lattice and the coordinates are the digits again:

    >>> import numpy as np
    >>> from efttheory.synthesis import linear_rnn_autoencode
    >>> x = np.random.default_rng(0).integers(0, 5, size=(200, 3))   # 200 digit sequences
    >>> A, b = np.array([[1.3, 0.4], [-0.2, 0.9]]), np.array([0.5, -1.0])
    >>> h_T, h_prev = x[:, [2, 1]] @ A + b, x[:, [1, 0]] @ A + b     # shift register, h = Z A + b
    >>> lat = linear_rnn_autoencode(h_T, h_prev, x[:, 2])
    >>> lat.method, round(lat.max_rounding_error, 6), round(abs(float(np.linalg.det(lat.basis))), 6)
    ('linear', 0.0, 1.25)
    >>> np.round(lat.Z[:3]).astype(int).tolist(), x[:3, [2, 1]].tolist()
    ([[2, 3], [0, 1], [0, 0]], [[2, 3], [0, 1], [0, 0]])
    """
    h_T, h_prev = _states(h_T, h_prev)
    N, H = h_T.shape
    x_T = _inputs(x_T, N)
    check_choice("basis_reduction", basis_reduction, ("size", "lll"))
    K = max(10, H) if n_krylov is None else check_integer("n_krylov", n_krylov, minimum=1)
    design = np.concatenate([h_prev, x_T, np.ones((N, 1))], axis=1)
    coef, *_ = np.linalg.lstsq(design, h_T, rcond=None)
    Wh = coef[:H].T
    Wx = coef[H : H + x_T.shape[1]].T
    cands = []
    for j in range(Wx.shape[1]):
        v = Wx[:, j].copy()
        for _ in range(K):
            cands.append(v.copy())
            v = Wh @ v
    cands.sort(key=lambda v: -np.linalg.norm(v))
    scale = np.linalg.norm(cands[0]) if cands else 0.0
    if scale == 0.0:
        raise ValueError("linear autoencoder: the fitted input map W_x is zero, no Krylov basis")
    chosen = []
    for v in cands:
        trial = np.array(chosen + [v])
        s = np.linalg.svd(trial, compute_uv=False)
        if s[-1] > 1e-6 * scale:
            chosen.append(v)
        if len(chosen) == H:
            break
    if len(chosen) < H:
        raise ValueError(f"linear autoencoder: Krylov vectors span only {len(chosen)} of H={H} dimensions")
    A = _reduce(np.array(chosen), basis_reduction)
    return _finish(A, h_T, h_prev, "linear")


def _euclid(u, a, w, b, thres, floor):
    """Real Euclid on coordinates (a, b) with the same integer operations on vectors (u, w)."""
    for _ in range(64):
        if abs(b) <= thres * abs(a):
            return u, a
        q = np.round(a / b)
        u, a, w, b = w, b, u - q * w, a - q * b
        if abs(a) < floor:
            return None
    return None


def _gcd_basis(V, H, thres, max_rounds):
    norms = np.linalg.norm(V, axis=1)
    order = np.argsort(norms)
    scale = norms[order[-1]]
    chosen = []
    for i in order:
        trial = np.array(chosen + [V[i]])
        if np.linalg.svd(trial, compute_uv=False)[-1] > 1e-3 * scale:
            chosen.append(V[i])
        if len(chosen) == H:
            break
    if len(chosen) < H:
        return None
    B = np.array(chosen)
    for _ in range(max_rounds):
        C = np.linalg.solve(B.T, V.T).T
        if np.max(np.abs(C - np.round(C))) <= thres:
            return B
        for j in range(H):
            C = np.linalg.solve(B.T, V.T).T
            for i in np.argsort(-np.abs(C[:, j] - np.round(C[:, j]))):
                c = np.linalg.solve(B.T, V[i])
                if abs(c[j] - np.round(c[j])) <= thres:
                    continue
                res = _euclid(B[j], 1.0, V[i], c[j], thres, 1e-4)
                if res is None:
                    return None
                B = B.copy()
                B[j] = res[0]
    C = np.linalg.solve(B.T, V.T).T
    return B if np.max(np.abs(C - np.round(C))) <= thres else None


def gcd_autoencode(
    h_T,
    h_prev,
    *,
    fraction: float,
    thres: float,
    n_points: int = 32,
    rng,
    basis_reduction: str = "size",
) -> Lattice:
    r"""Coarsest lattice through sampled states by a real-valued Euclid algorithm (:math:`H < 4`).

    Points inside the central ``fraction`` quantile band of every coordinate are kept and
    ``n_points`` are sampled; differences to the sample with the smallest coordinate sum
    generate the lattice. For each basis slot :math:`j` Euclid's algorithm runs on the
    volume ratios :math:`\det[v; a_{k\ne j}]/\det A` (the :math:`j`-th coordinates),
    applying the same integer operations to the vectors, until every ratio is within
    ``thres`` of an integer [authors' code; per-slot form ours]. When that fails the point
    with the largest non-integer residual is dropped and the search retried, at most
    ``max(1, n_points // 4)`` times [ours]. Basis reduction and the offset steps follow.

    Parameters
    ----------
    h_T, h_prev : array_like, shape (N, H)
    fraction : float in (0, 1]
    thres : float in (0, 1]
    n_points : int
    rng : numpy.random.Generator or int
    basis_reduction : {"size", "lll"}

    Raises
    ------
    ValueError
        If :math:`H \ge 4`, too few points remain, or no consistent lattice is found.

    Examples
    --------
    The same lattice as in :func:`linear_rnn_autoencode`, found from the states alone:

    >>> import numpy as np
    >>> from efttheory.synthesis import gcd_autoencode
    >>> x = np.random.default_rng(0).integers(0, 5, size=(200, 3))   # 200 digit sequences
    >>> A, b = np.array([[1.3, 0.4], [-0.2, 0.9]]), np.array([0.5, -1.0])
    >>> h_T, h_prev = x[:, [2, 1]] @ A + b, x[:, [1, 0]] @ A + b     # shift register, h = Z A + b
    >>> lat = gcd_autoencode(h_T, h_prev, fraction=1.0, thres=0.01, rng=0)
    >>> lat.method, round(lat.max_rounding_error, 6)
    ('gcd', 0.0)
    >>> U = np.linalg.solve(A.T, lat.basis.T).T  # basis = U A: the same lattice iff U is unimodular
    >>> bool(np.allclose(U, np.round(U), atol=1e-9)), round(float(abs(np.linalg.det(U))), 6)
    (True, 1.0)
    """
    h_T, h_prev = _states(h_T, h_prev)
    N, H = h_T.shape
    if H >= 4:
        raise ValueError(f"gcd_autoencode needs H < 4, got H={H}")
    fraction = check_in_interval("fraction", fraction, 0.0, 1.0, closed=(False, True))
    thres = check_in_interval("thres", thres, 0.0, 1.0, closed=(False, True))
    n_points = check_integer("n_points", n_points, minimum=H + 1)
    rng = as_generator("rng", rng)
    check_choice("basis_reduction", basis_reduction, ("size", "lll"))
    P = np.concatenate([h_T, h_prev])
    lo = np.quantile(P, 0.5 - fraction / 2, axis=0)
    hi = np.quantile(P, 0.5 + fraction / 2, axis=0)
    keep = P[np.all((P >= lo) & (P <= hi), axis=1)]
    if keep.shape[0] < H + 1:
        raise ValueError(f"gcd_autoencode: only {keep.shape[0]} points in the central {fraction:.3g} band")
    sample = keep[rng.choice(keep.shape[0], size=min(n_points, keep.shape[0]), replace=False)]
    b0 = sample[int(np.argmin(sample.sum(axis=1)))]
    V = sample - b0
    spread = np.max(np.linalg.norm(V, axis=1))
    if spread == 0.0:
        raise ValueError("gcd_autoencode: all sampled states coincide")
    V = V[np.linalg.norm(V, axis=1) > 0.1 * thres * spread]
    for _ in range(max(1, n_points // 4)):
        if V.shape[0] < H:
            break
        B = _gcd_basis(V, H, thres, max_rounds=2 * H + 2)
        if B is not None:
            A = _reduce(B, basis_reduction)
            return _finish(A, h_T, h_prev, "gcd")
        # drop the point least compatible with the coarsest basis of the others
        Bc = np.array(V[np.argsort(-np.linalg.norm(V, axis=1))[:H]])
        if np.linalg.svd(Bc, compute_uv=False)[-1] <= 1e-9 * spread:
            break
        C = np.linalg.solve(Bc.T, V.T).T
        V = np.delete(V, int(np.argmax(np.max(np.abs(C - np.round(C)), axis=1))), axis=0)
    raise ValueError(f"gcd_autoencode: no lattice consistent within thres={thres:.3g}")


def _description_length(h, lattice, eps):
    Z = _coordinates(h, lattice.basis, lattice.offset)
    R = np.round(Z)
    resid = np.abs(h - (R @ lattice.basis + lattice.offset))
    return float(np.mean(np.log2(1.0 + np.abs(R))) + np.mean(np.log2(1.0 + resid / eps)))


def description_length(h, lattice: Lattice, eps: float = 1e-2) -> float:
    r"""Description length of states ``h`` under ``lattice`` [authors' code].

    .. math::

        \mathrm{DL} = \overline{\log_2(1 + |\mathrm{round}\,Z|)}
        + \overline{\log_2(1 + |h - (\mathrm{round}(Z) A + b)|/\varepsilon)},\qquad
        Z = (h - b) A^{-1},

    with means over all entries.

    Parameters
    ----------
    h : array_like, shape (N, H)
    lattice : Lattice
    eps : float
        Resolution of the residual code.

    Examples
    --------
    Points on the lattice :math:`0.5\,\mathbb Z` with coordinates 0, 1, 3 cost
    :math:`(\log_2 1 + \log_2 2 + \log_2 4)/3 = 1` bit; a residual of one ``eps`` adds
    :math:`\log_2 2` bits to one of the three entries:

    >>> import numpy as np
    >>> from efttheory.synthesis import Lattice, description_length
    >>> lat = Lattice(basis=np.array([[0.5]]), offset=np.zeros(1), Z=np.zeros((1, 1)),
    ...               Z_prev=np.zeros((1, 1)), method="linear", description_length=0.0,
    ...               max_rounding_error=0.0)
    >>> h = np.array([[0.0], [0.5], [1.5]])
    >>> round(description_length(h, lat), 6), round(description_length(h + [[0.0], [0.0], [0.01]], lat), 6)
    (1.0, 1.333333)
    """
    if not isinstance(lattice, Lattice):
        raise TypeError(f"lattice must be a Lattice, got {type(lattice).__name__}")
    h = as_finite_array("h", h, ndim=2, shape=(None, lattice.dim), min_size=1)
    eps = check_positive("eps", eps)
    return _description_length(h, lattice, eps)


def best_lattice(h_T, h_prev, x_T, *, rng, basis_reduction: str = "size") -> Lattice:
    r"""Linear autoencoder, and for :math:`H < 4` the GCD grid; lowest description length wins.

    The GCD autoencoder runs on the grid ``fraction, thres`` :math:`\in` ``logspace(-3, 0,
    10)`` with errors skipped; it wins if :math:`\mathrm{DL}_\mathrm{gcd} \le
    \mathrm{DL}_\mathrm{lin}` [authors' code]. One sampling seed is drawn from ``rng`` and
    reused for every grid point.

    The description length measures residuals against a fixed :math:`\epsilon = 10^{-2}`
    [authors' code], so the choice depends on the scale of the states. When the lattice
    spacing is well below :math:`\epsilon`, a coarser lattice pays little for its residuals and
    wins on its smaller coordinates: on exact lattice data with spacings :math:`10^{-3}` to
    :math:`3 \times 10^{-2}` the wrong lattice won in 197 of 572 cases, always with
    ``max_rounding_error`` :math:`\ge 0.25`, so the failure shows, but as "no lattice" although
    an exact one exists. Rescaling the states to spacings of order 1 avoids it. Rarely, with
    noise, a finer lattice (twice the density, rounding error 0.20) won over the true one
    (1 of 185 noisy two-dimensional cases) [ours].

    Parameters
    ----------
    h_T, h_prev : array_like, shape (N, H)
        Hidden states at the last and the second-to-last step, finite, of the same shape
        with at least one entry.
    x_T : array_like, shape (N,) or (N, D)
        Inputs at the last step, finite, one row per state; used by the linear autoencoder.
    rng : numpy.random.Generator, numpy.random.SeedSequence, int or None
        Source of the one sampling seed of the GCD grid (an int seed must be >= 0; None
        draws fresh OS entropy).
    basis_reduction : {"size", "lll"}, default "size"
        Basis reduction of both autoencoders: the authors' pairwise size reduction or LLL
        [ours].

    Returns
    -------
    Lattice
        The lattice of lower description length (``method`` ``"linear"`` or ``"gcd"``; the
        GCD one on a tie).

    Raises
    ------
    TypeError
        If ``h_T``, ``h_prev`` or ``x_T`` is not an array of real numbers, or ``rng`` is
        none of the accepted types.
    ValueError
        If the arrays have wrong or mismatched shapes or hold NaN or infinity, ``rng`` is a
        negative seed, ``basis_reduction`` is not ``"size"`` or ``"lll"``, or neither
        autoencoder finds a lattice.

    Examples
    --------
    On exact shift-register states both autoencoders find the lattice, and the GCD one wins the
    tie; its basis rows are the two shift-register directions (in some order):

    >>> import numpy as np
    >>> from efttheory.synthesis import best_lattice
    >>> x = np.random.default_rng(0).integers(0, 5, size=(200, 3))   # 200 digit sequences
    >>> A, b = np.array([[1.3, 0.4], [-0.2, 0.9]]), np.array([0.5, -1.0])
    >>> h_T, h_prev = x[:, [2, 1]] @ A + b, x[:, [1, 0]] @ A + b     # shift register, h = Z A + b
    >>> lat = best_lattice(h_T, h_prev, x[:, 2], rng=0)
    >>> lat.method, round(lat.max_rounding_error, 6), sorted(np.round(lat.basis, 6).tolist())
    ('gcd', 0.0, [[-0.2, 0.9], [1.3, 0.4]])
    """
    h_T, h_prev = _states(h_T, h_prev)
    x_T = _inputs(x_T, h_T.shape[0])
    rng = as_generator("rng", rng)
    check_choice("basis_reduction", basis_reduction, ("size", "lll"))
    seed = int(rng.integers(2**31))
    try:
        best = linear_rnn_autoencode(h_T, h_prev, x_T, basis_reduction=basis_reduction)
    except (ValueError, np.linalg.LinAlgError, ConvergenceError):
        best = None
    if h_T.shape[1] < 4:
        best_gcd = None
        for fraction, thres in itertools.product(GCD_GRID, GCD_GRID):
            try:
                lat = gcd_autoencode(
                    h_T, h_prev, fraction=fraction, thres=thres, rng=np.random.default_rng(seed),
                    basis_reduction=basis_reduction,
                )
            except (ValueError, np.linalg.LinAlgError, ConvergenceError):
                continue
            if best_gcd is None or lat.description_length < best_gcd.description_length:
                best_gcd = lat
        if best_gcd is not None and (best is None or best_gcd.description_length <= best.description_length):
            best = best_gcd
    if best is None:
        raise ValueError("best_lattice: neither the linear nor the GCD autoencoder found a lattice")
    return best


def _integer_array(name, value, n):
    arr = as_integer_array(name, value, ndim=(1, 2))
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape[0] != n:
        raise ValueError(f"{name} must have {n} rows (one per lattice state), got shape {arr.shape}")
    return arr


def _first_unique_rows(M):
    _, idx = np.unique(M, axis=0, return_index=True)
    return M[np.sort(idx)]


def lattice_relations(lattice: Lattice, x_T, y_T) -> LatticeRelations:
    r"""Relation tables :math:`(\mathrm{round}\,Z_{T-1}, x_T) \to \mathrm{round}\,Z_T[i]` and
    :math:`\mathrm{round}\,Z_T \to y_T` [authors' code].

    Parameters
    ----------
    lattice : Lattice
    x_T : array_like of int, shape (N,) or (N, D)
    y_T : array_like of int, shape (N,) or (N, O)

    Examples
    --------
    The shift register of :func:`linear_rnn_autoencode` with output
    :math:`y_T = x_T + 2 x_{T-1}`: rows read :math:`(z_{T-1}, x_T) \to z_T[i]` and
    :math:`z_T \to y_T`, i.e. :math:`z_1' = x`, :math:`z_2' = z_1`, :math:`y = z_1 + 2 z_2`:

    >>> import numpy as np
    >>> from efttheory.synthesis import lattice_relations, linear_rnn_autoencode
    >>> x = np.random.default_rng(0).integers(0, 5, size=(200, 3))   # 200 digit sequences
    >>> A, b = np.array([[1.3, 0.4], [-0.2, 0.9]]), np.array([0.5, -1.0])
    >>> h_T, h_prev = x[:, [2, 1]] @ A + b, x[:, [1, 0]] @ A + b     # shift register, h = Z A + b
    >>> rel = lattice_relations(linear_rnn_autoencode(h_T, h_prev, x[:, 2]), x[:, 2], x[:, 2] + 2 * x[:, 1])
    >>> rel.state[0][:2].tolist(), rel.state[1][:2].tolist(), rel.output[:2].tolist()
    ([[3, 4, 2, 2], [1, 1, 0, 0]], [[3, 4, 2, 3], [1, 1, 0, 1]], [[2, 3, 8], [0, 1, 2]])
    """
    if not isinstance(lattice, Lattice):
        raise TypeError(f"lattice must be a Lattice, got {type(lattice).__name__}")
    n = lattice.Z.shape[0]
    x = _integer_array("x_T", x_T, n)
    y = _integer_array("y_T", y_T, n)
    Zp = np.round(lattice.Z_prev).astype(np.int64)
    Z = np.round(lattice.Z).astype(np.int64)
    state = tuple(_first_unique_rows(np.concatenate([Zp, x, Z[:, i : i + 1]], axis=1)) for i in range(lattice.dim))
    return LatticeRelations(state, _first_unique_rows(np.concatenate([Z, y], axis=1)))


def initial_state_candidates(lattice: Lattice) -> tuple:
    r"""Integer candidates for the coordinate of :math:`h_0 = 0`, :math:`z^\ast = -b A^{-1}`.

    First :math:`\mathrm{round}(z^\ast)`, then every floor/ceil pattern (duplicates
    removed) [authors' code].

    Parameters
    ----------
    lattice : Lattice
        A fitted lattice with an invertible ``basis`` (as :func:`best_lattice`,
        :func:`linear_rnn_autoencode` and :func:`gcd_autoencode` return).

    Returns
    -------
    tuple of ndarray of int64, each of shape (H,)
        :math:`\mathrm{round}(z^\ast)` followed by the other distinct floor/ceil
        patterns, at most :math:`2^H` candidates (the rounded point is one of them).

    Raises
    ------
    TypeError
        If ``lattice`` is not a :class:`Lattice`.
    ValueError
        If ``lattice.basis`` is not of full rank, or :math:`z^\ast` lies beyond :math:`2^{62}`
        in some coordinate (its candidates would not be int64).

    Examples
    --------
    With basis :math:`\mathrm{diag}(2, 1)` and offset :math:`(-2.6, 0.6)` the state
    :math:`h_0 = 0` sits at :math:`z^\ast = (1.3, -0.6)`:

    >>> import numpy as np
    >>> from efttheory.synthesis import Lattice, initial_state_candidates
    >>> lat = Lattice(basis=np.diag([2.0, 1.0]), offset=np.array([-2.6, 0.6]), Z=np.zeros((1, 2)),
    ...               Z_prev=np.zeros((1, 2)), method="linear", description_length=0.0,
    ...               max_rounding_error=0.0)
    >>> [z.tolist() for z in initial_state_candidates(lat)]      # round(z*) first, then floor/ceil
    [[1, -1], [1, 0], [2, -1], [2, 0]]
    """
    if not isinstance(lattice, Lattice):
        raise TypeError(f"lattice must be a Lattice, got {type(lattice).__name__}")
    A = _square_basis("lattice.basis", lattice.basis)  # construction checked finite values and shapes
    z = -np.linalg.solve(A.T, lattice.offset)
    if not np.all(np.abs(z) < 2.0**62):
        raise ValueError(f"initial_state_candidates: the coordinate of h = 0, z* = {z}, must lie "
                         "within 2**62 of the origin in every coordinate (int64 candidates)")
    out = [np.round(z).astype(np.int64)]
    seen = {tuple(out[0])}
    for pattern in itertools.product((0, 1), repeat=lattice.dim):
        cand = np.where(np.array(pattern, dtype=bool), np.ceil(z), np.floor(z)).astype(np.int64)
        if tuple(cand) not in seen:
            seen.add(tuple(cand))
            out.append(cand)
    return tuple(out)
