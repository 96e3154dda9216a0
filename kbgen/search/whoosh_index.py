"""The whoosh engine: schema, a tamper check, writes and queries. The only module importing whoosh.

Whoosh stores its table of contents and stored fields with :mod:`pickle`, so
opening an index runs whatever the files say. kbgen therefore only opens an
index it wrote itself: after every commit it records the SHA-256 of every
index file in ``kbgen-index.json``, and before opening it checks that the
directory is a real directory owned by the current user and that every file
matches. Anything else (an index copied in from elsewhere, a changed file)
is refused, and callers rebuild from the articles instead.

Text reaches whoosh already analysed (:func:`kbgen.search.tokens.index_terms`,
space-joined), so its analyzer only splits on spaces and both engines index
exactly the same terms.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from whoosh import fields, index
from whoosh import query as q
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.scoring import BM25F
from whoosh.writing import LockError

from kbgen.exceptions import SearchError
from kbgen.kb import atomic_write
from kbgen.search import terms, tokens
from kbgen.search.documents import FIELDS, SearchDocument

MANIFEST = "kbgen-index.json"
FORMAT = 3  # bump when the schema changes: old indexes are rebuilt, never migrated
INDEX_NAME = "articles"
SUBDIR = "whoosh"  # inside kb.index_dir, beside the term store and the SQLite engine
BOOSTS = {"title": 4.0, "summary": 2.0, "tags": 2.0, "body": 1.0}


@cache
def schema() -> Any:
    analysed = SpaceSeparatedTokenizer()
    text = {f: fields.TEXT(analyzer=analysed, field_boost=BOOSTS[f]) for f in FIELDS}
    return fields.Schema(
        id=fields.ID(stored=True),
        path=fields.ID(stored=True, unique=True),
        display_title=fields.STORED(),
        status=fields.ID(stored=True),
        public=fields.ID(),
        **text,
    )


def check_directory(path: Path) -> None:
    if path.is_symlink():
        raise SearchError(
            f"{path} is a symlink; kbgen only uses an index directory it created. "
            "Remove it and run 'kbgen build' again"
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _index_files(whoosh_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in whoosh_dir.iterdir()
        if p.is_file() and p.name != MANIFEST and not p.name.endswith("WRITELOCK")
    )


def _manifest_header() -> dict[str, int]:
    return {"format": FORMAT, "tokens": tokens.FORMAT}


def write_manifest(whoosh_dir: Path) -> None:
    files = {p.name: _sha256(p) for p in _index_files(whoosh_dir)}
    text = json.dumps({**_manifest_header(), "files": files}, indent=1)
    atomic_write(whoosh_dir / MANIFEST, text)


def is_trusted(whoosh_dir: Path) -> bool:
    """True when ``whoosh_dir`` holds an index this user's kbgen wrote and nobody changed since."""
    check_directory(whoosh_dir)
    manifest_path = whoosh_dir / MANIFEST
    if not manifest_path.is_file() or manifest_path.stat().st_uid != os.getuid():
        return False
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or any(
        manifest.get(k) != v for k, v in _manifest_header().items()
    ):
        return False
    expected = manifest.get("files")
    if not isinstance(expected, dict) or not expected:
        return False
    actual = _index_files(whoosh_dir)
    if sorted(expected) != [p.name for p in actual]:
        return False
    return all(p.stat().st_uid == os.getuid() and _sha256(p) == expected[p.name] for p in actual)


# Verified indexes in this process, keyed by the directory's file stats: hashing every
# file before each query would cost more than the query (kbgen search, findability).
_VERIFIED: dict[Path, tuple[tuple[tuple[str, int, int, int], ...], Any]] = {}

# One open searcher per verified index object. The entry keeps the index object itself
# alive: keyed by id() alone, a collected index's id could be reused by a new one, and a
# query would then read a stale searcher of another (older) index.
_SEARCHERS: dict[int, tuple[Any, Any]] = {}


