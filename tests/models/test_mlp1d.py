"""The batched 1 -> N -> 1 lottery trainer: kernel vs NumPy twin, seeds, determinism."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from models._mlp1d_kernels import exp_into
from models.mlp import MLP1dParams, MLPRuns, train_mlp1d
from models.tasks.regression import quadratic_task

DATA = quadratic_task(n_train=40, n_test=101)
SHORT = ((1e-3, 150), (1e-2, 50))


def params(r):
    return np.concatenate([r.w.ravel(), r.b.ravel(), r.v.ravel(), r.c])


@given(st.floats(-708, 708))
@settings(deadline=None, max_examples=50, derandomize=True)
def test_vectorised_exp_matches_numpy(u):
    grid = np.array([u, -u, u / 3, 0.0, -745.0, 1e-300])
    out, scratch = np.empty_like(grid), np.empty_like(grid)
    exp_into(grid, out, scratch)
    ref = np.exp(np.clip(grid, -708, 708))
    assert np.all(np.abs(out - ref) <= 5e-16 * ref)


@pytest.mark.parametrize("activation", ["silu", "relu", "leaky_relu", "tanh"])
def test_numba_kernel_matches_numpy_twin(activation):
    a = train_mlp1d(12, activation, DATA, n_seeds=3, schedule=SHORT, backend="numba",
                    record_every=10)
    b = train_mlp1d(12, activation, DATA, n_seeds=3, schedule=SHORT, backend="numpy",
                    record_every=10)
    scale = np.max(np.abs(params(b)))
    assert np.max(np.abs(params(a) - params(b))) <= 1e-10 * scale
    assert np.allclose(a.loss_history, b.loss_history, rtol=1e-10, atol=0)
    assert np.allclose(a.test_mse, b.test_mse, rtol=1e-8, atol=0)
    assert np.array_equal(a.init_params.w, b.init_params.w)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_same_seed_reproduces_and_prefix_property(backend):
    kw = dict(schedule=((1e-2, 60),), backend=backend, seed=11)
    a = train_mlp1d(6, "silu", DATA, n_seeds=4, **kw)
    b = train_mlp1d(6, "silu", DATA, n_seeds=4, **kw)
    two = train_mlp1d(6, "silu", DATA, n_seeds=2, **kw)
    assert np.array_equal(params(a), params(b))
    assert np.array_equal(a.loss_history, b.loss_history)
    for name in ("w", "b", "v", "c", "test_mse", "loss_history"):  # seed k does not depend on n_seeds
        assert np.array_equal(getattr(two, name), getattr(a, name)[:2]), name
    other = train_mlp1d(6, "silu", DATA, n_seeds=2, schedule=((1e-2, 60),), backend=backend, seed=12)
    assert not np.array_equal(other.w, two.w)


def test_parallel_seeds_equal_serial():
    a = train_mlp1d(5, "tanh", DATA, n_seeds=3, schedule=((1e-2, 40),))
    b = train_mlp1d(5, "tanh", DATA, n_seeds=3, schedule=((1e-2, 40),), n_threads=2)
    assert np.array_equal(params(a), params(b))


def test_torch_uniform_init_ranges_and_stage_carry_over():
    r = train_mlp1d(64, "silu", DATA, n_seeds=2, schedule=((1e-3, 0),))
    p = r.init_params
    assert np.all(np.abs(p.w) <= 1) and np.all(np.abs(p.b) <= 1)
    assert np.all(np.abs(p.v) <= 1 / 8) and np.all(np.abs(p.c) <= 1 / 8)
    assert np.array_equal(r.w, p.w)  # zero steps: nothing moves
    one = train_mlp1d(4, "silu", DATA, n_seeds=1, schedule=((1e-2, 30), (1e-2, 30)))
    joined = train_mlp1d(4, "silu", DATA, n_seeds=1, schedule=((1e-2, 60),))
    assert np.allclose(params(one), params(joined), rtol=0, atol=1e-14)


def test_init_from_params_continues_training():
    first = train_mlp1d(4, "silu", DATA, n_seeds=2, schedule=((1e-2, 30),), backend="numpy")
    again = train_mlp1d(4, "silu", DATA, n_seeds=2, schedule=((1e-2, 30),), backend="numpy",
                        init=first.params)
    assert np.array_equal(again.init_params.w, first.w)


def test_training_fits_square():
    r = train_mlp1d(16, "silu", quadratic_task(), n_seeds=2, schedule=((1e-2, 2000), (1e-3, 1000)))
    assert np.all(r.test_mse < 1e-3)
    assert np.all(r.loss_history[:, 0] > 100 * r.train_mse)


def test_predict_shapes_and_consistency():
    r = train_mlp1d(8, "relu", DATA, n_seeds=3, schedule=((1e-2, 20),))
    out = r.predict(DATA.x_test)
    assert out.shape == (3, DATA.x_test.size)
    assert np.allclose(np.mean((out - DATA.y_test) ** 2, axis=1), r.test_mse, rtol=1e-12)
    assert isinstance(r, MLPRuns) and isinstance(r.init_params, MLP1dParams)
    assert "width=8" in repr(r) and len(repr(r)) < 160
    assert r.loss_history.shape == (3, 1)


@pytest.mark.parametrize("kwargs, arg", [
    (dict(width=0), "width"), (dict(activation="gelu"), "activation"),
    (dict(n_seeds=0), "n_seeds"), (dict(schedule=((1e-3, -1),)), "steps"),
    (dict(schedule=((0.0, 10),)), "lr"), (dict(schedule=()), "schedule"),
    (dict(optimizer="sgd"), "optimizer"), (dict(init="normal"), "init"),
    (dict(backend="torch"), "backend"), (dict(seed=-1), "seed"),
    (dict(n_threads=0), "n_threads"),
])
def test_bad_arguments_name_the_argument(kwargs, arg):
    call = dict(width=4, activation="silu", n_seeds=2, schedule=((1e-3, 1),))
    call.update(kwargs)
    with pytest.raises(ValueError, match=arg):
        train_mlp1d(call.pop("width"), call.pop("activation"), DATA, **call)


def test_bad_data():
    with pytest.raises(TypeError, match="data"):
        train_mlp1d(4, "silu", (1, 2), n_seeds=1)
    bad = quadratic_task(n_train=5)
    object.__setattr__(bad, "y_train", np.array([1.0, np.nan, 0, 0, 0]))
    with pytest.raises(ValueError, match="y_train"):
        train_mlp1d(4, "silu", bad, n_seeds=1)
    with pytest.raises(TypeError, match="width"):
        train_mlp1d(4.5, "silu", DATA, n_seeds=1)
