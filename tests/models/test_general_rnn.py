"""GeneralRNN: forward against a loop twin, BPTT against finite differences, training rules, ladder."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.general_rnn import (LadderResult, RNNArch, RNNParams, accuracy, architecture_ladder,
                                default_learning_rate, forward, init_params, ladder_architectures,
                                loss_and_grads, to_arrays, train)
from models.tasks.sequences import TASKS

ARCHS = [RNNArch(2), RNNArch(3, output_depth=2, output_width=4), RNNArch(2, hidden_depth=2, hidden_width=5),
         RNNArch(2, hidden_depth=3, hidden_width=4, output_depth=2, output_width=3)]


def twin_forward(params: RNNParams, x):
    """One sequence, one step, one layer at a time (no batching)."""
    B, L, _ = x.shape
    H = params.arch.hidden_dim
    ys = np.zeros((B, L, params.output_dim))
    hs = np.zeros((B, L + 1, H))
    for b in range(B):
        h = np.zeros(H)
        for t in range(L):
            a = np.concatenate([h, x[b, t]])
            for i, (w, c) in enumerate(zip(params.hidden_W, params.hidden_b)):
                a = w @ a + c
                if i < len(params.hidden_W) - 1:
                    a = np.maximum(a, 0)
            h = a
            hs[b, t + 1] = h
            o = h
            for i, (w, c) in enumerate(zip(params.output_W, params.output_b)):
                o = w @ o + c
                if i < len(params.output_W) - 1:
                    o = np.maximum(o, 0)
            ys[b, t] = o
    return ys, hs


def twin_loss(params, x, y, loss, l1):
    r = twin_forward(params, x)[0] - y
    value = np.mean(0.5 * np.log1p(r * r)) if loss == "log" else np.mean(r * r)
    return value + l1 * sum(np.abs(a).sum() for a in params.arrays())


@pytest.mark.parametrize("arch", ARCHS, ids=str)
def test_forward_matches_loop_twin(arch):
    rng = np.random.default_rng(0)
    p = init_params(arch, 2, 2, rng=rng)
    x = rng.normal(size=(3, 5, 2))
    y, h = forward(p, x)
    y2, h2 = twin_forward(p, x)
    assert np.allclose(y, y2, rtol=1e-12, atol=1e-12) and np.allclose(h, h2, rtol=1e-12, atol=1e-12)
    assert np.all(h[:, 0] == 0)


@pytest.mark.parametrize("loss", ["log", "mse"])
@pytest.mark.parametrize("arch", ARCHS, ids=str)
def test_bptt_gradient_matches_central_differences(arch, loss):
    rng = np.random.default_rng(1)
    p = init_params(arch, 2, 1, rng=rng)
    x = rng.integers(-2, 3, size=(4, 4, 2)).astype(float)
    y = rng.integers(-2, 3, size=(4, 4, 1)).astype(float)
    l1 = 0.01
    value, grads = loss_and_grads(p, x, y, loss=loss, l1=l1)
    assert value == pytest.approx(twin_loss(p, x, y, loss, l1), rel=1e-12)
    eps = 1e-6
    for a, g in zip(p.arrays(), grads):
        for idx in np.ndindex(a.shape):
            keep = a[idx]
            a[idx] = keep + eps
            up = twin_loss(p, x, y, loss, l1)
            a[idx] = keep - eps
            down = twin_loss(p, x, y, loss, l1)
            a[idx] = keep
            assert g[idx] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-8)


@settings(deadline=None, max_examples=20)
@given(seed=st.integers(0, 2**31), h=st.integers(1, 3), depth=st.integers(1, 2))
def test_hypothesis_gradient_directional_derivative(seed, h, depth):
    rng = np.random.default_rng(seed)
    p = init_params(RNNArch(h, hidden_depth=depth, hidden_width=3), 1, 1, rng=rng)
    x = rng.integers(0, 4, size=(3, 4, 1)).astype(float)
    y = rng.integers(0, 4, size=(3, 4, 1)).astype(float)
    _, grads = loss_and_grads(p, x, y)
    direction = [rng.normal(size=a.shape) for a in p.arrays()]
    eps = 1e-6

    def shifted(sign):
        q = p.copy()
        for a, d in zip(q.arrays(), direction):
            a += sign * eps * d
        return twin_loss(q, x, y, "log", 0.0)

    numeric = (shifted(1) - shifted(-1)) / (2 * eps)
    analytic = sum(float((g * d).sum()) for g, d in zip(grads, direction))
    assert analytic == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def test_init_is_pytorch_uniform():
    p = init_params(RNNArch(4, hidden_depth=2, hidden_width=64), 3, 2, rng=np.random.default_rng(2))
    w = p.hidden_W[0]
    assert w.shape == (64, 7) and np.abs(w).max() <= 1 / np.sqrt(7)
    assert np.abs(w).max() > 0.9 / np.sqrt(7)  # the bound is used, not a narrower one
    assert p.hidden_W[1].shape == (4, 64) and np.abs(p.hidden_b[1]).max() <= 1 / 8
    assert p.output_W[0].shape == (2, 4)
    assert p.n_parameters == 64 * 7 + 64 + 4 * 64 + 4 + 2 * 4 + 2


def test_training_stops_at_first_perfect_accuracy_and_is_deterministic():
    task = TASKS["Bitwise_Not"]
    run = train(task, RNNArch(1), steps=2000, lr=1e-2, seed=3, eval_every=50, eval_batch=512, batch=64)
    assert run.solved and run.accuracy == 1.0
    assert run.steps_run == run.step == run.history[-1][0] and run.step % 50 == 0
    assert all(acc < 1.0 for _, acc, _ in run.history[:-1])
    x = task.sample(np.random.default_rng(9), 1000)
    assert accuracy(run.params, x, task(x)) == 1.0
    again = train(task, RNNArch(1), steps=2000, lr=1e-2, seed=3, eval_every=50, eval_batch=512, batch=64)
    assert all(np.array_equal(a, b) for a, b in zip(run.params.arrays(), again.params.arrays()))
    assert "solved" in repr(run)


def test_zero_mask_pins_parameters_and_init_is_evaluated_first():
    task = TASKS["Current_Number"]
    p = init_params(RNNArch(2), 1, 1, rng=np.random.default_rng(4))
    mask = [np.zeros(a.shape, dtype=bool) for a in p.arrays()]
    mask[0][0, 1] = True
    mask[1][:] = True
    run = train(task, RNNArch(2), steps=60, lr=1e-2, seed=0, eval_every=30, eval_batch=256, batch=32,
                zero_mask=mask, init=p, keep="best_loss")
    assert run.history[0][0] == 0 and run.steps_run == 60
    assert run.params.hidden_W[0][0, 1] == 0.0 and np.all(run.params.hidden_b[0] == 0.0)
    assert run.eval_loss == min(v for _, _, v in run.history)
    assert p.hidden_W[0][0, 1] != 0.0  # the starting point is copied, not modified
    as_dict = {"hidden_W": (mask[0],), "hidden_b": (mask[1],), "output_W": (mask[2],), "output_b": (mask[3],)}
    run2 = train(task, RNNArch(2), steps=30, lr=1e-2, seed=0, eval_every=30, eval_batch=256, batch=32,
                 zero_mask=as_dict, init=p)
    assert run2.params.hidden_W[0][0, 1] == 0.0


def test_ladder_order_and_deterministic_step_budget():
    archs = ladder_architectures()
    assert len(archs) == 6 * 7 and archs[0] == RNNArch(1) and archs[7] == RNNArch(2)
    assert [a.hidden_dim for a in archs] == sorted(a.hidden_dim for a in archs)
    assert archs[1] == RNNArch(1, output_depth=2, output_width=8)
    result = architecture_ladder(TASKS["Parity_All"], budget_s=None, seeds=1, steps=100, lr=1e-2,
                                 budget_steps=250, eval_every=50, eval_batch=256, batch=64)
    assert isinstance(result, LadderResult)
    assert result.total_steps <= 250 and result.exhausted in ("steps", "solved")
    assert sum(t[3] for t in result.tried) == result.total_steps
    easy = architecture_ladder(TASKS["Current_Number"], budget_s=None, seeds=2, steps=1500, lr=1e-2,
                               eval_every=100, eval_batch=512, batch=64, architectures=[RNNArch(1)])
    assert easy.solved and easy.run.arch == RNNArch(1) and easy.exhausted == "solved"


def test_default_learning_rate_rule():
    assert default_learning_rate(TASKS["Sum_All"]) == 1e-3
    assert default_learning_rate(TASKS["Prev2"]) == 1e-3
    assert default_learning_rate(TASKS["Parity_All"]) == 3e-3


def test_default_learning_rate_prev_rule_matches_only_prev_k():
    # "Previous_Equals_Current" starts with "Prev" but its outputs are bits: the recipe's 3e-3
    assert default_learning_rate(TASKS["Previous_Equals_Current"]) == 3e-3
    assert all(default_learning_rate(TASKS[f"Prev{k}"]) == 1e-3 for k in range(1, 6))


def test_to_arrays_feeds_the_theory_side():
    from efttheory.synthesis.normalizers import RNNWeights, rnn_forward

    rng = np.random.default_rng(5)
    p = init_params(RNNArch(3, hidden_depth=2, hidden_width=4, output_depth=2, output_width=3), 2, 2, rng=rng)
    x = rng.integers(0, 3, size=(4, 6, 2)).astype(float)
    y, h = forward(p, x)
    y2, h2 = rnn_forward(RNNWeights(**to_arrays(p)), x)
    assert np.allclose(y, y2, rtol=1e-12, atol=1e-12) and np.allclose(h, h2, rtol=1e-12, atol=1e-12)


def test_bad_input():
    p = init_params(RNNArch(2), 1, 1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="hidden_dim"):
        RNNArch(0)
    with pytest.raises(ValueError, match="finite"):
        forward(p, np.array([[[np.nan]]]))
    with pytest.raises(ValueError, match="shape"):
        forward(p, np.zeros((2, 3, 2)))
    with pytest.raises(ValueError, match="y must have shape"):
        loss_and_grads(p, np.zeros((2, 3, 1)), np.zeros((2, 4, 1)))
    with pytest.raises(ValueError, match="loss"):
        loss_and_grads(p, np.zeros((2, 3, 1)), np.zeros((2, 3, 1)), loss="hinge")
    with pytest.raises(ValueError, match="l1"):
        loss_and_grads(p, np.zeros((2, 3, 1)), np.zeros((2, 3, 1)), l1=-1.0)
    with pytest.raises(TypeError, match="Generator"):
        init_params(RNNArch(2), 1, 1, rng=0)
    with pytest.raises(ValueError, match="steps"):
        train(TASKS["Parity_All"], RNNArch(1), steps=0, seed=0)
    with pytest.raises(ValueError, match="zero_mask"):
        train(TASKS["Parity_All"], RNNArch(2), steps=1, seed=0, zero_mask=[np.zeros((1, 1), bool)] * 4)
