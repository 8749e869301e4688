"""Command line: ``python -m efttheory conflict {two-group,many-group} [parameters]``.

Solves the divide-and-conquer conflict models of :mod:`efttheory.games.conflict`
(a model inspired by Park & Tegmark, arXiv 2310.06009; our formalisation) and
prints equilibria and thresholds. Defaults are the spec's base cases B0 and N0.
"""

from __future__ import annotations

import argparse
import math
import os
import sys

import numpy as np

from efttheory.errors import ConvergenceError


def _add_two_group(sub):
    p = sub.add_parser("two-group", help="DC-2: current victims C, future victims F, threat T")
    for name, default, text in (
        ("s-C", 1.0, "strength of current victims"), ("s-F", 1.0, "strength of future victims"),
        ("s-T", 1.5, "strength of the threat"), ("r", 2.0, "Tullock decisiveness"),
        ("c", 0.8, "F's cost of support, paid now"), ("L-F", 10.0, "F's loss if disempowered"),
        ("q", 0.8, "probability T targets F next"), ("tau", 2.0, "periods until T turns on F"),
        ("delta", 0.9, "F's discount factor in (0, 1]"), ("gamma", 0.5, "share of C's strength T absorbs"),
    ):
        p.add_argument(f"--{name}", type=float, default=default, help=f"{text} (default {default})")
    p.add_argument("--q-belief", type=float, default=None, help="F's perceived threat belief")
    p.add_argument("--dp-belief", type=float, default=None, help="F's perceived efficacy")
    return p


def _add_many_group(sub):
    p = sub.add_parser("many-group", help="DC-N: groups attacked in sequence (stag-hunt stages)")
    per_group = "; one value for every group or one per group"
    p.add_argument("--s", type=float, nargs="+", default=[1.0, 1.0, 1.0, 1.0],
                   help="group strengths in attack order, at most 16 groups (default 1 1 1 1)")
    p.add_argument("--s-T", type=float, default=6.0, help="threat strength at the first stage (default 6)")
    p.add_argument("--r", type=float, default=3.0, help="Tullock decisiveness (default 3)")
    p.add_argument("--c", type=float, nargs="+", default=[0.5], help=f"cost of support, >= 0 (default 0.5{per_group})")
    p.add_argument("--L", type=float, nargs="+", default=[10.0], help=f"loss if conquered, > 0 (default 10{per_group})")
    p.add_argument("--q", type=float, nargs="+", default=[1.0],
                   help=f"threat belief: probability T turns on the group, in [0, 1] (default 1{per_group})")
    p.add_argument("--tau", type=float, nargs="+", default=[1.0],
                   help=f"periods before T turns on the group after the previous conquest (default 1{per_group})")
    p.add_argument("--delta", type=float, nargs="+", default=[0.95],
                   help=f"discount factor in (0, 1] (default 0.95{per_group})")
    p.add_argument("--gamma", type=float, default=0.5,
                   help="share of a conquered group's strength T absorbs, in [0, 1] (default 0.5)")
    p.add_argument("--selection", default="payoff_dominant",
                   choices=("payoff_dominant", "risk_dominant", "pessimistic", "qre_limit"),
                   help="equilibrium selected in each stag-hunt stage (default payoff_dominant)")
    return p


def _vec(values):
    return values[0] if len(values) == 1 else np.array(values)


