"""efttheory.scaling.lottery at the edges of float64: no hang, no silent NaN/inf, no wrong answer.

Each test pins a defect of an earlier version (hang, silently wrong value, raw OverflowError or
MemoryError) and checks that ordinary inputs still give exactly the unscaled formulas.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.scaling import _kernels
from efttheory.scaling import lottery as L

# --- the Hungarian kernel refuses input on which it could not terminate ---------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_optimal_assignment_rejects_non_finite_costs(bad):
    # NaN (or inf) costs used to make the search loop forever inside Numba (uninterruptible)
    cost = np.ones((3, 3))
    cost[1, 2] = bad
    with pytest.raises(ValueError, match="cost must be finite"):
        _kernels.optimal_assignment(cost)


def test_optimal_assignment_rejects_overflowing_costs():
    # finite entries whose reduced costs overflow used to make the search loop forever
    cost = np.array([[1.7e308, -1.7e308, 1.7e308], [1.7e308, 1.7e308, -1.7e308], [1.7e308, 0.0, -1.7e308]])
    with pytest.raises(ValueError, match="reduced costs overflow"):
        _kernels.optimal_assignment(cost)


def test_optimal_assignment_extreme_but_solvable_costs():
    match = _kernels.optimal_assignment(np.array([[1.7e308, -1.7e308], [-1.7e308, 1.7e308]]))
    assert match.tolist() == [1, 0]


def test_optimal_assignment_rejects_non_square():
    with pytest.raises(ValueError, match="square"):
        _kernels.optimal_assignment(np.ones((2, 3)))


# --- reflection_matching_cost is scale-free -------------------------------------------------------


def cost_matrix_twin(w, b, v):
    """The unscaled formula (the version before the fix), valid when nothing overflows."""
    p = np.stack([w, b, v], axis=1)
    q = p * np.array([-1.0, 1.0, 1.0])
    diff = p[:, None, :] - q[None, :, :]
    dist = np.sqrt(np.sum(diff * diff, axis=-1))
    norms = np.sqrt(np.sum(p * p, axis=1))
    denom = norms[:, None] + norms[None, :]
    out = np.zeros_like(dist)
    np.divide(dist, denom, out=out, where=denom > 0)
    return np.minimum(out, 1.0)


@pytest.mark.parametrize("scale", [1e300, 1e200, 1e-200, 1e-300, 2.0**-1070])
def test_reflection_matching_cost_huge_and_tiny_scales(scale):
    # [1e300, 1e300], [1e300, -1e300], [1e300, 1e300] used to overflow to NaN and hang the kernel
    w, b, v = np.array([1.0, 1.0]), np.array([1.0, -1.0]), np.array([1.0, 1.0])
    expected = L.reflection_matching_cost(w, b, v)
    assert expected == pytest.approx(1.0 / math.sqrt(3.0), rel=1e-15)
    assert L.reflection_matching_cost(w * scale, b * scale, v * scale) == pytest.approx(expected, rel=1e-12)


def test_reflection_matching_cost_mixed_magnitudes():
    got = L.reflection_matching_cost([1e200, 1e200, -1e200], [1e200, 1e200, 1e200], [1.0, 2.0, 3.0])
    # units 0 and 2 are reflections, unit 1 is matched to itself: (0 + |2w|/2|p| + 0) / 3
    assert got == pytest.approx(math.sqrt(0.5) / 3, rel=1e-12)
    assert 0.0 <= L.reflection_matching_cost([1e308, -1e308], [1e308, 1e308], [0.0, 5e-324]) <= 1.0


def test_reflection_cost_matrix_bit_identical_for_ordinary_inputs():
    rng = np.random.default_rng(7)
    for n in (1, 3, 30):
        for scale in (1e-3, 1.0, 3.7, 1e5):
            w, b, v = rng.normal(size=(3, n)) * scale
            w[::4] = 0.0
            np.testing.assert_array_equal(L._reflection_cost_matrix(w, b, v), cost_matrix_twin(w, b, v))


@settings(deadline=None, max_examples=30)
@given(st.integers(1, 6), st.integers(-1000, 1000), st.integers(0, 2**32 - 1))
def test_reflection_matching_cost_is_scale_invariant(n, exponent, seed):
    rng = np.random.default_rng(seed)
    w, b, v = rng.normal(size=(3, n))
    base = L.reflection_matching_cost(w, b, v)
    scale = 2.0**exponent  # a power of two: the scaled inputs are exact
    assert L.reflection_matching_cost(w * scale, b * scale, v * scale) == pytest.approx(base, rel=1e-12, abs=1e-15)


# --- odd_part_norm, effective_exponent: scale-free ------------------------------------------------


@pytest.mark.parametrize("scale", [1e200, 1e-200, 1e300, 1e-300])
def test_odd_part_norm_scale_free(scale):
    # used to return 1.0 for 1e200 (norm overflow, min(1, nan)) and to raise for 1e-200 (underflow)
    assert L.odd_part_norm([scale, 2 * scale]) == pytest.approx(1 / math.sqrt(10), rel=1e-14)


def test_odd_part_norm_subnormal_is_not_zero():
    assert L.odd_part_norm([5e-324, 0.0]) == pytest.approx(math.sqrt(0.5), rel=1e-15)


def test_effective_exponent_huge_and_tiny():
    # (1e308, 1e308, n=1) used to give 0.0 (the sum overflowed); the exponent is 1/2
    assert L.effective_exponent(1e308, 1e308, 1) == 0.5
    assert L.effective_exponent(0.0, 1e308, 1.0, 0.5) == 0.5
    # var/n used to underflow to 0 and raise "expected MSE is 0"
    assert L.effective_exponent(0.0, 5e-324, 10) == 1.0
    np.testing.assert_array_equal(L.effective_exponent([1e308, 1.0], [1e308, 0.0], 1), [0.5, 0.0])


# --- loss_histogram_modes: bounded number of bins -------------------------------------------------


@pytest.mark.parametrize("width, message", [(1e-300, "cannot be resolved"), (1e-17, "cannot be resolved"),
                                            (1e-8, "at most 1000000 bins")])
def test_loss_histogram_modes_bounds_the_bins(width, message):
    # 1e-300 used to overflow the int64 cast and return one mode; 1e-17 raised MemoryError
    with pytest.raises(ValueError, match=f"bin_decades.*{message}"):
        L.loss_histogram_modes([1e-3, 1e3], bin_decades=width)


def test_loss_histogram_modes_fine_bins_still_work():
    modes = L.loss_histogram_modes([1e-3, 1e3], bin_decades=1e-5)
    assert [m.count for m in modes] == [1, 1]
    assert [round(m.log10_center, 4) for m in modes] == [-3.0, 3.0]


# --- Python-float overflow: ValueError naming the arguments, never OverflowError ------------------


@pytest.mark.parametrize("call", [
    lambda: L.relu_interpolation_mse(1, 0.0, 1e100),
    lambda: L.relu_interpolation_mse(1, -1e308, 1e308),
    lambda: L.relu_optimal_mse(0, 0.0, 1e100),
])
def test_relu_mse_overflow_names_the_interval(call):
    with pytest.raises(ValueError, match=r"lo=.*hi=.*overflows float64"):
        call()


def test_relu_mse_huge_counts_and_wide_intervals():
    # int / int division: no OverflowError for counts beyond the float64 range
    assert L.sharma_kaplan_alpha(10**400) == 0.0
    assert L.relu_interpolation_mse(10**400) == 0.0
    assert L.relu_optimal_mse(10**400) == 0.0
    # hi - lo overflows but h = (hi - lo) / K does not
    assert L.relu_interpolation_mse(10**300, -1e308, 1e308) == pytest.approx(2e8**4 / 30, rel=1e-12)


@pytest.mark.parametrize("args", [(1e100, 0.0, 1.0), (1e200, 0.0, 1.0), (1e80, 0.0, 1e300), (1.0, 1e308, 1e308)])
def test_ticket_taylor_overflow_names_the_arguments(args):
    with pytest.raises(ValueError, match=r"w=.*b=.*v=.*beyond the float64 range"):
        L.ticket_taylor_coefficients(*args)


def test_ticket_taylor_huge_w_with_vanishing_derivatives():
    # tanh'' and tanh'''' vanish at b = 0: the coefficients are exactly 0 for any w
    assert L.ticket_taylor_coefficients(1e100, 0.0, 1.0, "tanh") == L.TicketTaylor(c0=0.0, c2=0.0, c4=0.0)


# --- silent NaN / inf for huge but finite input ---------------------------------------------------


@pytest.mark.parametrize("call, message", [
    (lambda: L.symmetric_ticket(1e308, w=10.0, b=0.0, v=1.0), "ticket output beyond the float64 range"),
    (lambda: L.symmetric_ticket(1e308, w=10.0, b=0.0, v=1.0, activation="relu"), "beyond the float64 range"),
    (lambda: L.ticket_best_fit(1e308, 0.0), "beyond the float64 range"),
    (lambda: L.ticket_best_fit(1.0, 0.0, lo=-1e200, hi=1e200), "beyond the float64 range"),
    (lambda: L.ensemble_mse(1e308, 1e308, 1), "overflows float64"),
    (lambda: L.ticket_error_statistics([[1e200, -1e200], [1e200, 1e200]]), "errors are too large"),
    (lambda: L.ticket_best_fit(1.0, 0.0, n_grid=10**30), "n_grid must be an int64"),
    (lambda: L.ticket_best_fit(1.0, 0.0, n_grid=2**62), "n_grid = 4611686018427387904 is too large"),
])
def test_overflow_raises_instead_of_nan_or_inf(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_scaling_exponent_mean_overflow_raises():
    # the per-width means used to overflow to inf and give a NaN exponent
    with pytest.raises(ValueError, match="losses are too large for stat='mean'"):
        L.scaling_exponent([8, 16, 32], np.full((3, 2), 1e308), stat="mean", n_boot=5, rng=0)
    fit = L.scaling_exponent([8, 16, 32], np.full((3, 2), 1e308), stat="median", n_boot=5, rng=0)
    assert abs(fit.exponent) <= 1e-12  # constant losses; exactly 0 only if the logs round alike


def test_silu_third_derivative_is_relatively_accurate_near_zero():
    # 1 - 2 sigmoid(z) was formed as a difference: the third derivative at 1e-17 came back
    # -1.25e-18 instead of -5e-18 (it is -z/2 + O(z^3))
    for z in (1e-17, -3e-12, 1e-9):
        assert L.silu_derivative(z, 3) == pytest.approx(-0.5 * z, rel=1e-12, abs=0.0)


def test_ticket_statistics_of_tiny_errors_keep_their_bias_fraction():
    # the squares of errors ~1e-170 underflowed to 0 and the bias fraction came back 0
    rng = np.random.default_rng(3)
    errors = 0.3 + rng.normal(size=(5, 40))
    reference = L.ticket_error_statistics(errors)
    tiny = L.ticket_error_statistics(errors * 2.0**-565)  # ~1e-170: exact power-of-two scaling
    assert 0.0 < reference.bias_fraction < 1.0
    assert tiny.bias_fraction == reference.bias_fraction
    np.testing.assert_array_equal(tiny.mean_error, reference.mean_error * 2.0**-565)
    assert tiny.bias_sq == 0.0 and tiny.mean_mse == 0.0  # 1e-340: below the float64 range
    big = L.ticket_error_statistics(errors * 2.0**400)
    assert big.bias_fraction == reference.bias_fraction
    assert big.bias_sq == reference.bias_sq * 2.0**800
