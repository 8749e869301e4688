"""Property-based invariants of efttheory.scaling.lottery (spec section 8)."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from efttheory.scaling import lottery as L

FAST = settings(deadline=None, max_examples=50)
GRID = np.linspace(-2.0, 2.0, 1001)


def finite(lo=-5.0, hi=5.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def positive(lo=1e-3, hi=1e3):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


activations = st.sampled_from(["silu", "relu", "tanh"])


# --- symmetric ticket ----------------------------------------------------------------------------


@FAST
@given(w=finite(), b=finite(), v=finite(), c=finite(), act=activations,
       x=st.lists(finite(-3, 3), min_size=1, max_size=20))
def test_symmetric_ticket_is_even_and_symmetric_in_its_neurons(w, b, v, c, act, x):
    x = np.array(x)
    g = L.symmetric_ticket(x, w, b, v, c, activation=act)
    np.testing.assert_array_equal(L.symmetric_ticket(-x, w, b, v, c, activation=act), g)
    np.testing.assert_array_equal(L.symmetric_ticket(x, -w, b, v, c, activation=act), g)
    # swapping the two neurons: the same two terms added in the other order
    act_fn = {"silu": L.silu, "relu": lambda u: np.maximum(u, 0.0), "tanh": np.tanh}[act]
    swapped = c + v * (act_fn(b - w * x) + act_fn(b + w * x))
    np.testing.assert_allclose(swapped, g, rtol=1e-15, atol=1e-15 * (abs(c) + abs(v) * (abs(b) + 3 * abs(w))))


@FAST
@given(w=finite(-3, 3), b=finite(-3, 3), v=finite(-3, 3), k=st.floats(0.1, 10), act=st.sampled_from(["silu", "tanh"]))
def test_taylor_coefficients_scaling(w, b, v, k, act):
    base = L.ticket_taylor_coefficients(w, b, v, activation=act)
    scaled = L.ticket_taylor_coefficients(k * w, b, v / k**2, activation=act)
    np.testing.assert_allclose(scaled.c2, base.c2, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(scaled.c4, k**2 * base.c4, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(scaled.c0, base.c0 / k**2, rtol=1e-12, atol=1e-300)


# --- ensembling ------------------------------------------------------------------------------------

bias_values = st.one_of(st.just(0.0), positive())
corr_values = st.one_of(st.just(0.0), st.floats(1e-3, 1.0))


@FAST
@given(bias_sq=bias_values, var=positive(), corr=corr_values,
       n=st.lists(st.floats(1.0, 1e4), min_size=2, max_size=10))
def test_ensemble_mse_decreases_to_its_floor(bias_sq, var, corr, n):
    n = np.sort(np.array(n))
    mse = L.ensemble_mse(bias_sq, var, n, corr)
    floor = bias_sq + corr * var
    assert np.all(np.diff(mse) <= 0)
    assert np.all(mse >= floor)
    assert abs(L.ensemble_mse(bias_sq, var, 1e12, corr) - floor) <= 1e-9 * floor + 1.01e-12 * var


@FAST
@given(bias_sq=bias_values, var=positive(), corr=corr_values, n=st.floats(1.0, 1e4))
def test_effective_exponent_in_unit_interval_and_one_iff_clt(bias_sq, var, corr, n):
    alpha = L.effective_exponent(bias_sq, var, n, corr)
    assert 0.0 <= alpha <= 1.0
    assert (alpha == 1.0) == (bias_sq == 0.0 and corr == 0.0)


# --- scaling_exponent (delegates to efttheory.solvers.fit_power_law) -------------------------------


@FAST
@given(alpha=st.floats(0.1, 4.0), amp=st.floats(1e-6, 1e3), n_widths=st.integers(3, 6),
       scale=st.floats(0.1, 10.0), const=st.floats(1e-3, 1e3), seed=st.integers(0, 2**32 - 1))
def test_scaling_exponent_exact_and_invariant(alpha, amp, n_widths, scale, const, seed):
    widths = 8.0 * 2.0 ** np.arange(n_widths)
    rng = np.random.default_rng(seed)
    noise = np.exp(0.3 * rng.standard_normal((n_widths, 5)))
    # noise-free power law: exact
    clean = np.repeat((amp * widths ** -alpha)[:, None], 3, axis=1)
    fit = L.scaling_exponent(widths, clean, n_boot=20, rng=seed)
    assert abs(fit.exponent - alpha) <= 1e-9 * max(1.0, alpha)
    # noisy: the exponent ignores a constant factor and a rescaling of the widths; CI brackets it
    losses = amp * widths[:, None] ** -alpha * noise
    base = L.scaling_exponent(widths, losses, n_boot=50, rng=seed)
    assert base.ci_low <= base.exponent <= base.ci_high
    assert abs(L.scaling_exponent(widths, const * losses, n_boot=0).exponent - base.exponent) <= 1e-9
    assert abs(L.scaling_exponent(scale * widths, losses, n_boot=0).exponent - base.exponent) <= 1e-9
    again = L.scaling_exponent(widths, losses, n_boot=50, rng=seed)
    assert (again.ci_low, again.ci_high) == (base.ci_low, base.ci_high)


# --- ReLU bounds -----------------------------------------------------------------------------------


@FAST
@given(k=st.integers(1, 200), lo=finite(-10, 10), length=st.floats(0.1, 20.0))
def test_relu_bounds_scaling(k, lo, length):
    hi = lo + length
    interp = L.relu_interpolation_mse(k, lo, hi)
    assert np.isclose(interp * k**4, length**4 / 30.0, rtol=1e-12)
    assert np.isclose(L.relu_interpolation_mse(k, 0.0, 2 * length), 16 * L.relu_interpolation_mse(k, 0.0, length), rtol=1e-12)
    assert np.isclose(L.relu_optimal_mse(k, 0.0, 2 * length), 16 * L.relu_optimal_mse(k, 0.0, length), rtol=1e-12)
    # both bounds only depend on hi - lo
    assert np.isclose(L.relu_optimal_mse(k, lo, hi), L.relu_optimal_mse(k, 0.0, length), rtol=1e-9)
    # interp = 6 x optimum with K = N + 1 pieces
    assert np.isclose(L.relu_interpolation_mse(k + 1, lo, hi), 6 * L.relu_optimal_mse(k, lo, hi), rtol=1e-12)


@st.composite
def relu_nets(draw):
    n_hidden = draw(st.integers(1, 16))
    vec = st.lists(finite(-3, 3), min_size=n_hidden, max_size=n_hidden)
    return n_hidden, np.array(draw(vec)), np.array(draw(vec)), np.array(draw(vec)), draw(finite(-3, 3))


@FAST
@given(net=relu_nets())
def test_no_relu_net_beats_the_optimal_bound(net):
    n_hidden, w, b, v, c = net
    f = c + np.maximum(np.outer(GRID, w) + b, 0.0) @ v
    assert np.mean((f - GRID**2) ** 2) >= (1 - 1e-3) * L.relu_optimal_mse(n_hidden)


@FAST
@given(seed=st.integers(0, 2**32 - 1), n_hidden=st.integers(1, 8), scale=st.floats(0.2, 3.0))
def test_no_fitted_relu_net_beats_the_optimal_bound(seed, n_hidden, scale):
    # nets with random knots whose output layer is fitted by least squares: much closer to the bound
    rng = np.random.default_rng(seed)
    w = rng.choice([-1.0, 1.0], n_hidden) * rng.uniform(0.2, scale + 0.2, n_hidden)
    b = rng.uniform(-2, 2, n_hidden) * np.abs(w)
    features = np.column_stack([np.maximum(np.outer(GRID, w) + b, 0.0), np.ones_like(GRID)])
    coef, *_ = np.linalg.lstsq(features, GRID**2, rcond=None)
    assert np.mean((features @ coef - GRID**2) ** 2) >= (1 - 1e-3) * L.relu_optimal_mse(n_hidden)


# --- reflection pairs ------------------------------------------------------------------------------


@st.composite
def nets_with_pairs(draw):
    """Random nets made of k exact reflection pairs plus m unpaired units, in random order."""
    seed = draw(st.integers(0, 2**32 - 1))
    k = draw(st.integers(0, 6))
    m = draw(st.integers(0, 6))
    assume(k + m >= 1)
    rng = np.random.default_rng(seed)

    def magnitudes(size):
        return rng.choice([-1.0, 1.0], size) * rng.uniform(0.5, 2.0, size)

    w0, b0, v0 = magnitudes(k), magnitudes(k), magnitudes(k)
    w = np.concatenate([w0, -w0, magnitudes(m)])
    b = np.concatenate([b0, b0, magnitudes(m)])
    v = np.concatenate([v0, v0, magnitudes(m)])
    order = rng.permutation(w.size)
    return w[order], b[order], v[order], order, k


def as_pair_set(pairs):
    return {frozenset(p) for p in pairs}


@FAST
@given(net=nets_with_pairs())
def test_exact_reflection_pairs_are_found(net):
    w, b, v, order, k = net
    position = np.argsort(order)  # where original unit i went
    expected = {frozenset((int(position[i]), int(position[i + k]))) for i in range(k)}
    found = L.symmetric_pairs(w, b, v, rtol=1e-3)
    assert expected <= as_pair_set(found)
    assert len(found) == k  # unpaired units are random: no accidental pair within 1e-3
    frac = L.reflection_partner_fraction(w, b, v, rtol=1e-3)
    assert frac == 2 * k / w.size
    assert 0.0 <= L.reflection_partner_fraction(w, b, v, rtol=1.0) <= 1.0
    assert L.reflection_matching_cost(w, b, v) <= 1.0


@FAST
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 30), rtol=st.floats(0.01, 1.0), noise=st.floats(0.0, 0.3))
def test_symmetric_pairs_invariant_under_relabelling(seed, n, rtol, noise):
    rng = np.random.default_rng(seed)
    w0, b0, v0 = rng.normal(size=(3, n))
    # half of the units are noisy reflections of the other half
    w = np.concatenate([w0, -w0 + noise * rng.normal(size=n)])
    b = np.concatenate([b0, b0 + noise * rng.normal(size=n)])
    v = np.concatenate([v0, v0 + noise * rng.normal(size=n)])
    perm = rng.permutation(2 * n)
    pairs = as_pair_set(L.symmetric_pairs(w, b, v, rtol))
    permuted = as_pair_set(L.symmetric_pairs(w[perm], b[perm], v[perm], rtol))
    inverse = np.argsort(perm)
    assert {frozenset(int(inverse[i]) for i in p) for p in pairs} == permuted
    frac = L.reflection_partner_fraction(w, b, v, rtol)
    assert 0.0 <= frac <= 1.0
    assert frac == L.reflection_partner_fraction(w[perm], b[perm], v[perm], rtol)
    cost = L.reflection_matching_cost(w, b, v)
    assert 0.0 <= cost <= 1.0
    assert np.isclose(cost, L.reflection_matching_cost(w[perm], b[perm], v[perm]), rtol=1e-12, atol=1e-15)


# --- odd part ----------------------------------------------------------------------------------------


@FAST
@given(coeffs=st.lists(finite(-3, 3), min_size=6, max_size=6), n=st.integers(2, 200))
def test_odd_part_norm_bounds(coeffs, n):
    half = np.linspace(0.0, 2.0, n + 1)[1:]
    x = np.concatenate([-half[::-1], [0.0], half])  # exactly symmetric about 0
    # powers by repeated products and sums done elementwise: exactly (anti)symmetric rows,
    # which a SIMD pow or a BLAS matrix product need not give
    powers = np.vander(x, 6, increasing=True)
    even = (powers[:, 0::2] * np.array(coeffs[0::2])).sum(axis=1)
    odd = (powers[:, 1::2] * np.array(coeffs[1::2])).sum(axis=1)
    if np.linalg.norm(even) > 0:
        assert L.odd_part_norm(even) == 0.0
    if np.linalg.norm(odd) > 0:
        assert abs(L.odd_part_norm(odd) - 1.0) <= 1e-12
    total = even + odd
    if np.linalg.norm(total) > 0:
        assert 0.0 <= L.odd_part_norm(total) <= 1.0
