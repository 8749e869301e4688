"""Benchmark: the linear mapping number of the grokking MLP, Numba kernel vs batched NumPy twin.

The map is the paper's *first hidden layer -> logits* of the mod-31 network,
h1 (100) -> Linear(100, 100) + SiLU -> Linear(100, 31), at initialisation
(PyTorch-style uniform weights), on N samples drawn from N(0, 1) (the cost does
not depend on the values). ``numba`` is
:func:`efttheory.complexity.mlp_linear_mapping_number` (parallel kernel streaming
the N(N-1)/2 pairs, memory O(N^2 + T d)); ``numpy`` is the same function with
``backend="numpy"``, the batched reference that pushes ``batch_pairs`` x 21 path
points through the whole chain at once (memory O(N^2 + batch_pairs T d)). Peak
memory of the kernel is the N x N matrix plus per-thread (16 T x d) scratch.
The tests hold the two to 1e-10; each row records their largest difference of L,
and the kernel's thread count (``numba_threads``; the twin runs on one BLAS thread).
"""

from __future__ import annotations

import numba
import numpy as np

from efttheory.complexity import mlp_linear_mapping_number
from benchmarks.timing import median_time as _median_time

WIDTH, N_CLASSES, N_LAMBDA = 100, 31, 21


def _layers(rng):
    bound = 1.0 / np.sqrt(WIDTH)
    ws = [rng.uniform(-bound, bound, (WIDTH, WIDTH)), rng.uniform(-bound, bound, (WIDTH, N_CLASSES))]
    bs = [rng.uniform(-bound, bound, WIDTH), rng.uniform(-bound, bound, N_CLASSES)]
    return ws, bs


def run(quick: bool) -> list[dict]:
    """Time both backends at N = 128 and 512 (quick: 128, and 512 with one repeat)."""
    rng = np.random.default_rng(0)
    ws, bs = _layers(rng)
    acts = ["silu", "identity"]
    mlp_linear_mapping_number(rng.standard_normal((4, WIDTH)), ws, bs, acts)  # compile
    rows = []
    for n in (128, 512):
        H = rng.standard_normal((n, WIDTH))
        repeats = 1 if (quick or n == 512) else 3
        t_numba, fast = _median_time(lambda: mlp_linear_mapping_number(H, ws, bs, acts), repeats)
        t_numpy, slow = _median_time(
            lambda: mlp_linear_mapping_number(H, ws, bs, acts, backend="numpy"), 1)
        pairs = n * (n - 1) // 2
        rows.append({
            "N": n,
            "pairs": pairs,
            "numba_s": t_numba,
            "numpy_s": t_numpy,
            "speedup": t_numpy / t_numba,
            "numba_threads": numba.get_num_threads(),  # the kernel is parallel; the twin's BLAS is not
            "lmn": fast.lmn,
            "max_abs_diff_L": float(np.abs(fast.connectivity - slow.connectivity).max()),
            "kernel_memory_MB": (n * n + n * WIDTH * 2) * 8 / 1e6,
            "numpy_batch_memory_MB": 4096 * N_LAMBDA * (2 * WIDTH + N_CLASSES) * 8 / 1e6,
        })
    return rows
