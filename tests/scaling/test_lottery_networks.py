"""Network-analysis functions of efttheory.scaling.lottery and their Numba kernels vs NumPy twins."""

import itertools

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from efttheory.scaling import _kernels
from efttheory.scaling import lottery as L
from efttheory.solvers import PowerLawFit, fit_power_law

# --- NumPy twins of the kernels -------------------------------------------------------------------


def pair_matrix_twin(w, b, v, rtol):
    gap = np.maximum.reduce([np.abs(w[:, None] + w[None, :]), np.abs(b[:, None] - b[None, :]), np.abs(v[:, None] - v[None, :])])
    mags = np.abs(np.stack([w, b, v]))
    scale = np.maximum(mags.max(axis=0)[:, None], mags.max(axis=0)[None, :])
    return gap < rtol * scale


def pairs_twin(w, b, v, rtol):
    mat = pair_matrix_twin(w, b, v, rtol)
    i, j = np.nonzero(np.triu(mat, k=1))
    return np.column_stack([i, j]).astype(np.int64)


def partner_flags_twin(w, b, v, rtol):
    mat = pair_matrix_twin(w, b, v, rtol)
    np.fill_diagonal(mat, False)
    return mat.any(axis=1)


def random_net(rng, n, paired=0.5, noise=0.05):
    k = int(paired * n) // 2
    w0, b0, v0 = rng.normal(size=(3, k))
    rest = n - 2 * k
    w = np.concatenate([w0, -w0 + noise * rng.normal(size=k), rng.normal(size=rest)])
    b = np.concatenate([b0, b0 + noise * rng.normal(size=k), rng.normal(size=rest)])
    v = np.concatenate([v0, v0 + noise * rng.normal(size=k), rng.normal(size=rest)])
    order = rng.permutation(n)
    return w[order], b[order], v[order]


@pytest.mark.parametrize("n, rtol", [(1, 0.1), (2, 0.1), (17, 0.1), (64, 0.2), (200, 0.05)])
def test_pair_kernels_match_numpy_twins(n, rtol):
    rng = np.random.default_rng(n)
    w, b, v = random_net(rng, n)
    count = _kernels.symmetric_pair_count(w, b, v, rtol)
    got = _kernels.symmetric_pair_indices(w, b, v, rtol, count)
    np.testing.assert_array_equal(got, pairs_twin(w, b, v, rtol))
    np.testing.assert_array_equal(_kernels.reflection_partner_flags(w, b, v, rtol), partner_flags_twin(w, b, v, rtol))
    assert L.symmetric_pairs(w, b, v, rtol) == [tuple(map(int, p)) for p in pairs_twin(w, b, v, rtol)]
    assert L.reflection_partner_fraction(w, b, v, rtol) == partner_flags_twin(w, b, v, rtol).mean()


def test_symmetric_pair_definition_by_hand():
    # (1, 0.5, 2) and (-1.05, 0.5, 2): gap 0.05 < 0.1 * 2
    w, b, v = np.array([1.0, -1.05, 3.0]), np.array([0.5, 0.5, 0.5]), np.array([2.0, 2.0, 2.0])
    assert L.symmetric_pairs(w, b, v) == [(0, 1)]
    assert L.reflection_partner_fraction(w, b, v) == pytest.approx(2 / 3)
    # gap 0.25 is not < 0.1 * 2.25
    assert L.symmetric_pairs([1.0, -1.25], [0.5, 0.5], [2.0, 2.0]) == []
    # a pair of all-zero units is not symmetric (strict inequality, zero scale)
    assert L.symmetric_pairs([0.0, 0.0], [0.0, 0.0], [0.0, 0.0]) == []


