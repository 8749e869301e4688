"""Closed forms of efttheory.scaling.lottery against quadrature, finite differences and Monte Carlo."""

import itertools

import numpy as np
import pytest

from efttheory.scaling import lottery as L

GRID = np.linspace(-2.0, 2.0, 1001)


def gauss_legendre_mean(func, knots, degree=8):
    """Mean of ``func`` over [knots[0], knots[-1]], exact for piecewise polynomials of degree < 2*degree."""
    nodes, weights = np.polynomial.legendre.leggauss(degree)
    total = 0.0
    for a, b in zip(knots[:-1], knots[1:]):
        x = 0.5 * (b - a) * nodes + 0.5 * (a + b)
        total += 0.5 * (b - a) * np.dot(weights, func(x))
    return total / (knots[-1] - knots[0])


# --- approximation theory ---------------------------------------------------------------------


def test_sharma_kaplan_alpha():
    assert L.sharma_kaplan_alpha(1) == 4.0
    assert L.sharma_kaplan_alpha(4) == 1.0


@pytest.mark.parametrize("k", [1, 2, 3, 7, 16, 64])
def test_interpolation_mse_matches_quadrature(k):
    knots = np.linspace(-2.0, 2.0, k + 1)

    def err2(x):
        interp = np.interp(x, knots, knots**2)
        return (x**2 - interp) ** 2

    assert L.relu_interpolation_mse(k) == pytest.approx(gauss_legendre_mean(err2, knots), rel=1e-10)


@pytest.mark.parametrize("k", [1, 2, 5, 64])
def test_best_line_per_segment_matches_quadrature(k):
    # the best line on each segment is the secant shifted down by h^2/6
    knots = np.linspace(-2.0, 2.0, k + 1)
    h = 4.0 / k

    def err2(x):
        best = np.interp(x, knots, knots**2) - h**2 / 6.0
        return (x**2 - best) ** 2

    assert L.relu_optimal_mse(k - 1) == pytest.approx(gauss_legendre_mean(err2, knots), rel=1e-10)
    # and it is the least-squares line: the residual is orthogonal to 1 and x on each segment
    segment = knots[:2]
    mid = segment.mean()

    def resid(x):
        return x**2 - (np.interp(x, knots, knots**2) - h**2 / 6.0)

    assert abs(gauss_legendre_mean(resid, segment)) < 1e-12 * h**2
    assert abs(gauss_legendre_mean(lambda x: resid(x) * (x - mid), segment)) < 1e-12 * h**3


def optimal_relu_net(n_hidden):
    """The 1-N-1 ReLU net (even N) whose pieces are the shifted secants of x^2 on [-2, 2]."""
    k = n_hidden + 1
    h = 4.0 / k
    knots = -2.0 + h * np.arange(1, k)  # N interior knots, symmetric about 0, none at 0
    w = np.where(knots < 0, -1.0, 1.0)
    b = np.where(knots < 0, knots, -knots)
    v = np.full(n_hidden, 2.0 * h)  # the secant slope changes by 2h at every knot
    c = h**2 / 4.0 - h**2 / 6.0  # middle piece: flat at (h/2)^2 shifted down by h^2/6
    return w, b, v, c, np.concatenate([[-2.0], knots, [2.0]])


def relu_net(x, w, b, v, c):
    return c + np.maximum(np.outer(x, w) + b, 0.0) @ v


@pytest.mark.parametrize("n_hidden", [2, 4, 8, 16])
def test_relu_optimum_is_attained_for_even_width(n_hidden):
    w, b, v, c, knots = optimal_relu_net(n_hidden)

    def err2(x):
        return (relu_net(x, w, b, v, c) - x**2) ** 2

    assert gauss_legendre_mean(err2, knots) == pytest.approx(L.relu_optimal_mse(n_hidden), rel=1e-10)
    # on the 1001-point test grid the endpoints weigh a little more than in the integral
    grid_mse = np.mean(err2(GRID))
    assert grid_mse >= (1 - 1e-3) * L.relu_optimal_mse(n_hidden)
    assert grid_mse == pytest.approx(L.relu_optimal_mse(n_hidden), rel=1e-2)


def test_spec_table_values():
    # section 2.2 of the spec: interp / optimum for N = 4, 8, 16, 32 (K = N + 1)
    table = {4: (1.37e-2, 2.28e-3), 8: (1.30e-3, 2.17e-4), 16: (1.02e-4, 1.70e-5), 32: (7.2e-6, 1.2e-6)}
    for n, (interp, opt) in table.items():
        assert L.relu_interpolation_mse(n + 1) == pytest.approx(interp, rel=0.01)
        assert L.relu_optimal_mse(n) == pytest.approx(opt, rel=0.01)


# --- SiLU and tickets -------------------------------------------------------------------------


