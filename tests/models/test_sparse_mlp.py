"""Sparse-regularised MLPs of the resource-model experiments (models/sparse_mlp.py)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import sparse_mlp as S
from models._activation_kernels import silu_and_derivative


def numpy_silu_pair(z):
    """Plain-NumPy twin of the SiLU kernel."""
    s = 1.0 / (1.0 + np.exp(-np.clip(z, -708.0, 708.0)))
    a = z * s
    return a, s + a * (1.0 - s)


@settings(deadline=None, max_examples=30, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.floats(0.1, 800.0))
def test_silu_kernel_matches_numpy(seed, scale):
    z = np.random.default_rng(seed).normal(scale=scale, size=(3, 7, 5))
    out, der = np.empty_like(z), np.empty_like(z)
    silu_and_derivative(z, out, der)
    want_a, want_d = numpy_silu_pair(z)
    np.testing.assert_allclose(out, want_a, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(der, want_d, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("lam_bias", [0.0, 7e-3])
@pytest.mark.parametrize("hidden, d_in, d_out", [((6,), 1, 1), ((5,), 2, 2), ((4, 3, 4), 4, 1)])
def test_gradients_match_central_differences(hidden, d_in, d_out, lam_bias):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(9, d_in))
    y = rng.normal(size=(9, d_out))
    weights, biases = S.init_sparse_mlp((d_in,) + hidden + (d_out,), 2, rng)
    weights = [w + 0.05 * np.sign(w) for w in weights]  # keep weights away from the L1 kink
    biases = [b + 0.05 * np.sign(b) for b in biases]     # and the biases (L1 when lam_bias > 0)
    alphas = np.array([3.0, 40.0])
    tw = np.array([[0.7, 0.3][:d_out], [1.0, 0.5][:d_out]])
    lam = [2e-3] + [1e-3] * len(hidden)
    _, _, grads = S.sparse_mlp_gradients(weights, list(biases), x, y, alphas, tw, lam, lam_bias)
    params = []
    for w, b in zip(weights, biases):
        params += [w, b]
    h = 1e-6
    for k, p in enumerate(params):
        flat = p.reshape(-1)
        for idx in range(0, flat.size, max(1, flat.size // 7)):
            old = flat[idx]
            flat[idx] = old + h
            up = S.sparse_mlp_gradients(weights, list(biases), x, y, alphas, tw, lam, lam_bias)[0].sum()
            flat[idx] = old - h
            dn = S.sparse_mlp_gradients(weights, list(biases), x, y, alphas, tw, lam, lam_bias)[0].sum()
            flat[idx] = old
            assert grads[k].reshape(-1)[idx] == pytest.approx((up - dn) / (2 * h), rel=1e-5, abs=1e-8)


def test_training_decreases_loss_and_is_deterministic():
    x, y = S.square_task(41)
    a = S.train_sparse_mlp(x, y, alphas=[1.0, 64.0], hidden=(20,), steps=300, seed=1)
    b = S.train_sparse_mlp(x, y, alphas=[1.0, 64.0], hidden=(20,), steps=300, seed=1)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    start = S.train_sparse_mlp(x, y, alphas=[1.0, 64.0], hidden=(20,), steps=1, seed=1)
    assert np.all(a.final_loss < start.final_loss)
    assert a.mse_per_task.shape == (2, 1) and "SparseFit" in repr(a)


def test_replicas_are_independent():
    x, y = S.square_task(21)
    init = S.init_sparse_mlp((1, 8, 1), 2, 3)
    both = S.train_sparse_mlp(x, y, alphas=[2.0, 50.0], hidden=(8,), steps=50, init=init)
    one = S.train_sparse_mlp(x, y, alphas=[50.0], hidden=(8,), steps=50,
                             init=([w[1:] for w in init[0]], [b[1:] for b in init[1]]))
    np.testing.assert_allclose(both.weights[0][1], one.weights[0][0], rtol=1e-12)


def test_tasks():
    x, y = S.square_task(5)
    assert x.shape == (5, 1) and np.allclose(y, x**2)
    x, y = S.parallel_squares_task(3)
    assert x.shape == (9, 2) and np.allclose(y, x**2)
    x, y, g = S.sequential_sqrt_norm_task(16, rng=0)
    assert np.allclose(y[:, 0] ** 2, g) and x.shape == (16, 4)


def test_forward_masks():
    x, _ = S.parallel_squares_task(3)
    weights, biases = S.init_sparse_mlp((2, 5, 2), 1, 0)
    mask = np.ones((1, 5))
    mask[0, 2] = 0.0
    out, hidden = S.sparse_mlp_forward(weights, biases, x, masks=[mask])
    assert np.all(hidden[0][0, :, 2] == 0.0) and out.shape == (1, 9, 2)


@pytest.mark.parametrize("kwargs, name", [
    (dict(alphas=[0.0]), "alphas"), (dict(alphas=[1.0], lam_in=-1.0), "lam_in"),
    (dict(alphas=[1.0], steps=0), "steps"), (dict(alphas=[1.0], lr=0.0), "lr"),
    (dict(alphas=[1.0], lam_bias=-1e-3), "lam_bias"),
    (dict(alphas=[1.0], schedule="step"), "schedule"), (dict(alphas=[1.0], hidden=()), "hidden"),
    (dict(alphas=[1.0], task_weights=[1.0, 2.0]), "task_weights"),
])
def test_bad_arguments(kwargs, name):
    x, y = S.square_task(5)
    with pytest.raises(ValueError, match=name):
        S.train_sparse_mlp(x, y, **kwargs)
    with pytest.raises(ValueError, match="Y"):
        S.train_sparse_mlp(x, y[:3], alphas=[1.0])


@pytest.mark.parametrize("d_in, d_out", [(1, 1), (2, 2)])
def test_fused_kernel_matches_numpy_backprop(d_in, d_out):
    from models._sparse_mlp_kernels import one_hidden_layer_gradients

    rng = np.random.default_rng(4)
    x = rng.uniform(-1, 1, size=(13, d_in))
    y = rng.normal(size=(13, d_out))
    weights, biases = S.init_sparse_mlp((d_in, 7, d_out), 3, rng)
    weights[0][0, 0, 0] = 0.0  # sign(0) = 0 in both
    alphas = np.array([1.0, 8.0, 300.0])
    tw = rng.uniform(0.1, 1.0, size=(3, d_out))
    value, mse, grads = S.sparse_mlp_gradients(weights, biases, x, y, alphas, tw, [3e-4, 5e-4])
    got = [np.empty_like(a) for a in (weights[0], biases[0], weights[1], biases[1])]
    mse_k = np.empty((3, d_out))
    value_k = one_hidden_layer_gradients(x, y, weights[0], biases[0], weights[1], biases[1], alphas, tw,
                                         3e-4, 5e-4, got[0], got[1], got[2], got[3], mse_k)
    np.testing.assert_allclose(value_k, value, rtol=1e-12)
    np.testing.assert_allclose(mse_k, mse, rtol=1e-12)
    for g_k, g_np in zip(got, grads):
        np.testing.assert_allclose(g_k, g_np, rtol=1e-10, atol=1e-15)


def test_bias_l1_fused_and_numpy_paths_agree_and_shrink_hidden_biases():
    x, y = S.square_task(41)
    init = S.init_sparse_mlp((1, 12, 1), 2, 5)
    free = S.train_sparse_mlp(x, y, alphas=[4.0, 64.0], hidden=(12,), steps=400, init=init)
    zero = S.train_sparse_mlp(x, y, alphas=[4.0, 64.0], hidden=(12,), steps=400, init=init, lam_bias=0.0)
    np.testing.assert_array_equal(free.biases[0], zero.biases[0])  # default = the spec's recipe, unchanged
    # the bias term adds lam_bias * sign(b) to the hidden biases' gradient and nothing else
    weights, biases = [w.copy() for w in init[0]], [b.copy() for b in init[1]]
    tw = np.ones((2, 1))
    _, _, g_np = S.sparse_mlp_gradients(weights, biases, x, y, np.array([4.0, 64.0]), tw, [3e-4, 3e-4], 5e-3)
    _, _, g_free = S.sparse_mlp_gradients(weights, biases, x, y, np.array([4.0, 64.0]), tw, [3e-4, 3e-4])
    np.testing.assert_allclose(g_np[1] - g_free[1], 5e-3 * np.sign(biases[0]), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(g_np[3], g_free[3])   # the readout bias stays free
    # the fused one-hidden-layer trainer against the NumPy twin, three Adam steps written out
    lam_b, lr, steps = 0.3, 1e-3, 3
    fused = S.train_sparse_mlp(x, y, alphas=[4.0, 64.0], hidden=(12,), steps=steps, lr=lr, init=init,
                               lam_bias=lam_b)
    params = [weights[0], biases[0], weights[1], biases[1]]
    m1, m2 = [np.zeros_like(q) for q in params], [np.zeros_like(q) for q in params]
    for t in range(1, steps + 1):
        _, _, g = S.sparse_mlp_gradients(params[0::2], params[1::2], x, y, np.array([4.0, 64.0]), tw,
                                         [3e-4, 3e-4], lam_b)
        eta = 0.5 * lr * (1.0 + np.cos(np.pi * (t - 1) / steps))
        for q, gq, m, v in zip(params, g, m1, m2):
            m[...] = 0.9 * m + 0.1 * gq
            v[...] = 0.999 * v + 0.001 * gq * gq
            q -= eta / (1 - 0.9**t) * m / (np.sqrt(v) / np.sqrt(1 - 0.999**t) + S.ADAM_EPS)
    np.testing.assert_allclose(fused.biases[0], params[1], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(fused.weights[0], params[0], rtol=1e-10, atol=1e-13)
    strong = S.train_sparse_mlp(x, y, alphas=[4.0, 64.0], hidden=(12,), steps=400, init=init, lam_bias=0.3)
    assert np.abs(strong.biases[0]).sum() < 0.5 * np.abs(free.biases[0]).sum()
    gap = strong.final_loss - (strong.alphas * strong.mse_per_task[:, 0]
                               + 3e-4 * sum(np.abs(w).sum(axis=(1, 2)) for w in strong.weights))
    np.testing.assert_allclose(gap, 0.3 * np.abs(strong.biases[0]).sum(axis=1), rtol=1e-10)
