"""Field notes §7 items 48-54: every hostile request is refused and leaves the database unchanged."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase

from .conftest import BROWSER_UA, VPN, Live, dump, make_kb, start_live

BAD = "application/json"

# (name, body, extra request options, expected status, expected response body)
HOSTILE: list[tuple[str, Any, dict[str, Any], int, bytes]] = [
    ("oversized body", json.dumps({"type": "view", "page": VPN, "x": "a" * 3000}), {}, 400,
     b'{"error": "body is larger than 2048 bytes"}'),
    ("10 KB query", json.dumps({"type": "search", "query": "q" * 10_240, "results": 1}), {}, 400,
     b'{"error": "body is larger than 2048 bytes"}'),
    ("invalid JSON", '{"type": "view", "page": ', {}, 400,
     b'{"error": "body is not valid JSON (Expecting value)"}'),
    ("empty body", "", {}, 400, b'{"error": "body is not valid JSON (Expecting value)"}'),
    ("not UTF-8", b'{"type": "search", "query": "\xff\xfe", "results": 1}', {}, 400,
     b'{"error": "body is not UTF-8"}'),
    ("JSON array", json.dumps([{"type": "view", "page": VPN}]), {}, 400,
     b'{"error": "body must be a JSON object"}'),
    ("NaN results", '{"type": "search", "query": "vpn", "results": NaN}', {}, 400,
     b'{"error": "body is not valid JSON (NaN is not allowed)"}'),
    ("repeated key", '{"type": "view", "page": "/nope/", "page": "' + VPN + '"}', {}, 400,
     b'{"error": "body repeats a key"}'),
    ("unknown type", {"type": "click", "page": VPN}, {}, 400,
     b'{"error": "\'type\' must be one of view, feedback, search"}'),
    ("unknown key", {"type": "view", "page": VPN, "ip": "10.1.2.3"}, {}, 400,
     b'{"error": "unknown key \'ip\' for a view event"}'),
    ("unknown key with an address", {"type": "view", "page": VPN, "10.1.2.3\nx": 1}, {}, 400,
     b'{"error": "unknown key \'(not shown)\' for a view event"}'),
    ("missing page", {"type": "view"}, {}, 400, b'{"error": "\'page\' is missing"}'),
    ("page not on site", {"type": "view", "page": "/admin/"}, {}, 400,
     b'{"error": "\'page\' is not a page of this site"}'),
    ("page is a URL", {"type": "view", "page": "https://evil.example/"}, {}, 400,
     b'{"error": "\'page\' must be a path on this site, like /network/vpn-drops/"}'),
    ("control chars in page", {"type": "view", "page": VPN + "\u0000\u001b[2J"}, {}, 400,
     b'{"error": "\'page\' is not a page of this site"}'),
    ("raw control char in JSON", '{"type": "search", "query": "a\x07b", "results": 1}', {}, 400,
     b'{"error": "body is not valid JSON (Invalid control character at)"}'),
    ('helpful="maybe"', {"type": "feedback", "page": VPN, "helpful": "maybe"}, {}, 400,
     b'{"error": "\'helpful\' must be true or false"}'),
    ("helpful=1", {"type": "feedback", "page": VPN, "helpful": 1}, {}, 400,
     b'{"error": "\'helpful\' must be true or false"}'),
    ("comment not text", {"type": "feedback", "page": VPN, "helpful": True, "comment": ["x"]}, {},
     400, b'{"error": "\'comment\' must be text"}'),
    ("results=true", {"type": "search", "query": "vpn", "results": True}, {}, 400,
     b'{"error": "\'results\' must be a whole number"}'),
    ("negative results", {"type": "search", "query": "vpn", "results": -1}, {}, 400,
     b'{"error": "\'results\' must be between 0 and 1000000"}'),
    ("query only control chars", {"type": "search", "query": "\u0000\u0007\u202e", "results": 0},
     {}, 400, b'{"error": "\'query\' is empty"}'),
    ("bot user agent", {"type": "view", "page": VPN},
     {"ua": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}, 204, b""),
    ("headless browser", {"type": "view", "page": VPN},
     {"ua": "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/124.0.0.0 Safari/537.36"}, 204, b""),
    ("script user agent", {"type": "view", "page": VPN}, {"ua": "python-requests/2.32.3"}, 204, b""),
    ("empty user agent", {"type": "view", "page": VPN}, {"ua": ""}, 204, b""),
    ("no user agent", {"type": "view", "page": VPN}, {"ua": None}, 204, b""),
    ("Sec-Purpose prefetch", {"type": "view", "page": VPN},
     {"headers": {"Sec-Purpose": "prefetch;prerender"}}, 204, b""),
    ("Purpose prefetch", {"type": "view", "page": VPN}, {"headers": {"Purpose": "prefetch"}}, 204, b""),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "options", "status", "answer"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_hostile_event_is_refused_and_changes_nothing(
    kb: KnowledgeBase, live: Live, body: Any, options: dict[str, Any], status: int, answer: bytes
) -> None:
    assert live.post({"type": "view", "page": VPN}) == (204, b"")  # the database has content
    before = dump(kb)
    assert live.post(body, **options) == (status, answer)
    assert dump(kb) == before


def test_head_and_get_on_the_endpoint_count_nothing(kb: KnowledgeBase, live: Live) -> None:
    assert live.post({"type": "view", "page": VPN}) == (204, b"")
    before = dump(kb)
    status, headers, body = live.request(
        "HEAD", "/api/events", json.dumps({"type": "view", "page": VPN})
    )
    assert (status, headers["Allow"], body) == (405, "POST, OPTIONS", b"")
    status, _, body = live.request("GET", "/api/events?type=view&page=" + VPN)
    assert (status, body) == (405, b'{"error": "use POST"}')
    assert dump(kb) == before


def test_flood_from_one_visitor_is_rate_limited(tmp_path: Any) -> None:
    kb = make_kb(tmp_path / "kb", stats_config="  rate_limit_per_minute: 5\n")
    live = start_live(kb)
    try:
        answers = [live.post({"type": "view", "page": VPN}) for _ in range(5)]
        assert answers == [(204, b"")] * 5
        before = dump(kb)
        flood = [live.post({"type": "feedback", "page": VPN, "helpful": True}) for _ in range(100)]
        assert flood == [(429, b'{"error": "too many events; slow down"}')] * 100
        status, headers, _ = live.request(
            "POST", "/api/events", json.dumps({"type": "view", "page": VPN})
        )
        assert (status, headers["Retry-After"]) == (429, "60")
        assert dump(kb) == before
        # Another visitor is not held back by the flood.
        other = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/126.0"
        assert live.post({"type": "view", "page": VPN}, ua=other) == (204, b"")
    finally:
        live.server.stop()
        live.collector.close()
    assert dump(kb)["page_views"] == [("2026-11-25", VPN, "KB-0001", "beacon", 6)]


def test_injection_looking_queries_are_stored_as_data(kb: KnowledgeBase, live: Live) -> None:
    queries = [
        "'; DROP TABLE searches; --",
        '=HYPERLINK("http://evil.example","x")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "-2+3",
    ]
    for query in queries:
        assert live.post({"type": "search", "query": query, "results": 0}) == (204, b"")
    stored = sorted(row[1] for row in dump(kb)["searches"])
    assert stored == sorted(q.casefold() for q in queries)

    result = CliRunner().invoke(cli, ["stats", "report", "--csv", "--kb", str(kb.root)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    searched = sorted(r[1] for r in rows if r[0] == "search")
    assert searched == sorted(
        [
            "'; drop table searches; --",
            '\'=hyperlink("http://evil.example","x")',
            "'+cmd|' /c calc'!a0",
            "'@sum(1+1)",
            "'-2+3",
        ]
    )


def test_query_and_comment_are_capped_cleaned_and_redacted(kb: KnowledgeBase, live: Live) -> None:
    assert live.post(
        {"type": "search", "query": "mail ana.lee@corp.example.com or call +86 138-1234-5678 " + "x" * 300,
         "results": 0}
    ) == (204, b"")  # fmt: skip
    assert live.post(
        {"type": "feedback", "page": VPN, "helpful": False,
         "comment": "Still broken\u0007 from 10.20.30.40, ping me at 13812345678\u202e please"}
    ) == (204, b"")  # fmt: skip
    rows = dump(kb)
    (query,) = [r[1] for r in rows["searches"]]
    assert query.startswith("mail [email] or call [phone] xxx")
    assert len(query) == 100
    assert rows["feedback_comments"] == [
        (1, "2026-11-25", VPN, "KB-0001", 0, "Still broken from [ip], ping me at [phone] please")
    ]


def test_browser_user_agent_constant_is_not_a_bot() -> None:
    from kbgen.stats.privacy import is_bot

    assert not is_bot(BROWSER_UA)
    assert is_bot("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)")


def test_one_address_rotating_user_agents_is_rate_limited_too(tmp_path: Any) -> None:
    kb = make_kb(tmp_path / "kb", stats_config="  rate_limit_per_minute: 2\n")
    live = start_live(kb)
    try:
        answers = [
            live.post({"type": "view", "page": VPN}, ua=f"Mozilla/5.0 Firefox/{n}")[0]
            for n in range(45)
        ]
    finally:
        live.server.stop()
        live.collector.close()
    assert answers == [204] * 40 + [429] * 5  # 2 per visitor, 20 x 2 per address
    assert dump(kb)["page_views"] == [("2026-11-25", VPN, "KB-0001", "beacon", 40)]
