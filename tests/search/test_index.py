"""The whoosh index: build, incremental updates, the tamper check, and `kbgen search`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.exceptions import SearchError
from kbgen.kb import KnowledgeBase
from kbgen.search import build_index, search_articles, update_index
from kbgen.search.whoosh_index import MANIFEST, is_trusted

from .conftest import WriteArticle


@pytest.fixture
def sample(kb: KnowledgeBase, write: WriteArticle) -> KnowledgeBase:
    write(
        "KB-0001",
        "Printer shows offline after Windows update",
        "## Resolution\n\nRestart the print spooler service.",
        tags=["printer"],
    )
    write("KB-0002", "VPN disconnects every 10 minutes", "Update the VPN client to 5.2.")
    write(
        "KB-0003",
        "打印机无法打印，队列卡住",
        "## 解决方法\n\n重启打印后台处理程序服务，清空打印队列。",
        language="zh",
    )
    write("KB-0004", "Outlook password prompt loops", "Clear cached credentials.", status="draft")
    write("KB-0005", "Old VPN client guide", "Use client 4.0.", status="retired")
    return kb


def ids(hits: list) -> list[str]:
    return [h.id for h in hits]


def test_build_index_counts_every_article_drafts_included(sample: KnowledgeBase) -> None:
    assert build_index(sample) == 5
    assert is_trusted(sample.index_dir)


def test_english_and_chinese_queries_find_published_articles(sample: KnowledgeBase) -> None:
    build_index(sample)
    assert ids(search_articles(sample, "printer offline")) == ["KB-0001"]
    assert ids(search_articles(sample, "printers")) == ["KB-0001"]  # stemmed
    assert ids(search_articles(sample, "打印机 队列")) == ["KB-0003"]
    assert ids(search_articles(sample, "打印")) == ["KB-0003"]  # sub-word of 打印机
    hit = search_articles(sample, "vpn")[0]
    assert (hit.id, hit.title, hit.path) == (
        "KB-0002",
        "VPN disconnects every 10 minutes",
        "content/articles/kb-0002.md",
    )


def test_drafts_and_retired_articles_only_with_include_unpublished(sample: KnowledgeBase) -> None:
    assert search_articles(sample, "outlook password") == []
    assert ids(search_articles(sample, "outlook password", include_unpublished=True)) == ["KB-0004"]
    assert ids(search_articles(sample, "vpn client")) == ["KB-0002"]
    assert set(ids(search_articles(sample, "vpn client", include_unpublished=True))) == {
        "KB-0002",
        "KB-0005",
    }


@pytest.mark.parametrize("query", ["title:(x", "AND OR NOT", '"unclosed', "*", "   ", "的"])
def test_query_syntax_is_plain_text(sample: KnowledgeBase, query: str) -> None:
    assert search_articles(sample, query) == []


def test_search_builds_a_missing_index_on_demand(sample: KnowledgeBase) -> None:
    assert not sample.index_dir.exists()
    assert ids(search_articles(sample, "spooler")) == ["KB-0001"]
    assert is_trusted(sample.index_dir)


def test_search_catches_up_with_articles_changed_since_the_index_was_written(
    sample: KnowledgeBase, write: WriteArticle
) -> None:
    build_index(sample)
    write("KB-0002", "VPN drops when the laptop sleeps", "Disable power saving on the adapter.")
    assert ids(search_articles(sample, "sleeps")) == ["KB-0002"]
    (sample.articles_dir / "kb-0002.md").unlink()
    assert search_articles(sample, "sleeps") == []


def test_a_server_may_skip_the_check_for_a_few_seconds(
    sample: KnowledgeBase, write: WriteArticle
) -> None:
    assert ids(search_articles(sample, "vpn")) == ["KB-0002"]
    write("KB-0002", "Wireless drops when the laptop sleeps", "Disable power saving.")
    assert ids(search_articles(sample, "vpn", fresh_within=60)) == ["KB-0002"]  # not checked
    assert search_articles(sample, "vpn") == []  # checked: the edit is indexed


def test_refresh_terms_leaves_whoosh_to_catch_up_later(
    sample: KnowledgeBase, write: WriteArticle
) -> None:
    from kbgen.search import refresh_terms
    from kbgen.search.terms import indexed_digests, stored_digests

    build_index(sample)
    write("KB-0006", "Teams camera not detected", "Allow camera access.")
    assert refresh_terms(sample) == 6
    assert "content/articles/kb-0006.md" in stored_digests(sample.index_dir)
    assert "content/articles/kb-0006.md" not in indexed_digests(sample.index_dir)
    assert build_index(sample) == 6  # whoosh catches up from its own record
    assert indexed_digests(sample.index_dir) == stored_digests(sample.index_dir)
    assert ids(search_articles(sample, "camera")) == ["KB-0006"]


def test_incremental_build_and_update(sample: KnowledgeBase, write: WriteArticle) -> None:
    build_index(sample)
    path = write("KB-0006", "Teams camera not detected", "Allow camera access.")
    update_index(sample, [path])
    assert ids(search_articles(sample, "camera")) == ["KB-0006"]
    path.unlink()
    update_index(sample, ["content/articles/kb-0006.md"])  # KB-relative works too
    assert search_articles(sample, "camera") == []
    # A file edited behind kbgen's back is picked up by the next build.
    write("KB-0002", "VPN drops when the laptop sleeps", "Disable power saving on the adapter.")
    assert build_index(sample) == 5
    assert ids(search_articles(sample, "sleeps")) == ["KB-0002"]
    assert search_articles(sample, "minutes") == []


def test_broken_article_is_left_out_of_the_index(sample: KnowledgeBase) -> None:
    build_index(sample)
    (sample.articles_dir / "kb-0002.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    assert build_index(sample) == 4
    assert search_articles(sample, "vpn") == []


def test_an_index_kbgen_did_not_write_is_never_opened(sample: KnowledgeBase) -> None:
    build_index(sample)
    # Someone changes a pickled segment file: the manifest no longer matches.
    segment = next(p for p in sample.index_dir.iterdir() if p.suffix == ".seg")
    segment.write_bytes(b"cos\nsystem\n(S'echo pwned'\ntR.")
    assert not is_trusted(sample.index_dir)
    assert ids(search_articles(sample, "spooler")) == ["KB-0001"]  # rebuilt from the articles
    assert is_trusted(sample.index_dir)
    # A manifest from another version (or hand-written) is not trusted either.
    manifest = sample.index_dir / MANIFEST
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "format": 0}))
    assert not is_trusted(sample.index_dir)


def test_a_symlinked_index_directory_is_refused(sample: KnowledgeBase, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    sample.state_dir.mkdir(parents=True, exist_ok=True)
    os.symlink(elsewhere, sample.index_dir)
    with pytest.raises(SearchError) as exc:
        build_index(sample)
    assert exc.value.message == (
        f"{sample.index_dir} is a symlink; kbgen only uses an index directory it created. "
        "Remove it and run 'kbgen build' again"
    )


def test_cli_search_prints_id_title_and_path(sample: KnowledgeBase) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["search", "打印机", "--kb", str(sample.root)], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.output == "KB-0003  打印机无法打印，队列卡住  (content/articles/kb-0003.md)\n"
    result = runner.invoke(cli, ["search", "printer", "--kb", str(sample.root), "--json"])
    assert json.loads(result.output)[0]["id"] == "KB-0001"
    result = runner.invoke(cli, ["search", "kerberos", "--kb", str(sample.root)])
    assert result.output == "No published article matches 'kerberos'.\n"