def brute_force_assignment_cost(cost):
    n = cost.shape[0]
    return min(sum(cost[i, p[i]] for i in range(n)) for p in itertools.permutations(range(n)))


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7])
def test_hungarian_kernel_matches_brute_force(n):
    rng = np.random.default_rng(100 + n)
    for _ in range(5):
        cost = rng.uniform(size=(n, n))
        match = _kernels.optimal_assignment(cost)
        assert sorted(match) == list(range(n))
        assert cost[np.arange(n), match].sum() == pytest.approx(brute_force_assignment_cost(cost), rel=1e-12)


@pytest.mark.parametrize("n", [1, 4, 10, 33, 80])
def test_hungarian_kernel_matches_scipy(n):
    rng = np.random.default_rng(n)
    for cost in (rng.uniform(size=(n, n)), rng.integers(0, 4, size=(n, n)).astype(float), -rng.exponential(size=(n, n))):
        match = _kernels.optimal_assignment(cost)
        assert np.array_equal(np.sort(match), np.arange(n))
        rows, cols = linear_sum_assignment(cost)
        assert cost[np.arange(n), match].sum() == pytest.approx(cost[rows, cols].sum(), rel=1e-12, abs=1e-12)


def reflection_cost_twin(w, b, v):
    """Normalised reflection distances by explicit loops, then scipy's assignment."""
    n = w.size
    cost = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            p, q = np.array([w[i], b[i], v[i]]), np.array([-w[j], b[j], v[j]])
            denom = np.linalg.norm(p) + np.linalg.norm(q)
            cost[i, j] = np.linalg.norm(p - q) / denom if denom > 0 else 0.0
    rows, cols = linear_sum_assignment(cost)
    return cost[rows, cols].mean()


@pytest.mark.parametrize("n", [1, 2, 9, 40])
def test_reflection_matching_cost_twin(n):
    rng = np.random.default_rng(3 * n)
    w, b, v = random_net(rng, n, paired=0.6, noise=0.1)
    assert L.reflection_matching_cost(w, b, v) == pytest.approx(reflection_cost_twin(w, b, v), rel=1e-12)


def test_reflection_matching_cost_values():
    w0, b0, v0 = np.array([0.3, -1.2, 2.0]), np.array([0.1, 0.4, -0.7]), np.array([1.0, 2.0, 0.5])
    exact = (np.concatenate([w0, -w0]), np.concatenate([b0, b0]), np.concatenate([v0, v0]))
    assert L.reflection_matching_cost(*exact) == 0.0
    # w = 0 units are their own reflection
    assert L.reflection_matching_cost([0.0, 0.0], [1.0, -2.0], [0.5, 3.0]) == 0.0
    # a single unit (w, 0, 0) against (-w, 0, 0): distance 2|w| over 2|w|
    assert L.reflection_matching_cost([1.5], [0.0], [0.0]) == 1.0
    rng = np.random.default_rng(0)
    w, b, v = rng.normal(size=(3, 50))
    assert 0.1 < L.reflection_matching_cost(w, b, v) < 1.0


# --- odd part, histogram modes, scaling exponent --------------------------------------------------


def test_odd_part_norm_values():
    x = np.linspace(-2, 2, 1001)
    assert L.odd_part_norm(x**2) < 1e-15
    assert L.odd_part_norm(x * x * x) == pytest.approx(1.0, abs=1e-15)  # exactly odd; a SIMD x**3 need not be
    # f = x^2 + eps x: odd part eps * ||x|| / ||x^2 + eps x||
    eps = 1e-3
    expected = eps * np.linalg.norm(x) / np.linalg.norm(x**2 + eps * x)
    assert L.odd_part_norm(x**2 + eps * x) == pytest.approx(expected, rel=1e-6)
    assert L.odd_part_norm([3.0]) == 0.0


