"""The usage collector as a plain WSGI application.

``make_app(kb)`` runs under any WSGI server (waitress in production and in
``kbgen serve``; see docs/stats.md) behind any static host. Routes:

* ``POST /api/events``: one event per request (``navigator.sendBeacon`` with a
  ``text/plain`` body, so no CORS preflight). 204 when accepted or silently not
  counted (bots, prefetch, a repeated vote), 400 with a reason for a bad event,
  403 for a foreign origin, 429 with ``Retry-After`` for a flood.
* ``OPTIONS /api/events``: CORS preflight for the configured origins.
* ``GET /api/search?q=``: answers from the search index.

The request's IP address and user agent are used for one keyed hash and
dropped; they are never stored and never logged.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kbgen.exceptions import KbgenError
from kbgen.kb import KnowledgeBase
from kbgen.search import search_articles
from kbgen.stats.dashboard import CHART_TITLES, dashboard_charts
from kbgen.stats.events import MAX_BODY_BYTES, EventRejected, PageIndex, parse_event, record_event
from kbgen.stats.privacy import (
    DailySalt,
    is_bot,
    is_prefetch,
    redact_user_text,
    today,
    user_text_redactor,
)
from kbgen.stats.store import StatsStore, stats_url
from kbgen.stats.summary import build_report

log = logging.getLogger("kbgen.stats")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass
class CollectorSettings:
    """Everything the collector needs; :meth:`from_kb` reads it from a KB."""

    site_dir: Path
    db_url: str
    cors_origins: list[str] = field(default_factory=list)
    rate_limit_per_minute: int = 60  # 0 = no limit (load tests)
    retention_days: int = 400
    trusted_proxies: list[str] = field(default_factory=list)
    kb: KnowledgeBase | None = None  # needed for /api/search only
    redact: Callable[[str], str] = redact_user_text  # for search queries and comments
    charts: bool = False  # GET /api/stats/charts/<name>.svg, for internal sites only

    @classmethod
    def from_kb(cls, kb: KnowledgeBase, site_dir: Path | None = None) -> CollectorSettings:
        stats = kb.config.stats
        return cls(
            site_dir=Path(site_dir) if site_dir else kb.site_dir,
            db_url=stats_url(kb),
            cors_origins=list(stats.cors_origins),
            rate_limit_per_minute=stats.rate_limit_per_minute,
            retention_days=stats.retention_days,
            trusted_proxies=list(getattr(stats, "trusted_proxies", [])),
            kb=kb,
            charts=kb.config.site.internal,
            redact=user_text_redactor(
                kb.config.redaction.internal_hosts,
                kb.config.redaction.terms,
                kb.config.redaction.allow,
            ),
        )


class RateLimiter:
    """A token bucket per visitor: ``per_minute`` events, refilled continuously."""

    MAX_TRACKED = 100_000

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        if self.capacity <= 0:
            return True
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.refill_per_second)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > self.MAX_TRACKED:
                self._buckets.clear()  # memory cap under a spray of visitors; limits restart
            return allowed

    def forget_all(self) -> None:
        with self._lock:
            self._buckets.clear()


class Collector:
    """The WSGI callable. One instance serves many threads."""

    def __init__(self, settings: CollectorSettings) -> None:
        self.settings = settings
        self.store = StatsStore(settings.db_url)
        self.pages = PageIndex(settings.site_dir)
        self.salt = DailySalt()
        self.limiter = RateLimiter(settings.rate_limit_per_minute)
        # One address rotating user agents is many "visitors": cap the address too, loosely
        # enough for an office behind one NAT.
        self.address_limiter = RateLimiter(settings.rate_limit_per_minute * ADDRESS_LIMIT_FACTOR)

    def close(self) -> None:
        self.store.close()

    # WSGI -----------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        cors = self._cors_headers(environ)
        if cors is None:
            return _respond(start_response, 403, {"error": "origin not allowed"}, [])
        if path == "/api/events":
            if method == "OPTIONS":
                return _respond(start_response, 204, None, cors + _PREFLIGHT)
            if method != "POST":  # HEAD and GET never count
                return _respond(
                    start_response, 405, {"error": "use POST"}, [*cors, ("Allow", "POST, OPTIONS")]
                )
            status, body, extra = self.handle_event(environ)
            return _respond(start_response, status, body, cors + extra)
        if path == "/api/search" and method in ("GET", "HEAD"):
            status, data = self.handle_search(environ)
            return _respond(start_response, status, data, cors)
        if path.startswith(CHARTS_PREFIX) and method in ("GET", "HEAD") and self.settings.charts:
            svg = self.chart(path[len(CHARTS_PREFIX) :])
            if svg is not None:
                start_response("200 OK", [*cors, *_SVG_HEADERS, ("Content-Length", str(len(svg)))])
                return [] if method == "HEAD" else [svg]
        return _respond(start_response, 404, {"error": "not found"}, cors)

    def chart(self, filename: str) -> bytes | None:
        """A live dashboard chart from the current numbers, or None for an unknown name."""
        name = filename.removesuffix(".svg")
        if name not in CHART_TITLES or not filename.endswith(".svg"):
            return None
        pages = {p: info.to_json() for p, info in self.pages.all().items()}
        return dashboard_charts(build_report(self.store, None, pages))[name].encode("utf-8")

    def handle_event(self, environ: dict[str, Any]) -> tuple[int, Any, list[tuple[str, str]]]:
        body = _read_body(environ)
        user_agent = environ.get("HTTP_USER_AGENT", "")
        if is_bot(user_agent) or is_prefetch(environ):
            # Answered like an accepted event so crawlers cannot probe the filter.
            log.debug("POST /api/events 204 not counted (bot or prefetch)")
            return 204, None, []
        try:
            event = parse_event(body, self.pages, self.settings.redact)
        except EventRejected as exc:
            log.info("POST /api/events 400 %s", exc)
            return 400, {"error": str(exc)}, []
        day = today()
        address = self._client_ip(environ)
        visitor, rotated = self.salt.visitor(day, address, user_agent)
        if rotated:
            self._new_day(day)
        address_key = self.salt.visitor(day, address, "", site="address")[0]
        if not (self.limiter.allow(visitor) and self.address_limiter.allow(address_key)):
            log.info("POST /api/events 429 rate limited")
            return 429, {"error": "too many events; slow down"}, [("Retry-After", "60")]
        counted = record_event(self.store, event, day, visitor)
        log.debug("POST /api/events 204 %s%s", event.type, "" if counted else " (repeat vote)")
        return 204, None, []

    def handle_search(self, environ: dict[str, Any]) -> tuple[int, Any]:
        """Public search: ``[{"id", "title", "url", "snippet", "score"}]``, best first.

        ``url`` is the published page from the site root (as in kbgen-pages.json), never
        a repository path; ``snippet`` is escaped HTML whose only tags are ``<mark>``.
        Drafts, retired articles and internal pages are never answered.
        """
        kb = self.settings.kb
        if kb is None:
            return 404, {"error": "search is not configured for this collector"}
        query = parse_qs(environ.get("QUERY_STRING", "")).get("q", [""])[0].strip()
        if not query:
            return 400, {"error": "add a query: /api/search?q=words"}
        try:
            # Articles change when the site is rebuilt; checking their files at most every
            # SEARCH_FRESH_SECONDS keeps a stat walk of the whole KB off most requests.
            hits = search_articles(
                kb, query[:200], limit=10, fresh_within=SEARCH_FRESH_SECONDS, snippets=True
            )
        except KbgenError as exc:
            return 503, {"error": exc.format_message()}
        return 200, [
            {"id": h.id, "title": h.title, "url": h.url, "snippet": h.snippet,
             "score": round(h.score, 4)}
            for h in hits
        ]  # fmt: skip

    # Helpers --------------------------------------------------------------------
    def _new_day(self, day: str) -> None:
        """Yesterday's salt is gone: drop its hashes and anything past retention."""
        self.limiter.forget_all()
        self.address_limiter.forget_all()
        keep_from = (
            dt.date.fromisoformat(day) - dt.timedelta(days=self.settings.retention_days)
        ).isoformat()
        self.store.prune(keep_from, day)

    def _client_ip(self, environ: dict[str, Any]) -> str:
        remote = environ.get("REMOTE_ADDR", "")
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and remote in self.settings.trusted_proxies:
            hops = [h.strip() for h in forwarded.split(",") if h.strip()]
            for hop in reversed(hops):  # the nearest hop a trusted proxy did not add
                if hop not in self.settings.trusted_proxies:
                    return hop
        return remote

    def _cors_headers(self, environ: dict[str, Any]) -> list[tuple[str, str]] | None:
        """CORS headers for an allowed origin, [] for no or same origin, None for a foreign one."""
        origin = environ.get("HTTP_ORIGIN", "")
        if not origin:
            return []
        if urlsplit(origin).netloc == environ.get("HTTP_HOST", ""):
            return []
        allowed = self.settings.cors_origins
        if "*" in allowed:
            return [("Access-Control-Allow-Origin", "*")]
        if origin.rstrip("/") in (o.rstrip("/") for o in allowed):
            return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        return None


