"""DC-2 and DC-N: golden values of the spec, thresholds, comparative statics, properties, bad input."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from efttheory.games import (
    DC2Params,
    DCNParams,
    comparative_statics,
    contest_probabilities,
    critical_discount_factor,
    critical_efficacy,
    critical_imminence,
    critical_threat_belief,
    dc2_game_tree,
    dc2_subgame_perfect_equilibrium,
    dcn_equilibrium_margins,
    dcn_markov_perfect_equilibrium,
    dcn_stage_game,
    dcn_stage_increments,
    discount_weight,
    division_budget,
    efficacy_peak,
    max_support_cost,
    one_shot_deviation_gain,
    pure_nash_equilibria,
    solidarity_efficacy,
    solidarity_gain,
    support_decision,
    symmetric_mixed_equilibria,
    threat_attack_mode,
    threat_attack_order,
    tullock_csf,
)
from efttheory.testing import assert_is_subgame_perfect, dc2_params, dcn_params

B0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5)
N0 = DCNParams(s=[1, 1, 1, 1], s_T=6, r=3, c=0.5, L=10, q=1, tau=1, delta=0.95, gamma=0.5)


def test_b0_contest_probabilities():
    cp = contest_probabilities(B0)
    assert abs(cp.p_1 - 0.64) <= 1e-15
    assert abs(cp.p_0 - 4 / 13) <= 1e-15
    assert abs(cp.pi - 0.2) <= 1e-15
    assert solidarity_efficacy(B0) == pytest.approx(0.3323076923076923, rel=1e-12)


def test_b0_thresholds_golden():
    rel = 1e-12
    assert solidarity_gain(B0.replace(delta=1.0)) == pytest.approx(2.1267692307692307, rel=rel)
    assert critical_discount_factor(B0) == pytest.approx(0.6133167268283227, rel=rel)
    assert solidarity_gain(B0) == pytest.approx(1.7226830769230772, rel=rel)
    assert critical_threat_belief(B0) == pytest.approx(0.37151348879743945, rel=rel)
    assert critical_imminence(B0) == pytest.approx(9.280018993544946, rel=rel)
    assert critical_efficacy(B0) == pytest.approx(0.15432098765432095, rel=rel)
    assert division_budget(B0, "q").shift == pytest.approx(0.4284865112025606, rel=rel)
    assert division_budget(B0, "dp").shift == pytest.approx(0.17798670465337135, rel=rel)
    assert division_budget(B0).threat_gain == pytest.approx(0.1938461538461539, rel=rel)


def test_b0_branches_and_modes():
    choice = threat_attack_mode(B0)
    probs = choice.conquest_prob_by_branch
    assert probs["sequential_out"] == pytest.approx(0.5538461538461539, rel=1e-12)
    assert probs["simultaneous"] == pytest.approx(0.36, rel=1e-12)
    assert probs["sequential_in"] == pytest.approx(0.288, rel=1e-12)
    assert choice.mode == "simultaneous" and choice.follower_supports
    out = threat_attack_mode(B0.replace(delta=0.5))
    assert out.mode == "sequential" and not out.follower_supports


@pytest.mark.parametrize("field, values, expected", [
    ("q", (0.2, 0.5, 0.8, 1.0), (0.4307, 1.0767, 1.7227, 2.1534)),
    ("tau", (1, 2, 4, 8), (1.9141, 1.7227, 1.3954, 0.9155)),
    ("L_F", (1, 5, 10, 20), (0.1723, 0.8613, 1.7227, 3.4454)),
    ("s_T", (0.5, 1.5, 3, 6, 12), (0.4574, 1.7227, 1.2443, 0.4619, 0.1296)),
])
def test_willingness_to_pay_table(field, values, expected):
    for v, e in zip(values, expected):
        assert max_support_cost(B0.replace(**{field: v})) == pytest.approx(e, abs=6e-5)


def test_indifference_at_critical_discount_factor():
    d = critical_discount_factor(B0)
    p = B0.replace(delta=d)
    cp = contest_probabilities(p)
    u = [-a * p.c - (1 - (cp.p_1 if a else cp.p_0)) * p.q * d**p.tau * (1 - cp.pi) * p.L_F for a in (0, 1)]
    assert abs(u[1] - u[0]) <= 1e-12


def _bisect(fn, lo, hi):
    return brentq(lambda x: float(fn(x)), lo, hi, xtol=1e-14, rtol=1e-15)


def test_thresholds_match_bisection_on_gain():
    d = _bisect(lambda x: solidarity_gain(B0.replace(delta=x)) - B0.c, 0.05, 1.0)
    assert d == pytest.approx(critical_discount_factor(B0), abs=1e-10)
    q = _bisect(lambda x: solidarity_gain(B0.replace(q=x)) - B0.c, 1e-6, 1.0)
    assert q == pytest.approx(critical_threat_belief(B0), abs=1e-10)
    t = _bisect(lambda x: solidarity_gain(B0.replace(tau=x)) - B0.c, 0.0, 30.0)
    assert t == pytest.approx(critical_imminence(B0), abs=1e-10)


def test_efficacy_hump_golden():
    peak = efficacy_peak(1, 2, 2)
    assert peak.s_T_star == pytest.approx(math.sqrt(2), rel=1e-15)
    assert peak.dp_max == pytest.approx(1 / 3, abs=1e-12)
    for sT in (1.0, 2.0):
        p = B0.replace(s_T=sT)
        assert solidarity_efficacy(p) == pytest.approx(0.3, abs=1e-12)


def test_comparative_statics_against_central_differences():
    cs = comparative_statics(B0)
    assert cs.elasticities["gamma"] == pytest.approx(0.2, rel=1e-12)
    assert cs.elasticities["q"] == pytest.approx(1.0, rel=1e-12)
    assert cs.elasticities["delta"] == pytest.approx(B0.tau, rel=1e-12)
    for name, value in cs.partials.items():
        x = getattr(B0, name)
        h = 1e-5 * max(abs(x), 1e-2)
        fd = (solidarity_gain(B0.replace(**{name: x + h}), perceived=False)
              - solidarity_gain(B0.replace(**{name: x - h}), perceived=False)) / (2 * h)
        assert value == pytest.approx(fd, rel=1e-6, abs=1e-9), name
    assert cs.signs == {"q": 1, "L_F": 1, "delta": 1, "tau": -1, "gamma": 1, "s_T": 1, "s_C": -1, "s_F": 1}


def test_comparative_statics_with_custom_csf_matches_tullock():
    csf = lambda x, y: x**2 / (x**2 + y**2)  # noqa: E731
    a = comparative_statics(B0)
    b = comparative_statics(B0.replace(csf=csf))
    for k in a.partials:
        assert b.partials[k] == pytest.approx(a.partials[k], rel=1e-6)


def test_dc2_one_shot_deviation_gains_vanish():
    for delta in (0.3, 0.5, 0.9, 1.0):
        p = B0.replace(delta=delta)
        sol = dc2_subgame_perfect_equilibrium(p)
        assert np.max(one_shot_deviation_gain(sol.tree, sol.spe)) <= 1e-12
        assert_is_subgame_perfect(sol.tree, sol.spe)
        assert sol.follower_supports == support_decision(p)
        assert sol.mode == threat_attack_mode(p).mode


def test_dc2_tree_follows_perceived_beliefs():
    p = B0.replace(q_belief=0.3)
    assert not support_decision(p)
    assert not dc2_subgame_perfect_equilibrium(p).follower_supports
    p = B0.replace(dp_belief=0.1)
    assert not support_decision(p)
    assert not dc2_subgame_perfect_equilibrium(p).follower_supports
    assert repr(dc2_game_tree(p)).startswith("GameTree(")


@settings(deadline=None, max_examples=60)
@given(dc2_params(), st.floats(0.0, 1.0))
def test_dc2_tree_agrees_with_support_decision_for_any_perceived_efficacy(p, dp_belief):
    # a belief above 1 - p_0 (a perceived p_1 above 1) used to be clipped in the tree only, so the
    # tree said "stay out" where the closed form said "support" and the solver raised RuntimeError
    p = p.replace(dp_belief=dp_belief)
    assert dc2_subgame_perfect_equilibrium(p).follower_supports == support_decision(p)


def test_dc2_belief_beyond_one_minus_p0():
    p = DC2Params(s_C=3, s_F=1, s_T=1, r=4, c=0.5, L_F=10, q=0.8, tau=1, delta=0.9, gamma=0.5, dp_belief=0.5)
    assert contest_probabilities(p).p_0 + 0.5 > 1.0
    assert support_decision(p) and dc2_subgame_perfect_equilibrium(p).follower_supports


MONOTONE_UP = {"delta": (0.05, 1.0), "q": (0.0, 1.0), "L_F": (0.5, 20), "gamma": (0.0, 1.0)}
MONOTONE_DOWN = {"c": (0.0, 5.0), "tau": (0.0, 10.0)}


@settings(deadline=None, max_examples=50)
@given(dc2_params(), st.sampled_from(sorted(MONOTONE_UP) + sorted(MONOTONE_DOWN)), st.floats(0, 1), st.floats(0, 1))
def test_support_monotone_in_each_parameter(p, name, u, v):
    lo, hi = {**MONOTONE_UP, **MONOTONE_DOWN}[name]
    a, b = sorted((lo + u * (hi - lo), lo + v * (hi - lo)))
    if name == "delta":
        a = max(a, 1e-3)
    low, high = support_decision(p.replace(**{name: a})), support_decision(p.replace(**{name: b}))
    if name in MONOTONE_UP:
        assert high >= low
    else:
        assert low >= high


@settings(deadline=None, max_examples=50)
@given(dc2_params(), st.floats(0, 1), st.floats(0, 1))
def test_perceived_beliefs_monotone_and_unity_pays(p, u, v):
    cp = contest_probabilities(p)
    assert cp.p_1 >= cp.p_0
    assert solidarity_gain(p) >= 0
    a, b = sorted((u, v))
    assert support_decision(p.replace(q_belief=b)) >= support_decision(p.replace(q_belief=a))
    assert support_decision(p.replace(dp_belief=b)) >= support_decision(p.replace(dp_belief=a))
    if p.c > 0:
        assert not support_decision(p.replace(q=0.0))
        assert not support_decision(p.replace(dp_belief=0.0))


@settings(deadline=None, max_examples=50)
@given(dc2_params(), st.floats(0.01, 1), st.floats(0.01, 1))
def test_prevail_probability_nondecreasing_in_delta(p, u, v):
    a, b = sorted((u, v))
    pa = dc2_subgame_perfect_equilibrium(p.replace(delta=a)).prevail_probability
    pb = dc2_subgame_perfect_equilibrium(p.replace(delta=b)).prevail_probability
    assert pb >= pa


@settings(deadline=None, max_examples=30)
@given(dc2_params(), st.floats(0.05, 0.95), st.floats(0.2, 10))
def test_critical_delta_equals_bisection(p, target, tau):
    p = p.replace(tau=tau, q=max(p.q, 0.05))
    assume(solidarity_gain(p.replace(delta=1.0)) > 1e-6)
    p = p.replace(c=solidarity_gain(p.replace(delta=target)))  # puts delta* at the target
    d = critical_discount_factor(p)
    root = _bisect(lambda x: solidarity_gain(p.replace(delta=x)) - p.c, 1e-3, 1.0)
    assert root == pytest.approx(d, abs=1e-10)
    assert d == pytest.approx(target, abs=1e-10)


def test_hazard_weight_and_threshold():
    p = B0.replace(hazard=0.3)
    d = critical_discount_factor(p)
    assert solidarity_gain(p.replace(delta=d)) == pytest.approx(p.c, rel=1e-12)
    with pytest.raises(ValueError, match="hazard"):
        critical_imminence(p)


def test_n0_stage_game_golden():
    game = dcn_stage_game(N0, 0)
    assert game.payoffs.shape == (2, 2, 2, 3)
    eqs = pure_nash_equilibria(game)
    assert eqs.tolist() == [[0, 0, 0], [1, 1, 1]]
    assert game.payoffs[1, 1, 1, 0] == pytest.approx(-7.801982507288629, rel=1e-12)
    assert game.payoffs[0, 0, 0, 0] == pytest.approx(-9.42191291263049, rel=1e-12)
    sigma = symmetric_mixed_equilibria(dcn_stage_increments(N0, 0), 0.5)
    assert sigma.shape == (1,)
    assert abs(sigma[0] - 0.24669654005717942) <= 1e-12
    for sT, V in ((4, 9.396879240162821), (6, 9.465532879818593), (12, 9.495138489093584)):
        g = dcn_stage_game(N0.replace(s_T=sT), 0)
        assert -g.payoffs[0, 0, 0, 0] / (1 - tullock_csf(1, sT, 3)) == pytest.approx(V, rel=1e-12)
    assert pure_nash_equilibria(dcn_stage_game(N0.replace(s_T=4), 0)).tolist() == [[1, 1, 1]]
    assert pure_nash_equilibria(dcn_stage_game(N0.replace(s_T=12), 0)).tolist() == [[0, 0, 0]]


@pytest.mark.parametrize("sT, sigma", [(5.0, 0.0056287214), (7.0, 0.5252117531), (8.0, 0.8397890729),
                                       (8.4, 0.9749507987)])
def test_sigma_correspondence_golden(sT, sigma):
    p = N0.replace(s_T=sT)
    roots = symmetric_mixed_equilibria(dcn_stage_increments(p, 0), 0.5)
    assert roots[0] == pytest.approx(sigma, abs=1e-9)


@settings(deadline=None, max_examples=40)
@given(dcn_params(max_groups=5), st.integers(0, 2**31))
def test_margins_characterise_pure_equilibria(params, seed):
    k = 0
    game = dcn_stage_game(params, k)
    M = params.n_groups - 1
    eqs = {tuple(e) for e in pure_nash_equilibria(game, tol=0.0)}
    rng = np.random.default_rng(seed)
    for _ in range(4):
        a = rng.integers(0, 2, M)
        margins = dcn_equilibrium_margins(params, k, a)
        if np.all(margins > 1e-12):
            assert tuple(a) in eqs
        if np.any(margins < -1e-12):
            assert tuple(a) not in eqs


@settings(deadline=None, max_examples=30)
@given(dcn_params(max_groups=4), st.floats(0.05, 1.0), st.floats(0.05, 1.0))
def test_all_support_set_is_an_up_set_in_common_delta(params, u, v):
    a, b = sorted((u, v))
    M = params.n_groups - 1
    ok = [bool(np.all(dcn_equilibrium_margins(params.replace(delta=d), 0, np.ones(M)) >= 0)) for d in (a, b)]
    assert ok[1] >= ok[0]


@settings(deadline=None, max_examples=25)
@given(dcn_params(max_groups=4), st.sampled_from(["payoff_dominant", "risk_dominant", "pessimistic"]))
def test_mpe_values_nonpositive_and_nonincreasing_while_profiles_fixed(params, rule):
    low = dcn_markov_perfect_equilibrium(params, rule)
    high = dcn_markov_perfect_equilibrium(params.replace(s_T=params.s_T * 1.05), rule)
    assert np.all(low.values <= 1e-12) and np.all(high.values <= 1e-12)
    if all(np.array_equal(a, b) for a, b in zip(low.support, high.support)):
        assert np.all(high.values <= low.values + 1e-12)


def test_mpe_value_can_rise_with_threat_when_more_groups_join():
    # the spec's unconditional monotonicity (V12) fails: a larger threat draws supporters in
    params = DCNParams(s=np.linspace(1.0, 1.5, 4), s_T=2.0, r=3, c=0.4, L=10, q=1, tau=np.arange(4.0), delta=0.9,
                       gamma=0.5)
    a = dcn_markov_perfect_equilibrium(params, "pessimistic")
    b = dcn_markov_perfect_equilibrium(params.replace(s_T=3.0), "pessimistic")
    assert b.support[0].sum() > a.support[0].sum()
    assert b.values[0] > a.values[0]


def test_mpe_with_two_groups_reproduces_dc2():
    for delta in (0.5, 0.9):
        p = B0.replace(delta=delta)
        params = DCNParams(s=[p.s_C, p.s_F], s_T=p.s_T, r=p.r, c=[0.0, p.c], L=[1.0, p.L_F], q=[1.0, p.q],
                           tau=[0.0, p.tau], delta=[1.0, p.delta], gamma=p.gamma)
        mpe = dcn_markov_perfect_equilibrium(params, "payoff_dominant")
        assert bool(mpe.support[0][0]) == support_decision(p)
        cp = contest_probabilities(p)
        assert mpe.prevail[0] == pytest.approx(cp.p_1 if support_decision(p) else cp.p_0, abs=1e-12)
        G = solidarity_gain(p)
        V = -params.q[1] * params.delta[1] ** params.tau[1] * (-(1 - cp.pi) * p.L_F)
        assert V * (cp.p_1 - cp.p_0) == pytest.approx(G, rel=1e-12)
        a = support_decision(p)
        uF = -p.c * a - (1 - (cp.p_1 if a else cp.p_0)) * G / (cp.p_1 - cp.p_0)
        assert mpe.values[1] == pytest.approx(uF, rel=1e-12)


def test_attack_order_prefers_far_groups_first_small_case():
    params = DCNParams(s=[1, 1, 1], s_T=2.5, r=3, c=0.3, L=10, q=1, tau=[0, 1, 6], delta=0.8, gamma=0.5)
    out = threat_attack_order(params, "payoff_dominant")
    assert out.orders.shape == (6, 3)
    assert out.conquest_probability == pytest.approx(out.probabilities.max())


@pytest.mark.parametrize("changes, match", [
    ({"delta": 0.0}, "delta"), ({"delta": 1.5}, "delta"), ({"q": -0.1}, "q"), ({"q": 1.2}, "q"),
    ({"s_T": float("nan")}, "s_T"), ({"c": -1.0}, "c"), ({"gamma": 2.0}, "gamma"), ({"L_F": 0.0}, "L_F"),
    ({"q_belief": 1.5}, "q_belief"), ({"hazard": 0.0}, "hazard"), ({"tau": float("inf")}, "tau"),
])
def test_dc2_bad_input(changes, match):
    with pytest.raises(ValueError, match=match):
        B0.replace(**changes)


def test_solidarity_gain_takes_only_a_bool_for_perceived():
    # a truthiness test took "no" as perceived=True
    for bad in ("no", None, 0):
        with pytest.raises(TypeError, match="perceived must be True or False"):
            solidarity_gain(B0, perceived=bad)
    assert solidarity_gain(B0, perceived=np.bool_(False)) == solidarity_gain(B0, perceived=False)


def test_dcn_bad_input():
    with pytest.raises(ValueError, match="q"):
        N0.replace(q=[1, 1, 2, 1])
    with pytest.raises(ValueError, match="shape"):
        N0.replace(c=[0.5, 0.5])
    with pytest.raises(ValueError, match="delta"):
        N0.replace(delta=0.0)
    with pytest.raises(ValueError, match="s"):
        N0.replace(s=[1, np.nan, 1, 1])
    with pytest.raises(ValueError, match="k"):
        dcn_stage_game(N0, 3)
    with pytest.raises(ValueError, match="supporters"):
        dcn_equilibrium_margins(N0, 0, [1, 0])
    with pytest.raises(ValueError, match="selection"):
        dcn_markov_perfect_equilibrium(N0, "optimistic")
    with pytest.raises(ValueError, match="tau"):
        critical_discount_factor(B0.replace(tau=0.0))
    with pytest.raises(ValueError, match="S1"):
        efficacy_peak(2, 1, 2)


def test_tullock_csf_properties():
    assert tullock_csf(2.0, 2.0, 3) == pytest.approx(0.5)
    assert tullock_csf(1.0, 2.0) + tullock_csf(2.0, 1.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="x and y"):
        tullock_csf(0.0, 1.0)


# ---------------------------------------------------------------------------------------------
# Numerically stable contest function and the functions built on it
# ---------------------------------------------------------------------------------------------


def _csf_twin(x, y, r):
    """P(x, y) in the log-odds form 1 / (1 + exp(r (ln y - ln x))), in plain Python."""
    z = r * (math.log(y) - math.log(x))
    return 0.0 if z > 700 else 1.0 / (1.0 + math.exp(z))


def test_tullock_csf_extreme_strengths_and_decisiveness():
    assert tullock_csf(1e200, 1e200, r=2) == 0.5
    assert tullock_csf(1e-200, 1e-200, r=2) == 0.5
    assert tullock_csf(2, 1, r=2000) == 1.0
    assert tullock_csf(1, 2, r=2000) == 0.0
    # y / x overflows, but with a tiny r the odds are moderate: (1e-300 / 1e300)^0.001 = e^-1.38
    assert tullock_csf(1e300, 1e-300, r=1e-3) == pytest.approx(_csf_twin(1e300, 1e-300, 1e-3), rel=1e-14)
    out = tullock_csf(np.array([1e-300, 1.0, 1e300]), np.array([1e-300, 3.0, 1e299]), r=7)
    assert np.all(np.isfinite(out))
    assert out == pytest.approx([0.5, 1 / (1 + 3.0**7), 1 / (1 + 0.1**7)], rel=1e-14)


@settings(deadline=None, max_examples=200)
@given(st.floats(-300, 300), st.floats(-300, 300), st.floats(-3, 4))
def test_tullock_csf_matches_log_odds_twin_over_the_float_range(lx, ly, lr):
    x, y, r = 10.0**lx, 10.0**ly, 10.0**lr
    value = tullock_csf(x, y, r)
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(_csf_twin(x, y, r), rel=1e-9, abs=1e-300)
    assert value + tullock_csf(y, x, r) == pytest.approx(1.0, abs=4e-15)  # a few ulps of SIMD pow/exp


@pytest.mark.parametrize("r", [1e3, 3e3, 1e4])
def test_tullock_csf_complement_holds_for_nearly_equal_strengths_and_large_r(r):
    # y/x and x/y were rounded separately: the two orders differed by about r ulps (2.6e-14 at r = 1e3)
    y = 10.0 ** -np.logspace(-12, -6, 200)
    total = tullock_csf(1.0, y, r) + tullock_csf(y, 1.0, r)
    assert np.max(np.abs(total - 1.0)) <= 4e-15


def test_tullock_csf_names_arguments_that_do_not_broadcast():
    with pytest.raises(ValueError, match="x and y must broadcast"):
        tullock_csf([1, 2, 3], [1, 2])


def test_contest_based_functions_stay_finite_at_extremes():
    cp = contest_probabilities(B0.replace(r=1e4))
    assert (cp.p_1, cp.p_0, cp.pi) == (1.0, 0.0, 0.0)
    cp = contest_probabilities(B0.replace(s_T=1e300))
    assert (cp.p_1, cp.p_0, cp.pi) == (0.0, 0.0, 0.0)
    tiny = contest_probabilities(B0.replace(s_C=1e-300, s_F=1e-300, s_T=1.5e-300))  # B0 scaled down
    base = contest_probabilities(B0)
    assert (tiny.p_1, tiny.p_0, tiny.pi) == pytest.approx((base.p_1, base.p_0, base.pi), rel=1e-13)
    peak = efficacy_peak(1, 2, 5000)
    assert peak.s_T_star == pytest.approx(math.sqrt(2), rel=1e-15) and peak.dp_max == 1.0
    peak = efficacy_peak(1e200, 1e300, 0.001)
    assert peak.s_T_star == pytest.approx(1e250, rel=1e-14)
    assert peak.dp_max == pytest.approx(math.tanh(0.25e-3 * math.log(1e100)), rel=1e-13)
    s = peak.s_T_star
    assert peak.dp_max == pytest.approx(tullock_csf(1e300, s, 0.001) - tullock_csf(1e200, s, 0.001), rel=1e-12)
    # delta* = (c / base)^(1 / tau) is far beyond the float range: F never supports
    p = B0.replace(tau=1e-10, c=100)
    assert critical_discount_factor(p) == math.inf and not support_decision(p)


@settings(deadline=None, max_examples=30)
@given(st.floats(-1, 4), st.floats(-300, 300), st.floats(-300, 300))
def test_stage_payoff_kernel_matches_twin_at_extremes(lr, ls_T, ls):
    # the numba kernel (csf=None) against the plain-Python path through a custom csf
    r, s_T, s = 10.0**lr, 10.0**ls_T, 10.0**ls
    params = DCNParams(s=[s, 2 * s, 3 * s], s_T=s_T, r=r, c=[0.0, 0.3, 0.7], L=10, q=1, tau=1, delta=0.9,
                       gamma=0.5)
    kernel = dcn_stage_game(params, 0).payoffs
    twin = dcn_stage_game(params.replace(csf=lambda x, y: tullock_csf(x, y, r)), 0).payoffs
    assert np.all(np.isfinite(kernel))
    assert np.allclose(kernel, twin, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# One tie rule: support and simultaneous attack
# ---------------------------------------------------------------------------------------------


def test_exact_support_tie_goes_to_support_everywhere():
    p = B0.replace(c=max_support_cost(B0))
    assert p.c == solidarity_gain(p)  # an exact tie in floating point
    assert support_decision(p)
    sol = dc2_subgame_perfect_equilibrium(p)
    assert sol.follower_supports and sol.mode == "simultaneous" == threat_attack_mode(p).mode
    assert 2 in sol.spe.tie_nodes.tolist()  # F's decision is reported as a tie
    assert np.max(one_shot_deviation_gain(sol.tree, sol.spe)) <= 1e-12
    assert sol.prevail_probability == contest_probabilities(p).p_1


def test_exact_attack_mode_tie_goes_to_simultaneous_everywhere():
    # F stays out and (1 - p_0)(1 - pi) delta_T^tau == 1 - p_1 exactly
    p = B0.replace(delta=0.01, tau=1, delta_T=0.65)
    probs = threat_attack_mode(p).conquest_prob_by_branch
    assert probs["sequential_out"] == probs["simultaneous"]
    assert not support_decision(p) and threat_attack_mode(p).mode == "simultaneous"
    sol = dc2_subgame_perfect_equilibrium(p)
    assert sol.mode == "simultaneous" and not sol.follower_supports
    assert sol.spe.path[1] == "simultaneous"


# ---------------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("delta, error", [(2.0, ValueError), (float("nan"), ValueError), (-1.0, ValueError),
                                          (0.0, ValueError), ("a", TypeError)])
def test_discount_weight_checks_delta(delta, error):
    with pytest.raises(error, match="delta"):
        discount_weight(B0, delta=delta)


@pytest.mark.parametrize("order", [[0, 0, 0, 0], [0, 1], [-1, 0, 1, 2], [0, 1, 2, 5], [0, 1, 2, 3.5]])
def test_reordered_requires_a_permutation(order):
    with pytest.raises(ValueError, match="order"):
        N0.reordered(order)
    with pytest.raises(ValueError, match="order"):
        dcn_markov_perfect_equilibrium(N0, "payoff_dominant", order=order)


def test_mpe_accepts_whole_float_order():
    a = dcn_markov_perfect_equilibrium(N0, "payoff_dominant", order=[0.0, 1.0, 2.0, 3.0])
    b = dcn_markov_perfect_equilibrium(N0, "payoff_dominant")
    assert np.array_equal(a.values, b.values) and a.order.dtype == np.int64
    assert N0.reordered([3, 2, 1, 0]).s.tolist() == N0.s.tolist()


def _n0_groups(n):
    """Base case N0 with n equal groups."""
    return DCNParams(s=np.ones(n), s_T=6, r=3, c=0.5, L=10, q=1, tau=1, delta=0.95, gamma=0.5)


def test_dcn_size_limits_and_single_group_message():
    with pytest.raises(ValueError, match="at most 16 groups"):
        dcn_markov_perfect_equilibrium(_n0_groups(17), "payoff_dominant")
    huge = _n0_groups(30)
    with pytest.raises(ValueError, match="M must be <= 20"):
        dcn_stage_game(huge, 0)
    assert dcn_stage_game(huge, 25).payoffs.shape == (2,) * 4 + (4,)
    single = _n0_groups(1)
    for fn in (lambda: dcn_stage_game(single, 0), lambda: dcn_stage_increments(single, 0),
               lambda: dcn_equilibrium_margins(single, 0, [])):
        with pytest.raises(ValueError, match="at least 2 groups"):
            fn()


@pytest.mark.parametrize("cost, error, match", [
    (lambda s: float("nan"), ValueError, "finite"), (lambda s: -1.0, ValueError, ">= 0"),
    (lambda s: "cheap", TypeError, "real number"),
])
def test_division_budget_checks_cost_values(cost, error, match):
    with pytest.raises(error, match=rf"cost\(.*{match}"):
        division_budget(B0, cost=cost)


def test_comparative_statics_wrt_forms_and_zero_gain():
    one = comparative_statics(B0, wrt="delta")
    assert one.partials == comparative_statics(B0, wrt=("delta",)).partials
    assert list(one.partials) == ["delta"]
    with pytest.raises(TypeError, match="wrt"):
        comparative_statics(B0, wrt=None)
    with pytest.raises(ValueError, match="wrt"):
        comparative_statics(B0, wrt=("delta", "beta"))
    zero = comparative_statics(B0.replace(q=0))  # G = 0: ln G and so the elasticities are undefined
    assert all(math.isnan(v) for v in zero.elasticities.values())
    assert zero.partials["q"] > 0  # dG/dq = G / q in the limit: still defined


# --- lopsided contests: complements computed directly, not as 1 - P ------------------------------


def _exact_tullock_complement(x, y, r):
    import mpmath

    with mpmath.workdps(80):
        odds = (mpmath.mpf(y) / mpmath.mpf(x)) ** mpmath.mpf(r)
        return odds / (1 + odds)


def test_lopsided_contest_keeps_the_efficacy_and_the_decision():
    # s_T = 1e-8 against C: p_0, p_1 round to 1; Delta p = 7.5e-17 came out 0, G = 0 and F stayed
    # out, although the exact G = 0.15 exceeds c = 0.1
    p = DC2Params(s_C=1, s_F=1, s_T=1e-8, r=2, c=0.1, L_F=1e16, q=1, tau=0, delta=1, gamma=0.5)
    exact = float(_exact_tullock_complement(1, 1e-8, 2) - _exact_tullock_complement(2, 1e-8, 2))
    assert solidarity_efficacy(p) == pytest.approx(exact, rel=1e-14, abs=0.0)
    cp = contest_probabilities(p)
    assert cp.p_1 == cp.p_0 == 1.0
    assert cp.one_minus_p_1 == pytest.approx(float(_exact_tullock_complement(2, 1e-8, 2)), rel=1e-14, abs=0.0)
    not_pi = float(_exact_tullock_complement(1, 1e-8 + 0.5, 2))  # F later beaten by s_T + gamma s_C
    assert solidarity_gain(p) == pytest.approx(exact * not_pi * 1e16, rel=1e-13)
    assert support_decision(p)


def test_lopsided_contest_keeps_the_threat_s_choice():
    # all three branch probabilities used to be 0, and the tie went to "simultaneous"; exactly,
    # sequential-out is 1.0e-17 against 1.98e-18
    p = DC2Params(s_C=10, s_F=1, s_T=1, r=17, c=1, L_F=1, q=1, tau=0, delta=1, gamma=1)
    choice = threat_attack_mode(p)
    assert not choice.follower_supports
    assert choice.mode == "sequential"
    falls_0 = float(_exact_tullock_complement(10, 1, 17))
    falls_pi = float(_exact_tullock_complement(1, 11, 17))
    assert choice.conquest_prob_by_branch["sequential_out"] == pytest.approx(falls_0 * falls_pi, rel=1e-13, abs=0.0)
    assert dc2_subgame_perfect_equilibrium(p).mode == "sequential"


def test_equilibrium_with_a_perceived_efficacy_when_p1_rounds_to_1():
    # the tree's "C falls" branch had probability 0 and F's subjective loss 0, so backward
    # induction disagreed with support_decision and a RuntimeError was raised
    p = DC2Params(s_C=1, s_F=1, s_T=1e-9, r=2, c=0.5, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5,
                  dp_belief=0.5)
    assert support_decision(p)
    eq = dc2_subgame_perfect_equilibrium(p)
    assert eq.follower_supports and eq.mode == threat_attack_mode(p).mode


def test_free_support_cannot_be_bought_off():
    # with c = 0 F supports whatever it believes; the budget used to report shift = q~ (or dp~),
    # a shift after which F still supports, and could call it worthwhile
    b0 = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.0, L_F=10, q=0.8, tau=2, delta=0.9, gamma=0.5,
                   dp_belief=0.05)
    for lever in ("q", "dp"):
        budget = division_budget(b0, lever=lever, cost=lambda shift: pytest.fail("cost called"))
        assert budget.shift == math.inf and not budget.worthwhile
    assert support_decision(b0.replace(dp_belief=0.0)) and support_decision(b0.replace(q_belief=0.0))


@pytest.mark.parametrize("S0, S1, r", [(0.1, 0.100000001, 2.0), (3.0, 3.0000000000000004, 40.0), (1.0, 1.5, 3.0)])
def test_efficacy_peak_near_equal_strengths(S0, S1, r):
    import mpmath

    with mpmath.workdps(60):
        exact = float(mpmath.tanh(mpmath.mpf(r) / 4 * mpmath.log(mpmath.mpf(S1) / mpmath.mpf(S0))))
    assert efficacy_peak(S0, S1, r).dp_max == pytest.approx(exact, rel=1e-14, abs=0.0)


def test_critical_discount_factor_refuses_tau_zero_first():
    p = DC2Params(s_C=1, s_F=1, s_T=1.5, r=2, c=0.0, L_F=10, q=0.8, tau=0, delta=0.9, gamma=0.5)
    with pytest.raises(ValueError, match="tau must be > 0"):
        critical_discount_factor(p)
