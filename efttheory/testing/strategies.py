r"""Hypothesis strategies for arrays, networks and scaling data.

Every strategy draws float64 values that are finite and bounded, so a property
that fails points at the code under test, not at an overflow in the input.

A property test that :func:`~efttheory.solvers.fit_power_law` recovers a noiseless
law's exponent and prefactor over the whole drawn range:

>>> import numpy as np
>>> from hypothesis import given, settings
>>> from efttheory.solvers import fit_power_law
>>> from efttheory.testing import power_law_samples
>>> @settings(max_examples=25, deadline=None, derandomize=True)
... @given(power_law_samples())
... def test_fit_recovers_a_noiseless_law(sample):
...     x, y, alpha, A = sample
...     fit = fit_power_law(x, y, n_boot=0)
...     assert np.isclose(fit.exponent, alpha, rtol=1e-8)
...     assert np.isclose(fit.prefactor, A, rtol=1e-6)
>>> test_fit_recovers_a_noiseless_law()  # 25 drawn laws; silent because the property holds
"""

from __future__ import annotations

import numbers

import numpy as np

from efttheory._arguments import (
    as_integer_array,
    check_finite_scalar,
    check_flag,
    check_in_interval,
    check_integer,
)

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as exc:  # pragma: no cover - depends on the optional extra
    raise ImportError(
        "efttheory.testing needs hypothesis: pip install hypothesis (or the 'dev' extra)"
    ) from exc

__all__ = ["finite_arrays", "mlp_layer_sizes", "mlp_parameters", "power_law_samples"]

#: Largest |exponent| of :func:`power_law_samples`: ``A x**-alpha`` with ``x <= e**6`` and
#: ``A <= e**3`` stays below ``e**603``, finite in float64 even after the largest noise factor.
_MAX_EXPONENT = 100.0
#: Largest noise scale of :func:`power_law_samples`: the factor ``exp(noise * z)``, ``|z| <= 3``,
#: stays below ``e**30``.
_MAX_NOISE = 10.0
#: Most positions of :func:`power_law_samples` (distinct to 1e-3 in log x on [0, 6]).
_MAX_POSITIONS = 1000


def finite_arrays(shape, *, min_value: float = -1e3, max_value: float = 1e3, allow_subnormal: bool = False):
    """Float64 arrays of a given shape with finite entries in ``[min_value, max_value]``.

    Parameters
    ----------
    shape : int, tuple of int, or hypothesis strategy of shapes
        Array shape, e.g. ``(3, 4)`` or ``hypothesis.extra.numpy.array_shapes()``.
    min_value, max_value : float
        Bounds of every entry (``min_value <= max_value``).
    allow_subnormal : bool
        Whether subnormal floats may be drawn (off by default).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of numpy.ndarray

    Raises
    ------
    TypeError, ValueError
        ``min_value`` or ``max_value`` not a finite real number or ``min_value > max_value``,
        ``allow_subnormal`` not a bool, or a ``shape`` with a negative or non-integer length.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> from efttheory.testing import finite_arrays
    >>> @settings(max_examples=10, deadline=None, derandomize=True)
    ... @given(finite_arrays((3, 4), min_value=-1.0, max_value=1.0))
    ... def test_shape_and_bounds(a):
    ...     assert a.shape == (3, 4) and a.dtype == np.float64
    ...     assert np.all(np.isfinite(a)) and np.all(np.abs(a) <= 1.0)
    >>> test_shape_and_bounds()  # silent: every drawn array has the shape and bounds
    """
    lo = check_finite_scalar("min_value", min_value)
    hi = check_finite_scalar("max_value", max_value)
    if lo > hi:
        raise ValueError(f"min_value must be <= max_value, got {lo} > {hi}")
    allow_subnormal = check_flag("allow_subnormal", allow_subnormal)
    if isinstance(shape, numbers.Integral):
        shape = (check_integer("shape", shape, minimum=0),)
    elif not isinstance(shape, st.SearchStrategy):
        shape = tuple(int(n) for n in as_integer_array("shape", shape, ndim=1))
        if min(shape, default=0) < 0:
            raise ValueError(f"shape must hold non-negative lengths, got {shape}")
    elements = st.floats(
        min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False,
        allow_subnormal=allow_subnormal, width=64,
    )
    return hnp.arrays(np.float64, shape, elements=elements)


