"""Fixtures for the stats tests: a small KB with a "built" site manifest, a real collector
on 127.0.0.1, and a real PostgreSQL server for the ``postgres`` mark."""

from __future__ import annotations

import http.client
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kbgen.kb import KnowledgeBase
from kbgen.stats.collector import Collector, CollectorSettings
from kbgen.stats.server import RunningServer, site_and_collector, start_server
from kbgen.stats.store import URL_ENV, StatsStore

from .pg import PostgresUnavailable, postgres_server

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
PAGES = [
    {"page": "/network/vpn-drops/", "id": "KB-0001", "title": "VPN drops every hour",
     "category": "network", "tags": ["vpn"], "status": "published"},
    {"page": "/printing/printer-offline/", "id": "KB-0002", "title": "Printer shows offline",
     "category": "printing", "tags": [], "status": "published"},
    {"page": "/accounts/password-reset/", "id": "KB-0003", "title": "Reset a password",
     "category": "accounts", "tags": [], "status": "needs_update"},
]  # fmt: skip
VPN, PRINTER, PASSWORD = (p["page"] for p in PAGES)


def make_kb(root: Path, stats_config: str = "", site_config: str = "") -> KnowledgeBase:
    """A KB layout KnowledgeBase.open accepts, with a site dir holding kbgen-pages.json."""
    (root / "content" / "articles").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: Test KB\ndocs_dir: content/articles\n")
    (root / "site_config").mkdir()
    config = ""
    if stats_config:
        config += "stats:\n" + stats_config
    if site_config:
        config += "site:\n" + site_config
    (root / "site_config" / "kbgen.yml").write_text(config)
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>Test KB</title><h1>Home</h1>")
    (site / "kbgen-pages.json").write_text(json.dumps(PAGES))
    for page in PAGES:
        target = site / page["page"].strip("/") / "index.html"
        target.parent.mkdir(parents=True)
        target.write_text(f"<!doctype html><title>{page['title']}</title>")
    return KnowledgeBase.open(root)


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KnowledgeBase:
    monkeypatch.delenv(URL_ENV, raising=False)
    return make_kb(tmp_path / "kb", stats_config="  rate_limit_per_minute: 1000\n")


@dataclass
class Live:
    """A collector serving the KB's site on a real 127.0.0.1 port."""

    server: RunningServer
    collector: Collector

    @property
    def port(self) -> int:
        return self.server.port

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        ua: str | None = BROWSER_UA,
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.server.host, self.port, timeout=30)
        sent = {"Content-Type": "text/plain;charset=UTF-8"}
        if ua is not None:
            sent["User-Agent"] = ua
        sent.update(headers or {})
        payload = body.encode() if isinstance(body, str) else body
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for name, value in sent.items():
                conn.putheader(name, value)
            if payload is not None:
                conn.putheader("Content-Length", str(len(payload)))
            conn.endheaders(payload)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def post(self, event: Any, **kw: Any) -> tuple[int, bytes]:
        body = event if isinstance(event, (str, bytes)) else json.dumps(event)
        status, _, data = self.request("POST", "/api/events", body, **kw)
        return status, data


def start_live(kb: KnowledgeBase, **overrides: Any) -> Live:
    settings = CollectorSettings.from_kb(kb)
    for key, value in overrides.items():
        setattr(settings, key, value)
    collector = Collector(settings)
    server = start_server(site_and_collector(collector, settings.site_dir), "127.0.0.1", 0)
    return Live(server, collector)


@pytest.fixture
def live(kb: KnowledgeBase) -> Iterator[Live]:
    running = start_live(kb)
    yield running
    running.server.stop()
    running.collector.close()


def dump(kb: KnowledgeBase) -> dict[str, list[tuple[Any, ...]]]:
    with StatsStore(os.environ.get(URL_ENV) or kb.stats_db_path) as store:
        return store.dump()


# --- PostgreSQL -------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real server for the session; missing binaries skip locally but fail in CI."""
    try:
        with postgres_server() as url:
            yield url
    except PostgresUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"no PostgreSQL server: {exc}")


@pytest.fixture
def pg_store_url(postgres_url: str) -> Iterator[str]:
    """The session server with kbgen's tables dropped before and after each test."""
    with StatsStore(postgres_url) as store:
        store.drop_all()
    yield postgres_url
    with StatsStore(postgres_url) as store:
        store.drop_all()
