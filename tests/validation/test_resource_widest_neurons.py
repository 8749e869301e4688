"""The SC-3 report's label for runs holding a neuron far outside the centred family."""

import numpy as np

import validation.resource as vr
from efttheory.scaling import resource as theory


def test_widest_neuron_per_replica_and_task():
    w_in = np.zeros((2, 2, 4))          # (replicas, tasks, hidden)
    w_out = np.zeros((2, 4, 2))
    b_in = np.array([[0.1, -1.2, 0.3, 0.0], [0.0, 0.0, 0.0, 0.0]])
    # replica 0: task 1 uses neurons 0 and 1 (|w| 0.7 and 1.9), task 2 uses neuron 2
    w_in[0, 0, 0], w_out[0, 0, 0] = 0.7, 1.0
    w_in[0, 0, 1], w_out[0, 1, 0] = -1.9, 1.0
    w_in[0, 1, 2], w_out[0, 2, 1] = 0.9, 0.5
    # replica 1: nothing allocated except a cross-task neuron, which serves neither task
    w_in[1, 0, 3], w_out[1, 3, 1] = 2.0, 1.0
    mask = theory.allocation_mask(w_in, w_out, 1e-3)
    got = vr._widest_neurons(w_in, b_in, mask)
    np.testing.assert_allclose(got[0, 0], [1.9, -1.2])
    np.testing.assert_allclose(got[0, 1], [0.9, 0.3])
    assert np.isnan(got[1]).all()
