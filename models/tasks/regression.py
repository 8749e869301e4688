r"""Regression tasks on a 1-D interval.

The lottery-ticket experiments fit :math:`y = x^2` on :math:`x \in [-2, 2]`
(Liu & Tegmark, arXiv 2310.02258, set-up as summarised by a third party). The
training size is our choice [ours]; the 1001-point test grid approximates the
uniform :math:`L^2` norm on the interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models import _arguments as check

__all__ = ["RegressionData", "regression_task", "quadratic_task"]


@dataclass(frozen=True, repr=False)
class RegressionData:
    """Training and test samples of a 1-D regression task (all arrays float64, shape (n,))."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def __repr__(self) -> str:
        return (f"RegressionData(n_train={self.x_train.size}, n_test={self.x_test.size}, "
                f"x in [{self.x_test.min():.3g}, {self.x_test.max():.3g}])")


def regression_task(target, *, n_train: int = 100, n_test: int = 1001, lo: float = -2.0,
                    hi: float = 2.0, grid: str = "uniform", rng=None) -> RegressionData:
    r"""Sample :math:`y = \mathrm{target}(x)` on :math:`[\mathrm{lo}, \mathrm{hi}]`.

    Parameters
    ----------
    target : callable
        Vectorised map from an array of x to an array of y of the same shape.
    n_train, n_test : int
        Number of training / test points (>= 1 each).
    lo, hi : float
        Interval ends, ``lo < hi``.
    grid : {"uniform", "random"}
        ``"uniform"``: ``numpy.linspace(lo, hi, n)`` including both ends, for both
        sets. ``"random"``: training x drawn uniformly from ``rng`` (sorted); the
        test set stays the uniform grid.
    rng : numpy.random.Generator or int, optional
        Required for ``grid="random"``.

    Returns
    -------
    RegressionData
    """
    if not callable(target):
        raise TypeError(f"target must be callable, got {target!r}")
    n_train = check.integer("n_train", n_train, minimum=1)
    n_test = check.integer("n_test", n_test, minimum=1)
    lo = check.real("lo", lo)
    hi = check.real("hi", hi)
    if not hi > lo:
        raise ValueError(f"hi must be > lo, got lo={lo}, hi={hi}")
    check.choice("grid", grid, ("uniform", "random"))
    if grid == "random":
        if rng is None:
            raise ValueError("rng must be given when grid='random', got None")
        generator = check.generator("rng", rng)
        x_train = np.sort(generator.uniform(lo, hi, n_train))
    else:
        x_train = np.linspace(lo, hi, n_train)
    x_test = np.linspace(lo, hi, n_test)
    y_train = check.finite_array("target(x_train)", target(x_train), ndim=1)
    y_test = check.finite_array("target(x_test)", target(x_test), ndim=1)
    if y_train.shape != x_train.shape or y_test.shape != x_test.shape:
        raise ValueError("target must return an array of the same shape as its input, "
                         f"got {y_train.shape} for input {x_train.shape}")
    return RegressionData(x_train, y_train, x_test, y_test)


def quadratic_task(**kwargs) -> RegressionData:
    """``regression_task(numpy.square, **kwargs)``: the :math:`y = x^2` task of the lottery paper."""
    return regression_task(np.square, **kwargs)
