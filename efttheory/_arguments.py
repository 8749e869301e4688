"""Argument checks shared by every public function of efttheory.

Each check raises at the public boundary, before any work, with a message that
names the argument, shows the offending value and states the allowed range.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np

__all__ = [
    "as_finite_array",
    "as_generator",
    "as_integer_array",
    "as_tuple",
    "check_choice",
    "check_finite_scalar",
    "check_flag",
    "check_identifiers",
    "check_integer",
    "check_probability",
    "check_positive",
    "check_in_interval",
]


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def as_finite_array(
    name: str,
    value,
    *,
    ndim: int | Iterable[int] | None = None,
    shape: tuple | None = None,
    min_size: int = 0,
    dtype=np.float64,
) -> np.ndarray:
    """Convert ``value`` to a contiguous array of ``dtype`` and reject NaN/inf.

    Parameters
    ----------
    name : str
        Argument name used in error messages.
    value : array_like
        Real numbers (bools and complex numbers are rejected).
    ndim : int or iterable of int, optional
        Allowed numbers of dimensions.
    shape : tuple, optional
        Required shape; ``None`` entries match any length.
    min_size : int
        Smallest allowed number of elements.
    dtype : numpy dtype
        Target dtype (float64 by default).

    Raises
    ------
    TypeError
        If ``value`` is not an array of real numbers.
    ValueError
        If the shape is wrong or an element is NaN or infinite.
    """
    try:
        raw = np.asarray(value)
    except Exception as exc:  # pragma: no cover - numpy raises many kinds
        raise TypeError(f"{name} must be an array of real numbers, got {_short(value)}") from exc
    if raw.dtype == object or raw.dtype.kind not in "biuf" or raw.dtype.kind == "b":
        raise TypeError(
            f"{name} must be an array of real numbers, got dtype {raw.dtype} ({_short(value)})"
        )
    arr = np.asarray(raw, dtype=dtype, order="C")  # keeps 0-d input 0-d
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, numbers.Integral) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(
                f"{name} must have ndim in {allowed}, got ndim={arr.ndim} (shape {arr.shape})"
            )
    if shape is not None:
        ok = arr.ndim == len(shape) and all(
            want is None or want == got for want, got in zip(shape, arr.shape)
        )
        if not ok:
            want = tuple("any" if s is None else s for s in shape)
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} elements, got {arr.size}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} must be finite; it holds {bad} NaN or infinite value(s)")
    return arr


def as_integer_array(
    name: str,
    value,
    *,
    ndim: int | Iterable[int] | None = None,
    shape: tuple | None = None,
    min_size: int = 0,
) -> np.ndarray:
    """Convert ``value`` to an int64 array, rejecting NaN/inf and non-integral values.

    Takes the same ``ndim``, ``shape`` and ``min_size`` checks as
    :func:`as_finite_array`; floats are accepted only where they are whole numbers,
    and every value must lie strictly inside the int64 range.
    """
    try:
        raw = np.asarray(value)
    except Exception as exc:  # pragma: no cover - numpy raises many kinds
        raise TypeError(f"{name} must be an array of real numbers, got {_short(value)}") from exc
    if raw.dtype == object and raw.size and all(
            isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)) for v in raw.flat):
        # NumPy keeps Python ints beyond the int64 range as objects
        big = max(abs(int(v)) for v in raw.flat)
        if big >= 2**63:
            raise ValueError(f"{name} must lie inside the int64 range (|value| < 2**63), got {big}")
        raw = raw.astype(np.int64)
    if raw.dtype.kind in "iu":
        # integers are taken as they are: a float64 detour would round values above 2**53
        if raw.size and (int(raw.max()) >= 2**63 or int(raw.min()) <= -(2**63)):
            big = max(abs(int(raw.max())), abs(int(raw.min())))
            raise ValueError(f"{name} must lie inside the int64 range (|value| < 2**63), got {big}")
        return as_finite_array(name, raw, ndim=ndim, shape=shape, min_size=min_size, dtype=np.int64)
    arr = as_finite_array(name, value, ndim=ndim, shape=shape, min_size=min_size)
    fractional = arr != np.round(arr)
    if np.any(fractional):
        raise ValueError(f"{name} must hold integers, got non-integer values such as {float(arr[fractional][0])!r}")
    if arr.size and np.abs(arr).max() >= 2.0**63:
        raise ValueError(f"{name} must lie inside the int64 range (|value| < 2**63), got {np.abs(arr).max():.6g}")
    return arr.astype(np.int64)


def check_finite_scalar(name: str, value) -> float:
    """Return ``value`` as a finite Python float, else raise TypeError/ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_short(value)}")
    try:
        out = float(value)
    except OverflowError:  # an int (or Fraction, Decimal) beyond the float64 range
        raise ValueError(f"{name} must be finite, got {_short(value)}, beyond the float64 range") from None
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite, got {out}")
    return out


