import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.testing import finite_arrays, mlp_layer_sizes, mlp_parameters, power_law_samples


@settings(max_examples=40)
@given(finite_arrays((3, 4), min_value=-2.0, max_value=5.0))
def test_finite_arrays_shape_bounds_dtype(a):
    assert a.shape == (3, 4)
    assert a.dtype == np.float64
    assert np.all(np.isfinite(a))
    assert a.min() >= -2.0 and a.max() <= 5.0


@settings(max_examples=40)
@given(mlp_parameters(mlp_layer_sizes(min_layers=2, max_layers=5, max_width=6), scale=2.0))
def test_mlp_parameters_chain_and_fan_in_bound(params):
    for (W, b), (W_next, _) in zip(params[:-1], params[1:]):
        assert W_next.shape[1] == W.shape[0]
    for W, b in params:
        bound = 2.0 / np.sqrt(W.shape[1])
        assert b.shape == (W.shape[0],)
        assert np.all(np.abs(W) <= bound) and np.all(np.abs(b) <= bound)


@settings(max_examples=20)
@given(mlp_parameters((2, 7, 1)))
def test_mlp_parameters_fixed_sizes(params):
    assert [W.shape for W, _ in params] == [(7, 2), (1, 7)]


@settings(max_examples=40)
@given(power_law_samples(n_samples=3))
def test_power_law_samples_follow_the_law(sample):
    x, y, alpha, prefactor = sample
    assert np.all(np.diff(x) > 0)
    np.testing.assert_allclose(y, prefactor * x[:, None] ** (-alpha) * np.ones((1, 3)), rtol=1e-12)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: finite_arrays((2,), min_value=1.0, max_value=0.0), "min_value"),
        (lambda: finite_arrays((2,), min_value=float("nan")), "min_value"),
        (lambda: mlp_layer_sizes(min_layers=1), "min_layers"),
        (lambda: mlp_layer_sizes(min_width=0), "min_width"),
    ],
)
def test_bad_arguments_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "call, error, match",
    [
        # checked when the strategy is built (a composite checked them only when drawing, or never)
        (lambda: power_law_samples(n_samples=2.5), TypeError, "n_samples must be an integer"),
        (lambda: power_law_samples(n_samples=0), ValueError, "n_samples must be >= 1"),
        (lambda: power_law_samples(noise=float("nan")), ValueError, "noise must be finite"),
        (lambda: power_law_samples(noise=-0.5), ValueError, "noise must lie"),
        (lambda: power_law_samples(noise=11.0), ValueError, "noise must lie"),
        (lambda: power_law_samples(n_x=(5, 3)), ValueError, r"n_x\[1\] must be >= 5"),
        (lambda: power_law_samples(n_x=(0, 3)), ValueError, r"n_x\[0\] must be >= 1"),
        (lambda: power_law_samples(n_x=3), TypeError, "n_x must be a pair"),
        (lambda: power_law_samples(exponent=(1.0, 1e308)), ValueError, r"exponent\[1\] must lie"),
        (lambda: power_law_samples(exponent=(2.0, 1.0)), ValueError, r"exponent\[1\] must lie"),
        (lambda: mlp_parameters((4.5, 8.5, 1.5)), ValueError, "layer_sizes must hold integers"),
        (lambda: mlp_parameters((4, 2**70, 1)), ValueError, "layer_sizes"),
        (lambda: mlp_parameters(np.array([True, True])), TypeError, "layer_sizes"),
        (lambda: mlp_parameters((2, 1), scale="big"), TypeError, "scale must be a real number"),
        (lambda: mlp_layer_sizes(max_width=2.5), TypeError, "max_width must be an integer"),
        (lambda: mlp_layer_sizes(min_layers=3, max_layers=2), ValueError, "max_layers must be >= 3"),
        (lambda: finite_arrays(3, allow_subnormal="no"), TypeError, "allow_subnormal must be True or False"),
        (lambda: finite_arrays(-1), ValueError, "shape must be >= 0"),
        (lambda: finite_arrays((2, -1)), ValueError, "shape must hold non-negative lengths"),
        (lambda: finite_arrays((2.5, 1)), ValueError, "shape must hold integers"),
    ],
)
def test_strategy_arguments_are_checked_when_built(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_power_law_samples_stay_finite_at_the_largest_exponent_and_noise():
    @settings(max_examples=30, deadline=None, derandomize=True)
    @given(power_law_samples(exponent=(-100.0, 100.0), noise=10.0, n_samples=2))
    def check(sample):
        x, y, alpha, prefactor = sample
        assert np.all(np.isfinite(y)) and np.all(y > 0)

    check()


def test_mlp_parameters_rejects_nonpositive_scale():
    with pytest.raises(ValueError, match="scale"):
        mlp_parameters((2, 1), scale=0.0)
    with pytest.raises(ValueError, match="layer_sizes"):
        mlp_parameters((2,))


@settings(max_examples=20)
@given(st.data())
def test_noise_keeps_samples_positive_and_finite(data):
    x, y, _, _ = data.draw(power_law_samples(noise=0.5, n_samples=4))
    assert np.all(y > 0) and np.all(np.isfinite(y))
