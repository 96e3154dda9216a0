"""The one migration runner both local databases use."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kbgen.kb import run_migrations

V1 = (1, ("CREATE TABLE t (a TEXT)",))
V2 = (2, ("ALTER TABLE t ADD COLUMN b TEXT", "CREATE INDEX t_b ON t (b)"))


def opener(path: Path):  # type: ignore[no-untyped-def]
    conn = sqlite3.connect(path, isolation_level=None)

    @contextmanager
    def transaction() -> Iterator[sqlite3.Connection]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    return conn, transaction


def too_new(found: int, known: int) -> Exception:
    return RuntimeError(f"{found} > {known}")


def test_each_migration_runs_once_in_order(tmp_path: Path) -> None:
    conn, tx = opener(tmp_path / "db.sqlite")
    assert run_migrations(tx, [V1], too_new=too_new) == 1
    assert run_migrations(tx, [V1, V2], too_new=too_new) == 2
    assert run_migrations(tx, [V1, V2], too_new=too_new) == 2
    assert [r[1] for r in conn.execute("PRAGMA table_info(t)")] == ["a", "b"]
    assert [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY 1")] == [1, 2]


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    conn, tx = opener(tmp_path / "db.sqlite")
    run_migrations(tx, [V1], too_new=too_new)
    broken = (2, ("ALTER TABLE t ADD COLUMN b TEXT", "THIS IS NOT SQL"))
    with pytest.raises(sqlite3.OperationalError):
        run_migrations(tx, [V1, broken], too_new=too_new)
    assert [r[1] for r in conn.execute("PRAGMA table_info(t)")] == ["a"]
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone() == (1,)


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    conn, tx = opener(tmp_path / "db.sqlite")
    run_migrations(tx, [V1, V2], too_new=too_new)
    with pytest.raises(RuntimeError, match="^2 > 1$"):
        run_migrations(tx, [V1], too_new=too_new)
