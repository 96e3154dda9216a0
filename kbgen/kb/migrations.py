"""The one schema-migration runner for kbgen's local databases (tickets, usage stats).

A migration is ``(version, statements)``: SQL run once, in order, inside one
write transaction with the version recorded in ``schema_version`` (one row per
applied version, with its time). Released migrations are never edited; a new
one is appended. A database newer than the code is refused, never downgraded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol


class Executes(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Any: ...


Migration = tuple[int, Sequence[str]]


def newest_version(migrations: Sequence[Migration]) -> int:
    return migrations[-1][0] if migrations else 0


def run_migrations(
    transaction: Callable[[], AbstractContextManager[Executes]],
    migrations: Sequence[Migration],
    *,
    too_new: Callable[[int, int], Exception],
    lock: str | None = None,
) -> int:
    """Apply what ``migrations`` has and the database lacks; return the database's version.

    ``transaction`` opens a write transaction that yields something with
    ``execute(sql, params)`` (``?`` placeholders). ``lock`` is a statement run
    first (PostgreSQL: an advisory lock, so two processes never both migrate).
    ``too_new(found, known)`` builds the error for a database from a newer kbgen.
    """
    with transaction() as tx:
        if lock:
            tx.execute(lock)
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = {int(row[0]) for row in tx.execute("SELECT version FROM schema_version").fetchall()}
        known = newest_version(migrations)
        if done and max(done) > known:
            raise too_new(max(done), known)
        applied_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        for version, statements in migrations:
            if version in done:
                continue
            for statement in statements:
                tx.execute(statement)
            tx.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                (version, applied_at),
            )
            done.add(version)
    return max(done, default=0)
