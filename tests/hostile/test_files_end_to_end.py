"""Cases 36-41 and 43 through ``kbgen capture``, ``review approve`` and ``build``.

Hostile ids and titles, slug collisions, a symlink planted in docs_dir,
re-imports, a human edit after publishing, a ticket gone from the next export,
and a full disk. Every check reads the real KB on disk and its git history.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from .kbrun import FIXTURES, changed, git, kbgen, new_kb, snapshot

PATHS = FIXTURES / "paths" / "servicenow_paths.json"
PRIVACY = FIXTURES / "privacy"

EXPECTED_FILES = [
    "kb-0001-traversal-id.md",
    "kb-0002-absolute-id.md",
    "kb-0003-reserved-windows-name.md",
    "kb-0004-slash-in-id.md",
    "kb-0005-empty-title-the-first-sentence-should-become-the-title-here.md",
    "kb-0006-title-made-only-of-question-marks-and-nothing-else-at-all.md",
    "kb-0007.md",
    "kb-0008-outlook-crashes-on-start.md",
    "kb-0009-outlook-crashes-on-start.md",
    "kb-0010-outlook-crashes-on-start.md",
    "kb-0011-caf-printer-offline.md",
    "kb-0012-caf-printer-offline.md",
]


def files_outside_git(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def test_hostile_ids_and_titles_stay_inside_the_articles_folder(tmp_path: Path) -> None:
    """Cases 36 and 37: plain, short, distinct names; nothing written anywhere else."""
    kb = new_kb(tmp_path / "kb")
    before = files_outside_git(kb)
    result = kbgen("capture", PATHS, "--no-branch", "--kb", kb)
    assert result.exit_code == 0, result.output
    new = files_outside_git(kb) - before
    articles = sorted(n.removeprefix("content/articles/") for n in new if n.endswith(".md"))
    assert articles == EXPECTED_FILES
    assert all(len(name.encode()) <= 200 for name in articles)
    notes = {n for n in new if n.startswith("content/review-notes/")}
    assert notes == {f"content/review-notes/KB-{n:04d}.yml" for n in range(1, 13)}
    state = {".kbgen/tickets.sqlite", ".kbgen/lock"}
    written = new - notes - {f"content/articles/{a}" for a in articles}
    assert {n for n in written if not n.startswith(".kbgen/index/")} == state
    assert not (tmp_path / "etc").exists() and not (tmp_path / "kb" / "content" / "etc").exists()
    assert "  KB-0001  content/articles/kb-0001-traversal-id.md  (../../etc/passwd)" in (
        result.output.splitlines()
    )


def test_names_are_the_same_in_a_second_kb(tmp_path: Path) -> None:
    """Case 37: deterministic names across runs (same export, fresh KB)."""
    names = []
    for name in ("one", "two"):
        kb = new_kb(tmp_path / name)
        assert kbgen("capture", PATHS, "--no-branch", "--kb", kb).exit_code == 0
        names.append(sorted(p.name for p in (kb / "content" / "articles").glob("*.md")))
    assert names[0] == names[1] == EXPECTED_FILES


def test_a_symlink_planted_in_docs_dir_is_never_written_through(tmp_path: Path) -> None:
    """Case 38: a refusal naming the file; the target outside is untouched; nothing else written."""
    kb = new_kb(tmp_path / "kb")
    target = tmp_path / "outside.md"
    target.write_text("outside, not kbgen's\n", encoding="utf-8")
    link = kb / "content" / "articles" / "kb-0012-caf-printer-offline.md"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    before = snapshot(kb)
    result = kbgen("capture", PATHS, "--no-branch", "--kb", kb)
    assert (result.exit_code, result.output) == (
        1,
        "Error: refusing to write 'content/articles/kb-0012-caf-printer-offline.md': "
        f"{link} is a symbolic link; replace it with a real directory or file\n",
    )
    assert target.read_text(encoding="utf-8") == "outside, not kbgen's\n"
    assert [k for k in changed(before, snapshot(kb)) if k != ".kbgen/tickets.sqlite"] == []


def planted_link(tmp_path: Path) -> Path:
    """A KB whose docs_dir holds a link to a published-looking Markdown file outside the KB."""
    kb = new_kb(tmp_path / "kb")
    target = tmp_path / "secret.md"
    target.write_text(
        "---\nid: KB-0099\ntitle: Outside file\nsummary: s\nstatus: published\n---\n\n"
        "## Issue\n\nzanzibar outside secret\n",
        encoding="utf-8",
    )
    link = kb / "content" / "articles" / "kb-0099-outside.md"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    return kb


def test_a_symlinked_article_fails_the_check(tmp_path: Path) -> None:
    """Case 38 at the CI gate."""
    kb = planted_link(tmp_path)
    checked = kbgen("check", "--kb", kb)
    assert checked.exit_code == 1
    assert "content/articles/kb-0099-outside.md" in checked.output
    assert "symbolic link" in checked.output


def test_a_symlinked_article_is_never_published(tmp_path: Path) -> None:
    """Case 38 at build time: the build refuses or skips it; its text reaches no site file."""
    kb = planted_link(tmp_path)
    built = kbgen("build", "--kb", kb)
    assert built.exit_code == 1
    assert "content/articles/kb-0099-outside.md is a symbolic link; kbgen never publishes" in (
        built.output
    )
    site = kb / "site"
    leaked = [p for p in site.rglob("*") if p.is_file() and b"zanzibar" in p.read_bytes()]
    assert leaked == []


def test_recapture_of_the_same_export_changes_nothing(tmp_path: Path) -> None:
    """Case 39: same branches at the same commits, same files, empty git status."""
    kb = new_kb(tmp_path / "kb")
    exports = [PRIVACY / "jira_private.json", PRIVACY / "zendesk_private.json"]
    assert kbgen("capture", *exports, "--branch", "--kb", kb).exit_code == 0
    before = snapshot(kb)
    again = kbgen("capture", *exports, "--branch", "--kb", kb)
    assert again.exit_code == 0, again.output
    assert changed(before, snapshot(kb)) == []
    assert "Already captured: 2 tickets" in again.output
    assert git(kb, "status", "--porcelain") == ""


def test_a_human_edit_after_publishing_is_never_overwritten(tmp_path: Path) -> None:
    """Case 40: the reviewer's wording on main stays; the new evidence goes to a proposal."""
    kb = new_kb(tmp_path / "kb")
    export = tmp_path / "jira.json"
    export.write_text((PRIVACY / "jira_private.json").read_text(encoding="utf-8"), "utf-8")
    assert kbgen("capture", export, "--branch", "--kb", kb).exit_code == 0
    approved = kbgen("review", "approve", "--all", "--reviewer", "Ana Reviewer", "--kb", kb)
    assert approved.exit_code == 0, approved.output
    rel = "content/articles/kb-0001-shared-mailbox-sync-stalls-after-password-rotation.md"
    edited = (
        (kb / rel)
        .read_text(encoding="utf-8")
        .replace("restart Outlook", "restart Outlook (reviewer: also clear the OST file)")
    )
    (kb / rel).write_text(edited, encoding="utf-8")
    git(kb, "commit", "-q", "-am", "Reviewer wording")
    export.write_text(
        export.read_text(encoding="utf-8").replace(
            "sync resumes within a minute.", "sync resumes within a minute. Update to build 2402."
        ),
        encoding="utf-8",
    )
    again = kbgen("capture", export, "--branch", "--kb", kb)
    assert again.exit_code == 0, again.output
    assert (kb / rel).read_text(encoding="utf-8") == edited
    assert git(kb, "show", f"main:{rel}") == edited
    assert (
        "Kept 1 article edited by people (not overwritten):\n"
        f"  KB-0001  {rel}  proposal: content/review-notes/KB-0001.proposal.md\n"
    ) in again.output
    # The new evidence is a proposal on the article's review branch, never on main.
    branch = "kb/KB-0001-shared-mailbox-sync-stalls-after-password-rotation"
    assert git(kb, "log", "-1", "--format=%s", branch) == (
        "Propose update to KB-0001: Shared mailbox sync stalls after password rotation\n"
    )
    proposal = git(kb, "show", f"{branch}:content/review-notes/KB-0001.proposal.md")
    assert "Update to build 2402." in proposal
    assert "Update to build 2402." not in git(kb, "log", "-p", "--format=", "main")


