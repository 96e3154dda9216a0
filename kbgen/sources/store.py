"""The KB's local ticket store: every ticket capture has read, with its outcome.

A git-ignored SQLite file (``.kbgen/tickets.sqlite``) that the loop and KPI
stage reads: which tickets were drafted, linked to an existing article or
skipped (and why), plus process metadata such as reopen counts. It stores
metadata and the *redacted* title and problem the caller passes in; it never
stores comments, resolution text or anything from an internal note.

Re-capturing a ticket updates its row (upsert on ``(source, ticket_id)``), so
counts never double. The schema changes only through numbered migrations.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbgen.exceptions import TicketStoreError
from kbgen.kb import Migration, run_migrations
from kbgen.models import Ticket

__all__ = ["OUTCOMES", "StoredTicket", "TicketLink", "TicketStore", "TicketStoreError"]

OUTCOMES = ("drafted", "linked", "merged", "skipped", "updated")
BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class StoredTicket:
    source: str
    ticket_id: str
    title: str
    problem: str
    status: str
    resolution_status: str
    category: str
    subcategory: str
    tags: list[str]
    priority: str
    opened: dt.datetime | None
    resolved: dt.datetime | None
    closed: dt.datetime | None
    language: str
    metrics: dict[str, Any]
    private_dropped: int
    outcome: str
    article_id: str | None
    reason: str | None
    similarity: float | None
    first_captured: str
    last_captured: str


@dataclass(frozen=True)
class TicketLink:
    source: str
    ticket_id: str
    article_id: str
    outcome: str
    similarity: float | None


# Each entry moves the schema one version up; never edit a released one, append a new one.
MIGRATIONS: tuple[Migration, ...] = (
    (
        1,
        (
            """CREATE TABLE tickets (
                source TEXT NOT NULL,
                ticket_id TEXT NOT NULL,
                title TEXT NOT NULL,
                problem TEXT NOT NULL,
                status TEXT NOT NULL,
                resolution_status TEXT NOT NULL,
                category TEXT NOT NULL,
                subcategory TEXT NOT NULL,
                tags TEXT NOT NULL,
                priority TEXT NOT NULL,
                opened TEXT,
                resolved TEXT,
                closed TEXT,
                language TEXT NOT NULL,
                metrics TEXT NOT NULL,
                private_dropped INTEGER NOT NULL,
                outcome TEXT NOT NULL,
                article_id TEXT,
                reason TEXT,
                similarity REAL,
                first_captured TEXT NOT NULL,
                last_captured TEXT NOT NULL,
                PRIMARY KEY (source, ticket_id)
            )""",
            "CREATE INDEX tickets_article ON tickets (article_id)",
        ),
    ),
)

_COLUMNS = (
    "source, ticket_id, title, problem, status, resolution_status, category, subcategory, tags, "
    "priority, opened, resolved, closed, language, metrics, private_dropped, outcome, article_id, "
    "reason, similarity, first_captured, last_captured"
)


class TicketStore:
    """``with TicketStore(kb.ticket_store_path) as store: store.record(...)``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(
                str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.conn.execute("PRAGMA journal_mode = WAL")
            # Safe with WAL (no corruption on a crash) and no fsync per recorded ticket.
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise TicketStoreError(
                f"{self.path}: cannot open the ticket store ({exc}); it is local state: move it "
                "aside and capture again to rebuild it"
            ) from None

    def __enter__(self) -> TicketStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Record many tickets in one transaction: all are kept, or none when an error escapes.

        Capture wraps a whole source in this, so a file refused half-way leaves no rows.
        """
        with self._write():
            yield

    @property
    def schema_version(self) -> int:
        row = self.conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _migrate(self) -> None:
        def too_new(found: int, known: int) -> TicketStoreError:
            return TicketStoreError(
                f"{self.path}: ticket store schema version {found} is newer than this kbgen "
                f"understands ({known}); upgrade kbgen"
            )

        run_migrations(self._write, MIGRATIONS, too_new=too_new)

    def record(
        self,
        ticket: Ticket,
        *,
        outcome: str,
        article_id: str | None,
        reason: str | None,
        similarity: float | None,
        title: str,
        problem: str,
    ) -> None:
        """Insert or update one ticket. ``title`` and ``problem`` must already be redacted."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        values = (
            ticket.source,
            ticket.id,
            title,
            problem,
            ticket.status,
            ticket.resolution_status,
            ticket.category,
            ticket.subcategory,
            json.dumps(list(ticket.tags), ensure_ascii=False),
            ticket.priority,
            _iso(ticket.opened),
            _iso(ticket.resolved),
            _iso(ticket.closed),
            ticket.language,
            json.dumps(_safe_metrics(ticket.metrics), ensure_ascii=False, sort_keys=True),
            ticket.private_dropped,
            outcome,
            article_id,
            reason,
            similarity,
            now,
            now,
        )
        placeholders = ", ".join("?" for _ in values)
        self.conn.execute(
            f"""
            INSERT INTO tickets ({_COLUMNS}) VALUES ({placeholders})
            ON CONFLICT (source, ticket_id) DO UPDATE SET
                title = excluded.title, problem = excluded.problem, status = excluded.status,
                resolution_status = excluded.resolution_status, category = excluded.category,
                subcategory = excluded.subcategory, tags = excluded.tags,
                priority = excluded.priority, opened = excluded.opened,
                resolved = excluded.resolved, closed = excluded.closed,
                language = excluded.language, metrics = excluded.metrics,
                private_dropped = excluded.private_dropped, outcome = excluded.outcome,
                article_id = excluded.article_id, reason = excluded.reason,
                similarity = excluded.similarity, last_captured = excluded.last_captured
            """,
            values,
        )

    def get(self, source: str, ticket_id: str) -> StoredTicket | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM tickets WHERE source = ? AND ticket_id = ?",
            (source, ticket_id),
        ).fetchone()
        return _stored(row) if row else None

    def iter_tickets(self) -> Iterator[StoredTicket]:
        for row in self.conn.execute(f"SELECT {_COLUMNS} FROM tickets ORDER BY source, ticket_id"):
            yield _stored(row)

    def links(self) -> list[TicketLink]:
        """Tickets tied to an article (drafted, linked or merged), for KPIs and validation."""
        rows = self.conn.execute(
            "SELECT source, ticket_id, article_id, outcome, similarity FROM tickets "
            "WHERE article_id IS NOT NULL ORDER BY article_id, source, ticket_id"
        )
        return [TicketLink(*row) for row in rows]

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM tickets").fetchone()[0])


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _safe_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """Numbers, booleans and short codes only: free text never enters the store."""
    safe: dict[str, Any] = {}
    for key, value in metrics.items():
        short_code = isinstance(value, str) and len(value) <= 64 and "\n" not in value
        if isinstance(value, bool | int | float) or (short_code and not key.endswith("_text")):
            safe[key] = value
    return safe


def _stored(row: tuple[Any, ...]) -> StoredTicket:
    (source, ticket_id, title, problem, status, resolution_status, category, subcategory, tags,
     priority, opened, resolved, closed, language, metrics, private_dropped, outcome, article_id,
     reason, similarity, first_captured, last_captured) = row  # fmt: skip
    return StoredTicket(
        source=source,
        ticket_id=ticket_id,
        title=title,
        problem=problem,
        status=status,
        resolution_status=resolution_status,
        category=category,
        subcategory=subcategory,
        tags=json.loads(tags),
        priority=priority,
        opened=_parse(opened),
        resolved=_parse(resolved),
        closed=_parse(closed),
        language=language,
        metrics=json.loads(metrics),
        private_dropped=private_dropped,
        outcome=outcome,
        article_id=article_id,
        reason=reason,
        similarity=similarity,
        first_captured=first_captured,
        last_captured=last_captured,
    )
