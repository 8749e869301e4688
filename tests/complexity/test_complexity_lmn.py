"""Linear mapping number: calibration values, exact invariants (spec section 8) and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.complexity import (
    GrokkingPhases,
    LMNResult,
    grokking_phases,
    l2_norm,
    linear_connectivity,
    linear_mapping_number,
    lmn_from_connectivity,
    mlp_linear_mapping_number,
)

FAST = settings(deadline=None, max_examples=20)
GRID = np.linspace(-1.0, 1.0, 200)

# Values of our implementation (spec section 4 calibration table, which gives 4 digits).
CALIBRATION = {
    "relu": (lambda x: np.maximum(x, 0.0), 2.3627857731934876, 2.363),
    "abs": (np.abs, 5.87601593273104, 5.876),
    "square": (lambda x: x**2, 6.412709342841811, 6.413),
    "sin": (lambda x: np.sin(2 * np.pi * x), 15.428000478682602, 15.43),
}
# the spec's calibration table: smallest eigenvalue of L, as printed (half a unit of the last digit)
SMALLEST_EIGENVALUE = {"relu": (-7.25, 0.005), "abs": (-24.19, 0.005), "square": (-20.3, 0.05), "sin": (-25.0, 0.05)}


def _random_mlp(rng, d_in, widths, acts):
    sizes = [d_in] + list(widths)
    ws = [rng.normal(0.0, 1.0 / np.sqrt(a), (a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(0.0, 0.3, b) for b in sizes[1:]]
    return ws, bs, list(acts)


def _forward(ws, bs, acts):
    table = {"silu": lambda z: z / (1.0 + np.exp(-z)), "tanh": np.tanh,
             "relu": lambda z: np.maximum(z, 0.0), "identity": lambda z: z}

    def f(x):
        for w, b, a in zip(ws, bs, acts):
            x = table[a](x @ w + b)
        return x

    return f


samples = st.integers(2, 24)
dims = st.integers(1, 6)
seeds = st.integers(0, 2**32 - 1)


# --- calibration -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CALIBRATION))
def test_calibration_values_on_the_uniform_grid(name):
    f, ours, spec = CALIBRATION[name]
    result = linear_mapping_number(f, GRID)
    assert result.lmn == pytest.approx(ours, rel=1e-6)
    assert round(result.lmn, 4 - int(np.floor(np.log10(spec))) - 1) == pytest.approx(spec, rel=1e-12)
    # L is far from positive semi-definite. Only resolved eigenvalues are counted: dozens are
    # rounding noise (|lambda| ~ 1e-16 of the largest) whose sign depends on the BLAS kernel
    ev = result.eigenvalues
    assert (ev < -1e-10 * np.abs(ev).max()).sum() >= 40
    assert -ev[ev < 0].sum() >= 0.05 * np.abs(ev).sum()
    smallest, half_unit = SMALLEST_EIGENVALUE[name]
    assert abs(ev.min() - smallest) <= half_unit


def test_calibration_on_random_points():
    x = np.random.default_rng(0).uniform(-1, 1, 200)  # spec: |x| 5.42, x^2 5.88, relu 2.21
    parts = [linear_mapping_number(g, x, keep_connectivity=False).lmn
             for g in (np.abs, lambda u: u**2, lambda u: np.maximum(u, 0))]
    np.testing.assert_allclose(parts, [5.421096168931464, 5.8847491032236245, 2.2139882550661962], rtol=1e-6)


def test_abs_lmn_grows_slowly_with_grid_size():
    values = [linear_mapping_number(np.abs, np.linspace(-1, 1, n)).lmn for n in (50, 100)]
    np.testing.assert_allclose(values, [5.655, 5.795], atol=6e-4)


# --- exact invariants --------------------------------------------------------------------------


@FAST
@given(n=samples, d1=dims, d2=dims, seed=seeds)
def test_affine_maps_have_lmn_one(n, d1, d2, seed):
    rng = np.random.default_rng(seed)
    A, c = rng.normal(size=(d1, d2)), rng.normal(size=d2)
    X = rng.normal(size=(n, d1))
    result = linear_mapping_number(lambda x: x @ A + c, X)
    assert abs(result.lmn - 1.0) <= 1e-9
    np.testing.assert_allclose(result.connectivity, 1.0, atol=1e-12)


@FAST
@given(n=samples, d1=dims, seed=seeds)
def test_deep_linear_mlp_has_lmn_one_on_both_paths(n, d1, seed):
    rng = np.random.default_rng(seed)
    ws, bs, acts = _random_mlp(rng, d1, [5, 4, 3], ["identity"] * 3)
    X = rng.normal(size=(n, d1))
    assert abs(mlp_linear_mapping_number(X, ws, bs, acts).lmn - 1.0) <= 1e-9
    assert abs(mlp_linear_mapping_number(X, ws, bs, acts, backend="numpy").lmn - 1.0) <= 1e-9


@FAST
@given(n=samples, d1=dims, d2=dims, seed=seeds, act=st.sampled_from(["silu", "tanh"]))
def test_bounds_symmetry_and_diagonal(n, d1, d2, seed, act):
    rng = np.random.default_rng(seed)
    ws, bs, acts = _random_mlp(rng, d1, [6, d2], [act, "identity"])
    X = rng.normal(0.0, 2.0, size=(n, d1))
    result = linear_mapping_number(_forward(ws, bs, acts), X)
    L = result.connectivity
    assert 1.0 - 1e-12 <= result.lmn <= n * (1.0 + 1e-12)
    np.testing.assert_array_equal(L, L.T)
    np.testing.assert_array_equal(np.diag(L), 1.0)
    assert L.min() >= 0.0 and L.max() <= 1.0 + 1e-12
    assert result.entropy_bits == pytest.approx(np.log2(result.lmn), abs=1e-12)


@pytest.mark.parametrize("blocks", [[1], [3, 3, 3], [2, 2], [5] * 4, [1, 1, 1, 1, 1]])
def test_block_diagonal_connectivity_gives_the_number_of_blocks(blocks):
    n = sum(blocks)
    L = np.zeros((n, n))
    start = 0
    for size in blocks:
        L[start:start + size, start:start + size] = 1.0
        start += size
    assert lmn_from_connectivity(L).lmn == pytest.approx(len(blocks), abs=1e-9) if n > 1 else True


def test_block_result_for_three_clusters_matches_spec_measurement():
    L = np.kron(np.eye(3), np.ones((4, 4)))
    assert abs(lmn_from_connectivity(L).lmn - 3.0) <= 1e-9


@settings(deadline=None, max_examples=12)
@given(n=samples, d1=dims, seed=seeds, act=st.sampled_from(["silu", "tanh", "relu"]))
def test_permuting_hidden_units_leaves_lmn_unchanged(n, d1, seed, act):
    rng = np.random.default_rng(seed)
    ws, bs, acts = _random_mlp(rng, d1, [7, 5, 3], [act, act, "identity"])
    X = rng.normal(size=(n, d1))
    base = mlp_linear_mapping_number(X, ws, bs, acts).lmn
    p, q = rng.permutation(7), rng.permutation(5)
    ws2 = [ws[0][:, p], ws[1][p][:, q], ws[2][q]]
    bs2 = [bs[0][p], bs[1][q], bs[2]]
    assert mlp_linear_mapping_number(X, ws2, bs2, acts).lmn == pytest.approx(base, rel=1e-9)


@FAST
@given(n=samples, d1=dims, d2=dims, seed=seeds)
def test_sample_order_path_reversal_and_output_maps_leave_lmn_unchanged(n, d1, d2, seed):
    rng = np.random.default_rng(seed)
    ws, bs, acts = _random_mlp(rng, d1, [6, d2], ["silu", "identity"])
    f = _forward(ws, bs, acts)
    X = rng.normal(0.0, 2.0, size=(n, d1))
    base = linear_mapping_number(f, X)
    perm = rng.permutation(n)
    # sample order: L is permuted alike, the spectrum is unchanged
    L_perm = linear_connectivity(f, X[perm])
    np.testing.assert_allclose(L_perm, base.connectivity[np.ix_(perm, perm)], rtol=1e-12, atol=1e-14)
    assert linear_mapping_number(f, X[perm]).lmn == pytest.approx(base.lmn, rel=1e-9)
    # path reversal: L_ji computed from the reversed path equals L_ij
    reversed_L = linear_connectivity(f, X[::-1])[::-1, ::-1]
    np.testing.assert_allclose(reversed_L, base.connectivity, rtol=1e-12, atol=1e-14)
    # per-coordinate affine output maps, output permutation and duplication
    c = rng.choice([-1.0, 1.0], d2) * rng.uniform(0.2, 5.0, d2)
    shift = rng.normal(size=d2)
    col = rng.permutation(d2)
    assert linear_mapping_number(lambda x: f(x) * c + shift, X).lmn == pytest.approx(base.lmn, rel=1e-9)
    assert linear_mapping_number(lambda x: f(x)[:, col], X).lmn == pytest.approx(base.lmn, rel=1e-9)
    assert linear_mapping_number(lambda x: np.hstack([f(x), f(x)]), X).lmn == pytest.approx(base.lmn, rel=1e-9)


@FAST
@given(n=samples, d1=dims, k=st.integers(1, 6), seed=seeds)
def test_affine_input_maps_commute_with_the_path(n, d1, k, seed):
    rng = np.random.default_rng(seed)
    A, c = rng.normal(size=(d1, k)), rng.normal(size=k)  # any rank
    ws, bs, acts = _random_mlp(rng, k, [6, 3], ["tanh", "identity"])
    g = _forward(ws, bs, acts)
    X = rng.normal(size=(n, d1))
    left = linear_mapping_number(lambda x: g(x @ A + c), X).lmn
    right = linear_mapping_number(g, X @ A + c).lmn
    assert left == pytest.approx(right, rel=1e-9)


@FAST
@given(n=samples, d=dims, seed=seeds)
def test_invertible_change_of_input_space_leaves_lmn_unchanged(n, d, seed):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(d, d)) + 3.0 * np.eye(d)
    shift = rng.normal(size=d)
    Minv = np.linalg.inv(M)
    ws, bs, acts = _random_mlp(rng, d, [6, 3], ["silu", "identity"])
    f = _forward(ws, bs, acts)
    X = rng.normal(size=(n, d))
    base = linear_mapping_number(f, X).lmn
    moved = linear_mapping_number(lambda u: f((u - shift) @ Minv), X @ M + shift).lmn
    assert moved == pytest.approx(base, rel=1e-8)


def test_layer_one_preactivation_equals_embedding_and_last_hidden_gives_one():
    rng = np.random.default_rng(3)
    ws, bs, acts = _random_mlp(rng, 8, [10, 10, 4], ["silu", "silu", "identity"])
    X = rng.normal(size=(24, 8))
    emb = mlp_linear_mapping_number(X, ws, bs, acts).lmn
    z1 = X @ ws[0] + bs[0]
    from_z1 = mlp_linear_mapping_number(z1, [np.eye(10)] + ws[1:], [np.zeros(10)] + bs[1:], acts).lmn
    assert from_z1 == pytest.approx(emb, rel=1e-9)
    h2 = _forward(ws[:2], bs[:2], acts[:2])(X)
    assert abs(mlp_linear_mapping_number(h2, ws[2:], bs[2:], ["identity"]).lmn - 1.0) <= 1e-9


# --- constant-coordinate policy ----------------------------------------------------------------


def test_const_policies_agree_without_constant_coordinates_and_differ_with_relu():
    for f in (lambda x: x**2, lambda x: np.sin(2 * np.pi * x)):
        one = linear_mapping_number(f, GRID[::4], const_policy="one").lmn
        skip = linear_mapping_number(f, GRID[::4], const_policy="skip").lmn
        nan = linear_mapping_number(f, GRID[::4], const_policy="nan").lmn
        assert one == skip == nan
    relu = lambda x: np.hstack([np.maximum(x, 0.0), x**2])  # noqa: E731  (a ReLU coordinate beside a smooth one)
    one = linear_mapping_number(relu, GRID[::4], const_policy="one").lmn
    skip = linear_mapping_number(relu, GRID[::4], const_policy="skip").lmn
    assert one != skip
    nan = linear_mapping_number(relu, GRID[::4], const_policy="nan")
    assert np.isnan(nan.lmn) and np.isnan(nan.connectivity).any()


def test_skip_policy_averages_only_varying_coordinates():
    X = np.linspace(0.0, 1.0, 6)[:, None]
    f = lambda x: np.hstack([x**2, np.zeros_like(x)])  # noqa: E731
    L_one = linear_connectivity(f, X, const_policy="one")
    L_skip = linear_connectivity(f, X, const_policy="skip")
    np.testing.assert_allclose(L_one, 0.5 * (1.0 + L_skip), rtol=1e-12)
    constant = linear_connectivity(lambda x: np.zeros_like(x), X, const_policy="skip")
    np.testing.assert_array_equal(constant, 1.0)


# --- results and bad input ---------------------------------------------------------------------


def test_result_repr_and_frozen_readonly_arrays():
    result = linear_mapping_number(np.abs, GRID[::10])
    assert isinstance(result, LMNResult)
    assert repr(result).startswith("LMN=") and "N=20" in repr(result)
    with pytest.raises(Exception):
        result.lmn = 2.0
    with pytest.raises(ValueError):
        result.eigenvalues[0] = 1.0
    assert linear_mapping_number(np.abs, GRID[::10], keep_connectivity=False).connectivity is None
    assert result.weights.sum() == pytest.approx(1.0)


def test_batch_size_does_not_change_the_result():
    f = lambda x: np.sin(3 * x)  # noqa: E731
    X = np.random.default_rng(1).normal(size=(15, 1))
    np.testing.assert_array_equal(linear_connectivity(f, X, batch_pairs=1), linear_connectivity(f, X))


@pytest.mark.parametrize(
    "X, f, match",
    [
        (np.zeros((1, 2)), lambda x: x, "at least 2 samples"),
        (np.array([[0.0], [np.nan]]), lambda x: x, "X must be finite"),
        (np.zeros((3, 2)), lambda x: x[:1], "f must map"),
        (np.zeros((3, 2)), lambda x: x[:, :, None], "f must map"),
        (np.arange(3.0), lambda x: np.log(x - 1.0), "NaN or infinite"),
    ],
)
def test_bad_input_raises_clear_errors(X, f, match):
    with np.errstate(all="ignore"), pytest.raises(ValueError, match=match):
        linear_connectivity(f, X)


def test_bad_arguments():
    X = np.arange(4.0)
    with pytest.raises(TypeError, match="f must be a callable"):
        linear_connectivity(3.0, X)
    with pytest.raises(ValueError, match="n_lambda must be >= 3"):
        linear_connectivity(np.abs, X, n_lambda=2)
    with pytest.raises(ValueError, match="const_policy"):
        linear_connectivity(np.abs, X, const_policy="zero")
    with pytest.raises(ValueError, match="symmetric"):
        lmn_from_connectivity(np.array([[1.0, 0.5], [0.2, 1.0]]))
    with pytest.raises(ValueError, match="unit diagonal"):
        lmn_from_connectivity(np.array([[2.0, 0.5], [0.5, 1.0]]))
    with pytest.raises(ValueError, match="square"):
        lmn_from_connectivity(np.ones((2, 3)))
    with pytest.raises(ValueError, match="finite"):
        lmn_from_connectivity(np.array([[1.0, np.nan], [np.nan, 1.0]]))
    ws, bs = [np.ones((1, 2)), np.ones((2, 1))], [np.zeros(2), np.zeros(1)]
    with pytest.raises(ValueError, match="activations\\[0\\]"):
        mlp_linear_mapping_number(X, ws, bs, ["gelu", "identity"])
    with pytest.raises(ValueError, match="weights\\[1\\]"):
        mlp_linear_mapping_number(X, [ws[0], np.ones((3, 1))], bs, ["silu", "identity"])
    with pytest.raises(ValueError, match="biases\\[0\\]"):
        mlp_linear_mapping_number(X, ws, [np.zeros(3), bs[1]], ["silu", "identity"])
    with pytest.raises(ValueError, match="backend"):
        mlp_linear_mapping_number(X, ws, bs, ["silu", "identity"], backend="torch")
    with pytest.raises(ValueError, match="equal length"):
        mlp_linear_mapping_number(X, ws, bs, ["silu"])


def test_arguments_are_checked_whatever_the_backend_and_named_as_in_the_signature():
    X = np.arange(4.0)
    ws, bs, acts = [np.ones((1, 2)), np.ones((2, 1))], [np.zeros(2), np.zeros(1)], ["silu", "identity"]
    # a truthiness test took "no" (and None) as a choice: only True/False are flags
    L = np.eye(3)
    for bad in ("no", None, 2):
        with pytest.raises(TypeError, match="keep_connectivity must be True or False"):
            lmn_from_connectivity(L, keep_connectivity=bad)
        with pytest.raises(TypeError, match="keep_connectivity"):
            linear_mapping_number(np.abs, X, keep_connectivity=bad)
        with pytest.raises(TypeError, match="keep_connectivity"):
            mlp_linear_mapping_number(X, ws, bs, acts, keep_connectivity=bad)
    assert lmn_from_connectivity(L, keep_connectivity=np.bool_(False)).connectivity is None
    # batch_pairs is used by the NumPy backend only, but a bad value is an error on both
    for backend in ("numba", "numpy"):
        for bad, error in ((0, ValueError), (2.5, TypeError), (None, TypeError)):
            with pytest.raises(error, match="batch_pairs"):
                mlp_linear_mapping_number(X, ws, bs, acts, backend=backend, batch_pairs=bad)
    # the samples are H0 in the MLP path, not X
    with pytest.raises(ValueError, match="H0 must be finite"):
        mlp_linear_mapping_number(np.array([0.0, np.nan, 1.0]), ws, bs, acts)
    with pytest.raises(ValueError, match="H0 must hold at least 2 samples"):
        mlp_linear_mapping_number(np.array([0.0]), ws, bs, acts)


# --- L2 norm -----------------------------------------------------------------------------------


def test_l2_norm_of_parameter_lists():
    arrays = [np.full((2, 2), 1.0), np.array([2.0]), np.array(1e200)]
    assert l2_norm(arrays[:2]) == pytest.approx(np.sqrt(8.0), rel=1e-15)
    assert l2_norm(arrays) == pytest.approx(1e200, rel=1e-15)
    assert l2_norm(np.array([3.0, 4.0])) == 5.0
    with pytest.raises(ValueError, match="finite"):
        l2_norm([np.array([np.inf])])
    with pytest.raises(ValueError, match="at least one"):
        l2_norm([])


# --- grokking phases ---------------------------------------------------------------------------


def test_grokking_phases_on_a_logged_run():
    steps = np.arange(0, 1000, 100)
    train = np.array([0.1, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    test = np.array([0.0, 0.0, 0.1, 0.5, 0.95, 0.99, 1.0, 1.0, 1.0, 1.0])
    phases = grokking_phases(steps, train, test)
    assert (phases.t_mem, phases.t_gen, phases.delay) == (200, 600, 400)
    assert grokking_phases(steps, train, test, threshold=0.99).t_gen == 500
    assert grokking_phases(steps, train * 0.5, test) == GrokkingPhases(None, None, 1.0)
    with pytest.raises(ValueError, match="increasing"):
        grokking_phases(steps[::-1], train, test)
    with pytest.raises(ValueError, match="threshold"):
        grokking_phases(steps, train, test, threshold=0.0)
    with pytest.raises(ValueError, match="train_acc must lie"):
        grokking_phases(steps, train * 2, test)


@FAST
@given(acc=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=30),
       shift=st.integers(-1000, 1000), stride=st.integers(1, 500))
def test_grokking_phases_order_and_shift(acc, shift, stride):
    train = np.array([a for a, _ in acc])
    test = np.array([b for _, b in acc])
    steps = np.arange(len(acc)) * stride
    base = grokking_phases(steps, train, test, threshold=0.9)
    if base.t_mem is not None and base.t_gen is not None:
        assert base.t_mem <= base.t_gen
    moved = grokking_phases(steps + shift, train, test, threshold=0.9)
    for a, b in ((base.t_mem, moved.t_mem), (base.t_gen, moved.t_gen)):
        assert (a is None and b is None) or b == a + shift


# --- extreme magnitudes and malformed input (regressions) --------------------------------------


def test_lmn_is_scale_free_for_huge_outputs_and_inputs():
    # squares of 1e200 overflow: the path variance used to read as "constant", giving LMN 1
    assert linear_mapping_number(np.abs, [-1e200, 1e200]).lmn == pytest.approx(2.0, rel=1e-12)
    x = np.linspace(-1.0, 1.0, 30)
    base = linear_connectivity(np.abs, x)
    # a power-of-two output scale is exact, so L is bit-identical
    np.testing.assert_array_equal(linear_connectivity(lambda z: np.abs(z) * 2.0**700, x), base)
    np.testing.assert_allclose(linear_connectivity(lambda z: np.abs(z) * 1e300, x), base, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(linear_connectivity(np.abs, 1e300 * x), base, rtol=1e-12, atol=1e-14)
    # samples whose differences overflow float64 (x_j - x_i = 3.4e308)
    np.testing.assert_allclose(linear_connectivity(np.abs, 1.7e308 * x), base, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("e", [0, 1, 300, 600, 700])
@settings(deadline=None, max_examples=6)
@given(n=samples, d1=dims, seed=seeds, backend=st.sampled_from(["numba", "numpy"]))
def test_power_of_two_output_scale_gives_identical_connectivity(e, n, d1, seed, backend):
    # exact up to 2**700 (outputs near 1e211); scales below 1 meet the documented 1e-12 floor
    rng = np.random.default_rng(seed)
    ws, bs, acts = _random_mlp(rng, d1, [6, 3], ["tanh", "identity"])
    X = rng.normal(size=(n, d1))
    base = mlp_linear_mapping_number(X, ws, bs, acts, backend=backend).connectivity
    scaled = [ws[0], ws[1] * 2.0**e], [bs[0], bs[1] * 2.0**e]
    np.testing.assert_array_equal(mlp_linear_mapping_number(X, *scaled, acts, backend=backend).connectivity, base)


def test_tiny_outputs_fall_under_the_documented_constant_floor():
    # the constant threshold (1e-12 (1 + max|y|))^2 has an absolute floor by design: a
    # coordinate varying by less than ~1e-12 is constant, whatever its shape
    x = np.linspace(-1.0, 1.0, 8)
    np.testing.assert_array_equal(linear_connectivity(lambda z: 1e-200 * np.abs(z), x, const_policy="skip"), 1.0)


def test_linear_connectivity_rejects_non_real_outputs():
    X = np.linspace(-1.0, 1.0, 4)
    with pytest.raises(TypeError, match="f must return an array of real numbers.*complex128"):
        linear_connectivity(lambda x: x * (1.0 + 1.0j), X)
    with pytest.raises(TypeError, match="f must return an array of real numbers.*<U"):
        linear_connectivity(lambda x: np.array([str(v) for v in x.ravel()]), X)
    with pytest.raises(TypeError, match="f must return an array of real numbers"):
        linear_connectivity(lambda x: np.array([complex(v) for v in x.ravel()], dtype=object), X)
    np.testing.assert_array_equal(  # object arrays of real numbers and bools still convert
        linear_connectivity(lambda x: np.array([float(v) for v in x.ravel()], dtype=object), X),
        linear_connectivity(lambda x: x, X))
    assert np.isfinite(linear_connectivity(lambda x: x > 0.0, X)).all()


def test_lmn_from_connectivity_requires_entries_in_unit_interval():
    for off in (1e308, -5.0, 1.0 + 1e-9, -1e-9):
        L = np.array([[1.0, off, 0.0], [off, 1.0, 0.0], [0.0, 0.0, 1.0]])
        with pytest.raises(ValueError, match=r"L must have every entry in \[0, 1\]"):
            lmn_from_connectivity(L)
    L = np.array([[1.0, 1.0 + 5e-13], [1.0 + 5e-13, 1.0]])  # rounding above 1 is accepted
    assert lmn_from_connectivity(L).lmn == pytest.approx(1.0, abs=1e-9)
    # linear_connectivity's own output (entries may exceed 1 by an ulp) is accepted
    lmn_from_connectivity(linear_connectivity(np.abs, GRID[::10]))


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_mlp_near_the_float64_limit_is_finite_or_raises(backend):
    H0 = np.array([[-1.0], [0.5], [1.0]])
    # pre-activations +-1e308: z_j - z_i overflows in the numba streaming path (was NaN)
    result = mlp_linear_mapping_number(H0, [[[-1e308]]], [[0.0]], ["silu"], backend=backend)
    assert np.isfinite(result.lmn) and np.isfinite(result.connectivity).all()
    with np.errstate(over="ignore"):
        twin = linear_mapping_number(lambda x: (-1e308 * x) / (1.0 + np.exp(1e308 * x)), H0)
    np.testing.assert_allclose(result.connectivity, twin.connectivity, rtol=1e-10, atol=1e-12)
    # outputs beyond float64 (1e200 * 1e200): a clear error on both backends, never NaN
    with np.errstate(over="ignore"), pytest.raises(ValueError, match="NaN or infinite"):
        mlp_linear_mapping_number(H0, [[[1e200]], [[1e200]]], [[0.0], [0.0]], ["relu", "identity"],
                                  backend=backend)
    with pytest.raises(ValueError, match=r"H0 @ weights\[0\] \+ biases\[0\] overflows"):
        mlp_linear_mapping_number(1e200 * H0, [[[1e200]]], [[0.0]], ["tanh"], backend=backend)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_mlp_with_zero_width_output_layer_raises_on_both_backends(backend):
    X = np.random.default_rng(1).normal(size=(6, 2))
    ws, bs = [np.ones((2, 4)), np.zeros((4, 0))], [np.zeros(4), np.zeros(0)]
    with pytest.raises(ValueError, match=r"weights\[1\] must have at least one output column"):
        mlp_linear_mapping_number(X, ws, bs, ["tanh", "identity"], backend=backend)
    # a zero-width *hidden* layer is a constant map: LMN 1
    ws, bs = [np.zeros((2, 0)), np.zeros((0, 1))], [np.zeros(0), np.ones(1)]
    assert mlp_linear_mapping_number(X, ws, bs, ["tanh", "identity"], backend=backend).lmn == pytest.approx(1.0)


def test_grokking_phases_keeps_integer_steps_exact():
    big = 2**53
    phases = grokking_phases([big, big + 1, big + 3], [0.5, 1.0, 1.0], [0.0, 0.0, 1.0])
    assert (phases.t_mem, phases.t_gen, phases.delay) == (big + 1, big + 3, 2)
    steps = np.array([0, 2**63 + 10], dtype=np.uint64)
    assert grokking_phases(steps, [0.0, 1.0], [0.0, 1.0]).t_mem == 2**63 + 10
    with pytest.raises(ValueError, match="increasing"):
        grokking_phases([big + 1, big], [0.5, 1.0], [0.0, 1.0])
    assert grokking_phases(np.array([0.5, 1.5]), [0.5, 1.0], [1.0, 1.0]).t_mem == 1.5
