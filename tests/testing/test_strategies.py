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
