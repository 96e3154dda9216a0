"""capture_tickets with fake stages: what is drafted, merged, linked, skipped, and never overwritten."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from kbgen.drafting import capture as capture_module
from kbgen.drafting.capture import CaptureOptions, capture_tickets
from kbgen.kb import KnowledgeBase, git_out, load_article, run_git

from .conftest import article_files
from .fakes import FakeBranches, FakeHit, FakeStore, fake_stages, ticket

NO_BRANCH = CaptureOptions(branch=False)


def run(kb: KnowledgeBase, tickets: list, **kwargs) -> capture_module.CaptureReport:
    stages = fake_stages({"export.json": tickets}, **kwargs)
    return capture_tickets(kb, [Path("export.json")], NO_BRANCH, stages=stages)


def commit_all(kb: KnowledgeBase) -> None:
    run_git(["add", "-A"], kb.root)
    run_git(["commit", "-q", "-m", "drafts"], kb.root)


def test_drafts_one_article_per_ticket_with_notes(kb: KnowledgeBase) -> None:
    store = FakeStore()
    report = run(
        kb,
        [
            ticket(
                "T-1",
                people=["Ann Reporter"],
                problem="Ann Reporter says: mail ann@corp.example fails",
            )
        ],
        store=store,
    )

    assert report.to_json()["created"] == [
        {
            "id": "KB-0001",
            "path": "content/articles/kb-0001-printer-offline-after-update.md",
            "tickets": ["T-1"],
        }
    ]
    text = (kb.root / "content/articles/kb-0001-printer-offline-after-update.md").read_text()
    assert text == (
        "---\n"
        "id: KB-0001\n"
        "title: Printer offline after update\n"
        "summary: '[name] says: mail [email] fails'\n"
        "status: draft\n"
        "confidence: not_validated\n"
        "type: troubleshooting\n"
        "language: en\n"
        "category: General\n"
        "tags: []\n"
        "tickets:\n"
        "- T-1\n"
        "created: '2026-11-25'\n"
        "updated: '2026-11-25'\n"
        "---\n"
        "\n"
        "## Issue\n"
        "\n"
        "\\[name\\] says: mail \\[email\\] fails\n"
        "\n"
        "## Resolution\n"
        "\n"
        "Reinstall the driver 4.2 and restart the spooler.\n"
    )
    notes = yaml.safe_load((kb.notes_dir / "KB-0001.yml").read_text())
    assert notes["sources"] == [{"ticket": "T-1", "source": "memory", "via": "drafted"}]
    assert notes["redactions"] == {"email": 1, "name": 1}
    # The store gets redacted text only.
    assert store.records == [
        {
            "ticket": "T-1",
            "outcome": "drafted",
            "article_id": "KB-0001",
            "reason": None,
            "similarity": None,
            "title": "Printer offline after update",
            "problem": "\\[name\\] says: mail \\[email\\] fails",
        }
    ]


def test_every_skip_has_a_reason(kb: KnowledgeBase) -> None:
    report = run(
        kb,
        [
            ticket("T-1", resolution_status="Won't Fix"),
            ticket("T-2", resolution_status="", status="Open"),
            ticket("T-3", title="", problem="", resolution="", resolution_status="Fixed"),
            ticket(
                "T-4", resolution_status="Duplicate", problem="Something unlike anything else here"
            ),
            ticket("T-5", resolution_status="Cannot Reproduce"),
        ],
    )
    assert report.skipped == [
        {"ticket": "T-1", "reason": "resolution is Won't Fix"},
        {"ticket": "T-2", "reason": "ticket is still open (status Open)"},
        {"ticket": "T-3", "reason": "no text to draft from"},
        {"ticket": "T-5", "reason": "resolution is Cannot Reproduce"},
        {"ticket": "T-4", "reason": "resolution is Duplicate"},
    ]
    assert report.created == []
    assert article_files(kb) == {}


def test_no_public_resolution_is_wip_with_visible_marker(kb: KnowledgeBase) -> None:
    run(kb, [ticket("T-1", resolution="", comments=[("resolver", "Thanks, we are checking.")])])
    article = load_article(next(kb.articles_dir.glob("*.md")))
    assert article.meta["confidence"] == "wip"
    assert '!!! warning "Resolution needed"' in article.body
    assert "we are checking" not in article.body


def test_no_resolution_skip_policy(kb: KnowledgeBase) -> None:
    (kb.site_config_dir / "kbgen.yml").write_text("capture:\n  no_resolution: skip\n")
    kb = KnowledgeBase.open(kb.root)
    report = run(kb, [ticket("T-1", resolution="")])
    assert report.skipped == [{"ticket": "T-1", "reason": "no public resolution"}]


def test_similar_tickets_in_one_batch_become_one_draft(kb: KnowledgeBase) -> None:
    text = (
        "Prefix queries cannot be case insensitive when the analyzer lowercases terms in the index"
    )
    report = run(
        kb,
        [
            ticket(
                "T-2",
                title="Prefix Queries cannot be case insensitible",
                problem=text,
                resolution_status="Duplicate",
            ),
            ticket("T-3", title="Prefix Queries cannot be case insensitive", problem=text),
            ticket("T-4", title="Prefix Queries cannot be case insensitive", problem=text),
        ],
    )
    assert [c["tickets"] for c in report.created] == [["T-3", "T-4", "T-2"]]
    assert [(m["ticket"], m["id"]) for m in report.merged] == [
        ("T-4", "KB-0001"),
        ("T-2", "KB-0001"),
    ]
    assert report.merged[0]["similarity"] == 1.0
    assert report.merged[1]["similarity"] >= 0.8
    assert report.skipped == []


def test_link_to_existing_article_instead_of_drafting(kb: KnowledgeBase) -> None:
    run(kb, [ticket("T-1")])
    commit_all(kb)
    hits = {"VPN drops": [FakeHit("KB-0001", "Printer offline after update", "x", 0.91)]}
    report = run(
        kb, [ticket("T-9", title="VPN drops", problem="VPN drops every hour")], similar=hits
    )

    assert report.linked == [{"id": "KB-0001", "ticket": "T-9", "similarity": 0.91}]
    assert report.created == []
    article = load_article(next(kb.articles_dir.glob("*.md")))
    assert article.tickets == ["T-1", "T-9"]
    notes = yaml.safe_load((kb.notes_dir / "KB-0001.yml").read_text())
    assert notes["sources"][1] == {
        "ticket": "T-9",
        "source": "memory",
        "via": "linked",
        "similarity": 0.91,
    }
    # Below the threshold: a new draft.
    low = {"Mail": [FakeHit("KB-0001", "t", "x", 0.2)]}
    report = run(kb, [ticket("T-10", title="Mail bounces", problem="Mail bounces")], similar=low)
    assert [c["id"] for c in report.created] == ["KB-0002"]


def test_recapture_changes_nothing(kb: KnowledgeBase) -> None:
    tickets = [
        ticket("T-1"),
        ticket("T-2", title="Mail bounces", problem="Mail bounces at night", resolution=""),
    ]
    run(kb, tickets)
    commit_all(kb)
    before = article_files(kb)
    report = run(kb, tickets)
    assert article_files(kb) == before
    assert git_out(["status", "--porcelain"], kb.root) == ""
    assert report.to_json()["created"] == [] and report.already_captured == 2
    assert report.summary_lines() == [
        "Read 2 tickets from 1 source.",
        "Drafted 0 articles: 0 with a resolution, 0 marked 'resolution needed'.",
        "Linked 0 tickets to existing articles.",
        "Already captured: 2 tickets (their articles appear above only if they changed).",
        "Skipped 0 tickets.",
    ]


def test_human_edit_survives_and_new_evidence_becomes_a_proposal(kb: KnowledgeBase) -> None:
    run(kb, [ticket("T-1")])
    path = next(kb.articles_dir.glob("*.md"))
    edited = path.read_text().replace(
        "Reinstall the driver", "Reviewer: reinstall the signed driver"
    )
    path.write_text(edited)

    # Same evidence: nothing to say, nothing written.
    report = run(kb, [ticket("T-1")])
    assert path.read_text() == edited and report.edited == []

    # New evidence: the edit stays, the new draft goes to a proposal outside docs_dir.
    report = run(kb, [ticket("T-1", resolution="Roll back to driver 4.1.")])
    assert path.read_text() == edited
    assert report.edited == [
        {
            "id": "KB-0001",
            "path": kb.relpath(path),
            "tickets": ["T-1"],
            "proposal": "content/review-notes/KB-0001.proposal.md",
        }
    ]
    proposal = (kb.notes_dir / "KB-0001.proposal.md").read_text()
    assert "Roll back to driver 4.1." in proposal
    lines = report.summary_lines()
    assert "Kept 1 article edited by people (not overwritten):" in lines
    assert (
        f"  KB-0001  {kb.relpath(path)}  proposal: content/review-notes/KB-0001.proposal.md"
        in lines
    )
    # And again: same proposal bytes, the edit still untouched.
    before = article_files(kb)
    run(kb, [ticket("T-1", resolution="Roll back to driver 4.1.")])
    assert article_files(kb) == before


def test_untouched_draft_is_updated_from_new_evidence(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(kb, [ticket("T-1")])
    monkeypatch.setenv("KBGEN_TODAY", "2026-12-01")
    report = run(kb, [ticket("T-1", resolution="Roll back to driver 4.1.")])
    assert [u["id"] for u in report.updated] == ["KB-0001"]
    article = load_article(next(kb.articles_dir.glob("*.md")))
    assert "Roll back to driver 4.1." in article.body
    assert (article.meta["created"], article.meta["updated"]) == ("2026-11-25", "2026-12-01")


def test_ids_skip_those_on_pending_branches(kb: KnowledgeBase) -> None:
    run_git(["branch", "kb/KB-0007-other-draft"], kb.root)
    report = run(kb, [ticket("T-1")])
    assert [c["id"] for c in report.created] == ["KB-0008"]


def test_ticket_on_a_pending_branch_is_not_drafted_again(kb: KnowledgeBase) -> None:
    run(kb, [ticket("T-1")])
    run_git(["checkout", "-q", "-b", "kb/KB-0001-printer-offline-after-update"], kb.root)
    commit_all(kb)
    run_git(["checkout", "-q", "main"], kb.root)
    assert article_files(kb) == {}
    report = run(kb, [ticket("T-1"), ticket("T-2", title="Mail bounces", problem="Mail bounces")])
    assert [c["id"] for c in report.created] == ["KB-0002"]
    assert report.already_captured == 1


def test_branch_mode_hands_files_to_commit_drafts(kb: KnowledgeBase) -> None:
    branches = FakeBranches()
    stages = fake_stages({"export.json": [ticket("T-1")]}, branches=branches)
    report = capture_tickets(kb, [Path("export.json")], CaptureOptions(branch=True), stages=stages)
    ((changes, batch),) = branches.calls
    assert batch is None
    assert [(c.article_id, c.slug, c.kind, c.tickets, sorted(c.files)) for c in changes] == [
        (
            "KB-0001",
            "printer-offline-after-update",
            "new",
            ["T-1"],
            [
                "content/articles/kb-0001-printer-offline-after-update.md",
                "content/review-notes/KB-0001.yml",
            ],
        )
    ]
    assert report.branches == [{"branch": "kb/KB-0001-printer-offline-after-update"}]
    assert article_files(kb) == {}  # the work tree is untouched


def test_crash_mid_batch_leaves_every_file_old_or_new(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    tickets = [
        ticket(
            f"T-{n}", title=f"Problem number {n} word{n}", problem=f"Distinct text {n} " * (n + 3)
        )
        for n in range(1, 6)
    ]
    run(kb, tickets[:2])
    old = article_files(kb)
    from kbgen.drafting import writing

    real_write = writing.atomic_write
    calls = {"n": 0}

    def flaky(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(writing, "atomic_write", flaky)
    with pytest.raises(OSError):
        run(kb, [ticket("T-1", resolution="New fix"), *tickets[1:]])
    monkeypatch.setattr(writing, "atomic_write", real_write)
    after = article_files(kb)
    report = run(kb, [ticket("T-1", resolution="New fix"), *tickets[1:]])
    final = article_files(kb)
    for rel, data in after.items():
        assert data in (old.get(rel), final.get(rel)), rel
    assert not [p for p in kb.root.rglob("*.tmp")]
    assert len(final) == 10 and report.created


def test_store_records_every_ticket(kb: KnowledgeBase) -> None:
    store = FakeStore()
    run(kb, [ticket("T-1"), ticket("T-2", resolution_status="Won't Fix")], store=store)
    assert [(r["ticket"], r["outcome"], r["reason"]) for r in store.records] == [
        ("T-1", "drafted", None),
        ("T-2", "skipped", "resolution is Won't Fix"),
    ]


def test_symlinked_articles_dir_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    from kbgen.exceptions import UnsafePathError

    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(kb.articles_dir, ignore_errors=True)
    os.symlink(outside, kb.articles_dir)
    with pytest.raises(UnsafePathError, match="is a symbolic link"):
        run(kb, [ticket("T-1")])
    assert list(outside.iterdir()) == []


def test_branch_mode_with_the_real_review_branches(kb: KnowledgeBase) -> None:
    """One draft per kb/<id>-<slug> branch; main and the work tree stay untouched; re-run is a no-op."""
    from kbgen.kb import commit_drafts

    stages = fake_stages({"export.json": [ticket("T-1")]})
    stages.commit_drafts = commit_drafts
    main_before = git_out(["rev-parse", "main"], kb.root)
    report = capture_tickets(kb, [Path("export.json")], CaptureOptions(branch=True), stages=stages)

    assert [b["branch"] for b in report.branches] == ["kb/KB-0001-printer-offline-after-update"]
    assert git_out(["rev-parse", "main"], kb.root) == main_before
    assert git_out(["status", "--porcelain"], kb.root) == ""
    files = git_out(
        [
            "ls-tree",
            "-r",
            "--name-only",
            "kb/KB-0001-printer-offline-after-update",
            "content/articles",
            "content/review-notes",
        ],
        kb.root,
    )
    assert [f for f in files.splitlines() if not f.endswith(".gitkeep")] == [
        "content/articles/kb-0001-printer-offline-after-update.md",
        "content/review-notes/KB-0001.yml",
    ]
    log = git_out(["log", "-1", "--format=%B", "kb/KB-0001-printer-offline-after-update"], kb.root)
    assert "Ticket: T-1" in log

    again = capture_tickets(kb, [Path("export.json")], CaptureOptions(branch=True), stages=stages)
    assert again.created == [] and again.branches == [] and again.already_captured == 1
    second = fake_stages(
        {"export.json": [ticket("T-2", title="Mail bounces", problem="Mail bounces")]}
    )
    second.commit_drafts = commit_drafts
    third = capture_tickets(kb, [Path("export.json")], CaptureOptions(branch=True), stages=second)
    assert [c["id"] for c in third.created] == ["KB-0002"]


def test_link_into_front_matter_that_no_longer_validates_is_refused(kb: KnowledgeBase) -> None:
    run(kb, [ticket("T-1")])
    path = next(kb.articles_dir.glob("*.md"))
    path.write_text(
        path.read_text().replace("status: draft\n", "status: draft\nreporter_email: x\n")
    )
    before = path.read_bytes()
    hits = {"VPN": [FakeHit("KB-0001", "t", "x", 0.9)]}
    report = run(kb, [ticket("T-9", title="VPN drops", problem="VPN drops")], similar=hits)
    assert path.read_bytes() == before
    assert report.warnings == [
        f"{kb.relpath(path)}: draft front-matter '(front-matter)' is invalid: Additional properties "
        "are not allowed ('reporter_email' was unexpected); tickets T-9 not linked"
    ]


def test_bad_id_prefix_is_a_config_error(kb: KnowledgeBase) -> None:
    from kbgen.exceptions import ConfigError

    (kb.site_config_dir / "kbgen.yml").write_text("kb:\n  id_prefix: ../x\n")
    with pytest.raises(ConfigError) as err:
        run(KnowledgeBase.open(kb.root), [ticket("T-1")])
    assert err.value.message == (
        "kb.id_prefix '../x' must be 1-10 capital letters or digits, starting with a letter "
        "(e.g. KB); fix site_config/kbgen.yml"
    )


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("../../x", "content/articles/kb-0001-x.md"),
        ("CON", "content/articles/kb-0001-con.md"),
        ("a\x00b/../../etc/passwd", "content/articles/kb-0001-ab-etc-passwd.md"),
        ("中" * 300, "content/articles/kb-0001.md"),
    ],
)
def test_hostile_titles_stay_inside_articles(kb: KnowledgeBase, title: str, expected: str) -> None:
    def files() -> set[str]:
        return {
            p.relative_to(kb.root.parent).as_posix()
            for p in kb.root.parent.rglob("*")
            if p.is_file() and ".git" not in p.parts and ".kbgen" not in p.parts
        }

    before = files()
    report = run(kb, [ticket("T-1", title=title)])
    assert [c["path"] for c in report.created] == [expected]
    assert files() - before == {f"kb/{expected}", "kb/content/review-notes/KB-0001.yml"}


def test_chinese_ticket_uses_the_incident_headings(kb: KnowledgeBase) -> None:
    report = run(
        kb,
        [
            ticket(
                "SGCC-1",
                title="协同办公系统多个domino节点告警",
                problem="6月6日15:10，协同办公系统多个domino节点告警。",
                cause="节点内存溢出。",
                resolution="重启domino服务后恢复正常。",
                language="zh",
                category="运行异常",
            )
        ],
    )
    (created,) = report.created
    article = load_article(kb.root / created["path"])
    assert created["path"] == "content/articles/kb-0001.md"
    assert (article.language, article.category) == ("zh", "信息系统运行异常")
    assert article.body == (
        "## 问题现象\n\n6月6日15:10，协同办公系统多个domino节点告警。\n\n"
        "## 原因分析\n\n节点内存溢出。\n\n"
        "## 处理过程\n\n重启domino服务后恢复正常。\n"
    )


def test_main_counts_when_another_branch_is_checked_out(kb: KnowledgeBase) -> None:
    run(kb, [ticket("T-1")])
    commit_all(kb)
    run_git(["checkout", "-q", "-b", "elsewhere", "HEAD~1"], kb.root)
    report = run(kb, [ticket("T-1"), ticket("T-2", title="Mail bounces", problem="Mail bounces")])
    assert [c["id"] for c in report.created] == ["KB-0002"]
    assert report.already_captured == 1


def test_a_second_run_fails_fast_while_one_holds_the_lock(kb: KnowledgeBase) -> None:
    from kbgen.exceptions import LockedError

    with kb.lock("another run"), pytest.raises(LockedError) as err:
        run(kb, [ticket("T-1")])
    assert err.value.message == (
        "another kbgen run holds .kbgen/lock; wait for it to finish, then run 'kbgen capture' again"
    )
    assert article_files(kb) == {}


def test_branches_by_default_only_when_the_kb_has_a_remote(kb: KnowledgeBase) -> None:
    from kbgen.drafting.capture import use_branches

    assert use_branches(kb, CaptureOptions()) is False
    run_git(["remote", "add", "origin", str(kb.root)], kb.root)
    assert use_branches(kb, CaptureOptions()) is True
    assert use_branches(kb, CaptureOptions(branch=False)) is False
    assert use_branches(kb, CaptureOptions(branch=False, batch_branch="kb/import")) is True
    (kb.site_config_dir / "kbgen.yml").write_text("capture:\n  branch: false\n")
    assert use_branches(KnowledgeBase.open(kb.root), CaptureOptions()) is False


def test_unusable_ticket_ids_are_skipped_not_fatal(kb: KnowledgeBase) -> None:
    report = run(kb, [ticket("X" * 81), ticket("a\nb"), ticket("T-1")])
    reason = "ticket id is empty, longer than 80 characters or has control characters"
    assert report.skipped == [
        {"ticket": "X" * 81, "reason": reason},
        {"ticket": "a\nb", "reason": reason},
    ]
    assert [c["tickets"] for c in report.created] == [["T-1"]]


def test_bad_records_of_the_source_are_listed(kb: KnowledgeBase) -> None:
    from kbgen.sources.report import BadRecord

    stages = fake_stages({"export.json": [ticket("T-1")]})
    real_read = stages.read_tickets

    def read(path: Path, **kwargs: object):
        stream = real_read(path, **kwargs)
        stream.report.bad_records.append(BadRecord("line 12", "status", "not a known status"))
        return stream

    stages.read_tickets = read
    report = capture_tickets(kb, [Path("export.json")], NO_BRANCH, stages=stages)
    assert report.summary_lines()[:3] == [
        "Read 1 ticket from 1 source.",
        "Bad records left out of export.json: 1",
        "  line 12, field 'status': not a known status",
    ]
