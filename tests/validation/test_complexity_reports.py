"""What the complexity checks' reports say: CX-3's L2-vs-LMN comparison and the reported-only
region correlation of ``relu_regions``."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.stats  # noqa: E402

import validation.complexity as cx  # noqa: E402
from validation.registry import load_area  # noqa: E402
from validation.runner import RunContext  # noqa: E402


@pytest.mark.parametrize("mean_lmn, mean_l2, order, verdict", [
    (0.978, 0.975, "less linear in test loss than the LMN", "did not reproduce quantitatively"),
    (0.930, 0.970, "more linear in test loss than the LMN", "did not reproduce quantitatively"),
    (0.950, -0.960, "more linear in test loss than the LMN", "did not reproduce quantitatively"),
    (0.950, 0.500, "less linear in test loss than the LMN", "consistent with the paper's qualitative claim"),
    (0.556, 0.809, "more linear in test loss than the LMN", "more linear of the two did not reproduce"),
    (0.8004, 0.7996, "as linear in test loss as the LMN", "more linear of the two did not reproduce"),
])
def test_cx3_finding_follows_the_comparison_of_r_l2_with_r_lmn(mean_lmn, mean_l2, order, verdict):
    text = cx._cx3_finding(mean_lmn, mean_l2)
    assert f"The L2 norm is {order}" in text and verdict in text
    assert f"mean Pearson r {mean_l2:.3f} for L2 vs {mean_lmn:.3f} for the LMN" in text
    # the two directions never share a sentence
    assert ("less linear" in text) + ("more linear in test loss" in text) + ("as linear in" in text) == 1


def test_cx3_finding_without_a_correlation_makes_no_comparison():
    text = cx._cx3_finding(float("nan"), 0.95)
    assert "cannot be compared" in text and "linear in test loss" not in text


def _mod31_trace(lmn, l2, loss, steps):
    point = cx.GrokkingPoint("mod31", 0, int(steps[-1]), 50, 64)
    ones = np.ones(steps.size)
    return cx.GrokkingTrace(point, steps, ones, ones, loss, loss, l2, 0, int(steps[-1]), steps, lmn,
                            np.empty(0, np.int64), np.empty(0), {})


def test_cx3_report_does_not_call_a_more_linear_l2_less_linear(monkeypatch):
    """A failing CX-3 whose L2 norm tracks test loss better than the LMN does."""
    steps = np.arange(0, 2_001, 50)
    loss = np.linspace(3.0, 0.1, steps.size)
    wiggle = np.sin(np.arange(steps.size))
    lmn = loss + 1.6 * wiggle                    # r 0.60
    l2 = 40.0 + 5.0 * loss + 4.0 * wiggle[::-1]  # r 0.84
    r_lmn, r_l2 = np.corrcoef(lmn, loss)[0, 1], np.corrcoef(l2, loss)[0, 1]
    assert r_lmn < 0.9 and r_lmn < abs(r_l2) < 0.9
    monkeypatch.setattr(cx, "_runs", lambda ctx, task: [_mod31_trace(lmn, l2, loss, steps)])
    out = cx.lmn_linear_in_test_loss(None)
    plt.close(out.figure)
    assert out.status == "fail"
    assert "less linear" not in out.finding
    assert f"more linear in test loss than the LMN (mean Pearson r {r_l2:.3f} for L2 vs {r_lmn:.3f}" in out.finding


def test_relu_regions_reports_but_does_not_judge_the_region_correlation(monkeypatch):
    spec = next(s for s in load_area("complexity") if s.name == "relu_regions")
    assert "reported, not judged" in spec.claim and "grows" not in spec.claim
    # an anti-correlation leaves the verdict to the calibration table, and is reported as such
    monkeypatch.setattr(scipy.stats, "spearmanr", lambda a, b: (-1.0, 0.0))
    out = spec.run(RunContext(quick=True))
    plt.close(out.figure)
    assert out.status == "pass"
    assert "Spearman rho = -1.000 (reported, not judged)" in out.reason
