"""The collector over real HTTP on 127.0.0.1: accepted events give exact report counts."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase

from .conftest import PASSWORD, PRINTER, VPN, Live, dump, start_live


def report_json(kb: KnowledgeBase, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["stats", "report", "--json", "--kb", str(kb.root), *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_posted_events_give_exact_counts_in_report(kb: KnowledgeBase, live: Live) -> None:
    events = (
        [{"type": "view", "page": VPN}] * 7
        + [{"type": "view", "page": PRINTER}] * 3
        + [{"type": "view", "page": PRINTER + "index.html"}]
        + [{"type": "feedback", "page": VPN, "helpful": True}]
        + [{"type": "search", "query": "VPN drops", "results": 2}] * 4
        + [{"type": "search", "query": "  vpn   DROPS ", "results": 1}]
        + [{"type": "search", "query": "printer jam", "results": 0}] * 2
    )
    for event in events:
        assert live.post(event) == (204, b"")
    # Votes are per visitor: a second person (another browser) votes not helpful.
    other = {"ua": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) Gecko/20100101 Firefox/125.0"}
    assert live.post(
        {"type": "feedback", "page": VPN, "helpful": False, "comment": ""}, **other
    ) == (204, b"")
    assert live.post({"type": "feedback", "page": PRINTER, "helpful": False}, **other) == (204, b"")

    data = report_json(kb)
    assert data["articles"] == [
        {"id": "KB-0001", "page": VPN, "views": 7, "helpful": 1, "not_helpful": 1,
         "title": "VPN drops every hour", "category": "network", "helpful_share": 0.5},
        {"id": "KB-0002", "page": PRINTER, "views": 4, "helpful": 0, "not_helpful": 1,
         "title": "Printer shows offline", "category": "printing", "helpful_share": 0.0},
    ]  # fmt: skip
    assert data["searches"] == [
        {"query": "vpn drops", "count": 5, "results": 1},
        {"query": "printer jam", "count": 2, "results": 0},
    ]
    assert data["zero_result_searches"] == [{"query": "printer jam", "count": 2}]
    assert data["views_over_time"] == [{"day": "2026-11-25", "views": 11, "visitors": 2}]
    assert data["views_by_category"] == [
        {"category": "network", "views": 7},
        {"category": "printing", "views": 4},
    ]
    assert data["totals"] == {
        "views": 11, "visitors": 2, "helpful": 1, "not_helpful": 2, "searches": 7,
    }  # fmt: skip


def test_one_vote_per_visitor_per_page_per_day(kb: KnowledgeBase, live: Live) -> None:
    for helpful in (True, False, True, True):
        assert live.post({"type": "feedback", "page": PASSWORD, "helpful": helpful}) == (204, b"")
    data = report_json(kb)
    assert [(a["id"], a["helpful"], a["not_helpful"]) for a in data["articles"]] == [
        ("KB-0003", 1, 0)
    ]


def test_concurrent_posting_from_threads_loses_nothing(kb: KnowledgeBase, live: Live) -> None:
    threads, per_thread = 8, 40
    failures: list[Any] = []

    def worker(n: int) -> None:
        ua = f"Mozilla/5.0 (X11; Linux x86_64) Firefox/{100 + n}.0"  # a visitor per thread
        for i in range(per_thread):
            event = {"type": "view", "page": VPN if i % 2 else PRINTER}
            got = live.post(event, ua=ua)
            if got != (204, b""):
                failures.append(got)
            if i % 10 == 0:
                live.post({"type": "search", "query": f"thread {n}", "results": 0}, ua=ua)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert failures == []
    data = report_json(kb)
    assert {a["id"]: a["views"] for a in data["articles"]} == {"KB-0001": 160, "KB-0002": 160}
    assert data["totals"]["visitors"] == threads
    assert sorted((s["query"], s["count"]) for s in data["searches"]) == [
        (f"thread {n}", 4) for n in range(threads)
    ]


def test_concurrent_collectors_on_one_database_lose_nothing(kb: KnowledgeBase, live: Live) -> None:
    """Two collector processes' worth (two apps, two connection sets) writing the same file."""
    second = start_live(kb)
    try:

        def worker(target: Live, n: int) -> None:
            for _ in range(50):
                assert target.post({"type": "view", "page": VPN}, ua=f"Mozilla/5.0 Gecko/{n}") == (
                    204,
                    b"",
                )

        pool = [
            threading.Thread(target=worker, args=(t, n)) for n, t in enumerate([live, second] * 3)
        ]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    finally:
        second.server.stop()
        second.collector.close()
    assert report_json(kb)["articles"][0]["views"] == 300


