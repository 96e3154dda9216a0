"""What each stage measures, at which sizes, against which baseline, and the aims of issue #10."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.data import BenchData
from bench.measure import REPO_ROOT, Figure, MeasureFailed, StageNotLanded, run_child
from bench.report import Row

STAGES = ("capture", "build", "search", "stats", "browser")
# Quick mode measures the cheap stages first, so one slow stage cannot starve the others
# of the 5-minute budget; the table still lists stages in pipeline order.
QUICK_ORDER = ("search", "stats", "build", "browser", "capture")


@dataclass
class Plan:
    capture_sizes: list[int]
    capture_kb: int  # articles in the KB that capture checks reuse against
    csv_size: int
    build_sizes: list[int]
    search_sizes: list[int]
    log_lines: int
    load_events: int
    browser_sizes: list[int]

    @classmethod
    def quick(cls) -> Plan:
        # 300-500 rather than 1k: on 2 cores shared with other users, 1k builds and captures
        # alone take longer than the 5 minutes quick mode may use. `make bench` runs 1k-100k.
        return cls([300], 500, 100, [500], [500], 50_000, 2000, [500])

    @classmethod
    def full(cls) -> Plan:
        return cls(
            [1000, 10_000, 100_000],
            10_000,
            10_000,
            [1000, 10_000],
            [1000, 10_000],
            1_000_000,
            20_000,
            [1000, 10_000],
        )


Figures = dict[str, Figure]


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[-1] if text else type(exc).__name__)[:160].replace("|", "/")


def pair(
    kbgen: tuple[str, dict[str, Any]] | None,
    baseline: tuple[str, dict[str, Any]] | None,
    runs: int,
    timeout: float = 3600,
    budget: float | None = None,
) -> tuple[Figures | str, Figures | str]:
    """Alternate baseline and kbgen runs; a side that cannot run becomes a status string."""
    sides: list[Figures | str] = [{}, {}]
    for _ in range(runs):
        for i, spec in enumerate((baseline, kbgen)):
            if spec is None or isinstance(sides[i], str):
                continue
            limit = timeout if budget is None else min(timeout, max(5.0, budget - time.monotonic()))
            try:
                result = run_child(spec[0], spec[1], limit)
            except StageNotLanded as exc:
                sides[i] = str(exc)
                continue
            except subprocess.TimeoutExpired:
                over = budget is not None and limit < timeout
                sides[i] = (
                    "skipped: quick-mode time budget spent"
                    if over
                    else f"failed: over {limit:.0f} s"
                )
                continue
            except (MeasureFailed, OSError, ValueError) as exc:
                sides[i] = f"failed: {_short(exc)}"
                continue
            figures = sides[i]
            assert isinstance(figures, dict)
            for key, value in result.items():
                figures.setdefault(key, Figure()).values.append(float(value))
    return sides[1], sides[0]


def derive(figures: Figures | str, key: str, fn: Callable[[float], float]) -> Figure | None:
    if isinstance(figures, str) or key not in figures:
        return None
    return Figure([fn(v) for v in figures[key].values])


def pick(figures: Figures | str, key: str) -> Figure | None:
    return figures.get(key) if isinstance(figures, dict) else None


def status_of(figures: Figures | str) -> str:
    return figures if isinstance(figures, str) else ""


def site_path(data: BenchData, n: int, name: str) -> str:
    """Where a built site of the ``n``-article KB is kept for the browser stage."""
    return str(data.work / f"{data.kb(n).name}-{name}-site")


def over_budget(budget: float | None) -> bool:
    return budget is not None and time.monotonic() > budget


def measure_stage(
    stage: str, plan: Plan, data: BenchData, runs: int, budget: float | None
) -> list[Row]:
    if over_budget(budget):
        return [Row(stage, "–", "all", status="skipped: quick-mode time budget spent")]
    try:
        return _MEASURERS[stage](plan, data, runs, budget)
    except Exception as exc:  # noqa: BLE001 - one broken stage must not lose the others' rows
        return [Row(stage, "–", "all", status=f"failed: {_short(exc)}")]


# --- capture --------------------------------------------------------------------


def _capture(plan: Plan, data: BenchData, runs: int, budget: float | None) -> list[Row]:
    rows: list[Row] = []
    kb = str(data.kb(plan.capture_kb))
    memory: dict[int, Figure | None] = {}
    for n in plan.capture_sizes:
        if over_budget(budget):
            rows.append(Row("capture", label(n), "tickets/s", status="skipped: time budget"))
            continue
        export = str(data.jira(n))
        timeout = max(600, n / 20)  # a stage at 20 tickets/s is reported as failed, not waited on
        k, b = pair(
            (
                "bench.stages.capture:capture",
                {"export": export, "fmt": "jira-json", "kb_template": kb},
            ),
            ("bench.stages.capture:parse_json", {"export": export}),
            runs,
            budget=budget,
            timeout=timeout,
        )
        size = f"{label(n)} tickets, {label(plan.capture_kb)}-article KB"
        rows.append(_throughput_row("capture (Jira JSON)", size, k, b, "stdlib json.load", n))
        memory[n] = pick(k, "peak_rss_mb")
        rows.append(
            Row("capture (Jira JSON)", size, "peak memory", "MiB", memory[n], "stdlib json.load",
                pick(b, "peak_rss_mb"), status=status_of(k))
        )  # fmt: skip
        r, _ = pair(
            ("bench.stages.capture:read_tickets", {"export": export, "fmt": "jira-json"}),
            None,
            runs,
            budget=budget,
            timeout=timeout,
        )
        rows.append(
            _throughput_row(
                "read only (Jira JSON)", label(n), r, b, "stdlib json.load", n, aim=False
            )
        )
    rows += _newer_sources(plan, data, runs, budget)
    if len(memory) > 1 and all(memory.values()):
        small, large = memory[min(memory)], memory[max(memory)]
        assert small is not None and large is not None
        rows.append(
            Row("capture (Jira JSON)", f"{label(max(memory))} vs {label(min(memory))}", "peak memory growth", "×",
                Figure([large.median / small.median]), aim="flat in N (≤ 1.5×)",
                check=lambda v, _b: v <= 1.5)
        )  # fmt: skip
    n = plan.csv_size
    csv_path, mapping = data.csv(n)
    if mapping is None:
        rows.append(
            Row(
                "capture (SGCC CSV)",
                label(n),
                "tickets/s",
                status="not landed: no sgcc mapping in kbgen/scaffold/site_config/sources/",
            )
        )
        return rows
    k, b = pair(
        ("bench.stages.capture:capture", {"export": str(csv_path), "fmt": "mapping", "kb_template": kb, "mapping": str(mapping)}),
        ("bench.stages.capture:parse_csv", {"export": str(csv_path)}),
        runs,
        budget=budget,
    )  # fmt: skip
    rows.append(
        _throughput_row("capture (SGCC CSV)", f"{label(n)} tickets", k, b, "stdlib csv.reader", n)
    )
    return rows


def _newer_sources(plan: Plan, data: BenchData, runs: int, budget: float | None) -> list[Row]:
    """Read-only rows for the forum, Q&A, tracker and Markdown-folder readers (issue #19)."""
    from bench.exports import KINDS, LABELS

    rows: list[Row] = []
    n = plan.capture_sizes[0]
    mapping = (
        REPO_ROOT / "kbgen" / "scaffold" / "site_config" / "sources" / "markdown-jira-export.yml"
    )
    for kind in KINDS:
        stage = f"read only ({LABELS[kind]})"
        if over_budget(budget):
            rows.append(Row(stage, label(n), "tickets/s", status="skipped: time budget"))
            continue
        export = str(data.export(kind, n))
        args: dict[str, Any] = {"export": export, "fmt": "auto"}
        if kind == "markdown":
            args.update(fmt="mapping", mapping=str(mapping))
        k, b = pair(
            ("bench.stages.capture:read_tickets", args),
            ("bench.stages.capture:parse_any", {"export": export}),
            runs,
            budget=budget,
        )
        rows.append(
            _throughput_row(stage, label(n), k, b, "stdlib parse of the same files", n, aim=False)
        )
    return rows


def _throughput_row(
    stage: str, size: str, k: Figures | str, b: Figures | str, base: str, n: int, aim: bool = True
) -> Row:
    return Row(
        stage, size, "tickets/s", "/s",
        derive(k, "seconds", lambda s: n / s), base, derive(b, "seconds", lambda s: n / s),
        aim="≥ 1,000/s" if aim else "",
        check=(lambda v, _b: v >= 1000) if aim else None,
        status=status_of(k),
    )  # fmt: skip


# --- build ----------------------------------------------------------------------


def _build(plan: Plan, data: BenchData, runs: int, budget: float | None) -> list[Row]:
    rows: list[Row] = []
    medians: dict[int, float] = {}
    for n in plan.build_sizes:
        if over_budget(budget):
            rows.append(Row("build", label(n), "build time", status="skipped: time budget"))
            continue
        kb = str(data.kb(n))
        rebuild = n == max(plan.build_sizes)
        k, b = pair(
            (
                "bench.stages.build:kbgen_build",
                {"kb_template": kb, "rebuild": rebuild, "keep_site": site_path(data, n, "kbgen")},
            ),
            (
                "bench.stages.build:mkdocs_baseline",
                {"kb_template": kb, "keep_site": site_path(data, n, "mkdocs")},
            ),
            runs,
            budget=budget,
        )
        size, base, st = f"{label(n)} articles", "plain mkdocs build, same pages", status_of(k)
        rows.append(Row("build", size, "build time", "s", pick(k, "seconds"), base, pick(b, "seconds"),
                        aim="≤ 1.2× baseline", check=lambda v, bb: bb is not None and v <= 1.2 * bb, status=st))  # fmt: skip
        for key, measure, unit in (("seconds_cpu", "CPU time, all processes", "s"),
                                   ("ms_per_page", "time per page", "ms"), ("peak_rss_mb", "peak memory", "MiB"),
                                   ("site_mb", "site size", "MiB"), ("index_mb", "search index size", "MiB")):  # fmt: skip
            rows.append(
                Row("build", size, measure, unit, pick(k, key), base, pick(b, key), status=st)
            )
        if (fig := pick(k, "seconds")) is not None:
            medians[n] = fig.median
        if rebuild:
            rows.append(Row("rebuild", f"1 of {label(n)} changed", "rebuild time", "s", pick(k, "rebuild_seconds"),
                            "kbgen full build", pick(k, "seconds"), aim="≤ 0.2× full build",
                            check=lambda v, bb: bb is not None and v <= 0.2 * bb, status=st))  # fmt: skip
    if 1000 in medians and 10_000 in medians:
        rows.append(Row("build", "10k vs 1k", "build time growth", "×", Figure([medians[10_000] / medians[1000]]),
                        aim="≤ 12× (1.2 × 10 × 1k)", check=lambda v, _b: v <= 12))  # fmt: skip
    return rows


# --- search ---------------------------------------------------------------------


def _search(plan: Plan, data: BenchData, runs: int, budget: float | None) -> list[Row]:
    rows: list[Row] = []
    for n in plan.search_sizes:
        if over_budget(budget):
            rows.append(Row("search", label(n), "latency", status="skipped: time budget"))
            continue
        kb, queries = str(data.kb(n)), str(data.queries(n))
        args = {"kb_template": kb, "queries_file": queries}
        baseline: tuple[str, dict[str, Any]] | None = ("bench.stages.search:fts5_baseline", args)
        # Both engines' queries and builds first, then the commands: quick mode's time budget
        # must not be spent on one engine's command timings before the other engine is seen.
        for backend in ("whoosh", "sqlite"):
            k, b = pair(
                ("bench.stages.search:kbgen_search", {**args, "backend": backend}),
                baseline,
                runs,
                budget=budget,
            )
            if baseline is not None:
                fts5, baseline = b, None  # measured once per size, shown on both engines' rows
            rows += _search_rows(f"search ({backend})", n, k, fts5)
        for backend in ("whoosh", "sqlite"):
            c, p = pair(
                ("bench.stages.search:kbgen_command", {**args, "backend": backend}),
                ("bench.stages.search:python_startup", {}),
                runs,
                budget=budget,
            )
            size, st = f"{label(n)} articles, indexed", status_of(c)
            for lang in ("en", "zh"):
                rows += [
                    Row(f"search ({backend})", size, f"`kbgen search` ({lang}), wall", "s",
                        pick(c, f"{lang}_seconds"), "python -c pass", pick(p, f"{lang}_seconds"),
                        aim="≤ 0.5 s", check=lambda v, _b: v <= 0.5, status=st),
                    Row(f"search ({backend})", size, f"`kbgen search` ({lang}), CPU", "s",
                        pick(c, f"{lang}_cpu_seconds"), "python -c pass",
                        pick(p, f"{lang}_cpu_seconds"), status=st),
                ]  # fmt: skip
    return rows


def _search_rows(stage: str, n: int, k: Figures | str, b: Figures | str) -> list[Row]:
    size, base, st = f"{label(n)} articles, 200 queries", "minimal FTS5 + jieba", status_of(k)
    at_10k = n >= 10_000
    return [
        Row(stage, size, "p50 latency", "ms", pick(k, "p50_ms"), base, pick(b, "p50_ms"), status=st),
        Row(stage, size, "p95 latency", "ms", pick(k, "p95_ms"), base, pick(b, "p95_ms"),
            aim="≤ 20 ms at 10k" if at_10k else "", check=(lambda v, _b: v <= 20) if at_10k else None, status=st),
        Row(stage, size, "CPU per query", "ms", pick(k, "cpu_ms_per_query"), base, None, status=st),
        Row(stage, size, "queries with a hit", "", pick(k, "hit_share"), base, pick(b, "hit_share"), status=st),
        Row(stage, size, "full index build", "docs/s", pick(k, "docs_per_second"), base,
            pick(b, "docs_per_second"), aim="≥ 1,000/s", check=lambda v, _b: v >= 1000, status=st),
        Row(stage, size, "full index build, on CPU", "docs/s", pick(k, "docs_per_cpu_second"), base, None, status=st),
        Row(stage, size, "one-article update", "s", pick(k, "update_seconds"), base,
            pick(b, "update_seconds"), aim="≤ 1 s", check=lambda v, _b: v <= 1, status=st),
        Row(stage, size, "peak memory", "MiB", pick(k, "peak_rss_mb"), base, pick(b, "peak_rss_mb"), status=st),
    ]  # fmt: skip


def _stats(plan: Plan, data: BenchData, runs: int, budget: float | None) -> list[Row]:
    from bench.stages.stats_plan import stats_rows

    return stats_rows(plan, data, runs, budget)


def _browser(plan: Plan, data: BenchData, runs: int, budget: float | None) -> list[Row]:
    from bench.stages.browser_plan import browser_rows

    return browser_rows(plan, data, runs, budget)


_MEASURERS: dict[str, Callable[[Plan, BenchData, int, float | None], list[Row]]] = {
    "capture": _capture,
    "build": _build,
    "search": _search,
    "stats": _stats,
    "browser": _browser,
}

__all__ = ["STAGES", "Plan", "measure_stage", "pair", "run_child"]
