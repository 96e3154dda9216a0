"""The term store and the in-memory similarity index built from it.

``find_similar`` runs once per captured ticket, and capture must handle
>= 1,000 tickets/s against a 10,000-article KB, while one whoosh query costs
6-16 ms. So similarity does not query whoosh at all:

* When the index is written, each article's content-word counts
  (:func:`kbgen.search.tokens.term_counts`) go into ``terms.sqlite`` next to the
  whoosh files (plain SQLite, nothing pickled).
* The first ``find_similar`` in a process loads them once into an inverted
  index (term -> postings) with document frequencies (about 2-4 s at 10k
  articles); later calls reuse it until another process bumps the store's
  generation. ``update_index`` in the same process patches it in place.
* A query takes the ticket's 30 rarest terms, walks only their postings to
  collect candidates (rare terms have short postings; at most 2,000 postings
  after the first term), then scores the best 25 candidates exactly: cosine of
  log-tf x idf vectors, 0..1. About 1,000 tickets per CPU-second against a
  10,000-article KB; loading that KB's terms takes 2-4 s once per process.
"""

from __future__ import annotations

import heapq
import json
import math
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from kbgen.search.documents import SearchDocument

STORE_NAME = "terms.sqlite"
CANDIDATE_TERMS = 30
CANDIDATES = 25
POSTINGS_BUDGET = 2000  # postings visited per query at most (after the first term)
MIN_RELATED = 0.1  # below this, "related" articles share only a word or two


@dataclass(frozen=True)
class StoredDoc:
    path: str
    id: str
    title: str
    status: str
    terms: dict[str, int]


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS docs (path TEXT PRIMARY KEY, id TEXT, title TEXT,"
        " status TEXT, digest TEXT, terms TEXT)"
    )
    conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER)")
    # Which version of each article the whoosh index holds. The site build refreshes only
    # the term store (related articles need it; the site never queries whoosh), so whoosh
    # keeps its own record and catches up on the next search or capture.
    conn.execute("CREATE TABLE IF NOT EXISTS indexed (path TEXT PRIMARY KEY, digest TEXT)")
    return conn


def store_generation(index_dir: Path) -> int:
    path = index_dir / STORE_NAME
    if not path.is_file():
        return -1
    with closing(_connect(path)) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def stored_count(index_dir: Path) -> int:
    with closing(_connect(index_dir / STORE_NAME)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0])


def stored_digests(index_dir: Path) -> dict[str, str]:
    with closing(_connect(index_dir / STORE_NAME)) as conn:
        return dict(conn.execute("SELECT path, digest FROM docs"))


def indexed_digests(index_dir: Path) -> dict[str, str]:
    """What the whoosh index holds: path -> digest of the file version it indexed."""
    path = index_dir / STORE_NAME
    if not path.is_file():
        return {}
    with closing(_connect(path)) as conn:
        return dict(conn.execute("SELECT path, digest FROM indexed"))


def record_indexed(
    index_dir: Path, upserts: Iterable[SearchDocument], delete_paths: Iterable[str], *, reset: bool
) -> None:
    """Record a whoosh commit; ``reset`` when the whoosh index was created from scratch."""
    with closing(_connect(index_dir / STORE_NAME)) as conn, conn:
        if reset:
            conn.execute("DELETE FROM indexed")
        conn.executemany("DELETE FROM indexed WHERE path = ?", [(p,) for p in delete_paths])
        conn.executemany(
            "INSERT OR REPLACE INTO indexed VALUES (?, ?)", [(d.path, d.digest) for d in upserts]
        )


def iter_stored(index_dir: Path) -> Iterator[StoredDoc]:
    with closing(_connect(index_dir / STORE_NAME)) as conn:
        for path, doc_id, title, status, terms in conn.execute(
            "SELECT path, id, title, status, terms FROM docs ORDER BY path"
        ):
            yield StoredDoc(path, doc_id, title, status, json.loads(terms))


def store_changes(
    index_dir: Path, upserts: Iterable[SearchDocument], delete_paths: Iterable[str]
) -> tuple[int, list[StoredDoc]]:
    """Write changes in one transaction; return the new generation and the stored rows."""
    stored: list[StoredDoc] = []
    with closing(_connect(index_dir / STORE_NAME)) as conn, conn:
        conn.executemany("DELETE FROM docs WHERE path = ?", [(p,) for p in delete_paths])
        for doc in upserts:
            terms = dict(doc.term_counts())
            stored.append(StoredDoc(doc.path, doc.id, doc.title, doc.status, terms))
            conn.execute(
                "INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?, ?)",
                (doc.path, doc.id, doc.title, doc.status, doc.digest, json.dumps(terms)),
            )
        conn.execute(
            "INSERT INTO meta VALUES ('generation', 1)"
            " ON CONFLICT(key) DO UPDATE SET value = value + 1"
        )
        generation = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
    return int(generation), stored


def _log_tf(count: int) -> float:
    return 1.0 + math.log(count)