def _fingerprint(whoosh_dir: Path) -> tuple[tuple[str, int, int, int], ...]:
    stats = []
    for path in sorted(whoosh_dir.iterdir()):
        st = path.stat()
        stats.append((path.name, st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(stats)


def _forget_searcher(ix: Any) -> None:
    entry = _SEARCHERS.pop(id(ix), None)
    if entry is not None:
        entry[1].close()


def open_trusted(whoosh_dir: Path) -> Any | None:
    """The whoosh index, or None when there is none or it fails the tamper check."""
    if not whoosh_dir.is_dir():
        return None
    check_directory(whoosh_dir)
    fingerprint = _fingerprint(whoosh_dir)
    cached = _VERIFIED.get(whoosh_dir)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    if cached is not None:
        _forget_searcher(cached[1])
    if not is_trusted(whoosh_dir):
        _VERIFIED.pop(whoosh_dir, None)
        return None
    ix = index.open_dir(str(whoosh_dir), indexname=INDEX_NAME, schema=schema())
    _VERIFIED[whoosh_dir] = (fingerprint, ix)
    return ix


def create(whoosh_dir: Path) -> Any:
    """An empty index, after removing whatever the directory held before."""
    check_directory(whoosh_dir)
    if whoosh_dir.is_dir():
        shutil.rmtree(whoosh_dir)
    whoosh_dir.mkdir(parents=True)
    return index.create_in(str(whoosh_dir), schema(), indexname=INDEX_NAME)


def _fields(doc: SearchDocument) -> dict[str, str]:
    return {
        "id": doc.id,
        "path": doc.path,
        "display_title": doc.title,
        "status": doc.status,
        "public": "1" if doc.public else "0",
        **{f: " ".join(doc.terms[f]) for f in FIELDS},
    }


class WhooshEngine:
    """kbgen's default engine (the stack's named one), in ``<index_dir>/whoosh``.

    What it holds (path -> digest of the indexed file) is recorded in the term
    store's ``indexed`` table after each commit.
    """

    name = "whoosh"

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.dir = index_dir / SUBDIR

    def open(self) -> dict[str, str]:
        """What the index holds; a missing, foreign or unrecorded index is recreated empty."""
        check_directory(self.index_dir)
        ix = open_trusted(self.dir)
        held = terms.indexed_digests(self.index_dir) if ix is not None else {}
        if ix is None or not held:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            create(self.dir)
            write_manifest(self.dir)
            terms.record_indexed(self.index_dir, [], [], reset=True)
            return {}
        return held

    def ready(self) -> bool:
        """The index is there and passes the tamper check (cached while its files' stats hold)."""
        return open_trusted(self.dir) is not None

    def write(self, upserts: list[SearchDocument], deletes: list[str]) -> None:
        """Apply changes in one commit, then record the manifest and what the index holds."""
        ix = open_trusted(self.dir)
        if ix is None:
            raise SearchError(
                f"{self.dir} changed while kbgen was writing it; run the command again"
            )
        try:
            writer = ix.writer(timeout=10.0)
        except LockError:
            raise SearchError(
                f"{self.dir} is locked by another kbgen run; wait for it to finish and try again"
            ) from None
        try:
            for path in deletes:
                writer.delete_by_term("path", path)
            for doc in upserts:
                writer.update_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        write_manifest(self.dir)
        terms.record_indexed(self.index_dir, upserts, deletes, reset=False)

    def _searcher(self) -> Any | None:
        ix = open_trusted(self.dir)
        if ix is None:
            return None
        entry = _SEARCHERS.get(id(ix))
        if entry is None or entry[0] is not ix:
            # One searcher per verified index object: opening the segment readers costs
            # more than a query. A changed index is a new object (see open_trusted).
            entry = _SEARCHERS[id(ix)] = (ix, ix.searcher(weighting=BM25F()))
        return entry[1]

    def count(self) -> int:
        searcher = self._searcher()
        return int(searcher.doc_count()) if searcher is not None else 0

    def doc_frequencies(self, candidates: Iterable[str]) -> dict[str, int]:
        searcher = self._searcher()
        if searcher is None:
            return {}
        reader = searcher.reader()
        return {t: max(reader.doc_frequency(f, t) for f in FIELDS) for t in candidates}

    def search(
        self, query_terms: list[str], *, limit: int, public_only: bool
    ) -> list[tuple[str, str, str, float]]:
        """(id, title, path, score) of the best matches for any of the terms, best first."""
        searcher = self._searcher()
        if searcher is None or not query_terms:
            return []
        # One flat Or: a document matching more of the query's words ranks higher (Or sums).
        query = q.Or([q.Term(f, t) for t in query_terms for f in FIELDS])
        # Masking the few hidden articles is cheaper than filtering for the many others.
        hidden = q.Term("public", "0") if public_only else None
        results = searcher.search(query, limit=limit, mask=hidden)
        return [(hit["id"], hit["display_title"], hit["path"], float(hit.score)) for hit in results]