def test_silu_values():
    assert L.silu(0.0) == 0.0
    assert L.silu(1.0) == pytest.approx(1.0 / (1.0 + np.exp(-1.0)), rel=1e-15)
    z = np.array([-800.0, -30.0, 0.5, 30.0, 800.0])
    out = L.silu(z)
    assert out.shape == z.shape and np.all(np.isfinite(out))
    assert out[-1] == 800.0 and out[0] == pytest.approx(0.0, abs=1e-300)
    assert isinstance(L.silu(0.3), float)


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_silu_derivative_central_differences(order):
    z = np.linspace(-6.0, 6.0, 41)
    h = 1e-4
    fd = (L.silu_derivative(z + h, order - 1) - L.silu_derivative(z - h, order - 1)) / (2 * h)
    np.testing.assert_allclose(L.silu_derivative(z, order), fd, rtol=0, atol=1e-7)


def test_silu_derivative_special_values():
    assert L.silu_derivative(0.0, 0) == 0.0
    assert L.silu_derivative(0.0, 1) == 0.5
    assert L.silu_derivative(0.0, 2) == 0.5
    assert L.silu_derivative(0.0, 3) == 0.0
    assert L.silu_derivative(0.0, 4) == -0.5
    # sigma'''' changes sign near b = +-1.03 (spec section 2.3 quotes 1.04)
    b = np.linspace(0.9, 1.2, 3001)
    root = b[np.argmin(np.abs(L.silu_derivative(b, 4)))]
    assert root == pytest.approx(1.032, abs=1e-3)
    assert L.silu_derivative(-root, 4) == pytest.approx(0.0, abs=1e-3)


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_tanh_derivative_central_differences(order):
    z = np.linspace(-3.0, 3.0, 31)
    h = 1e-4
    fd = (L._tanh_derivative(z + h, order - 1) - L._tanh_derivative(z - h, order - 1)) / (2 * h)
    np.testing.assert_allclose(L._tanh_derivative(z, order), fd, rtol=0, atol=1e-7)


@pytest.mark.parametrize("activation", ["silu", "tanh"])
def test_taylor_coefficients_fit_small_x(activation):
    w, b, v = 0.7, 0.4, 1.3
    taylor = L.ticket_taylor_coefficients(w, b, v, activation=activation)
    x = np.array([1e-2, 2e-2, 3e-2])
    g = L.symmetric_ticket(x, w, b, v, activation=activation)
    series = taylor.c0 + taylor.c2 * x**2 + taylor.c4 * x**4
    # the remainder is O(x^6) with a coefficient of order 1
    assert np.all(np.abs(g - series) <= x**6 + 1e-15)
    # dropping c4 leaves an O(x^4) error of the predicted size
    np.testing.assert_allclose((g - taylor.c0 - taylor.c2 * x**2) / x**4, taylor.c4, rtol=0, atol=1e-2 * abs(taylor.c4) + 1e-3)


def test_relu_ticket_taylor():
    taylor = L.ticket_taylor_coefficients(0.5, 0.3, 2.0, activation="relu")
    assert (taylor.c0, taylor.c2, taylor.c4) == (pytest.approx(1.2), 0.0, 0.0)
    assert L.ticket_taylor_coefficients(0.5, -0.3, 2.0, activation="relu").c0 == 0.0
    with pytest.raises(ValueError, match="b must be nonzero"):
        L.ticket_taylor_coefficients(0.5, 0.0, 2.0, activation="relu")
    # at b = 0 the relu ticket is v|w||x|
    x = np.linspace(-2, 2, 11)
    np.testing.assert_allclose(L.symmetric_ticket(x, 0.5, 0.0, 2.0, activation="relu"), np.abs(x))


def test_ticket_best_fit_spec_values():
    # section 2.3: one SiLU pair at b = 0 fits x^2 with MSE 6.7e-6, 4.2e-7, 2.7e-8, 1.7e-9
    expected = {0.16: 6.7e-6, 0.08: 4.2e-7, 0.04: 2.7e-8, 0.02: 1.7e-9}
    for w, mse in expected.items():
        fit = L.ticket_best_fit(w, 0.0)
        assert fit.mse == pytest.approx(mse, rel=0.03)
        # v approaches the Taylor match 1/(sigma''(0) w^2) = 2/w^2
        assert fit.v == pytest.approx(2.0 / w**2, rel=0.03)


def test_ticket_best_fit_is_least_squares():
    w, b = 0.9, -0.6
    fit = L.ticket_best_fit(w, b, n_grid=201)
    x = np.linspace(-2, 2, 201)
    phi = L.silu(b + w * x) + L.silu(b - w * x)
    (v, c), *_ = np.linalg.lstsq(np.column_stack([phi, np.ones_like(x)]), x**2, rcond=None)
    assert fit.v == pytest.approx(v, rel=1e-10)
    assert fit.c == pytest.approx(c, rel=1e-10, abs=1e-12)
    g = L.symmetric_ticket(x, w, b, fit.v, fit.c)
    assert fit.mse == pytest.approx(np.mean((g - x**2) ** 2), rel=1e-9)


@pytest.mark.parametrize("b", [0.0, 0.5])
def test_ticket_best_fit_slope_is_four(b):
    w = np.geomspace(0.02, 0.16, 6)
    mse = [L.ticket_best_fit(wi, b).mse for wi in w]
    slope = np.polyfit(np.log(w), np.log(mse), 1)[0]
    assert slope == pytest.approx(4.0, abs=0.1)


