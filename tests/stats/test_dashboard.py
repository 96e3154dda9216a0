"""Dashboard: SVG charts from real numbers, escaped labels, an empty state, the site hook."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase
from kbgen.stats.dashboard import (
    CHART_TITLES,
    EMPTY_STATE,
    chart_base,
    dashboard_charts,
    dashboard_markdown,
    site_pages,
)
from kbgen.stats.events import Event, record_event
from kbgen.stats.store import StatsStore
from kbgen.stats.summary import report

from .conftest import VPN, Live, make_kb

SVG = "{http://www.w3.org/2000/svg}"


def fill(kb: KnowledgeBase) -> None:
    with StatsStore(kb.stats_db_path) as store:
        for day, n in (("2026-11-23", 2), ("2026-11-24", 5), ("2026-11-25", 3)):
            for _ in range(n):
                record_event(store, Event("view", page=VPN, article_id="KB-0001"), day, "v1")
        record_event(
            store,
            Event("feedback", page=VPN, article_id="KB-0001", helpful=True),
            "2026-11-25",
            "v1",
        )
        record_event(store, Event("search", query="<script>alert(1)</script> & co", results=0),
                     "2026-11-25", "v1")  # fmt: skip


@pytest.fixture
def internal_kb(tmp_path: Path) -> KnowledgeBase:
    return make_kb(tmp_path / "kb", site_config="  internal: true\n  collector_url: /api/events\n")


def test_charts_are_well_formed_svg_with_escaped_labels(internal_kb: KnowledgeBase) -> None:
    fill(internal_kb)
    charts = dashboard_charts(report(internal_kb))
    assert list(charts) == list(CHART_TITLES)
    for name, svg in charts.items():
        root = ET.fromstring(svg)  # raises on malformed XML or unescaped text
        assert root.tag == f"{SVG}svg"
        assert root.find(f"{SVG}title").text == CHART_TITLES[name]  # type: ignore[union-attr]
        assert "<script" not in svg
    points = ET.fromstring(charts["views-over-time"]).findall(f"{SVG}circle")
    assert [p.find(f"{SVG}title").text for p in points] == [  # type: ignore[union-attr]
        "2026-11-23: 2", "2026-11-24: 5", "2026-11-25: 3",
    ]  # fmt: skip
    bars = ET.fromstring(charts["zero-result-searches"]).findall(f"{SVG}rect")
    assert [b.find(f"{SVG}title").text for b in bars] == [  # type: ignore[union-attr]
        "<script>alert(1)</script> & co: 1"
    ]


def test_dashboard_markdown_has_live_charts_and_tables(internal_kb: KnowledgeBase) -> None:
    fill(internal_kb)
    page = dashboard_markdown(internal_kb)
    assert page is not None
    assert (
        '<p><img src="/api/stats/charts/views-over-time.svg" alt="Views over time" class="kb-chart"></p>'
        in page
    )
    assert "| 2026-11-24 | 5 |" in page
    assert "| &lt;script&gt;alert\\(1\\)&lt;/script&gt; &amp; co | 1 |" in page
    assert site_pages(internal_kb) == {"stats.md": page}


def test_empty_state_without_events(internal_kb: KnowledgeBase) -> None:
    assert dashboard_markdown(internal_kb) == f"# Usage dashboard\n\n{EMPTY_STATE}\n"
    assert not internal_kb.stats_db_path.exists()


def test_public_site_gets_no_dashboard(kb: KnowledgeBase) -> None:
    assert dashboard_markdown(kb) is None
    assert site_pages(kb) == {}


@pytest.mark.parametrize(
    ("collector_url", "base"),
    [("/api/events", "/api/stats/charts/"), ("https://c.example/api/events", "https://c.example/api/stats/charts/"),
     ("", "")],
)  # fmt: skip
def test_chart_base(collector_url: str, base: str) -> None:
    assert chart_base(collector_url) == base


def test_collector_serves_live_charts_for_internal_sites(internal_kb: KnowledgeBase) -> None:
    from .conftest import start_live

    live: Live = start_live(internal_kb)
    try:
        assert live.post({"type": "view", "page": VPN}) == (204, b"")
        status, headers, body = live.request("GET", "/api/stats/charts/most-viewed.svg")
        assert (status, headers["Content-Type"]) == (200, "image/svg+xml; charset=utf-8")
        assert headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
        titles = [t.text for t in ET.fromstring(body).iter(f"{SVG}title")]
        assert titles == ["Most viewed articles", "KB-0001 VPN drops every hour: 1"]
        assert live.request("GET", "/api/stats/charts/../../etc/passwd")[0] == 404
    finally:
        live.server.stop()
        live.collector.close()


def test_public_collector_serves_no_charts(live: Live) -> None:
    assert live.request("GET", "/api/stats/charts/most-viewed.svg")[::2] == (
        404,
        b'{"error": "not found"}',
    )


def test_dashboard_command_writes_a_standalone_page(
    internal_kb: KnowledgeBase, tmp_path: Path
) -> None:
    fill(internal_kb)
    out = tmp_path / "dash"
    result = CliRunner().invoke(
        cli, ["stats", "dashboard", "--out", str(out), "--kb", str(internal_kb.root)]
    )
    assert (result.exit_code, result.output) == (0, f"Wrote {out / 'index.html'} and 4 charts.\n")
    assert sorted(p.name for p in out.iterdir()) == [
        "helpfulness.svg", "index.html", "most-viewed.svg", "views-over-time.svg",
        "zero-result-searches.svg",
    ]  # fmt: skip
    assert (out / "index.html").read_text().count("<svg") == 4