def _two_group(args) -> None:
    from efttheory.games import conflict as cf

    p = cf.DC2Params(s_C=args.s_C, s_F=args.s_F, s_T=args.s_T, r=args.r, c=args.c, L_F=args.L_F, q=args.q,
                     tau=args.tau, delta=args.delta, gamma=args.gamma, q_belief=args.q_belief,
                     dp_belief=args.dp_belief)
    cp = cf.contest_probabilities(p)
    print("DC-2, a model inspired by Park & Tegmark (arXiv 2310.06009) [our formalisation]")
    print(f"  {p!r}")
    print(f"  p_1 = {cp.p_1:.10g}   p_0 = {cp.p_0:.10g}   pi = {cp.pi:.10g}   efficacy dp = {cp.efficacy:.10g}")
    print(f"  solidarity gain G~ = {cf.solidarity_gain(p):.10g}   cost c = {p.c:g}")
    print(f"  F supports C: {'yes' if cf.support_decision(p) else 'no'}")
    rows = [("critical discount factor delta*", lambda: cf.critical_discount_factor(p)),
            ("critical threat belief q*", lambda: cf.critical_threat_belief(p)),
            ("critical imminence tau*", lambda: cf.critical_imminence(p)),
            ("critical efficacy dp*", lambda: cf.critical_efficacy(p)),
            ("willingness to pay c*", lambda: cf.max_support_cost(p))]
    print("  thresholds:")
    for label, fn in rows:
        try:
            value = fn()
            print(f"    {label:34s} {value:.16g}" if math.isfinite(value) else f"    {label:34s} {value}")
        except ValueError as exc:
            print(f"    {label:34s} undefined ({exc})")
    try:
        peak = cf.efficacy_peak(p.s_C, p.s_C + p.s_F, p.r)
        print(f"  efficacy peak: s_T* = {peak.s_T_star:.10g}, dp_max = {peak.dp_max:.10g}")
    except ValueError as exc:  # s_F below the rounding of s_C: s_C + s_F == s_C
        print(f"  efficacy peak: undefined ({exc})")
    sol = cf.dc2_subgame_perfect_equilibrium(p)
    print(f"  subgame-perfect equilibrium: T attacks {sol.mode}; F {'supports' if sol.follower_supports else 'stays out'};"
          f" P(movement prevails) = {sol.prevail_probability:.10g}")
    for lever in ("q", "dp"):
        b = cf.division_budget(p, lever)
        print(f"  division via {lever}: shift {b.shift:.10g}, threat's willingness to pay {b.threat_gain:.10g},"
              f" worthwhile at linear cost: {'yes' if b.worthwhile else 'no'}")


def _many_group(args) -> None:
    from efttheory.games import conflict as cf
    from efttheory.games import pure_nash_equilibria, symmetric_mixed_equilibria

    if len(args.s) > cf.MAX_MPE_GROUPS:  # before any output: the run time doubles with each group
        raise ValueError(f"--s must list at most {cf.MAX_MPE_GROUPS} groups (the run time doubles with each "
                         f"group), got {len(args.s)}")
    params = cf.DCNParams(s=args.s, s_T=args.s_T, r=args.r, c=_vec(args.c), L=_vec(args.L), q=_vec(args.q),
                          tau=_vec(args.tau), delta=_vec(args.delta), gamma=args.gamma)
    print("DC-N, a model inspired by Park & Tegmark (arXiv 2310.06009) [our formalisation]")
    print(f"  {params!r}")
    if params.n_groups >= 2:
        game = cf.dcn_stage_game(params, 0)
        eqs = pure_nash_equilibria(game)
        print(f"  first stage (group 0 attacked, {params.n_groups - 1} choosers), simple continuation:")
        for e in eqs:
            print(f"    pure equilibrium: supporters {e.tolist()}  payoffs {np.round(game.payoffs[tuple(e)], 6).tolist()}")
        try:
            sigma = symmetric_mixed_equilibria(cf.dcn_stage_increments(params, 0), float(params.c[1]))
            for s in sigma:
                print(f"    symmetric mixed equilibrium: sigma = {s:.16g}")
        except ValueError:
            print("    (choosers differ: no symmetric mixed equilibrium computed)")
        mpe = cf.dcn_markov_perfect_equilibrium(params, args.selection)
        print(f"  Markov-perfect equilibrium ({args.selection}):")
        for k, sup in enumerate(mpe.support):
            print(f"    stage {k}: s_T = {mpe.threat_strength[k]:.6g}, support {np.round(sup, 6).tolist()},"
                  f" P(prevail) = {mpe.prevail[k]:.6g}")
        print(f"    P(threat conquers all) = {mpe.conquest_probability:.10g}; values W = {np.round(mpe.values, 6).tolist()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m efttheory", description=__doc__.splitlines()[0])
    top = parser.add_subparsers(dest="command", required=True)
    conflict = top.add_parser("conflict", help="solve the divide-and-conquer conflict models")
    sub = conflict.add_subparsers(dest="model", required=True)
    _add_two_group(sub)
    _add_many_group(sub)
    args = parser.parse_args(argv)
    try:
        if args.model == "two-group":
            _two_group(args)
        else:
            _many_group(args)
    except (ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ConvergenceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except BrokenPipeError:
        # the reader went away (``... | head``): stop quietly, as Unix tools do, and keep the
        # interpreter's final flush of stdout from raising again at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
