"""The games validation checks catch broken solvers and closed forms (checks V6, V13 and E3)."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import efttheory.games.conflict as cf  # noqa: E402
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
