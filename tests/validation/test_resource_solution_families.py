"""The resource checks' reported-only label for runs holding a shifted neuron (bias < SHIFTED_BIAS)."""

import numpy as np

import validation.resource as vr
from efttheory.scaling import resource as theory


def test_lowest_bias_neuron_per_replica_and_task():
    w_in = np.zeros((2, 2, 4))          # (replicas, tasks, hidden)
    w_out = np.zeros((2, 4, 2))
    b_in = np.array([[0.1, -1.2, 0.3, -5.0], [0.0, 0.0, 0.0, -3.0]])
    # replica 0: task 1 uses neurons 0 and 1, task 2 uses neuron 2; neuron 3 (bias -5) is unallocated
    w_in[0, 0, 0], w_out[0, 0, 0] = 0.7, 1.0
    w_in[0, 0, 1], w_out[0, 1, 0] = -1.9, 1.0
    w_in[0, 1, 2], w_out[0, 2, 1] = 0.9, 0.5
    # replica 1: only a cross-task neuron, which serves neither task
    w_in[1, 0, 3], w_out[1, 3, 1] = 2.0, 1.0
    mask = theory.allocation_mask(w_in, w_out, 1e-3)
    got = vr._lowest_bias_neurons(w_in, b_in, mask)
    np.testing.assert_allclose(got[0, 0], [-1.2, 1.9])
    np.testing.assert_allclose(got[0, 1], [0.3, 0.9])
    assert np.isnan(got[1]).all()


def test_single_task_runs_use_the_product_rule():
    w_in = np.zeros((1, 1, 3))
    w_out = np.zeros((1, 3, 1))
    b_in = np.array([[-2.0, -0.5, 0.2]])
    w_in[0, 0, :] = [1.0, 1.0, 1.0]
    w_out[0, :, 0] = [1e-4, 1.0, 1.0]   # neuron 0: |w v| = 1e-4 < 1e-3, not allocated
    run = {"weights": (w_in, w_out), "biases": (b_in,)}       # shapes (R, in, hidden), (R, hidden, out)
    counts, lowest = vr._single_task_allocation(run)
    assert lowest.tolist() == [-0.5]
    assert counts.tolist() == [2] == theory.count_allocated(w_in, w_out, rule="product").tolist()


def test_sweep_point_forwards_the_hidden_bias_penalty():
    from models.sparse_mlp import square_task, train_sparse_mlp

    seq = np.random.SeedSequence(7)
    point = vr.SparsePoint("square", (4.0, 64.0), 40, l1_bias=0.05)
    got = vr.train_point(point, seq)
    x, y = square_task()
    ref = train_sparse_mlp(x, y, alphas=np.array([4.0, 64.0]), steps=40, lam_bias=0.05, seed=seq)
    free = vr.train_point(vr.SparsePoint("square", (4.0, 64.0), 40), seq)
    np.testing.assert_array_equal(got["biases"][0], ref.biases[0])
    # the penalty changes the run, and the spec's recipe (the default) leaves the biases free
    assert not np.array_equal(got["biases"][0], free["biases"][0])
    assert vr.SparsePoint("square", (1.0,), 1).l1_bias == 0.0
    assert vr.HIDDEN_BIAS_L1 == 0.0   # the checks run the spec's recipe (docs/resource.md says so)
