"""Search over the KB's articles: one whoosh index for `kbgen search`, the site and drafting.

The index lives in ``kb.index_dir`` (``.kbgen/index``, git-ignored) and holds
every article, drafts included; ``search_articles`` shows only published ones
unless asked. Chinese and mixed text go through jieba's ChineseAnalyzer.
``find_similar`` answers from an in-memory inverted index over the stored
terms (see :mod:`kbgen.search.terms`), because capture calls it per ticket.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbgen.exceptions import ArticleError
from kbgen.kb import KnowledgeBase, article_entries, iter_article_paths
from kbgen.search import terms, whoosh_index
from kbgen.search.documents import SearchDocument, fast_load_article, file_digest, read_document
from kbgen.search.terms import similarity_index
from kbgen.search.tokens import STOPWORDS, preload_segmenter, similarity, term_counts

__all__ = [
    "STOPWORDS",
    "Hit",
    "SimilarHit",
    "build_index",
    "fast_load_article",
    "find_similar",
    "preload_segmenter",
    "refresh_terms",
    "search_articles",
    "similarity",
    "similarity_index",
    "update_index",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    path: str  # KB-relative, e.g. content/articles/printer-offline.md
    score: float


@dataclass(frozen=True)
class SimilarHit:
    id: str
    title: str
    path: str
    score: float  # 0..1


def _read(kb: KnowledgeBase, path: Path, data: bytes | None = None) -> SearchDocument | None:
    try:
        return read_document(path, kb.relpath(path), data)
    except ArticleError as exc:
        # `kbgen check` and the site build report broken files; search just leaves them out.
        log.warning("search index skips %s", exc.message)
        return None


@dataclass
class _Changes:
    """What one store lacks: documents to (re)write and paths to drop."""

    known: dict[str, str]  # path -> digest the store holds
    upserts: list[SearchDocument] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)

    @property
    def needed(self) -> bool:
        return bool(self.upserts or self.deletes or not self.known)


def _plan(kb: KnowledgeBase, stores: list[_Changes]) -> None:
    """Fill each store's changes; every file is read once and parsed at most once."""
    seen: set[str] = set()
    for path in iter_article_paths(kb.articles_dir):
        rel = kb.relpath(path)
        data = path.read_bytes()
        digest = file_digest(data)
        stale = [store for store in stores if store.known.get(rel) != digest]
        if not stale:
            seen.add(rel)
            continue  # unchanged since the last run
        doc = _read(kb, path, data)
        if doc is not None:
            seen.add(rel)  # a broken file is not seen: its old version is dropped
            for store in stale:
                store.upserts.append(doc)
    for store in stores:
        store.deletes = sorted(set(store.known) - seen)


def _write_terms(kb: KnowledgeBase, changes: _Changes) -> None:
    index_dir = kb.index_dir
    old_generation = terms.store_generation(index_dir)
    new_generation, stored = terms.store_changes(index_dir, changes.upserts, changes.deletes)
    terms.patch_loaded(index_dir, old_generation, new_generation, stored, changes.deletes)


def _open_or_create_whoosh(kb: KnowledgeBase) -> tuple[Any, dict[str, str]]:
    """The whoosh index and what it holds; a missing, foreign or unrecorded one starts empty."""
    index_dir = kb.index_dir
    ix = whoosh_index.open_trusted(index_dir)
    known = terms.indexed_digests(index_dir) if ix is not None else {}
    if ix is None or not known:
        ix = whoosh_index.create(index_dir)
        known = {}
    return ix, known


