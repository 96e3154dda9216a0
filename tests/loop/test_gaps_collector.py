"""Usage recorded by the real collector on 127.0.0.1 shows up in `kbgen gaps`."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase, init_kb
from kbgen.stats.collector import make_app
from kbgen.stats.server import RunningServer, start_server

from .fakes import write_kb_article

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
PAGE = "/email/outlook-password/"


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KnowledgeBase:
    monkeypatch.delenv("KBGEN_STATS_URL", raising=False)
    kb = init_kb(tmp_path / "kb")
    config = {"loop": {"min_votes": 2}, "stats": {"rate_limit_per_minute": 1000}}
    (kb.root / "site_config" / "kbgen.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    write_kb_article(kb.root, "KB-0001", "Outlook keeps asking for a password", "The prompt loops.")
    # The collector accepts page events only for pages of the built site (its manifest).
    site = kb.root / "site"
    site.mkdir()
    manifest = [{"page": PAGE, "id": "KB-0001", "title": "Outlook keeps asking for a password",
                 "category": "Email", "tags": [], "status": "published"}]  # fmt: skip
    (site / "kbgen-pages.json").write_text(json.dumps(manifest), encoding="utf-8")
    return KnowledgeBase.open(kb.root)


@pytest.fixture
def collector(kb: KnowledgeBase) -> Iterator[RunningServer]:
    app = make_app(kb)
    server = start_server(app, "127.0.0.1", 0)
    yield server
    server.stop()
    app.close()


def post(server: RunningServer, event: dict[str, Any], user_agent: str = BROWSER) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        body = json.dumps(event).encode()
        conn.request(
            "POST",
            "/api/events",
            body,
            {"Content-Type": "text/plain;charset=UTF-8", "User-Agent": user_agent},
        )
        return conn.getresponse().status
    finally:
        conn.close()


def test_zero_result_searches_and_unhelpful_votes_become_gaps(
    kb: KnowledgeBase, collector: RunningServer
) -> None:
    searches = ["VPN certificate expired"] * 3 + [
        "vpn  certificate expired",
        "VPN cert expired for ana@example.com",
    ]
    for query in searches:
        assert post(collector, {"type": "search", "query": query, "results": 0}) == 204
    assert post(collector, {"type": "search", "query": "outlook password", "results": 4}) == 204
    for n, comment in enumerate(["step 2 is missing", "still asks after the fix"]):
        vote = {"type": "feedback", "page": PAGE, "helpful": False, "comment": comment}
        assert post(collector, vote, user_agent=f"{BROWSER} visitor/{n}") == 204
    result = CliRunner().invoke(cli, ["gaps", "--kb", str(kb.root)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        '1. [failed search] Searches for "vpn certificate expired" find nothing useful (demand 4)',
        "   4 with no results, 0 with no click: vpn certificate expired (4)",
        "2. [unhelpful article] KB-0001 Outlook keeps asking for a password is not helping (demand 2)",
        "   0 helpful, 2 not helpful, 0 views; comments: still asks after the fix | step 2 is missing",
        '3. [failed search] Searches for "vpn cert expired for [email]" find nothing useful (demand 1)',
        "   1 with no results, 0 with no click: vpn cert expired for [email] (1)",
    ]


def test_self_service_from_collector_usage_and_the_ticket_store(
    kb: KnowledgeBase, collector: RunningServer
) -> None:
    import datetime as dt

    from kbgen.models import Ticket
    from kbgen.sources.store import TicketStore

    with TicketStore(kb.ticket_store_path) as store:
        for n, outcome in ((1, "drafted"), (2, "linked")):
            opened = dt.datetime(2026, 11, n, 9, 0)
            ticket = Ticket(id=f"INC-{n}", source="servicenow", title="Outlook password prompt",
                            opened=opened, resolved=opened + dt.timedelta(hours=3), status="Closed")  # fmt: skip
            store.record(ticket, outcome=outcome, article_id="KB-0001", reason=None, similarity=None,
                         title=ticket.title, problem="Prompt loops.")  # fmt: skip
    for n in range(3):
        assert (
            post(collector, {"type": "view", "page": PAGE}, user_agent=f"{BROWSER} reader/{n}")
            == 204
        )
    for n in range(2):
        vote = {"type": "feedback", "page": PAGE, "helpful": True}
        assert post(collector, vote, user_agent=f"{BROWSER} reader/{n}") == 204
    result = CliRunner().invoke(
        cli, ["kpis", "--kb", str(kb.root), "--json"], catch_exceptions=False
    )
    data = json.loads(result.output)
    assert (data["tickets"], data["link_rate"], data["mttr_hours"]["overall"]) == (2, 1.0, 3.0)
    assert data["reuse_vs_creation"]["linked_to_existing"] == 1
    assert data["self_service"] == {
        "available": True,
        "views": 3,
        "helpful": 2,
        "not_helpful": 0,
        "tickets_on_same_topic": 2,
        "success_rate": 0.5,  # 2 helpful votes against 2 tickets on the same article
        "articles": [{"id": "KB-0001", "views": 3, "helpful": 2, "not_helpful": 0, "tickets": 2}],
    }
