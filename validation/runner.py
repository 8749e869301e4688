"""Run registered checks, time them, save their figures and collect :class:`Check` rows."""

from __future__ import annotations

import sys
import time
import traceback
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from validation.check import Check, Outcome
from validation.registry import CheckSpec
from validation.sweep import print_progress, run_sweep

__all__ = ["RunContext", "run_checks"]


@dataclass(frozen=True)
class RunContext:
    """What a check function gets: run size, seeds and the sweep runner.

    Attributes
    ----------
    quick : bool
        Reduced sizes for CI.
    seed : int
        Root seed of the run; every check derives its own streams from it.
    scheduler : str or None
        Dask scheduler address for sweeps (local processes when None).
    workers : int or None
        Local worker processes for sweeps.
    """

    quick: bool = False
    seed: int = 0
    scheduler: str | None = None
    workers: int | None = None

    def seed_sequence(self, *keys: str) -> np.random.SeedSequence:
        """A stream for ``keys`` (e.g. the check name), stable across runs and Python versions."""
        words = [zlib.crc32(str(k).encode()) for k in keys]
        return np.random.SeedSequence([self.seed, *words])

    def int_seed(self, *keys: str) -> int:
        """A 32-bit integer seed derived from :meth:`seed_sequence`."""
        return int(self.seed_sequence(*keys).generate_state(1)[0])

    def rng(self, *keys: str) -> np.random.Generator:
        """A Generator on the stream for ``keys``."""
        return np.random.default_rng(self.seed_sequence(*keys))

    def sweep(self, fn: Callable, points, *, label: str, key: str | None = None, cost=None) -> list:
        """Run ``fn(point, seed_sequence)`` over ``points`` with the sweep runner (``cost``: see it)."""
        return run_sweep(
            fn,
            points,
            seed=self.int_seed(key or label),
            scheduler=self.scheduler,
            workers=self.workers,
            progress=print_progress(label),
            cost=cost,
        )


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_checks(specs: list[CheckSpec], context: RunContext, out_dir: Path) -> list[Check]:
    """Run every check in ``specs``; a check that raises is recorded as failing."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows: list[Check] = []
    for index, spec in enumerate(specs, start=1):
        _log(f"[{index}/{len(specs)}] {spec.area}.{spec.name} ...")
        start = time.perf_counter()
        figure_path = None
        try:
            outcome = spec.run(context)
            if not isinstance(outcome, Outcome):
                raise TypeError(f"check returned {type(outcome).__name__}, expected Outcome")
        except Exception as exc:  # a crashing check is a failing check, with its traceback
            traceback.print_exc(file=sys.stderr)
            outcome = Outcome(
                predicted=None,
                measured=None,
                tolerance="",
                status="fail",
                reason=f"error: {type(exc).__name__}: {exc}",
            )
        seconds = time.perf_counter() - start
        if outcome.figure is not None:
            path = out_dir / "figures" / spec.area / f"{spec.name}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            outcome.figure.savefig(path, dpi=110, bbox_inches="tight")
            plt.close(outcome.figure)
            figure_path = str(path.relative_to(out_dir))
        paper_value = outcome.paper_value if outcome.paper_value is not None else spec.paper_value
        row = Check(
            area=spec.area,
            name=spec.name,
            claim=spec.claim,
            paper_value=paper_value,
            predicted=outcome.predicted,
            measured=outcome.measured,
            tolerance=outcome.tolerance,
            status=outcome.status,
            reason=outcome.reason,
            seconds=seconds,
            figure=figure_path,
            source=spec.source,
            finding=outcome.finding,
            details=dict(outcome.details),
        )
        rows.append(row)
        _log(f"    -> {row.status} ({seconds:.1f} s) {row.reason}")
    return rows
