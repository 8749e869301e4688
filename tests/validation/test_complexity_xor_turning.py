"""The XOR check's statistics (CX-4) on hand-made LMN curves, where the answer is known."""

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import validation.complexity as cx  # noqa: E402


def _trace(lmn_steps, lmn_h1, t_gen, all_steps=(), lmn_all=(), seed=0, steps=8_000):
    point = cx.GrokkingPoint("xor5", seed, steps, 200, 128, all_every=1_000 if len(all_steps) else 0)
    grid = np.arange(0, steps + 1, cx.LOG_EVERY)
    acc = np.ones(grid.size)
    return cx.GrokkingTrace(point, grid, acc, acc, acc, acc, acc, 150, t_gen,
                            np.asarray(lmn_steps), np.asarray(lmn_h1, float), np.empty(0, np.int64),
                            np.empty(0), {}, np.asarray(all_steps, dtype=np.int64), np.asarray(lmn_all, float))


def test_xor_rise_takes_the_minimum_inside_the_window():
    steps = np.arange(0, 8_001, 1_000)
    lmn = np.array([5.0, 4.0, 3.0, 2.0, 2.5, 3.0, 2.2, 1.0, 4.0])  # global min at 7000 lies outside
    s = cx._xor_rise(_trace(steps, lmn, t_gen=3_000))
    assert (s["t_min"], s["min"]) == (3_000, 2.0)
    assert s["peak_after"] == 4.0 and s["rise"] == pytest.approx(1.0)


def test_xor_report_marks_a_window_minimum_on_the_edge_without_changing_the_verdict(monkeypatch):
    steps = np.arange(0, 8_001, 1_000)
    # falls through the window [2000, 4000]: its lowest value is the last one, 4.0 at 4000, and the
    # curve is lower just outside (3.5 at 5000); the later peak 5.0 is a rise of 25 %
    falling = np.array([6.0, 5.5, 5.0, 4.5, 4.0, 3.5, 3.0, 3.6, 5.0])
    s = cx._xor_rise(_trace(steps, falling, t_gen=3_000))
    assert s["edge"] == {"sides": ["upper"], "outside": [{"step": 5_000, "value": 3.5}]}
    monkeypatch.setattr(cx, "_runs", lambda ctx, task: [_trace(steps, falling, 3_000)])
    out = cx.xor_rise_after_generalisation(None)
    plt.close(out.figure)
    assert out.status == "pass"  # reported, not judged: the verdict is the rise alone
    assert ("min 4.000 at 4000 [the upper edge of t_gen +- 1000; just outside: 3.500 at 5000 (lower); "
            "reported, not judged], later max 5.000") in out.reason
    json.dumps(out.details)
    # on the lower edge with a higher value before it; at the end of the curve nothing lies beyond
    rising = np.array([6.0, 5.0, 3.0, 3.2, 3.4, 3.6, 3.8, 4.0, 4.2])
    s = cx._xor_rise(_trace(steps, rising, t_gen=3_000))
    assert s["edge"] == {"sides": ["lower"], "outside": [{"step": 1_000, "value": 5.0}]}
    assert "[the lower edge of t_gen +- 1000; just outside: 5.000 at 1000 (not lower);" in cx._edge_note(s)
    s = cx._xor_rise(_trace(steps, np.linspace(6.0, 2.0, steps.size), t_gen=7_500))
    assert s["edge"] == {"sides": ["upper"], "outside": []}
    assert "no logged value beyond it" in cx._edge_note(s)
    # a window holding a single LMN step, and a minimum inside the window
    s = cx._xor_rise(_trace(np.arange(0, 8_001, 2_500), [5.0, 4.0, 3.0, 3.5], t_gen=5_000))
    assert s["edge"] == {"sides": ["lower", "upper"],
                         "outside": [{"step": 2_500, "value": 4.0}, {"step": 7_500, "value": 3.5}]}
    assert "[the only LMN step of t_gen +- 1000; just outside: 4.000 at 2500 (not lower) and 3.500 at 7500" \
        in cx._edge_note(s)
    valley = np.array([5.0, 4.0, 3.0, 2.0, 2.5, 3.0, 2.2, 1.0, 4.0])
    s = cx._xor_rise(_trace(steps, valley, t_gen=3_000))
    assert s["edge"] is None and cx._edge_note(s) == ""


def test_all_input_turning_minimum_from_t_gen_then_later_peak():
    steps = np.arange(0, 8_001, 1_000)
    values = np.array([30.0, 40.0, 30.0, 22.0, 18.0, 17.0, 20.0, 23.0, 21.0])
    t = cx._all_input_turning(_trace(steps, values, 3_000, steps, values))
    assert t == {"t_min": 5_000, "min": 17.0, "t_peak": 7_000, "peak": 23.0}
    # minimum at the last evaluated step: no rise is claimed
    falling = np.array([30.0, 40.0, 30.0, 22.0, 20.0, 19.0, 18.0, 17.0, 16.5])
    t = cx._all_input_turning(_trace(steps, falling, 3_000, steps, falling))
    assert t["t_min"] == 8_000 and t["peak"] is None and t["t_peak"] is None
    # not evaluated, or never generalised: nothing reported
    assert cx._all_input_turning(_trace(steps, values, 3_000)) is None
    assert cx._all_input_turning(_trace(steps, values, None, steps, values)) is None


def test_xor_check_verdict_needs_every_seed(monkeypatch):
    steps = np.arange(0, 8_001, 1_000)
    rising = np.array([5.0, 4.0, 3.0, 2.0, 2.2, 2.6, 3.0, 3.2, 3.4])    # +70 %
    flat = np.array([5.0, 4.0, 3.0, 2.0, 2.0, 2.1, 2.1, 2.15, 2.2])     # +10 %
    runs = [_trace(steps, rising, 3_000, steps, 10 * rising, seed=0),
            _trace(steps, flat, 3_000, steps, 10 * flat, seed=1)]
    monkeypatch.setattr(cx, "_runs", lambda ctx, task: runs)
    out = cx.xor_rise_after_generalisation(None)
    try:
        assert out.status == "fail"
        assert out.measured == pytest.approx(0.1)
        assert "on all input pairs" in out.reason and "min 20.00 at 3000" in out.reason
        json.dumps(out.details)
        runs[1] = _trace(steps, rising, 3_000, seed=1)
        out2 = cx.xor_rise_after_generalisation(None)
        assert out2.status == "pass"
        plt.close(out2.figure)
    finally:
        plt.close(out.figure)


@pytest.mark.parametrize("samples", ["some", 1, 2.5])
def test_grokking_sweep_rejects_bad_sample_setting(monkeypatch, samples):
    monkeypatch.setattr(cx, "_points", lambda ctx: [cx.GrokkingPoint("xor5", 0, 100, 50, samples)])
    with pytest.raises(ValueError, match="lmn_samples"):
        cx._grokking_runs.__wrapped__(None)
