"""kbgen review approve: check, publish in front-matter, --no-ff merge with a Reviewed-by trailer."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from review_helpers import BODY_EN, article_text, as_person, commit_on_main, draft_change

from kbgen.cli import cli
from kbgen.kb import (
    KnowledgeBase,
    commit_drafts,
    content_digest,
    git_out,
    load_article,
)

ARTICLE = "content/articles/kb-0001-printer-offline.md"
BRANCH = "kb/KB-0001-printer-offline"


def approve(kb: KnowledgeBase, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["review", "approve", "--kb", str(kb.root), *args], catch_exceptions=False
    )


def test_approving_a_branch_publishes_and_merges_with_a_trailer(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit_drafts(kb, [draft_change(confidence="wip")])
    as_person(monkeypatch, "Rita Reviewer", "rita@example.test")

    result = approve(kb, "kb/KB-0001-printer-offline", "--reviewer", "Rita Reviewer")

    merge = git_out(["rev-parse", "main"], kb.root)
    assert (result.exit_code, result.output) == (
        0,
        "Published KB-0001: Printer shows offline after the spooler update "
        f"(merged kb/KB-0001-printer-offline, commit {merge[:7]}, reviewed by Rita Reviewer)\n",
    )
    assert git_out(["log", "-1", "--format=%B", "main"], kb.root) == (
        "Merge kb/KB-0001-printer-offline: Publish KB-0001: Printer shows offline after the spooler update"
        "\n\nReviewed-by: Rita Reviewer\nChecked: content/articles/kb-0001-printer-offline.md"
    )
    assert len(git_out(["log", "-1", "--format=%P", "main"], kb.root).split()) == 2  # --no-ff
    assert git_out(["log", "-1", "--format=%an", "main"], kb.root) == "Rita Reviewer"
    meta = load_article(kb.root / ARTICLE).meta  # main is checked out: the work tree follows
    assert {
        k: meta[k] for k in ("status", "confidence", "reviewed_by", "published_at", "updated")
    } == {
        "status": "published",
        "confidence": "not_validated",
        "reviewed_by": "Rita Reviewer",
        "published_at": "2026-11-25",
        "updated": "2026-11-25",
    }
    assert meta["approved_sha256"] == content_digest(load_article(kb.root / ARTICLE))
    assert git_out(["status", "--porcelain"], kb.root) == ""


def test_approving_by_id_and_all(kb: KnowledgeBase) -> None:
    commit_drafts(
        kb, [draft_change(), draft_change("KB-0002", "vpn", title="VPN drops every hour")]
    )
    commit_on_main(
        kb.root,
        {"content/articles/kb-0003.md": article_text("KB-0003", "Mail is slow")},
        "Draft on main",
    )

    first = approve(kb, "KB-0002", "--reviewer", "Rita")
    rest = approve(kb, "--all", "--reviewer", "Rita")

    assert first.output.startswith(
        "Published KB-0002: VPN drops every hour (merged kb/KB-0002-vpn, commit "
    )
    assert [line.split(" (")[0] for line in rest.output.splitlines()] == [
        "Published KB-0001: Printer shows offline after the spooler update",
        "Published KB-0003: Mail is slow",
    ]
    assert "on main, commit" in rest.output.splitlines()[1]
    assert (
        git_out(["log", "-1", "--format=%B", "main"], kb.root)
        == "Publish KB-0003: Mail is slow\n\nReviewed-by: Rita\nChecked: content/articles/kb-0003.md"
    )
    assert (
        approve(kb, "--all", "--reviewer", "Rita").output
        == "Nothing to approve: no pending drafts.\n"
    )


def test_a_draft_still_waiting_for_its_resolution_cannot_be_published(kb: KnowledgeBase) -> None:
    body = BODY_EN.split("## Resolution")[0] + (
        '## Resolution\n\n!!! warning "Resolution needed"\n\n    The source tickets have no public resolution.\n'
    )
    commit_drafts(kb, [draft_change(confidence="wip", body=body)])
    before = git_out(["rev-parse", "main"], kb.root)

    result = approve(kb, "KB-0001", "--reviewer", "Rita")

    assert (result.exit_code, result.output) == (
        1,
        f"Error: {BRANCH} cannot be approved; nothing was changed:\n"
        f"{ARTICLE}: cannot publish a draft with no resolution: the "
        '"Resolution needed" marker is still in the article. Write the missing text, remove the marker, '
        "commit, then approve again\n",
    )
    assert git_out(["rev-parse", "main"], kb.root) == before
    assert git_out(["log", "-1", "--format=%s", "kb/KB-0001-printer-offline"], kb.root).startswith(
        "Draft KB-0001"
    )


def test_a_draft_that_fails_the_check_is_not_approved(kb: KnowledgeBase) -> None:
    commit_drafts(kb, [draft_change(body=BODY_EN + "\n<script>alert(1)</script>\n")])
    before = git_out(["rev-parse", "main"], kb.root)

    result = approve(kb, "kb/KB-0001-printer-offline", "--reviewer", "Rita")

    assert (result.exit_code, result.output) == (
        1,
        f"Error: {BRANCH} cannot be approved; nothing was changed:\n"
        f"{ARTICLE}: line 31: [raw-html] raw HTML '<script>alert(1)</script>' would be published; "
        "write Markdown, or escape < as &lt;\n",
    )
    assert git_out(["rev-parse", "main"], kb.root) == before


def test_uncommitted_edits_to_the_same_file_are_never_overwritten(kb: KnowledgeBase) -> None:
    commit_drafts(kb, [draft_change()])
    mine = kb.root / ARTICLE
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_text("my unsaved edit\n", encoding="utf-8")

    result = approve(kb, "KB-0001", "--reviewer", "Rita")

    assert (result.exit_code, result.output) == (
        1,
        f"Error: {ARTICLE} has uncommitted changes in {kb.root}; commit or stash them, "
        "then approve again (nothing was merged)\n",
    )
    assert mine.read_text(encoding="utf-8") == "my unsaved edit\n"


def test_a_stale_index_lock_stops_approval_with_nothing_changed(kb: KnowledgeBase) -> None:
    commit_drafts(kb, [draft_change()])
    lock = kb.root / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")
    before = git_out(["rev-parse", "main"], kb.root)

    result = approve(kb, "--all", "--reviewer", "Rita")

    assert (result.exit_code, result.output) == (
        1,
        f"Error: git's lock file {lock} exists: another git command is running, or one crashed. "
        f"If no git command is running, delete {lock} and run 'kbgen review approve' again; nothing was changed\n",
    )
    assert git_out(["rev-parse", "main"], kb.root) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--reviewer", "Rita"],
            "Error: say what to approve: a BRANCH, one or more article IDs, or --all (exactly one)\n",
        ),
        (
            ["KB-0009", "--reviewer", "Rita"],
            "Error: KB-0009: no pending draft with this id (not on an unmerged kb/ branch, and nothing waiting for approval on main); see: kbgen review list\n",
        ),
        (
            ["kb/nope", "--reviewer", "Rita"],
            "Error: branch 'kb/nope' does not exist here; fetch it (git fetch) or see: kbgen review list\n",
        ),
        (
            ["KB-0001", "--reviewer", "<script>"],
            "Error: --reviewer must be a name on one line, without < or >\n",
        ),
    ],
)
def test_unclear_requests_fail_with_a_hint(
    kb: KnowledgeBase, args: list[str], message: str
) -> None:
    result = approve(kb, *args)
    assert (result.exit_code, result.output) == (1, message)


def test_a_merge_conflict_leaves_main_unchanged(kb: KnowledgeBase) -> None:
    commit_drafts(kb, [draft_change()])
    commit_on_main(kb.root, {ARTICLE: article_text(title="Someone else's article")}, "Same path")
    before = git_out(["rev-parse", "main"], kb.root)

    result = approve(kb, BRANCH, "--reviewer", "Rita")

    assert (result.exit_code, result.output) == (
        1,
        f"Error: merging {BRANCH} into main conflicts (Automatic merge failed; fix conflicts and then "
        f"commit the result.); main is unchanged. Rebase the branch (git rebase main {BRANCH}), "
        "then approve again\n",
    )
    assert git_out(["rev-parse", "main"], kb.root) == before
    assert git_out(["status", "--porcelain"], kb.root) == ""


def test_approve_all_leaves_drafts_it_cannot_publish_pending_and_says_why(
    kb: KnowledgeBase,
) -> None:
    marker = '## Resolution\n\n!!! warning "Resolution needed"\n\n    Write the fix here.\n'
    commit_drafts(
        kb,
        [
            draft_change(),
            draft_change(
                "KB-0002", "vpn", title="VPN", body=BODY_EN.split("## Resolution")[0] + marker
            ),
        ],
    )
    commit_on_main(
        kb.root,
        {
            "content/articles/c.md": article_text("KB-0003", "Mail is slow"),
            "content/articles/d.md": article_text("KB-0004", "Bad", body=BODY_EN + "\n<b>x</b>\n"),
        },
    )

    result = approve(kb, "--all", "--reviewer", "Rita")

    lines = result.output.splitlines()
    assert result.exit_code == 0
    assert [line.split(" (")[0] for line in lines] == [
        "Published KB-0001: Printer shows offline after the spooler update",
        "Skipped KB-0002",
        "Published KB-0003: Mail is slow",
        "Skipped KB-0004",
    ]
    assert lines[1] == (
        "Skipped KB-0002 (content/articles/kb-0002-vpn.md): cannot publish a draft with no resolution: "
        'the "Resolution needed" marker is still in the article. Write the missing text, remove the '
        "marker, commit, then approve again"
    )
    assert lines[3] == (
        "Skipped KB-0004 (content/articles/d.md): line 31: [raw-html] raw HTML '<b>' would be published; "
        "write Markdown, or escape < as &lt;; line 31: [raw-html] raw HTML '</b>' would be published; "
        "write Markdown, or escape < as &lt;"
    )
    assert load_article(kb.articles_dir / "d.md").status == "draft"
    assert git_out(["status", "--porcelain"], kb.root) == ""
