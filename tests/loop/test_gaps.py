"""`kbgen gaps`: each kind of gap, the shared ranking, and the printed list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.config import Config
from kbgen.kb import init_kb
from kbgen.loop import evidence as evidence_module
from kbgen.loop.gaps import find_gaps

from .fakes import article, evidence, ticket, write_kb_article

PRINTER = "Printer on floor 3 prints blank pages"
TICKETS = [
    ticket("P1", "2026-02-01T08:00", "2026-02-01T10:00", category="Printing", text=f"{PRINTER}\ntoner ok"),
    ticket("P2", "2026-02-03T08:00", "2026-02-03T14:00", category="Printing", text="printer prints blank pages on floor 3"),
    ticket("P3", "2026-02-09T08:00", "2026-02-09T09:00", category="Printing", text=f"{PRINTER} again since Monday"),
    ticket("V1", "2026-02-02T08:00", "2026-02-02T09:00", category="VPN", text="VPN drops every hour"),
    ticket("O1", "2026-02-04T08:00", None, category="VPN", text="VPN drops every hour", status="Open"),
    ticket("L1", "2026-02-05T08:00", "2026-02-05T09:00", category="Email", text="Outlook asks for password",
           outcome="linked", article_id="KB-0001"),
]  # fmt: skip
USAGE = {
    "zero_result_searches": [
        {"query": "VPN certificate expired", "count": 4},
        {"query": "vpn certificate  expired", "count": 1},
        {"query": "badge reader", "count": 2},
    ],
    "articles": [
        {"id": "KB-0001", "views": 120, "helpful": 1, "not_helpful": 5},
        {"id": "KB-0002", "views": 3, "helpful": 4, "not_helpful": 0},
    ],
    "comments": [{"id": "KB-0001", "helpful": False, "comment": "step 2 is missing"}],
}
ARTICLES = [
    article("KB-0001", "Outlook keeps asking for a password", updated="2025-01-02"),
    article("KB-0002", "Outlook asks for the password again and again", problem="Outlook keeps asking for a password",
            review_by="2026-06-01"),
]  # fmt: skip


def test_each_kind_is_found_with_its_evidence() -> None:
    config = Config()
    config.capture.merge_threshold = 0.4
    gaps = {g.key: g for g in find_gaps(evidence(TICKETS, ARTICLES, USAGE), config)}
    search = gaps["failed_search:vpn certificate expired"]
    assert (search.demand, search.evidence["queries"]) == (
        5, [{"query": "vpn certificate expired", "count": 5}],
    )  # fmt: skip
    printing = gaps["uncovered_problem:Printing:P1"]
    assert printing.demand == 3
    assert printing.evidence == {
        "category": "Printing",
        "tickets": 3,
        "first_opened": "2026-02-01",
        "last_opened": "2026-02-09",
        "mean_hours_to_resolve": 3.0,
        "total_hours_to_resolve": 9.0,
        "best_ticket": "P3",  # the most text
        "example_ids": ["P1", "P2", "P3"],
        "ticket_ids": ["P1", "P2", "P3"],
    }
    assert gaps["uncovered_problem:VPN:V1"].evidence["tickets"] == 1  # O1 is still open
    assert "uncovered_problem:Email:L1" not in gaps  # linked to KB-0001
    unhelpful = gaps["unhelpful_article:KB-0001"]
    assert (unhelpful.demand, unhelpful.evidence["comments"]) == (5, ["step 2 is missing"])
    stale = gaps["stale_article:KB-0001"]
    assert stale.evidence["reasons"] == [
        "among the 20 most viewed and not updated since 2025-01-02"
    ]
    assert gaps["stale_article:KB-0002"].evidence["reasons"] == ["review_by 2026-06-01 has passed"]
    assert gaps["duplicate_articles:KB-0001:KB-0002"].evidence["articles"] == ["KB-0001", "KB-0002"]


def test_one_ranking_by_demand() -> None:
    gaps = find_gaps(evidence(TICKETS, ARTICLES, USAGE), Config())
    assert [(g.kind, g.demand) for g in gaps] == [
        ("stale_article", 120),
        ("failed_search", 5),
        ("unhelpful_article", 5),
        ("uncovered_problem", 3),
        ("stale_article", 3),
        ("failed_search", 2),
        ("uncovered_problem", 1),
        ("duplicate_articles", 1),
    ]


def test_no_usage_means_no_search_or_vote_gaps() -> None:
    gaps = find_gaps(evidence(TICKETS), Config())
    assert {g.kind for g in gaps} == {"uncovered_problem"}


@pytest.fixture
def kb_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    kb = init_kb(tmp_path / "kb")
    write_kb_article(kb.root, "KB-0001", "Outlook keeps asking for a password", "Prompt loops.")
    monkeypatch.setattr(evidence_module, "tickets_from_store", lambda kb: list(TICKETS))
    return kb.root


def test_gaps_command_prints_ranked_entries(kb_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["gaps", "--kb", str(kb_dir), "--limit", "1"], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "1. [uncovered problem] Printing: ticket P3 (demand 3)",
        "   3 tickets opened 2026-02-01 to 2026-02-09, mean time to resolve 3.00 h; e.g. P1, P2, P3",
        "(1 more; use --limit to see them)",
    ]


def test_gaps_json(kb_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["gaps", "--kb", str(kb_dir), "--json"], catch_exceptions=False
    )
    data = json.loads(result.output)
    assert (data["source"], data["total"]) == ("ticket store", 2)
    assert [(g["rank"], g["kind"], g["key"]) for g in data["gaps"]] == [
        (1, "uncovered_problem", "uncovered_problem:Printing:P1"),
        (2, "uncovered_problem", "uncovered_problem:VPN:V1"),
    ]


def test_gaps_open_without_a_forge_writes_the_backlog_page(kb_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["gaps", "--kb", str(kb_dir), "--open"], catch_exceptions=False
    )
    assert result.output.splitlines()[-3:] == [
        "backlog page written: content/review-notes/backlog.md",
        "not captured for uncovered_problem:Printing:P1: ticket P3 is only in the ticket store; "
        "run kbgen gaps --open --from EXPORT to draft it",
        "not captured for uncovered_problem:VPN:V1: ticket V1 is only in the ticket store; "
        "run kbgen gaps --open --from EXPORT to draft it",
    ]
    page = (kb_dir / "content" / "review-notes" / "backlog.md").read_text(encoding="utf-8")
    assert page.splitlines()[-2] == (
        "| 1 | uncovered problem | Printing: ticket P3 | 3 | 3 tickets opened 2026-02-01 to "
        "2026-02-09, mean time to resolve 3.00 h; e.g. P1, P2, P3 |"
    )
