"""General MLP trainer: NumPy loop vs jitted twin, determinism, convergence, errors."""

import numpy as np
import pytest

from models.mlp import MLP, init_mlp
from models.optimizers import SGD, Adam, AdamW
from models.training import train_mlp

X = np.linspace(-2, 2, 48)[:, None]
Y = X ** 2


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "silu", "tanh", "identity"])
@pytest.mark.parametrize("optimizer", [SGD(1e-2, momentum=0.9), Adam(3e-3),
                                       AdamW(3e-3, weight_decay=0.1)], ids=repr)
@pytest.mark.parametrize("batch_size", [None, 12])
def test_jitted_loop_matches_numpy(activation, optimizer, batch_size):
    mlp = init_mlp((1, 6, 5, 1), activation=activation, rng=3)
    kw = dict(steps=400, optimizer=optimizer, batch_size=batch_size, seed=7, record_every=10)
    a = train_mlp(mlp, X, Y, backend="numpy", **kw)
    b = train_mlp(mlp, X, Y, backend="numba", **kw)
    scale = np.max(np.abs(a.mlp.flat()))
    assert np.max(np.abs(a.mlp.flat() - b.mlp.flat())) <= 1e-12 * scale
    assert np.allclose(a.loss_history, b.loss_history, rtol=1e-12, atol=0)


def test_numpy_loop_is_deterministic_and_does_not_touch_input():
    mlp = init_mlp((1, 8, 1), activation="tanh", rng=0)
    before = mlp.flat().copy()
    a = train_mlp(mlp, X, Y, steps=50, batch_size=8, seed=1)
    b = train_mlp(mlp, X, Y, steps=50, batch_size=8, seed=1)
    c = train_mlp(mlp, X, Y, steps=50, batch_size=8, seed=2)
    assert np.array_equal(a.mlp.flat(), b.mlp.flat())
    assert np.array_equal(a.loss_history, b.loss_history)
    assert not np.array_equal(a.mlp.flat(), c.mlp.flat())
    assert np.array_equal(mlp.flat(), before)


def test_fits_square_to_small_loss():
    mlp = init_mlp((1, 16, 1), activation="silu", rng=0)
    res = train_mlp(mlp, X, Y, steps=3000, optimizer=Adam(1e-2), backend="numba",
                    record_every=100)
    final = np.mean((res.mlp.forward(X) - Y) ** 2)
    assert final < 1e-3 < res.loss_history[0]


def test_cross_entropy_training_separates_classes():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    labels = (x[:, 0] + x[:, 1] > 0).astype(int)
    mlp = init_mlp((2, 8, 2), activation="relu", rng=1)
    res = train_mlp(mlp, x, labels, loss="cross_entropy", steps=300, optimizer=Adam(1e-2))
    accuracy = np.mean(np.argmax(res.mlp.forward(x), axis=1) == labels)
    assert accuracy > 0.95
    assert res.loss_history[-1] < 0.5 * res.loss_history[0]


def test_result_repr_is_short():
    res = train_mlp(init_mlp((1, 3, 1), rng=0), X, Y, steps=2)
    assert len(repr(res)) < 120 and "TrainingResult" in repr(res)
    assert repr(res.mlp) == "MLP(sizes=(1, 3, 1), activation='relu')"


@pytest.mark.parametrize("kwargs, arg", [
    (dict(steps=-1), "steps"),
    (dict(steps=2, batch_size=0), "batch_size"),
    (dict(steps=2, batch_size=1000), "batch_size"),
    (dict(steps=2, backend="gpu"), "backend"),
    (dict(steps=2, loss="hinge"), "loss"),
    (dict(steps=2, loss="cross_entropy", backend="numba"), "loss"),
])
def test_bad_arguments_name_the_argument(kwargs, arg):
    mlp = init_mlp((1, 3, 1), rng=0)
    target = np.zeros(48, dtype=int) if kwargs.get("loss") == "cross_entropy" else Y
    if kwargs.get("loss") == "cross_entropy":
        mlp = init_mlp((1, 3, 2), rng=0)
    with pytest.raises(ValueError, match=arg):
        train_mlp(mlp, X, target, **kwargs)


def test_bad_inputs():
    mlp = init_mlp((1, 3, 1), rng=0)
    with pytest.raises(ValueError, match="x"):
        train_mlp(mlp, np.full((4, 1), np.nan), np.zeros((4, 1)), steps=1)
    with pytest.raises(ValueError, match="target"):
        train_mlp(mlp, X, Y[:5], steps=1)
    with pytest.raises(TypeError, match="optimizer"):
        train_mlp(mlp, X, Y, steps=1, optimizer="adam")
    with pytest.raises(ValueError, match="activation"):
        init_mlp((1, 3, 1), activation="gelu", rng=0)
    with pytest.raises(ValueError, match="sizes"):
        init_mlp((3,), rng=0)
    with pytest.raises(ValueError, match="fan_in"):
        MLP((np.zeros((1, 3)), np.zeros((2, 1))), (np.zeros(3), np.zeros(1)))


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_zero_steps_with_minibatches_returns_the_starting_network(backend):
    start = init_mlp((1, 4, 1), rng=0)
    result = train_mlp(start, X, Y, steps=0, batch_size=12, backend=backend)
    np.testing.assert_array_equal(result.mlp.flat(), start.flat())
    assert result.loss_history.shape == (0,)
