r"""Activation functions and their derivatives (elementwise, float64).

=============  ==========================================  ==========================================
name           :math:`\sigma(z)`                            :math:`\sigma'(z)`
=============  ==========================================  ==========================================
``relu``       :math:`\max(z, 0)`                           :math:`[z > 0]` (0 at the kink, as torch)
``leaky_relu`` :math:`z` if :math:`z>0` else :math:`0.01 z` :math:`1` or :math:`0.01`
``silu``       :math:`z\,s(z)`, :math:`s = 1/(1+e^{-z})`    :math:`s + z s (1 - s)`
``tanh``       :math:`\tanh z`                              :math:`1 - \tanh^2 z`
``identity``   :math:`z`                                    :math:`1`
=============  ==========================================  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["Activation", "ACTIVATIONS", "get_activation", "relu", "relu_derivative",
           "leaky_relu", "leaky_relu_derivative", "silu", "silu_derivative", "tanh",
           "tanh_derivative", "identity", "identity_derivative", "LEAKY_SLOPE"]

LEAKY_SLOPE = 0.01


def relu(z):
    """:math:`\\max(z, 0)`."""
    return np.maximum(z, 0.0)


def relu_derivative(z):
    """:math:`[z > 0]` as float."""
    return (np.asarray(z) > 0.0).astype(np.float64)


def leaky_relu(z):
    """:math:`z` for :math:`z > 0`, else :math:`0.01 z`."""
    return np.where(np.asarray(z) > 0.0, z, LEAKY_SLOPE * np.asarray(z))


def leaky_relu_derivative(z):
    """1 for :math:`z > 0`, else 0.01."""
    return np.where(np.asarray(z) > 0.0, 1.0, LEAKY_SLOPE)


def _sigmoid(z):
    z = np.clip(z, -708.0, 708.0)
    return 1.0 / (1.0 + np.exp(-z))


def silu(z):
    r""":math:`z / (1 + e^{-z})` (the argument of the exponential is clipped to ±708)."""
    return z * _sigmoid(z)


def silu_derivative(z):
    r""":math:`s + z s (1 - s)` with :math:`s = 1/(1 + e^{-z})`."""
    s = _sigmoid(z)
    return s + z * s * (1.0 - s)


def tanh(z):
    """:math:`\\tanh z`."""
    return np.tanh(z)


def tanh_derivative(z):
    """:math:`1 - \\tanh^2 z`."""
    t = np.tanh(z)
    return 1.0 - t * t


def identity(z):
    """:math:`z`."""
    return np.asarray(z, dtype=np.float64)


def identity_derivative(z):
    """1 everywhere."""
    return np.ones_like(np.asarray(z, dtype=np.float64))


@dataclass(frozen=True)
class Activation:
    """An activation :math:`\\sigma` with its derivative :math:`\\sigma'`."""

    name: str
    function: Callable
    derivative: Callable

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


ACTIVATIONS = {
    "relu": Activation("relu", relu, relu_derivative),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_derivative),
    "silu": Activation("silu", silu, silu_derivative),
    "tanh": Activation("tanh", tanh, tanh_derivative),
    "identity": Activation("identity", identity, identity_derivative),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name (one of ``ACTIVATIONS``)."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]