def mlp_layer_sizes(*, min_layers: int = 2, max_layers: int = 4, min_width: int = 1, max_width: int = 8):
    """Layer sizes ``(n_in, h_1, ..., n_out)`` of an MLP: ``min_layers`` to ``max_layers`` entries.

    Parameters
    ----------
    min_layers : int, default 2
        Fewest entries, >= 2. ``min_layers = 2`` allows a single affine layer (no hidden layer).
    max_layers : int, default 4
        Most entries, >= ``min_layers``.
    min_width : int, default 1
        Smallest width of a layer, >= 1.
    max_width : int, default 8
        Largest width of a layer, >= ``min_width``.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of tuple of int

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If not ``2 <= min_layers <= max_layers`` or not ``1 <= min_width <= max_width``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from efttheory.testing import mlp_layer_sizes
    >>> @settings(max_examples=10, deadline=None, derandomize=True)
    ... @given(mlp_layer_sizes(max_layers=3, max_width=5))
    ... def test_sizes(sizes):
    ...     assert isinstance(sizes, tuple) and 2 <= len(sizes) <= 3
    ...     assert all(1 <= w <= 5 for w in sizes)
    >>> test_sizes()  # silent: input, at most one hidden layer, output; widths 1..5
    """
    min_layers = check_integer("min_layers", min_layers, minimum=2)
    max_layers = check_integer("max_layers", max_layers, minimum=min_layers)
    min_width = check_integer("min_width", min_width, minimum=1)
    max_width = check_integer("max_width", max_width, minimum=min_width)
    return st.lists(
        st.integers(min_width, max_width), min_size=min_layers, max_size=max_layers
    ).map(tuple)


def mlp_parameters(layer_sizes=None, *, scale: float = 1.0):
    r"""Random MLP parameters as a list of ``(W, b)`` pairs.

    Layer :math:`l` maps :math:`h_{l-1} \mapsto W_l h_{l-1} + b_l` with
    ``W.shape == (n_out, n_in)`` and ``b.shape == (n_out,)``. Entries are drawn
    uniformly from ``[-scale/sqrt(n_in), scale/sqrt(n_in)]`` (the PyTorch-default
    fan-in scaling when ``scale = 1``) through hypothesis, so failures shrink.

    Parameters
    ----------
    layer_sizes : tuple of int or strategy, optional
        Fixed sizes, or a strategy such as :func:`mlp_layer_sizes` (the default).
    scale : float
        Multiplier of the fan-in bound, > 0.

    Raises
    ------
    TypeError, ValueError
        ``scale`` not a finite real number > 0, or ``layer_sizes`` not at least two
        positive integers (checked when the strategy is built; drawn sizes when drawn).

    Examples
    --------
    A 4-8-1 network: the weight shapes follow the PyTorch layout and the fan-in bound holds.

    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> from efttheory.testing import mlp_parameters
    >>> @settings(max_examples=10, deadline=None, derandomize=True)
    ... @given(mlp_parameters((4, 8, 1)))
    ... def test_layers(params):
    ...     assert [(W.shape, b.shape) for W, b in params] == [((8, 4), (8,)), ((1, 8), (1,))]
    ...     assert all(np.abs(W).max() <= 1 / np.sqrt(W.shape[1]) for W, _ in params)
    >>> test_layers()  # silent: the property holds for every drawn network
    """
    scale = check_finite_scalar("scale", scale)
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    if layer_sizes is None:
        layer_sizes = mlp_layer_sizes()
    if not isinstance(layer_sizes, st.SearchStrategy):
        layer_sizes = _check_layer_sizes(layer_sizes)
    return _mlp_parameters(layer_sizes, scale)


def _check_layer_sizes(sizes) -> tuple:
    sizes = tuple(int(s) for s in as_integer_array("layer_sizes", sizes, ndim=1))
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layer_sizes needs >= 2 positive entries, got {sizes}")
    return sizes


@st.composite
def _mlp_parameters(draw, layer_sizes, scale: float):
    sizes = _check_layer_sizes(draw(layer_sizes)) if isinstance(layer_sizes, st.SearchStrategy) else layer_sizes
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = scale / np.sqrt(n_in)
        W = draw(finite_arrays((n_out, n_in), min_value=-bound, max_value=bound))
        b = draw(finite_arrays((n_out,), min_value=-bound, max_value=bound))
        params.append((W, b))
    return params


