"""KPIs on a small hand-made ticket set whose every number is worked out in the comments."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import init_kb
from kbgen.loop import evidence as evidence_module
from kbgen.loop.kpis import compute_kpis

from .fakes import article, evidence, ticket, write_kb_article

# T1 4 h (linked to KB-0001, published before it was opened), T2 24 h (drafted KB-0002,
# published after), T3 2 h (skipped), T4 still open, T5 resolved before it was opened.
TICKETS = [
    ticket("T1", "2026-03-01T09:00", "2026-03-01T13:00", category="Email", outcome="linked",
           article_id="KB-0001", metrics={"reassignment_count": 0, "reopen_count": 0, "made_sla": True}),
    ticket("T2", "2026-03-02T08:00", "2026-03-03T08:00", category="Email", outcome="created",
           article_id="KB-0002", metrics={"reassignment_count": "2", "reopen_count": "0", "made_sla": "FALSE"}),
    ticket("T3", "2026-04-01T00:00", "2026-04-01T02:00", category="VPN", outcome="skipped",
           metrics={"reassignment_count": 0, "reopen_count": 1}),
    ticket("T4", "2026-04-10T12:00", None, category="VPN", status="Open"),
    ticket("T5", "2026-04-05T10:00", "2026-04-05T09:00", category="VPN", outcome="skipped"),
]  # fmt: skip
ARTICLES = [
    article("KB-0001", "Outlook keeps asking for a password", published_at="2026-01-10"),
    article("KB-0002", "Shared mailbox is missing", published_at="2026-03-05"),
]
USAGE = {
    "articles": [
        {"id": "KB-0001", "views": 40, "helpful": 6, "not_helpful": 1},
        {"id": "KB-0002", "views": 10, "helpful": 0, "not_helpful": 3},
    ]
}


def test_every_kpi_on_a_worked_example() -> None:
    kpis = compute_kpis(evidence(TICKETS, ARTICLES, USAGE))
    assert kpis["tickets"] == 5
    assert kpis["resolved"] == 4  # T4 is open
    assert kpis["link_rate"] == 0.5  # T1 and T2 of four resolved
    assert kpis["reuse_vs_creation"] == {
        "available": True,
        "linked_to_existing": 1,
        "new_articles": 1,
        "tickets_in_new_articles": 1,
        "reuse_share": 0.5,
    }  # fmt: skip
    assert kpis["new_vs_known"] == {
        "available": True, "tickets": 5, "known": 1, "new": 4, "known_share": 0.2,
    }  # fmt: skip
    assert kpis["mttr_hours"] == {
        "overall": 10.0,  # (4 + 24 + 2) / 3; T5 is negative and left out
        "tickets": 3,
        "excluded_negative": 1,
        "by_category": {"Email": 14.0, "VPN": 2.0},
        "by_month": {"2026-03": 14.0, "2026-04": 2.0},
        "with_article": 4.0,
        "without_article": 13.0,
    }
    assert kpis["fcr_proxy"] == {
        "available": True,
        "tickets": 3,
        "first_contact": 1,
        "rate": 0.3333,
        "reassigned": 1,
        "reopened": 1,
        "made_sla": {"available": True, "tickets": 2, "rate": 0.5},
    }
    # 2026-04-10 to KBGEN_TODAY 2026-11-25.
    assert kpis["backlog_age"] == {
        "available": True, "open": 1, "mean_days": 229.0, "median_days": 229, "oldest_days": 229,
    }  # fmt: skip
    service = kpis["self_service"]
    assert (service["helpful"], service["tickets_on_same_topic"], service["success_rate"]) == (
        6,
        2,
        0.75,
    )


def test_since_keeps_tickets_opened_on_or_after_the_day() -> None:
    kpis = compute_kpis(evidence(TICKETS, ARTICLES), since=dt.date(2026, 4, 1))
    assert (kpis["tickets"], kpis["resolved"], kpis["mttr_hours"]["overall"]) == (3, 2, 2.0)


def test_missing_fields_are_reported_not_guessed() -> None:
    bare = [
        ticket("A", "2026-01-01T00:00", "2026-01-01T01:00"),
        ticket("B", None, "2026-01-02T00:00"),
    ]
    kpis = compute_kpis(evidence(bare, origin="x.json"))
    assert kpis["fcr_proxy"] == {
        "available": False, "reason": "no reassignment or reopen counts in this source",
    }  # fmt: skip
    assert kpis["backlog_age"] == {"available": False, "reason": "no open tickets in this source"}
    assert kpis["reuse_vs_creation"] == {
        "available": False,
        "reason": "no capture outcomes: x.json tickets have not been through kbgen capture",
    }
    assert kpis["self_service"] == {"available": False, "reason": "no usage data yet"}
    assert kpis["mttr_hours"]["overall"] == 1.0  # B has no opened time
    assert kpis["link_rate"] == 0.0


def test_breakdown_by_month() -> None:
    kpis = compute_kpis(evidence(TICKETS, ARTICLES), by="month")
    assert kpis["breakdown"] == {
        "2026-03": {
            "tickets": 2,
            "resolved": 2,
            "linked": 2,
            "link_rate": 1.0,
            "mttr_hours": 14.0,
            "mttr_with_article": 4.0,
            "mttr_without_article": 24.0,
        },
        "2026-04": {
            "tickets": 3,
            "resolved": 2,
            "linked": 0,
            "link_rate": 0.0,
            "mttr_hours": 2.0,
            "mttr_with_article": None,
            "mttr_without_article": 2.0,
        },
    }


@pytest.fixture
def kb_with_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    kb = init_kb(tmp_path / "kb")
    write_kb_article(kb.root, "KB-0001", "Outlook keeps asking for a password", "Prompt loops.",
                     published_at="2026-01-10")  # fmt: skip
    write_kb_article(kb.root, "KB-0002", "Shared mailbox is missing", "Mailbox gone.",
                     published_at="2026-03-05")  # fmt: skip
    monkeypatch.setattr(evidence_module, "tickets_from_store", lambda kb: list(TICKETS))
    return kb.root


def test_kpis_command_prints_the_report(kb_with_store: Path) -> None:
    result = CliRunner().invoke(cli, ["kpis", "--kb", str(kb_with_store)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "KPIs from ticket store",
        "tickets: 5 (4 resolved)",
        "link rate: 50.0% (2 of 4 resolved tickets linked)",
        "reuse vs creation: 1 linked to existing articles, 1 new articles",
        "new vs known: 1 known, 4 new (20.0% known)",
        "MTTR: 10.00 h over 3 tickets with opened and resolved times",
        "MTTR with a published article: 4.00 h; without: 13.00 h",
        "first-contact resolution (proxy): 33.3% (1 of 3 never reassigned or reopened)",
        "made SLA: 50.0% of 2 tickets",
        "backlog age: 1 open, median 229 days, oldest 229 days",
        "self-service success: not available: no usage data yet: serve the site with the collector (kbgen serve)",
        "by category:",
        "  Email: MTTR 14.00 h",
        "  VPN: MTTR 2.00 h",
    ]


def test_kpis_json_has_the_documented_minimum(kb_with_store: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["kpis", "--kb", str(kb_with_store), "--json", "--by", "category"],
        catch_exceptions=False,
    )
    data = json.loads(result.output)
    assert (data["tickets"], data["link_rate"], data["mttr_hours"]["overall"]) == (5, 0.5, 10.0)
    assert data["mttr_hours"]["by_category"] == {"Email": 14.0, "VPN": 2.0}
    assert data["breakdown"]["VPN"] == {
        "tickets": 3,
        "resolved": 2,
        "linked": 0,
        "link_rate": 0.0,
        "mttr_hours": 2.0,
        "mttr_with_article": None,
        "mttr_without_article": 2.0,
    }


def test_kpis_page_has_escaped_svg_charts(kb_with_store: Path) -> None:
    page = kb_with_store / "kpis.html"
    result = CliRunner().invoke(
        cli, ["kpis", "--kb", str(kb_with_store), "--page", str(page)], catch_exceptions=False
    )
    assert result.output.splitlines()[-1] == f"KPI page written to {page}"
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg ") == 3  # by category, by month, with vs without an article
    assert "<title>Email: 14 h</title>" in html


def test_bad_since_is_a_clear_error(kb_with_store: Path) -> None:
    result = CliRunner().invoke(cli, ["kpis", "--kb", str(kb_with_store), "--since", "last week"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for '--since': 'last week' is not a date; use YYYY-MM-DD, e.g. 2024-01-31"
    )


def test_site_kpi_page_is_escaped_markdown_tables() -> None:
    from kbgen.loop.kpi_page import render_kpi_page

    hostile = [
        ticket("H1", "2026-03-01T09:00", "2026-03-01T12:00", category="<script>x</script>|VPN")
    ]
    page = render_kpi_page(compute_kpis(evidence(hostile), by="category"))
    assert "<script>" not in page and "<svg" not in page
    section = page.split("## MTTR by category\n\n", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines() == [
        "| | h |",
        "| --- | ---: |",
        "| &lt;script&gt;x&lt;/script&gt;\\|VPN | 3 |",
    ]


def test_site_pages_only_for_an_internal_site(kb_with_store: Path) -> None:
    from kbgen.kb import KnowledgeBase
    from kbgen.loop.kpi_page import site_pages

    kb = KnowledgeBase.open(kb_with_store)
    assert site_pages(kb) == {}
    kb.config.site.internal = True
    pages = site_pages(kb)
    assert sorted(pages) == ["backlog.md", "kpis.md"]
    assert pages["kpis.md"].startswith("# Support KPIs\n")
    assert pages["backlog.md"].startswith("# Knowledge-base backlog\n")


def test_kpis_by_month_prints_the_breakdown(kb_with_store: Path) -> None:
    result = CliRunner().invoke(
        cli, ["kpis", "--kb", str(kb_with_store), "--by", "month"], catch_exceptions=False
    )
    assert result.output.splitlines()[-3:] == [
        "by month:",
        "  2026-03: 2 tickets, link rate 100.0%, MTTR 14.00 h",
        "  2026-04: 3 tickets, link rate 0.0%, MTTR 2.00 h",
    ]
