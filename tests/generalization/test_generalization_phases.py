"""Phase labels and boundary ratios."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.generalization import Phase, boundary_ratio, classify_phase

STEPS = np.arange(0, 5001, 50)


def test_classify_phase_cases():
    ones, half = np.ones(STEPS.size), np.full(STEPS.size, 0.5)
    assert classify_phase(STEPS, ones, ones) is Phase.GENERALIZATION
    assert classify_phase(STEPS, ones, half) is Phase.MEMORIZATION
    assert classify_phase(STEPS, half, half) is Phase.CONFUSION
    late = np.where(STEPS >= 2000, 1.0, 0.5)
    assert classify_phase(STEPS, ones, late) is Phase.GROKKING
    assert Phase.GROKKING.generalizes and not Phase.MEMORIZATION.generalizes


acc = st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5)


@settings(max_examples=50, deadline=None)
@given(acc, acc, st.floats(0.0, 0.5))
def test_classify_phase_total_and_monotone(train, test, bump):
    steps = np.arange(5) * 500
    phase = classify_phase(steps, train, test)
    assert isinstance(phase, Phase)
    raised = np.minimum(np.array(test) + bump, 1.0)
    if phase is Phase.GENERALIZATION:
        assert classify_phase(steps, train, raised) is not Phase.MEMORIZATION


def test_boundary_ratio():
    G, M = Phase.GENERALIZATION, Phase.MEMORIZATION
    est = boundary_ratio([1, 3, 10, 30], [[G, G], [G, G], [M, G], [M, M]])
    assert est.lower == 3 and est.upper == 10 and est.censored == ""
    assert est.log10_ratio == pytest.approx(0.5 * np.log10(30))
    assert boundary_ratio([1, 10], [[M], [M]]).censored == "below"
    assert boundary_ratio([1, 10], [[G], [G]]).censored == "above"
    assert "BoundaryEstimate" in repr(est)
