r"""Repon toys: plain gradient descent on the actual loss of repons and a linear decoder.

Experiments behind the two-repon theory of Baek, Liu & Tegmark (arXiv:2402.05916,
Theorem 3 and Eq. 13) [third party]: scalar latent vectors ("repons") of one class
feed a linear decoder :math:`D(x) = a x + b` trained towards the common target
:math:`y` by plain gradient descent, the repons with :math:`\eta_\mathrm{enc}`, the
decoder with :math:`\eta_\mathrm{dec}`,

.. math:: \ell = \tfrac12 \sum_i (a x_i + b - y)^2 .

A run *collides* when the repons' separation shrinks below ``collide_tol`` times
its initial value. Protocols (initial conditions, tolerances) are [ours].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models import _arguments as check
from models._repon_toy_kernels import lone_vs_cluster_gd

__all__ = ["ToyOutcome", "cluster_repon_gd", "two_repon_gd"]


@dataclass(frozen=True, repr=False)
class ToyOutcome:
    """Fate of each sample: ``collided`` (bool), initial decoder weight ``a0`` and separation ``c0``.

    ``c0`` is the half-separation for two repons and the lone repon's distance to the
    cluster for :func:`cluster_repon_gd`.
    """

    collided: np.ndarray
    a0: np.ndarray
    c0: np.ndarray

    @property
    def probability(self) -> float:
        """Fraction of samples that collided."""
        return float(np.mean(self.collided))

    def __repr__(self) -> str:
        return f"ToyOutcome(samples={self.collided.size}, collided={self.probability:.4f})"


def _common(eta_enc, eta_dec, n_samples, steps, y, collide_tol, rng):
    return (check.real("eta_enc", eta_enc, low=0.0, low_open=True),
            check.real("eta_dec", eta_dec, low=0.0, low_open=True),
            check.integer("n_samples", n_samples, minimum=1),
            check.integer("steps", steps, minimum=1),
            check.real("y", y),
            check.real("collide_tol", collide_tol, low=0.0, high=1.0, low_open=True, high_open=True),
            check.generator("rng", rng))


def two_repon_gd(eta_enc, eta_dec, *, n_samples: int, steps: int, rng, init: str = "symmetric",
                 y: float = 1.0, collide_tol: float = 1e-2, sigma_a: float = 1.0,
                 sigma_c: float = 1.0) -> ToyOutcome:
    """Two same-class scalar repons and a linear decoder trained by plain GD.

    ``init="symmetric"``: :math:`x_{1,2} = \\pm c_0`, :math:`b = y` (common mode at rest);
    ``init="generic"``: :math:`x_{1,2} = \\mu \\pm c_0` with :math:`\\mu \\sim N(0, 1)`, :math:`b = 0`.
    :math:`a_0 \\sim N(0, \\sigma_a^2)`, :math:`c_0 \\sim N(0, \\sigma_c^2)`. Collision:
    :math:`|x_1 - x_2|/2 <` ``collide_tol`` :math:`|c_0|` after ``steps`` steps.
    """
    eta_enc, eta_dec, n_samples, steps, y, collide_tol, generator = _common(
        eta_enc, eta_dec, n_samples, steps, y, collide_tol, rng)
    check.choice("init", init, ("symmetric", "generic"))
    sigma_a = check.real("sigma_a", sigma_a, low=0.0, low_open=True)
    sigma_c = check.real("sigma_c", sigma_c, low=0.0, low_open=True)
    a0 = generator.normal(0.0, sigma_a, n_samples)
    c0 = generator.normal(0.0, sigma_c, n_samples)
    if init == "symmetric":
        mean = np.zeros(n_samples)
        b0 = np.full(n_samples, y)
    else:
        mean = generator.normal(0.0, 1.0, n_samples)
        b0 = np.zeros(n_samples)
    x1, x2, _, _ = lone_vs_cluster_gd(mean + c0, mean - c0, a0, b0, y, 1.0, eta_enc, eta_dec, steps)
    collided = np.abs(x1 - x2) / 2.0 < collide_tol * np.abs(c0)
    return ToyOutcome(collided, a0, c0)


def cluster_repon_gd(eta_enc, eta_dec, *, cluster_size: int, n_samples: int, steps: int, rng,
                     sigma_d: float = 2.0, sigma_a: float = 1.0, y: float = 1.0,
                     collide_tol: float = 1e-2) -> ToyOutcome:
    """A lone repon against a co-located cluster of ``N`` same-class repons, plain GD.

    Lone repon at :math:`N d_0/(N+1)`, cluster at :math:`-d_0/(N+1)` (centroid 0),
    :math:`b = y`, :math:`d_0 \\sim N(0, \\sigma_d^2)`, :math:`a_0 \\sim N(0, \\sigma_a^2)`.
    Collision: distance below ``collide_tol`` :math:`|d_0|`.
    """
    eta_enc, eta_dec, n_samples, steps, y, collide_tol, generator = _common(
        eta_enc, eta_dec, n_samples, steps, y, collide_tol, rng)
    size = check.integer("cluster_size", cluster_size, minimum=1)
    sigma_d = check.real("sigma_d", sigma_d, low=0.0, low_open=True)
    sigma_a = check.real("sigma_a", sigma_a, low=0.0, low_open=True)
    a0 = generator.normal(0.0, sigma_a, n_samples)
    d0 = generator.normal(0.0, sigma_d, n_samples)
    lone0 = size * d0 / (size + 1.0)
    cluster0 = -d0 / (size + 1.0)
    lone, cluster, _, _ = lone_vs_cluster_gd(lone0, cluster0, a0, np.full(n_samples, y), y, float(size),
                                             eta_enc, eta_dec, steps)
    collided = np.abs(lone - cluster) < collide_tol * np.abs(d0)
    return ToyOutcome(collided, a0, d0)
