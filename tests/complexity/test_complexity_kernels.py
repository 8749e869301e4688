"""The Numba connectivity kernel against a plain-NumPy twin (rtol 1e-10)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.complexity import linear_mapping_number, mlp_linear_mapping_number
from efttheory.complexity import _kernels

ACTS = {"identity": lambda z: z, "relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh,
        "silu": lambda z: z / (1.0 + np.exp(-z))}


def twin_connectivity(H0, ws, bs, acts, n_lambda=21, policy="one"):
    """One pair at a time: interpolate the *inputs*, run the layers, two-pass r^2 per coordinate
    (a coordinate above 2**256 in magnitude is first divided by a power of two)."""
    lam = np.linspace(0.0, 1.0, n_lambda)
    lam_c = lam - lam.mean()
    n = H0.shape[0]
    L = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            y = H0[i] + lam[:, None] * (H0[j] - H0[i])
            with np.errstate(over="ignore"):
                for w, b, a in zip(ws, bs, acts):
                    y = ACTS[a](y @ w + b)
            r2 = []
            for k in range(y.shape[1]):
                u = y[:, k]
                unit = 1.0
                if np.abs(u).max() > 2.0**256:  # huge coordinate: divide by a power of two (exact)
                    unit = 2.0 ** -np.frexp(np.abs(u).max())[1]
                    u = u * unit
                uc = u - u.mean()
                thr = 1e-12 * (unit + np.abs(u).max())
                if np.mean(uc**2) <= thr**2:
                    r2.append({"one": 1.0, "skip": None, "nan": np.nan}[policy])
                else:
                    r2.append(np.dot(lam_c, uc) ** 2 / (np.dot(lam_c, lam_c) * np.dot(uc, uc)))
            kept = [v for v in r2 if v is not None]
            L[i, j] = L[j, i] = np.mean(kept) if kept else 1.0
    return L


def _net(rng, d0, widths, acts, scale=1.0):
    sizes = [d0] + list(widths)
    ws = [scale * rng.normal(0.0, 1.0 / np.sqrt(a), (a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(0.0, 0.5, b) for b in sizes[1:]]
    return ws, bs, list(acts)


@settings(deadline=None, max_examples=12)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 14), d0=st.integers(1, 5),
       acts=st.lists(st.sampled_from(sorted(ACTS)), min_size=1, max_size=3),
       d_out=st.integers(1, 4), policy=st.sampled_from(["one", "skip", "nan"]))
def test_kernel_matches_numpy_twin(seed, n, d0, acts, d_out, policy):
    rng = np.random.default_rng(seed)
    widths = [int(rng.integers(1, 7)) for _ in acts[:-1]] + [d_out]
    ws, bs, acts = _net(rng, d0, widths, acts)
    H0 = rng.normal(0.0, 2.0, (n, d0))
    twin = twin_connectivity(H0, ws, bs, acts, policy=policy)
    fast = mlp_linear_mapping_number(H0, ws, bs, acts, const_policy=policy).connectivity
    np.testing.assert_allclose(fast, twin, rtol=1e-10, atol=1e-12)


def test_kernel_handles_huge_preactivations_and_other_grids():
    rng = np.random.default_rng(7)
    ws, bs, acts = _net(rng, 3, [5, 2], ["silu", "identity"], scale=400.0)  # |z| beyond 700
    H0 = rng.normal(0.0, 2.0, (12, 3))
    for n_lambda in (3, 21, 40):
        twin = twin_connectivity(H0, ws, bs, acts, n_lambda=n_lambda)
        fast = mlp_linear_mapping_number(H0, ws, bs, acts, n_lambda=n_lambda).connectivity
        np.testing.assert_allclose(fast, twin, rtol=1e-10, atol=1e-12)


def test_kernel_crosses_pair_blocks_and_agrees_with_the_generic_path():
    rng = np.random.default_rng(11)
    n = 2 * _kernels.PAIR_BLOCK + 5  # several blocks per row, odd N
    ws, bs, acts = _net(rng, 6, [9, 9, 4], ["silu", "silu", "identity"])
    H0 = rng.normal(size=(n, 6))
    fast = mlp_linear_mapping_number(H0, ws, bs, acts)
    generic = mlp_linear_mapping_number(H0, ws, bs, acts, backend="numpy")

    def f(x):
        for w, b, a in zip(ws, bs, acts):
            x = ACTS[a](x @ w + b)
        return x

    direct = linear_mapping_number(f, H0)
    np.testing.assert_allclose(fast.connectivity, generic.connectivity, rtol=1e-10, atol=1e-12)
    assert fast.lmn == pytest.approx(direct.lmn, rel=1e-10)
    assert fast.lmn == pytest.approx(generic.lmn, rel=1e-10)


def test_r2_mean_kernel_matches_closed_form():
    lam = np.linspace(0.0, 1.0, 21)
    lam_c = lam - lam.mean()
    y = np.column_stack([3.0 * lam + 1.0, (lam - 0.5) ** 2, np.full(21, 2.0)])
    buffers = [np.empty(3) for _ in range(4)]
    one = _kernels.r2_mean(y, lam_c, float(lam_c @ lam_c), 0, *buffers)
    skip = _kernels.r2_mean(y, lam_c, float(lam_c @ lam_c), 1, *buffers)
    nan = _kernels.r2_mean(y, lam_c, float(lam_c @ lam_c), 2, *buffers)
    assert one == pytest.approx(2.0 / 3.0, abs=1e-15)  # line 1, symmetric parabola 0, constant 1
    assert skip == pytest.approx(0.5, abs=1e-15)
    assert np.isnan(nan)


def test_r2_mean_rescales_huge_coordinates_and_flags_nonfinite_paths():
    lam = np.linspace(0.0, 1.0, 21)
    lam_c = lam - lam.mean()
    sum_lc2 = float(lam_c @ lam_c)
    y = np.column_stack([np.abs(lam - 0.3), np.sin(5.0 * lam), (lam - 0.5) ** 2])
    buffers = [np.empty(3) for _ in range(4)]
    base = _kernels.r2_mean(y, lam_c, sum_lc2, 0, *buffers)
    # squares of 1e200 overflow; a power-of-two scale is exact, a decimal one nearly so
    assert _kernels.r2_mean(y * 2.0**700, lam_c, sum_lc2, 0, *buffers) == base
    assert _kernels.r2_mean(y * 1e300, lam_c, sum_lc2, 0, *buffers) == pytest.approx(base, rel=1e-12)
    huge = y * np.array([1e300, 1.0, 1e-5])  # rescaled and ordinary columns side by side
    twin = np.mean([np.corrcoef(lam, col / np.abs(col).max())[0, 1] ** 2 for col in huge.T])
    assert _kernels.r2_mean(huge, lam_c, sum_lc2, 0, *buffers) == pytest.approx(twin, rel=1e-12)
    # a NaN or infinite output is flagged for every policy, even after a constant coordinate
    for bad in (np.inf, -np.inf, np.nan):
        z = np.column_stack([np.full(21, 2.0), y[:, 0]])
        z[7, 1] = bad
        for policy in (0, 1, 2):
            got = _kernels.r2_mean(z, lam_c, sum_lc2, policy, *[np.empty(2) for _ in range(4)])
            assert got == _kernels.NONFINITE


@pytest.mark.parametrize("act", sorted(ACTS))
def test_kernel_matches_twin_near_the_float64_limit(act):
    """Pre-activations up to 1.5e308 (z_j - z_i overflows: the kernel interpolates as
    (1 - lambda) z_i + lambda z_j) and outputs near 1e298 (moments rescaled)."""
    rng = np.random.default_rng(5)
    H0 = rng.normal(size=(9, 2))
    W1 = rng.normal(size=(2, 4))
    W1 *= 1.5e308 / np.abs(H0 @ W1).max()
    ws = [W1, rng.normal(size=(4, 3)) * 1e-10]
    bs = [np.zeros(4), np.zeros(3)]  # (a bias would swamp tanh's +-1e-10 outputs)
    acts = [act, "identity"]
    twin = twin_connectivity(H0, ws, bs, acts)
    assert np.isfinite(twin).all()
    for backend in ("numba", "numpy"):
        fast = mlp_linear_mapping_number(H0, ws, bs, acts, backend=backend).connectivity
        np.testing.assert_allclose(fast, twin, rtol=1e-10, atol=1e-12)


# Pre-activations where e^{-z} overflows (z < -709.78), its edge, ordinary values and non-finite ones.
EXTREME_Z = np.array([-1e308, -1e4, -800.0, -745.5, -709.8, -709.78, -709.0, -700.0, -30.0, -1.0, -0.0,
                      0.0, 1e-300, 2.5, 40.0, 750.0, 1e308, np.inf, -np.inf, np.nan])


def _same_values(got, want):
    """Equal element by element, NaN where the other is NaN, and the same sign of zero."""
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


def test_exp_is_overflow_safe_in_plain_python_and_equal_to_numpy():
    x = np.concatenate([-EXTREME_Z, [_kernels.EXP_MAX_ARG, np.nextafter(_kernels.EXP_MAX_ARG, np.inf)]])
    with np.errstate(over="ignore"):
        want = np.exp(x)
    assert np.isfinite(want[-2]) and np.isinf(want[-1])  # EXP_MAX_ARG is the float64 overflow edge
    _same_values(np.array([_kernels._exp.py_func(v) for v in x]), want)
    _same_values(np.array([_kernels._exp(v) for v in x]), want)


def test_silu_pure_python_kernel_matches_numpy_twin_at_extreme_preactivations():
    """Plain Python (as under NUMBA_DISABLE_JIT=1) must not raise where e^{-z} overflows, and must
    give the compiled kernel's and NumPy's values, -0.0 included."""
    z = EXTREME_Z.reshape(4, 5)
    with np.errstate(over="ignore", invalid="ignore"):
        want = ACTS["silu"](z)
    for kernel in (_kernels._activate.py_func, _kernels._activate):
        a = np.vstack([z, np.full((1, 5), 7.0)])  # the last row lies outside ``rows`` and stays put
        with np.errstate(invalid="ignore"):  # -inf / inf in plain Python on NumPy scalars
            kernel(a, 4, 5, _kernels.ACTIVATION_CODES["silu"])
        _same_values(a[:4], want)
        assert (a[4] == 7.0).all()


def test_kernel_runs_unchanged_without_jit_on_overflowing_silu(tmp_path):
    """The whole Numba backend as plain Python (NUMBA_DISABLE_JIT=1) on SiLU pre-activations far
    beyond -709.78 runs and gives the compiled kernel's connectivity."""
    rng = np.random.default_rng(0)
    H0 = rng.normal(size=(6, 2))
    ws = [1000.0 * rng.normal(size=(2, 4)), rng.normal(size=(4, 2))]
    bs = [np.zeros(4), np.zeros(2)]
    assert (H0 @ ws[0]).min() < -1e3
    np.savez(tmp_path / "net.npz", H0=H0, w0=ws[0], w1=ws[1])
    script = (
        "import sys, numpy as np\n"
        "from efttheory.complexity import mlp_linear_mapping_number\n"
        "d = np.load(sys.argv[1])\n"
        "L = mlp_linear_mapping_number(d['H0'], [d['w0'], d['w1']], [np.zeros(4), np.zeros(2)],\n"
        "                              ['silu', 'identity']).connectivity\n"
        "np.save(sys.argv[2], L)\n")
    env = dict(os.environ, NUMBA_DISABLE_JIT="1", PYTHONPATH=os.pathsep.join(
        [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")]))
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "net.npz"), str(tmp_path / "L.npy")],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    compiled = mlp_linear_mapping_number(H0, ws, bs, ["silu", "identity"]).connectivity
    # (compiled code may contract and reorder sums: equal up to rounding)
    np.testing.assert_allclose(np.load(tmp_path / "L.npy"), compiled, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(compiled, twin_connectivity(H0, ws, bs, ["silu", "identity"]),
                               rtol=1e-10, atol=1e-12)