def test_a_ticket_missing_from_the_next_export_keeps_its_page(tmp_path: Path) -> None:
    """Case 41: nothing is deleted when a later export no longer has the ticket."""
    kb = new_kb(tmp_path / "kb")
    both = [PRIVACY / "jira_private.json", PRIVACY / "zendesk_private.json"]
    assert kbgen("capture", *both, "--branch", "--kb", kb).exit_code == 0
    approved = kbgen("review", "approve", "--all", "--reviewer", "Ana Reviewer", "--kb", kb)
    assert approved.exit_code == 0
    before = snapshot(kb)
    again = kbgen("capture", both[0], "--branch", "--kb", kb)
    assert again.exit_code == 0, again.output
    # No stale marker exists yet anywhere (see docs/hostile-cases.md, case 41).
    assert changed(before, snapshot(kb)) == []
    assert (
        kb / "content/articles/kb-0002-badge-reader-rejects-my-card-at-the-side-entrance.md"
    ).is_file()


def test_a_full_disk_is_a_clear_error_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Case 43: exit 1 with 'Error: ...' naming the file, no temp files, nothing half-written."""
    kb = new_kb(tmp_path / "kb")
    before = snapshot(kb)

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    result = kbgen("capture", PRIVACY / "jira_private.json", "--no-branch", "--kb", kb)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "No space left on device" in result.output
    assert list(kb.rglob("*.tmp")) == []
    assert [k for k in changed(before, snapshot(kb)) if k != ".kbgen/tickets.sqlite"] == []
