"""efttheory.scaling.resource: named errors for shape mismatches and overflow, no silent inf.

Each test pins a defect of an earlier version (numpy broadcast / reduction messages without
argument names, MemoryError-like messages, inf returned for finite input).
"""

import numpy as np
import pytest

from efttheory.scaling import resource as R


@pytest.mark.parametrize("call, message", [
    (lambda: R.subtask_loss([10, 20], [1.0, 2.0, 3.0]), r"n_alloc and a must broadcast together"),
    (lambda: R.count_allocated(np.empty((0, 3)), np.ones((3, 1))), r"d_in >= 1 and d_out >= 1"),
    (lambda: R.count_allocated(np.ones((1, 3)), np.empty((3, 0))), r"d_in >= 1 and d_out >= 1"),
    (lambda: R.allocation_mask(np.ones((2, 2, 3)), np.ones((3, 3, 2))), r"batch axes of w_in \(2,\) and w_out \(3,\)"),
    (lambda: R.attribute_allocated(np.ones((2, 2, 3)), np.ones((3, 3, 2))), r"batch axes of w_in"),
    (lambda: R.count_allocated_by_ablation(lambda m: 1.0, 10**20), r"n_neurons must be an int64"),
    (lambda: R.count_allocated_by_ablation(lambda m: 1.0, 2**62), r"n_neurons = 4611686018427387904 is too large"),
])
def test_messages_name_the_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call", [
    lambda: R.subtask_loss(1e-310, 1e10),
    lambda: R.composite_loss(1.0, [1e-320, 0.5], [1.0, 1.0]),
    lambda: R.optimal_allocation(1.0, [1e308, 1e308]),
    lambda: R.allocation_ratio(0.9, 1e4),
    lambda: R.equilibrium_neurons(1e308, a=1e308, lam=1e-308),
])
def test_overflow_raises_instead_of_inf(call):
    with pytest.raises(ValueError, match="overflows float64"):
        call()


def test_optimal_allocation_survives_overflow_of_intermediates():
    # w * a and (sum sqrt(w a))**2 overflow, but the fractions and the loss are representable
    opt = R.optimal_allocation(1e200, [1e308, 1e308], [4.0, 1.0])
    np.testing.assert_allclose(opt.fractions, [2 / 3, 1 / 3], rtol=1e-14)
    assert opt.loss == pytest.approx(9e108, rel=1e-12)  # 9e308 / 1e200
    assert opt.marginal == pytest.approx(9e-92, rel=1e-12, abs=0.0)  # 9e308 / 1e400


def test_batch_broadcasting_still_allowed():
    assert R.attribute_allocated(np.ones((2, 2, 3)), np.ones((1, 3, 2))).tolist() == [[3, 3], [3, 3]]
    assert R.count_allocated(np.ones((1, 0)), np.ones((0, 1))) == 0  # no hidden neurons: none allocated


def test_extreme_scales_keep_their_values():
    # n**2 overflowed to inf and the marginal came back 0; products under/overflowed in N*
    assert R.optimal_allocation(1e160, [1e200]).marginal == pytest.approx(1e-120, rel=1e-12, abs=0.0)
    assert R.equilibrium_neurons(1e-200, 1e-200, 1e-200) == pytest.approx(1e-100, rel=1e-12, abs=0.0)
    assert R.equilibrium_neurons(1e200, 1e200, 1e200, 1e200) == pytest.approx(1.0, rel=1e-12, abs=0.0)
    assert R.equilibrium_neurons(1e-300, 1.0, 1e-200, 1e-200) == pytest.approx(1e50, rel=1e-12, abs=0.0)