@dataclass
class SimilarityIndex:
    """Inverted index over every article's content words (drafts included)."""

    docs: dict[str, StoredDoc] = field(default_factory=dict)  # by path
    postings: dict[str, dict[str, float]] = field(default_factory=dict)  # term -> path -> log tf
    norms: dict[str, float] = field(default_factory=dict)  # path -> vector length

    @classmethod
    def load(cls, rows: Iterable[StoredDoc]) -> SimilarityIndex:
        index = cls()
        for doc in rows:
            index._add(doc)
        index.norms = {path: index._norm(doc) for path, doc in index.docs.items()}
        return index

    def idf(self, term: str) -> float:
        df = len(self.postings.get(term, ()))
        return math.log((len(self.docs) + 1) / (df + 1)) + 1.0

    def _norm(self, doc: StoredDoc) -> float:
        return math.sqrt(sum((_log_tf(c) * self.idf(t)) ** 2 for t, c in doc.terms.items())) or 1.0

    def _add(self, doc: StoredDoc) -> None:
        self.docs[doc.path] = doc
        for term, count in doc.terms.items():
            self.postings.setdefault(term, {})[doc.path] = _log_tf(count)

    def remove(self, path: str) -> None:
        doc = self.docs.pop(path, None)
        self.norms.pop(path, None)
        if doc is None:
            return
        for term in doc.terms:
            posting = self.postings.get(term)
            if posting is not None:
                posting.pop(path, None)
                if not posting:
                    del self.postings[term]

    def upsert(self, doc: StoredDoc) -> None:
        """Patch one document in; other documents' norms drift slightly until the next load."""
        self.remove(doc.path)
        self._add(doc)
        self.norms[doc.path] = self._norm(doc)

    def related(self, path: str, allowed: set[str], *, limit: int, terms: int = 12) -> list[str]:
        """Paths of the documents most like ``path`` among ``allowed`` (site build: one per page).

        Cheaper than :meth:`query` because the site asks once per article: only
        the document's rarest terms are walked and the partial score, divided by
        the candidate's length, is the ranking.
        """
        doc = self.docs.get(path)
        if doc is None:
            return []
        rarest = heapq.nlargest(terms, doc.terms, key=self.idf)
        common = max(50, len(self.docs) // 50)  # postings longer than 2% of the KB say little
        scores: dict[str, float] = {}
        for term in rarest:
            posting = self.postings.get(term, {})
            if len(posting) > common:
                continue
            idf = self.idf(term)
            weight = _log_tf(doc.terms[term]) * idf * idf
            for other, tf in posting.items():
                if other != path and other in allowed:
                    scores[other] = scores.get(other, 0.0) + weight * tf
        own = self.norms.get(path, 1.0)
        cosine = {p: score / (own * self.norms.get(p, 1.0)) for p, score in scores.items()}
        ranked = sorted(
            (p for p in cosine if cosine[p] >= MIN_RELATED), key=lambda p: (-cosine[p], p)
        )
        return ranked[:limit]

    def query(
        self, terms: Counter[str], *, limit: int, exclude_statuses: tuple[str, ...] = ("retired",)
    ) -> list[tuple[StoredDoc, float]]:
        known = {t: c for t, c in terms.items() if t in self.postings}
        if not known:
            return []
        idfs = {t: self.idf(t) for t in known}
        weights = {t: _log_tf(c) * idfs[t] for t, c in known.items()}
        query_norm = math.sqrt(sum(w * w for w in weights.values()))
        # Each query term's weight times its idf: the document side is log-tf x idf.
        combined = [(weights[t] * idfs[t], self.postings[t]) for t in weights]
        # Candidate step: the rarest terms' postings (the short ones), within a budget of
        # postings walked, so a ticket made only of common words still costs milliseconds.
        rarest = sorted(weights, key=lambda t: (len(self.postings[t]), t))[:CANDIDATE_TERMS]
        partial: dict[str, float] = {}
        walked = 0
        for term in rarest:
            posting = self.postings[term]
            if walked and walked + len(posting) > POSTINGS_BUDGET:
                break
            walked += len(posting)
            factor = weights[term] * idfs[term]
            for path, tf in posting.items():
                partial[path] = partial.get(path, 0.0) + factor * tf
        scored: list[tuple[StoredDoc, float]] = []
        for path in heapq.nlargest(CANDIDATES, partial, key=partial.__getitem__):
            doc = self.docs[path]
            if doc.status in exclude_statuses:
                continue
            dot = sum(w * posting.get(path, 0.0) for w, posting in combined)
            scored.append((doc, min(1.0, dot / (query_norm * self.norms[path]))))
        scored.sort(key=lambda item: (-item[1], item[0].path))
        return scored[:limit]


# One similarity index per index directory, per process: (generation, index).
_LOADED: dict[Path, tuple[int, SimilarityIndex]] = {}


_STAT: dict[Path, tuple[tuple[int, int, int], int]] = {}  # store file stat -> generation


def _current_generation(index_dir: Path) -> int:
    """The store's generation, read from SQLite only when the file changed (a stat is cheap)."""
    path = index_dir / STORE_NAME
    try:
        st = path.stat()
    except FileNotFoundError:
        return -1
    key = (st.st_mtime_ns, st.st_size, st.st_ino)
    cached = _STAT.get(index_dir)
    if cached is not None and cached[0] == key:
        return cached[1]
    generation = store_generation(index_dir)
    _STAT[index_dir] = (key, generation)
    return generation


def similarity_index(index_dir: Path) -> SimilarityIndex:
    generation = _current_generation(index_dir)
    cached = _LOADED.get(index_dir)
    if cached is not None and cached[0] == generation:
        return cached[1]
    index = SimilarityIndex.load(iter_stored(index_dir))
    _LOADED[index_dir] = (generation, index)
    return index


def patch_loaded(
    index_dir: Path,
    old_generation: int,
    new_generation: int,
    stored: list[StoredDoc],
    deleted: Iterable[str],
) -> None:
    """Keep this process's loaded index current after our own write (no reload)."""
    cached = _LOADED.get(index_dir)
    if cached is None or cached[0] != old_generation:
        _LOADED.pop(index_dir, None)
        return
    index = cached[1]
    for path in deleted:
        index.remove(path)
    for doc in stored:
        index.upsert(doc)
    _LOADED[index_dir] = (new_generation, index)


def forget(index_dir: Path) -> None:
    _LOADED.pop(index_dir, None)
