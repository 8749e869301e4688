r"""Linear mapping number: a nonlinear complexity measure of a network.

Z. Liu, Z. Zhong and M. Tegmark, *Grokking as Compression: A Nonlinear
Complexity Perspective*, arXiv:2310.05918 (2023) [paper]. For a map
:math:`f:\mathbb R^{d_1}\to\mathbb R^{d_2}` and samples
:math:`x^{(1)},\dots,x^{(N)}`:

1. straight paths :math:`x^{(i,j)}(\lambda) = x^{(i)} + \lambda (x^{(j)} - x^{(i)})`
   at :math:`T = 21` equally spaced :math:`\lambda\in[0,1]` (eq. 1) [paper];
2. the linear connectivity (eq. 2, footnote 1) [paper]

   .. math:: L_{ij} = \frac{1}{d_2}\sum_{k=1}^{d_2} r^2\big(y_k^{(i,j)}(\lambda), \lambda\big),
             \qquad r^2(u, v) = \frac{(\langle uv\rangle - \langle u\rangle\langle v\rangle)^2}
             {(\langle u^2\rangle - \langle u\rangle^2)(\langle v^2\rangle - \langle v\rangle^2)},

   with :math:`L_{ii} = 1`;
3. normalised absolute eigenvalues :math:`\tilde\lambda_i = |\lambda_i| / \sum_j |\lambda_j|`
   of the symmetric (not positive semi-definite) :math:`L` [paper];
4. the entropy :math:`S = -\sum_i \tilde\lambda_i \log_2 \tilde\lambda_i` (bits) and
   :math:`\mathrm{LMN} = 2^{S}` (eq. 3) [paper].

An affine :math:`f` gives :math:`L = \mathbf 1 \mathbf 1^\top` and LMN = 1; :math:`c` equal
blocks of perfectly linear clusters give LMN = :math:`c` [paper]; :math:`1 \le
\mathrm{LMN} \le N` follows from :math:`0 \le S \le \log_2 N` [ours].

Conventions the paper leaves open [ours]: a coordinate whose variance over the
path is at most :math:`(10^{-12}(1 + \max_t |y_k|))^2` is *constant* and handled by
``const_policy`` (``"one"``: counts as linear; ``"skip"``: left out of the average,
1 if every coordinate is constant; ``"nan"``: :math:`L_{ij}` is NaN); :math:`r^2` is
evaluated two-pass on centred values, :math:`r^2_k = (\sum_t \lambda_{c,t}
\tilde y_{k,t})^2 / (\sum_t \lambda_{c,t}^2 \sum_t \tilde y_{k,t}^2)`; the spectrum
comes from :func:`numpy.linalg.eigh` of the symmetrised :math:`L` with
:math:`0 \log 0 = 0`.

Extreme magnitudes [ours]: a coordinate with :math:`\max_t |y_k| > 2^{256}` is divided
by a power of two before its moments are formed (exact, so :math:`r^2` and the
constant test are unchanged, but squares cannot overflow), and path points whose
difference :math:`x_j - x_i` would overflow are formed as :math:`(1-\lambda) x_i +
\lambda x_j`. The constant threshold keeps its absolute floor :math:`10^{-12}`: a
coordinate varying by less than that (e.g. outputs of size :math:`10^{-200}`) is
constant, so the invariance under :math:`y_k \to c_k y_k` holds only while
:math:`c_k y_k` stays above that floor.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from efttheory._arguments import as_finite_array, check_choice, check_finite_scalar, check_flag, check_integer
from efttheory.complexity import _kernels

__all__ = [
    "CONST_POLICIES",
    "MLP_ACTIVATIONS",
    "GrokkingPhases",
    "LMNResult",
    "grokking_phases",
    "interpolation_grid",
    "linear_connectivity",
    "linear_mapping_number",
    "lmn_from_connectivity",
    "mlp_linear_mapping_number",
]

#: Allowed values of ``const_policy``.
CONST_POLICIES = tuple(_kernels.CONST_POLICY_CODES)
#: Activations understood by :func:`mlp_linear_mapping_number`.
MLP_ACTIVATIONS = tuple(_kernels.ACTIVATION_CODES)
#: Tolerance on the symmetry and unit diagonal of a connectivity matrix.
CONNECTIVITY_ATOL = 1e-12


# ----------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LMNResult:
    r"""Linear mapping number of a map on a sample set.

    Attributes
    ----------
    lmn : float
        :math:`2^{S}` (NaN when ``const_policy="nan"`` met a constant coordinate).
    entropy_bits : float
        :math:`S = -\sum_i \tilde\lambda_i \log_2 \tilde\lambda_i`.
    eigenvalues : ndarray, shape (N,)
        Eigenvalues of :math:`L` in ascending order (may be negative).
    weights : ndarray, shape (N,)
        :math:`\tilde\lambda_i = |\lambda_i| / \sum_j |\lambda_j|`.
    n_samples : int
        :math:`N`.
    n_lambda : int or None
        Points per path :math:`T` (None when built from a given matrix).
    connectivity : ndarray, shape (N, N), or None
        :math:`L` itself, or None when not kept.
    """

    lmn: float
    entropy_bits: float
    eigenvalues: np.ndarray = field(repr=False)
    weights: np.ndarray = field(repr=False)
    n_samples: int
    n_lambda: int | None
    connectivity: np.ndarray | None = field(repr=False, default=None)

    def __repr__(self) -> str:
        return f"LMN={self.lmn:.4g} (S={self.entropy_bits:.4g} bits, N={self.n_samples})"


@dataclass(frozen=True)
class GrokkingPhases:
    """Ends of the memorising and generalising phases of a training run.

    Attributes
    ----------
    t_mem : int or float or None
        First logged step with train accuracy >= threshold (None if never).
    t_gen : int or float or None
        First logged step with train *and* test accuracy >= threshold (None if never).
    threshold : float
        The accuracy threshold used.
    """

    t_mem: int | float | None
    t_gen: int | float | None
    threshold: float = 1.0

    @property
    def delay(self):
        """``t_gen - t_mem`` when both exist, else None."""
        if self.t_mem is None or self.t_gen is None:
            return None
        return self.t_gen - self.t_mem

    def __repr__(self) -> str:
        return f"GrokkingPhases(t_mem={self.t_mem}, t_gen={self.t_gen}, threshold={self.threshold:g})"


# ----------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------


def interpolation_grid(n_lambda: int = 21) -> np.ndarray:
    r"""The path parameters :math:`\lambda_t = t/(T-1)`, :math:`t = 0..T-1` (paper: :math:`T = 21`).

    Parameters
    ----------
    n_lambda : int, default 21
        Number of points :math:`T` per path, an integer :math:`T \ge 3` (paper: 21).

    Returns
    -------
    ndarray, shape (n_lambda,)
        Equally spaced float64 values from 0 to 1, both ends included.

    Raises
    ------
    TypeError
        ``n_lambda`` is not an integer (bools are rejected).
    ValueError
        ``n_lambda`` is smaller than 3.

    Examples
    --------
    >>> from efttheory.complexity import interpolation_grid
    >>> interpolation_grid(5).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    >>> interpolation_grid().size  # the paper's T = 21 points per path
    21
    """
    n_lambda = check_integer("n_lambda", n_lambda, minimum=3)
    return np.linspace(0.0, 1.0, n_lambda)


def _samples(X, name: str = "X") -> np.ndarray:
    X = as_finite_array(name, X, ndim=(1, 2))
    if X.ndim == 1:
        X = X[:, None]
    if X.shape[0] < 2:
        raise ValueError(f"{name} must hold at least 2 samples (rows), got shape {X.shape}")
    if X.shape[1] < 1:
        raise ValueError(f"{name} must have at least one column, got shape {X.shape}")
    return np.ascontiguousarray(X)


def _policy(const_policy) -> int:
    check_choice("const_policy", const_policy, CONST_POLICIES)
    return _kernels.CONST_POLICY_CODES[const_policy]


def _evaluate(f, points: np.ndarray, d_out: int | None) -> np.ndarray:
    """``f(points)`` as an (n, d_out) float64 array, with clear errors."""
    out = f(points)
    what = type(out).__name__
    try:
        raw = np.asarray(out)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"f must return an array of real numbers, got {what}") from exc
    kind = raw.dtype.kind
    if not (kind in "biuf" or (kind == "O" and all(isinstance(v, numbers.Real) for v in raw.flat))):
        # complex parts would be dropped and strings parsed by a plain float conversion
        raise TypeError(f"f must return an array of real numbers (bool, int or float), got {what} "
                        f"of dtype {raw.dtype}")
    try:
        out = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise TypeError(f"f must return an array of real numbers, got {what} of dtype {raw.dtype}") from exc
    n = points.shape[0]
    if out.ndim == 1 and out.shape[0] == n:
        out = out[:, None]
    if out.ndim != 2 or out.shape[0] != n or out.shape[1] < 1:
        raise ValueError(
            f"f must map an array of shape ({n}, {points.shape[1]}) to shape ({n}, d_out) or "
            f"({n},), got shape {out.shape}"
        )
    if d_out is not None and out.shape[1] != d_out:
        raise ValueError(f"f returned {out.shape[1]} output columns, earlier calls gave {d_out}")
    if not np.all(np.isfinite(out)):
        bad = int(out.size - np.count_nonzero(np.isfinite(out)))
        raise ValueError(f"f returned {bad} NaN or infinite value(s) on the interpolation paths")
    return out


# ----------------------------------------------------------------------------
# r^2 and connectivity (NumPy reference path)
# ----------------------------------------------------------------------------


def _r2_batch(Y: np.ndarray, lam_c: np.ndarray, policy: int) -> np.ndarray:
    """Mean r^2 per path for outputs ``Y`` of shape (P, T, d)."""
    n_t = Y.shape[1]
    peak = np.abs(Y).max(axis=1)
    unit = 1.0
    if np.any(peak > _kernels.RESCALE_ABOVE):
        # divide huge coordinates by a power of two (exact) so the squares cannot overflow
        unit = np.where(peak > _kernels.RESCALE_ABOVE, np.ldexp(1.0, -np.frexp(peak)[1]), 1.0)
        Y = Y * unit[:, None, :]
        peak = peak * unit
    yc = Y - Y.mean(axis=1, keepdims=True)
    s_ly = np.einsum("t,ptk->pk", lam_c, yc)
    s_yy = np.einsum("ptk,ptk->pk", yc, yc)
    thr = _kernels.CONSTANT_RTOL * (unit + peak)
    constant = s_yy / n_t <= thr * thr
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = s_ly * s_ly / (np.dot(lam_c, lam_c) * s_yy)
    if policy == 0:
        return np.where(constant, 1.0, r2).mean(axis=1)
    if policy == 2:
        value = r2.mean(axis=1)
        value[constant.any(axis=1)] = np.nan
        return value
    kept = ~constant
    count = kept.sum(axis=1)
    total = np.where(kept, r2, 0.0).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), 1.0)


def linear_connectivity(f, X, *, n_lambda: int = 21, const_policy: str = "one",
                        batch_pairs: int = 4096) -> np.ndarray:
    r"""Linear connectivity matrix :math:`L` of a vectorised map on a sample set.

    .. math:: L_{ij} = \frac{1}{d_2}\sum_{k} r^2\big(f_k(x^{(i)} + \lambda(x^{(j)} - x^{(i)})),
              \lambda\big), \qquad L_{ii} = 1

    (Liu, Zhong & Tegmark, arXiv:2310.05918, eqs. 1-2 and footnote 1) [paper].

    Parameters
    ----------
    f : callable
        Vectorised map, ``f(points)`` with points of shape (n, d_1) returns (n, d_2)
        (or (n,) for a scalar map). Any framework works as long as it returns an array.
    X : array_like, shape (N, d_1) or (N,)
        Samples in f's input space, finite, :math:`N \ge 2`.
    n_lambda : int
        Points per path :math:`T \ge 3` (paper: 21).
    const_policy : {"one", "skip", "nan"}
        Treatment of coordinates constant along a path [ours]; see the module notes.
    batch_pairs : int
        Pairs evaluated per call of ``f``; memory is
        :math:`O(\text{batch\_pairs}\cdot T\cdot(d_1 + d_2) + N^2)`.

    Returns
    -------
    ndarray, shape (N, N)
        Symmetric, unit diagonal, entries in [0, 1] (NaN entries only with ``"nan"``).

    Raises
    ------
    ValueError
        Fewer than two samples, non-finite samples or outputs, ``f`` returning the wrong shape.
    TypeError
        ``f`` not callable, or returning anything but real numbers (complex, strings, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.complexity import linear_connectivity
    >>> x = np.array([-1.0, -0.5, 0.5, 1.0])  # |x| is linear on each side of its kink at 0
    >>> np.round(linear_connectivity(np.abs, x), 2).tolist()  # same side: 1; mirror pairs: 0
    [[1.0, 1.0, 0.54, 0.0], [1.0, 1.0, 0.0, 0.54], [0.54, 0.0, 1.0, 1.0], [0.0, 0.54, 1.0, 1.0]]
    >>> bool(np.allclose(linear_connectivity(lambda z: 2.0 * z + 1.0, x), 1.0))  # affine: all ones
    True
    """
    if not callable(f):
        raise TypeError(f"f must be a callable mapping (n, d_1) arrays to (n, d_2), got {f!r}")
    X = _samples(X)
    lam = interpolation_grid(n_lambda)
    policy = _policy(const_policy)
    batch_pairs = check_integer("batch_pairs", batch_pairs, minimum=1)
    n, d1 = X.shape
    lam_c = lam - lam.mean()
    rows, cols = np.triu_indices(n, k=1)
    L = np.eye(n)
    d_out = None
    # x_j - x_i overflows only for samples near the float64 limit; then use the
    # equivalent (1 - lambda) x_i + lambda x_j, which cannot.
    with np.errstate(over="ignore"):
        wide = not np.all(np.isfinite(X.max(axis=0) - X.min(axis=0)))
    for start in range(0, rows.size, batch_pairs):
        i = rows[start:start + batch_pairs]
        j = cols[start:start + batch_pairs]
        xi = X[i][:, None, :]
        if wide:
            lt = lam[None, :, None]
            points = (1.0 - lt) * xi + lt * X[j][:, None, :]
        else:
            points = xi + lam[None, :, None] * (X[j][:, None, :] - xi)
        out = _evaluate(f, points.reshape(-1, d1), d_out)
        d_out = out.shape[1]
        values = _r2_batch(out.reshape(i.size, lam.size, d_out), lam_c, policy)
        L[i, j] = values
        L[j, i] = values
    return L


# ----------------------------------------------------------------------------
# spectrum and LMN
# ----------------------------------------------------------------------------


def _readonly(a):
    if a is not None:
        a.flags.writeable = False
    return a


def _spectrum(L: np.ndarray, n_lambda, keep: bool) -> LMNResult:
    n = L.shape[0]
    if not np.all(np.isfinite(L)):
        nan = np.full(n, np.nan)
        return LMNResult(float("nan"), float("nan"), _readonly(nan), _readonly(nan.copy()), n,
                         n_lambda, _readonly(L) if keep else None)
    sym = 0.5 * (L + L.T)
    eigenvalues = np.linalg.eigh(sym)[0]
    magnitude = np.abs(eigenvalues)
    weights = magnitude / magnitude.sum()
    positive = weights > 0.0
    entropy = float(-np.sum(weights[positive] * np.log2(weights[positive])))
    entropy = max(entropy, 0.0)
    return LMNResult(float(2.0 ** entropy), entropy, _readonly(eigenvalues), _readonly(weights), n,
                     n_lambda, _readonly(L) if keep else None)


def lmn_from_connectivity(L, *, n_lambda: int | None = None, keep_connectivity: bool = True) -> LMNResult:
    r"""Entropy and linear mapping number of a connectivity matrix.

    .. math:: \tilde\lambda_i = \frac{|\lambda_i(L)|}{\sum_j |\lambda_j(L)|},\qquad
              S = -\sum_i \tilde\lambda_i \log_2 \tilde\lambda_i,\qquad \mathrm{LMN} = 2^{S}

    (arXiv:2310.05918, eq. 3) [paper]; ``eigh`` of the symmetrised matrix and
    :math:`0\log 0 = 0` [ours].

    Parameters
    ----------
    L : array_like, shape (N, N)
        A linear connectivity matrix: finite, square, :math:`N \ge 2`, symmetric within
        1e-12, unit diagonal within 1e-12, every entry in [0, 1] within 1e-12 (mean
        :math:`r^2` values, as :func:`linear_connectivity` returns).
    n_lambda : int, optional
        Points per path that produced ``L`` (recorded in the result only).
    keep_connectivity : bool
        Store ``L`` in the result (set False to save memory).

    Returns
    -------
    LMNResult

    Raises
    ------
    ValueError
        ``L`` not square, asymmetric, off the unit diagonal, or with an entry outside [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.complexity import lmn_from_connectivity
    >>> L = np.kron(np.eye(3), np.ones((2, 2)))  # 3 clusters of 2 samples, linear only within a cluster
    >>> r = lmn_from_connectivity(L)  # eigenvalues 2, 2, 2, 0, 0, 0, so S = log2(3)
    >>> round(r.lmn, 6), round(r.entropy_bits, 6)
    (3.0, 1.584963)
    >>> [round(lmn_from_connectivity(M).lmn, 6) for M in (np.ones((6, 6)), np.eye(6))]  # the bounds 1 and N
    [1.0, 6.0]
    """
    L = as_finite_array("L", L, ndim=2)
    if L.shape[0] != L.shape[1] or L.shape[0] < 2:
        raise ValueError(f"L must be a square matrix with N >= 2, got shape {L.shape}")
    asym = float(np.max(np.abs(L - L.T)))
    if asym > CONNECTIVITY_ATOL:
        raise ValueError(f"L must be symmetric within {CONNECTIVITY_ATOL}, got max |L - L^T| = {asym:.3g}")
    diag = float(np.max(np.abs(np.diag(L) - 1.0)))
    if diag > CONNECTIVITY_ATOL:
        raise ValueError(f"L must have a unit diagonal within {CONNECTIVITY_ATOL}, got max |L_ii - 1| = {diag:.3g}")
    low, high = float(L.min()), float(L.max())
    if low < -CONNECTIVITY_ATOL or high > 1.0 + CONNECTIVITY_ATOL:
        raise ValueError(f"L must have every entry in [0, 1] (within {CONNECTIVITY_ATOL}), "
                         f"got entries in [{low:.6g}, {high:.6g}]")
    if n_lambda is not None:
        n_lambda = check_integer("n_lambda", n_lambda, minimum=3)
    return _spectrum(L.copy(), n_lambda, check_flag("keep_connectivity", keep_connectivity))


def linear_mapping_number(f, X, *, n_lambda: int = 21, const_policy: str = "one",
                          batch_pairs: int = 4096, keep_connectivity: bool = True) -> LMNResult:
    r"""Linear mapping number :math:`\mathrm{LMN} = 2^{S}` of a vectorised map on samples ``X``.

    Combines :func:`linear_connectivity` (eqs. 1-2) and :func:`lmn_from_connectivity`
    (eq. 3) of Liu, Zhong & Tegmark, arXiv:2310.05918 [paper]:

    .. math:: \mathrm{LMN} = 2^{-\sum_i \tilde\lambda_i \log_2 \tilde\lambda_i},\qquad
              \tilde\lambda_i = |\lambda_i(L)| / \textstyle\sum_j |\lambda_j(L)|.

    Parameters
    ----------
    f : callable
        ``f(points)``: (n, d_1) -> (n, d_2) or (n,).
    X : array_like, shape (N, d_1) or (N,)
        Samples, :math:`N \ge 2`, finite.
    n_lambda, const_policy, batch_pairs
        As in :func:`linear_connectivity`.
    keep_connectivity : bool
        Store :math:`L` in the result.

    Returns
    -------
    LMNResult
        ``LMN=... (S=... bits, N=...)``; :math:`1 \le \mathrm{LMN} \le N`.

    Examples
    --------
    >>> import numpy as np
    >>> linear_mapping_number(lambda x: 3.0 * x + 1.0, np.linspace(-1, 1, 20)).lmn  # doctest: +ELLIPSIS
    1.0...
    """
    keep = check_flag("keep_connectivity", keep_connectivity)
    L = linear_connectivity(f, X, n_lambda=n_lambda, const_policy=const_policy, batch_pairs=batch_pairs)
    return _spectrum(L, int(n_lambda), keep)


# ----------------------------------------------------------------------------
# MLP fast path
# ----------------------------------------------------------------------------


def _mlp_layers(H0, weights, biases, activations):
    H0 = _samples(H0, "H0")
    if isinstance(activations, str) or not hasattr(activations, "__len__"):
        raise TypeError(f"activations must be a sequence of names from {MLP_ACTIVATIONS}, got {activations!r}")
    if not hasattr(weights, "__len__") or not hasattr(biases, "__len__"):
        raise TypeError("weights and biases must be sequences of arrays")
    n_layers = len(weights)
    if n_layers < 1 or len(biases) != n_layers or len(activations) != n_layers:
        raise ValueError(
            "weights, biases and activations must be non-empty sequences of equal length, got "
            f"{len(weights)}, {len(biases)} and {len(activations)}"
        )
    ws, bs, codes = [], [], []
    fan_in = H0.shape[1]
    for layer in range(n_layers):
        w = as_finite_array(f"weights[{layer}]", weights[layer], ndim=2)
        b = as_finite_array(f"biases[{layer}]", biases[layer], ndim=1)
        if w.shape[0] != fan_in:
            raise ValueError(f"weights[{layer}] must have shape ({fan_in}, fan_out) (x @ W convention), got {w.shape}")
        if b.shape != (w.shape[1],):
            raise ValueError(f"biases[{layer}] must have shape ({w.shape[1]},), got {b.shape}")
        name = check_choice(f"activations[{layer}]", activations[layer], MLP_ACTIVATIONS)
        ws.append(w)
        bs.append(b)
        codes.append(_kernels.ACTIVATION_CODES[name])
        fan_in = w.shape[1]
    if fan_in < 1:
        raise ValueError(f"weights[{n_layers - 1}] must have at least one output column (d_out >= 1), "
                         f"got shape {ws[-1].shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        z1 = H0 @ ws[0] + bs[0]
    if not np.all(np.isfinite(z1)):
        raise ValueError("H0 @ weights[0] + biases[0] overflows float64 (the first layer's pre-activations "
                         "must be finite); rescale H0 or weights[0]")
    return H0, ws, bs, codes


def _mlp_forward(ws, bs, names):
    def forward(x):
        a = x
        for w, b, name in zip(ws, bs, names):
            a = a @ w + b
            if name == "relu":
                a = np.maximum(a, 0.0)
            elif name == "silu":
                with np.errstate(over="ignore"):
                    a = a / (1.0 + np.exp(-a))
            elif name == "tanh":
                a = np.tanh(a)
        return a

    return forward


def mlp_linear_mapping_number(H0, weights, biases, activations, *, n_lambda: int = 21,
                              const_policy: str = "one", backend: str = "numba",
                              keep_connectivity: bool = True, batch_pairs: int = 4096) -> LMNResult:
    r"""LMN of a chain of affine maps and activations, the fast path for trained MLPs.

    The analysed map is :math:`f = \sigma_L \circ A_L \circ \dots \circ \sigma_1 \circ A_1`
    with :math:`A_l(h) = h W_l + b_l`, e.g. the grokking map *first hidden layer ->
    logits* (arXiv:2310.05918, section 3) [paper]: ``H0 = h1`` samples with
    ``weights=(W2, W3)``, ``biases=(b2, b3)``, ``activations=("silu", "identity")``,
    which reads the first hidden layer as the post-activation :math:`h_1` of a net
    with two SiLU hidden layers [ours].
    The Numba backend streams the :math:`N(N-1)/2` pairs through the layers with
    :math:`O(N^2 + N d_1 + T d_{\max})` memory, using that :math:`A_1` maps straight
    paths to straight paths [ours].

    Parameters
    ----------
    H0 : array_like, shape (N, d_0)
        Samples in the chain's input space, :math:`N \ge 2`.
    weights : sequence of array_like, shapes (d_{l-1}, d_l)
        Weight matrices in the ``h @ W`` convention (PyTorch's ``Linear.weight.T``).
    biases : sequence of array_like, shapes (d_l,)
    activations : sequence of {"silu", "relu", "tanh", "identity"}
        Activation after each affine map (``"identity"`` for the logits).
    n_lambda, const_policy
        As in :func:`linear_connectivity`.
    backend : {"numba", "numpy"}
        ``"numba"``: the parallel streaming kernel; ``"numpy"``: the batched NumPy
        reference :func:`linear_connectivity` on the same map.
    keep_connectivity : bool
        Store :math:`L` in the result.
    batch_pairs : int
        Pairs per batch for the NumPy backend.

    Returns
    -------
    LMNResult

    Raises
    ------
    ValueError
        Bad shapes or names, a last layer with no output column, first-layer
        pre-activations ``H0 @ weights[0] + biases[0]`` that overflow, or activations
        that overflow to NaN or infinity along a path (on both backends).

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.complexity import mlp_linear_mapping_number
    >>> rng = np.random.default_rng(0)  # a 2-16-1 tanh network on 20 inputs
    >>> H0, W1, b1, W2 = (rng.normal(size=shape) for shape in [(20, 2), (2, 16), 16, (16, 1)])
    >>> b2 = np.zeros(1)
    >>> for s in (0.1, 1.0, 10.0):  # small weights keep tanh nearly linear: LMN -> 1
    ...     res = mlp_linear_mapping_number(H0, [s * W1, W2], [s * b1, b2], ["tanh", "identity"])
    ...     print(s, round(res.lmn, 2))
    0.1 1.03
    1.0 5.03
    10.0 9.07
    """
    H0, ws, bs, codes = _mlp_layers(H0, weights, biases, activations)
    lam = interpolation_grid(n_lambda)
    policy = _policy(const_policy)
    check_choice("backend", backend, ("numba", "numpy"))
    keep = check_flag("keep_connectivity", keep_connectivity)
    check_integer("batch_pairs", batch_pairs, minimum=1)  # used by the NumPy backend only
    if backend == "numpy":
        names = [str(a) for a in activations]
        return linear_mapping_number(_mlp_forward(ws, bs, names), H0, n_lambda=n_lambda,
                                     const_policy=const_policy, batch_pairs=batch_pairs,
                                     keep_connectivity=keep_connectivity)
    w_flat = np.concatenate([w.ravel() for w in ws])
    b_flat = np.concatenate(bs)
    w_off = np.cumsum([0] + [w.size for w in ws[:-1]]).astype(np.int64)
    b_off = np.cumsum([0] + [b.size for b in bs[:-1]]).astype(np.int64)
    sizes = np.array([H0.shape[1]] + [w.shape[1] for w in ws], dtype=np.int64)
    L = _kernels.lc_mlp(H0, w_flat, b_flat, w_off, b_off, sizes, np.array(codes, dtype=np.int64),
                        lam, policy)
    bad = int(np.count_nonzero(L == _kernels.NONFINITE))
    if bad:
        raise ValueError(f"the network returned NaN or infinite values on {bad // 2} of the "
                         f"interpolation paths (activations overflow float64); rescale H0 or the weights")
    return _spectrum(L, lam.size, keep)


# ----------------------------------------------------------------------------
# training phases
# ----------------------------------------------------------------------------


def grokking_phases(steps, train_acc, test_acc, *, threshold: float = 1.0) -> GrokkingPhases:
    r"""Memorisation and generalisation steps of a logged training run.

    The paper's phases (arXiv:2310.05918, section 3) [paper]: *memorising* until
    train accuracy reaches 100 %, *generalising* until test accuracy reaches 100 %,
    then *finalising*. Here [ours] :math:`t_{\rm mem}` is the first logged step with
    train accuracy :math:`\ge` ``threshold`` and :math:`t_{\rm gen}` the first logged
    step with train *and* test accuracy :math:`\ge` ``threshold`` (so
    :math:`t_{\rm mem} \le t_{\rm gen}` whenever both exist).

    Parameters
    ----------
    steps : array_like, shape (n,)
        Logged steps, finite and strictly increasing (integer steps are compared and
        returned exactly, also beyond :math:`2^{53}`).
    train_acc, test_acc : array_like, shape (n,)
        Accuracies in [0, 1] at those steps.
    threshold : float
        Accuracy that counts as reached, in (0, 1]; 1.0 is the paper's 100 %
        (0.99 is a common relaxed variant).

    Returns
    -------
    GrokkingPhases

    Examples
    --------
    >>> from efttheory.complexity import grokking_phases
    >>> steps = [0, 100, 200, 300, 400]
    >>> phases = grokking_phases(steps, [0.5, 1.0, 1.0, 1.0, 1.0], [0.1, 0.2, 0.6, 1.0, 1.0])
    >>> phases  # train reaches 100 % at step 100, test at step 300
    GrokkingPhases(t_mem=100, t_gen=300, threshold=1)
    >>> phases.delay
    200
    """
    try:
        given = np.asarray(steps)
    except Exception:  # as_finite_array reports it
        given = None
    steps = as_finite_array("steps", steps, ndim=1, min_size=1)
    n = steps.size
    # integer steps keep their exact values (float64 would merge steps beyond 2**53)
    exact = given if given is not None and given.dtype.kind in "iu" and given.shape == steps.shape else None
    train_acc = as_finite_array("train_acc", train_acc, shape=(n,))
    test_acc = as_finite_array("test_acc", test_acc, shape=(n,))
    threshold = check_finite_scalar("threshold", threshold)
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must lie in (0, 1], got {threshold}")
    if exact is not None:
        increasing = bool(np.all(exact[1:] > exact[:-1]))
    else:
        increasing = bool(np.all(np.diff(steps) > 0))
    if n > 1 and not increasing:
        raise ValueError("steps must be strictly increasing")
    for name, acc in (("train_acc", train_acc), ("test_acc", test_acc)):
        if acc.min() < 0.0 or acc.max() > 1.0:
            raise ValueError(f"{name} must lie in [0, 1], got values in [{acc.min()}, {acc.max()}]")
    raw = steps if exact is None else exact
    as_int = exact is not None or bool(np.all(raw == np.round(raw)))

    def first(mask):
        hits = np.flatnonzero(mask)
        if hits.size == 0:
            return None
        value = raw[hits[0]]
        return int(value) if as_int else float(value)

    memorised = train_acc >= threshold
    return GrokkingPhases(first(memorised), first(memorised & (test_acc >= threshold)), threshold)
