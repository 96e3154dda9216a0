"""The whoosh index: schema, a tamper check, and writes. The only module that imports whoosh.

Whoosh stores its table of contents and stored fields with :mod:`pickle`, so
opening an index runs whatever the files say. kbgen therefore only opens an
index it wrote itself: after every commit it records the SHA-256 of every
index file in ``kbgen-index.json``, and before opening it checks that the
directory is a real directory owned by the current user and that every file
matches. Anything else (an index copied in from elsewhere, a changed file)
is refused, and callers rebuild from the articles instead.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from whoosh import fields, index
from whoosh import query as q
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.scoring import BM25F
from whoosh.writing import LockError

from kbgen.exceptions import SearchError
from kbgen.kb import atomic_write
from kbgen.search.documents import SearchDocument
from kbgen.search.tokens import STOPWORDS, segment

MANIFEST = "kbgen-index.json"
FORMAT = 2  # bump when the schema changes: old indexes are rebuilt, never migrated
INDEX_NAME = "articles"
_OWN_FILES = (MANIFEST, "terms.sqlite", "terms.sqlite-journal")


@cache
def analyzer() -> Any:
    """For text already cut by :func:`kbgen.search.tokens.segment` (jieba words for Han runs).

    Like jieba's ChineseAnalyzer (words, lower case, stopwords, Porter stems for
    Latin words) but without a second jieba pass: segmenting once per article
    and sharing the words with the similarity index halves indexing time.
    """
    return (
        RegexTokenizer(r"\w+(?:[.\-]\w+)*")
        | LowercaseFilter()
        | StopFilter(stoplist=STOPWORDS, minsize=1)
        | StemFilter()
    )


@cache
def schema() -> Any:
    text = analyzer()
    return fields.Schema(
        id=fields.ID(stored=True),
        path=fields.ID(stored=True, unique=True),
        display_title=fields.STORED(),
        title=fields.TEXT(analyzer=text, field_boost=4.0),
        summary=fields.TEXT(analyzer=text, field_boost=2.0),
        tags=fields.TEXT(analyzer=text, field_boost=2.0),
        body=fields.TEXT(analyzer=text),
        status=fields.ID(stored=True),
        category=fields.ID(stored=True),
        language=fields.ID(stored=True),
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _index_files(index_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in index_dir.iterdir()
        if p.is_file() and p.name not in _OWN_FILES and not p.name.endswith("WRITELOCK")
    )


def check_directory(index_dir: Path) -> None:
    if index_dir.is_symlink():
        raise SearchError(
            f"{index_dir} is a symlink; kbgen only uses an index directory it created. "
            "Remove it and run 'kbgen build' again"
        )


def write_manifest(index_dir: Path) -> None:
    files = {p.name: _sha256(p) for p in _index_files(index_dir)}
    atomic_write(index_dir / MANIFEST, json.dumps({"format": FORMAT, "files": files}, indent=1))


def is_trusted(index_dir: Path) -> bool:
    """True when ``index_dir`` holds an index this user's kbgen wrote and nobody changed since."""
    check_directory(index_dir)
    manifest_path = index_dir / MANIFEST
    if not manifest_path.is_file() or manifest_path.stat().st_uid != os.getuid():
        return False
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return False
    expected = manifest.get("files")
    if not isinstance(expected, dict) or not expected:
        return False
    actual = _index_files(index_dir)
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


def _fingerprint(index_dir: Path) -> tuple[tuple[str, int, int, int], ...]:
    stats = []
    for path in sorted(index_dir.iterdir()):
        st = path.stat()
        stats.append((path.name, st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(stats)


def _forget_searcher(ix: Any) -> None:
    entry = _SEARCHERS.pop(id(ix), None)
    if entry is not None:
        entry[1].close()


def open_trusted(index_dir: Path) -> Any | None:
    """The whoosh index, or None when there is none or it fails the tamper check."""
    if not index_dir.is_dir():
        return None
    check_directory(index_dir)
    fingerprint = _fingerprint(index_dir)
    cached = _VERIFIED.get(index_dir)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    if cached is not None:
        _forget_searcher(cached[1])
    if not is_trusted(index_dir):
        _VERIFIED.pop(index_dir, None)
        return None
    ix = index.open_dir(str(index_dir), indexname=INDEX_NAME, schema=schema())
    _VERIFIED[index_dir] = (fingerprint, ix)
    return ix


def create(index_dir: Path) -> Any:
    """An empty index, after removing whatever the directory held before."""
    check_directory(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    for path in index_dir.iterdir():
        if path.is_file() or path.is_symlink():
            path.unlink()
    return index.create_in(str(index_dir), schema(), indexname=INDEX_NAME)


def _fields(doc: SearchDocument) -> dict[str, str]:
    segmented = doc.segmented
    return {
        "id": doc.id,
        "path": doc.path,
        "display_title": doc.title,
        "title": segmented["title"],
        "summary": segmented["summary"],
        "tags": segmented["tags"],
        "body": segmented["body"],
        "status": doc.status,
        "category": doc.category,
        "language": doc.language,
    }


def write(
    ix: Any, index_dir: Path, upserts: Iterable[SearchDocument], delete_paths: Iterable[str]
) -> None:
    """Apply changes in one commit, then record the manifest."""
    try:
        writer = ix.writer(timeout=10.0)
    except LockError:
        raise SearchError(
            f"{index_dir} is locked by another kbgen run; wait for it to finish and try again"
        ) from None
    try:
        for path in delete_paths:
            writer.delete_by_term("path", path)
        for doc in upserts:
            writer.update_document(**_fields(doc))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    write_manifest(index_dir)


FIELDS = ("title", "summary", "tags", "body")
MAX_QUERY_TERMS = 16
UNPUBLISHED = ("draft", "retired")


def _informative(searcher: Any, tokens: list[str]) -> list[str]:
    """The query's rarest words, at most MAX_QUERY_TERMS: pasting a whole ticket as the
    query would otherwise make whoosh score nearly every document for every word."""
    df = {t: max(searcher.doc_frequency(f, t) for f in FIELDS) for t in tokens}
    present = sorted((t for t in tokens if df[t]), key=lambda t: (df[t], tokens.index(t)))
    return present[:MAX_QUERY_TERMS]


def search(
    ix: Any, query_text: str, *, limit: int, published_only: bool
) -> list[tuple[str, str, str, float]]:
    """(id, title, path, score) of the best matches, best first.

    The query is built from analyzer tokens rather than parsed, so user input
    such as ``title:x`` or ``(`` is plain text, never query syntax.
    """
    entry = _SEARCHERS.get(id(ix))
    if entry is None or entry[0] is not ix:
        # One searcher per verified index object: opening the segment readers costs
        # more than a query. A changed index is a new object (see open_trusted).
        entry = _SEARCHERS[id(ix)] = (ix, ix.searcher(weighting=BM25F()))
    searcher = entry[1]
    tokens = list(dict.fromkeys(t.text for t in analyzer()(segment(query_text))))
    tokens = _informative(searcher, tokens)
    if not tokens:
        return []
    # One flat Or: a document matching more of the query's words ranks higher (Or sums).
    query = q.Or([q.Term(f, token) for token in tokens for f in FIELDS])
    # Masking the few unpublished articles is cheaper than filtering for the many others.
    hidden = q.Or([q.Term("status", s) for s in UNPUBLISHED]) if published_only else None
    results = searcher.search(query, limit=limit, mask=hidden)
    return [(hit["id"], hit["display_title"], hit["path"], float(hit.score)) for hit in results]
