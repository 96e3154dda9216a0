"""The harness around the generator: child runs, figures, the table, queries and the access log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.data import make_queries, write_access_log
from bench.kbrepo import write_kb
from bench.measure import Figure, StageNotLanded, percentile, run_child
from bench.profile import learn_profile
from bench.report import Row, render_table
from bench.stages_plan import pair
from kbgen.stats.events import PageIndex
from kbgen.stats.logimport import import_log
from kbgen.stats.store import StatsStore


def test_figure_and_percentile() -> None:
    figure = Figure([3.0, 1.0, 2.0, 10.0])
    assert (figure.median, figure.low, figure.high) == (2.5, 1.0, 10.0)
    hundred = [float(v) for v in range(100, 0, -1)]
    assert (percentile(hundred, 50), percentile(hundred, 95), percentile(hundred, 99)) == (
        50,
        95,
        99,
    )
    assert percentile([7.0], 99) == 7.0


def test_table_shows_figures_ratios_aims_and_what_has_not_landed() -> None:
    rows = [
        Row("search", "1k articles", "p95 latency", "ms", Figure([12.0, 10.0, 14.0]), "SQLite FTS5",
            Figure([0.5, 0.4, 0.6]), aim="≤ 20 ms", check=lambda v, _b: v <= 20),
        Row("build", "1k articles", "build time", "s", Figure([30.0, 31.0, 29.0]), "mkdocs build",
            Figure([10.0, 9.0, 11.0]), aim="≤ 1.2× baseline", check=lambda v, b: b is not None and v <= 1.2 * b),
        Row("browser", "1k articles", "time to first result", status="not landed: bench/browser_search.py"),
    ]  # fmt: skip
    assert render_table(rows).splitlines() == [
        "| stage | size | measure | kbgen: median (min–max, runs) | baseline | baseline: median (min–max, runs) | kbgen ÷ baseline | aim | result |",
        "|---|---|---|---|---|---|---|---|---|",
        "| search | 1k articles | p95 latency | 12.0 ms (10.0–14.0, n=3) | SQLite FTS5 | 0.50 ms (0.40–0.60, n=3) | 24.0× | ≤ 20 ms | met |",
        "| build | 1k articles | build time | 30.0 s (29.0–31.0, n=3) | mkdocs build | 10.0 s (9.00–11.0, n=3) | 3.00× | ≤ 1.2× baseline | **missed** |",
        "| browser | 1k articles | time to first result | not landed: bench/browser_search.py | – | – | – | – | not landed |",
    ]


def test_a_child_run_reports_its_figures_and_peak_memory(tmp_path: Path) -> None:
    export = tmp_path / "tiny.json"
    export.write_text(json.dumps({"issues": [{"key": "A-1"}, {"key": "A-2"}]}), encoding="utf-8")
    result = run_child("bench.stages.capture:parse_json", {"export": str(export)})
    assert sorted(result) == ["peak_rss_mb", "seconds", "seconds_cpu", "tickets"]
    assert result["tickets"] == 2
    assert result["peak_rss_mb"] > 5
    assert 0 < result["seconds_cpu"] < 60


def test_a_stage_whose_code_has_not_landed_is_reported_not_faked() -> None:
    with pytest.raises(StageNotLanded) as caught:
        run_child("bench.stages:require", {"module": "kbgen.no_such_stage"})
    assert (
        str(caught.value)
        == "not landed: kbgen.no_such_stage (No module named 'kbgen.no_such_stage')"
    )
    kbgen, baseline = pair(
        ("bench.stages:require", {"module": "kbgen.no_such_stage"}), None, runs=3
    )
    assert kbgen == "not landed: kbgen.no_such_stage (No module named 'kbgen.no_such_stage')"
    assert baseline == {}


def test_queries_use_the_kb_wording_and_are_seeded(tmp_path: Path, datasets: Path) -> None:
    root = write_kb(tmp_path / "kb", 40, 3, learn_profile(datasets))
    queries = make_queries(root, 30, seed=4)
    assert queries == make_queries(root, 30, seed=4)
    assert len(queries) == 30
    titles = " ".join(
        p.read_text(encoding="utf-8") for p in (root / "content" / "articles").glob("*.md")
    ).lower()
    for query in queries:
        assert 1 <= len(query.split()) <= 3
        assert "ph_" not in query
        assert all(word in titles for word in query.split())


def test_access_log_is_read_by_the_real_log_import(tmp_path: Path) -> None:
    log = write_access_log(tmp_path / "access.log", 2000, 50, seed=1)
    assert (
        log.read_bytes() == write_access_log(tmp_path / "again.log", 2000, 50, seed=1).read_bytes()
    )
    site = tmp_path / "site"
    site.mkdir()
    pages = [{"page": f"/KB-{i:05d}/", "id": f"KB-{i:05d}", "category": "c"} for i in range(1, 51)]
    (site / "kbgen-pages.json").write_text(json.dumps(pages), encoding="utf-8")
    with StatsStore(tmp_path / "stats.sqlite") as store:
        result = import_log(store, log, PageIndex(site))
    assert result.lines == 2000
    assert result.malformed == 0
    # 60% article views, a quarter of them from the one bot user agent, 200 status only.
    assert 800 < result.views < 1000
    assert 250 < result.bots < 400
