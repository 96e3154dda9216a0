"""Where usage lives: one code path over SQLite (the default) and PostgreSQL.

The collector writes small aggregates, never raw requests: views per page per
day, votes per page per day, searches per normalised query per day. Visitor
hashes exist only for the current day (unique visitors, one vote per visitor
per page) and are pruned once their daily salt is gone.

SQLite runs in WAL mode with a busy timeout, and every write is a short
``BEGIN IMMEDIATE`` transaction: a deferred transaction that later upgrades to
a write can fail with SQLITE_BUSY even with a busy timeout. PostgreSQL is
selected by a ``postgresql://`` URL (``KBGEN_STATS_URL`` or ``stats.url``).
The SQL is shared; :class:`Dialect` only rewrites placeholders and the few
type names that differ.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kbgen.exceptions import StatsError
from kbgen.kb import KnowledgeBase, Migration, run_migrations

URL_ENV = "KBGEN_STATS_URL"


@dataclass(frozen=True)
class Dialect:
    name: str
    begin: str
    autoincrement_pk: str

    def sql(self, text: str) -> str:
        """Shared SQL uses ``?`` placeholders (no literal ``?`` or ``%`` appear in it)."""
        if self.name == "postgresql":
            return text.replace("?", "%s").replace("{pk}", self.autoincrement_pk)
        return text.replace("{pk}", self.autoincrement_pk)


SQLITE = Dialect("sqlite", "BEGIN IMMEDIATE", "INTEGER PRIMARY KEY")
POSTGRES = Dialect("postgresql", "BEGIN", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")

# Numbered migrations; each runs once, in its own transaction, recorded in schema_version.
MIGRATIONS: tuple[Migration, ...] = (
    (
        1,
        (
            """CREATE TABLE page_views (
                day TEXT NOT NULL, page TEXT NOT NULL, article_id TEXT NOT NULL,
                source TEXT NOT NULL, views BIGINT NOT NULL,
                PRIMARY KEY (day, page, source))""",
            """CREATE TABLE votes (
                day TEXT NOT NULL, page TEXT NOT NULL, article_id TEXT NOT NULL,
                helpful BIGINT NOT NULL, not_helpful BIGINT NOT NULL,
                PRIMARY KEY (day, page))""",
            """CREATE TABLE searches (
                day TEXT NOT NULL, query TEXT NOT NULL, count BIGINT NOT NULL,
                zero_count BIGINT NOT NULL, results BIGINT NOT NULL,
                PRIMARY KEY (day, query))""",
            """CREATE TABLE feedback_comments (
                id {pk}, day TEXT NOT NULL, page TEXT NOT NULL, article_id TEXT NOT NULL,
                helpful INTEGER NOT NULL, comment TEXT NOT NULL)""",
            # Keyed hashes with a salt that only ever lived in memory; pruned daily.
            """CREATE TABLE daily_visitors (
                day TEXT NOT NULL, visitor TEXT NOT NULL, PRIMARY KEY (day, visitor))""",
            """CREATE TABLE vote_guard (
                day TEXT NOT NULL, page TEXT NOT NULL, visitor TEXT NOT NULL,
                PRIMARY KEY (day, page, visitor))""",
            # Unique visitors per day, rolled up when the day's hashes are pruned.
            """CREATE TABLE visitor_counts (day TEXT PRIMARY KEY, visitors BIGINT NOT NULL)""",
            # Access-log imports: how many complete lines of each log (by content) are counted.
            """CREATE TABLE imported_logs (
                file_key TEXT PRIMARY KEY, name TEXT NOT NULL, lines BIGINT NOT NULL,
                views BIGINT NOT NULL, updated_at TEXT NOT NULL)""",
        ),
    ),
)

TABLES = (
    "page_views", "votes", "searches", "feedback_comments",
    "daily_visitors", "vote_guard", "visitor_counts", "imported_logs", "schema_version",
)  # fmt: skip


def stats_url(kb: KnowledgeBase) -> str:
    """``KBGEN_STATS_URL``, else ``stats.url`` in kbgen.yml, else the KB's SQLite file."""
    url = os.environ.get(URL_ENV) or getattr(kb.config.stats, "url", "")
    return url or str(kb.stats_db_path)


