"""Rows for the browser stage: time to the first search result, kbgen site vs stock Material."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from bench.measure import MeasureFailed, StageNotLanded, run_child
from bench.report import Row

if TYPE_CHECKING:
    from bench.data import BenchData
    from bench.stages_plan import Plan


# lunr's English stop words: Material drops them from queries, so they never find anything.
_STOP_WORDS_TEXT = (
    "a able about across after all almost also am among an and any are as at be because been but "
    "by can cannot could dear did do does either else ever every for from get got had has have he "
    "her hers him his how however i if in into is it its just least let like likely may me might "
    "most must my neither no nor not of off often on only or other our own rather said say says "
    "she should since so some than that the their them then there these they this tis to too twas "
    "us wants was we were what when where which while who whom why will with would yet you your"
)
LUNR_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def _site(data: BenchData, target: str, name: str, n: int) -> str:
    """The site the build stage kept, else build it once and cache it next to the data."""
    from bench.stages_plan import site_path

    site = site_path(data, n, name)
    if not Path(site, "index.html").exists():
        run_child(target, {"kb_template": str(data.kb(n)), "keep_site": site})
    return site


def browser_rows(plan: Plan, data: BenchData, runs: int, budget: float | None) -> list[Row]:
    from bench.stages_plan import label, over_budget, pair, pick, status_of

    rows: list[Row] = []
    for n in plan.browser_sizes:
        if over_budget(budget):
            rows.append(
                Row("browser", label(n), "time to first result", status="skipped: time budget")
            )
            continue
        queries = json.loads(data.queries(n).read_text(encoding="utf-8"))
        query = next(
            (q for q in queries if q.isascii() and not LUNR_STOP_WORDS & set(q.split())), queries[0]
        )
        baseline_site = _site(data, "bench.stages.build:mkdocs_baseline", "mkdocs", n)
        kbgen: tuple[str, dict[str, str]] | None
        status = ""
        try:
            site = _site(data, "bench.stages.build:kbgen_site", "kbgen", n)
            kbgen = ("bench.stages.browser:kbgen_first_result", {"site_dir": site, "query": query})
        except (StageNotLanded, MeasureFailed) as exc:
            kbgen, status = None, str(exc).splitlines()[-1][:160]
        k, b = pair(
            kbgen,
            (
                "bench.stages.browser:material_first_result",
                {"site_dir": baseline_site, "query": query},
            ),
            runs,
            budget=budget,
            timeout=600,
        )
        at_10k = n >= 10_000
        rows.append(
            Row("browser", f"{label(n)} articles, query '{query}'", "time to first result", "s",
                pick(k, "seconds"), "stock Material search (same pages)", pick(b, "seconds"),
                aim="≤ 1 s at 10k" if at_10k else "", check=(lambda v, _b: v <= 1) if at_10k else None,
                status=status or status_of(k))
        )  # fmt: skip
    return rows
