"""`kbgen search` finds identifier parts and error codes: the demo's samples and the LUCENE export.

Issue #16: ``StringIndexOutOfBoundsException``, ``GermanStemFilter``,
``resubstitute`` and ``StringBuffer`` found nothing unless typed with their
package; ``AADSTS50076``, ``DTLS`` and ``Spooler`` must be found too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import kbgen
from kbgen.cli import cli
from kbgen.kb import KnowledgeBase, iter_article_paths, load_article
from kbgen.text import unescape_markdown

from .conftest import BACKENDS, capture_and_publish, use_backend

SAMPLES = Path(kbgen.__file__).parent / "samples"  # what `kbgen demo` captures
LUCENE = "apache_jira_rest_search_LUCENE-1_to_10.json"


def cli_ids(kb: KnowledgeBase, query: str) -> list[str]:
    result = CliRunner().invoke(
        cli, ["search", query, "--kb", str(kb.root), "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return [hit["id"] for hit in json.loads(result.output)]


@pytest.fixture(scope="module")
def demo_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The demo's sample tickets (Jira LUCENE, bilingual Zendesk) captured, every draft published."""
    exports = ["apache-lucene-jira-rest.json", "helpdesk-bilingual-zendesk.json"]
    return capture_and_publish(
        tmp_path_factory.mktemp("demo") / "kb", [(SAMPLES / name, {}) for name in exports]
    )


def holding(kb: KnowledgeBase, word: str) -> list[str]:
    """Ids of the articles whose file holds ``word`` (case-insensitive), as a reader sees it."""
    found = []
    for path in iter_article_paths(kb.articles_dir):
        article = load_article(path)
        text = unescape_markdown(f"{article.title} {article.body}").casefold()
        if word.casefold() in text:
            found.append(article.id)
    return found


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "query",
    [
        "java.lang.StringIndexOutOfBoundsException",
        "StringIndexOutOfBoundsException",
        "stringindexoutofboundsexception",
        "GermanStemFilter",
        "resubstitute",
        "StringBuffer",
        "lucene-1.2-rc1.jar",
        "AADSTS50076",
        "DTLS",
        "Spooler",
    ],
)
def test_the_demo_samples_find_identifiers_and_codes_first(
    demo_kb: KnowledgeBase, backend: str, query: str
) -> None:
    kb = use_backend(demo_kb, backend)
    try:
        expected = holding(kb, query)
        assert len(expected) == 1, expected  # the sample has one article with it
        assert cli_ids(kb, query)[:1] == expected
    finally:
        config = kb.site_config_dir / "kbgen.yml"
        config.write_text(config.read_text().split("search:\n")[0])


@pytest.fixture(scope="module")
def lucene_kb(tmp_path_factory: pytest.TempPathFactory, datasets: Path) -> KnowledgeBase:
    """The real LUCENE export through the real capture, every draft published."""
    return capture_and_publish(tmp_path_factory.mktemp("lucene") / "kb", [(datasets / LUCENE, {})])


def article_for(kb: KnowledgeBase, ticket: str) -> str:
    for path in iter_article_paths(kb.articles_dir):
        article = load_article(path)
        if ticket in article.tickets:
            return article.id
    raise AssertionError(f"no article lists {ticket}")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "query",
    ["StringIndexOutOfBoundsException", "GermanStemFilter", "resubstitute", "StringBuffer"],
)
def test_the_lucene_export_finds_identifier_parts(
    lucene_kb: KnowledgeBase, backend: str, query: str, tmp_path: Path
) -> None:
    kb = use_backend(lucene_kb, backend)
    try:
        assert cli_ids(kb, query)[:1] == [article_for(kb, "LUCENE-5")]
    finally:
        config = kb.site_config_dir / "kbgen.yml"
        config.write_text(config.read_text().split("search:\n")[0])
