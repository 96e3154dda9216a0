"""Profile one stage on generated data: ``python -m bench.hotspots capture|build|search [N]``.

Runs the same function the benchmark times, under pyinstrument (a test extra, not a
runtime dependency of kbgen), and prints the call tree trimmed
to frames that take at least 2% of the run. The findings in docs/benchmarks.md
come from these trees.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.data import BenchData

TARGETS = {
    "capture": ("bench.stages.capture", "capture"),
    "build": ("bench.stages.build", "kbgen_build"),
    "search": ("bench.stages.search", "kbgen_search"),
    "import-log": ("bench.stages.stats", "kbgen_import_log"),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.hotspots", description=__doc__.split("\n")[0]
    )
    parser.add_argument("stage", choices=sorted(TARGETS))
    parser.add_argument("size", type=int, nargs="?", default=1000)
    parser.add_argument(
        "--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "kbgen-bench"
    )
    args = parser.parse_args(argv)
    from pyinstrument import Profiler

    data = BenchData(work=args.work_dir)
    kwargs: dict[str, object]
    if args.stage == "capture":
        kwargs = {
            "export": str(data.jira(args.size)),
            "fmt": "jira-json",
            "kb_template": str(data.kb(1000)),
        }
    elif args.stage == "import-log":
        kwargs = {"log": str(data.access_log(args.size, 1000)), "n_articles": 1000}
    elif args.stage == "search":
        kwargs = {
            "kb_template": str(data.kb(args.size)),
            "queries_file": str(data.queries(args.size)),
        }
    else:
        kwargs = {"kb_template": str(data.kb(args.size))}
    module, name = TARGETS[args.stage]
    import importlib

    fn = getattr(importlib.import_module(module), name)
    profiler = Profiler(interval=0.005)
    profiler.start()
    result = fn(**kwargs)
    profiler.stop()
    print(result)
    print(profiler.output_text(unicode=True, color=False, show_all=False, time="percent_of_total"))


if __name__ == "__main__":
    main()
