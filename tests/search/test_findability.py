"""Findability: a ticket's own words find the article captured from it, in the top 3.

Real exports from ../shared/datasets_candidates go through the real capture
(sources, redaction, drafting); every draft is then published and the whoosh
index built. For each captured ticket we search with its title and with the
first sentence of its problem, as a user who has the same problem would type
it, and count a hit when an article linked to that ticket is in the top 3.

Measured (docs/search.md): English 97.0% by title and 96.5% by first
sentence (370 tickets: Apache Jira + Mendeley helpdesk); Chinese 99.8% by
title and 100% by first sentence (1,021 SGCC incidents). The floors below
leave a small margin.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbgen.kb import KnowledgeBase, init_kb, iter_article_paths, load_article, write_article
from kbgen.search import build_index, search_articles
from kbgen.search.findability import first_sentence
from kbgen.text import unescape_markdown

from .conftest import BACKENDS, use_backend

FLOORS = {
    ("en", "title"): 0.93,
    ("en", "problem"): 0.92,
    ("zh", "title"): 0.97,
    ("zh", "problem"): 0.97,
}

SGCC = "sgcc_ict_fault_incidents_zh.csv"
APACHE = "apache_jira_rest_search_LUCENE-1_to_10.json"
MENDELEY = "mendeley_helpdesk_sample_utterances.csv"


@pytest.fixture(scope="module")
def captured(
    tmp_path_factory: pytest.TempPathFactory, datasets: Path
) -> Iterator[tuple[KnowledgeBase, list]]:
    from kbgen.drafting.capture import CaptureOptions, capture_tickets
    from kbgen.sources import read_tickets

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KBGEN_TODAY", "2026-11-25")
        mp.setenv("GIT_AUTHOR_NAME", "Eve Engineer")
        mp.setenv("GIT_AUTHOR_EMAIL", "eve@example.test")
        mp.setenv("GIT_COMMITTER_NAME", "Eve Engineer")
        mp.setenv("GIT_COMMITTER_EMAIL", "eve@example.test")
        mp.setenv("GIT_CONFIG_GLOBAL", os.devnull)
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        kb = init_kb(tmp_path_factory.mktemp("findability") / "kb")
        config = kb.site_config_dir / "kbgen.yml"
        # Mendeley threads carry no resolution status; draft them anyway.
        config.write_text(
            config.read_text(encoding="utf-8").replace(
                "capture:\n", "capture:\n  require_positive_resolution: false\n"
            ),
            encoding="utf-8",
        )
        kb = KnowledgeBase.open(kb.root)
        sources = [
            (
                datasets / SGCC,
                {"mapping": kb.site_config_dir / "sources" / "sgcc.yml", "skip_bad_records": True},
            ),
            (datasets / APACHE, {}),
            (datasets / MENDELEY, {}),
        ]
        for path, options in sources:
            capture_tickets(kb, [path], CaptureOptions(branch=False, **options))
        for article_path in iter_article_paths(kb.articles_dir):
            article = load_article(article_path)
            article.meta["status"] = "published"
            write_article(article_path, article)
        build_index(kb)
        tickets = []
        for path, options in sources:
            tickets.extend(read_tickets(path, **options))
        yield kb, tickets


@pytest.fixture(params=BACKENDS)
def engine(captured: tuple[KnowledgeBase, list], request: pytest.FixtureRequest) -> Iterator[str]:
    """The captured KB switched to each search engine in turn."""
    config = captured[0].site_config_dir / "kbgen.yml"
    before = config.read_text(encoding="utf-8")
    use_backend(captured[0], request.param)
    yield request.param
    config.write_text(before, encoding="utf-8")


@pytest.mark.slow
def test_ticket_words_find_their_article_in_the_top_3(
    captured: tuple[KnowledgeBase, list], engine: str
) -> None:
    kb, tickets = KnowledgeBase.open(captured[0].root), captured[1]
    owners: dict[str, set[str]] = {}
    for path in iter_article_paths(kb.articles_dir):
        article = load_article(path)
        for ticket_id in article.tickets:
            owners.setdefault(ticket_id, set()).add(article.id)
    counts: dict[tuple[str, str], list[int]] = {key: [0, 0] for key in FLOORS}
    for ticket in tickets:
        if ticket.id not in owners:
            continue  # not drafted (e.g. a column-shifted SGCC row)
        problem = first_sentence(unescape_markdown(ticket.problem))
        for kind, query in (("title", ticket.title), ("problem", problem)):
            if not query.strip():
                continue
            top3 = {hit.id for hit in search_articles(kb, query, limit=3)}
            tally = counts[(ticket.language, kind)]
            tally[0] += bool(owners[ticket.id] & top3)
            tally[1] += 1
    rates = {key: hits / total for key, (hits, total) in counts.items()}
    print(engine, {key: f"{rate:.3f} of {counts[key][1]}" for key, rate in rates.items()})
    assert counts[("en", "title")][1] >= 300 and counts[("zh", "title")][1] >= 1000
    for key, floor in FLOORS.items():
        assert rates[key] >= floor, f"{key}: {rates[key]:.3f} < {floor} ({counts[key]})"


@pytest.mark.slow
def test_search_eval_on_the_captured_exports(
    captured: tuple[KnowledgeBase, list], engine: str
) -> None:
    """`kbgen search eval`'s own queries (store titles and problems, article resolutions)."""
    from kbgen.search import evaluate_findability
    from kbgen.sources import TicketStore

    kb = KnowledgeBase.open(captured[0].root)
    with TicketStore(kb.ticket_store_path) as store:
        report = evaluate_findability(kb, list(store.iter_tickets()))
    print(engine, report.summary_lines()[:4])
    assert report.total > 2500
    assert report.rate(3) >= 0.9 and report.passed