def open_store(kb: KnowledgeBase) -> StatsStore:
    return StatsStore(stats_url(kb))


def has_stats(kb: KnowledgeBase) -> bool:
    """True when there is a usage database to read (a server URL counts as one)."""
    url = stats_url(kb)
    return _is_postgres(url) or Path(url).exists()


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


class StatsStore:
    """Thread-safe access to the usage database: one connection per thread."""

    def __init__(self, url: str | Path) -> None:
        self.url = str(url)
        self.dialect = POSTGRES if _is_postgres(self.url) else SQLITE
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()
        self._migrate()

    # Connections ---------------------------------------------------------------
    def _connect(self) -> Any:
        if self.dialect is POSTGRES:
            try:
                import psycopg
            except ImportError:
                raise StatsError(
                    f"{URL_ENV} points at PostgreSQL but psycopg is not installed; "
                    "install it with: pip install 'psycopg[binary]'"
                ) from None
            try:
                return psycopg.connect(self.url, autocommit=True)
            except psycopg.Error as exc:
                raise StatsError(
                    f"cannot connect to the stats database {self.describe()}: {exc}; "
                    f"check {URL_ENV} or stats.url and that the server is running"
                ) from None
        path = Path(self.url)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # durable at checkpoints; safe with WAL
        except sqlite3.Error as exc:
            raise StatsError(
                f"{path}: cannot open the stats database ({exc}); move the file aside "
                "and kbgen starts a new one, or restore it from a backup"
            ) from None
        return conn

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                with contextlib.suppress(Exception):  # best effort at shutdown
                    conn.close()
            self._all.clear()
        self._local = threading.local()

    def __enter__(self) -> StatsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # SQL -----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A short write transaction; yields the connection (``execute(sql, params)``)."""
        conn = self._conn()
        try:
            conn.execute(self.dialect.begin)
        except Exception as exc:
            raise StatsError(f"{self.describe()}: cannot start a write: {exc}") from None
        try:
            yield _Sql(conn, self.dialect)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        conn = self._conn()
        return [tuple(row) for row in conn.execute(self.dialect.sql(sql), tuple(params)).fetchall()]

    def describe(self) -> str:
        """The database for messages, without any password in a URL."""
        if self.dialect is POSTGRES:
            parts = urlsplit(self.url)
            return f"postgresql://{parts.hostname or ''}:{parts.port or 5432}{parts.path}"
        return self.url

    def _migrate(self) -> None:
        if self._current_version() == MIGRATIONS[-1][0]:
            return  # up to date: readers (reports, the site build) take no write lock

        def too_new(found: int, known: int) -> StatsError:
            return StatsError(
                f"{self.describe()}: stats schema version {found} is newer than this kbgen "
                f"understands ({known}); upgrade kbgen"
            )

        run_migrations(
            self.transaction,
            MIGRATIONS,
            too_new=too_new,
            # Two processes starting at once must not both create the tables.
            lock="SELECT pg_advisory_xact_lock(4242424242)" if self.dialect is POSTGRES else None,
        )

    def _current_version(self) -> int | None:
        """The recorded schema version, or None before the first migration."""
        try:
            return self.schema_version()
        except (sqlite3.OperationalError, _pg_errors()) as exc:
            if "schema_version" not in str(exc):
                raise StatsError(
                    f"{self.describe()}: cannot read the stats database: {exc}"
                ) from None
            return None

    def schema_version(self) -> int:
        return int(self.query("SELECT MAX(version) FROM schema_version")[0][0] or 0)

    # Writes --------------------------------------------------------------------
    def add_view(
        self, tx: _Sql, day: str, page: str, article_id: str, source: str, n: int = 1
    ) -> None:
        tx.execute(
            "INSERT INTO page_views (day, page, article_id, source, views) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (day, page, source) DO UPDATE SET views = page_views.views + excluded.views",
            (day, page, article_id, source, n),
        )

    def add_visitor(self, tx: _Sql, day: str, visitor: str) -> None:
        tx.execute(
            "INSERT INTO daily_visitors (day, visitor) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (day, visitor),
        )

    def add_vote(
        self,
        tx: _Sql,
        day: str,
        page: str,
        article_id: str,
        visitor: str,
        helpful: bool,
        comment: str,
    ) -> bool:
        """Count a vote unless this visitor already voted on this page today."""
        guard = tx.execute(
            "INSERT INTO vote_guard (day, page, visitor) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (day, page, visitor),
        )
        if guard.rowcount != 1:
            return False
        tx.execute(
            "INSERT INTO votes (day, page, article_id, helpful, not_helpful) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (day, page) DO UPDATE SET helpful = votes.helpful + excluded.helpful, "
            "not_helpful = votes.not_helpful + excluded.not_helpful",
            (day, page, article_id, int(helpful), int(not helpful)),
        )
        if comment:
            tx.execute(
                "INSERT INTO feedback_comments (day, page, article_id, helpful, comment) "
                "VALUES (?, ?, ?, ?, ?)",
                (day, page, article_id, int(helpful), comment),
            )
        return True

    def add_search(self, tx: _Sql, day: str, query: str, results: int) -> None:
        tx.execute(
            "INSERT INTO searches (day, query, count, zero_count, results) VALUES (?, ?, 1, ?, ?) "
            "ON CONFLICT (day, query) DO UPDATE SET count = searches.count + 1, "
            "zero_count = searches.zero_count + excluded.zero_count, results = excluded.results",
            (day, query, int(results == 0), results),
        )

    def log_progress(self, file_key: str) -> int:
        rows = self.query("SELECT lines FROM imported_logs WHERE file_key = ?", (file_key,))
        return int(rows[0][0]) if rows else 0

    def add_log_chunk(
        self, file_key: str, name: str, lines_done: int, views: dict[tuple[str, str, str], int]
    ) -> None:
        """Counts of one chunk and the log's new progress, committed together.

        A killed import therefore leaves either both or neither, and a re-run
        resumes after the last committed line.
        """
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction() as tx:
            for (day, page, article_id), n in views.items():
                self.add_view(tx, day, page, article_id, "log", n)
            tx.execute(
                "INSERT INTO imported_logs (file_key, name, lines, views, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (file_key) DO UPDATE SET "
                "lines = excluded.lines, views = imported_logs.views + excluded.views, "
                "name = excluded.name, updated_at = excluded.updated_at",
                (file_key, name, lines_done, sum(views.values()), now),
            )

    def prune(self, keep_from: str, today: str) -> dict[str, int]:
        """Delete aggregates older than ``keep_from`` and visitor hashes from before ``today``."""
        removed: dict[str, int] = {}
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO visitor_counts (day, visitors) "
                "SELECT day, COUNT(*) FROM daily_visitors WHERE day < ? GROUP BY day "
                "ON CONFLICT (day) DO UPDATE SET visitors = visitor_counts.visitors + excluded.visitors",
                (today,),
            )
            for table in ("page_views", "votes", "searches", "feedback_comments", "visitor_counts"):
                removed[table] = tx.execute(
                    f"DELETE FROM {table} WHERE day < ?", (keep_from,)
                ).rowcount
            for table in ("daily_visitors", "vote_guard"):
                removed[table] = tx.execute(f"DELETE FROM {table} WHERE day < ?", (today,)).rowcount
        return removed

    # Inspection ----------------------------------------------------------------
    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, sorted: for tests and for `before == after` checks."""
        return {table: sorted(self.query(f"SELECT * FROM {table}"), key=repr) for table in TABLES}

    def drop_all(self) -> None:
        """Remove every kbgen table (for throwaway PostgreSQL databases in tests)."""
        with self.transaction() as tx:
            for table in TABLES:
                tx.execute(f"DROP TABLE IF EXISTS {table}")


def _pg_errors() -> type[Exception]:
    """psycopg's undefined-table error when psycopg is installed (else a never-raised class)."""
    try:
        from psycopg.errors import UndefinedTable
    except ImportError:
        return _NeverRaised
    return UndefinedTable


class _NeverRaised(Exception):
    pass


class _Sql:
    """A connection inside a transaction that speaks the shared ``?`` SQL."""

    def __init__(self, conn: Any, dialect: Dialect) -> None:
        self._conn = conn
        self._dialect = dialect

    def execute(self, sql: str, params: Iterable[Any] = ()) -> Any:
        return self._conn.execute(self._dialect.sql(sql), tuple(params))
