"""Benchmark (repons): the GenEFT repon ODEs, efttheory vs ``scipy.integrate.solve_ivp``.

1. Many-repon system (N = 30, 100, 1000 repons in d = 2, one linear head, class
   weights of 3 classes): efttheory's fixed-step RK4 kernel (forces from the shared
   pairwise kernel) against ``solve_ivp(RK45)`` called with the same jitted
   right-hand side through a Python wrapper, and with a vectorised NumPy
   right-hand side (graph Laplacian, what a user without the kernel would write).
   Accuracy is matched against a converged reference (DOP853, rtol 1e-12, whose own
   error estimate must be below 1e-3 of the target): RK4's step count doubles from 50
   until its final-state error is at most 1e-5, then RK45's tolerance is the loosest
   of a short ladder whose final-state error is at most RK4's.
2. A 10^4-draw Monte-Carlo of the two-repon model (Eq. 10, rho = 1, t_end = 500,
   collision when |c| < 0.05 |c0|): efttheory's batched rate-limited RK4 against
   ``solve_ivp(RK45)`` per draw (timed on a subsample and scaled to 10^4 draws), and the
   closed form evaluated at t_end for reference.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.integrate import solve_ivp

from efttheory import generalization as G
from efttheory.generalization import _kernels
from benchmarks.timing import median_time as _median_time
from benchmarks.timing import median_times

D = 2
ETA_X, ETA_A = 0.5, 0.25
PARAMS = np.array([1.0, 0.0, 0.0])


def _system(n: int):
    rng = np.random.default_rng(n)
    labels = np.arange(n) % 3
    weights = G.class_weights(labels)
    x0 = rng.normal(size=(n, D))
    head0 = rng.normal(size=(1, D))
    return x0, head0, weights


def _pack(x, head):
    return np.concatenate([x.ravel(), head.ravel()])


def _unpack(y, n):
    return y[: n * D].reshape(n, D), y[n * D:].reshape(1, D)


def _jitted_rhs(weights, n):
    def rhs(t, y):
        x, head = _unpack(y, n)
        dx, dh, _ = _kernels.many_repon_rhs(np.ascontiguousarray(x.T), head, weights, ETA_X, ETA_A, PARAMS)
        return _pack(dx.T, dh)
    return rhs


def _numpy_rhs(weights, n):
    laplacian = np.diag(weights.sum(axis=1)) - weights

    def rhs(t, y):
        x, head = _unpack(y, n)
        lx = laplacian @ x
        dx = -ETA_X * lx @ (head.T @ head)
        dh = -ETA_A * head @ (x.T @ lx)
        return _pack(dx, dh)
    return rhs


#: Final-state accuracy both integrators must reach (max abs error against the reference).
TARGET_ERROR = 1e-5
#: solve_ivp tolerances tried, loosest first; the loosest at least as accurate as RK4 is timed.
RTOL_LADDER = (1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10)
RK4_START_STEPS = 50
RK4_MAX_STEPS = 50 * 2**10


def _reference(rhs, y0, t_end):
    """Converged final state: DOP853 at rtol 1e-12 (atol 1e-14), and its own error estimate (the
    change from rtol 1e-11), which must lie far below :data:`TARGET_ERROR`."""
    tight = solve_ivp(rhs, (0.0, t_end), y0, method="DOP853", rtol=1e-12, atol=1e-14)
    looser = solve_ivp(rhs, (0.0, t_end), y0, method="DOP853", rtol=1e-11, atol=1e-13)
    if not (tight.success and looser.success):
        raise RuntimeError("the DOP853 reference failed to integrate")
    return tight.y[:, -1], float(np.abs(tight.y[:, -1] - looser.y[:, -1]).max())


def _many_repons(n: int, quick: bool) -> dict:
    """RK4 and RK45 at matched accuracy: RK4's step count doubles from 50 until its final-state
    error is at most TARGET_ERROR; RK45's rtol is then the loosest of the ladder at least as
    accurate as that RK4 run."""
    x0, head0, weights = _system(n)
    t_end = 0.5
    repeats = 1 if (quick or n >= 1000) else 3
    G.integrate_many_repons(x0, head0, weights, ETA_X, ETA_A, t_end / 2, dt=t_end / 2)  # compile
    y0 = _pack(x0, head0)
    jitted = _jitted_rhs(weights, n)
    ref, ref_error = _reference(jitted, y0, t_end)
    if ref_error > 1e-3 * TARGET_ERROR:
        raise RuntimeError(f"reference not converged: {ref_error:.1e} vs target {TARGET_ERROR:.0e}")

    def rk4(steps):
        return G.integrate_many_repons(x0, head0, weights, ETA_X, ETA_A, t_end, dt=t_end / steps,
                                       record_every=steps)

    steps = RK4_START_STEPS
    ladder = []
    while True:
        sol = rk4(steps)
        err_rk4 = float(np.abs(_pack(sol.x[-1], sol.head[-1]) - ref).max())
        ladder.append((steps, err_rk4))
        if err_rk4 <= TARGET_ERROR or steps >= RK4_MAX_STEPS:
            break
        steps *= 2
    seconds_rk4, cpu_rk4, sol = median_times(lambda: rk4(steps), repeats)
    chosen = None
    for rtol in RTOL_LADDER:
        out = solve_ivp(jitted, (0.0, t_end), y0, method="RK45", rtol=rtol, atol=rtol * 1e-2)
        err = float(np.abs(out.y[:, -1] - ref).max())
        chosen = (rtol, err, out.nfev)
        if err <= err_rk4:
            break
    rtol, err_scipy, nfev = chosen
    seconds_scipy, cpu_scipy, _ = median_times(
        lambda: solve_ivp(jitted, (0.0, t_end), y0, method="RK45", rtol=rtol, atol=rtol * 1e-2), repeats)
    numpy_rhs = _numpy_rhs(weights, n)
    seconds_numpy, cpu_numpy, out_np = median_times(
        lambda: solve_ivp(numpy_rhs, (0.0, t_end), y0, method="RK45", rtol=rtol, atol=rtol * 1e-2), repeats)
    return {
        "name": "many_repons_rk4_vs_solve_ivp",
        "N": n,
        "target_error": TARGET_ERROR,
        "reference": "DOP853 rtol 1e-12",
        "reference_error_estimate": ref_error,
        "steps_rk4": steps,
        "rk4_step_ladder": ladder,
        "nfev_rk4": 4 * steps,
        "nfev_scipy": int(nfev),
        "scipy_rtol": rtol,
        "scipy_matched": bool(err_scipy <= err_rk4),
        "seconds_efttheory": seconds_rk4,
        "seconds_scipy_jitted_rhs": seconds_scipy,
        "speedup": seconds_scipy / seconds_rk4,
        "cpu_speedup": cpu_scipy / cpu_rk4,
        "seconds_scipy_numpy_rhs": seconds_numpy,
        "speedup_vs_numpy_rhs": seconds_numpy / seconds_rk4,
        "cpu_speedup_vs_numpy_rhs": cpu_numpy / cpu_rk4,
        "error_efttheory": err_rk4,
        "error_scipy": err_scipy,
        "error_scipy_numpy_rhs": float(np.abs(out_np.y[:, -1] - ref).max()),
        "invariant_drift_efttheory": sol.relative_drift,
    }


def _two_repon_mc(quick: bool) -> dict:
    n_draws = 10_000
    rng = np.random.default_rng(0)
    a0 = rng.normal(size=n_draws)
    c0 = rng.normal(size=n_draws)
    eta_enc, eta_dec, t_end = 1.0, 0.5, 500.0
    G.integrate_repons(a0[:2], c0[:2], eta_dec, eta_enc, 1.0, step="rate", h=0.1)  # compile
    seconds_rk4, traj = _median_time(
        lambda: G.integrate_repons(a0, c0, eta_dec, eta_enc, t_end, step="rate", h=0.1), 1)
    p_rk4 = float(np.mean(np.abs(traj.c[-1]) < 0.05 * np.abs(c0)))

    def scipy_one(i):
        def rhs(t, y):
            return [-2 * eta_dec * y[1] ** 2 * y[0], -eta_enc * y[0] ** 2 * y[1]]
        return solve_ivp(rhs, (0.0, t_end), [a0[i], c0[i]], method="RK45", rtol=1e-8, atol=1e-10).y[:, -1]

    sub = 50 if quick else 200
    start = time.perf_counter()
    ends = np.array([scipy_one(i) for i in range(sub)])
    seconds_sub = time.perf_counter() - start
    agree = float(np.mean((np.abs(ends[:, 1]) < 0.05 * np.abs(c0[:sub]))
                          == (np.abs(traj.c[-1, :sub]) < 0.05 * np.abs(c0[:sub]))))
    seconds_closed, (a_cf, c_cf) = _median_time(lambda: G.repon_closed_form(a0, c0, eta_dec, eta_enc, t_end), 3)
    p_closed = float(np.mean(np.abs(c_cf) < 0.05 * np.abs(c0)))
    return {
        "name": "two_repon_mc_1e4",
        "N": n_draws,
        "mean_steps_rk4": float(traj.steps.mean()),
        "seconds_efttheory": seconds_rk4,
        "seconds_scipy_extrapolated": seconds_sub * n_draws / sub,
        "speedup": seconds_sub * n_draws / sub / seconds_rk4,
        "scipy_draws_timed": sub,
        "fate_agreement_scipy": agree,
        "p_collide_rk4": p_rk4,
        "p_collide_closed_form": p_closed,
        "p_eq12": G.generalization_probability(eta_enc, eta_dec),
        "seconds_closed_form": seconds_closed,
    }


def run(quick: bool) -> list[dict]:
    """Many-repon RK4 vs solve_ivp (N = 30, 100, 1000; quick: N = 100) and the 10^4-draw MC."""
    sizes = (100,) if quick else (30, 100, 1000)
    rows = [_many_repons(n, quick) for n in sizes]
    rows.append(_two_repon_mc(quick))
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run(False):
        print(row)
