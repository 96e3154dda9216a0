"""Both engines: build, incremental updates, freshness by stat, tamper checks, `kbgen search`."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.exceptions import SearchError
from kbgen.kb import KnowledgeBase
from kbgen.search import build_index, search_articles, update_index
from kbgen.search import freshness as freshness_module
from kbgen.search.freshness import ArticleScan
from kbgen.search.sqlite_index import DB_NAME, SqliteEngine
from kbgen.search.whoosh_index import MANIFEST, SUBDIR, is_trusted

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


def backend(kb: KnowledgeBase) -> str:
    return kb.config.search.backend


def test_build_index_counts_every_article_drafts_included(sample: KnowledgeBase) -> None:
    assert build_index(sample) == 5
    if backend(sample) == "whoosh":
        assert is_trusted(sample.index_dir / SUBDIR)
        assert not (sample.index_dir / DB_NAME).exists()
    else:
        assert (sample.index_dir / DB_NAME).is_file()
        assert not (sample.index_dir / SUBDIR).exists()


def test_english_and_chinese_queries_find_published_articles(sample: KnowledgeBase) -> None:
    build_index(sample)
    assert ids(search_articles(sample, "printer offline")) == ["KB-0001"]
    assert ids(search_articles(sample, "printers")) == ["KB-0001"]  # stemmed
    assert ids(search_articles(sample, "打印机 队列")) == ["KB-0003"]
    assert ids(search_articles(sample, "打印")) == ["KB-0003"]  # sub-word of 打印机
    assert ids(search_articles(sample, "打印队列卡住了吗")) == ["KB-0003"]  # no spaces, extra words
    hit = search_articles(sample, "vpn")[0]
    assert (hit.id, hit.title, hit.path, hit.url) == (
        "KB-0002",
        "VPN disconnects every 10 minutes",
        "content/articles/kb-0002.md",
        "/kb-0002/",
    )


def test_drafts_and_retired_articles_only_with_include_unpublished(sample: KnowledgeBase) -> None:
    assert search_articles(sample, "outlook password") == []
    assert ids(search_articles(sample, "outlook password", include_unpublished=True)) == ["KB-0004"]
    assert ids(search_articles(sample, "vpn client")) == ["KB-0002"]
    assert set(ids(search_articles(sample, "vpn client", include_unpublished=True))) == {
        "KB-0002",
        "KB-0005",
    }


def test_internal_pages_never_appear_in_public_search(
    sample: KnowledgeBase, write: WriteArticle
) -> None:
    write("KB-0006", "Printer KPIs dashboard", "Printer tickets per week.", slug="internal/kpis")
    assert ids(search_articles(sample, "printer")) == ["KB-0001"]
    found = search_articles(sample, "printer kpis", include_unpublished=True)
    assert ids(found)[0] == "KB-0006" and found[0].url == "/internal/kpis/"


@pytest.mark.parametrize(
    "query", ["title:(x", "AND OR NOT", '"unclosed', "*", "   ", "的", "NEAR(a b)", "a:b OR"]
)
def test_query_syntax_is_plain_text(sample: KnowledgeBase, query: str) -> None:
    assert search_articles(sample, query) == []


def test_search_builds_a_missing_index_on_demand(sample: KnowledgeBase) -> None:
    assert not sample.index_dir.exists()
    assert ids(search_articles(sample, "spooler")) == ["KB-0001"]


def test_search_catches_up_with_articles_changed_since_the_index_was_written(
    sample: KnowledgeBase, write: WriteArticle
) -> None:
    build_index(sample)
    write("KB-0002", "VPN drops when the laptop sleeps", "Disable power saving on the adapter.")
    assert ids(search_articles(sample, "sleeps")) == ["KB-0002"]
    (sample.articles_dir / "kb-0002.md").unlink()
    assert search_articles(sample, "sleeps") == []


def test_a_fresh_process_reads_only_files_whose_stat_changed(
    sample: KnowledgeBase, write: WriteArticle, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kbgen.search as search_module

    build_index(sample)
    read: list[str] = []
    real_read_bytes = Path.read_bytes

    def spy(path: Path) -> bytes:
        read.append(path.name)
        return real_read_bytes(path)

    def open_spy(path: str, mode: str = "r") -> object:
        read.append(Path(path).name)
        return open(path, mode)

    monkeypatch.setattr(Path, "read_bytes", spy)  # parsing an article
    monkeypatch.setattr(freshness_module, "open", open_spy, raising=False)  # hashing one
    monkeypatch.setattr(search_module, "_FRESH", {})  # as in a new `kbgen search` process
    assert ids(search_articles(sample, "vpn")) == ["KB-0002"]
    assert read == []  # every article's stat matched: nothing read, nothing hashed
    write("KB-0002", "VPN drops when the laptop sleeps", "Disable power saving.")
    monkeypatch.setattr(search_module, "_FRESH", {})
    assert ids(search_articles(sample, "sleeps")) == ["KB-0002"]
    assert sorted(set(read)) == ["kb-0002.md"]


def test_same_size_edit_with_the_old_mtime_is_still_seen(
    sample: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cp -p and rsync -a keep mtime; the ctime in the signature still changes."""
    import kbgen.search as search_module

    build_index(sample)
    path = sample.articles_dir / "kb-0002.md"
    st = path.stat()
    path.write_text(path.read_text().replace("Update the VPN", "Reboot the VPN"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    monkeypatch.setattr(search_module, "_FRESH", {})
    assert ids(search_articles(sample, "reboot")) == ["KB-0002"]


def test_a_damaged_digest_cache_only_costs_a_re_read(sample: KnowledgeBase) -> None:
    build_index(sample)
    (sample.index_dir / freshness_module.CACHE_NAME).write_bytes(b"not a database at all")
    files = list(ArticleScan(sample))
    assert len(files) == 5
    assert ids(search_articles(sample, "spooler")) == ["KB-0001"]


def test_a_server_may_skip_the_check_for_a_few_seconds(
    sample: KnowledgeBase, write: WriteArticle
) -> None:
    assert ids(search_articles(sample, "vpn")) == ["KB-0002"]
    write("KB-0002", "Wireless drops when the laptop sleeps", "Disable power saving.")
    assert ids(search_articles(sample, "vpn", fresh_within=60)) == ["KB-0002"]  # not checked
    assert search_articles(sample, "vpn") == []  # checked: the edit is indexed


def test_refresh_terms_leaves_the_engine_to_catch_up_later(
    sample: KnowledgeBase, write: WriteArticle
) -> None:
    from kbgen.search import refresh_terms
    from kbgen.search.terms import stored_digests

    build_index(sample)
    write("KB-0006", "Teams camera not detected", "Allow camera access.")
    assert refresh_terms(sample) == 6
    assert "content/articles/kb-0006.md" in stored_digests(sample.index_dir)
    assert build_index(sample) == 6  # the engine catches up from its own record
    assert ids(search_articles(sample, "camera")) == ["KB-0006"]


def test_incremental_build_and_update(sample: KnowledgeBase, write: WriteArticle) -> None:
    build_index(sample)
    path = write("KB-0006", "Teams camera not detected", "Allow camera access.")
    update_index(sample, [path])
    assert ids(search_articles(sample, "camera", fresh_within=60)) == ["KB-0006"]
    path.unlink()
    update_index(sample, ["content/articles/kb-0006.md"])  # KB-relative works too
    assert search_articles(sample, "camera", fresh_within=60) == []
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
    if backend(sample) == "sqlite":
        db = sample.index_dir / DB_NAME
        SqliteEngine(sample.index_dir).close()  # between two runs
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        db.write_bytes(b"SQLite format 3\x00 but not really")
        assert ids(search_articles(sample, "spooler")) == ["KB-0001"]  # rebuilt
        with sqlite3.connect(db) as conn:  # another format: rebuilt, never migrated
            conn.execute("UPDATE meta SET value = '0.0' WHERE key = 'format'")
        build_index(sample)
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT value FROM meta").fetchone()[0] != "0.0"
        return
    whoosh_dir = sample.index_dir / SUBDIR
    # Someone changes a pickled segment file: the manifest no longer matches.
    segment = next(p for p in whoosh_dir.iterdir() if p.suffix == ".seg")
    segment.write_bytes(b"cos\nsystem\n(S'echo pwned'\ntR.")
    assert not is_trusted(whoosh_dir)
    assert ids(search_articles(sample, "spooler")) == ["KB-0001"]  # rebuilt from the articles
    assert is_trusted(whoosh_dir)
    # A manifest from another version (or hand-written) is not trusted either.
    manifest = whoosh_dir / MANIFEST
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "format": 0}))
    assert not is_trusted(whoosh_dir)
    manifest.write_text(json.dumps({**data, "tokens": 0}))
    assert not is_trusted(whoosh_dir)


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


