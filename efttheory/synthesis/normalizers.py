r"""Function-preserving normalisers ("hammers") for a GeneralRNN given as plain arrays.

The network is the GeneralRNN of Michaud et al., *Opening the AI black box: program
synthesis via mechanistic interpretability*, arXiv:2402.05110 (2024) [authors' code]:

.. math::

    h_t = f([h_{t-1};\, x_t]), \qquad h_0 = 0, \qquad y_t = g(h_t),

with :math:`f` and :math:`g` multilayer perceptrons (Linear layers with ReLU between them
and none after the last). Because :math:`f` and :math:`g` read :math:`h` linearly in their
first layer and :math:`h_0 = 0` is mapped to itself, every change of hidden coordinates
:math:`h' = T^{-1} h` is an exact reparametrisation [authors' code]:

.. math::

    W_L \leftarrow T^{-1} W_L, \quad b_L \leftarrow T^{-1} b_L, \quad
    W_1[:, :H] \leftarrow W_1[:, :H]\, T, \quad V_1 \leftarrow V_1 T,

where :math:`(W_L, b_L)` is the last and :math:`W_1` the first Linear layer of :math:`f`
and :math:`V_1` the first Linear layer of :math:`g`. The chain of the authors'
``normalizers/`` package is whiten :math:`\to` real Jordan form :math:`\to` Toeplitz
:math:`\to` de-bias :math:`\to` quantise [authors' code]; the post-hammer retraining with
pinned zeros is left to the caller (``models/``).

Provenance: the transformations are the authors' [authors' code]; the default Jordan
tolerance 0.3 (the script default), the rank tolerances that decide the Jordan block
sizes, the final check of the real Jordan form, the explicit Toeplitz/real-block detection
tolerance, and the treatment of 2x2 rotation blocks in the Toeplitz step are ours [ours].
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from efttheory._arguments import as_finite_array, as_tuple, check_in_interval, check_integer, check_positive
from efttheory.errors import ConvergenceError

__all__ = [
    "NormalizerStep",
    "NormalizerTrace",
    "RNNWeights",
    "debias",
    "effective_transition",
    "jordan_normalize",
    "normalizer_chain",
    "quantize",
    "real_jordan_transform",
    "reparametrize",
    "rnn_forward",
    "toeplitz_normalize",
    "whiten",
]

STEP_NAMES = ("whiten", "jordan", "toeplitz", "debias", "quantize")
_BLOW_UP = 1e4
_TOEPLITZ_MIN_ENTRY = 1e-4  # the authors' floor on the chosen input entry [authors' code]


def _layers(name: str, value) -> tuple[np.ndarray, ...]:
    if isinstance(value, np.ndarray) or not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of arrays (one per Linear layer), got {type(value).__name__}")
    if len(value) == 0:
        raise ValueError(f"{name} must hold at least one layer, got 0")
    return tuple(as_finite_array(f"{name}[{i}]", v) for i, v in enumerate(value))


@dataclass(frozen=True)
class RNNWeights:
    r"""Weights of a GeneralRNN as plain float64 arrays (PyTorch ``Linear`` convention).

    Every Linear layer maps ``u`` to ``W @ u + b`` with ``W`` of shape ``(out, in)``.
    The first layer of the transition MLP :math:`f` reads the concatenation
    :math:`[h_{t-1}; x_t]` (hidden coordinates first), its last layer returns :math:`h_t`;
    the readout :math:`g` reads :math:`h_t` and returns :math:`\hat y_t`.

    Attributes
    ----------
    hidden_W, hidden_b : tuple of ndarray
        Layers of :math:`f`: shapes ``(w_1, H + D), (w_2, w_1), ..., (H, w_{k-1})`` and the
        matching bias vectors.
    output_W, output_b : tuple of ndarray
        Layers of :math:`g`: ``(v_1, H), ..., (O, v_{m-1})`` and biases.
    hidden_dim, input_dim, output_dim : int
        :math:`H`, :math:`D`, :math:`O`; checked against the layer shapes.

    Raises
    ------
    ValueError
        If layer shapes are inconsistent or a weight is NaN or infinite.
    """

    hidden_W: tuple
    hidden_b: tuple
    output_W: tuple
    output_b: tuple
    hidden_dim: int
    input_dim: int
    output_dim: int

    def __post_init__(self):
        for name in ("hidden_W", "hidden_b", "output_W", "output_b"):
            object.__setattr__(self, name, _layers(name, getattr(self, name)))
        for name in ("hidden_dim", "input_dim", "output_dim"):
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be an integer, got {value!r}")
            if value < 1:
                raise ValueError(f"{name} must be >= 1, got {value}")
            object.__setattr__(self, name, int(value))
        H, D, O = self.hidden_dim, self.input_dim, self.output_dim
        for kind, Ws, bs, n_in, n_out in (
            ("hidden", self.hidden_W, self.hidden_b, H + D, H),
            ("output", self.output_W, self.output_b, H, O),
        ):
            if len(Ws) != len(bs):
                raise ValueError(
                    f"{kind}_W and {kind}_b must have the same number of layers, got {len(Ws)} and {len(bs)}"
                )
            width = n_in
            for i, (W, b) in enumerate(zip(Ws, bs)):
                if W.ndim != 2 or W.shape[1] != width:
                    raise ValueError(
                        f"{kind}_W[{i}] must have shape (out, {width}), got {W.shape} "
                        f"(hidden_dim={H}, input_dim={D})"
                    )
                if b.shape != (W.shape[0],):
                    raise ValueError(f"{kind}_b[{i}] must have shape ({W.shape[0]},), got {b.shape}")
                width = W.shape[0]
            if width != n_out:
                raise ValueError(f"the last {kind} layer must return {n_out} values, got {width}")

    @property
    def n_parameters(self) -> int:
        """Total number of weights and biases."""
        return int(sum(a.size for a in self.hidden_W + self.hidden_b + self.output_W + self.output_b))

    def __repr__(self) -> str:
        fw = [self.hidden_W[0].shape[1]] + [W.shape[0] for W in self.hidden_W]
        gw = [self.output_W[0].shape[1]] + [W.shape[0] for W in self.output_W]
        return (
            f"RNNWeights(H={self.hidden_dim}, D={self.input_dim}, O={self.output_dim}, "
            f"f={'-'.join(map(str, fw))}, g={'-'.join(map(str, gw))})"
        )


@dataclass(frozen=True)
class NormalizerStep:
    """One normaliser applied to an RNN.

    Attributes
    ----------
    name : str
        ``"whiten"``, ``"jordan"``, ``"toeplitz"``, ``"debias"`` or ``"quantize"``.
    weights : RNNWeights
        Weights after the step (the input weights when the step was skipped).
    T : ndarray or None
        The change of basis :math:`h' = T^{-1} h`, shape ``(H, H)``; ``None`` for steps that
        are not reparametrisations or were skipped.
    skipped : str or None
        Why the step was skipped, else ``None``.
    """

    name: str
    weights: RNNWeights
    T: np.ndarray | None
    skipped: str | None

    def __repr__(self) -> str:
        state = f"skipped: {self.skipped}" if self.skipped else "applied"
        return f"NormalizerStep({self.name}, {state})"


@dataclass(frozen=True)
class NormalizerTrace:
    """Result of :func:`normalizer_chain`.

    Attributes
    ----------
    weights : RNNWeights
        Final weights.
    steps : tuple of NormalizerStep
        Every step in order, applied or skipped.
    zero_mask : RNNWeights
        Same shapes as ``weights``; 1.0 where a parameter is exactly zero (to be pinned at
        zero by a post-hammer retraining), else 0.0.
    """

    weights: RNNWeights
    steps: tuple
    zero_mask: RNNWeights

    def __repr__(self) -> str:
        done = ", ".join(s.name + ("(skipped)" if s.skipped else "") for s in self.steps)
        return f"NormalizerTrace([{done}], {self.weights!r})"


def _check_weights(w) -> RNNWeights:
    if not isinstance(w, RNNWeights):
        raise TypeError(f"w must be an RNNWeights, got {type(w).__name__}")
    return w


def _mlp(Ws, bs, u):
    for i, (W, b) in enumerate(zip(Ws, bs)):
        u = u @ W.T + b
        if i < len(Ws) - 1:
            u = np.maximum(u, 0.0)
    return u


def rnn_forward(w: RNNWeights, x) -> tuple[np.ndarray, np.ndarray]:
    r"""Run a GeneralRNN on a batch of sequences (evaluation only).

    .. math:: h_t = f([h_{t-1}; x_t]),\ h_0 = 0,\qquad \hat y_t = g(h_t),\ t = 1..L.

    Parameters
    ----------
    w : RNNWeights
        The network.
    x : array_like, shape (B, L) or (B, L, D)
        Inputs (integers are fed raw as floats, no one-hot [authors' code]); at least one
        sequence of at least one step.

    Returns
    -------
    y : ndarray, shape (B, L, O)
        Real-valued outputs :math:`\hat y_1..\hat y_L`.
    h : ndarray, shape (B, L + 1, H)
        Hidden states :math:`h_0 = 0, h_1, \dots, h_L`.

    Raises
    ------
    FloatingPointError
        If a hidden state or an output overflows to infinity or NaN (the message names
        the first step and sequence).

    Examples
    --------
    A shift register :math:`h_t = (x_t, x_{t-1})` read out as :math:`y_t = x_t + 2 x_{t-1}`:

    >>> import numpy as np
    >>> from efttheory.synthesis import RNNWeights, rnn_forward
    >>> shift = RNNWeights(hidden_W=(np.array([[0.0, 0, 1], [1, 0, 0]]),), hidden_b=(np.zeros(2),),
    ...                    output_W=(np.array([[1.0, 2]]),), output_b=(np.zeros(1),),
    ...                    hidden_dim=2, input_dim=1, output_dim=1)
    >>> y, h = rnn_forward(shift, [[1, 2, 3]])
    >>> y[0, :, 0].tolist(), h[0].tolist()
    ([1.0, 4.0, 7.0], [[0.0, 0.0], [1.0, 0.0], [2.0, 1.0], [3.0, 2.0]])
    """
    w = _check_weights(w)
    x = as_finite_array("x", x, ndim=(2, 3))
    if x.ndim == 2:
        x = x[:, :, None]
    if x.shape[2] != w.input_dim:
        raise ValueError(f"x must have {w.input_dim} input column(s) per step, got shape {x.shape}")
    B, L, _ = x.shape
    if B == 0 or L == 0:
        raise ValueError(f"x must hold at least one sequence of at least one step, got shape {x.shape}")
    h = np.zeros((B, L + 1, w.hidden_dim))
    with np.errstate(over="ignore", invalid="ignore"):  # non-finite results are reported below
        for t in range(L):
            h[:, t + 1] = _mlp(w.hidden_W, w.hidden_b, np.concatenate([h[:, t], x[:, t]], axis=1))
            _check_finite("hidden state", h[:, t + 1], t + 1)
        y = _mlp(w.output_W, w.output_b, h[:, 1:].reshape(B * L, -1)).reshape(B, L, w.output_dim)
    bad = ~np.isfinite(y).all(axis=2)
    if bad.any():
        b, t = np.argwhere(bad)[0]
        raise FloatingPointError(f"rnn_forward: the output at step {t + 1} of sequence {b} is not finite "
                                 "(the weights or inputs are too large)")
    return y, h


def _check_finite(what, values, step):
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        raise FloatingPointError(f"rnn_forward: the {what} at step {step} of sequence {int(np.argmax(bad))} "
                                 "is not finite (the weights or inputs are too large)")


def reparametrize(w: RNNWeights, T) -> RNNWeights:
    r"""Exact change of hidden coordinates :math:`h' = T^{-1} h`.

    .. math::

        W_L \leftarrow T^{-1} W_L,\ b_L \leftarrow T^{-1} b_L,\
        W_1[:, :H] \leftarrow W_1[:, :H] T,\ V_1 \leftarrow V_1 T
        \qquad\text{[authors' code]}

    Parameters
    ----------
    w : RNNWeights
    T : array_like, shape (H, H)
        Invertible matrix.

    Returns
    -------
    RNNWeights
        A network with the same outputs on every input.

    Examples
    --------
    Scrambling the hidden basis of a shift register changes every weight but no output:

    >>> import numpy as np
    >>> from efttheory.synthesis import RNNWeights, reparametrize, rnn_forward
    >>> shift = RNNWeights(hidden_W=(np.array([[0.0, 0, 1], [1, 0, 0]]),), hidden_b=(np.zeros(2),),
    ...                    output_W=(np.array([[1.0, 2]]),), output_b=(np.zeros(1),),
    ...                    hidden_dim=2, input_dim=1, output_dim=1)
    >>> T = np.array([[1.3, 0.4], [-0.2, 0.9]])
    >>> w = reparametrize(shift, T)
    >>> x = np.random.default_rng(0).integers(0, 5, size=(100, 10))
    >>> bool(np.allclose(rnn_forward(w, x)[0], rnn_forward(shift, x)[0]))       # same outputs
    True
    >>> bool(np.allclose(rnn_forward(w, x)[1] @ T.T, rnn_forward(shift, x)[1]))  # states h = T h'
    True
    """
    w = _check_weights(w)
    H = w.hidden_dim
    T = as_finite_array("T", T, shape=(H, H))
    s = np.linalg.svd(T, compute_uv=False)
    if s[-1] <= 1e-12 * max(s[0], 1e-300):
        raise ValueError(f"T must be invertible, got singular values {s}")
    Tinv = np.linalg.inv(T)
    hW = [W.copy() for W in w.hidden_W]
    hb = [b.copy() for b in w.hidden_b]
    oW = [W.copy() for W in w.output_W]
    hW[-1] = Tinv @ hW[-1]
    hb[-1] = Tinv @ hb[-1]
    hW[0][:, :H] = hW[0][:, :H] @ T
    oW[0] = oW[0] @ T
    return replace(w, hidden_W=tuple(hW), hidden_b=tuple(hb), output_W=tuple(oW))


def effective_transition(w: RNNWeights) -> tuple[np.ndarray, np.ndarray]:
    r"""Linear part of the transition with the ReLUs ignored [authors' code].

    .. math:: W = (W_L \cdots W_1)[:, :H],\qquad X = (W_L \cdots W_1)[:, H:].

    Parameters
    ----------
    w : RNNWeights
        The network; only the weight matrices of the transition MLP :math:`f` are read.

    Returns
    -------
    W : ndarray, shape (H, H)
        Hidden-to-hidden part of the product of the layers of :math:`f` (a new array).
    X : ndarray, shape (H, D)
        Input-to-hidden part of the same product (a new array).

    Raises
    ------
    TypeError
        If ``w`` is not an :class:`RNNWeights`.

    Examples
    --------
    For a shift register :math:`h_t = (x_t, h_{t-1,1})` the transition is the nilpotent shift
    and the input is written into the first coordinate:

    >>> import numpy as np
    >>> from efttheory.synthesis import RNNWeights, effective_transition
    >>> shift = RNNWeights(hidden_W=(np.array([[0.0, 0, 1], [1, 0, 0]]),), hidden_b=(np.zeros(2),),
    ...                    output_W=(np.array([[1.0, 2]]),), output_b=(np.zeros(1),),
    ...                    hidden_dim=2, input_dim=1, output_dim=1)
    >>> W, X = effective_transition(shift)
    >>> W.tolist(), X.tolist()
    ([[0.0, 0.0], [1.0, 0.0]], [[1.0], [0.0]])
    """
    w = _check_weights(w)
    P = w.hidden_W[0]
    for W in w.hidden_W[1:]:
        P = W @ P
    return P[:, : w.hidden_dim].copy(), P[:, w.hidden_dim :].copy()


# --------------------------------------------------------------------------------------------
# real Jordan form
# --------------------------------------------------------------------------------------------


def _null_space(M, dim):
    """Orthonormal basis (columns) of the ``dim`` smallest right singular directions of M."""
    _, _, Vh = np.linalg.svd(M)
    return Vh[M.shape[1] - dim :].conj().T


def _numerical_rank(M, tol):
    if M.size == 0:
        return 0
    s = np.linalg.svd(M, compute_uv=False)
    return int(np.sum(s > tol))


def _cluster_eigenvalues(lams, eps):
    """Single-linkage groups of eigenvalues closer than ``eps``; returns index lists."""
    n = len(lams)
    label = list(range(n))

    def root(i):
        while label[i] != i:
            i = label[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if abs(lams[i] - lams[j]) < eps:
                label[root(j)] = root(i)
    groups = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


_ROUNDING_SPREAD = 300.0  # R of _group_ranks [ours]


def _staircase_ranks(N, tau):
    """Ranks of ``N**k``, k = 0..m, of a nilpotent N by the staircase reduction at tolerance tau.

    The numerical null space of N (singular values <= tau) is split off, then that of the
    map N induces on its orthogonal complement, and so on (Kublanovskaya): the successive
    nullities n_1 >= n_2 >= ... are the numbers of Jordan blocks of size >= k, and
    rank N^k = m - n_1 - ... - n_k. Every decision is the rank of a map of norm at most
    ||N|| at the same tolerance, whatever k is.
    """
    m = N.shape[0]
    ranks = [m]
    M = N
    while M.shape[0]:
        _, s, Vh = np.linalg.svd(M)
        r = int(np.sum(s > tau))
        if r == M.shape[0]:  # no null space left at this tolerance: N is not nilpotent
            break
        ranks.append(ranks[-1] - (M.shape[0] - r))
        Vr = Vh[:r].conj().T  # orthogonal complement of the null space
        M = Vr.conj().T @ M @ Vr  # the map N induces there
    return ranks + [ranks[-1]] * (m + 1 - len(ranks))


def _group_ranks(N, scale, spread, eps, noise):
    r"""Ranks of ``N**k``, k = 0..m, for the restricted map N of one eigenvalue group.

    Returns ``(ranks, exact)``. Let :math:`\delta` = ``spread`` (largest distance of the
    group's eigenvalues from their mean), :math:`\epsilon` = ``noise`` (absolute size of
    the rounding errors in :math:`N`: unit roundoff times the scale of :math:`W`, the
    conditioning of the transform that produced :math:`W`, and the norm of the group's
    spectral projector) and :math:`\nu = \max(\lVert N\rVert_2, \sqrt u\,\mathrm{scale})`.
    A Jordan block of size :math:`m` perturbed by :math:`\epsilon` spreads its eigenvalue by
    about :math:`(\epsilon\,\nu^{m-1})^{1/m}`, so the group is one eigenvalue up to
    rounding (``exact``) when

    .. math::

        \delta^m \le R\,\epsilon\,\nu^{m-1}, \qquad R = 300.

    Its block sizes then come from the staircase reduction at
    :math:`\tau = \max(2\delta, \sqrt u\,\mathrm{scale})`, which does not depend on the
    basis the block is given in (``[[5, 1/3], [0, 5]]`` has coupling 1/3, far above
    :math:`\tau`) [ours]. Otherwise the eigenvalues are distinct but closer than ``eps``
    and are treated as one, as before: singular values of :math:`N^k` below
    :math:`\max(10^{-7}, (\varepsilon/2)^k)\,\mathrm{scale}` count as zero [ours].
    """
    m = N.shape[0]
    root_u = np.sqrt(np.finfo(float).eps)
    nu = max(float(np.linalg.norm(N, 2)), root_u * scale)
    if spread**m <= _ROUNDING_SPREAD * noise * nu ** (m - 1):
        return _staircase_ranks(N, max(2.0 * spread, root_u * scale)), True
    ranks = [m] + [
        _numerical_rank(np.linalg.matrix_power(N, k), max(1e-7, (0.5 * eps) ** k) * scale) for k in range(1, m + 1)
    ]
    return ranks, False


def _jordan_chains(W, lam, m, scale, spread, eps, noise):
    """Columns spanning the generalized eigenspace of ``lam`` (multiplicity m) as Jordan chains.

    ``spread`` is the largest distance of the group's eigenvalues from ``lam`` (their mean),
    ``noise`` the relative rounding level of W (unit roundoff times the condition number
    of the transform that produced it). Returns (columns, chain lengths, exact) with
    ``exact`` from :func:`_group_ranks`; each chain is ordered eigenvector first.
    """
    n = W.shape[0]
    A = W - lam * np.eye(n)
    Am = np.linalg.matrix_power(A, m)
    V = _null_space(Am, m)  # n x m, orthonormal
    N = V.conj().T @ A @ V  # action of A on the subspace (nearly nilpotent)
    # norm of the spectral projector of the group: 1 / cos of the angle between its right
    # and left invariant subspaces (rounding in W reaches N amplified by it)
    cosines = np.linalg.svd(_null_space(Am.conj().T, m).conj().T @ V, compute_uv=False)
    projector = 1.0 / max(float(cosines[-1]), 1e-300)
    ranks, exact = _group_ranks(N, scale, spread, eps, noise * scale * projector)
    # number of blocks of size >= k is ranks[k-1] - ranks[k]
    at_least = [ranks[k - 1] - ranks[k] for k in range(1, m + 1)] + [0]
    if m > 1 and at_least[1] <= 0:  # no chain longer than one: diagonalise within the group
        at_least = [0] * (m + 1)
    chains = []
    tops = []  # top vectors of already chosen chains, with their sizes
    for size in range(m, 0, -1):
        n_new = at_least[size - 1] - at_least[size]
        if n_new <= 0:
            continue
        ker = _null_space(np.linalg.matrix_power(N, size), m - ranks[size])
        lower = [np.zeros((m, 0), dtype=N.dtype)]
        if size > 1:
            lower.append(_null_space(np.linalg.matrix_power(N, size - 1), m - ranks[size - 1]))
        for top, tsize in tops:
            x = np.linalg.matrix_power(N, tsize - size) @ top
            lower.append((x / max(float(np.linalg.norm(x)), 1e-300))[:, None])  # unit columns for the rank test
        L = np.concatenate(lower, axis=1)
        if L.shape[1]:
            Q, _ = np.linalg.qr(L)
            r = _numerical_rank(L, 1e-9)
            Q = Q[:, :r]
            comp = ker - Q @ (Q.conj().T @ ker)
        else:
            comp = ker
        U, s, _ = np.linalg.svd(comp, full_matrices=False)
        for k in range(min(n_new, U.shape[1])):
            v = U[:, k]
            tops.append((v, size))
            chain = [np.linalg.matrix_power(N, size - 1 - j) @ v for j in range(size)]
            chains.append(chain)
    found = sum(len(c) for c in chains)
    if found > m:  # inconsistent rank pattern: diagonalise within the group instead
        chains, found = [], 0
    if found < m:
        # grouped eigenvalues that are numerically distinct (no nilpotent structure at this
        # tolerance): complete with eigenvectors of the restricted map, outside the chains found
        _, E = np.linalg.eig(N)
        E = E.real if np.isrealobj(W) else E
        if found:
            Q, _ = np.linalg.qr(np.array([c for chain in chains for c in chain]).T)
            E = E - Q @ (Q.conj().T @ E)
        U, _, _ = np.linalg.svd(E, full_matrices=False)
        chains += [[U[:, k]] for k in range(m - found)]
    cols, sizes = [], []
    for chain in chains:
        for c in chain:
            cols.append(V @ c)
        sizes.append(len(chain))
    return np.array(cols).T, sizes, exact


def real_jordan_transform(W, eps: float = 0.3, iters: int = 3) -> np.ndarray:
    r"""Change of basis :math:`T` that brings :math:`W` to real Jordan form.

    :math:`T^{-1} W T = J` with Jordan blocks :math:`\lambda I + N` for real eigenvalues and
    :math:`2\times2` rotation blocks :math:`\begin{pmatrix} a & b\\ -b & a\end{pmatrix}`
    (with identity blocks on the block superdiagonal) for conjugate pairs
    :math:`a \pm ib`. Eigenvalues closer than ``eps`` are grouped; generalized eigenvector
    chains come from SVD null spaces of :math:`(W - \lambda I)^k`; conjugate pairs are made
    real with :math:`[[1, i], [1, -i]]/\sqrt 2`; the construction is repeated ``iters``
    times on the transformed matrix ("accurate_jcf") [authors' code].

    Block sizes [ours]: a group whose eigenvalues coincide up to rounding is one defective
    eigenvalue, and its Jordan block sizes are recovered whatever the basis (couplings
    below :math:`\sqrt u` times the largest entry of :math:`W` count as zero). A group of
    distinct eigenvalues closer than ``eps`` is treated as one eigenvalue: its diagonal
    block of :math:`T^{-1} W T` may hold terms of the order of the gap (see
    :func:`_group_ranks`). Before returning, :math:`T^{-1} W T` is checked against the
    real Jordan pattern the construction aimed at.

    Parameters
    ----------
    W : array_like, shape (H, H)
    eps : float
        Eigenvalue grouping tolerance (0.3, the authors' script default; 0.7 in their
        evolution tree).
    iters : int
        Refinement rounds, >= 1.

    Returns
    -------
    T : ndarray, shape (H, H)

    Raises
    ------
    ValueError, TypeError
        ``W`` not a finite non-empty square matrix, ``eps`` not > 0, ``iters`` not an
        integer >= 1.
    ConvergenceError
        If a transform becomes non-finite or singular, if an entry of :math:`T` or of
        :math:`T^{-1} W T` exceeds 1e4 (the network's transformed weights are checked by
        :func:`jordan_normalize`), if LAPACK fails on it (entries near the float64 limit),
        or if :math:`T^{-1} W T` is not in the real Jordan form the construction aimed at
        (``W`` too close to a matrix with a different Jordan structure).

    Examples
    --------
    A defective matrix (eigenvalue 1 twice, one eigenvector) becomes a single Jordan block,
    however small its nilpotent part, and a scaled rotation becomes a :math:`2\times2`
    rotation block:

    >>> import numpy as np
    >>> from efttheory.synthesis import real_jordan_transform
    >>> W = np.array([[2.0, 1.0], [-1.0, 0.0]])
    >>> T = real_jordan_transform(W)
    >>> (np.round(np.linalg.solve(T, W @ T), 6) + 0.0).tolist()
    [[1.0, 1.0], [0.0, 1.0]]
    >>> W = np.array([[5.0, 1 / 3], [0.0, 5.0]])
    >>> T = real_jordan_transform(W)
    >>> (np.round(np.linalg.solve(T, W @ T), 6) + 0.0).tolist()
    [[5.0, 1.0], [0.0, 5.0]]
    >>> R = 0.9 * np.array([[np.cos(0.5), -np.sin(0.5)], [np.sin(0.5), np.cos(0.5)]])
    >>> T = real_jordan_transform(R)
    >>> (np.round(np.linalg.solve(T, R @ T), 6) + 0.0).tolist()    # a = 0.9 cos 0.5, b = 0.9 sin 0.5
    [[0.789824, 0.431483], [-0.431483, 0.789824]]
    """
    W = as_finite_array("W", W, ndim=2)
    if W.shape[0] != W.shape[1] or W.shape[0] == 0:
        raise ValueError(f"W must be a non-empty square matrix, got shape {W.shape}")
    eps = check_positive("eps", eps)
    iters = check_integer("iters", iters, minimum=1)
    n = W.shape[0]
    T_total = np.eye(n)
    current = W.copy()
    for it in range(iters):
        try:
            T, pattern = _real_jordan_once(current, eps, np.finfo(float).eps * float(np.linalg.cond(T_total)))
        except np.linalg.LinAlgError as exc:  # LAPACK gives up, e.g. on entries near the float64 limit
            raise ConvergenceError(f"real Jordan transform failed in LAPACK ({exc}) at round {it}; "
                                   f"max |W| = {float(np.max(np.abs(W))):.3g}",
                                   last_iterate=T_total, iterations=it) from exc
        if not np.all(np.isfinite(T)):
            raise ConvergenceError("real Jordan transform became non-finite", last_iterate=T_total, iterations=it)
        s = np.linalg.svd(T, compute_uv=False)
        if s[-1] <= 1e-10 * s[0]:
            raise ConvergenceError(
                f"real Jordan transform is singular (condition {s[0] / max(s[-1], 1e-300):.3g})",
                last_iterate=T_total,
                iterations=it,
            )
        T_total = T_total @ T
        current = np.linalg.solve(T_total, W @ T_total)
        if not np.all(np.isfinite(current)) or np.max(np.abs(current)) > _BLOW_UP or np.max(np.abs(T_total)) > _BLOW_UP:
            raise ConvergenceError(
                f"real Jordan transform blew up (max entry {np.max(np.abs(current)):.3g} > {_BLOW_UP:g})",
                last_iterate=T_total,
                iterations=it + 1,
            )
    _check_jordan_pattern(W, T_total, pattern)
    return T_total


def _real_jordan_once(W, eps, noise):
    """One round of the construction: (T, pattern).

    ``noise`` is the relative rounding level of W (see :func:`_jordan_chains`).
    ``pattern`` lists, in the column order of T, one ``(kind, lam, chain lengths, spread,
    exact)`` per eigenvalue group (``kind`` "real" or "complex", ``spread`` the largest
    distance of the group's eigenvalues from their mean ``lam``, ``exact`` whether they are
    one eigenvalue up to rounding, see :func:`_group_ranks`).
    """
    n = W.shape[0]
    lams = np.linalg.eigvals(W)
    scale = max(1.0, float(np.max(np.abs(W))))
    groups = _cluster_eigenvalues(lams, eps)
    blocks = []
    for g in groups:
        lam = complex(np.mean(lams[g]))
        blocks.append((lam, len(g), float(np.max(np.abs(lams[g] - lam)))))
    # keep one representative per conjugate pair (upper half plane), real ones as they are
    reals = [(lam.real, m, d) for lam, m, d in blocks if abs(lam.imag) <= 1e-9 * scale]
    uppers = [(lam, m, d) for lam, m, d in blocks if lam.imag > 1e-9 * scale]
    covered = sum(m for _, m, _ in reals) + 2 * sum(m for _, m, _ in uppers)
    if covered != n:  # a conjugate pair was split asymmetrically by the grouping: give up on it
        raise ConvergenceError("eigenvalue groups are not closed under conjugation", last_iterate=np.eye(n))
    cols, pattern = [], []
    for lam, m, spread in sorted(reals, key=lambda t: -t[0]):
        C, sizes, exact = _jordan_chains(W, lam, m, scale, spread, eps, noise)
        pattern.append(("real", lam, sizes, spread, exact))
        for j in range(C.shape[1]):
            cols.append(C[:, j])
    for lam, m, spread in sorted(uppers, key=lambda t: (-t[0].real, -t[0].imag)):
        C, sizes, exact = _jordan_chains(W.astype(complex), lam, m, scale, spread, eps, noise)
        pattern.append(("complex", lam, sizes, spread, exact))
        for j in range(C.shape[1]):
            c = C[:, j] * np.sqrt(2.0)
            cols.append(c.real)
            cols.append(c.imag)
    T = np.array(cols).T
    if T.shape != (n, n):
        raise ConvergenceError(f"Jordan chains span {T.shape[1] if T.ndim == 2 else 0} of {n} dimensions",
                               last_iterate=np.eye(n))
    return T, pattern


def _pattern_matrix(pattern, n):
    """The real Jordan matrix a pattern of ``_real_jordan_once`` stands for, and its group slices."""
    J = np.zeros((n, n))
    slices = []
    i = 0
    for kind, lam, sizes, _, _ in pattern:
        start = i
        for size in sizes:
            if kind == "real":
                J[i : i + size, i : i + size] = lam * np.eye(size) + np.eye(size, k=1)
                i += size
            else:
                for k in range(size):
                    j = i + 2 * k
                    J[j : j + 2, j : j + 2] = [[lam.real, lam.imag], [-lam.imag, lam.real]]
                    if k:
                        J[j - 2 : j, j : j + 2] = np.eye(2)
                i += 2 * size
        slices.append(slice(start, i))
    return J, slices


def _check_jordan_pattern(W, T, pattern):
    r"""Raise ConvergenceError unless :math:`T^{-1} W T` is the real Jordan matrix of ``pattern``.

    Every entry must match the pattern (Jordan blocks with unit superdiagonals, or identity
    blocks for complex chains, zeros elsewhere) to within
    :math:`\sqrt u\,\kappa(T)\,\mathrm{scale}`, plus, inside the diagonal block of a
    group that is one eigenvalue up to rounding, the rank tolerance
    :math:`\max(2\delta, \sqrt u\,\mathrm{scale})` of :func:`_group_ranks` [ours].
    Groups of distinct eigenvalues closer than ``eps`` are treated as one eigenvalue
    (documented): their diagonal block is not checked, and entries in their rows and
    columns may be off by a further :math:`\delta` (the group's spread), since the
    invariant subspace of a group that is not exactly defective is only refined ``iters``
    times.
    """
    n = W.shape[0]
    J = np.linalg.solve(T, W @ T)
    P, slices = _pattern_matrix(pattern, n)
    scale = max(1.0, float(np.max(np.abs(W))))
    root_u = np.sqrt(np.finfo(float).eps)
    tol = np.full((n, n), root_u * float(np.linalg.cond(T)) * scale)
    for sl, (_, _, _, spread, exact) in zip(slices, pattern):
        if exact:
            tol[sl, sl] += max(2.0 * spread, root_u * scale)
        else:
            tol[sl, :] += spread
            tol[:, sl] += spread
            tol[sl, sl] = np.inf
    excess = np.abs(J - P) - tol
    if np.max(excess) > 0:
        r, c = np.unravel_index(int(np.argmax(excess)), excess.shape)
        raise ConvergenceError(
            f"real Jordan transform did not reach real Jordan form: entry ({r}, {c}) of T^-1 W T is "
            f"{J[r, c]:.6g} where the Jordan pattern has {P[r, c]:.6g} (tolerance {tol[r, c]:.3g}); W is "
            "too close to a matrix with a different Jordan structure",
            last_iterate=T,
        )


def _check_hidden_states(w, hidden_states):
    hs = as_finite_array("hidden_states", hidden_states, ndim=(2, 3), min_size=1)
    if hs.shape[-1] != w.hidden_dim:
        raise ValueError(f"hidden_states must end in hidden_dim={w.hidden_dim}, got shape {hs.shape}")
    return hs.reshape(-1, w.hidden_dim)


def whiten(w: RNNWeights, hidden_states, eps: float = 0.1) -> NormalizerStep:
    r"""Whitening of the hidden space [authors' code].

    .. math::

        C = \mathbb E[h h^\top] = U S U^\top,\qquad
        T = U\,\mathrm{diag}(\sqrt{s_i}\ \text{if}\ s_i > \varepsilon\ \text{else}\ 1)\,U^\top .

    Parameters
    ----------
    w : RNNWeights
    hidden_states : array_like, shape (..., H)
        Hidden states of the network on its training data (e.g. ``rnn_forward(w, x)[1]``).
        Any magnitude; the scales :math:`\sqrt{s_i}` and 1 must lie within a factor
        :math:`10^{12}` of each other for the transform to be formed.
    eps : float
        Variance threshold below which a direction is left unscaled. A variance within
        rounding of zero (below :math:`H\,\epsilon_\text{machine} \max_i s_i`) counts as zero,
        whatever ``eps`` [ours].

    Returns
    -------
    NormalizerStep
        Step ``"whiten"`` holding the reparametrised weights and the change of basis ``T``.

    Raises
    ------
    ValueError
        If ``hidden_states`` is not finite or does not end in ``hidden_dim``, or ``eps`` is
        not finite and > 0.
    ConvergenceError
        When the scales span more than a factor :math:`10^{12}` (the transform would be
        numerically singular) [ours]; :func:`normalizer_chain` records the step as skipped.

    Examples
    --------
    The hidden states of the re-parametrised network have unit second moment:

    >>> import numpy as np
    >>> from efttheory.synthesis import RNNWeights, reparametrize, rnn_forward, whiten
    >>> shift = RNNWeights(hidden_W=(np.array([[0.0, 0, 1], [1, 0, 0]]),), hidden_b=(np.zeros(2),),
    ...                    output_W=(np.array([[1.0, 2]]),), output_b=(np.zeros(1),),
    ...                    hidden_dim=2, input_dim=1, output_dim=1)
    >>> w = reparametrize(shift, [[1.3, 0.4], [-0.2, 0.9]])    # the same network in a scrambled basis
    >>> x = np.random.default_rng(0).integers(0, 5, size=(100, 10))
    >>> step = whiten(w, rnn_forward(w, x)[1])
    >>> h = rnn_forward(step.weights, x)[1].reshape(-1, 2)
    >>> (np.round(h.T @ h / len(h), 6) + 0.0).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    >>> bool(np.allclose(rnn_forward(step.weights, x)[0], rnn_forward(w, x)[0]))
    True
    """
    w = _check_weights(w)
    hs = _check_hidden_states(w, hidden_states)
    eps = check_positive("eps", eps)
    # states beyond 2**400 are scaled by 2**-e (exactly) so that the second moment cannot overflow
    top = float(np.abs(hs).max())
    e = int(np.frexp(top)[1]) if top > 2.0**400 else 0
    scaled = np.ldexp(hs, -e)
    C = scaled.T @ scaled / hs.shape[0]  # second moment times 4**-e
    s, U = np.linalg.eigh(C)
    # an eigenvalue within rounding of zero (H eps_machine of the largest) is taken as 0: its
    # sign and size are noise. The threshold is compared unscaled (eps 4**-e would underflow)
    noise = s.shape[0] * np.finfo(np.float64).eps * max(float(s.max()), 0.0)
    with np.errstate(over="ignore"):
        resolved = (s > noise) & (np.ldexp(s, 2 * e) > eps)
    d = np.where(resolved, np.ldexp(np.sqrt(np.maximum(s, 0.0)), e), 1.0)
    if d.max() > 1e12 * d.min():  # T = U diag(d) U^T would fail reparametrize's invertibility check
        raise ConvergenceError(f"hidden_states: whitening needs scales {d.min():.3g} to {d.max():.3g}, a "
                               "transform with condition number above 1e12; the hidden states are too large "
                               "or too unevenly spread to whiten", last_iterate=d)
    T = (U * d) @ U.T
    return NormalizerStep("whiten", reparametrize(w, T), T, None)


def jordan_normalize(w: RNNWeights, eps: float = 0.3) -> NormalizerStep:
    r"""Bring the effective transition :math:`W` to real Jordan form by :math:`h' = T^{-1} h`.

    See :func:`real_jordan_transform` [authors' code].

    Parameters
    ----------
    w : RNNWeights
        The network whose effective transition (:func:`effective_transition`) is transformed.
    eps : float, default 0.3
        Eigenvalue grouping tolerance of :func:`real_jordan_transform`, finite and > 0
        (0.3, the authors' script default).

    Returns
    -------
    NormalizerStep
        Step ``"jordan"`` holding the reparametrised weights and the change of basis ``T``
        (shape ``(H, H)``); the outputs of the network are unchanged.

    Raises
    ------
    TypeError
        If ``w`` is not an :class:`RNNWeights` or ``eps`` is not a real number.
    ValueError
        If ``eps`` is not finite and > 0, or the effective transition overflows to
        infinity.
    ConvergenceError
        When :func:`real_jordan_transform` fails, or when a transformed weight array
        (:math:`T^{-1} W_L`, :math:`T^{-1} b_L`, :math:`W_1 T` or :math:`V_1 T`) has a
        non-finite entry or one above 1e4 in magnitude, the authors' abort rule
        [authors' code]. :func:`normalizer_chain` records the step as skipped.

    Examples
    --------
    A shift register hidden in a scrambled basis: the Jordan step recovers the nilpotent shift
    (one Jordan block of eigenvalue 0) and keeps the outputs:

    >>> import numpy as np
    >>> from efttheory.synthesis import RNNWeights, effective_transition, jordan_normalize, reparametrize
    >>> from efttheory.synthesis import rnn_forward
    >>> shift = RNNWeights(hidden_W=(np.array([[0.0, 0, 1], [1, 0, 0]]),), hidden_b=(np.zeros(2),),
    ...                    output_W=(np.array([[1.0, 2]]),), output_b=(np.zeros(1),),
    ...                    hidden_dim=2, input_dim=1, output_dim=1)
    >>> w = reparametrize(shift, [[1.3, 0.4], [-0.2, 0.9]])    # the same network in a scrambled basis
    >>> step = jordan_normalize(w)
    >>> W, _ = effective_transition(step.weights)
    >>> (np.round(W, 6) + 0.0).tolist()
    [[0.0, 1.0], [0.0, 0.0]]
    >>> x = np.random.default_rng(0).integers(0, 5, size=(100, 10))
    >>> bool(np.allclose(rnn_forward(step.weights, x)[0], rnn_forward(w, x)[0]))
    True
    """
    w = _check_weights(w)
    W, _ = effective_transition(w)
    T = real_jordan_transform(W, eps=eps)
    return NormalizerStep("jordan", _guarded_reparametrize("Jordan", w, T), T, None)


def _guarded_reparametrize(step: str, w: RNNWeights, T: np.ndarray) -> RNNWeights:
    r""":func:`reparametrize` for a normaliser: failures become :class:`ConvergenceError`.

    Raises ``ConvergenceError`` (so that :func:`normalizer_chain` records the step as
    skipped) when ``T`` is not invertible, or when one of the four transformed arrays
    :math:`T^{-1} W_L`, :math:`T^{-1} b_L`, :math:`W_1` (with :math:`W_1[:, :H]\,T`) and
    :math:`V_1 T` is non-finite or has an entry above :math:`10^4` in magnitude (the
    authors' blow-up test of their Jordan step) [authors' code].
    """
    try:
        new = reparametrize(w, T)
    except ValueError as exc:  # T numerically singular
        raise ConvergenceError(f"{step} step: {exc}", last_iterate=T) from exc
    for label, a in (
        ("T^-1 W_L", new.hidden_W[-1]),
        ("T^-1 b_L", new.hidden_b[-1]),
        ("W_1 T", new.hidden_W[0]),
        ("V_1 T", new.output_W[0]),
    ):
        if not np.all(np.isfinite(a)):
            raise ConvergenceError(f"{step} step: transformed weight {label} is not finite", last_iterate=T)
        top = float(np.max(np.abs(a)))
        if top > _BLOW_UP:
            raise ConvergenceError(
                f"{step} step: transformed weight {label} blew up (max entry {top:.3g} > {_BLOW_UP:g})",
                last_iterate=T,
            )
    return new


def _jordan_blocks(J, tol):
    """Blocks of a matrix in real Jordan form: list of (start, size, kind) or None if not in form."""
    n = J.shape[0]
    blocks = []
    i = 0
    while i < n:
        if i + 1 < n and abs(J[i + 1, i]) > tol:
            if abs(J[i, i] - J[i + 1, i + 1]) > tol or abs(J[i, i + 1] + J[i + 1, i]) > tol:
                return None
            blocks.append((i, 2, "rotation"))
            i += 2
            continue
        size = 1
        while (
            i + size < n
            and abs(J[i + size - 1, i + size] - 1.0) < tol
            and abs(J[i + size, i + size] - J[i, i]) < tol
            and abs(J[i + size, i + size - 1]) <= tol
        ):
            size += 1
        blocks.append((i, size, "real"))
        i += size
    mask = np.zeros_like(J, dtype=bool)
    for start, size, _ in blocks:
        mask[start : start + size, start : start + size] = True
    if np.any(np.abs(J[~mask]) > tol):
        return None
    return blocks


def toeplitz_normalize(w: RNNWeights, tol: float = 0.25) -> NormalizerStep:
    r"""Make each Jordan block's input vector a unit vector with a commuting Toeplitz matrix.

    For a real block :math:`\lambda I + N` of size :math:`s`, take the input column
    :math:`u = X[\text{block}, j]` with the largest entry in the block's last row and set
    :math:`T_\text{block}[i, i+k] = u_{s-1-k}` (upper-triangular Toeplitz, read bottom to
    top). It commutes with the block and :math:`T_\text{block}\, e_s = u`, so the input
    vector becomes :math:`e_s` [authors' code]. For a rotation block
    :math:`\begin{pmatrix}a&b\\-b&a\end{pmatrix}` we use the commuting
    :math:`\begin{pmatrix}q&p\\-p&q\end{pmatrix}` with :math:`(p, q) = u` [ours].

    A real block whose chosen entry is small, :math:`|u_{s-1}| \le \max(\delta, 10^{-4})`
    with :math:`\delta` the largest deviation of :math:`W` from the detected real Jordan
    matrix, would give a nearly singular :math:`T_\text{block}`; the authors' threshold is
    this one [authors' code]. The authors then shrink the block by its last coordinate
    and retry, which gives a :math:`T` that no longer commutes with the block; we leave
    the whole block unchanged instead (identity in :math:`T`) [ours]. A rotation block is
    left unchanged when :math:`\sqrt{p^2 + q^2}` is below the same threshold [ours].

    Parameters
    ----------
    w : RNNWeights
        Weights whose effective transition is in real Jordan form (see
        :func:`jordan_normalize`); otherwise the step is returned as skipped.
    tol : float
        Detection tolerance for the Jordan structure (entries off the blocks must be
        below it, superdiagonals within it of 1), in (0, 0.5] [ours].

    Returns
    -------
    NormalizerStep
        Step ``"toeplitz"`` with the reparametrised weights and ``T`` (shape ``(H, H)``;
        the identity on blocks left unchanged), or returned as skipped (weights unchanged,
        ``T = None``) when the effective transition is not in real Jordan form.

    Raises
    ------
    TypeError
        If ``w`` is not an :class:`RNNWeights` or ``tol`` is not a real number.
    ValueError
        If ``tol`` is not in (0, 0.5].
    ConvergenceError
        If ``T`` is numerically singular, or a transformed weight array
        (:math:`T^{-1} W_L`, :math:`T^{-1} b_L`, :math:`W_1 T` or :math:`V_1 T`) has a
        non-finite entry or one above 1e4 in magnitude (the Jordan step's abort rule,
        applied here too [ours]). :func:`normalizer_chain` records the step as skipped.

    Examples
    --------
    After the Jordan step the input of a scrambled shift register enters the chain at some
    real vector; the Toeplitz step makes it the unit vector :math:`e_2` and keeps the block:

    >>> import numpy as np
    >>> from efttheory.synthesis import RNNWeights, effective_transition, jordan_normalize, reparametrize
    >>> from efttheory.synthesis import toeplitz_normalize
    >>> shift = RNNWeights(hidden_W=(np.array([[0.0, 0, 1], [1, 0, 0]]),), hidden_b=(np.zeros(2),),
    ...                    output_W=(np.array([[1.0, 2]]),), output_b=(np.zeros(1),),
    ...                    hidden_dim=2, input_dim=1, output_dim=1)
    >>> w = reparametrize(shift, [[1.3, 0.4], [-0.2, 0.9]])    # the same network in a scrambled basis
    >>> step = toeplitz_normalize(jordan_normalize(w).weights)
    >>> W, X = effective_transition(step.weights)
    >>> (np.round(W, 6) + 0.0).tolist(), (np.round(X, 6) + 0.0).tolist()
    ([[0.0, 1.0], [0.0, 0.0]], [[0.0], [1.0]])
    >>> toeplitz_normalize(w)                                  # not in Jordan form yet
    NormalizerStep(toeplitz, skipped: effective transition is not in real Jordan form)
    """
    w = _check_weights(w)
    tol = check_in_interval("tol", tol, 0.0, 0.5, closed=(False, True))
    W, X = effective_transition(w)
    blocks = _jordan_blocks(W, tol)
    if blocks is None:
        return NormalizerStep("toeplitz", w, None, "effective transition is not in real Jordan form")
    H = w.hidden_dim
    small = max(_jordan_deviation(W, blocks), _TOEPLITZ_MIN_ENTRY)
    T = np.eye(H)
    for start, size, kind in blocks:
        sl = slice(start, start + size)
        if kind == "real":
            j = int(np.argmax(np.abs(X[start + size - 1])))
            u = X[sl, j]
            if abs(u[-1]) <= small:
                continue
            for r in range(size):
                for k in range(size - r):
                    T[start + r, start + r + k] = u[size - 1 - k]
        else:
            j = int(np.argmax(np.abs(X[sl]).sum(axis=0)))
            p, q = X[start, j], X[start + 1, j]
            if np.hypot(p, q) <= small:
                continue
            T[start, start], T[start, start + 1] = q, p
            T[start + 1, start], T[start + 1, start + 1] = -p, q
    return NormalizerStep("toeplitz", _guarded_reparametrize("Toeplitz", w, T), T, None)


def _jordan_deviation(J, blocks):
    """Largest entry of ``J`` minus the real Jordan matrix that ``blocks`` describe.

    Real blocks are compared with (mean of their diagonal) I + N, rotation blocks with
    ``[[a, b], [-b, a]]`` (``a`` the mean diagonal, ``b`` the mean of ``J[i, i+1]`` and
    ``-J[i+1, i]``), everything off the blocks with 0: the authors' ``epsilon`` of their
    Toeplitz step [authors' code] (the rotation part is ours).
    """
    ideal = np.zeros_like(J)
    for start, size, kind in blocks:
        sl = slice(start, start + size)
        a = float(np.mean(np.diag(J)[sl]))
        if kind == "real":
            ideal[sl, sl] = a * np.eye(size) + np.eye(size, k=1)
        else:
            b = 0.5 * (J[start, start + 1] - J[start + 1, start])
            ideal[sl, sl] = [[a, b], [-b, a]]
    return float(np.max(np.abs(J - ideal)))


def debias(w: RNNWeights, eps: float = 0.1) -> NormalizerStep:
    r"""Move the part of :math:`b_L` that :math:`f` cannot read into the readout bias.

    With :math:`P` the projector onto the right null space of :math:`W_1[:, :H]` (singular
    values below ``eps``), :math:`b_L \leftarrow b_L - P b_L` and the first bias of
    :math:`g` gains :math:`V_1 P b_L` [authors' code]. Exact when those singular values are
    exactly zero; otherwise the change of the outputs is of the order of
    :math:`\sigma_\text{small} \lVert P b_L \rVert` (the shifted part of :math:`h_t` is still
    read through :math:`\sigma_\text{small}`, and :math:`h_0 = 0` is not shifted, so no bias
    correction can make it exact). Unlike whiten, Jordan and Toeplitz it is therefore not a
    strict reparametrisation.

    Parameters
    ----------
    w : RNNWeights
        The network.
    eps : float, default 0.1
        Singular values of :math:`W_1[:, :H]` below ``eps`` span the null space that is
        projected out; finite and > 0.

    Returns
    -------
    NormalizerStep
        Step ``"debias"`` with the shifted biases and ``T = None``; it is returned as skipped
        (weights unchanged) when no singular value lies below ``eps``.

    Raises
    ------
    TypeError
        If ``w`` is not an :class:`RNNWeights` or ``eps`` is not a real number.
    ValueError
        If ``eps`` is not finite and > 0.

    Examples
    --------
    A running sum :math:`h_{t,1} = h_{t-1,1} + x_t` with a constant coordinate
    :math:`h_{t,2} = 5` that :math:`f` never reads, read out as :math:`y = h_1 + h_2`. The
    constant moves into the readout bias; here the null space is exact, so nothing changes:

    >>> import numpy as np
    >>> from efttheory.synthesis import RNNWeights, debias, rnn_forward
    >>> net = RNNWeights(hidden_W=(np.array([[1.0, 0, 1], [0, 0, 0]]),), hidden_b=(np.array([0.0, 5]),),
    ...                  output_W=(np.array([[1.0, 1]]),), output_b=(np.zeros(1),),
    ...                  hidden_dim=2, input_dim=1, output_dim=1)
    >>> step = debias(net)
    >>> step.weights.hidden_b[0].tolist(), step.weights.output_b[0].tolist()
    ([0.0, 0.0], [5.0])
    >>> [rnn_forward(v, [[1, 2, 3]])[0].ravel().tolist() for v in (net, step.weights)]
    [[6.0, 8.0, 11.0], [6.0, 8.0, 11.0]]
    """
    w = _check_weights(w)
    eps = check_positive("eps", eps)
    H = w.hidden_dim
    W1h = w.hidden_W[0][:, :H]
    _, s, Vh = np.linalg.svd(W1h, full_matrices=True)
    s_full = np.zeros(H)
    s_full[: len(s)] = s
    null = Vh[s_full < eps]
    if null.shape[0] == 0:
        return NormalizerStep("debias", w, None, "first transition layer has no null space below eps")
    P = null.T @ null
    shift = P @ w.hidden_b[-1]
    hb = list(w.hidden_b)
    ob = list(w.output_b)
    hb[-1] = hb[-1] - shift
    ob[0] = ob[0] + w.output_W[0] @ shift
    return NormalizerStep("debias", replace(w, hidden_b=tuple(hb), output_b=tuple(ob)), None, None)


def quantize(w: RNNWeights, threshold: float = 0.01) -> NormalizerStep:
    r"""Snap every weight and bias within ``threshold`` of an integer to it [authors' code].

    .. math::

        \theta \leftarrow \mathrm{round}(\theta)\ \text{if}\
        |\theta - \mathrm{round}(\theta)| \le \text{threshold}.

    Not a reparametrisation: each parameter moves by at most ``threshold``.

    Parameters
    ----------
    w : RNNWeights
        The network.
    threshold : float, default 0.01
        Largest distance to the nearest integer at which a parameter is snapped, in
        [0, 0.5] (0 snaps only parameters that are already integers).

    Returns
    -------
    NormalizerStep
        Step ``"quantize"`` with the snapped weights and biases and ``T = None``.

    Raises
    ------
    TypeError
        If ``w`` is not an :class:`RNNWeights` or ``threshold`` is not a real number.
    ValueError
        If ``threshold`` is not finite or lies outside [0, 0.5].

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.synthesis import RNNWeights, quantize
    >>> w = RNNWeights(hidden_W=(np.array([[0.998, 0.003, 1.0], [1.004, 0.0, 0.3]]),),
    ...                hidden_b=(np.array([0.007, 0.0]),), output_W=(np.array([[1.0, 2.05]]),),
    ...                output_b=(np.zeros(1),), hidden_dim=2, input_dim=1, output_dim=1)
    >>> q = quantize(w).weights                       # 0.3 and 2.05 are more than 0.01 from an integer
    >>> q.hidden_W[0].tolist(), q.hidden_b[0].tolist(), q.output_W[0].tolist()
    ([[1.0, 0.0, 1.0], [1.0, 0.0, 0.3]], [0.0, 0.0], [[1.0, 2.05]])
    """
    w = _check_weights(w)
    threshold = check_in_interval("threshold", threshold, 0.0, 0.5)

    def snap(a):
        r = np.round(a)
        return np.where(np.abs(a - r) <= threshold, r, a)

    return NormalizerStep(
        "quantize",
        replace(
            w,
            hidden_W=tuple(map(snap, w.hidden_W)),
            hidden_b=tuple(map(snap, w.hidden_b)),
            output_W=tuple(map(snap, w.output_W)),
            output_b=tuple(map(snap, w.output_b)),
        ),
        None,
        None,
    )


def _zero_mask(w: RNNWeights) -> RNNWeights:
    def z(a):
        return (a == 0.0).astype(np.float64)

    return replace(
        w,
        hidden_W=tuple(map(z, w.hidden_W)),
        hidden_b=tuple(map(z, w.hidden_b)),
        output_W=tuple(map(z, w.output_W)),
        output_b=tuple(map(z, w.output_b)),
    )


def _check_step_names(name: str, steps) -> tuple:
    """``steps`` as a tuple of normalizer names from :data:`STEP_NAMES`; TypeError/ValueError naming ``name``."""
    steps = as_tuple(name, steps, "step names")
    for step in steps:
        if step not in STEP_NAMES:
            raise ValueError(f"{name} must contain only {STEP_NAMES}, got {step!r}")
    return steps


def normalizer_chain(w: RNNWeights, hidden_states, steps=STEP_NAMES) -> NormalizerTrace:
    """Apply normalisers in order; a step raising :class:`ConvergenceError` is recorded as skipped.

    Parameters
    ----------
    w : RNNWeights
    hidden_states : array_like, shape (..., H)
        Hidden states of ``w`` on its training data; transformed along with every
        reparametrisation, so a later ``"whiten"`` sees the current coordinates.
    steps : sequence of str
        Names from ``("whiten", "jordan", "toeplitz", "debias", "quantize")``; the default
        is the authors' order [authors' code].

    Returns
    -------
    NormalizerTrace

    Examples
    --------
    A shift register :math:`h_t = (x_t, h_{t-1,1})` read out as :math:`y_t = h_1 + 2 h_2`,
    hidden in a scrambled basis; the chain brings it back to integer weights:

    >>> import numpy as np
    >>> from efttheory.synthesis import RNNWeights, normalizer_chain, reparametrize, rnn_forward
    >>> shift = RNNWeights(hidden_W=(np.array([[0.0, 0, 1], [1, 0, 0]]),), hidden_b=(np.zeros(2),),
    ...                    output_W=(np.array([[1.0, 2]]),), output_b=(np.zeros(1),),
    ...                    hidden_dim=2, input_dim=1, output_dim=1)
    >>> w = reparametrize(shift, [[1.3, 0.4], [-0.2, 0.9]])    # no weight of w is an integer
    >>> x = np.random.default_rng(0).integers(0, 5, size=(100, 10))
    >>> trace = normalizer_chain(w, rnn_forward(w, x)[1])       # whiten, jordan, toeplitz, debias, quantize
    >>> W, V = trace.weights.hidden_W[0], trace.weights.output_W[0]
    >>> bool(np.all(W == np.round(W))), W.astype(int).tolist(), V.astype(int).tolist()
    (True, [[0, 1, 0], [0, 0, 1]], [[2, 1]])

    That is the same shift register with its two coordinates swapped: :math:`h'_1 = h_2`,
    :math:`h'_2 = x_t` (columns of ``W`` are :math:`[h_1, h_2, x]`), :math:`y = 2 h_1 + h_2`.
    The network computes the same outputs:

    >>> bool(np.allclose(rnn_forward(trace.weights, x)[0], rnn_forward(w, x)[0]))
    True
    """
    w = _check_weights(w)
    hs = _check_hidden_states(w, hidden_states)
    steps = _check_step_names("steps", steps)
    done = []
    for name in steps:
        try:
            if name == "whiten":
                step = whiten(w, hs)
            elif name == "jordan":
                step = jordan_normalize(w)
            elif name == "toeplitz":
                step = toeplitz_normalize(w)
            elif name == "debias":
                step = debias(w)
            else:
                step = quantize(w)
        except ConvergenceError as exc:
            step = NormalizerStep(name, w, None, f"ConvergenceError: {exc}")
        if step.T is not None:
            hs = np.linalg.solve(step.T, hs.T).T
        w = step.weights
        done.append(step)
    return NormalizerTrace(w, tuple(done), _zero_mask(w))
