"""Search over the KB's articles: one whoosh index for `kbgen search`, the site and drafting.

The index lives in ``kb.index_dir`` (``.kbgen/index``, git-ignored) and holds
every article, drafts included; ``search_articles`` shows only published ones
unless asked. Chinese and mixed text go through jieba's ChineseAnalyzer.
``find_similar`` answers from an in-memory inverted index over the stored
terms (see :mod:`kbgen.search.terms`), because capture calls it per ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbgen.articles import iter_article_paths
from kbgen.exceptions import ArticleError
from kbgen.kb import KnowledgeBase
from kbgen.search import terms, whoosh_index
from kbgen.search.documents import SearchDocument, file_digest, read_document
from kbgen.search.tokens import similarity, term_counts

__all__ = [
    "Hit",
    "SimilarHit",
    "build_index",
    "find_similar",
    "search_articles",
    "similarity",
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


def _apply(kb: KnowledgeBase, ix: Any, upserts: list[SearchDocument], deletes: list[str]) -> None:
    index_dir = kb.index_dir
    old_generation = terms.store_generation(index_dir)
    whoosh_index.write(ix, index_dir, upserts, deletes)
    new_generation, stored = terms.store_changes(index_dir, upserts, deletes)
    terms.patch_loaded(index_dir, old_generation, new_generation, stored, deletes)


def build_index(kb: KnowledgeBase) -> int:
    """Bring the index up to date with ``content/articles``; return how many articles it holds.

    Incremental: files whose bytes did not change since the last run are not
    re-analysed. An index that is missing, from another kbgen version, or fails
    the tamper check is rebuilt from scratch.
    """
    index_dir = kb.index_dir
    ix = whoosh_index.open_trusted(index_dir)
    if ix is None:
        terms.forget(index_dir)
        ix = whoosh_index.create(index_dir)
        known: dict[str, str] = {}
    else:
        known = terms.stored_digests(index_dir)
    upserts: list[SearchDocument] = []
    seen: set[str] = set()
    for path in iter_article_paths(kb.articles_dir):
        rel = kb.relpath(path)
        data = path.read_bytes()
        if known.get(rel) == file_digest(data):
            seen.add(rel)
            continue  # unchanged since the last run
        doc = _read(kb, path, data)
        if doc is not None:
            seen.add(rel)
            upserts.append(doc)  # a broken file is not seen: its old version is dropped
    deletes = sorted(set(known) - seen)
    if upserts or deletes or not known:
        _apply(kb, ix, upserts, deletes)
    with ix.searcher() as searcher:
        return int(searcher.doc_count())


def update_index(kb: KnowledgeBase, paths: Iterable[Path | str]) -> None:
    """Re-index just these article files (absolute or KB-relative); deleted files are removed."""
    index_dir = kb.index_dir
    ix = whoosh_index.open_trusted(index_dir)
    if ix is None:
        build_index(kb)
        return
    upserts: list[SearchDocument] = []
    deletes: list[str] = []
    for given in paths:
        path = Path(given) if Path(given).is_absolute() else kb.root / given
        rel = kb.relpath(path)
        doc = _read(kb, path) if path.is_file() else None
        if doc is None:
            deletes.append(rel)
        else:
            upserts.append(doc)
    _apply(kb, ix, upserts, deletes)


def _open_or_build(kb: KnowledgeBase) -> Any:
    ix = whoosh_index.open_trusted(kb.index_dir)
    if ix is None:
        build_index(kb)
        ix = whoosh_index.open_trusted(kb.index_dir)
    return ix


def search_articles(
    kb: KnowledgeBase, query: str, *, limit: int = 10, include_unpublished: bool = False
) -> list[Hit]:
    """Best matches for ``query`` (English, Chinese or mixed), published articles only by default."""
    if not query.strip():
        return []
    ix = _open_or_build(kb)
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
