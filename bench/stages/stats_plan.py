"""Rows for the stats stage: collector load on SQLite and PostgreSQL, and log import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.measure import Figure
from bench.report import Row

if TYPE_CHECKING:
    from bench.data import BenchData
    from bench.stages_plan import Plan

ARTICLES = 1000


def stats_rows(plan: Plan, data: BenchData, runs: int, budget: float | None) -> list[Row]:
    from bench.pgserver import local_postgres
    from bench.stages_plan import label, over_budget, pair, pick, status_of

    rows: list[Row] = []
    load = {"n_articles": ARTICLES, "events": plan.load_events}
    k, b = pair(
        ("bench.stages.stats:collector_load", {"app": "kbgen", **load}),
        ("bench.stages.stats:collector_load", {"app": "empty", **load}),
        runs,
        budget=budget,
    )
    size, base, st = (
        f"{plan.load_events:,} events, 8 connections",
        "waitress + empty WSGI app",
        status_of(k),
    )
    rows += [
        Row("stats collector (SQLite)", size, "events/s", "/s", pick(k, "events_per_second"), base,
            pick(b, "events_per_second"), aim="≥ 2,000/s", check=lambda v, _b: v >= 2000, status=st),
        Row("stats collector (SQLite)", size, "p99 latency", "ms", pick(k, "p99_ms"), base, pick(b, "p99_ms"),
            aim="< 50 ms", check=lambda v, _b: v < 50, status=st),
    ]  # fmt: skip
    if not over_budget(budget):
        try:
            with local_postgres() as url:
                pg, _ = pair(
                    ("bench.stages.stats:collector_load", {"app": "kbgen", "db_url": url, **load}),
                    None,
                    runs,
                    budget=budget,
                )
            rows += [
                Row("stats collector (PostgreSQL)", size, "events/s", "/s", pick(pg, "events_per_second"),
                    "same collector on SQLite", pick(k, "events_per_second"), aim="≥ 2,000/s",
                    check=lambda v, _b: v >= 2000, status=status_of(pg)),
                Row("stats collector (PostgreSQL)", size, "p99 latency", "ms", pick(pg, "p99_ms"),
                    "same collector on SQLite", pick(k, "p99_ms"), aim="< 50 ms",
                    check=lambda v, _b: v < 50, status=status_of(pg)),
            ]  # fmt: skip
        except RuntimeError as exc:
            rows.append(
                Row("stats collector (PostgreSQL)", size, "events/s", status=f"failed: {exc}")
            )
    log = str(data.access_log(plan.log_lines, ARTICLES))
    k, b = pair(
        ("bench.stages.stats:kbgen_import_log", {"log": log, "n_articles": ARTICLES}),
        ("bench.stages.stats:goaccess_baseline", {"log": log}),
        runs,
        budget=budget,
    )
    size, base, st = (
        f"{label(plan.log_lines)}-line combined log",
        "GoAccess 1.7 (--log-format=COMBINED)",
        status_of(k),
    )
    rows += [
        Row("stats import-log", size, "lines/s", "/s", pick(k, "lines_per_second"), base,
            pick(b, "lines_per_second"), aim="≥ 2× GoAccess",
            check=lambda v, bb: bb is not None and v >= 2 * bb, status=st),
        Row("stats import-log", size, "peak memory", "MiB", pick(k, "peak_rss_mb"), base,
            pick(b, "peak_rss_mb"), status=st),
    ]  # fmt: skip
    return rows


__all__ = ["Figure", "stats_rows"]
