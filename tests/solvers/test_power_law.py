"""Tests of efttheory.solvers.fit_power_law."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.solvers import PowerLawFit, fit_power_law

X = np.array([8.0, 16.0, 32.0, 64.0, 128.0])

exponents = st.floats(-3.0, 3.0, allow_nan=False)
prefactors = st.floats(1e-3, 1e3, allow_nan=False)
scales = st.floats(1e-2, 1e2, allow_nan=False)


def noisy(rng, alpha=1.0, prefactor=2.0, n_samples=8, sigma=0.3):
    return prefactor * X[:, None] ** -alpha * rng.lognormal(0.0, sigma, size=(X.size, n_samples))


def polyfit_twin(x, y_stat):
    """NumPy twin of the point estimate: -slope and exp(intercept) of np.polyfit."""
    slope, intercept = np.polyfit(np.log(x), np.log(y_stat), 1)
    return -slope, np.exp(intercept)


@settings(deadline=None, max_examples=50)
@given(alpha=exponents, prefactor=prefactors)
def test_exact_on_noise_free_power_law(alpha, prefactor):
    y = prefactor * X**-alpha
    samples = np.repeat(y[:, None], 4, axis=1)
    for data in (y, samples):
        fit = fit_power_law(X, data, n_boot=50, rng=0)
        assert fit.exponent == pytest.approx(alpha, abs=1e-9)
        assert fit.prefactor == pytest.approx(prefactor, rel=1e-9)
        assert fit.ci_high - fit.ci_low <= 1e-9


@settings(deadline=None, max_examples=30)
@given(seed=st.integers(0, 2**32 - 1), c=scales, s=scales, stat=st.sampled_from(["median", "mean"]))
def test_exponent_invariant_under_rescaling_of_y_and_x(seed, c, s, stat):
    samples = noisy(np.random.default_rng(seed))
    base = fit_power_law(X, samples, stat=stat, n_boot=0)
    scaled_y = fit_power_law(X, c * samples, stat=stat, n_boot=0)
    scaled_x = fit_power_law(s * X, samples, stat=stat, n_boot=0)
    assert scaled_y.exponent == pytest.approx(base.exponent, abs=1e-9)
    assert scaled_y.prefactor == pytest.approx(c * base.prefactor, rel=1e-9)
    assert scaled_x.exponent == pytest.approx(base.exponent, abs=1e-9)


@settings(deadline=None, max_examples=30)
@given(seed=st.integers(0, 2**32 - 1), n_samples=st.integers(1, 6), stat=st.sampled_from(["median", "mean"]))
def test_interval_contains_estimate_and_is_deterministic(seed, n_samples, stat):
    samples = noisy(np.random.default_rng(seed), n_samples=n_samples)
    a = fit_power_law(X, samples, stat=stat, n_boot=200, rng=seed)
    b = fit_power_law(X, samples, stat=stat, n_boot=200, rng=np.random.default_rng(seed))
    assert a.ci_low <= a.exponent <= a.ci_high
    assert (a.exponent, a.ci_low, a.ci_high) == (b.exponent, b.ci_low, b.ci_high)
    np.testing.assert_array_equal(a.bootstrap_exponents, b.bootstrap_exponents)


@pytest.mark.parametrize("stat", ["median", "mean"])
def test_point_estimate_matches_polyfit_twin(stat):
    samples = noisy(np.random.default_rng(1))
    fit = fit_power_law(X, samples, stat=stat, n_boot=0)
    y_stat = np.median(samples, axis=1) if stat == "median" else samples.mean(axis=1)
    alpha, prefactor = polyfit_twin(X, y_stat)
    np.testing.assert_allclose(fit.y_stat, y_stat, rtol=1e-15)
    assert fit.exponent == pytest.approx(alpha, abs=1e-12)
    assert fit.prefactor == pytest.approx(prefactor, rel=1e-12)


def test_within_x_bootstrap_matches_a_loop_twin():
    rng = np.random.default_rng(4)
    samples = noisy(rng, n_samples=5)
    fit = fit_power_law(X, samples, n_boot=100, rng=9)
    gen = np.random.default_rng(9)
    picks = gen.integers(0, 5, size=(100, X.size, 5))
    twin = [polyfit_twin(X, np.median(samples[np.arange(X.size)[:, None], p], axis=1))[0]
            for p in picks]
    np.testing.assert_allclose(fit.bootstrap_exponents, twin, rtol=0, atol=1e-12)
    assert fit.method == "within-x"


def test_bootstrap_interval_covers_true_exponent_usually():
    rng = np.random.default_rng(12)
    inside = 0
    for _ in range(40):
        fit = fit_power_law(X, noisy(rng, alpha=1.3, n_samples=16), n_boot=300, rng=rng)
        inside += fit.ci_low <= 1.3 <= fit.ci_high
    assert inside >= 32


def test_one_sample_per_x_uses_residual_bootstrap():
    fit = fit_power_law(X, 2.0 * X**-0.5 * np.array([1.1, 0.9, 1.05, 0.97, 1.0]), n_boot=200, rng=0)
    assert fit.method == "residual"
    assert fit.ci_low < fit.exponent < fit.ci_high


def test_call_evaluates_the_fitted_law_and_repr_is_short():
    fit = fit_power_law(X, 3.0 * X**-2.0, n_boot=0)
    assert fit(10.0) == pytest.approx(0.03, rel=1e-12)
    np.testing.assert_allclose(fit(X), 3.0 * X**-2.0, rtol=1e-12)
    assert isinstance(fit, PowerLawFit)
    assert repr(fit).startswith("PowerLawFit(exponent=2,")
    with pytest.raises(ValueError, match="x"):
        fit(-1.0)


def test_bad_input_is_rejected():
    y = X**-1.0
    with pytest.raises(ValueError, match="x"):
        fit_power_law([1.0, 2.0, 2.0, 1.0], [1.0, 0.5, 0.5, 1.0])
    with pytest.raises(ValueError, match="x"):
        fit_power_law(-X, y)
    with pytest.raises(ValueError, match="samples"):
        fit_power_law(X, -y)
    with pytest.raises(ValueError, match="samples"):
        fit_power_law(X, np.zeros((5, 3)))
    with pytest.raises(ValueError, match="samples"):
        fit_power_law(X, y[:4])
    with pytest.raises(ValueError, match="samples"):
        fit_power_law(X, np.where(X > 10, y, np.nan))
    with pytest.raises(ValueError, match="stat"):
        fit_power_law(X, y, stat="mode")
    with pytest.raises(ValueError, match="ci"):
        fit_power_law(X, y, ci=1.0)
    with pytest.raises(ValueError, match="n_boot"):
        fit_power_law(X, y, n_boot=-1)
    with pytest.raises(TypeError, match="rng"):
        fit_power_law(X, y, rng="seed")


def test_n_boot_is_bounded():
    with pytest.raises(ValueError, match="n_boot must be <= 10000000"):
        fit_power_law(X, 3.0 * X**-1.5, n_boot=10**30)


@pytest.mark.parametrize("stat", ["median", "mean"])
def test_statistic_of_huge_samples_does_not_overflow(stat):
    # the mean (and the median of an even count) of [1e308, 1e308] overflowed: exponent nan
    samples = np.array([[1e308] * 2, [5e307] * 2, [2.5e307] * 2])
    fit = fit_power_law([1.0, 2.0, 4.0], samples, stat=stat, n_boot=0)
    assert fit.exponent == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(fit.y_stat, [1e308, 5e307, 2.5e307], rtol=1e-15)
