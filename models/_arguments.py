"""Argument checks for the reference experiments.

``models`` may not lean on the library it tests, so it carries its own small
checks. Each raises before any work, naming the argument, the offending value
and the allowed range.
"""

from __future__ import annotations

import numbers

import numpy as np


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def finite_array(name: str, value, *, ndim: int | tuple[int, ...] | None = None,
                 min_size: int = 1) -> np.ndarray:
    """Return ``value`` as a C-contiguous float64 array; reject NaN/inf and wrong ndim."""
    try:
        raw = np.asarray(value)
    except Exception as exc:  # pragma: no cover - numpy raises many kinds
        raise TypeError(f"{name} must be an array of real numbers, got {_short(value)}") from exc
    if raw.dtype == object or raw.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must be an array of real numbers, got dtype {raw.dtype} ({_short(value)})"
        )
    arr = np.ascontiguousarray(raw, dtype=np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, numbers.Integral) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(
                f"{name} must have ndim in {allowed}, got ndim={arr.ndim} (shape {arr.shape})"
            )
    if arr.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} element(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf), got {_short(value)}")
    return arr


def integer(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as ``int``; reject bools, non-integers and values out of range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_short(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def real(name: str, value, *, low: float | None = None, high: float | None = None,
         low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a finite ``float`` inside the stated interval."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_short(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    interval = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must lie in {interval}, got {value}")
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(f"{name} must lie in {interval}, got {value}")
    return value


def choice(name: str, value, allowed) -> str:
    """Return ``value`` if it is one of the strings ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, got {_short(value)}")
    return value


def generator(name: str, value) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a Generator, an int seed or a SeedSequence."""
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, np.random.SeedSequence):
        return np.random.default_rng(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        if value < 0:
            raise ValueError(f"{name} must be a non-negative integer seed, got {value}")
        return np.random.default_rng(int(value))
    raise TypeError(
        f"{name} must be a numpy.random.Generator, a SeedSequence or a non-negative int seed, "
        f"got {_short(value)}"
    )
