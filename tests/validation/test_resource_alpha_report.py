"""SC-11's note on the gamma = 0.52 exponent compares it with the bootstrap interval it names."""

import types

import matplotlib.pyplot as plt
import numpy as np
import pytest

import validation.resource as vr
from efttheory.scaling import chinchilla as law
from efttheory.scaling import resource as theory


class _Interval:
    def __init__(self, low, high):
        self.bounds = (low, high)

    def interval(self, level):
        assert level == 0.95
        return {"alpha": self.bounds}


@pytest.mark.parametrize("upper, word", [(0.45, "inside"), (0.37, "outside")])
def test_gamma_052_note_is_computed_from_the_interval(monkeypatch, upper, word):
    truth = law.ChinchillaParams(E=1.8, A=480.0, B=2100.0, alpha=1 / 3, beta=0.37)
    N, D = (g.ravel() for g in np.meshgrid(np.logspace(7, 10, 5), np.logspace(9, 12, 5)))
    points = types.SimpleNamespace(N=N, D=D, loss=law.chinchilla_loss(N, D, truth))
    monkeypatch.setattr(vr, "chinchilla_points", lambda: points)
    monkeypatch.setattr(vr, "EXCLUDE", 0)
    monkeypatch.setattr(vr, "_free_fit", lambda ctx: law.fit_chinchilla(N, D, points.loss))
    monkeypatch.setattr(vr, "_bootstrap", lambda ctx: _Interval(0.30, upper))
    alt = theory.parameter_exponent(theory.gamma_from_shape(2.52), "redundancy")
    assert 0.37 < alt < 0.45    # the two intervals put it on either side
    outcome = vr.alpha_one_third(types.SimpleNamespace(quick=True))
    assert f"gives {alt:.3f}, {word} the interval" in outcome.reason
    plt.close("all")
