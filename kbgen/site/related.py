"""Related articles, worked out in a forked child while MkDocs converts the pages.

The child refreshes the term store in ``.kbgen/index`` (jieba-analysed
content words of every article; only changed files are re-analysed) and ranks
each published article's neighbours. Analysis and Markdown conversion are
both single-threaded and take about as long, so overlapping them on a second
core keeps related articles off the build's critical path. The whoosh index
is not touched: the site never queries it, and ``kbgen search``, capture and
the collector bring it up to date themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kbgen.kb import KnowledgeBase
from kbgen.search import refresh_terms, similarity_index
from kbgen.site.forked import ForkedCall

PUBLISHED = ("published", "needs_update")
# Neighbours asked for beyond the page's limit: the plugin drops articles the site leaves
# out for other reasons (files under "_" folders), and still has enough to show.
SPARE = 5


@dataclass
class RelatedArticles:
    stored: int  # articles in the term store, drafts included
    related: dict[str, list[str]]  # KB path of a published article -> its neighbours, best first


def related_articles(kb: KnowledgeBase, limit: int) -> RelatedArticles:
    """Refresh the term store and rank every published article's neighbours."""
    stored = refresh_terms(kb)
    related: dict[str, list[str]] = {}
    if limit > 0:
        index = similarity_index(kb.index_dir)
        published = {path for path, doc in index.docs.items() if doc.status in PUBLISHED}
        for path in sorted(published):
            related[path] = index.related(path, published, limit=limit + SPARE)
    return RelatedArticles(stored=stored, related=related)


def _in_child(root: str, limit: int) -> RelatedArticles:
    return related_articles(KnowledgeBase.open(root), limit)


def start_related_job(kb: KnowledgeBase, limit: int) -> ForkedCall | None:
    """Start the child; None where fork is unavailable (the work then runs in-process)."""
    return ForkedCall.start(_in_child, str(kb.root), limit, name="kbgen-related")


def finish_related_job(kb: KnowledgeBase, job: ForkedCall | None, limit: int) -> RelatedArticles:
    """The child's answer; on any failure redo the work in-process, which raises the real error."""
    if job is not None:
        done, found = job.result()
        if done:
            return found
    return related_articles(kb, limit)
