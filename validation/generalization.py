"""Area ``generalization``: GenEFT statics (information-theoretic thresholds) and repon dynamics.

Theory: :mod:`efttheory.generalization`. Experiments: :func:`models.relation_net.train_relation_net`
on :mod:`models.tasks.graphs` relations, and the plain-GD toys of :mod:`models.repon_toy`.
Spec: ``specs/generalization-geneft.md`` (checks G1-G16 of its section 7, and the per-relation
boundaries of its section 4 table with the order of its optional note in section 6).

Scheduling: every sweep of independent runs goes through ``ctx.sweep`` with a cost estimate
(longest first); the Monte-Carlo checks G9-G12 split their samples into chunks so both local
processes work on them; a network configuration that the run needs with several step budgets
is trained once, for the longest, and cut (bit-identical, see :func:`_truncate`).

Baek, Liu & Tegmark (arXiv:2402.05916) predict where generalization switches on as the
training fraction grows (statics), and explain the generalization/memorization boundary
in the (encoder, decoder) learning-rate plane by interacting repons (dynamics). Checks of
our own implementation (closed forms, invariants, Monte-Carlos) pass or fail; the network
checks test the paper's claims under the spec's protocol.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import numpy as np

from efttheory import generalization as theory
from models.relation_net import RelationNetConfig, train_relation_net
from models.repon_toy import ToyOutcome, cluster_repon_gd, two_repon_gd
from models.tasks.graphs import pair_split, relation_matrix
from validation.check import Outcome
from validation.registry import check
from validation.figures import check_figure as _figure

PAPER = "Baek, Liu & Tegmark, GenEFT (arXiv 2402.05916 v2)"
N_ENTITIES = 30
N_PAIRS = N_ENTITIES**2
#: Arithmetic of the network runs: single precision, PyTorch's default for the paper's kind of
#: network [ours]; about 3.7x faster per step than float64 here (float32 tanh and products).
PRECISION = "float32"

#: Relations of the spec's statics table: (label, kind, parameters, b exact, p_c exact, b approx, p_c approx)
STATICS_TABLE = (
    ("mod 3", "mod", {"k": 3}, 39.75, 0.1004, 47.55, 0.1204),
    ("mod 5", "mod", {"k": 5}, 53.34, 0.1352, 69.66, 0.1769),
    ("greater-than", "greater_than", {}, 107.71, 0.2743, 107.71, 0.2743),
    ("K_{10,20}", "complete_bipartite", {"a": 10}, 24.84, 0.0623, 24.84, 0.0623),
)


# ---------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------


def _status(ok: bool) -> str:
    return "pass" if ok else "fail"


# ---------------------------------------------------------------------------------------------
# network experiments (shared by several checks; identical configurations train once per run)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetPoint:
    """One training run of the embedding + decoder network."""

    kind: str
    k: int | None
    fraction: float
    depth: int
    width: int
    eta_enc: float
    eta_dec: float
    steps: int
    seed: int
    root: int

    def relation(self):
        return relation_matrix(self.kind, N_ENTITIES, k=self.k, a=10)


@dataclass(frozen=True)
class NetRun:
    """Accuracy history of one run."""

    steps: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray

    @property
    def final_test(self) -> float:
        return float(self.test_acc[-1])

    @property
    def final_train(self) -> float:
        return float(self.train_acc[-1])

    def phase(self) -> theory.Phase:
        return theory.classify_phase(self.steps, self.train_acc, self.test_acc)


def train_point(point: NetPoint, seed_sequence: np.random.SeedSequence) -> NetRun:
    """Sweep point function. The seeds depend on the point only (root seed, seed index,
    fraction), so identical configurations give identical runs in every check."""
    split_seed = np.random.SeedSequence([point.root, point.seed, int(round(point.fraction * 1000)), 1])
    init_seed = np.random.SeedSequence([point.root, point.seed, 2])
    split = pair_split(N_PAIRS, point.fraction, np.random.default_rng(split_seed))
    config = RelationNetConfig(n=N_ENTITIES, depth=point.depth, width=point.width, precision=PRECISION)
    history = train_relation_net(point.relation(), split.train, split.test, config=config,
                                 eta_enc=point.eta_enc, eta_dec=point.eta_dec, steps=point.steps,
                                 seed=np.random.default_rng(init_seed))
    return NetRun(history.steps, history.train_acc, history.test_acc)


#: Evaluation interval of :func:`models.relation_net.train_relation_net` (its default).
EVAL_EVERY = 50


def _truncate(run: NetRun, steps: int) -> NetRun:
    """The first ``steps`` steps of a longer run. Training never depends on the step budget
    (the loop only stops earlier), so this equals a run trained for ``steps`` bit for bit."""
    keep = run.steps <= steps
    if run.steps[keep][-1] != steps:
        raise ValueError(f"run has no evaluation at step {steps}")
    return NetRun(run.steps[keep], run.train_acc[keep], run.test_acc[keep])


def _run_cost(point: NetPoint) -> float:
    """Relative run time of a point (for longest-first scheduling): per step, a float32 tanh per
    hidden unit and pair (~4 ns) plus the matrix products (~0.25 ns per weight and pair), plus a
    fixed overhead."""
    pairs = N_PAIRS * (point.fraction + 1.0 / EVAL_EVERY)
    per_step = pairs * (point.depth * point.width * (4.0 + 0.25 * point.width) + 10.0) + 2e4 * (point.depth + 2)
    return point.steps * per_step


_RUN_CACHE: dict = {}


def _train(ctx, points: list, label: str) -> list:
    """Train ``points`` through ``ctx.sweep``, once per configuration per process.

    A point whose configuration appears in the run's plan (:func:`_network_plan`) with a longer step
    budget is cut from that longer run instead of being trained twice."""
    longest = _longest_budgets(ctx)

    def full(p: NetPoint) -> NetPoint:
        budget = longest.get(replace(p, steps=0), p.steps)
        return replace(p, steps=budget) if p.steps % EVAL_EVERY == 0 and budget % EVAL_EVERY == 0 else p

    todo = [q for q in dict.fromkeys(full(p) for p in points) if q not in _RUN_CACHE]
    if todo:
        runs = ctx.sweep(train_point, todo, label=label, key="generalization-networks", cost=_run_cost)
        for q, run in zip(todo, runs):
            _RUN_CACHE[q] = run
    return [_truncate(_RUN_CACHE[full(p)], p.steps) for p in points]


def _point(ctx, kind="mod", k=3, fraction=0.75, depth=3, width=50, eta_enc=1e-3, eta_dec=1e-3,
           steps=3000, seed=0) -> NetPoint:
    return NetPoint(kind, k if kind == "mod" else None, float(fraction), depth, width, float(eta_enc),
                    float(eta_dec), steps, seed, ctx.seed)


def _network_plan(ctx) -> list:
    """Every network point the checks of this run train (G13-G16 and the per-relation boundaries)."""
    return [*_g13_points(ctx), *_g14_points(ctx), *_g15_points(ctx), *_g16_points(ctx),
            *_relation_points(ctx)]


@functools.lru_cache(maxsize=4)
def _longest_budgets(ctx) -> dict:
    longest: dict = {}
    for p in _network_plan(ctx):
        key = replace(p, steps=0)
        longest[key] = max(longest.get(key, 0), p.steps)
    return longest


# ---------------------------------------------------------------------------------------------
# G1-G4: statics
# ---------------------------------------------------------------------------------------------


@check(
    "generalization",
    "description_length_table",
    claim="The description length b = log2(n!/|Aut G|) of the n = 30 relations reproduces the "
    "statics table (exact and 'Table II' approximate b); closed-form |Aut G| equals brute force.",
    source="[third party] Lean descLength_eq and 'Table II'; closed forms of |Aut G| [ours] (spec §2.3, §4)",
)
def description_length_table(ctx) -> Outcome:
    worst = 0.0
    rows = []
    for label, kind, params, b_exact, _, b_approx, _ in STATICS_TABLE:
        exact = theory.description_length_relation(kind, N_ENTITIES, **params)
        approx = theory.description_length_relation(kind, N_ENTITIES, approx=True, **params)
        # the table prints 2 decimals: compare at that precision, and the formulas at 1e-6
        worst = max(worst, abs(exact - b_exact) - 0.005, abs(approx - b_approx) - 0.005)
        rows.append((label, exact, approx))
    formula_gap = max(
        abs(theory.description_length_relation("mod", 30, k=3, approx=True) - 30 * math.log2(3)),
        abs(theory.description_length_relation("greater_than", 30) - math.lgamma(31) / math.log(2)),
        abs(theory.description_length_relation("complete_bipartite", 30, a=10) - math.log2(math.comb(30, 10))),
        # every exact row against log2 of the integer n!/|Aut| (Python's exact big-integer log2)
        *(abs(theory.description_length_relation(kind, N_ENTITIES, **params)
              - math.log2(math.factorial(N_ENTITIES) // theory.automorphism_count(kind, N_ENTITIES, **params)))
          for _, kind, params, *_ in STATICS_TABLE),
    )
    mismatches = []
    n_compared = 0
    for n in range(2, 8):
        cases = [("greater_than", {})]
        cases += [("mod", {"k": k}) for k in range(1, n + 1)]
        cases += [("complete_bipartite", {"a": a}) for a in range(1, n)]
        for kind, params in cases:
            adj = relation_matrix(kind, n, k=params.get("k"), a=params.get("a"))
            closed = theory.automorphism_count(kind, n, **params)
            brute = theory.automorphism_count_bruteforce(adj)
            n_compared += 1
            if closed != brute:
                mismatches.append((kind, n, params, closed, brute))
    order = [r[1] for r in sorted(rows, key=lambda r: r[1])]
    ordered = [r[0] for r in sorted(rows, key=lambda r: r[1])] == ["K_{10,20}", "mod 3", "mod 5", "greater-than"]
    ordered_approx = [r[0] for r in sorted(rows, key=lambda r: r[2])] == ["K_{10,20}", "mod 3", "mod 5",
                                                                          "greater-than"]
    ok = worst <= 0 and formula_gap <= 1e-6 and not mismatches and ordered and ordered_approx
    fig, ax = _figure("Description length of the n = 30 relations", "relation", "b (bits)")
    xs = np.arange(len(rows))
    ax.bar(xs - 0.2, [r[1] for r in rows], 0.4, label="exact log2(n!/|Aut|)")
    ax.bar(xs + 0.2, [r[2] for r in rows], 0.4, label="approx ('Table II')")
    ax.set_xticks(xs, [r[0] for r in rows])
    ax.legend(fontsize=8)
    return Outcome(  # a theory-versus-table check: there is no measured number
        predicted=rows[0][1],
        measured=None,
        tolerance="table to its 2 printed decimals; formulas 1e-6 bits; |Aut| exact ints (n <= 7)",
        status=_status(ok),
        reason="b exact/approx: " + "; ".join(f"{r[0]} {r[1]:.2f}/{r[2]:.2f}" for r in rows)
        + f"; {n_compared} closed-form |Aut| vs brute force, {len(mismatches)} mismatches; "
        f"order bipartite < mod 3 < mod 5 < gt: {ordered and ordered_approx}",
        figure=fig,
        details={"rows": rows, "mismatches": mismatches, "sorted_bits": order},
    )


@check(
    "generalization",
    "critical_fraction_table",
    claim="Balls in buckets (Eq. 3-4) gives the critical data fraction p_c = ln(1-a)/(N ln(1-1/b)) "
    "of the statics table (n = 30, N = 900, alpha = 0.9).",
    source="[third party] Eq. 3-4; table values [ours] (spec §4)",
)
def critical_fraction_table(ctx) -> Outcome:
    worst = 0.0
    rows = []
    for label, kind, params, _, pc_exact, _, pc_approx in STATICS_TABLE:
        exact = theory.relation_statics(kind, N_ENTITIES, **params)
        approx = theory.relation_statics(kind, N_ENTITIES, approx=True, **params)
        worst = max(worst, abs(exact.critical_fraction - pc_exact), abs(approx.critical_fraction - pc_approx))
        rows.append((label, exact.critical_fraction, approx.critical_fraction))
    never = [theory.relation_statics(kind, N_ENTITIES).critical_fraction for kind in ("generic", "symmetric")]
    ok = worst <= 1e-4 and all(p > 1 for p in never)
    fig, ax = _figure("Balls in buckets: known fraction vs training fraction", "training fraction p",
                      "f(N p)")
    p = np.linspace(0, 0.5, 200)
    for label, kind, params, *_ in STATICS_TABLE:
        b = theory.description_length_relation(kind, N_ENTITIES, **params)
        line = ax.plot(p, theory.known_fraction(N_PAIRS * p, b), label=f"{label} (b = {b:.1f})")[0]
        ax.axvline(theory.critical_data_fraction(b, N_PAIRS), color=line.get_color(), ls=":", lw=0.8)
    ax.axhline(0.9, color="k", lw=0.6)
    ax.legend(fontsize=8)
    return Outcome(  # a theory-versus-table check: there is no measured number
        predicted=rows[0][1],
        measured=None,
        tolerance="abs <= 1e-4 vs the table",
        status=_status(ok),
        reason="p_c exact/approx: " + "; ".join(f"{r[0]} {r[1]:.4f}/{r[2]:.4f}" for r in rows)
        + f"; max gap {worst:.1e}; generic/symmetric p_c {never[0]:.2f}/{never[1]:.2f} (> 1, never)",
        figure=fig,
        details={"rows": rows, "max_gap": worst},
    )


@check(
    "generalization",
    "balls_in_buckets_mc",
    claim="Throwing m balls into b buckets hits on average 1 - (1 - 1/b)^m of them (Eq. 3).",
    source="[third party] Eq. 3; Monte-Carlo [ours]",
)
def balls_in_buckets_check(ctx) -> Outcome:
    rng = ctx.rng("balls-in-buckets")
    n_trials = 2000 if ctx.quick else 10_000
    worst_z = 0.0
    fig, ax = _figure("Balls in buckets: Monte-Carlo vs Eq. 3", "balls m", "fraction of buckets hit")
    for b in (25, 40, 54, 108):
        m = np.unique(np.linspace(0, 4 * b, 17).astype(np.int64))
        mc = theory.balls_in_buckets_mc(b, m, n_trials=n_trials, rng=rng)
        exact = theory.known_fraction(m, b)
        se = np.where(mc.se > 0, mc.se, np.inf)
        z = np.abs(mc.p - exact) / se
        z[(mc.se == 0) & (np.abs(mc.p - exact) > 1e-12)] = np.inf
        worst_z = max(worst_z, float(z.max()))
        line = ax.plot(m, exact, "-", label=f"b = {b}")[0]
        ax.errorbar(m, mc.p, yerr=mc.se, fmt="o", ms=3, color=line.get_color())
    ax.legend(fontsize=8)
    return Outcome(
        predicted=None,
        measured=worst_z,
        tolerance="|MC - Eq. 3| <= 4 SE at every (b, m)",
        status=_status(worst_z <= 4),
        reason=f"largest deviation {worst_z:.2f} SE, b in {{25, 40, 54, 108}}, 17 m values up to 4b, "
        f"{n_trials} trials",
        figure=fig,
    )


def _crossing(fractions, known, level=0.9) -> float:
    above = np.flatnonzero(known >= level)
    if above.size == 0 or above[0] == 0:
        return math.nan
    i = above[0]
    f0, f1, k0, k1 = fractions[i - 1], fractions[i], known[i - 1], known[i]
    return float(f0 + (level - k0) * (f1 - f0) / (k1 - k0))


@check(
    "generalization",
    "closure_mc_critical_fraction",
    claim="Closing a random training set under the relation's axioms determines 90% of the pairs "
    "at the critical fraction p_c of the balls-in-buckets count (approximate b).",
    source="[third party] App. D closure Monte-Carlo; comparison with p_c(approx b) [ours] (spec §9.2-3)",
)
def closure_mc_critical_fraction(ctx) -> Outcome:
    rng = ctx.rng("closure-mc")
    fractions = np.round(np.arange(0.08, 0.2201, 0.01), 2)
    ks = (3,) if ctx.quick else (3, 5)
    results = {}
    fig, ax = _figure("Closure Monte-Carlo vs the accuracy bound f_UB", "training fraction p", "fraction")
    grid = np.linspace(0.02, 0.3, 200)
    for k in ks:
        adj = relation_matrix("mod", N_ENTITIES, k=k)
        p_star = theory.guessing_odds("mod", k=k)
        runs = [theory.closure_accuracy_mc(adj, float(f), p_star, n_trials=400, rng=rng) for f in fractions]
        known = np.array([r.known for r in runs])
        accuracy = np.array([r.accuracy for r in runs])
        crossing = _crossing(fractions, known)
        b_approx = theory.description_length_relation("mod", N_ENTITIES, k=k, approx=True)
        b_exact = theory.description_length_relation("mod", N_ENTITIES, k=k)
        pc = theory.critical_data_fraction(b_approx, N_PAIRS)
        bound = theory.accuracy_upper_bound(N_PAIRS * fractions, b_exact, p_star)
        results[k] = {"crossing": crossing, "p_c_approx": pc,
                      "p_c_exact": theory.critical_data_fraction(b_exact, N_PAIRS),
                      "mc_minus_bound": (accuracy - bound).tolist()}
        line = ax.plot(fractions, known, "o", ms=4, label=f"mod {k}: closure MC known")[0]
        ax.plot(fractions, accuracy, "s", ms=3, color=line.get_color(), alpha=0.6,
                label=f"mod {k}: closure MC accuracy")
        ax.plot(grid, theory.accuracy_upper_bound(N_PAIRS * grid, b_exact, p_star), "-",
                color=line.get_color(), lw=0.8, label=f"mod {k}: f_UB (exact b)")
        ax.plot(grid, theory.known_fraction(N_PAIRS * grid, b_approx), "--", color=line.get_color(), lw=0.8,
                label=f"mod {k}: f (approx b)")
        ax.axvline(pc, color=line.get_color(), ls=":", lw=0.8)
    ax.axhline(0.9, color="k", lw=0.6)
    ax.legend(fontsize=7)
    gaps = {k: abs(r["crossing"] - r["p_c_approx"]) for k, r in results.items()}
    ok = all(np.isfinite(g) and g <= 0.01 for g in gaps.values())
    return Outcome(
        predicted=results[3]["p_c_approx"],
        measured=results[3]["crossing"],
        tolerance="|crossing - p_c(approx b)| <= 0.01",
        status=_status(ok),
        reason="; ".join(f"mod {k}: MC crosses known = 0.9 at {r['crossing']:.4f} vs p_c(approx) "
                         f"{r['p_c_approx']:.4f} (exact-b p_c {r['p_c_exact']:.4f}); MC accuracy - f_UB "
                         f"from {min(r['mc_minus_bound']):+.3f} to {max(r['mc_minus_bound']):+.3f}"
                         for k, r in results.items()),
        figure=fig,
        details={str(k): r for k, r in results.items()},
    )


# ---------------------------------------------------------------------------------------------
# G5-G7: repon dynamics, theory against its own integrators
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _conservation_runs(ctx):
    rng = ctx.rng("repon-conservation")
    n = 500 if ctx.quick else 4000
    a0, c0 = rng.normal(size=n), rng.normal(size=n)
    eta_a, eta_x = rng.uniform(0.1, 1.0, n), rng.uniform(0.1, 1.0, n)
    traj = theory.integrate_repons(a0, c0, eta_a, eta_x, 20.0, dt=5e-4, n_out=40)
    return a0, c0, eta_a, eta_x, traj


@check(
    "generalization",
    "repon_conservation",
    claim="The reduced repon flow conserves C = a^2/(2 eta_A) - c^2/eta_x (Eq. 11, Theorem 2).",
    source="[third party] Eq. 11, Lean conservedHyperbola_deriv_zero; RK4 protocol [ours]",
)
def repon_conservation(ctx) -> Outcome:
    a0, c0, eta_a, eta_x, traj = _conservation_runs(ctx)
    drift = traj.relative_drift
    per_time = np.max(np.abs(traj.conserved - traj.conserved[0]) / traj.scale, axis=1)
    fig, ax = _figure("Conservation of C along RK4 (dt = 5e-4)", "t", "max relative |C(t) - C(0)|", logy=True)
    ax.plot(traj.t[1:], np.maximum(per_time[1:], 1e-18), "o-", ms=3)
    ax.axhline(1e-10, color="r", ls="--", lw=0.8, label="tolerance 1e-10")
    ax.legend(fontsize=8)
    return Outcome(
        predicted=0.0,
        measured=drift,
        tolerance="max |dC| / (a0^2/(2 eta_A) + c0^2/eta_x) <= 1e-10",
        status=_status(drift <= 1e-10),
        reason=f"{a0.size} samples, eta ~ U[0.1, 1], t <= 20: max relative drift {drift:.2e}",
        figure=fig,
    )


@check(
    "generalization",
    "repon_closed_form",
    claim="The uniform closed form of the reduced repon flow equals its RK4 solution.",
    source="closed form [ours] (spec §2.4)",
)
def repon_closed_form_check(ctx) -> Outcome:
    a0, c0, eta_a, eta_x, traj = _conservation_runs(ctx)
    worst = 0.0
    for i in range(a0.size):
        a, c = theory.repon_closed_form(a0[i], c0[i], eta_a[i], eta_x[i], traj.t)
        worst = max(worst, float(np.max(np.abs(a - traj.a[:, i]))), float(np.max(np.abs(c - traj.c[:, i]))))
    fig, ax = _figure("Closed form vs RK4: hyperbolic trajectories", "a", "c")
    for i in range(min(12, a0.size)):
        t = np.linspace(0, 20, 200)
        a, c = theory.repon_closed_form(a0[i], c0[i], eta_a[i], eta_x[i], t)
        line = ax.plot(a, c, "-", lw=1)[0]
        ax.plot(traj.a[::4, i], traj.c[::4, i], "o", ms=3, color=line.get_color())
    return Outcome(
        predicted=0.0,
        measured=worst,
        tolerance="max |closed form - RK4| <= 1e-10 (a and c)",
        status=_status(worst <= 1e-10),
        reason=f"{a0.size} samples at {traj.t.size} times up to t = 20: max abs difference {worst:.2e}",
        figure=fig,
    )


@check(
    "generalization",
    "many_repon_system",
    claim="The many-repon flow conserves Q = |A|^2/eta_A - sum|x|^2/eta_x; with class weights it "
    "reproduces the two-repon (Eq. 8) and cluster (Eq. 13) systems exactly.",
    source="many-repon system and its invariants [ours] (spec §2.7)",
)
def many_repon_system(ctx) -> Outcome:
    rng = ctx.rng("many-repons")
    n = 12
    w = rng.uniform(size=(n, n))
    w = 0.5 * (w + w.T)
    np.fill_diagonal(w, 0.0)
    x0 = rng.normal(size=(n, 2))
    head0 = rng.normal(size=(1, 2))
    traj = theory.integrate_many_repons(x0, head0, w, 0.5, 0.7, 20.0, dt=5e-4, record_every=400)
    drift = traj.relative_drift
    centroid = float(np.max(np.abs(traj.x.mean(axis=1) - x0.mean(axis=0))))
    # two-repon start (1-D, centred) and lone repon vs cluster of 3
    eta_x, eta_a = 0.6, 0.4
    c0, a0 = 0.5, 1.2
    two = theory.integrate_many_repons(np.array([[c0], [-c0]]), np.array([[a0]]),
                                       theory.class_weights(np.array([0, 0])), eta_x, eta_a, 5.0,
                                       dt=5e-4, record_every=500)
    a_ref, c_ref = theory.repon_closed_form(a0, c0, eta_a, eta_x, two.t)
    gap_two = max(float(np.max(np.abs(two.head[:, 0, 0] - a_ref))),
                  float(np.max(np.abs((two.x[:, 0, 0] - two.x[:, 1, 0]) / 2 - c_ref))))
    q_two = abs(two.invariant[0] - 2 * theory.conserved_quantity(a0, c0, eta_a, eta_x))
    size, d0 = 3, 1.5
    x_cluster = np.array([[size * d0 / (size + 1)]] + [[-d0 / (size + 1)]] * size)
    clus = theory.integrate_many_repons(x_cluster, np.array([[a0]]), theory.class_weights(np.zeros(size + 1, int)),
                                        eta_x, eta_a, 5.0, dt=5e-4, record_every=500)
    a_ref, d_ref = theory.repon_closed_form(a0, d0, eta_a, eta_x, clus.t, cluster_size=size)
    gap_cluster = max(float(np.max(np.abs(clus.head[:, 0, 0] - a_ref))),
                      float(np.max(np.abs((clus.x[:, 0, 0] - clus.x[:, 1, 0]) - d_ref))))
    worst = max(drift, centroid, gap_two, gap_cluster, q_two)
    fig, ax = _figure("Many-repon system: invariant drift and reductions", "t", "|deviation|", logy=True)
    ax.plot(traj.t, np.maximum(np.abs(traj.invariant - traj.invariant[0]) / traj.scale, 1e-18), "o-", ms=3,
            label="random W (n = 12, d = 2): |ΔQ|/scale")
    ax.plot(two.t, np.maximum(np.abs(two.head[:, 0, 0] - theory.repon_closed_form(a0, c0, eta_a, eta_x, two.t)[0]),
                              1e-18), "s-", ms=3, label="two repons: |a - closed form|")
    ax.plot(clus.t, np.maximum(np.abs(clus.head[:, 0, 0] - a_ref), 1e-18), "^-", ms=3,
            label="lone vs cluster of 3: |a - closed form|")
    ax.axhline(1e-10, color="r", ls="--", lw=0.8)
    ax.legend(fontsize=7)
    return Outcome(
        predicted=0.0,
        measured=worst,
        tolerance="Q drift, centroid drift, reductions <= 1e-10",
        status=_status(worst <= 1e-10),
        reason=f"Q relative drift {drift:.1e}, centroid drift {centroid:.1e}; two-repon reduction gap "
        f"{gap_two:.1e} (Q = 2C to {q_two:.1e}); cluster-of-3 reduction gap {gap_cluster:.1e}",
        figure=fig,
    )


# ---------------------------------------------------------------------------------------------
# G8-G12: the arctan law against Monte-Carlo, the repon ODE and plain-GD toys
# ---------------------------------------------------------------------------------------------


#: Monte-Carlo samples of one sweep point: G9-G12 split their samples into chunks of at most
#: this size so that the two local processes share every check (chunk i draws from its own
#: stream, child i of the check's seed sequence, so results depend on the seed only).
MC_CHUNK = 15_000


@dataclass(frozen=True)
class OdeMcPoint:
    """One chunk of the repon-ODE Monte-Carlo (spec E6: t_end 500, eps 0.05, h 0.1)."""

    eta_enc: float
    eta_dec: float
    n_samples: int
    cluster_size: int = 1


def ode_mc_point(point: OdeMcPoint, seed_sequence: np.random.SeedSequence):
    """Sweep point function: :func:`efttheory.generalization.generalization_probability_mc` (ODE)."""
    return theory.generalization_probability_mc(point.eta_enc, point.eta_dec, n_samples=point.n_samples,
                                                rng=np.random.default_rng(seed_sequence), method="ode",
                                                t_end=500.0, eps=0.05, h=0.1, cluster_size=point.cluster_size)


@dataclass(frozen=True)
class ToyPoint:
    """One chunk of a plain-GD repon toy: ``init`` "symmetric"/"generic" (two repons) or "cluster"."""

    eta_enc: float
    eta_dec: float
    n_samples: int
    steps: int
    init: str
    cluster_size: int = 1


def toy_point(point: ToyPoint, seed_sequence: np.random.SeedSequence):
    """Sweep point function: :func:`models.repon_toy.two_repon_gd` or :func:`~models.repon_toy.cluster_repon_gd`."""
    rng = np.random.default_rng(seed_sequence)
    if point.init == "cluster":
        return cluster_repon_gd(point.eta_enc, point.eta_dec, cluster_size=point.cluster_size,
                                n_samples=point.n_samples, steps=point.steps, rng=rng)
    return two_repon_gd(point.eta_enc, point.eta_dec, n_samples=point.n_samples, steps=point.steps, rng=rng,
                        init=point.init)


def _chunks(configs: list) -> list:
    """Split every configuration's ``n_samples`` into near-equal chunks of at most :data:`MC_CHUNK`."""
    chunks = []
    for config in configs:
        parts = -(-config.n_samples // MC_CHUNK)
        sizes = [config.n_samples // parts + (i < config.n_samples % parts) for i in range(parts)]
        chunks.append([replace(config, n_samples=s) for s in sizes])
    return chunks


def _ode_mc(ctx, configs: list, label: str, *, key: str) -> list:
    """ODE Monte-Carlo of every configuration through ``ctx.sweep``; chunks merged by sample count.

    Cost: trajectories need ~1/rho more steps at small rho (spec E6), so the slow chunks start first."""
    chunks = _chunks(configs)
    flat = [c for group in chunks for c in group]
    results = iter(ctx.sweep(ode_mc_point, flat, label=label, key=key,
                             cost=lambda c: c.n_samples * math.sqrt(c.eta_dec / c.eta_enc)))
    merged = []
    for group in chunks:
        parts = [next(results) for _ in group]
        n = sum(m.n for m in parts)
        p = sum(m.p * m.n for m in parts) / n
        agreement = sum(m.agreement * m.n for m in parts) / n
        merged.append(theory.MCEstimate(p, math.sqrt(max(p * (1 - p), 1e-300) / n), n, agreement))
    return merged


def _toy_mc(ctx, configs: list, label: str, *, key: str) -> list:
    """Plain-GD toys through ``ctx.sweep`` (cost samples x steps); chunk outcomes concatenated."""
    chunks = _chunks(configs)
    flat = [c for group in chunks for c in group]
    results = iter(ctx.sweep(toy_point, flat, label=label, key=key, cost=lambda c: c.n_samples * c.steps))
    merged = []
    for group in chunks:
        parts = [next(results) for _ in group]
        merged.append(ToyOutcome(*(np.concatenate([getattr(o, f) for o in parts]) for f in ("collided", "a0", "c0"))))
    return merged


def _rho_to_rates(rho: float) -> tuple[float, float]:
    """(eta_enc, eta_dec) with eta_x = 1 and eta_A = 1/(2 rho^2)."""
    return 1.0, 1.0 / (2.0 * rho * rho)


_RHO_GRID = np.geomspace(0.1, 5.0, 200)


def _arctan_axes(title: str):
    fig, ax = _figure(title, "ρ = sqrt(η_enc / (2 η_dec))", "P(generalize)", logx=True)
    ax.plot(_RHO_GRID, [theory.generalization_probability(2 * r * r, 1.0) for r in _RHO_GRID], "k-",
            label="Eq. 12: (2/π) arctan ρ")
    return fig, ax


@check(
    "generalization",
    "arctan_sign_mc",
    claim="With Gaussian initial a and c, P(C > 0) = (2/pi) arctan((sigma_a/sigma_c) sqrt(eta_enc/(2 eta_dec))) "
    "(Theorem 3, Eq. 12).",
    source="[third party] Theorem 3, Eq. 12; [figure] paper Fig. 6 abscissa",
)
def arctan_sign_mc(ctx) -> Outcome:
    rng = ctx.rng("arctan-sign")
    n = 50_000 if ctx.quick else 200_000
    rhos = (0.25, 0.5, 1.0, 2.0, 4.0)
    worst_z, rows = 0.0, []
    fig, ax = _arctan_axes("Sign of C: Monte-Carlo vs Eq. 12")
    for rho in rhos:
        eta_enc, eta_dec = _rho_to_rates(rho)
        mc = theory.generalization_probability_mc(eta_enc, eta_dec, n_samples=n, rng=rng)
        exact = theory.generalization_probability(eta_enc, eta_dec)
        z = abs(mc.p - exact) / mc.se
        worst_z = max(worst_z, z)
        rows.append((rho, exact, mc.p, mc.se))
        ax.errorbar(rho, mc.p, yerr=mc.se, fmt="o", color="C0")
    ax.legend(fontsize=8)
    return Outcome(
        predicted=rows[2][1],
        measured=rows[2][2],
        tolerance="|MC - Eq. 12| <= 4 SE",
        status=_status(worst_z <= 4),
        reason=f"{n} samples per ρ; largest deviation {worst_z:.2f} SE; "
        + ", ".join(f"ρ={r:g}: {m:.4f} vs {e:.4f}" for r, e, m, _ in rows),
        figure=fig,
        details={"rows": rows},
    )


@check(
    "generalization",
    "arctan_vs_repon_ode",
    claim="Integrating the repon ODE from Gaussian starts, the collision probability follows Eq. 12.",
    source="[third party] Eq. 10, 12; ODE Monte-Carlo protocol [ours] (spec E6)",
)
def arctan_vs_repon_ode(ctx) -> Outcome:
    rhos = (1.0, 2.0) if ctx.quick else (0.5, 1.0, 2.0)
    n = 10_000 if ctx.quick else 30_000
    rows = []
    fig, ax = _arctan_axes("Repon ODE Monte-Carlo vs Eq. 12")
    configs = [OdeMcPoint(*_rho_to_rates(rho), n_samples=n) for rho in rhos]
    estimates = _ode_mc(ctx, configs, "G9 repon ODE Monte-Carlo", key="arctan-ode")
    for rho, config, mc in zip(rhos, configs, estimates):
        exact = theory.generalization_probability(config.eta_enc, config.eta_dec)
        rows.append((rho, exact, mc.p, mc.se, mc.agreement))
        ax.errorbar(rho, mc.p, yerr=mc.se, fmt="s", color="C1", label="ODE MC" if len(rows) == 1 else None)
    ax.legend(fontsize=8)
    worst = max(abs(m - e) for _, e, m, _, _ in rows)
    return Outcome(
        predicted=rows[0][1],
        measured=rows[0][2],
        tolerance="|ODE MC - Eq. 12| <= 0.02",
        status=_status(worst <= 0.02),
        reason=f"{n} samples per ρ, t_end = 500, eps = 0.05: "
        + ", ".join(f"ρ={r:g}: {m:.4f} ± {s:.4f} vs {e:.4f} (agreement {g:.3f})" for r, e, m, s, g in rows)
        + f"; max gap {worst:.4f}",
        figure=fig,
        details={"rows": rows},
    )


@check(
    "generalization",
    "cluster_formula_ode",
    claim="A lone repon against a cluster of N collides with probability "
    "(2/pi) arctan((sigma_a/sigma_c) sqrt((1+1/N) eta_x/(4 eta_A))), the derived Eq. 13 "
    "(equal to Eq. 12 at N = 1); the printed Eq. 13 is not.",
    source="[third party] Eq. 13 (printed form inconsistent); derived form [ours] (spec §2.6)",
)
def cluster_formula_ode(ctx) -> Outcome:
    sizes = (1, 8) if ctx.quick else (1, 3, 8)
    n = 10_000 if ctx.quick else 30_000
    eta_enc, eta_dec = 1.0, 0.5
    rows = []
    configs = [OdeMcPoint(eta_enc, eta_dec, n_samples=n, cluster_size=size) for size in sizes]
    estimates = _ode_mc(ctx, configs, "G10 cluster ODE Monte-Carlo", key="cluster-ode")
    for size, mc in zip(sizes, estimates):
        derived = theory.generalization_probability(eta_enc, eta_dec, cluster_size=size)
        printed = theory.printed_cluster_probability(eta_enc, eta_dec, cluster_size=size)
        rows.append((size, derived, printed, mc.p, mc.se, mc.agreement))
    worst = max(abs(m - d) for _, d, _, m, _, _ in rows)
    # Eq. 12 as printed, (2/pi) arctan(sqrt(eta_enc / (2 eta_dec))) at sigma_a = sigma_c, written out
    # here so that the derived p_1 is compared with the paper's formula, not with itself
    reduces = all(
        abs(theory.generalization_probability(a, b, cluster_size=1)
            - 2.0 / math.pi * math.atan(math.sqrt(a / (2.0 * b)))) <= 1e-15
        for a, b in ((eta_enc, eta_dec), (0.3, 0.7), (5.0, 0.01))
    )
    fig, ax = _figure("Lone repon vs a cluster of N (ρ = 1)", "cluster size N", "P(collide)", logx=True)
    grid = np.arange(1, 33)
    ax.plot(grid, [theory.generalization_probability(eta_enc, eta_dec, cluster_size=int(s)) for s in grid], "k-",
            label="derived Eq. 13")
    ax.plot(grid, [theory.printed_cluster_probability(eta_enc, eta_dec, cluster_size=int(s)) for s in grid], "r--",
            label="Eq. 13 as printed [third party]")
    ax.errorbar([r[0] for r in rows], [r[3] for r in rows], yerr=[r[4] for r in rows], fmt="o", label="ODE MC")
    ax.legend(fontsize=8)
    return Outcome(
        predicted=rows[0][1],
        measured=rows[0][3],
        tolerance="|ODE MC - derived p_N| <= 0.02; p_1 = Eq. 12",
        status=_status(worst <= 0.02 and reduces),
        reason=", ".join(f"N={s}: MC {m:.4f} vs derived {d:.4f} (printed {p:.4f}, agreement {g:.3f})"
                         for s, d, p, m, _, g in rows) + f"; max gap {worst:.4f}; p_1 = Eq. 12: {reduces}",
        figure=fig,
        details={"rows": rows},
    )


@check(
    "generalization",
    "two_repon_gd_toy",
    claim="Two repons and a linear decoder trained by plain gradient descent collide with the "
    "probability of Eq. 12, and collide exactly when C(0) > 0.",
    source="[third party] Theorem 3; GD toy protocol [ours] (spec E4)",
)
def two_repon_gd_toy(ctx) -> Outcome:
    rhos = (1.0, 2.0) if ctx.quick else (0.5, 1.0, 2.0, 3.0)
    n = 5000 if ctx.quick else 20_000
    eta_dec = 0.005
    rows, generic = [], []
    fig, ax = _arctan_axes("Plain-GD two-repon toy vs Eq. 12")
    inits = ("symmetric",) if ctx.quick else ("symmetric", "generic")
    configs = [ToyPoint(2 * eta_dec * rho * rho, eta_dec, n, 40_000, init) for init in inits for rho in rhos]
    outcomes = dict(zip(configs, _toy_mc(ctx, configs, "G11 two-repon GD toy", key="two-repon-gd")))
    for rho in rhos:
        eta_enc = 2 * eta_dec * rho * rho
        out = outcomes[ToyPoint(eta_enc, eta_dec, n, 40_000, "symmetric")]
        sign = theory.conserved_quantity(out.a0, out.c0, eta_dec, eta_enc) > 0
        exact = theory.generalization_probability(eta_enc, eta_dec)
        rows.append((rho, exact, out.probability, float(np.mean(out.collided == sign))))
        if not ctx.quick:
            generic.append((rho, outcomes[ToyPoint(eta_enc, eta_dec, n, 40_000, "generic")].probability))
    ax.plot([r[0] for r in rows], [r[2] for r in rows], "o", label="GD toy, symmetric start")
    if generic:
        ax.plot([g[0] for g in generic], [g[1] for g in generic], "x", label="GD toy, free common mode")
    ax.legend(fontsize=8)
    worst = max(abs(m - e) for _, e, m, _ in rows)
    agreement = min(r[3] for r in rows)
    return Outcome(
        predicted=rows[0][1],
        measured=rows[0][2],
        tolerance="|toy - Eq. 12| <= 0.03; agreement with sign(C0) >= 0.97",
        status=_status(worst <= 0.03 and agreement >= 0.97),
        reason=", ".join(f"ρ={r:g}: {m:.4f} vs {e:.4f} (agree {g:.3f})" for r, e, m, g in rows)
        + (f"; generic start: " + ", ".join(f"ρ={r:g}: {p:.3f}" for r, p in generic) if generic else ""),
        figure=fig,
        details={"rows": rows, "generic": generic},
    )


@check(
    "generalization",
    "cluster_gd_toy",
    claim="A lone repon against a cluster of N, trained by plain GD, collides with the derived Eq. 13 "
    "probability; the printed Eq. 13 misses by more than 0.1 at N = 1.",
    source="[third party] Eq. 13 (printed); derived form and GD protocol [ours] (spec E5)",
)
def cluster_gd_toy(ctx) -> Outcome:
    sizes = (1, 3) if ctx.quick else (1, 3, 8)
    n = 4000 if ctx.quick else 8000
    eta_dec = 0.004
    eta_enc = 2 * eta_dec
    rows = []
    configs = [ToyPoint(eta_enc, eta_dec, n, 30_000, "cluster", size) for size in sizes]
    outcomes = _toy_mc(ctx, configs, "G12 lone repon vs cluster GD toy", key="cluster-gd")
    for size, out in zip(sizes, outcomes):
        derived = theory.generalization_probability(eta_enc, eta_dec, sigma_c=1.0, cluster_size=size)
        printed = theory.printed_cluster_probability(eta_enc, eta_dec, cluster_size=size)
        sign = theory.conserved_quantity(out.a0, out.c0, eta_dec, eta_enc, cluster_size=size) > 0
        rows.append((size, derived, printed, out.probability, float(np.mean(out.collided == sign))))
    worst = max(abs(m - d) for _, d, _, m, _ in rows)
    printed_miss = abs(rows[0][2] - rows[0][3])
    fig, ax = _figure("Plain-GD lone repon vs cluster (ρ = 1)", "cluster size N", "P(collide)", logx=True)
    grid = np.arange(1, 17)
    ax.plot(grid, [theory.generalization_probability(eta_enc, eta_dec, cluster_size=int(s)) for s in grid], "k-",
            label="derived Eq. 13")
    ax.plot(grid, [theory.printed_cluster_probability(eta_enc, eta_dec, cluster_size=int(s)) for s in grid], "r--",
            label="Eq. 13 as printed")
    ax.plot([r[0] for r in rows], [r[3] for r in rows], "o", label="GD toy")
    ax.legend(fontsize=8)
    return Outcome(
        predicted=rows[0][1],
        measured=rows[0][3],
        tolerance="|toy - derived p_N| <= 0.03; printed form misses by > 0.1 at N = 1",
        status=_status(worst <= 0.03 and printed_miss > 0.1),
        reason=", ".join(f"N={s}: toy {m:.4f} vs derived {d:.4f} (printed {p:.4f}, agree {g:.3f})"
                         for s, d, p, m, g in rows) + f"; printed miss at N = 1: {printed_miss:.3f}",
        figure=fig,
        details={"rows": rows},
    )


# ---------------------------------------------------------------------------------------------
# G13-G16: the network
# ---------------------------------------------------------------------------------------------


def _g13_points(ctx) -> list:
    return [_point(ctx, seed=s) for s in ((0,) if ctx.quick else (0, 1))]


@check(
    "generalization",
    "network_generalizes",
    claim="The embedding + MLP decoder learns mod 3 from 75% of the pairs (test accuracy > 0.95).",
    source="[third party] Table III set-up; protocol [ours] (spec §2.1, G13)",
)
def network_generalizes(ctx) -> Outcome:
    seeds = (0,) if ctx.quick else (0, 1)
    runs = _train(ctx, _g13_points(ctx), "G13 mod 3 fraction 0.75")
    tests = [r.final_test for r in runs]
    fig, ax = _figure("mod 3, fraction 0.75, 3x50 tanh, Adam 1e-3", "step", "accuracy")
    for s, r in zip(seeds, runs):
        line = ax.plot(r.steps, r.test_acc, "-", label=f"seed {s} test")[0]
        ax.plot(r.steps, r.train_acc, ":", color=line.get_color(), label=f"seed {s} train")
    ax.axhline(0.95, color="k", lw=0.6)
    ax.legend(fontsize=8)
    return Outcome(
        predicted=None,
        measured=min(tests),
        tolerance="test accuracy > 0.95 for every seed",
        status=_status(min(tests) > 0.95),
        reason="final test accuracy " + ", ".join(f"seed {s}: {t:.3f}" for s, t in zip(seeds, tests))
        + "; train " + ", ".join(f"{r.final_train:.3f}" for r in runs),
        figure=fig,
    )


def _g14_grid(ctx) -> tuple:
    if ctx.quick:
        return (0.2, 0.6), (0,), ("mod",)
    return (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75), (0, 1), ("mod", "greater_than")


def _g14_points(ctx) -> list:
    fractions, seeds, kinds = _g14_grid(ctx)
    return [_point(ctx, kind=kind, fraction=f, seed=s) for kind in kinds for f in fractions for s in seeds]


@check(
    "generalization",
    "critical_fraction_gap",
    claim="Networks generalize only to the right of the information-theoretic critical fraction "
    "(induction gap): p_c,theory < p_c,net.",
    source="[paper] abstract; [third party] Fig. 2-3; protocol and gap [ours] (spec E1, G14)",
)
def critical_fraction_gap(ctx) -> Outcome:
    fractions, seeds, kinds = _g14_grid(ctx)
    points = _g14_points(ctx)
    runs = dict(zip(points, _train(ctx, points, "G14 training fractions")))
    fig, ax = _figure("Induction gap: network test accuracy vs theory", "training fraction p", "accuracy")
    summary, ok = {}, True
    grid = np.linspace(0.02, 0.8, 200)
    for kind in kinds:
        label = "mod 3" if kind == "mod" else "greater-than"
        tests = np.array([[runs[_point(ctx, kind=kind, fraction=f, seed=s)].final_test for s in seeds]
                          for f in fractions])
        learned = [f for f, row in zip(fractions, tests) if np.all(row > 0.9)]
        p_net = min(learned) if learned else math.nan
        params = {"k": 3} if kind == "mod" else {}
        pcs = [theory.relation_statics(kind, N_ENTITIES, approx=ap, **params).critical_fraction
               for ap in (False, True)]
        p_star = theory.guessing_odds(kind, k=params.get("k"))
        summary[label] = {"p_c_net": p_net, "p_c_theory": pcs, "gap": p_net - max(pcs),
                          "test": tests.tolist()}
        ok = ok and np.isfinite(p_net) and max(pcs) < p_net
        if kind == "mod":
            t = dict(zip(fractions, tests.mean(axis=1)))
            ok = ok and t[0.2] < 0.7 and t[0.6] > 0.9
            summary[label]["test_0.2"] = float(t[0.2])
            summary[label]["test_0.6"] = float(t[0.6])
        line = ax.plot(np.repeat(fractions, len(seeds)), tests.ravel(), "o", label=f"{label}: network test")[0]
        b = theory.description_length_relation(kind, N_ENTITIES, **params)
        ax.plot(grid, theory.accuracy_upper_bound(N_PAIRS * grid, b, p_star), "-", color=line.get_color(),
                lw=0.8, label=f"{label}: f_UB (exact b)")
        for pc in pcs:
            ax.axvline(pc, color=line.get_color(), ls=":", lw=0.8)
    ax.axhline(0.9, color="k", lw=0.6)
    ax.legend(fontsize=7)
    first = summary["mod 3"]
    return Outcome(
        predicted=max(first["p_c_theory"]),
        measured=first["p_c_net"],
        tolerance="mod 3: test(0.2) < 0.7, test(0.6) > 0.9; p_c,theory (both b) < p_c,net",
        status=_status(ok),
        reason="; ".join(f"{k}: p_c,net = {v['p_c_net']} vs theory {v['p_c_theory'][0]:.4f}/{v['p_c_theory'][1]:.4f} "
                         f"(gap {v['gap']:.3f})" for k, v in summary.items())
        + f"; mod 3 test(0.2) = {first['test_0.2']:.3f}, test(0.6) = {first['test_0.6']:.3f}",
        figure=fig,
        details=summary,
    )


def _g15_grid(ctx) -> tuple:
    return ((0, 2, 16), (0, 1)) if ctx.quick else ((0, 1, 2, 3, 5, 8, 12, 16), (0, 1, 2, 3))


def _g15_points(ctx) -> list:
    depths, seeds = _g15_grid(ctx)
    return [_point(ctx, fraction=0.5, depth=d, width=10, steps=4000, seed=s) for d in depths for s in seeds]


@check(
    "generalization",
    "goldilocks_depth",
    claim="Generalization happens in a Goldilocks zone where the decoder is neither too weak nor too "
    "powerful: test accuracy is non-monotone in decoder depth.",
    source="[paper] v1 abstract; [figure] Fig. 7 (zone 3-10); protocol [ours] (spec E2, G15)",
    paper_value="zone 3-10",
)
def goldilocks_depth(ctx) -> Outcome:
    depths, seeds = _g15_grid(ctx)
    points = _g15_points(ctx)
    runs = dict(zip(points, _train(ctx, points, "G15 decoder depths")))
    mean_test, mean_train, phases = {}, {}, {}
    for d in depths:
        rs = [runs[_point(ctx, fraction=0.5, depth=d, width=10, steps=4000, seed=s)] for s in seeds]
        mean_test[d] = float(np.mean([r.final_test for r in rs]))
        mean_train[d] = float(np.mean([r.final_train for r in rs]))
        phases[d] = [r.phase().value for r in rs]
    middle = [d for d in (1, 2) if d in mean_test]
    margin = float(np.mean([mean_test[d] for d in middle]) - max(mean_test[0], mean_test[16]))
    zone = [d for d in depths if mean_test[d] >= 0.9]
    fig, ax = _figure("Goldilocks zone: mod 3, fraction 0.5, width 10", "decoder depth", "mean accuracy")
    ax.plot(depths, [mean_test[d] for d in depths], "o-", label="test")
    ax.plot(depths, [mean_train[d] for d in depths], "s:", label="train")
    paper_depths = (0, 2, 3, 5, 8, 10, 15, 20)
    paper_test = (0.466, 0.843, 0.985, 0.857, 1.0, 0.956, 0.709, 0.554)
    ax.plot(paper_depths, paper_test, "x--", color="grey", label="paper Fig. 7 test [figure] (fraction 0.3)")
    ax.axhline(0.9, color="k", lw=0.6)
    ax.legend(fontsize=8)
    return Outcome(
        predicted=None,
        measured=margin,
        tolerance="mean test(depths 1, 2) - max(mean test depth 0, depth 16) >= 0.2",
        status=_status(margin >= 0.2),
        reason=f"margin {margin:.3f}; mean test by depth: "
        + ", ".join(f"{d}: {mean_test[d]:.3f}" for d in depths)
        + f"; zone (test >= 0.9): {zone}; deep-side phases (depth 16): {phases[16]}",
        figure=fig,
        details={"mean_test": mean_test, "mean_train": mean_train, "phases": phases, "zone": zone},
    )


def _g16_grid(ctx) -> tuple:
    """E3: {eta_enc: ratios}, seeds, steps."""
    if ctx.quick:
        return {1e-4: (1.0, 10.0, 100.0)}, (0,), 3000
    return {1e-4: (1.0, 3.0, 10.0, 30.0), 1e-3: (1.0, 3.0, 10.0, 30.0), 3e-3: (10.0, 30.0)}, (0, 1), 8000


def _g16_points(ctx, kind: str = "mod") -> list:
    grid, seeds, steps = _g16_grid(ctx)
    return [_point(ctx, kind=kind, eta_enc=e, eta_dec=e * r, steps=steps, seed=s)
            for e, ratios in grid.items() for r in ratios for s in seeds]


@check(
    "generalization",
    "lr_ratio_boundary",
    claim="The generalization/memorization boundary in the (eta_enc, eta_dec) plane depends on the "
    "ratio eta_dec/eta_enc only (slope-1 line in log-log), as the repon theory predicts.",
    source="[paper] abstract; [figure] Fig. 5 (mod 3 boundary 10^2.02); [third party] Theorem 3; "
    "protocol and boundary estimate [ours] (spec E3, G16)",
    paper_value=10**2.02,
)
def lr_ratio_boundary(ctx) -> Outcome:
    grid, seeds, steps = _g16_grid(ctx)
    points = _g16_points(ctx)
    runs = dict(zip(points, _train(ctx, points, "G16 learning-rate grid")))
    phases, boundaries = {}, {}
    for e, ratios in grid.items():
        rows = []
        for r in ratios:
            row = [runs[_point(ctx, eta_enc=e, eta_dec=e * r, steps=steps, seed=s)].phase() for s in seeds]
            phases[(e, r)] = row
            rows.append(row)
        boundaries[e] = theory.boundary_ratio(np.array(ratios), rows)
    fig, ax = _figure("Phase diagram, mod 3 (fraction 0.75)", "η_dec", "η_enc", logx=True, logy=True)
    markers = {theory.Phase.GENERALIZATION: ("o", "green"), theory.Phase.GROKKING: ("D", "gold"),
               theory.Phase.MEMORIZATION: ("s", "purple"), theory.Phase.CONFUSION: ("x", "red")}
    seen = set()
    for (e, r), row in phases.items():
        for j, ph in enumerate(row):
            marker, color = markers[ph]
            ax.plot(e * r * (1 + 0.08 * j), e, marker, color=color, ms=7,
                    label=ph.value if ph not in seen else None)
            seen.add(ph)
    span = np.geomspace(5e-6, 1.2e-2, 10)
    finite = [b.log10_ratio for b in boundaries.values() if not b.censored]
    if finite:
        r_star = 10 ** float(np.mean(finite))
        ax.plot(span, span / r_star, "k-", lw=1, label=f"slope 1, measured r* = 10^{np.log10(r_star):.2f}")
    ax.plot(span, span / 10**2.02, "k--", lw=1, label="paper Fig. 5: r* = 10^2.02 [figure]")
    ax.set_xlim(5e-6, 1.2e-2)
    ax.set_ylim(1.4e-2, 7e-6)  # the paper's ranges, y inverted as in its Fig. 5
    ax.legend(fontsize=7)
    if ctx.quick:
        row = [phases[(1e-4, r)][0] for r in grid[1e-4]]
        ok = row[0].generalizes and not row[1].generalizes and not row[2].generalizes
        reason = ("η_enc = 1e-4, 3000 steps, seed 0: phases at ratios 1, 10, 100: "
                  + ", ".join(p.value for p in row))
        measured = boundaries[1e-4].log10_ratio
    else:
        low_ok = all(ph.generalizes for (e, r), row in phases.items() if r <= 3 for ph in row)
        b4, b3 = boundaries[1e-4], boundaries[1e-3]
        finite_ok = (not b4.censored) and (not b3.censored)
        within = b4.ratio <= 30 and b3.ratio <= 30
        # boundary estimates are geometric midpoints of the half-decade grid, so their spread is a
        # multiple of 0.5 decades: round away float noise (0.5000000000000001) before comparing
        spread = round(abs(b4.log10_ratio - b3.log10_ratio), 9)
        ok = low_ok and finite_ok and within and spread <= 0.5
        reason = (f"(a) ratios <= 3 all generalize: {low_ok}; (b) r*(1e-4) = 10^{b4.log10_ratio:.2f}, "
                  f"r*(1e-3) = 10^{b3.log10_ratio:.2f}{'' if finite_ok else ' (censored)'}; (c) spread "
                  f"{spread:.2f} decades (theory 0); r*(3e-3) = 10^{boundaries[3e-3].log10_ratio:.2f}; "
                  f"distance to the paper's 10^2.02: "
                  + ", ".join(f"{b.log10_ratio - 2.02:+.2f}" for b in boundaries.values()) + " decades")
        measured = spread
    return Outcome(
        predicted=0.0,
        measured=measured,
        tolerance=("quick: ratio 1 generalizes, 10 and 100 do not" if ctx.quick else
                   "ratios <= 3 generalize; r* <= 30 in rows 1e-4, 1e-3; |Δ log10 r*| <= 0.5"),
        status=_status(ok),
        reason=reason,
        figure=fig,
        details={"phases": {f"{e:g}/{r:g}": [p.value for p in row] for (e, r), row in phases.items()},
                 "log10_r_star": {f"{e:g}": b.log10_ratio for e, b in boundaries.items()}},
    )


#: Per-relation boundaries of the paper's Fig. 5 [figure] (spec §4): log10 of the dashed slope-1
#: line's eta_dec/eta_enc.
FIG5_LOG10_RATIO = {"greater-than": 1.03, "complete bipartite": 1.56, "mod 3": 2.02}
_RELATIONS = (("greater-than", "greater_than"), ("complete bipartite", "complete_bipartite"), ("mod 3", "mod"))


def _relation_grid(ctx) -> tuple:
    """(eta_enc, {relation kind: ratios}, seeds, steps). mod 3 uses the G16 row at the same eta_enc."""
    g16, seeds, steps = _g16_grid(ctx)
    eta_enc = 1e-4  # eta_dec = 1e-2 at ratio 100 stays below the Adam instability (confusion) at eta_dec >~ 0.1
    # gt / bipartite ratios chosen from seed-0 pilot runs (at 1e-4 greater-than generalized at ratio 10, bipartite
    # at 30) so that both boundaries are bracketed; the half-decade steps match G16's grid
    ratios = (1.0, 100.0) if ctx.quick else (3.0, 10.0, 30.0, 100.0)
    return eta_enc, {"greater_than": ratios, "complete_bipartite": ratios, "mod": g16[eta_enc]}, seeds, steps


def _relation_points(ctx) -> list:
    eta_enc, grid, seeds, steps = _relation_grid(ctx)
    return [_point(ctx, kind=kind, eta_enc=eta_enc, eta_dec=eta_enc * r, steps=steps, seed=s)
            for kind, ratios in grid.items() for r in ratios for s in seeds]


def _log10_interval(b: theory.BoundaryEstimate) -> tuple[float, float]:
    """Where log10 r* lies: the bracketing grid cell, open-ended when the estimate is censored."""
    if b.censored == "below":
        return -math.inf, b.log10_ratio
    if b.censored == "above":
        return b.log10_ratio, math.inf
    return math.log10(b.lower), math.log10(b.upper)


@check(
    "generalization",
    "relation_boundaries",
    claim="The memorization boundary r* = eta_dec/eta_enc differs between relations in the order of the "
    "paper's Fig. 5: greater-than < complete bipartite < mod 3.",
    source="[figure] Fig. 5 (r* = 10^1.03, 10^1.56, 10^2.02); order criterion [ours], from the spec's "
    "optional note (§6); theory value r* = 1/2 from Eq. 12 at P = 1/2 with sigma_a = sigma_c [ours]; "
    "protocol (spec E3 at one eta_enc) [ours]",
    paper_value="gt 10^1.03 < bipartite 10^1.56 < mod 3 10^2.02",
)
def relation_boundaries(ctx) -> Outcome:
    # Criterion [ours]: the spec's optional note asks to compare the ORDER gt < bipartite < mod 3 with
    # Fig. 5. The order holds when the bracketing grid cells of log10 r* are disjoint and increasing
    # (equal cells on the shared grid leave the order unresolved, which fails). The values, their
    # distances to Fig. 5 and to the theory are reported, not judged: the repon theory has no
    # relation dependence and its absolute r* needs the network's sigma_a/sigma_c (spec §9.7).
    eta_enc, grid, seeds, steps = _relation_grid(ctx)
    points = _relation_points(ctx)
    runs = dict(zip(points, _train(ctx, points, "per-relation learning-rate grids")))
    theory_log10 = -math.log10(theory.critical_lr_ratio(0.5))  # eta_dec/eta_enc at P_gen = 1/2
    rows, phases = {}, {}
    for label, kind in _RELATIONS:
        ratios = grid[kind]
        per_ratio = [[runs[_point(ctx, kind=kind, eta_enc=eta_enc, eta_dec=eta_enc * r, steps=steps, seed=s)]
                      for s in seeds] for r in ratios]
        phases[label] = [[run.phase() for run in row] for row in per_ratio]
        b = theory.boundary_ratio(np.array(ratios), phases[label])
        rows[label] = {
            "log10_r_star": b.log10_ratio, "censored": b.censored, "interval": _log10_interval(b),
            "to_figure": b.log10_ratio - FIG5_LOG10_RATIO[label], "to_theory": b.log10_ratio - theory_log10,
            "phases": {f"{r:g}": [p.value for p in row] for r, row in zip(ratios, phases[label])},
            "test": {f"{r:g}": [run.final_test for run in row] for r, row in zip(ratios, per_ratio)},
        }
    order = [label for label, _ in _RELATIONS]
    resolved = [rows[lo]["interval"][1] <= rows[hi]["interval"][0] for lo, hi in zip(order, order[1:])]
    low_side = all(p.generalizes for label in order for p in phases[label][0])
    # quick: a one-decade grid at 3000 steps cannot resolve the order; it checks the low-ratio side only
    ok = low_side if ctx.quick else all(resolved)
    spread = max(r["log10_r_star"] for r in rows.values()) - min(r["log10_r_star"] for r in rows.values())

    fig, ax = _figure(f"Boundary per relation (fraction 0.75, η_enc = {eta_enc:g}, {steps} steps)",
                      "relation", "log10 r* = log10(η_dec/η_enc)")
    xs = np.arange(len(order))
    for x, label in zip(xs, order):
        r = rows[label]
        lo, hi = r["interval"]
        lo = lo if np.isfinite(lo) else r["log10_r_star"] - 0.5
        hi = hi if np.isfinite(hi) else r["log10_r_star"] + 0.5
        ax.plot([x, x], [lo, hi], "-", color="C0", lw=6, alpha=0.3,
                label="bracketing grid cell" if x == 0 else None)
        ax.plot(x, r["log10_r_star"], "o", color="C0", ms=7, label="measured r*" if x == 0 else None)
        ax.plot(x, FIG5_LOG10_RATIO[label], "x", color="k", ms=9, label="paper Fig. 5 [figure]" if x == 0 else None)
    ax.axhline(theory_log10, color="r", ls="--", lw=0.8, label="repon theory, σ_a = σ_c (P_gen = 1/2)")
    ax.set_xticks(xs, order)
    ax.legend(fontsize=7)

    def describe(label):
        r = rows[label]
        cens = f" (censored {r['censored']})" if r["censored"] else ""
        return (f"{label}: log10 r* = {r['log10_r_star']:.2f}{cens}, Fig. 5 {FIG5_LOG10_RATIO[label]:.2f} "
                f"({r['to_figure']:+.2f}), theory {theory_log10:.2f} ({r['to_theory']:+.2f})")

    verdict = "holds" if all(resolved) else "not established (" + ", ".join(
        f"{lo} < {hi}: {'yes' if res else 'no'}" for lo, hi, res in zip(order, order[1:], resolved)) + ")"
    return Outcome(
        predicted=theory_log10,
        measured=[round(rows[label]["log10_r_star"], 3) for label in order],
        tolerance=("quick: every relation generalizes at ratio 1 (order reported, not judged)" if ctx.quick else
                   "order gt < bipartite < mod 3 (disjoint grid cells) [ours]; values and distances reported"),
        status=_status(ok),
        reason=f"η_enc = {eta_enc:g}, ratios {list(grid['greater_than'])} (mod 3: {list(grid['mod'])}), seeds "
        f"{list(seeds)}, {steps} steps; " + "; ".join(describe(label) for label in order)
        + f"; spread across relations {spread:.2f} decades (theory: 0); order {verdict}"
        + (" (not judged at quick size)" if ctx.quick else "")
        + (f"; ratio 1 generalizes for every relation: {low_side}" if ctx.quick else ""),
        figure=fig,
        details={"eta_enc": eta_enc, "steps": steps, "theory_log10_r_star": theory_log10, "relations": rows,
                 "order_resolved": resolved},
    )
