"""efttheory.scaling.chinchilla: plateaus, starts that leave the domain, and the likelihood-ratio test.

Each test pins a defect of an earlier version, found by an audit on synthetic isoFLOP designs:
a negative likelihood-ratio statistic (the "best" fit was a single start trapped on a plateau),
a raw ``ValueError: alpha must be > 0`` when the winning start had left the parameter domain,
out-of-domain bootstrap refits kept as samples, and single-start fits trapped on a plateau
(alpha 1.4-5.4, the N term dead) returned without any sign.
"""

import math
import re
import warnings

import numpy as np
import pytest

from efttheory.errors import ConvergenceError
from efttheory.scaling import chinchilla as C


def isoflop_design(seed, index):
    """The audit's isoFLOP-style designs: 5-9 compute budgets, 5-11 model sizes each, 0.5-3 % noise."""
    rng = np.random.default_rng(seed)
    for _ in range(index + 1):
        true = C.ChinchillaParams(E=rng.uniform(1.5, 2.2), A=rng.uniform(200, 1000),
                                  B=rng.uniform(500, 5000), alpha=rng.uniform(0.25, 0.45),
                                  beta=rng.uniform(0.25, 0.45))
        budgets = 10 ** np.arange(18, 22.01, rng.choice([0.5, 1.0]))
        N, D = [], []
        for budget in budgets:
            k = int(rng.integers(5, 12))
            centre = np.log10((budget / 6) ** 0.5)
            sizes = 10 ** np.linspace(centre - rng.uniform(0.7, 1.2), centre + rng.uniform(0.7, 1.2), k)
            N += list(sizes)
            D += list(budget / (6 * sizes))
        N, D = np.array(N), np.array(D)
        sigma = rng.uniform(0.005, 0.03)
        loss = C.chinchilla_loss(N, D, true) * np.exp(sigma * rng.standard_normal(N.size))
    return true, N, D, loss


@pytest.fixture(scope="module")
def grid():
    true = C.ChinchillaParams(E=1.8, A=480.0, B=2100.0, alpha=0.35, beta=0.37)
    N, D = (g.ravel() for g in np.meshgrid(np.logspace(7, 10, 5), np.logspace(9, 12, 5)))
    loss = C.chinchilla_loss(N, D, true) * np.exp(0.01 * np.random.default_rng(0).standard_normal(25))
    return N, D, loss


@pytest.fixture(scope="module")
def rising():
    """Loss that *grows* with N: its exact fit has alpha = -0.2, outside the law's domain."""
    N, D = (g.ravel() for g in np.meshgrid(np.logspace(7, 10, 5), np.logspace(9, 12, 5)))
    loss = 1.8 + 0.05 * N**0.2 + 2100.0 * D**-0.37
    exact = np.array([math.log(0.05), math.log(2100.0), math.log(1.8), -0.2, 0.37])
    return N, D, loss, exact


# --- likelihood-ratio test ------------------------------------------------------------------------


def test_likelihood_ratio_is_not_negative_when_the_single_start_is_trapped():
    # the old "best" fit (one start from Hoffmann) stopped on a plateau (alpha 1.75, NLL -159.73)
    # below the reference's likelihood: statistic -21.77, p = 1
    true, N, D, loss = isoflop_design(3, 36)
    test = C.likelihood_ratio_test(N, D, loss, true)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        single = C.fit_chinchilla(N, D, loss, objective="huber_nll")
    multi = C.fit_chinchilla(N, D, loss, objective="huber_nll", starts="multi")
    assert single.params.alpha > 1.5 and single.objective_value > multi.objective_value + 10
    assert test.statistic >= 0.0
    # the best fit is at least as good as the multi-start optimum (NLL -174.46); the audit's
    # corrected statistic was 7.697
    assert test.statistic == pytest.approx(7.697, abs=0.01)
    assert 0.1 < test.p_value < 0.25


