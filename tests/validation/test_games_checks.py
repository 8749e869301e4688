"""The games validation checks catch broken solvers and closed forms (checks V6, V13 and E3)."""

import matplotlib

matplotlib.use("Agg")

import dataclasses  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import efttheory.games.conflict as cf  # noqa: E402
from efttheory.errors import ConvergenceError  # noqa: E402
import validation.games as vg  # noqa: E402
from validation.runner import RunContext  # noqa: E402

QUICK = RunContext(quick=True, seed=0)


def test_bimatrix_oracles_judges_the_seeded_counts_without_an_oracle(monkeypatch):
    monkeypatch.setattr(vg, "_optional", lambda name: None)  # neither QuantEcon nor nashpy installed
    out = vg.bimatrix_oracles(QUICK)
    assert out.status == "pass" and out.measured == [1, 1, 3]
    assert "set comparison skipped" in out.tolerance
    assert out.details["compared"] == {"quantecon": 0, "nashpy": 0}

    # a solver that loses equilibria changes the seeded counts: the check must fail, not skip
    real = vg.nash_equilibria
    monkeypatch.setattr(vg, "nash_equilibria", lambda A, B: list(real(A, B))[:1])
    out = vg.bimatrix_oracles(QUICK)
    assert out.status == "fail" and out.measured == [1, 1, 1]


@pytest.mark.parametrize("name", ["L_F", "s_T", "s_C", "s_F"])
def test_comparative_statics_check_tests_every_partial(monkeypatch, name):
    real = vg.comparative_statics

    def off_by_1e_4(p, wrt):
        cs = real(p, wrt)
        if name in cs.partials:
            cs.partials[name] *= 1 + 1e-4  # far above the check's rtol 1e-6, no sign change
        return cs

    monkeypatch.setattr(vg, "comparative_statics", off_by_1e_4)
    out = vg.comparative_statics_check(QUICK)
    assert out.status == "fail" and out.measured > 1e-6
    assert max(out.details["worst_relative_gap"], key=out.details["worst_relative_gap"].get) == name


def test_comparative_statics_reference_is_accurate_where_double_precision_is_not():
    # a draw of the full-size check at root seed 3: pi ~ 5e-6, so G moves with gamma by a relative
    # 1.8e-6 per unit and a double-precision difference quotient of G loses ~1e-5 of the partial to
    # rounding (the check missed its rtol 1e-6 by 3.0e-6 there); the 40-digit reference does not
    p = cf.DC2Params(s_C=0.490948, s_F=0.254836, s_T=5.8191, r=3.86912, c=0.0304299, L_F=6.48176, q=0.624069,
                     tau=8.72572, delta=0.724881, gamma=0.0130518)
    closed = cf.comparative_statics(p, "gamma").partials["gamma"]
    assert abs(vg._central_difference_40_digits(p, "gamma") - closed) <= 1e-12 * abs(closed)
    h = 1e-5 * p.gamma
    double = (cf.solidarity_gain(p.replace(gamma=p.gamma + h), perceived=False)
              - cf.solidarity_gain(p.replace(gamma=p.gamma - h), perceived=False)) / (2 * h)
    assert abs(double - closed) > 1e-6 * abs(closed)


def test_comparative_statics_check_fails_when_its_twin_of_the_gain_drifts(monkeypatch):
    real = vg.solidarity_gain
    monkeypatch.setattr(vg, "solidarity_gain", lambda p, perceived=True: real(p, perceived=perceived) * (1 + 1e-7))
    out = vg.comparative_statics_check(QUICK)
    assert out.status == "fail" and 5e-8 < out.details["twin_gap"] < 2e-7


def test_n0_correspondence_checks_every_qre_limit_against_the_enumerated_equilibria(monkeypatch):
    real = vg.logit_qre_branch
    calls = []

    def always_all_support(game):
        branch = real(game)
        calls.append(1)
        return dataclasses.replace(branch, limit=tuple(np.array([0.0, 1.0]) for _ in branch.limit))

    monkeypatch.setattr(vg, "logit_qre_branch", always_all_support)
    out = vg.n0_correspondence(QUICK)
    # all-support is an equilibrium only on Delta_3 = [1.483836, 8.472515]: every grid point outside is a miss
    grid = np.linspace(0.1, 14, len(calls))
    lo, hi = vg.N0_BOUNDARIES["Delta_3"]
    assert out.status == "fail" and out.details["qre_misses"] == int(np.sum((grid < lo) | (grid > hi)))

    def fails_at_high_threat(game):
        if game.payoffs[(1, 1, 1)][0] < -9.5:  # the strongest threats of the grid
            raise ConvergenceError("corrector failed")
        return real(game)

    monkeypatch.setattr(vg, "logit_qre_branch", fails_at_high_threat)
    out = vg.n0_correspondence(QUICK)
    assert out.status == "fail" and out.details["qre_misses"] > 0 and "corrector failed" in out.reason


def test_divide_and_conquer_counts_disagreements_between_the_tree_and_the_rule(monkeypatch):
    # a game tree whose threat discounts its later conquest (delta_T = 0.5) while the closed forms do not:
    # backward induction then prefers the simultaneous attack where the rule says sequential
    real = cf.dc2_game_tree

    def discounted_tree(p, V=1.0):
        return real(p.replace(delta_T=0.5), V)

    monkeypatch.setattr(cf, "dc2_game_tree", discounted_tree)
    monkeypatch.setattr(vg, "dc2_game_tree", discounted_tree, raising=False)
    out = vg.divide_and_conquer(QUICK)
    assert out.status == "fail" and out.measured > 0
