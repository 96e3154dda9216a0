"""`kbgen gaps --open --from EXPORT`: the backlog page, and real captures of each cluster's best ticket."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import git_out, init_kb

APACHE = "apache_jira_rest_search_LUCENE-1_to_10.json"


def test_open_captures_the_best_ticket_of_each_uncovered_problem(
    tmp_path: Path, datasets: Path
) -> None:
    root = init_kb(tmp_path / "kb").root
    export = str(datasets / APACHE)
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["gaps", "--kb", str(root), "--from", export, "--limit", "3", "--open"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-4:] == [
        "backlog page written: content/review-notes/backlog.md",
        # LUCENE-2 (Duplicate) and LUCENE-3 (Fixed) share a description: the fixed one is drafted.
        "ticket LUCENE-3 (uncovered_problem:Bug:LUCENE-2): drafted KB-0002 "
        "on kb/KB-0002-prefix-queries-cannot-be-case-insensitive",
        "ticket LUCENE-1 (uncovered_problem:Bug:LUCENE-1): drafted KB-0001 "
        "on kb/KB-0001-lock-files-dont-work-in-jdk-1-1",
        "not captured for uncovered_problem:Bug:LUCENE-4: ticket LUCENE-4: resolution is Won't Fix",
    ]
    assert git_out(
        ["branch", "--list", "kb/*", "--format=%(refname:short)"], root
    ).splitlines() == [
        "kb/KB-0001-lock-files-dont-work-in-jdk-1-1",
        "kb/KB-0002-prefix-queries-cannot-be-case-insensitive",
    ]
    # Captured tickets are covered now (the ticket store knows), so they leave the list.
    again = runner.invoke(
        cli, ["gaps", "--kb", str(root), "--from", export, "--json"], catch_exceptions=False
    )
    listed = {i for gap in json.loads(again.output)["gaps"] for i in gap["evidence"]["ticket_ids"]}
    assert listed == {f"LUCENE-{n}" for n in (2, 4, 5, 6, 7, 8, 9, 10)}


def test_an_export_ticket_an_article_already_answers_is_not_a_gap(
    tmp_path: Path, datasets: Path
) -> None:
    """Coverage of never-captured tickets is judged by the real search stage, as capture would."""
    from kbgen.kb import write_article
    from kbgen.models import Article

    from .fakes import BODY, article_meta

    issues = json.loads((datasets / APACHE).read_text(encoding="utf-8"))["issues"]
    lucene1 = next(i for i in issues if i["key"] == "LUCENE-1")["fields"]
    root = init_kb(tmp_path / "kb").root
    body = BODY.format(problem=lucene1["description"], cause="JDK 1.1.", fix="Upgrade the JDK.")
    meta = article_meta("KB-0001", lucene1["summary"], category="Bug")
    write_article(root / "content" / "articles" / "kb-0001.md", Article(meta=meta, body=body))
    result = CliRunner().invoke(
        cli,
        ["gaps", "--kb", str(root), "--from", str(datasets / APACHE), "--json"],
        catch_exceptions=False,
    )
    listed = {i for gap in json.loads(result.output)["gaps"] for i in gap["evidence"]["ticket_ids"]}
    assert "LUCENE-1" not in listed
    assert len(listed) == len(issues) - 1


def test_export_titles_are_redacted_before_they_are_shown(tmp_path: Path) -> None:
    issue = {
        "key": "SUP-9",
        "fields": {
            "summary": "VPN fails for ana.lopez@example.com on host vpn01.corp.example.com",
            "issuetype": {"name": "Incident"},
            "status": {"name": "Resolved"},
            "resolution": {"name": "Fixed"},
            "created": "2026-03-01T09:00:00.000+0000",
            "resolutiondate": "2026-03-01T10:00:00.000+0000",
            "description": "The VPN client fails right after login.",
        },
    }
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"startAt": 0, "maxResults": 50, "total": 1, "issues": [issue]}))
    root = init_kb(tmp_path / "kb").root
    (root / "site_config" / "kbgen.yml").write_text(
        "redaction:\n  internal_hosts: [corp.example.com]\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli, ["gaps", "--kb", str(root), "--from", str(export)], catch_exceptions=False
    )
    first = result.output.splitlines()[0]
    assert "ana.lopez" not in first and "corp.example.com" not in first
    assert (
        first
        == "1. [uncovered problem] Incident: VPN fails for [email] on host [internal-host] (demand 1)"
    )