def test_loss_histogram_modes_three_families():
    rng = np.random.default_rng(42)
    losses = 10.0 ** np.concatenate([
        rng.normal(-3.75, 0.1, 40), rng.normal(-2.25, 0.2, 160), rng.normal(0.15, 0.05, 40),
    ])
    modes = L.loss_histogram_modes(losses)
    assert [round(m.log10_center) for m in modes] == [-4, -2, 0]
    assert [m.log10_center for m in modes] == sorted(m.log10_center for m in modes)
    assert sum(m.count for m in modes) == losses.size
    assert modes[0].count == pytest.approx(40, abs=3)
    assert modes[1].count == pytest.approx(160, abs=3)
    for m, centre in zip(modes, (-3.75, -2.25, 0.15)):
        assert abs(m.log10_center - centre) <= 0.3


def test_loss_histogram_modes_merging_and_shares():
    width = 0.25
    centres = lambda bins: 10.0 ** ((np.asarray(bins) + 0.5) * width)  # noqa: E731
    # counts per bin 10, 8, 10: the dip 8 > 0.5 * 10, so the two peaks merge into one
    shallow = np.repeat(centres([0, 1, 2]), [10, 8, 10])
    assert len(L.loss_histogram_modes(shallow)) == 1
    assert L.loss_histogram_modes(shallow)[0].count == 28
    # counts 10, 4, 10: the dip 4 <= 0.5 * 10 keeps two modes; with dip=0.3 they merge
    deep = np.repeat(centres([0, 1, 2]), [10, 4, 10])
    assert [m.count for m in L.loss_histogram_modes(deep)] == [14, 10]
    assert len(L.loss_histogram_modes(deep, dip=0.3)) == 1
    # a lone net far away holds 1/25 < 5 % of the nets: dropped; min_share=0 keeps it
    lone = np.concatenate([np.repeat(centres([0]), 24), centres([12])])
    assert len(L.loss_histogram_modes(lone)) == 1
    assert [m.count for m in L.loss_histogram_modes(lone, min_share=0.0)] == [24, 1]
    # a mode holding exactly min_share is kept ("at least"): 0.07 * 100 rounds to 7.000000000000001
    for share, big in [(0.07, 93), (0.14, 86), (0.28, 72)]:
        small = 100 - big
        exact = np.r_[np.full(big, 1e-3), np.full(small, 1e-1)]
        assert [m.count for m in L.loss_histogram_modes(exact, min_share=share)] == [big, small]
        assert [m.count for m in L.loss_histogram_modes(exact, min_share=share + 1e-9)] == [big]
    # a flat-topped peak has its centre in the middle of the top
    flat = np.repeat(centres([0, 1, 2, 3]), [2, 9, 9, 2])
    (mode,) = L.loss_histogram_modes(flat)
    assert mode.log10_center == pytest.approx(2.0 * width)
    single_centre = (np.floor(np.log10(0.5) / width) + 0.5) * width
    assert L.loss_histogram_modes([0.5]) == [L.Mode(log10_center=single_centre, count=1)]


def test_scaling_exponent_delegates_to_fit_power_law():
    widths = np.array([8.0, 16.0, 32.0, 64.0, 128.0])
    rng = np.random.default_rng(5)
    losses = 1e-3 * widths[:, None] ** -1.1 * np.exp(0.2 * rng.standard_normal((5, 8)))
    fit = L.scaling_exponent(widths, losses, n_boot=200, rng=np.random.default_rng(1))
    ref = fit_power_law(widths, losses, stat="median", n_boot=200, ci=0.95, rng=np.random.default_rng(1))
    assert isinstance(fit, PowerLawFit)
    assert (fit.exponent, fit.ci_low, fit.ci_high, fit.prefactor) == (ref.exponent, ref.ci_low, ref.ci_high, ref.prefactor)
    slope = np.polyfit(np.log(widths), np.log(np.median(losses, axis=1)), 1)[0]
    assert fit.exponent == pytest.approx(-slope, abs=1e-12)
    mean_fit = L.scaling_exponent(widths, losses, stat="mean", n_boot=0)
    assert mean_fit.exponent == pytest.approx(-np.polyfit(np.log(widths), np.log(losses.mean(axis=1)), 1)[0], abs=1e-12)
