import numpy as np
import pytest

from models.tasks.regression import RegressionData, quadratic_task, regression_task


def test_uniform_grid_includes_ends():
    d = quadratic_task()
    assert isinstance(d, RegressionData)
    assert d.x_train.size == 100 and d.x_test.size == 1001
    assert d.x_train[0] == -2.0 and d.x_train[-1] == 2.0
    assert np.array_equal(d.x_train, np.linspace(-2, 2, 100))
    assert np.array_equal(d.y_test, d.x_test ** 2)
    assert "n_train=100" in repr(d)


def test_random_grid_is_seeded():
    a = regression_task(np.sin, grid="random", rng=np.random.default_rng(1), n_train=20)
    b = regression_task(np.sin, grid="random", rng=np.random.default_rng(1), n_train=20)
    assert np.array_equal(a.x_train, b.x_train)
    assert np.all((a.x_train >= -2) & (a.x_train <= 2))
    assert np.array_equal(a.y_train, np.sin(a.x_train))


@pytest.mark.parametrize("kwargs, arg", [(dict(n_train=0), "n_train"), (dict(n_test=-1), "n_test"),
                                         (dict(lo=1.0, hi=0.0), "hi"), (dict(grid="log"), "grid"),
                                         (dict(grid="random"), "rng"),
                                         (dict(lo=float("nan")), "lo")])
def test_bad_arguments(kwargs, arg):
    with pytest.raises(ValueError, match=arg):
        regression_task(np.square, **kwargs)


def test_target_must_be_callable():
    with pytest.raises(TypeError, match="target"):
        regression_task(3.0)
