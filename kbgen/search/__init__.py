"""Search over the KB's articles: ``kbgen search``, ``/api/search``, related articles and reuse.

Two stores live in ``kb.index_dir`` (``.kbgen/index``, git-ignored) and hold
every article, drafts included:

* the full-text engine chosen by ``search.backend``: whoosh (the default) or
  SQLite FTS5 (:mod:`kbgen.search.whoosh_index`, :mod:`kbgen.search.sqlite_index`),
  both fed the same terms by the tokenizer contract (:mod:`kbgen.search.tokens`);
* the term store behind ``find_similar`` and related articles
  (:mod:`kbgen.search.terms`), because capture calls it per ticket.

Each store records which version of each file it holds and catches up on its
own; which files changed is decided by stat signature (:mod:`kbgen.search.freshness`).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kbgen.exceptions import ArticleError
from kbgen.kb import KnowledgeBase, iter_article_paths
from kbgen.models import Article
from kbgen.search import findability, terms
from kbgen.search.documents import SearchDocument, fast_load_article, read_document, src_uri
from kbgen.search.findability import FindabilityReport, TicketText
from kbgen.search.freshness import ArticleScan, articles_signature
from kbgen.search.snippets import snippet_html
from kbgen.search.sqlite_index import SqliteEngine
from kbgen.search.terms import similarity_index
from kbgen.search.tokens import (
    STOPWORDS,
    index_terms,
    query_terms,
    similarity,
    term_counts,
)
from kbgen.search.urls import page_url, site_path, site_url_style
from kbgen.search.whoosh_index import WhooshEngine, check_directory

__all__ = [
    "STOPWORDS",
    "FindabilityReport",
    "Hit",
    "SimilarHit",
    "build_index",
    "evaluate_findability",
    "fast_load_article",
    "find_similar",
    "index_terms",
    "page_url",
    "query_terms",
    "refresh_terms",
    "search_articles",
    "similarity",
    "similarity_index",
    "update_index",
]

log = logging.getLogger(__name__)

Engine = WhooshEngine | SqliteEngine


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    path: str  # KB-relative, e.g. content/articles/printer-offline.md
    score: float
    url: str = ""  # the published page, from the site root: /printer-offline/
    snippet: str = ""  # escaped HTML with <mark> around matches (search_articles(snippets=True))


@dataclass(frozen=True)
class SimilarHit:
    id: str
    title: str
    path: str
    score: float  # 0..1


def engine_for(kb: KnowledgeBase) -> Engine:
    """The full-text engine ``search.backend`` names."""
    if kb.config.search.backend == "sqlite":
        return SqliteEngine(kb.index_dir)
    return WhooshEngine(kb.index_dir)


def _read(kb: KnowledgeBase, path: Path, rel: str | None = None) -> SearchDocument | None:
    try:
        return read_document(path, rel or kb.relpath(path))
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
        return bool(self.upserts or self.deletes)


def _plan(kb: KnowledgeBase, stores: list[_Changes]) -> ArticleScan:
    """Fill each store's changes: a file is read only when its stat signature changed,
    and parsed only when a store lacks its version."""
    seen: set[str] = set()
    scan = ArticleScan(kb)
    for file in scan:
        stale = [store for store in stores if store.known.get(file.rel) != file.digest]
        if not stale:
            seen.add(file.rel)
            continue  # unchanged since the last run
        doc = _read(kb, Path(file.path), file.rel)
        if doc is not None:
            seen.add(file.rel)  # a broken file is not seen: its old version is dropped
            for store in stale:
                store.upserts.append(doc)
    for store in stores:
        store.deletes = sorted(set(store.known) - seen)
    return scan


def _write_terms(kb: KnowledgeBase, changes: _Changes) -> None:
    index_dir = kb.index_dir
    old_generation = terms.store_generation(index_dir)
    new_generation, stored = terms.store_changes(index_dir, changes.upserts, changes.deletes)
    terms.patch_loaded(index_dir, old_generation, new_generation, stored, changes.deletes)


def refresh_terms(kb: KnowledgeBase) -> int:
    """Bring only the term store up to date (the site build: related articles); return its size.

    The search engine is left alone: the site never queries it, and
    ``kbgen search``, capture and the collector catch it up themselves.
    """
    index_dir = kb.index_dir
    check_directory(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    changes = _Changes(known=terms.stored_digests(index_dir))
    _plan(kb, [changes])
    if changes.needed:
        _write_terms(kb, changes)
    return terms.stored_count(index_dir)


def build_index(kb: KnowledgeBase) -> int:
    """Bring the engine and the term store up to date with ``content/articles``; return how
    many articles the engine holds.

    Incremental: files whose stat signature (or, failing that, bytes) did not
    change since the last run are not re-analysed. An index that is missing,
    of another format, or fails the tamper check is rebuilt from scratch.
    """
    engine = engine_for(kb)
    engine_changes = _Changes(known=engine.open())
    term_changes = _Changes(known=terms.stored_digests(kb.index_dir))
    scan = _plan(kb, [engine_changes, term_changes])
    if engine_changes.needed:
        engine.write(engine_changes.upserts, engine_changes.deletes)
    if term_changes.needed:
        _write_terms(kb, term_changes)
    _mark_fresh(kb, scan.signature)
    return engine.count()


# Per index directory: when this process last found the engine in step with the articles,
# and the articles' stat signature then. A long-running caller (the collector) passes
# fresh_within to skip the stat walk for that many seconds; the CLI checks on every call.
_FRESH: dict[tuple[Path, str], tuple[float, tuple[int, int] | None]] = {}


def _mark_fresh(kb: KnowledgeBase, signature: tuple[int, int] | None) -> None:
    _FRESH[(kb.index_dir, kb.config.search.backend)] = (time.monotonic(), signature)


def _fresh_engine(kb: KnowledgeBase, fresh_within: float) -> Engine:
    """The engine, caught up with the articles first when any file's stat changed."""
    engine = engine_for(kb)
    key = (kb.index_dir, engine.name)
    checked = _FRESH.get(key) if engine.ready() else None
    now = time.monotonic()
    if checked is not None and now - checked[0] < fresh_within:
        return engine
    if checked is not None and checked[1] == articles_signature(kb):
        _FRESH[key] = (now, checked[1])
        return engine
    changes = _Changes(known=engine.open())
    scan = _plan(kb, [changes])
    if changes.needed:
        engine.write(changes.upserts, changes.deletes)
    _mark_fresh(kb, scan.signature)
    return engine