def power_law_samples(*, n_x=(3, 8), exponent=(0.1, 4.0), noise: float = 0.0, n_samples: int = 1):
    r"""A power law :math:`y = A x^{-\alpha}` sampled at distinct positive ``x``.

    Returns ``(x, y, alpha, A)`` with ``x`` of shape ``(n,)`` sorted increasing and
    ``y`` of shape ``(n, n_samples)``; with ``noise > 0`` each sample is
    multiplied by ``exp(noise * z)``, with ``z`` drawn through hypothesis from the
    bounded interval [-3, 3] (hypothesis chooses the values; they are not normally
    distributed).

    Parameters
    ----------
    n_x : tuple of int, default (3, 8)
        Inclusive bounds ``(lo, hi)``, ``1 <= lo <= hi <= 1000``, on the number ``n`` of
        positions ``x``.
    exponent : tuple of float, default (0.1, 4.0)
        Inclusive bounds ``(lo, hi)``, ``-100 <= lo <= hi <= 100``, on the exponent ``alpha``
        (the bounds keep every ``y`` finite).
    noise : float, default 0.0
        Scale of the multiplicative noise ``exp(noise * z)``, in [0, 10]; 0 draws no noise.
    n_samples : int, default 1
        Number of samples (columns of ``y``) at each ``x``, >= 1.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of tuple
        ``(x, y, alpha, A)``: float64 arrays ``x`` in [1, e^6] and ``y``, the float exponent
        ``alpha`` and the float prefactor ``A`` in [e^-3, e^3].

    Raises
    ------
    TypeError, ValueError
        An argument of the wrong type or outside the range above (checked when the
        strategy is built, not when it draws).

    Examples
    --------
    Without noise every column of ``y`` lies exactly on the law:

    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> from efttheory.testing import power_law_samples
    >>> @settings(max_examples=10, deadline=None, derandomize=True)
    ... @given(power_law_samples(n_samples=2))
    ... def test_on_the_law(sample):
    ...     x, y, alpha, A = sample
    ...     assert np.all(x > 0) and np.all(np.diff(x) > 0) and y.shape == (x.size, 2)
    ...     assert np.allclose(y, (A * x ** -alpha)[:, None])
    >>> test_on_the_law()  # silent: the property holds for every drawn law
    """
    if isinstance(n_x, (str, bytes)) or not hasattr(n_x, "__len__") or len(n_x) != 2:
        raise TypeError(f"n_x must be a pair (lo, hi) of integers, got {n_x!r}")
    n_lo = check_integer("n_x[0]", n_x[0], minimum=1)
    n_hi = check_integer("n_x[1]", n_x[1], minimum=n_lo, maximum=_MAX_POSITIONS)
    if isinstance(exponent, (str, bytes)) or not hasattr(exponent, "__len__") or len(exponent) != 2:
        raise TypeError(f"exponent must be a pair (lo, hi) of real numbers, got {exponent!r}")
    a_lo = check_in_interval("exponent[0]", exponent[0], -_MAX_EXPONENT, _MAX_EXPONENT)
    a_hi = check_in_interval("exponent[1]", exponent[1], a_lo, _MAX_EXPONENT)
    noise = check_in_interval("noise", noise, 0.0, _MAX_NOISE)
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    return _power_law_samples(n_lo, n_hi, a_lo, a_hi, noise, n_samples)


@st.composite
def _power_law_samples(draw, n_lo: int, n_hi: int, a_lo: float, a_hi: float, noise: float, n_samples: int):
    n = draw(st.integers(n_lo, n_hi))
    alpha = draw(st.floats(a_lo, a_hi, allow_nan=False))
    log_a = draw(st.floats(-3.0, 3.0, allow_nan=False))
    log_x = np.sort(np.asarray(draw(st.lists(st.floats(0.0, 6.0, allow_nan=False), min_size=n, max_size=n,
                                             unique_by=lambda v: round(v, 3)))))
    if np.min(np.diff(log_x), initial=np.inf) < 1e-3:
        log_x = np.linspace(0.0, 6.0, n)
    x = np.exp(log_x)
    y = np.exp(log_a) * x ** (-alpha)
    y = np.repeat(y[:, None], n_samples, axis=1)
    if noise > 0:
        z = draw(finite_arrays((n, n_samples), min_value=-3.0, max_value=3.0))
        y = y * np.exp(noise * z)
    return x, y, alpha, float(np.exp(log_a))
