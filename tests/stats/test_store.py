"""The store on SQLite and on a real PostgreSQL server: the same tests, the same results."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbgen.exceptions import StatsError
from kbgen.stats.events import Event, record_event
from kbgen.stats.store import MIGRATIONS, POSTGRES, SQLITE, StatsStore

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "stats.sqlite")
    else:
        yield request.getfixturevalue("pg_store_url")


@pytest.fixture
def store(url: str) -> Iterator[StatsStore]:
    with StatsStore(url) as opened:
        yield opened


def test_migrations_are_recorded_and_run_once(url: str) -> None:
    with StatsStore(url) as first:
        assert first.schema_version() == MIGRATIONS[-1][0]
        rows = first.query("SELECT version FROM schema_version")
    with StatsStore(url) as again:  # reopening migrates nothing twice
        assert again.query("SELECT version FROM schema_version") == rows == [(1,)]


def test_dialect_placeholders(url: str) -> None:
    dialect = POSTGRES if url.startswith("postgresql") else SQLITE
    assert dialect.sql("SELECT ? WHERE ?") == (
        "SELECT %s WHERE %s" if dialect is POSTGRES else "SELECT ? WHERE ?"
    )


def test_events_aggregate_per_day(store: StatsStore) -> None:
    for _ in range(3):
        record_event(store, Event("view", page="/a/", article_id="KB-1"), "2026-11-25", "v1")
    record_event(store, Event("view", page="/a/", article_id="KB-1"), "2026-11-24", "v1")
    assert record_event(store, Event("feedback", page="/a/", article_id="KB-1", helpful=True,
                                     comment="clear steps"), "2026-11-25", "v1")  # fmt: skip
    assert not record_event(store, Event("feedback", page="/a/", article_id="KB-1", helpful=False,
                                         comment="changed my mind"), "2026-11-25", "v1")  # fmt: skip
    assert record_event(store, Event("feedback", page="/a/", article_id="KB-1", helpful=False),
                        "2026-11-25", "v2")  # fmt: skip
    record_event(store, Event("search", query="vpn", results=3), "2026-11-25", "v2")
    record_event(store, Event("search", query="vpn", results=0), "2026-11-25", "v2")
    rows = store.dump()
    assert rows["page_views"] == [
        ("2026-11-24", "/a/", "KB-1", "beacon", 1),
        ("2026-11-25", "/a/", "KB-1", "beacon", 3),
    ]
    assert rows["votes"] == [("2026-11-25", "/a/", "KB-1", 1, 1)]
    assert rows["feedback_comments"] == [(1, "2026-11-25", "/a/", "KB-1", 1, "clear steps")]
    assert rows["searches"] == [("2026-11-25", "vpn", 2, 1, 0)]
    assert rows["daily_visitors"] == [
        ("2026-11-24", "v1"),
        ("2026-11-25", "v1"),
        ("2026-11-25", "v2"),
    ]


def test_sql_looking_text_is_data(store: StatsStore) -> None:
    nasty = "x'); DROP TABLE page_views; --"
    record_event(store, Event("search", query=nasty, results=0), "2026-11-25", "v")
    assert store.query("SELECT query FROM searches") == [(nasty,)]
    assert store.query("SELECT COUNT(*) FROM page_views") == [(0,)]


def test_log_chunks_commit_counts_and_progress_together(store: StatsStore) -> None:
    store.add_log_chunk("k1", "access.log", 100, {("2026-11-25", "/a/", "KB-1"): 7})
    store.add_log_chunk("k1", "access.log", 150, {("2026-11-25", "/a/", "KB-1"): 2})
    assert store.log_progress("k1") == 150
    assert store.log_progress("other") == 0
    assert store.dump()["page_views"] == [("2026-11-25", "/a/", "KB-1", "log", 9)]
    assert store.query("SELECT file_key, name, lines, views FROM imported_logs") == [
        ("k1", "access.log", 150, 9)
    ]


def test_a_failed_transaction_leaves_nothing(store: StatsStore) -> None:
    before = store.dump()
    with pytest.raises(RuntimeError), store.transaction() as tx:
        store.add_view(tx, "2026-11-25", "/a/", "KB-1", "beacon")
        raise RuntimeError("boom")
    assert store.dump() == before


def test_prune_keeps_retention_and_rolls_up_visitors(store: StatsStore) -> None:
    for day in ("2025-01-01", "2026-11-24", "2026-11-25"):
        record_event(store, Event("view", page="/a/", article_id="KB-1"), day, "v1")
        record_event(store, Event("feedback", page="/a/", article_id="KB-1", helpful=True,
                                  comment="ok"), day, "v1")  # fmt: skip
        record_event(store, Event("search", query="vpn", results=0), day, "v1")
    removed = store.prune("2025-10-21", "2026-11-25")
    assert removed == {
        "page_views": 1, "votes": 1, "searches": 1, "feedback_comments": 1, "visitor_counts": 1,
        "daily_visitors": 2, "vote_guard": 2,
    }  # fmt: skip
    rows = store.dump()
    assert [r[0] for r in rows["page_views"]] == ["2026-11-24", "2026-11-25"]
    assert rows["visitor_counts"] == [("2026-11-24", 1)]
    assert rows["daily_visitors"] == [("2026-11-25", "v1")]
    assert rows["vote_guard"] == [("2026-11-25", "/a/", "v1")]


def test_concurrent_writers_lose_nothing(url: str) -> None:
    """Threads with their own connections, plus separate store objects (as processes have)."""
    stores = [StatsStore(url) for _ in range(3)]
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        store = stores[n % len(stores)]
        try:
            for i in range(60):
                record_event(
                    store, Event("view", page="/a/", article_id="KB-1"), "2026-11-25", f"v{n}"
                )
                if i % 3 == 0:
                    record_event(
                        store, Event("search", query="vpn", results=0), "2026-11-25", f"v{n}"
                    )
                record_event(store, Event("feedback", page="/a/", article_id="KB-1", helpful=True),
                             "2026-11-25", f"v{n}")  # fmt: skip
        except BaseException as exc:  # surfaced below: a "database is locked" must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        rows = stores[0].dump()
        assert rows["page_views"] == [("2026-11-25", "/a/", "KB-1", "beacon", 480)]
        assert rows["searches"] == [("2026-11-25", "vpn", 160, 160, 0)]
        assert rows["votes"] == [("2026-11-25", "/a/", "KB-1", 8, 0)]
    finally:
        for s in stores:
            s.close()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    with StatsStore(tmp_path / "s.sqlite") as store:
        assert store.query("PRAGMA journal_mode") == [("wal",)]
        assert store.query("PRAGMA busy_timeout") == [(30000,)]


def test_unreadable_sqlite_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "stats.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StatsError) as err:
        StatsStore(bad)
    assert err.value.message == (
        f"{bad}: cannot open the stats database (file is not a database); move the file aside "
        "and kbgen starts a new one, or restore it from a backup"
    )


@pytest.mark.postgres
def test_unreachable_postgres_is_a_clear_error() -> None:
    with pytest.raises(StatsError) as err:
        StatsStore("postgresql://kbgen:secret@127.0.0.1:1/none?connect_timeout=2")
    message = err.value.message
    assert message.startswith(
        "cannot connect to the stats database postgresql://127.0.0.1:1/none: "
    )
    assert message.endswith("; check KBGEN_STATS_URL or stats.url and that the server is running")
    assert "secret" not in message


def test_racing_votes_from_one_visitor_count_once(url: str) -> None:
    stores = [StatsStore(url) for _ in range(4)]
    counted: list[bool] = []
    lock = threading.Lock()

    def vote(n: int) -> None:
        for _ in range(25):
            got = record_event(stores[n % 4], Event("feedback", page="/a/", article_id="KB-1",
                                                    helpful=n % 2 == 0), "2026-11-25", "same")  # fmt: skip
            with lock:
                counted.append(got)

    threads = [threading.Thread(target=vote, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert (counted.count(True), len(counted)) == (1, 200)
        (row,) = stores[0].dump()["votes"]
        assert row[3] + row[4] == 1
    finally:
        for s in stores:
            s.close()