def test_since_filters_days(kb: KnowledgeBase, live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBGEN_TODAY", "2026-11-20")
    live.post({"type": "view", "page": VPN})
    monkeypatch.setenv("KBGEN_TODAY", "2026-11-25")
    live.post({"type": "view", "page": VPN})
    live.post({"type": "view", "page": VPN})
    assert report_json(kb)["articles"][0]["views"] == 3
    recent = report_json(kb, "--since", "2026-11-21")
    assert recent["articles"][0]["views"] == 2
    assert recent["since"] == "2026-11-21"
    assert [d["day"] for d in report_json(kb)["views_over_time"]] == ["2026-11-20", "2026-11-25"]


def test_site_and_collector_share_the_port(live: Live) -> None:
    status, headers, body = live.request("GET", VPN)
    assert (status, headers["Content-Type"], body) == (
        200, "text/html; charset=utf-8", b"<!doctype html><title>VPN drops every hour</title>",
    )  # fmt: skip
    assert live.request("GET", VPN.rstrip("/"))[:2][0] == 301
    assert live.request("GET", "/../../etc/passwd")[0] == 404
    assert live.request("GET", "/%2e%2e/%2e%2e/etc/passwd")[0] == 404
    assert live.request("GET", "/api/nothing")[0] == 404


def test_cors_allows_configured_origins_only(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .conftest import make_kb

    kb = make_kb(tmp_path / "kb", stats_config="  cors_origins: [https://kb.example.com]\n")
    running = start_live(kb)
    try:
        event = json.dumps({"type": "view", "page": VPN})
        status, headers, _ = running.request(
            "POST", "/api/events", event, headers={"Origin": "https://kb.example.com"}
        )
        assert (status, headers["Access-Control-Allow-Origin"]) == (204, "https://kb.example.com")
        status, headers, _ = running.request(
            "OPTIONS", "/api/events", headers={"Origin": "https://kb.example.com"}
        )
        assert (status, headers["Access-Control-Allow-Methods"]) == (204, "POST, GET, OPTIONS")
        status, _, body = running.request(
            "POST", "/api/events", event, headers={"Origin": "https://evil.example"}
        )
        assert (status, body) == (403, b'{"error": "origin not allowed"}')
        same = f"http://127.0.0.1:{running.port}"
        assert running.request("POST", "/api/events", event, headers={"Origin": same})[0] == 204
    finally:
        running.server.stop()
        running.collector.close()
    assert dump(kb)["page_views"] == [("2026-11-25", VPN, "KB-0001", "beacon", 2)]


def test_search_endpoint_answers_from_search_articles(
    kb: KnowledgeBase, live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The handler's contract; tests/search/test_api.py runs it on a real index and site."""
    import kbgen.stats.collector

    class Hit:
        id, title, path, score = "KB-0001", "VPN drops every hour", "network/vpn-drops.md", 1.23456
        url, snippet = "/network/vpn-drops/", "<mark>VPN</mark> drops"

    calls: list[tuple[Any, ...]] = []

    def fake_search(
        kb_arg: KnowledgeBase,
        query: str,
        limit: int = 10,
        fresh_within: float = 0.0,
        snippets: bool = False,
    ) -> list[Hit]:
        calls.append((kb_arg.root, query, limit, fresh_within, snippets))
        return [Hit()]

    monkeypatch.setattr(kbgen.stats.collector, "search_articles", fake_search)
    status, _, body = live.request("GET", "/api/search?q=vpn%20drops")
    assert status == 200
    assert json.loads(body) == [
        {
            "id": "KB-0001",
            "title": "VPN drops every hour",
            "url": "/network/vpn-drops/",
            "snippet": "<mark>VPN</mark> drops",
            "score": 1.2346,
        }
    ]
    assert calls == [(kb.root, "vpn drops", 10, 2.0, True)]  # index checked at most every 2 s
    assert live.request("GET", "/api/search?q=")[::2] == (
        400, b'{"error": "add a query: /api/search?q=words"}',
    )  # fmt: skip


def test_wsgi_entry_point_for_production_servers(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import io

    from kbgen.exceptions import ConfigError
    from kbgen.stats.wsgi import create_app

    monkeypatch.delenv("KBGEN_KB", raising=False)
    with pytest.raises(ConfigError) as err:
        create_app()
    assert err.value.message == (
        "set KBGEN_KB to the knowledge base directory before starting the collector"
    )
    published = tmp_path / "public"
    published.mkdir()
    (kb.site_dir / "kbgen-pages.json").rename(published / "kbgen-pages.json")
    monkeypatch.setenv("KBGEN_KB", str(kb.root))
    monkeypatch.setenv("KBGEN_SITE_DIR", str(published))
    app = create_app()
    body = json.dumps({"type": "view", "page": VPN}).encode()
    statuses: list[str] = []
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/api/events", "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body), "HTTP_USER_AGENT": "Mozilla/5.0 Firefox/125.0",
        "REMOTE_ADDR": "192.0.2.1",
    }  # fmt: skip
    assert list(app(environ, lambda status, headers: statuses.append(status))) == []
    app.close()
    assert statuses == ["204 No Content"]
    assert dump(kb)["page_views"] == [("2026-11-25", VPN, "KB-0001", "beacon", 1)]


def test_beacon_connections_stay_open_after_204(kb: KnowledgeBase, live: Live) -> None:
    """waitress alone closes the connection after every 204; kbgen serve keeps it alive."""
    import socket

    from .conftest import BROWSER_UA

    body = json.dumps({"type": "view", "page": VPN}).encode()
    request = (
        f"POST /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {BROWSER_UA}\r\n"
        f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    with socket.create_connection(("127.0.0.1", live.port), timeout=30) as sock:
        for _ in range(3):
            sock.sendall(request)
            head = b""
            while b"\r\n\r\n" not in head:
                head += sock.recv(4096)
            assert head.startswith(b"HTTP/1.1 204 No Content\r\n")
            assert b"Connection: close" not in head
        sock.sendall(
            b"POST /api/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        )
        last = b""
        while chunk := sock.recv(4096):
            last += chunk
        assert last.startswith(b"HTTP/1.1 204 No Content\r\n")  # no UA: not counted
        assert b"Connection: close" in last
    assert report_json(kb)["articles"][0]["views"] == 3


def test_new_site_build_is_picked_up_without_a_restart(kb: KnowledgeBase, live: Live) -> None:
    new_page = "/printing/toner-low/"
    assert live.post({"type": "view", "page": new_page}) == (
        400,
        b'{"error": "\'page\' is not a page of this site"}',
    )
    manifest = kb.site_dir / "kbgen-pages.json"
    pages = json.loads(manifest.read_text())
    pages.append({"page": new_page, "id": "KB-0004", "title": "Toner low", "category": "printing",
                  "tags": [], "status": "published"})  # fmt: skip
    manifest.write_text(json.dumps(pages, indent=1))  # another size: a new stamp even within 1 ns
    assert live.post({"type": "view", "page": new_page}) == (204, b"")
    assert [a["id"] for a in report_json(kb)["articles"]] == ["KB-0004"]


def test_static_files_never_leave_the_site(kb: KnowledgeBase, live: Live, tmp_path: Any) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    (kb.site_dir / "leak.txt").symlink_to(secret)
    assert live.request("GET", "/leak.txt")[::2] == (404, b"Not found")
    (kb.site_dir / "404.html").write_text("<h1>Nothing here</h1>")
    status, headers, body = live.request("GET", "/missing/")
    assert (status, headers["Content-Type"], body) == (
        404, "text/html; charset=utf-8", b"<h1>Nothing here</h1>",
    )  # fmt: skip


def test_rate_limiter_refills_over_time() -> None:
    from kbgen.stats.collector import RateLimiter

    limiter = RateLimiter(per_minute=2)
    assert [limiter.allow("v", now=0.0) for _ in range(3)] == [True, True, False]
    assert limiter.allow("v", now=29.0) is False  # 0.97 of a token back
    assert limiter.allow("v", now=31.0) is True
    assert limiter.allow("other", now=31.0) is True
    assert RateLimiter(per_minute=0).allow("v") is True
