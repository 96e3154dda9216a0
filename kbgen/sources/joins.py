"""Children waiting for their parent: answers for questions, comments for issues, posts for topics.

Exports put a ticket's conversation in other records: answer rows that point
at a question id (before or after it, in the same file or another), a comments
file beside an issues file. Joining them in memory would hold the whole export;
this index keeps the children in a temporary SQLite database on disk instead,
so memory stays bounded however large the export is. Only what a child
contributes is stored (a source stores a private child as a marker without its
text), and the database is deleted when the index is closed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kbgen.text import clean_text


class ChildIndex:
    def __init__(self) -> None:
        # "" opens a private temporary database on disk, removed when it is closed.
        self._db = sqlite3.connect("")
        self._db.execute(
            "CREATE TABLE child (parent TEXT NOT NULL, sort TEXT NOT NULL, "
            "data TEXT NOT NULL, claimed INTEGER NOT NULL DEFAULT 0)"
        )
        self._db.execute("CREATE INDEX child_parent ON child (parent)")
        self.count = 0

    @staticmethod
    def key(value: Any) -> str:
        """Ids compare as text: ``42``, ``"42"`` and ``42.0`` are the same parent."""
        text = clean_text(str(value)) if value is not None else ""
        return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text

    def add(self, parent: Any, child: dict[str, Any], sort: str = "") -> None:
        """Remember ``child`` (JSON-serialisable) for ``parent``; ``sort`` orders siblings."""
        self._db.execute(
            "INSERT INTO child (parent, sort, data) VALUES (?, ?, ?)",
            (self.key(parent), sort, json.dumps(child, ensure_ascii=False, default=str)),
        )
        self.count += 1

    def children(self, parent: Any) -> list[dict[str, Any]]:
        """The children of ``parent`` in ``sort`` order (then insertion order), marked claimed."""
        key = self.key(parent)
        rows = self._db.execute(
            "SELECT rowid, data FROM child WHERE parent = ? ORDER BY sort, rowid", (key,)
        ).fetchall()
        if rows:
            self._db.execute("UPDATE child SET claimed = 1 WHERE parent = ?", (key,))
        return [json.loads(data) for _, data in rows]

    def unclaimed(self) -> int:
        """Children whose parent never came: orphans, for the report."""
        (count,) = self._db.execute("SELECT COUNT(*) FROM child WHERE claimed = 0").fetchone()
        return int(count)

    def close(self) -> None:
        self._db.close()


@contextmanager
def child_index() -> Iterator[ChildIndex]:
    index = ChildIndex()
    try:
        yield index
    finally:
        index.close()
