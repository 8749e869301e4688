"""Command line: ``python -m benchmarks [--quick] [--out DIR] [--only NAME,...]``.

Times efttheory and the reference trainers against what a user would otherwise
use, on the same work in the same process, and prints medians of repeats with
their ratios. Speed is reported here, never asserted in a timed test.
"""

from __future__ import annotations

import os

# Same single-threaded BLAS as the experiments (tiny matrices; see validation.blas).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

#: Benchmark modules, each exposing ``run(quick: bool) -> list[dict]``.
SUITES = ("particles", "mlp_training", "repons", "chinchilla_fit", "lmn", "synthesis", "equilibria")


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def print_table(name: str, rows: list[dict]) -> None:
    """Print one suite's rows as a fixed-width table (columns = union of keys)."""
    print(f"\n## {name}")
    if not rows:
        print("(no rows)")
        return
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    cells = [columns] + [[_format(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    for k, line in enumerate(cells):
        print("  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats (CI)")
    parser.add_argument("--out", type=Path, default=Path("benchmark-report"), metavar="DIR",
                        help="where benchmarks.json is written (default: benchmark-report/)")
    parser.add_argument("--only", default=None, metavar="NAME[,NAME]",
                        help=f"suites to run, from: {', '.join(SUITES)}")
    args = parser.parse_args(argv)
    try:
        return _run(parser, args)
    except BrokenPipeError:
        # the reader went away (``... | head``): stop quietly, as Unix tools do, and keep the
        # interpreter's final flush of stdout from raising again at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    chosen = SUITES if args.only is None else tuple(s.strip() for s in args.only.split(",") if s.strip())
    unknown = [s for s in chosen if s not in SUITES]
    if unknown or not chosen:
        parser.error(f"--only takes suites from {', '.join(SUITES)}; got {args.only!r}")
    results = {}
    for name in chosen:
        print(f"running benchmark suite {name} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        rows = importlib.import_module(f"benchmarks.{name}").run(args.quick)
        results[name] = {"seconds": time.perf_counter() - start, "rows": rows}
        print_table(name, rows)
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {"quick": args.quick, "python": platform.python_version(), "suites": results}
    path = args.out / "benchmarks.json"
    path.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