def update_index(kb: KnowledgeBase, paths: Iterable[Path | str]) -> None:
    """Re-index just these article files (absolute or KB-relative); deleted files are removed."""
    engine = engine_for(kb)
    if not engine.open() or not (kb.index_dir / terms.STORE_NAME).is_file():
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
    engine.write(changes.upserts, changes.deletes)
    _write_terms(kb, changes)


def search_articles(
    kb: KnowledgeBase,
    query: str,
    *,
    limit: int = 10,
    include_unpublished: bool = False,
    fresh_within: float = 0.0,
    snippets: bool = False,
) -> list[Hit]:
    """Best matches for ``query`` (English, Chinese or mixed), public articles only by default.

    Public: published or needs_update, and not under ``internal/``. The engine
    is first caught up with any article changed since it was last written;
    ``fresh_within`` seconds after such a check, a server may skip it.
    ``snippets`` adds each hit's snippet (read from the article file).
    """
    if not query.strip():
        return []
    engine = _fresh_engine(kb, fresh_within)
    chosen = query_terms(query, engine.doc_frequencies)
    rows = engine.search(chosen, limit=limit, public_only=not include_unpublished)
    directory_urls = site_url_style(kb)
    hits = []
    for doc_id, title, path, score in rows:
        url = site_path(page_url(src_uri(path), use_directory_urls=directory_urls))
        snippet = _snippet(kb, path, set(chosen)) if snippets else ""
        hits.append(Hit(doc_id, title, path, score, url, snippet))
    return hits


def _snippet(kb: KnowledgeBase, path: str, chosen: set[str]) -> str:
    """From the body, else the summary; the index may be a moment behind the file."""
    doc = _read(kb, kb.root / path) if (kb.root / path).is_file() else None
    if doc is None:
        return ""
    for text in (doc.body, doc.summary):
        snippet = snippet_html(text, chosen)
        if "<mark>" in snippet:
            return snippet
    return snippet_html(doc.body or doc.summary, chosen)


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


def _articles(kb: KnowledgeBase) -> list[Article]:
    found = []
    for path in iter_article_paths(kb.articles_dir):
        try:
            found.append(fast_load_article(path))
        except ArticleError as exc:
            log.warning("findability skips %s", exc.message)
    return found


Progress = Callable[[list[findability.Case]], Iterable[findability.Case]]


def evaluate_findability(
    kb: KnowledgeBase, tickets: Iterable[TicketText], *, progress: Progress = iter
) -> FindabilityReport:
    """Search with each published article's own tickets' words (see :mod:`kbgen.search.findability`);
    the floors come from ``search.eval_floor_top3`` and ``search.eval_floor_top1``.
    ``progress`` wraps the list of queries (the CLI passes a progress bar)."""
    queries = findability.cases(_articles(kb), tickets)
    config = kb.config.search
    _fresh_engine(kb, 0.0)  # once: the articles do not change while the queries run
    return findability.evaluate(
        queries,
        lambda query: [
            hit.id for hit in search_articles(kb, query, limit=3, fresh_within=math.inf)
        ],
        floor_top3=config.eval_floor_top3,
        floor_top1=config.eval_floor_top1,
        progress=progress,
    )
