"""efttheory.scaling.chinchilla: failed fits raise, argument names are right, extremes are caught.

Each test pins a defect of an earlier version (silently failed point fit, all-NaN bootstrap,
unidentifiable fit reported as converged, wrong argument named, raw decode / overflow errors).
"""

import dataclasses
import math

import numpy as np
import pytest

from efttheory.errors import ConvergenceError
from efttheory.scaling import chinchilla as C

TRUE = C.ChinchillaParams(E=1.8, A=480.0, B=2100.0, alpha=0.35, beta=0.37)


@pytest.fixture(scope="module")
def grid():
    N, D = (g.ravel() for g in np.meshgrid(np.logspace(7, 10, 5), np.logspace(9, 12, 5)))
    loss = C.chinchilla_loss(N, D, TRUE) * np.exp(0.01 * np.random.default_rng(0).standard_normal(25))
    return N, D, loss


# --- failed fits ----------------------------------------------------------------------------------


def test_bootstrap_failed_point_fit_raises(grid):
    # maxiter=1 used to return all-NaN se/cov (n_failed = n_boot) and an unconverged .point
    with pytest.raises(ConvergenceError, match="fit to the full data failed"):
        C.bootstrap_chinchilla(*grid, n_boot=3, rng=0, maxiter=1)


def test_bootstrap_with_too_few_successful_resamples_raises(grid, monkeypatch):
    # every resample refit fails while the point fit succeeds
    def failing(theta0, free, log_n, log_d, log_l, counts, *args):
        n_boot = counts.shape[0]
        return (np.tile(theta0, (n_boot, 1)), np.zeros(n_boot), np.full(n_boot, C._k.MAXITER))

    monkeypatch.setattr(C._k, "bootstrap_fits", failing)
    with pytest.raises(ConvergenceError, match="only 0 of 4 resample refits succeeded"):
        C.bootstrap_chinchilla(*grid, n_boot=4, rng=0)


def test_bootstrap_from_a_fitted_optimum_is_accepted(grid):
    fit = C.fit_chinchilla(*grid)
    boot = C.bootstrap_chinchilla(*grid, n_boot=5, rng=0, init=fit.params)
    assert boot.point.alpha == pytest.approx(fit.params.alpha, rel=1e-6)


@pytest.mark.parametrize("seed", [1, 3])
def test_fit_from_its_own_optimum_is_a_stall_not_a_failure(seed):
    # a warm start at a previous optimum used to end in "line search failed" at iteration 0 and
    # raise ConvergenceError with starts='single' (these seeds stop with max|grad| above gtol)
    N, D = (g.ravel() for g in np.meshgrid(np.logspace(7, 10, 6), np.logspace(9, 12, 6)))
    noise = np.exp(np.random.default_rng(seed).normal(0.0, 0.01, N.size))
    loss = C.chinchilla_loss(N, D, TRUE) * noise
    first = C.fit_chinchilla(N, D, loss)
    again = C.fit_chinchilla(N, D, loss, init=first.params)
    assert again.status in ("converged", "stalled")
    assert again.objective_value <= first.objective_value
    assert again.params.log() == pytest.approx(first.params.log(), rel=1e-12, abs=1e-12)


def test_a_non_finite_start_still_fails_in_the_kernel():
    theta0 = np.array([np.log(480.0), np.log(2100.0), np.log(1.8), 0.35, 0.37])
    free = np.ones(5, dtype=np.bool_)
    log_n, log_d = np.log([1e8, 1e9, 1e10]), np.log([1e10, 1e11, 1e12])
    log_l = np.array([np.nan, 0.7, 0.6])
    *_, status = C._k.bfgs(theta0, free, log_n, log_d, log_l, np.ones(3), 1e-3, C._k.HUBER_SUM,
                           0.0, 1e-10, 50)
    assert status == C._k.LINE_SEARCH_FAILED


def test_interval_and_chi2_test_on_an_empty_bootstrap_are_clear(grid):
    empty = C.ChinchillaBootstrap(samples=np.empty((0, 5)), log_samples=np.empty((0, 5)), point=TRUE,
                                  se={k: math.nan for k in C.PARAMETER_NAMES},
                                  cov_log=np.full((5, 5), np.nan), share_N_samples=np.empty(0), n_failed=3)
    with pytest.raises(ValueError, match="every resample failed"):
        empty.interval()
    with pytest.raises(ValueError, match="bootstrap.cov_log must be a finite"):
        C.parameter_chi2_test(TRUE, TRUE, empty)


@pytest.mark.parametrize("n_boot", [2, 3, 4, 5])
def test_chi2_test_refuses_a_covariance_of_too_few_resamples(grid, n_boot):
    # n resamples give a covariance of rank <= n - 1; n_boot = 4 (rng 2) used to return a
    # statistic of 2e14 with p = 0 for the very law that made the data
    fit = C.fit_chinchilla(*grid)
    boot = C.bootstrap_chinchilla(*grid, n_boot=n_boot, rng=2)
    with pytest.raises(ValueError, match="more successful resamples than free parameters"):
        C.parameter_chi2_test(TRUE, fit, boot)


