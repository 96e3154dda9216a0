"""The local ticket store: upserts, metadata only, migrations, WAL."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from kbgen.models import Comment, Ticket
from kbgen.sources import store as store_module
from kbgen.sources.store import TicketStore, TicketStoreError


def ticket(**changes: object) -> Ticket:
    base = Ticket(
        id="INC1",
        source="servicenow-json",
        title="Mail down",
        problem="raw problem",
        resolution="resolution text stays out",
        resolution_status="Solved (Permanently)",
        status="Closed",
        category="email",
        tags=["mail"],
        opened=dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.UTC),
        comments=[Comment("public comment body", "resolver")],
        private_dropped=2,
        metrics={
            "reopen_count": 1,
            "made_sla": True,
            "environment_text": "OS: All",
            "impact": "2 - Medium",
        },
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def test_record_get_and_upsert(tmp_path: Path) -> None:
    path = tmp_path / ".kbgen" / "tickets.sqlite"
    with TicketStore(path) as store:
        store.record(
            ticket(),
            outcome="skipped",
            article_id=None,
            reason="no positive resolution",
            similarity=None,
            title="Mail down",
            problem="[redacted] problem",
        )
        store.record(
            ticket(status="Reopened"),
            outcome="linked",
            article_id="KB-0001",
            reason=None,
            similarity=0.71,
            title="Mail down",
            problem="[redacted] problem",
        )
        assert store.count() == 1  # re-capture updates, never double counts
        got = store.get("servicenow-json", "INC1")
        assert got is not None
        assert (got.outcome, got.article_id, got.similarity, got.status) == (
            "linked",
            "KB-0001",
            0.71,
            "Reopened",
        )
        assert got.problem == "[redacted] problem"
        assert got.opened == dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.UTC)
        assert got.tags == ["mail"]
        assert got.metrics == {"impact": "2 - Medium", "made_sla": True, "reopen_count": 1}
        assert got.private_dropped == 2
        assert store.get("servicenow-json", "nope") is None
        assert [(link.ticket_id, link.article_id, link.outcome) for link in store.links()] == [
            ("INC1", "KB-0001", "linked")
        ]
        assert [t.ticket_id for t in store.iter_tickets()] == ["INC1"]
        mode = store.conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
    raw = b"".join(p.read_bytes() for p in path.parent.glob("tickets.sqlite*"))
    assert b"resolution text stays out" not in raw
    assert b"public comment body" not in raw
    assert b"OS: All" not in raw


def test_unknown_outcome_is_rejected(tmp_path: Path) -> None:
    with (
        TicketStore(tmp_path / "t.sqlite") as store,
        pytest.raises(ValueError, match="outcome must be one of"),
    ):
        store.record(
            ticket(),
            outcome="published",
            article_id=None,
            reason=None,
            similarity=None,
            title="",
            problem="",
        )


def test_reopening_keeps_data_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    with TicketStore(path) as store:
        store.record(
            ticket(),
            outcome="drafted",
            article_id="KB-0002",
            reason=None,
            similarity=None,
            title="t",
            problem="p",
        )
        assert store.schema_version == len(store_module.MIGRATIONS)
    with TicketStore(path) as store:
        assert store.count() == 1


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    TicketStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(TicketStoreError) as info:
        TicketStore(path)
    assert info.value.message == (
        f"{path}: ticket store schema version 99 is newer than this kbgen understands (1); upgrade kbgen"
    )


def test_a_corrupt_file_is_refused_with_a_way_out(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(TicketStoreError) as info:
        TicketStore(path)
    assert info.value.message == (
        f"{path}: cannot open the ticket store (file is not a database); it is local state: move it "
        "aside and capture again to rebuild it"
    )


def test_migrations_run_in_order_on_an_old_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.sqlite"
    TicketStore(path).close()

    v2 = (2, ("ALTER TABLE tickets ADD COLUMN team TEXT",))
    monkeypatch.setattr(store_module, "MIGRATIONS", (*store_module.MIGRATIONS, v2))
    with TicketStore(path) as store:
        assert store.schema_version == 2
        columns = [row[1] for row in store.conn.execute("PRAGMA table_info(tickets)")]
        assert columns[-1] == "team"


def test_batch_keeps_all_or_nothing(tmp_path: Path) -> None:
    with TicketStore(tmp_path / "t.sqlite") as store:
        with store.batch():
            store.record(
                ticket(id="A"),
                outcome="skipped",
                article_id=None,
                reason="r",
                similarity=None,
                title="",
                problem="",
            )
            store.record(
                ticket(id="B"),
                outcome="skipped",
                article_id=None,
                reason="r",
                similarity=None,
                title="",
                problem="",
            )
        assert store.count() == 2
        with pytest.raises(RuntimeError), store.batch():
            store.record(
                ticket(id="C"),
                outcome="skipped",
                article_id=None,
                reason="r",
                similarity=None,
                title="",
                problem="",
            )
            raise RuntimeError("the source refused the file half-way")
        assert [t.ticket_id for t in store.iter_tickets()] == ["A", "B"]
