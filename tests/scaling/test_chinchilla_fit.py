"""The Chinchilla fitter: kernel twins, gradients, recovery and invariances (spec section 8)."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from efttheory.errors import ConvergenceError
from efttheory.scaling import _chinchilla_kernels as K
from efttheory.scaling import chinchilla as C

TRUTH = C.ChinchillaParams(E=1.81722, A=477.83, B=2143.42, alpha=0.347311, beta=0.367172)


def synthetic(truth, sigma, seed, n=240):
    rng = np.random.default_rng(seed)
    log_n = rng.uniform(math.log(5e7), math.log(2e10), 4 * n)
    log_c = rng.uniform(math.log(1e18), math.log(1.3e22), 4 * n)
    d = np.exp(log_c - log_n) / 6
    keep = (d >= 2e8) & (d <= 4e11)
    N, D = np.exp(log_n[keep])[:n], d[keep][:n]
    loss = np.exp(C.log_chinchilla_loss(N, D, truth) + sigma * rng.standard_normal(N.size))
    return N, D, loss


def numpy_objective(theta, log_n, log_d, log_l, weights, delta, kind, log_z):
    """Plain-NumPy twin of the kernel objective."""
    a, b, e, alpha, beta = theta[:5]
    s = theta[5] if kind == 2 else 0.0
    terms = np.stack([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)])
    r = np.logaddexp.reduce(terms, axis=0) - log_l
    u = r / math.exp(s)
    h = np.where(np.abs(u) <= delta, 0.5 * u * u, delta * (np.abs(u) - 0.5 * delta))
    total = np.sum(weights * h)
    if kind == 1:
        return total / weights.sum()
    if kind == 2:
        return total + weights.sum() * (log_z + s)
    return total


@pytest.fixture(scope="module")
def data():
    N, D, loss = synthetic(TRUTH, 0.01, 0)
    return N, D, loss, np.log(N), np.log(D), np.log(loss)


@pytest.mark.parametrize("kind", [0, 1, 2])
def test_kernel_matches_numpy_twin_and_finite_differences(data, kind):
    _, _, _, ln, ld, ll = data
    rng = np.random.default_rng(kind)
    weights = rng.integers(0, 3, ln.size).astype(float)
    log_z = C.huber_log_normalizer(1e-3) if kind == 2 else 0.0
    theta = np.append(TRUTH.log() + rng.normal(scale=[0.3, 0.3, 0.05, 0.02, 0.02]), -4.0)[: 6 if kind == 2 else 5]
    grad = np.empty(theta.size)
    value = K.objective_and_gradient(theta, ln, ld, ll, weights, 1e-3, kind, log_z, grad)
    assert value == pytest.approx(numpy_objective(theta, ln, ld, ll, weights, 1e-3, kind, log_z), rel=1e-12)
    for i in range(theta.size):
        h = 1e-6
        up, dn = theta.copy(), theta.copy()
        up[i] += h
        dn[i] -= h
        fd = (numpy_objective(up, ln, ld, ll, weights, 1e-3, kind, log_z)
              - numpy_objective(dn, ln, ld, ll, weights, 1e-3, kind, log_z)) / (2 * h)
        assert grad[i] == pytest.approx(fd, rel=1e-5, abs=1e-9)


def test_objective_values_kernel_matches_twin(data):
    _, _, _, ln, ld, ll = data
    starts = C.epoch_grid_starts()[::450]
    got = K.objective_values(starts, ln, ld, ll, np.ones(ln.size), 1e-3, 0, 0.0)
    want = [numpy_objective(s, ln, ld, ll, np.ones(ln.size), 1e-3, 0, 0.0) for s in starts]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_noise_free_recovery():
    N, D, loss = synthetic(TRUTH, 0.0, 1)
    fit = C.fit_chinchilla(N, D, loss)
    for name in C.PARAMETER_NAMES:
        assert getattr(fit.params, name) == pytest.approx(getattr(TRUTH, name), rel=1e-8)
    assert fit.status in ("converged", "stalled")


@pytest.mark.parametrize("seed", range(10))
def test_noisy_recovery(seed):
    N, D, loss = synthetic(TRUTH, 0.002, seed)
    p = C.fit_chinchilla(N, D, loss).params
    assert abs(p.alpha - TRUTH.alpha) <= 0.01 and abs(p.beta - TRUTH.beta) <= 0.005
    assert abs(p.E - TRUTH.E) / TRUTH.E <= 0.01
    assert abs(p.A - TRUTH.A) / TRUTH.A <= 0.2 and abs(p.B - TRUTH.B) / TRUTH.B <= 0.2


@settings(deadline=None, max_examples=5, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(0.3, 0.4), st.floats(0.3, 0.4), st.floats(1.6, 2.0), st.integers(0, 1000))
def test_bootstrap_covers_truth(alpha, beta, e, seed):
    # sigma = 0.002 in log L: the noise level of the spec's recovery table (section 3.3)
    truth = C.ChinchillaParams(E=e, A=TRUTH.A, B=TRUTH.B, alpha=alpha, beta=beta)
    N, D, loss = synthetic(truth, 0.002, seed)
    fit = C.fit_chinchilla(N, D, loss, init=truth, n_boot=100, rng=seed)
    for name in C.PARAMETER_NAMES:
        assert abs(getattr(fit.params, name) - getattr(truth, name)) <= 3 * fit.bootstrap.se[name] + 1e-12


def test_permutation_invariance(data):
    N, D, loss = data[:3]
    perm = np.random.default_rng(5).permutation(N.size)
    a = C.fit_chinchilla(N, D, loss)
    b = C.fit_chinchilla(N[perm], D[perm], loss[perm])
    # the objective is flat to rounding at the optimum: it agrees to ~1e-15, the parameters
    # only to ~sqrt(eps) (up to 1.8e-8 over other permutations and BLAS kernels)
    assert b.objective_value == pytest.approx(a.objective_value, rel=1e-12)
    for name in C.PARAMETER_NAMES:
        assert getattr(b.params, name) == pytest.approx(getattr(a.params, name), rel=1e-6)


def test_rescaling_invariances(data):
    N, D, loss = data[:3]
    base = C.fit_chinchilla(N, D, loss)
    k = 7.0
    init = C.HOFFMANN_2022_UNROUNDED
    shifted_init = C.ChinchillaParams(E=init.E, A=init.A * k**init.alpha, B=init.B, alpha=init.alpha, beta=init.beta)
    scaled = C.fit_chinchilla(k * N, D, loss, init=shifted_init).params
    assert scaled.A == pytest.approx(base.params.A * k**base.params.alpha, rel=1e-6)
    assert scaled.alpha == pytest.approx(base.params.alpha, rel=1e-6)
    c = 1.7
    loss_init = C.ChinchillaParams(E=c * init.E, A=c * init.A, B=c * init.B, alpha=init.alpha, beta=init.beta)
    up = C.fit_chinchilla(N, D, c * loss, init=loss_init).params
    for name in ("E", "A", "B"):
        assert getattr(up, name) == pytest.approx(c * getattr(base.params, name), rel=1e-6)
    assert up.beta == pytest.approx(base.params.beta, rel=1e-6)


def test_fixed_parameter(data):
    N, D, loss = data[:3]
    free = C.fit_chinchilla(N, D, loss)
    pinned = C.fit_chinchilla(N, D, loss, fixed={"alpha": TRUTH.alpha})
    assert pinned.params.alpha == TRUTH.alpha
    assert pinned.objective_value >= free.objective_value * (1 - 1e-12)
    assert abs(pinned.params.beta - TRUTH.beta) < 0.01
    third = C.fit_chinchilla(N, D, loss, fixed={"alpha": 1 / 3, "E": 1.8})
    assert third.params.alpha == 1 / 3 and third.params.E == pytest.approx(1.8, rel=1e-15)


def test_matches_scipy_bfgs(data):
    optimize = pytest.importorskip("scipy.optimize")
    _, _, _, ln, ld, ll = data
    w = np.ones(ln.size)

    def fun(theta):
        g = np.empty(5)
        return K.objective_and_gradient(theta, ln, ld, ll, w, 1e-3, 0, 0.0, g), g

    ref = optimize.minimize(fun, C.HOFFMANN_2022_UNROUNDED.log(), jac=True, method="BFGS",
                            options={"gtol": 1e-12, "maxiter": 5000})
    ours = C.fit_chinchilla(*data[:3])
    np.testing.assert_allclose(ours.params.log(), ref.x, rtol=1e-6)
    assert ours.objective_value <= ref.fun * (1 + 1e-9)


def test_multi_and_grid_agree(data):
    N, D, loss = data[:3]
    single = C.fit_chinchilla(N, D, loss)
    multi = C.fit_chinchilla(N, D, loss, starts="multi")
    assert multi.objective_value <= single.objective_value * (1 + 1e-9)
    rows = np.vstack([C.HOFFMANN_2022_UNROUNDED.log(), C.epoch_grid_starts()[::300]])
    custom = C.fit_chinchilla(N, D, loss, starts=rows)
    assert custom.objective_value <= single.objective_value * (1 + 1e-9)


def test_huber_mean_and_nll_run(data):
    N, D, loss = data[:3]
    mean = C.fit_chinchilla(N, D, loss, objective="huber_mean")
    nll = C.fit_chinchilla(N, D, loss, objective="huber_nll")
    assert math.isfinite(nll.log_scale) and math.isnan(mean.log_scale)
    assert nll.params.alpha == pytest.approx(TRUTH.alpha, abs=0.05)


def test_maxiter_raises_with_last_iterate(data):
    with pytest.raises(ConvergenceError) as info:
        C.fit_chinchilla(*data[:3], maxiter=2)
    assert info.value.last_iterate.shape == (5,)


def test_exclude_highest_and_mask():
    loss = np.array([3.0, 5.0, 2.0, 4.0, 1.0])
    assert C.highest_loss_mask(loss, 2).tolist() == [True, False, True, False, True]
    assert C.highest_loss_mask(loss, 0).all()


def test_result_reprs_and_helpers(data):
    fit = C.fit_chinchilla(*data[:3], n_boot=20, rng=0)
    assert "ChinchillaFit" in repr(fit) and "ChinchillaBootstrap" in repr(fit.bootstrap)
    assert fit.tokens_per_parameter(5.88e23) > 0
    lo, hi = fit.interval()["alpha"]
    assert lo <= hi
    assert fit.bootstrap.samples.shape[1] == 5 and fit.bootstrap.cov_log.shape == (5, 5)
    test = C.parameter_chi2_test(C.HOFFMANN_2022_UNROUNDED, fit, fit.bootstrap)
    assert test.df == 5 and 0 <= test.p_value <= 1
    with pytest.raises(ValueError, match="bootstrap"):
        C.fit_chinchilla(*data[:3]).interval()


def test_bootstrap_deterministic(data):
    a = C.bootstrap_chinchilla(*data[:3], n_boot=10, rng=3)
    b = C.bootstrap_chinchilla(*data[:3], n_boot=10, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.samples, b.samples)


def test_likelihood_ratio_positive(data):
    N, D, loss = data[:3]
    test = C.likelihood_ratio_test(N, D, loss, C.HOFFMANN_2022_UNROUNDED)
    assert test.statistic > 0 and test.df == 5


def test_chi2_test_covers_only_the_free_parameters():
    # A fit with alpha held at 1/3 has no sampling variance in alpha: the Wald test is over the
    # four free parameters (df 4) and does not blow up when the reference's alpha differs. It used
    # to keep df = 5 and divide by the round-off variance (~1e-32) of the fixed column.
    truth = C.ChinchillaParams(E=1.8, A=480.0, B=2100.0, alpha=1 / 3, beta=0.37)
    N, D = (g.ravel() for g in np.meshgrid(np.logspace(7, 10, 5), np.logspace(9, 12, 5)))
    loss = C.chinchilla_loss(N, D, truth) * np.exp(0.01 * np.random.default_rng(0).standard_normal(25))
    fit = C.fit_chinchilla(N, D, loss, n_boot=40, rng=1, fixed={"alpha": 1 / 3})
    assert fit.bootstrap.fixed == {"alpha": 1 / 3}
    same = C.parameter_chi2_test(truth, fit, fit.bootstrap)
    other_alpha = C.parameter_chi2_test(C.ChinchillaParams(E=1.8, A=480.0, B=2100.0, alpha=0.34, beta=0.37),
                                        fit, fit.bootstrap)
    assert same.df == other_alpha.df == 4
    assert other_alpha.statistic == pytest.approx(same.statistic, rel=1e-12)
    # the statistic is the Wald form over the free block (a, b, e, beta) of the bootstrap covariance
    free = [0, 1, 2, 4]
    diff = (truth.log() - fit.params.log())[free]
    expected = diff @ np.linalg.inv(fit.bootstrap.cov_log[np.ix_(free, free)]) @ diff
    assert same.statistic == pytest.approx(expected, rel=1e-9)
    assert same.p_value == pytest.approx(scipy_stats.chi2.sf(same.statistic, 4), rel=1e-12)
    # a fit whose fixed set differs from its bootstrap's is refused
    with pytest.raises(ValueError, match="fixed"):
        C.parameter_chi2_test(truth, C.fit_chinchilla(N, D, loss, fixed={"alpha": 1 / 3}),
                              C.bootstrap_chinchilla(N, D, loss, n_boot=10, rng=1))
