"""``python -m bench [--quick]``: measure every stage against its baseline, write docs/benchmarks.md.

Runs of a stage and of its baseline alternate (baseline, kbgen, baseline, ...)
so that load from other users of the machine falls on both sides alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import stages_plan
from bench.data import BenchData
from bench.measure import REPO_ROOT
from bench.report import render_document, render_table, write_document

QUICK_BUDGET_SECONDS = 270  # `make bench QUICK=1` must end within 5 minutes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="500-article/ticket sizes, 3 runs: under 5 minutes"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (at least 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--only", action="append", choices=stages_plan.STAGES, help="measure only these stages"
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "kbgen-bench",
        help="where generated data is cached (default: %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    if args.runs < 3:
        parser.error("--runs must be at least 3: each figure is a median with its min and max")

    started_at = dt.datetime.now(dt.UTC)
    started = time.monotonic()
    budget = started + QUICK_BUDGET_SECONDS if args.quick else None
    plan = stages_plan.Plan.quick() if args.quick else stages_plan.Plan.full()
    data = BenchData(work=args.work_dir, seed=args.seed)
    # Generated data is cached between runs; built sites are not: they come from the code
    # being measured, and a site kept from an earlier run would show the old code's figures.
    for kept in sorted(args.work_dir.glob("*-site")):
        shutil.rmtree(kept, ignore_errors=True)
    order = stages_plan.QUICK_ORDER if args.quick else stages_plan.STAGES
    measured = {}
    for stage in order:
        if args.only and stage not in args.only:
            continue
        print(f"bench: {stage} ...", file=sys.stderr, flush=True)
        measured[stage] = stages_plan.measure_stage(stage, plan, data, args.runs, budget)
    rows = [row for stage in stages_plan.STAGES for row in measured.get(stage, [])]
    elapsed = time.monotonic() - started
    notes_path = Path(__file__).parent / "findings.md"
    notes = notes_path.read_text(encoding="utf-8") if notes_path.exists() else ""
    text = render_document(
        rows, quick=args.quick, runs=args.runs, elapsed=elapsed, started=started_at, notes=notes
    )
    write_document(args.out, text)
    print(render_table(rows))
    print(f"\nWrote {args.out} in {elapsed / 60:.1f} min", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