@pytest.mark.parametrize("alpha", [0.355, 0.36, 0.365, 0.37, 0.39, 0.40, 0.41, 0.42, 0.43])
def test_likelihood_ratio_rejects_what_the_trapped_fit_hid(alpha):
    # old: statistics -21.7 ... 25.2, so alpha = 0.36 and 0.40 had p = 1; with the true best fit
    # every one of them is >= 0 and alpha far from the optimum (0.413) is rejected
    true, N, D, loss = isoflop_design(3, 36)
    ref = C.ChinchillaParams(E=true.E, A=true.A, B=true.B, alpha=alpha, beta=true.beta)
    test = C.likelihood_ratio_test(N, D, loss, ref)
    assert test.statistic >= 0.0
    if alpha in (0.355, 0.36, 0.40, 0.41, 0.42, 0.43):
        assert test.p_value < 0.01


def test_likelihood_ratio_falls_back_on_the_fit_from_the_reference(grid, monkeypatch):
    # even if every multi start fails, the run from the reference keeps the statistic >= 0
    def failing(*args, **kwargs):
        raise ConvergenceError("every start failed")

    monkeypatch.setattr(C, "fit_chinchilla", failing)
    for ref in (C.HOFFMANN_2022_UNROUNDED, C.ChinchillaParams(E=1.8, A=480.0, B=2100.0, alpha=0.35,
                                                              beta=0.37)):
        assert C.likelihood_ratio_test(*grid, ref).statistic >= 0.0


def test_likelihood_ratio_without_any_valid_best_fit_raises(grid, monkeypatch):
    def failing(*args, **kwargs):
        raise ConvergenceError("every start failed")

    real_bfgs = C._k.bfgs

    def bfgs(theta0, free, *args):
        theta, f, grad, it, status = real_bfgs(theta0, free, *args)
        if free.sum() > 1:  # the run over all parameters "fails"
            return theta, f, grad, 2000, C._k.MAXITER
        return theta, f, grad, it, status

    monkeypatch.setattr(C, "fit_chinchilla", failing)
    monkeypatch.setattr(C._k, "bfgs", bfgs)
    with pytest.raises(ConvergenceError, match="no fit of all parameters reached"):
        C.likelihood_ratio_test(*grid, C.HOFFMANN_2022_UNROUNDED)


def test_likelihood_ratio_keeps_its_value_on_a_well_posed_design(grid):
    # the docstring's numbers: the law that made the data is kept, Hoffmann's is rejected
    true = C.ChinchillaParams(E=1.8, A=480.0, B=2100.0, alpha=0.35, beta=0.37)
    assert C.likelihood_ratio_test(*grid, true).p_value == pytest.approx(0.35, abs=0.005)
    assert C.likelihood_ratio_test(*grid, C.HOFFMANN_2022).p_value < 1e-6


# --- starts that leave the parameter domain -------------------------------------------------------


def test_winning_start_outside_the_domain_is_not_eligible(rising):
    # old: the start at the exact (alpha < 0) fit won and ChinchillaParams raised
    # "ValueError: alpha must be > 0"
    N, D, loss, exact = rising
    starts = np.vstack([exact, C.HOFFMANN_2022_UNROUNDED.log()])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the in-domain optimum has a dead N term
        fit = C.fit_chinchilla(N, D, loss, starts=starts)
    assert fit.params.alpha > 0
    assert "1 of them outside the parameter domain" in fit.message


def test_no_eligible_start_raises_convergence_error(rising):
    N, D, loss, exact = rising
    with pytest.raises(ConvergenceError, match="left the parameter domain") as info:
        C.fit_chinchilla(N, D, loss, starts=exact[None, :])
    assert info.value.last_iterate[3] < 0


def test_multi_start_on_the_audit_design_that_crashed():
    # isoFLOP seed 3, design 29: two screened grid starts ended at alpha < 0 with a lower
    # objective; old: "ValueError: alpha must be > 0, got -2.098"
    _, N, D, loss = isoflop_design(3, 29)
    multi = C.fit_chinchilla(N, D, loss, starts="multi")
    single = C.fit_chinchilla(N, D, loss)
    assert multi.params.alpha > 0
    assert "outside the parameter domain" in multi.message
    assert multi.objective_value <= single.objective_value * (1 + 1e-9)


