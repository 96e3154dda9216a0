"""Related articles: ranked in a forked child from the term store, the same as in-process."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from kbgen.kb import KnowledgeBase
from kbgen.search import whoosh_index
from kbgen.search.terms import stored_count
from kbgen.site.related import (
    finish_related_job,
    related_articles,
    start_related_job,
)

WriteArticle = Callable[..., Path]


@pytest.fixture
def printing(kb: KnowledgeBase, write: WriteArticle) -> KnowledgeBase:
    write("a", "KB-0001", "Printer spooler crashes", "Restart the spooler on the print server.")
    write("b", "KB-0002", "Spooler service stops on print server", "Clear the spooler folder.")
    write("c", "KB-0003", "Print spooler queue stuck", "Restart the spooler.", status="draft")
    write("d", "KB-0004", "VPN disconnects", "Update the client.")
    return kb


def test_child_answers_as_the_in_process_ranking(printing: KnowledgeBase) -> None:
    job = start_related_job(printing, 5)
    assert job is not None  # Linux: fork is available
    from_child = finish_related_job(printing, job, 5)
    assert not job.process.is_alive()
    in_process = related_articles(printing, 5)
    assert from_child == in_process
    assert from_child.stored == 4  # drafts included
    # Drafts are never offered as related articles; only published ones get a list.
    assert from_child.related == {
        "content/articles/a.md": ["content/articles/b.md"],
        "content/articles/b.md": ["content/articles/a.md"],
        "content/articles/d.md": [],
    }


def test_the_term_store_is_refreshed_but_whoosh_is_left_alone(printing: KnowledgeBase) -> None:
    related_articles(printing, 5)
    assert stored_count(printing.index_dir) == 4
    assert whoosh_index.open_trusted(printing.index_dir / "whoosh") is None


def test_without_fork_the_work_runs_in_process(
    printing: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert start_related_job(printing, 5) is None
    assert finish_related_job(printing, None, 5) == related_articles(printing, 5)


def test_a_failing_child_is_redone_in_process_with_the_real_error(
    printing: KnowledgeBase, write: WriteArticle
) -> None:
    (printing.index_dir).mkdir(parents=True, exist_ok=True)
    (printing.index_dir / "terms.sqlite").write_text("not a database", encoding="utf-8")
    job = start_related_job(printing, 5)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        finish_related_job(printing, job, 5)


def test_stopping_a_job_ends_the_child(printing: KnowledgeBase) -> None:
    job = start_related_job(printing, 5)
    assert job is not None
    job.stop()
    assert not job.process.is_alive()
    assert job.process.exitcode is not None
