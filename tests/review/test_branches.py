"""commit_drafts: one branch per draft in a separate worktree, trailers, idempotence, locks."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_helpers import draft_change

from kbgen.exceptions import LockedError, UnsafePathError
from kbgen.kb import (
    KnowledgeBase,
    commit_drafts,
    git_out,
    iter_branch_articles,
    list_kb_branches,
    run_git,
)


def test_each_draft_gets_its_own_branch_from_main_with_ticket_trailers(kb: KnowledgeBase) -> None:
    change = draft_change(tickets=["LUCENE-1", "LUCENE-3"])
    results = commit_drafts(kb, [change, draft_change("KB-0002", "vpn-drops")])

    assert [(r.branch, r.article_ids, r.created) for r in results] == [
        ("kb/KB-0001-printer-offline", ["KB-0001"], True),
        ("kb/KB-0002-vpn-drops", ["KB-0002"], True),
    ]
    message = git_out(["log", "-1", "--format=%B", "kb/KB-0001-printer-offline"], kb.root)
    assert message == (
        "Draft KB-0001: Printer shows offline after the spooler update\n\nTicket: LUCENE-1\nTicket: LUCENE-3"
    )
    assert git_out(["rev-parse", "kb/KB-0001-printer-offline^"], kb.root) == git_out(
        ["rev-parse", "main"], kb.root
    )
    assert git_out(
        ["show", "kb/KB-0001-printer-offline:content/articles/kb-0001-printer-offline.md"], kb.root
    ) == (change.files["content/articles/kb-0001-printer-offline.md"].decode().strip())
    assert results[0].commit == git_out(["rev-parse", "kb/KB-0001-printer-offline"], kb.root)


def test_the_users_work_tree_index_and_branch_are_never_touched(kb: KnowledgeBase) -> None:
    (kb.root / "notes.txt").write_text("my own unsaved work\n", encoding="utf-8")
    (kb.root / "site_config" / "kbgen.yml").write_text("kb:\n  id_prefix: KB\n", encoding="utf-8")
    run_git(["add", "site_config/kbgen.yml"], kb.root)
    before = git_out(["status", "--porcelain"], kb.root)

    commit_drafts(kb, [draft_change()])

    assert git_out(["status", "--porcelain"], kb.root) == before
    assert git_out(["branch", "--show-current"], kb.root) == "main"
    assert not (kb.root / "content" / "articles" / "kb-0001-printer-offline.md").exists()
    assert git_out(["worktree", "list", "--porcelain"], kb.root).count("worktree ") == 1
    assert list((kb.root / ".kbgen" / "worktrees").iterdir()) == []


def test_committing_the_same_content_again_makes_no_new_commit(kb: KnowledgeBase) -> None:
    first = commit_drafts(kb, [draft_change()])[0]
    again = commit_drafts(kb, [draft_change()])[0]

    assert again.created is False
    assert again.commit == first.commit


def test_a_changed_draft_adds_a_commit_on_the_same_branch(kb: KnowledgeBase) -> None:
    first = commit_drafts(kb, [draft_change()])[0]
    change = draft_change(tickets=["LUCENE-1", "LUCENE-2"])
    change.kind = "link"
    second = commit_drafts(kb, [change])[0]

    assert second.created is True
    assert git_out(["rev-parse", f"{second.commit}^"], kb.root) == first.commit
    assert git_out(["log", "-1", "--format=%s", second.branch], kb.root) == (
        "Link tickets to KB-0001: Printer shows offline after the spooler update"
    )


def test_batch_branch_puts_every_draft_on_one_branch(kb: KnowledgeBase) -> None:
    results = commit_drafts(
        kb, [draft_change(), draft_change("KB-0002", "vpn-drops")], batch_branch="capture-1"
    )

    assert [(r.branch, r.article_ids) for r in results] == [
        ("kb/capture-1", ["KB-0001", "KB-0002"])
    ]
    assert git_out(["log", "--format=%s", "main..kb/capture-1"], kb.root).splitlines() == [
        "Draft KB-0002: Printer shows offline after the spooler update",
        "Draft KB-0001: Printer shows offline after the spooler update",
    ]


@pytest.mark.parametrize(
    "rel", ["../outside.md", "/etc/passwd", "content/../../x.md", "mkdocs.yml"]
)
def test_files_outside_content_are_refused(kb: KnowledgeBase, rel: str) -> None:
    change = draft_change()
    change.files = {rel: b"x"}
    with pytest.raises(UnsafePathError) as err:
        commit_drafts(kb, [change])
    assert err.value.message == (
        f"KB-0001: refusing to write '{rel}': draft files must be relative paths under content/"
    )
    assert list_kb_branches(kb) == []


def test_a_stale_git_index_lock_stops_capture_with_a_clear_message(kb: KnowledgeBase) -> None:
    lock = kb.root / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")

    with pytest.raises(LockedError) as err:
        commit_drafts(kb, [draft_change()])

    assert err.value.message == (
        f"git's lock file {lock} exists: another git command is running, or one crashed. "
        f"If no git command is running, delete {lock} and run 'kbgen capture' again; nothing was changed"
    )
    assert lock.exists()  # never deleted by kbgen
    assert list_kb_branches(kb) == []
    lock.unlink()
    assert commit_drafts(kb, [draft_change()])[0].created is True


def test_branches_and_their_articles_are_listed_local_and_remote(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    commit_drafts(
        kb, [draft_change(), draft_change("KB-0002", "vpn-drops", title="VPN drops every hour")]
    )
    origin = tmp_path / "origin.git"
    run_git(["init", "-q", "--bare", str(origin)], tmp_path)
    run_git(["remote", "add", "origin", str(origin)], kb.root)
    run_git(["push", "-q", "origin", "main", "kb/KB-0002-vpn-drops"], kb.root)
    run_git(["fetch", "-q", "origin"], kb.root)
    run_git(["branch", "-q", "-D", "kb/KB-0002-vpn-drops"], kb.root)

    assert list_kb_branches(kb) == ["kb/KB-0001-printer-offline", "origin/kb/KB-0002-vpn-drops"]
    found = [
        (branch, article.id, article.title, str(article.path))
        for branch, article in iter_branch_articles(kb)
    ]
    assert found == [
        (
            "kb/KB-0001-printer-offline",
            "KB-0001",
            "Printer shows offline after the spooler update",
            "content/articles/kb-0001-printer-offline.md",
        ),
        (
            "origin/kb/KB-0002-vpn-drops",
            "KB-0002",
            "VPN drops every hour",
            "content/articles/kb-0002-vpn-drops.md",
        ),
    ]


def test_merged_branches_are_no_longer_pending(kb: KnowledgeBase) -> None:
    commit_drafts(kb, [draft_change()])
    run_git(["merge", "-q", "--no-ff", "-m", "merge", "kb/KB-0001-printer-offline"], kb.root)

    assert list_kb_branches(kb) == ["kb/KB-0001-printer-offline"]
    assert list(iter_branch_articles(kb)) == []
