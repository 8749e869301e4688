"""Command line: ``python -m validation [--quick] [--only AREA,...] [--out DIR] [--seed N] [--list]``."""

from __future__ import annotations

# Experiments multiply tiny matrices: one BLAS thread is 10-20x faster on small
# machines and makes every run bit-for-bit repeatable. Set before numpy loads.
import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from validation.blas import limit_blas_threads  # noqa: E402
from validation.registry import AREAS, checks_for  # noqa: E402
from validation.report import summary_counts, text_table, write_outputs  # noqa: E402
from validation.runner import RunContext, run_checks  # noqa: E402

DOCS_FIGURES = Path(__file__).resolve().parent.parent / "docs" / "_static" / "validation"


def _areas(text: str | None) -> list[str]:
    if text is None:
        return list(AREAS)
    chosen = [a.strip() for a in text.split(",") if a.strip()]
    unknown = [a for a in chosen if a not in AREAS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"--only takes a comma-separated list of areas from {', '.join(AREAS)}; got {text!r}"
        )
    return chosen


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m validation",
        description="Run every theory of efttheory against its reference experiment.",
    )
    parser.add_argument("--quick", action="store_true", help="reduced sizes (CI)")
    parser.add_argument("--only", type=_areas, default=None, metavar="AREA[,AREA]",
                        help=f"areas to run, from: {', '.join(AREAS)}")
    parser.add_argument("--out", type=Path, default=Path("validation-report"), metavar="DIR",
                        help="output directory (default: validation-report/)")
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="root seed (default 0)")
    parser.add_argument("--list", action="store_true", help="list the checks and exit")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="local processes for sweeps (default: one per core)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="submit sweeps to an existing Dask distributed scheduler")
    parser.add_argument("--chinchilla-csv", type=Path, default=None, metavar="PATH",
                        help="Epoch AI's extracted Chinchilla points for the resource checks (default: "
                             "$EFTTHEORY_CHINCHILLA_CSV, else ../shared/data/chinchilla_svg_extracted.csv)")
    parser.add_argument("--docs-figures", action="store_true",
                        help="also copy the figures into docs/_static/validation/ for the docs")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:
        # the reader went away (``--list | head``): stop quietly, as Unix tools do, and keep the
        # interpreter's final flush of stdout from raising again at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.seed < 0:
        print("--seed must be a non-negative integer", file=sys.stderr)
        return 2
    if args.workers is not None and args.workers < 1:
        print("--workers must be a positive integer", file=sys.stderr)
        return 2
    if args.chinchilla_csv is not None:
        if not args.chinchilla_csv.is_file():
            print(f"--chinchilla-csv must name an existing file, got {str(args.chinchilla_csv)!r}", file=sys.stderr)
            return 2
        from validation.resource import CSV_ENV

        os.environ[CSV_ENV] = str(args.chinchilla_csv.resolve())  # read there and by sweep workers
    areas = args.only or list(AREAS)
    specs = checks_for(areas)
    if args.list:
        for spec in specs:
            print(f"{spec.area}.{spec.name}: {spec.claim}")
        return 0
    limit_blas_threads()
    context = RunContext(quick=args.quick, seed=args.seed, scheduler=args.scheduler, workers=args.workers)
    size = "quick" if args.quick else "full"
    print(f"efttheory validation: {len(specs)} checks in {', '.join(areas)} ({size} sizes, seed {args.seed})",
          file=sys.stderr, flush=True)
    start = time.perf_counter()
    rows = run_checks(specs, context, args.out)
    seconds = time.perf_counter() - start
    meta = {"quick": args.quick, "seed": args.seed, "areas": areas, "seconds": seconds}
    write_outputs(rows, meta, args.out)
    if args.docs_figures:
        for row in rows:
            if row.figure:
                target = DOCS_FIGURES / row.area / Path(row.figure).name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(args.out / row.figure, target)
    print(text_table(rows))
    counts = summary_counts(rows)
    print(
        f"\n{counts['pass']} passed, {counts['fail']} failed, {counts['deviation']} deviations, "
        f"{counts['skip']} skipped in {seconds:.1f} s; report: {args.out / 'report.md'}"
    )
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
