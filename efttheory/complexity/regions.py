r"""Exact linear-region counts of ReLU networks with one- or two-dimensional input.

A ReLU network :math:`f(x) = A_L \circ \mathrm{ReLU} \circ A_{L-1} \circ \dots \circ
\mathrm{ReLU} \circ A_1(x)`, :math:`A_l(h) = h W_l + b_l`, is affine on each set of
inputs that share one activation pattern. The linear mapping number generalises
the count of these *linear regions* to smooth activations (Liu, Zhong & Tegmark,
arXiv:2310.05918, section 2) [paper]; the exact counts here let that claim be
checked directly.

Algorithm [ours]: carry a partition of the input domain (intervals in 1-D,
convex polygons in 2-D) on which the current hidden layer is affine,
:math:`h(x) = p + x Q`. For each layer, every pre-activation
:math:`z_k(x) = (p W + b)_k + x (Q W)_k` is affine on each cell, so its zero set
is a point (1-D) or a line (2-D); cells are cut there, and the ReLU pattern of
each new cell (read at its centre) gives the next affine map. The number of
final cells is the number of *activation regions* inside the domain; adjacent
1-D pieces with the same affine output are also merged into *affine pieces*.

Tolerances [ours]: every coefficient carries a rounding-error scale, :data:`CUT_RTOL`
times the sum of the absolute values of the terms that produced it (running error
analysis: :math:`|p|\,|W| + |b|` layer by layer). A neuron cuts a cell only where its
sign change is larger than that scale, and 1-D cuts closer to each other than their
error scales are one cut. Every tolerance is therefore relative and scales with the
network: multiplying the weights of every layer by :math:`s` and the biases of layer
:math:`l` by :math:`s^l`, multiplying the output layer alone, or shrinking the domain
together with the inverse first-layer weights, gives the same counts. While the
accumulated rounding stays below that scale (sums of up to a few thousand terms), the
counts are the exact ones except where two distinct kinks, or a kink and the domain
boundary, lie closer than about :math:`10^{-12}` times the magnitude of the quantities
involved; e.g. an interval narrower than about :math:`10^{-12}` times its distance from
the origin keeps no cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from efttheory._arguments import as_finite_array, check_finite_scalar

__all__ = ["LinearRegions1D", "LinearRegions2D", "relu_linear_regions_1d", "relu_linear_regions_2d"]

#: Relative tolerance (times the magnitude of the terms summed) used to decide that a cut lies
#: strictly inside a cell and that two 1-D cuts are distinct.
CUT_RTOL = 1e-12
#: Relative tolerance (times the magnitude of the terms summed) under which two adjacent 1-D
#: pieces have the same slope and intercept.
AFFINE_RTOL = 1e-9
#: Largest |pre-activation| at a 2-D cell's vertex the polygon clipping supports
#: (differences of two such values must stay finite).
MAX_VALUE = 2.0**1020
#: Largest rectangle area accepted by :func:`relu_linear_regions_2d`.
MAX_AREA = 1e300


@dataclass(frozen=True, eq=False)
class LinearRegions1D:
    """Activation regions of a ReLU network on an interval.

    Attributes
    ----------
    n_regions : int
        Number of activation regions (pieces with one ReLU pattern) in the interval.
    n_affine_pieces : int
        Pieces after merging neighbours with the same affine output (<= ``n_regions``).
    breakpoints : ndarray, shape (n_regions + 1,)
        Piece boundaries, including both interval ends.
    slopes, intercepts : ndarray, shape (n_regions, d_out)
        :math:`f(x) = \\text{intercept} + \\text{slope}\\, x` on each piece.
    """

    n_regions: int
    n_affine_pieces: int
    breakpoints: np.ndarray = field(repr=False)
    slopes: np.ndarray = field(repr=False)
    intercepts: np.ndarray = field(repr=False)

    def __repr__(self) -> str:
        return f"LinearRegions1D(n_regions={self.n_regions}, n_affine_pieces={self.n_affine_pieces})"


@dataclass(frozen=True, eq=False)
class LinearRegions2D:
    """Activation regions of a ReLU network on a rectangle.

    Attributes
    ----------
    n_regions : int
        Number of activation regions (convex polygons with one ReLU pattern).
    polygons : tuple of ndarray
        Vertices (m, 2) of each region, counter-clockwise.
    areas : ndarray, shape (n_regions,)
        Area of each region (they sum to the rectangle's area).
    """

    n_regions: int
    polygons: tuple = field(repr=False)
    areas: np.ndarray = field(repr=False)

    def __repr__(self) -> str:
        return f"LinearRegions2D(n_regions={self.n_regions})"


def _relu_layers(weights, biases, d_in: int):
    if not hasattr(weights, "__len__") or not hasattr(biases, "__len__"):
        raise TypeError("weights and biases must be sequences of arrays")
    if len(weights) < 1 or len(weights) != len(biases):
        raise ValueError(f"weights and biases must be non-empty sequences of equal length, got "
                         f"{len(weights)} and {len(biases)}")
    ws, bs = [], []
    fan_in = d_in
    for layer, (w, b) in enumerate(zip(weights, biases)):
        w = as_finite_array(f"weights[{layer}]", w, ndim=2)
        b = as_finite_array(f"biases[{layer}]", b, ndim=1)
        if w.shape[0] != fan_in:
            raise ValueError(f"weights[{layer}] must have shape ({fan_in}, fan_out) (x @ W convention), got {w.shape}")
        if b.shape != (w.shape[1],):
            raise ValueError(f"biases[{layer}] must have shape ({w.shape[1]},), got {b.shape}")
        ws.append(w)
        bs.append(b)
        fan_in = w.shape[1]
    if fan_in < 1:
        raise ValueError(f"weights[{len(ws) - 1}] must have at least one output column (d_out >= 1), "
                         f"got shape {ws[-1].shape}")
    return ws, bs


def _overflow(layer: int, where: str):
    return ValueError(f"the affine map of layer {layer} (weights[{layer}], biases[{layer}]) overflows float64 "
                      f"on the {where}; rescale the weights, biases or {where}")


def _interval(name, value):
    try:
        lo, hi = value
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a pair (lo, hi), got {value!r}") from exc
    lo = check_finite_scalar(f"{name}[0]", lo)
    hi = check_finite_scalar(f"{name}[1]", hi)
    if not hi > lo:
        raise ValueError(f"{name} must satisfy lo < hi, got ({lo}, {hi})")
    return lo, hi


def _merge_close(cuts: np.ndarray, err: np.ndarray) -> np.ndarray:
    """Sorted cuts, one per run of cuts that lie within each other's error scale ``err``.

    Each run is represented by its best-determined cut (smallest ``err``).
    """
    order = np.argsort(cuts, kind="stable")
    cuts, err = cuts[order], err[order]
    kept, start = [], 0
    for k in range(1, cuts.size + 1):
        if k == cuts.size or cuts[k] - cuts[k - 1] > max(err[k], err[k - 1]):
            kept.append(cuts[start + int(np.argmin(err[start:k]))])
            start = k
    return np.array(kept)


def relu_linear_regions_1d(weights, biases, *, interval=(-1.0, 1.0)) -> LinearRegions1D:
    r"""Exact activation regions of a ReLU network :math:`\mathbb R \to \mathbb R^{d}` on an interval.

    Every layer but the last is followed by ReLU; the last is affine (logits).
    On a piece where :math:`h(x) = p + q x`, neuron :math:`k` of the next layer
    switches at :math:`x^* = -(pW + b)_k / (qW)_k` [ours].

    Exact up to float rounding [ours]: a root within its rounding-error scale
    (:data:`CUT_RTOL` times the magnitude of the terms that produced it) of a piece's
    end is not a cut, roots within each other's error scale are one cut (neurons that
    switch at the same input, e.g. exact multiples of one another), and neighbouring
    pieces whose slopes and intercepts agree to :data:`AFFINE_RTOL` times their
    magnitudes are one affine piece. All three tolerances are relative, so rescaling a
    layer or the output changes no count. Kinks closer together than about
    :math:`10^{-12}` times the magnitude of the quantities involved are merged: an
    interval narrower than about :math:`10^{-12} \max(|lo|, |hi|)` has one region.

    Parameters
    ----------
    weights : sequence of array_like, shapes (d_{l-1}, d_l), ``d_0 = 1``
        ``h @ W`` convention.
    biases : sequence of array_like, shapes (d_l,)
    interval : (float, float)
        Domain :math:`[lo, hi]`.

    Returns
    -------
    LinearRegions1D

    Raises
    ------
    ValueError
        Bad shapes, a last layer with no output column, or an affine map whose
        coefficients (slope or intercept of a piece) overflow float64.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.complexity import relu_linear_regions_1d
    >>> W1, b1 = np.array([[1.0, -1.0]]), np.array([-0.5, 0.5])  # relu(x - 0.5), relu(0.5 - x)
    >>> W2, b2 = np.array([[1.0], [1.0]]), np.zeros(1)  # their sum is |x - 0.5|: one kink
    >>> r = relu_linear_regions_1d([W1, W2], [b1, b2], interval=(-2.0, 2.0))
    >>> r.n_regions, r.breakpoints.tolist(), r.slopes.ravel().tolist()
    (2, [-2.0, 0.5, 2.0], [-1.0, 1.0])
    """
    lo, hi = _interval("interval", interval)
    ws, bs = _relu_layers(weights, biases, 1)
    # pieces: (x0, x1, p (d,), q (d,), ep (d,), eq (d,)) with h(x) = p + q x on [x0, x1] and ep, eq the
    # rounding-error scales of p and q (CUT_RTOL times the sums of |terms| that produced them)
    pieces = [(lo, hi, np.zeros(1), np.ones(1), np.zeros(1), np.full(1, CUT_RTOL))]
    for layer, (w, b) in enumerate(zip(ws[:-1], bs[:-1])):
        aw, eb = np.abs(w), CUT_RTOL * np.abs(b)
        new = []
        for x0, x1, p, q, ep, eq in pieces:
            with np.errstate(over="ignore", invalid="ignore"):
                zp = p @ w + b
                zq = q @ w
                ezp = ep @ aw + eb
                ezq = eq @ aw
            if not (np.all(np.isfinite(zp)) and np.all(np.isfinite(zq))):
                raise _overflow(layer, "interval")
            # a neuron switches inside the piece when its slope is resolved and its root lies
            # farther than the root's error scale from both ends
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                resolved = np.abs(zq) > ezq
                roots = -zp[resolved] / zq[resolved]
                err = (ezp[resolved] + ezq[resolved] * np.abs(roots)) / np.abs(zq[resolved])
                inside = (roots - x0 > err) & (x1 - roots > err)
            cuts = _merge_close(roots[inside], err[inside])
            edges = np.concatenate([[x0], cuts, [x1]])
            for a0, a1 in zip(edges[:-1], edges[1:]):
                with np.errstate(over="ignore"):
                    mid = 0.5 * (a0 + a1)
                if not np.isfinite(mid):  # a0 + a1 overflowed (ends near the float64 limit)
                    mid = 0.5 * a0 + 0.5 * a1
                with np.errstate(over="ignore"):
                    mask = (zp + zq * mid) > 0.0
                new.append((a0, a1, np.where(mask, zp, 0.0), np.where(mask, zq, 0.0),
                            np.where(mask, ezp, 0.0), np.where(mask, ezq, 0.0)))
        pieces = new
    w, b = ws[-1], bs[-1]
    aw, eb = np.abs(w), CUT_RTOL * np.abs(b)
    with np.errstate(over="ignore", invalid="ignore"):
        intercepts = np.array([piece[2] @ w + b for piece in pieces])
        slopes = np.array([piece[3] @ w for piece in pieces])
        # rounding-error scales, turned from CUT_RTOL into AFFINE_RTOL units
        e_int = np.array([piece[4] @ aw + eb for piece in pieces]) * (AFFINE_RTOL / CUT_RTOL)
        e_slope = np.array([piece[5] @ aw for piece in pieces]) * (AFFINE_RTOL / CUT_RTOL)
    if not (np.all(np.isfinite(intercepts)) and np.all(np.isfinite(slopes))):
        raise _overflow(len(ws) - 1, "interval")
    breakpoints = np.array([pieces[0][0]] + [piece[1] for piece in pieces])
    # neighbours are one affine piece when every output's slope and intercept agree within their
    # error scales (differences of values near the float64 limit may overflow to inf: distinct)
    with np.errstate(over="ignore", invalid="ignore"):
        same_slope = np.abs(np.diff(slopes, axis=0)) <= np.maximum(e_slope[1:], e_slope[:-1])
        same_int = np.abs(np.diff(intercepts, axis=0)) <= np.maximum(e_int[1:], e_int[:-1])
    merged = 1 + int(np.sum(~np.all(same_slope & same_int, axis=1)))
    return LinearRegions1D(len(pieces), merged, breakpoints, slopes, intercepts)


def _clip(poly: np.ndarray, a: float, g: np.ndarray, sign: float, eps: float):
    """Part of the convex polygon ``poly`` where ``sign * (a + x @ g) >= 0``."""
    values = sign * (a + poly @ g)
    out = []
    m = poly.shape[0]
    for k in range(m):
        cur, nxt = poly[k], poly[(k + 1) % m]
        vc, vn = values[k], values[(k + 1) % m]
        if vc >= -eps:
            out.append(cur)
        if (vc > eps and vn < -eps) or (vc < -eps and vn > eps):
            t = vc / (vc - vn)
            out.append(cur + t * (nxt - cur))
    return np.array(out) if len(out) >= 3 else None


def _area(poly: np.ndarray) -> float:
    # shoelace relative to the first vertex: far from the origin the products x*y would overflow
    # or, for a small polygon, cancel to nothing (a box 1e-9 wide around (0.5, 0.25) had area 0)
    x, y = poly[:, 0] - poly[0, 0], poly[:, 1] - poly[0, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def relu_linear_regions_2d(weights, biases, *, box=((-1.0, 1.0), (-1.0, 1.0))) -> LinearRegions2D:
    r"""Exact activation regions of a ReLU network :math:`\mathbb R^2 \to \mathbb R^{d}` on a rectangle.

    Each cell is a convex polygon on which the hidden layer is :math:`h(x) = p + x Q`;
    the zero line of :math:`z_k = (pW + b)_k + x (QW)_{:,k}` cuts it in two when the
    line crosses its interior: vertex values of both signs beyond the values' rounding-error
    scale, :data:`CUT_RTOL` (1e-12) times the largest sum over a vertex :math:`v` of the
    magnitudes of the terms of :math:`z_k(v)` [ours]. The tolerance is relative, so
    rescaling a layer, the output, or the box together with the first layer changes no
    count; a line that passes closer than about :math:`10^{-12}` times those magnitudes to
    a vertex (e.g. a duplicate of an earlier neuron, or any line in a box narrower than
    :math:`10^{-12}` times its distance from the origin) does not cut.

    Parameters
    ----------
    weights : sequence of array_like, shapes (d_{l-1}, d_l), ``d_0 = 2``
    biases : sequence of array_like, shapes (d_l,)
    box : ((float, float), (float, float))
        :math:`[x_{lo}, x_{hi}] \times [y_{lo}, y_{hi}]`, area at most :data:`MAX_AREA`.

    Returns
    -------
    LinearRegions2D

    Raises
    ------
    ValueError
        Bad shapes, a last layer with no output column, a box with an area above
        :data:`MAX_AREA`, or pre-activations beyond :data:`MAX_VALUE` in magnitude
        at a cell's vertices.

    Examples
    --------
    >>> import numpy as np
    >>> from efttheory.complexity import relu_linear_regions_2d
    >>> W1, b1, W2, b2 = np.eye(2), np.zeros(2), np.ones((2, 1)), np.zeros(1)  # relu(x) + relu(y)
    >>> r = relu_linear_regions_2d([W1, W2], [b1, b2])  # the two axes cut [-1, 1]^2 into quadrants
    >>> r.n_regions, sorted(r.areas.tolist())
    (4, [1.0, 1.0, 1.0, 1.0])
    >>> W1, b1 = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.array([0.0, 0.0, -0.5])  # 3rd: x + y = 0.5
    >>> relu_linear_regions_2d([W1, np.ones((3, 1))], [b1, b2]).n_regions  # 3 lines in general position
    7
    """
    try:
        bx, by = box
    except (TypeError, ValueError) as exc:
        raise TypeError(f"box must be ((xlo, xhi), (ylo, yhi)), got {box!r}") from exc
    x0, x1 = _interval("box[0]", bx)
    y0, y1 = _interval("box[1]", by)
    with np.errstate(over="ignore"):
        width, height = x1 - x0, y1 - y0
        area = width * height
    if not (np.isfinite(width) and np.isfinite(height) and area <= MAX_AREA):
        raise ValueError(f"box must have finite sides and an area of at most {MAX_AREA:g}, got "
                         f"width {width:.6g}, height {height:.6g}, area {area:.6g}")
    ws, bs = _relu_layers(weights, biases, 2)
    square = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    # cells: (polygon, p (d,), Q (2, d), ep (d,), eQ (2, d)) with h(x) = p + x Q on the polygon and
    # ep, eQ the rounding-error scales of p and Q (CUT_RTOL times the sums of |terms| behind them)
    cells = [(square, np.zeros(2), np.eye(2), np.zeros(2), CUT_RTOL * np.eye(2))]
    for layer, (w, b) in enumerate(zip(ws[:-1], bs[:-1])):
        aw, eb = np.abs(w), CUT_RTOL * np.abs(b)
        new = []
        for poly, p, Q, ep, eQ in cells:
            with np.errstate(over="ignore", invalid="ignore"):
                zp = p @ w + b
                zq = Q @ w
                ezp = ep @ aw + eb
                ezq = eQ @ aw
                corners = zp + poly @ zq
            if not (np.all(np.isfinite(zq)) and np.all(np.abs(corners) <= MAX_VALUE)):
                raise _overflow(layer, "box")
            parts = [poly]
            for k in range(w.shape[1]):
                split = []
                for part in parts:
                    values = zp[k] + part @ zq[:, k]
                    with np.errstate(over="ignore", invalid="ignore"):
                        eps = ezp[k] + (np.abs(part) @ ezq[:, k]).max()
                    if values.max() > eps and values.min() < -eps:
                        for sign in (1.0, -1.0):
                            piece = _clip(part, zp[k], zq[:, k], sign, eps)
                            if piece is not None and abs(_area(piece)) > 0.0:
                                split.append(piece)
                    else:
                        split.append(part)
                parts = split
            for part in parts:
                with np.errstate(over="ignore"):
                    centre = part.mean(axis=0)
                if not np.all(np.isfinite(centre)):  # the coordinate sum overflowed
                    centre = part[0] + (part - part[0]).mean(axis=0)
                mask = (zp + centre @ zq) > 0.0
                new.append((part, np.where(mask, zp, 0.0), np.where(mask[None, :], zq, 0.0),
                            np.where(mask, ezp, 0.0), np.where(mask[None, :], ezq, 0.0)))
        cells = new
    polygons = tuple(c[0] for c in cells)
    areas = np.array([_area(poly) for poly in polygons])
    return LinearRegions2D(len(polygons), polygons, areas)
