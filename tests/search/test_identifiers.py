"""`kbgen search` finds identifier parts and error codes: the repo's example KB and the LUCENE export.

Issue #16: ``StringIndexOutOfBoundsException``, ``GermanStemFilter``,
``resubstitute`` and ``StringBuffer`` found nothing unless typed with their
package; ``AADSTS50076``, ``DTLS`` and ``Spooler`` must be found too.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase, init_kb, iter_article_paths, load_article

from .conftest import BACKENDS, capture_and_publish, use_backend

REPO_ARTICLES = Path(__file__).resolve().parents[2] / "content" / "articles"
LUCENE = "apache_jira_rest_search_LUCENE-1_to_10.json"


def cli_ids(kb: KnowledgeBase, query: str) -> list[str]:
    result = CliRunner().invoke(
        cli, ["search", query, "--kb", str(kb.root), "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return [hit["id"] for hit in json.loads(result.output)]


@pytest.fixture(params=BACKENDS)
def example_kb(tmp_path: Path, request: pytest.FixtureRequest) -> KnowledgeBase:
    kb = use_backend(init_kb(tmp_path / "kb"), request.param)
    for path in REPO_ARTICLES.glob("*.md"):
        shutil.copy(path, kb.articles_dir / path.name)
    return kb


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("java.lang.StringIndexOutOfBoundsException", "KB-0003"),
        ("StringIndexOutOfBoundsException", "KB-0003"),
        ("stringindexoutofboundsexception", "KB-0003"),
        ("GermanStemFilter", "KB-0003"),
        ("resubstitute", "KB-0003"),
        ("StringBuffer", "KB-0003"),
        ("lucene-1.2-rc1.jar", "KB-0003"),
        ("AADSTS50076", "KB-0008"),
        ("aadsts50076 outlook", "KB-0008"),
        ("MicrosoftOffice16_Data", "KB-0008"),
        ("DTLS", "KB-0007"),
        ("Spooler", "KB-0010"),
        ("print spooler 队列", "KB-0010"),
    ],
)
def test_the_example_kb_finds_identifiers_and_codes_first(
    example_kb: KnowledgeBase, query: str, expected: str
) -> None:
    assert cli_ids(example_kb, query)[0] == expected


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
