"""The one sweep runner: map a function over independent points, in order.

Every sweep over independent points (seeds, widths, learning-rate grids, tasks)
goes through :func:`run_sweep`. Point ``i`` receives child ``i`` of
``numpy.random.SeedSequence(seed).spawn(len(points))``, so its result depends
only on the point and the seed, never on which worker ran it or when. The
embedded default runs on local processes sized to the machine; given a
``scheduler`` address it submits the same points to an existing Dask
distributed cluster (optional extra ``dask[distributed]``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
import multiprocessing

import numpy as np

from validation.allocator import keep_temporaries_on_heap
from validation.blas import limit_blas_threads

__all__ = ["point_seeds", "run_sweep", "default_workers"]


def point_seeds(seed: int, n_points: int) -> list[np.random.SeedSequence]:
    """The per-point seed sequences: children of ``SeedSequence(seed)``."""
    return np.random.SeedSequence(seed).spawn(n_points)


def default_workers(n_points: int) -> int:
    """Local processes to use: one per core, never more than there are points."""
    return max(1, min(os.cpu_count() or 1, n_points))


def _call(fn, point, seed_seq):
    limit_blas_threads()
    keep_temporaries_on_heap()
    return fn(point, seed_seq)


def _worker_init():
    limit_blas_threads()
    keep_temporaries_on_heap()


def run_sweep(
    fn: Callable,
    points: Sequence,
    *,
    seed: int = 0,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cost: Callable[[object], float] | None = None,
) -> list:
    """Evaluate ``fn(point, seed_sequence)`` for every point; results in point order.

    Parameters
    ----------
    fn : callable
        A picklable (module-level) function ``fn(point, seed_sequence) -> result``.
    points : sequence
        Picklable point specifications.
    seed : int
        Root seed; point ``i`` gets ``SeedSequence(seed).spawn(n)[i]``.
    scheduler : str, optional
        Address of an existing Dask distributed scheduler (``"tcp://host:8786"``).
        Requires the optional ``dask[distributed]`` extra.
    workers : int, optional
        Local processes (default: one per core, at most one per point).
        ``1`` runs in this process, which is also what happens for one point.
    progress : callable, optional
        Called as ``progress(done, total)`` after each point completes.
    cost : callable, optional
        ``cost(point)``: a relative run-time estimate. Local processes then start the
        most expensive points first (longest-processing-time order), which shortens
        the wall time when points differ in cost. Seeds and result order still follow
        ``points``, so results do not change.

    Returns
    -------
    list
        ``[fn(points[0], s0), fn(points[1], s1), ...]``.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {fn!r}")
    points = list(points)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a positive integer or None, got {workers!r}")
    seeds = point_seeds(int(seed), len(points))
    total = len(points)
    report = progress or (lambda done, total: None)
    if total == 0:
        return []
    if scheduler is not None:
        return _run_dask(fn, points, seeds, scheduler, report)
    n_workers = workers if workers is not None else default_workers(total)
    if n_workers == 1 or total == 1:
        results = []
        for i, (point, s) in enumerate(zip(points, seeds)):
            results.append(_call(fn, point, s))
            report(i + 1, total)
        return results
    results = [None] * total
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=n_workers, mp_context=context, initializer=_worker_init) as pool:
        order = range(total) if cost is None else sorted(range(total), key=lambda i: -float(cost(points[i])))
        futures = {pool.submit(_call, fn, points[i], seeds[i]): i for i in order}
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            report(done, total)
    return results


def _run_dask(fn, points, seeds, scheduler, report):
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise ImportError(
            "scheduler= needs the optional Dask extra: pip install 'dask[distributed]'"
        ) from exc
    close = False
    if isinstance(scheduler, str):
        client = Client(scheduler, set_as_default=False)
        close = True
    else:  # an existing Client or LocalCluster object
        client = scheduler if hasattr(scheduler, "submit") else Client(scheduler, set_as_default=False)
        close = client is not scheduler
    try:
        futures = [
            client.submit(_call, fn, p, s, pure=False, key=f"sweep-point-{i}-{os.getpid()}-{id(points)}")
            for i, (p, s) in enumerate(zip(points, seeds))
        ]
        results = []
        for done, future in enumerate(futures, start=1):
            results.append(future.result())
            report(done, len(futures))
        return results
    finally:
        if close:
            client.close()


def print_progress(label: str) -> Callable[[int, int], None]:
    """A progress callback printing ``label: done/total`` on stderr."""
    interactive = sys.stderr.isatty()

    def show(done: int, total: int) -> None:
        end = "\n" if (done == total or not interactive) else ""
        prefix = "\r" if interactive else ""
        print(f"{prefix}    {label}: {done}/{total} points", end=end, file=sys.stderr, flush=True)

    return show
