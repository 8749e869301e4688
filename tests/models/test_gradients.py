"""Every hand-written gradient against central finite differences."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from models.activations import ACTIVATIONS
from models.losses import mse_loss, softmax_cross_entropy
from models.mlp import MLP1dParams, init_mlp, mlp1d_gradients, mlp_gradients

H = 1e-6


def rel_err(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-8)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivative(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-4, 4, 81) + 0.013  # avoid the ReLU kink
    fd = (act.function(z + H) - act.function(z - H)) / (2 * H)
    assert rel_err(act.derivative(z), fd) < 1e-6


@given(st.integers(1, 6), st.integers(1, 4), st.integers(0, 10_000))
@settings(deadline=None, max_examples=25, derandomize=True)
def test_mse_gradient(n, d, seed):
    rng = np.random.default_rng(seed)
    pred, target = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    grad = mse_loss(pred, target).gradient
    fd = np.zeros_like(pred)
    for idx in np.ndindex(pred.shape):
        e = np.zeros_like(pred)
        e[idx] = H
        fd[idx] = (mse_loss(pred + e, target).value - mse_loss(pred - e, target).value) / (2 * H)
    assert rel_err(grad, fd) < 1e-6


@given(st.integers(1, 6), st.integers(2, 5), st.integers(0, 10_000))
@settings(deadline=None, max_examples=25, derandomize=True)
def test_cross_entropy_gradient(n, k, seed):
    rng = np.random.default_rng(seed)
    logits, labels = rng.normal(size=(n, k)) * 3, rng.integers(0, k, n)
    loss = softmax_cross_entropy(logits, labels)
    fd = np.zeros_like(logits)
    for idx in np.ndindex(logits.shape):
        e = np.zeros_like(logits)
        e[idx] = H
        fd[idx] = (softmax_cross_entropy(logits + e, labels).value
                   - softmax_cross_entropy(logits - e, labels).value) / (2 * H)
    assert rel_err(loss.gradient, fd) < 1e-6
    assert np.allclose(loss.gradient.sum(axis=1), 0.0, atol=4 * k * np.finfo(float).eps)  # k rounded terms


@given(st.lists(st.integers(1, 5), min_size=2, max_size=5),
       st.sampled_from(["relu", "leaky_relu", "silu", "tanh", "identity"]),
       st.sampled_from(["mse", "cross_entropy"]), st.integers(0, 10_000))
@settings(deadline=None, max_examples=40, derandomize=True)
def test_mlp_gradients(sizes, activation, loss, seed):
    if loss == "cross_entropy" and sizes[-1] < 2:
        sizes = sizes[:-1] + [2]
    rng = np.random.default_rng(seed)
    mlp = init_mlp(sizes, activation=activation, rng=rng)
    x = rng.normal(size=(7, sizes[0]))
    target = (rng.normal(size=(7, sizes[-1])) if loss == "mse"
              else rng.integers(0, sizes[-1], 7))
    _, grads = mlp_gradients(mlp, x, target, loss=loss)
    theta = mlp.flat()
    flat_grad = np.concatenate([g.ravel() for g in grads])
    fd = np.empty_like(theta)
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = H
        up = mlp_gradients(mlp.with_flat(theta + e), x, target, loss=loss)[0]
        down = mlp_gradients(mlp.with_flat(theta - e), x, target, loss=loss)[0]
        fd[k] = (up - down) / (2 * H)
    # ReLU kinks within H of a pre-activation would break finite differences;
    # the random draws put them there with probability ~1e-6 per unit.
    assert rel_err(flat_grad, fd) < 1e-6


@pytest.mark.parametrize("activation", ["silu", "relu", "leaky_relu", "tanh"])
@pytest.mark.parametrize("width", [1, 3, 8])
def test_mlp1d_gradients(activation, width):
    rng = np.random.default_rng(width)
    x = np.linspace(-2, 2, 11) + 0.0123
    y = x ** 2
    p = MLP1dParams(rng.uniform(-1, 1, (2, width)), rng.uniform(-1, 1, (2, width)),
                    rng.uniform(-1, 1, (2, width)), rng.uniform(-1, 1, 2), activation)
    _, (dw, db, dv), dc = mlp1d_gradients(p, x, y)
    arrays = {"w": p.w, "b": p.b, "v": p.v, "c": p.c}
    for name, grad in zip("wbvc", (dw, db, dv, dc)):
        fd = np.zeros_like(grad)
        for idx in np.ndindex(grad.shape):
            shifted = []
            for sign in (1, -1):
                moved = {k: a.copy() for k, a in arrays.items()}
                moved[name][idx] += sign * H
                shifted.append(MLP1dParams(moved["w"], moved["b"], moved["v"], moved["c"],
                                           activation).mse(x, y)[idx[0]])
            fd[idx] = (shifted[0] - shifted[1]) / (2 * H)
        assert rel_err(grad, fd) < 1e-6, name


@pytest.mark.parametrize("gap", [1.0, 25.0, 40.0, 100.0, 700.0])
def test_cross_entropy_value_of_a_confident_prediction_keeps_its_digits(gap):
    # loss = log(1 + 30 e^-gap) for the favoured class, gap + the same for another one;
    # the former is below the round-off of 1 once gap > 37 and used to come out as 0
    logits = np.zeros((2, 31))
    logits[:, 1:] = -gap
    tail = math.log1p(30.0 * math.exp(-gap))
    right = softmax_cross_entropy(logits[:1], [0]).value
    wrong = softmax_cross_entropy(logits[1:], [5]).value
    assert right == pytest.approx(tail, rel=1e-14, abs=0.0)
    assert wrong == pytest.approx(gap + tail, rel=1e-14, abs=0.0)


def test_cross_entropy_value_with_tied_top_logits():
    value = softmax_cross_entropy(np.array([[2.0, 2.0, 1.0], [2.0, 2.0, 1.0]]), [0, 2]).value
    expected = math.log(2.0 + math.exp(-1.0)) + 0.5
    assert value == pytest.approx(expected, rel=1e-14, abs=0.0)