def check_flag(name: str, value) -> bool:
    """Return ``value`` as a Python bool; anything but a bool (``"no"``, ``None``, ``2``) is a TypeError.

    A truthiness test would take the string ``"no"`` as true.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_short(value)}")
    return bool(value)


def check_positive(name: str, value, *, strict: bool = True) -> float:
    """Return ``value`` as a float that is > 0 (``strict``) or >= 0."""
    out = check_finite_scalar(name, value)
    if (strict and out <= 0) or (not strict and out < 0):
        bound = "> 0" if strict else ">= 0"
        raise ValueError(f"{name} must be {bound}, got {out}")
    return out


def check_in_interval(
    name: str, value, low: float, high: float, *, closed: tuple[bool, bool] = (True, True)
) -> float:
    """Return ``value`` as a float inside the interval from ``low`` to ``high``.

    ``closed`` says whether each end belongs to the interval.
    """
    out = check_finite_scalar(name, value)
    lo_ok = out >= low if closed[0] else out > low
    hi_ok = out <= high if closed[1] else out < high
    if not (lo_ok and hi_ok):
        left = "[" if closed[0] else "("
        right = "]" if closed[1] else ")"
        raise ValueError(f"{name} must lie in {left}{low}, {high}{right}, got {out}")
    return out


def check_probability(name: str, value) -> float:
    """Return ``value`` as a float in [0, 1]."""
    return check_in_interval(name, value, 0.0, 1.0)


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def check_integer(name: str, value, *, minimum: int | None = None, maximum: int | None = None,
                  unbounded: bool = False) -> int:
    """Return ``value`` as a Python int within ``[minimum, maximum]`` and, unless ``unbounded``,
    the int64 range.

    Counts, sizes and iteration limits go to NumPy and Numba as int64, where a larger Python
    int fails with an error that does not name the argument (or makes a loop run for ever).
    Closed forms computed in Python integers (e.g. a count beyond the float64 range) pass
    ``unbounded=True``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_short(value)}")
    out = int(value)
    if minimum is not None and out < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {out}")
    if maximum is not None and out > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {out}")
    if not unbounded and not _INT64_MIN <= out <= _INT64_MAX:
        raise ValueError(f"{name} must be an int64 (|{name}| < 2**63), got {out}")
    return out


def broadcast_shape(names: str, *arrays) -> tuple:
    """The common broadcast shape of ``arrays``; ValueError naming ``names`` when there is none."""
    try:
        return np.broadcast_shapes(*(np.shape(a) for a in arrays))
    except ValueError:
        shapes = ", ".join(str(np.shape(a)) for a in arrays)
        raise ValueError(f"{names} must broadcast together, got shapes {shapes}") from None


def broadcast_arrays(names: str, *arrays) -> list:
    """``np.broadcast_arrays(*arrays)``, with a ValueError naming ``names`` when they do not broadcast."""
    broadcast_shape(names, *arrays)
    return np.broadcast_arrays(*arrays)


def as_tuple(name: str, value, what: str) -> tuple:
    """Return the items of ``value`` as a tuple; a TypeError names ``name`` and ``what`` it must hold.

    ``None``, a number or any other non-iterable is refused (``tuple(None)`` fails with a
    message that names neither), and so is a string: it would be split into characters.
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of {what}, got the string {_short(value)}")
    try:
        return tuple(value)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of {what}, got {type(value).__name__}") from None


def check_identifiers(name: str, value) -> tuple[str, ...]:
    """Return ``value`` as a tuple of Python identifiers (names for generated code)."""
    # a string is taken as a sequence of one-letter names ("ab" -> a, b), as the synthesis docs use it
    names = tuple(value) if isinstance(value, str) else as_tuple(name, value, "str")
    if not all(isinstance(s, str) and s.isidentifier() for s in names):
        raise ValueError(f"{name} must hold Python identifiers, got {_short(names)}")
    return names


def check_choice(name: str, value, choices: Iterable):
    """Return ``value`` if it is one of ``choices``, else raise ValueError."""
    options = tuple(choices)
    if value not in options:
        raise ValueError(f"{name} must be one of {options}, got {_short(value)}")
    return value


def as_generator(name: str, rng) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` from ``rng``.

    Accepts a Generator (used as is), a :class:`numpy.random.SeedSequence`, a
    non-negative int seed, or ``None`` (fresh OS entropy). The legacy global
    ``numpy.random`` state is never touched.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        if rng < 0:
            raise ValueError(f"{name} seed must be >= 0, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} must be a numpy.random.Generator, a SeedSequence, an int seed or None, got {_short(rng)}"
    )