def test_chi2_test_refuses_a_numerically_singular_covariance(grid):
    boot = C.bootstrap_chinchilla(*grid, n_boot=20, rng=0)
    samples = boot.log_samples.copy()
    samples[:, 4] = samples[:, 3] * (1 + 1e-14)  # log beta copies alpha: correlation 1 - 1e-28
    degenerate = dataclasses.replace(boot, cov_log=np.cov(samples, rowvar=False))
    with pytest.raises(ValueError, match="numerically singular"):
        C.parameter_chi2_test(TRUE, TRUE, degenerate)
    zero = dataclasses.replace(boot, cov_log=np.diag([1.0, 1.0, 0.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="zero variance"):
        C.parameter_chi2_test(TRUE, TRUE, zero)


def test_chi2_test_refuses_a_fit_fixed_at_another_value(grid):
    # same fixed name, different value: used to give statistic 5.6e6 and p = 0 without complaint
    fit = C.fit_chinchilla(*grid, fixed={"alpha": 0.3})
    boot = C.bootstrap_chinchilla(*grid, n_boot=10, rng=0, fixed={"alpha": 0.35})
    with pytest.raises(ValueError, match="same values"):
        C.parameter_chi2_test(TRUE, fit, boot)


@pytest.mark.parametrize("N, D, message", [
    (np.full(16, 1e9), np.full(16, 1e10), "N must take at least 3 distinct values"),
    (np.full(16, 1e9), np.logspace(9, 12, 16), "N must take at least 3 distinct values"),
    (np.logspace(7, 10, 16), np.full(16, 1e10), "D must take at least 3 distinct values"),
    (np.tile([1e8, 1e9], 8), np.logspace(9, 12, 16), "N must take at least 3 distinct values"),
])
def test_unidentifiable_designs_are_rejected(N, D, message):
    # 16 identical points used to "converge" to arbitrary parameters
    with pytest.raises(ValueError, match=message):
        C.fit_chinchilla(N, D, np.full(16, 2.0))


def test_identifiability_counts_only_free_parameters():
    N, D = np.full(16, 1e9), np.logspace(9, 12, 16)
    loss = C.chinchilla_loss(N, D, TRUE)
    fit = C.fit_chinchilla(N, D, loss, fixed={"A": TRUE.A, "alpha": TRUE.alpha}, init=TRUE)
    assert fit.params.beta == pytest.approx(TRUE.beta, rel=1e-6)
    # with E fixed too, 2 distinct N suffice for (A, alpha)
    N2 = np.tile([1e8, 1e9], 8)
    fit = C.fit_chinchilla(N2, D, C.chinchilla_loss(N2, D, TRUE), fixed={"E": TRUE.E}, init=TRUE)
    assert fit.params.alpha == pytest.approx(TRUE.alpha, rel=1e-6)


# --- argument names -------------------------------------------------------------------------------


def test_wrong_type_names_the_argument(grid):
    N, D, loss = grid
    fit = C.fit_chinchilla(N, D, loss, n_boot=5, rng=1)
    with pytest.raises(TypeError, match="^init must be a ChinchillaParams"):
        C.fit_chinchilla(N, D, loss, init="x")
    with pytest.raises(TypeError, match="^init must be a ChinchillaParams"):
        C.bootstrap_chinchilla(N, D, loss, n_boot=2, rng=0, init="x")
    with pytest.raises(TypeError, match="^reference must be a ChinchillaParams"):
        C.parameter_chi2_test("x", fit, fit.bootstrap)
    with pytest.raises(TypeError, match="^fit must be a ChinchillaFit or ChinchillaParams"):
        C.parameter_chi2_test(TRUE, "x", fit.bootstrap)
    with pytest.raises(TypeError, match="^reference must be a ChinchillaParams"):
        C.likelihood_ratio_test(N, D, loss, None)
    with pytest.raises(TypeError, match="^params must be a ChinchillaParams"):
        C.chinchilla_loss(1e9, 1e9, "x")


@pytest.mark.parametrize("func", [C.chinchilla_loss, C.log_chinchilla_loss])
def test_mismatched_N_and_D_are_named(func):
    with pytest.raises(ValueError, match=r"N and D must broadcast together, got shapes \(2,\), \(3,\)"):
        func([1e9, 2e9], [1e9, 2e9, 3e9], C.HOFFMANN_2022)


# --- read_chinchilla_csv --------------------------------------------------------------------------


def test_read_csv_not_utf8(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\xff\xfe\x00Model Size,Training FLOP,loss\n")
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="path must be a UTF-8 text CSV"):
        C.read_chinchilla_csv(path)


@pytest.mark.parametrize("row", ["1e300,1e-300,2.0", "1e-300,1e300,2.0"])
def test_read_csv_rejects_unrepresentable_tokens(tmp_path, row):
    # C/(6N) used to underflow to D = 0 (or overflow to inf) and be returned
    path = tmp_path / "points.csv"
    path.write_text(f"Model Size,Training FLOP,loss\n1e9,6e19,2.5\n{row}\n")
    with pytest.warns(UserWarning), pytest.raises(ValueError, match=r"D = C/\(6N\).*row 2"):
        C.read_chinchilla_csv(path)


# --- overflow -------------------------------------------------------------------------------------

EXTREME = C.ChinchillaParams(E=1.0, A=1e10, B=1.0, alpha=1e-3, beta=1e-3)


def test_G_overflow_is_inf_and_allocation_raises():
    # used to raise a raw OverflowError from Python's float **
    assert EXTREME.G == math.inf
    with pytest.raises(ValueError, match="N_opt outside the positive float64 range"):
        C.compute_optimal_allocation(1e20, EXTREME)


@pytest.mark.parametrize("params, expected", [
    # alpha*A and beta*B both overflow: inf / inf gave G = nan and a raising allocation
    (C.ChinchillaParams(E=1.0, A=1e308, B=1e308, alpha=2.0, beta=2.0), 1.0),
    # only the numerator overflows: G was inf
    (C.ChinchillaParams(E=1.0, A=1.7e308, B=1e308, alpha=1.5, beta=1.5), (1.7 * 1.5 / 1.5) ** (1 / 3)),
    # the ratio 1e-322 is subnormal: G was 0.12 % off, silently
    (C.ChinchillaParams(E=1.0, A=1e-300, B=1e21, alpha=0.1, beta=10.0),
     math.exp((math.log(0.1) + math.log(1e-300) - math.log(10.0) - math.log(1e21)) / 10.1)),
])
def test_G_stays_accurate_when_its_products_leave_the_normal_range(params, expected):
    assert params.G == pytest.approx(expected, rel=1e-13, abs=0.0)
    if expected == 1.0:
        opt = C.compute_optimal_allocation(1e24, params)
        assert opt.n_opt == pytest.approx(math.sqrt(1e24 / 6), rel=1e-14)


def test_allocation_with_unrepresentable_tokens_per_parameter_raises():
    # D_opt / N_opt overflows although both are finite: it was returned as inf
    with pytest.raises(ValueError, match="D_opt/N_opt outside the positive float64 range"):
        C.compute_optimal_allocation(1e24, C.ChinchillaParams(E=1.0, A=4e-306, B=1e17, alpha=0.5, beta=1.0))


def test_chinchilla_loss_overflow_raises_and_log_form_works():
    params = C.ChinchillaParams(E=1, A=1, B=1, alpha=2, beta=1)
    with pytest.raises(ValueError, match="use log_chinchilla_loss"):
        C.chinchilla_loss(1e-300, 1.0, params)
    assert C.log_chinchilla_loss(1e-300, 1.0, params) == pytest.approx(600 * math.log(10), rel=1e-12)


def test_chinchilla_loss_when_the_power_alone_leaves_the_float64_range():
    # N**-alpha underflows (1e-400) or overflows (1e400) although A N**-alpha is ordinary:
    # the term was lost (loss 1e-200 instead of 1e-100) or reported as an overflow
    tiny_e = C.ChinchillaParams(E=1e-200, A=1e300, B=1e-300, alpha=2.0, beta=1.0)
    assert C.chinchilla_loss(1e200, 1.0, tiny_e) == pytest.approx(1e-100 + 1e-200 + 1e-300, rel=1e-12)
    small_a = C.ChinchillaParams(E=1.0, A=1e-300, B=1.0, alpha=2.0, beta=1.0)
    out = C.chinchilla_loss(np.array([1e-200, 1e-100, 1.0]), 1.0, small_a)
    np.testing.assert_allclose(out, [1e100 + 2.0, 2.0 + 1e-100, 2.0], rtol=1e-12)
    # ordinary inputs are computed exactly as before, term by term
    ordinary = C.ChinchillaParams(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
    N, D = np.logspace(6, 12, 7), np.logspace(8, 14, 7)
    assert np.array_equal(C.chinchilla_loss(N, D, ordinary), 1.69 + 406.4 * N**-0.34 + 410.7 * D**-0.28)


def test_huber_and_chi2_extremes():
    # huber_log_normalizer(1e-320) used to be inf, chi2_survival_df5(1e308) NaN
    assert C.huber_log_normalizer(1e-320) == pytest.approx(math.log(2) - math.log(1e-320), rel=1e-12)
    assert C.huber_log_normalizer(1e-300) == pytest.approx(math.log(2) - math.log(1e-300), rel=1e-14)
    assert C.chi2_survival_df5(1e308) == 0.0
    assert C.chi2_survival_df5(1999.0) == 0.0
