"""Exact ReLU linear-region counts (1-D, 2-D) and how the LMN tracks them."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.complexity import linear_mapping_number, relu_linear_regions_1d, relu_linear_regions_2d


def _relu_net(rng, d_in, widths, d_out):
    sizes = [d_in] + list(widths) + [d_out]
    ws = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(size=b) for b in sizes[1:]]
    return ws, bs


def _forward(ws, bs, x):
    for w, b in zip(ws[:-1], bs[:-1]):
        x = np.maximum(x @ w + b, 0.0)
    return x @ ws[-1] + bs[-1]


def _patterns(ws, bs, x):
    codes = []
    for w, b in zip(ws[:-1], bs[:-1]):
        z = x @ w + b
        codes.append(z > 0)
        x = np.maximum(z, 0.0)
    return np.hstack(codes)


def test_known_piecewise_linear_functions():
    # |x| = relu(x) + relu(-x): two regions, two affine pieces
    ws, bs = [np.array([[1.0, -1.0]]), np.array([[1.0], [1.0]])], [np.zeros(2), np.zeros(1)]
    regions = relu_linear_regions_1d(ws, bs, interval=(-1, 1))
    assert (regions.n_regions, regions.n_affine_pieces) == (2, 2)
    np.testing.assert_allclose(regions.breakpoints, [-1.0, 0.0, 1.0])
    np.testing.assert_allclose(regions.slopes[:, 0], [-1.0, 1.0])
    # x = relu(x) - relu(-x): two activation regions but one affine piece
    ws[1] = np.array([[1.0], [-1.0]])
    regions = relu_linear_regions_1d(ws, bs)
    assert (regions.n_regions, regions.n_affine_pieces) == (2, 1)
    assert "n_regions=2" in repr(regions)


@settings(deadline=None, max_examples=40)
@given(seed=st.integers(0, 2**32 - 1), widths=st.lists(st.integers(1, 6), min_size=1, max_size=3))
def test_1d_regions_match_a_dense_grid(seed, widths):
    rng = np.random.default_rng(seed)
    ws, bs = _relu_net(rng, 1, widths, 2)
    regions = relu_linear_regions_1d(ws, bs, interval=(-2.0, 2.0))
    x = np.linspace(-2.0, 2.0, 4001)[:, None]
    # the piecewise-affine description reproduces the network exactly
    piece = np.clip(np.searchsorted(regions.breakpoints, x[:, 0], side="right") - 1, 0, regions.n_regions - 1)
    pred = regions.intercepts[piece] + regions.slopes[piece] * x
    np.testing.assert_allclose(pred, _forward(ws, bs, x), rtol=1e-9, atol=1e-9)
    # pattern changes along a fine grid never exceed the exact count
    pat = _patterns(ws, bs, x)
    seen = 1 + int(np.any(pat[1:] != pat[:-1], axis=1).sum())
    assert seen <= regions.n_regions
    assert np.all(np.diff(regions.breakpoints) > 0)
    assert regions.n_affine_pieces <= regions.n_regions


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), widths=st.lists(st.integers(1, 4), min_size=1, max_size=2))
def test_2d_regions_tile_the_box_and_bound_the_grid_patterns(seed, widths):
    rng = np.random.default_rng(seed)
    ws, bs = _relu_net(rng, 2, widths, 1)
    regions = relu_linear_regions_2d(ws, bs, box=((-1.0, 1.0), (-1.0, 2.0)))
    assert regions.areas.sum() == pytest.approx(6.0, rel=1e-9)
    assert np.all(regions.areas > 0)
    g = np.linspace(-1, 1, 81)
    h = np.linspace(-1, 2, 121)
    pts = np.array(np.meshgrid(g, h)).reshape(2, -1).T
    assert len({row.tobytes() for row in _patterns(ws, bs, pts)}) <= regions.n_regions
    # each region has one activation pattern: check it at points inside every polygon
    for poly in regions.polygons:
        inner = 0.9 * poly + 0.1 * poly.mean(axis=0)
        assert len({row.tobytes() for row in _patterns(ws, bs, inner)}) == 1


def test_2d_lines_in_general_position():
    # k lines through the square in general position: 1 + k + (crossings inside) regions
    ws = [np.array([[1.0, 0.0, 1.0], [0.0, 1.0, -1.0]]), np.ones((3, 1))]
    bs = [np.array([0.1, -0.2, 0.05]), np.zeros(1)]
    assert relu_linear_regions_2d(ws, bs).n_regions == 7


def test_lmn_tracks_region_count_for_sawtooth_relu_networks():
    # a sawtooth with k teeth has 2k regions; LMN on a dense grid grows with k
    x = np.linspace(0.0, 1.0, 120)
    lmns, counts = [], []
    for k in (1, 2, 4):
        knots = np.linspace(0.0, 1.0, 2 * k + 1)[1:-1]
        w1 = np.ones((1, knots.size + 1))
        b1 = np.concatenate([[0.0], -knots])
        slopes = np.array([1.0] + [-2.0 if m % 2 == 0 else 2.0 for m in range(knots.size)])
        ws, bs = [w1, slopes[:, None]], [b1, np.zeros(1)]
        counts.append(relu_linear_regions_1d(ws, bs, interval=(0.0, 1.0)).n_affine_pieces)
        lmns.append(linear_mapping_number(lambda u: _forward(ws, bs, u), x).lmn)
    assert counts == [2, 4, 8]
    assert lmns[0] < lmns[1] < lmns[2]


def test_region_arguments_are_checked():
    ws, bs = [np.ones((1, 2)), np.ones((2, 1))], [np.zeros(2), np.zeros(1)]
    with pytest.raises(ValueError, match="interval"):
        relu_linear_regions_1d(ws, bs, interval=(1.0, 1.0))
    with pytest.raises(ValueError, match="weights\\[0\\]"):
        relu_linear_regions_2d(ws, bs)
    with pytest.raises(ValueError, match="equal length"):
        relu_linear_regions_1d(ws, bs[:1])


# --- extreme magnitudes and degenerate layers (regressions) ------------------------------------


def test_zero_width_output_layer_names_the_argument():
    ws, bs = [np.array([[1.0, -1.0]]), np.zeros((2, 0))], [np.zeros(2), np.zeros(0)]
    with pytest.raises(ValueError, match=r"weights\[1\] must have at least one output column"):
        relu_linear_regions_1d(ws, bs)
    with pytest.raises(ValueError, match=r"weights\[1\] must have at least one output column"):
        relu_linear_regions_2d([np.eye(2), np.zeros((2, 0))], [np.zeros(2), np.zeros(0)])


def test_overflowing_weights_raise_instead_of_infinite_slopes():
    W1, b1 = np.array([[1.0, -1.0]]), np.array([-0.5, 0.5])
    W2, b2 = np.array([[1.0], [1.0]]), np.zeros(1)
    with np.errstate(over="ignore"), pytest.raises(ValueError, match=r"layer 1 .*overflows float64 on the interval"):
        relu_linear_regions_1d([W1 * 1e308, W2 * 1e308], [b1, b2], interval=(-2.0, 2.0))
    with pytest.raises(ValueError, match=r"layer 0 .*overflows float64 on the box"):
        relu_linear_regions_2d([np.eye(2) * 1e308, np.ones((2, 1))], [np.array([1e308, -1e308]), np.zeros(1)])


def test_1d_affine_pieces_are_compared_without_overflow():
    # slopes 1.4e308 and 1.5e308 with intercept 1e308: 1 + |slope| + |intercept| overflows
    ws, bs = [np.array([[1.0, -1.0]]), np.array([[1.5e308], [-1.4e308]])], [np.zeros(2), np.array([1e308])]
    regions = relu_linear_regions_1d(ws, bs)
    assert (regions.n_regions, regions.n_affine_pieces) == (2, 2)
    np.testing.assert_array_equal(regions.slopes[:, 0], [1.4e308, 1.5e308])
    ws[1] = np.array([[1.5e308], [-1.5e308]])  # x = relu(x) - relu(-x) scaled: one piece
    assert relu_linear_regions_1d(ws, bs).n_affine_pieces == 1
    # both interval ends near the float64 limit (lo + hi overflows)
    regions = relu_linear_regions_1d([np.array([[1.0]]), np.ones((1, 1))], [np.array([-1.6e308]), np.zeros(1)],
                                     interval=(1.5e308, 1.7e308))
    np.testing.assert_array_equal(regions.breakpoints, [1.5e308, 1.6e308, 1.7e308])
    np.testing.assert_array_equal(regions.slopes[:, 0], [0.0, 1.0])


def test_2d_box_must_have_a_representable_area_and_far_boxes_work():
    ws, bs = [np.eye(2), np.ones((2, 1))], [np.zeros(2), np.zeros(1)]
    for box in (((-1e308, 1e308), (-1.0, 1.0)), ((-1e200, 1e200), (-1e200, 1e200))):
        with pytest.raises(ValueError, match="box must have finite sides and an area of at most"):
            relu_linear_regions_2d(ws, bs, box=box)
    # a box far from the origin: the shoelace products x*y overflow, the area does not
    c = 1e307
    box = ((c, c + 1e296), (100.0, 102.0))
    regions = relu_linear_regions_2d(ws, [np.array([-(c + 5e295), -101.0]), np.zeros(1)], box=box)
    assert regions.n_regions == 4
    width = box[0][1] - box[0][0]
    np.testing.assert_allclose(regions.areas.sum(), 2.0 * width, rtol=1e-12)
    np.testing.assert_allclose(np.sort(regions.areas), np.full(4, width / 2), rtol=1e-4)
