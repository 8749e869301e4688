"""Tolerances of the exact ReLU region counts: scale invariance, coincident kinks, narrow domains.

The references below redo the counting in exact rational arithmetic (:class:`fractions.Fraction`
of the float weights), so they have no tolerance at all; the float implementation must agree with
them whenever no two distinct features of the network are closer than its 1e-12 relative tolerance.
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.complexity import relu_linear_regions_1d, relu_linear_regions_2d

PROPERTY = settings(deadline=None, max_examples=40)
SMALL_PROPERTY = settings(deadline=None, max_examples=15)
SCALES = (1e-3, 1e-6, 1e3)


# --- exact rational references ------------------------------------------------------------------


def _rational(weights, biases):
    ws = [[[Fraction(float(v)) for v in row] for row in np.asarray(w, dtype=float)] for w in weights]
    bs = [[Fraction(float(v)) for v in np.asarray(b, dtype=float)] for b in biases]
    return ws, bs


def _affine(p, qs, w, b):
    """Pre-activations ``p @ w + b`` and ``q @ w`` (one per input coordinate) in exact arithmetic."""
    cols = range(len(b))
    zp = [sum((p[i] * w[i][k] for i in range(len(p))), Fraction(0)) + b[k] for k in cols]
    zqs = [[sum((q[i] * w[i][k] for i in range(len(q))), Fraction(0)) for k in cols] for q in qs]
    return zp, zqs


def exact_regions_1d(weights, biases, lo, hi):
    """Exact (n_regions, n_affine_pieces, breakpoints) of a ReLU net on ``[lo, hi]``."""
    ws, bs = _rational(weights, biases)
    pieces = [(Fraction(lo), Fraction(hi), [Fraction(0)], [Fraction(1)])]
    for w, b in zip(ws[:-1], bs[:-1]):
        new = []
        for x0, x1, p, q in pieces:
            zp, (zq,) = _affine(p, [q], w, b)
            roots = {-a / c for a, c in zip(zp, zq) if c != 0}
            edges = [x0] + sorted(r for r in roots if x0 < r < x1) + [x1]
            for a0, a1 in zip(edges[:-1], edges[1:]):
                mid = (a0 + a1) / 2
                on = [a + c * mid > 0 for a, c in zip(zp, zq)]
                new.append((a0, a1, [a if m else Fraction(0) for a, m in zip(zp, on)],
                            [c if m else Fraction(0) for c, m in zip(zq, on)]))
        pieces = new
    maps = [tuple(zp) + tuple(zq) for zp, (zq,) in (_affine(p, [q], ws[-1], bs[-1]) for _, _, p, q in pieces)]
    n_affine = 1 + sum(a != c for a, c in zip(maps[:-1], maps[1:]))
    return len(pieces), n_affine, [pieces[0][0]] + [piece[1] for piece in pieces]


def _exact_clip(poly, values, sign):
    out = []
    for k in range(len(poly)):
        cur, nxt = poly[k], poly[(k + 1) % len(poly)]
        vc, vn = sign * values[k], sign * values[(k + 1) % len(poly)]
        if vc >= 0:
            out.append(cur)
        if (vc > 0 > vn) or (vc < 0 < vn):
            t = vc / (vc - vn)
            out.append((cur[0] + t * (nxt[0] - cur[0]), cur[1] + t * (nxt[1] - cur[1])))
    return [v for k, v in enumerate(out) if v != out[k - 1]] if len(out) > 1 else out


def exact_regions_2d(weights, biases, box):
    """Exact number of activation regions of a ReLU net on the rectangle ``box``."""
    ws, bs = _rational(weights, biases)
    (x0, x1), (y0, y1) = [(Fraction(a), Fraction(c)) for a, c in box]
    one, zero = Fraction(1), Fraction(0)
    cells = [([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], [zero, zero], [[one, zero], [zero, one]])]
    for w, b in zip(ws[:-1], bs[:-1]):
        new = []
        for poly, p, qs in cells:
            zp, zqs = _affine(p, qs, w, b)
            parts = [poly]
            for k in range(len(b)):
                split = []
                for part in parts:
                    values = [zp[k] + v[0] * zqs[0][k] + v[1] * zqs[1][k] for v in part]
                    if max(values) > 0 > min(values):
                        split += [_exact_clip(part, values, sign) for sign in (1, -1)]
                    else:
                        split.append(part)
                parts = split
            for part in parts:
                cx, cy = sum(v[0] for v in part) / len(part), sum(v[1] for v in part) / len(part)
                on = [zp[k] + cx * zqs[0][k] + cy * zqs[1][k] > 0 for k in range(len(b))]
                new.append((part, [a if m else zero for a, m in zip(zp, on)],
                            [[c if m else zero for c, m in zip(zq, on)] for zq in zqs]))
        cells = new
    return len(cells)


def test_exact_references_on_known_networks():
    ws, bs = [np.array([[1.0, -1.0]]), np.ones((2, 1))], [np.array([-0.5, 0.5]), np.zeros(1)]
    assert exact_regions_1d(ws, bs, -2.0, 2.0) == (2, 2, [-2, Fraction(1, 2), 2])
    lines = [np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.ones((3, 1))]
    assert exact_regions_2d(lines, [np.array([0.0, 0.0, -0.5]), np.zeros(1)], ((-1, 1), (-1, 1))) == 7


# --- random networks ----------------------------------------------------------------------------


def _net(seed, d_in, widths, d_out=1):
    rng = np.random.default_rng(seed)
    sizes = [d_in] + list(widths) + [d_out]
    ws = [rng.normal(size=(a, c)) / np.sqrt(a) for a, c in zip(sizes[:-1], sizes[1:])]
    bs = [0.5 * rng.normal(size=c) for c in sizes[1:]]
    return ws, bs


def _scaled(ws, bs, s):
    # weights of every layer times s and the biases of layer l times s**(l+1): layer l's
    # pre-activation is then exactly s**(l+1) times the original, so every kink stays put
    return [w * s for w in ws], [b * s ** (layer + 1) for layer, b in enumerate(bs)]


def _with_multiple(ws, bs, layer, k, c, rng):
    """Append to hidden layer ``layer`` a neuron ``c`` times neuron ``k`` (exactly, on a dyadic grid)."""
    ws, bs = list(ws), list(bs)
    ws[layer] = np.round(ws[layer] * 8) / 8
    bs[layer] = np.round(bs[layer] * 8) / 8
    ws[layer] = np.concatenate([ws[layer], c * ws[layer][:, k:k + 1]], axis=1)
    bs[layer] = np.concatenate([bs[layer], [c * bs[layer][k]]])
    ws[layer + 1] = np.concatenate([ws[layer + 1], rng.normal(size=(1, ws[layer + 1].shape[1]))], axis=0)
    return ws, bs


def _assert_matches_exact_1d(ws, bs, lo=-1.0, hi=1.0):
    regions = relu_linear_regions_1d(ws, bs, interval=(lo, hi))
    n_regions, n_affine, breakpoints = exact_regions_1d(ws, bs, lo, hi)
    assert (regions.n_regions, regions.n_affine_pieces) == (n_regions, n_affine)
    # positions to 1e-9 of the interval's size (an absolute 1e-9 would say nothing on narrow domains)
    atol = 1e-9 * max(abs(lo), abs(hi))
    np.testing.assert_allclose(regions.breakpoints, [float(x) for x in breakpoints], rtol=0, atol=atol)
    return regions


WIDTHS_1D = st.lists(st.integers(1, 6), min_size=1, max_size=3)
WIDTHS_2D = st.lists(st.integers(1, 3), min_size=1, max_size=2)


# --- F1: neurons that switch at exactly the same input ------------------------------------------


def test_f1_coincident_kinks_in_a_hidden_layer_make_one_cut():
    # relu(h - 1/4) and relu(3h - 3/4) with h = relu(0.1 x + 0.2) both switch at x = 0.5
    ws = [np.array([[0.1]]), np.array([[1.0, 3.0]]), np.ones((2, 1))]
    bs = [np.array([0.2]), np.array([-0.25, -0.75]), np.zeros(1)]
    regions = relu_linear_regions_1d(ws, bs)
    assert (regions.n_regions, regions.n_affine_pieces) == (2, 2)
    np.testing.assert_allclose(regions.breakpoints, [-1.0, 0.5, 1.0], rtol=0, atol=1e-12)
    assert exact_regions_1d(ws, bs, -1.0, 1.0)[:2] == (2, 2)


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), depth=st.integers(2, 4), width=st.integers(2, 6),
       c=st.sampled_from([1.0, 2.0, 3.0, 5.0, 7.0, 0.375]), data=st.data())
def test_1d_exact_multiples_of_a_hidden_neuron_add_no_region(seed, depth, width, c, data):
    rng = np.random.default_rng(seed)
    ws, bs = _net(seed, 1, [width] * depth)
    layer = data.draw(st.integers(1, depth - 1), label="layer")  # second hidden layer or later
    k = data.draw(st.integers(0, width - 1), label="neuron")
    ws, bs = _with_multiple(ws, bs, layer, k, c, rng)
    _assert_matches_exact_1d(ws, bs)


@SMALL_PROPERTY
@given(seed=st.integers(0, 2**32 - 1), width=st.integers(2, 3), c=st.sampled_from([1.0, 3.0, 0.375]),
       data=st.data())
def test_2d_exact_multiples_of_a_hidden_neuron_add_no_region(seed, width, c, data):
    rng = np.random.default_rng(seed)
    ws, bs = _net(seed, 2, [width, width])
    ws, bs = _with_multiple(ws, bs, 1, data.draw(st.integers(0, width - 1), label="neuron"), c, rng)
    box = ((-1.0, 1.0), (-1.0, 1.0))
    assert relu_linear_regions_2d(ws, bs, box=box).n_regions == exact_regions_2d(ws, bs, box)


# --- F2: affine pieces do not depend on the output scale ----------------------------------------


def test_f2_affine_pieces_do_not_depend_on_the_output_scale():
    W1, b1 = np.array([[1.0, -1.0]]), np.array([-0.5, 0.5])  # |x - 0.5| = relu(x - .5) + relu(.5 - x)
    for s in (1.0, 1e-10, 1e-200, 1e200):
        regions = relu_linear_regions_1d([W1, s * np.ones((2, 1))], [b1, np.zeros(1)], interval=(-2.0, 2.0))
        assert (regions.n_regions, regions.n_affine_pieces) == (2, 2), s
    # two outputs: x (no kink) and 1e-10 |x| (a kink); the small output alone makes two pieces
    ws, bs = [np.array([[1.0, -1.0]]), np.array([[1.0, 1e-10], [-1.0, 1e-10]])], [np.zeros(2), np.zeros(2)]
    assert relu_linear_regions_1d(ws, bs).n_affine_pieces == 2
    ws[1][:, 1] = 0.0  # both outputs straight: one piece
    assert relu_linear_regions_1d(ws, bs).n_affine_pieces == 1


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), widths=WIDTHS_1D)
def test_1d_counts_are_invariant_under_rescaling(seed, widths):
    ws, bs = _net(seed, 1, widths)
    base = _assert_matches_exact_1d(ws, bs)
    for s in SCALES:
        regions = relu_linear_regions_1d(*_scaled(ws, bs, s))
        assert (regions.n_regions, regions.n_affine_pieces) == (base.n_regions, base.n_affine_pieces), s
        np.testing.assert_allclose(regions.breakpoints, base.breakpoints, rtol=0, atol=1e-9)
    # the output layer alone
    regions = relu_linear_regions_1d(ws[:-1] + [1e-10 * ws[-1]], bs[:-1] + [1e-10 * bs[-1]])
    assert (regions.n_regions, regions.n_affine_pieces) == (base.n_regions, base.n_affine_pieces)


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), widths=WIDTHS_1D)
def test_1d_counts_match_the_exact_rational_count(seed, widths):
    ws, bs = _net(seed, 1, widths, d_out=2)
    _assert_matches_exact_1d(ws, bs, -2.0, 1.5)


# --- F3: two-dimensional cuts in small-weight networks ------------------------------------------


def test_f3_2d_small_weights_still_cut():
    for s in (1.0, 1e-12, 1e-13, 1e-100):
        assert relu_linear_regions_2d([s * np.eye(2), np.ones((2, 1))], [np.zeros(2), np.zeros(1)]).n_regions == 4, s


@SMALL_PROPERTY
@given(seed=st.integers(0, 2**32 - 1), widths=WIDTHS_2D)
def test_2d_counts_are_invariant_under_rescaling_and_exact(seed, widths):
    ws, bs = _net(seed, 2, widths)
    box = ((-1.0, 1.0), (-0.5, 1.0))
    base = relu_linear_regions_2d(ws, bs, box=box)
    assert base.n_regions == exact_regions_2d(ws, bs, box)
    for s in SCALES:
        regions = relu_linear_regions_2d(*_scaled(ws, bs, s), box=box)
        assert regions.n_regions == base.n_regions, s
        assert regions.areas.sum() == pytest.approx(1.5 * 2.0, rel=1e-9)
    regions = relu_linear_regions_2d(ws[:-1] + [1e-10 * ws[-1]], bs[:-1] + [1e-10 * bs[-1]], box=box)
    assert regions.n_regions == base.n_regions


# --- narrow domains -----------------------------------------------------------------------------


@pytest.mark.parametrize("half_width", [1.0, 1e-6, 1e-13, 1e-100])
def test_narrow_domains_around_the_origin_keep_their_cuts(half_width):
    d = half_width
    ws, bs = [np.array([[1.0, -1.0]]), np.ones((2, 1))], [np.zeros(2), np.zeros(1)]  # |x|
    regions = relu_linear_regions_1d(ws, bs, interval=(-d, d))
    assert (regions.n_regions, regions.n_affine_pieces) == (2, 2)
    np.testing.assert_array_equal(regions.breakpoints, [-d, 0.0, d])
    box = ((-d, d), (-d, d))
    regions = relu_linear_regions_2d([np.eye(2), np.ones((2, 1))], [np.zeros(2), np.zeros(1)], box=box)
    assert regions.n_regions == 4
    assert regions.areas.sum() == pytest.approx(4 * d * d, rel=1e-12, abs=0.0)
    # the same network rescaled to the domain: h = x / d + 2 > 0, then a kink at d / 3 in layer 2
    ws = [np.array([[1.0 / d]]), np.array([[1.0, -1.0]]), np.ones((2, 1))]
    bs = [np.array([2.0]), np.array([-7.0 / 3.0, 7.0 / 3.0]), np.zeros(1)]
    regions = _assert_matches_exact_1d(ws, bs, -d, d)
    assert regions.n_regions == 2


def test_narrow_domain_away_from_the_origin():
    # a kink 1e-9 inside an interval around 0.5 is resolved: far above the 1e-12 relative tolerance
    ws, bs = [np.array([[1.0, -1.0]]), np.ones((2, 1))], [np.array([-0.5, 0.5]), np.zeros(1)]
    regions = relu_linear_regions_1d(ws, bs, interval=(0.5 - 1e-9, 0.5 + 1e-9))
    assert (regions.n_regions, regions.n_affine_pieces) == (2, 2)
    box = ((0.5 - 1e-9, 0.5 + 1e-9), (0.25 - 1e-9, 0.25 + 1e-9))
    regions = relu_linear_regions_2d([np.eye(2), np.ones((2, 1))], [np.array([-0.5, -0.25]), np.zeros(1)], box=box)
    assert regions.n_regions == 4
    # areas are computed without cancellation (x*y products near 0.125 would leave nothing of 4e-18)
    np.testing.assert_allclose(regions.areas, 1e-18, rtol=1e-6)
