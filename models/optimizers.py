r"""First-order optimizers acting in place on lists of float64 arrays.

Conventions follow ``torch.optim`` so results can be compared one to one.

SGD with momentum :math:`\mu` (no dampening): :math:`b_t = \mu b_{t-1} + g_t`
(:math:`b_1 = g_1`), :math:`\theta_t = \theta_{t-1} - \eta b_t`.

Adam (Kingma & Ba 2015, Alg. 1): :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t`,
:math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2`,
:math:`\theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\,
m_t / (\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon)`.

AdamW (Loshchilov & Hutter 2019, decoupled weight decay :math:`\lambda`):
:math:`\theta \leftarrow \theta (1 - \eta\lambda)` before the Adam step, so the
decay never enters :math:`m_t, v_t` (unlike Adam with an :math:`L_2` term in the loss).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from models import _arguments as check

__all__ = ["SGD", "Adam", "AdamW", "OptimizerState"]


class OptimizerState:
    """Mutable per-parameter buffers and the step counter of an optimizer."""

    def __init__(self, params):
        self.step = 0
        self.first = [np.zeros_like(p) for p in params]
        self.second = [np.zeros_like(p) for p in params]

    def __repr__(self) -> str:
        return f"OptimizerState(step={self.step}, n_arrays={len(self.first)})"


@dataclass(frozen=True)
class SGD:
    """Stochastic gradient descent, optional heavy-ball momentum (torch convention)."""

    lr: float = 1e-2
    momentum: float = 0.0

    def __post_init__(self):
        check.real("lr", self.lr, low=0.0, low_open=True)
        check.real("momentum", self.momentum, low=0.0, high=1.0, high_open=True)

    def init_state(self, params) -> OptimizerState:
        """Fresh state (zero momentum buffers) for ``params``."""
        return OptimizerState(params)

    def update(self, params, grads, state: OptimizerState) -> None:
        """One step, modifying ``params`` (and ``state``) in place."""
        state.step += 1
        for p, g, buf in zip(params, grads, state.first):
            if self.momentum:
                if state.step == 1:
                    buf[...] = g
                else:
                    buf *= self.momentum
                    buf += g
                p -= self.lr * buf
            else:
                p -= self.lr * g


@dataclass(frozen=True)
class Adam:
    """Adam with bias correction; betas (0.9, 0.999), eps 1e-8 by default."""

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def __post_init__(self):
        check.real("lr", self.lr, low=0.0, low_open=True)
        check.real("beta1", self.beta1, low=0.0, high=1.0, high_open=True)
        check.real("beta2", self.beta2, low=0.0, high=1.0, high_open=True)
        check.real("eps", self.eps, low=0.0, low_open=True)

    def _decoupled_decay(self) -> float:
        return 0.0

    def init_state(self, params) -> OptimizerState:
        """Fresh state (zero moments, step 0) for ``params``."""
        return OptimizerState(params)

    def update(self, params, grads, state: OptimizerState) -> None:
        """One step, modifying ``params`` (and ``state``) in place."""
        state.step += 1
        b1, b2 = self.beta1, self.beta2
        step_size = self.lr / (1.0 - b1 ** state.step)
        root_bc2 = math.sqrt(1.0 - b2 ** state.step)
        decay = 1.0 - self.lr * self._decoupled_decay()
        for p, g, m, s in zip(params, grads, state.first, state.second):
            if decay != 1.0:
                p *= decay
            m *= b1
            m += (1.0 - b1) * g
            s *= b2
            s += (1.0 - b2) * g * g
            p -= step_size * m / (np.sqrt(s) / root_bc2 + self.eps)


@dataclass(frozen=True)
class AdamW(Adam):
    """Adam with decoupled weight decay (default 1e-2, as torch)."""

    weight_decay: float = 1e-2

    def __post_init__(self):
        super().__post_init__()
        check.real("weight_decay", self.weight_decay, low=0.0)

    def _decoupled_decay(self) -> float:
        return self.weight_decay