def test_bootstrap_point_fit_outside_the_domain_raises(grid, monkeypatch):
    real_bfgs = C._k.bfgs

    def bfgs(*args):
        theta, f, grad, it, status = real_bfgs(*args)
        theta = theta.copy()
        theta[3] = -0.5
        return theta, f, grad, it, status

    monkeypatch.setattr(C._k, "bfgs", bfgs)
    with pytest.raises(ConvergenceError, match="left the parameter domain"):
        C.bootstrap_chinchilla(*grid, n_boot=3, rng=0)


def test_bootstrap_refits_outside_the_domain_are_dropped(grid, monkeypatch):
    # old: kept as samples (alpha < 0 or E = 0 in the intervals), n_failed = 0
    real = C._k.bootstrap_fits

    def leaving(*args):
        thetas, values, statuses = real(*args)
        thetas = thetas.copy()
        thetas[0, 3] = -0.1   # alpha < 0
        thetas[1, 2] = -800.0  # E = exp(-800) underflows to 0
        return thetas, values, statuses

    monkeypatch.setattr(C._k, "bootstrap_fits", leaving)
    boot = C.bootstrap_chinchilla(*grid, n_boot=6, rng=0)
    assert boot.n_failed == 2
    assert boot.samples.shape == (4, 5)
    assert np.all(boot.samples > 0)


# --- plateaus of the single start -----------------------------------------------------------------


def test_single_start_trapped_on_a_plateau_warns():
    # isoFLOP seed 3, design 5: one start from Hoffmann ends at alpha = 1.468 with the N term
    # dead and the objective 149 % above the multi-start optimum, reported "converged"
    true, N, D, loss = isoflop_design(3, 5)
    with pytest.warns(RuntimeWarning, match="N term .* plateau.*starts='multi'"):
        single = C.fit_chinchilla(N, D, loss)
    assert "plateau" in single.message
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the multi-start optimum is not on a plateau
        multi = C.fit_chinchilla(N, D, loss, starts="multi")
    assert single.params.alpha > 1.4
    assert multi.objective_value < 0.5 * single.objective_value
    assert abs(multi.params.alpha - true.alpha) < 0.05


def test_bootstrap_from_a_trapped_start_warns():
    # the point fit from Hoffmann is trapped (alpha 1.47), and so are some resample refits:
    # how many depends on the last bits of the floating point (2 of 4 on one CPU, 1 of 4 on
    # another), so the warning's count is checked against the kept samples themselves
    _, N, D, loss = isoflop_design(3, 5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        boot = C.bootstrap_chinchilla(N, D, loss, n_boot=8, rng=0)
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert any(m.startswith("bootstrap_chinchilla: in the fit to the full data the N term")
               for m in messages)
    counts = [re.match(r"bootstrap_chinchilla: (\d+) of (\d+) kept resample refits ended on a plateau", m)
              for m in messages]
    counts = [(int(c[1]), int(c[2])) for c in counts if c]
    E, A, B, alpha, beta = boot.samples.T
    n_term = A[:, None] * np.asarray(N, float)[None, :] ** -alpha[:, None]
    d_term = B[:, None] * np.asarray(D, float)[None, :] ** -beta[:, None]
    fitted = E[:, None] + n_term + d_term
    dead = np.all(n_term < 1e-6 * fitted, axis=1) | np.all(d_term < 1e-6 * fitted, axis=1)
    assert boot.samples.shape[0] == 8 - boot.n_failed
    assert int(dead.sum()) >= 1
    assert counts == [(int(dead.sum()), boot.samples.shape[0])]


def test_well_posed_fits_do_not_warn(grid):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = C.fit_chinchilla(*grid)
        C.fit_chinchilla(*grid, starts="multi")
        C.bootstrap_chinchilla(*grid, n_boot=20, rng=0, init=fit.params)
    assert "plateau" not in fit.message


def test_fixed_dead_term_does_not_warn(rising):
    # a term held entirely fixed is the caller's choice, not a plateau of the fit
    N, D, loss, _ = rising
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        C.fit_chinchilla(N, D, loss, fixed={"A": 1e-30, "alpha": 0.5})
