"""The search index refresh that runs beside the MkDocs build."""

from __future__ import annotations

from typing import Any

from kbgen.kb import KnowledgeBase


def _build_index_in_child(root: str) -> None:
    from kbgen.search import build_index

    build_index(KnowledgeBase.open(root))


def start_index_build(kb: KnowledgeBase) -> Any:
    """Refresh the search index in a forked child while MkDocs renders the pages.

    Indexing (jieba + whoosh) and rendering each take about as long, and both
    are single-threaded: overlapping them on a second core takes the index off
    the build's critical path. Where fork is unavailable, the index is built
    in-process when the pages are done.
    """
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    job = multiprocessing.get_context("fork").Process(
        target=_build_index_in_child, args=(str(kb.root),), name="kbgen-index", daemon=True
    )
    job.start()
    return job


def finish_index_build(kb: KnowledgeBase, job: Any) -> int:
    """Wait for the child; on any failure build in-process, which raises the real error."""
    from kbgen.search import build_index
    from kbgen.search.terms import stored_count

    if job is not None:
        job.join()
        if job.exitcode == 0:
            return stored_count(kb.index_dir)
    return build_index(kb)
