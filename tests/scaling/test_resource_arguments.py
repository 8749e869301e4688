"""Bad input to efttheory.scaling.resource raises errors that name the argument."""

import numpy as np
import pytest

from efttheory.scaling import resource as R


@pytest.mark.parametrize("call, name", [
    (lambda: R.subtask_loss(0.0, 1.0), "n_alloc"),
    (lambda: R.subtask_loss(1.0, -1.0), "a"),
    (lambda: R.subtask_loss(np.nan, 1.0), "n_alloc"),
    (lambda: R.composite_loss(10, [0.6, 0.6], [1, 1]), "fractions"),
    (lambda: R.composite_loss(10, [0.5], [1, 1]), "fractions"),
    (lambda: R.composite_loss(-1, [0.5], [1]), "n_total"),
    (lambda: R.composite_loss(10, [0.5], [1], weights=[-1]), "weights"),
    (lambda: R.optimal_allocation(10, [], None), "coeffs"),
    (lambda: R.optimal_allocation(10, [1, 1], [0, 0]), "weights"),
    (lambda: R.allocation_ratio(1.0), "beta"),
    (lambda: R.allocation_ratio(0.5, np.inf), "exponent"),
    (lambda: R.parameter_exponent(-0.1), "gamma"),
    (lambda: R.parameter_exponent(1.0, "other"), "regime"),
    (lambda: R.gamma_from_shape(1.5), "k"),
    (lambda: R.count_allocated(np.ones((2, 3)), np.ones((4, 1))), "w_in"),
    (lambda: R.count_allocated(np.ones((2, 3)), np.ones((3, 1)), rule="x"), "rule"),
    (lambda: R.count_allocated(np.ones((2, 3)), np.ones((3, 1)), threshold=0), "threshold"),
    (lambda: R.attribute_allocated(np.ones((2, 3)), np.ones((3, 3))), "w_in"),
    (lambda: R.allocation_mask(np.ones((2, 3)), np.ones((3, 2)), threshold=-1.0), "threshold"),
    (lambda: R.allocation_mask([[np.nan, 1.0]], [[1.0], [1.0]]), "w_in"),
    (lambda: R.count_allocated_by_ablation(lambda m: 1.0, 0), "n_neurons"),
    (lambda: R.equilibrium_neurons(1.0, 1.0, 0.0), "lam"),
])
def test_value_errors_name_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_type_errors():
    # fractions=None was read as "no fractions": "not enough values to unpack (expected 3, got 2)"
    with pytest.raises(TypeError, match="fractions must be"):
        R.composite_loss([100, 200], None, [1.0, 3.0])
    with pytest.raises(TypeError, match="masked_loss"):
        R.count_allocated_by_ablation(3, 2)
    with pytest.raises(TypeError, match="gamma"):
        R.parameter_exponent("1")
