"""Reuse is review: linked tickets become an update branch that passes check and is approved."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import (
    KnowledgeBase,
    base_articles,
    git_out,
    init_kb,
    load_article,
    parse_article,
    run_git,
)
from kbgen.loop import evidence as evidence_module
from kbgen.loop.evidence import gather
from kbgen.loop.proposals import plan_proposals

from .fakes import ticket, write_kb_article

BRANCH = "kb/KB-0001-update-2026-11-25"
LINKED = [
    # New: a symptom and an environment the article does not mention.
    ticket("INC-7", "2026-10-01T09:00", "2026-10-01T10:00", outcome="linked", article_id="KB-0001",
           title="Outlook password prompt after Windows 11 upgrade",
           text="Outlook password prompt after Windows 11 upgrade\nThe prompt appears after every "
                "reboot on Windows 11 23H2 laptops with the new Teams client."),
    # Already said by the article: no new evidence.
    ticket("INC-8", "2026-10-02T09:00", "2026-10-02T10:00", outcome="linked", article_id="KB-0001",
           title="Outlook keeps asking for a password",
           text="Outlook keeps asking for a password\nThe password prompt loops."),
    ticket("INC-9", "2026-10-03T09:00", "2026-10-03T10:00", outcome="linked", article_id="KB-0001",
           title="Outlook keeps asking for a password", text="Outlook keeps asking for a password"),
]  # fmt: skip


def commit_all(root: Path, message: str) -> None:
    run_git(["add", "-A"], root)
    run_git(["commit", "-q", "-m", message], root)


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KnowledgeBase:
    kb = init_kb(tmp_path / "kb")
    (kb.root / "site_config" / "kbgen.yml").write_text(
        yaml.safe_dump({"loop": {"validate_after_links": 3}}), encoding="utf-8"
    )
    write_kb_article(
        kb.root, "KB-0001", "Outlook keeps asking for a password", "The password prompt loops.",
        tickets=["INC-1"], reviewed_by="Ana Reviewer", published_at="2026-01-10",
    )  # fmt: skip
    commit_all(kb.root, "Publish KB-0001")
    monkeypatch.setattr(evidence_module, "tickets_from_store", lambda kb: list(LINKED))
    return KnowledgeBase.open(kb.root)


def test_plan_finds_only_the_new_evidence(kb: KnowledgeBase) -> None:
    (proposal,) = plan_proposals(kb, gather(kb), base_articles(kb))
    assert proposal.evidence_tickets == ["INC-7"]
    assert proposal.changes == [
        "add evidence from 1 linked ticket: INC-7",
        "raise confidence not_validated -> validated (4 linked tickets, loop.validate_after_links is 3)",
    ]


def test_update_proposal_passes_check_and_goes_through_review(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["propose", "--kb", str(kb.root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"KB-0001 Outlook keeps asking for a password: committed to {BRANCH}",
        "  - add evidence from 1 linked ticket: INC-7",
        "  - raise confidence not_validated -> validated (4 linked tickets, loop.validate_after_links is 3)",
    ]
    # Nothing changed on main: the proposal waits on its branch.
    main_file = kb.root / "content" / "articles" / "kb-0001.md"
    assert load_article(main_file).meta["confidence"] == "not_validated"
    assert git_out(["log", "-1", "--format=%B", BRANCH], kb.root).splitlines() == [
        "Propose update to KB-0001: Outlook keeps asking for a password",
        "",
        "Ticket: INC-7",
    ]
    proposed = parse_article(
        git_out(["show", f"{BRANCH}:content/articles/kb-0001.md"], kb.root) + "\n"
    )
    assert proposed.meta["suggested_edit"] is True
    assert proposed.meta["tickets"] == ["INC-1", "INC-7"]
    assert proposed.meta["updated"] == "2026-11-25"
    assert proposed.body.endswith(
        "## New evidence from linked tickets\n\n"
        "*Suggested edit proposed by kbgen on 2026-11-25: fold what is new into the sections above, "
        "then delete this section.*\n\n"
        "- **INC-7**: Outlook password prompt after Windows 11 upgrade — The prompt appears after "
        "every reboot on Windows 11 23H2 laptops with the new Teams client.\n"
    )
    # kbgen check on the branch, in a work tree of its own.
    tree = tmp_path / "review-tree"
    run_git(["worktree", "add", "-q", str(tree), BRANCH], kb.root)
    checked = runner.invoke(cli, ["check", "--kb", str(tree)], catch_exceptions=False)
    run_git(["worktree", "remove", "--force", str(tree)], kb.root)
    assert checked.exit_code == 0, checked.output
    # Re-running proposes nothing new while the branch waits for review.
    again = runner.invoke(cli, ["propose", "--kb", str(kb.root)], catch_exceptions=False)
    assert again.output.splitlines()[0] == (
        f"KB-0001 Outlook keeps asking for a password: waiting for review on {BRANCH}"
    )
    approved = runner.invoke(
        cli,
        ["review", "approve", "KB-0001", "--reviewer", "Ben Reviewer", "--kb", str(kb.root)],
        catch_exceptions=False,
    )
    assert approved.exit_code == 0, approved.output
    assert approved.output.startswith(
        f"Published KB-0001: Outlook keeps asking for a password (merged {BRANCH}"
    )
    # The merge confirms the proposal: main now carries the evidence and the raised confidence.
    merged = load_article(main_file)
    assert merged.meta["confidence"] == "validated"
    assert "INC-7" in merged.meta["tickets"]
    assert "## New evidence from linked tickets" in merged.body
    assert (
        git_out(["log", "-1", "--format=%(trailers:key=Reviewed-by,valueonly)"], kb.root)
        == "Ben Reviewer"
    )
    # Merged evidence is not proposed again.
    after = runner.invoke(cli, ["propose", "--kb", str(kb.root)], catch_exceptions=False)
    assert after.output.splitlines() == [
        "No update proposals: linked tickets bring nothing new and no article is due a change."
    ]
    # New evidence the same day goes to a new branch, not onto the merged one.
    newer = ticket("INC-10", "2026-11-20T09:00", None, outcome="linked", article_id="KB-0001",
                   title="Password prompt on the VPN", text="Password prompt on the VPN\n"
                   "Happens only when connected through the GlobalProtect gateway in Berlin.")  # fmt: skip
    monkeypatch.setattr(evidence_module, "tickets_from_store", lambda kb: [*LINKED, newer])
    later = runner.invoke(cli, ["propose", "--kb", str(kb.root)], catch_exceptions=False)
    assert later.output.splitlines() == [
        f"KB-0001 Outlook keeps asking for a password: committed to {BRANCH}-2",
        "  - add evidence from 1 linked ticket: INC-10",
    ]


def test_dry_run_creates_no_branch(kb: KnowledgeBase) -> None:
    result = CliRunner().invoke(
        cli, ["propose", "--kb", str(kb.root), "--dry-run"], catch_exceptions=False
    )
    assert result.output.splitlines()[0] == (
        "KB-0001 Outlook keeps asking for a password: would go to a new update branch"
    )
    assert git_out(["branch", "--list", "kb/*"], kb.root) == ""


def test_unused_article_is_proposed_for_retirement(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kbgen.loop import proposals

    monkeypatch.setattr(evidence_module, "tickets_from_store", lambda kb: [])
    monkeypatch.setattr(proposals, "load_usage", lambda kb, since: ({"articles": []}, ""))
    kb.config.loop.retire_after_days = 180
    (proposal,) = proposals.propose_updates(kb, gather(kb), dry_run=True)
    assert proposal.changes == [
        "retire: no views and no linked tickets since 2026-05-29 (loop.retire_after_days is 180)"
    ]
    assert proposal.article is not None and proposal.article.meta["status"] == "retired"


def test_no_usage_data_never_retires(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evidence_module, "tickets_from_store", lambda kb: [])
    kb.config.loop.retire_after_days = 180
    result = CliRunner().invoke(
        cli, ["propose", "--kb", str(kb.root), "--dry-run"], catch_exceptions=False
    )
    assert result.output.splitlines() == [
        "No update proposals: linked tickets bring nothing new and no article is due a change."
    ]


def jira_export(path: Path, key: str, description: str, fix: str, created: str) -> Path:
    """A one-issue Jira REST search export."""
    import json

    issue = {
        "key": key,
        "fields": {
            "summary": "Outlook keeps asking for a password",
            "issuetype": {"name": "Incident"},
            "status": {"name": "Resolved"},
            "resolution": {"name": "Fixed"},
            "created": f"{created}T09:00:00.000+0000",
            "resolutiondate": f"{created}T11:00:00.000+0000",
            "description": description,
            "components": [{"name": "Email"}],
            "comment": {"total": 1, "maxResults": 1, "startAt": 0, "comments": [
                {"id": "1", "author": {"displayName": "Bob Example"}, "body": fix,
                 "created": f"{created}T11:00:00.000+0000"},
            ]},
        },
    }  # fmt: skip
    path.write_text(json.dumps({"startAt": 0, "maxResults": 50, "total": 1, "issues": [issue]}))
    return path


def test_capture_link_then_proposal_with_the_real_pipeline(tmp_path: Path) -> None:
    """Real capture, ticket store, review branches, check and approval: no fakes."""
    root = init_kb(tmp_path / "kb").root
    first = jira_export(
        tmp_path / "first.json", "SUP-1", "Outlook keeps asking for my password every few minutes.",
        "Cleared the cached credentials in Credential Manager and restarted Outlook.", "2026-01-05",
    )  # fmt: skip
    second = jira_export(
        tmp_path / "second.json", "SUP-2",
        "Outlook keeps asking for my password every few minutes after the Windows 11 upgrade.",
        "Cleared the cached credentials again.", "2026-03-05",
    )  # fmt: skip
    runner = CliRunner()

    def kbgen(*args: str) -> list[str]:
        result = runner.invoke(cli, [*args, "--kb", str(root)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output.splitlines()

    kbgen("capture", str(first), "--branch")
    kbgen("review", "approve", "--all", "--reviewer", "Ana Reviewer")
    assert "  SUP-2 -> KB-0001 (similarity 0.84)" in kbgen("capture", str(second), "--branch")
    assert kbgen("propose") == [
        f"KB-0001 Outlook keeps asking for a password: committed to {BRANCH}",
        "  - add evidence from 1 linked ticket: SUP-2",
    ]
    kbgen("review", "approve", BRANCH, "--reviewer", "Ben Reviewer")
    merged = load_article(
        root / "content" / "articles" / "kb-0001-outlook-keeps-asking-for-a-password.md"
    )
    assert merged.meta["suggested_edit"] is True
    assert merged.meta["tickets"] == ["SUP-1", "SUP-2"]
    assert merged.body.splitlines()[-1] == (
        "- **SUP-2**: Outlook keeps asking for a password — Outlook keeps asking for my password "
        "every few minutes after the Windows 11 upgrade."
    )
    kpis = kbgen("kpis")
    assert kpis[1:4] == [
        "tickets: 2 (2 resolved)",
        "link rate: 100.0% (2 of 2 resolved tickets linked)",
        "reuse vs creation: 1 linked to existing articles, 1 new articles",
    ]


def test_evidence_bullets_are_escaped_once() -> None:
    from kbgen.loop.proposals import evidence_section
    from kbgen.models import Article

    from .fakes import article_meta

    # The store holds kbgen Markdown: escaped punctuation, entities and fenced logs.
    stored = ticket("T-1", title="Crash in <init>", text="Crash in <init>\nCalling \\*close\\* on &lt;init&gt;:\n\n```text\nat Foo.bar(Foo.java:1)\n```")  # fmt: skip
    section = evidence_section(
        Article(meta=article_meta("KB-0001", "x"), body=""), [stored], "2026-11-25"
    )
    assert section.splitlines()[-1] == (
        "- **T-1**: Crash in &lt;init&gt; — Calling \\*close\\* on &lt;init&gt;: at Foo.bar(Foo.java:1)"
    )


def test_retire_proposal_passes_check_and_is_confirmed_by_the_merge(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kbgen.loop import proposals

    (kb.root / "site_config" / "kbgen.yml").write_text(
        yaml.safe_dump({"loop": {"retire_after_days": 180}}), encoding="utf-8"
    )
    monkeypatch.setattr(evidence_module, "tickets_from_store", lambda kb: [])
    monkeypatch.setattr(proposals, "load_usage", lambda kb, since: ({"articles": []}, ""))
    runner = CliRunner()
    result = runner.invoke(cli, ["propose", "--kb", str(kb.root)], catch_exceptions=False)
    assert result.output.splitlines() == [
        f"KB-0001 Outlook keeps asking for a password: committed to {BRANCH}",
        "  - retire: no views and no linked tickets since 2026-05-29 (loop.retire_after_days is 180)",
    ]
    tree = tmp_path / "review-tree"
    run_git(["worktree", "add", "-q", str(tree), BRANCH], kb.root)
    checked = runner.invoke(cli, ["check", "--kb", str(tree)], catch_exceptions=False)
    run_git(["worktree", "remove", "--force", str(tree)], kb.root)
    assert checked.exit_code == 0, checked.output
    main_file = kb.root / "content" / "articles" / "kb-0001.md"
    assert load_article(main_file).status == "published"  # nothing changes before the merge
    approved = runner.invoke(
        cli, ["review", "approve", BRANCH, "--reviewer", "Ben Reviewer", "--kb", str(kb.root)],
        catch_exceptions=False,
    )  # fmt: skip
    assert approved.exit_code == 0, approved.output
    assert load_article(main_file).status == "retired"
