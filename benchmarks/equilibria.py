"""Benchmark ``equilibria``: all Nash equilibria of random bimatrix games vs QuantEcon and nashpy.

Gaussian n x n games (standard normal payoffs, nondegenerate with probability 1),
n = 4, 6, 8, 10. Each solver gets the same games in the same process; the time
per game is the median over games of the best of a few repeats (more repeats
for the sub-millisecond sizes; within each repeat the solvers take turns on the
game, so load drifts hit them alike), with every Numba kernel -- ours and QuantEcon's
-- compiled beforehand (our first call, which may compile or load the on-disk
cache, is reported separately as ``first_call_s``). Ratios are peer time / our
time, so above 1 means efttheory is faster: ``quantecon_se_over_ours`` against
QuantEcon's ``support_enumeration``, ``quantecon_best_over_ours`` against the
faster of its support and vertex enumeration. Peers are optional:
QuantEcon's ``support_enumeration``/``vertex_enumeration``/``lemke_howson`` and
nashpy's ``vertex_enumeration`` (its ``support_enumeration`` misses equilibria
of generic float games and is not used). A peer that is not importable is
skipped with a notice. Every row also records whether the equilibrium sets
agreed (counts and profiles to 1e-8) and with what (``sets_compared``: our own
support and vertex enumeration always, the peers when they ran). nashpy's
pure-Python vertex enumeration is timed once on each of the first few games only
(``nashpy_games_timed``), so its ratio compares medians over different subsets.
"""

from __future__ import annotations

import importlib
import time

import numpy as np

from efttheory.games import lemke_howson, nash_equilibria


def _optional(name):
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001
        print(f"[equilibria] {name} not importable: its rows are skipped")
        return None


def _best_of_interleaved(solvers, repeats):
    """Best time and last result of each solver, timing them in turn within every repeat.

    Round-robin order spreads drifts of a shared machine's load evenly over the
    solvers instead of charging them to whichever runs first on a game.
    """
    best = {name: np.inf for name in solvers}
    out = {}
    for _ in range(repeats):
        for name, fn in solvers.items():
            start = time.perf_counter()
            out[name] = fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best, out


def _keys(items):
    keys = [np.concatenate([np.asarray(s, dtype=float) for s in e]) for e in items]
    return sorted(keys, key=lambda k: tuple(np.round(k, 8)))


def _same(a, b):
    ka, kb = _keys(a), _keys(b)
    return len(ka) == len(kb) and all(np.max(np.abs(x - y)) <= 1e-8 for x, y in zip(ka, kb))


def run(quick: bool) -> list[dict]:
    """Median seconds per game for each solver and size; ratios against ours."""
    gt = _optional("quantecon.game_theory")
    nashpy = _optional("nashpy")
    sizes = (4, 6) if quick else (4, 6, 8, 10)
    n_games = 5 if quick else 20
    repeats = 2 if quick else 3
    nashpy_max = 6 if quick else 8
    nashpy_games = 2 if quick else 5
    rng = np.random.default_rng(12345)
    A0, B0 = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    start = time.perf_counter()
    nash_equilibria(A0, B0)
    first_call = time.perf_counter() - start
    rows = []
    for n in sizes:
        games = [(rng.standard_normal((n, n)), rng.standard_normal((n, n))) for _ in range(n_games)]
        for A, B in games[:1]:  # warm every path (both methods) for this size
            nash_equilibria(A, B, method="support_enumeration")
            nash_equilibria(A, B, method="vertex_enumeration")
        reps = repeats * (5 if n <= 6 else 1)
        ours_t, se_t, ve_t, lh_t, q_se_t, q_ve_t, q_lh_t, np_t = ([] for _ in range(8))
        agree = True
        compared = {"support/vertex enumeration (ours)"}  # our two exhaustive methods, always
        nashpy_timed = 0
        counts = []
        for k, (A, B) in enumerate(games):
            solvers = {
                "ours": lambda: nash_equilibria(A, B),
                "se": lambda: nash_equilibria(A, B, method="support_enumeration"),
                "ve": lambda: nash_equilibria(A, B, method="vertex_enumeration"),
                "lh": lambda: lemke_howson(A, B, 0),
            }
            if gt is not None:
                g = gt.NormalFormGame((gt.Player(A), gt.Player(B.T)))
                if k == 0 and n == sizes[0]:
                    gt.support_enumeration(g)
                    gt.vertex_enumeration(g)
                    gt.lemke_howson(g)
                solvers.update({
                    "q_se": lambda: gt.support_enumeration(g),
                    "q_ve": lambda: gt.vertex_enumeration(g),
                    "q_lh": lambda: gt.lemke_howson(g),
                })
            best, results = _best_of_interleaved(solvers, reps)
            ours = results["ours"]
            ours_t.append(best["ours"])
            counts.append(len(ours))
            se_t.append(best["se"])
            ve_t.append(best["ve"])
            lh_t.append(best["lh"])
            mine = [e.strategies for e in ours]
            agree &= (_same(mine, [e.strategies for e in results["se"]])
                      and _same(mine, [e.strategies for e in results["ve"]]))
            if gt is not None:
                q_se_t.append(best["q_se"])
                q_ve_t.append(best["q_ve"])
                q_lh_t.append(best["q_lh"])
                agree &= _same(mine, results["q_se"]) and _same(mine, results["q_ve"])
                compared.add("quantecon")
            if nashpy is not None and n <= nashpy_max and k < nashpy_games:
                start = time.perf_counter()
                theirs = list(nashpy.Game(A, B).vertex_enumeration())
                np_t.append(time.perf_counter() - start)
                agree &= _same(mine, theirs)
                compared.add("nashpy")
                nashpy_timed += 1
        med = lambda xs: float(np.median(xs)) if xs else None  # noqa: E731
        ours_m = med(ours_t)
        row = {
            "n": n, "games": n_games, "median_equilibria": float(np.median(counts)),
            "efttheory_s": ours_m, "efttheory_se_s": med(se_t), "efttheory_ve_s": med(ve_t),
            "efttheory_lh_s": med(lh_t),
            "quantecon_se_s": med(q_se_t), "quantecon_ve_s": med(q_ve_t), "quantecon_lh_s": med(q_lh_t),
            "nashpy_ve_s": med(np_t),
        }
        if q_se_t:
            best_q = min(med(q_se_t), med(q_ve_t))
            row["quantecon_se_over_ours"] = med(q_se_t) / ours_m
            row["quantecon_best_over_ours"] = best_q / ours_m
            row["quantecon_lh_over_ours_lh"] = med(q_lh_t) / med(lh_t)
        if np_t:  # nashpy: one call on each of its first games (a subset), ours: median of best-of-reps
            row["nashpy_ve_over_ours"] = med(np_t) / ours_m
            row["nashpy_games_timed"] = nashpy_timed
        row["sets_agree"] = bool(agree)
        row["sets_compared"] = ", ".join(sorted(compared))
        row["first_call_s"] = first_call if n == sizes[0] else None
        rows.append(row)
    return rows