def test_ticket_best_fit_rejects_constant_feature():
    with pytest.raises(ValueError, match="constant"):
        L.ticket_best_fit(0.0, 0.3)
    with pytest.raises(ValueError, match="constant"):
        L.ticket_best_fit(0.1, 5.0, activation="relu")  # b + wx > 0 everywhere: feature 2b


# --- ensembling --------------------------------------------------------------------------------


def test_ensemble_mse_formula_and_shapes():
    assert L.ensemble_mse(0.0, 1.0, 4) == 0.25
    assert L.ensemble_mse(0.1, 1.0, 1, corr=0.3) == pytest.approx(1.1)
    out = L.ensemble_mse(np.array([0.0, 0.1])[:, None], 1.0, np.array([1, 2, 4]), corr=0.5)
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out[1], 0.1 + 0.5 + 0.5 / np.array([1, 2, 4]))
    assert isinstance(L.ensemble_mse(0.1, 0.2, 3), float)
    assert L.effective_exponent(0.0, 2.0, 7) == 1.0
    assert L.effective_exponent(1.0, 0.0, 7) == 0.0
    assert L.effective_exponent(1.0, 1.0, 1) == 0.5


def test_effective_exponent_is_log_derivative():
    bias_sq, var, corr = 3e-4, 7e-4, 0.1
    n = np.array([1.5, 3.0, 17.0, 250.0])
    eps = 1e-6
    up = np.log(L.ensemble_mse(bias_sq, var, n * np.exp(eps), corr))
    down = np.log(L.ensemble_mse(bias_sq, var, n * np.exp(-eps), corr))
    np.testing.assert_allclose(L.effective_exponent(bias_sq, var, n, corr), -(up - down) / (2 * eps), rtol=1e-7)


def test_ensemble_mse_monte_carlo():
    # Gaussian ticket errors with mean mu(x), std s(x) and equicorrelation r
    rng = np.random.default_rng(20231003)
    x = np.linspace(-2, 2, 9)
    mu, s, r = 0.02 * x**2 - 0.03, 0.05 + 0.01 * np.abs(x), 0.2
    bias_sq, var = np.mean(mu**2), np.mean(s**2)
    for n in (1, 4, 32):
        draws = 20000
        shared = rng.standard_normal((draws, 1, x.size))
        own = rng.standard_normal((draws, n, x.size))
        eps = mu + s * (np.sqrt(r) * shared + np.sqrt(1 - r) * own)
        mse = np.mean(np.mean(eps, axis=1) ** 2, axis=1)
        se = mse.std(ddof=1) / np.sqrt(draws)
        assert abs(mse.mean() - L.ensemble_mse(bias_sq, var, n, r)) < 4 * se


def test_ticket_statistics_decomposition_and_resampling_identity():
    rng = np.random.default_rng(7)
    errors = 0.01 + 0.02 * rng.standard_normal((5, 13))
    stats = L.ticket_error_statistics(errors)
    assert stats.mean_mse == pytest.approx(stats.bias_sq + stats.var, rel=1e-12)
    assert stats.bias_fraction == pytest.approx(stats.bias_sq / stats.mean_mse)
    np.testing.assert_allclose(stats.mean_error, errors.mean(axis=0))
    assert stats.var == pytest.approx(np.mean(errors.var(axis=0, ddof=0)))
    assert not stats.mean_error.flags.writeable
    # ensembles of n tickets drawn with replacement from the pool: exact expectation by enumeration
    for n in (1, 2, 3):
        mses = [np.mean(errors[list(idx)].mean(axis=0) ** 2) for idx in itertools.product(range(5), repeat=n)]
        assert np.mean(mses) == pytest.approx(L.ensemble_mse(stats.bias_sq, stats.var, n), rel=1e-12)


def test_ticket_statistics_edge_cases():
    zero = L.ticket_error_statistics(np.zeros((3, 4)))
    assert (zero.bias_sq, zero.var, zero.mean_mse, zero.bias_fraction) == (0.0, 0.0, 0.0, 0.0)
    single = L.ticket_error_statistics([[1.0, -1.0]])
    assert single.var == 0.0 and single.bias_fraction == 1.0
    assert "TicketStats(bias_sq=" in repr(single) and "2 points" in repr(single)


def test_reprs_are_short():
    assert repr(L.ticket_taylor_coefficients(0.1, 0.0, 1.0)).startswith("TicketTaylor(c0=")
    assert repr(L.ticket_best_fit(0.1, 0.0)).startswith("TicketFit(v=")
    assert repr(L.Mode(-3.5, 12)) == "Mode(log10_center=-3.500, count=12)"
    for obj in (L.ticket_taylor_coefficients(0.1, 0.0, 1.0), L.ticket_best_fit(0.1, 0.0)):
        assert len(repr(obj)) < 80
        with pytest.raises(AttributeError):
            obj.c0 = 1.0  # frozen