CHARTS_PREFIX = "/api/stats/charts/"
SEARCH_FRESH_SECONDS = 2.0  # /api/search: how stale the search index may be, at most
ADDRESS_LIMIT_FACTOR = 20  # events per minute from one address = 20 x the per-visitor limit
_SVG_HEADERS = [
    ("Content-Type", "image/svg+xml; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),
    ("X-Content-Type-Options", "nosniff"),
]
_PREFLIGHT = [
    ("Access-Control-Allow-Methods", "POST, GET, OPTIONS"),
    ("Access-Control-Allow-Headers", "Content-Type"),
    ("Access-Control-Max-Age", "86400"),
]

_REASONS = {
    200: "OK", 204: "No Content", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 429: "Too Many Requests", 503: "Service Unavailable",
}  # fmt: skip


def _read_body(environ: dict[str, Any]) -> bytes:
    """At most one byte more than the cap, so an oversized body is refused unread."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return b""
    stream = environ["wsgi.input"]
    return bytes(stream.read(min(length, MAX_BODY_BYTES + 1)))


def _respond(
    start_response: StartResponse, status: int, data: Any, headers: list[tuple[str, str]]
) -> list[bytes]:
    out = [("Cache-Control", "no-store"), *headers]
    if status == 204 or data is None:
        # An explicit length keeps the connection alive: without one, waitress closes it.
        start_response(f"{status} {_REASONS[status]}", [*out, ("Content-Length", "0")])
        return []
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    out += [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response(f"{status} {_REASONS[status]}", out)
    return [body]


def make_app(kb_or_settings: KnowledgeBase | CollectorSettings) -> Collector:
    """The collector WSGI app for a KB (its config and ``site/``) or explicit settings."""
    if isinstance(kb_or_settings, CollectorSettings):
        return Collector(kb_or_settings)
    return Collector(CollectorSettings.from_kb(kb_or_settings))
