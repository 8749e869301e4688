"""Area ``resource``: the resource model of neural scaling and the Chinchilla refit.

Theory: :mod:`efttheory.scaling.resource` and :mod:`efttheory.scaling.chinchilla`.
Experiments: :func:`models.sparse_mlp.train_sparse_mlp` on the tasks of Song et al.
(arXiv 2402.05164) Figs. 2-4; Epoch AI's 245 points extracted from Chinchilla's Fig. 4
stand in for an experiment in the Chinchilla checks.
Spec: ``specs/scaling-resource-chinchilla.md`` (checks SC-1 ... SC-11 of its section 7, plus
the synthetic-recovery check of the issue).

The Chinchilla data are not shipped (the source has no licence). They are read from the
file named by ``EFTTHEORY_CHINCHILLA_CSV``, else from ``../shared/data/chinchilla_svg_extracted.csv``
relative to the repository root; when neither exists the data checks are *skipped* with
the paths tried, never passed.
"""

from __future__ import annotations

import functools
import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from efttheory.scaling import chinchilla as law
from efttheory.scaling import resource as theory
from models.sparse_mlp import (
    parallel_squares_task,
    sequential_sqrt_norm_task,
    sparse_mlp_forward,
    square_task,
    train_sparse_mlp,
)
from validation.check import Outcome
from validation.registry import check
from validation.figures import check_figure

SONG = "Song, Liu, Tegmark & Gore, A Resource Model For Neural Scaling Law (arXiv 2402.05164)"
EPOCH = "Besiroglu et al. 2024, Chinchilla Scaling: A replication attempt (arXiv 2404.10102)"
HOFFMANN = "Hoffmann et al. 2022 (arXiv 2203.15556)"
CSV_ENV = "EFTTHEORY_CHINCHILLA_CSV"
CSV_NAME = "chinchilla_svg_extracted.csv"
CHINCHILLA_COMPUTE = 5.88e23  # FLOP of Chinchilla 70B on 1.4T tokens [paper]
EXCLUDE = 5  # Epoch AI drop the 5 highest losses [third party]
PRODUCT_THRESHOLD = 1e-3
# L1 coefficient of the four-hidden-layer sequential task [ours]. The one-layer value 3e-4 leaves
# that network dense (119 of 120 neurons allocated at both quick alphas, 640 and 10 240, measured),
# so the alpha range of Fig. 4 cannot move N. With 1e-2 the smallest alphas allocate the ~10
# neurons at the left of the paper's Fig. 4C. Chosen from allocated-neuron counts only; the
# judged statistics (slope, Pearson) were not consulted.
SEQUENTIAL_L1 = 1e-2


# ---------------------------------------------------------------------------------------------
# small statistics (rank correlation, Theil-Sen) used by the checks
# ---------------------------------------------------------------------------------------------


def _ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (ties share the mean rank), 1-based."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(values.size)
    sorted_vals = values[order]
    i = 0
    while i < values.size:
        j = i
        while j + 1 < values.size and sorted_vals[j + 1] == sorted_vals[i]:
            j += 1
        ranks[order[i:j + 1]] = 0.5 * (i + j) + 1.0
        i = j + 1
    return ranks


def spearman_rho(x, y) -> float:
    """Spearman rank correlation with average ranks for ties."""
    rx, ry = _ranks(np.asarray(x, float)), _ranks(np.asarray(y, float))
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denom = math.sqrt(float(rx @ rx) * float(ry @ ry))
    return float(rx @ ry / denom) if denom > 0 else float("nan")