def test_a_symlinked_sqlite_database_is_refused(sample: KnowledgeBase, tmp_path: Path) -> None:
    if backend(sample) != "sqlite":
        pytest.skip("the whoosh directory is covered above")
    sample.index_dir.mkdir(parents=True)
    os.symlink(tmp_path / "other.sqlite", sample.index_dir / DB_NAME)
    with pytest.raises(SearchError) as exc:
        build_index(sample)
    assert exc.value.message == (
        f"{sample.index_dir / DB_NAME} is not a regular file; remove it and run the command again"
    )


def test_cli_search_prints_id_title_and_path(sample: KnowledgeBase) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["search", "打印机", "--kb", str(sample.root)], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.output == "KB-0003  打印机无法打印，队列卡住  (content/articles/kb-0003.md)\n"
    result = runner.invoke(cli, ["search", "printer", "--kb", str(sample.root), "--json"])
    found = json.loads(result.output)
    assert [(h["id"], h["url"], h["path"]) for h in found] == [
        ("KB-0001", "/kb-0001/", "content/articles/kb-0001.md")
    ]
    result = runner.invoke(cli, ["search", "kerberos", "--kb", str(sample.root)])
    assert result.output == "No published article matches 'kerberos'.\n"
    # The subcommand's own name is a query too, when asked for explicitly.
    result = runner.invoke(cli, ["search", "query", "eval", "--kb", str(sample.root)])
    assert result.output == "No published article matches 'eval'.\n"
