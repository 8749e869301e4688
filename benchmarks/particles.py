"""Benchmark (a): efttheory RK4 vs ``scipy.integrate.solve_ivp`` on a pairwise particle system.

N particles in d = 2 with softened Coulomb repulsion and harmonic confinement,
:math:`\\ddot x_i = \\sum_j k (x_i - x_j)/(r_{ij}^2 + \\epsilon^2)^{3/2} - x_i`. scipy is
timed twice: calling the same jitted force kernel through a Python wrapper (the
kernel then dominates, so the ratio measures integrator overhead only), and with
a vectorised NumPy right-hand side (what a user without the kernel would write). Accuracy is matched: each method's final-state error
against a tight reference (RK4 with a 4x smaller step than any timed run,
checked against DOP853 at rtol 1e-12 for N <= 100) is measured, and the RK45
tolerance is chosen from a short ladder as the loosest one whose error is at
most RK4's.
"""

from __future__ import annotations


import numpy as np
from numba import njit
from scipy.integrate import solve_ivp

from efttheory.solvers import coulomb_law, pairwise_forces_kernel, rk4
from benchmarks.timing import median_time as _median_time

D = 2
LAW = coulomb_law(0.05, softening=0.05)
NO_WEIGHTS = np.empty((0, 0))


@njit(cache=True)
def confined_coulomb(t, y, args):
    """State y = (positions (d, N), velocities (d, N)) flattened; returns dy/dt."""
    code, params, weights, d = args
    n = y.size // (2 * d)
    x = y[: d * n].reshape((d, n))
    forces, _ = pairwise_forces_kernel(x, code, params, weights)
    out = np.empty_like(y)
    out[: d * n] = y[d * n:]
    out[d * n:] = (forces - x).reshape(d * n)
    return out


def confined_coulomb_numpy(t, y):
    """The same right-hand side written in vectorised NumPy (all ordered pairs)."""
    k, _, eps = LAW.params
    n = y.size // (2 * D)
    x = y[: D * n].reshape(D, n)
    diff = x[:, :, None] - x[:, None, :]
    s = (diff**2).sum(axis=0) + eps**2
    forces = (k * diff * s ** -1.5).sum(axis=2)
    return np.concatenate([y[D * n:], (forces - x).reshape(-1)])


def _initial_state(n: int) -> np.ndarray:
    rng = np.random.default_rng(n)
    return np.concatenate([rng.normal(size=D * n), 0.1 * rng.normal(size=D * n)])


def run(quick: bool) -> list[dict]:
    """Time RK4 and solve_ivp(RK45) at matched final accuracy for N = 10, 100, 1000."""
    sizes = (1000,) if quick else (10, 100, 1000)
    rows = []
    for n in sizes:
        args = (LAW.code, LAW.params, NO_WEIGHTS, D)
        y0 = _initial_state(n)
        t_end = 0.2 if n == 1000 else 1.0
        dt = t_end / (20 if n == 1000 else 100)
        repeats = 1 if (quick or n == 1000) else 5
        t_eval = np.array([0.0, t_end])

        rk4(confined_coulomb, y0, t_eval, dt=dt, args=args)  # compile
        reference = rk4(confined_coulomb, y0, t_eval, dt=dt / 4, args=args).y[-1]
        ref_check = None
        if n <= 100:
            tight = solve_ivp(lambda t, y: confined_coulomb(t, y, args), (0.0, t_end), y0,
                              method="DOP853", rtol=1e-12, atol=1e-12)
            ref_check = float(np.abs(tight.y[:, -1] - reference).max())
            reference = tight.y[:, -1]

        seconds_rk4, sol = _median_time(
            lambda: rk4(confined_coulomb, y0, t_eval, dt=dt, args=args), repeats
        )
        err_rk4 = float(np.abs(sol.y[-1] - reference).max())

        def scipy_run(rtol):
            return solve_ivp(lambda t, y: confined_coulomb(t, y, args), (0.0, t_end), y0,
                             method="RK45", rtol=rtol, atol=rtol * 1e-2)

        chosen = None
        for rtol in (1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10):
            out = scipy_run(rtol)
            err = float(np.abs(out.y[:, -1] - reference).max())
            chosen = (rtol, err, out.nfev)
            if err <= err_rk4:
                break
        rtol, err_scipy, nfev = chosen
        seconds_scipy, _ = _median_time(lambda: scipy_run(rtol), repeats)
        seconds_numpy, out_np = _median_time(
            lambda: solve_ivp(confined_coulomb_numpy, (0.0, t_end), y0, method="RK45",
                              rtol=rtol, atol=rtol * 1e-2), 1)
        err_numpy = float(np.abs(out_np.y[:, -1] - reference).max())
        pairs = n * (n - 1) / 2
        rows.append({
            "name": "rk4_vs_solve_ivp_RK45",
            "N": n,
            "steps_rk4": sol.n_steps,
            "nfev_rk4": sol.n_evaluations,
            "nfev_scipy": int(nfev),
            "scipy_rtol": rtol,
            "seconds_efttheory": seconds_rk4,
            "seconds_scipy": seconds_scipy,
            "speedup": seconds_scipy / seconds_rk4,
            "seconds_scipy_numpy_rhs": seconds_numpy,
            "speedup_vs_numpy_rhs": seconds_numpy / seconds_rk4,
            "error_scipy_numpy_rhs": err_numpy,
            "error_efttheory": err_rk4,
            "error_scipy": err_scipy,
            "reference_check": ref_check,
            "pair_evals_per_s": pairs * sol.n_evaluations / seconds_rk4,
        })
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run(False):
        print(row)