def theil_sen_slope(x, y) -> float:
    """Median of the pairwise slopes over pairs with distinct x."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    i, j = np.triu_indices(x.size, k=1)
    keep = x[i] != x[j]
    if not keep.any():
        return float("nan")
    return float(np.median((y[j][keep] - y[i][keep]) / (x[j][keep] - x[i][keep])))


def ols_slope(x, y) -> float:
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.size < 2 or np.ptp(x) == 0:
        return float("nan")
    return float(np.polyfit(x, y, 1)[0])


def _figure(title: str, xlabel: str, ylabel: str, *, logx=True, logy=True):
    """:func:`validation.figures.check_figure` with log-log axes by default (power laws)."""
    return check_figure(title, xlabel, ylabel, logx=logx, logy=logy)


# ---------------------------------------------------------------------------------------------
# reference experiments (spec section 2.3 recipe; sizes of section 7)
# ---------------------------------------------------------------------------------------------


# L1 coefficient on the hidden biases in the SC-1..SC-4 runs. The spec's recipe leaves the biases
# free [ours], which is 0.0 here.
HIDDEN_BIAS_L1 = 0.0


@dataclass(frozen=True)
class SparsePoint:
    """One training call of a sweep: a task, a list of alphas (replicas) and the recipe."""

    task: str
    alphas: tuple
    steps: int
    beta: float = 1.0
    hidden: tuple = (100,)
    grid: int = 21
    l1: float = 3e-4
    l1_bias: float = 0.0


def _task(point: SparsePoint):
    if point.task == "square":
        return square_task()
    if point.task == "parallel":
        return parallel_squares_task(point.grid)
    x, y, _ = sequential_sqrt_norm_task(1024, rng=0)
    return x, y


def train_point(point: SparsePoint, seed_sequence: np.random.SeedSequence) -> dict:
    """Sweep point function: train the replicas of ``point`` and return plain arrays."""
    x, y = _task(point)
    weights = None if point.task != "parallel" else [point.beta, 1.0 - point.beta]
    fit = train_sparse_mlp(x, y, alphas=np.array(point.alphas, dtype=float), task_weights=weights,
                           hidden=point.hidden, steps=point.steps, lam_in=point.l1, lam_out=point.l1,
                           lam_bias=point.l1_bias, seed=seed_sequence)
    return {"weights": fit.weights, "biases": fit.biases, "mse": fit.mse_per_task,
            "alphas": np.array(point.alphas, dtype=float)}


def _layer_counts(weights) -> np.ndarray:
    """Allocated neurons per replica and hidden layer (product rule), shape (R, n_hidden)."""
    return np.stack([theory.count_allocated(weights[l], weights[l + 1], rule="product",
                                            threshold=PRODUCT_THRESHOLD)
                     for l in range(len(weights) - 1)], axis=1)


@functools.lru_cache(maxsize=4)
def square_runs(ctx):
    """SC-1/SC-2: y = x^2, width 100. Quick: 1 seed, 6 alphas, 15 000 steps; full: 3 seeds x 10 alphas, 30 000."""
    if ctx.quick:
        alphas, seeds, steps = (1.0, 4.0, 16.0, 64.0, 256.0, 512.0), 1, 15_000
    else:
        alphas, seeds, steps = tuple(float(2**k) for k in range(10)), 3, 30_000
    half = len(alphas) // 2
    points = []
    for _ in range(seeds):  # each seed split in two halves so both cores work
        points += [SparsePoint("square", alphas[:half], steps, l1_bias=HIDDEN_BIAS_L1),
                   SparsePoint("square", alphas[half:], steps, l1_bias=HIDDEN_BIAS_L1)]
    runs = ctx.sweep(train_point, points, label="square", key="resource-square")
    out = []
    for s in range(seeds):
        a, b = runs[2 * s], runs[2 * s + 1]
        alph = np.concatenate([a["alphas"], b["alphas"]])
        mse = np.concatenate([a["mse"][:, 0], b["mse"][:, 0]])
        (count_a, low_a), (count_b, low_b) = _single_task_allocation(a), _single_task_allocation(b)
        counts, lowest = np.concatenate([count_a, count_b]), np.concatenate([low_a, low_b])
        out.append({"alphas": alph, "mse": mse, "neurons": counts, "lowest_bias": lowest})
    return out


def _integer_log_ticks(axis, values) -> None:
    """Powers of two as plain integers on a log axis spanning about a decade (no crowded minor labels)."""
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    top = max(float(np.max(values)), 2.0)
    axis.set_ticks([2.0**k for k in range(int(np.floor(np.log2(max(np.min(values), 1)))),
                                            int(np.ceil(np.log2(top))) + 1)])
    axis.set_major_formatter(ScalarFormatter())
    axis.set_minor_formatter(NullFormatter())


def _single_task_allocation(run) -> tuple[np.ndarray, np.ndarray]:
    """Allocated neurons per replica and the lowest bias among them (one-hidden-layer, one-task runs).

    With one input and one output the product rule of ``count_allocated`` is the task mask of
    ``allocation_mask``, so one mask gives both.
    """
    w_in, w_out = run["weights"][0], run["weights"][1]
    mask = theory.allocation_mask(w_in, w_out, PRODUCT_THRESHOLD)
    return mask.sum(axis=-1)[:, 0], _lowest_bias_neurons(w_in, run["biases"][0], mask)[:, 0, 0]


@functools.lru_cache(maxsize=4)
def parallel_runs(ctx):
    """SC-3/SC-4: (x1, x2) -> (x1^2, x2^2) weighted (beta, 1 - beta), on the spec's 21x21 grid
    (the ``SparsePoint`` default).

    The quick size keeps the recipe's 30 000 steps (the spec's quick column said 15 000) and
    cuts betas and alphas instead [ours]: at 15 000 steps the L1 pruning is unfinished (beta
    0.75, alpha 256 still allocated 35/22 neurons against 26/11 at 30 000, measured), which
    pulls the neuron and loss ratios toward 1.
    """
    if ctx.quick:
        betas, alphas = (0.75, 0.9), (32.0, 128.0, 256.0)
    else:
        betas, alphas = (0.5, 0.75, 0.85, 0.9, 0.95), (32.0, 64.0, 128.0, 256.0)
    points = [SparsePoint("parallel", alphas, 30_000, beta=b, l1_bias=HIDDEN_BIAS_L1) for b in betas]
    runs = ctx.sweep(train_point, points, label="parallel squares", key="resource-parallel")
    out = {}
    for beta, run in zip(betas, runs):
        mask = theory.allocation_mask(run["weights"][0], run["weights"][1], PRODUCT_THRESHOLD)
        out[beta] = {"alphas": run["alphas"], "mse": run["mse"], "neurons": mask.sum(axis=-1),
                     "lowest_bias": _lowest_bias_neurons(run["weights"][0], run["biases"][0], mask)}
    return out


# Reported only, never judged [ours]. Two kinds of solution show up in the full-size runs
# (docs/resource.md): neurons centred on the input range (every bias >= -1.01 in the 7 SC-1
# runs with N >= 4 and MSE > 1e-5, >= -0.75 in the 18 ordinary SC-3 runs) and runs holding a
# "shifted" neuron on the curved part of the SiLU (bias <= -1.20 in the 11 SC-1 runs with
# MSE < 3e-6 and in both SC-3 runs that broke the ratio). The cut between them was chosen after
# those diagnostics, so it only labels runs in the reports.
SHIFTED_BIAS = -1.1


def _lowest_bias_neurons(w_in, b_in, mask) -> np.ndarray:
    """Per replica and task, (b, |w|) of the allocated neuron with the lowest bias; NaN if none."""
    reps, tasks, _ = mask.shape
    out = np.full((reps, tasks, 2), np.nan)
    for r in range(reps):
        for k in range(tasks):
            idx = np.flatnonzero(mask[r, k])
            if idx.size:
                i = idx[np.argmin(b_in[r, idx])]
                out[r, k] = b_in[r, i], abs(w_in[r, k, i])
    return out


@functools.lru_cache(maxsize=4)
def sequential_runs(ctx):
    """SC-5: y = sqrt((x1 - x2)^2 + (x3 - x4)^2), four hidden layers."""
    if ctx.quick:
        alphas, width, steps = (640.0, 10240.0), 30, 10_000
    else:
        alphas, width, steps = (10.0, 40.0, 160.0, 640.0, 2560.0, 10240.0), 50, 20_000
    points = [SparsePoint("sequential", (a,), steps, hidden=(width,) * 4, l1=SEQUENTIAL_L1) for a in alphas]
    runs = ctx.sweep(train_point, points, label="sequential task", key="resource-sequential")
    x, _, g = sequential_sqrt_norm_task(1024, rng=0)
    out = {"alphas": np.array(alphas), "mse": [], "neurons": [], "layer3_corr": []}
    for run in runs:
        counts = _layer_counts(run["weights"])[0]
        _, hidden = sparse_mlp_forward(run["weights"], run["biases"], x)
        h3 = hidden[2][0]  # (n, width)
        corr = []
        for i in range(h3.shape[1]):
            if np.std(h3[:, i]) > 1e-12:
                corr.append(abs(np.corrcoef(h3[:, i], g)[0, 1]))
        out["mse"].append(float(run["mse"][0, 0]))
        out["neurons"].append(int(counts.sum()))
        out["layer3_corr"].append(max(corr) if corr else 0.0)
    return {k: np.array(v) for k, v in out.items()}


# ---------------------------------------------------------------------------------------------
# SC-1 ... SC-5: the toy experiments
# ---------------------------------------------------------------------------------------------


@check("resource", "allocation_grows",
       claim="A weaker sparsity penalty (larger alpha) allocates more neurons to y = x^2.",
       source=f"[paper] {SONG}, Fig. 2B; counting rule |w_i v_i| > 1e-3 [ours] (SC-1)")
def allocation_grows(ctx) -> Outcome:
    runs = square_runs(ctx)
    alphas = np.concatenate([r["alphas"] for r in runs])
    neurons = np.concatenate([r["neurons"] for r in runs])
    rho = spearman_rho(alphas, neurons)
    steps = [np.diff(r["neurons"]) >= 0 for r in runs]
    frac = float(np.mean(np.concatenate(steps)))
    ok = rho >= 0.9 and frac >= 0.8
    fig, ax = _figure("Allocated neurons vs α (y = x²)", "α (task-loss weight)", "allocated neurons N", logy=False)
    for k, r in enumerate(runs):
        ax.plot(r["alphas"], r["neurons"], "o-", label=f"seed {k}")
    ax.legend(fontsize=8)
    return Outcome(predicted="increasing", measured=rho,
                   tolerance="Spearman rho(alpha, N) >= 0.9 and N non-decreasing for >= 80 % of steps",
                   status="pass" if ok else "fail",
                   reason=f"rho = {rho:.3f}; non-decreasing steps {100 * frac:.0f} %; N = "
                   + "; ".join(str(r["neurons"].tolist()) for r in runs),
                   figure=fig, details={"alphas": alphas, "neurons": neurons, "fraction_nondecreasing": frac})


@check("resource", "loss_vs_neurons_slope",
       claim="H1: a subtask given N neurons reaches loss ~ N^-1.",
       source=f"[paper] {SONG}, hypothesis 1 and Fig. 2C (slope ~ -1.1, fig.) (SC-2)", paper_value=-1.1)
def loss_vs_neurons_slope(ctx) -> Outcome:
    runs = square_runs(ctx)
    n = np.concatenate([r["neurons"] for r in runs]).astype(float)
    mse = np.concatenate([r["mse"] for r in runs])
    use = n >= 4
    if use.sum() < 2 or np.unique(n[use]).size < 2:
        return Outcome(predicted=-1.0, measured=None, tolerance="Theil-Sen slope in [-1.5, -0.7]",
                       status="fail", reason=f"fewer than two distinct N >= 4 (N = {n.tolist()})")
    ln, lm = np.log(n[use]), np.log(mse[use])
    slope = theil_sen_slope(ln, lm)
    ols = ols_slope(ln, lm)
    above = use & (mse >= 1e-6)
    slope_hi = theil_sen_slope(np.log(n[above]), np.log(mse[above])) if above.sum() >= 2 else float("nan")
    ok = -1.5 <= slope <= -0.7
    shifted = np.concatenate([r["lowest_bias"] for r in runs]) < SHIFTED_BIAS
    families = {}
    for name, members in (("centred", use & ~shifted), ("shifted", use & shifted)):
        x = n[members]
        families[name] = {"runs": int(members.sum()),
                          "theil_sen": theil_sen_slope(np.log(x), np.log(mse[members]))
                          if members.sum() >= 2 and np.unique(x).size >= 2 else float("nan")}
    fig, ax = _figure("MSE vs allocated neurons (y = x²)", "allocated neurons N", "MSE")
    ax.plot(n[~shifted], mse[~shifted], "o", label="experiment, centred neurons")
    if shifted.any():
        ax.plot(n[shifted], mse[shifted], "^", label=f"experiment, a neuron with bias < {SHIFTED_BIAS}")
    grid = np.geomspace(max(n.min(), 1), n.max(), 30)
    ref = np.exp(np.median(lm - slope * ln))
    ax.plot(grid, ref * grid**slope, "-", label=f"Theil-Sen slope {slope:.2f}")
    ax.plot(grid, np.exp(np.median(lm + ln)) / grid, "k--", lw=0.8, label="H1: ∝ 1/N")
    _integer_log_ticks(ax.xaxis, n)
    ax.legend(fontsize=8)
    status = "pass" if ok else "deviation"
    return Outcome(predicted=-1.0, measured=slope, tolerance="Theil-Sen slope over N >= 4 in [-1.5, -0.7]",
                   status=status,
                   reason=f"Theil-Sen {slope:.3f} over {int(use.sum())} points with N >= 4 "
                   f"(OLS {ols:.3f}; without MSE < 1e-6: {slope_hi:.3f}); not judged: OLS, the cut slope and "
                   f"per solution family (a neuron with bias < {SHIFTED_BIAS} or not): " + ", ".join(
                       f"{k} {v['theil_sen']:.3f} over {v['runs']} runs" for k, v in families.items()),
                   finding="" if ok else f"the 1/N law was not reproduced under our recipe: slope {slope:.2f}",
                   figure=fig, details={"ols": ols, "theil_sen_without_small_mse": slope_hi,
                                        "families": families})


@check("resource", "ratio_fixed_under_width",
       claim="H2: growing the network keeps the allocation ratios fixed, so MSE2/MSE1 stays constant over alpha.",
       source=f"[paper] {SONG}, hypothesis 2 and Fig. 3C (SC-3)")
def ratio_fixed_under_width(ctx) -> Outcome:
    runs = parallel_runs(ctx)
    cvs, ncvs = {}, {}
    fig, ax = _figure("MSE₂/MSE₁ as the network grows", "α", "ratio")
    for beta, r in runs.items():
        ratio = r["mse"][:, 1] / r["mse"][:, 0]
        nratio = r["neurons"][:, 0] / np.maximum(r["neurons"][:, 1], 1)
        cvs[beta] = float(np.std(ratio) / np.mean(ratio))
        ncvs[beta] = float(np.std(nratio) / np.mean(nratio))
        line = ax.plot(r["alphas"], ratio, "o-", label=f"β = {beta}: MSE₂/MSE₁")[0]
        ax.plot(r["alphas"], nratio, "s--", color=line.get_color(), alpha=0.6, label=f"β = {beta}: N₁/N₂")
    ax.legend(fontsize=7)
    worst = max(cvs.values())
    ok = worst < 0.3
    shifted = [(beta, float(r["alphas"][i]), k + 1, *r["lowest_bias"][i, k])
               for beta, r in runs.items() for i in range(r["alphas"].size) for k in range(2)
               if r["lowest_bias"][i, k, 0] < SHIFTED_BIAS]
    labels = "; ".join(f"beta {b} alpha {a:g} task {k}: b {bias:.2f}, |w| {w:.2f}" for b, a, k, bias, w in shifted)
    return Outcome(predicted=0.0, measured=worst, tolerance="CV of MSE2/MSE1 over alpha < 0.3 for every beta",
                   status="pass" if ok else "fail",
                   reason="CV(MSE2/MSE1): " + ", ".join(f"beta {b}: {v:.3f}" for b, v in cvs.items())
                   + "; CV(N1/N2), reported only: " + ", ".join(f"{b}: {v:.2f}" for b, v in ncvs.items())
                   + f"; runs with an allocated neuron at bias < {SHIFTED_BIAS} (shifted solution, reported "
                   f"only): {labels or 'none'}",
                   figure=fig, details={"cv_mse_ratio": {str(k): v for k, v in cvs.items()},
                                        "cv_neuron_ratio": {str(k): v for k, v in ncvs.items()},
                                        "shifted_neuron_runs": [list(x) for x in shifted]})


@check("resource", "fig3_exponent_equal_constants",
       claim="Fig. 3C: MSE2/MSE1 = (beta/(1-beta))^kappa with kappa ~ 0.75, and parallel subtasks share one "
       "constant a = N*MSE; the optimal-allocation closure R5 predicts kappa = 1/2.",
       source=f"[paper] {SONG}, Fig. 3C (fig.); R5 [ours] (SC-4)", paper_value=theory.FIG3_EXPONENT)
def fig3_exponent_equal_constants(ctx) -> Outcome:
    runs = parallel_runs(ctx)
    xs, ys, consts = [], [], []
    for beta, r in runs.items():
        if beta == 0.5:
            continue
        odds = math.log(beta / (1 - beta))
        ratio = np.log(r["mse"][:, 1] / r["mse"][:, 0])
        xs += [odds] * ratio.size
        ys += ratio.tolist()
    for beta, r in runs.items():
        n1, n2 = r["neurons"][:, 0], r["neurons"][:, 1]
        good = (n1 > 0) & (n2 > 0)
        consts += np.abs(np.log(n1[good] * r["mse"][good, 0] / (n2[good] * r["mse"][good, 1]))).tolist()
    xs, ys = np.array(xs), np.array(ys)
    kappa = float(xs @ ys / (xs @ xs))
    med = float(np.median(consts)) if consts else float("inf")
    ok = abs(kappa - theory.FIG3_EXPONENT) <= 0.15 and med < math.log(1.5)
    fig, ax = _figure("Fig. 3C exponent", "β/(1-β)", "MSE₂/MSE₁")
    ax.plot(np.exp(xs), np.exp(ys), "o", label="experiment")
    odds = np.geomspace(1, 20, 30)
    ax.plot(odds, odds**kappa, "-", label=f"fit κ = {kappa:.2f}")
    ax.plot(odds, theory.allocation_ratio(odds / (1 + odds), theory.LAGRANGE_EXPONENT), "k--", label="R5: κ = 1/2")
    ax.plot(odds, theory.allocation_ratio(odds / (1 + odds), theory.FIG3_EXPONENT), "k:", label="Fig. 3C: κ = 0.75")
    ax.legend(fontsize=8)
    return Outcome(predicted=theory.LAGRANGE_EXPONENT, measured=kappa,
                   tolerance="|kappa - 0.75| <= 0.15 and median |log(N1 MSE1 / (N2 MSE2))| < log 1.5",
                   status="pass" if ok else "fail",
                   reason=f"kappa = {kappa:.3f} (R5 predicts 0.5, Fig. 3C ~0.75); median |log const ratio| = "
                   f"{med:.3f} (limit {math.log(1.5):.3f})",
                   figure=fig, details={"kappa": kappa, "median_log_constant_ratio": med})


@check("resource", "sequential_modularity",
       claim="The sequential composite task modularises (a layer-3 neuron tracks g(x)) and its loss falls with the "
       "total allocated neurons.",
       source=f"[paper] {SONG}, Fig. 4C (Pearson +0.994 / -0.991; slope ~ -1.7, tail ~ -1.2, fig.) (SC-5)")
def sequential_modularity(ctx) -> Outcome:
    r = sequential_runs(ctx)
    top_corr = float(r["layer3_corr"][-1])
    use = r["neurons"] >= 10
    slope = theil_sen_slope(np.log(r["neurons"][use]), np.log(r["mse"][use])) if use.sum() >= 2 else float("nan")
    ok = top_corr >= 0.95 and -2.0 <= slope <= -0.7
    fig, ax = _figure("Sequential task: MSE vs total allocated neurons", "allocated neurons (all layers)", "MSE")
    ax.plot(r["neurons"], r["mse"], "o-")
    for a, n_, m in zip(r["alphas"], r["neurons"], r["mse"]):
        ax.annotate(f"α={a:g}", (n_, m), fontsize=7)
    return Outcome(predicted=None, measured=slope,
                   tolerance="max layer-3 |Pearson(h, g)| at top alpha >= 0.95; Theil-Sen slope (N >= 10) in [-2, -0.7]",
                   status="pass" if ok else "fail",
                   reason=f"top-alpha layer-3 |Pearson| = {top_corr:.3f}; slope {slope:.3f} over "
                   f"{int(use.sum())} runs; N = {r['neurons'].tolist()}, MSE = "
                   + ", ".join(f"{m:.2e}" for m in r["mse"]),
                   figure=fig, details={"layer3_corr": r["layer3_corr"], "neurons": r["neurons"], "mse": r["mse"]})


# ---------------------------------------------------------------------------------------------
# Chinchilla checks
# ---------------------------------------------------------------------------------------------


def chinchilla_csv_candidates() -> list[Path]:
    """Paths tried, in order: ``$EFTTHEORY_CHINCHILLA_CSV``, then ``../shared/data/`` from the repository root."""
    out = []
    env = os.environ.get(CSV_ENV)
    if env:
        out.append(Path(env))
    root = Path(__file__).resolve().parent.parent
    out.append(root.parent / "shared" / "data" / CSV_NAME)
    return out


@functools.lru_cache(maxsize=1)
def chinchilla_points():
    """The points, or None when no candidate file exists."""
    for path in chinchilla_csv_candidates():
        if path.is_file():
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                return law.read_chinchilla_csv(path)
    return None


def _skip(tolerance: str) -> Outcome:
    tried = ", ".join(str(p) for p in chinchilla_csv_candidates())
    return Outcome(predicted=None, measured=None, tolerance=tolerance, status="skip",
                   reason=f"Chinchilla CSV absent (set {CSV_ENV}); tried: {tried}")


@functools.lru_cache(maxsize=4)
def _free_fit(ctx):
    p = chinchilla_points()
    return law.fit_chinchilla(p.N, p.D, p.loss, exclude_highest=EXCLUDE,
                              starts="single" if ctx.quick else "grid")


@functools.lru_cache(maxsize=1)
def _nll_fit():
    p = chinchilla_points()
    return law.fit_chinchilla(p.N, p.D, p.loss, objective="huber_nll", exclude_highest=EXCLUDE)


@functools.lru_cache(maxsize=4)
def _bootstrap(ctx):
    p = chinchilla_points()
    return law.bootstrap_chinchilla(p.N, p.D, p.loss, n_boot=1000 if ctx.quick else 4000,
                                    rng=ctx.rng("resource-bootstrap"), exclude_highest=EXCLUDE)


def _params_figure(title, fits: dict, reference: law.ChinchillaParams, points):
    fig, ax = _figure(title, "training FLOP C", "loss")
    c = points.C
    ax.scatter(c, points.loss, s=6, color="0.6", label="Epoch's points")
    grid = np.geomspace(c.min(), c.max(), 60)
    for k, n_ in enumerate((1e8, 1e9, 1e10)):
        color = f"C{k}"
        for label, prm in fits.items():
            ax.plot(grid, law.chinchilla_loss(n_, grid / (6 * n_), prm), "-", color=color, lw=1.0,
                    label=f"{label}, N = {n_:.0e}")
        ax.plot(grid, law.chinchilla_loss(n_, grid / (6 * n_), reference), ":", color="k", lw=1.0,
                label="Epoch's optimum" if k == 0 else None)
    ax.legend(fontsize=7)
    return fig


SC6_TOL = {"E": 0.002, "A": 5.0, "B": 25.0, "alpha": 0.001, "beta": 0.001}
SC6_TARGET = {"E": 1.8172, "A": 477.8, "B": 2143.0, "alpha": 0.3473, "beta": 0.3672}


@check("resource", "epoch_huber_sum_refit",
       claim="Refitting Chinchilla's law by the Huber sum on the 240 extracted points gives Epoch's optimum.",
       source=f"[third party] {EPOCH}, notebook cells 15-18 (Huber-sum grid optimum) (SC-6)",
       paper_value="E 1.8172, A 477.84, B 2143.86, alpha 0.34731, beta 0.36718")
def epoch_huber_sum_refit(ctx) -> Outcome:
    tol = "E ±0.002, A ±5, B ±25, alpha ±0.001, beta ±0.001 of Epoch's optimum; RMSE 0.0218 ± 0.0005"
    p = chinchilla_points()
    if p is None:
        return _skip(tol)
    fit = _free_fit(ctx)
    got = fit.params.as_dict()
    gaps = {k: abs(got[k] - SC6_TARGET[k]) for k in SC6_TARGET}
    ok = all(gaps[k] <= SC6_TOL[k] for k in gaps) and abs(fit.rmse - 0.0218) <= 0.0005
    return Outcome(predicted=None, measured=repr(fit.params), tolerance=tol, status="pass" if ok else "fail",
                   reason=", ".join(f"{k} {got[k]:.5g} (|Δ| {gaps[k]:.2g})" for k in gaps)
                   + f"; RMSE {fit.rmse:.5f}; objective {fit.objective_value:.7e}; {fit.message}",
                   figure=_params_figure("Huber-sum refit vs Epoch's points", {"refit": fit.params},
                                         law.EPOCH_2024_HUBER_SUM, p),
                   details={"params": got, "objective": fit.objective_value, "rmse": fit.rmse})


@check("resource", "epoch_headline",
       claim="Epoch's headline (Huber likelihood) refit is reproduced, and the Huber-sum fit lies within 0.5 SE of it.",
       source=f"[third party] {EPOCH}, notebook cells 19-26 (SC-7)",
       paper_value="A 482.01, B 2085.43, E 1.81686, alpha 0.34781, beta 0.36585")
def epoch_headline(ctx) -> Outcome:
    tol = "each parameter of huber_nll and of the Huber-sum fit within 0.5 Epoch SE of the headline"
    p = chinchilla_points()
    if p is None:
        return _skip(tol)
    nll, free = _nll_fit(), _free_fit(ctx)
    head = law.EPOCH_2024.as_dict()
    z_nll = {k: abs(nll.params.as_dict()[k] - head[k]) / law.EPOCH_2024_SE[k] for k in head}
    z_sum = {k: abs(free.params.as_dict()[k] - head[k]) / law.EPOCH_2024_SE[k] for k in head}
    worst = max(max(z_nll.values()), max(z_sum.values()))
    fig, ax = _figure("Distance to Epoch's headline in standard errors", "parameter", "|Δ| / SE", logx=False, logy=False)
    keys = list(head)
    ax.bar(np.arange(5) - 0.2, [z_nll[k] for k in keys], 0.4, label="huber_nll")
    ax.bar(np.arange(5) + 0.2, [z_sum[k] for k in keys], 0.4, label="huber_sum")
    ax.axhline(0.5, color="k", ls="--", lw=0.8)
    ax.set_xticks(np.arange(5), keys)
    ax.legend(fontsize=8)
    return Outcome(predicted=None, measured=worst, tolerance=tol, status="pass" if worst <= 0.5 else "fail",
                   reason=f"huber_nll: {nll.params!r}, s = {nll.log_scale:.4f}, {nll.status}; largest |Δ|/SE "
                   f"{max(z_nll.values()):.3g} (nll), {max(z_sum.values()):.3g} (sum)",
                   figure=fig, details={"nll_params": nll.params.as_dict(), "log_scale": nll.log_scale})


@check("resource", "epoch_intervals",
       claim="Bootstrap 95 % intervals match Epoch's; alpha's contains 1/3 and 0.34 but not 0.28, beta's excludes 0.28; "
       "the share s_N is ~0.51, not Hoffmann's 0.454.",
       source=f"[third party] {EPOCH}, notebook cells 19-26, 59 (SC-8)",
       paper_value="alpha (0.317, 0.373), beta (0.331, 0.415), E (1.769, 1.871); s_N 0.513")
def epoch_intervals(ctx) -> Outcome:
    tol = "endpoints alpha ±0.005, beta ±0.008, E ±0.01; alpha CI ∋ 1/3, 0.34, ∌ 0.28; beta CI ∌ 0.28; s_N 0.51 ± 0.02"
    p = chinchilla_points()
    if p is None:
        return _skip(tol)
    boot = _bootstrap(ctx)
    ci = boot.interval(0.95)
    tol_end = {"alpha": 0.005, "beta": 0.008, "E": 0.01}
    gaps = {k: max(abs(ci[k][0] - law.EPOCH_2024_CI95[k][0]), abs(ci[k][1] - law.EPOCH_2024_CI95[k][1]))
            for k in tol_end}
    s_n = float(np.mean(boot.share_N_samples))
    contains = ci["alpha"][0] <= 1 / 3 <= ci["alpha"][1] and ci["alpha"][0] <= 0.34 <= ci["alpha"][1]
    excludes = not (ci["alpha"][0] <= 0.28 <= ci["alpha"][1]) and not (ci["beta"][0] <= 0.28 <= ci["beta"][1])
    ok = all(gaps[k] <= tol_end[k] for k in gaps) and contains and excludes and abs(s_n - 0.51) <= 0.02
    fig, ax = _figure("Bootstrap of the Huber-sum refit", "α", "β", logx=False, logy=False)
    ax.scatter(boot.samples[:, 3], boot.samples[:, 4], s=3, alpha=0.3)
    ax.axvline(1 / 3, color="r", lw=0.8, label="α = 1/3 (resource model)")
    ax.plot([law.HOFFMANN_2022.alpha], [law.HOFFMANN_2022.beta], "k*", ms=10, label="Hoffmann 2022")
    ax.legend(fontsize=8)
    return Outcome(predicted=None, measured=f"alpha {ci['alpha'][0]:.3f}-{ci['alpha'][1]:.3f}",
                   tolerance=tol, status="pass" if ok else "fail",
                   reason=", ".join(f"{k} ({ci[k][0]:.4g}, {ci[k][1]:.4g}) max endpoint gap {gaps[k]:.3g}" for k in gaps)
                   + f"; s_N {s_n:.3f} ± {np.std(boot.share_N_samples):.3f}; {boot.samples.shape[0]} resamples, "
                   f"{boot.n_failed} failed",
                   figure=fig, details={"intervals": ci, "se": boot.se, "share_N": s_n})


@check("resource", "hoffmann_rejected",
       claim="Hoffmann et al.'s published parameters are rejected by the extracted data.",
       source=f"[third party] {EPOCH}, notebook cells 34 (chi2), 49/52 (LR) (SC-9)",
       paper_value="chi2(5) 238.4, LR 84.0")
def hoffmann_rejected(ctx) -> Outcome:
    tol = "chi2(5) > 100 with p < 1e-15; LR > 50"
    p = chinchilla_points()
    if p is None:
        return _skip(tol)
    chi = law.parameter_chi2_test(law.HOFFMANN_2022_UNROUNDED, _nll_fit(), _bootstrap(ctx))
    lr = law.likelihood_ratio_test(p.N, p.D, p.loss, law.HOFFMANN_2022_UNROUNDED, exclude_highest=EXCLUDE)
    ok = chi.statistic > 100 and chi.p_value < 1e-15 and lr.statistic > 50
    fig, ax = _figure("Residuals of log L", "training FLOP C", "log L̂ - log L", logy=False)
    keep = law.highest_loss_mask(p.loss, EXCLUDE)
    r_h = law.log_chinchilla_loss(p.N[keep], p.D[keep], law.HOFFMANN_2022_UNROUNDED) - np.log(p.loss[keep])
    ax.scatter(p.C[keep], r_h, s=5, label="Hoffmann (unrounded)")
    ax.scatter(p.C[keep], _nll_fit().residuals, s=5, label="Epoch-style refit")
    ax.axhline(0, color="k", lw=0.6)
    ax.legend(fontsize=8)
    return Outcome(predicted=None, measured=chi.statistic, tolerance=tol, status="pass" if ok else "fail",
                   reason=f"chi2 {chi.statistic:.1f} (p {chi.p_value:.2g}); LR {lr.statistic:.1f} (p {lr.p_value:.2g})",
                   figure=fig, details={"chi2": chi.statistic, "chi2_p": chi.p_value, "lr": lr.statistic})


@check("resource", "tokens_per_parameter",
       claim="At Chinchilla's 5.88e23 FLOP the compute-optimal ratio is ~20 tokens per parameter.",
       source=f"[paper] {HOFFMANN} (70B, 1.4T tokens); [third party] {EPOCH} (SC-10)", paper_value=20.0)
def tokens_per_parameter(ctx) -> Outcome:
    tol = "D_opt/N_opt at 5.88e23 FLOP from the Huber-sum refit: 18 ± 1.5; Hoffmann unrounded 59.0 (rtol 1e-3)"
    p = chinchilla_points()
    if p is None:
        return _skip(tol)
    fit = _free_fit(ctx)
    ratio = float(fit.tokens_per_parameter(CHINCHILLA_COMPUTE))
    hoff = float(law.compute_optimal_allocation(CHINCHILLA_COMPUTE, law.HOFFMANN_2022_UNROUNDED).tokens_per_parameter)
    ok = abs(ratio - 18.0) <= 1.5 and abs(hoff - 59.0) <= 1e-3 * 59.0
    fig, ax = _figure("Compute-optimal tokens per parameter", "compute C (FLOP)", "D_opt / N_opt")
    grid = np.geomspace(1e18, 1e26, 60)
    for label, prm in (("refit", fit.params), ("Hoffmann unrounded", law.HOFFMANN_2022_UNROUNDED),
                       ("Epoch headline", law.EPOCH_2024)):
        ax.plot(grid, law.compute_optimal_allocation(grid, prm).tokens_per_parameter, label=label)
    ax.axvline(CHINCHILLA_COMPUTE, color="k", ls=":", lw=0.8)
    ax.axhline(20, color="k", ls="--", lw=0.8)
    ax.legend(fontsize=8)
    return Outcome(predicted=None, measured=ratio, tolerance=tol, status="pass" if ok else "fail",
                   reason=f"refit {ratio:.2f}; Hoffmann unrounded {hoff:.4f}; Chinchilla's own 1.4e12/7e10 = 20",
                   figure=fig, details={"hoffmann_unrounded": hoff})


@check("resource", "alpha_one_third",
       claim="The resource model's alpha = 1/3 (gamma = 1, redundancy phase) is compatible with the data: inside the "
       "bootstrap interval, and constraining it costs < 1 % objective.",
       source=f"[paper] {SONG} (l ~ N_p^-1/3); chain [third party]; gamma form and test [ours] (SC-11)",
       paper_value=1 / 3)
def alpha_one_third(ctx) -> Outcome:
    tol = "parameter_exponent(1) inside the bootstrap alpha interval; fixed-alpha objective <= 1.01 x free"
    predicted = theory.parameter_exponent(1.0, "redundancy")
    p = chinchilla_points()
    if p is None:
        return _skip(tol)
    free = _free_fit(ctx)
    fixed = law.fit_chinchilla(p.N, p.D, p.loss, exclude_highest=EXCLUDE, fixed={"alpha": predicted})
    ci = _bootstrap(ctx).interval(0.95)["alpha"]
    cost = fixed.objective_value / free.objective_value
    gamma_real = theory.gamma_from_shape(2.52)
    alt = theory.parameter_exponent(gamma_real, "redundancy")
    ok = ci[0] <= predicted <= ci[1] and cost <= 1.01
    fig, ax = _figure("Exponent of N: resource model vs data", "γ (depth ∝ width^γ)", "α_N", logx=False, logy=False)
    gs = np.linspace(0, 2, 50)
    ax.plot(gs, [theory.parameter_exponent(g, "redundancy") for g in gs], label="redundancy 1/(2+γ)")
    ax.plot(gs, [theory.parameter_exponent(g, "structural") for g in gs], label="structural (1+γ)/(2+γ)")
    ax.axhspan(ci[0], ci[1], color="C2", alpha=0.2, label="bootstrap 95 % interval of α")
    ax.axvline(gamma_real, color="k", ls=":", lw=0.8, label="Chinchilla shape γ ≈ 0.52")
    ax.legend(fontsize=7)
    return Outcome(predicted=predicted, measured=free.params.alpha, tolerance=tol, status="pass" if ok else "fail",
                   reason=f"alpha interval ({ci[0]:.4f}, {ci[1]:.4f}); fixed-alpha objective ratio {cost:.5f}; "
                   f"fixed fit {fixed.params!r}; note: gamma 0.52 gives {alt:.3f}, "
                   f"{'inside' if ci[0] <= alt <= ci[1] else 'outside'} the interval (reported, not judged)",
                   figure=fig, details={"objective_ratio": cost, "gamma_052_exponent": alt,
                                        "fixed_params": fixed.params.as_dict()})


# ---------------------------------------------------------------------------------------------
# synthetic recovery (no data needed)
# ---------------------------------------------------------------------------------------------


def synthetic_points(truth: law.ChinchillaParams, sigma: float, rng, n: int = 240):
    """Spec section 3.3 design: log-uniform N and C, D = C/(6N) kept in [2e8, 4e11], log-normal noise."""
    n_out, d_out = [], []
    while len(n_out) < n:
        log_n = rng.uniform(math.log(5e7), math.log(2e10), 4 * n)
        log_c = rng.uniform(math.log(1e18), math.log(1.3e22), 4 * n)
        d = np.exp(log_c) / (6 * np.exp(log_n))
        ok = (d >= 2e8) & (d <= 4e11)
        n_out += np.exp(log_n[ok]).tolist()
        d_out += d[ok].tolist()
    N, D = np.array(n_out[:n]), np.array(d_out[:n])
    loss = np.exp(law.log_chinchilla_loss(N, D, truth) + sigma * rng.standard_normal(n))
    return N, D, loss


@check("resource", "synthetic_recovery",
       claim="Data drawn from a known Chinchilla law with noise are fitted back within 3 bootstrap standard errors.",
       source="[ours] spec section 3.3 design; truth = Epoch's Huber-sum optimum [third party]")
def synthetic_recovery(ctx) -> Outcome:
    rng = ctx.rng("resource-synthetic")
    truth = law.EPOCH_2024_HUBER_SUM
    sigma = 0.009  # the real refit's scatter in log L
    N, D, loss = synthetic_points(truth, sigma, rng)
    fit = law.fit_chinchilla(N, D, loss, n_boot=200 if ctx.quick else 1000, rng=rng)
    got, want = fit.params.as_dict(), truth.as_dict()
    z = {k: abs(got[k] - want[k]) / fit.bootstrap.se[k] for k in want}
    worst = max(z.values())
    fig, ax = _figure("Synthetic recovery: |fit - truth| / bootstrap SE", "parameter", "z", logx=False, logy=False)
    ax.bar(np.arange(5), [z[k] for k in want])
    ax.axhline(3, color="k", ls="--", lw=0.8)
    ax.set_xticks(np.arange(5), list(want))
    return Outcome(predicted=0.0, measured=worst, tolerance="|fit - truth| <= 3 bootstrap SE for every parameter",
                   status="pass" if worst <= 3 else "fail",
                   reason=", ".join(f"{k} z={v:.2f}" for k, v in z.items()) + f" (sigma {sigma}, n 240)",
                   figure=fig, details={"z": z})
