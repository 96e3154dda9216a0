"""Reports: the text, JSON and CSV forms, article_stats for the site, and the empty state."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase
from kbgen.stats.events import Event, record_event
from kbgen.stats.store import StatsStore
from kbgen.stats.summary import article_stats, csv_safe, report

from .conftest import PRINTER, VPN


@pytest.fixture
def filled(kb: KnowledgeBase) -> KnowledgeBase:
    with StatsStore(kb.stats_db_path) as store:
        for _ in range(5):
            record_event(store, Event("view", page=VPN, article_id="KB-0001"), "2026-11-24", "v1")
        record_event(store, Event("view", page=PRINTER, article_id="KB-0002"), "2026-11-25", "v1")
        for visitor, helpful in (("v1", True), ("v2", False), ("v3", True)):
            record_event(store, Event("feedback", page=VPN, article_id="KB-0001", helpful=helpful),
                         "2026-11-25", visitor)  # fmt: skip
        record_event(store, Event("search", query="vpn", results=2), "2026-11-25", "v1")
        record_event(
            store, Event("search", query="=cmd|' /c calc'!a0", results=0), "2026-11-25", "v1"
        )
    return kb


def run(kb: KnowledgeBase, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["stats", "report", "--kb", str(kb.root), *args])
    return result.exit_code, result.output


def test_text_report(filled: KnowledgeBase) -> None:
    assert run(filled) == (
        0,
        "Usage over all retained days: 6 views, 4 daily visitors, 2 helpful and 1 not helpful "
        "votes, 2 searches\n"
        "\n"
        "Articles (views, helpful votes):\n"
        "  KB-0001         5 views  2/3 helpful (67%)      /network/vpn-drops/\n"
        "  KB-0002         1 views  no votes               /printing/printer-offline/\n"
        "\n"
        "Views over time:\n"
        "  2026-11-24       5 views      1 visitors\n"
        "  2026-11-25       1 views      3 visitors\n"
        "\n"
        "Views by category:\n"
        "  network                       5\n"
        "  printing                      1\n"
        "\n"
        "Top searches (count, results last time):\n"
        "      1     0  =cmd|' /c calc'!a0\n"
        "      1     2  vpn\n"
        "\n"
        "Searches with no results:\n"
        "      1  =cmd|' /c calc'!a0\n",
    )


def test_csv_report_is_formula_safe(filled: KnowledgeBase) -> None:
    code, output = run(filled, "--csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(output)))
    assert rows == [
        ["section", "key", "page", "title", "views", "helpful", "not_helpful", "count", "results"],
        ["article", "KB-0001", VPN, "VPN drops every hour", "5", "2", "1", "", ""],
        ["article", "KB-0002", PRINTER, "Printer shows offline", "1", "0", "0", "", ""],
        ["search", "'=cmd|' /c calc'!a0", "", "", "", "", "", "1", "0"],
        ["search", "vpn", "", "", "", "", "", "1", "2"],
        ["zero_result_search", "'=cmd|' /c calc'!a0", "", "", "", "", "", "1", "0"],
        ["day", "2026-11-24", "", "", "5", "", "", "1", ""],
        ["day", "2026-11-25", "", "", "1", "", "", "3", ""],
        ["category", "network", "", "", "5", "", "", "", ""],
        ["category", "printing", "", "", "1", "", "", "", ""],
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("vpn", "vpn"), (5, 5), ("", "")],
)  # fmt: skip
def test_csv_safe(value: object, expected: object) -> None:
    assert csv_safe(value) == expected


def test_json_report_shape(filled: KnowledgeBase) -> None:
    code, output = run(filled, "--json", "--since", "2026-11-25")
    assert code == 0
    data = json.loads(output)
    assert list(data) == [
        "since", "totals", "articles", "other_pages", "searches", "zero_result_searches",
        "views_over_time", "views_by_category", "comments",
    ]  # fmt: skip
    assert data["articles"] == [
        {"id": "KB-0002", "page": PRINTER, "views": 1, "helpful": 0, "not_helpful": 0,
         "title": "Printer shows offline", "category": "printing", "helpful_share": None},
        {"id": "KB-0001", "page": VPN, "views": 0, "helpful": 2, "not_helpful": 1,
         "title": "VPN drops every hour", "category": "network", "helpful_share": 0.6667},
    ]  # fmt: skip


def test_report_since_accepts_a_date_for_the_loop(filled: KnowledgeBase) -> None:
    assert report(filled, since=dt.date(2026, 11, 25))["totals"]["views"] == 1
    assert report(filled, since="2026-11-24")["totals"]["views"] == 6


def test_article_stats_for_the_site(filled: KnowledgeBase) -> None:
    assert article_stats(filled) == {
        "KB-0001": {
            "views": 5,
            "helpful": 2,
            "not_helpful": 1,
            "votes": 3,
            "helpful_share": 0.6667,
        },
        "KB-0002": {"views": 1, "helpful": 0, "not_helpful": 0, "votes": 0, "helpful_share": None},
    }


def test_empty_state_creates_no_database(kb: KnowledgeBase) -> None:
    assert run(kb) == (
        0,
        "No usage recorded yet (over all retained days). Serve the site with: kbgen serve\n",
    )
    assert article_stats(kb) == {}
    assert report(kb)["articles"] == []
    assert not kb.stats_db_path.exists()


def test_json_and_csv_together_is_a_usage_error(kb: KnowledgeBase) -> None:
    code, output = run(kb, "--json", "--csv")
    assert code == 2
    assert output.endswith("Error: choose one of --json and --csv\n")


def test_bad_since_date(kb: KnowledgeBase) -> None:
    code, output = run(kb, "--since", "25/11/2026")
    assert code == 2
    assert output.endswith(
        "Error: Invalid value for '--since': '25/11/2026' does not match the format '%Y-%m-%d'.\n"
    )


def test_other_built_pages_are_counted_apart_from_articles(kb: KnowledgeBase, live: Any) -> None:
    assert live.post({"type": "view", "page": "/"}) == (204, b"")
    assert live.post({"type": "view", "page": "/index.html"}) == (204, b"")
    assert live.post({"type": "view", "page": VPN}) == (204, b"")
    code, output = run(kb)
    assert code == 0
    assert "\nOther pages (views):\n       2  /\n" in output
    data = report(kb)
    assert [(a["id"], a["views"]) for a in data["articles"]] == [("KB-0001", 1)]
    assert [(p["page"], p["views"]) for p in data["other_pages"]] == [("/", 2)]
    assert article_stats(kb) == {
        "KB-0001": {"views": 1, "helpful": 0, "not_helpful": 0, "votes": 0, "helpful_share": None}
    }
