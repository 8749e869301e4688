"""Embedding MLP of the grokking experiments: gradients, training loop, logging."""

import numpy as np
import pytest

from models.grokking import GrokkingNet, grokking_gradients, init_grokking_net, train_grokking
from models.tasks.arithmetic import bitwise_xor, modular_addition


def _tiny_net(seed=0, n_hidden=2):
    return init_grokking_net(5, 5, emb_dim=3, hidden=4, n_hidden=n_hidden, rng=seed)


@pytest.mark.parametrize("n_hidden", [1, 2, 3])
def test_gradients_match_central_finite_differences(n_hidden):
    net = _tiny_net(1, n_hidden)
    task = modular_addition(5)
    a, b, y = task.a[::2], task.b[::2], task.y[::2]
    _, grads = grokking_gradients(net, a, b, y)
    h = 1e-6
    for param, grad in zip(net.parameters(), grads):
        assert grad.shape == param.shape
        flat = param.reshape(-1)
        numeric = np.empty(flat.size)
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + h
            up = grokking_gradients(net, a, b, y)[0]
            flat[k] = old - h
            down = grokking_gradients(net, a, b, y)[0]
            flat[k] = old
            numeric[k] = (up - down) / (2 * h)
        np.testing.assert_allclose(grad.reshape(-1), numeric, rtol=1e-6, atol=1e-8)


def test_forward_exposes_every_layer():
    net = init_grokking_net(31, 31, rng=0)
    assert net.mlp.sizes == (64, 100, 100, 31)
    assert net.embedding.shape == (31, 32)
    out = net.forward(np.arange(4), np.arange(4)[::-1])
    assert out.emb.shape == (4, 64) and out.logits.shape == (4, 31)
    assert [h.shape for h in out.hidden] == [(4, 100), (4, 100)]
    np.testing.assert_allclose(out.hidden[0], out.hidden_pre[0] / (1 + np.exp(-out.hidden_pre[0])), rtol=1e-14)
    np.testing.assert_allclose(out.logits, out.hidden[1] @ net.mlp.weights[2] + net.mlp.biases[2], rtol=1e-13)
    assert net.n_parameters == 31 * 32 + 64 * 100 + 100 + 100 * 100 + 100 + 100 * 31 + 31
    bound = 1 / np.sqrt(64)
    assert np.abs(net.mlp.weights[0]).max() <= bound


def test_short_run_is_deterministic_and_logs_everything():
    task = bitwise_xor(3)
    seen = []
    kwargs = dict(steps=30, emb_dim=4, hidden=8, log_every=10, snapshot_every=20, seed=3)
    run = train_grokking(task, on_log=lambda step, net: seen.append(step) or step * 2, **kwargs)
    again = train_grokking(task, **kwargs)
    np.testing.assert_array_equal(run.steps, [0, 10, 20, 30])
    np.testing.assert_array_equal(run.snapshot_steps, [0, 20, 30])
    np.testing.assert_array_equal(run.train_loss, again.train_loss)
    np.testing.assert_array_equal(run.snapshots[-1].embedding, again.snapshots[-1].embedding)
    assert seen == [0, 10, 20, 30] and run.callback_values == (0, 20, 40, 60)
    assert run.train_loss[-1] < run.train_loss[0]
    assert np.all((run.train_acc >= 0) & (run.train_acc <= 1))
    theta = np.concatenate([p.ravel() for p in run.snapshots[-1].parameters()])
    assert run.l2_norm[-1] == pytest.approx(np.linalg.norm(theta), rel=1e-12)
    assert isinstance(run.snapshots[0], GrokkingNet)
    assert run.train_idx.size == 51 and run.test_idx.size == 13
    # snapshots are copies, not views of the trained parameters
    assert not np.array_equal(run.snapshots[0].embedding, run.snapshots[-1].embedding)


def test_weight_decay_alone_shrinks_parameters_at_the_adamw_rate():
    # with lr tiny the Adam step is ~lr per coordinate; decay multiplies by (1 - lr wd) each step
    task = modular_addition(5)
    run = train_grokking(task, steps=1, lr=1e-12, weight_decay=1e6, emb_dim=2, hidden=3, log_every=1,
                         snapshot_every=1, seed=0)
    before, after = run.snapshots
    np.testing.assert_allclose(after.embedding, before.embedding * (1 - 1e-12 * 1e6), rtol=1e-9, atol=1e-11)


def test_bad_arguments():
    task = modular_addition(5)
    with pytest.raises(TypeError, match="task"):
        train_grokking("mod31", seed=0)
    with pytest.raises(ValueError, match="snapshot_every"):
        train_grokking(task, steps=5, log_every=2, snapshot_every=3, seed=0)
    with pytest.raises(ValueError, match="steps"):
        train_grokking(task, steps=0, seed=0)
    net = _tiny_net()
    with pytest.raises(ValueError, match="a must lie"):
        net.embed(np.array([7]), np.array([0]))
    with pytest.raises(TypeError, match="integer symbols"):
        net.embed(np.array([0.5]), np.array([0]))
