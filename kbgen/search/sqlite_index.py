"""The SQLite FTS5 engine (``search.backend: sqlite``): the same terms, answered in C.

Text reaches FTS5 already analysed by :func:`kbgen.search.tokens.index_terms`
and space-joined, in a ``unicode61`` table whose token characters include the
joiners of identifiers, versions and paths, so FTS5 splits on spaces only and
indexes exactly the terms whoosh indexes (FTS5's own tokenizers cannot cut
Chinese: ``unicode61`` keeps a Han run as one token, ``trigram`` needs three
characters). Queries quote every term, so none is read as FTS5 syntax.

The file is plain SQLite: nothing in it is executed on open (``trusted_schema``
off), and it is only opened when it is a regular file of the current user.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from kbgen.exceptions import SearchError
from kbgen.search import tokens
from kbgen.search.documents import FIELDS, SearchDocument
from kbgen.search.whoosh_index import BOOSTS, check_directory

DB_NAME = "search.sqlite"
FORMAT = f"2.{tokens.FORMAT}"  # schema.tokens: a database of another format is rebuilt
TOKENIZE = f"unicode61 remove_diacritics 0 tokenchars '{tokens.JOINERS}'"
_BM25 = "bm25(fts, {})".format(", ".join(str(BOOSTS[f]) for f in FIELDS))

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE docs (rowid INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, id TEXT NOT NULL,"
    " title TEXT NOT NULL, status TEXT NOT NULL, public INTEGER NOT NULL, digest TEXT NOT NULL)",
    "CREATE INDEX docs_public ON docs (public)",
    f'CREATE VIRTUAL TABLE fts USING fts5({", ".join(FIELDS)}, tokenize="{TOKENIZE}")',
    "CREATE VIRTUAL TABLE vocab USING fts5vocab(fts, row)",
)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=10.0, check_same_thread=False)
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA journal_mode = WAL")  # readers (the collector) never wait for a writer
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


class SqliteEngine:
    """FTS5 in ``<index_dir>/search.sqlite``; what it holds is recorded in the same database."""

    name = "sqlite"

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.path = index_dir / DB_NAME

    def _checked(self) -> None:
        check_directory(self.index_dir)
        if self.path.is_symlink() or (self.path.exists() and not self.path.is_file()):
            raise SearchError(
                f"{self.path} is not a regular file; remove it and run the command again"
            )
        if self.path.exists() and self.path.stat().st_uid != os.getuid():
            raise SearchError(
                f"{self.path} belongs to another user; remove it and run the command again"
            )

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection (the collector answers from several threads).

        Reopened when the file was replaced (another thread or process rebuilt it).
        """
        conns: dict[Path, tuple[int, sqlite3.Connection]] = _LOCAL.__dict__.setdefault("conns", {})
        inode = self.path.stat().st_ino if self.path.exists() else -1
        cached = conns.get(self.path)
        if cached is not None and cached[0] == inode:
            return cached[1]
        if cached is not None:
            cached[1].close()
        self._checked()
        conn = _connect(self.path)
        conns[self.path] = (self.path.stat().st_ino, conn)
        return conn

    def _format(self) -> str | None:
        try:
            row = self._conn().execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.DatabaseError:
            return None
        return row[0] if row else None

    def _reset(self) -> None:
        self.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        conn = self._conn()
        with conn:
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))

    def close(self) -> None:
        conns: dict[Path, tuple[int, sqlite3.Connection]] = _LOCAL.__dict__.get("conns", {})
        cached = conns.pop(self.path, None)
        if cached is not None:
            cached[1].close()

    def ready(self) -> bool:
        """The database is there, readable and of this format."""
        return self.path.is_file() and self._format() == FORMAT

    def open(self) -> dict[str, str]:
        """What the index holds; a missing database or one of another format starts empty."""
        self._checked()
        self.index_dir.mkdir(parents=True, exist_ok=True)
        if self._format() != FORMAT:
            self._reset()
            return {}
        return dict(self._conn().execute("SELECT path, digest FROM docs"))

    def write(self, upserts: list[SearchDocument], deletes: list[str]) -> None:
        conn = self._conn()
        try:
            with conn:
                for path in [*deletes, *(d.path for d in upserts)]:
                    conn.execute(
                        "DELETE FROM fts WHERE rowid IN (SELECT rowid FROM docs WHERE path = ?)",
                        (path,),
                    )
                    conn.execute("DELETE FROM docs WHERE path = ?", (path,))
                for doc in upserts:
                    rowid = conn.execute(
                        "INSERT INTO docs (path, id, title, status, public, digest)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (doc.path, doc.id, doc.title, doc.status, int(doc.public), doc.digest),
                    ).lastrowid
                    conn.execute(
                        f"INSERT INTO fts (rowid, {', '.join(FIELDS)}) VALUES (?, ?, ?, ?, ?)",
                        (rowid, *(" ".join(doc.terms[f]) for f in FIELDS)),
                    )
        except sqlite3.OperationalError as exc:
            raise SearchError(f"{self.path}: cannot write the search index ({exc})") from None

    def count(self) -> int:
        if self._format() != FORMAT:
            return 0
        return int(self._conn().execute("SELECT count(*) FROM docs").fetchone()[0])

    def doc_frequencies(self, candidates: Iterable[str]) -> dict[str, int]:
        wanted = list(candidates)
        found: dict[str, int] = {}
        conn = self._conn()
        for start in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found.update(
                conn.execute(f"SELECT term, doc FROM vocab WHERE term IN ({marks})", chunk)
            )
        return found

    def search(
        self, query_terms: list[str], *, limit: int, public_only: bool
    ) -> list[tuple[str, str, str, float]]:
        if not query_terms:
            return []
        conn = self._conn()
        match = " OR ".join(f'"{t}"' for t in query_terms)  # terms hold no '"' (tokens.RUN)
        # Rank in FTS5 alone, then drop hidden articles: joining every match to docs costs
        # a third of the query, and the hidden ones (drafts, retired, internal) are few.
        hidden = conn.execute("SELECT count(*) FROM docs WHERE public = 0").fetchone()[0]
        ranked = conn.execute(
            f"SELECT rowid, {_BM25} FROM fts WHERE fts MATCH ? ORDER BY 2, rowid LIMIT ?",
            (match, limit + (hidden if public_only else 0)),
        ).fetchall()
        marks = ", ".join("?" * len(ranked))
        docs = {
            rowid: (doc_id, title, path, public)
            for rowid, doc_id, title, path, public in conn.execute(
                f"SELECT rowid, id, title, path, public FROM docs WHERE rowid IN ({marks})",
                [rowid for rowid, _ in ranked],
            )
        }
        found = []
        for rowid, score in ranked:
            doc_id, title, path, public = docs[rowid]
            if public or not public_only:
                # FTS5's bm25() is negative (lower is better); report it like whoosh.
                found.append((doc_id, title, path, -score))
        return found[:limit]


_LOCAL = threading.local()
