"""An imperfect Jira export end to end: every ticket is drafted, flagged or listed with a reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import init_kb


def _issue(n: int, *, present: int, total: int, security: bool = False) -> dict[str, Any]:
    comments = [
        {"body": f"Step {i}: reinstall the VPN client 5.2.{n} and reboot.", "author": {"name": "agent"},
         "created": "2024-03-01T09:00:00.000+0000"}
        for i in range(present)
    ]  # fmt: skip
    fields: dict[str, Any] = {
        "summary": f"VPN disconnects every {n + 2} minutes on site {n}",
        "description": f"Since the update the tunnel to site {n} drops with error 80{n}.",
        "status": {"name": "Done"},
        "resolution": {"name": "Fixed"},
        "resolutiondate": "2024-03-02T10:00:00.000+0000",
        "created": "2024-03-01T08:00:00.000+0000",
        "assignee": {"name": "agent"},
        "comment": {"startAt": 0, "maxResults": present, "total": total, "comments": comments},
    }
    if security:
        fields["security"] = {"name": "Staff only"}
    return {"key": f"SD-{n}", "fields": fields}


def _export(tmp_path: Path) -> Path:
    issues = [
        _issue(1, present=2, total=2),
        _issue(2, present=3, total=4),  # one comment restricted or deleted
        _issue(3, present=1, total=1, security=True),
        _issue(4, present=0, total=2),
    ]
    path = tmp_path / "inbox.json"
    path.write_text(json.dumps({"startAt": 0, "total": 4, "issues": issues}), encoding="utf-8")
    return path


def test_imperfect_jira_export_is_captured_and_every_ticket_accounted_for(tmp_path: Path) -> None:
    kb = init_kb(tmp_path / "kb")
    export = _export(tmp_path)
    result = CliRunner().invoke(
        cli, ["capture", str(export), "--kb", str(kb.root), "--json", "--no-branch"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    drafted = sorted(t for c in report["created"] for t in c["tickets"])
    merged = sorted(m["ticket"] for m in report["merged"])
    skipped = {s["ticket"]: s["reason"] for s in report["skipped"]}
    assert skipped == {"SD-3": "the issue has a security level (internal)"}
    assert sorted(drafted + merged + list(skipped)) == ["SD-1", "SD-2", "SD-3", "SD-4"]
    assert report["quality"]["tickets_read"] == 4
    notes = "\n".join(p.read_text(encoding="utf-8") for p in kb.notes_dir.glob("*.yml"))
    assert (
        "comments-incomplete: the export holds 3 of 4 comments; the missing ones may be restricted "
        "or deleted"
    ) in notes
    assert "the export holds 0 of 2 comments" in notes


def test_strict_refuses_and_with_skip_lists_every_refused_ticket(tmp_path: Path) -> None:
    kb = init_kb(tmp_path / "kb")
    export = _export(tmp_path)
    runner = CliRunner()
    refused = runner.invoke(
        cli, ["capture", str(export), "--kb", str(kb.root), "--strict", "--no-branch"]
    )
    assert refused.exit_code == 1
    assert "issues[1] (SD-2), field 'comment': the export holds 3 of 4 comments" in refused.output
    assert not list(kb.articles_dir.glob("*.md"))  # nothing half-imported
    result = runner.invoke(
        cli,
        [
            "capture",
            str(export),
            "--kb",
            str(kb.root),
            "--strict",
            "--skip-bad-records",
            "--json",
            "--no-branch",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    reasons = {s["ticket"]: s["reason"] for s in report["skipped"]}
    assert reasons == {
        "issues[1] (SD-2), field 'comment'": "bad record: the export holds 3 of 4 comments; export the "
        "issue with all its comments (half a conversation is not captured)",
        "SD-3": "the issue has a security level (internal)",
        "issues[3] (SD-4), field 'comment'": "bad record: the export holds 0 of 2 comments; export the "
        "issue with all its comments (half a conversation is not captured)",
    }
    assert [c["tickets"] for c in report["created"]] == [["SD-1"]]
    assert report["quality"]["tickets_read"] == 4
    assert report["source"][0]["records_read"] == 4
