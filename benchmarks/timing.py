"""Timing of one benchmark case: medians of repeated calls, wall clock and process CPU."""

from __future__ import annotations

import time

import numpy as np

__all__ = ["median_time", "median_times"]


def median_times(fn, repeats: int) -> tuple[float, float, object]:
    """Median wall-clock and process-CPU seconds of ``repeats`` calls, and the last result.

    CPU seconds stay meaningful on a busy machine, where wall-clock times are inflated.
    """
    wall, cpu, out = [], [], None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return float(np.median(wall)), float(np.median(cpu)), out


def median_time(fn, repeats: int) -> tuple[float, object]:
    """Median wall-clock seconds of ``repeats`` calls, and the last result."""
    seconds, _, out = median_times(fn, repeats)
    return seconds, out