def refresh_terms(kb: KnowledgeBase) -> int:
    """Bring only the term store up to date (the site build: related articles); return its size.

    The whoosh index is left alone: the site never queries it, and
    :func:`build_index` (run by ``kbgen search``, capture and the collector)
    catches it up from its own record of what it holds.
    """
    index_dir = kb.index_dir
    whoosh_index.check_directory(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    changes = _Changes(known=terms.stored_digests(index_dir))
    _plan(kb, [changes])
    if changes.needed:
        _write_terms(kb, changes)
    return terms.stored_count(index_dir)


def build_index(kb: KnowledgeBase) -> int:
    """Bring the index up to date with ``content/articles``; return how many articles it holds.

    Incremental: files whose bytes did not change since the last run are not
    re-analysed. An index that is missing, from another kbgen version, or fails
    the tamper check is rebuilt from scratch.
    """
    index_dir = kb.index_dir
    ix, indexed = _open_or_create_whoosh(kb)
    if not indexed:
        terms.forget(index_dir)
    whoosh_changes = _Changes(known=indexed)
    term_changes = _Changes(known=terms.stored_digests(index_dir))
    _plan(kb, [whoosh_changes, term_changes])
    if whoosh_changes.needed:
        whoosh_index.write(ix, index_dir, whoosh_changes.upserts, whoosh_changes.deletes)
        terms.record_indexed(
            index_dir, whoosh_changes.upserts, whoosh_changes.deletes, reset=not indexed
        )
    if term_changes.needed:
        _write_terms(kb, term_changes)
    _mark_fresh(kb)
    with ix.searcher() as searcher:
        return int(searcher.doc_count())


# Per index directory: when this process last found whoosh in step with the articles, and
# the articles' file stats then. A long-running caller (the collector) passes fresh_within
# to skip the stat walk for that many seconds; the CLI checks on every call.
_FRESH: dict[Path, tuple[float, tuple[int, int, int]]] = {}


def _articles_signature(kb: KnowledgeBase) -> tuple[int, int, int]:
    """(files, bytes, newest mtime) of the article files: any edit, add or delete changes it."""
    count = size = newest = 0
    for entry in article_entries(kb.articles_dir):
        st = entry.stat()
        count, size, newest = count + 1, size + st.st_size, max(newest, st.st_mtime_ns)
    return count, size, newest


def _mark_fresh(kb: KnowledgeBase) -> None:
    _FRESH[kb.index_dir] = (time.monotonic(), _articles_signature(kb))


def _fresh_index(kb: KnowledgeBase, fresh_within: float) -> Any:
    """The whoosh index, caught up with the articles first when they changed."""
    checked = _FRESH.get(kb.index_dir)
    now = time.monotonic()
    recent = checked is not None and now - checked[0] < fresh_within
    if not recent:
        if checked is None or checked[1] != _articles_signature(kb):
            build_index(kb)  # incremental: unchanged files cost a read and a hash
        else:
            _FRESH[kb.index_dir] = (now, checked[1])
    ix = whoosh_index.open_trusted(kb.index_dir)
    if ix is None:
        build_index(kb)
        ix = whoosh_index.open_trusted(kb.index_dir)
    return ix


def update_index(kb: KnowledgeBase, paths: Iterable[Path | str]) -> None:
    """Re-index just these article files (absolute or KB-relative); deleted files are removed."""
    index_dir = kb.index_dir
    ix = whoosh_index.open_trusted(index_dir)
    if ix is None or not terms.indexed_digests(index_dir):
        build_index(kb)
        return
    changes = _Changes(known={})
    for given in paths:
        path = Path(given) if Path(given).is_absolute() else kb.root / given
        rel = kb.relpath(path)
        doc = _read(kb, path) if path.is_file() else None
        if doc is None:
            changes.deletes.append(rel)
        else:
            changes.upserts.append(doc)
    whoosh_index.write(ix, index_dir, changes.upserts, changes.deletes)
    terms.record_indexed(index_dir, changes.upserts, changes.deletes, reset=False)
    _write_terms(kb, changes)


def search_articles(
    kb: KnowledgeBase,
    query: str,
    *,
    limit: int = 10,
    include_unpublished: bool = False,
    fresh_within: float = 0.0,
) -> list[Hit]:
    """Best matches for ``query`` (English, Chinese or mixed), published articles only by default.

    The index is first caught up with any article changed since it was last
    written; ``fresh_within`` seconds after such a check, a server may skip it.
    """
    if not query.strip():
        return []
    ix = _fresh_index(kb, fresh_within)
    return [
        Hit(id=doc_id, title=title, path=path, score=score)
        for doc_id, title, path, score in whoosh_index.search(
            ix, query, limit=limit, published_only=not include_unpublished
        )
    ]


def find_similar(kb: KnowledgeBase, text: str, *, limit: int = 5) -> list[SimilarHit]:
    """Articles (drafts included, retired excluded) most like ``text``, score 0..1, best first."""
    counts = term_counts(text)
    if not counts:
        return []
    if not (kb.index_dir / terms.STORE_NAME).is_file():
        build_index(kb)
    index = terms.similarity_index(kb.index_dir)
    return [
        SimilarHit(id=doc.id, title=doc.title, path=doc.path, score=round(score, 4))
        for doc, score in index.query(counts, limit=limit)
    ]
