"""How the generalization validation schedules its runs: shared prefixes, Monte-Carlo chunks, boundaries."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.generalization import BoundaryEstimate, Phase, boundary_ratio
from validation import generalization as gv
from validation.runner import RunContext
from validation.sweep import point_seeds


def test_truncated_run_equals_the_shorter_run():
    # training never depends on the step budget, so cutting a longer run is bit-identical
    short = gv.NetPoint("mod", 3, 0.5, 1, 8, 1e-3, 1e-2, 150, 0, 0)
    long = gv.NetPoint("mod", 3, 0.5, 1, 8, 1e-3, 1e-2, 300, 0, 0)
    a = gv.train_point(short, None)
    b = gv._truncate(gv.train_point(long, None), 150)
    assert np.array_equal(a.steps, b.steps)
    assert np.array_equal(a.train_acc, b.train_acc) and np.array_equal(a.test_acc, b.test_acc)


def test_truncate_needs_an_evaluation_at_the_cut():
    run = gv.NetRun(np.array([0, 50, 100]), np.zeros(3), np.zeros(3))
    try:
        gv._truncate(run, 70)
    except ValueError as exc:
        assert "70" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected ValueError")


def test_plan_shares_g13_with_the_learning_rate_grid_at_full_size():
    full, quick = RunContext(quick=False), RunContext(quick=True)
    longest = gv._longest_budgets(full)
    for p in gv._g13_points(full):
        assert longest[gv.replace(p, steps=0)] == 8000  # cut from the E3 runs at eta = 1e-3, ratio 1
    for p in gv._g13_points(quick):
        assert gv._longest_budgets(quick)[gv.replace(p, steps=0)] == p.steps
    # the relation grid reuses G16's mod 3 row at its eta_enc
    eta, grid, seeds, steps = gv._relation_grid(full)
    g16, g16_seeds, g16_steps = gv._g16_grid(full)
    assert grid["mod"] == g16[eta] and seeds == g16_seeds and steps == g16_steps
    assert set(gv._relation_points(full)) >= {p for p in gv._g16_points(full) if p.eta_enc == eta}


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 100_000))
def test_chunks_split_the_samples(n):
    (parts,) = gv._chunks([gv.OdeMcPoint(1.0, 0.5, n_samples=n)])
    sizes = [p.n_samples for p in parts]
    assert sum(sizes) == n and max(sizes) <= gv.MC_CHUNK and max(sizes) - min(sizes) <= 1


def test_ode_mc_merges_chunks_by_sample_count(monkeypatch):
    monkeypatch.setattr(gv, "MC_CHUNK", 7)
    ctx = RunContext(workers=1)
    config = gv.OdeMcPoint(1.0, 0.5, n_samples=20)
    (merged,) = gv._ode_mc(ctx, [config], "test", key="test-ode")
    seeds = point_seeds(ctx.int_seed("test-ode"), 3)
    parts = [gv.ode_mc_point(gv.OdeMcPoint(1.0, 0.5, n_samples=s), q) for s, q in zip((7, 7, 6), seeds)]
    hits = sum(p.p * p.n for p in parts)
    assert merged.n == 20
    assert math.isclose(merged.p, hits / 20, abs_tol=1e-15)
    assert math.isclose(merged.se, math.sqrt(max(merged.p * (1 - merged.p), 1e-300) / 20))
    assert math.isclose(merged.agreement, sum(p.agreement * p.n for p in parts) / 20)


def test_log10_interval_brackets_and_censoring():
    G, M = Phase.GENERALIZATION, Phase.MEMORIZATION
    inside = boundary_ratio([1, 3, 10], [[G], [M], [M]])
    assert gv._log10_interval(inside) == (0.0, math.log10(3))
    below = boundary_ratio([1, 3, 10], [[M], [M], [M]])
    assert gv._log10_interval(below) == (-math.inf, 0.0)
    above = boundary_ratio([1, 3, 10], [[G], [G], [G]])
    assert gv._log10_interval(above) == (1.0, math.inf)
    assert isinstance(above, BoundaryEstimate)


def test_run_cost_grows_with_steps_fraction_and_depth():
    p = gv.NetPoint("mod", 3, 0.5, 3, 50, 1e-3, 1e-3, 1000, 0, 0)
    assert gv._run_cost(gv.replace(p, steps=2000)) == 2 * gv._run_cost(p)
    assert gv._run_cost(gv.replace(p, fraction=0.75)) > gv._run_cost(p)
    assert gv._run_cost(gv.replace(p, depth=4)) > gv._run_cost(p)
