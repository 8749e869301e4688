"""Area ``lottery``: lottery-ticket ensembling and the N^-1 scaling law.

Theory: :mod:`efttheory.scaling.lottery` (and :func:`efttheory.solvers.fit_power_law`).
Experiments: :func:`models.mlp.train_mlp1d` on :func:`models.tasks.regression.quadratic_task`.
Spec: ``specs/scaling-lottery.md`` (checks L1-L10 of its section 7).

Liu & Tegmark (arXiv 2310.02258) report MSE ~ N^-1 for y = x^2 and attribute it
to a central limit theorem of lottery tickets; the v2 listing flags that theory
as questionable. The checks therefore test the *empirical* claims under a stated
protocol and probe the CLT as a hypothesis (L6 and L9 state the paper's position
in their claim and test our bias-aware model in their verdict).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from efttheory.scaling import lottery as theory
from efttheory.solvers import fit_power_law
from models.mlp import train_mlp1d
from models.tasks.regression import quadratic_task
from validation.check import Outcome
from validation.registry import check
from validation.figures import check_figure

PAPER = "Liu & Tegmark, A Neural Scaling Law from Lottery Ticket Ensembling (arXiv 2310.02258)"
LO, HI = -2.0, 2.0

# ---------------------------------------------------------------------------------------------
# Protocols of the spec's section 6 (L-A ... L-F); quick sizes for CI.
# ---------------------------------------------------------------------------------------------

REFERENCE_WIDTHS = (8, 16, 32, 64, 128)
REFERENCE_STEPS = 10_000
LONG_STEPS = 30_000
RELU_SCHEDULE = ((1e-2, 8_000), (1e-3, 8_000), (1e-4, 4_000))
CENSUS_SCHEDULE = ((1e-2, 4_000), (1e-3, 4_000), (1e-4, 2_000))
FAILED_MSE = 0.3  # both w -> 0: f is constant and MSE = Var(x^2) = 1.42 [spec L-D]
SYMMETRY_RTOL = 0.1


@dataclass(frozen=True)
class TrainingPoint:
    """One width of a width sweep: everything ``train_mlp1d`` needs except the seed."""

    width: int
    activation: str
    n_seeds: int
    schedule: tuple
    n_train: int = 100


def train_point(point: TrainingPoint, seed_sequence: np.random.SeedSequence):
    """Sweep point function: train ``point.n_seeds`` nets of one width on y = x^2."""
    data = quadratic_task(n_train=point.n_train, lo=LO, hi=HI)
    seed = int(seed_sequence.generate_state(1)[0])
    return train_mlp1d(
        point.width,
        point.activation,
        data,
        n_seeds=point.n_seeds,
        schedule=point.schedule,
        optimizer="adam",
        init="torch_uniform",
        seed=seed,
        backend="numba",
    )


def _sweep(ctx, key: str, widths, activation: str, n_seeds: int, schedule, n_train: int = 100):
    points = [TrainingPoint(int(w), activation, n_seeds, tuple(schedule), n_train) for w in widths]
    return dict(zip(widths, ctx.sweep(train_point, points, label=f"{key} widths {list(widths)}", key=key)))


# Experiments shared by several checks are cached per run context (quick, seed, ...).
# L-A and L-B use the same sweep key, and the quick L-B widths are a prefix of L-A's,
# so width N starts from the same initialisations in both budgets.


@functools.lru_cache(maxsize=4)
def reference_runs(ctx):
    """L-A: SiLU, Adam lr 1e-3 for 1e4 steps, 100 points; 16 seeds (quick 8)."""
    return _sweep(ctx, "silu-adam", REFERENCE_WIDTHS, "silu", 8 if ctx.quick else 16,
                  ((1e-3, REFERENCE_STEPS),))


@functools.lru_cache(maxsize=4)
def long_budget_runs(ctx):
    """L-B: L-A with 3e4 steps; 8 seeds; widths 8-32 (quick) or 8-128 (full)."""
    widths = REFERENCE_WIDTHS[:3] if ctx.quick else REFERENCE_WIDTHS
    return _sweep(ctx, "silu-adam", widths, "silu", 8, ((1e-3, LONG_STEPS),))


@functools.lru_cache(maxsize=4)
def relu_schedule_runs(ctx):
    """L-C(ii): ReLU, schedule 1e-2 -> 1e-3 -> 1e-4 (2e4 steps), 200 points, 16 seeds (8 gave a noisy median)."""
    widths = (8, 16) if ctx.quick else (4, 8, 16)
    return _sweep(ctx, "relu-schedule", widths, "relu", 16, RELU_SCHEDULE, n_train=200)


@functools.lru_cache(maxsize=4)
def relu_reference_runs(ctx):
    """L-C(i): the L-A protocol with ReLU (full size only; shown in the L7 figure)."""
    return _sweep(ctx, "relu-adam", (4,) + REFERENCE_WIDTHS, "relu", 8, ((1e-3, REFERENCE_STEPS),))


@dataclass(frozen=True)
class Census:
    """L-D: N = 2 SiLU nets, their test MSE, symmetry flags and outputs on the test grid."""

    mse: np.ndarray
    symmetric: np.ndarray
    failed: np.ndarray
    w: np.ndarray
    b: np.ndarray
    v: np.ndarray
    c: np.ndarray
    x: np.ndarray
    outputs: np.ndarray


@functools.lru_cache(maxsize=4)
def two_neuron_census(ctx) -> Census:
    """L-D: 256 (quick 128) two-neuron SiLU nets, trained in chunks of 64 by the sweep runner."""
    n_nets = 128 if ctx.quick else 256
    chunk = 64
    points = [TrainingPoint(2, "silu", chunk, CENSUS_SCHEDULE) for _ in range(n_nets // chunk)]
    runs = ctx.sweep(train_point, points, label="two-neuron census", key="two-neuron-census")
    x = quadratic_task(lo=LO, hi=HI).x_test
    w = np.concatenate([r.w for r in runs])
    b = np.concatenate([r.b for r in runs])
    v = np.concatenate([r.v for r in runs])
    c = np.concatenate([r.c for r in runs])
    mse = np.concatenate([r.test_mse for r in runs])
    outputs = np.concatenate([r.predict(x) for r in runs])
    symmetric = np.array(
        [len(theory.symmetric_pairs(w[i], b[i], v[i], rtol=SYMMETRY_RTOL)) > 0 for i in range(len(mse))]
    )
    return Census(mse, symmetric, mse > FAILED_MSE, w, b, v, c, x, outputs)


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def _figure(title: str, xlabel: str, ylabel: str, *, logx=True, logy=True):
    """:func:`validation.figures.check_figure` with log-log axes by default (power laws)."""
    return check_figure(title, xlabel, ylabel, logx=logx, logy=logy)


def _medians(runs: dict) -> tuple[np.ndarray, np.ndarray]:
    widths = np.array(sorted(runs), dtype=float)
    losses = np.stack([runs[int(w)].test_mse for w in widths])
    return widths, losses


def _plot_power_law(ax, fit, widths, losses, label: str, color: str):
    ax.scatter(np.repeat(widths, losses.shape[1]), losses.ravel(), s=8, alpha=0.25, color=color)
    ax.plot(widths, np.median(losses, axis=1), "o", color=color, label=f"{label}: median")
    grid = np.geomspace(widths.min(), widths.max(), 50)
    ax.plot(grid, fit.prefactor * grid ** (-fit.exponent), "-", color=color,
            label=f"fit α̂ = {fit.exponent:.2f} [{fit.ci_low:.2f}, {fit.ci_high:.2f}]")
    lo = fit.prefactor * grid ** (-fit.ci_low)
    hi = fit.prefactor * grid ** (-fit.ci_high)
    ax.fill_between(grid, np.minimum(lo, hi), np.maximum(lo, hi), color=color, alpha=0.12)


# ---------------------------------------------------------------------------------------------
# L1-L4: theory against quadrature, sympy and Monte-Carlo (no training)
# ---------------------------------------------------------------------------------------------


def _segment_errors(n_segments: int, lo: float, hi: float) -> tuple[float, float]:
    """Mean squared error of the interpolant and of the best line per segment, for x^2,
    by 8-point Gauss-Legendre quadrature on each of ``n_segments`` equal segments."""
    nodes, weights = np.polynomial.legendre.leggauss(8)
    edges = np.linspace(lo, hi, n_segments + 1)
    interp = best = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        half = 0.5 * (b - a)
        x = 0.5 * (a + b) + half * nodes
        wq = half * weights
        line = a * a + (b * b - a * a) * (x - a) / (b - a)
        interp += np.sum(wq * (x * x - line) ** 2)
        design = np.stack([np.ones_like(x), x], axis=1)
        gram = design.T @ (wq[:, None] * design)
        coef = np.linalg.solve(gram, design.T @ (wq * x * x))
        best += np.sum(wq * (x * x - design @ coef) ** 2)
    return interp / (hi - lo), best / (hi - lo)


@check(
    "lottery",
    "sharma_kaplan_relu_bounds",
    claim="Sharma-Kaplan: piecewise-linear approximation gives MSE ~ N^(-4/d), alpha = 4 at d = 1; "
    "for x^2 on [-2, 2] a 1-N-1 ReLU net is bounded below by ((4/(N+1))^4)/180.",
    source="[paper] abstract (4/d); bounds [ours] spec §2.2",
    paper_value=4.0,
)
def sharma_kaplan_relu_bounds(ctx) -> Outcome:
    ks = np.arange(1, 65)
    quad = np.array([_segment_errors(int(k), LO, HI) for k in ks])
    interp = np.array([theory.relu_interpolation_mse(int(k), lo=LO, hi=HI) for k in ks])
    optimum = np.array([theory.relu_optimal_mse(int(k) - 1, lo=LO, hi=HI) for k in ks])
    rel = max(np.max(np.abs(interp / quad[:, 0] - 1)), np.max(np.abs(optimum / quad[:, 1] - 1)))
    alpha = theory.sharma_kaplan_alpha(1)
    slope = -np.polyfit(np.log(ks[8:]), np.log(quad[8:, 1]), 1)[0]
    ok = alpha == 4.0 and rel <= 1e-10
    fig, ax = _figure("ReLU bounds for x² on [-2, 2]", "segments K = N + 1", "MSE")
    ax.plot(ks, interp, "-", label="h⁴/30 (interpolant)")
    ax.plot(ks, optimum, "-", label="h⁴/180 (best line per segment)")
    ax.plot(ks[::3], quad[::3, 0], "o", ms=4, label="quadrature: interpolant")
    ax.plot(ks[::3], quad[::3, 1], "s", ms=4, label="quadrature: best line")
    ax.legend(fontsize=8)
    return Outcome(
        predicted=alpha,
        measured=float(slope),
        tolerance="alpha(1) == 4; bounds vs quadrature rel <= 1e-10",
        status="pass" if ok else "fail",
        reason=f"sharma_kaplan_alpha(1) = {alpha}; max relative gap of both bounds to quadrature over "
        f"K = 1..64: {rel:.1e}; log-log slope of the optimum (K >= 9) = {slope:.4f}",
        figure=fig,
        details={"max_relative_gap": float(rel)},
    )


@check(
    "lottery",
    "ticket_taylor",
    claim="A symmetric SiLU pair (w, b, v), (-w, b, v) is an even function whose x^2 coefficient "
    "v sigma''(b) w^2 can match x^2, with an x^4 residual so the best fit errs as w^4.",
    source="[figure] symmetric ticket schematic; Taylor expansion and fit [ours] spec §2.3",
)
def ticket_taylor(ctx) -> Outcome:
    import sympy as sp

    rng = ctx.rng("ticket-taylor")
    xs = np.linspace(LO, HI, 201)
    worst_rel = worst_even = 0.0
    z, x = sp.symbols("z x", real=True)
    silu = z / (1 + sp.exp(-z))
    for _ in range(5):
        w, b, v = (float(u) for u in rng.uniform([-2.0, -2.0, -3.0], [2.0, 2.0, 3.0]))
        g = v * (silu.subs(z, b + w * x) + silu.subs(z, b - w * x))
        exact = [float(sp.diff(g, x, k).subs(x, 0).evalf(30)) / math.factorial(k) for k in (0, 2, 4)]
        got = theory.ticket_taylor_coefficients(w, b, v, activation="silu")
        for e, gv in zip(exact, (got.c0, got.c2, got.c4)):
            worst_rel = max(worst_rel, abs(gv - e) / max(abs(e), 1e-300))
        values = theory.symmetric_ticket(xs, w, b, v, activation="silu")
        worst_even = max(worst_even, float(np.max(np.abs(values - values[::-1]))))
    ws = np.geomspace(0.02, 0.16, 7)
    slopes = {}
    fits = {}
    for b in (0.0, 0.5):
        mses = np.array([theory.ticket_best_fit(float(wv), b, activation="silu", lo=LO, hi=HI).mse for wv in ws])
        fits[b] = mses
        slopes[b] = float(np.polyfit(np.log(ws), np.log(mses), 1)[0])
    ok = worst_rel <= 1e-12 and worst_even <= 1e-12 and all(abs(s - 4) <= 0.1 for s in slopes.values())
    fig, ax = _figure("Best least-squares fit of x² by one symmetric SiLU pair", "|w|", "MSE")
    for b, mses in fits.items():
        ax.plot(ws, mses, "o-", label=f"b = {b}: slope {slopes[b]:.3f}")
    ax.plot(ws, fits[0.0][0] * (ws / ws[0]) ** 4, "k--", lw=0.8, label="∝ w⁴")
    ax.legend(fontsize=8)
    return Outcome(
        predicted=4.0,
        measured=min(slopes.values(), key=lambda s: -abs(s - 4)),
        tolerance="Taylor rel <= 1e-12; evenness; slope 4 ± 0.1",
        status="pass" if ok else "fail",
        reason=f"Taylor coefficients vs sympy: max rel error {worst_rel:.1e}; max |g(x) - g(-x)| "
        f"{worst_even:.1e}; best-fit MSE slopes vs w: "
        + ", ".join(f"b={b}: {s:.3f}" for b, s in slopes.items()),
        figure=fig,
        details={"slopes": slopes, "taylor_rel_error": worst_rel},
    )


@check(
    "lottery",
    "ensemble_mse_mc",
    claim="Averaging n tickets whose errors have bias mu, variance s^2 and equicorrelation r gives "
    "E[MSE_n] = <mu^2> + <s^2>(r + (1 - r)/n); the CLT's 1/n needs mu = 0 and r = 0.",
    source="[paper] ensembling mechanism; bias/correlation form [ours] spec §2.4",
)
def ensemble_mse_mc(ctx) -> Outcome:
    rng = ctx.rng("ensemble-mse-mc")
    n_x = 16
    n_values = [1, 2, 4, 8, 16, 32, 64] + ([] if ctx.quick else [128, 256])
    draws = 2000
    cases = [(0.0, 0.0), (0.02, 0.0), (0.0, 0.3), (0.03, 0.2)]
    worst_z = 0.0
    fig, ax = _figure("Ensemble MSE: Monte-Carlo vs theory", "tickets n", "E[MSE_n]")
    for bias_scale, corr in cases:
        mu = bias_scale * np.sin(np.linspace(0, 3, n_x)) * 10
        s = 0.05 + 0.1 * np.linspace(0, 1, n_x)
        bias_sq, var = float(np.mean(mu**2)), float(np.mean(s**2))
        predicted = theory.ensemble_mse(bias_sq, var, np.array(n_values), corr=corr)
        measured, errors = [], []
        for n in n_values:
            shared = rng.standard_normal((draws, 1, n_x))
            own = rng.standard_normal((draws, n, n_x))
            eps = mu + s * (math.sqrt(corr) * shared + math.sqrt(1 - corr) * own)
            mse = np.mean(eps.mean(axis=1) ** 2, axis=1)
            measured.append(mse.mean())
            errors.append(mse.std(ddof=1) / math.sqrt(draws))
        z = np.abs(np.array(measured) - predicted) / np.array(errors)
        worst_z = max(worst_z, float(z.max()))
        line = ax.plot(n_values, predicted, "-", label=f"<μ²>={bias_sq:.2g}, r={corr}")[0]
        ax.errorbar(n_values, measured, yerr=errors, fmt="o", ms=3, color=line.get_color())
    ax.legend(fontsize=7)
    return Outcome(
        predicted=None,
        measured=worst_z,
        tolerance="|MC - theory| <= 4 SE at every n",
        status="pass" if worst_z <= 4 else "fail",
        reason=f"largest deviation {worst_z:.2f} standard errors over 4 (bias, corr) cases and n up to "
        f"{n_values[-1]} ({draws} draws each)",
        figure=fig,
    )


@check(
    "lottery",
    "power_law_fit_coverage",
    claim="fit_power_law recovers y = A x^-alpha exactly from noise-free data and its 95% bootstrap "
    "interval covers the true exponent under log-normal noise.",
    source="[ours] spec §5, check L4",
)
def power_law_fit_coverage(ctx) -> Outcome:
    rng = ctx.rng("power-law-coverage")
    x = np.array([8.0, 16.0, 32.0, 64.0, 128.0])
    exact = fit_power_law(x, 3.0 * x**-1.3, rng=rng)
    exact_err = abs(exact.exponent - 1.3)
    trials = 50 if ctx.quick else 200
    covered = 0
    estimates = []
    for _ in range(trials):
        alpha = rng.uniform(0.5, 2.0)
        samples = 2.0 * x[:, None] ** -alpha * np.exp(0.5 * rng.standard_normal((x.size, 16)))
        fit = fit_power_law(x, samples, stat="median", n_boot=1000, ci=0.95, rng=rng)
        covered += fit.ci_low <= alpha <= fit.ci_high
        estimates.append(fit.exponent - alpha)
    coverage = covered / trials
    ok = coverage >= 0.9 and exact_err <= 1e-9
    fig, ax = _figure("fit_power_law: estimate minus truth", "α̂ - α", "trials", logx=False, logy=False)
    ax.hist(estimates, bins=20)
    ax.axvline(0, color="k", lw=0.8)
    return Outcome(
        predicted=0.95,
        measured=coverage,
        tolerance="coverage >= 0.90; noise-free error <= 1e-9",
        status="pass" if ok else "fail",
        reason=f"95% CI covered the true exponent in {covered}/{trials} trials; noise-free exponent "
        f"error {exact_err:.1e}",
        figure=fig,
    )


# ---------------------------------------------------------------------------------------------
# L5-L10: theory against trained networks
# ---------------------------------------------------------------------------------------------


@check(
    "lottery",
    "silu_exponent_reference",
    claim="SiLU networks fitting y = x^2 follow MSE ~ N^-1 (alpha = 1, not Sharma-Kaplan's 4), "
    "the exponent a CLT of lottery tickets predicts.",
    source="[paper] abstract; [third party] median over initialisations; protocol L-A [ours]",
    paper_value=1.0,
)
def silu_exponent_reference(ctx) -> Outcome:
    runs = reference_runs(ctx)
    widths, losses = _medians(runs)
    fit = theory.scaling_exponent(widths, losses, stat="median", n_boot=1000, rng=ctx.rng("L5-boot"))
    ok = abs(fit.exponent - 1.0) <= 0.3
    fig, ax = _figure("SiLU, y = x², Adam lr 1e-3, 1e4 steps (L-A)", "width N", "test MSE")
    _plot_power_law(ax, fit, widths, losses, "L-A", "C0")
    grid = np.geomspace(widths.min(), widths.max(), 50)
    ax.plot(grid, np.median(losses[0]) * (grid / widths[0]) ** -1.0, "k:", label="N⁻¹ (paper)")
    ax.legend(fontsize=8)
    n_seeds = losses.shape[1]
    return Outcome(
        predicted=1.0,
        measured=fit.exponent,
        tolerance="|alpha - 1| <= 0.3",
        status="pass" if ok else "fail",
        reason=f"alpha = {fit.exponent:.3f}, 95% CI [{fit.ci_low:.3f}, {fit.ci_high:.3f}] over N = "
        f"{int(widths[0])}..{int(widths[-1])}, {n_seeds} seeds; medians "
        + ", ".join(f"{m:.2e}" for m in np.median(losses, axis=1)),
        figure=fig,
        details={"widths": widths, "median_mse": np.median(losses, axis=1), "ci": [fit.ci_low, fit.ci_high]},
    )


@check(
    "lottery",
    "budget_flattening",
    claim="alpha = 1 is the paper's scaling law; [ours] with 3x the Adam budget the small nets improve "
    ">= 10x and the exponent flattens, so alpha = 1 is a finite-budget regime.",
    source="[paper] alpha = 1; budget sensitivity [ours] spec §6 L-B",
    paper_value=1.0,
)
def budget_flattening(ctx) -> Outcome:
    short = reference_runs(ctx)
    long = long_budget_runs(ctx)
    ws = sorted(long)
    n_long = long[ws[0]].test_mse.size
    short_med = {w: float(np.median(short[w].test_mse[:n_long])) for w in ws}
    long_med = {w: float(np.median(long[w].test_mse)) for w in ws}
    ratios = {w: long_med[w] / short_med[w] for w in ws if w <= 32}
    widths = np.array(ws, dtype=float)
    long_losses = np.stack([long[w].test_mse for w in ws])
    short_losses = np.stack([short[w].test_mse[:n_long] for w in ws])
    fit_long = fit_power_law(widths, long_losses, n_boot=1000, rng=ctx.rng("L6-boot-long"))
    fit_short = fit_power_law(widths, short_losses, n_boot=1000, rng=ctx.rng("L6-boot-short"))
    drop = fit_short.exponent - fit_long.exponent
    ok = all(r <= 0.1 for r in ratios.values())
    tolerance = "MSE(3e4)/MSE(1e4) <= 0.1 at N = 8, 16, 32"
    if not ctx.quick:
        ok = ok and drop >= 0.3
        tolerance += "; alpha drop >= 0.3 over N 8-128"
    fig, ax = _figure("Budget dependence (L-B): 1e4 vs 3e4 Adam steps", "width N", "test MSE")
    _plot_power_law(ax, fit_short, widths, short_losses, "1e4 steps", "C0")
    _plot_power_law(ax, fit_long, widths, long_losses, "3e4 steps", "C3")
    ax.legend(fontsize=7)
    return Outcome(
        predicted=None,
        measured=fit_long.exponent,
        tolerance=tolerance,
        status="pass" if ok else "fail",
        reason="improvement ratios " + ", ".join(f"N={w}: {r:.3f}" for w, r in ratios.items())
        + f"; alpha {fit_short.exponent:.2f} (1e4) -> {fit_long.exponent:.2f} (3e4) over N = "
        f"{ws[0]}..{ws[-1]}, drop {drop:.2f}",
        # stated only when this run shows it: every small-N MSE improved and alpha fell
        finding=(f"The N^-1 law is not converged: 3x the budget lowers the MSE of N <= 32 by "
                 f"{1 / max(ratios.values()):.0f}x or more and alpha falls from {fit_short.exponent:.2f} to "
                 f"{fit_long.exponent:.2f} ({n_long} seeds).")
        if max(ratios.values()) < 1.0 and drop > 0 else "",
        figure=fig,
        details={"ratios": {str(k): v for k, v in ratios.items()}, "alpha_short": fit_short.exponent,
                 "alpha_long": fit_long.exponent},
    )


@check(
    "lottery",
    "relu_sharma_kaplan",
    claim="ReLU networks sit in Sharma-Kaplan's approximation regime (MSE ~ N^-4) at small N.",
    source="[third party] ReLU N^-4 then slower; bounds [ours] spec §2.2; protocol L-C(ii)",
    paper_value=4.0,
)
def relu_sharma_kaplan(ctx) -> Outcome:
    runs = relu_schedule_runs(ctx)
    ws = sorted(runs)
    floor_ok = all(
        np.all(runs[w].test_mse >= 0.98 * theory.relu_optimal_mse(w, lo=LO, hi=HI)) for w in ws
    )
    med = {w: float(np.median(runs[w].test_mse)) for w in ws}
    interp_ok = all(med[w] <= 3 * theory.relu_interpolation_mse(w + 1, lo=LO, hi=HI) for w in ws)
    alpha = math.log(med[8] / med[16]) / math.log(2.0)
    ok = floor_ok and interp_ok and 3.0 <= alpha <= 5.0
    best_ratio = {w: float(runs[w].test_mse.min() / theory.relu_optimal_mse(w, lo=LO, hi=HI)) for w in ws}
    fig, ax = _figure("ReLU on y = x²: Sharma-Kaplan bounds (L-C)", "width N", "test MSE")
    grid = np.arange(2, 129)
    ax.plot(grid, [theory.relu_optimal_mse(int(n), lo=LO, hi=HI) for n in grid], "k-", lw=0.8,
            label="MSE_opt(N) = (4/(N+1))⁴/180")
    ax.plot(grid, [theory.relu_interpolation_mse(int(n) + 1, lo=LO, hi=HI) for n in grid], "k--", lw=0.8,
            label="MSE_interp(N)")
    for w in ws:
        ax.scatter(np.full(runs[w].test_mse.size, w), runs[w].test_mse, s=8, color="C1", alpha=0.4)
    ax.plot(ws, [med[w] for w in ws], "o-", color="C1", label=f"schedule, medians: α(8→16) = {alpha:.2f}")
    details = {"median": {str(w): med[w] for w in ws}, "best_over_optimum": {str(w): best_ratio[w] for w in ws}}
    if not ctx.quick:
        ref = relu_reference_runs(ctx)
        rw, rl = _medians(ref)
        rmed = np.median(rl, axis=1)
        slopes = {
            f"{int(rw[i])}-{int(rw[j])}": float(-np.polyfit(np.log(rw[i:j + 1]), np.log(rmed[i:j + 1]), 1)[0])
            for i, j in ((0, len(rw) - 1), (0, 3), (3, len(rw) - 1))
        }
        details["L-C(i) exponents"] = slopes
        ax.plot(rw, rmed, "s-", color="C2", ms=4,
                label="Adam 1e-3, 1e4 steps: α " + ", ".join(f"{k}: {v:.2f}" for k, v in slopes.items()))
    ax.legend(fontsize=7)
    return Outcome(
        predicted=4.0,
        measured=alpha,
        tolerance="every seed >= 0.98 MSE_opt; median <= 3 MSE_interp; alpha(8->16) in [3, 5]",
        status="pass" if ok else "fail",
        reason=f"alpha(8->16) = {alpha:.2f}; floor respected: {floor_ok}; medians within 3x the "
        f"interpolation bound: {interp_ok}; best seed / MSE_opt: "
        + ", ".join(f"N={w}: {r:.3f}" for w, r in best_ratio.items()),
        figure=fig,
        details=details,
    )


@check(
    "lottery",
    "two_neuron_tickets",
    claim="Among many two-neuron SiLU nets the loss histogram has discrete peaks and the lowest-loss "
    "peak is the symmetric ticket w1 = -w2, b1 = b2, v1 = v2.",
    source="[third party] N = 2 histogram; [figure] symmetric-ticket schematic; protocol L-D [ours]",
)
def two_neuron_tickets(ctx) -> Outcome:
    census = two_neuron_census(ctx)
    ok_nets = ~census.failed
    modes = theory.loss_histogram_modes(census.mse[ok_nets])
    order = np.argsort(census.mse)
    decile = order[: max(1, len(order) // 10)]
    decile_symmetric = float(census.symmetric[decile].mean())
    sym = census.symmetric & ok_nets
    other = ~census.symmetric & ok_nets
    med_sym = float(np.median(census.mse[sym])) if sym.any() else math.nan
    med_other = float(np.median(census.mse[other])) if other.any() else math.nan
    ratio = med_sym / med_other
    ok = len(modes) >= 2 and decile_symmetric >= 0.7 and ratio <= 0.5
    fig, ax = _figure("Two-neuron SiLU nets (L-D)", "log10 test MSE", "nets", logx=False, logy=False)
    logs = np.log10(census.mse)
    bins = np.arange(np.floor(logs.min() * 4) / 4, np.ceil(logs.max() * 4) / 4 + 0.25, 0.25)
    ax.hist([logs[census.symmetric], logs[~census.symmetric]], bins=bins, stacked=True,
            label=["symmetric pair", "not symmetric"], color=["C0", "C7"])
    for m in modes:
        ax.axvline(m.log10_center, color="C3", lw=0.8, ls=":")
    ax.legend(fontsize=8)
    n = census.mse.size
    return Outcome(
        predicted=None,
        measured=decile_symmetric,
        tolerance=">= 2 modes; lowest decile >= 70% symmetric; median(sym) <= 0.5 median(other)",
        status="pass" if ok else "fail",
        reason=f"{len(modes)} modes at log10 MSE "
        + ", ".join(f"{m.log10_center:.2f} ({m.count})" for m in modes)
        + f"; lowest decile {decile_symmetric:.0%} symmetric; median MSE symmetric {med_sym:.2e} vs "
        f"other {med_other:.2e} (ratio {ratio:.2f}); symmetric {census.symmetric.mean():.1%}, "
        f"failed {census.failed.mean():.1%} of {n}",
        figure=fig,
        details={"symmetric_fraction": float(census.symmetric.mean()),
                 "failed_fraction": float(census.failed.mean()), "median_ratio": ratio},
    )


def _ensemble_curve(outputs: np.ndarray, target: np.ndarray, n_values, draws: int, rng) -> np.ndarray:
    """Mean MSE of the average of ``n`` tickets drawn with replacement, for each n."""
    means = []
    for n in n_values:
        idx = rng.integers(0, outputs.shape[0], size=(draws, n))
        ensemble = outputs[idx].mean(axis=1)
        means.append(float(np.mean((ensemble - target) ** 2)))
    return np.array(means)


@check(
    "lottery",
    "independent_ticket_ensemble",
    claim="A central limit theorem of tickets: averaging n independent tickets divides the MSE by n "
    "(ratio 1/64 at n = 64).",
    source="[paper] CLT of tickets (flagged questionable by the authors); split-half bias-aware test "
    "[ours] spec §6 L-E",
    paper_value=1 / 64,
)
def independent_ticket_ensemble(ctx) -> Outcome:
    census = two_neuron_census(ctx)
    pool = np.flatnonzero(census.symmetric & ~census.failed)
    if pool.size < 8:
        return Outcome(predicted=None, measured=None, tolerance="|R - R_pred| <= 0.3", status="fail",
                       reason=f"only {pool.size} symmetric non-failed tickets; need >= 8")
    rng = ctx.rng("ticket-ensemble")
    shuffled = rng.permutation(pool)
    fit_half, test_half = shuffled[: pool.size // 2], shuffled[pool.size // 2:]
    target = census.x**2
    stats = theory.ticket_error_statistics(census.outputs[fit_half] - target)
    n_values = np.array([1, 2, 4, 8, 16, 32, 64])
    predicted_curve = theory.ensemble_mse(stats.bias_sq, stats.var, n_values)
    r_pred = float(predicted_curve[-1] / predicted_curve[0])
    measured_curve = _ensemble_curve(census.outputs[test_half], target, n_values, 400, rng)
    ratio = float(measured_curve[-1] / measured_curve[0])
    ok = abs(ratio - r_pred) <= 0.3
    held = theory.ticket_error_statistics(census.outputs[test_half] - target)
    fig, ax = _figure("Ensembles of independent two-neuron tickets (L-E)", "tickets averaged n", "MSE")
    ax.plot(n_values, measured_curve, "o", label="held-out half, measured")
    ax.plot(n_values, predicted_curve, "-", label="bias-aware prediction (fit half)")
    ax.plot(n_values, measured_curve[0] / n_values, "k:", label="CLT: MSE₁/n")
    ax.axhline(stats.bias_sq, color="C3", lw=0.8, ls="--", label="bias floor <μ²>")
    ax.legend(fontsize=8)
    return Outcome(
        predicted=r_pred,
        measured=ratio,
        tolerance="|R - R_pred| <= 0.3",
        status="pass" if ok else "fail",
        reason=f"R = MSE(64)/MSE(1) = {ratio:.3f} on {test_half.size} held-out tickets vs bias-aware "
        f"R_pred = {r_pred:.3f} from {fit_half.size}; bias fraction {stats.bias_fraction:.2f} (fit), "
        f"{held.bias_fraction:.2f} (held out)",
        # stated only when the data side with the bias-aware model against the CLT's 1/64
        finding=(f"The CLT of independent tickets predicts R = 1/64 = 0.016; measured R = {ratio:.2f}: "
                 f"ticket errors share a same-signed bias (bias fraction {held.bias_fraction:.2f}) that "
                 "averaging cannot remove.")
        if ratio >= 2 / 64 and abs(ratio - r_pred) < abs(ratio - 1 / 64) else "",
        figure=fig,
        details={"bias_sq": stats.bias_sq, "var": stats.var, "measured_curve": measured_curve,
                 "predicted_curve": predicted_curve},
    )


@check(
    "lottery",
    "reflection_symmetry",
    claim="Wide trained SiLU nets are reflection symmetric: each neuron (w, b) has a partner (-w, b).",
    source="[third party] N = 10 000 cloud; N = 64 trained-vs-init comparison [ours] spec §6 L-F",
)
def reflection_symmetry(ctx) -> Outcome:
    runs = reference_runs(ctx)[64]
    init = runs.init_params
    x = np.linspace(LO, HI, 1001)
    n = runs.test_mse.size
    trained = np.array([theory.reflection_partner_fraction(runs.w[i], runs.b[i], runs.v[i], rtol=SYMMETRY_RTOL)
                        for i in range(n)])
    initial = np.array([theory.reflection_partner_fraction(init.w[i], init.b[i], init.v[i], rtol=SYMMETRY_RTOL)
                        for i in range(n)])
    outputs = runs.predict(x)
    odd = np.array([theory.odd_part_norm(outputs[i]) for i in range(n)])
    ok = trained.mean() >= initial.mean() and np.all(odd <= 1e-2)
    fig, ax = _figure("Neuron cloud of one N = 64 SiLU net (L-F)", "w", "b", logx=False, logy=False)
    ax.scatter(init.w[0], init.b[0], s=12, color="C7", alpha=0.6, label="init")
    ax.scatter(runs.w[0], runs.b[0], s=12, color="C0", label="trained")
    ax.scatter(-runs.w[0], runs.b[0], s=30, facecolors="none", edgecolors="C3", lw=0.6,
               label="trained, reflected (−w, b)")
    ax.legend(fontsize=8)
    return Outcome(
        predicted=float(initial.mean()),
        measured=float(trained.mean()),
        tolerance="mean partner fraction trained >= init; odd-part norm <= 1e-2 every seed",
        status="pass" if ok else "fail",
        reason=f"partner fraction {trained.mean():.3f} trained vs {initial.mean():.3f} at init "
        f"(mean of {n} seeds); max odd-part norm {odd.max():.1e}",
        figure=fig,
        details={"trained": trained, "initial": initial, "odd_part_norm": odd},
    )
