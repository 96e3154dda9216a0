"""The whole review flow with real git: capture on a branch, push, check, merge by the reviewer, build.

A bare origin and two clones: Eve captures and submits, Rita reviews and
approves. Capture is the real ``kbgen capture`` on the Apache Jira sample.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import Team

from kbgen.cli import cli
from kbgen.kb import git_out, load_article, run_git

JIRA = "apache_jira_rest_search_LUCENE-1_to_10.json"
BRANCH = "kb/KB-0003-germanstemmer-crashes-while-indexing"
ARTICLE = "content/articles/kb-0003-germanstemmer-crashes-while-indexing.md"
PAGE = "kb-0003-germanstemmer-crashes-while-indexing/index.html"


def kbgen(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def build(root: Path) -> Path:
    from kbgen.kb import KnowledgeBase
    from kbgen.site.build import build_site

    site = root.parent / f"{root.name}-site"
    # git does not track empty folders: a fresh clone of a KB with no article on main has no
    # content/articles yet, which MkDocs refuses as docs_dir (reported to the init owner).
    (root / "content" / "articles").mkdir(parents=True, exist_ok=True)
    build_site(KnowledgeBase.open(root), site_dir=site, strict=True)
    return site


def capture(team: Team, datasets: Path) -> Result:
    return kbgen("capture", str(datasets / JIRA), "--kb", str(team.engineer.root))


@pytest.mark.slow
def test_capture_submit_check_approve_build(team: Team, datasets: Path) -> None:
    eng, rev = team.engineer.root, team.reviewer.root
    main_before = git_out(["rev-parse", "main"], eng)

    assert capture(team, datasets).exit_code == 0
    # Capture went onto branches in a separate worktree: the engineer's main is untouched.
    assert git_out(["rev-parse", "main"], eng) == main_before
    assert git_out(["status", "--porcelain"], eng) == ""
    assert git_out(["log", "-1", "--format=%B", BRANCH], eng) == (
        "Draft KB-0003: GermanStemmer crashes while indexing\n\nTicket: LUCENE-5"
    )

    submitted = kbgen("review", "submit", BRANCH, "--kb", str(eng))
    commit = git_out(["rev-parse", BRANCH], eng)
    assert submitted.output == (
        f"Pushed {BRANCH} ({commit[:7]}) to origin.\n"
        "No forge is configured (review.forge: none). Next:\n"
        f"  open a pull request for {BRANCH} on your git host, or approve it here with:\n"
        f"  kbgen review approve {BRANCH} --reviewer NAME\n"
    )

    # The reviewer's side: fetch, run the gate on the branch as CI would, see the site without it.
    team.be_reviewer()
    run_git(["fetch", "-q", "origin"], rev)
    ci = rev.parent / "ci-checkout"
    run_git(["worktree", "add", "-q", "--detach", str(ci), f"origin/{BRANCH}"], rev)
    checked = kbgen("check", "--kb", str(ci))
    assert (checked.exit_code, checked.output) == (0, "Checked 1 file: 0 errors, 0 warnings.\n")
    run_git(["worktree", "remove", "--force", str(ci)], rev)
    assert not (build(rev) / PAGE).exists()

    approved = kbgen("review", "approve", BRANCH, "--reviewer", "Rita Reviewer", "--kb", str(rev))

    merge = git_out(["rev-parse", "main"], rev)
    assert approved.output == (
        f"Published KB-0003: GermanStemmer crashes while indexing (merged {BRANCH}, "
        f"commit {merge[:7]}, reviewed by Rita Reviewer)\n"
    )
    assert git_out(["log", "-1", "--format=%an|%B", "main"], rev) == (
        f"Rita Reviewer|Merge {BRANCH}: Publish KB-0003: GermanStemmer crashes while indexing\n\n"
        "Reviewed-by: Rita Reviewer\n"
        "Checked: content/articles/kb-0003-germanstemmer-crashes-while-indexing.md\n"
        "Checked: content/review-notes/KB-0003.yml"
    )
    assert git_out(["log", "-1", "--format=%an", f"{merge}^2^"], rev) == "Eve Engineer"  # the draft
    assert git_out(["rev-parse", "origin/main"], rev) == merge  # approval pushed
    meta = load_article(rev / ARTICLE).meta
    assert (meta["status"], meta["reviewed_by"], meta["published_at"]) == (
        "published",
        "Rita Reviewer",
        "2026-11-25",
    )
    assert "GermanStemmer crashes while indexing" in (build(rev) / PAGE).read_text(encoding="utf-8")

    # The engineer pulls: the published article is there, the other drafts are still pending.
    team.be_engineer()
    run_git(["pull", "-q", "--ff-only", "origin", "main"], eng)
    assert (build(eng) / PAGE).exists()
    pending = kbgen("review", "list", "--kb", str(eng)).output.splitlines()
    assert [line.split("  ")[0] for line in pending] == [
        "KB-0001",
        "KB-0002",
        "KB-0004",
        "KB-0005",
        "KB-0006",
    ]


@pytest.mark.slow
def test_a_draft_merged_by_mistake_never_reaches_the_site(team: Team, datasets: Path) -> None:
    capture(team, datasets)
    eng = team.engineer.root
    run_git(["merge", "-q", "--no-ff", "-m", "oops", BRANCH], eng)

    assert load_article(eng / ARTICLE).status == "draft"
    assert not (build(eng) / PAGE).exists()


def test_a_concurrent_capture_ends_in_a_clear_message_with_nothing_lost(
    team: Team, datasets: Path
) -> None:
    with team.engineer.lock("kbgen capture"):
        result = capture(team, datasets)

    assert (result.exit_code, result.output) == (
        1,
        "Error: another kbgen run holds .kbgen/lock; wait for it to finish, then run 'kbgen capture' again\n",
    )
    assert git_out(["branch", "--list", "kb/*"], team.engineer.root) == ""
    assert capture(team, datasets).exit_code == 0
    assert len(git_out(["branch", "--list", "kb/*"], team.engineer.root).splitlines()) == 6


def test_a_stale_index_lock_ends_in_a_clear_message_with_nothing_lost(
    team: Team, datasets: Path
) -> None:
    eng = team.engineer.root
    lock = eng / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")

    result = capture(team, datasets)

    assert (result.exit_code, result.output) == (
        1,
        f"Error: git's lock file {lock} exists: another git command is running, or one crashed. "
        f"If no git command is running, delete {lock} and run 'kbgen capture' again; nothing was changed\n",
    )
    assert git_out(["branch", "--list", "kb/*"], eng) == ""
    lock.unlink()
    assert capture(team, datasets).exit_code == 0
    assert (
        git_out(["log", "-1", "--format=%s", BRANCH], eng)
        == "Draft KB-0003: GermanStemmer crashes while indexing"
    )


def test_a_rejected_push_keeps_the_local_branch_and_rerunning_is_safe(
    team: Team, datasets: Path
) -> None:
    eng, rev = team.engineer.root, team.reviewer.root
    capture(team, datasets)
    kbgen("review", "submit", BRANCH, "--kb", str(eng))
    # Someone else pushes a different commit to the same branch on origin.
    team.be_reviewer()
    run_git(["fetch", "-q", "origin"], rev)
    run_git(["checkout", "-q", "-b", BRANCH, f"origin/{BRANCH}"], rev)
    (rev / "content" / "review-notes" / "remark.txt").write_text(
        "reviewer note\n", encoding="utf-8"
    )
    run_git(["add", "-A"], rev)
    run_git(["commit", "-q", "-m", "Reviewer remark"], rev)
    run_git(["push", "-q", "origin", BRANCH], rev)
    # Eve amends her draft locally: her push is now a non-fast-forward.
    team.be_engineer()
    run_git(["worktree", "add", "-q", str(eng.parent / "wt"), BRANCH], eng)
    run_git(["commit", "-q", "--amend", "-m", "Draft KB-0003: amended"], eng.parent / "wt")
    run_git(["worktree", "remove", str(eng.parent / "wt")], eng)
    local = git_out(["rev-parse", BRANCH], eng)

    result = kbgen("review", "submit", BRANCH, "--kb", str(eng))

    assert (result.exit_code, result.output) == (
        1,
        f"Error: pushing {BRANCH} to origin was rejected ([rejected] (fetch first)). Your local branch "
        f"{BRANCH} is intact at {local[:7]}. Fetch and rebase it (git fetch origin && git rebase "
        f"origin/{BRANCH} {BRANCH}), then run 'kbgen review submit {BRANCH}' again\n",
    )
    assert git_out(["rev-parse", BRANCH], eng) == local
    assert git_out(["log", "-1", "--format=%s", BRANCH], eng) == "Draft KB-0003: amended"
