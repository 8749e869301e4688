"""Benchmark (b): NumPy MLP trainers of ``models`` against PyTorch eager CPU.

Work: a 1 -> W -> W -> 1 tanh MLP regressing y = x^2 on 256 points, full batch,
Adam(lr 1e-3), float64, one thread everywhere (``torch.set_num_threads(1)``,
BLAS limited to one thread). Two measurements per width W in {10, 100, 1000}:
one training step and a short run of 500 (quick: 20) steps. Backends: our NumPy
loop, our jitted loop (widths <= 100) and PyTorch when importable. Times are
medians of repeats; ``ratio`` is torch time / our time (> 1: we are faster).
"""

from __future__ import annotations


import numpy as np

from models.blas import blas_threads
from models.mlp import init_mlp
from models.optimizers import Adam
from models.training import train_mlp
from benchmarks.timing import median_time


def _median_time(fn, repeats):
    """Median seconds after one warm-up call (compilation, caches)."""
    fn()
    return median_time(fn, repeats)[0]

WIDTHS = (10, 100, 1000)
N_POINTS = 256


def _torch_runner(mlp, x, y):
    import torch

    torch.set_num_threads(1)
    layers = []
    for k, (w, b) in enumerate(zip(mlp.weights, mlp.biases)):
        lin = torch.nn.Linear(w.shape[0], w.shape[1], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w.T.copy()))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if k < len(mlp.weights) - 1:
            layers.append(torch.nn.Tanh())
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def run(steps):
        model = torch.nn.Sequential(*[layer for layer in layers])
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.MSELoss()
        for _ in range(steps):
            opt.zero_grad()
            loss = loss_fn(model(xt), yt)
            loss.backward()
            opt.step()
        return float(loss.detach())

    return run


def run(quick: bool) -> list[dict]:
    """Return one row per (width, work, backend) with median seconds and torch/ours ratios."""
    steps = 20 if quick else 500
    repeats = 3 if quick else 7
    x = np.linspace(-2, 2, N_POINTS)[:, None]
    y = x ** 2
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    rows = []
    for width in WIDTHS:
        mlp = init_mlp((1, width, width, 1), activation="tanh", rng=0)
        for work, n_steps in (("one step", 1), (f"{steps} Adam steps", steps)):
            reps = repeats if n_steps > 1 else repeats * 5
            timings = {}
            with blas_threads(1):
                timings["numpy"] = _median_time(
                    lambda: train_mlp(mlp, x, y, steps=n_steps, optimizer=Adam(1e-3),
                                      record_every=0), reps)
                if width <= 100:
                    timings["numba"] = _median_time(
                        lambda: train_mlp(mlp, x, y, steps=n_steps, optimizer=Adam(1e-3),
                                          record_every=0, backend="numba"), reps)
            torch_seconds = None
            if have_torch:
                runner = _torch_runner(mlp, x, y)
                torch_seconds = _median_time(lambda: runner(n_steps), reps)
            for backend, seconds in timings.items():
                row = {"benchmark": "mlp_training", "width": width, "work": work,
                       "backend": f"models ({backend})", "seconds": seconds}
                if torch_seconds is None:
                    row["torch_seconds"] = None
                    row["ratio"] = None
                    row["note"] = "skipped: torch not installed"
                else:
                    row["torch_seconds"] = torch_seconds
                    row["ratio"] = torch_seconds / seconds
                rows.append(row)
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run(quick=True):
        print(row)
