"""No IP address or user agent is stored or logged; salts rotate daily and stay in memory."""

from __future__ import annotations

import logging
import re
import socket
from pathlib import Path
from typing import Any

import pytest

from kbgen.kb import KnowledgeBase
from kbgen.stats.collector import Collector, CollectorSettings
from kbgen.stats.privacy import DailySalt, redact_user_text
from kbgen.stats.server import site_and_collector, start_server

from .conftest import PASSWORD, PRINTER, VPN, Live, make_kb

DOTTED_QUAD = re.compile(rb"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(rb"(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])")
UA_MARK = b"PrivacyProbe"


def _ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def _traffic(live: Live, ua: str) -> None:
    for page in (VPN, PRINTER, PASSWORD):
        assert live.post({"type": "view", "page": page}, ua=ua) == (204, b"")
    assert (
        live.post({"type": "feedback", "page": VPN, "helpful": True, "comment": "ok"}, ua=ua)[0]
        == 204
    )
    assert live.post({"type": "search", "query": "vpn from 192.168.10.20 fe80::1ff:fe23:4567:890a",
                      "results": 0}, ua=ua)[0] == 204  # fmt: skip
    live.post({"type": "view", "page": "/not-here/"}, ua=ua)  # a refusal is logged too
    live.post({"type": "view", "page": VPN, "10.9.8.7": 1}, ua=ua)  # an address as a key
    live.post({"type": "view", "page": VPN}, ua="Googlebot/2.1")
    live.request("GET", VPN, ua=ua)
    live.request("GET", "/missing/", ua=ua)


def test_no_address_or_user_agent_in_database_or_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    kb = make_kb(
        tmp_path / "kb",
        stats_config="  trusted_proxies: ['127.0.0.1', '::1']\n  rate_limit_per_minute: 1000\n",
    )
    hosts = ["127.0.0.1", "::1"] if _ipv6_available() else ["127.0.0.1"]
    collector = Collector(CollectorSettings.from_kb(kb))
    for host in hosts:
        server = start_server(site_and_collector(collector, kb.site_dir), host, 0)
        live = Live(server, collector)
        try:
            _traffic(live, f"Mozilla/5.0 (X11; Linux x86_64) {UA_MARK.decode()}/1.0 Firefox/125.0")
            # Behind a trusted proxy the client address arrives in X-Forwarded-For.
            for forwarded in ("203.0.113.9", "2001:db8::7", "198.51.100.4, 10.0.0.2"):
                status, _ = live.post(
                    {"type": "view", "page": VPN},
                    headers={"X-Forwarded-For": forwarded},
                    ua=f"Mozilla/5.0 {UA_MARK.decode()}/2.0",
                )
                assert status == 204
        finally:
            server.stop()
    collector.close()

    state = kb.state_dir
    stored = b"".join(p.read_bytes() for p in sorted(state.iterdir()) if p.is_file())
    assert b"page_views" in stored  # we are really looking at the database bytes
    out, err = capfd.readouterr()
    logs = "\n".join(r.getMessage() for r in caplog.records).encode() + out.encode() + err.encode()
    assert b"POST /api/events 400" in logs  # the collector does log, without addresses
    for blob in (stored, logs):
        assert DOTTED_QUAD.findall(blob) == []
        assert IPV6.findall(blob) == []
        assert UA_MARK not in blob
        assert b"Firefox" not in blob and b"Mozilla" not in blob


def test_visitors_are_distinct_per_address_and_agent(kb: KnowledgeBase, live: Live) -> None:
    live.collector.settings.trusted_proxies = ["127.0.0.1"]
    for client in ("203.0.113.1", "203.0.113.2", "203.0.113.2"):
        assert live.post({"type": "view", "page": VPN}, headers={"X-Forwarded-For": client}) == (
            204,
            b"",
        )
    visitors = live.collector.store.query("SELECT COUNT(*) FROM daily_visitors")
    assert visitors == [(2,)]


def test_forwarded_for_is_ignored_from_untrusted_peers(kb: KnowledgeBase, live: Live) -> None:
    for client in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        assert live.post({"type": "view", "page": VPN}, headers={"X-Forwarded-For": client}) == (
            204,
            b"",
        )
    assert live.collector.store.query("SELECT COUNT(*) FROM daily_visitors") == [(1,)]


def test_daily_salt_rotates_and_unlinks_visitors() -> None:
    salt = DailySalt()
    monday, rotated = salt.visitor("2026-11-23", "192.0.2.1", "Firefox")
    assert rotated is True
    again, rotated = salt.visitor("2026-11-23", "192.0.2.1", "Firefox")
    assert (again, rotated) == (monday, False)
    tuesday, rotated = salt.visitor("2026-11-24", "192.0.2.1", "Firefox")
    assert rotated is True and tuesday != monday
    # Another process (or a restart) has another salt: the hash cannot be recomputed.
    assert DailySalt().visitor("2026-11-23", "192.0.2.1", "Firefox")[0] != monday
    assert re.fullmatch(r"[0-9a-f]{32}", monday)


def test_new_day_prunes_yesterdays_hashes_and_keeps_the_count(
    kb: KnowledgeBase, live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBGEN_TODAY", "2026-11-24")
    live.post({"type": "view", "page": VPN})
    live.post({"type": "feedback", "page": VPN, "helpful": True})
    monkeypatch.setenv("KBGEN_TODAY", "2026-11-25")
    live.post({"type": "view", "page": PRINTER})
    rows: dict[str, Any] = {
        t: live.collector.store.query(f"SELECT * FROM {t}")
        for t in ("daily_visitors", "vote_guard", "visitor_counts")
    }
    assert [r[0] for r in rows["daily_visitors"]] == ["2026-11-25"]
    assert rows["vote_guard"] == []
    assert rows["visitor_counts"] == [("2026-11-24", 1)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reset for bob.smith@example.org please", "reset for [email] please"),
        ("帐号ctxadmin@yzd.sgcc.com无法登录", "帐号[email]无法登录"),
        ("call 13812345678 now", "call [phone] now"),
        ("call +86 138-1234-5678", "call [phone]"),
        ("server 10.0.0.12 down", "server [ip] down"),
        ("ipv6 2001:db8::ff00:42:8329 down", "ipv6 [ip] down"),
        ("error 0x80070005 since 2026-11-20", "error 0x80070005 since 2026-11-20"),
        ("KB-0042 printer 1603", "KB-0042 printer 1603"),
    ],
)
def test_redaction_of_user_text(text: str, expected: str) -> None:
    assert redact_user_text(text) == expected
