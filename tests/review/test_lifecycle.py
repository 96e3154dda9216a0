"""Lifecycle commands (flag, retire) and kbgen review list: every change a commit, every draft listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from review_helpers import BODY_EN, article_text, commit_on_main, draft_change

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase, commit_drafts, git_out, load_article

PUBLISHED = {"status": "published", "reviewed_by": "Rita", "published_at": "2026-11-21"}


def review(kb: KnowledgeBase, *args: str) -> Result:
    return CliRunner().invoke(cli, ["review", *args, "--kb", str(kb.root)], catch_exceptions=False)


@pytest.fixture
def published(kb: KnowledgeBase) -> KnowledgeBase:
    commit_on_main(
        kb.root,
        {
            "content/articles/a.md": article_text(**PUBLISHED),
            "content/articles/b.md": article_text("KB-0002", "VPN drops every hour", **PUBLISHED),
        },
        "Publish two articles",
    )
    return kb


def test_flag_marks_needs_update_in_one_commit(published: KnowledgeBase) -> None:
    result = review(
        published,
        "flag",
        "KB-0001",
        "--reason",
        "Spooler 2.0 changed the menu",
        "--reviewer",
        "Rita",
    )

    commit = git_out(["rev-parse", "HEAD"], published.root)
    assert (result.exit_code, result.output) == (
        0,
        f"KB-0001: published -> needs_update (content/articles/a.md, commit {commit[:7]})\n",
    )
    assert git_out(["log", "-1", "--format=%B"], published.root) == (
        "Flag for update KB-0001: Printer shows offline after the spooler update\n\n"
        "Reason: Spooler 2.0 changed the menu\nReviewed-by: Rita"
    )
    assert load_article(published.articles_dir / "a.md").meta["status"] == "needs_update"
    assert git_out(["status", "--porcelain"], published.root) == ""


def test_retire_with_a_redirect(published: KnowledgeBase) -> None:
    result = review(
        published,
        "retire",
        "KB-0002",
        "--reason",
        "Merged into KB-0001",
        "--redirect-to",
        "KB-0001",
        "--reviewer",
        "Rita",
        "--json",
    )

    assert json.loads(result.output) == {
        "article_id": "KB-0002",
        "path": "content/articles/b.md",
        "old_status": "published",
        "new_status": "retired",
        "commit": git_out(["rev-parse", "HEAD"], published.root),
    }
    meta = load_article(published.articles_dir / "b.md").meta
    assert (meta["status"], meta["redirect_to"], meta["updated"]) == (
        "retired",
        "KB-0001",
        "2026-11-25",
    )
    assert review(published, "flag", "KB-0002", "--reason", "x", "--reviewer", "Rita").output == (
        "Error: KB-0002 (content/articles/b.md): status may not change from 'retired' to 'needs_update' "
        "('retired' is final)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["retire", "KB-0009", "--reason", "x"],
            "Error: KB-0009: no article with this id on main\n",
        ),
        (
            ["retire", "KB-0001", "--reason", "x", "--redirect-to", "KB-0001"],
            "Error: --redirect-to KB-0001: not a published article on main\n",
        ),
        (
            ["flag", "KB-0001", "--reason", "  "],
            "Error: --reason must say why (it is recorded in the commit)\n",
        ),
    ],
)
def test_lifecycle_mistakes_fail_clearly(
    published: KnowledgeBase, args: list[str], message: str
) -> None:
    head = git_out(["rev-parse", "HEAD"], published.root)
    result = review(published, *args, "--reviewer", "Rita")
    assert (result.exit_code, result.output) == (1, message)
    assert git_out(["rev-parse", "HEAD"], published.root) == head


def test_list_shows_branches_drafts_on_main_and_flagged_articles(published: KnowledgeBase) -> None:
    kb = published
    commit_drafts(
        kb, [draft_change("KB-0003", "mail-slow", title="Mail is slow", tickets=["ZD-7", "ZD-9"])]
    )
    commit_drafts(
        kb, [draft_change("KB-0004", "broken", title="Broken draft", body=BODY_EN + "\n<b>x</b>\n")]
    )
    commit_on_main(
        kb.root,
        {"content/articles/e.md": article_text("KB-0005", "Draft on main", created="2026-11-01")},
    )
    review(kb, "flag", "KB-0002", "--reason", "outdated", "--reviewer", "Rita")

    result = review(kb, "list")

    assert result.output == (
        "KB-0003  draft  kb/KB-0003-mail-slow  5d  ZD-7, ZD-9  check ok  Mail is slow\n"
        "KB-0004  draft  kb/KB-0004-broken  5d  LUCENE-1  check failed (2)  Broken draft\n"
        "    raw-html: raw HTML '<b>' would be published; write Markdown, or escape < as &lt;\n"
        "    raw-html: raw HTML '</b>' would be published; write Markdown, or escape < as &lt;\n"
        "KB-0002  needs_update  main  5d  LUCENE-1  check ok  VPN drops every hour\n"
        "KB-0005  draft  main  24d  LUCENE-1  check ok  Draft on main\n"
    )
    listed = json.loads(review(kb, "list", "--json").output)
    assert listed[0] == {
        "id": "KB-0003",
        "title": "Mail is slow",
        "status": "draft",
        "path": "content/articles/kb-0003-mail-slow.md",
        "branch": "kb/KB-0003-mail-slow",
        "tickets": ["ZD-7", "ZD-9"],
        "age_days": 5,
        "check_ok": True,
        "problems": [],
        "config_changes": [],
    }


def test_list_with_nothing_pending(kb: KnowledgeBase) -> None:
    assert review(kb, "list").output == "No pending drafts.\n"


@pytest.mark.slow
def test_flagged_articles_stay_online_with_a_notice_and_retired_ones_leave_a_tombstone(
    published: KnowledgeBase, tmp_path: Path
) -> None:
    from kbgen.site.build import build_site

    review(published, "flag", "KB-0001", "--reason", "menu changed", "--reviewer", "Rita")
    review(
        published,
        "retire",
        "KB-0002",
        "--reason",
        "merged",
        "--redirect-to",
        "KB-0001",
        "--reviewer",
        "Rita",
    )

    build_site(KnowledgeBase.open(published.root), site_dir=tmp_path / "site", strict=True)

    flagged = (tmp_path / "site" / "a" / "index.html").read_text(encoding="utf-8")
    retired = (tmp_path / "site" / "b" / "index.html").read_text(encoding="utf-8")
    assert "This article is being updated" in flagged
    assert "Restart the Print Spooler service." in flagged
    assert "This article was retired" in retired
    assert "VPN drops every hour" in retired and "../a/" in retired
